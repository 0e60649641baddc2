"""Bringing a QDA tool's project into the study: ``import_qdpx`` and ``with_import``.

A source named like a study document (``INT-S01-03`` or ``INT-S01-03.txt``)
is that document: its selections are re-anchored onto the canonical text by
their selected text (see :mod:`.anchor`). Any other source becomes a new
document. Codes map to the codebook by id or label. Nothing is dropped
silently: selections that cannot be placed, and codes the codebook lacks,
are listed in the result.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evstudy.anchoring import turn_at
from evstudy.qdpx.anchor import reanchor
from evstudy.qdpx.read import read_qdpx
from evstudy.qdpx.write import code_guid
from evstudy.study import Study

__all__ = ["QdpxImport", "import_qdpx", "with_import"]

CODING_COLUMNS = ["coding_id", "doc_id", "code_id", "coder", "start", "end", "turn"]
CODING_COLUMNS += ["text", "memo", "source"]
DOCUMENT_COLUMNS = ["doc_id", "method", "site_id", "date", "source_file_type", "n_turns"]
DOCUMENT_COLUMNS += ["n_words", "text"]


@dataclass(frozen=True)
class QdpxImport:
    """What :func:`import_qdpx` found.

    Attributes
    ----------
    codings : DataFrame
        In the columns of ``Study.codings``; ``coder`` is the QDA tool's user name.
    documents : DataFrame
        New documents (sources that match no study document), method ``"qdpx"``.
    unplaced : DataFrame
        ``source, code_path, text, reason``: codings that could not be brought in.
    unknown_codes : DataFrame
        ``guid, name, path, n_codings``: the project's codes the codebook lacks.
    skipped_sources : tuple of str
        Sources with blank text and no codings (NVivo writes such placeholders).
    """

    origin: str
    codings: pd.DataFrame
    documents: pd.DataFrame
    unplaced: pd.DataFrame
    unknown_codes: pd.DataFrame
    skipped_sources: tuple[str, ...] = ()


def _code_lookup(codebook: pd.DataFrame) -> dict[str, str]:
    # Labels first, so that an id always wins over a label that happens to spell it.
    lookup = {
        str(label).casefold(): code
        for code, label in zip(codebook["code_id"], codebook["label"], strict=True)
        if label
    }
    lookup |= {str(code).casefold(): code for code in codebook["code_id"]}
    lookup |= {code_guid(code).casefold(): code for code in codebook["code_id"]}
    return lookup


def _doc_id(name: str, taken: set[str]) -> str:
    base = name[:-4] if name.casefold().endswith(".txt") else name
    base = base.strip() or "qdpx-source"
    doc_id, n = base, 1
    while doc_id.casefold() in taken:
        n += 1
        doc_id = f"{base}-{n}"
    taken.add(doc_id.casefold())
    return doc_id


def _turn_maps(turns: pd.DataFrame) -> dict[str, dict[int, dict]]:
    return {
        doc: {
            int(r["turn"]): r for r in group[["turn", "start", "end", "speaker"]].to_dict("records")
        }
        for doc, group in turns.groupby("doc_id")
    }


def _place(
    coding: tuple, code_id: str | None, doc_id: str, canonical: str | None, length: int
) -> tuple[int, int] | str:
    """The span of a coding on its document, or why it cannot be placed."""
    start, end = int(coding.start), int(coding.end)
    if code_id is None:
        return f"code {coding.code_path!r} is not in the study codebook"
    if not coding.text.strip():
        return "the selection is empty"
    if canonical is None or canonical[start:end] == coding.text:
        return start, end  # a new document, or the study's own text
    # The tool's copy may be longer or shorter: look near the same relative place.
    span = reanchor(canonical, coding.text, near=start * len(canonical) // max(length, 1))
    return span or f"the selected text is not in {doc_id}'s canonical text"


def import_qdpx(study: Study, path: str | Path) -> QdpxImport:
    """Bring the codings of a REFI-QDA project onto the study.

    Parameters
    ----------
    study : Study
        The study the project was coded from (or is to join).
    path : path
        The ``.qdpx`` file.

    Returns
    -------
    QdpxImport
        The codings (study columns), new documents, and what could not be
        placed. :func:`with_import` adds them to the study.
    """
    path = Path(path)
    project = read_qdpx(path)
    lookup = _code_lookup(study.codebook)
    code_ids = {
        row.guid: lookup.get(str(row.guid).casefold()) or lookup.get(str(row.name).casefold())
        for row in project.codes.itertuples()
    }
    docs = study.documents.set_index("doc_id")["text"].to_dict()
    by_name = {d.casefold(): d for d in docs} | {f"{d}.txt".casefold(): d for d in docs}
    taken = {d.casefold() for d in docs}
    coded = set(project.codings["source_guid"])
    doc_for, new_docs, skipped = {}, [], []
    for source in project.sources.itertuples():
        matched = by_name.get(str(source.name).strip().casefold())
        if matched is not None:
            doc_for[source.guid] = matched
        elif not source.text.strip() and source.guid not in coded:
            skipped.append(str(source.name))
        else:
            doc_for[source.guid] = _doc_id(str(source.name), taken)
            new_docs.append(_new_document(doc_for[source.guid], source.text))
    lengths = {s.guid: len(s.text) for s in project.sources.itertuples()}
    turn_maps = _turn_maps(study.turns)
    rows, unplaced = [], []
    for coding in project.codings.itertuples():
        doc_id, code_id = doc_for[coding.source_guid], code_ids.get(coding.code_guid)
        placed = _place(coding, code_id, doc_id, docs.get(doc_id), lengths[coding.source_guid])
        if isinstance(placed, str):
            unplaced.append(
                {
                    "source": coding.source_name,
                    "code_path": coding.code_path,
                    "text": coding.text,
                    "reason": placed,
                }
            )
            continue
        start, end = placed
        text = docs.get(doc_id)
        turns = turn_maps.get(doc_id)
        rows.append(
            {
                "doc_id": doc_id,
                "code_id": code_id,
                "coder": coding.user_name or coding.user_guid or "unknown",
                "start": start,
                "end": end,
                "turn": turn_at(turns, start) if turns else None,
                "text": text[start:end] if text is not None else coding.text,
                "memo": coding.description,
                "source": path.name,
            }
        )
    codings = _number(pd.DataFrame(rows, columns=CODING_COLUMNS[1:]), study.codings)
    counts = project.codings["code_guid"].value_counts()
    unknown = project.codes[[code_ids.get(g) is None for g in project.codes["guid"]]]
    unknown = unknown[["guid", "name", "path"]].assign(
        n_codings=[int(counts.get(g, 0)) for g in unknown["guid"]]
    )
    # Codings of sources outside the archive: their text was never read.
    unplaced += [
        {"source": row.source_name, "code_path": row.code_path, "text": "", "reason": row.reason}
        for row in project.unplaced.itertuples()
    ]
    return QdpxImport(
        origin=project.origin,
        codings=codings,
        documents=pd.DataFrame(new_docs, columns=DOCUMENT_COLUMNS),
        unplaced=pd.DataFrame(unplaced, columns=["source", "code_path", "text", "reason"]),
        unknown_codes=unknown.reset_index(drop=True),
        skipped_sources=tuple(skipped),
    )


def _new_document(doc_id: str, text: str) -> dict:
    return {
        "doc_id": doc_id,
        "method": "qdpx",
        "site_id": None,
        "date": pd.NaT,  # documents.date is datetime64 (see Study)
        "source_file_type": "qdpx",
        "n_turns": 0,
        "n_words": len(text.split()),
        "text": text,
    }


def _number(codings: pd.DataFrame, existing: pd.DataFrame) -> pd.DataFrame:
    """Sort the imported codings and give them ids the study does not use yet."""
    codings = codings.sort_values(["doc_id", "start", "end", "code_id", "coder"], kind="stable")
    used = set(existing["coding_id"])
    ids, n = [], 0
    for _ in range(len(codings)):
        n += 1
        while f"Q{n:05d}" in used:
            n += 1
        ids.append(f"Q{n:05d}")
    codings.insert(0, "coding_id", ids)
    return codings.astype({"start": int, "end": int, "turn": "Int64"}).reset_index(drop=True)


def with_import(study: Study, result: QdpxImport, *, skip_existing: bool = True) -> Study:
    """A new Study with the imported codings and documents added.

    Parameters
    ----------
    study : Study
    result : QdpxImport
        From :func:`import_qdpx`.
    skip_existing : bool
        Leave out imported codings identical (document, code, coder, span) to
        one the study has already, so that re-importing an exported project
        adds only what was coded since.
    """
    codings = result.codings
    if skip_existing:
        key = ["doc_id", "code_id", "coder", "start", "end"]
        seen = set(study.codings[key].itertuples(index=False, name=None))
        codings = codings[[k not in seen for k in codings[key].itertuples(index=False, name=None)]]
    frames = {
        "codings": (study.codings, codings),
        "documents": (study.documents, result.documents),
    }
    merged = {
        name: pd.concat([old, new.reindex(columns=old.columns)], ignore_index=True)
        if len(new)
        else old
        for name, (old, new) in frames.items()
    }
    return dataclasses.replace(study, **merged)
