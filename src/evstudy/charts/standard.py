"""The survey's standard charts in one call, with the disclosure rules applied first.

A notebook that wants every survey chart writes ``survey_charts(study, save=True)``:
one chart per question of the question map, by its type (rankings for single and
multiple choice, diverging bars for Likert grids, stacked bars for a grid the study
declares an ``awareness_use`` analysis of), and, when the study declares a
``group_comparison``, each Likert grid again by the groups it compares. Subgroups
under the minimum base are folded or left out before anything is drawn.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from evstudy.charts.save import save_figure, study_mark
from evstudy.charts.survey import awareness_chart, likert_chart, ranking_chart, subgroup_chart
from evstudy.study import Study
from evstudy.subgroups import group_likert_table, group_sets
from evstudy.survey import (
    answered,
    awareness_table,
    awareness_use_of,
    choice_table,
    likert_table,
    question_ids,
    question_type,
)

__all__ = ["chart_names", "survey_charts"]

GROUPED = "by_sector"  # the suffix of a grid's chart by the compared groups (file names kept)


def _grouped_name(question: str, index: int) -> str:
    """``<question>_by_sector`` for the first set of compared groups, then ``..._by_sector2``."""
    return f"{question}_{GROUPED}" + (str(index + 1) if index else "")


def chart_names(study: Study) -> dict[str, list[str]]:
    """The charts :func:`survey_charts` may draw for each question, by name, in order.

    A chart that the data cannot give (no answers, or too few respondents in a group
    under the minimum-base rule) is not drawn, so a name here may be missing from the
    charts: :func:`evstudy.report.show_chart` says so.

    Returns
    -------
    dict
        ``{question_id: [chart names]}``, in questionnaire order; text questions and
        profile questions (those mapped to a respondent attribute) have none.
    """
    if study.survey_questions.empty:
        return {}
    sets = group_sets(study)
    names: dict[str, list[str]] = {}
    for qid in question_ids(study):
        kind = question_type(study, qid)
        if kind in {"single", "multi", "awareness"}:
            names[qid] = [qid]
        elif kind == "grid":
            names[qid] = [qid, *(_grouped_name(qid, i) for i in range(len(sets)))]
        else:  # text answers are coded, and profile questions count people: no chart
            names[qid] = []
    return names


def _group_title(groups: dict[str, list[str]]) -> str:
    return "By group: " + ", ".join(groups) + "."


def survey_charts(
    study: Study,
    *,
    notebook: str = "survey",
    save: bool = False,
    folder: str | Path | None = None,
) -> dict[str, tuple[Figure, str]]:
    """Every standard survey chart: ``{chart name: (figure, alt text)}`` in question order.

    Chart names are the question ids, and ``<question>_by_sector`` for a Likert grid
    by the groups of the study's first declared ``group_comparison`` (``_by_sector2``,
    ... for further, different sets of groups); see :func:`chart_names`. A question
    nobody answered has no chart, and a study with no survey has none at all.

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
    charts: dict[str, tuple[Figure, str]] = {}
    if study.survey_questions.empty:
        return charts
    questions = study.survey_questions.sort_values("position").drop_duplicates("question_id")
    text = dict(zip(questions["question_id"], questions["question_text"], strict=True))
    sets = group_sets(study)
    for qid, names in chart_names(study).items():
        if not names or answered(study, qid) == 0:
            continue
        kind = questions.loc[questions["question_id"] == qid, "type"].iloc[0]
        title = text[qid]
        declared = awareness_use_of(study, qid) if kind == "grid" else None
        if kind in {"single", "multi"}:
            charts[qid] = ranking_chart(choice_table(study, qid), title=title)
        elif declared is not None:
            charts[qid] = awareness_chart(
                awareness_table(study, qid), title=title, used=declared["used"]
            )
        else:
            charts[qid] = likert_chart(likert_table(study, qid), title=title)
            for name, groups in zip(names[1:], sets, strict=True):
                grouped, _ = group_likert_table(study, qid, groups=groups)
                if _drawable(grouped):
                    charts[name] = subgroup_chart(
                        grouped, by="group", title=f"{title} {_group_title(groups)}"
                    )
    if save:
        mark = study_mark(study)
        for name, (fig, alt) in charts.items():
            save_figure(fig, notebook=notebook, chart=name, folder=folder, alt=alt, mark=mark)
    return charts


def _drawable(grouped: pd.DataFrame) -> bool:
    """Two or more groups left after the minimum-base rule, each with answers."""
    bases = grouped.groupby("group")["base"].max()
    return int((bases > 0).sum()) >= 2
