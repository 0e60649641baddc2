"""Coding sheets: turn and span codings, and every anchoring problem together."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from evstudy.errors import ValidationError
from evstudy.io.coding_sheet import read_coding_sheet

GOOD = """Document,Turn,Start,End,Text,Code,Coder,Memo
INT-S01-01,3,,,  the data tell us ,approach.cycle,AM,
INT-S01-01,,120,164,,evidence.local,AM,re-anchored
SVY-R001-comments,1,,,,barrier.capacity,SP,free text
"""


def write(tmp_path: Path, text: str, name: str = "coding_am.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_coding_sheet_exact_values(tmp_path):
    frame = read_coding_sheet(write(tmp_path, GOOD))
    assert list(frame.columns) == [
        "document",
        "turn",
        "start",
        "end",
        "text",
        "code",
        "coder",
        "memo",
        "row",
    ]
    assert frame.astype(object).where(frame.notna(), None).to_dict("records") == [
        {
            "document": "INT-S01-01",
            "turn": 3,
            "start": None,
            "end": None,
            "text": "  the data tell us ",  # kept exactly: it is matched against the turn
            "code": "approach.cycle",
            "coder": "AM",
            "memo": None,
            "row": 2,
        },
        {
            "document": "INT-S01-01",
            "turn": None,
            "start": 120,
            "end": 164,
            "text": None,
            "code": "evidence.local",
            "coder": "AM",
            "memo": "re-anchored",
            "row": 3,
        },
        {
            "document": "SVY-R001-comments",
            "turn": 1,
            "start": None,
            "end": None,
            "text": None,
            "code": "barrier.capacity",
            "coder": "SP",
            "memo": "free text",
            "row": 4,
        },
    ]
    assert [str(frame[c].dtype) for c in ("turn", "start", "end")] == ["Int64"] * 3


def test_xlsx_coding_sheet_matches_csv(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Document", "Turn", "Start", "End", "Text", "Code", "Coder", "Memo"])
    book.active.append(["INT-S01-01", 3, None, None, "  the data tell us ", "approach.cycle", "AM"])
    book.active.append(
        ["INT-S01-01", None, 120.0, 164, None, "evidence.local", "AM", "re-anchored"]
    )
    book.active.append(
        ["SVY-R001-comments", 1, None, None, None, "barrier.capacity", "SP", "free text"]
    )
    book.save(tmp_path / "coding.xlsx")
    pd.testing.assert_frame_equal(
        read_coding_sheet(tmp_path / "coding.xlsx"), read_coding_sheet(write(tmp_path, GOOD))
    )


def test_turn_only_sheet_is_fine(tmp_path):
    frame = read_coding_sheet(write(tmp_path, "Document,Turn,Code,Coder\nD1,2,c,AM\n"))
    assert frame.loc[0, "turn"] == 2
    assert frame["start"].isna().all()


def test_sheet_without_turn_or_span_columns(tmp_path):
    path = write(tmp_path, "Document,Start,Code\nD1,3,c\n")
    with pytest.raises(ValidationError) as excinfo:
        read_coding_sheet(path)
    messages = [str(p) for p in excinfo.value.problems]
    assert len(messages) == 2
    assert any("line 1" in m and "no 'Coder' column" in m for m in messages)
    assert any("line 1" in m and "neither a 'Turn' column nor both" in m for m in messages)


def test_every_coding_problem_is_reported_together(tmp_path):
    text = GOOD + (
        ",4,,,,code.a,AM,\n"  # line 5: no document
        "D1,,,,,code.a,AM,\n"  # line 6: no anchor
        "D1,,50,50,,,,\n"  # line 7: start == end, no code, no coder
        "D1,,-3,10,,code.a,AM,\n"  # line 8: negative start
        "D1,,90,40,,code.a,AM,\n"  # line 9: start > end
        "D1,0,,,,code.a,AM,\n"  # line 10: turn below 1
        "D1,2.5,,,,code.a,AM,\n"  # line 11: not whole
        "D1,,5,,,code.a,AM,\n"  # line 12: half a span
    )
    with pytest.raises(ValidationError) as excinfo:
        read_coding_sheet(write(tmp_path, text))
    problems = excinfo.value.problems
    expected = [
        ("line 5, column 'Document'", "Document is blank"),
        ("line 6", "neither Turn nor Start/End"),
        ("line 7, column 'End'", "End 50 is not after Start 50"),
        ("line 7, column 'Code'", "Code is blank"),
        ("line 7, column 'Coder'", "Coder is blank"),
        ("line 8, column 'Start'", "Start -3 is negative"),
        ("line 9, column 'End'", "End 40 is not after Start 90"),
        ("line 10, column 'Turn'", "turn 0 is below 1"),
        ("line 11, column 'Turn'", "'2.5' is not a whole number"),
        ("line 12, column 'End'", "End is blank but the other end"),
    ]
    assert len(problems) == len(expected), [str(p) for p in problems]
    for where, what in expected:
        assert any(p.where == where and what in p.problem and p.fix for p in problems), where
    assert all(p.file.endswith("coding_am.csv") for p in problems)
    assert "Turn number, or a Start and End" in next(p.fix for p in problems if p.where == "line 6")
