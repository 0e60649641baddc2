"""Codebooks from and for QDA tools: ``evstudy codebook import`` and ``export``."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd
import pytest

from evstudy.cli import main
from evstudy.codebook import read_codebook
from evstudy.errors import InputError, ValidationError
from evstudy.qdpx.codebook import (
    CODEBOOK_NAMESPACE,
    codebook_draft,
    export_qdc,
    read_code_tree,
    write_codebook_draft,
)
from evstudy.qdpx.write import code_guid


def fixture(shared_dir: Path, name: str) -> Path:
    return shared_dir / "fixtures" / "refi-qda" / name


@pytest.mark.parametrize(
    ("name", "n_codes", "max_depth"),
    [
        ("nvivo-mac-15-codebook.qdpx", 262, 6),
        ("qc-1.3.2-demo.qdpx", 262, 6),
        ("atlas-ti-23-codebook.qdpx", 3, 1),
    ],
)
def test_each_real_project_seeds_a_codebook_that_reads(
    shared_dir, tmp_path, capsys, name, n_codes, max_depth
):
    assert main(["codebook", "import", str(fixture(shared_dir, name))]) == 0
    draft = capsys.readouterr().out
    (tmp_path / "codebook.yml").write_text(draft, encoding="utf-8")
    book = read_codebook(tmp_path / "codebook.yml")
    assert len(book) == n_codes and book["depth"].max() == max_depth
    tree = read_code_tree(fixture(shared_dir, name))
    # The same tree: each code's parent is the code above it in the tool, labels are names.
    assert list(book["label"]) == list(tree["name"])
    assert list(book["depth"]) == list(tree["depth"])
    parents = dict(zip(tree["guid"], book["code_id"], strict=True))
    assert list(book["parent_id"].fillna("")) == [parents.get(g, "") for g in tree["parent_guid"]]


def test_atlas_ti_draft_by_hand(shared_dir):
    draft = codebook_draft(fixture(shared_dir, "atlas-ti-23-codebook.qdpx"))
    body = draft.split("version:", 1)[1]
    assert body.startswith(" '0.1'\ncodes:\n- id: commits\n  label: Commits\n  parent: null\n")
    assert "- id: commits.2022_05_10t02_05_59z_19e4dce\n" in body
    assert "  label: 2022-05-10T02:05:59Z 19e4dce\n  parent: commits\n" in body


def test_out_writes_a_new_file_and_never_overwrites(shared_dir, tmp_path, capsys):
    source = fixture(shared_dir, "atlas-ti-23-codebook.qdpx")
    out = tmp_path / "codebook.yml"
    assert main(["codebook", "import", str(source), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == codebook_draft(source)
    out.write_text("version: '1.0'\ncodes: []\n", encoding="utf-8")  # the researcher's work
    assert main(["codebook", "import", str(source), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "the file exists already; evstudy never overwrites a codebook" in error
    assert out.read_text(encoding="utf-8") == "version: '1.0'\ncodes: []\n"
    with pytest.raises(InputError):
        write_codebook_draft(source, out)


BOOK = pd.DataFrame(
    {
        "code_id": ["barrier", "barrier.time", "enabler"],
        "label": ["Barriers", "Time & money <scarce>", "Enablers"],
        "parent_id": [None, "barrier", None],
        "definition": ["What stops it.", "Not enough hours.", None],
        "include": [None, "Rotas", None],
        "exclude": [None, None, None],
        "example": [None, None, None],
    }
)


def test_export_writes_the_tree_with_evstudy_guids_and_reads_back(tmp_path):
    out = export_qdc(BOOK, tmp_path / "book.qdc")
    root = ET.parse(out).getroot()
    assert root.tag == f"{{{CODEBOOK_NAMESPACE}}}CodeBook"
    tree = read_code_tree(out)
    assert list(tree["name"]) == ["Barriers", "Time & money <scarce>", "Enablers"]
    assert list(tree["guid"]) == [code_guid(c) for c in BOOK["code_id"]]
    assert list(tree["depth"]) == [0, 1, 0]
    assert list(tree["description"]) == [
        "What stops it.",
        "Not enough hours.\nInclude: Rotas",
        None,
    ]
    again = export_qdc(BOOK, tmp_path / "again.qdc")
    assert again.read_bytes() == out.read_bytes()  # byte-stable
    draft = codebook_draft(out)
    (tmp_path / "codebook.yml").write_text(draft, encoding="utf-8")
    book = read_codebook(tmp_path / "codebook.yml")
    assert list(book["code_id"]) == ["barriers", "barriers.time_money_scarce", "enablers"]
    assert list(book["definition"])[:2] == ["What stops it.", "Not enough hours.\nInclude: Rotas"]


def assert_valid_codebook(shared_dir: Path, out: Path) -> None:
    """``out`` is valid as the CodeBook element of the REFI-QDA Project schema.

    ../shared has no Codebook.xsd: the .qdc's CodeBook is validated as the Project schema's
    (the .qdc's namespace is the codebook one; the element types are the same).
    """
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(fixture(shared_dir, "Project.xsd"))))
    book = etree.parse(str(out)).getroot()
    project_ns = "urn:QDA-XML:project:1.0"
    for element in book.iter():
        element.tag = element.tag.replace(CODEBOOK_NAMESPACE, project_ns)
    project = etree.Element(f"{{{project_ns}}}Project", name="check", nsmap={None: project_ns})
    project.append(book)
    etree.cleanup_namespaces(project)
    assert schema.validate(project), schema.error_log


def test_export_validates_against_the_codebook_of_the_refi_qda_schema(shared_dir, tmp_path):
    assert_valid_codebook(shared_dir, export_qdc(BOOK, tmp_path / "book.qdc"))


@pytest.mark.slow
def test_cli_exports_the_demo_codebook(demo_processed, demo_study, shared_dir, tmp_path):
    out = tmp_path / "demo.qdc"
    assert main(["codebook", "export", str(out), "--processed", str(demo_processed)]) == 0
    assert_valid_codebook(shared_dir, out)
    tree = read_code_tree(out)
    assert list(tree["guid"]) == [code_guid(c) for c in _tree_order(demo_study.codebook)]


def _tree_order(book: pd.DataFrame) -> list[str]:
    children: dict[object, list[str]] = {}
    for code, parent in zip(book["code_id"], book["parent_id"], strict=True):
        children.setdefault(parent if isinstance(parent, str) and parent else None, []).append(code)
    out: list[str] = []

    def walk(parent: object) -> None:
        for code in children.get(parent, []):
            out.append(code)
            walk(code)

    walk(None)
    return out


# -- bad input ---------------------------------------------------------------------------------


def test_a_qdpx_that_is_not_a_zip_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "project.qdpx"
    path.write_text("this is a text file, not a project", encoding="utf-8")
    assert main(["codebook", "import", str(path)]) == 2
    error = capsys.readouterr().err
    assert "not a readable .qdpx (zip) file" in error and "fix:" in error
    assert "Traceback" not in error


def test_bad_qdc_files_are_clear_errors(tmp_path):
    cases = {
        "not-xml.qdc": ("<CodeBook><Codes>", "not well-formed XML"),
        "project.qdc": ("<Project name='x'/>", "not a REFI-QDA <CodeBook>"),
        "empty.qdc": ("", "the file is empty"),
        "notes.txt": ("hello", "not a REFI-QDA project (.qdpx) or codebook (.qdc)"),
    }
    for name, (text, problem) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as caught:
            read_code_tree(path)
        assert problem in caught.value.problem.problem, name
    with pytest.raises(InputError, match="does not exist"):
        read_code_tree(tmp_path / "missing.qdc")


def test_a_code_without_a_name_is_refused(tmp_path):
    path = tmp_path / "book.qdc"
    path.write_text(
        f'<CodeBook xmlns="{CODEBOOK_NAMESPACE}"><Codes>'
        '<Code guid="11111111-1111-1111-1111-111111111111" name="Theme" isCodable="true">'
        '<Code guid="22222222-2222-2222-2222-222222222222" name=" " isCodable="true"/>'
        "</Code></Codes></CodeBook>",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        codebook_draft(path)
    (problem,) = caught.value.problems
    assert problem.where == "code Theme/(no name)"
    assert "has no name" in problem.problem and "name the code" in problem.fix
