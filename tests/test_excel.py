"""The survey workbook: byte-stable, formatted, with disclosure control applied."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from evstudy.excel import write_survey_workbook


@pytest.fixture(scope="module")
def workbook(demo_study, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx") / "survey.xlsx"
    write_survey_workbook(demo_study, out)
    return out


def test_two_writes_are_byte_identical(demo_study, workbook, tmp_path):
    again = write_survey_workbook(demo_study, tmp_path / "again.xlsx")
    assert again.read_bytes() == workbook.read_bytes()
    assert not list(tmp_path.glob(".again*"))  # the temporary file was renamed away


def test_sheets_one_per_question_plus_notes_and_profile(demo_study, workbook):
    names = openpyxl.load_workbook(workbook).sheetnames
    assert names[0] == "Notes"
    questions = demo_study.survey_questions.sort_values("position")["question_id"].unique()
    assert [n for n in names if n in set(questions)] == list(questions)
    assert {"Response", "Role groups", "Role group by site"} <= set(names)


def test_frozen_header_and_percentage_format(workbook):
    ws = openpyxl.load_workbook(workbook)["barriers"]
    assert ws.freeze_panes == "A5"
    assert [c.value for c in ws[4]][:4] == ["Option", "n", "Base", "%"]
    assert ws["D5"].number_format == "0%"
    assert ws["E5"].number_format == "0.0%"
    assert 0 < ws["D5"].value < 1
    assert ws.column_dimensions["A"].width > 20


def test_small_counts_of_people_read_c(workbook):
    wb = openpyxl.load_workbook(workbook)
    rows = {r[0]: r[1:] for r in wb["Role groups"].iter_rows(min_row=4, values_only=True)}
    assert rows["Commissioner"][0] == "c"  # five commissioners responded
    assert rows["Commissioner"][1] == "c"  # and its percentage goes too
    assert rows["Partner agency"][0] == 22  # labels from study.yml, not role-group ids
    cross = wb["Role group by site"]
    header = next(cross.iter_rows(min_row=4, max_row=4, values_only=True))
    assert "Ullsbridge" in header and "S01" not in header  # site names, not ids
    values = [v for row in cross.iter_rows(min_row=5, values_only=True) for v in row[1:]]
    assert "c" in values
    assert not [v for v in values if isinstance(v, int) and 1 <= v <= 5]


def test_notes_explain_c_bases_wilson_and_synthetic(workbook):
    text = " ".join(
        str(v) for row in openpyxl.load_workbook(workbook)["Notes"].values for v in row if v
    )
    for phrase in ('"c"', "Base", "Wilson", "SYNTHETIC", "secondary suppression"):
        assert phrase in text


def test_fixed_workbook_properties(workbook):
    props = openpyxl.load_workbook(workbook).properties
    assert props.creator == "evstudy"
    assert props.created == props.modified == dt.datetime(2000, 1, 1)


def test_awareness_sheet_only_where_the_study_declares_one(demo_study, workbook, tmp_path):
    import dataclasses

    titles = {ws.title: ws["A2"].value or "" for ws in openpyxl.load_workbook(workbook)}
    declared = {a["question"] for a in demo_study.analyses if a["type"] == "awareness_use"}
    assert declared and all(titles[q].startswith("Awareness and use") for q in declared)
    grids = set(demo_study.survey_questions.query("type == 'grid'")["question_id"])
    assert all(titles[q].startswith("Summary") for q in grids - declared)
    plain = dataclasses.replace(
        demo_study, ingest_report={**demo_study.ingest_report, "analyses": []}
    )
    wb = openpyxl.load_workbook(write_survey_workbook(plain, tmp_path / "plain.xlsx"))
    assert all(wb[q]["A2"].value.startswith("Summary") for q in grids)


def test_free_text_sheet_says_how_many_answered(demo_study, workbook):
    texts = demo_study.survey_questions.query("type == 'text'")["question_id"].unique()
    wb = openpyxl.load_workbook(workbook)
    for question in texts:
        answered = demo_study.survey_answers.query("question_id == @question and value.notna()")[
            "respondent_id"
        ].nunique()
        assert wb[question]["A2"].value.startswith(f"{answered} respondents answered.")


FORMULA = '=HYPERLINK("http://x","y")'


def _formula_cells(path):
    """Every cell of every sheet whose value starts with "=", as (value, data_type)."""
    book = openpyxl.load_workbook(path)
    return [
        (cell.value, cell.data_type)
        for ws in book
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    ]


def test_a_label_that_looks_like_a_formula_stays_text(demo_study, tmp_path):
    import dataclasses

    book = demo_study.codebook.assign(label=FORMULA)
    questions = demo_study.survey_questions.assign(question_text=FORMULA)
    study = dataclasses.replace(demo_study, codebook=book, survey_questions=questions)
    cells = _formula_cells(write_survey_workbook(study, tmp_path / "tables.xlsx"))
    assert cells  # the labels reached the workbook
    assert all(value == FORMULA and kind == "s" for value, kind in cells)


def test_the_codebook_workbook_keeps_formula_labels_as_text(demo_study, tmp_path):
    import dataclasses

    from evstudy.codebook import write_codebook_excel

    book = demo_study.codebook.assign(label=FORMULA, definition="+1+2", include="@SUM(A1)")
    study = dataclasses.replace(demo_study, codebook=book)
    out = write_codebook_excel(study, tmp_path / "codebook.xlsx")
    cells = _formula_cells(out)
    assert len(cells) >= len(book)  # one label per code, and the theme column repeats it
    assert all(value == FORMULA and kind == "s" for value, kind in cells)
    ws = openpyxl.load_workbook(out).active
    others = [c for row in ws.iter_rows() for c in row if c.value in {"+1+2", "@SUM(A1)"}]
    assert others and all(c.data_type == "s" for c in others)
