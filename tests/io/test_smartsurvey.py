"""The SmartSurvey export and its question map."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evstudy.errors import EvstudyError, InputError, ValidationError
from evstudy.io.question_map import Item, Option, read_question_map
from evstudy.io.smartsurvey import read_smartsurvey, survey_summary

MAP = """\
questions:
  - id: role
    text: Which of the following best describes your role?
    type: single
    attribute: job_title
    options: [Director or Assistant Director, Head of Service, Commissioner]
    other: true
  - id: org
    text: What type of organisation do you work for?
    type: single
    attribute: organisation_type
    options: ["LA children's services", Public health]
  - id: years
    text: How many years have you been in your current role?
    type: text
    attribute: years_in_role
  - id: barriers
    text: What are the most significant barriers to using evidence? (choose up to 2)
    type: multi
    max_choices: 2
    other: true
    options:
      - {label: Lack of time and capacity, code: barrier.capacity}
      - {label: Evidence not relevant locally, code: barrier.relevance}
      - {label: "Leaders don't ask for it", code: barrier.leadership}
  - id: influences
    text: How much do the following influence your decisions?
    type: grid
    scale: [Not at all, A little, Somewhat, A lot, A great deal]
    neutral: Somewhat
    items:
      - {id: research, label: Research evidence about what works, code: evidence.research}
      - {id: local_data, label: Local data, code: evidence.local}
  - id: comments
    text: Is there anything else you'd like to tell us?
    type: text
"""

META = ["UserID", "UserNo", "Name", "Email", "IP Address", "Unique ID", "Started", "Ended"]
LINE1 = [
    *META,
    "Tracking Link",
    "Which of the following best describes your role?",
    "",
    "What type of organisation do you work for?",
    "How many years have you been in your  current role?",
    "What are the most significant barriers to using evidence? (choose up to 2)",
    "",
    "",
    "",
    "HOW MUCH do the following influence your decisions?",
    "",
    "Is there anything else you@SQ@d like to tell us?",
]
LINE2 = [""] * 9 + [
    "Answer",
    "Other (please specify)",
    "Answer",
    "Answer",
    "Lack of time and capacity",
    "Evidence not relevant locally",
    "Leaders don@SQ@t ask for it",
    "Other (please specify)",
    "Research evidence about what works",
    "Local data",
    "Answer",
]
PII = ["Jo Bloggs", "jo@example.org", "10.1.2.3", "https://track.example/abc", "UNIQ-9"]
DATA = [
    [
        "1001",
        "1",
        "Jo Bloggs",
        "jo@example.org",
        "10.1.2.3",
        "UNIQ-9",
        "01/03/2024 09:15:00",
        "01/03/2024 09:31:10",
        "https://track.example/abc",
        "Head of Service",
        "",
        "LA children@SQ@s services",
        "5",
        "Lack of time and capacity",
        "",
        "Leaders don@SQ@t ask for it",
        "",
        "A lot",
        "Somewhat",
        "We@SQ@re short of analysts.",
    ],
    [
        "1002",
        "2",
        "Ann Other",
        "ann@example.org",
        "10.1.2.4",
        "",
        "02/03/2024 10:00:00",
        "02/03/2024 10:20:00",
        "",
        "Other (please specify)",
        "Strategic lead",
        "Public health",
        "12",
        "Lack of time and capacity",
        "Evidence not relevant locally",
        "Leaders don@SQ@t ask for it",
        "Politics",
        "not at all",
        "",
        "",
    ],
    ["1003", "3", "", "", "", "", "03/03/2024 11:00:00", "", "", "Commissioner"] + [""] * 10,
]


def write_map(tmp_path: Path, text: str = MAP) -> Path:
    path = tmp_path / "question_map.yml"
    path.write_text(text, encoding="utf-8")
    return path


def write_csv(tmp_path: Path, rows: list[list[object]], name: str = "export.csv") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path


def write_xlsx(tmp_path: Path, rows: list[list[object]], name: str = "export.xlsx") -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append([None if cell == "" else cell for cell in row])
    path = tmp_path / name
    book.save(path)
    return path


def export_rows(data: list[list[object]] | None = None) -> list[list[object]]:
    return [LINE1, LINE2, [], *(DATA if data is None else data)]


@pytest.fixture
def qmap(tmp_path):
    return read_question_map(write_map(tmp_path))


@pytest.fixture
def export(tmp_path, qmap):
    return read_smartsurvey(write_csv(tmp_path, export_rows()), qmap)


# --- the question map ------------------------------------------------------------------------


def test_read_question_map(qmap, tmp_path):
    assert [q.id for q in qmap.questions] == [
        "role",
        "org",
        "years",
        "barriers",
        "influences",
        "comments",
    ]
    role, _, _, barriers, influences, _ = qmap.questions
    assert (
        role.attribute == "job_title"
        and role.other
        and role.options[1] == Option("Head of Service")
    )
    assert barriers.max_choices == 2
    assert barriers.options[2] == Option("Leaders don't ask for it", "barrier.leadership")
    assert influences.items[1] == Item("local_data", "Local data", "evidence.local")
    assert influences.scale[2] == influences.neutral == "Somewhat"
    assert qmap.path == tmp_path / "question_map.yml"


def test_every_question_map_problem_is_reported_with_its_line(tmp_path):
    text = """\
questions:
  - id: a
    text: First?
    type: single
  - id: a
    text: first?
    type: choice
  - id: grid1
    text: Grid?
    type: grid
    neutral: Middle
    items: [{label: No id}]
  - id: m
    text: Multi?
    type: multi
    attribute: site
    options: [x, X]
    max_choices: 0
    colour: red
  - id: t
    text: Text?
    type: text
    attribute: nickname
  - id: t2
    text: Where?
    type: text
    attribute: site
  - id: t3
    text: Where again?
    type: single
    options: [S01]
    attribute: site
"""
    with pytest.raises(ValidationError) as excinfo:
        read_question_map(write_map(tmp_path, text))
    problems = excinfo.value.problems
    expected = [
        ("line 2, question 'a'", "a single question needs options"),
        ("line 5, question 'a'", "the id repeats the question on line 2"),
        ("line 5, question 'a'", "`type` must be one of ['single', 'multi', 'grid', 'text']"),
        ("line 8, question 'grid1'", "items entry 1 ('No id') has no simple id"),
        ("line 8, question 'grid1'", "a grid needs a scale"),
        ("line 8, question 'grid1'", "neutral 'Middle' is not on the scale"),
        ("line 13, question 'm'", "only single and text questions can be attributes"),
        ("line 13, question 'm'", "unknown key(s): colour"),
        ("line 13, question 'm'", "options entry 2 repeats the label 'x'"),
        ("line 13, question 'm'", "`max_choices` must be at least 1, not 0"),
        ("line 20, question 't'", "`attribute` must be one of ['job_title'"),
        ("line 28, question 't3'", "the attribute repeats the question on line 24"),
    ]
    assert len(problems) == len(expected), [str(p) for p in problems]
    for where, what in expected:
        assert any(p.where == where and what in p.problem and p.fix for p in problems), where
    assert all(p.file.endswith("question_map.yml") for p in problems)


def test_question_map_repeated_id_and_text(tmp_path):
    text = (
        "questions:\n"
        "  - {id: a, text: 'Why?', type: text}\n"
        "  - {id: a, text: '  WHY? ', type: text}\n"
    )
    with pytest.raises(ValidationError) as excinfo:
        read_question_map(write_map(tmp_path, text))
    assert [(p.where, p.problem) for p in excinfo.value.problems] == [
        ("line 3, question 'a'", "the id repeats the question on line 2"),
        ("line 3, question 'a'", "the text repeats the question on line 2"),
    ]


def test_question_map_not_yaml(tmp_path):
    with pytest.raises(InputError, match="not valid YAML"):
        read_question_map(write_map(tmp_path, "questions: [\n"))


# --- the export: good file -------------------------------------------------------------------


def test_questions_frame(export):
    q = export.questions
    assert list(q.columns) == [
        "question_id",
        "item_id",
        "question_text",
        "item_label",
        "type",
        "attribute",
        "max_choices",
        "position",
    ]
    assert list(zip(q["question_id"], q["item_id"], q["position"], strict=True)) == [
        ("role", None, 0),
        ("org", None, 1),
        ("years", None, 2),
        ("barriers", None, 3),
        ("influences", "research", 4),
        ("influences", "local_data", 5),
        ("comments", None, 6),
    ]
    assert q.loc[6, "question_text"] == "Is there anything else you'd like to tell us?"
    assert q.loc[5, "item_label"] == "Local data"
    assert list(q["attribute"]) == ["job_title", "organisation_type", "years_in_role"] + [None] * 4
    assert q["max_choices"].tolist() == [pd.NA, pd.NA, pd.NA, 2, pd.NA, pd.NA, pd.NA]


def test_options_frame_with_scale_valence(export):
    o = export.options
    assert list(o.columns) == ["question_id", "option", "position", "code", "valence"]
    grid = o[o["question_id"] == "influences"]
    assert list(grid["option"]) == ["Not at all", "A little", "Somewhat", "A lot", "A great deal"]
    assert list(grid["position"]) == [0, 1, 2, 3, 4]
    assert list(grid["valence"]) == ["negative", "negative", "neutral", "positive", "positive"]
    barriers = o[o["question_id"] == "barriers"]
    assert list(barriers["code"]) == ["barrier.capacity", "barrier.relevance", "barrier.leadership"]
    assert barriers["valence"].isna().all()
    assert list(o["question_id"].unique()) == ["role", "org", "barriers", "influences"]


def test_scale_halves_without_neutral(tmp_path):
    text = MAP.replace("    neutral: Somewhat\n", "").replace(
        "[Not at all, A little, Somewhat, A lot, A great deal]", "[Never, Rarely, Often, Always]"
    )
    rows = export_rows([[*row[:17], "", "", *row[19:]] for row in DATA])
    result = read_smartsurvey(
        write_csv(tmp_path, rows), read_question_map(write_map(tmp_path, text))
    )
    grid = result.options[result.options["question_id"] == "influences"]
    assert list(grid["valence"]) == ["negative", "negative", "positive", "positive"]


def test_respondents_frame(export):
    r = export.respondents
    assert list(r.columns) == [
        "respondent_id",
        "started",
        "ended",
        "status",
        "n_answered",
        "job_title",
        "organisation_type",
        "site",
        "years_in_role",
        "row",
    ]
    assert list(r["respondent_id"]) == ["R001", "R002", "R003"]
    assert list(r["status"]) == ["complete", "complete", "partial"]
    assert list(r["n_answered"]) == [6, 5, 1]
    assert list(r["job_title"]) == ["Head of Service", "Strategic lead", "Commissioner"]
    assert list(r["organisation_type"]) == ["LA children's services", "Public health", None]
    assert list(r["years_in_role"]) == ["5", "12", None]
    assert r["site"].isna().all()  # no site question in this map
    assert r.loc[0, "started"] == pd.Timestamp("2024-03-01 09:15:00")
    assert r.loc[0, "ended"] == pd.Timestamp("2024-03-01 09:31:10")
    assert pd.isna(r.loc[2, "ended"])
    assert list(r["row"]) == [4, 5, 6]


def test_answers_frame(export):
    a = export.answers
    assert list(a.columns) == [
        "respondent_id",
        "question_id",
        "item_id",
        "value",
        "position",
        "code",
        "other_text",
        "row",
    ]
    rows = [tuple(r) for r in a.astype(object).where(a.notna(), None).itertuples(index=False)]
    assert rows == [
        ("R001", "role", None, "Head of Service", 1, None, None, 4),
        ("R001", "org", None, "LA children's services", 0, None, None, 4),
        ("R001", "years", None, "5", None, None, None, 4),
        ("R001", "barriers", None, "Lack of time and capacity", 0, "barrier.capacity", None, 4),
        ("R001", "barriers", None, "Leaders don't ask for it", 2, "barrier.leadership", None, 4),
        ("R001", "influences", "research", "A lot", 3, "evidence.research", None, 4),
        ("R001", "influences", "local_data", "Somewhat", 2, "evidence.local", None, 4),
        ("R001", "comments", None, "We're short of analysts.", None, None, None, 4),
        ("R002", "role", None, "Other", None, None, "Strategic lead", 5),
        ("R002", "org", None, "Public health", 1, None, None, 5),
        ("R002", "years", None, "12", None, None, None, 5),
        ("R002", "barriers", None, "Lack of time and capacity", 0, "barrier.capacity", None, 5),
        (
            "R002",
            "barriers",
            None,
            "Evidence not relevant locally",
            1,
            "barrier.relevance",
            None,
            5,
        ),
        ("R002", "barriers", None, "Leaders don't ask for it", 2, "barrier.leadership", None, 5),
        ("R002", "barriers", None, "Other", None, None, "Politics", 5),
        ("R002", "influences", "research", "Not at all", 0, "evidence.research", None, 5),
        ("R003", "role", None, "Commissioner", 2, None, None, 6),
    ]
    assert str(a["position"].dtype) == "Int64"


def test_too_many_ticks_is_a_warning_naming_the_line(export):
    assert len(export.warnings) == 1
    warning = export.warnings[0]
    assert "export.csv, line 5" in warning and "4 options of 'barriers'" in warning
    assert "max_choices of 2" in warning


def test_personal_columns_never_reach_any_output(export):
    frames = [export.questions, export.options, export.respondents, export.answers]
    text = "\n".join(f.to_csv() for f in frames) + json.dumps(survey_summary(export), default=str)
    for secret in PII:
        assert secret not in text
    assert "1001" not in text  # UserID is used for duplicate checks only


def test_xlsx_export_gives_identical_frames(tmp_path, qmap, export):
    rows = export_rows(
        [
            [
                int(row[0]),
                int(row[1]),
                *row[2:6],
                dt.datetime.strptime(row[6], "%d/%m/%Y %H:%M:%S"),
                dt.datetime.strptime(row[7], "%d/%m/%Y %H:%M:%S") if row[7] else "",
                *row[8:12],
                int(row[12]) if row[12] else "",  # Excel turns "5" into a number
                *row[13:],
            ]
            for row in DATA
        ]
    )
    from_xlsx = read_smartsurvey(write_xlsx(tmp_path, rows), qmap)
    for name in ("questions", "options", "respondents", "answers"):
        pd.testing.assert_frame_equal(getattr(from_xlsx, name), getattr(export, name))
    assert [w.replace("export.xlsx, row", "export.csv, line") for w in from_xlsx.warnings] == list(
        export.warnings
    )


def test_survey_summary(export):
    summary = survey_summary(export)
    assert summary["n_respondents"] == 3
    assert (summary["n_complete"], summary["n_partial"]) == (2, 1)
    assert summary["questions"][0] == {
        "id": "role",
        "text": "Which of the following best describes your role?",
        "type": "single",
        "n_answered": 3,
    }
    assert [q["n_answered"] for q in summary["questions"]] == [3, 2, 2, 2, 2, 1]
    assert len(summary["answers"]) == 17
    assert summary["answers"][2]["position"] is None
    json.dumps(summary)  # must be serialisable as it is


# --- the export: problems --------------------------------------------------------------------


def test_every_export_problem_is_reported_together(tmp_path, qmap):
    line1 = [*LINE1[:-1], "Any final thoughts?"]  # comments block renamed: unknown + missing
    line2 = [*LINE2[:18], "Local intelligence", "Answer"]  # item sub-label off the map
    data = [list(row) for row in DATA]
    data[0][9] = "Chief Executive"  # not a role option
    data[0][17] = "Very much"  # off the Likert scale
    data[1][13] = "yes"  # a tick cell not holding its label
    data[2][0] = "1001"  # repeats the UserID of line 4
    data[2][1] = "2"  # repeats the UserNo of line 5
    rows = [line1, line2, ["stray", "", "x"], *data]
    with pytest.raises(ValidationError) as excinfo:
        read_smartsurvey(write_csv(tmp_path, rows, "bad.csv"), qmap)
    problems = excinfo.value.problems
    expected = [
        ("line 3", "line 3 is not blank", "keep SmartSurvey's layout"),
        (
            "line 2, column S (19)",
            "the sub-label 'Local intelligence' does not match",
            "question_map",
        ),
        ("line 2, column R (18)", "has no column for 'Local data'", "question_map.yml"),
        (
            "line 1, column T (20)",
            "the question 'Any final thoughts?' is not in question_map.yml",
            "add it to question_map.yml or remove the column",
        ),
        ("line 1", "question 'comments'", "re-export with that question"),
        ("line 4, column J (10)", "'Chief Executive' to 'role' is not one of its options", "add"),
        (
            "line 4, column R (18)",
            "'Very much' to 'influences' item 'research' is not on its scale",
            "scale",
        ),
        ("line 5, column N (14)", "holds 'yes', not the option's label", "correct the export"),
        ("line 6, column A (1)", "UserID 1001 repeats line 4", "remove the duplicated response"),
        ("line 6, column B (2)", "UserNo 2 repeats line 5", "remove the duplicated response"),
    ]
    assert len(problems) == len(expected), "\n".join(str(p) for p in problems)
    for where, what, fix in expected:
        assert any(
            p.where == where and what in p.problem and fix in p.fix and p.file.endswith("bad.csv")
            for p in problems
        ), where
    for secret in PII:
        assert secret not in str(excinfo.value)


def test_unexpected_and_missing_other_columns(tmp_path):
    text = MAP.replace("    other: true\n", "", 1)  # role loses its Other column...
    text = text.replace('["LA children\'s services", Public health]\n', "$&    other: true\n")
    text = text.replace("$&", '["LA children\'s services", Public health]\n')  # ...org gains one
    qmap = read_question_map(write_map(tmp_path, text))
    assert (qmap.questions[0].other, qmap.questions[1].other) == (False, True)
    with pytest.raises(ValidationError) as excinfo:
        read_smartsurvey(write_csv(tmp_path, export_rows()), qmap)
    assert [(p.where, p.problem, p.fix) for p in excinfo.value.problems] == [
        (
            "line 2, column K (11)",
            "question 'role' has an Other column",
            "set other: true in the map",
        ),
        (
            "line 2, column L (12)",
            "question 'org' has no 'Other (please specify)' column",
            "set other: false in question_map.yml, or re-export with the Other column",
        ),
        (
            "line 5, column J (10)",
            "the answer 'Other (please specify)' to 'role' is not one of its options",
            "add the option to question_map.yml, or correct the export",
        ),
    ]


def test_export_with_too_few_lines_is_an_input_error(tmp_path, qmap):
    with pytest.raises(InputError) as excinfo:
        read_smartsurvey(write_csv(tmp_path, [LINE1, LINE2]), qmap)
    assert "three header lines" in str(excinfo.value)


def test_bad_userno_and_dates(tmp_path, qmap):
    data = [list(row) for row in DATA]
    data[0][1] = "one"
    data[1][6] = "yesterday"
    with pytest.raises(ValidationError) as excinfo:
        read_smartsurvey(write_csv(tmp_path, export_rows(data)), qmap)
    assert [(p.where, p.problem) for p in excinfo.value.problems] == [
        ("line 4, column B (2)", "UserNo: 'one' is not a whole number"),
        ("line 5, column G (7)", "'yesterday' is not a date and time like 01/03/2024 09:15:00"),
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=800), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_arbitrary_bytes_raise_only_evstudy_errors(tmp_path_factory, data, suffix):
    qmap = read_question_map(write_map(tmp_path_factory.mktemp("map")))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        path.write_bytes(data)
        with contextlib.suppress(EvstudyError):
            read_smartsurvey(path, qmap)


CELLS = st.one_of(
    st.sampled_from([*LINE1, *LINE2, "", "1", "2", "A lot", "Other", "01/03/2024 09:15:00"]),
    st.text(max_size=6),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    head=st.lists(CELLS, max_size=22),
    rows=st.lists(st.lists(CELLS, max_size=22), max_size=5),
)
def test_arbitrary_csv_exports_raise_only_evstudy_errors(tmp_path_factory, head, rows):
    qmap = read_question_map(write_map(tmp_path_factory.mktemp("map")))
    buffer = io.StringIO()
    csv.writer(buffer).writerows([head, LINE2, [], *rows])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(buffer.getvalue().encode("utf-8", errors="surrogatepass"))
        with contextlib.suppress(EvstudyError):
            read_smartsurvey(path, qmap)


# --- completion ------------------------------------------------------------------------------


def _with_column(header: str, values: list[str]) -> list[list[object]]:
    """The export with the Ended column (index 7) replaced by ``header`` holding ``values``."""
    rows = export_rows()
    out = [[*rows[0][:7], header, *rows[0][8:]], rows[1], rows[2]]
    return out + [[*r[:7], v, *r[8:]] for r, v in zip(rows[3:], values, strict=True)]


def test_completion_comes_from_the_ended_column(tmp_path, qmap):
    # R001 answered everything but has no end time; R003 answered one question and ended.
    rows = _with_column("Ended", ["", "02/03/2024 10:20:00", "03/03/2024 11:20:00"])
    export = read_smartsurvey(write_csv(tmp_path, rows), qmap)
    assert list(export.respondents["status"]) == ["partial", "complete", "complete"]
    assert export.completion_rule == "from the export's 'Ended' column"


def test_completion_is_inferred_only_without_a_status_or_end_column(tmp_path, qmap):
    rows = [r[:7] + r[8:] for r in export_rows()]  # no Ended column at all
    export = read_smartsurvey(write_csv(tmp_path, rows), qmap)
    assert list(export.respondents["status"]) == ["complete", "complete", "partial"]
    assert export.completion_rule.startswith("inferred from the answers")


def test_completion_from_a_status_column(tmp_path, qmap):
    rows = _with_column("Status", ["Completed", "Partial", "complete"])
    export = read_smartsurvey(write_csv(tmp_path, rows), qmap)
    assert list(export.respondents["status"]) == ["complete", "partial", "complete"]
    assert export.completion_rule == "from the export's 'Status' column"


def test_the_question_map_names_the_completion_column(tmp_path):
    qmap = read_question_map(write_map(tmp_path, MAP + "completion: Finished?\n"))
    assert qmap.completion == "Finished?"
    rows = _with_column("Finished?", ["no", "yes", "maybe"])
    with pytest.raises(ValidationError) as caught:
        read_smartsurvey(write_csv(tmp_path, rows), qmap)
    [problem] = caught.value.problems
    assert problem.where == "line 6, column H (8)"
    assert "'maybe' says neither complete nor partial" in problem.problem
    rows = _with_column("Finished?", ["no", "yes", "yes"])
    export = read_smartsurvey(write_csv(tmp_path, rows), qmap)
    assert list(export.respondents["status"]) == ["partial", "complete", "complete"]
    assert export.completion_rule == "from the export's 'Finished?' column"
