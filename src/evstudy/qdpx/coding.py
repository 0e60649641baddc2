"""A ``.qdpx`` in the study's ``coding/`` folder as coding data, the way ingest reads it.

A project coded in NVivo, ATLAS.ti, MAXQDA or QualCoder joins the coding sheets:

- **codes** map to the codebook by id (or evstudy's GUID for that id), then by name
  (the code's label, when only one code has it), then by path (labels or ids from the
  theme down, joined by ``/``); a code the codebook lacks becomes an *inductive* code under
  its parent, with its description as definition and the file it came from as source;
- **sources** are matched to study documents by name (the document id, with or without
  an extension, or the transcript's file name); their selections are re-anchored onto the
  canonical text by their selected text. A source that matches no document is reported
  and never becomes a document: its text would bypass redaction;
- **coders** are the project's users, renamed by study.yml's ``coders:`` mapping.

The functions here are pure; :class:`evstudy.assemble.Assembly` calls them and reports.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from evstudy.qdpx.anchor import reanchor
from evstudy.qdpx.write import code_guid

__all__ = ["CodeMatch", "code_slug", "map_codes", "match_sources", "place_selection"]

_NOT_ID = re.compile(r"[^\w]+")
# A speaker label at the start of a selection ("Max Bigman:    So ..."): the canonical text
# carries the speaker's pseudonym there instead.
_LEADING_LABEL = re.compile(r"^\s*[^\s:][^:\n]{0,59}:[ \t]+(?=\S)")
TEXT_SUFFIXES = (".txt", ".docx", ".vtt", ".rtf", ".doc", ".pdf")


def code_slug(name: str) -> str:
    """An id part made from a code's name: lower case, runs of anything but letters,
    digits and underscores as one underscore.

    Examples
    --------
    >>> code_slug("Peer networks / informal")
    'peer_networks_informal'
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    return _NOT_ID.sub("_", folded).strip("_")


@dataclass(frozen=True)
class CodeMatch:
    """How the codes of one project meet the codebook.

    Attributes
    ----------
    code_ids : dict
        The project's code GUID -> the study's code id (existing or new).
    new_codes : DataFrame
        The codes the codebook lacked, as codebook rows: ``code_id, label, parent_id,
        definition, origin`` (``"inductive"``) and ``source``, parents before children.
    nameless : list of str
        Paths (``parent/(no name)``) of codes without a name: nothing can map them.
    """

    code_ids: dict[str, str]
    new_codes: pd.DataFrame
    nameless: list[str]


def _paths(codebook: pd.DataFrame, column: str) -> dict[str, str]:
    """Each code's path from its theme, by ``column`` (label or id), folded -> code id."""
    parents = dict(zip(codebook["code_id"], codebook["parent_id"], strict=True))
    names = dict(zip(codebook["code_id"], codebook[column], strict=True))
    out = {}
    for code in codebook["code_id"]:
        chain, seen = [code], {code}
        while (parent := parents.get(chain[-1])) and parent in names and parent not in seen:
            chain.append(parent)
            seen.add(parent)
        out["/".join(_fold(names[c] or c) for c in reversed(chain))] = code
    return out


def _fold(value: object) -> str:
    return " ".join(unicodedata.normalize("NFC", str(value)).casefold().split())


def map_codes(codes: pd.DataFrame, codebook: pd.DataFrame, *, source: str) -> CodeMatch:
    """Map a project's codes to the codebook; the others become new inductive codes.

    Parameters
    ----------
    codes : DataFrame
        :attr:`QdpxProject.codes <evstudy.qdpx.read.QdpxProject.codes>` (parents first).
    codebook : DataFrame
        ``code_id, label, parent_id``: the study's codebook (and codes already imported
        from other projects, so that two projects' same new code is one code).
    source : str
        The file the project came from, marked on each new code.

    Returns
    -------
    CodeMatch
    """
    by_id = {_fold(c): c for c in codebook["code_id"]}
    by_id |= {code_guid(c).casefold(): c for c in codebook["code_id"]}
    labels = codebook.dropna(subset=["label"]).groupby(codebook["label"].map(_fold))["code_id"]
    by_name = {label: ids.iloc[0] for label, ids in labels if len(ids) == 1}
    by_path = _paths(codebook, "label") | _paths(codebook, "code_id")
    taken = {_fold(c) for c in codebook["code_id"]}
    code_ids: dict[str, str] = {}
    new, nameless = [], []
    for row in codes.itertuples():
        name = str(row.name or "").strip()
        parent = code_ids.get(row.parent_guid) if isinstance(row.parent_guid, str) else None
        if not name:
            nameless.append(f"{row.path.rpartition('/')[0] or '(top level)'}/(no name)")
            continue
        found = (
            by_id.get(str(row.guid or "").casefold())
            or by_id.get(_fold(name))
            or by_name.get(_fold(name))
            or by_path.get("/".join(_fold(p) for p in str(row.path).split("/")))
        )
        if found is None:
            base = code_slug(name) or "code"
            base = f"{parent}.{base}" if parent else base
            found, n = base, 1
            while _fold(found) in taken:
                n += 1
                found = f"{base}_{n}"
            taken.add(_fold(found))
            new.append(
                {
                    "code_id": found,
                    "label": name,
                    "parent_id": parent,
                    "definition": row.description,
                    "origin": "inductive",
                    "source": source,
                }
            )
        code_ids[row.guid] = found
    columns = ["code_id", "label", "parent_id", "definition", "origin", "source"]
    return CodeMatch(code_ids, pd.DataFrame(new, columns=columns), nameless)


def match_sources(
    names: Iterable[str], documents: Iterable[str], files: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Which study document each source name is: source name -> doc id (unmatched left out).

    Parameters
    ----------
    names : iterable of str
        The project's source names.
    documents : iterable of str
        The study's document ids.
    files : mapping, optional
        Document id -> its transcript's file name: a source named after the file
        (``Interview 01 2023-10-23.docx``, with or without the extension) is that
        document when no other transcript has the same name.
    """
    lookup: dict[str, str | None] = {}
    for doc, file in (files or {}).items():
        for key in {_fold(file), _fold(file.rpartition(".")[0] or file)}:
            lookup[key] = None if key in lookup and lookup[key] != doc else doc
    for doc in documents:  # the document id wins over a file name that spells it
        lookup[_fold(doc)] = doc
    out = {}
    for name in names:
        key = _fold(name)
        doc = lookup.get(key)
        if doc is None and key.endswith(TEXT_SUFFIXES):
            doc = lookup.get(key.rpartition(".")[0])
        if doc is not None:
            out[name] = doc
    return out


def place_selection(
    text: str, selected: str, start: int, end: int, *, length: int
) -> tuple[int, int] | None:
    """Where a selection lies in a document's canonical ``text``, or None.

    Its own offsets when the canonical text there is the selected text (an evstudy
    export); else the selected text found near the same relative place, whitespace,
    names redacted to ``[name]`` and a leading speaker label aside.

    Parameters
    ----------
    text : str
        The canonical text.
    selected : str
        The selected text as the QDA tool holds it.
    start, end : int
        The selection's offsets into the tool's copy of the text.
    length : int
        The length of the tool's copy, to scale ``start`` to the canonical text.
    """
    if not selected.strip():
        return None
    if text[start:end] == selected:
        return start, end
    near = start * len(text) // max(length, 1)
    found = reanchor(text, selected, near=near)
    if found is None:
        # The canonical text names the speaker by pseudonym: anchor what they said.
        label = _LEADING_LABEL.match(selected)
        if label and selected[label.end() :].strip():
            found = reanchor(text, selected[label.end() :], near=near)
    return found
