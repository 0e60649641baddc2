"""The research team's report text: reading, checking, stripping raw HTML, and ingest's
redaction of names and contact details in it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from evstudy.errors import ValidationError
from evstudy.io.report_text import read_report_text, section_keys, strip_html


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def test_section_keys_put_the_findings_after_the_methods():
    assert section_keys(["1", "2"]) == [
        "executive_summary",
        "background",
        "methods",
        "findings/1",
        "findings/2",
        "discussion",
        "limitations",
        "recommendations",
    ]


def test_sections_are_read_in_the_report_order_with_lf_endings(tmp_path: Path):
    folder = tmp_path / "report"
    write(folder, "limitations.md", "Small sample.\r\nSecond line.")
    write(folder, "findings/2.md", "Second question.")
    write(folder, "executive_summary.md", "\ufeffSummary.")
    frame = read_report_text(folder, findings=["1", "2"])
    assert list(frame["key"]) == ["executive_summary", "findings/2", "limitations"]
    assert list(frame["file"]) == [
        "report/executive_summary.md",
        "report/findings/2.md",
        "report/limitations.md",
    ]
    assert list(frame["text"]) == ["Summary.", "Second question.", "Small sample.\nSecond line."]


def test_placeholders_are_checked_as_far_as_they_can_be_without_the_data(tmp_path: Path):
    folder = tmp_path / "report"
    write(
        folder,
        "discussion.md",
        "One.\n{% set r = codes['a'] %}{{ r.pct }}\nThe {{ sampel.sites }}.",
    )
    write(folder, "methods.md", "One.\nTwo.\n{{ sample.sites }\n")
    write(
        folder, "background.md", "{{ quote('a') }} {{ study.title }} {% expect sample.sites > 1 %}"
    )
    with pytest.raises(ValidationError) as caught:
        read_report_text(folder, findings=[])
    problems = {p.file: p for p in caught.value.problems}
    assert set(problems) == {"report/discussion.md", "report/methods.md"}
    assert problems["report/discussion.md"].where == "line 3"
    assert "'sampel'" in problems["report/discussion.md"].problem
    assert problems["report/methods.md"].where == "line 3"
    assert "syntax" in problems["report/methods.md"].problem


def test_no_report_folder_means_no_text(tmp_path: Path):
    frame = read_report_text(tmp_path / "report", findings=["1"])
    assert frame.empty and list(frame.columns) == ["key", "file", "text"]


def test_a_file_for_an_unknown_section_or_question_is_an_error_naming_it(tmp_path: Path):
    folder = tmp_path / "report"
    write(folder, "findings/9.md", "A question the study does not have.")
    write(folder, "summary.md", "Not a section.")
    write(folder, "notes.txt", "Not Markdown.")
    write(folder, "discussion.md", "Fine.")
    with pytest.raises(ValidationError) as caught:
        read_report_text(folder, findings=["1", "2"])
    problems = {p.file: p for p in caught.value.problems}
    assert set(problems) == {"report/findings/9.md", "report/summary.md", "report/notes.txt"}
    assert "no research question (or theme) '9'" in problems["report/findings/9.md"].problem
    assert "1, 2" in problems["report/findings/9.md"].problem
    assert "executive_summary.md" in problems["report/summary.md"].fix


def test_a_file_that_is_not_utf8_names_its_line(tmp_path: Path):
    folder = tmp_path / "report"
    write(folder, "background.md", "First line.\nSecond.\nCaf\xe9 society.".encode("cp1252"))
    with pytest.raises(ValidationError) as caught:
        read_report_text(folder, findings=[])
    (problem,) = caught.value.problems
    assert (problem.file, problem.where) == ("report/background.md", "line 3")
    assert "UTF-8" in problem.fix


def test_raw_html_is_stripped_and_lines_and_placeholders_are_kept():
    text = (
        "Intro <b>bold</b> & more.\n"
        "<script>\nalert('x')\n</script>\n"
        "{% expect survey.barriers.top[1].pct > 0.5 %}\n"
        "Fewer than 6 < 10, and &lt;script&gt; stays text.\n"
        "<!-- a comment\nover two lines -->{{ sample.sites }} <img src=x onerror=alert(1)>\n"
        "> a quote line"
    )
    cleaned = strip_html(text)
    assert "<script" not in cleaned and "alert" not in cleaned and "<img" not in cleaned
    assert "<b>" not in cleaned and "bold" in cleaned
    lines = cleaned.split("\n")
    assert len(lines) == len(text.split("\n"))
    assert lines[4] == "{% expect survey.barriers.top[1].pct > 0.5 %}"
    assert lines[7].startswith("{{ sample.sites }}")
    assert lines[8] == "> a quote line"
    # An escaped tag stays escaped: no "<script" can come back from the text.
    assert "&lt;script>" in lines[5]


def test_ingest_redacts_names_and_contacts_and_hashes_the_text(study_copy: Path, tmp_path: Path):
    from evstudy.ingest import ingest
    from evstudy.io.register import read_register
    from evstudy.study import load_study

    register = read_register(study_copy / "register.xlsx")
    name, email = register["name"].iloc[0], register["email"].iloc[0]
    shutil.rmtree(study_copy / "report")
    write(
        study_copy / "report",
        "discussion.md",
        f"We thank {name} ({email}) for reading a draft.\n<script>x()</script>",
    )
    report = ingest(study_copy, tmp_path / "processed", key_dir=tmp_path / "keys")
    study = load_study(tmp_path / "processed")
    (text,) = study.report_text["text"]
    assert name not in text and email not in text
    assert "[name]" in text and "<script>" not in text
    assert list(study.report_text["key"]) == ["discussion"]
    assert "report/discussion.md" in report.raw_sha256
    assert report.counts["report_sections"] == 1


def test_the_demo_ships_text_for_every_section(demo_study):
    from evstudy.prose import section_keys as study_keys

    frame = demo_study.report_text
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["key"]) == study_keys(demo_study)
