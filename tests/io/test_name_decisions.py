"""name_decisions.csv: the researcher's keep-or-redact decisions on words that may be names."""

from __future__ import annotations

import pytest

from evstudy.errors import ValidationError
from evstudy.io.name_decisions import read_name_decisions

HEADER = "word,doc_id,turn,decision,reviewer,date\n"


def test_decisions_apply_to_a_turn_a_document_or_everywhere(tmp_path):
    path = tmp_path / "name_decisions.csv"
    path.write_text(
        HEADER
        + "Will,INT-S01-01,4,keep,AB,2024-01-10\n"
        + "Will,INT-S01-02,,redact,AB,2024-01-10\n"
        + "Grace,*,,redact,AB,10/01/2024\n"
        + "Zoë,*,,keep,AB,2024-01-10\n",
        encoding="utf-8",
    )
    decisions = read_name_decisions(path)
    assert decisions.decision("Will", "INT-S01-01", 4) == "keep"
    assert decisions.decision("Will", "INT-S01-01", 5) is None
    assert decisions.decision("Will", "INT-S01-02", 9) == "redact"  # the whole document
    assert decisions.decision("Grace", "SVY-R001-Q5", 1) == "redact"  # everywhere
    assert decisions.decision("Zoe", "INT-S03-01", 2) == "keep"  # accents folded
    assert decisions.everywhere("redact") == ["Grace"]  # as written, for redaction


def test_the_review_lists_context_column_is_allowed(tmp_path):
    path = tmp_path / "name_decisions.csv"
    path.write_text(
        HEADER.strip() + ",context\nMay,FG-S02,3,keep,AB,2024-01-10,in May we met\n",
        encoding="utf-8",
    )
    assert read_name_decisions(path).decision("May", "FG-S02", 3) == "keep"


def test_every_problem_is_listed_with_its_line_and_fix(tmp_path):
    path = tmp_path / "name_decisions.csv"
    path.write_text(
        HEADER
        + ",INT-S01-01,4,keep,AB,2024-01-10\n"  # line 2: no word
        + "Will,*,3,keep,AB,2024-01-10\n"  # line 3: a turn with *
        + "Will,INT-S01-01,two,maybe,,soon\n"  # line 4: turn, decision, reviewer, date
        + "Jo Ng,,,redact,AB,2024-01-10\n"  # line 5: two words, no doc_id
        + "May,FG-S02,3,keep,AB,2024-01-10\n"
        + "may,FG-S02,3,redact,AB,2024-01-10\n",  # line 7: contradicts line 6
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        read_name_decisions(path, label="name_decisions.csv")
    found = {(p.where, p.problem) for p in info.value.problems}
    assert found == {
        ("line 2, column 'word'", "the word is blank"),
        ("line 3, column 'turn'", "a turn is given for doc_id *, which stands for every document"),
        ("line 4, column 'turn'", "'two' is not a turn number"),
        ("line 4, column 'decision'", "the decision is 'maybe'"),
        ("line 4, column 'reviewer'", "the reviewer is blank"),
        ("line 4, column 'date'", "'soon' is not a date in the form YYYY-MM-DD or dd/mm/yyyy"),
        ("line 5, column 'word'", "'Jo Ng' is more than one word"),
        ("line 5, column 'doc_id'", "the doc_id is blank"),
        ("line 7", "'may' in FG-S02 turn 3 is decided keep on line 6 and redact here"),
    }
    assert all(p.file == "name_decisions.csv" and p.fix for p in info.value.problems)


def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "name_decisions.csv"
    path.write_text("word,doc_id,decision\nWill,*,keep\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="there is no 'turn' column"):
        read_name_decisions(path)
