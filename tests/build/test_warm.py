"""Warm kernels: what the template imports and which kernels it may fork."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from evstudy.build.warm import kernel_prefix, notebook_imports, relay_command


def test_notebook_imports_reads_code_cells_and_keeps_the_heavy_modules(tmp_path: Path) -> None:
    cells = [
        new_markdown_cell("import numpy  # prose, not code"),
        new_code_cell("%matplotlib inline"),  # not Python: skipped, not an error
        new_code_cell("import os, json\nimport pandas as pd\nfrom evstudy.charts import survey"),
        new_code_cell("from evstudy import load_study\nfrom . import local\nimport requests"),
    ]
    path = tmp_path / "a.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    (tmp_path / "broken.ipynb").write_text("{not json")
    found = notebook_imports([path, tmp_path / "broken.ipynb", tmp_path / "missing.ipynb"])
    assert found == [
        "evstudy",
        "evstudy.charts",
        "evstudy.charts.survey",
        "evstudy.load_study",
        "pandas",
    ]


def test_kernel_prefix_is_the_interpreter_and_its_options() -> None:
    argv = ["/venv/bin/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"]
    assert kernel_prefix(argv) == ["/venv/bin/python", "-Xfrozen_modules=off"]
    assert kernel_prefix(["python", "-m", "ipykernel", "-f", "c.json"]) == ["python"]
    assert kernel_prefix(["R", "--slave", "-e", "IRkernel::main()", "c.json"]) is None
    assert kernel_prefix(["python", "-m", "some_other_kernel", "-f", "c.json"]) is None


def test_relay_only_for_kernels_started_like_the_template() -> None:
    prefix = [sys.executable, "-Xfrozen_modules=off"]
    warm = {"socket": "/tmp/t.sock", "prefix": prefix, "template": 12345}
    same = [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"]
    relay = relay_command(warm, same)
    assert relay is not None
    assert relay[0] == sys.executable and relay[-2:] == ["-f", "c.json"]
    how = json.loads(relay[-3])
    assert (how["socket"], how["template"]) == ("/tmp/t.sock", 12345)
    assert how["cold"] == same  # what the relay becomes if the template never comes up
    # Other interpreter options would make the fork a different kernel: start it cold.
    assert relay_command(warm, [sys.executable, "-m", "ipykernel_launcher", "-f", "c"]) is None
    assert relay_command(warm, ["/other/python", "-Xfrozen_modules=off", "-m", "ipykernel"]) is None
