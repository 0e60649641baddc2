"""Every child of a build dies with it, even when the build is killed with SIGKILL."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import psutil

# A stand-in for a build: the page writer's early process, a background job (as ingest and
# the withdrawal search run) and fork_map's workers (as the export and the audit use), all
# blocked when the parent is killed.
_PARENT = """
import time
from evstudy.build.pages import PageWriter
from evstudy.parallel import fork_map, in_background

writer = PageWriter([], early=True)
with in_background(time.sleep, 300):
    fork_map(time.sleep, [300, 300], workers=2)
"""


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def test_children_die_when_their_parent_is_killed():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_descendants(parent.pid)) < 4:
            assert parent.poll() is None, "the stand-in build ended early"
            time.sleep(0.1)
        children = _descendants(parent.pid)
        assert len(children) >= 4  # page writer, background job, two fork_map workers
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        _gone, alive = psutil.wait_procs(children, timeout=5)
        assert [p.pid for p in alive] == []
    finally:
        # Whatever the outcome, leave nothing behind (the group is the stand-in's own).
        for child in _descendants(parent.pid):
            child.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(parent.pid, signal.SIGKILL)
