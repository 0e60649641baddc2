"""``evstudy build``: raw data to the sponsor's report, incrementally and safely.

The steps form a small DAG: ingest (only when a raw input changed) -> execute
the notebooks (one per site, the survey, the synthesis; only those whose
inputs changed) -> export HTML -> write the workbook. Everything is built in a
staging folder; only when every notebook succeeded are the outputs moved into
``reports/``, so a failing notebook never replaces the last good report.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evstudy.build.pdf import PDF_NAME
from evstudy.config import find_project_root, load_config, resolve_processed, resolve_raw
from evstudy.errors import InputError
from evstudy.parallel import in_background

if TYPE_CHECKING:
    from evstudy.audit import FileScanner
    from evstudy.audit.withdrawal import Withdrawn
    from evstudy.build.pdf import PdfResult

__all__ = ["BuildSummary", "build", "layout", "path_labels", "plan_jobs"]

NOTEBOOKS = ("synthesis", "survey", "site_case_study", "fieldwork")
# Run order: longest first, so that no long notebook is left running alone at the end.
RUN_ORDER = ("synthesis", "fieldwork", "survey")
STAGING = ".staging"
# Where notebook runs draw their charts (one folder per run) until the build publishes them.
STAGED_FIGURES = ".staging-figures"
# The digest of what the published report was exported from (see _export_digest).
EXPORT_RECORD = ".export-digest"
# Where the PDF is printed while the audit reads the staging folder (hidden: not read).
PRINTING = ".printing"


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
    exported: bool = True
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def text(self) -> str:
        lines = [
            f"ingest: {'ran' if self.ingested else 'skipped (raw data unchanged)'}",
            f"notebooks: {len(self.ran)} executed, {len(self.reused)} unchanged, "
            f"{len([f for f in self.failed if f != 'audit'])} failed",
        ]
        lines += [f"WARNING: {w}" for w in self.warnings]
        lines += [f"  {stage}: {secs:.1f} s" for stage, secs in self.seconds.items()]
        if self.failed:
            lines.append("FAILED: the last good report was kept.")
            lines += [f"  - {e}" for e in self.errors]
        elif not self.exported:
            lines.append(f"report: unchanged, {self.reports / 'index.html'}")
        else:
            lines.append(f"report: {self.reports / 'index.html'}")
        return "\n".join(lines)


def plan_jobs(
    notebooks: Path,
    staging: Path,
    sites: list[str],
    params: dict,
    path_labels: dict[str, str] | None = None,
) -> list:
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
            labels = dict(path_labels or {})
            run_params = {**params, **extra}
            if "figures" in params:
                # Each run draws into a folder of its own, so the build knows whose chart is
                # whose; the folder is written under the label of the published one.
                own = Path(params["figures"]) / stem
                run_params["figures"] = str(own)
                labels[str(own)] = labels.get(str(params["figures"]), "figures")
            jobs.append(
                NotebookJob(
                    name=stem,
                    source=notebooks / f"{name}.ipynb",
                    parameters=run_params,
                    output=staging / "notebooks" / f"{stem}.ipynb",
                    path_labels=labels,
                )
            )
    return jobs


def _run_order(job) -> int:
    stem = Path(job.source).stem
    return RUN_ORDER.index(stem) if stem in RUN_ORDER else len(RUN_ORDER)


def _label(path: Path, roots: list[Path], name: str) -> str:
    for root in roots:
        if path.is_relative_to(root):
            return path.relative_to(root).as_posix() or "."
    # Brackets, not angle brackets: the label replaces the path inside HTML outputs too.
    return f"[{name}]"


def layout(
    roots: list[Path], *, processed: Path, figures: Path, reports: Path, notebooks: Path
) -> dict[str, str]:
    """Each build folder's label: its path relative to the first of ``roots`` that holds
    it, else ``[name]``. The manifest records it, and ``evstudy verify`` rebuilds into
    the same layout."""
    return {
        "processed": _label(processed, roots, "processed"),
        "figures": _label(figures, roots, "figures"),
        "reports": _label(reports, roots, "reports"),
        "notebooks": _label(notebooks, roots, "notebooks"),
    }


def path_labels(
    roots: list[Path], *, processed: Path, figures: Path, reports: Path, notebooks: Path
) -> dict[str, str]:
    """Absolute build folder -> the label written in its place in executed notebooks and
    the manifest (see :func:`layout`). The staging folder and its figures carry the labels
    of where they end up."""
    found = layout(
        roots, processed=processed, figures=figures, reports=reports, notebooks=notebooks
    )
    labels = {
        processed: found["processed"],
        figures: found["figures"],
        reports: found["reports"],
        notebooks: found["notebooks"],
    }
    labels[reports / STAGING] = labels[reports]
    labels[reports / STAGED_FIGURES] = labels[figures]
    return {str(path): label for path, label in labels.items()}


def raw_changes(raw_dir: Path, processed_dir: Path) -> dict | None:
    """What changed in the raw folder since the last ingest; None when nothing did.

    Files outside ``transcripts/`` are compared by name and content, and named. Transcripts
    are compared by content only and counted: the ingest report keys them by document id,
    and their file names may hold a person's name.
    """
    from evstudy.files import raw_digests

    report = processed_dir / "ingest_report.json"
    if not report.is_file():
        return {"first_ingest": True}
    recorded = json.loads(report.read_text(encoding="utf-8")).get("raw_sha256", {})
    current = raw_digests(raw_dir)

    def split(digests: dict[str, str]) -> tuple[dict[str, str], set[str]]:
        transcript = {k for k in digests if k.startswith("transcripts/")}
        named = {k: v for k, v in digests.items() if k not in transcript}
        return named, {digests[k] for k in transcript}

    (old, old_texts), (new, new_texts) = split(recorded), split(current)
    if old == new and old_texts == new_texts:
        return None
    return {
        "changed": sorted(k for k in old.keys() & new.keys() if old[k] != new[k]),
        "added": sorted(new.keys() - old.keys()),
        "removed": sorted(old.keys() - new.keys()),
        "transcripts_changed_or_added": len(new_texts - old_texts),
        "transcripts_changed_or_removed": len(old_texts - new_texts),
    }


def _changes_text(changes: dict) -> str:
    if changes.get("first_ingest"):
        return ""
    parts = [
        f"{what} {', '.join(changes[what])}"
        for what in ("changed", "added", "removed")
        if changes[what]
    ]
    moved = changes["transcripts_changed_or_added"] + changes["transcripts_changed_or_removed"]
    if moved:
        parts.append(
            f"transcripts: {changes['transcripts_changed_or_added']} new or changed, "
            f"{changes['transcripts_changed_or_removed']} changed or gone"
        )
    return "raw data changed since the last build (" + "; ".join(parts) + "); re-ingested"


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


def _site_names(processed: Path) -> dict[str, str]:
    """Site id -> name, from the ingest report (cheap: no table is loaded)."""
    report = json.loads((processed / "ingest_report.json").read_text(encoding="utf-8"))
    return dict(sorted(report["sites"].items()))


def _staged_figures(folder: Path) -> dict[str, str]:
    from evstudy.files import sha256_file

    if not folder.is_dir():
        return {}
    return {p.name: sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file()}


def _publish_figures(staged: Path, figures: Path) -> None:
    """Move every run's charts into ``figures``, each file by an atomic rename."""
    figures.mkdir(parents=True, exist_ok=True)
    for path in sorted(staged.rglob("*")):
        if path.is_file():
            os.replace(path, figures / path.name)


def _export_digest(
    digests: dict, staging: Path, names: dict[str, str], commit: str | None, *, final: bool
) -> str:
    """Everything the exported pages, the workbook and the manifest are made from."""
    from evstudy.build.export import TEMPLATES
    from evstudy.build.pdf import chromium_path
    from evstudy.files import sha256_file

    record = {
        "notebooks": digests,
        "executed": {
            p.name: sha256_file(p) for p in sorted((staging / "notebooks").glob("*.ipynb"))
        },
        "templates": {
            p.relative_to(TEMPLATES).as_posix(): sha256_file(p)
            for p in sorted(TEMPLATES.rglob("*"))
            if p.is_file()
        },
        "sites": names,
        "commit": commit,
        # A final build drops the title page's "Draft", so it is not the draft's no-op.
        "final": final,
        # A browser installed (or removed) since the last build changes report.pdf.
        "chromium": str(chromium_path()),
    }
    text = json.dumps(record, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _published_intact(reports: Path) -> bool:
    """True when ``reports`` holds a manifest and every file it lists, unchanged."""
    from evstudy.build.manifest import listed_outputs
    from evstudy.files import changed_files

    try:
        manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    listed = {name: digest for name, (_, digest) in listed_outputs(manifest).items()}
    return bool(listed) and not changed_files(reports, listed)


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
    label_root: str | Path | None = None,
    wait: float = 0,
    final: bool = False,
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
    progress : bool
        Show a progress bar while notebooks run.
    label_root : path, optional
        Folders under it are recorded relative to it in the executed notebooks and the
        manifest (default: the project folder), so that builds in two places compare.
    wait : float, default 0
        Seconds to wait for another build of the same reports folder to finish; 0 fails
        at once (see :mod:`evstudy.build.lock`).
    final : bool, default False
        Refuse to build while any section of the report is the computed draft or any word
        that may be a name is undecided, listing every one (see
        :func:`evstudy.prose.final_problems`). Without it the report is a draft.

    Returns
    -------
    BuildSummary
        ``ok`` is False when a notebook failed; ``reports/`` then still holds the last
        good report and the failed executed notebook is kept in ``reports/.staging``.

    Raises
    ------
    BuildLocked
        When another build holds the lock (after ``wait`` seconds).
    InputError
        When a folder cannot be written (no permission, read-only) or the disk is full;
        ``reports/`` then still holds the last good report.
    """
    from evstudy.build.lock import LOCK_NAME, BuildLock

    root = find_project_root()
    reports_dir = Path(reports or root / "reports").resolve()
    said: list[str] = []

    def say(text: str) -> None:
        said.append(text)
        print(f"evstudy build: {text}", file=sys.stderr)

    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        with BuildLock(reports_dir / LOCK_NAME, wait=wait, say=say):
            try:
                _clear_leftovers(reports_dir)
                summary = _build(
                    raw=raw,
                    processed=processed,
                    reports=reports_dir,
                    figures=figures,
                    notebooks=notebooks,
                    workers=workers,
                    force=force,
                    timeout=timeout,
                    kernel_name=kernel_name,
                    progress=progress,
                    label_root=label_root,
                    refuse_drafts=final,
                )
            except OSError as exc:
                if exc.errno not in _WRITE_ERRORS:
                    raise
                # What was staged is of no use, and on a full disk it holds the space.
                for leftover in (STAGING, STAGED_FIGURES):
                    shutil.rmtree(reports_dir / leftover, ignore_errors=True)
                raise
    except OSError as exc:
        if exc.errno not in _WRITE_ERRORS:
            raise
        raise _write_error(exc, reports_dir) from None
    summary.warnings[:0] = said
    return summary


# What a folder that cannot be written, or a full disk, raises.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS})


def _write_error(exc: OSError, reports: Path) -> InputError:
    """The clear error for an output that could not be written."""
    name = Path(exc.filename) if exc.filename else reports
    try:
        folder = name if name.is_dir() else name.parent
    except OSError:  # not even looked into
        folder = name.parent
    kept = f"the last good report in {reports} was kept"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        full = "the disk is full" if exc.errno == errno.ENOSPC else "the disk quota is used up"
        return InputError(
            folder,
            "",
            f"{full} (while writing {name.name}); nothing was published and {kept}",
            f"free some space on the disk that holds {folder}, or build into another disk "
            "with --reports, --figures and --out; then build again",
        )
    why = "is read-only" if exc.errno == errno.EROFS else "cannot be written by this user"
    return InputError(
        folder,
        "",
        f"the folder {why} ({exc.strerror}); nothing was published and {kept}",
        "make the folder writable for the user running the build, or choose another one "
        "with --reports, --figures and --out",
    )


def _refuse_undecided_names(raw_dir: Path, processed_dir: Path) -> None:
    """Refuse to publish while words that may be names wait for a researcher's decision.

    Ingest leaves such a word in the text it writes, from which everything published is
    drawn, and records where (never the word) in ``ingest_report.json``.
    """
    try:
        report = json.loads((processed_dir / "ingest_report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # an ingest that wrote no report is refused elsewhere
    places = report.get("undecided_names") or []
    if not places:
        return
    # Imported only when needed: ingest's modules cost half a second, and a no-op build none.
    from evstudy.assemble import REVIEW_FILE
    from evstudy.ingest import resolve_key_dir

    config = load_config(raw_dir)
    decisions = config.files["name_decisions"]
    shown = ", ".join(places[:5]) + (f" and {len(places) - 5} more" if len(places) > 5 else "")
    n = report.get("flagged_first_names") or len(places)
    raise InputError(
        raw_dir / decisions,
        "",
        f"{n} word(s) that may be names are left in the text with no decision ({shown}); "
        "nothing was published",
        f"open {resolve_key_dir(raw_dir) / REVIEW_FILE}, fill in decision (keep or redact), "
        f"reviewer and date on each row, add the rows to {decisions} in the raw folder "
        "(doc_id * decides a word everywhere), and build again",
    )


def _refuse_drafts(raw_dir: Path, processed_dir: Path) -> None:
    """``--final``: refuse while a section is the computed draft or a name is undecided,
    listing every one (:func:`evstudy.prose.final_problems`)."""
    from evstudy.prose import final_problems
    from evstudy.study import load_study

    folder = load_config(raw_dir).files["report_text"]
    found = final_problems(load_study(processed_dir), report_folder=folder)
    found.raise_if_any("the --final check (nothing was published)")


def _clear_leftovers(reports: Path) -> None:
    """Remove what an interrupted build left in ``reports`` (called under the lock).

    A build killed in the middle of :func:`_swap_in` may have moved a published folder
    aside without putting the new one in its place: the old one is put back.
    """
    for leftover in (STAGING, STAGED_FIGURES):
        if (reports / leftover).exists():
            shutil.rmtree(reports / leftover)
    for old in sorted(reports.glob(".old-*")):
        target = reports / old.name.removeprefix(".old-")
        if old.is_dir() and not target.exists():
            os.replace(old, target)
        else:
            shutil.rmtree(old)


def _build(
    *,
    raw: str | Path | None,
    processed: str | Path | None,
    reports: Path,
    figures: str | Path | None,
    notebooks: str | Path | None,
    workers: int | None,
    force: bool,
    timeout: float,
    kernel_name: str,
    progress: bool,
    label_root: str | Path | None,
    refuse_drafts: bool = False,
) -> BuildSummary:
    from evstudy.build.cache import (
        SIDECAR_SUFFIX,
        dependency_digest,
        is_fresh,
        record_success,
        recorded_figures,
        refresh_markdown,
        shared_digest,
        sidecar_path,
    )
    from evstudy.build.manifest import build_manifest, git_commit, write_manifest
    from evstudy.build.normalise import relabel_paths
    from evstudy.build.pages import PageWriter, report_pages
    from evstudy.build.runner import JobResult, NotebookJob, kernel_template, run_notebooks
    from evstudy.files import changed_files

    root = find_project_root()
    raw_dir, processed_dir = resolve_raw(raw), resolve_processed(processed)
    reports_dir = reports
    figures_dir = Path(figures or root / "figures").resolve()
    sources = Path(notebooks or root / "notebooks").resolve()
    roots = [Path(label_root).resolve()] if label_root else []
    folders = dict(processed=processed_dir, figures=figures_dir, reports=reports_dir)
    labels = path_labels([*roots, root], notebooks=sources, **folders)
    summary = BuildSummary(reports=reports_dir)
    clock = time.perf_counter()

    changes = raw_changes(raw_dir, processed_dir)
    if changes and _changes_text(changes):
        summary.warnings.append(_changes_text(changes))
    # The kernel template imports, and later holds the loaded study for every kernel. When
    # ingest runs, every notebook will, so it starts now and imports while ingest runs.
    template = partial(
        kernel_template, sorted(sources.glob("*.ipynb")), kernel_name, preload=processed_dir
    )
    with contextlib.ExitStack() as early:
        warm: dict | None = None
        withdrawal = None
        if force or changes:
            from evstudy.ingest import ingest

            warm = early.enter_context(template())
            # The audit's search for withdrawn participants' words reads the raw
            # transcripts again: done on another core while ingest reads them.
            withdrawal = early.enter_context(in_background(_withdrawn, raw_dir))
            # In a child process: what ingest holds (every transcript; hundreds of MB for
            # a large study) goes back to the system when it ends, not to this build.
            with in_background(ingest, raw_dir, processed_dir) as ingesting:
                ingesting.result()
            summary.ingested = True
        withdrawn = None
        if withdrawal is not None:
            # Taken now, not when the audit runs: the process that found it holds every
            # transcript until its result is read.
            with contextlib.suppress(Exception):  # the audit works it out again, and reports
                withdrawn = withdrawal.result()
        summary.seconds["ingest"] = time.perf_counter() - clock
        if refuse_drafts:
            _refuse_drafts(raw_dir, processed_dir)
        _refuse_undecided_names(raw_dir, processed_dir)

        names = _site_names(processed_dir)
        staging = reports_dir / STAGING
        staged_figures = reports_dir / STAGED_FIGURES
        (staging / "notebooks").mkdir(parents=True)
        staged_figures.mkdir()
        # Charts are published only when every run succeeded and the audit found nothing.
        params = {"processed": str(processed_dir), "figures": str(staged_figures)}
        jobs = plan_jobs(sources, staging, list(names), params, labels)

        clock = time.perf_counter()
        to_run, digests, figures_made = [], {}, {}
        shared = shared_digest(
            inputs=[processed_dir],
            source_root=root / "src" / "evstudy",
            lock=root / "requirements.lock",
        )
        for job in jobs:
            final = NotebookJob(
                job.name,
                job.source,
                job.parameters,
                reports_dir / "notebooks" / job.output.name,
                job.path_labels,
            )
            digests[job.name] = dependency_digest(final, shared=shared)
            figures_made[job.name] = recorded_figures(final)
            fresh = not force and is_fresh(final, digests[job.name])
            if fresh and not changed_files(figures_dir, figures_made[job.name]):
                shutil.copy2(final.output, job.output)
                # Prose edits re-render without re-running; the record then describes the new file.
                if refresh_markdown(job):
                    record_success(job, digests[job.name], figures=figures_made[job.name])
                else:
                    shutil.copy2(sidecar_path(final), sidecar_path(job))
                summary.reused.append(job.name)
            else:
                to_run.append(job)
        to_run.sort(key=_run_order)
        commit = git_commit(root)
        # Pages are exported as their notebooks finish, in the time workers leave idle, and
        # each output is scanned for the privacy audit as soon as it is final.
        audit_roots = {"processed": processed_dir, "figures": staged_figures, "reports": staging}
        pages = PageWriter(
            report_pages(
                staging,
                processed=processed_dir,
                names=names,
                provenance=_provenance_note(commit),
                final=refuse_drafts,
            ),
            early=bool(to_run),
            audit=(partial(_file_scanner, raw_dir, processed_dir, withdrawn), audit_roots),
        )
        pages.scan(processed_dir)
        for name in summary.reused:
            pages.notebook_done(name)
            output = staging / "notebooks" / f"{name}.ipynb"
            pages.scan(output, output.with_name(output.name + SIDECAR_SUFFIX))

        def export_when_done(result: JobResult) -> None:
            if result.ok:
                pages.notebook_done(result.job.name)
                pages.scan(Path(result.job.output), Path(result.job.parameters["figures"]))

        if to_run and not summary.ingested:
            warm = early.enter_context(template())
        for result in run_notebooks(
            to_run,
            workers=workers,
            timeout=timeout,
            kernel_name=kernel_name,
            progress=progress,
            warm_kernels=warm,
            on_result=export_when_done,
        ):
            if result.ok:
                made = _staged_figures(Path(result.job.parameters["figures"]))
                figures_made[result.job.name] = made
                record_success(result.job, digests[result.job.name], figures=made)
                pages.scan(sidecar_path(result.job))
                summary.ran.append(result.job.name)
            else:
                summary.failed.append(result.job.name)
                summary.errors.append(str(result.error))
    summary.seconds["execute"] = time.perf_counter() - clock
    if summary.failed:
        pages.close()
        return summary
    figures = {name: digest for made in figures_made.values() for name, digest in made.items()}

    clock = time.perf_counter()
    export_digest = _export_digest(digests, staging, names, commit, final=refuse_drafts)
    try:
        recorded = (reports_dir / EXPORT_RECORD).read_text(encoding="utf-8").strip()
    except OSError:
        recorded = ""
    if not force and recorded == export_digest and _published_intact(reports_dir):
        # The same notebooks, already exported and audited: nothing to publish. Runs that
        # re-made an identical notebook (say after an edit to evstudy that changed nothing
        # here) still record their new dependencies, or they would run again next time.
        for sidecar in sorted((staging / "notebooks").glob("*" + SIDECAR_SUFFIX)):
            os.replace(sidecar, reports_dir / "notebooks" / sidecar.name)
        _publish_figures(staged_figures, figures_dir)  # charts redrawn for missing files
        shutil.rmtree(staged_figures)
        shutil.rmtree(staging)
        summary.exported = False
        pages.close()
        summary.seconds["export"] = time.perf_counter() - clock
        return summary
    try:
        scanned = pages.finish(workers=workers)
    finally:
        pages.close()
    summary.seconds["export"] = time.perf_counter() - clock

    clock = time.perf_counter()
    # Chromium leaves a core idle while it prints: the audit meanwhile works out, in another
    # process, all it can without the PDF (its scanner, the publication ledger, the quotes
    # of every other published page). The PDF is printed into a hidden folder, which the
    # audit does not read, and moved in once both are done.
    printing = staging / PRINTING
    ahead_args = (raw_dir, processed_dir, staging, withdrawn)
    with in_background(_audit_ahead, *ahead_args) as ahead_job:
        try:
            pdf = _print_pdf(staging, processed_dir, names, reports_dir, summary, out=printing)
        except Exception as exc:  # a browser that crashes or hangs: the build says so
            summary.failed.append("pdf")
            summary.errors.append(f"printing reports/{PDF_NAME} failed: {exc}")
            return summary
        summary.seconds["pdf"] = time.perf_counter() - clock

        clock = time.perf_counter()
        ahead: dict = {}
        with contextlib.suppress(Exception):  # the audit works it all out again, and reports
            ahead = ahead_job.result()
    if printing.is_dir():
        for made in sorted(printing.iterdir()):
            os.replace(made, staging / made.name)
        printing.rmdir()
    findings = _audit(
        raw_dir,
        processed_dir,
        staged_figures,
        staging,
        withdrawn=withdrawn,
        workers=workers,
        scanned=scanned,
        **ahead,
    )
    summary.seconds["audit"] = time.perf_counter() - clock
    if findings:
        summary.failed.append("audit")
        summary.errors.append(findings)
        return summary

    _publish_figures(staged_figures, figures_dir)
    shutil.rmtree(staged_figures)
    # Written last, from the staged files: it describes exactly what is swapped in.
    manifest = build_manifest(
        root=root,
        processed=processed_dir,
        figures=figures,
        reports=staging,
        # Each run's own labels: its figures folder is written as the published one.
        parameters={job.name: relabel_paths(job.parameters, job.path_labels) for job in jobs},
        path_labels=labels,
        layout=layout([*roots, root], notebooks=sources, **folders),
        commit=commit,
        raw_label=_label(raw_dir, [*roots, root], "raw"),
        pdf=pdf.manifest() if pdf is not None else None,
    )
    if changes and not changes.get("first_ingest"):
        manifest["raw_changes_since_previous_build"] = changes  # verify does not compare it
    write_manifest(manifest, staging / "manifest.json")
    (staging / EXPORT_RECORD).write_text(export_digest + "\n", encoding="utf-8")
    if pdf is None:  # a PDF left by an earlier build would no longer match this report
        from evstudy.build.pdf import DIGEST_RECORD

        for stale in (PDF_NAME, DIGEST_RECORD):
            (reports_dir / stale).unlink(missing_ok=True)
    _swap_in(staging, reports_dir)
    return summary


def _print_pdf(
    staging: Path,
    processed: Path,
    names: dict[str, str],
    reports: Path,
    summary: BuildSummary,
    *,
    out: Path | None = None,
) -> PdfResult | None:
    """``report.pdf`` from the staged pages; None (and one warning) without chromium."""
    from evstudy.build.pdf import CHROMIUM_ENV, DEFAULT_CHROMIUM, write_report_pdf

    report = json.loads((processed / "ingest_report.json").read_text(encoding="utf-8"))
    result = write_report_pdf(
        staging,
        title=report.get("title") or "Report",
        synthetic=bool(report.get("synthetic", False)),
        date=(report.get("report") or {}).get("date"),
        sites=list(names),
        previous=reports,
        out=out,
    )
    if result is None:
        where = os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
        summary.warnings.append(
            f"no chromium at {where}, so {PDF_NAME} was not made (the HTML report was): "
            f"install it (apt-get install chromium) or set {CHROMIUM_ENV} to its path"
        )
    return result


def _withdrawn(raw: Path) -> Withdrawn:
    """What the audit searches for of participants who withdrew (see evstudy.audit)."""
    from evstudy.audit.withdrawal import withdrawn_text
    from evstudy.config import load_config

    # No identity key yet (ingest writes it): the audit adds the pseudonyms afterwards.
    return withdrawn_text(load_config(raw), None)


def _audit_ahead(
    raw: Path, processed: Path, staging: Path, withdrawn: Withdrawn | None
) -> dict[str, Any]:
    """What the audit needs that does not depend on the PDF: keyword arguments of
    :func:`evstudy.audit.audit_outputs` (run in a background process, one core)."""
    from evstudy.audit import FileScanner
    from evstudy.audit.ledger import ledger_check
    from evstudy.audit.quoted import publication_uses
    from evstudy.audit.sources import iter_sources

    scanner = FileScanner(raw=raw, processed=processed, withdrawn=withdrawn)
    # The ledger's pages are the HTML pages and the workbook, all written by now.
    checked = ledger_check(scanner.study, staging)
    published = [entry for entry in iter_sources({"reports": staging}) if entry[2]]
    # One process: a background process may not start others, and chromium has the rest.
    uses = publication_uses(scanner.rules, scanner.study, published, workers=1)
    return {"scanner": scanner, "ledger_checked": checked, "quote_uses": uses}


def _file_scanner(raw: Path, processed: Path, withdrawn: Withdrawn | None) -> FileScanner:
    from evstudy.audit import FileScanner

    return FileScanner(raw=raw, processed=processed, withdrawn=withdrawn)


def _audit(
    raw: Path,
    processed: Path,
    figures: Path,
    staging: Path,
    *,
    withdrawn: Withdrawn | None = None,
    workers: int | None = None,
    scanned: dict[str, tuple] | None = None,
    ledger_checked: tuple[list, list] | None = None,
    scanner: FileScanner | None = None,
    quote_uses: dict[str, tuple] | None = None,
) -> str:
    """The privacy audit of what is about to be published; "" when it found nothing.

    ``scanned``: files the build scanned as they were written (see PageWriter);
    ``ledger_checked``, ``scanner``, ``quote_uses``: what :func:`_audit_ahead` worked out."""
    from evstudy.audit import audit_outputs, format_findings

    found = audit_outputs(
        raw=raw,
        processed=processed,
        figures=figures,
        reports=staging,
        withdrawn=withdrawn,
        workers=workers,
        scanned=scanned,
        ledger_checked=ledger_checked,
        scanner=scanner,
        quote_uses=quote_uses,
    )
    if found.empty:
        return ""
    return (
        f"the privacy audit found {len(found)} problem(s), so nothing was published "
        f"(the staged report is in {staging}):\n" + format_findings(found)
    )


def _provenance_note(commit: str | None) -> str:
    from evstudy import __version__

    code = f"evstudy {__version__}" + (f", commit `{commit}`" if commit else "")
    return (
        f"**Build.** This report was built by {code}. `manifest.json` beside this page "
        "lists the sha256 of every raw input, processed table, figure, executed notebook and "
        "published file; `evstudy verify` rebuilds the report from the raw data and compares."
    )
