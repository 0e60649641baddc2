"""The planted truth: what the generator builds into the data for the analysis to find.

The truth is drawn from the seed (site profiles, which sites commission reactively, the
top barriers and enablers, a dissonant and a silent theme, low-agreement codes). Code
weights turn it into likely codes per answer, and :func:`enforce` then repairs the plan of
codes so that the planted facts hold exactly, whatever the random draws.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from evstudy.synth.common import Doc, Site, Turn, stream

__all__ = ["Truth", "code_weights", "enforce", "plan_truth", "transcript_counts"]

BARRIERS = tuple(
    f"barrier.{c}"
    for c in [
        "skills",
        "capacity",
        "budget",
        "access",
        "turnover",
        "culture",
        "political",
        "relevance",
        "habit",
    ]
)
ENABLERS = tuple(
    f"enabler.{c}"
    for c in [
        "training",
        "summaries",
        "analyst",
        "time",
        "leadership",
        "networks",
        "relationships",
        "belief",
        "routine",
    ]
)
INFLUENCE_ITEMS = (
    "influence.families",
    "influence.staff",
    "influence.partners",
    "influence.cost",
    "influence.local_fit",
    "influence.political",
    "evidence.research",
    "evidence.local_data",
    "evidence.practice",
    "evidence.peer_las",
)
DISSONANT_CANDIDATES = tuple(c for c in INFLUENCE_ITEMS if c != "evidence.research")
SILENT_CANDIDATES = (
    "emergent.workforce",
    "emergent.data_systems",
    "emergent.equity",
    "approach.coproduction",
    "approach.decommissioning",
)
LOW_AGREEMENT_CANDIDATES = (
    "barrier.culture",
    "barrier.habit",
    "barrier.relevance",
    "enabler.belief",
    "enabler.routine",
    "enabler.leadership",
    "influence.local_fit",
    "influence.staff",
    "evidence.practice",
    "approach.partnership",
)


@dataclass
class Truth:
    """What the generator plants; see ``planted_truth.yml`` for the written form."""

    profiles: dict[str, dict[str, str]]
    reactive_sites: list[str]
    top_barriers: list[str]
    top_enablers: list[str]
    dissonant: str
    dissonant_direction: str  # "interviews_high" or "interviews_low"
    silent: str
    low_agreement: list[str]
    min_count: int = 10
    extra: dict = field(default_factory=dict)


def plan_truth(seed: int, sites: list[Site]) -> Truth:
    """Draw the planted truth from the seed and store each site's profile on the site."""
    rng = stream(seed, "truth")
    n = len(sites)
    n_reactive = 0 if n == 1 and rng.random() < 0.5 else max(1, round(n * rng.uniform(0.33, 0.45)))
    n_reactive = min(n_reactive, max(1, n - 1)) if n > 1 else n_reactive
    reactive = sorted(sites[int(i)].site_id for i in rng.permutation(n)[:n_reactive])
    profiles = {}
    for site in sites:
        is_reactive = site.site_id in reactive
        strong = rng.random() < (0.25 if is_reactive else 0.75)
        profile = {
            "commissioning": "reactive" if is_reactive else "structured",
            "evidence_culture": "strong" if strong else "weak",
            "vcs_partnership": "strong" if rng.random() < 0.5 else "limited",
            "turnover": "high" if rng.random() < (0.7 if is_reactive else 0.3) else "low",
            "budget_pressure": "high" if rng.random() < 0.6 else "low",
        }
        site.profile = profile
        profiles[site.site_id] = profile
    return Truth(
        profiles=profiles,
        reactive_sites=reactive,
        top_barriers=[BARRIERS[int(i)] for i in rng.permutation(len(BARRIERS))[:3]],
        top_enablers=[ENABLERS[int(i)] for i in rng.permutation(len(ENABLERS))[:3]],
        dissonant=DISSONANT_CANDIDATES[int(rng.integers(len(DISSONANT_CANDIDATES)))],
        dissonant_direction="interviews_high" if rng.random() < 0.5 else "interviews_low",
        silent=SILENT_CANDIDATES[int(rng.integers(len(SILENT_CANDIDATES)))],
        low_agreement=[],  # chosen once the codings exist (generate._low_agreement_codes)
        min_count=10 if n >= 5 else 3,
    )


def code_weights(truth: Truth, doc: Doc, partner: bool, leaves: tuple[str, ...]) -> dict:
    """How likely each code is in an answer of ``doc`` (relative weights)."""
    w = dict.fromkeys(leaves, 1.0)
    for rank, code in enumerate(truth.top_barriers):
        w[code] = (7.0, 5.0, 3.5)[rank]
    for rank, code in enumerate(truth.top_enablers):
        w[code] = (7.0, 5.0, 3.5)[rank]
    profile = truth.profiles.get(doc.site_id, {})
    if profile:
        reactive = profile["commissioning"] == "reactive"
        w["approach.reactive"] = 6.0 if reactive else 0.6
        w["approach.cycle"] = 0.6 if reactive else 6.0
        w["approach.partnership"] = 2.5 if profile["vcs_partnership"] == "strong" else 0.7
        if profile["turnover"] == "high":
            w["barrier.turnover"] *= 1.3
        if profile["budget_pressure"] == "high":
            w["barrier.budget"] *= 1.3
        if profile["evidence_culture"] == "weak":
            w["barrier.culture"] *= 1.3
        else:
            w["enabler.leadership"] *= 1.3
    if doc.method == "Expert interview":
        for code in (
            "toolkit.eif_guidebook",
            "toolkit.wwcsc_store",
            "toolkit.strength",
            "toolkit.weakness",
        ):
            w[code] = w.get(code, 1.0) * 3.0
    if partner:
        w["evidence.research"] *= 1.8
    w[truth.dissonant] = 5.0 if truth.dissonant_direction == "interviews_high" else 0.25
    w[truth.silent] = 2.0
    return w


def _slots(docs: list[Doc], excluded: set[str]) -> list[tuple[Doc, Turn]]:
    return [
        (doc, turn)
        for doc in docs
        for turn in doc.turns
        if turn.role == "Participant" and turn.speaker.pid not in excluded and turn.eligible
    ]


def transcript_counts(docs: list[Doc], excluded: set[str] = frozenset()) -> Counter:
    """How many participant turns carry each planned code (excluding ``excluded`` people)."""
    return Counter(
        code
        for doc in docs
        for turn in doc.turns
        if turn.role == "Participant" and turn.speaker.pid not in excluded
        for code in turn.codes
    )


class _Repairer:
    def __init__(self, docs: list[Doc], excluded: set[str], rng: np.random.Generator) -> None:
        self.slots = _slots(docs, excluded)
        self.rng = rng
        self.changed = True
        self.total: Counter = Counter()
        self.by_site: dict[str, Counter] = {}
        for doc, turn in self.slots:
            self._count(doc, turn.codes, 1)

    def _count(self, doc: Doc, codes: list[str], sign: int) -> None:
        site = self.by_site.setdefault(doc.site_id, Counter())
        for c in codes:
            self.total[c] += sign
            site[c] += sign

    def counts(self, site_id: str | None = None) -> Counter:
        return self.total if site_id is None else self.by_site.get(site_id, Counter())

    def shift(self, to: str, sources: list[str], site_id: str | None = None) -> bool:
        """Turn one occurrence of a code in ``sources`` into ``to``; else add ``to``."""
        cands = [
            (doc, turn, c)
            for doc, turn in self.slots
            if (site_id is None or doc.site_id == site_id)
            and to in turn.eligible
            and to not in turn.codes
            for c in turn.codes
            if c in sources
        ]
        if cands:
            doc, turn, c = cands[int(self.rng.integers(len(cands)))]
            turn.codes[turn.codes.index(c)] = to
            self._count(doc, [c], -1)
            self._count(doc, [to], 1)
            self.changed = True
            return True
        return self.add(to, site_id)

    def reduce(self, code: str, site_id: str | None, keep: set[str]) -> bool:
        """Replace one occurrence of ``code`` by another code its answer may carry."""
        cands = []
        for doc, turn in self.slots:
            if code in turn.codes and (site_id is None or doc.site_id == site_id):
                theme = code.split(".")[0]
                options = [c for c in turn.eligible if c not in turn.codes and c not in keep]
                same = [c for c in options if c.startswith(theme + ".")]
                if same or options:
                    cands.append((doc, turn, same or options))
        if not cands:
            return False
        doc, turn, options = cands[int(self.rng.integers(len(cands)))]
        new = options[int(self.rng.integers(len(options)))]
        turn.codes[turn.codes.index(code)] = new
        self._count(doc, [code], -1)
        self._count(doc, [new], 1)
        self.changed = True
        return True

    def add(self, to: str, site_id: str | None = None) -> bool:
        cands = [
            (doc, turn)
            for doc, turn in self.slots
            if (site_id is None or doc.site_id == site_id)
            and to in turn.eligible
            and to not in turn.codes
            and len(turn.codes) < 3
        ]
        if not cands:
            return False
        doc, turn = cands[int(self.rng.integers(len(cands)))]
        turn.codes.append(to)
        self._count(doc, [to], 1)
        self.changed = True
        return True


def _ranking(r: _Repairer, ranked: list[str], family: tuple[str, ...], margin: int) -> None:
    counts = r.counts()
    order = list(ranked) + [c for c in family if c not in ranked]
    for i, top in enumerate(ranked):
        below = order[i + 1 :]
        worst = max(below, key=lambda c: (counts[c], c))
        if counts[top] < counts[worst] + margin:
            donors = [c for c in below if counts[c] >= counts[worst] - 1 and c not in ranked]
            r.shift(top, donors or [worst])
            return


def enforce(docs: list[Doc], truth: Truth, excluded: set[str], seed: int) -> None:
    """Repair the planned codes until every planted fact holds.

    Parameters
    ----------
    docs : list of Doc
        Documents whose participant turns carry planned ``codes`` and ``eligible`` sets.
    truth : Truth
        What must hold.
    excluded : set of str
        Person ids whose turns do not count (the withdrawn participant); margins are wide
        enough that the facts hold with or without them.
    seed : int
        The study seed.
    """
    rng = stream(seed, "enforce")
    r = _Repairer(docs, excluded, rng)
    withdrawn = Counter(
        c for d in docs for t in d.turns if t.speaker.pid in excluded for c in t.codes
    )
    total = sum(r.counts().values())
    margin = max(3, round(total * 0.004)) + max(withdrawn.values(), default=0)
    leaves = sorted({c for d in docs for t in d.turns for c in t.eligible})
    influence_family = INFLUENCE_ITEMS
    for _ in range(20000):
        if not r.changed:
            break
        r.changed = False
        counts = r.counts()
        low = [c for c in leaves if counts[c] < truth.min_count and c != truth.dissonant]
        if low:
            r.add(low[0])
            continue
        if truth.dissonant_direction == "interviews_low":
            floor = max(truth.min_count, 1)
            others = [c for c in influence_family if c != truth.dissonant]
            if counts[truth.dissonant] > floor and counts[truth.dissonant] + margin > min(
                counts[c] for c in others
            ):
                target = min(others, key=lambda c: (counts[c], c))
                r.shift(target, [truth.dissonant])
                continue
            if counts[truth.dissonant] < floor:
                r.add(truth.dissonant)
                continue
        else:
            _ranking(r, [truth.dissonant], influence_family, margin)
            if r.changed:
                continue
        _ranking(r, truth.top_barriers, BARRIERS, margin)
        if r.changed:
            continue
        _ranking(r, truth.top_enablers, ENABLERS, margin)
        if r.changed:
            continue
        quartile = float(np.quantile([counts[c] for c in leaves], 0.8))
        if counts[truth.silent] < quartile + margin:
            theme = truth.silent.split(".")[0]
            donors = [
                c
                for c in leaves
                if c.startswith(theme + ".")
                and c not in (truth.silent, "approach.cycle", "approach.reactive")
                and counts[c] > truth.min_count + 2
            ]
            if not r.shift(truth.silent, donors):
                break
            continue
        for site_id in sorted({d.site_id for d in docs if d.site_id}):
            main, other = (
                ("approach.reactive", "approach.cycle")
                if site_id in truth.reactive_sites
                else ("approach.cycle", "approach.reactive")
            )
            sc = r.counts(site_id)
            if sc[main] < max(3, 2 * sc[other] + 1):
                if not r.shift(main, [other] if sc[other] else [], site_id) and sc[other]:
                    r.reduce(other, site_id, {main, other, truth.silent, truth.dissonant})
                if r.changed:
                    break
