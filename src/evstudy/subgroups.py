"""Comparing subgroups of survey respondents, honestly: exact tests, effect sizes, cautions.

With about fifty respondents most subgroups are small, so every comparison
carries its bases, an effect size next to the p-value, a plain-language caution
when a group has fewer than 30 respondents, and the disclosure rules: groups
under the minimum base are folded into "Other" or the comparison is not shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import association
from statsmodels.stats.proportion import proportion_effectsize

from evstudy.disclosure import OTHER, apply_min_base, identifies_sites, thresholds
from evstudy.filters import resolve_one
from evstudy.survey import _answers, _lower, _options, _question, likert_table, respondent_groups

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = [
    "compare_declared",
    "compare_groups",
    "comparison_blocks",
    "comparison_subject",
    "group_likert_table",
    "group_sets",
    "small_group_caution",
]

COLUMNS = [
    "group",
    "n",
    "base",
    "pct",
    "mean_position",
    "test",
    "statistic",
    "p_value",
    "effect_size",
    "effect_measure",
    "warning",
    "caution",
    "shown",
    "note",
]
SMALL = 30  # bases under this get a plain-language caution


def small_group_caution(bases: Sequence[int]) -> str | None:
    """A plain-language caution when any group has fewer than 30 respondents."""
    bases = [int(b) for b in bases]
    if not bases or min(bases) >= SMALL:
        return None
    listed = ", ".join(str(b) for b in bases[:-1]) + f" and {bases[-1]}"
    return f"Small groups (n = {listed}): treat this difference as indicative only."


GROUP_FILTERS = {"role_group": "role_group", "site_id": "site"}  # by -> what its values name


def _resolved(study: Study, by: str, groups: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """``groups`` with each member a list, role groups and sites named by id or name
    resolved to their ids (as every filter of the API takes them)."""
    param = GROUP_FILTERS.get(by)
    out = {}
    for label, members in groups.items():
        members = [members] if isinstance(members, str) else list(members)
        if param is not None:
            members = [resolve_one(study, param, m, label="groups") for m in members]
        out[label] = members
    return out


def _labels(study: Study, by: str, groups: Mapping[str, Sequence[str]] | None) -> pd.Series:
    values = respondent_groups(study, by)
    if groups is None:
        return values.dropna().astype(str)
    if not isinstance(groups, Mapping) or isinstance(groups, str):
        raise ValueError(
            f"`groups` must be a mapping of label to values, but {groups!r} was passed"
        )
    lookup = {}
    for label, members in _resolved(study, by, groups).items():
        for value in members:
            if value in lookup:
                raise ValueError(f"`groups` puts {value!r} in two groups")
            lookup[value] = label
    return values.map(lookup).dropna()


def _responses(study: Study, question: str, item: str | None, option: str | None) -> pd.DataFrame:
    """One row per respondent who answered: chose (or positive) and, for grids, position."""
    kind = _question(study, question, ["single", "multi", "grid"])["type"].iloc[0]
    answers = _answers(study, question)
    if kind == "grid":
        items = list(_question(study, question, ["grid"])["item_id"])
        if item not in items:
            raise ValueError(f"`item` must be one of {items}, but {item!r} was passed")
        scale = _options(study, question)
        answers = answers[answers["item_id"] == item]
        positive = set(scale.loc[scale["valence"] == "positive", "option"])
        position = answers["value"].map(scale.set_index("option")["position"] + 1)
        return pd.DataFrame(
            {
                "respondent_id": answers["respondent_id"].to_numpy(),
                "hit": answers["value"].isin(positive).to_numpy(),
                "position": position.to_numpy(dtype=float),
                "category": answers["value"].to_numpy(),
            }
        ).drop_duplicates("respondent_id")
    options = [*_options(study, question)["option"], OTHER]
    if option not in options:
        raise ValueError(f"`option` must be one of {options}, but {option!r} was passed")
    hit = answers.assign(hit=answers["value"] == option).groupby("respondent_id")["hit"].any()
    return hit.reset_index().assign(position=np.nan, category=None)


def _fold(base: pd.Series, min_base: int, order: list[str]) -> tuple[dict, list[str]]:
    """Map each label to its published group; small ones to Other, or to None (left out)."""
    small = [g for g in order if base.get(g, 0) < min_base]
    notes = []
    mapping = {g: g for g in order if g not in small}
    if small:
        named = ", ".join(str(g) for g in small)  # never their bases: they may be "c" elsewhere
        if sum(base.get(g, 0) for g in small) >= min_base and len(small) > 1:
            mapping.update({g: OTHER for g in small})
            notes.append(
                f"Folded into {OTHER}: {named}, each below the minimum base of {min_base}."
            )
        else:
            notes.append(f"Left out: {named}, below the minimum base of {min_base}.")
    return mapping, notes


def _proportion_tests(table: np.ndarray) -> dict:
    """Fisher's exact test (2 groups) or chi-square (more) on groups x (yes, no)."""
    if len(table) == 2:
        odds, p = stats.fisher_exact(table)
        rates = table[:, 0] / table.sum(axis=1)
        return {
            "test": "Fisher's exact test",
            "statistic": odds,
            "p_value": p,
            "effect_size": proportion_effectsize(rates[0], rates[1]),
            "effect_measure": "Cohen's h",
            "warning": None,
        }
    if (table.sum(axis=0) == 0).any():
        return {
            "test": "chi-square test",
            "statistic": np.nan,
            "p_value": np.nan,
            "effect_size": np.nan,
            "effect_measure": "Cramér's V",
            "warning": "Every respondent gave the same answer: there is nothing to test.",
        }
    chi2, p, _, expected = stats.chi2_contingency(table)
    low = int((expected < 5).sum())
    return {
        "test": "chi-square test",
        "statistic": chi2,
        "p_value": p,
        "effect_size": association(table, method="cramer"),
        "effect_measure": "Cramér's V",
        "warning": (
            f"{low} of {expected.size} expected counts are below 5: "
            "the chi-square p-value is approximate and may be unreliable."
            if low
            else None
        ),
    }


def _rank_tests(samples: list[np.ndarray]) -> dict:
    """Mann-Whitney U with rank-biserial r (2 groups) or Kruskal-Wallis with epsilon squared."""
    if len(samples) == 2:
        x, y = samples
        u, p = stats.mannwhitneyu(x, y, alternative="two-sided")
        return {
            "test": "Mann-Whitney U test",
            "statistic": u,
            "p_value": p,
            # Positive when the first group answers higher up the scale.
            "effect_size": 2 * u / (len(x) * len(y)) - 1,
            "effect_measure": "rank-biserial r",
            "warning": None,
        }
    h, p = stats.kruskal(*samples)
    n = sum(len(s) for s in samples)
    return {
        "test": "Kruskal-Wallis test",
        "statistic": h,
        "p_value": p,
        "effect_size": h / (n - 1),
        "effect_measure": "epsilon squared",
        "warning": None,
    }


def compare_groups(
    study: Study,
    question: str,
    *,
    item: str | None = None,
    option: str | None = None,
    by: str = "role_group",
    groups: Mapping[str, Sequence[str]] | None = None,
    min_base: int | None = None,
) -> pd.DataFrame:
    """Compare subgroups of respondents on one option or one grid item.

    For a single or multiple-choice ``option`` the table is groups x (chose, did
    not choose); for a grid ``item`` it is groups x (positive, not positive), plus
    the whole answer scale compared with a rank test. Two groups get Fisher's
    exact test (odds ratio, Cohen's h); more get chi-square (Cramér's V, with a
    warning when an expected count is under 5). Grid items also get Mann-Whitney
    U (rank-biserial r) for two groups, Kruskal-Wallis for more.

    Parameters
    ----------
    study : Study
    question : str
        A single, multi or grid question id.
    item : str, optional
        The grid row (grid questions).
    option : str, optional
        The option (single and multi questions; "Other" allowed).
    by : str
        The respondent attribute that defines the groups.
    groups : mapping, optional
        ``{label: [values of by]}`` to combine values, e.g. partner agencies
        against all local-authority staff. Respondents in no group are left out. Role
        groups (``by="role_group"``) and sites (``by="site_id"``) may be named by id or
        name; one the study does not have is a ValueError naming the closest.
    min_base : int, optional
        Smallest base shown (default: the study's ``min_subgroup_base``). Smaller
        groups are folded into "Other", or left out when "Other" is still smaller.

    Returns
    -------
    DataFrame
        One row per group and test: group, n (chose / positive), base, pct,
        mean_position (grid items, 1-based), test, statistic, p_value, effect_size,
        effect_measure, warning, caution, shown, note. When the comparison cannot
        be shown (fewer than two groups left, or a breakdown by site with a count
        of 1 to ``suppress_max``), its numbers are blank, shown is False and note
        says why.
    """
    limits = thresholds(study)
    min_base = limits["min_subgroup_base"] if min_base is None else min_base
    labels = _labels(study, by, groups)
    data = _responses(study, question, item, option)
    data = data.assign(label=data["respondent_id"].map(labels)).dropna(subset=["label"])
    base = data.groupby("label").size()
    if groups is not None:
        order = [g for g in groups if g in base.index]
    else:
        order = sorted(base.index, key=lambda g: (-base[g], g))
    mapping, notes = _fold(base, min_base, order)
    data = data.assign(group=data["label"].map(mapping)).dropna(subset=["group"])
    shown_order = list(dict.fromkeys(mapping[g] for g in order if g in mapping))

    summary = (
        data.groupby("group")
        .agg(n=("hit", "sum"), base=("hit", "size"), mean_position=("position", "mean"))
        .reindex(shown_order)
    )
    summary["n"] = summary["n"].astype("int64")
    summary["pct"] = summary["n"] / summary["base"]
    summary = summary.reset_index()

    reason = None
    if len(shown_order) < 2:
        reason = f"Not shown: fewer than two groups have a base of at least {min_base}."
    elif identifies_sites(study, by):
        k = limits["suppress_max"]
        cells = [summary["n"], summary["base"] - summary["n"]]
        if item is not None:
            cells.append(data.groupby(["group", "category"]).size())
        if any(pd.Series(c).between(1, k).any() for c in cells):
            reason = f"Not shown: a breakdown by site would show counts of 1 to {k} respondents."
    if reason is not None:
        blank = pd.DataFrame({"group": shown_order or order, "shown": False})
        blank["note"] = " ".join([*notes, reason])
        return blank.reindex(columns=COLUMNS)

    table = np.column_stack([summary["n"], summary["base"] - summary["n"]])
    results = [_proportion_tests(table)]
    if item is not None:
        samples = [data.loc[data["group"] == g, "position"].to_numpy() for g in shown_order]
        results.append(_rank_tests(samples))
    else:
        summary["mean_position"] = np.nan
    caution = small_group_caution(summary["base"])
    rows = [summary.assign(**result) for result in results]
    out = pd.concat(rows, ignore_index=True)
    out["caution"] = caution
    out["shown"] = True
    out["note"] = " ".join(notes) or None
    return out[COLUMNS]


# --- declared comparisons ------------------------------------------------------------------------


def group_sets(study: Study) -> list[dict[str, list[str]]]:
    """The distinct sets of groups the study's ``group_comparison`` analyses compare.

    Each is ``{group label: [role-group ids]}`` as study.yml declares it, in declared
    order; two analyses that compare the same groups give one set.
    """
    from evstudy.study import analyses_of

    sets: list[dict[str, list[str]]] = []
    for analysis in analyses_of(study, "group_comparison"):
        groups = {str(k): list(v) for k, v in analysis["groups"].items()}
        if groups not in sets:
            sets.append(groups)
    return sets


def compare_declared(study: Study, analysis: Mapping) -> pd.DataFrame:
    """Run a declared ``group_comparison``: its question, item (or option) and groups.

    For a grid question ``item`` is the row compared; for a single or multiple choice
    question it is the option (a single-choice question may leave it out only when the
    comparison is of the whole scale, which :func:`compare_groups` does not do, so an
    option is required there too).

    Returns
    -------
    DataFrame
        As :func:`compare_groups`.
    """
    question, item = analysis["question"], analysis.get("item")
    kind = _question(study, question, ["single", "multi", "grid"])["type"].iloc[0]
    groups = {str(k): list(v) for k, v in analysis["groups"].items()}
    if kind == "grid":
        return compare_groups(study, question, item=item, groups=groups)
    return compare_groups(study, question, option=item, groups=groups)


def comparison_subject(study: Study, analysis: Mapping) -> str:
    """The start of a sentence on a declared comparison, ending before the shares.

    For a grid item: "*Item label*: Agree or strongly agree for" (the item's positive
    scale points); for an option: "*Option* was chosen by".
    """
    question, item = analysis["question"], analysis.get("item")
    rows = _question(study, question, ["single", "multi", "grid"])
    if rows["type"].iloc[0] == "grid":
        label = rows.loc[rows["item_id"] == item, "item_label"]
        scale = _options(study, question)
        positive = [str(c) for c in scale.loc[scale["valence"] == "positive", "option"]]
        said = " or ".join(_lower(p) for p in positive) or "a positive answer"
        name = label.iloc[0] if len(label) else item
        return f"*{name}*: {said} for"
    return f"*{item}* was chosen by"


def group_likert_table(
    study: Study,
    question: str,
    *,
    groups: Mapping[str, Sequence[str]],
    by: str = "role_group",
) -> tuple[pd.DataFrame, list[str]]:
    """A Likert table by groups of role groups (or of another attribute), min base applied.

    Parameters
    ----------
    study : Study
    question : str
        A grid question id.
    groups : mapping
        ``{group label: [values of by]}``, e.g. a declared ``group_comparison``'s groups.
    by : str, default "role_group"
        The respondent attribute the groups are made of.

    Returns
    -------
    (DataFrame, list of str)
        The publishable table with a ``group`` column (groups in the order given), and
        notes: what the minimum-base rule folded or left out, and which values of ``by``
        that respondents gave belong to no group, so none is dropped silently.
    """
    _labels(study, by, groups)  # checks `by` and that no value is in two groups
    groups = _resolved(study, by, groups)
    table = likert_table(study, question, by=by)
    order = list(groups)
    table = table.assign(group=table[by].map(dict(_member_lookup(groups))))
    outside = sorted({str(v) for v in table.loc[table["group"].isna(), by].dropna()})
    table = table.dropna(subset=["group"])
    keys = ["group", "item_id", "item_label", "category", "position", "valence"]
    summed = table.groupby(keys, sort=False, observed=True, as_index=False)[["n"]].sum()
    # Each member's base is the same for every category of an item, so bases add up.
    bases = (
        table.drop_duplicates([by, "item_id"])
        .groupby(["group", "item_id"], as_index=False)["base"]
        .sum()
    )
    summed = summed.merge(bases, on=["group", "item_id"])
    summed["pct"] = summed["n"] / summed["base"].where(summed["base"] > 0)
    summed["group"] = pd.Categorical(summed["group"], categories=order)
    summed = summed.sort_values("group", kind="stable").reset_index(drop=True)
    summed["group"] = summed["group"].astype(object)
    min_base = thresholds(study)["min_subgroup_base"]
    shown, notes = apply_min_base(summed, by="group", min_base=min_base)
    if outside:
        labels = study.role_group_labels if by == "role_group" else {}
        names = [labels.get(v, v) for v in outside]
        notes = [*notes, f"Respondents in no compared group are left out: {', '.join(names)}."]
    return shown, notes


def _member_lookup(groups: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    return [
        (value, str(label))
        for label, members in groups.items()
        for value in ([members] if isinstance(members, str) else members)
    ]


def comparison_blocks(study: Study) -> list:
    """The survey page's section for each declared ``group_comparison``.

    Each is a heading (the analysis's title), a paragraph on the comparison and its
    table; with none declared, one line saying how to declare one. None when nobody
    responded to the survey.
    """
    from IPython.display import Markdown

    from evstudy.report import comparison_text, table
    from evstudy.study import analyses_of

    if study.survey_respondents.empty:
        return []
    comparisons = analyses_of(study, "group_comparison")
    if not comparisons:
        return [
            Markdown(
                "### Comparing groups\n\n*No group comparison is declared: a `group_comparison` "
                "under `analyses:` in study.yml (a question, its item and the groups of role "
                "groups to compare) would add this section.*"
            )
        ]
    blocks: list = []
    for analysis in comparisons:
        result = compare_declared(study, analysis)
        title = analysis["title"] or "Comparing " + " and ".join(analysis["groups"]).lower()
        subject = comparison_subject(study, analysis)
        blocks.append(Markdown(f"### {title}\n\n" + comparison_text(result, subject=subject)))
        shown = result.drop(columns=["shown", "warning", "caution", "note"])
        blocks.append(table(shown, percent=["pct"], digits=3))
    return blocks
