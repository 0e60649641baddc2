"""The codebook (``codebook.yml``): its tree, the appendix table and its Excel sheet.

The file is read and validated by :func:`evstudy.io.codebook.read_codebook` (importable
from here too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from evstudy.codebook_changes import code_changes, merge_codes, stale_codings
from evstudy.files import write_workbook
from evstudy.io.codebook import CODE_KEYS, COMB, ORIGINS, STATUSES, VALENCES, read_codebook

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
