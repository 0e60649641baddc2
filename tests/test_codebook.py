"""The codebook: the table it becomes, and every structural problem with its YAML line."""

from __future__ import annotations

from pathlib import Path

import pytest

from evstudy.codebook import read_codebook
from evstudy.errors import InputError, ValidationError

GOOD = """\
version: "1.0"
codes:
  - id: approach
    label: Commissioning approach
    definition: How the local authority designs and commissions services.
  - id: approach.cycle
    parent: approach
    label: Structured commissioning cycle
    definition: A named cycle.
    include: Mentions of a cycle.
    exclude: One-off purchases.
    example: We follow analyse, plan, do, review.
    comb: reflective_motivation
    valence: enabler
    rq: [3, 1]
    origin: deductive
  - id: approach.cycle.review
    parent: approach.cycle
    label: Review stage
    comb: null
    valence: null
    rq: 2
    origin: inductive
  - id: barriers
    label: Barriers
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codebook.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_read_codebook_exact_values(tmp_path):
    frame = read_codebook(write(tmp_path, GOOD))
    assert list(frame.columns) == [
        "code_id",
        "label",
        "parent_id",
        "theme_id",
        "depth",
        "definition",
        "include",
        "exclude",
        "example",
        "comb",
        "valence",
        "rq",
        "origin",
        "version",
    ]
    assert list(frame["code_id"]) == [
        "approach",
        "approach.cycle",
        "approach.cycle.review",
        "barriers",
    ]
    assert list(frame["parent_id"]) == [None, "approach", "approach.cycle", None]
    assert list(frame["theme_id"]) == ["approach", "approach", "approach", "barriers"]
    assert list(frame["depth"]) == [0, 1, 2, 0]
    assert list(frame["rq"]) == [(), (1, 3), (2,), ()]
    assert list(frame["comb"]) == [None, "reflective_motivation", None, None]
    assert list(frame["valence"]) == [None, "enabler", None, None]
    assert list(frame["origin"]) == [None, "deductive", "inductive", None]
    assert set(frame["version"]) == {"1.0"}
    row = frame.iloc[1]
    assert (row["include"], row["exclude"], row["example"]) == (
        "Mentions of a cycle.",
        "One-off purchases.",
        "We follow analyse, plan, do, review.",
    )


def test_every_codebook_problem_is_reported_with_its_line(tmp_path):
    text = """\
codes:
  - id: approach
    label: Commissioning approach
  - id: approach
    label: Again
  - id: orphan
    parent: nowhere
    label: Orphan
  - id: bad values
    label: Bad
    comb: capability
    valence: neutral
    rq: [0, 6, one]
    origin: emergent
    valance: barrier
  - label: No id
  - id: no_label
  - id: loop.a
    parent: loop.b
    label: A
  - id: loop.b
    parent: loop.a
    label: B
"""
    with pytest.raises(ValidationError) as excinfo:
        read_codebook(write(tmp_path, text))
    problems = excinfo.value.problems
    expected = [
        ("version", "no version"),
        ("line 4, code 'approach'", "repeats the code on line 2"),
        ("line 9, code 'bad values'", "contains spaces"),
        ("line 9, code 'bad values'", "unknown key(s): valance"),
        ("line 9, code 'bad values'", "comb 'capability' is not a COM-B component"),
        ("line 9, code 'bad values'", "valence 'neutral'"),
        ("line 9, code 'bad values'", "origin 'emergent'"),
        ("line 9, code 'bad values'", "rq [0, 6, 'one'] are not research questions"),
        ("line 16, code entry 5", "has no id"),
        ("line 17, code 'no_label'", "no label"),
        ("line 6, code 'orphan'", "the parent 'nowhere' is not a code"),
        ("line 18, code 'loop.a'", "cycle: loop.a -> loop.b -> loop.a"),
        ("line 21, code 'loop.b'", "cycle: loop.b -> loop.a -> loop.b"),
    ]
    assert len(problems) == len(expected), [str(p) for p in problems]
    for where, what in expected:
        assert any(p.where == where and what in p.problem and p.fix for p in problems), where
    assert all(p.file.endswith("codebook.yml") for p in problems)


def test_yaml_syntax_error_names_the_line(tmp_path):
    with pytest.raises(InputError) as excinfo:
        read_codebook(write(tmp_path, 'version: "1"\ncodes:\n  - id: a\n    label: [unclosed\n'))
    assert excinfo.value.problem.where.startswith("line ")
    assert "not valid YAML" in excinfo.value.problem.problem


@pytest.mark.parametrize("text", ["", "- just\n- a list\n", "version: 1\ncodes: {a: b}\n"])
def test_codebook_without_codes_list(tmp_path, text):
    with pytest.raises(InputError, match="no 'codes:' list"):
        read_codebook(write(tmp_path, text))


def test_missing_and_non_utf8_codebook(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_codebook(tmp_path / "codebook.yml")
    (tmp_path / "codebook.yml").write_bytes("codes:\n  - id: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_codebook(tmp_path / "codebook.yml")
