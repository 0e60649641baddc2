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
    assert found.fix == "use id, text, audience, codes"


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
    assert list(evidence["audience"]) == list(demo_study.recommendations["audience"])
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
    assert "raised by 0 participants at 0 sites" in evidence.at[0, "caution"]


def test_bad_recommendations_table_is_refused(demo_study):
    with pytest.raises(ValueError, match="`recommendations` must be a table"):
        recommendation_evidence(demo_study, recommendations=pd.DataFrame({"x": [1]}))
