"""Reader for ``name_decisions.csv``: the researcher's keep-or-redact decisions on words
that may be names.

Ingest redacts every form of a register name it can be sure of. A first name that is
also an ordinary word (Will, May, Grace), and any other capitalised first name, is left
for a person to decide: ingest lists each such word, with where it stands, in
``name_review.csv`` beside the identity key, and the build refuses to publish until each
is decided here. The file holds one decision per row:

``word, doc_id, turn, decision, reviewer, date``

``doc_id`` ``*`` applies the decision to every use of the word (``turn`` blank); a
``doc_id`` with a blank ``turn`` applies it to every turn of that document.
"""

from __future__ import annotations

from pathlib import Path

from evstudy.errors import Problems
from evstudy.io.sheets import cell_text, find_columns, is_blank, parse_date, read_sheet
from evstudy.privacy import NameDecisions, word_key

__all__ = ["DECISIONS", "DECISION_COLUMNS", "read_name_decisions"]

DECISION_COLUMNS = ("word", "doc_id", "turn", "decision", "reviewer", "date")
DECISIONS = ("keep", "redact")
# name_review.csv's rows, with their decision filled in, are rows of this file: its
# context column (the words around each use) is allowed, and read by no one.
_COLUMNS: dict[str, tuple[str, ...]] = {c: (c,) for c in (*DECISION_COLUMNS, "context")}


def read_name_decisions(path: str | Path, *, label: str | None = None) -> NameDecisions:
    """Read ``name_decisions.csv`` (or ``.xlsx``).

    Parameters
    ----------
    path : str or Path
        The file.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    NameDecisions
        ``(word key, doc_id, turn)`` -> ``keep`` or ``redact``; ``turn`` None for a whole
        document, ``doc_id`` ``*`` for every document.

    Raises
    ------
    InputError
        When the file cannot be read at all.
    ValidationError
        Listing every problem: a missing column; a blank word, doc_id, reviewer or date;
        a word of more than one word; a turn that is not a whole number from 1, or given
        with doc_id ``*``; a decision other than keep or redact; a date that is not a
        date; two rows that decide the same word in the same place differently.
    """
    sheet = read_sheet(path, label)
    found = Problems()
    cols = find_columns(sheet, _COLUMNS, list(DECISION_COLUMNS), found)
    found.raise_if_any(sheet.file)
    rules: dict[tuple[str, str, int | None], str] = {}
    first_row: dict[tuple[str, str, int | None], int] = {}
    written: dict[str, str] = {}
    for number, cells in sheet.records():
        cell = {k: cells[cols[k]] for k in DECISION_COLUMNS}
        where = lambda column, n=number: sheet.where(n, column)  # noqa: E731
        bad = len(found)
        word = cell_text(cell["word"]) or ""
        if not word:
            found.add(sheet.file, where("word"), "the word is blank", "write the word as found")
        elif len(word.split()) != 1:
            found.add(
                sheet.file,
                where("word"),
                f"{word!r} is more than one word",
                "decide one word per row; full names are redacted without a decision",
            )
        doc_id = cell_text(cell["doc_id"]) or ""
        if not doc_id:
            found.add(
                sheet.file,
                where("doc_id"),
                "the doc_id is blank",
                "write the document id name_review.csv gives, or * for every document",
            )
        turn = _turn(cell["turn"])
        if turn == 0:
            found.add(
                sheet.file,
                where("turn"),
                f"{cell_text(cell['turn'])!r} is not a turn number",
                "write the turn number from name_review.csv (a whole number from 1), or "
                "leave it blank for every turn of the document",
            )
        elif doc_id == "*" and turn is not None:
            found.add(
                sheet.file,
                where("turn"),
                "a turn is given for doc_id *, which stands for every document",
                "leave the turn blank, or give the document's id",
            )
        decision = (cell_text(cell["decision"]) or "").casefold()
        if decision not in DECISIONS:
            shown = cell_text(cell["decision"])
            found.add(
                sheet.file,
                where("decision"),
                f"the decision is {shown!r}" if shown else "the decision is blank",
                "write keep (the word is not a name here, or may stay) or redact",
            )
        if is_blank(cell["reviewer"]):
            found.add(
                sheet.file,
                where("reviewer"),
                "the reviewer is blank",
                "write who decided (initials will do)",
            )
        try:
            if parse_date(cell["date"]) is None:
                found.add(
                    sheet.file,
                    where("date"),
                    "the date is blank",
                    "write the date of the decision (YYYY-MM-DD)",
                )
        except ValueError as exc:
            found.add(sheet.file, where("date"), str(exc), "write the date as YYYY-MM-DD")
        if len(found) > bad:
            continue
        key = (word_key(word), doc_id, turn)
        if key in rules and rules[key] != decision:
            found.add(
                sheet.file,
                sheet.where(number),
                f"{word!r} in {doc_id}{f' turn {turn}' if turn else ''} is decided "
                f"{rules[key]} on {sheet.kind} {first_row[key]} and {decision} here",
                "keep one of the two rows",
            )
            continue
        rules.setdefault(key, decision)
        first_row.setdefault(key, number)
        written.setdefault(key[0], word)
    found.raise_if_any(sheet.file)
    return NameDecisions(rules, written)


def _turn(value: object) -> int | None:
    """The turn number; None when blank; 0 when it is not a whole number from 1."""
    if is_blank(value):
        return None
    text = cell_text(value) or ""
    if text.endswith(".0"):  # a spreadsheet's number
        text = text[:-2]
    return int(text) if text.isdigit() and int(text) >= 1 else 0
