"""Saturation curves: cumulative distinct codes as documents accumulate, one line per method.

Takes :func:`evstudy.saturation.saturation_curve`'s table and returns
``(figure, alt_text)`` in the project style.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from evstudy.charts.save import freeze_layout
from evstudy.charts.style import OKABE_ITO, chart_style

__all__ = ["saturation_chart"]

CURVE_COLUMNS = ("method", "order", "cumulative_codes")
METHOD_NAMES = {
    "interview": "Interviews",
    "focus_group": "Focus groups",
    "expert_interview": "Expert interviews",
    "survey": "Survey free text",
}


def saturation_chart(curve: pd.DataFrame, *, title: str | None = None) -> tuple[Figure, str]:
    """Cumulative distinct codes against documents coded, in fieldwork order, per method.

    Parameters
    ----------
    curve : DataFrame
        method, order, cumulative_codes (from ``saturation_curve``).
    title : str, optional

    Returns
    -------
    (Figure, str)
    """
    if not isinstance(curve, pd.DataFrame):
        raise ValueError(f"`curve` must be a DataFrame, but {type(curve).__name__} was passed")
    missing = [c for c in CURVE_COLUMNS if c not in curve.columns]
    if missing:
        raise ValueError(f"`curve` is missing columns {missing}; it needs {list(CURVE_COLUMNS)}")
    if curve.empty:
        raise ValueError("`curve` has no rows to chart")
    methods = list(pd.unique(curve["method"]))
    title = title or "Distinct codes as documents accumulate, by method"
    with chart_style():
        fig = Figure(figsize=(9.0, 4.2), layout="constrained")
        ax = fig.subplots()
        for colour, method in zip(OKABE_ITO, methods, strict=False):
            part = curve[curve["method"] == method]
            ax.step(
                part["order"],
                part["cumulative_codes"],
                where="post",
                color=colour,
                label=f"{METHOD_NAMES.get(method, method)} (n = {len(part)})",
            )
        ax.set_xlabel("documents coded, in fieldwork order")
        ax.set_ylabel("distinct codes so far")
        ax.set_ylim(bottom=0)
        ax.grid(axis="y")
        ax.legend(loc="lower right")
        ax.set_title(title)
    freeze_layout(fig)
    parts = []
    for method in methods:
        part = curve[curve["method"] == method]
        final = int(part["cumulative_codes"].max())
        # The document by which 90% of the method's codes had appeared.
        reached = int(part.loc[part["cumulative_codes"] >= 0.9 * final, "order"].min())
        parts.append(
            f"{METHOD_NAMES.get(method, method)}: {final} codes over {len(part)} documents, "
            f"90% of them by document {reached}"
        )
    alt = f"Line chart: {title}. " + "; ".join(parts) + "."
    return fig, alt
