"""The findings in words: Markdown written from computed values, one section per research question.

Nothing in a finding is typed in. Every number, name and ranking comes from the matrices
(:mod:`evstudy.matrices`), the joint display (:mod:`evstudy.triangulation`) and the survey
(:mod:`evstudy.survey`), through a few small templating helpers (:func:`n_of`,
:func:`listing`, :func:`pct`, :func:`ci` and :func:`fill`), so that other data give other
words. Each ``rqN`` function returns the section's Markdown; :func:`headlines` gives one
sentence per question for the executive summary.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from evstudy.matrices import (
    barrier_enabler_pairs,
    comb_codes,
    comb_matrix,
    exemplars,
    framework_matrix,
)

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = [
    "RESEARCH_QUESTIONS",
    "ci",
    "executive_summary",
    "fill",
    "headlines",
    "italic",
    "legacy_views",
    "listing",
    "midsentence",
    "n_of",
    "pct",
    "plural",
    "rq1",
    "rq2",
    "rq3",
    "rq4",
    "rq5",
    "sample_against_targets",
    "top_choices",
    "triangulation_text",
]

RESEARCH_QUESTIONS = {
    1: "What does designing, commissioning and decommissioning services for children and "
    "families look like across local authorities and their health partners?",
    2: "What capability, opportunity and motivation barriers and enablers do the people who "
    "design and commission services meet in using evidence-based programmes?",
    3: "What were the strengths and weaknesses of the legacy WWCSC Evidence Store and EIF "
    "Guidebook, as their users saw them?",
    4: "Whether and how evidence toolkits and guidance shape service design, commissioning "
    "and practice models.",
    5: "What stops What Works evidence and guidance being used and applied, what would help, "
    "and what should the Practice Guides contain and look like?",
}
QUALITATIVE = ("interview", "focus_group")
LEGACY = ("toolkit.eif_guidebook", "toolkit.wwcsc_store")
JUDGEMENTS = ("toolkit.strength", "toolkit.weakness")
SECTOR_NOUNS = {"Local authority staff": "local authority staff"}


# --- templating helpers ------------------------------------------------------------------------


def plural(n: int, noun: str, plural: str | None = None) -> str:
    """``"1 site"``, ``"7 sites"``; ``plural`` for irregular nouns."""
    word = noun if n == 1 else (plural or f"{noun}s")
    return f"{n:,} {word}"


def n_of(k: int, n: int, noun: str, plural: str | None = None) -> str:
    """``"7 of 9 sites"``: the noun agrees with the total."""
    word = noun if n == 1 else (plural or f"{noun}s")
    return f"{k:,} of {n:,} {word}"


def listing(items: Iterable[Any], *, conj: str = "and", empty: str = "none") -> str:
    """``"A, B and C"``; ``empty`` when there is nothing to list."""
    items = [str(i) for i in items]
    if not items:
        return empty
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def pct(value: float) -> str:
    """A proportion (0-1) as a whole percentage: ``"45%"``; ``"n/a"`` when missing."""
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.0%}"


def ci(low: float, high: float) -> str:
    """A 95% interval of proportions: ``"95% CI 32% to 59%"``."""
    return f"95% CI {pct(low)} to {pct(high)}"


class _Formatter(string.Formatter):
    """``str.format`` with ``:pct``, ``:ci`` (a pair) and ``:list`` specs, and lists as lists."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "pct":
            return pct(value)
        if format_spec == "ci":
            return ci(*value)
        if format_spec == "list" or (isinstance(value, list | tuple) and not format_spec):
            return listing(value)
        if isinstance(value, int | np.integer) and not format_spec:
            return f"{int(value):,}"
        return super().format_field(value, format_spec)


def fill(template: str, /, **values: Any) -> str:
    """Fill a Markdown template from computed values.

    Like ``str.format``, plus: ``{x:pct}`` writes a proportion as a percentage, ``{x:ci}``
    a (low, high) pair as a 95% interval, and a list becomes "A, B and C". Whole numbers get
    thousands separators.

    Examples
    --------
    >>> fill("{sites} describe {share:pct} ({interval:ci}).", sites=["A", "B"],
    ...      share=0.5, interval=(0.25, 0.75))
    'A and B describe 50% (95% CI 25% to 75%).'
    """
    return _Formatter().vformat(template, (), values)


def italic(items: Iterable[str]) -> list[str]:
    """Each item in Markdown italics, for :func:`listing`."""
    return [f"*{i}*" for i in items]


def midsentence(label: str) -> str:
    """A label as it reads mid-sentence ("Peer networks" -> "peer networks"; "NICE" stays)."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


# --- shared computations -----------------------------------------------------------------------


def _joint(study: Study, coder: str | None, display: pd.DataFrame | None) -> pd.DataFrame:
    """``display``, or the joint display computed without researcher overrides."""
    if display is not None:
        return display
    from evstudy.triangulation import joint_display

    return joint_display(study, coder=coder)


# --- the research questions --------------------------------------------------------------------


def _rq1(study: Study, coder: str | None, joint: pd.DataFrame) -> dict[str, str]:
    from evstudy.report import approach_by_site
    from evstudy.subgroups import compare_groups

    approach = approach_by_site(study, coder=coder)
    kinds = {
        k: approach.loc[approach["approach"] == k, "site_name"].tolist()
        for k in ("reactive", "structured", "mixed")
    }
    n_sites = len(approach)
    codes = framework_matrix(study, rows="site", level="code", coder=coder)
    reactive_code = codes[codes["code_id"] == "approach.reactive"].set_index("row")
    is_reactive = reactive_code.index.isin(
        approach.loc[approach["approach"] == "reactive", "site_id"]
    )
    here = reactive_code[is_reactive]
    there = reactive_code[~is_reactive]
    joint = joint.set_index("code_id")
    headline = fill(
        "{reactive} {verb} mainly reactive commissioning ({names}); {structured} a structured "
        "commissioning cycle{mixed}.",
        reactive=n_of(len(kinds["reactive"]), n_sites, "site"),
        verb="describes" if len(kinds["reactive"]) == 1 else "describe",
        names=kinds["reactive"] or ["none"],
        structured=plural(len(kinds["structured"]), "site"),
        mixed=f" and {plural(len(kinds['mixed']), 'site')} a mix" if kinds["mixed"] else "",
    )
    paragraphs = [headline]
    if len(here) and len(there):
        paragraphs.append(
            fill(
                "At the reactive sites {a} described commissioning driven by crises, "
                "deadlines and short-notice money ({a_share:pct}), against {b} at the other "
                "sites ({b_share:pct}). The site is classed by whichever of the two "
                "approaches more of its participants described (table *Commissioning approach "
                "by site*).",
                a=n_of(int(here["participants"].sum()), int(here["base"].sum()), "participant"),
                a_share=here["participants"].sum() / here["base"].sum(),
                b=n_of(int(there["participants"].sum()), int(there["base"].sum()), "participant"),
                b_share=there["participants"].sum() / there["base"].sum(),
            )
        )
    others = joint.loc[
        [
            c
            for c in ("approach.coproduction", "approach.decommissioning", "approach.partnership")
            if c in joint.index
        ]
    ]
    if len(others):
        parts = [
            fill(
                "{label} ({n})",
                label=midsentence(r.label),
                n=n_of(int(r.qual_n), int(r.qual_base), "participant"),
            )
            for r in others.sort_values("qual_n", ascending=False).itertuples()
        ]
        paragraphs.append(
            fill(
                "Beyond the cycle, interviewees and focus-group participants talked about {parts}.",
                parts=parts,
            )
        )
    influences = joint[
        joint["theme_id"].isin(["influence", "evidence"]) & joint["survey_base"].notna()
    ]
    if len(influences):
        qual_top = influences.sort_values("qual_pct", ascending=False).head(2)
        survey_top = influences.sort_values("survey_pct", ascending=False).head(2)
        paragraphs.append(
            fill(
                "Asked what shapes their decisions, participants most often spoke of {q} "
                "({q_n}); survey respondents were most often influenced a lot or a great deal "
                "by {s} ({s_pct}).",
                q=italic(midsentence(x) for x in qual_top["label"]),
                q_n=listing(
                    f"{int(r.qual_n)} of {int(r.qual_base)}" for r in qual_top.itertuples()
                ),
                s=italic(midsentence(x) for x in survey_top["label"]),
                s_pct=listing(pct(x) for x in survey_top["survey_pct"]),
            )
        )
    if "evidence.research" in joint.index and pd.notna(
        joint.at["evidence.research", "survey_base"]
    ):
        research = joint.loc["evidence.research"]
        sentence = fill(
            "Research evidence about what works gave a mixed picture: {q} participants raised "
            "it, while {s:pct} of survey respondents ({interval:ci}) said it influences their "
            "decisions a lot or a great deal.",
            q=f"{int(research['qual_n'])} of {int(research['qual_base'])}",
            s=research["survey_pct"],
            interval=(research["ci_low"], research["ci_high"]),
        )
        groups = _sector_comparison(study, compare_groups)
        paragraphs.append(f"{sentence} {groups}".strip())
    return {"headline": headline, "markdown": "\n\n".join(paragraphs)}


def _sector_comparison(study: Study, compare_groups: Any) -> str:
    """Partner agencies against local authority staff on research evidence, or why not shown."""
    from evstudy.report import sector_groups

    items = study.survey_answers.loc[
        study.survey_answers["code"] == "evidence.research", ["question_id", "item_id"]
    ].drop_duplicates()
    if items.empty:
        return ""
    question, item = items.iloc[0]
    result = compare_groups(study, question, item=item, groups=sector_groups())
    shown = result[result["shown"].fillna(False).astype(bool)]
    if shown["group"].nunique() < 2:
        notes = [n for n in result["note"].dropna().unique() if n]
        return " ".join(notes)
    test = shown.iloc[0]
    groups = shown.drop_duplicates("group").sort_values("pct", ascending=False)
    high, low = groups.iloc[0], groups.iloc[1]
    return fill(
        "{high:pct} of {high_name} said so against {low:pct} of {low_name} "
        "({test}, p = {p:.3f}; bases {hb} and {lb}).",
        high=high["pct"],
        high_name=SECTOR_NOUNS.get(high["group"], str(high["group"]).lower()),
        low=low["pct"],
        low_name=SECTOR_NOUNS.get(low["group"], str(low["group"]).lower()),
        test=test["test"],
        p=test["p_value"],
        hb=int(high["base"]),
        lb=int(low["base"]),
    )


def rq1(study: Study, *, coder: str | None = "primary", display: pd.DataFrame | None = None) -> str:
    """Research question 1, commissioning approaches and influences, as Markdown.

    Sites are classed by :func:`evstudy.report.approach_by_site`; other approaches and the
    influences on decisions come from the joint display, research evidence from the survey
    with a comparison of partner agencies and local authority staff.

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"
    display : DataFrame, optional
        The joint display (:func:`evstudy.triangulation.joint_display`, with the
        researcher's overrides) the report shows; computed without overrides when not
        given.
    """
    return _rq1(study, coder, _joint(study, coder, display))["markdown"]


def _top(codes: pd.DataFrame, valence: str, n: int = 3) -> pd.DataFrame:
    part = codes[codes["valence"] == valence]
    return part.sort_values(["participants", "code_id"], ascending=[False, True]).head(n)


def _rq2(study: Study, coder: str | None) -> dict[str, str]:
    codes = comb_codes(study, coder=coder)
    cells = comb_matrix(study, coder=coder)
    people = int(study.participants["participant_id"].nunique())
    parts = {}
    for valence in ("barrier", "enabler"):
        top = _top(codes, valence)
        survey = codes[codes["valence"] == valence].dropna(subset=["survey_rank"])
        survey_top = survey.sort_values(["survey_n", "code_id"], ascending=[False, True]).head(3)
        same = set(top["code_id"]) == set(survey_top["code_id"]) and len(survey_top) == 3
        lead = cells[cells["valence"] == valence].sort_values("participants", ascending=False)
        parts[valence] = {
            "top": top,
            "labels": italic(midsentence(x) for x in top["label"]),
            "counts": listing(str(x) for x in top["participants"]),
            "survey": survey_top,
            "same": same,
            "cell": lead.iloc[0],
        }
    b, e = parts["barrier"], parts["enabler"]
    headline = fill(
        "The barriers participants described most were {b} ({b_n} of {people} participants), "
        "mainly {b_cell}; the leading enablers were {e}.",
        b=b["labels"],
        b_n=b["counts"],
        people=people,
        b_cell=midsentence(b["cell"]["comb_label"]),
        e=e["labels"],
    )
    paragraphs = [headline]
    for valence, word in (("barrier", "barriers"), ("enabler", "enablers")):
        p = parts[valence]
        if p["survey"].empty:
            continue
        chosen = listing(
            fill(
                "*{label}* ({n:pct}, {interval:ci})",
                label=midsentence(r.label),
                n=r.survey_pct,
                interval=(r.ci_low, r.ci_high),
            )
            for r in p["survey"].itertuples()
        )
        verdict = "the same three as in the interviews" if p["same"] else "a different set"
        paragraphs.append(
            fill(
                "In the survey the {word} chosen most often were {chosen}: {verdict} (table "
                "*COM-B barriers and enablers by code*).",
                word=word,
                chosen=chosen,
                verdict=verdict,
            )
        )
    ranked = cells.sort_values("participants", ascending=False)
    empty = cells.groupby("comb_label", sort=False)["codes"].sum()
    empty = [midsentence(x) for x in empty[empty == 0].index]
    paragraphs.append(
        fill(
            "By COM-B component (table and figure *COM-B matrix*), barriers concentrated in "
            "{b_cells} and enablers in {e_cells}.{gap}",
            b_cells=[
                f"{midsentence(r.comb_label)} ({r.participants} participants)"
                for r in ranked[ranked["valence"] == "barrier"].head(2).itertuples()
            ],
            e_cells=[
                f"{midsentence(r.comb_label)} ({r.participants})"
                for r in ranked[ranked["valence"] == "enabler"].head(2).itertuples()
            ],
            gap=fill(
                " No code in the codebook maps to {e}, so the study says nothing about it.", e=empty
            )
            if empty
            else "",
        )
    )
    paragraphs.append(_by_role_group(study, coder))
    return {"headline": headline, "markdown": "\n\n".join(p for p in paragraphs if p)}


def _by_role_group(study: Study, coder: str | None) -> str:
    """The barrier most described by each role group."""
    matrix = framework_matrix(
        study, rows="role_group", level="code", methods=QUALITATIVE, coder=coder
    )
    barriers = study.codebook.loc[study.codebook["valence"] == "barrier", "code_id"]
    matrix = matrix[matrix["code_id"].isin(barriers) & (matrix["participants"] > 0)]
    if matrix.empty:
        return ""
    lead = matrix.sort_values(["share", "code_id"], ascending=[False, True], kind="stable")
    lead = lead.groupby("row", sort=False).head(1)
    order = {g: i for i, g in enumerate(pd.unique(matrix["row"]))}
    lead = lead.assign(_o=lead["row"].map(order)).sort_values("_o")
    grouped = lead.groupby("label", sort=False)["row_label"].agg(list)
    return fill(
        "By role group (figure *Role groups by code*), the barrier described by the largest share "
        "of participants was {parts}.",
        parts=[
            f"*{midsentence(label)}* for {listing(italic(groups))}"
            for label, groups in grouped.items()
        ],
    )


def rq2(study: Study, *, coder: str | None = "primary") -> str:
    """Research question 2, COM-B barriers and enablers, as Markdown.

    From :func:`evstudy.matrices.comb_codes` and :func:`evstudy.matrices.comb_matrix`, with
    the survey's choices beside the interview counts and the leading barrier per role group.
    """
    return _rq2(study, coder)["markdown"]


def legacy_views(study: Study, *, coder: str | None = "primary") -> pd.DataFrame:
    """What expert interviewees said about each legacy resource: strengths and weaknesses.

    A passage of an expert interview coded as a strength or a weakness is tied to a legacy
    resource when it names it, that is when it matches the study's auto-coding keywords for
    the resource's code (its label when the study has no rule for it).

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"

    Returns
    -------
    DataFrame
        resource (code id), resource_label, judgement ("strength" or "weakness"), passages,
        experts (expert interviewees with such a passage), quote, attribution (an exemplar);
        one row per resource and judgement.
    """
    from evstudy.coding import _coder_filter, coded_segments

    book = study.codebook.set_index("code_id")["label"]
    frame = _coder_filter(study, coded_segments(study), coder)
    frame = frame[
        (frame["method"] == "expert_interview")
        & (frame["speaker_role"] == "participant")
        & frame["code_id"].isin(JUDGEMENTS)
    ]
    ranked = exemplars(study, by=["code_id"], methods=["expert_interview"], coder=coder, n=None)
    ranked = ranked[ranked["code_id"].isin(JUDGEMENTS)]
    rules = study.autocode_rules
    rows = []
    for code in (c for c in LEGACY if c in book.index):
        terms = rules.loc[rules["code_id"] == code, "pattern"] if len(rules) else pd.Series()
        pattern = "|".join(terms) or re.escape(book[code])
        named = frame[frame["text"].str.contains(pattern, case=False, regex=True)]
        quoted = ranked[ranked["quote"].str.contains(pattern, case=False, regex=True)]
        for judgement in JUDGEMENTS:
            part = named[named["code_id"] == judgement]
            best = quoted[quoted["code_id"] == judgement].head(1)
            rows.append(
                {
                    "resource": code,
                    "resource_label": book[code],
                    "judgement": judgement.split(".")[-1],
                    "passages": len(part),
                    "experts": part["participant_id"].nunique(),
                    "quote": best["quote"].iloc[0] if len(best) else None,
                    "attribution": best["attribution"].iloc[0] if len(best) else None,
                }
            )
    columns = ["resource", "resource_label", "judgement", "passages", "experts"]
    return pd.DataFrame(rows, columns=[*columns, "quote", "attribution"])


def _rq3(study: Study, coder: str | None) -> dict[str, str]:
    from evstudy.coding import _coder_filter, coded_segments

    experts = study.participants[study.participants["methods"].str.contains("expert_interview")]
    frame = _coder_filter(study, coded_segments(study), coder)
    frame = frame[
        (frame["method"] == "expert_interview") & (frame["speaker_role"] == "participant")
    ]
    said = frame.groupby("code_id")["participant_id"].nunique()
    strengths, weaknesses = (int(said.get(c, 0)) for c in JUDGEMENTS)
    headline = fill(
        "{s} named strengths of the legacy resources and {w} named weaknesses.",
        s=n_of(strengths, len(experts), "expert interviewee"),
        w=str(weaknesses),
    )
    views = legacy_views(study, coder=coder)
    wide = views.pivot(index="resource_label", columns="judgement", values="passages")
    wide = wide.reindex(columns=["strength", "weakness"], fill_value=0)
    if len(wide):
        leaning = [
            fill(
                "the {r} drew more {more} than {fewer} ({a} against {b})",
                r=r,
                more="strengths" if row.strength > row.weakness else "weaknesses",
                fewer="weaknesses" if row.strength > row.weakness else "strengths",
                a=int(max(row.strength, row.weakness)),
                b=int(min(row.strength, row.weakness)),
            )
            for r, row in wide.iterrows()
            if row.strength != row.weakness
        ]
        if leaning:
            headline = headline[:-1] + fill("; {x}.", x=leaning)
    paragraphs = [headline]
    if len(wide):
        paragraphs.append(
            fill(
                "Counting the passages that name a resource, experts described {parts} (table "
                "*Expert views of the legacy resources*, with a quote for each).",
                parts=[
                    fill(
                        "the {r} in {s} strengths and {w} weaknesses",
                        r=r,
                        s=int(row.strength),
                        w=int(row.weakness),
                    )
                    for r, row in wide.iterrows()
                ],
            )
        )
    survey = _legacy_survey(study)
    if survey:
        paragraphs.append(survey)
    return {"headline": headline, "markdown": "\n\n".join(paragraphs)}


def _legacy_survey(study: Study) -> str:
    from evstudy.triangulation import survey_evidence

    evidence = survey_evidence(study).set_index("code_id")
    known = [c for c in LEGACY if c in evidence.index]
    if not known:
        return ""
    labels = study.codebook.set_index("code_id")["label"]
    return fill(
        "In the survey, {parts} ({statistic}; base {base}).",
        parts=[f"{pct(evidence.at[c, 'pct'])} had used the {labels[c]}" for c in known],
        statistic=evidence.at[known[0], "statistic"],
        base=int(evidence.loc[known, "base"].max()),
    )


def rq3(study: Study, *, coder: str | None = "primary") -> str:
    """Research question 3, the legacy Evidence Store and Guidebook, as Markdown.

    Counts the expert interviewees coded to strengths and weaknesses, then, from
    :func:`legacy_views`, the expert-interview passages coded as a strength or a weakness
    that name each legacy resource, and the survey's share who had used each.
    """
    return _rq3(study, coder)["markdown"]


def _rq4(study: Study, coder: str | None, joint: pd.DataFrame) -> dict[str, str]:
    tools = joint[(joint["theme_id"] == "toolkit") & ~joint["code_id"].isin(JUDGEMENTS)]
    if tools.empty:
        return {
            "headline": "No toolkit codes were used.",
            "markdown": "No toolkit codes were used.",
        }
    talked = tools.sort_values(["qual_pct", "code_id"], ascending=[False, True]).head(3)
    used = tools.dropna(subset=["survey_pct"]).sort_values("survey_pct", ascending=False).head(3)
    headline = fill(
        "Participants talked most about {talked}; survey respondents had used {used} most.",
        talked=italic(talked["label"]),
        used=italic(used["label"]) or ["none"],
    )
    paragraphs = [headline]
    gap = tools.dropna(subset=["survey_pct"]).assign(gap=lambda d: d["qual_pct"] - d["survey_pct"])
    more_talked = gap[gap["gap"] > 0].sort_values("gap", ascending=False)
    if len(more_talked):
        paragraphs.append(
            fill(
                "Being talked about is not the same as being used: {parts} (joint display).",
                parts=[
                    fill(
                        "the {l} was mentioned by {q:pct} of interviewees and focus-group "
                        "participants but used by {s:pct} of survey respondents",
                        l=r.label,
                        q=r.qual_pct,
                        s=r.survey_pct,
                    )
                    for r in more_talked.head(2).itertuples()
                ],
            )
        )
    matrix = framework_matrix(
        study, rows="role_group", level="code", methods=QUALITATIVE, coder=coder
    )
    matrix = matrix[matrix["code_id"].isin(talked["code_id"]) & (matrix["participants"] > 0)]
    if len(matrix):
        lead = matrix.sort_values(["share", "row"], ascending=[False, True], kind="stable")
        lead = lead.groupby("code_id", sort=False).head(1).set_index("code_id")
        paragraphs.append(
            fill(
                "Who mentioned them differed by role (figure *Role groups by code*): {parts}.",
                parts=[
                    fill(
                        "the {l} most by *{g}* participants ({k:pct} of them)",
                        l=lead.at[c, "label"],
                        g=lead.at[c, "row_label"],
                        k=lead.at[c, "share"],
                    )
                    for c in talked["code_id"]
                    if c in lead.index
                ],
            )
        )
    return {"headline": headline, "markdown": "\n\n".join(paragraphs)}


def rq4(study: Study, *, coder: str | None = "primary", display: pd.DataFrame | None = None) -> str:
    """Research question 4, how toolkits and guidance enter decisions, as Markdown.

    Toolkits talked about (interviews and focus groups) against toolkits used (survey),
    from the joint display, and the role group that mentioned each of the most talked-about
    toolkits most (the framework matrix of role groups by code).

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"
    display : DataFrame, optional
        The joint display the report shows (see :func:`rq1`).
    """
    return _rq4(study, coder, _joint(study, coder, display))["markdown"]


def _rq5(study: Study, coder: str | None, joint: pd.DataFrame) -> dict[str, str]:
    pairs = barrier_enabler_pairs(study, coder=coder)
    top_pairs = pairs[pairs["n"] > 0].head(3)
    guide = joint[joint["theme_id"] == "guide"]
    enablers = _top(comb_codes(study, coder=coder), "enabler")
    paragraphs = []
    headline = fill(
        "What would help most: {e}.", e=italic(midsentence(x) for x in enablers["label"])
    )
    if len(guide):
        talked = guide.sort_values(["qual_pct", "code_id"], ascending=[False, True]).iloc[0]
        wanted = guide.dropna(subset=["survey_pct"]).sort_values("survey_pct", ascending=False)
        headline = fill(
            "What would help most: {e}; for the Practice Guides, {w}.",
            e=italic(midsentence(x) for x in enablers["label"]),
            w=(
                fill(
                    "survey respondents most wanted *{s}* ({p:pct}) and participants most "
                    "often asked for *{t}*",
                    s=midsentence(wanted.iloc[0]["label"]),
                    p=wanted.iloc[0]["survey_pct"],
                    t=midsentence(talked["label"]),
                )
                if len(wanted)
                else fill("participants most often asked for *{t}*", t=midsentence(talked["label"]))
            ),
        )
    paragraphs.append(headline)
    if len(top_pairs):
        paragraphs.append(
            fill(
                "Barriers and enablers travel together (figure *Barriers with enablers*): the "
                "pairs most often raised in the same interview or focus group were {pairs}.",
                pairs=[
                    f"*{midsentence(r.barrier_label)}* with *{midsentence(r.enabler_label)}* "
                    f"({r.n} documents)"
                    for r in top_pairs.itertuples()
                ],
            )
        )
    if len(guide):
        rows = guide.sort_values("survey_pct", ascending=False)
        paragraphs.append(
            fill(
                "On the Guides' content and format, survey respondents chose {chosen}; in "
                "interviews and focus groups, participants asked for {said}.",
                chosen=[
                    fill(
                        "*{l}* ({p:pct}, {i:ci})",
                        l=midsentence(r.label),
                        p=r.survey_pct,
                        i=(r.ci_low, r.ci_high),
                    )
                    for r in rows.dropna(subset=["survey_pct"]).itertuples()
                ]
                or ["nothing (not asked)"],
                said=[
                    f"*{midsentence(r.label)}* ({plural(int(r.qual_n), 'participant')})"
                    for r in guide.sort_values("qual_n", ascending=False).itertuples()
                ],
            )
        )
    return {"headline": headline, "markdown": "\n\n".join(paragraphs)}


def rq5(study: Study, *, coder: str | None = "primary", display: pd.DataFrame | None = None) -> str:
    """Research question 5, what would overcome the barriers and the Guides' format, as Markdown.

    The leading enablers, the barrier-enabler pairs most raised together, and Practice Guide
    preferences from interviews, focus groups and the survey.

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"
    display : DataFrame, optional
        The joint display the report shows (see :func:`rq1`).
    """
    return _rq5(study, coder, _joint(study, coder, display))["markdown"]


def headlines(
    study: Study, *, coder: str | None = "primary", display: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One computed sentence per research question, for the executive summary.

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"
    display : DataFrame, optional
        The joint display the report shows (see :func:`rq1`).

    Returns
    -------
    DataFrame
        rq (1-5), question, headline (Markdown).
    """
    joint = _joint(study, coder, display)
    found = (
        _rq1(study, coder, joint),
        _rq2(study, coder),
        _rq3(study, coder),
        _rq4(study, coder, joint),
        _rq5(study, coder, joint),
    )
    rows = [
        {"rq": i, "question": RESEARCH_QUESTIONS[i], "headline": f["headline"]}
        for i, f in enumerate(found, 1)
    ]
    return pd.DataFrame(rows)


def executive_summary(
    study: Study, *, coder: str | None = "primary", display: pd.DataFrame | None = None
) -> str:
    """The executive summary as Markdown bullets: one headline per research question, then
    what triangulation found and how reliable the coding was.

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"
    display : DataFrame, optional
        The joint display the report shows (see :func:`rq1`), so that the summary agrees
        with :func:`triangulation_text` of the same display.
    """
    from evstudy.reliability import reliability_table

    display = _joint(study, coder, display)
    lines = [
        f"- **Research question {r.rq}.** {r.headline}"
        for r in headlines(study, coder=coder, display=display).itertuples()
    ]
    counts = display["convergence"].value_counts()
    dissonant = display[display["convergence"] == "dissonance"]
    lines.append(
        fill(
            "- **Triangulation.** Interviews, focus groups and the survey agreed on {a} of the "
            "{n} themes the survey asked about and were dissonant on {d}{which}.",
            a=int(counts.get("agreement", 0)),
            n=int((display["convergence"] != "silence").sum()),
            d=int(counts.get("dissonance", 0)),
            which=fill(" ({x})", x=italic(midsentence(x) for x in dissonant["label"]))
            if len(dissonant)
            else "",
        )
    )
    reliability = reliability_table(study)
    reliability = reliability[reliability["code_id"] != "overall"]
    if len(reliability):
        lines.append(
            fill(
                "- **Rigour.** {docs} were double-coded; {low} fell below a kappa of 0.6.",
                docs=plural(int(reliability["n_documents"].max()), "document"),
                low=n_of(int(reliability["below_threshold"].sum()), len(reliability), "code"),
            )
        )
    return "\n".join(lines)


# --- triangulation and methods -----------------------------------------------------------------


def triangulation_text(display: pd.DataFrame) -> str:
    """What the joint display found, in words: the convergence counts and every dissonance.

    Parameters
    ----------
    display : DataFrame
        The result of :func:`evstudy.triangulation.joint_display`.
    """
    asked = display[display["convergence"] != "silence"]
    counts = display["convergence"].value_counts()
    text = [
        fill(
            "Of the {n} themes the survey asked about, interviews, focus groups and the survey "
            "agreed on {a}, partly agreed on {p} and disagreed (dissonance) on {d}.",
            n=len(asked),
            a=int(counts.get("agreement", 0)),
            p=int(counts.get("partial agreement", 0)),
            d=int(counts.get("dissonance", 0)),
        )
    ]
    dissonant = display[display["convergence"] == "dissonance"].assign(
        gap=lambda d: (d["survey_pct"] - d["qual_pct"]).abs()
    )
    if len(dissonant):
        dissonant = dissonant.sort_values("gap", ascending=False)
        text.append(
            fill(
                "The dissonant {what}: {parts}.",
                what="themes, sharpest first" if len(dissonant) > 1 else "theme",
                parts=[
                    fill(
                        "*{l}* ({q:pct} of interviewees and focus-group participants, "
                        "{s:pct} of survey respondents)",
                        l=midsentence(r.label),
                        q=r.qual_pct,
                        s=r.survey_pct,
                    )
                    for r in dissonant.itertuples()
                ],
            )
        )
    silent = display[(display["convergence"] == "silence") & (display["qual_n"] > 0)]
    if len(silent):
        loudest = silent.sort_values("qual_pct", ascending=False).iloc[0]
        text.append(
            fill(
                "The survey was silent on {n}; the most prominent of them in the interviews and "
                "focus groups was *{l}* ({k}).",
                n=plural(len(silent), "theme"),
                l=midsentence(loudest["label"]),
                k=n_of(int(loudest["qual_n"]), int(loudest["qual_base"]), "participant"),
            )
        )
    overridden = display[display["overridden"]]
    if len(overridden):
        text.append(
            fill(
                "A researcher overrode the rules for {labels}; the reasons are in the table.",
                labels=italic(midsentence(x) for x in overridden["label"]),
            )
        )
    return " ".join(text)


def sample_against_targets(
    study: Study, *, targets: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """What fieldwork achieved against the protocol's targets.

    Parameters
    ----------
    study : Study
    targets : mapping, optional
        Target counts (``interviews``, ``expert_interviews``, ``focus_groups``,
        ``focus_group_size``, ``survey_responses``, ``sites_min``, ``sites_max``). Default:
        those the ingest report records, else the protocol's (``config.DEFAULT_TARGETS``);
        see :func:`evstudy.fieldwork.study_targets`.

    Returns
    -------
    DataFrame
        measure, target, achieved, pct (achieved / target; the site row against the
        smallest number of sites the protocol aimed for). The rows and counts of
        :func:`evstudy.fieldwork.fieldwork_progress`, labelled for the report.
    """
    from evstudy.fieldwork import MEASURES, fieldwork_progress

    progress = fieldwork_progress(study, targets=targets)
    labels = {**MEASURES, "sites": "Local authorities (sites)"}
    out = progress[["measure", "target", "achieved", "pct"]].copy()
    out["measure"] = out["measure"].map(labels)
    return out


def top_choices(choices: pd.DataFrame, noun: str, *, n: int = 3) -> str:
    """The options of a multiple-choice question chosen most often, in a sentence.

    Parameters
    ----------
    choices : DataFrame
        :func:`evstudy.survey.choice_table`'s ranking (option, base, pct), most chosen first.
    noun : str
        What an option is ("barrier"), for "The barrier chosen most often was ...".
    n : int, default 3
        How many options to name; fewer when the question offered fewer.

    Examples
    --------
    >>> table = pd.DataFrame({"option": ["A", "B"], "base": [40, 40], "pct": [0.5, 0.25]})
    >>> top_choices(table, "barrier")
    'The barrier chosen most often was *A* (50% of 40 respondents), then *B* (25%).'
    """
    top = choices.head(n)
    if top.empty:
        return f"No respondent answered the question on the {noun}s."
    first = top.iloc[0]
    then = [f"*{r.option}* ({pct(r.pct)})" for r in top.iloc[1:].itertuples()]
    return fill(
        "The {noun} chosen most often was *{option}* ({share:pct} of {base} respondents){then}.",
        noun=noun,
        option=first["option"],
        share=first["pct"],
        base=int(first["base"]),
        then=f", then {listing(then)}" if then else "",
    )
