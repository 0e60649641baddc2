"""No literal of the demo study outside its generator.

The demo's raw folder is one study among many: its code ids, question and item ids, site
ids and names, labels, research-question wording and the sponsor's names must come from
the study's files, never from src/evstudy (outside synth/) or the notebooks. This test
reads the demo's codebook, question map, site table and study.yml, parses every module and
every notebook code cell with ``ast``, and checks each string constant that is not a
docstring: equal to an id, or containing a multi-word label, a research question's
wording or a site name. One test per file, so that the failure lists ``file:line: literal``.
"""

from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SOURCES = sorted(p for p in (ROOT / "src" / "evstudy").rglob("*.py") if "synth" not in p.parts)
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# Words of the sponsor and the demo that no study-independent code may carry.
FORBIDDEN = ("WWCSC", "EIF", "Practice Guide", "Evidence Store", "Foundations", "S01")

# Ids that are also ordinary words or names of evstudy's own columns and parameters; each
# with the reason it may appear as a string.
ALLOWED_IDS = {
    "barrier": "a valence of the codebook schema (valence: barrier | enabler)",
    "enabler": "a valence of the codebook schema",
    "comb": "the codebook's COM-B column (comb:)",
    "site": "evstudy's unit of analysis and the question map's site attribute",
}
# Ids allowed in one file only, where the word means something of evstudy's own.
ALLOWED_IN_FILE = {
    ("src/evstudy/io/_speakers.py", "expert"): "a role word of transcript legends ('EX – expert')",
    ("src/evstudy/io/_speakers.py", "practitioner"): "a role word of transcript legends",
    ("src/evstudy/io/register.py", "organisation"): "the register's Organisation column",
}
# Multi-word labels and phrases that are also evstudy's own wording.
ALLOWED_PHRASES = {
    "COM-B barriers and enablers": (
        "COM-B is the framework evstudy maps barriers and enablers to; the demo's research "
        "question 2 happens to be titled with the framework's name"
    ),
    "Case studies": "the site pages are case studies",
    "Commissioner": "a single word; only ids are matched whole",
}


def _demo_literals() -> tuple[set[str], set[str], set[str]]:
    """(ids matched whole, phrases matched inside a string, names matched as words)."""
    ids: set[str] = set()
    phrases: set[str] = set()
    names: set[str] = set()
    book = yaml.safe_load((RAW / "codebook.yml").read_text(encoding="utf-8"))
    for code in book["codes"]:
        ids.add(str(code["id"]))
        phrases.add(str(code["label"]))
    qmap = yaml.safe_load((RAW / "survey" / "question_map.yml").read_text(encoding="utf-8"))
    for question in qmap["questions"]:
        ids.add(str(question["id"]))
        for item in question.get("items", []) or []:
            ids.add(str(item["id"]))
            phrases.add(str(item["label"]))
        for option in question.get("options", []) or []:
            phrases.add(str(option["label"] if isinstance(option, dict) else option))
    with (RAW / "sites.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            ids.add(row["site_id"])
            names.add(row["site_name"])
    study = yaml.safe_load((RAW / "study.yml").read_text(encoding="utf-8"))
    for rq in study.get("research_questions", []):
        phrases.update([str(rq["title"]), str(rq["text"])])
    for analysis in study.get("analyses", []):
        if analysis.get("title"):
            phrases.add(str(analysis["title"]))
    # The role groups are the study's own too: a role-group id in code (say "expert") breaks
    # a study whose rules name its groups otherwise.
    for group, label in study["role_groups"]["labels"].items():
        ids.add(str(group))
        phrases.add(str(label))
    ids -= set(ALLOWED_IDS)
    # A one-word label is checked as an id: "Police" or "Commissioner" are ordinary words.
    words = {p for p in phrases if " " not in p.strip()}
    phrases = {p for p in phrases - words if p not in ALLOWED_PHRASES}
    ids |= {w for w in words if w not in ALLOWED_PHRASES and w.lower() not in ALLOWED_IDS}
    return ids, phrases, names


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _strings(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    skip = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def offenders(strings: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The (line, literal) pairs that carry a demo literal."""
    ids, phrases, names = _literals()
    found = []
    for line, value in strings:
        text = value.strip()
        hit = None
        if text in ids:
            hit = text
        else:
            hit = next((p for p in phrases if p in value), None)
            hit = hit or next((n for n in names if re.search(rf"\b{re.escape(n)}\b", value)), None)
            hit = hit or next(
                (w for w in FORBIDDEN if re.search(rf"(?<![A-Za-z]){re.escape(w)}", value)), None
            )
        if hit:
            found.append((line, hit))
    return found


_CACHE: dict = {}


def _literals() -> tuple[set[str], set[str], set[str]]:
    if "literals" not in _CACHE:
        _CACHE["literals"] = _demo_literals()
    return _CACHE["literals"]


def _notebook_strings(path: Path) -> list[tuple[int, str]]:
    nb = nbformat.read(path, as_version=4)
    out = []
    for number, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        source = re.sub(r"^\s*[%!].*$", "", cell.source, flags=re.M)
        # The line is given as cell number * 1000 + line, so a message points at the cell.
        out += [(number * 1000 + line, value) for line, value in _strings(source)]
    return out


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_demo_literal_in_module(path):
    where = path.relative_to(ROOT)
    found = [
        (line, hit)
        for line, hit in offenders(_strings(path.read_text(encoding="utf-8")))
        if (str(where), hit) not in ALLOWED_IN_FILE
    ]
    assert not found, "demo literals:\n" + "\n".join(f"{where}:{n}: {v!r}" for n, v in found)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_demo_literal_in_notebook_code(path):
    found = offenders(_notebook_strings(path))
    where = path.relative_to(ROOT)
    assert not found, "demo literals (cell*1000+line):\n" + "\n".join(
        f"{where}:cell {n // 1000} line {n % 1000}: {v!r}" for n, v in found
    )


def test_the_check_catches_each_kind_of_literal():
    ids, _, names = _literals()
    assert "Saltmere" in names
    assert "approach.reactive" in ids and "guide_formats" in ids and "S03" in ids
    cases = [
        (1, "approach.reactive"),  # a code id
        (2, "toolkits"),  # a question id
        (3, "see the Public Health Outcomes Framework here"),  # a multi-word label inside
        (4, "Saltmere's page"),  # a site name as a word
        (5, "the legacy EIF Guidebook"),  # a sponsor's name
        (6, "barrier"),  # allowed: a valence
        (7, "a site"),  # an ordinary phrase
    ]
    assert [n for n, _ in offenders(cases)] == [1, 2, 3, 4, 5]


def test_docstrings_are_not_checked_but_other_strings_are():
    doc = '    """Uses approach.reactive in an example."""\n'
    source = "def f():\n" + doc + '    return "approach.reactive"\n'
    assert offenders(_strings(source)) == [(3, "approach.reactive")]


def test_the_check_finds_each_kind_of_literal():
    """The test above can fail: a question id, a role-group id, a code label inside a
    sentence, a site name and a sponsor word are each found, and ordinary text is not."""
    phrases = _literals()[1]
    with (RAW / "sites.csv").open(encoding="utf-8") as handle:
        site = next(csv.DictReader(handle))["site_name"]
    label = sorted(phrases)[0]
    strings = [
        (1, "barriers"),
        (2, "expert"),
        (3, f"Participants spoke of {label} often."),
        (4, f"At {site} we saw"),
        (5, "the EIF view"),
        (6, "an ordinary sentence about sites and codes"),
    ]
    assert [line for line, _ in offenders(strings)] == [1, 2, 3, 4, 5]
