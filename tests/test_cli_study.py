"""The command line for a team's own study: init, check, and the report's study guarding
audit, verify and a failed build."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from evstudy.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "data" / "raw" / "survey" / "smartsurvey_export.csv"


@pytest.fixture
def previous_report(tmp_path, demo_raw) -> Path:
    """A report folder whose manifest says it was built from the demo in data/raw."""
    reports = tmp_path / "reports"
    reports.mkdir()
    digest = hashlib.sha256((demo_raw / "study.yml").read_bytes()).hexdigest()
    study = {"title": "The demo", "study_yml_sha256": digest, "raw": "data/raw"}
    (reports / "manifest.json").write_text(json.dumps({"study": study}), encoding="utf-8")
    return reports


def test_init_lists_what_it_wrote_and_what_comes_next(tmp_path, capsys):
    assert main(["init", str(tmp_path / "mine"), "--survey", str(EXPORT)]) == 0
    out = capsys.readouterr().out
    assert "  survey/question_map.yml\n" in out and "  register.xlsx\n" in out
    assert f"evstudy check --raw {tmp_path / 'mine'}" in out
    assert main(["init", str(tmp_path / "mine")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"evstudy init: {tmp_path / 'mine'}: the folder is not empty")


def test_check_of_a_new_skeleton_exits_1_with_the_project_error_form(tmp_path, capsys):
    main(["init", str(tmp_path / "mine")])
    capsys.readouterr()
    assert main(["check", "--raw", str(tmp_path / "mine")]) == 1
    err = capsys.readouterr().err
    assert "found 2 problems:\n  1. study.yml, line " in err
    assert re.search(r"study\.yml, line \d+, team: no research team is listed\n", err)
    assert "    fix: " in err and "Traceback" not in err


def test_audit_refuses_another_study_naming_the_reports_study(tmp_path, previous_report, capsys):
    main(["init", str(tmp_path / "other")])
    capsys.readouterr()
    code = main(["audit", "--raw", str(tmp_path / "other"), "--reports", str(previous_report)])
    err = capsys.readouterr().err
    assert code == 2
    assert "this is the study 'My study'" in err
    assert "belongs to 'The demo' (raw folder data/raw)" in err
    assert "fix: to check the report on disk, leave out --raw" in err


def test_verify_refuses_another_study_naming_the_reports_study(tmp_path, previous_report, capsys):
    main(["init", str(tmp_path / "other")])
    capsys.readouterr()
    code = main(["verify", "--raw", str(tmp_path / "other"), "--reports", str(previous_report)])
    assert code == 2
    assert "belongs to 'The demo' (raw folder data/raw)" in capsys.readouterr().err


def test_a_failed_build_of_another_study_names_the_report_still_on_disk(
    tmp_path, previous_report, capsys
):
    main(["init", str(tmp_path / "other")])
    capsys.readouterr()
    before = (previous_report / "manifest.json").read_bytes()
    code = main(
        [
            "build",
            "--raw",
            str(tmp_path / "other"),
            "--reports",
            str(previous_report),
            "--out",
            str(tmp_path / "processed"),
            "--figures",
            str(tmp_path / "figures"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("evstudy build: ")  # the ingest error first
    assert f"The report on disk ({previous_report / 'index.html'}) is still the previous " in err
    assert "'The demo' (raw folder data/raw)" in err
    assert "This build of the study 'My study' published nothing" in err
    assert (previous_report / "manifest.json").read_bytes() == before
