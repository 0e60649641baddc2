from __future__ import annotations

from pathlib import Path

import pytest

from evstudy.config import load_config, resolve_raw
from evstudy.errors import InputError, ValidationError

GOOD = """
study: {title: T, synthetic: true}
team:
  - {name: Alex Morgan, role: Interviewer}
  - {name: Sam Patel, role: facilitator}
role_groups:
  labels: {senior_leader: Senior leader, commissioner: Commissioner, partner_agency: Partner agency}
  rules:
    - {role_group: partner_agency, organisation_type: "ICB|NHS|voluntary|police"}
    - {role_group: senior_leader, job_title: "director"}
    - {role_group: commissioner, job_title: "commission"}
disclosure: {quote_k: 4}
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "study.yml").write_text(text, encoding="utf-8")
    return tmp_path


def test_good_config(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.synthetic is True
    assert [m.role for m in config.team] == ["Interviewer", "Facilitator"]
    assert config.disclosure == {"suppress_max": 5, "min_subgroup_base": 10, "quote_k": 4}
    assert config.path("register") == tmp_path.resolve() / "register.xlsx"


@pytest.mark.parametrize(
    ("title", "org", "expected"),
    [
        ("Assistant Director, Early Help", "LA children's services", "senior_leader"),
        ("Director of Nursing", "ICB/NHS", "partner_agency"),  # organisation rule comes first
        ("Senior Commissioning Officer", "LA children's services", "commissioner"),
        ("Family support worker", "LA children's services", None),
    ],
)
def test_role_group_rules_first_match_wins(tmp_path, title, org, expected):
    assert load_config(write(tmp_path, GOOD)).role_group(title, org) == expected


def test_every_problem_is_reported_together(tmp_path):
    bad = """
study: {synthetic: "yes"}
files: {surveys: x.csv}
team:
  - {name: Alex Morgan, role: Note-taker}
role_groups:
  labels: {commissioner: Commissioner}
  rules:
    - {role_group: manager, job_title: manager}
    - {role_group: commissioner, job_title: "commission("}
disclosure: {quote_k: -1}
"""
    with pytest.raises(ValidationError) as info:
        load_config(write(tmp_path, bad))
    text = str(info.value)
    for expected in [
        "study.synthetic",
        "files: unknown key(s): surveys",
        "Note-taker",
        "no research team",
        "role_group must be one of ['commissioner']",
        "bad regular expression",
        "disclosure.quote_k",
    ]:
        assert expected in text
    assert len(info.value.problems) == 7
    # Each problem is at its YAML line (the bad text starts with a blank line).
    assert [p.where for p in info.value.problems] == [
        "line 2, study.synthetic",
        "line 3, files",
        "line 5, team entry 1 (Alex Morgan)",
        "line 5, team",
        "line 9, role_groups.rules entry 1 (manager)",
        "line 10, role_groups.rules entry 2 (commissioner)",
        "line 11, disclosure.quote_k",
    ]


def test_unknown_sections_and_wrong_shapes_are_reported_and_the_rest_is_read(tmp_path):
    # GOOD is 12 lines (the first blank), so the additions are lines 13 to 15.
    bad = GOOD + "reserch_questions: []\nresearch_questions: {id: 1}\ntargets: [1, 2]\n"
    with pytest.raises(ValidationError) as info:
        load_config(write(tmp_path, bad))
    assert [(p.where, p.problem) for p in info.value.problems] == [
        ("line 15, targets", "`targets` must be a mapping, not [1, 2]"),
        ("line 14, research_questions", "`research_questions` must be a list, not {'id': 1}"),
        ("line 13", "unknown key(s): reserch_questions"),
    ]


def test_missing_and_broken_config(tmp_path):
    with pytest.raises(InputError, match=r"there is no study\.yml"):
        load_config(tmp_path)
    with pytest.raises(InputError, match="line 2"):
        load_config(write(tmp_path, "study:\n  - [unclosed\n"))


def test_resolve_raw_prefers_argument_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("EVSTUDY_RAW", str(tmp_path / "env"))
    assert resolve_raw(tmp_path / "arg") == (tmp_path / "arg").resolve()
    assert resolve_raw() == (tmp_path / "env").resolve()


DECLARED = """
research_questions:
  - {id: 1, title: Access, text: "How do families reach the service?"}
  - {id: q2, title: Staffing, text: "What limits the workforce?"}
population: {label: school staff, outside: [partner_agency]}
analyses:
  - type: site_typology
    rq: 1
    types:
      - {id: a, label: planned, code: x.planned}
      - {id: b, label: ad hoc, code: x.adhoc}
  - {type: preferred_formats, rq: q2, question: formats}
"""


def test_declarations_are_read_with_string_ids(tmp_path):
    config = load_config(write(tmp_path, GOOD + DECLARED))
    assert [q["rq_id"] for q in config.research_questions] == ["1", "q2"]
    assert config.research_questions[1]["text"] == "What limits the workforce?"
    assert config.population == {"label": "school staff", "outside": ["partner_agency"]}
    assert [a["type"] for a in config.analyses] == ["site_typology", "preferred_formats"]
    assert config.analyses[0]["rq"] == "1" and config.analyses[0]["title"] is None
    assert config.analyses[0]["types"][1] == {"id": "b", "label": "ad hoc", "code": "x.adhoc"}


def test_no_declarations_gives_empty_defaults(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.research_questions == () and config.analyses == ()
    assert config.population == {"label": "participants", "outside": []}
    assert config.site_noun == "site" and config.description == ""


def test_every_declaration_problem_is_reported_together(tmp_path):
    bad = """
research_questions:
  - {id: 1, title: Access}
  - {id: 1, title: Again, text: "Twice?"}
  - {title: No id, text: "Where?"}
population: {outside: [wizard], size: 3}
analyses:
  - {type: horoscope, rq: 1}
  - {type: preferred_formats, rq: 9, question: formats}
  - {type: awareness_use, rq: 1, question: tools}
  - {type: group_comparison, rq: 1, question: q, groups: {A: [commissioner], B: [druid]}}
"""
    with pytest.raises(ValidationError) as info:
        load_config(write(tmp_path, GOOD + bad))
    text = str(info.value)
    for fragment in [
        "research_questions entry 1 (1): the research question has no text",
        "research_questions entry 2 (1): the id repeats the research question on line 15",
        "research_questions entry 3: the research question has no id",
        "population.outside: 'wizard' is not a role group",
        "population: unknown key(s): size",
        "`type` must be one of ['site_typology'",
        "but 'horoscope' was given",
        "analyses entry 2 (preferred_formats): rq '9' is not a declared research question",
        "analyses entry 3 (awareness_use): has no not_aware",
        "analyses entry 3 (awareness_use): has no used",
        "'druid' in group 'B' are not role groups",
    ]:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert len(info.value.problems) == 10  # the two "horoscope" fragments are one problem


def test_a_declared_analysis_with_too_few_entries_says_how_many(tmp_path):
    bad = """
research_questions: [{id: 1, title: A, text: "A?"}]
analyses:
  - type: site_typology
    rq: 1
    types: [{id: a, label: planned, code: x.planned}]
"""
    with pytest.raises(ValidationError) as info:
        load_config(write(tmp_path, GOOD + bad))
    (problem,) = info.value.problems
    assert problem.where == "line 16, analyses entry 1 (site_typology)"  # GOOD is 12 lines
    assert problem.problem == "`types` must have at least 2 entries, not 1"
    assert problem.fix == "list two or more types"


def test_coders_map_qda_users_to_coder_ids(tmp_path):
    config = load_config(write(tmp_path, GOOD + "coders:\n  'Jo  Hart': JH\n  cp: CP\n"))
    assert config.coders == {"Jo Hart": "JH", "cp": "CP"}  # spaces in a user name folded
    assert load_config(write(tmp_path, GOOD)).coders == {}


def test_a_coder_id_that_is_not_one_word_is_reported(tmp_path):
    text = GOOD + "coders:\n  Jo Hart: Jo Hart\n  cp:\n"
    with pytest.raises(ValidationError) as caught:
        load_config(write(tmp_path, text))
    found = [(p.where, p.problem) for p in caught.value.problems]
    assert found == [
        ("line 14, coders entry 'Jo Hart'", "the coder id 'Jo Hart' is not a single word"),
        ("line 15, coders entry 'cp'", "the coder id is blank"),
    ]


def test_the_kappa_threshold_defaults_to_0_6_and_can_be_set(tmp_path):
    assert load_config(write(tmp_path, GOOD)).reliability == {"kappa_threshold": 0.6}
    config = load_config(write(tmp_path, GOOD + "reliability: {kappa_threshold: 0.7}\n"))
    assert config.reliability == {"kappa_threshold": 0.7}


def test_a_kappa_threshold_out_of_range_names_its_line(tmp_path):
    # GOOD is 12 lines (the first blank), so the addition is line 13.
    with pytest.raises(ValidationError) as info:
        load_config(write(tmp_path, GOOD + "reliability: {kappa_threshold: 2}\n"))
    (problem,) = info.value.problems
    assert problem.where == "line 13, reliability.kappa_threshold"
    assert "less than or equal to 1" in problem.problem or "<= 1" in problem.problem, problem


def test_report_section_is_read_with_an_iso_date(tmp_path):
    text = GOOD + "report: {sponsor: A funder, authors: One Author, date: 2024-03-28, version: 2}\n"
    config = load_config(write(tmp_path, text))
    # YAML reads the date as a date and the version as a number: both come back as text.
    assert config.report == {
        "sponsor": "A funder",
        "authors": ["One Author"],
        "date": "2024-03-28",
        "version": "2",
    }


def test_no_report_section_gives_no_date(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.report == {"sponsor": None, "authors": [], "date": None, "version": None}


def test_a_bad_report_date_names_the_line(tmp_path):
    with pytest.raises(ValidationError) as caught:
        load_config(write(tmp_path, GOOD + "report:\n  date: 28 March 2024\n"))
    text = str(caught.value)
    assert "line 14" in text and "date must be a date" in text and "YYYY-MM-DD" in text
