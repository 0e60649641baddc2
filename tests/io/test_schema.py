"""The shared schema helper: pydantic errors become evstudy problems with their YAML line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Literal

import pytest
import yaml
from pydantic import Field, StrictBool, StrictInt

from evstudy.errors import Problems
from evstudy.io.schema import (
    OptionalText,
    Schema,
    Text,
    line_at,
    numbered,
    quoted,
    raw_text,
    reads,
    validate,
    validate_entries,
)


class Part(Schema):
    label: Text


class Thing(Schema):
    noun: ClassVar[str] = "thing"
    id: Text = Field(description="give it an id")
    kind: Literal["a", "b"]
    size: StrictInt | None = Field(None, ge=1)
    loud: StrictBool = False
    note: OptionalText = None
    parts: list[Part] = Field(default_factory=list)

    @reads("kind", "parts")
    def _parts(self) -> Iterator[tuple[str, str]]:
        if self.kind == "b" and not self.parts:
            yield "a b thing needs parts", "list its parts"


TEXT = """\
things:
  - id: one
    kind: c
    size: 0
    loud: "yes"
    colour: red
    shade: dark
  - kind: b
  - id: three
    kind: b
    size: 2
    parts:
      - {label: x}
      - {name: y}
  - id: four
    kind: b
    size: many
  - just text
"""


def check(i: int) -> list[tuple[str, str, str]]:
    data, tree = yaml.safe_load(TEXT), yaml.compose(TEXT)
    found = Problems()
    entry = data["things"][i]
    place = f"thing {raw_text(entry, 'id') or i + 1}"
    validate(Thing, entry, file="t.yml", found=found, tree=tree, at=("things", i), place=place)
    return [(p.where, p.problem, p.fix) for p in found]


def test_every_field_problem_of_an_entry_at_the_entrys_line():
    assert check(0) == [
        (
            "line 2, thing one",
            "`kind` must be one of ['a', 'b'], but 'c' was given",
            "use one of those values",
        ),
        ("line 2, thing one", "`size` must be at least 1, not 0", "write 1 or more"),
        ("line 2, thing one", "`loud` must be true or false, not 'yes'", "write true or false"),
        (
            "line 2, thing one",
            "unknown key(s): colour, shade",
            "use id, kind, size, loud, note, parts",
        ),
    ]


def test_a_missing_field_names_the_entry_and_uses_the_fields_own_fix():
    # No id: the model cannot be made, so the check of several fields does not run.
    assert check(1) == [("line 8, thing 2", "the thing has no id", "give it an id")]


def test_nested_entries_are_named_and_cross_field_checks_still_run():
    assert check(2) == [
        (
            "line 9, thing three",
            "parts entry 2 has no label",
            "add label: (see the README's example)",
        ),
        ("line 9, thing three", "unknown key(s) in parts entry 2: name", "use label"),
    ]
    # `size` fails, but the other fields are valid: the check of kind and parts runs on them.
    assert check(3) == [
        (
            "line 15, thing four",
            "`size` must be a whole number, not 'many'",
            "write a whole number",
        ),
        ("line 15, thing four", "a b thing needs parts", "list its parts"),
    ]
    assert check(4) == [
        ("line 18, thing 5", "the entry is not a mapping", "write id:, kind:, size: and so on")
    ]


def test_without_a_place_each_problem_is_at_its_own_keys_line():
    text = "settings:\n  size: 0\n  loud: 1\n"
    found = Problems()
    validate(
        Thing,
        {"id": "x", "kind": "a", **yaml.safe_load(text)["settings"]},
        file="s.yml",
        found=found,
        tree=yaml.compose(text),
        at=("settings",),
    )
    assert [(p.where, p.problem) for p in found] == [
        ("line 2, settings.size", "`size` must be at least 1, not 0"),
        ("line 3, settings.loud", "`loud` must be true or false, not 1"),
    ]


def test_a_valid_entry_is_returned_with_numbers_as_text_and_blanks_as_none():
    found = Problems()
    thing = validate(
        Thing, {"id": 7, "kind": "a", "note": "  "}, file="t.yml", found=found, at=("x",)
    )
    assert not found and thing is not None
    assert (thing.id, thing.note, thing.loud, thing.size) == ("7", None, False, None)


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        ((), 1),
        (("things",), 2),
        (("things", 2, "parts", 1), 14),
        (("things", 9), None),
        (("x",), None),
    ],
)
def test_line_at(loc, line):
    assert line_at(yaml.compose(TEXT), loc) == line


def test_raw_text():
    assert raw_text({"id": " a "}, "id") == "a"
    assert raw_text({"id": 3}, "id") == "3"
    assert raw_text({"id": ""}, "id") is None
    assert raw_text({"id": [1]}, "id") is None
    assert raw_text("text", "id") is None


def test_validate_entries_places_each_entry_and_reports_repeated_names():
    text = (
        "things:\n  - {id: a, kind: a}\n  - {id: b, kind: z}\n"
        "  - {id: a, kind: b, parts: [{label: p}]}\n"
    )
    found = Problems()
    entries = validate_entries(
        Thing,
        yaml.safe_load(text)["things"],
        file="t.yml",
        found=found,
        tree=yaml.compose(text),
        at=("things",),
        place=quoted("thing"),
        also=lambda n, entry: [("odd", "even it out")] if n % 2 else [],
    )
    assert [(e.where, e.line, e.name) for e in entries] == [
        ("line 2, thing 'a'", 2, "a"),
        ("line 3, thing 'b'", 3, "b"),
        ("line 4, thing 'a'", 4, "a"),
    ]
    assert [e.value is None for e in entries] == [False, True, False]
    assert [(p.where, p.problem) for p in found] == [
        ("line 2, thing 'a'", "odd"),
        ("line 3, thing 'b'", "`kind` must be one of ['a', 'b'], but 'z' was given"),
        ("line 4, thing 'a'", "the id repeats the thing on line 2"),
        ("line 4, thing 'a'", "odd"),
    ]
    assert numbered("rule")(3, None) == "rule 3" and numbered("rule")(3, "x") == "rule 3 (x)"
