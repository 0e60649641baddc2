"""The report helpers: figures with alt text, plain tables, and the cross-site summaries."""

from __future__ import annotations

import base64
import dataclasses
import re

import pandas as pd
import pytest
from matplotlib.figure import Figure

from evstudy import casestudy, report


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


def test_table_writes_years_bare_whole_floats_as_integers_and_booleans_as_words():
    frame = pd.DataFrame(
        {
            "year": [2017, 2023],
            "contracts": [39.0, 1204.0],  # counts read back as floats
            "rate": [27.4, 25.0],
            "in_place": [True, False],
        }
    )
    cells = re.findall(r"<td>(.*?)</td>", report.table(frame, digits=1).data)
    assert cells == ["2017", "39", "27.4", "Yes", "2023", "1,204", "25.0", "No"]


def test_table_heads_unlabelled_columns_and_the_index_in_words():
    frame = pd.DataFrame({"role_group": ["a"], "p_value": [0.5], "n": [3]}).set_index("role_group")
    html = report.table(frame, index=True, labels={"n": "Participants"}).data
    headers = re.findall(r"<th[^>]*>(.*?)</th>", html)
    assert "Role group" in headers and "p" in headers and "Participants" in headers
    assert "role_group" not in html and "p_value" not in html


def test_table_is_captioned_for_numbering_and_scrolls_in_a_focusable_region():
    html = report.table(pd.DataFrame({"a": [1]}), caption="Sites & themes", ref="sites").data
    wrap = (
        '<div class="evstudy-table-wrap" role="region" tabindex="0" '
        'aria-label="Sites &amp; themes">'
    )
    assert html.startswith(wrap)
    assert re.search(
        r'<caption><span class="evstudy-num" data-kind="table" data-ref="sites"></span> '
        r"Sites &amp; themes</caption>",
        html,
    )
    # Without a caption it is numbered all the same.
    assert (
        'data-kind="table" data-ref=""></span></caption>'
        in report.table(pd.DataFrame({"a": [1]})).data
    )


def test_figure_is_numbered_with_its_caption_or_the_charts_title():
    fig = _chart()
    fig.axes[0].set_title("Barriers by role")
    html = report.figure(fig, "alt text", ref="barriers").data
    assert re.search(
        r'<figcaption><span class="evstudy-num" data-kind="figure" data-ref="barriers"></span> '
        r"Barriers by role</figcaption>",
        html,
    )
    assert "> Other words</figcaption>" in report.figure(_chart(), "a", caption="Other words").data


@pytest.mark.parametrize("bad", ["", "has space", "-lead", "a/b"])
def test_a_reference_id_must_be_a_plain_name(bad):
    with pytest.raises(ValueError, match="`ref` must be letters, digits"):
        report.ref(bad)
    with pytest.raises(ValueError, match="`ref` must be letters, digits"):
        report.table(pd.DataFrame({"a": [1]}), ref=bad)
    assert report.ref("sites_by-theme.2") == "@@ref:sites_by-theme.2@@"


def test_by_unit_writes_each_row_as_its_unit_says():
    frame = pd.DataFrame(
        {
            "measure": ["Contracts", "Framework in place", "Rate"],
            "unit": ["count", "yes/no", "%"],
            "2022": [39.0, 1.0, 27.4],
            "2023": [40.0, 0.0, None],
        }
    )
    out = report.by_unit(frame)
    assert out[["2022", "2023"]].to_numpy().tolist() == [
        ["39", "40"],
        ["Yes", "No"],
        ["27.4", ""],
    ]
    with pytest.raises(ValueError, match="`unit` must name a column"):
        report.by_unit(frame, unit="units")


def test_site_header_places_the_site_in_the_study(demo_study):
    first, last = demo_study.sites["site_id"].iloc[[0, -1]]
    text = report.site_header(demo_study, site=last).data
    n = len(demo_study.sites)
    assert f"<strong>Local authority {n} of {n}</strong>" in text
    people = int((demo_study.participants["site_id"] == last).sum())
    assert f"Who took part: {people} participants in " in text
    # The site table's first attributes, each with its name, as written there.
    attributes = casestudy.site_attributes(demo_study, site=first).head(3)
    first_text = report.site_header(demo_study, site=first).data
    for row in attributes.itertuples():
        assert f"{row.attribute}: {row.value}" in first_text
    with pytest.raises(ValueError, match="`site` must be one of"):
        report.site_header(demo_study, site="S99")


def test_site_header_gives_a_small_count_of_people_in_words(demo_study):
    site = demo_study.sites["site_id"].iloc[0]
    people = demo_study.participants
    few = pd.concat([people[people["site_id"] != site], people[people["site_id"] == site].head(3)])
    study = dataclasses.replace(demo_study, participants=few)
    text = report.site_header(study, site=site).data
    limit = demo_study.disclosure["suppress_max"]
    assert f"Who took part: fewer than {limit + 1} participants in " in text
    assert "Who took part: 3 " not in text


def test_the_computed_drafts_name_what_the_study_declares_and_shows(demo_study):
    from evstudy.sections import research_questions
    from evstudy.triangulation import joint_display

    background = report.background_draft(demo_study)
    for text in research_questions(demo_study)["text"]:
        assert text in background
    jd = joint_display(demo_study)
    discussion = report.discussion_draft(demo_study, display=jd)
    assert f"across {len(jd)} themes" in discussion
    limits = report.limitations_draft(
        demo_study, display=jd, saturation={"focus_group": {"status": "not saturated"}}
    )
    assert "The data are synthetic" in limits
    assert "Saturation was not reached for the focus group transcripts" in limits
    assert "focus_group" not in limits
