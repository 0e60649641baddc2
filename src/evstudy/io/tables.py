"""Readers for the small tables of a raw folder: sites, fieldwork log, other names, admin data."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd

from evstudy.errors import Problems
from evstudy.io.sheets import (
    cell_text,
    find_columns,
    is_blank,
    parse_bool,
    parse_date,
    parse_float,
    parse_int,
    parse_method,
    read_sheet,
    records_frame,
)
from evstudy.io.textfiles import read_utf8

__all__ = [
    "files_by_name",
    "logged_file",
    "read_admin",
    "read_fieldwork_log",
    "read_other_names",
    "read_sites",
]


# --- sites -----------------------------------------------------------------------------------

SITE_COLUMNS: dict[str, tuple[str, ...]] = {
    "site_id": ("site_id",),
    "site_name": ("site_name",),
    "la_type": ("la_type", "LA type"),
    "tier": ("tier",),
    "region": ("region",),
    "rurality": ("rurality",),
    "imd_decile": ("imd_decile", "IMD decile"),
    "ethnic_minority_band": ("ethnic_minority_band",),
}


def read_sites(path: str | Path, *, label: str | None = None) -> pd.DataFrame:
    """Read ``sites.csv`` (or ``.xlsx``): one row per local authority.

    Parameters
    ----------
    path : str or Path
        The site table.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    pandas.DataFrame
        ``site_id, site_name, la_type, tier, region, rurality, imd_decile`` (Int64, 1-10),
        ``ethnic_minority_band`` (blank where the table has no such column), then any other
        column of the table as an attribute of its own, named in snake_case: a column whose
        every filled cell is yes or no as bool, others as text; and ``row``.

    Raises
    ------
    InputError
        When the file cannot be read at all.
    ValidationError
        Listing every problem: missing site_id or site_name columns, blank or repeated ids
        and names, deciles outside 1-10, repeated attribute columns.
    """
    sheet = read_sheet(path, label)
    found = Problems()
    cols = find_columns(sheet, SITE_COLUMNS, ["site_id", "site_name"], found)
    extra = _extra_site_columns(sheet, cols, found)
    found.raise_if_any(sheet.file)
    records: list[dict[str, Any]] = []
    seen: dict[str, dict[str, int]] = {"site_id": {}, "site_name": {}}
    for number, cells in sheet.records():
        rec: dict[str, Any] = {
            k: cell_text(cells[cols[k]]) if k in cols else None for k in SITE_COLUMNS
        }
        rec |= {k: cell_text(cells[i]) for k, i in extra.items()}
        for key in ("site_id", "site_name"):
            shown = SITE_COLUMNS[key][0]
            if rec[key] is None:
                found.add(sheet.file, sheet.where(number, shown), f"{shown} is blank", "fill it in")
                continue
            folded = rec[key].casefold()
            if folded in seen[key]:
                found.add(
                    sheet.file,
                    sheet.where(number, shown),
                    f"{shown} {rec[key]!r} repeats {sheet.kind} {seen[key][folded]}",
                    f"give every site its own {shown}",
                )
            else:
                seen[key][folded] = number
        try:
            decile = None if rec["imd_decile"] is None else parse_int(cells[cols["imd_decile"]])
            if decile is not None and not 1 <= decile <= 10:
                raise ValueError(f"{decile} is outside 1 to 10")
            rec["imd_decile"] = decile
        except ValueError as exc:
            found.add(
                sheet.file,
                sheet.where(number, "imd_decile"),
                f"the IMD decile {exc}",
                "use a whole number from 1 (most deprived) to 10",
            )
        rec["row"] = number
        records.append(rec)
    # a site's name may not be another site's id, or `Site` cells elsewhere become ambiguous
    for rec in records:
        name = (rec["site_name"] or "").casefold()
        other = seen["site_id"].get(name)
        if other is not None and other != rec["row"]:
            found.add(
                sheet.file,
                sheet.where(rec["row"], "site_name"),
                f"site_name {rec['site_name']!r} is also the site_id on {sheet.kind} {other}",
                "rename the site so that ids and names differ",
            )
    if not records:
        found.add(sheet.file, "", "the table has a header but no sites", "add one row per site")
    found.raise_if_any(sheet.file)
    frame = records_frame(records, [*SITE_COLUMNS, *extra, "row"])
    for key in extra:  # a yes/no attribute is a flag
        filled = frame[key].dropna()
        try:
            flags = [parse_bool(v) for v in filled]
        except ValueError:
            continue
        if len(filled) == len(frame):
            frame[key] = pd.Series(flags, index=filled.index, dtype="bool")
    return frame.astype({"imd_decile": "Int64"})


def _extra_site_columns(sheet: Any, known: dict[str, int], found: Problems) -> dict[str, int]:
    """The site table's own attribute columns beyond the named ones: snake_case -> index."""
    extra: dict[str, int] = {}
    for i, cell in enumerate(sheet.rows[0]):
        header = cell_text(cell)
        if header is None or i in known.values():
            continue
        key = "_".join(re.sub(r"[^0-9a-z]+", " ", header.casefold()).split())
        if not key or key in SITE_COLUMNS or key in extra:
            found.add(
                sheet.file,
                sheet.where(sheet.numbers[0]),
                f"the column {header!r} repeats another column's name",
                "give every column its own name",
            )
            continue
        extra[key] = i
    return extra


# --- fieldwork log ---------------------------------------------------------------------------

LOG_COLUMNS: dict[str, tuple[str, ...]] = {
    "doc_id": ("Document ID", "doc_id", "document"),
    "file": ("File",),
    "method": ("Method",),
    "site": ("Site",),
    "date": ("Date",),
    "participants": ("Participants",),
    "interviewer": ("Interviewer", "Interviewers"),
    "facilitator": ("Facilitator", "Facilitators"),
}
LOG_REQUIRED = ("doc_id", "file", "method", "site", "date")


def _names(value: str | None) -> tuple[str, ...] | None:
    """``Name; Name`` as a tuple of names (spaces collapsed, repeats dropped); blank: None."""
    if value is None:
        return None
    names = (" ".join(part.split()) for part in value.split(";"))
    return tuple(dict.fromkeys(n for n in names if n)) or None


def files_by_name(folder: str | Path) -> dict[str, Path]:
    """The files under ``folder``, keyed by their relative path composed (NFC).

    macOS writes file names decomposed (an "é" as "e" and a combining accent), and a
    fieldwork log typed on another system holds them composed; both spell one name, so a
    log's File is looked up here rather than joined to the folder.

    Parameters
    ----------
    folder : str or Path
        The transcripts folder; an empty dict when it is not a folder.

    Returns
    -------
    dict
        Relative posix path (NFC) to the file's path as it is on disk, in sorted order.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {
        unicodedata.normalize("NFC", path.relative_to(folder).as_posix()): path
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def logged_file(folder: str | Path, name: str, found: dict[str, Path] | None = None) -> Path:
    """The file a fieldwork log's File names under ``folder``, whichever Unicode form
    either is written in; ``folder / name`` when no file has that name.

    Parameters
    ----------
    folder : str or Path
        The transcripts folder.
    name : str
        The log's File (relative to ``folder``).
    found : dict, optional
        :func:`files_by_name` of ``folder``, when already listed.
    """
    found = files_by_name(folder) if found is None else found
    return found.get(unicodedata.normalize("NFC", name), Path(folder) / name)


def read_fieldwork_log(path: str | Path, *, label: str | None = None) -> pd.DataFrame:
    """Read ``fieldwork_log.csv`` (or ``.xlsx``): one row per transcript.

    Parameters
    ----------
    path : str or Path
        The fieldwork log.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, file`` (``/``-separated), ``method`` (``interview``, ``focus_group`` or
        ``expert_interview``), ``site`` (as written, or None), ``date``, ``participants``
        (the optional ``Participants`` column: register names separated by ``;``, as a
        tuple, or None where blank), ``ran_by`` (the optional ``Interviewer`` and
        ``Facilitator`` columns together: the team members who ran the document, a
        tuple, empty where blank) and ``row``.

    Raises
    ------
    InputError
        When the file cannot be read at all.
    ValidationError
        Listing every problem: missing columns, blank or repeated ids and files, unknown
        methods, missing sites for interviews and focus groups, missing or bad dates.
    """
    sheet = read_sheet(path, label)
    found = Problems()
    cols = find_columns(sheet, LOG_COLUMNS, LOG_REQUIRED, found)
    found.raise_if_any(sheet.file)
    records: list[dict[str, Any]] = []
    seen: dict[str, dict[str, int]] = {"doc_id": {}, "file": {}}
    for number, cells in sheet.records():
        rec: dict[str, Any] = dict.fromkeys(LOG_COLUMNS)
        rec |= {k: cell_text(cells[i]) for k, i in cols.items()}
        rec["participants"] = _names(rec["participants"])
        rec["ran_by"] = (_names(rec.pop("interviewer")) or ()) + (
            _names(rec.pop("facilitator")) or ()
        )
        if rec["file"] is not None:
            # Composed (NFC), as the transcript names on disk are compared: macOS writes
            # names decomposed, and a log typed elsewhere holds them composed.
            rec["file"] = unicodedata.normalize("NFC", rec["file"].replace("\\", "/"))
        for key, shown in (("doc_id", "Document ID"), ("file", "File")):
            if rec[key] is None:
                found.add(sheet.file, sheet.where(number, shown), f"{shown} is blank", "fill it in")
            elif rec[key].casefold() in seen[key]:
                found.add(
                    sheet.file,
                    sheet.where(number, shown),
                    f"{shown} {rec[key]!r} repeats {sheet.kind} {seen[key][rec[key].casefold()]}",
                    "give each transcript one row and its own id",
                )
            else:
                seen[key][rec[key].casefold()] = number
        if rec["doc_id"] and re.search(r"\s", rec["doc_id"]):
            found.add(
                sheet.file,
                sheet.where(number, "Document ID"),
                f"Document ID {rec['doc_id']!r} contains spaces",
                "use letters, digits and hyphens, e.g. INT-A-03",
            )
        try:
            rec["method"] = parse_method(cells[cols["method"]])
        except ValueError as exc:
            rec["method"] = None
            found.add(
                sheet.file,
                sheet.where(number, "Method"),
                str(exc),
                "write Interview, Focus group or Expert interview",
            )
        if rec["site"] is None and rec["method"] in ("interview", "focus_group"):
            found.add(
                sheet.file,
                sheet.where(number, "Site"),
                "Site is blank, but only expert interviews have no site",
                "fill in the site_id or site_name",
            )
        try:
            rec["date"] = parse_date(cells[cols["date"]])
            if rec["date"] is None:
                raise ValueError("the date is blank")
        except ValueError as exc:
            rec["date"] = None
            found.add(
                sheet.file,
                sheet.where(number, "Date"),
                str(exc),
                "write the interview or focus-group date as YYYY-MM-DD",
            )
        rec["row"] = number
        records.append(rec)
    found.raise_if_any(sheet.file)
    return records_frame(records, [*LOG_REQUIRED, "participants", "ran_by", "row"])


# --- other names -----------------------------------------------------------------------------


def read_other_names(path: str | Path, *, label: str | None = None) -> list[str]:
    """Read ``other_names.txt``: one name per line, ``#`` starting a comment.

    Parameters
    ----------
    path : str or Path
        The file (UTF-8, byte-order mark allowed).
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    list of str
        The names in file order, spaces collapsed, repeats (ignoring case) dropped.

    Raises
    ------
    InputError
        When the file is missing or not UTF-8 text.
    """
    path = Path(path)
    name = label or str(path)
    text = read_utf8(path, name)
    names: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines():
        entry = " ".join(line.split("#", 1)[0].split())
        if entry and entry.casefold() not in seen:
            seen.add(entry.casefold())
            names.append(entry)
    return names


# --- admin data ------------------------------------------------------------------------------

_MEASURE = re.compile(r"(?P<measure>.*?)\s*\((?P<unit>[^()]*)\)\s*")
_YES_NO_UNITS = {"yes/no", "y/n", "yes or no"}


def read_admin(path: str | Path, *, label: str | None = None) -> pd.DataFrame:
    """Read ``admin_data.xlsx`` (or ``.csv``): one row per site and year, a column per measure.

    Parameters
    ----------
    path : str or Path
        The admin workbook.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    pandas.DataFrame
        Long: ``site`` (as written), ``year`` (int), ``measure`` and ``unit`` (from headers
        such as ``Early help spend (£m)``), ``value`` (float; yes/no give 1.0/0.0) and ``row``.
        Blank cells give no row.

    Raises
    ------
    InputError
        When the file cannot be read at all.
    ValidationError
        Listing every problem: missing Site/Year, measures without a unit, repeated
        site-years, values that are not numbers (or yes/no).
    """
    sheet = read_sheet(path, label)
    found = Problems()
    cols = find_columns(sheet, {"site": ("Site",), "year": ("Year",)}, ["site", "year"], found)
    measures: dict[int, tuple[str, str]] = {}
    header_no = sheet.numbers[0]
    for i, cell in enumerate(sheet.rows[0]):
        if i in cols.values() or is_blank(cell):
            continue
        m = _MEASURE.fullmatch(cell_text(cell) or "")
        if m is None or not m["measure"] or not m["unit"].strip():
            found.add(
                sheet.file,
                sheet.where(header_no, cell_text(cell)),
                "the measure's header has no unit in brackets",
                "write the unit in brackets, e.g. 'Early help spend (£m)' or '... (yes/no)'",
            )
            continue
        measures[i] = (m["measure"], m["unit"].strip())
    found.raise_if_any(sheet.file)
    records: list[dict[str, Any]] = []
    seen: dict[tuple[str, int], int] = {}
    for number, cells in sheet.records():
        site = cell_text(cells[cols["site"]])
        if site is None:
            found.add(sheet.file, sheet.where(number, "Site"), "Site is blank", "fill it in")
        try:
            year: int | None = parse_int(cells[cols["year"]])
            if not 1900 <= year <= 2100:  # type: ignore[operator]
                raise ValueError(f"{year} is not a plausible year")
        except ValueError as exc:
            year = None
            found.add(sheet.file, sheet.where(number, "Year"), str(exc), "write a year like 2024")
        if site is not None and year is not None:
            key = (site.casefold(), year)
            if key in seen:
                found.add(
                    sheet.file,
                    sheet.where(number),
                    f"site {site!r} and year {year} repeat {sheet.kind} {seen[key]}",
                    "keep one row per site and year",
                )
            seen[key] = number
        for i, (measure, unit) in measures.items():
            if is_blank(cells[i]):
                continue
            try:
                if unit.casefold() in _YES_NO_UNITS:
                    value = 1.0 if parse_bool(cells[i]) else 0.0
                else:
                    value = parse_float(cells[i])
            except ValueError as exc:
                found.add(
                    sheet.file,
                    sheet.where(number, cell_text(sheet.rows[0][i])),
                    str(exc),
                    "write yes or no" if unit.casefold() in _YES_NO_UNITS else "write a number",
                )
                continue
            records.append(
                {"site": site, "year": year, "measure": measure, "unit": unit, "value": value}
                | {"row": number}
            )
    found.raise_if_any(sheet.file)
    frame = records_frame(records, ["site", "year", "measure", "unit", "value", "row"])
    return frame.astype({"year": "int64", "value": "float64"})
