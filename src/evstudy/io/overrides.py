"""Reader for ``triangulation_overrides.yml``: joint-display rows a researcher codes by hand.

The file lists rows of the joint display whose convergence code a researcher sets, each with
the reason::

    overrides:
      - code: toolkit.eif_guidebook
        convergence: partial agreement
        reason: Experts were asked about the Guidebook, so interviews over-represent it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import pandas as pd
from pydantic import BeforeValidator, Field

from evstudy.errors import InputError, Problems
from evstudy.io.schema import Schema, Text, numbered, raw_text, validate_entries
from evstudy.io.textfiles import load_yaml

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = ["CONVERGENCE", "OVERRIDES_FILE", "read_ingested_overrides", "read_overrides"]

# The convergence codes (Farmer et al. 2006) a joint-display row can carry.
CONVERGENCE = ("agreement", "partial agreement", "silence", "dissonance")
OVERRIDES_FILE = "triangulation_overrides"  # its key in config.DEFAULT_FILES
COLUMNS = ["code_id", "convergence", "reason"]


class OverrideEntry(Schema):
    """One entry of the ``overrides:`` list."""

    noun: ClassVar[str] = "override"
    code: Text = Field(description="add code: <code id>")
    convergence: Annotated[
        Literal[CONVERGENCE], BeforeValidator(lambda v: v.lower() if isinstance(v, str) else v)
    ]
    reason: Text = Field(description="say why, in a sentence: the report shows it")


def read_overrides(
    path: str | Path,
    *,
    study: Study | None = None,
    codes: Iterable[str] | None = None,
    label: str | None = None,
) -> pd.DataFrame:
    """Read and validate a triangulation overrides file.

    Parameters
    ----------
    path : str or Path
    study : Study, optional
        When given, every code must be a code (not a theme) of its codebook.
    codes : iterable of str, optional
        The code ids an override may name, when no study is given.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    DataFrame
        code_id, convergence, reason; file order.

    Raises
    ------
    InputError
        When the file is missing, is not YAML or has no ``overrides:`` list.
    ValidationError
        Listing every problem: a missing code, convergence or reason, an unknown
        convergence code or key, a code not in the codebook, a code overridden twice.
    """
    path = Path(path)
    name = label or str(path)
    if not path.is_file():
        raise InputError(name, "", "the overrides file does not exist", "check the path")
    data, tree = load_yaml(path, name)
    if not isinstance(data, dict) or not isinstance(data.get("overrides"), list):
        raise InputError(
            name,
            "",
            "the file has no 'overrides:' list",
            "write overrides: [{code: ..., convergence: ..., reason: ...}]",
        )
    if study is not None:
        codes = study.codebook.loc[study.codebook["parent_id"].notna(), "code_id"]
    known = None if codes is None else set(codes)

    def in_codebook(n: int, entry: Any) -> Iterator[tuple[str, str]]:
        code = raw_text(entry, "code")
        if code is not None and known is not None and code not in known:
            yield f"{code!r} is not a code of the codebook", "use a code id (not a theme)"

    found = Problems()
    entries = validate_entries(
        OverrideEntry,
        data["overrides"],
        file=name,
        found=found,
        tree=tree,
        at=("overrides",),
        place=numbered("override"),
        name="code",
        also=in_codebook,
    )
    rows = [e.value for e in entries if e.value is not None]
    found.raise_if_any(name)
    return pd.DataFrame([(r.code, r.convergence, r.reason) for r in rows], columns=COLUMNS)


def read_ingested_overrides(
    digests: Mapping[str, str],
    *,
    raw: str | Path | None = None,
    codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The overrides file that was in the raw folder when the study was ingested.

    Parameters
    ----------
    digests : mapping of str to str
        The ingest report's ``raw_sha256``: each raw file's SHA-256 at ingest.
    raw : str or Path, optional
        The raw folder (default ``$EVSTUDY_RAW``, else ``data/raw``).
    codes : iterable of str, optional
        The code ids an override may name.

    Returns
    -------
    DataFrame
        As :func:`read_overrides`; empty when the study was ingested without the file.

    Raises
    ------
    InputError
        When the study was ingested with an overrides file that is not in the raw folder
        found, or has changed since.
    """
    from evstudy.config import CONFIG_NAME, DEFAULT_FILES, load_config, resolve_raw
    from evstudy.files import sha256_file

    folder = resolve_raw(raw)
    name = DEFAULT_FILES[OVERRIDES_FILE]
    if (folder / CONFIG_NAME).is_file():
        name = load_config(folder).files[OVERRIDES_FILE]
    if name not in digests:
        return pd.DataFrame(columns=COLUMNS)
    path = folder / name
    if not path.is_file() or sha256_file(path) != digests[name]:
        raise InputError(
            path,
            "",
            "this is not the overrides file the study was ingested with "
            + ("(it is missing)" if not path.is_file() else "(it has changed since)"),
            "set EVSTUDY_RAW to the raw folder the study came from, or re-run evstudy ingest",
        )
    return read_overrides(path, codes=codes, label=name)
