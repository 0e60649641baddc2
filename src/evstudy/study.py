"""``load_study()`` and the ``Study`` object that notebooks work with.

A ``Study`` is nothing but the processed tables, loaded once. Analysis
functions take it as their first argument (``quotes(study, code=...)``);
there is no global state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd

from evstudy.config import resolve_processed
from evstudy.errors import InputError

__all__ = ["Study", "load_study"]


@dataclass(frozen=True)
class Study:
    """The tidy tables of one ingested study (see the README for their columns)."""

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
    ingest_report: dict = field(default_factory=dict)

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
    def role_group_labels(self) -> dict[str, str]:
        """Role-group id to its label, in display order."""
        return dict(self.ingest_report.get("role_group_labels", {}))

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
        if f.name in {"path", "ingest_report"}:
            continue
        table = folder / f"{f.name}.parquet"
        if not table.is_file():
            raise InputError(
                table, "", "this table is missing", "re-run `evstudy ingest` to rebuild the tables"
            )
        tables[f.name] = pd.read_parquet(table)
    return Study(path=folder, ingest_report=report, **tables)
