"""Survey tables with honest uncertainty: response, profile, choices, Likert grids, awareness.

Every percentage has its base (the respondents who answered that question or
grid row, within the group); choice tables carry Wilson 95% intervals, because
with about fifty respondents a single answer moves a percentage by two points.
Breakdowns by site go through the disclosure rules (:mod:`evstudy.disclosure`);
other breakdowns are returned whole, and :func:`evstudy.disclosure.apply_min_base`
prepares them for publication. Subgroup tests are in :mod:`evstudy.subgroups`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evstudy.disclosure import (
    MARKER,
    OTHER,
    DisclosureError,
    crosstab_keys,
    identifies_sites,
    profile_keys,
    published_table,
    suppression_mask,
    thresholds,
    wilson,
)

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = [
    "answered",
    "awareness_summary",
    "awareness_table",
    "awareness_use_of",
    "choice_table",
    "completion_by_question",
    "free_text_codes",
    "likert_summary",
    "likert_table",
    "missing_input",
    "question_blocks",
    "question_ids",
    "question_table",
    "question_type",
    "respondent_groups",
    "respondent_profile",
    "response_status",
    "response_text",
    "summary_text",
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
    if suppress:  # what the publication ledger withholds, for the counts it lists
        columns = keys[1] if len(keys) == 2 else None
        cells, _ = crosstab_keys(wide, population="respondents", rows=keys[0], columns=columns)
        hidden = published_table(study, wide, cells).eq(MARKER)
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
    # The whole sample is one group, answered or not, so an unanswered grid has its rows.
    groups = sorted(answers["group"].unique()) if by else ["All"]
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
    parts = table.groupby(keys, sort=False)[["category", "position", "n", "base"]]
    # one value per item, in the order of `out` (None where nobody answered the item)
    out["median_category"] = pd.Series(
        [_median_category(part) for _, part in parts], index=out.index, dtype=object
    )
    weighted = table.assign(w=table["n"] * table["position"]).groupby(keys, sort=False)["w"].sum()
    out["mean_position"] = weighted / base
    out = out.reset_index()
    out["_order"] = np.arange(len(out))
    sort = ([by] if by else []) + ["pct_positive", "_order"]
    out = out.sort_values(sort, ascending=[True] * bool(by) + [False, True])
    return out.drop(columns="_order").reset_index(drop=True)


def awareness_use_of(study: Study, question: str) -> dict | None:
    """The ``awareness_use`` analysis the study declares for a grid question, or None."""
    from evstudy.study import analyses_of

    declared = [a for a in analyses_of(study, "awareness_use") if a["question"] == question]
    return declared[0] if declared else None


def _awareness_points(study: Study, question: str, not_aware, used) -> tuple[str, list[str]]:
    """The scale points meaning "not aware" and "used": as passed, else as declared."""
    if not_aware is None or used is None:
        declared = awareness_use_of(study, question)
        if declared is None:
            raise ValueError(
                f"`not_aware` and `used` must be passed, or the study must declare an "
                f"awareness_use analysis for {question!r} in study.yml, but neither was"
            )
        not_aware = declared["not_aware"] if not_aware is None else not_aware
        used = declared["used"] if used is None else used
    used = [used] if isinstance(used, str) else list(used)
    scale = list(_options(study, question)["option"])
    for name, points in (("not_aware", [not_aware]), ("used", used)):
        for point in points:
            if point not in scale:
                raise ValueError(f"`{name}` must be one of {scale}, but {point!r} was passed")
    return not_aware, used


def awareness_table(study: Study, question: str) -> pd.DataFrame:
    """Awareness and use of each item of a grid question: the answer distribution per item.

    Returns
    -------
    DataFrame
        item_id, item_label, category, position (1-based), n, base, pct.
    """
    table = likert_table(study, question)
    return table[["item_id", "item_label", "category", "position", "n", "base", "pct"]]


def awareness_summary(
    study: Study,
    question: str,
    *,
    not_aware: str | None = None,
    used: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per item of an awareness grid: the share aware of it and the share using it.

    Parameters
    ----------
    study : Study
    question : str
        A grid question id.
    not_aware : str, optional
        The scale point meaning "not aware"; ``aware`` is 1 minus the share giving it.
        Default: as the study's ``awareness_use`` analysis of the question declares.
    used : str or sequence of str, optional
        The scale points meaning "used"; ``used`` is the share giving any of them.
        Default: as declared.

    Returns
    -------
    DataFrame
        item_id, item_label, base, aware, used; sorted by used, then aware, descending.
    """
    _question(study, question, ["grid"])
    not_aware, used_points = _awareness_points(study, question, not_aware, used)
    table = likert_table(study, question)
    keys = ["item_id", "item_label"]
    out = table.groupby(keys, sort=False).agg(base=("base", "first")).reset_index()
    base = out["base"].where(out["base"] > 0).to_numpy(dtype=float)
    index = pd.MultiIndex.from_frame(out[keys])
    unaware = table[table["category"] == not_aware].groupby(keys, sort=False)["n"].sum()
    using = table[table["category"].isin(used_points)].groupby(keys, sort=False)["n"].sum()
    out["aware"] = 1 - unaware.reindex(index, fill_value=0).to_numpy(dtype=float) / base
    out["used"] = using.reindex(index, fill_value=0).to_numpy(dtype=float) / base
    out["_order"] = np.arange(len(out))
    out = out.sort_values(["used", "aware", "_order"], ascending=[False, False, True])
    return out.drop(columns="_order").reset_index(drop=True)


def answered(study: Study, question: str) -> int:
    """How many respondents answered a question (any row of a grid)."""
    if question not in question_ids(study):
        raise ValueError(
            f"`question` must be one of {question_ids(study)}, but {question!r} was passed"
        )
    return int(_answers(study, question)["respondent_id"].nunique())


def free_text_codes(study: Study, question: str, *, coder: str | None = None) -> pd.DataFrame:
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
        Count one coder's codings only, or ``"primary"``'s (the coder who coded most
        documents); default every coder's.

    Returns
    -------
    DataFrame
        code_id, label, theme_id, valence, n_codings, n_respondents, base (respondents
        who answered the question), pct (n_respondents/base); sorted by n_respondents.
        ``attrs["base"]`` holds the base even when no answer has been coded.
    """
    _question(study, question, ["text"])
    docs = study.documents
    docs = docs[(docs["method"] == "survey") & docs["doc_id"].str.endswith(f"-{question}")]
    codings = study.codings[study.codings["doc_id"].isin(docs["doc_id"])]
    from evstudy.coding import _coder_filter  # the API's one coder filter (ids, "primary")

    codings = _coder_filter(study, codings, coder)
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
    out = out[cols].reset_index(drop=True)
    # The base holds when no answer is coded yet (the table is then empty).
    out.attrs["base"] = int(base)
    return out


# --- the survey page ---------------------------------------------------------------------------


def missing_input(what: str, key: str) -> str:
    """One line for a section left out: what is missing and which raw file would add it.

    Parameters
    ----------
    what : str
        What is missing, e.g. "No survey".
    key : str
        The file's key under ``files:`` in study.yml (e.g. ``"survey"``, ``"admin"``);
        the line names its default path.
    """
    from evstudy.config import DEFAULT_FILES

    path = DEFAULT_FILES.get(key, key)
    return (
        f"*{what}: `{path}` in the raw folder (or the file `files: {key}` names in "
        "study.yml) would add this section.*"
    )


def question_type(study: Study, question: str) -> str:
    """The question's type (single, multi, grid or text); "awareness" for a grid the study
    declares an ``awareness_use`` analysis of; "profile" for a choice question mapped to a
    respondent attribute (it counts people, so it is published under the suppression rule)."""
    rows = _question(study, question, ["single", "multi", "grid", "text"])
    kind = str(rows["type"].iloc[0])
    if kind == "grid" and awareness_use_of(study, question) is not None:
        return "awareness"
    attribute = rows["attribute"].iloc[0] if "attribute" in rows else None
    if kind in {"single", "multi"} and isinstance(attribute, str):
        return "profile"
    return kind


def response_text(study: Study) -> str:
    """The survey's response in one paragraph: how many responded, completed, partly."""
    status = response_status(study).set_index("status")
    total = int(status["n"].sum())
    if total == 0:
        return "Nobody has responded to the survey yet: there is nothing to report."
    complete = int(status.loc["complete", "n"])
    partial = total - complete
    text = f"{total} people responded to the survey: {complete} completed it"
    if partial:
        median = status.loc["partial", "median_answered"]
        text += f" and {partial} answered part of it (a median of {median:.0f} questions)"
    return (
        text + ". Percentages are of the respondents who answered each question, with Wilson "
        "95% intervals on the charts."
    )


def _lower(label: str) -> str:
    """A scale point mid-sentence: "A lot" -> "a lot", "Agree" -> "agree"; "NHS" stays."""
    first = label.split(" ", 1)[0]
    return label[:1].lower() + label[1:] if len(first) == 1 or first[1:].islower() else label


def _counted(share: pd.Series, base: pd.Series) -> pd.Series:
    """Shares compared for ties: rounded past float noise (14/48 from two items is a tie)."""
    return share.astype(float).round(12)


def _items(rows: pd.DataFrame) -> str:
    """Item labels in italics, joined as a list: "*A*", "*A* and *B*", "*A*, *B* and *C*"."""
    labels = [f"*{x}*" for x in rows["item_label"]]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _tied(what: str, rows: pd.DataFrame) -> str:
    """ "The most used was *A*" or, on a tie, "The most used were, tied, *A* and *B*"."""
    if len(rows) == 1:
        return f"The {what} was {_items(rows)}"
    return f"The {what}, tied, were {_items(rows)}"


def _each(rows: pd.DataFrame) -> str:
    return "each " if len(rows) > 1 else ""


def _shares(values: pd.Series) -> str:
    """One share, or each item's share in the order the items were named."""
    return " and ".join(f"{v:.0%}" for v in values) if len(values) > 1 else f"{values.iloc[0]:.0%}"


def summary_text(study: Study, question: str) -> str:
    """One paragraph on a question's answers, by its type (see :func:`question_type`)."""
    kind = question_type(study, question)
    n = answered(study, question)
    if n == 0:
        return "No respondent answered this question."
    if kind in {"single", "multi", "profile"}:
        table = choice_table(study, question)
        if kind == "profile":
            return (
                f"{n} respondents answered. These answers count people, so counts from 1 to "
                f'{thresholds(study)["suppress_max"]} are shown as "c".'
            )
        top = table[table["n"] > 0].head(3)
        # the shares' own denominator (a tick-all question's base counts those who ticked
        # nothing too), so the sentence agrees with the table it describes
        n = int(table["base"].iloc[0])
        verb = "chosen most often" if kind == "multi" else "given most often"
        first = top.iloc[0]
        tied = table[table["n"] == first["n"]]
        if len(tied) > 1:  # a tie for first is named as a tie, every tied answer in it
            return (
                f"The answers {verb}, tied, were "
                f"{_items(tied.rename(columns={'option': 'item_label'}))} "
                f"(each {first['pct']:.0%} of {n} respondents)."
            )
        then = [f"*{r.option}* ({r.pct:.0%})" for r in top.iloc[1:].itertuples()]
        text = f"The answer {verb} was *{first['option']}* ({first['pct']:.0%} of {n} respondents)"
        if then:
            text += ", then " + (" and ".join(then) if len(then) < 3 else ", ".join(then))
        return text + "."
    if kind == "awareness":
        table = awareness_summary(study, question)
        used = _counted(table["used"], table["base"])
        most, least = table[used == used.max()], table[used == used.min()]
        return (
            f"{_tied('most used', most)} ({_each(most)}{most['used'].iloc[0]:.0%} use it; "
            f"{_shares(most['aware'])} are aware of it). {_tied('least used', least)} "
            f"({_each(least)}{least['used'].iloc[0]:.0%} use it; "
            f"{_shares(least['aware'])} aware)."
        )
    if kind == "grid":
        table = likert_summary(study, question)
        scale = _options(study, question)
        positive = [_lower(str(o)) for o in scale.loc[scale["valence"] == "positive", "option"]]
        said = " or ".join(positive) or "a positive answer"
        share = _counted(table["pct_positive"], table["base"])
        most, least = table[share == share.max()], table[share == share.min()]
        verb = "drew" if len(most) == 1 else "tied for"
        text = (
            f"{_items(most)} {verb} the most answers of {said} "
            f"({_each(most)}{most['pct_positive'].iloc[0]:.0%})"
        )
        if len(table) > len(most):
            text += (
                f"; {_items(least)} the fewest ({_each(least)}{least['pct_positive'].iloc[0]:.0%})"
            )
        return text + "."
    codes = free_text_codes(study, question)
    if codes.empty:
        return (
            f"{n} respondents answered. None of their answers is coded yet: code the "
            f"documents SVY-<respondent>-{question} in a coding sheet to see their themes here."
        )
    return (
        f"{n} respondents answered; these are the codes their answers received (counts of "
        "respondents for the whole sample, published in full like every whole-sample answer)."
    )


def question_table(study: Study, question: str) -> pd.DataFrame:
    """A question's answers as a table for the page, labelled, by its type.

    Choice questions give every option with its share and Wilson interval; profile
    questions their counts of people under the suppression rule; Likert grids
    :func:`likert_summary`; awareness grids :func:`awareness_summary`; text questions
    the codes their answers received. ``attrs["percent"]`` names the columns holding
    proportions.

    Returns
    -------
    DataFrame
        Columns already labelled for display.
    """
    kind = question_type(study, question)
    if kind == "profile":
        table = choice_table(study, question)
        order = [*_options(study, question)["option"], OTHER]
        counts = table.set_index("option")[["n"]]
        counts = counts.reindex([o for o in order if o in counts.index])
        cells, _ = profile_keys(study, question, counts)
        hidden = published_table(study, counts, cells).eq(MARKER).loc[counts.index, "n"]
        n = counts["n"].astype(object).mask(hidden.to_numpy(), "c")
        share = (counts["n"] / max(int(counts["n"].sum()), 1)).astype(object)
        out = pd.DataFrame(
            {"Answer": counts.index, "Respondents": n.to_numpy(), "Share": share.to_numpy()}
        )
        out["Share"] = out["Share"].mask(hidden.to_numpy(), "c")
        percent = ["Share"]
    elif kind in {"single", "multi"}:
        table = choice_table(study, question)
        out = table[["option", "n", "base", "pct", "ci_low", "ci_high"]].set_axis(
            ["Answer", "Respondents", "Base", "Share", "95% CI low", "95% CI high"], axis=1
        )
        percent = ["Share", "95% CI low", "95% CI high"]
    elif kind == "awareness":
        table = awareness_summary(study, question)
        out = table[["item_label", "base", "aware", "used"]].set_axis(
            ["Item", "Base", "Aware", "Use it"], axis=1
        )
        percent = ["Aware", "Use it"]
    elif kind == "grid":
        table = likert_summary(study, question)
        columns = ["item_label", "base", "pct_positive", "pct_neutral", "pct_negative"]
        out = table[[*columns, "median_category", "mean_position"]].set_axis(
            ["Item", "Base", "Positive", "Neutral", "Negative", "Median answer", "Mean"], axis=1
        )
        percent = ["Positive", "Neutral", "Negative"]
    else:
        table = free_text_codes(study, question)
        out = table.head(10)[["label", "valence", "n_respondents", "pct"]].set_axis(
            ["Code", "Barrier or enabler", "Respondents", "Share"], axis=1
        )
        percent = ["Share"]
    out = out.reset_index(drop=True)
    out.attrs["percent"] = percent
    return out


def _group_notes(study: Study, question: str, names: list[str]) -> list[str]:
    """What the by-group charts of a grid left out or folded, so no group goes unmentioned."""
    from evstudy.subgroups import group_likert_table, group_sets

    if len(names) < 2:
        return []
    notes: list[str] = []
    for groups in group_sets(study):
        notes += group_likert_table(study, question, groups=groups)[1]
    return list(dict.fromkeys(notes))


def question_blocks(study: Study, charts: Mapping[str, tuple]) -> list:
    """The survey page's section for each question, in questionnaire order.

    Each is the question's text as a heading, :func:`summary_text`, its standard charts
    (from :func:`evstudy.charts.standard.survey_charts`, with a note for one the
    minimum-base rule left out) and :func:`question_table`. None when nobody responded.

    Parameters
    ----------
    study : Study
    charts : mapping
        What ``survey_charts(study)`` returned.
    """
    from IPython.display import Markdown

    from evstudy.charts.standard import chart_names
    from evstudy.report import show_chart, table

    if study.survey_respondents.empty:
        return []
    texts = study.survey_questions.drop_duplicates("question_id").set_index("question_id")
    blocks: list = []
    for question, names in chart_names(study).items():
        heading = texts.at[question, "question_text"]
        blocks.append(Markdown(f"### {heading}\n\n" + summary_text(study, question)))
        if answered(study, question):
            blocks += [show_chart(charts, name) for name in names]
            blocks += [Markdown(f"*{note}*") for note in _group_notes(study, question, names)]
            shown = question_table(study, question)
            blocks.append(table(shown, percent=shown.attrs["percent"]))
    return blocks
