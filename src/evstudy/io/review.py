"""Readers for the rapid evidence review: its register and its coded findings.

The review has two tables under ``review/`` (``.xlsx``, first sheet, or ``.csv``):

- the **register** (``review_register``): one row per screened source, with its citation,
  year, type, country, method, relevance to each research question, quality appraisal and
  the screening decision (an excluded source gives its reason);
- the **findings** (``review_findings``): the coding-sheet format with a source in place
  of a document: one row per finding and code, the finding written in the reviewer's own
  words, coded with the study's codebook.

Quality is appraised on a simple stated scale (:data:`QUALITY`): *high* for peer-reviewed
empirical research whose methods are reported and whose setting matches the question;
*moderate* for empirical work with reported methods that is not peer-reviewed, or is
peer-reviewed with a weaker fit; *low* for briefings, summaries and commentary without
method detail. Relevance to each research question study.yml declares is *high*, *some* or
*none* (a column per question: ``RQ<id>``, ``Relevance RQ<id>`` or ``Relevance <id>``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from evstudy.errors import Problems
from evstudy.io.sheets import (
    cell_text,
    find_columns,
    is_blank,
    parse_int,
    read_sheet,
    records_frame,
)

__all__ = [
    "DECISIONS",
    "FINDING_COLUMNS",
    "QUALITY",
    "RELEVANCE",
    "SOURCE_COLUMNS",
    "SOURCE_TYPES",
    "read_review_findings",
    "read_review_register",
]

SOURCE_TYPES = ("peer-reviewed", "grey literature", "guidance")
QUALITY = ("high", "moderate", "low")
RELEVANCE = ("high", "some", "none")
DECISIONS = ("included", "excluded")
YEARS = (1950, 2100)  # a year outside this range is a typing slip
SOURCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "source_id": ("Source ID", "Source", "source_id"),
    "citation": ("Citation",),
    "year": ("Year",),
    "type": ("Type", "Source type"),
    "country": ("Country",),
    "method": ("Method",),
    "quality": ("Quality", "Quality appraisal"),
    "decision": ("Decision", "Included"),
    "reason": ("Reason", "Exclusion reason"),
}
FINDING_COLUMNS: dict[str, tuple[str, ...]] = {
    "source_id": ("Source", "Source ID", "Document"),
    "finding": ("Finding", "Text"),
    "code": ("Code", "Code ID", "code_id"),
    "coder": ("Coder", "Reviewer"),
    "memo": ("Memo",),
}
REGISTER_OUT = ["source_id", "citation", "year", "type", "country", "method"]
REGISTER_OUT += ["quality", "decision", "reason"]
FINDINGS_OUT = ["finding_id", "source_id", "finding", "code_id", "coder", "memo"]


def _choice(value: Any) -> str | None:
    text = cell_text(value)
    return None if text is None else " ".join(text.casefold().split())


def _relevance_columns(rq_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Each declared research question's relevance column: ``rq<id>`` and its headers."""
    return {
        f"rq{rq}": (f"RQ{rq}", f"Relevance RQ{rq}", f"Relevance {rq}") for rq in map(str, rq_ids)
    }


def read_review_register(
    path: str | Path, *, rq_ids: Sequence[str] = (), label: str | None = None
) -> pd.DataFrame:
    """Read and validate the review register.

    Parameters
    ----------
    path : str or Path
        A ``.xlsx`` (first sheet) or ``.csv`` file, header on row 1.
    rq_ids : sequence of str
        The research questions study.yml declares: each needs a relevance column headed
        ``RQ<id>``, ``Relevance RQ<id>`` or ``Relevance <id>``. Other columns are ignored.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    DataFrame
        source_id, citation, year (Int64; NA when undated), type, country, method,
        ``rq<id>`` for each declared research question (relevance), quality (None for an
        excluded source), decision, reason (None when included), row.

    Raises
    ------
    InputError
        When the file cannot be read at all.
    ValidationError
        Listing every problem: a missing column, a blank or repeated source id, a blank
        citation, a year that is not a whole number from 1950 to 2100 (blank: undated), a
        type, relevance, quality or decision off its scale, an included source without a
        quality appraisal, an excluded source without a reason.
    """
    sheet = read_sheet(path, label)
    found = Problems()
    relevance = _relevance_columns(rq_ids)
    columns = {**SOURCE_COLUMNS, **relevance}
    cols = find_columns(sheet, columns, list(columns), found)
    found.raise_if_any(sheet.file)

    def add(number: int, key: str, problem: str, fix: str) -> None:
        found.add(sheet.file, sheet.where(number, columns[key][0]), problem, fix)

    def check(number: int, key: str, value: str | None, options: tuple[str, ...]) -> None:
        if value is not None and value not in options:
            add(
                number,
                key,
                f"{value!r} is not one of {list(options)}",
                f"write one of: {', '.join(options)}",
            )

    records, seen = [], {}
    for number, cells in sheet.records():
        raw = {k: cells[i] for k, i in cols.items()}
        rec: dict[str, Any] = {k: cell_text(raw[k]) for k in ("source_id", "citation")}
        rec.update({k: cell_text(raw[k]) for k in ("country", "method", "reason")})
        for key, options in (("type", SOURCE_TYPES), ("quality", QUALITY)):
            rec[key] = _choice(raw[key])
            check(number, key, rec[key], options)
        rec["decision"] = _choice(raw["decision"])
        check(number, "decision", rec["decision"], DECISIONS)
        for rq in relevance:
            rec[rq] = _choice(raw[rq]) or "none"
            check(number, rq, rec[rq], RELEVANCE)
        source = rec["source_id"]
        if source is None:
            add(number, "source_id", "the source id is blank", "give each source an id, e.g. R01")
        elif source in seen:
            add(
                number,
                "source_id",
                f"source {source!r} is already on row {seen[source]}",
                "give each source its own id",
            )
        else:
            seen[source] = number
        if rec["citation"] is None:
            add(number, "citation", "the citation is blank", "write the full reference")
        try:  # a blank year is an undated source ("n.d.")
            rec["year"] = None if is_blank(raw["year"]) else parse_int(raw["year"])
            if rec["year"] is not None and not YEARS[0] <= rec["year"] <= YEARS[1]:
                raise ValueError(f"{rec['year']} is not a plausible publication year")
        except ValueError as exc:
            add(number, "year", str(exc), "write the year of publication, e.g. 2019")
            rec["year"] = None
        if rec["type"] is None:
            add(number, "type", "the type is blank", f"write one of: {', '.join(SOURCE_TYPES)}")
        if rec["decision"] is None:
            add(number, "decision", "the decision is blank", "write included or excluded")
        elif rec["decision"] == "included" and rec["quality"] is None:
            add(
                number,
                "quality",
                "an included source has no quality appraisal",
                f"appraise it as one of: {', '.join(QUALITY)}",
            )
        elif rec["decision"] == "excluded" and rec["reason"] is None:
            add(
                number,
                "reason",
                "an excluded source gives no reason",
                "say why it was excluded: the report counts the reasons",
            )
        if rec["decision"] == "included":
            rec["reason"] = None
        rec["row"] = number
        records.append(rec)
    found.raise_if_any(sheet.file)
    out = [*REGISTER_OUT[:6], *relevance, *REGISTER_OUT[6:], "row"]
    return records_frame(records, out).astype({"year": "Int64"})


def read_review_findings(
    path: str | Path,
    *,
    codes: Collection[str] | None = None,
    sources: pd.DataFrame | None = None,
    label: str | None = None,
) -> pd.DataFrame:
    """Read and validate the review's coded findings.

    Rows with the same source and the same finding text are one finding coded several
    times; findings are numbered ``F001``, ``F002``, ... in file order.

    Parameters
    ----------
    path : str or Path
        A ``.xlsx`` (first sheet) or ``.csv`` file, header on row 1.
    codes : collection of str, optional
        The codebook's code ids; when given, every Code must be one of them.
    sources : DataFrame, optional
        The register (:func:`read_review_register`); when given, every Source must be an
        included source of it.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    DataFrame
        finding_id, source_id, finding, code_id, coder, memo, row; file order.

    Raises
    ------
    InputError
        When the file cannot be read at all.
    ValidationError
        Listing every problem: a missing column, a blank source, finding, code or coder, a
        code not in the codebook, a source not in the register or not included.
    """
    sheet = read_sheet(path, label)
    found = Problems()
    cols = find_columns(sheet, FINDING_COLUMNS, ["source_id", "finding", "code", "coder"], found)
    found.raise_if_any(sheet.file)
    known = None if codes is None else set(codes)
    included = excluded = None
    if sources is not None:
        included = set(sources.loc[sources["decision"] == "included", "source_id"])
        excluded = set(sources["source_id"]) - included

    def add(number: int, key: str, problem: str, fix: str) -> None:
        found.add(sheet.file, sheet.where(number, FINDING_COLUMNS[key][0]), problem, fix)

    records, ids = [], {}
    for number, cells in sheet.records():
        rec = {k: cell_text(cells[cols[k]]) if k in cols else None for k in FINDING_COLUMNS}
        for key, fix in (
            ("source_id", "write the Source ID from the review register"),
            ("finding", "write the finding in your own words"),
            ("code", "write a code id from the codebook"),
            ("coder", "write the reviewer's initials"),
        ):
            if rec[key] is None:
                add(number, key, f"{FINDING_COLUMNS[key][0]} is blank", fix)
        code, source = rec.pop("code"), rec["source_id"]
        if code is not None and known is not None and code not in known:
            add(
                number,
                "code",
                f"code {code!r} is not in the codebook",
                "add it to codebook.yml or correct the code id",
            )
        if source is not None and included is not None and source not in included:
            problem = (
                f"source {source!r} was excluded from the review"
                if source in excluded
                else f"source {source!r} is not in the review register"
            )
            add(number, "source_id", problem, "code findings of included sources only")
        if rec["finding"] is not None and source is not None:
            ids.setdefault((source, rec["finding"]), f"F{len(ids) + 1:03d}")
        rec.update(finding_id=ids.get((source, rec["finding"])), code_id=code, row=number)
        records.append(rec)
    found.raise_if_any(sheet.file)
    return records_frame(records, [*FINDINGS_OUT, "row"])
