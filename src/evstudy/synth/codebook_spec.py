"""The study codebook used by the synthetic demonstration study.

``CODES`` follows the ``codebook.yml`` schema in the README: every entry has the keys
``id, parent, label, definition, include, exclude, example, comb, valence, rq, origin``;
the codes the topic guides ask about by name also have ``prompted`` (see :data:`PROMPTED`).
Themes have ``parent`` None and no include/exclude/example, COM-B category or valence;
those are set on their codes. Examples are invented, never a participant's words.
"""

from __future__ import annotations

__all__ = ["CODES", "COMB_VALUES", "LEAF_IDS", "PROMPTED", "THEME_IDS", "VALENCE_VALUES"]

COMB_VALUES = frozenset(
    {
        "physical_capability",
        "psychological_capability",
        "physical_opportunity",
        "social_opportunity",
        "reflective_motivation",
        "automatic_motivation",
    }
)
VALENCE_VALUES = frozenset({"barrier", "enabler"})


def _theme(id_: str, label: str, definition: str, rq: list[int], origin: str = "deductive"):
    return {
        "id": id_,
        "parent": None,
        "label": label,
        "definition": definition,
        "include": None,
        "exclude": None,
        "example": None,
        "comb": None,
        "valence": None,
        "rq": rq,
        "origin": origin,
    }


def _code(
    id_: str,
    label: str,
    definition: str,
    include: str,
    exclude: str,
    example: str,
    rq: list[int],
    *,
    comb: str | None = None,
    valence: str | None = None,
    origin: str = "deductive",
):
    return {
        "id": id_,
        "parent": id_.split(".", 1)[0],
        "label": label,
        "definition": definition,
        "include": include,
        "exclude": exclude,
        "example": example,
        "comb": comb,
        "valence": valence,
        "rq": rq,
        "origin": origin,
    }


CODES: list[dict] = [
    # ------------------------------------------------------------------ approach (RQ1)
    _theme(
        "approach",
        "Commissioning and service design approach",
        "How the local authority and its partners plan, design, buy, review and stop services "
        "for children and families.",
        [1],
    ),
    _code(
        "approach.cycle",
        "Structured commissioning cycle",
        "A planned, staged process that decisions move through in order, from analysing need "
        "through planning and procurement to review.",
        "Named stages (analyse, plan, do, review); commissioning boards, gateways or forward "
        "plans; needs assessments timed to feed the next procurement.",
        "Decisions made outside any planned sequence (approach.reactive); the decision to stop "
        "a service (approach.decommissioning).",
        "Every contract comes to our commissioning board three times: at needs analysis, at "
        "options appraisal and at award.",
        [1],
    ),
    _code(
        "approach.reactive",
        "Reactive, unplanned commissioning",
        "Commissioning driven by crises, short-notice funding, deadlines or inspection "
        "pressure, where the participant says practice departs from the textbook process.",
        "Year-end grant spend; buying in a service after an inspection or a serious incident; "
        "admitting stages of the cycle are skipped or done after the fact.",
        "Slow but orderly planned processes (approach.cycle); political direction as such "
        "(influence.political).",
        "Money turned up in January with a March deadline, so we went with whoever could start "
        "quickest.",
        [1],
    ),
    _code(
        "approach.partnership",
        "Strategic partnership with the voluntary sector",
        "Designing or delivering services with voluntary and community organisations as "
        "partners, beyond a straightforward purchaser and provider contract.",
        "Alliance contracts, grant partnerships, co-design with charities, consortium bids, "
        "provider forums shaping a specification.",
        "Trust in a provider making evidence use easier (enabler.relationships); other agencies' "
        "views shaping a decision (influence.partners).",
        "We built the new youth offer with a consortium of local charities rather than putting "
        "it out to tender.",
        [1],
    ),
    _code(
        "approach.decommissioning",
        "Reviewing and decommissioning services",
        "Reviewing existing services and deciding to stop, shrink, re-specify or not renew them.",
        "Contract reviews, exit strategies, letting contracts lapse, the difficulty of ending a "
        "long-standing service.",
        "Routine stages of the cycle that do not concern ending a service (approach.cycle).",
        "The review showed the drop-in wasn't reaching anyone new, so we gave the provider a "
        "year's notice.",
        [1],
    ),
    _code(
        "approach.coproduction",
        "Co-production with children and families",
        "Children, young people, parents or carers working alongside staff as partners in "
        "designing, choosing or evaluating services.",
        "Young commissioners, parent panels on tender evaluation, co-design workshops, families "
        "writing the specification with officers.",
        "Families' views gathered as one input to a decision made by staff (influence.families).",
        "Two parents sat on the evaluation panel and scored the bids alongside us.",
        [1],
        origin="inductive",
    ),
    # ------------------------------------------------------------------ influence (RQ1, RQ4)
    _theme(
        "influence",
        "Influences on decisions",
        "Who and what shapes service design and commissioning decisions.",
        [1, 4],
    ),
    _code(
        "influence.families",
        "Children and families' views",
        "What children, young people and parents say they need or think of services, used as an "
        "influence on decisions.",
        "Consultation, surveys, complaints, feedback from service users, the voice of the child.",
        "Families as partners in the design process itself (approach.coproduction).",
        "What swung it was the parents' survey: they wanted evening sessions, not daytime ones.",
        [1, 4],
    ),
    _code(
        "influence.staff",
        "Practitioners and senior managers",
        "The views, requests and judgement of the organisation's own staff, from frontline "
        "workers to directors, shaping a decision.",
        "Practitioner feedback on gaps, a director's preference, heads of service setting "
        "direction.",
        "Professional experience used as a kind of evidence (evidence.practice); leadership that "
        "promotes evidence use (enabler.leadership).",
        "Our social workers kept telling us there was nothing for teenagers, so that went to the "
        "top of the list.",
        [1, 4],
    ),
    _code(
        "influence.partners",
        "Partner agencies",
        "Health, police, schools, the ICB and other agencies shaping what the local authority "
        "designs or commissions.",
        "Joint priorities, pooled budgets, partnership boards, requests from partner agencies.",
        "The commissioning model of working with charities (approach.partnership).",
        "The ICB wanted the emotional wellbeing offer joined up, so they shaped a lot of the "
        "specification.",
        [1, 4],
    ),
    _code(
        "influence.cost",
        "Price and available resource",
        "The cost of a service and the money available deciding what is chosen.",
        "Price per family, unit costs, what the budget allows, choosing the cheaper option.",
        "Lack of money stopping evidence-based programmes specifically (barrier.budget).",
        "In the end we went for the option that came in under the envelope we had.",
        [1, 4],
    ),
    _code(
        "influence.local_fit",
        "Local context and fit",
        "Whether an approach suits the area, its population, its existing services and its "
        "workforce.",
        "Fit with the local offer and geography, local workforce, what the area already has.",
        "Research judged irrelevant because it ignores local context (barrier.relevance).",
        "It had to work across a rural patch with poor buses, so anything centre-based was out.",
        [1, 4],
    ),
    _code(
        "influence.political",
        "Elected members and political priorities",
        "Councillors, lead members and political commitments shaping what is designed or "
        "commissioned.",
        "Manifesto pledges, lead member interest, scrutiny committees, ward priorities.",
        "Politics getting in the way of evidence (barrier.political).",
        "The lead member had promised a family hub in every district, so that framed the whole "
        "programme.",
        [1, 4],
    ),
    # ------------------------------------------------------------------ evidence (RQ1, RQ4)
    _theme(
        "evidence",
        "Types of evidence used",
        "The kinds of evidence drawn on when designing and commissioning services.",
        [1, 4],
    ),
    _code(
        "evidence.research",
        "Research evidence about what works",
        "Evaluations, trials, systematic reviews and other research on the effectiveness of "
        "programmes or approaches.",
        "Looking for evaluated programmes, citing effect sizes or trials, academic papers.",
        "Named toolkits and repositories (toolkit codes); local data (evidence.local_data).",
        "We looked for programmes with a proper trial behind them before we shortlisted.",
        [1, 4],
    ),
    _code(
        "evidence.local_data",
        "Local data and needs analysis",
        "Local data on need, demand, performance and outcomes, including needs assessments.",
        "JSNA, needs analyses, performance dashboards, referral and contact data, mapping.",
        "National indicators in the Public Health Outcomes Framework (toolkit.phof); problems "
        "with data systems (emergent.data_systems).",
        "The needs analysis showed referrals for under-fives had doubled in two wards.",
        [1, 4],
    ),
    _code(
        "evidence.practice",
        "Practice wisdom and professional experience",
        "Knowledge from professional experience treated as evidence of what works.",
        "Practitioners' judgement, what has worked before in practice, practice leads' expertise.",
        "Staff requests or preferences as an influence (influence.staff).",
        "Our family support workers know from years of doing it which approaches parents stick "
        "with.",
        [1, 4],
    ),
    _code(
        "evidence.peer_las",
        "Intelligence from other local authorities",
        "What other local authorities have done, commissioned or learnt, used as evidence for a "
        "decision.",
        "Ringing round, copying another council's model, visits, benchmarking with statistical "
        "neighbours.",
        "Networks as a support that helps evidence use (enabler.networks).",
        "We borrowed the neighbouring council's specification almost wholesale.",
        [1, 4],
    ),
    # ------------------------------------------------------------------ toolkit (RQ3, RQ4)
    _theme(
        "toolkit",
        "Toolkits and guidance",
        "Named evidence toolkits, repositories and guidance, how they are used and how the legacy "
        "What Works resources are judged.",
        [3, 4],
    ),
    _code(
        "toolkit.nice",
        "NICE guidelines",
        "Use of guidance from the National Institute for Health and Care Excellence.",
        "Checking NICE guidelines or quality standards when designing a service.",
        "General research evidence not tied to NICE (evidence.research).",
        "For the perinatal pathway we went straight to the NICE guideline.",
        [3, 4],
    ),
    _code(
        "toolkit.lga_hub",
        "LGA Knowledge Hub",
        "Use of the Local Government Association's Knowledge Hub and its groups.",
        "Posting questions, finding documents or joining groups on the Knowledge Hub.",
        "Informal contacts with other councils outside the Hub (evidence.peer_las).",
        "I put a question on the Knowledge Hub and had three specifications back by Friday.",
        [3, 4],
    ),
    _code(
        "toolkit.phof",
        "Public Health Outcomes Framework",
        "Use of the Public Health Outcomes Framework and its indicators.",
        "PHOF indicators, fingertips-style comparisons, outcome measures taken from the framework.",
        "Locally produced data and needs analysis (evidence.local_data).",
        "We set the service's outcomes against two of the PHOF indicators.",
        [3, 4],
    ),
    _code(
        "toolkit.rip",
        "Research in Practice",
        "Use of Research in Practice resources, membership, briefings or events.",
        "Briefings, webinars, tools and learning events from Research in Practice.",
        "Plain-English summaries in general as an enabler (enabler.summaries).",
        "Our practice leads use the Research in Practice material for team development days.",
        [3, 4],
    ),
    _code(
        "toolkit.eif_guidebook",
        "EIF Guidebook",
        "Use of the Early Intervention Foundation Guidebook of programmes and its evidence "
        "ratings.",
        "Looking up programmes and ratings, shortlisting from the Guidebook.",
        "Judgements about the Guidebook's strengths or weaknesses (toolkit.strength, "
        "toolkit.weakness).",
        "We checked the parenting programmes on the EIF Guidebook before the options paper.",
        [3, 4],
    ),
    _code(
        "toolkit.wwcsc_store",
        "WWCSC Evidence Store",
        "Use of the What Works for Children's Social Care Evidence Store.",
        "Reading Evidence Store summaries, using it to inform practice or commissioning.",
        "Judgements about the Store's strengths or weaknesses (toolkit.strength, "
        "toolkit.weakness).",
        "I had a look at what the Evidence Store said about family group conferencing.",
        [3, 4],
    ),
    _code(
        "toolkit.strength",
        "Strengths of the legacy resources",
        "What was good or useful about the WWCSC Evidence Store or the EIF Guidebook.",
        "Clear ratings, trustworthy independent assessment, useful cost information, "
        "accessibility.",
        "Neutral accounts of use (toolkit.eif_guidebook, toolkit.wwcsc_store).",
        "The Guidebook's ratings gave us something independent to point to at committee.",
        [3],
    ),
    _code(
        "toolkit.weakness",
        "Weaknesses of the legacy resources",
        "What was poor, missing or unhelpful about the WWCSC Evidence Store or the EIF Guidebook.",
        "Gaps in coverage, dated content, bias towards manualised programmes, hard to navigate, "
        "little on implementation.",
        "Neutral accounts of use (toolkit.eif_guidebook, toolkit.wwcsc_store); general "
        "irrelevance of research (barrier.relevance).",
        "Most of what the Store covered was American trials, which didn't help us much.",
        [3],
    ),
    # ------------------------------------------------------------------ barrier (RQ2, RQ5)
    _theme(
        "barrier",
        "Barriers to evidence-based commissioning",
        "What hinders designing and commissioning evidence-based programmes, classified by COM-B.",
        [2, 5],
    ),
    _code(
        "barrier.skills",
        "Lack of skills and confidence with evidence",
        "Staff lack the knowledge, skills or confidence to find, appraise or interpret research.",
        "Not understanding evidence ratings or statistics, unsure how to judge a study.",
        "Lack of time to do it (barrier.capacity).",
        "I couldn't tell you what a good effect size looks like, honestly.",
        [2, 5],
        comb="psychological_capability",
        valence="barrier",
    ),
    _code(
        "barrier.capacity",
        "Lack of time and capacity",
        "No time or staff capacity to look for, read or apply evidence.",
        "Workload, firefighting, too few commissioners, no time to read.",
        "Staff wellbeing and morale (emergent.workforce); staff leaving (barrier.turnover).",
        "There are two of us covering every children's contract, so reading research just "
        "doesn't happen.",
        [2, 5],
        comb="physical_opportunity",
        valence="barrier",
    ),
    _code(
        "barrier.budget",
        "Budget constraints",
        "Shortage of money preventing the commissioning or sustaining of evidence-based "
        "programmes.",
        "Licence and training costs, cuts, short-term funding, unaffordable programmes.",
        "Price as a neutral factor in a decision (influence.cost).",
        "The programme we wanted needed licences and supervision we simply couldn't fund.",
        [2, 5],
        comb="physical_opportunity",
        valence="barrier",
    ),
    _code(
        "barrier.access",
        "Difficulty accessing research",
        "Research is hard to get at or find: paywalls, scattered sources, not knowing where to "
        "look.",
        "Journal paywalls, no library access, searching without success, too many sites.",
        "Lack of skills to interpret what is found (barrier.skills).",
        "Every time I find a relevant paper it wants thirty pounds to read it.",
        [2, 5],
        comb="physical_opportunity",
        valence="barrier",
    ),
    _code(
        "barrier.turnover",
        "Staff turnover and lost knowledge",
        "People leaving or moving on, taking knowledge of evidence and past decisions with them.",
        "Interim and agency staff, churn in commissioning teams, lost organisational memory.",
        "Pressure and wellbeing of staff who remain (emergent.workforce).",
        "The person who set the programme up left and nobody knew why we'd chosen it.",
        [2, 5],
        comb="physical_opportunity",
        valence="barrier",
    ),
    _code(
        "barrier.culture",
        "Organisational culture",
        "An organisational culture that does not value, expect or reward the use of evidence.",
        "Evidence seen as academic, no expectation to cite it, risk-averse or blame culture.",
        "Political pressure (barrier.political); individual habit (barrier.habit).",
        "Nobody here has ever asked me what the evidence says for a proposal.",
        [2, 5],
        comb="social_opportunity",
        valence="barrier",
    ),
    _code(
        "barrier.political",
        "Political pressure overriding evidence",
        "Political priorities or members' wishes pushing decisions against or ahead of the "
        "evidence.",
        "Pet projects, announcements before options are appraised, electoral timetables.",
        "Members' priorities as a neutral influence (influence.political).",
        "The evidence pointed one way, but a councillor had already promised something else.",
        [2, 5],
        comb="social_opportunity",
        valence="barrier",
    ),
    _code(
        "barrier.relevance",
        "Evidence seen as abstract or irrelevant locally",
        "Research judged too abstract, too distant or blind to local variation to be worth "
        "acting on.",
        "Trials from other countries or settings, evidence that ignores local population or "
        "services, doubts it would work here.",
        "Choosing what fits the area as a neutral influence (influence.local_fit); criticism of "
        "the Store or Guidebook specifically (toolkit.weakness).",
        "A trial in an American city tells me very little about a coastal town like ours.",
        [2, 5],
        comb="reflective_motivation",
        valence="barrier",
    ),
    _code(
        "barrier.habit",
        "Habit and doing what we have always done",
        "Decisions that follow custom, re-commission the same services or run on autopilot "
        "rather than looking at evidence.",
        "Rolling contracts over, familiar providers by default, 'we've always done it this way'.",
        "A culture that does not value evidence (barrier.culture).",
        "Honestly, the contract just gets rolled over each year without anyone looking at it.",
        [2, 5],
        comb="automatic_motivation",
        valence="barrier",
    ),
    # ------------------------------------------------------------------ enabler (RQ2, RQ5)
    _theme(
        "enabler",
        "Enablers of evidence-based commissioning",
        "What helps, or would help, designing and commissioning evidence-based programmes, "
        "classified by COM-B.",
        [2, 5],
    ),
    _code(
        "enabler.training",
        "Training and skills development",
        "Training, courses or learning that build staff skills in finding and using evidence.",
        "Commissioning courses, evidence appraisal training, learning sets.",
        "Summaries that remove the need for skills (enabler.summaries).",
        "The commissioning course taught me how to read an evaluation properly.",
        [2, 5],
        comb="psychological_capability",
        valence="enabler",
    ),
    _code(
        "enabler.summaries",
        "Accessible plain-English summaries",
        "Short, jargon-free summaries of evidence that make it usable by busy staff.",
        "Briefings, one-page digests, summaries of what the evidence says in plain language.",
        "What the new Practice Guides should contain (guide.summary).",
        "A two-page plain-English briefing is what I'll actually read and pass on.",
        [2, 5],
        comb="psychological_capability",
        valence="enabler",
    ),
    _code(
        "enabler.analyst",
        "Dedicated intelligence and insight support",
        "Analysts, insight teams or public health colleagues who find and interpret evidence and "
        "data for commissioners.",
        "Business intelligence teams, public health analysts, research officers.",
        "Local data as a type of evidence (evidence.local_data).",
        "Our insight team pulls the research together before every options appraisal.",
        [2, 5],
        comb="physical_opportunity",
        valence="enabler",
    ),
    _code(
        "enabler.time",
        "Protected time",
        "Time set aside for staff to look at, discuss or apply evidence.",
        "Protected reading time, learning afternoons, time in job plans for research.",
        "Lack of time as a barrier (barrier.capacity).",
        "We keep Thursday afternoons for reading and nobody books meetings over them.",
        [2, 5],
        comb="physical_opportunity",
        valence="enabler",
    ),
    _code(
        "enabler.leadership",
        "Leadership support for evidence",
        "Senior leaders who expect, model and champion the use of evidence.",
        "Directors asking for evidence, leaders sponsoring evidence-based programmes.",
        "Senior managers' preferences as an influence (influence.staff).",
        "Our director asks 'where's the evidence?' at every single board.",
        [2, 5],
        comb="social_opportunity",
        valence="enabler",
    ),
    _code(
        "enabler.networks",
        "Peer networks",
        "Regional and national networks of peers that share learning and support evidence use.",
        "Regional commissioning groups, communities of practice, sector networks.",
        "Another council's practice used as evidence for a decision (evidence.peer_las).",
        "The regional commissioners' group is where I test ideas before they go anywhere.",
        [2, 5],
        comb="social_opportunity",
        valence="enabler",
    ),
    _code(
        "enabler.relationships",
        "Trusted provider relationships",
        "Trusting, collaborative relationships with providers that help evidence to be shared "
        "and used.",
        "Providers bringing evidence and outcome data, open conversations about fidelity.",
        "Partnership as a commissioning model (approach.partnership).",
        "Because we trust each other, the provider tells us straight when the model isn't working.",
        [2, 5],
        comb="social_opportunity",
        valence="enabler",
    ),
    _code(
        "enabler.belief",
        "Belief that evidence improves outcomes",
        "Conviction that using evidence leads to better outcomes for children and families.",
        "Statements of commitment to evidence, seeing its value, wanting to use it.",
        "Leaders' expectations (enabler.leadership).",
        "If something's been shown to work, families deserve to get that rather than a guess.",
        [2, 5],
        comb="reflective_motivation",
        valence="enabler",
    ),
    _code(
        "enabler.routine",
        "Evidence built into routines",
        "Evidence use made automatic by templates, business cases, gateways or standard processes.",
        "Evidence sections in business cases, checklists at commissioning boards, standard "
        "practice.",
        "The planned commissioning cycle in general (approach.cycle).",
        "You can't submit a business case here without filling in the evidence section.",
        [2, 5],
        comb="automatic_motivation",
        valence="enabler",
    ),
    # ------------------------------------------------------------------ guide (RQ5)
    _theme(
        "guide",
        "Practice Guide content and format",
        "Preferences for the content and format of the new Practice Guides and Toolkit.",
        [5],
    ),
    _code(
        "guide.summary",
        "Short summary up front",
        "A wish for the guides to open with a brief, plain summary of the key messages.",
        "Executive summaries, key messages, one-page overviews in the guides.",
        "Existing summaries as an enabler now (enabler.summaries).",
        "Give me the headline findings on the first page of the guide.",
        [5],
    ),
    _code(
        "guide.implementation",
        "Implementation detail and costs",
        "A wish for the guides to cover how to implement an approach and what it costs.",
        "Staffing, training, licences, set-up time, unit costs, fidelity requirements.",
        "Stories of other areas' experience (guide.case_studies).",
        "The guide needs to say what it costs to run and who you need to run it.",
        [5],
    ),
    _code(
        "guide.case_studies",
        "Case studies",
        "A wish for examples of how other areas have used an approach in practice.",
        "Worked examples, case studies from comparable areas, stories of what went wrong.",
        "Intelligence from other councils used in a live decision (evidence.peer_las).",
        "A case study from a council like ours would sell it to my director.",
        [5],
    ),
    _code(
        "guide.digital",
        "Digital and multimedia formats",
        "A wish for videos, podcasts, webinars or interactive tools alongside written guidance.",
        "Short videos, podcasts, interactive filters or web tools.",
        "Preferences about written summaries (guide.summary).",
        "A ten-minute podcast I could listen to in the car would get used.",
        [5],
    ),
    _code(
        "guide.checklists",
        "Checklists and practical tools",
        "A wish for checklists, templates and step-by-step tools in the guides.",
        "Checklists, templates, decision tools, question lists for providers.",
        "Evidence already built into local templates (enabler.routine).",
        "A checklist of questions to ask a provider would be really handy.",
        [5],
    ),
    # ------------------------------------------------------------------ emergent (inductive)
    _theme(
        "emergent",
        "Emergent themes",
        "Themes raised by participants that the interview schedule did not ask about.",
        [1, 2],
        origin="inductive",
    ),
    _code(
        "emergent.workforce",
        "Workforce pressure and wellbeing",
        "Strain, morale, burnout and wellbeing in the children's workforce.",
        "Stress, sickness, vacancies felt by those remaining, emotional toll of the work.",
        "Lack of time for evidence (barrier.capacity); staff leaving (barrier.turnover).",
        "People are running on empty, and you can see it in the sickness figures.",
        [2],
        origin="inductive",
    ),
    _code(
        "emergent.data_systems",
        "Data systems that do not connect",
        "Case management and data systems across teams or agencies that cannot share or link data.",
        "Incompatible systems, manual workarounds, data-sharing agreements that stall.",
        "Using local data as evidence (evidence.local_data).",
        "Health's system and ours can't see each other, so we match families by hand.",
        [1, 2],
        origin="inductive",
    ),
    _code(
        "emergent.equity",
        "Meeting the needs of diverse communities",
        "Whether services reach, suit and are trusted by the area's diverse communities.",
        "Language, culture, faith, racism, under-represented groups, interpreters.",
        "Generic doubts about fit of research to the area (barrier.relevance).",
        "The groups weren't reaching the Somali community at all until we recruited from it.",
        [1, 2],
        origin="inductive",
    ),
]

# The codes the topic guides ask about by name, per method. Every schedule (interview,
# expert interview, focus group; phrases.SCHEDULE, EXPERT_SCHEDULE, FOCUS_GROUP_PROMPTS)
# names the EIF Guidebook and the WWCSC Evidence Store and asks what was good and not so
# good about them, so mentions of these codes there answer a question: not prevalence.
_EVERY_METHOD = ["interview", "focus_group", "expert_interview"]
PROMPTED: dict[str, list[str]] = {
    "toolkit.eif_guidebook": _EVERY_METHOD,
    "toolkit.wwcsc_store": _EVERY_METHOD,
    "toolkit.strength": _EVERY_METHOD,
    "toolkit.weakness": _EVERY_METHOD,
}
CODES = [
    {
        **{k: v for k, v in entry.items() if k != "origin"},
        **({"prompted": list(PROMPTED[entry["id"]])} if entry["id"] in PROMPTED else {}),
        "origin": entry["origin"],
    }
    for entry in CODES
]

THEME_IDS: tuple[str, ...] = tuple(c["id"] for c in CODES if c["parent"] is None)
LEAF_IDS: tuple[str, ...] = tuple(c["id"] for c in CODES if c["parent"] is not None)
