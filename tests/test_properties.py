"""Property-based tests: span arithmetic, offset conversions, and loaders on damaged bytes.

Every test is deterministic (``derandomize=True``, no example database) and small enough for
the whole file to run in seconds.

- Placing codings (:mod:`evstudy.anchoring`) on canonical texts built as ingest builds them:
  a turn, a passage within it, a span or a moved passage always lands on the right text.
- Offsets of the QDA tools (code points, UTF-16 code units, CRLF counted as one or two)
  convert to evstudy's code points and back, through :mod:`evstudy.qdpx.offsets` and through
  ``read_qdpx`` on projects written as each tool writes them.
- A transcript reads the same with LF, CRLF or CR line ends and with a byte-order mark.
- Every loader, given damaged copies of real demo files or arbitrary bytes, either reads them
  or raises the project's own error, naming the file and saying what is wrong and the fix.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evstudy.anchoring import Unplaced, place_coding, turn_at
from evstudy.errors import EvstudyError, InputError, ValidationError
from evstudy.io.coding_sheet import read_coding_sheet
from evstudy.io.register import read_register
from evstudy.io.smartsurvey import read_question_map, read_smartsurvey
from evstudy.io.transcripts import read_transcript
from evstudy.qdpx import export_qdpx, read_qdpx
from evstudy.qdpx.offsets import (
    ATLAS_TI,
    NVIVO_WINDOWS,
    STANDARD,
    Counting,
    from_text_offset,
    normalise_text,
    to_text_offset,
)
from evstudy.study import Study

DEMO = Path(__file__).resolve().parents[1] / "data" / "raw"
SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fast(n: int):
    return settings(SETTINGS, max_examples=n)


# -- canonical texts and the codings placed on them ---------------------------------------

# Turn text as ingest leaves it: one line, whitespace collapsed, any script (astral included).
WORDS = st.lists(
    st.one_of(
        st.sampled_from(["evidence", "Café", "e\u0301", "😀", "𝄞", "中文", "[name]", "a:b", "–"]),
        st.text(st.sampled_from("aZ9.,'’é\u0301ß中😀𝄞\ufeff:[]–-"), min_size=1, max_size=6),
    ),
    min_size=1,
    max_size=12,
)
LABELS = st.sampled_from(["Interviewer", "Facilitator", "P001", "P042", "Respondent"])
TURNS = st.lists(st.tuples(LABELS, WORDS), min_size=1, max_size=8)


def canonical(turns: list[tuple[str, list[str]]]) -> tuple[str, dict[int, dict]]:
    """The canonical text and turn table of a document, as the README defines them."""
    lines, rows, offset = [], {}, 0
    for number, (label, words) in enumerate(turns, 1):
        text = " ".join(" ".join(words).split())
        start = offset + len(label) + 2
        rows[number] = {"speaker": label, "start": start, "end": start + len(text), "text": text}
        lines.append(f"{label}: {text}")
        offset += len(lines[-1]) + 1
    return "\n".join(lines), rows


def same(text: str) -> str:
    return text


def place(text: str, rows: dict[int, dict], **anchor: Any):
    anchor = {"turn": None, "start": None, "end": None, "passage": None} | anchor
    return place_coding(doc_id="DOC", text=text, turns=rows, redact=same, **anchor)


@fast(50)
@given(TURNS)
def test_turn_at_finds_the_line_an_offset_is_on(turns):
    text, rows = canonical(turns)
    for offset in range(len(text) + 1):
        # One line per turn, in order: the turn is the line's number (the LF ends a line).
        assert turn_at(rows, offset) == text.count("\n", 0, offset) + 1


@fast(40)
@given(TURNS, st.data())
def test_a_turn_and_a_passage_in_it_land_on_their_text(turns, data):
    text, rows = canonical(turns)
    for number, row in rows.items():
        whole = place(text, rows, turn=number)
        assert (whole.start, whole.end, whole.turn) == (row["start"], row["end"], number)
        assert text[whole.start : whole.end] == row["text"]
        words = row["text"].split()
        i = data.draw(st.integers(0, len(words) - 1))
        j = data.draw(st.integers(i + 1, len(words)))
        # A passage copied with other spacing and line breaks is the same passage.
        spacing = data.draw(st.sampled_from([" ", "  ", "\n", " \r\n\t"]))
        part = place(text, rows, turn=number, passage=spacing.join(words[i:j]))
        assert text[part.start : part.end] == " ".join(words[i:j])
        assert row["start"] <= part.start <= part.end <= row["end"]


@fast(50)
@given(TURNS, st.data())
def test_a_span_is_kept_and_knows_its_turn(turns, data):
    text, rows = canonical(turns)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    placed = place(text, rows, start=start, end=end)
    assert (placed.start, placed.end, placed.reanchored) == (start, end, False)
    assert placed.turn == text.count("\n", 0, start) + 1


@fast(50)
@given(TURNS, st.data())
def test_a_passage_whose_offsets_moved_is_found_again(turns, data):
    text, rows = canonical(turns)
    words = rows[data.draw(st.sampled_from(sorted(rows)))]["text"].split()
    i = data.draw(st.integers(0, len(words) - 1))
    passage = " ".join(words[i : data.draw(st.integers(i + 1, len(words)))])
    first = text.find(passage)
    # The offsets a coder wrote before the transcript was corrected: anywhere in the text.
    stale = data.draw(st.integers(0, len(text) - len(passage)))
    moved = place(text, rows, start=stale, end=stale + len(passage), passage=passage)
    if text[stale : stale + len(passage)] == passage:
        assert (moved.start, moved.reanchored) == (stale, False)
    else:  # the text wins: its first occurrence
        assert (moved.start, moved.end, moved.reanchored) == (first, first + len(passage), True)
    assert text[moved.start : moved.end] == passage


@fast(40)
@given(TURNS, st.integers(1, 1000), st.integers(0, 50))
def test_a_span_past_the_end_of_the_text_is_refused(turns, past, back):
    text, rows = canonical(turns)
    start = max(0, len(text) - back)
    with pytest.raises(Unplaced) as caught:
        place(text, rows, start=start, end=len(text) + past)
    assert caught.value.column == "Start/End"
    assert "runs past the end of DOC" in caught.value.problem
    assert f"({len(text)} characters)" in caught.value.problem


# -- offsets of the QDA tools ---------------------------------------------------------------

PIECES = st.sampled_from(["a", "é", "e\u0301", "😀", "𝄞", "中", " ", "word", "\n", "\n\n"])
LF_TEXT = st.lists(PIECES, min_size=1, max_size=40).map("".join)
COUNTINGS = [STANDARD, NVIVO_WINDOWS, ATLAS_TI]


def tool_offset(normal: str, offset: int, counting: Counting, line_end: str) -> int:
    """Where a tool puts normalised ``offset``, counted independently of evstudy."""
    before = normal[:offset]
    if counting.crlf_as_two:
        before = before.replace("\n", line_end)
    return len(before.encode("utf-16-le")) // 2 if counting.utf16 else len(before)


@pytest.mark.parametrize("counting", COUNTINGS, ids=lambda c: c.name)
@fast(60)
@given(normal=LF_TEXT, line_end=st.sampled_from(["\n", "\r\n", "\r"]), bom=st.booleans())
def test_every_tools_offsets_convert_to_code_points_and_back(counting, normal, line_end, bom):
    raw = ("\ufeff" if bom else "") + normal.replace("\n", line_end)
    assert normalise_text(raw) == normal
    for offset in range(len(normal) + 1):
        expected = tool_offset(normal, offset, counting, line_end)
        assert from_text_offset(raw, offset, counting) == expected
        assert to_text_offset(raw, expected, counting) == offset


def _project(origin: str, sources: list[tuple[str, bytes, list[tuple[int, int]]]]) -> bytes:
    """A REFI-QDA project as a tool writes it: ``(name, plain text bytes, selections)``."""
    code = "22222222-2222-2222-2222-222222222222"
    xml = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin={quoteattr(origin)}>',
        f'<CodeBook><Codes><Code guid="{code}" name="Theme" isCodable="true"/></Codes></CodeBook>',
        "<Sources>",
    ]
    files = {}
    for k, (name, data, selections) in enumerate(sources):
        guid = f"{k:08d}-0000-0000-0000-000000000000"
        xml.append(
            f'<TextSource guid="{guid}" name={quoteattr(name)} '
            f'plainTextPath="internal://{guid}.txt">'
        )
        for i, (start, end) in enumerate(selections):
            xml.append(
                f'<PlainTextSelection guid="{guid[:-4]}{i:04d}" startPosition="{start}" '
                f'endPosition="{end}"><Coding guid="c{k}-{i}"><CodeRef targetGUID="{code}"/>'
                "</Coding></PlainTextSelection>"
            )
        xml.append("</TextSource>")
        files[f"sources/{guid}.txt"] = data
    xml.append("</Sources></Project>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", "".join(xml))
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _spans(normal: str) -> st.SearchStrategy[list[tuple[int, int]]]:
    ends = st.tuples(st.integers(0, len(normal)), st.integers(0, len(normal)))
    return st.lists(ends.map(sorted).map(tuple), min_size=1, max_size=6)


TOOLS = [
    ("NVivo for Windows 14", NVIVO_WINDOWS, "\r\n", True),
    ("ATLAS.ti 23", ATLAS_TI, "\r\n", False),
    ("QualCoder 3.5", STANDARD, "\n", False),
    ("MAXQDA 2022", STANDARD, "\r\n", True),
]


@pytest.mark.parametrize(
    ("origin", "counting", "line_end", "bom"), TOOLS, ids=[t[0] for t in TOOLS]
)
@fast(20)
@given(normal=LF_TEXT, data=st.data())
def test_a_tools_selections_read_as_the_same_text(origin, counting, line_end, bom, normal, data):
    spans = data.draw(_spans(normal))
    raw = ("\ufeff" if bom else "") + normal.replace("\n", line_end)
    selections = [tuple(tool_offset(normal, o, counting, line_end) for o in s) for s in spans]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tool.qdpx"
        path.write_bytes(_project(origin, [("doc", raw.encode("utf-8"), selections)]))
        project = read_qdpx(path)
    assert project.sources["text"].tolist() == [normal]
    got = list(zip(project.codings["start"], project.codings["end"], strict=True))
    assert got == spans
    assert project.codings["text"].tolist() == [normal[a:b] for a, b in spans]


@fast(12)
@given(texts=st.lists(LF_TEXT, min_size=1, max_size=3), data=st.data())
def test_an_exported_study_reads_back_with_the_same_spans(texts, data):
    documents = pd.DataFrame({"doc_id": [f"D{i}" for i in range(len(texts))], "text": texts})
    rows = []
    for doc, text in zip(documents["doc_id"], texts, strict=True):
        rows += [(doc, a, b) for a, b in data.draw(_spans(text)) if a < b]
    codings = pd.DataFrame(rows, columns=["doc_id", "start", "end"])
    codings["coding_id"] = [f"K{i:05d}" for i in range(len(codings))]
    codings["code_id"], codings["coder"], codings["memo"] = "theme.leaf", "CD", None
    codebook = pd.DataFrame(
        {
            "code_id": ["theme", "theme.leaf"],
            "label": ["Theme", "Leaf"],
            "parent_id": [None, "theme"],
        }
    )
    empty = pd.DataFrame()
    study = Study(
        Path("p"),
        empty,
        empty,
        documents,
        empty,
        codebook,
        codings,
        empty,
        empty,
        empty,
        empty,
        empty,
    )
    with tempfile.TemporaryDirectory() as folder:
        project = read_qdpx(export_qdpx(study, Path(folder) / "study.qdpx"))
    assert sorted(zip(project.sources["name"], project.sources["text"], strict=True)) == sorted(
        zip(documents["doc_id"], texts, strict=True)
    )
    got = sorted(
        zip(
            project.codings["source_name"],
            project.codings["start"],
            project.codings["end"],
            strict=True,
        )
    )
    assert got == sorted(rows)
    by_doc = dict(zip(documents["doc_id"], texts, strict=True))
    for row in project.codings.itertuples():
        assert row.text == by_doc[row.source_name][row.start : row.end]
        assert row.code_path == "Theme/Leaf"


# -- line ends and byte-order marks in transcripts ----------------------------------------

SPEAKERS = st.sampled_from(["Alex Morgan", "Jordan Lee", "Sam Patel"])
SAYINGS = st.lists(
    st.sampled_from(["We", "use", "the", "data,", "café", "😀", "so."]), min_size=1, max_size=8
)


@fast(30)
@given(
    st.lists(st.tuples(SPEAKERS, SAYINGS), min_size=1, max_size=6),
    st.sampled_from([".txt", ".vtt"]),
)
def test_a_transcript_reads_the_same_with_any_line_end_and_a_bom(turns, suffix):
    if suffix == ".txt":
        lines = [f"{who}: {' '.join(words)}" for who, words in turns]
    else:  # Zoom captions, one cue per turn
        lines = ["WEBVTT", ""]
        for i, (who, words) in enumerate(turns):
            lines += [
                str(i + 1),
                f"00:00:{i:02d}.000 --> 00:00:{i:02d}.500",
                f"{who}: {' '.join(words)}",
                "",
            ]
    text = "\n".join(lines)
    read = []
    with tempfile.TemporaryDirectory() as folder:
        for variant in ("\n", "\r\n", "\r", "bom"):
            path = Path(folder) / f"t{suffix}"
            if variant == "bom":
                path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
            else:
                path.write_bytes(text.replace("\n", variant).encode("utf-8"))
            t = read_transcript(path)
            read.append((t.layout, t.turns))
    assert all(r == read[0] for r in read)
    assert [turn.speaker for turn in read[0][1]] == _merged([who for who, _ in turns], suffix)


def _merged(speakers: list[str], suffix: str) -> list[str]:
    """Captions join consecutive cues of one speaker into one turn; text files do not."""
    if suffix == ".txt":
        return speakers
    return [s for i, s in enumerate(speakers) if i == 0 or speakers[i - 1] != s]


# -- loaders on damaged and arbitrary bytes -----------------------------------------------


@functools.cache
def _demo(relative: str) -> bytes:
    return (DEMO / relative).read_bytes()


def _teams_vtt() -> bytes:
    return _demo("transcripts/Expert interviews/Expert interview 14 2023-12-12.vtt")


def _small_qdpx() -> bytes:
    normal = "Interviewer: Hello 😀\nP001: We use the data.\nP001: Café e\u0301 中."
    raw = "\ufeff" + normal.replace("\n", "\r\n")
    selections = [(0, 11), (13, 45), (30, 52)]
    return _project("NVivo for Windows 14", [("INT-01", raw.encode("utf-8"), selections)])


QMAP = read_question_map(DEMO / "survey" / "question_map.yml")
# (file name, reader, the good bytes the damage starts from)
LOADERS = {
    "docx": (
        "t.docx",
        read_transcript,
        lambda: _demo("transcripts/S01 Ullsbridge/Interview 01 2023-10-23.docx"),
    ),
    "teams-vtt": ("t.vtt", read_transcript, _teams_vtt),
    "zoom-vtt": (
        "t.vtt",
        read_transcript,
        lambda: _demo("transcripts/S01 Ullsbridge/Interview 02 2023-10-30.vtt"),
    ),
    "txt": (
        "t.txt",
        read_transcript,
        lambda: _demo("transcripts/S01 Ullsbridge/Interview 03 2023-11-27.txt"),
    ),
    "survey-csv": (
        "s.csv",
        lambda p: read_smartsurvey(p, QMAP),
        lambda: _demo("survey/smartsurvey_export.csv"),
    ),
    "survey-xlsx": (
        "s.xlsx",
        lambda p: read_smartsurvey(p, QMAP),
        lambda: _demo("survey/smartsurvey_export.xlsx"),
    ),
    "register": ("r.xlsx", read_register, lambda: _demo("register.xlsx")),
    "coding-xlsx": ("c.xlsx", read_coding_sheet, lambda: _demo("coding/survey_free_text.xlsx")),
    "qdpx": ("p.qdpx", read_qdpx, _small_qdpx),
}


def _coding_csv() -> bytes:
    rows = [["Document", "Turn", "Start", "End", "Text", "Code", "Coder", "Memo"]]
    rows += [
        ["INT-01", "2", "", "", "We use", "barrier.time", "CD", ""],
        ["INT-01", "", "5", "9", "", "x", "VT", "m"],
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


LOADERS["coding-csv"] = ("c.csv", read_coding_sheet, _coding_csv)

# Damage: cut the file short, overwrite bytes, insert bytes, delete a run, or (in a zip)
# damage one member's content and zip it up again so that the XML parsers see the damage.
POSITION = st.floats(0, 1, exclude_max=True)
DAMAGE = st.one_of(
    st.tuples(st.just("truncate"), POSITION),
    st.tuples(
        st.just("overwrite"),
        st.lists(st.tuples(POSITION, st.integers(0, 255)), min_size=1, max_size=8),
    ),
    st.tuples(st.just("insert"), POSITION, st.binary(min_size=1, max_size=40)),
    st.tuples(st.just("delete"), POSITION, st.integers(1, 400)),
    st.tuples(st.just("member"), POSITION, POSITION, st.binary(max_size=12), st.integers(0, 40)),
)


def _damage(data: bytes, how: tuple) -> bytes:
    kind, *args = how
    at = int(args[0] * len(data)) if args and isinstance(args[0], float) else 0
    if kind == "truncate":
        return data[:at]
    if kind == "overwrite":
        out = bytearray(data)
        for position, value in args[0]:
            out[int(position * len(out))] = value
        return bytes(out)
    if kind == "insert":
        return data[:at] + args[1] + data[at:]
    if kind == "delete":
        return data[:at] + data[at + args[1] :]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
    except Exception:  # not (or no longer) a readable zip: replace a run of bytes instead
        return data[:at] + args[2] + data[at + args[3] :]
    if not members:
        return data
    names = sorted(members)
    victim = names[int(args[0] * len(names))]
    content = members[victim]
    cut = int(args[1] * len(content))
    members[victim] = content[:cut] + args[2] + content[cut + args[3] :]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, members[name])
    return buffer.getvalue()


def _read_or_own_error(name: str, reader, data: bytes) -> None:
    """Read ``data`` as file ``name``: a result, or an error of ours that names the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            reader(path)
        except EvstudyError as error:
            assert isinstance(error, InputError | ValidationError), repr(error)
            problems = [error.problem] if isinstance(error, InputError) else error.problems
            assert problems
            for p in problems:
                assert name in p.file, (p.file, name)
                assert p.problem.strip() and p.fix.strip(), p
            assert "Traceback" not in str(error)


@pytest.mark.parametrize("loader", sorted(LOADERS))
@fast(25)
@given(damage=st.lists(DAMAGE, min_size=1, max_size=3))
def test_loaders_raise_only_their_own_errors_on_damaged_files(loader, damage):
    name, reader, good = LOADERS[loader]
    data = good()
    for how in damage:
        data = _damage(data, how) if data else data
    _read_or_own_error(name, reader, data)


PREFIXES = st.sampled_from(
    [b"", b"PK\x03\x04", b"WEBVTT\n\n", b"\xef\xbb\xbf", b"\xff\xfe", b"UserID,UserNo\r\n"]
)


@pytest.mark.parametrize("loader", sorted(LOADERS))
@fast(20)
@given(prefix=PREFIXES, data=st.binary(max_size=300))
def test_loaders_raise_only_their_own_errors_on_arbitrary_bytes(loader, prefix, data):
    name, reader, _ = LOADERS[loader]
    _read_or_own_error(name, reader, prefix + data)


@fast(30)
@given(
    attribute=st.sampled_from(
        ["startPosition", "endPosition", "plainTextPath", "targetGUID", "origin", "guid", "name"]
    ),
    value=st.one_of(
        st.text(max_size=12),
        st.sampled_from(["-1", "99999", "1e3", "internal://x.txt", "relative://../x"]),
    ),
    which=st.integers(0, 5),
)
def test_qdpx_with_any_attribute_value_reads_or_gives_its_own_error(attribute, value, which):
    data = _small_qdpx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    qde = members["project.qde"].decode("utf-8")
    hits = list(re.finditer(rf'{attribute}="([^"]*)"', qde))
    if hits:
        hit = hits[which % len(hits)]
        clean = "".join(c for c in value if c.isprintable())  # XML attributes hold text only
        qde = qde[: hit.start(1)] + escape(clean, {'"': "&quot;"}) + qde[hit.end(1) :]
    members["project.qde"] = qde.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    _read_or_own_error("p.qdpx", read_qdpx, buffer.getvalue())
