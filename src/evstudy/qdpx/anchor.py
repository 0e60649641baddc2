"""Re-anchoring a QDA tool's selected text onto a study document's canonical text.

A project coded in NVivo or ATLAS.ti holds the transcript as that tool saw it:
other line breaks and spacing, and names where the canonical text has
``[name]``. A selection is placed by its text, not its offsets: a regular
expression built from the selected text in which every whitespace run matches
any whitespace run and every capitalised word may also match ``[name]`` (a
run of capitalised words, such as ``Jordan Lee``, ``Ms Lee`` or ``Lee,
Jordan``, may match a single ``[name]``).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["passage_pattern", "reanchor"]

REDACTED = re.escape("[name]")
_TOKEN = re.compile(r"(?P<word>\w+)|(?P<space>\s+)|(?P<other>.)", re.S)


def _capitalised(token: tuple[str, str]) -> bool:
    kind, value = token
    return kind == "word" and value[0].isupper()


def _word(value: str) -> str:
    return f"(?:{re.escape(value)}|{REDACTED})"


def passage_pattern(passage: str) -> re.Pattern[str] | None:
    """The pattern that finds ``passage`` in a canonical text; None when it is blank.

    Examples
    --------
    >>> bool(passage_pattern("Ask  Jordan Lee\\nabout it").search("Ask [name] about it"))
    True
    """
    passage = unicodedata.normalize("NFC", passage).strip()
    if not passage:
        return None
    tokens = [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(passage)]
    parts: list[str] = []
    i, after_capital = 0, False
    while i < len(tokens):
        kind, value = tokens[i]
        if after_capital:
            # A separator and another capitalised word: either both are there,
            # or the previous word matched [name] and this one was redacted with it.
            j = i + (tokens[i] == ("other", ","))
            if j < len(tokens) - 1 and tokens[j][0] == "space" and _capitalised(tokens[j + 1]):
                separator = ("," if j > i else "") + r"\s+"
                word = _word(tokens[j + 1][1])
                parts.append(f"(?:{separator}{word}|(?<={REDACTED}))")
                i = j + 2
                continue
        if _capitalised((kind, value)):
            parts.append(_word(value))
            after_capital = True
        else:
            parts.append(r"\s+" if kind == "space" else re.escape(value))
            after_capital = False
        i += 1
    return re.compile("".join(parts))


def reanchor(text: str, passage: str, *, near: int = 0) -> tuple[int, int] | None:
    """Where ``passage`` lies in ``text``: the match nearest ``near``, or None.

    Parameters
    ----------
    text : str
        The canonical text.
    passage : str
        The selected text as the QDA tool holds it.
    near : int
        The tool's own offset, to choose between several occurrences.
    """
    pattern = passage_pattern(passage)
    if pattern is None:
        return None
    spans = [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
    if not spans:
        return None
    return min(spans, key=lambda span: (abs(span[0] - near), span[0]))
