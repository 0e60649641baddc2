"""The participant register: exact values, every problem together, no personal data in messages."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evstudy.errors import EvstudyError, ValidationError
from evstudy.io.register import read_register, register_summary

HEADER = [
    "Name",
    "Email",
    "Phone",
    "Job title",
    "Organisation",
    "Organisation type",
    "Site",
    "Years in role",
    "Method(s)",
    "Consent date",
    "Withdrawal date",
]
GOOD = [
    HEADER,
    [
        "Jordan Lee",
        "jordan.lee@example.org",
        "07700 900123",
        "Head of Commissioning",
        "Harrowfield Council",
        "LA children's services",
        "S01",
        4,
        "Interview; Focus group",
        dt.datetime(2024, 3, 1),
        None,
    ],
    [
        "Priya O'Neill",
        "PRIYA@example.org",
        None,
        "Public health consultant",
        None,
        "Public health",
        "Bramblegate",
        "2.5",
        "focus-group",
        "05/03/2024",
        "2024-04-10",
    ],
    [
        "Sam Expert",
        "sam@example.ac.uk",
        7700900456,
        "Professor",
        "A university",
        "National organisation",
        None,
        None,
        "Expert interview",
        "2024-02-01",
        None,
    ],
]


def write_xlsx(tmp_path: Path, rows: list[list[object]], name: str = "register.xlsx") -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def test_read_register_exact_values(tmp_path):
    frame = read_register(write_xlsx(tmp_path, GOOD))
    assert list(frame.columns) == [
        "name",
        "email",
        "phone",
        "job_title",
        "organisation",
        "organisation_type",
        "site",
        "years_in_role",
        "methods",
        "consent_date",
        "withdrawal_date",
        "quote_consent",
        "row",
    ]
    first = frame.iloc[0].to_dict()
    assert first == {
        "name": "Jordan Lee",
        "email": "jordan.lee@example.org",
        "phone": "07700 900123",
        "job_title": "Head of Commissioning",
        "organisation": "Harrowfield Council",
        "organisation_type": "LA children's services",
        "site": "S01",
        "years_in_role": 4.0,
        "methods": ("interview", "focus_group"),
        "consent_date": dt.date(2024, 3, 1),
        "withdrawal_date": None,
        "quote_consent": None,  # no such column: not asked
        "row": 2,
    }
    assert list(frame["methods"]) == [
        ("interview", "focus_group"),
        ("focus_group",),
        ("expert_interview",),
    ]
    assert list(frame["consent_date"]) == [
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 5),
        dt.date(2024, 2, 1),
    ]
    assert frame.loc[1, "withdrawal_date"] == dt.date(2024, 4, 10)
    assert frame.loc[1, "years_in_role"] == 2.5
    assert math.isnan(frame.loc[2, "years_in_role"])
    assert frame.loc[2, "site"] is None
    assert frame.loc[2, "phone"] == "7700900456"
    assert list(frame["row"]) == [2, 3, 4]


def test_register_csv_with_lenient_headers(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(
        " NAME ,email,Job Title,organisation type,site,METHODS,consent date\n"
        "Jordan Lee,j@example.org,Director,Police,S01,Interview,01/03/2024\n",
        encoding="utf-8",
    )
    frame = read_register(path)
    assert frame.loc[0, "methods"] == ("interview",)
    assert frame.loc[0, "phone"] is None  # optional column absent
    assert frame.loc[0, "consent_date"] == dt.date(2024, 3, 1)


def test_missing_register_columns_name_those_found(tmp_path):
    path = write_xlsx(tmp_path, [["Name", "E-mail", "Notes"], ["A", "a@b.org", "x"]])
    with pytest.raises(ValidationError) as excinfo:
        read_register(path)
    messages = [str(p) for p in excinfo.value.problems]
    missing = {"Job title", "Organisation type", "Site", "Method(s)", "Consent date"}
    assert len(messages) == len(missing)
    for column in missing:
        assert any(
            f"no '{column}' column" in m and "'Name', 'E-mail', 'Notes'" in m for m in messages
        )
    assert all("register.xlsx, row 1:" in m for m in messages)


def bad_rows() -> list[list[object]]:
    def person(name, email, methods="Interview", consent="2024-03-01", withdrawal=None, years=3):
        return [
            name,
            email,
            None,
            "Manager",
            None,
            "Police",
            "S01",
            years,
            methods,
            consent,
            withdrawal,
        ]

    return [
        HEADER,
        person("Jordan Lee", "jordan@example.org"),  # row 2: fine
        person(None, "blank.name@example.org"),  # row 3
        person("Alex Kim", None),  # row 4
        person("jordan  LEE", "JORDAN@example.org"),  # row 5: repeats name and email
        person("Casey Wu", "casey-at-example.org"),  # row 6
        person("Dee Roy", "dee@example.org", methods="Interview; Workshop"),  # row 7
        person("Eve Ash", "eve@example.org", consent="32/01/2024"),  # row 8
        person("Fin Oak", "fin@example.org", withdrawal="2024-02-01"),  # row 9
        person("Gus Elm", "gus@example.org", methods=None, years="several"),  # row 10
    ]


def test_every_register_problem_is_reported_together(tmp_path):
    with pytest.raises(ValidationError) as excinfo:
        read_register(write_xlsx(tmp_path, bad_rows()))
    problems = excinfo.value.problems
    found = {(p.where, p.problem.split(":")[0][:30]) for p in problems}
    expected = [
        ("row 3, column 'Name'", "the name is blank"),
        ("row 4, column 'Email'", "the email is blank"),
        ("row 5, column 'Name'", "the name repeats row 2"),
        ("row 5, column 'Email'", "the email repeats row 2"),
        ("row 6, column 'Email'", "not an address"),
        ("row 7, column 'Method(s)'", "'Workshop' is not Interview"),
        ("row 8, column 'Consent date'", "'32/01/2024' is not a real date"),
        ("row 9, column 'Withdrawal date'", "before the consent date"),
        ("row 10, column 'Method(s)'", "Method(s) is blank"),
        ("row 10, column 'Years in role'", "'several' is not a number"),
    ]
    assert len(problems) == len(expected), found
    for where, what in expected:
        assert any(p.where == where and what in p.problem for p in problems), (where, found)
    assert all(p.file.endswith("register.xlsx") and p.fix for p in problems)


def test_register_messages_never_quote_names_or_emails(tmp_path):
    with pytest.raises(ValidationError) as excinfo:
        read_register(write_xlsx(tmp_path, bad_rows()))
    message = str(excinfo.value)
    for secret in ("Jordan", "jordan@", "JORDAN@", "casey-at-example.org", "Alex Kim"):
        assert secret not in message


def test_register_summary_has_counts_and_no_personal_data(tmp_path):
    frame = read_register(write_xlsx(tmp_path, GOOD))
    summary = register_summary(frame)
    assert summary == {
        "n_people": 3,
        "by_method": {"interview": 1, "focus_group": 2, "expert_interview": 1},
        "by_site": {"(none)": 1, "Bramblegate": 1, "S01": 1},
        "n_consented": 3,
        "n_withdrawn": 1,
    }
    text = repr(summary)
    assert "Jordan" not in text and "@" not in text and "07700" not in text


def test_empty_register_is_a_problem(tmp_path):
    with pytest.raises(ValidationError, match="no people"):
        read_register(write_xlsx(tmp_path, [HEADER]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".xlsx", ".csv"]))
def test_arbitrary_bytes_raise_only_evstudy_errors(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"register{suffix}"
        path.write_bytes(data)
        with contextlib.suppress(EvstudyError):
            read_register(path)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.sampled_from([*HEADER, "", "Interview", "2024-01-01", "x@y.org", "31/12/2024"]),
                st.text(max_size=8),
            ),
            max_size=12,
        ),
        max_size=5,
    )
)
def test_arbitrary_csv_tables_raise_only_evstudy_errors(rows):
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")
        with contextlib.suppress(EvstudyError):
            read_register(path)


@pytest.mark.parametrize("second", ["Lee, Jordan", "Jordan Lee (Harrowfield Council)"])
def test_names_the_transcripts_would_confuse_are_duplicates(tmp_path, second):
    # Ingest matches speakers as Teams writes them ("Surname, Firstname", "Name (Org)"),
    # so two such rows would make one speaker ambiguous.
    rows = [GOOD[0], GOOD[1], [second, "other@example.org", *GOOD[1][2:]]]
    with pytest.raises(ValidationError, match="the name repeats row 2"):
        read_register(write_xlsx(tmp_path, rows))
