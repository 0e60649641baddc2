"""Recommendations, argued: each with its rationale, its evidence, that evidence's strength
and a priority.

Researchers write the recommendations in a small YAML file (``recommendations.yml`` in the
raw folder), each with the theme or code ids that support it, and optionally why and how
urgent they judge it::

    recommendations:
      - id: REC1
        text: Give commissioners short, plain summaries of what works.
        audience: commissioners
        codes: [enabler.summaries, barrier.capacity]
        priority: high
        rationale: Commissioners rarely have the time to read a full evaluation.

Ingest validates the file against the codebook and keeps it as the ``recommendations``
table. :func:`recommendation_evidence` then computes each recommendation's evidence from
the data, code by code and each with its denominator: the interview and focus-group
participants and the sites that raised its codes, every cited code's survey statistic with
its base and rank, the included review sources whose findings carry its codes, and the
joint display's convergence codes. From these it grades the **strength** of the evidence
by a stated rule (:data:`STRENGTH_RULES`, :func:`strength_rules_text`): convergence across
methods, breadth across sites and participants, the literature, and the reliability of the
coding. A survey statistic that ranks a cited code low is evidence against the
recommendation: it lowers the strength and is shown as such, never as support.

A recommendation is flagged **thin** (and shown with a caution) when its codes were raised
at fewer than :data:`THIN_SITES` sites or by fewer than :data:`THIN_PARTICIPANTS`
participants: a recommendation resting on one or two places, or a handful of people, should
be read as a lead rather than a finding; its strength is never more than limited.

A recommendation without a declared ``priority`` takes the one its strength gives (strong:
high, moderate: medium, limited: low); without a ``rationale`` it gets a computed draft,
marked as such. The recommendations are listed in priority order, then by strength, then
in the file's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evstudy.io.recommendations import COLUMNS, PRIORITIES, read_recommendations
from evstudy.narrative import listing, plural, shortlist

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = [
    "PRIORITIES",
    "STRENGTHS",
    "STRENGTH_RULES",
    "THIN_PARTICIPANTS",
    "THIN_SITES",
    "read_recommendations",
    "recommendation_evidence",
    "recommendations_table",
    "strength_rules_text",
]

REQUIRED = COLUMNS[:4]  # rec_id, text, audience, codes; priority and rationale are optional

THIN_SITES = 3
THIN_PARTICIPANTS = 10
STRENGTHS = ("strong", "moderate", "limited")
PRIORITY_OF = {"strong": "high", "moderate": "medium", "limited": "low"}
# The rule that grades a recommendation's evidence: a point for each kind of support, a
# point off for each weakness, over the codes it cites.
STRENGTH_RULES = {
    "support": (
        ("interviews", "interviewees raised a cited code more than most related codes"),
        (
            "focus groups",
            "focus-group participants raised a cited code more than most related codes",
        ),
        ("survey", "the survey ranks a cited code in the top half of its question"),
        ("literature", "at least {m} included review sources discuss a cited code"),
        ("breadth", "its codes were raised by at least {p} participants at {s} or more sites"),
    ),
    "against": (
        (
            "weak survey statistic",
            "the survey ranks a cited code in the bottom half of its question",
        ),
        ("low reliability", "a cited code's coding agreement is below the kappa threshold"),
        ("dissonance", "the joint display codes a cited code as dissonance"),
    ),
    "grades": "strong at 3 points or more, moderate at 2, limited at 1 or fewer; thin "
    "evidence is never more than limited",
}


def strength_rules_text() -> str:
    """The strength rule in words, for the methods section and the recommendations."""
    from evstudy.triangulation import LITERATURE_MIN_SOURCES

    values = {"m": LITERATURE_MIN_SOURCES, "p": THIN_PARTICIPANTS, "s": THIN_SITES}
    plus = "; ".join(why.format(**values) for _, why in STRENGTH_RULES["support"])
    minus = "; ".join(why.format(**values) for _, why in STRENGTH_RULES["against"])
    return (
        f"Each recommendation's evidence earns a point for each kind of support ({plus}) and "
        f"loses one for each weakness ({minus}). Its strength is "
        f"{STRENGTH_RULES['grades']}. A recommendation the researchers gave no priority "
        "takes the one its strength gives: high for strong, medium for moderate, low for "
        "limited."
    )


def _people(n: int, base: int, noun: str, suppress_max: int) -> str:
    """A count of people with its base, in words when the disclosure rule hides it."""
    from evstudy.narrative import people_count

    return people_count(n, noun, suppress_max=suppress_max, base=base)


def recommendation_evidence(
    study: Study,
    *,
    recommendations: pd.DataFrame | None = None,
    coder: str | None = "primary",
    display: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each recommendation with its evidence, the strength of it and its priority.

    Parameters
    ----------
    study : Study
    recommendations : DataFrame, optional
        From :func:`read_recommendations`; default the study's ``recommendations`` table.
    coder : str or None, default "primary"
        Whose codings count (see :func:`evstudy.code_matrix`).
    display : DataFrame, optional
        The joint display (:func:`evstudy.triangulation.joint_display`) to take the
        convergence codes and survey statistics from; computed when not given.

    Returns
    -------
    DataFrame
        One row per recommendation, in priority order (high, medium, low), then strength
        (strong first), then file order: rec_id, text, audience, codes; code_ids (the
        cited ids expanded to codes), n_sites, base_sites, n_participants,
        base_participants (interview and focus-group participants, distinct people),
        fieldwork (those counts in words, with their bases), survey (every cited code's
        survey statistic with its base and rank, the weak ones marked), survey_pct (the
        best-ranked cited code's share), literature (short citations of included sources
        with a finding on its codes), n_sources, convergence (the joint display's codes of
        its codes, most common first), literature_convergence, support and against
        (the strength rule's reasons, lists of text), points, strength ("strong",
        "moderate", "limited"), priority ("high", "medium", "low"), priority_declared
        (bool), rationale (text), rationale_declared (bool), thin (bool) and caution
        (text, empty when not thin).
    """
    from evstudy.coding import _coder_filter, coded_segments, expand_codes
    from evstudy.triangulation import LITERATURE_MIN_SOURCES, QUALITATIVE, joint_display

    recs = study.recommendations if recommendations is None else recommendations
    if not isinstance(recs, pd.DataFrame) or (len(recs) and set(REQUIRED) - set(recs.columns)):
        raise ValueError(
            f"`recommendations` must be a table with the columns {REQUIRED} "
            "(from read_recommendations)"
        )
    recs = recs.reset_index(drop=True)
    for column in ("priority", "rationale"):  # optional, and absent from older tables
        if column not in recs:
            recs = recs.assign(**{column: None})
    out = recs[COLUMNS].copy()
    out["code_ids"] = [expand_codes(study, list(c), param="codes") for c in recs["codes"]]
    segments = coded_segments(study)
    turns = study.turns.merge(study.documents[["doc_id", "method"]], on="doc_id")
    took_part = turns[(turns["speaker_role"] == "participant") & turns["method"].isin(QUALITATIVE)]
    people = study.participants.set_index("participant_id")["site_id"]
    base_people = int(took_part["participant_id"].nunique())
    base_sites = int(people.reindex(took_part["participant_id"].unique()).dropna().nunique())
    frame = _coder_filter(study, segments, coder)
    frame = frame[(frame["speaker_role"] == "participant") & frame["method"].isin(QUALITATIVE)]
    display = joint_display(study, coder=coder) if display is None else display
    shown = display.set_index("code_id")
    suppress_max = int(getattr(study, "disclosure", {}).get("suppress_max", 0) or 0)
    rows = []
    for ids in out["code_ids"]:
        hit = frame[frame["code_id"].isin(ids)]
        cited = shown.reindex([c for c in ids if c in shown.index])
        n_people = int(hit["participant_id"].nunique())
        n_sites = int(hit["site_id"].dropna().nunique())
        survey, weak, best = _survey(cited)
        support, against = _grade(
            cited, n_people, n_sites, weak, best, minimum=LITERATURE_MIN_SOURCES
        )
        rows.append(
            {
                "n_sites": n_sites,
                "base_sites": base_sites,
                "n_participants": n_people,
                "base_participants": base_people,
                "fieldwork": (
                    "raised by "
                    + _people(
                        n_people, base_people, "interview and focus-group participant", suppress_max
                    )
                    + f" at {n_sites} of {base_sites} sites"
                ),
                "survey": survey,
                "survey_pct": float("nan") if best is None else float(best["survey_pct"]),
                "literature": _sources(study, ids),
                "convergence": _codes(cited["convergence"]) if len(cited) else _codes(pd.Series()),
                "literature_convergence": _codes(
                    cited.get("literature_convergence", pd.Series(dtype=object))
                ),
                "support": support,
                "against": against,
            }
        )
    columns = [
        "n_sites", "base_sites", "n_participants", "base_participants", "fieldwork", "survey",
        "survey_pct", "literature", "convergence", "literature_convergence", "support", "against",
    ]  # fmt: skip
    out = out.join(pd.DataFrame(rows, columns=columns))
    out["n_sources"] = out["literature"].map(len) if len(out) else []
    out["thin"] = (out["n_sites"] < THIN_SITES) | (out["n_participants"] < THIN_PARTICIPANTS)
    out["points"] = (out["support"].map(len) - out["against"].map(len)).astype("int64")
    grade = np.select([out["points"] >= 3, out["points"] == 2], ["strong", "moderate"], "limited")
    out["strength"] = pd.Series(grade, index=out.index).where(~out["thin"], "limited")
    out["priority_declared"] = out["priority"].notna()
    out["priority"] = out["priority"].where(
        out["priority_declared"], out["strength"].map(PRIORITY_OF)
    )
    out["rationale_declared"] = out["rationale"].notna()
    out["rationale"] = [
        text if declared else _draft_rationale(row)
        for text, declared, row in zip(
            out["rationale"], out["rationale_declared"], out.itertuples(), strict=True
        )
    ]
    out["caution"] = [
        (
            f"Caution: thin evidence: raised by "
            f"{_people(n, 0, 'participant', suppress_max)} at "
            f"{plural(s, 'site') if s else 'no site'} (a "
            f"recommendation needs at least {THIN_PARTICIPANTS} participants at {THIN_SITES} "
            "sites)."
        )
        if thin
        else ""
        for n, s, thin in zip(out["n_participants"], out["n_sites"], out["thin"], strict=True)
    ]
    order = pd.DataFrame(
        {
            "p": out["priority"].map({p: i for i, p in enumerate(PRIORITIES)}),
            "s": out["strength"].map({g: i for i, g in enumerate(STRENGTHS)}),
            "f": range(len(out)),
        },
        index=out.index,
    )
    return out.loc[order.sort_values(["p", "s", "f"]).index].reset_index(drop=True)


def _survey(cited: pd.DataFrame) -> tuple[str, list[str], pd.Series | None]:
    """Every cited code's survey statistic with its base and rank; the weak ones (ranked in
    the bottom half of their question), and the best-ranked cited code's row."""
    asked = cited.dropna(subset=["survey_base"])
    asked = asked[asked["survey_base"].fillna(0) > 0]
    if asked.empty:
        return "not asked", [], None
    parts, weak = [], []
    position = asked["survey_rank"].astype(float) / asked["survey_family_size"].astype(float)
    for (code, row), at in zip(asked.iterrows(), position, strict=True):
        rank = f"ranked {int(row['survey_rank'])} of {int(row['survey_family_size'])}"
        low = at > 0.5
        if low:
            weak.append(code)
        parts.append(
            f"{row['label']}: {row['survey']}, {rank}"
            + (" (weak: lowers the strength)" if low else "")
        )
    best = asked.loc[position.idxmin()]
    return "; ".join(parts), weak, best


def _grade(
    cited: pd.DataFrame,
    n_people: int,
    n_sites: int,
    weak: list[str],
    best: pd.Series | None,
    *,
    minimum: int,
) -> tuple[list[str], list[str]]:
    """The strength rule's reasons for and against, over the cited codes (see
    :data:`STRENGTH_RULES`)."""
    support, against = [], []
    for method, name in (("interview", "interviews"), ("focus_group", "focus groups")):
        tier = cited.get(f"{method}_tier", pd.Series(dtype=object))
        prompted = cited.get(f"{method}_prompted", pd.Series(False, index=cited.index))
        high = cited.index[(tier == "high") & ~prompted.fillna(False).astype(bool)]
        if len(high):
            support.append(
                f"{name}: {listing(cited.loc[high, 'label'])} more than most related codes"
            )
    if best is not None and best["survey_rank"] / best["survey_family_size"] <= 0.5:
        support.append(f"survey: {best['label']} ranked in the top half")
    sources = cited.get("literature_n", pd.Series(dtype=float)).fillna(0)
    if len(sources) and sources.max() >= minimum:
        support.append(f"literature: {int(sources.max())} included sources on one cited code")
    if n_people >= THIN_PARTICIPANTS and n_sites >= THIN_SITES:
        support.append("breadth: raised widely across participants and sites")
    for code in weak:
        against.append(f"weak survey statistic: {cited.at[code, 'label']}")
    low = cited.index[
        cited.get("low_reliability", pd.Series(False, index=cited.index)).fillna(False).astype(bool)
    ]
    against += [f"low reliability: {cited.at[c, 'label']}" for c in low]
    dissonant = cited.index[cited.get("convergence", pd.Series(dtype=object)) == "dissonance"]
    against += [f"dissonance: {cited.at[c, 'label']}" for c in dissonant]
    return support, against


def _draft_rationale(row: object) -> str:
    """A computed rationale, marked as a draft, for a recommendation the researchers gave none."""
    kinds = list(dict.fromkeys(s.split(":")[0] for s in row.support))  # type: ignore[attr-defined]
    weak = list(dict.fromkeys(a.split(": ", 1)[1] for a in row.against))  # type: ignore[attr-defined]
    text = f"Draft: its codes were {row.fieldwork}."  # type: ignore[attr-defined]
    text += f" Support comes from {listing(kinds)}." if kinds else " No source ranks them high."
    if weak:
        text += f" The evidence is weaker on {listing(shortlist(weak))}."
    return text


def _sources(study: Study, ids: list[str]) -> list[str]:
    """Short citations of the included sources with a finding coded to one of ``ids``."""
    findings = getattr(study, "review_findings", pd.DataFrame())
    sources = getattr(study, "review_sources", pd.DataFrame())
    if not len(findings) or not len(sources):
        return []
    cited = set(findings.loc[findings["code_id"].isin(ids), "source_id"])
    chosen = sources[sources["source_id"].isin(cited) & (sources["decision"] == "included")]
    from evstudy.triangulation import _short_citation

    return [_short_citation(c, y) for c, y in zip(chosen["citation"], chosen["year"], strict=True)]


def _codes(values: pd.Series) -> str:
    counts = values.dropna().value_counts(sort=True)
    return " / ".join(counts.index) if len(counts) else "not in the joint display"


def recommendations_table(evidence: pd.DataFrame) -> pd.DataFrame:
    """The recommendations as the report shows them: one readable row each, in the order
    :func:`recommendation_evidence` gives (priority, then strength).

    Parameters
    ----------
    evidence : DataFrame
        The result of :func:`recommendation_evidence`.

    Returns
    -------
    DataFrame
        priority (with "(from the evidence)" when the researchers declared none),
        recommendation (with its caution when thin), audience, rationale, fieldwork
        (participants and sites, with their bases), survey (each cited code's statistic
        with its base and rank), literature, convergence, strength (the grade and the
        rule's reasons for and against).
    """
    text = evidence["text"] + (" ⚠ " + evidence["caution"]).where(evidence["thin"], "")
    priority = evidence["priority"].str.capitalize() + np.where(
        evidence["priority_declared"], "", " (from the evidence)"
    )
    strength = [
        grade.capitalize()
        + (f". For: {'; '.join(support)}" if support else ". For: nothing")
        + (f". Against: {'; '.join(against)}" if against else "")
        + "."
        for grade, support, against in zip(
            evidence["strength"], evidence["support"], evidence["against"], strict=True
        )
    ]
    return pd.DataFrame(
        {
            "priority": priority,
            "recommendation": evidence["rec_id"] + ". " + text,
            "audience": evidence["audience"],
            "rationale": evidence["rationale"],
            "fieldwork": evidence["fieldwork"].str[:1].str.upper() + evidence["fieldwork"].str[1:],
            "survey": evidence["survey"],
            "literature": evidence["literature"].map(lambda v: "; ".join(v) or "none"),
            "convergence": "fieldwork: "
            + evidence["convergence"]
            + "; literature: "
            + evidence["literature_convergence"],
            "strength": strength,
        }
    )
