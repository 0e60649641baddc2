"""Executed notebooks lose their run times and random ids, and keep their outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from evstudy.build.normalise import normalise_notebook, write_notebook
from evstudy.build.runner import NotebookJob, run_notebooks


def executed_like() -> nbformat.NotebookNode:
    """A notebook carrying what papermill and nbclient stamp into an executed notebook."""
    injected = new_code_cell("# Parameters\nn = 3\n")
    injected.metadata["tags"] = ["injected-parameters"]
    code = new_code_cell("print(n)", execution_count=2)
    code.outputs = [new_output("stream", name="stdout", text="3\n")]
    code.metadata["execution"] = {
        "iopub.execute_input": "2024-05-01T10:00:00.1Z",
        "shell.execute_reply": "2024-05-01T10:00:00.2Z",
    }
    nb = new_notebook(cells=[new_markdown_cell("# Title"), injected, code])
    for cell in nb.cells:
        cell.metadata["papermill"] = {
            "duration": 0.01,
            "end_time": "2024-05-01T10:00:00.2",
            "exception": False,
            "start_time": "2024-05-01T10:00:00.1",
            "status": "completed",
        }
    nb.metadata["papermill"] = {
        "duration": 1.5,
        "end_time": "2024-05-01T10:00:01",
        "start_time": "2024-05-01T10:00:00",
        "parameters": {"n": 3},
        "version": "2.7.0",
    }
    return nb


def test_times_and_ids_go_and_outputs_stay() -> None:
    nb = executed_like()
    clean = normalise_notebook(nb)

    assert [cell.id for cell in clean.cells] == ["cell-0", "cell-1", "cell-2"]
    assert clean.metadata.papermill == {"parameters": {"n": 3}, "version": "2.7.0"}
    for cell in clean.cells:
        assert cell.metadata.papermill == {"exception": False, "status": "completed"}
        assert "execution" not in cell.metadata
    assert clean.cells[2].outputs == nb.cells[2].outputs
    assert clean.cells[2].execution_count == 2
    assert clean.cells[1].metadata.tags == ["injected-parameters"]
    # The input is left alone.
    assert "start_time" in nb.metadata.papermill and "execution" in nb.cells[2].metadata
    nbformat.validate(clean)


def test_metadata_keys_are_sorted() -> None:
    nb = executed_like()
    nb.metadata["zeta"] = {"b": 1, "a": 2}
    nb.metadata["alpha"] = 1
    clean = normalise_notebook(nb)
    assert list(clean.metadata) == sorted(clean.metadata)
    assert list(clean.metadata["zeta"]) == ["a", "b"]


def test_same_content_different_runs_give_same_bytes(tmp_path: Path) -> None:
    first, second = executed_like(), executed_like()
    second.cells[1]["id"] = "3f9a0c1e"  # papermill's random id for the injected cell
    second.metadata.papermill["start_time"] = "2025-01-01T00:00:00"
    second.cells[2].metadata["execution"]["iopub.execute_input"] = "2025-01-01T00:00:01Z"
    a = write_notebook(normalise_notebook(first), tmp_path / "a.ipynb").read_bytes()
    b = write_notebook(normalise_notebook(second), tmp_path / "b.ipynb").read_bytes()
    assert a == b
    assert a.endswith(b"}\n")
    assert b"2024-05-01" not in a


def test_old_format_notebooks_get_ids() -> None:
    nb = new_notebook(cells=[new_code_cell("1")])
    nb.nbformat_minor = 4
    del nb.cells[0]["id"]
    clean = normalise_notebook(nb)
    assert clean.nbformat_minor == 5 and clean.cells[0].id == "cell-0"
    nbformat.validate(clean)


def test_write_notebook_creates_folders_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = write_notebook(normalise_notebook(executed_like()), tmp_path / "deep" / "x.ipynb")
    assert nbformat.read(path, as_version=4).cells[2].outputs[0].text == "3\n"
    assert [p.name for p in path.parent.iterdir()] == ["x.ipynb"]


@pytest.mark.slow
def test_two_executions_give_identical_bytes(tmp_path: Path) -> None:
    params = new_code_cell("n = 1")
    params.metadata["tags"] = ["parameters"]
    cells = [
        new_markdown_cell("# Stable"),
        params,
        new_code_cell("import time\ntime.sleep(0.05)\nprint(n * 2)"),
        new_code_cell("{'set': sorted({'b', 'a'}), 'hash': hash('evstudy')}"),
    ]
    source = tmp_path / "stable.ipynb"
    nbformat.write(new_notebook(cells=cells), source)
    job = NotebookJob("stable", source, {"n": 21}, tmp_path / "out" / "stable.ipynb")

    runs = []
    for _ in range(2):
        (result,) = run_notebooks([job], kernel_name="python3", progress=False)
        assert result.status == "ok", str(result.error)
        runs.append(job.output.read_bytes())
    assert runs[0] == runs[1]
    text = runs[0].decode()
    assert "42" in text and "start_time" not in text and "iopub" not in text


def test_labels_replace_whole_folders_everywhere_longest_first() -> None:
    from evstudy.build.normalise import relabel_paths

    labels = {"/w/p": "data/processed", "/w/reports/.staging": "reports", "/w/reports": "R"}
    value = {
        "a": "/w/p/sites.parquet and /w/pp stays",
        "b": ["/w/reports/.staging/notebooks/x.ipynb", '"/w/p"'],
    }
    assert relabel_paths(value, labels) == {
        "a": "data/processed/sites.parquet and /w/pp stays",
        "b": ["reports/notebooks/x.ipynb", '"data/processed"'],
    }


def test_kernel_temp_folders_are_dropped_from_warnings() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("warn()")])
    text = "/tmp/ipykernel_9545/1724594591.py:1: UserWarning: few documents\n"
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stderr", text=text)]
    nb.metadata["papermill"] = {"parameters": {"processed": "/home/me/study/data/processed"}}
    clean = normalise_notebook(nb, path_labels={"/home/me/study/data/processed": "data/processed"})
    assert clean.cells[0].outputs[0].text == "1724594591.py:1: UserWarning: few documents\n"
    assert clean.metadata.papermill.parameters.processed == "data/processed"
