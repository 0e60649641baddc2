"""``load_study()`` and the ``Study`` object that notebooks work with.

A ``Study`` is nothing but the processed tables, loaded once. Analysis
functions take it as their first argument (``quotes(study, code=...)``);
there is no global state, except a note of the study loaded last (:func:`last_loaded`),
which marks the charts of a synthetic study.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from evstudy.config import resolve_processed
from evstudy.errors import InputError

T = TypeVar("T")

__all__ = ["Study", "analyses_of", "derived", "last_loaded", "load_study", "preload"]

# Studies a build's kernel template loaded ahead (see evstudy.build.warm): folder ->
# (signature of its files, Study). Kernels forked from the template find them here.
_PRELOADED: dict[Path, tuple[tuple, Study]] = {}
# The study load_study returned last in this process (see last_loaded).
_LAST: list[Study | None] = [None]


@dataclass(frozen=True)
class Study:
    """The tidy tables of one ingested study (see the README for their columns).

    ``documents.date`` is datetime64 (NaT for survey answers, which have no date).
    """

    path: Path
    sites: pd.DataFrame
    participants: pd.DataFrame
    documents: pd.DataFrame
    turns: pd.DataFrame
    codebook: pd.DataFrame
    codings: pd.DataFrame
    survey_questions: pd.DataFrame
    survey_options: pd.DataFrame
    survey_respondents: pd.DataFrame
    survey_answers: pd.DataFrame
    admin: pd.DataFrame
    # Optional, so that studies built by hand (in tests, from other tools) need not carry them.
    autocode_rules: pd.DataFrame = field(default_factory=pd.DataFrame)
    review_sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    review_findings: pd.DataFrame = field(default_factory=pd.DataFrame)
    recommendations: pd.DataFrame = field(default_factory=pd.DataFrame)
    # The research team's section texts (report/*.md): key, file, text; see evstudy.prose.
    report_text: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["key", "file", "text"])
    )
    ingest_report: dict = field(default_factory=dict)
    # Tables derived from the others, computed once (see derived()).
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Parquet gives a date column back as Python dates in an object column, which
        # neither .dt nor comparisons with a Timestamp accept: hold datetime64 instead.
        docs = self.documents
        if "date" in docs and not pd.api.types.is_datetime64_any_dtype(docs["date"]):
            dates = pd.to_datetime(docs["date"]).astype("datetime64[ns]")
            object.__setattr__(self, "documents", docs.assign(date=dates))

    @property
    def synthetic(self) -> bool:
        """True when the study is the synthetic demonstration (or another generated one)."""
        return bool(self.ingest_report.get("synthetic", False))

    @property
    def disclosure(self) -> dict[str, int]:
        """The study's disclosure thresholds (suppress_max, min_subgroup_base, quote_k)."""
        from evstudy.config import DEFAULT_DISCLOSURE

        return {**DEFAULT_DISCLOSURE, **self.ingest_report.get("disclosure", {})}

    @property
    def reliability(self) -> dict[str, float]:
        """The study's reliability settings (``kappa_threshold``; study.yml ``reliability:``)."""
        from evstudy.config import DEFAULT_RELIABILITY

        return {**DEFAULT_RELIABILITY, **self.ingest_report.get("reliability", {})}

    @property
    def role_group_labels(self) -> dict[str, str]:
        """Role-group id to its label, in display order."""
        return dict(self.ingest_report.get("role_group_labels", {}))

    @property
    def title(self) -> str:
        """The study's title (study.yml)."""
        return str(self.ingest_report.get("title", ""))

    @property
    def report(self) -> dict:
        """The report's title-page facts (study.yml ``report:``): ``sponsor``, ``authors``
        (a list), ``date`` (ISO ``YYYY-MM-DD``) and ``version``; None (or []) where not
        declared. The date is the study's, never the build's clock."""
        from evstudy.config import DEFAULT_REPORT

        return {**DEFAULT_REPORT, **(self.ingest_report.get("report") or {})}

    @property
    def description(self) -> str:
        """One paragraph on what the study is (study.yml ``study.description``), or ""."""
        return str(self.ingest_report.get("description", ""))

    @property
    def site_noun(self) -> str:
        """What a site is called in prose (study.yml ``study.site_noun``; default "site")."""
        return str(self.ingest_report.get("site_noun") or "site")

    @property
    def research_questions(self) -> pd.DataFrame:
        """The declared research questions in order: rq_id, title, text (empty if none)."""
        rows = self.ingest_report.get("research_questions", [])
        return pd.DataFrame(rows, columns=["rq_id", "title", "text"]).astype(str)

    @property
    def population(self) -> dict:
        """Who headline figures describe: ``label`` and the role groups ``outside`` it."""
        from evstudy.config import DEFAULT_POPULATION

        found = self.ingest_report.get("population") or {}
        return {
            "label": found.get("label", DEFAULT_POPULATION["label"]),
            "outside": list(found.get("outside", [])),
        }

    @property
    def analyses(self) -> list[dict]:
        """The study-specific analyses study.yml declares (``analyses:``), as declared."""
        return [dict(a) for a in self.ingest_report.get("analyses", [])]

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if isinstance(getattr(self, f.name), pd.DataFrame)
        }

    def __repr__(self) -> str:
        label = "synthetic study" if self.synthetic else "study"
        sizes = ", ".join(f"{name}={len(frame):,}" for name, frame in self.tables.items())
        return f"<evstudy {label} at {self.path}: {sizes}>"


def derived(study: Any, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once per study and ``key``: for tables derived from the study's.

    Every site's page compares the site with all the others, so the same cross-site
    tables are asked for many times. A ``Study`` is frozen, so its tables cannot be
    replaced and the result stays valid; other study-like objects are not cached. The
    result is shared: callers must copy it before changing it in place.

    Parameters
    ----------
    study : Study
    key : hashable
        What is computed and from which arguments, e.g. ``("quotes", k, labels)``.
    compute : callable
        Computes the value from the study.
    """
    cache = getattr(study, "_derived", None)
    if not isinstance(cache, dict):
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def analyses_of(study: Study, type: str) -> list[dict]:
    """The analyses of one ``type`` the study declares (see ``Study.analyses``).

    Examples
    --------
    >>> [a["question"] for a in analyses_of(study, "preferred_formats")]  # doctest: +SKIP
    """
    from evstudy.config import ANALYSIS_TYPES

    if type not in ANALYSIS_TYPES:
        raise ValueError(f"`type` must be one of {list(ANALYSIS_TYPES)}, but {type!r} was passed")
    return [a for a in study.analyses if a["type"] == type]


def load_study(path: str | Path | None = None) -> Study:
    """Load the processed tables of a study.

    Parameters
    ----------
    path : path, optional
        The processed folder. Default: ``$EVSTUDY_PROCESSED``, else
        ``data/processed`` of the project that holds the working directory.

    Returns
    -------
    Study

    Raises
    ------
    InputError
        When the folder holds no ingested study; the message says how to make one.
    """
    folder = resolve_processed(path)
    kept = _PRELOADED.get(folder)
    if kept is not None and kept[0] == _signature(folder):
        _LAST[0] = kept[1]
        return kept[1]
    report_path = folder / "ingest_report.json"
    if not report_path.is_file():
        raise InputError(
            folder,
            "",
            "no ingested study here (ingest_report.json is missing)",
            "run `make ingest` or `evstudy ingest` first, or pass the processed folder's path",
        )
    report = json.loads(report_path.read_text(encoding="utf-8"))
    tables = {}
    for f in fields(Study):
        if f.name in {"path", "ingest_report", "_derived"}:
            continue
        table = folder / f"{f.name}.parquet"
        if f.name in _OPTIONAL_TABLES and not table.is_file():
            continue  # ingested before the table existed: the field's default (no rows)
        if not table.is_file():
            raise InputError(
                table, "", "this table is missing", "re-run `evstudy ingest` to rebuild the tables"
            )
        tables[f.name] = pd.read_parquet(table)
    _LAST[0] = Study(path=folder, ingest_report=report, **tables)
    return _LAST[0]


def last_loaded() -> Study | None:
    """The study :func:`load_study` returned last in this process, or None.

    Chart files are marked as synthetic data by it (:func:`evstudy.charts.save.study_mark`),
    so that a notebook's ``save_figure`` calls need not pass the study along.
    """
    return _LAST[0]


# Tables newer than some processed folders: a study ingested before them still loads.
_OPTIONAL_TABLES = frozenset({"report_text"})


def _signature(folder: Path) -> tuple:
    """Name, size, modification time and inode of every file load_study() reads."""
    found = []
    for path in sorted([folder / "ingest_report.json", *folder.glob("*.parquet")]):
        try:
            st = path.stat()
        except OSError:
            continue
        found.append((path.name, st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(found)


def preload(path: str | Path | None = None) -> Study:
    """Load a study and keep it for later :func:`load_study` calls in this process.

    A build's kernel template preloads the study, and every kernel forked from it then
    gets the same tables (and the cross-site tables derived from them) without reading
    or computing them again. ``load_study`` returns the kept study only while no file
    in the folder has changed since; otherwise it loads afresh, as usual.

    Parameters
    ----------
    path : path, optional
        The processed folder, as for :func:`load_study`.

    Returns
    -------
    Study
        The kept study (the same object on every call while the files are unchanged).
    """
    folder = resolve_processed(path)
    signature = _signature(folder)  # taken first: a change while loading is seen next time
    kept = _PRELOADED.get(folder)
    if kept is not None and kept[0] == signature:
        return kept[1]
    _PRELOADED.pop(folder, None)
    study = load_study(folder)
    _PRELOADED[folder] = (signature, study)
    return study
