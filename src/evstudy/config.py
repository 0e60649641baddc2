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
    "ANALYSIS_TYPES",
    "DEFAULT_FIELDWORK",
    "DEFAULT_FILES",
    "DEFAULT_POPULATION",
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

# Study-specific analyses a study may declare under `analyses:` (see the README), with the
# keys each one needs and may have.
ANALYSIS_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "site_typology": (("rq", "types"), ("title",)),
    "resource_judgements": (("rq", "resources", "judgements"), ("title", "methods")),
    "group_comparison": (("rq", "question", "groups"), ("title", "item")),
    "awareness_use": (("rq", "question", "not_aware", "used"), ("title",)),
    "preferred_formats": (("rq", "question"), ("title",)),
}

DEFAULT_POPULATION: dict[str, Any] = {"label": "participants", "outside": []}

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
    description: str = ""
    site_noun: str = "site"
    # [{"rq_id", "title", "text"}] in declared order; ids are strings.
    research_questions: tuple[dict[str, str], ...] = ()
    population: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_POPULATION))
    # Each declared analysis as written, with "rq" as a string and "title" defaulted to None.
    analyses: tuple[dict[str, Any], ...] = ()

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

    questions = _research_questions(data.get("research_questions"), found)
    population = _population(data.get("population"), labels, found)
    analyses = _analyses(data.get("analyses"), {q["rq_id"] for q in questions}, labels, found)
    for key in ("description", "site_noun"):
        if study.get(key) is not None and not isinstance(study.get(key), str):
            found.add(name, f"study.{key}", f"must be text, not {study[key]!r}", "quote it")

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
        description=" ".join(str(study.get("description") or "").split()),
        site_noun=str(study.get("site_noun") or "site").strip(),
        research_questions=questions,
        population=population,
        analyses=analyses,
    )


def _research_questions(raw: Any, found: Problems) -> tuple[dict[str, str], ...]:
    """``research_questions:``: a list of {id, title, text}; ids unique, as strings."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        found.add(CONFIG_NAME, "research_questions", "must be a list", "see the README's example")
        return ()
    out: list[dict[str, str]] = []
    for i, entry in enumerate(raw, 1):
        where = f"research_questions entry {i}"
        if not isinstance(entry, dict):
            found.add(CONFIG_NAME, where, "must be a mapping", "give id, title and text")
            continue
        unknown = sorted(set(map(str, entry)) - {"id", "title", "text"})
        if unknown:
            found.add(
                CONFIG_NAME, where, f"unknown key(s): {', '.join(unknown)}", "use id, title, text"
            )
        rq_id = entry.get("id")
        if rq_id is None or isinstance(rq_id, bool) or not str(rq_id).strip():
            found.add(CONFIG_NAME, where, "has no id", "give it a short id, e.g. id: 1")
            continue
        rq_id = str(rq_id).strip()
        if any(q["rq_id"] == rq_id for q in out):
            found.add(CONFIG_NAME, where, f"the id {rq_id!r} is used twice", "give each its own id")
            continue
        texts = {}
        for key in ("title", "text"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                found.add(CONFIG_NAME, f"{where} ({rq_id})", f"has no {key}", f"write its {key}")
            texts[key] = " ".join(str(value or "").split())
        out.append({"rq_id": rq_id, **texts})
    return tuple(out)


def _population(raw: Any, labels: dict[str, str], found: Problems) -> dict[str, Any]:
    """``population:``: the headline population's label and the role groups outside it."""
    population = {**DEFAULT_POPULATION, "outside": []}
    if raw is None:
        return population
    if not isinstance(raw, dict):
        found.add(CONFIG_NAME, "population", "must be a mapping", "give label and outside")
        return population
    for key in sorted(set(map(str, raw)) - set(DEFAULT_POPULATION)):
        found.add(CONFIG_NAME, f"population.{key}", "unknown key", "use label and outside")
    if raw.get("label") is not None:
        population["label"] = " ".join(str(raw["label"]).split())
    outside = raw.get("outside") or []
    if not isinstance(outside, list):
        outside = [outside]
    for group in outside:
        if str(group) not in labels:
            found.add(
                CONFIG_NAME,
                "population.outside",
                f"{group!r} is not a role group",
                f"use keys of role_groups.labels: {', '.join(labels)}",
            )
        else:
            population["outside"].append(str(group))
    return population


def _analyses(
    raw: Any, rq_ids: set[str], labels: dict[str, str], found: Problems
) -> tuple[dict[str, Any], ...]:
    """``analyses:``: declared study-specific sections; the shape is checked here, the codes
    and survey questions they name against the codebook and question map at ingest."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        found.add(CONFIG_NAME, "analyses", "must be a list", "see the README's example")
        return ()
    out = []
    for i, entry in enumerate(raw, 1):
        where = f"analyses entry {i}"
        if not isinstance(entry, dict):
            found.add(CONFIG_NAME, where, "must be a mapping", "give type, rq and its settings")
            continue
        kind = entry.get("type")
        if kind not in ANALYSIS_TYPES:
            found.add(
                CONFIG_NAME,
                where,
                f"`type` must be one of {list(ANALYSIS_TYPES)}, but {kind!r} was given",
                "use one of those types",
            )
            continue
        where = f"{where} ({kind})"
        needed, optional = ANALYSIS_TYPES[kind]
        missing = [k for k in needed if entry.get(k) in (None, "", [], {})]
        unknown = sorted(set(map(str, entry)) - {"type", *needed, *optional})
        if missing:
            found.add(CONFIG_NAME, where, f"is missing {', '.join(missing)}", "see the README")
        if unknown:
            found.add(
                CONFIG_NAME,
                where,
                f"unknown key(s): {', '.join(unknown)}",
                f"use {', '.join(['type', *needed, *optional])}",
            )
        if missing or unknown:
            continue
        item = {**{k: None for k in optional}, **entry, "rq": str(entry["rq"])}
        if item["rq"] not in rq_ids:
            found.add(
                CONFIG_NAME,
                f"{where}.rq",
                f"{item['rq']!r} is not a declared research question",
                "use an id from research_questions",
            )
            continue
        problem = _analysis_shape(item, labels)
        if problem:
            found.add(CONFIG_NAME, where, problem, "see the README's example")
            continue
        out.append(item)
    return tuple(out)


def _analysis_shape(item: dict[str, Any], labels: dict[str, str]) -> str | None:
    """What is wrong with the shape of one declared analysis, or None."""
    kind = item["type"]
    if kind == "site_typology":
        types = item["types"]
        if not isinstance(types, list) or len(types) < 2:
            return "`types` must list two or more types"
        for t in types:
            if not isinstance(t, dict) or not all(t.get(k) for k in ("id", "label", "code")):
                return "each of `types` needs id, label and code"
        item["types"] = [{k: str(t[k]) for k in ("id", "label", "code")} for t in types]
    elif kind == "resource_judgements":
        if not isinstance(item["resources"], list):
            return "`resources` must be a list of codes"
        if not isinstance(item["judgements"], dict) or len(item["judgements"]) < 1:
            return "`judgements` must map a label to a code, e.g. strength: code.id"
        item["resources"] = [str(c) for c in item["resources"]]
        item["judgements"] = {str(k): str(v) for k, v in item["judgements"].items()}
        if item["methods"] is not None:
            item["methods"] = [str(m) for m in item["methods"]]
    elif kind == "group_comparison":
        groups = item["groups"]
        if not isinstance(groups, dict) or len(groups) < 2:
            return "`groups` must map two or more group labels to role groups"
        out = {}
        for label, members in groups.items():
            members = members if isinstance(members, list) else [members]
            unknown = [str(m) for m in members if str(m) not in labels]
            if unknown:
                return f"{', '.join(map(repr, unknown))} in group {label!r} are not role groups"
            out[str(label)] = [str(m) for m in members]
        item["groups"] = out
        item["question"] = str(item["question"])
        item["item"] = None if item["item"] is None else str(item["item"])
    elif kind == "awareness_use":
        used = item["used"] if isinstance(item["used"], list) else [item["used"]]
        item["used"] = [str(u) for u in used]
        item["not_aware"] = str(item["not_aware"])
        item["question"] = str(item["question"])
    elif kind == "preferred_formats":
        item["question"] = str(item["question"])
    return None
