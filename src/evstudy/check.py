"""``evstudy check``: validate a raw folder as ingest does, and write nothing.

The same pass as ingest (:class:`evstudy.assemble.Assembly`: read every input, check each
against the others, pseudonymise and redact in memory), stopping before anything is
written: no processed tables, no identity key, no list of names to review. Every problem
is reported at once, in the form ingest reports them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from evstudy.errors import InputError

__all__ = ["CheckSummary", "check_study"]


@dataclass
class CheckSummary:
    """What a successful check found: counts only, no names and no paths but the folder."""

    raw_dir: Path
    title: str
    synthetic: bool
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def text(self) -> str:
        """A short plain-text account, the same on every machine for the same folder."""
        kind = "synthetic study" if self.synthetic else "study"
        lines = [f"OK: {self.raw_dir} is a valid {kind}, {self.title!r}; nothing was written"]
        lines += [f"  {key.replace('_', ' ')}: {n:,}" for key, n in self.counts.items()]
        if self.warnings:
            lines.append(f"  warnings ({len(self.warnings)}):")
            lines += [f"    - {w}" for w in sorted(self.warnings)]
        lines.append(
            "Next: `evstudy build` (with the same --raw) ingests it and builds the report."
        )
        return "\n".join(lines)


def check_study(
    raw: str | Path | None = None, *, key_dir: str | Path | None = None
) -> CheckSummary:
    """Validate a raw study folder as ``evstudy ingest`` does, writing nothing.

    Parameters
    ----------
    raw : path, optional
        The raw folder (default ``$EVSTUDY_RAW``, else ``data/raw``). Only read.
    key_dir : path, optional
        Where the identity key is kept (default as for ingest). It is read when it
        exists, so a damaged key is reported, and never written.

    Returns
    -------
    CheckSummary

    Raises
    ------
    ValidationError
        Listing every problem found, as ingest would.
    InputError
        When the folder does not exist or has no usable ``study.yml``.
    """
    from evstudy.assemble import Assembly
    from evstudy.config import load_config, resolve_raw
    from evstudy.ingest import resolve_key_dir

    raw_dir = resolve_raw(raw)
    if not raw_dir.is_dir():
        raise InputError(raw_dir, "", "the raw folder does not exist", "check --raw / EVSTUDY_RAW")
    assembly = Assembly(load_config(raw_dir))
    assembly.read_all()
    # Builds every table in memory: pseudonyms, redaction and the codings' anchors are
    # checked too. Only IdentityKey.save and ingest's writers write, and neither is called.
    tables = assembly.build_tables(resolve_key_dir(raw_dir, key_dir))
    assembly.problems.raise_if_any(f"check of {raw_dir}")
    documents = tables["documents"]
    counts = {
        "sites": len(tables["sites"]),
        "participants": len(tables["participants"]),
        **{f"documents ({m})": n for m, n in sorted(Counter(documents["method"]).items())},
        "codes": len(tables["codebook"]),
        "codings": len(tables["codings"]),
        "survey_respondents": len(tables.get("survey_respondents", ())),
    }
    return CheckSummary(
        raw_dir,
        assembly.config.title,
        assembly.config.synthetic,
        counts=counts,
        warnings=list(assembly.warnings),
    )
