"""``evstudy verify``: rebuild from the raw data and compare with the published manifest.

A reviewer's check that the report is what the raw data and the code make. The whole
build runs again, from scratch, in a temporary folder laid out as the manifest records
(so that the executed notebooks name the same folders), and the new manifest is compared
entry by entry with ``reports/manifest.json``. The published files themselves are also
checked against the manifest, so a page edited by hand after the build is caught too.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from evstudy.build.runner import BuildError
from evstudy.config import find_project_root

__all__ = ["compare_manifests", "format_differences", "pdf_comparison", "verify"]

# Compared entry by entry; "evstudy" and "packages" say which code and versions built it.
SECTIONS = (
    "evstudy",
    "packages",
    "synthetic",
    "study",
    "raw_inputs",
    "processed_tables",
    "figures",
    "executed_notebooks",
    "published",
    "pdf",
    "parameters",
    "layout",
)
COLUMNS = ["section", "item", "recorded", "rebuilt"]
# Where the raw folder was is not what it holds: verify may rebuild from a copy elsewhere.
NOT_COMPARED = {("study", "raw")}


def _flatten(value: object, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        flat: dict[str, str] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}/{key}" if prefix else str(key)))
        return flat
    return {prefix: json.dumps(value, sort_keys=True)}


def pdf_comparison(recorded: dict, rebuilt: dict) -> tuple[str, set[tuple[str, str]]]:
    """How ``report.pdf`` is compared, in words, and the entries left out for it.

    Chromium writes different bytes for the same page from one version to the next, so
    the PDF's bytes are compared only when both builds used the same chromium; otherwise
    the digest of its extracted text is (``pdf/text_sha256``), and its bytes, page count
    and the chromium version are not.
    """
    from evstudy.build.pdf import PDF_NAME

    old, new = recorded.get("pdf") or {}, rebuilt.get("pdf") or {}
    if not old and not new:
        return "", set()  # neither build made one: nothing to say
    if not old or not new:
        which = "the recorded build" if not old else "the rebuild"
        return f"{PDF_NAME}: not compared ({which} made none, having no chromium)", set()
    if old.get("chromium") == new.get("chromium"):
        return f"{PDF_NAME}: bytes compared (chromium {old.get('chromium')} on both)", set()
    skipped = {("published", PDF_NAME), ("pdf", "chromium"), ("pdf", "pages")}
    return (
        f"{PDF_NAME}: extracted text compared, not bytes (chromium {old.get('chromium')} "
        f"recorded, {new.get('chromium')} rebuilt)",
        skipped,
    )


def compare_manifests(recorded: dict, rebuilt: dict) -> pd.DataFrame:
    """Every entry that differs between two manifests.

    Parameters
    ----------
    recorded, rebuilt : dict
        Manifests as :func:`evstudy.build.manifest.build_manifest` makes them.

    Returns
    -------
    DataFrame
        Columns ``section``, ``item``, ``recorded`` and ``rebuilt`` (a value is None where
        one side lacks the entry); empty when the manifests agree. ``attrs["pdf"]`` says
        how the PDF was compared (see :func:`pdf_comparison`).
    """
    how, skipped = pdf_comparison(recorded, rebuilt)
    rows = []
    for section in SECTIONS:
        old = _flatten(recorded.get(section) or {})
        new = _flatten(rebuilt.get(section) or {})
        for item in sorted(set(old) | set(new)):
            if old.get(item) != new.get(item) and (section, item) not in NOT_COMPARED | skipped:
                rows.append((section, item, old.get(item), new.get(item)))
    found = pd.DataFrame(rows, columns=COLUMNS)
    found.attrs["pdf"] = how
    return found


def _tampered(reports: Path, manifest: dict) -> list[tuple]:
    """Published files and executed notebooks that no longer match the manifest."""
    from evstudy.build.manifest import listed_outputs
    from evstudy.files import changed_files

    listed = listed_outputs(manifest)
    changed = changed_files(reports, {path: digest for path, (_, digest) in listed.items()})
    return [
        (f"{listed[path][0]} (on disk)", path, json.dumps(listed[path][1]), json.dumps(found))
        for path, found in changed.items()
    ]


def _place(base: Path, elsewhere: Path, label: str, role: str) -> Path:
    # "[processed]" and the like (older builds wrote "<processed>"): the folder was outside the
    # project, so it is rebuilt outside the temporary project too, and gets the same label.
    return elsewhere / role if label.startswith(("[", "<")) else base / label


def verify(
    *,
    raw: str | Path | None = None,
    reports: str | Path | None = None,
    notebooks: str | Path | None = None,
    workers: int | None = None,
    timeout: float = 900,
    kernel_name: str = "evstudy",
    keep: str | Path | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Rebuild the report from ``raw`` in a temporary folder and compare it with the manifest.

    Parameters
    ----------
    raw : path, optional
        The raw folder: given, else ``$EVSTUDY_RAW``, else the one the manifest records
        when it lies inside the project, else ``data/raw``. It must hold the study the
        report was built from (see :func:`evstudy.build.manifest.raw_for_report`).
    reports : path, optional
        The published report folder holding ``manifest.json`` (default ``reports/``).
    notebooks : path, optional
        The source notebooks (default ``notebooks/``).
    workers, timeout, kernel_name, progress
        As for :func:`evstudy.build.pipeline.build`.
    keep : path, optional
        Keep the rebuild here (an empty or missing folder) instead of deleting it.

    Returns
    -------
    DataFrame
        One row per difference (see :func:`compare_manifests`), plus rows for published
        files that no longer match the manifest on disk; empty when all is identical.

    Raises
    ------
    BuildError
        When there is no manifest to compare with, or the rebuild itself fails.
    InputError
        When ``raw`` holds another study than the one the report was built from.
    """
    from evstudy.build.manifest import raw_for_report
    from evstudy.build.pipeline import build

    root = find_project_root()
    reports_dir = Path(reports or root / "reports").resolve()
    try:
        recorded = json.loads((reports_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(
            f"{reports_dir / 'manifest.json'}: no readable manifest to verify against; "
            "run `evstudy build` (or `make report`) first"
        ) from exc
    raw = raw_for_report(raw, reports_dir, root=root)  # before the rebuild: it takes minutes
    layout = recorded.get("layout") or {}
    if keep is not None:
        work = Path(keep).resolve()
        if work.exists() and any(work.iterdir()):
            raise BuildError(f"{work}: `keep` must be an empty or missing folder")
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="evstudy-verify-"))
    base, elsewhere = work / "project", work / "elsewhere"
    folders = {
        role: _place(base, elsewhere, layout.get(role, role), role)
        for role in ("processed", "figures", "reports", "notebooks")
    }
    # The notebooks are copied into the same place too, so their label matches.
    source = Path(notebooks or root / "notebooks").resolve()
    shutil.copytree(source, folders["notebooks"], ignore=shutil.ignore_patterns(".*"))
    try:
        summary = build(
            raw=raw,
            workers=workers,
            force=True,
            timeout=timeout,
            kernel_name=kernel_name,
            progress=progress,
            label_root=base,
            **folders,
        )
        if not summary.ok:
            raise BuildError("the rebuild failed, so nothing could be compared:\n" + summary.text())
        rebuilt = json.loads((folders["reports"] / "manifest.json").read_text(encoding="utf-8"))
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    differences = compare_manifests(recorded, rebuilt)
    tampered = pd.DataFrame(_tampered(reports_dir, recorded), columns=COLUMNS)
    if not len(tampered):
        return differences
    found = pd.concat([differences, tampered], ignore_index=True)
    found.attrs["pdf"] = differences.attrs.get("pdf", "")
    return found


def format_differences(found: pd.DataFrame) -> str:
    """``identical``, or one line per difference; then how the PDF was compared."""
    how = found.attrs.get("pdf")
    if found.empty:
        return "identical" + (f"\n{how}" if how else "")
    lines = [f"{len(found)} difference(s) from the manifest:"]
    for row in found.itertuples(index=False):
        lines.append(f"  {row.section}: {row.item}: recorded {row.recorded}, rebuilt {row.rebuilt}")
    if how:
        lines.append(how)
    return "\n".join(lines)
