"""Warm kernels: fork each notebook's kernel from a process that has done the imports.

A kernel spends its first seconds importing pandas, matplotlib and evstudy, and a
build starts one kernel per notebook: with a notebook per site that is most of the
build. Here one *template* process per build imports what the notebooks import (read
from their code cells) and then only forks. Each fork becomes a fresh ipykernel with
its own process session, namespace, execution counter and working directory, exactly
as if started cold, minus the imports. The template never runs notebook code, so no
run can see another's state.

jupyter_client still launches the kernel command it always does, only through a small
*relay*: a stdlib-only process that asks the template for a fork, forwards signals
(interrupts, terminate) to it and exits when it does. The fork exits when its relay
dies, so killing a run's relay (on a timeout, or when the whole build is killed) ends
the kernel too. On a machine without ``fork`` or ``pidfd_open`` (anything but Linux),
or when the template fails to start, kernels start cold as before.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

__all__ = ["kernel_prefix", "notebook_imports", "relay_command", "warm_template"]

# Modules worth importing ahead: the heavy ones notebooks use. Others are left to the
# notebook, so that an import error still shows in the notebook's own cell.
_PRELOAD_ROOTS = frozenset({"evstudy", "IPython", "matplotlib", "numpy", "pandas", "seaborn"})
# Always needed by the kernel itself.
_KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "matplotlib_inline")
# What evstudy imports only on first use (so that a researcher's session does not pay for
# them up front), which a page of the report does use: the suppression solver, the Wilson
# intervals, the chart downsizing.
_EVSTUDY_LAZY = ("scipy.optimize", "statsmodels.stats.proportion", "PIL.Image")
_READY_TIMEOUT = 120.0

# The relay: stdlib only, so it starts in milliseconds. argv: socket, then kernel args.
_RELAY = """\
import json, os, select, signal, socket, sys, time
try:
    import ctypes
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # die with the papermill worker
except Exception:
    pass
warm, args = json.loads(sys.argv[1]), sys.argv[2:]
conn = socket.socket(socket.AF_UNIX)
deadline = time.monotonic() + warm["wait"]
while True:  # the template may still be importing
    try:
        conn.connect(warm["socket"])
        break
    except OSError:
        try:
            os.kill(warm["template"], 0)
            alive = True
        except OSError:
            alive = False
        if not alive or time.monotonic() > deadline:
            os.execv(warm["cold"][0], warm["cold"])  # no template: become a cold kernel
        time.sleep(0.02)
request = {"args": args, "cwd": os.getcwd(), "env": dict(os.environ), "relay": os.getpid()}
conn.sendall(json.dumps(request).encode() + b"\\n")
pid = json.loads(conn.makefile().readline())["pid"]
conn.close()
def forward(signum, frame):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(signum, forward)
try:
    select.select([os.pidfd_open(pid)], [], [])  # until the kernel exits
except ProcessLookupError:
    pass
"""


def supported() -> bool:
    """Whether kernels can be forked here (Linux: ``fork`` and ``pidfd_open``)."""
    return hasattr(os, "fork") and hasattr(os, "pidfd_open") and sys.platform == "linux"


def notebook_imports(notebooks: Iterable[Path]) -> list[str]:
    """The heavy modules the notebooks' code cells import, sorted.

    Cells that are not plain Python (magics) are skipped; so are modules outside
    evstudy and the scientific stack, which a notebook imports quickly itself.
    """
    found: set[str] = set()
    for path in notebooks:
        try:
            cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            try:
                tree = ast.parse("".join(source) if isinstance(source, list) else source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module)
                    # "from evstudy.charts import survey" imports a submodule
                    found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return sorted(m for m in found if m.split(".")[0] in _PRELOAD_ROOTS)


def kernel_prefix(argv: list[str]) -> list[str] | None:
    """The interpreter and its options in an ipykernel command line, or None for other kernels.

    ``[python, -Xfrozen_modules=off, -m, ipykernel_launcher, -f, ...]`` gives
    ``[python, -Xfrozen_modules=off]``: the template is started with exactly these, so a
    forked kernel runs the interpreter, with the options, the kernel spec asks for.
    """
    try:
        at = argv.index("-m")
    except ValueError:
        return None
    if argv[at + 1 : at + 2] not in (["ipykernel_launcher"], ["ipykernel"]):
        return None
    return list(argv[:at])


def spec_prefix(kernel_name: str) -> list[str] | None:
    """:func:`kernel_prefix` of an installed kernel spec (None when it is not installed)."""
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
    except Exception:  # missing or broken: the worker reports it, with the kernel's name
        return None
    prefix = kernel_prefix(argv)
    # jupyter_client runs a spec's bare "python" as its own interpreter; so does the template.
    major, minor = sys.version_info[:2]
    if prefix and prefix[0] in {"python", f"python{major}", f"python{major}.{minor}"}:
        prefix[0] = sys.executable
    return prefix


def relay_command(warm: dict, kernel_cmd: list[str]) -> list[str] | None:
    """The relay's command line for ``kernel_cmd``, or None when the template cannot fork it.

    ``warm`` is what :func:`warm_template` yields: the template's socket and the
    interpreter prefix it was started with, which ``kernel_cmd`` must share.
    """
    prefix = kernel_prefix(kernel_cmd)
    if prefix is None or prefix != warm["prefix"]:
        return None
    # Until the template is ready the relay waits; if it never is, the relay becomes the
    # cold kernel itself (same pid, so jupyter_client does not notice).
    how = {k: warm[k] for k in ("socket", "template")} | {"wait": _READY_TIMEOUT}
    how["cold"] = list(kernel_cmd)
    return [sys.executable, "-S", "-c", _RELAY, json.dumps(how), *kernel_cmd[len(prefix) + 2 :]]


# ---------------------------------------------------------------------------------------
# The template process.


# The study the template last computed the cross-site tables for; False once loading failed.
_PRIMED: list = [None]


def _preload(processed: str) -> None:  # pragma: no cover (subprocess)
    """Load the study and its cross-site tables, for every kernel forked after this.

    Asked before every fork, so it does the work once per loaded study (preload itself
    only checks that the files are unchanged) and gives up after a failure.
    """
    if _PRIMED[0] is False:
        return
    try:
        from evstudy.casestudy import precompute
        from evstudy.study import preload

        study = preload(processed)
        if study is not _PRIMED[0]:
            precompute(study)
            _PRIMED[0] = study
    except Exception:  # the notebooks load it themselves, and report what is wrong
        import traceback

        traceback.print_exc()
        _PRIMED[0] = False


def _serve(
    socket_path: str, modules: list[str], preload: str | None = None
) -> None:  # pragma: no cover (subprocess)
    """Import ``modules``, then fork a kernel for every request on ``socket_path``.

    With ``preload`` (a processed folder), the study there is loaded before each fork
    (once, while its files are unchanged): kernels are asked for only once ingest is done.
    """
    lazy = _EVSTUDY_LAZY if any(m.split(".")[0] == "evstudy" for m in modules) else ()
    for name in [*_KERNEL_MODULES, *modules, *lazy]:
        with contextlib.suppress(Exception):  # the notebook will report it, in its cell
            importlib.import_module(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped automatically
    server = socket.socket(socket.AF_UNIX)
    server.bind(socket_path + ".tmp")
    server.listen(64)
    os.rename(socket_path + ".tmp", socket_path)  # appears only once it accepts
    while True:
        conn, _ = server.accept()
        with conn:
            request = json.loads(conn.makefile().readline())
            if preload:
                _preload(preload)
            pid = os.fork()
            if pid == 0:
                server.close()
                conn.close()
                _become_kernel(request)
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")


def _become_kernel(request: dict) -> None:  # pragma: no cover (runs in a fork)
    import threading

    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the kernel's subprocesses need it
        os.setsid()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ.pop("JPY_PARENT_PID", None)  # its parent is the template; the relay is watched
        relay = os.pidfd_open(request["relay"])

        def watch() -> None:
            import select

            select.select([relay], [], [])
            # The relay is gone (a timeout, or the build was killed): end the kernel and
            # whatever it started, which share its process group.
            os.killpg(0, signal.SIGKILL)

        threading.Thread(target=watch, daemon=True).start()
        sys.argv = ["ipykernel_launcher", *request["args"]]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=request["args"])
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


@contextlib.contextmanager
def warm_template(
    folder: Path,
    modules: list[str],
    *,
    kernel_name: str,
    env: dict[str, str],
    preexec_fn: Callable[[], None] | None = None,
    preload: Path | None = None,
) -> Iterator[dict | None]:
    """Run a template process for kernel ``kernel_name`` during the ``with`` block.

    With ``preload``, a processed folder, the template loads the study there (see
    :func:`evstudy.study.preload`) and its cross-site tables when the first kernel is
    asked for, so ask for kernels only once the folder is complete.

    Yields ``{"socket": path, "prefix": [...], "template": pid}`` for :func:`relay_command`,
    or None (kernels start cold) when forking is not supported here,
    ``EVSTUDY_WARM_KERNELS=0`` or the kernel is not ipykernel. Kernels launched before the
    template is ready wait for it; if it dies or is not ready within two minutes, they
    start cold (its log is ``folder/template.log``).
    """
    prefix = spec_prefix(kernel_name) if supported() else None
    if prefix is None or os.environ.get("EVSTUDY_WARM_KERNELS", "1") == "0":
        yield None
        return
    socket_path = str(folder / "template.sock")
    code = "import sys, json; from evstudy.build.warm import _serve; "
    code += "_serve(sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] or None)"
    env = {k: v for k, v in env.items() if k != "JPY_PARENT_PID"}
    with open(folder / "template.log", "wb") as log:
        process = subprocess.Popen(
            [*prefix, "-c", code, socket_path, json.dumps(modules), str(preload or "")],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=preexec_fn,
        )
        try:
            # Not waited for: it imports while the build does other work, and each relay
            # waits for it (or starts its kernel cold) on its own.
            yield {"socket": socket_path, "prefix": prefix, "template": process.pid}
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
