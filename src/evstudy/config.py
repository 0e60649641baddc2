"""Paths and the study configuration (``study.yml`` at the root of a raw folder).

The configuration says where each raw file is, who the research team are,
how job titles map to role groups, the protocol's fieldwork targets and the
disclosure thresholds. Every field has a documented default except the team
and the role-group rules, which belong to the study.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evstudy.errors import InputError, Problems
from evstudy.io.textfiles import load_yaml

__all__ = [
    "DEFAULT_FIELDWORK",
    "DEFAULT_FILES",
    "TEAM_ROLES",
    "RoleRule",
    "StudyConfig",
    "TeamMember",
    "find_project_root",
    "load_config",
    "resolve_processed",
    "resolve_raw",
]

CONFIG_NAME = "study.yml"
TEAM_ROLES = ("Interviewer", "Facilitator")

# Where each raw input lives, relative to the raw folder, unless study.yml says otherwise.
DEFAULT_FILES: dict[str, str] = {
    "sites": "sites.csv",
    "register": "register.xlsx",
    "other_names": "other_names.txt",
    "fieldwork_log": "fieldwork_log.csv",
    "transcripts": "transcripts",
    "codebook": "codebook.yml",
    "coding": "coding",
    "survey": "survey/smartsurvey_export.csv",
    "question_map": "survey/question_map.yml",
    "admin": "admin/admin_data.xlsx",
    "autocode_rules": "autocode_rules.yml",
    "triangulation_overrides": "triangulation_overrides.yml",
    "review_register": "review/review_register.xlsx",
    "review_findings": "review/review_findings.xlsx",
    "recommendations": "recommendations.yml",
}

DEFAULT_TARGETS: dict[str, Any] = {
    "sites_min": 8,
    "sites_max": 12,
    "interviews": 70,
    "expert_interviews": 16,
    "focus_groups": 10,
    "focus_group_size": 7,
    "survey_responses": 50,
}

# Fieldwork facts the dashboard marks: the days survey reminders went out (ISO dates).
DEFAULT_FIELDWORK: dict[str, Any] = {"survey_reminders": []}

DEFAULT_DISCLOSURE: dict[str, int] = {
    "suppress_max": 5,  # counts 1..suppress_max describing people are shown as "c"
    "min_subgroup_base": 10,  # smallest subgroup an answer breakdown may show
    "quote_k": 3,  # fewest participants a published quote attribution may cover
}


@dataclass(frozen=True)
class TeamMember:
    name: str
    role: str  # one of TEAM_ROLES


@dataclass(frozen=True)
class RoleRule:
    """Assigns ``role_group`` when every given pattern matches (case-insensitive regex)."""

    role_group: str
    job_title: str | None = None
    organisation_type: str | None = None

    def matches(self, job_title: str, organisation_type: str) -> bool:
        checks = [(self.job_title, job_title), (self.organisation_type, organisation_type)]
        return all(
            re.search(pattern, value or "", flags=re.IGNORECASE)
            for pattern, value in checks
            if pattern is not None
        )


@dataclass(frozen=True)
class StudyConfig:
    """The parsed ``study.yml`` of one raw folder."""

    raw_dir: Path
    title: str
    synthetic: bool
    team: tuple[TeamMember, ...]
    role_group_labels: dict[str, str]
    role_rules: tuple[RoleRule, ...]
    files: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FILES))
    targets: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    disclosure: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DISCLOSURE))
    fieldwork: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_FIELDWORK))

    def path(self, key: str) -> Path:
        """Absolute path of the raw input named ``key`` (see ``DEFAULT_FILES``)."""
        if key not in self.files:
            raise ValueError(f"`key` must be one of {sorted(self.files)}, but {key!r} was passed")
        return self.raw_dir / self.files[key]

    def role_group(self, job_title: str, organisation_type: str) -> str | None:
        """The role group of a job title and organisation type (first matching rule)."""
        for rule in self.role_rules:
            if rule.matches(job_title, organisation_type):
                return rule.role_group
        return None


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` holding ``pyproject.toml`` and ``data/``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "data").is_dir():
            return folder
    return here


def resolve_raw(raw: str | Path | None = None) -> Path:
    """The raw folder: ``raw`` if given, else ``$EVSTUDY_RAW``, else ``data/raw``."""
    if raw is None:
        raw = os.environ.get("EVSTUDY_RAW") or find_project_root() / "data" / "raw"
    return Path(raw).expanduser().resolve()


def resolve_processed(processed: str | Path | None = None) -> Path:
    """The processed folder: given, else ``$EVSTUDY_PROCESSED``, else ``data/processed``."""
    if processed is None:
        processed = (
            os.environ.get("EVSTUDY_PROCESSED") or find_project_root() / "data" / "processed"
        )
    return Path(processed).expanduser().resolve()


def load_config(raw_dir: str | Path) -> StudyConfig:
    """Read and validate ``study.yml`` from ``raw_dir``.

    Raises
    ------
    ValidationError
        Listing every problem in the file.
    InputError
        When the file is missing or is not YAML.
    """
    raw_dir = Path(raw_dir)
    path = raw_dir / CONFIG_NAME
    if not path.is_file():
        raise InputError(
            path,
            "",
            f"there is no {CONFIG_NAME} in the raw folder {raw_dir}",
            "point --raw (or EVSTUDY_RAW) at a folder made by `evstudy synth`, "
            f"or write a {CONFIG_NAME} as the README describes",
        )
    data = load_yaml(path, str(path))[0] or {}
    if not isinstance(data, dict):
        raise InputError(path, "", "the file must hold a mapping", "see the README's example")

    found = Problems()
    name = CONFIG_NAME
    study = data.get("study") or {}
    synthetic = study.get("synthetic", False)
    if not isinstance(synthetic, bool):
        found.add(name, "study.synthetic", f"must be true or false, not {synthetic!r}", "fix it")
        synthetic = False

    files = dict(DEFAULT_FILES)
    for key, value in (data.get("files") or {}).items():
        if key not in DEFAULT_FILES:
            found.add(
                name,
                f"files.{key}",
                f"unknown file key {key!r}",
                f"use one of {', '.join(sorted(DEFAULT_FILES))}",
            )
        else:
            files[key] = str(value)

    team = []
    for i, member in enumerate(data.get("team") or [], 1):
        if not isinstance(member, dict) or not member.get("name"):
            found.add(name, f"team entry {i}", "has no name", "give each member a name and role")
            continue
        role = str(member.get("role", "")).strip().title()
        if role not in TEAM_ROLES:
            found.add(
                name,
                f"team entry {i} ({member['name']})",
                f"`role` must be one of {list(TEAM_ROLES)}, but {member.get('role')!r} was given",
                "use Interviewer or Facilitator",
            )
            continue
        team.append(TeamMember(str(member["name"]).strip(), role))
    if not team:
        found.add(name, "team", "no research team is listed", "list interviewers and facilitators")

    groups = data.get("role_groups") or {}
    labels = {str(k): str(v) for k, v in (groups.get("labels") or {}).items()}
    if not labels:
        found.add(name, "role_groups.labels", "no role groups are defined", "see the README")
    rules = []
    for i, rule in enumerate(groups.get("rules") or [], 1):
        where = f"role_groups.rules entry {i}"
        if not isinstance(rule, dict) or rule.get("role_group") not in labels:
            found.add(
                name,
                where,
                f"role_group must be one of {sorted(labels)}",
                "use a key of role_groups.labels",
            )
            continue
        if not (rule.get("job_title") or rule.get("organisation_type")):
            found.add(name, where, "matches nothing", "give job_title or organisation_type")
            continue
        for key in ("job_title", "organisation_type"):
            if rule.get(key):
                try:
                    re.compile(rule[key])
                except re.error as exc:
                    found.add(name, f"{where}.{key}", f"bad regular expression: {exc}", "fix it")
        rules.append(
            RoleRule(rule["role_group"], rule.get("job_title"), rule.get("organisation_type"))
        )

    targets = {**DEFAULT_TARGETS, **(data.get("targets") or {})}
    disclosure = dict(DEFAULT_DISCLOSURE)
    for key, value in (data.get("disclosure") or {}).items():
        if key not in DEFAULT_DISCLOSURE:
            found.add(
                name, f"disclosure.{key}", "unknown threshold", f"use {list(DEFAULT_DISCLOSURE)}"
            )
        elif not isinstance(value, int) or value < 0:
            found.add(name, f"disclosure.{key}", f"must be a whole number, not {value!r}", "fix it")
        else:
            disclosure[key] = value

    fieldwork = dict(DEFAULT_FIELDWORK)
    for key, value in (data.get("fieldwork") or {}).items():
        if key not in DEFAULT_FIELDWORK:
            found.add(name, f"fieldwork.{key}", "unknown setting", f"use {list(DEFAULT_FIELDWORK)}")
            continue
        try:  # YAML reads 2023-11-06 as a date; quoted, it is a string
            days = [dt.date.fromisoformat(str(day)) for day in (value or [])]
            fieldwork[key] = [day.isoformat() for day in sorted(set(days))]
        except (TypeError, ValueError):
            found.add(
                name,
                f"fieldwork.{key}",
                f"must be a list of dates, not {value!r}",
                "write YYYY-MM-DD",
            )

    found.raise_if_any(f"{path}")
    return StudyConfig(
        raw_dir=raw_dir.resolve(),
        title=str(study.get("title", "Untitled study")),
        synthetic=synthetic,
        team=tuple(team),
        role_group_labels=labels,
        role_rules=tuple(rules),
        files=files,
        targets=targets,
        disclosure=disclosure,
        fieldwork=fieldwork,
    )
