"""Transcript files in the layouts real fieldwork produces, one writer per format.

Every writer emits exactly the turns of the document, in order, with no two consecutive
turns by the same speaker, so a reader that joins split cues recovers the same turns.
Turns are only ever split (into paragraphs or cues) between the sentences the dialogue
composed, or failing that between words, so a coded passage survives any joining.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from evstudy.synth.common import Doc, Person, Turn, stream
from evstudy.synth.office import docx_bytes

__all__ = ["render", "speaker_label"]

_TITLE = "Evidence use in commissioning study"


def speaker_label(person: Person, variant: str) -> str:
    """A participant's name as a transcript writes it (``plain``, ``surname_first``, ``org``)."""
    if variant == "surname_first":
        return f"{person.last}, {person.first}"
    if variant == "org":
        return f"{person.name} ({person.organisation})"
    return person.name


def _vtt_name(name: str) -> str:
    return name.replace("&", "&amp;").replace("'", "&#39;")


def _clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _teams_clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    if m >= 60:
        h, m = divmod(m, 60)
        return f"{h}:{m:02d}:{s:02d}"
    return f"{m}:{s:02d}"


def _old_clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h}:{m}:{s}.{ms:03d}"


def _split(turn: Turn, parts: int) -> list[str]:
    """Split a turn's text into up to ``parts`` chunks at unit (else word) boundaries."""
    units = turn.units
    if parts <= 1:
        return [turn.text]
    if len(units) >= parts:
        size = len(units) / parts
        cuts = [round(size * i) for i in range(parts + 1)]
        return [" ".join(units[a:b]) for a, b in pairwise(cuts) if b > a]
    words = turn.text.split(" ")
    size = len(words) / parts
    cuts = [round(size * i) for i in range(parts + 1)]
    return [" ".join(words[a:b]) for a, b in pairwise(cuts) if b > a]


class _Clock:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.t = float(rng.uniform(1.5, 9.0))

    def span(self, text: str) -> tuple[float, float]:
        start = self.t
        end = start + max(1.2, len(text.split()) / self.rng.uniform(2.3, 2.9))
        self.t = end + float(self.rng.uniform(0.2, 2.5))
        return start, end


def _labels(doc: Doc, variant: str, guests: bool = False) -> dict[str, str]:
    out = {p.pid: p.name for p in doc.team}
    for p in doc.participants:
        out[p.pid] = speaker_label(p, variant)
        # Teams marks people from outside the host organisation's tenant as guests.
        if guests and variant == "plain" and p.organisation_type in _GUEST_TYPES:
            out[p.pid] += " (Guest)"
    return out


_GUEST_TYPES = ("Voluntary sector", "Police", "National organisation")


def _headers(doc: Doc) -> list[str]:
    team = ", ".join(p.name for p in doc.team)
    who = (
        f"Facilitator{'s' if len(doc.team) > 1 else ''}: {team}"
        if doc.method == "Focus group"
        else f"Interviewer: {team}"
    )
    return [f"Date: {doc.when.isoformat()}", "Venue: Microsoft Teams", who]


def _teams_docx(doc: Doc, rng: np.random.Generator, variant: str) -> bytes:
    labels = _labels(doc, variant, guests=rng.random() < 0.5)
    style = rng.random()
    paras: list[str] = []
    if style < 0.3:
        paras += [_TITLE, f"{doc.when.day} {doc.when:%B %Y}, {int(rng.integers(9, 16))}:00"]
    elif style < 0.6:
        paras += _headers(doc)
    old = rng.random() < 0.1
    clock = _Clock(rng)
    for turn in doc.turns:
        start, end = clock.span(turn.text)
        if old:
            paras += [f"{_old_clock(start)} --> {_old_clock(end)}", labels[turn.speaker.pid]]
        else:
            paras.append(f"{labels[turn.speaker.pid]}   {_teams_clock(start)}")
        long = len(turn.units) >= 4 and len(turn.text.split()) > 90 and rng.random() < 0.5
        paras += _split(turn, 2) if long else [turn.text]
    return docx_bytes(paras, _TITLE)


def _legend_docx(doc: Doc, rng: np.random.Generator) -> bytes:
    interviewer, respondent = doc.team[0], doc.participants[0]
    paras = _headers(doc)[:1] if rng.random() < 0.5 else []
    paras += [
        f"I – Interviewer ({interviewer.name})",
        f"R – Respondent ({respondent.name})",
        "",
    ]
    for turn in doc.turns:
        abbr = "R" if turn.speaker.pid == respondent.pid else "I"
        paras.append(f"{abbr} – {turn.text}")
    return docx_bytes(paras, _TITLE)


def _teams_vtt(doc: Doc, rng: np.random.Generator, variant: str) -> bytes:
    labels = _labels(doc, variant, guests=rng.random() < 0.5)
    token = "".join(f"{int(b):02x}" for b in rng.integers(0, 256, size=16))
    meeting = f"{token[:8]}-{token[8:12]}-{token[12:16]}-{token[16:20]}-{token[20:]}"
    lines = ["WEBVTT", ""]
    clock = _Clock(rng)
    for n, turn in enumerate(doc.turns):
        words = len(turn.text.split())
        parts = 1 if words <= 25 else int(rng.integers(2, 4))
        name = _vtt_name(labels[turn.speaker.pid])
        for k, chunk in enumerate(_split(turn, parts)):
            start, end = clock.span(chunk)
            lines += [
                f"{meeting}/{n + 17}-{k}",
                f"{_clock(start)} --> {_clock(end)}",
                f"<v {name}>{chunk}</v>",
                "",
            ]
    return "\n".join(lines).encode("utf-8")


def _zoom_vtt(doc: Doc, rng: np.random.Generator) -> bytes:
    labels = _labels(doc, "plain")
    lines = ["WEBVTT", ""]
    clock = _Clock(rng)
    n = 0
    for turn in doc.turns:
        chunks = [turn.text]
        if len(turn.units) >= 3 and rng.random() < 0.25:
            first, rest = _split(turn, 2)
            if ":" not in rest:
                chunks = [first, rest]
        for k, chunk in enumerate(chunks):
            n += 1
            start, end = clock.span(chunk)
            text = chunk if k else f"{labels[turn.speaker.pid]}: {chunk}"
            lines += [str(n), f"{_clock(start)} --> {_clock(end)}", text, ""]
    return "\n".join(lines).encode("utf-8")


def _txt(doc: Doc, rng: np.random.Generator) -> bytes:
    labels = _labels(doc, "plain")
    stamped = rng.random() < 0.3
    lines = [*_headers(doc), ""] if rng.random() < 0.3 else []
    clock = _Clock(rng)
    for turn in doc.turns:
        start, _ = clock.span(turn.text)
        stamp = f"[{_clock(start)[:8]}] " if stamped else ""
        lines += [f"{stamp}{labels[turn.speaker.pid]}: {turn.text}", ""]
    text = "\n".join(lines).rstrip("\n") + "\n"
    bom = "\ufeff" if rng.random() < 0.3 else ""
    return (bom + text).encode("utf-8")


def render(doc: Doc, seed: int) -> tuple[bytes, str]:
    """The file bytes of ``doc`` in its format, and the speaker-name variant used.

    Parameters
    ----------
    doc : Doc
        A document with realised turns and ``fmt`` set.
    seed : int
        The study seed (each document draws from its own stream).

    Returns
    -------
    (bytes, str)
        The file content and ``plain``, ``surname_first`` or ``org``.
    """
    rng = stream(seed, f"render:{doc.doc_id}")
    variant = "plain"
    if doc.fmt in ("teams_docx", "teams_vtt"):
        draw = rng.random()
        variant = "surname_first" if draw < 0.08 else "org" if draw < 0.16 else "plain"
    if doc.fmt == "teams_docx":
        return _teams_docx(doc, rng, variant), variant
    if doc.fmt == "legend_docx":
        return _legend_docx(doc, rng), variant
    if doc.fmt == "teams_vtt":
        return _teams_vtt(doc, rng, variant), variant
    if doc.fmt == "zoom_vtt":
        return _zoom_vtt(doc, rng), variant
    return _txt(doc, rng), variant
