"""Comparing manifests: what `evstudy verify` reports (the full rebuild is in test_pipeline)."""

from __future__ import annotations

import hashlib
import json

import pytest

from evstudy.build.runner import BuildError
from evstudy.build.verify import _tampered, compare_manifests, format_differences, verify

MANIFEST = {
    "evstudy": {"version": "0.1.0", "git_commit": "abc"},
    "packages": {"pandas": "2.3.3"},
    "synthetic": True,
    "raw_inputs": {"study.yml": "1" * 64},
    "processed_tables": {"turns.parquet": "2" * 64},
    "figures": {"survey__barriers.svg": "3" * 64},
    "executed_notebooks": {"survey.ipynb": "4" * 64},
    "published": {"index.html": "5" * 64},
    "parameters": {"survey": {"processed": "data/processed"}},
    "layout": {"processed": "data/processed"},
}


def test_manifests_that_differ_only_in_key_order_are_identical():
    reordered = {
        section: dict(reversed(value.items())) if isinstance(value, dict) else value
        for section, value in reversed(MANIFEST.items())
    }
    assert list(reordered) != list(MANIFEST)
    assert format_differences(compare_manifests(MANIFEST, reordered)) == "identical"


def test_each_kind_of_difference_is_listed():
    rebuilt = json.loads(json.dumps(MANIFEST))
    rebuilt["processed_tables"]["turns.parquet"] = "9" * 64
    del rebuilt["figures"]["survey__barriers.svg"]
    rebuilt["figures"]["survey__new.svg"] = "8" * 64
    rebuilt["packages"]["pandas"] = "2.3.4"
    found = compare_manifests(MANIFEST, rebuilt)
    assert set(zip(found["section"], found["item"], strict=True)) == {
        ("processed_tables", "turns.parquet"),
        ("figures", "survey__barriers.svg"),
        ("figures", "survey__new.svg"),
        ("packages", "pandas"),
    }
    missing = found[found["item"] == "survey__barriers.svg"].iloc[0]
    assert missing["rebuilt"] is None and missing["recorded"] == json.dumps("3" * 64)
    text = format_differences(found)
    assert text.startswith("4 difference(s)") and "turns.parquet" in text


def test_a_published_file_edited_after_the_build_is_caught(tmp_path):
    page = tmp_path / "index.html"
    page.write_text("<html>built</html>", encoding="utf-8")
    manifest = {"published": {"index.html": hashlib.sha256(page.read_bytes()).hexdigest()}}
    assert _tampered(tmp_path, manifest) == []
    page.write_text("<html>edited by hand</html>", encoding="utf-8")
    (row,) = _tampered(tmp_path, manifest)
    assert row[:2] == ("published (on disk)", "index.html")


def test_verify_needs_a_manifest(tmp_path):
    with pytest.raises(BuildError, match="no readable manifest"):
        verify(reports=tmp_path, progress=False)
