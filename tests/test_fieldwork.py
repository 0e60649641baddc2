"""The fieldwork dashboard: targets, achieved counts, survey uptake, consent, charts, notebook."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path

import matplotlib.figure
import nbformat
import pandas as pd
import pytest

from evstudy.charts.fieldwork import (
    fieldwork_charts,
    progress_chart,
    role_chart,
    site_chart,
    timeline_chart,
    uptake_chart,
)
from evstudy.charts.save import save_figure
from evstudy.config import DEFAULT_TARGETS, load_config
from evstudy.errors import ValidationError
from evstudy.fieldwork import (
    achieved,
    behind_target,
    behind_text,
    consent_status,
    fieldwork_progress,
    fieldwork_timeline,
    participation,
    site_progress,
    study_targets,
    survey_reminders,
    survey_uptake,
    uptake_text,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "fieldwork.ipynb"


def _with_report(study, **extra):
    """The demo with more in its ingest report (what ingest records from study.yml)."""
    return dataclasses.replace(study, ingest_report={**study.ingest_report, **extra})


def _speakers(study, method: str) -> pd.DataFrame:
    """Who speaks in transcripts of ``method``: computed here from turns and documents."""
    docs = study.documents.loc[study.documents["method"] == method, ["doc_id", "site_id"]]
    turns = study.turns.dropna(subset=["participant_id"])
    return turns.merge(docs, on="doc_id")[["participant_id", "site_id"]].drop_duplicates()


# --- targets and progress ----------------------------------------------------------------------


def test_targets_are_the_study_yml_targets(demo_study, demo_raw):
    assert study_targets(demo_study) == load_config(demo_raw).targets
    assert study_targets(_with_report(demo_study, targets={"interviews": 60}))["interviews"] == 60
    assert study_targets(demo_study, targets={"survey_responses": 80})["survey_responses"] == 80
    with pytest.raises(ValueError, match=r"`targets` keys must be one of .* 'surveys' was passed"):
        study_targets(demo_study, targets={"surveys": 5})


def test_progress_counts_match_the_demo_tables(demo_study):
    progress = fieldwork_progress(demo_study).set_index("measure")
    methods = demo_study.documents["method"].value_counts()
    expected = {
        "sites": len(demo_study.sites),
        "interviews": methods["interview"],
        "expert_interviews": methods["expert_interview"],
        "focus_groups": methods["focus_group"],
        "focus_group_participants": _speakers(demo_study, "focus_group")[
            "participant_id"
        ].nunique(),
        "survey_responses": len(demo_study.survey_respondents),
    }
    assert progress["achieved"].to_dict() == expected
    assert progress["target"].to_dict() == {
        "sites": 8,
        "interviews": 70,
        "expert_interviews": 16,
        "focus_groups": 10,
        "focus_group_participants": 70,  # 10 groups of up to 7
        "survey_responses": 50,
    }
    # The demo's numbers: 9 sites of 8, 66 interviews of 70, 16 expert interviews of 16,
    # 9 focus groups of 10, 44 focus-group participants of 70, 52 survey responses of 50.
    assert progress["remaining"].to_dict() == {
        "sites": 0,  # one more than the minimum is not negative
        "interviews": 4,
        "expert_interviews": 0,  # exactly on target
        "focus_groups": 1,
        "focus_group_participants": 26,
        "survey_responses": 0,
    }
    behind = ["interviews", "focus_groups", "focus_group_participants"]
    assert list(progress.index[progress["behind"]]) == behind
    assert progress.at["interviews", "pct"] == pytest.approx(66 / 70)
    # The demo: 67 interviews were held and the withdrawn participant's was removed at ingest.
    assert expected["interviews"] + demo_study.ingest_report["withdrawn"]["documents"] == 67
    complete = (demo_study.survey_respondents["status"] == "complete").sum()
    assert progress.at["survey_responses", "note"] == f"{complete} complete"


def test_site_progress_counts_and_pro_rata_targets(demo_study):
    table = site_progress(demo_study)
    docs = demo_study.documents
    for measure, counted in {
        "interviews": docs[docs["method"] == "interview"].groupby("site_id").size(),
        "focus_groups": docs[docs["method"] == "focus_group"].groupby("site_id").size(),
        "focus_group_participants": _speakers(demo_study, "focus_group").groupby("site_id").size(),
        "survey_responses": demo_study.survey_respondents.groupby("site_id").size(),
    }.items():
        rows = table[table["measure"] == measure].set_index("site_id")
        assert list(rows.index) == list(demo_study.sites["site_id"])
        assert rows["achieved"].to_dict() == counted.reindex(rows.index, fill_value=0).to_dict()
    interviews = table[table["measure"] == "interviews"]
    assert interviews["target"].eq(70 / 9).all()
    # The demo's sites hold 7, 7, 8, 7, 6, 9, 6, 9 and 7 interviews: under 70/9 (7.8) is behind.
    behind = ["S01", "S02", "S04", "S05", "S07", "S09"]
    assert list(interviews.loc[interviews["behind"], "site_id"]) == behind
    remaining = interviews.set_index("site_id")["remaining"]
    assert remaining["S05"] == pytest.approx(70 / 9 - 6) and remaining["S06"] == 0
    assert not table.loc[table["measure"] == "survey_responses", "behind"].any()  # no target


def test_behind_target_lists_overall_then_sites_and_the_text_names_them(demo_study):
    gaps = behind_target(demo_study)
    progress = fieldwork_progress(demo_study)
    sites = site_progress(demo_study)
    overall = gaps[gaps["where"] == "All sites"]
    assert list(overall["measure"]) == list(progress.loc[progress["behind"], "measure"])
    assert len(gaps) - len(overall) == sites["behind"].sum()
    assert gaps.index[gaps["where"] == "All sites"].max() < len(overall)  # overall first
    text = behind_text(demo_study)
    for row in gaps[gaps["where"] != "All sites"].itertuples():
        assert f"{row.where} ({row.site_id})" in text
    everything_met = {**{k: 0 for k in DEFAULT_TARGETS}, "sites_max": 99}
    assert behind_text(demo_study, targets=everything_met) == "Every fieldwork target has been met."


# --- who took part -----------------------------------------------------------------------------


def test_participation_follows_register_and_transcripts(demo_study):
    table = participation(demo_study)
    register = demo_study.participants.set_index("participant_id")["methods"]
    for row in table.sample(40, random_state=1).itertuples():
        listed = [m.strip() for m in register[row.participant_id].split(";")]
        assert row.registered == (row.method in listed)
    spoke = set(
        demo_study.turns.dropna(subset=["participant_id"])
        .merge(demo_study.documents[["doc_id", "method"]], on="doc_id")
        .pipe(lambda f: zip(f["participant_id"], f["method"], strict=True))
    )
    took = set(
        zip(*table.loc[table["took_part"], ["participant_id", "method"]].T.values, strict=True)
    )
    assert took == {pair for pair in spoke if pair[1] != "survey"}


def test_achieved_by_site_and_role_group_counts_people_once(demo_study):
    table = achieved(demo_study, by=("site_id", "role_group"))
    people = demo_study.participants
    spoke = set(demo_study.turns["participant_id"].dropna())
    expected = (
        people[people["participant_id"].isin(spoke)]
        .dropna(subset=["site_id"])
        .groupby(["site_id", "role_group"])
        .size()
    )
    got = table.dropna(subset=["site_id"]).set_index(["site_id", "role_group"])["took_part"]
    assert got[got > 0].sort_index().to_dict() == expected.sort_index().to_dict()
    by_method = achieved(demo_study, by=["method"]).set_index("method")
    assert by_method.loc["interview", "took_part"] == _speakers(demo_study, "interview").shape[0]
    assert list(by_method.index) == ["interview", "focus_group", "expert_interview"]
    with pytest.raises(ValueError, match=r"`by` must be one of .* 'region' was passed"):
        achieved(demo_study, by=["region"])


def test_consent_status_counts(demo_study):
    table = consent_status(demo_study).set_index("status")
    consented = demo_study.participants["consent_date"].notna().sum()
    assert table.loc["consented", "n"] == consented
    assert table.loc["awaiting consent", "n"] == len(demo_study.participants) - consented
    assert table.loc["withdrawn", "n"] == 1  # the demo's README: one withdrawn
    assert table["n"].sum() == 122  # everyone in the demo's register
    counts = [consented, len(demo_study.participants) - consented, 1]
    assert table["pct"].tolist() == pytest.approx([n / 122 for n in counts])
    assert pd.isna(table.loc["withdrawn", "took_part"])


# --- over time ---------------------------------------------------------------------------------


def test_survey_uptake_is_every_day_cumulative(demo_study):
    uptake = survey_uptake(demo_study)
    started = demo_study.survey_respondents["started"].dt.normalize()
    assert set(uptake["group"]) == {"All responses"}  # the demo records no channel
    assert uptake["n"].sum() == len(demo_study.survey_respondents)
    assert uptake["cumulative"].iloc[-1] == len(demo_study.survey_respondents)
    assert uptake["date"].diff().dropna().eq(pd.Timedelta(days=1)).all()
    assert uptake.set_index("date")["n"].to_dict() == (
        started.value_counts().reindex(uptake["date"], fill_value=0).to_dict()
    )


def test_reminders_come_from_study_yml_and_are_marked(demo_study, demo_raw):
    reminders = load_config(demo_raw).fieldwork["survey_reminders"]
    assert reminders == ["2023-11-06", "2023-11-20"]
    study = _with_report(demo_study, fieldwork={"survey_reminders": reminders})
    assert survey_reminders(study) == [pd.Timestamp(d) for d in reminders]
    uptake = survey_uptake(study)
    assert list(uptake.loc[uptake["reminder"], "date"]) == [pd.Timestamp(d) for d in reminders]
    assert "Reminders went out on 6 Nov 2023" in uptake_text(study)
    # The generator planted a rise after each reminder: more responses in the week from it
    # than in the week before.
    for day in map(pd.Timestamp, reminders):
        after = uptake.loc[uptake["date"].between(day, day + pd.Timedelta(days=6)), "n"].sum()
        before = uptake.loc[uptake["date"].between(day - pd.Timedelta(days=7), day), "n"].sum()
        assert after > before


def test_survey_uptake_by_channel_when_known(demo_study):
    respondents = demo_study.survey_respondents
    channel = (
        respondents["respondent_id"]
        .str[-1]
        .isin(list("02468"))
        .map({True: "Email", False: "Newsletter"})
    )
    study = dataclasses.replace(demo_study, survey_respondents=respondents.assign(channel=channel))
    uptake = survey_uptake(study)
    finals = uptake.groupby("group")["cumulative"].max().to_dict()
    assert finals == channel.value_counts().to_dict()
    assert set(survey_uptake(demo_study, by="status")["group"]) == {"complete", "partial"}
    with pytest.raises(ValueError, match=r"`by` must be one of .* 'colour' was passed"):
        survey_uptake(demo_study, by="colour")


def test_fieldwork_timeline_ends_at_the_totals(demo_study):
    timeline = fieldwork_timeline(demo_study)
    last = timeline.groupby("method")["cumulative"].max().to_dict()
    methods = demo_study.documents["method"].value_counts()
    assert last == {m: methods[m] for m in ("interview", "focus_group", "expert_interview")}


# --- configuration -----------------------------------------------------------------------------


def test_study_yml_fieldwork_section_is_validated(demo_raw, tmp_path):
    text = (demo_raw / "study.yml").read_text(encoding="utf-8")
    bad = text.replace("- '2023-11-20'", "- 'the 20th'") + "\n"
    (tmp_path / "study.yml").write_text(bad.replace("fieldwork:", "fieldwork:\n  launch: 1"))
    with pytest.raises(ValidationError) as info:
        load_config(tmp_path)
    # places carry their YAML line ("line 50, fieldwork.survey_reminders")
    problems = {p.where.split(", ", 1)[-1]: p.problem for p in info.value.problems}
    assert "must be a list of dates" in problems["fieldwork.survey_reminders"]
    assert problems["fieldwork"] == "unknown key(s): launch"
    assert all(p.where.startswith("line ") for p in info.value.problems)


# --- charts ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_dashboard_chart_has_alt_text_with_its_numbers(demo_study):
    study = _with_report(demo_study, fieldwork={"survey_reminders": ["2023-11-06"]})
    charts = fieldwork_charts(study)
    assert set(charts) == {"progress", "sites", "roles", "uptake", "timeline"}
    for figure, alt in charts.values():
        assert isinstance(figure, matplotlib.figure.Figure) and len(alt) > 60
    n = len(demo_study.survey_respondents)
    assert f"reaching {n} against a target of 50" in charts["uptake"][1]
    assert "in the week from the reminder on 6 Nov 2023" in charts["uptake"][1]
    interviews = (demo_study.documents["method"] == "interview").sum()
    assert f"One-to-one interviews {interviews} of 70" in charts["progress"][1]


@pytest.mark.slow
def test_dashboard_charts_save_the_same_bytes_twice(demo_study, tmp_path):
    figure, alt = progress_chart(fieldwork_progress(demo_study))
    first = save_figure(
        figure, notebook="fieldwork", chart="progress", folder=tmp_path / "a", alt=alt
    )
    again = progress_chart(fieldwork_progress(demo_study))
    second = save_figure(
        again[0], notebook="fieldwork", chart="progress", folder=tmp_path / "b", alt=again[1]
    )
    for fmt in ("png", "svg"):
        assert first[fmt].read_bytes() == second[fmt].read_bytes()


@pytest.mark.parametrize(
    "chart", [progress_chart, site_chart, role_chart, uptake_chart, timeline_chart]
)
def test_charts_refuse_a_table_without_their_columns(chart):
    with pytest.raises(ValueError, match="is missing columns"):
        chart(pd.DataFrame({"x": [1]}))


# --- the notebook ------------------------------------------------------------------------------


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_notebook_is_parameterised_clean_thin_and_marked_researcher_only():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    first = _code_cells(nb)[0]
    assert "parameters" in first.metadata.get("tags", [])
    namespace: dict = {}
    exec(first.source, namespace)
    assert {k: v for k, v in namespace.items() if k != "__builtins__"} == {
        "processed": None,
        "figures": None,
    }
    for cell in json.loads(NOTEBOOK.read_text())["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
            tree = ast.parse(
                cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            )
            logic = (ast.FunctionDef, ast.ClassDef, ast.For, ast.While, ast.ListComp,
                     ast.DictComp, ast.SetComp, ast.GeneratorExp, ast.Lambda)  # fmt: skip
            assert not [n for n in ast.walk(tree) if isinstance(n, logic)]
    assert nb.cells[0].cell_type == "markdown"
    assert "research team only" in nb.cells[0].source.casefold()
    tags = [t for c in nb.cells for t in c.metadata.get("tags", [])]
    assert not [t for t in tags if t.startswith("report:")]  # beside the report, not in it


@pytest.mark.slow
def test_notebook_runs_on_the_demo(demo_processed, tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    _code_cells(nb)[
        0
    ].source = f"processed = {str(demo_processed)!r}\nfigures = {str(tmp_path / 'figures')!r}"
    NotebookClient(nb, kernel_name="python3", timeout=300, record_timing=False).execute()
    outputs = [o for c in _code_cells(nb) for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    html = "\n".join(o.get("data", {}).get("text/html", "") for o in outputs)
    text = "\n".join(o.get("data", {}).get("text/markdown", "") for o in outputs)
    images = re.findall(r"<img\b[^>]*>", html)
    assert len(images) == 5 and all(re.search(r'\balt="[^"]{20,}"', i) for i in images)
    saved = sorted(p.name for p in (tmp_path / "figures").glob("*.png"))
    assert saved == [
        f"fieldwork__{c}.png" for c in ("progress", "roles", "sites", "timeline", "uptake")
    ]
    words = re.sub(r"data:image/png;base64,[^\"]*", "", html) + text
    assert not re.search(r"\bP\d{3}\b", words)  # counts only: no pseudonyms
    assert "One-to-one interviews" in text and "to go" in text


def test_the_sites_measure_is_named_as_the_study_names_a_site(demo_study):
    progress = fieldwork_progress(demo_study).set_index("measure")
    assert progress.at["sites", "label"] == "Local authorities"  # site_noun: local authority
    schools = dataclasses.replace(
        demo_study, ingest_report={**demo_study.ingest_report, "site_noun": "school"}
    )
    assert fieldwork_progress(schools).set_index("measure").at["sites", "label"] == "Schools"


def test_a_study_without_targets_assumes_none(demo_study):
    """Targets are the study's own: with none in study.yml nothing is measured against the
    demo's protocol, and the page says which setting would add them."""
    study = _with_report(demo_study, targets={})
    assert all(value is None for value in DEFAULT_TARGETS.values())
    progress = fieldwork_progress(study)
    assert progress["target"].isna().all() and progress["pct"].isna().all()
    assert not progress["behind"].any()
    assert all("no target in study.yml" in note for note in progress["note"])
    assert list(progress["achieved"]) == list(fieldwork_progress(demo_study)["achieved"])
    assert "sets no fieldwork targets" in behind_text(study)
    _figure, alt = progress_chart(progress)
    assert "no fieldwork targets" in alt
    # one target set: only that measure is compared
    some = fieldwork_progress(_with_report(demo_study, targets={"interviews": 60}))
    assert some["target"].notna().sum() == 1
    row = some.set_index("measure").loc["interviews"]
    assert row["pct"] == pytest.approx(row["achieved"] / 60)
