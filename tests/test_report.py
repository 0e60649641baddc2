"""The report helpers: figures with alt text, plain tables, and the cross-site summaries."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
from matplotlib.figure import Figure

from evstudy import report


def _chart() -> Figure:
    fig = Figure(figsize=(3, 2))
    fig.subplots().bar(["a", "b"], [1, 2])
    return fig


def test_figure_embeds_a_png_with_its_alt_text_and_the_same_bytes_each_time():
    html = report.figure(_chart(), 'Bar chart of "a" and b').data
    assert 'alt="Bar chart of &quot;a&quot; and b"' in html
    data = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(data).startswith(b"\x89PNG")
    assert report.figure(_chart(), "x").data == report.figure(_chart(), "x").data


@pytest.mark.parametrize("alt", ["", "   ", None])
def test_figure_refuses_a_chart_without_alt_text(alt):
    with pytest.raises(ValueError, match="`alt` must be a non-empty string"):
        report.figure(_chart(), alt)


def test_table_formats_percentages_integers_and_markers_without_random_ids():
    frame = pd.DataFrame(
        {
            "group": ["A & B", "C"],
            "n": pd.array([12, pd.NA], dtype="Int64"),
            "pct": [0.344, "c"],
            "mean": [1.23456, 2.0],
        }
    )
    html = report.table(frame, percent=["pct"], digits=1, labels={"n": "Count"}).data
    cells = re.findall(r"<td>(.*?)</td>", html)
    assert cells == ["A &amp; B", "12", "34%", "1.2", "C", "", "c", "2.0"]
    assert "<th>Count</th>" in html and "id=" not in html
    assert html == report.table(frame, percent=["pct"], digits=1, labels={"n": "Count"}).data


def test_table_names_a_percent_column_that_is_missing():
    with pytest.raises(ValueError, match="`percent` must name columns"):
        report.table(pd.DataFrame({"a": [1]}), percent=["b"])


def test_banner_says_what_the_page_is_built_from(demo_study):
    text = report.banner(demo_study).data
    assert "synthetic demonstration study" in text
    assert f"{len(demo_study.sites)} sites" in text


def test_the_site_typology_recovers_the_planted_reactive_sites(demo_study, demo_truth):
    from evstudy.casestudy import site_typology

    table = site_typology(demo_study)
    reactive = sorted(table.loc[table["type"] == "reactive", "site_id"])
    assert reactive == sorted(demo_truth["reactive_sites"])
    assert sorted(table.loc[table["type"] == "structured", "site_id"]) == sorted(
        demo_truth["structured_sites"]
    )


def test_methods_text_mentions_only_what_the_study_holds(demo_study):
    text = report.methods_text(demo_study)
    n = demo_study.documents["method"].eq("focus_group").sum()
    assert text.startswith("9 local authorities took part.")
    assert f"{n} focus groups" in text
    assert f"a survey of {len(demo_study.survey_respondents)} respondents" in text
    import dataclasses

    docs = demo_study.documents[demo_study.documents["method"] != "focus_group"]
    none = dataclasses.replace(
        demo_study,
        documents=docs,
        survey_respondents=demo_study.survey_respondents.head(0),
    )
    text = report.methods_text(none)
    assert "focus group" not in text and "survey" not in text


def test_provenance_lists_digests_but_no_file_names_or_paths(demo_study):
    table = report.provenance_table(demo_study, extra={"Code version": "abc123"})
    text = table.to_string()
    assert "transcripts/" not in text and str(demo_study.path) not in text
    assert table.set_index("item").loc["Code version", "value"] == "abc123"
    assert table["item"].str.startswith("Table ").sum() == len(
        demo_study.ingest_report["table_sha256"]
    )
    assert table.equals(report.provenance_table(demo_study, extra={"Code version": "abc123"}))


def test_suppressed_counts_show_as_whole_numbers():
    frame = pd.DataFrame(
        {"group": ["a", "b", "c"], "n": [23.0, "c", 121.0], "mean": [2.0, 2.5, 3.0]}
    )
    html = report.table(frame).data
    assert ">23<" in html and ">121<" in html and ">c<" in html
    assert ">2.00<" in html  # real floats keep their decimals
