"""Saturation curves: one line per method, with an alt text that gives each method's totals."""

from __future__ import annotations

import pytest

from evstudy.charts.saturation import saturation_chart
from evstudy.saturation import saturation_curve


def test_saturation_chart_one_line_per_method(demo_study):
    curve = saturation_curve(demo_study)
    fig, alt = saturation_chart(curve)
    assert len(fig.axes[0].get_lines()) == curve["method"].nunique()
    interviews = curve[curve["method"] == "interview"]
    assert f"Interviews: {interviews['cumulative_codes'].max()} codes over {len(interviews)}" in alt
    with pytest.raises(ValueError, match="missing columns"):
        saturation_chart(curve.drop(columns="order"))
