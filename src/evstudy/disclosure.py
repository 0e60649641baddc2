"""Disclosure control for published tables: two rules, set in ``study.yml`` (``disclosure:``).

1. **Tables that describe people** (respondents or participants by role group and
   site, organisation type and region, ...) follow DfE practice: counts from 1 to
   ``suppress_max`` are shown as ``"c"``, true zeros stay 0, and *secondary*
   suppression hides further cells so that no ``"c"`` can be worked out from the
   row and column totals. Totals are the true totals; a total that is itself a
   small count is suppressed like any other cell. A percentage whose count or
   base is suppressed is suppressed too.
2. **Answers broken down by a respondent attribute** are shown only for subgroups
   whose base is at least ``min_subgroup_base``; smaller subgroups are folded into
   "Other", and when "Other" is still too small it is left out, with a note.

Whole-sample answer counts are published as they are, and counts of coded themes
are counts of passages, not of people, so neither is suppressed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evstudy.config import DEFAULT_DISCLOSURE
from evstudy.errors import EvstudyError

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = [
    "MARKER",
    "OTHER",
    "TOTAL",
    "DisclosureError",
    "apply_min_base",
    "identifies_sites",
    "methods_text",
    "recovery_intervals",
    "suppress_percentages",
    "suppress_table",
    "suppression_mask",
    "thresholds",
    "wilson",
]

MARKER = "c"
TOTAL = "Total"
OTHER = "Other"


class DisclosureError(EvstudyError):
    """A breakdown was asked for that the disclosure rules do not allow."""


def thresholds(study: Study | None = None) -> dict[str, int]:
    """The study's disclosure thresholds (``suppress_max``, ``min_subgroup_base``, ``quote_k``).

    Ingest records them from ``study.yml``; without a study, the documented defaults.
    """
    if study is None:
        return dict(DEFAULT_DISCLOSURE)
    return dict(study.disclosure)


def identifies_sites(study: Study, by: str) -> bool:
    """True when a breakdown by ``by`` splits respondents by site (site id or a site attribute)."""
    return by == "site_id" or by in set(study.sites.columns)


# --- rule 1: cell suppression ------------------------------------------------------------


def _with_totals(counts: pd.DataFrame, totals: bool) -> tuple[pd.DataFrame, bool, bool]:
    """The table with a Total column and row appended (when it has more than one of each)."""
    table = counts.copy()
    table.index = pd.Index(list(table.index), dtype=object, name=counts.index.name)
    table.columns = pd.Index(list(table.columns), dtype=object, name=counts.columns.name)
    table = table.fillna(0).astype("int64")
    if (table < 0).any().any():
        raise ValueError("`counts` must hold counts (whole numbers >= 0)")
    col_total = totals and table.shape[1] > 1
    row_total = totals and table.shape[0] > 1
    if col_total:
        table[TOTAL] = table.sum(axis=1)
    if row_total:
        table.loc[TOTAL] = table.sum(axis=0)
    return table, row_total, col_total


def _lines(shape: tuple[int, int], row_total: bool, col_total: bool) -> list[list[tuple]]:
    """Each additive constraint as its cells; the margin cell is the last of each line."""
    n_rows, n_cols = shape
    lines = []
    if col_total:  # each row sums to its Total column
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if row_total:  # each column sums to its Total row
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    return lines


def _pick(values: np.ndarray, mask: np.ndarray, cells: list[tuple]) -> tuple | None:
    """The smallest non-zero unsuppressed cell, preferring inner cells to the margin."""
    free = [c for c in cells if not mask[c] and values[c] != 0]
    pool = [c for c in free if c != cells[-1]] or free
    return min(pool, key=lambda c: (values[c], c)) if pool else None


def _intervals(values: np.ndarray, mask: np.ndarray, lines: list[list[tuple]]) -> dict:
    """Smallest and largest value each suppressed cell can take, given the published cells.

    An intruder knows every shown cell, that a "c" is at least 1 (zeros are shown)
    and that each line adds up. Rows and columns with totals form a transportation
    problem, whose linear-programming bounds are whole numbers.
    """
    cells = [tuple(c) for c in np.argwhere(mask)]
    if not cells or not lines:
        return {c: (1.0, np.inf) for c in cells}
    index = {c: k for k, c in enumerate(cells)}
    a_eq, b_eq = [], []
    for line in lines:
        *inner, margin = line
        row = np.zeros(len(cells))
        known = 0.0
        for c in inner:
            if mask[c]:
                row[index[c]] += 1
            else:
                known += values[c]
        if mask[margin]:
            row[index[margin]] -= 1
        else:
            known -= values[margin]
        if row.any():
            a_eq.append(row)
            b_eq.append(-known)
    from scipy.optimize import linprog  # imported here: most notebooks never need scipy

    bounds = [(1, None)] * len(cells)
    out = {}
    for c, k in index.items():
        objective = np.zeros(len(cells))
        objective[k] = 1
        low = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        high = linprog(-objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        upper = -high.fun if high.status == 0 else np.inf
        out[c] = (low.fun, upper)
    return out


def _mask(counts: pd.DataFrame, threshold: int, totals: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not isinstance(threshold, int | np.integer) or threshold < 0:
        raise ValueError(f"`threshold` must be a whole number >= 0, but {threshold!r} was passed")
    table, row_total, col_total = _with_totals(counts, totals)
    values = table.to_numpy()
    mask = (values >= 1) & (values <= threshold)  # primary suppression; zeros stay 0
    lines = _lines(values.shape, row_total, col_total)
    for _ in range(values.size):
        changed = False
        # Secondary suppression: no line may hold exactly one "c".
        for line in lines:
            if sum(mask[c] for c in line) == 1:
                cell = _pick(values, mask, line)
                if cell is not None:
                    mask[cell] = changed = True
        if changed:
            continue
        # The line rule is not always enough (a "c" joining two otherwise protected
        # blocks can still be solved for): check with linear programming.
        exposed = [c for c, (lo, hi) in _intervals(values, mask, lines).items() if hi - lo < 0.5]
        if not exposed:
            break
        i, j = exposed[0]
        row = [(i, k) for k in range(values.shape[1])]
        col = [(k, j) for k in range(values.shape[0])]
        cell = _pick(values, mask, row) or _pick(values, mask, col)
        if cell is None:  # nothing left to hide behind: hide the whole line
            cell = next(c for c in row + col if not mask[c] and values[c] != 0)
        mask[cell] = True
    return table, pd.DataFrame(mask, index=table.index, columns=table.columns)


def suppression_mask(
    counts: pd.DataFrame, *, threshold: int = 5, totals: bool = True
) -> pd.DataFrame:
    """Which cells of a people-count table are suppressed (primary and secondary).

    Parameters
    ----------
    counts : DataFrame
        A cross-tabulation of counts of people (rows and columns are categories).
    threshold : int
        Counts from 1 to ``threshold`` are suppressed (``suppress_max`` in study.yml).
    totals : bool
        Whether row and column totals are published. They are appended as a
        ``"Total"`` column and row (when there is more than one column or row),
        and secondary suppression protects the small cells against them.

    Returns
    -------
    DataFrame
        Booleans, the shape of :func:`suppress_table`'s result (totals included).
    """
    return _mask(counts, threshold, totals)[1]


def suppress_table(
    counts: pd.DataFrame, *, threshold: int = 5, totals: bool = True
) -> pd.DataFrame:
    """A people-count table as published: small counts and their protectors shown as ``"c"``.

    Parameters
    ----------
    counts : DataFrame
        A cross-tabulation of counts of people.
    threshold : int
        Counts from 1 to ``threshold`` are suppressed.
    totals : bool
        Append true row and column totals (themselves suppressed when small).

    Returns
    -------
    DataFrame
        Object dtype: whole numbers, or ``"c"``.

    Examples
    --------
    >>> t = pd.DataFrame({"A": [12, 3], "B": [9, 8]}, index=["x", "y"])
    >>> suppress_table(t).to_dict("index")["y"]
    {'A': 'c', 'B': 'c', 'Total': 11}
    """
    table, mask = _mask(counts, threshold, totals)
    out = table.astype(object)
    out[mask] = MARKER
    return out


def suppress_percentages(
    counts: pd.DataFrame,
    *,
    threshold: int = 5,
    totals: bool = True,
    normalize: str = "index",
) -> pd.DataFrame:
    """Percentages (fractions 0-1) of a people-count table, suppressed with their counts.

    A percentage is ``"c"`` when its count or its base (the row total, column total
    or grand total) is suppressed.

    Parameters
    ----------
    counts, threshold, totals
        As for :func:`suppress_table`.
    normalize : {"index", "columns", "all"}
        Row percentages, column percentages or percentages of the grand total.
    """
    options = ("index", "columns", "all")
    if normalize not in options:
        raise ValueError(f"`normalize` must be one of {options}, but {normalize!r} was passed")
    table, mask = _mask(counts, threshold, totals)
    inner = table.loc[list(counts.index), list(counts.columns)]
    if normalize == "index":
        base = inner.sum(axis=1)
        pct = table.div(base.reindex(table.index, fill_value=base.sum()), axis=0)
        base_hidden = mask[TOTAL] if TOTAL in mask.columns else pd.Series(False, mask.index)
        hidden = mask | np.asarray(base_hidden)[:, None]
    elif normalize == "columns":
        base = inner.sum(axis=0)
        pct = table.div(base.reindex(table.columns, fill_value=base.sum()), axis=1)
        base_hidden = mask.loc[TOTAL] if TOTAL in mask.index else pd.Series(False, mask.columns)
        hidden = mask | np.asarray(base_hidden)[None, :]
    else:
        pct = table / inner.to_numpy().sum()
        hidden = mask
    out = pct.astype(object)
    out[hidden] = MARKER
    return out


def recovery_intervals(
    counts: pd.DataFrame, mask: pd.DataFrame, *, totals: bool = True
) -> pd.DataFrame:
    """What an intruder can deduce about each suppressed cell from the published table.

    Parameters
    ----------
    counts : DataFrame
        The true counts (without totals).
    mask : DataFrame
        The suppression mask (with totals, as :func:`suppression_mask` returns it).
    totals : bool
        Whether totals were published.

    Returns
    -------
    DataFrame
        row, column, value, lower, upper, determined (lower == upper: the cell
        could be recovered).
    """
    table, row_total, col_total = _with_totals(counts, totals)
    hidden = mask.reindex(index=table.index, columns=table.columns).to_numpy(dtype=bool)
    values = table.to_numpy()
    found = _intervals(values, hidden, _lines(values.shape, row_total, col_total))
    return pd.DataFrame(
        [
            {
                "row": table.index[i],
                "column": table.columns[j],
                "value": int(values[i, j]),
                "lower": lo,
                "upper": hi,
                "determined": hi - lo < 0.5,
            }
            for (i, j), (lo, hi) in found.items()
        ],
        columns=["row", "column", "value", "lower", "upper", "determined"],
    )


# --- rule 2: minimum subgroup base -------------------------------------------------------

_DERIVED = ("pct", "ci_low", "ci_high", "rank")


def apply_min_base(
    table: pd.DataFrame, *, by: str, base_col: str = "base", min_base: int = 10
) -> tuple[pd.DataFrame, list[str]]:
    """Fold subgroups whose base is under ``min_base`` into "Other" (or leave them out).

    Parameters
    ----------
    table : DataFrame
        A breakdown with a ``by`` column, a base column and, for folding, an ``n``
        column: every subgroup must have one row per category (as
        :func:`evstudy.survey.choice_table` and :func:`evstudy.survey.likert_table`
        give). ``pct``, Wilson intervals and ``rank`` are recomputed for "Other".
    by : str
        The subgroup column.
    base_col : str
        The column holding each row's base.
    min_base : int
        The smallest base a subgroup may be shown with (``min_subgroup_base``).

    Returns
    -------
    (DataFrame, list of str)
        The table as it may be published, and notes saying what was folded or left out.
    """
    for col in (by, base_col):
        if col not in table.columns:
            raise ValueError(f"`{col}` must be a column of `table`, but it is missing")
    keys = [c for c in table.columns if c not in {by, base_col, "n", *_DERIVED}]
    group_base = table.groupby(by, sort=False, dropna=True)[base_col].max()
    small = group_base[group_base < min_base]
    notes: list[str] = []
    if small.empty:
        return table.reset_index(drop=True), notes
    keep = table[~table[by].isin(small.index)]
    named = ", ".join(f"{g} (base {b})" for g, b in small.items())
    if "n" not in table.columns or (small.sum() < min_base):
        notes.append(
            f"Left out: {named}, below the minimum base of {min_base}"
            + (" even together." if len(small) > 1 and "n" in table.columns else ".")
        )
        return keep.reset_index(drop=True), notes
    folded = (
        table[table[by].isin(small.index)]
        .groupby(keys, sort=False, dropna=False)[["n", base_col]]
        .sum()
        .reset_index()
        .assign(**{by: OTHER})
    )
    if "pct" in table.columns:
        folded["pct"] = folded["n"] / folded[base_col]
    if "ci_low" in table.columns:
        folded["ci_low"], folded["ci_high"] = wilson(folded["n"], folded[base_col])
    if "rank" in table.columns:
        folded["rank"] = folded["n"].rank(method="min", ascending=False).astype("int64")
        folded = folded.sort_values(["rank", *keys], kind="stable")
    notes.append(f"Folded into {OTHER}: {named}, each below the minimum base of {min_base}.")
    out = pd.concat([keep, folded[table.columns]], ignore_index=True)
    return out, notes


def wilson(n: pd.Series, base: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Wilson 95% interval for n out of base (NaN where base is 0)."""
    from statsmodels.stats.proportion import proportion_confint  # slow to import; rarely used

    n = np.asarray(n, dtype=float)
    base = np.asarray(base, dtype=float)
    safe = np.where(base > 0, base, 1)
    low, high = proportion_confint(n, safe, alpha=0.05, method="wilson")
    return np.where(base > 0, low, np.nan), np.where(base > 0, high, np.nan)


# --- the methods appendix ----------------------------------------------------------------


def methods_text(
    study: Study | None = None,
    *,
    suppress_max: int | None = None,
    min_subgroup_base: int | None = None,
) -> str:
    """The disclosure-control paragraph for the methods appendix.

    Parameters
    ----------
    study : Study, optional
        Supplies the thresholds (else the study.yml defaults).
    suppress_max, min_subgroup_base : int, optional
        Override the study's thresholds.
    """
    found = thresholds(study)
    k = found["suppress_max"] if suppress_max is None else suppress_max
    m = found["min_subgroup_base"] if min_subgroup_base is None else min_subgroup_base
    return (
        "Disclosure control. Tables that count people (survey respondents or interview "
        "and focus-group participants, broken down by role group, site, organisation type "
        f"or region) follow Department for Education practice: counts from 1 to {k} are "
        'replaced by "c" and true zeros are shown as 0. Where a row or column would '
        'otherwise hold a single "c", the next-smallest non-zero count in it is also '
        'suppressed (secondary suppression), and every table was checked so that no "c" '
        "can be worked out from the published row and column totals, which are the true "
        "totals. Percentages based on a suppressed count or a suppressed base are "
        f"suppressed too. Survey answers broken down by a respondent attribute are shown "
        f"only for subgroups of at least {m} respondents; smaller subgroups are combined "
        'as "Other", or left out (with a note) when the combined group is still smaller '
        f"than {m}. Breakdowns by site are not published where any count would fall "
        f"between 1 and {k}. Answers for the whole sample are published in full, with "
        "Wilson 95% confidence intervals, and counts of coded themes (which count passages, "
        "not people) are not suppressed."
    )
