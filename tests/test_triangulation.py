"""The joint display: survey statistics, tiers, the convergence rules, and researcher overrides."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from evstudy.errors import InputError, ValidationError
from evstudy.survey import choice_table, likert_summary
from evstudy.triangulation import (
    CONVERGENCE,
    LITERATURE_MIN_SOURCES,
    LITERATURE_RULES,
    LOW_RELIABILITY,
    apply_rules,
    convergence_summary,
    joint_display,
    joint_display_table,
    literature_evidence,
    literature_rules_text,
    read_overrides,
    rules_text,
    study_overrides,
    survey_evidence,
)


@pytest.fixture(scope="module")
def display(demo_study):
    return joint_display(demo_study)


def test_survey_evidence_matches_the_survey_tables(demo_study):
    evidence = survey_evidence(demo_study).set_index("code_id")
    barriers = choice_table(demo_study, "barriers").dropna(subset=["code"]).set_index("code")
    assert evidence.loc[barriers.index, "pct"].tolist() == pytest.approx(barriers["pct"].tolist())
    influences = likert_summary(demo_study, "influences").set_index("item_id")
    row = evidence.loc["evidence.research"]
    assert row["statistic"] == "answered A lot or A great deal"
    assert row["pct"] == pytest.approx(influences.at["research", "pct_positive"])
    low, high = proportion_confint(row["n"], row["base"], alpha=0.05, method="wilson")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    # Every code the question map ties to an option or grid item, once.
    assert evidence.index.is_unique
    assert len(evidence) == 9 + 9 + 10 + 6 + 5


def test_an_option_nobody_chose_is_zero_not_silence(demo_study):
    answers = demo_study.survey_answers
    gone = answers["code"] == "barrier.turnover"
    assert gone.sum() > 0
    bare = dataclasses.replace(demo_study, survey_answers=answers[~gone])
    row = survey_evidence(bare).set_index("code_id").loc["barrier.turnover"]
    base = survey_evidence(demo_study).set_index("code_id").at["barrier.skills", "base"]
    alone = answers[answers["question_id"] == "barriers"].groupby("respondent_id")["code"]
    only_turnover = int(alone.agg(lambda c: set(c) == {"barrier.turnover"}).sum())
    assert (row["n"], row["base"], row["pct"]) == (0, base - only_turnover, 0)
    assert row["item_id"] == "Staff turnover and loss of knowledge"
    assert row["statistic"] == "chose it" and row["ci_low"] == 0 and row["ci_high"] > 0
    shown = joint_display(bare).set_index("code_id").loc["barrier.turnover"]
    assert shown["survey"].startswith("0% chose it (95% CI 0% to ")
    assert shown["survey_n"] == 0 and shown["reason"] != "the survey did not ask about it"


def test_one_row_per_code_with_each_method(display, demo_study):
    book = demo_study.codebook
    assert list(display["code_id"]) == list(book.loc[book["parent_id"].notna(), "code_id"])
    assert set(display["convergence"]) <= set(CONVERGENCE)
    # Counts come from distinct participants of each method.
    row = display.set_index("code_id").loc["barrier.culture"]
    assert (
        row["interview_base"] == 66 and row["qual_n"] <= row["interview_n"] + row["focus_group_n"]
    )
    assert row["interviews"].startswith(f"{row['interview_n']} of 66 interviewees")


def test_tiers_follow_the_interval_and_the_family_median(display):
    for source, pct, n, base in (
        ("interview", "interview_pct", "interview_n", "interview_base"),
        ("focus_group", "focus_group_pct", "focus_group_n", "focus_group_base"),
        ("survey", "survey_pct", "survey_n", "survey_base"),
    ):
        rows = display.dropna(subset=[pct])
        if f"{source}_prompted" in rows:  # prompted mentions have no tier, nor a median vote
            assert rows.loc[rows[f"{source}_prompted"], f"{source}_tier"].isna().all()
            rows = rows[~rows[f"{source}_prompted"]]
        median = rows.groupby("family")[pct].transform("median")
        low, high = proportion_confint(
            rows[n].astype(float), rows[base].astype(float), alpha=0.05, method="wilson"
        )
        expected = np.where(low > median, "high", np.where(high < median, "low", "typical"))
        assert rows[f"{source}_tier"].tolist() == expected.tolist()


def test_convergence_codes_follow_the_rules(display):
    for r in display.itertuples():
        counted = [
            t for t in (r.interview_tier, r.focus_group_tier) if isinstance(t, str)
        ]  # prompted or absent methods have no tier
        unprompted = (0 if r.interview_prompted else r.interview_n) + (
            0 if r.focus_group_prompted else r.focus_group_n
        )
        if pd.isna(r.survey_base) or not counted or unprompted == 0:
            expected = "silence"
        elif any({t, r.survey_tier} == {"high", "low"} for t in counted):
            expected = "dissonance"
        elif all(t == r.survey_tier for t in counted):
            expected = "agreement"
        else:
            expected = "partial agreement"
        assert r.rule == expected, r.code_id
    assert display.loc[display["question_id"].isna(), "rule"].eq("silence").all()
    assert display["rule"].eq(display["convergence"]).all()  # no overrides here
    text = rules_text()
    assert "**Silence**" in text and "**Partial agreement**" in text
    assert "never pooled" in text and "**Prompted mentions**" in text
    assert "below 0.6" in text and "below 0.4" in rules_text(kappa_threshold=0.4)


def test_every_row_quotes_each_method_safely(display):
    quoted = display.dropna(subset=["interview_quote"])
    assert len(quoted) == (display["interview_n"] > 0).sum()
    assert not quoted["interview_attribution"].str.contains(r"\bP\d{3}\b").any()
    table = joint_display_table(display)
    assert list(table.columns) == [
        "theme",
        "code",
        "interviews",
        "focus_groups",
        "outside",
        "survey",
        "literature",
        "convergence",
        "reason",
        "literature_convergence",
    ]
    assert "“" in table["interviews"].iloc[0]


def test_convergence_summary_counts_every_row(display):
    summary = convergence_summary(display)
    assert list(summary["convergence"]) == list(CONVERGENCE)
    assert summary["n"].sum() == len(display)
    silence = summary.set_index("convergence").at["silence", "codes"]
    assert "Co-production with children and families" in silence


# --- overrides ---------------------------------------------------------------------------------

GOOD = """\
overrides:
  - code: toolkit.eif_guidebook
    convergence: partial agreement
    reason: The interview schedule asked about the Guidebook, so mentions overstate use.
"""


def test_overrides_are_applied_and_shown_as_such(demo_study, tmp_path):
    path = tmp_path / "triangulation_overrides.yml"
    path.write_text(GOOD, encoding="utf-8")
    overrides = read_overrides(path, study=demo_study)
    reason = "The interview schedule asked about the Guidebook, so mentions overstate use."
    assert overrides.to_dict("records") == [
        {"code_id": "toolkit.eif_guidebook", "convergence": "partial agreement", "reason": reason}
    ]
    plain = joint_display(demo_study, codes="toolkit").set_index("code_id")
    shown = joint_display(demo_study, codes="toolkit", overrides=overrides).set_index("code_id")
    row = shown.loc["toolkit.eif_guidebook"]
    assert row["overridden"] and row["convergence"] == "partial agreement"
    assert row["rule"] == plain.at["toolkit.eif_guidebook", "rule"]
    assert row["reason"].startswith("researcher's override: The interview schedule")
    assert shown["overridden"].sum() == 1
    table = joint_display_table(shown.reset_index()).set_index("code")
    assert table.at["EIF Guidebook", "convergence"] == (
        f"partial agreement (overridden; rules: {row['rule']})"
    )


def test_a_bad_overrides_file_reports_every_problem(demo_study, tmp_path):
    path = tmp_path / "overrides.yml"
    path.write_text(
        "overrides:\n"
        "  - code: toolkit.nice\n"
        "    convergence: concordance\n"
        "    reason: a reason\n"
        "  - code: toolkit.nice\n"
        "    convergence: silence\n"
        "  - code: toolkit\n"
        "    convergence: agreement\n"
        "    reason: themes cannot be overridden\n"
        "    note: extra\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        read_overrides(path, study=demo_study)
    problems = caught.value.problems
    text = [f"{p.where}: {p.problem}" for p in problems]
    assert len(problems) == 5, text
    assert all(p.file == str(path) for p in problems)
    assert any("line 2" in t and "'concordance' was given" in t for t in text)
    assert any("line 5" in t and "the code repeats the override on line 2" in t for t in text)
    assert any("line 5" in t and "no reason" in t for t in text)
    assert any("line 7" in t and "not a code of the codebook" in t for t in text)
    assert any("line 7" in t and "unknown key(s): note" in t for t in text)


def test_an_overrides_file_without_a_list_is_refused(tmp_path):
    path = tmp_path / "overrides.yml"
    path.write_text("code: toolkit.nice\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'overrides:' list"):
        read_overrides(path)
    with pytest.raises(InputError, match="does not exist"):
        read_overrides(tmp_path / "missing.yml")


def test_overrides_of_unknown_rows_are_refused(demo_study):
    bad = pd.DataFrame({"code_id": ["toolkit.nice"], "convergence": ["agreement"], "reason": ["x"]})
    with pytest.raises(ValueError, match="`overrides` must name codes of the joint display"):
        joint_display(demo_study, codes="barrier", overrides=bad)
    with pytest.raises(ValueError, match="`overrides` must have the columns"):
        joint_display(demo_study, overrides=bad.drop(columns="reason"))


def test_study_overrides_reads_only_the_file_that_was_ingested(demo_study, tmp_path):
    assert study_overrides(demo_study, raw=tmp_path).empty  # the demo was ingested without one
    path = tmp_path / "triangulation_overrides.yml"
    path.write_text(GOOD, encoding="utf-8")
    assert study_overrides(demo_study, raw=tmp_path).empty  # present now, but not ingested
    report = dict(demo_study.ingest_report)
    report["raw_sha256"] = {
        **report.get("raw_sha256", {}),
        "triangulation_overrides.yml": hashlib.sha256(GOOD.encode()).hexdigest(),
    }
    ingested = dataclasses.replace(demo_study, ingest_report=report)
    assert study_overrides(ingested, raw=tmp_path)["code_id"].tolist() == ["toolkit.eif_guidebook"]
    path.write_text(GOOD.replace("partial agreement", "agreement"), encoding="utf-8")
    with pytest.raises(InputError, match="changed since"):
        study_overrides(ingested, raw=tmp_path)
    path.unlink()
    with pytest.raises(InputError, match="missing"):
        study_overrides(ingested, raw=tmp_path)


# --- the literature as a fourth strand ---------------------------------------------------------


def test_literature_evidence_counts_included_sources_per_code(demo_study):
    lit = literature_evidence(demo_study).set_index("code_id")
    findings = demo_study.review_findings.merge(demo_study.review_sources, on="source_id")
    included = findings[findings["decision"] == "included"]
    assert lit["n"].to_dict() == included.groupby("code_id")["source_id"].nunique().to_dict()
    assert (lit["base"] == 4).all()
    assert lit.at["barrier.budget", "quality"] == "high, moderate, low"  # best first
    assert lit.at["toolkit.nice", "sources"] == "Atkins et al. (2017)"


def test_literature_convergence_follows_the_stated_rules(display, demo_study):
    assert len(LITERATURE_RULES) == 4 and "1. **Silence**" in literature_rules_text()
    for r in display.itertuples():
        lit, qual = r.literature_tier, r.qual_tier
        if r.literature_n == 0 or r.qual_n == 0:
            expected = "silence"
        elif lit == "high" and qual == "low":
            expected = "dissonance"
        elif (lit, qual) in {("high", "high"), ("typical", "typical")}:
            expected = "agreement"
        else:
            expected = "partial agreement"
        assert r.literature_convergence == expected, r.code_id
        assert (r.literature_tier == "high") == (r.literature_n >= LITERATURE_MIN_SOURCES)
    # the three-strand code is untouched by the literature: the same without the review
    bare = dataclasses.replace(
        demo_study, review_sources=pd.DataFrame(), review_findings=pd.DataFrame()
    )
    without = joint_display(bare)
    for column in ("rule", "convergence", "reason"):
        assert without[column].tolist() == display[column].tolist(), column
    assert set(display["literature_convergence"]) == set(CONVERGENCE)  # all four occur


def _with_findings(study, codes_by_source: dict[str, list[str]]):
    rows = [
        {"finding_id": f"F{i}", "source_id": s, "finding": "x", "code_id": c, "coder": "RV"}
        for i, (s, codes) in enumerate(codes_by_source.items())
        for c in codes
    ]
    return dataclasses.replace(study, review_findings=pd.DataFrame(rows))


def test_each_literature_code_on_hand_made_findings(demo_study, display):
    tiers = display.set_index("code_id")["qual_tier"]
    low, high = tiers[tiers == "low"].index[0], tiers[tiers == "high"].index[0]
    typical = tiers[tiers == "typical"].index[0]
    study = _with_findings(
        demo_study,
        {"R01": [low, high, typical], "R03": [low, high], "R04": [typical]},
    )
    shown = joint_display(study).set_index("code_id")
    assert shown.at[low, "literature_convergence"] == "dissonance"  # two sources, heard rarely
    assert shown.at[high, "literature_convergence"] == "agreement"  # two sources, heard often
    assert shown.at[typical, "literature_convergence"] == "partial agreement"  # two, typical
    one = joint_display(_with_findings(demo_study, {"R04": [typical, high]})).set_index("code_id")
    assert one.at[typical, "literature_convergence"] == "agreement"
    assert one.at[high, "literature_convergence"] == "partial agreement"
    assert one.at[low, "literature_convergence"] == "silence"
    assert one.at[low, "literature"] == "no included source"
    assert one.at[high, "literature"].startswith("1 of 4 included sources (high quality)")
    # an excluded source never counts
    excluded = joint_display(_with_findings(demo_study, {"X01": [high]})).set_index("code_id")
    assert excluded.at[high, "literature_n"] == 0


# --- the rules on hand-made rows (issue 20 §4) -------------------------------------------------


def _rows(*specs):
    """Rows for apply_rules: (interview tier, focus-group tier, survey tier, prompted methods).

    Every method has 10 people coded of a base of 20, ranked 1 of 5; a prompted method's
    tier is NaN, as joint_display leaves it.
    """
    rows = []
    for interview, focus_group, survey, prompted in specs:
        row = {"survey_base": 40, "survey_tier": survey, "survey_rank": 3, "survey_family_size": 5}
        for method, tier in (("interview", interview), ("focus_group", focus_group)):
            asked = method in prompted
            row |= {
                f"{method}_n": 10,
                f"{method}_base": 20,
                f"{method}_prompted": asked,
                f"{method}_tier": np.nan if asked else tier,
                f"{method}_rank": pd.NA if asked else 1,
                f"{method}_family_size": pd.NA if asked else 5,
            }
        rows.append(row)
    return pd.DataFrame(rows)


def test_rules_compare_each_method_with_the_survey_never_a_pool():
    rows = _rows(
        ("high", "typical", "low", ()),  # interviews stress it, the survey ranks it low
        ("typical", "high", "low", ()),  # the focus groups stress it
        ("high", "high", "high", ()),
        ("typical", "typical", "typical", ()),
        ("high", "typical", "typical", ()),
        ("high", "low", "typical", ()),  # the methods point opposite ways: not agreement
        ("low", "high", "low", ()),  # one method opposite the survey: dissonance
    )
    code, reason = apply_rules(rows)
    assert code.tolist() == [
        "dissonance",
        "dissonance",
        "agreement",
        "agreement",
        "partial agreement",
        "partial agreement",
        "dissonance",
    ]
    assert reason[0] == (
        "interviews high (rank 1 of 5); focus groups typical (rank 1 of 5); "
        "the survey low (rank 3 of 5)"
    )


def test_a_prompted_method_never_counts_toward_convergence():
    rows = _rows(
        ("high", "low", "low", ("interview",)),  # without the prompted interviews: agreement
        ("high", "typical", "low", ("interview",)),  # only the focus groups count: partial
        ("high", "high", "low", ("interview", "focus_group")),  # nothing counts: silence
    )
    code, reason = apply_rules(rows)
    assert code.tolist() == ["agreement", "partial agreement", "silence"]
    assert reason[0].startswith("interviews: prompted, not counted; focus groups low")
    assert reason[2] == (
        "the topic guide asked about it in every method, so mentions are not prevalence"
    )


def test_no_survey_or_no_unprompted_mention_is_silence():
    rows = _rows(("high", "high", "high", ()), ("low", "low", "low", ()))
    rows.loc[0, "survey_base"] = np.nan
    rows.loc[1, ["interview_n", "focus_group_n"]] = 0
    code, reason = apply_rules(rows)
    assert code.tolist() == ["silence", "silence"]
    assert reason.tolist() == [
        "the survey did not ask about it",
        "no interviewee or focus-group participant was coded to it unprompted",
    ]


def test_prompted_codes_in_the_demo_are_shown_as_such_and_not_ranked(display):
    row = display.set_index("code_id").loc["toolkit.eif_guidebook"]
    assert row["interview_prompted"] and row["focus_group_prompted"]
    assert pd.isna(row["interview_tier"]) and pd.isna(row["interview_rank"])
    assert row["interviews"].endswith("prompted by the topic guide: not counted as prevalence")
    assert row["rule"] == "silence" and row["qual_n"] == 0
    # the codes the same question asks about are ranked without it
    family = display[display["family"] == row["family"]]
    assert family["interview_family_size"].max() == (~family["interview_prompted"]).sum()


def test_experts_are_reported_apart_from_the_headline_population(display, demo_study):
    people = demo_study.participants.set_index("participant_id")["role_group"]
    outside = set(demo_study.population["outside"])
    assert outside  # the demo declares experts outside its population
    in_docs = demo_study.turns.merge(demo_study.documents[["doc_id", "method"]], on="doc_id")
    in_docs = in_docs[in_docs["speaker_role"] == "participant"]
    interviewees = set(in_docs.loc[in_docs["method"] == "interview", "participant_id"])
    assert not {p for p in interviewees if people.get(p) in outside}  # none in the base
    row = display.iloc[0]
    assert row["outside_base"] == 16 and row["outside"].endswith(
        "expert participants (" + (f"{row['outside_n'] / 16:.0%})")
    )
    assert "outside" in joint_display_table(display).columns


def test_a_code_below_the_kappa_threshold_carries_the_flag(display, demo_study):
    from evstudy.reliability import reliability_table

    kappas = reliability_table(demo_study).set_index("code_id")["kappa"]
    weak = display[display["low_reliability"]]
    assert len(weak) and (weak["code_id"].map(kappas).fillna(-1) < 0.6).all()
    strong = display[~display["low_reliability"] & display["code_id"].isin(kappas.index)]
    assert (strong["code_id"].map(kappas) >= 0.6).all()
    table = joint_display_table(display)
    flagged = table["code"].str.endswith(" " + LOW_RELIABILITY)
    assert flagged.tolist() == display["low_reliability"].tolist()
    # a stricter threshold flags more codes; the threshold is the study's to set
    strict = joint_display(demo_study, kappa_threshold=0.9)
    assert strict["low_reliability"].sum() > weak.shape[0]


def test_the_study_sets_the_kappa_threshold(demo_study, display):
    from evstudy.reliability import study_kappa_threshold

    assert study_kappa_threshold(demo_study) == 0.6  # the demo keeps the default
    strict = dataclasses.replace(
        demo_study,
        ingest_report={**demo_study.ingest_report, "reliability": {"kappa_threshold": 0.9}},
    )
    assert study_kappa_threshold(strict) == 0.9
    flagged = joint_display(strict)["low_reliability"]
    assert (
        flagged.tolist()
        == joint_display(demo_study, kappa_threshold=0.9)["low_reliability"].tolist()
    )
    assert flagged.sum() > display["low_reliability"].sum()
    assert "below 0.9" in rules_text(kappa_threshold=study_kappa_threshold(strict))
