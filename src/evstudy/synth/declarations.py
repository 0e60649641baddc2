"""What the demonstration study declares about itself in ``study.yml``.

The research questions, the population its headline figures describe and the study-specific
analyses that reproduce the protocol's five research-question sections. These are the demo's
facts; the analysis code reads them from the study's files and never names them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ANALYSES", "DESCRIPTION", "POPULATION", "REPORT", "RESEARCH_QUESTIONS", "SITE_NOUN"]

# The report's title page. The date is fixed (three months after the last fieldwork in
# December 2023), so the PDF's dates never come from the build's clock.
REPORT: dict[str, Any] = {
    "sponsor": "Children's Services Evidence Programme (invented sponsor)",
    "authors": ["Synthetic Research Unit"],
    "date": "2024-03-28",
    "version": "1.0",
}

DESCRIPTION = (
    "How local authorities in England, with their health and voluntary-sector partners, use "
    "evidence when they design, commission and decommission services for children and "
    "families. The study interviewed staff at each local authority and experts who knew the "
    "legacy WWCSC Evidence Store and EIF Guidebook, held one online focus group per local "
    "authority, ran a short survey of staff and collected site-level admin data, to inform a "
    "new Evidence Toolkit and Practice Guides."
)

SITE_NOUN = "local authority"

RESEARCH_QUESTIONS: list[dict[str, Any]] = [
    {
        "id": 1,
        "title": "How services are designed and commissioned",
        "text": "What does designing, commissioning and decommissioning services for children "
        "and families look like across local authorities and their health partners?",
    },
    {
        "id": 2,
        "title": "COM-B barriers and enablers",
        "text": "What capability, opportunity and motivation barriers and enablers do the people "
        "who design and commission services meet in using evidence-based programmes?",
    },
    {
        "id": 3,
        "title": "The legacy Evidence Store and Guidebook",
        "text": "What were the strengths and weaknesses of the legacy WWCSC Evidence Store and "
        "EIF Guidebook, as their users saw them?",
    },
    {
        "id": 4,
        "title": "How tools and guidance shape decisions",
        "text": "Whether and how evidence toolkits and guidance shape service design, "
        "commissioning and practice models.",
    },
    {
        "id": 5,
        "title": "Applying What Works guidance, and the Practice Guides",
        "text": "What stops What Works evidence and guidance being used and applied, what would "
        "help, and what should the Practice Guides contain and look like?",
    },
]

# Experts advise on the legacy resources; they do not commission services.
POPULATION: dict[str, Any] = {"label": "local-authority and partner staff", "outside": ["expert"]}

LOCAL_AUTHORITY_GROUPS = ["senior_leader", "commissioner", "service_manager", "practitioner"]

ANALYSES: list[dict[str, Any]] = [
    {
        "type": "site_typology",
        "rq": 1,
        "title": "Commissioning approach by site",
        "types": [
            {
                "id": "structured",
                "label": "a structured commissioning cycle",
                "code": "approach.cycle",
            },
            {
                "id": "reactive",
                "label": "mainly reactive commissioning",
                "code": "approach.reactive",
            },
        ],
    },
    {
        "type": "group_comparison",
        "rq": 1,
        "title": "Research evidence: local authority staff and partner agencies",
        "question": "influences",
        "item": "research",
        "groups": {
            "Local authority staff": LOCAL_AUTHORITY_GROUPS,
            "Partner agencies": ["partner_agency"],
        },
    },
    {
        "type": "resource_judgements",
        "rq": 3,
        "title": "Expert views of the legacy resources",
        "resources": ["toolkit.eif_guidebook", "toolkit.wwcsc_store"],
        "judgements": {"strength": "toolkit.strength", "weakness": "toolkit.weakness"},
        "methods": ["expert_interview"],
    },
    {
        "type": "awareness_use",
        "rq": 4,
        "title": "Toolkit awareness and use",
        "question": "toolkits",
        "not_aware": "Not aware",
        "used": ["Used occasionally", "Used regularly"],
    },
    {
        "type": "preferred_formats",
        "rq": 5,
        "title": "Practice Guide formats",
        "question": "guide_formats",
    },
]
