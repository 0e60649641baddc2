"""Framework and COM-B matrices: counts checked by hand and against independent computations."""

from __future__ import annotations

import dataclasses
import re

import pytest

from evstudy.coding import cooccurrence, primary_coder, quotes
from evstudy.matrices import (
    barrier_enabler_pairs,
    comb_codes,
    comb_matrix,
    exemplars,
    framework_matrix,
    matrix_wide,
    site_comparison,
)
from evstudy.survey import choice_table

PSEUDONYM = re.compile(r"\bP\d{3}\b")


def _speaker_codes(study, methods=("interview", "focus_group", "expert_interview")):
    """Participants' coded turns, computed straight from the tables (primary coder only)."""
    codings = study.codings[study.codings["coder"] == primary_coder(study)]
    turns = study.turns[study.turns["speaker_role"] == "participant"]
    # A coding covers every turn whose words its span overlaps (a range covers several).
    frame = codings.drop(columns="turn").merge(
        turns[["doc_id", "turn", "participant_id", "start", "end", "text"]],
        on="doc_id",
        suffixes=("", "_turn"),
    )
    frame = frame[(frame["start"] < frame["end_turn"]) & (frame["start_turn"] < frame["end"])]
    frame = frame.merge(study.documents[["doc_id", "method"]], on="doc_id")
    frame = frame[frame["method"].isin(methods)]
    frame = frame.merge(study.participants[["participant_id", "site_id", "role_group"]])
    themes = study.codebook.set_index("code_id")["theme_id"]
    return frame.assign(theme_id=frame["code_id"].map(themes))


# --- by hand, on the tiny study ----------------------------------------------------------------


def test_framework_matrix_of_the_tiny_study_by_hand(tiny_study):
    # exclude=(): every passage may be chosen (by default the main page's other views'
    # quotes are not chosen again; see test_the_main_pages_views_never_share_a_quote).
    matrix = framework_matrix(tiny_study, rows="site", exclude=()).set_index(["row", "code_id"])
    # Alpha (S1): P001 (access) and P004 (budget) in FG1; the facilitator's coding is not data.
    assert matrix.loc[("S1", "barrier"), ["participants", "segments", "base"]].tolist() == [2, 2, 2]
    assert matrix.loc[("S1", "evidence"), "participants"] == 0
    assert matrix.loc[("S1", "evidence"), "quote"] is None
    # Beta (S2): P006 (access) and P005 (research).
    assert matrix.loc[("S2", "barrier"), "share"] == 0.5
    assert matrix.loc[("S2", "evidence"), "participants"] == 1
    # Both S1 passages are short; the one whose attribution needs no coarsening wins.
    assert matrix.loc[("S1", "barrier"), "quote"] == "The paywall stops us."
    assert matrix.loc[("S1", "barrier"), "attribution"] == "Commissioner, Alpha"
    # Expert interviews have no site; survey answers are not transcripts.
    assert set(matrix.index.get_level_values("row")) == {"S1", "S2"}


def test_method_rows_include_survey_free_text(tiny_study):
    matrix = framework_matrix(tiny_study, rows="method").set_index(["row", "code_id"])
    assert list(dict.fromkeys(matrix.index.get_level_values("row"))) == [
        "focus_group",
        "expert_interview",
        "survey",
    ]
    assert matrix.loc[("survey", "barrier"), "row_label"] == "Survey free text"
    assert matrix.loc[("survey", "barrier"), "participants"] == 1
    assert matrix.loc[("focus_group", "barrier"), "participants"] == 3


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"rows": "region"}, "rows"),
        ({"level": "sub-code"}, "level"),
        ({"methods": ["telepathy"]}, "methods"),
    ],
)
def test_bad_arguments_name_the_parameter_and_options(tiny_study, kwargs, param):
    with pytest.raises(ValueError, match=rf"^`{param}` must be one of .*, but '.*' was passed"):
        framework_matrix(tiny_study, **kwargs)


# --- on the demo -------------------------------------------------------------------------------


def test_site_matrix_counts_match_the_tables(demo_study):
    matrix = framework_matrix(demo_study, rows="site")
    assert len(matrix) == len(demo_study.sites) * (demo_study.codebook["parent_id"].isna().sum())
    frame = _speaker_codes(demo_study)
    expected = frame.groupby(["site_id", "theme_id"])["participant_id"].nunique()
    got = matrix.set_index(["row", "code_id"])["participants"]
    assert got.loc[expected.index].tolist() == expected.tolist()
    base = frame.groupby("site_id")["participant_id"].nunique()
    assert matrix.groupby("row")["base"].first().loc[base.index].tolist() == base.tolist()
    assert matrix["share"].between(0, 1).all()


def test_every_exemplar_is_a_coded_passage_of_its_cell_with_a_safe_attribution(demo_study):
    matrix = framework_matrix(demo_study, rows="role_group", level="code")
    quoted = matrix.dropna(subset=["quote"])
    assert len(quoted) > 0.6 * (matrix["participants"] > 0).sum()
    # A cell with people but no exemplar: every passage there has an attribution that
    # names the speaker's site, which a role group's row would narrow (quotes() withholds
    # it there, so that a quote carries one attribution across the publication).
    shown = quotes(demo_study, context="role_group")
    shown = shown[shown["attribution"].notna() & (shown["coder"] == primary_coder(demo_study))]
    shown = shown[shown["method"].isin(["interview", "focus_group", "expert_interview"])]
    usable = set(zip(shown["role_group"], shown["code_id"], strict=True))
    empty = matrix[(matrix["participants"] > 0) & matrix["quote"].isna()]
    assert not usable & set(zip(empty["row"], empty["code_id"], strict=True))
    frame = _speaker_codes(demo_study)
    passages = frame.groupby(["role_group", "code_id"])["text_turn"].agg(list)
    # A quote is whole sentences (perhaps cut, with an ellipsis) of a turn coded to its
    # cell; a coding over several speakers' turns is quoted by the part each one said.
    assert all(
        any(
            r.quote.removesuffix(" \u2026") in text for text in passages.get((r.row, r.code_id), [])
        )
        for r in quoted.itertuples()
    ), "an exemplar is not a passage coded to its own cell"
    assert not quoted["attribution"].str.contains(PSEUDONYM).any()
    assert not quoted["quote"].str.contains(PSEUDONYM).any()


def test_exemplars_prefer_short_whole_sentences(demo_study):
    best = exemplars(demo_study, by=["code_id"], max_chars=160)
    assert best["code_id"].is_unique
    assert (best["quote"].str.len() <= 160).mean() > 0.9
    assert best["quote"].str.match(r"[\"'‘“A-Z0-9\[]").all()
    three = exemplars(demo_study, by=["code_id"], n=3)
    assert three.groupby("code_id").size().max() == 3
    with pytest.raises(ValueError, match="`by` must be one of"):
        exemplars(demo_study, by=["participant_id"])
    with pytest.raises(ValueError, match="`n` must be"):
        exemplars(demo_study, n=0)
    with pytest.raises(ValueError, match=r"^`coder` must be one of .*primary\), but 'ZZ'"):
        exemplars(demo_study, coder="ZZ")
    other = sorted(set(demo_study.codings["coder"]) - {primary_coder(demo_study), "auto"})[0]
    assert len(exemplars(demo_study, coder=other)) > 0


def test_matrix_wide_is_the_pivot_in_display_order(demo_study):
    matrix = framework_matrix(demo_study, rows="site")
    wide = matrix_wide(matrix, value="participants")
    assert list(wide.index) == list(demo_study.sites["site_name"])
    first = matrix.iloc[0]
    assert wide.loc[first["row_label"], first["label"]] == first["participants"]
    with pytest.raises(ValueError, match="`value` must be one of"):
        matrix_wide(matrix, value="quote")


def test_site_comparison_against_the_mean_of_site_shares(demo_study):
    compared = site_comparison(demo_study, site="S03", level="code").set_index("code_id")
    matrix = framework_matrix(demo_study, rows="site", level="code")
    shares = matrix.pivot(index="code_id", columns="row", values="share")
    code = "approach.reactive"
    assert compared.at[code, "mean_share"] == pytest.approx(shares.loc[code].mean())
    assert compared.at[code, "share"] == pytest.approx(shares.at[code, "S03"])
    assert compared.at[code, "rank"] == (shares.loc[code] > shares.at[code, "S03"]).sum() + 1
    assert compared["n_sites"].eq(9).all()
    with pytest.raises(ValueError, match="`site` must be one of"):
        site_comparison(demo_study, site="S99")


def test_comb_codes_survey_counts_match_the_survey_tables(demo_study):
    codes = comb_codes(demo_study).set_index("code_id")
    for question in ("barriers", "enablers"):
        reference = choice_table(demo_study, question).dropna(subset=["code"]).set_index("code")
        assert (
            codes.loc[reference.index, "survey_n"].astype(int).tolist() == reference["n"].tolist()
        )
        assert codes.loc[reference.index, "ci_low"].tolist() == pytest.approx(
            reference["ci_low"].tolist()
        )
    frame = _speaker_codes(demo_study)
    expected = frame.groupby("code_id")["participant_id"].nunique()
    assert codes.at["barrier.culture", "participants"] == expected["barrier.culture"]
    barriers = codes[codes["valence"] == "barrier"]
    assert barriers.sort_values("participants", ascending=False)["rank"].is_monotonic_increasing


def test_comb_matrix_has_twelve_cells_and_empty_ones_say_so(demo_study):
    cells = comb_matrix(demo_study)
    assert len(cells) == 12
    assert cells[["comb", "valence"]].drop_duplicates().shape[0] == 12
    empty = cells[cells["codes"] == 0]
    assert set(empty["comb"]) == {"physical_capability"}  # the codebook maps nothing there
    assert empty["participants"].eq(0).all() and empty["quote"].isna().all()
    full = cells[cells["codes"] > 0]
    assert (full["participants"] >= full["leading_participants"]).all()
    assert full["quote"].notna().all()
    # Respondents choosing any physical-opportunity barrier, from the answers directly.
    codes = comb_codes(demo_study)
    wanted = codes.loc[
        (codes["comb"] == "physical_opportunity") & (codes["valence"] == "barrier"), "code_id"
    ]
    answers = demo_study.survey_answers
    chose = answers[answers["code"].isin(wanted)]["respondent_id"].nunique()
    cell = cells[(cells["comb"] == "physical_opportunity") & (cells["valence"] == "barrier")]
    assert cell["survey_n"].iloc[0] == chose


def test_barrier_enabler_pairs_agree_with_cooccurrence(demo_study):
    pairs = barrier_enabler_pairs(demo_study)
    table = cooccurrence(demo_study, codes=["barrier", "enabler"], unit="document")
    first = pairs.iloc[0]
    assert first["n"] == table.loc[first["barrier"], first["enabler"]]
    assert first["n"] == pairs["n"].max()
    assert first["jaccard"] == pytest.approx(
        first["n"] / (first["n_barrier"] + first["n_enabler"] - first["n"])
    )
    assert len(pairs) == 9 * 9
    assert pairs["barrier"].str.startswith("barrier.").all()
    assert pairs["enabler"].str.startswith("enabler.").all()
    assert list(pairs.columns) == [
        "barrier",
        "barrier_label",
        "enabler",
        "enabler_label",
        "n",
        "n_barrier",
        "n_enabler",
        "jaccard",
    ]


def test_barrier_enabler_pairs_follow_the_codes_valence_not_their_theme(demo_study):
    book = demo_study.codebook
    moved = book.assign(
        valence=book["valence"].mask(book["code_id"] == "emergent.workforce", "barrier")
    )
    study = dataclasses.replace(demo_study, codebook=moved)
    pairs = barrier_enabler_pairs(study)
    assert len(pairs) == 10 * 9
    workforce = pairs[pairs["barrier"] == "emergent.workforce"]
    table = cooccurrence(demo_study, codes=["emergent", "enabler"], unit="document")
    assert len(workforce) == 9
    assert workforce.set_index("enabler")["n"].to_dict() == {
        e: table.at["emergent.workforce", e] for e in workforce["enabler"]
    }
    none = dataclasses.replace(demo_study, codebook=book.assign(valence=None))
    assert barrier_enabler_pairs(none).empty


def test_exemplars_never_repeat_a_quote_and_skip_excluded_ones(demo_study):
    from evstudy.coding import published_words

    best = exemplars(demo_study, by=["site_id", "code_id"])
    words = best["quote"].map(published_words)
    # A passage coded to two codes is the exemplar of one of them only.
    assert words.is_unique
    loose = exemplars(demo_study, by=["method", "code_id"], n=3, distinct=False)
    assert not loose["quote"].map(published_words).is_unique
    strict = exemplars(demo_study, by=["method", "code_id"], n=3)
    assert strict["quote"].map(published_words).is_unique
    assert strict.groupby(["method", "code_id"]).size().max() == 3
    # A quote the page already shows is never chosen again: its group takes its next best.
    shown = list(best["quote"].iloc[:5])
    again = exemplars(demo_study, by=["site_id", "code_id"], exclude=shown)
    assert not set(again["quote"].map(published_words)) & {published_words(q) for q in shown}
    first = best.iloc[0]
    mine = again[(again["site_id"] == first["site_id"]) & (again["code_id"] == first["code_id"])]
    assert len(mine) <= 1 and (mine["quote"] != first["quote"]).all()


def test_the_main_pages_views_never_share_a_quote(demo_study):
    from evstudy.coding import published_words
    from evstudy.matrices import PAGE_VIEWS, comb_matrix, page_exclusions
    from evstudy.sections import section_exemplars

    views = {
        "codes": section_exemplars(demo_study)["quote"],
        "comb": comb_matrix(demo_study)["quote"],
        **{
            r: framework_matrix(demo_study, rows=r)["quote"]
            for r in ("site", "role_group", "method")
        },
    }
    seen: dict[str, str] = {}
    for view, shown in views.items():
        for quote in shown.dropna():
            key = published_words(quote)
            assert key not in seen, (view, seen.get(key), quote)
            seen[key] = view
    # Every view's quotes are among what page_exclusions() reports for the whole page.
    everything = {published_words(q) for q in page_exclusions(demo_study)}
    assert set(seen) <= everything
    assert PAGE_VIEWS[0] == "codes"
    assert page_exclusions(demo_study, "codes") == []
    # Without the exclusions the role-group matrix would repeat quotes of the views
    # before it.
    alone = framework_matrix(demo_study, rows="role_group", exclude=())["quote"].dropna()
    assert {published_words(q) for q in alone} & (
        everything - {published_words(q) for q in views["role_group"].dropna()}
    )
