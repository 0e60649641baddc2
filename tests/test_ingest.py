"""Ingest on the demo and on broken copies of a small generated study.

Each validation rule has a test that breaks one thing and checks that the
error names the file, the place, the problem and the fix, and that nothing
was written.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from evstudy import load_study
from evstudy.errors import InputError, ValidationError
from evstudy.files import sha256_file
from evstudy.ingest import TABLES, ingest

pytestmark = pytest.mark.slow


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _run(raw: Path, tmp_path: Path, name: str = "out"):
    return ingest(raw, tmp_path / name, key_dir=tmp_path / f"{name}-keys")


@pytest.fixture(scope="module")
def demo_ingest(demo_raw: Path, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("demo")
    before = _tree_digest(demo_raw)
    report = ingest(demo_raw, tmp / "processed", key_dir=tmp / "keys")
    assert _tree_digest(demo_raw) == before, "ingest changed data/raw"
    return report, tmp


# -- the demo ---------------------------------------------------------------------------


def test_the_demo_leaves_no_possible_name_undecided(demo_ingest):
    # The generator's name_decisions.csv covers every word the demo's text raises, so the
    # demo builds; each of them is a name and is redacted.
    report, tmp = demo_ingest
    assert report.flagged_names == 0 and report.undecided_names == []
    review = (tmp / "keys" / "name_review.csv").read_text(encoding="utf-8")
    assert review == "word,doc_id,turn,decision,reviewer,date,context\n"


def test_demo_ingests_every_table(demo_ingest):
    report, tmp = demo_ingest
    for name in TABLES:
        assert (tmp / "processed" / f"{name}.parquet").is_file()
    study = load_study(tmp / "processed")
    assert study.synthetic
    counts = report.counts
    assert counts["sites"] == 9
    assert 60 <= counts["documents_interview"] <= 75
    assert counts["documents_expert_interview"] == 16
    assert counts["documents_focus_group"] == 9
    assert 40 <= counts["survey_respondents"] <= 60
    assert counts["codings"] > 500
    assert len(study.documents) == counts["documents"]
    assert set(study.documents["method"]) == {
        "interview",
        "expert_interview",
        "focus_group",
        "survey",
    }


def test_turn_offsets_point_into_the_canonical_text(demo_ingest):
    study = load_study(demo_ingest[1] / "processed")
    texts = dict(zip(study.documents["doc_id"], study.documents["text"], strict=True))
    for row in study.turns.sample(400, random_state=1).itertuples():
        text = texts[row.doc_id]
        assert text[row.start : row.end] == row.text
        line_start = text.rfind("\n", 0, row.start) + 1
        assert text[line_start : row.start] == f"{row.speaker}: "
    for row in study.codings.sample(400, random_state=2).itertuples():
        assert texts[row.doc_id][row.start : row.end] == row.text
        assert row.end > row.start


def test_canonical_text_has_no_timestamps_or_carriage_returns(demo_ingest):
    study = load_study(demo_ingest[1] / "processed")
    joined = "\n".join(study.documents["text"])
    assert "\r" not in joined
    assert not any(line.startswith(("WEBVTT", "Date:", "Venue:")) for line in joined.split("\n"))
    labels = {line.split(": ", 1)[0] for line in joined.split("\n")}
    assert labels <= set(study.participants["participant_id"]) | {
        "Interviewer",
        "Facilitator",
        "Respondent",
    }


def test_no_register_name_or_email_reaches_processed(demo_ingest, demo_raw):
    _, tmp = demo_ingest
    register = pd.read_excel(demo_raw / "register.xlsx")
    needles = {str(v).casefold() for v in register["Name"]} | {
        str(v).casefold() for v in register["Email"]
    }
    survey = pd.read_csv(demo_raw / "survey" / "smartsurvey_export.csv", header=None, dtype=str)
    header = [str(c) for c in survey.iloc[0]]
    for column in ("Name", "Email", "IP Address"):
        values = survey.iloc[3:, header.index(column)].dropna()
        needles |= {v.casefold() for v in values if v.strip()}
    assert len(needles) > 100
    for path in sorted((tmp / "processed").iterdir()):
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            haystack = "\n".join(frame.astype(str).to_numpy().ravel()).casefold()
        else:
            haystack = path.read_text(encoding="utf-8").casefold()
        leaked = sorted(n for n in needles if n in haystack)
        assert not leaked, f"{path.name} contains {leaked[:5]}"


def test_identity_key_stays_beside_raw_not_with_outputs(demo_ingest):
    _, tmp = demo_ingest
    assert (tmp / "keys" / "identity_key.csv").is_file()
    assert not any(p.name.startswith("identity") for p in (tmp / "processed").iterdir())


def test_ingest_twice_gives_identical_bytes(demo_raw, tmp_path):
    # Separate processes with different hash seeds: set ordering must not leak into outputs.
    for name, seed in (("one", "1"), ("two", "2")):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "evstudy.cli",
                "ingest",
                "--raw",
                str(demo_raw),
                "--out",
                str(tmp_path / name),
                "--key-dir",
                str(tmp_path / f"{name}-keys"),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
    assert _tree_digest(tmp_path / "one") == _tree_digest(tmp_path / "two")


def test_ingest_works_on_a_read_only_raw_folder(study_copy, tmp_path):
    paths = [study_copy, *study_copy.rglob("*")]
    for path in paths:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        if os.geteuid() != 0:  # root ignores permissions, so only the digest check bites there
            with pytest.raises(PermissionError):
                (study_copy / "probe").write_text("x")
        before = _tree_digest(study_copy)
        report = _run(study_copy, tmp_path)
        assert report.counts["documents"] > 0
        assert _tree_digest(study_copy) == before
    finally:
        for path in paths:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_a_read_only_share_stops_ingest_before_anything_is_written(
    small_study, tmp_path, cli_as_nobody
):
    """The raw folder on a share nobody may write to: the identity key cannot go beside it.
    Ingest says which folder to set before it writes a single table (it used to write every
    table, then crash with a traceback saving the key, which was lost)."""
    share = Path(tempfile.mkdtemp(prefix="evstudy-share-", dir="/tmp"))
    out = Path(tempfile.mkdtemp(prefix="evstudy-out-", dir="/tmp"))
    try:
        shutil.copytree(small_study, share / "raw")
        out.chmod(0o777)  # the processed folder is writable: only the key's place is not
        share.chmod(0o555)
        # Everything ingest imports is loaded before the unprivileged child is forked.
        _run(small_study, tmp_path)
        args = ["ingest", "--raw", str(share / "raw"), "--out", str(out / "processed")]
        code, err = cli_as_nobody(args)
        assert code == 2, err
        assert "Traceback" not in err
        assert str(share / "identity") in err
        assert "the identity key cannot be written here" in err
        assert "EVSTUDY_KEYS" in err and "--key-dir" in err
        assert list(out.iterdir()) == []  # not one table
        assert sorted(p.name for p in share.iterdir()) == ["raw"]
        # pointed at a folder it can write, the same user ingests the share
        keys = out / "keys"
        code, err = cli_as_nobody([*args, "--key-dir", str(keys)])
        assert code == 0, err
        assert (out / "processed" / "documents.parquet").is_file() and any(keys.iterdir())
    finally:
        share.chmod(0o755)
        shutil.rmtree(share)
        shutil.rmtree(out)


def test_refuses_to_write_inside_the_raw_folder(study_copy):
    with pytest.raises(InputError, match="inside the raw folder"):
        ingest(study_copy, study_copy / "processed", key_dir=study_copy.parent / "k")
    with pytest.raises(InputError, match="inside the raw folder"):
        ingest(study_copy, study_copy.parent / "p", key_dir=study_copy / "keys")


def test_withdrawn_participant_is_excluded_and_only_counted(small_study, tmp_path):
    truth = yaml.safe_load((small_study / "planted_truth.yml").read_text())
    report = _run(small_study, tmp_path)
    assert report.withdrawn["participants"] == 1
    assert report.withdrawn["turns"] > 0
    keys = pd.read_csv(tmp_path / "out-keys" / "identity_key.csv")
    email = truth["withdrawn"]["email"]
    pid = keys.loc[keys["email"].str.casefold() == email.casefold(), "participant_id"].item()
    study = load_study(tmp_path / "out")
    assert pid not in set(study.participants["participant_id"])
    assert pid not in set(study.turns["participant_id"].dropna())
    assert not study.documents["text"].str.contains(pid + ":").any()
    summary = (tmp_path / "out" / "ingest_report.md").read_text()
    assert "withdrawn" in summary and pid not in summary


# -- validation: one broken thing each -------------------------------------------------


def _expect_problem(raw: Path, tmp_path: Path, *fragments: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        _run(raw, tmp_path)
    text = str(info.value)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert all(p.fix for p in info.value.problems)
    assert not (tmp_path / "out").exists(), "nothing may be written when validation fails"
    assert not (tmp_path / "out-keys").exists()
    return info.value


def _edit_xlsx(path: Path, edit) -> None:
    book = openpyxl.load_workbook(path)
    edit(book.worksheets[0])
    book.save(path)


def _header_index(sheet, name: str) -> int:
    for cell in sheet[1]:
        if str(cell.value).strip().casefold() == name.casefold():
            return cell.column
    raise AssertionError(f"no column {name!r}")


def _rewrite_csv(path: Path, edit) -> None:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def test_unknown_speaker(study_copy, tmp_path):
    path = next(p for p in sorted((study_copy / "transcripts").rglob("*.txt")))
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text + "\n\nZebedee Quuxley: I was never registered.\n", encoding="utf-8")
    _expect_problem(
        study_copy, tmp_path, "Zebedee Quuxley", "neither in the register nor", path.name
    )


def test_speaker_without_consent(study_copy, tmp_path):
    log = pd.read_csv(study_copy / "fieldwork_log.csv")
    interview = log.loc[log["Method"] == "Interview"].iloc[0]
    from evstudy.io.transcripts import read_transcript

    turns = read_transcript(study_copy / "transcripts" / interview["File"]).turns
    team = {m["name"] for m in yaml.safe_load((study_copy / "study.yml").read_text())["team"]}
    speaker = next(t.speaker for t in turns if t.speaker not in team)

    def drop_consent(sheet):
        name_col = _header_index(sheet, "Name")
        consent_col = _header_index(sheet, "Consent date")
        for row in sheet.iter_rows(min_row=2):
            if row[name_col - 1].value and speaker.split()[-1] in str(row[name_col - 1].value):
                row[consent_col - 1].value = None

    _edit_xlsx(study_copy / "register.xlsx", drop_consent)
    _expect_problem(
        study_copy, tmp_path, "has no consent date", "register.xlsx", "record the consent"
    )


def test_code_not_in_codebook(study_copy, tmp_path):
    def bad_code(sheet):
        sheet.cell(row=2, column=_header_index(sheet, "Code")).value = "barrier.moonbeams"

    _edit_xlsx(study_copy / "coding" / "coding_sheet.xlsx", bad_code)
    _expect_problem(study_copy, tmp_path, "'barrier.moonbeams' is not in the codebook", "row 2")


def test_coding_span_outside_document(study_copy, tmp_path):
    def bad_span(sheet):
        width = sheet.max_column
        sheet.cell(row=1, column=width + 1).value = "Start"
        sheet.cell(row=1, column=width + 2).value = "End"
        row = 3
        sheet.cell(row=row, column=_header_index(sheet, "Turn")).value = None
        sheet.cell(row=row, column=_header_index(sheet, "Text")).value = None
        sheet.cell(row=row, column=_header_index(sheet, "Start")).value = 10
        sheet.cell(row=row, column=_header_index(sheet, "End")).value = 10_000_000

    _edit_xlsx(study_copy / "coding" / "coding_sheet.xlsx", bad_span)
    _expect_problem(study_copy, tmp_path, "runs past the end", "row 3")


def test_coding_turn_outside_document(study_copy, tmp_path):
    def bad_turn(sheet):
        sheet.cell(row=4, column=_header_index(sheet, "Turn")).value = 9999

    _edit_xlsx(study_copy / "coding" / "coding_sheet.xlsx", bad_turn)
    _expect_problem(study_copy, tmp_path, "has no turn 9999", "row 4")


def test_duplicate_document_ids(study_copy, tmp_path):
    def duplicate(rows):
        rows[2][0] = rows[1][0]

    _rewrite_csv(study_copy / "fieldwork_log.csv", duplicate)
    _expect_problem(study_copy, tmp_path, "fieldwork_log.csv", "duplicate")


def test_site_not_in_site_table(study_copy, tmp_path):
    def unknown_site(sheet):
        sheet.cell(row=2, column=_header_index(sheet, "Site")).value = "Atlantis"

    _edit_xlsx(study_copy / "register.xlsx", unknown_site)
    _expect_problem(study_copy, tmp_path, "'Atlantis' is not in the site table", "register.xlsx")


def test_survey_column_the_map_does_not_know(study_copy, tmp_path):
    def extra_column(rows):
        rows[0].append("How many biscuits do you eat in meetings?")
        rows[1].append("Answer")
        rows[2].append("")
        for row in rows[3:]:
            row.append("4")

    _rewrite_csv(study_copy / "survey" / "smartsurvey_export.csv", extra_column)
    _expect_problem(study_copy, tmp_path, "biscuits", "question_map.yml")


def test_unreadable_file(study_copy, tmp_path):
    target = next(p for p in sorted((study_copy / "transcripts").rglob("*.docx")))
    target.write_bytes(b"this is not a word document")
    _expect_problem(study_copy, tmp_path, target.name)


def test_every_problem_is_reported_at_once(study_copy, tmp_path):
    def bad_code(sheet):
        sheet.cell(row=2, column=_header_index(sheet, "Code")).value = "nope.one"
        sheet.cell(row=5, column=_header_index(sheet, "Code")).value = "nope.two"

    _edit_xlsx(study_copy / "coding" / "coding_sheet.xlsx", bad_code)
    _edit_xlsx(
        study_copy / "register.xlsx",
        lambda s: setattr(s.cell(row=2, column=_header_index(s, "Site")), "value", "Atlantis"),
    )
    error = _expect_problem(study_copy, tmp_path, "nope.one", "nope.two", "Atlantis")
    assert len(error.problems) >= 3


def test_report_json_lists_tables_and_their_hashes(demo_ingest, demo_raw):
    _, tmp = demo_ingest
    payload = json.loads((tmp / "processed" / "ingest_report.json").read_text())
    assert payload["synthetic"] is True
    assert sorted(payload["table_sha256"]) == sorted(TABLES)
    assert str(tmp) not in json.dumps(payload), "reports must not depend on where they were built"
    assert payload["counts"]["documents"] > 0
    assert payload["disclosure"] == {"suppress_max": 5, "min_subgroup_base": 10, "quote_k": 3}
    assert payload["role_group_labels"]["partner_agency"] == "Partner agency"
    assert payload["raw_sha256"]["study.yml"] == sha256_file(demo_raw / "study.yml")
    assert len(payload["raw_sha256"]) == sum(1 for p in demo_raw.rglob("*") if p.is_file())
    # Transcript file names may carry names: they are keyed by document id instead.
    assert "transcripts/INT-S01-01" in payload["raw_sha256"]
    log = pd.read_csv(demo_raw / "fieldwork_log.csv")
    listed = json.dumps(payload)
    assert not any(Path(f).name in listed for f in log["File"])
    study = load_study(tmp / "processed")
    assert study.disclosure["quote_k"] == 3
    assert next(iter(study.role_group_labels)) == "senior_leader"


def test_autocode_rules_and_exact_duplicate_codings(demo_ingest):
    report, tmp = demo_ingest
    study = load_study(tmp / "processed")
    assert set(study.autocode_rules["code_id"]) <= set(study.codebook["code_id"])
    assert len(study.autocode_rules) > 100
    # The demo's coding sheet repeats one row exactly; it is counted once, and said so.
    assert any("repeat another row exactly" in w for w in report.warnings)
    same = ["doc_id", "code_id", "coder", "start", "end"]
    assert not study.codings.duplicated(same).any()


def test_codings_of_a_retired_code_are_reported(study_copy, tmp_path):
    path = study_copy / "codebook.yml"
    book = yaml.safe_load(path.read_text(encoding="utf-8"))
    for code in book["codes"]:
        if code["id"] == "barrier.habit":
            code["status"] = "retired"
            code["changed_in"] = "1.1"
    path.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    report = _run(study_copy, tmp_path)
    assert any("retired code 'barrier.habit'" in w for w in report.warnings)


def test_declarations_reach_the_study(demo_processed, demo_raw):
    from evstudy.study import analyses_of, load_study

    study = load_study(demo_processed)
    declared = yaml.safe_load((demo_raw / "study.yml").read_text(encoding="utf-8"))
    questions = study.research_questions
    assert list(questions["rq_id"]) == [str(q["id"]) for q in declared["research_questions"]]
    assert list(questions["title"]) == [q["title"] for q in declared["research_questions"]]
    assert study.population["outside"] == declared["population"]["outside"]
    kinds = [a["type"] for a in declared["analyses"]]
    assert [a["type"] for a in study.analyses] == kinds
    assert len(analyses_of(study, "site_typology")) == kinds.count("site_typology")
    with pytest.raises(ValueError, match="`type` must be one of"):
        analyses_of(study, "astrology")
    # the codebook's rq ids are the declared ids, as text
    used = {q for qs in study.codebook["rq"] for q in qs}
    assert used and used <= set(questions["rq_id"])


def test_declarations_are_checked_against_codebook_and_question_map(study_copy, tmp_path):
    config = yaml.safe_load((study_copy / "study.yml").read_text(encoding="utf-8"))
    analyses = config["analyses"]
    typology = next(a for a in analyses if a["type"] == "site_typology")
    typology["types"][0]["code"] = "approach.moonbeams"
    formats = next(a for a in analyses if a["type"] == "preferred_formats")
    formats["question"] = "horoscopes"
    aware = next(a for a in analyses if a["type"] == "awareness_use")
    aware["not_aware"] = "Never heard of it"
    dropped = config["research_questions"].pop(0)["id"]  # codes still name it
    for analysis in analyses:
        if analysis["rq"] == dropped:
            analysis["rq"] = config["research_questions"][0]["id"]
    (study_copy / "study.yml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    error = _expect_problem(
        study_copy,
        tmp_path,
        "code 'approach.moonbeams' is not in the codebook",
        "question 'horoscopes' is not in the question map",
        "'Never heard of it' is not a point of the scale",
        "are not research questions declared in study.yml",
    )
    assert any(p.file.endswith("codebook.yml") and "line" in p.where for p in error.problems)


def test_codebook_rq_without_declared_questions(study_copy, tmp_path):
    config = yaml.safe_load((study_copy / "study.yml").read_text(encoding="utf-8"))
    del config["research_questions"], config["analyses"]
    (study_copy / "study.yml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    _expect_problem(
        study_copy, tmp_path, "but study.yml declares none", "declare research_questions"
    )


def test_a_study_without_a_survey_ingests_with_empty_survey_tables(study_copy, tmp_path):
    shutil.rmtree(study_copy / "survey")
    (study_copy / "coding" / "survey_free_text.xlsx").unlink()
    report = _run(study_copy, tmp_path)
    out = tmp_path / "out"
    for name in ("survey_questions", "survey_options", "survey_respondents", "survey_answers"):
        frame = pd.read_parquet(out / f"{name}.parquet")
        assert frame.empty and len(frame.columns) > 3, name
    demo_columns = pd.read_parquet(out / "survey_respondents.parquet").columns
    assert "respondent_id" in demo_columns and "role_group" in demo_columns
    assert any("no survey" in w for w in report.warnings)
    assert not (pd.read_parquet(out / "documents.parquet")["method"] == "survey").any()


def test_survey_codings_in_a_study_without_a_survey(study_copy, tmp_path):
    shutil.rmtree(study_copy / "survey")
    _expect_problem(study_copy, tmp_path, "codes a survey answer, but the study has no survey")


def test_a_survey_export_without_its_question_map(study_copy, tmp_path):
    (study_copy / "survey" / "question_map.yml").unlink()
    _expect_problem(study_copy, tmp_path, "question_map.yml", "has no question map", "evstudy init")


def test_a_survey_with_no_responses_ingests(study_copy, tmp_path):
    export = study_copy / "survey" / "smartsurvey_export.csv"
    _rewrite_csv(export, lambda rows: rows.__delitem__(slice(3, None)))  # header lines only
    (study_copy / "coding" / "survey_free_text.xlsx").unlink()
    _run(study_copy, tmp_path)
    out = tmp_path / "out"
    assert pd.read_parquet(out / "survey_respondents.parquet").empty
    assert not pd.read_parquet(out / "survey_questions.parquet").empty  # the questions remain


# -- the fieldwork log's Participants and Interviewer columns (issue 17) -----------------


def _log_rows(raw: Path) -> list[list[str]]:
    with (raw / "fieldwork_log.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _first_txt_interview(raw: Path) -> list[str]:
    return next(r for r in _log_rows(raw)[1:] if r[2] == "Interview" and r[1].endswith(".txt"))


def _as_role_only_legend(path: Path) -> None:
    """Rewrite a two-person 'Name: text' transcript with a legend that names only roles."""
    from evstudy.io.transcripts import read_transcript

    turns = read_transcript(path).turns
    first = turns[0].speaker
    lines = ["[I] – Interviewer    [R] - Respondent", ""]
    lines += [f"{'I –' if t.speaker == first else 'R -'} {t.text}" for t in turns]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_role_only_legend_resolves_through_the_log_to_the_same_turns(study_copy, tmp_path):
    before = _run(study_copy, tmp_path, "before")
    row = _first_txt_interview(study_copy)
    _as_role_only_legend(study_copy / "transcripts" / row[1])
    after = _run(study_copy, tmp_path, "after")
    assert after.tables == before.tables  # every table byte for byte, turns included


def test_role_only_legend_that_cannot_be_resolved_fails_ingest(study_copy, tmp_path):
    row = _first_txt_interview(study_copy)
    path = study_copy / "transcripts" / row[1]
    _as_role_only_legend(path)
    other = next(r[5] for r in _log_rows(study_copy)[1:] if r[5] and r[5] != row[5])

    def two_people(rows):
        for r in rows:
            if r[0] == row[0]:
                r[5] = f"{r[5]}; {other.split(';')[0]}"

    _rewrite_csv(study_copy / "fieldwork_log.csv", two_people)
    error = _expect_problem(
        study_copy, tmp_path, "the legend entry 'R' names only a role", "lists 2 participants"
    )
    [problem] = [p for p in error.problems if "names only a role" in p.problem]
    assert problem.where == "line 1" and problem.file.endswith(path.name)


def test_unlisted_speaker_fails_and_silent_listed_person_warns(study_copy, tmp_path):
    rows = _log_rows(study_copy)
    row = _first_txt_interview(study_copy)
    other = next(r[5] for r in rows[1:] if r[2] == "Interview" and r[5] != row[5])

    def swap(rows):
        for r in rows:
            if r[0] == row[0]:
                r[5] = other  # someone else, so the real interviewee is unlisted

    _rewrite_csv(study_copy / "fieldwork_log.csv", swap)
    _expect_problem(
        study_copy,
        tmp_path,
        f"is in the register but not in the Participants the fieldwork log lists for {row[0]}",
        row[1].rsplit("/", 1)[1],
    )

    def add(rows):
        for r in rows:
            if r[0] == row[0]:
                r[5] = f"{row[5]}; {other}"  # listed, but never speaks here

    _rewrite_csv(study_copy / "fieldwork_log.csv", add)
    report = _run(study_copy, tmp_path, "warned")
    warning = next(w for w in report.warnings if "never speak" in w)
    assert warning == (
        f"fieldwork_log.csv, row {rows.index(row) + 1}: 1 of the people listed in "
        f"Participants for {row[0]} never speaks in its transcript"
    )
    assert other not in warning  # the ingest report carries no names


def test_interviewer_must_be_a_team_member(study_copy, tmp_path):
    row = _first_txt_interview(study_copy)

    def stranger(rows):
        for r in rows:
            if r[0] == row[0]:
                r[6] = "Nobody Known"

    _rewrite_csv(study_copy / "fieldwork_log.csv", stranger)
    _expect_problem(
        study_copy,
        tmp_path,
        "column 'Interviewer'",
        "'Nobody Known' is not a member of the research team",
    )


def test_coding_turn_range_past_the_last_turn(study_copy, tmp_path):
    def bad_range(sheet):
        sheet.cell(row=4, column=_header_index(sheet, "Turn")).value = "3-9999"
        sheet.cell(row=4, column=_header_index(sheet, "Text")).value = None

    _edit_xlsx(study_copy / "coding" / "coding_sheet.xlsx", bad_range)
    _expect_problem(study_copy, tmp_path, "has no turn 9999", "row 4, column 'Turn'")


def test_a_turn_range_loses_the_turns_of_someone_who_withdrew(study_copy, tmp_path):
    # The generated focus groups hold turn ranges; find one and who speaks in it.
    _run(study_copy, tmp_path, "before")
    before = load_study(tmp_path / "before")
    sheet = openpyxl.load_workbook(study_copy / "coding" / "coding_sheet.xlsx").worksheets[0]
    rows = list(sheet.values)
    number, row = next((i, r) for i, r in enumerate(rows[1:], 2) if "-" in str(r[1]))
    doc_id, (first, last) = row[0], map(int, str(row[1]).split("-"))
    turns = before.turns.set_index(["doc_id", "turn"])
    speaker = turns.loc[(doc_id, last), "participant_id"]
    with (tmp_path / "before-keys" / "identity_key.csv").open(encoding="utf-8") as fh:
        name = next(r["name"] for r in csv.DictReader(fh) if r["participant_id"] == speaker)
    # The last speaker withdraws: their turns leave the data, and the range keeps the rest.
    sheet.cell(row=number, column=_header_index(sheet, "Turn")).value = f"{first} to {last}"
    sheet.parent.save(study_copy / "coding" / "coding_sheet.xlsx")

    def withdraw(register):
        column = _header_index(register, "Withdrawal date")
        for cells in register.iter_rows(min_row=2):
            if cells[0].value == name:
                cells[column - 1].value = dt.datetime(2024, 6, 1)

    _edit_xlsx(study_copy / "register.xlsx", withdraw)
    _run(study_copy, tmp_path, "after")
    after = load_study(tmp_path / "after")
    kept = after.turns.set_index(["doc_id", "turn"]).loc[(doc_id, first)]
    coded = after.codings[
        (after.codings["doc_id"] == doc_id)
        & (after.codings["code_id"] == row[3])
        & (after.codings["coder"] == row[4])
        & (after.codings["turn"] == first)
    ]
    # The range is now the first speaker's turn alone, from its start to its end.
    assert coded[["start", "end"]].to_numpy().tolist() == [[kept["start"], kept["end"]]]
    assert (doc_id, last) not in set(zip(after.turns["doc_id"], after.turns["turn"], strict=True))


# -- issue 19: cross-site speakers and decomposed file names ------------------------------


def test_a_speaker_registered_at_another_site_fails_unless_the_log_lists_them(study_copy, tmp_path):
    rows = _log_rows(study_copy)
    row = _first_txt_interview(study_copy)
    visitor = next(r[5] for r in rows[1:] if r[2] == "Interview" and r[3] != row[3])
    path = study_copy / "transcripts" / row[1]
    text = path.read_text(encoding="utf-8-sig").rstrip("\n")
    path.write_text(text + f"\n\n{visitor}: I came over from my own site.\n", encoding="utf-8")
    line = len(text.split("\n")) + 2

    def unlisted(rows):
        for r in rows:
            if r[0] == row[0]:
                r[5] = ""  # the log says nothing of who took part

    _rewrite_csv(study_copy / "fieldwork_log.csv", unlisted)
    error = _expect_problem(
        study_copy, tmp_path, "is registered at another site than", f"{row[0]} (site {row[3]})"
    )
    [problem] = [p for p in error.problems if "another site" in p.problem]
    assert problem.file.endswith(path.name)
    assert problem.where == f"line {line}"
    assert "Participants" in problem.fix

    def listed(rows):
        for r in rows:
            if r[0] == row[0]:
                r[5] = f"{row[5]}; {visitor}"  # the log says the visitor took part

    _rewrite_csv(study_copy / "fieldwork_log.csv", listed)
    report = _run(study_copy, tmp_path, "listed")
    assert not [w for w in report.warnings if "never speak" in w]


def test_a_file_name_decomposed_on_disk_matches_the_log(study_copy, tmp_path):
    import unicodedata

    row = _first_txt_interview(study_copy)
    old = study_copy / "transcripts" / row[1]
    composed = row[1].rsplit("/", 1)[0] + "/Entretien \u00e9t\u00e9.txt"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    old.rename(study_copy / "transcripts" / decomposed)  # as macOS writes it

    def rename(rows):
        for r in rows:
            if r[0] == row[0]:
                r[1] = composed  # as typed into the log

    _rewrite_csv(study_copy / "fieldwork_log.csv", rename)
    _run(study_copy, tmp_path)
    documents = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert row[0] in set(documents["doc_id"])

    # inspect finds the log's row for the file, so its Participants reach the reader
    from evstudy.inspect import _log_context

    on_disk = study_copy / "transcripts" / decomposed
    assert _log_context(study_copy, on_disk)["participants"] == (row[5],)

    # and the withdrawal audit reads the same file when its speaker withdraws
    from evstudy.audit.withdrawal import withdrawn_text
    from evstudy.config import load_config
    from evstudy.io.transcripts import read_transcript

    def withdraw(register):
        column = _header_index(register, "Withdrawal date")
        for cells in register.iter_rows(min_row=2):
            if cells[0].value == row[5]:
                cells[column - 1].value = dt.datetime(2024, 6, 1)

    before = withdrawn_text(load_config(study_copy), None)
    _edit_xlsx(study_copy / "register.xlsx", withdraw)
    found = withdrawn_text(load_config(study_copy), None)
    interview = read_transcript(on_disk).turns
    theirs = sum(t.speaker == row[5] for t in interview)
    assert theirs and found.people == before.people + 1
    assert found.turns == before.turns + theirs


# -- contact details in free text (issue 19 §2) -------------------------------------------

# Each spelling issue 19 lists, and the usual variants, with what it spells; what of that
# would survive if only part of a spelling were caught is what the tables are searched for.
CONTACT_SPELLINGS = [
    ("jo dot lee at council dot gov dot uk", "jo.lee@council.gov.uk"),
    ("priya.shah at ullsbridge.gov.uk", "priya.shah@ullsbridge.gov.uk"),
    ("priya.shah[at]ullsbridge[dot]gov[dot]uk", "priya.shah@ullsbridge.gov.uk"),
    ("priya.shah (at) ullsbridge.gov.uk", "priya.shah@ullsbridge.gov.uk"),
    ("+44 7700 900 123", "07700900123"),
    ("020 7946 0018", "02079460018"),
    ("020-7946-0018", "02079460018"),
    ("07700.900.123", "07700900123"),
    ("LS1 4AP", "LS1 4AP"),
]


def _register_contacts(raw: Path) -> tuple[str, str, str]:
    """(name, email, phone) of a register person who has a phone number."""
    register = pd.read_excel(raw / "register.xlsx", dtype=str)
    person = register[register["Phone"].notna()].iloc[0]
    return person["Name"], person["Email"], person["Phone"]


def _register_spellings(email: str, phone: str) -> list[tuple[str, str]]:
    local, _, domain = email.partition("@")
    digits = "".join(c for c in phone if c.isdigit())
    spellings = [
        email.upper(),
        f"{local.replace('.', ' dot ')} at {domain.replace('.', ' dot ')}",
        f"{local}[at]{domain}",
        f"{local}(at){domain.replace('.', '(dot)')}",
        f"{local.replace('.', 'dot')}at{domain.replace('.', 'dot')}",  # run together
    ]
    numbers = [
        " ".join(digits),  # every digit apart
        f"+44 ({digits[0]}){digits[1:4]}-{digits[4:]}",
        f"{digits[:5]}.{digits[5:]}",
    ]
    return [(s, email) for s in spellings] + [(n, phone) for n in numbers]


def _compact(text: str) -> str:
    """Letters and digits only, less the spelt separators: every spelling of an address
    comes down to the same string."""
    return re.sub(r"[^a-z0-9]", "", text.casefold()).replace("dot", "").replace("at", "")


def _leftovers(value: str) -> list[str]:
    """What of a contact detail must not survive: the last seven of its digits, or the
    compacted local part and domain of its address."""
    digits = "".join(c for c in value if c.isdigit())
    if "@" not in value:
        return [digits[-7:]]
    local, _, domain = value.partition("@")
    return [_compact(local), _compact(domain)]


def _haystacks(processed: Path) -> dict[str, tuple[str, str]]:
    """Each table as (its cells compacted, its cells' digits), cell by cell."""
    found = {}
    for path in sorted(processed.iterdir()):
        if path.suffix == ".parquet":
            cells = pd.read_parquet(path).astype(str).to_numpy().ravel()
        else:
            cells = path.read_text(encoding="utf-8").splitlines()
        found[path.name] = (
            "\n".join(_compact(c) for c in cells),
            "\n".join(re.sub(r"\D", "", c) for c in cells),
        )
    return found


def test_contact_details_in_any_spelling_never_reach_a_processed_table(study_copy, tmp_path):
    _, email, phone = _register_contacts(study_copy)
    planted = CONTACT_SPELLINGS + _register_spellings(email, phone)
    sentence = " ".join(f"Or try {spelling}." for spelling, _ in planted)
    # The last turn of a transcript (so no coding's offsets move) ...
    row = _first_txt_interview(study_copy)
    path = study_copy / "transcripts" / row[1]
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f" {sentence}\n", "utf-8")

    # ... a survey free-text answer, the end of one that is there ...
    def answer(rows):
        rows[3][-1] = (rows[3][-1] + " " + sentence).strip()

    _rewrite_csv(study_copy / "survey" / "smartsurvey_export.csv", answer)

    # ... a coding memo and a review finding's memo.
    def memo(sheet):
        sheet.cell(2, _header_index(sheet, "Memo")).value = sentence

    _edit_xlsx(study_copy / "coding" / "coding_sheet.xlsx", memo)
    _edit_xlsx(study_copy / "review" / "review_findings.xlsx", memo)

    _run(study_copy, tmp_path)
    study = load_study(tmp_path / "out")
    turn = study.turns[study.turns["doc_id"] == row[0]].iloc[-1]["text"]
    assert turn.count("[email]") == 4 + 5 and turn.count("[phone]") == 4 + 3, turn
    assert turn.count("[postcode]") == 1
    assert "Or try [email]. Or try [email]." in turn
    svy = study.turns[study.turns["doc_id"].str.startswith("SVY-")]
    assert svy["text"].str.contains(re.escape("Or try [phone].")).any()
    assert (study.codings["memo"].dropna().str.count(r"\[email\]") == 9).any()
    assert (study.review_findings["memo"].dropna().str.count(r"\[phone\]") == 7).any()

    tables = _haystacks(tmp_path / "out")
    for spelling, value in planted:
        for needle in _leftovers(value) if value != "LS1 4AP" else ["ls14ap"]:
            for table, (text, digits) in tables.items():
                haystack = digits if needle.isdigit() else text
                assert needle not in haystack, f"{table} keeps {needle!r} of {spelling!r}"


# -- names past redaction (issue 19 §1) --------------------------------------------------

_NEW_PEOPLE = ["Priya Shah", "Zoë Clarke", "Anna Smith-Jones", "Rebecca Moss", "Will Turner"]
_FORMS_TURN = (
    "Priya's team asked Zoe Clarke, then Zoë, then Anna Smith and Anna Smith Jones; "
    "P. Shah agreed and Bex wrote it up. Will said we will see."
)


def _add_people(raw: Path) -> None:
    """Five people who took part in nothing, added to the register."""

    def add(sheet):
        template = [c.value for c in sheet[2]]
        name_col, email_col = _header_index(sheet, "Name"), _header_index(sheet, "Email")
        withdrawn_col = _header_index(sheet, "Withdrawal date")
        for i, name in enumerate(_NEW_PEOPLE):
            row = list(template)
            row[name_col - 1] = name
            row[email_col - 1] = f"new{i}@example.org"
            row[withdrawn_col - 1] = None
            sheet.append(row)

    _edit_xlsx(raw / "register.xlsx", add)


def _append_turn(raw: Path, text: str) -> tuple[str, int]:
    """Add an interviewer's turn to a .txt interview: (doc_id, its turn number)."""
    row = _first_txt_interview(raw)
    path = raw / "transcripts" / row[1]
    from evstudy.io.transcripts import read_transcript

    n = len(read_transcript(path).turns) + 1
    body = path.read_text(encoding="utf-8-sig").rstrip("\n")
    path.write_text(f"{body}\n\n[00:59:00] {row[6]}: {text}\n", encoding="utf-8")
    return row[0], n


def _nfd_survey_answer(raw: Path) -> str:
    """Add a sentence naming Zoë Clarke, in NFD, to the first long free-text answer (its
    codings still find their passages)."""
    import unicodedata

    answer = unicodedata.normalize("NFD", "Zoë Clarke and Zoë showed us the toolkit")

    def edit(rows):
        # A free-text column: its long answers differ, where an option's label repeats.
        for j in range(len(rows[0])):
            long = [r[j] for r in rows[3:] if j < len(r) and len(r[j]) > 40]
            if len(long) >= 3 and len(set(long)) == len(long):
                row = next(r for r in rows[3:] if len(r[j]) > 40)
                row[j] = f"{row[j]} {answer}"
                return
        raise AssertionError("no free-text column")

    _rewrite_csv(raw / "survey" / "smartsurvey_export.csv", edit)
    return answer


def test_every_form_of_a_register_name_is_redacted_in_the_processed_tables(study_copy, tmp_path):
    _add_people(study_copy)
    doc_id, turn = _append_turn(study_copy, _FORMS_TURN)
    _nfd_survey_answer(study_copy)
    report = _run(study_copy, tmp_path)
    out = tmp_path / "out"
    turns = pd.read_parquet(out / "turns.parquet")
    text = turns.loc[(turns["doc_id"] == doc_id) & (turns["turn"] == turn), "text"].item()
    assert text == (
        "[name]'s team asked [name], then [name], then [name] and [name]; "
        "[name] agreed and [name] wrote it up. Will said we will see."
    )
    answers = pd.read_parquet(out / "survey_answers.parquet")
    hits = answers[answers["value"].astype(str).str.contains("showed us the toolkit")]
    assert len(hits) == 1
    assert hits["value"].item().endswith(" [name] and [name] showed us the toolkit")
    for table in ("turns", "documents", "survey_answers", "codings"):
        frame = pd.read_parquet(out / f"{table}.parquet").astype(str)
        for word in ("Priya", "Zoe", "Zoë", "Zoe\u0308", "Smith", "Shah", "Bex"):
            assert not frame.apply(lambda c, w=word: c.str.contains(w)).any().any(), (table, word)
    # "Will" is an ordinary word too: left in the text, and for a researcher to decide.
    assert report.flagged_names == 1 and report.undecided_names == [f"{doc_id} turn {turn}"]
    review = (tmp_path / "out-keys" / "name_review.csv").read_text(encoding="utf-8")
    assert review.splitlines() == [
        "word,doc_id,turn,decision,reviewer,date,context",
        # the six words either side, as redacted
        f"Will,{doc_id},{turn},,,,agreed and [name] wrote it up. Will said we will see.",
    ]
    payload = json.loads((out / "ingest_report.json").read_text(encoding="utf-8"))
    assert payload["undecided_names"] == [f"{doc_id} turn {turn}"]
    assert "Will" not in json.dumps(payload)  # the words stay beside the key


@pytest.mark.parametrize("decision", ["redact", "keep"])
def test_a_decision_in_name_decisions_csv_redacts_or_keeps_the_word(study_copy, tmp_path, decision):
    _add_people(study_copy)
    doc_id, turn = _append_turn(study_copy, "Will said we will see.")
    decisions = study_copy / "name_decisions.csv"  # the generator's, and one row more
    with decisions.open("a", encoding="utf-8") as fh:
        fh.write(f"Will,{doc_id},{turn},{decision},AB,2024-01-10\n")

    def code_the_turn(sheet):  # a coding that quotes the turn: it must still find its text
        row = [c.value for c in sheet[2]]
        row[:3] = [doc_id, turn, "Will said we will see"]
        sheet.append(row)

    _edit_xlsx(study_copy / "coding" / "coding_sheet.xlsx", code_the_turn)
    report = _run(study_copy, tmp_path)
    turns = pd.read_parquet(tmp_path / "out" / "turns.parquet")
    text = turns.loc[(turns["doc_id"] == doc_id) & (turns["turn"] == turn), "text"].item()
    word = "[name]" if decision == "redact" else "Will"
    assert text == f"{word} said we will see."
    assert report.flagged_names == 0 and report.undecided_names == []
    assert report.kept_names == (1 if decision == "keep" else 0)
    assert "name_decisions.csv" in report.raw_sha256  # hashed with the raw inputs
    codings = pd.read_parquet(tmp_path / "out" / "codings.parquet")
    coded = codings.loc[(codings["doc_id"] == doc_id) & (codings["turn"] == turn), "text"]
    assert coded.tolist() == [f"{word} said we will see"]


def test_a_bad_name_decisions_csv_stops_ingest_with_its_rows(study_copy, tmp_path):
    (study_copy / "name_decisions.csv").write_text(
        "word,doc_id,turn,decision,reviewer,date\nWill,*,,maybe,AB,2024-01-10\n",
        encoding="utf-8",
    )
    _expect_problem(study_copy, tmp_path, "name_decisions.csv", "line 2, column 'decision'", "keep")
