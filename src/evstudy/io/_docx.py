"""Word (.docx) transcripts as numbered lines of text, with clear errors for broken files.

Only :mod:`evstudy.io.transcripts` uses this module; the layout of the lines is
worked out there, the same way for Word and plain-text files.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from evstudy.errors import InputError

__all__ = ["docx_lines"]

_RESAVE = "open it in Word and save it again as a Word Document (.docx), then re-run"


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
    try:
        import docx  # python-docx; imported here so a text-only run never pays for it

        document = docx.Document(io.BytesIO(data))
        lines: list[tuple[int, str]] = []
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
