"""Writing a chart to ``figures/`` as PNG and SVG, byte for byte the same on every run.

Matplotlib stamps the software version into PNGs and the date, creator and
random element ids into SVGs. Fixing the metadata, the SVG hash salt and the
resolution means the same figure always gives the same bytes, so a rebuilt
report only changes where a chart really changed.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import weakref
from html import escape
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from evstudy.charts.style import SVG_HASHSALT
from evstudy.config import find_project_root
from evstudy.files import atomic_write_bytes

__all__ = [
    "DPI",
    "FORMATS",
    "SYNTHETIC_MARK",
    "default_folder",
    "figure_name",
    "freeze_layout",
    "save_figure",
    "saved_png",
    "slugify",
    "study_mark",
]

DPI = 200
FORMATS = ("png", "svg")
PAD_INCHES = 0.15
# The PNG bytes each figure was last saved as; forgotten with the figure.
_SAVED_PNG: weakref.WeakKeyDictionary[Figure, bytes] = weakref.WeakKeyDictionary()
# Written in the corner of every chart image of a synthetic study: charts get lifted into
# slides, away from the report's banner.
SYNTHETIC_MARK = "Synthetic data"
MARK_ID = "evstudy-synthetic-mark"
MARK_SIZE = 7  # points: fits the padding strip (PAD_INCHES) below the chart
MARK_INSET = 0.03  # inches from the image's bottom-right corner
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
}


def freeze_layout(fig: Figure) -> Figure:
    """Run the figure's layout engine once, then fix the axes where it put them.

    Constrained layout starts each pass from the positions the last pass left,
    so a figure drawn twice comes out a hair different from one drawn once.
    Laying out once and switching the engine off makes the files depend only
    on the figure, not on how often it was shown before being saved.
    """
    engine = fig.get_layout_engine()
    if engine is not None and type(engine).__name__ != "PlaceHolderLayoutEngine":
        fig.draw_without_rendering()
    _drop_layout_engine(fig)
    return fig


def _drop_layout_engine(fig: Figure) -> None:
    """Leave ``fig`` with no layout engine at all, not even matplotlib's placeholder.

    ``set_layout_engine("none")`` keeps a placeholder engine, and savefig draws any figure
    that has an engine once more before drawing it into the file: two wasted draws per
    chart (PNG and SVG). None is only reached with the rcParams that ask for no engine.
    """
    if fig.get_layout_engine() is not None:
        with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            fig.set_layout_engine(None)


def slugify(text: str) -> str:
    """ASCII, lower-case ``text`` keeping letters, digits and ``_``; other runs become ``-``."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_]+", "-", ascii_text.casefold()).strip("-_")
    if not slug:
        raise ValueError(f"cannot make a file name from {text!r}: it has no letters or digits")
    return slug


def figure_name(notebook: str, chart: str) -> str:
    """``<notebook>__<chart>``, both slugified; a notebook's ``.ipynb`` suffix is dropped."""
    notebook = re.sub(r"\.ipynb$", "", Path(str(notebook)).name)
    return f"{slugify(notebook)}__{slugify(chart)}"


def default_folder() -> Path:
    """``$EVSTUDY_FIGURES`` if set, else the project's ``figures/`` folder."""
    folder = os.environ.get("EVSTUDY_FIGURES") or find_project_root() / "figures"
    return Path(folder).expanduser().resolve()


def study_mark(study: Any = None) -> str | None:
    """The mark a chart of ``study`` carries: :data:`SYNTHETIC_MARK` when it is synthetic.

    Without ``study``, the study this session loaded last (see
    :func:`evstudy.study.last_loaded`) decides; None when none was loaded or it is real.
    """
    if study is None:
        from evstudy.study import last_loaded

        study = last_loaded()
    return SYNTHETIC_MARK if study is not None and study.synthetic else None


def _add_mark(fig: Figure, box: Bbox, mark: str) -> Text:
    """Write ``mark`` in the bottom-right corner of the saved area ``box`` (inches).

    The box is the charts' tight box plus PAD_INCHES all round, and the mark is smaller
    than the padding: it sits in the blank strip under the chart and covers nothing.
    """
    width, height = fig.get_size_inches()
    return fig.text(
        (box.x1 - MARK_INSET) / width,
        (box.y0 + MARK_INSET) / height,
        mark,
        ha="right",
        va="bottom",
        fontsize=MARK_SIZE,
        color="#666666",
        gid=MARK_ID,
    )


def _with_mark_title(svg: bytes, mark: str) -> bytes:
    """Name the mark's group in the SVG, whose glyphs are paths, so that it can be read."""
    opening = f'<g id="{MARK_ID}">'.encode()
    at = svg.index(opening) + len(opening)
    return svg[:at] + f"\n   <title>{escape(mark, quote=False)}</title>".encode() + svg[at:]


def _with_alt(svg: bytes, alt: str) -> bytes:
    """Give the SVG its accessible name and description: the chart's alt text."""
    tag_end = svg.index(b">", svg.index(b"<svg"))
    label = f' role="img" aria-label="{escape(alt, quote=True)}"'.encode()
    text = escape(alt, quote=False)
    caption = f"\n <title>{text}</title>\n <desc>{text}</desc>".encode()
    return svg[:tag_end] + label + b">" + caption + svg[tag_end + 1 :]


def save_figure(
    fig: Figure,
    *,
    notebook: str,
    chart: str,
    folder: str | Path | None = None,
    alt: str | None = None,
    mark: str | Literal["study"] | None = "study",
) -> dict[str, Path]:
    """Write ``fig`` as ``<folder>/<notebook>__<chart>.png`` and ``.svg``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The chart, e.g. the first element a chart function returns.
    notebook : str
        The notebook the chart belongs to (``"03_survey"`` or ``"03_survey.ipynb"``).
    chart : str
        A short name for the chart within the notebook (``"uptake"``).
    folder : str or Path, optional
        Where to write; defaults to ``$EVSTUDY_FIGURES`` or the project's ``figures/``.
    alt : str, optional
        The chart's alt text, written into the SVG as its ``<title>`` and ``<desc>``.
    mark : str or None, default "study"
        Text written small in the bottom-right corner of both images, in the blank margin
        under the chart. ``"study"``: :data:`SYNTHETIC_MARK` when the study this session
        loaded last is synthetic (:func:`study_mark`); None: no mark.

    Returns
    -------
    dict
        ``{"png": path, "svg": path}``.

    Notes
    -----
    A figure with a live layout engine is laid out once and frozen first
    (:func:`freeze_layout`); chart functions of this package return figures
    already frozen.
    """
    if not isinstance(fig, Figure):
        raise ValueError(f"`fig` must be a matplotlib Figure, but {type(fig).__name__} was passed")
    folder = Path(folder) if folder is not None else default_folder()
    stem = figure_name(notebook, chart)
    freeze_layout(fig)
    written = {}
    # The tight box is worked out once for both formats: asked for "tight", savefig would
    # draw the whole figure an extra time per format just to measure it.
    # Measured at the PNG's resolution, because text extents depend a little on it.
    shown_dpi = fig.dpi
    fig.set_dpi(DPI)
    try:
        box = fig.get_tightbbox().padded(PAD_INCHES)
    finally:
        fig.set_dpi(shown_dpi)
    if mark == "study":
        mark = study_mark()
    # Added after the box is measured, and only while saving: the chart keeps its frame.
    text = _add_mark(fig, box, mark) if mark else None
    try:
        # svg.hashsalt is read when the SVG is written, so it is fixed here, not at drawing
        # time.
        with mpl.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path"}):
            for fmt in FORMATS:
                buffer = io.BytesIO()
                fig.savefig(
                    buffer,
                    format=fmt,
                    dpi=DPI,
                    metadata=_METADATA[fmt],
                    bbox_inches=box,
                    facecolor="white",
                )
                data = buffer.getvalue()
                if fmt == "png":
                    _SAVED_PNG[fig] = data
                if fmt == "svg" and mark:
                    data = _with_mark_title(data, mark)
                if fmt == "svg" and alt:
                    data = _with_alt(data, alt)
                written[fmt] = atomic_write_bytes(folder / f"{stem}.{fmt}", data)
    finally:
        if text is not None:
            text.remove()
    return written


def saved_png(fig: Figure) -> bytes | None:
    """The PNG :func:`save_figure` last wrote for ``fig`` in this session, if any.

    The report shows a saved chart from these bytes instead of drawing it again. A figure
    changed after it was saved should be saved again before it is shown.
    """
    return _SAVED_PNG.get(fig)
