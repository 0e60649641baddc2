"""Optional means optional: the site pages, the survey page, its charts and workbook, and the
fieldwork dashboard build for odd studies, leaving out what is missing with one line that
names the file that would add it, and never a traceback.

Each study is the generator's small 3-site study with something taken away, ingested into a
temporary folder: no survey, a survey nobody answered, a site with no transcripts, no focus
groups, no expert interviews, a single site, no admin data.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import openpyxl
import pandas as pd
import pytest
import yaml

from evstudy import casestudy, load_study
from evstudy.charts.fieldwork import fieldwork_charts
from evstudy.charts.standard import chart_names, survey_charts
from evstudy.excel import write_survey_workbook
from evstudy.fieldwork import behind_text, fieldwork_progress, site_progress, uptake_text
from evstudy.subgroups import comparison_blocks
from evstudy.survey import missing_input, question_blocks, response_text, summary_text

ROOT = Path(__file__).resolve().parents[1]
SURVEY_ANALYSES = {"group_comparison", "awareness_use", "preferred_formats"}


# --- taking things away from a copy of the small study -------------------------------------------


def _drop_documents(raw: Path, gone: Callable[[pd.DataFrame], pd.Series]) -> set[str]:
    """Remove the transcripts the log rows ``gone`` selects, their log rows and codings."""
    path = raw / "fieldwork_log.csv"
    log = pd.read_csv(path, dtype=str, keep_default_na=False)
    drop = gone(log)
    for file in log.loc[drop, "File"]:
        (raw / "transcripts" / file).unlink()
    log[~drop].to_csv(path, index=False, lineterminator="\n")
    ids = set(log.loc[drop, "Document ID"])
    _drop_codings(raw, lambda doc: doc in ids)
    return ids


def _drop_codings(raw: Path, gone: Callable[[str], bool]) -> None:
    for sheet in sorted((raw / "coding").glob("*.xlsx")):
        wb = openpyxl.load_workbook(sheet)
        ws = wb.active
        for row in range(ws.max_row, 1, -1):
            if gone(str(ws.cell(row, 1).value)):
                ws.delete_rows(row)
        wb.save(sheet)


def _edit_study(raw: Path, change: Callable[[dict], None]) -> None:
    path = raw / "study.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(config)
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _no_survey_analyses(config: dict) -> None:
    config["analyses"] = [a for a in config["analyses"] if a["type"] not in SURVEY_ANALYSES]


def _no_survey(raw: Path) -> None:
    (raw / "coding" / "survey_free_text.xlsx").unlink()
    _edit_study(raw, _no_survey_analyses)


def _empty_survey_tables(processed: Path) -> None:
    """The tables of a study with no survey: ingest requires the question map today, so the
    survey's tables are emptied after ingest (their columns kept), as ingest will leave them
    for a study without one."""
    for name in ("survey_questions", "survey_options", "survey_respondents", "survey_answers"):
        table = pd.read_parquet(processed / f"{name}.parquet")
        table.iloc[:0].to_parquet(processed / f"{name}.parquet", index=False)
    documents = pd.read_parquet(processed / "documents.parquet")
    survey = set(documents.loc[documents["method"] == "survey", "doc_id"])
    for name in ("documents", "turns", "codings"):
        table = pd.read_parquet(processed / f"{name}.parquet")
        table[~table["doc_id"].isin(survey)].to_parquet(processed / f"{name}.parquet", index=False)


def _no_responses(raw: Path) -> None:
    for export in sorted((raw / "survey").glob("smartsurvey_export.*")):
        export.unlink()
    source = raw.parent / "full_export.csv"
    header = source.read_text(encoding="utf-8").splitlines(keepends=True)[:3]
    (raw / "survey" / "smartsurvey_export.csv").write_text("".join(header), encoding="utf-8")
    (raw / "coding" / "survey_free_text.xlsx").unlink()


def _drop_rows(path: Path, column: str, keep: set[str]) -> None:
    """Delete the rows of a workbook's first sheet whose ``column`` is set and not in ``keep``."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    header = [c.value for c in ws[1]]
    at = header.index(column) + 1
    for row in range(ws.max_row, 1, -1):
        value = ws.cell(row, at).value
        if value not in (None, "") and str(value) not in keep:
            ws.delete_rows(row)
    wb.save(path)


def _single_site(raw: Path) -> None:
    sites = pd.read_csv(raw / "sites.csv", dtype=str, keep_default_na=False)
    sites.iloc[:1].to_csv(raw / "sites.csv", index=False, lineterminator="\n")
    first = {sites.at[0, "site_id"], sites.at[0, "site_name"]}
    _drop_documents(raw, lambda log: ~log["Site"].isin(["", *first]))
    _drop_rows(raw / "register.xlsx", "Site", first)
    _drop_rows(raw / "admin" / "admin_data.xlsx", "Site", first)


AFTER_INGEST = {"no_survey": _empty_survey_tables}
VARIANTS: dict[str, Callable[[Path], None]] = {
    "no_survey": _no_survey,
    "no_responses": _no_responses,
    "site_without_transcripts": lambda raw: _drop_documents(raw, lambda log: log["Site"] == "S03"),
    "no_focus_groups": lambda raw: _drop_documents(raw, lambda log: log["Method"] == "Focus group"),
    "no_expert_interviews": lambda raw: _drop_documents(
        raw, lambda log: log["Method"] == "Expert interview"
    ),
    "no_admin": lambda raw: (raw / "admin" / "admin_data.xlsx").unlink(),
    "single_site": _single_site,
}


@pytest.fixture(scope="module")
def odd(small_study, tmp_path_factory) -> Callable[[str], object]:
    """``odd(name)``: the small study with VARIANTS[name] applied, ingested, loaded (cached)."""
    from evstudy.ingest import ingest

    made: dict[str, object] = {}

    def make(name: str):
        if name not in made:
            folder = tmp_path_factory.mktemp(name)
            raw = folder / "raw"
            shutil.copytree(small_study, raw)
            shutil.copy(raw / "survey" / "smartsurvey_export.csv", folder / "full_export.csv")
            VARIANTS[name](raw)
            ingest(raw, folder / "processed", key_dir=folder / "keys")
            AFTER_INGEST.get(name, lambda _: None)(folder / "processed")
            made[name] = load_study(folder / "processed")
        return made[name]

    return make


def _page(study, site: str) -> list:
    """Every call the site's page makes, in the notebook's order."""
    return [
        casestudy.profile_text(study, site=site),
        casestudy.site_attributes(study, site=site),
        casestudy.admin_summary(study, site=site),
        casestudy.site_documents(study, site=site),
        casestudy.participation(study, site=site),
        casestudy.typology_blocks(study, site=site),
        casestudy.theme_blocks(study, site=site),
        casestudy.good_practice(study, site=site),
        casestudy.key_quotes(study, site=site),
        casestudy.comparison_text(study, site=site),
    ]


# --- the survey ----------------------------------------------------------------------------------


def test_no_survey_leaves_the_survey_out_and_says_which_file_adds_it(odd, tmp_path):
    study = odd("no_survey")
    assert study.survey_questions.empty
    assert chart_names(study) == {} and survey_charts(study) == {}
    assert question_blocks(study, {}) == [] and comparison_blocks(study) == []
    line = missing_input("No survey", "question_map")
    assert "`survey/question_map.yml`" in line and line.startswith("*No survey:")
    workbook = openpyxl.load_workbook(write_survey_workbook(study, tmp_path / "t.xlsx"))
    assert workbook.sheetnames[:2] == ["Notes", "Response"]
    # the fieldwork dashboard counts no survey responses, and says so
    assert fieldwork_progress(study).set_index("measure").at["survey_responses", "achieved"] == 0
    assert len(site_progress(study)) and behind_text(study)
    assert isinstance(uptake_text(study), str)
    assert set(fieldwork_charts(study)) >= {"progress", "sites"}
    for site in study.sites["site_id"]:  # the site pages never needed the survey
        assert _page(study, site)[0].startswith(
            study.sites.set_index("site_id").at[site, "site_name"]
        )


def test_a_survey_nobody_answered(odd, tmp_path):
    study = odd("no_responses")
    assert len(study.survey_questions) and study.survey_respondents.empty
    assert response_text(study).startswith("Nobody has responded to the survey yet")
    assert survey_charts(study) == {}
    assert question_blocks(study, {}) == [] and comparison_blocks(study) == []
    question = study.survey_questions["question_id"].iloc[0]
    assert summary_text(study, question) == "No respondent answered this question."
    write_survey_workbook(study, tmp_path / "t.xlsx")


# --- the site pages ------------------------------------------------------------------------------


def test_a_site_without_transcripts_gets_a_page_with_its_context_only(odd):
    study = odd("site_without_transcripts")
    page = _page(study, "S03")
    assert page[3].empty  # no documents
    assert page[5] == [] and page[6] == []  # no typology, no themes
    assert page[9].startswith("Nothing coded at")
    # the other sites still compare, now with two sites' transcripts
    assert "the mean of both local authorities" in casestudy.comparison_text(study, site="S01")


@pytest.mark.parametrize("variant", ["no_focus_groups", "no_expert_interviews", "no_admin"])
def test_pages_build_without_an_optional_input(odd, variant):
    study = odd(variant)
    for site in study.sites["site_id"]:
        page = _page(study, site)
        assert not [p for p in page if isinstance(p, str) and re.search(r"\bNone\b|\bnan\b", p)]
    if variant == "no_admin":
        assert study.admin.empty
        assert casestudy.admin_summary(study, site="S01").empty
        assert "`admin/admin_data.xlsx`" in missing_input("No admin data", "admin")
    if variant == "no_focus_groups":
        assert "focus_group" not in set(study.documents["method"])
        assert "Focus group" not in set(casestudy.site_documents(study, site="S01")["method"])


def test_a_single_site(odd):
    study = odd("single_site")
    assert list(study.sites["site_id"]) == ["S01"]
    page = _page(study, "S01")
    name = study.sites.at[0, "site_name"]
    assert page[0].startswith(f"{name} is the study's one local authority.")
    assert len(page[6])  # its themes
    # the mean of one site is the site itself: there is nothing to compare it with
    assert (
        page[9]
        == f"{name} is the study's only local authority, so there is no other to compare it with."
    )


# --- notebooks on odd studies --------------------------------------------------------------------


def _execute(name: str, parameters: dict):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = "\n".join(f"{key} = {value!r}" for key, value in parameters.items())
    NotebookClient(nb, kernel_name="python3", timeout=300, record_timing=False).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    return "\n".join(o.get("data", {}).get("text/markdown", "") for o in outputs)


@pytest.mark.slow
def test_notebooks_run_on_a_study_without_a_survey_or_a_sites_transcripts(odd, tmp_path):
    study = odd("no_survey")
    processed = str(study.path)
    text = _execute("survey", {"processed": processed, "figures": str(tmp_path)})
    assert "*No survey: `survey/question_map.yml`" in text
    text = _execute("fieldwork", {"processed": processed, "figures": str(tmp_path)})
    study = odd("site_without_transcripts")
    text = _execute(
        "site_case_study",
        {"processed": str(study.path), "figures": str(tmp_path), "site": "s03"},
    )
    assert "*No transcript from" in text and "`fieldwork_log.csv`" in text
    assert "None" not in text.replace("None of", "") and "nan" not in text


@pytest.mark.slow
def test_site_notebook_refuses_an_unknown_site_with_the_studys_sites(odd, tmp_path):
    study = odd("no_admin")
    with pytest.raises(Exception, match=r"`site` must be one of the study's 3 local authorities"):
        _execute("site_case_study", {"processed": str(study.path), "figures": None, "site": "S9"})


@pytest.mark.slow
def test_notebooks_run_on_a_survey_nobody_answered_and_a_single_site(odd, tmp_path):
    study = odd("no_responses")
    text = _execute("survey", {"processed": str(study.path), "figures": str(tmp_path)})
    assert "Nobody has responded to the survey yet" in text
    assert not list(tmp_path.glob("survey__*"))  # no chart of nothing
    study = odd("single_site")
    parameters = {"processed": str(study.path), "figures": str(tmp_path), "site": None}
    text = _execute("site_case_study", parameters)
    name = study.sites.at[0, "site_name"]
    assert f"# {name} (S01)" in text  # site=None: the study's first (and only) site
    assert "The study has one site, so there is none to compare it with" in text
