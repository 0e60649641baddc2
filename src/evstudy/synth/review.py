"""The demo's rapid evidence review and its recommendations.

The included sources are real, and the only ones the demo may cite: the 2019 compilation
on evidence in commissioning and strategic partnerships with the voluntary sector, the
Realising Ambition "Commissioning Possible?" briefing, the SCIE summary of Vibert (2016),
and Atkins et al. (2017). Where a detail (a publisher, a year) could not be checked it is
left out rather than guessed. The findings paraphrase each source in our own words. The
excluded sources are invented and say so in their citation. None of this depends on the
seed: the review is the same for every generated study.
"""

from __future__ import annotations

import yaml

from evstudy.synth.office import xlsx_bytes

__all__ = ["RECOMMENDATIONS", "SOURCES", "findings_xlsx", "recommendations_yaml", "register_xlsx"]

REGISTER_HEADER = [
    "Source ID",
    "Citation",
    "Year",
    "Type",
    "Country",
    "Method",
    "RQ1",
    "RQ2",
    "RQ3",
    "RQ4",
    "RQ5",
    "Quality",
    "Decision",
    "Reason",
]
# Source ID, citation, year (None: undated), type, country, method, RQ1-5, quality,
# decision, reason.
SOURCES: list[list[object]] = [
    [
        "R01",
        "Evidence in the commissioning process and Strategic partnerships with the voluntary "
        "sector: executive summary (2019). A compilation of two reports for commissioners of "
        "services for children and families.",
        2019,
        "grey literature",
        "England and Wales",
        "Focus groups with commissioners (for the NSPCC) and a Change Project with five "
        "local-authority and voluntary-sector partnerships",
        "high",
        "high",
        "none",
        "some",
        "some",
        "moderate",
        "included",
        None,
    ],
    [
        "R02",
        "Realising Ambition (undated). Commissioning Possible? Programme Insight briefing on "
        "evidence-based commissioning in the Realising Ambition portfolio.",
        None,
        "grey literature",
        "United Kingdom",
        "Reflections on a programme replicating 25 prevention services for children and "
        "young people",
        "some",
        "some",
        "none",
        "none",
        "some",
        "low",
        "included",
        None,
    ],
    [
        "R03",
        "Social Care Institute for Excellence (2019). Commissioning in children's services: "
        "what works? A summary of Vibert (2016).",
        2019,
        "grey literature",
        "England and Wales",
        "Summary of a mixed-methods study: literature review, two case studies and "
        "interviews with experts",
        "high",
        "some",
        "none",
        "none",
        "some",
        "moderate",
        "included",
        None,
    ],
    [
        "R04",
        "Atkins et al. (2017). [COM-B analysis of interviews with English local-government "
        "staff on using NICE public health guidance.] Implementation Science 12:63.",
        2017,
        "peer-reviewed",
        "England",
        "Qualitative interviews analysed with the COM-B model",
        "some",
        "high",
        "none",
        "high",
        "high",
        "high",
        "included",
        None,
    ],
    [
        "X01",
        "Synthetic excluded source A (synthetic, 2015): research use by school leaders.",
        2015,
        "peer-reviewed",
        "England",
        "Survey",
        "none",
        "some",
        "none",
        "none",
        "none",
        None,
        "excluded",
        "not about designing or commissioning services",
    ],
    [
        "X02",
        "Synthetic excluded source B (synthetic, 2018): evidence use by state child-welfare "
        "agencies.",
        2018,
        "peer-reviewed",
        "United States",
        "Interviews",
        "some",
        "some",
        "none",
        "none",
        "none",
        None,
        "excluded",
        "outside the UK policy context",
    ],
    [
        "X03",
        "Synthetic excluded source C (synthetic, 2020): a blog post on commissioning.",
        2020,
        "grey literature",
        "England",
        "Commentary",
        "some",
        "none",
        "none",
        "none",
        "none",
        None,
        "excluded",
        "opinion without findings",
    ],
    [
        "X04",
        "Synthetic excluded source D (synthetic, 2019): a second version of an included summary.",
        2019,
        "grey literature",
        "England and Wales",
        "Summary",
        "some",
        "some",
        "none",
        "none",
        "none",
        None,
        "excluded",
        "duplicate of an included source",
    ],
    [
        "X05",
        "Synthetic excluded source E (synthetic, 2016): guidance on adult social care procurement.",
        2016,
        "guidance",
        "England",
        "Guidance",
        "some",
        "none",
        "none",
        "none",
        "none",
        None,
        "excluded",
        "not about designing or commissioning services",
    ],
]

# Source, finding (our own words), codes. One row per code in the findings sheet.
FINDINGS: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "R01",
        "Commissioners draw on data about local need, on research about what works and on "
        "what local providers can realistically deliver, each at a different stage.",
        ("evidence.local_data", "evidence.research"),
    ),
    (
        "R01",
        "Tight budgets lead commissioners to cut down costly well-evidenced programmes, and "
        "evidence of cost and benefit is used to defend spending.",
        ("barrier.budget", "influence.cost"),
    ),
    (
        "R01",
        "Studies from similar English councils, with detail on how a service is delivered, "
        "are trusted more because they show whether it would fit locally.",
        ("influence.local_fit", "guide.implementation"),
    ),
    (
        "R01",
        "Commissioners differ in how confident they feel judging a study's methods; "
        "appraisal skills belong in their professional development.",
        ("barrier.skills", "enabler.training"),
    ),
    (
        "R01",
        "Journal paywalls get in the way; organisations that collate and check evidence are "
        "a way round them.",
        ("barrier.access", "enabler.summaries"),
    ),
    (
        "R01",
        "Brief summaries and charts let commissioners decide quickly whether a study is "
        "worth reading.",
        ("enabler.summaries", "guide.summary"),
    ),
    (
        "R01",
        "Informal contact with other councils is valued, not least for hearing what failed.",
        ("evidence.peer_las", "enabler.networks"),
    ),
    (
        "R01",
        "Partnerships with voluntary organisations work through shared values, trust and "
        "long contracts rather than tightly specified competitive tendering.",
        ("approach.partnership", "enabler.relationships"),
    ),
    (
        "R01",
        "Asking young people which outcomes matter to them first, then looking for research "
        "on reaching those outcomes, eases the pull between user voice and evidence.",
        ("influence.families", "approach.coproduction"),
    ),
    (
        "R01",
        "A clear organisational steer on how far services should be evidence-based, and "
        "senior leaders committed from the start, shape what commissioners do.",
        ("enabler.leadership", "barrier.culture"),
    ),
    (
        "R02",
        "Commissioners accept the principles of good commissioning, yet many decisions are "
        "still settled on price.",
        ("influence.cost", "barrier.budget"),
    ),
    (
        "R02",
        "Provider relationships remain the deciding factor, but they take time and capacity "
        "that smaller organisations in particular lack.",
        ("enabler.relationships", "barrier.capacity"),
    ),
    (
        "R02",
        "Attention to the evidence behind services has grown but is patchy locally.",
        ("evidence.research",),
    ),
    (
        "R03",
        "Outsourced children's services do better where commissioners and providers "
        "communicate well and trust each other.",
        ("enabler.relationships", "approach.partnership"),
    ),
    (
        "R03",
        "Making strategic use of data on needs, costs and outcomes goes with better results "
        "for children.",
        ("evidence.local_data",),
    ),
    (
        "R03",
        "Underfunding pushes placement decisions towards cost instead of quality.",
        ("barrier.budget", "influence.cost"),
    ),
    (
        "R03",
        "Outsourcing as a hurried response to failure, with little planning, tends to go badly.",
        ("approach.reactive",),
    ),
    (
        "R03",
        "Agreeing outcomes with community members sharpens the focus on outcomes and builds "
        "engagement.",
        ("approach.coproduction", "influence.families"),
    ),
    (
        "R03",
        "A national support programme to keep commissioners' skills current is proposed.",
        ("enabler.training",),
    ),
    (
        "R04",
        "Local-government staff named budget, staff capacity and political influence as "
        "barriers to acting on national guidance.",
        ("barrier.budget", "barrier.capacity", "barrier.political", "influence.political"),
    ),
    (
        "R04",
        "Guidance was felt to be abstract and to ignore local variation.",
        ("barrier.relevance", "toolkit.nice", "toolkit.weakness", "influence.local_fit"),
    ),
]

RECOMMENDATIONS: list[dict[str, object]] = [
    {
        "id": "REC1",
        "text": "Open every Toolkit entry with a one-page plain summary of what works, for "
        "whom and at what cost.",
        "audience": "Toolkit",
        "codes": ["enabler.summaries", "guide.summary", "barrier.capacity"],
        "priority": "high",
        "rationale": (
            "Commissioners read evidence in the gaps between other work. A summary that "
            "says what works, for whom and at what cost is what they can use in that time."
        ),
    },
    {
        "id": "REC2",
        "text": "Give each Practice Guide a section on adapting a programme to local "
        "circumstances and budgets, with worked examples from English councils.",
        "audience": "Practice Guides",
        "codes": ["influence.local_fit", "barrier.relevance", "guide.implementation"],
        "priority": "medium",
        "rationale": (
            "Programmes are rarely delivered exactly as they were tested. Commissioners "
            "need to know what can be adapted to local services and budgets without losing "
            "what makes a programme work."
        ),
    },
    {
        "id": "REC3",
        "text": "Build protected time and appraisal skills into commissioning teams.",
        "audience": "local commissioners",
        "codes": ["barrier.skills", "barrier.capacity", "enabler.training"],
        "priority": "high",
        "rationale": (
            "Better guidance cannot help a team with no time to read it or no confidence in"
            " appraising it, so time and skills have to come together."
        ),
    },
    {
        "id": "REC4",
        "text": "Agree outcomes with children and families before searching for evidence.",
        "audience": "local commissioners",
        "codes": ["approach.coproduction"],
        "priority": "medium",
        "rationale": (
            "Starting from the outcomes that matter to children and families keeps the "
            "search for evidence on what the service is for."
        ),
    },
    {
        "id": "REC5",
        "text": "Fund shared access to research and networks through which councils learn "
        "from each other.",
        "audience": "national policy",
        "codes": ["barrier.access", "enabler.networks", "evidence.peer_las"],
        "priority": "low",
        "rationale": (
            "Councils learn most from each other, but access to research is uneven; shared "
            "access and networks would spread both."
        ),
    },
    {
        "id": "REC6",
        "text": "Write Toolkit entries so that staff new to commissioning can use them "
        "without a handover.",
        "audience": "Toolkit",
        "codes": ["barrier.turnover"],
    },
]

FINDINGS_HEADER = ["Source", "Finding", "Code", "Coder", "Memo"]
REVIEWER = "RV"  # the reviewer, as a coder is named by initials


def register_xlsx() -> bytes:
    """The review register workbook."""
    return xlsx_bytes([("Register", [REGISTER_HEADER, *SOURCES])])


def findings_xlsx() -> bytes:
    """The coded findings, one row per finding and code (the coding-sheet layout)."""
    rows: list[list[object]] = [FINDINGS_HEADER]
    for source, finding, codes in FINDINGS:
        rows += [[source, finding, code, REVIEWER, None] for code in codes]
    return xlsx_bytes([("Findings", rows)])


def recommendations_yaml() -> str:
    """The demo's recommendations file."""
    head = (
        "# Recommendations for the Evidence Toolkit and the Practice Guides, each with the\n"
        "# theme or code ids that support it. audience: Toolkit, Practice Guides,\n"
        "# local commissioners or national policy. priority (high, medium or low) and\n"
        "# rationale are the research team's judgement; left out, the priority follows the\n"
        "# strength of the evidence and the report drafts a rationale (REC6 shows this).\n"
    )
    body = yaml.safe_dump(
        {"recommendations": RECOMMENDATIONS}, sort_keys=False, allow_unicode=True, width=90
    )
    return head + body
