"""`evstudy init`: the skeleton of a new study's raw folder (evstudy.scaffold)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from evstudy.check import check_study
from evstudy.errors import InputError, ValidationError
from evstudy.io.coding_sheet import CODING_COLUMNS, read_coding_sheet
from evstudy.io.register import REGISTER_COLUMNS
from evstudy.io.sheets import read_sheet
from evstudy.scaffold import init_study

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "data" / "raw" / "survey" / "smartsurvey_export.csv"


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder``: file bytes, or None for a folder."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def _uncommented(text: str, key: str) -> dict:
    """The commented-out top-level block ``# key:`` of a template, uncommented and parsed."""
    lines = text.splitlines()
    start = lines.index(f"# {key}:")
    block = [lines[start][2:]]
    for line in lines[start + 1 :]:
        if not line.startswith("#   "):
            break
        block.append(line[2:])
    return yaml.safe_load("\n".join(block))


def test_init_writes_every_template_and_folder(tmp_path):
    written = init_study(tmp_path / "study")
    tree = _tree(tmp_path / "study")
    for name in [
        "study.yml",
        "sites.csv",
        "register.xlsx",
        "other_names.txt",
        "fieldwork_log.csv",
        "codebook.yml",
        "coding/coding_sheet.xlsx",
    ]:
        assert tree[name], name
        assert name in written
    for folder in ("transcripts", "survey", "coding"):
        assert tree[folder] is None, folder  # a folder
    assert not (tmp_path / "study" / "survey" / "question_map.yml").exists()


def test_init_is_byte_stable_across_runs(tmp_path):
    init_study(tmp_path / "one", survey=EXPORT)
    init_study(tmp_path / "two", survey=EXPORT)
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert one == two
    assert len([v for v in one.values() if v]) == 9  # 7 templates, the export and its map


@pytest.mark.parametrize("content", ["file", "folder", "hidden"])
def test_init_refuses_a_folder_that_holds_anything(tmp_path, content):
    target = tmp_path / "study"
    target.mkdir()
    {
        "file": lambda: (target / "notes.txt").write_text("mine", encoding="utf-8"),
        "folder": lambda: (target / "transcripts").mkdir(),
        "hidden": lambda: (target / ".git").mkdir(),
    }[content]()
    before = _tree(target)
    with pytest.raises(InputError) as raised:
        init_study(target, survey=EXPORT)
    assert "not empty" in str(raised.value) and "fix: give a new or empty folder" in str(
        raised.value
    )
    assert _tree(target) == before


def test_init_refuses_a_file_and_an_export_of_another_type(tmp_path):
    path = tmp_path / "study.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="a file, not a folder"):
        init_study(path)
    notes = tmp_path / "export.txt"
    notes.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"\.csv or \.xlsx"):
        init_study(tmp_path / "new", survey=notes)
    assert not (tmp_path / "new").exists(), "nothing is written when the export is refused"


def test_the_workbooks_hold_the_readers_header_rows(tmp_path):
    init_study(tmp_path / "s")
    register = read_sheet(tmp_path / "s" / "register.xlsx")
    assert list(register.rows[0]) == [names[0] for names in REGISTER_COLUMNS.values()]
    assert len(register.rows) == 1
    sheet = read_coding_sheet(tmp_path / "s" / "coding" / "coding_sheet.xlsx")
    columns = ["document", "turn", "turn_end", *list(CODING_COLUMNS)[2:], "row"]
    assert sheet.empty and list(sheet.columns) == columns


def test_study_template_examples_are_valid_declarations(tmp_path):
    """The commented examples parse as YAML and declare what the issue-16 contract names."""
    init_study(tmp_path / "s")
    text = (tmp_path / "s" / "study.yml").read_text(encoding="utf-8")
    active = yaml.safe_load(text)
    assert set(active) == {"study", "team", "role_groups", "targets", "fieldwork", "disclosure"}
    assert active["study"]["synthetic"] is False
    questions = _uncommented(text, "research_questions")["research_questions"]
    assert [q["id"] for q in questions] == [1, 2] and all(
        q["title"] and q["text"] for q in questions
    )
    assert set(_uncommented(text, "population")["population"]) == {"label", "outside"}
    analyses = _uncommented(text, "analyses")["analyses"]
    assert sorted(a["type"] for a in analyses) == sorted(
        [
            "site_typology",
            "resource_judgements",
            "group_comparison",
            "awareness_use",
            "preferred_formats",
        ]
    )
    rq_ids = {q["id"] for q in questions}
    assert all(a["rq"] in rq_ids for a in analyses)
    # The role groups the examples use are the ones the commented labels define.
    block = text.split("  # labels:\n", 1)[1].split("  rules:", 1)[0]
    labels = set(re.findall(r"(?m)^  #   (\w+): ", block))
    assert len(labels) >= 2
    comparison = next(a for a in analyses if a["type"] == "group_comparison")
    assert {g for groups in comparison["groups"].values() for g in groups} <= labels


def test_codebook_template_example_reads(tmp_path):
    from evstudy.codebook import read_codebook

    init_study(tmp_path / "s")
    text = (tmp_path / "s" / "codebook.yml").read_text(encoding="utf-8")
    head, commented = text.split("codes: []\n# codes:\n", 1)
    example = head + "codes:\n" + re.sub(r"(?m)^# ", "", commented)
    path = tmp_path / "codebook.yml"
    path.write_text(example, encoding="utf-8")
    codebook = read_codebook(path)
    assert list(codebook["code_id"]) == ["barrier", "barrier.time"]
    assert codebook.loc[1, "parent_id"] == "barrier" and codebook.loc[1, "valence"] == "barrier"


def test_a_new_skeleton_checks_as_far_as_an_empty_study_can(tmp_path):
    """Straight after init, check names what study.yml still lacks; once that is filled in,
    it names every other missing piece at once, in the project's error form."""
    raw = tmp_path / "s"
    init_study(raw, survey=EXPORT)
    with pytest.raises(ValidationError) as first:
        check_study(raw, key_dir=tmp_path / "keys")
    # each place carries its YAML line: "line 18, team"
    places = {(p.file, p.where.split(", ", 1)[-1]) for p in first.value.problems}
    assert places == {("study.yml", "team"), ("study.yml", "role_groups.labels")}
    assert all(p.where.startswith("line ") for p in first.value.problems)
    study = raw / "study.yml"
    text = study.read_text(encoding="utf-8")
    text = text.replace("team: []", "team:\n  - {name: Alex Morgan, role: Interviewer}")
    text = text.replace("  labels: {}", "  labels: {staff: Staff}")
    text = text.replace("  rules: []", "  rules:\n    - {role_group: staff, job_title: '.'}")
    study.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as second:
        check_study(raw, key_dir=tmp_path / "keys")
    files = {p.file for p in second.value.problems}
    assert {"sites.csv", "register.xlsx", "codebook.yml"} <= files
    assert all(p.fix for p in second.value.problems)
    assert not (tmp_path / "keys").exists()


def test_a_failed_init_leaves_nothing_half_made(tmp_path, monkeypatch):
    """A full disk half way through: a clear error, and neither the study folder nor the
    staging folder is left behind, so the next init can start afresh."""
    import errno

    from evstudy import scaffold

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(scaffold, "_header_workbook", full_disk)
    with pytest.raises(InputError) as caught:
        init_study(tmp_path / "study")
    assert "No space left on device" in caught.value.problem.problem
    assert "nothing was left" in caught.value.problem.problem
    assert list(tmp_path.iterdir()) == []


def test_init_fills_an_empty_folder_with_ordinary_permissions(tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    init_study(target)
    assert (target / "study.yml").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["empty"]  # no staging left beside it
    assert target.stat().st_mode & 0o755 == 0o755


def test_header_workbooks_store_headers_as_text(tmp_path):
    import openpyxl

    from evstudy.scaffold import _header_workbook

    out = _header_workbook(tmp_path / "h.xlsx", "Sheet", ["=1+1", "Name"], title="T")
    cell = openpyxl.load_workbook(out)["Sheet"]["A1"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")
