"""Incremental builds: which edits make a notebook stale, and which only need re-rendering."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from evstudy.build.cache import (
    COMPONENTS,
    dependency_digest,
    is_fresh,
    markdown_changed,
    record_success,
    refresh_markdown,
    sidecar_path,
)
from evstudy.build.normalise import normalise_notebook, write_notebook
from evstudy.build.runner import BuildError, NotebookJob, run_notebooks


def source_notebook() -> nbformat.NotebookNode:
    params = new_code_cell("table = ''")
    params.metadata["tags"] = ["parameters"]
    body = new_code_cell("import pandas as pd\nprint(open(table).read())")
    body.metadata["tags"] = ["report:findings"]
    return new_notebook(
        cells=[
            new_markdown_cell("# Findings"),
            params,
            new_markdown_cell("Intro prose."),
            body,
            new_markdown_cell("Closing prose."),
        ]
    )


def fake_execute(job: NotebookJob) -> None:
    """Write what papermill would: the injected cell after ``parameters``, and outputs."""
    nb = nbformat.read(job.source, as_version=4)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if "parameters" in cell.metadata.get("tags", []):
            lines = "".join(f"{k} = {v!r}\n" for k, v in job.parameters.items())
            injected = new_code_cell("# Parameters\n" + lines)
            injected.metadata["tags"] = ["injected-parameters"]
            cells.append(injected)
    for count, cell in enumerate(c for c in cells if c.cell_type == "code"):
        cell.execution_count = count + 1
    cells[-2].outputs = [new_output("stream", name="stdout", text="a,b\n")]
    nb.cells = cells
    write_notebook(normalise_notebook(nb), job.output)


@pytest.fixture
def project(tmp_path: Path) -> dict:
    src = tmp_path / "src" / "evstudy"
    (src / "sub").mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (src / "sub" / "stats.py").write_text("def f():\n    return 1\n")
    (src / "sub" / "notes.txt").write_text("not code")
    lock = tmp_path / "requirements.lock"
    lock.write_text("pandas==2.3.1\n")
    table = tmp_path / "processed" / "codings.csv"
    table.parent.mkdir()
    table.write_text("a,b\n")
    source = tmp_path / "findings.ipynb"
    nbformat.write(source_notebook(), source)
    job = NotebookJob("findings", source, {"table": str(table)}, tmp_path / "out" / "f.ipynb")
    return {"job": job, "src": src, "lock": lock, "table": table, "tmp": tmp_path}


def digest(p: dict, job: NotebookJob | None = None) -> dict[str, str]:
    job = job or p["job"]
    return dependency_digest(job, inputs=[p["table"]], source_root=p["src"], lock=p["lock"])


def built(p: dict) -> dict[str, str]:
    """Execute (fake) and record success; return the digest recorded."""
    fake_execute(p["job"])
    d = digest(p)
    record_success(p["job"], d)
    return d


def edit_source(job: NotebookJob, index: int, text: str) -> None:
    nb = nbformat.read(job.source, as_version=4)
    nb.cells[index].source = text
    nbformat.write(nb, job.source)


def test_digest_has_every_component_as_sha256(project: dict) -> None:
    d = digest(project)
    assert set(d) == set(COMPONENTS)
    assert all(len(v) == 64 and int(v, 16) >= 0 for v in d.values())
    assert d == digest(project)  # deterministic


def test_unchanged_is_fresh(project: dict) -> None:
    built(project)
    assert sidecar_path(project["job"]).name == "f.ipynb.deps.json"
    record = json.loads(sidecar_path(project["job"]).read_text())
    assert record["notebook"] == "findings"
    assert is_fresh(project["job"], digest(project))
    assert not markdown_changed(project["job"])


def test_never_run_is_stale(project: dict) -> None:
    assert not is_fresh(project["job"], digest(project))


def test_code_cell_edit_is_stale(project: dict) -> None:
    before = built(project)
    edit_source(project["job"], 3, "import pandas as pd\nprint(open(table).read().upper())")
    after = digest(project)
    assert not is_fresh(project["job"], after)
    assert [k for k in COMPONENTS if after[k] != before[k]] == ["code"]


def test_moving_the_parameters_tag_is_stale(project: dict) -> None:
    before = built(project)
    nb = nbformat.read(project["job"].source, as_version=4)
    nb.cells[1].metadata["tags"] = []
    nb.cells[3].metadata["tags"] = ["parameters"]
    nbformat.write(nb, project["job"].source)
    after = digest(project)
    assert after["code"] != before["code"]
    assert not is_fresh(project["job"], after)


def test_markdown_only_edit_is_fresh_but_markdown_changed(project: dict) -> None:
    before = built(project)
    edit_source(project["job"], 2, "Rewritten intro prose.")
    after = digest(project)
    assert after == before
    assert is_fresh(project["job"], after)
    assert markdown_changed(project["job"])


def test_tag_edit_on_a_code_cell_is_fresh_but_markdown_changed(project: dict) -> None:
    built(project)
    nb = nbformat.read(project["job"].source, as_version=4)
    nb.cells[3].metadata["tags"] = ["report:synthesis"]
    nbformat.write(nb, project["job"].source)
    assert is_fresh(project["job"], digest(project))
    assert markdown_changed(project["job"])


def test_refresh_markdown_keeps_outputs_and_freshness(project: dict) -> None:
    job = project["job"]
    built(project)
    nb = nbformat.read(job.source, as_version=4)
    nb.cells[2].source = "New intro."
    nb.cells.insert(4, new_markdown_cell("An added paragraph."))
    nb.cells[3].metadata["tags"] = ["report:synthesis"]
    nbformat.write(nb, job.source)

    assert refresh_markdown(job) is True
    assert not markdown_changed(job)
    assert is_fresh(job, digest(project))
    executed = nbformat.read(job.output, as_version=4)
    sources = [c.source for c in executed.cells]
    assert sources[:3] == [
        "# Findings",
        "table = ''",
        f"# Parameters\ntable = {str(project['table'])!r}\n",
    ]
    assert sources[3:] == [
        "New intro.",
        nb.cells[3].source,
        "An added paragraph.",
        "Closing prose.",
    ]
    assert executed.cells[4].outputs[0].text == "a,b\n"
    assert executed.cells[4].metadata.tags == ["report:synthesis"]
    assert refresh_markdown(job) is False  # nothing left to do


def test_refresh_markdown_refuses_when_code_changed(project: dict) -> None:
    built(project)
    edit_source(project["job"], 3, "print('different')")
    edit_source(project["job"], 2, "New intro.")
    with pytest.raises(BuildError, match="run the notebook again"):
        refresh_markdown(project["job"])


def test_parameter_change_is_stale(project: dict) -> None:
    built(project)
    other = NotebookJob(
        "findings", project["job"].source, {"table": "x.csv"}, project["job"].output
    )
    assert not is_fresh(other, digest(project, other))


def test_input_file_change_is_stale(project: dict) -> None:
    built(project)
    project["table"].write_text("a,b\n1,2\n")
    assert not is_fresh(project["job"], digest(project))


def test_input_folder_counts_every_file(project: dict) -> None:
    job, folder = project["job"], project["table"].parent
    d1 = dependency_digest(job, inputs=[folder], source_root=project["src"], lock=project["lock"])
    (folder / "new.parquet").write_bytes(b"PAR1")
    d2 = dependency_digest(job, inputs=[folder], source_root=project["src"], lock=project["lock"])
    assert d1["inputs"] != d2["inputs"]


def test_package_source_change_is_stale_but_non_python_files_do_not_count(project: dict) -> None:
    before = built(project)
    (project["src"] / "sub" / "notes.txt").write_text("edited")
    assert digest(project) == before
    (project["src"] / "sub" / "stats.py").write_text("def f():\n    return 2\n")
    assert not is_fresh(project["job"], digest(project))


def test_lock_change_is_stale(project: dict) -> None:
    built(project)
    project["lock"].write_text("pandas==2.3.2\n")
    assert not is_fresh(project["job"], digest(project))


def test_output_overwritten_by_a_failed_run_is_stale(project: dict) -> None:
    d = built(project)
    job = project["job"]
    nb = nbformat.read(job.output, as_version=4)
    failed = copy.deepcopy(nb)
    failed.cells[4].outputs = [new_output("error", ename="KeyError", evalue="'x'", traceback=[])]
    write_notebook(failed, job.output)
    assert not is_fresh(job, d)
    job.output.unlink()
    assert not is_fresh(job, d)


def test_record_success_needs_an_output(project: dict) -> None:
    with pytest.raises(BuildError, match="missing or unreadable"):
        record_success(project["job"], digest(project))


@pytest.mark.slow
def test_real_run_then_markdown_edit(project: dict) -> None:
    job = project["job"]
    (result,) = run_notebooks([job], kernel_name="python3", progress=False)
    assert result.status == "ok", str(result.error)
    d = digest(project)
    record_success(job, d)
    assert is_fresh(job, d) and not markdown_changed(job)
    edit_source(job, 4, "Closing prose, edited.")
    assert is_fresh(job, digest(project)) and markdown_changed(job)
    assert refresh_markdown(job)
    assert is_fresh(job, digest(project)) and not markdown_changed(job)
    assert "Closing prose, edited." in job.output.read_text()
