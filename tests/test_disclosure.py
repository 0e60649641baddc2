"""Disclosure control: primary and secondary suppression, recovery checks, minimum bases."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from evstudy.disclosure import (
    MARKER,
    OTHER,
    TOTAL,
    apply_min_base,
    methods_text,
    recovery_intervals,
    suppress_percentages,
    suppress_table,
    suppression_mask,
    thresholds,
    wilson,
)

# Primary suppression hides only x/B (2), leaving it alone in row x and column B.
HAND = pd.DataFrame(
    {"A": [8, 6, 7], "B": [2, 9, 8], "C": [7, 10, 6]}, index=pd.Index(["x", "y", "z"], name="row")
)


def _constraints(counts: pd.DataFrame, mask: pd.DataFrame):
    """Rows of (cells, total) that a reader of the published table can write down."""
    inner = mask.loc[list(counts.index), list(counts.columns)]
    lines = [([(r, c) for c in counts.columns], counts.loc[r].sum()) for r in counts.index]
    lines += [([(r, c) for r in counts.index], counts[c].sum()) for c in counts.columns]
    hidden = [(r, c) for r in counts.index for c in counts.columns if inner.loc[r, c]]
    return lines, hidden


def test_primary_suppression_leaves_a_lone_c_so_secondary_suppression_kicks_in():
    mask = suppression_mask(HAND, threshold=5)
    primary = {("x", "B")}
    hidden = {(r, c) for r in mask.index for c in mask.columns if mask.loc[r, c]}
    assert primary < hidden  # more than the primary cell is hidden
    # the next-smallest cell of row x (7, in C) and of column B (8, in z) protect x/B
    assert hidden == {("x", "B"), ("x", "C"), ("z", "B"), ("z", "C")}


def test_no_suppressed_cell_is_alone_in_its_row_or_column():
    mask = suppression_mask(HAND, threshold=5)
    for r, c in itertools.product(mask.index, mask.columns):
        if mask.loc[r, c]:
            assert mask.loc[r].sum() >= 2, f"{r}/{c} is the only c in its row"
            assert mask[c].sum() >= 2, f"{r}/{c} is the only c in its column"


def test_brute_force_every_suppressed_value_is_undetermined_by_the_totals():
    mask = suppression_mask(HAND, threshold=5)
    lines, hidden = _constraints(HAND, mask)
    top = int(HAND.to_numpy().sum())
    # every assignment of 1..row-total to the hidden cells consistent with all totals
    ranges = [range(1, int(HAND.loc[r].sum()) + 1) for r, _ in hidden]
    grid = np.array(np.meshgrid(*ranges, indexing="ij")).reshape(len(hidden), -1)
    ok = np.ones(grid.shape[1], dtype=bool)
    for cells, total in lines:
        known = sum(HAND.loc[r, c] for r, c in cells if (r, c) not in hidden)
        rows = [hidden.index(cell) for cell in cells if cell in hidden]
        ok &= grid[rows].sum(axis=0) + known == total
    solutions = grid[:, ok]
    assert solutions.shape[1] > 1 and top > 0
    for k, cell in enumerate(hidden):
        values = set(solutions[k])
        assert HAND.loc[cell] in values
        assert len(values) > 1, f"{cell} can be recovered from the totals"


def test_linear_programming_catches_a_cell_the_line_rule_misses():
    # Two blocks of small cells joined by one more small cell (r2/c3): every row and
    # column holds at least two "c", yet r2/c3 follows from the totals.
    small = {("r1", "c1"): 2, ("r1", "c2"): 3, ("r2", "c1"): 4, ("r2", "c2"): 2}
    small |= {("r3", "c3"): 3, ("r3", "c4"): 2, ("r4", "c3"): 5, ("r4", "c4"): 4}
    small |= {("r2", "c3"): 3}
    rows, cols = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    counts = pd.DataFrame(20, index=rows, columns=cols)
    counts[:] = [[20 + 3 * i + j for j in range(4)] for i in range(4)]
    for (r, c), v in small.items():
        counts.loc[r, c] = v
    mask = suppression_mask(counts, threshold=5)
    inner = mask.loc[rows, cols]
    assert inner.to_numpy().sum() > len(small)  # something beyond the primary cells
    found = recovery_intervals(counts, mask)
    assert not found["determined"].any()
    # Independent check by linear algebra: a hidden cell is fixed by the totals exactly
    # when its unit vector lies in the row space of the constraint matrix.
    table = suppress_table(counts, threshold=5)
    hidden = [(r, c) for r in table.index for c in table.columns if table.loc[r, c] == MARKER]
    equations = []
    for r in [*rows, TOTAL]:
        equations.append([1 if h[0] == r and h[1] != TOTAL else 0 for h in hidden])
        equations[-1] = [
            v - (1 if h == (r, TOTAL) else 0) for v, h in zip(equations[-1], hidden, strict=True)
        ]
    for c in [*cols, TOTAL]:
        equations.append(
            [
                (1 if h[1] == c and h[0] != TOTAL else 0) - (1 if h == (TOTAL, c) else 0)
                for h in hidden
            ]
        )
    a = np.array(equations, dtype=float)
    for k, cell in enumerate(hidden):
        unit = np.zeros(len(hidden))
        unit[k] = 1
        assert np.linalg.matrix_rank(np.vstack([a, unit])) > np.linalg.matrix_rank(a), cell


def test_line_rule_alone_would_have_left_the_bridge_exposed():
    counts = pd.DataFrame(
        [[2, 3, 30, 31], [4, 2, 3, 33], [34, 35, 3, 2], [37, 38, 5, 4]],
        index=["r1", "r2", "r3", "r4"],
        columns=["c1", "c2", "c3", "c4"],
    )
    primary = (counts >= 1) & (counts <= 5)
    primary_mask = primary.reindex(
        index=[*counts.index, TOTAL], columns=[*counts.columns, TOTAL], fill_value=False
    )
    exposed = recovery_intervals(counts, primary_mask)
    assert exposed.loc[exposed["determined"], ["row", "column"]].values.tolist() == [["r2", "c3"]]


def test_zeros_stay_zero_and_small_totals_are_suppressed():
    counts = pd.DataFrame({"A": [0, 3], "B": [0, 12], "C": [0, 9]}, index=["p", "q"])
    table = suppress_table(counts, threshold=5)
    assert (table.loc["p", ["A", "B", "C"]] == 0).all()
    assert table.loc["p", TOTAL] == 0
    assert table.loc["q", "A"] == MARKER
    assert table.loc["q", TOTAL] == 24  # the true total is published
    # column A: q/A is 3 and p/A is 0, so the column total (3) is itself hidden
    assert table.loc[TOTAL, "A"] == MARKER
    assert MARKER in set(table.loc["q", ["B", "C"]])  # secondary in row q


def test_suppressed_counts_make_their_percentages_suppressed():
    table = suppress_table(HAND, threshold=5)
    pct = suppress_percentages(HAND, threshold=5, normalize="index")
    for r, c in itertools.product(table.index, table.columns):
        assert (table.loc[r, c] == MARKER) == (pct.loc[r, c] == MARKER) or (
            table.loc[r, TOTAL] == MARKER
        )
    assert pct.loc["y", "A"] == pytest.approx(6 / 25)
    assert pct.loc[TOTAL, "A"] == pytest.approx(21 / 63)


def test_percentages_on_a_suppressed_base_are_suppressed():
    counts = pd.DataFrame({"n": [3, 20, 30]}, index=["a", "b", "c"])
    pct = suppress_percentages(counts, threshold=5, normalize="index")
    # one column: row percentages are count / row total, and a's total is its own count
    assert pct.loc["a", "n"] == MARKER
    column = suppress_percentages(counts, threshold=5, normalize="columns")
    assert column.loc["a", "n"] == MARKER and column.loc["b", "n"] == MARKER
    assert column.loc["c", "n"] == pytest.approx(30 / 53)


def test_threshold_is_validated():
    with pytest.raises(ValueError, match="`threshold` must be"):
        suppress_table(HAND, threshold=-1)
    with pytest.raises(ValueError, match="`normalize` must be one of"):
        suppress_percentages(HAND, normalize="rows")


def _long(bases: dict[str, int]) -> pd.DataFrame:
    rows = []
    for group, base in bases.items():
        for option, share in (("X", 0.5), ("Y", 0.2)):
            n = round(base * share)
            rows.append({"role": group, "option": option, "n": n, "base": base, "pct": n / base})
    table = pd.DataFrame(rows)
    table["ci_low"], table["ci_high"] = wilson(table["n"], table["base"])
    return table


def test_apply_min_base_folds_small_groups_into_other():
    table, notes = apply_min_base(_long({"a": 20, "b": 6, "c": 5}), by="role", min_base=10)
    assert sorted(table["role"].unique()) == [OTHER, "a"]
    other = table[(table["role"] == OTHER) & (table["option"] == "X")].iloc[0]
    assert other["base"] == 11 and other["n"] == 3 + 2  # round(3.0) + round(2.5)
    assert other["pct"] == pytest.approx(5 / 11)
    assert (other["ci_low"], other["ci_high"]) == pytest.approx(tuple(np.ravel(wilson([5], [11]))))
    # The note names the folded groups but never their bases: a base of 5 is a count of
    # people the tables of people show as "c" (issue 20: tables.xlsx printed it).
    assert notes[0] == "Folded into Other: b, c, each below the minimum base of 10."


def test_apply_min_base_leaves_out_other_when_still_too_small():
    table, notes = apply_min_base(_long({"a": 20, "b": 6, "c": 5}), by="role", min_base=12)
    assert list(table["role"].unique()) == ["a"]
    assert notes and notes[0].startswith("Left out")
    same, none = apply_min_base(_long({"a": 20, "b": 16}), by="role", min_base=10)
    assert none == [] and len(same) == 4


def test_wilson_matches_the_published_interval():
    low, high = wilson([7], [50])
    assert (round(low[0], 4), round(high[0], 4)) == (0.0695, 0.2619)


def test_methods_text_states_both_thresholds(demo_study):
    text = methods_text(demo_study)
    assert "from 1 to 5" in text and "at least 10" in text
    assert "from 1 to 3" in methods_text(suppress_max=3)
    assert thresholds(demo_study)["suppress_max"] == 5


def test_folded_other_is_ranked_again(demo_study):
    from evstudy.survey import choice_table

    table, _ = apply_min_base(
        choice_table(demo_study, "barriers", by="role_group"), by="role_group", min_base=10
    )
    other = table[table["role_group"] == OTHER]
    assert other["n"].is_monotonic_decreasing
    assert other["rank"].iloc[0] == 1 and other["rank"].is_monotonic_increasing
    shown = table.groupby("role_group")["base"].first()
    assert (shown >= 10).all()
    # Other = every respondent outside the groups shown, so the n's add up to the whole sample
    whole = choice_table(demo_study, "barriers").set_index("option")["n"]
    assert table.groupby("option")["n"].sum().sort_index().equals(whole.sort_index())
