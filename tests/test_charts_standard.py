"""The survey's standard chart set on the demo: the planted pattern must show in the charts."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import hashlib

import pytest

from evstudy.charts.standard import chart_names, survey_charts
from evstudy.subgroups import group_likert_table, group_sets

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def charts(demo_study, tmp_path_factory):
    folder = tmp_path_factory.mktemp("figures")
    found = survey_charts(demo_study, notebook="survey", save=True, folder=folder)
    yield found, folder
    for fig, _ in found.values():
        fig.clear()


def _bar_labels_top_down(fig) -> list[str]:
    ax = fig.axes[0]
    ticks = sorted(zip(ax.get_yticks(), ax.get_yticklabels(), strict=True), key=lambda t: t[0])
    labels = [label.get_text().replace("\n", " ") for _, label in ticks]
    # Rankings put the largest bar at the top of the axis.
    return labels if ax.yaxis_inverted() else labels[::-1]


def _option_labels(study, question: str, codes: list[str]) -> list[str]:
    options = study.survey_options[study.survey_options["question_id"] == question]
    by_code = dict(zip(options["code"], options["option"], strict=True))
    return [by_code[c] for c in codes]


def test_every_question_gets_its_chart(charts, demo_study):
    found, _ = charts
    assert list(found) == [
        "influences",
        "influences_by_sector",
        "barriers",
        "enablers",
        "toolkits",
        "comb",
        "comb_by_sector",
        "guide_formats",
    ]
    for name, (_, alt) in found.items():
        assert "n = " in alt, name
        assert alt.count(".") >= 1 and len(alt) > 60, name


@pytest.mark.parametrize(
    ("question", "truth_key"), [("barriers", "top_barriers"), ("enablers", "top_enablers")]
)
def test_planted_top_three_lead_the_ranking_charts(
    charts, demo_study, demo_truth, question, truth_key
):
    found, _ = charts
    fig, alt = found[question]
    expected = _option_labels(demo_study, question, demo_truth[truth_key])
    assert _bar_labels_top_down(fig)[:3] == expected
    assert expected[0].split()[0] in alt


def test_partner_agencies_rate_research_higher_in_the_sector_chart(demo_study, demo_truth):
    (groups,) = group_sets(demo_study)  # the demo declares one set of groups
    table, notes = group_likert_table(demo_study, "influences", groups=groups)
    assert notes == []
    research = table[table["item_id"] == "research"]
    mean = (research["n"] * research["position"]).groupby(
        research["group"]
    ).sum() / research.groupby("group")["n"].sum()
    planted = demo_truth["research_evidence_rating"]
    assert mean["Partner agencies"] == pytest.approx(planted["partner_agency_mean"], abs=0.01)
    assert mean["Local authority staff"] == pytest.approx(planted["la_staff_mean"], abs=0.05)
    assert mean["Partner agencies"] > mean["Local authority staff"]


def test_figures_are_saved_by_notebook_and_chart_with_alt_text(charts):
    found, folder = charts
    for name, (_, alt) in found.items():
        png, svg = (
            folder / f"survey__{name.replace('_', '-')}.png",
            folder / f"survey__{name.replace('_', '-')}.svg",
        )
        if not png.exists():  # names keep underscores where slugify keeps them
            png, svg = folder / f"survey__{name}.png", folder / f"survey__{name}.svg"
        assert png.stat().st_size > 10_000
        text = svg.read_text(encoding="utf-8")
        assert "<title>" in text and 'role="img"' in text
        assert alt.split(":")[0].replace("&", "&amp;")[:40] in text


def test_saving_again_gives_the_same_bytes(demo_study, charts, tmp_path):
    _, folder = charts
    survey_charts(demo_study, notebook="survey", save=True, folder=tmp_path)

    def digest(where):
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(where.iterdir())}

    assert digest(tmp_path) == digest(folder)


def test_chart_names_follow_the_question_map_and_the_declarations(demo_study):
    names = chart_names(demo_study)
    questions = demo_study.survey_questions.sort_values("position")["question_id"].unique()
    assert list(names) == list(questions)
    drawn = [name for charts in names.values() for name in charts]
    grids = demo_study.survey_questions.query("type == 'grid'")["question_id"].unique()
    declared = {a["question"] for a in demo_study.analyses if a["type"] == "awareness_use"}
    # every Likert grid once more by the declared groups; none for text or profile questions
    assert sorted(n for n in drawn if n.endswith("_by_sector")) == sorted(
        f"{q}_by_sector" for q in grids if q not in declared
    )
    kinds = demo_study.survey_questions.drop_duplicates("question_id").set_index("question_id")
    for question in kinds.index[kinds["type"].eq("text") | kinds["attribute"].notna()]:
        assert names[question] == []


def test_a_role_group_outside_the_compared_groups_is_named_not_dropped(demo_study):
    table, notes = group_likert_table(
        demo_study, "influences", groups={"Leaders": ["senior_leader", "commissioner"]}
    )
    assert set(table["group"]) <= {"Leaders", "Other"}
    left = [n for n in notes if n.startswith("Respondents in no compared group")]
    assert len(left) == 1 and "Partner agency" in left[0] and "Practitioner" in left[0]
