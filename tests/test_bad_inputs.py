"""The bad-inputs corpus: every failure class in tests/bad_inputs/cases.yml gives its error.

Each case is a copy of a good demo file broken by a recipe below (or, where the bytes must be
real, a file committed beside cases.yml). It is read with its reader, and the error must name
the file and the row or line, say what is wrong and how to fix it, and list every problem in
the file at once. One ingest then puts a bad file of every kind into a copy of the demo: it
must report all of them, write nothing and leave the last good tables untouched. data/raw is
only ever read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml

from evstudy.codebook import read_codebook
from evstudy.errors import EvstudyError, InputError, Problem, ValidationError
from evstudy.ingest import TABLES, ingest
from evstudy.io.coding_sheet import read_coding_sheet
from evstudy.io.name_decisions import read_name_decisions
from evstudy.io.recommendations import read_recommendations
from evstudy.io.register import read_register
from evstudy.io.report_text import read_report_text
from evstudy.io.smartsurvey import read_question_map, read_smartsurvey
from evstudy.io.tables import read_admin, read_fieldwork_log, read_other_names, read_sites
from evstudy.io.transcripts import read_transcript
from evstudy.qdpx import export_qdpx, read_qdpx
from evstudy.qdpx.codebook import codebook_draft

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yml").read_text(encoding="utf-8"))[
    "cases"
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")

# The failure classes issue 7 asks for: each must have at least one case.
REQUIRED_CLASSES = {
    "truncated docx",
    "renamed docx",
    "empty file",
    "cp1252 txt",
    "utf-8 bom",
    "vtt without voice tags",
    "vtt broken cue times",
    "survey renamed column",
    "survey missing column",
    "survey extra column",
    "duplicate respondent id",
    "likert label outside the scale",
    "coding missing document",
    "coding missing code",
    "span past the end of the text",
    "qdpx missing source",
    "register duplicate email",
    # issue 17: a legend role nobody can be told from, and a label the legend lacks
    "role-only legend unresolved",
    "unknown legend label",
    # issue 19: an archive that expands too far
    "zip bomb",
}


# -- recipes: bad bytes from a good file's bytes (and the pristine demo, for other files) ----

Recipe = Callable[[bytes, Path], bytes]
RECIPES: dict[str, Recipe] = {}


def recipe(fn: Recipe) -> Recipe:
    RECIPES[fn.__name__] = fn
    return fn


@recipe
def report_text_cp1252(data: bytes, demo: Path) -> bytes:
    """A section saved by a Windows editor: a curly apostrophe on its third line."""
    lines = data.decode("utf-8").split("\n")
    lines[2] = "It’s what the data show. " + lines[2]
    return "\n".join(lines).encode("cp1252", errors="replace")


@recipe
def report_text_typo(data: bytes, demo: Path) -> bytes:
    """A misspelt placeholder on a section's line 2."""
    lines = data.decode("utf-8").split("\n")
    lines.insert(1, "The {{ survay.barriers.top[1].label }} came first.")
    return "\n".join(lines).encode("utf-8")


@recipe
def report_text_syntax(data: bytes, demo: Path) -> bytes:
    """An expect with nothing to expect, on a section's line 3."""
    lines = data.decode("utf-8").split("\n")
    lines.insert(2, "Then {% expect %} came.")
    return "\n".join(lines).encode("utf-8")


@recipe
def empty(data: bytes, demo: Path) -> bytes:
    return b""


@recipe
def prompted_unknown_method(data: bytes, demo: Path) -> bytes:
    """A topic guide's prompt declared for a method the study does not have ("survey")."""
    text = data.decode("utf-8")
    old = "  prompted:\n  - interview\n"
    assert old in text
    return text.replace(old, "  prompted:\n  - survey\n  - interview\n", 1).encode("utf-8")


@recipe
def priority_not_a_level(data: bytes, demo: Path) -> bytes:
    """A recommendation's priority that is not high, medium or low ("urgent")."""
    text = data.decode("utf-8")
    assert "  priority: low\n" in text
    return text.replace("  priority: low\n", "  priority: urgent\n", 1).encode("utf-8")


@recipe
def add_bom(data: bytes, demo: Path) -> bytes:
    return b"\xef\xbb\xbf" + data


@recipe
def text_renamed_docx(data: bytes, demo: Path) -> bytes:
    """A plain-text transcript saved under a .docx name."""
    return (demo / "transcripts" / "S01 Ullsbridge" / "Interview 03 2023-11-27.txt").read_bytes()


@recipe
def workbook_renamed_docx(data: bytes, demo: Path) -> bytes:
    """An Excel workbook (a zip, like a .docx) saved under a .docx name."""
    return (demo / "admin" / "admin_data.xlsx").read_bytes()


@recipe
def old_word_doc(data: bytes, demo: Path) -> bytes:
    """The signature of an Office 97-2003 file: an old .doc renamed .docx."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


@recipe
def deeply_nested_yaml(data: bytes, demo: Path) -> bytes:
    """Hundreds of unclosed brackets: deeper than the recursive YAML parser can go."""
    return data + b"\nextra: " + b"[" * 500


@recipe
def strip_voice_tags(data: bytes, demo: Path) -> bytes:
    """Teams captions exported without speaker attribution."""
    return re.sub(rb"</?v[^>]*>", b"", data)


@recipe
def break_cue_times(data: bytes, demo: Path) -> bytes:
    """Three broken timings: an SRT comma, a 75th second, and an end before the start."""
    lines = data.decode("utf-8").split("\n")
    timings = [i for i, line in enumerate(lines) if "-->" in line]
    lines[timings[0]] = lines[timings[0]].replace(".", ",", 1)
    lines[timings[2]] = "00:00:75.000 --> 00:00:80.000"
    lines[timings[4]] = "00:01:00.000 --> 00:00:59.000"
    return "\n".join(lines).encode("utf-8")


def _csv_edit(data: bytes, edit: Callable[[list[list[str]]], None]) -> bytes:
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    edit(rows)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n" if "\r\n" in text else "\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _column(rows: list[list[str]], label: str) -> int:
    """The column whose line-1 question text or line-2 sub-label is ``label``."""
    for row in rows[:2]:
        if label in row:
            return row.index(label)
    raise LookupError(label)


@recipe
def rename_survey_item(data: bytes, demo: Path) -> bytes:
    def edit(rows: list[list[str]]) -> None:
        rows[1][_column(rows, "Research evidence about what works")] = "Research evidence"

    return _csv_edit(data, edit)


@recipe
def rename_survey_question(data: bytes, demo: Path) -> bytes:
    def edit(rows: list[list[str]]) -> None:
        column = _column(rows, "How long have you been in your current role?")
        rows[0][column] = "How long have you worked here?"

    return _csv_edit(data, edit)


@recipe
def drop_survey_column(data: bytes, demo: Path) -> bytes:
    def edit(rows: list[list[str]]) -> None:
        column = _column(rows, "Practical advice on implementation")
        for row in rows:
            del row[column]

    return _csv_edit(data, edit)


@recipe
def extra_survey_column(data: bytes, demo: Path) -> bytes:
    def edit(rows: list[list[str]]) -> None:
        rows[0].append("How many biscuits do you eat in meetings?")
        rows[1].append("Answer")
        for row in rows[2:]:
            row.append("" if row is rows[2] else "4")

    return _csv_edit(data, edit)


@recipe
def duplicate_respondent(data: bytes, demo: Path) -> bytes:
    """Line 6 repeats line 5's UserID and UserNo (a response exported twice)."""

    def edit(rows: list[list[str]]) -> None:
        for label in ("UserID", "UserNo"):
            column = _column(rows, label)
            rows[5][column] = rows[4][column]

    return _csv_edit(data, edit)


@recipe
def likert_off_scale(data: bytes, demo: Path) -> bytes:
    def edit(rows: list[list[str]]) -> None:
        rows[4][_column(rows, "Research evidence about what works")] = "Quite a lot"
        rows[6][_column(rows, "EIF Guidebook")] = "Used it loads"

    return _csv_edit(data, edit)


@recipe
def bad_name_decisions(data: bytes, demo: Path) -> bytes:
    # A decision that is neither keep nor redact; a turn given with doc_id *; no reviewer.
    extra = (
        "May,*,,perhaps,JH,2023-12-25\n"
        "Grace,*,7,keep,JH,2023-12-25\n"
        "Hope,INT-S01-01,3,keep,,2023-12-25\n"
    )
    return data + extra.encode()


def _xlsx_edit(data: bytes, edit: Callable[[Any, dict[str, int]], None]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    header = {cell.value: cell.column for cell in sheet[1] if cell.value}
    edit(sheet, header)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@recipe
def duplicate_email(data: bytes, demo: Path) -> bytes:
    """Rows 6 and 9 reuse row 3's email (once in capitals, which must still count)."""

    def edit(sheet: Any, col: dict[str, int]) -> None:
        email = sheet.cell(row=3, column=col["Email"]).value
        sheet.cell(row=6, column=col["Email"]).value = email.upper()
        sheet.cell(row=9, column=col["Email"]).value = email

    return _xlsx_edit(data, edit)


@recipe
def bad_quote_consent(data: bytes, demo: Path) -> bytes:
    """Row 4 answers 'Quote consent' with 'maybe', row 7 with 'only anonymously'."""

    def edit(sheet: Any, col: dict[str, int]) -> None:
        sheet.cell(row=4, column=col["Quote consent"]).value = "maybe"
        sheet.cell(row=7, column=col["Quote consent"]).value = "only anonymously"

    return _xlsx_edit(data, edit)


@recipe
def coding_missing_document(data: bytes, demo: Path) -> bytes:
    def edit(sheet: Any, col: dict[str, int]) -> None:
        sheet.cell(row=5, column=col["Document"]).value = "INT-S99-99"

    return _xlsx_edit(data, edit)


@recipe
def coding_missing_code(data: bytes, demo: Path) -> bytes:
    def edit(sheet: Any, col: dict[str, int]) -> None:
        sheet.cell(row=7, column=col["Code"]).value = "barrier.moonbeams"

    return _xlsx_edit(data, edit)


def _with_span_columns(sheet: Any, col: dict[str, int]) -> None:
    for name in ("Start", "End"):
        if name not in col:
            col[name] = sheet.max_column + 1
            sheet.cell(row=1, column=col[name]).value = name


def _span(sheet: Any, col: dict[str, int], row: int, doc: str | None, start: Any, end: Any):
    if doc is not None:
        sheet.cell(row=row, column=col["Document"]).value = doc
    for name in ("Turn", "Text"):
        sheet.cell(row=row, column=col[name]).value = None
    sheet.cell(row=row, column=col["Start"]).value = start
    sheet.cell(row=row, column=col["End"]).value = end


@recipe
def coding_span_past_end(data: bytes, demo: Path) -> bytes:
    """Row 3 codes a span of a focus group that starts inside its text and ends far past it."""

    def edit(sheet: Any, col: dict[str, int]) -> None:
        _with_span_columns(sheet, col)
        _span(sheet, col, 3, "FG-S02", 10, 10_000_000)

    return _xlsx_edit(data, edit)


@recipe
def coding_broken_spans(data: bytes, demo: Path) -> bytes:
    """Spans one sheet can show are wrong: reversed, negative, and half a span."""

    def edit(sheet: Any, col: dict[str, int]) -> None:
        _with_span_columns(sheet, col)
        _span(sheet, col, 3, None, 50, 20)
        _span(sheet, col, 4, None, -1, 5)
        _span(sheet, col, 5, None, 5, None)

    return _xlsx_edit(data, edit)


def _zip_edit(data: bytes, edit: Callable[[dict[str, bytes]], None], stored: bool = False) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    edit(members)
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _selection_sources(qde: bytes) -> list[str]:
    """GUIDs of the text sources that have selections, in project order."""
    root = re.findall(rb'<TextSource guid="([^"]+)"[^>]*>\s*<PlainTextSelection', qde)
    return [guid.decode() for guid in root]


@recipe
def qdpx_drop_sources(data: bytes, demo: Path) -> bytes:
    """The first two coded sources' plain text left out of the archive."""

    def edit(members: dict[str, bytes]) -> None:
        for guid in _selection_sources(members["project.qde"])[:2]:
            del members[f"sources/{guid}.txt"]

    return _zip_edit(data, edit)


@recipe
def qdpx_span_past_end(data: bytes, demo: Path) -> bytes:
    def edit(members: dict[str, bytes]) -> None:
        qde = members["project.qde"]
        members["project.qde"] = re.sub(
            rb'endPosition="\d+"', b'endPosition="10000000"', qde, count=1
        )

    return _zip_edit(data, edit)


@recipe
def qdpx_bad_position(data: bytes, demo: Path) -> bytes:
    def edit(members: dict[str, bytes]) -> None:
        qde = members["project.qde"]
        members["project.qde"] = re.sub(
            rb'startPosition="\d+"', b'startPosition="12a"', qde, count=1
        )

    return _zip_edit(data, edit)


@recipe
def qdpx_not_a_zip(data: bytes, demo: Path) -> bytes:
    """A project saved as the tool's own format, or a text file, renamed to .qdpx."""
    return b"NVivo project: this is not a REFI-QDA exchange file\n" * 20


@recipe
def qdpx_nameless_code(data: bytes, demo: Path) -> bytes:
    """The second code of the codebook (the first theme's first child) has a blank name."""

    def edit(members: dict[str, bytes]) -> None:
        qde = members["project.qde"]
        first = qde.index(b"<Code ")
        second = qde.index(b"<Code ", first + 1)
        members["project.qde"] = qde[:second] + re.sub(
            rb'name="[^"]*"', b'name=" "', qde[second:], count=1
        )

    return _zip_edit(data, edit)


_PLAIN_TURN = re.compile(r"^\[[\d:]+\] (?P<name>[^:]+): (?P<text>.*)$")


def _plain_turns(data: bytes) -> list[tuple[str, str]]:
    lines = data.decode("utf-8-sig").splitlines()
    return [(m["name"], m["text"]) for line in lines if (m := _PLAIN_TURN.match(line))]


@recipe
def role_only_focus_group(data: bytes, demo: Path) -> bytes:
    """A focus group whose legend names only roles: 'P – Participant' stands for five people."""
    roles = {m["name"]: m["role"] for m in yaml.safe_load((demo / "study.yml").read_text())["team"]}
    label = {"Facilitator": "F", "Interviewer": "I"}
    lines = ["F – Facilitator", "I – Interviewer", "P – Participant", ""]
    lines += [
        f"{label.get(roles.get(name, ''), 'P')} – {text}" for name, text in _plain_turns(data)
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


@recipe
def label_missing_from_legend(data: bytes, demo: Path) -> bytes:
    """An interview with a legend, whose second turn carries a label the legend lacks."""
    turns = _plain_turns(data)
    first, second = turns[0][0], turns[1][0]
    lines = [f"I – Interviewer ({first})", f"R – Respondent ({second})", ""]
    lines += [f"{'I' if name == first else 'R'} – {text}" for name, text in turns]
    lines[4] = "EX – " + lines[4].split(" – ", 1)[1]
    return ("\n".join(lines) + "\n").encode("utf-8")


@recipe
def qdpx_damaged(data: bytes, demo: Path) -> bytes:
    """project.qde stored uncompressed with one byte changed: its CRC no longer matches."""
    good = _zip_edit(data, lambda members: None, stored=True)
    at = good.index(b"<Project") + 1
    return good[:at] + b"Q" + good[at + 1 :]


@recipe
def docx_zip_bomb(data: bytes, demo: Path) -> bytes:
    """word/document.xml padded with 64 MiB of spaces: 1,000 to 1 compressed (issue 19 §9)."""

    def edit(members: dict[str, bytes]) -> None:
        members["word/document.xml"] += b" " * (64 << 20)

    return _zip_edit(data, edit)


@recipe
def qdpx_zip_bomb(data: bytes, demo: Path) -> bytes:
    """A coded source's plain text padded with 64 MiB of spaces (issue 19 §9)."""

    def edit(members: dict[str, bytes]) -> None:
        guid = _selection_sources(members["project.qde"])[0]
        members[f"sources/{guid}.txt"] += b" " * (64 << 20)

    return _zip_edit(data, edit)


# -- readers ---------------------------------------------------------------------------------


def read_as(reader: str, path: Path, demo: Path) -> Any:
    """Read ``path`` with the named reader, as ingest (or import_qdpx) would."""
    readers: dict[str, Callable[[Path], Any]] = {
        "transcript": read_transcript,
        "smartsurvey": lambda p: read_smartsurvey(
            p, read_question_map(demo / "survey" / "question_map.yml")
        ),
        "question_map": read_question_map,
        "register": read_register,
        "coding_sheet": read_coding_sheet,
        "codebook": read_codebook,
        "sites": read_sites,
        "fieldwork_log": read_fieldwork_log,
        "admin": read_admin,
        "other_names": read_other_names,
        "name_decisions": read_name_decisions,
        "qdpx": read_qdpx,
        "codebook_import": codebook_draft,
        # A section file is read with its whole report/ folder, against the demo's questions.
        "report_text": lambda p: read_report_text(
            next(f for f in p.parents if f.name == "report"),
            findings=[
                str(q["id"])
                for q in yaml.safe_load((demo / "study.yml").read_text(encoding="utf-8"))[
                    "research_questions"
                ]
            ],
        ),
        "recommendations": lambda p: read_recommendations(
            p, codes=read_codebook(demo / "codebook.yml")["code_id"]
        ),
    }
    return readers[reader](path)


def bad_bytes(case: dict[str, Any], good: bytes, demo: Path) -> bytes:
    if "bytes" in case:
        return (CORPUS / case["bytes"]).read_bytes()
    return RECIPES[case["make"]](good, demo)


def problems_of(error: EvstudyError) -> list[Problem]:
    assert isinstance(error, InputError | ValidationError), type(error)
    return [error.problem] if isinstance(error, InputError) else list(error.problems)


def matches(actual: Problem, expected: dict[str, str], file: str, *, exact_file: bool) -> bool:
    same_file = actual.file == file if exact_file else actual.file.endswith(file)
    where = expected["where"]
    same_place = (
        actual.where.startswith(where[:-1]) if where.endswith("*") else actual.where == where
    )
    return (
        same_file
        and same_place
        and expected["problem"] in actual.problem
        and expected["fix"] in actual.fix
    )


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def demo_qdpx(demo_study, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo study exported as a REFI-QDA project: the good file the qdpx cases break."""
    return export_qdpx(demo_study, tmp_path_factory.mktemp("qdpx") / "demo.qdpx")


def good_file(case: dict[str, Any], demo_raw: Path, request: pytest.FixtureRequest) -> Path:
    if case["reader"] in {"qdpx", "codebook_import"}:
        return request.getfixturevalue("demo_qdpx")
    return demo_raw / case["raw"]


# -- the manifest ----------------------------------------------------------------------------


def test_the_manifest_is_complete_and_consistent():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))
    assert {case["class"] for case in CASES} >= REQUIRED_CLASSES
    used = set()
    for case in CASES:
        assert ("bytes" in case) != ("make" in case), case["id"]
        assert "bytes" not in case or (CORPUS / case["bytes"]).is_file(), case["id"]
        assert "make" not in case or case["make"] in RECIPES, case["id"]
        assert case["error"] in {"InputError", "ValidationError", "none"}, case["id"]
        assert case["error"] == "none" or case["problems"], case["id"]
        for expected in case.get("problems", []):
            assert set(expected) == {"where", "problem", "fix"}, case["id"]
            assert expected["problem"] and expected["fix"], case["id"]
        used.add(case.get("bytes"))
    # Every committed file is a case, and nothing else sits in the corpus.
    assert {p.name for p in CORPUS.iterdir()} == {*used - {None}, "cases.yml"}
    # The reader-less cases (cross-file checks) are all exercised by the combined ingest.
    assert all(case.get("ingest") for case in CASES if case["reader"] == "ingest")


def test_each_empty_reader_is_covered():
    readers = {case["reader"] for case in CASES if case["class"] == "empty file"}
    assert readers >= {
        "transcript",
        "smartsurvey",
        "question_map",
        "register",
        "coding_sheet",
        "codebook",
        "sites",
        "fieldwork_log",
        "admin",
        "other_names",
        "name_decisions",
        "qdpx",
    }


# -- one case at a time ----------------------------------------------------------------------


def _param(case: dict[str, Any]):
    marks = [pytest.mark.slow] if case["reader"] in {"qdpx", "codebook_import"} else []
    return pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES if c["reader"] != "ingest"])
def test_bad_input_gives_its_error(
    case: dict[str, Any], demo_raw: Path, tmp_path: Path, request: pytest.FixtureRequest
):
    good = good_file(case, demo_raw, request)
    path = tmp_path / "raw" / case["raw"]
    path.parent.mkdir(parents=True)
    path.write_bytes(bad_bytes(case, good.read_bytes(), demo_raw))
    before = digests(tmp_path)
    if case["error"] == "none":
        if "reads_as" in case:
            assert read_as(case["reader"], path, demo_raw) == case["reads_as"]
        else:
            assert_reads_like_the_original(case, path, good, demo_raw)
        return
    with pytest.raises(EvstudyError) as caught:
        read_as(case["reader"], path, demo_raw)
    error = caught.value
    assert type(error).__name__ == case["error"], str(error)
    found = problems_of(error)
    expected = case["problems"]
    assert len(found) == len(expected), str(error)
    for actual, wanted in zip(found, expected, strict=True):
        assert matches(actual, wanted, case["raw"], exact_file=False), (str(actual), wanted)
    message = str(error)
    assert "fix:" in message and "Traceback" not in message
    assert not EMAIL.search(message), "an error message quotes an email address"
    assert digests(tmp_path) == before, "a reader wrote something"


def assert_reads_like_the_original(
    case: dict[str, Any], path: Path, good: Path, demo: Path
) -> None:
    """An accepted variant (a byte-order mark) reads exactly as the original file does."""
    got, want = read_as(case["reader"], path, demo), read_as(case["reader"], good, demo)
    if case["reader"] == "transcript":
        assert (got.layout, got.turns, got.headers, got.warnings) == (
            want.layout,
            want.turns,
            want.headers,
            want.warnings,
        )
        assert not any("\ufeff" in t.speaker + t.text for t in got.turns)
    elif case["reader"] == "smartsurvey":
        for name in ("questions", "options", "respondents", "answers"):
            pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name))
    else:
        pd.testing.assert_frame_equal(got, want)


# -- every bad file at once, through ingest --------------------------------------------------


def _break_copy(demo_raw: Path, target: Path, cases: list[dict[str, Any]]) -> Path:
    """A copy of the demo with each case's bad bytes in place (recipes on one file compose)."""
    raw = target / "raw"
    shutil.copytree(demo_raw, raw)
    for case in cases:
        path = raw / case["raw"]
        path.write_bytes(bad_bytes(case, path.read_bytes(), demo_raw))
    return raw


@pytest.mark.slow
def test_ingest_reports_every_bad_file_at_once_and_writes_nothing(
    demo_raw: Path, demo_processed: Path, tmp_path: Path
):
    together = [c for c in CASES if c.get("ingest") and c["error"] != "none"]
    raw = _break_copy(demo_raw, tmp_path, together)
    broken = digests(raw)
    # The last good ingest: its tables must survive a failed one byte for byte.
    out = tmp_path / "processed"
    shutil.copytree(demo_processed, out)
    last_good = digests(out)
    keys = tmp_path / "keys"

    with pytest.raises(ValidationError) as caught:
        ingest(raw, out, key_dir=keys)

    found = list(caught.value.problems)
    expected = [(case, wanted) for case in together for wanted in case["problems"]]
    missing = [
        (case["id"], wanted)
        for case, wanted in expected
        if not any(matches(p, wanted, case["raw"], exact_file=True) for p in found)
    ]
    assert not missing, str(caught.value)
    # Nothing but the planted problems: one bad file does not set off others.
    assert len(found) == len(expected), str(caught.value)
    assert digests(out) == last_good
    assert not keys.exists(), "a failed ingest created the identity key folder"
    assert digests(raw) == broken, "ingest wrote into the raw folder"


@pytest.mark.slow
def test_accepted_variants_ingest_to_the_same_tables(
    demo_raw: Path, demo_processed: Path, tmp_path: Path
):
    variants = [c for c in CASES if c["error"] == "none" and "reads_as" not in c]
    assert variants
    raw = _break_copy(demo_raw, tmp_path, variants)
    ingest(raw, tmp_path / "processed", key_dir=tmp_path / "keys")
    for name in TABLES:
        got = (tmp_path / "processed" / f"{name}.parquet").read_bytes()
        assert got == (demo_processed / f"{name}.parquet").read_bytes(), name


def test_a_code_tree_thousands_deep_is_read_without_hitting_the_recursion_limit(tmp_path: Path):
    depth = 3000
    codes = "".join(f'<Code guid="g{i}" name="c{i}">' for i in range(depth)) + "</Code>" * depth
    path = tmp_path / "deep.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "project.qde",
            f'<Project xmlns="urn:QDA-XML:project:1.0"><CodeBook><Codes>{codes}</Codes>'
            "</CodeBook></Project>",
        )
    codes_read = read_qdpx(path).codes
    assert list(codes_read["depth"]) == list(range(depth))
    assert codes_read["path"].iloc[2] == "c0/c1/c2"
    assert list(codes_read["parent_guid"].iloc[1:3]) == ["g0", "g1"]
