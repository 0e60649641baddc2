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
from evstudy.synth.common import (
    Coding,
    Doc,
    Person,
    Site,
    Turn,
    choice,
    stream,
    weighted_sample,
)
from evstudy.synth.padding import REMARKS
from evstudy.synth.people import People
from evstudy.synth.truth import Truth, code_weights
from evstudy.synth.voices import (
    Ledger,
    Persona,
    SiteFacts,
    detail,
    elaborate,
    make_persona,
    make_site_facts,
    norm,
    sentences,
    smart,
)

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
            codes = list(section.get("codes", []))
            out.append({"questions": questions, "codes": _leaves(codes), "topic": codes[0]})
    return out


class Composer:
    """The phrase decks and bookkeeping shared by every document of one study.

    Each code's phrasings are dealt from a shuffled deck, so every phrasing is used before
    any repeats and the corpus uses as many distinct phrasings per code as it can.
    """

    def __init__(
        self,
        seed: int,
        people: People,
        truth: Truth,
        sites: list[Site] | None = None,
        n_docs: int = 100,
    ) -> None:
        self.seed = seed
        self.rng = stream(seed, "dialogue")
        self.sites = {s.site_id: s for s in sites or []}
        self.facts: dict[str, SiteFacts] = {}
        self.personas: dict[str, Persona] = {}
        self.ledger = Ledger(n_docs)
        self.seen: set[str] = set()
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

    def site_facts(self) -> dict[str, SiteFacts]:
        """Every site's facts, made once, in site order: each site's place and provider
        names are its own (no other site's, and no site's name)."""
        if not self.facts and self.sites:
            taken = {s.name for s in self.sites.values()}
            for site_id in sorted(self.sites):
                vcs = [
                    p.organisation
                    for p in self.people.interviewees.get(site_id, [])
                    + self.people.focus.get(site_id, [])
                    if p.organisation_type == "Voluntary sector"
                ]
                facts = make_site_facts(self.seed, self.sites[site_id], vcs, taken=frozenset(taken))
                taken |= {x for x in facts.localities if not x.startswith("the ")}
                taken |= set(facts.providers[len(vcs[:1]) :]) | set(facts.programmes)
                self.facts[site_id] = facts
        return self.facts

    def persona(self, person: Person) -> Persona:
        """The persona of ``person``, made once and kept for all their answers."""
        if person.pid not in self.personas:
            facts = None
            if person.site_id:
                facts = self.site_facts()[person.site_id]
            self.personas[person.pid] = make_persona(
                self.seed, person, facts, self.hedges, self.fillers
            )
        return self.personas[person.pid]


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
            t.topic = section["topic"]
            t.probed = turns[-1].text in _PROBES
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


# How an answer starts, by the schedule section it answers (the section's first code).
_OPENERS: dict[str, tuple[str, ...]] = {
    "approach.cycle": (
        "It depends a bit on the size of the contract.",
        "The formal answer and the real answer are slightly different.",
        "It's changed quite a lot in the time I've been here.",
        "There's the process on paper, and then there's what actually happens.",
        "The {board} is where most of it comes together.",
        "I can only really speak for my corner of it.",
    ),
    "approach.decommissioning": (
        "Reviewing is the bit we're weakest at, if I'm honest.",
        "We do review things, but stopping them is another matter.",
        "The {prog} is probably the best example I've got.",
        "There's a review point built into every contract, in theory.",
    ),
    "influence.families": (
        "A lot of different voices, really.",
        "It varies from one decision to the next.",
        "Take the {prog} decision, for example.",
        "Fewer people than you'd think, in the end.",
        "It's rarely just one thing.",
    ),
    "evidence.research": (
        "Evidence means quite a few things here.",
        "It's a mix, and it depends on the service.",
        "When we say evidence-based, we usually mean a few different things.",
        "It depends who's writing the paper, honestly.",
    ),
    "toolkit.nice": (
        "There are a few I go back to.",
        "Not as many as I probably should.",
        "It depends what the question is.",
        "A handful, and mostly the same ones.",
    ),
    "toolkit.eif_guidebook": (
        "I've used the Guidebook a bit, yes.",
        "Some of us have, some haven't.",
        "I know of them more than I've used them.",
        "Yes, though not for a while.",
    ),
    "toolkit.strength": (
        "They did some things really well.",
        "The strengths were real, I think.",
        "Quite a lot, actually.",
    ),
    "toolkit.weakness": (
        "Where they fell down was mostly on use.",
        "There were gaps, definitely.",
        "I'd be honest about the weaknesses.",
    ),
    "barrier.skills": (
        "Where do I start?",
        "There are a few things, honestly.",
        "It's mostly practical things for us.",
        "Time and money, mostly, but not only that.",
        "The obstacles are pretty familiar ones.",
    ),
    "barrier.relevance": (
        "That's a big question.",
        "Part of it is how guidance lands locally.",
        "I've thought about that a fair bit.",
    ),
    "enabler.training": (
        "When it works, it's usually down to people.",
        "A few things help, I think.",
        "Where it's gone well, there's usually a reason.",
        "The {prog} is where I've seen it work best.",
    ),
    "enabler.summaries": (
        "A few things make a real difference.",
        "I've seen it done well in a handful of places.",
    ),
    "guide.summary": (
        "Short, mainly.",
        "Practical above all.",
        "Something I could actually use on a Tuesday morning.",
        "Honestly, less rather than more.",
    ),
    "guide.digital": (
        "Format matters more than people think.",
        "Where people already are, basically.",
    ),
    "emergent.workforce": (
        "Just one thing, maybe.",
        "Only that the pressures haven't gone away.",
        "Nothing huge, but one thing.",
    ),
}
_PROBE_OPENERS = (
    "Yes, of course.",
    "Let me think.",
    "Sure.",
    "An example, yes.",
    "Yes, so.",
    "Okay, so the obvious one.",
    "Right, yes.",
)
_BUILD_ON = (
    "Just to build on that.",
    "Same for us, really.",
    "I'd agree with that.",
    "Coming in on that point.",
    "Slightly different view from me.",
    "Yes, that's our experience too.",
    "I'd go along with that, mostly.",
    "Can I just add to that?",
    "I'd push back a little on that.",
    "That chimes with me.",
)
_BUT_IN = (
    "Sorry, can I just come in there?",
    "Sorry to jump in.",
    "Sorry, just on that.",
    "Can I just jump in?",
)
_CONSENT = (
    "Yes, that's fine.",
    "Yes, happy to go ahead.",
    "Yes, that's all fine with me.",
    "Of course, go ahead.",
    "Yes, no problem.",
    "That's fine, yes.",
    "Yep, all good.",
)
_CLOSERS = (
    "No, I think I've covered it.",
    "I think that's everything, thanks.",
    "Nothing more from me.",
    "No, that's it, I think.",
    "Only that I'm glad someone's looking at this.",
    "No, thank you for asking.",
    "I'd be interested to see the findings.",
    "Not really, it's been useful to reflect.",
    "Just thanks for the chance to talk.",
    "Good luck with the rest of it.",
)
_CHAT = (
    "Thanks all \U0001f44d",
    "Cheers, everyone \U0001f642",
    "Thanks for having me \U0001f44d",
)
_DOCX = ("teams_docx", "legend_docx")


def _opener(composer: Composer, persona: Persona, turn: Turn) -> str | None:
    rng = composer.rng
    if turn.probed:
        return choice(rng, _PROBE_OPENERS)
    pool = _OPENERS.get(turn.topic)
    if not pool or rng.random() > 0.55:
        return None
    text = choice(rng, pool)
    if "{" in text:
        facts = persona.facts
        if facts is None:
            return None
        text = text.format(board=facts.board, prog=choice(rng, facts.programmes))
    return text


def _with_habit(persona: Persona, rng: np.random.Generator, unit: str) -> str:
    """A speaker's verbal habits: one of their hedges in front, or a filler at the end."""
    draw = rng.random()
    if draw < 0.15 and persona.hedges:
        return P.with_opener(choice(rng, persona.hedges), unit)
    if draw < 0.25 and persona.fillers and unit.endswith(".") and " " in unit:
        return f"{unit[:-1]}, {choice(rng, persona.fillers)}."
    return unit


def _inaudible(unit: str, rng: np.random.Generator) -> str:
    words = unit.split(" ")
    if len(words) < 8:
        return unit
    i = int(rng.integers(2, len(words) - 3))
    return " ".join([*words[:i], "[inaudible]", *words[i + 1 :]])


class _Turns:
    """One document's realisation: the ledger's ``last`` sentence and the units said."""

    def __init__(self, doc: Doc, composer: Composer) -> None:
        self.doc = doc
        self.c = composer
        self.last = ""

    def say(self, persona: Persona, text: str, optional: bool = False) -> str:
        out = self.c.ledger.fresh(
            text, persona, self.c.rng, self.doc.doc_id, self.last, optional=optional
        )
        self.last = out or self.last
        return out

    def detail(self, persona: Persona, topic: str | None = None) -> str:
        rng = self.c.rng
        unit = detail(persona, rng, topic)
        if rng.random() < 0.5:
            unit = _with_habit(persona, rng, unit)
        return self.say(persona, unit, optional=True)


def realise(doc: Doc, composer: Composer) -> None:
    """Write the words of every participant turn of ``doc`` and record its codings.

    Each answer may open by responding to the question, then says one phrasing per
    planned code (varied until no long sentence of it has been said before), with
    details from the speaker's persona and site facts between them; focus-group speakers
    build on and interrupt each other. Docx transcripts get Word's curly apostrophes.
    """
    rng = composer.rng
    site = doc.site_id
    expert = doc.method == "Expert interview"
    fg = doc.method == "Focus group"
    w = _Turns(doc, composer)
    remarks: list[str] = []
    prev: Turn | None = None
    closing = max(i for i, t in enumerate(doc.turns) if t.role != "Participant")
    for index, turn in enumerate(doc.turns):
        if turn.role != "Participant":
            prev = turn
            w.last = ""
            continue
        persona = composer.persona(turn.speaker)
        units: list[str] = []
        if fg and prev is not None and prev.role == "Participant" and turn.codes:
            draw = rng.random()
            coded = [c.text for c in prev.codings]
            if draw < 0.12 and prev.units and not any(c in prev.units[-1] for c in coded):
                # An interruption: the previous speaker is cut off mid-sentence.
                cut = prev.units[-1].split(" ")
                if len(cut) >= 6:
                    prev.units[-1] = " ".join(cut[: len(cut) // 2]).rstrip(",.") + " \u2013"
                    units.append(w.say(persona, f"[crosstalk] {choice(rng, _BUT_IN)}"))
            elif draw < 0.45:
                units.append(w.say(persona, choice(rng, _BUILD_ON)))
        if not turn.codes:
            if index < closing:
                units.append(w.say(persona, choice(rng, _CONSENT)))
                units.append(w.say(persona, detail(persona, rng, "intro")))
            else:
                units.append(w.say(persona, choice(rng, _CLOSERS)))
                if doc.fmt.startswith("teams") and rng.random() < 0.35:
                    units.append(w.say(persona, choice(rng, _CHAT)))
            turn.units = units
            prev = turn
            continue
        opener = _opener(composer, persona, turn)
        if opener:
            units.append(w.say(persona, opener))
        for code in turn.codes:
            if persona.facts is not None and rng.random() < 0.35:
                units += [u for u in [w.detail(persona)] if u]
            raw = composer.expression(code, expert)
            if rng.random() < 0.25 and not raw.endswith("?"):
                raw = P.with_opener(choice(rng, persona.hedges), raw)
            text, names = composer.fill(raw, site)
            text = w.say(persona, text)
            units.append(text)
            turn.codings.append(Coding(code, _coded_text(text, names).strip()))
            if rng.random() < 0.45:
                more = elaborate(persona, rng, code.split(".")[0])
                more = w.say(persona, more, optional=True) if more else ""
                if more:
                    units.append(more)
        if composer.digressions and rng.random() < 0.08:
            units.insert(
                int(rng.integers(0, len(units) + 1)),
                w.say(persona, composer.fill(choice(rng, composer.digressions), site)[0]),
            )
        turn.units = units
        prev = turn
    # Bring the document up to length with details from the speakers' personas.
    answers = [t for t in doc.turns if t.role == "Participant" and t.codes]
    stalls = 0
    words = sum(len(t.text.split()) for t in doc.turns)
    while answers and words < doc.target_words:
        turn = answers[int(rng.integers(len(answers)))]
        persona = composer.persona(turn.speaker)
        at = int(rng.integers(1 if len(turn.units) > 1 else 0, len(turn.units) + 1))
        if at == len(turn.units) and turn.units[-1].endswith("\u2013"):
            at -= 1  # nothing follows an interrupted sentence
        w.last = turn.units[at - 1] if at else ""
        draw = rng.random()
        more = elaborate(persona, rng, choice(rng, turn.codes).split(".")[0])
        if draw < 0.06:
            if not remarks:
                remarks += [REMARKS[int(i)] for i in rng.permutation(len(REMARKS))]
            unit = w.say(persona, remarks.pop(), optional=True)
        elif draw < 0.5 and more:
            unit = w.say(persona, more, optional=True)
        else:
            unit = w.detail(persona)
        if not unit:
            stalls += 1
            if stalls > 200:
                break  # nothing new left to say: the document is shorter than planned
            continue
        if fg and rng.random() < 0.03:
            unit = _inaudible(unit, rng)
        if at < len(turn.units) and sentences_clash(unit, turn.units[at]):
            continue
        turn.units.insert(at, unit)
        words += len(unit.split())
    _overlap(doc, composer)
    for turn in doc.turns:
        if turn.role == "Participant":
            while turn.text in composer.seen:
                persona = composer.persona(turn.speaker)
                turn.units.append(w.say(persona, detail(persona, rng)))
            composer.seen.add(turn.text)
    if doc.fmt in _DOCX:
        for turn in doc.turns:
            turn.units = [smart(u) for u in turn.units]
            for coding in turn.codings:
                coding.text = smart(coding.text)


def _overlap(doc: Doc, composer: Composer) -> None:
    """Widen some codings over a neighbouring coding, as coders do when codes overlap.

    In an answer with two codings, the later one sometimes starts where the earlier one
    starts (so the earlier passage is nested in it), or the earlier one runs on to the end
    of the sentence after it; any passage naming someone is left alone.
    """
    rng = composer.rng
    names = [*composer.people.colleagues.get(doc.site_id, []), *composer.people.unlisted]
    for turn in doc.turns:
        if len(turn.codings) < 2 or rng.random() > 0.3:
            continue
        text = turn.text
        spans = sorted(
            (text.find(c.text), text.find(c.text) + len(c.text), c) for c in turn.codings
        )
        k = int(rng.integers(len(spans) - 1))
        (a1, _, first), (a2, b2, second) = spans[k], spans[k + 1]
        if a1 < 0 or a2 < 0:
            continue
        if rng.random() < 0.6:
            second_text = text[a1:b2]
            if not any(n in second_text for n in names):
                second.text = second_text
        else:
            ends = [m.end() for m in _SENTENCE_END.finditer(text, a2)]
            if ends:
                first_text = text[a1 : ends[0]]
                if not any(n in first_text for n in names):
                    first.text = first_text


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def sentences_clash(a: str, b: str) -> bool:
    """Whether ``b`` would open with the sentence ``a`` ends with (a back-to-back repeat)."""
    sa, sb = sentences(a), sentences(b)
    return bool(sa and sb and norm(sa[-1]) == norm(sb[0]))
