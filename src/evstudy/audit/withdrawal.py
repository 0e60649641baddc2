"""Proof that a withdrawn participant's words and pseudonym appear in no output.

The raw transcripts are read again and every turn of a participant with a withdrawal
date in the register is cut into passages of :data:`SPAN` consecutive words. A passage
that someone else also said (the same sentence in another interview) proves nothing, so
only passages found in no other speaker's turns are searched for. The identity key gives
the pseudonym the participant had, which must not appear anywhere either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evstudy.audit.identifiers import tokens
from evstudy.config import StudyConfig

__all__ = ["SPAN", "Withdrawn", "add_pseudonyms", "withdrawn_text"]

SPAN = 8  # words: long enough that a shared passage is a copy, not a coincidence
WHY = (
    "the participant withdrew: the protocol promises that none of their words are used, so "
    "their turns, codings and quotes must be excluded from every output"
)


@dataclass
class Withdrawn:
    """Distinctive passages and pseudonyms of the participants who withdrew."""

    passages: dict[str, str] = field(default_factory=dict)  # "w1 … w8" -> source
    pseudonyms: dict[str, str] = field(default_factory=dict)  # participant_id -> source
    people: int = 0
    turns: int = 0
    all_passages: int = 0
    unchecked_turns: int = 0  # too short, or said word for word by someone else too
    _starts: set[tuple[str, str]] = field(default_factory=set)

    def summary(self) -> dict[str, int]:
        return {
            "withdrawn participants": self.people,
            "their turns": self.turns,
            f"{SPAN}-word passages": self.all_passages,
            "distinctive passages searched for": len(self.passages),
            "turns with no distinctive passage": self.unchecked_turns,
            "pseudonyms searched for": len(self.pseudonyms),
        }

    def find(self, text: str) -> Iterator[tuple[str, str, str]]:
        """(kind, what was found, why) for withdrawn words or pseudonyms in ``text``."""
        if self.passages:
            words = tokens(text)
            for i in range(len(words) - SPAN + 1):
                if (words[i], words[i + 1]) in self._starts:
                    source = self.passages.get(" ".join(words[i : i + SPAN]))
                    if source:
                        yield (
                            "withdrawn_text",
                            f"{SPAN} or more consecutive words spoken by a participant "
                            f"who withdrew ({source})",
                            WHY,
                        )
                        break
        for pid, source in self.pseudonyms.items():
            if pid in text and re.search(rf"(?<!\w){re.escape(pid)}(?!\w)", text):
                what = f"the pseudonym of a participant who withdrew ({source})"
                yield "withdrawn_pseudonym", what, WHY


def _passages(words: list[str]) -> set[str]:
    return {" ".join(words[i : i + SPAN]) for i in range(len(words) - SPAN + 1)}


def withdrawn_text(config: StudyConfig, key_dir: Path | None) -> Withdrawn:
    """What to search the outputs for: withdrawn participants' distinctive passages.

    Parameters
    ----------
    config : StudyConfig
        The raw folder's configuration.
    key_dir : Path, optional
        The identity-key folder; without a key, pseudonyms are not searched for (add them
        later with :func:`add_pseudonyms`).
    """
    from evstudy.io.register import read_register
    from evstudy.io.tables import files_by_name, logged_file, read_fieldwork_log
    from evstudy.io.transcripts import read_transcript
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

    log = read_fieldwork_log(config.path("fieldwork_log"), label=config.files["fieldwork_log"])
    known = [m.name for m in config.team] + list(register["name"])
    theirs: list[tuple[set[str], str]] = []
    others: set[str] = set()
    folder = config.path("transcripts")
    on_disk = files_by_name(folder)  # names compared composed (NFC), as ingest does
    for row in log.to_dict("records"):
        # Read as ingest reads it, so a role-only legend means the same person here.
        transcript = read_transcript(
            logged_file(folder, row["file"], on_disk),
            known_speakers=known,
            team={m.name: m.role for m in config.team},
            ran_by=row["ran_by"],
            participants=row["participants"],
        )
        for turn in transcript.turns:
            spans = _passages(tokens(turn.text))
            who = source.get(canonical_name(turn.speaker))
            if who:
                theirs.append((spans, who))
            else:
                others |= spans
    found.turns = len(theirs)
    found.all_passages = len(set().union(*(spans for spans, _ in theirs)))
    for spans, who in theirs:
        distinctive = spans - others
        found.unchecked_turns += not distinctive
        for passage in distinctive:
            found.passages[passage] = who
    found._starts = {tuple(p.split(" ", 2)[:2]) for p in found.passages}
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
