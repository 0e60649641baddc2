"""The SmartSurvey: its question map, the responses and the export in SmartSurvey's layout.

Responses carry the planted truth: the top barriers and enablers are the most chosen
options, the dissonant theme's grid item is rated against what interviews say, and
partner agencies rate research evidence higher than local-authority staff.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime, timedelta

import numpy as np
from faker import Faker

from evstudy.synth import phrases as P
from evstudy.synth.codebook_spec import LEAF_IDS
from evstudy.synth.common import Site, choice, stream, weighted_sample
from evstudy.synth.dialogue import texts
from evstudy.synth.truth import BARRIERS, ENABLERS, Truth

__all__ = ["META", "Survey", "make_survey", "reminder_dates"]

SURVEY_LAUNCH = datetime(2023, 10, 23, 8, 0, 0)
SURVEY_DAYS = 40
REMINDER_DAYS = (14, 28)  # reminders went out two and four weeks after the launch


def reminder_dates() -> list[str]:
    """The days survey reminders were sent (ISO dates), as study.yml records them."""
    return [(SURVEY_LAUNCH + timedelta(days=d)).date().isoformat() for d in REMINDER_DAYS]


def _uptake_seconds(u: np.ndarray) -> np.ndarray:
    """Seconds after launch for uniform draws ``u`` in [0, 1): most people answer soon after
    the launch or a reminder, so cumulative responses step up on reminder days."""
    days = np.linspace(0, SURVEY_DAYS, SURVEY_DAYS * 24 * 60 + 1)  # one point a minute
    density = 0.05 + np.exp(-days / 5)
    for day in REMINDER_DAYS:
        density += 0.7 * np.exp(-(days - day) / 2.5) * (days >= day)
    cdf = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2)])
    return np.interp(u, cdf / cdf[-1], days) * 86400


META = [
    "UserID",
    "UserNo",
    "Name",
    "Email",
    "IP Address",
    "Unique ID",
    "Started",
    "Ended",
    "Tracking Link",
]
ROLE_OPTIONS = [
    "Director or Assistant Director",
    "Head of Service",
    "Commissioner",
    "Service manager or designer",
    "Practitioner or practice lead",
]
ROLE_OTHER = [
    "Performance analyst",
    "Quality assurance officer",
    "Improvement adviser",
    "Data and intelligence officer",
    "Programme coordinator",
]
ORG_OPTIONS = [
    "Local authority children's services",
    "Local authority public health",
    "Local authority (other department)",
    "ICB/NHS",
    "Voluntary sector",
    "Police",
]
ORG_OTHER = ["School", "Housing association", "Further education college"]
PARTNER_ORGS = ("ICB/NHS", "Voluntary sector", "Police")
YEARS = ["Less than 1 year", "1 to 2 years", "3 to 5 years", "6 to 10 years", "More than 10 years"]
INFLUENCE_SCALE = ["Not at all", "A little", "Somewhat", "A lot", "A great deal"]
TOOLKIT_SCALE = ["Not aware", "Aware, not used", "Used occasionally", "Used regularly"]
AGREE_SCALE = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
]
INFLUENCES = [
    ("families", "The views of children and families", "influence.families", 4.0),
    ("staff", "The views of our own staff and managers", "influence.staff", 3.6),
    ("partners", "The views of partner agencies", "influence.partners", 3.4),
    ("cost", "Cost and the resources available", "influence.cost", 3.9),
    ("local_fit", "What will fit our local context", "influence.local_fit", 3.8),
    ("political", "Political priorities and elected members", "influence.political", 2.8),
    ("research", "Research evidence about what works", "evidence.research", 2.9),
    ("local_data", "Local data on need and performance", "evidence.local_data", 3.7),
    ("practice", "Practitioners' experience and practice wisdom", "evidence.practice", 3.5),
    ("peer_las", "Other local authorities' experience", "evidence.peer_las", 3.0),
]
BARRIER_LABELS = {
    "barrier.skills": "Lack of skills or confidence in interpreting evidence",
    "barrier.capacity": "Lack of time and capacity",
    "barrier.budget": "Budget pressures and the cost of programmes",
    "barrier.access": "Difficulty finding or accessing evidence",
    "barrier.turnover": "Staff turnover and loss of knowledge",
    "barrier.culture": "An organisational culture that does not value evidence",
    "barrier.political": "Political priorities that override the evidence",
    "barrier.relevance": "Evidence that doesn't fit our local context",
    "barrier.habit": "Doing things the way they've always been done",
}
ENABLER_LABELS = {
    "enabler.training": "Training in finding and using evidence",
    "enabler.summaries": "Short, plain-English summaries of evidence",
    "enabler.analyst": "Access to analysts or research support",
    "enabler.time": "Protected time to look at evidence",
    "enabler.leadership": "Senior leaders who champion evidence",
    "enabler.networks": "Networks for sharing learning with other areas",
    "enabler.relationships": "Trusted relationships with providers and partners",
    "enabler.belief": "Confidence that evidence-based programmes improve outcomes",
    "enabler.routine": "Building evidence into routine processes and templates",
}
TOOLKITS = [
    ("nice", "NICE guidelines", "toolkit.nice", (0.1, 0.3, 0.4, 0.2)),
    ("lga_hub", "LGA Knowledge Hub", "toolkit.lga_hub", (0.25, 0.35, 0.3, 0.1)),
    ("phof", "Public Health Outcomes Framework", "toolkit.phof", (0.3, 0.3, 0.25, 0.15)),
    ("rip", "Research in Practice resources", "toolkit.rip", (0.15, 0.25, 0.35, 0.25)),
    ("eif_guidebook", "EIF Guidebook", "toolkit.eif_guidebook", (0.35, 0.3, 0.25, 0.1)),
    ("wwcsc_store", "WWCSC Evidence Store", "toolkit.wwcsc_store", (0.45, 0.3, 0.2, 0.05)),
]
COMB = [
    ("skills", "I have the skills to find and interpret research evidence", 3.4),
    ("time", "I have enough time to look at evidence when designing services", 2.3),
    ("expectation", "Senior leaders here expect decisions to be backed by evidence", 3.3),
    ("belief", "Evidence-based programmes improve outcomes for families", 4.1),
    ("routine", "Looking at evidence is a routine part of how we work", 2.8),
]
GUIDES = {
    "guide.summary": "A short summary of the key messages",
    "guide.implementation": "Practical advice on implementation",
    "guide.case_studies": "Case studies from other local authorities",
    "guide.digital": "Digital content such as videos or webinars",
    "guide.checklists": "Checklists and templates",
}
FREE_TEXT_ID = "comments"


def sq(value: object) -> object:
    """SmartSurvey's apostrophe escape."""
    return value.replace("'", "@SQ@") if isinstance(value, str) else value


def question_map(sites: list[Site]) -> dict:
    """The ``survey/question_map.yml`` content."""
    return {
        "questions": [
            {
                "id": "role",
                "text": "Which of the following best describes your role?",
                "type": "single",
                "attribute": "job_title",
                "options": ROLE_OPTIONS,
                "other": True,
            },
            {
                "id": "organisation",
                "text": "What type of organisation do you work for?",
                "type": "single",
                "attribute": "organisation_type",
                "options": ORG_OPTIONS,
                "other": True,
            },
            {
                "id": "site",
                "text": "Which local authority area do you mainly work in?",
                "type": "single",
                "attribute": "site",
                "options": [s.name for s in sites] + ["Prefer not to say"],
            },
            {
                "id": "years",
                "text": "How long have you been in your current role?",
                "type": "single",
                "attribute": "years_in_role",
                "options": YEARS,
            },
            {
                "id": "influences",
                "text": "How much do the following influence your decisions when you design or "
                "commission services for children and families?",
                "type": "grid",
                "scale": INFLUENCE_SCALE,
                "neutral": "Somewhat",
                "items": [{"id": i, "label": lab, "code": c} for i, lab, c, _ in INFLUENCES],
            },
            {
                "id": "barriers",
                "text": "What are the most significant barriers to using evidence in service "
                "design and commissioning where you work? (choose up to 3)",
                "type": "multi",
                "max_choices": 3,
                "options": [{"label": lab, "code": c} for c, lab in BARRIER_LABELS.items()],
            },
            {
                "id": "enablers",
                "text": "What would most help you to use evidence when designing or "
                "commissioning services? (choose up to 3)",
                "type": "multi",
                "max_choices": 3,
                "options": [{"label": lab, "code": c} for c, lab in ENABLER_LABELS.items()],
            },
            {
                "id": "toolkits",
                "text": "How familiar are you with the following evidence toolkits and resources?",
                "type": "grid",
                "scale": TOOLKIT_SCALE,
                "items": [{"id": i, "label": lab, "code": c} for i, lab, c, _ in TOOLKITS],
            },
            {
                "id": "comb",
                "text": "How far do you agree with the following statements?",
                "type": "grid",
                "scale": AGREE_SCALE,
                "neutral": "Neither agree nor disagree",
                "items": [{"id": i, "label": lab} for i, lab, _ in COMB],
            },
            {
                "id": "guide_formats",
                "text": "Which formats would make the new Practice Guides most useful to you? "
                "(tick all that apply)",
                "type": "multi",
                "options": [{"label": lab, "code": c} for c, lab in GUIDES.items()],
            },
            {
                "id": FREE_TEXT_ID,
                "text": "Is there anything else you'd like to tell us about using evidence in "
                "your work?",
                "type": "text",
            },
        ]
    }


def _columns(q: dict) -> list[str]:
    if q["type"] == "single":
        return ["Answer", "Other (please specify)"] if q.get("other") else ["Answer"]
    if q["type"] == "multi":
        return [o["label"] for o in q["options"]]
    if q["type"] == "grid":
        return [i["label"] for i in q["items"]]
    return ["Answer"]


class Survey:
    """The generated survey: map, export rows, free-text codings and what was planted."""

    def __init__(self) -> None:
        self.map: dict = {}
        self.rows: list[list[object]] = []
        self.free_text_rows: list[list[object]] = []
        self.n_partial = 0
        self.stats: dict = {}

    def csv_text(self) -> str:
        """The export as CSV text (LF line endings)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in self.rows:
            writer.writerow(["" if v is None else v for v in row])
        return buffer.getvalue()


def _rate(rng: np.random.Generator, mean: float, size: int = 5) -> int:
    return int(np.clip(round(rng.normal(mean, 0.85)), 1, size))


def _rank_choices(rng, picks: list[list[str]], ranked: list[str], family, margin: int) -> None:
    for _ in range(10000):
        counts = Counter(c for p in picks for c in p)
        order = list(ranked) + [c for c in family if c not in ranked]
        bad = None
        for i, top in enumerate(ranked):
            worst = max(order[i + 1 :], key=lambda c: (counts[c], c))
            if counts[top] < counts[worst] + margin:
                bad = (top, worst)
                break
        if bad is None:
            return
        top, worst = bad
        cands = [p for p in picks if worst in p and top not in p]
        if not cands:
            cands = [p for p in picks if top not in p and len(p) < 3]
            if not cands:
                return
            cands[int(rng.integers(len(cands)))].append(top)
            continue
        p = cands[int(rng.integers(len(cands)))]
        p[p.index(worst)] = top


def make_survey(seed: int, sites: list[Site], truth: Truth) -> Survey:
    """Generate the survey respondents and the export in SmartSurvey's layout.

    Parameters
    ----------
    seed : int
        The study seed.
    sites : list of Site
        The sites (their names are the site question's options).
    truth : Truth
        The planted truth the answers carry.

    Returns
    -------
    Survey
        About 50 respondents for 9 sites (about 5,000 for 153), about 10% partial.
    """
    rng = stream(seed, "survey")
    fake = Faker("en_GB")
    fake.seed_instance(seed + 1)
    survey = Survey()
    qmap = question_map(sites)
    survey.map = qmap
    questions = qmap["questions"]
    n = max(12, round(50 * (len(sites) / 9) ** 1.625 * rng.uniform(0.94, 1.06)))
    org_p = np.array([0.52, 0.08, 0.05, 0.13, 0.12, 0.06, 0.04])
    # the same draws as a uniform spread, shaped by the launch and the reminders
    spread = _uptake_seconds(rng.integers(0, SURVEY_DAYS * 86400, n) / (SURVEY_DAYS * 86400))
    starts = sorted(SURVEY_LAUNCH + timedelta(seconds=int(s)) for s in spread)
    people = []
    for i in range(n):
        k = int(rng.choice(len(org_p), p=org_p / org_p.sum()))
        org = ORG_OPTIONS[k] if k < len(ORG_OPTIONS) else ""
        org_other = "" if org else choice(rng, ORG_OTHER)
        partner = org in PARTNER_ORGS
        r = int(rng.choice(6, p=[0.1, 0.15, 0.25, 0.25, 0.18, 0.07]))
        role = ROLE_OPTIONS[r] if r < 5 else ""
        role_other = "" if role else choice(rng, ROLE_OTHER)
        site = "Prefer not to say" if rng.random() < 0.08 else choice(rng, sites).name
        partial = rng.random() < 0.1
        stop = int(rng.integers(4, len(questions) - 1)) if partial else len(questions)
        people.append(
            {
                "org": org,
                "org_other": org_other,
                "partner": partner,
                "role": role,
                "role_other": role_other,
                "site": site,
                "stop": stop,
                "start": starts[i],
                "years": choice(rng, YEARS),
            }
        )
    # Multi-choice answers, then repaired so the planted top three lead with a margin.
    b_w = [
        (7.0, 5.0, 3.5)[truth.top_barriers.index(c)] if c in truth.top_barriers else 1.0
        for c in BARRIERS
    ]
    e_w = [
        (7.0, 5.0, 3.5)[truth.top_enablers.index(c)] if c in truth.top_enablers else 1.0
        for c in ENABLERS
    ]
    barrier_picks, enabler_picks = [], []
    for p in people:
        k = int(rng.choice([1, 2, 3], p=[0.15, 0.3, 0.55]))
        barrier_picks.append(weighted_sample(rng, list(BARRIERS), b_w, k) if p["stop"] > 5 else [])
        k = int(rng.choice([1, 2, 3], p=[0.15, 0.3, 0.55]))
        enabler_picks.append(weighted_sample(rng, list(ENABLERS), e_w, k) if p["stop"] > 6 else [])
    margin = max(2, n // 25)
    _rank_choices(rng, [b for b in barrier_picks if b], truth.top_barriers, BARRIERS, margin)
    _rank_choices(rng, [e for e in enabler_picks if e], truth.top_enablers, ENABLERS, margin)

    dissonant_mean = 1.7 if truth.dissonant_direction == "interviews_high" else 4.6
    free_codes = sorted(c for c in texts(list(P.SURVEY_FREE_TEXT)) if c in LEAF_IDS)
    free_w = [(7.0 if c in truth.top_barriers + truth.top_enablers else 1.0) for c in free_codes]
    ratings: dict[str, list[tuple[str, int]]] = {i: [] for i, *_ in INFLUENCES}
    header1 = list(META)
    header2 = [""] * len(META)
    for q in questions:
        cols = _columns(q)
        header1 += [q["text"]] + [""] * (len(cols) - 1)
        header2 += cols
    rows = [[sq(v) for v in header1], [sq(v) for v in header2], [""] * len(header1)]
    ip_blocks = ("192.0.2", "198.51.100", "203.0.113")
    free_rows: list[list[object]] = []
    for i, p in enumerate(people):
        number = i + 1
        named = rng.random() < 0.05
        name = fake.name() if named else ""
        email = fake.email() if named else ""
        ended = (
            ""
            if p["stop"] < len(questions)
            else (p["start"] + timedelta(seconds=int(rng.integers(240, 900)))).strftime(
                "%d/%m/%Y %H:%M:%S"
            )
        )
        row: list[object] = [
            41_000_000 + number * 37 + int(rng.integers(0, 30)),
            number,
            name,
            email,
            f"{choice(rng, ip_blocks)}.{int(rng.integers(1, 255))}",
            "",
            p["start"].strftime("%d/%m/%Y %H:%M:%S"),
            ended,
            "Web Link",
        ]
        for qi, q in enumerate(questions):
            cells: list[object] = [""] * len(_columns(q))
            if qi < p["stop"]:
                qid = q["id"]
                if qid == "role":
                    cells = [p["role"], p["role_other"]]
                elif qid == "organisation":
                    cells = [p["org"], p["org_other"]]
                elif qid == "site":
                    cells = [p["site"]]
                elif qid == "years":
                    cells = [p["years"]]
                elif qid == "influences":
                    cells = []
                    for item, _label, code, mean in INFLUENCES:
                        if code == truth.dissonant:
                            mean = dissonant_mean
                        if code == "evidence.research":
                            mean = 3.9 if p["partner"] else 2.8
                        value = _rate(rng, mean)
                        group = "partner" if p["partner"] else "la" if p["org"] else "other"
                        ratings[item].append((group, value))
                        cells.append(INFLUENCE_SCALE[value - 1])
                elif qid in ("barriers", "enablers"):
                    picks = barrier_picks[i] if qid == "barriers" else enabler_picks[i]
                    labels = BARRIER_LABELS if qid == "barriers" else ENABLER_LABELS
                    cells = [lab if c in picks else "" for c, lab in labels.items()]
                elif qid == "toolkits":
                    cells = [TOOLKIT_SCALE[int(rng.choice(4, p=pr))] for *_, pr in TOOLKITS]
                elif qid == "comb":
                    cells = [AGREE_SCALE[_rate(rng, m) - 1] for *_, m in COMB]
                elif qid == "guide_formats":
                    k = int(rng.integers(1, 5))
                    chosen = set(rng.permutation(len(GUIDES))[:k].tolist())
                    cells = [lab if j in chosen else "" for j, lab in enumerate(GUIDES.values())]
                elif qid == FREE_TEXT_ID and free_codes and rng.random() < 0.55:
                    codes = weighted_sample(rng, free_codes, free_w, int(rng.integers(1, 3)))
                    pieces = [choice(rng, [t for t in texts(P.SURVEY_FREE_TEXT[c])]) for c in codes]
                    cells = [" ".join(pieces)]
                    doc = f"SVY-R{number:03d}-{FREE_TEXT_ID}"
                    free_rows += [
                        [doc, 1, piece, c, "CD", ""] for c, piece in zip(codes, pieces, strict=True)
                    ]
            row += cells
        rows.append([sq(v) for v in row])
    survey.rows = rows
    survey.free_text_rows = free_rows
    survey.n_partial = sum(p["stop"] < len(questions) for p in people)

    def mean(values: list[int]) -> float:
        return round(float(np.mean(values)), 3) if values else float("nan")

    item_means = {item: mean([v for _, v in vals]) for item, vals in ratings.items()}
    survey.stats = {
        "respondents": n,
        "partial": survey.n_partial,
        "barrier_counts": dict(Counter(c for b in barrier_picks for c in b).most_common()),
        "enabler_counts": dict(Counter(c for e in enabler_picks for c in e).most_common()),
        "influence_means": item_means,
        "research_partner_mean": mean([v for g, v in ratings["research"] if g == "partner"]),
        "research_la_mean": mean([v for g, v in ratings["research"] if g == "la"]),
        "n_partner": sum(p["partner"] for p in people),
    }
    return survey
