"""``evstudy init``: the skeleton of a new study's raw folder, with commented templates.

The templates are package data (``evstudy/templates/study``); the two workbooks are made
with their header rows from the readers' own column names, so the skeleton always reads
as ingest expects. With a SmartSurvey export, a draft question map is written beside a copy
of it (:mod:`evstudy.io.question_map_draft`). The same call always writes the same bytes,
and nothing is written into a folder that already holds anything.
"""

from __future__ import annotations

import os
import shutil
import string
import tempfile
from importlib import resources
from pathlib import Path

from evstudy.errors import InputError

__all__ = ["SURVEY_NAME", "TEMPLATE_FILES", "init_study"]

# Copied from evstudy/templates/study (study.yml with its `files:` block filled in).
TEMPLATE_FILES = ("study.yml", "sites.csv", "fieldwork_log.csv", "other_names.txt", "codebook.yml")
FOLDERS = ("transcripts", "coding", "survey")
# The export is copied under the name study.yml's default `files: survey:` expects.
SURVEY_NAME = "smartsurvey_export"
SURVEY_SUFFIXES = (".csv", ".xlsx")

_FILES_DEFAULT = """\
# Where the raw files are, when not at the default paths (the README lists every key):
# files:
#   survey: survey/smartsurvey_export.xlsx
"""
_FILES_XLSX = """\
# Where the raw files are, when not at the default paths (the README lists every key):
files:
  survey: survey/smartsurvey_export.xlsx
"""


def _template(name: str) -> str:
    return resources.files("evstudy").joinpath(f"templates/study/{name}").read_text("utf-8")


def _header_workbook(path: Path, sheet: str, header: list[str], *, title: str) -> Path:
    """A workbook holding one sheet with a bold, frozen header row (the same bytes each time)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from evstudy.files import write_workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = max(12, len(str(cell.value)) + 4)
    ws.freeze_panes = "A2"
    return write_workbook(book, path, title=title)


_WRITABLE = "choose a folder you can write to, on a disk with space"


def _refuse_unless_empty(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InputError(
            folder, "", "this is a file, not a folder", "give the path of a new or empty folder"
        )
    if folder.is_dir():
        entries = sorted(p.name for p in folder.iterdir())
        if entries:
            shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
            raise InputError(
                folder,
                "",
                f"the folder is not empty: it holds {len(entries)} entr"
                f"{'y' if len(entries) == 1 else 'ies'} ({shown}), and evstudy init never "
                "overwrites anything",
                "give a new or empty folder",
            )


def init_study(folder: str | Path, *, survey: str | Path | None = None) -> list[str]:
    """Write the skeleton of a raw study folder into a new or empty ``folder``.

    Parameters
    ----------
    folder : str or Path
        Where the study goes; created when missing. It must be empty.
    survey : str or Path, optional
        A SmartSurvey export (``.csv`` or ``.xlsx``): it is copied to
        ``survey/smartsurvey_export.<suffix>`` and a draft ``survey/question_map.yml``
        is written from its header rows and answers.

    Returns
    -------
    list of str
        The files and folders written, relative to ``folder``, in order.

    Raises
    ------
    InputError
        When ``folder`` is a file or not empty, or the export cannot be read; nothing is
        written then.
    """
    folder = Path(folder)
    _refuse_unless_empty(folder)
    export = Path(survey) if survey is not None else None
    draft = None
    if export is not None:
        from evstudy.io.question_map_draft import draft_question_map

        if export.suffix.lower() not in SURVEY_SUFFIXES:
            raise InputError(
                export,
                "",
                f"a SmartSurvey export is a .csv or .xlsx file, not {export.suffix or 'this'}",
                "download the responses from SmartSurvey as CSV or Excel",
            )
        draft = draft_question_map(export)  # before anything is written: it may fail
    # Built beside the target and moved into place in one step, so a failure (a full disk,
    # a read-only share) leaves no half-made study behind.
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.init-", dir=folder.parent))
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # as mkdir would make it, not mkdtemp's private 0700
    except OSError as exc:
        raise InputError(
            folder, "", f"cannot create the folder here ({exc.strerror})", _WRITABLE
        ) from None
    try:
        written = _write_skeleton(staging, export, draft)
        os.replace(staging, folder)  # an empty target folder is replaced too
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(
            folder,
            "",
            f"the study could not be written ({exc.strerror}); nothing was left",
            _WRITABLE,
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def _write_skeleton(folder: Path, export: Path | None, draft: str | None) -> list[str]:
    """Every template, workbook and folder of a new study, written into ``folder``."""
    from evstudy.files import atomic_write_bytes, atomic_write_text
    from evstudy.io.coding_sheet import CODING_COLUMNS
    from evstudy.io.register import REGISTER_COLUMNS

    written: list[str] = []
    files_block = _FILES_XLSX if export and export.suffix.lower() == ".xlsx" else _FILES_DEFAULT
    study = string.Template(_template("study.yml")).substitute(files=files_block)
    atomic_write_text(folder / "study.yml", study)
    written.append("study.yml")
    for name in TEMPLATE_FILES[1:]:
        atomic_write_text(folder / name, _template(name))
        written.append(name)
    _header_workbook(
        folder / "register.xlsx",
        "Register",
        [names[0] for names in REGISTER_COLUMNS.values()],
        title="Participant register",
    )
    written.append("register.xlsx")
    _header_workbook(
        folder / "coding" / "coding_sheet.xlsx",
        "Codings",
        [names[0] for names in CODING_COLUMNS.values()],
        title="Coding sheet",
    )
    written.append("coding/coding_sheet.xlsx")
    for name in FOLDERS:
        (folder / name).mkdir(exist_ok=True)
    written += ["transcripts/"]
    if export is not None and draft is not None:
        copy = f"survey/{SURVEY_NAME}{export.suffix.lower()}"
        atomic_write_bytes(folder / copy, export.read_bytes())
        atomic_write_text(folder / "survey" / "question_map.yml", draft)
        written += [copy, "survey/question_map.yml"]
    else:
        written.append("survey/")
    return written
