"""The one look of every chart in the project: colours, fonts, sizes and n labels.

Colours are chosen so that readers with colour-vision deficiencies can tell
them apart: the Okabe–Ito palette for unordered categories, ColorBrewer RdBu
(with a mid grey for the neutral point) for Likert scales, and ColorBrewer
Blues for ordered, one-directional scales. Importing this module changes
nothing; :func:`chart_style` (or :func:`apply_style`) sets the rcParams.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.ticker import FuncFormatter

__all__ = [
    "ACCENT",
    "BLUES",
    "FONT",
    "INK",
    "NEUTRAL_GREY",
    "OKABE_ITO",
    "RCPARAMS",
    "RDBU",
    "SVG_HASHSALT",
    "apply_style",
    "chart_style",
    "fmt_pct",
    "likert_palette",
    "n_label",
    "percent_formatter",
    "sequential_palette",
    "with_n",
    "wrap_label",
]

# Okabe & Ito (2008), "Color Universal Design": distinguishable under the common deficiencies.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
ACCENT = OKABE_ITO[0]  # the colour of a single series of bars
INK = "#333333"  # text, error bars and reference lines

# ColorBrewer RdBu, 11 classes (colour-blind safe); index 5 is the white midpoint.
RDBU = (
    "#67001f",
    "#b2182b",
    "#d6604d",
    "#f4a582",
    "#fddbc7",
    "#f7f7f7",
    "#d1e5f0",
    "#92c5de",
    "#4393c3",
    "#2166ac",
    "#053061",
)
# ColorBrewer's neutral is near-white and vanishes on a white page; a mid grey does not.
NEUTRAL_GREY = "#bdbdbd"
# Which RdBu classes one side of a scale uses, from the extreme to the middle, by its length.
_SIDE = {1: (3,), 2: (1, 3), 3: (1, 2, 3), 4: (0, 1, 2, 3), 5: (0, 1, 2, 3, 4)}

# ColorBrewer Blues, 9 classes: for ordered scales that run one way (aware -> used).
BLUES = (
    "#f7fbff",
    "#deebf7",
    "#c6dbef",
    "#9ecae1",
    "#6baed6",
    "#4292c6",
    "#2171b5",
    "#08519c",
    "#08306b",
)

FONT = "DejaVu Sans"  # ships with matplotlib, so every machine renders the same glyphs
SVG_HASHSALT = "evstudy"  # fixed ids in SVG output, so the same chart gives the same bytes

RCPARAMS: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO)),
    "axes.axisbelow": True,
    "axes.grid": False,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "figure.titlesize": 12,
    "figure.titleweight": "bold",
    "figure.facecolor": "white",
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "savefig.facecolor": "white",
    "text.color": INK,
    "svg.fonttype": "path",
    "svg.hashsalt": SVG_HASHSALT,
}


def apply_style() -> None:
    """Set the project's rcParams for the rest of the session (e.g. at the top of a notebook)."""
    mpl.rcParams.update(RCPARAMS)


@contextmanager
def chart_style() -> Iterator[None]:
    """Context manager applying the project's rcParams only inside the ``with`` block."""
    with mpl.rc_context(RCPARAMS):
        yield


def likert_palette(valences: Iterable[str]) -> list[str]:
    """Colours for a Likert scale given the valence of each category in scale order.

    Negative categories take the red side of ColorBrewer RdBu (darkest at the
    extreme), positive ones the blue side, and neutral ones a mid grey.

    Parameters
    ----------
    valences : iterable of {"negative", "neutral", "positive"}
        One per category, most negative first.

    Returns
    -------
    list of str
        Hex colours, one per category.
    """
    valences = list(valences)
    allowed = ("negative", "neutral", "positive")
    for value in valences:
        if value not in allowed:
            raise ValueError(f"`valences` must be one of {allowed}, but {value!r} was passed")
    n_neg, n_pos = valences.count("negative"), valences.count("positive")
    if max(n_neg, n_pos) > len(_SIDE):
        raise ValueError(f"a scale side may have at most {len(_SIDE)} categories")
    reds = iter(RDBU[i] for i in _SIDE.get(n_neg, ()))
    blues = iter(RDBU[10 - i] for i in reversed(_SIDE.get(n_pos, ())))
    pick = {"negative": reds, "positive": blues}
    return [NEUTRAL_GREY if v == "neutral" else next(pick[v]) for v in valences]


def sequential_palette(n: int) -> list[str]:
    """``n`` ColorBrewer Blues, lightest first, spread over the readable part of the scheme."""
    if not 1 <= n <= 7:
        raise ValueError(f"`n` must be one of {list(range(1, 8))}, but {n!r} was passed")
    return [BLUES[int(i)] for i in np.round(np.linspace(2, 8, n))] if n > 1 else [BLUES[6]]


def n_label(bases: Iterable[float]) -> str:
    """``"n = 52"``, or ``"n = 46–52"`` when the base differs between items."""
    values = [int(b) for b in bases if b == b]  # b == b drops NaN
    if not values:
        return "n = 0"
    low, high = min(values), max(values)
    return f"n = {low}" if low == high else f"n = {low}–{high}"


TITLE_WIDTH = 75  # characters per title line


def with_n(label: str, bases: Iterable[float] | float) -> str:
    """``label`` followed by its base in brackets: ``"Commissioners (n = 14)"``.

    Long labels (a question used as a title) are wrapped, so the figure keeps its width.
    """
    if isinstance(bases, int | float | np.integer | np.floating):
        bases = [bases]
    return wrap_label(f"{label} ({n_label(bases)})", TITLE_WIDTH)


def fmt_pct(p: float) -> str:
    """A proportion as a whole percentage, ``"45%"``; suppressed (NaN) values as ``"c"``."""
    return "c" if p != p else f"{p:.0%}"


def percent_formatter(*, absolute: bool = False) -> FuncFormatter:
    """Tick labels for an axis holding proportions; ``absolute`` drops the sign (diverging bars)."""
    return FuncFormatter(lambda x, _pos: f"{abs(x) if absolute else x:.0%}")


def wrap_label(text: str, width: int = 40) -> str:
    """Break a long answer option over lines so bar labels stay readable."""
    return textwrap.fill(str(text), width=width, break_long_words=False)
