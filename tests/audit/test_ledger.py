"""evstudy.audit.ledger: the whole publication's counts of people, checked together."""

from __future__ import annotations

from pathlib import Path

import pytest

from evstudy import load_study
from evstudy.audit.ledger import WHY_RECOVERED, WHY_SMALL, ledger_findings, ledger_notices
from evstudy.disclosure import (
    ledger_key,
    ledger_suppression,
    make_ledger,
    publication_ledger,
)
from evstudy.ingest import ingest

ROOT = Path(__file__).resolve().parents[2]
SECOND = ROOT / "tests" / "fixtures" / "studies" / "second_study"


def _pages(reports: Path, ledger) -> Path:
    """Stand-ins for the published files the ledger names (the audit reports only those)."""
    for page in set(ledger["page"]):
        path = reports / page.removeprefix("reports/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    return reports


def _hand_made(shown_groups: str):
    total = ledger_key("participants", site="A")
    interviews = ledger_key("participants", site="A", method="interview")
    groups = ledger_key("participants", site="A", method="focus_group")
    cell = {"row": "", "column": ""}
    ledger = make_ledger(
        [
            {"page": "reports/sites/A.html", "table": "Who took part", "key": interviews,
             "value": 2, "shown": "c", **cell},
            {"page": "reports/sites/A.html", "table": "Who took part", "key": groups,
             "value": 9, "shown": shown_groups, **cell},
            {"page": "reports/index.html", "table": "Methods", "key": total, "value": 11,
             "shown": "clear", **cell},
        ],
        [(total, [interviews, groups])],
    )  # fmt: skip
    ledger.attrs["hidden"] = ledger_suppression(ledger, threshold=5)
    return ledger


def test_a_count_worked_out_from_another_page_is_a_finding_naming_the_page(demo_study, tmp_path):
    ledger = _hand_made(shown_groups="clear")  # the 9 is printed: the "c" is 11 - 9
    found = ledger_findings(demo_study, _pages(tmp_path, ledger), ledger=ledger)
    assert [(f[0], f[1], f[3]) for f in found] == [
        ("reports/sites/A.html", "Who took part", WHY_RECOVERED)
    ]
    assert "2" not in found[0][2]  # the finding never prints the count


def test_what_pages_print_without_the_ledger_is_a_notice_when_not_strict(demo_study, tmp_path):
    ledger = _hand_made(shown_groups="clear")  # a page prints the 9 whatever the ledger says
    reports = _pages(tmp_path, ledger)
    assert ledger_findings(demo_study, reports, ledger=ledger, strict=False) == []
    notices = ledger_notices(demo_study, reports, ledger=ledger)
    assert [(n[0], n[3]) for n in notices] == [("reports/sites/A.html", WHY_RECOVERED)]


def test_the_decision_over_the_ledger_leaves_no_finding(demo_study, tmp_path):
    ledger = _hand_made(shown_groups="auto")  # the ledger may hide the 9 as well
    assert ledger_findings(demo_study, _pages(tmp_path, ledger), ledger=ledger) == []


def test_a_small_count_printed_in_clear_is_a_finding(demo_study, tmp_path):
    cell = {"table": "Text", "row": "", "column": "", "shown": "clear"}
    ledger = make_ledger(
        [{**cell, "page": "reports/index.html", "key": "participants|site=A", "value": 3}]
    )
    ledger.attrs["hidden"] = frozenset()
    found = ledger_findings(demo_study, _pages(tmp_path, ledger), ledger=ledger)
    assert [(f[0], f[3]) for f in found] == [("reports/index.html", WHY_SMALL.format(m=5))]
    # A page that is not published is not reported.
    assert ledger_findings(demo_study, tmp_path / "nothing", ledger=ledger) == []


def test_the_demo_publication_passes(demo_study, tmp_path):
    ledger = publication_ledger(demo_study)
    assert ledger.attrs["hidden"]  # the demo has small counts to withhold
    assert ledger_findings(demo_study, _pages(tmp_path, ledger)) == []


@pytest.fixture(scope="module")
def second_study(tmp_path_factory):
    out = tmp_path_factory.mktemp("second-ledger")
    ingest(SECOND, out / "processed", key_dir=out / "keys")
    return load_study(out / "processed")


def test_the_second_study_tables_the_ledger_decides_pass(second_study, tmp_path):
    """What this branch controls passes: no small count in a table that consults the ledger."""
    ledger = publication_ledger(second_study)
    k = second_study.disclosure["suppress_max"]
    auto = ledger[
        (ledger["shown"] == "auto") & ledger["value"].between(1, k) & ~ledger["whole_sample"]
    ]
    assert len(auto) and auto["key"].isin(ledger.attrs["hidden"]).all()
    found = ledger_findings(second_study, _pages(tmp_path, ledger))
    assert not [f for f in found if f[3] == WHY_SMALL.format(m=k)]


def test_the_second_study_publication_passes(second_study, tmp_path):
    """Strict: every printer consults the ledger, so nothing is left to a notice."""
    ledger = publication_ledger(second_study)
    reports = _pages(tmp_path, ledger)
    assert ledger_findings(second_study, reports) == []
    assert ledger_notices(second_study, reports) == []
    # The printers the ledger's first version listed as not consulting it now do.
    consult = ledger["table"].isin(
        ["Participants by site and theme", "How the site compares", "Who took part (text)"]
    )
    assert (ledger.loc[consult, "shown"] == "auto").all() and consult.sum() > 0
