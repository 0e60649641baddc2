"""Placing codings on a document's canonical text.

A coding-sheet row points at its passage in one of three ways: a turn number
(optionally narrowed by the passage's text), a range of turns (from the start of
the first turn's text to the end of the last's), or a character span (optionally
checked by its text). Either way the result is a ``(start, end)`` span of code
points in the canonical text. When the span and its text disagree, the text
wins: the span is re-anchored to where the text really is.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Placed", "Unplaced", "place_coding", "turn_at"]


@dataclass(frozen=True)
class Placed:
    start: int
    end: int
    turn: int | None
    reanchored: bool = False


class Unplaced(Exception):
    """A coding that cannot be placed; carries the column, the problem and the fix."""

    def __init__(self, column: str, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.column, self.problem, self.fix = column, problem, fix


def _passage(text: object, redact: Callable[[str], str]) -> str:
    # Transcript text is redacted and whitespace-collapsed; the passage must be too.
    return " ".join(redact(str(text)).split())


def turn_at(turns: Mapping[int, Mapping], offset: int) -> int | None:
    """The number of the turn whose line holds ``offset`` (label included)."""
    numbers = sorted(turns, key=lambda n: turns[n]["start"])
    starts = [turns[n]["start"] - len(turns[n]["speaker"]) - 2 for n in numbers]
    index = bisect.bisect_right(starts, offset) - 1
    if index < 0:
        return None
    number = numbers[index]
    return number if offset <= turns[number]["end"] else None


def place_coding(
    *,
    doc_id: str,
    text: str,
    turns: Mapping[int, Mapping],
    turn: int | None,
    start: int | None,
    end: int | None,
    passage: object | None,
    redact: Callable[[str], str],
    turn_end: int | None = None,
) -> Placed:
    """Where a coding-sheet row's passage lies in ``text``.

    Parameters
    ----------
    doc_id : str
        The document, for messages.
    text : str
        The document's canonical text.
    turns : mapping
        Turn number to a mapping with ``start``, ``end``, ``text`` and ``speaker``.
    turn, start, end : int or None
        The row's turn number, or its span.
    passage : str or None
        The row's ``Text`` column.
    redact : callable
        The redaction applied to transcripts, applied to ``passage`` too.
    turn_end : int, optional
        The last turn of a range of turns that starts at ``turn``. The passage then runs
        from the start of ``turn``'s text to the end of ``turn_end``'s, the labels and
        turns between included; the placed ``turn`` is the first.

    Raises
    ------
    Unplaced
        When the row cannot be placed; it says which column is wrong and why.
    """
    wanted = _passage(passage, redact) if passage is not None else None
    if turn is not None:
        last = max(turns, default=0)
        for number in dict.fromkeys([turn, turn if turn_end is None else turn_end]):
            if number not in turns:
                raise Unplaced(
                    "Turn",
                    f"{doc_id} has no turn {number} (it has turns 1 to {last})",
                    "check the turn number against `evstudy inspect` of the transcript",
                )
        row = turns[turn]
        if turn_end is not None and turn_end != turn:
            if turn_end < turn:
                raise Unplaced(
                    "Turn",
                    f"the turn range {turn}-{turn_end} ends before it starts",
                    "write the first turn, then the last (e.g. 4-5)",
                )
            if wanted is not None:
                raise Unplaced(
                    "Text",
                    "Text is given with a range of turns",
                    "Text narrows one turn; leave it blank for a range, or give Start and End",
                )
            return Placed(row["start"], turns[turn_end]["end"], turn)
        if wanted is None:
            return Placed(row["start"], row["end"], turn)
        found = row["text"].find(wanted)
        if found < 0:
            raise Unplaced(
                "Text",
                f"the coded text is not in turn {turn} of {doc_id}: {wanted[:60]!r}",
                "copy the passage exactly from the turn, "
                "or leave Text blank to code the whole turn",
            )
        return Placed(row["start"] + found, row["start"] + found + len(wanted), turn)

    if start is None or end is None:
        raise Unplaced(
            "Turn", "the row gives neither a turn nor a span", "fill in Turn, or Start and End"
        )
    if end > len(text):
        raise Unplaced(
            "Start/End",
            f"the span {start}-{end} runs past the end of {doc_id} ({len(text)} characters)",
            "check the offsets: they count code points of the canonical text from 0",
        )
    reanchored = False
    if wanted is not None and text[start:end] != wanted:
        found = text.find(wanted)
        if found < 0:
            raise Unplaced(
                "Text",
                f"the coded text is neither at {start}-{end} nor anywhere in {doc_id}",
                "correct the offsets or the Text column",
            )
        start, end, reanchored = found, found + len(wanted), True
    return Placed(start, end, turn_at(turns, start), reanchored)
