"""The provenance appendix's tables: inputs, software versions, notebook runs."""

from __future__ import annotations

from importlib import metadata

from evstudy.build.manifest import PACKAGES
from evstudy.provenance import input_table, parameter_table, version_table


def test_inputs_are_every_raw_file_keyed_without_names(demo_study):
    table = input_table(demo_study)
    recorded = demo_study.ingest_report["raw_sha256"]
    assert len(table) == len(recorded) and table["input"].is_monotonic_increasing
    for row in table.itertuples(index=False):
        assert recorded[row.input].startswith(row.sha256) and len(row.sha256) == 16
    transcripts = table[table["input"].str.startswith("transcripts/")]["input"]
    # Keyed by document id (a withdrawn participant's interview is a raw input but no document).
    assert transcripts.str.fullmatch(r"transcripts/(INT|EXP|FG)-[A-Z0-9-]+").all()
    documents = {f"transcripts/{d}" for d in demo_study.documents["doc_id"]}
    assert len(set(transcripts) - documents) <= 1


def test_versions_are_the_installed_ones():
    table = version_table().set_index("software")["version"]
    assert list(table.index[:2]) == ["Python", "evstudy"]
    assert set(PACKAGES) <= set(table.index)
    assert table["pandas"] == metadata.version("pandas")


def test_runs_match_the_build_plan(demo_study, tmp_path):
    table = parameter_table(demo_study, processed=tmp_path / "p", figures=tmp_path / "f")
    sites = sorted(demo_study.sites["site_id"])
    runs = list(dict.fromkeys(table["run"]))
    assert runs == ["synthesis", "survey", *[f"site_case_study__{s}" for s in sites], "fieldwork"]
    site_rows = table[(table["run"] == f"site_case_study__{sites[0]}")]
    assert dict(zip(site_rows["parameter"], site_rows["value"], strict=True)) == {
        "figures": str(tmp_path / "f"),
        "processed": str(tmp_path / "p"),
        "site": sites[0],
    }
