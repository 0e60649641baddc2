"""Keyword auto-coding: the rules reader, one compiled pattern, suggestions and their accuracy."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest

from evstudy.autocode import autocode_report, compile_rules, read_autocode_rules, suggest_codes
from evstudy.errors import InputError, ValidationError
from evstudy.synth.autocode_rules import RULES, autocode_rules_yaml
from evstudy.synth.codebook_spec import CODES

TINY_RULES = """\
rules:
  - code: barrier.access
    keywords: [paywall*]
    phrases: [journal   access]
  - code: evidence.research
    keywords: [journal]
"""


def write(tmp_path: Path, text: str, name: str = "rules.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def demo_rules(tmp_path_factory, demo_study) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("rules") / "autocode_rules.yml"
    path.write_text(autocode_rules_yaml(), encoding="utf-8")
    return read_autocode_rules(path, codes=demo_study.codebook["code_id"])


def naive_suggestions(study, rules: pd.DataFrame) -> set[tuple[str, int, str]]:
    """Reference: every code's patterns searched turn by turn, one regex per code."""
    turns = study.turns[study.turns["speaker_role"].isin(["participant", "respondent"])]
    found = set()
    for code, patterns in rules.groupby("code_id", sort=False)["pattern"]:
        regex = re.compile("|".join(patterns), re.IGNORECASE)
        for doc, turn, text in turns[["doc_id", "turn", "text"]].itertuples(index=False):
            if regex.search(text.replace("\u2019", "'")):
                found.add((doc, int(turn), code))
    return found


def test_rules_table(tmp_path):
    rules = read_autocode_rules(write(tmp_path, TINY_RULES))
    assert list(rules.columns) == ["code_id", "kind", "term", "pattern"]
    assert list(rules["term"]) == ["paywall*", "journal access", "journal"]
    assert list(rules["kind"]) == ["keyword", "phrase", "keyword"]
    assert rules["pattern"][1] == r"(?<!\w)journal\s+access(?!\w)"


def test_every_rules_problem_is_reported(tmp_path, demo_study):
    text = """\
rules:
  - code: barrier.access
    keywords: [journal access, pay*wall, "*"]
    colour: red
  - keywords: [x]
  - code: barrier.moon
    phrases: [the moon]
  - code: barrier.budget
  - code: barrier.skills
    keywords: [stats, Stats]
"""
    with pytest.raises(ValidationError) as excinfo:
        read_autocode_rules(write(tmp_path, text), codes=demo_study.codebook["code_id"])
    problems = [(p.where, p.problem) for p in excinfo.value.problems]
    expected = [
        ("line 2, rule 1 (barrier.access)", "unknown key(s): colour"),
        ("line 2, rule 1 (barrier.access)", "keyword 'journal access' has spaces"),
        ("line 2, rule 1 (barrier.access)", "'pay*wall' has a * that is not at the end"),
        ("line 2, rule 1 (barrier.access)", "an empty keyword"),
        ("line 5, rule 2", "the rule has no code"),
        ("line 6, rule 3 (barrier.moon)", "'barrier.moon' is not in the codebook"),
        ("line 8, rule 4 (barrier.budget)", "no keywords or phrases"),
        ("line 9, rule 5 (barrier.skills)", "keyword 'Stats' is repeated"),
    ]
    assert len(problems) == len(expected), problems
    for where, what in expected:
        assert any(w == where and what in p for w, p in problems), (where, what)
    with pytest.raises(InputError, match="no 'rules:' list"):
        read_autocode_rules(write(tmp_path, "- code: a\n"))


def test_codes_check_the_rules_against_the_given_code_ids(tmp_path):
    path = write(tmp_path, TINY_RULES)
    rules = read_autocode_rules(path, codes=["barrier.access", "evidence.research"])
    assert list(rules["code_id"]) == ["barrier.access", "barrier.access", "evidence.research"]
    with pytest.raises(ValidationError) as excinfo:
        read_autocode_rules(path, codes=iter(["barrier.access"]))
    assert [(p.where, p.problem) for p in excinfo.value.problems] == [
        ("line 5, rule 2 (evidence.research)", "code 'evidence.research' is not in the codebook")
    ]


def test_compiled_rules_are_one_pattern(demo_rules):
    pattern, groups = compile_rules(demo_rules)
    assert isinstance(pattern, re.Pattern)
    assert set(groups.values()) == set(demo_rules["code_id"])
    assert set(groups) <= set(pattern.groupindex)


def test_suggestions_equal_a_per_code_loop_on_the_demo(demo_study, demo_rules):
    suggested = suggest_codes(demo_study, demo_rules)
    assert set(suggested["coder"]) == {"auto"}
    got = set(suggested[["doc_id", "turn", "code_id"]].itertuples(index=False, name=None))
    assert got == naive_suggestions(demo_study, demo_rules)
    assert len(got) == len(suggested) > 500
    # Suggestions are the turns' spans; the matched words lie inside them.
    turns = demo_study.turns.set_index(["doc_id", "turn"])
    first = suggested.iloc[0]
    assert (first["start"], first["end"]) == tuple(
        turns.loc[(first["doc_id"], first["turn"]), ["start", "end"]]
    )
    assert (suggested["match_start"] >= suggested["start"]).all()
    assert (suggested["match_end"] <= suggested["end"]).all()
    texts = dict(zip(demo_study.documents["doc_id"], demo_study.documents["text"], strict=True))
    for row in suggested.head(50).itertuples():
        assert texts[row.doc_id][row.match_start : row.match_end] == row.match
    # The study itself is untouched: no "auto" codings appear in it.
    assert "auto" not in set(demo_study.codings["coder"])


def test_same_start_matches_of_two_codes_are_both_found(tmp_path, tiny_study):
    study = tiny_study
    rules = read_autocode_rules(write(tmp_path, TINY_RULES), codes=study.codebook["code_id"])
    suggested = suggest_codes(study, rules)
    got = set(suggested[["doc_id", "turn", "code_id"]].itertuples(index=False, name=None))
    assert got == {
        ("FG1", 2, "barrier.access"),
        ("FG1", 3, "barrier.access"),  # "Journal access"
        ("FG1", 3, "evidence.research"),  # and "Journal", at the same place
        ("FG2", 2, "evidence.research"),
        ("EXP1", 2, "barrier.access"),  # paywall* matches "Paywalls"
    }
    assert got == naive_suggestions(study, rules)


def test_precision_and_recall_by_hand(tmp_path, tiny_study):
    study = tiny_study
    report = autocode_report(study, rules=write(tmp_path, TINY_RULES)).set_index("code_id")
    # access: human {FG1/2, FG2/3, EXP1/2}, suggested {FG1/2, FG1/3, EXP1/2}.
    assert report.loc["barrier.access", ["n_human", "n_suggested", "true_positive"]].tolist() == [
        3,
        3,
        2,
    ]
    assert report.loc["barrier.access", "precision"] == pytest.approx(2 / 3)
    assert report.loc["barrier.access", "recall"] == pytest.approx(2 / 3)
    # research: human {FG2/2}, suggested {FG1/3, FG2/2}.
    assert report.loc["evidence.research", ["precision", "recall", "f1"]].tolist() == (
        pytest.approx([0.5, 1.0, 2 / 3])
    )
    overall = report.loc["overall"]
    assert (overall["precision"], overall["recall"]) == (pytest.approx(0.6), pytest.approx(0.75))
    assert overall["f1"] == pytest.approx(2 * 0.6 * 0.75 / 1.35)


def test_report_uses_the_studys_rules_and_says_when_there_are_none(demo_study, demo_rules):
    # Ingest carries the raw folder's autocode_rules.yml into the study.
    assert len(demo_study.autocode_rules) > 0
    pd.testing.assert_frame_equal(
        autocode_report(demo_study), autocode_report(demo_study, rules=demo_rules)
    )
    without = dataclasses.replace(demo_study, autocode_rules=pd.DataFrame())
    with pytest.raises(InputError, match="--rules"):
        autocode_report(without)


def test_demo_rules_cover_every_leaf_code(demo_study, demo_rules):
    parents = {c.get("parent") for c in CODES}
    leaves = [c["id"] for c in CODES if c["id"] not in parents and c.get("parent")]
    assert list(RULES) == leaves
    report = autocode_report(demo_study, rules=demo_rules)
    overall = report.set_index("code_id").loc["overall"]
    # An honest measurement: useful, far from perfect.
    assert 0.3 < overall["precision"] < 0.95 and 0.2 < overall["recall"] < 0.95


def test_generated_study_has_the_rules_file(small_study, tmp_path):
    from evstudy.ingest import ingest
    from evstudy.study import load_study

    path = small_study / "autocode_rules.yml"
    assert path.read_text(encoding="utf-8") == autocode_rules_yaml()
    ingest(small_study, tmp_path / "processed", key_dir=tmp_path / "keys")
    study = load_study(tmp_path / "processed")
    report = autocode_report(study, rules=path)
    assert report["code_id"].iloc[-1] == "overall" and report["n_human"].iloc[-1] > 0
