"""Survey charts: Likert grids, ranked choices, awareness and use, and subgroup panels.

Each function takes one of the tidy tables :mod:`evstudy.survey` returns and
gives back ``(figure, alt_text)``: a matplotlib Figure in the project style
and one sentence that says what the chart shows, with its key numbers, for
the report's alt text. Every chart carries its base (n), and the ranked
choices carry 95% Wilson intervals, so small bases are never hidden.
Figures are made with ``matplotlib.figure.Figure`` rather than pyplot, so
building many charts leaves no global state behind; show one in a notebook
by ending a cell with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from evstudy.charts.save import freeze_layout
from evstudy.charts.style import (
    ACCENT,
    INK,
    TITLE_WIDTH,
    chart_style,
    fmt_pct,
    likert_palette,
    n_label,
    percent_formatter,
    sequential_palette,
    with_n,
    wrap_label,
)

__all__ = ["awareness_chart", "likert_chart", "ranking_chart", "subgroup_chart"]

CHOICE_COLUMNS = ("option", "n", "base", "pct", "ci_low", "ci_high")
LIKERT_COLUMNS = ("item_id", "item_label", "category", "position", "valence", "n", "base", "pct")
AWARENESS_COLUMNS = ("item_id", "item_label", "category", "position", "n", "base", "pct")
VALENCES = ("negative", "neutral", "positive")
WIDTH = 9.0  # inches: the report's text width at 200 dpi
ROW = 0.42  # inches per bar
ALT_ITEMS = 8  # items an alt text lists before "and k more"
LIKERT_XLABEL = "% of respondents (neutral split across zero)"
CHOICE_XLABEL = "% of respondents choosing each option (lines: 95% Wilson intervals)"


# --- shared pieces -------------------------------------------------------------------------------


def _require(table: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"`{name}` must be a DataFrame, but {type(table).__name__} was passed")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"`{name}` is missing columns {missing}; it needs {list(columns)}")
    if table.empty:
        raise ValueError(f"`{name}` has no rows to chart")


def _subject(title: str) -> str:
    """The title as it reads mid-sentence ("Barriers to..." -> "barriers to...")."""
    title = title.strip().rstrip(".")
    return title[:1].lower() + title[1:] if title[1:2].islower() else title


def _listing(parts: list[str]) -> str:
    extra = len(parts) - ALT_ITEMS
    shown = parts[:ALT_ITEMS] + ([f"and {extra} more"] if extra > 0 else [])
    return "; ".join(shown)


def _figure(n_items: int, *, extra: float = 1.9, ncols: int = 1, nrows: int = 1):
    height = max(2.6, nrows * (ROW * n_items + 0.6) + extra)
    fig = Figure(figsize=(WIDTH, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    return fig, axes


def _items_axis(ax: Axes, labels: list[str]) -> None:
    """Put one labelled row per item, first item at the top."""
    ax.set_yticks(np.arange(len(labels)), labels=[wrap_label(x) for x in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)  # explicit limits, not invert: safe with shared axes
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)


def _n_per_row(ax: Axes, bases: pd.Series) -> None:
    """Write each row's base just right of the plotting area."""
    trans = ax.get_yaxis_transform()  # x in axes fraction, y in data
    for y, base in enumerate(bases):
        ax.text(1.01, y, n_label([base]), transform=trans, va="center", ha="left", fontsize=8)


def _panel_grid(n_panels: int) -> tuple[int, int]:
    ncols = min(n_panels, 3)
    return math.ceil(n_panels / ncols), ncols


def _hide_spare(axes: np.ndarray, n_panels: int, xlabel: str) -> list[Axes]:
    flat = list(axes.flat)
    ncols = axes.shape[1]
    for i, ax in enumerate(flat):
        if i >= n_panels:
            ax.set_visible(False)
        elif i + ncols >= n_panels:  # nothing below: this panel shows the x axis
            ax.tick_params(axis="x", labelbottom=True)
            ax.set_xlabel(xlabel, fontsize=9)
    return flat[:n_panels]


def _groups(table: pd.DataFrame, by: str) -> list:
    column = table[by]
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column.dropna())
        return [g for g in column.cat.categories if g in present]
    return list(pd.unique(column.dropna()))


# --- Likert --------------------------------------------------------------------------------------


def _scale(table: pd.DataFrame) -> pd.DataFrame:
    """The categories in scale order with their valence, checked for a coherent scale."""
    scale = (
        table[["category", "position", "valence"]]
        .drop_duplicates()
        .sort_values("position", kind="stable")
        .reset_index(drop=True)
    )
    for value in scale["valence"]:
        if value not in VALENCES:
            raise ValueError(f"`valence` must be one of {VALENCES}, but {value!r} was passed")
    if scale["category"].duplicated().any() or scale["position"].duplicated().any():
        raise ValueError("each Likert category must have one position and one valence")
    rank = scale["valence"].map(VALENCES.index)
    if not rank.is_monotonic_increasing:
        raise ValueError("Likert positions must run negative -> neutral -> positive")
    return scale


def _likert_wide(table: pd.DataFrame, scale: pd.DataFrame) -> pd.DataFrame:
    """One row per item: pct per category (scale order), plus label, base and totals."""
    wide = table.pivot_table(
        index="item_id", columns="category", values="pct", aggfunc="sum", fill_value=0.0
    ).reindex(columns=scale["category"], fill_value=0.0)
    firsts = table.groupby("item_id", sort=False).agg(item_label=("item_label", "first"))
    firsts["base"] = table.groupby("item_id")["base"].max()
    by_valence = {v: scale.loc[scale["valence"] == v, "category"] for v in VALENCES}
    for valence, cats in by_valence.items():
        firsts[f"pct_{valence}"] = wide[list(cats)].sum(axis=1)
    return wide.join(firsts)


def _likert_order(wide: pd.DataFrame, item_order: list) -> list:
    """Items by % positive (highest first), ties by % negative (lowest first), then as given."""
    ranked = wide.assign(_given=pd.Series(range(len(item_order)), index=item_order))
    ranked = ranked.sort_values(
        ["pct_positive", "pct_negative", "_given"], ascending=[False, True, True], kind="stable"
    )
    return list(ranked.index)


def _draw_likert(
    ax: Axes, wide: pd.DataFrame, scale: pd.DataFrame, order: list, *, totals_size: float = 8
) -> float:
    """Heiberger–Robbins diverging bars (neutral straddles zero); returns the widest reach."""
    rows = wide.reindex(order).fillna(0.0)
    y = np.arange(len(order))
    colours = likert_palette(scale["valence"])
    left = -(rows["pct_negative"] + rows["pct_neutral"] / 2)
    start = left.to_numpy(copy=True)
    for category, colour in zip(scale["category"], colours, strict=True):
        width = rows[category].to_numpy()
        ax.barh(
            y, width, left=start, height=0.7, color=colour, label=category,
            edgecolor="white", linewidth=0.5,
        )  # fmt: skip
        start = start + width
    # Totals at the bar ends: the shares a reader compares between items.
    for i, (lo, hi, neg, pos) in enumerate(
        zip(left, start, rows["pct_negative"], rows["pct_positive"], strict=True)
    ):
        ax.text(lo - 0.01, i, fmt_pct(neg), ha="right", va="center", fontsize=totals_size)
        ax.text(hi + 0.01, i, fmt_pct(pos), ha="left", va="center", fontsize=totals_size)
    ax.axvline(0, color=INK, linewidth=0.8)
    ax.xaxis.set_major_formatter(percent_formatter(absolute=True))
    ax.grid(axis="x")
    _items_axis(ax, list(rows["item_label"]))
    return max(float(-left.min()), float(start.max()))


def _likert_xlim(ax: Axes, reach: float) -> None:
    """Symmetric limits with room for the totals written at the bar ends."""
    limit = min(1.2, math.ceil(max(reach, 0.1) * 10) / 10 + 0.12)
    ax.set_xlim(-limit, limit)


def _scale_legend(fig: Figure, scale: pd.DataFrame) -> None:
    colours = likert_palette(scale["valence"])
    handles = [Patch(color=c, label=cat) for cat, c in zip(scale["category"], colours, strict=True)]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))


def likert_chart(
    likert_table: pd.DataFrame, *, title: str, summary: pd.DataFrame | None = None
) -> tuple[Figure, str]:
    """Diverging stacked bars of a Likert grid, one bar per item.

    Negative categories extend left of zero, positive ones right, and the
    neutral category is split evenly across zero (Heiberger & Robbins 2014).
    Items are sorted by % positive, highest at the top; each bar shows its
    % negative and % positive at its ends and its base (n) on the right.

    Parameters
    ----------
    likert_table : DataFrame
        Long table: ``item_id, item_label, category, position, valence, n, base, pct``
        (``pct`` as a proportion of the item's base).
    title : str
        Chart title; the base is appended.
    summary : DataFrame, optional
        The Likert summary (``item_id, pct_positive, ...``); when given, its
        ``pct_positive`` orders the items.

    Returns
    -------
    (Figure, str)
        The chart and a one-sentence alt text.
    """
    _require(likert_table, LIKERT_COLUMNS, "likert_table")
    scale = _scale(likert_table)
    wide = _likert_wide(likert_table, scale)
    given = list(pd.unique(likert_table["item_id"]))
    ranked = wide
    if summary is not None:
        _require(summary, ("item_id", "pct_positive"), "summary")
        ranked = wide.assign(
            pct_positive=summary.set_index("item_id")["pct_positive"].reindex(wide.index)
        )
    order = _likert_order(ranked, given)

    with chart_style():
        fig, axes = _figure(len(order), extra=1.9)
        ax = axes[0, 0]
        _likert_xlim(ax, _draw_likert(ax, wide, scale, order))
        _n_per_row(ax, wide.loc[order, "base"])
        ax.set_title(with_n(title, wide["base"]))
        ax.set_xlabel(LIKERT_XLABEL)
        _scale_legend(fig, scale)

    parts = [
        f"{wide.at[i, 'item_label']} {fmt_pct(wide.at[i, 'pct_positive'])} positive, "
        f"{fmt_pct(wide.at[i, 'pct_negative'])} negative"
        for i in order
    ]
    alt = (
        f"Diverging stacked bar chart of {_subject(title)} ({n_label(wide['base'])}), "
        f"{len(order)} items from most to least positive on a scale from "
        f"{scale['category'].iloc[0]} to {scale['category'].iloc[-1]}: {_listing(parts)}."
    )
    return freeze_layout(fig), alt


# --- ranked choices ------------------------------------------------------------------------------


def _choice_order(table: pd.DataFrame) -> pd.DataFrame:
    """Largest share first; ties keep the table's rank, then its order; suppressed last."""
    keys = ["pct"] + (["rank"] if "rank" in table.columns else [])
    return table.sort_values(
        keys, ascending=[False] + [True] * (len(keys) - 1), na_position="last", kind="stable"
    )


def _draw_bars(ax: Axes, rows: pd.DataFrame, *, labels: bool = True) -> None:
    """Horizontal bars of ``pct`` with their 95% intervals as error bars."""
    y = np.arange(len(rows))
    pct = rows["pct"].to_numpy(dtype=float)
    shown = ~np.isnan(pct)
    err = np.vstack([pct - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - pct])
    err = np.where(shown, np.clip(err, 0, None), 0.0)
    ax.barh(
        y, np.where(shown, pct, 0.0), xerr=err, height=0.65, color=ACCENT,
        error_kw={"ecolor": INK, "capsize": 3, "elinewidth": 1, "capthick": 1},
    )  # fmt: skip
    if labels:
        ends = np.where(shown, rows["ci_high"].to_numpy(float), 0.0)
        for i, (end, p) in enumerate(zip(ends, pct, strict=True)):
            ax.text(end + 0.01, i, fmt_pct(p), ha="left", va="center", fontsize=8)
    top = np.nanmax(np.append(rows["ci_high"].to_numpy(float), 0.1))
    ax.set_xlim(0, min(1.0, top + 0.1) if labels else min(1.0, top + 0.02))
    ax.xaxis.set_major_formatter(percent_formatter())
    ax.grid(axis="x")
    _items_axis(ax, list(rows["option"]))


def ranking_chart(
    choice_table: pd.DataFrame, *, title: str, top: int | None = None
) -> tuple[Figure, str]:
    """Horizontal bars of the share choosing each option, largest at the top.

    Each bar carries its 95% Wilson interval (the table's ``ci_low`` and
    ``ci_high``) as an error bar; the base (n) is in the title. Suppressed
    cells (``pct`` missing) are shown as ``c`` at the bottom.

    Parameters
    ----------
    choice_table : DataFrame
        ``option, code, n, base, pct, ci_low, ci_high, rank``; one question, no ``by`` column.
    title : str
        Chart title; the base is appended.
    top : int, optional
        Show only the ``top`` largest options.

    Returns
    -------
    (Figure, str)
        The chart and a one-sentence alt text.
    """
    _require(choice_table, CHOICE_COLUMNS, "choice_table")
    if top is not None and (not isinstance(top, int | np.integer) or top < 1):
        raise ValueError(f"`top` must be one of None or a positive integer, but {top!r} was passed")
    rows = _choice_order(choice_table)
    total = len(rows)
    if top is not None:
        rows = rows.head(top)

    with chart_style():
        fig, axes = _figure(len(rows), extra=1.5)
        ax = axes[0, 0]
        _draw_bars(ax, rows)
        ax.set_title(with_n(title, choice_table["base"]))
        ax.set_xlabel(CHOICE_XLABEL)

    parts = [
        f"{r.option} {fmt_pct(r.pct)}"
        + ("" if r.pct != r.pct else f" ({r.ci_low:.0%}–{r.ci_high:.0%})")
        for r in rows.itertuples()
    ]
    shown = f"top {len(rows)} of {total} options" if len(rows) < total else f"{total} options"
    alt = (
        f"Horizontal bar chart of {_subject(title)} ({n_label(choice_table['base'])}), "
        f"{shown} from largest to smallest with 95% intervals: {_listing(parts)}."
    )
    return freeze_layout(fig), alt


# --- awareness and use ---------------------------------------------------------------------------


def awareness_chart(
    awareness_table: pd.DataFrame, *, title: str, used: Sequence[str]
) -> tuple[Figure, str]:
    """100% stacked bars of awareness and use of each item, most used at the top.

    Segments run from the last scale point (left) to the first (right), so with a
    scale that runs from "not aware" to the most use, the share using each item
    starts from a common baseline; each bar's base (n) is written on the right.

    Parameters
    ----------
    awareness_table : DataFrame
        ``item_id, item_label, category, position, n, base, pct``, one row per item
        and scale point (:func:`evstudy.survey.awareness_table`).
    title : str
        Chart title; the base is appended.
    used : sequence of str
        The scale points that mean "used": items are ordered by their share, and the
        alt text gives it.

    Returns
    -------
    (Figure, str)
        The chart and a one-sentence alt text.
    """
    _require(awareness_table, AWARENESS_COLUMNS, "awareness_table")
    scale = awareness_table[["category", "position"]].drop_duplicates().sort_values("position")
    if scale["category"].duplicated().any():
        raise ValueError("each scale point must have one position")
    cats = list(scale["category"])
    used = [used] if isinstance(used, str) else list(used)
    unknown = [c for c in used if c not in cats]
    if unknown:
        raise ValueError(f"`used` must be points of the scale {cats}, but {unknown!r} was passed")
    wide = awareness_table.pivot_table(
        index="item_id", columns="category", values="pct", aggfunc="sum", fill_value=0.0
    ).reindex(columns=cats, fill_value=0.0)
    info = awareness_table.groupby("item_id", sort=False).agg(
        item_label=("item_label", "first"), base=("base", "max")
    )
    info["pct_used"] = wide[used].sum(axis=1)
    info["_given"] = range(len(info))
    info = info.sort_values(["pct_used", "_given"], ascending=[False, True], kind="stable")
    wide = wide.reindex(info.index)

    colours = dict(zip(cats, sequential_palette(len(cats)), strict=True))
    stack = cats[::-1]  # most use first, on the left
    with chart_style():
        fig, axes = _figure(len(info), extra=1.9)
        ax = axes[0, 0]
        y = np.arange(len(info))
        start = np.zeros(len(info))
        for category in stack:
            width = wide[category].to_numpy()
            ax.barh(y, width, left=start, height=0.7, color=colours[category], label=category,
                    edgecolor="white", linewidth=0.5)  # fmt: skip
            dark = cats.index(category) >= len(cats) / 2
            for i, (x0, w) in enumerate(zip(start, width, strict=True)):
                if w >= 0.07:  # narrower segments cannot hold a label
                    ax.text(x0 + w / 2, i, fmt_pct(w), ha="center", va="center", fontsize=8,
                            color="white" if dark else INK)  # fmt: skip
            start = start + width
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(percent_formatter())
        _items_axis(ax, list(info["item_label"]))
        _n_per_row(ax, info["base"])
        ax.set_title(with_n(title, info["base"]))
        ax.set_xlabel("% of respondents")
        handles = [Patch(color=colours[c], label=c) for c in stack]
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))

    lowest = cats[0]
    parts = [
        f"{r.item_label} {fmt_pct(r.pct_used)} used, "
        f"{fmt_pct(wide.at[i, lowest])} {str(lowest).lower()}"
        for i, r in info.iterrows()
    ]
    alt = (
        f"Stacked bar chart of {_subject(title)} ({n_label(info['base'])}), "
        f"{len(info)} items from most to least used: {_listing(parts)}."
    )
    return freeze_layout(fig), alt


# --- subgroups -----------------------------------------------------------------------------------


def subgroup_chart(table: pd.DataFrame, *, by: str, title: str) -> tuple[Figure, str]:
    """Small multiples: one panel per subgroup, on shared axes, each titled with its n.

    A Likert table gives diverging bars, a choice table bars with 95%
    intervals. Items keep one order in every panel (pooled over the
    subgroups shown), so panels compare row by row. Only subgroups present
    in ``table`` are drawn: disclosure control happens before charting.

    Parameters
    ----------
    table : DataFrame
        A Likert table or a choice table with a ``by`` column.
    by : str
        The column naming the subgroup (e.g. ``"role_group"``).
    title : str
        Figure title.

    Returns
    -------
    (Figure, str)
        The chart and a one-sentence alt text.
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"`table` must be a DataFrame, but {type(table).__name__} was passed")
    if by not in table.columns:
        raise ValueError(f"`by` must be one of {list(table.columns)}, but {by!r} was passed")
    if set(LIKERT_COLUMNS) <= set(table.columns):
        return _likert_panels(table, by=by, title=title)
    if set(CHOICE_COLUMNS) <= set(table.columns):
        return _choice_panels(table, by=by, title=title)
    raise ValueError(
        f"`table` must be a Likert table {list(LIKERT_COLUMNS)} "
        f"or a choice table {list(CHOICE_COLUMNS)} with a {by!r} column"
    )


def _likert_panels(table: pd.DataFrame, *, by: str, title: str) -> tuple[Figure, str]:
    _require(table, LIKERT_COLUMNS, "table")
    groups = _groups(table, by)
    scale = _scale(table)
    # Pooled % positive over the groups shown fixes one item order for every panel.
    positive = set(scale.loc[scale["valence"] == "positive", "category"])
    negative = set(scale.loc[scale["valence"] == "negative", "category"])
    bases = table.drop_duplicates([by, "item_id"]).groupby("item_id")["base"].sum()
    pooled = pd.DataFrame(
        {
            "pct_positive": table[table["category"].isin(positive)].groupby("item_id")["n"].sum(),
            "pct_negative": table[table["category"].isin(negative)].groupby("item_id")["n"].sum(),
        }
    ).reindex(bases.index, fill_value=0)
    pooled = pooled.div(bases, axis=0)
    order = _likert_order(pooled, list(pd.unique(table["item_id"])))

    panels = {g: _likert_wide(table[table[by] == g], scale) for g in groups}
    labels = table.groupby("item_id")["item_label"].first()
    nrows, ncols = _panel_grid(len(groups))
    with chart_style():
        fig, axes = _figure(len(order), extra=1.6, ncols=ncols, nrows=nrows)
        fig.set_figwidth(max(WIDTH, 4.2 * ncols + 2.5))
        reach = 0.0
        for ax, group in zip(_hide_spare(axes, len(groups), LIKERT_XLABEL), groups, strict=True):
            wide = panels[group].reindex(order)
            wide["item_label"] = labels.reindex(order)  # items a group lacks still get labels
            reach = max(reach, _draw_likert(ax, wide, scale, order, totals_size=7))
            ax.set_title(with_n(str(group), panels[group]["base"]), fontsize=10)
        _likert_xlim(axes[0, 0], reach)  # shared: one call sets every panel
        fig.suptitle(wrap_label(title, TITLE_WIDTH), x=0.01, ha="left")
        _scale_legend(fig, scale)

    parts = []
    for group in groups:
        wide = panels[group]
        best = _likert_order(wide, list(wide.index))[0]
        parts.append(
            f"{group} ({n_label(wide['base'])}) most positive about {wide.at[best, 'item_label']} "
            f"({fmt_pct(wide.at[best, 'pct_positive'])})"
        )
    alt = (
        f"Diverging stacked bar charts of {_subject(title)} in {len(groups)} panels by {by}, "
        f"one per subgroup: {_listing(parts)}."
    )
    return freeze_layout(fig), alt


def _choice_panels(table: pd.DataFrame, *, by: str, title: str) -> tuple[Figure, str]:
    _require(table, CHOICE_COLUMNS, "table")
    groups = _groups(table, by)
    # Pooled share over the groups shown fixes one option order for every panel.
    pooled = table.groupby("option", sort=False).agg(n=("n", "sum"), base=("base", "sum"))
    pooled["pct"] = pooled["n"] / pooled["base"]
    order = list(_choice_order(pooled.reset_index())["option"])

    nrows, ncols = _panel_grid(len(groups))
    with chart_style():
        fig, axes = _figure(len(order), extra=1.2, ncols=ncols, nrows=nrows)
        fig.set_figwidth(max(WIDTH, 3.6 * ncols + 2.5))
        for ax, group in zip(_hide_spare(axes, len(groups), CHOICE_XLABEL), groups, strict=True):
            rows = table[table[by] == group].set_index("option").reindex(order)
            _draw_bars(ax, rows.reset_index(), labels=False)
            ax.set_title(with_n(str(group), rows["base"]), fontsize=10)
        top = max(table["ci_high"].max(), 0.1)
        axes[0, 0].set_xlim(0, min(1.0, top + 0.02))
        fig.suptitle(wrap_label(title, TITLE_WIDTH), x=0.01, ha="left")

    parts = []
    for group in groups:
        rows = _choice_order(table[table[by] == group])
        best = rows.iloc[0]
        parts.append(
            f"{group} ({n_label(rows['base'])}) most often chose {best['option']} "
            f"({fmt_pct(best['pct'])}, {best['ci_low']:.0%}–{best['ci_high']:.0%})"
        )
    alt = (
        f"Bar charts of {_subject(title)} in {len(groups)} panels by {by}, one per subgroup, "
        f"with 95% intervals: {_listing(parts)}."
    )
    return freeze_layout(fig), alt
