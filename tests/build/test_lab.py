"""The notebooks in a real JupyterLab, driven in Debian's chromium by Playwright.

A researcher opens ``explore.ipynb`` in ``make lab`` and runs every cell. This test does the
same: it starts ``jupyter lab`` from the venv on a free port (with a token, no browser,
``--allow-root`` when run as root, as ``make lab`` does) with the evstudy kernel, opens a copy
of the notebooks on the demo study ingested into a temporary folder, runs all cells from the
Run menu, waits until the kernel is idle and every cell has run, and finds no error output,
neither on the page nor in the saved notebook. The notebooks folder is never written to.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "explore.ipynb"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 180  # seconds for the server to answer; a cold JupyterLab on 2 busy cores is slow
RUN_TIMEOUT = 600  # seconds for every cell of the notebook to run


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is missing on CI: .ci/run must install Debian's chromium package")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _lab_command(port: int, token: str, home: Path) -> list[str]:
    """``jupyter lab`` as ``make lab`` runs it, headless and with its state kept in ``home``."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={home / 'notebooks'}",
        f"--LabApp.user_settings_dir={home / 'settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")  # what `make lab` passes too
    return command


class Lab:
    """A running JupyterLab server and its REST API."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (home / "lab.log").open("wb")
        self.process = subprocess.Popen(
            _lab_command(self.port, self.token, home),
            cwd=home,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.log_path = home / "lab.log"

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(
            f"{self.url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method == "POST" else None,
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"jupyter lab exited at once:\n{self.log_text()}")
            try:
                self.api("status")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        pytest.fail(f"jupyter lab did not answer in {START_TIMEOUT} s:\n{self.log_text()}")

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        """Shut the kernels and the server down, then make sure the process is gone."""
        try:
            for kernel in self.api("kernels"):
                self.api(f"kernels/{kernel['id']}", method="DELETE")
            self.api("shutdown", method="POST")
            self.process.wait(timeout=30)
        except (urllib.error.URLError, OSError, subprocess.TimeoutExpired):
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        finally:
            self.log.close()


@pytest.fixture
def lab(demo_processed, tmp_path):
    """JupyterLab on a copy of the notebooks, reading the demo ingested into a temporary folder."""
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    # JupyterLab-wide settings: every cell attached to the page, so that the page shows them all.
    tracker = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    venv_jupyter = Path(sys.prefix) / "share" / "jupyter"
    env = {
        **os.environ,
        # The kernel the Makefile installs into the venv (`make lab` sets the same path).
        "JUPYTER_PATH": str(venv_jupyter),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "IPYTHONDIR": str(tmp_path / "ipython"),
        "MPLCONFIGDIR": str(tmp_path / "matplotlib"),
        # The notebook reads the study named here (its `processed` parameter defaults to it).
        "EVSTUDY_PROCESSED": str(demo_processed),
        # The kernel imports the sources under test, not whichever evstudy the venv holds.
        "PYTHONPATH": os.pathsep.join(
            p for p in [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")] if p
        ),
    }
    env.pop("JUPYTER_TOKEN", None)
    server = Lab(tmp_path, env)
    try:
        server.wait_until_up()
        yield server
    finally:
        server.stop()
    assert server.process.returncode is not None, "the server is stopped"


@pytest.fixture
def browser():
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _prompts(page) -> list[str]:
    return page.eval_on_selector_all(
        ".jp-Notebook .jp-CodeCell .jp-InputArea-prompt", "els => els.map(e => e.innerText.trim())"
    )


def _wait_for_the_kernel(page, lab: Lab, tmp_path: Path) -> list[dict]:
    """The sessions once the notebook's kernel has started and is idle."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        sessions = lab.api("sessions")
        if sessions and all(s["kernel"]["execution_state"] == "idle" for s in sessions):
            return sessions
        time.sleep(1)
    page.screenshot(path=str(tmp_path / "no-kernel.png"))
    pytest.fail(f"no idle kernel in {START_TIMEOUT} s (see {tmp_path}):\n{lab.log_text()}")


def _run_all_from_the_menu(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def _wait_until_the_run_ends(page, lab: Lab) -> list[str]:
    """Poll until no cell is queued or running and the kernel is idle: the prompts then.

    Run All stops at a cell that fails, leaving the cells after it unrun ("[ ]:"), so the
    run has ended when nothing shows "[*]:" any more, not when every cell has a count.
    """
    deadline = time.monotonic() + RUN_TIMEOUT
    idle_since = None
    while time.monotonic() < deadline:
        prompts = _prompts(page)
        started = any(p.strip("[]: ").isdigit() for p in prompts)
        pending = any("*" in p for p in prompts)
        kernels = lab.api("kernels")
        idle = bool(kernels) and all(k["execution_state"] == "idle" for k in kernels)
        if started and idle and not pending:
            # Still so a second later: not a gap between two cells.
            if idle_since is not None and time.monotonic() - idle_since >= 1:
                return prompts
            idle_since = idle_since or time.monotonic()
        else:
            idle_since = None
        time.sleep(1)
    pytest.fail(f"the run did not end in {RUN_TIMEOUT} s: prompts {_prompts(page)}")


@pytest.mark.slow
def test_explore_runs_every_cell_in_jupyterlab_without_an_error(lab, browser, tmp_path):
    copy = tmp_path / "notebooks" / NOTEBOOK
    original = hashlib.sha256((ROOT / "notebooks" / NOTEBOOK).read_bytes()).hexdigest()
    cells = json.loads(copy.read_text(encoding="utf-8"))["cells"]
    n_code = sum(c["cell_type"] == "code" for c in cells)
    assert n_code > 0
    specs = lab.api("kernelspecs")["kernelspecs"]
    assert "evstudy" in specs, f"no evstudy kernel (run `make venv`): {sorted(specs)}"

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.set_default_timeout(120_000)
    page.goto(f"{lab.url}/lab/tree/{NOTEBOOK}?token={lab.token}", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=START_TIMEOUT * 1000)
    # The notebook's own kernel, started and ready, before anything is run.
    sessions = _wait_for_the_kernel(page, lab, tmp_path)
    assert [s["kernel"]["name"] for s in sessions] == ["evstudy"]

    _run_all_from_the_menu(page)
    prompts = _wait_until_the_run_ends(page, lab)

    stderr = page.eval_on_selector_all(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]',
        "els => els.map(e => e.innerText)",
    )
    assert not [s for s in stderr if "Traceback" in s], stderr
    assert page.locator(".jp-RenderedText[data-mime-type*='error']").count() == 0
    # Every code cell ran, in order: Run All stops at the first cell that fails.
    assert prompts == [f"[{i}]:" for i in range(1, n_code + 1)], prompts
    assert page.locator(".jp-OutputArea-output").count() > 0, "the notebook shows its results"

    # Saved from the page, the copy holds every output: none of them an error.
    before = copy.stat().st_mtime_ns
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 60
    while copy.stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.5)
    saved = json.loads(copy.read_text(encoding="utf-8"))["cells"]
    code = [c for c in saved if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, n_code + 1))
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert errors == [], [f"{e['ename']}: {e['evalue']}" for e in errors]
    assert page_errors == []
    context.close()
    # Only the copy was written to.
    assert hashlib.sha256((ROOT / "notebooks" / NOTEBOOK).read_bytes()).hexdigest() == original


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_allows_root_exactly_when_run_as_root():
    # -n: print the command only; -o: take the venv as installed, whatever its state.
    printed = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "lab"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in printed.splitlines() if "jupyter lab" in line)
    assert ("--allow-root" in line) == (os.geteuid() == 0)
