"""Reader for ``recommendations.yml``: the researchers' recommendations and the codes behind them.

::

    recommendations:
      - id: REC1
        text: Give commissioners short, plain summaries of what works.
        audience: Toolkit
        codes: [enabler.summaries, barrier.capacity]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import pandas as pd
from pydantic import BeforeValidator, Field, field_validator

from evstudy.errors import InputError, Problems
from evstudy.io.schema import Schema, Text, fail, line_at, raw_text, validate
from evstudy.io.textfiles import load_yaml

__all__ = ["AUDIENCES", "COLUMNS", "read_recommendations"]

AUDIENCES = ("Toolkit", "Practice Guides", "local commissioners", "national policy")
COLUMNS = ["rec_id", "text", "audience", "codes"]


class RecommendationEntry(Schema):
    """One entry of the ``recommendations:`` list."""

    noun: ClassVar[str] = "recommendation"
    id: Text = Field(description="add id: REC1 (unique)")
    text: Text = Field(description="write it in a sentence")
    audience: Annotated[
        Literal[AUDIENCES], BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v)
    ]
    codes: tuple[Text, ...] = ()

    @field_validator("codes", mode="before")
    @classmethod
    def _cited(cls, value: Any) -> Any:
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not value:
            fail(
                "the recommendation cites no codes",
                "list the theme or code ids that support it: codes: [barrier.capacity]",
            )
        return value


def read_recommendations(
    path: str | Path, *, codes: Iterable[str] | None = None, label: str | None = None
) -> pd.DataFrame:
    """Read and validate a recommendations file.

    Parameters
    ----------
    path : str or Path
    codes : collection of str, optional
        The codebook's code and theme ids; when given, every cited id must be one of them.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    DataFrame
        rec_id, text, audience, codes (a list of ids); file order.

    Raises
    ------
    InputError
        When the file is missing, is not YAML or has no ``recommendations:`` list.
    ValidationError
        Listing every problem: a missing or repeated id, a blank text, an audience not in
        :data:`AUDIENCES`, no codes, a code the codebook lacks, an unknown key.
    """
    path = Path(path)
    name = label or str(path)
    if not path.is_file():
        raise InputError(name, "", "the recommendations file does not exist", "check the path")
    data, tree = load_yaml(path, name)
    if not isinstance(data, dict) or not isinstance(data.get("recommendations"), list):
        raise InputError(
            name,
            "",
            "the file has no 'recommendations:' list",
            "write recommendations: [{id: ..., text: ..., audience: ..., codes: [...]}]",
        )
    known = None if codes is None else set(codes)
    found, records, seen = Problems(), [], set()
    for i, entry in enumerate(data["recommendations"]):
        rec_id = raw_text(entry, "id")
        place = f"recommendation {i + 1}" + (f" ({rec_id})" if rec_id else "")
        where = f"line {line_at(tree, ('recommendations', i)) or 0}, {place}"
        if rec_id is not None and rec_id in seen:
            found.add(name, where, f"id {rec_id!r} is already used", "give each its own id")
        seen.add(rec_id)
        rec = validate(
            RecommendationEntry,
            entry,
            file=name,
            found=found,
            tree=tree,
            at=("recommendations", i),
            place=place,
        )
        cited = entry.get("codes") if isinstance(entry, dict) else None
        cited = [cited] if isinstance(cited, str) else cited if isinstance(cited, list) else []
        for code in [str(c).strip() for c in cited] if known is not None else ():
            if code not in known:  # checked even when the entry has other problems
                found.add(
                    name,
                    where,
                    f"recommendation {rec_id or i + 1} cites code {code!r}, which the codebook "
                    "lacks",
                    "cite a theme or code id from codebook.yml, or add the code there",
                )
        if rec is not None:
            records.append(
                {
                    "rec_id": rec.id,
                    "text": rec.text,
                    "audience": rec.audience,
                    "codes": list(rec.codes),
                }
            )
    found.raise_if_any(name)
    return pd.DataFrame.from_records(records, columns=COLUMNS)
