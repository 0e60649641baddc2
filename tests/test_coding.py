"""Coded-segment retrieval: quotes and their k-anonymous attributions, matrices, co-occurrence."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from evstudy.coding import code_matrix, coded_segments, cooccurrence, primary_coder, quotes


def test_attributions_coarsen_exactly_as_the_rules_say(tiny_study):
    table = quotes(tiny_study, k=3).set_index("participant_id", drop=False)
    expected = {
        "P001": ("Commissioner, Alpha", 0),  # three commissioners at Alpha
        "P004": ("Staff, Alpha", 1),  # one practitioner, but four people at Alpha
        "P006": ("Commissioner, a site", 2),  # Beta has two people; four commissioners
        "P005": ("Staff, a site", 3),  # two practitioners, two people at Beta
        "P007": ("Interviewee", 3),  # only two experts
    }
    for pid, (attribution, level) in expected.items():
        assert (table.loc[pid, "attribution"], table.loc[pid, "attribution_level"]) == (
            attribution,
            level,
        )
    survey = quotes(tiny_study, method="survey").iloc[0]
    assert (survey["attribution"], survey["attribution_level"]) == ("Survey respondent", 3)
    assert survey["respondent_id"] == "R001"
    # With k = 1 nothing needs coarsening.
    loose = quotes(tiny_study, k=1, labels={"commissioner": "Commissioner (LA)"})
    assert set(loose["attribution_level"]) == {0}
    assert "Commissioner (LA), Beta" in set(loose["attribution"])
    assert "Survey respondent (Commissioner (LA)), Alpha" in set(loose["attribution"])
    assert "Expert interviewee" in set(loose["attribution"])


def test_quotes_never_include_the_teams_words(tiny_study):
    table = quotes(tiny_study)
    assert "Any paywall issues?" not in set(table["text"])
    assert len(table) == 6


def test_quote_filters_and_theme_expansion(demo_study):
    everything = quotes(demo_study)
    barriers = quotes(demo_study, code="barrier")
    assert set(barriers["code_id"]) == set(
        demo_study.codebook.loc[demo_study.codebook["theme_id"] == "barrier", "code_id"]
    ) - {"barrier"}
    assert len(barriers) == everything["code_id"].str.startswith("barrier.").sum()
    some = quotes(demo_study, code=["barrier.budget"], site=["S01", "S02"], method="interview")
    assert len(some) > 0
    assert set(some["site_id"]) <= {"S01", "S02"} and set(some["method"]) == {"interview"}
    assert set(quotes(demo_study, role_group="expert")["attribution"]) == {"Expert interviewee"}
    for kwargs in ({"code": "barrier.moon"}, {"site": "S99"}, {"method": "séance"}):
        with pytest.raises(ValueError, match=r"must be one of .*, but '.*' was passed"):
            quotes(demo_study, **kwargs)
    with pytest.raises(ValueError, match="`k` must be"):
        quotes(demo_study, k=0)


def test_demo_quotes_are_only_participants_words(demo_study):
    table = quotes(demo_study)
    roles = table.merge(coded_segments(demo_study)[["coding_id", "speaker_role"]], on="coding_id")
    assert set(roles["speaker_role"]) <= {"participant", "respondent"}
    assert table["participant_id"].notna().sum() + table["respondent_id"].notna().sum() == len(
        table
    )


def test_attributions_are_k_anonymous_and_carry_no_pseudonym_or_name(demo_study, demo_raw):
    k = 3
    table = quotes(demo_study, k=k)
    names = pd.read_excel(demo_raw / "register.xlsx")["Name"]
    words = {w for name in names for w in name.split() if len(w) > 2}
    for attribution in set(table["attribution"]):
        assert not re.search(r"\b[PR]\d{2,}\b", attribution), attribution
        assert not words & set(re.findall(r"[\w']+", attribution)), attribution
    people = demo_study.participants
    cells = people.groupby(["site_id", "role_group"]).size()
    full = table[(table["attribution_level"] == 0) & table["participant_id"].notna()]
    full = full[full["role_group"] != "expert"]
    assert len(full) > 0
    for site, group in full[["site_id", "role_group"]].drop_duplicates().itertuples(index=False):
        assert cells[(site, group)] >= k
    sites = people.groupby("site_id").size()
    staff = table[table["attribution_level"] == 1]
    assert len(staff) > 0 and all(sites[s] >= k for s in staff["site_id"] if s in sites)
    # The demo has cells of one or two people, so some attributions must have been coarsened.
    assert (table["attribution_level"] > 0).any()


def test_code_matrix_totals_equal_the_codings(demo_study, tiny_study):
    codings = demo_study.codings
    for rows in ("site", "role_group", "method", "document"):
        matrix = code_matrix(demo_study, rows=rows)
        assert int(matrix.to_numpy().sum()) == len(codings)
        assert matrix.sum().to_dict() == codings["code_id"].value_counts().to_dict()
    primary = code_matrix(demo_study, coder="primary")
    assert primary_coder(demo_study) == "CD"
    assert int(primary.to_numpy().sum()) == (codings["coder"] == "CD").sum()
    docs = code_matrix(demo_study, rows="method", count="documents", codes="toolkit")
    truth = demo_study.codings.merge(demo_study.documents[["doc_id", "method"]], on="doc_id")
    truth = truth[truth["code_id"] == "toolkit.nice"].groupby("method")["doc_id"].nunique()
    assert docs["toolkit.nice"][docs["toolkit.nice"] > 0].to_dict() == truth.to_dict()
    people = code_matrix(tiny_study, rows="site", count="participants")
    assert people.loc["S1", "barrier.access"] == 1  # P001 only; the facilitator is no one
    with pytest.raises(ValueError, match="`rows` must be one of"):
        code_matrix(demo_study, rows="colour")
    with pytest.raises(ValueError, match="`coder` must be one of"):
        code_matrix(demo_study, coder="ZZ")


def test_cooccurrence_is_symmetric_with_the_right_diagonal(demo_study):
    cd = demo_study.codings[demo_study.codings["coder"] == "CD"]
    for unit, keys in (("turn", ["doc_id", "turn"]), ("document", ["doc_id"])):
        table = cooccurrence(demo_study, unit=unit)
        assert (table.to_numpy() == table.to_numpy().T).all()
        diagonal = cd.drop_duplicates([*keys, "code_id"])["code_id"].value_counts()
        assert pd.Series(np.diag(table), index=table.index).to_dict() == diagonal.to_dict()
        # A pair's count by brute force.
        a, b = "toolkit.eif_guidebook", "toolkit.wwcsc_store"
        units_a = set(map(tuple, cd.loc[cd["code_id"] == a, keys].to_numpy()))
        units_b = set(map(tuple, cd.loc[cd["code_id"] == b, keys].to_numpy()))
        assert table.loc[a, b] == len(units_a & units_b) > 0
    segments = cooccurrence(demo_study)
    assert (segments.to_numpy() == segments.to_numpy().T).all()
    assert np.diag(segments).sum() == len(cd)


def test_cooccurrence_of_overlapping_segments_by_hand(tiny_study):
    study = tiny_study
    extra = study.codings.iloc[[1]].assign(coding_id="K00099", code_id="evidence.research")
    study = dataclasses.replace(study, codings=pd.concat([study.codings, extra]))
    table = cooccurrence(study, unit="segment", coder=None)
    assert table.loc["barrier.access", "evidence.research"] == 1
    assert table.loc["evidence.research", "barrier.access"] == 1
    assert table.loc["barrier.access", "barrier.access"] == 4
    with pytest.raises(ValueError, match="`unit` must be one of"):
        cooccurrence(study, unit="sentence")
