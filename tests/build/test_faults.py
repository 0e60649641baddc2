"""Faults around a build: a second build at once, an unwritable reports folder, a full disk,
and what an interrupted build left behind."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from evstudy.build.lock import LOCK_NAME, BuildLocked
from evstudy.build.pipeline import STAGED_FIGURES, STAGING, _clear_leftovers, build
from evstudy.errors import InputError


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def test_what_an_interrupted_build_left_is_cleared(tmp_path):
    reports = tmp_path / "reports"
    (reports / STAGING / "notebooks").mkdir(parents=True)
    (reports / STAGING / "notebooks" / "half.ipynb").write_text("{")
    (reports / STAGED_FIGURES / "run").mkdir(parents=True)
    # Killed inside the swap: sites/ moved aside, the new one not yet in place.
    (reports / ".old-sites").mkdir()
    (reports / ".old-sites" / "a.html").write_text("last good")
    (reports / "notebooks").mkdir()
    (reports / ".old-notebooks").mkdir()
    (reports / "index.html").write_text("kept")
    _clear_leftovers(reports)
    assert sorted(p.name for p in reports.iterdir()) == ["index.html", "notebooks", "sites"]
    assert (reports / "sites" / "a.html").read_text() == "last good"


def test_an_unwritable_reports_folder_is_a_clear_error_not_a_traceback(small_study, cli_as_nobody):
    project = Path(tempfile.mkdtemp(prefix="evstudy-ro-", dir="/tmp"))
    try:
        project.chmod(0o755)  # the unprivileged child must reach it
        shutil.copytree(small_study, project / "raw")
        reports = project / "reports"
        reports.mkdir()
        (reports / "index.html").write_text("the last good report")
        if os.geteuid() != 0:
            reports.chmod(0o555)
        args = ["build", "--raw", str(project / "raw"), "--out", str(project / "processed")]
        args += ["--reports", str(reports), "--figures", str(project / "figures")]
        code, err = cli_as_nobody(args)
        assert code == 2, err
        assert "Traceback" not in err
        assert str(reports) in err
        assert "cannot be written" in err and "fix:" in err and "--reports" in err
        assert (reports / "index.html").read_text() == "the last good report"
        assert sorted(p.name for p in reports.iterdir()) == ["index.html"]
    finally:
        (project / "reports").chmod(0o755)
        shutil.rmtree(project)


@pytest.fixture
def project_copy(built, tmp_path):
    """A copy of the built project, whose next build exports again."""
    _, folders = built
    base = Path(folders["label_root"])
    copy = tmp_path / "project"
    shutil.copytree(base, copy)
    moved = {k: copy / Path(v).relative_to(base) for k, v in folders.items() if k not in ("raw",)}
    moved["raw"] = folders["raw"]
    moved["label_root"] = copy
    (moved["reports"] / ".export-digest").unlink()
    return moved


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.mark.slow
def test_a_second_build_fails_at_once_and_a_full_disk_keeps_the_last_good_report(
    project_copy, monkeypatch, capsys
):
    folders = project_copy
    reports = folders["reports"]
    before = _digest(reports)
    assert "index.html" in before

    # 1. A build is running: a second one fails at once, naming it.
    code = (
        "import sys, json; from pathlib import Path; "
        "from evstudy.build.pipeline import build; "
        "f = {k: Path(v) for k, v in json.loads(sys.argv[1]).items()}; "
        "build(**f, kernel_name='python3', progress=False)"
    )
    arg = json.dumps({k: str(v) for k, v in folders.items()})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    first = subprocess.Popen([sys.executable, "-c", code, arg], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (reports / LOCK_NAME).is_file():
            assert first.poll() is None, "the first build ended before it took the lock"
            time.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(BuildLocked) as caught:
            build(**folders, kernel_name="python3", progress=False)
        assert time.monotonic() - started < 5
        assert f"pid {first.pid}," in str(caught.value)
        assert str(reports / LOCK_NAME) in str(caught.value)
        # 2. It is killed (kill -9): its lock stays behind, with its children gone.
        children = _descendants(first.pid)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        _, alive = psutil.wait_procs(children, timeout=10)
        assert [p.pid for p in alive] == []
    finally:
        if first.poll() is None:
            first.kill()
        for child in _descendants(first.pid):
            child.kill()
        first.wait()
    assert json.loads((reports / LOCK_NAME).read_text())["pid"] == first.pid

    # 3. The next build takes the stale lock over, and the disk fills while it exports.
    def full(path, text):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr("evstudy.build.export.atomic_write_text", full)
    with pytest.raises(InputError) as caught:
        build(**folders, kernel_name="python3", progress=False)
    text = str(caught.value)
    assert "disk is full" in text and "fix:" in text and "last good report" in text
    assert "taking over a stale build lock" in capsys.readouterr().err
    assert _digest(reports) == before
    assert not (reports / STAGING).exists() and not (reports / STAGED_FIGURES).exists()
    assert not (reports / LOCK_NAME).exists()

    # 4. With space again, the next build completes.
    monkeypatch.undo()
    (reports / STAGING / "notebooks").mkdir(parents=True)  # as a crash would leave it
    summary = build(**folders, kernel_name="python3", progress=False)
    assert summary.ok, summary.text()
    assert not (reports / STAGING).exists() and not (reports / LOCK_NAME).exists()
    assert (reports / "index.html").is_file()


def test_the_cli_names_the_holder_after_waiting(small_study, tmp_path, capsys):
    from evstudy.build.lock import BuildLock
    from evstudy.cli import main

    reports = tmp_path / "reports"
    args = ["build", "--raw", str(small_study), "--out", str(tmp_path / "processed")]
    args += ["--reports", str(reports), "--figures", str(tmp_path / "figures")]
    with BuildLock(reports / LOCK_NAME):
        started = time.monotonic()
        assert main([*args, "--wait", "0.8"]) == 2
        assert 0.8 <= time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert f"pid {os.getpid()}," in err and "waited" in err and "Traceback" not in err
    assert not (tmp_path / "processed").exists()  # nothing was touched
