"""Identifiers in output text: register names, emails and phones, other names, any email
address, phone number, postcode or IP address (found as :mod:`evstudy.contacts` finds them
for ingest to redact), and participant pseudonyms in published files.

Names are matched on words, not characters: the text is split into casefolded words once
and every run of as many words as a name form has is looked up among the forms (so case and
spacing never matter, and hundreds of names cost one pass). A finding names the register row or
the list entry, never the name itself, so the audit's own output leaks nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from evstudy.contacts import (
    ContactRedactor,
    find_ip_addresses,
    known_email_pattern,
    known_phone_pattern,
    national_number,
)
from evstudy.privacy import (
    TITLES,
    canonical_display,
    canonical_name,
    fold_accents,
    is_ordinary_word,
    nicknames_of,
)

__all__ = ["Identifiers", "build_identifiers", "find_ip_addresses", "tokens"]

_WORD = re.compile(r"\w+(?:'\w+)*")
_PSEUDONYM = re.compile(r"\b[PR]\d{2,}\b")
# A capitalised word (in accent-folded text): a first name standing alone, or a surname.
_CAPITAL = re.compile(r"(?<![\w'\[])[A-Z]\w*")
# An initial and a surname: "P. Shah", "P.Shah", "P Shah".
_INITIAL = re.compile(r"(?<![\w'.])([A-Z])(\.\s*|\s+)([A-Z]\w*)")
# Initials that are also English words: "A Hall" is an article, "A. Hall" a name.
_WORD_INITIALS = frozenset("AI")

WHY = {
    "register_name": "participants' names never leave ingest; a name in an output breaks the "
    "confidentiality the protocol promised",
    "register_email": "a participant's email address identifies them directly",
    "register_phone": "a participant's phone number identifies them directly",
    "other_name": "people mentioned in passing (colleagues, councillors, providers) are "
    "redacted with the register's names",
    "email": "an email address is personal data and identifies a person or their organisation",
    "phone": "a phone number is personal data; ingest redacts every one it finds",
    "postcode": "a postcode narrows a person down to a few streets; ingest redacts them",
    "ip": "an IP address is personal data under GDPR (SmartSurvey exports it; ingest drops it)",
    "undecided_name": "a first name that is also an ordinary word stays only where a researcher "
    "decided keep in name_decisions.csv; here it stands where ingest left it undecided",
    "pseudonym": "a pseudonym beside published words lets readers link quotes, and combine "
    "coarse and fine attributions into one that identifies the speaker",
}


def _fold(text: str) -> str:
    return fold_accents(text).casefold()


def tokens(text: str) -> list[str]:
    """Casefolded words of ``text`` in NFC, accents folded (``Zoë`` -> ``zoe``), apostrophes
    inside a word kept and curly ones made straight."""
    return _WORD.findall(_fold(text))


_WHAT = {
    "email": "an email address",
    "phone": "a phone number",
    "postcode": "a postcode",
    "ip": "an IP address",
}


def _spans(text: str) -> list[tuple[str, int, int]]:
    """(casefolded word, start, end) of each word of accent-folded ``text``."""
    return [(m.group().casefold(), m.start(), m.end()) for m in _WORD.finditer(text)]


def _mask(kind: str, found: str) -> str:
    """Enough of a contact detail to find it again, not enough to use it."""
    if kind == "email":
        at = re.search(r"\s*(?:[@＠]|[\[\(\{<]\s*at\s*[\]\)\}>]|\s(?i:at)\s|AT)\s*", found)
        if at:
            return f"{found[:1]}…{found[at.start() :]}"
        return f"{found[:1]}…"
    return f"{found[:3]}…" if kind == "phone" else f"{found.split()[0][:2]}…"


@dataclass
class Identifiers:
    """What identifies a person in this study, from the raw register and the other-names list.

    ``names`` maps word tuples (full name; first name and surname, or each part of a
    multi-part surname; surname and first name; title and surname, or a part of it) to a
    description of where the name comes from; words are compared casefolded with accents
    folded, and a hyphen parts words as a space does. Matched as written: single-word
    entries of the other-names list (as ingest redacts them); ``alone``, a register first
    name or a common nickname of it, capitalised, unless it is also an ordinary word; and
    ``initials``, an initial and a surname (``P. Shah``; ``A`` and ``I`` only with a full
    stop). ``review`` holds the contexts in which ingest left an ordinary-word first name
    (``Will``) undecided: see :meth:`add_review`.
    """

    names: dict[tuple[str, ...], str] = field(default_factory=dict)
    exact: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)
    pseudonyms: set[str] = field(default_factory=set)
    lengths: list[int] = field(default_factory=list)  # word counts of the name forms
    firsts: set[str] = field(default_factory=set)  # first words of the name forms
    phones_raw: dict[str, str] = field(default_factory=dict)  # as the register writes them
    _finder: tuple[tuple[int, int], ContactRedactor] | None = field(
        default=None, repr=False, compare=False
    )
    alone: dict[str, str] = field(default_factory=dict)  # capitalised first names, nicknames
    initials: dict[tuple[str, str], str] = field(default_factory=dict)  # (P, shah)
    ordinary: dict[str, str] = field(default_factory=dict)  # ordinary-word first names
    review: set[tuple[str, ...]] = field(default_factory=set)  # their undecided contexts
    # The report's declared authors (study.yml ``report: authors``), as written: published
    # on purpose, so not a leak wherever they appear.
    allowed: list[re.Pattern] = field(default_factory=list)

    def allow(self, names: Iterable[str]) -> None:
        """Let these names through (the report's declared authors): each as written, in any
        case, spacing or accents; a part of one on its own is still looked for."""
        for name in names:
            words = fold_accents(str(name)).split()
            if words:
                pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)"
                self.allowed.append(re.compile(pattern, re.IGNORECASE))

    def add_name(self, name: str, source: str, kind: str) -> None:
        words = tokens(canonical_name(name))
        titles = {t.casefold() for t in TITLES}
        while len(words) > 1 and words[0] in titles:
            words = words[1:]
        if len(words) == 1:
            if kind == "other_name":
                self.exact[name.strip()] = source
            return
        first, rest = words[0], words[1:]
        parts = [p for p in rest if len(p) >= 2] if len(rest) > 1 else []
        forms = {tuple(words), (first, words[-1]), (words[-1], first)}
        forms |= {(first, part) for part in parts}
        forms |= {(title, surname) for title in titles for surname in [words[-1], *parts]}
        forms |= {(title, *rest) for title in titles}
        for form in forms:
            self.names.setdefault(form, f"{kind}:{source}")
            self.firsts.add(form[0])
        self.lengths = sorted({len(form) for form in self.names}, reverse=True)
        for surname in {rest[0], *parts}:
            self.initials.setdefault((first[0].upper(), surname), f"{kind}:{source}")
        if kind != "register_name":
            return
        written = fold_accents(canonical_display(name)).split()
        while len(written) > 1 and written[0].rstrip(".").casefold() in titles:
            written = written[1:]
        written_first = re.split(r"[-‐‑–—]", written[0])[0] if written else ""
        if not written_first:
            return
        for word in [written_first, *nicknames_of(written_first)]:
            word = word[:1].upper() + word[1:]
            target = self.ordinary if is_ordinary_word(word) else self.alone
            target.setdefault(word, f"{kind}:{source}")

    def add_review(self, text: str, *, kept: Callable[[str], bool] = lambda word: False) -> None:
        """Note where ``text`` (a processed turn) holds an ordinary-word first name that no
        decision kept (``kept(word)`` says whether one did): the two words either side of
        each such use, so that the same words found in an output are a finding."""
        if not self.ordinary:
            return
        folded = fold_accents(text)
        words = _spans(folded)
        for i, (_, start, end) in enumerate(words):
            word = folded[start:end]
            if word in self.ordinary and not kept(text[start:end]):
                self.review |= set(_contexts(words, i))

    def add_phone(self, phone: str, source: str) -> None:
        digits = national_number(phone)
        if len(digits) >= 7:
            self.phones[digits] = source
            self.phones_raw[phone] = source

    def find(self, text: str, key: str = "") -> Iterator[tuple[str, str, str]]:
        """(kind, what was found, why) for each identifier in ``text``."""
        contacts = self._contacts()
        spans = contacts.spans(text, key)
        for kind, start, end in spans:
            if kind in ("email", "phone"):
                source = self._register_source(kind, text[start:end])
                if source:
                    yield (
                        f"register_{kind}",
                        f"the {_WHAT[kind].split(' ', 1)[1]} of {source}",
                        WHY[f"register_{kind}"],
                    )
                    continue
            what = text[start:end] if kind == "ip" else _mask(kind, text[start:end])
            yield kind, f"{_WHAT[kind]} ({what})", WHY[kind]
        # A contact detail is one finding, not also a name.
        for _, start, end in reversed(spans):
            text = text[:start] + " " + text[end:]
        if self.allowed:
            # Found in the folded text, blanked in the text: the two are letter for letter.
            text = unicodedata.normalize("NFC", text)
            folded = fold_accents(text)
            for pattern in self.allowed:
                for match in reversed(list(pattern.finditer(folded))):
                    start, end = match.span()
                    text = text[:start] + " " * (end - start) + text[end:]
        if self.names or self.alone or self.ordinary:
            folded = fold_accents(text)
            words = _spans(folded)
            taken: list[tuple[int, int]] = []  # what a longer form found already
            # Most words start no name: only those that do are looked up further.
            for i in [i for i, (word, _, _) in enumerate(words) if word in self.firsts]:
                for n in self.lengths:
                    hit = self.names.get(tuple(w for w, _, _ in words[i : i + n]))
                    if hit and len(words[i : i + n]) == n:
                        taken.append((words[i][1], words[i + n - 1][2]))
                        yield _name_finding(hit)
                        break
            inside = lambda at: any(a <= at < b for a, b in taken)  # noqa: E731
            for match in _INITIAL.finditer(folded):
                initial, gap, surname = match.groups()
                if ("." not in gap and initial in _WORD_INITIALS) or inside(match.start(3)):
                    continue
                hit = self.initials.get((initial, surname.casefold()))
                if hit:
                    taken.append(match.span())
                    yield _name_finding(hit)
            if self.alone:
                for match in _CAPITAL.finditer(folded):
                    hit = self.alone.get(match.group())
                    if hit and not inside(match.start()):
                        yield _name_finding(hit)
            if self.review:
                for i, (_, start, end) in enumerate(words):
                    word = folded[start:end]
                    if word in self.ordinary and self.review & set(_contexts(words, i)):
                        source = self.ordinary[word].split(":", 1)[1]
                        yield (
                            "undecided_name",
                            f"a first name in the register that is also an ordinary word, "
                            f"with no decision to keep it ({source})",
                            WHY["undecided_name"],
                        )
        if self.exact:
            for word in set(_WORD.findall(unicodedata.normalize("NFC", text))) & self.exact.keys():
                yield "other_name", f"a name from {self.exact[word]}", WHY["other_name"]

    def _contacts(self) -> ContactRedactor:
        """The contact-detail finder, with this study's emails and phones (built once)."""
        key = (len(self.emails), len(self.phones))
        if self._finder is None or self._finder[0] != key:
            self._finder = (key, ContactRedactor(emails=self.emails, phones=self.phones_raw))
        return self._finder[1]

    def _register_source(self, kind: str, found: str) -> str | None:
        """The register row whose email or phone ``found`` is, in whatever spelling."""
        if kind == "phone":
            digits = national_number(found)
            for phone, source in self.phones.items():
                if phone in digits:
                    return source
            values = self.phones_raw
        else:
            values = self.emails
        for value, source in values.items():
            pattern = (known_email_pattern if kind == "email" else known_phone_pattern)(value)
            if pattern is not None and pattern.fullmatch(found.strip()):
                return source
        return None

    def find_pseudonyms(self, text: str) -> Iterator[tuple[str, str, str]]:
        """Participant and respondent pseudonyms in ``text`` (for published files)."""
        for match in set(_PSEUDONYM.findall(text)) & self.pseudonyms:
            yield "pseudonym", f"the pseudonym {match}", WHY["pseudonym"]


def _name_finding(hit: str) -> tuple[str, str, str]:
    kind, source = hit.split(":", 1)
    return kind, f"{_NAME_WHAT[kind]} ({source})", WHY[kind]


def _contexts(words: list[tuple[str, int, int]], i: int) -> list[tuple[str, ...]]:
    """The word at ``i`` with the two words before it, and with the two after it."""
    word = words[i][0]
    before = tuple(w for w, _, _ in words[max(0, i - 2) : i])
    after = tuple(w for w, _, _ in words[i + 1 : i + 3])
    return [(*before, word, "<"), (">", word, *after)]


_NAME_WHAT = {
    "register_name": "a name in the register",
    "other_name": "a name on the other-names list",
}


def build_identifiers(
    register: Iterable[dict], other_names: list[str], *, register_file: str, other_file: str
) -> Identifiers:
    """Identifiers from register rows (``name, email, phone, row``) and the other-names list."""
    found = Identifiers()
    for person in register:
        source = f"{register_file} row {person['row']}"
        found.add_name(str(person["name"]), source, "register_name")
        if person.get("email"):
            found.emails[str(person["email"]).casefold()] = source
        if person.get("phone"):
            found.add_phone(str(person["phone"]), source)
    for i, name in enumerate(other_names, 1):
        found.add_name(name, f"{other_file}, entry {i}", "other_name")
    return found
