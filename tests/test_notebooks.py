"""The report notebooks: parameterised, committed clean, thin, and running on the demo."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
REPORT = {
    "survey": {"processed": None, "figures": None},
    "site_case_study": {"processed": None, "figures": None, "site": None},
    "synthesis": {"processed": None, "figures": None},
}
# The researcher's starting point: not part of the report, but held to the same rules.
PARAMETERS = {**REPORT, "explore": {"processed": None, "site": None}}
MAX_STATEMENTS = 15  # "thin": a cell loads, calls library functions and shows the result
IPYTHON_MAGIC = re.compile(r"^\s*[%!].*$", re.M)


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def _code_cells(nb: nbformat.NotebookNode) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_first_code_cell_is_the_parameters_cell_with_defaults(name):
    first = _code_cells(_read(name))[0]
    assert "parameters" in first.metadata.get("tags", [])
    namespace: dict = {}
    exec(first.source, namespace)  # plain assignments only
    assert {k: namespace[k] for k in PARAMETERS[name]} == PARAMETERS[name]
    assert set(namespace) - {"__builtins__"} == set(PARAMETERS[name])


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_committed_without_outputs_or_execution_counts(name):
    cells = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())["cells"]
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"cell {i}"


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_cells_are_thin(name):
    for i, cell in enumerate(_code_cells(_read(name))):
        tree = ast.parse(IPYTHON_MAGIC.sub("", cell.source))
        nodes = list(ast.walk(tree))
        logic = [
            n
            for n in nodes
            if isinstance(
                n,
                ast.FunctionDef
                | ast.AsyncFunctionDef
                | ast.ClassDef
                | ast.For
                | ast.While
                | ast.ListComp
                | ast.DictComp
                | ast.SetComp
                | ast.GeneratorExp
                | ast.Lambda,
            )
        ]
        assert not logic, f"{name} cell {i}: move {type(logic[0]).__name__} into src/evstudy"
        statements = [n for n in nodes if isinstance(n, ast.stmt)]
        assert len(statements) <= MAX_STATEMENTS, f"{name} cell {i}: {len(statements)} statements"


@pytest.mark.parametrize("name", sorted(REPORT))
def test_report_parts_are_tagged_with_known_parts(name):
    from evstudy.build.export import APPENDICES, PARTS, report_parts

    parts = report_parts(_read(name))
    assert set(parts) <= {*PARTS, *(f"appendix:{a}" for a in APPENDICES)}
    if name != "site_case_study":  # site pages stand alone; the others feed index.html
        assert parts


def test_the_synthesis_notebook_fills_every_part_and_appendix_but_the_survey():
    from evstudy.build.export import APPENDICES, PARTS, report_parts

    parts = report_parts(_read("synthesis"))
    assert [p for p in parts if ":" not in p] == list(PARTS)  # in the report's order
    assert {p for p in parts if ":" in p} == {f"appendix:{a}" for a in APPENDICES} - {
        "appendix:survey"
    }
    assert set(report_parts(_read("survey"))) == {"appendix:survey"}


def test_every_prose_section_goes_through_the_researchers_text():
    sources = "\n".join(c.source for c in _code_cells(_read("synthesis")))
    for key in (
        "executive_summary",
        "background",
        "methods",
        "discussion",
        "limitations",
        "recommendations",
    ):
        assert f'prose.section(study, "{key}"' in sources, key
    assert "key_findings(" in sources  # findings/<rq_id>, one per research question


def test_site_quotes_never_show_the_pseudonym_column():
    sources = "\n".join(c.source for c in _code_cells(_read("site_case_study")))
    assert "participant_id" not in sources
    assert 'by="site' not in sources and "by='site" not in sources  # no survey breakdown by site


def _execute(name: str, parameters: dict) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = _read(name)
    first = _code_cells(nb)[0]
    first.source = "\n".join(f"{key} = {value!r}" for key, value in parameters.items())
    NotebookClient(nb, kernel_name="python3", timeout=300, record_timing=False).execute()
    return nb


def _outputs(nb: nbformat.NotebookNode) -> list:
    return [o for c in _code_cells(nb) for o in c.outputs]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REPORT))
def test_notebook_runs_on_the_demo(name, demo_processed, demo_study, tmp_path):
    parameters = {"processed": str(demo_processed), "figures": str(tmp_path / "figures")}
    if name == "site_case_study":
        parameters["site"] = "S03"
    nb = _execute(name, parameters)
    outputs = _outputs(nb)
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    html = "\n".join(o.get("data", {}).get("text/html", "") for o in outputs)
    text = "\n".join(o.get("data", {}).get("text/markdown", "") for o in outputs)
    # Every image is shown through report.figure, so each carries real alt text.
    images = re.findall(r"<img\b[^>]*>", html)
    assert all(re.search(r'\balt="[^"]{20,}"', image) for image in images)
    assert not [o for o in outputs if "image/png" in o.get("data", {})]
    # No pseudonym reaches a published page.
    words = re.sub(r"data:image/png;base64,[^\"]*", "", html) + text
    assert not re.search(r"\bP\d{3}\b", words)
    if name == "survey":
        saved = sorted(p.name for p in (tmp_path / "figures").glob("*.png"))
        assert "survey__barriers.png" in saved
        assert len(images) == len(saved)  # every standard chart is shown, each once
        assert f"{len(demo_study.survey_respondents)} people responded" in text
    if name == "site_case_study":
        assert "Saltmere (S03)" in text and "**mainly reactive commissioning**" in text
        # one section per theme of the codebook, headed by its label
        for label in demo_study.codebook.loc[demo_study.codebook["parent_id"].isna(), "label"]:
            assert f"## {label}" in text
        assert "Saltmere" in html  # published attributions name the site
    if name == "synthesis":
        assert "Four of 9 local authorities describe mainly reactive commissioning" in text
        assert text.count("### Research question") == 5
        for heading in (
            "## Executive summary",
            "## Background and aims",
            "## Methods",
            "## Discussion",
            "## Limitations",
            "## Recommendations",
            "## Notebook runs",  # the provenance appendix
        ):
            assert heading in text


@pytest.mark.slow
@pytest.mark.parametrize("name", ["site_case_study", "explore"])
def test_a_mistyped_site_parameter_gets_the_api_error(name, demo_processed):
    from nbclient.exceptions import CellExecutionError

    parameters = {**PARAMETERS[name], "processed": str(demo_processed), "site": "Saltmre"}
    with pytest.raises(CellExecutionError) as info:
        _execute(name, parameters)
    message = re.sub(r"\x1b\[[0-9;]*m", "", str(info.value))  # the traceback's colours
    assert "KeyError" not in message
    assert "ValueError: `site` must be one of the study's 9 local authorities (S01 " in message
    assert "but 'Saltmre' was passed; did you mean 'Saltmere' (S03)?" in message
