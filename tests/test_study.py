"""The Study object's cache of derived tables."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from pandas.testing import assert_frame_equal

from evstudy.coding import coded_segments, quotes
from evstudy.matrices import framework_matrix
from evstudy.study import derived, load_study, preload


def test_derived_computes_once_per_key_and_study(tiny_study):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert derived(tiny_study, ("n",), compute) == 1
    assert derived(tiny_study, ("n",), compute) == 1
    assert derived(tiny_study, ("other",), compute) == 2
    # A new study (even one made by replace) has its own cache.
    assert derived(dataclasses.replace(tiny_study), ("n",), compute) == 3
    # Study-like objects without a cache are computed every time.
    plain = SimpleNamespace()
    assert derived(plain, ("n",), compute) == 4
    assert derived(plain, ("n",), compute) == 5


def test_changing_a_returned_table_does_not_change_the_next(tiny_study):
    first = coded_segments(tiny_study)
    first["site_id"] = "changed"
    first.loc[first.index[0], "code_id"] = "changed"
    again = coded_segments(tiny_study)
    assert "changed" not in set(again["site_id"]) | set(again["code_id"])
    matrix = framework_matrix(tiny_study)
    matrix["participants"] = -1
    assert (framework_matrix(tiny_study)["participants"] >= 0).all()


def test_filtered_quotes_match_a_fresh_study(demo_processed):
    # Quotes are attributed once for every passage and then filtered; the result must be
    # what a study that never saw another query gives.
    used = load_study(demo_processed)
    quotes(used)
    quotes(used, context="site")
    site = used.sites["site_id"].iloc[1]
    for kwargs in (
        {"site": site},
        {"site": site, "context": "site"},
        {"code": "barrier", "role_group": "senior_leader"},
        {"method": "survey", "k": 5},
    ):
        fresh = load_study(demo_processed)
        assert_frame_equal(quotes(used, **kwargs), quotes(fresh, **kwargs))


def test_a_preloaded_study_is_returned_while_its_files_are_unchanged(demo_processed, tmp_path):
    import os
    import shutil

    folder = tmp_path / "processed"
    shutil.copytree(demo_processed, folder)
    assert load_study(folder) is not load_study(folder)  # nothing kept: loaded each time
    kept = preload(folder)
    assert preload(folder) is kept
    assert load_study(folder) is kept
    assert (
        load_study(str(folder / ".." / "processed")) is kept
    )  # the same folder, spelled otherwise
    # Any change to a table (here only its modification time) means loading afresh.
    table = folder / "codings.parquet"
    stat = table.stat()
    os.utime(table, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    fresh = load_study(folder)
    assert fresh is not kept
    assert_frame_equal(fresh.codings, kept.codings)
    assert preload(folder) is not kept


def test_document_dates_are_datetime64_however_the_study_was_made(tiny_study, demo_processed):
    import pandas as pd

    # Parquet gives the processed table's dates back as Python dates in an object column.
    assert pd.read_parquet(demo_processed / "documents.parquet")["date"].dtype == object
    loaded = load_study(demo_processed).documents["date"]
    assert loaded.dtype == "datetime64[ns]"
    assert loaded.min() >= pd.Timestamp("2000-01-01")  # comparable with a Timestamp
    docs = tiny_study.documents.assign(date=["2024-03-01", "2024-02-29", None, None])
    study = dataclasses.replace(tiny_study, documents=docs)
    assert list(study.documents["date"].dt.day.dropna()) == [1, 29]
    assert study.documents["date"].isna().sum() == 2


def test_report_facts_come_from_study_yml_and_default_to_none(demo_processed, tiny_study):
    # The demo declares its title page (written by the generator); the date is fixed,
    # never the day of the build.
    assert load_study(demo_processed).report == {
        "sponsor": "Children's Services Evidence Programme (invented sponsor)",
        "authors": ["Synthetic Research Unit"],
        "date": "2024-03-28",
        "version": "1.0",
    }
    no_section = dataclasses.replace(tiny_study, ingest_report={"title": "T"})
    assert no_section.report == {"sponsor": None, "authors": [], "date": None, "version": None}
