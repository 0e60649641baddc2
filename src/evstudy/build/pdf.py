"""``reports/report.pdf``: the published HTML printed by Debian's chromium, byte-stable.

The PDF is printed from the same pages a reader opens: ``index.html`` up to its list of
appendices, then every site page, then that list and each appendix page
(``appendices/<name>.html``), joined into one print document (:func:`print_document`) so
that chromium makes one tagged PDF with one outline and continuous page numbers. Site
pages' headings move two levels down, under the report's "site case studies" chapter;
each appendix's title becomes a chapter. Ids are prefixed so that every link lands.

Chromium is driven through Playwright's ``page.pdf`` with ``executable_path`` pointing at
the system's chromium (``EVSTUDY_CHROMIUM``, default ``/usr/bin/chromium``); Playwright's
own browser download is never used. Without chromium the build says so and publishes
the HTML without a PDF.

Chromium stamps the wall clock, its version and a random document id into a PDF. They are
replaced with pikepdf (:func:`normalise_pdf`): the dates (Info dictionary and XMP) are
the study's ``report.date`` (study.yml), else :data:`DATE_FALLBACK`; the producer and
creator name no version; the document id is a digest of what was printed, and by which
chromium. The text is set in
matplotlib's bundled DejaVu fonts, embedded as ``data:`` URIs in the print document only,
so the PDF does not depend on the fonts a machine happens to have. Two builds with the
same chromium give the same bytes; the manifest records the chromium version, and
``evstudy verify`` compares the extracted text when the versions differ.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path

__all__ = [
    "CHROMIUM_ARGS",
    "CHROMIUM_ENV",
    "DATE_FALLBACK",
    "PDF_NAME",
    "PdfResult",
    "chromium_path",
    "chromium_version",
    "normalise_pdf",
    "pdf_text",
    "print_document",
    "write_report_pdf",
]

PDF_NAME = "report.pdf"
# The setting that points at the browser; a missing file means "no chromium".
CHROMIUM_ENV = "EVSTUDY_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# A study without ``report.date``: the PDF is dated as zip dates entries without one.
DATE_FALLBACK = "1980-01-01"
# The digest of what the published PDF was printed from (a no-op rebuild reuses it).
DIGEST_RECORD = ".pdf-digest"
# Bumped when the print step changes what it makes from the same HTML.
PRINT_VERSION = (
    "4"  # 3: appendices printed after the sites; 4: the document id is the sources' digest
)
FONTS = {  # matplotlib's bundled DejaVu: (file, weight, style)
    "DejaVuSans.ttf": ("normal", "normal"),
    "DejaVuSans-Bold.ttf": ("bold", "normal"),
    "DejaVuSans-Oblique.ttf": ("normal", "italic"),
    "DejaVuSans-BoldOblique.ttf": ("bold", "italic"),
    "DejaVuSansMono.ttf": ("normal", "normal"),
}

_APPENDIX_CLASS = "celltag_report:appendices"
_SITE_LINK = re.compile(r"^(?:\./)?sites/([^/#]+)\.html$")
_APPENDIX_LINK = re.compile(r"^(?:\./)?appendices/([^/#]+)\.html$")
_VERSION = re.compile(r"(\d+(?:\.\d+)+)")


@dataclass(frozen=True)
class PdfResult:
    """What the print step did: recorded in the manifest as ``pdf``."""

    chromium: str  # the chromium version that printed it
    date: str  # the date set in the PDF (ISO)
    date_source: str  # "report.date" or "fallback"
    pages: int
    text_sha256: str  # of the extracted text: what verify compares across chromium versions
    reused: bool  # the previous build's PDF, printed from the same HTML

    def manifest(self) -> dict:
        return {
            "chromium": self.chromium,
            "date": self.date,
            "date_source": self.date_source,
            "pages": self.pages,
            "text_sha256": self.text_sha256,
        }


def chromium_path() -> Path | None:
    """The chromium to print with (``$EVSTUDY_CHROMIUM``, else /usr/bin/chromium); None
    when that file does not exist or cannot be run."""
    path = Path(os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM)
    return path if path.is_file() and os.access(path, os.X_OK) else None


@lru_cache(maxsize=4)
def chromium_version(path: Path) -> str:
    """``chromium --version``'s number (e.g. ``156.0.8078.129``), or "unknown"."""
    try:
        found = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    match = _VERSION.search(found.stdout)
    return match.group(1) if match else "unknown"


@lru_cache(maxsize=1)
def _font_faces() -> str:
    """@font-face rules for matplotlib's DejaVu fonts, as data: URIs."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    rules = []
    for name, (weight, style) in FONTS.items():
        family = "evstudy DejaVu Mono" if "Mono" in name else "evstudy DejaVu Sans"
        data = base64.b64encode((folder / name).read_bytes()).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f"font-style: {style}; src: url(data:font/ttf;base64,{data}) format('truetype'); }}"
        )
    rules.append(
        'body, h1, h2, h3, h4, h5, h6, table, figcaption { font-family: "evstudy DejaVu Sans" '
        "!important; }\n"
        'code, pre, kbd, samp { font-family: "evstudy DejaVu Mono" !important; }'
    )
    return "\n".join(rules)


def _main(doc):
    main = doc.find(".//main")
    return main if main is not None else doc.find(".//body")


def _prefix_ids(root, prefix: str) -> None:
    """Prefix every id and same-page link of one site page, so that ids stay unique."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.get("id"):
            el.set("id", prefix + el.get("id"))
        href = el.get("href") or ""
        if href.startswith("#") and len(href) > 1:
            el.set("href", "#" + prefix + href[1:])


def _demote(root, levels: int) -> None:
    for el in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        el.tag = f"h{min(6, int(el.tag[1]) + levels)}"


def _page_body(html: str, prefix: str, levels: int):
    """A published page's content for the print document: without its banner, contents
    and page links, ids prefixed, headings ``levels`` down."""
    import lxml.html

    page = _main(lxml.html.document_fromstring(html))
    for el in page.xpath(
        ".//*[contains(concat(' ', @class, ' '), ' evstudy-banner ')]"
        " | .//nav[contains(concat(' ', @class, ' '), ' evstudy-toc ')]"
        " | .//nav[contains(concat(' ', @class, ' '), ' evstudy-pagenav ')]"
    ):
        el.getparent().remove(el)
    _prefix_ids(page, prefix)
    _demote(page, levels)
    return page


def print_document(
    index_html: str,
    sites: list[tuple[str, str]],
    appendices: list[tuple[str, str]] | None = None,
) -> str:
    """One HTML document for printing: the main report, each site page, then the appendices.

    Parameters
    ----------
    index_html : str
        ``index.html`` as published.
    sites : list of (site id, page HTML)
        The site pages, in the order they are printed.
    appendices : list of (name, page HTML), optional
        The appendix pages, in the order they are printed, after the report's list of them.

    Returns
    -------
    str
        The document (with the DejaVu fonts inlined): never published, only printed.
    """
    import lxml.html

    doc = lxml.html.document_fromstring(index_html)
    main = _main(doc)
    children = list(main)
    start = next(
        (
            i
            for i, child in enumerate(children)
            if any(_APPENDIX_CLASS in (el.get("class") or "").split() for el in child.iter())
        ),
        len(children),
    )
    for site, html in reversed(sites):
        page = _page_body(html, f"site-{site}--", 2)  # under the report's "Site case studies"
        section = lxml.html.Element("section")
        section.set("class", "evstudy-print-site")
        section.set("id", f"site-{site}")
        section.extend(list(page))
        main.insert(start, section)
    for name, html in appendices or []:
        page = _page_body(html, f"appendix-{name}--", 1)  # each appendix is a chapter
        section = lxml.html.Element("section")
        section.set("class", "evstudy-print-appendix")
        section.set("id", f"appendix-{name}")
        section.extend(list(page))
        main.append(section)
    for el in doc.iter("a"):  # links to site and appendix pages land on their print
        href = el.get("href") or ""
        found = _SITE_LINK.match(href) or _APPENDIX_LINK.match(href.replace("../", "", 1))
        if found:
            kind = "site" if _SITE_LINK.match(href) else "appendix"
            el.set("href", f"#{kind}-{found.group(1)}")
    style = lxml.html.Element("style")
    style.text = _font_faces()
    doc.find(".//head").append(style)
    return lxml.html.tostring(doc, doctype="<!DOCTYPE html>", encoding="unicode")


@lru_cache(maxsize=8)
def _small_font(text: str) -> str:
    """matplotlib's DejaVu Sans cut down to the characters of ``text``, as a data: URI:
    the running header and footer are drawn apart from the page and cannot use its fonts,
    and a whole font on every page would make the PDF slow to print."""
    import matplotlib
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    font = TTFont(str(path), recalcTimestamp=False)  # no build-time stamp in the font
    options = subset.Options()
    options.drop_tables.append("FFTM")  # FontForge's timestamps: not needed, not subsettable
    cutter = subset.Subsetter(options)
    cutter.populate(text=text)
    cutter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return "data:font/ttf;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _templates(title: str, synthetic: bool) -> tuple[str, str]:
    """The running header (the synthetic status and title) and footer (page numbers)."""
    status = "Synthetic demonstration data" if synthetic else ""
    font = _small_font("".join(sorted(set(status + title + "Page of 0123456789"))))
    face = f"<style>@font-face {{ font-family: 'evstudy header'; src: url({font}); }}</style>"
    style = (
        "font-family: 'evstudy header'; font-size: 8pt; color: #333; width: 100%; "
        "margin: 0 15mm; display: flex; justify-content: space-between;"
    )
    header = (
        f'{face}<div style="{style}"><span>{escape(status)}</span>'
        f'<span style="max-width: 60%; text-align: right;">{escape(title)}</span></div>'
    )
    footer = (
        f'{face}<div style="{style} justify-content: center;">Page&nbsp;<span '
        'class="pageNumber"></span>&nbsp;of&nbsp;<span class="totalPages"></span></div>'
    )
    return header, footer


def _print(document: str, chromium: Path, *, title: str, synthetic: bool) -> bytes:
    from playwright.sync_api import sync_playwright

    header, footer = _templates(title, synthetic)
    with tempfile.TemporaryDirectory(prefix="evstudy-pdf-") as tmp:
        source = Path(tmp) / "report.html"
        source.write_text(document, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(source.as_uri(), wait_until="load")
                page.emulate_media(media="print")
                page.evaluate("document.fonts.ready")
                return page.pdf(
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template=header,
                    footer_template=footer,
                    margin={"top": "20mm", "bottom": "18mm", "left": "15mm", "right": "15mm"},
                    outline=True,
                    tagged=True,
                )
            finally:
                browser.close()


def _pdf_date(day: str) -> str:
    return "D:" + day.replace("-", "") + "000000Z"


def normalise_pdf(data: bytes, *, date: str, title: str, ident: str | None = None) -> bytes:
    """The PDF with everything that varies between runs fixed.

    Sets the Info dictionary's and the XMP's creation and modification dates to ``date``
    (ISO), the producer and creator to names without versions and ``title``; the XMP
    document and instance ids and the trailer's /ID are digests of the result, or
    ``ident`` (64 hex digits) when given: a digest of what the PDF was printed from,
    which saves rewriting the whole file a second time.
    """
    if ident is not None:
        if not re.fullmatch(r"[0-9a-f]{64}", ident):
            raise ValueError(f"`ident` must be 64 hex digits, but {ident!r} was passed")
        return _fixed(data, date=date, title=title, ident=ident)
    first = _fixed(data, date=date, title=title, ident="0" * 64)
    return _fixed(first, date=date, title=title, ident=hashlib.sha256(first).hexdigest())


def _fixed(data: bytes, *, date: str, title: str, ident: str) -> bytes:
    import pikepdf

    stamp = _pdf_date(date)
    iso = f"{date}T00:00:00+00:00"
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            for key in list(meta):
                del meta[key]
            meta["dc:title"] = title
            meta["xmp:CreateDate"] = iso
            meta["xmp:ModifyDate"] = iso
            meta["xmp:MetadataDate"] = iso
            meta["xmp:CreatorTool"] = "evstudy"
            meta["pdf:Producer"] = "Chromium (Skia/PDF)"
            meta["xmpMM:DocumentID"] = f"uuid:{ident[:32]}"
            meta["xmpMM:InstanceID"] = f"uuid:{ident[32:]}"
        info = pikepdf.Dictionary(
            Title=pikepdf.String(title),
            Creator=pikepdf.String("evstudy"),
            Producer=pikepdf.String("Chromium (Skia/PDF)"),
            CreationDate=pikepdf.String(stamp),
            ModDate=pikepdf.String(stamp),
        )
        pdf.trailer.Info = pdf.make_indirect(info)
        if "/ID" in pdf.trailer:  # the first half of a kept /ID would be the printer's
            del pdf.trailer["/ID"]
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return out.getvalue()


def pdf_text(path: str | Path) -> list[str]:
    """The text of each page of a PDF, as PDFium (Chrome's own PDF library) extracts it."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        texts = []
        for page in pdf:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return texts
    finally:
        pdf.close()


def _text_digest(path: Path) -> str:
    # Whitespace aside: line breaks differ with the renderer, the words do not.
    text = " ".join(" ".join(pdf_text(path)).split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _page_count(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def write_report_pdf(
    staging: Path,
    *,
    title: str,
    synthetic: bool,
    date: str | None,
    sites: list[str],
    previous: Path | None = None,
    out: Path | None = None,
) -> PdfResult | None:
    """Print ``staging``'s pages into ``staging/report.pdf``; None when there is no chromium.

    Parameters
    ----------
    staging : Path
        The folder holding ``index.html`` and ``sites/<site>.html``.
    title : str
        The study's title (the PDF's title and running header).
    synthetic : bool
        Whether the running header says "Synthetic demonstration data".
    date : str or None
        ``report.date`` from study.yml (ISO); None uses :data:`DATE_FALLBACK`.
    sites : list of str
        The site ids, in the order their pages are printed.
    previous : Path, optional
        The published report folder: its PDF is reused when it was printed from the
        same pages, title, date and chromium (no re-printing on a no-op rebuild).
    out : Path, optional
        The folder ``report.pdf`` and its digest record are written in (default
        ``staging``): a build prints into a hidden folder while the audit reads the
        staging folder, and moves them in afterwards.
    """
    chromium = chromium_path()
    if chromium is None:
        return None
    version = chromium_version(chromium)
    day, source = (date, "report.date") if date else (DATE_FALLBACK, "fallback")
    from evstudy.build.export import APPENDICES, appendix_href

    index = (staging / "index.html").read_text(encoding="utf-8")
    pages = [(s, (staging / "sites" / f"{s}.html").read_text(encoding="utf-8")) for s in sites]
    appendices = [
        (name, (staging / appendix_href(name)).read_text(encoding="utf-8"))
        for name in APPENDICES
        if (staging / appendix_href(name)).is_file()
    ]
    digest = hashlib.sha256()
    for part in (PRINT_VERSION, version, day, title, str(synthetic), index):
        digest.update(part.encode("utf-8") + b"\0")
    for site, html in [*pages, *appendices]:
        digest.update(site.encode("utf-8") + b"\0" + html.encode("utf-8") + b"\0")
    key = digest.hexdigest()
    folder = staging if out is None else out
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / PDF_NAME
    reused = False
    if previous is not None and (previous / PDF_NAME).is_file():
        try:
            recorded = (previous / DIGEST_RECORD).read_text(encoding="utf-8").strip()
        except OSError:
            recorded = ""
        if recorded == key:
            shutil.copy2(previous / PDF_NAME, out)
            reused = True
    if not reused:
        document = print_document(index, pages, appendices)
        raw = _print(document, chromium, title=title, synthetic=synthetic)
        from evstudy.files import atomic_write_bytes

        # The key digests everything the PDF is printed from and by: the document's id.
        atomic_write_bytes(out, normalise_pdf(raw, date=day, title=title, ident=key))
    (folder / DIGEST_RECORD).write_text(key + "\n", encoding="utf-8")
    return PdfResult(
        chromium=version,
        date=day,
        date_source=source,
        pages=_page_count(out),
        text_sha256=_text_digest(out),
        reused=reused,
    )
