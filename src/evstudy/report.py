"""Small helpers the report notebooks call: banners, figures with alt text, plain tables.

The notebooks stay thin: they load the study, call analysis functions and show
the results through these helpers, which render to plain HTML that exports
byte for byte the same on every run (no pandas Styler random ids, PNGs with
fixed metadata) and gives every figure its alt text. The few cross-site
summaries the report needs and no analysis module provides yet (themes per
site, commissioning approach per site, COM-B barriers and enablers, exemplar
quotes) are here too, each one or two operations on the tidy tables.
"""

from __future__ import annotations

import base64
import hashlib
import io
import platform
from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

import pandas as pd

from evstudy.coding import _coder_filter, code_matrix, coded_segments, quotes

if TYPE_CHECKING:
    from IPython.display import HTML, Markdown
    from matplotlib.figure import Figure

    from evstudy.study import Study

__all__ = [
    "FIGURE_DPI",
    "approach_by_site",
    "banner",
    "comb_table",
    "comparison_text",
    "exemplar_quotes",
    "figure",
    "leading_themes",
    "provenance_table",
    "save_and_show",
    "sector_groups",
    "show_chart",
    "table",
    "theme_matrix",
]

FIGURE_DPI = 110  # the report's charts: 9 in wide -> about 1000 px, sharp on screen and paper
APPROACH_CODES = ("approach.cycle", "approach.reactive")
COMB_ORDER = (
    "psychological_capability",
    "physical_capability",
    "social_opportunity",
    "physical_opportunity",
    "reflective_motivation",
    "automatic_motivation",
)


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

    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"`alt` must be a non-empty string, but {alt!r} was passed")
    buffer = io.BytesIO()
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


def _site_segments(study: Study, coder: str | None, site: str | None) -> pd.DataFrame:
    """Coded segments of one site (all sites when ``site`` is None), checking the site exists."""
    frame = _segments(study, coder)
    if site is None:
        return frame
    sites = sorted(study.sites["site_id"])
    if site not in sites:
        raise ValueError(f"`site` must be one of {sites}, but {site!r} was passed")
    return frame[frame["site_id"] == site]


def _segments(study: Study, coder: str | None) -> pd.DataFrame:
    frame = _coder_filter(study, coded_segments(study), coder)
    frame = frame[frame["speaker_role"].isin(("participant", "respondent"))]
    themes = study.codebook.set_index("code_id")["theme_id"]
    return frame.assign(
        theme_id=frame["code_id"].map(themes),
        speaker=frame["participant_id"].fillna(frame["respondent_id"]),
    )


def _theme_labels(study: Study) -> pd.Series:
    book = study.codebook
    return book[book["parent_id"].isna()].set_index("code_id")["label"]


def theme_matrix(
    study: Study, *, count: str = "participants", coder: str | None = "primary"
) -> pd.DataFrame:
    """Sites x themes: how many participants (or documents) at each site spoke to each theme.

    A theme counts a participant once however many of its codes they received, which
    summing :func:`evstudy.code_matrix` columns would not. Expert interviews and survey
    answers without a site are left out: the matrix compares sites.

    Parameters
    ----------
    study : Study
    count : {"participants", "documents"}
    coder : str or None, default "primary"
        Whose codings count (see :func:`evstudy.code_matrix`).

    Returns
    -------
    DataFrame
        Index the site ids, columns the theme labels in codebook order, integer counts.
    """
    units = {"participants": "speaker", "documents": "doc_id"}
    if count not in units:
        raise ValueError(f"`count` must be one of {list(units)}, but {count!r} was passed")
    frame = _segments(study, coder).dropna(subset=["site_id"])
    labels = _theme_labels(study)
    wide = frame.groupby(["site_id", "theme_id"])[units[count]].nunique().unstack(fill_value=0)
    wide = wide.reindex(index=study.sites["site_id"], columns=labels.index, fill_value=0)
    return wide.rename(columns=labels).rename_axis(index="site", columns="theme").astype("int64")


def leading_themes(
    study: Study, *, site: str | None = None, n: int = 3, coder: str | None = "primary"
) -> pd.DataFrame:
    """The themes most participants spoke to, at one site or across the study.

    Returns
    -------
    DataFrame
        theme_id, label, participants, documents, segments; the ``n`` themes with most
        participants (ties: more segments, then codebook order).
    """
    frame = _site_segments(study, coder, site)
    labels = _theme_labels(study)
    out = frame.groupby("theme_id").agg(
        participants=("speaker", "nunique"),
        documents=("doc_id", "nunique"),
        segments=("coding_id", "size"),
    )
    out = out.reindex(labels.index).dropna().astype("int64").rename_axis("theme_id")
    out.insert(0, "label", labels)
    out["_order"] = range(len(out))
    out = out.sort_values(["participants", "segments", "_order"], ascending=[False, False, True])
    return out.drop(columns="_order").head(n).reset_index()


def approach_by_site(study: Study, *, coder: str | None = "primary") -> pd.DataFrame:
    """Which sites describe a structured commissioning cycle, and which a reactive one.

    Counts participants coded ``approach.cycle`` and ``approach.reactive`` at each site;
    a site is "structured" when more participants describe the cycle, "reactive" when
    more describe reactive commissioning, "mixed" when as many do each.

    Returns
    -------
    DataFrame
        site_id, site_name, cycle, reactive (participants), approach.
    """
    counts = code_matrix(
        study, rows="site", count="participants", codes=list(APPROACH_CODES), coder=coder
    )
    counts = counts.reindex(index=study.sites["site_id"], columns=APPROACH_CODES, fill_value=0)
    out = pd.DataFrame(
        {
            "site_id": study.sites["site_id"].to_numpy(),
            "site_name": study.sites["site_name"].to_numpy(),
            "cycle": counts["approach.cycle"].to_numpy(),
            "reactive": counts["approach.reactive"].to_numpy(),
        }
    )
    diff = out["cycle"] - out["reactive"]
    out["approach"] = "mixed"
    out.loc[diff > 0, "approach"] = "structured"
    out.loc[diff < 0, "approach"] = "reactive"
    return out


def comb_table(
    study: Study, *, site: str | None = None, coder: str | None = "primary"
) -> pd.DataFrame:
    """Barriers and enablers by COM-B component, from the codebook's ``comb`` and ``valence``.

    Parameters
    ----------
    study : Study
    site : str, optional
        One site's participants only (default: every participant and survey respondent).
    coder : str or None, default "primary"

    Returns
    -------
    DataFrame
        comb (e.g. "Physical opportunity"), valence, code_id, label, participants,
        documents; every barrier and enabler code, in COM-B then codebook order,
        participants descending within a component and valence.
    """
    book = study.codebook[study.codebook["valence"].isin(["barrier", "enabler"])]
    frame = _site_segments(study, coder, site)
    counts = frame.groupby("code_id").agg(
        participants=("speaker", "nunique"), documents=("doc_id", "nunique")
    )
    out = book[["comb", "valence", "code_id", "label"]].join(counts, on="code_id")
    out[["participants", "documents"]] = out[["participants", "documents"]].fillna(0).astype(int)
    order = {c: i for i, c in enumerate(COMB_ORDER)}
    out = out.assign(_c=out["comb"].map(order), _v=out["valence"].map({"barrier": 0, "enabler": 1}))
    out = out.sort_values(["_c", "_v", "participants", "code_id"], ascending=[1, 1, 0, 1])
    out["comb"] = out["comb"].str.replace("_", " ").str.capitalize()
    return out.drop(columns=["_c", "_v"]).reset_index(drop=True)


def exemplar_quotes(
    study: Study,
    *,
    code: str,
    site: str | None = None,
    n: int = 3,
    min_chars: int = 60,
    max_chars: int = 400,
) -> pd.DataFrame:
    """A few quotes to illustrate a code or theme, with published attributions only.

    Takes the primary coder's passages of participants' words (not survey answers),
    one per participant, of a readable length, least-coarsened attribution first,
    then in document order.

    Returns
    -------
    DataFrame
        attribution, text (never the pseudonym); at most ``n`` rows.
    """
    # On a site's page the site is known: attributions must be safe together with it.
    found = quotes(study, code=code, site=site, context="site" if site else None)
    found = found[(found["coder"] == _primary(study)) & found["participant_id"].notna()]
    found = found[found["attribution"].notna()]
    length = found["text"].str.len()
    found = found[length.between(min_chars, max_chars)]
    found = found.drop_duplicates("participant_id").drop_duplicates("text")
    # Passages that start mid-sentence (a coder's span, a redacted name) read badly.
    fragment = ~found["text"].str.match(r"[\"'‘“A-Z0-9]")
    found = found.assign(_fragment=fragment).sort_values(
        ["_fragment", "attribution_level"], kind="stable"
    )
    found = found.head(n)
    return found[["attribution", "text"]].reset_index(drop=True)


def _primary(study: Study) -> str:
    from evstudy.coding import primary_coder

    return primary_coder(study)


def sector_groups() -> dict[str, list[str]]:
    """The survey's two sectors as ``compare_groups`` ``groups``: {sector: [role groups]}."""
    from evstudy.charts.standard import SECTORS

    groups: dict[str, list[str]] = {}
    for role_group, sector in SECTORS.items():
        groups.setdefault(sector, []).append(role_group)
    return groups


# --- provenance --------------------------------------------------------------------------------


def provenance_table(study: Study, *, extra: Mapping[str, str] | None = None) -> pd.DataFrame:
    """What the report was built from, for the provenance appendix.

    Raw file names are not listed (a transcript's file name may hold a name): the raw
    inputs appear as a count and one combined digest. No paths and no times, so the
    same inputs give the same table.

    Parameters
    ----------
    study : Study
    extra : mapping, optional
        Further rows (for example the code version the build ran from).

    Returns
    -------
    DataFrame
        item, value.
    """
    from importlib import metadata

    from evstudy import __version__

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
        ("evstudy", __version__),
        ("Python", platform.python_version()),
        ("pandas", pd.__version__),
        # Read from package metadata: importing nbconvert in a kernel costs seconds.
        ("matplotlib", metadata.version("matplotlib")),
        ("nbconvert", metadata.version("nbconvert")),
        *(extra or {}).items(),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])
