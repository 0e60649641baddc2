"""Recommendations, linked to their evidence.

Researchers write the recommendations in a small YAML file (``recommendations.yml`` in the
raw folder), each with the theme or code ids that support it::

    recommendations:
      - id: REC1
        text: Give commissioners short, plain summaries of what works.
        audience: commissioners
        codes: [enabler.summaries, barrier.capacity]

Ingest validates the file against the codebook and keeps it as the ``recommendations``
table. :func:`recommendation_evidence` then computes each recommendation's evidence from
the data: the sites and participants (interviews and focus groups) coded to its codes, the
survey statistic, the included review sources whose findings carry its codes, and the
joint display's convergence codes. A recommendation is flagged **thin** (and shown with a
caution) when its codes were raised at fewer than :data:`THIN_SITES` sites or by fewer than
:data:`THIN_PARTICIPANTS` participants: a recommendation resting on one or two places, or a
handful of people, should be read as a lead rather than a finding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from evstudy.io.recommendations import COLUMNS, read_recommendations

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = [
    "THIN_PARTICIPANTS",
    "THIN_SITES",
    "read_recommendations",
    "recommendation_evidence",
    "recommendations_table",
]

THIN_SITES = 3
THIN_PARTICIPANTS = 10


def recommendation_evidence(
    study: Study,
    *,
    recommendations: pd.DataFrame | None = None,
    coder: str | None = "primary",
    display: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each recommendation with the evidence behind it, computed from the data.

    Parameters
    ----------
    study : Study
    recommendations : DataFrame, optional
        From :func:`read_recommendations`; default the study's ``recommendations`` table.
    coder : str or None, default "primary"
        Whose codings count (see :func:`evstudy.code_matrix`).
    display : DataFrame, optional
        The joint display (:func:`evstudy.triangulation.joint_display`) to take the
        convergence codes from; computed when not given.

    Returns
    -------
    DataFrame
        rec_id, text, audience, codes; code_ids (the cited ids expanded to codes), n_sites,
        n_participants (interviews and focus groups, distinct people), survey (the first
        cited code's survey statistic in words, or "not asked"), survey_pct,
        literature (short citations of included sources with a finding on its codes),
        n_sources, convergence (the joint display's codes of its codes, most common first),
        literature_convergence, thin (bool) and caution (text, empty when not thin).
    """
    from evstudy.coding import _coder_filter, coded_segments, expand_codes
    from evstudy.triangulation import QUALITATIVE, joint_display

    recs = study.recommendations if recommendations is None else recommendations
    if not isinstance(recs, pd.DataFrame) or (len(recs) and set(COLUMNS) - set(recs.columns)):
        raise ValueError(
            f"`recommendations` must be a table with the columns {COLUMNS} "
            "(from read_recommendations)"
        )
    recs = recs.reset_index(drop=True)
    out = recs[COLUMNS].copy()
    out["code_ids"] = [expand_codes(study, list(c), param="codes") for c in recs["codes"]]
    frame = _coder_filter(study, coded_segments(study), coder)
    frame = frame[(frame["speaker_role"] == "participant") & frame["method"].isin(QUALITATIVE)]
    display = joint_display(study, coder=coder) if display is None else display
    shown = display.set_index("code_id")
    rows = []
    for ids in out["code_ids"]:
        hit = frame[frame["code_id"].isin(ids)]
        asked = shown.reindex(ids).dropna(subset=["survey_base"])
        first = asked.iloc[0] if len(asked) else None
        rows.append(
            {
                "n_sites": hit["site_id"].dropna().nunique(),
                "n_participants": hit["participant_id"].nunique(),
                "survey": "not asked" if first is None else f"{first['label']}: {first['survey']}",
                "survey_pct": float("nan") if first is None else float(first["survey_pct"]),
                "literature": _sources(study, ids),
                "convergence": _codes(shown.reindex(ids)["convergence"]),
                "literature_convergence": _codes(
                    shown.reindex(ids).get("literature_convergence", pd.Series(dtype=object))
                ),
            }
        )
    out = out.join(pd.DataFrame(rows, columns=list(rows[0]) if rows else None))
    out["n_sources"] = out["literature"].map(len) if len(out) else []
    out["thin"] = (out["n_sites"] < THIN_SITES) | (out["n_participants"] < THIN_PARTICIPANTS)
    out["caution"] = (
        "Caution: thin evidence: raised by "
        + out["n_participants"].astype(str)
        + " participants at "
        + out["n_sites"].astype(str)
        + f" sites (a recommendation needs at least {THIN_PARTICIPANTS} participants "
        f"at {THIN_SITES} sites)."
    ).where(out["thin"], "")
    return out


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
    """The recommendations as the report shows them: one readable row each.

    Parameters
    ----------
    evidence : DataFrame
        The result of :func:`recommendation_evidence`.

    Returns
    -------
    DataFrame
        recommendation (with its caution when thin), audience, fieldwork (sites and
        participants), survey, literature, convergence.
    """
    text = evidence["text"] + (" ⚠ " + evidence["caution"]).where(evidence["thin"], "")
    return pd.DataFrame(
        {
            "recommendation": evidence["rec_id"] + ". " + text,
            "audience": evidence["audience"],
            "fieldwork": evidence["n_participants"].astype(str)
            + " participants at "
            + evidence["n_sites"].astype(str)
            + " sites",
            "survey": evidence["survey"],
            "literature": evidence["literature"].map(lambda v: "; ".join(v) or "none"),
            "convergence": "fieldwork: "
            + evidence["convergence"]
            + "; literature: "
            + evidence["literature_convergence"],
        }
    )
