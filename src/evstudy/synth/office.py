"""Byte-stable Word and Excel files.

python-docx and openpyxl stamp the current time into a file's core properties (openpyxl
on every save). These writers fix the author and the created/modified times, then pass
the archive through :func:`evstudy.files.normalise_zip`, so the same content always gives
the same bytes.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from datetime import datetime
from xml.sax.saxutils import escape

import docx
from openpyxl import Workbook

from evstudy.files import normalise_zip, strings_as_text

__all__ = ["AUTHOR", "FIXED_TIME", "docx_bytes", "xlsx_bytes"]

AUTHOR = "evstudy synth"
FIXED_TIME = datetime(2024, 1, 1, 0, 0, 0)
_STAMP = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")


def _fix_core(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:  # stored
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                for tag in ("created", "modified"):
                    text = re.sub(
                        rf"(<dcterms:{tag}[^>]*>)[^<]*(</dcterms:{tag}>)",
                        rf"\g<1>{_STAMP}\g<2>",
                        text,
                    )
                content = text.encode("utf-8")
            dst.writestr(info.filename, content)
    return normalise_zip(out.getvalue())


@functools.cache
def _docx_template() -> tuple[tuple[str, bytes], ...]:
    """The parts of python-docx's blank document, with fixed core properties."""
    document = docx.Document()
    props = document.core_properties
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(io.BytesIO(_fix_core(buffer.getvalue()))) as archive:
        return tuple((info.filename, archive.read(info.filename)) for info in archive.infolist())


def _paragraph(text: str) -> str:
    if not text:
        return "<w:p/>"
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<w:p><w:r><w:t{space}>{escape(text)}</w:t></w:r></w:p>"


def docx_bytes(paragraphs: list[str], title: str = "") -> bytes:
    """A Word document holding one paragraph per string, with fixed core properties.

    The paragraphs are written into python-docx's blank document exactly as
    ``Document.add_paragraph`` would write them (done directly, for speed).

    Parameters
    ----------
    paragraphs : list of str
        Paragraph texts in order (an empty string gives an empty paragraph).
    title : str
        The document's title property (never a person's name).

    Returns
    -------
    bytes
        The .docx archive, identical for identical input.
    """
    body = "".join(_paragraph(t) for t in paragraphs)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, content in _docx_template():
            if name == "word/document.xml":
                text = content.decode("utf-8")
                cut = text.rindex("<w:sectPr")
                content = (text[:cut] + body + text[cut:]).encode("utf-8")
            elif name == "docProps/core.xml" and title:
                text = content.decode("utf-8")
                content = re.sub(
                    r"<dc:title\s*/>|<dc:title>[^<]*</dc:title>",
                    f"<dc:title>{escape(title)}</dc:title>",
                    text,
                ).encode("utf-8")
            archive.writestr(name, content)
    return normalise_zip(out.getvalue())


def xlsx_bytes(sheets: list[tuple[str, list[list[object]]]]) -> bytes:
    """An Excel workbook with one sheet per ``(title, rows)``, with fixed core properties.

    Parameters
    ----------
    sheets : list of (str, list of list)
        Sheet title and its rows (the first row is usually the header); ``None`` or ``""``
        leaves a cell empty.

    Returns
    -------
    bytes
        The .xlsx archive, identical for identical input.
    """
    book = Workbook()
    book.remove(book.active)
    book.properties.creator = AUTHOR
    book.properties.lastModifiedBy = AUTHOR
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append([None if v == "" else v for v in row])
    strings_as_text(book)  # a string is never a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return _fix_core(buffer.getvalue())
