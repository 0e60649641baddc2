"""``evstudy build``: raw data to the sponsor's report, incrementally and safely.

The steps form a small DAG: ingest (only when a raw input changed) -> execute
the notebooks (one per site, the survey, the synthesis; only those whose
inputs changed) -> export HTML -> write the workbook. Everything is built in a
staging folder; only when every notebook succeeded are the outputs moved into
``reports/``, so a failing notebook never replaces the last good report.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from evstudy.config import find_project_root, resolve_processed, resolve_raw

__all__ = ["BuildSummary", "build", "plan_jobs"]

NOTEBOOKS = ("synthesis", "survey", "site_case_study")
STAGING = ".staging"


@dataclass
class BuildSummary:
    """What one build did, stage by stage."""

    reports: Path
    ingested: bool = False
    ran: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed

    def text(self) -> str:
        lines = [
            f"ingest: {'ran' if self.ingested else 'skipped (raw data unchanged)'}",
            f"notebooks: {len(self.ran)} executed, {len(self.reused)} unchanged, "
            f"{len(self.failed)} failed",
        ]
        lines += [f"  {stage}: {secs:.1f} s" for stage, secs in self.seconds.items()]
        if self.failed:
            lines.append("FAILED: the last good report was kept.")
            lines += [f"  - {e}" for e in self.errors]
        else:
            lines.append(f"report: {self.reports / 'index.html'}")
        return "\n".join(lines)


def plan_jobs(notebooks: Path, staging: Path, sites: list[str], params: dict) -> list:
    """One job per notebook run: the synthesis, the survey and one case study per site."""
    from evstudy.build.runner import NotebookJob

    jobs = []
    for name in NOTEBOOKS:
        runs = (
            [(f"site_case_study__{s}", {"site": s}) for s in sites]
            if name == "site_case_study"
            else [(name, {})]
        )
        for stem, extra in runs:
            jobs.append(
                NotebookJob(
                    name=stem,
                    source=notebooks / f"{name}.ipynb",
                    parameters={**params, **extra},
                    output=staging / "notebooks" / f"{stem}.ipynb",
                )
            )
    return jobs


def _raw_changed(raw_dir: Path, processed_dir: Path) -> bool:
    from evstudy.ingest import raw_digests

    report = processed_dir / "ingest_report.json"
    if not report.is_file():
        return True
    recorded = json.loads(report.read_text(encoding="utf-8")).get("raw_sha256", {})
    # Transcripts are keyed by document id in the report; compare contents, not names.
    return sorted(recorded.values()) != sorted(raw_digests(raw_dir).values())


def _swap_in(staging: Path, reports: Path) -> None:
    """Move every staged output into ``reports``, each entry by an atomic rename."""
    for entry in sorted(staging.iterdir()):
        target = reports / entry.name
        if entry.is_dir():
            old = reports / f".old-{entry.name}"
            shutil.rmtree(old, ignore_errors=True)
            if target.exists():
                os.replace(target, old)
            os.replace(entry, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(entry, target)
    staging.rmdir()


def build(
    *,
    raw: str | Path | None = None,
    processed: str | Path | None = None,
    reports: str | Path | None = None,
    figures: str | Path | None = None,
    notebooks: str | Path | None = None,
    workers: int | None = None,
    force: bool = False,
    timeout: float = 900,
    kernel_name: str = "evstudy",
    progress: bool = True,
) -> BuildSummary:
    """Build the report: ingest if needed, run changed notebooks, export, swap in.

    Parameters
    ----------
    raw, processed : path, optional
        The raw and processed folders (defaults as for ``evstudy ingest``).
    reports, figures : path, optional
        Where the report and the charts go (default ``reports/`` and ``figures/``).
    notebooks : path, optional
        The folder of source notebooks (default ``notebooks/``).
    workers : int, optional
        Notebooks run at once (default: the number of cores).
    force : bool
        Re-ingest and re-run everything.
    timeout : float
        Wall-clock limit per notebook, in seconds.
    kernel_name : str
        The Jupyter kernel the notebooks run on.

    Returns
    -------
    BuildSummary
        ``ok`` is False when a notebook failed; ``reports/`` then still holds the last
        good report and the failed executed notebook is kept in ``reports/.staging``.
    """
    from evstudy.build.cache import (
        dependency_digest,
        is_fresh,
        markdown_changed,
        record_success,
        refresh_markdown,
    )
    from evstudy.build.export import assemble_report, export_html
    from evstudy.build.manifest import build_manifest, write_manifest
    from evstudy.build.runner import NotebookJob, run_notebooks
    from evstudy.excel import write_survey_workbook
    from evstudy.ingest import ingest
    from evstudy.study import load_study

    root = find_project_root()
    raw_dir, processed_dir = resolve_raw(raw), resolve_processed(processed)
    reports_dir = Path(reports or root / "reports").resolve()
    figures_dir = Path(figures or root / "figures").resolve()
    summary = BuildSummary(reports=reports_dir)
    clock = time.perf_counter()

    if force or _raw_changed(raw_dir, processed_dir):
        ingest(raw_dir, processed_dir)
        summary.ingested = True
    summary.seconds["ingest"] = time.perf_counter() - clock

    study = load_study(processed_dir)
    staging = reports_dir / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "notebooks").mkdir(parents=True)
    figures_dir.mkdir(parents=True, exist_ok=True)
    params = {"processed": str(processed_dir), "figures": str(figures_dir)}
    sources = Path(notebooks or root / "notebooks").resolve()
    jobs = plan_jobs(sources, staging, sorted(study.sites["site_id"]), params)

    clock = time.perf_counter()
    to_run, digests = [], {}
    for job in jobs:
        final = NotebookJob(
            job.name, job.source, job.parameters, reports_dir / "notebooks" / job.output.name
        )
        digests[job.name] = dependency_digest(
            final,
            inputs=[processed_dir],
            source_root=root / "src" / "evstudy",
            lock=root / "requirements.lock",
        )
        if not force and is_fresh(final, digests[job.name]):
            shutil.copy2(final.output, job.output)
            if markdown_changed(job):
                refresh_markdown(job)  # prose edits re-render without re-running
            record_success(job, digests[job.name])
            summary.reused.append(job.name)
        else:
            to_run.append(job)
    for result in run_notebooks(
        to_run, workers=workers, timeout=timeout, kernel_name=kernel_name, progress=progress
    ):
        if result.ok:
            record_success(result.job, digests[result.job.name])
            summary.ran.append(result.job.name)
        else:
            summary.failed.append(result.job.name)
            summary.errors.append(str(result.error))
    summary.seconds["execute"] = time.perf_counter() - clock
    if summary.failed:
        return summary

    clock = time.perf_counter()
    title, synthetic = study.ingest_report.get("title", "Report"), study.synthetic
    names = dict(zip(study.sites["site_id"], study.sites["site_name"], strict=True))
    site_pages = {}
    for site in sorted(names):
        page = staging / "sites" / f"{site}.html"
        export_html(
            staging / "notebooks" / f"site_case_study__{site}.ipynb",
            page,
            title=f"{names[site]} ({site}): site case study",
            synthetic=synthetic,
        )
        site_pages[site] = page
    assemble_report(
        [(n, staging / "notebooks" / f"{n}.ipynb") for n in ("synthesis", "survey")],
        staging / "index.html",
        title=title,
        synthetic=synthetic,
        site_pages=site_pages,
    )
    write_survey_workbook(study, staging / "tables.xlsx")
    # Written last, from the staged files: it describes exactly what is swapped in.
    manifest = build_manifest(
        root=root,
        processed=processed_dir,
        figures=figures_dir,
        reports=staging,
        parameters={job.name: job.parameters for job in jobs},
    )
    write_manifest(manifest, staging / "manifest.json")
    summary.seconds["export"] = time.perf_counter() - clock
    _swap_in(staging, reports_dir)
    return summary
