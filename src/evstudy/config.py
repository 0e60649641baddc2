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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictBool,
    StrictInt,
    create_model,
    field_validator,
)

from evstudy.errors import InputError, Problems
from evstudy.io.schema import (
    OptionalText,
    Schema,
    Text,
    fail,
    line_at,
    numbered,
    raw_text,
    reads,
    validate,
    validate_entries,
)
from evstudy.io.textfiles import load_yaml

__all__ = [
    "ANALYSIS_TYPES",
    "DEFAULT_FIELDWORK",
    "DEFAULT_FILES",
    "DEFAULT_POPULATION",
    "DEFAULT_REPORT",
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
    "name_decisions": "name_decisions.csv",
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
    "report_text": "report",
}

# The fieldwork targets a protocol may set (study.yml `targets:`); none is assumed, since
# they are the study's own: a measure without a target is shown without one.
DEFAULT_TARGETS: dict[str, Any] = dict.fromkeys(
    (
        "sites_min",
        "sites_max",
        "interviews",
        "expert_interviews",
        "focus_groups",
        "focus_group_size",
        "survey_responses",
    )
)

# Fieldwork facts the dashboard marks: the days survey reminders went out (ISO dates).
DEFAULT_FIELDWORK: dict[str, Any] = {"survey_reminders": []}

DEFAULT_POPULATION: dict[str, Any] = {"label": "participants", "outside": []}
# No ``report:`` section: no sponsor, authors, date or version. Without a date the PDF's
# dates fall back to REPORT_DATE_FALLBACK (evstudy.build.pdf), never the build's clock.
DEFAULT_REPORT: dict[str, Any] = {"sponsor": None, "authors": [], "date": None, "version": None}

# Inter-coder reliability: codes whose Cohen's kappa is below kappa_threshold (0.6, the
# lower bound of "substantial" agreement in Landis & Koch 1977) are flagged wherever they feed
# a finding.
DEFAULT_RELIABILITY: dict[str, float] = {"kappa_threshold": 0.6}

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
    reliability: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_RELIABILITY))
    fieldwork: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_FIELDWORK))
    description: str = ""
    site_noun: str = "site"
    # [{"rq_id", "title", "text"}] in declared order; ids are strings.
    research_questions: tuple[dict[str, str], ...] = ()
    population: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_POPULATION))
    # Each declared analysis as written, with "rq" as a string and "title" defaulted to None.
    analyses: tuple[dict[str, Any], ...] = ()
    # QDA user name (as a .qdpx in coding/ has it) -> the study's coder id.
    coders: dict[str, str] = field(default_factory=dict)
    # The report's title-page facts (study.yml ``report:``): sponsor, authors, date
    # (ISO, or None when not declared) and version.
    report: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_REPORT))

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


# --- the schema of study.yml ------------------------------------------------------------------

S = TypeVar("S", bound=Schema)


def _folded(options: tuple[str, ...]) -> BeforeValidator:
    """Accept an option in any case ("facilitator"), keeping what was written otherwise."""
    by_fold = {o.casefold(): o for o in options}
    return BeforeValidator(
        lambda v: by_fold.get(str(v).strip().casefold(), v) if isinstance(v, str) else v
    )


def _listed(value: Any) -> Any:
    """One value where a list is expected is a list of one."""
    return [] if value is None else value if isinstance(value, list) else [value]


def _listed_or_none(value: Any) -> Any:
    return None if value is None else _listed(value)


Listed = BeforeValidator(_listed)
# Prose for sentences: one paragraph, its line breaks and runs of spaces as single spaces.
Prose = Annotated[
    OptionalText, AfterValidator(lambda v: v if v is None else " ".join(v.split()) or None)
]


class StudyFile(Schema):
    """The top level: which sections there are and their shapes (each is checked on its own)."""

    study: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    team: list[Any] | None = None
    role_groups: dict[str, Any] | None = None
    targets: dict[str, Any] | None = None
    fieldwork: dict[str, Any] | None = None
    disclosure: dict[str, Any] | None = None
    reliability: dict[str, Any] | None = None
    research_questions: list[Any] | None = None
    population: dict[str, Any] | None = None
    analyses: list[Any] | None = None
    coders: dict[str, Any] | None = None
    report: dict[str, Any] | None = None


class StudySection(Schema):
    title: Text = "Untitled study"
    synthetic: StrictBool = False
    description: Prose = None
    site_noun: Prose = None


Files = create_model(  # one optional path per raw input
    "Files",
    __base__=Schema,
    # Aliases, as "register" would shadow a method of pydantic's base class.
    **{f"file_{key}": (OptionalText, Field(None, alias=key)) for key in DEFAULT_FILES},
)


class TeamEntry(Schema):
    name: Text = Field(description="give each member a name and role")
    role: Annotated[Literal[TEAM_ROLES], _folded(TEAM_ROLES)]


class RoleGroups(Schema):
    labels: dict[Text, Text] = Field(default_factory=dict)
    rules: list[Any] = Field(default_factory=list)


class RuleEntry(Schema):
    role_group: Text
    job_title: OptionalText = None
    organisation_type: OptionalText = None

    @reads("job_title", "organisation_type")
    def _patterns(self) -> Iterator[tuple[str, str]]:
        for key in ("job_title", "organisation_type"):
            try:
                re.compile(getattr(self, key) or "")
            except re.error as exc:
                yield f"{key}: bad regular expression: {exc}", "fix it"
        if not (self.job_title or self.organisation_type):
            yield "matches nothing", "give job_title or organisation_type"


Disclosure = create_model(
    "Disclosure",
    __base__=Schema,
    **{key: (StrictInt, Field(value, ge=0)) for key, value in DEFAULT_DISCLOSURE.items()},
)


class Reliability(Schema):
    kappa_threshold: float = Field(DEFAULT_RELIABILITY["kappa_threshold"], ge=-1, le=1)


class ReportSection(Schema):
    """The report's title page: who it is for and by, its date and version."""

    sponsor: Prose = None
    authors: Annotated[list[Text], Listed] = Field(default_factory=list)
    date: str | None = None
    version: OptionalText = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> str | None:
        if value is None:
            return None
        try:  # YAML reads 2024-03-28 as a date; quoted, it is a string
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            fail(f"date must be a date, not {value!r}", "write YYYY-MM-DD")


class Fieldwork(Schema):
    survey_reminders: list[str] = Field(default_factory=list)

    @field_validator("survey_reminders", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> list[str]:
        try:  # YAML reads 2023-11-06 as a date; quoted, it is a string
            days = [dt.date.fromisoformat(str(day)) for day in _listed(value)]
        except (TypeError, ValueError):
            fail(f"survey_reminders must be a list of dates, not {value!r}", "write YYYY-MM-DD")
        return [day.isoformat() for day in sorted(set(days))]


class ResearchQuestion(Schema):
    noun: ClassVar[str] = "research question"
    id: Text = Field(description="give it a short id, e.g. id: 1")
    title: Text = Field(description="write its title")
    text: Text = Field(description="write its text")


class Population(Schema):
    label: Text = DEFAULT_POPULATION["label"]
    outside: Annotated[list[Text], Listed] = Field(default_factory=list)


class Analysis(Schema):
    """What every declared analysis has: its type, its research question and a title."""

    type: str
    rq: Text = Field(description="name the research question it serves, e.g. rq: 1")
    title: OptionalText = None


class SiteType(Schema):
    id: Text
    label: Text
    code: Text


class SiteTypology(Analysis):
    types: list[SiteType] = Field(min_length=2, description="list two or more types")


class ResourceJudgements(Analysis):
    resources: Annotated[list[Text], Listed] = Field(min_length=1)
    judgements: dict[Text, Text] = Field(
        min_length=1, description="map a label to a code, e.g. strength: code.id"
    )
    methods: Annotated[list[Text] | None, BeforeValidator(_listed_or_none)] = None


class GroupComparison(Analysis):
    question: Text
    item: OptionalText = None
    groups: dict[Text, Annotated[list[Text], Listed]] = Field(
        min_length=2, description="map two or more group labels to role groups"
    )


class AwarenessUse(Analysis):
    question: Text
    not_aware: Text
    used: Annotated[list[Text], Listed] = Field(min_length=1)


class PreferredFormats(Analysis):
    question: Text


# Study-specific analyses a study may declare under `analyses:` (see the README).
ANALYSIS_MODELS: dict[str, type[Analysis]] = {
    "site_typology": SiteTypology,
    "resource_judgements": ResourceJudgements,
    "group_comparison": GroupComparison,
    "awareness_use": AwarenessUse,
    "preferred_formats": PreferredFormats,
}
# Each type's keys: those it needs and those it may have.
ANALYSIS_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    kind: (
        tuple(k for k, f in model.model_fields.items() if k != "type" and f.is_required()),
        tuple(k for k, f in model.model_fields.items() if not f.is_required()),
    )
    for kind, model in ANALYSIS_MODELS.items()
}


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
    data, tree = load_yaml(path, str(path))
    data = data or {}
    if not isinstance(data, dict):
        raise InputError(path, "", "the file must hold a mapping", "see the README's example")

    found = Problems()
    name = CONFIG_NAME

    def check(model: type[S], value: Any, at: tuple, place: str | None = None) -> S | None:
        return validate(model, value, file=name, found=found, tree=tree, at=at, place=place)

    def add(at: tuple, place: str, problem: str, fix: str) -> None:
        line = line_at(tree, at)
        found.add(name, f"line {line}, {place}" if line else place, problem, fix)

    # Sections of the wrong shape are reported and left out; the others are read on.
    top = check(StudyFile, data, ()) or StudyFile()
    study = check(StudySection, top.study or {}, ("study",)) or StudySection()
    chosen = check(Files, top.files or {}, ("files",)) or Files()
    files = {**DEFAULT_FILES, **chosen.model_dump(by_alias=True, exclude_none=True)}

    def entries(model: type[S], items: list[Any] | None, at: tuple, **how: Any) -> list[S]:
        place = numbered(f"{'.'.join(at)} entry")
        found_ = validate_entries(
            model, items or [], file=name, found=found, tree=tree, at=at, place=place, **how
        )
        return [entry.value for entry in found_ if entry.value is not None]

    team = [
        TeamMember(m.name, m.role)
        for m in entries(TeamEntry, top.team, ("team",), name="name", unique=False)
    ]
    if not team:
        add(("team",), "team", "no research team is listed", "list interviewers and facilitators")

    groups = check(RoleGroups, top.role_groups or {}, ("role_groups",)) or RoleGroups()
    labels = dict(groups.labels)
    if not labels:
        add(
            ("role_groups", "labels"),
            "role_groups.labels",
            "no role groups are defined",
            "see the README",
        )

    def known_group(n: int, entry: Any) -> Iterator[tuple[str, str]]:
        if raw_text(entry, "role_group") not in labels:
            yield f"role_group must be one of {sorted(labels)}", "use a key of role_groups.labels"

    rules = [
        RoleRule(rule.role_group, rule.job_title, rule.organisation_type)
        for rule in entries(
            RuleEntry,
            groups.rules,
            ("role_groups", "rules"),
            name="role_group",
            unique=False,
            also=known_group,
        )
        if rule.role_group in labels
    ]

    disclosure = check(Disclosure, top.disclosure or {}, ("disclosure",)) or Disclosure()
    fieldwork = check(Fieldwork, top.fieldwork or {}, ("fieldwork",)) or Fieldwork()
    reliability = check(Reliability, top.reliability or {}, ("reliability",)) or Reliability()
    questions = tuple(
        {"rq_id": q.id, "title": q.title, "text": q.text}
        for q in entries(ResearchQuestion, top.research_questions, ("research_questions",))
    )
    population = check(Population, top.population or {}, ("population",)) or Population()
    for group in population.outside:
        if group not in labels:
            add(
                ("population", "outside"),
                "population.outside",
                f"{group!r} is not a role group",
                f"use keys of role_groups.labels: {', '.join(labels)}",
            )
    # Declared ids as written, so that a question with another problem is not reported twice.
    rq_ids = {raw_text(q, "id") for q in top.research_questions or []} - {None}
    analyses = _analyses(top.analyses or [], rq_ids, labels, check, add)
    coders = _coders(top.coders or {}, add)
    report = check(ReportSection, top.report or {}, ("report",)) or ReportSection()

    found.raise_if_any(f"{path}")
    return StudyConfig(
        raw_dir=raw_dir.resolve(),
        title=study.title,
        synthetic=study.synthetic,
        team=tuple(team),
        role_group_labels=labels,
        role_rules=tuple(rules),
        files=files,
        targets={**DEFAULT_TARGETS, **(top.targets or {})},
        disclosure=disclosure.model_dump(),
        reliability=reliability.model_dump(),
        fieldwork=fieldwork.model_dump(),
        description=study.description or "",
        site_noun=study.site_noun or "site",
        research_questions=questions,
        population={"label": population.label, "outside": list(population.outside)},
        analyses=analyses,
        coders=coders,
        report=report.model_dump(),
    )


def _coders(entries: dict[Any, Any], add: Any) -> dict[str, str]:
    """``coders:``: QDA user name -> coder id; an id is one word, as in the coding sheets."""
    out = {}
    for user, coder in entries.items():
        text = "" if coder is None else str(coder).strip()
        if not str(user).strip() or not text or any(ch.isspace() for ch in text):
            add(
                ("coders", user),
                f"coders entry {str(user)!r}",
                f"the coder id {text!r} is not a single word" if text else "the coder id is blank",
                "map each QDA user name to a coder id such as JH, e.g. 'Jo Hart: JH'",
            )
            continue
        out[" ".join(str(user).split())] = text
    return out


def _analyses(
    entries: list[Any], rq_ids: set[str], labels: dict[str, str], check: Any, add: Any
) -> tuple[dict[str, Any], ...]:
    """``analyses:``: declared study-specific sections; the shape is checked here, the codes
    and survey questions they name against the codebook and question map at ingest."""
    out = []
    for i, entry in enumerate(entries):
        at, place = ("analyses", i), f"analyses entry {i + 1}"
        kind = entry.get("type") if isinstance(entry, dict) else None
        if kind not in ANALYSIS_MODELS:
            add(
                at,
                place,
                f"`type` must be one of {list(ANALYSIS_MODELS)}, but {kind!r} was given",
                "use one of those types",
            )
            continue
        place = f"{place} ({kind})"
        analysis = check(ANALYSIS_MODELS[kind], entry, at, place)
        if analysis is None:
            continue
        if analysis.rq not in rq_ids:
            add(
                at,
                place,
                f"rq {analysis.rq!r} is not a declared research question",
                "use an id from research_questions",
            )
            continue
        for label, members in getattr(analysis, "groups", {}).items():
            unknown = [m for m in members if m not in labels]
            if unknown:
                add(
                    at,
                    place,
                    f"{', '.join(map(repr, unknown))} in group {label!r} are not role groups",
                    f"use keys of role_groups.labels: {', '.join(labels)}",
                )
        dumped = analysis.model_dump()
        optional = ANALYSIS_TYPES[kind][1]
        out.append({**{k: None for k in optional}, **{k: dumped[k] for k in entry}})
    return tuple(out)
