"""Reader for ``question_map.yml``: what each column block of a SmartSurvey export is."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from evstudy.errors import InputError, Problems
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
QUESTION_KEYS = (
    "id",
    "text",
    "type",
    "attribute",
    "options",
    "items",
    "scale",
    "neutral",
    "other",
    "max_choices",
)


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


def _decode(value: Any) -> str | None:
    text = cell_text(value)
    return None if text is None else text.replace("@SQ@", "'")


# --- the question map ------------------------------------------------------------------------


def _lines(tree: yaml.Node | None, key: str) -> list[int]:
    if isinstance(tree, yaml.MappingNode):
        for k, v in tree.value:
            if k.value == key and isinstance(v, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in v.value]
    return []


def _str(value: Any) -> str | None:
    return None if value is None or not str(value).strip() else str(value).strip()


def _parse_question(entry: Any, add: Callable[[str, str], None]) -> Question | None:
    """One map entry as a Question, reporting every problem through ``add``."""
    if not isinstance(entry, dict):
        add("the entry is not a mapping", "write 'id:', 'text:' and 'type:'")
        return None
    qid, text, qtype = _str(entry.get("id")), _str(entry.get("text")), _str(entry.get("type"))
    if qid is None or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", qid):
        add(f"the id {qid!r} is missing or not a simple name", "use letters, digits and _")
    if text is None:
        add("the question has no text", "copy the question text from line 1 of the export")
    if qtype not in QUESTION_TYPES:
        add(f"type {qtype!r} is not one of {', '.join(QUESTION_TYPES)}", "fix the type")
    unknown = sorted(str(k) for k in entry if k not in QUESTION_KEYS)
    if unknown:
        add(f"unknown key(s): {', '.join(unknown)}", f"use only {', '.join(QUESTION_KEYS)}")
    attribute = _str(entry.get("attribute"))
    if attribute is not None and attribute not in ATTRIBUTES:
        add(f"attribute {attribute!r} is not one of {', '.join(ATTRIBUTES)}", "fix or remove it")
    elif attribute is not None and qtype not in ("single", "text"):
        add("only single and text questions can be attributes", "remove 'attribute:'")
        attribute = None

    def labelled(key: str, need_id: bool) -> list[tuple[str | None, str, str | None]]:
        out, seen = [], set()
        for i, raw in enumerate(entry.get(key) or [], 1):
            raw = {"label": raw} if isinstance(raw, str | int | float) else raw
            if not isinstance(raw, dict) or _str(raw.get("label")) is None:
                add(f"{key} entry {i} has no label", "write a label (and optionally a code)")
                continue
            label, ident = str(raw["label"]).strip(), _str(raw.get("id"))
            if need_id and (ident is None or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", ident)):
                add(f"{key} entry {i} ({label!r}) has no simple id", "give it an id like research")
            for kind, value in (("label", norm_text(label)), ("id", ident)):
                if value is not None and (kind, value) in seen:
                    add(f"{key} entry {i} repeats the {kind} {value!r}", f"make each {kind} unique")
                seen.add((kind, value))
            out.append((ident, label, _str(raw.get("code"))))
        return out

    if not isinstance(entry.get("options") or [], list) or not isinstance(
        entry.get("items") or [], list
    ):
        add("options and items must be lists", "see the README's question_map example")
        return None
    options = tuple(Option(label, code) for _, label, code in labelled("options", False))
    items = tuple(Item(ident or "", label, code) for ident, label, code in labelled("items", True))
    scale_raw = entry.get("scale") or []
    scale = tuple(str(s).strip() for s in scale_raw) if isinstance(scale_raw, list) else ()
    neutral = _str(entry.get("neutral"))
    other, max_choices = entry.get("other", False), entry.get("max_choices")
    if qtype in ("single", "multi") and not options:
        add(f"a {qtype} question needs options", "list its options")
    if qtype in ("grid", "text") and (options or other):
        add(f"a {qtype} question has no options or 'other'", "remove them")
    if qtype == "grid":
        if len(scale) < 2 or len({norm_text(s) for s in scale}) < len(scale):
            add("a grid needs a scale of two or more different labels", "list scale: [...]")
        if not items:
            add("a grid needs items", "list items: [{id, label, code}]")
        if neutral is not None and norm_text(neutral) not in {norm_text(s) for s in scale}:
            add(f"neutral {neutral!r} is not on the scale", "use one of the scale's labels")
    elif items or scale or neutral:
        add("only grid questions have items, scale or neutral", "remove them")
    if not isinstance(other, bool):
        add(f"other must be true or false, not {other!r}", "fix it")
    if max_choices is not None and (
        qtype != "multi" or isinstance(max_choices, bool) or not isinstance(max_choices, int)
    ):
        add("max_choices must be a whole number, on multi questions only", "fix or remove it")
    elif max_choices is not None and max_choices < 1:
        add("max_choices must be at least 1", "fix it")
    if qid is None or text is None or qtype not in QUESTION_TYPES:
        return None
    return Question(
        qid,
        text.replace("@SQ@", "'"),
        qtype,
        attribute if attribute in ATTRIBUTES else None,
        options,
        items,
        scale,
        neutral,
        bool(other),
        max_choices if isinstance(max_choices, int) and not isinstance(max_choices, bool) else None,
    )


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
    lines = _lines(tree, "questions")
    found = Problems()
    questions: list[Question] = []
    first: dict[tuple[str, str], int] = {}
    for i, entry in enumerate(data["questions"]):
        line = lines[i] if i < len(lines) else 0
        qid = _str(entry.get("id")) if isinstance(entry, dict) else None
        where = f"line {line}, question '{qid}'" if qid else f"line {line}, question entry {i + 1}"

        def add(problem: str, fix: str, where: str = where) -> None:
            found.add(name, where, problem, fix)

        question = _parse_question(entry, add)
        if question is None:
            continue
        keys = [("id", question.id), ("text", norm_text(question.text))]
        if question.attribute:
            keys.append(("attribute", question.attribute))
        for kind, value in keys:
            if (kind, value) in first:
                add(f"the {kind} repeats the question on line {first[kind, value]}", "fix one")
            else:
                first[kind, value] = line
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
