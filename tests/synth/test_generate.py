"""Tests of the synthetic demonstration-study generator."""

from __future__ import annotations

import csv
import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml

from evstudy.config import load_config
from evstudy.synth import generate_study
from evstudy.synth.codebook_spec import LEAF_IDS
from evstudy.synth.generate import build_study
from evstudy.synth.truth import BARRIERS, ENABLERS

SEED, SITES = 2023, 9


@pytest.fixture(scope="module")
def study():
    return build_study(SEED, SITES)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("raw") / "study"
    summary = generate_study(out, seed=SEED, sites=SITES)
    return out, summary


@pytest.fixture(scope="module")
def truth(generated):
    out, _ = generated
    return yaml.safe_load((out / "planted_truth.yml").read_text(encoding="utf-8"))


def _sheet(path: Path) -> list[dict]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def _survey(out: Path) -> list[list[str]]:
    with open(out / "survey/smartsurvey_export.csv", encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


# -- arguments and where files go ------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sites": 0}, "`sites` must be an integer from 1 to 153"),
        ({"sites": 154}, "`sites` must be an integer from 1 to 153"),
        ({"sites": True}, "`sites`"),
        ({"seed": -1}, "`seed` must be a non-negative integer"),
        ({"seed": 1.5}, "`seed`"),
    ],
)
def test_bad_arguments_are_refused(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        generate_study(tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def test_refuses_a_non_empty_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="not empty"):
        generate_study(out, seed=1, sites=1)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


@pytest.mark.slow
def test_overwrite_replaces_generated_files_and_keeps_others(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "sites.csv").write_text("stale", encoding="utf-8")
    generate_study(out, seed=1, sites=2, overwrite=True)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "sites.csv").read_text(encoding="utf-8").startswith("site_id,")


def test_writes_nothing_outside_out(tmp_path):
    (tmp_path / "sibling.txt").write_text("x", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    generate_study(tmp_path / "out", seed=3, sites=1)
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "out" not in p.parts)
    assert after == before
    assert not list((tmp_path / "out").rglob(".*"))  # no temporary files left behind


# -- determinism -----------------------------------------------------------------------


@pytest.mark.slow
def test_same_seed_gives_identical_bytes(tmp_path, generated):
    first, _ = generated
    second = tmp_path / "again"
    generate_study(second, seed=SEED, sites=SITES)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_different_seed_plants_a_different_truth(study):
    other = build_study(SEED + 1, SITES)
    a, b = study.truth, other.truth
    assert (a.reactive_sites, a.top_barriers, a.dissonant) != (
        b.reactive_sites,
        b.top_barriers,
        b.dissonant,
    )


# -- sizes -----------------------------------------------------------------------------


def test_counts_are_in_range(study, generated):
    _, summary = generated
    assert summary["sites"] == SITES
    assert 54 <= summary["interviews"] <= 81
    assert summary["expert_interviews"] == 16
    assert summary["focus_groups"] == SITES
    assert 40 <= summary["survey_respondents"] <= 60
    assert 1 <= summary["survey_partial"] <= 12
    assert 0.15 <= summary["double_coded_documents"] / summary["documents"] <= 0.25
    for doc in study.docs:
        words = sum(len(t.text.split()) for t in doc.turns)
        if doc.method == "Focus group":
            assert 4 <= len(doc.participants) <= 7
            assert 1 <= len(doc.team) <= 2
            assert 2400 <= words <= 4300, doc.doc_id
            assert {t.speaker.pid for t in doc.turns if t.role == "Participant"} == {
                p.pid for p in doc.participants
            }
        else:
            assert 1150 <= words <= 2800, doc.doc_id
    per_site = Counter(d.site_id for d in study.docs if d.method == "Interview")
    assert all(6 <= n <= 9 for n in per_site.values())


def test_turns_alternate_speakers(study):
    for doc in study.docs:
        for before, after in zip(doc.turns, doc.turns[1:], strict=False):
            assert before.speaker is not after.speaker, doc.doc_id


# -- phrasing and coding ---------------------------------------------------------------


def test_every_code_uses_at_least_eight_phrasings(study):
    for code in LEAF_IDS:
        assert len(study.composer.used[code]) >= 8, code


def test_no_two_answers_are_identical(study):
    answers = [t.text for d in study.docs for t in d.turns if t.role == "Participant"]
    assert len(answers) == len(set(answers))


def test_coded_text_is_in_its_turn(study):
    turns = {d.doc_id: d.turns for d in study.docs}
    colleagues = {n for names in study.people.colleagues.values() for n in names}
    named = 0
    docs = {d.doc_id: d for d in study.docs}
    for doc_id, number, text, code, coder, _memo in study.coding:
        assert code in LEAF_IDS
        assert coder in ("CD", "VT")
        if isinstance(number, str):
            # A range "7-8": participants building on each other in a focus group, each
            # turn carrying the code; the passage is the turns, so Text is blank.
            first, last = map(int, number.split("-"))
            run = turns[doc_id][first - 1 : last]
            assert docs[doc_id].method == "Focus group" and text == "" and last > first
            assert all(t.role == "Participant" and code in t.codes for t in run)
            assert all(a.speaker is not b.speaker for a, b in pairwise(run))
            continue
        turn = turns[doc_id][number - 1]
        assert turn.role == "Participant"
        assert text in turn.text
        named += any(n in text for n in colleagues)
    assert named <= 0.01 * len(study.coding)


def test_second_coder_agreement_is_realistic(truth):
    agreement = truth["coder_agreement"]
    assert 0.72 <= agreement["overall"] <= 0.88
    for code, value in agreement["low_agreement_codes"].items():
        assert value is not None and value < agreement["overall"] - 0.15, code


# -- planted truth ---------------------------------------------------------------------


def test_top_barriers_and_enablers_lead_in_coding_sheet_and_survey(generated, truth):
    out, _ = generated
    rows = [r for r in _sheet(out / "coding/coding_sheet.xlsx") if r["Coder"] == "CD"]
    counts = Counter(r["Code"] for r in rows)
    export = _survey(out)
    labels = export[1]
    chosen = Counter(cell for row in export[3:] for cell in row if cell)
    qmap = yaml.safe_load((out / "survey/question_map.yml").read_text(encoding="utf-8"))
    options = {q["id"]: q for q in qmap["questions"]}
    for key, family in (("top_barriers", BARRIERS), ("top_enablers", ENABLERS)):
        top = truth[key]
        ranked = sorted(family, key=lambda c: -counts[c])
        assert ranked[:3] == top, key
        assert counts[top[2]] > max(counts[c] for c in family if c not in top)
        question = options[key.split("_")[1]]
        label = {o["code"]: o["label"].replace("'", "@SQ@") for o in question["options"]}
        assert all(label[c] in labels for c in family)
        survey_ranked = sorted(family, key=lambda c: -chosen[label[c]])
        assert survey_ranked[:3] == top, key


def test_reactive_sites_talk_reactively(study):
    for site in study.sites:
        codes = Counter(
            c.code
            for d in study.docs
            if d.site_id == site.site_id
            for t in d.turns
            for c in t.codings
        )
        if site.site_id in study.truth.reactive_sites:
            assert codes["approach.reactive"] > 1.5 * codes["approach.cycle"], site.site_id
        else:
            assert codes["approach.cycle"] > 1.5 * codes["approach.reactive"], site.site_id
    assert 3 <= len(study.truth.reactive_sites) <= 4


def test_dissonant_silent_and_research_ratings(truth):
    dissonant = truth["dissonant_theme"]
    n = dissonant["influence_items"]
    if dissonant["interviews"] == "high":
        assert dissonant["interview_rank_among_influence_items"] == 1
        assert dissonant["survey_rank_among_influence_items"] == n
    else:
        assert dissonant["interview_rank_among_influence_items"] == n
        assert dissonant["survey_rank_among_influence_items"] == 1
    silent = truth["silent_theme"]
    assert silent["interview_rank_among_codes"] <= 0.25 * len(LEAF_IDS)
    research = truth["research_evidence_rating"]
    assert research["partner_agency_mean"] > research["la_staff_mean"] + 0.5


def test_one_withdrawn_participant_with_turns(generated, truth):
    out, _ = generated
    register = _sheet(out / "register.xlsx")
    withdrawn = [r for r in register if r["Withdrawal date"]]
    assert len(withdrawn) == 1
    assert withdrawn[0]["Email"] == truth["withdrawn"]["email"]
    assert truth["withdrawn"]["turns"] > 0 and truth["withdrawn"]["documents"]


def test_unlisted_names_are_mentioned_but_not_listed(generated, truth, study):
    out, _ = generated
    listed = (out / "other_names.txt").read_text(encoding="utf-8")
    register = " ".join(r["Name"] for r in _sheet(out / "register.xlsx"))
    docs = {d.doc_id: d for d in study.docs}
    assert 2 <= len(truth["unlisted_first_names"]) <= 3
    for name, doc_ids in truth["unlisted_first_names"].items():
        word = re.compile(rf"\b{name}\b")
        assert not word.search(listed) and not word.search(register)
        for doc_id in doc_ids:
            assert any(word.search(t.text) for t in docs[doc_id].turns)


def test_the_unlisted_names_are_decided_redact_in_name_decisions_csv(generated, truth):
    out, _ = generated
    with (out / "name_decisions.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["word"] for r in rows] == sorted(truth["unlisted_first_names"])
    assert {(r["doc_id"], r["turn"], r["decision"]) for r in rows} == {("*", "", "redact")}
    study_yml = yaml.safe_load((out / "study.yml").read_text(encoding="utf-8"))
    assert study_yml["files"] == {"name_decisions": "name_decisions.csv"}


# -- files -----------------------------------------------------------------------------


def test_files_open_and_follow_the_contract(generated, study):
    out, summary = generated
    for path in sorted(out.rglob("*.docx"))[:10]:
        assert docx.Document(str(path)).paragraphs
    for path in sorted(out.rglob("*.xlsx")):
        assert openpyxl.load_workbook(path, read_only=True).worksheets
    with open(out / "fieldwork_log.csv", encoding="utf-8", newline="") as fh:
        log = list(csv.DictReader(fh))
    files = {str(p.relative_to(out / "transcripts")) for p in (out / "transcripts").rglob("*.*")}
    assert {r["File"] for r in log} == files
    assert len(log) == summary["documents"]
    assert {Path(f).suffix for f in files} == {".docx", ".vtt", ".txt"}
    vtt = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.vtt"))
    assert "&#39;" in vtt
    export = (out / "survey/smartsurvey_export.csv").read_text(encoding="utf-8")
    assert "@SQ@" in export and "'" not in export
    sheet = openpyxl.load_workbook(out / "survey/smartsurvey_export.xlsx").worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["UserID", "UserNo", "Name"]


def test_role_rules_cover_register_and_survey(generated):
    out, _ = generated
    config = load_config(out)
    for row in _sheet(out / "register.xlsx"):
        assert config.role_group(row["Job title"], row["Organisation type"]), row["Job title"]
    export = _survey(out)
    for row in export[3:]:
        job = (row[9] or row[10]).replace("@SQ@", "'")
        org = (row[11] or row[12]).replace("@SQ@", "'")
        assert config.role_group(job, org), (job, org)
