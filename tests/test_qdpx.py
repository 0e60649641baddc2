"""REFI-QDA project exchange: real exports, hand-built quirks, export and re-import."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pandas as pd
import pytest

from evstudy.errors import InputError, ValidationError
from evstudy.inspect import inspect_file
from evstudy.qdpx import (
    export_qdpx,
    import_qdpx,
    inspect_qdpx,
    read_qdpx,
    with_import,
)
from evstudy.qdpx.anchor import passage_pattern, reanchor

KEY = ["doc_id", "code_id", "coder", "start", "end"]
USER = "11111111-1111-1111-1111-111111111111"
CODE = "22222222-2222-2222-2222-222222222222"


def make_qdpx(
    path: Path,
    *,
    origin: str,
    sources: list[dict],
    codes: str | None = None,
    folder: str = "sources",
    qde: str | None = None,
    deflate: bool = False,
) -> Path:
    """A small .qdpx: each source is {guid, name, path, data (bytes or None), selections}."""
    codes = (
        codes or f'<Code guid="{CODE}" name="Theme"><Code guid="{CODE[:-1]}3" name="Leaf"/></Code>'
    )
    xml = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin={quoteattr(origin)}>',
        f'<Users><User guid="{USER}" name="Robin"/></Users>',
        f"<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>",
    ]
    files = {}
    for source in sources:
        xml.append(
            f'<TextSource guid="{source["guid"]}" name={quoteattr(source["name"])} '
            f'plainTextPath="{source["path"]}">'
        )
        for i, (start, end, code) in enumerate(source.get("selections", [])):
            xml.append(
                f'<PlainTextSelection guid="{source["guid"][:-2]}{i:02d}" startPosition="{start}" '
                f'endPosition="{end}" creatingUser="{USER}"><Coding guid="c{i}" '
                f'creatingUser="{USER}"><CodeRef targetGUID="{code}"/></Coding>'
                "</PlainTextSelection>"
            )
        xml.append("</TextSource>")
        if source.get("data") is not None:
            files[f"{folder}/{source['path'].split('://')[-1]}"] = source["data"]
    xml.append("</Sources></Project>")
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as archive:
        archive.writestr("project.qde", qde if qde is not None else "".join(xml))
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def units(text: str) -> int:
    """UTF-16 code units, counted independently of the module under test."""
    return len(text.encode("utf-16-le")) // 2


# -- the real exports in ../shared -------------------------------------------------------


def fixture(shared_dir: Path, name: str) -> Path:
    return shared_dir / "fixtures" / "refi-qda" / name


def test_qc_demo_reads_with_the_counts_its_readme_gives(shared_dir):
    project = read_qdpx(fixture(shared_dir, "qc-1.3.2-demo.qdpx"))
    assert project.origin == "qc 1.3.2"
    assert len(project.sources) == 2 and len(project.codes) == 262
    assert project.n_selections == 158 and len(project.codings) == 205
    assert project.codings["selection_guid"].nunique() == 158  # several codings per selection
    # plainTextPath is bare ("board_2017.txt"); the source has no name, so the file names it.
    assert set(project.sources["name"]) == {"board_2017.txt", "admin-1.txt"}
    first = project.codings.iloc[0]
    assert (first.source_name, first.start, first.end) == ("board_2017.txt", 320, 400)
    assert first.text.startswith("This district goal is engage every student")
    assert first.user_name == "cp"
    assert first.code_path == "rq2_curriculum_and_instruction/pedagogy/fun"
    assert project.codes["depth"].max() > 0 and project.codes["is_codable"].all()


def test_nvivo_mac_codebook_reads_with_lowercase_sources_and_no_codings(shared_dir):
    project = read_qdpx(fixture(shared_dir, "nvivo-mac-15-codebook.qdpx"))
    assert project.origin == "NVivo for Mac 15.0.0"
    assert len(project.codes) == 262 and project.codes["depth"].max() > 0
    assert project.codes["parent_guid"].notna().sum() > 200  # nested, not flat
    assert project.codings.empty and project.n_selections == 0
    assert len(project.sources) == 2
    assert [len(t) for t in project.sources["text"]] == [1, 1]
    assert list(project.users["name"]) == ["chrisp", "cp"]


def test_atlas_ti_codebook_reads_three_nested_codes_two_users_and_no_sources(shared_dir):
    project = read_qdpx(fixture(shared_dir, "atlas-ti-23-codebook.qdpx"))
    assert project.origin.startswith("ATLAS.ti")
    assert list(project.codes["depth"]) == [0, 1, 1]
    assert project.codes["path"].iloc[1] == "Commits/2022-05-10T02:05:59Z 19e4dce"
    assert len(project.users) == 2 and project.sources.empty and project.codings.empty


@pytest.mark.parametrize(
    "name", ["qc-1.3.2-demo.qdpx", "nvivo-mac-15-codebook.qdpx", "atlas-ti-23-codebook.qdpx"]
)
def test_every_shared_export_inspects_to_json(shared_dir, name):
    found = inspect_qdpx(fixture(shared_dir, name))
    again = json.loads(json.dumps(found))
    assert again["codes"] in {3, 262}
    assert again["n_codings"] == len(again["codings"])
    for coding in again["codings"]:
        assert coding["end"] - coding["start"] == len(coding["text"])


def test_inspect_through_the_cli_reader(shared_dir):
    from evstudy.inspect import inspect_file

    found = inspect_file(fixture(shared_dir, "qc-1.3.2-demo.qdpx"))
    assert found["kind"] == "qdpx" and found["n_codings"] == 205 and found["selections"] == 158
    assert {s["name"]: s["characters"] for s in found["sources"]}["admin-1.txt"] == 31906


def test_importing_a_foreign_project_lists_every_coding_it_cannot_map(shared_dir, demo_study):
    result = import_qdpx(demo_study, fixture(shared_dir, "qc-1.3.2-demo.qdpx"))
    # None of qc's codes is in the study's codebook: all 205 codings are listed, none dropped.
    assert result.codings.empty and len(result.unplaced) == 205
    assert result.unplaced["reason"].str.contains("not in the study codebook").all()
    assert len(result.unknown_codes) == 262 and result.unknown_codes["n_codings"].sum() == 205
    assert sorted(result.documents["doc_id"]) == ["admin-1", "board_2017"]
    assert (result.documents["method"] == "qdpx").all()

    codebook_only = import_qdpx(demo_study, fixture(shared_dir, "nvivo-mac-15-codebook.qdpx"))
    assert len(codebook_only.skipped_sources) == 2 and codebook_only.documents.empty


# -- hand-built quirks --------------------------------------------------------------------


def test_nvivo_windows_offsets_are_utf16_units_with_crlf_and_a_bom(tmp_path):
    body = "Intro 😀 line\r\nSecond 𝄞 line: target phrase 🎉\r\nEnd"
    selected = "target phrase 🎉"
    start = units(body[: body.index(selected)])  # counted on the text after the BOM
    end = start + units(selected)
    path = make_qdpx(
        tmp_path / "nvivo.qdpx",
        origin="NVivo for Windows 14.23.0",
        folder="Sources",
        sources=[
            {
                "guid": "a" * 36,
                "name": "Interview one",
                "path": "internal://one.txt",
                "data": ("\ufeff" + body).encode("utf-8"),
                "selections": [(start, end, CODE)],
            }
        ],
    )
    project = read_qdpx(path)
    text = project.sources["text"].iloc[0]
    assert text == body.replace("\r\n", "\n")
    coding = project.codings.iloc[0]
    assert coding.text == selected
    assert (coding.start, coding.end) == (text.index(selected), text.index(selected) + 15)
    assert coding.user_name == "Robin" and coding.code_path == "Theme"
    # Read as the standard says, the same offsets select the wrong characters.
    standard = make_qdpx(
        tmp_path / "std.qdpx",
        origin="MAXQDA 2022",
        folder="Sources",
        sources=[
            {
                "guid": "a" * 36,
                "name": "x",
                "path": "internal://one.txt",
                "data": ("\ufeff" + body).encode(),
                "selections": [(start, end, CODE)],
            }
        ],
    )
    assert read_qdpx(standard).codings["text"].iloc[0] != selected


def test_atlas_ti_offsets_count_crlf_as_one(tmp_path):
    body = "Q: Why?\r\nA: Because 𝄞 the evidence said so.\r\nQ: Thanks."
    normal = body.replace("\r\n", "\n")
    selected = "the evidence said so."
    start = normal.index(selected)  # code points on the text with CRLF as one
    path = make_qdpx(
        tmp_path / "atlas.qdpx",
        origin="ATLAS.ti for Windows 23.2.3.27778",
        sources=[
            {
                "guid": "b" * 36,
                "name": "doc",
                "path": "doc.txt",
                "data": body.encode(),
                "selections": [(start, start + len(selected), f"{CODE[:-1]}3")],
            }
        ],
    )
    coding = read_qdpx(path).codings.iloc[0]
    assert coding.text == selected and coding.code_path == "Theme/Leaf"


@pytest.mark.parametrize(
    "text_path",
    [
        "absolute:///etc/passwd",
        "relative://../../../etc/passwd",
        "relative://texts/side.txt",
        "absolute://{tmp}/texts/side.txt",
        "file:///etc/passwd",
    ],
)
def test_sources_outside_the_archive_are_never_opened(tmp_path, text_path):
    # Issue 19, item 8: a project must not make evstudy read the computer's own files.
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "side.txt").write_text("SECRET beside the project", encoding="utf-8")
    text_path = text_path.format(tmp=tmp_path)
    path = make_qdpx(
        tmp_path / "outside.qdpx",
        origin="QualCoder 3.4",
        sources=[
            {
                "guid": "c" * 36,
                "name": "outside",
                "path": text_path,
                "data": None,
                "selections": [(0, 6, CODE), (7, 12, CODE[:-1] + "3")],
            },
            {
                "guid": "b" * 36,
                "name": "inside",
                "path": "internal://inside.txt",
                "data": b"kept text",
                "selections": [(0, 4, CODE)],
            },
        ],
    )
    project = read_qdpx(path)
    assert list(project.sources["name"]) == ["inside"]  # the rest of the project reads
    assert list(project.codings["text"]) == ["kept"]
    assert project.external.to_dict("records") == [
        {"guid": "c" * 36, "name": "outside", "path": text_path}
    ]
    assert list(project.unplaced["code_path"]) == ["Theme", "Theme/Leaf"]
    assert list(project.unplaced["start"]) == ["0", "7"]
    assert project.unplaced["reason"].str.contains("outside the archive").all()
    found = inspect_file(path)
    dumped = json.dumps(found)
    assert "SECRET" not in dumped and "root:" not in dumped
    assert found["external_sources"] == [{"name": "outside", "path": text_path}]
    assert [u["code_path"] for u in found["unplaced"]] == ["Theme", "Theme/Leaf"]
    assert found["n_codings"] == 1


def test_inspect_json_through_the_cli_never_prints_a_local_file(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET", encoding="utf-8")
    path = make_qdpx(
        tmp_path / "p.qdpx",
        origin="x",
        sources=[
            {
                "guid": "a" * 36,
                "name": "abs",
                "path": f"absolute://{secret}",
                "data": None,
                "selections": [(0, 4, CODE)],
            },
            {
                "guid": "d" * 36,
                "name": "rel",
                "path": "relative://secret.txt",
                "data": None,
                "selections": [(0, 4, CODE)],
            },
        ],
    )
    from evstudy.cli import main

    assert main(["inspect", str(path), "--json"]) in (0, None)
    out = capsys.readouterr().out
    assert "SECRET" not in out and "root:x" not in out
    found = json.loads(out)
    assert [s["name"] for s in found["external_sources"]] == ["abs", "rel"]
    assert len(found["unplaced"]) == 2


def test_an_internal_path_cannot_climb_out_of_the_archive(tmp_path):
    (tmp_path / "secret.txt").write_text("SECRET", encoding="utf-8")
    path = make_qdpx(
        tmp_path / "climb.qdpx",
        origin="x",
        sources=[
            {
                "guid": "e" * 36,
                "name": "climb",
                "path": "internal://../../secret.txt",
                "data": None,
                "selections": [(0, 3, CODE)],
            },
        ],
    )
    with pytest.raises(ValidationError, match="is not in the archive"):
        read_qdpx(path)


def test_a_qdpx_whose_source_expands_too_far_is_refused(tmp_path, monkeypatch):
    # Issue 19, item 9: 4 MiB of spaces deflate about 1000:1, past the 200:1 cap.
    path = tmp_path / "bomb.qdpx"
    make_qdpx(
        path,
        origin="x",
        deflate=True,
        sources=[
            {
                "guid": "f" * 36,
                "name": "big",
                "path": "internal://big.txt",
                "data": b" " * 4 * 2**20,
            }
        ],
    )
    assert path.stat().st_size < 50_000
    with pytest.raises(InputError) as caught:
        read_qdpx(path)
    message = str(caught.value)
    assert "bomb.qdpx" in message and "sources/big.txt" in message
    assert "expands too far" in message and "damaged" not in message


def test_a_qdpx_project_file_past_the_member_cap_is_refused(tmp_path, monkeypatch):
    from evstudy.io import archive

    monkeypatch.setattr(archive, "RATIO_LIMIT", 10**9)
    monkeypatch.setattr(archive, "MEMBER_LIMIT", 2**20)
    qde = '<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="x">' + " " * 2**21
    path = make_qdpx(
        tmp_path / "qde.qdpx", origin="x", sources=[], qde=qde + "</Project>", deflate=True
    )
    with pytest.raises(InputError, match=r"qde\.qdpx, member 'project\.qde'.*expands too far"):
        read_qdpx(path)


def test_missing_iscodable_means_codable(tmp_path):
    codes = f'<Code guid="{CODE}" name="A" isCodable="false"><Code guid="x" name="B"/></Code>'
    project = read_qdpx(make_qdpx(tmp_path / "c.qdpx", origin="x", sources=[], codes=codes))
    assert list(project.codes["is_codable"]) == [False, True]
    assert list(project.codes["path"]) == ["A", "A/B"]


# -- errors name the file, the element and the fix ----------------------------------------


def test_a_coded_source_whose_text_is_missing_is_a_clear_error(tmp_path):
    path = make_qdpx(
        tmp_path / "broken.qdpx",
        origin="NVivo for Windows 14",
        sources=[
            {
                "guid": "d" * 36,
                "name": "gone",
                "path": "internal://gone.txt",
                "data": None,
                "selections": [(0, 3, CODE)],
            }
        ],
    )
    with pytest.raises(ValidationError) as caught:
        read_qdpx(path)
    message = str(caught.value)
    assert "broken.qdpx" in message and "d" * 36 in message and "gone.txt" in message
    assert "fix:" in message and "Traceback" not in message


def test_a_selection_outside_its_text_names_its_guid(tmp_path):
    path = make_qdpx(
        tmp_path / "long.qdpx",
        origin="qc 1.3.2",
        sources=[
            {
                "guid": "e" * 36,
                "name": "short",
                "path": "short.txt",
                "data": b"tiny",
                "selections": [(0, 3, CODE), (2, 40, CODE)],
            }
        ],
    )
    with pytest.raises(ValidationError) as caught:
        read_qdpx(path)
    assert len(caught.value.problems) == 1
    assert "e" * 34 + "01" in str(caught.value) and "outside the text" in str(caught.value)


def test_no_project_qde_bad_xml_and_not_a_zip_are_input_errors(tmp_path):
    empty = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("sources/a.txt", "a")
    with pytest.raises(InputError, match=r"empty\.qdpx: the archive holds no project\.qde"):
        read_qdpx(empty)
    bad = make_qdpx(tmp_path / "bad.qdpx", origin="x", sources=[], qde="<Project><Users>")
    with pytest.raises(InputError, match=r"bad\.qdpx \(project\.qde\), line 1.*not well-formed"):
        read_qdpx(bad)
    text = tmp_path / "plain.qdpx"
    text.write_text("not a zip")
    with pytest.raises(InputError, match=r"not a readable \.qdpx"):
        read_qdpx(text)


def test_a_coding_of_a_code_missing_from_the_codebook_is_an_error(tmp_path):
    path = make_qdpx(
        tmp_path / "orphan.qdpx",
        origin="qc",
        sources=[
            {
                "guid": "f" * 36,
                "name": "s",
                "path": "s.txt",
                "data": b"some text",
                "selections": [(0, 4, "no-such-code")],
            }
        ],
    )
    with pytest.raises(ValidationError, match="'no-such-code', which is not in the CodeBook"):
        read_qdpx(path)


# -- re-anchoring --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("passage", "canonical"),
    [
        ("Ask  Jordan Lee\nabout it.", "so. Ask [name] about it. Then"),
        ("Ms Lee said no", "and [name] said no"),
        ("Lee, Jordan said no", "[name] said no"),
        ("Jordan's team", "[name]'s team"),
        ("ask Jordan Lee", "ask [name] Lee"),
        ("  the [name] rule\r\n", "the [name] rule"),
    ],
)
def test_the_passage_pattern_tolerates_whitespace_and_redacted_names(passage, canonical):
    assert passage_pattern(passage).search(canonical)


def test_the_passage_pattern_still_needs_the_words():
    assert not passage_pattern("ask Jordan today").search("ask [name] tomorrow")
    assert not passage_pattern("the budget").search("the  [name]")
    assert passage_pattern(" \n ") is None


def test_reanchor_picks_the_occurrence_nearest_the_tools_offset():
    text = "yes. no. yes. no. yes."
    assert reanchor(text, "yes.", near=12) == (9, 13)
    assert reanchor(text, "maybe", near=0) is None


# -- export and import with the study -----------------------------------------------------


@pytest.fixture(scope="module")
def exported(demo_study, tmp_path_factory):
    return export_qdpx(demo_study, tmp_path_factory.mktemp("qdpx") / "demo.qdpx")


def test_export_is_byte_identical_across_runs(demo_study, exported, tmp_path):
    again = export_qdpx(demo_study, tmp_path / "again.qdpx")
    assert again.read_bytes() == exported.read_bytes()
    with zipfile.ZipFile(exported) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "project.qde"
    assert [i.filename for i in infos[1:]] == sorted(i.filename for i in infos[1:])
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_export_holds_the_study_as_the_standard_describes_it(demo_study, exported):
    project = read_qdpx(exported)
    assert project.origin.startswith("evstudy ")
    assert sorted(project.users["name"]) == ["CD", "VT"]
    book = demo_study.codebook
    assert len(project.codes) == len(book)
    assert (project.codes["depth"] == 0).sum() == (book["parent_id"].isna()).sum()
    assert set(project.codes["name"]) == set(book["label"])
    assert len(project.sources) == len(demo_study.documents)
    texts = dict(zip(project.sources["name"], project.sources["text"], strict=True))
    assert all(texts[d.doc_id] == d.text for d in demo_study.documents.itertuples())
    assert len(project.codings) == project.n_selections == len(demo_study.codings)
    with zipfile.ZipFile(exported) as archive:
        qde = archive.read("project.qde").decode()
        names = archive.namelist()
    assert 'xmlns="urn:QDA-XML:project:1.0"' in qde
    assert all(re.fullmatch(r"sources/[0-9a-f-]{36}\.txt", n) for n in names[1:])
    assert re.search(r'plainTextPath="internal://[0-9a-f-]{36}\.txt"', qde)


def test_round_trip_preserves_every_coding_exactly(demo_study, exported):
    result = import_qdpx(demo_study, exported)
    assert result.unplaced.empty and result.documents.empty and result.unknown_codes.empty

    def ordered(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[KEY].sort_values(KEY).reset_index(drop=True)

    pd.testing.assert_frame_equal(ordered(result.codings), ordered(demo_study.codings))
    assert list(result.codings.columns) == list(demo_study.codings.columns)
    merged = result.codings.merge(demo_study.codings.drop_duplicates(KEY), on=KEY)
    assert (merged["turn_x"].fillna(-1) == merged["turn_y"].fillna(-1)).all()
    assert (merged["memo_x"].fillna("") == merged["memo_y"].fillna("")).all()
    assert not set(result.codings["coding_id"]) & set(demo_study.codings["coding_id"])
    # Re-importing the study's own export adds nothing.
    assert len(with_import(demo_study, result).codings) == len(demo_study.codings)


def test_reanchoring_survives_extra_whitespace_crlf_and_a_redacted_name(demo_study, tmp_path):
    found = [
        (doc.doc_id, doc.text, m)
        for doc in demo_study.documents.sort_values("doc_id").itertuples()
        if (m := re.search(r"\w+ \w+ \[name\] \w+ \w+ \w+", doc.text))
    ]
    doc_id, canonical, match = found[0]
    code_id = demo_study.codebook["code_id"].iloc[1]
    # The tool's copy: the name unredacted, spaces doubled, CRLF line breaks.
    tool_text = canonical.replace("[name]", "Jordan Lee").replace(" ", "  ").replace("\n", "\r\n")
    passage = match.group().replace("[name]", "Jordan Lee").replace(" ", "  ")
    start = tool_text.index(passage)
    missing = "A passage the tool's copy has and the canonical text lacks."
    tool_text += "\r\n" + missing
    path = make_qdpx(
        tmp_path / "nvivo.qdpx",
        origin="NVivo for Windows 14",
        codes=f'<Code guid="{CODE}" name="{code_id.upper()}"/>',
        sources=[
            {
                "guid": "9" * 36,
                "name": f"{doc_id.lower()}.TXT",
                "path": "internal://t.txt",
                "data": tool_text.encode(),
                "selections": [
                    (units(tool_text[:start]), units(tool_text[: start + len(passage)]), CODE),
                    (units(tool_text) - units(missing), units(tool_text), CODE),
                ],
            }
        ],
    )
    result = import_qdpx(demo_study, path)
    assert len(result.codings) == 1 and result.documents.empty
    placed = result.codings.iloc[0]
    assert (placed.doc_id, placed.code_id, placed.coder) == (doc_id, code_id, "Robin")
    assert (placed.start, placed.end, placed.text) == (match.start(), match.end(), match.group())
    turns = demo_study.turns[demo_study.turns["doc_id"] == doc_id]
    holding = turns[(turns["start"] <= match.start()) & (turns["end"] >= match.end())]
    assert placed.turn == holding["turn"].iloc[0]
    # The passage the canonical text lacks is listed, not dropped.
    assert list(result.unplaced["text"]) == [missing]
    assert "not in" in result.unplaced["reason"].iloc[0]


def test_with_import_adds_new_documents_and_their_codings(demo_study, tmp_path):
    code = demo_study.codebook["code_id"].iloc[-1]
    label = demo_study.codebook["label"].iloc[-1]
    path = make_qdpx(
        tmp_path / "new.qdpx",
        origin="MAXQDA 24",
        codes=f'<Code guid="{CODE}" name="{label.lower()}"/>',
        sources=[
            {
                "guid": "8" * 36,
                "name": "Field notes 3.txt",
                "path": "internal://n.txt",
                "data": b"Notes from the visit: the panel met monthly.",
                "selections": [(22, 44, CODE)],
            }
        ],
    )
    result = import_qdpx(demo_study, path)
    assert list(result.documents["doc_id"]) == ["Field notes 3"]
    study = with_import(demo_study, result)
    assert len(study.documents) == len(demo_study.documents) + 1
    added = study.codings[study.codings["doc_id"] == "Field notes 3"]
    assert list(added["text"]) == ["the panel met monthly."]
    assert list(added["code_id"]) == [code] and list(added["source"]) == ["new.qdpx"]
    assert len(demo_study.documents) == len(study.documents) - 1  # the original is untouched


def test_the_cli_exports_the_processed_study(demo_processed, tmp_path, capsys):
    from evstudy.cli import main

    out = tmp_path / "cli.qdpx"
    assert main(["qdpx", "export", str(out), "--processed", str(demo_processed)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert read_qdpx(out).origin.startswith("evstudy")
