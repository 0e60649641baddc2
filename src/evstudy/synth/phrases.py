"""The phrase bank of the synthetic demonstration study.

Invented, spoken British-English prose in the voice of local-authority and partner staff,
keyed by codebook code id, plus the pieces a transcript needs around it: hedges, fillers,
off-topic remarks, neutral context, interviewer wording and written survey comments.

Placeholders: a phrasing may contain ``{colleague}`` (a person's full name mentioned in
passing); fill it with ``str.format(colleague=...)``. Nothing else here is a format string.
No text contains a colon, so a turn never looks like a ``Name: text`` speaker line.
"""

from __future__ import annotations

__all__ = [
    "CLOSING",
    "DIGRESSIONS",
    "EXPERT_EXPRESSIONS",
    "EXPERT_SCHEDULE",
    "EXPRESSIONS",
    "FILLERS",
    "FOCUS_GROUP_CLOSING",
    "FOCUS_GROUP_OPENING",
    "FOCUS_GROUP_PROMPTS",
    "HEDGES",
    "INTERVIEWER_ACKS",
    "NEUTRAL",
    "OPENING",
    "SCHEDULE",
    "SURVEY_FREE_TEXT",
    "with_opener",
]

# First words that keep their capital when a hedge is put in front of a sentence, besides
# acronyms (NICE, JSNA, SEND), which are recognised by a second capital letter.
_PROPER_WORDS = frozenset({"I", "I'm", "I've", "I'd", "I'll", "Ofsted", "Black", "Traveller"})
_PROPER_PREFIXES = (
    "Research in Practice",
    "Public Health Outcomes",
    "Early Intervention Foundation",
    "What Works",
    "Eastern European",
)


def with_opener(opener: str, sentence: str) -> str:
    """Put a hedge such as ``"To be honest,"`` in front of ``sentence``.

    The sentence's first letter is lower-cased unless it starts with ``I`` (or a
    contraction of it), an acronym, a placeholder or a proper noun such as ``Ofsted``.
    """
    if not sentence:
        return opener
    first = sentence.split(" ", 1)[0].rstrip(",.")
    keep = (
        first in _PROPER_WORDS
        or sentence.startswith(_PROPER_PREFIXES)
        or sentence.startswith("{")
        or any(ch.isupper() for ch in first[1:])
    )
    body = sentence if keep else sentence[0].lower() + sentence[1:]
    return f"{opener} {body}"


# ---------------------------------------------------------------------------------------
# What participants say, by code. Each phrasing expresses its own code and no other.
# ---------------------------------------------------------------------------------------

EXPRESSIONS: dict[str, list[str]] = {
    # -------------------------------------------------------------------- approach
    "approach.cycle": [
        "We follow the analyse, plan, do, review cycle pretty religiously here, and every big "
        "contract has to go through each stage before it gets anywhere near the board.",
        "So it starts with the needs assessment, then we do an options appraisal, then market "
        "engagement, and only after all that does anything go out to tender.",
        "We've got a forward plan showing every contract that ends in the next three years, so "
        "we know roughly eighteen months out when each review has to start.",
        "Each stage has a gateway, and the gateway panel won't sign off the procurement route "
        "until the analysis stage has been written up properly.",
        "It's quite a formal process really. There's a five-year early help commissioning "
        "strategy, and the individual commissions all hang off that.",
        "I'd say we're fairly disciplined. Needs analysis first, then the specification, then "
        "procurement, then contract monitoring feeding into the next round.",
        "When {colleague} came in as head of commissioning a proper timetable went in, so now "
        "everything goes through the same stages in the same order.",
        "We genuinely run it as a cycle, so the outcomes we monitor in year two shape the "
        "analysis for the next commission.",
        "Nothing goes to market without an agreed commissioning plan first. That's been the "
        "rule here for a good few years now.",
        "For the family hubs programme we mapped every stage on a plan on a page, from the "
        "needs analysis right through to a review point after the first year.",
        "There's a commissioning framework that sets out the stages, and we do actually stick "
        "to it for the larger contracts.",
        "The commissioning group meets monthly and every item comes back at a fixed stage, so "
        "analysis, then options, then the decision.",
        "{colleague} keeps the commissioning timetable, so everyone knows which stage each "
        "contract is at and what has to happen next.",
    ],
    "approach.reactive": [
        "It's quite chaotic, if I'm honest. A lot of what we commission happens because a pot "
        "of money lands with about six weeks left to spend it.",
        "The textbook version is analyse, plan, do, review, but in reality we often start at "
        "the doing and work backwards.",
        "After the inspection we had to get an edge of care service in quickly, so there was no "
        "needs analysis, we just went with a provider who could start.",
        "It's firefighting most of the time. Something goes wrong, there's a review, and "
        "suddenly we're buying something in to fill the gap by the end of the month.",
        "We say we follow a cycle, but half the time the review stage gets skipped because the "
        "next deadline is already on top of us.",
        "The grant conditions came out in February and the money had to be committed by March, "
        "so it was whatever we could get contracted in time.",
        "I was saying to {colleague} last week, we write the needs analysis after the decision's "
        "been made, just so the paperwork exists.",
        "It doesn't happen in the neat way the guidance describes. It's far more piecemeal, "
        "responding to whatever has landed that week.",
        "We extended that contract three times on waivers because there was never a moment to "
        "do the procurement properly.",
        "A lot of our commissioning is reactive, driven by placement pressures and whatever the "
        "latest crisis happens to be.",
        "Sometimes a service just appears because there's underspend at year end and it has to "
        "go on something before the books close.",
        "The transport issue was a classic. It blew up in the local paper and within a "
        "fortnight we'd bought something in without any real planning.",
        "{colleague} and I joke that our commissioning plan is whatever's in the inbox that "
        "morning, because things just land on us.",
    ],
    "approach.partnership": [
        "We've moved away from tendering the early help offer, and instead we have an alliance "
        "with about eight local charities who design it with us.",
        "The voluntary sector sit round the table as partners from the start, not as people we "
        "buy things from at the end.",
        "We set up a strategic partnership with the local infrastructure organisation, and they "
        "coordinate the smaller groups so we're not running forty separate contracts.",
        "Rather than a competitive tender, we gave a five-year grant to a consortium of "
        "community organisations and worked the model out together.",
        "The youth offer is jointly owned really. The council puts in the buildings and some of "
        "the money, and the charities run it and shape what happens.",
        "We run co-design sessions with the voluntary and community sector before we ever "
        "write a specification.",
        "{colleague} from the council for voluntary service chairs our provider forum, and that "
        "forum effectively shaped the new family support model.",
        "It's a partnership agreement rather than a contract, so the charity has a say in how "
        "the money is spent and what the outcomes should be.",
        "We didn't want to go down the big national provider route, so we've built a "
        "partnership with community groups who know the estates inside out.",
        "There's a shared outcomes framework that we and the voluntary sector agreed together, "
        "so it isn't us setting targets for them.",
        "The domestic abuse work is commissioned as a partnership, so the lead charity and the "
        "council co-own the plan and report to the same board.",
        "The real shift has been from commissioning the voluntary sector to commissioning "
        "alongside them, as equals more or less.",
        "We sat down with {colleague} from one of the local charities and designed the new "
        "parenting offer together, line by line.",
    ],
    "approach.decommissioning": [
        "Decommissioning is the hard part. We reviewed the parenting contract and it wasn't "
        "delivering, but it still took nearly two years to actually end it.",
        "We reviewed all the early help contracts last year and stopped three that weren't "
        "reaching the families we needed them to.",
        "Nobody likes taking a service away. The drop-in had been running fifteen years and "
        "when we decommissioned it the backlash was considerable.",
        "Part of every contract review is asking whether we should still be buying it at all, "
        "and in a couple of cases the answer was no.",
        "We've got an exit plan built into every contract now, so if the review says it isn't "
        "working there's a proper way to wind it down.",
        "{colleague} led the review of the short breaks offer, and we ended up reshaping it "
        "completely and letting the old contract lapse.",
        "We let the mentoring contract run to its end date and didn't renew, because the "
        "numbers just weren't there.",
        "When a service is decommissioned we have to think about the families still using it "
        "and how they move across, and that transition is what takes the time.",
        "Stopping something is emotionally difficult, because once a service has been going a "
        "while the staff and the families are attached to it.",
        "We did a big service review in the autumn, and as a result we reduced the counselling "
        "contract and moved that money into the hubs.",
        "Sometimes we decommission and recommission the same thing with a different "
        "specification, so it's more reshaping than stopping.",
        "We gave the provider six months' notice and then worked with them so the staff and the "
        "families weren't just dropped.",
        "I had to tell {colleague}, who'd run that project for years, that we weren't renewing "
        "it, and that was a really hard conversation.",
    ],
    "approach.coproduction": [
        "We had young people on the panel for the new provider, and they scored the bids "
        "alongside the officers.",
        "The parent carer forum co-designed the short breaks offer with us. They actually wrote "
        "a good chunk of the specification.",
        "We've got a group of young commissioners who've been trained up, and they're involved "
        "from the needs analysis all the way through to monitoring.",
        "Co-production isn't just a survey for us. Families sit in the design workshops and "
        "have an equal say on what the service looks like.",
        "For the hub we ran a series of sessions where parents designed the layout and the "
        "timetable with us.",
        "{colleague} has done a lot to get care leavers involved, so they helped write the "
        "outcomes for the new supported accommodation contract.",
        "Two parents with lived experience sat on the evaluation panel, and their scores carried "
        "the same weight as everyone else's.",
        "We paid a group of parents as experts by experience to work alongside us for the whole "
        "redesign, which was a first for us.",
        "The young people's advisory group co-produced the questions we put to bidders at the "
        "clarification stage.",
        "We tried to design it with families rather than for them, so the mums' group were in "
        "the room at every stage.",
        "Our children in care council reviewed the bids, and then they helped monitor the "
        "contract afterwards as well.",
        "Young people chose the name and the branding as well as shaping what the service "
        "actually does. They were properly part of it.",
        "{colleague} from the participation team trained a group of parents, and they then "
        "co-designed the support offer with us from scratch.",
    ],
    # -------------------------------------------------------------------- influence
    "influence.families": [
        "The biggest thing for me is what families tell us. If parents say a service doesn't "
        "help, that carries real weight.",
        "We consulted about three hundred parents and the clear message was they wanted help "
        "earlier, before things reach crisis point.",
        "The voice of the child is central. We look at what young people say in their reviews "
        "and that shapes what we go out for.",
        "Complaints and compliments tell us a lot, and a handful of complaints about waiting "
        "times were what got the whole thing started.",
        "Families told us they didn't want to come to a council building, they wanted support "
        "in schools and community venues, so we designed around that.",
        "I was chatting to {colleague} about the feedback forms, and young people were really "
        "clear that they want the same worker all the way through.",
        "What parents say about a service is the first thing I look at, honestly.",
        "We surveyed care leavers, and their views pretty much set the priorities for the next "
        "round.",
        "Listening to families is where it starts. If they don't think something's worth going "
        "to, it doesn't matter how good it looks on paper.",
        "The young people's feedback was that the old service felt like being told off, and "
        "that really changed our thinking.",
        "Parents of disabled children were very vocal about the gaps in holiday provision, and "
        "that pushed it right up the list.",
        "We hold listening events in the hubs twice a year, and what comes out of those goes "
        "straight into the commissioning intentions.",
        "When {colleague} read out what the young people had written, it changed the direction "
        "of the whole meeting.",
    ],
    "influence.staff": [
        "Our practitioners often spot the gap first. The family support workers told us for "
        "months there was nothing for dads.",
        "A lot of it comes from the top. If the director wants something, that's usually where "
        "the commissioning effort goes.",
        "The heads of service have a big say. They set the priorities for their areas and we "
        "commission around them.",
        "Frontline staff get asked what they need, and their views feed into the specification "
        "quite heavily.",
        "{colleague} as assistant director was very keen on a whole-family approach, and that "
        "set the direction for the whole redesign.",
        "Social workers kept raising how long the wait was for therapeutic support, and that's "
        "what pushed the new contract.",
        "Senior managers decide the priorities in the end. We do the work underneath, but the "
        "steer comes from the leadership team.",
        "The team managers meet us quarterly and tell us what's missing on the ground, which "
        "feeds straight into what we go out for.",
        "Practitioner feedback counts for a lot here, because they're the ones who'll refer "
        "into whatever we buy.",
        "Our new director had a strong personal interest in family group conferencing, and "
        "pretty quickly that became a priority here too.",
        "I talk to the early help workers a lot, and what they ask for is a big part of what "
        "ends up in the plan.",
        "There was a push from the safeguarding leads to get something in place for "
        "exploitation, and that drove it more than anything else.",
        "The practitioners went to {colleague} with a list of gaps, and that list more or less "
        "became our priorities for the year.",
    ],
    "influence.partners": [
        "Health are a big influence. The ICB co-funds much of the emotional wellbeing work, so "
        "they have a real say in what it looks like.",
        "The police were pushing for something on child exploitation, and the partnership board "
        "agreed it should be a joint priority.",
        "Schools have quite a loud voice here. The headteachers' forum shaped what we put in "
        "place for attendance support.",
        "It's a pooled budget with health for the under-fives offer, so nothing's decided "
        "without the ICB agreeing.",
        "The safeguarding partnership sets priorities across the three statutory partners, and "
        "our commissioning has to line up with those.",
        "{colleague} from the ICB was very clear that any new service had to fit with the "
        "mental health support teams in schools.",
        "Public health commission health visiting, so anything we do for young children has to "
        "be designed alongside them.",
        "The youth justice board steered a lot of the detached youth work, because the police "
        "and probation had concerns about particular areas.",
        "Partner agencies come to us with what they're seeing. The midwives flagged perinatal "
        "mental health and that started the whole conversation.",
        "It's very much shaped by the health and wellbeing board, and the partners on that "
        "board bring their own priorities.",
        "The trust wanted a particular model for neurodevelopmental support, and we went with "
        "it because they're the ones doing the assessments.",
        "With the police it's about what they're seeing out of hours, and that influenced where "
        "we put the family support resource.",
        "{colleague} from the police came to the partnership meeting with real concerns about "
        "exploitation, and that's what shaped the new service.",
    ],
    "influence.cost": [
        "Price is always going to be a big factor. When two bids are close on quality, the "
        "cheaper one generally wins.",
        "It comes down to what we can afford. We had a set envelope and the service had to be "
        "designed to fit inside it.",
        "The unit cost per family was the thing finance kept coming back to, more than anything "
        "about the model itself.",
        "We scored the tender sixty per cent quality and forty per cent price, and the price "
        "part ended up making the difference.",
        "Resource drives a lot of it. We start with how much there is and work out what we can "
        "get for that.",
        "I was going through the figures with {colleague}, and the only option that added up "
        "was using our own staff rather than buying in.",
        "Cost is the first question at the board, always. What does it cost, and what are we "
        "stopping to pay for it?",
        "We went for the group-based version because it worked out at about a third of the "
        "cost per family of the one-to-one version.",
        "Value for money is a big part of the decision. We compare what similar services cost "
        "and aim to come in at or under that.",
        "The available budget determined how many hubs we could open, and everything else "
        "followed from that.",
        "Money is a huge part of it. A lot of the design conversation is really about "
        "stretching what we've got as far as it'll go.",
        "The cost of placements is what drives the edge of care work, because every child who "
        "stays at home saves a great deal.",
        "{colleague} in finance was very clear that whatever we chose had to come in at the "
        "same price as the old contract.",
    ],
    "influence.local_fit": [
        "It has to fit our area. We're very rural, so anything that relies on families "
        "travelling to a centre just won't work here.",
        "We look at what we've already got locally and how a new service would sit alongside "
        "it, because we don't want to duplicate.",
        "The local context is everything. What suits a big city won't necessarily suit a place "
        "like ours with small market towns.",
        "We had to think about our workforce, whether we had the people locally to deliver it, "
        "before we could go with it.",
        "It needed to fit with our practice model. We're a restorative authority, so we wanted "
        "something that sat comfortably with that.",
        "{colleague} made the point that the estates on the east side are very different from "
        "the villages, so we ended up with two delivery models.",
        "We chose an outreach model because of the geography. Some families are an hour and a "
        "half from the nearest town.",
        "Fit matters most to me. Does it work with our hubs, our schools and the way our teams "
        "are set up?",
        "We've got a big transient population near the port, so we needed something flexible "
        "that families could drop in and out of.",
        "It was about what suits us locally. There are strong community centres on the estates "
        "already, so we built the service around those.",
        "We adapted the model so it fitted our locality teams, rather than setting up a "
        "separate service on the side.",
        "We're a small unitary, so we needed something that could run with a team of four "
        "rather than a big central service.",
        "As {colleague} put it, a model built for a busy city centre doesn't suit a string of "
        "small villages, so we designed our own.",
    ],
    "influence.political": [
        "Elected members have a big say. The lead member takes a real interest and will ask "
        "why we're doing something a certain way.",
        "The administration's manifesto committed to family hubs, so that set the direction "
        "for the whole early help redesign.",
        "Councillors bring concerns from their wards, and that shapes which areas get a "
        "service first.",
        "Anything over a certain value goes to cabinet, so what members think about it really "
        "matters.",
        "{colleague} as lead member championed youth provision, and that pushed youth work "
        "right up the agenda.",
        "The council's political priorities are in the corporate plan, and our commissioning "
        "has to show how it contributes to them.",
        "Scrutiny did a review of support for young carers, and their recommendations became "
        "part of our commissioning plan.",
        "Members were keen that the money should go to local organisations, so that was built "
        "into how we designed it.",
        "After the elections the new administration had different priorities, more focus on "
        "early years, so the plans shifted with that.",
        "The cabinet member wanted something visible in every town, which shaped how we spread "
        "the service out.",
        "There's a cross-party working group on special educational needs, and its priorities "
        "feed directly into what we commission.",
        "Political priorities drive a lot of it. Members want to be able to point to something "
        "in their own communities.",
        "Our lead member, {colleague}, wanted the first hubs in the towns that had lost their "
        "children's centres, so that's where they went.",
    ],
    # -------------------------------------------------------------------- evidence
    "evidence.research": [
        "We do look for research on what works. Before we shortlisted any parenting programmes "
        "we checked which ones had been properly evaluated.",
        "I'd want to know there's been a randomised trial, or at least a decent evaluation, "
        "before we put money into something.",
        "Research evidence is part of the analysis stage for us. We pull together what the "
        "literature says about effective approaches.",
        "For the edge of care service we read the evaluations of a few different models and "
        "went with the one with the strongest results.",
        "{colleague} sent round a systematic review on family support, and that helped us "
        "narrow the options down.",
        "I look at the academic research where I can. There's been some good work on "
        "relationship-based practice in the last few years.",
        "We wanted something with a proven track record in the research, not just a nice idea.",
        "The evaluation showed fewer children coming into care, and that was a big part of why "
        "we chose it.",
        "We ask providers what research sits behind their model, and then we go and check it.",
        "There's a fair amount of research on mentoring now, and we used it to shape what we "
        "asked for in the specification.",
        "I read a couple of the national programme evaluation reports before the design workshops.",
        "The studies were quite clear that home visiting works best when it starts in "
        "pregnancy, so that came into it.",
        "{colleague} found a couple of evaluations of the mentoring model, and the results were"
        " strong enough that we went with it.",
    ],
    "evidence.local_data": [
        "The JSNA is our starting point. It tells us where the need is and which groups we're "
        "not reaching.",
        "We pulled together three years of referral data and it showed a big rise in emotional "
        "health referrals for teenagers.",
        "Our needs analysis mapped where families with under-fives live against where the "
        "services are, and the gaps were obvious.",
        "We use the performance data a lot. Re-referral rates told us the old service wasn't "
        "making a lasting difference.",
        "I was looking at the contacts by ward with {colleague}, and that's what decided where "
        "we put the outreach workers.",
        "Local data is the main evidence for us. How many children, where they are, what's "
        "driving them into care.",
        "We looked at the reasons for contact at the front door, and neglect was coming up far "
        "more than anything else.",
        "The school census figures on persistent absence really shaped the attendance work.",
        "We did a deep dive into the cases of children who came into care as teenagers, to see "
        "what might have made a difference earlier.",
        "Our needs assessment is refreshed every year, and the commissioning intentions come "
        "straight out of it.",
        "Numbers of children with an EHCP in each area helped us decide where to put the "
        "specialist support.",
        "We count everything, waiting times, numbers seen, outcomes at closure, and that's the "
        "evidence we lean on most when we design something new.",
        "{colleague} ran the numbers on repeat referrals, and that data is what the whole case "
        "for change rested on.",
    ],
    "evidence.practice": [
        "A lot of it is practice wisdom. The practitioners know what works with the families "
        "they see, and that counts as evidence for me.",
        "Our experienced workers have seen what helps over many years, and I'd trust that as "
        "much as a study.",
        "We draw on professional judgement a lot. The practice leads can tell you which "
        "approaches families actually engage with.",
        "{colleague} has been a family support worker for twenty years, and what that "
        "experience says about what helps is worth a great deal.",
        "It's the knowledge in the room. Social workers who've done this a long time know what "
        "makes a difference.",
        "Practice experience is undervalued as evidence. Our health visitors knew the groups "
        "worked long before anyone wrote it down.",
        "We held a practice workshop where people shared what had worked in their cases, and "
        "that shaped the model.",
        "My own experience as a practitioner comes into it. I ran groups like this for years, "
        "so I know what to look for.",
        "The senior practitioners' view of what works on the ground is what we rely on most "
        "day to day.",
        "Case audits and supervision discussions give us a sense of what's effective in "
        "practice, and we use that.",
        "Experience tells you things a report can't, like how to get a teenager to turn up to "
        "the first session.",
        "We asked the youth workers what had worked for them with young people at risk, and "
        "built the service up from there.",
        "I'd trust {colleague}'s judgement on what works with teenagers over most reports, "
        "because of the years spent doing the job.",
    ],
    "evidence.peer_las": [
        "We rang round a few neighbouring councils to find out what they'd commissioned and "
        "how it was going.",
        "We visited a council that had already set up family hubs, and we took a lot from "
        "what they'd learnt.",
        "Other local authorities are a really useful source. If somewhere similar has tried "
        "something, I want to know how it went.",
        "{colleague} sent me the specification from the council next door and we adapted it "
        "for ours.",
        "We benchmark against our statistical neighbours, and looked at what the ones with "
        "lower care numbers were doing differently.",
        "We learnt a lot from another county that had tried the same service, mainly about "
        "what to watch out for.",
        "I'll always ask other commissioners what they've done before reinventing the wheel.",
        "We copied another council's edge of care model pretty much wholesale, because their "
        "results were good and they're a similar size.",
        "Intelligence from other authorities is probably what we use most. It's real places "
        "with real budgets.",
        "We had a call with a council that had used the same provider, just to find out what "
        "the reality was like.",
        "If three similar councils have gone a certain way, that carries weight when I'm "
        "putting a proposal together.",
        "We looked at how a couple of inner-city boroughs had set up their adolescent services "
        "before we did ours.",
        "I rang {colleague}, who commissions the same service in a neighbouring authority, to "
        "ask how their model had actually gone.",
    ],
    # -------------------------------------------------------------------- toolkit
    "toolkit.nice": [
        "For anything with a health element we check the NICE guidelines first. They're the "
        "benchmark.",
        "The NICE guidance on social and emotional wellbeing in the early years was one of the "
        "documents behind the specification.",
        "We used the NICE quality standard for looked-after children when we were drawing up "
        "the outcomes.",
        "Our public health colleagues always point us to NICE, and for the perinatal mental "
        "health pathway that's what we followed.",
        "{colleague} went through the NICE guideline on child abuse and neglect and pulled out "
        "the recommendations that applied to us.",
        "NICE is the one I'd go to for anything clinical, like the mental health support in "
        "the hubs.",
        "We quoted the NICE guidelines in the paper for the parenting offer, because that's "
        "what everyone recognises.",
        "The NICE guideline on attachment was useful when we were designing support for "
        "adopted children.",
        "I'd use NICE as a starting point. If it's in a NICE guideline, nobody argues with it.",
        "When we reviewed the domestic abuse offer we checked what NICE recommends about "
        "identification and referral.",
        "NICE guidance comes up whenever the work crosses into health. It's a shared reference "
        "point.",
        "I've used the NICE material a couple of times, mainly on self-harm in young people.",
        "{colleague} in public health checked the specification against the NICE guideline "
        "before it went out.",
    ],
    "toolkit.lga_hub": [
        "I use the LGA Knowledge Hub quite a bit, mostly the children's commissioning group, to "
        "see what others have posted.",
        "If I'm stuck I'll put a question on the Knowledge Hub, and usually someone from "
        "another council comes back with something.",
        "The Knowledge Hub is where I found a couple of good example specifications for family "
        "support.",
        "We've posted our own needs analysis on the Knowledge Hub before, and a few councils "
        "got in touch about it.",
        "{colleague} put me onto the Knowledge Hub when I started, and there's a lot of useful "
        "material tucked away in there.",
        "The LGA's Knowledge Hub groups are handy for policy updates and what other "
        "authorities are up to.",
        "I dip into the Knowledge Hub now and again, more for documents than discussions.",
        "There's a group on the Knowledge Hub for early help leads, and the shared resources on "
        "there have saved me a lot of time.",
        "I check the Knowledge Hub for the special needs groups mainly. There's a lot of "
        "sharing of tender documents on there.",
        "When we were setting up the hubs, the Knowledge Hub had a whole library of examples "
        "from the early adopter areas.",
        "I've downloaded commissioning templates from the Knowledge Hub rather than writing our "
        "own from scratch.",
        "The LGA hub is probably the first place I look for what councils have done on a topic.",
        "{colleague} posted our draft specification on the Knowledge Hub, and we had some "
        "really helpful comments back from other councils.",
    ],
    "toolkit.phof": [
        "We use the Public Health Outcomes Framework indicators to set outcomes for the health "
        "visiting and school nursing contracts.",
        "The PHOF figures on school readiness were part of how we described the problem in the "
        "early years work.",
        "I look at the Public Health Outcomes Framework to see how we compare on things like "
        "hospital admissions for self-harm.",
        "{colleague} in public health always brings the PHOF indicators to the table when we're "
        "setting priorities.",
        "The outcomes framework for the hubs borrows a few PHOF measures, like breastfeeding "
        "and smoking at delivery.",
        "The PHOF lets us compare ourselves with the region, and on teenage conceptions we were "
        "well off the pace.",
        "We track the under-eighteen alcohol admissions indicator from the outcomes framework "
        "as one measure for the young people's service.",
        "We used the PHOF numbers on children in low-income families in the strategy document.",
        "The Public Health Outcomes Framework is the common set of measures we share with "
        "health, so it keeps everyone on the same page.",
        "I'll look at the PHOF profiles for our area whenever we're writing up the context for "
        "a new service.",
        "The excess weight figures in the PHOF were what got the healthy lifestyles work onto "
        "the agenda.",
        "We report progress against a handful of PHOF indicators to the health and wellbeing "
        "board.",
        "{colleague} put together a page of PHOF indicators for the board, so we could see "
        "where we sit against the national average.",
    ],
    "toolkit.rip": [
        "We're members of Research in Practice, and I use their briefings quite a lot.",
        "Research in Practice resources come up in our practice development sessions. The "
        "practice leads use them for team learning.",
        "I went to a Research in Practice webinar on working with adolescents, and it fed into "
        "how we thought about the service.",
        "{colleague} circulates the Research in Practice updates to the whole team every month.",
        "Research in Practice is our main route into research. We've been a partner for years.",
        "The Research in Practice material on contextual safeguarding was the basis for our "
        "training programme.",
        "I'll search the Research in Practice site before I go anywhere else for social care "
        "evidence.",
        "Our principal social worker uses Research in Practice tools in supervision training.",
        "We used the Research in Practice learning events a fair bit when we were redesigning "
        "the front door.",
        "The Research in Practice change projects helped us think about how we design services.",
        "I use the Research in Practice evidence reviews when I'm writing the background to a "
        "service design.",
        "There's a Research in Practice resource on working with fathers that we leaned on for "
        "the dads' work.",
        "{colleague} booked us onto a Research in Practice session on neglect, and a lot of "
        "what we heard ended up in the service design.",
    ],
    "toolkit.eif_guidebook": [
        "We looked at the EIF Guidebook when we were choosing a parenting programme, to see "
        "which ones had a rating.",
        "The Early Intervention Foundation's Guidebook was where we started for the early help "
        "programmes.",
        "I checked the Guidebook for the programmes the providers were proposing, to see what "
        "level of evidence they had.",
        "{colleague} pulled a list of under-fives programmes off the EIF Guidebook and we "
        "worked through it.",
        "We used the Guidebook ratings in the options appraisal for the family support service.",
        "When a provider tells me their programme is evidence-based, I look it up on the EIF "
        "Guidebook.",
        "The EIF Guidebook came into the design of our parenting offer. We picked two "
        "programmes from it.",
        "I've used the Guidebook mainly for the cost ratings, alongside the evidence ratings.",
        "For the relationship support work we looked up the parental conflict programmes in "
        "the EIF Guidebook.",
        "Our early help strategy references the EIF Guidebook as a source for choosing programmes.",
        "I'd go on the Guidebook and filter by age group and outcome to see what came up.",
        "The public health team used the EIF Guidebook when we were reviewing the programmes "
        "in the children's centres.",
        "I went through the EIF Guidebook with {colleague} to check the ratings of the three "
        "programmes on our shortlist.",
    ],
    "toolkit.wwcsc_store": [
        "I've had a look at the What Works for Children's Social Care Evidence Store, mainly "
        "for the social care interventions.",
        "We used the Evidence Store when we were looking at family group conferencing.",
        "The WWCSC Evidence Store came up when we were thinking about the edge of care offer.",
        "{colleague} shared a summary from the Evidence Store on mentoring for looked-after "
        "children.",
        "I went on the Evidence Store to see what it said about family drug and alcohol courts "
        "before we looked at setting one up.",
        "Our practice leads have used the Evidence Store in team meetings to talk through "
        "interventions.",
        "The What Works Centre's Evidence Store was one of the sources in the options paper "
        "for the adolescent service.",
        "I looked up multisystemic therapy on the Evidence Store when the provider approached us.",
        "We referenced the Evidence Store in our practice framework, in the section on direct "
        "work.",
        "The Evidence Store was where I went for anything on children in care, rather than "
        "early help.",
        "I checked the Evidence Store's entry on parenting interventions as part of the review.",
        "We signposted the Evidence Store in the guidance pack we gave to team managers.",
        "{colleague} brought a couple of Evidence Store summaries on edge of care to the design"
        " workshop.",
    ],
    "toolkit.strength": [
        "The strength of the EIF Guidebook was the ratings. You could see at a glance how "
        "strong the evidence was for each programme.",
        "The Evidence Store summaries were really well written, short and clear, and you could "
        "give them to anyone.",
        "What I liked about the Guidebook was that it was independent. It gave you something to "
        "put to a provider who was overselling their programme.",
        "The Guidebook's cost ratings were genuinely useful, because cost is always the first "
        "question we get asked.",
        "The Evidence Store was trusted. People knew it came from a What Works Centre, so it "
        "had credibility in the room.",
        "{colleague} used to say the Guidebook was the one place you could compare programmes "
        "like for like, and that's fair.",
        "The WWCSC Evidence Store was good at being honest about where the evidence was weak, "
        "which I respected.",
        "The Guidebook's evidence standards were consistent, so a level three meant the same "
        "thing whichever programme you were looking at.",
        "The way the Evidence Store was laid out made it easy to see the effect on different "
        "outcomes without reading the whole study.",
        "I thought the Guidebook's programme pages were thorough. They told you the age group, "
        "the delivery model and the training needed.",
        "The Evidence Store covered social care interventions that nobody else was really "
        "looking at, and that was its real value.",
        "The EIF Guidebook was free and open to everyone, which mattered a lot for councils "
        "with no research budget.",
        "{colleague} said the EIF Guidebook was the first thing that made evidence feel usable "
        "for commissioners, and I'd say the same.",
    ],
    "toolkit.weakness": [
        "The trouble with the EIF Guidebook was that it was mostly manualised programmes, and "
        "a lot of what we deliver isn't like that.",
        "The Evidence Store felt thin in places. For plenty of interventions there just wasn't "
        "much on it.",
        "Much of what was on the Guidebook came from trials in the States, and it said very "
        "little about whether it would work over here.",
        "The Guidebook told you the evidence rating but hardly anything about how to actually "
        "implement the thing.",
        "The Evidence Store wasn't kept up to date, so some entries were several years old by "
        "the time we used them.",
        "{colleague} found the Guidebook's ratings confusing. The difference between a level "
        "two and a level three wasn't obvious to non-researchers.",
        "The Evidence Store read as if it was written for academics, not for someone trying to "
        "finish a specification by Friday.",
        "The Guidebook favoured programmes that had the money to be evaluated, so homegrown "
        "services never got a look in.",
        "The Evidence Store was hard to navigate. You had to know what you were looking for to "
        "find anything.",
        "The EIF Guidebook didn't really cover the big system changes like family hubs. It was "
        "all individual programmes.",
        "The Evidence Store's ratings said nothing about cost, which is the first thing a "
        "council asks.",
        "The Guidebook and the Evidence Store never talked to each other, so you had two "
        "separate places with two different rating systems.",
        "{colleague} and I looked for our early help model on the Evidence Store and it simply "
        "wasn't there, which was frustrating.",
    ],
    # -------------------------------------------------------------------- barrier
    "barrier.skills": [
        "I'm not confident reading research. I can't really tell whether a study is a good one "
        "or not.",
        "When it comes to effect sizes and confidence intervals, I'll admit I'm a bit lost.",
        "Most of our commissioners came up through contracts and procurement, so appraising "
        "evidence isn't something they know how to do.",
        "I don't always understand the evidence ratings, so I tend to take the provider's word "
        "for it.",
        "{colleague} is the only one on the team who really understands research methods. The "
        "rest of us struggle.",
        "There's a real skills gap. People don't know how to weigh one study against another.",
        "I find it hard to translate what a piece of research says into what that means for a "
        "specification.",
        "The statistics in some of those reports go straight over my head.",
        "Our managers are great practitioners, but critically appraising a study is beyond "
        "most of them.",
        "I wouldn't know how to tell a good evaluation from a poor one.",
        "We lack the know-how to judge whether a study from somewhere else is robust.",
        "People feel out of their depth with research, so they steer clear of it.",
        "I had to ask {colleague} what a confidence interval was, and I still couldn't tell you"
        " if the study was any good.",
    ],
    "barrier.capacity": [
        "Time is the big one. There just isn't the time to sit and read research when you're "
        "juggling ten contracts.",
        "We're a team of three covering the whole of children's commissioning, so there's no "
        "capacity to go looking for evidence.",
        "Nobody gets the headspace to step back and look at the evidence, because the workload "
        "never lets up.",
        "I'd love to read more, but my diary is back-to-back meetings from nine till five.",
        "{colleague} and I keep saying we should do a proper evidence review, but there's never "
        "the capacity.",
        "Practitioners have huge caseloads, so reading a research report is the last thing "
        "they've got time for.",
        "We don't have the people to do the groundwork. One commissioner per service area just "
        "isn't enough.",
        "By the time you've dealt with the urgent things, there's nothing left in the week for "
        "looking at evidence.",
        "Capacity is the main barrier. We want to do it properly but we're stretched so thin.",
        "I've got a folder of reports I've been meaning to read for about a year.",
        "It's not that people don't care about the evidence, it's that every hour is already "
        "spoken for.",
        "Finding and reading evidence takes hours we just haven't got.",
        "{colleague} is the only commissioner for the whole of early help, so there's no time "
        "at all to look at evidence.",
    ],
    "barrier.budget": [
        "Some of the evidence-based programmes are just too expensive for us. The licence fees "
        "alone would eat half the budget.",
        "We'd love to commission one of the well-evidenced models, but the money isn't there "
        "after years of cuts.",
        "The training and accreditation costs for those programmes are a real barrier when the "
        "budget's already stretched.",
        "Short-term grant funding means we can't commit to a programme that needs three years "
        "to bed in.",
        "{colleague} costed up the programme we wanted and it came to nearly double what we "
        "had available.",
        "Budget pressures mean the evidence-based option loses out, because it's usually the "
        "dearest one.",
        "With the overspend on placements there's simply no money to invest in prevention "
        "programmes, however good the evidence.",
        "We started one of the evidence-based parenting programmes but couldn't keep paying for "
        "the supervision it requires.",
        "Delivering with fidelity costs more than we can fund, so we end up with a watered-down "
        "version.",
        "Money is the barrier. Proven programmes come with a price tag that councils in our "
        "position can't meet.",
        "We lost the funding for the programme after the pilot, even though it was showing "
        "good results.",
        "There's no budget for the upfront investment, even when the evidence says it would "
        "save money in the long run.",
        "{colleague} and I put in a bid for the licensed programme, but there was no money for "
        "the training costs, so it went nowhere.",
    ],
    "barrier.access": [
        "Half the time I find a paper that looks useful and it's behind a paywall, so that's "
        "the end of that.",
        "We don't have access to academic journals. The council doesn't subscribe to anything.",
        "Finding it is the problem. The evidence is spread across so many websites you don't "
        "know where to start.",
        "When I search for research I get thousands of results and can't work out which ones "
        "are relevant.",
        "{colleague} has university access because of a part-time course, and we end up asking "
        "for papers that way.",
        "There's no single place to go. You're jumping between the What Works Centres, the "
        "journals and government reports.",
        "I often know there's research out there, but I can't actually get hold of it.",
        "Since the library service went, we've had no way of getting full-text articles.",
        "I'd need a login for everything, and the council won't pay for journal access.",
        "Searching for evidence is a nightmare. The search engines just give you adverts and "
        "news stories.",
        "The research exists, but it's locked away in places local government can't easily reach.",
        "Some of the best evaluations are in grey literature that's really hard to track down.",
        "I had to email {colleague} at the university for a copy of the article, because we "
        "couldn't get past the paywall.",
    ],
    "barrier.turnover": [
        "We've had so much turnover in the commissioning team that nobody remembers why we "
        "chose the current model.",
        "Every time someone leaves, the knowledge goes with them. There's no handover of why "
        "decisions were made.",
        "We've had four heads of service in three years, and each one has brought a different "
        "direction.",
        "A lot of our social workers are agency staff, so they're here a few months and then "
        "gone, and the learning goes with them.",
        "{colleague} was the one who knew the evidence on the parenting programmes, and once "
        "they'd moved on it was like starting from scratch.",
        "Staff turnover is a huge barrier. You train people in an approach, and within a year "
        "half of them have left.",
        "We've lost a lot of experienced commissioners to retirement and to other councils, "
        "and the memory has gone with them.",
        "The interim managers come and go, so there's no continuity in how we use evidence.",
        "We trained fifteen practitioners in the programme and eighteen months later only four "
        "of them were still with us.",
        "Churn at senior level means things get started and then dropped when the next person "
        "arrives.",
        "The person who wrote the original needs analysis left, and nobody knows where half the "
        "figures came from.",
        "Losing staff all the time means we keep relearning the same lessons.",
        "When {colleague} left, the whole rationale for the programme went out of the door too,"
        " and nobody had written it down.",
    ],
    "barrier.culture": [
        "There isn't really a culture of using evidence here. Nobody asks what the research "
        "says, so it doesn't get looked at.",
        "Evidence is seen as a bit academic, something for universities rather than for us.",
        "The culture is very risk-averse. People would rather do what feels safe than try "
        "something the evidence supports.",
        "It just isn't expected. You could take a proposal to the board with no evidence in it "
        "and nobody would mind.",
        "{colleague} tried to get an evidence-based approach going, but there was no appetite "
        "for it across the department.",
        "People are a bit suspicious of research here. There's a sense it's outsiders telling "
        "us how to do our jobs.",
        "Nobody gets any credit for using evidence, so it's not something people put effort into.",
        "There's a blame culture, so people are wary of doing anything new even when the "
        "evidence backs it.",
        "The organisation talks about being evidence-led, but in practice it doesn't value it.",
        "Across the wider council, evidence just isn't part of how people talk about decisions.",
        "If you quote research in a meeting people roll their eyes a bit. It's seen as showing "
        "off.",
        "The prevailing view here is that research doesn't count for much, and that's hard to "
        "shift.",
        "{colleague} once brought a research paper to the management meeting and was told it "
        "was all very interesting but not how things are done here.",
    ],
    "barrier.political": [
        "Politics can trump the evidence. Members had announced the project before we'd looked "
        "at whether it would work.",
        "A councillor's pet project got funded over something with much better evidence behind it.",
        "The evidence pointed to targeted support, but the political pressure was for something "
        "universal that everyone could see.",
        "Election timetables mean members want quick wins, and evidence-based programmes take "
        "years to show results.",
        "{colleague} put together a really strong evidence case, but the lead member had made a "
        "promise and that was that.",
        "Members sometimes don't want to hear what the evidence says if it means closing "
        "something in their ward.",
        "There's pressure to be seen to act, so decisions get made for the headlines rather "
        "than on the evidence.",
        "We recommended a different model based on the research, but it was overruled at "
        "cabinet for political reasons.",
        "The politics around closing children's centres meant we couldn't follow the evidence "
        "on where to put the resource.",
        "Sometimes the decision is made politically and we're asked to find the evidence "
        "afterwards to back it up.",
        "National politics gets in the way too. Every new minister brings a new initiative, "
        "whatever the evidence says.",
        "It's hard to argue for an evidence-based programme when a member's constituents want "
        "something else.",
        "{colleague} had the evidence lined up for a targeted offer, but cabinet wanted "
        "something in every ward before the elections.",
    ],
    "barrier.relevance": [
        "A lot of the research is from America, and I'm never sure it applies to families here.",
        "The evidence feels quite abstract. It tells you something worked on average "
        "somewhere, but not whether it'll work in our towns.",
        "Research tends to ignore local variation. Our population is very different from the "
        "places these things were tested.",
        "I struggle to see how a trial in a big city translates to a rural county with hardly "
        "any public transport.",
        "{colleague} put it well. The research answers a question we're not asking.",
        "Evidence-based programmes were developed in completely different systems, so they "
        "don't reflect how our services fit together.",
        "The research is often years old and the world has moved on, so I'm not convinced it's "
        "relevant now.",
        "It's too generic. It doesn't tell me anything about our families and our circumstances.",
        "A lot of the evidence is about outcomes that don't matter much to us locally.",
        "I'm sceptical that what works in a trial, with hand-picked staff, will work with our "
        "workforce on a wet Tuesday.",
        "The studies are done in places with a completely different set-up, so I find them "
        "hard to take seriously for here.",
        "I don't think evidence from elsewhere really captures what's going on in our area.",
        "{colleague} read the trial report and said it was tested in a completely different "
        "system, so what could it possibly tell us about here?",
    ],
    "barrier.habit": [
        "A lot of it is just habit. We re-commission the same services because that's what "
        "we've always done.",
        "The contracts roll over year after year without anyone really questioning them.",
        "People default to what they know. The same providers, the same model, it's the path "
        "of least resistance.",
        "We do things the way they've always been done here, and the evidence doesn't really "
        "come into it.",
        "{colleague} pointed out that our parenting offer hasn't changed in a decade. It just "
        "gets renewed on autopilot.",
        "It's easier to keep going with what's familiar than to start looking for something new.",
        "There's a lot of inertia. Once a service is in place it just carries on, regardless of "
        "what the research says.",
        "We tend to copy last year's specification and change the dates.",
        "People reach for the same handful of programmes out of habit rather than checking "
        "what's best.",
        "The default is always to carry on with what's there. It's almost automatic.",
        "We've used the same assessment tools and the same interventions for years without "
        "ever really asking why.",
        "Familiar is comfortable, so that's what gets picked.",
        "When I asked {colleague} why we still commission that service, the answer was simply "
        "that we always have.",
    ],
    # -------------------------------------------------------------------- enabler
    "enabler.training": [
        "The commissioning course I went on really helped me understand how to weigh up "
        "different kinds of evidence.",
        "We had training on evidence appraisal a couple of years ago and it made a real "
        "difference to how confident people felt.",
        "Training for managers on how to read an evaluation would make a big difference to how "
        "we use evidence.",
        "{colleague} set up a learning set where we work through a piece of research together "
        "each month.",
        "The postgraduate certificate in commissioning gave me the skills to interrogate what "
        "providers tell me.",
        "Since the training on logic models, people are much better at asking what the "
        "evidence is for a service.",
        "We ran sessions for practitioners on understanding evidence ratings, and the take-up "
        "afterwards was really encouraging.",
        "Investing in skills is the answer, teaching people how to find and judge research for "
        "themselves.",
        "I did an online module on research methods, and I'm far more confident now.",
        "Induction for new commissioners now includes a session on using evidence, which helps "
        "a lot.",
        "Having had some training in evaluation, I can spot when a claim doesn't stack up.",
        "Workshops on applying research to a specification would help people feel less "
        "daunted by it.",
        "{colleague} went on the evidence course last year and came back able to pick apart a "
        "provider's claims in a way none of us could.",
    ],
    "enabler.summaries": [
        "Short, plain-English summaries are what help me. If it's a two-page briefing I'll read "
        "it and share it.",
        "The best thing is when someone's done the hard work and boiled a study down into the "
        "key points.",
        "Accessible summaries make a huge difference. Most managers won't read a sixty-page "
        "report, but they'll read a page.",
        "{colleague} writes a one-page summary of anything new, and that's how most of the team "
        "keeps up.",
        "Jargon-free summaries mean I can take the evidence straight into a meeting with "
        "members or parents.",
        "When research is written in plain language, people actually use it.",
        "I find the short briefings far more useful than the full reports. They get to the point.",
        "Infographics and digest-style summaries help, because you can take in the findings in "
        "a couple of minutes.",
        "A summary that says what the evidence means in practice, not just what the study "
        "found, is gold.",
        "Evidence set out in a clear, simple way is far more likely to influence what we do.",
        "The easier it is to read, the more it gets used. That's the long and short of it.",
        "Bite-sized summaries are what get passed round the team and discussed.",
        "The team reads the short evidence digests {colleague} puts together, because they're "
        "in plain English and quick to get through.",
    ],
    "enabler.analyst": [
        "We've got a dedicated intelligence team, and they pull together the evidence for every "
        "big commissioning decision.",
        "Having an analyst embedded in the commissioning team has transformed how we use evidence.",
        "Our public health analysts do the evidence reviews for us, which takes a lot off our "
        "plates.",
        "{colleague} in the insight team is brilliant at finding research and telling us what "
        "it means for us.",
        "The business intelligence people do the heavy lifting on data and research, so we can "
        "focus on the decisions.",
        "We have a research officer now, shared across children's services, and it's made a "
        "big difference.",
        "When we can get time from the insight team, the quality of the evidence in our "
        "proposals goes right up.",
        "The performance and intelligence team turn the raw evidence into something we can "
        "actually use.",
        "Having someone whose job is to look at the evidence is the single most useful thing "
        "we've done.",
        "Our arrangement with the university gives us a researcher who helps us interpret studies.",
        "Dedicated analytical support means the evidence gets looked at properly rather than "
        "skimmed.",
        "The commissioning support unit does an evidence scan before any redesign starts.",
        "Having {colleague} as our embedded analyst means every proposal now comes with the "
        "evidence already pulled together.",
    ],
    "enabler.time": [
        "What helps is protected time. We've got a learning afternoon once a month where people "
        "can read and discuss research.",
        "If I had a day a month set aside just for looking at evidence, that would make all the "
        "difference.",
        "We ring-fence time at the start of each commissioning project to look at what the "
        "evidence says.",
        "{colleague} blocks out Friday mornings for reading, and everyone knows not to book "
        "meetings then.",
        "Our practitioners get reflective time built into their week, and that's when a lot of "
        "the research discussion happens.",
        "Giving people the time is the key. The will is there, it's the hours that aren't.",
        "We agreed that every project would get a fortnight set aside for reading up on the "
        "evidence, and that time has been protected.",
        "Having a bit of breathing space in the timetable lets us actually think about the "
        "research.",
        "Our team has a journal club every six weeks in protected time, and it's well attended.",
        "When time for reading is protected, it happens. When it isn't, it doesn't.",
        "Time set aside in job plans for development means people can keep up with the evidence.",
        "Longer lead-in times before procurement give us room to look properly at the evidence.",
        "{colleague} protects the first hour of our team day for talking through a piece of "
        "research, and nobody's allowed to skip it.",
    ],
    "enabler.leadership": [
        "Our director is really clear about wanting to see the evidence behind any proposal, "
        "and that sets the tone.",
        "Leadership makes the difference. When senior managers champion evidence, everyone "
        "else follows.",
        "The assistant director sponsors our evidence work personally, so it gets taken seriously.",
        "{colleague} as DCS made evidence-informed practice one of the department's priorities, "
        "and it's filtered down.",
        "Having a senior leader who asks the right questions about evidence at the board keeps "
        "us all honest.",
        "Our leadership team role-models it. They bring research into their own meetings.",
        "Senior buy-in is essential. Without a champion at the top, evidence doesn't get a look "
        "in.",
        "The lead for commissioning is a big advocate for evidence and pushes us to look for it.",
        "When the director backs an evidence-based programme, it gets the support it needs to "
        "survive.",
        "Our heads of service regularly ask what the research says, and that creates an "
        "expectation.",
        "Strong leadership gives people permission to challenge a proposal that has no evidence "
        "behind it.",
        "It helped that the chief executive was interested in what works. That came all the way "
        "down.",
        "Since {colleague} became director, the first question on every proposal is what the "
        "evidence says, and that's changed how we all work.",
    ],
    "enabler.networks": [
        "The regional commissioning network is brilliant. We share what's working and learn "
        "from each other.",
        "Being part of a community of practice with other early help leads has really helped me "
        "think about evidence.",
        "Peer networks give you a safe space to test ideas and hear how others have used the "
        "research.",
        "{colleague} runs a regional group for practice leads, and it's where a lot of the "
        "evidence gets shared.",
        "The regional directors' meetings are useful for picking up what the evidence is saying.",
        "I'm in a national network for hub leads, and the conversations there keep me up to date.",
        "Networks help because there's always someone to ask, rather than starting from a "
        "blank page.",
        "Our regional improvement alliance links us with peers who are further ahead on using "
        "evidence.",
        "The sector-led improvement networks are a good way of spreading evidence-based practice.",
        "Having colleagues in other councils you can just phone is a huge support.",
        "Regular peer meet-ups give us a chance to talk about what the evidence means in practice.",
        "The networks mean I'm never working it out on my own.",
        "I met {colleague} through the regional early help network, and we now share what we've"
        " read and how we've used it.",
    ],
    "enabler.relationships": [
        "Good relationships with providers help a lot. We trust them to tell us honestly what's "
        "working and what isn't.",
        "Our longstanding providers bring evidence to us. They share their evaluations and "
        "outcome data openly.",
        "Because we've built trust with the provider, we can have honest conversations about "
        "sticking to the model.",
        "{colleague} at the lead provider is great, and rings me whenever there's new research "
        "worth knowing about.",
        "A trusting relationship means the provider feels able to tell us when something's not "
        "working, rather than hiding it.",
        "When you trust a provider, you get much better information about what's really happening.",
        "The relationship with the provider is the thing. If it's good, evidence flows both ways.",
        "Providers we know well help us understand the evidence for their programmes and what "
        "it takes to deliver.",
        "Open relationships with providers make it easier to adapt a model while keeping it "
        "true to the evidence.",
        "We meet the provider every month, and those conversations are where the learning about "
        "what works really happens.",
        "Trust between us and our providers has made it much easier to collect and share "
        "outcome data.",
        "I've got a good working relationship with the main provider, so we can be honest about "
        "the evidence and the gaps.",
        "{colleague}, who manages the contract on the provider side, is always open with us "
        "about the outcome data, good or bad.",
    ],
    "enabler.belief": [
        "I really believe that if we use evidence, families get better outcomes. It's the right "
        "thing to do.",
        "Children deserve services that have been shown to work, not something we've guessed at.",
        "I'm a real advocate. Using evidence makes it less likely we'll put effort into things "
        "that don't help.",
        "{colleague} always says we owe it to families to use what works, and I agree completely.",
        "For me evidence matters because it gives families a better chance of things actually "
        "improving.",
        "I'm convinced that evidence-based services make a real difference to children's lives.",
        "People here genuinely want to use evidence, because they can see it improves outcomes.",
        "If we know something works, it would be wrong not to use it.",
        "Using evidence gives me confidence that we're doing right by the children we support.",
        "I've seen the difference an evidence-based programme makes, so I'm a believer.",
        "The motivation is there. Everyone wants to do what's best for families, and evidence "
        "is part of that.",
        "It's about outcomes. Evidence is how we know we're improving things rather than just "
        "doing things.",
        "Like {colleague}, I've seen what a well-evidenced programme can do for a family, and "
        "that's why I'm committed to using evidence.",
    ],
    "enabler.routine": [
        "Every business case has to include a section on the evidence base, so it's just part "
        "of how we work now.",
        "Our commissioning template asks what the evidence says, so you can't skip it.",
        "Evidence is built into the gateway process. The panel won't sign anything off without it.",
        "{colleague} redesigned the business case template so the evidence section comes first.",
        "It's routine now. Looking at the evidence is simply the first step in any redesign.",
        "There's a standard checklist at the commissioning board, and the evidence question is "
        "on it.",
        "It's become second nature. You don't even think about it, you just check the evidence.",
        "The specification template has a box for the evidence base of the model, and providers "
        "have to fill it in.",
        "Every report to the leadership team has an evidence heading, so it happens automatically.",
        "We've embedded it in our quality assurance framework, so evidence is checked at every "
        "stage.",
        "An evidence review is a fixed item in the project plan for any new service.",
        "Once it's written into the process, people do it without being asked.",
        "{colleague} added an evidence question to the gateway checklist, and now it gets "
        "answered for every project as a matter of course.",
    ],
    # -------------------------------------------------------------------- guide
    "guide.summary": [
        "For the new guides, I'd want a short summary at the front with the key messages.",
        "If the Practice Guides had a one-page overview, I'd use them far more.",
        "Start the guide with the headlines. What works, for whom, and how strong the evidence is.",
        "{colleague} said the guides should have an executive summary you can lift straight "
        "into a report, and I'd agree.",
        "A page of key messages at the top of each guide would be ideal.",
        "The guide needs to give me the bottom line quickly, and then I can dig into the detail "
        "if I need to.",
        "I'd like each Practice Guide to open with a plain summary of what it recommends.",
        "Something I could read in five minutes before a meeting, that's what the guide's "
        "summary should be.",
        "The new guides should lead with a short summary, not bury the recommendations on page "
        "thirty.",
        "A summary box at the start of each section of the guide would make it easier to find "
        "your way around.",
        "I'd want the first page of the guide to tell me whether it's relevant to me at all.",
        "Key findings up front in the guide, and then the evidence behind them.",
        "{colleague} made the point that a busy head of service will only read the first page, "
        "so the guide's summary has to do the work.",
    ],
    "guide.implementation": [
        "The guides need to tell us how to implement things, the staffing, the training, the "
        "supervision.",
        "What I'd want in the Practice Guide is the real cost, not just the programme fee but "
        "everything it takes to run it.",
        "Implementation detail is what's always missing. How long does it take to set up, and "
        "who do you need?",
        "{colleague} said the guides should spell out what fidelity means day to day, and that "
        "would be useful.",
        "The guide should cover the practicalities, like caseloads, recruitment and how to "
        "adapt it without breaking it.",
        "I'd like the guide to set out unit costs so I can use them straight away in an options "
        "appraisal.",
        "Tell me what it takes to deliver it well. That's what the guide needs to do.",
        "The guides should be honest about how long it takes to see results, and what needs to "
        "be in place first.",
        "Information in the guide on training requirements and licensing would save weeks of "
        "digging.",
        "A section on implementation pitfalls and how to avoid them would make the guide far "
        "more practical.",
        "The guide needs a breakdown of set-up costs and running costs, separately.",
        "What I need from the guide is the how, not just the what.",
        "{colleague} wanted the guides to include a realistic staffing model and timeline for "
        "each approach, and I'd second that.",
    ],
    "guide.case_studies": [
        "Case studies from other councils would really help, especially ones similar to us.",
        "I'd want examples in the guide of how somewhere else implemented it and what they learnt.",
        "Real-life case studies bring it to life. It's much easier to picture it working here.",
        "{colleague} suggested the guides include a case study from a rural area, because "
        "that's always missing.",
        "A case study showing what went wrong, not just what went right, would be really valuable.",
        "If the guide had examples from a few different types of council, I could find one "
        "that looks like us.",
        "Worked examples are what make guidance usable. You can see the steps someone actually "
        "took.",
        "I'd like case studies with a named contact, so you could ring the person and ask them "
        "about it.",
        "Stories of how it worked in practice would make the guides much more persuasive for "
        "members.",
        "Include examples of small councils doing it on a tight budget. That's what people need "
        "to see.",
        "The guides should have case studies from practitioners as well as commissioners.",
        "Case studies help you imagine it in your own area in a way the evidence on its own "
        "doesn't.",
        "A case study written up the way {colleague} describes our own hub journey would bring "
        "the guide to life for people.",
    ],
    "guide.digital": [
        "Short videos would be great, something practitioners can watch together in a team "
        "meeting.",
        "A podcast version of the guide would get used. I listen to things in the car between "
        "visits.",
        "An interactive tool where you can filter by age and outcome would be far better than a "
        "PDF.",
        "{colleague} suggested webinars alongside the guides, so you can hear from the people "
        "who wrote them.",
        "Animated explainers would help with the practitioners who won't read long documents.",
        "I'd like the guide to be online and searchable, with links, rather than a static "
        "document.",
        "A short video summary for each guide would be ideal for sharing with the wider team.",
        "Digital formats would reach more people. Not everyone is going to sit down with a long "
        "report.",
        "Something interactive, where you answer a few questions and it points you to the "
        "relevant bit.",
        "A recorded webinar walking through the guide would help us run our own briefing sessions.",
        "Podcasts with practitioners talking about how they've used it would be brilliant.",
        "It needs to work on a phone, because that's what frontline staff have with them.",
        "{colleague} thinks a short video for each guide would reach the frontline far better "
        "than a document, and I agree.",
    ],
    "guide.checklists": [
        "Checklists would be really useful, something you can tick off as you design a service.",
        "A template specification we could adapt would save a huge amount of time.",
        "A checklist of questions to ask providers about their evidence would be brilliant.",
        "{colleague} thought a step-by-step tool for the commissioning stages would be the most "
        "useful bit of the guide.",
        "Practical tools like a self-assessment checklist would help teams see where they are.",
        "I'd like a simple decision tree. Is this right for our families, yes or no?",
        "Templates for monitoring outcomes would make the guides really practical.",
        "A readiness checklist, so you know whether you've got what it takes before you start.",
        "Practical tools are what get used. A checklist on the wall is worth more than a long "
        "report.",
        "Give us a set of prompts we can use in supervision to talk about the evidence.",
        "A planning template in the guide would help us structure the business case.",
        "Hints and tips in a checklist format would make it easy to apply.",
        "{colleague} asked for a one-page checklist we could take into contract meetings, and "
        "that's exactly the sort of thing the guides need.",
    ],
    # -------------------------------------------------------------------- emergent
    "emergent.workforce": [
        "The workforce is exhausted. People are running on empty and it shows.",
        "Morale is really low at the moment. Staff feel they're constantly being asked to do more.",
        "We've had a lot of sickness, mostly stress-related, and the people left behind feel it.",
        "{colleague} described it as a workforce that's been in crisis mode for years, and I "
        "think that's right.",
        "The emotional toll on our social workers is huge, and nobody really talks about it.",
        "Vacancies mean the remaining staff pick up extra cases, and their wellbeing suffers.",
        "People are burnt out. Wellbeing support is something we've had to really focus on.",
        "The pressure on the front line is relentless, and I worry about people's mental health.",
        "Staff are tired. There's only so long you can keep going at this pace.",
        "We introduced wellbeing check-ins because people were really struggling.",
        "The pressure has been so sustained that even the most resilient people are starting to "
        "struggle.",
        "I worry about the practitioners. They carry a lot of trauma home with them.",
        "{colleague} was signed off with stress last month, and you can see the strain on "
        "everyone else in the team.",
    ],
    "emergent.data_systems": [
        "Our systems don't talk to each other. Early help is on one system, social care on "
        "another, and health on something else entirely.",
        "We spend ages matching records by hand because the case management system can't link "
        "to the schools data.",
        "Getting data out of health is a nightmare. Their system doesn't share with ours.",
        "{colleague} spent three weeks trying to get a report out of the new system, and it "
        "still isn't right.",
        "The hubs use a different database from the old children's centres, so we can't see "
        "who's used both.",
        "We've got data sharing agreements that took a year to sign, and the systems still "
        "can't exchange anything.",
        "Half our data lives in spreadsheets because the main system can't record what we need.",
        "Without a shared record, you've got no way of following a family across services.",
        "The police and social care systems are completely separate, so information comes "
        "through by email.",
        "Every provider reports in a different format, so pulling it together takes forever.",
        "We changed case management systems last year and lost a lot of historic records in "
        "the migration.",
        "There's no single view of the child, because the systems were never built to connect.",
        "{colleague} keeps a spreadsheet by hand to match our records to the health records, "
        "because the two systems can't link.",
    ],
    "emergent.equity": [
        "We've got a growing Eastern European community and our services aren't reaching them "
        "at all.",
        "A lot of families from minority ethnic backgrounds don't trust statutory services, so "
        "they don't come forward.",
        "We need services that reflect the communities we serve, with staff who speak the "
        "languages.",
        "{colleague} has done a lot of work with the mosques and community groups to make the "
        "hubs more welcoming.",
        "Interpreters are a constant issue. You can't do good family work through a phone line.",
        "Some of the parenting programmes don't feel culturally right for the families we work "
        "with.",
        "We know Traveller families are underrepresented in early help, and we're trying to "
        "change that.",
        "Meeting the needs of our diverse communities means adapting how we deliver, not just "
        "translating leaflets.",
        "Black boys are overrepresented in exclusions and in youth justice, and our services "
        "have to address that.",
        "We worked with a local community organisation to reach Bangladeshi mothers, and it "
        "made a real difference.",
        "Religion and culture shape how families think about asking for help, and services need "
        "to respect that.",
        "We're looking at who isn't using the hubs, and it's disproportionately families from "
        "ethnic minority backgrounds.",
        "{colleague} from the local refugee support group helped us understand why newly "
        "arrived families weren't using the hubs.",
    ],
}

# Phrasings in the voice of national-organisation staff, for expert interviews. Keys are a
# subset of the leaf codes; the generator may prefer these over EXPRESSIONS for experts.
EXPERT_EXPRESSIONS: dict[str, list[str]] = {
    "toolkit.strength": [
        "When the Guidebook was built, the aim was one consistent standard for judging "
        "programme evidence, and I think it delivered that.",
        "From a national point of view, the Evidence Store's great strength was bringing social "
        "care evidence together in one place for the first time.",
        "The Guidebook gave commissioners an independent view, which helped them push back on "
        "providers' claims.",
        "Users told us the Evidence Store summaries were clear and readable, and the download "
        "figures bore that out.",
        "The Guidebook's cost ratings were unusual internationally, and local areas found them "
        "genuinely helpful.",
        "Both the Guidebook and the Evidence Store had credibility because their methods were "
        "transparent and published.",
    ],
    "toolkit.weakness": [
        "The Guidebook was always strongest on manualised programmes, which left out much of "
        "what councils actually deliver.",
        "The Evidence Store struggled to keep pace with new research, so parts of it dated "
        "quickly.",
        "Looking back, neither the Guidebook nor the Evidence Store said enough about "
        "implementation in an English local authority.",
        "The Guidebook's rating scale was hard for non-specialists to interpret, and we knew "
        "that at the time.",
        "In my view the Evidence Store was pitched more at researchers than at busy commissioners.",
        "Having the Guidebook and the Evidence Store as separate products with different "
        "rating approaches confused users.",
    ],
    "barrier.skills": [
        "In my experience a lot of commissioners weren't confident interpreting an evidence "
        "rating, and that limited how far any resource could take them.",
        "The skills to appraise a study just aren't widespread in councils, and the national "
        "resources assumed more of that than was there.",
        "We often found people didn't know what a rating actually meant, so they either "
        "over-trusted it or ignored it.",
        "Understanding research design is a specialist skill, and most people in commissioning "
        "roles have never been taught it.",
        "When we ran sessions with councils, the questions showed how unsure people were about "
        "reading an evaluation.",
        "A recurring problem was that local staff couldn't tell a strong study from a weak one "
        "without help.",
    ],
    "barrier.capacity": [
        "The councils we worked with simply didn't have the staff time to engage with the "
        "evidence, however good the resource.",
        "Commissioning teams have been cut so far that there's rarely anyone free to do the "
        "reading.",
        "We'd get lovely feedback on a report and then hear that nobody had found the time to "
        "act on it.",
        "The capacity in local government to stop and look at research has shrunk enormously "
        "over the last decade.",
        "People told us again and again that they wanted to use the evidence but had no hours "
        "in the week for it.",
        "Time pressure on local teams was the biggest single thing limiting uptake, from what "
        "I saw.",
    ],
    "barrier.relevance": [
        "Councils often told us the evidence came from contexts so unlike theirs that it didn't "
        "feel usable.",
        "There's a real perception in local areas that trial evidence is remote from their own "
        "population.",
        "Local leaders would say that's all very well, but it wasn't tested anywhere like here.",
        "A lot of the international evidence was a hard sell locally, because people couldn't "
        "see their own families in it.",
        "The sense that research is abstract and ignores local differences came up in almost "
        "every conversation we had with councils.",
        "People need to see that the evidence speaks to their circumstances, otherwise they set "
        "it aside.",
    ],
    "enabler.summaries": [
        "What councils consistently valued most was a short, plain summary they could take into "
        "a meeting.",
        "Our most downloaded products were always the brief summaries, never the full technical "
        "reports.",
        "Writing in plain English was what made the difference to whether local staff engaged.",
        "When we produced a two-page digest alongside a big review, it reached far more people.",
        "Accessible summaries lowered the bar, so non-specialists could make use of the evidence.",
        "Clear, jargon-free write-ups were what local users asked us for most often.",
    ],
    "enabler.leadership": [
        "Where a director of children's services championed evidence, we saw the resources "
        "being used right across the department.",
        "Senior sponsorship was the strongest predictor of uptake in the areas we supported.",
        "The councils that used evidence well nearly always had a senior leader who kept asking "
        "for it.",
        "Leadership sets the expectation, and without it the best resource in the world sits "
        "unused.",
        "We tried to engage directors early, because once they were on board the rest of the "
        "organisation followed.",
        "A chief executive or a DCS talking about evidence publicly makes a huge difference "
        "locally.",
    ],
    "guide.implementation": [
        "The new guides have to go further than the old resources on implementation, things "
        "like workforce, training and set-up time.",
        "Councils kept asking us what it would really cost to deliver, and the guides should "
        "answer that directly.",
        "If I were designing the Practice Guides, I'd put as much effort into the "
        "implementation section as the evidence section.",
        "Practical detail on fidelity, supervision and licensing is what local areas need from "
        "the guides.",
        "The guides should be upfront about the conditions a programme needs in order to work, "
        "before anyone commits.",
        "Implementation costs, broken down properly, would make the guides far more useful than "
        "anything before them.",
    ],
    "guide.case_studies": [
        "Case studies from real local authorities would give the guides credibility with the "
        "sector.",
        "Councils want to see an area like theirs that has done it, so the guides need examples.",
        "I'd include case studies of adaptation, where a council made a model fit local "
        "circumstances.",
        "Examples of places that struggled and what they learnt would be just as valuable as "
        "the success stories.",
        "Local examples build confidence in a way that national summaries can't.",
        "The guides should feature a range of areas, urban and rural, large and small, so "
        "everyone sees themselves.",
    ],
    "guide.digital": [
        "The guides should be web-first with interactive features, rather than long PDFs.",
        "Short videos and podcasts reached audiences we'd never have got with written reports.",
        "An interactive search, filtering by age and outcome, is the format users asked us for.",
        "We found that a launch webinar drove far more use of a report than the report alone.",
        "Digital formats let you layer the content, so people can go from a headline to the "
        "detail in one click.",
        "Frontline staff mostly read things on their phones, so the guides need to work well "
        "on mobile.",
    ],
}

# ---------------------------------------------------------------------------------------
# Spoken texture
# ---------------------------------------------------------------------------------------

# Sentence openers; put one in front of a phrasing with ``with_opener``.
HEDGES: list[str] = [
    "I suppose",
    "To be honest,",
    "It varies, but",
    "I think",
    "In all honesty,",
    "If I'm being honest,",
    "I'd say",
    "It depends, but",
    "From my point of view,",
    "Generally speaking,",
    "For what it's worth,",
    "I mean,",
    "Personally,",
    "In my experience,",
    "Put it this way,",
    "It's a mixed picture, but",
    "On the whole,",
    "Realistically,",
    "I'd have to say",
    "Thinking about it,",
]

# Short spoken asides, lower case and unpunctuated; the generator adds the commas.
FILLERS: list[str] = [
    "you know",
    "if that makes sense",
    "sort of",
    "I mean",
    "kind of",
    "to be fair",
    "as it were",
    "basically",
    "if you like",
    "in a way",
    "to some extent",
    "I guess",
]

DIGRESSIONS: list[str] = [
    "Sorry, my connection's been a bit dodgy all morning, so you might lose me for a second.",
    "We're in the middle of another restructure, so half of us don't know what our job title "
    "will be next month.",
    "I had to move rooms just now because they're testing the fire alarm.",
    "We've got a new director starting in January, so everything's a bit up in the air.",
    "Sorry, that was a Teams notification, I'll turn them off.",
    "Ofsted were in a few weeks ago, so it's been a hectic term.",
    "{colleague} is on maternity leave at the moment, so I'm covering two roles.",
    "Apologies if you hear the dog, there's someone at the door.",
    "The office is being refurbished, so we're all hot-desking in the library building.",
    "I've got a hard stop at half past, I'm afraid, because I'm on a panel.",
    "Sorry, I'm just going to shut the window. There are roadworks right outside.",
    "I was meant to be on leave this week, but the budget meeting got moved.",
    "{colleague} sends apologies, they were hoping to join but got pulled into a strategy meeting.",
    "It's been a strange week. We had the snow and half the team couldn't get in.",
    "My camera's playing up, so I'll keep it off if that's all right.",
    "We moved to a new building in the summer and I still can't find the printer.",
    "The restructure means I've moved teams twice in eighteen months.",
    "Sorry, you froze for a moment there. Could you say the last bit again?",
    "{colleague} has just retired after thirty years, so we're all still adjusting.",
]

# Context that expresses no code: who they are, their team, caseloads, geography.
NEUTRAL: list[str] = [
    "I've been in this role about three years, and before that I was a team manager in the "
    "assessment service.",
    "My team is six people, a mix of commissioning officers and contract monitoring staff.",
    "We cover quite a large area. It's about an hour's drive from one end of the county to the "
    "other.",
    "I manage the early help locality teams in the north of the borough.",
    "I came into local government from the NHS, so I've seen it from both sides.",
    "My background is in youth work originally, and I've been at the council about twelve years.",
    "The department sits within a wider people directorate that includes adult social care.",
    "We've got around four hundred children in care at the moment, which is about average for "
    "our size.",
    "Our patch is mostly market towns and villages, with one bigger town in the middle.",
    "I line manage three team managers, and we hold about a hundred and fifty cases between us.",
    "I split my time between the children's commissioning team and a corporate housing project.",
    "We're a fairly small borough, very densely populated, with quite a young population.",
    "I work for a local charity, and we deliver family support across two districts.",
    "My role is practice lead for the front door, so I oversee decisions on contacts and "
    "referrals.",
    "Our service covers children from birth to nineteen, and up to twenty-five for young "
    "people with additional needs.",
    "I've worked in three different local authorities over the years, all in children's services.",
    "The team was formed about two years ago, when early help and the youth service were "
    "brought together.",
    "I'm based in the ICB, and my remit is children and young people's mental health.",
    "I'm a detective sergeant in the safeguarding unit, and I sit on the multi-agency partnership.",
    "We've got five hubs now, each with a small core team.",
    "I work part-time, three days a week, so my diary is quite compressed.",
    "I report to the assistant director for early help and prevention.",
    "The county has a mix of coastal areas and quite isolated communities inland.",
    "Most of my week goes on contract meetings and reporting.",
    "I joined the council as a graduate trainee and worked my way up through performance and "
    "then commissioning.",
]

# ---------------------------------------------------------------------------------------
# Interviewer and facilitator wording
# ---------------------------------------------------------------------------------------

INTERVIEWER_ACKS: list[str] = [
    "That's really helpful.",
    "Can you say a bit more about that?",
    "Thank you, that's useful.",
    "Interesting. Could you give me an example?",
    "Okay, that makes sense.",
    "Right, thank you.",
    "How did that come about?",
    "And how did that work out in practice?",
    "That's a really good point.",
    "Could you expand on that a little?",
    "Mm, I see.",
    "Thanks. Who else was involved in that?",
    "That's great, thank you.",
    "So just to check I've understood, is that typical?",
    "Lovely, thank you. Shall we move on?",
    "Was that the same across other teams?",
    "That's fascinating, thanks.",
]

# Whole opening and closing turns; generic enough for an interview or a focus group.
OPENING: list[str] = [
    "Thanks for making the time today. Before we start, can I just check you're still happy "
    "for us to record the conversation?",
    "Thank you for joining. You should have had the information sheet, and I just want to "
    "confirm you're happy to go ahead and be recorded.",
    "Thanks very much for taking part. As a reminder, you can stop at any point, and nothing "
    "you say will be attributed to you by name. Is it okay to start the recording?",
    "Lovely to meet you, and thanks for agreeing to this. Are you still happy with everything "
    "on the consent form before I press record?",
    "Thank you for giving up your time. Just to check before we begin, you're comfortable with "
    "the recording and with us using anonymised quotes?",
    "Thanks for coming along. I'll start the recording now if that's still okay, and do say if "
    "you'd like a break at any point.",
]

CLOSING: list[str] = [
    "That's everything I wanted to ask. Thank you so much for your time, it's been really useful.",
    "We're just about out of time, so thank you. If anything else occurs to you, do drop us an "
    "email.",
    "Thank you, that's been really helpful. I'll stop the recording there.",
    "Is there anything else you'd like to add before we finish? If not, thanks very much for "
    "taking part.",
    "Thanks again for your time. We'll share a summary of the findings once the study is finished.",
    "That's brilliant, thank you. I'll end the recording now.",
]

FOCUS_GROUP_OPENING: list[str] = [
    "Thanks, everyone, for joining. Before we start, can I check that you're all still happy "
    "for the session to be recorded?",
    "Welcome, and thanks for coming. There are no right or wrong answers, and please don't "
    "share anything you're not comfortable with. Is everyone okay for me to start recording?",
    "Thank you all for being here. Just a reminder that what's said in the group stays in the "
    "group, and you're free to leave at any time.",
    "Lovely to see you all. Could I ask everyone to confirm they're happy with the recording "
    "before we begin?",
]

FOCUS_GROUP_CLOSING: list[str] = [
    "We're coming up to time, so thank you all. It's been a really rich discussion.",
    "Thank you, everyone. I'll stop the recording there, and we'll send round a short summary "
    "in due course.",
    "Does anyone want to add a final thought? If not, thank you all very much for your time.",
    "That's all from us. Thanks so much for your contributions today.",
]

# The interview schedule, from RQ1-5. ``codes`` are the leaf codes an answer most likely
# expresses.
SCHEDULE: list[dict] = [
    {
        "rq": 1,
        "questions": [
            "Could you talk me through how services for children and families get designed and "
            "commissioned here?",
            "How would you describe the way your authority goes about commissioning?",
            "If I followed a new service from idea to contract, what would I see happening?",
        ],
        "codes": [
            "approach.cycle",
            "approach.reactive",
            "approach.partnership",
            "approach.coproduction",
        ],
    },
    {
        "rq": 1,
        "questions": [
            "How do you go about reviewing existing services, and deciding whether to stop any?",
            "What happens when a service isn't working, or is no longer needed?",
            "Can you tell me about a time you reshaped or decommissioned a service?",
        ],
        "codes": ["approach.decommissioning", "approach.cycle", "evidence.local_data"],
    },
    {
        "rq": 1,
        "questions": [
            "Who or what has the most influence when a commissioning decision is made?",
            "Thinking about a recent decision, what shaped the final choice?",
            "Whose voices carry most weight when you design a service?",
        ],
        "codes": [
            "influence.families",
            "influence.staff",
            "influence.partners",
            "influence.cost",
            "influence.local_fit",
            "influence.political",
        ],
    },
    {
        "rq": 1,
        "questions": [
            "How are children, families and partner agencies involved in designing services?",
            "What part do families play in decisions about what gets commissioned?",
            "How do you bring partners and families into the design process?",
        ],
        "codes": ["influence.families", "approach.coproduction", "influence.partners"],
    },
    {
        "rq": 4,
        "questions": [
            "What kinds of evidence do you draw on when you're designing a service?",
            "When you say something is evidence-based, what evidence are you thinking of?",
            "Where does your evidence come from when you're putting a proposal together?",
        ],
        "codes": [
            "evidence.research",
            "evidence.local_data",
            "evidence.practice",
            "evidence.peer_las",
        ],
    },
    {
        "rq": 4,
        "questions": [
            "Which toolkits, guidance or websites do you use, if any?",
            "Are there particular evidence resources you turn to regularly?",
            "When you need guidance on what works, where do you go?",
        ],
        "codes": [
            "toolkit.nice",
            "toolkit.lga_hub",
            "toolkit.phof",
            "toolkit.rip",
            "toolkit.eif_guidebook",
            "toolkit.wwcsc_store",
        ],
    },
    {
        "rq": 3,
        "questions": [
            "Have you used the EIF Guidebook or the WWCSC Evidence Store, and what did you make "
            "of them?",
            "What worked well, and less well, about the Guidebook or the Evidence Store?",
            "If you used the legacy What Works resources, how useful were they to you?",
        ],
        "codes": [
            "toolkit.eif_guidebook",
            "toolkit.wwcsc_store",
            "toolkit.strength",
            "toolkit.weakness",
        ],
    },
    {
        "rq": 2,
        "questions": [
            "What gets in the way of designing or commissioning evidence-based programmes?",
            "What makes it harder to use evidence in your work?",
            "What are the main obstacles to commissioning programmes with a strong evidence base?",
        ],
        "codes": [
            "barrier.skills",
            "barrier.capacity",
            "barrier.budget",
            "barrier.access",
            "barrier.turnover",
            "barrier.culture",
            "barrier.political",
            "barrier.relevance",
            "barrier.habit",
        ],
    },
    {
        "rq": 2,
        "questions": [
            "And what helps? What makes it easier to use evidence?",
            "Where evidence does get used well here, what's making that possible?",
            "What support would help you and your colleagues use evidence more?",
        ],
        "codes": [
            "enabler.training",
            "enabler.summaries",
            "enabler.analyst",
            "enabler.time",
            "enabler.leadership",
            "enabler.networks",
            "enabler.relationships",
            "enabler.belief",
            "enabler.routine",
        ],
    },
    {
        "rq": 5,
        "questions": [
            "What would need to change for What Works guidance to be used more in your authority?",
            "Why do you think national evidence guidance doesn't always get applied locally?",
            "What would it take for guidance from a What Works Centre to make a difference here?",
        ],
        "codes": [
            "barrier.relevance",
            "barrier.access",
            "barrier.skills",
            "enabler.summaries",
            "enabler.training",
            "enabler.leadership",
        ],
    },
    {
        "rq": 5,
        "questions": [
            "Foundations are developing new Practice Guides. What would you want them to contain?",
            "What format would make a Practice Guide most useful to you?",
            "If you could design the new guides, what would they look like?",
        ],
        "codes": [
            "guide.summary",
            "guide.implementation",
            "guide.case_studies",
            "guide.digital",
            "guide.checklists",
        ],
    },
    {
        "rq": 2,
        "questions": [
            "Is there anything else affecting your work that we haven't touched on?",
            "Before we finish, is there anything you'd like to add?",
            "Are there any other pressures or issues you think we should know about?",
        ],
        "codes": [
            "emergent.workforce",
            "emergent.data_systems",
            "emergent.equity",
            "barrier.capacity",
        ],
    },
]

EXPERT_SCHEDULE: list[dict] = [
    {
        "rq": 3,
        "questions": [
            "Could you tell me about your involvement with the EIF Guidebook or the WWCSC "
            "Evidence Store?",
            "How did you come to know the legacy What Works resources?",
            "What was your role in relation to the Guidebook or the Evidence Store?",
        ],
        "codes": ["toolkit.eif_guidebook", "toolkit.wwcsc_store"],
    },
    {
        "rq": 3,
        "questions": [
            "What do you see as the main strengths of the Guidebook and the Evidence Store?",
            "What did those resources do well?",
            "Which features of the legacy resources were most valued by users?",
        ],
        "codes": ["toolkit.strength"],
    },
    {
        "rq": 3,
        "questions": [
            "And their weaknesses? Where did they fall short?",
            "What would you have changed about the Guidebook or the Evidence Store?",
            "What did users find difficult about those resources?",
        ],
        "codes": ["toolkit.weakness"],
    },
    {
        "rq": 4,
        "questions": [
            "How far did the legacy resources actually influence what local areas commissioned?",
            "Did you see evidence resources changing decisions or practice models locally?",
            "What difference, if any, did the Guidebook or the Store make on the ground?",
        ],
        "codes": [
            "toolkit.eif_guidebook",
            "toolkit.wwcsc_store",
            "evidence.research",
            "influence.local_fit",
        ],
    },
    {
        "rq": 5,
        "questions": [
            "What stops local authorities applying What Works evidence?",
            "Why does national guidance not always translate into local practice?",
            "What are the barriers, as you see them, to councils using this kind of evidence?",
        ],
        "codes": [
            "barrier.skills",
            "barrier.capacity",
            "barrier.relevance",
            "barrier.budget",
            "barrier.access",
        ],
    },
    {
        "rq": 5,
        "questions": [
            "What would help local areas overcome those barriers?",
            "Where have you seen councils use evidence well, and what made the difference?",
            "What support from national bodies would make the most difference?",
        ],
        "codes": [
            "enabler.summaries",
            "enabler.leadership",
            "enabler.training",
            "enabler.networks",
        ],
    },
    {
        "rq": 5,
        "questions": [
            "What should the new Practice Guides contain to be genuinely useful?",
            "If you were advising on the content of the guides, what would you stress?",
            "What content would make the guides more useful than the legacy resources?",
        ],
        "codes": ["guide.summary", "guide.implementation", "guide.case_studies"],
    },
    {
        "rq": 5,
        "questions": [
            "And in terms of format and dissemination, what works best?",
            "How should the guides be presented and shared to reach the people who need them?",
            "Which formats have you seen get the most use from local practitioners?",
        ],
        "codes": ["guide.digital", "guide.checklists", "guide.summary"],
    },
]

FOCUS_GROUP_PROMPTS: list[dict] = [
    {
        "rq": 1,
        "questions": [
            "To get us started, could each of you say a little about how commissioning works in "
            "your part of the system?",
            "Let's begin with how services get designed and commissioned here. Who'd like to "
            "start?",
            "I'd like to hear from everyone on this. How do decisions about new services get "
            "made in your area?",
        ],
        "codes": [
            "approach.cycle",
            "approach.reactive",
            "approach.partnership",
            "approach.coproduction",
        ],
    },
    {
        "rq": 1,
        "questions": [
            "What do you think shapes those decisions most? Do others see it differently?",
            "Thinking across the group, who and what has the most influence on decisions?",
            "What carries most weight when a choice is being made? Has anyone a different view?",
        ],
        "codes": [
            "influence.families",
            "influence.staff",
            "influence.partners",
            "influence.cost",
            "influence.local_fit",
            "influence.political",
        ],
    },
    {
        "rq": 4,
        "questions": [
            "What sorts of evidence do people in the group tend to use?",
            "When you say you've looked at the evidence, what does that mean in practice for "
            "each of you?",
            "Where does the group get its evidence from? Feel free to build on each other's "
            "points.",
        ],
        "codes": [
            "evidence.research",
            "evidence.local_data",
            "evidence.practice",
            "evidence.peer_las",
        ],
    },
    {
        "rq": 4,
        "questions": [
            "Which toolkits or guidance does anyone here use?",
            "Are there websites or resources the group relies on? Hands up, or just come in.",
            "What evidence resources come up in your teams?",
        ],
        "codes": [
            "toolkit.nice",
            "toolkit.lga_hub",
            "toolkit.phof",
            "toolkit.rip",
            "toolkit.eif_guidebook",
            "toolkit.wwcsc_store",
        ],
    },
    {
        "rq": 3,
        "questions": [
            "Has anyone used the EIF Guidebook or the WWCSC Evidence Store? What did you think?",
            "For those who know the Guidebook or the Evidence Store, what was good or not so good?",
            "Let's talk about the legacy What Works resources. What are people's impressions?",
        ],
        "codes": [
            "toolkit.eif_guidebook",
            "toolkit.wwcsc_store",
            "toolkit.strength",
            "toolkit.weakness",
        ],
    },
    {
        "rq": 2,
        "questions": [
            "What gets in the way of using evidence for the people in this group?",
            "What are the barriers, as the group sees them, to commissioning evidence-based "
            "programmes?",
            "Let's talk about obstacles. What makes using evidence difficult for you?",
        ],
        "codes": [
            "barrier.skills",
            "barrier.capacity",
            "barrier.budget",
            "barrier.access",
            "barrier.turnover",
            "barrier.culture",
            "barrier.political",
            "barrier.relevance",
            "barrier.habit",
        ],
    },
    {
        "rq": 2,
        "questions": [
            "And on the other side, what helps? What's working for people?",
            "What would make it easier for everyone here to use evidence?",
            "Where has evidence been used well in your area, and what made that possible?",
        ],
        "codes": [
            "enabler.training",
            "enabler.summaries",
            "enabler.analyst",
            "enabler.time",
            "enabler.leadership",
            "enabler.networks",
            "enabler.relationships",
            "enabler.belief",
            "enabler.routine",
        ],
    },
    {
        "rq": 5,
        "questions": [
            "Finally, what would the group want from the new Practice Guides?",
            "If you could each ask for one thing in the new guides, what would it be?",
            "What content and format would make the guides useful to your teams?",
        ],
        "codes": [
            "guide.summary",
            "guide.implementation",
            "guide.case_studies",
            "guide.digital",
            "guide.checklists",
        ],
    },
]

# ---------------------------------------------------------------------------------------
# Written survey comments (free-text answers), by code. Written register, no placeholders.
# ---------------------------------------------------------------------------------------

SURVEY_FREE_TEXT: dict[str, list[str]] = {
    "barrier.capacity": [
        "Lack of time. Caseloads and meetings leave no room for reading research.",
        "Our commissioning team is too small to look at evidence properly.",
        "Capacity is the main issue; evidence reviews are always squeezed out by urgent work.",
        "Not enough staff to do the groundwork before a procurement.",
        "Workload pressures mean evidence is rarely looked at in any depth.",
        "No time set aside in anyone's role for finding or reading evidence.",
    ],
    "barrier.budget": [
        "Evidence-based programmes are often unaffordable due to licence and training costs.",
        "Budget cuts mean we cannot sustain programmes that need long-term investment.",
        "Short-term grant funding prevents us committing to proven models.",
        "The cost of delivering programmes to fidelity is beyond our current budget.",
        "Financial pressure on placements leaves little for evidence-based prevention.",
        "We cannot fund the upfront costs even where savings are predicted later.",
    ],
    "barrier.access": [
        "Research is often behind paywalls and we have no journal subscriptions.",
        "Difficult to know where to look; evidence is scattered across many websites.",
        "No library or research service available to staff.",
        "Searching for relevant studies takes too long and rarely finds what we need.",
        "Access to full-text articles is a barrier for local authority staff.",
        "Grey literature and local evaluations are very hard to locate.",
    ],
    "barrier.skills": [
        "Staff lack confidence in interpreting research and evidence ratings.",
        "Limited skills in appraising the quality of studies.",
        "Difficult to translate research findings into service specifications.",
        "Most commissioners have had no training in research methods.",
        "Statistical language in reports is a barrier for non-specialists.",
        "Uncertainty about how to judge whether evidence is robust.",
    ],
    "barrier.relevance": [
        "Much of the evidence comes from the USA and does not reflect our context.",
        "Research rarely accounts for rural areas like ours.",
        "Evidence feels abstract and disconnected from local circumstances.",
        "Studies are often out of date by the time they are published.",
        "Trials do not reflect the realities of our workforce and population.",
        "Evidence does not take account of local variation in need.",
    ],
    "barrier.turnover": [
        "High staff turnover means knowledge of evidence is lost.",
        "Reliance on interim and agency staff undermines continuity.",
        "Trained staff leave and the programme cannot be sustained.",
        "Frequent changes in senior leadership disrupt long-term plans.",
        "No handover of why previous commissioning decisions were made.",
        "Recruitment and retention problems mean we keep starting again.",
    ],
    "barrier.culture": [
        "There is no expectation in the organisation that evidence will be used.",
        "Research is seen as academic and not relevant to day-to-day decisions.",
        "A risk-averse culture discourages trying evidence-based approaches.",
        "Evidence use is not valued or recognised by the organisation.",
        "Decisions are rarely challenged on the basis of evidence.",
        "Scepticism about research among some managers.",
    ],
    "enabler.summaries": [
        "Short, plain-English summaries of the evidence.",
        "One-page briefings that can be shared with teams and members.",
        "Accessible digests rather than long academic reports.",
        "Clear summaries of what the evidence means for practice.",
        "Jargon-free summaries with the key findings highlighted.",
        "Brief evidence summaries that can be read in a few minutes.",
    ],
    "enabler.training": [
        "Training on how to find and appraise research.",
        "Courses for commissioners on using evidence in decision-making.",
        "Workshops on interpreting evidence ratings.",
        "Induction sessions on evidence-based practice for new staff.",
        "Learning sets to work through research together.",
        "Accredited commissioning training that covers evidence.",
    ],
    "enabler.time": [
        "Protected time for staff to read and discuss research.",
        "Dedicated time within job roles for evidence review.",
        "Longer lead-in times before procurement.",
        "Regular protected learning sessions for teams.",
        "Time built into project plans for reviewing evidence.",
        "Reflective time for practitioners as part of their week.",
    ],
    "enabler.analyst": [
        "Access to a dedicated research or intelligence officer.",
        "Support from public health analysts with evidence reviews.",
        "An insight team to summarise evidence for commissioners.",
        "Business intelligence support for each major commissioning project.",
        "Links with a local university for research support.",
        "A named analyst within the commissioning team.",
    ],
    "enabler.leadership": [
        "Senior leaders who expect to see evidence in every proposal.",
        "A champion for evidence-based practice at director level.",
        "Leadership that gives staff permission to challenge decisions.",
        "Visible support from the DCS for evidence-based programmes.",
        "Managers who ask what the research says.",
        "A clear steer from senior management that evidence matters.",
    ],
    "guide.implementation": [
        "Detail on implementation costs, staffing and training requirements.",
        "Information on what is needed to deliver a programme well.",
        "Practical guidance on fidelity and adaptation.",
        "Breakdown of set-up and running costs.",
        "Realistic timescales for seeing results.",
        "Advice on common implementation pitfalls.",
    ],
    "guide.case_studies": [
        "Case studies from similar local authorities.",
        "Examples of how other areas have implemented programmes.",
        "Real-life examples including what did not work.",
        "Case studies from rural and smaller councils.",
        "Examples with contact details for follow-up.",
        "Practitioner stories alongside the evidence.",
    ],
    "guide.digital": [
        "Short videos summarising each guide.",
        "Podcasts that can be listened to on the move.",
        "An interactive online tool with filters by age and outcome.",
        "Webinars to launch and explain the guides.",
        "Content that works on a mobile phone.",
        "Searchable web pages rather than PDFs.",
    ],
}
