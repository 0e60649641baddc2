"""Charts for the report: one style, reproducible files, and alt text for every figure.

Chart functions take the tidy tables the analysis modules return and give
``(figure, alt_text)``; :func:`save_figure` writes ``figures/<notebook>__<chart>``
as PNG and SVG, byte for byte the same on every run.
"""

from evstudy.charts.save import save_figure
from evstudy.charts.style import apply_style, chart_style
from evstudy.charts.survey import likert_chart, ranking_chart, subgroup_chart, toolkit_chart

__all__ = [
    "apply_style",
    "chart_style",
    "likert_chart",
    "ranking_chart",
    "save_figure",
    "subgroup_chart",
    "toolkit_chart",
]
