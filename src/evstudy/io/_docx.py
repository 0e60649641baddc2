"""Word (.docx) transcripts as numbered lines of text, with clear errors for broken files.

Only :mod:`evstudy.io.transcripts` uses this module; the layout of the lines is
worked out there, the same way for Word and plain-text files.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path
from typing import Any

from evstudy.errors import InputError
from evstudy.io.archive import GuardedZip, check_archive

__all__ = ["docx_lines"]

_RESAVE = "open it in Word and save it again as a Word Document (.docx), then re-run"
_TOO_BIG = (
    "do not open it: a transcript unpacks to a few megabytes at most; if it is genuine, "
    "save it again from Word, or export the transcript as .txt"
)


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def _not_a_docx(file: str | Path, data: bytes) -> InputError:
    """The error for a file named .docx that is not a zip archive, saying what it looks like."""
    head = data[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        what = "it is an old-style Word .doc (or another Office 97-2003 file) renamed .docx"
        fix = _RESAVE
    elif head.startswith(b"{\\rtf"):
        what = "it is a Rich Text (.rtf) file renamed .docx"
        fix = _RESAVE
    elif head.startswith(b"%PDF"):
        what = "it is a PDF renamed .docx"
        fix = "export the transcript from Teams or Word as .docx, .vtt or .txt instead of PDF"
    elif head.lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
        what = "it is a WebVTT caption file renamed .docx"
        fix = "give it the extension .vtt (and update the fieldwork log)"
    elif _is_text(data):
        what = "it holds plain text (a text file renamed .docx?)"
        fix = "give it the extension .txt (and update the fieldwork log)"
    else:
        what = "it is not a zip archive, as every .docx is (a file of another type renamed?)"
        fix = "check the file opens in Word; " + _RESAVE
    return InputError(file, "", f"this is not a Word .docx file: {what}", fix)


_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
_WML_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _main_body(file: str | Path, data: bytes) -> Any:
    """The ``w:body`` of a plain Word document, parsed by python-docx's own element classes.

    python-docx's ``Document()`` also parses the styles, numbering, settings, theme and
    fonts, which a transcript's text never needs: that is most of its time. Only the main
    part is parsed here, into the same classes, so every paragraph's text is exactly what
    ``Document().paragraphs`` gives. None for anything unusual (no main part, another
    content type, a damaged archive): the caller then opens the file with python-docx,
    which says what is wrong. Every part is read under the caps of :mod:`evstudy.io.archive`.
    """
    try:
        from docx.oxml import parse_xml
        from lxml import etree

        with GuardedZip(file, io.BytesIO(data), fix=_TOO_BIG) as archive:
            archive.check_declared()
            rels = etree.fromstring(archive.read("_rels/.rels"))
            targets = [
                r.get("Target", "")
                for r in rels
                if r.get("Type") == _OFFICE_DOCUMENT and r.get("TargetMode") != "External"
            ]
            if len(targets) != 1:
                return None
            part = "/" + posixpath.normpath(targets[0].lstrip("/"))
            types = etree.fromstring(archive.read("[Content_Types].xml"))
            kind = None
            for entry in types:
                tag = etree.QName(entry).localname
                if tag == "Override" and entry.get("PartName", "").lower() == part.lower():
                    kind = entry.get("ContentType")
                    break
                if tag == "Default" and part.lower().endswith(
                    "." + entry.get("Extension", "").lower()
                ):
                    kind = kind or entry.get("ContentType")
            if kind != _WML_MAIN:
                return None
            document = parse_xml(archive.read(part[1:]))
        body = document.body
        return body if body is not None else None
    except InputError:  # expands too far: never handed on to python-docx
        raise
    except Exception:  # damaged or unusual: python-docx gives the precise error
        return None


def docx_lines(file: str | Path, data: bytes) -> tuple[list[tuple[int, str]], bool]:
    """Split a .docx file's body paragraphs into numbered lines.

    Parameters
    ----------
    file : str or Path
        The file as error messages should name it.
    data : bytes
        The file's contents (non-empty).

    Returns
    -------
    lines : list of (int, str)
        ``(paragraph number, text)``, numbered from 1 over every body paragraph
        (empty ones included, so the number matches what Word shows when counting).
        A paragraph with manual line breaks gives one entry per line, all with the
        paragraph's number.
    has_tables : bool
        Whether the body has tables (their text is not read; the caller says so
        when no turns are found).

    Raises
    ------
    InputError
        The file is not a zip archive, is truncated or damaged, or is not a Word document.
    """
    if not data.startswith(b"PK"):
        raise _not_a_docx(file, data)
    body = _main_body(file, data)
    if body is not None:
        lines = [(n, part) for n, p in enumerate(body.p_lst, 1) for part in p.text.split("\n")]
        return lines, bool(body.tbl_lst)
    # python-docx opens the zip itself: first prove that no part of it expands too far.
    check_archive(file, io.BytesIO(data), fix=_TOO_BIG)
    try:
        import docx  # python-docx; imported here so a text-only run never pays for it

        document = docx.Document(io.BytesIO(data))
        lines = []
        for number, paragraph in enumerate(document.paragraphs, 1):
            for part in paragraph.text.split("\n"):
                lines.append((number, part))
        has_tables = bool(document.tables)
    # python-docx, zipfile and lxml raise many unrelated exception types for damaged input
    # (BadZipFile, KeyError, ValueError, XMLSyntaxError, zlib.error, EOFError, ...); every one
    # of them means the same thing to the user, so they are all turned into one clear error.
    except Exception as exc:
        if not zipfile.is_zipfile(io.BytesIO(data)):
            problem = (
                "the .docx file is truncated or damaged: its zip archive cannot be read "
                "(an interrupted download or copy?)"
            )
            fix = "copy or download the transcript again from its source; " + _RESAVE
        else:
            problem = (
                "the file is a zip archive but not a readable Word document "
                f"({type(exc).__name__}); it may be damaged, or another Office file "
                "(.xlsx, .pptx) renamed .docx"
            )
            fix = _RESAVE
        raise InputError(file, "", problem, fix) from None
    return lines, has_tables
