"""One schema library for every configuration file: pydantic models, evstudy's errors.

Each YAML file a study holds (study.yml, the codebook, the question map, overrides,
auto-coding rules, recommendations) is described by :class:`Schema` models. :func:`validate`
checks one mapping against one model and turns every pydantic error into a
:class:`~evstudy.errors.Problem`: the file, ``line N, <entry>`` from the YAML node tree, the
problem in plain words and how to fix it. Checks that read several fields at once are a
model's methods marked with :func:`reads`; they run on the fields that are valid, so one pass
reports every problem an entry has, and none twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import (
    Annotated,
    Any,
    ClassVar,
    Literal,
    NamedTuple,
    NoReturn,
    TypeVar,
    get_args,
    get_origin,
)

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict
from pydantic import ValidationError as PydanticError
from pydantic_core import PydanticCustomError, PydanticKnownError

from evstudy.errors import Problems

__all__ = [
    "OptionalText",
    "Schema",
    "Text",
    "blank_is_none",
    "fail",
    "line_at",
    "numbered",
    "quoted",
    "raw_text",
    "reads",
    "validate",
    "validate_entries",
]

M = TypeVar("M", bound="Schema")
Loc = tuple[str | int, ...]
Check = Callable[[Any], Iterable[tuple[str, str]]]


def reads(*fields: str) -> Callable[[Check], Check]:
    """Mark a model's method as a check of several fields: it yields (problem, fix) pairs.

    The check runs only when every field it reads is valid, so that a field that failed
    (and was reported) is not reported again through a check that sees its default.
    """

    def mark(check: Check) -> Check:
        check.reads = frozenset(fields)  # type: ignore[attr-defined]
        return check

    return mark


class Schema(BaseModel):
    """Base of every configuration model: unknown keys are errors, YAML numbers may be text.

    ``noun`` names an entry in messages ("the code has no label"); methods marked with
    :func:`reads` check several fields at once.
    """

    model_config = ConfigDict(
        extra="forbid",  # a misspelt key is reported, never silently ignored
        coerce_numbers_to_str=True,  # YAML reads `id: 1` as a number; ids are text
        str_strip_whitespace=True,
        frozen=True,
    )
    noun: ClassVar[str] = ""

    def problems(self, failed: Iterable[str] = ()) -> Iterator[tuple[str, str]]:
        """What the checks of several fields find, leaving out those that read ``failed``."""
        failed = frozenset(failed)
        for klass in reversed(type(self).__mro__):
            for check in vars(klass).values():
                fields = getattr(check, "reads", None)
                if fields is not None and failed.isdisjoint(fields):
                    yield from check(self)


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _not_blank(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise PydanticKnownError("missing")  # a blank value reads as a missing one
    return text


blank_is_none = BeforeValidator(_blank_is_none)
# Text that must be there (whitespace collapsed), and text that may be left out or blank.
Text = Annotated[str, AfterValidator(_not_blank)]
OptionalText = Annotated[str | None, blank_is_none]


def raw_text(entry: Any, key: str) -> str | None:
    """``entry[key]`` as stripped text, before validation (to name an entry in messages)."""
    value = entry.get(key) if isinstance(entry, dict) else None
    text = None if value is None or isinstance(value, dict | list) else str(value).strip()
    return text or None


def fail(problem: str, fix: str) -> NoReturn:
    """Raise from a validator: a problem with its own words and fix."""
    raise PydanticCustomError("evstudy", "{problem}", {"problem": problem, "fix": fix})


def line_at(tree: yaml.Node | None, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the node at ``loc`` in ``tree``; None when there is no such node."""
    node = tree
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if str(k.value) == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if 0 <= part < len(node.value) else None
        else:
            node = None
    return None if node is None else node.start_mark.line + 1


def validate(
    model: type[M],
    data: Any,
    *,
    file: str,
    found: Problems,
    tree: yaml.Node | None = None,
    at: Loc = (),
    place: str | None = None,
) -> M | None:
    """Validate ``data`` against ``model``, adding every problem to ``found``.

    Parameters
    ----------
    model : type of Schema
        The model.
    data : object
        The parsed YAML mapping (one entry of a list, or one section).
    file : str
        How messages name the file.
    found : Problems
        Where problems go.
    tree : yaml.Node, optional
        The file's node tree (:func:`evstudy.io.textfiles.load_yaml`), for line numbers.
    at : tuple
        Where ``data`` sits in the file, e.g. ``("codes", 3)`` or ``("disclosure",)``.
    place : str, optional
        The entry's name in messages ("code 'theme.code'"): every problem of the entry is then
        placed at the entry's line. Without it, the place is the key path of each problem
        ("disclosure.quote_k") at that key's line.

    Returns
    -------
    Schema or None
        The model; when some optional fields failed, the model without them (so that callers
        can still check the rest); None when no model can be made.
    """
    failed: set[str | int] = set()
    try:
        obj, errors = model.model_validate(data), []
    except PydanticError as exc:
        obj, errors = None, exc.errors(include_url=False)
        failed = {e["loc"][0] for e in errors if e["loc"]}
        if isinstance(data, dict) and failed and not any(not e["loc"] for e in errors):
            try:  # the fields that are valid, so that checks of several fields still run
                obj = model.model_validate({k: v for k, v in data.items() if k not in failed})
            except PydanticError:
                obj = None

    def where(loc: Loc, key: str | None = None) -> str:
        if place is not None:
            return f"line {line_at(tree, at) or 0}, {place}"
        path = _dotted((*at, *loc))
        # An unknown key is found at its own line; it is named in the problem.
        line = line_at(tree, (*at, *loc, key) if key else (*at, *loc))
        return ", ".join(part for part in (f"line {line}" if line else "", path) if part)

    extras: dict[Loc, list[str]] = {}
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            extras.setdefault(loc[:-1], []).append(str(loc[-1]))
            continue
        problem, fix = _words(model, loc, error)
        found.add(file, where(loc), problem, fix)
    for loc, keys in extras.items():
        inside = f" in {_dotted(loc)}" if loc else ""
        known = ", ".join(_keys(_model_at(model, loc)))
        found.add(
            file,
            where(loc, keys[0]),
            f"unknown key(s){inside}: {', '.join(sorted(keys))}",
            f"use {known}",
        )
    if obj is not None:
        for problem, fix in obj.problems({str(f) for f in failed}):
            found.add(file, where(()), problem, fix)
    return obj


class Entry(NamedTuple):
    """One validated entry of a list: where messages place it, its name and its model."""

    where: str
    line: int
    name: str | None
    value: Any


Place = Callable[[int, str | None], str]


def quoted(noun: str) -> Place:
    """Entries named ``code 'theme.code'``, or ``code entry 5`` when they have no name."""
    return lambda n, name: f"{noun} '{name}'" if name else f"{noun} entry {n}"


def numbered(label: str) -> Place:
    """Entries named ``override 2 (toolkit.nice)``, or ``override 2``."""
    return lambda n, name: f"{label} {n}" + (f" ({name})" if name else "")


def validate_entries(
    model: type[M],
    entries: Sequence[Any],
    *,
    file: str,
    found: Problems,
    tree: yaml.Node | None,
    at: Loc,
    place: Place,
    name: str = "id",
    unique: bool = True,
    also: Callable[[int, Any], Iterable[tuple[str, str]]] | None = None,
) -> list[Entry]:
    """Validate each entry of a list with :func:`validate`, each placed at its own line.

    Parameters
    ----------
    model : type of Schema
        The model of one entry.
    entries : sequence
        The list, as parsed.
    file, found, tree
        As for :func:`validate`.
    at : tuple
        Where the list is in the file, e.g. ``("codes",)``.
    place : callable
        How messages name entry ``n`` (1-based) given its name: :func:`quoted` or
        :func:`numbered`.
    name : str
        The key that names an entry ("id", "code").
    unique : bool
        Whether a name may be used once only: a repeat is a problem naming the first line.
    also : callable, optional
        More checks of entry ``n`` (1-based) as written, against other files (codes in the
        codebook): (problem, fix) pairs, reported with the entry's own.

    Returns
    -------
    list of Entry
        One per entry: ``where``, its ``line``, the ``name`` as written (before validation)
        and the model (None when it cannot be made).
    """
    out: list[Entry] = []
    first: dict[str, int] = {}
    for i, entry in enumerate(entries):
        ident, line = raw_text(entry, name), line_at(tree, (*at, i)) or 0
        label = place(i + 1, ident)
        where = f"line {line}, {label}"
        if unique and ident is not None and ident in first:
            found.add(
                file,
                where,
                f"the {name} repeats the {model.noun} on line {first[ident]}",
                f"give each {model.noun} its own {name}",
            )
        elif ident is not None:
            first[ident] = line
        value = validate(model, entry, file=file, found=found, tree=tree, at=(*at, i), place=label)
        for problem, fix in also(i + 1, entry) if also is not None else ():
            found.add(file, where, problem, fix)
        out.append(Entry(where, line, ident, value))
    return out


# --- pydantic's errors in plain words ---------------------------------------------------------


def _dotted(loc: Loc) -> str:
    """How messages name a place: ``disclosure.quote_k``, ``items entry 1``."""
    out = ""
    for part in loc:
        out += f" entry {part + 1}" if isinstance(part, int) else f"{'.' if out else ''}{part}"
    return out


def _keys(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model of the mapping at ``loc`` inside ``model`` (for the keys it accepts)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(str(part))
        current = None if field is None else _inner_model(field.annotation)
    return current


def _choices(model: type[BaseModel] | None, name: str) -> list[Any]:
    """The allowed values of a Literal field (for "must be one of")."""
    field = None if model is None else model.model_fields.get(name)
    if field is None:
        return []

    def walk(annotation: Any) -> list[Any]:
        if get_origin(annotation) is Literal:
            return list(get_args(annotation))
        return [v for arg in get_args(annotation) for v in walk(arg)]  # Optional, Annotated

    return walk(field.annotation)


def _words(model: type[Schema], loc: Loc, error: dict[str, Any]) -> tuple[str, str]:
    """One pydantic error as (problem, fix)."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "evstudy":
        return ctx["problem"], ctx["fix"]
    if not loc:
        keys = [f"{k}:" for k in _keys(model)]
        return "the entry is not a mapping", f"write {', '.join(keys[:3])}" + (
            " and so on" if len(keys) > 3 else ""
        )
    name = str(loc[-1]) if not isinstance(loc[-1], int) else _dotted(loc)
    parent = _model_at(model, loc[:-1])
    info = None if parent is None else parent.model_fields.get(name)
    hint = info.description if info is not None and info.description else None
    owner = _dotted(loc[:-1]) if loc[:-1] else (f"the {model.noun}" if model.noun else "")
    field = f"`{name}`" + (f" of {owner}" if loc[:-1] else "")
    if kind == "missing" or (value is None and kind.endswith("_type")):
        return f"{owner} has no {name}".strip(), hint or f"add {name}: (see the README's example)"
    if kind == "literal_error":
        options = _choices(parent, name) or ctx.get("expected", "")
        return (
            f"{field} must be one of {options}, but {value!r} was given",
            "use one of those values",
        )
    if kind in ("bool_type", "bool_parsing"):
        return f"{field} must be true or false, not {value!r}", "write true or false"
    if kind.startswith("int_"):
        return f"{field} must be a whole number, not {value!r}", "write a whole number"
    if kind == "greater_than_equal":
        return f"{field} must be at least {ctx['ge']}, not {value!r}", f"write {ctx['ge']} or more"
    if kind == "string_type":
        return f"{field} must be text, not {value!r}", "write text (quote it if need be)"
    if kind == "too_short":
        return (
            f"{field} must have at least {ctx['min_length']} entries, not {ctx['actual_length']}",
            hint or "see the README's example",
        )
    if kind in ("list_type", "tuple_type"):
        return f"{field} must be a list, not {value!r}", "write [a, b] or one '- a' per line"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        keys = ", ".join(_keys(_model_at(model, loc))) or "key: value pairs"
        return f"{field} must be a mapping, not {value!r}", f"write {keys}"
    if kind.startswith("date_"):
        return f"{field} must be a date, not {value!r}", "write YYYY-MM-DD"
    return f"{field}: {error['msg'][:1].lower()}{error['msg'][1:]}", "see the README's example"
