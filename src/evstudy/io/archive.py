"""Zip archives (.docx, .qdpx, .xlsx) read under a cap on how far they expand.

A small zip can hold gigabytes (a "zip bomb"): one member of repeated bytes deflates to
almost nothing. Every reader of a zip goes through :class:`GuardedZip`, which

- checks the sizes the archive declares before anything is unpacked, and
- counts the bytes as they are actually decompressed, in chunks, because the declared
  sizes can lie,

and stops with an :class:`~evstudy.errors.InputError` naming the file and the member as
soon as a member passes :data:`MEMBER_LIMIT`, expands more than :data:`RATIO_LIMIT` times
its compressed size, or the archive as a whole passes :data:`ARCHIVE_LIMIT`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from evstudy.errors import InputError

__all__ = [
    "ARCHIVE_LIMIT",
    "MEMBER_LIMIT",
    "RATIO_GRACE",
    "RATIO_LIMIT",
    "GuardedZip",
    "check_archive",
]

MEMBER_LIMIT = 512 * 2**20  # bytes one member may expand to
ARCHIVE_LIMIT = 2 * 2**30  # bytes all members together may expand to
RATIO_LIMIT = 200  # uncompressed : compressed, per member
# A few kilobytes of blank XML compress 500:1 legitimately; the ratio only counts once a
# member has expanded past this many bytes.
RATIO_GRACE = 2**20
_CHUNK = 2**20

_TOO_FAR = "the file expands too far when unpacked, as a zip bomb does"


def _mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


class GuardedZip:
    """A zip archive whose members are read under the expansion caps.

    Parameters
    ----------
    file : str or Path
        The file as error messages should name it.
    source : path or binary file object
        What :class:`zipfile.ZipFile` opens.
    fix : str
        What the user can do when the archive is refused.

    Raises
    ------
    zipfile.BadZipFile
        When ``source`` is not a zip archive (the caller says what the file is instead).
    InputError
        From :meth:`read` and :meth:`check`, when the archive expands too far.
    """

    def __init__(self, file: str | Path, source: str | Path | IO[bytes], *, fix: str) -> None:
        self.file = str(file)
        self.fix = fix
        self.zip = zipfile.ZipFile(source)
        self.total = 0  # bytes decompressed so far, over every member

    def __enter__(self) -> GuardedZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def close(self) -> None:
        self.zip.close()

    def namelist(self) -> list[str]:
        return self.zip.namelist()

    def _refuse(self, member: str, why: str) -> InputError:
        return InputError(self.file, f"member {member!r}", f"{_TOO_FAR}: {why}", self.fix)

    def check_declared(self) -> None:
        """Refuse an archive whose declared sizes already pass a cap (nothing is unpacked)."""
        total = 0
        for info in self.zip.infolist():
            total += info.file_size
            if info.file_size > MEMBER_LIMIT:
                raise self._refuse(
                    info.filename,
                    f"it declares {_mib(info.file_size)}, over the {_mib(MEMBER_LIMIT)} "
                    "allowed for one part",
                )
            if info.file_size > RATIO_GRACE and info.file_size > RATIO_LIMIT * max(
                info.compress_size, 1
            ):
                raise self._refuse(
                    info.filename,
                    f"it declares {info.file_size / max(info.compress_size, 1):,.0f} times "
                    f"its compressed size, over the {RATIO_LIMIT}:1 allowed",
                )
            if total > ARCHIVE_LIMIT:
                raise self._refuse(
                    info.filename,
                    f"the parts declare over {_mib(ARCHIVE_LIMIT)} in all",
                )

    def _chunks(self, member: str) -> Iterable[bytes]:
        info = self.zip.getinfo(member)
        compressed = max(info.compress_size, 1)
        size = 0
        with self.zip.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                self.total += len(chunk)
                if size > MEMBER_LIMIT:
                    raise self._refuse(
                        member, f"this part passed {_mib(MEMBER_LIMIT)}, the most allowed"
                    )
                if size > RATIO_GRACE and size > RATIO_LIMIT * compressed:
                    raise self._refuse(
                        member,
                        f"this part expanded over {RATIO_LIMIT} times its compressed size "
                        f"({compressed:,} bytes)",
                    )
                if self.total > ARCHIVE_LIMIT:
                    raise self._refuse(
                        member, f"the archive passed {_mib(ARCHIVE_LIMIT)} unpacked, the most"
                    )
                yield chunk

    def read(self, member: str) -> bytes:
        """One member's bytes, counted as they are decompressed.

        Raises
        ------
        InputError
            As soon as a cap is passed (before the rest of the member is unpacked).
        KeyError, zipfile.BadZipFile, zlib.error, ...
            As :meth:`zipfile.ZipFile.read` does for a missing or damaged member.
        """
        return b"".join(self._chunks(member))

    def check(self) -> None:
        """Unpack every member, keeping nothing, to prove the archive stays under the caps.

        For readers that open the zip themselves (python-docx, openpyxl): their
        reading is then bounded too. Damaged members are left for them to report.
        """
        self.check_declared()
        for name in self.zip.namelist():
            try:
                for _ in self._chunks(name):
                    pass
            except InputError:
                raise
            except Exception:  # damaged: the reader proper gives its own precise error
                continue


def check_archive(file: str | Path, source: str | Path | IO[bytes], *, fix: str) -> None:
    """Refuse a zip archive that expands too far; do nothing for a file that is not a zip.

    Parameters
    ----------
    file : str or Path
        The file as error messages should name it.
    source : path or binary file object
        The archive.
    fix : str
        What the user can do when it is refused.

    Raises
    ------
    InputError
        Naming the file and the member that passed a cap.
    """
    try:
        archive = GuardedZip(file, source, fix=fix)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return  # not a zip (or unreadable): the reader says what it is
    with archive:
        archive.check()
