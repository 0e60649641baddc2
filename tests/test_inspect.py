"""`evstudy inspect` on the demo's real files and on files it must refuse."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from evstudy.cli import main
from evstudy.errors import InputError
from evstudy.inspect import detect_kind, inspect_file


def _first(demo_raw: Path, pattern: str) -> Path:
    return sorted((demo_raw / "transcripts").rglob(pattern))[0]


@pytest.mark.parametrize(
    ("relative", "kind"),
    [
        ("register.xlsx", "register"),
        ("survey/smartsurvey_export.csv", "survey"),
        ("survey/smartsurvey_export.xlsx", "survey"),
        ("survey/question_map.yml", "question_map"),
        ("coding/coding_sheet.xlsx", "coding_sheet"),
        ("fieldwork_log.csv", "fieldwork_log"),
        ("sites.csv", "sites"),
        ("admin/admin_data.xlsx", "admin"),
        ("codebook.yml", "codebook"),
        ("study.yml", "study_config"),
    ],
)
def test_every_raw_format_is_recognised(demo_raw, relative, kind):
    assert detect_kind(demo_raw / relative) == kind
    assert inspect_file(demo_raw / relative)["kind"] == kind


@pytest.mark.parametrize("pattern", ["*.docx", "*.vtt", "*.txt"])
def test_transcript_json_lists_every_turn(demo_raw, pattern, capsys):
    path = _first(demo_raw, pattern)
    assert main(["inspect", str(path), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["kind"] == "transcript"
    assert found["n_turns"] == len(found["turns"]) > 5
    assert sum(s["turns"] for s in found["speakers"]) == found["n_turns"]
    first = found["turns"][0]
    assert set(first) >= {"speaker", "start", "end", "text"}
    assert found["n_words"] == sum(len(t["text"].split()) for t in found["turns"])


def test_survey_inspection_counts_partial_responses_and_drops_identifiers(demo_raw, capsys):
    export = demo_raw / "survey" / "smartsurvey_export.csv"
    assert main(["inspect", str(export), "--json"]) == 0
    out = capsys.readouterr().out
    found = json.loads(out)
    raw = pd.read_csv(export, header=None, skiprows=3, dtype=str)
    assert found["n_respondents"] == len(raw)
    assert found["n_partial"] + found["n_complete"] == found["n_respondents"]
    assert found["n_partial"] > 0
    assert {q["id"] for q in found["questions"]} >= {"barriers", "enablers", "influences"}
    assert len(found["answers"]) > found["n_respondents"] * 5
    header = pd.read_csv(export, header=None, nrows=1, dtype=str).iloc[0].tolist()
    for column in ("Email", "IP Address", "Name"):
        values = raw.iloc[:, header.index(column)].dropna()
        assert not any(v in out for v in values if v.strip()), f"{column} leaked"


def test_register_inspection_shows_no_names(demo_raw, capsys):
    register = pd.read_excel(demo_raw / "register.xlsx")
    assert main(["inspect", str(demo_raw / "register.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "n_people: " + str(len(register)) in out
    assert not any(name in out for name in register["Name"])
    assert not any(email in out for email in register["Email"])


def test_plain_text_output_for_a_transcript(demo_raw, capsys):
    assert main(["inspect", str(_first(demo_raw, "*.vtt"))]) == 0
    out = capsys.readouterr().out
    assert "layout: " in out and "timestamps: yes" in out and "speakers:" in out


def test_a_survey_export_outside_a_study_needs_raw(demo_raw, tmp_path):
    lone = tmp_path / "export.csv"
    lone.write_bytes((demo_raw / "survey" / "smartsurvey_export.csv").read_bytes())
    with pytest.raises(InputError, match="question map"):
        inspect_file(lone)
    assert inspect_file(lone, raw=demo_raw)["n_respondents"] > 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.pdf", b"%PDF-1.4", "reads no .pdf files"),
        ("table.csv", b"a,b,c\n1,2,3\n", "matches none of the formats"),
        ("other.yml", b"just: a mapping\n", "YAML file evstudy does not know"),
    ],
)
def test_unknown_files_get_a_clear_error(tmp_path, name, content, message, capsys):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "fix:" in err


def test_codebook_without_origins_is_summarised(tmp_path):
    path = tmp_path / "codebook.yml"
    path.write_text(
        'version: "1"\ncodes:\n  - {id: a, label: A}\n'
        "  - {id: a.b, parent: a, label: B, origin: inductive}\n",
        encoding="utf-8",
    )
    found = inspect_file(path)
    assert found["codes"] == 2 and found["themes"] == 1 and found["max_depth"] == 1
    assert found["by_origin"] == {"(not given)": 1, "inductive": 1}


def test_qdpx_plain_text_names_the_file_once(shared_dir, capsys):
    path = shared_dir / "fixtures" / "refi-qda" / "qc-1.3.2-demo.qdpx"
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count(str(path)) == 1 and "kind:" not in out
    assert "users: cp" in out and "codes: 262" in out and "n_codings: 205" in out


FIXTURES = Path(__file__).resolve().parent / "fixtures" / "transcripts"


def test_transcript_inspection_explains_the_layout_line_by_line(capsys):
    assert main(["inspect", str(FIXTURES / "participant_list.txt")]) == 0
    out = capsys.readouterr().out
    assert "detected because: paragraphs start with a speaker label and a colon" in out
    assert "  header lines: 1-6\n" in out
    assert "  heading lines: 8-10, 15-17\n" in out
    assert "  turn lines: 12-14, 18-19\n" in out


def test_transcript_inspection_warns_on_every_skipped_line(tmp_path, capsys):
    path = tmp_path / "t.txt"
    path.write_text(
        "Evidence study\nDraft transcript\nI – Interviewer (Alex Morgan)\n"
        "R – Respondent (Jordan Lee)\n\nI – Hello.\nR – Hello there.\n",
        encoding="utf-8",
    )
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "  legend lines: 3-4\n" in out and "  turn lines: 6-7\n" in out
    assert "warning: line 1 skipped: neither legend, header, heading nor turn" in out
    assert "warning: line 2 skipped: neither legend, header, heading nor turn" in out
    assert main(["inspect", str(path), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["lines"] == {"legend": [3, 4], "turn": [6, 7], "skipped": [1, 2]}
    assert found["why"].startswith("a legend at the top")
