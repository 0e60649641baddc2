"""The review's flow counts, findings by theme and gaps, on the demo and on hand-made tables."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest

from evstudy.review import findings_by_theme, included_by, literature_gaps, prisma_flow
from evstudy.triangulation import joint_display


def test_prisma_flow_counts_the_demo_register(demo_study):
    flow = prisma_flow(demo_study)
    sources = demo_study.review_sources
    assert flow.iloc[0].tolist() == ["screened", "", len(sources)]
    assert flow.iloc[-1].tolist() == ["included", "", 4]
    excluded = flow[flow["stage"] == "excluded"]
    assert excluded["n"].sum() + 4 == len(sources)
    # the reason two sources share comes first
    assert excluded.iloc[0].tolist() == [
        "excluded",
        "not about designing or commissioning services",
        2,
    ]


def test_included_by_type_and_year(demo_study):
    by_type = included_by(demo_study, by="type")
    assert by_type.to_dict("list") == {
        "type": ["peer-reviewed", "grey literature"],
        "n": [1, 3],
    }
    by_year = included_by(demo_study, by="year")
    assert by_year["year"].tolist() == [2017, 2019, "n.d."]  # undated last
    assert by_year["n"].tolist() == [1, 2, 1]
    with pytest.raises(ValueError, match="`by` must be one of"):
        included_by(demo_study, by="decade")


def test_findings_by_theme_counts_sources_and_their_quality(demo_study):
    table = findings_by_theme(demo_study).set_index("code_id")
    budget = table.loc["barrier.budget"]
    # budget is raised by all four included sources: one high, two moderate, one low
    assert (budget["n_sources"], budget["high"], budget["moderate"], budget["low"]) == (
        4,
        1,
        2,
        1,
    )
    assert "Atkins et al. (2017)" in budget["sources"]
    assert (table[["high", "moderate", "low"]].sum(axis=1) == table["n_sources"]).all()
    findings = demo_study.review_findings
    expected = findings.groupby("code_id")["finding_id"].nunique()
    assert table["n_findings"].to_dict() == expected.to_dict()
    order = list(demo_study.codebook["code_id"])
    assert list(table.index) == sorted(table.index, key=order.index)


def test_gaps_follow_their_definition(demo_study):
    jd = joint_display(demo_study)
    gaps = literature_gaps(demo_study, display=jd)
    lit = gaps[gaps["gap"] == "literature, not fieldwork"]
    field = gaps[gaps["gap"] == "fieldwork, not literature"]
    # On the demo: sources with a finding on a code that the fieldwork places low, most
    # sources first. The fieldwork's tier now comes from the interviews' and focus groups'
    # own tiers (issue 20: never pooled shares): influence.political is low in the
    # interviews and typical in the focus groups, so it joins; enabler.summaries, low only
    # in the pooled shares, leaves.
    assert lit[["code_id", "literature_n", "qual_tier"]].values.tolist() == [
        ["influence.cost", 3, "low"],
        ["approach.partnership", 2, "low"],
        ["influence.local_fit", 2, "low"],
        ["influence.political", 1, "low"],
        ["barrier.political", 1, "low"],
    ]
    # Raised unprompted by participants and by no included source: 20 codes, most raised
    # first. The Guidebook and the Evidence Store (and their strengths and weaknesses) are
    # asked about by name in every topic guide, so they are in neither list.
    assert len(field) == 20 and (field["literature_n"] == 0).all()
    assert field["code_id"].head(3).tolist() == [
        "approach.cycle",
        "enabler.belief",
        "influence.partners",
    ]
    assert not set(gaps["code_id"]) & {"toolkit.eif_guidebook", "toolkit.weakness"}
    assert field["qual_n"].head(3).tolist() == [68, 60, 59]
    assert field["qual_n"].is_monotonic_decreasing and field["qual_n"].iloc[-1] == 8
    # a code the review and the fieldwork both give weight is in neither list
    assert "barrier.budget" not in set(gaps["code_id"])
    # the emergent themes came from the fieldwork; the review has nothing on them
    assert {"emergent.workforce", "emergent.data_systems", "emergent.equity"} <= set(
        field["code_id"]
    )


def test_a_study_without_a_review_gives_empty_counts(demo_study):
    bare = dataclasses.replace(
        demo_study, review_sources=pd.DataFrame(), review_findings=pd.DataFrame()
    )
    assert prisma_flow(bare)["n"].tolist() == [0, 0]
    assert findings_by_theme(bare).empty
    jd = joint_display(bare)
    assert jd["literature_convergence"].eq("silence").all()
    assert (literature_gaps(bare, display=jd)["gap"] == "fieldwork, not literature").all()


def _ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z']+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_findings_are_in_our_own_words(demo_study, shared_dir):
    seeds = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted(shared_dir.glob("seeds/00[234]*"))
    )
    copied = _ngrams(seeds, 7)
    for finding in demo_study.review_findings["finding"].unique():
        assert not _ngrams(finding, 7) & copied, finding
