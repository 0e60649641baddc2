"""Writing outputs safely and reproducibly.

Every output is written to a temporary file in the same folder and renamed
into place, so a crash never leaves half a file. Zip-based formats (.docx,
.xlsx) stamp the current time into every entry; :func:`normalise_zip` fixes
those stamps so the same content always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = [
    "FIXED_ZIP_TIME",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_writer",
    "changed_files",
    "normalise_zip",
    "raw_digests",
    "sha256_file",
    "strings_as_text",
    "write_workbook",
]

# The earliest time a zip entry can hold; SOURCE_DATE_EPOCH overrides it.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _zip_time() -> tuple[int, int, int, int, int, int]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return FIXED_ZIP_TIME
    import time

    t = time.gmtime(max(int(epoch), 315532800))  # zip cannot store dates before 1980
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec - t.tm_sec % 2)


def atomic_writer(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` and rename the result onto ``path``.

    ``write`` receives a temporary path in the destination folder (same
    suffix, so libraries that look at the extension still work).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_writer(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` with LF line endings to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def normalise_zip(data: bytes) -> bytes:
    """Return a zip archive whose entries carry a fixed time and fixed attributes.

    Entry order and content are kept; only the metadata that varies from run
    to run (modification times, creating system, permissions) is fixed.
    """
    stamp = _zip_time()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def strings_as_text(book: Workbook) -> Workbook:
    """Mark every string cell of ``book`` as text, so that no string becomes a formula.

    openpyxl stores a string that starts with "=" as a formula, so a label such as
    ``=HYPERLINK(...)`` from a study's files would be live in the workbook. A cell typed
    "s" is written as a shared string whatever it starts with ("=", "+", "-", "@"), and
    the text is kept as it is, with no quote put in front.

    Parameters
    ----------
    book : openpyxl.Workbook
        The workbook; changed in place.

    Returns
    -------
    openpyxl.Workbook
        ``book``.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    return book


def write_workbook(book: Workbook, path: str | Path, *, title: str) -> Path:
    """Save an openpyxl workbook atomically, with the same bytes for the same content.

    The document properties get a fixed author and time, and the zip entries fixed
    stamps. openpyxl's ``ExcelWriter`` is called directly because ``Workbook.save``
    stamps the current time as "modified". Every string cell is stored as text
    (:func:`strings_as_text`): evstudy never writes a formula.
    """
    import datetime as dt

    from openpyxl.writer.excel import ExcelWriter

    strings_as_text(book)
    props = book.properties
    props.creator = props.lastModifiedBy = "evstudy"
    props.created = props.modified = dt.datetime(2000, 1, 1)
    props.title = title
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return atomic_write_bytes(path, normalise_zip(buffer.getvalue()))


def raw_digests(raw_dir: Path, names: dict[Path, str] | None = None) -> dict[str, str]:
    """sha256 of every file in a raw folder, keyed by a name that identifies no one.

    Transcript file names may hold a participant's name, so a file listed in ``names``
    (transcript path -> document id) is keyed ``transcripts/<document id>``, and any other
    file under the transcripts folder by its position alone. Other files keep their path
    relative to the raw folder (register.xlsx, study.yml, ...).
    """
    names = {p.resolve(): doc for p, doc in (names or {}).items()}
    found, unnamed = {}, 0
    for path in sorted(raw_dir.rglob("*")):
        if not path.is_file() or path.name.startswith((".", "~$")):
            continue
        relative = path.relative_to(raw_dir).as_posix()
        if path.resolve() in names:
            relative = f"transcripts/{names[path.resolve()]}"
        elif relative.startswith("transcripts/"):
            unnamed += 1
            relative = f"transcripts/unlisted-{unnamed:03d}{path.suffix.lower()}"
        found[relative] = sha256_file(path)
    return found


def changed_files(folder: Path, digests: dict[str, str]) -> dict[str, str | None]:
    """The files of ``digests`` (name relative to ``folder`` -> sha256) that are no longer
    as recorded: name -> their sha256 now, or None when missing. Empty when all match."""
    found: dict[str, str | None] = {}
    for name, digest in digests.items():
        path = Path(folder) / name
        now = sha256_file(path) if path.is_file() else None
        if now != digest:
            found[name] = now
    return found
