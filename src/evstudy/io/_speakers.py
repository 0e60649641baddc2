"""Who is speaking: the line patterns of every transcript layout and speaker resolution.

Shared by all layouts: a label is matched against the known speakers (register and team)
when they are given, and judged by its shape when they are not.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


def _wordset(text: str) -> frozenset[str]:
    return frozenset(word.replace("_", " ") for word in text.split())


_TS = r"\d{1,2}(?::\d{2}){1,2}(?:\.\d{1,3})?"
_OLD_TS = r"\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d{1,3})?"
_ARROW = re.compile(rf"^(?P<a>{_OLD_TS})\s*-->\s*(?P<b>{_OLD_TS})$")
_TEAMS = re.compile(rf"^(?P<name>\S.*?)(?:\t\s*|\s{{2,}})(?P<ts>{_TS})$")
_TS_PREFIX = re.compile(rf"^[\[(]?(?P<ts>{_TS})[\])]?\s*(?:[-–—]\s*)?(?=\S)")
_LABEL = re.compile(r"^(?P<label>[^:]{1,60}?)\s*:(?:\s+|$)(?P<text>.*)$")
_LABEL_TS = re.compile(
    rf"^(?P<label>[^:\[\]()]{{1,60}}?)\s*[\[(](?P<ts>{_TS})[\])]\s*:?(?:\s+|$)(?P<text>.*)$"
)
_ABBR = r"[A-Z]{1,3}\d{0,2}"
_SEP = r"(?:\s*[–—=:]|\s*-(?=\s|[A-Z(])|\t)"
_LEGEND = re.compile(rf"^(?P<abbr>{_ABBR}){_SEP}\s*(?P<who>.*)$")
# A label in brackets needs no dash after it: "[I] text", "(EX) – text".
_LABEL_HEAD = rf"(?P<open>[\[(])?(?P<abbr>{_ABBR})(?(open)[\])]\s*(?:[–—=:-]\s*)?|{_SEP}\s*)"
_ENTRY_FIRST = re.compile(rf"^{_LABEL_HEAD}")
# Later entries on one legend line: after a bracket, or after two spaces, a tab, ; , or |.
_ENTRY_NEXT = re.compile(
    rf"(?:\s*[;,|]\s*|\s{{2,}}|\t|\s(?=[\[(]))(?P<open>[\[(])?(?P<abbr>{_ABBR})"
    rf"(?(open)[\])]\s*(?:[–—=:-]\s*)?|{_SEP}\s*)"
)
# Capitals that start sentences: a label only when in brackets.
_NOT_LABELS = frozenset({"I", "A", "OK", "NO", "SO", "OH", "AH", "UM", "ER"})
_BULLET = re.compile(r"^(?:[-–—•*·▪◦‣⁃○●■□➢►>]\s*|\d{1,2}[.)]\s+|[a-z][.)]\s+)\S")
_HEADING = re.compile(r"^(?P<label>[^:]{1,80}?)\s*:$")
_KEY_LINE = re.compile(r"^(?:key|legend|speakers|speaker key|abbreviations)\s*:?$", re.I)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE_LINE = re.compile(
    rf"^(?=.*\b(?:{_MONTHS})\b)(?=.*\b\d{{4}}\b).{{0,60}}$|^\d{{4}}-\d{{2}}-\d{{2}}\b.{{0,30}}$",
    re.I,
)
_DURATION = re.compile(
    r"^(?=.*\d)(?:\d+\s*h(?:ours?|rs?)?\s*)?(?:\d+\s*m(?:in(?:ute)?s?)?\s*)?"
    r"(?:\d+\s*s(?:ec(?:ond)?s?)?)?$",
    re.I,
)
_TRANSCRIPTION = re.compile(r"^.{1,80}?\s(?:started|stopped) transcription\.?$", re.I)
_HEADER = re.compile(r"^(?P<key>[A-Za-z][A-Za-z /()-]{0,30}?)\s*:\s*(?P<value>.*)$")
# Multi-word keys are written with underscores here only to keep the lists short.
_HEADER_KEYS = _wordset(
    """date time venue location duration length site participants attendees present title
    meeting_title transcript recording project method group focus_group local_authority
    organisation transcribed_by interview_date date_of_interview"""
)
# Keys that are also speaker labels: a header only when the value is a list of names.
_ROLE_KEYS = _wordset(
    """interviewer interviewers facilitator facilitators co-facilitator moderator interviewee
    respondent participant note_taker note-taker notetaker"""
)
_ROLE = re.compile(
    r"^(?:co-?|lead |second |assistant |senior )?(?:interviewer|interviewee|respondent|"
    r"participant|facilitator|moderator|researcher|note[- ]?taker|observer|chair|speaker|"
    r"unknown(?: speaker)?|inaudible|all|everyone|group|several|multiple(?: speakers)?|"
    r"various)s?(?:\s*\d+)?$",
    re.I,
)
_ROLE_ANYWHERE = re.compile(
    r"\b(?:interviewer|interviewee|respondent|participant|facilitator|moderator|researcher|"
    r"note[- ]?taker|observer|expert|client)s?\b",
    re.I,
)
# Roles a legend entry can name instead of a person. The research team's roles resolve to the
# team member who ran the document; the others to the document's one participant.
_TEAM_ROLES = frozenset(
    [
        "interviewer",
        "facilitator",
        "cofacilitator",
        "moderator",
        "researcher",
        "notetaker",
        "observer",
        "chair",
        "evaluator",
    ]
)
_PARTICIPANT_ROLES = frozenset(
    [
        "interviewee",
        "respondent",
        "participant",
        "expert",
        "client",
        "customer",
        "patient",
        "member",
        "stakeholder",
        "practitioner",
        "professional",
        "guest",
        "attendee",
        "informant",
        "serviceuser",
    ]
)
_ROLE_ONLY = re.compile(
    r"^(?:(?:the|lead|main|second|senior|assistant|co)[- ]?)?(?P<word>[a-z][a-z -]{1,30}?)"
    r"(?:s)?(?:\s*\d+)?$",
    re.I,
)
# Words that start sentences (or greetings) but never a speaker's name: "Also: ...".
_NOT_NAMES = _wordset(
    """also and but so note nb example eg e.g. ie i.e. yes yeah yep no nope well okay ok then
    now first firstly second secondly third thirdly finally because basically actually
    honestly anyway plus again sure exactly absolutely definitely obviously great good lovely
    brilliant perfect fine the this that these those there here what why how when where which
    who it its we our they their you your my in on at for to with if quote summary update
    action actions agenda item hmm um er erm oh ah like just really not all some one two three
    both each every any is are was do does did can could would should maybe perhaps however
    therefore otherwise instead overall generally personally interestingly importantly key
    point points issue problem challenge challenges barrier barriers hi hello thanks thank
    welcome morning afternoon right"""
)
_PARTICLES = _wordset("de da di del della van von der den la le du of bin al y e")
_WORD = re.compile(r"^[\w'’.\-]+$")


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _tidy(line: str) -> str:
    """NFC, without zero-width spaces or stray byte-order marks, trimmed."""
    line = unicodedata.normalize("NFC", line)
    return line.replace("\u200b", "").replace("\ufeff", "").strip()


def _seconds(ts: str) -> float:
    """``m:ss``, ``h:mm:ss`` or ``h:m:s.fff`` as seconds (via whole milliseconds, so exact)."""
    whole, _, frac = ts.partition(".")
    total = 0
    for part in whole.split(":"):
        total = total * 60 + int(part)
    return (total * 1000 + int(frac.ljust(3, "0") or 0)) / 1000


def _is_title(line: str) -> bool:
    """A Teams title-block line: a date, a duration or "... started transcription"."""
    return bool(_DATE_LINE.match(line) or _DURATION.match(line) or _TRANSCRIPTION.match(line))


def _is_role(text: str) -> bool:
    return bool(_ROLE.match(_collapse(text.strip(" .,;:-–—"))))


def _name_shaped(label: str) -> bool:
    """Whether a label looks like a person's name (or ``Participant 3``, ``P1``, ``Dr Lee``)."""
    label = _collapse(label)
    if not label or len(label) > 60 or re.search(r"[?!;\"“”<>{}\[\]=*#@|\\]|http", label):
        return False
    core = re.sub(r"\([^()]*\)", " ", label)  # Teams "(Guest)", Zoom "(she/her)"
    if "(" in core or ")" in core:
        return False
    words = core.replace(",", " ").split()
    if not words or len(words) > 5 or words[0].casefold() in _NOT_NAMES:
        return False
    if not words[0][0].isalpha():
        return False
    for word in words:
        if word.casefold() in _PARTICLES:
            continue
        first = word[0]
        # Caseless scripts have letters that are neither upper nor lower case.
        if not (first.isdigit() or (first.isalpha() and not first.islower())):
            return False
        if not _WORD.match(word) or (word.endswith(".") and len(word) > 4):
            return False
    return True


def _loose_label(label: str) -> str | None:
    """A label that could be a name written loosely (``jordan lee``): counted, not trusted."""
    label = _collapse(label)
    words = label.split()
    if (
        not words
        or len(words) > 6
        or len(label) > 60
        or not (label[0].isalpha() or label[0] == "(")
        or words[0].casefold() in _NOT_NAMES
        or re.search(r"[?!;\"“”]|http", label)
        or label[-1] in ".,"
    ):
        return None
    return label.casefold()


def _legend_shaped(who: str) -> bool:
    """Whether the text after a legend abbreviation says who it is (not a spoken sentence)."""
    who = _collapse(who)
    if not who or len(who.split()) > 15 or who.endswith("?"):
        return False
    if _ROLE_ANYWHERE.search(who) or "(" in who:
        return True
    return _name_shaped(re.split(r"\s*(?:,|\s[–—-]\s)", who, maxsplit=1)[0])


def _role_key(text: str) -> str:
    """A role as one folded word: "Note-taker" -> "notetaker", "Interviewers" -> "interviewer"."""
    key = re.sub(r"[\s-]", "", _collapse(text).casefold())
    return key[:-1] if key.endswith("s") and key[:-1] in _TEAM_ROLES | _PARTICIPANT_ROLES else key


def _role_only(who: str, team_roles: Iterable[str] = ()) -> tuple[str, str] | None:
    """("team" or "participant", role) when a legend entry names a role and no person."""
    who = _collapse(who).strip(" .,;:-–—")
    m = _ROLE_ONLY.match(who)
    if not m:
        return None
    key = _role_key(m["word"])
    if key in _TEAM_ROLES or key in {_role_key(r) for r in team_roles}:
        return "team", key
    if key in _PARTICIPANT_ROLES:
        return "participant", key
    return None


def _legend_entries(line: str) -> list[tuple[str, str]] | None:
    """A legend line's entries as (abbreviation, who), or None when it is not a legend line.

    One entry (``I – Interviewer (Alex Morgan)``) or several on one line
    (``[I] – Interviewer    [C] - Client``), with or without brackets around the labels.
    """
    first = _ENTRY_FIRST.match(line)
    if not first:
        return None
    starts = [first]
    pos = first.end()
    while m := _ENTRY_NEXT.search(line, pos):
        starts.append(m)
        pos = m.end()
    entries: list[tuple[str, str]] = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(line)
        who = line[m.end() : end].strip(" ;,|")
        if not _legend_shaped(who):
            if i == 0:
                return None
            # "Jordan Lee, Head of Service  (NB: joined late)": not a second entry.
            abbr, _ = entries.pop()
            entries.append((abbr, _collapse(line[starts[i - 1].end() : end])))
            starts[i] = starts[i - 1]
            continue
        entries.append((m["abbr"], _collapse(who)))
    if len({abbr for abbr, _ in entries}) != len(entries):
        return None
    return entries


def _legend_name(who: str) -> str:
    """The person a legend entry names, without known speakers to match against."""
    who = _collapse(who)
    before = re.split(r"\s*(?:[,(]|\s[–—-]\s)", who, maxsplit=1)[0].strip(" -–—")
    if before and not _is_role(before) and not _role_only(before):
        return before
    paren = re.search(r"\(([^()]*)\)", who)
    if paren and paren[1].strip() and not _is_role(paren[1]) and not _role_only(paren[1]):
        return _legend_name(paren[1])  # "(Jordan Lee, Head of Service)" -> "Jordan Lee"
    # "Respondent, Jordan Lee" or "Interviewer – Alex Morgan"
    for part in re.split(r"\s*(?:,|\s[–—-]\s)\s*", who)[1:]:
        if _name_shaped(part) and not _is_role(part):
            return _collapse(part)
    return before or who


def _words_pattern(name: str) -> str:
    return r"\s+".join(re.escape(word) for word in name.split())


_FIRST_RUN = re.compile(r"\w+")
_WORD_START = re.compile(r"(?<!\w)\w+")


@lru_cache(maxsize=2**16)
def _known_pattern(kind: str, name: str) -> re.Pattern[str]:
    """One known name compiled for one place it can appear; compiled once per process.

    A study has thousands of speakers, so compiling every name for every transcript
    would cost far more than reading them; only names a line could start with get compiled.
    """
    words = _words_pattern(name)
    if kind == "prefix":  # "Jordan Lee: text"
        return re.compile(rf"^(?P<label>{words})\s*:(?:\s+|$)", re.I)
    if kind == "teams":  # "Jordan Lee 0:03"
        return re.compile(rf"^(?P<label>{words})\s+(?P<ts>{_TS})$", re.I)
    return re.compile(rf"(?<!\w){words}(?!\w)", re.I)  # inside a legend entry


def _first_key(word: str) -> str:
    return word.casefold().rstrip(":")


def _run_key(name: str) -> str:
    m = _FIRST_RUN.match(name)
    return m.group(0).casefold() if m else ""


@dataclass(frozen=True)
class _KnownNames:
    """The known speakers, indexed; built once per list of names and shared by transcripts."""

    known: frozenset[str]  # folded names
    rank: dict[str, int]  # longest name first, so "Jordan Lee-Smith" wins over "Jordan Lee"
    by_first: dict[str, list[str]]  # by first word: the names a line could start with
    by_run: dict[str, list[str]]  # by leading word characters: for finding names in a legend


@lru_cache(maxsize=4)
def _known_names(raw_names: tuple[object, ...]) -> _KnownNames:
    names: dict[str, str] = {}
    for raw in raw_names:
        if not isinstance(raw, str):  # a blank register cell arrives as NaN or None
            continue
        name = _collapse(unicodedata.normalize("NFC", raw))
        if name:
            names.setdefault(name.casefold(), name)
    ordered = sorted(names.values(), key=lambda n: (-len(n), n))
    by_first: dict[str, list[str]] = {}
    by_run: dict[str, list[str]] = {}
    for name in ordered:
        by_first.setdefault(_first_key(name.split()[0]), []).append(name)
        by_run.setdefault(_run_key(name), []).append(name)
    return _KnownNames(
        frozenset(names), {name: i for i, name in enumerate(ordered)}, by_first, by_run
    )


class _Speakers:
    """Speaker-label detection, helped by the known speakers when there are any."""

    def __init__(self, known: Iterable[str]) -> None:
        names = _known_names(tuple(known))
        self.known, self.rank = names.known, names.rank
        self.by_first, self.by_run = names.by_first, names.by_run
        self.frequent: set[str] = set()

    def _candidates(self, line: str) -> list[str]:
        words = line.split(maxsplit=1)
        return self.by_first.get(_first_key(words[0]), []) if words else []

    def learn(self, starts: Iterable[str]) -> None:
        """Trust loosely written labels that start two or more lines (Zoom's ``jordan lee:``)."""
        counts: Counter[str] = Counter()
        for text in starts:
            m = _LABEL.match(text)
            label = _loose_label(m["label"]) if m else None
            if label:
                counts[label] += 1
        self.frequent = {label for label, n in counts.items() if n >= 2}

    def _accept(self, label: str) -> bool:
        folded = _collapse(label).casefold()
        return folded in self.known or folded in self.frequent or _name_shaped(label)

    def split_label(self, text: str) -> tuple[str, str] | None:
        """``Name: text`` as (name, text); the longest known name wins (it may hold a colon)."""
        for name in self._candidates(text):
            m = _known_pattern("prefix", name).match(text)
            if m:
                return _collapse(m["label"]), text[m.end() :]
        m = _LABEL.match(text)
        if m and self._accept(m["label"]):
            return _collapse(m["label"]), m["text"]
        return None

    def plain_line(self, line: str) -> tuple[str, str, float | None] | None:
        """A ``Name: text`` turn start, with an optional timestamp before or after the name."""
        m = _TS_PREFIX.match(line)
        if m:
            found = self.split_label(line[m.end() :])
            return (found[0], found[1], _seconds(m["ts"])) if found else None
        found = self.split_label(line)
        if found:
            return found[0], found[1], None
        m = _LABEL_TS.match(line)
        if m and self._accept(m["label"]):
            return _collapse(m["label"]), m["text"], _seconds(m["ts"])
        return None

    def teams_line(self, line: str) -> tuple[str, float] | None:
        """A Teams speaker line ``Name   0:03`` (one space is enough for a known name)."""
        m = _TEAMS.match(line)
        if m:
            name = _collapse(m["name"])
            if re.search(r"[^\W\d_]", name) and len(name) <= 80 and not _is_title(name):
                return name, _seconds(m["ts"])
        for name in self._candidates(line):
            m = _known_pattern("teams", name).match(line)
            if m:
                return _collapse(m["label"]), _seconds(m["ts"])
        return None

    def header(self, line: str) -> tuple[str, str] | None:
        """A header line ``Key: value`` (key as written, value collapsed), or None."""
        m = _HEADER.match(line)
        if not m:
            return None
        key = _collapse(m["key"])
        folded = key.casefold()
        value = _collapse(m["value"])
        if folded in _HEADER_KEYS:
            return key, value
        if folded in _ROLE_KEYS and value and self._names(value):
            return key, value
        return None

    def _names(self, value: str) -> bool:
        """Whether a header value is a list of names ("Alex Morgan and Sam Patel")."""
        if value.casefold() in self.known:
            return True
        items = [i for i in re.split(r"\s*(?:[,;&/]|\band\b)\s*", value) if i]
        return bool(items) and all(
            i.casefold() in self.known or _name_shaped(i) or _is_role(i) for i in items
        )

    def in_legend(self, who: str) -> str:
        """The speaker a legend entry stands for: the longest known name it contains."""
        tried = [
            (name, _known_pattern("inside", name).match(who, m.start()))
            for m in _WORD_START.finditer(who)
            for name in self.by_run.get(m.group(0).casefold(), ())
        ]
        # A name that does not start with a letter or digit could be anywhere.
        tried += [(n, _known_pattern("inside", n).search(who)) for n in self.by_run.get("", ())]
        found = [(self.rank[name], m) for name, m in tried if m]
        if not found:
            return _legend_name(who)
        return _collapse(min(found, key=lambda pair: pair[0])[1].group(0))


# -- building turns ------------------------------------------------------------------------
