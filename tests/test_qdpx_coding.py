"""A .qdpx in the study's coding/ folder is coding data (evstudy.qdpx.coding, through ingest)."""

from __future__ import annotations

import re
import shutil
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd
import pytest
import yaml

from evstudy.errors import ValidationError
from evstudy.ingest import ingest
from evstudy.qdpx import export_qdpx
from evstudy.qdpx.coding import code_slug, map_codes, match_sources, place_selection
from evstudy.qdpx.read import NAMESPACE
from evstudy.qdpx.write import code_guid

KEY = ["doc_id", "code_id", "coder", "start", "end"]
ROOT = Path(__file__).resolve().parents[1]
SECOND_STUDY = ROOT / "tests" / "fixtures" / "studies" / "second_study"

# -- the pure parts ----------------------------------------------------------------------------

BOOK = pd.DataFrame(
    {
        "code_id": ["barrier", "barrier.time", "enabler", "enabler.time"],
        "label": ["Barriers", "Time", "Enablers", "Time"],
        "parent_id": [None, "barrier", None, "enabler"],
    }
)


def codes(*rows: tuple) -> pd.DataFrame:
    """Project codes from (guid, name, parent_guid, path, description) tuples."""
    columns = ["guid", "name", "parent_guid", "path", "description"]
    return pd.DataFrame(rows, columns=columns)


def test_codes_map_by_id_then_name_then_path_and_the_rest_are_inductive():
    project = codes(
        (code_guid("barrier"), "Obstacles", None, "Obstacles", None),  # evstudy's GUID: the id
        ("g2", "barrier.time", "x", "Obstacles/barrier.time", None),  # the name is an id
        ("g3", "Enablers", None, "Enablers", None),  # a unique label
        ("g4", "Time", "g3", "Enablers/Time", None),  # two codes say Time: the path decides
        ("g5", "Peer networks", "g3", "Enablers/Peer networks", "Learning from peers."),
        ("g6", "Informal / online", "g5", "Enablers/Peer networks/Informal / online", None),
    )
    match = map_codes(project, BOOK, source="coding/x.qdpx")
    assert match.code_ids == {
        code_guid("barrier"): "barrier",
        "g2": "barrier.time",
        "g3": "enabler",
        "g4": "enabler.time",
        "g5": "enabler.peer_networks",
        "g6": "enabler.peer_networks.informal_online",
    }
    new = match.new_codes.to_dict("records")
    assert new[0] == {
        "code_id": "enabler.peer_networks",
        "label": "Peer networks",
        "parent_id": "enabler",
        "definition": "Learning from peers.",
        "origin": "inductive",
        "source": "coding/x.qdpx",
    }
    assert new[1]["parent_id"] == "enabler.peer_networks" and match.nameless == []


def test_a_new_code_never_takes_an_existing_id_and_a_nameless_code_is_listed():
    project = codes(
        ("g1", "Barriers!", None, "Barriers!", None),  # folds to an existing label
        ("g2", "Time off", "g1", "Barriers!/Time off", None),
        ("g3", "  ", "g1", "Barriers!/  ", None),
    )
    book = pd.DataFrame({"code_id": ["barriers"], "label": ["Other"], "parent_id": [None]})
    match = map_codes(project, book, source="f.qdpx")
    # "Barriers!" is not the label of any code and its slug is taken: it gets _2.
    assert list(match.new_codes["code_id"]) == ["barriers_2", "barriers_2.time_off"]
    assert match.nameless == ["Barriers!/(no name)"]
    assert code_slug("Ça va? Déjà-vu") == "ça_va_déjà_vu"


def test_sources_match_documents_by_id_extension_or_unique_file_name():
    found = match_sources(
        ["INT-S01-01", "int-s01-02.txt", "Interview 03.docx", "Interview 04", "Notes", "Dup"],
        ["INT-S01-01", "INT-S01-02", "INT-S01-03", "INT-S02-04", "INT-S03-04"],
        {
            "INT-S01-03": "Interview 03.docx",
            "INT-S02-04": "Interview 04.txt",
            "INT-S03-04": "Interview 04.docx",  # two transcripts share this name: no match
        },
    )
    assert found == {
        "INT-S01-01": "INT-S01-01",
        "int-s01-02.txt": "INT-S01-02",
        "Interview 03.docx": "INT-S01-03",
    }


def test_a_selection_is_placed_by_its_offsets_or_by_its_text():
    text = "P001: We asked [name] about it.\nP002: The budget came late."
    assert place_selection(text, "asked [name]", 9, 21, length=len(text)) == (9, 21)
    # The tool's copy holds the name and other line breaks: found by text.
    assert place_selection(text, "asked Jordan\nabout", 0, 18, length=80) == (9, 27)
    # A leading speaker label the canonical text pseudonymised: the speech is placed.
    at = text.index("The budget")
    assert place_selection(text, "Sam Lee:    The budget came late.", 40, 73, length=80) == (
        at,
        len(text),
    )
    assert place_selection(text, "Nowhere in the text", 0, 19, length=80) is None
    assert place_selection(text, "   ", 0, 3, length=80) is None


# -- through ingest: an export of the demo, coded further "in NVivo" ---------------------------

NEW_USER = "Nadia Okafor"
NEW_CODE = "Peer learning networks"


def _add_inductive_coding(path: Path, demo_study, out: Path) -> list[tuple[str, int, int]]:
    """Add, as a researcher would in a QDA tool, a code under the first theme, a new user and
    three codings by that user; returns the (doc_id, start, end) spans coded."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    ET.register_namespace("", NAMESPACE)
    root = ET.fromstring(members["project.qde"])
    ns = {"q": NAMESPACE}
    user = str(uuid.uuid4())
    ET.SubElement(root.find("q:Users", ns), f"{{{NAMESPACE}}}User", guid=user, name=NEW_USER)
    theme = root.find("q:CodeBook/q:Codes/q:Code", ns)
    code = str(uuid.uuid4())
    new = ET.SubElement(theme, f"{{{NAMESPACE}}}Code", guid=code, name=NEW_CODE, isCodable="true")
    ET.SubElement(new, f"{{{NAMESPACE}}}Description").text = "Learning from other areas."
    turns = demo_study.turns
    picked = turns[turns["participant_id"].notna()].groupby("doc_id").head(1).head(3)
    spans = []
    for turn in picked.itertuples():
        source = root.find(f"q:Sources/q:TextSource[@name='{turn.doc_id}']", ns)
        start, end = int(turn.start), int(turn.start) + min(40, len(turn.text))
        selection = ET.SubElement(
            source,
            f"{{{NAMESPACE}}}PlainTextSelection",
            guid=str(uuid.uuid4()),
            startPosition=str(start),
            endPosition=str(end),
            creatingUser=user,
        )
        coding = ET.SubElement(
            selection, f"{{{NAMESPACE}}}Coding", guid=str(uuid.uuid4()), creatingUser=user
        )
        ET.SubElement(coding, f"{{{NAMESPACE}}}CodeRef", targetGUID=code)
        spans.append((turn.doc_id, start, end))
    members["project.qde"] = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return spans


@pytest.mark.slow
def test_round_trip_adds_the_inductive_code_and_its_three_codings_and_nothing_else(
    demo_raw: Path, demo_study, tmp_path: Path
):
    exported = export_qdpx(demo_study, tmp_path / "export.qdpx")
    raw = tmp_path / "raw"
    shutil.copytree(demo_raw, raw)
    spans = _add_inductive_coding(exported, demo_study, raw / "coding" / "nvivo.qdpx")
    report = ingest(raw, tmp_path / "processed", key_dir=tmp_path / "keys")
    book = pd.read_parquet(tmp_path / "processed" / "codebook.parquet")
    codings = pd.read_parquet(tmp_path / "processed" / "codings.parquet")

    theme = demo_study.codebook["code_id"].iloc[0]
    new = book[book["label"] == NEW_CODE]
    assert len(new) == 1
    row = new.iloc[0]
    assert row["code_id"] == f"{theme}.peer_learning_networks"
    assert (row["origin"], row["parent_id"], row["theme_id"], row["depth"]) == (
        "inductive",
        theme,
        theme,
        1,
    )
    assert (row["source"], row["definition"]) == ("coding/nvivo.qdpx", "Learning from other areas.")
    assert len(book) == len(demo_study.codebook) + 1
    assert set(book["source"]) == {"codebook.yml", "coding/nvivo.qdpx"}

    added = codings[codings["code_id"] == row["code_id"]]
    assert sorted(added[["doc_id", "start", "end"]].itertuples(index=False, name=None)) == sorted(
        spans
    )
    assert set(added["coder"]) == {NEW_USER} and set(added["source"]) == {"coding/nvivo.qdpx"}
    # Every other coding is counted once: exactly the study's own codings, from the sheets.
    others = codings[codings["code_id"] != row["code_id"]]
    assert len(codings) == len(demo_study.codings) + 3
    assert sorted(others[KEY].itertuples(index=False, name=None)) == sorted(
        demo_study.codings[KEY].itertuples(index=False, name=None)
    )
    assert not others["source"].str.endswith(".qdpx").any()
    assert report.counts["codes"] == len(demo_study.codebook) + 1
    # The report lists the inductive code and the user kept under their own name.
    warnings = "\n".join(report.warnings)
    assert f"1 code(s) not in the codebook added as inductive codes: {row['code_id']}" in warnings
    assert f"user(s) {NEW_USER} kept as coder ids" in warnings
    assert f"{len(demo_study.codings)} coding(s) already coded" in warnings


@pytest.mark.slow
def test_reimporting_an_evstudy_export_adds_nothing(demo_raw: Path, demo_study, tmp_path: Path):
    raw = tmp_path / "raw"
    shutil.copytree(demo_raw, raw)
    export_qdpx(demo_study, raw / "coding" / "evstudy.qdpx")
    ingest(raw, tmp_path / "processed", key_dir=tmp_path / "keys")
    for table in ("codings", "codebook"):
        got = pd.read_parquet(tmp_path / "processed" / f"{table}.parquet")
        want = getattr(demo_study, table)
        assert len(got) == len(want), table
    codings = pd.read_parquet(tmp_path / "processed" / "codings.parquet")
    pd.testing.assert_frame_equal(
        codings[KEY], demo_study.codings[KEY].reset_index(drop=True), check_dtype=False
    )


# -- through ingest: qc's real project on a two-document study --------------------------------

_LABEL = re.compile(r"^([^:\n]{1,40}):[ \t]+", re.M)


def qc_study(fixture: Path, out: Path, coders: dict[str, str] | None = None) -> Path:
    """The second study plus qc's two sources as two transcripts and qc's project in coding/.

    The sources' speakers are renamed to the second study's people (one interviewer, one
    participant), as a study's own transcripts name its own people.
    """
    shutil.copytree(SECOND_STUDY, out)
    with zipfile.ZipFile(fixture) as archive:
        for doc in ("board_2017", "admin-1"):
            text = archive.read(f"sources/{doc}.txt").decode("utf-8")
            text = _LABEL.sub(
                lambda m: ("Imogen Tully" if m[1] == "Max Bigman" else "Sian Meadows") + ": ", text
            )
            (out / "transcripts" / "Brackleigh" / f"{doc}.txt").write_text(text, encoding="utf-8")
    with (out / "fieldwork_log.csv").open("a", encoding="utf-8") as log:
        for doc in ("board_2017", "admin-1"):
            log.write(f"{doc},Brackleigh/{doc}.txt,Interview,BRK,2025-01-22\n")
    shutil.copy(fixture, out / "coding" / fixture.name)
    if coders is not None:
        config = yaml.safe_load((out / "study.yml").read_text(encoding="utf-8"))
        config["coders"] = coders
        (out / "study.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return out


@pytest.mark.slow
def test_qc_project_places_all_205_codings_on_a_two_document_study(shared_dir, tmp_path):
    fixture = shared_dir / "fixtures" / "refi-qda" / "qc-1.3.2-demo.qdpx"
    raw = qc_study(fixture, tmp_path / "raw", coders={"cp": "CP"})
    report = ingest(raw, tmp_path / "processed", key_dir=tmp_path / "keys")
    codings = pd.read_parquet(tmp_path / "processed" / "codings.parquet")
    book = pd.read_parquet(tmp_path / "processed" / "codebook.parquet")
    from_qc = codings[codings["source"] == "coding/qc-1.3.2-demo.qdpx"]
    assert len(from_qc) == 205
    # qc's codings are all on board_2017 (admin-1 is uncoded); none is left out.
    assert from_qc["doc_id"].value_counts().to_dict() == {"board_2017": 205}
    assert set(from_qc["coder"]) == {"CP"}  # mapped by study.yml's coders:
    # Of qc's 262 codes, two are named like the second study's code ids (funding, staffing)
    # and map to them; the other 260 come in as inductive codes.
    inductive = book[book["source"] == "coding/qc-1.3.2-demo.qdpx"]
    assert len(inductive) == 260 and set(inductive["origin"]) == {"inductive"}
    assert not inductive["label"].isin(["funding", "staffing"]).any()
    assert "funding" in set(from_qc["code_id"])  # qc's staffing code has no codings
    first = inductive.iloc[0]
    assert (first["code_id"], first["parent_id"], first["depth"]) == ("rq1_definition", None, 0)
    # Every coding's text is the source's selected text, found in the canonical text.
    assert from_qc["text"].str.len().min() > 0
    assert report.counts["codings"] == len(codings)
    assert not any("user(s)" in w for w in report.warnings)  # cp is mapped


@pytest.mark.slow
def test_a_coders_entry_for_no_user_and_a_nameless_code_are_problems(shared_dir, tmp_path):
    fixture = shared_dir / "fixtures" / "refi-qda" / "qc-1.3.2-demo.qdpx"
    raw = qc_study(fixture, tmp_path / "raw", coders={"cq": "CP"})
    qdpx = raw / "coding" / fixture.name
    with zipfile.ZipFile(qdpx) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["project.qde"] = members["project.qde"].replace(
        b'<Code name="programming"', b'<Code name=""', 1
    )
    with zipfile.ZipFile(qdpx, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValidationError) as caught:
        ingest(raw, tmp_path / "processed", key_dir=tmp_path / "keys")
    found = {(p.file, p.where): p for p in caught.value.problems}
    nameless = found["coding/qc-1.3.2-demo.qdpx", "code rq1_definition/competencies/(no name)"]
    assert "has no name" in nameless.problem and "name the code" in nameless.fix
    unknown = found["study.yml", "coders entry 'cq'"]
    assert "not a user of any .qdpx project" in unknown.problem and "'cp'" in unknown.problem
    assert not (tmp_path / "processed").exists()


CODE = "22222222-2222-2222-2222-222222222222"


def make_qdpx(path: Path, *, origin: str, sources: list[dict]) -> Path:
    """A small project: a Theme with a Leaf, user Robin, and ``sources`` ({guid, name, path,
    data (bytes or None), selections: [(start, end, code guid)]})."""
    user = "11111111-1111-1111-1111-111111111111"
    xml = [
        f'<Project xmlns="{NAMESPACE}" name="t" origin="{origin}">',
        f'<Users><User guid="{user}" name="Robin"/></Users><CodeBook><Codes>',
        f'<Code guid="{CODE}" name="Theme" isCodable="true">',
        "<Description>First raised by Sian Meadows.</Description>",
        f'<Code guid="{CODE[:-1]}3" name="Leaf" isCodable="true"/></Code>',
        "</Codes></CodeBook><Sources>",
    ]
    files = {}
    for source in sources:
        xml.append(
            f'<TextSource guid="{source["guid"]}" name="{source["name"]}" '
            f'plainTextPath="{source["path"]}">'
        )
        for i, (start, end, code) in enumerate(source["selections"]):
            xml.append(
                f'<PlainTextSelection guid="{source["guid"][:-2]}{i:02d}" startPosition="{start}" '
                f'endPosition="{end}" creatingUser="{user}"><Coding guid="{uuid.uuid4()}" '
                f'creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>'
                "</PlainTextSelection>"
            )
        xml.append("</TextSource>")
        if source["data"] is not None:
            files[f"sources/{source['path'].split('://')[-1]}"] = source["data"]
    xml.append("</Sources></Project>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", "".join(xml))
        for name, data in files.items():
            archive.writestr(name, data)
    return path


@pytest.mark.slow
def test_unmatched_and_external_sources_are_reported_and_never_become_documents(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SECOND_STUDY, raw)
    transcript = (raw / "transcripts" / "Brackleigh" / "int02.txt").read_bytes()
    passage = "I coordinate everything that isn't teaching and isn't safeguarding"
    start = transcript.decode("utf-8").index(passage)
    leaf = CODE[:-1] + "3"
    make_qdpx(
        raw / "coding" / "tool.qdpx",
        origin="QualCoder 3.5",
        sources=[
            {  # the transcript as the tool holds it: names and all
                "guid": "a0000000-0000-0000-0000-000000000000",
                "name": "INT-BRK-02.txt",
                "path": "internal://int02.txt",
                "data": transcript,
                "selections": [(start, start + len(passage), leaf)],
            },
            {  # a document the study does not have
                "guid": "b0000000-0000-0000-0000-000000000000",
                "name": "Notes on Sian Meadows",
                "path": "internal://notes.txt",
                "data": b"Notes naming Sian Meadows in full.",
                "selections": [(0, 5, leaf)],
            },
            {  # outside the archive: never opened
                "guid": "c0000000-0000-0000-0000-000000000000",
                "name": "Secret",
                "path": "absolute:///etc/passwd",
                "data": None,
                "selections": [(0, 4, leaf)],
            },
        ],
    )
    report = ingest(raw, tmp_path / "processed", key_dir=tmp_path / "keys")
    documents = pd.read_parquet(tmp_path / "processed" / "documents.parquet")
    codings = pd.read_parquet(tmp_path / "processed" / "codings.parquet")
    book = pd.read_parquet(tmp_path / "processed" / "codebook.parquet")
    assert not documents["doc_id"].isin(["Notes on Sian Meadows", "Secret"]).any()
    assert not documents["text"].str.contains("Sian Meadows").any()
    (coding,) = codings[codings["source"] == "coding/tool.qdpx"].itertuples()
    assert (coding.doc_id, coding.code_id, coding.coder) == ("INT-BRK-02", "theme.leaf", "Robin")
    assert coding.text == passage
    new = book[book["source"] == "coding/tool.qdpx"]
    assert list(new["code_id"]) == ["theme", "theme.leaf"]
    assert new["definition"].iloc[0] == "First raised by [name]."  # redacted like a memo
    warnings = "\n".join(report.warnings)
    assert "coding/tool.qdpx: 1 source(s) match no study document" in warnings
    # Listed once, its name redacted like the transcripts' text.
    assert warnings.count("Notes on [name]") == 1 and "Sian Meadows" not in warnings
    assert "Secret" in warnings
    assert "1 coding(s) of sources whose text is outside the archive were not read" in warnings
