"""Every output the audit scans, read into located pieces of text and into tables.

A :class:`Piece` is a run of text and where it sits in its file ("table 3, row 2 (line
120)", "cell 7, output 1", "sheet 'Role groups', cell B4", "row 12, column 'text'").
A :class:`Grid` is a table of a published file (an HTML table, or a block of rows in a
worksheet) with the location of every cell, for the small-cell rules. Each reader turns
one format into pieces: HTML, SVG, JSON, notebooks, CSV and other text, Parquet tables
(read with pandas), and workbooks (cells, and the XML of the other parts of the zip).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import pandas as pd

__all__ = ["Grid", "Piece", "Source", "iter_sources", "read_source", "source_entry"]

# Base64 payloads (embedded images) hold no text worth scanning and are most of a page.
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")
_TAG = re.compile(r"<[^>]*>")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Elements whose text is one piece; table cells are grouped by their row.
_BLOCKS = frozenset(
    re.split(
        r"\s+",
        "address article aside blockquote body caption dd details div dl dt figcaption figure "
        "footer h1 h2 h3 h4 h5 h6 head header html li main nav ol p pre script section style "
        "summary table tbody td tfoot th thead title tr ul",
    )
)
# Attributes that hold a list of words: their value is read with its spacing normalised.
_LISTS = frozenset({"rel", "rev", "accept-charset", "headers", "accesskey", "dropzone"})
# Folders of the report that are for the research team, not the sponsor: identifiers are
# searched for there too, but the attribution and small-cell rules do not apply.
RESEARCHER_ONLY = ("notebooks", "research-team", "researcher")
TEXT_SUFFIXES = (".csv", ".tsv", ".md", ".txt")
SCANNED = (
    ".html", ".htm", ".svg", ".json", ".ipynb", ".parquet", ".xlsx", ".pdf", *TEXT_SUFFIXES
)  # fmt: skip


@dataclass(frozen=True)
class Piece:
    """A run of text in an output file, and where it is."""

    file: str
    location: str
    text: str
    published: bool
    key: str = ""  # the JSON key path of a value, e.g. "packages.pandas"
    raw: bool = False  # a line of the file's characters, read without its format's parser


@dataclass
class Grid:
    """A table in a published file: header, body rows and the location of each body cell."""

    file: str
    name: str
    header: list[str]
    rows: list[list[str]]
    locations: list[list[str]]


@dataclass
class Source:
    """One output file read for the audit."""

    file: str
    published: bool
    pieces: list[Piece] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    scanned: bool = True


def iter_sources(roots: dict[str, Path]) -> Iterator[tuple[str, Path, bool]]:
    """(display name, path, published) of every file under the output folders.

    ``roots`` maps a label ("processed", "figures", "reports") to its folder. Hidden
    entries (``.staging``, ``.old-*``, ``.gitkeep``) are skipped unless the folder itself
    is the staging folder. In ``reports``, everything but ``manifest.json`` and the
    researcher-only folders (``notebooks/``, ``research-team/``) is published.
    """
    for label, root in roots.items():
        if root is None or not Path(root).is_dir():
            continue
        for path in sorted(Path(root).rglob("*")):
            entry = source_entry(label, Path(root), path)
            if entry is not None:
                yield entry


def source_entry(label: str, root: Path, path: Path) -> tuple[str, Path, bool] | None:
    """(display name, path, published) of one file under the folder ``label`` at ``root``,
    as :func:`iter_sources` gives it; None for a hidden entry or what is not a file."""
    rel = path.relative_to(root)
    if not path.is_file() or any(part.startswith(".") for part in rel.parts):
        return None
    name = rel.as_posix()
    published = (
        label == "reports" and rel.parts[0] not in RESEARCHER_ONLY and name != "manifest.json"
    )
    return f"{label}/{name}", path, published


def read_source(file: str, path: Path, published: bool) -> Source:
    """Read one output file into pieces (and, for published pages and workbooks, grids).

    A page, SVG, JSON file or notebook is also read line by line as plain characters
    (pieces with ``raw`` set), embedded ``data:`` URIs left out: what its parser drops
    (text after ``</html>``, say) a browser or a text editor may still show. A file of any
    other kind that reads as UTF-8 text with no NUL byte is read line by line.
    """
    source = Source(file, published)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        text = path.read_text(encoding="utf-8", errors="replace")
        _read_html(source, text)
        _read_raw_lines(source, text, markup=True)
    elif suffix == ".svg":
        _read_markup_lines(source, path.read_text(encoding="utf-8", errors="replace"))
    elif suffix == ".json":
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            _walk_json(source, json.loads(text), "")
        except json.JSONDecodeError:
            _read_lines(source, text)
        else:
            _read_raw_lines(source, text, markup=False)
    elif suffix == ".ipynb":
        text = path.read_text(encoding="utf-8", errors="replace")
        _read_notebook(source, json.loads(text))
        _read_raw_lines(source, text, markup=False)
    elif suffix in TEXT_SUFFIXES:
        _read_lines(source, path.read_text(encoding="utf-8", errors="replace"))
    elif suffix == ".parquet":
        _read_parquet(source, pd.read_parquet(path))
    elif suffix == ".xlsx":
        _read_workbook(source, path)
    elif suffix == ".pdf":
        return _pdf_source(file, path, published)
    elif (text := _plain_text(path)) is not None:
        _read_lines(source, text)
    else:
        source.scanned = False  # images and other binary files hold no searchable text
    return source


# The last PDF read, by (file, path, published, size, mtime_ns, inode): the audit reads the
# report's PDF twice (its scan, then its quotes), and extracting its text is slow.
_LAST_PDF: tuple[tuple, Source] | None = None


def _pdf_source(file: str, path: Path, published: bool) -> Source:
    global _LAST_PDF
    stat = path.stat()
    key = (file, str(path), published, stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if _LAST_PDF is not None and _LAST_PDF[0] == key:
        return _LAST_PDF[1]
    source = Source(file, published)
    _read_pdf(source, path)
    _LAST_PDF = (key, source)
    return source


def _read_pdf(source: Source, path: Path) -> None:
    """A PDF's text as a viewer extracts it, page by page and line by line, and its
    metadata (title, author, subject, keywords, XMP)."""
    import pikepdf

    from evstudy.build.pdf import pdf_text

    with pikepdf.open(path) as pdf:
        for key, value in pdf.docinfo.items():
            _add(source, f"metadata {key}", str(value))
        if "/Metadata" in pdf.Root:
            xmp = pdf.Root.Metadata.read_bytes().decode("utf-8", errors="replace")
            _add(source, "metadata XMP", _markup_text(xmp))
    for number, text in enumerate(pdf_text(path), 1):
        for line, words in enumerate(text.splitlines(), 1):
            _add(source, f"page {number}, line {line}", words)


def _plain_text(path: Path) -> str | None:
    """The file's text when it is UTF-8 with no NUL byte (not an image, not a PDF)."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _read_raw_lines(source: Source, text: str, *, markup: bool) -> None:
    """Every line of the file as characters: the backstop for what a parser drops."""
    for number, line in enumerate(_DATA_URI.sub("data:", text).splitlines(), 1):
        if markup and "<" in line:
            # Tags out, so that "<b>Zoë</b> Clarke" reads as the browser shows it; the
            # line as written too, for attribute values outside what the parser kept.
            line = f"{_markup_text(line)} | {unescape(line)}"
        elif markup:
            line = unescape(line)
        if line.strip():
            source.pieces.append(
                Piece(source.file, f"line {number}", line, source.published, raw=True)
            )


def _add(source: Source, location: str, text: object, key: str = "") -> None:
    if isinstance(text, str) and text.strip():
        source.pieces.append(Piece(source.file, location, text, source.published, key))


def _markup_text(text: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", _DATA_URI.sub("data:", text))).split())


def _read_lines(source: Source, text: str) -> None:
    for number, line in enumerate(text.splitlines(), 1):
        _add(source, f"line {number}", line)


def _read_markup_lines(source: Source, text: str) -> None:
    for number, line in enumerate(text.splitlines(), 1):
        _add(source, f"line {number}", _markup_text(line))


def _walk_json(source: Source, value: object, key: str) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _add(source, f"key {key}.{name}".replace("key .", "key "), str(name), key)
            _walk_json(source, item, f"{key}.{name}" if key else str(name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk_json(source, item, f"{key}[{i}]")
    elif isinstance(value, str):
        _add(source, f"key {key}" if key else "value", value, key)


def _read_notebook(source: Source, notebook: dict) -> None:
    _add(source, "notebook metadata", json.dumps(notebook.get("metadata", {})))
    for i, cell in enumerate(notebook.get("cells", []), 1):
        _add(source, f"cell {i}, source", _joined(cell.get("source", "")))
        for j, output in enumerate(cell.get("outputs", []), 1):
            where = f"cell {i}, output {j}"
            kind = output.get("output_type")
            if kind == "stream":
                _add(source, where, _joined(output.get("text", "")))
            elif kind == "error":
                text = "\n".join([output.get("ename", ""), output.get("evalue", "")])
                text += "\n" + _ANSI.sub("", "\n".join(output.get("traceback", [])))
                _add(source, where, text)
            for mime, value in (output.get("data") or {}).items():
                if mime.startswith("image/") and mime != "image/svg+xml":
                    continue
                text = _joined(value) if not isinstance(value, dict) else json.dumps(value)
                if mime in ("text/html", "image/svg+xml"):
                    text = _markup_text(text)
                _add(source, where, text)


def _joined(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _read_parquet(source: Source, frame: pd.DataFrame) -> None:
    _add(source, "column names", " | ".join(map(str, frame.columns)))
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        for i, value in enumerate(values, 1):
            if isinstance(value, str):
                text = value
            elif isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
                text = " ".join(map(str, list(value)))
            else:
                continue  # numbers, dates and missing values carry no text
            _add(source, f"row {i}, column {column!r}", text)


# --- HTML -----------------------------------------------------------------------------------


def _read_html(source: Source, text: str) -> None:
    # libxml2 (through lxml, python-docx's parser) reads a report page some twenty times
    # faster than html.parser, keeps every element's line, and gives the same text.
    from lxml import etree

    text = _DATA_URI.sub("data:", text)
    if not text.strip():
        return
    parser = etree.HTMLParser(remove_comments=False, remove_pis=False, huge_tree=True)
    root = etree.fromstring(text, parser)
    if root is None:
        return
    tables = list(root.iter("table"))
    position = {table: i for i, table in enumerate(tables, 1)}
    rows: dict[etree._Element, tuple[int, int]] = {}
    for table in tables:
        for r, tr in enumerate(_rows(table), 1):
            rows[tr] = (position[table], r)
    blocks: dict[etree._Element, list[str]] = {}

    def add_text(holder: etree._Element, string: str | None) -> None:
        if not string:
            return
        anchor = _block(holder)
        if anchor is not None:
            blocks.setdefault(anchor, []).append(string)

    def walk(node: etree._Element) -> None:  # text in document order, as it is read
        add_text(node, node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            else:  # a comment or processing instruction: its words count too
                add_text(node, child.text)
            add_text(node, child.tail)

    walk(root)
    for anchor, strings in blocks.items():
        if anchor.tag == "tr" and anchor in rows:
            t, r = rows[anchor]
            # Comments in a cell are searched too: hidden from readers, not from the file.
            cells = [" ".join(_all_text(c).split()) for c in anchor.iterdescendants("td", "th")]
            _add(source, f"table {t}, row {r} (line {anchor.sourceline})", " | ".join(cells))
        else:
            _add(source, f"line {anchor.sourceline}", " ".join("".join(strings).split()))
    for tag in root.iter(etree.Element):
        for name, value in tag.attrib.items():
            if name in _LISTS:
                value = " ".join(value.split())
            if name not in ("class", "id", "style") and not value.startswith("data:"):
                _add(source, f"line {tag.sourceline}, attribute {name}", value)
    if source.published:
        for table in tables:
            source.grids.append(_html_grid(source.file, table, position[table]))


def _all_text(element) -> str:
    """The element's text with its comments', in document order."""
    parts = [element.text or ""]
    for child in element:
        parts += [_all_text(child) if isinstance(child.tag, str) else child.text or ""]
        parts.append(child.tail or "")
    return "".join(parts)


def _block(element):
    """The nearest block element holding ``element`` (itself included); a table cell's row."""
    for node in (element, *element.iterancestors()):
        if node.tag in _BLOCKS:
            if node.tag in ("td", "th"):
                row = next(node.iterancestors("tr"), None)
                return row if row is not None else node
            return node
    return None


def _rows(table) -> list:
    # Rows of this table, not of a table nested in one of its cells.
    return [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]


def _html_grid(file: str, table, number: int) -> Grid:
    """The table as a rectangle, with row- and column-spans filled in."""
    trs = _rows(table)
    grid: list[list[str]] = []
    carry: dict[int, tuple[int, str]] = {}  # column -> (rows still spanned, text)
    n_header = 0
    for r, tr in enumerate(trs):
        cells = [cell for cell in tr if cell.tag in ("td", "th")]
        in_head = next(tr.iterancestors("thead"), None) is not None
        if in_head or (r == n_header and next(tr.iterdescendants("td"), None) is None):
            n_header = r + 1
        row: list[str] = []
        queue = list(cells)
        column = 0
        while queue or column in carry:
            if column in carry:
                left, text = carry[column]
                row.append(text)
                if left > 1:
                    carry[column] = (left - 1, text)
                else:
                    del carry[column]
                column += 1
                continue
            cell = queue.pop(0)
            text = " ".join("".join(cell.itertext()).split())
            span = _int(cell.get("colspan"), 1)
            down = _int(cell.get("rowspan"), 1)
            for _ in range(span):
                if down > 1:
                    carry[column] = (down - 1, text)
                row.append(text)
                column += 1
        grid.append(row)
    header_rows, body = grid[:n_header], grid[n_header:]
    width = max((len(row) for row in grid), default=0)
    header = [
        " ".join(h[j] for h in header_rows if j < len(h) and h[j]).strip() for j in range(width)
    ]
    line = table.sourceline
    return Grid(
        file=file,
        name=f"table {number} (line {line})",
        header=header,
        rows=body,
        locations=[
            [
                f"table {number}, row {n_header + i}, column {_column(header, j)!r}"
                for j in range(len(row))
            ]
            for i, row in enumerate(body, 1)
        ],
    )


def _column(header: list[str], j: int) -> str:
    return header[j] if j < len(header) and header[j] else str(j + 1)


def _int(value: object, default: int) -> int:
    try:
        return max(1, int(str(value)))
    except (TypeError, ValueError):
        return default


# --- workbooks --------------------------------------------------------------------------------


def _read_workbook(source: Source, path: Path) -> None:
    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as archive:
        for member in sorted(archive.namelist()):
            inner = member.startswith(("xl/worksheets/", "xl/sharedStrings"))
            if member.endswith((".xml", ".rels")) and not inner:
                text = archive.read(member).decode("utf-8", errors="replace")
                _add(source, f"zip member {member}", _markup_text(text))
    book = load_workbook(path, data_only=True)
    for ws in book.worksheets:
        _add(source, f"sheet {ws.title!r}, its name", ws.title)
        values: list[list[object]] = []
        for row in ws.iter_rows():
            values.append([cell.value for cell in row])
            for cell in row:
                where = f"sheet {ws.title!r}, cell {cell.coordinate}"
                if cell.value is not None:
                    _add(source, where, str(cell.value))
                if cell.comment is not None:
                    _add(source, f"{where}, comment", f"{cell.comment.author} {cell.comment.text}")
        if source.published:
            source.grids += _sheet_grids(source.file, ws.title, values)


def _sheet_grids(file: str, title: str, values: list[list[object]]) -> list[Grid]:
    """A worksheet's tables: runs of non-blank rows whose first row has two or more cells.

    Rows of one cell just above a table (a title, a note) are not part of it.
    """
    from openpyxl.utils import get_column_letter

    grids, block = [], []

    def close() -> None:
        nonlocal block
        wide = [i for i, (_, row) in enumerate(block) if sum(v is not None for v in row) >= 2]
        if wide:
            start = wide[0]
            (hr, header), body = block[start], block[start + 1 :]
            grids.append(
                Grid(
                    file=file,
                    name=f"sheet {title!r}, table from row {hr}",
                    header=[_text(v) for v in header],
                    rows=[[_text(v) for v in row] for _, row in body],
                    locations=[
                        [
                            f"sheet {title!r}, cell {get_column_letter(j)}{r}"
                            for j in range(1, len(row) + 1)
                        ]
                        for r, row in body
                    ],
                )
            )
        block = []

    for r, row in enumerate(values, 1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            if block:
                close()
        else:
            block.append((r, row))
    if block:
        close()
    return grids


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
