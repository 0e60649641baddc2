"""Reader for the SmartSurvey export (``.csv`` or ``.xlsx``) and its ``question_map.yml``.

The export has three header lines: question texts over the first column of each block
(plus the metadata column names), each column's sub-label, and a blank line. The question
map says what each block is. ``Name``, ``Email``, ``IP Address``, ``Tracking Link`` and
``Unique ID`` values are never read into anything this module returns.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from evstudy.errors import InputError, Problems
from evstudy.io.question_map import (
    ATTRIBUTES,
    Question,
    QuestionMap,
    export_text,
    norm_text,
    read_question_map,
)
from evstudy.io.sheets import Sheet, cell_text, column_letter, is_blank, parse_int, read_sheet

__all__ = [
    "QuestionMap",
    "SurveyExport",
    "read_question_map",
    "read_smartsurvey",
    "survey_summary",
]

# metadata columns, keyed by their line-1 name without spaces; None marks a dropped column
METADATA = {
    "userid": "user_id",
    "userno": "user_no",
    "name": None,
    "email": None,
    "ipaddress": None,
    "uniqueid": None,
    "started": "started",
    "ended": "ended",
    "trackinglink": None,
    "status": "status",
}
# Completion words a Status column (or the column the question map names) may hold.
COMPLETE = frozenset({"complete", "completed", "finished", "submitted", "yes", "true", "1"})
PARTIAL = frozenset(
    {"partial", "incomplete", "in progress", "started", "not finished", "no", "false", "0"}
)
MAP_FIX = "add it to question_map.yml or remove the column"


@dataclass(frozen=True)
class SurveyExport:
    """A parsed export: tidy tables with no names, emails, IP addresses or links."""

    questions: pd.DataFrame
    options: pd.DataFrame
    respondents: pd.DataFrame
    answers: pd.DataFrame
    warnings: tuple[str, ...]
    # How complete and partial were told apart: the export's own column, or inference.
    completion_rule: str = "inferred from the answers"


# --- the export ------------------------------------------------------------------------------


def _col(index: int) -> str:
    return f"column {column_letter(index)} ({index + 1})"


_DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)


def _parse_datetime(value: Any) -> pd.Timestamp:
    if is_blank(value):
        return pd.NaT
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value)
    if isinstance(value, dt.date):
        return pd.Timestamp(value.isoformat())
    text = cell_text(value) or ""
    for fmt in _DATETIME_FORMATS:
        try:
            return pd.Timestamp(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date and time like 01/03/2024 09:15:00")


@dataclass
class _Block:
    """One question's columns in the export and what each column holds."""

    question: Question
    first: int
    answer: int | None = None
    other: int | None = None
    columns: tuple[tuple[int, int], ...] = ()  # (column, option or item index)


def _plan_block(
    q: Question, cols: range, subs: list[str | None], add: Callable[[int, str, str], None]
) -> _Block:
    """Match a block's sub-labels (line 2) to the question's options or items."""
    block = _Block(q, cols.start)
    wanted = q.items if q.type == "grid" else q.options if q.type == "multi" else ()
    index = {norm_text(w.label): i for i, w in enumerate(wanted)}
    columns: list[tuple[int, int]] = []
    for c in cols:
        sub = norm_text(subs[c])
        if q.type in ("multi", "grid") and sub in index:
            if index[sub] in {i for _, i in columns}:
                add(c, f"the sub-label {subs[c]!r} repeats an earlier column", "remove one")
            columns.append((c, index[sub]))
        elif q.type in ("single", "text") and block.answer is None and sub in ("answer", ""):
            block.answer = c
        elif q.type in ("single", "multi") and sub.startswith("other") and block.other is None:
            block.other = c
            if not q.other:
                add(c, f"question '{q.id}' has an Other column", "set other: true in the map")
        else:
            expected = {
                "single": "'Answer'" + (" and 'Other (please specify)'" if q.other else ""),
                "text": "'Answer'",
                "multi": "one of its options" + (" or 'Other (please specify)'" if q.other else ""),
                "grid": "one of its items",
            }[q.type]
            add(
                c,
                f"the sub-label {subs[c]!r} does not match question '{q.id}', "
                f"which expects {expected}",
                "fix the item or option labels in question_map.yml to match line 2 of the export",
            )
    block.columns = tuple(columns)
    if q.type in ("single", "text") and block.answer is None:
        add(cols.start, f"question '{q.id}' has no 'Answer' column", "re-export the survey")
    if q.other and block.other is None:
        add(
            cols.start,
            f"question '{q.id}' has no 'Other (please specify)' column",
            "set other: false in question_map.yml, or re-export with the Other column",
        )
    for i in sorted(set(range(len(wanted))) - {i for _, i in columns}):
        add(
            cols.start,
            f"question '{q.id}' has no column for {wanted[i].label!r}",
            "remove it from question_map.yml, or re-export with every column",
        )
    return block


def _blocks(
    sheet: Sheet, qmap: QuestionMap, found: Problems
) -> tuple[dict[str, int], list[_Block]]:
    """The metadata columns and the question blocks, in export order."""
    head = [export_text(c) for c in sheet.rows[0]]
    subs = [export_text(c) for c in sheet.rows[1]]
    starts = [c for c, h in enumerate(head) if h is not None] + [len(head)]

    def add(c: int, problem: str, fix: str) -> None:
        found.add(sheet.file, f"{sheet.where(sheet.numbers[1])}, {_col(c)}", problem, fix)

    for c in range(starts[0]):
        if any(not is_blank(r[c]) for r in sheet.rows):
            add(c, "the column has no question text on line 1", MAP_FIX)
    by_text = {norm_text(q.text): q for q in qmap.questions}
    meta: dict[str, int] = {}
    blocks: list[_Block] = []
    seen: dict[str, int] = {}
    named = norm_text(qmap.completion) if qmap.completion else None
    for start, stop in itertools.pairwise(starts):
        key = norm_text(head[start]).replace(" ", "")
        if named is not None and norm_text(head[start]) == named:
            meta["completion"] = start
            if key in METADATA and METADATA[key] is not None:
                meta[METADATA[key]] = start
            continue
        if key in METADATA:
            if METADATA[key] is not None:
                meta[METADATA[key]] = start
            for c in range(start + 1, stop):
                if any(not is_blank(r[c]) for r in sheet.rows):
                    add(c, "the column has no question text on line 1", MAP_FIX)
            continue
        q = by_text.get(norm_text(head[start]))
        if q is None:
            found.add(
                sheet.file,
                f"{sheet.where(sheet.numbers[0])}, {_col(start)}",
                f"the question {head[start]!r} is not in {qmap.path.name}",
                MAP_FIX,
            )
            continue
        if q.id in seen:
            found.add(
                sheet.file,
                f"{sheet.where(sheet.numbers[0])}, {_col(start)}",
                f"question '{q.id}' appears again (first at {_col(seen[q.id])})",
                "remove the repeated columns",
            )
            continue
        seen[q.id] = start
        blocks.append(_plan_block(q, range(start, stop), subs, add))
    for q in qmap.questions:
        if q.id not in seen:
            found.add(
                sheet.file,
                sheet.where(sheet.numbers[0]),
                f"question '{q.id}' ({q.text!r}) from {qmap.path.name} is not in the export",
                "re-export with that question, or remove it from question_map.yml",
            )
    if named is not None and "completion" not in meta:
        found.add(
            sheet.file,
            sheet.where(sheet.numbers[0]),
            f"the question map names {qmap.completion!r} as the completion column, "
            "but the export has no such column",
            "correct completion: in question_map.yml, or re-export with that column",
        )
    if "user_no" not in meta:
        found.add(
            sheet.file, sheet.where(sheet.numbers[0]), "there is no UserNo column", "re-export"
        )
    return meta, blocks


def read_smartsurvey(
    path: str | Path, question_map: QuestionMap, *, label: str | None = None
) -> SurveyExport:
    """Read a SmartSurvey export against its question map.

    Parameters
    ----------
    path : str or Path
        The export, ``.csv`` or ``.xlsx`` (first sheet); both give identical tables.
    question_map : QuestionMap
        From :func:`read_question_map`.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    SurveyExport
        ``questions``, ``options``, ``respondents`` and ``answers`` as the README's
        processed tables describe (with ``site`` holding the raw answer, and ``row`` the
        export line), and ``warnings`` (more ticks than ``max_choices``).

    Raises
    ------
    InputError
        When the file cannot be read or has fewer than three header lines.
    ValidationError
        Listing every problem: blocks the map does not know, mapped questions missing,
        sub-labels off the map, answers outside the options or scale, repeated UserNo or
        UserID, data starting before line 4, unreadable dates.
    """
    sheet = read_sheet(path, label)
    # trailing columns blank throughout are spreadsheet debris, not part of any block
    width = max((c + 1 for r in sheet.rows for c, v in enumerate(r) if not is_blank(v)), default=0)
    sheet = Sheet(sheet.file, sheet.kind, tuple(r[:width] for r in sheet.rows), sheet.numbers)
    if len(sheet.rows) < 3:
        raise InputError(
            sheet.file,
            "",
            "the export has fewer than the three header lines SmartSurvey writes",
            "export the responses again from SmartSurvey (or the file is truncated)",
        )
    found = Problems()
    if not all(is_blank(c) for c in sheet.rows[2]):
        found.add(
            sheet.file,
            sheet.where(sheet.numbers[2]),
            "line 3 is not blank, so the data start before line 4",
            "keep SmartSurvey's layout: question texts, sub-labels, a blank line, then data",
        )
    meta, blocks = _blocks(sheet, question_map, found)
    warnings: list[str] = []
    respondents: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    seen: dict[str, dict[str, int]] = {"user_no": {}, "user_id": {}}
    for number, cells in sheet.records(first=3):

        def add(c: int, problem: str, fix: str, number: int = number) -> None:
            found.add(sheet.file, f"{sheet.where(number)}, {_col(c)}", problem, fix)

        rid = f"?{number}"
        for key in ("user_no", "user_id"):
            if key not in meta:
                continue
            value = cell_text(cells[meta[key]])
            if key == "user_no":
                try:
                    rid = f"R{parse_int(cells[meta[key]]):03d}"
                except ValueError as exc:
                    add(meta[key], f"UserNo: {exc}", "keep SmartSurvey's UserNo column as exported")
            if value is not None and value in seen[key]:
                add(
                    meta[key],
                    f"{'UserNo' if key == 'user_no' else 'UserID'} {value} repeats "
                    f"{sheet.kind} {seen[key][value]}",
                    "remove the duplicated response",
                )
            elif value is not None:
                seen[key][value] = number
        person: dict[str, Any] = {"respondent_id": rid, "row": number}
        for key in ("started", "ended"):
            try:
                person[key] = _parse_datetime(cells[meta[key]]) if key in meta else pd.NaT
            except ValueError as exc:
                person[key] = pd.NaT
                add(meta[key], str(exc), "keep SmartSurvey's date format")
        person.update(dict.fromkeys(ATTRIBUTES))
        answered = set()
        for block in blocks:
            rows = _answer_block(
                block, cells, add, warnings, f"{sheet.file}, {sheet.where(number)}"
            )
            for r in rows:
                r.update(respondent_id=rid, row=number)
            answers.extend(rows)
            if rows:
                answered.add(block.question.id)
                if block.question.attribute:
                    first = rows[0]
                    person[block.question.attribute] = first["other_text"] or first["value"]
        needed = {b.question.id for b in blocks if b.question.type != "text"}
        person["status"] = _status(meta, cells, person, needed <= answered, add)
        person["n_answered"] = len(answered)
        respondents.append(person)
    found.raise_if_any(sheet.file)
    rule = next(
        (
            f"from the export's {head!r} column"
            for key in _RULES
            if (head := _head(sheet, meta, key))
        ),
        "inferred from the answers (every non-text question answered: the export has no "
        "Ended or Status column)",
    )
    return SurveyExport(
        questions=_questions_frame(blocks),
        options=_options_frame(blocks),
        respondents=_frame(
            respondents,
            ["respondent_id", "started", "ended", "status", "n_answered", *ATTRIBUTES, "row"],
            {"started": "datetime64[ns]", "ended": "datetime64[ns]", "n_answered": "int64"},
        ),
        answers=_frame(
            answers,
            [
                "respondent_id",
                "question_id",
                "item_id",
                "value",
                "position",
                "code",
                "other_text",
                "row",
            ],
            {"position": "Int64"},
        ),
        warnings=tuple(warnings),
        completion_rule=rule,
    )


_RULES = ("completion", "status", "ended")  # which column decides, first found wins


def _head(sheet: Sheet, meta: dict[str, int], key: str) -> str | None:
    return export_text(sheet.rows[0][meta[key]]) if key in meta else None


def _status(
    meta: dict[str, int],
    cells: tuple[Any, ...],
    person: dict[str, Any],
    answered_all: bool,
    add: Callable[[int, str, str], None],
) -> str:
    """complete or partial: from the export's own column where it has one, else inferred."""
    key = next((k for k in _RULES if k in meta), None)
    if key is None:
        return "complete" if answered_all else "partial"
    if key == "ended":
        return "complete" if not pd.isna(person["ended"]) else "partial"
    raw = cell_text(cells[meta[key]])
    word = norm_text(raw)
    if raw is None or word in PARTIAL:
        return "partial"
    if word in COMPLETE:
        return "complete"
    try:  # a named column of end times: complete when filled in
        _parse_datetime(cells[meta[key]])
    except ValueError:
        add(
            meta[key],
            f"{raw[:40]!r} says neither complete nor partial",
            "write Complete or Partial (or leave an end time blank for a partial response)",
        )
        return "partial"
    return "complete"


def _answer_block(
    block: _Block,
    cells: tuple[Any, ...],
    add: Callable[[int, str, str], None],
    warnings: list[str],
    place: str,
) -> list[dict[str, Any]]:
    """One respondent's answer rows for one question."""
    q = block.question
    other = export_text(cells[block.other]) if block.other is not None else None

    def row(value: str, position: int | None, code: str | None, item: str | None = None):
        return {
            "question_id": q.id,
            "item_id": item,
            "value": value,
            "position": position,
            "code": code,
            "other_text": None,
        }

    out: list[dict[str, Any]] = []
    if q.type == "text" and block.answer is not None:
        text = export_text(cells[block.answer])
        if text is not None:
            out.append(row(text, None, None))
    elif q.type == "single" and block.answer is not None:
        raw = export_text(cells[block.answer])
        labels = {norm_text(o.label): i for i, o in enumerate(q.options)}
        if raw is not None and norm_text(raw) in labels:
            i = labels[norm_text(raw)]
            out.append(row(q.options[i].label, i, q.options[i].code))
        elif raw is None and other is None:
            pass
        elif q.other and (raw is None or norm_text(raw).startswith("other")):
            out.append(row("Other", None, None))
        else:
            add(
                block.answer,
                f"the answer {(raw or other or '')[:60]!r} to '{q.id}' is not one of its options",
                "add the option to question_map.yml, or correct the export",
            )
        if out and other is not None:
            out[0]["other_text"] = other
    elif q.type == "multi":
        for c, i in block.columns:
            raw = export_text(cells[c])
            if raw is None:
                continue
            if norm_text(raw) != norm_text(q.options[i].label):
                add(
                    c,
                    f"the cell under option {q.options[i].label!r} of '{q.id}' holds "
                    f"{raw[:60]!r}, not the option's label",
                    "a ticked cell holds its option's label; correct the export",
                )
                continue
            out.append(row(q.options[i].label, i, q.options[i].code))
        if other is not None:
            out.append(row("Other", None, None) | {"other_text": other})
        if q.max_choices is not None and len(out) > q.max_choices:
            warnings.append(
                f"{place}: {len(out)} options of '{q.id}' are ticked, "
                f"more than its max_choices of {q.max_choices}"
            )
    elif q.type == "grid":
        scale = {norm_text(s): i for i, s in enumerate(q.scale)}
        for c, i in block.columns:
            raw = export_text(cells[c])
            if raw is None:
                continue
            if norm_text(raw) not in scale:
                add(
                    c,
                    f"the answer {raw[:60]!r} to '{q.id}' item '{q.items[i].id}' is not on "
                    f"its scale ({', '.join(q.scale)})",
                    "add the label to the scale in question_map.yml, or correct the export",
                )
                continue
            s = scale[norm_text(raw)]
            out.append(row(q.scale[s], s, q.items[i].code, q.items[i].id))
    return out


def _valences(q: Question) -> list[str]:
    """negative/neutral/positive for each scale point: either side of the neutral label,
    or the lower and upper halves (an odd middle counting as neutral) without one."""
    n = len(q.scale)
    if q.neutral is not None:
        mid = [norm_text(s) for s in q.scale].index(norm_text(q.neutral))
        return ["negative" if i < mid else "neutral" if i == mid else "positive" for i in range(n)]
    half = n // 2
    return [
        "negative" if i < half else "positive" if i >= n - half else "neutral" for i in range(n)
    ]


def _questions_frame(blocks: list[_Block]) -> pd.DataFrame:
    records = []
    for block in blocks:
        q = block.question
        base = {"question_id": q.id, "question_text": q.text, "type": q.type}
        base |= {"attribute": q.attribute, "max_choices": q.max_choices}
        if q.type == "grid":
            for _, i in block.columns:
                records.append(base | {"item_id": q.items[i].id, "item_label": q.items[i].label})
        else:
            records.append(base | {"item_id": None, "item_label": None})
    for position, rec in enumerate(records):
        rec["position"] = position
    columns = ["question_id", "item_id", "question_text", "item_label", "type", "attribute"]
    return _frame(records, [*columns, "max_choices", "position"], {"max_choices": "Int64"})


def _options_frame(blocks: list[_Block]) -> pd.DataFrame:
    records = []
    for block in blocks:
        q = block.question
        if q.type == "grid":
            for i, (label, valence) in enumerate(zip(q.scale, _valences(q), strict=True)):
                records.append(
                    {"question_id": q.id, "option": label, "position": i}
                    | {"code": None, "valence": valence}
                )
        for i, option in enumerate(q.options):
            records.append({"question_id": q.id, "option": option.label, "position": i})
            records[-1] |= {"code": option.code, "valence": None}
    return _frame(records, ["question_id", "option", "position", "code", "valence"], {})


def _frame(
    records: list[dict[str, Any]], columns: list[str], types: dict[str, str]
) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=columns)
    types = {"position": "int64", "row": "int64"} | types
    return frame.astype({k: v for k, v in types.items() if k in columns})


def survey_summary(export: SurveyExport) -> dict[str, Any]:
    """What ``evstudy inspect`` shows for an export: no names, emails or IP addresses.

    Parameters
    ----------
    export : SurveyExport
        From :func:`read_smartsurvey`.

    Returns
    -------
    dict
        ``questions`` (``id, text, type, n_answered``: respondents answering), ``n_respondents``,
        ``n_complete``, ``n_partial``, ``warnings`` and ``answers`` (one dict per answer,
        missing values as None), all JSON-serialisable.
    """
    answers = export.answers
    counts = answers.groupby("question_id")["respondent_id"].nunique().to_dict()
    first = export.questions.drop_duplicates("question_id")
    status = export.respondents["status"]
    return {
        "questions": [
            {"id": q, "text": t, "type": k, "n_answered": int(counts.get(q, 0))}
            for q, t, k in zip(
                first["question_id"], first["question_text"], first["type"], strict=True
            )
        ],
        "n_respondents": len(export.respondents),
        "n_complete": int((status == "complete").sum()),
        "n_partial": int((status == "partial").sum()),
        "warnings": list(export.warnings),
        "answers": [
            {
                k: (None if pd.isna(v) else int(v) if k in ("position", "row") else v)
                for k, v in r.items()
            }
            for r in answers.astype(object).to_dict("records")
        ],
    }
