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
    experts = quotes(demo_study, role_group="expert")
    # Words an expert and a site participant both said are withheld (level 4) everywhere.
    assert set(experts.loc[experts["attribution_level"] < 4, "attribution"]) == {
        "Expert interviewee"
    }
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
    # Level 4: words that people of two populations said alike, withheld everywhere.
    assert table["attribution"].isna().eq(table["attribution_level"] == 4).all()
    table = table[table["attribution"].notna()]
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


def _covered_turns(study, codings):
    """(coding, turn) for every turn whose words a coding's span overlaps, from the tables."""
    hits = codings.drop(columns="turn").merge(
        study.turns[["doc_id", "turn", "start", "end"]],
        on="doc_id",
        suffixes=("", "_turn"),
    )
    return hits[(hits["start"] < hits["end_turn"]) & (hits["start_turn"] < hits["end"])]


def test_code_matrix_totals_equal_the_codings(demo_study, tiny_study):
    codings = demo_study.codings
    # A focus-group passage over two turns is one coding in its document, method and site.
    for rows in ("site", "method", "document"):
        matrix = code_matrix(demo_study, rows=rows)
        assert int(matrix.to_numpy().sum()) == len(codings)
        assert matrix.sum().to_dict() == codings["code_id"].value_counts().to_dict()
    # By role group it counts once in each role group its speakers belong to.
    segments = coded_segments(demo_study)
    reached = segments.assign(g=segments["role_group"].fillna("(no site)"))
    reached = reached.drop_duplicates(["coding_id", "g"])
    matrix = code_matrix(demo_study, rows="role_group")
    assert int(matrix.to_numpy().sum()) == len(reached) >= len(codings)
    assert matrix.sum().to_dict() == reached["code_id"].value_counts().to_dict()
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
    codings = demo_study.codings[demo_study.codings["coder"] == "CD"]
    # A coding is in every turn whose words it overlaps (a range of turns is in each).
    covered = _covered_turns(demo_study, codings)
    for unit, keys in (("turn", ["doc_id", "turn"]), ("document", ["doc_id"])):
        cd = covered if unit == "turn" else codings
        table = cooccurrence(demo_study, unit=unit)
        assert (table.to_numpy() == table.to_numpy().T).all()
        diagonal = cd.drop_duplicates([*keys, "code_id"])["code_id"].value_counts()
        assert pd.Series(np.diag(table), index=table.index).to_dict() == diagonal.to_dict()
        # A pair's count by brute force.
        a, b = "toolkit.eif_guidebook", "toolkit.wwcsc_store"
        units_a = set(map(tuple, cd.loc[cd["code_id"] == a, keys].to_numpy()))
        units_b = set(map(tuple, cd.loc[cd["code_id"] == b, keys].to_numpy()))
        assert table.loc[a, b] == len(units_a & units_b) > 0
    segments = cooccurrence(demo_study, unit="segment")
    assert (segments.to_numpy() == segments.to_numpy().T).all()
    assert np.diag(segments).sum() == len(codings)


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


def _with_span(study, doc_id, start, end, code="evidence.research", turn=None):
    """``study`` with one more CD coding over ``start``-``end`` of ``doc_id``'s text."""
    turns = study.turns[study.turns["doc_id"] == doc_id].set_index("turn")
    # The tiny study's canonical text: each turn's words at its offsets, dots between.
    text = "".join(
        "." * (row.start - offset) + row.text
        for offset, row in zip([0, *turns["end"][:-1]], turns.itertuples(), strict=True)
    )
    extra = pd.DataFrame(
        {
            "coding_id": ["K00099"],
            "doc_id": [doc_id],
            "code_id": [code],
            "turn": pd.array([turn], dtype="Int64"),
            "start": [start],
            "end": [end],
            "text": [text[start:end]],
            "coder": ["CD"],
        }
    )
    codings = pd.concat([study.codings, extra], ignore_index=True)
    return dataclasses.replace(study, codings=codings)


def test_a_passage_over_two_participants_turns_is_a_segment_for_each(tiny_study):
    # FG1: turn 2 is P001's "The paywall stops us." at 110-131, turn 3 P004's
    # "Journal access is patchy." at 210-235. A range 2-3 is placed as 110-235.
    study = _with_span(tiny_study, "FG1", 110, 235, turn=2)
    segments = coded_segments(study)
    mine = segments[segments["coding_id"] == "K00099"]
    assert mine[["turn", "participant_id", "start", "end", "text"]].to_dict("records") == [
        {
            "turn": 2,
            "participant_id": "P001",
            "start": 110,
            "end": 131,
            "text": "The paywall stops us.",
        },
        {
            "turn": 3,
            "participant_id": "P004",
            "start": 210,
            "end": 235,
            "text": "Journal access is patchy.",
        },
    ]
    # The other codings are one row each, unchanged.
    others = segments[segments["coding_id"] != "K00099"]
    assert others["coding_id"].tolist() == tiny_study.codings["coding_id"].tolist()
    assert others[["start", "end", "turn"]].to_numpy().tolist() == (
        tiny_study.codings[["start", "end", "turn"]].to_numpy().tolist()
    )

    # Each participant's own words, with their own attribution (S1 holds three
    # commissioners but one practitioner, so P004 is "Staff, Alpha").
    found = quotes(study, code="evidence.research", site="S1")
    assert found[["participant_id", "text", "attribution"]].to_numpy().tolist() == [
        ["P001", "The paywall stops us.", "Commissioner, Alpha"],
        ["P004", "Journal access is patchy.", "Staff, Alpha"],
    ]
    # Both people count; the passage is one coding in its site and once in each role group.
    people = code_matrix(study, rows="role_group", count="participants")
    assert people.loc["commissioner", "evidence.research"] == 1
    assert people.loc["practitioner", "evidence.research"] == 2  # P004, and P005 in FG2
    sites = code_matrix(study, rows="site", codes="evidence.research")
    assert sites["evidence.research"].to_dict() == {"S1": 1, "S2": 1}
    groups = code_matrix(study, rows="role_group", codes="evidence.research")
    assert groups["evidence.research"].to_dict() == {"commissioner": 1, "practitioner": 2}
    # It overlaps the access coding of turn 2 and the budget coding of turn 3, once each,
    # and is one coding on the diagonal.
    table = cooccurrence(study, unit="segment", coder=None)
    assert table.loc["evidence.research", "barrier.access"] == 1
    assert table.loc["evidence.research", "barrier.budget"] == 1
    assert table.loc["evidence.research", "evidence.research"] == 2
    by_turn = cooccurrence(study, unit="turn", coder=None)
    assert by_turn.loc["evidence.research", "barrier.budget"] == 1


def test_a_span_from_the_facilitators_turn_quotes_only_the_participant(tiny_study):
    # From "paywall issues?" (turn 1, 14-29) to "The paywall" (turn 2, 110-121); no turn.
    study = _with_span(tiny_study, "FG1", 14, 121)
    mine = coded_segments(study).query("coding_id == 'K00099'")
    assert mine[["turn", "speaker_role", "start", "end"]].to_numpy().tolist() == [
        [1, "Facilitator", 14, 29],
        [2, "participant", 110, 121],
    ]
    found = quotes(study, code="evidence.research", site="S1")
    # The quote is the participant's whole sentence; the coder's span is kept beside it.
    assert found["text"].tolist() == ["The paywall stops us."]
    assert found["coded_text"].tolist() == ["The paywall"]


def test_a_span_within_one_turn_is_one_segment_with_its_turn_filled(tiny_study):
    study = _with_span(tiny_study, "FG2", 212, 222)  # inside "Money is tight." (210-225)
    mine = coded_segments(study).query("coding_id == 'K00099'")
    assert mine[["turn", "participant_id", "start", "end"]].to_numpy().tolist() == [
        [3, "P006", 212, 222]
    ]
    # Over the gap between turns only (a label, in a real transcript): one row, the turn
    # the span starts in.
    study = _with_span(tiny_study, "FG2", 140, 160)
    mine = coded_segments(study).query("coding_id == 'K00099'")
    assert mine[["turn", "start", "end"]].to_numpy().tolist() == [[2, 140, 160]]


def _same_words(study, doc: str, turn: int, text: str):
    """``study`` with turn ``turn`` of ``doc`` (and its codings) saying ``text`` instead."""
    turns = study.turns.copy()
    at = (turns["doc_id"] == doc) & (turns["turn"] == turn)
    turns.loc[at, "text"] = text
    turns.loc[at, "end"] = turns.loc[at, "start"] + len(text)
    codings = study.codings.copy()
    coded = (codings["doc_id"] == doc) & (codings["turn"] == turn)
    codings.loc[coded, "text"] = text
    codings.loc[coded, "end"] = codings.loc[coded, "start"] + len(text)
    return dataclasses.replace(study, turns=turns, codings=codings)


def test_a_passage_has_one_attribution_with_and_without_a_page_context(tiny_study):
    # k = 2: P004 is Alpha's one practitioner (cell 1), but Alpha holds four people and
    # there are two practitioners. "Staff, Alpha" on Alpha's page and "Practitioner, a
    # site" in a practitioners' row would together say "the practitioner at Alpha".
    shown = {}
    for context in (None, "site", "role_group", ["site", "role_group"]):
        found = quotes(tiny_study, k=2, context=context).set_index("participant_id")
        shown[str(context)] = found.loc["P004", ["attribution", "attribution_level"]].tolist()
    assert shown == {
        "None": ["Staff, Alpha", 1],
        "site": ["Staff, Alpha", 1],
        "role_group": [None, 4],  # a practitioners' row would add the role group: not shown
        "['site', 'role_group']": [None, 4],
    }
    # Where nothing is coarsened, every context shows the same attribution.
    for context in (None, "site", "role_group"):
        found = quotes(tiny_study, k=2, context=context).set_index("participant_id")
        assert found.loc["P001", "attribution"] == "Commissioner, Alpha"


def test_the_same_words_said_by_two_people_get_one_attribution(tiny_study):
    # P005 (Beta's practitioner) says P001's words. k = 3: P001 alone would be
    # "Commissioner, Alpha" and P005 "Staff, a site"; the words name only what both allow.
    study = _same_words(tiny_study, "FG2", 2, "The paywall stops us.")
    found = quotes(study, k=3)
    same = found[found["text"] == "The paywall stops us."]
    assert set(same["participant_id"]) == {"P001", "P005"}
    assert set(same["attribution"]) == {"Staff, a site"}
    assert set(same["attribution_level"]) == {3}
    # The others keep their own.
    assert found.set_index("participant_id").loc["P004", "attribution"] == "Staff, Alpha"
    # Two commissioners of Alpha... k = 1: both name everything, but the sites differ.
    loose = quotes(study, k=1)
    assert set(loose.loc[loose["text"] == "The paywall stops us.", "attribution"]) == {
        "Staff, a site"
    }
    # Words an expert and a site participant both said are withheld everywhere.
    mixed = _same_words(tiny_study, "EXP1", 2, "The paywall stops us.")
    rows = quotes(mixed, k=1)
    rows = rows[rows["text"] == "The paywall stops us."]
    assert rows["attribution"].isna().all() and set(rows["attribution_level"]) == {4}


def test_who_said_no_to_being_quoted_is_never_quoted_but_still_counts(tiny_study):
    people = tiny_study.participants.assign(quote_consent=[False] + [True] * 7)
    study = dataclasses.replace(tiny_study, participants=people)
    for context in (None, "site", "role_group"):
        assert "P001" not in set(quotes(study, context=context)["participant_id"])
    assert "The paywall stops us." not in set(quotes(study)["text"])
    # P001's coding still counts: one participant with barrier.access at Alpha, as before.
    before = code_matrix(tiny_study, rows="site", count="participants")
    after = code_matrix(study, rows="site", count="participants")
    assert after.loc["S1", "barrier.access"] == before.loc["S1", "barrier.access"] == 1


# -- quotes are whole sentences, one per passage ----------------------------------------------


def test_whole_sentences_widen_a_span_to_its_sentences():
    from evstudy.coding import sentence_spans, whole_sentences

    text = "We tried it. The budget went on agency staff, so nothing was left. It hurt."
    assert sentence_spans(text) == [(0, 12), (13, 66), (67, 75)]
    # "agency staff" (36-48) sits in the second sentence: the quote is that sentence.
    assert whole_sentences(text, 36, 48) == (
        "The budget went on agency staff, so nothing was left.",
        13,
        66,
    )
    # A span from the middle of the first into the second takes both, whole.
    assert (
        whole_sentences(text, 3, 20)[0]
        == "We tried it. The budget went on agency staff, so nothing was left."
    )
    # A span starting in the space between sentences belongs to the next one.
    assert whole_sentences(text, 12, 20)[0].startswith("The budget")


def test_whole_sentences_cap_the_length_and_mark_the_cut():
    from evstudy.coding import whole_sentences

    text = "First point here. Second point is longer than that. Third."
    # Too long for all three (59 characters): whole sentences are dropped from the end.
    assert whole_sentences(text, 0, len(text), max_chars=40) == ("First point here. \u2026", 0, 17)
    # A first sentence longer than the cap is cut at a word.
    quote, a, b = whole_sentences("One two three four five six seven.", 0, 34, max_chars=16)
    assert quote == "One two three \u2026"
    assert len(quote) <= 16 and (a, b) == (0, 13)


def test_demo_quotes_are_one_per_passage_whole_sentences_and_capped(demo_study):
    from evstudy.coding import MAX_QUOTE_CHARS

    table = quotes(demo_study)
    # A passage both coders coded is one quote, naming both coders.
    key = ["doc_id", "code_id", "participant_id", "respondent_id", "text"]
    assert not table.duplicated(key).any()
    assert (table["coders"] == "CD, VT").sum() > 50
    assert set(table["coder"]) == {"CD", "VT"}
    # Each coder alone still has their own passages.
    assert len(quotes(demo_study, coder="VT")) > (table["coders"].str.contains("VT")).sum() // 2
    # Whole sentences: a capital, a digit or an opening quotation mark first; never a
    # fragment, and never longer than the cap; a cut ends with an ellipsis.
    assert table["text"].str.match(r"[\"'‘“A-Z0-9\[(]").all()
    assert (table["text"].str.len() <= MAX_QUOTE_CHARS).all()
    cut = table["text"].str.endswith("\u2026")
    assert cut.any()
    assert table.loc[~cut, "text"].str.contains(r"[.!?…][\"'’”)]*$").mean() > 0.95
    # The coder's words are inside the quote unless it was cut.
    inside = [c.strip() in t for c, t in zip(table["coded_text"], table["text"], strict=True)]
    assert np.mean(np.array(inside)[~cut.to_numpy()]) > 0.95
