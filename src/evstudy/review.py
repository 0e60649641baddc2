"""The rapid evidence review: flow counts, findings by theme and gaps against the fieldwork.

The review register and its coded findings (see :mod:`evstudy.io.review`) become the
study's ``review_sources`` and ``review_findings`` tables. This module reports them the
way a rapid review is reported: PRISMA-style flow counts (sources screened, excluded with
each reason, included), the included sources by type and year, what the literature found
theme by theme with the quality of the sources behind it, and where the literature and the
fieldwork part company.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = ["findings_by_theme", "included_by", "literature_gaps", "prisma_flow"]

BY = ("type", "year", "quality", "country")
QUALITY = ("high", "moderate", "low")


def _sources(study: Study) -> pd.DataFrame:
    sources = getattr(study, "review_sources", pd.DataFrame())
    if not len(sources):
        columns = ["source_id", "citation", "year", "type", "quality", "decision", "reason"]
        return pd.DataFrame(columns=[*columns, "country"])
    return sources


def prisma_flow(study: Study) -> pd.DataFrame:
    """PRISMA-style flow counts: screened, excluded (one row per reason), included.

    Parameters
    ----------
    study : Study

    Returns
    -------
    DataFrame
        stage ("screened", "excluded", "included"), reason (the exclusion reason; empty
        for the other stages), n. Reasons most frequent first, then alphabetical. All zero
        when the study has no review.
    """
    sources = _sources(study)
    excluded = sources[sources["decision"] == "excluded"]
    reasons = excluded["reason"].value_counts().rename_axis("reason").reset_index(name="n")
    reasons = reasons.sort_values(["n", "reason"], ascending=[False, True]).assign(stage="excluded")
    ends = pd.DataFrame(
        {
            "stage": ["screened", "included"],
            "reason": ["", ""],
            "n": [len(sources), int((sources["decision"] == "included").sum())],
        }
    )
    out = pd.concat([ends.iloc[:1], reasons, ends.iloc[1:]], ignore_index=True)
    return out[["stage", "reason", "n"]].astype({"n": "int64"})


def included_by(study: Study, *, by: str = "type") -> pd.DataFrame:
    """Included sources counted by type, year, quality or country.

    Parameters
    ----------
    study : Study
    by : {"type", "year", "quality", "country"}, default "type"

    Returns
    -------
    DataFrame
        ``by``, n. Types and qualities in their scale's order, years ascending (undated
        sources as "n.d." last), countries alphabetical.
    """
    if by not in BY:
        raise ValueError(f"`by` must be one of {list(BY)}, but {by!r} was passed")
    from evstudy.io.review import SOURCE_TYPES

    included = _sources(study)
    included = included[included["decision"] == "included"]
    values = included[by].astype(object).where(included[by].notna(), "n.d.")
    counts = values.value_counts().rename_axis(by).reset_index(name="n")
    order = {"type": SOURCE_TYPES, "quality": QUALITY}.get(by)
    if order is not None:
        key = {v: i for i, v in enumerate(order)}
        return counts.sort_values(by, key=lambda s: s.map(key), ignore_index=True)
    key = (lambda s: s.map(lambda v: (v == "n.d.", str(v)))) if by == "year" else None
    return counts.sort_values(by, key=key, ignore_index=True)


def findings_by_theme(study: Study) -> pd.DataFrame:
    """What the included sources found, code by code, with the quality behind it.

    Parameters
    ----------
    study : Study

    Returns
    -------
    DataFrame
        theme_id, theme, code_id, label, n_findings, n_sources, and the sources by quality
        (``high``, ``moderate``, ``low``: how many sources of each appraisal), sources
        (short citations), findings (the findings in the reviewer's words, joined by
        " | "). One row per code with a finding, codebook order.
    """
    from evstudy.triangulation import _short_citation

    columns = ["theme_id", "theme", "code_id", "label", "n_findings", "n_sources", *QUALITY]
    columns += ["sources", "findings"]
    findings = getattr(study, "review_findings", pd.DataFrame())
    sources = _sources(study)
    included = sources[sources["decision"] == "included"]
    if not len(findings) or not len(included):
        return pd.DataFrame(columns=columns)
    rows = findings.merge(included, on="source_id")
    rows["short"] = [
        _short_citation(c, y) for c, y in zip(rows["citation"], rows["year"], strict=True)
    ]
    grouped = rows.groupby("code_id")
    out = pd.DataFrame(
        {
            "n_findings": grouped["finding_id"].nunique(),
            "n_sources": grouped["source_id"].nunique(),
            "sources": grouped["short"].agg(lambda s: "; ".join(dict.fromkeys(s))),
            "findings": grouped["finding"].agg(lambda s: " | ".join(dict.fromkeys(s))),
        }
    )
    quality = rows.drop_duplicates(["code_id", "source_id"])
    quality = pd.crosstab(quality["code_id"], quality["quality"])
    out = out.join(quality.reindex(columns=list(QUALITY), fill_value=0)).reset_index()
    book = study.codebook
    themes = book.set_index("code_id")["label"]
    codes = book[["code_id", "theme_id", "label"]].assign(theme=lambda f: f["theme_id"].map(themes))
    out = codes.merge(out, on="code_id")  # codebook order
    return out[columns].astype({q: "int64" for q in QUALITY})


def literature_gaps(
    study: Study, *, display: pd.DataFrame | None = None, coder: str | None = "primary"
) -> pd.DataFrame:
    """What the literature says that the fieldwork did not, and the reverse.

    A code is **literature, not fieldwork** when an included source has a finding on it
    but the interviews and focus groups raised it rarely: nobody was coded to it unprompted,
    or a method places it clearly below related themes and none clearly above (the joint
    display's ``qual_tier`` is ``low``). It is **fieldwork, not literature** when
    participants were coded to it unprompted and no included source has a finding on it.
    A code every topic guide asked about by name is in neither list.

    Parameters
    ----------
    study : Study
    display : DataFrame, optional
        The joint display (:func:`evstudy.triangulation.joint_display`); computed when not
        given.
    coder : str or None, default "primary"
        Whose codings count, when the joint display is computed here.

    Returns
    -------
    DataFrame
        gap, theme, code_id, label, literature_n (included sources), literature_sources,
        qual_n (participants), qual_pct, qual_tier. Literature-only rows first (most
        sources first), then fieldwork-only rows (most participants first).
    """
    from evstudy.triangulation import QUALITATIVE, joint_display

    jd = joint_display(study, coder=coder) if display is None else display
    # A code every topic guide asked about has no unprompted fieldwork to set against it.
    prompted = [jd.get(f"{m}_prompted", pd.Series(False, index=jd.index)) for m in QUALITATIVE]
    jd = jd[~np.logical_and.reduce([p.astype(bool) for p in prompted])]
    rarely = (jd["qual_n"] == 0) | (jd["qual_tier"] == "low")
    lit_only = jd[(jd["literature_n"] > 0) & rarely].assign(gap="literature, not fieldwork")
    field_only = jd[(jd["literature_n"] == 0) & (jd["qual_n"] > 0)].assign(
        gap="fieldwork, not literature"
    )
    columns = ["gap", "theme", "code_id", "label", "literature_n", "literature_sources"]
    columns += ["qual_n", "qual_pct", "qual_tier"]
    return pd.concat(
        [
            lit_only.sort_values("literature_n", ascending=False, kind="stable"),
            field_only.sort_values("qual_n", ascending=False, kind="stable"),
        ],
        ignore_index=True,
    )[columns]
