"""Heatmaps of the matrices and the site comparison chart: figures with their alt text."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from matplotlib.figure import Figure

from evstudy.charts.matrices import (
    comb_heatmap,
    framework_heatmap,
    heatmap,
    labels_fit,
    pairs_heatmap,
    site_comparison_chart,
)
from evstudy.matrices import barrier_enabler_pairs, comb_matrix, framework_matrix, site_comparison
from evstudy.report import save_and_show


def _cell_labels(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def test_heatmap_labels_every_cell_and_names_the_extremes():
    wide = pd.DataFrame({"Budget": [3, 0], "Time": [7, 1]}, index=["Alpha", "Beta"])
    fig, alt = heatmap(wide, title="Barriers by site", value_label="participants")
    assert isinstance(fig, Figure)
    assert _cell_labels(fig) == ["3", "7", "0", "1"]
    assert alt.startswith("Heatmap: Barriers by site. 2 rows by 2 columns")
    assert "Highest cell: Alpha, Time (7)" in alt and "lowest: Beta, Budget (0)" in alt
    share, alt = heatmap(wide / 10, title="Shares", value_label="share", percent=True)
    assert "70%" in _cell_labels(share) and "(70%)" in alt
    wide_matrix = pd.DataFrame([[1] * 40])  # 40 columns: cells 0.19 in wide, "100%" needs 0.33
    assert _cell_labels(heatmap(wide_matrix, title="Wide", value_label="n")[0]) == []
    assert _cell_labels(heatmap(wide_matrix, title="Wide", value_label="n", annotate=True)[0])
    with pytest.raises(ValueError, match="non-empty DataFrame"):
        heatmap(pd.DataFrame(), title="x", value_label="n")


def test_framework_heatmap_turns_long_matrices_on_their_side(demo_study):
    themes = framework_matrix(demo_study, rows="site")
    fig, alt = framework_heatmap(themes, value="participants")
    assert "9 rows by 8 columns (cases by theme)" in alt
    assert fig.axes[0].get_yticklabels()[0].get_text() == "Ullsbridge"
    codes = framework_matrix(demo_study, rows="site", level="code")
    _, alt = framework_heatmap(codes, title="Sites by code")
    assert "49 rows by 9 columns (themes by case)" in alt
    with pytest.raises(ValueError, match="`value` must be one of"):
        framework_heatmap(themes, value="quote")


def test_comb_and_pairs_heatmaps(demo_study):
    cells = comb_matrix(demo_study)
    fig, alt = comb_heatmap(cells)
    top = cells.loc[cells["participants"].idxmax()]
    assert f"Highest cell: {top['comb_label']}, {top['valence'].capitalize()}" in alt
    assert str(top["participants"]) in _cell_labels(fig)
    pairs = barrier_enabler_pairs(demo_study)
    _, alt = pairs_heatmap(pairs)
    first = pairs.iloc[0]
    assert f"{first['barrier_label']}, {first['enabler_label']} ({first['n']})" in alt
    with pytest.raises(ValueError, match="missing columns"):
        comb_heatmap(cells.drop(columns="valence"))


def test_site_comparison_chart(demo_study):
    compared = site_comparison(demo_study, site="S03", level="code")
    fig, alt = site_comparison_chart(compared, site_name="Saltmere")
    assert len(fig.axes[0].get_yticklabels()) == len(compared)
    furthest = compared.loc[compared["difference"].idxmax()]
    assert f"Furthest above the mean: {furthest['label']}" in alt


def test_save_and_show_writes_both_files_and_embeds_the_alt(tmp_path):
    wide = pd.DataFrame({"A": [1, 2]}, index=["x", "y"])
    chart = heatmap(wide, title="A small matrix of counts", value_label="n")
    html = save_and_show(chart, notebook="synthesis", name="small", folder=tmp_path).data
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "synthesis__small.png",
        "synthesis__small.svg",
    ]
    assert re.search(r'alt="Heatmap: A small matrix of counts\.', html)
    assert "<title>Heatmap: A small matrix" in (tmp_path / "synthesis__small.svg").read_text()


def test_cell_labels_are_printed_wherever_they_fit():
    # 8 pt labels: a cell needs 1.4 em = 0.156 in of height and (4 x 0.62 + 1) em = 0.387 in
    # of width. Ten columns beside 10-character row labels at 9 pt (0.698 in) and the colour
    # bar (1.1 in) get (9 - 0.698 - 1.1) / 10 = 0.72 in each; 21 columns get 0.343 in.
    assert labels_fit(5, 10, height=4.5, label_chars=10, fontsize=8)
    assert not labels_fit(5, 21, height=4.5, label_chars=10, fontsize=8)
    # Height: 5 rows in (3.1 - 2.4) in are 0.14 in each, under 0.156.
    assert not labels_fit(5, 3, height=3.1, label_chars=10, fontsize=8)
    assert labels_fit(5, 3, height=3.2, label_chars=10, fontsize=8)


def test_the_demos_big_matrices_are_labelled_and_labels_do_not_size_the_layout(demo_study):
    codes = framework_matrix(demo_study, rows="site", level="code")
    fig, _ = framework_heatmap(codes, title="Sites by code")
    labels = fig.axes[0].texts
    assert len(labels) == 49 * 9  # every code at every site: slim rows still hold 7 pt text
    assert all(not t.get_in_layout() for t in labels)
