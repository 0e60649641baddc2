"""Executed notebooks to self-contained HTML: the sponsor's report pages and ``index.html``.

Export uses nbconvert with the ``evstudy`` template (``templates/evstudy``), which extends
nbconvert's ``lab`` template and empties every block that loads from the network
(require.js, MathJax, mermaid, widgets) and replaces the notebook CSS with one inline
stylesheet. Code is hidden; outputs and Markdown stay. A table of contents is built from
the headings actually rendered, and ids are made unique so every entry lands. Every
figure and table of a page is numbered in page order ("Figure 3.", "Table 2."), and each
reference to one in the text (:func:`evstudy.report.ref`) becomes a link to it. The
same notebook always gives the same bytes: cell ids are renumbered and nothing records a
time.

The main report (:func:`assemble_report`) is a title page, a short contents, then the
executed notebooks' cells in the report's order, exported once. Cells say which part of
the report they belong to with a ``report:<part>`` tag (see :data:`PARTS`), or which
appendix with an ``appendix:<name>`` tag (see :data:`APPENDICES`); the tag holds for the
cells after it until the next tagged cell, and cells before a notebook's first tagged
cell (its title, parameters and imports) are left out. Each appendix is a page of its own
(:func:`write_appendix`, ``appendices/<name>.html``), listed at the end of the report.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from html import escape, unescape
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from evstudy.errors import EvstudyError
from evstudy.files import atomic_write_text

if TYPE_CHECKING:
    from nbconvert import HTMLExporter

__all__ = [
    "APPENDICES",
    "PARTS",
    "TEMPLATES",
    "appendix_href",
    "appendix_title",
    "assemble_report",
    "check_self_contained",
    "export_html",
    "number_figures_and_tables",
    "report_parts",
    "title_page",
    "write_appendix",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "evstudy"
TAG_PREFIX = "report:"
APPENDIX_PREFIX = "appendix:"
# The report's parts, in the order index.html shows them; then the site pages and the
# list of appendices.
PARTS = (
    "summary",
    "background",
    "methods",
    "findings",
    "discussion",
    "limitations",
    "recommendations",
)
# Each appendix's page, in the order the report lists them: name -> (title, what it holds).
# Provenance comes last, for reviewers: it is out of the sponsor's reading path.
APPENDICES: dict[str, tuple[str, str]] = {
    "findings": (
        "Findings in detail",
        "every research question's tables in full: participants by role group and site, "
        "the survey items, COM-B, the joint display and the evidence review",
    ),
    "matrices": (
        "Framework matrices",
        "sites, role groups and methods by theme, with an exemplar quote per cell",
    ),
    "survey": ("The survey in full", "every question of the survey, with its chart"),
    "codebook": ("Codebook", "every code with its definition, COM-B mapping and use"),
    "reliability": ("Inter-coder reliability", "agreement between coders, code by code"),
    "saturation": ("Saturation", "whether each method reached code saturation"),
    "disclosure": ("Disclosure rule", "how small counts are suppressed"),
    "provenance": (
        "Provenance",
        "for reviewers: the raw inputs' digests, the software and each notebook run",
    ),
}
TOC_MARK = "<!-- evstudy:toc -->"
# Where the main report's contents go: after the title page.
TOC_SLOT = '<div class="evstudy-toc-slot"></div>'
_NUM = re.compile(
    r'<span class="evstudy-num" data-kind="(figure|table)" data-ref="([^"]*)"></span>'
)
_REF = re.compile(r"@@ref:([A-Za-z0-9][\w.-]*)@@")
_CAPTIONED = re.compile(
    r'<span class="evstudy-num" id="([^"]*)">(Table \d+\.)</span>([^<]*)</caption>'
)
_NAMED = re.compile(r"(\()table <em>([^<]*)</em>")

_HEADING = re.compile(r"<h([23])((?:\s[^>]*)?)>(.*?)</h\1>", re.DOTALL | re.IGNORECASE)
_ID = re.compile(r'\sid="([^"]*)"')
_TAGS = re.compile(r"<[^>]+>")
_ANCHOR = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.DOTALL)

# Network references: src=, <link href=, CSS url() and JS import() pointing at http(s) or //.
_NETWORK = (
    re.compile(r"""\bsrc\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""", re.IGNORECASE),
    re.compile(r"""<link\b[^>]*?\bhref\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""", re.IGNORECASE),
    re.compile(r"""\burl\(\s*["']?\s*((?:https?:)?//[^"')\s]*)""", re.IGNORECASE),
    re.compile(r"""\bimport\s*\(\s*["']\s*((?:https?:)?//[^"')\s]*)""", re.IGNORECASE),
    re.compile(r"""@import\s+["']\s*((?:https?:)?//[^"'\s]*)""", re.IGNORECASE),
)


def check_self_contained(html: str) -> list[str]:
    """Every reference in ``html`` that would load something from the network.

    Looks for ``src=``, ``<link href=``, CSS ``url(...)``, ``@import`` and JavaScript
    ``import(...)`` pointing at ``http://``, ``https://`` or a protocol-relative ``//``.
    Ordinary links (``<a href="https://...">``) load nothing and are allowed, as are
    ``data:`` URIs.

    Parameters
    ----------
    html : str

    Returns
    -------
    list of str
        The offending URLs in document order (empty when the page is self-contained).
    """
    found = []
    for pattern in _NETWORK:
        found.extend((m.start(), m.group(1)) for m in pattern.finditer(html))
    return [url for _, url in sorted(set(found))]


def _for_readers(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy with deterministic cell ids (ids are written into the HTML as anchors) and
    without stderr: warnings are for the researcher, who finds them in the executed
    notebook, not for the sponsor's report."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells, 1):
        cell["id"] = f"cell-{i}"
        if cell.cell_type == "code":
            cell.outputs = [
                out
                for out in cell.outputs
                if not (out.output_type == "stream" and out.get("name") == "stderr")
            ]
    return nb


def _toc_and_ids(html: str) -> tuple[str, list[tuple[int, str, str]]]:
    """Give every h2/h3 a unique id; return the page and its (level, id, text) headings."""
    taken = {unescape(m.group(1)) for m in re.finditer(r'\sid="([^"]*)"', html)}
    used: set[str] = set()
    headings: list[tuple[int, str, str]] = []

    def fix(match: re.Match) -> str:
        level, attrs, inner = int(match.group(1)), match.group(2) or "", match.group(3)
        text = " ".join(unescape(_TAGS.sub("", _ANCHOR.sub("", inner))).split())
        found = _ID.search(attrs)
        base = unescape(found.group(1)) if found else ""
        base = base or re.sub(r"[^\w-]+", "-", text).strip("-") or "section"
        new, n = base, 1
        while new in used or (new != base and new in taken):
            n += 1
            new = f"{base}-{n}"
        used.add(new)
        attrs = _ID.sub("", attrs) + f' id="{escape(new, quote=True)}"'
        old_href = f'href="#{escape(base, quote=True)}"'
        inner = inner.replace(old_href, f'href="#{escape(new, quote=True)}"')
        headings.append((level, new, text))
        return f"<h{level}{attrs}>{inner}</h{level}>"

    return _HEADING.sub(fix, html), headings


def _toc(headings: list[tuple[int, str, str]], *, levels: int = 3) -> str:
    """A nested list of links: h3 entries inside the h2 entry before them (``levels=2``:
    the h2 headings only, the chapters)."""
    headings = [h for h in headings if h[0] <= levels]
    if not headings:
        return ""

    def link(ident: str, text: str) -> str:
        return f'<a href="#{escape(ident, quote=True)}">{escape(text)}</a>'

    lines = ['<nav class="evstudy-toc" aria-label="Contents">', "<h2>Contents</h2>", "<ol>"]
    in_item = in_sub = False
    for level, ident, text in headings:
        if level == 2 or not in_item:
            lines.extend(["</ol>"] * in_sub + ["</li>"] * in_item)
            lines.append(f"<li>{link(ident, text)}")
            in_item, in_sub = True, False
            continue
        if not in_sub:
            lines.append("<ol>")
            in_sub = True
        lines.append(f"<li>{link(ident, text)}</li>")
    lines.extend(["</ol>"] * in_sub + ["</li>"] * in_item + ["</ol>", "</nav>"])
    return "\n".join(lines)


def _after_title(html: str, contents: str) -> str:
    """The page with its contents after the cell that holds its h1 (the title, and on a
    site page the header placing the site), or at the top when it has none."""
    title = html.find("</h1>")
    cell = html.find('<div class="jp-Cell', title) if title >= 0 else -1
    if cell < 0:
        start = html.find("<main>")
        cell = html.find('<div class="jp-Cell', start) if start >= 0 else -1
    if cell < 0:
        return html
    return html[:cell] + contents + html[cell:]


def number_figures_and_tables(html: str, *, page: str = "the page") -> str:
    """Number a page's figures and tables in order and turn references into links.

    :func:`evstudy.report.figure` and :func:`evstudy.report.table` leave an empty
    ``evstudy-num`` span before each caption; it becomes "Figure 3." or "Table 2.", with an
    id (``figure-<ref>``, or ``figure-3`` without a ref) a link can land on. Each
    ``@@ref:<ref>@@`` in the text (:func:`evstudy.report.ref`) becomes a link: "Figure 3".

    Raises
    ------
    EvstudyError
        When the text refers to a figure or table the page does not show.
    """
    counts = {"figure": 0, "table": 0}
    found: dict[str, tuple[str, str]] = {}
    used: set[str] = set()

    def number(match: re.Match) -> str:
        kind, ref = match.group(1), unescape(match.group(2))
        counts[kind] += 1
        label = f"{kind.capitalize()} {counts[kind]}"
        ident = f"{kind}-{ref or counts[kind]}"
        while ident in used:
            ident += "-x"
        used.add(ident)
        if ref and ref not in found:
            found[ref] = (label, ident)
        return f'<span class="evstudy-num" id="{escape(ident, quote=True)}">{escape(label)}.</span>'

    html = _NUM.sub(number, html)

    def link(match: re.Match) -> str:
        ref = match.group(1)
        if ref not in found:
            raise EvstudyError(
                f"{page} refers to a figure or table {ref!r} that it does not show; give the "
                f"figure or table `ref={ref!r}`, or remove the reference"
            )
        label, ident = found[ref]
        return f'<a class="evstudy-ref" href="#{escape(ident, quote=True)}">{label}</a>'

    html = _REF.sub(link, html)
    # The computed text names tables by caption, "(table *caption*)": link those on the page.
    captions = {}
    for match in _CAPTIONED.finditer(html):
        captions.setdefault(match.group(3).strip(), (match.group(2).rstrip("."), match.group(1)))

    def by_caption(match: re.Match) -> str:
        found = captions.get(match.group(2).strip())
        if found is None:
            return match.group(0)
        label, ident = found
        return f'{match.group(1)}<a class="evstudy-ref" href="#{ident}">{label}</a>'

    return _NAMED.sub(by_caption, html)


@lru_cache(maxsize=1)
def _exporter() -> HTMLExporter:
    """One exporter for every page: it compiles its Jinja templates once, not per page."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def _render(
    nb: nbformat.NotebookNode,
    *,
    title: str,
    synthetic: bool,
    toc: bool,
    chapters_only: bool = False,
    nav: list[tuple[str, str, str]] | None = None,
) -> str:
    nb = _for_readers(nb)
    nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)
    resources = {
        "evstudy": {
            "synthetic": bool(synthetic),
            # The main report places its contents after the title page itself.
            "toc": bool(toc) and not chapters_only,
            "nav": [{"rel": r, "href": h, "text": t} for r, h, t in nav or []],
        }
    }
    html, _ = _exporter().from_notebook_node(nb, resources=resources)
    # A heading above the TOC (the page's own title, in h2 from a single notebook) is fine;
    # the TOC is built from the rendered page so that every entry has a target.
    html, headings = _toc_and_ids(html)
    contents = _toc(headings, levels=2 if chapters_only else 3) if toc else ""
    if chapters_only:
        html = html.replace(TOC_SLOT, contents, 1)
    else:
        html = _after_title(html.replace(TOC_MARK, "", 1), contents)
    html = number_figures_and_tables(html, page=f"the page {title!r}")
    refs = check_self_contained(html)
    if refs:
        raise EvstudyError(
            f"the exported page {title!r} would load {len(refs)} resource(s) from the network "
            f"({', '.join(refs[:3])}); remove the output that embeds them"
        )
    return html


def export_html(
    notebook_path: Path,
    out: Path,
    *,
    title: str,
    synthetic: bool,
    toc: bool = True,
    nav: list[tuple[str, str, str]] | None = None,
) -> Path:
    """Export one executed notebook as a self-contained HTML page.

    Parameters
    ----------
    notebook_path : Path
        An executed notebook.
    out : Path
        The HTML file to write (atomically).
    title : str
        The page title (``<title>``).
    synthetic : bool
        Show the "Synthetic demonstration data" banner at the top.
    toc : bool
        Add a table of contents of the page's h2 and h3 headings.
    nav : list of (rel, href, text), optional
        Links at the top of the page: back to the main report (``rel`` "up"), the
        previous and next pages ("prev", "next").

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    EvstudyError
        When the page would still load anything from the network, or refers to a figure
        or table it does not show.
    """
    nb = nbformat.read(Path(notebook_path), as_version=4)
    html = _render(nb, title=title, synthetic=synthetic, toc=toc, nav=nav)
    return atomic_write_text(Path(out), html)


def report_parts(nb: nbformat.NotebookNode) -> dict[str, list]:
    """A notebook's cells grouped by their ``report:<part>`` or ``appendix:<name>`` tag
    (untagged lead-in dropped). Appendix cells are keyed ``appendix:<name>``.

    Raises
    ------
    ValueError
        When a cell carries an unknown part or appendix.
    """
    parts: dict[str, list] = {}
    current = None
    for cell in nb.cells:
        tags = [
            t
            for t in cell.get("metadata", {}).get("tags", [])
            if t.startswith((TAG_PREFIX, APPENDIX_PREFIX))
        ]
        if tags:
            tag = tags[0]
            if tag.startswith(TAG_PREFIX):
                current = tag[len(TAG_PREFIX) :]
                if current not in PARTS:
                    raise ValueError(
                        f"`{TAG_PREFIX}<part>` must be one of {list(PARTS)}, but {current!r} "
                        "was used"
                    )
            else:
                name = tag[len(APPENDIX_PREFIX) :]
                if name not in APPENDICES:
                    raise ValueError(
                        f"`{APPENDIX_PREFIX}<name>` must be one of {list(APPENDICES)}, but "
                        f"{name!r} was used"
                    )
                current = tag
        if current is not None:
            parts.setdefault(current, []).append(cell)
    return parts


def appendix_href(name: str) -> str:
    """An appendix page's path, relative to the report folder."""
    return f"appendices/{name}.html"


def _letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else f"A{i}"


def appendix_title(name: str) -> str:
    """ "Appendix C: Saturation": the appendix's letter follows :data:`APPENDICES`'s order."""
    if name not in APPENDICES:
        raise ValueError(f"`name` must be one of {list(APPENDICES)}, but {name!r} was passed")
    return f"Appendix {_letter(list(APPENDICES).index(name))}: {APPENDICES[name][0]}"


def _relative(page: Path, out: Path, fallback: str) -> str:
    try:
        return Path(page).resolve().relative_to(Path(out).resolve().parent).as_posix()
    except ValueError:
        return fallback


def _site_links(out: Path, site_pages: dict[str, Path], titles: dict[str, str]) -> str:
    lines = [
        "## Site case studies",
        "",
        "One page per site: where it sits in the study, its profile, who took part, its "
        "themes with exemplar quotes, and how it compares with the other sites.",
        "",
    ]
    for site, page in sorted(site_pages.items()):
        page = Path(page)
        label = titles.get(site, site)
        if site not in titles and page.is_file():
            found = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), re.S)
            label = unescape(found.group(1)).strip() if found else site
        href = _relative(page, out, f"sites/{site}.html")
        lines.append(f"- [{label}]({href})")
    return "\n".join(lines)


def _appendix_links(names: list[str]) -> str:
    lines = [
        "## Appendices",
        "",
        "Each appendix is a page of its own; the detailed tables behind the findings are there.",
        "",
    ]
    for name in names:
        lines.append(f"- [{appendix_title(name)}]({appendix_href(name)}): {APPENDICES[name][1]}.")
    return "\n".join(lines)


def _long_date(day: str | None) -> str:
    import datetime as dt

    if not day:
        return ""
    try:
        date = dt.date.fromisoformat(str(day))
    except ValueError:
        return str(day)
    return f"{date.day} {date.strftime('%B')} {date.year}"


def title_page(title: str, report: dict | None = None, *, final: bool = False) -> str:
    """The report's title page, in HTML: its title, sponsor, authors, date and version
    (study.yml's ``report:``), and "Draft" unless the build is final.

    Parameters
    ----------
    title : str
    report : dict, optional
        ``sponsor``, ``authors`` (a list), ``date`` (ISO) and ``version``; missing ones are
        left out. The date is the study's, never the build's clock.
    final : bool, default False
        A final build (``evstudy build --final``): no "Draft" mark.
    """
    report = dict(report or {})
    lines = ['<header class="evstudy-title-page">']
    if not final:
        lines.append('<p class="evstudy-status">Draft</p>')
    lines.append(f"<h1>{escape(title)}</h1>")
    if report.get("sponsor"):
        lines.append(
            f'<p class="evstudy-sponsor">A report for {escape(str(report["sponsor"]))}</p>'
        )
    authors = [str(a) for a in report.get("authors") or []]
    if authors:
        names = ", ".join(authors[:-1]) + (" and " if len(authors) > 1 else "") + authors[-1]
        lines.append(f'<p class="evstudy-authors">By {escape(names)}</p>')
    facts = [_long_date(report.get("date"))]
    if report.get("version"):
        facts.append(f"Version {report['version']}")
    facts = [f for f in facts if f]
    if facts:
        lines.append(f'<p class="evstudy-edition">{escape(" · ".join(facts))}</p>')
    lines.append("</header>")
    return "\n".join(lines)


def _cells_by_part(sections: list[tuple[str, Path]]) -> dict[str, list]:
    names = [name for name, _ in sections]
    if len(set(names)) != len(names):
        raise ValueError(f"`sections` must name each notebook once, but {names} was passed")
    found: dict[str, list] = {}
    for name, path in sections:
        parts = report_parts(nbformat.read(Path(path), as_version=4))
        if not parts:
            raise ValueError(
                f"notebook {name!r} ({path}) has no cell tagged `{TAG_PREFIX}<part>` or "
                f"`{APPENDIX_PREFIX}<name>`, so it would add nothing to the report"
            )
        for part, cells in parts.items():
            found.setdefault(part, []).extend(cells)
    return found


def assemble_report(
    sections: list[tuple[str, Path]],
    out: Path,
    *,
    title: str,
    synthetic: bool,
    site_pages: dict[str, Path],
    provenance: str = "",
    site_titles: dict[str, str] | None = None,
    report: dict | None = None,
    final: bool = False,
) -> Path:
    """Build ``index.html``: the title page, the contents, then every notebook's report
    parts in the report's order, exported once.

    The order is :data:`PARTS`: executive summary, background and aims, methods, findings,
    discussion, limitations, recommendations; then links to one page per site and to
    each appendix page the notebooks fill (:data:`APPENDICES`). Within a part, cells
    follow the order of ``sections``.

    Parameters
    ----------
    sections : list of (name, Path)
        The executed notebooks, by name (``"synthesis"``, ``"survey"``).
    out : Path
        The page to write, e.g. ``reports/index.html``.
    title : str
        The report's title: the page's ``<title>`` and its h1.
    synthetic : bool
        Show the "Synthetic demonstration data" banner.
    site_pages : dict
        Site id to its exported page (``reports/sites/<site>.html``); linked relative to
        ``out``, labelled with each page's title.
    provenance : str, optional
        Not shown here any more: the build note is on the provenance appendix's page
        (:func:`write_appendix`). Accepted so that callers need not change.
    site_titles : dict, optional
        Site id to its page's title, for pages being written at the same time; a site
        not in it is labelled with the ``<title>`` of its page on disk.
    report : dict, optional
        The title page's facts (study.yml's ``report:``, see :func:`title_page`).
    final : bool, default False
        A final build: the title page says "Draft" unless it is.

    Returns
    -------
    Path
        ``out``.
    """
    del provenance  # on the provenance appendix's page
    out = Path(out)
    by_part = _cells_by_part(sections)
    combined = nbformat.v4.new_notebook()
    cover = nbformat.v4.new_markdown_cell(
        title_page(title, report, final=final) + "\n\n" + TOC_SLOT
    )
    combined.cells.append(cover)
    for part in PARTS:
        combined.cells.extend(by_part.get(part, []))
    if site_pages:
        links = _site_links(out, site_pages, site_titles or {})
        combined.cells.append(nbformat.v4.new_markdown_cell(links))
    appendices = [name for name in APPENDICES if f"{APPENDIX_PREFIX}{name}" in by_part]
    if appendices:
        listing = nbformat.v4.new_markdown_cell(_appendix_links(appendices))
        listing.metadata["tags"] = ["report:appendices"]  # where the PDF prints the sites
        combined.cells.append(listing)
    html = _render(combined, title=title, synthetic=synthetic, toc=True, chapters_only=True)
    return atomic_write_text(out, html)


def write_appendix(
    sections: list[tuple[str, Path]],
    name: str,
    out: Path,
    *,
    report_title: str,
    synthetic: bool,
    provenance: str = "",
) -> Path:
    """Write one appendix's page: the cells tagged ``appendix:<name>`` of every notebook.

    Parameters
    ----------
    sections : list of (name, Path)
        The executed notebooks, as for :func:`assemble_report`.
    name : str
        One of :data:`APPENDICES`.
    out : Path
        The page, ``reports/appendices/<name>.html``.
    report_title : str
        The study's title (in the page's ``<title>``).
    synthetic : bool
        Show the "Synthetic demonstration data" banner.
    provenance : str, optional
        Markdown added at the end of the provenance appendix (the build's code version and
        where the manifest is): known only when the report is exported.

    Returns
    -------
    Path
        ``out``.
    """
    heading = appendix_title(name)
    by_part = _cells_by_part(sections)
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {heading}"))
    cells = by_part.get(f"{APPENDIX_PREFIX}{name}", [])
    nb.cells.extend(cells)
    if not cells:
        nb.cells.append(nbformat.v4.new_markdown_cell("*This study has nothing to show here.*"))
    if name == "provenance" and provenance:
        nb.cells.append(nbformat.v4.new_markdown_cell(provenance))
    order = list(APPENDICES)
    at = order.index(name)
    nav = [("up", "../index.html", "Back to the report")]
    if at > 0:
        nav.append(("prev", f"{order[at - 1]}.html", appendix_title(order[at - 1])))
    if at < len(order) - 1:
        nav.append(("next", f"{order[at + 1]}.html", appendix_title(order[at + 1])))
    html = _render(nb, title=f"{heading} ({report_title})", synthetic=synthetic, toc=True, nav=nav)
    return atomic_write_text(Path(out), html)
