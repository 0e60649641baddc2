"""One build at a time: a lock file that names its holder.

Two builds writing the same staging folder trip over each other (one removes what the
other is writing). A build therefore takes a lock before it touches the processed,
figures and reports folders: a small JSON file created with ``O_CREAT | O_EXCL`` (so that
exactly one process creates it) recording the holder's host, pid and start time. A second
build fails at once with an error naming the holder, or waits for it (``--wait``).

A lock is stale only when its holder ran on this host and that process is gone (a build
killed with ``kill -9``, or a power cut); it is then taken over, and the console says so.
A lock held on another host is never taken over: its process cannot be checked from here.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from evstudy.errors import EvstudyError

__all__ = ["LOCK_NAME", "BuildLock", "BuildLocked"]

LOCK_NAME = ".build.lock"
# A lock file that cannot be read is being written by its creator; after this long it
# is a leftover of a process killed between creating and writing it.
_UNREADABLE_GRACE = 5.0


class BuildLocked(EvstudyError):
    """Another build holds the lock."""

    def __init__(self, path: str | Path, holder: dict, waited: float = 0.0) -> None:
        self.path, self.holder = Path(path), dict(holder)
        who = _describe(holder)
        after = f" (waited {waited:g} s)" if waited else ""
        super().__init__(
            f"{path}: another build is running{after}: {who}.\n"
            "    fix: wait for it to finish, or run `evstudy build --wait SECONDS` to wait "
            f"for it; if no build is running on {holder.get('host', '?')}, delete {path}."
        )

    def __reduce__(self) -> tuple:
        return (type(self), (self.path, self.holder))


def _describe(holder: dict) -> str:
    return (
        f"host {holder.get('host', '?')}, pid {holder.get('pid', '?')}, "
        f"started {holder.get('started', '?')}"
    )


def _alive(pid: int, started: float | None) -> bool:
    """Whether process ``pid`` exists and is the one that started at ``started``."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    if started is not None:
        try:
            import psutil

            # A pid reused by a process started after the lock was taken is not its holder.
            return psutil.Process(pid).create_time() <= started + 1.0
        except ImportError:
            return True
        except Exception:  # gone meanwhile
            return False
    return True


class BuildLock:
    """The build lock at ``path``, held during a ``with`` block.

    Parameters
    ----------
    path : path
        The lock file (created, with its folder, if missing).
    wait : float, default 0
        Seconds to wait for another build to finish before giving up; 0 fails at once.
    poll : float, default 0.5
        Seconds between two looks at a held lock while waiting.
    say : callable, optional
        Where to tell the user about a stale lock taken over (default: print).

    Raises
    ------
    BuildLocked
        When another live build holds the lock (after ``wait`` seconds).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        wait: float = 0.0,
        poll: float = 0.5,
        say: Callable[[str], object] | None = None,
    ) -> None:
        if not wait >= 0:
            raise ValueError(f"`wait` must be a number of seconds >= 0, but {wait!r} was passed")
        self.path = Path(path)
        self.wait, self.poll = float(wait), float(poll)
        self.say = say or print
        self.record: dict | None = None

    def _create(self) -> bool:
        record = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "started_epoch": time.time(),
        }
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        try:
            os.write(fd, (json.dumps(record, sort_keys=True) + "\n").encode("utf-8"))
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            self.path.unlink(missing_ok=True)
            raise
        os.close(fd)
        self.record = record
        return True

    def _holder(self) -> tuple[dict | None, str]:
        """The holder's record and the file's text ({} when unreadable, None when gone)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None, ""
        try:
            record = json.loads(text)
            return (record if isinstance(record, dict) else {}), text
        except ValueError:
            return {}, text

    def _stale(self, holder: dict) -> bool:
        if not holder:
            try:
                return time.time() - self.path.stat().st_mtime > _UNREADABLE_GRACE
            except FileNotFoundError:
                return False
        if holder.get("host") != socket.gethostname():
            return False
        pid = holder.get("pid")
        if not isinstance(pid, int) or pid <= 0:
            return False
        epoch = holder.get("started_epoch")
        return not _alive(pid, epoch if isinstance(epoch, (int, float)) else None)

    def _take_over(self, text: str) -> None:
        """Remove the stale lock whose content is ``text``, unless it changed meanwhile."""
        aside = self.path.with_name(f"{self.path.name}.stale-{os.getpid()}")
        try:
            os.rename(self.path, aside)  # only one of several takers succeeds
        except FileNotFoundError:
            return
        try:
            if aside.read_text(encoding="utf-8") != text:
                # A new holder created it between our look and the rename: give it back.
                with contextlib.suppress(FileExistsError):
                    os.link(aside, self.path)
        finally:
            aside.unlink(missing_ok=True)

    def acquire(self) -> None:
        """Take the lock, waiting up to ``wait`` seconds for a live holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        start = time.monotonic()
        while True:
            if self._create():
                return
            holder, text = self._holder()
            if holder is None:
                continue  # released meanwhile
            if self._stale(holder):
                self.say(
                    f"taking over a stale build lock {self.path} "
                    f"({_describe(holder) if holder else 'unreadable'}: that process is gone)"
                )
                self._take_over(text)
                continue
            waited = time.monotonic() - start
            if waited >= self.wait:
                raise BuildLocked(self.path, holder, round(waited, 1) if self.wait else 0.0)
            time.sleep(min(self.poll, max(self.wait - waited, 0.01)))

    def release(self) -> None:
        """Remove the lock file, if it is still this process's."""
        if self.record is None:
            return
        holder, _ = self._holder()
        if holder == self.record:
            self.path.unlink(missing_ok=True)
        self.record = None

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
