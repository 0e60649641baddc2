"""The report's pages, each written as soon as the notebooks it shows have run.

Between one notebook and the next, a worker leaves its core partly idle (the kernel
starting, the executed notebook being written). A page whose notebooks are done is
exported meanwhile, in one process of its own; the pages still to do when the last
notebook ends are exported on every core. Each page depends only on its own notebooks,
so the bytes are the same whatever the order.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from evstudy.parallel import fork_map

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
    from evstudy.excel import write_survey_workbook
    from evstudy.study import load_study

    write_survey_workbook(load_study(processed), out)


def report_pages(
    staging: Path, *, processed: Path, names: dict[str, str], provenance: str
) -> list[Page]:
    """index.html, the research team's fieldwork page, tables.xlsx and one page per site,
    the largest first.

    Parameters
    ----------
    staging : Path
        The staging folder; executed notebooks are in its ``notebooks/``.
    processed : Path
        The processed tables (for the title, the synthetic flag and the workbook).
    names : dict
        Site id to site name.
    provenance : str
        The build note at the end of index.html.
    """
    from evstudy.build.export import assemble_report, export_html

    report = json.loads((processed / "ingest_report.json").read_text(encoding="utf-8"))
    title, synthetic = report.get("title") or "Report", bool(report.get("synthetic", False))
    notebooks = staging / "notebooks"
    site_pages = {site: staging / "sites" / f"{site}.html" for site in names}
    site_titles = {site: f"{name} ({site}): site case study" for site, name in names.items()}
    sections = [(n, notebooks / f"{n}.ipynb") for n in ("synthesis", "survey")]
    pages = [
        Page(
            "index.html",
            frozenset({"synthesis", "survey"}),
            partial(
                assemble_report,
                sections,
                staging / "index.html",
                title=title,
                synthetic=synthetic,
                site_pages=site_pages,
                provenance=provenance,
                site_titles=site_titles,
            ),
        ),
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
    for site, page in site_pages.items():
        stem = f"site_case_study__{site}"
        write = partial(
            export_html,
            notebooks / f"{stem}.ipynb",
            page,
            title=site_titles[site],
            synthetic=synthetic,
        )
        pages.append(Page(f"sites/{site}.html", frozenset({stem}), write))
    return pages


def _write(page: Page) -> None:
    page.write()


class PageWriter:
    """Write pages as their notebooks finish; :meth:`finish` writes the rest and waits.

    Start it before the notebook workers: its process is forked at once, so that it
    holds none of the workers' pipes (a worker ends when its stdin closes).
    """

    def __init__(self, pages: list[Page], *, early: bool = True) -> None:
        self._pending = list(pages)
        self._ready: set[str] = set()
        self._futures: list[Future] = []
        self._pool: ProcessPoolExecutor | None = None
        if early and "fork" in multiprocessing.get_all_start_methods():
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self._pool.submit(int).result()  # fork now, before any worker exists
            self._submit_ready()

    def notebook_done(self, name: str) -> None:
        """The notebook run ``name`` succeeded: export the pages now complete."""
        self._ready.add(name)
        self._submit_ready()

    def _submit_ready(self) -> None:
        if self._pool is None:
            return
        for page in [p for p in self._pending if p.needs <= self._ready]:
            self._pending.remove(page)
            self._futures.append(self._pool.submit(_write, page))

    def finish(self, *, workers: int | None = None) -> None:
        """Write every page not written yet, on every core, and wait for all of them.

        Raises the error of a page that could not be written.
        """
        rest, self._pending = self._pending, []
        try:
            fork_map(_write, rest, workers=workers)
        finally:
            for future in self._futures:
                future.result()

    def close(self) -> None:
        """Stop the early process (pages it has not written are not written)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
