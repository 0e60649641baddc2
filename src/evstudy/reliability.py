"""Inter-coder reliability: percent agreement, Cohen's kappa and Krippendorff's alpha per code.

The units are the participants' turns of the double-coded documents (documents that two or
more coders coded): the research team's turns (interviewers' questions, facilitators'
prompts) are not units, since they are not data to code and counting them as agreed "no"s
would inflate agreement. For every code and every unit, each coder makes a yes/no decision:
the coder "codes the unit with the code" when any of its codings of that code overlaps the
turn's ``[start, end)`` span on the document's canonical text. Participants' turns nobody
coded count too (as agreement on "no"), which is what makes kappa and alpha
chance-corrected rather than
inflated by the easy negatives being left out.

Kappa comes from statsmodels and alpha from the ``krippendorff`` package; nothing here
re-derives either formula (QualCoder's kappa, for one, gets its chance term wrong).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import krippendorff
import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import cohens_kappa

from evstudy.study import derived

__all__ = [
    "KAPPA_THRESHOLD",
    "alpha_from_matrix",
    "kappa_from_table",
    "reliability_table",
    "study_kappa_threshold",
    "weak_codes",
]

# The default threshold: the lower bound of "substantial" agreement (Landis & Koch 1977).
KAPPA_THRESHOLD = 0.6


def weak_codes(study: Any, *, threshold: float | None = None) -> pd.Series:
    """The codes whose kappa is below the threshold (or undefined), with their kappa.

    Parameters
    ----------
    study : Study
    threshold : float, optional
        Default the study's (:func:`study_kappa_threshold`).

    Returns
    -------
    Series
        kappa (NaN when undefined) by code_id, weakest first; empty when fewer than two
        coders coded the study (nothing to compare).
    """
    codings = study.codings
    if codings.empty or codings["coder"].nunique() < 2:
        return pd.Series(dtype="float64", name="kappa").rename_axis("code_id")
    limit = study_kappa_threshold(study) if threshold is None else threshold
    table = reliability_table(study, threshold=limit)
    table = table[(table["code_id"] != "overall") & table["below_threshold"]]
    return table.set_index("code_id")["kappa"]


def study_kappa_threshold(study: Any) -> float:
    """The study's kappa threshold (study.yml ``reliability: kappa_threshold``), else 0.6."""
    settings = getattr(study, "reliability", None)
    if isinstance(settings, dict) and settings.get("kappa_threshold") is not None:
        return float(settings["kappa_threshold"])
    return KAPPA_THRESHOLD


UNITS = ("turn",)
# Speaker roles whose turns are data: register participants and survey respondents.
DATA_ROLES = ("participant", "respondent")
LEVELS = ("nominal", "ordinal", "interval", "ratio")
COLUMNS = [
    "code_id",
    "label",
    "n_documents",
    "n_units",
    "n_coded_units",
    "percent_agreement",
    "kappa",
    "alpha",
    "coders",
    "below_threshold",
]


def kappa_from_table(table: Any) -> float:
    """Cohen's kappa of a square agreement table (statsmodels' ``cohens_kappa``).

    Parameters
    ----------
    table : array-like, shape (k, k)
        Counts: rows are the first coder's categories, columns the second coder's.

    Returns
    -------
    float
        Kappa, or NaN when it is undefined: no units, or both coders put every unit in
        the same category (chance agreement is then 1 and kappa is 0/0).
    """
    table = np.asarray(table, dtype=float)
    if table.ndim != 2 or table.shape[0] != table.shape[1]:
        raise ValueError(f"`table` must be a square 2-D table, but shape {table.shape} was passed")
    n = table.sum()
    if n == 0:
        return float("nan")
    chance = float((table.sum(axis=0) / n) @ (table.sum(axis=1) / n))
    if np.isclose(chance, 1.0):
        return float("nan")
    return float(cohens_kappa(table, return_results=False))


def alpha_from_matrix(matrix: Any, level: str = "nominal") -> float:
    """Krippendorff's alpha of a coders-by-units matrix (the ``krippendorff`` package).

    Parameters
    ----------
    matrix : array-like, shape (coders, units)
        One row per coder, one column per unit; NaN (or None) where a coder gave no value.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement.

    Returns
    -------
    float
        Alpha, or NaN when it is undefined: fewer than two distinct values in the data,
        so there is no variation to agree or disagree about.
    """
    if level not in LEVELS:
        raise ValueError(f"`level` must be one of {LEVELS}, but {level!r} was passed")
    data = np.array(matrix, dtype=float)  # None -> NaN
    values = data[~np.isnan(data)]
    if np.unique(values).size < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


def _decisions(study: Any, coders: Sequence[str] | None) -> tuple[pd.DataFrame, list[str]]:
    """Every (code, unit) with one 0/1/NaN column per coder (NaN: coder did not code the doc)."""
    codings = study.codings
    present = sorted(codings["coder"].dropna().unique())
    if coders is None:
        chosen = present
    else:
        chosen = list(dict.fromkeys(coders))
        for coder in chosen:
            if coder not in present:
                raise ValueError(
                    f"`coders` must be drawn from {tuple(present)}, but {coder!r} was passed"
                )
        if len(chosen) < 2:
            raise ValueError(f"`coders` must name at least two coders, but {coders!r} was passed")
    codings = codings[codings["coder"].isin(chosen)]
    coded = codings[["doc_id", "coder"]].drop_duplicates()
    per_doc = coded.groupby("doc_id")["coder"].nunique()
    docs = sorted(per_doc.index[per_doc >= 2])
    coded = coded[coded["doc_id"].isin(docs)]
    coders_used = sorted(coded["coder"].unique())
    turns = study.turns[study.turns["doc_id"].isin(docs)]
    if "speaker_role" in turns:  # the research team's turns are not units of agreement
        turns = turns[turns["speaker_role"].isin(DATA_ROLES)]
    units = turns[["doc_id", "turn", "start", "end"]]
    codings = codings[codings["doc_id"].isin(docs)]

    # A coding marks every turn its [start, end) span overlaps.
    hits = codings.merge(units, on="doc_id", suffixes=("", "_turn"))
    hits = hits[(hits["start"] < hits["end_turn"]) & (hits["end"] > hits["start_turn"])]
    hits = hits[["code_id", "doc_id", "turn", "coder"]].drop_duplicates().assign(value=1.0)

    codes = pd.DataFrame({"code_id": sorted(codings["code_id"].unique())})
    grid = codes.merge(units[["doc_id", "turn"]], how="cross").merge(coded, on="doc_id")
    grid = grid.merge(hits, on=["code_id", "doc_id", "turn", "coder"], how="left")
    grid["value"] = grid["value"].fillna(0.0)
    # Coders absent from a document stay NaN (missing), which alpha handles and kappa skips.
    wide = grid.pivot(index=["code_id", "doc_id", "turn"], columns="coder", values="value")
    wide = wide.reindex(columns=coders_used)
    return wide, coders_used


def _row(decisions: pd.DataFrame, coders: list[str]) -> dict[str, Any]:
    """Agreement statistics for one block of decisions (one code, or all codes pooled)."""
    agreements, kappas = [], []
    for a, b in itertools.combinations(coders, 2):
        pair = decisions[[a, b]].dropna()
        if pair.empty:
            continue
        table = pd.crosstab(pair[a], pair[b]).reindex(
            index=[0.0, 1.0], columns=[0.0, 1.0], fill_value=0
        )
        agreements.append(float(np.trace(table.to_numpy()) / len(pair)))
        kappas.append(kappa_from_table(table.to_numpy()))
    kappa = float(np.mean(kappas)) if kappas and not np.isnan(kappas).any() else float("nan")
    units = decisions.index.droplevel("code_id").unique()
    coded_units = decisions[(decisions == 1.0).any(axis=1)].index.droplevel("code_id").unique()
    return {
        "n_documents": units.get_level_values("doc_id").nunique(),
        "n_units": len(units),
        "n_coded_units": len(coded_units),
        "percent_agreement": float(np.mean(agreements)) if agreements else float("nan"),
        "kappa": kappa,
        "alpha": alpha_from_matrix(decisions.to_numpy().T, "nominal"),
        "coders": ", ".join(coders),
    }


def reliability_table(
    study: Any,
    *,
    threshold: float = 0.6,
    unit: str = "turn",
    coders: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Agreement between coders on the double-coded documents, per code and overall.

    Parameters
    ----------
    study : Study
        The study; anything with ``turns``, ``codings`` and ``codebook`` tables will do.
    threshold : float, default 0.6
        Codes whose kappa is below this (or undefined) are flagged ``below_threshold``.
    unit : {"turn"}, default "turn"
        The unit of coding decisions: the participants' turns of the double-coded
        documents. Research-team turns (any ``speaker_role`` other than ``participant`` or
        ``respondent``) are not units, and codings on them are not counted.
    coders : sequence of str, optional
        The coders to compare (at least two). Default: every coder. Double-coded documents
        are those at least two of these coders coded.

    Returns
    -------
    pandas.DataFrame
        One row per code that any of the coders used on the double-coded documents, weakest
        kappa first (undefined kappa before all), then a final ``"overall"`` row that pools
        every code-by-unit decision. Columns: ``code_id``, ``label``, ``n_documents``,
        ``n_units`` (turns), ``n_coded_units`` (turns any coder coded with the code; for
        overall, with any code), ``percent_agreement``, ``kappa``, ``alpha``, ``coders``,
        ``below_threshold``.

    Notes
    -----
    Each coder makes a yes/no decision per code and turn. ``kappa`` is Cohen's kappa from
    statsmodels on the 2x2 table of two coders' decisions; with more than two coders it is
    the mean of the pairwise kappas (each pair over the documents both coded), and
    ``percent_agreement`` likewise the mean pairwise agreement. ``alpha`` is Krippendorff's
    alpha (nominal) across all coders at once, with a coder's decisions missing on documents
    it did not code. Kappa is NaN when undefined (both coders used the code on every turn or
    on none), and alpha when the decisions never vary; such codes are flagged, not dropped.
    """
    if unit not in UNITS:
        raise ValueError(f"`unit` must be one of {UNITS}, but {unit!r} was passed")
    if not isinstance(threshold, int | float) or not -1.0 <= threshold <= 1.0:
        raise ValueError(f"`threshold` must be between -1 and 1, but {threshold!r} was passed")
    # The summary, the triangulation and the appendix each ask for it: computed once.
    key = ("reliability_table", float(threshold), unit, None if coders is None else tuple(coders))
    return derived(study, key, lambda: _reliability_table(study, threshold, coders)).copy()


def _reliability_table(study: Any, threshold: float, coders: Sequence[str] | None) -> pd.DataFrame:
    wide, coders_used = _decisions(study, coders)
    if wide.empty:
        return pd.DataFrame(columns=COLUMNS)

    rows = [
        {"code_id": code, **_row(block, coders_used)}
        for code, block in wide.groupby(level="code_id", sort=True)
    ]
    table = pd.DataFrame(rows).sort_values(["kappa", "code_id"], na_position="first", kind="stable")
    overall = pd.DataFrame([{"code_id": "overall", **_row(wide, coders_used)}])
    table = pd.concat([table, overall], ignore_index=True)
    labels = study.codebook.set_index("code_id")["label"]
    table["label"] = table["code_id"].map(labels).where(table["code_id"] != "overall", "All codes")
    table["below_threshold"] = ~(table["kappa"] >= threshold)
    return table[COLUMNS]
