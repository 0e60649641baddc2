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

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from evstudy.errors import InputError, Problems

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
KEYS = ("id", "text", "audience", "codes")
COLUMNS = ["rec_id", "text", "audience", "codes"]


def read_recommendations(
    path: str | Path, *, codes: Any = None, label: str | None = None
) -> pd.DataFrame:
    """Read and validate a recommendations file.

    Parameters
    ----------
    path : str or Path
    codes : collection of str, optional
        The codebook's code and theme ids; when given, every cited id must be one of them.
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    DataFrame
        rec_id, text, audience, codes (a list of ids); file order.

    Raises
    ------
    InputError
        When the file is missing, is not YAML or has no ``recommendations:`` list.
    ValidationError
        Listing every problem: a missing or repeated id, a blank text, no audience, no
        codes, a code the codebook lacks, an unknown key.
    """
    from evstudy.io.textfiles import entry_lines, load_yaml

    path = Path(path)
    name = label or str(path)
    if not path.is_file():
        raise InputError(name, "", "the recommendations file does not exist", "check the path")
    data, tree = load_yaml(path, name)
    if not isinstance(data, dict) or not isinstance(data.get("recommendations"), list):
        raise InputError(
            name,
            "",
            "the file has no 'recommendations:' list",
            "write recommendations: [{id: ..., text: ..., audience: ..., codes: [...]}]",
        )
    known = None if codes is None else set(codes)
    lines = entry_lines(tree, "recommendations")
    found, records, seen = Problems(), [], {}
    for i, entry in enumerate(data["recommendations"]):
        where = f"line {lines[i] if i < len(lines) else 0}, recommendation {i + 1}"
        if not isinstance(entry, dict):
            found.add(name, where, "the entry is not a mapping", "write id:, text:, audience:")
            continue
        rec_id = str(entry.get("id") or "").strip()
        where = f"{where} ({rec_id})" if rec_id else where
        unknown = sorted(str(k) for k in entry if k not in KEYS)
        if unknown:
            found.add(
                name, where, f"unknown key(s): {', '.join(unknown)}", f"use {', '.join(KEYS)}"
            )
        if not rec_id:
            found.add(name, where, "the recommendation has no id", "add id: REC1 (unique)")
        elif rec_id in seen:
            found.add(name, where, f"id {rec_id!r} is already used", "give each its own id")
        seen.setdefault(rec_id, i + 1)
        text = " ".join(str(entry.get("text") or "").split())
        if not text:
            found.add(name, where, "the recommendation has no text", "write it in a sentence")
        audience = str(entry.get("audience") or "").strip()
        if not audience:
            found.add(
                name,
                where,
                "the recommendation has no audience",
                "say who it is for: audience: commissioners (any words the study uses)",
            )
        cited = entry.get("codes")
        cited = [cited] if isinstance(cited, str) else cited
        if not isinstance(cited, list) or not cited:
            found.add(
                name,
                where,
                "the recommendation cites no codes",
                "list the theme or code ids that support it: codes: [barrier.capacity]",
            )
            cited = []
        cited = [str(c).strip() for c in cited]
        for code in cited:
            if known is not None and code not in known:
                found.add(
                    name,
                    where,
                    f"recommendation {rec_id or i + 1} cites code {code!r}, which the codebook "
                    "lacks",
                    "cite a theme or code id from codebook.yml, or add the code there",
                )
        records.append({"rec_id": rec_id, "text": text, "audience": audience, "codes": cited})
    found.raise_if_any(name)
    return pd.DataFrame.from_records(records, columns=COLUMNS)


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
