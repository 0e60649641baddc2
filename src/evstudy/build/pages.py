"""The report's pages, each written as soon as the notebooks it shows have run.

Between one notebook and the next, a worker leaves its core partly idle (the kernel
starting, the executed notebook being written). A page whose notebooks are done is
exported meanwhile, in one process of its own; the pages still to do when the last
notebook ends are exported on every core. Each page depends only on its own notebooks,
so the bytes are the same whatever the order.

The same process runs the privacy audit's scan of each output as soon as it is final
(the processed tables, each executed notebook and its charts, each page), so that the
audit at the end has only the files written last left to read.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from evstudy.parallel import die_with_parent, fork_map, in_background

__all__ = ["Page", "PageWriter", "report_pages"]

# Pages for the research team only: built beside the report, never linked from it.
RESEARCH_TEAM = "research-team"


@dataclass(frozen=True)
class Page:
    """One output of the export: what it needs and how it is written."""

    name: str  # the file, relative to the staging folder
    needs: frozenset[str]  # the notebook runs (job names) it is made from
    write: Callable[[], object]  # picklable: a partial of a module-level function


def _workbook(processed: Path, out: Path) -> None:
    # In a child process: the study it loads (hundreds of MB for a large study) goes back
    # to the system when it ends, rather than staying with the process that writes pages.
    with in_background(_write_workbook, processed, out) as job:
        job.result()


def _write_workbook(processed: Path, out: Path) -> None:
    from evstudy.excel import write_survey_workbook
    from evstudy.study import load_study

    write_survey_workbook(load_study(processed), out)


def report_pages(
    staging: Path,
    *,
    processed: Path,
    names: dict[str, str],
    provenance: str,
    final: bool = False,
) -> list[Page]:
    """index.html, one page per appendix, the research team's fieldwork page, tables.xlsx
    and one page per site, the largest first.

    Parameters
    ----------
    staging : Path
        The staging folder; executed notebooks are in its ``notebooks/``.
    processed : Path
        The processed tables (for the title, the title page's facts, the synthetic flag
        and the workbook).
    names : dict
        Site id to site name, in the study's order (the site pages' previous and next).
    provenance : str
        The build note at the end of the provenance appendix.
    final : bool, default False
        A final build (``evstudy build --final``): the title page does not say "Draft".
    """
    from evstudy.build.export import (
        APPENDICES,
        appendix_href,
        assemble_report,
        export_html,
        write_appendix,
    )

    report = json.loads((processed / "ingest_report.json").read_text(encoding="utf-8"))
    title, synthetic = report.get("title") or "Report", bool(report.get("synthetic", False))
    notebooks = staging / "notebooks"
    site_pages = {site: staging / "sites" / f"{site}.html" for site in names}
    site_titles = {site: f"{name} ({site}): site case study" for site, name in names.items()}
    sections = [(n, notebooks / f"{n}.ipynb") for n in ("synthesis", "survey")]
    both = frozenset({"synthesis", "survey"})
    pages = [
        Page(
            "index.html",
            both,
            partial(
                assemble_report,
                sections,
                staging / "index.html",
                title=title,
                synthetic=synthetic,
                site_pages=site_pages,
                site_titles=site_titles,
                report=report.get("report") or {},
                final=final,
            ),
        ),
        *[
            Page(
                appendix_href(name),
                both,
                partial(
                    write_appendix,
                    sections,
                    name,
                    staging / appendix_href(name),
                    report_title=title,
                    synthetic=synthetic,
                    provenance=provenance,
                ),
            )
            for name in APPENDICES
        ],
        Page(
            f"{RESEARCH_TEAM}/fieldwork.html",
            frozenset({"fieldwork"}),
            partial(
                export_html,
                notebooks / "fieldwork.ipynb",
                staging / RESEARCH_TEAM / "fieldwork.html",
                title="Fieldwork dashboard (research team only)",
                synthetic=synthetic,
            ),
        ),
        Page("tables.xlsx", frozenset(), partial(_workbook, processed, staging / "tables.xlsx")),
    ]
    order = list(site_pages)
    for at, (site, page) in enumerate(site_pages.items()):
        stem = f"site_case_study__{site}"
        nav = [("up", "../index.html", "Back to the report")]
        if at > 0:
            nav.append(("prev", f"{order[at - 1]}.html", names[order[at - 1]]))
        if at < len(order) - 1:
            nav.append(("next", f"{order[at + 1]}.html", names[order[at + 1]]))
        write = partial(
            export_html,
            notebooks / f"{stem}.ipynb",
            page,
            title=site_titles[site],
            synthetic=synthetic,
            nav=nav,
        )
        pages.append(Page(f"sites/{site}.html", frozenset({stem}), write))
    return pages


# In the early process: how to make the audit's scanner and the folders it labels files
# by, then the scanner itself (made at the first scan; False when making it failed).
_AUDIT: tuple[Callable[[], Any], dict[str, Path]] | None = None
_SCANNER: Any = None
# Files larger than this are scanned in a child process, which returns their memory.
_BIG = 1 << 20


def _start_early(
    audit: tuple[Callable[[], Any], dict[str, Path]] | None, parent: int | None = None
) -> None:
    global _AUDIT
    # Killed with the build: otherwise it waits on its task queue for a parent that is gone.
    die_with_parent(parent)
    _AUDIT = audit


def _scan(paths: list[Path]) -> dict[str, tuple]:
    """The audit's scan of every file at or under ``paths``, by display name; {} where
    there is no scanner (the audit at the end then scans them)."""
    global _SCANNER
    if _AUDIT is None or _SCANNER is False:
        return {}
    make, roots = _AUDIT
    try:
        if _SCANNER is None:
            # Made in a child process and sent here: the study it reads is not kept.
            with in_background(make) as job:
                _SCANNER = job.result()
        found = {}
        for entry in _entries(paths, roots):
            if entry[1].stat().st_size > _BIG:
                with in_background(_SCANNER.scan_now, entry) as job:  # memory freed after
                    found[entry[0]] = job.result()
            else:
                found[entry[0]] = _SCANNER.scan_now(entry)
        return found
    except Exception:  # the audit at the end scans again, and reports what is wrong
        _SCANNER = False
        return {}


def _entries(paths: list[Path], roots: dict[str, Path]) -> Iterator[tuple[str, Path, bool]]:
    """The audit's (display name, path, published) of each file at or under ``paths``."""
    from evstudy.audit.sources import source_entry

    for path in paths:
        for label, root in roots.items():
            if path.is_relative_to(root):
                for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
                    entry = source_entry(label, root, file)
                    if entry is not None:
                        yield entry
                break


def _write(page: Page, staging: Path | None = None) -> dict[str, tuple]:
    page.write()
    return _scan([staging / page.name]) if staging is not None else {}


class PageWriter:
    """Write pages as their notebooks finish; :meth:`finish` writes the rest and waits.

    Start it before the notebook workers: its process is forked at once, so that it
    holds none of the workers' pipes (a worker ends when its stdin closes).

    Parameters
    ----------
    pages : list of Page
    early : bool
        Write pages (and scan outputs) in a process of their own while notebooks run.
    audit : (callable, dict), optional
        A function that makes the audit's :class:`evstudy.audit.FileScanner`, and the
        folders the audit labels files by (``processed``, ``figures``, ``reports``: the
        staging folder, where the pages are written). With it, each page is scanned as
        it is written, and :meth:`scan` scans other outputs.
    """

    def __init__(
        self,
        pages: list[Page],
        *,
        early: bool = True,
        audit: tuple[Callable[[], Any], dict[str, Path]] | None = None,
    ) -> None:
        self._pending = list(pages)
        self._ready: set[str] = set()
        self._futures: list[Future] = []
        self._pool: ProcessPoolExecutor | None = None
        self._staging = audit[1]["reports"] if audit else None
        if early and "fork" in multiprocessing.get_all_start_methods():
            self._pool = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_early,
                initargs=(audit, os.getpid()),
            )
            self._pool.submit(int).result()  # fork now, before any worker exists
            self._submit_ready()

    def notebook_done(self, name: str) -> None:
        """The notebook run ``name`` succeeded: export the pages now complete."""
        self._ready.add(name)
        self._submit_ready()

    def scan(self, *paths: Path) -> None:
        """Scan these final outputs (files, or folders of them) for the audit, in turn."""
        if self._pool is not None and self._staging is not None:
            self._futures.append(self._pool.submit(_scan, list(paths)))

    def _submit_ready(self) -> None:
        if self._pool is None:
            return
        for page in [p for p in self._pending if p.needs <= self._ready]:
            self._pending.remove(page)
            self._futures.append(self._pool.submit(_write, page, self._staging))

    def finish(self, *, workers: int | None = None) -> dict[str, tuple]:
        """Write every page not written yet, on every core, and wait for all of them.

        Returns what the early process scanned, by display name, for
        :func:`evstudy.audit.audit_outputs`'s ``scanned``. Raises the error of a page that
        could not be written.
        """
        rest, self._pending = self._pending, []
        scanned: dict[str, tuple] = {}
        try:
            fork_map(_write, rest, workers=workers)
        finally:
            for future in self._futures:
                scanned.update(future.result())
        return scanned

    def close(self) -> None:
        """Stop the early process (pages it has not written are not written)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
