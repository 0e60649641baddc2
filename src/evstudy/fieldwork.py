"""Fieldwork against the protocol's targets: what is done, by site, method and role group.

The fieldwork dashboard (``notebooks/fieldwork.ipynb``) is for the research team, not the
sponsor: it counts people without small-count suppression, so nothing here is published.
Targets come from ``study.yml`` (``targets:``), which ingest records in the Study's
ingest report; reminder dates come from ``fieldwork: survey_reminders``. Everything else
is counted from the Study's tables: the register (``participants``), the transcripts
(``documents`` and ``turns``) and the survey export (``survey_respondents``).

A participant *took part* in a method when they speak in a transcript of that method; they
are *registered* for it when the register lists it. Withdrawn people are not in the tables
at all: only their number is known, from the ingest report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from evstudy.config import DEFAULT_TARGETS
from evstudy.study import Study

__all__ = [
    "MEASURES",
    "METHODS",
    "achieved",
    "behind_target",
    "behind_text",
    "consent_status",
    "fieldwork_progress",
    "fieldwork_timeline",
    "participation",
    "site_progress",
    "study_targets",
    "survey_reminders",
    "survey_uptake",
    "uptake_text",
]

METHODS = {
    "interview": "One-to-one interview",
    "focus_group": "Focus group",
    "expert_interview": "Expert interview",
}
MEASURES = {
    "sites": "Sites",  # named as the study names a site (study.yml `site_noun`)
    "interviews": "One-to-one interviews",
    "expert_interviews": "Expert interviews",
    "focus_groups": "Focus groups",
    "focus_group_participants": "Focus-group participants",
    "survey_responses": "Survey responses",
}
ALL_RESPONSES = "All responses"
BY_COLUMNS = ("site_id", "method", "role_group")


def _measures(study: Study) -> dict[str, str]:
    """:data:`MEASURES`, with the sites called what the study calls them."""
    from evstudy.casestudy import sites_noun

    noun = sites_noun(study)
    return {**MEASURES, "sites": noun[:1].upper() + noun[1:]}


def study_targets(study: Study, *, targets: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The protocol's targets: ``study.yml`` (via ingest), then ``targets``; None where unset.

    Parameters
    ----------
    study : Study
    targets : mapping, optional
        Overrides, e.g. ``{"interviews": 60}``.

    Returns
    -------
    dict
        ``sites_min, sites_max, interviews, expert_interviews, focus_groups,
        focus_group_size, survey_responses``.
    """
    for key in targets or {}:
        if key not in DEFAULT_TARGETS:
            raise ValueError(
                f"`targets` keys must be one of {sorted(DEFAULT_TARGETS)}, but {key!r} was passed"
            )
    return {**DEFAULT_TARGETS, **study.ingest_report.get("targets", {}), **(targets or {})}


def _target(value: Any) -> float:
    """A target as a number; NaN when study.yml sets none."""
    return np.nan if value is None else float(value)


def survey_reminders(study: Study) -> list[pd.Timestamp]:
    """The days survey reminders went out (``fieldwork: survey_reminders`` in study.yml)."""
    days = study.ingest_report.get("fieldwork", {}).get("survey_reminders", [])
    return sorted(pd.Timestamp(day).normalize() for day in days)


# --- who took part ---------------------------------------------------------------------------


def participation(study: Study) -> pd.DataFrame:
    """One row per participant and method they are registered for or took part in.

    Parameters
    ----------
    study : Study

    Returns
    -------
    pandas.DataFrame
        ``participant_id, site_id, role_group, method, registered`` (the register lists the
        method), ``took_part`` (they speak in a transcript of that method) and ``consented``
        (the register has a consent date). Researchers only: it holds pseudonyms.
    """
    people = study.participants
    registered = (
        people.assign(method=people["methods"].fillna("").str.split(";"))
        .explode("method")
        .assign(method=lambda f: f["method"].str.strip())
        .loc[lambda f: f["method"].isin(METHODS), ["participant_id", "method"]]
        .drop_duplicates()
        .assign(registered=True)
    )
    spoke = (
        study.turns.dropna(subset=["participant_id"])
        .merge(study.documents[["doc_id", "method"]], on="doc_id")
        .loc[lambda f: f["method"].isin(METHODS), ["participant_id", "method"]]
        .drop_duplicates()
        .assign(took_part=True)
    )
    table = registered.merge(spoke, on=["participant_id", "method"], how="outer")
    table = table.fillna({"registered": False, "took_part": False}).astype(
        {"registered": bool, "took_part": bool}
    )
    table = people[["participant_id", "site_id", "role_group", "consent_date"]].merge(
        table, on="participant_id"
    )
    table["consented"] = table.pop("consent_date").notna()
    order = pd.Categorical(table["method"], categories=list(METHODS), ordered=True)
    table = table.assign(_m=order).sort_values(["participant_id", "_m"]).drop(columns="_m")
    columns = ["participant_id", "site_id", "role_group", "method", "registered", "took_part"]
    return table[[*columns, "consented"]].reset_index(drop=True)


def achieved(study: Study, *, by: Iterable[str] = BY_COLUMNS) -> pd.DataFrame:
    """People registered for and taking part in each method, by site, method and role group.

    Parameters
    ----------
    study : Study
    by : iterable of {"site_id", "method", "role_group"}
        The breakdown; expert interviewees have no site (``site_id`` missing).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns (method and role group in display order), ``registered`` and
        ``took_part``: counts of people, not suppressed.
    """
    by = list(by)
    for column in by:
        if column not in BY_COLUMNS:
            raise ValueError(f"`by` must be one of {list(BY_COLUMNS)}, but {column!r} was passed")
    if not by:
        raise ValueError("`by` must name at least one column")
    table = participation(study).astype(
        {
            "method": pd.CategoricalDtype(list(METHODS), ordered=True),
            "role_group": pd.CategoricalDtype(list(study.role_group_labels) or None),
        }
    )
    # One row per person within each group first, so someone in two methods counts once.
    people = table.groupby([*by, "participant_id"], dropna=False, observed=True)[
        ["registered", "took_part"]
    ].any()
    counts = people.groupby(by, dropna=False, observed=True, sort=True).sum()
    return counts.reset_index().astype({"registered": "int64", "took_part": "int64"})


# --- against the targets -----------------------------------------------------------------------


def _documents(study: Study, method: str) -> pd.DataFrame:
    return study.documents[study.documents["method"] == method]


def _focus_group_people(study: Study) -> pd.Series:
    """Focus-group participants who took part, per site."""
    table = participation(study)
    table = table[table["took_part"] & (table["method"] == "focus_group")]
    return table.groupby("site_id")["participant_id"].nunique()


def fieldwork_progress(study: Study, *, targets: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Each of the protocol's targets against what has been achieved.

    Parameters
    ----------
    study : Study
    targets : mapping, optional
        Overrides of the study's targets (see :func:`study_targets`).

    Returns
    -------
    pandas.DataFrame
        One row per measure (:data:`MEASURES`): ``measure, label, target, achieved,
        remaining`` (what is still to do, never negative), ``pct`` (achieved / target),
        ``behind`` (achieved < target) and ``note``. The site target is the protocol's
        minimum; focus-group participants' is focus groups x group size; interviews count
        transcripts, so a withdrawn interviewee's interview no longer counts.
    """
    t = {k: _target(v) for k, v in study_targets(study, targets=targets).items()}
    respondents = study.survey_respondents
    complete = int((respondents.get("status", pd.Series(dtype=object)) == "complete").sum())
    n_sites = len(study.sites)
    low, high = t["sites_min"], t["sites_max"]
    sites_note = (
        f"the protocol asks for {low:g}-{high:g}"
        if pd.notna(low) and pd.notna(high)
        else f"the protocol asks for at least {low:g}"
        if pd.notna(low)
        else ""
    )
    size = t["focus_group_size"]
    rows = [
        ("sites", low, n_sites, sites_note),
        ("interviews", t["interviews"], len(_documents(study, "interview")), ""),
        (
            "expert_interviews",
            t["expert_interviews"],
            len(_documents(study, "expert_interview")),
            "",
        ),
        ("focus_groups", t["focus_groups"], len(_documents(study, "focus_group")), "one per site"),
        (
            "focus_group_participants",
            t["focus_groups"] * size,
            int(_focus_group_people(study).sum()),
            f"up to {size:g} per group" if pd.notna(size) else "",
        ),
        ("survey_responses", t["survey_responses"], len(respondents), f"{complete} complete"),
    ]
    table = pd.DataFrame(rows, columns=["measure", "target", "achieved", "note"])
    table.insert(1, "label", table["measure"].map(_measures(study)))
    table["target"] = table["target"].astype(float)
    if table["target"].notna().all():  # whole numbers stay whole numbers
        table["target"] = table["target"].astype("int64")
    table["remaining"] = (table["target"] - table["achieved"]).clip(lower=0)
    table["pct"] = table["achieved"] / table["target"].replace(0, np.nan)
    table["behind"] = (table["achieved"] < table["target"]).astype(bool)
    unset = table["target"].isna()
    table.loc[unset, "note"] = [
        f"{note}; no target in study.yml" if note else "no target in study.yml"
        for note in table.loc[unset, "note"]
    ]
    if pd.notna(high) and n_sites > high:
        table.loc[0, "note"] += f"; {n_sites} is more than {high:g}"
    return table[["measure", "label", "target", "achieved", "remaining", "pct", "behind", "note"]]


def site_progress(study: Study, *, targets: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Fieldwork per site against each site's share of the targets.

    A site's targets: an equal share of the interviews (interviews / number of sites), one
    focus group, and focus-group size participants. Survey responses by the site
    respondents named have no per-site target.

    Parameters
    ----------
    study : Study
    targets : mapping, optional
        Overrides of the study's targets (see :func:`study_targets`).

    Returns
    -------
    pandas.DataFrame
        One row per measure and site, in site order: ``measure, label, site_id, site_name,
        target`` (NaN where there is none), ``achieved, remaining, behind``.
    """
    t = {k: _target(v) for k, v in study_targets(study, targets=targets).items()}
    sites = study.sites[["site_id", "site_name"]].set_index("site_id")
    per_site = {
        "interviews": t["interviews"] / max(len(sites), 1),
        "focus_groups": 1 if pd.notna(t["focus_groups"]) else np.nan,
        "focus_group_participants": t["focus_group_size"],
        "survey_responses": np.nan,
    }
    counts = sites.assign(
        interviews=_documents(study, "interview").groupby("site_id").size(),
        focus_groups=_documents(study, "focus_group").groupby("site_id").size(),
        focus_group_participants=_focus_group_people(study),
        survey_responses=study.survey_respondents.groupby("site_id").size(),
    ).fillna({m: 0 for m in per_site})
    table = counts.reset_index().melt(
        id_vars=["site_id", "site_name"], var_name="measure", value_name="achieved"
    )
    table["achieved"] = table["achieved"].astype("int64")
    table["label"] = table["measure"].map(_measures(study))
    table["target"] = table["measure"].map(per_site).astype(float)
    table["remaining"] = (table["target"] - table["achieved"]).clip(lower=0)
    table["behind"] = table["achieved"] < table["target"]  # False where there is no target
    columns = ["measure", "label", "site_id", "site_name", "target", "achieved", "remaining"]
    return table[[*columns, "behind"]]


def behind_target(study: Study, *, targets: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """What is behind target and where: overall first, then by site, largest gap first.

    Returns
    -------
    pandas.DataFrame
        ``where`` ("All sites" or the site's name), ``site_id, measure, label, target,
        achieved, remaining``; no rows when everything is on target.
    """
    overall = fieldwork_progress(study, targets=targets)
    overall = overall[overall["behind"]].assign(where="All sites", site_id=None)
    sites = site_progress(study, targets=targets)
    sites = sites[sites["behind"]]
    sites = sites.assign(where=sites["site_name"])
    order = sites["measure"].map({m: i for i, m in enumerate(MEASURES)})
    sites = sites.assign(_order=order).sort_values(
        ["_order", "remaining"], ascending=[True, False], kind="stable"
    )
    columns = ["where", "site_id", "measure", "label", "target", "achieved", "remaining"]
    return pd.concat([overall[columns], sites[columns]], ignore_index=True)


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def behind_text(study: Study, *, targets: Mapping[str, Any] | None = None) -> str:
    """:func:`behind_target` as Markdown: one bullet per measure, naming the sites behind."""
    gaps = behind_target(study, targets=targets)
    if all(v is None for v in study_targets(study, targets=targets).values()):
        return "study.yml sets no fieldwork targets (`targets:`), so nothing is behind."
    if gaps.empty:
        return "Every fieldwork target has been met."
    lines = []
    overall = gaps[gaps["where"] == "All sites"]
    for row in overall.itertuples():
        lines.append(
            f"- **{row.label}**: {_number(row.achieved)} of {_number(row.target)}, "
            f"{_number(row.remaining)} to go."
        )
    by_site = gaps[gaps["where"] != "All sites"]
    for label, rows in by_site.groupby("label", sort=False):
        places = ", ".join(
            f"{r.where} ({r.site_id}) {_number(r.achieved)} of {_number(r.target)}"
            for r in rows.itertuples()
        )
        lines.append(f"- {label} behind at {len(rows)} site{'s' * (len(rows) != 1)}: {places}.")
    return "\n".join(lines)


# --- consent -------------------------------------------------------------------------------------


def consent_status(study: Study) -> pd.DataFrame:
    """People in the register by consent status.

    Returns
    -------
    pandas.DataFrame
        ``status`` ("consented", "awaiting consent", "withdrawn"), ``n``, ``pct`` and
        ``took_part`` (of them, people who speak in a transcript; unknown for the withdrawn,
        whose turns were removed at ingest). Not suppressed: for the research team only.
    """
    people = study.participants
    spoke = set(study.turns["participant_id"].dropna())
    consented = people["consent_date"].notna()
    took_part = people["participant_id"].isin(spoke)
    withdrawn = int(study.ingest_report.get("withdrawn", {}).get("participants", 0))
    table = pd.DataFrame(
        {
            "status": ["consented", "awaiting consent", "withdrawn"],
            "n": [int(consented.sum()), int((~consented).sum()), withdrawn],
            "took_part": pd.array(
                [int((consented & took_part).sum()), int((~consented & took_part).sum()), None],
                dtype="Int64",
            ),
        }
    )
    table.insert(2, "pct", table["n"] / max(int(table["n"].sum()), 1))
    return table


# --- over time -----------------------------------------------------------------------------------


def survey_uptake(
    study: Study,
    *,
    by: str | None = "channel",
    reminders: Iterable[Any] | None = None,
) -> pd.DataFrame:
    """Survey responses by the day they were started, cumulative, with reminder days marked.

    Parameters
    ----------
    study : Study
    by : str, optional
        A column of ``survey_respondents`` to split by. The default, ``"channel"`` (how the
        respondent reached the survey), falls back to all responses together when the
        table has no such column; None never splits.
    reminders : iterable of dates, optional
        The days reminders went out; default the study's (:func:`survey_reminders`).

    Returns
    -------
    pandas.DataFrame
        One row per day (every day from the first response or reminder to the last) and
        group: ``date, group, n`` (responses started that day), ``cumulative`` and
        ``reminder`` (a reminder went out that day).
    """
    respondents = study.survey_respondents
    if by is not None and by not in respondents.columns and by != "channel":
        raise ValueError(
            f"`by` must be one of {['channel', None, *respondents.columns]}, but {by!r} was passed"
        )
    group = (
        respondents[by].fillna("Unknown").astype(str)
        if by in respondents.columns
        else pd.Series(ALL_RESPONSES, index=respondents.index)
    )
    days = pd.to_datetime(respondents["started"]).dt.normalize()
    marked = (
        sorted(pd.Timestamp(d).normalize() for d in reminders)
        if reminders is not None
        else survey_reminders(study)
    )
    columns = ["date", "group", "n", "cumulative", "reminder"]
    known = pd.concat([days.dropna(), pd.Series(marked, dtype="datetime64[ns]")])
    if known.empty:
        return pd.DataFrame(columns=columns)
    calendar = pd.date_range(known.min(), known.max(), freq="D", name="date")
    counts = pd.crosstab(days, group).reindex(calendar, fill_value=0)
    table = counts.rename_axis(columns="group").stack().rename("n").reset_index()
    table = table.sort_values(["group", "date"], kind="stable").reset_index(drop=True)
    table["cumulative"] = table.groupby("group")["n"].cumsum()
    table["reminder"] = table["date"].isin(marked)
    return table[columns].astype({"n": "int64", "cumulative": "int64"})


def _day(value: Any) -> str:
    day = pd.Timestamp(value)
    return f"{day.day} {day:%b %Y}"


def _week_from(uptake: pd.DataFrame, day: Any) -> int:
    """Responses in :func:`survey_uptake`'s table from ``day`` to six days after it."""
    week = uptake["date"].between(day, pd.Timestamp(day) + pd.Timedelta(days=6))
    return int(uptake.loc[week, "n"].sum())


def uptake_text(study: Study, *, targets: Mapping[str, Any] | None = None) -> str:
    """One paragraph on survey uptake: responses against target and after each reminder.

    A study with no survey gets one line saying which file would add it.
    """
    if study.survey_questions.empty:
        from evstudy.survey import missing_input

        return missing_input("No survey", "question_map")
    uptake = survey_uptake(study)
    target = study_targets(study, targets=targets)["survey_responses"]
    days = pd.to_datetime(study.survey_respondents["started"]).dropna()
    against = f"against a target of {target}" if target is not None else "with no target set"
    if days.empty:
        return f"No survey responses yet ({against})."
    text = (
        f"{len(study.survey_respondents)} people responded between {_day(days.min())} and "
        f"{_day(days.max())}, {against}."
    )
    reminders = survey_reminders(study)
    if not reminders:
        return (
            f"{text} No reminder dates are recorded (`fieldwork: survey_reminders` in study.yml)."
        )
    weeks = [f"{_day(day)} ({_week_from(uptake, day)} responses that week)" for day in reminders]
    return f"{text} Reminders went out on {' and '.join(weeks)}."


def fieldwork_timeline(study: Study) -> pd.DataFrame:
    """Interviews, expert interviews and focus groups done by each fieldwork day, cumulative.

    Returns
    -------
    pandas.DataFrame
        ``method, date, n`` (transcripts dated that day) and ``cumulative``, one row per
        method and day with a transcript.
    """
    docs = study.documents[study.documents["method"].isin(METHODS)].dropna(subset=["date"])
    table = (
        docs.assign(date=pd.to_datetime(docs["date"]))
        .astype({"method": pd.CategoricalDtype(list(METHODS), ordered=True)})
        .groupby(["method", "date"], observed=True)
        .size()
        .rename("n")
        .reset_index()
    )
    table["cumulative"] = table.groupby("method", observed=True)["n"].cumsum()
    return table.astype({"method": str})
