"""Execute parameterised notebooks in parallel, in worker processes, each under a time limit.

Each worker is a Python process (``start_new_session=True``) that calls
``papermill.execute_notebook`` for one notebook at a time, in the notebook's folder, and
is then given the next; processes rather than threads give each run its own working
directory and let a hung run be killed outright. A worker whose notebook runs out of time
is killed with its kernel, and the next notebook gets a new worker. Each kernel is a new
process (forked from a template that has done the imports, see :mod:`evstudy.build.warm`).

Three known problems with running papermill in parallel are avoided on purpose:

- Kernels on TCP race for ports ("Address already in use", or a hang at start-up:
  papermill#511, jupyter_client#7, nbclient#88). Here every kernel talks over IPC sockets
  in a private temporary folder, so no two kernels can collide.
- papermill's ``cwd=`` changes the directory of the whole process. It is never used; the
  single-threaded worker changes to the notebook's folder before each run instead (as
  Jupyter starts kernels there), and notebooks should receive absolute paths as parameters.
- A kernel runs in a process session of its own, so killing a timed-out worker's process
  group leaves the kernel behind. The worker records the kernel's pid as soon as it is
  launched; on timeout both process groups are killed, and any process still holding the
  run's connection file is killed too.

papermill saves the whole executed notebook as each cell starts and ends. The worker's
engine saves it at most every ``_SAVE_EVERY`` seconds instead (and in full at the end), and
writes the index of the running cell to a small file, so a timed-out run still names it.

The kernel's environment gets ``PYTHONHASHSEED=0`` and ``MPLBACKEND=Agg``;
``SOURCE_DATE_EPOCH`` passes through when it is set. Executed notebooks, including failed
ones (kept for debugging), are written through :func:`evstudy.build.normalise.normalise_notebook`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from evstudy.build.warm import notebook_imports, relay_command, warm_template
from evstudy.errors import EvstudyError

__all__ = [
    "BuildError",
    "JobResult",
    "NotebookError",
    "NotebookJob",
    "run_notebooks",
]

Status = Literal["ok", "failed", "timeout"]

# How often the scheduler looks at its workers; well below a kernel's start-up time.
_POLL_SECONDS = 0.05
# Kernel start-up limit inside the worker (the outer wall-clock limit still applies).
_STARTUP_TIMEOUT = 120
# The worker's stderr tail quoted when it dies without saying why.
_LOG_TAIL = 2000
# Seconds between saves of a running notebook (see the module's docstring).
_SAVE_EVERY = 10.0
_RUNNING_CELL = "running-cell.json"
_ENGINE = "evstudy"


class BuildError(EvstudyError):
    """The report build could not produce an output."""


class NotebookError(BuildError):
    """A notebook failed (or ran out of time) while it was being executed.

    Parameters
    ----------
    notebook : str
        The job's name.
    cell_index : int or None
        0-based index of the failing cell in the *executed* notebook (which has papermill's
        injected-parameters cell); None when the failure was outside any cell (the kernel
        would not start, the notebook could not be read, ...).
    cell_source_excerpt : str
        The first line of that cell's source ("" when there is no cell).
    ename, evalue : str
        The exception's name and value, as the kernel reported them.
    output : Path or None
        The executed notebook kept for debugging, if one was written.
    """

    def __init__(
        self,
        notebook: str,
        cell_index: int | None,
        cell_source_excerpt: str,
        ename: str,
        evalue: str,
        output: Path | None = None,
    ) -> None:
        self.notebook = notebook
        self.cell_index = cell_index
        self.cell_source_excerpt = cell_source_excerpt
        self.ename = ename
        self.evalue = evalue
        self.output = output
        if cell_index is None:
            where = f"notebook {notebook!r} failed"
        else:
            where = f"notebook {notebook!r} failed in cell {cell_index + 1}"
            if cell_source_excerpt:
                where += f" (`{cell_source_excerpt}`)"
        message = f"{where}: {ename}: {evalue}" if evalue else f"{where}: {ename}"
        if output is not None and output.exists():
            message += f"\nThe failed executed notebook is kept at {output} for debugging."
        super().__init__(message)

    def __reduce__(self) -> tuple:  # picklable despite the custom __init__
        args = (self.notebook, self.cell_index, self.cell_source_excerpt, self.ename)
        return (type(self), (*args, self.evalue, self.output))


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute.

    Parameters
    ----------
    name : str
        Short name used in messages and the progress bar, e.g. ``"site-03"``.
    source : Path
        The notebook to execute (never modified).
    parameters : dict
        Values papermill injects after the cell tagged ``parameters``; must be JSON-able
        (pass paths as absolute strings).
    output : Path
        Where the executed notebook is written, also when the run fails.
    path_labels : dict, optional
        Absolute folder -> the label written in its place in the executed notebook (see
        :func:`evstudy.build.normalise.normalise_notebook`), so that the record does not
        depend on where the build ran.
    """

    name: str
    source: Path
    parameters: dict
    output: Path
    path_labels: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class JobResult:
    """What happened to one :class:`NotebookJob`.

    ``status`` is ``"ok"``, ``"failed"`` or ``"timeout"``; ``seconds`` is the wall-clock
    time of the worker process, kernel start-up included; ``error`` is None when ok.
    """

    job: NotebookJob
    status: Status
    seconds: float
    error: NotebookError | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _kernel_env() -> dict[str, str]:
    env = dict(os.environ)  # SOURCE_DATE_EPOCH passes through when set
    env["PYTHONHASHSEED"] = "0"
    env["MPLBACKEND"] = "Agg"
    # Debugpy warns on stderr about frozen modules in every kernel; the warning is noise here.
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


# ---------------------------------------------------------------------------------------
# The worker process: notebook after notebook, each with a new kernel.


def _ipc_kernel_manager(folder: Path, warm: dict | None = None) -> type:
    """A kernel manager whose kernel uses IPC sockets in ``folder`` and records its pid.

    With ``warm`` the kernel is forked from the build's template process (see
    :mod:`evstudy.build.warm`) through a relay, whose pid is the one recorded.
    """
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.update(transport="ipc", connection_file=str(folder / "kernel.json"))
            kwargs.update(ip=str(folder / "ipc"))
            super().__init__(**kwargs)

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            relay = relay_command(warm, kernel_cmd) if warm else None
            await super()._async_launch_kernel(relay or kernel_cmd, **kw)
            # Written before the kernel is even ready, so a timeout can always find it.
            (folder / "kernel.pid").write_text(str(self.provisioner.pid))

    return IPCKernelManager


@functools.cache
def _register_engine() -> None:
    """Register papermill's nbclient engine, with fewer saves, as the engine ``evstudy``."""
    from papermill.engines import NBClientEngine, papermill_engines

    from evstudy.files import atomic_write_text

    class ThrottledSaves(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, *, running_cell, **kwargs):
            save, last = nb_man.save, [-_SAVE_EVERY]
            cell_start = nb_man.cell_start

            def throttled(**kw: Any) -> None:
                if time.monotonic() - last[0] >= _SAVE_EVERY:
                    last[0] = time.monotonic()
                    save(**kw)

            def started(cell: Any, cell_index: int | None = None, **kw: Any) -> None:
                record = {"cell_index": cell_index, "excerpt": _first_line(cell.source)}
                atomic_write_text(running_cell, json.dumps(record))
                cell_start(cell, cell_index, **kw)

            nb_man.save, nb_man.cell_start = throttled, started
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            finally:
                nb_man.save = save  # the notebook's end is saved in full

    papermill_engines.register(_ENGINE, ThrottledSaves)


def _worker_main(spec_path: str) -> None:
    """Run one notebook as described by the JSON file ``spec_path``; write ``result.json``."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from evstudy.build.normalise import normalise_notebook, write_notebook

    _register_engine()
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    folder = Path(spec["folder"])
    output = Path(spec["output"])
    # The kernel starts in the notebook's folder, as in Jupyter. A worker runs one notebook
    # at a time in one thread, so changing its directory is safe (papermill's cwd= is not).
    os.chdir(spec["cwd"])
    result: dict[str, Any] = {"status": "ok"}
    try:
        papermill.execute_notebook(
            spec["source"],
            spec["output"],
            parameters=spec["parameters"],
            kernel_name=spec["kernel_name"],
            language="python",  # every evstudy kernel is Python; notebooks need not say so
            progress_bar=False,
            log_output=False,
            start_timeout=_STARTUP_TIMEOUT,
            kernel_manager_class=_ipc_kernel_manager(folder, spec.get("warm")),
            record_timing=False,
            engine_name=_ENGINE,
            running_cell=str(folder / _RUNNING_CELL),
        )
    except PapermillExecutionError as exc:
        result = {
            "status": "failed",
            "cell_index": exc.cell_index,
            "cell_source_excerpt": _first_line(exc.source),
            "ename": exc.ename,
            "evalue": exc.evalue,
        }
    except Exception as exc:  # the kernel did not start, the notebook is unreadable, ...
        result = {"status": "failed", "cell_index": None, "cell_source_excerpt": ""}
        result.update(ename=type(exc).__name__, evalue=str(exc))
    if output.is_file():
        try:
            nb = nbformat.read(output, as_version=4)
        except Exception:
            pass  # keep whatever papermill managed to write
        else:
            write_notebook(normalise_notebook(nb, path_labels=spec["path_labels"]), output)
    # Renamed into place: the parent takes the file's appearance to mean the run is over.
    (folder / "result.json.tmp").write_text(json.dumps(result), encoding="utf-8")
    os.replace(folder / "result.json.tmp", folder / "result.json")


def _worker_loop() -> None:
    """Run notebooks one after another: a spec path per line of stdin, until it closes."""
    for line in sys.stdin:
        if line.strip():
            _worker_main(line.strip())


# ---------------------------------------------------------------------------------------
# The parent: schedule workers, enforce the wall-clock limit, clean up kernels.


@dataclass
class _Worker:
    """A worker process; it runs notebooks sent to it one at a time, so that each notebook
    does not pay for a new Python process and papermill's imports."""

    process: subprocess.Popen
    log: Any
    log_path: Path

    def close(self, *, kill: bool) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()  # an idle worker's loop ends here
        if kill:
            _kill_group(self.process.pid)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _kill_group(self.process.pid)
            self.process.wait()
        self.log.close()


def _new_worker(root: Path) -> _Worker:
    handle, name = tempfile.mkstemp(prefix="worker-", suffix=".log", dir=root)
    log = os.fdopen(handle, "wb")  # closed by _Worker.close
    # Importing evstudy.build first skips a 2 s grammar compile nbformat never needs.
    code = "from evstudy.build.runner import _worker_loop; _worker_loop()"
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=root,
        env=_kernel_env(),
        stdin=subprocess.PIPE,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    return _Worker(process, log, Path(name))


@dataclass
class _Running:
    index: int
    job: NotebookJob
    folder: Path
    worker: _Worker
    started: float


def _start(
    index: int, job: NotebookJob, kernel_name: str, warm: dict | None, worker: _Worker
) -> _Running:
    # A short path: a Unix socket path must stay under ~100 characters.
    folder = Path(tempfile.mkdtemp(prefix="evk-"))
    spec = {
        "folder": str(folder),
        "source": str(Path(job.source).resolve()),
        "output": str(Path(job.output).resolve()),
        "cwd": str(Path(job.source).resolve().parent),
        "parameters": job.parameters,
        "path_labels": {str(k): str(v) for k, v in job.path_labels.items()},
        "kernel_name": kernel_name,
        "warm": warm,
    }
    spec_path = folder / "spec.json"
    spec_path.write_text(json.dumps(spec, default=str), encoding="utf-8")
    output = Path(job.output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    # Whatever is at the output afterwards is this run's: a failed run never leaves an
    # older, successful notebook there to be mistaken for its own.
    output.unlink(missing_ok=True)
    started = time.monotonic()
    with contextlib.suppress(OSError):  # a worker that already died is reported by _finish
        worker.process.stdin.write(f"{spec_path}\n".encode())
        worker.process.stdin.flush()
    return _Running(index, job, folder, worker, started)


def _die_with_parent() -> None:  # pragma: no cover (runs in the child before exec)
    """Ask Linux to SIGKILL the worker when the build process dies, even by SIGKILL.

    Its kernel then follows: ipykernel exits when its parent process is gone. Without
    this, a killed build would leave workers writing into a staging folder the next
    build is about to clear.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: a killed build may leave its workers to finish on their own


def _kill_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid``, and ``pid`` itself in case it leads none."""
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)


def _cmdline(pid: int) -> list[str]:
    try:
        import psutil  # comes with IPython; /proc is the fallback on Linux
    except ImportError:
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
        except OSError:
            return []
    try:
        return psutil.Process(pid).cmdline()
    except psutil.Error:
        return []


def _pids() -> list[int]:
    try:
        import psutil
    except ImportError:
        return [int(entry.name) for entry in Path("/proc").glob("[0-9]*")]
    return psutil.pids()


def _kill_kernel(folder: Path) -> None:
    """Kill the run's kernel and its process group, if it is still there.

    The kernel is recognised by its command line naming this run's connection file, so a
    reused pid is never hit. It is looked up by the pid its worker recorded, or, when the
    worker died before recording it, among all processes.
    """
    connection = os.path.realpath(folder / "kernel.json")
    pid_file = folder / "kernel.pid"
    text = pid_file.read_text().strip() if pid_file.is_file() else ""
    candidates = [int(text)] if text.isdigit() else _pids()
    for pid in candidates:
        if any(connection in arg for arg in _cmdline(pid)):
            _kill_group(pid)  # the kernel leads its own session, so its group is its own


def _timeout_cell(folder: Path) -> tuple[int | None, str]:
    """The cell the run's worker marked as running when it was stopped, if any."""
    try:
        record = json.loads((folder / _RUNNING_CELL).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, ""
    return record.get("cell_index"), record.get("excerpt", "")


def _finish(run: _Running, timed_out: bool, timeout: float) -> JobResult:
    """The run's result; a timed-out run's worker is killed (with its kernel)."""
    seconds = time.monotonic() - run.started
    output = Path(run.job.output).resolve()
    try:
        if timed_out:
            run.worker.close(kill=True)
        _kill_kernel(run.folder)  # after a timeout, and in case a worker died mid-run
        if timed_out:
            index, excerpt = _timeout_cell(run.folder)
            evalue = f"still running after {timeout:g} s, so it and its kernel were stopped"
            error = NotebookError(run.job.name, index, excerpt, "TimeoutError", evalue, output)
            return JobResult(run.job, "timeout", seconds, error)
        result_file = run.folder / "result.json"
        if not result_file.is_file():
            run.worker.close(kill=True)
            log = run.worker.log_path.read_bytes().decode("utf-8", "replace")
            evalue = f"exit code {run.worker.process.returncode}; {log[-_LOG_TAIL:].strip()}"
            error = NotebookError(run.job.name, None, "", "WorkerDied", evalue, output)
            return JobResult(run.job, "failed", seconds, error)
        result = json.loads(result_file.read_text(encoding="utf-8"))
        if result["status"] == "ok":
            return JobResult(run.job, "ok", seconds, None)
        error = NotebookError(
            run.job.name,
            result["cell_index"],
            result["cell_source_excerpt"],
            result["ename"],
            result["evalue"],
            output,
        )
        return JobResult(run.job, "failed", seconds, error)
    finally:
        shutil.rmtree(run.folder, ignore_errors=True)


@contextlib.contextmanager
def kernel_template(
    sources: Sequence[Path], kernel_name: str, *, preload: Path | None = None
) -> Iterator[dict | None]:
    """A warm-kernel template for these notebooks during the ``with`` block (or None).

    Start it early, for instance while ingest runs, and pass what it yields to
    :func:`run_notebooks` as ``warm_kernels``: it imports on the other core meanwhile.
    With ``preload`` (the processed folder the notebooks read) it also loads the study
    before the first kernel is forked, so the folder must be complete by then.
    """
    with tempfile.TemporaryDirectory(prefix="evt-") as folder:
        template = warm_template(
            Path(folder),
            notebook_imports(sources),
            kernel_name=kernel_name,
            env=_kernel_env(),
            preexec_fn=_die_with_parent,
            preload=preload,
        )
        with template as warm:
            yield warm


def run_notebooks(
    jobs: Sequence[NotebookJob],
    *,
    workers: int | None = None,
    timeout: float = 900,
    kernel_name: str = "evstudy",
    progress: bool = True,
    warm_kernels: bool | dict | None = True,
    on_result: Callable[[JobResult], object] | None = None,
) -> list[JobResult]:
    """Execute notebooks with papermill, several at a time, each under a wall-clock limit.

    A failing notebook does not stop the others; its executed notebook (with the
    traceback) is kept at its output path. Nothing is raised for failed notebooks: look at
    each result's ``status`` and ``error``.

    Parameters
    ----------
    jobs : sequence of NotebookJob
        The notebooks to run; no two may share an output path.
    workers : int, optional
        How many notebooks run at once; defaults to the number of CPUs.
    timeout : float, default 900
        Seconds each notebook may take, kernel start-up included. When it runs out the
        worker and its kernel are killed and the result's status is ``"timeout"``.
    kernel_name : str, default "evstudy"
        The Jupyter kernel to execute with (``make venv`` installs ``evstudy``).
    progress : bool, default True
        Show one tqdm progress bar across all notebooks (on stderr).
    warm_kernels : bool or dict, default True
        Fork kernels from a process that has already imported what the notebooks import
        (:mod:`evstudy.build.warm`; Linux only, and off when ``EVSTUDY_WARM_KERNELS=0``).
        Each kernel is still a fresh process; only the import time is saved. A dict is a
        template already running (from :func:`kernel_template`), False or None none.
    on_result : callable, optional
        Called with each result as soon as its notebook is done (in this process).

    Returns
    -------
    list of JobResult
        One per job, in the order of ``jobs``.

    Raises
    ------
    ValueError
        If ``workers`` or ``timeout`` is not positive, or two jobs share an output.
    """
    from tqdm import tqdm

    jobs = list(jobs)
    if workers is None:
        workers = os.cpu_count() or 1
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"`workers` must be a positive integer, but {workers!r} was passed")
    if not timeout > 0:
        raise ValueError(
            f"`timeout` must be a positive number of seconds, but {timeout!r} was passed"
        )
    outputs = [Path(job.output).resolve() for job in jobs]
    if len(set(outputs)) != len(outputs):
        dupes = sorted({str(p) for p in outputs if outputs.count(p) > 1})
        raise ValueError(f"each job needs its own output, but several write to {dupes}")

    results: list[JobResult | None] = [None] * len(jobs)
    pending = list(enumerate(jobs))[::-1]  # popped from the end, so in order
    running: list[_Running] = []
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="evt-")))
        if warm_kernels is True and jobs:
            sources = sorted({Path(job.source) for job in jobs})
            warm = stack.enter_context(kernel_template(sources, kernel_name))
        else:
            warm = warm_kernels or None
        bar = tqdm(total=len(jobs), desc="notebooks", unit="nb", disable=not progress, leave=True)
        idle: list[_Worker] = []
        try:
            while pending or running:
                while pending and len(running) < workers:
                    index, job = pending.pop()
                    worker = idle.pop() if idle else _new_worker(folder)
                    running.append(_start(index, job, kernel_name, warm, worker))
                for run in list(running):
                    done = (run.folder / "result.json").is_file()
                    dead = run.worker.process.poll() is not None
                    timed_out = time.monotonic() - run.started > timeout
                    if not (done or dead or timed_out):
                        continue
                    running.remove(run)
                    result = _finish(run, timed_out and not done and not dead, timeout)
                    if run.worker.process.poll() is None:
                        idle.append(run.worker)
                    results[run.index] = result
                    if on_result is not None:
                        on_result(result)
                    bar.set_postfix_str(f"{run.job.name}: {result.status}", refresh=False)
                    bar.update(1)
                time.sleep(_POLL_SECONDS)
        finally:
            for run in running:  # interrupted: leave no worker or kernel behind
                run.worker.close(kill=True)
                _kill_kernel(run.folder)
                shutil.rmtree(run.folder, ignore_errors=True)
            for worker in idle:
                worker.close(kill=False)
            bar.close()
    return [result for result in results if result is not None]
