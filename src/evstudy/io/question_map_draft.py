"""A first draft of ``question_map.yml`` from a SmartSurvey export's header rows and answers.

SmartSurvey writes each question's text over the first column of its block (line 1) and
each column's sub-label below it (line 2); see :mod:`evstudy.io.smartsurvey`. From those and
the answers the draft tells the question types apart:

- a block of ``Answer`` (and ``Other (please specify)``) is a single-choice question when
  its answers repeat, with the answers seen as its options, or free text when they do not;
- a block of labelled columns whose ticked cells hold the column's own label is a tick-all
  (multi) question, its options the sub-labels;
- a block of labelled columns holding other labels is a grid: its items are the sub-labels
  and its scale the labels seen, put in order when they form a common survey scale
  (``templates/survey_scales.yml``).

What no export says (question ids, the order of options nobody chose, which question
names the site, links to codes) the draft leaves for the researcher, with a comment
on each question saying what to check.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from evstudy.errors import InputError
from evstudy.io.question_map import export_text, norm_text
from evstudy.io.sheets import Sheet, column_letter, is_blank, read_sheet

__all__ = ["DraftQuestion", "draft_question_map", "draft_questions", "known_scales"]

# Line-1 names of SmartSurvey's metadata columns, without spaces (as smartsurvey.METADATA).
_METADATA = {
    "userid",
    "userno",
    "name",
    "email",
    "ipaddress",
    "uniqueid",
    "started",
    "ended",
    "trackinglink",
}
# Words left out of ids made from question text: they say nothing about the question.
_STOPWORD_TEXT = """
    a about above after all am an and any are as at be been best by can could did do does
    for following from had has have how i if in into is it its me most much my of on or our
    please so tell than that the their them there these they this those to up us was we were
    what when where which who whom why will with would you your yours choose apply tick
    describes describe"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# A single-choice attribute the reader derives a respondent's role group or tenure from,
# tried in this order on the question text (the tenure question often says "role" too).
_ATTRIBUTE_PATTERNS = (
    ("years_in_role", re.compile(r"\bhow long\b|\byears?\b", re.IGNORECASE)),
    ("organisation_type", re.compile(r"\borgani[sz]ation", re.IGNORECASE)),
    ("job_title", re.compile(r"\brole\b|\bjob\b|\bposition\b", re.IGNORECASE)),
)
_MAX_CHOICES = re.compile(r"\b(?:up to|at most|no more than|maximum of)\s+(\d+)\b", re.IGNORECASE)
# Answers outside any scale's order ("Don't know"): kept, after the ordered points.
_OFF_SCALE = re.compile(r"^(n/?a|not applicable|don'?t know|not sure|prefer not to say)$")
# SmartSurvey's "Other (please specify)" column; not an item such as "Other agencies".
_OTHER = re.compile(r"^other(\s*\(.*\)|\s*[-:,].*specify.*)?$")
# A point that starts by saying no ("Not aware", "Never") is put first in an unknown scale.
_NEGATIVE = re.compile(r"^(not|never|no|none)\b")
# A single-choice question's answers repeat; free text rarely does, and runs longer.
_MAX_OPTIONS = 30
_MAX_OPTION_LENGTH = 120


@dataclass
class DraftQuestion:
    """One drafted map entry and the notes the researcher should read beside it."""

    id: str
    text: str
    type: str
    column: str
    attribute: str | None = None
    options: list[str] = field(default_factory=list)
    other: bool = False
    max_choices: int | None = None
    items: list[tuple[str, str]] = field(default_factory=list)  # (id, label)
    scale: list[str] = field(default_factory=list)
    neutral: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_entry(self) -> dict[str, Any]:
        """The entry as ``question_map.yml`` holds it (keys in the README's order)."""
        entry: dict[str, Any] = {"id": self.id, "text": self.text, "type": self.type}
        if self.attribute:
            entry["attribute"] = self.attribute
        if self.max_choices is not None:
            entry["max_choices"] = self.max_choices
        if self.type == "grid":
            entry["scale"] = list(self.scale)
            if self.neutral:
                entry["neutral"] = self.neutral
            entry["items"] = [{"id": i, "label": label} for i, label in self.items]
        elif self.type in ("single", "multi"):
            entry["options"] = list(self.options)
            if self.other:
                entry["other"] = True
        return entry


def known_scales() -> list[dict[str, Any]]:
    """The ordered scales the draft recognises: ``points`` (negative to positive), ``neutral``."""
    text = resources.files("evstudy").joinpath("templates/survey_scales.yml").read_text("utf-8")
    return [
        {"points": [str(p) for p in s["points"]], "neutral": s.get("neutral")}
        for s in yaml.safe_load(text)["scales"]
    ]


def _slug(text: str, *, words: int = 3) -> str:
    tokens = re.findall(r"[a-z0-9]+", re.sub(r"'[a-z]*", "", norm_text(text)))
    found = [w for w in tokens if w not in _STOPWORDS]
    slug = "_".join(found[:words])
    return slug if slug and slug[0].isalpha() else ""


def _unique(wanted: str, taken: set[str], fallback: str) -> str:
    base = wanted or fallback
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def _first_seen(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(norm_text(value), value)
    return list(seen.values())


def _order_scale(values: list[str], scales: list[dict[str, Any]]) -> tuple[list[str], str | None]:
    """The scale points in order (and the neutral point) when ``values`` fit a known scale;
    otherwise the values as first seen and None."""
    on_scale = [v for v in values if not _OFF_SCALE.match(norm_text(v))]
    off = [v for v in values if _OFF_SCALE.match(norm_text(v))]
    wanted = {norm_text(v) for v in on_scale}
    fits = [s for s in scales if wanted and wanted <= {norm_text(p) for p in s["points"]}]
    if not fits:
        return sorted(values, key=lambda v: not _NEGATIVE.match(norm_text(v))), None
    best = min(fits, key=lambda s: len(s["points"]))
    return [*best["points"], *off], best["neutral"]


def draft_questions(path: str | Path, *, label: str | None = None) -> list[DraftQuestion]:
    """Draft one question-map entry per question block of a SmartSurvey export.

    Parameters
    ----------
    path : str or Path
        The export, ``.csv`` or ``.xlsx`` (first sheet).
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    list of DraftQuestion
        In export order.

    Raises
    ------
    InputError
        When the file cannot be read, has no second header line, or holds no question.
    """
    sheet = read_sheet(path, label)
    width = max((c + 1 for r in sheet.rows for c, v in enumerate(r) if not is_blank(v)), default=0)
    sheet = Sheet(sheet.file, sheet.kind, tuple(r[:width] for r in sheet.rows), sheet.numbers)
    if len(sheet.rows) < 2:
        raise InputError(
            sheet.file,
            "",
            "the export has no second header line (the column sub-labels)",
            "export the responses again from SmartSurvey, with its three header lines",
        )
    head = [export_text(c) for c in sheet.rows[0]]
    subs = [export_text(c) for c in sheet.rows[1]]
    data = [cells for _, cells in sheet.records(first=3)] if len(sheet.rows) > 3 else []
    scales = known_scales()
    starts = [c for c, h in enumerate(head) if h is not None] + [len(head)]
    questions: list[DraftQuestion] = []
    ids: set[str] = set()
    attributes: set[str] = set()
    for start, stop in itertools.pairwise(starts):
        text = head[start] or ""
        if norm_text(text).replace(" ", "") in _METADATA:
            continue
        column = f"column {column_letter(start)} ({start + 1})"
        qid = _unique(_slug(text), ids, f"q{len(questions) + 1}")
        question = _draft_block(text, range(start, stop), subs, data, scales, qid, column)
        if question.type == "single":
            for attribute, pattern in _ATTRIBUTE_PATTERNS:
                if attribute not in attributes and pattern.search(text):
                    question.attribute = attribute
                    attributes.add(attribute)
                    break
        questions.append(question)
    if not questions:
        raise InputError(
            sheet.file,
            f"{sheet.kind} {sheet.numbers[0]}",
            "no question text was found on the first header line",
            "give the SmartSurvey export as downloaded (question texts on line 1)",
        )
    return questions


def _draft_block(
    text: str,
    cols: range,
    subs: list[str | None],
    data: list[tuple[Any, ...]],
    scales: list[dict[str, Any]],
    qid: str,
    column: str,
) -> DraftQuestion:
    """One block's entry, from its sub-labels and the answers in its columns."""
    labelled, answer, other = [], None, False
    for c in cols:
        sub = norm_text(subs[c])
        if sub in ("answer", "") and answer is None and not labelled:
            answer = c
        elif _OTHER.match(sub):
            other = True
        else:
            labelled.append(c)

    def cells(c: int) -> list[str]:
        return [v for v in (export_text(row[c]) for row in data) if v is not None]

    question = DraftQuestion(qid, text, "text", column)
    if labelled:
        # A ticked cell of a tick-all question holds its column's own label.
        ticked = all(norm_text(v) == norm_text(subs[c]) for c in labelled for v in cells(c))
        answered = [v for c in labelled for v in cells(c)]
        if ticked:
            question.type = "multi"
            question.options = [subs[c] or "" for c in labelled]
            question.other = other
            found = _MAX_CHOICES.search(text)
            question.max_choices = int(found.group(1)) if found else None
            if not answered:
                question.notes.append(
                    "no answers to tell a tick-all question from a grid: "
                    "if it is a grid, set type: grid with items and a scale"
                )
            return question
        question.type = "grid"
        taken: set[str] = set()
        question.items = [
            (_unique(_slug(subs[c] or ""), taken, f"item{n}"), subs[c] or "")
            for n, c in enumerate(labelled, 1)
        ]
        question.scale, question.neutral = _order_scale(_first_seen(answered), scales)
        if question.neutral is None and question.scale:
            question.notes.append(
                "the scale is in the order its labels first appear in the answers (those "
                "starting 'not' or 'never' first): put it in order from negative to "
                "positive, add any point nobody chose, and set "
                "neutral: to its middle point if it has one"
            )
        return question
    values = cells(answer) if answer is not None else []
    if other:
        values = [v for v in values if not norm_text(v).startswith("other")]
    options = _first_seen(values)
    repeats = len(options) <= max(1, len(values) // 2)
    short = all(len(v) <= _MAX_OPTION_LENGTH for v in options)
    if other or (values and repeats and short and len(options) <= _MAX_OPTIONS):
        question.type = "single"
        question.options, question.other = options, other
        question.notes.append(
            "options are the answers given, in the order first seen: put them in the "
            "questionnaire's order and add any option nobody chose"
        )
    elif not values:
        question.notes.append(
            "nobody answered yet: if this is a choice question, set type: single and list "
            "its options"
        )
    return question


HEADER = """\
# DRAFT question map, written by `evstudy init --survey` from {name}.
# Check every entry against the questionnaire before you ingest:
#   - id: a short name of your choice (letters, digits, _); coding sheets and study.yml use it
#   - type: single, multi (tick all), grid (Likert rows) or text, as detected
#   - options: the answers seen in the export; order them as the questionnaire does and add
#     any that nobody chose; `other: true` when the block has an "Other (please specify)" column
#   - scale: a grid's points from negative to positive; `neutral:` its middle point, if any
#   - attribute: job_title, organisation_type, site or years_in_role on the single-choice
#     questions that say who the respondent is (role groups come from job_title and
#     organisation_type, through study.yml's rules); mark the question naming the site
#   - code: link an option or grid item to a codebook code, e.g.
#       options: [{{label: Lack of time, code: barrier.time}}]
#     This is the only way survey answers are paired with a theme in the report.
# `evstudy check` then reads the export with this map and names anything that does not match.
"""


def draft_question_map(path: str | Path, *, label: str | None = None) -> str:
    """The text of a draft ``question_map.yml`` for a SmartSurvey export.

    Parameters
    ----------
    path : str or Path
        The export, ``.csv`` or ``.xlsx``.
    label : str, optional
        How messages and the header comment name the file; defaults to its name.

    Returns
    -------
    str
        YAML with a header comment saying what to check, and a comment above each question
        naming its column in the export and anything the draft could not tell. The same
        export always gives the same text.

    Raises
    ------
    InputError
        As :func:`draft_questions`.
    """
    name = label or Path(path).name
    lines = [HEADER.format(name=name), "questions:"]
    for question in draft_questions(path, label=label):
        notes = [f"from {question.column}: detected {question.type}"]
        if question.type == "single" and question.attribute is None:
            notes.append("attribute: site? if this question names the respondent's site")
        notes += question.notes
        lines += [f"# {note}" for note in notes]
        dumped = yaml.safe_dump(
            [question.as_entry()], sort_keys=False, allow_unicode=True, width=100
        )
        lines.append(dumped.rstrip("\n"))
    return "\n".join(lines) + "\n"
