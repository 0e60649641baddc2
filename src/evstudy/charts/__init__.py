"""Charts for the report: one style, reproducible files, and alt text for every figure.

Chart functions take the tidy tables the analysis modules return and give
``(figure, alt_text)``; :func:`save_figure` writes ``figures/<notebook>__<chart>``
as PNG and SVG, byte for byte the same on every run.
"""

from evstudy.charts.save import save_figure
from evstudy.charts.style import apply_style, chart_style
from evstudy.charts.survey import awareness_chart, likert_chart, ranking_chart, subgroup_chart


def __getattr__(name: str):  # survey_charts pulls in the survey analysis: load it on demand
    if name == "survey_charts":
        from evstudy.charts.standard import survey_charts

        return survey_charts
    raise AttributeError(f"module 'evstudy.charts' has no attribute {name!r}")


__all__ = [
    "apply_style",
    "awareness_chart",
    "chart_style",
    "likert_chart",
    "ranking_chart",
    "save_figure",
    "subgroup_chart",
    "survey_charts",
]
