"""Which study the report on disk belongs to: the manifest's ``study`` entry, and audit and
verify refusing another study (evstudy.build.manifest, evstudy.build.verify)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from evstudy.build.manifest import (
    build_manifest,
    check_processed_study,
    check_report_study,
    previous_report_note,
    raw_for_report,
    recorded_study,
)
from evstudy.build.verify import compare_manifests, verify
from evstudy.errors import InputError

STUDY = "study:\n  title: {title}\nteam: []\n"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _raw(folder: Path, title: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "study.yml").write_text(STUDY.format(title=title), encoding="utf-8")
    return folder


def _report(reports: Path, raw: Path, label: str, *, title: str | None = None) -> Path:
    """A report folder whose manifest says it was built from ``raw``."""
    reports.mkdir(parents=True, exist_ok=True)
    title = title or yaml.safe_load((raw / "study.yml").read_text())["study"]["title"]
    study = {"title": title, "study_yml_sha256": _sha(raw / "study.yml"), "raw": label}
    (reports / "manifest.json").write_text(json.dumps({"study": study}), encoding="utf-8")
    return reports


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project with two studies, data/raw ('Alpha', whose report is on disk) and
    data/other ('Beta')."""
    monkeypatch.delenv("EVSTUDY_RAW", raising=False)
    root = tmp_path / "project"
    alpha = _raw(root / "data" / "raw", "Alpha")
    beta = _raw(root / "data" / "other", "Beta")
    reports = _report(root / "reports", alpha, "data/raw")
    return root, alpha, beta, reports


def test_the_manifest_records_the_study_it_was_built_from(built):
    """In a real build: the study's title and the digest of its study.yml; the raw folder
    lay outside the temporary project, so it is recorded as [raw], not as a machine path."""
    summary, folders = built
    assert summary.ok, summary.text()
    manifest = json.loads((folders["reports"] / "manifest.json").read_text(encoding="utf-8"))
    study_yml = folders["raw"] / "study.yml"
    title = yaml.safe_load(study_yml.read_text(encoding="utf-8"))["study"]["title"]
    assert manifest["study"] == {
        "title": title,
        "study_yml_sha256": _sha(study_yml),
        "raw": "[raw]",
    }
    assert manifest["study"]["study_yml_sha256"] == manifest["raw_inputs"]["study.yml"]
    assert recorded_study(folders["reports"]) == manifest["study"]


def test_build_manifest_study_entry_is_deterministic(tmp_path):
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    processed.mkdir()
    reports.mkdir()
    report = {"title": "Gamma", "synthetic": False, "raw_sha256": {"study.yml": "ab" * 32}}
    (processed / "ingest_report.json").write_text(json.dumps(report), encoding="utf-8")

    def make() -> str:
        manifest = build_manifest(
            root=tmp_path,
            processed=processed,
            figures={},
            reports=reports,
            parameters={},
            commit="c0ffee",
            raw_label="data/raw",
        )
        return json.dumps(manifest, sort_keys=True)

    first = make()
    assert first == make()
    assert json.loads(first)["study"] == {
        "title": "Gamma",
        "study_yml_sha256": "ab" * 32,
        "raw": "data/raw",
    }


def test_an_older_manifest_still_names_its_study_by_digest(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "manifest.json").write_text(
        json.dumps({"raw_inputs": {"study.yml": "cd" * 32}}), encoding="utf-8"
    )
    assert recorded_study(reports) == {"title": None, "study_yml_sha256": "cd" * 32, "raw": None}
    assert recorded_study(tmp_path / "nowhere") is None


def test_audit_and_verify_default_to_the_reports_study(project):
    root, alpha, beta, reports = project
    # Even with data/raw present, the report built from data/other is checked against it.
    other_reports = _report(root / "other-reports", beta, "data/other")
    assert raw_for_report(None, other_reports, root=root) == beta.resolve()
    assert raw_for_report(None, reports, root=root) == alpha.resolve()


def test_a_copy_of_the_same_study_elsewhere_is_accepted(project, tmp_path):
    root, alpha, _, reports = project
    copy = tmp_path / "elsewhere" / "raw"
    shutil.copytree(alpha, copy)
    assert raw_for_report(copy, reports, root=root) == copy.resolve()


def test_another_study_is_refused_naming_the_reports_study(project):
    root, _, beta, reports = project
    with pytest.raises(InputError) as raised:
        raw_for_report(beta, reports, root=root)
    problem = raised.value.problem
    assert problem.file == "data/other/study.yml"
    assert "this is the study 'Beta'" in problem.problem
    assert "the report in reports belongs to 'Alpha' (raw folder data/raw)" in problem.problem
    assert "pass --raw data/raw" in problem.fix
    assert "evstudy build --raw data/other" in problem.fix


def test_evstudy_raw_pointing_at_another_study_is_refused_too(project, monkeypatch):
    root, _, beta, reports = project
    monkeypatch.setenv("EVSTUDY_RAW", str(beta))
    with pytest.raises(InputError, match="belongs to 'Alpha'"):
        raw_for_report(None, reports, root=root)


def test_a_report_built_outside_the_project_asks_for_its_folder(project, tmp_path):
    root, _, beta, _ = project
    far = _raw(tmp_path / "far" / "raw", "Delta")
    reports = _report(tmp_path / "far-reports", far, "[raw]")
    with pytest.raises(InputError) as raised:
        check_report_study(beta, reports, root=root)
    assert "'Delta' (a raw folder outside the project)" in raised.value.problem.problem
    assert "pass --raw the folder that holds that study" in raised.value.problem.fix


def test_processed_tables_of_another_study_are_refused(project, tmp_path):
    root, _, beta, reports = project
    processed = tmp_path / "processed"
    processed.mkdir()
    ingested = {"title": "Beta", "raw_sha256": {"study.yml": _sha(beta / "study.yml")}}
    (processed / "ingest_report.json").write_text(json.dumps(ingested), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        check_processed_study(processed, reports, root=root)
    assert "processed tables are of the study 'Beta'" in raised.value.problem.problem
    assert "belongs to 'Alpha' (raw folder data/raw)" in raised.value.problem.problem
    assert "evstudy build --raw data/raw" in raised.value.problem.fix


def test_verify_refuses_another_study_before_rebuilding(project):
    root, _, beta, reports = project
    with pytest.raises(InputError, match="belongs to 'Alpha'"):
        verify(raw=beta, reports=reports, notebooks=root / "missing", progress=False)


def test_the_note_after_a_failed_build_names_the_previous_study(project, tmp_path):
    root, alpha, beta, reports = project
    note = previous_report_note(beta, reports, root=root)
    assert note.startswith(
        "The report on disk (reports/index.html) is still the previous study's: "
        "'Alpha' (raw folder data/raw)."
    )
    assert "This build of the study 'Beta' published nothing" in note
    assert previous_report_note(alpha, reports, root=root) == ""  # the same study
    assert previous_report_note(beta, tmp_path / "none", root=root) == ""  # no report yet
    processed = tmp_path / "processed"
    processed.mkdir()
    ingested = {"raw_sha256": {"study.yml": _sha(beta / "study.yml")}}
    (processed / "ingest_report.json").write_text(json.dumps(ingested), encoding="utf-8")
    with_tables = previous_report_note(beta, reports, processed=processed, root=root)
    assert "are now this study's" in with_tables.splitlines()[-1]


def test_verify_compares_the_study_but_not_where_its_folder_was():
    recorded = {"study": {"title": "Alpha", "study_yml_sha256": "1" * 64, "raw": "data/raw"}}
    moved = {"study": {"title": "Alpha", "study_yml_sha256": "1" * 64, "raw": "[raw]"}}
    assert compare_manifests(recorded, moved).empty
    renamed = {"study": {**recorded["study"], "title": "Alpha 2"}}
    found = compare_manifests(recorded, renamed)
    assert list(zip(found["section"], found["item"], strict=True)) == [("study", "title")]
