"""Codebook versions: retired and merged codes, merging one code into another, the audit trail.

A codebook entry may carry ``status: retired`` or ``status: merged`` with
``merged_into: <code id>`` (and ``changed_in: "1.1"``, ``reason: ...``). Codings that
still use such a code are *stale*; :func:`merge_codes` rewrites them and records the
change, so that :func:`code_changes` can show what happened to every code.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

__all__ = ["code_changes", "merge_codes", "stale_codings"]

INACTIVE = ("retired", "merged")


def _status(codebook: pd.DataFrame) -> pd.DataFrame:
    """``code_id, status, merged_into`` (every code active when the columns are missing)."""
    frame = codebook[["code_id"]].copy()
    frame["status"] = codebook.get("status", "active")
    frame["merged_into"] = codebook.get("merged_into")
    return frame


def stale_codings(codebook: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """Codings that still use a retired or merged code.

    Parameters
    ----------
    codebook : pandas.DataFrame
        The codebook table (``study.codebook`` or :func:`evstudy.codebook.read_codebook`).
    codings : pandas.DataFrame
        The codings table.

    Returns
    -------
    pandas.DataFrame
        ``coding_id, doc_id, code_id, status, merged_into``, in codings order.
    """
    status = _status(codebook)
    stale = codings[["coding_id", "doc_id", "code_id"]].merge(
        status[status["status"].isin(INACTIVE)], on="code_id", how="inner"
    )
    return stale.reset_index(drop=True)


def _check_code(codebook: pd.DataFrame, param: str, value: object) -> None:
    codes = list(codebook["code_id"])
    if value not in codes:
        raise ValueError(f"`{param}` must be one of {codes}, but {value!r} was passed")


def merge_codes(
    study: Any, source: str, *, into: str, reason: str, version: str | None = None
) -> Any:
    """Merge one code into another: a new Study, the input left untouched.

    Codings of ``source`` become codings of ``into``; the column ``merged_from`` keeps
    ``source`` so the audit trail survives. Where a coder had coded the same span with
    both codes, the two now coincide and only one is kept (the one originally coded
    ``into``). The codebook marks ``source`` as ``status: merged`` with ``merged_into``,
    ``reason`` and ``changed_in``; when ``version`` is given it also becomes the
    codebook's version.

    Parameters
    ----------
    study : Study
        The study.
    source : str
        The code to merge away.
    into : str
        The active code that absorbs it.
    reason : str
        Why, in a few words, for the audit trail.
    version : str, optional
        The codebook version the change belongs to (``changed_in``).

    Returns
    -------
    Study
        A copy (``dataclasses.replace``) with new ``codings`` and ``codebook`` tables.

    Raises
    ------
    ValueError
        When a code is unknown, ``source`` equals ``into``, ``source`` is already
        retired or merged, or ``into`` is not active.
    """
    book = study.codebook
    _check_code(book, "source", source)
    _check_code(book, "into", into)
    status = _status(book).set_index("code_id")["status"].fillna("active")
    if source == into:
        raise ValueError(f"`into` must differ from `source`, but both are {source!r}")
    if status[source] != "active":
        raise ValueError(f"`source` must be an active code, but {source!r} is {status[source]}")
    if status[into] != "active":
        raise ValueError(f"`into` must be an active code, but {into!r} is {status[into]}")
    if not str(reason or "").strip():
        raise ValueError("`reason` must say why the codes were merged, but it is empty")

    codings = study.codings.copy()
    if "merged_from" not in codings:
        codings["merged_from"] = pd.Series(None, index=codings.index, dtype=object)
    moved = codings["code_id"] == source
    # A span the same coder had also coded `into` now appears twice: keep the original.
    span = ["doc_id", "coder", "start", "end"]
    kept = codings.loc[codings["code_id"] == into, span].drop_duplicates()
    twin = codings[span].merge(kept, how="left", indicator=True)["_merge"].eq("both")
    codings.loc[moved, "merged_from"] = source
    codings.loc[moved, "code_id"] = into
    codings = codings[~(moved & twin.to_numpy())].reset_index(drop=True)

    book = book.copy()
    for column in ("status", "merged_into", "changed_in", "reason"):
        if column not in book:
            book[column] = "active" if column == "status" else None
    row = book["code_id"] == source
    book.loc[row, ["status", "merged_into", "reason"]] = ["merged", into, reason]
    if version is not None:
        book.loc[row, "changed_in"] = version
        if "version" in book:
            book["version"] = version
    return dataclasses.replace(study, codings=codings, codebook=book)


def code_changes(study: Any) -> pd.DataFrame:
    """The codebook's audit trail: every retired or merged code.

    Parameters
    ----------
    study : Study
        The study.

    Returns
    -------
    pandas.DataFrame
        ``code_id, status, merged_into, reason, changed_in, n_codings_rewritten`` (codings
        whose ``merged_from`` is the code), in codebook order.
    """
    book = study.codebook
    columns = ["code_id", "status", "merged_into", "reason", "changed_in"]
    frame = book.reindex(columns=columns)
    frame["status"] = frame["status"].fillna("active")
    frame = frame[frame["status"].isin(INACTIVE)]
    codings = study.codings
    rewritten = (
        codings["merged_from"].value_counts()
        if "merged_from" in codings
        else pd.Series(dtype="int64")
    )
    frame["n_codings_rewritten"] = frame["code_id"].map(rewritten).fillna(0).astype("int64")
    return frame.reset_index(drop=True)
