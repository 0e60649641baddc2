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

Whole-sample answer counts are published as they are. Counts of participants (or
respondents) coding a theme or code are counts of people: broken down by site they
follow rule 1 like any other count of people.

**One ledger for the whole publication.** A count withheld in one table can be worked
out from figures printed elsewhere: a total in the text, a note naming a base, the
number of interviews on a site page. :func:`publication_ledger` lists every count of
people the report's pages, the workbook and their notes print, keyed so that the same
count on two pages is one entry, with the sums that tie them together.
:func:`ledger_suppression` decides, over the whole ledger, which counts to withhold:
every count from 1 to ``suppress_max``, and further counts until linear programming
(:func:`ledger_intervals`) leaves each withheld count more than one possible value.
The table-producing functions consult that decision (:func:`hidden_keys`,
:func:`published_table`), and the audit (:mod:`evstudy.audit.ledger`) checks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

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
    "hidden_keys",
    "identifies_sites",
    "ledger_key",
    "methods_text",
    "recovery_intervals",
    "site_base_key",
    "suppress_percentages",
    "suppress_table",
    "suppression_mask",
    "thresholds",
    "wilson",
    "withhold",
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
    # The groups are named without their bases: a base under the minimum may be a count
    # of people the tables of people withhold ("c"), and a note must not print it.
    named = ", ".join(str(g) for g in small.index)
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
        "Wilson 95% confidence intervals. Counts of participants coding a theme are counts of "
        "people too: broken down by site, they are suppressed in the same way. Every count "
        "of people in the report, its site pages and its workbook was checked together, so "
        'that no "c" can be worked out from totals, notes or text on another page.'
    )


# --- the publication ledger: every published count of people, on every page ---------------------

LEDGER_COLUMNS = ["page", "table", "row", "column", "key", "value", "shown", "whole_sample"]
SHOWN = ("auto", "clear", MARKER)


def ledger_key(population: str, **dims: object) -> str:
    """The identity of a count of people, the same wherever it is published.

    ``ledger_key("participants", site="north", role="lead")`` is
    ``"participants|role=lead|site=north"``: dimensions in name order, so that two
    pages that publish the same count give it the same key. A dimension that is None is
    left out (the count is over all its values).
    """
    parts = [f"{name}={value}" for name, value in sorted(dims.items()) if value is not None]
    return "|".join([population, *parts])


def make_ledger(
    cells: list[dict] | pd.DataFrame, relations: list[tuple[str, list[str]]] | None = None
) -> pd.DataFrame:
    """A ledger: published counts of people (cells) and how they add up (relations).

    Parameters
    ----------
    cells : list of dict or DataFrame
        One per published figure: ``page`` (the file it appears in), ``table`` (the
        table, note or sentence), ``row``, ``column``, ``key`` (:func:`ledger_key`: the
        same count on two pages has one key), ``value`` (the true count) and ``shown``:
        ``"auto"`` when the decision of :func:`ledger_suppression` applies to it (the
        table-producing functions consult it), ``"clear"`` when the page prints it
        whatever the decision, ``"c"`` when the page always hides it. Optional
        ``whole_sample`` (default False): a count of the whole sample or of one method
        of data collection, which rule 1 does not cover (it is published in full, like
        whole-sample answers) but which a reader can still use to work others out.
    relations : list of (total, parts)
        Additive facts an intruder may use: the count ``total`` is the sum of the counts
        ``parts``. A key in a relation that no cell publishes is an unknown (at least 0).

    Returns
    -------
    DataFrame
        The cells, in :data:`LEDGER_COLUMNS`, with ``attrs["relations"]``.
    """
    frame = pd.DataFrame(cells) if not isinstance(cells, pd.DataFrame) else cells.copy()
    if "whole_sample" not in frame.columns:
        frame["whole_sample"] = False
    frame["whole_sample"] = [value is True for value in frame["whole_sample"]]
    frame = frame.reindex(columns=LEDGER_COLUMNS).reset_index(drop=True)
    frame = frame.astype({"value": "int64"})
    bad = sorted(set(frame["shown"]) - set(SHOWN))
    if bad:
        raise ValueError(f"`shown` must be one of {SHOWN}, but {bad[0]!r} was passed")
    clash = frame.groupby("key")["value"].nunique()
    if (clash > 1).any():
        raise ValueError(
            f"one key must hold one count, but {clash[clash > 1].index[0]!r} holds several"
        )
    frame.attrs["relations"] = [(str(t), [str(p) for p in parts]) for t, parts in relations or []]
    return frame


def _values(ledger: pd.DataFrame, extra: dict[str, int] | None = None) -> dict[str, int]:
    values = dict(zip(ledger["key"], ledger["value"], strict=True))
    values.update(extra or ledger.attrs.get("unpublished", {}))
    return values


def _clear(ledger: pd.DataFrame, hidden: set[str]) -> set[str]:
    """Keys an intruder reads somewhere: printed on some page and not hidden there."""
    shown = ledger["shown"]
    printed = (shown == "clear") | ((shown == "auto") & ~ledger["key"].isin(hidden))
    return set(ledger.loc[printed, "key"])


def _components(relations: list[tuple[str, list[str]]]) -> list[list[int]]:
    """Relations that share an unknown, grouped (each group is one small LP)."""
    parent = list(range(len(relations)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, (total, parts) in enumerate(relations):
        for key in (total, *parts):
            if key in first:
                parent[find(i)] = find(first[key])
            else:
                first[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(relations)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def ledger_intervals(
    ledger: pd.DataFrame,
    hidden: set[str] | frozenset[str] | None = None,
    *,
    exact: bool = True,
) -> pd.DataFrame:
    """What an intruder can work out about each hidden count from the whole publication.

    The intruder reads every count printed anywhere, knows that a ``"c"`` is at least 1
    (zeros are shown) and that every relation adds up; counts printed nowhere are
    unknowns of at least 0. Linear programming gives each hidden count's smallest and
    largest possible value.

    Parameters
    ----------
    ledger : DataFrame
        From :func:`make_ledger` or :func:`publication_ledger`.
    hidden : set of str, optional
        The keys shown as ``"c"`` wherever they are ``"auto"`` (default: the ledger's
        ``attrs["hidden"]``, as :func:`publication_ledger` records its decision).
    exact : bool
        Give every interval. False answers only ``determined``, faster: a count shown to
        have two possible values gets NaN bounds.

    Returns
    -------
    DataFrame
        key, value, lower, upper, determined (fewer than two possible values), pages
        (where the key is hidden).
    """
    hidden = set(ledger.attrs.get("hidden", set()) if hidden is None else hidden)
    values = _values(ledger)
    found = _bounds(ledger, hidden, full=exact)
    pages: dict[str, list[str]] = {}
    for key, page in zip(ledger["key"], ledger["page"], strict=True):
        if key in found and page not in pages.setdefault(key, []):
            pages[key].append(page)
    rows = [
        {
            "key": key,
            "value": values[key],
            "lower": lo,
            "upper": hi,
            "determined": hi - lo < 0.5,
            "pages": ", ".join(pages.get(key, [])),
        }
        for key, (lo, hi) in sorted(found.items())
    ]
    return pd.DataFrame(rows, columns=["key", "value", "lower", "upper", "determined", "pages"])


def _bounds(
    ledger: pd.DataFrame, hidden: set[str], memo: dict | None = None, *, full: bool = False
) -> dict[str, tuple[float, float]]:
    """Each hidden key's bounds, given everything the ledger prints in clear."""
    clear = _clear(ledger, hidden)
    marked = set(ledger.loc[ledger["shown"] == MARKER, "key"]) | hidden
    secret = {k for k in set(ledger["key"]) if k in marked and k not in clear}
    relations = ledger.attrs.get("relations", [])
    return _solve(_values(ledger), clear, secret, relations, memo, full=full)


def _solve(
    values: dict[str, int],
    clear: set[str],
    secret: set[str],
    relations: list,
    memo: dict | None = None,
    *,
    full: bool = True,
) -> dict[str, tuple[float, float]]:
    """Bounds of each secret key under the relations (the LP of :func:`_intervals`).

    Relations are solved in independent groups; ``memo`` keeps each group's answer
    for as long as what is hidden in it stays the same (secondary suppression changes
    one group at a time).
    """
    out = {key: (1.0, np.inf) for key in secret}
    memo = {} if memo is None else memo
    for group in _components(relations):
        lines = [relations[i] for i in group]
        unknown = sorted({k for total, parts in lines for k in (total, *parts) if k not in clear})
        if not secret.intersection(unknown):
            continue
        state = (tuple(group), tuple(unknown), tuple(sorted(secret.intersection(unknown))))
        if state not in memo:
            memo[state] = _solve_group(values, lines, unknown, secret, full=full)
        out.update(memo[state])
    return out


def _solve_group(
    values: dict[str, int], lines: list, unknown: list[str], secret: set[str], *, full: bool
) -> dict[str, tuple[float, float]]:
    from scipy.optimize import linprog  # imported here: most notebooks never need scipy

    out = {}
    index = {k: i for i, k in enumerate(unknown)}
    a_eq, b_eq = [], []
    for total, parts in lines:
        row = np.zeros(len(unknown))
        known = 0.0
        for key, sign in [(total, -1.0), *((p, 1.0) for p in parts)]:
            if key in index:
                row[index[key]] += sign
            else:
                known += sign * values.get(key, 0)
        if row.any():
            a_eq.append(row)
            b_eq.append(-known)
    bounds = [(1, None) if k in secret else (0, None) for k in unknown]
    mine = sorted(secret.intersection(unknown))
    free: set[str] = set()

    def moved(solution: Any) -> None:
        # The true counts are one solution; any other solution that moves a count shows
        # that count has two possible values. Every LP solved here is such a witness.
        if not full and solution.status == 0:
            free.update(k for k in mine if abs(solution.x[index[k]] - values[k]) >= 0.5)

    if not full:
        # A few vertices clear most counts at once: all-ones and ranked weights each way,
        # then a few fixed pseudo-random directions (seeded, so the decision is the same
        # on every run).
        directions = [w for w in (np.ones(len(unknown)), np.arange(1, len(unknown) + 1.0))]
        directions += [-w for w in directions]
        directions += list(np.random.default_rng(0).standard_normal((6, len(unknown))))
        for weights in directions:
            if free.issuperset(mine):
                break
            moved(linprog(weights, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds))
    for key in mine:
        if key in free:
            out[key] = (np.nan, np.nan)  # two possible values at least: not worked out
            continue
        objective = np.zeros(len(unknown))
        objective[index[key]] = 1
        high = linprog(-objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        moved(high)
        upper = -high.fun if high.status == 0 else np.inf
        if not full and upper - values[key] >= 0.5:
            # The true value and the maximum are two possible values: enough to know the
            # cell is safe; the minimum is only needed to report the interval.
            out[key] = (np.nan, upper)
            continue
        low = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        moved(low)
        out[key] = (low.fun if low.status == 0 else 1.0, upper)
    return out


def ledger_suppression(ledger: pd.DataFrame, *, threshold: int = 5) -> frozenset[str]:
    """The keys to show as ``"c"``: primary and secondary suppression over the whole ledger.

    Every ``"auto"`` count from 1 to ``threshold`` is hidden (primary). Then, while some
    hidden count has a single possible value given everything printed on every page
    (:func:`ledger_intervals`), the smallest non-zero ``"auto"`` count of a relation it
    is in is hidden too, preferring the relation's parts to its total (secondary).
    A count printed ``"clear"`` somewhere cannot be hidden; when nothing is left to hide
    behind, the count stays exposed and :mod:`evstudy.audit.ledger` reports it.

    Parameters
    ----------
    ledger : DataFrame
        From :func:`make_ledger`.
    threshold : int
        ``suppress_max``.

    Returns
    -------
    frozenset of str
    """
    if not isinstance(threshold, int | np.integer) or threshold < 0:
        raise ValueError(f"`threshold` must be a whole number >= 0, but {threshold!r} was passed")
    values = _values(ledger)
    auto = ledger[ledger["shown"] == "auto"]
    fixed = set(ledger.loc[ledger["shown"] == "clear", "key"])
    primary = auto[~auto["whole_sample"]]
    hidden = {
        k for k, v in zip(primary["key"], primary["value"], strict=True) if 1 <= v <= threshold
    }
    hidden -= fixed
    hideable = set(auto["key"]) - fixed
    published = set(ledger["key"])
    # A count whose printed base is 1 ("c of 1") would be 1: never hidden to protect another.
    for total, parts in ledger.attrs.get("relations", []):
        if total in fixed and values.get(total) == 1 and len(parts) == 2:
            hideable -= {k for k in parts if k in published}
    relations = ledger.attrs.get("relations", [])
    stuck: set[str] = set()
    memo: dict = {}
    for _ in range(len(hideable) + 1):
        found = _bounds(ledger, hidden, memo)
        exposed = sorted(k for k, (lo, hi) in found.items() if hi - lo < 0.5 and k not in stuck)
        if not exposed:
            break
        key = exposed[0]
        choice = None
        mine = [(t, p) for t, p in relations if key == t or key in p]
        # The relation with the fewest hidden counts first: that is where the "c" stands alone.
        mine.sort(key=lambda r: sum(k in hidden for k in (r[0], *r[1])))
        for total, parts in mine:
            free = [k for k in parts if k in hideable and k not in hidden and values[k] != 0]
            if not free and total in hideable and total not in hidden and values[total] != 0:
                free = [total]
            if free:
                choice = min(free, key=lambda k: (values[k], k))
                break
        if choice is None:
            # Nothing to hide beside it: hide a count that pins down an unpublished total
            # of its relations (a whole-sample count by method, say).
            # Nearest first: through one unpublished total, then through two, ...
            unknowns = {k for t, p in mine for k in (t, *p) if k not in published}
            seen: set[str] = set()
            while unknowns - seen and choice is None:
                seen |= unknowns
                linked = [(t, p) for t, p in relations if unknowns.intersection((t, *p))]
                near = [
                    k
                    for t, p in linked
                    for k in (t, *p)
                    if k in hideable and k not in hidden and values[k] != 0
                ]
                if near:
                    choice = min(near, key=lambda k: (values[k], k))
                unknowns = {k for t, p in linked for k in (t, *p) if k not in published}
        if choice is None:
            stuck.add(key)
        else:
            hidden.add(choice)
    return frozenset(hidden)


def crosstab_keys(
    counts: pd.DataFrame,
    *,
    population: str,
    rows: str,
    columns: str | None,
    base: dict[str, object] | None = None,
    totals: bool = True,
    row_totals_count_people: bool = True,
) -> tuple[pd.DataFrame, list[tuple[str, list[str]]]]:
    """The ledger keys of a published cross-tabulation of people, and its relations.

    Parameters
    ----------
    counts : DataFrame
        Counts (ids as index and columns, without totals), as :func:`suppress_table` takes.
    population : str
        Who is counted ("participants", "respondents").
    rows, columns : str
        The dimensions the index and the columns break them down by (``columns`` None
        for a one-way table with a single count column).
    base : dict, optional
        Dimensions every cell shares (for example ``{"site": "north"}``).
    totals : bool
        As for :func:`suppress_table`.
    row_totals_count_people : bool
        False when a person can be in more than one column (a participant in two
        methods): a row's total then counts participations, not people.

    Returns
    -------
    (DataFrame, list)
        The keys, the shape of :func:`suppress_table`'s result, and the relations its
        totals state.
    """
    base = dict(base or {})
    table, row_total, col_total = _with_totals(counts, totals)
    entries = population if row_totals_count_people else f"{population} (participations)"

    def key(r: object, c: object) -> str:
        r_dim = {} if r == TOTAL else {rows: r}
        if columns is None:
            return ledger_key(population, **base, **r_dim)
        if c == TOTAL:
            return ledger_key(entries, **base, **r_dim)
        return ledger_key(population, **base, **r_dim, **{columns: c})

    keys = pd.DataFrame(
        [[key(r, c) for c in table.columns] for r in table.index],
        index=table.index,
        columns=table.columns,
    )
    grid = keys.to_numpy()
    relations = [
        (grid[line[-1]], [grid[c] for c in line[:-1]])
        for line in _lines(table.shape, row_total, col_total)
    ]
    if col_total and not row_totals_count_people:
        # participations = people + those counted twice: the people are unknowns.
        for r, k in zip(table.index, keys[TOTAL], strict=True):
            r_dim = {} if r == TOTAL else {rows: r}
            people = ledger_key(population, **base, **r_dim)
            relations.append((k, [people, ledger_key(f"{population} (twice)", **base, **r_dim)]))
    return keys, relations


def published_table(study: Study, counts: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """A people-count table as published, with totals, under the publication ledger's decision.

    Parameters
    ----------
    study : Study
    counts : DataFrame
        As for :func:`suppress_table`.
    keys : DataFrame
        From :func:`crosstab_keys`.

    Returns
    -------
    DataFrame
        Object dtype: whole numbers, or ``"c"`` where the key is withheld
        (:func:`hidden_keys`), and also where :func:`suppress_table` alone would hide
        the cell (a table the ledger does not list keeps its own protection).
    """
    k = thresholds(study)["suppress_max"]
    table, own = _mask(counts, k, True)
    hidden = hidden_keys(study)
    listed = keys.isin(hidden).to_numpy() if keys.size else np.zeros(table.shape, bool)
    known = keys.isin(set(publication_ledger(study)["key"])).to_numpy()
    mask = np.where(known, listed, own.to_numpy())
    out = table.astype(object)
    out[pd.DataFrame(mask, index=table.index, columns=table.columns)] = MARKER
    return out


def participation_keys(study: Study, site: str, counts: pd.DataFrame) -> pd.DataFrame:
    """The ledger keys of a site page's "Who took part" table (role group by method)."""
    return _participation(study, site, counts)[0]


def _participation(study: Study, site: str, counts: pd.DataFrame) -> tuple:
    people = study.participants[study.participants["site_id"] == site]
    once = bool((people["methods"].str.count(";") == 0).all())
    return crosstab_keys(
        counts,
        population="participants",
        rows="role_group",
        columns="method",
        base={"site": site},
        row_totals_count_people=once,
    )


def profile_keys(
    study: Study, question: str, counts: pd.DataFrame
) -> tuple[pd.DataFrame, list[tuple[str, list[str]]]]:
    """The ledger keys of a profile question's counts (options, then Total), and relations.

    The Total of a single-choice question is its base (the respondents who answered);
    a multi-choice question's Total counts answers, not people.
    """
    keys, rel = crosstab_keys(
        counts, population="respondents", rows="option", columns=None, base={"question": question}
    )
    kind = study.survey_questions.drop_duplicates("question_id").set_index("question_id")
    if kind.at[question, "type"] != "single" and TOTAL in keys.index:
        keys.loc[TOTAL] = ledger_key("answers", question=question)
        rel = []
    return keys, rel


def site_base_key(study: Study, site: str, base: int) -> str:
    """The ledger key of a site's participants with any coding (a framework matrix's "Of").

    When every participant of the site was coded, it is the site's count of participants.
    """
    people = study.participants
    if int((people["site_id"] == site).sum()) == int(base):
        return ledger_key("participants", site=site)
    return ledger_key("participants (coded)", site=site)


def withhold(
    study: Study,
    frame: pd.DataFrame,
    keys: Sequence[str],
    *,
    base_keys: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A table of counts of people as published: the ledger's withheld counts as ``"c"``.

    Parameters
    ----------
    study : Study
    frame : DataFrame
        One row per published count, with a ``participants`` column and optionally
        ``base`` and ``share`` (a framework matrix, a site comparison).
    keys : sequence of str
        Each row's :func:`ledger_key`.
    base_keys : sequence of str, optional
        Each row's base's key (:func:`site_base_key`).

    Returns
    -------
    DataFrame
        A copy: ``participants``, ``share`` and ``difference`` (which would give it
        away with the base) are ``"c"`` where the count is withheld
        (:func:`hidden_keys`); ``base``, ``share`` and ``difference`` where the base is.
    """
    hidden = hidden_keys(study)
    out = frame.copy()
    count = np.asarray([k in hidden for k in keys], dtype=bool)
    base = np.asarray([k in hidden for k in (base_keys or [])], dtype=bool)
    if not len(base):
        base = np.zeros(len(out), dtype=bool)
    either = count | base
    columns = (("participants", count), ("base", base), ("share", either), ("difference", either))
    for column, mask in columns:
        if column in out.columns and mask.any():
            out[column] = out[column].astype(object)
            out.loc[mask, column] = MARKER
    return out


def hidden_keys(study: Study) -> frozenset[str]:
    """The counts of people the publication withholds (keys of :func:`publication_ledger`)."""
    return frozenset(publication_ledger(study).attrs["hidden"])


def publication_ledger(study: Study) -> pd.DataFrame:
    """Every count of people the publication prints, where, and the decision what to withhold.

    The ledger is computed from the study with the functions the report's pages call,
    before any page is rendered: the main report's participants by role group and
    framework matrix of sites by theme, each site page's participants (its text, its
    transcripts by method where each is one person's, its "Who took part" table and
    the participants coding each code, "Participants here"), and the survey's counts of
    respondents (by role group, by role group and site, and the answers to profile
    questions) on the survey page and in ``tables.xlsx``. Counts of participants coding a
    theme or code are counts of people. The decision, :func:`ledger_suppression` over
    the whole ledger, is in ``attrs["hidden"]``; the table-producing functions consult it
    (:func:`hidden_keys`), so a count withheld on one page is withheld on every page,
    and no withheld count can be worked out from the totals, notes and text of all pages
    taken together.

    Returns
    -------
    DataFrame
        :data:`LEDGER_COLUMNS`, with ``attrs["relations"]`` and ``attrs["hidden"]``.
    """
    from evstudy.study import derived

    return derived(study, ("publication_ledger",), lambda: _decided(study))


def _decided(study: Study) -> pd.DataFrame:
    ledger = _publication_cells(study)
    ledger.attrs["hidden"] = ledger_suppression(
        ledger, threshold=int(thresholds(study)["suppress_max"])
    )
    return ledger


INDEX = "reports/index.html"
WORKBOOK = "reports/tables.xlsx"


def site_page(site: str) -> str:
    """The published file of a site's case study."""
    return f"reports/sites/{site}.html"


def _cells_of(
    page: str, table: str, counts: pd.DataFrame, keys: pd.DataFrame, shown: object = "auto"
) -> list[dict]:
    """Ledger cells of a table and its totals; ``shown`` a value or a mask ("c" where True)."""
    values, _, _ = _with_totals(counts, True)
    values = values.reindex(index=keys.index, columns=keys.columns)
    out = []
    for r in keys.index:
        for c in keys.columns:
            state = shown if isinstance(shown, str) else (MARKER if shown.at[r, c] else "clear")
            out.append(
                {
                    "page": page,
                    "table": table,
                    "row": str(r),
                    "column": str(c),
                    "key": keys.at[r, c],
                    "value": int(values.at[r, c]),
                    "shown": state,
                }
            )
    return out


def _publication_cells(study: Study) -> pd.DataFrame:
    from evstudy import casestudy, survey
    from evstudy.matrices import framework_matrix, site_comparison

    k = int(thresholds(study)["suppress_max"])
    cells: list[dict] = []
    relations: list[tuple[str, list[str]]] = []
    people = study.participants
    labels = study.role_group_labels

    # The main report: participants by role group, suppressed on the page by suppress_table.
    if len(people):
        roles = people["role_group"].value_counts().reindex(list(labels)).dropna()
        counts = roles.astype("int64").to_frame("n")
        keys, rel = crosstab_keys(
            counts, population="participants", rows="role_group", columns=None
        )
        if int(counts["n"].sum()) != len(people):  # roles the study does not label are left out
            keys = keys.replace(
                ledger_key("participants"), ledger_key("participants", listed="yes")
            )
            rel = [(keys.iloc[-1, 0], parts) for _, parts in rel]
        cells += _cells_of(
            INDEX,
            "Participants by role group",
            counts,
            keys,
            shown=suppression_mask(counts, threshold=k),
        )
        relations += rel

    # The main report's sites by theme; the site pages' comparison tables print the same counts.
    if len(study.sites) and len(study.documents):
        matrix = framework_matrix(study, rows="site")
        for r in matrix.itertuples():
            cells.append(
                {
                    "page": INDEX,
                    "table": "Participants by site and theme",
                    "row": str(r.row_label),
                    "column": str(r.label),
                    "key": ledger_key("participants", site=r.row, theme=r.code_id),
                    "value": int(r.participants),
                    "shown": "auto",
                }
            )
        # The framework table's "Of": each site's participants with any coding.
        for site, base in matrix.groupby("row", sort=False)["base"].first().items():
            cells.append(
                {
                    "page": INDEX,
                    "table": "Framework matrix: sites by theme",
                    "row": str(site),
                    "column": "Of",
                    "key": site_base_key(study, site, int(base)),
                    "value": int(base),
                    "shown": "auto",
                }
            )

    if len(study.sites) and len(study.documents):
        cells, relations = _findings_by_code(study, cells, relations)

    for site in study.sites["site_id"]:
        page = site_page(site)
        here = people[people["site_id"] == site]
        docs = study.documents
        docs = docs[(docs["site_id"] == site) & (docs["method"] != "survey")]
        if here.empty or docs.empty:
            continue
        cells.append(
            {
                "page": page,
                "table": "Who took part (text)",
                "row": "participants",
                "column": "",
                "key": ledger_key("participants", site=site),
                "value": len(here),
                "shown": "auto",
            }
        )
        # Documents that are one participant's each are a count of people.
        for method, n_docs in docs["method"].value_counts(sort=False).items():
            n_people = int(here["methods"].str.split("; ").map(lambda m, x=method: x in m).sum())
            if n_docs == n_people:
                cells.append(
                    {
                        "page": page,
                        "table": "Transcripts by method",
                        "row": str(method),
                        "column": "documents",
                        "key": ledger_key("participants", site=site, method=method),
                        "value": n_people,
                        "shown": "auto",
                    }
                )
        counts = casestudy.participation_counts(study, site=site)
        keys, rel = _participation(study, site, counts)
        cells += _cells_of(page, "Who took part", counts, keys)
        relations += rel
        if (
            keys.shape[1] > 1
            and TOTAL in keys.index
            and keys.at[TOTAL, TOTAL] != ledger_key("participants", site=site)
        ):
            relations.append(
                (
                    keys.at[TOTAL, TOTAL],
                    [
                        ledger_key("participants", site=site),
                        ledger_key("participants (twice)", site=site),
                    ],
                )
            )
        # "Participants here": each code's count of the site's participants coding it.
        coded = site_comparison(study, site=site, level="code")
        for r in coded.itertuples():
            cells.append(
                {
                    "page": page,
                    "table": "Participants here",
                    "row": str(r.label),
                    "column": "",
                    "key": ledger_key("participants", site=site, code=r.code_id),
                    "value": int(r.participants),
                    "shown": "auto",
                }
            )
        for r in site_comparison(study, site=site).itertuples():
            cells.append(
                {
                    "page": page,
                    "table": "How the site compares",
                    "row": str(r.label),
                    "column": "",
                    "key": ledger_key("participants", site=site, theme=r.code_id),
                    "value": int(r.participants),
                    "shown": "auto",
                }
            )
            base = int(r.base)
        if len(coded):
            cells.append(
                {
                    "page": page,
                    "table": "How the site compares",
                    "row": "",
                    "column": "Of",
                    "key": site_base_key(study, site, base),
                    "value": base,
                    "shown": "auto",
                }
            )

    # Survey respondents: the survey page and the workbook.
    resp = study.survey_respondents
    if len(resp):
        roles = survey.respondent_groups(study, "role_group").fillna(survey.NOT_STATED)
        counts = roles.value_counts().sort_index().to_frame("n")
        keys, rel = crosstab_keys(counts, population="respondents", rows="role_group", columns=None)
        cells += _cells_of(
            INDEX, "Respondents by role group", counts, keys.drop(index=TOTAL, errors="ignore")
        )
        cells += _cells_of(WORKBOOK, "Role groups", counts, keys)
        relations += rel
        frame = pd.DataFrame(
            {"role_group": roles, "site": survey.respondent_groups(study, "site_id")}
        )
        wide = pd.crosstab(frame["role_group"], frame["site"].fillna(survey.NOT_STATED))
        keys, rel = crosstab_keys(wide, population="respondents", rows="role_group", columns="site")
        cells += _cells_of(WORKBOOK, "Role group by site", wide, keys)
        relations += rel
        questions = study.survey_questions.drop_duplicates("question_id")
        for q in questions[questions["attribute"].notna()].itertuples():
            if q.type not in {"single", "multi"}:
                continue
            choice = survey.choice_table(study, q.question_id)
            counts = choice.set_index("option")[["n"]]
            if counts.empty:
                continue
            keys, rel = profile_keys(study, q.question_id, counts)
            base = int(choice["base"].iloc[0])
            options = keys.drop(index=TOTAL, errors="ignore")
            cells += _cells_of(WORKBOOK, str(q.question_id), counts, keys)
            relations += rel
            for page in (INDEX, WORKBOOK):
                if page == INDEX:
                    cells += _cells_of(page, str(q.question_id), counts, options)
                cells.append(
                    {
                        "page": page,
                        "table": str(q.question_id),
                        "row": "base",
                        "column": "",
                        "key": ledger_key("respondents", question=q.question_id),
                        "value": base,
                        "shown": "clear",
                    }
                )
        relations += _same_people(study, questions, {"role_group": roles, "site": frame["site"]})
    return make_ledger(pd.DataFrame(cells, columns=LEDGER_COLUMNS), relations)


def _findings_by_code(study: Study, cells: list[dict], relations: list) -> tuple[list, list]:
    """The main report's findings: each code's participants by role group, site and method.

    Role group and site are attributes of people, so those counts are ``"auto"``; the
    counts by method are printed as they are. Each code's counts add up: over role
    groups to the code's participants, over sites (with the participants who have no
    site) to the same, and over the transcript methods to it plus those counted twice
    (a participant in two methods).
    """
    from evstudy.matrices import framework_matrix

    people = study.participants
    nosite = people[people["site_id"].isna()]
    # When the participants without a site are exactly one role group (experts), a reader
    # can equate the two counts.
    same_group = None
    if len(nosite) and nosite["role_group"].nunique() == 1:
        group = nosite["role_group"].iloc[0]
        if (people["role_group"] == group).sum() == len(nosite):
            same_group = group
    # A role group whose participants are exactly one method's (experts, each in an expert
    # interview) is that method's whole-sample count under another name.
    methods = set(study.documents["method"]) - {"survey"}
    taking = {
        m: set(
            people.loc[
                people["methods"].str.split("; ").map(lambda x, m=m: m in x), "participant_id"
            ]
        )
        for m in methods
    }
    alias = {}
    for group, ids in people.groupby("role_group")["participant_id"]:
        for method, them in sorted(taking.items()):
            if them == set(ids):
                alias[group] = method
    if same_group is not None and same_group in alias:
        same_group = None  # the participants without a site are that method's
        nosite_method = alias[people.loc[people["site_id"].isna(), "role_group"].iloc[0]]
    else:
        nosite_method = None
    parts: dict[str, dict[str, list[str]]] = {}
    for by in ("role_group", "site", "method"):
        matrix = framework_matrix(study, rows=by, level="code")
        for r in matrix.itertuples():
            if by == "method" and r.row not in methods:
                continue  # survey free text counts respondents, another population
            whole = by == "method" or (by == "role_group" and r.row in alias)
            dims = {"method": alias[r.row]} if by == "role_group" and whole else {by: r.row}
            key = ledger_key("participants", code=r.code_id, **dims)
            cells.append(
                {
                    "page": INDEX,
                    "table": f"Findings: participants by {by.replace('_', ' ')}",
                    "row": str(r.label),
                    "column": str(r.row_label),
                    "key": key,
                    "value": int(r.participants),
                    # Whole-sample counts are published unless the ledger must withhold
                    # one to protect a count it adds up with (secondary suppression only).
                    "shown": "auto",
                    "whole_sample": whole,
                }
            )
            parts.setdefault(r.code_id, {}).setdefault(by, []).append(key)
    cells, relations = _population_cells(study, cells, relations, alias)
    for code, by in parts.items():
        everyone = ledger_key("participants", code=code)
        if "role_group" in by:
            relations.append((everyone, by["role_group"]))
        if "site" in by:
            if nosite_method is not None:
                rest = ledger_key("participants", code=code, method=nosite_method)
            elif same_group is not None:
                rest = ledger_key("participants", code=code, role_group=same_group)
            else:
                rest = ledger_key("participants", code=code, site="(none)")
            relations.append((everyone, [*by["site"], rest]))
        if "method" in by:
            twice = ledger_key("participants (twice)", code=code)
            relations.append((ledger_key("participants (entries)", code=code), by["method"]))
            relations.append((ledger_key("participants (entries)", code=code), [everyone, twice]))
    return cells, relations


def population_keys(study: Study, code: str) -> dict[str, str]:
    """The ledger keys of a code's counts in the headline population and outside it.

    ``{"headline": ..., "outside": ..., "interview": ..., ...}``: the codes tables'
    population and "outside" columns, and the joint display's counts by method (the
    headline population only). A count that is another count under a second name (the
    role groups outside are exactly one method's participants; no one outside took part
    in a method) has that count's key.
    """
    people = study.participants
    outside = set(study.population.get("outside") or [])
    out_people = people[people["role_group"].isin(outside)]
    keys: dict[str, str] = {}
    if out_people.empty:
        keys["headline"] = ledger_key("participants", code=code)
        keys["outside"] = ledger_key("participants", code=code, group="outside")
    else:
        keys["headline"] = ledger_key("participants", code=code, group="headline")
        ids = set(out_people["participant_id"])
        methods = sorted(set(study.documents["method"]) - {"survey"})
        same = [
            m
            for m in methods
            if set(
                people.loc[
                    people["methods"].str.split("; ").map(lambda x, m=m: m in x), "participant_id"
                ]
            )
            == ids
        ]
        keys["outside"] = (
            ledger_key("participants", code=code, method=same[0])
            if same
            else ledger_key("participants", code=code, group="outside")
        )
    for method in sorted(set(study.documents["method"]) - {"survey"}):
        took = out_people["methods"].str.split("; ").map(lambda x, m=method: m in x)
        keys[method] = (
            ledger_key("participants", code=code, method=method, group="headline")
            if took.any()
            else ledger_key("participants", code=code, method=method)
        )
    return keys


def _population_cells(
    study: Study, cells: list[dict], relations: list, alias: dict
) -> tuple[list, list]:
    """The codes tables' population and "outside" counts, and the joint display's by method.

    Counts over the whole headline population are whole-sample counts; the count of the
    role groups outside it is a count by role group (rule 1), unless those groups are
    exactly one method's participants.
    """
    from evstudy.sections import population_counts
    from evstudy.triangulation import headline_method_counts

    counts = population_counts(study)
    by_method = headline_method_counts(study)
    outside_method = set(alias.values())
    for r in counts.itertuples():
        keys = population_keys(study, r.code_id)
        everyone = ledger_key("participants", code=r.code_id)
        found = [("headline", "population", int(r.participants), True)]
        if int(r.outside_base):
            whole = keys["outside"].split("method=")[-1] in outside_method
            found.append(("outside", "outside", int(r.outside_participants), whole))
        for part, column, value, whole in found:
            cells.append(
                {
                    "page": INDEX,
                    "table": "Findings: codes",
                    "row": str(r.label),
                    "column": column,
                    "key": keys[part],
                    "value": value,
                    "shown": "auto",
                    "whole_sample": whole,
                }
            )
        if keys["headline"] != everyone:
            relations.append((everyone, [keys["headline"], keys["outside"]]))
        # "k of b": each count is at most its printed base (b = k + those not coding it).
        for part, base in (("headline", r.base), ("outside", r.outside_base)):
            if not int(base):
                continue
            base_key = ledger_key("participants (coded)", group=part)
            cells.append(
                {
                    "page": INDEX,
                    "table": "Findings: codes",
                    "row": str(r.label),
                    "column": f"{part} base",
                    "key": base_key,
                    "value": int(base),
                    "shown": "clear",
                    "whole_sample": True,
                }
            )
            not_coding = ledger_key("participants (not coding)", code=r.code_id, group=part)
            relations.append((base_key, [keys[part], not_coding]))
        for method, n in by_method.get(r.code_id, {}).items():
            cells.append(
                {
                    "page": INDEX,
                    "table": "Joint display",
                    "row": str(r.label),
                    "column": str(method),
                    "key": keys[method],
                    "value": int(n),
                    "shown": "auto",
                    "whole_sample": True,
                }
            )
            plain = ledger_key("participants", code=r.code_id, method=method)
            if keys[method] != plain:
                outside_key = ledger_key(
                    "participants", code=r.code_id, method=method, group="outside"
                )
                relations.append((plain, [keys[method], outside_key]))
    return cells, relations


def _same_people(
    study: Study, questions: pd.DataFrame, dims: dict[str, pd.Series]
) -> list[tuple[str, list[str]]]:
    """Profile answers that count the very respondents a breakdown counts, tied together.

    The answers to the survey's site question are the respondents' sites: a reader can
    match the two tables, so each such pair of counts is one quantity in the ledger.
    """
    answers = study.survey_answers
    answers = answers[answers["value"].notna()]
    groups = {
        frozenset(ids): ledger_key("respondents", **{dim: value})
        for dim, series in dims.items()
        for value, ids in series.fillna("Not stated")
        .groupby(series.fillna("Not stated"), sort=True)
        .groups.items()
    }
    out = []
    for q in questions[questions["attribute"].notna()].itertuples():
        mine = answers[answers["question_id"] == q.question_id]
        for option, ids in mine.groupby("value", sort=True)["respondent_id"]:
            same = groups.get(frozenset(ids))
            if same is not None:
                out.append(
                    (same, [ledger_key("respondents", option=option, question=q.question_id)])
                )
    return out
