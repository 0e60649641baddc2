"""Writing the study as a REFI-QDA project (``evstudy qdpx export OUT.qdpx``).

The project holds every document's canonical text as a UTF-8 plain-text
source, the codebook as nested codes, the coders as users and one selection
per coding. The output is byte-stable: GUIDs are ``uuid5`` of stable ids,
everything is sorted, and the zip carries fixed metadata. The canonical text
is already pseudonymised, so the project carries no names.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from evstudy import __version__
from evstudy.files import atomic_write_bytes, normalise_zip
from evstudy.qdpx.read import NAMESPACE, PROJECT_FILE
from evstudy.study import Study

__all__ = ["code_guid", "export_qdpx", "source_guid", "user_guid"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A fixed namespace for evstudy's GUIDs, so that the same id always gives the same GUID.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://evstudy/refi-qda")


def _guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


def code_guid(code_id: str) -> str:
    """The GUID a code gets in evstudy's projects."""
    return _guid("code", code_id)


def source_guid(doc_id: str) -> str:
    """The GUID a document gets in evstudy's projects."""
    return _guid("source", doc_id)


def user_guid(coder: str) -> str:
    """The GUID a coder gets in evstudy's projects."""
    return _guid("user", coder)


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) or not str(value).strip() else str(value)


def _code_description(row: pd.Series) -> str | None:
    # The definition first; include/exclude/example help whoever codes in the other tool.
    parts = [_text(row.get("definition"))]
    for key in ("include", "exclude", "example"):
        value = _text(row.get(key))
        parts.append(f"{key.capitalize()}: {value}" if value else None)
    text = "\n".join(p for p in parts if p)
    return text or None


def _add(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, attributes)


def _describe(parent: ET.Element, text: str | None) -> None:
    if text:
        # XML 1.0 cannot hold most control characters; a memo pasted from elsewhere may.
        _add(parent, "Description").text = _CONTROL.sub("", text)


def _codebook(project: ET.Element, codebook: pd.DataFrame) -> None:
    codes = _add(_add(project, "CodeBook"), "Codes")
    children: dict[str | None, list[pd.Series]] = {}
    for _, row in codebook.iterrows():
        parent = row["parent_id"] if _text(row["parent_id"]) else None
        children.setdefault(parent, []).append(row)

    def walk(element: ET.Element, parent: str | None) -> None:
        # The codebook's own order: the researcher chose it.
        for row in children.get(parent, []):
            code = _add(
                element,
                "Code",
                guid=code_guid(row["code_id"]),
                name=str(row["label"] or row["code_id"]),
                isCodable="true",
            )
            _describe(code, _code_description(row))
            walk(code, row["code_id"])

    walk(codes, None)


def _sources(project: ET.Element, study: Study) -> dict[str, bytes]:
    sources = _add(project, "Sources")
    files: dict[str, bytes] = {}
    codings = study.codings.sort_values(["doc_id", "start", "end", "code_id", "coder", "coding_id"])
    by_doc = dict(tuple(codings.groupby("doc_id", sort=False)))
    for doc in study.documents.sort_values("doc_id").itertuples():
        guid = source_guid(doc.doc_id)
        files[f"sources/{guid}.txt"] = str(doc.text).encode("utf-8")
        source = _add(
            sources,
            "TextSource",
            guid=guid,
            name=doc.doc_id,
            plainTextPath=f"internal://{guid}.txt",
        )
        for coding in by_doc.get(doc.doc_id, pd.DataFrame()).itertuples():
            selection = _add(
                source,
                "PlainTextSelection",
                guid=_guid("selection", f"{doc.doc_id}:{coding.coding_id}"),
                startPosition=str(int(coding.start)),
                endPosition=str(int(coding.end)),
                creatingUser=user_guid(coding.coder),
            )
            _describe(selection, _text(coding.memo))
            tagged = _add(
                selection,
                "Coding",
                guid=_guid("coding", f"{doc.doc_id}:{coding.coding_id}"),
                creatingUser=user_guid(coding.coder),
            )
            _add(tagged, "CodeRef", targetGUID=code_guid(coding.code_id))
    return files


def _project_xml(study: Study) -> tuple[bytes, dict[str, bytes]]:
    """The ``project.qde`` bytes and the source files of the study's project."""
    # Unqualified tags under a default xmlns: what every QDA tool writes and reads.
    project = ET.Element(
        "Project",
        {"xmlns": NAMESPACE, "name": "evstudy study", "origin": f"evstudy {__version__}"},
    )
    users = _add(project, "Users")
    for coder in sorted(set(study.codings["coder"].dropna())):
        _add(users, "User", guid=user_guid(coder), name=coder)
    _codebook(project, study.codebook)
    files = _sources(project, study)
    ET.indent(project)
    return ET.tostring(project, encoding="utf-8", xml_declaration=True) + b"\n", files


def export_qdpx(study: Study, out: str | Path) -> Path:
    """Write the study as a REFI-QDA project exchange file.

    Parameters
    ----------
    study : Study
        The study to export.
    out : path
        The ``.qdpx`` file to write (replaced atomically).

    Returns
    -------
    Path
        ``out``.

    Notes
    -----
    Offsets are code points into the canonical text, as the standard counts
    them; the sources are UTF-8 with LF line breaks and no byte-order mark.
    The same study always gives the same bytes.
    """
    xml, files = _project_xml(study)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PROJECT_FILE, xml)
        for name in sorted(files):
            archive.writestr(name, files[name])
    return atomic_write_bytes(out, normalise_zip(buffer.getvalue()))
