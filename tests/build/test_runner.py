"""Parallel notebook execution: parameters, failures, timeouts and kernel clean-up.

Notebooks are tiny and built here; they run on ipykernel's own ``python3`` kernel, except
one test that uses the project's ``evstudy`` kernel.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from evstudy.build.runner import (
    BuildError,
    JobResult,
    NotebookError,
    NotebookJob,
    kernel_template,
    run_notebooks,
)
from evstudy.errors import EvstudyError


def make_notebook(path: Path, *sources: str, parameters: str | None = None) -> Path:
    """A notebook with an optional ``parameters`` cell first, then one code cell per source."""
    cells = [new_markdown_cell("# A test notebook")]
    if parameters is not None:
        cell = new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        cells.append(cell)
    cells += [new_code_cell(source) for source in sources]
    nbformat.write(new_notebook(cells=cells), path)
    return path


def stdout_of(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(
        "".join(out.get("text", "")) for cell in nb.cells for out in cell.get("outputs", [])
    )


def alive(pid: int, cmdline_part: str) -> bool:
    """Whether ``pid`` is still a process whose command line contains ``cmdline_part``."""
    psutil = pytest.importorskip("psutil")
    try:
        proc = psutil.Process(pid)
        return proc.status() != psutil.STATUS_ZOMBIE and any(
            cmdline_part in arg for arg in proc.cmdline()
        )
    except psutil.Error:
        return False


def running(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process; pids are not reused within a test."""
    psutil = pytest.importorskip("psutil")
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def test_notebook_error_message_names_notebook_cell_and_error(tmp_path: Path) -> None:
    kept = tmp_path / "out.ipynb"
    kept.write_text("{}")
    error = NotebookError("site-03", 4, "df = load(x)", "KeyError", "'code'", kept)
    message = str(error)
    assert isinstance(error, BuildError) and isinstance(error, EvstudyError)
    assert "'site-03'" in message
    assert "cell 5" in message and "df = load(x)" in message
    assert "KeyError: 'code'" in message
    assert f"kept at {kept} for debugging" in message


def test_notebook_error_without_cell_or_output(tmp_path: Path) -> None:
    error = NotebookError("a", None, "", "NoSuchKernel", "nope", tmp_path / "never.ipynb")
    assert "cell" not in str(error)
    assert "kept" not in str(error)


@pytest.mark.parametrize("workers", [0, -1, 1.5])
def test_workers_must_be_positive(tmp_path: Path, workers: object) -> None:
    with pytest.raises(ValueError, match="`workers` must be"):
        run_notebooks([], workers=workers)  # type: ignore[arg-type]


def test_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="`timeout` must be"):
        run_notebooks([], timeout=0)


def test_jobs_must_not_share_an_output(tmp_path: Path) -> None:
    source = make_notebook(tmp_path / "a.ipynb", "1")
    jobs = [NotebookJob(n, source, {}, tmp_path / "out.ipynb") for n in ("a", "b")]
    with pytest.raises(ValueError, match="own output"):
        run_notebooks(jobs)


def test_no_jobs_gives_no_results() -> None:
    assert run_notebooks([], progress=False) == []


@pytest.mark.slow
def test_four_notebooks_on_two_workers_all_ok(tmp_path: Path) -> None:
    source = make_notebook(
        tmp_path / "param.ipynb",
        "import os\nprint(f'{site}:{n * 2}')",
        "print(os.environ['PYTHONHASHSEED'], os.environ['MPLBACKEND'])",
        parameters="site = 'default'\nn = 0",
    )
    jobs = [
        NotebookJob(f"site-{i}", source, {"site": f"S{i}", "n": i}, tmp_path / f"out/s{i}.ipynb")
        for i in range(4)
    ]
    results = run_notebooks(jobs, workers=2, kernel_name="python3", progress=False, timeout=120)

    assert [r.job for r in results] == jobs  # in the order of the jobs
    assert [r.status for r in results] == ["ok"] * 4, [str(r.error) for r in results]
    assert all(isinstance(r, JobResult) and r.error is None and r.seconds > 0 for r in results)
    for i, job in enumerate(jobs):
        assert job.output.is_file()
        out = stdout_of(job.output)
        assert f"S{i}:{2 * i}\n" in out  # the injected parameters won over the defaults
        assert "0 Agg\n" in out  # the kernel's environment
    assert nbformat.read(source, as_version=4).cells[1].outputs == []  # source untouched


@pytest.mark.slow
def test_failing_notebook_is_reported_kept_and_does_not_stop_others(tmp_path: Path) -> None:
    bad = make_notebook(
        tmp_path / "bad.ipynb",
        "x = 1",
        "values = {'a': 1}\nvalues['missing']",
        "print('never reached')",
        parameters="label = 'x'",
    )
    good = make_notebook(tmp_path / "good.ipynb", "print('fine')")
    jobs = [
        NotebookJob("bad", bad, {"label": "y"}, tmp_path / "out" / "bad.ipynb"),
        NotebookJob("good", good, {}, tmp_path / "out" / "good.ipynb"),
    ]
    failed, fine = run_notebooks(jobs, workers=1, kernel_name="python3", progress=False)

    assert fine.status == "ok" and "fine\n" in stdout_of(fine.job.output)
    assert failed.status == "failed"
    error = failed.error
    assert isinstance(error, NotebookError)
    # Cells of the executed notebook: title, parameters, injected parameters, x = 1, failing.
    assert error.cell_index == 4
    assert error.cell_source_excerpt == "values = {'a': 1}"
    assert (error.ename, error.evalue) == ("KeyError", "'missing'")
    message = str(error)
    assert "'bad'" in message and "cell 5" in message and "values = {'a': 1}" in message
    assert "KeyError: 'missing'" in message
    assert str(jobs[0].output.resolve()) in message
    # The failed executed notebook is kept, with the traceback and without the later output.
    kept = jobs[0].output.read_text()
    assert '"ename": "KeyError"' in kept
    assert "never reached" not in stdout_of(jobs[0].output)


@pytest.mark.slow
def test_missing_kernel_fails_without_cell(tmp_path: Path) -> None:
    source = make_notebook(tmp_path / "a.ipynb", "1")
    job = NotebookJob("a", source, {}, tmp_path / "a.out.ipynb")
    (result,) = run_notebooks([job], kernel_name="no-such-kernel-xyz", progress=False)
    assert result.status == "failed"
    assert result.error is not None and result.error.cell_index is None
    assert "no-such-kernel-xyz" in result.error.evalue


@pytest.mark.slow
def test_the_executed_notebook_is_not_rewritten_after_every_cell(tmp_path: Path) -> None:
    # papermill by default saves the whole notebook as each cell starts and ends; here a
    # quick run is saved as it starts and once at the end, so the second cell reads a
    # saved notebook without the first cell's output, and the final one has both.
    out = tmp_path / "out.ipynb"
    source = make_notebook(
        tmp_path / "saves.ipynb",
        "print('first cell ran')",
        f"import json\nsaved = json.load(open({str(out)!r}))\n"
        "outputs = [o for cell in saved['cells'] for o in cell.get('outputs', [])]\n"
        "print('seen' if outputs else 'not yet')",
    )
    (result,) = run_notebooks(
        [NotebookJob("saves", source, {}, out)], kernel_name="python3", progress=False
    )

    assert result.ok, result.error
    assert stdout_of(out) == "first cell ran\nnot yet\n"


@pytest.mark.slow
def test_timeout_kills_worker_kernel_and_kernel_children(tmp_path: Path) -> None:
    pytest.importorskip("psutil")
    marker = tmp_path / "kernel.json"
    source = make_notebook(
        tmp_path / "hang.ipynb",
        "import json, os, subprocess, sys, time\n"
        "child = subprocess.Popen(['sleep', '600'])\n"
        f"open({str(marker)!r}, 'w').write(json.dumps("
        "{'pid': os.getpid(), 'child': child.pid, 'argv': sys.argv}))\n"
        "while True:\n"
        "    time.sleep(1)",
    )
    job = NotebookJob("hang", source, {}, tmp_path / "hang.out.ipynb")
    (result,) = run_notebooks([job], kernel_name="python3", progress=False, timeout=10)

    assert result.status == "timeout"
    assert result.error is not None and result.error.ename == "TimeoutError"
    assert result.error.cell_index == 1  # the cell that was running
    assert marker.is_file(), "the kernel never started, so nothing was tested"
    seen = json.loads(marker.read_text())
    connection = seen["argv"][seen["argv"].index("-f") + 1]
    assert not running(seen["pid"])  # a warm kernel's command line is its template's
    assert not alive(seen["child"], "sleep")
    psutil = pytest.importorskip("psutil")
    survivors = [
        p.pid for p in psutil.process_iter(["cmdline"]) if connection in (p.info["cmdline"] or [])
    ]
    assert survivors == []


@pytest.mark.slow
def test_evstudy_kernel(tmp_path: Path) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec("evstudy")
    except NoSuchKernel:
        pytest.skip("the evstudy kernel is not installed (make venv installs it)")
    source = make_notebook(
        tmp_path / "k.ipynb", "import sys\nprint(sys.executable)\nprint(sys._xoptions)"
    )
    job = NotebookJob("k", source, {}, tmp_path / "k.out.ipynb")
    (result,) = run_notebooks([job], progress=False)  # kernel_name defaults to evstudy
    assert result.status == "ok", str(result.error)
    executable, xoptions = stdout_of(job.output).splitlines()
    assert Path(executable).resolve() == Path(spec.argv[0]).resolve()
    # The evstudy kernel's own launch options (ipykernel's python3 kernel has none).
    expected = {a[2:].split("=")[0] for a in spec.argv if a.startswith("-X")}
    assert set(ast.literal_eval(xoptions)) == expected


@pytest.mark.slow
def test_warm_kernels_are_fresh_processes_that_skip_the_imports(tmp_path: Path) -> None:
    # The first cell looks before the notebook imports anything; the template has
    # imported pandas because a later cell does. Everything else is as in a cold kernel.
    probe = (
        "import os, sys\n"
        "print('pandas' in sys.modules, os.getcwd())\n"
        "names = sorted(k for k in globals() if not k.startswith('_'))\n"
        "print(get_ipython().execution_count, names)"
    )
    source = make_notebook(tmp_path / "probe.ipynb", probe, "import pandas\nx = 1")
    outputs = {}
    for warm in (True, False):
        job = NotebookJob("probe", source, {}, tmp_path / f"probe-{warm}.ipynb")
        (result,) = run_notebooks([job], kernel_name="python3", progress=False, warm_kernels=warm)
        assert result.ok, result.error
        outputs[warm] = stdout_of(job.output)
    # Both run in the notebook's folder (the worker's working directory).
    assert outputs[True].startswith(f"True {tmp_path.resolve()}\n")
    assert outputs[False].startswith(f"False {tmp_path.resolve()}\n")
    # Same execution count and a namespace as empty as a cold kernel's, in every fork.
    assert outputs[True].split("\n")[1:] == outputs[False].split("\n")[1:]


@pytest.mark.slow
def test_a_dead_worker_is_reported_and_the_next_notebook_gets_a_new_one(tmp_path: Path) -> None:
    # Workers run notebook after notebook; one that dies mid-run takes only its notebook.
    killer = make_notebook(tmp_path / "kill.ipynb", "import os, signal\nos.kill(os.getppid(), 9)")
    fine = make_notebook(tmp_path / "fine.ipynb", "print('ran')")
    jobs = [
        NotebookJob("kill", killer, {}, tmp_path / "kill.out.ipynb"),
        NotebookJob("fine", fine, {}, tmp_path / "fine.out.ipynb"),
        NotebookJob("again", fine, {}, tmp_path / "again.out.ipynb"),
    ]
    # A cold kernel's parent is its worker (a warm kernel's is the template).
    killed, ok, again = run_notebooks(
        jobs, workers=1, kernel_name="python3", progress=False, warm_kernels=False, timeout=120
    )
    assert killed.status == "failed" and killed.error is not None
    assert killed.error.ename == "WorkerDied" and killed.error.cell_index is None
    assert ok.ok and again.ok
    assert stdout_of(jobs[1].output) == stdout_of(jobs[2].output) == "ran\n"


@pytest.mark.slow
def test_kernels_start_cold_when_the_template_is_gone(tmp_path: Path) -> None:
    # A template that died (or never came up) must not stop the build: the relay becomes
    # the cold kernel itself.
    source = make_notebook(tmp_path / "a.ipynb", "import sys\nprint('pandas' in sys.modules)")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    warm = {"socket": str(tmp_path / "none.sock"), "template": dead.pid}
    warm["prefix"] = [sys.executable]  # the python3 kernel's, as jupyter_client runs it
    job = NotebookJob("a", source, {}, tmp_path / "a.out.ipynb")
    (result,) = run_notebooks([job], kernel_name="python3", progress=False, warm_kernels=warm)
    assert result.ok, result.error
    assert stdout_of(job.output) == "False\n"


@pytest.mark.slow
def test_kernels_get_the_study_the_template_preloaded(tmp_path: Path, demo_processed: Path) -> None:
    # The study, and the cross-site tables every site page reads, are loaded once in the
    # template; a forked kernel's load_study returns that study instead of reading it again.
    probe = (
        "import evstudy.study as s\n"
        "kept = [study for _, study in s._PRELOADED.values()]\n"
        f"study = s.load_study({str(demo_processed)!r})\n"
        "print(len(kept), study is kept[0], ('site_ranks', 'code', 'primary') in study._derived)"
    )
    source = make_notebook(tmp_path / "probe.ipynb", probe)
    job = NotebookJob("probe", source, {}, tmp_path / "probe.out.ipynb")
    with kernel_template([source], "python3", preload=demo_processed) as warm:
        assert warm is not None
        (result,) = run_notebooks([job], kernel_name="python3", progress=False, warm_kernels=warm)
    assert result.ok, result.error
    assert stdout_of(job.output) == "1 True True\n"
