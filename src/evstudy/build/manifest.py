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

__all__ = ["PACKAGES", "build_manifest", "write_manifest"]

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


def _git_commit(root: Path) -> str | None:
    try:
        found = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None


def _hashes(folder: Path, pattern: str = "*") -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): sha256_file(p)
        for p in sorted(folder.rglob(pattern))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def _relative(value: object, root: Path) -> object:
    if isinstance(value, str) and value.startswith(str(root)):
        return Path(value).relative_to(root).as_posix()
    return value


def build_manifest(
    *,
    root: Path,
    processed: Path,
    figures: Path,
    reports: Path,
    parameters: dict[str, dict],
) -> dict:
    """The manifest of a finished build (``reports`` is the folder about to be published).

    Parameters
    ----------
    root : Path
        The project folder; paths under it are written relative to it.
    processed, figures, reports : Path
        The processed tables, the charts, and the built report (``notebooks/`` inside it
        holds the executed notebooks).
    parameters : dict
        Notebook run name to the parameters it was executed with.
    """
    ingest_report = json.loads((processed / "ingest_report.json").read_text(encoding="utf-8"))
    published = {
        name: digest
        for name, digest in _hashes(reports).items()
        if not name.startswith("notebooks/") and name != "manifest.json"
    }
    return {
        "evstudy": {"version": __version__, "git_commit": _git_commit(root)},
        "synthetic": bool(ingest_report.get("synthetic")),
        "packages": {name: metadata.version(name) for name in PACKAGES},
        "raw_inputs": ingest_report.get("raw_sha256", {}),
        "processed_tables": _hashes(processed, "*.parquet"),
        "figures": _hashes(figures),
        "executed_notebooks": _hashes(reports / "notebooks", "*.ipynb"),
        "published": published,
        "parameters": {
            name: {key: _relative(value, root) for key, value in sorted(params.items())}
            for name, params in sorted(parameters.items())
        },
    }


def write_manifest(manifest: dict, path: Path) -> Path:
    """Write the manifest as sorted, indented JSON, atomically."""
    return atomic_write_text(path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
