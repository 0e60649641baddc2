"""The review register and its coded findings: exact values and every problem reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from evstudy.errors import ValidationError
from evstudy.io.review import read_review_findings, read_review_register

HEADER = "Source ID,Citation,Year,Type,Country,Method,RQ1,RQ2,RQ3,RQ4,RQ5,Quality,Decision,Reason"
GOOD = f"""{HEADER}
R01,Atkins et al. (2017).,2017,Peer-reviewed,England,Interviews,,high,,,,high,included,
R02,A briefing (undated).,,grey literature,UK,Commentary,some,,,,,low,Included,
X01,Synthetic source (synthetic).,2015,guidance,England,Guidance,,,,,,,excluded,off topic
"""
FINDINGS = """Source,Finding,Code,Coder,Memo
R01,Budget and capacity got in the way.,barrier.budget,RV,
R01,Budget and capacity got in the way.,barrier.capacity,RV,
R02,Price still decides.,influence.cost,RV,a note
"""


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(excinfo: pytest.ExceptionInfo) -> list:
    return list(excinfo.value.problems)


RQ_IDS = ("1", "2", "3", "4", "5")


def test_register_exact_values(tmp_path):
    frame = read_review_register(write(tmp_path, GOOD, "register.csv"), rq_ids=RQ_IDS)
    assert frame["source_id"].tolist() == ["R01", "R02", "X01"]
    assert frame["year"].tolist()[0] == 2017 and frame["year"].isna().tolist() == [
        False,
        True,
        False,
    ]
    assert frame["type"].tolist() == ["peer-reviewed", "grey literature", "guidance"]
    assert frame["decision"].tolist() == ["included", "included", "excluded"]
    assert frame["rq3"].tolist() == ["none", "none", "none"]  # blank relevance is none
    assert frame.loc[2, "reason"] == "off topic" and frame.loc[2, "quality"] is None
    assert frame["row"].tolist() == [2, 3, 4]


def test_register_reports_every_bad_row_with_file_row_column_and_fix(tmp_path):
    bad = f"""{HEADER}
R01,A.,20l7,peer-reviewed,England,x,,,,,,high,included,
R01,B.,1850,journal,England,x,,,,,,,included,
R03,,2019,guidance,England,x,very,,,,,top,excluded,
"""
    with pytest.raises(ValidationError) as excinfo:
        read_review_register(
            write(tmp_path, bad, "register.csv"), rq_ids=RQ_IDS, label="review/register.csv"
        )
    found = {(p.where, p.problem.split(",")[0]) for p in problems(excinfo)}
    wheres = [p.where for p in problems(excinfo)]
    assert all(p.file == "review/register.csv" and p.fix for p in problems(excinfo))
    assert "line 2, column 'Year'" in wheres  # not a whole number
    assert "line 3, column 'Year'" in wheres  # implausible year
    assert "line 3, column 'Source ID'" in wheres  # repeated id
    assert "line 3, column 'Type'" in wheres  # off the scale
    assert "line 3, column 'Quality'" in wheres  # included without appraisal
    assert "line 4, column 'Citation'" in wheres
    assert "line 4, column 'RQ1'" in wheres and "line 4, column 'Quality'" in wheres
    assert "line 4, column 'Reason'" in wheres  # excluded without a reason
    assert len(found) == len(wheres) == 9
    problem = {p.where: p.problem for p in problems(excinfo)}
    assert problem["line 4, column 'RQ1'"] == "'very' is not one of ['high', 'some', 'none']"
    assert problem["line 3, column 'Type'"] == (
        "'journal' is not one of ['peer-reviewed', 'grey literature', 'guidance']"
    )


def test_register_missing_columns_are_named(tmp_path):
    with pytest.raises(ValidationError) as excinfo:
        read_review_register(
            write(tmp_path, "Source ID,Citation\nR01,A.\n", "register.csv"), rq_ids=RQ_IDS
        )
    missing = {p.problem.split("'")[1] for p in problems(excinfo)}
    assert {"Year", "Type", "Quality", "Decision", "RQ5"} <= missing


def test_relevance_columns_are_the_declared_research_questions(tmp_path):
    text = (
        "Source ID,Citation,Year,Type,Country,Method,Relevance access,RQ2,RQ9,Quality,Decision,"
        "Reason\nR01,A.,2019,guidance,UK,x,high,,some,low,included,\n"
    )
    path = write(tmp_path, text, "register.csv")
    frame = read_review_register(path, rq_ids=["access", "2"])
    # The declared questions' columns, in declared order; RQ9 is not declared, so ignored.
    assert list(frame.columns[6:9]) == ["rqaccess", "rq2", "quality"]
    assert frame[["rqaccess", "rq2"]].values.tolist() == [["high", "none"]]
    # A study that declares no research questions has no relevance columns.
    assert not any(c.startswith("rq") for c in read_review_register(path).columns)
    with pytest.raises(ValidationError) as excinfo:
        read_review_register(path, rq_ids=["access", "3"])
    (problem,) = problems(excinfo)
    assert problem.where == "line 1" and problem.problem.startswith("there is no 'RQ3' column")


def test_findings_number_each_finding_once_and_check_codes_and_sources(tmp_path):
    register = read_review_register(write(tmp_path, GOOD, "register.csv"), rq_ids=RQ_IDS)
    codes = {"barrier.budget", "barrier.capacity", "influence.cost"}
    frame = read_review_findings(
        write(tmp_path, FINDINGS, "findings.csv"), codes=codes, sources=register
    )
    assert frame["finding_id"].tolist() == ["F001", "F001", "F002"]
    assert frame["code_id"].tolist() == ["barrier.budget", "barrier.capacity", "influence.cost"]
    assert frame["memo"].tolist() == [None, None, "a note"]
    bad = FINDINGS + "X01,Off topic.,barrier.budget,RV,\nR09,Unknown.,barrier.time,,\n"
    with pytest.raises(ValidationError) as excinfo:
        read_review_findings(write(tmp_path, bad, "findings.csv"), codes=codes, sources=register)
    messages = {(p.where, p.problem) for p in problems(excinfo)}
    assert ("line 5, column 'Source'", "source 'X01' was excluded from the review") in messages
    assert ("line 6, column 'Source'", "source 'R09' is not in the review register") in messages
    assert ("line 6, column 'Code'", "code 'barrier.time' is not in the codebook") in messages
    assert ("line 6, column 'Coder'", "Coder is blank") in messages
    assert len(messages) == 4


def test_the_demo_review_has_only_the_four_real_included_sources(demo_raw):
    register = read_review_register(demo_raw / "review" / "review_register.xlsx", rq_ids=RQ_IDS)
    included = register[register["decision"] == "included"]
    assert len(included) == 4
    assert included["citation"].str.contains("Atkins et al. \\(2017\\)").sum() == 1
    assert included["citation"].str.contains("Vibert \\(2016\\)").sum() == 1
    assert included["citation"].str.contains("Commissioning Possible").sum() == 1
    assert included["citation"].str.contains("voluntary sector").sum() == 1
    excluded = register[register["decision"] == "excluded"]
    assert excluded["citation"].str.contains("synthetic").all()
    assert excluded["reason"].notna().all()
