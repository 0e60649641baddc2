"""Who says what: the turns of every transcript, composed from the phrase bank.

Planning and writing are separate steps. :func:`plan_turns` lays out each document's
turns (questions from the schedules, answers with the codes they will express), so the
planted truth can repair the plan of codes before any words exist. :func:`realise` then
writes each answer from hedges, one phrasing per planned code, neutral sentences and the
odd digression, and records the exact sentence that expresses each code.
"""

from __future__ import annotations

import re

import numpy as np

from evstudy.synth import phrases as P
from evstudy.synth.codebook_spec import LEAF_IDS, THEME_IDS
from evstudy.synth.common import Coding, Doc, Person, Turn, choice, stream, weighted_sample
from evstudy.synth.padding import REMARKS
from evstudy.synth.people import People
from evstudy.synth.truth import Truth, code_weights

__all__ = ["Composer", "plan_turns", "realise", "texts"]

_PROBES = (
    "Could you give me an example of that?",
    "Can you say a bit more about that?",
    "How did that come about?",
    "And would you say that's typical?",
)
_FG_PROBES = (
    "Does anyone else want to come in on that?",
    "Is that similar for others?",
    "Anyone see it differently?",
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def texts(value: object) -> list[str]:
    """A phrase-bank entry as a flat list of strings (it may be a string, list or dict)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for key in sorted(value) for t in texts(value[key])]
    return [t for item in value for t in texts(item)]


def _clean(text: str) -> str:
    return " ".join(text.replace(" & ", " and ").split())


def _leaves(codes: list[str]) -> list[str]:
    out: list[str] = []
    for code in codes:
        found = [c for c in LEAF_IDS if c.startswith(code + ".")] if code in THEME_IDS else [code]
        out += [c for c in found if c in LEAF_IDS and c not in out]
    return out


def _sections(method: str) -> list[dict]:
    bank = {
        "Interview": P.SCHEDULE,
        "Expert interview": P.EXPERT_SCHEDULE,
        "Focus group": P.FOCUS_GROUP_PROMPTS,
    }[method]
    out = []
    for section in bank:
        questions = [_clean(q) for q in texts(section.get("questions"))]
        if questions:
            out.append({"questions": questions, "codes": _leaves(list(section.get("codes", [])))})
    return out


class Composer:
    """The phrase decks and bookkeeping shared by every document of one study.

    Each code's phrasings are dealt from a shuffled deck, so every phrasing is used before
    any repeats and the corpus uses as many distinct phrasings per code as it can.
    """

    def __init__(self, seed: int, people: People, truth: Truth) -> None:
        self.rng = stream(seed, "dialogue")
        self.people = people
        self.truth = truth
        self.expressions = {
            (bank, c): [_clean(t) for t in texts(source.get(c))]
            for bank, source in (("all", P.EXPRESSIONS), ("expert", P.EXPERT_EXPRESSIONS))
            for c in LEAF_IDS
        }
        self.decks: dict[tuple[str, str], list[int]] = {}
        self.used: dict[str, set[tuple[str, int]]] = {c: set() for c in LEAF_IDS}
        self.hedges = [_clean(t) for t in texts(P.HEDGES)]
        self.fillers = [_clean(t) for t in texts(P.FILLERS)]
        self.neutral = [_clean(t) for t in texts(P.NEUTRAL)]
        self.digressions = [_clean(t) for t in texts(P.DIGRESSIONS)]
        self.acks = [_clean(t) for t in texts(P.INTERVIEWER_ACKS)]
        self.opening = [_clean(t) for t in texts(P.OPENING)]
        self.closing = [_clean(t) for t in texts(P.CLOSING)]
        self.fg_opening = [_clean(t) for t in texts(P.FOCUS_GROUP_OPENING)] or self.opening
        self.fg_closing = [_clean(t) for t in texts(P.FOCUS_GROUP_CLOSING)] or self.closing
        self.seen: set[str] = set()

    # -- phrase helpers -------------------------------------------------------------
    def colleague(self, site_id: str) -> str:
        return choice(self.rng, self.people.colleagues[site_id])

    def fill(self, text: str, site_id: str) -> tuple[str, list[str]]:
        names: list[str] = []
        while "{colleague}" in text:
            name = self.colleague(site_id)
            names.append(name)
            text = text.replace("{colleague}", name, 1)
        return text, names

    def expression(self, code: str, expert: bool) -> str:
        """The next phrasing of ``code`` from its deck (experts have a bank of their own)."""
        bank = "expert" if expert and self.expressions[("expert", code)] else "all"
        if bank == "expert" and self.rng.random() < 0.4:
            bank = "all"
        deck = self.decks.get((bank, code))
        if not deck:
            n = len(self.expressions[(bank, code)])
            deck = [int(i) for i in self.rng.permutation(n)]
            self.decks[(bank, code)] = deck
        index = deck.pop()
        self.used[code].add((bank, index))
        return self.expressions[(bank, code)][index]

    def neutral_unit(self, deck: list[str]) -> str:
        """The next code-free remark from a document's shuffled deck."""
        if not deck:
            deck += [REMARKS[int(i)] for i in self.rng.permutation(len(REMARKS))]
        return deck.pop()

    def persona(self, person: Person, expert: bool) -> list[str]:
        """Two or three of the phrase bank's sentences about oneself, for one person."""
        if expert or not self.neutral:
            return []
        k = min(len(self.neutral), int(self.rng.integers(2, 4)))
        return [self.neutral[int(i)] for i in self.rng.permutation(len(self.neutral))[:k]]

    def lead_in(self, unit: str) -> str:
        """Maybe put a hedge in front of a sentence, or a filler at its end."""
        draw = self.rng.random()
        if self.hedges and draw < 0.15:
            return P.with_opener(choice(self.rng, self.hedges), unit)
        if self.fillers and draw < 0.25 and unit.endswith(".") and not unit.endswith(".."):
            return f"{unit[:-1]}, {choice(self.rng, self.fillers)}."
        return unit


def _coded_text(text: str, names: list[str]) -> str:
    """The passage a coder would highlight: the expression, minus any sentence naming someone."""
    if not names:
        return text
    clean = [s for s in _SENTENCE.split(text) if not any(n in s for n in names)]
    if clean:
        return max(clean, key=len)
    parts = re.split("|".join(re.escape(n) for n in names), text)
    parts = [p.strip(" ,;:–-") for p in parts]
    parts = [p for p in parts if len(p.split()) >= 4]
    return max(parts, key=len) if parts else text


def _answer_codes(
    rng: np.random.Generator, section: dict, off: list[str], w: dict, fg: bool
) -> list[str]:
    k = int(rng.choice([1, 2], p=[0.6, 0.4]) if fg else rng.choice([1, 2, 3], p=[0.3, 0.5, 0.2]))
    items = section["codes"]
    codes = weighted_sample(rng, items, [w.get(c, 1.0) for c in items], k)
    if off and rng.random() < 0.25:
        codes += weighted_sample(rng, off, [w.get(c, 1.0) for c in off], 1)
    return codes


def plan_turns(doc: Doc, truth: Truth, composer: Composer) -> None:
    """Lay out ``doc.turns``: questions with their text, answers with planned codes."""
    rng = composer.rng
    sections = _sections(doc.method)
    on = {c for s in sections for c in s["codes"]}
    off = [c for c in LEAF_IDS if c not in on]
    for s in sections:
        s["eligible"] = list(dict.fromkeys(s["codes"] + off))
    fg = doc.method == "Focus group"
    lead = doc.team[0]
    role = "Facilitator" if fg else "Interviewer"
    turns: list[Turn] = []

    def ask(speaker: Person, text: str) -> None:
        turns.append(Turn(speaker, composer.people.team_roles.get(speaker.name, role), [text]))

    def answer(person: Person, section: dict | None) -> None:
        t = Turn(person, "Participant")
        if section is not None:
            w = code_weights(truth, doc, person.partner, LEAF_IDS)
            t.codes = _answer_codes(rng, section, off, w, fg)
            t.eligible = section["eligible"]
        turns.append(t)

    ask(lead, choice(rng, composer.fg_opening if fg else composer.opening))
    per_answer = 120 if fg else 135
    n_answers = max(len(sections), doc.target_words // per_answer)
    rounds = max(len(sections), n_answers // 3) if fg else n_answers
    extra = rounds - len(sections)
    counts = [1] * len(sections)
    for i in rng.integers(0, len(sections), size=max(0, extra)):
        if counts[int(i)] < len(sections[int(i)]["questions"]):
            counts[int(i)] += 1
    spoken = {p.pid: 0 for p in doc.participants}
    if not fg:
        answer(doc.participants[0], None)
    for s, n_q in zip(sections, counts, strict=True):
        picked = sorted((1 + rng.permutation(len(s["questions"]) - 1))[: n_q - 1].tolist())
        for q in [0, *picked]:
            question = s["questions"][q]
            asker = doc.team[int(rng.integers(len(doc.team)))] if fg else lead
            if fg and turns[-1].speaker is asker and len(doc.team) > 1:
                asker = doc.team[1] if asker is doc.team[0] else doc.team[0]
            if composer.acks and len(turns) > 2 and rng.random() < 0.6:
                question = f"{choice(rng, composer.acks)} {question}"
            if turns[-1].speaker is asker:
                turns[-1].units.append(question)
            else:
                ask(asker, question)
            if not fg:
                answer(doc.participants[0], s)
                if rng.random() < 0.2:
                    ask(lead, choice(rng, _PROBES))
                    answer(doc.participants[0], s)
                continue
            n_speak = int(rng.integers(2, min(5, len(doc.participants) + 1)))
            order = sorted(doc.participants, key=lambda p: (spoken[p.pid], rng.random()))
            for j, person in enumerate(order[:n_speak]):
                if j and rng.random() < 0.15:
                    ask(doc.team[-1], choice(rng, _FG_PROBES))
                answer(person, s)
                spoken[person.pid] += 1
    ask(lead, choice(rng, composer.fg_closing if fg else composer.closing))
    if fg:
        for person in [p for p in doc.participants if spoken[p.pid] == 0][:1] or [
            doc.participants[int(rng.integers(len(doc.participants)))]
        ]:
            answer(person, None)
    else:
        answer(doc.participants[0], None)
    doc.turns = turns


def _short_reply(composer: Composer, deck: list[str], persona: list[str]) -> list[str]:
    unit = persona.pop(0) if persona else composer.neutral_unit(deck)
    return [composer.lead_in(unit)]


def realise(doc: Doc, composer: Composer) -> None:
    """Write the words of every participant turn of ``doc`` and record its codings."""
    rng = composer.rng
    site = doc.site_id
    deck: list[str] = []
    expert = doc.method == "Expert interview"
    personas = {p.pid: composer.persona(p, expert) for p in doc.participants}
    for turn in doc.turns:
        if turn.role != "Participant":
            continue
        persona = personas[turn.speaker.pid]
        if not turn.codes:
            turn.units = _short_reply(composer, deck, persona)
            continue
        units: list[str] = []
        for code in turn.codes:
            if rng.random() < 0.35:
                unit = persona.pop(0) if persona else composer.neutral_unit(deck)
                units.append(composer.lead_in(unit))
            raw, skip = composer.expression(code, expert), 0
            if composer.hedges and rng.random() < 0.25:
                hedge = choice(rng, composer.hedges)
                raw, skip = P.with_opener(hedge, raw), len(hedge) + 1
            text, names = composer.fill(raw, site)
            body = text[skip:]  # the expression as spoken, after any hedge
            units.append(text)
            turn.codings.append(Coding(code, _coded_text(body, names)))
        if composer.digressions and rng.random() < 0.12:
            units.insert(
                int(rng.integers(0, len(units) + 1)),
                composer.fill(choice(rng, composer.digressions), site)[0],
            )
        turn.units = units
    # Pad answers with neutral sentences until the document reaches its length.
    answers = [t for t in doc.turns if t.role == "Participant" and t.codes]
    words = sum(len(t.text.split()) for t in doc.turns)
    while answers and words < doc.target_words:
        turn = answers[int(rng.integers(len(answers)))]
        unit = composer.lead_in(composer.neutral_unit(deck))
        turn.units.insert(int(rng.integers(0, len(turn.units) + 1)), unit)
        words += len(unit.split())
    for turn in doc.turns:
        if turn.role == "Participant":
            while turn.text in composer.seen:
                turn.units.append(composer.lead_in(composer.neutral_unit(deck)))
            composer.seen.add(turn.text)
