"""Converting selection offsets between the ways QDA tools count characters.

The REFI-QDA standard counts Unicode code points from 0 into the plain text.
Real exports bend it: NVivo for Windows counts UTF-16 code units (an emoji is
two) on text with CRLF line breaks (two units each); ATLAS.ti counts code
points but a CRLF as one. evstudy keeps every offset as code points into the
*normalised* text: byte-order mark removed and CRLF turned into LF.

Every conversion here is a pure function of the text and an offset, with its
inverse. A leading byte-order mark is never counted (the tools' offsets start
at the first character of the text).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

__all__ = [
    "ATLAS_TI",
    "NVIVO_WINDOWS",
    "STANDARD",
    "Counting",
    "codepoints_to_utf16",
    "counting_for_origin",
    "crlf_to_lf",
    "from_text_offset",
    "lf_to_crlf",
    "normalise_text",
    "strip_bom",
    "to_text_offset",
    "utf16_to_codepoints",
]

BOM = "\ufeff"
_CRLF = re.compile("\r\n")


@dataclass(frozen=True)
class Counting:
    """How one tool counts offsets into a source's plain text.

    Parameters
    ----------
    name : str
        A short label for messages.
    utf16 : bool
        Offsets count UTF-16 code units (an astral character is two).
    crlf_as_two : bool
        A CRLF line break counts as two characters (as it is in the file).
    """

    name: str
    utf16: bool
    crlf_as_two: bool


STANDARD = Counting("REFI-QDA standard (code points)", utf16=False, crlf_as_two=True)
NVIVO_WINDOWS = Counting("NVivo for Windows (UTF-16 code units)", utf16=True, crlf_as_two=True)
ATLAS_TI = Counting("ATLAS.ti (code points, CRLF as one)", utf16=False, crlf_as_two=False)


def counting_for_origin(origin: str) -> Counting:
    """The offset counting of the tool named by ``Project/@origin``.

    ``"NVivo for Windows 14"`` gives UTF-16 units; NVivo for Mac follows the
    standard; ``"ATLAS.ti …"`` counts CRLF as one; anything else, the standard.
    """
    folded = (origin or "").casefold()
    if "nvivo" in folded and "mac" not in folded:
        return NVIVO_WINDOWS
    if "atlas.ti" in folded:
        return ATLAS_TI
    return STANDARD


def strip_bom(raw: str) -> str:
    """``raw`` without a leading byte-order mark."""
    return raw[1:] if raw.startswith(BOM) else raw


def normalise_text(raw: str) -> str:
    """The text evstudy stores: no byte-order mark, LF line breaks.

    A lone CR (an old Mac line break) becomes LF too; it is one character
    either way, so only CRLF pairs change offsets.
    """
    return strip_bom(raw).replace("\r\n", "\n").replace("\r", "\n")


def _check(offset: int, length: int, unit: str) -> None:
    if not 0 <= offset <= length:
        raise ValueError(f"offset {offset} is outside the text (0 to {length} {unit})")


def codepoints_to_utf16(text: str, offset: int) -> int:
    """The UTF-16 code-unit offset of code-point ``offset`` in ``text``."""
    _check(offset, len(text), "code points")
    return len(text[:offset].encode("utf-16-le")) // 2


def utf16_to_codepoints(text: str, offset: int) -> int:
    """The code-point offset of UTF-16 code-unit ``offset`` in ``text``.

    Raises
    ------
    ValueError
        When ``offset`` lies outside the text or between the two halves of a
        surrogate pair (an astral character such as an emoji).
    """
    units = text.encode("utf-16-le")
    _check(offset, len(units) // 2, "UTF-16 code units")
    try:
        return len(units[: 2 * offset].decode("utf-16-le"))
    except UnicodeDecodeError:
        raise ValueError(
            f"UTF-16 offset {offset} falls inside an astral character (a surrogate pair)"
        ) from None


def crlf_to_lf(text: str, offset: int) -> int:
    """Map a code-point offset in ``text`` (CRLF as two) to its LF-normalised text.

    An offset between a CR and its LF maps to the end of that line break.
    """
    _check(offset, len(text), "code points")
    return offset - text.count("\r\n", 0, offset)


def lf_to_crlf(text: str, offset: int) -> int:
    """Map an offset in the LF-normalised form of ``text`` back to ``text`` (CRLF as two)."""
    breaks = [m.start() - k for k, m in enumerate(_CRLF.finditer(text))]
    _check(offset, len(text) - len(breaks), "code points")
    # Each line break that ends before the offset was one character longer.
    return offset + bisect.bisect_left(breaks, offset)


def to_text_offset(raw: str, offset: int, counting: Counting) -> int:
    """A tool's offset into a source file's text, as code points into ``normalise_text(raw)``.

    Parameters
    ----------
    raw : str
        The source file's text as decoded (it may start with a byte-order mark
        and hold CRLF line breaks).
    offset : int
        The offset as the tool counts it.
    counting : Counting
        How the tool counts (see :func:`counting_for_origin`).

    Raises
    ------
    ValueError
        When the offset lies outside the text or inside an astral character.
    """
    # Without CRLF-as-two the tool counts on the LF text already.
    base = strip_bom(raw) if counting.crlf_as_two else normalise_text(raw)
    if counting.utf16:
        offset = utf16_to_codepoints(base, offset)
    else:
        _check(offset, len(base), "code points")
    return crlf_to_lf(base, offset) if counting.crlf_as_two else offset


def from_text_offset(raw: str, offset: int, counting: Counting) -> int:
    """The inverse of :func:`to_text_offset`: a normalised offset as the tool counts it."""
    base = strip_bom(raw) if counting.crlf_as_two else normalise_text(raw)
    if counting.crlf_as_two:
        offset = lf_to_crlf(base, offset)
    else:
        _check(offset, len(base), "code points")
    return codepoints_to_utf16(base, offset) if counting.utf16 else offset
