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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from evstudy.errors import InputError
from evstudy.files import atomic_write_text

__all__ = [
    "REDACTED",
    "IdentityKey",
    "NameDecisions",
    "NameRedactor",
    "canonical_display",
    "canonical_name",
    "detect_first_names",
    "first_name_list",
    "fold_accents",
    "is_ordinary_word",
    "nicknames_of",
    "read_identity_key",
    "word_key",
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
        # nicknames (of the ``nicknames`` package) that are everyday words too
        "Bell",
        "Beck",
        "Day",
        "Chick",
        "Dick",
        "Nanny",
        "Sis",
        "Hap",
        "Haps",
        "Char",
        "Midge",
        "Peg",
        "Madge",
        "Marge",
        "Rita",
        "Dot",
        "Win",
        "Nan",
        "Val",
        "Sal",
        "Bud",
        "Nat",
        "Van",
        "Gay",
        "Fanny",
        "Mike",
        "Ted",
        "Don",
        "Bob",
        "Jay",
    ]
)

# Diminutives common in Britain that the ``nicknames`` package (built from US sources)
# lacks: general usage, not any study's people.
_MORE_NICKNAMES: dict[str, tuple[str, ...]] = {
    "rebecca": ("bex", "becs"),
    "karen": ("kaz",),
    "gary": ("gaz",),
    "barry": ("baz",),
    "sharon": ("shaz",),
    "terry": ("tez",),
    "terence": ("tez",),
    "caroline": ("caz",),
    "nicola": ("nic", "nicky"),
    "mohammed": ("mo",),
    "muhammad": ("mo",),
    "mohammad": ("mo",),
}

# Accented Latin letters to their base letter, one character for one, so that spans found
# in the folded text are spans of the original.
_FOLD_TABLE: dict[int, str] = {}
for _cp in range(0xC0, 0x250):
    _base = "".join(
        c for c in unicodedata.normalize("NFD", chr(_cp)) if not unicodedata.combining(c)
    )
    if len(_base) == 1 and _base != chr(_cp):
        _FOLD_TABLE[_cp] = _base
_FOLD_TABLE.update({ord(a): b for a, b in zip("øØłŁđĐħĦ", "oOlLdDhH", strict=True)})
del _cp, _base
# Most text has no accented letter: one search tells, and spares the translation.
_FOLDABLE = re.compile("[" + "".join(map(chr, sorted(_FOLD_TABLE))) + "]")


def fold_accents(text: str) -> str:
    """``text`` in NFC with accents dropped from Latin letters (ë -> e, Ø -> O) and curly
    apostrophes made straight; the result is as long as the NFC text, letter for letter."""
    return _folded(unicodedata.normalize("NFC", text)).replace("’", "'").replace("‘", "'")


def word_key(word: str) -> str:
    """How a word is compared with a decision: accents folded, any case."""
    return " ".join(fold_accents(word).casefold().split())


def is_ordinary_word(name: str) -> bool:
    """Whether a first name or nickname is also an everyday word (Will, May, Grace), or so
    short (Ed, Al) that redacting it wherever it is capitalised would damage the text."""
    folded = fold_accents(name)
    return len(folded) <= 2 or folded.capitalize() in _COMMON_WORDS


@lru_cache(maxsize=1)
def _nicknamer() -> Any:
    from nicknames import NickNamer

    return NickNamer()


def nicknames_of(first_name: str) -> list[str]:
    """Common nicknames of a first name, capitalised, sorted (``Rebecca`` -> Becca, Beck,
    Becky, Becs, Bex, Reba): the ``nicknames`` package's curated list, plus a few British
    diminutives it lacks."""
    key = fold_accents(first_name).casefold()
    found = set(_nicknamer().nicknames_of(key)) | set(_MORE_NICKNAMES.get(key, ()))
    return sorted(n.capitalize() for n in found if n.isalpha() and n != key)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def canonical_name(name: str) -> str:
    """Fold a speaker or register name for matching.

    Case and spacing are ignored, a trailing ``(Organisation)`` is dropped and
    ``Surname, Firstname`` becomes ``firstname surname``, as Teams writes names.
    """
    return _fold(canonical_display(name))


def canonical_display(name: str) -> str:
    """A name as :func:`canonical_name` reads it, with its case kept: a trailing
    ``(Organisation)`` dropped and ``Surname, Firstname`` turned round."""
    name = re.sub(r"\s*\([^)]*\)\s*$", "", name.strip())
    if name.count(",") == 1:
        surname, first = (part.strip() for part in name.split(","))
        if surname and first and " " not in first:
            name = f"{first} {surname}"
    return name


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


@dataclass
class NameDecisions:
    """A researcher's decisions on words that may be names (``name_decisions.csv``).

    ``rules`` maps ``(word key, doc_id, turn)`` to ``"keep"`` or ``"redact"``; ``doc_id``
    ``"*"`` (with ``turn`` None) stands for every use of the word, and ``turn`` None for
    every turn of that document.
    """

    rules: dict[tuple[str, str, int | None], str]
    written: dict[str, str] = field(default_factory=dict)  # word key -> the word as written

    def decision(self, word: str, doc_id: str, turn: int | None) -> str | None:
        """The decision that applies to ``word`` in turn ``turn`` of ``doc_id``, if any."""
        key = word_key(word)
        for where in ((doc_id, turn), (doc_id, None), ("*", None)):
            found = self.rules.get((key, *where))
            if found:
                return found
        return None

    def everywhere(self, decision: str) -> list[str]:
        """The words decided ``decision`` for every use (doc_id ``*``), as written."""
        return sorted(
            self.written.get(w, w)
            for (w, doc, _), d in self.rules.items()
            if doc == "*" and d == decision
        )


# A space in a name stands for any whitespace, or a hyphen or dash with spaces around it or not.
_SEP = r"[\s\-‐‑–—]+"
# Not inside a longer word, but a possessive 's still counts as the name.
_BEFORE = r"(?<![\w'’])"
_AFTER = r"(?!\w)(?!['’](?!s\b)\w)"
# Initials that are also English words: "A Hall" is an article, "A. Hall" a name.
_WORD_INITIALS = frozenset("AI")


def _name_parts(name: str) -> list[str]:
    """Words of a name, accents folded, hyphens as spaces (``Smith-Jones`` -> Smith Jones)."""
    return re.sub(r"[-‐‑–—]", " ", fold_accents(name)).split()


class NameRedactor:
    """Replace known names in text with ``[name]`` in one pass of one compiled pattern.

    Text and names are compared in Unicode NFC with accents folded (``Zoe`` matches
    ``Zoë``, also when written decomposed). A space in a name also matches a hyphen
    (``Smith-Jones``, ``Smith Jones``). For each multi-word name it matches, ignoring
    case: the name, ``Surname, First``, the first name with each part of a multi-part
    surname (``Anna Smith``, ``Anna Jones``), and a title with the surname or a part of
    it (``Ms Jones``). Case-sensitively it matches an initial with the surname
    (``P. Shah``; ``A`` and ``I`` only with their full stop), a first name standing alone
    (``Priya's``) and common nicknames of it (``Bex`` for Rebecca), unless the first name
    or nickname is also an ordinary word (``Will``, ``May``): those are for
    :meth:`review_hits`, and a researcher's decision. Single-word entries of the
    other-names list, and words decided ``redact`` everywhere, match case-sensitively too,
    so that a name such as ``Hope`` does not wipe out the word "hope".
    """

    def __init__(
        self,
        full_names: Iterable[str],
        other_names: Iterable[str] = (),
        *,
        redact_words: Iterable[str] = (),
        _flat: bool = False,
    ) -> None:
        full_names, other_names = list(full_names), list(other_names)
        folded: set[str] = set()  # matched ignoring case
        surnames: set[str] = set()  # after a title, ignoring case
        exact: set[str] = set()  # matched as written
        review: set[str] = set()  # ordinary words: found, never redacted here
        firsts: set[str] = set()
        for name in [*full_names, *other_names]:
            parts = _name_parts(name)
            if not parts:
                continue
            if len(parts) == 2 and parts[0].rstrip(".") in TITLES:  # Cllr Hughes
                folded.add(" ".join(parts))
                surnames.add(parts[1])
                continue
            if len(parts) == 1:
                exact.add(parts[0])
                continue
            first, rest = parts[0], parts[1:]
            whole = " ".join(rest)
            pieces = [whole, *(p for p in rest if len(p) >= 2)] if len(rest) > 1 else [whole]
            folded.add(" ".join(parts))
            folded.add(f"{whole}, {first}")
            folded.update(f"{first} {p}" for p in pieces)
            surnames.update(pieces)
            initial = first[0].upper()
            for piece in pieces:
                if piece[:1].isupper():
                    exact.update({f"{initial}. {piece}", f"{initial}.{piece}"})
                    if initial not in _WORD_INITIALS:
                        exact.add(f"{initial} {piece}")
        for name in full_names:  # register people and the team: first names, nicknames
            parts = _name_parts(canonical_display(name))
            while len(parts) > 1 and parts[0].rstrip(".") in TITLES:
                parts = parts[1:]
            if len(parts) > 1:
                firsts.add(parts[0])
        for first in firsts:
            for word in [first, *nicknames_of(first)]:
                word = word[:1].upper() + word[1:]
                (review if is_ordinary_word(word) else exact).add(word)
        exact.update(fold_accents(w) for w in redact_words if w.strip())
        self.review_words = frozenset(review - exact)
        trie = _flat_pattern if _flat else _trie_pattern
        alternatives = []
        if folded:
            alternatives.append("(?i:" + trie(folded, fold=True) + ")")
        if surnames:
            alternatives.append(
                "(?:" + "|".join(TITLES) + r")\.?\s+(?i:" + trie(surnames, fold=True) + ")"
            )
        if exact:
            alternatives.append(trie(exact, fold=False))
        self._pattern = (
            re.compile(_BEFORE + "(?:" + "|".join(alternatives) + ")" + _AFTER)
            if alternatives
            else None
        )
        self._review = (
            re.compile(_BEFORE + "(?:" + trie(self.review_words, fold=False) + ")" + _AFTER)
            if self.review_words
            else None
        )

    def __call__(self, text: str) -> str:
        return self.redact(text)[0]

    def redact(self, text: str) -> tuple[str, int]:
        """Return the redacted text (in NFC) and how many names were replaced."""
        text = unicodedata.normalize("NFC", text)
        if self._pattern is None:
            return text, 0
        spans = [m.span() for m in self._pattern.finditer(_folded(text))]
        return _replace(text, spans), len(spans)

    def review_spans(self, text: str) -> list[tuple[int, int]]:
        """Where first names that are also ordinary words stand in ``text`` (NFC),
        capitalised as names."""
        if self._review is None:
            return []
        return [m.span() for m in self._review.finditer(_folded(text))]

    def review_hits(self, text: str) -> list[str]:
        """First names of the register (or nicknames of them) that are also ordinary words,
        capitalised as names in ``text``, in order (``Will``, ``May``)."""
        text = unicodedata.normalize("NFC", text)
        return [text[a:b] for a, b in self.review_spans(text)]

    def clean(
        self, text: str, *, doc_id: str, turn: int, decisions: NameDecisions | None = None
    ) -> tuple[str, list[tuple[str, str]], int]:
        """Redact one turn and apply the researcher's decisions to the words left to review.

        The words left to review are first names that are also ordinary words
        (:meth:`review_hits`) and any other capitalised first name (:func:`detect_first_names`).

        Returns
        -------
        tuple
            The text; the undecided words with a few words around each, ``(word,
            context)``; and how many words were kept by a decision.
        """
        text, _ = self.redact(text)
        spans = sorted(
            {*self.review_spans(text), *_first_name_spans(text)}, key=lambda s: (s[0], -s[1])
        )
        redact, undecided, kept, end = [], [], 0, -1
        for a, b in spans:
            if a < end:  # one word found twice
                continue
            end = b
            word = text[a:b]
            decision = decisions.decision(word, doc_id, turn) if decisions else None
            if decision == "redact":
                redact.append((a, b))
            elif decision == "keep":
                kept += 1
            else:
                undecided.append((word, _context(text, a, b)))
        return _replace(text, redact), undecided, kept


def _folded(text: str) -> str:
    return text.translate(_FOLD_TABLE) if _FOLDABLE.search(text) else text


def _replace(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    out, last = [], 0
    for a, b in spans:
        out += [text[last:a], REDACTED]
        last = b
    out.append(text[last:])
    return "".join(out)


def _context(text: str, start: int, end: int, words: int = 6) -> str:
    before = text[:start].split()[-words:]
    after = text[end:].split()[:words]
    return " ".join([*before, text[start:end], *after])


def _flat_pattern(names: Iterable[str], *, fold: bool) -> str:
    """The same names as :func:`_trie_pattern`, as a flat longest-first alternation."""
    unique = {n.lower() if fold else n for n in names}
    ordered = sorted(unique, key=lambda n: (-len(n), n))
    escape = lambda part: re.escape(part).replace("'", "['’]")  # noqa: E731
    return "(?:" + "|".join(_SEP.join(map(escape, n.split(" "))) for n in ordered) + ")"


def _trie_pattern(names: Iterable[str], *, fold: bool) -> str:
    """One regex alternation of ``names``, shaped as a prefix tree.

    Python's ``re`` tries the branches of ``a|b|c`` one by one at every position, so a
    flat list of thousands of names costs thousands of tries per character. As a tree
    it costs a few. Longer names still win: the branch that ends a name is optional and
    greedy, so the engine only settles for a shorter name when a longer one fails. A
    space matches any run of whitespace, or a hyphen; with ``fold`` the tree merges
    letters that differ only in case (use it inside ``(?i:...)``).
    """
    tree: dict[str, dict] = {}
    for name in names:
        node = tree
        for char in name.lower() if fold else name:
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here

    def emit(node: dict[str, dict]) -> str:
        branches = [
            (_SEP if char == " " else "['’]" if char == "'" else re.escape(char)) + emit(child)
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


def _first_name_spans(text: str) -> list[tuple[int, int]]:
    names = first_name_list()
    return [m.span(1) for m in _WORD.finditer(text) if m.group(1) in names]


def detect_first_names(text: str) -> list[str]:
    """Capitalised words in ``text`` that are on the first-name list, in order."""
    return [text[a:b] for a, b in _first_name_spans(text)]
