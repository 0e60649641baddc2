"""``evstudy inspect FILE``: what a reader finds in one raw file, before ingest.

A researcher dropping in a new export runs this to see whether evstudy
understands it: the speakers and turns of a transcript, the questions and
respondents of a survey export, the shape of the register. Nothing is written.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import yaml

from evstudy.config import CONFIG_NAME, load_config
from evstudy.errors import InputError

__all__ = ["detect_kind", "format_inspection", "inspect_file"]

TRANSCRIPT_SUFFIXES = {".docx", ".vtt", ".txt"}


def _header_cells(path: Path) -> list[str]:
    """The first row of a .csv or .xlsx, lower-cased, for telling file kinds apart."""
    if path.suffix.lower() == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                first = next(csv.reader(fh), [])
        except UnicodeDecodeError:
            raise InputError(
                path, "line 1", "the file is not UTF-8 text", "re-save it as CSV UTF-8"
            ) from None
        return [c.strip().casefold() for c in first]
    import zipfile

    from openpyxl import load_workbook

    from evstudy.io.archive import check_archive
    from evstudy.io.sheets import WORKBOOK_TOO_BIG

    check_archive(path, path, fix=WORKBOOK_TOO_BIG)  # openpyxl opens the zip itself
    try:
        book = load_workbook(path, read_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(
            path, "", f"not a readable .xlsx workbook ({exc})", "re-save it from Excel as .xlsx"
        ) from None
    try:
        row = next(book.worksheets[0].iter_rows(max_row=1, values_only=True), ())
    finally:
        book.close()
    return [str(c).strip().casefold() for c in row if c is not None]


def detect_kind(path: str | Path) -> str:
    """Which raw format a file holds: transcript, survey, register, coding_sheet, ...

    Raises
    ------
    InputError
        When the file is of no kind evstudy reads.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(path, "", "the file does not exist", "check the path")
    if suffix in TRANSCRIPT_SUFFIXES:
        return "transcript"
    if suffix == ".qdpx":
        return "qdpx"
    if suffix in {".yml", ".yaml"}:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise InputError(path, "", f"not valid YAML ({exc})", "fix the syntax") from None
        if isinstance(data, dict):
            if "codes" in data:
                return "codebook"
            if "questions" in data:
                return "question_map"
            if "team" in data or "role_groups" in data:
                return "study_config"
        raise InputError(
            path,
            "",
            "a YAML file evstudy does not know",
            "expected study.yml, a codebook or a question map",
        )
    if suffix in {".csv", ".xlsx"}:
        header = set(_header_cells(path))
        if {"userno", "userid"} & header:
            return "survey"
        if {"email", "consent date"} <= header:
            return "register"
        if "code" in header and "document" in header:
            return "coding_sheet"
        if {"document id", "file"} <= header:
            return "fieldwork_log"
        if "site_id" in header:
            return "sites"
        if {"site", "year"} <= header:
            return "admin"
        raise InputError(
            path,
            "row 1",
            "the header matches none of the formats evstudy reads",
            "see the README's raw-folder section for each format's columns",
        )
    raise InputError(
        path,
        "",
        f"evstudy reads no {suffix or 'extension-less'} files",
        "transcripts are .docx/.vtt/.txt, tables .csv/.xlsx, configuration .yml, "
        "QDA projects .qdpx",
    )


def _find_raw(path: Path, raw: str | Path | None) -> Path | None:
    if raw is not None:
        return Path(raw)
    for folder in path.resolve().parents:
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def _known_speakers(raw: Path | None) -> list[str]:
    """Register and team names, used only to resolve speaker labels; never printed here."""
    if raw is None:
        return []
    from evstudy.io.register import read_register

    config = load_config(raw)
    names = [m.name for m in config.team]
    if config.path("register").is_file():
        names += list(read_register(config.path("register"))["name"])
    return names


def inspect_file(path: str | Path, *, raw: str | Path | None = None) -> dict:
    """Parse one raw file and return what was found, as plain data.

    Parameters
    ----------
    path : path
        A transcript, survey export, register, coding sheet, fieldwork log,
        site table, admin table, codebook or question map.
    raw : path, optional
        The raw folder that gives context: known speakers for transcripts, the
        question map for survey exports. Default: the nearest folder above
        ``path`` holding a ``study.yml``.
    """
    path = Path(path)
    kind = detect_kind(path)
    raw_dir = _find_raw(path, raw)
    found: dict = {"file": str(path), "kind": kind}
    if kind == "qdpx":
        from evstudy.qdpx import inspect_qdpx

        found.update(inspect_qdpx(path))
    elif kind == "transcript":
        from evstudy.io.transcripts import read_transcript, transcript_summary

        transcript = read_transcript(
            path, known_speakers=_known_speakers(raw_dir), **_log_context(raw_dir, path)
        )
        found.update(transcript_summary(transcript))
    elif kind == "survey":
        from evstudy.io.smartsurvey import read_question_map, read_smartsurvey, survey_summary

        if raw_dir is None:
            raise InputError(
                path,
                "",
                "a survey export can only be read with its question map",
                "pass --raw pointing at the study folder that holds survey/question_map.yml",
            )
        qmap = read_question_map(load_config(raw_dir).path("question_map"))
        found.update(survey_summary(read_smartsurvey(path, qmap)))
    elif kind == "register":
        from evstudy.io.register import read_register, register_summary

        found.update(register_summary(read_register(path)))
    elif kind == "coding_sheet":
        from evstudy.io.coding_sheet import read_coding_sheet

        sheet = read_coding_sheet(path)
        found.update(
            {
                "codings": len(sheet),
                "documents": int(sheet["document"].nunique()),
                "coders": dict(sorted(Counter(sheet["coder"]).items())),
                "codes": dict(sorted(Counter(sheet["code"]).items())),
                "turn_level": int(sheet["turn"].notna().sum()),
                "span_level": int(sheet["start"].notna().sum()),
            }
        )
    elif kind == "fieldwork_log":
        from evstudy.io.tables import read_fieldwork_log

        log = read_fieldwork_log(path)
        found.update(
            {
                "documents": len(log),
                "by_method": dict(sorted(Counter(log["method"]).items())),
                "by_site": dict(sorted(Counter(log["site"].fillna("(none)")).items())),
            }
        )
    elif kind == "sites":
        from evstudy.io.tables import read_sites

        sites = read_sites(path)
        found.update({"sites": len(sites), "rows": sites.drop(columns="row").to_dict("records")})
    elif kind == "admin":
        from evstudy.io.tables import read_admin

        admin = read_admin(path)
        found.update(
            {
                "values": len(admin),
                "sites": int(admin["site"].nunique()),
                "measures": sorted(admin["measure"].unique()),
            }
        )
    elif kind == "codebook":
        from evstudy.codebook import read_codebook

        book = read_codebook(path)
        found.update(
            {
                "codes": len(book),
                "themes": int((book["depth"] == 0).sum()),
                "max_depth": int(book["depth"].max()),
                "by_origin": dict(sorted(Counter(book["origin"].fillna("(not given)")).items())),
            }
        )
    elif kind == "question_map":
        from evstudy.io.smartsurvey import read_question_map

        qmap = read_question_map(path)
        found.update(
            {"questions": [{"id": q.id, "type": q.type, "text": q.text} for q in qmap.questions]}
        )
    else:  # study_config
        config = load_config(path.parent)
        found.update(
            {
                "title": config.title,
                "synthetic": config.synthetic,
                "team_roles": dict(sorted(Counter(m.role for m in config.team).items())),
                "role_groups": list(config.role_group_labels),
            }
        )
    return found


def _ranges(numbers: list[int]) -> str:
    """``1-3, 7, 9-10``: consecutive numbers as ranges."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _log_context(raw: Path | None, path: Path) -> dict:
    """The team, and the log's Participants and Interviewer for this file, where known."""
    if raw is None:
        return {}
    from evstudy.errors import EvstudyError
    from evstudy.io.tables import files_by_name, logged_file, read_fieldwork_log

    config = load_config(raw)
    context: dict = {"team": {m.name: m.role for m in config.team}}
    try:
        log = read_fieldwork_log(config.path("fieldwork_log"))
    except EvstudyError:
        return context  # inspect reads one file; the log's own problems are ingest's to report
    folder = config.path("transcripts").resolve()
    on_disk = files_by_name(folder)  # names compared composed (NFC), as ingest does
    for row in log.to_dict("records"):
        if logged_file(folder, row["file"], on_disk).resolve() == path.resolve():
            context["ran_by"] = row["ran_by"]
            context["participants"] = row["participants"]
    return context


def format_inspection(found: dict) -> str:
    """Plain-text rendering of :func:`inspect_file`'s result (long lists left to ``--json``)."""
    out = io.StringIO()
    out.write(f"{found['file']}: {found['kind'].replace('_', ' ')}\n")
    if found["kind"] == "transcript":
        out.write(f"  layout: {found.get('layout')}\n")
        out.write(f"  timestamps: {'yes' if found.get('has_timestamps') else 'no'}\n")
        out.write(f"  turns: {found.get('n_turns')}, words: {found.get('n_words')}\n")
        for key in ("headers", "legend"):
            if found.get(key):
                out.write(f"  {key}: {', '.join(found[key])}\n")
        out.write("  speakers:\n")
        for speaker in found.get("speakers", []):
            out.write(
                f"    {speaker['speaker']}: {speaker['turns']} turns, {speaker['words']} words\n"
            )
        if found.get("why"):
            out.write(f"  detected because: {found['why']}\n")
        unit = "paragraph" if str(found["file"]).lower().endswith(".docx") else "line"
        lines = found.get("lines", {})
        for kind in ("legend", "header", "heading", "turn"):
            if lines.get(kind):
                out.write(f"  {kind} {unit}s: {_ranges(lines[kind])}\n")
        for abbr, name in found.get("resolved", {}).items():
            out.write(f"  legend {abbr}: names only a role, taken to mean {name}\n")
        for warning in found.get("warnings", []):
            out.write(f"  warning: {warning}\n")
        for number in lines.get("skipped", []):
            out.write(
                f"  warning: {unit} {number} skipped: neither legend, header, heading nor turn\n"
            )
        return out.getvalue().rstrip()
    for key, value in found.items():
        if key in {"file", "kind"} or (
            key in {"answers", "turns", "rows", "codings"} and isinstance(value, list)
        ):
            continue  # the header line says these; long lists are for --json
        if isinstance(value, list) and value and isinstance(value[0], dict):
            out.write(f"  {key}:\n")
            for item in value:
                out.write("    " + ", ".join(f"{k}={v}" for k, v in item.items()) + "\n")
        elif isinstance(value, list):
            out.write(f"  {key}: {', '.join(map(str, value))}\n")
        else:
            out.write(f"  {key}: {value}\n")
    return out.getvalue().rstrip()
