"""Incremental builds: skip a notebook when nothing it depends on has changed.

A notebook's dependencies are summarised as a *digest*, one sha256 per component:

``code``
    the source notebook's code cells (and which one is tagged ``parameters``). Markdown,
    raw cells and cell tags are left out: editing prose never forces a re-run; see
    :func:`markdown_changed` and :func:`refresh_markdown` for bringing the prose up to date.
``parameters``
    the values papermill injects.
``inputs``
    the files the notebook reads (the processed tables it is told about). Among them is
    ``report_text.parquet``, the research team's section texts (``report/*.md``, as ingest
    redacted them): editing a section re-runs the notebooks that render it, while an
    unchanged study stays a no-op.
``package``
    every ``.py`` file of the evstudy package.
``lock``
    the dependency lock (``requirements.lock``).

After a successful run :func:`record_success` writes the digest to a sidecar beside the
output (``<output>.deps.json``) together with a fingerprint of the executed code cells and
their outputs. :func:`is_fresh` is true only when the digest is unchanged *and* the output
is still the one that run produced, so a later failed or interrupted run, which overwrites
the output, is never mistaken for a fresh one.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from evstudy.build.normalise import normalise_notebook, relabel_paths, write_notebook
from evstudy.build.runner import BuildError, NotebookJob
from evstudy.files import atomic_write_text, sha256_file

__all__ = [
    "COMPONENTS",
    "dependency_digest",
    "is_fresh",
    "markdown_changed",
    "record_success",
    "recorded_figures",
    "refresh_markdown",
    "shared_digest",
    "sidecar_path",
]

COMPONENTS = ("code", "parameters", "inputs", "package", "lock")
SIDECAR_SUFFIX = ".deps.json"
MISSING = "missing"
# Cells papermill adds to an executed notebook; they are not in the source.
INJECTED_TAG = "injected-parameters"
ERROR_MARKER_TAG = "papermill-error-cell-tag"


# A no-op build reads each notebook several times; parsing and validating one costs ~10 ms.
_PARSED: dict[Path, tuple[tuple[int, int, int], NotebookNode]] = {}


def _read(path: Path | str, *, mutable: bool = False) -> NotebookNode:
    """``nbformat.read``, parsed once per file version (inode, size, mtime).

    The parsed notebook is shared between callers; ask for ``mutable`` to get a copy to edit.
    """
    path = Path(path)
    stat = path.stat()
    stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    cached = _PARSED.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, nbformat.read(path, as_version=4))
        _PARSED[path] = cached
    return copy.deepcopy(cached[1]) if mutable else cached[1]


def sidecar_path(job: NotebookJob) -> Path:
    """Where the dependency record of ``job`` lives: ``<output>.deps.json``."""
    output = Path(job.output)
    return output.with_name(output.name + SIDECAR_SUFFIX)


def _sha(data: object) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _tags(cell: NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _is_papermill_cell(cell: NotebookNode) -> bool:
    return bool({INJECTED_TAG, ERROR_MARKER_TAG} & set(_tags(cell)))


def _code_fingerprint(nb: NotebookNode) -> list:
    return [
        [cell.source, "parameters" in _tags(cell)] for cell in nb.cells if cell.cell_type == "code"
    ]


def _files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        found += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return found


def _relative_name(path: Path, inputs: Sequence[Path]) -> str:
    for index, folder in enumerate(map(Path, inputs)):
        if path == folder or (folder.is_dir() and path.is_relative_to(folder)):
            return f"{index}:{path.relative_to(folder).as_posix()}"
    return path.name


def shared_digest(*, inputs: Sequence[Path], source_root: Path, lock: Path) -> dict[str, str]:
    """The components of a digest every notebook of a build shares: ``inputs``, ``package``
    and ``lock`` (see :func:`dependency_digest`). A build hashes them once."""
    source_root = Path(source_root)
    # Named relative to their input folder, so that the same files elsewhere are the same.
    inputs_seen = [
        [_relative_name(path, inputs), sha256_file(path) if path.is_file() else MISSING]
        for path in _files(inputs)
    ]
    package = [
        [path.relative_to(source_root).as_posix(), sha256_file(path)]
        for path in sorted(source_root.rglob("*.py"))
    ]
    return {
        "inputs": _sha(inputs_seen),
        "package": _sha(package),
        "lock": sha256_file(lock) if Path(lock).is_file() else MISSING,
    }


def dependency_digest(
    job: NotebookJob,
    *,
    inputs: Sequence[Path] = (),
    source_root: Path | None = None,
    lock: Path | None = None,
    shared: dict[str, str] | None = None,
) -> dict[str, str]:
    """Content hashes of everything the executed notebook of ``job`` depends on.

    Parameters
    ----------
    job : NotebookJob
        The notebook run.
    inputs : sequence of Path
        The files the notebook reads; a folder stands for every file in it. A missing file
        hashes as missing (the run will then report it).
    source_root : Path
        The evstudy package folder (``src/evstudy``); every ``.py`` file under it counts.
    lock : Path
        The dependency lock, ``requirements.lock``.
    shared : dict, optional
        :func:`shared_digest` of ``inputs``, ``source_root`` and ``lock``, already computed
        (then those three are not needed).

    Returns
    -------
    dict
        One sha256 hex digest per component in :data:`COMPONENTS`.
    """
    if shared is None:
        if source_root is None or lock is None:
            raise ValueError("`source_root` and `lock` must be given when `shared` is not")
        shared = shared_digest(inputs=inputs, source_root=source_root, lock=lock)
    nb = _read(job.source)
    return {
        "code": _sha(_code_fingerprint(nb)),
        "parameters": _sha(relabel_paths(job.parameters, job.path_labels)),
        **shared,
    }


def _output_fingerprint(output: Path) -> str | None:
    """Hash of the executed code cells and their outputs; None when unreadable."""
    try:
        nb = _read(output)
    except (OSError, ValueError, nbformat.reader.NotJSONError):
        return None
    cells = [
        [cell.source, cell.get("execution_count"), cell.get("outputs", [])]
        for cell in nb.cells
        if cell.cell_type == "code"
    ]
    return _sha(cells)


def record_success(
    job: NotebookJob, digest: dict[str, str], *, figures: dict[str, str] | None = None
) -> Path:
    """Write the sidecar saying ``job``'s output was produced from ``digest``.

    Call it only after the run succeeded and its output was written.

    Parameters
    ----------
    job : NotebookJob
    digest : dict
        From :func:`dependency_digest`.
    figures : dict, optional
        The charts the run saved: file name -> sha256 (see :func:`recorded_figures`).

    Returns
    -------
    Path
        The sidecar.
    """
    fingerprint = _output_fingerprint(Path(job.output))
    if fingerprint is None:
        raise BuildError(
            f"notebook {job.name!r}: cannot record a successful run, because its executed "
            f"notebook {job.output} is missing or unreadable"
        )
    record = {
        "notebook": job.name,
        "digest": dict(digest),
        "output": fingerprint,
        "figures": dict(sorted((figures or {}).items())),
    }
    text = json.dumps(record, sort_keys=True, indent=2) + "\n"
    return atomic_write_text(sidecar_path(job), text)


def recorded_figures(job: NotebookJob) -> dict[str, str]:
    """The charts ``job``'s last successful run saved (file name -> sha256); {} if none."""
    try:
        record = json.loads(sidecar_path(job).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    figures = record.get("figures", {}) if isinstance(record, dict) else {}
    return dict(figures) if isinstance(figures, dict) else {}


def is_fresh(job: NotebookJob, digest: dict[str, str]) -> bool:
    """True when ``job`` need not run: its last successful run had this ``digest`` and
    its output is still the one that run wrote."""
    try:
        record = json.loads(sidecar_path(job).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(record, dict) or record.get("digest") != digest:
        return False
    return record.get("output") == _output_fingerprint(Path(job.output))


def _presentation(cells: Iterable[NotebookNode]) -> list:
    """What the HTML shows apart from code and outputs: prose, raw cells and all tags."""
    return [
        [cell.cell_type, "" if cell.cell_type == "code" else cell.source, _tags(cell)]
        for cell in cells
        if not _is_papermill_cell(cell)
    ]


def markdown_changed(job: NotebookJob) -> bool:
    """True when the executed notebook's Markdown (or raw cells, or cell tags) differs
    from the source's, so its HTML needs re-rendering even though the code is unchanged.

    Also true when there is no readable executed notebook.
    """
    try:
        output = _read(job.output)
    except (OSError, ValueError, nbformat.reader.NotJSONError):
        return True
    source = _read(job.source)
    return _presentation(source.cells) != _presentation(output.cells)


def refresh_markdown(job: NotebookJob) -> bool:
    """Bring the executed notebook's Markdown, raw cells and tags up to date with the source,
    keeping every code cell's outputs, without running anything.

    Returns
    -------
    bool
        Whether the executed notebook was rewritten.

    Raises
    ------
    BuildError
        If the source's code cells differ from the executed ones: the notebook must be run.
    """
    if not markdown_changed(job):
        return False
    source = _read(job.source)
    try:
        executed = _read(job.output, mutable=True)
    except (OSError, ValueError, nbformat.reader.NotJSONError) as exc:
        raise BuildError(f"notebook {job.name!r} has no executed notebook to refresh") from exc
    code = [c for c in executed.cells if c.cell_type == "code" and not _is_papermill_cell(c)]
    if [c.source for c in code] != [c.source for c in source.cells if c.cell_type == "code"]:
        raise BuildError(
            f"notebook {job.name!r}: its code cells changed since it was executed, so its "
            "Markdown cannot be refreshed on its own; run the notebook again"
        )
    # papermill puts the injected cell after the cell tagged "parameters" (first if none).
    injected, code_before = None, 0
    for cell in executed.cells:
        if INJECTED_TAG in _tags(cell):
            injected = cell
            break
        code_before += cell.cell_type == "code" and not _is_papermill_cell(cell)
    cells: list[NotebookNode] = []
    remaining = iter(code)
    seen_code = 0
    if injected is not None and code_before == 0:
        cells.append(injected)
    for cell in source.cells:
        if cell.cell_type != "code":
            cells.append(copy.deepcopy(cell))
            continue
        ran = next(remaining)
        ran.metadata["tags"] = _tags(cell)
        if not ran.metadata["tags"]:
            del ran.metadata["tags"]
        cells.append(ran)
        seen_code += 1
        if injected is not None and seen_code == code_before:
            cells.append(injected)
    executed.cells = cells
    write_notebook(normalise_notebook(executed, path_labels=job.path_labels), job.output)
    return True
