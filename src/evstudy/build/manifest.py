"""``reports/manifest.json``: what a report was built from, and the hash of everything it made.

The manifest lists the sha256 of every raw input (transcripts by document id, as the
ingest report keys them), processed table, figure, executed notebook and published
file, the versions of the packages that shaped the output, the evstudy version and
git commit, and each notebook's parameters. Paths inside the project are written
relative to it, so manifests from two checkouts compare.
"""

from __future__ import annotations

import json
import subprocess
from importlib import metadata
from pathlib import Path

from evstudy import __version__
from evstudy.files import atomic_write_text, sha256_file

__all__ = ["PACKAGES", "build_manifest", "git_commit", "listed_outputs", "write_manifest"]

# The packages whose versions can change what the report shows or its bytes.
PACKAGES = (
    "pandas",
    "numpy",
    "pyarrow",
    "matplotlib",
    "seaborn",
    "scipy",
    "statsmodels",
    "krippendorff",
    "openpyxl",
    "python-docx",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
)


def _git(root: Path, *args: str) -> str | None:
    try:
        found = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout


def git_commit(root: Path) -> str | None:
    """The commit checked out in ``root``, with ``+dirty`` when tracked files under
    ``src/`` or ``notebooks/`` differ from it; None outside a git checkout."""
    head = _git(root, "rev-parse", "HEAD")
    if not head or not head.strip():
        return None
    changed = _git(root, "status", "--porcelain", "--untracked-files=no", "--", "src", "notebooks")
    return head.strip() + ("+dirty" if changed and changed.strip() else "")


def _hashes(folder: Path, pattern: str = "*") -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): sha256_file(p)
        for p in sorted(folder.rglob(pattern))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def build_manifest(
    *,
    root: Path,
    processed: Path,
    figures: dict[str, str],
    reports: Path,
    parameters: dict[str, dict],
    path_labels: dict[str, str] | None = None,
    layout: dict[str, str] | None = None,
    commit: str | None = None,
) -> dict:
    """The manifest of a finished build (``reports`` is the folder about to be published).

    Parameters
    ----------
    root : Path
        The project folder; paths under it are written relative to it.
    processed, reports : Path
        The processed tables, and the built report (``notebooks/`` inside it holds the
        executed notebooks).
    figures : dict
        The charts the notebooks saved: file name -> sha256.
    parameters : dict
        Notebook run name to the parameters it was executed with.
    path_labels : dict, optional
        Absolute folder -> label, as in the executed notebooks; by default folders under
        ``root`` are written relative to it.
    layout : dict, optional
        Each build folder's label (processed, figures, reports, notebooks), so that
        ``evstudy verify`` can rebuild into the same layout.
    commit : str, optional
        The code's git commit, when the caller already asked git (default: ask it).
    """
    from evstudy.build.normalise import relabel_paths

    labels = path_labels if path_labels is not None else {str(root): "."}
    ingest_report = json.loads((processed / "ingest_report.json").read_text(encoding="utf-8"))
    published = {
        name: digest
        for name, digest in _hashes(reports).items()
        if not name.startswith("notebooks/") and name != "manifest.json"
    }
    return {
        "evstudy": {"version": __version__, "git_commit": commit or git_commit(root)},
        "synthetic": bool(ingest_report.get("synthetic")),
        "packages": {name: metadata.version(name) for name in PACKAGES},
        "raw_inputs": ingest_report.get("raw_sha256", {}),
        "processed_tables": _hashes(processed, "*.parquet"),
        "figures": dict(sorted(figures.items())),
        "executed_notebooks": _hashes(reports / "notebooks", "*.ipynb"),
        "published": published,
        "layout": dict(sorted((layout or {}).items())),
        "parameters": {
            name: {key: relabel_paths(value, labels) for key, value in sorted(params.items())}
            for name, params in sorted(parameters.items())
        },
    }


def listed_outputs(manifest: dict) -> dict[str, tuple[str, str]]:
    """Every published file and executed notebook a manifest lists: path relative to the
    report folder -> (manifest section, recorded sha256)."""
    listed = {name: ("published", d) for name, d in manifest.get("published", {}).items()}
    for name, digest in manifest.get("executed_notebooks", {}).items():
        listed[f"notebooks/{name}"] = ("executed_notebooks", digest)
    return listed


def write_manifest(manifest: dict, path: Path) -> Path:
    """Write the manifest as sorted, indented JSON, atomically."""
    return atomic_write_text(path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
