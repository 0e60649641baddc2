"""Transcript readers: who spoke and what they said, from Word, WebVTT and plain-text files.

:func:`read_transcript` detects the layout of one file and returns its turns as a
:class:`RawTranscript`. The layouts (see the README, "Transcripts"):

``teams-docx`` / ``teams-txt``
    A speaker line ``Name   0:03`` (two or more spaces or a tab before the time), then
    the turn's paragraphs. A Teams title block (meeting title, date, duration,
    "... started transcription") may come first.
``teams-docx-old``
    ``0:0:3.120 --> 0:0:7.450``, then the speaker's name, then the text.
``legend-docx`` / ``legend-txt``
    A legend at the top (``I – Interviewer (Alex Morgan)``), then ``I – text`` turns.
``plain-txt`` / ``plain-docx``
    ``Name: text`` paragraphs, optionally ``[00:01:02] Name: text``.
``teams-vtt`` / ``zoom-vtt``
    Captions with ``<v Name>`` voice tags (Teams) or ``Name: text`` cues (Zoom).

Header lines (``Date:``, ``Venue:``, ``Facilitator: Sam Patel`` ...) before the first
turn go to ``headers``. Every error names the file, the line (or Word paragraph),
what is wrong and how to fix it. Warnings never quote transcript text, because the
ingest report that carries them must not contain names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evstudy.errors import InputError, Problem, Problems, ValidationError
from evstudy.io._docx import docx_lines
from evstudy.io._speakers import (
    _ARROW,
    _BULLET,
    _HEADING,
    _KEY_LINE,
    _LABEL_HEAD,
    _NOT_LABELS,
    _TRANSCRIPTION,
    _collapse,
    _is_role,
    _is_title,
    _legend_entries,
    _name_shaped,
    _role_only,
    _seconds,
    _Speakers,
    _tidy,
)
from evstudy.io._vtt import parse_vtt

__all__ = [
    "LAYOUTS",
    "TRANSCRIPT_SUFFIXES",
    "RawTranscript",
    "RawTurn",
    "read_transcript",
    "transcript_summary",
]

LAYOUTS = (
    "teams-docx",
    "teams-docx-old",
    "legend-docx",
    "plain-docx",
    "teams-vtt",
    "zoom-vtt",
    "plain-txt",
    "teams-txt",
    "legend-txt",
)
TRANSCRIPT_SUFFIXES = (".docx", ".vtt", ".txt")

_UNDERSTOOD = (
    "evstudy reads Teams Word transcripts (a line 'Name   0:03' above each turn, or the older "
    "'0:0:3.120 --> 0:0:7.450' layout), files with a legend at the top ('I – Interviewer "
    "(Name)') and turns 'I – text', 'Name: text' paragraphs (optionally '[00:01:02] Name: "
    "text'), and Teams or Zoom .vtt captions; check the file is one of these, and run "
    "`evstudy inspect FILE` to see what is found"
)
_MAX_PROBLEMS = 20


@dataclass(frozen=True)
class RawTurn:
    """One speaker turn as the file gives it (before names are matched or redacted)."""

    speaker: str
    text: str
    start: float | None
    end: float | None
    line: int


@dataclass(frozen=True)
class RawTranscript:
    """Everything a transcript file holds, in the file's own terms."""

    path: Path
    layout: str
    turns: tuple[RawTurn, ...]
    headers: dict[str, str]
    legend: dict[str, str]
    warnings: tuple[str, ...]
    has_timestamps: bool
    # The document's own participant list (a "Participants:" header), names only.
    participants: tuple[str, ...] = ()
    # What each non-blank line was taken for: legend, header, heading, turn, text, skipped.
    line_kinds: tuple[tuple[int, str], ...] = ()
    # Legend entries that name only a role, and the person each was resolved to.
    resolved: tuple[tuple[str, str], ...] = ()


# -- text shapes ---------------------------------------------------------------------------


@dataclass
class _Turn:
    speaker: str
    line: int
    start: float | None = None
    end: float | None = None
    parts: list[str] = field(default_factory=list)


class _Builder:
    """Collects turns, headers and warnings while a parser walks the lines."""

    def __init__(self, file: str, where: str, speakers: _Speakers) -> None:
        self.file = file
        self.where = where  # "line" or "paragraph"
        self.speakers = speakers
        self.turns: list[_Turn] = []
        self.headers: dict[str, str] = {}
        self.participants: list[str] = []
        self.problems = Problems()
        self.warnings: list[str] = []
        self.kinds: dict[int, str] = {}
        self._stray: list[int] = []
        self._orphans: list[int] = []
        self._headings: list[int] = []
        self._title = False
        self._listing = False  # inside a "Participants:" list, one name per line
        self._open = False  # whether text lines continue the last turn

    def mark(self, number: int, kind: str) -> None:
        self.kinds.setdefault(number, kind)

    def lead(self, number: int, line: str) -> bool:
        """Take a header, title-block, participant-list or legend-key line before the first turn."""
        if self.turns or not line:
            self._listing = self._listing and not self.turns
            return False
        header = self.speakers.header(line)
        if header:
            key, value = header
            self.headers[key] = f"{self.headers[key]}; {value}" if key in self.headers else value
            self._listing = False
            if key.casefold() in _LIST_KEYS:
                names = _listed_names(value)
                self.participants += names
                self._listing = not value
            self.mark(number, "header")
            return True
        if self._listing:
            name = _list_entry(line)
            if name:
                self.participants.append(name)
                self.mark(number, "header")
                return True
            self._listing = False
        if _is_title(line):
            self._title = True
            self.mark(number, "header")
            return True
        if _KEY_LINE.match(line):
            self.mark(number, "legend")
            return True
        return False

    def turn(
        self,
        speaker: str,
        text: str,
        number: int,
        start: float | None = None,
        end: float | None = None,
    ) -> None:
        self.turns.append(_Turn(speaker, number, start, end, [text] if text else []))
        self._open = True
        self._listing = False
        self.mark(number, "turn")

    def heading(self, numbers: list[int]) -> None:
        """A heading and its list: not a speaker, and not part of anyone's turn."""
        self._open = False
        self._headings += numbers
        for number in numbers:
            self.mark(number, "heading")

    def text(self, number: int, line: str) -> None:
        """A line of turn text (or, before the first turn, a line nothing else claimed)."""
        if not line or _TRANSCRIPTION.match(line):
            return
        if self.turns and self._open:
            self.turns[-1].parts.append(line)
            self.mark(number, "text")
        elif self.turns:
            self._orphans.append(number)
            self.mark(number, "skipped")
        else:
            self._stray.append(number)
            self.mark(number, "skipped")

    def problem(self, number: int, problem: str, fix: str) -> None:
        self.problems.add(self.file, f"{self.where} {number}", problem, fix)

    def finish(self) -> tuple[RawTurn, ...]:
        _raise_all(self.problems, self.file)
        turns, empty = [], []
        for t in self.turns:
            text = _collapse(" ".join(t.parts))
            if text:
                turns.append(RawTurn(t.speaker, text, t.start, t.end, t.line))
            else:
                empty.append(t.line)
        if empty:
            self.warnings.append(
                f"left out {_count(len(empty), 'turn')} with a speaker but no text "
                f"({_place(self.where, empty)})"
            )
        if self._stray and not self._title:
            self.warnings.append(
                f"left out {_count(len(self._stray), 'line')} before the first turn that "
                f"{'is' if len(self._stray) == 1 else 'are'} neither a header nor a turn "
                f"({_place(self.where, self._stray)})"
            )
        if self._headings:
            self.warnings.append(
                f"left out {_count(len(self._headings), 'line')} of headings and their lists, "
                f"which are not speakers ({_place(self.where, self._headings)})"
            )
        if self._orphans:
            self.warnings.append(
                f"left out {_count(len(self._orphans), 'line')} after a heading that "
                f"{'is' if len(self._orphans) == 1 else 'are'} not in a turn "
                f"({_place(self.where, self._orphans)})"
            )
        return tuple(turns)


# Header keys whose value (or the lines under them) lists the people taking part.
_LIST_KEYS = frozenset({"participants", "attendees", "present"})


def _list_entry(line: str) -> str | None:
    """A participant-list line, ``Li Qing (urban worker with a garden)``, as the name alone."""
    line = re.sub(r"^(?:[-–—•*·]\s*|\d{1,2}[.)]\s+)", "", line)
    name = _collapse(re.sub(r"\s*[(\[][^()\[\]]*[)\]]\s*$", "", line)).rstrip(" ,;")
    return name if name and ":" not in name and _name_shaped(name) else None


def _listed_names(value: str) -> list[str]:
    """The names in a one-line list ``Alex Morgan, Sam Patel and Jordan Lee`` (not ``5``)."""
    items = [i for i in re.split(r"\s*(?:[,;&/]|\band\b)\s*", value) if i]
    return [name for item in items if (name := _list_entry(item))]


def _headings(lines: list[tuple[int, str]], speakers: _Speakers) -> dict[int, list[int]]:
    """Headings: a line ending in a colon with nothing after it, over a list that is no turn.

    Returns the index of each heading line with the line numbers of the heading and its
    list. ``Discussion Points:`` over bullets is a heading; ``Jordan Lee:`` over the turn's
    paragraphs is not (its name is known, or the lines under it are sentences).
    """
    found: dict[int, list[int]] = {}
    for index, (number, line) in enumerate(lines):
        m = _HEADING.match(line)
        if not m or speakers.header(line) or _KEY_LINE.match(line):
            continue
        if _collapse(m["label"]).casefold() in speakers.known or _is_role(m["label"]):
            continue
        items: list[int] = []
        for later, text in lines[index + 1 :]:
            if not text:
                if items:
                    break
                continue
            if _BULLET.match(text) and not speakers.plain_line(text):
                items.append(later)
                continue
            if (
                not speakers.plain_line(text)
                and not speakers.teams_line(text)
                and len(text.split()) <= 12
                and text[-1] not in ".?!\"”'’"
                and _HEADING.match(text) is None
            ):
                items.append(later)
                continue
            break
        bullets = sum(1 for n, t in lines if n in items and _BULLET.match(t))
        if bullets or len(items) >= 2:
            found[index] = [number, *items]
    return found


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _place(where: str, numbers: list[int]) -> str:
    """``line 4`` or ``lines 4, 9, 12`` (the first ten, then how many more)."""
    shown = ", ".join(map(str, numbers[:10]))
    more = f" and {len(numbers) - 10} more" if len(numbers) > 10 else ""
    return f"{where}{'' if len(numbers) == 1 else 's'} {shown}{more}"


def _raise_all(problems: Problems, file: str) -> None:
    """One problem as an InputError, several as one ValidationError (at most 20 listed)."""
    found = list(problems)
    if len(found) == 1:
        p = found[0]
        raise InputError(p.file, p.where, p.problem, p.fix)
    if found:
        if len(found) > _MAX_PROBLEMS:
            rest = len(found) - _MAX_PROBLEMS
            found = [
                *found[:_MAX_PROBLEMS],
                Problem(file, "", f"{rest} more problems like these", "fix the ones above first"),
            ]
        raise ValidationError(found, context=f"reading {file}")


# -- layouts of Word and text files ---------------------------------------------------------


def _parse_old_teams(lines: list[tuple[int, str]], b: _Builder) -> None:
    pending: tuple[float, float, int] | None = None
    for number, line in lines:
        if "-->" in line:
            m = _ARROW.match(line)
            if not m:
                b.problem(
                    number,
                    "this cue timing is not 'h:mm:ss.fff --> h:mm:ss.fff'",
                    "correct the times, e.g. 0:0:3.120 --> 0:0:7.450",
                )
            elif _seconds(m["b"]) < _seconds(m["a"]):
                b.problem(number, "the cue ends before it starts", "correct the cue times")
            else:
                pending = (_seconds(m["a"]), _seconds(m["b"]), number)
                continue
            pending = None
        elif pending and line:
            b.turn(_collapse(line), "", pending[2], pending[0], pending[1])
            pending = None
        elif not b.lead(number, line):
            b.text(number, line)


@dataclass(frozen=True)
class _Legend:
    entries: dict[str, str]  # abbreviation -> who, as written
    lines: dict[str, int]  # abbreviation -> the line (paragraph) number of its entry
    used: set[int]  # indexes of the legend lines


def _find_legend(lines: list[tuple[int, str]], speakers: _Speakers) -> _Legend | None:
    """The legend at the top of a file: abbreviations, who they stand for, and where."""
    legend: dict[str, str] = {}
    where: dict[str, int] = {}
    used: set[int] = set()
    others = 0
    for index, (number, line) in enumerate(lines):
        if not line:
            continue
        entries = _legend_entries(line)
        if entries and not any(abbr in legend for abbr, _ in entries):
            for abbr, who in entries:
                legend[abbr] = who
                where[abbr] = number
            used.add(index)
            continue
        if legend:
            break  # the first other line, or a repeated abbreviation, ends the legend
        if speakers.header(line) or _is_title(line) or _KEY_LINE.match(line):
            continue
        others += 1
        if others > 20 or speakers.teams_line(line) or speakers.plain_line(line):
            return None
    if not legend:
        return None
    body = _legend_body(legend)
    if not any(body.match(line) for i, (_, line) in enumerate(lines) if i not in used):
        return None
    return _Legend(legend, where, used)


def _legend_body(legend: Mapping[str, str]) -> re.Pattern[str]:
    """A turn: a legend abbreviation, in brackets or not, then any dash, ``=`` or colon."""
    alternatives = "|".join(re.escape(a) for a in sorted(legend, key=lambda a: (-len(a), a)))
    head = _LABEL_HEAD.replace(r"(?P<abbr>[A-Z]{1,3}\d{0,2})", f"(?P<abbr>{alternatives})")
    return re.compile(rf"^{head}(?P<text>.*)$")


_ANY_LABEL = re.compile(rf"^{_LABEL_HEAD}\S")


@dataclass(frozen=True)
class _People:
    """Who a document's legend can mean: from the study, the fieldwork log and the file."""

    team: Mapping[str, str] | None  # research team name -> role; None: not known
    ran_by: tuple[str, ...]
    listed: tuple[str, ...] | None  # the log's Participants; None: not filled in


def _resolve_roles(
    legend: _Legend, people: _People, own_list: list[str], b: _Builder
) -> dict[str, str]:
    """The person each role-only legend entry stands for (abbreviation -> name).

    A research-team role means the team member the log says ran the document, else the only
    team member with that role; a participant's role means the one non-team person the log
    (or the file's own participant list) names for the document. Anything else is a problem
    naming the legend line.
    """
    team = people.team
    roles = set(team.values()) if team else set()
    resolved: dict[str, str] = {}
    for abbr, who in legend.entries.items():
        found = _role_only(who, roles)
        if found is None:
            continue
        kind, role = found
        number = legend.lines[abbr]
        name_it = (
            f"write the person's name in the legend, e.g. '{abbr} – {who} (Name as in the "
            "register)'"
        )
        if kind == "team":
            if team is None:
                continue  # no study to resolve against: the role stands (ingest resolves it)
            runners = [n for n in people.ran_by if n]
            same = [n for n, r in team.items() if _role_key_of(r) == role]
            if len(runners) == 1 and role in _RUNNER_ROLES:
                resolved[abbr] = runners[0]
            elif len(ran := [n for n in runners if n in same]) == 1:
                resolved[abbr] = ran[0]
            elif len(same) == 1:
                resolved[abbr] = same[0]
            else:
                ran_note = (
                    f"the fieldwork log names {len(runners)} team members for it"
                    if runners
                    else "the fieldwork log does not say who ran it"
                )
                b.problem(
                    number,
                    f"the legend entry {abbr!r} names only a role ({who!r}), and the research "
                    f"team has {len(same)} members with that role while {ran_note}",
                    f"{name_it}, or give the team member who ran it in the Interviewer (or "
                    "Facilitator) column of the fieldwork log",
                )
            continue
        team_names = {n.casefold() for n in (team or {})} | {n.casefold() for n in people.ran_by}
        source = people.listed if people.listed is not None else tuple(own_list)
        listed = list(dict.fromkeys(n for n in source if n.casefold() not in team_names))
        if len(listed) == 1:
            resolved[abbr] = listed[0]
        elif team is None and people.listed is None and not own_list:
            b.warnings.append(
                f"the legend entry on {b.where} {number} names only a role; ingest resolves it "
                "through the fieldwork log's Participants column"
            )
        else:
            said = (
                f"the fieldwork log lists {len(listed)} participants for this document"
                if people.listed is not None
                else f"the file lists {len(listed)} participants"
                if own_list
                else "the fieldwork log has no Participants for this document"
            )
            b.problem(
                number,
                f"the legend entry {abbr!r} names only a role ({who!r}), and {said}, so it "
                "cannot be told who it is",
                f"{name_it}, or list the one participant of this document in the Participants "
                "column of the fieldwork log",
            )
    return resolved


_RUNNER_ROLES = frozenset({"interviewer", "facilitator", "moderator", "chair"})


def _role_key_of(role: str) -> str:
    found = _role_only(role, [role])
    return found[1] if found else role.casefold()


def _parse_legend(
    lines: list[tuple[int, str]], legend: _Legend, people: _People, b: _Builder
) -> dict[str, str]:
    body = _legend_body(legend.entries)
    for index in legend.used:
        b.mark(lines[index][0], "legend")
    headings = _headings(lines, b.speakers)
    # The header block first: its participant list can resolve a role-only entry.
    first = _Builder(b.file, b.where, b.speakers)
    for index, (number, line) in enumerate(lines):
        if index in legend.used or not line:
            continue
        if body.match(line) or (not first.lead(number, line) and index > max(legend.used)):
            break
    resolved = _resolve_roles(legend, people, first.participants, b)
    who = {
        abbr: resolved.get(abbr) or b.speakers.in_legend(text)
        for abbr, text in legend.entries.items()
    }
    skip: set[int] = set()
    for index, (number, line) in enumerate(lines):
        if index in legend.used or index in skip:
            continue
        if index in headings:
            b.heading(headings[index])
            skip.update(i for i, (n, _) in enumerate(lines) if n in headings[index])
            continue
        if b.lead(number, line):
            continue
        m = body.match(line)
        if m:
            b.turn(who[m["abbr"]], m["text"], number)
            continue
        m = _ANY_LABEL.match(line)
        if m and (m["open"] or m["abbr"] not in _NOT_LABELS):
            b.problem(
                number,
                f"the label {m['abbr']!r} is not in the legend at the top of the file, so this "
                "paragraph cannot be given to anyone (it is not taken as the previous "
                "speaker's words)",
                f"add '{m['abbr']} – who it is' to the legend, or correct the label",
            )
            continue
        b.text(number, line)
    return resolved


def _walk(lines: list[tuple[int, str]], b: _Builder, take: Callable[[int, str], bool]) -> None:
    """Headers, headings, then turns (``take`` returns whether the line started one)."""
    headings = _headings(lines, b.speakers)
    skip: set[int] = set()
    for index, (number, line) in enumerate(lines):
        if index in skip:
            continue
        if index in headings:
            b.heading(headings[index])
            skip.update(i for i, (n, _) in enumerate(lines) if n in headings[index])
            continue
        if b.lead(number, line) or take(number, line):
            continue
        b.text(number, line)


def _read_lines(
    path: Path,
    lines: list[tuple[int, str]],
    kind: str,
    speakers: _Speakers,
    people: _People,
    has_tables: bool = False,
) -> RawTranscript:
    """Detect the layout of a Word or text file's lines and read its turns."""
    file = str(path)
    where = "paragraph" if kind == "docx" else "line"
    b = _Builder(file, where, speakers)
    legend: dict[str, str] = {}
    resolved: dict[str, str] = {}
    arrows = [number for number, line in lines if _ARROW.match(line)]
    if arrows:
        if kind != "docx":
            raise InputError(
                file,
                f"line {arrows[0]}",
                "the file holds caption cue times ('0:0:3.120 --> 0:0:7.450'), "
                "which evstudy reads only from .vtt and Word files",
                "if it is a WebVTT caption file, give it the extension .vtt; if it was "
                "copied from an old Teams Word transcript, use the original .docx",
            )
        layout = "teams-docx-old"
        _parse_old_teams(lines, b)
    elif found := _find_legend(lines, speakers):
        legend = found.entries
        layout = f"legend-{kind}"
        resolved = _parse_legend(lines, found, people, b)
    else:
        speakers.learn(line for _, line in lines)
        n_teams = sum(1 for _, line in lines if speakers.teams_line(line))
        n_plain = sum(1 for _, line in lines if speakers.plain_line(line))
        if n_teams and n_teams >= n_plain:
            layout = f"teams-{kind}"

            def take(number: int, line: str) -> bool:
                found_line = speakers.teams_line(line)
                if found_line:
                    b.turn(found_line[0], "", number, found_line[1])
                return bool(found_line)

        else:
            layout = f"plain-{kind}"

            def take(number: int, line: str) -> bool:
                found_turn = speakers.plain_line(line)
                if found_turn:
                    b.turn(found_turn[0], found_turn[1], number, found_turn[2])
                return bool(found_turn)

        _walk(lines, b, take)
    turns = b.finish()
    if not turns:
        fix = _UNDERSTOOD
        if has_tables:
            fix = (
                "the document has tables, and evstudy reads paragraphs, not table cells: copy "
                "the turns out of the table as paragraphs. " + fix
            )
        raise InputError(file, "", "no speaker turns were found", fix)
    return _transcript(
        path,
        layout,
        turns,
        b.headers,
        legend,
        b.warnings,
        participants=b.participants,
        kinds=b.kinds,
        resolved=resolved,
    )


def _transcript(
    path: Path,
    layout: str,
    turns: tuple[RawTurn, ...],
    headers: dict[str, str],
    legend: dict[str, str],
    warnings: list[str],
    *,
    participants: Sequence[str] = (),
    kinds: Mapping[int, str] | None = None,
    resolved: Mapping[str, str] | None = None,
) -> RawTranscript:
    return RawTranscript(
        path=path,
        layout=layout,
        turns=turns,
        headers=dict(headers),
        legend=dict(legend),
        warnings=tuple(warnings),
        has_timestamps=any(t.start is not None for t in turns),
        participants=tuple(dict.fromkeys(participants)),
        line_kinds=tuple(sorted((kinds or {}).items())),
        resolved=tuple(sorted((resolved or {}).items())),
    )


# -- WebVTT --------------------------------------------------------------------------------


def _read_vtt(path: Path, lines: list[str], speakers: _Speakers) -> RawTranscript:
    file = str(path)
    cues, has_voice, problems = parse_vtt(file, lines)
    _raise_all(problems, file)
    if not cues:
        raise InputError(
            file,
            "",
            "the caption file has no cues with text",
            "export the captions again from Teams or Zoom; " + _UNDERSTOOD,
        )
    if not has_voice:
        speakers.learn(text for cue in cues for _, text in cue.segments[:1])
        if not any(speakers.split_label(text) for cue in cues for _, text in cue.segments):
            raise InputError(
                file,
                f"line {cues[0].line}",
                "no cue names its speaker: there are no '<v Name>' voice tags (Teams) and no "
                "'Name: text' labels (Zoom), so no turn can be given to anyone",
                "export the captions again with speaker names (from Teams, download the "
                "transcript after the meeting rather than live captions), or add '<v Name>' "
                "tags to the cues",
            )
    turns: list[_Turn] = []
    joined: list[int] = []
    for cue in cues:
        for voice, segment in cue.segments:
            speaker, text = voice, segment
            if not has_voice:  # Zoom: "Name: text"
                found = speakers.split_label(segment)
                speaker, text = found if found else (None, segment)
            if speaker is None:
                if not turns:
                    raise InputError(
                        file,
                        f"line {cue.line}",
                        "the first cue with text has no speaker, so there is no turn to continue",
                        "add the speaker to the cue: '<v Name>text</v>' (Teams) or "
                        "'Name: text' (Zoom)",
                    )
                if not joined or joined[-1] != cue.line:
                    joined.append(cue.line)
            elif not turns or turns[-1].speaker != speaker:
                turns.append(_Turn(speaker, cue.line, cue.start, cue.end))
            # A caption cue is not a turn: cues of one voice in a row are one turn.
            turns[-1].parts.append(text)
            turns[-1].end = max(turns[-1].end or cue.end, cue.end)
    warnings = []
    if joined:
        warnings.append(
            f"joined {_count(len(joined), 'cue')} with no speaker to the previous speaker's "
            f"turn ({_place('line', joined)})"
        )
    built = tuple(
        RawTurn(t.speaker, text, t.start, t.end, t.line)
        for t in turns
        if (text := _collapse(" ".join(t.parts)))
    )
    layout = "teams-vtt" if has_voice else "zoom-vtt"
    return _transcript(path, layout, built, {}, {}, warnings)


# -- files ---------------------------------------------------------------------------------


def _decode(file: str, data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), or an error that says how to re-save."""
    resave = (
        "open the file in a text editor and save it again with the encoding UTF-8 "
        "(e.g. Notepad: File > Save As > Encoding: UTF-8), then re-run"
    )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(file, "", "the file is saved as UTF-16, not UTF-8", resave)
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            file,
            "",
            "the file is a zip archive (a Word .docx?) with a text extension",
            "give it the extension .docx (and update the fieldwork log)",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            file,
            f"line {line}",
            f"the file is not UTF-8 text: byte 0x{data[exc.start]:02x} at column {column} is "
            "not UTF-8 (the file was probably saved as Windows-1252/ANSI or Latin-1)",
            resave,
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(
            file,
            f"line {line}",
            "the file holds NUL bytes, so it is not UTF-8 text (a binary file, or UTF-16 "
            "without a byte-order mark)",
            resave,
        )
    return text


def read_transcript(
    path: str | Path,
    *,
    known_speakers: Iterable[str] = (),
    team: Mapping[str, str] | None = None,
    ran_by: Sequence[str] = (),
    participants: Sequence[str] | None = None,
) -> RawTranscript:
    """Read one transcript file (.docx, .vtt or .txt), detecting its layout.

    Parameters
    ----------
    path : str or Path
        The transcript file.
    known_speakers : iterable of str, optional
        Register and team names. They resolve labels the layout alone cannot: a name
        holding a colon (the longest known name prefixing a line wins), the person a
        legend entry names, and names written in lower case or on one space in a
        Teams speaker line. Speakers need not be known: matching them is ingest's job.
    team : mapping of str to str, optional
        The research team, name to role. With it, a legend entry that names only a team
        role (``PN – interviewer``) resolves to the team member in ``ran_by``, else to the
        only member with that role, and is an error otherwise. Without it the role stands.
    ran_by : sequence of str, optional
        The team member(s) who ran the document (the fieldwork log's ``Interviewer`` or
        ``Facilitator``).
    participants : sequence of str, optional
        The people the fieldwork log lists for the document (``Participants``). A legend
        entry that names only a participant's role (``EX – expert``) resolves to the one
        non-team person listed here (or, when None, in the file's own ``Participants:``
        list), and is an error otherwise.

    Returns
    -------
    RawTranscript
        The turns in file order. Consecutive turns of one speaker are kept apart in
        Word and text files, and joined in WebVTT (where a cue is a caption, not a turn).

    Raises
    ------
    InputError
        The file is missing, empty, of an unsupported type, not a real or a damaged
        .docx, not UTF-8, a .vtt without ``WEBVTT``, or has no turns.
    ValidationError
        Several problems at named lines (broken cue times, labels missing from the legend,
        role-only legend entries that cannot be resolved). A single such problem is raised
        as an :class:`InputError`.
    """
    people = _People(
        dict(team) if team is not None else None,
        tuple(ran_by),
        tuple(participants) if participants is not None else None,
    )
    path = Path(path)
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in TRANSCRIPT_SUFFIXES:
        fix = "export the transcript as a Word .docx, a .vtt caption file or UTF-8 .txt"
        if suffix == ".doc":
            fix = "open it in Word and save it as a Word Document (.docx)"
        elif suffix == ".srt":
            fix = "convert the subtitles to WebVTT (.vtt), or export .vtt from Teams or Zoom"
        shown = f"{suffix!r} files are" if suffix else "files without an extension are"
        raise InputError(file, "", f"{shown} not a transcript format evstudy reads", fix)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            file, "", "the file does not exist", "check the path and the file name"
        ) from None
    except OSError as exc:
        raise InputError(
            file,
            "",
            f"the file cannot be read ({exc.strerror or type(exc).__name__})",
            "check that it is a file (not a folder) and that you may read it",
        ) from None
    empty_fix = "export the transcript again; the file may not have been saved or copied in full"
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise InputError(file, "", "the file is empty", empty_fix)
    speakers = _Speakers(known_speakers)
    if suffix == ".docx":
        paragraphs, has_tables = docx_lines(file, data)
        lines = [(number, _tidy(text)) for number, text in paragraphs]
        if not any(text for _, text in lines):
            if has_tables:
                raise InputError(file, "", "no speaker turns were found", _UNDERSTOOD)
            raise InputError(file, "", "the Word document has no text", empty_fix)
        return _read_lines(path, lines, "docx", speakers, people, has_tables)
    text = _decode(file, data)
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not any(line.strip() for line in raw):
        raise InputError(file, "", "the file is empty", empty_fix)
    if suffix == ".vtt":
        return _read_vtt(path, [_tidy(line) for line in raw], speakers)
    if _tidy(raw[0]).startswith("WEBVTT"):
        raise InputError(
            file,
            "line 1",
            "this is a WebVTT caption file saved with the extension .txt",
            "give it the extension .vtt (and update the fieldwork log)",
        )
    numbered = [(n, _tidy(line)) for n, line in enumerate(raw, 1)]
    return _read_lines(path, numbered, "txt", speakers, people)


_KINDS = ("legend", "header", "heading", "turn", "text", "skipped")
_WHY = {
    "legend": "a legend at the top explains abbreviated labels, and turns start with one of "
    "them and a dash, '=' or colon",
    "teams": "speaker lines hold a name and a time ('Name   0:03'), with the turn's "
    "paragraphs below",
    "teams-docx-old": "cue times ('0:0:3.120 --> 0:0:7.450') stand above each speaker's name",
    "plain": "paragraphs start with a speaker label and a colon ('Name: text')",
    "teams-vtt": "caption cues carry '<v Name>' voice tags",
    "zoom-vtt": "caption cues start 'Name: text'",
}


def transcript_summary(t: RawTranscript) -> dict:
    """What a transcript holds, as plain JSON-ready data (for ``evstudy inspect``).

    Parameters
    ----------
    t : RawTranscript

    Returns
    -------
    dict
        ``layout``, ``speakers`` (in order of first appearance, each with ``speaker``,
        ``turns`` and ``words``), ``n_turns``, ``n_words``, ``has_timestamps``,
        ``headers``, ``legend``, ``why`` (how the layout was recognised), ``lines`` (the
        line or paragraph numbers taken as ``legend``, ``header``, ``heading``, ``turn``,
        ``text`` (a turn's further paragraphs) and ``skipped``), ``resolved`` (role-only
        legend entries and who they stand for), ``participants`` (the file's own list),
        ``warnings`` and ``turns`` (``turn`` numbered from 1, ``speaker``, ``start``,
        ``end``, ``text``).
    """
    lines: dict[str, list[int]] = {}
    for number, kind in t.line_kinds:
        lines.setdefault(kind, []).append(number)
    speakers: dict[str, dict] = {}
    for turn in t.turns:
        entry = speakers.setdefault(turn.speaker, {"speaker": turn.speaker, "turns": 0, "words": 0})
        entry["turns"] += 1
        entry["words"] += len(turn.text.split())
    return {
        "layout": t.layout,
        "speakers": list(speakers.values()),
        "n_turns": len(t.turns),
        "n_words": sum(len(turn.text.split()) for turn in t.turns),
        "has_timestamps": t.has_timestamps,
        "headers": dict(t.headers),
        "legend": dict(t.legend),
        "why": _WHY.get(t.layout) or _WHY.get(t.layout.split("-", 1)[0], ""),
        "lines": {kind: lines[kind] for kind in _KINDS if kind in lines},
        "resolved": dict(t.resolved),
        "participants": list(t.participants),
        "warnings": list(t.warnings),
        "turns": [
            {
                "turn": number,
                "speaker": turn.speaker,
                "start": turn.start,
                "end": turn.end,
                "text": turn.text,
            }
            for number, turn in enumerate(t.turns, 1)
        ],
    }
