"""Code saturation (Guest, Namey & Chen 2020) on hand-made code sets with known answers."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pandas as pd
import pytest

from evstudy.cli import main
from evstudy.saturation import (
    saturation_curve,
    saturation_summary,
    saturation_table,
    saturation_text,
)

BASE_CODES = [f"c{i:02d}" for i in range(1, 21)]  # B = 20, so one new code is exactly 0.05


def _study(code_sets: list[set[str]], *, extra: list[tuple] = ()) -> SimpleNamespace:
    """Interviews D1..Dn coded by A, listed out of order; D3/D4 share a date (doc_id breaks it)."""
    n = len(code_sets)
    dates = [dt.date(2024, 1, 1) + dt.timedelta(days=k) for k in range(n)]
    dates[3] = dates[2]
    documents = pd.DataFrame(
        {
            "doc_id": [*(f"D{k + 1}" for k in range(n)), "D99"],
            "method": ["interview"] * (n + 1),
            "date": [*dates, dt.date(2024, 1, 2)],  # D99 is never coded, so it takes no part
        }
    ).iloc[::-1]
    codings = pd.DataFrame(
        [(f"D{k + 1}", code, "A") for k, codes in enumerate(code_sets) for code in sorted(codes)]
        + list(extra),
        columns=["doc_id", "code_id", "coder"],
    )
    return SimpleNamespace(documents=documents, codings=codings)


# Base: D1-D4 hold c01..c20 (B = 20). Window 5-6 brings n1, n2 (2/20 = 0.10 > 0.05);
# window 6-7 brings only n3 (1/20 = 0.05, exactly t: saturated) -> "5+2".
AT_FIVE = [
    set(BASE_CODES[0:5]),
    set(BASE_CODES[5:10]),
    set(BASE_CODES[10:15]),
    set(BASE_CODES[15:20]),
    {"n1", "n2", "c01"},
    {"c02"},
    {"n3", "c03"},
    {"c04"},
]
# Every document brings two new codes: never saturates.
NEVER = [set(BASE_CODES[k * 5 : k * 5 + 5]) for k in range(4)] + [
    {f"m{k}a", f"m{k}b"} for k in range(4)
]


def test_hand_made_study_saturates_at_five_plus_two():
    result = saturation_table(_study(AT_FIVE), method="interview")
    assert result[["window_start", "window_end", "n_before"]].values.tolist() == [
        [5, 6, 4],
        [6, 7, 5],
        [7, 8, 6],
    ]
    assert result.base_codes.tolist() == [20, 20, 20]
    assert result.new_codes.tolist() == [2, 1, 1]
    assert result.new_ratio.tolist() == pytest.approx([0.10, 0.05, 0.05])
    assert result.new_code_ids.tolist() == ["n1, n2", "n3", "n3"]
    assert result.saturated.tolist() == [False, True, True]
    assert result.first_saturation.tolist() == [False, True, False]
    assert (result.n_documents == 8).all()  # D99 was never coded

    summary = saturation_summary(result)["interview"]
    assert summary["saturation"] == "5+2"
    assert (summary["B"], summary["documents"], summary["base"], summary["run"]) == (20, 8, 4, 2)
    assert len(summary["windows"]) == 3


def test_exactly_the_threshold_counts_as_saturated_and_just_below_does_not():
    assert (
        saturation_summary(saturation_table(_study(AT_FIVE), method="interview", threshold=0.05))[
            "interview"
        ]["saturation"]
        == "5+2"
    )
    below = saturation_table(_study(AT_FIVE), method="interview", threshold=0.0499)
    assert not below.saturated.any()
    assert saturation_summary(below)["interview"]["saturation"] is None


def test_a_study_that_never_saturates_reports_none():
    result = saturation_table(_study(NEVER), method="interview")
    assert result.new_codes.tolist() == [4, 4, 4]
    assert not result.saturated.any()
    assert saturation_summary(result)["interview"]["saturation"] is None


def test_n_is_the_documents_before_the_window():
    # Nothing new right after the base: the first window (documents 5-6, N = 4) saturates.
    sets = [set(BASE_CODES[k * 5 : k * 5 + 5]) for k in range(4)] + [{"c01"}, {"c02"}]
    result = saturation_table(_study(sets), method="interview")
    assert result[["window_start", "window_end", "n_before"]].values.tolist() == [[5, 6, 4]]
    assert saturation_summary(result)["interview"]["saturation"] == "4+2"
    # With run 3 and base 3 the first window is documents 4-6 and N = 3.
    result = saturation_table(_study(sets), method="interview", base=3, run=3)
    assert result[["window_start", "window_end", "n_before"]].values.tolist() == [[4, 6, 3]]
    assert result.base_codes.tolist() == [15]


def test_interview_order_is_date_then_doc_id():
    # D3 and D4 share a date; reversing the frame must not change the order (doc_id breaks it).
    curve = saturation_curve(_study(AT_FIVE), method="interview")
    assert curve.doc_id.tolist() == [f"D{k}" for k in range(1, 9)]
    assert curve.order.tolist() == list(range(1, 9))
    assert curve.new_codes.tolist() == [5, 5, 5, 5, 2, 0, 1, 0]
    assert curve.cumulative_codes.tolist() == [5, 10, 15, 20, 22, 22, 23, 23]


def test_the_primary_coder_is_used_so_double_coding_adds_no_novelty():
    # B double-codes D5-D7 with codes A never used; A coded more documents, so A is used.
    extra = [("D5", "b1", "B"), ("D6", "b2", "B"), ("D7", "b3", "B")]
    result = saturation_table(_study(AT_FIVE, extra=extra), method="interview")
    assert saturation_summary(result)["interview"]["saturation"] == "5+2"
    assert result.new_codes.tolist() == [2, 1, 1]
    with pytest.warns(UserWarning, match="interview has 3 coded documents"):
        only_b = saturation_table(_study(AT_FIVE, extra=extra), method="interview", coder="B")
    assert only_b.empty


def test_methods_with_too_few_documents_are_skipped_with_a_warning():
    with pytest.warns(UserWarning) as record:
        result = saturation_table(_study(AT_FIVE))
    messages = sorted(str(w.message) for w in record)
    assert len(messages) == 2
    assert "expert_interview has 0 coded documents" in messages[0]
    assert "focus_group has 0 coded documents" in messages[1]
    assert result.method.unique().tolist() == ["interview"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base": 0}, "`base` must be an integer >= 1, but 0 was passed"),
        ({"run": 0}, "`run` must be an integer >= 1, but 0 was passed"),
        ({"threshold": 1.5}, "`threshold` must be between 0 and 1, but 1.5 was passed"),
        ({"threshold": -0.1}, "`threshold` must be between 0 and 1, but -0.1 was passed"),
        (
            {"method": "survey"},
            "`method` must be one of the study's 3 methods (interview Interview, "
            "expert_interview Expert interview, focus_group Focus group), but 'survey' was passed",
        ),
        ({"method": "Focus grup"}, "was passed; did you mean 'Focus group' (focus_group)?"),
        ({"coder": "ZZ"}, "`coder` must be one of the study's 2 coders (A, primary), but 'ZZ'"),
    ],
)
def test_bad_arguments_are_refused_in_the_house_form(kwargs, message):
    with pytest.raises(ValueError) as info:
        saturation_table(_study(AT_FIVE), **kwargs)
    assert message in str(info.value)


def test_demo_interviews_reach_saturation(demo_study):
    result = saturation_table(demo_study, method="interview")
    summary = saturation_summary(result)["interview"]
    n_interviews = int((demo_study.documents.method == "interview").sum())
    assert summary["documents"] == n_interviews > 6
    assert summary["B"] > 0
    assert summary["saturation"] is not None
    n, r = (int(part) for part in summary["saturation"].split("+"))
    assert r == 2 and 4 <= n <= n_interviews - 2

    curve = saturation_curve(demo_study, method="interview")
    assert curve.cumulative_codes.is_monotonic_increasing
    primary = demo_study.codings.groupby("coder").doc_id.nunique().idxmax()
    used = demo_study.codings[
        (demo_study.codings.coder == primary) & demo_study.codings.doc_id.isin(curve.doc_id)
    ].code_id.nunique()
    assert curve.cumulative_codes.iloc[-1] == used == curve.new_codes.sum()


def test_cli_json_summary_matches_the_function(demo_processed, demo_study, capsys):
    assert main(["saturation", "--json", "--processed", str(demo_processed)]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = saturation_summary(saturation_table(demo_study))
    assert set(printed) == {"interview", "expert_interview", "focus_group"}
    for method, want in expected.items():
        assert printed[method]["saturation"] == want["saturation"]
        assert printed[method]["B"] == want["B"]
        assert len(printed[method]["windows"]) == len(want["windows"])


# --- the words agree with the curve (issue 20 §4) ----------------------------------------------


def test_a_curve_still_rising_in_its_last_window_has_not_saturated():
    # AT_FIVE meets the threshold at 5+2, but document 7 (in the last window, 7-8) brings n3.
    summary = saturation_summary(saturation_table(_study(AT_FIVE), method="interview"))
    assert summary["interview"]["saturation"] == "5+2"
    assert (summary["interview"]["last_new"], summary["interview"]["status"]) == (
        1,
        "not saturated",
    )
    assert saturation_text(summary) == (
        "One-to-one interviews have not saturated: a run first met the 5% threshold at 5+2, "
        "but new codes kept appearing to the end, and the last run of 2 of their 8 documents "
        "added 1 new code."
    )


def test_a_curve_flat_at_its_end_has_saturated():
    # Two more documents with nothing new: the last window (9-10) adds no code.
    summary = saturation_summary(
        saturation_table(_study([*AT_FIVE, {"c05"}, {"c06"}]), method="interview")
    )
    assert (summary["interview"]["last_new"], summary["interview"]["status"]) == (0, "saturated")
    assert saturation_text(summary) == (
        "One-to-one interviews saturated at 5+2: from there to the last of their 10 documents, "
        "the last run of 2 added no new code."
    )


def test_a_curve_that_never_meets_the_threshold_says_so():
    summary = saturation_summary(saturation_table(_study(NEVER), method="interview"))
    assert summary["interview"]["status"] == "not saturated"
    assert saturation_text(summary) == (
        "One-to-one interviews have not saturated: no run of 2 documents added 5% or fewer new "
        "codes, and the last run added 4 (of 8 documents)."
    )
    assert saturation_text({}) == ""


def test_the_demo_expert_interviews_are_not_called_saturated(demo_study):
    # The expert curve meets the threshold early but climbs to its last document.
    summary = saturation_summary(saturation_table(demo_study))
    curve = saturation_curve(demo_study, method="expert_interview")
    assert curve["new_codes"].iloc[-2:].sum() > 0
    assert summary["expert_interview"]["status"] == "not saturated"
    text = saturation_text(summary)
    assert "Expert interviews have not saturated" in text
    assert "Expert interviews saturated" not in text
