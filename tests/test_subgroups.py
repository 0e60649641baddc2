"""Subgroup comparisons: exact tests against scipy and published values, folding, cautions."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evstudy.subgroups import compare_groups, group_likert_table, small_group_caution

SCALE = ["Not at all", "A little", "Somewhat", "A lot", "A great deal"]
VALENCE = ["negative", "negative", "neutral", "positive", "positive"]
LA_STAFF = ["senior_leader", "commissioner", "service_manager", "practitioner"]
GROUPS = {"Partner agencies": ["partner_agency"], "Local authority staff": LA_STAFF}


def build(demo_study, people: list[tuple[str, bool, int]], site: str = "S01"):
    """A study of respondents given as (role group, chose X, grid answer 0-4)."""
    ids = [f"R{i:03d}" for i in range(1, len(people) + 1)]
    respondents = pd.DataFrame(
        {
            "respondent_id": ids,
            "status": "complete",
            "n_answered": 2,
            "role_group": [p[0] for p in people],
            "organisation_type": "LA",
            "site_id": [site if i % 2 else "S02" for i in range(len(people))],
            "job_title": "x",
            "years_in_role": "1",
        }
    )
    questions = pd.DataFrame(
        {
            "question_id": ["pick", "rate"],
            "item_id": [None, "i1"],
            "question_text": ["Pick", "Rate"],
            "item_label": [None, "Item"],
            "type": ["multi", "grid"],
            "attribute": [None, None],
            "max_choices": [3, None],
            "position": [0, 1],
        }
    )
    options = pd.DataFrame(
        {
            "question_id": ["pick"] * 2 + ["rate"] * 5,
            "option": ["X", "Y", *SCALE],
            "position": [0, 1, 0, 1, 2, 3, 4],
            "code": [None] * 7,
            "valence": [None, None, *VALENCE],
        }
    )
    rows = []
    for rid, (_, chose, score) in zip(ids, people, strict=True):
        rows.append({"respondent_id": rid, "question_id": "pick", "value": "X" if chose else "Y"})
        rows.append({"respondent_id": rid, "question_id": "rate", "value": SCALE[score]})
    answers = pd.DataFrame(rows).assign(
        item_id=lambda d: np.where(d["question_id"] == "rate", "i1", None),
        position=pd.NA,
        code=None,
        other_text=None,
    )
    return dataclasses.replace(
        demo_study,
        survey_questions=questions,
        survey_options=options,
        survey_respondents=respondents,
        survey_answers=answers,
    )


@pytest.fixture(scope="module")
def tea(demo_study):
    """Fisher's tea-tasting table: 3 of 4 versus 1 of 4."""
    people = [("a", True, 4), ("a", True, 3), ("a", True, 4), ("a", False, 2)]
    people += [("b", True, 2), ("b", False, 0), ("b", False, 1), ("b", False, 3)]
    return build(demo_study, people)


def test_fisher_exact_matches_the_tea_tasting_value(tea):
    result = compare_groups(tea, "pick", option="X", min_base=1)
    assert result["test"].unique().tolist() == ["Fisher's exact test"]
    row = result.iloc[0]
    assert row["p_value"] == pytest.approx(34 / 70)  # Fisher (1935): 0.486
    assert row["p_value"] == pytest.approx(stats.fisher_exact([[3, 1], [1, 3]])[1])
    assert row["statistic"] == pytest.approx(9)  # odds ratio
    assert row["effect_size"] == pytest.approx(math.pi / 3)  # Cohen's h for 0.75 vs 0.25
    assert row["effect_measure"] == "Cohen's h"
    assert result.set_index("group")["pct"].to_dict() == {"a": 0.75, "b": 0.25}
    assert result["caution"].iloc[0] == (
        "Small groups (n = 4 and 4): treat this difference as indicative only."
    )
    assert result["shown"].all()


def test_likert_item_gets_mann_whitney_with_rank_biserial(tea):
    result = compare_groups(tea, "rate", item="i1", min_base=1)
    assert set(result["test"]) == {"Fisher's exact test", "Mann-Whitney U test"}
    mwu = result[result["test"] == "Mann-Whitney U test"].iloc[0]
    expected = stats.mannwhitneyu([5, 4, 5, 3], [3, 1, 2, 4], alternative="two-sided")
    assert mwu["statistic"] == pytest.approx(expected.statistic)
    assert mwu["p_value"] == pytest.approx(expected.pvalue)
    assert mwu["effect_size"] == pytest.approx(2 * expected.statistic / 16 - 1)
    assert mwu["effect_size"] > 0  # group a answers higher up the scale
    positive = result[result["test"] == "Fisher's exact test"].set_index("group")["n"]
    assert positive.to_dict() == {"a": 3, "b": 1}
    means = result.drop_duplicates("group").set_index("group")["mean_position"]
    assert means["a"] == pytest.approx(4.25)


def test_chi_square_for_three_groups_warns_on_small_expected_counts(demo_study):
    people = [("a", i < 6, 2) for i in range(12)]
    people += [("b", i < 2, 2) for i in range(11)]
    people += [("c", i < 9, 2) for i in range(10)]
    study = build(demo_study, people)
    result = compare_groups(study, "pick", option="X", min_base=10)
    table = np.array([[6, 6], [2, 9], [9, 1]])
    chi2, p, _, expected = stats.chi2_contingency(table)
    row = result.iloc[0]
    assert row["test"] == "chi-square test"
    assert row["statistic"] == pytest.approx(chi2) and row["p_value"] == pytest.approx(p)
    assert (expected < 5).any() and "expected counts are below 5" in row["warning"]
    v = math.sqrt(chi2 / table.sum())  # Cramér's V for a 3 x 2 table
    assert row["effect_size"] == pytest.approx(v)


def test_small_groups_fold_into_other_or_the_comparison_is_not_shown(demo_study):
    people = [("a", True, 2)] * 12 + [("b", False, 2)] * 6 + [("c", True, 2)] * 5
    study = build(demo_study, people)
    folded = compare_groups(study, "pick", option="X", min_base=10)
    assert folded["group"].tolist() == ["a", "Other"]
    assert folded.set_index("group").loc["Other", "base"] == 11
    assert "b, c" in folded["note"].iloc[0] and "base 6" not in folded["note"].iloc[0]
    hidden = compare_groups(study, "pick", option="X", min_base=12)
    assert not hidden["shown"].any()
    assert hidden["p_value"].isna().all() and hidden["n"].isna().all()
    assert "fewer than two groups" in hidden["note"].iloc[0]


def test_breakdown_by_site_is_not_shown_when_a_cell_is_small(demo_study):
    result = compare_groups(
        demo_study, "barriers", option="Lack of time and capacity", by="site_id"
    )
    assert not result["shown"].any()
    assert result[["n", "base", "pct", "p_value"]].isna().all().all()


def test_site_breakdown_with_large_cells_is_shown(demo_study):
    people = [("a", i % 2 == 0, 2) for i in range(24)]
    study = build(demo_study, people)
    result = compare_groups(study, "pick", option="X", by="site_id", min_base=10)
    assert result["shown"].all() and len(result) == 2


def test_partner_agencies_rate_research_higher_than_la_staff(demo_study, demo_truth):
    truth = demo_truth["research_evidence_rating"]
    result = compare_groups(demo_study, truth["question"], item=truth["item"], groups=GROUPS)
    assert result["shown"].all()
    means = result.drop_duplicates("group").set_index("group")["mean_position"]
    assert means["Partner agencies"] > means["Local authority staff"]
    assert means["Partner agencies"] == pytest.approx(truth["partner_agency_mean"], abs=0.15)
    assert means["Local authority staff"] == pytest.approx(truth["la_staff_mean"], abs=0.15)
    mwu = result[result["test"] == "Mann-Whitney U test"].iloc[0]
    assert mwu["p_value"] < 0.05 and mwu["effect_size"] > 0.3
    assert "indicative only" in mwu["caution"]  # 20 and 29 answered


def test_arguments_are_validated(tea):
    with pytest.raises(ValueError, match="`option` must be one of"):
        compare_groups(tea, "pick", option="W")
    with pytest.raises(ValueError, match="`item` must be one of"):
        compare_groups(tea, "rate", item="nope")
    with pytest.raises(ValueError, match="two groups"):
        compare_groups(tea, "pick", option="X", groups={"one": ["a"], "two": ["a"]})


def test_caution_only_for_small_groups():
    assert small_group_caution([30, 45]) is None
    assert small_group_caution([12, 9, 40]) == (
        "Small groups (n = 12, 9 and 40): treat this difference as indicative only."
    )


def test_a_declared_comparison_runs_its_question_item_and_groups(demo_study):
    from evstudy.subgroups import compare_declared, comparison_subject, group_sets

    (analysis,) = [a for a in demo_study.analyses if a["type"] == "group_comparison"]
    result = compare_declared(demo_study, analysis)
    direct = compare_groups(
        demo_study, analysis["question"], item=analysis["item"], groups=analysis["groups"]
    )
    pd.testing.assert_frame_equal(result, direct)
    assert list(result["group"].drop_duplicates()) == list(analysis["groups"])
    assert group_sets(demo_study) == [analysis["groups"]]
    items = demo_study.survey_questions.set_index(["question_id", "item_id"])["item_label"]
    label = items[(analysis["question"], analysis["item"])]
    # the item's positive scale points, as they read mid-sentence
    assert comparison_subject(demo_study, analysis) == f"*{label}*: a lot or a great deal for"


def test_groups_take_role_group_labels_as_ids(demo_study, demo_truth):
    truth = demo_truth["research_evidence_rating"]
    labels = demo_study.role_group_labels
    by_label = {group: [labels[g].upper() for g in members] for group, members in GROUPS.items()}
    result = compare_groups(demo_study, truth["question"], item=truth["item"], groups=by_label)
    expected = compare_groups(demo_study, truth["question"], item=truth["item"], groups=GROUPS)
    assert result.equals(expected)
    table, _ = group_likert_table(demo_study, truth["question"], groups=by_label)
    assert table.equals(group_likert_table(demo_study, truth["question"], groups=GROUPS)[0])
    with pytest.raises(
        ValueError,
        match=r"^`groups` must be one of the study's 6 role groups .*"
        r"did you mean 'Partner agency' \(partner_agency\)\?",
    ):
        compare_groups(
            demo_study,
            truth["question"],
            item=truth["item"],
            groups={"a": ["Partner agncy"], "b": LA_STAFF},
        )
