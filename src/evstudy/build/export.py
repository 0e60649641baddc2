"""Executed notebooks to self-contained HTML: the sponsor's report pages and ``index.html``.

Export uses nbconvert with the ``evstudy`` template (``templates/evstudy``), which extends
nbconvert's ``lab`` template and empties every block that loads from the network
(require.js, MathJax, mermaid, widgets) and replaces the notebook CSS with one inline
stylesheet. Code is hidden; outputs and Markdown stay. A table of contents is built from
the h2/h3 headings actually rendered, and ids are made unique so every entry lands. The
same notebook always gives the same bytes: cell ids are renumbered and nothing records a
time.

The combined report (:func:`assemble_report`) concatenates the executed notebooks'
cells in the report's order and exports them once. Cells say which part of the report
they belong to with a ``report:<part>`` tag (see :data:`PARTS`); the tag holds for the
cells after it until the next tagged cell, and cells before a notebook's first tagged
cell (its title, parameters and imports) are left out.
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
    "APPENDIX_PARTS",
    "PARTS",
    "TEMPLATES",
    "assemble_report",
    "check_self_contained",
    "export_html",
    "report_parts",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "evstudy"
TAG_PREFIX = "report:"
# The report's parts, in the order index.html shows them; site links go before the appendices.
PARTS = ("summary", "methods", "findings", "synthesis", "survey", "appendix")
APPENDIX_PARTS = ("appendix",)
TOC_MARK = "<!-- evstudy:toc -->"

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


def _toc(headings: list[tuple[int, str, str]]) -> str:
    """A nested list of links: h3 entries inside the h2 entry before them."""
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


def _render(nb: nbformat.NotebookNode, *, title: str, synthetic: bool, toc: bool) -> str:
    nb = _for_readers(nb)
    nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)
    resources = {"evstudy": {"synthetic": bool(synthetic), "toc": bool(toc)}}
    html, _ = _exporter().from_notebook_node(nb, resources=resources)
    # A heading above the TOC (the page's own title, in h2 from a single notebook) is fine;
    # the TOC is built from the rendered page so that every entry has a target.
    html, headings = _toc_and_ids(html)
    html = html.replace(TOC_MARK, _toc(headings) if toc else "", 1)
    refs = check_self_contained(html)
    if refs:
        raise EvstudyError(
            f"the exported page {title!r} would load {len(refs)} resource(s) from the network "
            f"({', '.join(refs[:3])}); remove the output that embeds them"
        )
    return html


def export_html(
    notebook_path: Path, out: Path, *, title: str, synthetic: bool, toc: bool = True
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

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    EvstudyError
        When the page would still load anything from the network.
    """
    nb = nbformat.read(Path(notebook_path), as_version=4)
    html = _render(nb, title=title, synthetic=synthetic, toc=toc)
    return atomic_write_text(Path(out), html)


def report_parts(nb: nbformat.NotebookNode) -> dict[str, list]:
    """A notebook's cells grouped by their ``report:<part>`` tag (untagged lead-in dropped).

    Raises
    ------
    ValueError
        When a cell carries an unknown part.
    """
    parts: dict[str, list] = {}
    current = None
    for cell in nb.cells:
        tags = [t for t in cell.get("metadata", {}).get("tags", []) if t.startswith(TAG_PREFIX)]
        if tags:
            current = tags[0][len(TAG_PREFIX) :]
            if current not in PARTS:
                raise ValueError(
                    f"`{TAG_PREFIX}<part>` must be one of {list(PARTS)}, but {current!r} was used"
                )
        if current is not None:
            parts.setdefault(current, []).append(cell)
    return parts


def _site_links(out: Path, site_pages: dict[str, Path], titles: dict[str, str]) -> str:
    lines = [
        "## Site case studies",
        "",
        "One page per local authority: its profile, documents, admin data, leading themes "
        "with exemplar quotes, and its barriers and enablers.",
        "",
    ]
    for site, page in sorted(site_pages.items()):
        page = Path(page)
        label = titles.get(site, site)
        if site not in titles and page.is_file():
            found = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), re.S)
            label = unescape(found.group(1)).strip() if found else site
        try:
            href = page.resolve().relative_to(out.resolve().parent).as_posix()
        except ValueError:
            href = f"sites/{site}.html"
        lines.append(f"- [{label}]({href})")
    return "\n".join(lines)


def assemble_report(
    sections: list[tuple[str, Path]],
    out: Path,
    *,
    title: str,
    synthetic: bool,
    site_pages: dict[str, Path],
    provenance: str = "",
    site_titles: dict[str, str] | None = None,
) -> Path:
    """Build ``index.html``: every notebook's report parts in the report's order, exported once.

    The order is :data:`PARTS`: executive summary, methods, findings, cross-site synthesis,
    survey, then links to one page per site, then the appendices (codebook, inter-coder
    reliability, saturation, disclosure rule, provenance). Within a part, cells follow
    the order of ``sections``.

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
        Markdown added at the end of the report (the build's code version and where the
        manifest is): known only when the report is exported, not when notebooks run.
    site_titles : dict, optional
        Site id to its page's title, for pages being written at the same time; a site
        not in it is labelled with the ``<title>`` of its page on disk.

    Returns
    -------
    Path
        ``out``.
    """
    names = [name for name, _ in sections]
    if len(set(names)) != len(names):
        raise ValueError(f"`sections` must name each notebook once, but {names} was passed")
    out = Path(out)
    by_part: dict[str, list] = {part: [] for part in PARTS}
    for name, path in sections:
        parts = report_parts(nbformat.read(Path(path), as_version=4))
        if not parts:
            raise ValueError(
                f"notebook {name!r} ({path}) has no cell tagged `{TAG_PREFIX}<part>`, so it "
                "would add nothing to the report"
            )
        for part, cells in parts.items():
            by_part[part].extend(cells)
    combined = nbformat.v4.new_notebook()
    combined.cells.append(nbformat.v4.new_markdown_cell(f"# {title}"))
    for part in PARTS:
        # The site links come just before the appendices, even when there are none.
        if part in APPENDIX_PARTS and site_pages:
            links = _site_links(out, site_pages, site_titles or {})
            combined.cells.append(nbformat.v4.new_markdown_cell(links))
        combined.cells.extend(by_part[part])
    if provenance:
        combined.cells.append(nbformat.v4.new_markdown_cell(provenance))
    html = _render(combined, title=title, synthetic=synthetic, toc=True)
    return atomic_write_text(out, html)
