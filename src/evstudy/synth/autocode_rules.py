"""Keyword rules for auto-coding the synthetic demo (``autocode_rules.yml``).

The rules were written from the codebook's definitions and include/exclude notes, the
way a researcher drafts a first keyword dictionary before reading any transcript, and
not from the generator's phrase bank: the precision and recall that ``evstudy autocode``
reports for them is an honest measurement, not a property of how the words were made.
Every leaf code of :data:`evstudy.synth.codebook_spec.CODES` has a rule.

Keywords match whole words, ignoring case; a trailing ``*`` matches any word ending
(``commission*``). Phrases match whole phrases, with any run of spaces between words.
"""

from __future__ import annotations

import yaml

__all__ = ["RULES", "autocode_rules_yaml"]

# code id -> (keywords, phrases)
RULES: dict[str, tuple[list[str], list[str]]] = {
    "approach.cycle": (
        ["gateway*", "recommission*"],
        ["commissioning cycle", "commissioning board", "forward plan", "analyse, plan, do, review"],
    ),
    "approach.reactive": (
        ["firefight*", "knee-jerk", "crisis"],
        ["year end", "year-end", "at short notice", "serious incident", "after the inspection"],
    ),
    "approach.partnership": (
        ["alliance", "consortium", "co-design*"],
        ["voluntary sector", "community sector", "provider forum", "grant partnership"],
    ),
    "approach.decommissioning": (
        ["decommission*", "lapse"],
        ["exit strategy", "stop funding", "contract review", "end the contract"],
    ),
    "approach.coproduction": (
        ["co-produc*", "coproduc*"],
        ["young commissioners", "parent panel", "parent carer forum", "lived experience"],
    ),
    "influence.families": (
        ["consultation", "complaints"],
        ["voice of the child", "what families tell us", "parents told us", "service users"],
    ),
    "influence.staff": (
        [],
        ["practitioners told us", "frontline staff", "the director wanted", "head of service"],
    ),
    "influence.partners": (
        ["ICB", "police"],
        ["pooled budget", "partnership board", "health colleagues", "joint priorities"],
    ),
    "influence.cost": (
        ["cheaper", "price"],
        ["unit cost", "unit costs", "cost per family", "value for money"],
    ),
    "influence.local_fit": (
        ["geography"],
        ["local offer", "fits the area", "our population", "local context"],
    ),
    "influence.political": (
        ["councillor*", "manifesto", "scrutiny"],
        ["lead member", "elected members", "cabinet member"],
    ),
    "evidence.research": (
        ["trial*", "RCT*", "evaluation*", "academic"],
        ["systematic review", "effect size", "evidence base", "what works"],
    ),
    "evidence.local_data": (
        ["JSNA", "dashboard*", "referrals"],
        ["needs assessment", "needs analysis", "local data", "performance data"],
    ),
    "evidence.practice": (
        ["experience"],
        ["practice wisdom", "professional judgement", "gut feeling", "what has worked before"],
    ),
    "evidence.peer_las": (
        ["benchmark*"],
        ["statistical neighbours", "other councils", "other local authorities", "ring round"],
    ),
    "toolkit.nice": (["NICE"], ["quality standard", "quality standards"]),
    "toolkit.lga_hub": (["LGA"], ["Knowledge Hub"]),
    "toolkit.phof": (["PHOF", "Fingertips"], ["Public Health Outcomes Framework"]),
    "toolkit.rip": ([], ["Research in Practice"]),
    "toolkit.eif_guidebook": (["Guidebook", "EIF"], ["Early Intervention Foundation"]),
    "toolkit.wwcsc_store": (["WWCSC"], ["Evidence Store", "What Works for Children's Social Care"]),
    "toolkit.strength": (
        ["trustworthy", "independent"],
        ["clear ratings", "easy to use", "really useful", "cost information"],
    ),
    "toolkit.weakness": (
        ["outdated", "manualised"],
        ["out of date", "hard to navigate", "not much on implementation", "gaps in"],
    ),
    "barrier.skills": (
        ["statistics", "confidence"],
        ["don't understand", "not confident", "how to judge", "interpret the evidence"],
    ),
    "barrier.capacity": (
        ["workload", "capacity", "firefighting"],
        ["no time", "don't have time", "too few", "stretched thin"],
    ),
    "barrier.budget": (
        ["cuts", "unaffordable", "austerity"],
        ["licence fee", "licence fees", "short-term funding", "can't afford", "grant funding"],
    ),
    "barrier.access": (
        ["paywall*", "Athens"],
        ["journal access", "behind a paywall", "library access", "where to look"],
    ),
    "barrier.turnover": (
        ["turnover", "churn", "interim*"],
        ["agency staff", "left the council", "moved on", "organisational memory", "lost knowledge"],
    ),
    "barrier.culture": (
        ["risk-averse", "blame"],
        ["too academic", "no expectation", "culture of", "not valued"],
    ),
    "barrier.political": (
        ["announce*"],
        ["pet project", "before the election", "political pressure", "members wanted"],
    ),
    "barrier.relevance": (
        ["American", "abstract"],
        ["other countries", "wouldn't work here", "not relevant", "different context"],
    ),
    "barrier.habit": (
        ["rollover", "autopilot"],
        ["always done it", "roll over", "rolled over", "same providers", "same provider"],
    ),
    "enabler.training": (
        ["training", "course*"],
        ["learning set", "learning sets", "appraisal skills"],
    ),
    "enabler.summaries": (
        ["digest*", "jargon"],
        ["plain English", "plain language", "one-page", "short summary", "evidence summaries"],
    ),
    "enabler.analyst": (
        ["analyst*"],
        ["business intelligence", "insight team", "research officer", "public health team"],
    ),
    "enabler.time": (
        [],
        ["protected time", "reading time", "time set aside", "learning afternoon"],
    ),
    "enabler.leadership": (
        ["champion*"],
        ["our director", "senior leaders", "leadership team", "asks for the evidence"],
    ),
    "enabler.networks": (
        ["network*"],
        ["community of practice", "communities of practice", "regional group", "regional groups"],
    ),
    "enabler.relationships": (
        ["fidelity"],
        ["our providers", "good relationship", "trusted provider", "open conversations"],
    ),
    "enabler.belief": (
        [],
        [
            "better outcomes",
            "believe in",
            "makes a difference",
            "I'm committed",
            "value of evidence",
        ],
    ),
    "enabler.routine": (
        ["template*"],
        ["business case", "business cases", "standard practice", "evidence section"],
    ),
    "guide.summary": (
        [],
        ["executive summary", "key messages", "summary at the top", "summary up front"],
    ),
    "guide.implementation": (
        ["implementation", "implement*", "set-up"],
        ["how to implement", "staffing requirements", "what it costs"],
    ),
    "guide.case_studies": (["examples"], ["case study", "case studies", "worked example"]),
    "guide.digital": (
        ["video*", "podcast*", "webinar*", "interactive"],
        ["web tool", "online tool"],
    ),
    "guide.checklists": (
        ["checklist*", "toolkit"],
        ["decision tool", "step by step", "step-by-step"],
    ),
    "emergent.workforce": (
        ["burnout", "morale", "sickness", "vacancies", "exhausted", "stress*"],
        ["emotional toll", "wellbeing"],
    ),
    "emergent.data_systems": (
        ["Liquidlogic", "Mosaic", "spreadsheet*"],
        ["data sharing", "data-sharing", "don't talk to each other", "different systems"],
    ),
    "emergent.equity": (
        ["interpreter*", "racism", "faith", "diverse", "culturally"],
        ["ethnic minority", "seldom heard", "hard to reach", "minority communities"],
    ),
}


def autocode_rules_yaml() -> str:
    """The demo's rules file (``autocode_rules.yml``) as YAML text, in codebook order."""
    rules = []
    for code, (keywords, phrases) in RULES.items():
        entry: dict[str, object] = {"code": code}
        if keywords:
            entry["keywords"] = keywords
        if phrases:
            entry["phrases"] = phrases
        rules.append(entry)
    head = (
        "# Keyword rules for `evstudy autocode`: written from the codebook's definitions,\n"
        "# before reading any transcript. Keywords match whole words ignoring case (a trailing\n"
        "# * matches any ending); phrases match whole phrases with any spacing.\n"
    )
    return head + yaml.safe_dump({"rules": rules}, sort_keys=False, allow_unicode=True, width=100)
