"""Make executed notebooks byte-stable.

papermill and nbclient stamp every run with wall-clock times (when the notebook and each
cell started and ended, how long they took, when the kernel replied) and give the injected
parameters cell a random id. The notebook also records where the build ran: the absolute
input and output paths, the absolute folders passed as parameters, and warnings that name
the kernel's temporary folder (``/tmp/ipykernel_<pid>/``). :func:`normalise_notebook`
removes the times, renumbers every cell id and writes labels in place of those paths, so
running the same notebook on the same inputs twice, in any folder, gives the same bytes.
Outputs, execution counts and the papermill status of each cell are kept: they depend on
the run, not on the clock.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from evstudy.files import atomic_write_text

__all__ = ["TIMING_KEYS", "normalise_notebook", "relabel_paths", "write_notebook"]

# papermill's clock readings, in the notebook's and in each cell's ``papermill`` metadata.
TIMING_KEYS = ("start_time", "end_time", "duration")


def _drop_timing(papermill: dict) -> None:
    for key in TIMING_KEYS:
        papermill.pop(key, None)


# A warning raised in a cell names the cell's file in the kernel's per-process folder.
_KERNEL_TMP = re.compile(r"(?:/[\w.-]+)*/ipykernel_\d+/")


def _relabel(value: object, labels: dict[str, str], pattern: re.Pattern | None) -> object:
    """``value`` with every labelled folder, and the kernel's temporary folder, replaced in
    every string all the way down."""
    if isinstance(value, str):
        # Substring tests first: outputs hold long base64 images no regex need scan.
        if pattern is not None and any(path in value for path in labels):
            value = pattern.sub(lambda m: labels[m.group(0)], value)
        return _KERNEL_TMP.sub("", value) if "ipykernel_" in value else value
    if isinstance(value, dict):
        return NotebookNode({k: _relabel(item, labels, pattern) for k, item in value.items()})
    if isinstance(value, list):
        return [_relabel(item, labels, pattern) for item in value]
    return value


def relabel_paths(value: object, path_labels: Mapping[str | Path, str] | None) -> object:
    """``value`` (a string, or dicts and lists of them) with every absolute folder in
    ``path_labels`` replaced by its label, and the kernel's temporary folder dropped.

    A folder is replaced only as a whole path component (``/a/b`` in ``/a/b/c``, not in
    ``/a/bc``); the longest folder wins.
    """
    labels = {str(path).rstrip("/"): label for path, label in (path_labels or {}).items()}
    pattern = None
    if labels:
        # Longest first, so that a folder inside another is matched as itself.
        folders = sorted(labels, key=len, reverse=True)
        pattern = re.compile("|".join(map(re.escape, folders)) + r"(?![\w.-])")
    return _relabel(value, labels, pattern)


def _sorted(value: object) -> object:
    """Dicts with sorted keys, all the way down (nbformat sorts when writing; this is for
    callers that compare or serialise the node themselves)."""
    if isinstance(value, dict):
        return NotebookNode({key: _sorted(value[key]) for key in sorted(value)})
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def normalise_notebook(
    nb: NotebookNode, *, path_labels: Mapping[str | Path, str] | None = None
) -> NotebookNode:
    """Return a copy of an executed notebook with everything that varies between runs removed.

    Removes papermill's ``start_time``, ``end_time`` and ``duration`` from the notebook's
    and the cells' metadata, nbclient's per-cell ``execution`` timing, and replaces every
    cell id (papermill gives the injected-parameters cell a random one) with
    ``cell-<index>``. Notebooks older than format 4.5 are upgraded to 4.5 so that every
    cell has an id. Every absolute folder in ``path_labels`` is replaced by its label
    wherever it appears (parameters, papermill's input and output paths, outputs), longest
    first, and the kernel's ``/tmp/ipykernel_<pid>/`` folder is dropped from warnings.
    Outputs are kept.

    Parameters
    ----------
    nb : NotebookNode
        An executed notebook, as papermill returns it or ``nbformat.read`` loads it. It is
        not modified.
    path_labels : mapping, optional
        Absolute folder -> label, e.g. ``{"/home/me/study/data/processed": "data/processed"}``.

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
    return _sorted(relabel_paths(nb, path_labels))


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
