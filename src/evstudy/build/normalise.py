"""Make executed notebooks byte-stable.

papermill and nbclient stamp every run with wall-clock times (when the notebook and each
cell started and ended, how long they took, when the kernel replied) and give the injected
parameters cell a random id. :func:`normalise_notebook` removes the times and renumbers
every cell id, so running the same notebook on the same inputs twice gives the same bytes.
Outputs, execution counts and the papermill status of each cell are kept: they depend on
the run, not on the clock.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from evstudy.files import atomic_write_text

__all__ = ["TIMING_KEYS", "normalise_notebook", "write_notebook"]

# papermill's clock readings, in the notebook's and in each cell's ``papermill`` metadata.
TIMING_KEYS = ("start_time", "end_time", "duration")


def _drop_timing(papermill: dict) -> None:
    for key in TIMING_KEYS:
        papermill.pop(key, None)


def _sorted(value: object) -> object:
    """Dicts with sorted keys, all the way down (nbformat sorts when writing; this is for
    callers that compare or serialise the node themselves)."""
    if isinstance(value, dict):
        return NotebookNode({key: _sorted(value[key]) for key in sorted(value)})
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def normalise_notebook(nb: NotebookNode) -> NotebookNode:
    """Return a copy of an executed notebook with everything that varies between runs removed.

    Removes papermill's ``start_time``, ``end_time`` and ``duration`` from the notebook's
    and the cells' metadata, nbclient's per-cell ``execution`` timing, and replaces every
    cell id (papermill gives the injected-parameters cell a random one) with
    ``cell-<index>``. Notebooks older than format 4.5 are upgraded to 4.5 so that every
    cell has an id. Outputs are kept.

    Parameters
    ----------
    nb : NotebookNode
        An executed notebook, as papermill returns it or ``nbformat.read`` loads it. It is
        not modified.

    Returns
    -------
    NotebookNode
        The normalised copy.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    >>> nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2024-05-01T10:00:00Z"}
    >>> clean = normalise_notebook(nb)
    >>> clean.cells[0].id, "execution" in clean.cells[0].metadata
    ('cell-0', False)
    """
    nb = copy.deepcopy(nb)
    if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 0) < 5:
        nb["nbformat_minor"] = 5
    _drop_timing(nb.metadata.get("papermill", {}))
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
        cell.metadata.pop("execution", None)
        _drop_timing(cell.metadata.get("papermill", {}))
    return _sorted(nb)


def write_notebook(nb: NotebookNode, path: str | Path) -> Path:
    """Write ``nb`` to ``path`` atomically, in nbformat's canonical form with a final newline.

    Parameters
    ----------
    nb : NotebookNode
        The notebook, normally already passed through :func:`normalise_notebook`.
    path : str or Path
        Where to write it; folders are created.

    Returns
    -------
    Path
        ``path``.
    """
    return atomic_write_text(path, nbformat.writes(nb) + "\n")
