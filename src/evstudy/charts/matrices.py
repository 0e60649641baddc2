"""Heatmaps of the theme matrices, and one site's row against the cross-site mean.

Each function takes a tidy table from :mod:`evstudy.matrices` and returns
``(figure, alt_text)``: a matplotlib Figure in the project style, cells shaded on
ColorBrewer Blues and labelled with their value, and an alt text that names the matrix,
its size and its largest and smallest cells. Figures are built with
``matplotlib.figure.Figure`` (no pyplot state) and come back laid out and frozen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from evstudy.charts.save import freeze_layout
from evstudy.charts.style import ACCENT, BLUES, INK, OKABE_ITO, chart_style, wrap_label
from evstudy.charts.survey import _require
from evstudy.matrices import matrix_wide

__all__ = [
    "comb_heatmap",
    "framework_heatmap",
    "heatmap",
    "labels_fit",
    "pairs_heatmap",
    "site_comparison_chart",
]

CMAP = LinearSegmentedColormap.from_list("evstudy_blues", BLUES[1:])
WIDTH = 9.0  # inches: the report's text width
CELL = 0.42  # inches per row
SLIM_CELL = 0.24  # inches per row of a long matrix
MATRIX_VALUES = ("participants", "share", "segments")
# A cell holds its value when the widest label ("100%") fits in it at the label's size,
# with room around it; smaller cells are read by their colours (and the table beside).
LABEL_CHARS = 4  # "100%"
CHAR_WIDTH = 0.62  # a DejaVu Sans digit, in ems
MIN_CELL_HEIGHT = 1.4  # in ems of the label's size
COLOURBAR_INCHES = 1.1  # what the colour bar and its label take of the width
DARK = 0.6  # on cells shaded past this fraction of the scale, labels are white


def _label(value: float, percent: bool) -> str:
    if pd.isna(value):
        return ""
    return f"{value:.0%}" if percent else f"{value:,.0f}"


def heatmap(
    wide: pd.DataFrame,
    *,
    title: str,
    value_label: str,
    percent: bool = False,
    subject: str = "cells",
    annotate: bool | None = None,
) -> tuple[Figure, str]:
    """A heatmap of a rows x columns table of numbers, cells labelled with their values.

    Parameters
    ----------
    wide : DataFrame
        Numbers; the index gives the row labels, the columns the column labels.
    title : str
        The chart title (first words of the alt text too).
    value_label : str
        What a cell holds, for the colour bar and the alt text ("participants").
    percent : bool
        Values are proportions (0-1), labelled as percentages on a 0-100% scale.
    subject : str
        What the rows and columns cross, for the alt text ("sites by theme").
    annotate : bool, optional
        Write each cell's value in it. Default: wherever that stays readable, that is when
        a cell is at least ``MIN_CELL_HEIGHT`` ems of the label's size tall and wide
        enough for "100%" (:func:`labels_fit`).

    Returns
    -------
    (Figure, str)
    """
    if not isinstance(wide, pd.DataFrame) or wide.empty:
        raise ValueError("`wide` must be a non-empty DataFrame of numbers")
    # A withheld count ("c") is left blank: neither shaded nor labelled.
    wide = wide.apply(pd.to_numeric, errors="coerce")
    values = wide.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    vmax = 1.0 if percent else max(top, 1.0)
    label_width = max(len(str(i)) for i in wide.index)
    # Long matrices get slimmer rows: still legible at 8 pt, and far fewer pixels to draw.
    height = max(2.8, (CELL if n_rows <= 15 else SLIM_CELL) * n_rows + 2.4)
    with chart_style():
        fig = Figure(figsize=(WIDTH, height), layout="constrained")
        ax = fig.subplots()
        labels = [wrap_label(i, max(28, label_width)) for i in wide.index]
        image = ax.imshow(values, cmap=CMAP, vmin=0, vmax=vmax, aspect="auto")
        ax.set_xticks(
            np.arange(n_cols),
            labels=[wrap_label(c, 18) for c in wide.columns],
            rotation=90 if n_cols > 6 else 0,
            fontsize=8 if n_cols > 12 else 9,
        )
        ax.set_yticks(
            np.arange(n_rows),
            labels=labels,
            fontsize=8 if n_rows > 15 else 9,
        )
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        size = 7 if n_cols > 10 else 8
        if annotate is None:
            text_width = max(len(line) for label in labels for line in label.splitlines())
            annotate = labels_fit(
                n_rows, n_cols, height=height, label_chars=text_width, fontsize=size
            )
        if annotate:
            for (r, c), value in np.ndenumerate(values):
                dark = not pd.isna(value) and value / vmax > DARK
                ax.text(
                    c,
                    r,
                    _label(value, percent),
                    ha="center",
                    va="center",
                    fontsize=size,
                    color="white" if dark else INK,
                    # Inside its cell, so never what sizes the layout or the saved area:
                    # left out of both, it is measured once per image instead of 4 times.
                    in_layout=False,
                )
        ax.set_title(wrap_label(title, 75))
        bar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.01)
        bar.set_label(value_label)
        if percent:
            bar.ax.yaxis.set_major_formatter(lambda x, _pos: f"{x:.0%}")
    freeze_layout(fig)
    return fig, _alt(wide, title=title, value_label=value_label, percent=percent, subject=subject)


def labels_fit(
    n_rows: int, n_cols: int, *, height: float, label_chars: int, fontsize: float
) -> bool:
    """Whether a heatmap's cells are big enough to print their values in, readably.

    Parameters
    ----------
    n_rows, n_cols : int
        The matrix's size.
    height : float
        The figure's height in inches (the width is ``WIDTH``).
    label_chars : int
        The longest row label, in characters: the row labels take that much of the width.
    fontsize : float
        The cell labels' size in points.

    Returns
    -------
    bool
        True when a cell is at least ``MIN_CELL_HEIGHT`` ems tall and holds "100%" with
        half an em to spare on each side, estimated from the figure's size before layout
        (the title and the column labels take about 2.4 inches of the height).
    """
    em = fontsize / 72  # inches
    row_labels = label_chars * CHAR_WIDTH * (8 if n_rows > 15 else 9) / 72
    cell_width = (WIDTH - row_labels - COLOURBAR_INCHES) / n_cols
    cell_height = (height - 2.4) / n_rows
    return cell_height >= MIN_CELL_HEIGHT * em and cell_width >= (LABEL_CHARS * CHAR_WIDTH + 1) * em


def _alt(wide: pd.DataFrame, *, title: str, value_label: str, percent: bool, subject: str) -> str:
    long = wide.stack().dropna()
    n_rows, n_cols = wide.shape
    text = f"Heatmap: {title.rstrip('.')}. {n_rows} rows by {n_cols} columns ({subject})"
    if long.empty:
        return text + ", all empty."
    high, low = long.idxmax(), long.idxmin()
    return (
        f"{text}; each cell shows {value_label}. Highest cell: {high[0]}, {high[1]} "
        f"({_label(long.max(), percent)}); lowest: {low[0]}, {low[1]} "
        f"({_label(long.min(), percent)})."
    )


def framework_heatmap(
    matrix: pd.DataFrame, *, value: str = "share", title: str | None = None
) -> tuple[Figure, str]:
    """A framework matrix (from :func:`evstudy.matrices.framework_matrix`) as a heatmap.

    Cases are rows and themes columns; when there are more themes than fit across the
    page (codes rather than themes), themes become the rows.

    Parameters
    ----------
    matrix : DataFrame
        The framework matrix (row_label, label and the value columns).
    value : {"share", "participants", "segments"}, default "share"
        What the cells show: the share of the case's participants, or counts.
    title : str, optional
        Default: "Participants coded to each theme".
    """
    if value not in MATRIX_VALUES:
        raise ValueError(f"`value` must be one of {list(MATRIX_VALUES)}, but {value!r} was passed")
    _require(matrix, ("row_label", "label", value), "matrix")
    wide = matrix_wide(matrix, value=value)
    subject = "cases by theme"
    if wide.shape[1] > 12:
        wide, subject = wide.T, "themes by case"
    percent = value == "share"
    title = title or "Participants coded to each theme"
    value_label = {
        "share": "share of the case's participants",
        "participants": "participants",
        "segments": "coded passages",
    }[value]
    return heatmap(wide, title=title, value_label=value_label, percent=percent, subject=subject)


def comb_heatmap(comb: pd.DataFrame, *, title: str | None = None) -> tuple[Figure, str]:
    """The COM-B matrix (from :func:`evstudy.matrices.comb_matrix`): components x valence.

    Cells show the participants who described any barrier or enabler of the component.
    """
    _require(comb, ("comb_label", "valence", "participants"), "comb")
    wide = comb.pivot(index="comb_label", columns="valence", values="participants")
    wide = wide.reindex(index=pd.unique(comb["comb_label"])).rename(columns=str.capitalize)
    return heatmap(
        wide.rename_axis(index=None, columns=None),
        title=title or "Barriers and enablers by COM-B component",
        value_label="participants",
        subject="COM-B components by barrier and enabler",
    )


def pairs_heatmap(pairs: pd.DataFrame, *, title: str | None = None) -> tuple[Figure, str]:
    """Barrier x enabler co-occurrence (from :func:`evstudy.matrices.barrier_enabler_pairs`)."""
    _require(pairs, ("barrier_label", "enabler_label", "n"), "pairs")
    wide = pairs.pivot(index="barrier_label", columns="enabler_label", values="n")
    wide = wide.reindex(
        index=pd.unique(pairs.sort_values("n_barrier", ascending=False)["barrier_label"]),
        columns=pd.unique(pairs.sort_values("n_enabler", ascending=False)["enabler_label"]),
    )
    return heatmap(
        wide.rename_axis(index=None, columns=None),
        title=title or "Barriers raised together with enablers",
        value_label="documents coded with both",
        subject="barriers by enablers",
    )


def site_comparison_chart(
    comparison: pd.DataFrame, *, site_name: str, title: str | None = None
) -> tuple[Figure, str]:
    """One site's shares against the mean of every site's share, a dot and a line per theme.

    Takes :func:`evstudy.matrices.site_comparison`'s table.
    """
    _require(comparison, ("label", "share", "mean_share"), "comparison")
    data = comparison.iloc[::-1].reset_index(drop=True)
    y = np.arange(len(data))
    with chart_style():
        fig = Figure(figsize=(WIDTH, max(2.8, 0.3 * len(data) + 1.6)), layout="constrained")
        ax = fig.subplots()
        ax.hlines(y, data["mean_share"], data["share"], color="#bbbbbb", linewidth=1.5)
        ax.scatter(
            data["mean_share"],
            y,
            color=OKABE_ITO[1],
            marker="|",
            s=120,
            label="All sites (mean)",
            zorder=3,
        )
        ax.scatter(data["share"], y, color=ACCENT, s=28, label=site_name, zorder=4)
        ax.set_yticks(y, labels=[wrap_label(x, 45) for x in data["label"]], fontsize=8)
        ax.set_xlim(0, 1.02)
        ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0%}")
        ax.set_xlabel("share of participants coded")
        ax.grid(axis="x")
        ax.legend(loc="lower right")
        ax.set_title(wrap_label(title or f"{site_name} against all sites", 75))
    freeze_layout(fig)
    gaps = comparison.assign(gap=comparison["share"] - comparison["mean_share"])
    high, low = gaps.loc[gaps["gap"].idxmax()], gaps.loc[gaps["gap"].idxmin()]
    alt = (
        f"Dot chart: the share of participants at {site_name} coded to each of "
        f"{len(comparison)} themes, against the mean share of all sites. Furthest above the "
        f"mean: {high['label']} ({high['share']:.0%} against {high['mean_share']:.0%}); "
        f"furthest below: {low['label']} ({low['share']:.0%} against {low['mean_share']:.0%})."
    )
    return fig, alt
