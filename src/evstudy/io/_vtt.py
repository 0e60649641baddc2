"""WebVTT caption files (Teams and Zoom) as a list of cues with line numbers.

The cue structure is parsed here rather than with webvtt-py because every
problem has to name the line it is on, and webvtt-py's errors do not. Who is
speaking is worked out in :mod:`evstudy.io.transcripts`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from evstudy.errors import InputError, Problems

__all__ = ["Cue", "parse_vtt"]

_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_TIMING = re.compile(r"^\s*(?P<a>\S+)\s+-->\s+(?P<b>\S+)(?:\s+.*)?$")
_TIME = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})\.(?P<f>\d{1,3})$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+(?P<name>[^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")
_TIME_FIX = "write cue times as hh:mm:ss.mmm --> hh:mm:ss.mmm, e.g. 00:01:02.500 --> 00:01:05.000"


@dataclass(frozen=True)
class Cue:
    """One caption cue.

    ``segments`` holds ``(voice, text)`` pairs: the voice tag's name (HTML entities
    decoded) or None where the text has no voice tag, and the text with tags
    removed, entities decoded and whitespace collapsed.
    """

    line: int
    start: float
    end: float
    segments: tuple[tuple[str | None, str], ...]


def _clean(text: str) -> str:
    text = html.unescape(_TAG.sub(" ", text))
    return " ".join(unicodedata.normalize("NFC", text).split())


def _seconds(value: str) -> float | None:
    m = _TIME.match(value)
    if not m or int(m["m"]) > 59 or int(m["s"]) > 59:
        return None
    millis = int(m["f"].ljust(3, "0"))
    total = ((int(m["h"] or 0) * 60 + int(m["m"])) * 60 + int(m["s"])) * 1000 + millis
    return total / 1000


def _segments(payload: str) -> tuple[tuple[str | None, str], ...]:
    """Split a cue's text at its voice tags."""
    found: list[tuple[str | None, str]] = []
    voice: str | None = None
    pos = 0
    for m in _VOICE.finditer(payload):
        found.append((voice, payload[pos : m.start()]))
        voice = _clean(m["name"] or "") or None
        pos = m.end()
    found.append((voice, payload[pos:]))
    cleaned = ((v, _clean(t)) for v, t in found)
    return tuple((v, t) for v, t in cleaned if t)


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def parse_vtt(file: str | Path, lines: list[str]) -> tuple[list[Cue], bool, Problems]:
    """Parse a WebVTT file's lines into cues.

    Parameters
    ----------
    file : str or Path
        The file as messages should name it.
    lines : list of str
        The decoded file split at line ends (no BOM, no line-end characters).

    Returns
    -------
    cues : list of Cue
    has_voice_tags : bool
        Whether any cue has a ``<v Name>`` tag (Teams) rather than none (Zoom).
    problems : Problems
        Broken cues, each naming its line; the caller raises them.

    Raises
    ------
    InputError
        The first line is not ``WEBVTT``.
    """
    first = lines[0].strip() if lines else ""
    if not _HEADER.match(first):
        if len(lines) > 1 and "-->" in lines[1] and "," in lines[1]:
            fix = "this looks like an SRT subtitle file: convert it to WebVTT or export .vtt again"
        else:
            fix = (
                "export the captions again as .vtt (the first line must be WEBVTT); "
                "if this is a plain-text transcript, give it the extension .txt"
            )
        raise InputError(file, "line 1", "the file does not start with 'WEBVTT'", fix)

    problems = Problems()
    cues: list[Cue] = []
    has_voice = False
    # The header block runs to the first blank line, unless a cue follows WEBVTT directly.
    i = 1
    while i < len(lines) and lines[i].strip() and "-->" not in lines[i]:
        i += 1
    if i < len(lines) and "-->" in lines[i]:
        i = 1
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        begin = i
        while i < len(lines) and lines[i].strip():
            i += 1
        block = lines[begin:i]
        if block[0].strip().split(" ", 1)[0].split("\t", 1)[0] in _SKIPPED_BLOCKS:
            continue
        timing = next((k for k, text in enumerate(block) if "-->" in text), None)
        if timing is None or timing > 1:
            problems.add(
                file,
                f"line {begin + 1}",
                "text with no cue timing line above it",
                "each cue needs a line 'hh:mm:ss.mmm --> hh:mm:ss.mmm' (optionally after a cue id) "
                "above its text; remove a blank line inside a cue or add the timing line",
            )
            continue
        number = begin + timing + 1
        m = _TIMING.match(block[timing])
        start = _seconds(m["a"]) if m else None
        end = _seconds(m["b"]) if m else None
        if m is None or start is None or end is None:
            bad = block[timing].strip()
            if m is not None:
                bad = m["a"] if start is None else m["b"]
            if "," in bad:
                problem = f"the cue time {_shown(bad)} uses a comma before the milliseconds"
                fix = "WebVTT uses a full stop (00:00:03.120); an SRT file must be converted"
            else:
                problem = f"the cue timing {_shown(bad)} is not a WebVTT time"
                fix = _TIME_FIX
            problems.add(file, f"line {number}", problem, fix)
            continue
        if end < start:
            problems.add(
                file,
                f"line {number}",
                "the cue ends before it starts",
                "correct the cue times so that the second is not earlier than the first",
            )
            continue
        payload = block[timing + 1 :]
        clash = next((k for k, text in enumerate(payload) if "-->" in text), None)
        if clash is not None:
            problems.add(
                file,
                f"line {number + 1 + clash}",
                "a second cue timing inside a cue (two cues with no blank line between them?)",
                "put a blank line between cues",
            )
            continue
        text = " ".join(payload)
        if _VOICE.search(text):
            has_voice = True
        segments = _segments(text)
        if segments:
            cues.append(Cue(number + 1, start, end, segments))
    return cues, has_voice, problems
