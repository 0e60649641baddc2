"""The REFI-QDA export (evstudy.qdpx.write): valid against the standard's schema, with cases.

Every project evstudy writes here is validated with lxml against ``Project.xsd`` from
``../shared/fixtures/refi-qda`` (REFI, QDA-XML 1.0): the demo's, the second study's and
hand-built studies full of awkward characters. The cases and their variables are checked
against the study's own tables, read independently of the module under test.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from evstudy import load_study
from evstudy.ingest import TABLES, ingest
from evstudy.privacy import read_identity_key
from evstudy.qdpx import export_qdpx, read_qdpx
from evstudy.study import Study

etree = pytest.importorskip("lxml.etree")

ROOT = Path(__file__).resolve().parents[2]
SECOND = ROOT / "tests" / "fixtures" / "studies" / "second_study"
NS = {"q": "urn:QDA-XML:project:1.0"}
METHODS = {"interview": "Interview", "focus_group": "Focus group"}


@pytest.fixture(scope="module")
def schema(shared_dir):
    return etree.XMLSchema(etree.parse(str(shared_dir / "fixtures" / "refi-qda" / "Project.xsd")))


def _errors(schema, path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        document = etree.fromstring(archive.read("project.qde"))
    schema.validate(etree.ElementTree(document))
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def _qde(path: Path):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def _cases(root) -> dict[str, dict]:
    """Case name -> {variable name: value text, "sources": sorted source names}."""
    variables = {v.get("guid"): v.get("name") for v in root.iterfind("q:Variables/q:Variable", NS)}
    sources = {s.get("guid"): s.get("name") for s in root.iterfind("q:Sources/q:TextSource", NS)}
    found = {}
    for case in root.iterfind("q:Cases/q:Case", NS):
        values = {}
        for held in case.iterfind("q:VariableValue", NS):
            name = variables[held.find("q:VariableRef", NS).get("targetGUID")]
            values[name] = held[1].text
        refs = [r.get("targetGUID") for r in case.iterfind("q:SourceRef", NS)]
        values["sources"] = sorted(sources[g] for g in refs)
        found[case.get("name")] = values
    return found


@pytest.fixture(scope="module")
def second(tmp_path_factory):
    out = tmp_path_factory.mktemp("second-qdpx")
    ingest(SECOND, out / "processed", key_dir=out / "keys")
    return load_study(out / "processed"), out / "keys"


@pytest.fixture(scope="module", params=["demo", "second"])
def built(request, demo_raw, demo_processed, tmp_path_factory):
    """(raw folder, study, key folder, its export) for the demo and for the second study."""
    if request.param == "demo":
        study = load_study(demo_processed)
        raw, keys = demo_raw, demo_processed.parent / "keys"
    else:
        study, keys = request.getfixturevalue("second")
        raw = SECOND
    out = export_qdpx(study, tmp_path_factory.mktemp("export") / f"{request.param}.qdpx")
    return raw, study, keys, out


@pytest.mark.slow
@pytest.mark.shared
def test_every_study_export_validates_against_the_refi_qda_schema(schema, built):
    *_, out = built
    assert _errors(schema, out) == []


@pytest.mark.slow
def test_the_project_is_named_by_the_title_in_study_yml(built):
    raw, _, _, out = built
    title = yaml.safe_load((raw / "study.yml").read_text(encoding="utf-8"))["study"]["title"]
    assert _qde(out).get("name") == title != "evstudy study"


@pytest.mark.slow
def test_one_case_per_participant_with_the_study_tables_values(built):
    raw, study, _, out = built
    cases = _cases(_qde(out))
    people = study.participants.set_index("participant_id")
    assert sorted(cases) == sorted(people.index)
    # Read independently: sites.csv for names, study.yml for the role-group labels.
    sites = pd.read_csv(raw / "sites.csv", dtype=str).set_index("site_id")
    config = yaml.safe_load((raw / "study.yml").read_text(encoding="utf-8"))
    labels = config["role_groups"]["labels"]
    noun = config["study"].get("site_noun", "site")
    site, site_id = noun[0].upper() + noun[1:], noun[0].upper() + noun[1:] + " ID"
    spoken = {
        pid: sorted(set(found["doc_id"]))
        for pid, found in study.turns.dropna(subset=["participant_id"]).groupby("participant_id")
    }
    with_site = 0
    for pid, row in people.iterrows():
        case = cases[pid]
        if pd.isna(row["site_id"]):
            assert site not in case and site_id not in case and "region" not in case
        else:
            with_site += 1
            assert case[site_id] == row["site_id"]
            assert case[site] == sites.loc[row["site_id"], "site_name"]
            region = sites.loc[row["site_id"], "region"]
            assert case.get("region") == (None if pd.isna(region) else region)
        assert case["Role group"] == labels[row["role_group"]]
        organisation = row["organisation_type"]
        assert case.get("Organisation type") == (None if pd.isna(organisation) else organisation)
        assert case["Method"] == "; ".join(
            METHODS.get(m, m.replace("_", " ").capitalize()) for m in row["methods"].split("; ")
        )
        assert case["sources"] == spoken.get(pid, [])
    assert with_site > len(people) // 2
    # Documents are linked: every transcript a participant speaks in is some case's source.
    linked = {doc for case in cases.values() for doc in case["sources"]}
    assert linked == set(study.turns.dropna(subset=["participant_id"])["doc_id"])


@pytest.mark.slow
def test_site_attributes_keep_their_types(built):
    raw, study, _, out = built
    root = _qde(out)
    types = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", NS)}
    assert types["imd_decile"] == "Integer" and types["foundations_partner"] == "Boolean"
    assert types["Role group"] == "Text"
    # yes/no in sites.csv; true/false in the schema's xsd:boolean.
    sites = pd.read_csv(raw / "sites.csv", dtype=str).set_index("site_id")
    cases = _cases(root)
    placed = study.participants.dropna(subset=["site_id"])
    for pid, site_id in placed[["participant_id", "site_id"]].itertuples(index=False):
        flag = sites.loc[site_id, "foundations_partner"]
        expected = {"yes": "true", "no": "false", "True": "true", "False": "false"}[flag]
        assert cases[pid]["foundations_partner"] == expected
        decile = sites.loc[site_id, "imd_decile"]
        assert cases[pid].get("imd_decile") == (None if pd.isna(decile) else str(int(decile)))


@pytest.mark.slow
def test_the_export_carries_pseudonyms_and_never_a_name(built):
    _, study, keys, out = built
    key = read_identity_key(keys)
    names = {name for _, name, _ in key.rows}
    emails = {email for _, _, email in key.rows}
    assert len(names) >= len(study.participants)
    with zipfile.ZipFile(out) as archive:
        text = "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    assert not [n for n in names | emails if n in text]
    pseudonyms = {pid for pid, _, _ in key.rows}
    assert set(_cases(_qde(out))) <= pseudonyms


@pytest.mark.slow
def test_the_second_study_exports_the_same_bytes_twice(second, tmp_path):
    study, _ = second
    first = export_qdpx(study, tmp_path / "a.qdpx").read_bytes()
    assert export_qdpx(study, tmp_path / "b.qdpx").read_bytes() == first


@pytest.mark.slow
def test_the_reader_still_reads_an_export_with_cases(built):
    _, study, _, out = built
    project = read_qdpx(out)
    assert len(project.sources) == len(study.documents)
    assert len(project.codings) == len(study.codings)


# -- hand-built studies -------------------------------------------------------------------


def _study(**tables: pd.DataFrame) -> Study:
    """A Study of the given tables, every other table empty."""
    report = tables.pop("report", {})
    return Study(
        Path("p"), **{n: tables.get(n, pd.DataFrame()) for n in TABLES}, ingest_report=report
    )


AWKWARD = "“Curly” ‘quotes’, £5, café, naïve 🎉 and a tab\there"


def _awkward_study() -> Study:
    text = f"Q: {AWKWARD}\nA: 👩‍⚕️ said it costs £10 — résumé.\n"
    return _study(
        sites=pd.DataFrame(
            {
                "site_id": ["A", "B"],
                "site_name": ["Ærøskøbing 🏝", "Saint-Étienne “Nord”"],
                "density": [0.00001, 2.5],
                "schools": pd.array([3, None], dtype="Int64"),
                "pilot": [True, False],
                "notes": ["", None],
            }
        ),
        participants=pd.DataFrame(
            {
                "participant_id": ["P2", "P1", "P3"],
                "site_id": ["B", "A", None],
                "role_group": ["lead", "staff", "staff"],
                "organisation_type": ["École “privée”", None, "Trust £"],
                "methods": ["interview; focus_group", "interview", "survey"],
            }
        ),
        documents=pd.DataFrame({"doc_id": ["D1", "D2"], "text": [text, text]}),
        turns=pd.DataFrame(
            {
                "doc_id": ["D1", "D1", "D2", "D2"],
                "participant_id": [None, "P1", "P1", "P2"],
            }
        ),
        codebook=pd.DataFrame({"code_id": ["t"], "label": ["Thème 🎯"], "parent_id": [None]}),
        codings=pd.DataFrame(
            {
                "doc_id": ["D1"],
                "start": [3],
                "end": [10],
                "coding_id": ["K1"],
                "code_id": ["t"],
                "coder": ["Zoë"],
                "memo": ["a memo with \x07 a bell"],
            }
        ),
        report={
            "title": f"Évaluation {AWKWARD}",
            "role_group_labels": {"lead": "Lead “senior” 🎓", "staff": "Staff"},
            "site_noun": "école",
        },
    )


@pytest.mark.shared
def test_an_export_full_of_awkward_characters_validates_and_keeps_them(schema, tmp_path):
    out = export_qdpx(_awkward_study(), tmp_path / "awkward.qdpx")
    assert _errors(schema, out) == []
    root = _qde(out)
    assert root.get("name") == f"Évaluation {AWKWARD}"
    cases = _cases(root)
    assert list(cases) == ["P1", "P2", "P3"]  # sorted by pseudonym
    assert cases["P1"] == {
        "École": "Ærøskøbing 🏝",
        "École ID": "A",
        "Role group": "Staff",
        "Method": "Interview",
        "density": "0.00001",  # xsd:decimal has no exponent
        "schools": "3",
        "pilot": "true",
        "sources": ["D1", "D2"],
    }
    assert cases["P2"] == {
        "École": "Saint-Étienne “Nord”",
        "École ID": "B",
        "Role group": "Lead “senior” 🎓",
        "Method": "Interview; Focus group",
        "Organisation type": "École “privée”",
        "density": "2.5",
        "pilot": "false",
        "sources": ["D2"],
    }
    # No site, no document: the case is there with what is known.
    assert cases["P3"] == {
        "Role group": "Staff",
        "Method": "Survey free text",
        "Organisation type": "Trust £",
        "sources": [],
    }
    types = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", NS)}
    assert types == {
        "École": "Text",
        "École ID": "Text",
        "Role group": "Text",
        "Method": "Text",
        "Organisation type": "Text",
        "density": "Float",
        "schools": "Integer",
        "pilot": "Boolean",
    }  # "notes" is blank everywhere: no variable
    assert export_qdpx(_awkward_study(), tmp_path / "again.qdpx").read_bytes() == out.read_bytes()


@pytest.mark.shared
def test_a_study_without_participants_or_codings_still_validates(schema, tmp_path):
    columns = ["doc_id", "start", "end", "code_id", "coder", "coding_id", "memo"]
    bare = _study(
        documents=pd.DataFrame({"doc_id": ["D1"], "text": ["Just text."]}),
        codings=pd.DataFrame(columns=columns),
        codebook=pd.DataFrame(columns=["code_id", "label", "parent_id"]),
    )
    out = export_qdpx(bare, tmp_path / "bare.qdpx")
    assert _errors(schema, out) == []
    root = _qde(out)
    assert root.get("name") == "evstudy study"  # no title to name it by
    for empty in ("Users", "CodeBook", "Variables", "Cases"):
        assert root.find(f"q:{empty}", NS) is None
    assert len(read_qdpx(out).sources) == 1


@pytest.mark.shared
def test_a_schema_error_is_caught_by_the_check(schema, tmp_path):
    # The validation can fail: a Case without its guid is refused.
    out = export_qdpx(_awkward_study(), tmp_path / "awkward.qdpx")
    with zipfile.ZipFile(out) as archive:
        qde = archive.read("project.qde").replace(b'<Case guid="', b'<Case id="', 1)
    broken = tmp_path / "broken.qdpx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("project.qde", qde)
    assert any("guid" in e for e in _errors(schema, broken))
