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
        "unknown file key 'surveys'",
        "Note-taker",
        "no research team",
        "role_group must be one of ['commissioner']",
        "bad regular expression",
        "disclosure.quote_k",
    ]:
        assert expected in text
    assert len(info.value.problems) == 7


def test_missing_and_broken_config(tmp_path):
    with pytest.raises(InputError, match=r"there is no study\.yml"):
        load_config(tmp_path)
    with pytest.raises(InputError, match="line 2"):
        load_config(write(tmp_path, "study:\n  - [unclosed\n"))


def test_resolve_raw_prefers_argument_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("EVSTUDY_RAW", str(tmp_path / "env"))
    assert resolve_raw(tmp_path / "arg") == (tmp_path / "arg").resolve()
    assert resolve_raw() == (tmp_path / "env").resolve()
