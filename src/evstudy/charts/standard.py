"""The survey's standard charts in one call, with the disclosure rules applied first.

A notebook that wants every survey chart writes ``survey_charts(study, save=True)``:
one chart per question (rankings for choice questions, diverging bars for Likert
grids, stacked bars for the toolkit grid) and a local-authority-against-partner
comparison for each Likert grid, with subgroups under the minimum base folded
or left out before anything is drawn.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from evstudy.charts.save import save_figure
from evstudy.charts.survey import likert_chart, ranking_chart, subgroup_chart, toolkit_chart
from evstudy.disclosure import apply_min_base
from evstudy.study import Study
from evstudy.survey import choice_table, likert_table, toolkit_table

__all__ = ["SECTORS", "sector_likert_table", "survey_charts"]

# Role groups to the two sectors the protocol compares. Experts are not survey sectors.
SECTORS = {
    "senior_leader": "Local authority staff",
    "commissioner": "Local authority staff",
    "service_manager": "Local authority staff",
    "practitioner": "Local authority staff",
    "partner_agency": "Partner agencies",
}
TOOLKIT_SCALE_START = "not aware"


def _is_toolkit_grid(study: Study, question: str) -> bool:
    scale = study.survey_options.loc[study.survey_options["question_id"] == question, "option"]
    return scale.str.casefold().str.startswith(TOOLKIT_SCALE_START).any()


def sector_likert_table(study: Study, question: str) -> tuple[pd.DataFrame, list[str]]:
    """A Likert table by sector (local authority staff, partner agencies), min base applied.

    Returns
    -------
    (DataFrame, list of str)
        The publishable table with a ``sector`` column, and notes on what was
        folded or left out under the minimum-base rule.
    """
    table = likert_table(study, question, by="role_group")
    table = table.assign(sector=table["role_group"].map(SECTORS)).dropna(subset=["sector"])
    keys = ["sector", "item_id", "item_label", "category", "position", "valence"]
    summed = table.groupby(keys, sort=False, observed=True, as_index=False)[["n"]].sum()
    # Each role group's base is the same for every category of an item, so bases add up.
    bases = (
        table.drop_duplicates(["role_group", "item_id"])
        .groupby(["sector", "item_id"], as_index=False)["base"]
        .sum()
    )
    summed = summed.merge(bases, on=["sector", "item_id"])
    summed["pct"] = summed["n"] / summed["base"]
    return apply_min_base(summed, by="sector", min_base=study.disclosure["min_subgroup_base"])


def survey_charts(
    study: Study,
    *,
    notebook: str = "survey",
    save: bool = False,
    folder: str | Path | None = None,
) -> dict[str, tuple[Figure, str]]:
    """Every standard survey chart: ``{chart name: (figure, alt text)}`` in question order.

    Parameters
    ----------
    study : Study
    notebook : str
        The notebook the charts belong to; names the saved files.
    save : bool
        Also write each chart to ``figures/`` as PNG and SVG (alt text in the SVG).
    folder : path, optional
        Where to save instead of the project's ``figures/``.
    """
    questions = study.survey_questions.drop_duplicates("question_id")
    charts: dict[str, tuple[Figure, str]] = {}
    for q in questions.itertuples():
        if q.type in {"single", "multi"} and not isinstance(q.attribute, str):
            charts[q.question_id] = ranking_chart(
                choice_table(study, q.question_id), title=q.question_text
            )
        elif q.type == "grid" and _is_toolkit_grid(study, q.question_id):
            charts[q.question_id] = toolkit_chart(
                toolkit_table(study, q.question_id), title=q.question_text
            )
        elif q.type == "grid":
            charts[q.question_id] = likert_chart(
                likert_table(study, q.question_id), title=q.question_text
            )
            by_sector, _ = sector_likert_table(study, q.question_id)
            if by_sector["sector"].nunique() >= 2:
                charts[f"{q.question_id}_by_sector"] = subgroup_chart(
                    by_sector, by="sector", title=f"{q.question_text} By sector."
                )
    if save:
        for name, (fig, alt) in charts.items():
            save_figure(fig, notebook=notebook, chart=name, folder=folder, alt=alt)
    return charts
