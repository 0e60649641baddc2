"""Reader for coding sheets (``coding/*.xlsx`` or ``.csv``): one row per coding.

A coding anchors a code either to a turn (``Turn``, optionally narrowed by ``Text``), to a
run of turns (``Turn`` such as ``4-5``: from the start of turn 4's text to the end of turn
5's), or to a character span (``Start``/``End``, code-point offsets into the canonical text).
Whether the document, turn, span and code exist is for ingest to check; this reader
checks what one sheet can show alone.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd

from evstudy.errors import Problems
from evstudy.io.sheets import cell_text, find_columns, is_blank, parse_int, read_sheet

__all__ = ["CODING_COLUMNS", "parse_turns", "read_coding_sheet"]

CODING_COLUMNS: dict[str, tuple[str, ...]] = {
    "document": ("Document", "Document ID", "doc_id"),
    "turn": ("Turn",),
    "start": ("Start",),
    "end": ("End",),
    "text": ("Text",),
    "code": ("Code", "Code ID", "code_id"),
    "coder": ("Coder",),
    "memo": ("Memo",),
}
ANCHOR_FIX = "give a Turn number, or a Start and End offset into the canonical text"
RANGE_TEXT_FIX = "Text narrows one turn; leave it blank for a range, or give Start and End"
# "4-5", "4–5" (en dash), "4—5", "4 to 5": a run of turns.
_RANGE = re.compile(r"\s*(\d+)\s*(?:-|\u2013|\u2014|to)\s*(\d+)\s*", re.IGNORECASE)


def parse_turns(value: Any) -> tuple[int, int]:
    """The first and last turn of a ``Turn`` cell: ``3`` gives (3, 3), ``4-5`` gives (4, 5).

    Raises
    ------
    ValueError
        When the cell is neither a whole number nor a range of two whole numbers.
    """
    if isinstance(value, dt.date):
        # Excel reads "4-5" typed into a cell as the 4th of May.
        raise ValueError(
            f"{cell_text(value)!r} is a date: the spreadsheet turned a turn range into one "
            "(format the Turn column as Text, or write the range as '4 to 5')"
        )
    if isinstance(value, str):
        found = _RANGE.fullmatch(value)
        if found:
            return int(found[1]), int(found[2])
    try:
        turn = parse_int(value)
    except ValueError as exc:
        raise ValueError(f"{exc}, nor a range of turns such as 4-5") from None
    return turn, turn


def read_coding_sheet(path: str | Path, *, label: str | None = None) -> pd.DataFrame:
    """Read one coding sheet.

    Parameters
    ----------
    path : str or Path
        A ``.xlsx`` (first sheet) or ``.csv`` file, header on row 1.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    pandas.DataFrame
        ``document, turn, turn_end, start, end`` (Int64, NA when blank), ``text, code,
        coder, memo`` (text or None) and ``row``. ``turn`` is the first turn of the coded
        passage and ``turn_end`` its last: equal to ``turn`` for one turn, NA when the row
        gives no turn.

    Raises
    ------
    InputError
        When the file cannot be read at all.
    ValidationError
        Listing every problem: missing Document/Code/Coder columns or values, a sheet or
        row with neither a Turn nor a Start/End, half a span, turns below 1, a turn range
        that ends before it starts or has a ``Text``, negative offsets, ``Start >= End``,
        numbers that are not whole.
    """
    sheet = read_sheet(path, label)
    found = Problems()
    cols = find_columns(sheet, CODING_COLUMNS, ["document", "code", "coder"], found)
    header = sheet.where(sheet.numbers[0])
    if "turn" not in cols and not ("start" in cols and "end" in cols):
        found.add(
            sheet.file,
            header,
            "there is neither a 'Turn' column nor both 'Start' and 'End' columns",
            "add a Turn column for turn-level coding, or Start and End for character spans",
        )
    found.raise_if_any(sheet.file)

    def add(number: int, key: str, problem: str, fix: str) -> None:
        found.add(sheet.file, sheet.where(number, CODING_COLUMNS[key][0]), problem, fix)

    records: list[dict[str, Any]] = []
    for number, cells in sheet.records():
        raw = {k: cells[cols[k]] if k in cols else None for k in CODING_COLUMNS}
        rec: dict[str, Any] = {k: cell_text(raw[k]) for k in ("document", "text", "code", "coder")}
        rec["memo"] = cell_text(raw["memo"])
        if rec["text"] is not None:
            rec["text"] = str(raw["text"])  # the passage is matched exactly: keep its spaces
        for key, fix in (
            ("document", "write the Document ID from the fieldwork log"),
            ("code", "write a code id from the codebook"),
            ("coder", "write the coder's initials"),
        ):
            if rec[key] is None:
                add(number, key, f"{CODING_COLUMNS[key][0]} is blank", fix)
        numbers: dict[str, int | None] = {"turn": None, "turn_end": None}
        if not is_blank(raw["turn"]):
            try:
                numbers["turn"], numbers["turn_end"] = parse_turns(raw["turn"])
            except ValueError as exc:
                add(number, "turn", str(exc), "write a turn number, or a range such as 4-5")
        for key in ("start", "end"):
            numbers[key] = None
            if is_blank(raw[key]):
                continue
            try:
                numbers[key] = parse_int(raw[key])
            except ValueError as exc:
                add(number, key, str(exc), "write a whole number")
        turn, turn_end = numbers["turn"], numbers["turn_end"]
        start, end = numbers["start"], numbers["end"]
        blanks = {k for k in ("turn", "start", "end") if is_blank(raw[k])}
        if blanks == {"turn", "start", "end"}:
            found.add(
                sheet.file,
                sheet.where(number),
                "the coding has neither Turn nor Start/End",
                ANCHOR_FIX,
            )
        elif ("start" in blanks) != ("end" in blanks):
            missing = "End" if "end" in blanks else "Start"
            add(
                number,
                missing.lower(),
                f"{missing} is blank but the other end of the span is not",
                "give both Start and End, or neither",
            )
        if turn is not None and turn < 1:
            add(number, "turn", f"turn {turn} is below 1", "turns are numbered from 1")
        elif turn is not None and turn_end is not None and turn_end < turn:
            add(
                number,
                "turn",
                f"the turn range {turn}-{turn_end} ends before it starts",
                "write the first turn, then the last (e.g. 4-5)",
            )
        if turn_end is not None and turn_end != turn and rec["text"] is not None:
            add(number, "text", "Text is given with a range of turns", RANGE_TEXT_FIX)
        for key, value in (("start", start), ("end", end)):
            if value is not None and value < 0:
                add(
                    number,
                    key,
                    f"{CODING_COLUMNS[key][0]} {value} is negative",
                    "offsets start at 0",
                )
        if start is not None and end is not None and start >= end:
            add(
                number,
                "end",
                f"End {end} is not after Start {start}",
                "End is the offset just past the coded passage, so it must exceed Start",
            )
        rec.update(numbers, row=number)
        records.append(rec)
    found.raise_if_any(sheet.file)
    columns = ["document", "turn", "turn_end", *list(CODING_COLUMNS)[2:], "row"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    kinds = {"turn": "Int64", "turn_end": "Int64", "start": "Int64", "end": "Int64"}
    return frame.astype({**kinds, "row": "int64"})
