"""``fork_map``: the same function over many items, on every core, results in order.

The build's export and the privacy audit work file by file, and each file is
independent of the others. Worker processes are forked, so they start in
milliseconds with everything the parent has already loaded (the study, the
compiled patterns, the HTML exporter) and nothing needs pickling but each
result. Where ``fork`` is not available (Windows) the items are done one after
another, with the same results.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Generic, TypeVar

__all__ = ["Background", "die_with_parent", "fork_map", "in_background", "workers_for"]

T = TypeVar("T")
R = TypeVar("R")

# What the forked workers run: set just before the pool forks them, so that the function
# and the items reach them by inheritance rather than by pickling.
_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def workers_for(items: int, workers: int | None = None) -> int:
    """How many processes to use for ``items`` independent items: ``workers`` (default
    the number of cores), but never more than there are items, and at least one."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)):
        raise ValueError(f"`workers` must be a positive integer, but {workers!r} was passed")
    if workers is not None and workers < 1:
        raise ValueError(f"`workers` must be a positive integer, but {workers!r} was passed")
    return max(1, min(workers or os.cpu_count() or 1, items))


def die_with_parent(parent: int | None = None) -> None:
    """Ask Linux to SIGKILL this process when its parent dies, even by SIGKILL.

    Call it first thing in a forked child. ``parent``, the parent's pid as the parent saw
    it, closes the race of a parent that died before the request was made: the child then
    exits at once. Elsewhere than Linux it does nothing (a killed parent may leave its
    children to finish on their own).
    """
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def _outcome(func: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
    """(True, func(*args)), or (False, the exception) made fit to send to another process."""
    try:
        return True, func(*args)
    except BaseException as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # an exception that cannot travel: send its traceback instead
            exc = RuntimeError("".join(traceback.format_exception(exc)))
        return False, exc


def _call(index: int) -> tuple[bool, Any]:  # runs in a forked worker
    func, items = _TASK  # type: ignore[misc]
    return _outcome(func, items[index])


def fork_map(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int | None = None,
    cost: Callable[[T], float] | None = None,
) -> list[R]:
    """``[func(item) for item in items]``, computed in forked worker processes.

    Parameters
    ----------
    func : callable
        Any callable, closures included (it is inherited, not pickled); its results must
        be picklable. It runs in a copy of this process, so what it changes in memory is
        lost: it should return what it found, or write files.
    items : sequence
    workers : int, optional
        Processes to use (default: the number of cores); 1 does the items here, in order.
    cost : callable, optional
        An item's expected cost: costly items start first, so that no long item is left
        running alone at the end.

    Returns
    -------
    list
        The results, in the order of ``items``.

    Raises
    ------
    Exception
        The first item's exception (in the order of ``items``), as raised by ``func``.
    """
    global _TASK
    items = list(items)
    n = workers_for(len(items), workers)
    if n == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [func(item) for item in items]
    order = list(range(len(items)))
    if cost is not None:
        order.sort(key=lambda i: -cost(items[i]))
    _TASK = (func, items)
    try:
        with ProcessPoolExecutor(
            n,
            mp_context=multiprocessing.get_context("fork"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            futures = {i: pool.submit(_call, i) for i in order}
            done = [futures[i].result() for i in range(len(items))]
    finally:
        _TASK = None
    for ok, value in done:
        if not ok:
            raise value
    return [value for _, value in done]


class Background(Generic[R]):
    """A computation running in a forked process; :meth:`result` waits for it."""

    def __init__(self, func: Callable[..., R], args: tuple) -> None:
        self._func, self._args = func, args
        self._process: Any = None
        self._done: tuple[bool, Any] | None = None
        if "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self._pipe, sender = context.Pipe(duplex=False)
            parent = os.getpid()

            def run() -> None:  # in the child
                # A killed parent never reads the result: the child would block on the pipe.
                die_with_parent(parent)
                sender.send(_outcome(func, *args))

            self._process = context.Process(target=run, daemon=True)
            self._process.start()
            sender.close()

    def result(self) -> R:
        """The function's value, or its exception raised here. Without ``fork`` the
        function runs now, in this process."""
        if self._done is None:
            if self._process is None:
                self._done = _outcome(self._func, *self._args)
            else:
                try:
                    self._done = self._pipe.recv()
                except EOFError:  # the process died without a word (killed, out of memory)
                    code = self._process.exitcode
                    self._done = (False, RuntimeError(f"the background process died ({code})"))
                self._process.join()
        ok, value = self._done
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """End the process if it is still running (its result is then lost)."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
        if self._process is not None:
            self._process.join()
            self._pipe.close()


@contextlib.contextmanager
def in_background(func: Callable[..., R], *args: Any) -> Iterator[Background[R]]:
    """Run ``func(*args)`` in a forked process while the ``with`` block runs.

    Call ``.result()`` inside the block to wait for the value; at the end of the block a
    process still running is killed, so an early exit (an error) does not wait for it.
    """
    job = Background(func, args)
    try:
        yield job
    finally:
        job.stop()
