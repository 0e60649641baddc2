"""Every printer of a count of people consults the publication ledger (issue 20 §5).

The second test study (tests/fixtures/studies/second_study) has a site of two participants
(Otterbourne, OTB) under ``suppress_max: 3``, and a code (``family.engagement``) raised by
one participant at each of its three sites, all three in interviews: the interviews'
count of 3 would give away the three "c"s by site, so the ledger withholds it too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evstudy import casestudy, load_study
from evstudy.charts.matrices import framework_heatmap
from evstudy.disclosure import (
    MARKER,
    hidden_keys,
    ledger_key,
    ledger_suppression,
    make_ledger,
    publication_ledger,
)
from evstudy.ingest import ingest
from evstudy.matrices import framework_matrix, matrix_wide, published_matrix
from evstudy.triangulation import joint_display

ROOT = Path(__file__).resolve().parents[1]
SECOND = ROOT / "tests" / "fixtures" / "studies" / "second_study"
SMALL_SITE = "OTB"  # two participants
CODE = "family.engagement"  # one participant at each of three sites


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("second-printers")
    ingest(SECOND, out / "processed", key_dir=out / "keys")
    return load_study(out / "processed")


def test_the_fixture_is_what_the_tests_assume(study):
    people = study.participants
    assert (people["site_id"] == SMALL_SITE).sum() == 2
    assert study.disclosure["suppress_max"] == 3
    by_site = framework_matrix(study, rows="site", level="code").set_index(["row", "code_id"])
    assert [int(by_site.at[(s, CODE), "participants"]) for s in ("FEN", "BRK", "OTB")] == [1, 1, 1]


def test_sites_by_theme_table_withholds_the_ledgers_counts_and_their_shares(study):
    shown = published_matrix(study, framework_matrix(study, rows="site"))
    small = shown[shown["row"] == SMALL_SITE]
    # Every count at a site of two is withheld, and so are its base and shares.
    assert set(small["participants"]) == {MARKER}
    assert set(small["base"]) == {MARKER} and set(small["share"]) == {MARKER}
    # A count the ledger publishes is printed with its base and share.
    fen = shown[(shown["row"] == "FEN") & (shown["code_id"] == "staffing")].iloc[0]
    assert (fen["participants"], fen["base"]) == (7, 7) and fen["share"] == 1.0
    hidden = hidden_keys(study)
    for r in shown.itertuples():
        key = ledger_key("participants", site=r.row, theme=r.code_id)
        assert (r.participants == MARKER) == (key in hidden), key
    # The wide table the synthesis notebook prints.
    wide = matrix_wide(shown, value="participants")
    assert (wide.loc["Otterbourne"] == MARKER).all()


def test_the_ledger_decides_sites_by_theme_and_site_totals(study):
    ledger = publication_ledger(study)
    for table in (
        "Participants by site and theme",
        "How the site compares",
        "Who took part (text)",
    ):
        assert set(ledger.loc[ledger["table"] == table, "shown"]) == {"auto"}, table
    assert ledger_key("participants", site=SMALL_SITE) in hidden_keys(study)


def test_heatmaps_leave_withheld_cells_blank(study):
    shown = published_matrix(study, framework_matrix(study, rows="site"))
    fig, alt = framework_heatmap(shown, title="Sites by theme")
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_text()]
    printed = sum(v != MARKER for v in shown["share"])
    assert len(labels) == printed < len(shown)
    assert "Otterbourne" not in alt  # its cells are blank: neither highest nor lowest


def test_site_comparison_table_withholds_counts_bases_shares_and_differences(study):
    table = casestudy.published_comparison(study, site=SMALL_SITE)
    for column in ("participants", "base", "share", "difference"):
        assert set(table[column]) == {MARKER}, column
    assert table["mean_share"].map(lambda v: isinstance(v, float)).all()  # not a count
    fen = casestudy.published_comparison(study, site="FEN").set_index("code_id")
    assert fen.at["staffing", "participants"] == 7 and fen.at["funding", "participants"] == MARKER


def test_who_took_part_sentence_never_prints_a_withheld_site_total(study):
    assert casestudy.participants_words(study, site=SMALL_SITE) == "fewer than 4 participants"
    assert casestudy.participants_words(study, site="FEN") == "7 participants"


def test_site_prose_gives_withheld_counts_in_words(study):
    texts = [casestudy.comparison_text(study, site=SMALL_SITE)] + [
        casestudy.theme_text(study, site=SMALL_SITE, theme=t)
        for t in casestudy.themes(study)["theme_id"]
    ]
    for text in texts:
        # Neither the site's count of 2, nor any count "of" it, nor a share of it.
        words = text.replace("fewer than 4 participants", "")
        assert not re.search(r"\b\d+ (of \d+ )?participants\b", words), text
        assert not re.search(r"\b(50|100)%,? against", text), text
    assert any("fewer than 4 participants" in t for t in texts)
    # A count withheld by secondary suppression, above the rule's "fewer than": "some".
    hidden = hidden_keys(study)
    brk = casestudy.comparison_text(study, site="BRK")
    compared = casestudy.site_comparison(study, site="BRK", level="code").set_index("code_id")
    secondary = [
        c
        for c in compared.index
        if ledger_key("participants", site="BRK", code=c) in hidden
        and compared.at[c, "participants"] > 3
    ]
    assert secondary and "some of the 8 participants" in brk
    for c in secondary:
        n = int(compared.at[c, "participants"])
        assert f"{n} of 8" not in brk and f"{compared.at[c, 'share']:.0%} against" not in brk


def test_joint_display_withholds_a_count_by_method_that_gives_sites_away(study):
    display = joint_display(study).set_index("code_id")
    assert display.at[CODE, "interview_n"] == 3  # the data hold it ...
    assert display.at[CODE, "interviews"].startswith(f"{MARKER} of ")  # ... the page does not
    assert "%" not in display.at[CODE, "interviews"]
    assert ledger_key("participants", code=CODE, method="interview") in hidden_keys(study)


def test_findings_codes_table_withholds_population_and_method_counts(study):
    from evstudy.report import findings_sections

    display = joint_display(study)
    tables = [
        part
        for _, section in findings_sections(study, display=display)
        for part in section.parts
        if getattr(part, "caption", "").endswith(": codes")
    ]
    rows = [t.frame.loc[CODE] for t in tables if CODE in t.frame.index]
    assert rows
    for row in rows:
        assert str(row["population"]).startswith(f"{MARKER} of ")
        assert row["Interview"] == MARKER
    # A count whose printed base is 1 is never withheld: "c of 1" would say it is 1.
    for t in tables:
        assert not t.frame.astype(str).isin([f"{MARKER} of 1"]).any().any()


def test_secondary_suppression_reaches_a_whole_sample_count_through_an_unpublished_total():
    everyone, twice = "participants|code=x", "participants (twice)|code=x"
    sites = [f"participants|code=x|site={s}" for s in "ABC"]
    interviews = "participants|code=x|method=interview"
    cells = [
        {"page": "p", "table": "by site", "row": s, "column": "", "key": k, "value": 1,
         "shown": "auto"}
        for s, k in zip("ABC", sites, strict=True)
    ] + [
        {"page": "p", "table": "by method", "row": "interview", "column": "", "key": interviews,
         "value": 3, "shown": "auto", "whole_sample": True},
    ]  # fmt: skip
    ledger = make_ledger(
        cells, [(everyone, sites), ("entries", [interviews]), ("entries", [everyone, twice])]
    )
    # The whole-sample 3 is not a small count to suppress, but it pins the three 1s down.
    assert ledger_suppression(ledger, threshold=3) == frozenset([*sites, interviews])
