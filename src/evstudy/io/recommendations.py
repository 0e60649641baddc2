"""Reader for ``recommendations.yml``: the researchers' recommendations and the codes behind them.

::

    recommendations:
      - id: REC1
        text: Give commissioners short, plain summaries of what works.
        audience: Toolkit
        codes: [enabler.summaries, barrier.capacity]
        priority: high          # optional: high, medium or low
        rationale: >-           # optional: why, in the researchers' words
          Commissioners rarely have the time to read a full evaluation.

The evidence behind a recommendation and its strength are computed
(:mod:`evstudy.recommendations`); a recommendation without a ``priority`` takes the one its
strength of evidence gives, and one without a ``rationale`` gets a computed draft.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import pandas as pd
from pydantic import BeforeValidator, Field, field_validator

from evstudy.errors import InputError, Problems
from evstudy.io.schema import Schema, Text, fail, numbered, raw_text, validate_entries
from evstudy.io.textfiles import load_yaml

__all__ = ["COLUMNS", "read_recommendations"]

COLUMNS = ["rec_id", "text", "audience", "codes", "priority", "rationale"]
PRIORITIES = ("high", "medium", "low")


class RecommendationEntry(Schema):
    """One entry of the ``recommendations:`` list."""

    noun: ClassVar[str] = "recommendation"
    id: Text = Field(description="add id: REC1 (unique)")
    text: Text = Field(description="write it in a sentence")
    # Any words the study uses for who a recommendation is for.
    audience: Text = Field(
        description="say who it is for: audience: commissioners (any words the study uses)"
    )
    codes: tuple[Text, ...] = ()
    # How urgent the research team judges it; blank: the strength of its evidence decides.
    priority: Annotated[
        Literal[PRIORITIES] | None,
        BeforeValidator(lambda v: v.strip().lower() or None if isinstance(v, str) else v),
    ] = None
    # Why, in the research team's words; blank: a computed draft from the evidence.
    rationale: Text | None = None

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
        rec_id, text, audience, codes (a list of ids), priority ("high", "medium", "low"
        or None when not declared), rationale (None when not declared); file order.

    Raises
    ------
    InputError
        When the file is missing, is not YAML or has no ``recommendations:`` list.
    ValidationError
        Listing every problem: a missing or repeated id, a blank text or audience, no
        codes, a code the codebook lacks, a priority other than high, medium or low, an
        unknown key.
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

    def cited(n: int, entry: Any) -> Iterator[tuple[str, str]]:
        """Codes the codebook lacks (checked even when the entry has other problems)."""
        codes = entry.get("codes") if isinstance(entry, dict) and known is not None else None
        codes = [codes] if isinstance(codes, str) else codes if isinstance(codes, list) else []
        for code in (str(c).strip() for c in codes):
            if code not in known:
                yield (
                    f"recommendation {raw_text(entry, 'id') or n} cites code {code!r}, which "
                    "the codebook lacks",
                    "cite a theme or code id from codebook.yml, or add the code there",
                )

    found = Problems()
    entries = validate_entries(
        RecommendationEntry,
        data["recommendations"],
        file=name,
        found=found,
        tree=tree,
        at=("recommendations",),
        place=numbered("recommendation"),
        also=cited,
    )
    records = [
        (rec.id, rec.text, rec.audience, list(rec.codes), rec.priority, rec.rationale)
        for *_, rec in entries
        if rec is not None
    ]
    found.raise_if_any(name)
    return pd.DataFrame.from_records(records, columns=COLUMNS)
