"""The notebook API's filters: ids or names, any case or accent, and one did-you-mean error."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from evstudy import casestudy
from evstudy.coding import code_matrix, cooccurrence, expand_codes, quotes
from evstudy.filters import choices, resolve, resolve_one
from evstudy.matrices import exemplars, framework_matrix, site_comparison
from evstudy.saturation import saturation_curve, saturation_summary, saturation_table

# --- the resolver, by hand ----------------------------------------------------------------------


def test_ids_then_names_any_case_accent_or_separator(tiny_study):
    assert resolve_one(tiny_study, "site", "S1") == "S1"
    assert resolve_one(tiny_study, "site", " alpha ") == "S1"
    assert resolve_one(tiny_study, "site", "BÉTA") == "S2"  # accents do not matter
    assert resolve_one(tiny_study, "method", "Focus group") == "focus_group"
    assert resolve_one(tiny_study, "method", "focus-group") == "focus_group"
    assert resolve_one(tiny_study, "code", "access") == "barrier.access"  # a label
    assert resolve_one(tiny_study, "role_group", "Commissioner") == "commissioner"
    assert resolve_one(tiny_study, "coder", "cd") == "CD"
    assert resolve(tiny_study, "site", ["Alpha", "S1", "beta"]) == ["S1", "S2"]
    assert resolve(tiny_study, "site", None) == []


def test_an_id_wins_over_a_name_that_spells_another_id(tiny_study):
    # Site S2 is *named* "S1": the id S1 still means site S1.
    sites = pd.DataFrame({"site_id": ["S1", "S2"], "site_name": ["Alpha", "S1"]})
    odd = dataclasses.replace(tiny_study, sites=sites)
    assert resolve_one(odd, "site", "S1") == "S1"


def test_a_name_shared_by_two_codes_asks_for_an_id(tiny_study):
    book = tiny_study.codebook.copy()
    book.loc[book["code_id"] == "evidence.research", "label"] = "Access"
    twice = dataclasses.replace(tiny_study, codebook=book)
    with pytest.raises(ValueError, match=r"^`code` 'access' is the name of 2 of codebook's 5"):
        resolve_one(twice, "code", "access")


def test_the_error_lists_ten_or_fewer_options_and_suggests_the_closest(tiny_study):
    with pytest.raises(ValueError) as info:
        resolve_one(tiny_study, "site", "Alpah")
    assert str(info.value) == (
        "`site` must be one of the study's 2 sites (S1 Alpha, S2 Beta), but 'Alpah' was "
        "passed; did you mean 'Alpha' (S1)?"
    )
    with pytest.raises(ValueError) as info:
        resolve_one(tiny_study, "coder", "QQ")
    assert str(info.value) == (
        "`coder` must be one of the study's 2 coders (CD, primary), but 'QQ' was passed"
    )


def test_eleven_options_are_not_listed(tiny_study):
    sites = pd.DataFrame(
        {"site_id": [f"S{i}" for i in range(1, 12)], "site_name": [f"Town {i}" for i in range(11)]}
    )
    many = dataclasses.replace(tiny_study, sites=sites)
    with pytest.raises(ValueError) as info:
        resolve_one(many, "site", "Town 44")
    message = str(info.value)
    assert message.startswith("`site` must be one of the study's 11 sites, but 'Town 44' was")
    assert "(S1 " not in message and "did you mean 'Town 4' (S5)" in message


def test_choices_are_the_studys_own_in_display_order(tiny_study):
    assert choices(tiny_study, "site").to_dict("list") == {
        "id": ["S1", "S2"],
        "name": ["Alpha", "Beta"],
    }
    methods = choices(tiny_study, "method")
    assert list(methods["id"]) == ["focus_group", "expert_interview", "survey"]
    with pytest.raises(ValueError, match="`param` must be one of"):
        choices(tiny_study, "colour")


# --- on the demo --------------------------------------------------------------------------------


def _first_name(study, param):
    row = choices(study, param).iloc[0]
    return row["id"], row["name"]


@pytest.mark.parametrize("param", ["site", "role_group", "method"])
def test_quotes_filter_by_name_as_by_id(demo_study, param):
    for row in choices(demo_study, param).itertuples():
        by_id = quotes(demo_study, **{param: row.id})
        by_name = quotes(demo_study, **{param: row.name.upper()})
        assert len(by_id) and by_name.equals(by_id), row


def test_the_issues_three_filters_by_name(demo_study):
    found = quotes(demo_study, site="Saltmere", role_group="Commissioner", method="Focus group")
    assert len(found) > 0
    assert set(found["site_id"]) == {"S03"} and set(found["role_group"]) == {"commissioner"}
    assert set(found["method"]) == {"focus_group"}


def test_a_mistyped_site_gets_the_issues_message(demo_study):
    with pytest.raises(ValueError) as info:
        quotes(demo_study, site="Saltmre")
    message = str(info.value)
    assert message.startswith("`site` must be one of the study's 9 local authorities (S01 ")
    assert message.endswith("but 'Saltmre' was passed; did you mean 'Saltmere' (S03)?")


def test_a_mistyped_code_suggests_without_listing_every_code(demo_study):
    with pytest.raises(ValueError) as info:
        quotes(demo_study, code="barrier.acess")
    message = str(info.value)
    assert message.startswith("`code` must be one of the codebook's 57 codes, but 'barrier.acess'")
    # One suggestion: the others are far from it.
    assert message.endswith("did you mean 'Difficulty accessing research' (barrier.access)?")
    ids = set(demo_study.codebook["code_id"])
    named = {w for w in re.findall(r"[\w.]+", message) if w in ids and "." in w}
    assert 1 <= len(named) <= 3  # the closest, never all 57


def test_every_public_filter_takes_names(demo_study):
    site_id, site_name = "S03", "Saltmere"
    theme = demo_study.codebook.set_index("code_id").at["barrier", "label"]
    assert expand_codes(demo_study, theme) == expand_codes(demo_study, "barrier")
    assert code_matrix(demo_study, codes=theme).equals(code_matrix(demo_study, codes="barrier"))
    assert cooccurrence(demo_study, codes=theme.upper()).equals(
        cooccurrence(demo_study, codes="barrier")
    )
    assert site_comparison(demo_study, site=site_name).equals(
        site_comparison(demo_study, site=site_id)
    )
    assert framework_matrix(demo_study, rows="method", methods=["Focus group"]).equals(
        framework_matrix(demo_study, rows="method", methods=["focus_group"])
    )
    assert exemplars(demo_study, methods=["Interview"]).equals(
        exemplars(demo_study, methods=["interview"])
    )
    assert saturation_table(demo_study, method="Focus group").equals(
        saturation_table(demo_study, method="focus_group")
    )
    assert casestudy.key_quotes(demo_study, site=site_name.lower()).equals(
        casestudy.key_quotes(demo_study, site=site_id)
    )
    with pytest.raises(ValueError, match=r"`methods` must be one of .* did you mean 'Interview'"):
        framework_matrix(demo_study, methods=["Intervew"])


def test_quotes_of_one_coder_show_each_double_coded_passage_once(demo_study):
    every = quotes(demo_study)
    coders = sorted(set(demo_study.codings["coder"]) - {"auto"})
    assert len(coders) == 2
    parts = [quotes(demo_study, coder=c) for c in coders]
    # One row per passage: a passage both coders coded is one row naming both, and is in
    # each coder's own list.
    both = every["coders"] == ", ".join(coders)
    assert both.sum() > 0
    assert sum(len(p) for p in parts) == len(every) + both.sum()
    for coder, part in zip(coders, parts, strict=True):
        assert set(part["coder"]) == {coder}
        assert part["coders"].str.split(", ").map(lambda names, c=coder: c in names).all()
    # The explore notebook's case: the same words and code are never shown twice.
    key = ["doc_id", "code_id", "text"]
    assert not every.duplicated(key).any()
    assert not quotes(demo_study, coder="primary").duplicated(key).any()
    assert quotes(demo_study, coder="primary").equals(quotes(demo_study, coder="CD"))


def test_cooccurrence_counts_turns_by_default(demo_study):
    table = cooccurrence(demo_study)
    assert table.equals(cooccurrence(demo_study, unit="turn"))
    off = table.to_numpy().copy()
    np.fill_diagonal(off, 0)
    assert off.sum() > 0  # segments rarely overlap; turns show which codes go together


def test_saturation_summary_takes_the_study(demo_study):
    assert saturation_summary(demo_study) == saturation_summary(saturation_table(demo_study))
    assert saturation_summary(demo_study, method="Interview") == saturation_summary(
        saturation_table(demo_study, method="interview")
    )
    with pytest.raises(ValueError, match="`base` apply to a study only"):
        saturation_summary(saturation_table(demo_study), base=3)
    with pytest.raises(TypeError, match="`result` must be a Study"):
        saturation_summary([1, 2])


def test_document_dates_are_dates(demo_study):
    dates = demo_study.documents["date"]
    assert pd.api.types.is_datetime64_any_dtype(dates)
    transcripts = demo_study.documents["method"] != "survey"
    assert dates[transcripts].notna().all() and dates[~transcripts].isna().all()
    assert dates.dt.year.dropna().between(2000, 2100).all()
    # Saturation takes documents in date order.
    curve = saturation_curve(demo_study, method="interview")
    assert curve["date"].is_monotonic_increasing


def test_survey_free_text_codes_take_the_same_coder_filter(demo_study):
    from evstudy.survey import free_text_codes

    questions = demo_study.survey_questions
    question = questions.loc[questions["type"] == "text", "question_id"].iloc[0]
    primary = free_text_codes(demo_study, question, coder="primary")
    assert primary.equals(free_text_codes(demo_study, question, coder="cd"))
    assert primary["n_codings"].sum() > 0
    with pytest.raises(ValueError, match=r"^`coder` must be one of the study's 3 coders \(CD, "):
        free_text_codes(demo_study, question, coder="XX")
