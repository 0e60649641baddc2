"""Findings in words: the templating helpers, and every sentence traced back to its numbers."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from evstudy import narrative, sections
from evstudy.fieldwork import fieldwork_progress
from evstudy.narrative import ci, fill, listing, n_of, pct, plural
from evstudy.triangulation import convergence_summary, joint_display

# --- templating helpers ------------------------------------------------------------------------


def test_counting_words():
    assert n_of(7, 9, "site") == "7 of 9 sites"
    assert n_of(1, 1, "site") == "1 of 1 site"
    assert n_of(3, 1200, "person", "people") == "3 of 1,200 people"
    assert plural(1, "document") == "1 document"
    assert plural(0, "document") == "0 documents"


def test_lists_percentages_and_intervals():
    assert listing([]) == "none"
    assert listing(["A"]) == "A"
    assert listing(["A", "B"]) == "A and B"
    assert listing(["A", "B", "C"], conj="or") == "A, B or C"
    assert pct(0.714) == "71%" and pct(float("nan")) == "n/a"
    assert ci(0.0695, 0.2619) == "95% CI 7% to 26%"


def test_fill_formats_values_by_kind():
    text = fill(
        "{sites} ({n}) chose it: {share:pct} ({interval:ci}); {spelled:list}.",
        sites=["Alpha", "Beta", "Gamma"],
        n=1234,
        share=0.25,
        interval=(0.1, 0.4),
        spelled=("x", "y"),
    )
    assert text == "Alpha, Beta and Gamma (1,234) chose it: 25% (95% CI 10% to 40%); x and y."
    assert fill("{x:.2f}", x=0.5) == "0.50"
    with pytest.raises(KeyError):
        fill("{missing}")


# --- the COM-B findings and the summary, traced to their numbers --------------------------------


def test_plural_nouns_and_labels_mid_sentence():
    assert narrative.plural_noun("local authority") == "local authorities"
    assert narrative.plural_noun("weakness") == "weaknesses"
    assert narrative.plural_noun("day") == "days"
    assert plural(2, "county") == "2 counties" and n_of(1, 3, "county") == "1 of 3 counties"
    assert narrative.midsentence("Peer networks") == "peer networks"
    # Proper names keep their capitals: an acronym, or a later word with a capital.
    assert narrative.midsentence("NICE guidelines") == "NICE guidelines"
    assert narrative.midsentence("Research in Practice") == "Research in Practice"


def test_comb_headline_counts_the_headline_population(demo_study):
    section = narrative.comb_section(demo_study)
    counts = sections.population_counts(demo_study)
    book = demo_study.codebook.set_index("code_id")
    barriers = counts[counts["code_id"].map(book["valence"]) == "barrier"]
    top = barriers.sort_values(["participants", "code_id"], ascending=[False, True]).head(3)
    expected = listing([str(n) for n in top["participants"]])
    base = counts["base"].iloc[0]
    assert f"({expected} of {base} local-authority and partner staff)" in section.headline
    first = narrative.midsentence(top["label"].iloc[0])
    assert section.headline.startswith(
        f"The barriers local-authority and partner staff described most were {first}, "
    )
    # The experts, outside the population, are reported apart.
    assert "Reported apart from the headline figures: of the 16 expert participants" in (
        section.markdown
    )
    names = [p.name for p in section.parts if isinstance(p, sections.Chart)]
    assert names == ["comb_matrix", "role_groups_by_code"]


def test_pairs_section_names_the_pairs_raised_together(demo_study):
    from evstudy.matrices import barrier_enabler_pairs

    pairs = barrier_enabler_pairs(demo_study)
    first = pairs.iloc[0]
    section = narrative.pairs_section(demo_study)
    assert f"({first['n']} documents)" in section.markdown
    assert section.headline.startswith("What would help most: ")
    assert "*" not in section.headline  # a list of labels, as words
    assert narrative.pairs_section(demo_study, lead=False).headline == ""


@pytest.mark.slow
def test_headlines_and_summary_cover_every_question(demo_study):
    heads = narrative.headlines(demo_study)
    assert heads["rq_id"].tolist() == list(demo_study.research_questions["rq_id"])
    assert heads["question"].tolist() == list(demo_study.research_questions["text"])
    assert heads["headline"].str.len().gt(40).all()
    summary = narrative.executive_summary(demo_study)
    assert summary.count("- **Research question") == 5
    assert heads.at[0, "headline"] in summary
    assert "- **Rigour.** Eighteen documents were double-coded" in summary


def test_targets_text_takes_the_range_of_sites_from_the_study(demo_study):
    assert "(8 to 12 local authorities;" in narrative.targets_text(demo_study)


def test_triangulation_text_counts_match_the_summary(demo_study):
    display = joint_display(demo_study)
    counts = convergence_summary(display).set_index("convergence")["n"]
    text = narrative.triangulation_text(display)
    assert (
        f"agreed on {counts['agreement']}, partly agreed on {counts['partial agreement']}" in text
    )
    assert f"disagreed (dissonance) on {counts['dissonance']}" in text
    # the denominator is the table's own: every row that is not silence
    compared = len(display) - counts["silence"]
    assert f"Of the {compared} themes that both the survey" in text
    # silence splits into what the survey never asked and what every guide prompted
    asked = display["survey_base"].notna()
    prompted = display["interview_prompted"] & display["focus_group_prompted"]
    heard = (display["interview_n"] > 0) & ~display["interview_prompted"]
    not_asked = (~asked & heard).sum()
    assert f"silent on {not_asked} themes" in text
    assert f"The survey also asked about {(asked & prompted).sum()} themes, but" in text
    assert (~asked).sum() + (asked & prompted).sum() == counts["silence"]


def test_summary_and_triangulation_text_agree_under_an_override(demo_study):
    plain = joint_display(demo_study)
    agreed = plain[plain["rule"] == "agreement"].iloc[0]
    overrides = pd.DataFrame(
        {"code_id": [agreed["code_id"]], "convergence": ["dissonance"], "reason": ["a test"]}
    )
    display = joint_display(demo_study, overrides=overrides)
    counts = display["convergence"].value_counts()
    assert counts["dissonance"] == (plain["convergence"] == "dissonance").sum() + 1
    text = narrative.triangulation_text(display)
    summary = narrative.executive_summary(demo_study, display=display)
    triangulation = summary.split("- **Triangulation.**")[1].split("\n")[0]
    assert f"agreed on {counts['agreement']}, partly" in text
    assert f"agreed on {counts['agreement']} of the" in triangulation
    assert f"disagreed (dissonance) on {counts['dissonance']}." in text
    assert f"were dissonant on {counts['dissonance']} (" in triangulation
    label = narrative.midsentence(agreed["label"])
    assert f"*{label}*" in text  # named alone, in italics, where the override is reported
    # The summary names at most three dissonant themes, then "and N others".
    named = triangulation.split(" (", 1)[1]
    assert label in named or "others)" in named or "other)" in named
    assert "researcher overrode the rules" in text


def test_top_choices_names_up_to_three_options():
    table = pd.DataFrame(
        {
            "option": ["Time", "Money", "Skills", "Culture"],
            "base": [1200, 1200, 1200, 1200],
            "pct": [0.5, 0.25, 0.125, 0.0],
        }
    )
    assert narrative.top_choices(table, "barrier") == (
        "The barrier chosen most often was *Time* (50% of 1,200 respondents), then *Money* "
        "(25%) and *Skills* (12%)."
    )
    assert narrative.top_choices(table.head(1), "enabler") == (
        "The enabler chosen most often was *Time* (50% of 1,200 respondents)."
    )
    assert narrative.top_choices(table.head(2), "barrier").endswith("then *Money* (25%).")
    assert narrative.top_choices(table.head(0), "barrier") == (
        "No respondent answered the question on the barriers."
    )


def test_sample_against_targets(demo_study):
    sample = narrative.sample_against_targets(demo_study).set_index("measure")
    assert sample.at["One-to-one interviews", "achieved"] == (
        demo_study.documents["method"].eq("interview").sum()
    )
    assert sample.at["One-to-one interviews", "target"] == 70
    assert sample.at["Survey responses", "achieved"] == len(demo_study.survey_respondents)
    assert sample.at["Focus-group participants", "target"] == 10 * 7
    # The same counts as the fieldwork dashboard, which counts who spoke in a focus group.
    progress = fieldwork_progress(demo_study)
    assert sample["achieved"].tolist() == progress["achieved"].tolist()
    assert sample.index[0] == "Local authorities (sites)"  # the study's site noun
    custom = narrative.sample_against_targets(demo_study, targets={"interviews": 33})
    assert custom.set_index("measure").at["One-to-one interviews", "pct"] == pytest.approx(
        sample.at["One-to-one interviews", "achieved"] / 33
    )


def test_one_dissonant_theme_reads_in_the_singular(demo_study):
    display = joint_display(demo_study)
    dissonant = display.index[display["convergence"] == "dissonance"]
    single = display.copy()
    single.loc[dissonant[1:], "convergence"] = "partial agreement"
    text = narrative.triangulation_text(single)
    assert "disagreed (dissonance) on 1." in text
    assert "The dissonant theme: *" in text and "sharpest first" not in text


def test_none_or_writes_zero_as_a_word():
    from evstudy.narrative import none_or

    assert (none_or(0), none_or(1), none_or(1204)) == ("none", "1", "1,204")


# --- COM-B wording follows the codebook (issue 20: "called 'mainly physical opportunity', but
# it is coded social opportunity") --------------------------------------------------------------


def test_each_named_barrier_carries_its_own_com_b_component(demo_study):
    from evstudy.matrices import COMB_LABELS
    from evstudy.sections import population_counts

    book = demo_study.codebook.set_index("code_id")
    counts = population_counts(demo_study)
    barriers = counts[counts["code_id"].map(book["valence"]) == "barrier"]
    top = barriers.sort_values(["participants", "code_id"], ascending=[False, True]).head(3)
    words = [narrative.midsentence(COMB_LABELS[book.at[c, "comb"]]) for c in top["code_id"]]
    text = narrative.comb_section(demo_study).markdown
    first = text.split(". Across every barrier")[0]
    expected = (
        f"in COM-B, all {words[0]}"
        if len(set(words)) == 1
        else f"in COM-B, {narrative.listing(words)} respectively"
    )
    assert first.endswith(expected), first
    assert ", mainly " not in first  # no component is pinned on the list as a whole


def test_the_leading_component_names_a_tie():
    lead = pd.Series(
        {"physical_opportunity": 5, "social_opportunity": 5, "automatic_motivation": 2}
    )
    text = narrative._leading_component(lead, 10, "staff", 4)
    assert text == (
        ". Across every barrier, physical opportunity and social opportunity were tied as the "
        "COM-B components most staff described (5 of 10 each)"
    )
    one = narrative._leading_component(lead.drop("social_opportunity"), 10, "staff", 4)
    assert one == (
        ". Across every barrier, the COM-B component most staff described was physical "
        "opportunity (5 of 10)"
    )
    # A count the disclosure rule suppresses is written in words, never as a number.
    hidden = narrative._leading_component(lead.drop("social_opportunity"), 10, "staff", 5)
    assert hidden.endswith("was physical opportunity (fewer than 6 of 10)")
    assert narrative._leading_component(pd.Series(dtype="int64"), 10, "staff", 5) == ""


# -- the computed sentences read as English (issue 20 §2), checked over the whole demo ------------

_PEOPLE = r"(?:participants?|interviewees?|respondents?|staff|people)"
_COUNTS = re.compile(
    r"((?:\d[\d,]*(?:, | and ))*\d[\d,]*) of (?:the )?\d[\d,]* (?:[A-Za-z-]+ ){0,4}?" + _PEOPLE
)
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


def _demo_texts(study) -> dict[str, str]:
    """Every computed text of the demo's report: the summary, the findings, the site pages."""
    from evstudy import casestudy
    from evstudy.recommendations import recommendation_evidence
    from evstudy.sections import other_themes, research_question, research_questions
    from evstudy.study import analyses_of
    from evstudy.triangulation import joint_display, study_overrides

    jd = joint_display(study, overrides=study_overrides(study))
    texts = {
        "summary": narrative.executive_summary(study, display=jd),
        "triangulation": narrative.triangulation_text(jd),
    }
    for rq in research_questions(study)["rq_id"]:
        section = research_question(study, rq, display=jd)
        strings = [p for p in section.parts if isinstance(p, str) and not p.startswith("†")]
        texts[f"findings {rq}"] = "\n\n".join([section.markdown, *strings])
    other = other_themes(study, display=jd)
    if other is not None:
        texts["other themes"] = other.markdown
    for site in study.sites["site_id"]:
        page = [casestudy.profile_text(study, site=site)]
        page += [
            casestudy.typology_text(study, site=site, analysis=a)
            for a in analyses_of(study, "site_typology")
        ]
        page += [
            casestudy.theme_text(study, site=site, theme=t)
            for t in casestudy.themes(study)["theme_id"]
        ]
        page.append(casestudy.comparison_text(study, site=site))
        texts[f"site {site}"] = "\n\n".join(page)
    evidence = recommendation_evidence(study, display=jd)
    texts["recommendations"] = "\n\n".join(
        [*evidence["rationale"], *evidence["caution"], *evidence["fieldwork"].str.capitalize()]
    )
    return texts


@pytest.fixture(scope="module")
def demo_texts(demo_study):
    return _demo_texts(demo_study)


def _sentences(text: str) -> list[str]:
    # A list item's bold label ("- **Rigour.** ") is not the sentence's first word.
    return [
        re.sub(r"^\s*(?:[-*]\s+)?(?:\*\*[^*\n]+\*\*\s+)?", "", s)
        for s in _SENTENCES.split(text)
        if s.strip()
    ]


def test_no_computed_sentence_starts_with_a_numeral(demo_texts):
    opening = [
        (where, s[:80]) for where, text in demo_texts.items() for s in _sentences(text)
        if re.match(r"[\d£%]", s)
    ]  # fmt: skip
    assert not opening
    assert len([s for t in demo_texts.values() for s in _sentences(t)]) > 300


def test_no_computed_sentence_gives_a_suppressed_count_of_people(demo_study, demo_texts):
    suppress_max = demo_study.disclosure["suppress_max"]
    found = []
    for where, text in demo_texts.items():
        for match in _COUNTS.finditer(text):
            numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", match.group(1))]
            if any(1 <= n <= suppress_max for n in numbers):
                found.append((where, match.group(0)))
    assert not found
    # Nor is a suppressed count given away by its share beside its base.
    everything = " ".join(demo_texts.values())
    assert not re.search(r"fewer than \d+ of \d+ [a-z -]*?\(\d+%\)", everything)
    # The words the rule gives them are used instead, with the denominator.
    assert re.search(r"fewer than 6 of \d+ participants", " ".join(demo_texts.values()))


def test_computed_lists_name_labels_as_words_and_at_most_three(demo_texts):
    everything = "\n".join(demo_texts.values())
    # No chain of italic labels: a list of labels is words; a label alone may be italic.
    assert not re.search(
        r"(?<!\*)\*[^*\n]+\*(?!\*)†?(?:, | and )(?<!\*)\*[^*\n]+\*(?!\*)", everything
    )
    # A list names at most three, then "and N others".
    summary = demo_texts["summary"]
    listed = re.search(r"dissonant on \w+ \(([^)]*)\)", summary).group(1)
    assert listed.count(", ") <= 3 and re.search(r"and (one|two|three|\w+) others?$", listed)


def test_labels_are_never_the_subject_of_a_verb_that_may_not_agree(demo_texts):
    everything = "\n".join(demo_texts.values())
    # "Peer networks was raised less": the site pages make participants the subject.
    assert " was raised less" not in everything
    for match in re.finditer(r"\*([^*\n]+)\*†? (was|is|has)\b", everything):
        head = re.split(r" (?:of|with|from|for|in|about|to|on) ", match.group(1))[0].split()[-1]
        assert not (head.endswith("s") and not head.endswith(("ss", "us", "is"))), match.group(0)


def test_the_site_pages_do_not_share_one_skeleton(demo_study, demo_texts):
    from evstudy import casestudy

    words = [*demo_study.sites["site_name"], *demo_study.codebook["label"]]
    words += [narrative.midsentence(w) for w in demo_study.codebook["label"]]
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))

    def skeleton(text: str) -> str:
        text = pattern.sub("X", text)
        return re.sub(r"fewer than \d+|\d[\d,.]*%?", "N", text)

    pages = {s: demo_texts[f"site {s}"] for s in demo_study.sites["site_id"]}
    assert len({skeleton(p) for p in pages.values()}) == len(pages)
    # Their comparisons and theme paragraphs open in more than one way, by the data.
    openings = {
        skeleton(casestudy.comparison_text(demo_study, site=s)).split(":")[0] for s in pages
    }
    assert len(openings) >= 2
    themes = {
        skeleton(_sentences(casestudy.theme_text(demo_study, site=s, theme=t))[0])
        for s in pages
        for t in casestudy.themes(demo_study)["theme_id"]
    }
    assert len(themes) >= 3


def test_prose_helpers_by_hand():
    # A sentence never opens with a numeral: the number is spelt out, percentages too.
    assert narrative.prose("Agreed. 16 of 16 said so; 70% of them twice.") == (
        "Agreed. Sixteen of 16 said so; 70% of them twice."
    )
    assert narrative.prose("- **Rigour.** 105 documents.\n\n70% of staff.") == (
        "- **Rigour.** One hundred and five documents.\n\nSeventy per cent of staff."
    )
    assert narrative.spelt(1204) == "one thousand two hundred and four"
    # Chained italic labels become words; a label alone stays italic.
    assert narrative.prose("were *a*, *b and c*† and *d*; *e* alone") == (
        "were a, b and c† and d; *e* alone"
    )
    # Lists name three, then the rest as a number in words; a serial comma when an item
    # holds its own "and".
    assert narrative.listing(narrative.shortlist("abcde")) == "a, b, c and two others"
    assert narrative.listing(narrative.shortlist("abcd")) == "a, b, c and one other"
    assert narrative.listing(["time and money", "skills", "access"]) == (
        "time and money, skills, and access"
    )
    # A count of people the rule suppresses is written in words, with its base when given.
    assert narrative.people_count(3, "interviewee", suppress_max=5, base=66) == (
        "fewer than 6 of 66 interviewees"
    )
    assert narrative.people_count(0, "interviewee", suppress_max=5, base=66) == (
        "none of the 66 interviewees"
    )
    assert narrative.people_count(6, "interviewee", suppress_max=5) == "6 interviewees"
    assert narrative.people_count(1, "interviewee", suppress_max=0) == "1 interviewee"
    assert narrative.small(5, suppress_max=5) == "fewer than 6"
    assert narrative.small(0, suppress_max=5) == "0"
