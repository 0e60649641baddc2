"""Architecture rules that no single module's tests can see."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "evstudy"


def test_only_the_generator_knows_the_planted_truth():
    offenders = [
        str(path.relative_to(ROOT))
        for path in SRC.rglob("*.py")
        if "synth" not in path.relative_to(SRC).parts and "planted_truth" in path.read_text()
    ]
    assert not offenders, f"analysis code must never read planted_truth.yml: {offenders}"


def test_design_card_layout_exists():
    for folder in (
        "notebooks",
        "src/evstudy",
        "data/raw",
        "data/processed",
        "figures",
        "tests",
        "reports",
    ):
        assert (ROOT / folder).is_dir(), folder
    for file in (
        "environment.yml",
        "README.md",
        "pyproject.toml",
        "Makefile",
        ".ci/run",
        "CHANGELOG.md",
    ):
        assert (ROOT / file).is_file(), file


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    block = text.split("```")[1]
    assert "make report" in block and "make test" in block
    assert text.index("make report") < 200


def test_ci_runs_make_test():
    assert re.search(r"^make test$", (ROOT / ".ci/run").read_text(), flags=re.M)


def test_every_public_module_declares_all():
    missing = [
        str(p.relative_to(ROOT))
        for p in SRC.rglob("*.py")
        if not p.name.startswith("_") and "__all__" not in p.read_text()
    ]
    assert not missing, f"modules without __all__: {missing}"


def test_notebooks_are_committed_without_outputs():
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        dirty = [
            i
            for i, c in enumerate(cells)
            if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
        ]
        assert not dirty, f"{notebook.name}: cells {dirty} have outputs"


@pytest.mark.slow
def test_committed_demo_is_exactly_what_the_generator_makes(demo_raw, tmp_path):
    from evstudy.synth import generate_study

    truth = (demo_raw / "README.md").read_text()
    seed = int(re.search(r"--seed (\d+)", truth).group(1))
    sites = int(re.search(r"--sites (\d+)", truth).group(1))
    generate_study(tmp_path / "raw", seed=seed, sites=sites)

    def digest(folder: Path) -> dict[str, str]:
        return {
            str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    assert digest(tmp_path / "raw") == digest(demo_raw), (
        "data/raw differs from the generator's output: run `make synth-demo` and commit"
    )


@pytest.mark.slow
def test_explore_notebook_runs_on_the_demo(demo_raw, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    from evstudy import load_study
    from evstudy.ingest import ingest

    ingest(demo_raw, tmp_path / "processed", key_dir=tmp_path / "keys")
    notebook = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    notebook.cells[1].source = f"processed = {str(tmp_path / 'processed')!r}\nsite = None"
    NotebookClient(notebook, kernel_name="python3", timeout=120, record_timing=False).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    text = json.dumps(
        [o.get("data", {}).get("text/plain", "") or o.get("text", "") for o in outputs]
    )
    assert "synthetic study" in text  # the Study's repr
    assert "attribution" in text and "kappa" in text and "saturation" in text
    study = load_study(tmp_path / "processed")
    first = study.sites["site_name"].iloc[0]
    # The site None means, by its name (the profile opens with it).
    assert re.search(rf"{re.escape(first)} is (?:the only )?one of the study's", text)
    for label in study.role_group_labels.values():  # choices() lists the labels a filter takes
        assert label in text
    assert "bar chart of" in text  # the first survey chart's alt text
    assert any("image/png" in o.get("data", {}) for o in outputs)


def test_exports_are_the_functions_not_modules_of_the_same_name():
    import importlib
    import types

    import evstudy

    # Import every submodule first: Python then sets package attributes that can shadow exports.
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if parts[-1] != "__init__" and "synth" not in parts:
            importlib.import_module(".".join(parts))
    for name in evstudy.__all__:
        value = getattr(evstudy, name)
        assert not isinstance(value, types.ModuleType), f"evstudy.{name} is a module"


def test_no_test_folder_is_skipped_by_pytest(request):
    """pytest skips folders matching `norecursedirs` (by default any named "build"), which
    once left tests/build out of every run without a word."""
    import fnmatch

    patterns = request.config.getini("norecursedirs")
    tests = Path(__file__).resolve().parent
    folders = [p for p in tests.rglob("*") if p.is_dir() and list(p.glob("test_*.py"))]
    assert any(folder.name == "build" for folder in folders)
    skipped = [
        str(folder.relative_to(tests))
        for folder in folders
        if any(fnmatch.fnmatch(folder.name, pattern) for pattern in patterns)
    ]
    assert not skipped, f"pytest would not collect {skipped}; see norecursedirs in pyproject.toml"
