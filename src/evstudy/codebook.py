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

from evstudy.codebook_changes import code_changes, merge_codes, stale_codings
from evstudy.errors import InputError, Problems
from evstudy.files import write_workbook
from evstudy.io.textfiles import load_yaml

__all__ = [
    "CODE_KEYS",
    "COMB",
    "ORIGINS",
    "STATUSES",
    "VALENCES",
    "code_changes",
    "codebook_table",
    "descendants",
    "merge_codes",
    "read_codebook",
    "stale_codings",
    "write_codebook_excel",
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
    "status",
    "merged_into",
    "changed_in",
    "reason",
)
STATUSES = ("active", "retired", "merged")
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
    "status",
    "merged_into",
    "changed_in",
    "reason",
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
        ``origin``, ``version`` (the codebook's, on every row), and the code's version
        history: ``status`` (``active``, ``retired`` or ``merged``), ``merged_into``,
        ``changed_in`` and ``reason``.

    Raises
    ------
    InputError
        When the file is missing, not YAML, or has no ``codes`` list.
    ValidationError
        Listing every problem: unknown keys, missing ids or labels, repeated ids, parents
        that do not exist, cycles, comb, valence, rq, origin or status values outside their
        sets, and merges into codes that are missing, retired, merged or the code itself.
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
        status = _text(entry.get("status")) or "active"
        if status not in STATUSES:
            add(f"status {status!r} is not one of {', '.join(STATUSES)}", "use retired or merged")
        merged_into = _text(entry.get("merged_into"))
        if status == "merged" and merged_into is None:
            add("a merged code has no merged_into", "name the code it was merged into")
        elif merged_into is not None and status != "merged":
            add(f"merged_into is set but the status is {status!r}", "add status: merged")
        rq_raw = entry.get("rq")
        rq_list = [] if rq_raw is None else rq_raw if isinstance(rq_raw, list) else [rq_raw]
        bad = [
            q
            for q in rq_list
            if isinstance(q, bool) or not isinstance(q, int | str) or not str(q).strip()
        ]
        if bad:
            add(
                f"rq {bad!r} are not research-question ids",
                "write the ids study.yml declares, e.g. rq: [1, 3]",
            )
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
                "rq": tuple(sorted({str(q).strip() for q in rq_list if q not in bad}, key=_rq_key)),
                "origin": origin if origin in ORIGINS else None,
                "version": version,
                "status": status if status in STATUSES else "active",
                "merged_into": merged_into if status == "merged" else None,
                "changed_in": _text(entry.get("changed_in")),
                "reason": _text(entry.get("reason")),
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
    _check_merges(records, name, found)
    found.raise_if_any(name)
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    # Where each code is, so that checks against other files can name its line.
    frame.attrs["lines"] = {r["code_id"]: r["line"] for r in records}
    return frame.astype({"depth": "int64"})


def descendants(codebook: pd.DataFrame) -> dict[str, set[str]]:
    """Each code id mapped to itself and every code below it."""
    parents = dict(zip(codebook["code_id"], codebook["parent_id"], strict=True))
    out: dict[str, set[str]] = {code: {code} for code in parents}
    for code in parents:
        parent, seen = parents[code], {code}
        while isinstance(parent, str) and parent in out and parent not in seen:
            out[parent].add(code)
            seen.add(parent)
            parent = parents[parent]
    return out


# The appendix's columns, with the headers the Excel sheet shows and its column widths.
TABLE_HEADERS = {
    "theme": ("Theme", 24),
    "code_id": ("Code", 24),
    "label": ("Label", 28),
    "definition": ("Definition", 48),
    "include": ("Include", 40),
    "exclude": ("Exclude", 40),
    "comb": ("COM-B", 22),
    "valence": ("Barrier or enabler", 12),
    "rq": ("Research questions", 11),
    "origin": ("Origin", 11),
    "status": ("Status", 10),
    "n_codings": ("Codings", 9),
    "n_documents": ("Documents", 10),
}


def codebook_table(study: Any, *, coder: str | None = "primary") -> pd.DataFrame:
    """The codebook as the report's appendix shows it, with how much each code was used.

    Parameters
    ----------
    study : Study
        The study.
    coder : str or None, default "primary"
        Whose codings to count: one coder, ``"primary"`` (the coder who coded most
        documents, so double coding does not double the counts) or None for everyone.

    Returns
    -------
    pandas.DataFrame
        One row per code in codebook order: ``theme`` (the theme's label), ``code_id,
        label, definition, include, exclude, comb`` (e.g. "Physical opportunity"),
        ``valence, rq`` (e.g. "1, 3"), ``origin, status`` and ``n_codings, n_documents``
        (codings of the code or any code below it, and the documents they are in).
    """
    from evstudy.coding import _coder_filter

    book = study.codebook
    codings = _coder_filter(study, study.codings, coder)
    below = descendants(book)
    theme_labels = book.set_index("code_id")["label"]
    rows = []
    for code in book["code_id"]:
        used = codings[codings["code_id"].isin(below[code])]
        rows.append((code, len(used), used["doc_id"].nunique()))
    counts = pd.DataFrame(rows, columns=["code_id", "n_codings", "n_documents"])
    status = book["status"] if "status" in book else pd.Series("active", index=book.index)
    table = pd.DataFrame(
        {
            "theme": book["theme_id"].map(theme_labels),
            "code_id": book["code_id"],
            "label": book["label"],
            "definition": book["definition"],
            "include": book["include"],
            "exclude": book["exclude"],
            "comb": book["comb"].map(
                lambda c: c.replace("_", " ").capitalize(), na_action="ignore"
            ),
            "valence": book["valence"],
            "rq": book["rq"].map(lambda qs: ", ".join(str(q) for q in qs)),
            "origin": book["origin"],
            "status": status.fillna("active"),
        }
    )
    return table.merge(counts, on="code_id", how="left")


def write_codebook_excel(study: Any, path: str | Path) -> Path:
    """Write the codebook appendix as one formatted, byte-stable Excel sheet.

    Parameters
    ----------
    study : Study
        The study.
    path : str or Path
        The ``.xlsx`` file to write (atomically; the same study gives the same bytes).

    Returns
    -------
    Path
        ``path``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    table = codebook_table(study)
    wb = Workbook()
    ws = wb.active
    ws.title = "Codebook"
    ws.append([TABLE_HEADERS[c][0] for c in table.columns])
    for record in table.itertuples(index=False):
        ws.append([None if pd.isna(v) else v for v in record])
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = wrap
    fill = PatternFill("solid", start_color="DDE5F0")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
    for i, column in enumerate(table.columns):
        ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = TABLE_HEADERS[column][1]
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions

    return write_workbook(wb, path, title="Codebook")
