"""Zip bombs: every zip evstudy reads is refused once it expands too far (issue 19, item 9).

The bombs are built here, small: the caps are lowered with monkeypatch where a test needs a
member or an archive to pass them, so each test runs in well under a second. One real-size
case (a member declaring 1.5 GB) checks that declared sizes are refused before unpacking.
"""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from pathlib import Path

import docx
import pytest

from evstudy.errors import InputError
from evstudy.io import archive
from evstudy.io.archive import GuardedZip, check_archive
from evstudy.io.sheets import read_sheet
from evstudy.io.transcripts import read_transcript


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def bomb_docx(path: Path, padding: int, *, member: str = "word/document.xml") -> Path:
    """A real Word transcript whose ``member`` is followed by ``padding`` spaces.

    Whitespace after the root element is well-formed XML, so without a cap the file reads
    as the plain transcript it wraps; the spaces deflate about 1000:1.
    """
    good = write_docx(path.with_suffix(".good.docx"), ["Interviewer: Hello.", "P1: Hi."])
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == member:
                data += b" " * padding
            dst.writestr(info.filename, data)
    return path


def test_a_docx_expanding_over_200_to_1_is_refused_naming_file_and_member(tmp_path):
    # 4 MiB of spaces deflate to about 4 KB: about 1000:1, with the real caps.
    path = bomb_docx(tmp_path / "bomb.docx", 4 * 2**20)
    assert path.stat().st_size < 50_000
    with pytest.raises(InputError) as caught:
        read_transcript(path)
    message = str(caught.value)
    assert "bomb.docx" in message and "word/document.xml" in message
    assert "expands too far" in message and "200" in message
    assert "damaged" not in message and "fix:" in message


def test_a_docx_member_past_the_member_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "RATIO_LIMIT", 10**9)  # only the size cap applies
    monkeypatch.setattr(archive, "MEMBER_LIMIT", 2**20)
    path = bomb_docx(tmp_path / "big.docx", 3 * 2**20)
    with pytest.raises(InputError, match=r"big\.docx, member 'word/document\.xml'.*expands too"):
        read_transcript(path)


def test_a_bomb_in_a_part_only_python_docx_reads_is_refused_too(tmp_path):
    # The fast path reads only the main part; styles.xml is python-docx's, and the fallback
    # path (taken here because the main part's content type is unusual) must check it.
    path = bomb_docx(tmp_path / "styles.docx", 4 * 2**20, member="word/styles.xml")
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"document.main+xml", b"document.main+xml; x=1"
    )
    odd = tmp_path / "odd.docx"
    with zipfile.ZipFile(odd, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    with pytest.raises(InputError, match=r"odd\.docx, member 'word/styles\.xml'.*expands too"):
        read_transcript(odd)


def test_an_ordinary_docx_still_reads(tmp_path):
    path = write_docx(tmp_path / "fine.docx", ["Interviewer: Hello.", "P1: Hi there."])
    transcript = read_transcript(path)
    assert [t.text for t in transcript.turns] == ["Hello.", "Hi there."]


def test_the_archive_cap_counts_every_member_together(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "RATIO_LIMIT", 10**9)
    monkeypatch.setattr(archive, "ARCHIVE_LIMIT", 5 * 2**20)
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for n in range(4):  # 2 MiB each: every member is under the 512 MiB cap
            dst.writestr(f"part{n}.xml", b" " * 2**20 * 2)
    with GuardedZip(path, path, fix="f") as guarded:
        assert len(guarded.read("part0.xml")) == 2 * 2**20
        guarded.read("part1.xml")
        with pytest.raises(InputError, match=r"member 'part2\.xml'.*passed 5 MiB"):
            guarded.read("part2.xml")


def lying_zip(path: Path, real: int, declared: int) -> Path:
    """A zip whose one member holds ``real`` spaces but whose headers declare ``declared``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        dst.writestr("a.xml", b" " * real)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as src:
        info = src.infolist()[0]
    # The uncompressed size: local header (offset 22) and central directory (offset 24).
    data[info.header_offset + 22 : info.header_offset + 26] = declared.to_bytes(4, "little")
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = declared.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def test_reading_counts_the_bytes_without_trusting_the_declared_check(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "RATIO_LIMIT", 10**9)
    monkeypatch.setattr(archive, "MEMBER_LIMIT", 2**20)
    path = tmp_path / "count.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        dst.writestr("a.xml", b" " * 3 * 2**20)
    with GuardedZip(path, path, fix="f") as guarded:  # check_declared() is not called
        with pytest.raises(InputError, match=r"passed 1 MiB"):
            guarded.read("a.xml")
        assert guarded.total <= 2**20 + 2**20  # stopped within one chunk of the cap


def test_a_header_declaring_less_than_it_holds_unpacks_no_further(tmp_path):
    # zipfile stops at the declared size and the CRC then fails: a damaged file, read fast.
    path = lying_zip(tmp_path / "liar.docx", real=64 * 2**20, declared=100)
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"liar\.docx.*(damaged|expands too far)"):
        read_transcript(path)
    assert time.perf_counter() - started < 2


def test_a_header_declaring_1_5_gb_is_refused_before_anything_is_unpacked(tmp_path):
    # A real-size declaration: 1.5 GB in 3 MB of zip would take seconds and gigabytes to
    # unpack; the refusal must be immediate.
    path = lying_zip(tmp_path / "huge.docx", real=2**20, declared=1_500_000_000)
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"huge\.docx, member 'a\.xml'.*declares 1,431 MiB"):
        check_archive(path, path, fix="f")
    assert time.perf_counter() - started < 1


def test_check_archive_leaves_non_zips_to_the_reader(tmp_path):
    text = tmp_path / "plain.docx"
    text.write_text("not a zip")
    check_archive(text, text, fix="f")  # no error: the reader says what the file is
    check_archive(text, io.BytesIO(b"PK\x03\x04 truncated"), fix="f")


def test_small_highly_compressible_members_are_within_the_grace(tmp_path):
    # 500 KB of spaces compress 1000:1, but are under RATIO_GRACE: an ordinary blank part.
    path = tmp_path / "blank.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        dst.writestr("blank.xml", b" " * 500_000)
    with GuardedZip(path, path, fix="f") as guarded:
        guarded.check()
        assert guarded.read("blank.xml") == b" " * 500_000
        assert guarded.total == 1_000_000  # counted by check() and by read()
    assert len(zlib.compress(b" " * 500_000)) < 2_500


def test_a_workbook_that_expands_too_far_is_refused_before_openpyxl_reads_it(tmp_path):
    from openpyxl import Workbook

    good = tmp_path / "good.xlsx"
    book = Workbook()
    book.active.append(["Name", "Email"])
    book.save(good)
    bomb = tmp_path / "register.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data += b" " * 4 * 2**20
            dst.writestr(info.filename, data)
    assert read_sheet(good).rows[0][:2] == ("Name", "Email")
    with pytest.raises(InputError) as caught:
        read_sheet(bomb)
    message = str(caught.value)
    assert "register.xlsx" in message and "xl/worksheets/sheet1.xml" in message
    assert "expands too far" in message
