"""What every tabular reader shares: reading a sheet and parsing its cells.

:func:`read_sheet` reads a CSV file or the first worksheet of a workbook into rows that
remember their line or row number, :func:`find_columns` matches a header row leniently,
and the ``parse_*`` functions turn cells into dates, numbers and study methods, raising
``ValueError`` with a plain message that the readers turn into problems.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from evstudy.errors import InputError, Problems
from evstudy.io.textfiles import read_utf8

__all__ = [
    "METHODS",
    "TRUE_VALUES",
    "Sheet",
    "cell_text",
    "find_columns",
    "is_blank",
    "norm_header",
    "parse_bool",
    "parse_date",
    "parse_float",
    "parse_int",
    "parse_method",
    "read_sheet",
    "records_frame",
]

METHODS = ("interview", "focus_group", "expert_interview")
TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
SAVE_AS = "save it as .xlsx, or as 'CSV UTF-8 (comma delimited)' from Excel"
WORKBOOK_TOO_BIG = "do not open it; if it is genuine, export the table as CSV UTF-8 instead"


# --- reading a sheet -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """The cells of one CSV file or first worksheet.

    ``rows`` are padded to one width; ``numbers`` holds each record's 1-based line (CSV)
    or row (workbook) number, which ``kind`` names.
    """

    file: str
    kind: str
    rows: tuple[tuple[Any, ...], ...]
    numbers: tuple[int, ...]

    def where(self, number: int, column: str | None = None) -> str:
        """A place in the sheet for a message, e.g. ``"row 4, column 'Email'"``."""
        place = f"{self.kind} {number}"
        return f"{place}, column '{column}'" if column else place

    def records(self, first: int = 1) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(number, cells) of each non-blank record from index ``first`` on."""
        for number, cells in zip(self.numbers[first:], self.rows[first:], strict=True):
            if not all(is_blank(c) for c in cells):
                yield number, cells


def read_sheet(path: str | Path, label: str | None = None) -> Sheet:
    """Read a ``.csv`` (UTF-8, byte-order mark allowed) or the first sheet of an ``.xlsx``.

    Parameters
    ----------
    path : str or Path
        The file.
    label : str, optional
        How messages name the file; defaults to ``path`` as given.

    Returns
    -------
    Sheet
        Every record, blank ones included, so that numbers match the file.

    Raises
    ------
    InputError
        When the file is missing, of another type, not UTF-8, damaged or empty.
    """
    path = Path(path)
    name = label or str(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(
            name, "", f"a '{suffix or 'no extension'}' file cannot be read as a table", SAVE_AS
        )
    if not path.is_file():
        raise InputError(name, "", "the file does not exist", "check the path and the file name")
    if path.stat().st_size == 0:  # before openpyxl, which would call it "not a workbook"
        raise InputError(
            name,
            "",
            "the file is empty (0 bytes): it was not saved or copied in full",
            "save the table again with its header row, or copy it again",
        )
    if suffix == ".csv":
        rows, numbers, kind = *_csv_rows(path, name), "line"
    else:
        rows, numbers, kind = *_xlsx_rows(path, name), "row"
    if all(is_blank(c) for r in rows for c in r):
        raise InputError(name, "", "the file is empty", "save the table again with its header row")
    width = max(len(r) for r in rows)
    padded = tuple(tuple(r) + (None,) * (width - len(r)) for r in rows)
    return Sheet(name, kind, padded, tuple(numbers))


def _csv_rows(path: Path, name: str) -> tuple[list[tuple[Any, ...]], list[int]]:
    text = read_utf8(
        path,
        name,
        fix="re-save it as 'CSV UTF-8 (comma delimited)' in Excel, or as UTF-8 in an editor",
    )
    if "\x00" in text:
        raise InputError(name, "", "the file holds NUL bytes, so it is not a CSV file", SAVE_AS)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[Any, ...]] = []
    numbers: list[int] = []
    try:
        while True:
            start = reader.line_num + 1  # a quoted field may span lines: keep where it began
            try:
                record = next(reader)
            except StopIteration:
                break
            rows.append(tuple(record))
            numbers.append(start)
    except csv.Error as exc:
        raise InputError(
            name, f"line {reader.line_num}", f"the CSV cannot be parsed ({exc})", SAVE_AS
        ) from None
    if not rows:
        raise InputError(name, "", "the file is empty", "save the table again with its header row")
    return rows, numbers


def _xlsx_rows(path: Path, name: str) -> tuple[list[tuple[Any, ...]], list[int]]:
    import openpyxl  # imported here: only workbook readers pay for it

    from evstudy.io.archive import check_archive

    # openpyxl opens the zip itself, so every part is first unpacked once, counted and
    # thrown away: a workbook that expands too far is refused before openpyxl reads it.
    check_archive(name, path, fix=WORKBOOK_TOO_BIG)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises a dozen types for a damaged or non-Excel file
        raise InputError(
            name,
            "",
            "it is not a readable Excel workbook (damaged, truncated or another format)",
            "open it in Excel and save it again as .xlsx, or export it as CSV UTF-8",
        ) from None
    try:
        if not book.worksheets:
            raise InputError(name, "", "the workbook has no sheets", "put the table on sheet 1")
        rows = [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    except InputError:
        raise
    except Exception:  # a damaged sheet surfaces only while its rows are read
        raise InputError(
            name, "", "the first sheet is damaged or truncated", "save the workbook again"
        ) from None
    finally:
        book.close()
    if not rows:
        raise InputError(name, "", "the first sheet is empty", "put the table on sheet 1")
    return rows, list(range(1, len(rows) + 1))


# --- headers ---------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> ``A``, 27 -> ``AB``."""
    letters, n = "", index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def norm_header(value: Any) -> str:
    """A header for matching: case-folded, without ``(s)``, underscores or extra spaces."""
    text = cell_text(value) or ""
    text = text.casefold().replace("(s)", "").replace("_", " ")
    return " ".join(text.split())


def find_columns(
    sheet: Sheet,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str],
    problems: Problems,
) -> dict[str, int]:
    """Match the header (the sheet's first record) to ``columns``.

    Parameters
    ----------
    sheet : Sheet
        The sheet; its first record is the header.
    columns : mapping
        Key to accepted spellings; the first spelling is the one messages show.
    required : sequence of str
        Keys whose absence is a problem. Other keys are optional; unknown headers are ignored.
    problems : Problems
        Collects a problem for each missing or repeated column.

    Returns
    -------
    dict
        Key to 0-based column index, for the columns found.
    """
    header = sheet.rows[0]
    found: dict[str, int] = {}
    for key, names in columns.items():
        wanted = {norm_header(n) for n in names}
        hits = [i for i, cell in enumerate(header) if norm_header(cell) in wanted]
        if len(hits) > 1:
            problems.add(
                sheet.file,
                sheet.where(sheet.numbers[0]),
                f"the '{names[0]}' column appears {len(hits)} times",
                "keep one of them",
            )
        if hits:
            found[key] = hits[0]
    present = [cell_text(c) for c in header if not is_blank(c)]
    for key in required:
        if key not in found:
            problems.add(
                sheet.file,
                sheet.where(sheet.numbers[0]),
                f"there is no '{columns[key][0]}' column (found: "
                f"{', '.join(repr(p) for p in present) or 'none'})",
                f"add a '{columns[key][0]}' column to the header row, spelled as the README shows",
            )
    return found


# --- cells -----------------------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    """True for an empty cell: None, NaN, pandas' NA or NaT, or a string of spaces."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def cell_text(value: Any) -> str | None:
    """A cell as stripped text, or None when blank; whole floats lose their ``.0``."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: Any) -> dt.date | None:
    """An Excel date, ISO ``YYYY-MM-DD`` or UK ``dd/mm/yyyy`` cell as a date; None if blank.

    Raises
    ------
    ValueError
        For anything else, with a message saying what was found.
    """
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # an Excel serial number in a cell without a date format
        if 1 <= value < 2958466 and float(value).is_integer():
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(f"{value!r} is not a date")
    text = str(value).strip()
    try:
        if m := _ISO.fullmatch(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _UK.fullmatch(text):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None
    raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD or dd/mm/yyyy")


def parse_int(value: Any) -> int:
    """A whole number from an int, a whole float or text such as ``"3"``; ValueError if not."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value) or ""
    if re.fullmatch(r"[+-]?\d+(\.0*)?", text):
        return int(float(text)) if "." in text else int(text)
    raise ValueError(f"{text or value!r} is not a whole number")


def parse_float(value: Any) -> float:
    """A number from a numeric cell or text (thousands commas allowed); ValueError if not."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{value!r} is not a number")
        return float(value)
    text = (cell_text(value) or "").replace(",", "")
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
        return float(text)
    raise ValueError(f"{cell_text(value)!r} is not a number")


TRUE_VALUES = frozenset({"yes", "y", "true", "1"})  # what parse_bool reads as yes (casefolded)
_FALSE = {"no", "n", "false", "0"}


def parse_bool(value: Any) -> bool:
    """``yes``/``no`` (also y/n, true/false, 1/0) as a bool; ValueError otherwise."""
    text = (cell_text(value) or "").casefold()
    if text in TRUE_VALUES:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{cell_text(value)!r} is not yes or no")


def parse_method(value: Any) -> str:
    """``Interview``, ``Focus group`` or ``Expert interview`` (any case, ``-``/``_`` for space)
    as ``interview``, ``focus_group`` or ``expert_interview``; ValueError otherwise."""
    text = " ".join((cell_text(value) or "").casefold().replace("-", " ").split()).replace(" ", "_")
    if text in METHODS:
        return text
    raise ValueError(f"{cell_text(value)!r} is not Interview, Focus group or Expert interview")


def records_frame(records: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=list(columns))
    return frame.astype({"row": "int64"})
