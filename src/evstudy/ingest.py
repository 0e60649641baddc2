"""Raw folder -> validated, pseudonymised tidy tables in ``data/processed``.

Ingest reads every raw file, checks each against the others (speakers against
the register, sites against the site table, codings against documents and the
codebook), and collects every problem before it stops. Only when nothing is
wrong does it write the tables, each atomically. It never writes under the raw
folder, and the identity key goes beside it, never among the outputs.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from evstudy.assemble import REVIEW_FILE, Assembly
from evstudy.config import load_config, resolve_processed, resolve_raw
from evstudy.errors import InputError
from evstudy.files import atomic_write_text, atomic_writer, raw_digests, sha256_file

__all__ = ["TABLES", "IngestReport", "ingest", "raw_digests", "resolve_key_dir"]

TABLES = (
    "sites",
    "participants",
    "documents",
    "turns",
    "codebook",
    "codings",
    "survey_questions",
    "survey_options",
    "survey_respondents",
    "survey_answers",
    "admin",
    "autocode_rules",
    "review_sources",
    "review_findings",
    "recommendations",
    "report_text",
)


@dataclass
class IngestReport:
    """What one ingest read, wrote and noticed (counts only: no names, no paths)."""

    out_dir: Path
    synthetic: bool
    counts: dict[str, int] = field(default_factory=dict)
    withdrawn: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    flagged_names: int = 0  # words that may be names, with no decision yet
    undecided_names: list[str] = field(default_factory=list)  # where: "doc_id turn n"
    kept_names: int = 0  # words that may be names, kept by a decision
    tables: dict[str, str] = field(default_factory=dict)  # name -> sha256
    # The parts of study.yml that analysis needs: thresholds and labels, never names.
    title: str = ""
    disclosure: dict[str, int] = field(default_factory=dict)
    reliability: dict[str, float] = field(default_factory=dict)
    role_group_labels: dict[str, str] = field(default_factory=dict)
    raw_sha256: dict[str, str] = field(default_factory=dict)  # raw file (relative) -> sha256
    # Site id -> name (local authorities are public bodies): lets a build plan its
    # notebook runs without loading the tables.
    sites: dict[str, str] = field(default_factory=dict)
    # The protocol's targets and the fieldwork calendar, for the fieldwork dashboard.
    targets: dict[str, Any] = field(default_factory=dict)
    fieldwork: dict[str, Any] = field(default_factory=dict)
    # What the study declares about itself (study.yml): read by the report layer.
    description: str = ""
    site_noun: str = "site"
    research_questions: list[dict[str, str]] = field(default_factory=list)
    population: dict[str, Any] = field(default_factory=dict)
    analyses: list[dict[str, Any]] = field(default_factory=list)
    # The report's title-page facts (study.yml ``report:``): sponsor, authors, date, version.
    report: dict[str, Any] = field(default_factory=dict)
    # Which rule told complete survey responses from partial ones.
    survey_completion: str = ""

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "synthetic": self.synthetic,
            "disclosure": dict(self.disclosure),
            "reliability": dict(self.reliability),
            "role_group_labels": dict(self.role_group_labels),
            "counts": dict(sorted(self.counts.items())),
            "withdrawn": dict(sorted(self.withdrawn.items())),
            "flagged_first_names": self.flagged_names,
            # Where words that may be names wait for a decision (the build refuses to publish
            # until none does); the words themselves stay in name_review.csv, beside the key.
            "undecided_names": list(self.undecided_names),
            "kept_names": self.kept_names,
            "warnings": sorted(self.warnings),
            "table_sha256": dict(sorted(self.tables.items())),
            "raw_sha256": dict(sorted(self.raw_sha256.items())),
            "sites": dict(sorted(self.sites.items())),
            "targets": dict(sorted(self.targets.items())),
            "fieldwork": dict(sorted(self.fieldwork.items())),
            "description": self.description,
            "site_noun": self.site_noun,
            "research_questions": list(self.research_questions),
            "population": dict(self.population),
            "analyses": list(self.analyses),
            "survey_completion": self.survey_completion,
            "report": dict(self.report),
        }

    def summary(self) -> str:
        """A short plain-text account, the same on every machine."""
        kind = "SYNTHETIC demonstration study" if self.synthetic else "study"
        lines = [f"Ingested {kind}: {len(self.tables)} tables"]
        lines += [f"  {k.replace('_', ' ')}: {v:,}" for k, v in sorted(self.counts.items())]
        if self.survey_completion:
            lines.append(f"  survey completion: {self.survey_completion}")
        if any(self.withdrawn.values()):
            parts = ", ".join(f"{v} {k}" for k, v in sorted(self.withdrawn.items()))
            lines.append(f"  withdrawn (excluded): {parts}")
        if self.kept_names:
            lines.append(f"  possible names kept by name_decisions.csv: {self.kept_names}")
        if self.flagged_names:
            lines.append(
                f"  possible names left in the text with no decision: {self.flagged_names} "
                f"in {len(self.undecided_names)} turn(s), listed in {REVIEW_FILE} beside the "
                "identity key; decide each in name_decisions.csv (keep or redact): the "
                "build publishes nothing until then"
            )
        if self.warnings:
            lines.append(f"  warnings ({len(self.warnings)}):")
            lines += [f"    - {w}" for w in sorted(self.warnings)]
        return "\n".join(lines)


def _check_writable(folder: Path, what: str, fix: str) -> None:
    """Whether ``folder`` (or, when it does not exist yet, its nearest existing parent) takes a
    new file; probed with a temporary file that is removed at once, so nothing is left."""
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    try:
        handle, name = tempfile.mkstemp(prefix=".evstudy-probe-", dir=probe)
        os.close(handle)
        os.unlink(name)
    except OSError as exc:
        raise InputError(
            folder,
            "",
            f"{what} cannot be written here ({exc.strerror.lower()} in {probe})",
            fix,
        ) from None


def resolve_key_dir(raw_dir: Path, key_dir: str | Path | None = None) -> Path:
    """Where the identity key lives: given, ``$EVSTUDY_KEYS``, or ``identity/`` beside raw."""
    chosen = key_dir or os.environ.get("EVSTUDY_KEYS") or raw_dir.parent / "identity"
    return Path(chosen).expanduser().resolve()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def ingest(
    raw: str | Path | None = None,
    out: str | Path | None = None,
    *,
    key_dir: str | Path | None = None,
) -> IngestReport:
    """Validate a raw study folder and write its tidy tables.

    Parameters
    ----------
    raw : path, optional
        The raw folder (default ``$EVSTUDY_RAW``, else ``data/raw``). Only read.
    out : path, optional
        Where the Parquet tables go (default ``$EVSTUDY_PROCESSED``, else
        ``data/processed``). Must not be inside ``raw``.
    key_dir : path, optional
        Where the identity key is kept (default ``$EVSTUDY_KEYS``, else an
        ``identity`` folder beside ``raw``). Must not be inside ``raw`` or ``out``.

    Returns
    -------
    IngestReport

    Raises
    ------
    ValidationError
        Listing every problem found; nothing is written.
    InputError
        When the folders are unusable.
    """
    raw_dir = resolve_raw(raw)
    out_dir = resolve_processed(out)
    keys = resolve_key_dir(raw_dir, key_dir)
    if not raw_dir.is_dir():
        raise InputError(raw_dir, "", "the raw folder does not exist", "check --raw / EVSTUDY_RAW")
    if _inside(out_dir, raw_dir) or _inside(keys, raw_dir):
        raise InputError(
            raw_dir,
            "",
            "ingest would write inside the raw folder, which must stay untouched",
            "choose --out and --key-dir outside the raw folder",
        )
    if _inside(keys, out_dir):
        raise InputError(
            keys,
            "",
            "the identity key would sit among the processed tables",
            "keep --key-dir outside the processed folder",
        )

    assembly = Assembly(load_config(raw_dir))
    assembly.read_all()
    tables = assembly.build_tables(keys)
    assembly.problems.raise_if_any(f"ingest of {raw_dir}")
    # Before anything is written: a read-only share holding the raw folder (where the
    # identity key goes by default) must not leave tables written and the key unsaved.
    _check_writable(
        keys, "the identity key", "set --key-dir or EVSTUDY_KEYS to a folder you can write"
    )
    _check_writable(
        out_dir, "the processed tables", "set --out or EVSTUDY_PROCESSED to a folder you can write"
    )

    config = assembly.config
    transcripts = {Path(t.path): doc for doc, t in assembly.transcripts.items()}
    digests = raw_digests(raw_dir, transcripts)
    report = IngestReport(
        out_dir,
        config.synthetic,
        warnings=assembly.warnings,
        title=config.title,
        disclosure=dict(config.disclosure),
        reliability=dict(config.reliability),
        role_group_labels=dict(config.role_group_labels),
        raw_sha256=digests,
        targets=dict(config.targets),
        fieldwork=dict(config.fieldwork),
        description=config.description,
        site_noun=config.site_noun,
        research_questions=[dict(q) for q in config.research_questions],
        population=dict(config.population),
        analyses=[dict(a) for a in config.analyses],
        report=dict(config.report),
    )
    report.counts = _counts(tables)
    report.sites = dict(zip(tables["sites"]["site_id"], tables["sites"]["site_name"], strict=True))
    report.withdrawn = assembly.withdrawn
    if assembly.survey is not None:
        report.survey_completion = assembly.survey.completion_rule
    report.flagged_names = len(assembly.flags)
    report.undecided_names = assembly.undecided_places()
    report.kept_names = assembly.kept_names
    for name in TABLES:
        path = out_dir / f"{name}.parquet"
        atomic_writer(path, lambda tmp, f=tables[name]: f.to_parquet(tmp, index=False))
        report.tables[name] = sha256_file(path)
    assembly.save_private(keys)
    atomic_write_text(out_dir / "ingest_report.json", json.dumps(report.as_dict(), indent=2) + "\n")
    atomic_write_text(
        out_dir / "ingest_report.md", f"# Ingest report\n\n```\n{report.summary()}\n```\n"
    )
    return report


def _counts(tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    documents = tables["documents"]
    counts = {
        "sites": len(tables["sites"]),
        "participants": len(tables["participants"]),
        "documents": len(documents),
        "turns": len(tables["turns"]),
        "words": int(tables["turns"]["n_words"].sum()),
        "codes": len(tables["codebook"]),
        "codings": len(tables["codings"]),
        "coders": int(tables["codings"]["coder"].nunique()),
        "survey_respondents": len(tables["survey_respondents"]),
        "survey_answers": len(tables["survey_answers"]),
        "review_sources_included": int((tables["review_sources"]["decision"] == "included").sum()),
        "review_findings": int(tables["review_findings"]["finding_id"].nunique()),
        "recommendations": len(tables["recommendations"]),
        "report_sections": len(tables["report_text"]),
    }
    counts.update({f"documents_{m}": n for m, n in Counter(documents["method"]).items()})
    return counts
