"""Writing the study as a REFI-QDA project (``evstudy qdpx export OUT.qdpx``).

The project, named by the study's title, holds every document's canonical
text as a UTF-8 plain-text source, the codebook as nested codes, the coders as
users and one selection per coding. Each participant is a case named by their
pseudonym and linked to the documents they speak in, with variables for their
site, role group, methods and organisation type and for the site's sampling
attributes (sites.csv), so that a QDA tool can crosstab codes by any of them.
The output is byte-stable: GUIDs are ``uuid5`` of stable ids, everything is
sorted, and the zip carries fixed metadata. The canonical text is already
pseudonymised and cases carry pseudonyms, so the project carries no names.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from evstudy import __version__
from evstudy.files import atomic_write_bytes, normalise_zip
from evstudy.qdpx.read import NAMESPACE, PROJECT_FILE
from evstudy.study import Study

__all__ = [
    "case_guid",
    "case_variables",
    "code_guid",
    "export_qdpx",
    "source_guid",
    "user_guid",
    "variable_guid",
]

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


def case_guid(participant_id: str) -> str:
    """The GUID a participant's case gets in evstudy's projects."""
    return _guid("case", participant_id)


def variable_guid(name: str) -> str:
    """The GUID a case variable gets in evstudy's projects."""
    return _guid("variable", name)


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
    files: dict[str, bytes] = {}
    if study.documents.empty:
        return files
    sources = _add(project, "Sources")
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


def _variable_type(values: pd.Series) -> str:
    """The REFI-QDA type of a site attribute: Boolean, Integer, Float or Text."""
    present = values.dropna()
    if present.empty:
        return "Text"
    if pd.api.types.is_bool_dtype(values) or present.map(lambda v: isinstance(v, bool)).all():
        return "Boolean"
    if pd.api.types.is_numeric_dtype(present):
        # A column with blanks is read as floats: whole numbers are still integers.
        whole = (present.astype(float) % 1 == 0).all()
        return "Integer" if whole else "Float"
    return "Text"


def _value_text(value: object, kind: str) -> str:
    if kind == "Boolean":
        return "true" if bool(value) else "false"
    if kind == "Integer":
        return str(int(value))
    if kind == "Float":
        # xsd:decimal has no exponent: 1e-05 must be written 0.00001.
        return np.format_float_positional(float(value), trim="-")
    return str(value)


def case_variables(study: Study) -> pd.DataFrame:
    """The variables of the participants' cases, one row per participant.

    The columns are the variables, in the project's order: the participant's
    site (its pseudonymous name and its id), role group (its label), methods
    and organisation type, then the site's sampling attributes under their
    sites.csv headers. A column the study lacks is left out; a missing value is
    missing (the case gets no value for it).

    Parameters
    ----------
    study : Study

    Returns
    -------
    DataFrame
        Indexed by ``participant_id`` (the pseudonym), sorted; the attribute
        ``attrs["types"]`` maps each column to its REFI-QDA type and
        ``attrs["descriptions"]`` to where its values come from.
    """
    from evstudy.matrices import METHOD_LABELS

    if "participant_id" not in study.participants:
        # A study built by hand (from another tool, in a test) may have no participants.
        frame = pd.DataFrame(index=pd.Index([], name="participant_id"))
        frame.attrs.update(types={}, descriptions={})
        return frame
    people = study.participants.sort_values("participant_id").set_index("participant_id")
    sites = study.sites.set_index("site_id") if "site_id" in study.sites else pd.DataFrame()
    noun = study.site_noun[:1].upper() + study.site_noun[1:]
    site = people["site_id"] if "site_id" in people else pd.Series(None, index=people.index)
    table: dict[str, pd.Series] = {}
    types: dict[str, str] = {}
    descriptions: dict[str, str] = {}

    def add(name: str, values: pd.Series, kind: str, description: str) -> None:
        if values.notna().any():
            table[name], types[name], descriptions[name] = values, kind, description

    if "site_name" in sites:
        names = site.map(sites["site_name"].to_dict())
        add(noun, names, "Text", f"The participant's {study.site_noun} (sites.csv site_name)")
    add(f"{noun} ID", site, "Text", f"The participant's {study.site_noun} (sites.csv site_id)")
    if "role_group" in people:
        labels = study.role_group_labels
        groups = people["role_group"].map(lambda g: labels.get(g, g) if _text(g) else None)
        add("Role group", groups, "Text", "The participant's role group (study.yml role_groups)")
    if "methods" in people:

        def methods(value: object) -> str | None:
            found = [m.strip() for m in str(value).split(";") if m.strip()] if _text(value) else []
            return "; ".join(METHOD_LABELS.get(m, m) for m in found) or None

        add("Method", people["methods"].map(methods), "Text", "How the participant took part")
    if "organisation_type" in people:
        add(
            "Organisation type",
            people["organisation_type"].map(lambda v: v if _text(v) else None),
            "Text",
            "The participant's organisation type (register)",
        )
    for column in sites.columns.drop("site_name", errors="ignore"):
        kind = _variable_type(sites[column])
        values = site.map(sites[column].to_dict())
        if kind == "Text":
            values = values.map(lambda v: v if _text(v) else None)
        add(column, values, kind, f"The {study.site_noun}'s {column} (sites.csv)")
    frame = pd.DataFrame(table, index=people.index)
    frame.attrs["types"] = types
    frame.attrs["descriptions"] = descriptions
    return frame


def _cases(project: ET.Element, study: Study) -> None:
    """One case per participant, its variable values and the documents it speaks in."""
    variables = case_variables(study)
    if variables.shape[1]:
        declared = _add(project, "Variables")
        for name in variables.columns:
            variable = _add(
                declared,
                "Variable",
                guid=variable_guid(name),
                name=name,
                typeOfVariable=variables.attrs["types"][name],
            )
            _describe(variable, variables.attrs["descriptions"][name])
    if variables.index.empty:
        return
    docs_of: dict[str, list[str]] = {}
    if {"doc_id", "participant_id"} <= set(study.turns.columns):
        # A case's documents are those its participant speaks in.
        spoken = study.turns.dropna(subset=["participant_id"])
        documents = set(study.documents["doc_id"]) if "doc_id" in study.documents else set()
        docs_of = {
            person: sorted(set(found["doc_id"]) & documents)
            for person, found in spoken.groupby("participant_id")
        }
    cases = _add(project, "Cases")
    for person, row in variables.iterrows():
        case = _add(cases, "Case", guid=case_guid(person), name=str(person))
        for name in variables.columns:
            value = row[name]
            if value is None or pd.isna(value):
                continue
            kind = variables.attrs["types"][name]
            held = _add(case, "VariableValue")
            _add(held, "VariableRef", targetGUID=variable_guid(name))
            _add(held, f"{kind}Value").text = _CONTROL.sub("", _value_text(value, kind))
        for doc_id in docs_of.get(person, []):
            _add(case, "SourceRef", targetGUID=source_guid(doc_id))


def _project_xml(study: Study) -> tuple[bytes, dict[str, bytes]]:
    """The ``project.qde`` bytes and the source files of the study's project."""
    # Unqualified tags under a default xmlns: what every QDA tool writes and reads.
    project = ET.Element(
        "Project",
        {
            "xmlns": NAMESPACE,
            "name": _CONTROL.sub("", study.title.strip()) or "evstudy study",
            "origin": f"evstudy {__version__}",
        },
    )
    # The schema wants at least one child in Users, Codes and Sources: leave out empty ones.
    coders = sorted(set(study.codings["coder"].dropna()))
    if coders:
        users = _add(project, "Users")
        for coder in coders:
            _add(users, "User", guid=user_guid(coder), name=coder)
    if not study.codebook.empty:
        _codebook(project, study.codebook)
    # The schema's order: Users, CodeBook, Variables, Cases, Sources.
    _cases(project, study)
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
