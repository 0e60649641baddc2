"""Reader for ``autocode_rules.yml``: the keywords and phrases that suggest each code.

::

    rules:
      - code: barrier.access
        keywords: [paywall*, Athens]          # whole words, any case; * = any ending
        phrases: [journal access, where to look]   # whole phrases, any spacing
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, ClassVar

import pandas as pd
from pydantic import BeforeValidator, Field

from evstudy.errors import InputError, Problems
from evstudy.io.schema import Schema, Text, numbered, raw_text, reads, validate_entries
from evstudy.io.textfiles import load_yaml

__all__ = ["RULE_COLUMNS", "read_autocode_rules"]

RULE_COLUMNS = ["code_id", "kind", "term", "pattern"]
KINDS = (("keywords", "keyword"), ("phrases", "phrase"))


def _normalise(text: str) -> str:
    # Curly and straight apostrophes are the same letter to a reader (length-preserving).
    return text.replace("\u2019", "'")


def _pieces(term: str, kind: str) -> tuple[str, str]:
    """The term's first character and a regex for the rest (with the right word boundary)."""
    term = _normalise(term)
    if kind == "keyword":
        wild = term.endswith("*")
        stem = term[:-1] if wild else term
        rest = re.escape(stem[1:]) + (r"\w*" if wild else "")
    else:
        words = term.split()
        rest = re.escape(words[0][1:]) + "".join(r"\s+" + re.escape(w) for w in words[1:])
    return term[0], rest + r"(?!\w)"


def _term_pattern(term: str, kind: str) -> str:
    first, rest = _pieces(term, kind)
    return r"(?<!\w)" + re.escape(first) + rest


def _terms(value: Any) -> Any:
    """A term or a list of terms, each with its spaces collapsed ("" for a blank one)."""
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    return [" ".join(str(t).split()) if t is not None else "" for t in values]


Terms = Annotated[tuple[str, ...], BeforeValidator(_terms)]


class RuleEntry(Schema):
    """One entry of the ``rules:`` list."""

    noun: ClassVar[str] = "rule"
    code: Text = Field(description="start the rule with code: <code id>")
    keywords: Terms = ()
    phrases: Terms = ()

    def _checked(self) -> Iterator[tuple[str, str, tuple[str, str] | None]]:
        """Each term as (kind, term, (problem, fix) or None)."""
        for key, kind in KINDS:
            for term in getattr(self, key):
                if not term.strip("*"):
                    yield kind, term, (f"an empty {kind}", "remove it or write a word")
                elif kind == "keyword" and " " in term:
                    yield kind, term, (f"keyword {term!r} has spaces", "move it under phrases:")
                elif "*" in term.rstrip("*") or (kind == "phrase" and "*" in term):
                    yield (
                        kind,
                        term,
                        (
                            f"{kind} {term!r} has a * that is not at the end of a keyword",
                            "use * only as the last character of a keyword (e.g. commission*)",
                        ),
                    )
                else:
                    yield kind, term, None

    def terms(self) -> Iterator[tuple[str, str]]:
        """The rule's usable terms as (kind, term)."""
        return ((kind, term) for kind, term, problem in self._checked() if problem is None)

    @reads("keywords", "phrases")
    def _terms_problems(self) -> Iterator[tuple[str, str]]:
        yield from (problem for _, _, problem in self._checked() if problem is not None)
        if not self.keywords and not self.phrases:
            yield "the rule has no keywords or phrases", "add keywords: or phrases:"


def read_autocode_rules(
    path: str | Path,
    *,
    codes: Iterable[str] | None = None,
    label: str | None = None,
) -> pd.DataFrame:
    """Read and validate an auto-coding rules file.

    Parameters
    ----------
    path : str or Path
        The rules YAML (``rules:`` list of ``{code, keywords, phrases}``).
    codes : iterable of str, optional
        The codebook's code ids; when given, every rule's code must be one of them.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    pandas.DataFrame
        One row per keyword or phrase, in file order: ``code_id``, ``kind`` (``keyword``
        or ``phrase``), ``term`` (as written) and ``pattern`` (the regular expression it
        becomes, to be compiled with ``re.IGNORECASE``).

    Raises
    ------
    InputError
        When the file is missing, not YAML, or has no ``rules:`` list.
    ValidationError
        Listing every problem: entries without a code or terms, unknown keys, keywords
        with spaces or a misplaced ``*``, repeated terms, codes not in the codebook.
    """
    path = Path(path)
    name = label or str(path)
    data, tree = load_yaml(path, name)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise InputError(
            name, "", "the file has no 'rules:' list", "write rules: [{code: ..., keywords: [...]}]"
        )
    known = None if codes is None else set(codes)
    found = Problems()
    records: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def in_codebook(n: int, entry: Any) -> Iterator[tuple[str, str]]:
        code = raw_text(entry, "code")
        if code is not None and known is not None and code not in known:
            yield f"code {code!r} is not in the codebook", "correct the code id"

    entries = validate_entries(
        RuleEntry,
        data["rules"],
        file=name,
        found=found,
        tree=tree,
        at=("rules",),
        place=numbered("rule"),
        name="code",
        unique=False,  # a code's terms may be split over several rules
        also=in_codebook,
    )
    for where, _, _, rule in entries:
        for kind, term in rule.terms() if rule is not None else ():
            if (rule.code, term.casefold()) in seen:
                found.add(name, where, f"{kind} {term!r} is repeated", "list it once")
                continue
            seen.add((rule.code, term.casefold()))
            records.append(
                {
                    "code_id": rule.code,
                    "kind": kind,
                    "term": term,
                    "pattern": _term_pattern(term, kind),
                }
            )
    found.raise_if_any(name)
    return pd.DataFrame.from_records(records, columns=RULE_COLUMNS)
