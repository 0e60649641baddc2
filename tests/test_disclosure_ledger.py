"""The publication ledger (issue 20 §5): every count of people, on every page, taken together."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from evstudy import casestudy
from evstudy.disclosure import (
    MARKER,
    ledger_intervals,
    ledger_key,
    ledger_suppression,
    make_ledger,
    publication_ledger,
)
from evstudy.excel import write_survey_workbook

SITE_TOTAL = ledger_key("participants", site="A")
INTERVIEWS = ledger_key("participants", site="A", method="interview")
GROUPS = ledger_key("participants", site="A", method="focus_group")


def _two_pages(groups_shown: str = "auto") -> pd.DataFrame:
    """A site page's table (2 interviewees, 9 in focus groups) and another page's text (11)."""
    cell = {"row": "", "column": ""}
    return make_ledger(
        [
            {"page": "a.html", "table": "Who took part", "key": INTERVIEWS, "value": 2,
             "shown": "auto", **cell},
            {"page": "a.html", "table": "Who took part", "key": GROUPS, "value": 9,
             "shown": groups_shown, **cell},
            {"page": "b.html", "table": "text", "key": SITE_TOTAL, "value": 11, "shown": "clear",
             **cell},
        ],
        [(SITE_TOTAL, [INTERVIEWS, GROUPS])],
    )  # fmt: skip


def test_ledger_key_is_the_same_whatever_order_the_dimensions_come_in():
    assert ledger_key("participants", site="S1", role_group="x") == ledger_key(
        "participants", role_group="x", site="S1"
    )
    assert ledger_key("participants", site="S1", code=None) == "participants|site=S1"


def test_the_lp_recovers_a_cell_by_subtraction_across_two_pages():
    ledger = _two_pages()
    # Primary suppression alone: the 2 is "c" on page a, but 11 - 9 on page b gives it.
    found = ledger_intervals(ledger, {INTERVIEWS}).set_index("key")
    assert found.at[INTERVIEWS, "lower"] == pytest.approx(2)
    assert found.at[INTERVIEWS, "upper"] == pytest.approx(2)
    assert found.at[INTERVIEWS, "determined"] and found.at[INTERVIEWS, "pages"] == "a.html"


def test_secondary_suppression_over_the_ledger_prevents_it():
    ledger = _two_pages()
    hidden = ledger_suppression(ledger, threshold=5)
    assert hidden == {INTERVIEWS, GROUPS}  # the 9 is the only count left to hide behind
    found = ledger_intervals(ledger, hidden).set_index("key")
    # interviews + focus groups = 11, each at least 1: 1..10 for either.
    assert (found.at[INTERVIEWS, "lower"], found.at[INTERVIEWS, "upper"]) == pytest.approx((1, 10))
    assert not found["determined"].any()


def test_a_count_printed_in_clear_elsewhere_cannot_hide_it():
    ledger = _two_pages(groups_shown="clear")
    hidden = ledger_suppression(ledger, threshold=5)
    assert hidden == {INTERVIEWS}
    assert ledger_intervals(ledger, hidden)["determined"].all()  # the audit reports this


def test_make_ledger_refuses_two_counts_under_one_key():
    cell = {"page": "a", "table": "t", "row": "", "column": "", "key": "k", "shown": "auto"}
    with pytest.raises(ValueError, match="one key must hold one count"):
        make_ledger([{**cell, "value": 1}, {**cell, "value": 2}])
    with pytest.raises(ValueError, match="`shown` must be one of"):
        make_ledger([{**cell, "value": 1, "shown": "maybe"}])


# --- the demo's publication --------------------------------------------------------------------


def test_the_demo_ledger_leaves_no_withheld_count_recoverable(demo_study):
    ledger = publication_ledger(demo_study)
    k = demo_study.disclosure["suppress_max"]
    hidden = ledger.attrs["hidden"]
    printed = ledger[(ledger["shown"] == "clear") | ~ledger["key"].isin(hidden)]
    printed = printed[(printed["shown"] != MARKER) & ~printed["whole_sample"]]
    assert not printed["value"].between(1, k).any()
    found = ledger_intervals(ledger)
    assert len(found) and not found["determined"].any()
    # One decision per count: no withheld count is printed in clear on another page.
    assert not ledger[(ledger["shown"] == "clear") & ledger["key"].isin(hidden)].size
    # Experts' counts by code are the expert interviews' (a whole-sample column of the
    # joint display): one quantity, printed as such, never a "c" beside a number.
    experts = ledger[ledger["column"] == "Expert"]
    assert len(experts) and experts["key"].str.contains("method=expert_interview").all()
    # Counts of people on site pages, in the workbook and on the main report are listed.
    pages = set(ledger["page"])
    assert {"reports/index.html", "reports/tables.xlsx"} <= pages
    assert {f"reports/sites/{s}.html" for s in demo_study.sites["site_id"]} <= pages


def test_workbook_notes_never_print_a_withheld_base(demo_study, tmp_path):
    """Leak 1: "Folded into Other: commissioner (base 5)" beside a "c" for that group."""
    from openpyxl import load_workbook

    out = write_survey_workbook(demo_study, tmp_path / "tables.xlsx")
    book = load_workbook(io.BytesIO(out.read_bytes()))
    notes = [
        str(cell.value)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and ("Folded into" in cell.value or "Left out" in cell.value)
    ]
    assert notes  # the demo folds small role groups
    assert not [n for n in notes if re.search(r"\(base \d+\)", n)]


def test_a_site_page_gives_no_figure_the_hidden_focus_group_count_follows_from(demo_study):
    """Leak 2: all "c" but the total, while the page gives the number of interviews."""
    checked = 0
    for site in demo_study.sites["site_id"]:
        table = casestudy.participation(demo_study, site=site)
        documents = casestudy.site_documents(demo_study, site=site)
        if table.empty or "Focus group" not in table.columns:
            continue
        total, groups = table.at["Total", "Total"], table.at["Total", "Focus group"]
        interviews = documents.set_index("method")["documents"].get("Interview")
        if groups == MARKER and total != MARKER:
            checked += 1
            # With the interviews (one person each) printed, total - interviews would be it.
            assert interviews is None, site
    assert checked  # the demo has such sites (Ullsbridge among them)


def test_participants_here_counts_of_one_to_k_are_withheld(demo_study):
    """Leak 3: per-site counts of people of 1-3 printed under "Participants here"."""
    k = demo_study.disclosure["suppress_max"]
    site = demo_study.sites["site_id"].iloc[0]
    blocks = casestudy.theme_blocks(demo_study, site=site)
    seen = []
    for block in blocks:
        html = str(getattr(block, "data", ""))
        if "<table" not in html:
            continue
        frame = pd.read_html(io.StringIO(html))[0].astype(str)
        if "Participants here" in frame.columns:
            seen += list(frame["Participants here"])
            # A share of a withheld count is withheld with it.
            hidden = frame["Participants here"] == MARKER
            assert (frame.loc[hidden, "Share here"] == MARKER).all()
    assert seen and MARKER in seen
    numbers = [int(v) for v in seen if v != MARKER]
    assert not [n for n in numbers if 1 <= n <= k]


def test_the_methods_text_counts_theme_coders_as_people(demo_study):
    from evstudy.disclosure import methods_text

    text = methods_text(demo_study)
    assert "counts of people too" in text and "which count passages" not in text
    assert "checked together" in text
