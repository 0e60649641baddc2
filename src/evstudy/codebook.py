"""The codebook (``codebook.yml``): loading it into a table and validating its structure.

Codes form a forest: a code without a parent is a theme, and every code belongs to the
theme at the top of its chain of parents. Problems name the code id and the YAML line of
its entry so that a researcher can find it in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from evstudy.errors import InputError, Problems
from evstudy.io.textfiles import load_yaml

__all__ = ["CODE_KEYS", "COMB", "ORIGINS", "VALENCES", "read_codebook"]

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
RQS = range(1, 6)
CODE_KEYS = (
    "id",
    "label",
    "parent",
    "definition",
    "include",
    "exclude",
    "example",
    "comb",
    "valence",
    "rq",
    "origin",
)
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
    "origin",
    "version",
)


def _entry_lines(tree: yaml.Node | None) -> list[int]:
    """The 1-based line of each entry of the top-level ``codes`` list."""
    if not isinstance(tree, yaml.MappingNode):
        return []
    for key, value in tree.value:
        if key.value == "codes" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


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
        exclude, example, comb, valence, rq`` (tuple of ints), ``origin`` and ``version``
        (the codebook's, on every row).

    Raises
    ------
    InputError
        When the file is missing, not YAML, or has no ``codes`` list.
    ValidationError
        Listing every problem: unknown keys, missing ids or labels, repeated ids, parents
        that do not exist, cycles, and comb, valence, rq or origin values outside their sets.
    """
    path = Path(path)
    name = label or str(path)
    data, tree = load_yaml(path, name)
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise InputError(
            name, "", "the file has no 'codes:' list", "see the README's codebook example"
        )
    version = _text(data.get("version"))
    lines = _entry_lines(tree)
    found = Problems()
    if version is None:
        found.add(name, "version", "the codebook has no version", 'add e.g. version: "1.0"')

    records: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    for i, entry in enumerate(data["codes"]):
        line = lines[i] if i < len(lines) else 0
        where = f"line {line}, code entry {i + 1}"
        if not isinstance(entry, dict):
            found.add(name, where, "the entry is not a mapping", "write 'id:', 'label:' and so on")
            continue
        code_id = _text(entry.get("id"))
        if code_id is None:
            found.add(name, where, "the code has no id", "give it an id such as approach.cycle")
            continue
        where = f"line {line}, code '{code_id}'"

        def add(problem: str, fix: str, where: str = where) -> None:
            found.add(name, where, problem, fix)

        if any(ch.isspace() for ch in code_id):
            add("the id contains spaces", "use letters, digits, dots and underscores")
        if code_id in first_line:
            add(
                f"the id repeats the code on line {first_line[code_id]}",
                "give each code its own id",
            )
        else:
            first_line[code_id] = line
        unknown = sorted(str(k) for k in entry if k not in CODE_KEYS)
        if unknown:
            add(f"unknown key(s): {', '.join(unknown)}", f"use only {', '.join(CODE_KEYS)}")
        if _text(entry.get("label")) is None:
            add("the code has no label", "give it a short label")
        comb = _text(entry.get("comb"))
        if comb is not None and comb not in COMB:
            add(f"comb {comb!r} is not a COM-B component", f"use null or one of {', '.join(COMB)}")
        valence = _text(entry.get("valence"))
        if valence is not None and valence not in VALENCES:
            add(f"valence {valence!r} is not barrier or enabler", "use barrier, enabler or null")
        origin = _text(entry.get("origin"))
        if origin is not None and origin not in ORIGINS:
            add(f"origin {origin!r} is not deductive or inductive", "use deductive or inductive")
        rq_raw = entry.get("rq")
        rq_list = [] if rq_raw is None else rq_raw if isinstance(rq_raw, list) else [rq_raw]
        bad = [q for q in rq_list if isinstance(q, bool) or not isinstance(q, int) or q not in RQS]
        if bad:
            add(f"rq {bad!r} are not research questions 1-5", "write e.g. rq: [1, 3]")
        records.append(
            {
                "code_id": code_id,
                "label": _text(entry.get("label")),
                "parent_id": _text(entry.get("parent")),
                "definition": _text(entry.get("definition")),
                "include": _text(entry.get("include")),
                "exclude": _text(entry.get("exclude")),
                "example": _text(entry.get("example")),
                "comb": comb if comb in COMB else None,
                "valence": valence if valence in VALENCES else None,
                "rq": tuple(sorted({q for q in rq_list if q not in bad})),
                "origin": origin if origin in ORIGINS else None,
                "version": version,
                "line": line,
            }
        )
    if not records and not found:
        found.add(name, "codes", "the codebook has no codes", "add at least one theme")

    parents = {r["code_id"]: r["parent_id"] for r in records}
    for rec in records:
        where = f"line {rec['line']}, code '{rec['code_id']}'"
        parent = rec["parent_id"]
        if parent is not None and parent not in parents:
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
    found.raise_if_any(name)
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    return frame.astype({"depth": "int64"})
