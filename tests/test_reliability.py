"""Inter-coder reliability, checked against published values and hand computations."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from evstudy.cli import main
from evstudy.reliability import alpha_from_matrix, kappa_from_table, reliability_table

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
# 4 coders x 12 units, nominal alpha = 0.743.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def test_kappa_matches_the_textbook_two_by_two_table():
    # po = 0.70, pe = 0.4*0.3 + 0.6*0.7 = 0.54, kappa = 0.16 / 0.46 = 8/23
    assert kappa_from_table([[20, 20], [10, 50]]) == pytest.approx(8 / 23, abs=1e-12)


def test_kappa_is_nan_when_undefined():
    assert math.isnan(kappa_from_table([[0, 0], [0, 50]]))  # both coders always "no"
    assert math.isnan(kappa_from_table([[0, 0], [0, 0]]))


def test_kappa_rejects_a_table_that_is_not_square():
    with pytest.raises(ValueError, match="`table` must be a square"):
        kappa_from_table([[1, 2, 3], [4, 5, 6]])


def test_alpha_matches_krippendorff_2011_nominal_example():
    assert round(alpha_from_matrix(KRIPPENDORFF_2011, "nominal"), 3) == 0.743


def test_alpha_is_nan_without_variation_and_checks_level():
    assert math.isnan(alpha_from_matrix([[1, 1, 1], [1, 1, None]]))
    with pytest.raises(ValueError, match="`level` must be one of"):
        alpha_from_matrix(KRIPPENDORFF_2011, "circular")


def _tiny_study(extra_codings: list[tuple] = ()) -> SimpleNamespace:
    """Document D1 with ten turns, double-coded by A and B; D2 coded by A alone.

    Turn k covers [10(k-1), 10(k-1)+8). Code x: A marks turns 1-4, B marks 1, 2 and 5
    (plus a span in the gap between turns 3 and 4 that overlaps neither). Code y: A marks
    turn 10, B nothing. Code z is used only on the single-coded D2.
    """
    turns = pd.DataFrame(
        [("D1", k, 10 * (k - 1), 10 * (k - 1) + 8) for k in range(1, 11)]
        + [("D2", k, 10 * (k - 1), 10 * (k - 1) + 8) for k in range(1, 4)],
        columns=["doc_id", "turn", "start", "end"],
    )
    codings = [
        ("D1", "x", "A", 0, 18),  # turns 1 and 2
        ("D1", "x", "A", 20, 38),  # turns 3 and 4
        ("D1", "x", "B", 5, 7),  # turn 1
        ("D1", "x", "B", 12, 16),  # turn 2
        ("D1", "x", "B", 28, 30),  # [28, 30): touches turn 3's end and turn 4's start only
        ("D1", "x", "B", 40, 48),  # turn 5
        ("D1", "y", "A", 92, 95),  # turn 10
        ("D2", "z", "A", 0, 5),
        *extra_codings,
    ]
    codings = pd.DataFrame(codings, columns=["doc_id", "code_id", "coder", "start", "end"])
    codebook = pd.DataFrame(
        {"code_id": ["x", "y", "z", "w"], "label": ["Ex", "Why", "Zed", "Double-u"]}
    )
    return SimpleNamespace(turns=turns, codings=codings, codebook=codebook)


def test_tiny_study_matches_hand_computation():
    table = reliability_table(_tiny_study()).set_index("code_id")
    assert list(table.index) == ["y", "x", "overall"]  # weakest first, z never double-coded

    # x: yes/yes 2, A only 2, B only 1, no/no 5 -> agreement 0.7, kappa 8/23;
    # coincidences o11=4, o10=o01=3, o00=10 -> alpha = 1 - 19*6/(2*7*13) = 34/91.
    x = table.loc["x"]
    assert (x.n_documents, x.n_units, x.n_coded_units) == (1, 10, 5)
    assert x.percent_agreement == pytest.approx(0.7)
    assert x.kappa == pytest.approx(8 / 23, abs=1e-12)
    assert x.alpha == pytest.approx(34 / 91, abs=1e-12)
    assert x.label == "Ex"
    assert x.coders == "A, B"

    # y: A alone marks one turn -> agreement 0.9, kappa 0, alpha 0.
    y = table.loc["y"]
    assert y.percent_agreement == pytest.approx(0.9)
    assert y.kappa == pytest.approx(0.0, abs=1e-12)
    assert y.alpha == pytest.approx(0.0, abs=1e-12)

    # Pooled 20 decisions: yes/yes 2, A only 3, B only 1, no/no 14 -> kappa 5/13;
    # o11=4, o10=o01=4, o00=28 -> alpha = 1 - 39*8/(2*8*32) = 25/64.
    overall = table.loc["overall"]
    assert overall.percent_agreement == pytest.approx(0.8)
    assert overall.kappa == pytest.approx(5 / 13, abs=1e-12)
    assert overall.alpha == pytest.approx(25 / 64, abs=1e-12)
    assert overall.n_coded_units == 6  # turns 1-5 and 10
    assert table.below_threshold.tolist() == [True, True, True]
    assert (
        not reliability_table(_tiny_study(), threshold=0.3)
        .set_index("code_id")
        .loc["x", "below_threshold"]
    )


def test_agreement_on_the_statistics_from_the_reference_functions():
    # The same x decisions, fed to the thin wrappers directly.
    a = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    b = np.array([1, 1, 0, 0, 1, 0, 0, 0, 0, 0])
    table = pd.crosstab(a, b).to_numpy()
    x = reliability_table(_tiny_study()).set_index("code_id").loc["x"]
    assert x.kappa == pytest.approx(kappa_from_table(table), abs=1e-12)
    assert x.alpha == pytest.approx(alpha_from_matrix([a, b]), abs=1e-12)


def test_a_code_everyone_used_everywhere_has_undefined_kappa_and_is_flagged():
    everywhere = [("D1", "w", "A", 0, 98), ("D1", "w", "B", 0, 98)]
    table = reliability_table(_tiny_study(everywhere))
    first = table.iloc[0]
    assert first.code_id == "w"
    assert math.isnan(first.kappa) and math.isnan(first.alpha)
    assert first.percent_agreement == 1.0
    assert first.below_threshold


def test_more_than_two_coders_average_the_pairwise_kappas():
    # C codes x exactly as A does: kappas AB = 8/23, AC = 1, BC = 8/23.
    c = [("D1", "x", "C", 0, 18), ("D1", "x", "C", 20, 38)]
    x = reliability_table(_tiny_study(c)).set_index("code_id").loc["x"]
    assert x.coders == "A, B, C"
    assert x.kappa == pytest.approx((8 / 23 + 1 + 8 / 23) / 3, abs=1e-12)
    assert x.alpha == pytest.approx(
        alpha_from_matrix(
            [
                [1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
                [1, 1, 0, 0, 1, 0, 0, 0, 0, 0],
                [1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
            ]
        ),
        abs=1e-12,
    )
    only_ab = reliability_table(_tiny_study(c), coders=["A", "B"]).set_index("code_id")
    assert only_ab.loc["x", "kappa"] == pytest.approx(8 / 23, abs=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"unit": "paragraph"}, "`unit` must be one of ('turn',), but 'paragraph' was passed"),
        ({"coders": ["A", "Q"]}, "`coders` must be drawn from ('A', 'B'), but 'Q' was passed"),
        ({"coders": ["A"]}, "`coders` must name at least two coders"),
        ({"threshold": 2.0}, "`threshold` must be between -1 and 1, but 2.0 was passed"),
    ],
)
def test_bad_arguments_are_refused_in_the_house_form(kwargs, message):
    with pytest.raises(ValueError) as info:
        reliability_table(_tiny_study(), **kwargs)
    assert message in str(info.value)


def test_the_demo_planted_disagreement_shows_in_the_kappa_alpha_table(demo_study, demo_truth):
    planted = demo_truth["coder_agreement"]
    table = reliability_table(demo_study)
    codes = table[table.code_id != "overall"].reset_index(drop=True)
    overall = table.iloc[-1]

    assert table.code_id.iloc[-1] == "overall"
    assert overall.n_documents == len(planted["double_coded_documents"]) == 18
    assert overall.coders == ", ".join(planted["coders"])
    assert codes.kappa.is_monotonic_increasing

    low = list(planted["low_agreement_codes"])
    lowest = codes.code_id.head(len(low) + 3).tolist()
    for code in low:
        assert code in lowest, f"{code} is not among the lowest-kappa codes {lowest}"
        row = codes.set_index("code_id").loc[code]
        assert row.below_threshold
        assert row.alpha < 0.6
    # The planted overall agreement is about 0.78: the pooled table is reliable overall.
    assert overall.kappa > 0.7 and overall.alpha > 0.7
    assert not overall.below_threshold
    assert codes.below_threshold.sum() < len(codes) / 4


def test_cli_json_rows_match_the_function(demo_processed, demo_study, capsys):
    assert main(["reliability", "--json", "--processed", str(demo_processed)]) == 0
    rows = json.loads(capsys.readouterr().out)
    expected = reliability_table(demo_study)
    assert [row["code_id"] for row in rows] == expected.code_id.tolist()
    for row, (_, want) in zip(rows, expected.iterrows(), strict=True):
        assert row["kappa"] == pytest.approx(want.kappa, abs=1e-9)
        assert row["alpha"] == pytest.approx(want.alpha, abs=1e-9)
        assert row["below_threshold"] == bool(want.below_threshold)
        assert row["n_units"] == want.n_units


def test_units_are_participants_turns_never_the_research_teams():
    """Hand count with interviewer turns: they are not units, so they cannot add agreement.

    Eight turns, [10(k-1), 10(k-1)+8): odd turns the interviewer's, even turns the
    participant's. Code x: A marks turns 1, 2, 4 and 6; B marks 2, 3, 4 and 5. Over the
    participant's turns 2, 4, 6, 8: A = 1 1 1 0, B = 1 1 0 0, so agreement 3/4, chance
    3/4*1/2 + 1/4*1/2 = 1/2 and kappa (3/4 - 1/2) / (1 - 1/2) = 1/2. Alpha: the coincidence
    matrix has o11 = 4, o10 = o01 = 1, o00 = 2 (n = 8, n1 = 5, n0 = 3), so alpha =
    1 - (2/8) / (2*5*3 / (8*7)) = 8/15. Counting all eight turns would give kappa 0.
    """
    turns = pd.DataFrame(
        [
            ("D1", k, 10 * (k - 1), 10 * (k - 1) + 8, "Interviewer" if k % 2 else "participant")
            for k in range(1, 9)
        ],
        columns=["doc_id", "turn", "start", "end", "speaker_role"],
    )
    marks = {"A": [1, 2, 4, 6], "B": [2, 3, 4, 5]}
    codings = pd.DataFrame(
        [
            ("D1", "x", coder, 10 * (k - 1) + 1, 10 * (k - 1) + 5)
            for coder, ks in marks.items()
            for k in ks
        ],
        columns=["doc_id", "code_id", "coder", "start", "end"],
    )
    study = SimpleNamespace(
        turns=turns, codings=codings, codebook=pd.DataFrame({"code_id": ["x"], "label": ["Ex"]})
    )
    row = reliability_table(study).set_index("code_id").loc["x"]
    assert row["n_units"] == 4
    assert row["n_coded_units"] == 3  # turns 2, 4 and 6
    assert row["percent_agreement"] == pytest.approx(3 / 4)
    assert row["kappa"] == pytest.approx(1 / 2)
    assert row["alpha"] == pytest.approx(8 / 15)
    # The same codings with every turn a unit: the interviewer's turns drag kappa to 0.
    everyone = SimpleNamespace(
        turns=turns.assign(speaker_role="participant"),
        codings=codings,
        codebook=study.codebook,
    )
    assert reliability_table(everyone).set_index("code_id").loc["x", "kappa"] == pytest.approx(0)


def test_weak_codes_are_those_below_the_threshold(demo_study):
    from evstudy.reliability import reliability_table, weak_codes

    table = reliability_table(demo_study).set_index("code_id").drop(index="overall")
    weak = weak_codes(demo_study)
    assert set(weak.index) == set(table.index[table["below_threshold"]])
    assert set(weak_codes(demo_study, threshold=0.95).index) >= set(weak.index)
