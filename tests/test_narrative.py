"""Findings in words: the templating helpers, and every sentence traced back to its numbers."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from evstudy import narrative
from evstudy.fieldwork import fieldwork_progress
from evstudy.matrices import comb_codes
from evstudy.narrative import ci, fill, listing, n_of, pct, plural
from evstudy.report import approach_by_site
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


# --- the sections, traced to their numbers ---------------------------------------------------


def test_rq1_names_the_sites_the_classification_finds(demo_study):
    text = narrative.rq1(demo_study)
    approach = approach_by_site(demo_study)
    reactive = approach.loc[approach["approach"] == "reactive", "site_name"].tolist()
    assert text.startswith(f"{len(reactive)} of {len(approach)} sites describe mainly reactive")
    assert listing(reactive) in text
    assert "(table *Commissioning approach by site*)" in text
    assert re.search(r"\d+% of partner agencies said so against \d+% of local authority", text)


def test_rq2_reports_the_leading_barriers_with_their_counts(demo_study):
    text = narrative.rq2(demo_study)
    codes = comb_codes(demo_study)
    top = codes[codes["valence"] == "barrier"].nlargest(3, "participants")
    first = top.iloc[0]
    assert f"*{narrative.midsentence(first['label'])}*" in text.split(",")[0]
    counts = listing(str(x) for x in top["participants"])
    assert f"({counts} of {len(demo_study.participants)} participants)" in text
    assert "No code in the codebook maps to physical capability" in text
    assert f"{first['survey_pct']:.0%}, {ci(first['ci_low'], first['ci_high'])}" in text


def test_rq3_counts_strengths_and_weaknesses_per_resource(demo_study):
    views = narrative.legacy_views(demo_study).set_index(["resource", "judgement"])
    assert views.index.tolist() == [
        ("toolkit.eif_guidebook", "strength"),
        ("toolkit.eif_guidebook", "weakness"),
        ("toolkit.wwcsc_store", "strength"),
        ("toolkit.wwcsc_store", "weakness"),
    ]
    # Independently: the primary coder's expert passages that name the Evidence Store.
    codings = demo_study.codings[demo_study.codings["coder"] == "CD"]
    experts = codings[codings["doc_id"].str.startswith("EXP-")]
    named = experts["text"].str.contains(r"Evidence Store|WWCSC", case=False)
    weakness = experts[named & (experts["code_id"] == "toolkit.weakness")]
    assert views.loc[("toolkit.wwcsc_store", "weakness"), "passages"] == len(weakness)
    assert views["quote"].notna().all()
    assert views["attribution"].eq("Expert interviewee").all()
    text = narrative.rq3(demo_study)
    strengths = views.loc[("toolkit.wwcsc_store", "strength"), "passages"]
    assert f"Evidence Store in {strengths} strengths and {len(weakness)} weaknesses" in text


def test_rq4_and_rq5_come_from_the_joint_display(demo_study):
    display = joint_display(demo_study).set_index("code_id")
    tools = display[(display["theme_id"] == "toolkit") & display["question_id"].notna()]
    most_used = tools["survey_pct"].idxmax()
    assert f"*{display.at[most_used, 'label']}*" in narrative.rq4(demo_study).split(";")[1]
    guides = display[display["theme_id"] == "guide"]
    wanted = guides["survey_pct"].idxmax()
    text = narrative.rq5(demo_study)
    assert f"*{narrative.midsentence(display.at[wanted, 'label'])}* " in text
    assert f"({guides.at[wanted, 'survey_pct']:.0%})" in text


@pytest.mark.slow
def test_headlines_and_summary_cover_every_question(demo_study):
    heads = narrative.headlines(demo_study)
    assert heads["rq"].tolist() == [1, 2, 3, 4, 5]
    assert heads["question"].str.len().gt(40).all()
    summary = narrative.executive_summary(demo_study)
    assert summary.count("- **Research question") == 5
    assert heads.at[0, "headline"] in summary
    assert "- **Rigour.** 18 documents were double-coded" in summary


def test_triangulation_text_counts_match_the_summary(demo_study):
    display = joint_display(demo_study)
    counts = convergence_summary(display).set_index("convergence")["n"]
    text = narrative.triangulation_text(display)
    assert (
        f"agreed on {counts['agreement']}, partly agreed on {counts['partial agreement']}" in text
    )
    assert f"disagreed (dissonance) on {counts['dissonance']}" in text
    assert f"silent on {counts['silence']} themes" in text


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
    label = f"*{narrative.midsentence(agreed['label'])}*"
    assert label in text and label in triangulation
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
    assert sample.index[0] == "Local authorities (sites)"
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
