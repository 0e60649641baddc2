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
import re
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
    "REF_PATTERN",
    "background_draft",
    "banner",
    "by_unit",
    "comparison_text",
    "denominators_text",
    "detailed_findings",
    "discussion_draft",
    "double_coded",
    "figure",
    "findings_sections",
    "key_findings",
    "limitations_draft",
    "methods_text",
    "provenance_table",
    "ref",
    "save_and_show",
    "show_chart",
    "site_header",
    "table",
]

FIGURE_DPI = 110  # the report's charts: 9 in wide -> about 1000 px, sharp on screen and paper
# A reference in the text to a figure or table of the same page, resolved at export
# (evstudy.build.export) to "Figure 3" or "Table 2" with a link. Plain text in Markdown.
REF_PATTERN = re.compile(r"@@ref:([A-Za-z0-9][\w.-]*)@@")
# Numbered at export, in page order: the label ("Figure 3.") replaces this span's content.
_NUMBER = '<span class="evstudy-num" data-kind="{kind}" data-ref="{ref}"></span>'
_REF_ID = re.compile(r"^[A-Za-z0-9][\w.-]*$")
# Columns shown with words of their own when a notebook gives no label.
_HEADERS = {"n": "Number", "pct": "Share", "p_value": "p", "site_name": "Site", "site_id": "Site"}


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
    chart: tuple[Figure, str],
    *,
    notebook: str,
    name: str,
    folder: Any = None,
    caption: str | None = None,
    ref: str | None = None,
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
    caption : str, optional
        The caption under "Figure N."; default: the chart's title.
    ref : str, optional
        The id the text refers to it by (:func:`ref`); default: ``name``.

    Returns
    -------
    IPython.display.HTML
        As :func:`figure`.
    """
    from evstudy.charts.save import save_figure

    fig, alt = chart
    save_figure(fig, notebook=notebook, chart=name, folder=folder, alt=alt)
    return figure(fig, alt, caption=caption, ref=ref or re.sub(r"[^\w.-]+", "-", name))


def ref(ident: str) -> str:
    """A reference, in Markdown, to the figure or table of this page whose ``ref`` is ``ident``.

    The export numbers every figure and table of a page in order and writes each reference
    as a link: "Figure 3", "Table 2". A reference to nothing on the page fails the export.

    Parameters
    ----------
    ident : str
        Letters, digits, ``_``, ``.`` and ``-``.

    Returns
    -------
    str
    """
    _check_ref(ident)
    return f"@@ref:{ident}@@"


def _check_ref(ident: str | None) -> str:
    if ident is None:
        return ""
    if not isinstance(ident, str) or not _REF_ID.match(ident):
        raise ValueError(
            "`ref` must be letters, digits, '_', '.' and '-' (starting with a letter or "
            f"digit), but {ident!r} was passed"
        )
    return ident


def _chart_title(fig: Figure) -> str:
    """The chart's own title (suptitle, else its first axes' title), for a default caption."""
    found = getattr(fig, "_suptitle", None)
    if found is not None and found.get_text().strip():
        return " ".join(found.get_text().split())
    for axes in fig.axes:
        if axes.get_title().strip():
            return " ".join(axes.get_title().split())
    return ""


def figure(
    fig: Figure,
    alt: str,
    *,
    dpi: int = FIGURE_DPI,
    caption: str | None = None,
    ref: str | None = None,
) -> HTML:
    """Show a chart as an ``<img>`` with its alt text, embedded as a base64 PNG, numbered
    and captioned.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The chart (chart functions return it first, the alt text second).
    alt : str
        The alt text; required, because every chart in the report must have one.
    dpi : int
        Resolution of the embedded PNG.
    caption : str, optional
        The caption after "Figure N." (numbered at export); default: the chart's title.
    ref : str, optional
        The id the text refers to the figure by (:func:`ref`).

    Returns
    -------
    IPython.display.HTML
        ``<figure class="evstudy-figure"><img alt=... src="data:image/png;base64,...">``
        with a ``<figcaption>``.
    """
    from IPython.display import HTML

    from evstudy.charts.save import DPI, saved_png

    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"`alt` must be a non-empty string, but {alt!r} was passed")
    ident = _check_ref(ref)
    caption = _chart_title(fig) if caption is None else caption
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
    number = _NUMBER.format(kind="figure", ref=escape(ident, quote=True))
    return HTML(
        f'<figure class="evstudy-figure"><img src="data:image/png;base64,{data}" '
        f'alt="{escape(alt.strip(), quote=True)}">'
        f"<figcaption>{number} {escape(caption.strip())}</figcaption></figure>"
    )


def _whole_counts(values: pd.Series) -> bool:
    """A column of whole numbers: floats that are all whole (counts read back as floats),
    or an object column of them (counts mixed with "c" after suppression)."""
    if values.dtype != object and not pd.api.types.is_float_dtype(values):
        return False
    numbers = [
        v for v in values if isinstance(v, int | float) and not isinstance(v, bool) and v == v
    ]
    return bool(numbers) and all(float(v).is_integer() for v in numbers)


def _is_year(name: Any) -> bool:
    """A column of years (written without a thousands separator)."""
    return "year" in str(name).lower()


def _cell(value: Any, digits: int, integer: bool, year: bool = False) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if integer:
            return f"{value:.0f}" if year else f"{value:,.0f}"
        return f"{value:,.{digits}f}"
    return str(value)


def _header(name: Any) -> Any:
    """A column's header when the notebook gave none: words, never a column name."""
    if not isinstance(name, str):
        return name
    if name in _HEADERS:
        return _HEADERS[name]
    if "_" not in name:
        return name
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


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
    ref: str | None = None,
) -> HTML:
    """Render a DataFrame as a plain HTML table (no Styler, so no random ids), numbered and
    captioned, in a container that scrolls when the table is long or wide (its header row
    and first column stay in view).

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
        Column headers to show instead of the column names. A column without one is
        headed by its name in words ("role_group" becomes "Role group").
    caption : str, optional
        The caption after "Table N." (numbered at export, in page order).
    ref : str, optional
        The id the text refers to the table by (:func:`ref`).

    Integers (and floats that are all whole) show without decimals, years without a
    thousands separator, True and False as Yes and No.

    Returns
    -------
    IPython.display.HTML
    """
    from IPython.display import HTML

    missing = [c for c in percent if c not in frame.columns]
    if missing:
        raise ValueError(f"`percent` must name columns of `frame`, but {missing} are not")
    ident = _check_ref(ref)
    shown = frame.copy()
    for i, column in enumerate(shown.columns):
        values = shown.iloc[:, i]
        if column in percent:
            shown.isetitem(i, values.map(_percent).astype(object))
        elif pd.api.types.is_bool_dtype(values):
            shown.isetitem(i, values.map(lambda v: _cell(v, digits, False)).astype(object))
        else:
            integer = pd.api.types.is_integer_dtype(values) or _whole_counts(values)
            year = _is_year(column)
            shown.isetitem(
                i, values.map(lambda v, n=integer, y=year: _cell(v, digits, n, y)).astype(object)
            )
    names = dict(labels or {})
    shown = shown.rename(columns=lambda c: names.get(c, _header(c)))
    if index:
        shown = shown.rename_axis(index=[names.get(n, _header(n)) for n in shown.index.names])
        if isinstance(shown.columns, pd.MultiIndex) or shown.columns.name is not None:
            shown.columns.names = [names.get(n, _header(n)) for n in shown.columns.names]
    html = shown.to_html(index=index, border=0, classes="evstudy-table", escape=True)
    number = _NUMBER.format(kind="table", ref=escape(ident, quote=True))
    text = f" {escape(caption)}" if caption else ""
    html = html.replace(">", f"><caption>{number}{text}</caption>", 1)
    label = escape(caption or "Table", quote=True)
    return HTML(
        f'<div class="evstudy-table-wrap" role="region" tabindex="0" aria-label="{label}">'
        f"{html}</div>"
    )


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


# --- site pages --------------------------------------------------------------------------------


def site_header(study: Study, *, site: str) -> Markdown:
    """A site page's first line: which of the study's sites it is, what kind, who took part.

    Parameters
    ----------
    study : Study
    site : str
        A site id.

    Returns
    -------
    IPython.display.Markdown
    """
    from IPython.display import Markdown

    from evstudy.casestudy import site_attributes
    from evstudy.narrative import people_count, plural, suppress_max_of

    ids = list(study.sites["site_id"])
    if site not in ids:
        raise ValueError(f"`site` must be one of {ids}, but {site!r} was passed")
    noun = study.site_noun
    place = f"{noun[:1].upper()}{noun[1:]} {ids.index(site) + 1} of {len(ids)}"
    # The site's first three declared attributes, each with its name: "Tier: single" says
    # what a bare "single" does not.
    values = [
        f"{row.attribute}: {row.value}"
        for row in site_attributes(study, site=site).head(3).itertuples()
    ]
    docs = study.documents[
        (study.documents["site_id"] == site) & (study.documents["method"] != "survey")
    ]
    people = int((study.participants["site_id"] == site).sum())
    # A count of people: a site with few participants says so in words, never the number.
    took_part = (
        f"{people_count(people, 'participant', suppress_max=suppress_max_of(study))} in "
        f"{plural(len(docs), 'transcript')}"
        if len(docs)
        else "no transcript yet"
    )
    parts = [f"<strong>{escape(place)}</strong>", *map(escape, values)]
    parts.append(f"Who took part: {escape(took_part)}")
    return Markdown('<p class="evstudy-site-header">' + " · ".join(parts) + "</p>")


# --- the main report's sections ----------------------------------------------------------------


def background_draft(study: Study) -> str:
    """The background and aims, computed from what study.yml declares: its description and
    its research questions (the draft the research team replaces with their own words)."""
    from evstudy.narrative import plural
    from evstudy.sections import research_questions

    lines = []
    if study.description:
        lines.append(study.description.strip())
    rqs = research_questions(study)
    declared = [r for r in rqs.itertuples(index=False) if str(getattr(r, "text", "") or "")]
    if declared:
        lines.append("The study set out to answer these research questions:")
        lines.append("\n".join(f"{i}. {r.text}" for i, r in enumerate(declared, 1)))
    else:
        lines.append(
            f"The study declares no research questions, so its findings follow the "
            f"{plural(len(rqs), 'theme')} of its codebook."
        )
    return "\n\n".join(lines)


def denominators_text(study: Study) -> str:
    """Each denominator the report uses, defined once, for the methods."""
    from evstudy.narrative import plural

    people = study.participants
    label = study.population.get("label") or "participants"
    outside = [study.role_group_labels.get(g, g) for g in study.population.get("outside", [])]
    lines = [
        "**Denominators.** Each share in this report says what it is a share of:",
        "",
        f"- *interviews*: the interviewees among the {label}; "
        "*focus groups*: the focus-group participants, counted apart, never pooled with "
        "interviewees;",
        "- *survey*: the respondents who answered that question (partial responses stop "
        "early, so later questions have smaller bases), with the base beside each figure;",
        "- *sites*: the sites with at least one transcript.",
    ]
    if outside:
        lines.append(
            f"- {', '.join(outside)} are reported apart from the {label}: they are not "
            "counted in the headline figures."
        )
    lines.append("")
    lines.append(
        f"In all, {plural(len(people), 'participant')} took part in interviews and focus "
        "groups. Counts are of people (a passage coded by two coders counts once), and counts "
        "of people below the disclosure threshold are suppressed."
    )
    return "\n".join(lines)


def discussion_draft(study: Study, *, display: pd.DataFrame) -> str:
    """What the methods agree and disagree on, from the joint display's convergence codes."""
    from evstudy.narrative import listing, plural
    from evstudy.triangulation import convergence_summary

    summary = convergence_summary(display).set_index("convergence")
    total = int(summary["n"].sum())
    if not total:
        return (
            "The joint display compares no theme across methods: there is nothing to discuss yet."
        )
    phrases = {
        "agreement": "on which they agree",
        "partial agreement": "on which they partly agree",
        "silence": "that only some methods speak to",
        "dissonance": "on which they disagree",
    }
    words = [
        f"{plural(int(row.n), 'theme')} {phrases.get(what, f'coded {what}')}"
        for what, row in summary.iterrows()
        if int(row.n)
    ]
    text = (
        f"Set side by side in the joint display, the methods give this picture across "
        f"{plural(total, 'theme')}: {listing(words)}."
    )
    dissonant = summary.loc["dissonance", "codes"] if "dissonance" in summary.index else []
    if dissonant:
        text += (
            f" Where the methods disagree ({listing(list(dissonant)[:3])}), the difference is "
            "itself a finding: what people stress in conversation is not what the survey ranks "
            "highest, and the two should be read together rather than one preferred."
        )
    return text


def limitations_draft(
    study: Study, *, display: pd.DataFrame, saturation: Mapping[str, Mapping] | None = None
) -> str:
    """The study's limits as its data show them: the sample against its targets, methods
    that did not saturate, codes below the reliability threshold, the survey's response."""
    from evstudy.narrative import listing, plural, sample_against_targets

    points = []
    if study.synthetic:
        points.append("The data are synthetic: nothing here describes real places or people.")
    sample = sample_against_targets(study)
    short = sample[(sample["pct"].notna()) & (sample["pct"] < 1)]
    if len(short):
        points.append(
            "Fieldwork fell short of the protocol's targets for "
            f"{listing([str(m).lower() for m in short['measure']])}."
        )
    if saturation:
        from evstudy.matrices import METHOD_LABELS

        open_ = [
            METHOD_LABELS.get(m, m).lower()
            for m, s in saturation.items()
            if s.get("status") != "saturated"
        ]
        if open_:
            points.append(
                f"Saturation was not reached for the {listing([str(m) for m in open_])} "
                "transcripts: more of them might have added codes."
            )
    if "low_reliability" in display and display["low_reliability"].any():
        n = int(display["low_reliability"].sum())
        points.append(
            f"{plural(n, 'code').capitalize()} fell below the inter-coder reliability "
            "threshold; findings resting on them are marked with † and should be read with care."
        )
    if len(study.survey_respondents):
        points.append(
            "The survey is a self-selected sample, not a random one: its shares describe those "
            "who answered, not every member of staff."
        )
    points.append(
        "Interviews and focus groups are purposive; how often a theme was raised shows how "
        "salient it was to those who took part, not its prevalence in the population."
    )
    return "\n".join(f"- {p}" for p in points)


def findings_sections(study: Study, *, display: pd.DataFrame) -> list:
    """Every findings section, with its prose key: ``[(key, Section), ...]``.

    ``key`` is ``findings/<rq_id>`` for each research question (or theme) and None for
    "Other themes raised", which has no researcher text of its own.
    """
    from evstudy.sections import other_themes, research_question, research_questions

    found = [
        (f"findings/{rq}", research_question(study, rq, display=display))
        for rq in research_questions(study)["rq_id"]
    ]
    other = other_themes(study, display=display)
    return found + ([(None, other)] if other is not None else [])


def _key_table(section: Any) -> Any:
    from evstudy.sections import Table

    return next(
        (p for p in section.parts if isinstance(p, Table) and p.frame is not None and len(p.frame)),
        None,
    )


def _refer(section: Any, key_table: Any, ident: str, detail: str) -> str:
    """The section's text with its "(table *caption*)" references pointing where the
    tables are: the key table by number, the others to the findings in detail."""
    from evstudy.sections import Table

    text = section.markdown
    for part in section.parts:
        if isinstance(part, Table) and part.caption:
            named = f"(table *{part.caption}*)"
            if part is key_table:
                text = text.replace(named, f"({ref(ident)})")
            else:
                text = text.replace(named, f"(in [the findings in detail]({detail}))")
    return text


def key_findings(study: Study, found: list, *, detail: str, figures: Any = None) -> list:
    """The main report's findings: per research question its text (the researchers', or the
    computed draft) and its key table; the rest of each section is in the appendix.

    Parameters
    ----------
    study : Study
    found : list
        :func:`findings_sections`.
    detail : str
        Where the full sections are, as a Markdown link target (the findings appendix).
    figures : path, optional
        Where charts are saved (see :func:`save_and_show`).

    Returns
    -------
    list
        IPython objects for ``display(*...)``.
    """
    from IPython.display import Markdown

    from evstudy import prose
    from evstudy.sections import Chart

    shown: list = []
    for i, (key, section) in enumerate(found, 1):
        key_table = _key_table(section)
        ident = f"findings-{i}"
        draft = _refer(section, key_table, ident, detail)
        text = prose.section(study, key, draft=draft) if key else draft
        if key_table is not None:  # the text refers to its table, whoever wrote the text
            text += (
                f"\n\n{ref(ident)} sets out the codes behind this finding, with how many "
                "participants raised each."
            )
        shown.append(Markdown(f"### {section.title}\n\n{text}"))
        if key_table is not None:
            shown.append(
                table(
                    key_table.frame,
                    caption=key_table.caption,
                    labels=dict(key_table.labels),
                    percent=list(key_table.percent),
                    index=key_table.index,
                    ref=ident,
                )
            )
        chart = next((p for p in section.parts if isinstance(p, Chart)), None)
        if chart is not None:  # the section's key figure, where it has one
            shown.append(
                save_and_show(chart.draw(), notebook="synthesis", name=chart.name, folder=figures)
            )
    shown.append(
        Markdown(
            f"Every table behind these findings (by role group and site, the survey items, "
            f"COM-B and the analyses each question declares) is in [the findings in detail]"
            f"({detail})."
        )
    )
    return shown


def detailed_findings(found: list, *, figures: Any = None) -> list:
    """Each findings section in full, for the findings appendix."""
    from evstudy.sections import render

    shown: list = []
    for _, section in found:
        shown.extend(render(section, figures=figures, level=2))
    return shown


def by_unit(frame: pd.DataFrame, *, unit: str = "unit", digits: int = 1) -> pd.DataFrame:
    """A table whose rows carry their own unit, with each number written for its row:
    counts as whole numbers, yes/no as Yes and No, other measures to ``digits`` places.

    Parameters
    ----------
    frame : DataFrame
        A column ``unit`` names each row's unit (``count``, ``yes/no``, ``%``, ...).
    unit : str
        That column's name.
    digits : int
        Decimal places for measures that are neither counts nor yes/no.

    Returns
    -------
    DataFrame
        The same shape, every number as text ("" where missing).
    """
    if unit not in frame.columns:
        raise ValueError(f"`unit` must name a column of `frame`, but {unit!r} was passed")
    out = frame.astype(object).copy()
    numeric = [c for c in frame.columns if c != unit and pd.api.types.is_numeric_dtype(frame[c])]
    for i, row in frame.iterrows():
        kind = str(row[unit]).strip().lower()
        for column in numeric:
            value = row[column]
            if pd.isna(value):
                out.at[i, column] = ""
            elif kind in {"yes/no", "yes or no", "boolean"} and float(value) in (0.0, 1.0):
                out.at[i, column] = "Yes" if float(value) == 1.0 else "No"
            elif kind in {"count", "number", "n"}:
                out.at[i, column] = f"{float(value):,.0f}"
            else:
                out.at[i, column] = f"{float(value):,.{digits}f}"
    return out
