"""HTML export: self-contained pages, hidden code, banner, table of contents, stable bytes."""

from __future__ import annotations

import base64
import io
import re
from html import unescape
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from evstudy.build.export import assemble_report, check_self_contained, export_html

CODE = "SECRET_CODE_THAT_MUST_NOT_SHOW = 1"


def _png() -> str:
    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([1, 2, 3])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode()


def _executed(part: str | None = None, heading: str = "Results") -> nbformat.NotebookNode:
    """A tiny executed notebook: Markdown headings, a PNG, a figure with alt, a DataFrame."""
    tags = {"tags": [f"report:{part}"]} if part else {}
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Tiny notebook"),
        new_code_cell("processed = None", metadata={"tags": ["parameters"]}),
        new_markdown_cell(f"## {heading}\n\nSome text.\n\n### Detail & more", metadata=tags),
        new_code_cell(
            CODE,
            execution_count=2,
            outputs=[new_output("display_data", data={"image/png": _png(), "text/plain": "<Fig>"})],
        ),
        new_code_cell(
            "figure(fig, alt)",
            execution_count=3,
            outputs=[
                new_output(
                    "display_data",
                    data={
                        "text/html": f'<figure><img src="data:image/png;base64,{_png()}" '
                        'alt="A line rising from 1 to 3"></figure>',
                        "text/plain": "<HTML>",
                    },
                )
            ],
        ),
        new_code_cell(
            "frame",
            execution_count=4,
            outputs=[
                new_output(
                    "execute_result",
                    data={
                        "text/html": pd.DataFrame({"a": [1, 2]}).to_html(),
                        "text/plain": "frame",
                    },
                    execution_count=4,
                )
            ],
        ),
        new_markdown_cell(f"## {heading}\n\nThe same heading again: its id must differ."),
    ]
    return nb


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.ipynb"
    nbformat.write(_executed(), path)
    return path


def _ids(html: str) -> list[str]:
    return [unescape(i) for i in re.findall(r'\sid="([^"]*)"', html)]


def _toc_targets(html: str) -> list[str]:
    nav = re.search(r'<nav class="evstudy-toc".*?</nav>', html, re.S).group(0)
    return [unescape(h)[1:] for h in re.findall(r'href="([^"]*)"', nav)]


def test_export_is_self_contained_and_hides_code(tiny, tmp_path):
    html = export_html(tiny, tmp_path / "page.html", title="Tiny page", synthetic=False).read_text()
    assert check_self_contained(html) == []
    assert "require.js" not in html and "mathjax" not in html.lower()
    assert "mermaid" not in html.lower()
    assert CODE not in html and "processed = None" not in html
    assert "In&nbsp;[" not in html and "Out[" not in html
    assert "<title>Tiny page</title>" in html
    assert "data:image/png;base64," in html and "<table" in html
    assert "@media print" in html


def test_banner_appears_exactly_when_synthetic(tiny, tmp_path):
    real = export_html(tiny, tmp_path / "a.html", title="T", synthetic=False).read_text()
    fake = export_html(tiny, tmp_path / "b.html", title="T", synthetic=True).read_text()
    assert "Synthetic demonstration data" not in real
    assert fake.count("Synthetic demonstration data") == 1
    assert fake.index("Synthetic demonstration data") < fake.index("Tiny notebook")


def test_toc_links_land_on_unique_heading_ids(tiny, tmp_path):
    html = export_html(tiny, tmp_path / "page.html", title="T", synthetic=False).read_text()
    targets = _toc_targets(html)
    ids = _ids(html)
    assert targets == ["Results", "Detail-&-more", "Results-2"]
    assert all(ids.count(t) == 1 for t in targets)
    # nested: the h3 sits in a list inside the h2's entry
    assert re.search(r"<li><a href=\"#Results\">Results</a>\s*<ol>", html)
    export_html(tiny, tmp_path / "n.html", title="T", synthetic=False, toc=False)
    assert '<nav class="evstudy-toc"' not in (tmp_path / "n.html").read_text()


def test_every_image_has_alt_text(tiny, tmp_path):
    html = export_html(tiny, tmp_path / "page.html", title="T", synthetic=False).read_text()
    images = re.findall(r"<img\b[^>]*>", html)
    assert len(images) == 2
    for image in images:
        alt = re.search(r'\balt="([^"]*)"', image)
        assert alt and alt.group(1).strip()
    assert 'alt="A line rising from 1 to 3"' in html


def test_two_exports_are_byte_identical(tiny, tmp_path):
    first = export_html(tiny, tmp_path / "1.html", title="T", synthetic=True).read_bytes()
    second = export_html(tiny, tmp_path / "2.html", title="T", synthetic=True).read_bytes()
    assert first == second


def test_cell_ids_do_not_leak_into_the_page(tmp_path):
    # The same content with different random cell ids gives the same page.
    a, b = _executed(), _executed()
    for cell in b.cells:
        cell["id"] = "x" + cell["id"][1:]
    nbformat.write(a, tmp_path / "a.ipynb")
    nbformat.write(b, tmp_path / "b.ipynb")
    one = export_html(tmp_path / "a.ipynb", tmp_path / "a.html", title="T", synthetic=False)
    two = export_html(tmp_path / "b.ipynb", tmp_path / "b.html", title="T", synthetic=False)
    assert one.read_bytes() == two.read_bytes()


@pytest.mark.parametrize(
    ("snippet", "url"),
    [
        (
            '<script src="https://cdn.example.org/require.js"></script>',
            "https://cdn.example.org/require.js",
        ),
        ("<img src=//cdn.example.org/x.png>", "//cdn.example.org/x.png"),
        (
            '<link rel="stylesheet" href="http://fonts.example.org/a.css">',
            "http://fonts.example.org/a.css",
        ),
        (
            "<style>body { background: url('https://x.example.org/bg.png') }</style>",
            "https://x.example.org/bg.png",
        ),
        (
            "<style>@font-face { src: url(//x.example.org/f.woff) }</style>",
            "//x.example.org/f.woff",
        ),
        (
            '<script>const m = await import("https://cdn.example.org/m.mjs");</script>',
            "https://cdn.example.org/m.mjs",
        ),
        (
            "<style>@import 'https://x.example.org/more.css';</style>",
            "https://x.example.org/more.css",
        ),
    ],
)
def test_check_self_contained_catches_each_kind_of_reference(snippet, url):
    assert check_self_contained(f"<html><body>{snippet}</body></html>") == [url]


def test_check_self_contained_allows_links_data_uris_and_local_files():
    html = (
        '<a href="https://www.gov.uk/">GOV.UK</a>'
        '<img src="data:image/png;base64,iVBOR" alt="x">'
        "<style>.a { background: url(data:image/svg+xml;base64,PHN2Zz4=) }</style>"
        '<img src="figures/chart.png" alt="y">'
    )
    assert check_self_contained(html) == []


def test_assemble_report_orders_parts_and_links_site_and_appendix_pages(tmp_path):
    survey = _executed(heading="Survey in full")
    survey.cells[2].metadata["tags"] = ["appendix:survey"]
    summary = _executed("summary", heading="Executive summary")
    summary.cells.append(
        new_markdown_cell("## Codebook detail", metadata={"tags": ["appendix:codebook"]})
    )
    summary.cells.append(new_markdown_cell("## Methods", metadata={"tags": ["report:methods"]}))
    summary.cells.append(
        new_markdown_cell("## Background", metadata={"tags": ["report:background"]})
    )
    nbformat.write(survey, tmp_path / "survey.ipynb")
    nbformat.write(summary, tmp_path / "synthesis.ipynb")
    site = export_html(
        tmp_path / "survey.ipynb",
        tmp_path / "reports" / "sites" / "S01.html",
        title="Ullsbridge (S01)",
        synthetic=True,
    )
    sections = [("synthesis", tmp_path / "synthesis.ipynb"), ("survey", tmp_path / "survey.ipynb")]
    meta = {"sponsor": "A Trust", "authors": ["Ann", "Bo"], "date": "2024-03-28", "version": "1.0"}
    out = assemble_report(
        sections,
        tmp_path / "reports" / "index.html",
        title="The report",
        synthetic=True,
        site_pages={"S01": site},
        report=meta,
    )
    html = out.read_text()
    toc = re.findall(
        r'<li><a href="#[^"]*">([^<]*)</a>', re.search(r"<nav.*?</nav>", html, re.S).group(0)
    )
    # Chapters only (no h3), in the report's order, whatever the notebooks' order (each
    # test notebook repeats its h2).
    assert list(dict.fromkeys(toc)) == [
        "Executive summary",
        "Background",
        "Methods",
        "Site case studies",
        "Appendices",
    ]
    # The title page comes first, then the contents; the date is the study's, spelt out.
    assert html.index('class="evstudy-title-page"') < html.index('class="evstudy-toc"')
    assert "A report for A Trust" in html and "By Ann and Bo" in html
    assert "28 March 2024 · Version 1.0" in html and ">Draft<" in html
    assert '<a href="sites/S01.html">Ullsbridge (S01)</a>' in html
    # The appendices the notebooks fill are listed, each linked to its page; not shown here.
    assert '<a href="appendices/codebook.html">Appendix D: Codebook</a>' in html
    assert '<a href="appendices/survey.html">Appendix C: The survey in full</a>' in html
    assert "appendices/reliability.html" not in html  # no cell tagged for it
    assert "Codebook detail" not in html and "Survey in full" not in html
    assert "Detail &amp; more" not in toc  # an h3
    assert "Tiny notebook" not in html  # a notebook's untagged lead-in is left out
    assert check_self_contained(html) == [] and CODE not in html
    assert all(_ids(html).count(t) == 1 for t in _toc_targets(html))
    again = assemble_report(
        sections,
        tmp_path / "reports" / "again.html",
        title="The report",
        synthetic=True,
        site_pages={"S01": site},
        report=meta,
    )
    assert again.read_bytes() == out.read_bytes()
    final = assemble_report(
        sections, tmp_path / "f.html", title="T", synthetic=False, site_pages={}, final=True
    ).read_text()
    assert ">Draft<" not in final and 'class="evstudy-banner"' not in final


def test_an_appendix_page_holds_its_cells_and_links_back(tmp_path):
    from evstudy.build.export import write_appendix

    summary = _executed("summary", heading="Executive summary")
    summary.cells.append(
        new_markdown_cell("## Every code", metadata={"tags": ["appendix:codebook"]})
    )
    nbformat.write(summary, tmp_path / "synthesis.ipynb")
    sections = [("synthesis", tmp_path / "synthesis.ipynb")]
    page = write_appendix(
        sections,
        "codebook",
        tmp_path / "appendices" / "codebook.html",
        report_title="The report",
        synthetic=True,
        provenance="**Build.** x",
    ).read_text()
    assert re.search(r"<h1[^>]*>Appendix D: Codebook<", page)
    assert "Every code" in page and "Executive summary" not in page
    assert "**Build.**" not in page and "Build." not in page  # only on the provenance page
    nav = re.search(r'<nav [^>]*class="evstudy-pagenav".*?</nav>', page, re.S).group(0)
    links = [dict(re.findall(r'(\w+)="([^"]*)"', a)) for a in re.findall(r"<a ([^>]*)>", nav)]
    assert [(a["rel"], a["href"]) for a in links] == [
        ("up", "../index.html"),
        ("prev", "survey.html"),
        ("next", "reliability.html"),
    ]
    provenance = write_appendix(
        sections,
        "provenance",
        tmp_path / "p.html",
        report_title="T",
        synthetic=False,
        provenance="**Build.** by evstudy",
    ).read_text()
    assert "nothing to show here" in provenance and "by evstudy" in provenance
    assert 'rel="next"' not in provenance  # the last appendix


def test_figures_and_tables_are_numbered_in_page_order_and_references_link():
    from evstudy.build.export import number_figures_and_tables
    from evstudy.errors import EvstudyError

    def num(kind, ref=""):
        return f'<span class="evstudy-num" data-kind="{kind}" data-ref="{ref}"></span>'

    html = (
        "<p>See @@ref:b@@ and @@ref:a@@, and (table <em>Second</em>).</p>"
        f"<table><caption>{num('table', 'a')} First</caption></table>"
        f"<figure><figcaption>{num('figure', 'a')} Chart</figcaption></figure>"
        f"<table><caption>{num('table')} Second</caption></table>"
        f"<table><caption>{num('table', 'b')} Third</caption></table>"
    )
    out = number_figures_and_tables(html)
    assert re.findall(r'id="([^"]+)">([^<]+)</span>', out) == [
        ("table-a", "Table 1."),
        ("figure-a", "Figure 1."),
        ("table-2", "Table 2."),
        ("table-b", "Table 3."),
    ]
    # A ref names the first figure or table that carries it; a caption named in the text
    # links to its table.
    links = re.findall(r'<a class="evstudy-ref" href="#([^"]+)">([^<]+)</a>', out)
    assert links == [("table-b", "Table 3"), ("table-a", "Table 1"), ("table-2", "Table 2")]
    with pytest.raises(EvstudyError, match="refers to a figure or table 'nope'"):
        number_figures_and_tables("<p>@@ref:nope@@</p>", page="the page 'T'")


def test_assemble_report_refuses_untagged_notebooks_and_unknown_parts(tmp_path):
    nbformat.write(_executed(), tmp_path / "plain.ipynb")
    with pytest.raises(ValueError, match="no cell tagged"):
        assemble_report(
            [("plain", tmp_path / "plain.ipynb")],
            tmp_path / "i.html",
            title="T",
            synthetic=False,
            site_pages={},
        )
    nbformat.write(_executed("epilogue"), tmp_path / "odd.ipynb")
    with pytest.raises(ValueError, match="must be one of"):
        assemble_report(
            [("odd", tmp_path / "odd.ipynb")],
            tmp_path / "i.html",
            title="T",
            synthetic=False,
            site_pages={},
        )
