"""The whole build on a small generated study: pages, incremental reuse, failure safety."""

from __future__ import annotations

import hashlib
import json
import os
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
        if p.is_file() and not any(part.startswith(".staging") for part in p.parts)
    }


def test_cold_build_makes_every_page(built):
    summary, folders = built
    assert summary.ok, summary.text()
    assert summary.ingested
    sites = json.loads((folders["processed"] / "ingest_report.json").read_text())["counts"]["sites"]
    assert len(summary.ran) == 3 + sites  # synthesis, survey, fieldwork, one per site
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
        if p.is_file()
        and p.parts[len(reports.parts)] not in {"notebooks", "manifest.json"}
        and not p.name.startswith(".")
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


def test_no_op_rebuild_exports_nothing(built):
    _, folders = built
    index = folders["reports"] / "index.html"
    stamp = index.stat().st_mtime_ns
    again = build(**folders, kernel_name="python3", progress=False)
    assert again.ok and again.ran == [] and not again.exported
    assert "report: unchanged" in again.text()
    assert index.stat().st_mtime_ns == stamp, "an unchanged report is not rewritten"
    assert not (folders["reports"] / ".staging").exists()


def test_executed_notebooks_and_manifest_hold_no_machine_paths(built):
    _, folders = built
    tmp = str(folders["label_root"])
    for path in [
        *(folders["reports"] / "notebooks").glob("*.ipynb"),
        folders["reports"] / "manifest.json",
    ]:
        text = path.read_text(encoding="utf-8")
        assert tmp not in text, path.name
        assert "ipykernel_" not in text, path.name
    manifest = json.loads((folders["reports"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["layout"] == {
        "figures": "figures",
        "notebooks": "notebooks",
        "processed": "data/processed",
        "reports": "reports",
    }
    assert manifest["parameters"]["survey"] == {"figures": "figures", "processed": "data/processed"}
    survey = nbformat.read(folders["reports"] / "notebooks" / "survey.ipynb", as_version=4)
    assert survey.metadata.papermill["parameters"]["processed"] == "data/processed"


def test_manifest_figures_are_the_charts_the_runs_saved(built):
    _, folders = built
    manifest = json.loads((folders["reports"] / "manifest.json").read_text(encoding="utf-8"))
    on_disk = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folders["figures"].iterdir()
    }
    assert manifest["figures"] and manifest["figures"] == on_disk
    prefixes = {name.split("__")[0] for name in manifest["figures"]}
    assert {"survey", "fieldwork"} <= prefixes


def test_a_deleted_figure_reruns_the_notebook_that_drew_it(built):
    _, folders = built
    chart = sorted(folders["figures"].glob("survey__*.svg"))[0]
    original = chart.read_bytes()
    chart.unlink()
    again = build(**folders, kernel_name="python3", progress=False)
    assert again.ok and again.ran == ["survey"], again.text()
    assert chart.read_bytes() == original


def test_a_rebuild_elsewhere_is_byte_identical_and_verify_says_so(built, tmp_path, monkeypatch):
    """Determinism: ``verify`` rebuilds from scratch into another folder; every file
    (processed tables, figures, executed notebooks, HTML, tables.xlsx, manifest) matches.

    The rebuild starts every kernel cold, so this also shows that kernels forked from the
    template, with the study and its cross-site tables preloaded, make the same bytes."""
    from evstudy.build.verify import format_differences, verify

    _, folders = built
    monkeypatch.setenv("EVSTUDY_WARM_KERNELS", "0")
    found = verify(
        raw=folders["raw"],
        reports=folders["reports"],
        notebooks=folders["notebooks"],
        kernel_name="python3",
        keep=tmp_path / "again",
        progress=False,
    )
    text = format_differences(found)
    assert text.splitlines()[0] == "identical", text
    # Both builds printed the PDF with the same chromium, so its bytes were compared.
    assert "report.pdf: bytes compared (chromium " in text
    first = {
        **{f"data/processed/{k}": v for k, v in _digest(folders["processed"]).items()},
        **{f"figures/{k}": v for k, v in _digest(folders["figures"]).items()},
        **{f"reports/{k}": v for k, v in _digest(folders["reports"]).items()},
    }
    rebuilt = _digest(tmp_path / "again" / "project")
    second = {k: v for k, v in rebuilt.items() if not k.startswith("notebooks/")}  # sources
    assert set(first) == set(second)
    assert first == second
    assert any(k.endswith("tables.xlsx") for k in first)
    assert any(k.startswith("reports/notebooks/") and k.endswith(".ipynb") for k in first)


def test_a_leak_found_by_the_audit_publishes_nothing(built):
    """`make report` stops before publishing when the privacy audit finds anything."""
    _, folders = built
    before = _digest(folders["reports"])
    charts = _digest(folders["figures"])
    source = folders["notebooks"] / "survey.ipynb"
    original = source.read_bytes()
    nb = nbformat.read(source, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('write to jo.bloggs@example.org')"))
    nbformat.write(nb, source)
    try:
        leaky = build(**folders, kernel_name="python3", progress=False)
    finally:
        source.write_bytes(original)
    assert not leaky.ok and leaky.failed == ["audit"]
    assert "email" in leaky.errors[0].lower() and "survey.ipynb" in leaky.errors[0]
    assert "nothing was published" in leaky.errors[0]
    assert _digest(folders["reports"]) == before
    assert _digest(folders["figures"]) == charts
    # With the leak removed the notebook is the published one again: nothing to redo.
    again = build(**folders, kernel_name="python3", progress=False)
    assert again.ok and again.ran == [] and not again.exported
    assert _digest(folders["reports"]) == before


def test_a_rerun_that_changes_nothing_still_records_its_dependencies(built):
    """After evstudy's code changes in a way that leaves a notebook's output as it was, the
    rerun's new dependency record is kept, so the next build reuses the notebook."""
    _, folders = built
    sidecar = folders["reports"] / "notebooks" / "survey.ipynb.deps.json"
    record = json.loads(sidecar.read_text(encoding="utf-8"))
    record["digest"]["package"] = "0" * 64  # as if built by other code
    sidecar.write_text(json.dumps(record), encoding="utf-8")
    rerun = build(**folders, kernel_name="python3", progress=False)
    assert rerun.ok and rerun.ran == ["survey"] and not rerun.exported
    assert json.loads(sidecar.read_text(encoding="utf-8"))["digest"]["package"] != "0" * 64
    again = build(**folders, kernel_name="python3", progress=False)
    assert again.ok and again.ran == []


def test_bad_raw_data_stops_the_build_with_the_readers_error(study_copy, tmp_path):
    """Ingest runs in a child process; its error still reaches the user as itself, naming
    the file and the fix, and nothing is built."""
    from evstudy.errors import EvstudyError

    transcript = sorted((study_copy / "transcripts").rglob("*.docx"))[0]
    transcript.write_bytes(b"%PDF-1.4 not a transcript")
    with pytest.raises(EvstudyError) as raised:
        build(
            raw=study_copy,
            processed=tmp_path / "processed",
            reports=tmp_path / "reports",
            figures=tmp_path / "figures",
            kernel_name="python3",
            progress=False,
        )
    assert transcript.name in str(raised.value) and "PDF" in str(raised.value)
    assert not (tmp_path / "reports" / "index.html").exists()


def test_the_build_refuses_to_publish_while_a_possible_name_is_undecided(study_copy, tmp_path):
    """Without the generator's decisions, the first names other_names.txt leaves out wait
    for a decision: the build says how many, where, and which file to fill in."""
    from evstudy.errors import InputError

    decisions = study_copy / "name_decisions.csv"
    rows = decisions.read_text(encoding="utf-8").splitlines()
    decisions.write_text(rows[0] + "\n", encoding="utf-8")  # the header alone
    with pytest.raises(InputError) as raised:
        build(
            raw=study_copy,
            processed=tmp_path / "processed",
            reports=tmp_path / "reports",
            figures=tmp_path / "figures",
            kernel_name="python3",
            progress=False,
        )
    report = json.loads((tmp_path / "processed" / "ingest_report.json").read_text())
    places = report["undecided_names"]
    assert len(places) >= 2 and all(" turn " in p for p in places)
    message = str(raised.value)
    assert "name_decisions.csv" in message and "name_review.csv" in message
    assert f"{report['flagged_first_names']} word(s) that may be names" in message
    assert places[0] in message and "nothing was published" in message
    assert not (tmp_path / "reports" / "index.html").exists()


def _staged_copy(built, tmp_path: Path) -> tuple[dict, Path]:
    """The published report copied as the build stages it while the PDF prints: the PDF
    in the hidden printing folder."""
    from evstudy.build.pipeline import PRINTING

    _, folders = built
    staging = tmp_path / "staging"
    shutil.copytree(folders["reports"], staging)
    assert (staging / "report.pdf").is_file()  # chromium is there: the PDF was printed
    (staging / PRINTING).mkdir()
    os.replace(staging / "report.pdf", staging / PRINTING / "report.pdf")
    return folders, staging


def test_the_audit_worked_out_while_the_pdf_prints_leaves_only_the_pdf(built, tmp_path):
    """What _audit_ahead returns reads every published page but the PDF, and the audit that
    reuses it finds what the whole audit finds, including in files written afterwards."""
    from evstudy.audit import audit_outputs
    from evstudy.build.pipeline import PRINTING, _audit_ahead
    from evstudy.config import load_config
    from evstudy.io.register import read_register

    folders, staging = _staged_copy(built, tmp_path)
    ahead = _audit_ahead(folders["raw"], folders["processed"], staging, None)
    assert set(ahead) == {"scanner", "ledger_checked", "quote_uses"}
    assert "reports/index.html" in ahead["quote_uses"]
    assert "reports/report.pdf" not in ahead["quote_uses"]
    assert not any(PRINTING in name for name in ahead["quote_uses"])
    os.replace(staging / PRINTING / "report.pdf", staging / "report.pdf")
    (staging / PRINTING).rmdir()
    # A file written after the work ahead: the reused scanner must still read it.
    config = load_config(folders["raw"])
    register = read_register(config.path("register"), label=config.files["register"])
    name = register["name"].iloc[0]
    (staging / "late.txt").write_text(f"Thanks to {name}\n", encoding="utf-8")
    kw = {
        "raw": folders["raw"],
        "processed": folders["processed"],
        "figures": folders["figures"],
        "reports": staging,
    }
    reused = audit_outputs(**kw, **ahead)
    whole = audit_outputs(**kw)
    assert list(reused["file"]) == ["reports/late.txt"]
    assert reused.equals(whole)
    assert reused.attrs == whole.attrs


def test_quotes_found_ahead_stand_only_while_their_file_is_unchanged(built, tmp_path, monkeypatch):
    """publication_findings reuses the quotes found in a page (as the build finds them while
    the PDF prints) until the page changes; then it reads that page, and only that one."""
    from evstudy.audit import FileScanner, quoted
    from evstudy.audit.sources import iter_sources

    _, folders = built
    reports = tmp_path / "reports"
    shutil.copytree(folders["reports"], reports)
    scanner = FileScanner(raw=folders["raw"], processed=folders["processed"])
    rules, study = scanner.rules, scanner.study
    files = [entry for entry in iter_sources({"reports": reports}) if entry[2]]
    known = quoted.publication_uses(rules, study, files, workers=1)
    assert set(known) == {entry[0] for entry in files}
    assert sum(len(pairs) for _, pairs in known.values()) > 0  # the pages quote people
    expected = quoted.publication_findings(rules, study, reports, workers=1)

    asked: list[list[str]] = []
    real = quoted.publication_uses

    def spy(rules, study, files, **kw):
        asked.append([entry[0] for entry in files])
        return real(rules, study, files, **kw)

    monkeypatch.setattr(quoted, "publication_uses", spy)
    assert quoted.publication_findings(rules, study, reports, workers=1, known=known) == expected
    assert asked == []
    page = reports / "index.html"
    stat = page.stat()
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert quoted.publication_findings(rules, study, reports, workers=1, known=known) == expected
    assert asked == [["reports/index.html"]]
