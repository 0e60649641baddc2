"""Drafting question_map.yml from a SmartSurvey export (evstudy.io.question_map_draft)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from evstudy.errors import InputError
from evstudy.io.question_map import norm_text, read_question_map
from evstudy.io.question_map_draft import draft_question_map, draft_questions
from evstudy.io.smartsurvey import read_smartsurvey

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "data" / "raw" / "survey"


def _labels(entries) -> list[str]:
    return [e["label"] if isinstance(e, dict) else str(e) for e in entries or []]


@pytest.fixture(scope="module")
def demo_pair():
    """(the demo's real map, the draft made from its export), both as parsed YAML."""
    real = yaml.safe_load((SURVEY / "question_map.yml").read_text(encoding="utf-8"))
    draft = yaml.safe_load(draft_question_map(SURVEY / "smartsurvey_export.csv"))
    return real["questions"], draft["questions"]


def test_the_demo_draft_has_the_real_maps_blocks_types_and_labels(demo_pair):
    real, draft = demo_pair
    assert [norm_text(q["text"]) for q in draft] == [norm_text(q["text"]) for q in real]
    for want, got in zip(real, draft, strict=True):
        where = want["id"]
        assert got["type"] == want["type"], where
        assert bool(got.get("other")) == bool(want.get("other")), where
        assert got.get("max_choices") == want.get("max_choices"), where
        if want["type"] == "grid":
            assert _labels(got["items"]) == _labels(want["items"]), where
            assert set(got["scale"]) == set(want["scale"]), where
        elif want["type"] == "multi":
            assert _labels(got["options"]) == _labels(want["options"]), where
        elif want["type"] == "single":
            # Only answers somebody gave can be seen; none is invented.
            assert set(got["options"]) <= set(_labels(want["options"])), where
            assert len(got["options"]) >= len(want["options"]) - 1, where


def test_known_scales_are_put_in_order_with_their_neutral_point(demo_pair):
    real, draft = demo_pair
    by_text = {norm_text(q["text"]): q for q in real}
    ordered = [q for q in draft if q["type"] == "grid" and q.get("neutral")]
    assert ordered, "the demo has grids on common scales"
    for got in ordered:
        want = by_text[norm_text(got["text"])]
        assert got["scale"] == want["scale"] and got["neutral"] == want["neutral"]


def test_attributes_that_give_role_group_and_tenure_are_found(demo_pair):
    real, draft = demo_pair
    detected = {norm_text(q["text"]): q.get("attribute") for q in draft}
    for want in real:
        if want.get("attribute") in ("job_title", "organisation_type", "years_in_role"):
            assert detected[norm_text(want["text"])] == want["attribute"], want["id"]
    # Which question names the site cannot be told from the export: it is left to check.
    site = next(q for q in real if q.get("attribute") == "site")
    assert detected[norm_text(site["text"])] is None


def test_the_draft_reads_the_export_it_came_from(tmp_path):
    path = tmp_path / "question_map.yml"
    path.write_text(draft_question_map(SURVEY / "smartsurvey_export.csv"), encoding="utf-8")
    qmap = read_question_map(path)
    ids = [q.id for q in qmap.questions]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids)
    export = read_smartsurvey(SURVEY / "smartsurvey_export.csv", qmap)
    with (SURVEY / "smartsurvey_export.csv").open(encoding="utf-8-sig", newline="") as fh:
        data_lines = [r for r in list(csv.reader(fh))[3:] if any(r)]
    assert len(export.respondents) == len(data_lines)


def test_csv_and_xlsx_exports_give_the_same_draft():
    csv_text = draft_question_map(SURVEY / "smartsurvey_export.csv", label="export")
    xlsx_text = draft_question_map(SURVEY / "smartsurvey_export.xlsx", label="export")
    assert csv_text == xlsx_text
    assert csv_text.startswith("# DRAFT question map") and "Check every entry" in csv_text


def _export(path: Path, head: list[str], subs: list[str], rows: list[list[str]]) -> Path:
    meta = ["UserID", "UserNo", "Started"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*meta, *head])
        writer.writerow(["", "", "", *subs])
        writer.writerow([""] * (len(meta) + len(head)))
        for n, row in enumerate(rows, 1):
            writer.writerow([str(1000 + n), str(n), "01/03/2024 09:00:00", *row])
    return path


def test_hand_made_export_each_kind_of_block(tmp_path):
    head = [
        "Which team are you in?",
        "",  # single with Other
        "Who do you work with?",
        "",  # multi: an item that starts with "Other" is an item
        "How ready is your service?",
        "",  # grid on a scale nobody lists
        "Any comments?",
    ]
    subs = [
        "Answer",
        "Other (please specify)",
        "Other agencies",
        "Schools",
        "Planning",
        "Delivery",
        "Answer",
    ]
    rows = [
        ["North", "", "Other agencies", "", "Partly ready", "Not ready", "Fine thanks"],
        ["South", "", "", "Schools", "Fully ready", "Partly ready", "More money please"],
        ["North", "", "Other agencies", "Schools", "Not ready", "", ""],
        ["Other", "Central", "", "", "", "Fully ready", "Nothing"],
    ]
    path = _export(tmp_path / "export.csv", head, subs, rows)
    team, partners, ready, comments = draft_questions(path)
    assert (team.type, team.options, team.other) == ("single", ["North", "South"], True)
    assert (partners.type, partners.options, partners.other) == (
        "multi",
        ["Other agencies", "Schools"],
        False,
    )
    assert ready.type == "grid" and [label for _, label in ready.items] == ["Planning", "Delivery"]
    # Not a known scale: first seen, a point that says "not" first, and a note to check.
    assert ready.scale == ["Not ready", "Partly ready", "Fully ready"] and ready.neutral is None
    assert any("negative to positive" in n for n in ready.notes)
    assert comments.type == "text"
    path_map = tmp_path / "map.yml"
    path_map.write_text(draft_question_map(path), encoding="utf-8")
    read_smartsurvey(path, read_question_map(path_map))  # reads without a problem


def test_an_export_with_no_answers_yet_is_drafted_with_notes(tmp_path):
    path = _export(
        tmp_path / "export.csv",
        ["Pick some", "", "Why?"],
        ["Apples", "Pears", "Answer"],
        [],
    )
    picks, why = draft_questions(path)
    assert picks.type == "multi" and any("grid" in n for n in picks.notes)
    assert why.type == "text" and any("nobody answered" in n for n in why.notes)


def test_a_file_with_no_question_is_refused(tmp_path):
    path = _export(tmp_path / "export.csv", [], [], [])
    with pytest.raises(InputError, match="no question text"):
        draft_questions(path)
