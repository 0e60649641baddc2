"""Reader for ``question_map.yml``: what each column block of a SmartSurvey export is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, StrictBool, StrictInt, field_validator

from evstudy.errors import InputError, Problems
from evstudy.io.schema import (
    OptionalText,
    Schema,
    Text,
    blank_is_none,
    fail,
    quoted,
    reads,
    validate_entries,
)
from evstudy.io.sheets import cell_text
from evstudy.io.textfiles import load_yaml

__all__ = [
    "ATTRIBUTES",
    "QUESTION_TYPES",
    "Item",
    "Option",
    "Question",
    "QuestionMap",
    "norm_text",
    "read_question_map",
]

QUESTION_TYPES = ("single", "multi", "grid", "text")
ATTRIBUTES = ("job_title", "organisation_type", "site", "years_in_role")
SIMPLE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Option:
    """One answer option of a single- or multi-choice question."""

    label: str
    code: str | None = None


@dataclass(frozen=True)
class Item:
    """One row of a Likert grid."""

    id: str
    label: str
    code: str | None = None


@dataclass(frozen=True)
class Question:
    """One entry of ``question_map.yml``: what one block of export columns is."""

    id: str
    text: str
    type: str
    attribute: str | None = None
    options: tuple[Option, ...] = ()
    items: tuple[Item, ...] = ()
    scale: tuple[str, ...] = ()
    neutral: str | None = None
    other: bool = False
    max_choices: int | None = None


@dataclass(frozen=True)
class QuestionMap:
    """The parsed question map, questions in file order."""

    questions: tuple[Question, ...]
    path: Path
    # The export column (its line-1 header) that says whether a response is complete.
    completion: str | None = None


def norm_text(value: Any) -> str:
    """Text for matching: ``@SQ@`` and curly quotes as ``'``, case-folded, spaces collapsed."""
    text = (cell_text(value) or "").replace("@SQ@", "'").replace("\u2019", "'")
    return " ".join(text.replace("\u2018", "'").casefold().split())


def export_text(value: Any) -> str | None:
    """A SmartSurvey export cell as text (``@SQ@`` back to an apostrophe); None when blank."""
    text = cell_text(value)
    return None if text is None else text.replace("@SQ@", "'")


# --- the question map ------------------------------------------------------------------------


def _str(value: Any) -> str | None:
    return None if value is None or not str(value).strip() else str(value).strip()


def _as_entries(value: Any) -> Any:
    """Options may be written as bare labels: ``options: [Yes, No]``."""
    if value is None:
        return ()
    if isinstance(value, list):
        return [{"label": v} if isinstance(v, str | int | float) else v for v in value]
    return value


Entries = BeforeValidator(_as_entries)


class OptionEntry(Schema):
    """One answer option: its label as the export shows it, and the code it is evidence for."""

    label: Text = Field(description="write a label (and optionally a code)")
    code: OptionalText = None


class ItemEntry(OptionEntry):
    """One row of a grid; its id is checked by the question (only grids have items)."""

    id: OptionalText = None


class QuestionEntry(Schema):
    """One entry of the ``questions:`` list."""

    noun: ClassVar[str] = "question"
    id: Text = Field(description="give it a short id: letters, digits and _")
    text: Text = Field(description="copy the question text from line 1 of the export")
    type: Literal[QUESTION_TYPES]
    attribute: Annotated[Literal[ATTRIBUTES] | None, blank_is_none] = None
    options: Annotated[tuple[OptionEntry, ...], Entries] = ()
    items: Annotated[tuple[ItemEntry, ...], Entries] = ()
    scale: Annotated[tuple[str, ...], BeforeValidator(lambda v: () if v is None else v)] = ()
    neutral: OptionalText = None
    other: StrictBool = False
    max_choices: StrictInt | None = Field(None, ge=1)

    @field_validator("id")
    @classmethod
    def _simple(cls, value: str) -> str:
        if not SIMPLE_ID.fullmatch(value):
            fail(f"the id {value!r} is not a simple name", "use letters, digits and _")
        return value

    @reads("type", "attribute")
    def _attribute(self) -> Iterator[tuple[str, str]]:
        if self.attribute is not None and self.type not in ("single", "text"):
            yield "only single and text questions can be attributes", "remove 'attribute:'"

    @reads("options", "items")
    def _unique(self) -> Iterator[tuple[str, str]]:
        for key, entries in (("options", self.options), ("items", self.items)):
            seen: set[tuple[str, str | None]] = set()
            for i, entry in enumerate(entries, 1):
                ident = getattr(entry, "id", None)
                if key == "items" and (ident is None or not SIMPLE_ID.fullmatch(ident)):
                    yield (
                        f"items entry {i} ({entry.label!r}) has no simple id",
                        "give it an id like research",
                    )
                for what, value in (("label", norm_text(entry.label)), ("id", ident)):
                    if value is not None and (what, value) in seen:
                        yield (
                            f"{key} entry {i} repeats the {what} {value!r}",
                            f"make each {what} unique",
                        )
                    seen.add((what, value))

    @reads("type", "options", "other")
    def _options(self) -> Iterator[tuple[str, str]]:
        if self.type in ("single", "multi") and not self.options:
            yield f"a {self.type} question needs options", "list its options"
        if self.type in ("grid", "text") and (self.options or self.other):
            yield f"a {self.type} question has no options or 'other'", "remove them"

    @reads("type", "items", "scale", "neutral")
    def _grid(self) -> Iterator[tuple[str, str]]:
        scale = {norm_text(s) for s in self.scale}
        if self.type == "grid":
            if len(self.scale) < 2 or len(scale) < len(self.scale):
                yield "a grid needs a scale of two or more different labels", "list scale: [...]"
            if not self.items:
                yield "a grid needs items", "list items: [{id, label, code}]"
            if self.neutral is not None and norm_text(self.neutral) not in scale:
                yield (
                    f"neutral {self.neutral!r} is not on the scale",
                    "use one of the scale's labels",
                )
        elif self.items or self.scale or self.neutral:
            yield "only grid questions have items, scale or neutral", "remove them"

    @reads("type", "max_choices")
    def _max_choices(self) -> Iterator[tuple[str, str]]:
        if self.max_choices is not None and self.type != "multi":
            yield "max_choices is for multi questions only", "remove it"

    def question(self) -> Question:
        """The entry as the :class:`Question` the rest of evstudy reads."""
        return Question(
            self.id,
            self.text.replace("@SQ@", "'"),
            self.type,
            self.attribute if self.type in ("single", "text") else None,
            tuple(Option(o.label, o.code) for o in self.options),
            tuple(Item(i.id or "", i.label, i.code) for i in self.items),
            self.scale,
            self.neutral,
            self.other,
            self.max_choices,
        )


QUESTION_KEYS = tuple(QuestionEntry.model_fields)


def read_question_map(path: str | Path, *, label: str | None = None) -> QuestionMap:
    """Read and validate ``question_map.yml``.

    Parameters
    ----------
    path : str or Path
        The question map.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    QuestionMap

    Raises
    ------
    InputError
        When the file is missing, not YAML or has no ``questions`` list.
    ValidationError
        Listing every problem: ids missing, malformed or repeated; repeated question texts;
        unknown types, keys or attributes; an attribute used twice; single/multi questions
        without options; grids without scale or items; a neutral label off the scale.
    """
    path = Path(path)
    name = label or str(path)
    data, tree = load_yaml(path, name)
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise InputError(name, "", "the file has no 'questions:' list", "see the README example")
    found = Problems()
    entries = validate_entries(
        QuestionEntry,
        data["questions"],
        file=name,
        found=found,
        tree=tree,
        at=("questions",),
        place=quoted("question"),
    )
    questions: list[Question] = []
    first: dict[tuple[str, str], int] = {}
    for entry in entries:
        if entry.value is None:
            continue
        question = entry.value.question()
        keys = [("text", norm_text(question.text))]
        if question.attribute:
            keys.append(("attribute", question.attribute))
        for kind, value in keys:
            if (kind, value) in first:
                found.add(
                    name,
                    entry.where,
                    f"the {kind} repeats the question on line {first[kind, value]}",
                    "fix one",
                )
            else:
                first[kind, value] = entry.line
        questions.append(question)
    if not data["questions"]:
        found.add(name, "questions", "the map lists no questions", "add one per export block")
    completion = data.get("completion")
    if completion is not None and (not isinstance(completion, str) or not completion.strip()):
        found.add(
            name,
            "completion",
            f"completion must name an export column, but {completion!r} was given",
            "write the column's header as the export's first line has it, e.g. completion: Ended",
        )
        completion = None
    found.raise_if_any(name)
    return QuestionMap(tuple(questions), path, completion.strip() if completion else None)
