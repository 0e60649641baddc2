"""The second study (issue 16, section 4): a hand-written study that shares nothing with the demo.

``tests/fixtures/studies/second_study`` is a complete raw folder on another topic, with its
own sites, role groups, codebook, research questions and SmartSurvey questions (see its
PLANTED.md). These tests ingest it, check the finding planted in it, run reliability and
saturation on it and build its whole report. Expected figures are counted here from the
raw files themselves, not copied from the analysis.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import shutil
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from evstudy import load_study, reliability_table, saturation_table
from evstudy.ingest import ingest
from evstudy.triangulation import joint_display, joint_display_table

ROOT = Path(__file__).resolve().parents[1]
STUDIES = ROOT / "tests" / "fixtures" / "studies"
SECOND = STUDIES / "second_study"
DEMO = ROOT / "data" / "raw"
PLANTED = "staffing.toll"  # the barrier interviews stress and the survey ranks low
QUALITATIVE = {"Interview", "Focus group"}


# --- the raw files, read plainly -------------------------------------------------------------


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _log() -> list[dict[str, str]]:
    return _csv(SECOND / "fieldwork_log.csv")


def _codings() -> list[dict[str, str]]:
    rows = []
    for sheet in sorted((SECOND / "coding").glob("*.csv")):
        rows += _csv(sheet)
    return rows


def _export() -> tuple[list[str], list[str], list[list[str]]]:
    """The SmartSurvey export: line 1, line 2 and the data lines (line 3 is blank)."""
    with (SECOND / "survey" / "smartsurvey_export.csv").open(encoding="utf-8", newline="") as f:
        lines = list(csv.reader(f))
    return lines[0], lines[1], lines[3:]


def _block(question_text: str) -> range:
    """The export's columns under one question (its text on line 1, then blanks)."""
    head, _, _ = _export()
    wanted = question_text.replace("'", "@SQ@")
    start = head.index(wanted)
    stop = next((c for c in range(start + 1, len(head)) if head[c]), len(head))
    return range(start, stop)


def _question(qid: str) -> dict:
    return next(
        q for q in _yaml(SECOND / "survey" / "question_map.yml")["questions"] if q["id"] == qid
    )


def _option_code(question: dict, code: str) -> str:
    return next(
        o["label"] for o in question["options"] if isinstance(o, dict) and o.get("code") == code
    )


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("second")
    ingest(SECOND, out / "processed", key_dir=out / "keys")
    return out / "processed"


@pytest.fixture(scope="module")
def study(processed):
    return load_study(processed)


# --- the fixture itself ----------------------------------------------------------------------


def _builder():
    spec = importlib.util.spec_from_file_location(
        "build_second_study", STUDIES / "build_second_study.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_binary_files_are_what_the_builder_writes():
    built = _builder().built_files()
    committed = {
        p.relative_to(SECOND).as_posix(): p.read_bytes()
        for p in SECOND.rglob("*")
        if p.suffix in (".docx", ".xlsx")
    }
    assert sorted(built) == sorted(committed)  # no binary without a source, and none missing
    for rel, content in built.items():
        assert content == committed[rel], f"{rel} differs from build_second_study.py's output"
    assert _builder().built_files() == built  # and writing twice gives the same bytes


def test_shares_no_identifier_with_the_demo():
    ours = _yaml(SECOND / "codebook.yml")["codes"]
    demo = _yaml(DEMO / "codebook.yml")["codes"]
    assert not {c["id"] for c in ours} & {c["id"] for c in demo}
    assert not {c["id"].split(".")[0] for c in ours} & {c["id"].split(".")[0] for c in demo}
    qids = {q["id"] for q in _yaml(SECOND / "survey" / "question_map.yml")["questions"]}
    assert not qids & {q["id"] for q in _yaml(DEMO / "survey" / "question_map.yml")["questions"]}
    ours_sites, demo_sites = _csv(SECOND / "sites.csv"), _csv(DEMO / "sites.csv")
    for key in ("site_id", "site_name"):
        assert not {s[key] for s in ours_sites} & {s[key] for s in demo_sites}
    groups = set(_yaml(SECOND / "study.yml")["role_groups"]["labels"])
    assert not groups & set(_yaml(DEMO / "study.yml")["role_groups"]["labels"])
    # the study's optional site attributes are blank somewhere, to exercise "never None"
    assert any(not s["region"] and not s["imd_decile"] for s in ours_sites)


# --- 1. it ingests cleanly -------------------------------------------------------------------


def test_ingest_counts_match_the_raw_files(study):
    log = _log()
    codings = _codings()
    _, _, data = _export()
    comments = _block(_question("anything_else")["text"])
    counts = study.ingest_report["counts"]

    assert len(study.sites) == len(_csv(SECOND / "sites.csv")) == 3
    by_method = Counter(row["Method"].lower().replace(" ", "_") for row in log)
    n_comments = sum(1 for row in data if row[comments.start].strip())
    assert study.documents["method"].value_counts().to_dict() == by_method | {"survey": n_comments}
    assert len(study.participants) == len(_csv(STUDIES / "second_study_src" / "register.csv"))
    assert len(study.survey_respondents) == len(data)
    assert counts["codings"] == len(study.codings) == len(codings)
    assert study.codings["coder"].value_counts().to_dict() == Counter(r["Coder"] for r in codings)
    assert study.ingest_report["warnings"] == []
    # every role group the study declares is used, and no other
    assert set(study.participants["role_group"]) == set(
        _yaml(SECOND / "study.yml")["role_groups"]["labels"]
    )


def test_every_transcript_coding_lands_on_a_participant(study):
    from evstudy.coding import coded_segments

    segments = coded_segments(study)
    transcripts = segments[~segments["doc_id"].str.startswith("SVY-")]
    assert len(transcripts) == sum(1 for r in _codings() if not r["Document"].startswith("SVY-"))
    assert set(transcripts["speaker_role"]) == {"participant"}


def test_blank_site_attributes_stay_missing(study):
    blank = {s["site_id"] for s in _csv(SECOND / "sites.csv") if not s["region"]}
    rows = study.sites[study.sites["site_id"].isin(blank)]
    assert len(rows) == len(blank) == 1
    assert rows[["tier", "region", "rurality", "imd_decile"]].isna().all(axis=None)


def test_the_declarations_reach_the_study(study):
    """study.yml's research questions and population (contract-16) are carried to the Study."""
    declared = _yaml(SECOND / "study.yml")
    questions = study.research_questions
    assert list(questions["rq_id"]) == [str(q["id"]) for q in declared["research_questions"]]
    assert list(questions["title"]) == [q["title"] for q in declared["research_questions"]]
    assert study.population == declared["population"]
    assert study.site_noun == "area"


# --- 2. the planted dissonance ---------------------------------------------------------------


def test_the_planted_barrier_is_dissonance(study):
    display = joint_display(study).set_index("code_id")
    row = display.loc[PLANTED]

    # The survey side, counted from the export: who ticked the option, of those who ticked any.
    obstacles = _question("obstacles")
    block = _block(obstacles["text"])
    _, subs, data = _export()
    label = _option_code(obstacles, PLANTED).replace("'", "@SQ@")
    column = next(c for c in block if subs[c] == label)
    answered = [r for r in data if any(r[c].strip() for c in block)]
    ticked = sum(1 for r in answered if r[column].strip())
    assert (row["survey_n"], row["survey_base"]) == (ticked, len(answered))
    assert ticked / len(answered) < 0.1

    # The interview side, counted from the primary coder's rows and the transcripts' speakers.
    speaker = study.turns.set_index(["doc_id", "turn"])["participant_id"]
    qual_docs = {r["Document ID"] for r in _log() if r["Method"] in QUALITATIVE}
    coded = defaultdict(set)
    for r in _codings():
        if r["Coder"] == "IT" and r["Document"] in qual_docs:
            coded[r["Code"]].add(speaker[(r["Document"], int(r["Turn"]))])
    assert row["qual_n"] == len(coded[PLANTED])
    assert row["qual_base"] == len(set().union(*coded.values()))
    assert row["qual_n"] / row["qual_base"] > 0.7

    assert (row["qual_tier"], row["survey_tier"]) == ("high", "low")
    assert row["rule"] == row["convergence"] == "dissonance"
    # it is the only dissonance: the study plants one finding, not several
    assert list(display.index[display["convergence"] == "dissonance"]) == [PLANTED]


def test_interviews_and_focus_groups_are_separate_columns(study):
    """Issue 20 §4: each method is counted and tiered on its own, never pooled."""
    display = joint_display(study).set_index("code_id")
    row = display.loc[PLANTED]
    speaker = study.turns.set_index(["doc_id", "turn"])["participant_id"]
    method = {r["Document ID"]: r["Method"] for r in _log()}
    coded = defaultdict(set)
    base = defaultdict(set)
    for r in _codings():
        if r["Coder"] == "IT" and method.get(r["Document"]) in QUALITATIVE:
            who = speaker[(r["Document"], int(r["Turn"]))]
            base[method[r["Document"]]].add(who)
            if r["Code"] == PLANTED:
                coded[method[r["Document"]]].add(who)
    # PLANTED.md: 6 of 8 interviewees, 7 of 9 focus-group participants
    assert (row["interview_n"], row["interview_base"]) == (len(coded["Interview"]), 8) == (6, 8)
    assert (row["focus_group_n"], row["focus_group_base"]) == (7, 9)
    assert len(base["Focus group"]) == 9
    # The focus groups place it clearly above the other obstacles (7 of 9, Wilson 45% to 94%,
    # against their median share of 2 of 9); the interviews' interval (6 of 8, 41% to 93%)
    # does not clear their median of 4 of 8. One method against the survey's last place is
    # enough for dissonance.
    assert (row["interview_tier"], row["focus_group_tier"]) == ("typical", "high")
    assert (row["interview_rank"], row["focus_group_rank"], row["survey_rank"]) == (2, 1, 7)
    assert "focus groups high (rank 1 of 7)" in row["reason"]
    assert "the survey low (rank 7 of 7)" in row["reason"]
    table = joint_display_table(display.reset_index())
    assert {"interviews", "focus_groups", "outside"} <= set(table.columns)
    # the national adviser is outside the population: in its own column, in no base
    assert row["outside_base"] == 1 and "national adviser participants" in row["outside"]


# --- 3. reliability and saturation -----------------------------------------------------------


def _kappa(a: set, b: set, units: int) -> float:
    both, only_a, only_b = len(a & b), len(a - b), len(b - a)
    neither = units - both - only_a - only_b
    observed = (both + neither) / units
    pa, pb = (both + only_a) / units, (both + only_b) / units
    expected = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def test_reliability_matches_a_hand_count(study):
    rows = [r for r in _codings() if not r["Document"].startswith("SVY-")]
    coders = defaultdict(set)
    for r in rows:
        coders[r["Document"]].add(r["Coder"])
    double = sorted(d for d, who in coders.items() if who == {"IT", "DC"})
    assert len(double) == 3
    # units: the participants' turns of those documents, never the research team's
    turns = study.turns[study.turns["doc_id"].isin(double)]
    units = int((turns["speaker_role"] == "participant").sum())
    assert units < len(turns)  # the interviewers' and facilitator's turns are left out
    table = reliability_table(study).set_index("code_id")
    assert set(table.loc["overall", "coders"].split(", ")) == {"IT", "DC"}
    for code in {r["Code"] for r in rows if r["Document"] in double}:
        marks = {
            coder: {
                (r["Document"], r["Turn"])
                for r in rows
                if r["Code"] == code and r["Coder"] == coder and r["Document"] in double
            }
            for coder in ("IT", "DC")
        }
        assert table.loc[code, "n_units"] == units
        assert table.loc[code, "kappa"] == pytest.approx(_kappa(marks["IT"], marks["DC"], units))
    assert (table["kappa"] < 1).sum() >= 3  # the second coder differs on a few codes


def test_saturation_matches_a_hand_count(study):
    interviews = sorted((r["Date"], r["Document ID"]) for r in _log() if r["Method"] == "Interview")
    order = [doc for _, doc in interviews]
    codes = defaultdict(set)
    for r in _codings():
        if r["Coder"] == "IT":
            codes[r["Document"]].add(r["Code"])
    base = set().union(*(codes[d] for d in order[:4]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # too few focus groups and expert interviews
        table = saturation_table(study)
    table = table[table["method"] == "interview"]
    assert set(table["n_documents"]) == {len(order)}
    assert set(table["base_codes"]) == {len(base)}
    first = table[table["window_start"] == 5].iloc[0]
    assert first["new_code_ids"] == ", ".join(
        sorted(set().union(codes[order[4]], codes[order[5]]) - base)
    )
    # saturated at the first window of two interviews that adds no code beyond the base run
    expected = next(
        end
        for end in range(6, len(order) + 1)
        if not (
            (codes[order[end - 2]] | codes[order[end - 1]])
            - set().union(*(codes[d] for d in order[: end - 2]))
        )
    )
    assert table.loc[table["first_saturation"], "window_end"].tolist() == [expected]


# --- 4. the whole report ---------------------------------------------------------------------

# Demo theme and question ids that are also ordinary words a generic report may use.
ORDINARY = {
    "approach": "an ordinary word",
    "influence": "an ordinary word",
    "evidence": "an ordinary word",
    "barrier": "COM-B barriers, an ordinary word",
    "enabler": "COM-B enablers, an ordinary word",
    "guide": "an ordinary word",
    "emergent": "an ordinary word",
    "role": "a column of every study",
    "organisation": "a column of every study",
    "site": "a column of every study",
    "years": "an ordinary word",
    "influences": "an ordinary word",
    "barriers": "COM-B barriers, an ordinary word",
    "enablers": "COM-B enablers, an ordinary word",
    "comments": "an ordinary word",
    "Case studies": "the report's own name for the site pages",
}
LITERALS = ("WWCSC", "EIF", "Practice Guide", "Evidence Store")


def _demo_words() -> set[str]:
    book = _yaml(DEMO / "codebook.yml")["codes"]
    questions = _yaml(DEMO / "survey" / "question_map.yml")["questions"]
    words = {c["id"] for c in book} | {c["label"] for c in book} | {q["id"] for q in questions}
    for q in questions:  # the toolkit names (grid items that are codes of the resources theme)
        words |= {
            i["label"] for i in q.get("items", []) if i.get("code", "").startswith("toolkit.")
        }
    for site in _csv(DEMO / "sites.csv"):
        words |= {site["site_id"], site["site_name"]}
    return (words | set(LITERALS)) - set(ORDINARY)


def _page_text(path: Path) -> str:
    import lxml.html

    tree = lxml.html.fromstring(path.read_bytes())
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    return " ".join(tree.text_content().split())


@pytest.fixture(scope="module")
def second_build(tmp_path_factory):
    from evstudy.build.pipeline import build

    tmp = tmp_path_factory.mktemp("second-build")
    shutil.copytree(SECOND, tmp / "raw")  # the identity key goes beside this copy
    shutil.copytree(ROOT / "notebooks", tmp / "notebooks")
    folders = {
        "raw": tmp / "raw",
        "processed": tmp / "data" / "processed",
        "reports": tmp / "reports",
        "figures": tmp / "figures",
        "notebooks": tmp / "notebooks",
        "label_root": tmp,
    }
    summary = build(**folders, kernel_name="python3", progress=False)
    return summary, folders


@pytest.mark.slow
def test_the_second_study_builds_a_report_of_its_own(second_build):
    summary, folders = second_build
    assert summary.ok, summary.text()
    reports = folders["reports"]
    # The build's audit is strict about the publication ledger (issue 20 section 5): every
    # page's counts of people consult it, so a build that published passed it; again here.
    from evstudy.audit import audit_outputs
    from evstudy.audit.ledger import WHY_RECOVERED, WHY_SMALL

    found = audit_outputs(
        raw=folders["raw"],
        processed=folders["processed"],
        figures=folders["figures"],
        reports=reports,
    )
    small = WHY_SMALL.format(m=_yaml(SECOND / "study.yml")["disclosure"]["suppress_max"])
    assert not found[found["why"].isin([small, WHY_RECOVERED])].to_dict("records")
    assert not found.attrs["ledger"]  # nothing left to a notice
    pages = sorted(reports.rglob("*.html"))
    assert reports / "index.html" in pages
    sites = {s["site_id"] for s in _csv(SECOND / "sites.csv")}
    assert {p.stem for p in (reports / "sites").glob("*.html")} == sites

    # no demo word in any page
    words = _demo_words()
    for page in pages:
        text = _page_text(page)
        found = sorted(
            w
            for w in words
            if re.search(
                rf"(?<![\w.]){re.escape(w)}(?![\w])", text, re.IGNORECASE if " " in w else 0
            )
        )
        assert not found, f"{page.relative_to(reports)} carries demo words: {found}"
        # blank optional site attributes are left out, never printed
        # a missing value printed as text; "None of them ..." is a participant's English
        assert not re.search(r"\b(nan|NaN)\b|\bNone\b(?! of\b)", text), (
            f"{page.relative_to(reports)} prints None/nan"
        )

    # its own research questions head the findings, in order
    import lxml.html

    index = lxml.html.fromstring((reports / "index.html").read_bytes())
    headings = [" ".join(h.text_content().split()) for h in index.xpath("//h1|//h2|//h3|//h4")]
    titles = [q["title"] for q in _yaml(SECOND / "study.yml")["research_questions"]]
    places = []
    for title in titles:
        hits = [i for i, h in enumerate(headings) if title.casefold() in h.casefold()]
        assert hits, f"no heading carries the research question {title!r}: {headings}"
        places.append(hits[0])
    assert places == sorted(places), headings

    # the planted finding is reported as dissonance
    label = next(c["label"] for c in _yaml(SECOND / "codebook.yml")["codes"] if c["id"] == PLANTED)
    rows = [
        " ".join(e.text_content().split())
        for e in index.xpath("//tr|//p|//li")
        if label in e.text_content()
    ]
    assert any("dissonance" in r.lower() for r in rows), rows


def test_its_expert_interviewees_are_quoted_as_experts(study):
    """The second study's expert interviewee is a "national_adviser", not the demo's
    "expert": quotes from the expert interview still never carry a role group and site,
    and the attribution groups count them apart from the areas' staff."""
    from evstudy.coding import attribution_groups, quotes

    log = _log()
    expert_docs = {r["Document ID"] for r in log if r["Method"] == "Expert interview"}
    assert expert_docs
    found = quotes(study)
    from_experts = found[found["doc_id"].isin(expert_docs)]
    assert len(from_experts)
    assert set(from_experts["attribution"]) == {"Interviewee"}  # only one expert: fewer than k
    assert not found.loc[~found["doc_id"].isin(expert_docs), "attribution"].eq("Interviewee").any()
    groups = attribution_groups(study).set_index("population")
    assert groups.loc["experts", "n"] == 1
    staff = groups.loc["participants"]
    assert "national_adviser" not in set(staff["role_group"])


def test_its_filters_take_its_own_names(study):
    """Sites, role groups and methods by the names the second study's own files give them
    (its site table, its study.yml labels), and its own did-you-mean error."""
    from evstudy.coding import code_matrix, quotes
    from evstudy.matrices import site_comparison

    sites = _csv(SECOND / "sites.csv")
    labels = _yaml(SECOND / "study.yml")["role_groups"]["labels"]
    first = sites[0]
    by_name = quotes(study, site=first["site_name"].upper())
    assert len(by_name) and by_name.equals(quotes(study, site=first["site_id"]))
    for group, label in labels.items():
        assert quotes(study, role_group=label).equals(quotes(study, role_group=group)), label
    assert quotes(study, method="Expert interview").equals(quotes(study, method="expert_interview"))
    assert site_comparison(study, site=first["site_name"]).equals(
        site_comparison(study, site=first["site_id"])
    )
    book = _yaml(SECOND / "codebook.yml")["codes"]
    theme = next(c for c in book if not c.get("parent"))
    assert code_matrix(study, codes=theme["label"]).equals(code_matrix(study, codes=theme["id"]))
    typo = first["site_name"][:-1]
    shown = ", ".join(f"{s['site_id']} {s['site_name']}" for s in sites)
    with pytest.raises(ValueError) as info:
        quotes(study, site=typo)
    assert str(info.value) == (
        f"`site` must be one of the study's {len(sites)} {study.site_noun}s ({shown}), but "
        f"{typo!r} was passed; did you mean {first['site_name']!r} ({first['site_id']})?"
    )
