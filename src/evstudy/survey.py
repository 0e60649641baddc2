"""Survey tables with honest uncertainty: response, profile, choices, Likert grids, toolkits.

Every percentage has its base (the respondents who answered that question or
grid row, within the group); choice tables carry Wilson 95% intervals, because
with about fifty respondents a single answer moves a percentage by two points.
Breakdowns by site go through the disclosure rules (:mod:`evstudy.disclosure`);
other breakdowns are returned whole, and :func:`evstudy.disclosure.apply_min_base`
prepares them for publication. Subgroup tests are in :mod:`evstudy.subgroups`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evstudy.disclosure import (
    OTHER,
    DisclosureError,
    identifies_sites,
    suppression_mask,
    thresholds,
    wilson,
)

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = [
    "choice_table",
    "completion_by_question",
    "free_text_codes",
    "likert_summary",
    "likert_table",
    "question_ids",
    "respondent_groups",
    "respondent_profile",
    "response_status",
    "toolkit_summary",
    "toolkit_table",
]

NOT_STATED = "Not stated"


def question_ids(study: Study, *, types: Sequence[str] | None = None) -> list[str]:
    """The survey's question ids in questionnaire order, optionally of some types only."""
    q = study.survey_questions.sort_values("position")
    if types is not None:
        q = q[q["type"].isin(list(types))]
    return list(dict.fromkeys(q["question_id"]))


def _question(study: Study, question: str, types: Sequence[str]) -> pd.DataFrame:
    """The question's rows of survey_questions (one per grid item), checking its type."""
    known = question_ids(study, types=types)
    if question not in known:
        raise ValueError(f"`question` must be one of {known}, but {question!r} was passed")
    q = study.survey_questions
    return q[q["question_id"] == question].sort_values("position")


def _options(study: Study, question: str) -> pd.DataFrame:
    o = study.survey_options
    return o[o["question_id"] == question].sort_values("position").reset_index(drop=True)


def respondent_groups(study: Study, by: str) -> pd.Series:
    """Each respondent's value of ``by``: a survey_respondents column or a site attribute.

    Respondents without a value (for example "Prefer not to say" for site) get NA.
    """
    resp = study.survey_respondents
    if by in resp.columns and by != "respondent_id":
        values = resp[by]
    elif by in study.sites.columns:
        values = resp["site_id"].map(study.sites.set_index("site_id")[by])
    else:
        options = sorted(
            {*resp.columns, *study.sites.columns} - {"respondent_id", "started", "ended"}
        )
        raise ValueError(f"`by` must be one of {options}, but {by!r} was passed")
    return pd.Series(values.to_numpy(), index=resp["respondent_id"], name=by)


def _answers(study: Study, question: str) -> pd.DataFrame:
    a = study.survey_answers
    return a[(a["question_id"] == question) & a["value"].notna()]


def _guard_sites(study: Study, table: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Refuse a breakdown by site that would show a count of 1..suppress_max people."""
    if by is None or not identifies_sites(study, by):
        return table
    k = thresholds(study)["suppress_max"]
    small = table["n"].between(1, k) | table["base"].between(1, k)
    if small.any():
        raise DisclosureError(
            f"a breakdown by {by} would show counts from 1 to {k} respondents, which the "
            "disclosure rules do not allow; report the whole sample, or compare larger "
            "groups with evstudy.subgroups.compare_groups (which folds small groups)"
        )
    return table


def response_status(study: Study) -> pd.DataFrame:
    """Respondents by completion status.

    Returns
    -------
    DataFrame
        status, n, pct (of all respondents), median_answered (questions answered).
    """
    resp = study.survey_respondents
    out = (
        resp.groupby("status", sort=False)
        .agg(n=("respondent_id", "size"), median_answered=("n_answered", "median"))
        .reindex(["complete", "partial"], fill_value=0)
        .rename_axis("status")
        .reset_index()
    )
    out["pct"] = out["n"] / max(len(resp), 1)
    return out[["status", "n", "pct", "median_answered"]]


def completion_by_question(study: Study) -> pd.DataFrame:
    """How many respondents answered each question (partial responses stop early).

    Returns
    -------
    DataFrame
        question_id, question_text, n_answered, n_respondents, pct_answered (0-1).
    """
    q = study.survey_questions.sort_values("position").drop_duplicates("question_id")
    a = study.survey_answers
    answered = a[a["value"].notna()].groupby("question_id")["respondent_id"].nunique()
    n = len(study.survey_respondents)
    out = q[["question_id", "question_text"]].reset_index(drop=True)
    out["n_answered"] = out["question_id"].map(answered).fillna(0).astype("int64")
    out["n_respondents"] = n
    out["pct_answered"] = out["n_answered"] / max(n, 1)
    return out


def respondent_profile(
    study: Study, *, by: str | Sequence[str] = "role_group", suppress: bool = True
) -> pd.DataFrame:
    """Respondents counted by one attribute, or by two (a long cross-tabulation).

    These are counts of people, so by default they are published under rule 1
    of :mod:`evstudy.disclosure`: small counts (and the cells that would reveal
    them through the totals) are withheld.

    Parameters
    ----------
    study : Study
    by : str or pair of str
        survey_respondents columns (role_group, organisation_type, site_id,
        years_in_role, ...) or site attributes (region, la_type, ...).
    suppress : bool
        Withhold small counts (set False only for internal checks).

    Returns
    -------
    DataFrame
        [by...], n, pct (of all respondents), suppressed. Suppressed cells have
        NA in n and pct. Respondents with no value are counted as "Not stated".
    """
    keys = [by] if isinstance(by, str) else list(by)
    if not 1 <= len(keys) <= 2:
        raise ValueError(f"`by` must be one or two attribute names, but {by!r} was passed")
    frame = pd.concat([respondent_groups(study, key) for key in keys], axis=1)
    frame = frame.astype(object).where(frame.notna(), NOT_STATED)
    counts = frame.groupby(keys).size()
    wide = counts.unstack(keys[1], fill_value=0) if len(keys) == 2 else counts.to_frame("n")
    k = thresholds(study)["suppress_max"]
    hidden = suppression_mask(wide, threshold=k if suppress else 0, totals=True)
    hidden = hidden.loc[list(wide.index), list(wide.columns)]
    if len(keys) == 2:
        out = wide.stack().rename("n").reset_index()
        out["suppressed"] = hidden.stack().to_numpy()
    else:
        out = wide.reset_index()
        out["suppressed"] = hidden["n"].to_numpy()
    out["n"] = out["n"].astype("Int64").mask(out["suppressed"])
    out["pct"] = (out["n"] / len(frame)).astype("Float64")
    return out[[*keys, "n", "pct", "suppressed"]]


def _grouped(study: Study, answers: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Answers with a ``group`` column (dropping respondents with no value of ``by``)."""
    if by is None:
        return answers.assign(group="All")
    groups = respondent_groups(study, by)
    out = answers.assign(group=answers["respondent_id"].map(groups))
    return out[out["group"].notna()]


def _finish(table: pd.DataFrame, by: str | None) -> pd.DataFrame:
    table = table.rename(columns={"group": by}) if by else table.drop(columns="group")
    return table.reset_index(drop=True)


def choice_table(study: Study, question: str, *, by: str | None = None) -> pd.DataFrame:
    """A ranking of the options of a single- or multiple-choice question.

    Parameters
    ----------
    study : Study
    question : str
        A question id of type single or multi.
    by : str, optional
        Break down by a respondent attribute (see :func:`respondent_groups`).

    Returns
    -------
    DataFrame
        [by,] option, code, n, base, pct, ci_low, ci_high, rank. ``base`` is the
        respondents (in the group) who answered the question, which for a tick-all
        (multi) question includes every complete respondent, ticks or none; ``pct`` = n/base with
        a Wilson 95% interval; every option appears, chosen or not; "Other" answers
        count as option "Other". Sorted by n descending, then option.

    Raises
    ------
    DisclosureError
        For a breakdown by site that would show a count of 1 to ``suppress_max``.
    """
    _question(study, question, ["single", "multi"])
    options = _options(study, question)[["option", "code"]]
    answers = _grouped(study, _answers(study, question), by)
    if (answers["value"] == OTHER).any() and OTHER not in set(options["option"]):
        options = pd.concat([options, pd.DataFrame({"option": [OTHER], "code": [None]})])
    answered = answers[["group", "respondent_id"]]
    qs = study.survey_questions
    if (qs.loc[qs["question_id"] == question, "type"] == "multi").any():
        # Ticking nothing in a tick-all question is an answer: complete respondents count.
        resp = study.survey_respondents
        done = resp.loc[resp["status"] == "complete", ["respondent_id"]]
        answered = pd.concat([answered, _grouped(study, done, by)[["group", "respondent_id"]]])
    base = answered.groupby("group")["respondent_id"].nunique().rename("base")
    n = answers.groupby(["group", "value"])["respondent_id"].nunique()
    grid = pd.MultiIndex.from_product([base.index, options["option"]], names=["group", "option"])
    table = (
        n.rename_axis(["group", "option"])
        .reindex(grid, fill_value=0)
        .rename("n")
        .reset_index()
        .merge(options, on="option", how="left")
        .join(base, on="group")
    )
    table["pct"] = table["n"] / table["base"]
    table["ci_low"], table["ci_high"] = wilson(table["n"], table["base"])
    table["rank"] = table.groupby("group")["n"].rank(method="min", ascending=False).astype("int64")
    table = table.sort_values(["group", "n", "option"], ascending=[True, False, True])
    cols = ["group", "option", "code", "n", "base", "pct", "ci_low", "ci_high", "rank"]
    return _finish(_guard_sites(study, table[cols], by), by)


def likert_table(study: Study, question: str, *, by: str | None = None) -> pd.DataFrame:
    """The full answer distribution of each row of a grid (Likert) question.

    Returns
    -------
    DataFrame
        [by,] item_id, item_label, category, position (1-based scale order),
        valence, n, base (respondents who answered that row), pct. Every category
        of every row appears; items in questionnaire order.
    """
    items = _question(study, question, ["grid"])[["item_id", "item_label"]]
    scale = _options(study, question)[["option", "position", "valence"]]
    scale = scale.rename(columns={"option": "category"}).assign(position=lambda d: d.position + 1)
    answers = _grouped(study, _answers(study, question), by)
    n = answers.groupby(["group", "item_id", "value"])["respondent_id"].nunique()
    base = answers.groupby(["group", "item_id"])["respondent_id"].nunique().rename("base")
    groups = sorted(answers["group"].unique())
    grid = pd.MultiIndex.from_product(
        [groups, items["item_id"], scale["category"]], names=["group", "item_id", "category"]
    )
    table = (
        n.rename_axis(["group", "item_id", "category"])
        .reindex(grid, fill_value=0)
        .rename("n")
        .reset_index()
        .merge(items, on="item_id", how="left")
        .merge(scale, on="category", how="left")
        .join(base, on=["group", "item_id"])
    )
    table["base"] = table["base"].fillna(0).astype("int64")
    table["pct"] = table["n"] / table["base"].where(table["base"] > 0)
    cols = ["group", "item_id", "item_label", "category", "position", "valence", "n", "base", "pct"]
    return _finish(_guard_sites(study, table[cols], by), by)


def _median_category(part: pd.DataFrame) -> str | None:
    """The category holding the median response: the first whose cumulative share reaches 1/2."""
    part = part.sort_values("position")
    if part["base"].iloc[0] == 0:
        return None
    cumulative = part["n"].cumsum() / part["base"].iloc[0]
    return part["category"].iloc[int(np.argmax(cumulative.to_numpy() >= 0.5))]


def likert_summary(study: Study, question: str, *, by: str | None = None) -> pd.DataFrame:
    """One row per grid item: shares positive, neutral and negative, median and mean.

    Returns
    -------
    DataFrame
        [by,] item_id, item_label, base, pct_positive, pct_neutral, pct_negative,
        median_category (the category containing the median response),
        mean_position (1 = first scale point); sorted by pct_positive descending.
    """
    table = likert_table(study, question, by=by)
    keys = [by, "item_id", "item_label"] if by else ["item_id", "item_label"]
    shares = (
        table.pivot_table(index=keys, columns="valence", values="n", aggfunc="sum", sort=False)
        .reindex(columns=["positive", "neutral", "negative"], fill_value=0)
        .fillna(0)
    )
    out = table.groupby(keys, sort=False).agg(base=("base", "first")).join(shares)
    base = out["base"].where(out["base"] > 0)
    for valence in ("positive", "neutral", "negative"):
        out[f"pct_{valence}"] = out.pop(valence) / base
    out["median_category"] = table.groupby(keys, sort=False)[
        ["category", "position", "n", "base"]
    ].apply(_median_category)
    weighted = table.assign(w=table["n"] * table["position"]).groupby(keys, sort=False)["w"].sum()
    out["mean_position"] = weighted / base
    out = out.reset_index()
    out["_order"] = np.arange(len(out))
    sort = ([by] if by else []) + ["pct_positive", "_order"]
    out = out.sort_values(sort, ascending=[True] * bool(by) + [False, True])
    return out.drop(columns="_order").reset_index(drop=True)


def toolkit_table(study: Study, question: str = "toolkits") -> pd.DataFrame:
    """Awareness and use of each toolkit: the answer distribution per toolkit.

    Returns
    -------
    DataFrame
        item_id, item_label, category, position (1-based), n, base, pct.
    """
    table = likert_table(study, question)
    return table[["item_id", "item_label", "category", "position", "n", "base", "pct"]]


def toolkit_summary(study: Study, question: str = "toolkits") -> pd.DataFrame:
    """Per toolkit: the share aware of it and the share using it.

    ``aware`` is 1 minus the share at the first scale point ("Not aware");
    ``used`` is the share at the positive scale points ("Used occasionally",
    "Used regularly").

    Returns
    -------
    DataFrame
        item_id, item_label, base, aware, used; sorted by used, then aware, descending.
    """
    table = likert_table(study, question)
    keys = ["item_id", "item_label"]
    grouped = table.groupby(keys, sort=False)
    out = grouped.agg(base=("base", "first")).reset_index()
    first = table[table["position"] == 1].set_index(keys)["pct"]
    used = table[table["valence"] == "positive"].groupby(keys, sort=False)["n"].sum()
    out["aware"] = 1 - out.set_index(keys).index.map(first).to_numpy(dtype=float)
    out["used"] = out.set_index(keys).index.map(used).to_numpy(dtype=float) / out["base"]
    out["_order"] = np.arange(len(out))
    out = out.sort_values(["used", "aware", "_order"], ascending=[False, False, True])
    return out.drop(columns="_order").reset_index(drop=True)


def free_text_codes(
    study: Study, question: str = "comments", *, coder: str | None = None
) -> pd.DataFrame:
    """Codes applied to the survey's free-text answers, so the survey joins triangulation.

    Survey answers are coded as documents ``SVY-<respondent>-<question>`` (method
    "survey"). These are counts of coded passages and of respondents whose answer
    received the code, not counts of people by attribute, so they are not suppressed.

    Parameters
    ----------
    study : Study
    question : str
        A text question id.
    coder : str, optional
        Count one coder's codings only (default: every coder's).

    Returns
    -------
    DataFrame
        code_id, label, theme_id, valence, n_codings, n_respondents, base (respondents
        who answered the question), pct (n_respondents/base); sorted by n_respondents.
    """
    _question(study, question, ["text"])
    docs = study.documents
    docs = docs[(docs["method"] == "survey") & docs["doc_id"].str.endswith(f"-{question}")]
    codings = study.codings[study.codings["doc_id"].isin(docs["doc_id"])]
    if coder is not None:
        coders = sorted(codings["coder"].unique())
        if coder not in coders:
            raise ValueError(f"`coder` must be one of {coders}, but {coder!r} was passed")
        codings = codings[codings["coder"] == coder]
    base = _answers(study, question)["respondent_id"].nunique()
    out = (
        codings.groupby("code_id")
        .agg(n_codings=("coding_id", "size"), n_respondents=("doc_id", "nunique"))
        .reset_index()
        .merge(
            study.codebook[["code_id", "label", "theme_id", "valence"]], on="code_id", how="left"
        )
    )
    out["base"] = base
    out["pct"] = out["n_respondents"] / base if base else np.nan
    out = out.sort_values(["n_respondents", "n_codings", "code_id"], ascending=[False, False, True])
    cols = ["code_id", "label", "theme_id", "valence", "n_codings", "n_respondents", "base", "pct"]
    return out[cols].reset_index(drop=True)
