"""Sites, fieldwork log, other names, admin data, and the shared sheet/cell machinery."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from evstudy.errors import InputError, ValidationError
from evstudy.io.sheets import parse_date, parse_method, read_sheet
from evstudy.io.tables import read_admin, read_fieldwork_log, read_other_names, read_sites

SITES = """\
site_id,site_name,la_type,tier,region,rurality,imd_decile,ethnic_minority_band,foundations_partner
S01,Harrowfield,County council,upper (two-tier area),North West,Rural,3,lower,yes
S02,Bramblegate,London borough,single,London,Urban,10,higher,no
"""


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def write_xlsx(tmp_path: Path, name: str, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def problems(excinfo: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


# --- read_sheet and cells --------------------------------------------------------------------


def test_read_sheet_keeps_line_numbers_across_quoted_newlines(tmp_path):
    path = write(tmp_path, "t.csv", 'a,b\n"two\nlines",x\n\nlast,y\n')
    sheet = read_sheet(path)
    assert sheet.numbers == (1, 2, 4, 5)
    assert [n for n, _ in sheet.records()] == [2, 5]  # the blank line 4 is skipped


def test_csv_with_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_bytes(b"\xef\xbb\xbf" + SITES.encode())
    assert list(read_sites(path)["site_id"]) == ["S01", "S02"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.csv", None, "does not exist"),
        ("latin.csv", "site_id\nSão\n".encode("latin-1"), "not UTF-8"),
        ("fake.xlsx", b"this is not a zip file", "not a readable Excel workbook"),
        ("empty.csv", b"", "empty"),
        ("blank.csv", b",,\n,,\n", "empty"),
        ("sites.xls", b"old excel", "cannot be read as a table"),
    ],
)
def test_unreadable_files_are_input_errors_with_a_fix(tmp_path, name, content, expected):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as excinfo:
        read_sites(path)
    assert expected in str(excinfo.value)
    assert name in excinfo.value.problem.file
    assert excinfo.value.problem.fix


def test_non_utf8_error_names_the_line_and_suggests_utf8(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_bytes(SITES.encode() + "S03,Sé,x\n".encode("cp1252"))
    with pytest.raises(InputError) as excinfo:
        read_sites(path)
    assert excinfo.value.problem.where == "line 4"
    assert "UTF-8" in excinfo.value.problem.fix


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2024, 3, 5, 0, 0), dt.date(2024, 3, 5)),
        (dt.date(2024, 3, 5), dt.date(2024, 3, 5)),
        ("2024-03-05", dt.date(2024, 3, 5)),
        ("05/03/2024", dt.date(2024, 3, 5)),
        ("5/3/2024", dt.date(2024, 3, 5)),
        (45356, dt.date(2024, 3, 5)),  # an Excel serial without a date format
        ("", None),
        (None, None),
    ],
)
def test_parse_date_accepts_excel_iso_and_uk(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2024", "2024-13-01", "March 5th", "05-03-2024", 1.5])
def test_parse_date_rejects_other_forms(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize(
    ("label", "method"),
    [
        ("Interview", "interview"),
        ("Focus group", "focus_group"),
        ("focus-group", "focus_group"),
        (" FOCUS_GROUP ", "focus_group"),
        ("Expert interview", "expert_interview"),
    ],
)
def test_method_labels_are_case_and_separator_insensitive(label, method):
    assert parse_method(label) == method


# --- sites -----------------------------------------------------------------------------------


def test_read_sites_exact_values(tmp_path):
    frame = read_sites(write(tmp_path, "sites.csv", SITES))
    assert list(frame.columns) == [
        "site_id",
        "site_name",
        "la_type",
        "tier",
        "region",
        "rurality",
        "imd_decile",
        "ethnic_minority_band",
        "foundations_partner",
        "row",
    ]
    assert frame.iloc[0].to_dict() == {
        "site_id": "S01",
        "site_name": "Harrowfield",
        "la_type": "County council",
        "tier": "upper (two-tier area)",
        "region": "North West",
        "rurality": "Rural",
        "imd_decile": 3,
        "ethnic_minority_band": "lower",
        "foundations_partner": True,
        "row": 2,
    }
    assert list(frame["foundations_partner"]) == [True, False]
    assert str(frame["imd_decile"].dtype) == "Int64"
    assert frame["foundations_partner"].dtype == bool


def test_sites_xlsx_matches_csv(tmp_path):
    rows = [line.split(",") for line in SITES.strip().splitlines()]
    rows[1][6], rows[2][6] = 3, 10  # numbers as Excel stores them
    from_xlsx = read_sites(write_xlsx(tmp_path, "sites.xlsx", rows))
    pd.testing.assert_frame_equal(from_xlsx, read_sites(write(tmp_path, "sites.csv", SITES)))


def test_headers_match_ignoring_case_spaces_and_underscores(tmp_path):
    header = (
        " Site ID ,SITE_NAME,LA type,Tier,Region,Rurality,IMD decile,"
        "ethnic minority band,Foundations partner,Notes"
    )
    text = header + "\nS01,Harrowfield,County council,single,London,Urban,,lower,no,ignored\n"
    frame = read_sites(write(tmp_path, "sites.csv", text))
    assert frame.loc[0, "site_id"] == "S01"
    assert frame.loc[0, "imd_decile"] is pd.NA  # blank decile is missing, not a problem
    # the table's own columns are attributes too: a yes/no column a flag, others text
    assert frame.loc[0, "notes"] == "ignored"
    assert frame["foundations_partner"].dtype == bool and not frame.loc[0, "foundations_partner"]


def test_only_id_and_name_are_required_and_other_columns_are_the_studys(tmp_path):
    text = "site_id,site_name,Cluster,Pilot area\nA1,Northam,coastal,yes\nB2,Southby,,no\n"
    frame = read_sites(write(tmp_path, "sites.csv", text))
    assert list(frame.columns[:2]) == ["site_id", "site_name"]
    assert frame["region"].isna().all()  # named attributes the table lacks are blank
    assert list(frame["cluster"].fillna("-")) == ["coastal", "-"]
    assert list(frame["pilot_area"]) == [True, False]
    partly = "site_id,site_name,Pilot area\nA1,Northam,yes\nB2,Southby,perhaps\n"
    assert list(read_sites(write(tmp_path, "s2.csv", partly))["pilot_area"]) == ["yes", "perhaps"]


def test_missing_site_columns_name_the_columns_found(tmp_path):
    path = write(tmp_path, "sites.csv", "site_id,name,region\nS01,X,London\n")
    with pytest.raises(ValidationError) as excinfo:
        read_sites(path)
    messages = problems(excinfo)
    assert len(messages) == 1  # only site_id and site_name are required
    assert all("line 1" in m and "'site_id', 'name', 'region'" in m for m in messages)
    assert any("no 'site_name' column" in m for m in messages)


def test_every_site_problem_is_reported_together(tmp_path):
    text = SITES + (
        "S01,Copperdale,Unitary authority,single,London,Urban,11,middle,maybe\n"
        ",bramblegate,Unitary authority,single,London,Urban,two,middle,yes\n"
        "S05,S02,Unitary authority,single,London,Urban,4,middle,yes\n"
    )
    with pytest.raises(ValidationError) as excinfo:
        read_sites(write(tmp_path, "sites.csv", text))
    messages = problems(excinfo)
    expected = [
        ("line 4, column 'site_id'", "repeats line 2"),
        ("line 4, column 'imd_decile'", "outside 1 to 10"),
        ("line 5, column 'site_id'", "site_id is blank"),
        ("line 5, column 'site_name'", "repeats line 3"),
        ("line 5, column 'imd_decile'", "'two' is not a whole number"),
        ("line 6, column 'site_name'", "also the site_id on line 3"),
    ]
    assert len(messages) == len(expected)
    for where, what in expected:
        assert any(
            m.startswith(f"{tmp_path / 'sites.csv'}, {where}") and what in m for m in messages
        ), where
    assert all("fix: " in m for m in messages)


# --- fieldwork log ---------------------------------------------------------------------------

LOG = """Document ID,File,Method,Site,Date
INT-S01-01,S01/int01.docx,Interview,S01,2024-03-05
FG-S01,S01\\fg.vtt,Focus group,Harrowfield,12/03/2024
EXP-01,experts/exp01.txt,expert interview,,2024-04-01
FG-S02,S02/fg.docx,focus-group,S02,2024-04-02
"""


def test_read_fieldwork_log_exact_values(tmp_path):
    frame = read_fieldwork_log(write(tmp_path, "fieldwork_log.csv", LOG))
    assert list(frame.columns) == [
        "doc_id",
        "file",
        "method",
        "site",
        "date",
        "participants",
        "ran_by",
        "row",
    ]
    assert frame.to_dict("records") == [
        {
            "doc_id": "INT-S01-01",
            "file": "S01/int01.docx",
            "method": "interview",
            "site": "S01",
            "date": dt.date(2024, 3, 5),
            "participants": None,
            "ran_by": (),
            "row": 2,
        },
        {
            "doc_id": "FG-S01",
            "file": "S01/fg.vtt",
            "method": "focus_group",
            "site": "Harrowfield",
            "date": dt.date(2024, 3, 12),
            "participants": None,
            "ran_by": (),
            "row": 3,
        },
        {
            "doc_id": "EXP-01",
            "file": "experts/exp01.txt",
            "method": "expert_interview",
            "site": None,
            "date": dt.date(2024, 4, 1),
            "participants": None,
            "ran_by": (),
            "row": 4,
        },
        {
            "doc_id": "FG-S02",
            "file": "S02/fg.docx",
            "method": "focus_group",
            "site": "S02",
            "date": dt.date(2024, 4, 2),
            "participants": None,
            "ran_by": (),
            "row": 5,
        },
    ]


def test_fieldwork_log_participants_and_who_ran_it(tmp_path):
    text = (
        "Document ID,File,Method,Site,Date,Participants,Interviewer,Facilitator\n"
        "INT-1,a.docx,Interview,S01,2024-03-05, Jordan  Lee ,Alex Morgan,\n"
        "FG-1,b.docx,Focus group,S01,2024-03-06,Priya Shah; Chris O'Neill;;Priya Shah,,"
        "Sam Patel; Alex Morgan\n"
        "EXP-1,c.docx,Expert interview,,2024-03-07,,,\n"
    )
    frame = read_fieldwork_log(write(tmp_path, "fieldwork_log.csv", text))
    # Names split on ';', spaces collapsed, blanks and repeats dropped; a blank cell is None.
    assert list(frame["participants"]) == [
        ("Jordan Lee",),
        ("Priya Shah", "Chris O'Neill"),
        None,
    ]
    assert list(frame["ran_by"]) == [("Alex Morgan",), ("Sam Patel", "Alex Morgan"), ()]


def test_every_fieldwork_log_problem_is_reported_together(tmp_path):
    text = LOG + (
        "INT-S01-01,S01/other.docx,Interview,S01,2024-03-05\n"
        "INT-S01-02,S01/int01.docx,Workshop,S01,2024-02-30\n"
        "INT S01 03,S01/int03.docx,Interview,,\n"
    )
    with pytest.raises(ValidationError) as excinfo:
        read_fieldwork_log(write(tmp_path, "fieldwork_log.csv", text))
    messages = problems(excinfo)
    expected = [
        ("line 6, column 'Document ID'", "repeats line 2"),
        ("line 7, column 'File'", "repeats line 2"),
        ("line 7, column 'Method'", "'Workshop' is not Interview"),
        ("line 7, column 'Date'", "not a real date"),
        ("line 8, column 'Document ID'", "contains spaces"),
        ("line 8, column 'Site'", "only expert interviews have no site"),
        ("line 8, column 'Date'", "the date is blank"),
    ]
    assert len(messages) == len(expected)
    for where, what in expected:
        assert any(f"fieldwork_log.csv, {where}" in m and what in m for m in messages), where


def test_fieldwork_log_missing_columns(tmp_path):
    path = write(tmp_path, "fieldwork_log.csv", "Document ID,File\nA,a.txt\n")
    with pytest.raises(ValidationError) as excinfo:
        read_fieldwork_log(path)
    assert {m.split("there is no ")[1].split(" column")[0] for m in problems(excinfo)} == {
        "'Method'",
        "'Site'",
        "'Date'",
    }


# --- other names -----------------------------------------------------------------------------


def test_read_other_names(tmp_path):
    path = tmp_path / "other_names.txt"
    text = "# councillors\nCllr  Pat Okafor\n\nDana Whitlock  # provider\ndana whitlock\n  \n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert read_other_names(path) == ["Cllr Pat Okafor", "Dana Whitlock"]


def test_other_names_not_utf8(tmp_path):
    path = tmp_path / "other_names.txt"
    path.write_bytes("Ana\nJosé\n".encode("latin-1"))
    with pytest.raises(InputError) as excinfo:
        read_other_names(path)
    assert excinfo.value.problem.where == "line 2"
    assert "UTF-8" in excinfo.value.problem.fix


def test_other_names_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_other_names(tmp_path / "nope.txt")


# --- admin -----------------------------------------------------------------------------------

ADMIN_HEADER = [
    "Site",
    "Year",
    "Early help spend (£m)",
    "Commissioned contracts (count)",
    "Commissioning framework in place (yes/no)",
]


def test_read_admin_long_format(tmp_path):
    path = write_xlsx(
        tmp_path,
        "admin_data.xlsx",
        [
            ADMIN_HEADER,
            ["S01", 2023, 4.5, 12, "yes"],
            ["Bramblegate", "2024", "1,250.5", None, "No"],
        ],
    )
    frame = read_admin(path)
    assert list(frame.columns) == ["site", "year", "measure", "unit", "value", "row"]
    assert frame.to_dict("records") == [
        {
            "site": "S01",
            "year": 2023,
            "measure": "Early help spend",
            "unit": "£m",
            "value": 4.5,
            "row": 2,
        },
        {
            "site": "S01",
            "year": 2023,
            "measure": "Commissioned contracts",
            "unit": "count",
            "value": 12.0,
            "row": 2,
        },
        {
            "site": "S01",
            "year": 2023,
            "measure": "Commissioning framework in place",
            "unit": "yes/no",
            "value": 1.0,
            "row": 2,
        },
        {
            "site": "Bramblegate",
            "year": 2024,
            "measure": "Early help spend",
            "unit": "£m",
            "value": 1250.5,
            "row": 3,
        },
        {
            "site": "Bramblegate",
            "year": 2024,
            "measure": "Commissioning framework in place",
            "unit": "yes/no",
            "value": 0.0,
            "row": 3,
        },
    ]


def test_admin_header_without_unit(tmp_path):
    path = write_xlsx(
        tmp_path, "admin_data.xlsx", [["Site", "Year", "Spend", "Staff ()"], ["S01", 2023, 1, 2]]
    )
    with pytest.raises(ValidationError) as excinfo:
        read_admin(path)
    messages = problems(excinfo)
    assert len(messages) == 2
    assert "row 1, column 'Spend'" in messages[0] and "unit in brackets" in messages[0]
    assert "row 1, column 'Staff ()'" in messages[1]


def test_every_admin_problem_is_reported_together(tmp_path):
    path = write_xlsx(
        tmp_path,
        "admin_data.xlsx",
        [
            ADMIN_HEADER,
            ["S01", 2023, "lots", 3, "maybe"],
            ["s01", 2023, 1, 3, "yes"],
            [None, "next year", 1, 3, "yes"],
        ],
    )
    with pytest.raises(ValidationError) as excinfo:
        read_admin(path)
    messages = problems(excinfo)
    expected = [
        ("row 2, column 'Early help spend (£m)'", "'lots' is not a number", "write a number"),
        (
            "row 2, column 'Commissioning framework in place (yes/no)'",
            "'maybe' is not yes or no",
            "yes or no",
        ),
        ("row 3", "repeat row 2", "one row per site and year"),
        ("row 4, column 'Site'", "Site is blank", "fill it in"),
        ("row 4, column 'Year'", "'next year' is not a whole number", "a year like 2024"),
    ]
    assert len(messages) == len(expected)
    for where, what, fix in expected:
        assert any(
            f"admin_data.xlsx, {where}:" in m and what in m and fix in m for m in messages
        ), where


def test_fieldwork_log_file_names_are_read_composed(tmp_path):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "S01/Entretien é.txt")
    text = f"Document ID,File,Method,Site,Date\nINT-1,{decomposed},Interview,S01,2024-03-05\n"
    frame = read_fieldwork_log(write(tmp_path, "fieldwork_log.csv", text))
    assert frame.loc[0, "file"] == "S01/Entretien \u00e9.txt"  # one code point, NFC


def test_a_name_composed_and_decomposed_repeats_a_row(tmp_path):
    import unicodedata

    name = "S01/Entretien \u00e9.txt"
    text = (
        "Document ID,File,Method,Site,Date\n"
        f"INT-1,{name},Interview,S01,2024-03-05\n"
        f"INT-2,{unicodedata.normalize('NFD', name)},Interview,S01,2024-03-06\n"
    )
    with pytest.raises(ValidationError) as info:
        read_fieldwork_log(write(tmp_path, "fieldwork_log.csv", text))
    assert any("File 'S01/Entretien \u00e9.txt' repeats line 2" in p for p in problems(info))


def test_logged_file_finds_a_decomposed_name_by_its_composed_spelling(tmp_path):
    import unicodedata

    from evstudy.io.tables import files_by_name, logged_file

    composed = "S01/Entretien \u00e9t\u00e9.txt"
    (tmp_path / "S01").mkdir()
    on_disk = tmp_path / unicodedata.normalize("NFD", composed)
    on_disk.write_text("x", encoding="utf-8")
    (tmp_path / "S01" / "plain.txt").write_text("y", encoding="utf-8")
    assert files_by_name(tmp_path) == {
        composed: on_disk,
        "S01/plain.txt": tmp_path / "S01/plain.txt",
    }
    assert logged_file(tmp_path, composed) == on_disk
    assert logged_file(tmp_path, unicodedata.normalize("NFD", composed)) == on_disk
    assert logged_file(tmp_path, "S01/missing.txt") == tmp_path / "S01/missing.txt"
    assert files_by_name(tmp_path / "nowhere") == {}
