"""Raw data is never written, changes to it are reported, and a killed build loses nothing."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evstudy.build.pipeline import _changes_text, build, raw_changes
from evstudy.files import raw_digests

ROOT = Path(__file__).resolve().parents[2]


def _snapshot(folder: Path) -> dict[str, tuple]:
    """Every file with its bytes' hash, size and modification time."""
    return {
        p.relative_to(folder).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_size,
            p.stat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _digest(folder: Path) -> dict[str, str]:
    """Published files and executed notebooks (not the dependency sidecars, which record
    the state of the code a build ran with)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and not p.name.endswith(".deps.json")
    }


def test_raw_changes_name_files_but_only_count_transcripts(tmp_path):
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    (raw / "transcripts").mkdir(parents=True)
    (raw / "study.yml").write_text("a: 1\n")
    (raw / "sites.csv").write_text("site_id\n")
    (raw / "transcripts" / "Interview with Jo Bloggs.txt").write_text("Jo: hello\n")
    processed.mkdir()
    assert raw_changes(raw, processed) == {"first_ingest": True}
    recorded = raw_digests(raw)
    (processed / "ingest_report.json").write_text(json.dumps({"raw_sha256": recorded}))
    assert raw_changes(raw, processed) is None
    (raw / "study.yml").write_text("a: 2\n")
    (raw / "sites.csv").unlink()
    (raw / "register.xlsx").write_bytes(b"new")
    (raw / "transcripts" / "Interview with Jo Bloggs.txt").write_text("Jo: hello again\n")
    changes = raw_changes(raw, processed)
    assert changes["changed"] == ["study.yml"]
    assert changes["added"] == ["register.xlsx"] and changes["removed"] == ["sites.csv"]
    assert changes["transcripts_changed_or_added"] == 1
    text = _changes_text(changes)
    assert "study.yml" in text and "register.xlsx" in text and "Bloggs" not in text


@pytest.fixture(scope="module")
def read_only_project(small_study, tmp_path_factory):
    """A project whose raw folder is read-only, built once."""
    tmp = tmp_path_factory.mktemp("readonly")
    raw = tmp / "raw"
    shutil.copytree(small_study, raw)
    notebooks = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    for path in [raw, *raw.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    folders = {
        "raw": raw,
        "processed": tmp / "data" / "processed",
        "reports": tmp / "reports",
        "figures": tmp / "figures",
        "notebooks": notebooks,
        "label_root": tmp,
    }
    before = _snapshot(raw)
    summary = build(**folders, kernel_name="python3", progress=False)
    yield summary, folders, before
    for path in [raw, *raw.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


@pytest.mark.slow
def test_a_whole_build_with_read_only_raw_data_leaves_it_untouched(read_only_project):
    # Root ignores file modes, so the snapshot is what proves nothing was written.
    summary, folders, before = read_only_project
    assert summary.ok, summary.text()
    assert (folders["reports"] / "index.html").is_file()
    assert _snapshot(folders["raw"]) == before
    assert not any(p.name.startswith((".", "~")) for p in folders["raw"].rglob("*"))


@pytest.mark.slow
def test_a_killed_build_keeps_the_last_good_report_and_the_next_one_completes(
    read_only_project,
):
    summary, folders, _ = read_only_project
    assert summary.ok
    reports, figures = _digest(folders["reports"]), _digest(folders["figures"])
    code = (
        "import sys, json; from pathlib import Path; "
        "from evstudy.build.pipeline import build; "
        "f = {k: Path(v) for k, v in json.loads(sys.argv[1]).items()}; "
        "build(**f, kernel_name='python3', progress=False, force=True)"
    )
    arg = json.dumps({k: str(v) for k, v in folders.items()})
    started = time.time()
    process = subprocess.Popen([sys.executable, "-c", code, arg], start_new_session=True)
    staged = folders["reports"] / ".staging" / "notebooks"
    deadline = time.monotonic() + 120
    # Kill it half way: once some notebooks have finished and others are still running.
    while time.monotonic() < deadline and len(list(staged.glob("*.ipynb"))) < 2:
        assert process.poll() is None, "the build ended before it could be killed"
        time.sleep(0.2)
    assert len(list(staged.glob("*.ipynb"))) >= 2
    import psutil

    # The build's own processes at the moment it dies: other builds may run on this machine
    # at the same time (a developer's, a parallel test's), and their processes are not ours.
    tree = {p.pid for p in psutil.Process(process.pid).children(recursive=True)}
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _digest(folders["reports"]) == reports
    assert _digest(folders["figures"]) == figures
    # Its workers and kernels die with it instead of writing into the next build's staging:
    # nothing of its process tree is left, nor anything those processes started after the
    # kill, nor any process whose command line names this test's folders.
    time.sleep(3)

    def ours(p: psutil.Process) -> bool:
        with contextlib.suppress(psutil.Error):
            # A zombie has exited (it writes nothing); it waits for a container's init,
            # which may be slow to reap it.
            if p.status() == psutil.STATUS_ZOMBIE:
                return False
            line = " ".join(p.cmdline())
            if str(folders["reports"]) in line:
                return True
            # Of its tree: the workers, the warm kernels (their template's command line,
            # evstudy.build.warm) and the kernels' launchers.
            in_tree = p.pid in tree or any(parent.pid in tree for parent in p.parents())
            return in_tree and any(marker in line for marker in markers)
        return False

    markers = ("_worker_main", "/evk-", "evstudy.build.warm", "ipykernel", "evstudy")
    leftovers = {
        p.pid: (p.info["status"], p.info["cmdline"])
        for p in psutil.process_iter(["create_time", "status", "cmdline"])
        if p.info["create_time"] >= started - 1 and p.pid != os.getpid() and ours(p)
    }
    for pid in leftovers:  # not left to run for minutes after the test fails
        with contextlib.suppress(psutil.Error):
            psutil.Process(pid).kill()
    assert leftovers == {}
    again = build(**{k: v for k, v in folders.items()}, kernel_name="python3", progress=False)
    assert again.ok, again.text()
    after = _digest(folders["reports"])
    assert {k for k in after.keys() | reports.keys() if after.get(k) != reports.get(k)} == set()
    assert not (folders["reports"] / ".staging").exists()


def test_a_renamed_raw_file_is_a_change(tmp_path):
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    (raw / "survey").mkdir(parents=True)
    (raw / "survey" / "export.csv").write_text("a,b\n")
    processed.mkdir()
    (processed / "ingest_report.json").write_text(json.dumps({"raw_sha256": raw_digests(raw)}))
    (raw / "survey" / "export.csv").rename(raw / "survey" / "export_old.csv")
    changes = raw_changes(raw, processed)
    assert changes["added"] == ["survey/export_old.csv"]
    assert changes["removed"] == ["survey/export.csv"]
