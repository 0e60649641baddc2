"""Survey tables: bases, Wilson intervals, Likert summaries, awareness and use, coded free text."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from scipy.stats import binomtest

from evstudy.disclosure import DisclosureError
from evstudy.survey import (
    answered,
    awareness_summary,
    awareness_table,
    choice_table,
    completion_by_question,
    free_text_codes,
    likert_summary,
    likert_table,
    respondent_profile,
    response_status,
)

SCALE = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]
VALENCE = ["negative", "negative", "neutral", "positive", "positive"]


def mini_study(demo_study):
    """Ten respondents, one tick-up-to-3 question and a one-row agreement grid."""
    ids = [f"R{i:03d}" for i in range(1, 11)]
    respondents = pd.DataFrame(
        {
            "respondent_id": ids,
            "status": ["complete"] * 8 + ["partial"] * 2,
            "n_answered": [2] * 8 + [1, 0],
            "role_group": ["a"] * 6 + ["b"] * 4,
            "organisation_type": ["LA"] * 10,
            "site_id": ["S01"] * 5 + ["S02"] * 5,
            "job_title": ["x"] * 10,
            "years_in_role": ["1"] * 10,
        }
    )
    questions = pd.DataFrame(
        {
            "question_id": ["pick", "agree"],
            "item_id": [None, "i1"],
            "question_text": ["Pick up to three", "Agree?"],
            "item_label": [None, "Item one"],
            "type": ["multi", "grid"],
            "attribute": [None, None],
            "max_choices": [3, None],
            "position": [0, 1],
        }
    )
    options = pd.DataFrame(
        {
            "question_id": ["pick"] * 3 + ["agree"] * 5,
            "option": ["X", "Y", "Z", *SCALE],
            "position": [0, 1, 2, 0, 1, 2, 3, 4],
            "code": ["c.x", "c.y", "c.z"] + [None] * 5,
            "valence": [None] * 3 + VALENCE,
        }
    )
    picks = [("R001", "X"), ("R001", "Y"), ("R002", "X"), ("R003", "X"), ("R003", "Other")]
    picks += [("R004", "Y")]
    grid = dict(zip(ids[:8], [0, 1, 2, 3, 3, 4, 4, 4], strict=True))
    rows = [
        {"respondent_id": r, "question_id": "pick", "item_id": None, "value": v} for r, v in picks
    ]
    rows += [
        {"respondent_id": r, "question_id": "agree", "item_id": "i1", "value": SCALE[p]}
        for r, p in grid.items()
    ]
    answers = pd.DataFrame(rows).assign(position=pd.NA, code=None, other_text=None)
    return dataclasses.replace(
        demo_study,
        survey_questions=questions,
        survey_options=options,
        survey_respondents=respondents,
        survey_answers=answers,
    )


@pytest.fixture(scope="module")
def mini(demo_study):
    return mini_study(demo_study)


def test_choice_table_counts_against_respondents_who_answered(mini):
    table = choice_table(mini, "pick").set_index("option")
    assert table["n"].to_dict() == {"X": 3, "Y": 2, "Other": 1, "Z": 0}
    # A tick-all question: R001-R004 ticked; R005-R008 are complete and ticked nothing,
    # which is an answer too; the partial R009 and R010 are not in the base.
    assert set(table["base"]) == {8}
    assert table.loc["X", "pct"] == pytest.approx(3 / 8)
    assert list(table.index) == ["X", "Y", "Other", "Z"]  # a ranking
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert table.loc["X", "code"] == "c.x"


def test_choice_table_intervals_are_scipy_wilson(mini):
    table = choice_table(mini, "pick").set_index("option")
    expected = binomtest(3, 8).proportion_ci(method="wilson")
    assert table.loc["X", "ci_low"] == pytest.approx(expected.low)
    assert table.loc["X", "ci_high"] == pytest.approx(expected.high)
    zero = binomtest(0, 8).proportion_ci(method="wilson")
    assert table.loc["Z", "ci_high"] == pytest.approx(zero.high)


def test_choice_table_by_group_uses_the_group_base(mini):
    table = choice_table(mini, "pick", by="role_group")
    assert list(table.columns[:2]) == ["role_group", "option"]
    a = table[table["role_group"] == "a"].set_index("option")
    assert set(a["base"]) == {6} and a.loc["X", "n"] == 3  # R001-R006, all complete
    b = table[table["role_group"] == "b"].set_index("option")
    assert set(b["base"]) == {2} and set(b["n"]) == {0}  # R007, R008 complete, no ticks


def test_likert_summary_positive_negative_median(mini):
    summary = likert_summary(mini, "agree").iloc[0]
    assert summary["base"] == 8
    assert summary["pct_positive"] == pytest.approx(5 / 8)
    assert summary["pct_neutral"] == pytest.approx(1 / 8)
    assert summary["pct_negative"] == pytest.approx(2 / 8)
    assert summary["median_category"] == "Agree"
    assert summary["mean_position"] == pytest.approx((1 + 2 + 3 + 4 + 4 + 5 + 5 + 5) / 8)


def test_likert_median_is_the_category_holding_the_middle_answer(mini):
    answers = mini.survey_answers
    grid = answers["question_id"] == "agree"
    # 1, 1, 1, 5, 5 : the middle answer is in the first category, though the mean is 2.6
    skew = answers[~grid | answers["respondent_id"].isin(["R001", "R002", "R003", "R004", "R005"])]
    skew = skew.copy()
    values = dict(zip(["R001", "R002", "R003", "R004", "R005"], [0, 0, 0, 4, 4], strict=True))
    mask = skew["question_id"] == "agree"
    skew.loc[mask, "value"] = [SCALE[values[r]] for r in skew.loc[mask, "respondent_id"]]
    summary = likert_summary(dataclasses.replace(mini, survey_answers=skew), "agree").iloc[0]
    assert summary["median_category"] == "Strongly disagree"
    assert summary["mean_position"] == pytest.approx(2.6)


def test_likert_table_is_complete_and_in_scale_order(mini):
    table = likert_table(mini, "agree")
    assert table["category"].tolist() == SCALE
    assert table["position"].tolist() == [1, 2, 3, 4, 5]
    assert table["n"].tolist() == [1, 1, 1, 2, 3]
    assert table["pct"].sum() == pytest.approx(1)


def test_wrong_question_type_is_refused(mini):
    with pytest.raises(ValueError, match="`question` must be one of \\['pick'\\]"):
        choice_table(mini, "agree")
    with pytest.raises(ValueError, match="`by` must be one of"):
        choice_table(mini, "pick", by="shoe_size")


def test_response_status_and_completion_on_the_demo(demo_study):
    status = response_status(demo_study).set_index("status")
    assert status["n"].to_dict() == {"complete": 46, "partial": 6}
    assert status["n"].sum() == 52
    completion = completion_by_question(demo_study).set_index("question_id")
    assert completion.loc["role", "pct_answered"] == 1
    assert completion.loc["comments", "n_answered"] == 25
    assert (completion["n_respondents"] == 52).all()
    assert completion["pct_answered"].between(0, 1).all()


def test_top_three_barriers_and_enablers_match_the_planted_truth(demo_study, demo_truth):
    for question, key in (("barriers", "top_barriers"), ("enablers", "top_enablers")):
        table = choice_table(demo_study, question)
        assert table["code"].head(3).tolist() == demo_truth[key]
        planted = demo_truth[key.replace("top_", "").rstrip("s") + "_counts"]["survey_choices"]
        assert table.set_index("code")["n"].head(3).to_dict() == {
            code: planted[code] for code in demo_truth[key]
        }


def test_dissonant_item_tops_the_influence_summary(demo_study, demo_truth):
    summary = likert_summary(demo_study, "influences")
    dissonant = demo_truth["dissonant_theme"]["survey_item"]
    assert summary["item_id"].iloc[0] == dissonant
    mean = summary.set_index("item_id")["mean_position"]
    assert mean[dissonant] == pytest.approx(demo_truth["dissonant_theme"]["survey_mean"], abs=0.01)
    assert summary["pct_positive"].is_monotonic_decreasing


def test_breakdown_by_site_is_refused_when_a_cell_is_small(demo_study):
    with pytest.raises(DisclosureError, match="site_id"):
        choice_table(demo_study, "barriers", by="site_id")
    with pytest.raises(DisclosureError):
        likert_table(demo_study, "influences", by="region")


def test_profile_suppresses_small_role_groups(demo_study):
    profile = respondent_profile(demo_study).set_index("role_group")
    counts = demo_study.survey_respondents["role_group"].value_counts()
    small = counts[counts <= 5].index
    assert profile.loc[small, "suppressed"].all()
    assert profile.loc[small, "n"].isna().all()
    shown = profile[~profile["suppressed"]]
    assert (shown["n"] > 5).all()
    assert profile["suppressed"].sum() != 1  # never a lone "c" against the total
    raw = respondent_profile(demo_study, suppress=False).set_index("role_group")
    assert raw["n"].sum() == 52


def test_two_way_profile_never_shows_small_counts(demo_study):
    profile = respondent_profile(demo_study, by=["role_group", "site_id"])
    shown = profile.loc[~profile["suppressed"], "n"]
    assert not shown.between(1, 5).any()
    assert (profile.loc[profile["suppressed"], "n"].isna()).all()


def test_awareness_as_declared_aware_and_used(demo_study):
    table = awareness_table(demo_study, "toolkits")
    assert list(table.columns) == [
        "item_id", "item_label", "category", "position", "n", "base", "pct",
    ]  # fmt: skip
    summary = awareness_summary(demo_study, "toolkits").set_index("item_id")
    nice = table[table["item_id"] == "nice"].set_index("category")["n"]
    base = nice.sum()
    assert summary.loc["nice", "aware"] == pytest.approx(1 - nice["Not aware"] / base)
    used = nice["Used occasionally"] + nice["Used regularly"]
    assert summary.loc["nice", "used"] == pytest.approx(used / base)
    assert summary["used"].is_monotonic_decreasing
    # Passed scale points override the declaration: "used" as regular use only.
    regular = awareness_summary(
        demo_study, "toolkits", not_aware="Not aware", used=["Used regularly"]
    ).set_index("item_id")
    assert regular.loc["nice", "used"] == pytest.approx(nice["Used regularly"] / base)


def test_awareness_needs_a_declaration_or_the_scale_points(demo_study):
    plain = dataclasses.replace(
        demo_study, ingest_report={**demo_study.ingest_report, "analyses": []}
    )
    with pytest.raises(ValueError, match="awareness_use analysis for 'toolkits'"):
        awareness_summary(plain, "toolkits")
    with pytest.raises(ValueError, match=r"`used` must be one of \['Not aware'"):
        awareness_summary(plain, "toolkits", not_aware="Not aware", used=["Often"])
    with pytest.raises(ValueError, match="`question` must be one of"):
        awareness_summary(demo_study, "barriers")


def test_free_text_codes_count_the_survey_codings(demo_study):
    codes = free_text_codes(demo_study, "comments")
    docs = demo_study.documents
    survey_docs = docs.loc[docs["method"] == "survey", "doc_id"]
    codings = demo_study.codings[demo_study.codings["doc_id"].isin(survey_docs)]
    assert codes["n_codings"].sum() == len(codings)
    assert (codes["n_respondents"] <= codes["base"]).all()
    assert codes["base"].iloc[0] == 25
    assert codes["n_respondents"].is_monotonic_decreasing
    assert codes["label"].notna().all()


def test_free_text_base_counts_who_answered_even_with_nothing_coded(demo_study):
    """The independent study's page said "0 respondents left a comment" when 23 had: the
    count came from the coded comments, and none were coded. The base is who answered."""
    docs = demo_study.documents
    survey_docs = set(docs.loc[docs["method"] == "survey", "doc_id"])
    uncoded = dataclasses.replace(
        demo_study, codings=demo_study.codings[~demo_study.codings["doc_id"].isin(survey_docs)]
    )
    codes = free_text_codes(uncoded, "comments")
    assert codes.empty and codes.attrs["base"] == 25
    assert answered(uncoded, "comments") == 25
    with pytest.raises(ValueError, match="`question` must be one of"):
        answered(uncoded, "no_such_question")


def test_a_role_group_the_declared_comparison_leaves_out_is_named_on_the_page(demo_study):
    from evstudy.survey import question_blocks

    comparison = {
        "type": "group_comparison",
        "rq": "1",
        "title": None,
        "question": "influences",
        "item": "research",
        "groups": {
            "Leaders and managers": ["senior_leader", "commissioner", "service_manager"],
            "Partner agencies": ["partner_agency"],
        },
    }
    narrower = dataclasses.replace(
        demo_study, ingest_report={**demo_study.ingest_report, "analyses": [comparison]}
    )
    text = " ".join(getattr(b, "data", "") or "" for b in question_blocks(narrower, {}))
    assert "Respondents in no compared group are left out: Practitioner or practice lead." in text
    # the demo's own groups cover every role group that responded: no such line
    text = " ".join(getattr(b, "data", "") or "" for b in question_blocks(demo_study, {}))
    assert "no compared group" not in text


# --- ties are named as ties (issue 20: "'The least used was…' ignores a tie") ------------------


def test_a_tie_for_the_most_chosen_answer_names_every_tied_answer(mini):
    from evstudy.survey import summary_text

    answers = mini.survey_answers
    extra = pd.DataFrame(
        [{"respondent_id": "R005", "question_id": "pick", "item_id": None, "value": "Y"}]
    ).assign(position=pd.NA, code=None, other_text=None)
    tied = dataclasses.replace(mini, survey_answers=pd.concat([answers, extra], ignore_index=True))
    # X: R001-R003, Y: R001, R004, R005 -> 3 of 8 each (38%)
    assert summary_text(tied, "pick") == (
        "The answers chosen most often, tied, were *X* and *Y* (each 38% of 8 respondents)."
    )
    assert summary_text(mini, "pick").startswith("The answer chosen most often was *X* (38% of 8")


def test_a_tie_at_either_end_of_a_grid_names_both_items(mini):
    from evstudy.survey import summary_text

    questions = pd.concat(
        [
            mini.survey_questions,
            pd.DataFrame(
                [{**mini.survey_questions.iloc[1].to_dict(), "item_id": "i2", "item_label": "Two"}]
            ),
        ],
        ignore_index=True,
    )
    grid = mini.survey_answers[mini.survey_answers["question_id"] == "agree"]
    # item two gets the same answers as item one, and a third item fewer positive ones
    two = grid.assign(item_id="i2")
    three = grid.assign(item_id="i3", value=SCALE[0])
    questions = pd.concat(
        [
            questions,
            pd.DataFrame(
                [
                    {
                        **mini.survey_questions.iloc[1].to_dict(),
                        "item_id": "i3",
                        "item_label": "Three",
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    study = dataclasses.replace(
        mini,
        survey_questions=questions,
        survey_answers=pd.concat([mini.survey_answers, two, three], ignore_index=True),
    )
    assert summary_text(study, "agree") == (
        "*Item one* and *Two* tied for the most answers of agree or strongly agree (each 62%); "
        "*Three* the fewest (0%)."
    )


def test_the_least_used_resource_names_a_tie(demo_study):
    from evstudy.survey import summary_text

    table = awareness_summary(demo_study, "toolkits")
    least = table[table["used"].round(12) == table["used"].round(12).min()]
    text = summary_text(demo_study, "toolkits")
    if len(least) > 1:  # the demo has one: two resources each used by 14 of 48
        labels = [f"*{x}*" for x in least["item_label"]]
        assert f"The least used, tied, were {', '.join(labels[:-1])} and {labels[-1]}" in text
    else:
        assert f"The least used was *{least['item_label'].iloc[0]}*" in text
    assert len(least) == 2
