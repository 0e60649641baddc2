"""Reader for ``codebook.yml``: the codes, their tree and their version history.

Codes form a forest: a code without a parent is a theme, and every code belongs to the
theme at the top of its chain of parents. Problems name the code id and the YAML line of
its entry so that a researcher can find it in the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import pandas as pd
from pydantic import BeforeValidator, Field, field_validator

from evstudy.errors import InputError, Problems
from evstudy.io.schema import (
    OptionalText,
    Schema,
    Text,
    blank_is_none,
    fail,
    quoted,
    reads,
    validate,
    validate_entries,
)
from evstudy.io.textfiles import load_yaml

__all__ = [
    "CODE_KEYS",
    "COLUMNS",
    "COMB",
    "METHODS",
    "ORIGINS",
    "STATUSES",
    "VALENCES",
    "read_codebook",
]

COMB = (
    "physical_capability",
    "psychological_capability",
    "physical_opportunity",
    "social_opportunity",
    "reflective_motivation",
    "automatic_motivation",
)
VALENCES = ("barrier", "enabler")
ORIGINS = ("deductive", "inductive")
STATUSES = ("active", "retired", "merged")
# The transcript methods a topic guide can prompt a code in (``prompted: [interview]``).
METHODS = ("interview", "focus_group", "expert_interview")
COLUMNS = (
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
    "prompted",
    "origin",
    "version",
    "status",
    "merged_into",
    "changed_in",
    "reason",
)


class CodeEntry(Schema):
    """One entry of the ``codes:`` list."""

    noun: ClassVar[str] = "code"
    id: Text = Field(description="give it an id such as approach.cycle")
    label: Text = Field(description="give it a short label")
    parent: OptionalText = None
    definition: OptionalText = None
    include: OptionalText = None
    exclude: OptionalText = None
    example: OptionalText = None
    comb: Annotated[Literal[COMB] | None, blank_is_none] = None
    valence: Annotated[Literal[VALENCES] | None, blank_is_none] = None
    rq: tuple[str, ...] = ()
    # The methods whose topic guide asks about the code by name: mentions there are answers
    # to a question, not prevalence (see evstudy.triangulation).
    prompted: tuple[str, ...] = ()
    origin: Annotated[Literal[ORIGINS] | None, blank_is_none] = None
    status: Annotated[Literal[STATUSES], BeforeValidator(lambda v: v or "active")] = "active"
    merged_into: OptionalText = None
    changed_in: OptionalText = None
    reason: OptionalText = None

    @field_validator("id")
    @classmethod
    def _no_spaces(cls, value: str) -> str:
        if any(ch.isspace() for ch in value):
            fail("the id contains spaces", "use letters, digits, dots and underscores")
        return value

    @field_validator("rq", mode="before")
    @classmethod
    def _rq_ids(cls, value: Any) -> tuple[str, ...]:
        values = [] if value is None else value if isinstance(value, list) else [value]
        bad = [
            q
            for q in values
            if isinstance(q, bool) or not isinstance(q, int | str) or not str(q).strip()
        ]
        if bad:
            fail(
                f"rq {bad!r} are not research-question ids",
                "write the ids study.yml declares, e.g. rq: [1, 3]",
            )
        return tuple(sorted({str(q).strip() for q in values}, key=_rq_key))

    @field_validator("prompted", mode="before")
    @classmethod
    def _prompted(cls, value: Any) -> tuple[str, ...]:
        values = [] if value is None else value if isinstance(value, list) else [value]
        bad = [m for m in values if not isinstance(m, str) or m.strip() not in METHODS]
        if bad:
            fail(
                f"prompted {bad!r} are not methods",
                f"list the methods whose topic guide asks about the code, from {list(METHODS)}",
            )
        return tuple(m for m in METHODS if m in {v.strip() for v in values})

    @reads("status", "merged_into")
    def _merge(self) -> Iterator[tuple[str, str]]:
        if self.status == "merged" and self.merged_into is None:
            yield "a merged code has no merged_into", "name the code it was merged into"
        elif self.merged_into is not None and self.status != "merged":
            yield f"merged_into is set but the status is {self.status!r}", "add status: merged"


CODE_KEYS = tuple(CodeEntry.model_fields)


class CodebookFile(Schema):
    """The file: its version and its codes (each checked as a :class:`CodeEntry`)."""

    noun: ClassVar[str] = "codebook"
    version: Text = Field(description='add e.g. version: "1.0"')
    codes: list[Any]


def _check_merges(records: list[dict[str, Any]], name: str, found: Problems) -> None:
    """A merged code must point at a code that exists, is not retired and is not itself."""
    status = {r["code_id"]: r["status"] for r in records}
    merged_into = {r["code_id"]: r["merged_into"] for r in records}
    for rec in records:
        target = rec["merged_into"]
        if target is None:
            continue
        where = f"line {rec['line']}, code '{rec['code_id']}'"
        if target == rec["code_id"]:
            found.add(name, where, "the code is merged into itself", "name another code")
        elif target not in status:
            found.add(
                name,
                where,
                f"merged_into {target!r} is not a code in the codebook",
                "fix the id of the code it was merged into",
            )
        elif status[target] == "retired":
            found.add(
                name,
                where,
                f"merged_into {target!r} is a retired code",
                "merge into an active code, or retire this one too",
            )
        elif status[target] == "merged":
            found.add(
                name,
                where,
                f"merged_into {target!r} was itself merged into {merged_into[target]!r}",
                f"write merged_into: {merged_into[target]}",
            )


def _rq_key(rq_id: str) -> tuple[int, int, str]:
    """Research-question ids in natural order: 2 before 10, numbers before words."""
    return (0, int(rq_id), "") if rq_id.isdigit() else (1, 0, rq_id)


def read_codebook(path: str | Path, *, label: str | None = None) -> pd.DataFrame:
    """Read and validate ``codebook.yml``.

    Parameters
    ----------
    path : str or Path
        The codebook.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    pandas.DataFrame
        One row per code, in file order: ``code_id, label, parent_id, theme_id`` (the top
        ancestor; a theme's own id), ``depth`` (0 for themes), ``definition, include,
        exclude, example, comb, valence, rq`` (tuple of research-question ids, as text),
        ``prompted`` (tuple of the methods whose topic guide asks about the code, in
        :data:`METHODS` order), ``origin``, ``version`` (the codebook's, on every row),
        and the code's version history: ``status`` (``active``, ``retired`` or
        ``merged``), ``merged_into``, ``changed_in`` and ``reason``.

    Raises
    ------
    InputError
        When the file is missing, not YAML, or has no ``codes`` list.
    ValidationError
        Listing every problem: unknown keys, missing ids or labels, repeated ids, parents
        that do not exist, cycles, comb, valence, rq, prompted, origin or status values
        outside their sets, and merges into codes that are missing, retired, merged or the
        code itself.
    """
    path = Path(path)
    name = label or str(path)
    data, tree = load_yaml(path, name)
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise InputError(
            name, "", "the file has no 'codes:' list", "see the README's codebook example"
        )
    found = Problems()
    head = validate(CodebookFile, data, file=name, found=found, tree=tree)
    version = head.version if head is not None else None
    entries = validate_entries(
        CodeEntry,
        data["codes"],
        file=name,
        found=found,
        tree=tree,
        at=("codes",),
        place=quoted("code"),
    )
    known = {entry.name for entry in entries}  # a code with problems still exists
    records: list[dict[str, Any]] = []
    for entry in entries:
        code = entry.value
        if code is None:
            continue
        records.append(
            {
                "code_id": code.id,
                "label": code.label,
                "parent_id": code.parent,
                "definition": code.definition,
                "include": code.include,
                "exclude": code.exclude,
                "example": code.example,
                "comb": code.comb,
                "valence": code.valence,
                "rq": code.rq,
                "prompted": code.prompted,
                "origin": code.origin,
                "version": version,
                "status": code.status,
                "merged_into": code.merged_into if code.status == "merged" else None,
                "changed_in": code.changed_in,
                "reason": code.reason,
                "line": entry.line,
            }
        )
    if not records and not found:
        found.add(name, "codes", "the codebook has no codes", "add at least one theme")

    parents = {r["code_id"]: r["parent_id"] for r in records}
    for rec in records:
        where = f"line {rec['line']}, code '{rec['code_id']}'"
        parent = rec["parent_id"]
        if parent is not None and parent not in known:
            found.add(
                name,
                where,
                f"the parent {parent!r} is not a code in the codebook",
                "fix the parent's id, add the parent, or remove 'parent:' to make it a theme",
            )
            continue
        chain = [rec["code_id"]]
        while parent is not None and parent in parents and parent not in chain:
            chain.append(parent)
            parent = parents[parent]
        if parent is not None and parent in chain:
            found.add(
                name,
                where,
                f"the parents form a cycle: {' -> '.join([*chain, parent])}",
                "break the cycle: every chain of parents must end at a theme (no parent)",
            )
            continue
        rec["theme_id"] = chain[-1]
        rec["depth"] = len(chain) - 1
    _check_merges(records, name, found)
    found.raise_if_any(name)
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    # Where each code is, so that checks against other files can name its line.
    frame.attrs["lines"] = {r["code_id"]: r["line"] for r in records}
    return frame.astype({"depth": "int64"})
