from __future__ import annotations

import io
import zipfile

import pytest

from evstudy.files import atomic_write_text, atomic_writer, normalise_zip, sha256_file


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write_text(target, "good")

    def explode(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_writer(target, explode)
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def _zip(stamp):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("a.xml", date_time=stamp), "<a/>")
        z.writestr(zipfile.ZipInfo("b.xml", date_time=stamp), "<b/>")
    return buffer.getvalue()


def test_normalise_zip_removes_time_stamps(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    one, two = _zip((2020, 1, 1, 10, 0, 0)), _zip((2024, 6, 1, 12, 30, 2))
    assert one != two
    assert normalise_zip(one) == normalise_zip(two)
    with zipfile.ZipFile(io.BytesIO(normalise_zip(one))) as z:
        assert z.namelist() == ["a.xml", "b.xml"]
        assert z.read("b.xml") == b"<b/>"
        assert z.getinfo("a.xml").date_time == (1980, 1, 1, 0, 0, 0)


def test_normalise_zip_respects_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    with zipfile.ZipFile(io.BytesIO(normalise_zip(_zip((2020, 1, 1, 0, 0, 0))))) as z:
        assert z.getinfo("a.xml").date_time == (2023, 11, 14, 22, 13, 20)


def test_sha256_file(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"abc")
    assert sha256_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_changed_files_names_missing_and_edited_files(tmp_path):
    import hashlib

    from evstudy.files import changed_files

    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("b")
    recorded = {
        name: hashlib.sha256(text.encode()).hexdigest()
        for name, text in {"a.txt": "a", "sub/b.txt": "b", "gone.txt": "c"}.items()
    }
    assert changed_files(tmp_path, recorded) == {"gone.txt": None}
    (tmp_path / "a.txt").write_text("edited")
    assert changed_files(tmp_path, recorded) == {
        "a.txt": hashlib.sha256(b"edited").hexdigest(),
        "gone.txt": None,
    }


def test_write_workbook_stores_every_string_as_text(tmp_path):
    import openpyxl

    from evstudy.files import write_workbook

    book = openpyxl.Workbook()
    book.active.append(['=HYPERLINK("http://x","y")', "-2+3", "@A1", "+1", 7])
    book.create_sheet("Two")["B2"] = "=1+1"
    out = write_workbook(book, tmp_path / "t.xlsx", title="T")
    back = openpyxl.load_workbook(out)
    first = [(c.value, c.data_type) for c in back.active[1]]
    assert first == [
        ('=HYPERLINK("http://x","y")', "s"),
        ("-2+3", "s"),
        ("@A1", "s"),
        ("+1", "s"),
        (7, "n"),
    ]
    assert (back["Two"]["B2"].value, back["Two"]["B2"].data_type) == ("=1+1", "s")
