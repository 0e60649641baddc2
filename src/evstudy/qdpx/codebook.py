"""Codebooks from and for QDA tools: ``evstudy codebook import`` and ``export``.

``import`` reads the code tree of a REFI-QDA project (``.qdpx``) or codebook (``.qdc``,
the standard's codebook exchange file) and drafts a ``codebook.yml``: a flat ``codes:``
list in which each code names its ``parent:``, ids made from the names (a child's id
starts with its parent's), the names as labels and the descriptions as definitions.
``export`` writes the study's codebook as a ``.qdc`` that NVivo, ATLAS.ti, MAXQDA and
QualCoder import; the GUIDs are the ones evstudy's ``.qdpx`` exports give the same codes.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd
import yaml

from evstudy.errors import InputError, Problems
from evstudy.files import atomic_write_bytes, atomic_write_text
from evstudy.io.archive import MEMBER_LIMIT
from evstudy.qdpx.coding import map_codes
from evstudy.qdpx.read import _codes, _local, read_qdpx
from evstudy.qdpx.write import _codebook

__all__ = [
    "CODEBOOK_NAMESPACE",
    "codebook_draft",
    "export_qdc",
    "read_code_tree",
    "write_codebook_draft",
]

CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
SUFFIXES = (".qdpx", ".qdc")
REEXPORT = "export the codebook again from your QDA tool (REFI-QDA .qdc or .qdpx)"


def _read_qdc(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    if not data.strip():
        raise InputError(path, "", "the file is empty (0 bytes)", REEXPORT)
    if len(data) > MEMBER_LIMIT:
        raise InputError(path, "", f"the file is over {MEMBER_LIMIT // 2**20} MiB", REEXPORT)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        raise InputError(
            path, f"line {line}, column {column}", f"not well-formed XML ({exc})", REEXPORT
        ) from None
    for element in root.iter():
        element.tag = _local(element.tag)
    if root.tag != "CodeBook":
        raise InputError(
            path, "line 1", f"the root element is <{root.tag}>, not a REFI-QDA <CodeBook>", REEXPORT
        )
    project = ET.Element("Project")
    project.append(root)
    return _codes(project)


def read_code_tree(path: str | Path) -> pd.DataFrame:
    """The codes of a ``.qdpx`` project or ``.qdc`` codebook.

    Parameters
    ----------
    path : path
        The file; its extension says which it is.

    Returns
    -------
    DataFrame
        ``guid, name, parent_guid, description, is_codable, path, depth``, parents first.

    Raises
    ------
    InputError
        When the file is missing, of another kind, not a zip (``.qdpx``), not XML, or
        not a REFI-QDA project or codebook.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            path,
            "",
            f"the file is a {suffix or 'file without an extension'}, "
            "not a REFI-QDA project (.qdpx) or codebook (.qdc)",
            "give the .qdpx or .qdc file your QDA tool exported",
        )
    if not path.is_file():
        raise InputError(path, "", "the file does not exist", "check the path")
    return read_qdpx(path).codes if suffix == ".qdpx" else _read_qdc(path)


def codebook_draft(path: str | Path) -> str:
    """A ``codebook.yml`` drafted from the codes of a ``.qdpx`` or ``.qdc`` file.

    Parameters
    ----------
    path : path
        The project or codebook.

    Returns
    -------
    str
        YAML that :func:`evstudy.codebook.read_codebook` reads: ``version`` and a flat
        ``codes:`` list of ``id, label, parent`` and (when the tool has one) ``definition``.

    Raises
    ------
    ValidationError
        When a code has no name (nothing to make its id and label from).
    """
    path = Path(path)
    codes = read_code_tree(path)
    empty = pd.DataFrame(columns=["code_id", "label", "parent_id"])
    match = map_codes(codes, empty, source=path.name)
    found = Problems()
    for where in match.nameless:
        found.add(
            path,
            f"code {where}",
            "the code has no name, so it gets neither an id nor a label",
            "name the code in the QDA tool and export again",
        )
    found.raise_if_any(f"drafting a codebook from {path.name}")
    entries = []
    for row in match.new_codes.itertuples():
        entry = {"id": row.code_id, "label": row.label, "parent": row.parent_id}
        if isinstance(row.definition, str) and row.definition.strip():
            entry["definition"] = row.definition.strip()
        entries.append(entry)
    head = (
        f"# Drafted by `evstudy codebook import` from {path.name} ({len(entries)} codes).\n"
        "# Review it: shorten the ids, add definitions, include/exclude notes, examples and\n"
        "# the research questions (rq:) each code serves, then save it as codebook.yml.\n"
    )
    body = yaml.safe_dump(
        {"version": "0.1", "codes": entries}, sort_keys=False, allow_unicode=True, width=100
    )
    return head + body


def write_codebook_draft(path: str | Path, out: str | Path) -> Path:
    """Write :func:`codebook_draft` to ``out``, which must not exist yet.

    Raises
    ------
    InputError
        When ``out`` exists: a codebook is the researcher's work and is never replaced.
    """
    out = Path(out)
    draft = codebook_draft(path)
    if out.exists():
        raise InputError(
            out,
            "",
            "the file exists already; evstudy never overwrites a codebook",
            "give --out a new file name, or leave out --out to print the draft",
        )
    return atomic_write_text(out, draft)


def export_qdc(codebook: pd.DataFrame, out: str | Path) -> Path:
    """Write a codebook as a REFI-QDA codebook exchange file (``.qdc``).

    Parameters
    ----------
    codebook : DataFrame
        ``Study.codebook``: ``code_id, label, parent_id`` and the definition columns.
    out : path
        The ``.qdc`` file (replaced atomically).

    Returns
    -------
    Path
        ``out``.

    Notes
    -----
    Codes nest as in the codebook, in its order; each code's description holds its
    definition, then its include, exclude and example notes. The same codebook always
    gives the same bytes.
    """
    holder = ET.Element("Project")
    _codebook(holder, codebook)  # the code tree exactly as the .qdpx export writes it
    book = holder.find("CodeBook")
    book.set("xmlns", CODEBOOK_NAMESPACE)
    ET.indent(book)
    return atomic_write_bytes(
        out, ET.tostring(book, encoding="utf-8", xml_declaration=True) + b"\n"
    )
