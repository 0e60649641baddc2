"""Proof that a withdrawn participant's words and pseudonym appear in no output.

The raw transcripts are read again and every turn of a participant with a withdrawal
date in the register is searched for in two ways:

- every *sentence* of theirs of :data:`SPAN` words or more, whole (any case, any
  punctuation), wherever it appears and whoever else said it: a facilitator or another
  participant repeating it word for word repeats their words;
- every run of :data:`SPAN` consecutive words of theirs, in excerpts and across
  sentences. A run that a speaker in another session (a document in which no withdrawn
  participant speaks) also said is a common phrase, said independently ("and I've seen that
  for two years now"), so it is not searched for; a run that anyone repeats in their own
  session is an echo, and is.

Ingest removes the same things from everyone else's turns and survey answers before
anything is written (:func:`withdrawn_words`, :meth:`WithdrawnWords.redact`), so the
search and the removal agree. The identity key gives the pseudonym the participant had,
which must not appear anywhere either.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evstudy.audit.identifiers import tokens
from evstudy.config import StudyConfig

__all__ = [
    "MARKER",
    "SPAN",
    "Withdrawn",
    "WithdrawnWords",
    "add_pseudonyms",
    "sentence_passages",
    "withdrawn_text",
    "withdrawn_words",
    "word_runs",
]

SPAN = 8  # words: long enough that a shared passage is a copy, not a coincidence
MARKER = "[withdrawn]"  # what ingest puts where someone else repeated withdrawn words
_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+")
_LOCATED_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")
WHY = (
    "the participant withdrew: the protocol promises that none of their words are used, so "
    "their turns, codings and quotes must be excluded from every output"
)


# First SPAN words of a sentence -> (the sentence's words, where it comes from) of each
# withdrawn sentence that starts with them.
Sentences = dict[str, list[tuple[tuple[str, ...], str]]]


def sentence_passages(text: str) -> list[tuple[str, ...]]:
    """The words (as :func:`~evstudy.audit.identifiers.tokens` gives them) of each sentence
    of ``text`` that has :data:`SPAN` words or more."""
    found = []
    for sentence in _SENTENCE_END.split(text):
        words = tokens(sentence)
        if len(words) >= SPAN:
            found.append(tuple(words))
    return found


def _add_sentence(sentences: Sentences, words: tuple[str, ...], source: str) -> None:
    entries = sentences.setdefault(" ".join(words[:SPAN]), [])
    if all(known != words for known, _ in entries):
        entries.append((words, source))


# What may stand just before and just after a sentence repeated as a sentence: the edge
# of the text, a sentence's end, a colon, a quotation mark, a bracket, a table cell's edge.
_OPENS = frozenset(".!?\u2026:;\"'\u201c\u2018\u201d\u2019([|\n")
_CLOSES = frozenset(".!?\u2026:;\"'\u201d\u2019)]|\n")


def _located(text: str) -> tuple[str, list[re.Match], list[str]]:
    """``text`` composed (NFC), its words' matches, and the words as :func:`tokens` gives
    them (the same list)."""
    composed = unicodedata.normalize("NFC", text)
    located = list(_LOCATED_WORD.finditer(composed))
    return composed, located, [(tokens(m.group()) or [""])[0] for m in located]


def _bounded(composed: str, located: list[re.Match], start: int, end: int) -> bool:
    """Whether words ``start`` to ``end`` stand as a sentence of their own in the text."""
    before = composed[: located[start].start()].rstrip()
    after = composed[located[end - 1].end() :].lstrip()
    return (not before or before[-1] in _OPENS) and (not after or after[0] in _CLOSES)


def _match_at(
    words: list[str],
    i: int,
    sentences: Sentences,
    windows: set[str] | dict[str, str],
    bounded: Callable[[int, int], bool],
) -> tuple[int, str] | None:
    """(end, source) of the withdrawn sentence, or else the run in ``windows``, that
    starts at word ``i``; None when none does. ``windows`` maps a run to its source, or
    is a set of runs. A sentence counts where ``bounded(start, end)`` says it stands as a
    sentence: a stock clause inside someone else's sentence ("Speaking nationally, the
    guide needs costs.") was said independently, not repeated."""
    key = " ".join(words[i : i + SPAN])
    for sentence, source in sentences.get(key, ()):
        end = i + len(sentence)
        if tuple(words[i:end]) == sentence and bounded(i, end):
            return end, source
    if key in windows:
        return i + SPAN, windows[key] if isinstance(windows, dict) else ""
    return None


@dataclass
class Withdrawn:
    """Distinctive passages, whole sentences and pseudonyms of the participants who withdrew."""

    passages: dict[str, str] = field(default_factory=dict)  # "w1 … w8" -> source
    pseudonyms: dict[str, str] = field(default_factory=dict)  # participant_id -> source
    people: int = 0
    turns: int = 0
    all_passages: int = 0
    unchecked_turns: int = 0  # too short, or every run said in another session too
    sentences: Sentences = field(default_factory=dict)
    _starts: set[tuple[str, str]] = field(default_factory=set)

    def summary(self) -> dict[str, int]:
        return {
            "withdrawn participants": self.people,
            "their turns": self.turns,
            f"{SPAN}-word passages": self.all_passages,
            "distinctive passages searched for": len(self.passages),
            "whole sentences searched for": sum(map(len, self.sentences.values())),
            "turns with no distinctive passage": self.unchecked_turns,
            "pseudonyms searched for": len(self.pseudonyms),
        }

    def find(self, text: str) -> Iterator[tuple[str, str, str]]:
        """(kind, what was found, why) for withdrawn words or pseudonyms in ``text``."""
        if self.passages or self.sentences:
            words = tokens(text)
            starts = self._starts
            where: list = []  # the text's located words, worked out only when needed

            def bounded(start: int, end: int) -> bool:
                if not where:
                    where.extend(_located(text)[:2])
                    if len(where[1]) != len(words):  # cannot happen; search it anyway
                        return True
                return _bounded(where[0], where[1], start, end)

            # Most words start nothing searched for: only those that do are looked up.
            candidates = [
                i for i in range(len(words) - SPAN + 1) if (words[i], words[i + 1]) in starts
            ]
            for i in candidates:
                hit = _match_at(words, i, self.sentences, self.passages, bounded)
                if hit is not None:
                    yield (
                        "withdrawn_text",
                        f"{SPAN} or more consecutive words spoken by a participant "
                        f"who withdrew ({hit[1]})",
                        WHY,
                    )
                    break
        for pid, source in self.pseudonyms.items():
            if pid in text and re.search(rf"(?<!\w){re.escape(pid)}(?!\w)", text):
                what = f"the pseudonym of a participant who withdrew ({source})"
                yield "withdrawn_pseudonym", what, WHY


@dataclass
class WithdrawnWords:
    """What ingest removes from everyone else's words: each withdrawn participant's
    sentences of :data:`SPAN` words or more, wherever they are repeated as a sentence, and
    any run of :data:`SPAN` words of theirs repeated in a session they spoke in
    (``sessions``) that is not a common phrase (said in another session too)."""

    sentences: Sentences = field(default_factory=dict)
    windows: set[str] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.sentences)

    def redact(self, text: str, doc_id: str | None = None) -> tuple[str, int]:
        """``text`` with each repeated passage replaced by :data:`MARKER`, and how many.

        Passages that touch or overlap are one. ``doc_id`` is the document the text is
        from: in a session a withdrawn participant spoke in, runs are removed as well as
        sentences. Text with nothing removed comes back as it was.
        """
        if not self.sentences or not text:
            return text, 0
        composed, located, words = _located(text)
        windows = self.windows if doc_id in self.sessions else set()

        def bounded(start: int, end: int) -> bool:
            return _bounded(composed, located, start, end)

        spans: list[list[int]] = []
        for start in range(len(words) - SPAN + 1):
            hit = _match_at(words, start, self.sentences, windows, bounded)
            if hit is None:
                continue
            end = hit[0]
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
        if not spans:
            return text, 0
        parts, at = [], 0
        for start, end in spans:
            parts += [composed[at : located[start].start()], MARKER]
            at = located[end - 1].end()
        parts.append(composed[at:])
        return "".join(parts), len(spans)


def word_runs(text: str) -> set[str]:
    """Every run of :data:`SPAN` consecutive words of ``text`` (as :func:`tokens` gives
    them), joined by spaces: what the audit searches outputs for."""
    words = tokens(text)
    return {" ".join(words[i : i + SPAN]) for i in range(len(words) - SPAN + 1)}


def _read_turns(config: StudyConfig, register: Any) -> Iterator[tuple[str, str, str]]:
    """(doc_id, speaker, text) of every turn of every logged transcript, read as ingest
    reads it (so that a role-only legend means the same person here)."""
    from evstudy.io.tables import files_by_name, logged_file, read_fieldwork_log
    from evstudy.io.transcripts import read_transcript

    log = read_fieldwork_log(config.path("fieldwork_log"), label=config.files["fieldwork_log"])
    known = [m.name for m in config.team] + list(register["name"])
    folder = config.path("transcripts")
    on_disk = files_by_name(folder)  # names compared composed (NFC), as ingest does
    for row in log.to_dict("records"):
        transcript = read_transcript(
            logged_file(folder, row["file"], on_disk),
            known_speakers=known,
            team={m.name: m.role for m in config.team},
            ran_by=row["ran_by"],
            participants=row["participants"],
        )
        for turn in transcript.turns:
            yield row["doc_id"], turn.speaker, turn.text


def withdrawn_words(turns: Iterable[tuple[str, str, str | None]]) -> WithdrawnWords:
    """What ingest removes from the words of everyone who stays.

    Parameters
    ----------
    turns : iterable of (doc_id, text, source)
        Every transcript turn; ``source`` names the register row of a speaker who
        withdrew ("register.xlsx row 7") and is None for everyone else.
    """
    found = WithdrawnWords()
    turns = list(turns)
    for doc_id, text, source in turns:
        if source is None:
            continue
        found.sessions.add(doc_id)
        found.windows |= word_runs(text)
        for words in sentence_passages(text):
            _add_sentence(found.sentences, words, source)
    # As the audit does: a run said in a session without them too is a common phrase.
    for doc_id, text, source in turns:
        if source is None and doc_id not in found.sessions and found.windows:
            found.windows -= word_runs(text)
    return found


def withdrawn_text(config: StudyConfig, key_dir: Path | None) -> Withdrawn:
    """What to search the outputs for: withdrawn participants' sentences and distinctive
    passages.

    Parameters
    ----------
    config : StudyConfig
        The raw folder's configuration.
    key_dir : Path, optional
        The identity-key folder; without a key, pseudonyms are not searched for (add them
        later with :func:`add_pseudonyms`).
    """
    from evstudy.io.register import read_register
    from evstudy.privacy import canonical_name

    register_file = config.files["register"]
    register = read_register(config.path("register"), label=register_file)
    gone = register[register["withdrawal_date"].notna()]
    found = Withdrawn(people=len(gone))
    if gone.empty:
        return found
    source = {
        canonical_name(r["name"]): f"{register_file} row {r['row']}" for _, r in gone.iterrows()
    }
    add_pseudonyms(found, config, key_dir, register=register)

    theirs: list[tuple[set[str], list[tuple[str, ...]], str]] = []
    others: dict[str, set[str]] = {}  # doc_id -> runs said there by people who stay
    sessions: set[str] = set()
    for doc_id, speaker, text in _read_turns(config, register):
        who = source.get(canonical_name(speaker))
        if who:
            theirs.append((word_runs(text), sentence_passages(text), who))
            sessions.add(doc_id)
        else:
            others.setdefault(doc_id, set()).update(word_runs(text))
    # Only what was said in a session no withdrawn participant spoke in is independent.
    independent = set().union(*(spans for doc, spans in others.items() if doc not in sessions))
    found.turns = len(theirs)
    found.all_passages = len(set().union(*(spans for spans, _, _ in theirs)))
    for spans, whole, who in theirs:
        distinctive = spans - independent
        found.unchecked_turns += not distinctive and not whole
        for passage in distinctive:
            found.passages[passage] = who
        for words in whole:
            _add_sentence(found.sentences, words, who)
    found._starts = {tuple(p.split(" ", 2)[:2]) for p in [*found.passages, *found.sentences]}
    return found


def add_pseudonyms(
    found: Withdrawn, config: StudyConfig, key_dir: Path | None, *, register: Any = None
) -> Withdrawn:
    """Add to ``found`` the pseudonyms the identity key gave the participants who withdrew.

    The key is written by ingest, so a search worked out while ingest ran (with no key)
    gets its pseudonyms here, afterwards. Returns ``found``.
    """
    from evstudy.io.register import read_register
    from evstudy.privacy import read_identity_key

    if key_dir is None or not Path(key_dir).is_dir():
        return found
    register_file = config.files["register"]
    if register is None:
        register = read_register(config.path("register"), label=register_file)
    gone = register[register["withdrawal_date"].notna()]
    emails = {
        str(r["email"]).casefold(): f"{register_file} row {r['row']}" for _, r in gone.iterrows()
    }
    for pid, _, email in read_identity_key(Path(key_dir)).rows:
        if email.casefold() in emails:
            found.pseudonyms[pid] = emails[email.casefold()]
    return found
