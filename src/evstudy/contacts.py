"""Contact details in free text: emails, UK phone numbers, postcodes and IP addresses.

Ingest passes every free-text field through :class:`TextRedactor` (contact details, then
names) before any table is written; the audit finds the same spellings in outputs with
:func:`find_contacts`. Each kind of contact detail becomes a placeholder:

============  ================  ===============================================
kind          placeholder       what is matched
============  ================  ===============================================
``email``     ``[email]``       ``jo.lee@council.gov.uk`` and spelt-out forms:
                                ``jo dot lee at council dot gov dot uk``,
                                ``jo.lee [at] council(dot)gov(dot)uk``, ``jo.lee AT
                                council DOT gov DOT uk``
``phone``     ``[phone]``       UK numbers: ``020 7946 0018``, ``(0161) 496 0000``,
                                ``07700 900123``, ``07700-900-123``,
                                ``+44 7700 900 123``, ``+44 (0)20 7946 0018``,
                                ``0044 20 7946 0018``
``postcode``  ``[postcode]``    UK postcodes: ``SW1A 1AA``, ``M1 1AE``, ``EC1A1BB``;
                                in lower case only with the space (``ls1 4ap``)
``ip``        ``[IP address]``  IPv4 and IPv6 addresses that are not version numbers
============  ================  ===============================================

A spelt-out email needs a domain that ends in a known top-level domain (``uk``, ``com``,
``org``...) after at least one dot, so that "look at the data" and "dot the i's" stay as
they are. A single-word local part before a bare "at" ("looked at gov.uk") is taken for
prose when it is a common word. A phone number must have the shape of a UK number (a
trunk ``0`` or ``+44``, then 10 or 11 digits in all, in groups of two or more), so years,
dates, times, money, percentages, counts, ranges and version numbers are left alone.

The register's own emails and phone numbers (``emails=`` and ``phones=``) are matched
more loosely still, because they are known: every separator of an address may be spelt,
bracketed, spaced or run together (``jodotleeatcouncildotgovdotuk``), and the digits of a
number may be split by any spaces, dots, dashes or brackets.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # privacy imports nothing from here; the annotations only name its types
    from evstudy.privacy import NameDecisions, NameRedactor

__all__ = [
    "PLACEHOLDERS",
    "ContactRedactor",
    "TextRedactor",
    "find_contacts",
    "find_ip_addresses",
    "known_email_pattern",
    "known_phone_pattern",
    "national_number",
]

PLACEHOLDERS = {
    "email": "[email]",
    "phone": "[phone]",
    "postcode": "[postcode]",
    "ip": "[IP address]",
}

# -- emails ---------------------------------------------------------------------------------

# Top-level domains a spelt-out address may end in (a literal "@" address may end in any).
_TLDS = (
    "uk|com|org|net|gov|ac|nhs|sch|police|edu|info|biz|io|co|eu|ie|scot|wales|cymru|"
    "london|int|me|us|ca|au|nz|de|fr|nl|es|it|in|online|email|mail"
)
_OPEN, _CLOSE = r"[\[\(\{<]", r"[\]\)\}>]"
_AT = (
    rf"(?:\s*[@＠]\s*|\s*{_OPEN}\s*(?i:at)\s*{_CLOSE}\s*|\s+(?:at|AT)\s+"
    r"|(?<=[a-z0-9])AT(?=[a-z0-9]))"
)
_DOT = rf"(?:\.|\s*{_OPEN}\s*(?i:dot)\s*{_CLOSE}\s*|\s+(?:dot|DOT)\s+|(?<=[a-z0-9])DOT(?=[a-z0-9]))"
_LOCAL_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9_%+'-]*[A-Za-z0-9])?"
_DOMAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
# A literal address: anything a mail client accepts, the usual way.
_PLAIN_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]+\s?[@＠]\s?(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,}(?![\w-])"
)
_SPELT_EMAIL = re.compile(
    rf"(?<![\w.@%+'-])(?P<local>{_LOCAL_LABEL}(?:{_DOT}{_LOCAL_LABEL})*)"
    rf"(?P<at>{_AT})"
    rf"(?P<domain>(?:{_DOMAIN_LABEL}{_DOT})+(?i:{_TLDS}))(?![\w-]|\.\w)"
)
_AT_ONLY = re.compile(_AT)
_DOMAIN = re.compile(rf"(?:{_DOMAIN_LABEL}{_DOT})+(?i:{_TLDS})(?![\w-]|\.\w)")
_DIGIT = re.compile(r"\d")
_LETTER_DIGIT = re.compile(r"[A-Za-z]\d")
_TLD_HINT = re.compile(rf"(?:\.|[dD][oO][tT]\W{{0,3}})(?i:{_TLDS})(?![\w-])")
# Words that stand before "at" in prose; "looked at gov.uk" is not an address.
_PROSE = frozenset(
    re.findall(
        r"\w+",
        """a an the i we you they he she it this that these those them us me him her our your
    their its there here what which who where when how and or but so then than as is are
    was were be been being am do does did done have has had get got look looks looked
    looking glance glanced stare stared point pointed aim aimed arrive arrived arriving
    based available online published posted found find work works worked working live
    lives lived stay stayed meet met start started starting end ended stop stopped good
    bad better best great well expert experts hard up down out back off on in over only
    just even all both each every some any more most less least also still not no yes
    information info guidance data details detail visit visited check checked
    go went going gone come came coming held hosted listed shown see seen""",
    )
)


def _is_email(match: re.Match[str]) -> bool:
    """Whether a spelt-out match is an address rather than prose with "at" and "dot"."""
    local, at = match.group("local"), match.group("at").strip()
    if at.casefold() != "at":  # "@", "[at]", "(at)" or a glued "AT"
        return True
    if re.search(_DOT, local):  # a dotted local part: "jo dot lee", "priya.shah"
        return True
    return local.casefold() not in _PROSE


# -- phone numbers --------------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+.,/£$€-])"
    r"(?:(?:\+|00)\s?44\s?(?:\(0\)\s?|0\s?)?\(?\d{1,5}\)?"  # +44 7700, +44 (0)20, 0044 20
    r"|\(?0\d{2,5}\)?)"  # 020, (0161), 07700
    r"(?:[ .\-]?\d{2,8}){1,4}"
    r"(?![\w%]|[.,]\d)"
)
_GROUP = re.compile(r"\d+")


def national_number(phone: str) -> str:
    """The digits of a UK phone number as dialled at home: ``+44 (0)20 7946 0018`` gives
    ``02079460018``. Other digit strings come back as their digits."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("44") and len(digits) >= 11:
        rest = digits[2:]
        digits = "0" + (rest[1:] if rest.startswith("0") else rest)
    return digits


def _uk_number(digits: str) -> bool:
    return len(digits) in (10, 11) and digits[0] == "0" and digits[1] != "0"


def _phone_end(text: str) -> int | None:
    """Where the phone number at the start of ``text`` ends; None when it is not one.

    The pattern may take a group too many ("020 7946 0018 2019"): trailing groups are
    dropped until the digits make a UK number.
    """
    groups = list(_GROUP.finditer(text))
    while groups:
        if _uk_number(national_number(text[: groups[-1].end()])):
            return groups[-1].end()
        groups.pop()
    return None


# -- postcodes ------------------------------------------------------------------------------

_POSTCODE = re.compile(
    r"(?<![\w£$€-])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}(?![\w-])"
    r"|(?<![\w£$€-])(?:[a-pr-uwyz][a-hk-y]?\d[a-z\d]?) \d(?!st|nd|rd|th)[abd-hjlnp-uw-z]{2}"
    r"(?![\w-])"
)

# -- IP addresses ---------------------------------------------------------------------------

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
# Four octets, not inside a longer dotted run (3.11.7.1.2) nor glued to a word (v1.2.3.4).
_IPV4 = re.compile(rf"(?<![\w.\-+@])({_OCTET}(?:\.{_OCTET}){{3}})(?![\w\-]|\.\w)")
_IPV6 = re.compile(
    r"(?<![\w:.])([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3})(?![\w:]|\.\w)"
)
# What a version number is written after: "Python 3.11.7.1", "version: 1.2.3.4", "==".
_VERSION_CUE = re.compile(
    r"(?i)(?:\b(?:v|ver|version|versions|python|release|build|rev|revision|kernel)|[=<>~!]=)"
    r"\W{0,3}$"
)
_LAST_WORD = re.compile(r"([A-Za-z][\w.\-]*)\W{0,4}$")


@lru_cache(maxsize=1)
def _distributions() -> frozenset[str]:
    from importlib import metadata

    names = {d.metadata["Name"] for d in metadata.distributions() if d.metadata["Name"]}
    return frozenset(re.sub(r"[-_.]+", "-", n).casefold() for n in names)


def _is_version(text: str, start: int, key: str) -> bool:
    if re.search(r"(?i)version|packages", key):
        return True
    before = text[max(0, start - 40) : start]
    if _VERSION_CUE.search(before):
        return True
    last = _LAST_WORD.search(before)
    return bool(last) and re.sub(r"[-_.]+", "-", last.group(1)).casefold() in _distributions()


def _ip_spans(text: str, key: str = "") -> list[tuple[int, int]]:
    spans = []
    if "." in text:
        for match in _IPV4.finditer(text):
            if not _is_version(text, match.start(), key):
                spans.append(match.span(1))
    if "::" in text or text.count(":") >= 7:
        for match in _IPV6.finditer(text):
            candidate = match.group(1)
            try:
                ipaddress.IPv6Address(candidate)
            except ValueError:
                continue
            groups = [g for g in re.split(r":+", candidate) if g]
            full = "::" not in candidate and candidate.count(":") == 7
            if full or (len(groups) >= 2 and any(len(g) >= 3 for g in groups)):
                spans.append(match.span(1))
    return spans


def find_ip_addresses(text: str, key: str = "") -> list[str]:
    """IPv4 and IPv6 addresses in ``text``, leaving out what reads as a version number.

    An IPv4 address is four octets 0-255 (no leading zeros) that are not part of a longer
    dotted run and not written after a version cue ("Python", "version", "==", a package
    name) or under a JSON key about versions or packages. An IPv6 address must parse, and
    either have eight groups or a "::" with two groups of which one has three or more hex
    digits, so that times (10:30:00) and slices (x[1::2]) are not taken for one.
    """
    return [text[start:end] for start, end in _ip_spans(text, key)]


# -- the register's own values --------------------------------------------------------------

_SPELT_SEPARATORS = {
    ".": "dot|period|point|full stop",
    "@": "at",
    "-": "dash|hyphen|minus",
    "_": "underscore",
}


def _separator(char: str) -> str:
    """Any spelling of one separator of a known address: the character, the word, bracketed
    or not, with or without spaces around it."""
    word = _SPELT_SEPARATORS.get(char)
    options = [re.escape(char)] + ["＠"] * (char == "@")
    if word:
        options += [rf"{_OPEN}\s*(?:{word})\s*{_CLOSE}", rf"(?:{word})"]
    return r"\s*(?:" + "|".join(options) + r")\s*"


def _email_atoms(email: str) -> tuple[str, ...] | None:
    """One register address as regex atoms: its letters, and each separator in any spelling
    (a separator of the local part may also be a plain space: "priya shah at ...")."""
    email = email.strip().casefold()
    if "@" not in email:
        return None
    at = email.rindex("@")
    atoms = []
    for i, char in enumerate(email):
        if char in _SPELT_SEPARATORS or char == "+":
            sep = _separator(char)
            atoms.append(rf"(?:{sep}|\s+)" if i < at else sep)
        else:
            atoms.append(re.escape(char))
    return tuple(atoms)


_GAP = r"[\s.\-()/]*"  # what may split the digits of a known number
_TRUNK = rf"(?:(?:\+|00){_GAP}4{_GAP}4{_GAP}(?:\(?0\)?{_GAP})?|\(?0{_GAP})"


def _phone_digits(phone: str) -> str | None:
    """A known number's digits after the trunk 0 (all of them for a number without one)."""
    digits = national_number(phone)
    if len(digits) < 7:
        return None
    return digits[1:] if digits.startswith("0") else "+" + digits


def _trie(sequences: Iterable[Iterable[str]]) -> str:
    """One regex for many sequences of regex atoms, shaped as a prefix tree, so that a
    hundred known values cost a few tries per character rather than a hundred."""
    tree: dict[str, dict] = {}
    for sequence in sequences:
        node = tree
        for atom in sequence:
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [atom + emit(child) for atom, child in sorted(node.items()) if atom]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


class _Known:
    """Known addresses: one prefix-tree pattern, tried only where a text holds a word that
    every spelling of one of them keeps (the longest word of its local part)."""

    def __init__(self, emails: Iterable[str]) -> None:
        emails = sorted({str(e).strip().casefold() for e in emails if e and "@" in str(e)})
        self.pattern = re.compile(
            r"(?i)(?<![\w.%+-])" + _trie(_email_atoms(e) for e in emails) + r"(?![\w-])"
        )
        words = {max(re.split(r"[^\w]|_", e.partition("@")[0]), key=len) for e in emails}
        self.hint = re.compile(_trie([re.escape(c) for c in w] for w in words if w))

    def finditer(self, text: str, *args: int) -> Iterator[re.Match[str]]:
        if self.hint.search(text.casefold()) is None:
            return iter(())
        return self.pattern.finditer(text, *args)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.pattern.fullmatch(text)


def _known_emails(emails: Iterable[str]) -> _Known | None:
    emails = [e for e in emails if e and "@" in str(e)]
    return _Known(emails) if emails else None


def _known_phones(phones: Iterable[str]) -> re.Pattern[str] | None:
    numbers = {d for d in (_phone_digits(str(p)) for p in phones if p) if d}
    national = [[d[0], *(_GAP + x for x in d[1:])] for d in numbers if d[0] != "+"]
    other = [[d[1], *(_GAP + x for x in d[2:])] for d in numbers if d[0] == "+"]
    branches = []
    if national:
        branches.append(_TRUNK + _trie(national))
    if other:
        branches.append(r"(?:\+" + _GAP + ")?" + _trie(other))
    if not branches:
        return None
    return re.compile(r"(?<![\d+])(?:" + "|".join(branches) + r")(?!\d)")


def known_email_pattern(email: str) -> _Known | None:
    """A pattern that matches ``email`` in every spelling (None when it is not an address)."""
    return _known_emails([email])


def known_phone_pattern(phone: str) -> re.Pattern[str] | None:
    """A pattern that matches ``phone`` with its digits split in any way (None when it has
    fewer than seven digits)."""
    return _known_phones([phone])


# -- redaction ------------------------------------------------------------------------------


class ContactRedactor:
    """Replace contact details in text with placeholders (see :data:`PLACEHOLDERS`).

    Parameters
    ----------
    emails : iterable of str, optional
        Known addresses (the register's, the identity key's): matched in every spelling,
        even those the general pattern leaves alone.
    phones : iterable of str, optional
        Known phone numbers: matched with their digits split in any way.

    Examples
    --------
    >>> redact = ContactRedactor()
    >>> redact("Ring 020 7946 0018 or write to jo dot lee at council dot gov dot uk.")
    'Ring [phone] or write to [email].'
    >>> redact("We looked at the data in 2019-2020: 45% of £1,200,000.")
    'We looked at the data in 2019-2020: 45% of £1,200,000.'
    """

    def __init__(self, *, emails: Iterable[str] = (), phones: Iterable[str] = ()) -> None:
        self._emails = _known_emails(emails)
        self._phones = _known_phones(phones)

    def __call__(self, text: str) -> str:
        return self.redact(text)[0]

    def spans(self, text: str, key: str = "") -> list[tuple[str, int, int]]:
        """(kind, start, end) of each contact detail in ``text``, in order, not overlapping.

        ``key`` is where the text comes from (a JSON key): under one about versions or
        packages, dotted quads are version numbers, not IP addresses.
        """
        return sorted(_spans(text, self._emails, self._phones, key), key=lambda f: f[1])

    def redact(self, text: str) -> tuple[str, Counter[str]]:
        """Return the redacted text and how many of each kind were replaced."""
        counts: Counter[str] = Counter()
        if not text:
            return text, counts
        for kind, start, end in _spans(text, self._emails, self._phones):
            text = text[:start] + PLACEHOLDERS[kind] + text[end:]
            counts[kind] += 1
        return text, counts


def _spans(
    text: str,
    known_emails: _Known | None = None,
    known_phones: re.Pattern[str] | None = None,
    key: str = "",
) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every contact detail in ``text``, last first, not overlapping."""
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append((kind, start, end))

    if known_emails is not None:
        for m in known_emails.finditer(text):
            add("email", *m.span())
    # Most "at"s are prose: only where a domain follows one is an address looked for, and
    # only in a text that has something like ".uk" or "dot com" at all.
    ats = _AT_ONLY.finditer(text) if _TLD_HINT.search(text) else ()
    for at in ats:
        domain = _DOMAIN.match(text, at.end())
        if domain is None:
            continue
        window = max(0, at.start() - 200)
        for m in _SPELT_EMAIL.finditer(text, window, domain.end()):
            if m.end() == domain.end() and _is_email(m):
                add("email", *m.span())
    # After the spelt-out forms, which may reach further left ("jo dot lee@...").
    if "@" in text or "＠" in text:
        for m in _PLAIN_EMAIL.finditer(text):
            add("email", *m.span())
    if _DIGIT.search(text) is None:  # phones, postcodes and IP addresses all have digits
        return sorted(found, key=lambda f: f[1], reverse=True)
    for start, end in _ip_spans(text, key):
        add("ip", start, end)
    if known_phones is not None:
        for m in known_phones.finditer(text):
            add("phone", *m.span())
    for m in _PHONE.finditer(text):
        end = _phone_end(m.group())
        if end is not None:
            add("phone", m.start(), m.start() + end)
    for m in _POSTCODE.finditer(text) if _LETTER_DIGIT.search(text) else ():
        add("postcode", *m.span())
    return sorted(found, key=lambda f: f[1], reverse=True)


def find_contacts(
    text: str, *, emails: Iterable[str] = (), phones: Iterable[str] = ()
) -> Iterator[tuple[str, str]]:
    """(kind, the text found) for each contact detail in ``text``, in order.

    ``kind`` is a key of :data:`PLACEHOLDERS`; ``emails`` and ``phones`` are known values
    matched in every spelling, as :class:`ContactRedactor` matches them.
    """
    for kind, start, end in ContactRedactor(emails=emails, phones=phones).spans(text):
        yield kind, text[start:end]


class TextRedactor:
    """Every free-text field's way out of ingest: contact details, then names.

    Contact details go first, so that an address or number is replaced whole before a
    name inside it ("priya.shah at ...") could be.

    Parameters
    ----------
    names : NameRedactor
        The name redactor (:class:`evstudy.privacy.NameRedactor`).
    contacts : ContactRedactor
        The contact-detail redactor, with the register's emails and phone numbers.
    """

    def __init__(self, names: NameRedactor, contacts: ContactRedactor) -> None:
        self.names = names
        self.contacts = contacts

    def __call__(self, text: str) -> str:
        return self.names(self.contacts(text))

    def clean(
        self, text: str, *, doc_id: str, turn: int, decisions: NameDecisions | None = None
    ) -> tuple[str, list[tuple[str, str]], int]:
        """As :meth:`evstudy.privacy.NameRedactor.clean`, contact details redacted first."""
        return self.names.clean(self.contacts(text), doc_id=doc_id, turn=turn, decisions=decisions)
