"""Reading a REFI-QDA project (``.qdpx``) into tidy tables.

A ``.qdpx`` file is a zip holding ``project.qde`` (XML in the namespace
``urn:QDA-XML:project:1.0``) and the sources' plain text. Offsets are
converted to code points into each source's normalised text (no byte-order
mark, LF line breaks) according to the exporting tool (see :mod:`.offsets`).
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from evstudy.errors import InputError, Problems
from evstudy.io.archive import GuardedZip
from evstudy.qdpx.offsets import Counting, counting_for_origin, normalise_text, to_text_offset

__all__ = ["QdpxProject", "inspect_qdpx", "read_qdpx"]

NAMESPACE = "urn:QDA-XML:project:1.0"
PROJECT_FILE = "project.qde"
REEXPORT = "export the project again from your QDA tool as a REFI-QDA project (.qdpx)"
TOO_BIG = "do not open it; if it is genuine, " + REEXPORT[0].lower() + REEXPORT[1:]
EXTERNAL = (
    "its text is outside the archive ({text_path}); evstudy reads only text inside the .qdpx, "
    "so its codings are unplaced: re-export the project with its sources included"
)
UNPLACED_COLUMNS = ["source_guid", "source_name", "selection_guid", "start", "end"]
UNPLACED_COLUMNS += ["code_guid", "code_path", "reason"]


@dataclass(frozen=True)
class QdpxProject:
    """What one ``.qdpx`` file holds, as tidy tables.

    Attributes
    ----------
    origin : str
        ``Project/@origin``: the exporting tool.
    users : DataFrame
        ``guid, name``.
    codes : DataFrame
        ``guid, name, parent_guid, description, is_codable, path, depth``, in codebook order.
    sources : DataFrame
        ``guid, name, text``: ``text`` is the plain text without a byte-order
        mark and with LF line breaks.
    codings : DataFrame
        ``source_guid, source_name, selection_guid, start, end, code_guid, code_path,
        user_guid, user_name, text, description``: one row per code applied to a
        selection; ``start``/``end`` are code points into ``sources.text``.
    external : DataFrame
        ``guid, name, path``: sources whose text lies outside the archive
        (``relative://``, ``absolute://`` or another scheme). They are never opened.
    unplaced : DataFrame
        ``source_guid, source_name, selection_guid, start, end, code_guid, code_path,
        reason``: the codings of external sources (``start``/``end`` as the tool wrote them).
    """

    path: Path
    name: str
    origin: str
    users: pd.DataFrame
    codes: pd.DataFrame
    sources: pd.DataFrame
    codings: pd.DataFrame
    n_selections: int = 0
    warnings: tuple[str, ...] = field(default=())
    external: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["guid", "name", "path"])
    )
    unplaced: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=UNPLACED_COLUMNS))


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _parse(path: Path, data: bytes) -> ET.Element:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        raise InputError(
            f"{path} ({PROJECT_FILE})",
            f"line {line}, column {column}",
            f"project.qde is not well-formed XML ({exc})",
            REEXPORT,
        ) from None
    for element in root.iter():
        element.tag = _local(element.tag)  # tools differ in prefixes; the names are what count
    if root.tag != "Project":
        raise InputError(
            f"{path} ({PROJECT_FILE})",
            "line 1",
            f"the root element is <{root.tag}>, not a REFI-QDA <Project>",
            REEXPORT,
        )
    return root


def _description(element: ET.Element) -> str | None:
    found = element.find("Description")
    return found.text.strip() if found is not None and found.text else None


def _codes(root: ET.Element) -> pd.DataFrame:
    rows: list[dict] = []
    codes = root.find("CodeBook/Codes")
    # Depth first in document order, with a stack: a deep tree must not hit the recursion limit.
    stack = [] if codes is None else [(c, None, "", 0) for c in reversed(codes.findall("Code"))]
    while stack:
        code, parent_guid, prefix, depth = stack.pop()
        name = code.get("name", "")
        path = f"{prefix}/{name}" if prefix else name
        codable = code.get("isCodable")
        rows.append(
            {
                "guid": code.get("guid"),
                "name": name,
                "parent_guid": parent_guid,
                "description": _description(code),
                # Required by the schema but sometimes missing: missing means codable.
                "is_codable": codable is None or codable.strip().lower() in {"true", "1"},
                "path": path,
                "depth": depth,
            }
        )
        children = reversed(code.findall("Code"))
        stack += [(child, code.get("guid"), path, depth + 1) for child in children]
    columns = ["guid", "name", "parent_guid", "description", "is_codable", "path", "depth"]
    return pd.DataFrame(rows, columns=columns)


# What zipfile and zlib raise for a damaged member: a bad CRC, a broken deflate stream, a
# truncated entry, an unsupported compression method or an encrypted entry.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError)


def _read_member(path: Path, archive: GuardedZip, member: str) -> bytes:
    try:
        return archive.read(member)  # counted: a member expanding too far is refused
    except _DAMAGED as exc:
        raise InputError(
            path,
            member,
            f"the archive is damaged: this part of it cannot be unpacked ({exc})",
            "copy the file again (it may be truncated), or " + REEXPORT,
        ) from None


def is_external(text_path: str) -> bool:
    """Whether a ``plainTextPath`` points outside the archive: any scheme but ``internal://``.

    Such a path is never opened: a project must not make evstudy read the computer's own
    files (``absolute:///etc/passwd``, ``relative://../../secret.txt``).
    """
    scheme, has_scheme, _ = text_path.replace("\\", "/").partition("://")
    return bool(has_scheme) and scheme.strip().casefold() != "internal"


def _member(names: list[str], base_path: str, text_path: str) -> str | None:
    """The zip member an ``internal://`` or bare ``plainTextPath`` names, if the archive has it.

    Only members of the archive can match: nothing on disk is ever looked at.
    """
    scheme, has_scheme, rest = text_path.replace("\\", "/").partition("://")
    rest = (rest if has_scheme else scheme).lstrip("/")
    candidates = [f"sources/{rest}", rest, posixpath.join(base_path, rest)]
    if not has_scheme:
        candidates.append(f"sources/{posixpath.basename(rest)}")
    folded = {n.casefold(): n for n in names}
    for candidate in candidates:
        candidate = posixpath.normpath(candidate)
        if candidate.casefold() in folded:  # sources/ or Sources/
            return folded[candidate.casefold()]
    return None


def _source_text(
    path: Path, archive: GuardedZip, base: str, source: ET.Element, where: str
) -> str | None:
    inline = source.find("PlainTextContent")
    if inline is not None:
        return inline.text or ""
    text_path = source.get("plainTextPath")
    if not text_path:
        return None
    member = _member(archive.namelist(), base, text_path)
    if member is None:
        return None
    return _decode(_read_member(path, archive, member), path, where, text_path)


def _decode(data: bytes, path: Path, where: str, text_path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            path,
            where,
            f"the plain text {text_path!r} is not UTF-8 (byte {exc.start})",
            "re-export the project; REFI-QDA plain text must be UTF-8",
        ) from None


def _selection_codings(
    selection: ET.Element,
    raw: str,
    text: str,
    counting: Counting,
    where: str,
    problems: Problems,
    path: Path,
) -> list[dict]:
    """One row per Coding of a selection (no source or user columns yet)."""
    where = f"{where} {selection.get('guid')}"
    start, end = selection.get("startPosition", ""), selection.get("endPosition", "")
    if not all(p.strip().isdecimal() for p in (start, end)):
        problems.add(
            path,
            where,
            f"the selection's startPosition {start!r} and endPosition {end!r} "
            "are not both whole numbers of 0 or more",
            REEXPORT,
        )
        return []
    try:
        span = [to_text_offset(raw, int(p), counting) for p in (start, end)]
    except ValueError as exc:
        problems.add(
            path,
            where,
            f"the selection {start}-{end} cannot be placed in its text "
            f"({exc}; offsets read as {counting.name})",
            "check that the source text belongs to this selection, or re-export the project",
        )
        return []
    if span[1] < span[0]:
        problems.add(
            path, where, f"the selection ends ({end}) before it starts ({start})", REEXPORT
        )
        return []
    rows = []
    for coding in selection.iterfind("Coding"):
        ref = coding.find("CodeRef")
        rows.append(
            {
                "selection_guid": selection.get("guid"),
                "start": span[0],
                "end": span[1],
                "code_guid": ref.get("targetGUID") if ref is not None else None,
                "user_guid": coding.get("creatingUser") or selection.get("creatingUser"),
                "text": text[span[0] : span[1]],
                "description": _description(selection),
                "where": f"{where}, Coding {coding.get('guid')}",
            }
        )
    return rows


def _read_sources(
    path: Path,
    archive: GuardedZip,
    root: ET.Element,
    codes: pd.DataFrame,
    users: pd.DataFrame,
    problems: Problems,
    warnings: list[str],
) -> tuple[list[dict], list[dict], int, list[dict], list[dict]]:
    """The sources and codings of a project, offsets converted to code points.

    Also the external sources and their codings, which are read from the XML alone.
    """
    counting = counting_for_origin(root.get("origin", ""))
    user_names = dict(zip(users["guid"], users["name"], strict=True))
    code_paths = dict(zip(codes["guid"], codes["path"], strict=True))
    sources, codings, n_selections = [], [], 0
    external: list[dict] = []
    unplaced: list[dict] = []
    base = (root.get("basePath") or "").replace("\\", "/")
    for element in root.iterfind("Sources/*"):
        if element.tag != "TextSource":
            warnings.append(f"{element.tag} {element.get('guid')} ignored (not a text source)")
            continue
        guid = element.get("guid")
        text_path = element.get("plainTextPath", "")
        name = element.get("name") or posixpath.basename(text_path.split("://")[-1]) or guid
        where = f"TextSource {guid} ({name})"
        selections = element.findall("PlainTextSelection")
        n_selections += len(selections)
        if element.find("PlainTextContent") is None and is_external(text_path):
            external.append({"guid": guid, "name": name, "path": text_path})
            warnings.append(f"{where}: " + EXTERNAL.format(text_path=repr(text_path)))
            unplaced += _external_codings(element, guid, name, text_path, code_paths)
            continue
        raw = _source_text(path, archive, base, element, where)
        if raw is None:
            if selections:
                problems.add(
                    path,
                    where,
                    f"its plain text {text_path!r} is not in the archive, "
                    f"so its {len(selections)} selections cannot be read",
                    "re-export the project with its sources included",
                )
                continue
            warnings.append(f"{where}: no plain text found; read as empty")
            raw = ""
        text = normalise_text(raw)
        sources.append({"guid": guid, "name": name, "text": text})
        for selection in selections:
            rows = _selection_codings(
                selection, raw, text, counting, f"{where}, PlainTextSelection", problems, path
            )
            codings += [{"source_guid": guid, "source_name": name, **row} for row in rows]
    for row in codings:
        where = row.pop("where")
        if row["code_guid"] not in code_paths:
            problems.add(
                path,
                where,
                f"it refers to code {row['code_guid']!r}, which is not in the CodeBook",
                REEXPORT,
            )
        row["code_path"] = code_paths.get(row["code_guid"])
        row["user_name"] = user_names.get(row["user_guid"])
    return sources, codings, n_selections, external, unplaced


def _external_codings(
    source: ET.Element, guid: str | None, name: str, text_path: str, code_paths: dict
) -> list[dict]:
    """One unplaced row per Coding of a source whose text is outside the archive."""
    rows = []
    for selection in source.iterfind("PlainTextSelection"):
        for coding in selection.iterfind("Coding"):
            ref = coding.find("CodeRef")
            code = ref.get("targetGUID") if ref is not None else None
            rows.append(
                {
                    "source_guid": guid,
                    "source_name": name,
                    "selection_guid": selection.get("guid"),
                    "start": selection.get("startPosition"),
                    "end": selection.get("endPosition"),
                    "code_guid": code,
                    "code_path": code_paths.get(code),
                    "reason": f"the source's text is outside the archive ({text_path!r}) "
                    "and is not read",
                }
            )
    return rows


def read_qdpx(path: str | Path) -> QdpxProject:
    """Read a REFI-QDA project exchange file.

    Parameters
    ----------
    path : path
        The ``.qdpx`` file.

    Returns
    -------
    QdpxProject

    Raises
    ------
    InputError
        When the file is not a zip, has no ``project.qde`` or holds malformed XML.
    ValidationError
        Listing every selection whose source text is missing, that lies
        outside its text, or that names a code the codebook lacks.
    """
    path = Path(path)
    if path.is_file() and path.stat().st_size == 0:
        raise InputError(path, "", "the file is empty (0 bytes)", "copy it again, or " + REEXPORT)
    try:
        archive = GuardedZip(path, path, fix=TOO_BIG)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(path, "", f"not a readable .qdpx (zip) file ({exc})", REEXPORT) from None
    with archive:
        archive.check_declared()  # sizes the headers declare; reading counts the real ones
        qde = next((n for n in archive.namelist() if n.casefold() == PROJECT_FILE), None)
        if qde is None:
            raise InputError(path, "", f"the archive holds no {PROJECT_FILE}", REEXPORT)
        root = _parse(path, _read_member(path, archive, qde))
        users = pd.DataFrame(
            [{"guid": u.get("guid"), "name": u.get("name")} for u in root.iterfind("Users/User")],
            columns=["guid", "name"],
        )
        codes = _codes(root)
        problems, warnings = Problems(), []
        sources, codings, n_selections, external, unplaced = _read_sources(
            path, archive, root, codes, users, problems, warnings
        )
        problems.raise_if_any(f"reading {path.name}")
    columns = ["source_guid", "source_name", "selection_guid", "start", "end", "code_guid"]
    columns += ["code_path", "user_guid", "user_name", "text", "description"]
    return QdpxProject(
        path=path,
        name=root.get("name", ""),
        origin=root.get("origin", ""),
        users=users,
        codes=codes,
        sources=pd.DataFrame(sources, columns=["guid", "name", "text"]),
        codings=pd.DataFrame(codings, columns=columns).astype({"start": int, "end": int}),
        n_selections=n_selections,
        warnings=tuple(warnings),
        external=pd.DataFrame(external, columns=["guid", "name", "path"]),
        unplaced=pd.DataFrame(unplaced, columns=UNPLACED_COLUMNS),
    )


def inspect_qdpx(path: str | Path) -> dict:
    """What ``evstudy inspect FILE.qdpx`` shows: plain, JSON-serialisable data.

    Returns
    -------
    dict
        ``origin``, ``users`` (names), ``codes`` (count), ``code_max_depth``,
        ``sources`` (name and characters), ``selections``, ``n_codings`` and
        ``codings``: one ``{source, code_path, start, end, text}`` per coding,
        offsets in code points; ``external_sources`` (``{name, path}``: never
        opened) and ``unplaced`` (``{source, code_path, reason}``: their codings).
    """
    project = read_qdpx(path)
    codings = project.codings
    return {
        "origin": project.origin,
        "users": [str(name) for name in project.users["name"]],
        "codes": len(project.codes),
        "code_max_depth": int(project.codes["depth"].max()) if len(project.codes) else None,
        "sources": [
            {"name": str(row.name), "characters": len(row.text)}
            for row in project.sources.itertuples()
        ],
        "selections": project.n_selections,
        "n_codings": len(codings),
        "codings": [
            {
                "source": str(row.source_name),
                "code_path": str(row.code_path),
                "start": int(row.start),
                "end": int(row.end),
                "text": str(row.text),
            }
            for row in codings.itertuples()
        ],
        "external_sources": [
            {"name": str(row.name), "path": str(row.path)} for row in project.external.itertuples()
        ],
        "unplaced": [
            {"source": str(row.source_name), "code_path": str(row.code_path), "reason": row.reason}
            for row in project.unplaced.itertuples()
        ],
        "warnings": list(project.warnings),
    }
