"""Generate a whole synthetic demonstration study into one folder.

:func:`generate_study` orchestrates the other modules of :mod:`evstudy.synth` and writes
every raw file the README describes, plus ``planted_truth.yml`` and a short README. The
same seed and number of sites always give byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import numbers
from collections import Counter
from pathlib import Path

import yaml

from evstudy.files import atomic_write_bytes
from evstudy.synth import declarations as D
from evstudy.synth import phrases as P
from evstudy.synth.autocode_rules import autocode_rules_yaml
from evstudy.synth.codebook_spec import CODES
from evstudy.synth.coding import HEADER, coding_rows
from evstudy.synth.common import Doc, stream
from evstudy.synth.dialogue import Composer, plan_turns, realise, texts
from evstudy.synth.fieldwork import pick_no_quote, pick_withdrawn, plan_documents
from evstudy.synth.office import xlsx_bytes
from evstudy.synth.people import ROLE_LABELS, ROLE_RULES, People, make_people, role_group
from evstudy.synth.places import ADMIN_MEASURES, admin_rows, make_sites
from evstudy.synth.report_text import report_files
from evstudy.synth.review import findings_xlsx, recommendations_yaml, register_xlsx
from evstudy.synth.survey import Survey, make_survey, reminder_dates
from evstudy.synth.transcripts import render
from evstudy.synth.truth import LOW_AGREEMENT_CANDIDATES, enforce, plan_truth
from evstudy.synth.truth_file import truth_document
from evstudy.synth.voices import smart

__all__ = ["MAX_SITES", "Study", "build_study", "generate_study", "summary"]

MAX_SITES = 153
NAME_DECISIONS = "name_decisions.csv"
TITLE = "Use of evidence in designing and commissioning services for children and families"


class Study:
    """Everything generated in memory, before any file is written."""

    def __init__(self, seed: int, n_sites: int) -> None:
        self.seed = seed
        self.sites = make_sites(seed, n_sites)
        self.truth = plan_truth(seed, self.sites)
        self.people: People = make_people(seed, self.sites)
        self.docs: list[Doc] = plan_documents(seed, self.sites, self.people)
        self.withdrawn = pick_withdrawn(seed, self.docs, self.people)
        self.no_quote = pick_no_quote(seed, self.docs, self.people)
        self.composer = Composer(
            seed, self.people, self.truth, sites=self.sites, n_docs=len(self.docs)
        )
        self.unlisted_docs: dict[str, list[str]] = {}
        self.variants: dict[str, str] = {}
        self.files: dict[str, bytes] = {}
        self.coding: list[list[object]] = []
        self.double: list[str] = []
        self.survey: Survey | None = None


def _check_args(seed: object, sites: object) -> None:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer, but {seed!r} was passed")
    if (
        isinstance(sites, bool)
        or not isinstance(sites, numbers.Integral)
        or not 1 <= sites <= MAX_SITES
    ):
        raise ValueError(
            f"`sites` must be an integer from 1 to {MAX_SITES}, but {sites!r} was passed"
        )


def _plant_unlisted(study: Study) -> None:
    """Mention each deliberately unlisted first name in two documents."""
    rng = stream(study.seed, "unlisted")
    templates = [t for t in texts(P.DIGRESSIONS) if "{colleague}" in t] or [
        "I remember {colleague} saying much the same thing."
    ]
    eligible = [
        d for d in study.docs if study.withdrawn not in d.participants and d.method != "Focus group"
    ]
    for name in study.people.unlisted:
        picked = [eligible[int(i)] for i in rng.permutation(len(eligible))[:2]]
        study.unlisted_docs[name] = sorted(d.doc_id for d in picked)
        for doc in picked:
            answers = [t for t in doc.turns if t.role == "Participant" and t.codes]
            turn = answers[int(rng.integers(len(answers)))]
            template = " ".join(templates[int(rng.integers(len(templates)))].split())
            persona = study.composer.persona(turn.speaker)
            unit = study.composer.ledger.fresh(
                template.replace("{colleague}", name), persona, rng, doc.doc_id
            )
            turn.units.append(smart(unit) if doc.fmt in ("teams_docx", "legend_docx") else unit)


def _self_check(study: Study) -> None:
    answers = [t.text for d in study.docs for t in d.turns if t.role == "Participant"]
    if len(answers) != len(set(answers)):
        raise RuntimeError("internal error: two participant turns have identical text")
    for doc in study.docs:
        for turn in doc.turns:
            for coding in turn.codings:
                if coding.text not in turn.text:
                    raise RuntimeError(f"internal error: coded text not in {doc.doc_id}")
    for person in study.people.participants():
        if role_group(person.job_title, person.organisation_type) is None:
            raise RuntimeError(f"internal error: no role rule matches {person.job_title!r}")


def _low_agreement_codes(study: Study) -> list[str]:
    """One or two frequent, interpretive codes the second coder will often read differently."""
    truth = study.truth
    counts = Counter(c.code for d in study.docs for t in d.turns for c in t.codings)
    protected = {*truth.top_barriers, *truth.top_enablers, truth.dissonant, truth.silent}
    pool = [c for c in LOW_AGREEMENT_CANDIDATES if c not in protected]
    pool = sorted(pool, key=lambda c: (-counts[c], c))[:4]
    rng = stream(study.seed, "low-agreement")
    k = min(len(pool), int(rng.integers(1, 3)))
    return sorted(pool[int(i)] for i in rng.permutation(len(pool))[:k])


def build_study(seed: int = 2023, sites: int = 9) -> Study:
    """Generate the whole study in memory (no files are written).

    Parameters
    ----------
    seed : int
        Random seed; the same seed and ``sites`` give the same study.
    sites : int
        Number of local authorities, 1 to 153.

    Returns
    -------
    Study
        The sites, people, documents with turns and codings, coding rows and survey.
    """
    _check_args(seed, sites)
    study = Study(int(seed), int(sites))
    for doc in study.docs:
        plan_turns(doc, study.truth, study.composer)
    enforce(study.docs, study.truth, {study.withdrawn.pid}, study.seed)
    for doc in study.docs:
        realise(doc, study.composer)
    _plant_unlisted(study)
    _self_check(study)
    study.truth.low_agreement = _low_agreement_codes(study)
    study.coding, study.double = coding_rows(study.docs, study.seed, study.truth.low_agreement)
    study.survey = make_survey(study.seed, study.sites, study.truth)
    return study


def _csv(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def _yaml(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _study_yml(study: Study) -> str:
    team = [{"name": p.name, "role": study.people.team_roles[p.name]} for p in study.people.team]
    data = {
        "study": {
            "title": TITLE,
            "synthetic": True,
            "description": D.DESCRIPTION,
            "site_noun": D.SITE_NOUN,
        },
        "team": team,
        "role_groups": {"labels": ROLE_LABELS, "rules": ROLE_RULES},
        "targets": {
            "sites_min": 8,
            "sites_max": 12,
            "interviews": 70,
            "expert_interviews": 16,
            "focus_groups": 10,
            "focus_group_size": 7,
            "survey_responses": 50,
        },
        "fieldwork": {"survey_reminders": reminder_dates()},
        "disclosure": {"suppress_max": 5, "min_subgroup_base": 10, "quote_k": 3},
        "reliability": {"kappa_threshold": 0.6},
        "research_questions": D.RESEARCH_QUESTIONS,
        "population": D.POPULATION,
        "analyses": D.ANALYSES,
        # The researcher's decisions on words that may be names (optional; named to show it).
        "files": {"name_decisions": NAME_DECISIONS},
        "report": D.REPORT,
    }
    head = (
        "# A synthetic demonstration study made by `evstudy synth`"
        f" (seed {study.seed}, {len(study.sites)} sites).\n"
    )
    return head + _yaml(data)


def _register(study: Study) -> bytes:
    rows: list[list[object]] = [
        [
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
            "Quote consent",
        ]
    ]
    names = {s.site_id: s.name for s in study.sites}
    order = ("Interview", "Focus group", "Expert interview")
    for p in study.people.participants():
        rows.append(
            [
                p.name,
                p.email,
                p.phone,
                p.job_title,
                p.organisation,
                p.organisation_type,
                names.get(p.site_id, ""),
                p.years_in_role,
                "; ".join(m for m in order if m in p.methods),
                p.consent_date,
                p.withdrawal_date or "",
                "yes" if p.quote_consent else "no",
            ]
        )
    return xlsx_bytes([("Register", rows)])


def _other_names(study: Study) -> str:
    lines = [
        "# Colleagues, councillors and providers mentioned in the transcripts.",
        "# One name per line, as spoken; these are redacted with the register's names.",
    ]
    for site_id in sorted(study.people.colleagues):
        lines += study.people.colleagues[site_id]
    return "\n".join(lines) + "\n"


def _name_decisions(study: Study) -> str:
    """``name_decisions.csv``: the first names the transcripts mention but other_names.txt
    leaves out, which ingest cannot know are names, decided ``redact`` everywhere by the
    first researcher a week after the last fieldwork."""
    reviewer = "".join(part[0] for part in study.people.team[0].name.split())
    when = (max(d.when for d in study.docs) + dt.timedelta(days=7)).isoformat()
    rows: list[list[object]] = [["word", "doc_id", "turn", "decision", "reviewer", "date"]]
    rows += [[name, "*", "", "redact", reviewer, when] for name in sorted(study.unlisted_docs)]
    return _csv(rows)


def _readme(study: Study) -> str:
    return (
        "# Synthetic demonstration study\n\n"
        "Everything in this folder is invented: the local authorities, the people, their\n"
        "words, the survey answers and the admin data. No real person or council is\n"
        "described. It was generated with\n\n"
        f"    evstudy synth --seed {study.seed} --sites {len(study.sites)} --out DIR\n\n"
        "and the same command always produces byte-identical files. `planted_truth.yml`\n"
        "records what the generator built into the data so tests can check the analysis\n"
        "finds it; the analysis itself never reads that file.\n"
    )


def _files(study: Study) -> dict[str, bytes]:
    survey = study.survey
    assert survey is not None
    files: dict[str, bytes] = {}
    text = lambda s: s.encode("utf-8")  # noqa: E731
    files["README.md"] = text(_readme(study))
    files["study.yml"] = text(_study_yml(study))
    site_rows: list[list[object]] = [
        [
            "site_id",
            "site_name",
            "la_type",
            "tier",
            "region",
            "rurality",
            "imd_decile",
            "ethnic_minority_band",
            "foundations_partner",
        ]
    ]
    site_rows += [
        [
            s.site_id,
            s.name,
            s.la_type,
            s.tier,
            s.region,
            s.rurality,
            s.imd_decile,
            s.ethnic_minority_band,
            s.foundations_partner,
        ]
        for s in study.sites
    ]
    files["sites.csv"] = text(_csv(site_rows))
    files["register.xlsx"] = _register(study)
    files["other_names.txt"] = text(_other_names(study))
    files[NAME_DECISIONS] = text(_name_decisions(study))
    log: list[list[object]] = [
        [
            "Document ID",
            "File",
            "Method",
            "Site",
            "Date",
            "Participants",
            "Interviewer",
            "Facilitator",
        ]
    ]
    for doc in study.docs:
        content, variant = render(doc, study.seed)
        study.variants[doc.doc_id] = variant
        files[f"transcripts/{doc.file}"] = content
        # Who took part, and the team member(s) who ran it: interviews name an interviewer,
        # focus groups their facilitators.
        team = "; ".join(p.name for p in doc.team)
        ran_by = ["", team] if doc.method == "Focus group" else [team, ""]
        people = "; ".join(p.name for p in doc.participants)
        log.append(
            [doc.doc_id, doc.file, doc.method, doc.site_id, doc.when.isoformat(), people, *ran_by]
        )
    files["fieldwork_log.csv"] = text(_csv(log))
    files["codebook.yml"] = text(_yaml({"version": "1.0", "codes": CODES}))
    files["autocode_rules.yml"] = text(autocode_rules_yaml())
    files["coding/coding_sheet.xlsx"] = xlsx_bytes([("Coding", [HEADER, *study.coding])])
    files["coding/survey_free_text.xlsx"] = xlsx_bytes(
        [("Coding", [HEADER, *survey.free_text_rows])]
    )
    files["survey/smartsurvey_export.csv"] = text(survey.csv_text())
    files["survey/smartsurvey_export.xlsx"] = xlsx_bytes([("Responses", survey.rows)])
    files["survey/question_map.yml"] = text(_yaml(survey.map))
    admin_header: list[object] = ["Site", "Year", *ADMIN_MEASURES]
    files["admin/admin_data.xlsx"] = xlsx_bytes(
        [("Admin data", [admin_header, *admin_rows(study.seed, study.sites)])]
    )
    files["review/review_register.xlsx"] = register_xlsx()
    files["review/review_findings.xlsx"] = findings_xlsx()
    files["recommendations.yml"] = text(recommendations_yaml())
    files["planted_truth.yml"] = text(_yaml(truth_document(study)))
    files.update(report_files(study))
    return files


def summary(study: Study) -> dict[str, int]:
    """Counts describing a generated study (what the CLI prints)."""
    survey = study.survey
    assert survey is not None
    methods = Counter(d.method for d in study.docs)
    turns = [t for d in study.docs for t in d.turns]
    return {
        "sites": len(study.sites),
        "participants": len(study.people.participants()),
        "interviews": methods["Interview"],
        "expert_interviews": methods["Expert interview"],
        "focus_groups": methods["Focus group"],
        "documents": len(study.docs),
        "turns": len(turns),
        "words": sum(len(t.text.split()) for t in turns),
        "codings": len(study.coding),
        "codings_cd": sum(1 for r in study.coding if r[4] == "CD"),
        "double_coded_documents": len(study.double),
        "survey_respondents": survey.stats["respondents"],
        "survey_partial": survey.stats["partial"],
        "survey_free_text_codings": len(survey.free_text_rows),
    }


def generate_study(
    out: str | Path, *, seed: int = 2023, sites: int = 9, overwrite: bool = False
) -> dict:
    """Generate a synthetic demonstration study into ``out``, and nowhere else.

    Parameters
    ----------
    out : str or Path
        The folder to write the raw study into; created if missing.
    seed : int, default 2023
        Random seed. The same ``seed`` and ``sites`` always give byte-identical files.
    sites : int, default 9
        Number of local authorities, from 1 to 153.
    overwrite : bool, default False
        Allow a non-empty ``out``: the generated files replace their namesakes and any
        other file in ``out`` is left alone.

    Returns
    -------
    dict
        Counts: sites, participants, documents by method, turns, words, codings,
        double-coded documents and survey respondents.

    Raises
    ------
    ValueError
        If ``seed`` or ``sites`` is out of range, or ``out`` is a file, or ``out`` is not
        empty and ``overwrite`` is false.
    """
    _check_args(seed, sites)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"`out` must be a folder, but {str(out)!r} is a file")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise ValueError(
            f"`out` must be an empty or new folder, but {str(out)!r} is not empty; "
            "pass overwrite=True (--overwrite) to replace the generated files in it"
        )
    study = build_study(seed, sites)
    files = _files(study)
    out.mkdir(parents=True, exist_ok=True)
    for rel in sorted(files):
        atomic_write_bytes(out / rel, files[rel])
    return summary(study)
