"""The demo's researcher-written report text: ``report/<section>.md``.

Written as a research team would write it, with a placeholder for every number and an
``{% expect %}`` line before every claim that depends on the data. The claims rest on what
the generator plants (the survey's leading barriers and enablers, the dissonant and the
silent theme, from :class:`evstudy.synth.truth.Truth`), so they hold for every seed and
number of sites; what the generator does not plant (saturation, reliability, how far the
methods agree) is written with ``{% if %}`` so that the sentence always fits the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evstudy.narrative import number_word
from evstudy.synth.review import RECOMMENDATIONS

if TYPE_CHECKING:
    from evstudy.synth.generate import Study

__all__ = ["report_files"]

FOLDER = "report"


def _code(code: str) -> str:
    return f'codes["{code}"]'


# Below this many sites the generator's planted contrasts (a dissonant and a silent theme) are
# too weak to promise: the text then states them only where the data show them.
PLANTED_SITES = 5


def _claim(study: Study, condition: str, text: str) -> str:
    """``text`` guarded by ``condition``: an expect where the generator's plant makes the claim
    hold, else an ``{% if %}`` so that the claim appears only where the data bear it out."""
    if len(study.sites) >= PLANTED_SITES:
        return f"{{% expect {condition} %}}\n{text}"
    return f"{{% if {condition} %}}\n{text}{{% endif %}}\n"


def _executive_summary(study: Study) -> str:
    t = study.truth
    b1, b2, _ = t.top_barriers
    e1, e2, _ = t.top_enablers
    d, s = _code(t.dissonant), _code(t.silent)
    # Which kind of obstacle leads is planted (and guarded by the expect on top[1]).
    evidence_side = {"barrier.skills", "barrier.access", "barrier.relevance"}
    lead = (
        "The main obstacles lie in the evidence itself and the skills to use it."
        if b1 in evidence_side
        else "The main obstacles lie in how organisations work rather than in the evidence."
    )
    contrast = _claim(
        study,
        f'{d}.convergence == "dissonance" and {s}.survey is none and {s}.interview.pct >= 0.3',
        f"""\
Not everything lines up. Interviews and the survey part company most clearly on
{{{{ {d}.label | midsentence }}}}, and {{{{ {s}.label | midsentence }}}} came up often in
conversation, with no survey question to test it against. We read both as prompts for the
next round of work rather than as settled findings.
""",
    )
    return f"""\
{{% expect survey.barriers.top[1].code == "{b1}" %}}
{{% expect survey.barriers.top[2].code == "{b2}" %}}
{{% expect survey.enablers.top[1].code == "{e1}" %}}
{{% expect survey.enablers.top[2].code == "{e2}" %}}
This study asked how local authorities and their partners use evidence when they design and
commission services for children and families. We spoke with staff in
{{{{ sample.sites }}}} local authorities ({{{{ sample.interviews }}}} one-to-one interviews and
{{{{ sample.focus_groups }}}} focus groups), with {{{{ sample.expert_interviews }}}} experts on
the legacy evidence resources, and surveyed {{{{ sample.survey_responses }}}} staff.

{lead}
Asked to choose up to three barriers, survey respondents most often picked
{{{{ survey.barriers.top[1].label | midsentence }}}} ({{{{ survey.barriers.top[1].pct }}}} of
{{{{ survey.barriers.base }}}}), followed by {{{{ survey.barriers.top[2].label | midsentence }}}}
({{{{ survey.barriers.top[2].pct }}}}). {{% if {_code(b1)}.convergence == "agreement" %}}Interviews
told the same story in more detail.{{% else %}}Interviews weighed the leading barrier
differently (the joint display codes it {{{{ {_code(b1)}.convergence }}}}).{{% endif %}}
What helps is as much about belief and people as about tools:
{{{{ survey.enablers.top[1].label | midsentence }}}} ({{{{ survey.enablers.top[1].pct }}}})
and {{{{ survey.enablers.top[2].label | midsentence }}}} ({{{{ survey.enablers.top[2].pct }}}})
led the enablers.

{contrast}
For the new Evidence Toolkit and Practice Guides this means short, practical material that
fits local processes: for the Practice Guides, respondents most often chose
{{{{ survey.guide_formats.at(1) | midsentence }}}}. It also means working through the
networks and relationships people already trust, and building evidence into the routines of
the commissioning cycle.
"""


def _background(study: Study) -> str:
    return """\
Local authorities commission a large share of the early help and family support that children
and families receive. National What Works bodies have published evidence on what works for
more than a decade, through the Early Intervention Foundation's Guidebook and the What Works
for Children's Social Care Evidence Store. Those resources are being replaced by a single
Evidence Toolkit and a set of Practice Guides.

This study was commissioned to inform that replacement. It set out to describe how services
are designed and commissioned, what helps and hinders the use of evidence in those decisions,
what users made of the legacy resources, and what the new guidance should contain. The five
research questions, and the findings for each, follow below.
"""


def _methods(study: Study) -> str:
    return """\
{% expect sample.sites >= 1 %}
We worked with {{ sample.sites }} local authorities, against a protocol that asked for
{{ sample.sites.target }} or more. In each we interviewed staff who design, commission or
deliver services ({{ sample.interviews }} interviews against a target of
{{ sample.interviews.target }}) and ran one online focus group ({{ sample.focus_groups }} in
all, with {{ sample.focus_group_participants }} participants). Separately, we interviewed
{{ sample.expert_interviews }} experts who knew the legacy resources well. A short online
survey of staff drew {{ sample.survey_responses }} responses, {{ sample.survey_complete }} of
them complete.

Headline figures describe {{ study.population }}. Experts advise on the resources but do not
commission services, so they are reported apart and never counted in the headline
denominators. Interview percentages are of interviewees, focus-group percentages of
focus-group participants, and survey percentages of the respondents who answered that
question: each figure names its base.

Transcripts were coded against a shared codebook, and a sample was coded twice. Agreement
was good overall (Cohen's kappa {{ reliability.overall }}), but
{% if reliability.n_weak %}{{ reliability.n_weak }} codes fell below the threshold of
{{ reliability.kappa_threshold }}; findings that rest on them are marked in the tables and
should be read with care.{% else %}no code fell below the threshold
of {{ reliability.kappa_threshold }}.{% endif %}

{% if saturation.interview is defined %}Interviews reached code saturation
{% if saturation.interview.saturated %}at {{ saturation.interview.point }}{% else %}only
partly: new codes were still appearing at the end{% endif %}.{% endif %}
{% if saturation.expert_interview is defined %}The expert interviews
{% if saturation.expert_interview.saturated %}saturated at
{{ saturation.expert_interview.point }}{% else %}had not saturated when fieldwork ended, so
the expert findings may not be complete{% endif %}.{% endif %}
"""


def _findings_1(study: Study) -> str:
    return """\
{% expect codes["approach.cycle"].interview.n > 0 and codes["approach.reactive"].interview.n > 0 %}
Commissioning took different shapes across the local authorities. A structured
commissioning cycle was described by {{ codes["approach.cycle"].interview.pct }} of the
{{ codes["approach.cycle"].interview.base }} interviewees, and decisions made reactively, when
money or a crisis forced the pace, by {{ codes["approach.reactive"].interview.pct }}.
Decommissioning came up with {{ codes["approach.decommissioning"].interview.pct }} of
interviewees, usually as the hardest part of the cycle to do well.

The approach a local authority took shaped how much room evidence had. Where there was a
cycle, evidence had a place to enter: the needs assessment, the options appraisal, the
review. Where commissioning was reactive, evidence arrived, if at all, after the decision.
"""


def _findings_2(study: Study) -> str:
    t = study.truth
    b1, b2, b3 = t.top_barriers
    e1 = t.top_enablers[0]
    return f"""\
{{% expect survey.barriers.top[1].code == "{b1}" %}}
{{% expect survey.barriers.top[3].code == "{b3}" %}}
{{% expect survey.enablers.top[1].code == "{e1}" %}}
{{{{ survey.barriers.top[1].label }}}} was the barrier survey respondents chose most
({{{{ survey.barriers.top[1].n }}}} of {{{{ survey.barriers.base }}}}), and
{{{{ {_code(b1)}.interview.pct }}}} of interviewees raised it unprompted. As one put it:

> {{{{ quote("{b1}", method="interview") }}}}

{{{{ survey.barriers.top[2].label }}}} and {{{{ survey.barriers.top[3].label | midsentence }}}}
came next in the survey ({{{{ survey.barriers.top[2].pct }}}} and
{{{{ survey.barriers.top[3].pct }}}}).
{{% if {_code(b2)}.interview.pct > 2 * {_code(b2)}.focus_group.pct %}}
Interviews and focus groups weigh the second of these very differently: it was raised by
{{{{ {_code(b2)}.interview.pct }}}} of interviewees but by few focus-group participants
({{{{ {_code(b2)}.focus_group.pct }}}}). A one-to-one conversation seems to draw out what a
group discussion passes over, which is why we report the two methods side by side rather
than pooled.
{{% else %}}
Interviews and focus groups raised it at similar rates ({{{{ {_code(b2)}.interview.pct }}}} and
{{{{ {_code(b2)}.focus_group.pct }}}}).
{{% endif %}}

On the enabling side, {{{{ survey.enablers.top[1].label | midsentence }}}} was chosen by
{{{{ survey.enablers.top[1].pct }}}} of respondents: people who had seen an evidence-based
programme work were the ones who went looking for the next one.
"""


def _findings_3(study: Study) -> str:
    return """\
{% expect codes["toolkit.eif_guidebook"].interview.prompted %}
The interview schedule asked about the EIF Guidebook and the Evidence Store by name, so
mentions of them say little about how often people use them unprompted: we do not count them
as prevalence. What matters is what people said when asked. Experts valued the legacy
resources' rigour and independence, and most of their criticism was about fit: entries
written for researchers, with little on cost, implementation or local adaptation.

> {{ quote("toolkit.weakness", method="expert_interview") }}
"""


def _findings_4(study: Study) -> str:
    return """\
{% expect codes["evidence.research"].survey is not none %}
Toolkits and guidance shaped decisions mostly at the margins. Interviewees described
consulting them to check an option already in mind more often than to generate options.
{% set research = codes["evidence.research"].survey %}
{% set local = codes["evidence.local_data"].survey %}
Among the influences on decisions, survey respondents rated research evidence
{% if research.pct < local.pct %}below local data{% else %}on a par with local data{% endif %}
({{ research.pct }} of respondents rated research a strong influence, against
{{ local.pct }} for local data).
"""


def _findings_5(study: Study) -> str:
    return """\
{% expect survey.guide_formats.base > 0 %}
Asked what the Practice Guides should offer, respondents spread their choices across several
formats, led by {{ survey.guide_formats.at(1) | midsentence }}
({{ survey.guide_formats.at(1)[0].pct }} of {{ survey.guide_formats.base }}). Interviewees
wanted the same things in their own words: a short answer first, then enough on cost and
implementation to act on it.

> {{ quote("guide.implementation", method="interview") }}
"""


def _discussion(study: Study) -> str:
    t = study.truth
    d = _code(t.dissonant)
    if t.dissonant_direction == "interviews_low":
        condition = f"{d}.interview.rank > {d}.survey.rank"
        direction = f"""\
Survey respondents rated {{{{ {d}.label | midsentence }}}} among the stronger influences on
their decisions (it ranked {{{{ {d}.survey.rank | ordinal }}}} of the influences asked about),
yet interviewees raised it less readily than most other influences (it ranked
{{{{ {d}.interview.rank | ordinal }}}} there, raised by {{{{ {d}.interview.pct }}}}). A rating
scale may invite the answer people think they ought to give; a conversation shows what they
actually reach for."""
    else:
        condition = f"{d}.interview.rank < {d}.survey.rank"
        direction = f"""\
Interviewees raised {{{{ {d}.label | midsentence }}}} readily (it ranked
{{{{ {d}.interview.rank | ordinal }}}} among the influences they raised, by
{{{{ {d}.interview.pct }}}}), yet survey respondents rated it lower (it ranked
{{{{ {d}.survey.rank | ordinal }}}} there). What people talk about at length is not always what
they would say weighs most."""
    direction = _claim(
        study,
        f'{d}.convergence == "dissonance" and {condition}',
        direction
        + f"""
{{% if {d}.low_reliability %}}
Coders also agreed less than we would like on this code, so we hold the contrast loosely.
{{% endif %}}
""",
    )
    return f"""\
{{% expect convergence.agreement.n + convergence.partial_agreement.n > convergence.dissonance.n %}}
The methods agree more often than they disagree: {{{{ convergence.agreement.n }}}} themes
show agreement and {{{{ convergence.partial_agreement.n }}}} partial agreement, against
{{{{ convergence.dissonance.n }}}} in dissonance. Where they disagree, we learn the most.

{direction}
The picture that emerges is of evidence used where an organisation has made a place for it,
and crowded out where it has not. The new Toolkit cannot create that place on its own, but it
can make evidence quicker to use once it is there.
"""


def _limitations(study: Study) -> str:
    return """\
This is a synthetic demonstration study: the local authorities, people and words are
invented, and nothing here describes a real place.

The sample is purposive and the survey small ({{ survey.respondents }} respondents), so
survey percentages carry wide intervals and are not estimates for all local authorities.
{% if saturation.focus_group is not defined %}There were too few focus groups to judge
saturation, and a theme raised in few groups may be missed.
{% elif not saturation.focus_group.saturated %}The focus groups had not reached saturation,
and with one group per local authority a theme raised in few groups may be missed.
{% endif %}Interviews asked about the legacy resources by name, so their mentions are shown as
prompted and not counted as prevalence.
"""


def _recommendations(study: Study) -> str:
    e2 = study.truth.top_enablers[1]
    n = len(RECOMMENDATIONS)
    high = [r for r in RECOMMENDATIONS if r.get("priority") == "high"]
    return f"""\
{{% expect survey.enablers.top[2].code == "{e2}" %}}
We make {number_word(n)} recommendations. The table that follows lists them in order of
priority, each with why we make it, the evidence behind it and how strong that evidence is;
we rank {number_word(len(high))} of them high, because what they address stands in the way of
using evidence now.

Two threads run through them. The first is to lead with the practical: open every Toolkit
entry with a short, plain summary, and shape the Practice Guides around the formats
respondents chose most ({{{{ survey.guide_formats.at(1) | midsentence }}}},
{{{{ survey.guide_formats.at(1)[0].pct }}}}). The second is to build on what already helps:
respondents' second choice of enabler was
{{{{ survey.enablers.top[2].label | midsentence }}}} ({{{{ survey.enablers.top[2].pct }}}}),
and the launch of the Practice Guides should work through it.
"""


def report_files(study: Study) -> dict[str, bytes]:
    """The report text files of a generated study: relative path -> UTF-8 bytes."""
    texts = {
        "executive_summary": _executive_summary(study),
        "background": _background(study),
        "methods": _methods(study),
        "findings/1": _findings_1(study),
        "findings/2": _findings_2(study),
        "findings/3": _findings_3(study),
        "findings/4": _findings_4(study),
        "findings/5": _findings_5(study),
        "discussion": _discussion(study),
        "limitations": _limitations(study),
        "recommendations": _recommendations(study),
    }
    return {f"{FOLDER}/{key}.md": text.encode("utf-8") for key, text in texts.items()}
