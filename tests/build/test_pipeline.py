"""The whole build on a small generated study: pages, incremental reuse, failure safety."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from evstudy.build.export import check_self_contained
from evstudy.build.pipeline import build

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".staging" not in p.parts
    }


@pytest.fixture(scope="module")
def built(small_study, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("build")
    notebooks = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    folders = {
        "raw": small_study,
        "processed": tmp / "processed",
        "reports": tmp / "reports",
        "figures": tmp / "figures",
        "notebooks": notebooks,
    }
    summary = build(**folders, kernel_name="python3", progress=False)
    return summary, folders


def test_cold_build_makes_every_page(built):
    summary, folders = built
    assert summary.ok, summary.text()
    assert summary.ingested
    sites = json.loads((folders["processed"] / "ingest_report.json").read_text())["counts"]["sites"]
    assert len(summary.ran) == 2 + sites
    reports = folders["reports"]
    pages = [reports / "index.html", *sorted((reports / "sites").glob("*.html"))]
    assert len(pages) == 1 + sites
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert check_self_contained(html) == [], page.name
        assert html.count("Synthetic demonstration data") >= 1
    index = (reports / "index.html").read_text(encoding="utf-8")
    for site_page in (reports / "sites").glob("*.html"):
        assert f'href="sites/{site_page.name}"' in index
    assert (reports / "tables.xlsx").stat().st_size > 5_000
    assert len(list(folders["figures"].glob("survey__*.svg"))) >= 6
    assert not (reports / ".staging").exists()


def test_manifest_hashes_what_was_published(built, small_study):
    _, folders = built
    reports = folders["reports"]
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True
    assert manifest["evstudy"]["version"]
    assert manifest["packages"]["pandas"] and manifest["packages"]["nbconvert"]
    published = manifest["published"]
    assert (
        published["index.html"] == hashlib.sha256((reports / "index.html").read_bytes()).hexdigest()
    )
    assert set(published) == {
        p.relative_to(reports).as_posix()
        for p in reports.rglob("*")
        if p.is_file() and p.parts[len(reports.parts)] not in {"notebooks", "manifest.json"}
    }
    assert len(manifest["executed_notebooks"]) == len(manifest["parameters"])
    assert "study.yml" in manifest["raw_inputs"]
    assert len(manifest["processed_tables"]) >= 12
    assert any(name.endswith(".svg") for name in manifest["figures"])
    assert manifest["parameters"]["survey"]["processed"]


def test_nothing_changed_nothing_runs(built):
    _, folders = built
    before = _digest(folders["reports"])
    again = build(**folders, kernel_name="python3", progress=False)
    assert again.ok and not again.ingested
    assert again.ran == [] and len(again.reused) == len(built[0].ran)
    assert _digest(folders["reports"]) == before


def test_a_failing_notebook_keeps_the_last_good_report(built):
    _, folders = built
    before = _digest(folders["reports"])
    source = folders["notebooks"] / "survey.ipynb"
    original = source.read_bytes()
    nb = nbformat.read(source, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('deliberately broken')"))
    nbformat.write(nb, source)
    try:
        summary = build(**folders, kernel_name="python3", progress=False)
    finally:
        source.write_bytes(original)
    assert not summary.ok and summary.failed == ["survey"]
    assert "RuntimeError" in summary.errors[0] and "deliberately broken" in summary.errors[0]
    assert "last good report was kept" in summary.text()
    assert _digest(folders["reports"]) == before
    kept = folders["reports"] / ".staging" / "notebooks" / "survey.ipynb"
    assert kept.is_file(), "the failed executed notebook is kept for debugging"
