"""Fieldwork dashboard charts: targets, sites, role groups, survey uptake and the timeline.

Each function takes a table from :mod:`evstudy.fieldwork` and returns ``(figure, alt_text)``
in the project style, like the survey charts; :func:`fieldwork_charts` draws them all for
the dashboard and can save them with :func:`~evstudy.charts.save.save_figure`. Behind-target
bars are vermillion and on-target bars blue (Okabe-Ito), so the two read apart in any
colour vision. These charts count people without suppression: the dashboard is for the
research team only.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from evstudy.charts.save import freeze_layout, save_figure, study_mark
from evstudy.charts.style import (
    ACCENT,
    INK,
    NEUTRAL_GREY,
    OKABE_ITO,
    chart_style,
    percent_formatter,
)
from evstudy.charts.survey import WIDTH, _items_axis, _listing, _require
from evstudy.fieldwork import _day, _number, _week_from
from evstudy.study import Study

__all__ = [
    "fieldwork_charts",
    "progress_chart",
    "role_chart",
    "site_chart",
    "timeline_chart",
    "uptake_chart",
]

BEHIND = OKABE_ITO[5]  # vermillion
ON_TARGET = ACCENT
PROGRESS_COLUMNS = ("measure", "label", "target", "achieved", "pct", "behind")
SITE_COLUMNS = ("measure", "label", "site_id", "site_name", "target", "achieved", "behind")
ROLE_COLUMNS = ("site_id", "role_group", "took_part")
UPTAKE_COLUMNS = ("date", "group", "n", "cumulative", "reminder")
TIMELINE_COLUMNS = ("method", "date", "n", "cumulative")


def _status_legend(fig: Figure, *, untargeted: bool = False) -> None:
    handles = [Patch(color=ON_TARGET, label="On target"), Patch(color=BEHIND, label="Behind")]
    if untargeted:
        handles.append(Patch(color=NEUTRAL_GREY, label="No target"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))


def progress_chart(progress: pd.DataFrame) -> tuple[Figure, str]:
    """Each target's achieved share, one bar per measure, with the target at 100%.

    Parameters
    ----------
    progress : DataFrame
        From :func:`evstudy.fieldwork.fieldwork_progress`.

    Returns
    -------
    (Figure, str)
    """
    _require(progress, PROGRESS_COLUMNS, "progress")
    rows = progress[progress["target"].notna()].reset_index(drop=True)  # measures with a target
    if rows.empty:
        with chart_style():
            fig = Figure(figsize=(WIDTH, 1.2), layout="constrained")
            ax = fig.subplots()
            ax.axis("off")
            ax.text(0.5, 0.5, "study.yml sets no fieldwork targets", ha="center", va="center")
        return freeze_layout(fig), "No chart: study.yml sets no fieldwork targets (targets:)."
    pct = rows["pct"].fillna(0).to_numpy(dtype=float)
    with chart_style():
        fig = Figure(figsize=(WIDTH, 1.6 + 0.45 * len(rows)), layout="constrained")
        ax = fig.subplots()
        y = np.arange(len(rows))
        colours = np.where(rows["behind"], BEHIND, ON_TARGET)
        ax.barh(y, pct, height=0.65, color=colours)
        for i, row in rows.iterrows():
            text = f"{_number(row['achieved'])} of {_number(row['target'])}"
            ax.text(pct[i] + 0.01, i, text, va="center", ha="left", fontsize=8)
        ax.axvline(1.0, color=INK, linewidth=1, linestyle="--")
        ax.set_xlim(0, max(1.25, float(pct.max()) + 0.2))
        ax.xaxis.set_major_formatter(percent_formatter())
        ax.grid(axis="x")
        _items_axis(ax, list(rows["label"]))
        ax.set_title("Fieldwork against the protocol's targets")
        ax.set_xlabel("% of target achieved (dashed line: the target)")
        _status_legend(fig)
    behind = rows[rows["behind"]]
    parts = [
        f"{r.label} {_number(r.achieved)} of {_number(r.target)} ({r.pct:.0%})"
        for r in rows.itertuples()
    ]
    alt = (
        f"Horizontal bar chart of fieldwork against {len(rows)} protocol targets, "
        f"{len(behind)} behind: {_listing(parts)}."
    )
    return freeze_layout(fig), alt


def site_chart(site_progress: pd.DataFrame) -> tuple[Figure, str]:
    """Per site and measure: bars of what is achieved, a black tick at the site's target.

    Parameters
    ----------
    site_progress : DataFrame
        From :func:`evstudy.fieldwork.site_progress`.

    Returns
    -------
    (Figure, str)
    """
    _require(site_progress, SITE_COLUMNS, "site_progress")
    measures = list(pd.unique(site_progress["measure"]))
    sites = site_progress.drop_duplicates("site_id")
    names = [f"{n} ({i})" for i, n in zip(sites["site_id"], sites["site_name"], strict=True)]
    ncols = min(2, len(measures))
    nrows = -(-len(measures) // ncols)
    with chart_style():
        height = nrows * (0.32 * len(sites) + 1.0) + 0.8
        fig = Figure(figsize=(WIDTH, height), layout="constrained")
        axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
        for ax, measure in zip(axes.flat, measures, strict=False):
            rows = site_progress[site_progress["measure"] == measure].set_index("site_id")
            rows = rows.reindex(sites["site_id"])
            y = np.arange(len(rows))
            colours = np.where(rows["behind"], BEHIND, ON_TARGET)
            colours = np.where(rows["target"].isna(), NEUTRAL_GREY, colours)
            ax.barh(y, rows["achieved"], height=0.65, color=colours)
            ax.plot(rows["target"], y, linestyle="none", marker="|", markersize=14,
                    markeredgewidth=2, color=INK)  # fmt: skip
            for i, value in enumerate(rows["achieved"]):
                ax.text(value + 0.1, i, _number(value), va="center", ha="left", fontsize=8)
            top = np.nanmax([rows["achieved"].max(), rows["target"].max()])
            ax.set_xlim(0, float(top) * 1.15 + 0.5)
            ax.set_title(rows["label"].iloc[0], fontsize=10)
            ax.grid(axis="x")
            _items_axis(ax, names)
        for ax in list(axes.flat)[len(measures) :]:
            ax.set_visible(False)
        fig.suptitle("Fieldwork by site (black tick: the site's target)")
        _status_legend(fig, untargeted=bool(site_progress["target"].isna().any()))
    gaps = site_progress[site_progress["behind"]]
    parts = [
        f"{label}: {', '.join(rows['site_name'])}"
        for label, rows in gaps.groupby("label", sort=False)
    ]
    alt = (
        f"Bar charts of fieldwork at each of {len(sites)} sites for "
        f"{', '.join(pd.unique(site_progress['label'])).lower()}; behind target: "
        f"{_listing(parts) if parts else 'none'}."
    )
    return freeze_layout(fig), alt


def role_chart(
    achieved: pd.DataFrame,
    *,
    role_labels: Mapping[str, str] | None = None,
    site_labels: Mapping[str, str] | None = None,
) -> tuple[Figure, str]:
    """Heat map of people who took part (interviews and focus groups) by site and role group.

    Parameters
    ----------
    achieved : DataFrame
        ``achieved(study, by=("site_id", "role_group"))``; rows without a site (expert
        interviewees) are left out.
    role_labels, site_labels : mapping, optional
        Display labels, e.g. ``study.role_group_labels``.

    Returns
    -------
    (Figure, str)
    """
    _require(achieved, ROLE_COLUMNS, "achieved")
    table = achieved.dropna(subset=["site_id"])
    grid = table.pivot_table(
        index="site_id", columns="role_group", values="took_part", aggfunc="sum", observed=True
    ).fillna(0)
    roles = [r for r in (role_labels or {}) if r in grid.columns] or list(grid.columns)
    grid = grid.reindex(columns=roles, fill_value=0).astype(int)
    role_names = [(role_labels or {}).get(r, r) for r in roles]
    site_names = [(site_labels or {}).get(s, s) for s in grid.index]
    with chart_style():
        fig = Figure(figsize=(WIDTH, 1.8 + 0.4 * len(grid)), layout="constrained")
        ax = fig.subplots()
        image = ax.imshow(grid.to_numpy(), cmap="Blues", aspect="auto", vmin=0)
        high = grid.to_numpy().max() or 1
        for (i, j), value in np.ndenumerate(grid.to_numpy()):
            colour = "white" if value > high * 0.6 else (BEHIND if value == 0 else INK)
            ax.text(j, i, str(value), ha="center", va="center", fontsize=9, color=colour)
        ax.set_xticks(np.arange(len(roles)), labels=role_names, rotation=20, ha="right")
        ax.set_yticks(np.arange(len(grid)), labels=site_names)
        ax.tick_params(length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title("People who took part, by site and role group (interviews and focus groups)")
        bar = fig.colorbar(image, ax=ax, shrink=0.8, label="people")
        bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    empty = [
        f"{site_names[i]} has no {role_names[j].lower()}"
        for i, j in zip(*np.nonzero(grid.to_numpy() == 0), strict=True)
    ]
    alt = (
        f"Heat map of people who took part at {len(grid)} sites in {len(roles)} role groups, "
        f"{int(grid.to_numpy().sum())} in all; "
        + (f"gaps: {_listing(empty)}." if empty else "every site has every role group.")
    )
    return freeze_layout(fig), alt


def uptake_chart(uptake: pd.DataFrame, *, target: float | None = None) -> tuple[Figure, str]:
    """Cumulative survey responses by day, reminder days marked, one line per group.

    Parameters
    ----------
    uptake : DataFrame
        From :func:`evstudy.fieldwork.survey_uptake`.
    target : float, optional
        The responses target, drawn as a dotted line.

    Returns
    -------
    (Figure, str)
    """
    _require(uptake, UPTAKE_COLUMNS, "uptake")
    reminders = sorted(pd.unique(uptake.loc[uptake["reminder"], "date"]))
    groups = list(pd.unique(uptake["group"]))
    with chart_style():
        fig = Figure(figsize=(WIDTH, 4.2), layout="constrained")
        ax = fig.subplots()
        for colour, group in zip(OKABE_ITO, groups, strict=False):
            rows = uptake[uptake["group"] == group]
            ax.plot(rows["date"], rows["cumulative"], drawstyle="steps-post", color=colour,
                    linewidth=2, label=group)  # fmt: skip
        for day in reminders:
            ax.axvline(day, color=INK, linestyle="--", linewidth=1)
            ax.text(day, 1.0, " reminder", transform=ax.get_xaxis_transform(), va="top",
                    ha="left", fontsize=8)  # fmt: skip
        if target is not None:
            ax.axhline(target, color=INK, linestyle=":", linewidth=1)
            ax.text(uptake["date"].min(), target, f"target {_number(target)}", va="bottom",
                    fontsize=8)  # fmt: skip
        ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        ax.set_ylim(
            0, max(float(uptake.groupby("group")["cumulative"].max().sum()), target or 0) * 1.1 + 1
        )
        ax.grid(axis="y")
        ax.set_ylabel("responses so far")
        ax.set_title("Survey responses by day started (dashed lines: reminders)")
        if len(groups) > 1:
            ax.legend(loc="upper left")
    total = int(uptake.groupby("group")["cumulative"].max().sum())
    after = [
        f"{_week_from(uptake, d)} in the week from the reminder on {_day(d)}" for d in reminders
    ]
    alt = (
        f"Step chart of cumulative survey responses from {_day(uptake['date'].min())} "
        f"to {_day(uptake['date'].max())}, reaching {total}"
        + (f" against a target of {_number(target)}" if target is not None else "")
        + (f" ({len(groups)} channels: {', '.join(map(str, groups))})" if len(groups) > 1 else "")
        + (f"; {'; '.join(after)}" if after else "; no reminders recorded")
        + "."
    )
    return freeze_layout(fig), alt


def timeline_chart(
    timeline: pd.DataFrame, *, targets: Mapping[str, float] | None = None
) -> tuple[Figure, str]:
    """Transcripts done by each fieldwork day, cumulative, one line per method.

    Parameters
    ----------
    timeline : DataFrame
        From :func:`evstudy.fieldwork.fieldwork_timeline`.
    targets : mapping, optional
        Method to its target (``{"interview": 70, ...}``), drawn as dotted lines.

    Returns
    -------
    (Figure, str)
    """
    from evstudy.fieldwork import METHODS

    _require(timeline, TIMELINE_COLUMNS, "timeline")
    targets = dict(targets or {})
    methods = [m for m in METHODS if m in set(timeline["method"])]
    with chart_style():
        fig = Figure(figsize=(WIDTH, 4.2), layout="constrained")
        ax = fig.subplots()
        for colour, method in zip(OKABE_ITO, methods, strict=False):
            rows = timeline[timeline["method"] == method]
            ax.plot(rows["date"], rows["cumulative"], drawstyle="steps-post", color=colour,
                    linewidth=2, label=METHODS[method])  # fmt: skip
            if method in targets:
                ax.axhline(targets[method], color=colour, linestyle=":", linewidth=1)
        ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        ax.grid(axis="y")
        ax.set_ylabel("transcripts so far")
        ax.set_title("Interviews and focus groups by date (dotted lines: targets)")
        fig.legend(loc="outside lower center", ncols=len(methods))
    last = timeline.groupby("method").tail(1).set_index("method")
    parts = [
        f"{METHODS[m].lower()}s {int(last.at[m, 'cumulative'])}"
        + (f" of {_number(targets[m])}" if m in targets else "")
        + f" by {_day(last.at[m, 'date'])}"
        for m in methods
    ]
    alt = f"Step chart of transcripts done over time by method: {_listing(parts)}."
    return freeze_layout(fig), alt


def fieldwork_charts(
    study: Study,
    *,
    notebook: str = "fieldwork",
    save: bool = False,
    folder: str | Path | None = None,
) -> dict[str, tuple[Figure, str]]:
    """Every dashboard chart: ``{name: (figure, alt text)}``.

    Parameters
    ----------
    study : Study
    notebook : str
        Names the saved files (``fieldwork__progress.png``, ...).
    save : bool
        Also write each chart as PNG and SVG with :func:`save_figure`.
    folder : path, optional
        Where to save instead of the project's ``figures/``.
    """
    from evstudy import fieldwork as fw

    targets = fw.study_targets(study)
    method_targets = {
        "interview": targets["interviews"],
        "expert_interview": targets["expert_interviews"],
        "focus_group": targets["focus_groups"],
    }
    sites = dict(zip(study.sites["site_id"], study.sites["site_name"], strict=True))
    charts = {
        "progress": progress_chart(fw.fieldwork_progress(study)),
        "sites": site_chart(fw.site_progress(study)),
        "roles": role_chart(
            fw.achieved(study, by=("site_id", "role_group")),
            role_labels=study.role_group_labels,
            site_labels={k: f"{v} ({k})" for k, v in sites.items()},
        ),
    }
    uptake = fw.survey_uptake(study)
    if not uptake.empty:
        charts["uptake"] = uptake_chart(uptake, target=targets["survey_responses"])
    timeline = fw.fieldwork_timeline(study)
    if not timeline.empty:
        charts["timeline"] = timeline_chart(timeline, targets=method_targets)
    if save:
        mark = study_mark(study)
        for name, (fig, alt) in charts.items():
            save_figure(fig, notebook=notebook, chart=name, folder=folder, alt=alt, mark=mark)
    return charts
