"""Pseudonyms, redaction and the first-name detector: where personal data stops.

Names and emails enter through the register and the transcripts and go no
further than ingest. Speakers become pseudonyms through an identity key kept
beside the raw folder; names in the text become ``[name]``; and a detector
flags capitalised words that look like first names for a researcher to review.
"""

from __future__ import annotations

import csv
import importlib
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from evstudy.errors import InputError
from evstudy.files import atomic_write_text

__all__ = [
    "REDACTED",
    "IdentityKey",
    "NameRedactor",
    "canonical_name",
    "detect_first_names",
    "first_name_list",
    "read_identity_key",
]

REDACTED = "[name]"
KEY_FILE = "identity_key.csv"
KEY_COLUMNS = ("participant_id", "name", "email")
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Cllr", "Councillor", "Prof", "Professor")

# Faker ships offline first-name lists per locale; these cover the names common in England.
_NAME_LOCALES = ("en_GB", "en_US", "en_IE", "en_IN", "en_NZ", "pl_PL")

# First names that are also everyday English words: flagging these would bury real finds.
_COMMON_WORDS = frozenset(
    [
        "Will",
        "May",
        "June",
        "April",
        "August",
        "Grace",
        "Hope",
        "Faith",
        "Joy",
        "Mark",
        "Bill",
        "Rose",
        "Art",
        "Dean",
        "Sky",
        "Summer",
        "Autumn",
        "Ivy",
        "Lily",
        "Violet",
        "Frank",
        "Earl",
        "Major",
        "King",
        "Page",
        "Dawn",
        "Rich",
        "Drew",
        "Chase",
        "Harper",
        "Hunter",
        "Carter",
        "Mason",
        "Miles",
        "Reed",
        "Rob",
        "Sue",
        "Sunny",
        "Amber",
        "Crystal",
        "Pearl",
        "Ruby",
        "Jade",
        "Holly",
        "Heather",
        "Iris",
        "Daisy",
        "Poppy",
        "Ray",
        "Guy",
        "Jack",
        "Pat",
        "Don",
        "Gene",
        "Patience",
        "Prudence",
        "Honor",
        "Justice",
        "Noble",
        "Royal",
        "Christian",
        "Norman",
        "English",
        "Ireland",
        "Irish",
        "Wales",
        "India",
        "Asia",
        "Paris",
        "Florence",
        "Sydney",
        "Victoria",
        "Charity",
        "Constance",
        "Destiny",
        "Harmony",
        "Liberty",
        "Trinity",
        "Unity",
        "Bishop",
        "Cash",
        "Stone",
        "Wood",
        "Young",
        "Price",
        "Rivers",
        "Walker",
        "Lane",
        "Brook",
        "Glen",
        "Forest",
        "River",
        "Lake",
        "Star",
        "Angel",
        "Baby",
        "Eve",
        "Hazel",
        "Kit",
        "Teddy",
        "Tom",
        "Rusty",
        "Randy",
        "Bob",
        "Sandy",
        "Sonny",
        "Duke",
        "Prince",
        "Ace",
        "Max",
        "Bailey",
        "Hall",
        "West",
        "North",
        "South",
        "Early",
        "Help",
        "Children",
        "Ofsted",
        "Council",
        "Family",
        "Service",
        "Services",
    ]
)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def canonical_name(name: str) -> str:
    """Fold a speaker or register name for matching.

    Case and spacing are ignored, a trailing ``(Organisation)`` is dropped and
    ``Surname, Firstname`` becomes ``firstname surname``, as Teams writes names.
    """
    name = re.sub(r"\s*\([^)]*\)\s*$", "", name.strip())
    if name.count(",") == 1:
        surname, first = (part.strip() for part in name.split(","))
        if surname and first and " " not in first:
            name = f"{first} {surname}"
    return _fold(name)


@dataclass
class IdentityKey:
    """Name and email to pseudonym, kept beside the raw data and never in outputs.

    Pseudonyms are ``P001``, ``P002``, … . Existing assignments are reused
    (matched by email), so re-ingesting after adding people keeps everyone's
    pseudonym; new people get the next free number in register order.
    """

    rows: list[tuple[str, str, str]]  # (participant_id, name, email)
    path: Path

    def assign(self, people: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Return ``{email (folded): participant_id}`` for ``(name, email)`` pairs."""
        by_email = {_fold(email): pid for pid, _, email in self.rows}
        used = [int(pid[1:]) for pid, _, _ in self.rows if pid[1:].isdigit()]
        next_number = max(used, default=0) + 1
        for name, email in people:
            key = _fold(email)
            if key not in by_email:
                pid = f"P{next_number:03d}"
                next_number += 1
                by_email[key] = pid
                self.rows.append((pid, name, email))
        return by_email

    def save(self) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(KEY_COLUMNS)
        writer.writerows(sorted(self.rows))
        atomic_write_text(self.path, buffer.getvalue())


def read_identity_key(key_dir: Path) -> IdentityKey:
    """Read the identity key in ``key_dir`` (an empty key when there is none yet)."""
    path = Path(key_dir) / KEY_FILE
    if not path.is_file():
        return IdentityKey([], path)
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != KEY_COLUMNS:
                raise InputError(
                    path,
                    "line 1",
                    f"the header must be {','.join(KEY_COLUMNS)}",
                    "restore the key from backup, or move it away to start a new one",
                )
            rows = [(r["participant_id"], r["name"], r["email"]) for r in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(
            path, "", f"cannot read the identity key ({exc})", "check the file"
        ) from None
    return IdentityKey(rows, path)


class NameRedactor:
    """Replace known names in text with ``[name]`` in one pass of one compiled pattern.

    Multi-word names (``Jordan Lee``, ``Lee, Jordan``) match ignoring case; a
    surname after a title (``Ms Lee``) matches too. Single-word entries of the
    other-names list match case-sensitively, so that a name such as ``Hope``
    does not wipe out the word "hope".
    """

    def __init__(self, full_names: Iterable[str], other_names: Iterable[str] = ()) -> None:
        multi: set[str] = set()
        single: set[str] = set()
        surnames: set[str] = set()
        for name in [*full_names, *other_names]:
            name = " ".join(unicodedata.normalize("NFC", name).split())
            if not name:
                continue
            parts = name.split()
            if len(parts) == 1:
                single.add(name)
                continue
            multi.add(name)
            multi.add(f"{parts[-1]}, {' '.join(parts[:-1])}")
            surnames.add(parts[-1])
        alternatives = []
        if multi:
            alternatives.append("(?i:" + _trie_pattern(multi, fold=True) + ")")
        if surnames:
            alternatives.append(
                "(?:" + "|".join(TITLES) + r")\.?\s+(?i:" + _trie_pattern(surnames, fold=True) + ")"
            )
        if single:
            alternatives.append(_trie_pattern(single, fold=False))
        self._pattern = (
            # not inside a longer word, but a possessive 's still counts as the name
            re.compile(r"(?<![\w'’])(?:" + "|".join(alternatives) + r")(?!\w)(?!['’](?!s\b)\w)")
            if alternatives
            else None
        )

    def __call__(self, text: str) -> str:
        return self.redact(text)[0]

    def redact(self, text: str) -> tuple[str, int]:
        """Return the redacted text and how many names were replaced."""
        if self._pattern is None:
            return text, 0
        return self._pattern.subn(REDACTED, text)


def _trie_pattern(names: Iterable[str], *, fold: bool) -> str:
    """One regex alternation of ``names``, shaped as a prefix tree.

    Python's ``re`` tries the branches of ``a|b|c`` one by one at every position, so a
    flat list of thousands of names costs thousands of tries per character. As a tree
    it costs a few. Longer names still win: the branch that ends a name is optional and
    greedy, so the engine only settles for a shorter name when a longer one fails. A
    space matches any run of whitespace; with ``fold`` the tree merges letters that
    differ only in case (use it inside ``(?i:...)``).
    """
    tree: dict[str, dict] = {}
    for name in names:
        node = tree
        for char in name.lower() if fold else name:
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here

    def emit(node: dict[str, dict]) -> str:
        branches = [
            (r"\s+" if char == " " else re.escape(char)) + emit(child)
            for char, child in sorted(node.items())
            if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


@lru_cache(maxsize=1)
def first_name_list() -> frozenset[str]:
    """First names from Faker's offline per-locale lists, less everyday English words."""
    names: set[str] = set()
    for locale in _NAME_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:  # a locale a future Faker drops is not worth failing for
            continue
        for attribute in ("first_names", "first_names_male", "first_names_female"):
            value = getattr(provider, attribute, None)
            if value:  # a list, or a name -> weight mapping
                names.update(value)
    return frozenset(n for n in names if n.isalpha() and n not in _COMMON_WORDS)


_WORD = re.compile(r"(?<![\w\[])([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?![\w\]])")


def detect_first_names(text: str) -> list[str]:
    """Capitalised words in ``text`` that are on the first-name list, in order."""
    names = first_name_list()
    return [m.group(1) for m in _WORD.finditer(text) if m.group(1) in names]
