"""``reports/manifest.json``: what a report was built from, and the hash of everything it made.

The manifest lists the sha256 of every raw input (transcripts by document id, as the
ingest report keys them), processed table, figure, executed notebook and published
file, the versions of the packages that shaped the output, the evstudy version and
git commit, and each notebook's parameters. Paths inside the project are written
relative to it, so manifests from two checkouts compare.

It also names the study the report belongs to (``study``: its title, the sha256 of its
``study.yml`` and its raw folder), so that ``evstudy audit`` and ``evstudy verify`` check
the report on disk against that study and refuse another one (:func:`raw_for_report`).
"""

from __future__ import annotations

import json
import os
import subprocess
from importlib import metadata
from pathlib import Path

from evstudy import __version__
from evstudy.errors import InputError
from evstudy.files import atomic_write_text, sha256_file

__all__ = [
    "PACKAGES",
    "build_manifest",
    "check_processed_study",
    "check_report_study",
    "git_commit",
    "listed_outputs",
    "previous_report_note",
    "raw_for_report",
    "recorded_study",
    "write_manifest",
]

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
    "playwright",  # drives chromium to print report.pdf (chromium's own version: "pdf")
    "pikepdf",  # rewrites report.pdf (qpdf's writer)
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
    raw_label: str | None = None,
    pdf: dict | None = None,
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
    raw_label : str, optional
        The raw folder relative to the project, or ``[raw]`` when it lies outside
        (the default): recorded with the study's title and ``study.yml`` digest.
    pdf : dict, optional
        What printed ``report.pdf`` (:meth:`evstudy.build.pdf.PdfResult.manifest`: the
        chromium version, the date set in it and where that came from, its page count
        and the digest of its text); None when no PDF was made.
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
        "study": {
            "title": ingest_report.get("title"),
            "study_yml_sha256": ingest_report.get("raw_sha256", {}).get("study.yml"),
            "raw": raw_label or "[raw]",
        },
        "packages": {name: metadata.version(name) for name in PACKAGES},
        "raw_inputs": ingest_report.get("raw_sha256", {}),
        "processed_tables": _hashes(processed, "*.parquet"),
        "figures": dict(sorted(figures.items())),
        "executed_notebooks": _hashes(reports / "notebooks", "*.ipynb"),
        "published": published,
        "pdf": pdf,
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


# --- which study the report on disk belongs to ---------------------------------------------


def recorded_study(reports: str | Path) -> dict | None:
    """The study the report in ``reports`` was built from, as its manifest records it.

    Returns
    -------
    dict or None
        ``title`` (None from manifests older than the ``study`` entry), ``study_yml_sha256``
        and ``raw`` (the raw folder relative to the project, ``[raw]`` when it was outside
        it, or None); None when there is no readable manifest.
    """
    try:
        manifest = json.loads((Path(reports) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    study = manifest.get("study") or {}
    digest = study.get("study_yml_sha256") or (manifest.get("raw_inputs") or {}).get("study.yml")
    if not digest:
        return None
    return {"title": study.get("title"), "study_yml_sha256": digest, "raw": study.get("raw")}


def _study_yml(raw_dir: Path) -> tuple[str | None, str | None]:
    """(sha256, title) of a raw folder's study.yml; (None, None) when it has none."""
    import yaml

    path = Path(raw_dir) / "study.yml"
    if not path.is_file():
        return None, None
    try:  # the title is for the message only: a broken file is ingest's to report
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        title = str(data["study"]["title"])
    except (yaml.YAMLError, UnicodeDecodeError, KeyError, TypeError):
        title = None
    return sha256_file(path), title


def _shown(path: Path, root: Path) -> str:
    path = Path(path).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _named(study: dict) -> str:
    title = f"{study['title']!r}" if study.get("title") else "another study"
    raw = study.get("raw")
    if not raw:
        return title
    where = "a raw folder outside the project" if raw.startswith("[") else f"raw folder {raw}"
    return f"{title} ({where})"


def check_report_study(
    raw_dir: str | Path, reports: str | Path, *, root: str | Path | None = None
) -> None:
    """Refuse a raw folder whose study is not the one the report in ``reports`` was built from.

    Nothing is checked when ``reports`` holds no manifest, or ``raw_dir`` no study.yml (the
    commands that read it report that themselves).

    Raises
    ------
    InputError
        Naming the report's study (title and raw folder, as the manifest records them) and
        how to proceed, when the two study.yml digests differ.
    """
    from evstudy.config import find_project_root

    recorded = recorded_study(reports)
    if recorded is None:
        return
    digest, title = _study_yml(Path(raw_dir))
    if digest is None or digest == recorded["study_yml_sha256"]:
        return
    base = Path(root).resolve() if root else find_project_root()
    this = f"the study {title!r}" if title else "this study"
    raw = recorded.get("raw")
    back = (
        f"leave out --raw (and EVSTUDY_RAW) or pass --raw {raw}"
        if raw and not raw.startswith("[")
        else "pass --raw the folder that holds that study"
    )
    raise InputError(
        _shown(Path(raw_dir) / "study.yml", base),
        "",
        f"this is {this}, but the report in {_shown(Path(reports), base)} belongs to "
        f"{_named(recorded)}: the two study.yml files differ, so the one cannot be checked "
        "against the other",
        f"to check the report on disk, {back}; to check this study, build its report first "
        f"(evstudy build --raw {_shown(Path(raw_dir), base)})",
    )


def check_processed_study(
    processed: str | Path, reports: str | Path, *, root: str | Path | None = None
) -> None:
    """Refuse processed tables ingested from another study than the report's.

    A failed build of another study leaves its processed tables beside the previous
    study's report; the audit would then read the one against the other.

    Raises
    ------
    InputError
        When the ingest report's study.yml digest differs from the manifest's.
    """
    from evstudy.config import find_project_root

    recorded = recorded_study(reports)
    path = Path(processed) / "ingest_report.json"
    if recorded is None or not path.is_file():
        return
    try:
        ingested = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    digest = (ingested.get("raw_sha256") or {}).get("study.yml")
    if digest is None or digest == recorded["study_yml_sha256"]:
        return
    base = Path(root).resolve() if root else find_project_root()
    raw = recorded.get("raw")
    again = f"evstudy build --raw {raw}" if raw and not raw.startswith("[") else "evstudy build"
    raise InputError(
        _shown(path, base),
        "",
        f"the processed tables are of the study {ingested.get('title')!r}, but the report in "
        f"{_shown(Path(reports), base)} belongs to {_named(recorded)}",
        f"rebuild the report's study ({again}) before auditing it, or pass --processed "
        "the folder its tables were ingested into",
    )


def raw_for_report(
    raw: str | Path | None, reports: str | Path, *, root: str | Path | None = None
) -> Path:
    """The raw folder to check the report in ``reports`` against.

    ``raw`` when given, else ``$EVSTUDY_RAW``, else the raw folder the manifest records (when
    it lies inside the project and still holds a study.yml), else ``data/raw``; in every case
    refused by :func:`check_report_study` when it is another study than the report's.
    """
    from evstudy.config import find_project_root, resolve_raw

    base = Path(root).resolve() if root else find_project_root()
    if raw is None and not os.environ.get("EVSTUDY_RAW"):
        label = (recorded_study(reports) or {}).get("raw")
        if label and not label.startswith("[") and (base / label / "study.yml").is_file():
            raw = base / label
    raw_dir = resolve_raw(raw)
    check_report_study(raw_dir, reports, root=base)
    return raw_dir


def previous_report_note(
    raw: str | Path | None,
    reports: str | Path | None = None,
    *,
    processed: str | Path | None = None,
    root: str | Path | None = None,
) -> str:
    """What a failed build of ``raw`` left on disk, when the report there is another study's.

    Returns
    -------
    str
        Lines naming the study the report in ``reports`` still belongs to (and, when
        ``processed`` now holds the failed study's tables, saying so); "" when there is no
        report, or it is of the same study.
    """
    from evstudy.config import find_project_root, resolve_raw

    base = Path(root).resolve() if root else find_project_root()
    reports_dir = Path(reports or base / "reports").resolve()
    recorded = recorded_study(reports_dir)
    raw_dir = resolve_raw(raw)
    digest, title = _study_yml(raw_dir)
    if recorded is None or digest is None or digest == recorded["study_yml_sha256"]:
        return ""
    this = f"the study {title!r}" if title else "this study"
    lines = [
        f"The report on disk ({_shown(reports_dir / 'index.html', base)}) is still the previous "
        f"study's: {_named(recorded)}. This build of {this} published nothing; evstudy audit "
        "and evstudy verify check the report on disk against the previous study."
    ]
    report = Path(processed) / "ingest_report.json" if processed else None
    if report is not None and report.is_file():
        try:
            ingested = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            ingested = {}
        if (ingested.get("raw_sha256") or {}).get("study.yml") == digest:
            lines.append(
                f"The processed tables in {_shown(Path(processed), base)} are now this study's: "
                "rebuild the report's study before auditing it."
            )
    return "\n".join(lines)
