"""Small helpers the report notebooks call: banners, figures with alt text, plain tables.

The notebooks stay thin: they load the study, call analysis functions and show
the results through these helpers, which render to plain HTML that exports
byte for byte the same on every run (no pandas Styler random ids, PNGs with
fixed metadata) and gives every figure its alt text. The few cross-site
summaries the report needs (the methods in words, a site typology for the site
pages) are here too.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from IPython.display import HTML, Markdown
    from matplotlib.figure import Figure

    from evstudy.study import Study

__all__ = [
    "FIGURE_DPI",
    "banner",
    "comparison_text",
    "double_coded",
    "figure",
    "methods_text",
    "provenance_table",
    "save_and_show",
    "show_chart",
    "table",
]

FIGURE_DPI = 110  # the report's charts: 9 in wide -> about 1000 px, sharp on screen and paper


# --- display ---------------------------------------------------------------------------------


def banner(study: Study) -> Markdown:
    """A one-paragraph note of what the page is built from, for a notebook's first output.

    Parameters
    ----------
    study : Study

    Returns
    -------
    IPython.display.Markdown
    """
    from IPython.display import Markdown

    counts = study.ingest_report.get("counts", {})
    source = (
        "the synthetic demonstration study (invented local authorities, people and words)"
        if study.synthetic
        else "the study's processed tables"
    )
    title = study.ingest_report.get("title", "")
    return Markdown(
        f"*{title}*. Built from {source}: {len(study.sites)} sites, "
        f"{counts.get('documents', len(study.documents))} documents, "
        f"{len(study.participants)} participants and "
        f"{len(study.survey_respondents)} survey respondents."
    )


def comparison_text(result: pd.DataFrame, *, subject: str) -> str:
    """One paragraph on a two-group comparison from ``compare_groups``, or why it is not shown.

    ``subject`` begins the sentence, e.g. "Research evidence influences decisions a lot
    or a great deal for".
    """
    shown = result[result["shown"].fillna(False).astype(bool)] if "shown" in result else result
    groups = shown.drop_duplicates("group")
    if len(groups) < 2:
        notes = [n for n in result.get("note", pd.Series(dtype=object)).dropna().unique() if n]
        return " ".join(notes) or "The comparison is not shown: a group is below the minimum base."
    first, second = groups.iloc[0], groups.iloc[1]
    test = shown.iloc[0]
    caution = test.get("caution") or ""
    return (
        f"{subject} {first['pct']:.0%} of {str(first['group']).lower()} (base {first['base']}) "
        f"and {second['pct']:.0%} of {str(second['group']).lower()} (base {second['base']}). "
        f"{test['test']}: p = {test['p_value']:.3f}, {test['effect_measure']} = "
        f"{test['effect_size']:.2f}. {caution}"
    ).strip()


def show_chart(charts: Mapping[str, tuple[Figure, str]], name: str) -> HTML | Markdown:
    """A chart from ``survey_charts`` with its alt text, or a note when it was not drawn.

    A chart is left out when the disclosure rules leave too few groups to compare, so
    the report says so rather than failing.
    """
    from IPython.display import Markdown

    if name in charts:
        return figure(*charts[name])
    return Markdown(
        f"*Chart not shown ({name.replace('_', ' ')}): too few respondents in a group to "
        "publish the comparison under the minimum-base rule.*"
    )


def save_and_show(
    chart: tuple[Figure, str], *, notebook: str, name: str, folder: Any = None
) -> HTML:
    """Save a chart to ``figures/`` (PNG and SVG, alt text in the SVG) and show it with its alt.

    Parameters
    ----------
    chart : (Figure, str)
        What a chart function returns.
    notebook, name : str
        The saved files are ``<folder>/<notebook>__<name>.png`` and ``.svg``.
    folder : path, optional
        Default: ``$EVSTUDY_FIGURES`` or the project's ``figures/`` (a notebook's
        ``figures`` parameter, None meaning the default).

    Returns
    -------
    IPython.display.HTML
        As :func:`figure`.
    """
    from evstudy.charts.save import save_figure

    fig, alt = chart
    save_figure(fig, notebook=notebook, chart=name, folder=folder, alt=alt)
    return figure(fig, alt)


def figure(fig: Figure, alt: str, *, dpi: int = FIGURE_DPI) -> HTML:
    """Show a chart as an ``<img>`` with its alt text, embedded as a base64 PNG.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The chart (chart functions return it first, the alt text second).
    alt : str
        The alt text; required, because every chart in the report must have one.
    dpi : int
        Resolution of the embedded PNG.

    Returns
    -------
    IPython.display.HTML
        ``<figure class="evstudy-figure"><img alt=... src="data:image/png;base64,...">``.
    """
    from IPython.display import HTML

    from evstudy.charts.save import DPI, saved_png

    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"`alt` must be a non-empty string, but {alt!r} was passed")
    buffer = io.BytesIO()
    saved = saved_png(fig)
    if saved is not None:
        # Already drawn at print resolution by save_figure: scaling that down is far
        # quicker than drawing the chart again, and shows the very same picture.
        from PIL import Image

        with Image.open(io.BytesIO(saved)) as image:
            size = (round(image.width * dpi / DPI), round(image.height * dpi / DPI))
            small = image.convert("RGB").resize(size, Image.Resampling.LANCZOS)
            # Charts are flat colours: 256 of them keep the picture and a third of the bytes.
            # Octree picks them in a third less time than median cut, in fewer bytes still.
            small.quantize(256, method=Image.Quantize.FASTOCTREE).save(buffer, format="PNG")
    else:
        # No "Software" stamp, so the same chart gives the same bytes on every run.
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return HTML(
        f'<figure class="evstudy-figure"><img src="data:image/png;base64,{data}" '
        f'alt="{escape(alt.strip(), quote=True)}"></figure>'
    )


def _whole_counts(values: pd.Series) -> bool:
    """An object column of whole numbers (counts mixed with "c" after suppression)."""
    if values.dtype != object:
        return False
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return bool(numbers) and all(float(v).is_integer() for v in numbers if v == v)


def _cell(value: Any, digits: int, integer: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.0f}" if integer else f"{value:,.{digits}f}"
    return str(value)


def _percent(value: Any) -> str:
    if isinstance(value, str):
        return value  # already a marker, e.g. "c" for a suppressed cell
    return "" if pd.isna(value) else f"{float(value):.0%}"


def table(
    frame: pd.DataFrame,
    *,
    percent: Sequence[str] = (),
    digits: int = 2,
    index: bool = False,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
) -> HTML:
    """Render a DataFrame as a plain HTML table (no Styler, so no random ids).

    Parameters
    ----------
    frame : DataFrame
    percent : sequence of str
        Columns holding proportions (0-1), shown as whole percentages ("34%").
    digits : int
        Decimal places for other floating-point columns.
    index : bool
        Show the index as the first column(s).
    labels : mapping, optional
        Column headers to show instead of the column names.
    caption : str, optional
        A caption above the table.

    Returns
    -------
    IPython.display.HTML
    """
    from IPython.display import HTML

    missing = [c for c in percent if c not in frame.columns]
    if missing:
        raise ValueError(f"`percent` must name columns of `frame`, but {missing} are not")
    shown = frame.copy()
    for i, column in enumerate(shown.columns):
        values = shown.iloc[:, i]
        if column in percent:
            shown.isetitem(i, values.map(_percent).astype(object))
        else:
            integer = pd.api.types.is_integer_dtype(values) or _whole_counts(values)
            shown.isetitem(i, values.map(lambda v, n=integer: _cell(v, digits, n)).astype(object))
    if labels:
        shown = shown.rename(columns=dict(labels))
    html = shown.to_html(index=index, border=0, classes="evstudy-table", escape=True)
    if caption:
        html = html.replace(">", f"><caption>{escape(caption)}</caption>", 1)
    return HTML(html)


# --- cross-site summaries ----------------------------------------------------------------------


def double_coded(study: Study) -> bool:
    """Whether any document was coded by two or more coders (auto-coding aside), so that
    inter-coder reliability can be measured."""
    codings = study.codings[study.codings["coder"] != "auto"]
    return bool(len(codings)) and bool((codings.groupby("doc_id")["coder"].nunique() > 1).any())


def methods_text(study: Study) -> str:
    """The methods in a paragraph: sites, transcripts by method, words, survey, codebook, coders.

    Only what the study holds is mentioned: a study with no focus groups or no survey says
    nothing about them.
    """
    from evstudy.matrices import METHOD_LABELS
    from evstudy.narrative import listing, plural

    docs = study.documents
    counts = docs["method"].value_counts()
    nouns = {
        "interview": "one-to-one interview",
        "expert_interview": "expert interview",
        "focus_group": "focus group",
    }
    collected = [plural(int(counts[m]), nouns[m]) for m in nouns if counts.get(m, 0)]
    collected += [
        plural(int(counts[m]), METHOD_LABELS.get(m, m).lower())
        for m in counts.index
        if m not in nouns and m != "survey"
    ]
    words = int(docs.loc[docs["method"] != "survey", "n_words"].sum()) if "n_words" in docs else 0
    noun = study.site_noun
    text = (
        f"{plural(len(study.sites), noun)} took part. The study collected "
        f"{listing(collected, empty='no transcripts')} ({words:,} words from "
        f"{plural(len(study.participants), 'participant')})"
    )
    respondents = len(study.survey_respondents)
    text += f", and a survey of {plural(respondents, 'respondent')}." if respondents else "."
    book = study.codebook
    coders = sorted(set(study.codings["coder"]) - {"auto"})
    inductive = int((book["origin"] == "inductive").sum()) if "origin" in book else 0
    comb = bool(book["comb"].notna().any()) if "comb" in book else False
    text += (
        f"\n\nTranscripts were coded with a codebook of "
        f"{plural(int((book['depth'] > 0).sum()), 'code')} under "
        f"{plural(int((book['depth'] == 0).sum()), 'theme')} ({inductive} of them inductive), "
        f"by {plural(len(coders), 'coder')} ({listing(coders)})"
        + ("; barriers and enablers are mapped to COM-B." if comb else ".")
    )
    return text


# --- provenance --------------------------------------------------------------------------------


def provenance_table(study: Study, *, extra: Mapping[str, str] | None = None) -> pd.DataFrame:
    """What the report was built from: the study, its raw inputs in one digest, and every
    processed table, for the provenance appendix.

    Raw file names are not listed here (a transcript's file name may hold a name); the
    inputs one by one and the software versions are in :mod:`evstudy.provenance`. No paths
    and no times, so the same inputs give the same table.

    Parameters
    ----------
    study : Study
    extra : mapping, optional
        Further rows.

    Returns
    -------
    DataFrame
        item, value.
    """
    report = study.ingest_report
    raw = report.get("raw_sha256", {})
    combined = hashlib.sha256(
        "".join(f"{name}\0{digest}\n" for name, digest in sorted(raw.items())).encode()
    ).hexdigest()
    rows = [
        ("Study", report.get("title", "")),
        ("Data", "synthetic demonstration study" if study.synthetic else "study data"),
        ("Raw input files", f"{len(raw)} (combined SHA-256 {combined[:16]})"),
        *[
            (f"Table {name}", f"{len(getattr(study, name, ())):,} rows, SHA-256 {digest[:16]}")
            for name, digest in sorted(report.get("table_sha256", {}).items())
        ],
        *(extra or {}).items(),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])
