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
        "turn_end",
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
            "turn_end": 3,
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
            "turn_end": None,
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
            "turn_end": 1,
            "start": None,
            "end": None,
            "text": None,
            "code": "barrier.capacity",
            "coder": "SP",
            "memo": "free text",
            "row": 4,
        },
    ]
    assert [str(frame[c].dtype) for c in ("turn", "turn_end", "start", "end")] == ["Int64"] * 4


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


def test_turn_ranges_in_every_spelling(tmp_path):
    text = (
        "Document,Turn,Text,Code,Coder\n"
        "D1,4-5,,c,AM\n"
        "D1,4\u20136,,c,AM\n"  # en dash, as Word and Excel autocorrect write it
        "D1, 7 to 9 ,,c,AM\n"
        "D1,10 TO 11,,c,AM\n"
        "D1,3-3,the passage,c,AM\n"  # a range of one turn may be narrowed like a turn
        "D1,2,,c,AM\n"
    )
    frame = read_coding_sheet(write(tmp_path, text))
    assert frame["turn"].tolist() == [4, 4, 7, 10, 3, 2]
    assert frame["turn_end"].tolist() == [5, 6, 9, 11, 3, 2]
    assert frame.loc[4, "text"] == "the passage"


def test_xlsx_turn_range_and_the_excel_date_trap(tmp_path):
    import datetime as dt

    book = openpyxl.Workbook()
    book.active.append(["Document", "Turn", "Code", "Coder"])
    book.active.append(["D1", "7-8", "c", "AM"])
    book.active.append(["D1", dt.datetime(2026, 5, 4), "c", "AM"])  # Excel's reading of 4-5
    book.save(tmp_path / "coding.xlsx")
    with pytest.raises(ValidationError) as excinfo:
        read_coding_sheet(tmp_path / "coding.xlsx")
    (problem,) = excinfo.value.problems
    assert problem.where == "row 3, column 'Turn'"
    assert problem.problem.startswith("'2026-05-04' is a date")
    assert "is a date" in problem.problem and "'4 to 5'" in problem.problem
    book.active.delete_rows(3)
    book.save(tmp_path / "coding.xlsx")
    frame = read_coding_sheet(tmp_path / "coding.xlsx")
    assert (frame.loc[0, "turn"], frame.loc[0, "turn_end"]) == (7, 8)


def test_bad_turn_ranges_are_reported_with_row_and_column(tmp_path):
    text = (
        "Document,Turn,Text,Code,Coder\n"
        "D1,5-4,,c,AM\n"  # line 2: ends before it starts
        "D1,0-3,,c,AM\n"  # line 3: below 1
        "D1,4-5,a passage,c,AM\n"  # line 4: Text with a range
        "D1,4-,,c,AM\n"  # line 5: half a range
        "D1,4..5,,c,AM\n"  # line 6: not a range
    )
    with pytest.raises(ValidationError) as excinfo:
        read_coding_sheet(write(tmp_path, text))
    problems = excinfo.value.problems
    expected = [
        ("line 2, column 'Turn'", "the turn range 5-4 ends before it starts"),
        ("line 3, column 'Turn'", "turn 0 is below 1"),
        ("line 4, column 'Text'", "Text is given with a range of turns"),
        ("line 5, column 'Turn'", "'4-' is not a whole number, nor a range of turns"),
        ("line 6, column 'Turn'", "'4..5' is not a whole number, nor a range of turns"),
    ]
    assert len(problems) == len(expected), [str(p) for p in problems]
    for where, what in expected:
        assert any(p.where == where and what in p.problem for p in problems), where
    fixes = {p.where: p.fix for p in problems}
    assert fixes["line 4, column 'Text'"] == (
        "Text narrows one turn; leave it blank for a range, or give Start and End"
    )
    assert "4-5" in fixes["line 2, column 'Turn'"]
