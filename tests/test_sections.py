"""The findings sections: generic per research question, the declared section types, odd studies."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest

from evstudy import narrative, sections
from evstudy.coding import code_matrix
from evstudy.study import analyses_of
from evstudy.subgroups import compare_groups
from evstudy.survey import choice_table
from evstudy.triangulation import joint_display, survey_evidence


def _text(section: sections.Section) -> str:
    return "\n".join([section.markdown, *(p for p in section.parts if isinstance(p, str))])


# --- the declared section types on the demo ---------------------------------------------------


def test_site_typology_classes_sites_by_the_declared_codes(demo_study, demo_truth):
    analysis = analyses_of(demo_study, "site_typology")[0]
    section = sections.site_typology(demo_study, analysis)
    table = section.table.set_index("site_id")
    assert sorted(table.index[table["type"] == "reactive"]) == sorted(demo_truth["reactive_sites"])
    # Independently: participants per site coded to each type's code.
    counts = code_matrix(demo_study, rows="site", count="participants", coder="primary")
    for kind in analysis["types"]:
        expected = counts[kind["code"]].reindex(table.index, fill_value=0)
        assert table[kind["id"]].tolist() == expected.tolist()
    n = len(demo_truth["reactive_sites"])
    # A sentence never opens with a numeral: the count is spelt out.
    said = narrative.spelt(n).capitalize()
    assert section.headline.startswith(f"{said} of 9 local authorities describe mainly reactive")


def test_a_tie_between_the_leading_types_is_mixed(demo_study):
    analysis = analyses_of(demo_study, "site_typology")[0]
    same = {**analysis, "types": [analysis["types"][0], {**analysis["types"][0], "id": "copy"}]}
    table = sections.site_typology(demo_study, same).table
    assert set(table["type"]) == {"mixed"}


def test_resource_judgements_count_the_passages_that_name_each_resource(demo_study):
    analysis = analyses_of(demo_study, "resource_judgements")[0]
    section = sections.resource_judgements(demo_study, analysis)
    table = section.table.set_index(["resource", "judgement"])
    resource = analysis["resources"][1]
    weakness = analysis["judgements"]["weakness"]
    # Independently: the primary coder's expert passages that match the resource's rules.
    rules = demo_study.autocode_rules
    pattern = "|".join(rules.loc[rules["code_id"] == resource, "pattern"])
    codings = demo_study.codings[demo_study.codings["coder"] == "CD"]
    docs = demo_study.documents.set_index("doc_id")["method"]
    experts = codings[codings["doc_id"].map(docs) == "expert_interview"]
    named = experts["text"].str.contains(pattern, case=False, regex=True)
    expected = (named & (experts["code_id"] == weakness)).sum()
    assert table.loc[(resource, "weakness"), "passages"] == expected
    assert table["quote"].notna().all()
    assert "weaknesses" in section.markdown and "weaknesss" not in section.markdown


def test_group_comparison_reports_compare_groups_for_the_declared_groups(demo_study):
    analysis = analyses_of(demo_study, "group_comparison")[0]
    section = sections.group_comparison(demo_study, analysis)
    result = compare_groups(
        demo_study, analysis["question"], item=analysis["item"], groups=analysis["groups"]
    )
    pd.testing.assert_frame_equal(section.table, result)
    shown = result.drop_duplicates("group").set_index("group")
    partners = shown.at["Partner agencies", "pct"]
    opening = f"{narrative.spelt(round(partners * 100)).capitalize()} per cent"
    assert f"{opening} of partner agencies answered" in section.markdown


def test_awareness_use_shares_follow_the_declared_scale_points(demo_study):
    analysis = analyses_of(demo_study, "awareness_use")[0]
    table = sections.awareness_use(demo_study, analysis).table.set_index("item_id")
    answers = demo_study.survey_answers
    answers = answers[(answers["question_id"] == analysis["question"]) & answers["value"].notna()]
    for item, part in answers.groupby("item_id"):
        base = part["respondent_id"].nunique()
        used = part["value"].isin(analysis["used"]).sum() / base
        aware = 1 - (part["value"] == analysis["not_aware"]).sum() / base
        assert table.at[item, "used"] == pytest.approx(used)
        assert table.at[item, "aware"] == pytest.approx(aware)
    assert table["used"].is_monotonic_decreasing


def test_awareness_use_shows_prompted_mentions_as_prompted(demo_study):
    analysis = analyses_of(demo_study, "awareness_use")[0]
    section = sections.awareness_use(demo_study, analysis)
    table = section.table.set_index("code_id")
    book = demo_study.codebook.set_index("code_id")
    asked = {
        c for c, methods in book["prompted"].items() if {"interview", "focus_group"} <= set(methods)
    }
    prompted = table[table["prompted"]]
    assert len(prompted) and set(prompted.index) <= asked
    assert prompted["qual_n"].isna().all()  # not a count of how much people talk about it
    shown = section.parts[0].frame
    assert (shown.loc[table["prompted"].to_numpy(), "qual_n"] == "prompted").all()
    assert "asked about" in section.markdown and "by name" in section.markdown
    # a prompted item is never named among those participants talked about most
    head = section.headline.split(";")[0]
    assert not any(f"*{x}*" in head for x in prompted["item_label"])
    # no sentence sets a share of mentions against a share of use
    assert "mentioned by" not in section.markdown


def test_preferred_formats_sets_choices_beside_the_interviews(demo_study):
    analysis = analyses_of(demo_study, "preferred_formats")[0]
    section = sections.preferred_formats(demo_study, analysis)
    choices = choice_table(demo_study, analysis["question"]).set_index("option")
    table = section.table.set_index("option")
    assert table["pct"].to_dict() == choices["pct"].to_dict()
    joint = joint_display(demo_study).set_index("code_id")
    assert table["qual_n"].tolist() == joint.loc[table["code"], "qual_n"].tolist()
    top = table.index[0]
    assert f"({choices.at[top, 'pct']:.0%})" in section.headline


# --- generic content ----------------------------------------------------------------------------


def test_codes_serving_follow_the_codebook_rq(demo_study):
    book = demo_study.codebook
    leaves = book[book["parent_id"].notna()]
    for rq in demo_study.research_questions["rq_id"]:
        expected = [c for c, r in zip(leaves["code_id"], leaves["rq"], strict=True) if rq in r]
        assert sections.codes_serving(demo_study, rq) == expected
    assert sections.other_themes(demo_study) is None  # every demo code serves a question
    with pytest.raises(ValueError, match="`rq_id` must be one of"):
        sections.codes_serving(demo_study, "99")


def test_headline_denominators_leave_out_the_groups_outside_the_population(demo_study):
    counts = sections.population_counts(demo_study).set_index("code_id")
    outside = set(demo_study.population["outside"])
    roles = demo_study.participants.set_index("participant_id")["role_group"]
    codings = demo_study.codings[demo_study.codings["coder"] == "CD"]
    docs = demo_study.documents.set_index("doc_id")["method"]
    coded = codings[codings["doc_id"].map(docs) != "survey"].merge(
        demo_study.turns[["doc_id", "turn", "participant_id"]], on=["doc_id", "turn"]
    )
    coded = coded.dropna(subset=["participant_id"])
    inside = coded[~coded["participant_id"].map(roles).isin(outside)]
    assert counts["base"].iloc[0] == inside["participant_id"].nunique()
    assert (
        counts["outside_base"].iloc[0] == coded["participant_id"].nunique() - counts["base"].iloc[0]
    )
    section = sections.research_question(demo_study, "2")
    assert "Reported apart" in _text(section)
    base = counts["base"].iloc[0]
    assert f"of {base} local-authority and partner staff" in section.headline


def test_survey_evidence_pairs_with_codes_only_by_the_question_maps_code(demo_study):
    evidence = survey_evidence(demo_study)
    declared = set(demo_study.survey_options["code"].dropna()) | set(
        demo_study.survey_answers["code"].dropna()
    )
    assert set(evidence["code_id"]) <= declared
    # A grid item's code: dropping it unpairs the item, whatever its label says.
    grid = analyses_of(demo_study, "group_comparison")[0]
    answers = demo_study.survey_answers
    item = (answers["question_id"] == grid["question"]) & (answers["item_id"] == grid["item"])
    code = answers.loc[item, "code"].dropna().iloc[0]
    assert code in set(evidence["code_id"])
    unlinked = dataclasses.replace(
        demo_study, survey_answers=answers.assign(code=answers["code"].where(~item))
    )
    assert code not in set(survey_evidence(unlinked)["code_id"])


def test_every_research_question_gets_the_generic_tables(demo_study):
    display = joint_display(demo_study)
    for rq in demo_study.research_questions["rq_id"]:
        section = sections.research_question(demo_study, rq, display=display)
        captions = [p.caption for p in section.parts if isinstance(p, sections.Table)]
        assert any(c.endswith(": codes") for c in captions), rq
        assert any(c.endswith(": joint display") for c in captions), rq
        assert set(section.table["by"]) == {"method", "role_group", "site"}


# --- odd studies ---------------------------------------------------------------------------------


def _clean(objects: list) -> str:
    text = "\n".join(getattr(o, "data", "") for o in objects)
    return re.sub(r"data:image/png;base64,[^\"]*", "", text)


def _markdown(objects: list) -> str:
    from IPython.display import Markdown

    return "\n".join(o.data for o in objects if isinstance(o, Markdown))


def _no_none(text: str) -> None:
    assert not re.search(r"\b(None|nan|NaN)\b", text), re.search(
        r".{40}\b(None|nan|NaN)\b.{20}", text
    )


@pytest.fixture(scope="module")
def small(small_study, tmp_path_factory):
    from evstudy import load_study
    from evstudy.ingest import ingest

    out = tmp_path_factory.mktemp("sections")
    ingest(small_study, out / "processed", key_dir=out / "keys")
    return load_study(out / "processed")


def _variant(study, name):
    docs = study.documents
    if name == "no focus groups":
        keep = docs[docs["method"] != "focus_group"]
    elif name == "no expert interviews":
        keep = docs[docs["method"] != "expert_interview"]
    elif name == "single site":
        first = study.sites["site_id"].iloc[0]
        keep = docs[docs["site_id"].isna() | (docs["site_id"] == first)]
        study = dataclasses.replace(study, sites=study.sites.head(1))
    else:
        keep = docs
    ids = set(keep["doc_id"])
    study = dataclasses.replace(
        study,
        documents=keep,
        turns=study.turns[study.turns["doc_id"].isin(ids)],
        codings=study.codings[study.codings["doc_id"].isin(ids)],
    )
    if name == "no double coding":
        first = study.codings["coder"].value_counts().index[0]
        study = dataclasses.replace(study, codings=study.codings[study.codings["coder"] == first])
    if name in ("survey with no responses", "no survey"):
        empty = study.survey_answers.head(0)
        study = dataclasses.replace(
            study, survey_answers=empty, survey_respondents=study.survey_respondents.head(0)
        )
    if name == "no survey":
        study = dataclasses.replace(
            study,
            survey_questions=study.survey_questions.head(0),
            survey_options=study.survey_options.head(0),
        )
    if name == "no declarations":
        report = {**study.ingest_report, "research_questions": [], "analyses": []}
        study = dataclasses.replace(study, ingest_report=report)
    if name == "no COM-B mapping":
        book = study.codebook.assign(comb=None, valence=None)
        study = dataclasses.replace(study, codebook=book)
    if name == "inductive codes without rq":
        book = study.codebook.copy()
        book["rq"] = [
            () if o == "inductive" else r for o, r in zip(book["origin"], book["rq"], strict=True)
        ]
        study = dataclasses.replace(study, codebook=book)
    return study


ODD = [
    "no focus groups",
    "no expert interviews",
    "single site",
    "no double coding",
    "survey with no responses",
    "no survey",
    "no declarations",
    "inductive codes without rq",
    "no COM-B mapping",
]


@pytest.mark.parametrize("name", ODD)
def test_odd_studies_get_findings_without_a_traceback(small, name, tmp_path):
    from evstudy import narrative

    study = _variant(small, name)
    display = joint_display(study)
    shown = sections.findings(study, display=display, figures=tmp_path)
    markdown = _markdown(shown)
    _no_none(markdown)
    _no_none(narrative.executive_summary(study, display=display))
    titles = sections.research_questions(study)["title"]
    for title in titles:
        assert title.lower() in markdown.lower() or title in markdown
    if name in ("survey with no responses", "no survey"):
        expected = "survey_responses" if name == "survey with no responses" else "survey"
        assert markdown.count(sections.missing_input(expected)) >= 1
    if name == "no double coding":
        from evstudy.report import double_coded

        assert not double_coded(study) and double_coded(small)
    if name == "no COM-B mapping":
        assert sections.missing_input("comb") in markdown
        assert "COM-B matrix" not in markdown
    if name == "no declarations":
        book = study.codebook
        assert list(titles) == list(book.loc[book["parent_id"].isna(), "label"])
    if name == "inductive codes without rq":
        assert "### Other themes raised" in markdown
        other = sections.other_themes(study, display=display)
        book = study.codebook
        themes = book.set_index("code_id")["rq"]
        # A code with no rq of its own serves its theme's questions; with neither, none.
        orphans = book[
            book["parent_id"].notna()
            & (book["rq"].map(len) == 0)
            & (book["theme_id"].map(themes).map(len) == 0)
        ]
        assert len(orphans)
        table = next(p for p in other.parts if isinstance(p, sections.Table)).frame
        assert set(table["code"]) == set(orphans["label"])


def test_missing_input_names_the_file_that_would_add_it():
    assert sections.missing_input("recommendations").startswith("No recommendations.yml")
    assert "review/review_register.xlsx" in sections.missing_input("review")
    with pytest.raises(ValueError, match="`what` must be one of"):
        sections.missing_input("admin")


@pytest.mark.slow
def test_the_synthesis_notebook_runs_on_a_study_with_no_optional_inputs(study_copy, tmp_path):
    """No research questions or analyses declared, no review, recommendations, overrides,
    admin data or researchers' text: the notebook runs, heads its findings with the themes
    and says which file would add each missing section."""
    import shutil

    import nbformat
    import yaml
    from nbclient import NotebookClient

    from evstudy.ingest import ingest

    raw = study_copy
    for name in ("recommendations.yml", "review", "triangulation_overrides.yml", "admin", "report"):
        path = raw / name
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    config = yaml.safe_load((raw / "study.yml").read_text(encoding="utf-8"))
    config.pop("research_questions", None)
    config.pop("analyses", None)
    (raw / "study.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    book = yaml.safe_load((raw / "codebook.yml").read_text(encoding="utf-8"))
    for code in book["codes"]:
        code.pop("rq", None)
    (raw / "codebook.yml").write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    ingest(raw, tmp_path / "processed", key_dir=tmp_path / "keys")

    root = Path(__file__).resolve().parents[1]
    nb = nbformat.read(root / "notebooks" / "synthesis.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = f"processed = {str(tmp_path / 'processed')!r}\nfigures = {str(tmp_path)!r}"
    NotebookClient(nb, kernel_name="python3", timeout=600, record_timing=False).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    markdown = "\n".join(o.get("data", {}).get("text/markdown", "") for o in outputs)
    _no_none(markdown)
    for what in ("review", "recommendations"):
        assert sections.missing_input(what) in markdown
    themes = [line for line in markdown.splitlines() if line.startswith("- **")]
    labels = [c["label"] for c in book["codes"] if not c.get("parent")]
    assert [t.split("**")[1].rstrip(".") for t in themes[: len(labels)]] == labels
    assert "Research question" not in markdown


def test_resource_judgements_say_when_the_guide_prompted_them(demo_study):
    analysis = analyses_of(demo_study, "resource_judgements")[0]
    section = sections.resource_judgements(demo_study, analysis)
    book = demo_study.codebook.set_index("code_id")
    methods = analysis.get("methods") or ["interview", "focus_group", "expert_interview"]
    judged = list(dict(analysis["judgements"]).values())
    prompted = any(set(book.at[c, "prompted"]) & set(methods) for c in judged)
    assert prompted  # the demo's expert schedule asks for strengths and weaknesses
    assert section.headline.endswith(
        "for these judgements by name, so the counts are prompted answers, not how often they "
        "arise unprompted."
    )
    bare = dataclasses.replace(
        demo_study, codebook=demo_study.codebook.assign(prompted=[[]] * len(demo_study.codebook))
    )
    assert "prompted" not in sections.resource_judgements(bare, analysis).headline


# --- weakly reliable codes are flagged where findings name them (issue 20 §4) ------------------


def test_flag_weak_codes_marks_text_and_tables_and_adds_a_footnote():
    joint = pd.DataFrame(
        {
            "code_id": ["a.x", "a.y", "a.z"],
            "label": ["Lack of time", "Peer networks", "Budget"],
            "kappa": [0.35, 0.9, float("nan")],
            "low_reliability": [True, False, True],
        }
    )
    table = sections.Table(
        pd.DataFrame({"code": ["Lack of time", "Peer networks"], "n": [3, 4]}), caption="T"
    )
    paragraphs, parts, heads = sections.flag_weak_codes(
        joint,
        ["a.x", "a.y", "a.z"],
        ["Most raised *lack of time* and *peer networks*."],
        [table],
        ["*Lack of time* led."],
    )
    assert paragraphs == ["Most raised *lack of time*† and *peer networks*."]
    assert heads == ["*Lack of time*† led."]
    assert parts[0].frame["code"].tolist() == ["Lack of time †", "Peer networks"]
    # Budget (undefined kappa) is named nowhere, so the footnote leaves it out
    assert parts[1] == (
        "† Inter-coder agreement is below the study's kappa threshold for *lack of time* "
        "(κ 0.35): read the findings on it with caution."
    )
    # nothing weak among the codes: nothing changes
    same = sections.flag_weak_codes(joint, ["a.y"], ["*lack of time*"], [], [])
    assert same == (["*lack of time*"], [], [])


def test_weak_codes_in_the_demo_findings_carry_the_flag(demo_study):
    from evstudy.reliability import reliability_table

    kappas = reliability_table(demo_study).set_index("code_id")["kappa"]
    weak = set(kappas[~(kappas >= 0.6)].index) - {"overall"}
    labels = demo_study.codebook.set_index("code_id")["label"]
    flagged_somewhere = set()
    for rq in sections.research_questions(demo_study)["rq_id"]:
        section = sections.research_question(demo_study, rq)
        notes = [p for p in section.parts if isinstance(p, str) and p.startswith("†")]
        text = section.markdown + " ".join(
            p for p in section.parts if isinstance(p, str) and p not in notes
        )
        for code in weak & set(sections.codes_serving(demo_study, rq)):
            label = narrative.midsentence(labels[code])
            # never named in italics without the mark
            assert f"*{label}* " not in text and f"*{label}*," not in text, (rq, code)
            # Named alone it is italic; in a list of labels (written as words) it is not.
            if f"*{label}*†" in text or f"{label}†" in text:
                flagged_somewhere.add(code)
                assert any(f"*{label}* (κ" in n for n in notes), (rq, code)
    assert flagged_somewhere  # the demo does name a weak code in its findings


def test_each_method_speaks_for_itself_with_its_own_base():
    part = pd.DataFrame(
        {
            "label": ["Lack of time", "Culture", "Guidebook"],
            "interview_n": [64, 30, 65],
            "interview_base": [66, 66, 66],
            "interview_prompted": [False, False, True],  # prompted: never the lead
            "focus_group_n": [3, 17, 17],
            "focus_group_base": [44, 44, 44],
            "focus_group_prompted": [False, False, False],
        }
    )
    assert sections._spoke_of(part, 5) == (
        "; on the same codes, interviewees most often spoke of *lack of time* (64 of 66) and "
        "focus-group participants most often spoke of *culture* and *guidebook* (17 of 44 each)"
    )
    # A count the disclosure rule suppresses is written in words.
    few = part.assign(focus_group_n=[3, 2, 1])
    assert sections._spoke_of(few, 5).endswith("spoke of *lack of time* (fewer than 6 of 44)")


def test_a_code_serving_two_questions_gets_a_different_quote_in_each(demo_study):
    from evstudy.coding import published_words
    from evstudy.sections import codes_serving, research_questions, section_exemplars

    chosen = section_exemplars(demo_study)
    assert chosen["quote"].map(published_words).is_unique
    rqs = list(research_questions(demo_study)["rq_id"])
    served = pd.Series([c for rq in rqs for c in codes_serving(demo_study, rq)])
    twice = set(served[served.duplicated()])
    assert twice  # the demo's codebook has codes serving two questions
    for code in twice:
        mine = chosen[chosen["code_id"] == code]
        assert len(mine) >= 2 and mine["quote"].is_unique
