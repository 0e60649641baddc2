"""One build at a time: the lock file, its holder, waiting and stale locks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from evstudy.build.lock import LOCK_NAME, BuildLock, BuildLocked


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_lock_records_host_pid_and_start_time_and_is_released(tmp_path):
    path = tmp_path / "reports" / LOCK_NAME
    with BuildLock(path):
        record = json.loads(path.read_text())
        assert record["host"] == socket.gethostname()
        assert record["pid"] == os.getpid()
        assert record["started"][:4].isdigit() and "T" in record["started"]
    assert not path.exists()


def test_a_second_lock_fails_at_once_naming_the_holder(tmp_path):
    path = tmp_path / LOCK_NAME
    with BuildLock(path):
        record = json.loads(path.read_text())
        started = time.monotonic()
        with pytest.raises(BuildLocked) as caught:
            BuildLock(path).acquire()
        assert time.monotonic() - started < 1
        text = str(caught.value)
        assert f"pid {os.getpid()}" in text
        assert f"host {socket.gethostname()}" in text
        assert record["started"] in text
        assert "--wait" in text
    assert not path.exists()


def test_a_lock_is_released_on_an_error_and_on_ctrl_c(tmp_path):
    path = tmp_path / LOCK_NAME
    for exc in (RuntimeError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(exc)), BuildLock(path):
            raise exc
        assert not path.exists()


def test_waiting_gets_the_lock_when_the_holder_finishes(tmp_path):
    path = tmp_path / LOCK_NAME
    first = BuildLock(path)
    first.acquire()
    threading.Timer(0.6, first.release).start()
    started = time.monotonic()
    with BuildLock(path, wait=10, poll=0.05):
        assert 0.5 < time.monotonic() - started < 5
        assert json.loads(path.read_text())["pid"] == os.getpid()


def test_waiting_times_out_with_the_same_error(tmp_path):
    path = tmp_path / LOCK_NAME
    with BuildLock(path):
        started = time.monotonic()
        with pytest.raises(BuildLocked, match=f"pid {os.getpid()}"):
            BuildLock(path, wait=0.5, poll=0.05).acquire()
        assert 0.5 <= time.monotonic() - started < 3


def test_a_lock_of_a_dead_process_on_this_host_is_taken_over(tmp_path):
    path = tmp_path / LOCK_NAME
    dead = _dead_pid()
    path.write_text(json.dumps({"host": socket.gethostname(), "pid": dead, "started": "x"}))
    said = []
    with BuildLock(path, say=said.append):
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert len(said) == 1 and "stale" in said[0] and f"pid {dead}" in said[0]
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_a_lock_of_another_host_or_a_live_process_is_never_taken_over(tmp_path):
    path = tmp_path / LOCK_NAME
    dead = _dead_pid()
    path.write_text(json.dumps({"host": "elsewhere.invalid", "pid": dead, "started": "x"}))
    with pytest.raises(BuildLocked, match=r"host elsewhere\.invalid"):
        BuildLock(path).acquire()
    # pid 1 is alive (and, for a non-root user, someone else's process).
    path.write_text(json.dumps({"host": socket.gethostname(), "pid": 1, "started": "x"}))
    with pytest.raises(BuildLocked, match="pid 1,"):
        BuildLock(path).acquire()
    assert json.loads(path.read_text())["pid"] == 1


def test_a_reused_pid_does_not_keep_a_stale_lock(tmp_path):
    # The holder's pid now belongs to a process started after the lock was taken.
    path = tmp_path / LOCK_NAME
    record = {"host": socket.gethostname(), "pid": os.getpid(), "started_epoch": 1.0}
    path.write_text(json.dumps(record | {"started": "1970-01-01T00:00:01+00:00"}))
    with BuildLock(path, say=lambda _: None):
        assert json.loads(path.read_text())["started_epoch"] > 1.0


def test_wait_must_not_be_negative(tmp_path):
    with pytest.raises(ValueError, match="`wait` must be"):
        BuildLock(tmp_path / LOCK_NAME, wait=-1)
