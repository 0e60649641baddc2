"""Pages are written as soon as their notebooks are done, in another process."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import pytest

from evstudy.audit import file_signature
from evstudy.build.pages import Page, PageWriter, report_pages


def _stamp(path: Path) -> None:
    """Write the writing process's id (module-level, so that a page can be pickled)."""
    path.write_text(str(os.getpid()), encoding="utf-8")


def _fail(path: Path) -> None:
    raise OSError(f"cannot write {path.name}")


def test_ready_pages_are_written_early_elsewhere_and_the_rest_at_the_end(tmp_path):
    early = Page("a", frozenset({"one"}), partial(_stamp, tmp_path / "a"))
    free = Page("b", frozenset(), partial(_stamp, tmp_path / "b"))
    late = Page("c", frozenset({"one", "two"}), partial(_stamp, tmp_path / "c"))
    writer = PageWriter([early, free, late])
    try:
        writer.notebook_done("one")
        writer.finish(workers=1)  # the pages still waiting are written here, in order
    finally:
        writer.close()
    stamps = {name: int((tmp_path / name).read_text()) for name in "abc"}
    assert stamps["a"] == stamps["b"] != os.getpid()  # the early process wrote them
    assert stamps["c"] == os.getpid()  # still waiting for "two" when finish was called


def test_without_early_export_everything_is_written_by_finish(tmp_path):
    pages = [Page(n, frozenset(), partial(_stamp, tmp_path / n)) for n in "xy"]
    writer = PageWriter(pages, early=False)
    writer.notebook_done("anything")
    assert not (tmp_path / "x").exists()
    writer.finish(workers=1)
    assert (tmp_path / "x").read_text() == (tmp_path / "y").read_text() == str(os.getpid())


def test_a_page_that_cannot_be_written_fails_the_export(tmp_path):
    writer = PageWriter([Page("bad", frozenset(), partial(_fail, tmp_path / "bad.html"))])
    try:
        with pytest.raises(OSError, match=r"cannot write bad\.html"):
            writer.finish(workers=1)
    finally:
        writer.close()


class _NameScanner:
    """Stands in for the audit's FileScanner: a file's one finding names the scanning process."""

    def scan_now(self, entry):
        return file_signature(entry[1]), [((entry[0], str(os.getpid()), "scanned"), "")]


def _no_scanner():
    raise OSError("the register cannot be read")


def test_outputs_are_scanned_for_the_audit_as_soon_as_they_are_final(tmp_path):
    staging, processed = tmp_path / "staging", tmp_path / "processed"
    (processed / "sub").mkdir(parents=True)
    (processed / "sub" / "t.csv").write_text("x\n", encoding="utf-8")
    (processed / ".hidden").write_text("x\n", encoding="utf-8")
    staging.mkdir()
    early = Page("a.html", frozenset({"one"}), partial(_stamp, staging / "a.html"))
    late = Page("b.html", frozenset({"two"}), partial(_stamp, staging / "b.html"))
    roots = {"processed": processed, "reports": staging}
    writer = PageWriter([early, late], audit=(_NameScanner, roots))
    try:
        writer.scan(processed)
        writer.notebook_done("one")
        scanned = writer.finish(workers=1)
    finally:
        writer.close()
    # Written early, so scanned early; "b.html" is written at the end and left to the audit.
    assert sorted(scanned) == ["processed/sub/t.csv", "reports/a.html"]
    for name, (signature, found) in scanned.items():
        assert signature == file_signature(tmp_path / name.replace("reports", "staging", 1))
        assert found[0][0][1] != str(os.getpid())  # in the early process


def test_a_scanner_that_cannot_be_made_leaves_the_scans_to_the_audit(tmp_path):
    page = Page("a.html", frozenset(), partial(_stamp, tmp_path / "a.html"))
    writer = PageWriter([page], audit=(_no_scanner, {"reports": tmp_path}))
    try:
        writer.scan(tmp_path)
        assert writer.finish(workers=1) == {}
    finally:
        writer.close()
    assert (tmp_path / "a.html").is_file()  # the page is written all the same


def test_report_pages_cover_the_report_and_wait_for_their_own_notebooks(tmp_path):
    processed = tmp_path / "processed"
    processed.mkdir()
    (processed / "ingest_report.json").write_text('{"title": "T", "synthetic": true}', "utf-8")
    pages = report_pages(
        tmp_path / "staging", processed=processed, names={"S1": "Alpha"}, provenance=""
    )
    needs = {page.name: page.needs for page in pages}
    from evstudy.build.export import APPENDICES

    assert needs == {
        "index.html": {"synthesis", "survey"},
        **{f"appendices/{name}.html": {"synthesis", "survey"} for name in APPENDICES},
        "research-team/fieldwork.html": {"fieldwork"},
        "tables.xlsx": set(),
        "sites/S1.html": {"site_case_study__S1"},
    }
    assert pages[0].name == "index.html"  # the largest first
