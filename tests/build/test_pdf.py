"""report.pdf: printed by Debian's chromium from the published pages, byte-stable, audited.

Tests that print need chromium; on CI they fail rather than skip when it is missing, as
the browser test does.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from evstudy.build import pdf as P
from evstudy.build.verify import compare_manifests, format_differences

ROOT = Path(__file__).resolve().parents[2]


def _needs_chromium() -> Path:
    found = P.chromium_path()
    if found is not None:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is missing on CI: .ci/run must install Debian's chromium package")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def _ingest_report(folders: dict) -> dict:
    path = folders["processed"] / "ingest_report.json"
    return json.loads(path.read_text(encoding="utf-8"))


# --- the print document: pure HTML work ---------------------------------------------------


INDEX = """<!DOCTYPE html><html lang="en"><head><title>T</title></head><body><main>
<div class="evstudy-banner">Synthetic</div>
<div class="jp-Cell"><h1 id="t">Title</h1><h2 id="findings">Findings</h2></div>
<div class="jp-Cell"><h2>Site case studies</h2>
<ul><li><a href="sites/S02.html">Two</a></li></ul></div>
<div class="jp-Cell"><div class="celltag_report:appendices">
<h2 id="appendices">Appendices</h2>
<ul><li><a href="appendices/codebook.html">Appendix A: Codebook</a></li></ul></div></div>
</main></body></html>"""
APPENDIX = """<!DOCTYPE html><html lang="en"><head><title>A</title></head><body><main>
<div class="evstudy-banner">Synthetic</div>
<nav class="evstudy-pagenav"><a href="../index.html">Back to the report</a></nav>
<div class="jp-Cell"><h1 id="top">Appendix A: Codebook</h1><h2 id="codes">Codes</h2></div>
</main></body></html>"""
SITE = """<!DOCTYPE html><html lang="en"><head><title>S</title></head><body><main>
<div class="evstudy-banner">Synthetic</div><nav class="evstudy-toc"><a href="#profile">x</a></nav>
<div class="jp-Cell"><h1>Two (S02)</h1><h2 id="profile">Profile</h2><a href="#profile">up</a></div>
</main></body></html>"""


def test_the_print_document_puts_sites_between_the_report_and_its_appendices():
    import lxml.html

    document = P.print_document(INDEX, [("S02", SITE)], [("codebook", APPENDIX)])
    doc = lxml.html.document_fromstring(document)
    headings = [(h.tag, h.text_content()) for h in doc.iter("h1", "h2", "h3", "h4")]
    # The site's h1 and h2 move two levels down, under the report's "Site case studies";
    # each appendix page follows the list of appendices, its title a chapter.
    assert headings == [
        ("h1", "Title"),
        ("h2", "Findings"),
        ("h2", "Site case studies"),
        ("h3", "Two (S02)"),
        ("h4", "Profile"),
        ("h2", "Appendices"),
        ("h2", "Appendix A: Codebook"),
        ("h3", "Codes"),
    ]
    # One banner (the report's), no site contents list and no page links; the links to
    # the site and appendix pages land on their print, and each page's ids and links are
    # prefixed to stay unique.
    assert len(doc.find_class("evstudy-banner")) == 1 and not doc.find_class("evstudy-toc")
    assert not doc.find_class("evstudy-pagenav")
    assert doc.xpath("//a[text()='Two']/@href") == ["#site-S02"]
    assert doc.xpath("//a[text()='Appendix A: Codebook']/@href") == ["#appendix-codebook"]
    assert doc.get_element_by_id("appendix-codebook--codes").tag == "h3"
    assert doc.xpath("//section/@id") == ["site-S02", "appendix-codebook"]
    assert doc.xpath("//a[text()='up']/@href") == ["#site-S02--profile"]
    assert doc.get_element_by_id("site-S02--profile").tag == "h4"
    # matplotlib's DejaVu fonts come inline, so that printing needs no system font.
    assert "@font-face" in doc.find(".//head").text_content()
    assert "data:font/ttf;base64," in doc.find(".//head").text_content()


# --- how verify compares the PDF: manifests only ------------------------------------------


def _manifest(chromium: str, pdf_digest: str, text_digest: str) -> dict:
    return {
        "published": {"index.html": "aa", "report.pdf": pdf_digest},
        "pdf": {"chromium": chromium, "pages": 40, "text_sha256": text_digest},
    }


def test_verify_compares_pdf_bytes_when_chromium_is_the_same():
    found = compare_manifests(_manifest("156.0", "p1", "t1"), _manifest("156.0", "p2", "t1"))
    assert found[["section", "item"]].to_numpy().tolist() == [["published", "report.pdf"]]
    assert "report.pdf: bytes compared (chromium 156.0 on both)" in format_differences(found)


def test_verify_compares_pdf_text_when_chromium_differs():
    same_text = compare_manifests(_manifest("156.0", "p1", "t1"), _manifest("157.0", "p2", "t1"))
    assert same_text.empty
    text = format_differences(same_text)
    assert text.splitlines() == [
        "identical",
        "report.pdf: extracted text compared, not bytes (chromium 156.0 recorded, 157.0 rebuilt)",
    ]
    other_text = compare_manifests(_manifest("156.0", "p1", "t1"), _manifest("157.0", "p2", "t2"))
    assert other_text[["section", "item"]].to_numpy().tolist() == [["pdf", "text_sha256"]]


def test_verify_says_nothing_of_a_pdf_neither_build_made():
    assert format_differences(compare_manifests({}, {})) == "identical"


# --- the built report's PDF -----------------------------------------------------------------


@pytest.mark.slow
def test_the_pdf_has_its_pages_title_outline_dates_and_manifest_entry(built):
    import pikepdf

    _needs_chromium()
    summary, folders = built
    assert summary.ok, summary.text()
    reports, ingested = folders["reports"], _ingest_report(folders)
    path = reports / P.PDF_NAME
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    with pikepdf.open(path) as pdf:
        pages = len(pdf.pages)
        outline = []

        def walk(items):
            for item in items:
                outline.append(item.title)
                walk(item.children)

        with pdf.open_outline() as tree:
            walk(tree.root)
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        meta = pdf.open_metadata()
        xmp = {key: str(meta[key]) for key in ("xmp:CreateDate", "xmp:ModifyDate")}
        tagged = "/StructTreeRoot" in pdf.Root and bool(pdf.Root.MarkInfo.Marked)
    # A title page and contents, five chapters, three sites and five appendices at least.
    assert pages >= 14
    assert manifest["pdf"]["pages"] == pages
    assert manifest["published"][P.PDF_NAME]  # its bytes are listed like every page's
    assert manifest["pdf"]["chromium"] == P.chromium_version(P.chromium_path())
    text = " ".join(" ".join(P.pdf_text(path)).split())
    assert ingested["title"] in text
    assert "Synthetic demonstration data" in text  # the running header
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    # Each site page is in the outline, under its name and id.
    for site, name in ingested["sites"].items():
        assert f"{name} ({site})" in outline, outline
    # The dates are the study's report.date, never the build's clock.
    day = ingested["report"]["date"]
    assert day == "2024-03-28"
    assert manifest["pdf"]["date"] == day and manifest["pdf"]["date_source"] == "report.date"
    assert info["/CreationDate"] == info["/ModDate"] == "D:20240328000000Z"
    assert xmp == {
        "xmp:CreateDate": "2024-03-28T00:00:00+00:00",
        "xmp:ModifyDate": xmp["xmp:CreateDate"],
    }
    assert "156" not in info["/Producer"] and "Chrome" not in info["/Creator"]
    assert tagged


@pytest.mark.slow
def test_chapters_start_a_page_and_no_table_is_wider_than_the_printed_page(built):
    """The print CSS: each chapter (an h2 of the report) opens a page, and in print layout
    at the PDF's text width every table fits (wide ones shrink and wrap, none is clipped)."""
    import pikepdf
    from playwright.sync_api import sync_playwright

    chromium = _needs_chromium()
    _, folders = built
    reports = folders["reports"]
    pages = [text.splitlines() for text in P.pdf_text(reports / P.PDF_NAME)]
    with pikepdf.open(reports / P.PDF_NAME) as pdf, pdf.open_outline() as tree:
        title = next(item for item in tree.root if item.children)
        # Each chapter's outline entry and the page it opens on.
        chapters = {
            item.title: pdf.pages.index(pikepdf.Page(item.destination[0]))
            for item in title.children
        }
    assert "Site case studies" in chapters and len(chapters) >= 8, chapters
    for chapter, page in chapters.items():
        assert pages[page][0] == chapter, (chapter, page + 1, pages[page][:3])
    assert sorted(chapters.values()) == list(chapters.values())  # in the report's order
    # A4 less 15 mm margins each side is 180 mm of text: 680 CSS pixels.
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=P.CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 680, "height": 1000})
        page.emulate_media(media="print")
        too_wide = {}
        for path in [reports / "index.html", *sorted(reports.glob("sites/*.html"))]:
            page.goto(path.as_uri(), wait_until="load")
            too_wide[path.name] = page.evaluate(
                """Array.from(document.querySelectorAll('table'))
                     .filter(t => t.getBoundingClientRect().right > innerWidth + 1)
                     .map(t => (t.querySelector('caption') || t).innerText.slice(0, 60))"""
            )
        browser.close()
    assert {name: found for name, found in too_wide.items() if found} == {}


@pytest.mark.slow
def test_two_prints_of_the_same_pages_give_the_same_bytes(built, tmp_path):
    _needs_chromium()
    _, folders = built
    ingested = _ingest_report(folders)
    made = []
    for n in (1, 2):
        staging = tmp_path / f"print{n}"
        shutil.copytree(folders["reports"], staging, ignore=shutil.ignore_patterns("*.pdf", ".*"))
        result = P.write_report_pdf(
            staging,
            title=ingested["title"],
            synthetic=True,
            date=None,  # the fallback date
            sites=sorted(ingested["sites"]),
        )
        assert result is not None and not result.reused
        assert (result.date, result.date_source) == ("1980-01-01", "fallback")
        made.append((staging / P.PDF_NAME).read_bytes())
    assert made[0] == made[1]
    # Printed again beside the first: the same pages, so the first is reused, not re-printed.
    again = tmp_path / "print3"
    shutil.copytree(tmp_path / "print2", again, ignore=shutil.ignore_patterns("*.pdf", ".*"))
    reused = P.write_report_pdf(
        again,
        title=ingested["title"],
        synthetic=True,
        date=None,
        sites=sorted(ingested["sites"]),
        previous=tmp_path / "print1",
    )
    assert reused.reused and (again / P.PDF_NAME).read_bytes() == made[0]


@pytest.mark.slow
def test_without_chromium_the_build_says_so_once_and_publishes_the_html(
    built, tmp_path, monkeypatch
):
    summary, folders = built
    assert summary.ok, summary.text()
    project = tmp_path / "project"
    for role in ("processed", "reports", "figures", "notebooks"):
        shutil.copytree(folders[role], project / folders[role].relative_to(folders["label_root"]))
    monkeypatch.setenv(P.CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    again = {
        "raw": folders["raw"],
        "processed": project / folders["processed"].relative_to(folders["label_root"]),
        "reports": project / "reports",
        "figures": project / "figures",
        "notebooks": project / "notebooks",
        "label_root": project,
    }
    from evstudy.build.pipeline import build

    second = build(**again, kernel_name="python3", progress=False)
    assert second.ok, second.text()
    assert second.exported and not second.ingested
    said = [w for w in second.warnings if "chromium" in w]
    assert said == [
        f"no chromium at {tmp_path / 'no-such-chromium'}, so report.pdf was not made (the HTML "
        f"report was): install it (apt-get install chromium) or set {P.CHROMIUM_ENV} to its path"
    ]
    reports = project / "reports"
    assert not (reports / P.PDF_NAME).exists()
    assert (reports / "index.html").is_file()
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pdf"] is None and P.PDF_NAME not in manifest["published"]


@pytest.mark.slow
def test_the_audit_finds_a_name_planted_in_a_pdf(built, tmp_path):
    import openpyxl

    from evstudy.audit import audit_outputs

    chromium = _needs_chromium()
    _, folders = built
    book = openpyxl.load_workbook(folders["raw"] / "register.xlsx", read_only=True)
    name = next(book.active.iter_rows(min_row=2, max_row=2, values_only=True))[0]
    reports = tmp_path / "reports"
    shutil.copytree(folders["reports"], reports)
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>Note</title></head><body>'
        f"<p>An ordinary first line.</p><p>As {name} told us, it worked.</p></body></html>"
    )
    data = P._print(html, chromium, title="Note", synthetic=False)
    (reports / "planted.pdf").write_bytes(P.normalise_pdf(data, date="2024-01-01", title="Note"))
    found = audit_outputs(
        raw=folders["raw"],
        processed=folders["processed"],
        figures=folders["figures"],
        reports=reports,
    )
    planted = found[found["file"] == "reports/planted.pdf"]
    assert planted[["location", "finding"]].to_numpy().tolist() == [
        ["page 1, line 2", "a name in the register (register.xlsx row 2)"]
    ], found.to_string()
    # The report's own PDF is clean.
    assert found[found["file"] == f"reports/{P.PDF_NAME}"].empty


def _blank_pdf(producer: str) -> bytes:
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Producer"] = producer  # as chromium stamps its version
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_normalise_pdf_takes_the_document_id_it_is_given_in_one_pass():
    import io

    import pikepdf

    ident = "0123456789abcdef" * 4
    a = P.normalise_pdf(_blank_pdf("Skia/PDF m120"), date="2024-01-01", title="T", ident=ident)
    b = P.normalise_pdf(_blank_pdf("Skia/PDF m121"), date="2024-01-01", title="T", ident=ident)
    assert a == b  # the producer's version is gone, and nothing else varies
    with pikepdf.open(io.BytesIO(a)) as pdf:
        meta = pdf.open_metadata()
        assert meta["xmpMM:DocumentID"] == "uuid:" + ident[:32]
        assert meta["xmpMM:InstanceID"] == "uuid:" + ident[32:]
        assert str(pdf.docinfo["/CreationDate"]) == "D:20240101000000Z"
    # Without one, the id is a digest of the result: a different one.
    assert P.normalise_pdf(_blank_pdf("x"), date="2024-01-01", title="T") != a
    with pytest.raises(ValueError, match="`ident` must be 64 hex digits"):
        P.normalise_pdf(a, date="2024-01-01", title="T", ident="abc")
