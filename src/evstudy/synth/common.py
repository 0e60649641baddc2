"""Shared pieces of the synthetic-study generator: random streams and records.

Every part of the generator draws from its own named random stream, derived
from the study seed, so that changing how one part uses randomness never
shifts what another part produces. The records here are plain dataclasses
passed between the modules.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date

import numpy as np

__all__ = [
    "Coding",
    "Doc",
    "Person",
    "Site",
    "Turn",
    "choice",
    "stream",
    "weighted_sample",
]


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random generator for the part of the generator called ``name``.

    Parameters
    ----------
    seed : int
        The study seed.
    name : str
        A fixed label for the consumer (e.g. ``"sites"``).

    Returns
    -------
    numpy.random.Generator
        Seeded from ``seed`` and a stable hash of ``name`` (never Python's ``hash``).
    """
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def choice(rng: np.random.Generator, items: list | tuple):
    """One item of a sequence, chosen uniformly."""
    return items[int(rng.integers(len(items)))]


def weighted_sample(
    rng: np.random.Generator, items: list[str], weights: list[float], k: int
) -> list[str]:
    """``k`` distinct items drawn without replacement with the given weights."""
    w = np.asarray(weights, dtype=float)
    k = min(k, int((w > 0).sum()))
    if k <= 0:
        return []
    idx = rng.choice(len(items), size=k, replace=False, p=w / w.sum())
    return [items[int(i)] for i in idx]


@dataclass
class Site:
    """One local authority of the synthetic study."""

    site_id: str
    name: str
    la_type: str
    tier: str
    region: str
    rurality: str
    imd_decile: int
    ethnic_minority_band: str
    foundations_partner: str
    domain: str
    profile: dict[str, str] = field(default_factory=dict)


@dataclass
class Person:
    """A participant (register row) or a member of the research team."""

    pid: str
    first: str
    last: str
    job_title: str
    organisation: str
    organisation_type: str
    site_id: str  # "" for experts and the team
    years_in_role: int
    email: str
    phone: str
    methods: list[str] = field(default_factory=list)
    consent_date: date | None = None
    withdrawal_date: date | None = None
    partner: bool = False
    quote_consent: bool = True  # the register's "Quote consent"

    @property
    def name(self) -> str:
        """The name as the register (and most transcripts) write it."""
        return f"{self.first} {self.last}"


@dataclass
class Coding:
    """One planted coding: the sentence(s) ``text`` in a turn express ``code``."""

    code: str
    text: str


@dataclass
class Turn:
    """One speaker turn, in the order it appears in the transcript."""

    speaker: Person
    role: str  # "Interviewer", "Facilitator" or "Participant"
    units: list[str] = field(default_factory=list)  # sentences/pieces joined by spaces
    codes: list[str] = field(default_factory=list)  # planned codes (before realisation)
    eligible: list[str] = field(default_factory=list)  # codes this answer may carry
    codings: list[Coding] = field(default_factory=list)
    topic: str = ""  # the schedule section the answer responds to (its first code)
    probed: bool = False  # the answer follows a probe ("Could you give me an example?")

    @property
    def text(self) -> str:
        """The turn's text: its units joined by single spaces."""
        return " ".join(self.units)


@dataclass
class Doc:
    """One transcript: interview, expert interview or focus group."""

    doc_id: str
    method: str  # "Interview", "Expert interview" or "Focus group"
    site_id: str
    when: date
    team: list[Person]
    participants: list[Person]
    turns: list[Turn] = field(default_factory=list)
    fmt: str = ""
    file: str = ""
    target_words: int = 0
