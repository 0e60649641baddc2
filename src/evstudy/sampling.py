"""Choosing the sites: a stratified sample from a frame, balanced by rerandomisation.

A protocol typically asks for a handful of sites (local authorities, say) spread across
some primary strata (type and tier) and mixed on other variables (region, rurality,
deprivation), with some sites that must be included. Which variables, and which sites,
the caller says; with none named, the site table's own columns that the frame has are
used. The sample is drawn in two steps:

1. **Primary strata** (e.g. type x tier) get seats in proportion to their size, rounded by
   the largest-remainder (Hamilton) method; a stratum gets more seats where force-included
   authorities need them, and the others share what is left in the same way.
2. **Secondary variables** (e.g. region, rurality, IMD decile) are balanced by
   rerandomisation (Morgan & Rubin 2012): many candidate samples are drawn within the
   strata and the one with the smallest imbalance is kept. Imbalance is the sum of the
   absolute standardised differences between sample and frame, each level of a
   categorical variable being an indicator column and a numeric variable a number.

Reserves are matched replacements for authorities that decline: one per chosen site, from
the same stratum and not in the sample, nearest on the secondary variables (Gower distance,
paired by the Hungarian algorithm so that no reserve serves two sites).

Variables are named by the frame's columns, or by the site table's names (``imd_decile``
finds ``imd2019_decile_of_153``); the frame's labels are kept exactly as they are.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from evstudy.errors import ConfigError, InputError, Problems
from evstudy.files import atomic_write_text
from evstudy.io.sheets import TRUE_VALUES, cell_text, read_sheet
from evstudy.io.tables import SITE_COLUMNS

__all__ = [
    "DEFAULT_BALANCE",
    "DEFAULT_STRATA",
    "allocate",
    "balance_table",
    "draw_reserves",
    "draw_sample",
    "format_balance_table",
    "format_sample",
    "imbalance",
    "read_frame",
    "reserve_table",
    "resolve_variables",
    "site_table",
    "write_site_table",
]

DEFAULT_STRATA = ("la_type", "tier")
# The site table's design variables, used when the caller names none and the frame has them;
# any other column (a sponsor's own flag, say) is balanced by naming it.
DEFAULT_BALANCE = ("region", "rurality", "imd_decile", "ethnic_minority_band")

# Other spellings of the site table's columns that frames use (compared after _norm); the
# name itself is always tried first (see _find_column).
FRAME_ALIASES: dict[str, tuple[str, ...]] = {
    "site_name": ("la_name", "name", "local_authority", "authority_name"),
    "la_type": ("authority_type", "type"),
    "rurality": ("urban_rural",),
    "ethnic_minority_band": ("ethnic_minority",),
}
_IMD_DECILE = re.compile(r"imd.*decile")  # e.g. imd2019_decile_of_153
ALL = "all"  # the one stratum when no strata are given
FLAG_VALUES = {*TRUE_VALUES, "no", "n", "false", "0"}  # a yes/no column's spellings


# --- the frame ---------------------------------------------------------------------------------


def _norm(name: object) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).casefold()).strip("_")


def _source(frame: pd.DataFrame) -> str:
    return str(frame.attrs.get("source", "the sampling frame"))


def read_frame(path: str | Path) -> pd.DataFrame:
    """Read a sampling frame: a CSV (UTF-8) or the first sheet of a workbook, one row per unit.

    Parameters
    ----------
    path : str or Path
        The frame, e.g. ``england-upper-tier-las.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per unit, columns as in the file, text stripped; a column whose every
        value is a number becomes numeric (``Int64`` when all are whole). ``attrs["source"]``
        holds the path, so that later errors name the file.

    Raises
    ------
    InputError
        When the file is missing, unreadable, empty or has a blank or repeated header.
    """
    sheet = read_sheet(path)
    header = [cell_text(c) for c in sheet.rows[0]]
    where = sheet.where(sheet.numbers[0])
    if None in header:
        raise InputError(sheet.file, where, "a column has no header", "name every column")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise InputError(
            sheet.file, where, f"repeated column names: {repeated}", "rename them apart"
        )
    rows = [[cell_text(c) for c in cells] for _, cells in sheet.records()]
    if not rows:
        raise InputError(sheet.file, "", "the frame has a header but no rows", "add the units")
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    for column in frame.columns:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        if numbers.notna().sum() == frame[column].notna().sum() > 0:
            whole = (numbers.dropna() % 1 == 0).all()
            frame[column] = numbers.astype("Int64") if whole else numbers
    frame.attrs["source"] = sheet.file
    return frame


def _find_column(frame: pd.DataFrame, name: str) -> str | None:
    """The frame's column for ``name``: same name (ignoring case and punctuation), or an alias."""
    by_norm = {_norm(c): c for c in frame.columns}
    if _norm(name) in by_norm:
        return by_norm[_norm(name)]
    for alias in FRAME_ALIASES.get(_norm(name), ()):
        if alias in by_norm:
            return by_norm[alias]
    if _norm(name) == "imd_decile":
        hits = [c for n, c in by_norm.items() if _IMD_DECILE.search(n)]
        return hits[0] if len(hits) == 1 else None
    return None


def resolve_variables(
    frame: pd.DataFrame, names: Iterable[str], *, required: bool = True
) -> list[str]:
    """The frame's column for each variable name, in order.

    Parameters
    ----------
    frame : DataFrame
        The sampling frame.
    names : iterable of str
        Column names, or the site table's names (``imd_decile``, ``la_type``, ...).
    required : bool
        When True a name the frame lacks is an error; when False it is left out.

    Returns
    -------
    list of str

    Raises
    ------
    ValidationError
        Naming the file, every missing variable and the columns the frame has.
    """
    found, resolved = Problems(), []
    has = ", ".join(map(str, frame.columns))
    for name in names:
        column = _find_column(frame, name)
        if column is None and required:
            found.add(
                _source(frame),
                "",
                f"there is no {name!r} column (the frame has: {has})",
                "choose variables from those columns, or add the column to the frame",
            )
        elif column is not None and column not in resolved:
            resolved.append(column)
    found.raise_if_any(f"reading {_source(frame)}")
    return resolved


def _stratum_labels(frame: pd.DataFrame, strata: Sequence[str]) -> pd.Series:
    if not strata:
        return pd.Series(ALL, index=frame.index)
    parts = frame[list(strata)].astype("string").fillna("(blank)")
    return parts.agg(" / ".join, axis=1)


def _key_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that name units: text with unique values, or whole-number codes and ids."""
    return [
        c
        for c in frame.columns
        if frame[c].notna().all()
        and frame[c].is_unique
        and (
            not _is_numeric(frame[c])
            or (pd.api.types.is_integer_dtype(frame[c]) and re.search(r"code|id$", _norm(c)))
        )
    ]


def _forced(frame: pd.DataFrame, include: Iterable[str]) -> np.ndarray:
    """Positions of the units named in ``include`` (any case), matched on :func:`_key_columns`."""
    keys = _key_columns(frame)
    lookup: dict[str, set[int]] = {}
    spelled: dict[str, str] = {}  # folded -> as the frame writes it, for suggestions
    for column in keys:
        for position, value in enumerate(frame[column].astype(str)):
            folded = " ".join(value.casefold().split())
            lookup.setdefault(folded, set()).add(position)
            spelled.setdefault(folded, value)
    found, positions = Problems(), []
    for name in include:
        folded = " ".join(str(name).casefold().split())
        hits = lookup.get(folded, set())
        if len(hits) == 1:
            positions.extend(hits)
            continue
        close = difflib.get_close_matches(folded, list(lookup), n=3, cutoff=0.6)
        found.add(
            _source(frame),
            "--include",
            f"{name!r} " + ("matches no unit" if not hits else f"matches {len(hits)} units"),
            f"use a name or code from the columns {', '.join(keys)}"
            + (f"; did you mean {' or '.join(repr(spelled[c]) for c in close)}?" if close else ""),
        )
    found.raise_if_any(f"choosing from {_source(frame)}")
    return np.array(sorted(set(positions)), dtype=int)


# --- allocation ------------------------------------------------------------------------------


def _largest_remainder(sizes: np.ndarray, seats: int) -> np.ndarray:
    """Hamilton's method in whole numbers: floors of the quotas, then one more seat to each
    of the largest remainders (ties: the larger stratum, then the earlier one)."""
    total = int(sizes.sum())
    base, remainder = np.divmod(seats * sizes, total)
    order = np.lexsort((np.arange(len(sizes)), -sizes, -remainder))
    base[order[: seats - int(base.sum())]] += 1
    return base


def _allocate(sizes: np.ndarray, forced: np.ndarray, k: int) -> np.ndarray:
    """Largest-remainder seats, at least ``forced`` in each stratum: strata whose share falls
    short are fixed at their forced count and the rest share the remaining seats again."""
    seats = np.zeros(len(sizes), dtype=int)
    fixed = np.zeros(len(sizes), dtype=bool)
    while True:
        free = ~fixed
        seats[fixed] = forced[fixed]
        seats[free] = _largest_remainder(sizes[free], k - int(forced[fixed].sum()))
        short = free & (seats < forced)
        if not short.any():
            return seats
        fixed |= short


def allocate(
    frame: pd.DataFrame,
    *,
    k: int,
    strata: Sequence[str] = (),
    include: Iterable[str] = (),
) -> pd.DataFrame:
    """Seats per stratum: proportional allocation with largest-remainder rounding.

    Parameters
    ----------
    frame : DataFrame
        The sampling frame (see :func:`read_frame`).
    k : int
        Units to choose.
    strata : sequence of str
        The primary stratification variables; their combinations present in the frame
        are the strata. None: one stratum.
    include : iterable of str
        Units that must be chosen (names or codes); each takes a seat in its stratum.

    Returns
    -------
    pandas.DataFrame
        One row per stratum, in order of first appearance in the frame: ``stratum`` (the
        levels joined by " / "), one column per stratification variable, ``n_frame``,
        ``quota`` (k x n_frame / N), ``forced`` and ``seats`` (summing to k).

    Raises
    ------
    ValueError
        When ``k`` is not a whole number from 1 to the frame's size.
    ConfigError
        When more units are force-included than ``k``.
    ValidationError
        When a variable is missing or an ``include`` name matches no unit or several.
    """
    strata = resolve_variables(frame, strata)
    if not isinstance(k, int | np.integer) or not 1 <= k <= len(frame):
        raise ValueError(
            f"`k` must be one of 1..{len(frame)} (the frame's size), but {k!r} was passed"
        )
    forced = _forced(frame, include)
    if len(forced) > k:
        raise ConfigError(f"{len(forced)} authorities are force-included, more than k = {k}")
    labels = _stratum_labels(frame, strata)
    is_forced = pd.Series(False, index=frame.index)
    is_forced.iloc[forced] = True
    table = (
        pd.DataFrame({"stratum": labels, "forced": is_forced})
        .join(frame[list(strata)])
        .groupby("stratum", sort=False)
        .agg(
            **{c: (c, "first") for c in strata},
            n_frame=("forced", "size"),
            forced=("forced", "sum"),
        )
        .reset_index()
    )
    table["quota"] = k * table["n_frame"] / len(frame)
    table["seats"] = _allocate(table["n_frame"].to_numpy(), table["forced"].to_numpy(), k)
    return table[["stratum", *strata, "n_frame", "quota", "forced", "seats"]]


# --- balance -----------------------------------------------------------------------------------


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _design(frame: pd.DataFrame, variables: Sequence[str]) -> pd.DataFrame:
    """Indicator columns for each categorical level and numeric variables as numbers."""
    parts = []
    for column in variables:
        values = frame[column]
        if _is_numeric(values):
            if values.isna().any():
                rows = [str(i + 2) for i in np.flatnonzero(values.isna())][:5]
                raise InputError(
                    _source(frame),
                    f"column {column!r}, line(s) {', '.join(rows)}",
                    "a numeric balance variable is blank",
                    "fill in the values, or leave the variable out of --balance",
                )
            parts.append(values.astype(float).rename(f"{column}"))
        else:
            levels = values.astype("string").fillna("(blank)")
            parts.append(pd.get_dummies(levels, prefix=column, prefix_sep="=", dtype=float))
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)


def _standardised(frame: pd.DataFrame, variables: Sequence[str]) -> np.ndarray:
    """The design standardised by the frame's mean and SD; constant columns dropped.

    The mean of a sample's rows is then its standardised difference from the frame.
    """
    design = _design(frame, variables)
    sd = design.std(ddof=0)
    keep = sd > 0
    return ((design.loc[:, keep] - design.mean()[keep]) / sd[keep]).to_numpy()


def balance_table(
    frame: pd.DataFrame, sample: pd.DataFrame, *, variables: Sequence[str]
) -> pd.DataFrame:
    """Frame against sample, per level of each categorical variable and per numeric variable.

    Parameters
    ----------
    frame : DataFrame
        The sampling frame.
    sample : DataFrame
        The chosen rows (with the frame's columns).
    variables : sequence of str
        Variables to compare.

    Returns
    -------
    pandas.DataFrame
        ``variable, kind`` ("categorical" or "numeric"), ``level`` (None for numeric),
        ``frame_n, frame_pct, sample_n, sample_pct`` (levels), ``frame_mean, sample_mean``
        (numeric), and ``std_diff``: (sample - frame) / frame SD, with the SD of a level
        sqrt(p(1 - p)); NaN when the frame does not vary.
    """
    rows = []
    for column in resolve_variables(frame, variables):
        values = frame[column]
        if _is_numeric(values):
            mean, sd = values.mean(), values.std(ddof=0)
            rows.append(
                {
                    "variable": column,
                    "kind": "numeric",
                    "frame_mean": mean,
                    "sample_mean": sample[column].mean(),
                    "std_diff": (sample[column].mean() - mean) / sd if sd > 0 else np.nan,
                }
            )
            continue
        levels = values.astype("string").fillna("(blank)")
        chosen = sample[column].astype("string").fillna("(blank)")
        counts = levels.value_counts(sort=False)
        counts = counts.sort_values(ascending=False, kind="stable")
        for level, n in counts.items():
            p, q = n / len(frame), (chosen == level).mean()
            sd = np.sqrt(p * (1 - p))
            rows.append(
                {
                    "variable": column,
                    "kind": "categorical",
                    "level": level,
                    "frame_n": int(n),
                    "frame_pct": p,
                    "sample_n": int((chosen == level).sum()),
                    "sample_pct": q,
                    "std_diff": (q - p) / sd if sd > 0 else np.nan,
                }
            )
    columns = ["variable", "kind", "level", "frame_n", "frame_pct", "sample_n", "sample_pct"]
    table = pd.DataFrame(rows, columns=[*columns, "frame_mean", "sample_mean", "std_diff"])
    return table.astype({"frame_n": "Int64", "sample_n": "Int64"})


def imbalance(frame: pd.DataFrame, sample: pd.DataFrame, *, variables: Sequence[str]) -> float:
    """The rerandomisation criterion: the sum of absolute standardised differences.

    Equal to ``balance_table(...)["std_diff"].abs().sum()``.
    """
    return float(balance_table(frame, sample, variables=variables)["std_diff"].abs().sum())


# --- drawing -----------------------------------------------------------------------------------


def draw_sample(
    frame: pd.DataFrame,
    *,
    k: int,
    strata: Sequence[str] = (),
    balance: Sequence[str] = (),
    include: Iterable[str] = (),
    seed: int | None = None,
    candidates: int = 1000,
) -> pd.DataFrame:
    """A stratified sample of ``k`` units, balanced on secondary variables by rerandomisation.

    Parameters
    ----------
    frame : DataFrame
        The sampling frame (see :func:`read_frame`).
    k : int
        Units to choose.
    strata : sequence of str
        Primary strata; seats by :func:`allocate`.
    balance : sequence of str
        Secondary variables to balance: categorical ones level by level, numeric ones
        as numbers.
    include : iterable of str
        Units that must be chosen (names or codes, matched on any column of unique values).
    seed : int, optional
        Seed of ``numpy.random.default_rng``: the same seed gives the same sample.
    candidates : int
        Candidate samples drawn; the one with the smallest :func:`imbalance` on
        ``balance`` is kept (the first of equals). ``candidates=1`` is a plain stratified
        random sample, and is the first candidate of any larger draw with the same seed,
        so rerandomisation never does worse than it.

    Returns
    -------
    pandas.DataFrame
        The chosen rows of ``frame`` in frame order (index kept), with ``stratum`` and
        ``forced`` (bool) added.

    Raises
    ------
    ValueError
        When ``k`` or ``candidates`` is out of range.
    ConfigError
        When more units are force-included than ``k``.
    ValidationError
        When a variable is missing or an ``include`` name matches no unit or several.
    InputError
        When a numeric balance variable has blanks.
    """
    if not isinstance(candidates, int | np.integer) or candidates < 1:
        raise ValueError(f"`candidates` must be a whole number >= 1, but {candidates!r} was passed")
    strata, balance = resolve_variables(frame, strata), resolve_variables(frame, balance)
    include = list(include)
    seats = allocate(frame, k=k, strata=strata, include=include)
    forced = _forced(frame, include)
    labels = _stratum_labels(frame, strata).to_numpy()
    z = _standardised(frame, balance)

    rng = np.random.default_rng(seed)
    keys = rng.random((candidates, len(frame)))  # row 0 is the same for any `candidates`
    keys[:, forced] = -1.0  # forced units come first in their stratum
    chosen = np.zeros(keys.shape, dtype=bool)
    rows = np.arange(candidates)[:, None]
    for stratum, n in zip(seats["stratum"], seats["seats"], strict=True):
        members = np.flatnonzero(labels == stratum)
        picks = np.argsort(keys[:, members], axis=1, kind="stable")[:, :n]
        chosen[rows, members[picks]] = True
    scores = np.abs(chosen @ z / k).sum(axis=1)
    best = int(np.argmin(scores))  # argmin returns the first of equal minima

    positions = np.flatnonzero(chosen[best])
    sample = frame.iloc[positions].copy()
    sample["stratum"] = labels[positions]
    sample["forced"] = np.isin(positions, forced)
    # How the sample was drawn, for format_sample and anyone who reports it.
    sample.attrs = {
        **frame.attrs,
        "strata": strata,
        "balance": balance,
        "include": include,
        "seed": seed,
        "candidates": candidates,
    }
    return sample


def _gower(frame: pd.DataFrame, variables: Sequence[str], a: np.ndarray, b: np.ndarray):
    """Gower distances between rows ``a`` and ``b`` of the frame: each variable counts once,
    a categorical one as 0 (same level) or 1, a numeric one as its gap over the frame's range."""
    from scipy.spatial.distance import cdist

    total = np.zeros((len(a), len(b)))
    for column in variables:
        values = frame[column]
        if _is_numeric(values):
            span = float(values.max() - values.min()) or 1.0
            x = values.to_numpy(dtype=float)[:, None] / span
            total += cdist(x[a], x[b], "cityblock")
        else:
            codes = values.astype("string").fillna("(blank)").to_numpy()
            total += codes[a][:, None] != codes[b][None, :]
    return total / max(len(variables), 1)


def draw_reserves(
    frame: pd.DataFrame,
    sample: pd.DataFrame,
    *,
    strata: Sequence[str] = (),
    balance: Sequence[str] = (),
) -> pd.DataFrame:
    """One matched reserve per chosen unit: same stratum, not in the sample, nearest on ``balance``.

    Within each stratum, chosen units and spare units are paired to minimise the total
    Gower distance (``scipy.optimize.linear_sum_assignment``), so no reserve serves two
    units. A stratum with fewer spare units than chosen ones leaves some without a reserve.

    Parameters
    ----------
    frame : DataFrame
        The sampling frame.
    sample : DataFrame
        The chosen rows, with the frame's index (as :func:`draw_sample` returns them).
    strata, balance : sequence of str
        As given to :func:`draw_sample`.

    Returns
    -------
    pandas.DataFrame
        The reserve rows of ``frame``, in the order of the units they replace, with
        ``stratum``, ``replaces`` (the index label of the chosen unit) and ``distance``
        (0 = the same on every balance variable, 1 = different on all).
    """
    from scipy.optimize import linear_sum_assignment

    strata, balance = resolve_variables(frame, strata), resolve_variables(frame, balance)
    if not sample.index.isin(frame.index).all():
        raise ValueError("`sample` must hold rows of `frame`, with the frame's index")
    labels = _stratum_labels(frame, strata).to_numpy()
    in_sample = frame.index.isin(sample.index)
    pairs = []
    for stratum in pd.unique(labels[in_sample]):
        chosen = np.flatnonzero(in_sample & (labels == stratum))
        spare = np.flatnonzero(~in_sample & (labels == stratum))
        if not len(spare):
            continue
        cost = _gower(frame, balance, chosen, spare)
        rows, cols = linear_sum_assignment(cost)
        pairs += [(chosen[r], spare[c], cost[r, c]) for r, c in zip(rows, cols, strict=True)]
    order = {label: i for i, label in enumerate(sample.index)}
    pairs.sort(key=lambda pair: order[frame.index[pair[0]]])
    reserves = frame.iloc[[spare for _, spare, _ in pairs]].copy()
    reserves["stratum"] = labels[[spare for _, spare, _ in pairs]]
    reserves["replaces"] = [frame.index[chosen] for chosen, _, _ in pairs]
    reserves["distance"] = [float(d) for *_, d in pairs]
    reserves.attrs = dict(frame.attrs)
    return reserves


# --- the site table ------------------------------------------------------------------------------


def site_table(
    units: pd.DataFrame,
    *,
    ids: Sequence[str] | None = None,
    columns: Mapping[str, str] | None = None,
    extra: Sequence[str] = (),
    prefix: str = "S",
) -> pd.DataFrame:
    """Chosen units as the site table ``evstudy ingest`` reads (``sites.csv``).

    Parameters
    ----------
    units : DataFrame
        Rows of the frame (a sample, or reserves).
    ids : sequence of str, optional
        The ``site_id`` of each row; default ``S01``, ``S02``, ... in row order.
    columns : mapping, optional
        Site-table column to frame column, where the frame's names are not recognised.
    extra : sequence of str, optional
        Other frame columns to carry as the study's own site attributes (for instance the
        variables the sample was stratified or balanced on), under their frame names.
    prefix : str
        The letter(s) before the number of a default id.

    Returns
    -------
    pandas.DataFrame
        The site table's columns (``site_id, site_name``, then each column ingest reads
        from ``sites.csv``), labels as the frame spells them; a yes/no flag is written
        ``yes`` or ``no``; then the ``extra`` columns. A column the frame lacks is blank
        (:func:`format_sample` lists them).
    """
    columns = dict(columns or {})
    width = max(2, len(str(len(units))))
    site_ids = (
        list(ids)
        if ids is not None
        else [f"{prefix}{i:0{width}d}" for i in range(1, len(units) + 1)]
    )
    if len(site_ids) != len(units):
        raise ValueError(
            f"`ids` must have one id per row ({len(units)}), but {len(site_ids)} were passed"
        )
    table = pd.DataFrame({"site_id": site_ids}, index=units.index)
    named = list(SITE_COLUMNS)[1:]
    for key in [*named, *(c for c in extra if c not in named)]:
        source = columns.get(key) or _find_column(units, key)
        table[key] = units[source] if source is not None else None
        if source is not None and _is_flag(table[key]):
            # ingest reads yes/no flags; the frame may spell them True/1/Y
            folded = table[key].astype("string").str.strip().str.casefold()
            table[key] = np.where(folded.isin(TRUE_VALUES), "yes", "no")
    if table["imd_decile"].notna().any():
        table["imd_decile"] = pd.to_numeric(table["imd_decile"]).astype("Int64")
    return table.reset_index(drop=True)


def _is_flag(values: pd.Series) -> bool:
    """A column of yes/no answers only (any spelling parse_bool reads), not all blank."""
    folded = values.dropna().astype("string").str.strip().str.casefold()
    return bool(len(folded)) and folded.isin(FLAG_VALUES).all()


def write_site_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a site table as UTF-8 CSV with LF line endings, atomically."""
    return atomic_write_text(path, table.to_csv(index=False, lineterminator="\n"))


def format_balance_table(table: pd.DataFrame) -> str:
    """The balance table as plain text: frame % and sample % per level, means for numbers."""
    levels = table["kind"].eq("categorical")
    shown = pd.DataFrame(
        {
            "variable": table["variable"],
            "level": table["level"].fillna("(mean)"),
            "frame": table["frame_pct"]
            .map("{:.0%}".format)
            .where(levels, table["frame_mean"].map("{:.2f}".format)),
            "sample": table["sample_pct"]
            .map("{:.0%}".format)
            .where(levels, table["sample_mean"].map("{:.2f}".format)),
            "std_diff": table["std_diff"]
            .map("{:+.2f}".format)
            .where(table["std_diff"].notna(), ""),
        }
    )
    shown.loc[shown["variable"].duplicated(), "variable"] = ""
    return shown.to_string(index=False)


def reserve_table(
    frame: pd.DataFrame,
    sample: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    strata: Sequence[str] = (),
    balance: Sequence[str] = (),
) -> pd.DataFrame:
    """The reserves as a site table: each row carries the ``site_id`` of the site it replaces.

    A reserve row can replace its site's row in ``sites.csv`` as it is.

    Parameters
    ----------
    frame, sample : DataFrame
        As for :func:`draw_reserves`.
    sites : DataFrame
        ``site_table(sample)``: the ids the reserves take over.
    strata, balance : sequence of str
        As given to :func:`draw_sample`.

    Returns
    -------
    pandas.DataFrame
        The site table's columns, then ``replaces`` (the chosen site's name) and ``distance``.
    """
    reserves = draw_reserves(frame, sample, strata=strata, balance=balance)
    chosen = sites.set_axis(sample.index)
    table = site_table(
        reserves,
        ids=reserves["replaces"].map(chosen["site_id"]).tolist(),
        extra=[c for c in chosen.columns if c not in SITE_COLUMNS],
    )
    return table.assign(
        replaces=reserves["replaces"].map(chosen["site_name"]).to_numpy(),
        distance=reserves["distance"].round(4).to_numpy(),
    )


def format_sample(
    frame: pd.DataFrame,
    sample: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    plain: pd.DataFrame | None = None,
    reserves: pd.DataFrame | None = None,
) -> str:
    """What ``evstudy sample`` prints: seats per stratum, the sites, the balance table.

    Parameters
    ----------
    frame : DataFrame
        The sampling frame.
    sample : DataFrame
        From :func:`draw_sample` (its ``attrs`` say how it was drawn).
    sites : DataFrame
        ``site_table(sample)``.
    plain : DataFrame, optional
        A plain stratified draw (``candidates=1``) with the same seed, to compare imbalance.
    reserves : DataFrame, optional
        From :func:`reserve_table`.

    Returns
    -------
    str
    """
    strata = list(sample.attrs.get("strata", []))
    balance = list(sample.attrs.get("balance", []))
    seats = allocate(frame, k=len(sample), strata=strata, include=sample.attrs.get("include", ()))
    chosen = sites[["site_id", "site_name"]].assign(
        stratum=sample["stratum"].to_numpy(),
        forced=np.where(sample["forced"], "yes", ""),
    )
    table = balance_table(frame, sample, variables=[*strata, *balance])
    score = imbalance(frame, sample, variables=balance)
    lines = [
        f"Frame: {_source(frame)} ({len(frame)} units); k = {len(sample)}; "
        f"seed {sample.attrs.get('seed')}",
        f"Primary strata: {', '.join(strata) or 'none'}; balanced: {', '.join(balance) or 'none'}",
        "",
        "Seats per stratum (proportional allocation, largest remainder):",
        seats.drop(columns=strata).to_string(index=False, float_format="{:.2f}".format),
        "",
        "Chosen:",
        chosen.to_string(index=False),
        "",
        "Balance, frame against sample (std_diff: standardised difference):",
        format_balance_table(table),
        "",
        f"Imbalance (sum of |std_diff| over the balance variables): {score:.2f}, the best of "
        f"{sample.attrs.get('candidates', 1)} candidate samples",
    ]
    if plain is not None:
        lines[-1] += f" (a plain stratified draw: {imbalance(frame, plain, variables=balance):.2f})"
    if reserves is not None:
        lines += [
            "",
            "Reserves (same stratum, nearest on the balance variables; Gower distance 0-1):",
            reserves[["site_id", "replaces", "site_name", "distance"]].to_string(index=False),
        ]
        lacking = sorted(set(sites["site_id"]) - set(reserves["site_id"]))
        if lacking:
            lines.append(f"No spare authority in the stratum of {', '.join(lacking)}.")
    lacking = [key for key in list(SITE_COLUMNS)[2:] if not _find_column(frame, key)]
    if lacking:
        lines.append(
            f"\nThe frame has no {', '.join(lacking)}: the site table leaves "
            f"{'it' if len(lacking) == 1 else 'them'} blank; fill in what ingest needs by hand."
        )
    return "\n".join(lines)
