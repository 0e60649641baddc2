"""Reading a raw folder, checking each input against the others, and building the tables.

:class:`Assembly` does the work behind ``evstudy ingest`` in one pass that
collects every problem: an input that cannot be read is reported and the
checks that need it are skipped, so one broken file never hides the problems
in the others. Names stop here: speakers become pseudonyms and names in the
text become ``[name]``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evstudy.anchoring import Unplaced, place_coding
from evstudy.audit.withdrawal import WithdrawnWords, withdrawn_words
from evstudy.config import StudyConfig
from evstudy.contacts import ContactRedactor, TextRedactor
from evstudy.errors import EvstudyError, Problems
from evstudy.files import atomic_write_text
from evstudy.io.review import FINDINGS_OUT, REGISTER_OUT
from evstudy.io.sheets import is_blank
from evstudy.privacy import NameDecisions, NameRedactor, canonical_name, read_identity_key
from evstudy.recommendations import COLUMNS as RECOMMENDATION_COLUMNS

__all__ = ["COLUMNS", "REVIEW_FILE", "Assembly"]

REVIEW_FILE = "name_review.csv"
# name_review.csv: the columns of name_decisions.csv, the decision left blank, and the words
# around each use to decide by.
REVIEW_COLUMNS = ("word", "doc_id", "turn", "decision", "reviewer", "date", "context")
TRANSCRIPT_SUFFIXES = {".docx", ".vtt", ".txt"}
# Coding sheets, and REFI-QDA projects coded in NVivo, ATLAS.ti, MAXQDA or QualCoder.
CODING_SUFFIXES = {".xlsx", ".csv", ".qdpx"}
COLUMNS: dict[str, list[str]] = {
    "participants": [
        "participant_id",
        "site_id",
        "role_group",
        "job_title",
        "organisation_type",
        "years_in_role",
        "methods",
        "consent_date",
        "quote_consent",
    ],
    "documents": [
        "doc_id",
        "method",
        "site_id",
        "date",
        "source_file_type",
        "n_turns",
        "n_words",
        "text",
    ],
    "turns": [
        "doc_id",
        "turn",
        "speaker",
        "participant_id",
        "speaker_role",
        "start",
        "end",
        "start_time",
        "end_time",
        "n_words",
        "text",
    ],
    "codings": [
        "coding_id",
        "doc_id",
        "code_id",
        "coder",
        "start",
        "end",
        "turn",
        "text",
        "memo",
        "source",
    ],
    "survey_respondents": [
        "respondent_id",
        "started",
        "ended",
        "status",
        "n_answered",
        "job_title",
        "organisation_type",
        "site_id",
        "years_in_role",
        "role_group",
    ],
    "admin": ["site_id", "year", "measure", "unit", "value"],
    "review_sources": list(REGISTER_OUT),
    "review_findings": list(FINDINGS_OUT),
    "recommendations": list(RECOMMENDATION_COLUMNS),
}


def _empty_survey() -> dict[str, pd.DataFrame]:
    """The survey tables of a study that ran no survey: no rows, the usual columns."""
    frames = {
        "survey_questions": [
            *("question_id", "item_id", "question_text", "item_label", "type"),
            *("attribute", "max_choices", "position"),
        ],
        "survey_options": ["question_id", "option", "position", "code", "valence"],
        "survey_respondents": COLUMNS["survey_respondents"],
        "survey_answers": [
            *("respondent_id", "question_id", "item_id", "value", "position"),
            *("code", "other_text"),
        ],
    }
    types = {"position": "int64", "max_choices": "Int64", "n_answered": "int64"}
    types |= {"started": "datetime64[ns]", "ended": "datetime64[ns]"}
    out = {}
    for name, columns in frames.items():
        frame = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
        wanted = types | ({"position": "Int64"} if name == "survey_answers" else {})
        out[name] = frame.astype({k: v for k, v in wanted.items() if k in columns})
    return out


def _fold(value: object) -> str:
    return " ".join(str(value).casefold().split())


class Assembly:
    """Everything read from one raw folder, and the tables built from it."""

    def __init__(self, config: StudyConfig) -> None:
        self.config = config
        self.problems = Problems()
        self.warnings: list[str] = []
        self.withdrawn = {"participants": 0, "documents": 0, "turns": 0, "codings": 0}
        self.unsaid = WithdrawnWords()
        # Words that may be names and that no decision covers: (doc_id, turn, word, context).
        self.flags: list[tuple[str, int, str, str]] = []
        self.kept_names = 0
        self.decisions = NameDecisions({})
        self.doc_text: dict[str, str] = {}
        self.doc_turns: dict[str, dict[int, dict]] = {}
        self.withdrawn_turns: set[tuple[str, int]] = set()
        self.unreadable_docs: set[str] = set()
        self.projects: list[tuple[Path, Any]] = []  # REFI-QDA projects in coding/
        self.code_maps: dict[Path, dict[str, str]] = {}
        self.inductive = pd.DataFrame()

    # -- reading ---------------------------------------------------------------------------

    def rel(self, path: Path) -> str:
        """A path as the user knows it: relative to the raw folder where possible."""
        try:
            return str(Path(path).relative_to(self.config.raw_dir))
        except ValueError:
            return str(path)

    def _read(self, reader: Callable[..., Any], path: Path, *args: Any, **kwargs: Any) -> Any:
        try:
            return reader(path, *args, **kwargs)
        except EvstudyError as exc:
            # Readers name files as given; the user knows them relative to the raw folder.
            found = Problems()
            found.absorb(exc)
            for p in found:
                file = self.rel(path) if p.file == str(path) else p.file
                self.problems.add(file, p.where, p.problem, p.fix)
            return None

    def read_all(self) -> None:
        """Read every input, then check people, sites and speakers against each other."""
        from evstudy.autocode import read_autocode_rules
        from evstudy.codebook import read_codebook
        from evstudy.io.coding_sheet import read_coding_sheet
        from evstudy.io.name_decisions import read_name_decisions
        from evstudy.io.register import read_register
        from evstudy.io.smartsurvey import read_question_map, read_smartsurvey
        from evstudy.io.tables import read_admin, read_fieldwork_log, read_other_names, read_sites
        from evstudy.qdpx.read import read_qdpx

        cfg = self.config
        self.sites = self._read(read_sites, cfg.path("sites"))
        self.register = self._read(read_register, cfg.path("register"))
        names_file = cfg.path("other_names")
        self.other_names = (
            self._read(read_other_names, names_file) if names_file.exists() else []
        ) or []
        decisions_file = cfg.path("name_decisions")
        if decisions_file.exists():
            self.decisions = self._read(read_name_decisions, decisions_file) or self.decisions
        self.log = self._read(read_fieldwork_log, cfg.path("fieldwork_log"))
        self.codebook = self._read(read_codebook, cfg.path("codebook"))
        coding_files = self._coding_files()
        self.sheets = [
            (p, self._read(read_coding_sheet, p))
            for p in coding_files
            if p.suffix.lower() != ".qdpx"
        ]
        self.projects = [
            (p, self._read(read_qdpx, p)) for p in coding_files if p.suffix.lower() == ".qdpx"
        ]
        qmap, self.survey = self._read_survey(read_question_map, read_smartsurvey)
        admin_file = cfg.path("admin")
        self.admin = self._read(read_admin, admin_file) if admin_file.exists() else None
        rules_file = cfg.path("autocode_rules")
        self.autocode_rules = (
            self._read(read_autocode_rules, rules_file, codes=self.codebook["code_id"])
            if rules_file.exists() and self.codebook is not None
            else None
        )
        self._read_review()
        self._read_report_text()
        self._check_declarations(qmap)
        self._index_sites()
        self._index_people()
        self._read_transcripts()

    def _read_report_text(self) -> None:
        """The research team's section texts (``report/``), checked against the sections
        the study has: its research questions, else its codebook's themes."""
        from evstudy.io.report_text import COLUMNS as TEXT_COLUMNS
        from evstudy.io.report_text import read_report_text

        cfg = self.config
        findings = [str(q["rq_id"]) for q in cfg.research_questions]
        if not findings and self.codebook is not None:
            book = self.codebook
            themes = book[book["parent_id"].isna()]
            if "status" in themes:
                themes = themes[themes["status"].fillna("active") == "active"]
            findings = [str(c) for c in themes["code_id"]]
        folder = cfg.path("report_text")
        self.report_text = self._read(
            read_report_text, folder, findings=findings, label=self.rel(folder)
        )
        if self.report_text is None:
            self.report_text = pd.DataFrame(columns=TEXT_COLUMNS)

    def _read_survey(self, read_map: Any, read_export: Any) -> tuple[Any, Any]:
        """The question map and the export; a study without either has no survey."""
        cfg = self.config
        map_file, export_file = cfg.path("question_map"), cfg.path("survey")
        self.has_survey = map_file.exists() or export_file.exists()
        if not self.has_survey:
            self.warnings.append(
                f"no survey: add {cfg.files['survey']} and {cfg.files['question_map']} "
                "to include one"
            )
            return None, None
        if not map_file.exists() and export_file.exists():
            self.problems.add(
                self.rel(map_file),
                "",
                "the survey export has no question map beside it",
                "draft one with `evstudy init NEW_DIR --survey EXPORT` and check it, "
                "or set files.question_map in study.yml",
            )
            return None, None
        qmap = self._read(read_map, map_file)
        return qmap, (self._read(read_export, export_file, qmap) if qmap is not None else None)

    def _check_declarations(self, qmap: Any) -> None:
        """study.yml's research questions and analyses against the codebook and question map."""
        cfg, name = self.config, "study.yml"
        declared = [q["rq_id"] for q in cfg.research_questions]
        if self.codebook is not None:
            book = self.codebook
            lines = book.attrs.get("lines", {})
            for row in book[book["rq"].map(len) > 0].itertuples():
                unknown = [q for q in row.rq if q not in declared]
                if unknown and not declared:
                    self.problems.add(
                        self.rel(cfg.path("codebook")),
                        f"line {lines.get(row.code_id, '?')}, code '{row.code_id}'",
                        f"rq {unknown} names research questions, but study.yml declares none",
                        "declare research_questions in study.yml (id, title, text)",
                    )
                elif unknown:
                    self.problems.add(
                        self.rel(cfg.path("codebook")),
                        f"line {lines.get(row.code_id, '?')}, code '{row.code_id}'",
                        f"rq {unknown} are not research questions declared in study.yml",
                        f"use the ids {', '.join(declared)} or declare the question",
                    )
        codes = set(self.codebook["code_id"]) if self.codebook is not None else None
        questions = {q.id: q for q in qmap.questions} if qmap is not None else None
        for i, item in enumerate(cfg.analyses, 1):
            where = f"analyses entry {i} ({item['type']})"
            named = [t["code"] for t in item.get("types") or []]
            named += list(item.get("resources") or []) + list(
                (item.get("judgements") or {}).values()
            )
            for code in named if codes is not None else []:
                if code not in codes:
                    self.problems.add(
                        name, where, f"code {code!r} is not in the codebook", "use a code id"
                    )
            if "question" not in item or questions is None:
                continue
            question = questions.get(item["question"])
            if question is None:
                self.problems.add(
                    name,
                    where,
                    f"question {item['question']!r} is not in the question map",
                    f"use one of {', '.join(questions)}",
                )
                continue
            self._check_question_use(item, question, where)

    def _check_question_use(self, item: dict[str, Any], question: Any, where: str) -> None:
        """The items and scale points an analysis names exist in its survey question."""
        name, kind = "study.yml", item["type"]
        wanted = {"awareness_use": ("grid",), "preferred_formats": ("multi",)}.get(kind)
        if wanted and question.type not in wanted:
            self.problems.add(
                name,
                where,
                f"question {question.id!r} is a {question.type} question, not {wanted[0]}",
                f"name a {wanted[0]} question",
            )
            return
        if kind == "awareness_use":
            for point in [item["not_aware"], *item["used"]]:
                if point not in question.scale:
                    self.problems.add(
                        name,
                        where,
                        f"{point!r} is not a point of the scale of {question.id!r}",
                        f"use one of {', '.join(question.scale)}",
                    )
        if kind == "group_comparison" and item.get("item") is not None:
            choices = [i.id for i in question.items] or [o.label for o in question.options]
            if item["item"] not in choices:
                self.problems.add(
                    name,
                    where,
                    f"item {item['item']!r} is not in question {question.id!r}",
                    f"use one of {', '.join(choices)}",
                )

    def _read_review(self) -> None:
        """The optional review register, its coded findings and the recommendations."""
        from evstudy.io.review import read_review_findings, read_review_register
        from evstudy.recommendations import read_recommendations

        cfg = self.config
        codes = set(self.codebook["code_id"]) if self.codebook is not None else None
        self.review_sources = self.review_findings = self.recommendations = None
        if cfg.path("review_register").exists():
            self.review_sources = self._read(
                read_review_register,
                cfg.path("review_register"),
                rq_ids=[q["rq_id"] for q in cfg.research_questions],
            )
        if cfg.path("review_findings").exists():
            self.review_findings = self._read(
                read_review_findings,
                cfg.path("review_findings"),
                codes=codes,
                sources=self.review_sources,
            )
        if cfg.path("recommendations").exists():
            self.recommendations = self._read(
                read_recommendations, cfg.path("recommendations"), codes=codes
            )

    def _coding_files(self) -> list[Path]:
        folder = self.config.path("coding")
        if not folder.is_dir():
            self.problems.add(
                self.rel(folder), "", "the coding folder is missing", "create it (it may be empty)"
            )
            return []
        return sorted(
            p
            for p in folder.iterdir()
            if p.suffix.lower() in CODING_SUFFIXES and not p.name.startswith(("~$", "."))
        )

    def _index_sites(self) -> None:
        self.site_lookup: dict[str, str] = {}
        for row in (self.sites if self.sites is not None else pd.DataFrame()).itertuples():
            self.site_lookup[_fold(row.site_id)] = row.site_id
            self.site_lookup[_fold(row.site_name)] = row.site_id

    def site_id(
        self, value: object, file: str, where: str, *, required: bool = False
    ) -> str | None:
        """The site_id a site id or name refers to; a problem when the site is unknown."""
        if is_blank(value):
            if required:
                self.problems.add(file, where, "the site is blank", "give a site_id or site_name")
            return None
        found = self.site_lookup.get(_fold(value))
        if found is None and self.sites is not None:
            self.problems.add(
                file,
                where,
                f"site {value!r} is not in the site table",
                f"use a site_id or site_name from {self.config.files['sites']}, "
                "or add the site there",
            )
        return found

    def _index_people(self) -> None:
        """Speaker lookup: folded name -> ('team', role) or ('participant', index in people)."""
        cfg = self.config
        self.speakers: dict[str, tuple[str, Any]] = {
            canonical_name(m.name): ("team", m.role) for m in cfg.team
        }
        # A legend that names only the role ("I – Interviewer") still means the team.
        for role in sorted({m.role for m in cfg.team}):
            self.speakers.setdefault(canonical_name(role), ("team", role))
        self.people: list[dict] = []
        register_file = cfg.files["register"]
        records = self.register.to_dict("records") if self.register is not None else []
        for index, row in enumerate(records):
            where = f"row {row['row']}"
            group = cfg.role_group(row.get("job_title") or "", row.get("organisation_type") or "")
            if group is None:
                self.problems.add(
                    register_file,
                    where,
                    f"no role-group rule matches job title {row.get('job_title')!r} "
                    f"with organisation type {row.get('organisation_type')!r}",
                    "add a rule under role_groups.rules in study.yml",
                )
            row["role_group"] = group
            row["site_id"] = self.site_id(row.get("site"), register_file, f"{where}, column 'Site'")
            row["withdrawn"] = not is_blank(row.get("withdrawal_date"))
            self.people.append(row)
            self.speakers.setdefault(canonical_name(row["name"]), ("participant", index))

    def _read_transcripts(self) -> None:
        from evstudy.io.tables import files_by_name, logged_file
        from evstudy.io.transcripts import read_transcript

        self.transcripts: dict[str, Any] = {}
        if self.log is None:
            return
        folder = self.config.path("transcripts")
        known = [m.name for m in self.config.team] + [p["name"] for p in self.people]
        team = {m.name: m.role for m in self.config.team}
        logged = set()
        log_file = self.config.files["fieldwork_log"]
        on_disk = files_by_name(folder)
        for row in self.log.to_dict("records"):
            path = logged_file(folder, row["file"], on_disk)
            logged.add(path.resolve())
            if not path.is_file():
                self.unreadable_docs.add(row["doc_id"])
                self.problems.add(
                    log_file,
                    f"row {row['row']}",
                    f"the file {row['file']!r} is not in {self.rel(folder)}/",
                    "fix the File column or add the transcript",
                )
                continue
            where = f"row {row['row']}"
            ran_by = self._logged_team(row.get("ran_by") or (), where)
            listed = self._logged_people(row.get("participants"), where)
            transcript = self._read(
                read_transcript,
                path,
                known_speakers=known,
                team=team,
                ran_by=ran_by,
                participants=listed,
            )
            if transcript is None:
                self.unreadable_docs.add(row["doc_id"])
            else:
                self.transcripts[row["doc_id"]] = transcript
        for path in sorted(on_disk.values()):
            if path.suffix.lower() in TRANSCRIPT_SUFFIXES and path.resolve() not in logged:
                self.problems.add(
                    self.rel(path),
                    "",
                    "this transcript is not in the fieldwork log",
                    f"add a row for it to {log_file} (or move it out of the folder)",
                )

    def _logged_team(self, names: Any, where: str) -> tuple[str, ...]:
        """The log's Interviewer/Facilitator names, each checked against the research team."""
        found = []
        for name in names:
            if self.speakers.get(canonical_name(name), ("",))[0] == "team":
                found.append(name)
            else:
                self.problems.add(
                    self.config.files["fieldwork_log"],
                    f"{where}, column 'Interviewer'",
                    f"{name!r} is not a member of the research team in study.yml",
                    "give the team member's name as study.yml's team lists it",
                )
        return tuple(found)

    def _logged_people(self, names: Any, where: str) -> tuple[str, ...] | None:
        """The log's Participants (None when blank), each checked against the register."""
        if names is None or (not isinstance(names, tuple | list) and is_blank(names)):
            return None
        if self.register is None:  # with no readable register, nobody can be checked
            return tuple(names)
        for name in names:
            if canonical_name(name) not in self.speakers:
                self.problems.add(
                    self.config.files["fieldwork_log"],
                    f"{where}, column 'Participants'",
                    f"{name!r} is neither in the register nor in the research team",
                    "write register names separated by ';', or add the person to the register",
                )
        return tuple(names)

    def _check_listed(self, doc_id: str, entry: Any, file: str, resolved: list) -> None:
        """Speakers against the log's Participants: unlisted speakers fail, silent ones warn."""
        listed_names = entry.get("participants")
        if listed_names is None or self.register is None:
            return
        listed = {
            found[1]
            for name in listed_names
            if (found := self.speakers.get(canonical_name(name))) and found[0] == "participant"
        }
        spoke: set[int] = set()
        log_file = self.config.files["fieldwork_log"]
        for _, turn, *_ in resolved:
            found = self.speakers.get(canonical_name(turn.speaker))
            if not found or found[0] != "participant" or found[1] in spoke:
                continue
            spoke.add(found[1])
            if found[1] not in listed:
                unit = "paragraph" if file.lower().endswith(".docx") else "line"
                self.problems.add(
                    file,
                    f"{unit} {turn.line}",
                    f"speaker {turn.speaker!r} is in the register but not in the Participants "
                    f"the fieldwork log lists for {doc_id} (row {entry['row']})",
                    f"add the person to that row's Participants in {log_file} (names separated "
                    "by ';'), or correct the speaker label",
                )
        silent = len(listed - spoke)
        if silent:
            self.warnings.append(
                f"{log_file}, row {entry['row']}: {silent} of the people listed in "
                f"Participants for {doc_id} never speak{'s' if silent == 1 else ''} in its "
                "transcript"
            )

    def _check_sites(
        self, doc_id: str, entry: Any, site_id: str | None, file: str, resolved: list
    ) -> None:
        """A register person who speaks in another site's transcript is an error, unless the
        log's Participants lists them for it (then the log says they took part there)."""
        if site_id is None or entry.get("participants") is not None:
            # Expert interviews have no site; where Participants is filled in, a listed
            # person is allowed and an unlisted one already fails (_check_listed).
            return
        log_file = self.config.files["fieldwork_log"]
        seen: set[int] = set()
        for _, turn, *_ in resolved:
            found = self.speakers.get(canonical_name(turn.speaker))
            if not found or found[0] != "participant" or found[1] in seen:
                continue
            seen.add(found[1])
            home = self.people[found[1]].get("site_id")
            if home is None or home == site_id:
                continue
            unit = "paragraph" if file.lower().endswith(".docx") else "line"
            self.problems.add(
                file,
                f"{unit} {turn.line}",
                f"speaker {turn.speaker!r} is registered at another site than {doc_id} "
                f"(site {site_id}): the register gives site {home}",
                f"if the person took part here, list them in that row's Participants in "
                f"{log_file} (row {entry['row']}, names separated by ';'); otherwise correct "
                "the speaker label or the register's Site",
            )

    # -- building --------------------------------------------------------------------------

    def build_tables(self, key_dir: Path) -> dict[str, pd.DataFrame]:
        """Pseudonymise, redact and build every table; problems join ``self.problems``."""
        cfg = self.config
        self.key = read_identity_key(key_dir)
        assigned = self.key.assign((p["name"], p["email"]) for p in self.people)
        for person in self.people:
            person["participant_id"] = assigned[_fold(person["email"])]
        # Every free-text field leaves through this one redactor: contact details (the
        # register's and the key's in every spelling, and any others), then names.
        self.redactor = TextRedactor(
            NameRedactor(
                [m.name for m in cfg.team] + [p["name"] for p in self.people],
                self.other_names,
                redact_words=self.decisions.everywhere("redact"),
            ),
            ContactRedactor(
                emails=[p["email"] for p in self.people] + [row[2] for row in self.key.rows],
                phones=[p["phone"] for p in self.people if not is_blank(p.get("phone"))],
            ),
        )
        self.unsaid = withdrawn_words(self._turn_sources())
        documents, turns = self._transcript_tables()
        survey, survey_docs, survey_turns = self._survey_tables()
        documents = _concat(documents, survey_docs, ["doc_id"])
        turns = _concat(turns, survey_turns, ["doc_id", "turn"])
        self.withdrawn["participants"] = sum(p["withdrawn"] for p in self.people)
        return {
            "sites": _without_row(self.sites),
            "participants": self._participants_table(),
            "documents": documents,
            "turns": turns,
            "codebook": self._codebook_table(),
            "codings": self._codings_table(),
            **survey,
            "admin": self._admin_table(),
            "autocode_rules": _without_row(self.autocode_rules),
            "review_sources": self._redacted(
                _or_empty(self.review_sources, "review_sources"), ["reason"]
            ),
            "review_findings": self._redacted(
                _or_empty(self.review_findings, "review_findings"), ["finding", "memo"]
            ),
            "recommendations": self._redacted(
                _or_empty(self.recommendations, "recommendations"), ["text", "rationale"]
            ),
            # The research team's prose leaves through the same redactor as every free text.
            "report_text": self._redacted(self.report_text.copy(), ["text"]),
        }

    def _turn_sources(self) -> list[tuple[str, str, str | None]]:
        """(doc_id, text, register row of a speaker who withdrew, else None) of every turn."""
        register_file = self.config.files["register"]
        found = []
        for doc_id in sorted(self.transcripts):
            for turn in self.transcripts[doc_id].turns:
                kind, value = self.speakers.get(canonical_name(turn.speaker), ("", None))
                person = self.people[value] if kind == "participant" else None
                gone = person is not None and person["withdrawn"]
                found.append(
                    (doc_id, turn.text, f"{register_file} row {person['row']}" if gone else None)
                )
        return found

    def _unsay(self, text: str, doc_id: str | None = None) -> str:
        """``text`` without what a withdrawn participant said and someone else repeated
        (see :class:`evstudy.audit.withdrawal.WithdrawnWords`)."""
        text, n = self.unsaid.redact(text, doc_id)
        if n:
            self.withdrawn["repeated passages"] = self.withdrawn.get("repeated passages", 0) + n
        return text

    def _redacted(self, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """``frame`` with its free-text ``columns`` passed through the redactor."""
        for column in columns:
            if column in frame and len(frame):
                frame[column] = [v if is_blank(v) else self.redactor(str(v)) for v in frame[column]]
        return frame

    def _participants_table(self) -> pd.DataFrame:
        rows = [
            {
                **{k: p.get(k) for k in COLUMNS["participants"]},
                "methods": "; ".join(p.get("methods") or ()),
                # No answer means not asked: the consent to take part covers quoting.
                "quote_consent": p.get("quote_consent") is not False,
            }
            for p in self.people
            if not p["withdrawn"]
        ]
        frame = self._redacted(pd.DataFrame(rows, columns=COLUMNS["participants"]), ["job_title"])
        return frame.sort_values("participant_id", ignore_index=True)

    def _codebook_table(self) -> pd.DataFrame:
        if self.codebook is None:
            return pd.DataFrame()
        self._map_qdpx_codes()
        codebook = _without_row(self.codebook)
        codebook["source"] = self.rel(self.config.path("codebook"))
        if len(self.inductive):
            codebook = pd.concat([codebook, self._inductive_rows(codebook)], ignore_index=True)
        for column in ("rq", "prompted"):  # inductive codes have neither: empty lists
            codebook[column] = [
                [] if not isinstance(v, (list, tuple, np.ndarray)) else list(v)
                for v in codebook[column]
            ]
        return codebook

    # -- REFI-QDA projects in coding/ ----------------------------------------------------------

    def _map_qdpx_codes(self) -> None:
        """Map each project's codes to the codebook; the codes it lacks become inductive codes.

        Codes new in one project are known to the next, so two coders' same new code is one.
        Also checks study.yml's ``coders:`` against the projects' users.
        """
        from evstudy.qdpx.coding import map_codes

        self.code_maps = {}
        known = self.codebook[["code_id", "label", "parent_id"]]
        found = []
        for path, project in self.projects:
            if project is None:
                continue
            file = self.rel(path)
            for warning in project.warnings:
                self.warnings.append(f"{file}: {warning}")
            match = map_codes(project.codes, known, source=file)
            for where in match.nameless:
                self.problems.add(
                    file,
                    f"code {where}",
                    "the code has no name, so it can be neither matched nor added",
                    "name the code in the QDA tool and export the project again",
                )
            self.code_maps[path] = match.code_ids
            if len(match.new_codes):
                found.append(match.new_codes)
                known = pd.concat([known, match.new_codes[known.columns]], ignore_index=True)
                self.warnings.append(
                    f"{file}: {len(match.new_codes)} code(s) not in the codebook added as "
                    f"inductive codes: {', '.join(match.new_codes['code_id'])}"
                )
        self.inductive = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
        users = {
            " ".join(str(name).split())
            for _, project in self.projects
            if project is not None
            for name in project.users["name"].dropna()
        }
        for user in self.config.coders:
            if user not in users:
                listed = ", ".join(repr(u) for u in sorted(users)) or "none"
                self.problems.add(
                    "study.yml",
                    f"coders entry {user!r}",
                    f"{user!r} is not a user of any .qdpx project in the coding folder "
                    f"(its users: {listed})",
                    "spell the user as the QDA tool names them, or remove the entry",
                )

    def _qdpx_rows(self) -> list[dict[str, Any]]:
        """The codings of the projects in coding/, placed on the documents' canonical text."""
        from evstudy.anchoring import turn_at
        from evstudy.qdpx.coding import match_sources, place_selection

        files = {doc: Path(t.path).name for doc, t in getattr(self, "transcripts", {}).items()}
        withdrawn_docs = {doc for doc, _ in self.withdrawn_turns}
        known = set(self.doc_text) | withdrawn_docs | self.unreadable_docs
        coders = set()
        for _, sheet in self.sheets:
            if sheet is not None:
                coders |= {str(c).strip() for c in sheet["coder"].dropna()}
        coders |= set(self.config.coders.values())
        rows: list[dict[str, Any]] = []
        for path, project in self.projects:
            if project is None or path not in self.code_maps:
                continue
            file, code_ids = self.rel(path), self.code_maps[path]
            docs = match_sources(project.sources["name"], known, files)
            lengths = dict(
                zip(project.sources["guid"], project.sources["text"].str.len(), strict=True)
            )
            coded = set(project.codings["source_name"]) | set(project.unplaced["source_name"])
            unmatched = sorted({str(n) for n in project.sources["name"] if n not in docs} & coded)
            if unmatched:
                self.warnings.append(
                    f"{file}: {len(unmatched)} source(s) match no study document, so their "
                    f"codings are left out (a source never becomes a document: its text would "
                    f"not be redacted): {', '.join(self.redactor(n) for n in unmatched)}"
                )
            if len(project.unplaced):
                self.warnings.append(
                    f"{file}: {len(project.unplaced)} coding(s) of sources whose text is "
                    "outside the archive were not read"
                )
            unplaced: dict[str, int] = {}
            new_coders: set[str] = set()
            for coding in project.codings.itertuples():
                doc_id = docs.get(coding.source_name)
                code_id = code_ids.get(coding.code_guid)
                if doc_id is None or code_id is None:
                    continue  # reported above (source) or as a nameless code (problem)
                if doc_id not in self.doc_text:
                    if doc_id in withdrawn_docs:
                        self.withdrawn["codings"] += 1
                    continue
                text = self.doc_text[doc_id]
                placed = place_selection(
                    text,
                    str(coding.text),
                    int(coding.start),
                    int(coding.end),
                    length=lengths[coding.source_guid],
                )
                if placed is None:
                    unplaced[doc_id] = unplaced.get(doc_id, 0) + 1
                    continue
                user = " ".join(str(coding.user_name or coding.user_guid or "unknown").split())
                coder = self.config.coders.get(user, user)
                if coder not in coders:
                    new_coders.add(coder)
                start, end = placed
                rows.append(
                    {
                        "doc_id": doc_id,
                        "code_id": code_id,
                        "coder": coder,
                        "start": start,
                        "end": end,
                        "turn": turn_at(self.doc_turns.get(doc_id) or {}, start),
                        "text": text[start:end],
                        "memo": self.redactor(str(coding.description))
                        if not is_blank(coding.description)
                        else None,
                        "source": file,
                    }
                )
            for doc_id, n in sorted(unplaced.items()):
                self.warnings.append(
                    f"{file}: {n} coding(s) on {doc_id} left out: the selected text is not "
                    f"in {doc_id}'s canonical text (edited in the QDA tool, or withdrawn turns)"
                )
            if new_coders:
                self.warnings.append(
                    f"{file}: user(s) {', '.join(sorted(new_coders))} kept as coder ids "
                    "(map QDA users to the study's coder ids with coders: in study.yml)"
                )
        return rows

    def _inductive_rows(self, codebook: pd.DataFrame) -> pd.DataFrame:
        """The codebook rows of the inductive codes, with theme, depth and version."""
        new = self.inductive.copy()
        parents = dict(zip(codebook["code_id"], codebook["parent_id"], strict=True))
        themes = dict(zip(codebook["code_id"], codebook["theme_id"], strict=True))
        depths = dict(zip(codebook["code_id"], codebook["depth"], strict=True))
        parents |= dict(zip(new["code_id"], new["parent_id"], strict=True))
        for row in new.itertuples():  # parents come before their children
            parent = row.parent_id
            themes[row.code_id] = themes[parent] if parent else row.code_id
            depths[row.code_id] = depths[parent] + 1 if parent else 0
        new["theme_id"] = new["code_id"].map(themes)
        new["depth"] = new["code_id"].map(depths).astype("int64")
        new["version"] = codebook["version"].iloc[0] if len(codebook) else None
        new["status"] = "active"
        new["rq"] = [() for _ in range(len(new))]
        # A QDA tool's code description is free text, like a memo: names in it are redacted.
        new["definition"] = [
            self.redactor(str(d)) if not is_blank(d) else None for d in new["definition"]
        ]
        return new.reindex(columns=codebook.columns)

    def _speaker(
        self, name: str, doc_id: str, file: str, place: str
    ) -> tuple[str, str | None, str]:
        """(label, participant_id, speaker_role) of a speaker name; a problem when unknown."""
        found = self.speakers.get(canonical_name(name))
        if found is None:
            if self.register is not None:  # with no readable register, nobody can be checked
                self.problems.add(
                    file,
                    place,
                    f"speaker {name!r} is neither in the register nor in the research team",
                    "add the person to the register (or the team in study.yml), "
                    "or correct the spelling in the transcript",
                )
            return ("?", None, "unknown")
        kind, value = found
        if kind == "team":
            return (value, None, value)
        person = self.people[value]
        if is_blank(person.get("consent_date")):
            self.problems.add(
                self.config.files["register"],
                f"row {person['row']}",
                f"a participant who speaks in {doc_id} ({file}, {place}) has no consent date",
                "record the consent date, or remove the transcript until consent is confirmed",
            )
        return (person["participant_id"], person["participant_id"], "participant")

    def _transcript_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        doc_rows, turn_rows = [], []
        log = self.log.set_index("doc_id") if self.log is not None else None
        log_file = self.config.files["fieldwork_log"]
        withdrawn_ids = {p["participant_id"] for p in self.people if p["withdrawn"]}
        for doc_id in sorted(self.transcripts):
            transcript, entry = self.transcripts[doc_id], log.loc[doc_id]
            file = self.rel(transcript.path)
            unit = "paragraph" if file.lower().endswith(".docx") else "line"
            site_id = self.site_id(entry["site"], log_file, f"row {entry['row']}, column 'Site'")
            resolved = [
                (n, turn, *self._speaker(turn.speaker, doc_id, file, f"{unit} {turn.line}"))
                for n, turn in enumerate(transcript.turns, 1)
            ]
            self._check_listed(doc_id, entry, file, resolved)
            self._check_sites(doc_id, entry, site_id, file, resolved)
            speaking = {pid for *_, pid, _ in resolved if pid}
            if speaking and speaking <= withdrawn_ids and entry["method"] != "focus_group":
                # A one-to-one interview with someone who withdrew goes entirely.
                self.withdrawn["documents"] += 1
                self.withdrawn["turns"] += sum(pid is not None for *_, pid, _ in resolved)
                self.withdrawn_turns.update((doc_id, n) for n, *_ in resolved)
                continue
            lines, offset, turns = [], 0, {}
            for number, turn, label, pid, role in resolved:
                if pid in withdrawn_ids:
                    self.withdrawn["turns"] += 1
                    self.withdrawn_turns.add((doc_id, number))
                    continue
                text = self._clean(self._unsay(turn.text, doc_id), doc_id, number)
                prefix = f"{label}: "
                start = offset + len(prefix)
                row = {
                    "doc_id": doc_id,
                    "turn": number,
                    "speaker": label,
                    "participant_id": pid,
                    "speaker_role": role,
                    "start": start,
                    "end": start + len(text),
                    "start_time": turn.start,
                    "end_time": turn.end,
                    "n_words": len(text.split()),
                    "text": text,
                }
                turn_rows.append(row)
                turns[number] = row
                lines.append(prefix + text)
                offset += len(prefix) + len(text) + 1
            self._add_document(doc_id, "\n".join(lines), turns)
            doc_rows.append(
                {
                    "doc_id": doc_id,
                    "method": entry["method"],
                    "site_id": site_id,
                    "date": entry["date"],
                    "source_file_type": Path(transcript.path).suffix.lower().lstrip("."),
                    "n_turns": len(turns),
                    "n_words": sum(row["n_words"] for row in turns.values()),
                    "text": self.doc_text[doc_id],
                }
            )
        return (
            pd.DataFrame(doc_rows, columns=COLUMNS["documents"]),
            pd.DataFrame(turn_rows, columns=COLUMNS["turns"]),
        )

    def _clean(self, text: str, doc_id: str, turn: int) -> str:
        """One turn's text redacted, the researcher's name decisions applied, and the words
        no decision covers listed for review."""
        text, undecided, kept = self.redactor.clean(
            text, doc_id=doc_id, turn=turn, decisions=self.decisions
        )
        self.flags += [(doc_id, turn, word, context) for word, context in undecided]
        self.kept_names += kept
        return text

    def _passage_redactor(self, doc_id: str, turn: int | None) -> Callable[[str], str]:
        """Redaction for a coded passage, as its turn was redacted: with the decisions for
        that document and turn, so that a word decided ``redact`` there is found again."""

        def redact(text: str) -> str:
            cleaned, _, _ = self.redactor.clean(
                self.unsaid.redact(text, doc_id)[0],
                doc_id=doc_id,
                turn=turn or 0,
                decisions=self.decisions,
            )
            return cleaned

        return redact

    def _add_document(self, doc_id: str, text: str, turns: dict[int, dict]) -> None:
        self.doc_text[doc_id] = text
        self.doc_turns[doc_id] = turns

    def _survey_tables(self) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
        """Survey tables, plus free-text answers as documents that can be coded and quoted."""
        export = self.survey
        no_docs = pd.DataFrame(columns=COLUMNS["documents"])
        no_turns = pd.DataFrame(columns=COLUMNS["turns"])
        if export is None:
            return ({} if self.has_survey else _empty_survey()), no_docs, no_turns
        survey_file = self.config.files["survey"]
        respondents = export.respondents.copy()
        respondents["site_id"] = [
            self.site_lookup.get(_fold(v)) if not is_blank(v) else None
            for v in respondents.get("site", pd.Series([None] * len(respondents)))
        ]
        respondents["role_group"] = [
            self.config.role_group(r.get("job_title") or "", r.get("organisation_type") or "")
            for r in respondents.to_dict("records")
        ]
        unclassified = int(respondents["role_group"].isna().sum())
        if unclassified:
            self.warnings.append(
                f"{survey_file}: {unclassified} respondent(s) match no role-group rule "
                "(left blank; add rules in study.yml to classify them)"
            )
        self.warnings += [f"{survey_file}: {w}" for w in export.warnings]
        for column in COLUMNS["survey_respondents"]:
            if column not in respondents:
                respondents[column] = None
        answers = export.answers.copy()
        text_questions = set(
            export.questions.loc[export.questions["type"] == "text", "question_id"]
        )
        site_of = dict(zip(respondents["respondent_id"], respondents["site_id"], strict=True))
        doc_rows, turn_rows, values = [], [], []
        for row in answers.to_dict("records"):
            value = row["value"]
            if row["question_id"] in text_questions and not is_blank(value):
                doc_id = f"SVY-{row['respondent_id']}-{row['question_id']}"
                value = self._clean(self._unsay(str(value)), doc_id, 1)
                prefix = "Respondent: "
                turn = {
                    "doc_id": doc_id,
                    "turn": 1,
                    "speaker": "Respondent",
                    "participant_id": None,
                    "speaker_role": "respondent",
                    "start": len(prefix),
                    "end": len(prefix) + len(value),
                    "start_time": None,
                    "end_time": None,
                    "n_words": len(value.split()),
                    "text": value,
                }
                turn_rows.append(turn)
                self._add_document(doc_id, prefix + value, {1: turn})
                doc_rows.append(
                    {
                        "doc_id": doc_id,
                        "method": "survey",
                        "site_id": site_of.get(row["respondent_id"]),
                        "date": None,
                        "source_file_type": Path(survey_file).suffix.lstrip("."),
                        "n_turns": 1,
                        "n_words": turn["n_words"],
                        "text": prefix + value,
                    }
                )
            values.append(value)
        answers["value"] = values
        if "other_text" in answers:
            answers["other_text"] = [
                self.redactor(self._unsay(v)) if not is_blank(v) else v
                for v in answers["other_text"]
            ]
        tables = {
            "survey_questions": _without_row(export.questions),
            "survey_options": _without_row(export.options),
            "survey_respondents": self._redacted(
                respondents[COLUMNS["survey_respondents"]].copy(), ["job_title"]
            ),
            "survey_answers": _without_row(answers),
        }
        return (
            tables,
            pd.DataFrame(doc_rows, columns=COLUMNS["documents"]),
            pd.DataFrame(turn_rows, columns=COLUMNS["turns"]),
        )

    def _codings_table(self) -> pd.DataFrame:
        codes = set(self.codebook["code_id"]) if self.codebook is not None else None
        if codes is not None and len(self.inductive):
            codes |= set(self.inductive["code_id"])
        withdrawn_docs = {doc for doc, _ in self.withdrawn_turns}
        rows = []
        for path, sheet in self.sheets:
            file = self.rel(path)
            for rec in sheet.to_dict("records") if sheet is not None else []:
                where = f"row {rec['row']}"
                doc_id, code = str(rec["document"]).strip(), str(rec["code"]).strip()
                if codes is not None and code not in codes:
                    self.problems.add(
                        file,
                        f"{where}, column 'Code'",
                        f"code {code!r} is not in the codebook",
                        "add it to codebook.yml or correct the code id",
                    )
                    continue
                turn = int(rec["turn"]) if not is_blank(rec.get("turn")) else None
                last = int(rec["turn_end"]) if not is_blank(rec.get("turn_end")) else turn
                if turn is not None and last is not None and last > turn:
                    # A range keeps the turns of people who stay; withdrawn ends fall away.
                    while turn < last and (doc_id, turn) in self.withdrawn_turns:
                        turn += 1
                    while last > turn and (doc_id, last) in self.withdrawn_turns:
                        last -= 1
                if (doc_id, turn) in self.withdrawn_turns or (
                    doc_id in withdrawn_docs and doc_id not in self.doc_text
                ):
                    self.withdrawn["codings"] += 1
                    continue
                if doc_id not in self.doc_text:
                    # A survey that failed to read is already a problem; no survey at all is not.
                    survey_unread = doc_id.startswith("SVY-") and self.survey is None
                    if survey_unread and not self.has_survey:
                        self.problems.add(
                            file,
                            f"{where}, column 'Document'",
                            f"{doc_id!r} codes a survey answer, but the study has no survey",
                            f"add {self.config.files['survey']} and its question map, "
                            "or remove the survey codings",
                        )
                    elif doc_id not in self.unreadable_docs and not survey_unread:
                        self.problems.add(
                            file,
                            f"{where}, column 'Document'",
                            f"document {doc_id!r} is not in the fieldwork log or the survey",
                            "use a Document ID from the fieldwork log "
                            "(or SVY-<respondent>-<question> for survey answers)",
                        )
                    continue
                try:
                    placed = place_coding(
                        doc_id=doc_id,
                        text=self.doc_text[doc_id],
                        turns=self.doc_turns[doc_id],
                        turn=turn,
                        turn_end=last,
                        start=int(rec["start"]) if not is_blank(rec.get("start")) else None,
                        end=int(rec["end"]) if not is_blank(rec.get("end")) else None,
                        passage=rec["text"] if not is_blank(rec.get("text")) else None,
                        # Withdrawn words counted once, when the turns were made.
                        redact=self._passage_redactor(doc_id, turn),
                    )
                except Unplaced as miss:
                    self.problems.add(
                        file, f"{where}, column '{miss.column}'", miss.problem, miss.fix
                    )
                    continue
                if placed.reanchored:
                    self.warnings.append(f"{file}, {where}: span re-anchored to its text")
                rows.append(
                    {
                        "doc_id": doc_id,
                        "code_id": code,
                        "coder": str(rec["coder"]).strip(),
                        "start": placed.start,
                        "end": placed.end,
                        "turn": placed.turn,
                        "text": self.doc_text[doc_id][placed.start : placed.end],
                        "memo": self.redactor(str(rec["memo"]))
                        if not is_blank(rec.get("memo"))
                        else None,
                        "source": file,
                    }
                )
        rows += self._qdpx_rows()
        frame = pd.DataFrame(rows, columns=COLUMNS["codings"][1:])
        projects = {self.rel(path) for path, _ in self.projects}
        # Sheet rows come first, and a sort on several columns is stable: a coding in both a
        # sheet and a project keeps the sheet's row.
        frame = frame.sort_values(["doc_id", "start", "end", "code_id", "coder"], ignore_index=True)
        # The same coder coding the same span with the same code twice is one coding.
        same = ["doc_id", "code_id", "coder", "start", "end"]
        repeats = frame.duplicated(same)
        from_project = frame["source"].isin(projects)
        if (repeats & ~from_project).any():
            self.warnings.append(
                f"{int((repeats & ~from_project).sum())} coding row(s) repeat another row exactly "
                "(same document, code, coder and span) and were counted once"
            )
        for file, n in frame[repeats & from_project].groupby("source").size().items():
            self.warnings.append(
                f"{file}: {n} coding(s) already coded in the coding sheets or another "
                "project (same document, code, coder and span) were counted once"
            )
        if repeats.any():
            frame = frame[~repeats].reset_index(drop=True)
        frame.insert(0, "coding_id", [f"K{i:05d}" for i in range(1, len(frame) + 1)])
        frame["turn"] = frame["turn"].astype("Int64")
        if self.codebook is not None:
            from evstudy.codebook import stale_codings

            stale = stale_codings(self.codebook, frame)
            for code, group in stale.groupby("code_id"):
                status = group["status"].iloc[0]
                self.warnings.append(
                    f"{len(group)} coding(s) still use the {status} code {code!r} "
                    "(recode them, or merge with evstudy.codebook.merge_codes)"
                )
        return frame

    def _admin_table(self) -> pd.DataFrame:
        if self.admin is None:
            return pd.DataFrame(columns=COLUMNS["admin"])
        admin_file = self.config.files["admin"]
        frame = self.admin.copy()
        frame["site_id"] = [
            self.site_id(site, admin_file, f"row {row}, column 'Site'", required=True)
            for site, row in zip(frame["site"], frame["row"], strict=True)
        ]
        return frame[COLUMNS["admin"]].sort_values(
            ["site_id", "year", "measure"], ignore_index=True
        )

    def save_private(self, key_dir: Path) -> None:
        """Write the identity key and the name review list beside the raw folder.

        The review list has the columns of ``name_decisions.csv`` with the decision, reviewer
        and date left blank, and the words around each use: filled in, its rows are
        decisions.
        """
        self.key.save()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(REVIEW_COLUMNS)
        for doc_id, turn, word, context in sorted(self.flags):
            writer.writerow([word, doc_id, turn, "", "", "", context])
        atomic_write_text(key_dir / REVIEW_FILE, buffer.getvalue())

    def undecided_places(self) -> list[str]:
        """Where words that may be names wait for a decision: ``doc_id turn n``, sorted."""
        return sorted({f"{doc} turn {turn}" for doc, turn, _, _ in self.flags}, key=_natural)


def _natural(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _or_empty(frame: pd.DataFrame | None, name: str) -> pd.DataFrame:
    """The table without its row numbers; with its columns but no rows when absent."""
    return _without_row(frame) if frame is not None else pd.DataFrame(columns=COLUMNS[name])


def _without_row(frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame()
    return frame.drop(columns=["row"], errors="ignore").reset_index(drop=True)


def _concat(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if not len(b):
        return a
    if not len(a):
        return b.sort_values(keys, ignore_index=True)
    # An all-empty column (no timestamps in survey answers) takes the other frame's type.
    b = b.astype({c: a[c].dtype for c in b.columns if c in a and b[c].isna().all()})
    return pd.concat([a, b], ignore_index=True).sort_values(keys, ignore_index=True)
