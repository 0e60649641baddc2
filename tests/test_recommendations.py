"""Recommendations: validation against the codebook, and their evidence computed from the data."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from evstudy.errors import InputError, ValidationError
from evstudy.recommendations import (
    THIN_PARTICIPANTS,
    THIN_SITES,
    read_recommendations,
    recommendation_evidence,
    recommendations_table,
)
from evstudy.triangulation import joint_display


@pytest.fixture(scope="module")
def display(demo_study):
    return joint_display(demo_study)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "recommendations.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_read_recommendations_exact_values(tmp_path, demo_study):
    path = write(
        tmp_path,
        "recommendations:\n"
        "  - id: R1\n    text: Say  it plainly.\n    audience: Toolkit\n"
        "    codes: [enabler.summaries, barrier]\n"
        "  - id: R2\n    text: Fund access.\n    audience: national policy\n"
        "    codes: barrier.access\n",
    )
    frame = read_recommendations(path, codes=demo_study.codebook["code_id"])
    assert frame.to_dict("list") == {
        "rec_id": ["R1", "R2"],
        "text": ["Say it plainly.", "Fund access."],
        "audience": ["Toolkit", "national policy"],
        "codes": [["enabler.summaries", "barrier"], ["barrier.access"]],
        "priority": [None, None],
        "rationale": [None, None],
    }


def test_an_unknown_code_names_the_file_the_recommendation_and_the_code(tmp_path, demo_study):
    path = write(
        tmp_path,
        "recommendations:\n"
        "  - id: R1\n    text: A.\n    audience: Toolkit\n    codes: [barrier.time]\n"
        "  - id: R1\n    text: ''\n    audience: ''\n    codes: []\n",
    )
    with pytest.raises(ValidationError) as excinfo:
        read_recommendations(path, codes=demo_study.codebook["code_id"], label="recs.yml")
    found = list(excinfo.value.problems)
    assert found[0].file == "recs.yml"
    assert found[0].where == "line 2, recommendation 1 (R1)"
    assert "recommendation R1 cites code 'barrier.time', which the codebook lacks" in (
        found[0].problem
    )
    problems = " ".join(p.problem for p in found[1:])
    for part in (
        "repeats the recommendation on line 2",
        "no text",
        "has no audience",
        "cites no codes",
    ):
        assert part in problems
    assert len(found) == 5
    with pytest.raises(InputError, match="no 'recommendations:' list"):
        read_recommendations(write(tmp_path, "- id: R1\n"))


def test_an_unknown_key_lists_the_keys_in_words(tmp_path):
    path = write(
        tmp_path,
        "recommendations:\n  - id: R1\n    text: A.\n    audience: Toolkit\n"
        "    codes: [barrier]\n    owner: me\n",
    )
    with pytest.raises(ValidationError) as excinfo:
        read_recommendations(path)
    (found,) = excinfo.value.problems
    assert found.where == "line 2, recommendation 1 (R1)"
    assert found.problem == "unknown key(s): owner"
    assert found.fix == "use id, text, audience, codes, priority, rationale"


def test_every_recommendations_problem_is_reported_with_its_line(tmp_path):
    path = write(
        tmp_path,
        "recommendations:\n"
        "  - id: R1\n    text: A.\n    audience: Toolkit\n    codes: [barrier]\n    owner: me\n"
        "  - id: R1\n    text: ' '\n    audience: ' '\n    codes: []\n"
        "  - text: No id.\n    audience: toolkit\n    codes: barrier.nothing\n"
        "  - just a sentence\n",
    )
    with pytest.raises(ValidationError) as excinfo:
        read_recommendations(path, codes=["barrier"])
    found = [(p.where, p.problem) for p in excinfo.value.problems]
    expected = [
        ("line 2, recommendation 1 (R1)", "unknown key(s): owner"),
        ("line 7, recommendation 2 (R1)", "the id repeats the recommendation on line 2"),
        ("line 7, recommendation 2 (R1)", "the recommendation has no text"),
        ("line 7, recommendation 2 (R1)", "the recommendation has no audience"),
        ("line 7, recommendation 2 (R1)", "the recommendation cites no codes"),
        ("line 11, recommendation 3", "the recommendation has no id"),
        ("line 11, recommendation 3", "cites code 'barrier.nothing', which the codebook lacks"),
        ("line 14, recommendation 4", "the entry is not a mapping"),
    ]
    assert len(found) == len(expected), found
    for (where, problem), (want_where, want) in zip(found, expected, strict=True):
        assert where == want_where and want in problem, (where, problem)


def test_evidence_is_computed_from_the_codings(demo_study, display):
    from evstudy.coding import coded_segments, primary_coder

    recs = pd.DataFrame(
        {
            "rec_id": ["A", "B"],
            "text": ["On budgets.", "On the whole barrier theme."],
            "audience": ["Toolkit", "national policy"],
            "codes": [["barrier.budget"], ["barrier"]],
        }
    )
    evidence = recommendation_evidence(demo_study, recommendations=recs, display=display)
    segments = coded_segments(demo_study)
    segments = segments[
        (segments["coder"] == primary_coder(demo_study))
        & (segments["speaker_role"] == "participant")
        & segments["method"].isin(["interview", "focus_group"])
    ]
    budget = segments[segments["code_id"] == "barrier.budget"]
    row = evidence.iloc[0]
    assert row["n_participants"] == budget["participant_id"].nunique()
    assert row["n_sites"] == budget["site_id"].nunique()
    jd = display.set_index("code_id")
    assert row["convergence"] == jd.at["barrier.budget", "convergence"]
    assert row["survey_pct"] == pytest.approx(jd.at["barrier.budget", "survey_pct"])
    assert jd.at["barrier.budget", "survey"] in row["survey"]
    assert row["n_sources"] == 4  # every included demo source discusses budgets
    theme = segments[segments["code_id"].str.startswith("barrier.")]
    assert evidence.iloc[1]["n_participants"] == theme["participant_id"].nunique()
    codes = evidence.iloc[1]["code_ids"]  # the theme, then every code below it
    assert codes[0] == "barrier" and len(codes) == 10


def test_thin_evidence_carries_a_visible_caution(demo_study, display):
    evidence = recommendation_evidence(demo_study, display=display).set_index("rec_id")
    # the demo cites staff turnover alone for REC6: 8 people at 7 sites, under both bars
    assert (THIN_PARTICIPANTS, THIN_SITES) == (10, 3)
    assert evidence.loc["REC6", ["n_participants", "n_sites"]].tolist() == [8, 7]
    assert evidence["thin"].to_dict() == {f"REC{i}": i == 6 for i in range(1, 7)}
    assert evidence.loc[evidence["thin"], "caution"].tolist() == [
        "Caution: thin evidence: raised by 8 participants at 7 sites (a recommendation needs "
        "at least 10 participants at 3 sites)."
    ]
    assert evidence.loc["REC6", "caution"].startswith("Caution: thin evidence")
    assert (evidence.loc[~evidence["thin"], "caution"] == "").all()
    shown = recommendations_table(evidence.reset_index()).set_index("audience")
    assert shown["recommendation"].str.contains("Caution: thin evidence").sum() == 1
    # Any audience the study's file names is kept as written.
    declared = demo_study.recommendations.set_index("rec_id")["audience"]
    assert evidence["audience"].to_dict() == declared.to_dict()
    assert evidence["audience"].str.len().gt(0).all()


def test_a_recommendation_no_participant_raised_is_thin(demo_study, display):
    recs = pd.DataFrame(
        {"rec_id": ["Z"], "text": ["x"], "audience": ["Toolkit"], "codes": [["emergent"]]}
    )
    evidence = recommendation_evidence(demo_study, recommendations=recs, display=display)
    assert not evidence.at[0, "thin"]  # the emergent themes are widely raised
    codings = demo_study.codings
    uncoded = dataclasses.replace(
        demo_study, codings=codings[~codings["code_id"].str.startswith("emergent")]
    )
    evidence = recommendation_evidence(uncoded, recommendations=recs, display=display)
    assert evidence.at[0, "n_participants"] == 0 and evidence.at[0, "thin"]
    assert "raised by no participants at no site" in evidence.at[0, "caution"]


def test_bad_recommendations_table_is_refused(demo_study):
    with pytest.raises(ValueError, match="`recommendations` must be a table"):
        recommendation_evidence(demo_study, recommendations=pd.DataFrame({"x": [1]}))


# -- recommendations argued: rationale, evidence with bases, strength, priority -----------------


def test_priority_and_rationale_are_read_and_checked(tmp_path, demo_study):
    path = write(
        tmp_path,
        "recommendations:\n"
        "  - id: R1\n    text: A.\n    audience: Toolkit\n    codes: [barrier]\n"
        "    priority: High\n    rationale: Because the team judged it so.\n"
        "  - id: R2\n    text: B.\n    audience: Toolkit\n    codes: [barrier]\n"
        "    priority: urgent\n",
    )
    with pytest.raises(ValidationError) as excinfo:
        read_recommendations(path, label="recs.yml")
    (found,) = excinfo.value.problems
    assert found.where == "line 8, recommendation 2 (R2)"
    assert "`priority` must be one of ['high', 'medium', 'low'], but 'urgent'" in found.problem
    path.write_text(path.read_text().replace("urgent", "low"))
    frame = read_recommendations(path)
    assert frame[["priority", "rationale"]].to_dict("list") == {
        "priority": ["high", "low"],
        "rationale": ["Because the team judged it so.", None],
    }


def _recs(*codes, priority=None):
    return pd.DataFrame(
        {
            "rec_id": [f"R{i}" for i in range(1, len(codes) + 1)],
            "text": ["x"] * len(codes),
            "audience": ["Toolkit"] * len(codes),
            "codes": [list(c) for c in codes],
            "priority": [priority] * len(codes),
            "rationale": [None] * len(codes),
        }
    )


def test_strength_follows_the_stated_rule_and_a_weak_statistic_lowers_it(demo_study, display):
    from evstudy.recommendations import STRENGTH_RULES, strength_rules_text

    jd = display.set_index("code_id")
    # Lack of time: interviewees rank it high, the survey ranks it 2 of 9, two sources
    # discuss it, and it was raised widely: four points, strong.
    assert jd.at["barrier.capacity", "interview_tier"] == "high"
    assert (
        jd.at["barrier.capacity", "survey_rank"],
        jd.at["barrier.capacity", "survey_family_size"],
    ) == (2, 9)
    assert jd.at["barrier.capacity", "literature_n"] >= 2
    # Lack of skills: 12% of 49 chose it, ranked 7 of 9: in the bottom half of its question.
    assert (
        jd.at["barrier.skills", "survey_rank"],
        jd.at["barrier.skills", "survey_family_size"],
    ) == (7, 9)
    evidence = recommendation_evidence(
        demo_study,
        recommendations=_recs(["barrier.capacity"], ["barrier.capacity", "barrier.skills"]),
        display=display,
    ).set_index("rec_id")
    alone, both = evidence.loc["R1"], evidence.loc["R2"]
    assert [s.split(":")[0] for s in alone["support"]] == [
        "interviews",
        "survey",
        "literature",
        "breadth",
    ]
    assert alone["against"] == [] and alone["points"] == 4 and alone["strength"] == "strong"
    # Citing lack of skills too: its statistic is shown, with its base and rank, as weak,
    # and lowers the strength instead of supporting the recommendation.
    assert both["against"] == ["weak survey statistic: Lack of skills and confidence with evidence"]
    assert both["points"] == 3 and both["strength"] == "strong"
    assert (
        "Lack of skills and confidence with evidence: 12% chose it (95% CI 6% to 24%; n = 49), "
        "ranked 7 of 9 (weak: lowers the strength)"
    ) in both["survey"]
    assert (
        "Lack of time and capacity: 45% chose it (95% CI 32% to 59%; n = 49), ranked 2 of 9"
        in (both["survey"])
    )
    assert both["survey_pct"] == pytest.approx(22 / 49)  # the best-ranked cited code's share
    # No priority declared: the strength gives it, and the rationale is a marked draft.
    assert both["priority"] == "high" and not both["priority_declared"]
    assert both["rationale"].startswith("Draft: its codes were raised by ")
    assert (
        "The evidence is weaker on Lack of skills and confidence with evidence."
        in both["rationale"]
    )
    text = strength_rules_text()
    assert "strong at 3 points or more, moderate at 2, limited at 1 or fewer" in text
    assert len(STRENGTH_RULES["support"]) == 5 and len(STRENGTH_RULES["against"]) == 3


def test_the_demo_recommendations_are_argued_and_in_priority_order(demo_study, display):
    evidence = recommendation_evidence(demo_study, display=display)
    order = {"high": 0, "medium": 1, "low": 2}
    ranks = evidence["priority"].map(order).tolist()
    assert ranks == sorted(ranks)
    # The file declares five priorities and rationales; REC6 declares neither.
    declared = evidence.set_index("rec_id")["priority_declared"]
    assert declared.to_dict() == {f"REC{i}": i != 6 for i in range(1, 7)}
    rec6 = evidence.set_index("rec_id").loc["REC6"]
    assert rec6["strength"] == "limited" and rec6["priority"] == "low"  # thin: limited at most
    assert rec6["rationale"].startswith("Draft:")
    rec3 = evidence.set_index("rec_id").loc["REC3"]
    # The example: REC3 cites lack of skills, which 12% chose; it is shown as weak.
    assert "Lack of skills and confidence with evidence: 12% chose it" in rec3["survey"]
    assert "weak survey statistic: Lack of skills and confidence with evidence" in rec3["against"]
    assert rec3["strength"] == "moderate"
    # The denominators: 105 interview and focus-group participants at 9 sites.
    assert set(evidence["base_participants"]) == {105} and set(evidence["base_sites"]) == {9}
    assert (
        rec3["fieldwork"]
        == "raised by 73 of 105 interview and focus-group participants at 9 of 9 sites"
    )
    shown = recommendations_table(evidence)
    assert list(shown.columns) == [
        "priority", "recommendation", "audience", "rationale", "fieldwork", "survey",
        "literature", "convergence", "strength",
    ]  # fmt: skip
    assert shown["recommendation"].str.split(".").str[0].tolist() == evidence["rec_id"].tolist()
    assert shown["priority"].iloc[-1] == "Low (from the evidence)"
    assert shown["strength"].str.match(r"(Strong|Moderate|Limited)\. For: ").all()


def test_a_small_count_of_people_is_written_in_words(demo_study, display):
    codings = demo_study.codings
    from evstudy.coding import primary_coder

    few = codings[
        (codings["code_id"] == "barrier.turnover") & (codings["coder"] == primary_coder(demo_study))
    ]
    few = few[few["doc_id"].str.startswith("INT")]
    keep = set(few["coding_id"].head(3))  # three codings: at most three people
    study = dataclasses.replace(
        demo_study,
        codings=codings[
            (codings["code_id"] != "barrier.turnover") | codings["coding_id"].isin(keep)
        ],
    )
    evidence = recommendation_evidence(
        study, recommendations=_recs(["barrier.turnover"]), display=display
    )
    row = evidence.iloc[0]
    assert 1 <= row["n_participants"] <= 5
    assert row["fieldwork"].startswith("raised by fewer than 6 of 105 interview and focus-group")
    assert "raised by fewer than 6 participants" in row["caution"]
    assert not any(f"by {n} " in row["caution"] + row["fieldwork"] for n in range(1, 6))
