"""Personas, site facts and the sentence ledger that keep the transcripts from repeating.

Every site gets facts its people share (localities, named local programmes and providers,
its commissioning board and cycle, budget figures, recent events), and every participant
a persona (stance on evidence, the topics they return to, verbal habits, where they worked
before). Detail sentences are composed from templates whose slots are filled from these
facts, and the :class:`Ledger` records every sentence said: a sentence of eight words or
more is never said twice, and a short one never turns up in more than a set share of the
transcripts. When a sentence would repeat, it is varied with a frame drawn from the
speaker's persona and site (``"Here in the north of the county, ..."``) until it is new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from evstudy.narrative import spelt
from evstudy.synth.common import Person, Site, choice, stream

__all__ = [
    "Ledger",
    "Persona",
    "SiteFacts",
    "detail",
    "elaborate",
    "make_persona",
    "make_site_facts",
    "norm",
    "sentences",
    "smart",
    "vary",
]

_SPLIT = re.compile(r"(?<=[.!?])\s+")
_PUNCT = re.compile(r"[^\w\s]")
LONG = 8  # words: a sentence this long is never said twice


def sentences(text: str) -> list[str]:
    """``text`` split after ``.``, ``!`` or ``?`` followed by whitespace."""
    return [s for s in _SPLIT.split(text) if s.strip()]


def norm(sentence: str) -> str:
    """A sentence lower-cased, with punctuation dropped and spaces collapsed."""
    return " ".join(_PUNCT.sub("", sentence.lower()).split())


def smart(text: str) -> str:
    """Word's autocorrect: curly apostrophes and an en dash for a spaced hyphen."""
    return text.replace("'", "\u2019").replace(" - ", " \u2013 ")


def words(n: int) -> str:
    """Small numbers as a speaker says them ("two" to "twenty"); others as digits."""
    return spelt(n) if 2 <= n <= 20 else str(n)


_MONTHS = tuple(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
_AREA_STEMS = tuple(
    [
        "Cross",
        "Beacon",
        "Brook",
        "Castle",
        "Church",
        "Clay",
        "Elm",
        "Forge",
        "Hill",
        "Lime",
        "Marsh",
        "Meadow",
        "Moor",
        "Park",
        "Quay",
        "Kiln",
        "Sand",
        "Spring",
        "Stone",
        "Wharf",
        "Flint",
        "Wood",
    ]
)
_AREA_ENDS = ("field", "gate", "side", "hill", "well", "bank", "croft", "lea")
_PROGRAMMES = (
    "Families First",
    "Stronger Starts",
    "Team Around the School",
    "Stepping Stones",
    "Thrive Together",
    "Safe at Home",
    "Growing Together",
    "Brighter Futures",
    "Best Start",
    "Family Connect",
    "Early Help Pathfinder",
    "Positive Pathways",
    "Healthy Beginnings",
    "Home Ground",
    "Open Doors",
    "Raising Resilience",
)
_PROVIDER_ENDS = ("Family Trust", "Community Partnership", "Youth Project", "Parenting CIC")
_BOARDS = (
    "Children's Commissioning Board",
    "Joint Commissioning Group",
    "Start Well Board",
    "Early Help Partnership Board",
    "Commissioning and Contracts Panel",
)
_GRADES = ("requires improvement", "good", "inadequate", "good")
_EVENTS = (
    "the restructure",
    "the Ofsted visit",
    "the new director arrived",
    "the family hubs money came in",
    "the budget reset",
)
_PRIOR = (
    "a team manager in the assessment service",
    "a health visitor",
    "a youth worker",
    "a performance analyst",
    "a social worker in a neighbouring authority",
    "a contracts officer in adult services",
    "a school business manager",
    "a family support worker",
    "in the civil service",
    "a researcher at a university",
    "a commissioning officer in housing",
    "a probation officer",
)


@dataclass
class SiteFacts:
    """What everyone at one site knows and repeats consistently."""

    site_id: str
    area: str  # "the county" or "the borough"
    council: str  # "the county council" or "the council"
    localities: list[str]
    programmes: list[str]
    providers: list[str]
    board: str
    cycle_month: str
    contract_years: int
    hubs: int
    in_care: int
    early_help: float  # £m
    savings: int  # £k
    overspend: float  # £m
    ofsted: tuple[str, int, str]  # month, year, grade
    restructure: tuple[str, int]
    event: str
    waiting: int
    referrals: int
    signed: int


@dataclass
class Persona:
    """How one participant talks, across all their answers."""

    person: Person
    facts: SiteFacts | None
    stance: str  # "enthusiast", "pragmatist" or "sceptic"
    topics: list[str]
    hedges: list[str]
    fillers: list[str]
    prior: str
    team: int
    role_short: str
    used_templates: set[int] = field(default_factory=set)


def make_site_facts(
    seed: int, site: Site, vcs_orgs: list[str], *, taken: frozenset[str] = frozenset()
) -> SiteFacts:
    """The facts of ``site``, drawn from its own stream (``vcs_orgs``: local charities).

    ``taken`` holds the place and provider names other sites already use, and the sites'
    own names: a site's localities and providers are never among them, so a speaker who
    names a place names one of their own site's (a locality shared by two sites would put
    one site's place in another site's quotes).
    """
    rng = stream(seed, f"facts:{site.site_id}")
    county = site.la_type == "County council"
    borough = site.la_type in ("London borough", "Metropolitan district")
    stems: list[str] = []
    localities = []
    for i in rng.permutation(len(_AREA_STEMS)):
        stem = _AREA_STEMS[int(i)]
        ends = [e for e in _AREA_ENDS if e != stem.lower() and e[0] != stem[-1]]
        ends = [e for e in ends if stem + e not in taken]
        if not ends:
            continue
        stems.append(stem)
        localities.append(stem + choice(rng, ends))
        if len(stems) == 3:
            break
    if county:
        localities[0] = choice(rng, ("the north of the county", "the coastal towns", "the west"))
    kinds = ("programme", "service", "pilot", "programme", "offer")
    programmes: list[str] = []
    for i in rng.permutation(len(_PROGRAMMES)):
        free = [k for k in kinds if f"{_PROGRAMMES[int(i)]} {k}" not in taken]
        if free and len(programmes) < 3:
            programmes.append(f"{_PROGRAMMES[int(i)]} {choice(rng, free)}")
    second = stems[1] if localities[1].startswith("the") else localities[1]
    providers = [*vcs_orgs[:1]]
    for stem in (second, stems[2]):
        ends = [e for e in _PROVIDER_ENDS if f"{stem} {e}" not in taken] or list(_PROVIDER_ENDS)
        providers.append(f"{stem} {choice(rng, ends)}")
    return SiteFacts(
        site_id=site.site_id,
        area="the county" if county else "the borough" if borough else "the area",
        council="the county council" if county else "the council",
        localities=localities,
        programmes=programmes,
        providers=providers[:3],
        board=choice(rng, _BOARDS),
        cycle_month=choice(rng, ("April", "September", "January", "October")),
        contract_years=int(rng.integers(2, 6)),
        hubs=int(rng.integers(3, 10)),
        in_care=int(rng.integers(15, 90)) * 10,
        early_help=round(float(rng.uniform(2.5, 11.0)), 1),
        savings=int(rng.integers(3, 20)) * 50,
        overspend=round(float(rng.uniform(0.8, 6.5)), 1),
        ofsted=(choice(rng, _MONTHS), int(rng.integers(2021, 2024)), choice(rng, _GRADES)),
        restructure=(choice(rng, ("spring", "summer", "autumn")), int(rng.integers(2021, 2024))),
        event=choice(rng, _EVENTS),
        waiting=int(rng.integers(12, 90)),
        referrals=int(rng.integers(8, 60)) * 10,
        signed=int(rng.integers(4, 14)),
    )


_ROLE_SHORT = (
    ("director", "someone in a leadership role"),
    ("head of", "a head of service"),
    ("commission", "a commissioner"),
    ("practi", "a practitioner"),
    ("social worker", "a practitioner"),
    ("manager", "a manager"),
    ("nurse", "someone from health"),
    ("inspector", "someone from the police"),
    ("intervention", "someone from the police"),
)


def make_persona(
    seed: int, person: Person, facts: SiteFacts | None, hedges: list[str], fillers: list[str]
) -> Persona:
    """The persona of ``person``: stance, topics, verbal habits and background."""
    rng = stream(seed, f"persona:{person.pid}")
    title = person.job_title.lower()
    role_short = next((s for k, s in _ROLE_SHORT if k in title), "someone in my position")
    if person.organisation_type == "Voluntary sector":
        role_short = "someone from the voluntary sector"
    topics = ["programme", "budget", "event", "locality", "cycle", "team"]
    return Persona(
        person=person,
        facts=facts,
        stance=choice(rng, ("enthusiast", "pragmatist", "pragmatist", "sceptic")),
        topics=[topics[int(i)] for i in rng.permutation(len(topics))[:3]],
        hedges=[hedges[int(i)] for i in rng.permutation(len(hedges))[:3]],
        fillers=[fillers[int(i)] for i in rng.permutation(len(fillers))[:2]],
        prior=choice(rng, _PRIOR),
        team=int(rng.integers(3, 15)),
        role_short=role_short,
    )


def _slots(p: Persona, rng: np.random.Generator) -> dict[str, str]:
    f = p.facts
    years = max(2, p.person.years_in_role)
    out = {
        "years": words(years),
        "prior": p.prior,
        "team": words(p.team),
        "role": p.role_short,
        "n": str(int(rng.integers(3, 40)) * 5),
        "k": words(int(rng.integers(3, 13))),
        "month": choice(rng, _MONTHS),
        "when": choice(rng, ("last week", "a few weeks ago", "in the spring", "last month")),
        "about": choice(rng, ("about", "around", "roughly", "something like")),
    }
    if f is None:
        return out
    prog = f.programmes[int(rng.integers(len(f.programmes)))]
    out.update(
        area=f.area,
        council=f.council,
        loc=(loc := choice(rng, f.localities)),
        loc2=next(x for x in reversed(f.localities) if x != loc),
        prog0=f.programmes[0],
        referrals=str(f.referrals),
        signed=words(f.signed),
        prog=prog,
        prog2=f.programmes[0] if prog != f.programmes[0] else f.programmes[1],
        provider=choice(rng, f.providers),
        board=f.board,
        cycle=f.cycle_month,
        cyears=words(f.contract_years),
        hubs=words(f.hubs),
        in_care=str(f.in_care),
        eh=f"\u00a3{f.early_help}m",
        savings=f"\u00a3{f.savings}k",
        overspend=f"\u00a3{f.overspend}m",
        o_month=f.ofsted[0],
        o_year=str(f.ofsted[1]),
        o_grade=f.ofsted[2],
        r_season=f.restructure[0],
        r_year=str(f.restructure[1]),
        event=f.event,
        waiting=str(f.waiting),
    )
    return out


# Detail sentences: concrete context that expresses no code, by the topic it belongs to.
# Slots are filled from the speaker's persona and site facts; no template has a colon.
_DETAIL: dict[str, tuple[str, ...]] = {
    "intro": (
        "I've been in post {years} years, and before that I was {prior}.",
        "I've been doing this job {years} years now, and before that I was {prior}.",
        "I came into this role {years} years ago, and before that I was {prior}.",
    ),
    "programme": (
        "The {prog} has been running since {month} {o_year}, and it's in {hubs} of our hubs now.",
        "We've had {about} {referrals} referrals into the {prog0} this year, which is more than "
        "anyone planned for.",
        "{provider} deliver part of the {prog} for us, on a {cyears}-year contract.",
        "The {prog} contract comes up for renewal next {cycle}, so that's very much on my desk.",
        "The {prog} started as a pilot in {loc} and has grown from there.",
        "When the {prog} was set up, there were {k} of us round the table, and now it's "
        "much bigger.",
        "The {prog} and the {prog2} overlap a bit, and families don't always know the difference.",
        "I sat on the panel for the {prog} {when}, and it was the same conversation again.",
    ),
    "budget": (
        "Our early help budget is {about} {eh} this year, and we've been asked to find "
        "{savings} of savings from it.",
        "Placements are overspent by {about} {overspend}, and that squeezes everything else.",
        "Every contract over {savings} now needs sign-off from the {board}.",
        "The {eh} for early help sounds like a lot until you see what placements cost.",
        "We lost {about} {savings} from the prevention budget in the last round of savings.",
        "Finance want the {overspend} overspend brought down before anything new starts.",
    ),
    "event": (
        "Ofsted came in {o_month} {o_year}, and the judgement was {o_grade}, so there's been "
        "a lot of attention on us since.",
        "Since {event}, the whole tone of the conversation has shifted.",
        "We had a restructure in the {r_season} of {r_year}, and the locality teams were merged.",
        "The {o_year} inspection is still the backdrop to most conversations about practice.",
        "A lot changed after {event}, some of it for the better.",
    ),
    "locality": (
        "In {loc} we've got a waiting list of {about} {waiting} families at the moment.",
        "Getting from {loc} to {loc2} takes the best part of an hour on the bus.",
        "{loc} has a very different population from the rest of {area}.",
        "Most of our referrals come from {loc}, which surprises people who don't know {area}.",
        "The hub in {loc} is the busiest, and {provider} run the sessions there.",
    ),
    "cycle": (
        "Our commissioning year starts in {cycle}, and everything works back from that.",
        "Contracts here usually run for {cyears} years, with an option to extend.",
        "The {board} meets monthly, and I'm there {about} every other meeting.",
        "Anything new has to be on the forward plan by {cycle} to stand a chance.",
        "The {board} signed off {signed} new contracts last year, which is about normal for us.",
    ),
    "team": (
        "I've been in post {years} years, and before that I was {prior}.",
        "My team is {team} people at the moment, and two of those posts are agency.",
        "We've got {about} {in_care} children in care, which is high for our size.",
        "Speaking as {role}, I see the referrals before most people do.",
        "Before this job I was {prior}, so I come at it from that angle.",
        "I line manage {team} people, and we cover the whole of {area}.",
    ),
}
_DETAIL_NATIONAL: tuple[str, ...] = (
    "I've been in this role {years} years, and before that I was {prior}.",
    "We work with {about} {n} local authorities a year in one way or another.",
    "Our team is {team} people, and we cover the whole of England.",
    "I spent {k} years working in local government before I moved to the national side.",
    "We ran a round of regional workshops {when}, and the same issues kept coming up.",
    "I review {about} {n} programme submissions a year, so I see a lot of variation.",
    "We surveyed our network {when} and got {about} {n} responses back.",
)

# Follow-ups to a point just made, by the theme of the code it expressed: an episode with
# its own timescale, so the numbers may differ from one telling to the next.
_ELABORATE: dict[str, tuple[str, ...]] = {
    "approach": (
        "With the {prog} it took {about} {k} months from the first paper to a signed contract.",
        "The last big one went to the {board} in {month}, and it came back twice.",
        "I can think of {k} contracts in the last year that went that way.",
        "That was certainly how the {prog} came about.",
        "It's not unusual for the paperwork to take longer than the service itself.",
        "We're trying to do it differently for the {prog2}, but it's early days.",
    ),
    "influence": (
        "That was very clear when the {prog} was being designed.",
        "In the end it was a judgement call, and I think it was the right one.",
        "There was a paper to the {board} in {month} that set all of that out.",
        "I've seen that play out {k} or so times now.",
        "It was {provider} who raised it first, as it happens.",
        "Nobody wrote that down anywhere, but everyone knew it.",
    ),
    "evidence": (
        "For the {prog} we pulled together {about} {k} different sources.",
        "It went into a short options paper, maybe {k} pages.",
        "The analyst team turned it round in {about} {k} weeks, which was quick for us.",
        "I'd say that's how most of our business cases are put together.",
        "It was {provider} who pointed us to some of it.",
    ),
    "toolkit": (
        "I last looked at it {when}, for the {prog}.",
        "I've probably used it {k} times in the last year.",
        "A couple of people in the team use it more than I do.",
        "It tends to come up when there's a business case to write.",
    ),
    "barrier": (
        "That hit the {prog} hardest, and it set us back {about} {k} months.",
        "We raised it at the {board} in {month}, and nothing much changed.",
        "It's the same story I'd have told you {k} years ago.",
        "I don't think that's unique to us, but it feels acute at the moment.",
        "{provider} would tell you exactly the same thing.",
        "And in {loc} it's worse, because there's so little else there.",
    ),
    "enabler": (
        "That made a real difference to the {prog}, I'd say.",
        "It took {about} {k} months to bed in, but it's paid off.",
        "We'd like to do the same for the {prog2} next year.",
        "When that's there, the conversation at the {board} is completely different.",
        "It doesn't cost much, which is the irony.",
    ),
    "guide": (
        "If it takes more than ten minutes to find the answer, people won't use it.",
        "Something we could put in front of the {board} without rewriting it.",
        "The practitioners in {loc} would use it if it was on their phones.",
        "I'd want to test it with the {prog} team before it went live.",
    ),
    "emergent": (
        "It's got noticeably worse over the last {k} years.",
        "We raised it at the {board} in {month}, and it's on the risk register now.",
        "You see it most clearly in {loc}.",
        "I don't think anyone has a good answer to that yet.",
    ),
}
_ELABORATE_NATIONAL: tuple[str, ...] = (
    "I've seen that in {about} {k} areas in the last couple of years.",
    "It came up again at a regional event {when}.",
    "That's consistent with what we heard in our own consultation.",
    "It's a pattern rather than a one-off, in my experience.",
    "I'd be cautious about generalising, but it comes up a lot.",
    "We had {about} {n} people at the last network meeting, and it came up in every group.",
    "I was in {k} different councils {when}, and it was the same conversation.",
    "Our last round of case studies picked it up in {about} {k} of the areas.",
    "The councils that do it well tend to have had a stable leadership team for years.",
    "I wrote a short piece on it {when}, and the response was bigger than we expected.",
    "A director said much the same to me {when}, almost word for word.",
    "It was one of the themes in our last annual survey of members.",
    "The smaller unitaries feel it most, in my experience.",
)


def elaborate(persona: Persona, rng: np.random.Generator, theme: str) -> str | None:
    """A follow-up to a point about ``theme`` (a code's theme), or None if there is none."""
    slots = _slots(persona, rng)
    pool = _ELABORATE_NATIONAL if persona.facts is None else _ELABORATE.get(theme, ())
    if not pool:
        return None
    text = _fill(choice(rng, pool), slots)
    return text[0].upper() + text[1:] if text else None


# Frames that vary a sentence that would otherwise repeat; each is tense-neutral.
_FRAMES: tuple[str, ...] = (
    "Here in {loc},",
    "Certainly in {loc},",
    "From where I sit,",
    "Speaking as {role},",
    "In my {years} years in this job,",
    "With the {prog} especially,",
    "Thinking about the {prog},",
    "If I think about {provider},",
    "Across {area},",
    "For us at {council},",
    "Honestly, in {loc},",
    "When it comes to the {prog},",
    "Looking at {area} as a whole,",
    "For a team of {team} like mine,",
    "Even with {eh} in the budget,",
)
_FRAMES_NATIONAL: tuple[str, ...] = (
    "From where I sit,",
    "Speaking as someone who works nationally,",
    "In my {years} years in this role,",
    "Across the areas we work with,",
    "Looking at it from the national side,",
    "In the {n} or so areas I've seen,",
    "Having worked in local government myself,",
)
_TAILS: tuple[str, ...] = (
    ", at least in {loc}",
    ", certainly with the {prog}",
    ", and {loc} is a good example",
    ", which {provider} would probably say too",
    ", speaking as {role}",
    ", and I've seen that for {years} years now",
    ", which the {board} would recognise",
    ", and the {prog} is a case in point",
    ", across {area} anyway",
    ", and that goes for {provider} as well",
)
_TAILS_NATIONAL: tuple[str, ...] = (
    ", in my experience",
    ", from what I've seen nationally",
    ", across most of the areas we work with",
    ", and I've seen that for {years} years now",
    ", speaking from the national side",
)

# First words that keep their capital when a frame is put in front of a sentence.
_KEEP = re.compile(
    r"^(I\b|I'|[A-Z][a-z]*[A-Z]|Ofsted|NICE|ICB|EIF|Research in Practice|What Works)"
)


_COMMON: set[str] = set()


def _common_words() -> set[str]:
    """Words the phrase bank writes in lower case: the ones a frame may lower-case."""
    if not _COMMON:
        from evstudy.synth import phrases

        bank = [phrases.EXPRESSIONS, phrases.EXPERT_EXPRESSIONS, phrases.NEUTRAL]
        bank += [phrases.DIGRESSIONS, _DETAIL, _FRAMES, _TAILS]
        stack: list[object] = list(bank)
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                _COMMON.update(w for w in re.findall(r"[a-z']+", item))
            elif isinstance(item, dict):
                stack += list(item.values())
            else:
                stack += list(item)  # type: ignore[arg-type]
    return _COMMON


def _lower_first(sentence: str) -> str:
    if _KEEP.match(sentence) or sentence.startswith(("{", "[")):
        return sentence
    head, _, rest = sentence.partition(" ")
    second = rest.split(" ", 1)[0]
    if (
        (head[1:].islower() or len(head) == 1)
        and head.lower() in _common_words()
        and (
            head in ("The", "Our", "A", "An", "My", "Every", "Most", "Anything", "Getting")
            or not (second[:1].isupper() and second not in ("I", "I'm", "I've", "I'd"))
        )
    ):
        return sentence[0].lower() + sentence[1:]
    return sentence  # a name, a place or a programme keeps its capital


def _fill(template: str, slots: dict[str, str]) -> str | None:
    try:
        return template.format(**slots)
    except KeyError:
        return None


def vary(sentence: str, persona: Persona, rng: np.random.Generator) -> str:
    """``sentence`` with a frame in front or a tail before its full stop."""
    national = persona.facts is None
    for _ in range(6):
        slots = _slots(persona, rng)
        if sentence.endswith(".") and rng.random() < 0.5:
            extra = _fill(choice(rng, _TAILS_NATIONAL if national else _TAILS), slots)
            out = sentence[:-1] + extra + "." if extra else sentence
        else:
            extra = _fill(choice(rng, _FRAMES_NATIONAL if national else _FRAMES), slots)
            out = f"{extra} {_lower_first(sentence)}" if extra else sentence
        if extra and not _repeats(extra, sentence):
            return out
    return out


def _repeats(extra: str, sentence: str) -> bool:
    """Whether a frame or tail names something the sentence already names."""
    names = re.findall(r"[A-Z][\w']+(?: [A-Z][\w']+)*", extra)
    low = sentence.lower()
    if extra.strip(" ,.").lower() in low:
        return True
    return any(n.lower() in low for n in names) or (
        extra.split(" ", 1)[0].strip(",") in ("In", "Here", "Certainly") and low.startswith("in ")
    )


def detail(persona: Persona, rng: np.random.Generator, topic: str | None = None) -> str:
    """One concrete sentence from the speaker's persona and site facts."""
    slots = _slots(persona, rng)
    if persona.facts is None:
        pool = [(i, t) for i, t in enumerate(_DETAIL_NATIONAL) if topic != "intro" or i == 0]
    else:
        if topic is None:
            topics = [t for t in _DETAIL if t != "intro"]
            topic = choice(rng, persona.topics) if rng.random() < 0.6 else choice(rng, topics)
        pool = [(hash_key(topic, i), t) for i, t in enumerate(_DETAIL[topic])]
    fresh = [(k, t) for k, t in pool if k not in persona.used_templates] or pool
    key, template = fresh[int(rng.integers(len(fresh)))]
    persona.used_templates.add(key)
    text = _fill(template, slots) or template
    return text[0].upper() + text[1:]


def hash_key(topic: str, i: int) -> int:
    return list(_DETAIL).index(topic) * 100 + i + 1000


class Ledger:
    """Every sentence said so far: long ones by speaker, short ones by transcript.

    Parameters
    ----------
    n_docs : int
        Transcripts in the study; a short sentence may be in at most ``share`` of them.
    share : float
        The most a short sentence may spread.
    """

    def __init__(self, n_docs: int, share: float = 0.12) -> None:
        self.long: dict[str, str] = {}
        self.short: dict[str, set[str]] = {}
        self.cap = max(2, int(n_docs * share))

    def fits(self, text: str, doc_id: str, last: str = "") -> bool:
        """Whether every sentence of ``text`` may be said now (``last``: the one before)."""
        prev = norm(last)
        for s in sentences(text):
            key = norm(s)
            if not key or key == prev:
                return False
            if len(key.split()) >= LONG:
                if key in self.long:
                    return False
            else:
                docs = self.short.get(key, set())
                if doc_id not in docs and len(docs) >= self.cap:
                    return False
            prev = key
        return True

    def add(self, text: str, doc_id: str, pid: str) -> None:
        """Record ``text`` as said by ``pid`` in ``doc_id``."""
        for s in sentences(text):
            key = norm(s)
            if len(key.split()) >= LONG:
                self.long.setdefault(key, pid)
            else:
                self.short.setdefault(key, set()).add(doc_id)

    def fresh(
        self,
        text: str,
        persona: Persona,
        rng: np.random.Generator,
        doc_id: str,
        last: str = "",
        optional: bool = False,
    ) -> str:
        """``text`` varied, sentence by sentence, until none of it repeats; then recorded.

        An ``optional`` text that cannot be made new comes back empty (and is not said).
        """
        out: list[str] = []
        prev = last
        for s in sentences(text):
            candidate = s
            for _ in range(40):
                if self.fits(candidate, doc_id, prev):
                    break
                candidate = vary(s, persona, rng)
            else:
                if optional:
                    return ""
                candidate = vary(vary(s, persona, rng), persona, rng)
            out.append(candidate)
            self.add(candidate, doc_id, persona.person.pid)
            prev = candidate
        return " ".join(out)
