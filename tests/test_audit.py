"""The privacy audit: identifiers, k-anonymous attributions, small cells and withdrawal.

Fast tests check each detector on hand-made text, pages and workbooks. The slow ones build
the demo report once, audit it (it must be clean, with its coarsenings listed), plant one
leak of each kind in a copy (each must give exactly one finding, with its file and place),
and withdraw a participant from a small study to prove their words reach no output.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from html import escape
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest

from evstudy.audit import audit_outputs, coarsenings, find_ip_addresses, format_findings
from evstudy.audit.identifiers import build_identifiers
from evstudy.audit.published import PublishedRules
from evstudy.audit.sources import Grid, Piece, read_source
from evstudy.coding import (
    attribution_groups,
    expert_participants,
    no_quote_consent,
    published_words,
    quotes,
)
from evstudy.files import write_workbook

ROOT = Path(__file__).resolve().parents[1]


# --- identifiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, found",
    [
        ("the survey logged 81.2.69.160 for this response", ["81.2.69.160"]),
        ("at 10.0.0.1.", ["10.0.0.1"]),  # a sentence may end after it
        ("ip=192.168.0.12;", ["192.168.0.12"]),
        ("http://172.16.4.2/admin", ["172.16.4.2"]),
        ("Python 3.11.7.1", []),  # a version number after its cue
        ("built with version: 1.2.3.4", []),
        ("pyzmq==25.1.2.0", []),
        ("pandas | 2.3.0.1", []),  # a provenance table row: a package and its version
        ("release 3.11.7.1.2 today", []),  # part of a longer dotted run
        ("v1.2.3.4", []),
        ("999.1.1.1 and 1.2.3 and 01.2.3.4", []),  # octet > 255, three parts, leading zero
        ("node 2001:db8::ff00:42:8329 answered", ["2001:db8::ff00:42:8329"]),
        ("fe80::1ff:fe23:4567:890a", ["fe80::1ff:fe23:4567:890a"]),
        ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", ["2001:0db8:85a3:0000:0000:8a2e:0370:7334"]),
        ("at 10:30:00 and 00:00:03.120 --> 00:00:07.450", []),  # times
        ("x[1::2] and a::before and std::vector", []),  # slices, CSS, C++
    ],
)
def test_ip_addresses_are_found_and_version_numbers_and_times_are_not(text, found):
    assert find_ip_addresses(text) == found


def test_versions_under_a_json_key_about_versions_are_not_ip_addresses():
    assert find_ip_addresses("1.2.3.4", key="packages.pyzmq") == []
    assert find_ip_addresses("1.2.3.4", key="respondent.ip") == ["1.2.3.4"]


@pytest.fixture
def identifiers():
    register = [
        {"name": "Jordan Lee", "email": "jordan.lee@ullsbridge.gov.uk", "phone": None, "row": 2},
        {
            "name": "Mary Ann O’Neill",
            "email": "m.oneill@nhs.net",
            "phone": "01632 960902",
            "row": 3,
        },
        {"name": "Smith, Alex (Ullsbridge Council)", "email": "a@b.org", "phone": None, "row": 4},
    ]
    return build_identifiers(
        register,
        ["Marilyn Giles", "Hope"],
        register_file="register.xlsx",
        other_file="other_names.txt",
    )


def _found(identifiers, text):
    return [what for _, what, _ in identifiers.find(text)]


@pytest.mark.parametrize(
    "text, row",
    [
        ("as jordan lee said", 2),  # lower case
        ("JORDAN   LEE", 2),  # any case, any spacing
        ("Lee, Jordan joined late", 2),  # as Teams writes it
        ("we asked Ms Lee", 2),  # title and surname
        ("Mary Ann O'Neill", 3),  # straight apostrophe for a curly one
        ("mary o’neill", 3),  # first name and surname
        ("Alex Smith", 4),  # the register wrote "Surname, First (Organisation)"
    ],
)
def test_register_names_are_found_in_any_form_and_named_by_row(identifiers, text, row):
    assert _found(identifiers, text) == [f"a name in the register (register.xlsx row {row})"]


@pytest.mark.parametrize(
    # A first name alone is a name when capitalised as one ("Jordan": issue 19), not otherwise.
    "text",
    ["Jordanne Leeds", "jordan", "Lee", "jordan and lee", "a sense of hope", "Hopeful"],
)
def test_partial_names_and_everyday_words_are_not_names(identifiers, text):
    assert _found(identifiers, text) == []


def test_other_names_match_as_ingest_redacts_them(identifiers):
    assert _found(identifiers, "marilyn giles chaired it") == [
        "a name on the other-names list (other_names.txt, entry 1)"
    ]
    # A one-word entry matches only as written, so the word "hope" survives.
    assert _found(identifiers, "Hope said so") == ["a name from other_names.txt, entry 2"]


def test_emails_phones_and_pseudonyms_are_found_without_repeating_them(identifiers):
    found = _found(identifiers, "Write to JORDAN.LEE@ullsbridge.gov.uk or info@example.org")
    assert found == [
        "the email address of register.xlsx row 2",
        "an email address (i…@example.org)",
    ]
    for phone in ("01632 960902", "01632-960-902", "+44 1632 960902", "(01632) 960902"):
        assert _found(identifiers, f"call {phone} today") == [
            "the phone number of register.xlsx row 3"
        ], phone
    # Another number is still a phone number, but nobody's in the register.
    assert _found(identifiers, "01632 960903") == ["a phone number (016…)"]
    identifiers.pseudonyms = {"P014", "R007"}
    hits = [what for _, what, _ in identifiers.find_pseudonyms("P014 and R007, not P015")]
    assert sorted(hits) == ["the pseudonym P014", "the pseudonym R007"]


@pytest.mark.parametrize(
    "text, found",
    [
        ("jordan dot lee at ullsbridge dot gov dot uk", "the email address of register.xlsx row 2"),
        (
            "Jordan.Lee [at] ullsbridge [dot] gov [dot] uk",
            "the email address of register.xlsx row 2",
        ),
        ("jordan.lee(at)ullsbridge.gov.uk", "the email address of register.xlsx row 2"),
        ("jordandotleeatullsbridgedotgovdotuk", "the email address of register.xlsx row 2"),
        ("m dot oneill at nhs dot net", "the email address of register.xlsx row 3"),
        ("+44 (0)1632 960 902", "the phone number of register.xlsx row 3"),
        ("0 1 6 3 2 9 6 0 9 0 2", "the phone number of register.xlsx row 3"),
        ("01632.960.902", "the phone number of register.xlsx row 3"),
        ("jo dot lee at council dot gov dot uk", "an email address (j… at council dot gov dot uk)"),
        ("priya.shah at ullsbridge.gov.uk", "an email address (p… at ullsbridge.gov.uk)"),
        ("+44 7700 900 123", "a phone number (+44…)"),
        ("020 7946 0018", "a phone number (020…)"),
        ("SW1A 1AA", "a postcode (SW…)"),
    ],
)
def test_contact_details_are_found_in_every_spelling(identifiers, text, found):
    assert _found(identifiers, f"Contact: {text}, please.") == [found]


@pytest.mark.parametrize(
    "text",
    [
        "look at the data, dot the i's, and see gov.uk",
        "£1,200,000 in 2019-2020 (45%), 4-5 sites, S01 and S09, version 3.11.7",
        "on 01/02/2023 at 10:30, 1,234 people, IF-S01-03, 0.25",
    ],
)
def test_ordinary_numbers_and_words_are_not_contact_details(identifiers, text):
    assert _found(identifiers, text) == []


@pytest.mark.slow
def test_the_audit_finds_spelt_out_contact_details_in_a_published_page(small_study, tmp_path):
    from evstudy.ingest import ingest

    ingest(small_study, tmp_path / "processed", key_dir=tmp_path / "keys")
    register = pd.read_excel(small_study / "register.xlsx", dtype=str)
    person = register[register["Phone"].notna()].iloc[0]
    local, _, domain = person["Email"].partition("@")
    digits = "".join(c for c in person["Phone"] if c.isdigit())
    planted = [
        f"{local.replace('.', ' dot ')} at {domain.replace('.', ' dot ')}",
        f"{local}[at]{domain}",
        " ".join(digits),
        "jo dot lee at council dot gov dot uk",
        "020 7946 0018",
        "LS1 4AP",
    ]
    (tmp_path / "reports").mkdir()
    (tmp_path / "figures").mkdir()
    body = "".join(f"<p>Contact {value} today.</p>\n" for value in planted)
    (tmp_path / "reports" / "index.html").write_text(
        f"<!DOCTYPE html><html><body>\n{body}</body></html>\n", encoding="utf-8"
    )
    findings = audit_outputs(
        raw=small_study,
        processed=tmp_path / "processed",
        figures=tmp_path / "figures",
        reports=tmp_path / "reports",
        key_dir=tmp_path / "keys",
        workers=1,
    )
    page = findings[findings["file"] == "reports/index.html"]
    row = f"register.xlsx row {int(person.name) + 2}"
    assert list(page["finding"]) == [
        f"the email address of {row}",
        f"the email address of {row}",
        f"the phone number of {row}",
        "an email address (j… at council dot gov dot uk)",
        "a phone number (020…)",
        "a postcode (LS…)",
    ], format_findings(findings)
    assert list(page["location"]) == [f"line {n}" for n in range(2, 8)]
    assert (
        not findings[findings["file"] != "reports/index.html"]["finding"]
        .str.contains("phone|postcode|email")
        .any()
    ), format_findings(findings)


# --- sources ------------------------------------------------------------------------------------


def test_html_pieces_name_their_line_and_table_row_and_grids_fill_spans(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body>\n<p>Said <b>jordan</b> lee.</p>\n"
        '<img alt="chart by jordan.lee@ullsbridge.gov.uk" src="data:image/png;base64,AAAA">\n'
        "<table>\n<thead><tr><th></th><th>participants</th></tr>\n"
        "<tr><th>role_group</th><th></th></tr></thead>\n<tbody>\n"
        '<tr><th rowspan="2">Saltmere</th><td>3</td></tr>\n<tr><td>c</td></tr>\n'
        "</tbody></table>\n</body></html>",
        encoding="utf-8",
    )
    source = read_source("reports/sites/S03.html", page, True)
    texts = {p.location: p.text for p in source.pieces if not p.raw}
    assert texts["line 2"] == "Said jordan lee."
    assert texts["line 3, attribute alt"] == "chart by jordan.lee@ullsbridge.gov.uk"
    assert texts["table 1, row 3 (line 8)"] == "Saltmere | 3"
    assert not any("base64" in p.text for p in source.pieces)
    (grid,) = source.grids
    assert grid.header == ["role_group", "participants"]
    assert grid.rows == [["Saltmere", "3"], ["Saltmere", "c"]]
    assert grid.locations[0][1] == "table 1, row 3, column 'participants'"


def test_html_reading_misses_no_text_comments_loose_text_or_nested_tables(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "text before any element\n"
        "<table><tr><td>outer<!-- note about jordan lee --></td><td>\n"
        "<table><tr><td>inner cell</td></tr></table></td></tr></table>\n"
        "<p>unclosed <span>span",
        encoding="utf-8",
    )
    source = read_source("reports/index.html", page, True)
    texts = {p.location: p.text for p in source.pieces if not p.raw}
    everything = " ".join(texts.values())
    assert "text before any element" in everything
    assert "note about jordan lee" in everything  # a comment is published too
    assert texts["table 2, row 1 (line 3)"] == "inner cell"
    assert (
        texts["table 1, row 1 (line 2)"] == "outer note about jordan lee | inner cell | inner cell"
    )
    assert "unclosed span" in everything
    assert [g.name for g in source.grids] == ["table 1 (line 2)", "table 2 (line 3)"]
    assert source.grids[0].rows == [["outer", "inner cell"]]  # nested rows are their own
    empty = tmp_path / "empty.html"
    empty.write_text("  \n", encoding="utf-8")
    assert read_source("reports/empty.html", empty, True).pieces == []


def test_html_is_also_read_line_by_line_as_a_browser_shows_it_without_data_uris(
    tmp_path, identifiers
):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><p>kept</p>\n"
        '<img src="data:image/png;base64,iVBORw0KGgoJordan/Lee+AAAA=" alt="chart">\n'
        "</body></html>\n"
        "Jordan <b>Lee</b> &amp; co\n",
        encoding="utf-8",
    )
    source = read_source("reports/index.html", page, True)
    parsed = " ".join(p.text for p in source.pieces if not p.raw)
    assert "Jordan" not in parsed  # libxml2 drops what follows </html>; browsers show it
    raw = {p.location: p.text for p in source.pieces if p.raw}
    # the line as written and with its tags stripped: "Jordan" alone and "Jordan Lee"
    assert set(_found(identifiers, raw["line 4"])) == {
        "a name in the register (register.xlsx row 2)"
    }
    assert "data:" in raw["line 2"] and not _found(identifiers, raw["line 2"])


def test_unpublished_pages_have_no_grids(tmp_path):
    page = tmp_path / "a.html"
    page.write_text("<table><tr><th>n</th></tr><tr><td>1</td></tr></table>", encoding="utf-8")
    assert read_source("reports/notebooks/a.html", page, False).grids == []


def test_notebook_json_and_workbook_pieces_are_located(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("print(1)"),
    ]
    nb.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="ok\n"),
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<b>mail</b> x@y.org", "image/png": "AAAA"}
        ),
    ]
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, path)
    pieces = {
        p.location: p.text for p in read_source("reports/notebooks/run.ipynb", path, False).pieces
    }
    assert pieces["cell 2, output 2"] == "mail x@y.org"
    assert pieces["cell 1, source"] == "# Title"

    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"packages": {"pyzmq": "25.1.2.0"}, "note": ["a", "b"]}))
    pieces = read_source("reports/manifest.json", path, False).pieces
    assert (
        Piece("reports/manifest.json", "key packages.pyzmq", "25.1.2.0", False, "packages.pyzmq")
        in pieces
    )
    assert any(p.location == "key note[1]" and p.text == "b" for p in pieces)

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Role groups"
    ws["A1"] = "Respondents by role group"
    ws.append([])
    ws.append(["Role group", "n"])
    ws.append(["commissioner", 4])
    ws.append(["partner_agency", 22.0])
    path = write_workbook(book, tmp_path / "tables.xlsx", title="t")
    source = read_source("reports/tables.xlsx", path, True)
    assert any(p.location == "sheet 'Role groups', cell A4" for p in source.pieces)
    assert any(p.location.startswith("zip member docProps/core.xml") for p in source.pieces)
    (grid,) = source.grids
    assert grid.header == ["Role group", "n"]
    assert grid.rows == [["commissioner", "4"], ["partner_agency", "22"]]
    assert grid.locations[0][1] == "sheet 'Role groups', cell B4"


# --- published rules -----------------------------------------------------------------------------


def test_attribution_groups_agree_with_the_attributions_quotes_gives(tiny_study, demo_study):
    for study in (tiny_study, demo_study):
        groups = attribution_groups(study)
        found = quotes(study)
        found = found[found["participant_id"].notna()]
        # Words someone else said too get the attribution both allow (see quotes()).
        words = found["text"].map(published_words)
        alone = found.groupby(words)["participant_id"].transform("nunique") == 1
        alone &= ~found["text"].map(published_words).isin(
            set(words[found["attribution_level"] == 4])
        )
        found = found[alone & (found["attribution_level"] < 4)]
        people = study.participants.set_index("participant_id")
        experts = set(study.participants.loc[expert_participants(study), "participant_id"])
        assert experts  # both studies have expert interviews: the expert branch is tested
        for pid, attribution in found.drop_duplicates("participant_id")[
            ["participant_id", "attribution"]
        ].itertuples(index=False):
            site, group = people.loc[pid, ["site_id", "role_group"]]
            if pid in experts:  # quoted as experts, whatever their role group
                row = groups[groups["population"] == "experts"]
            else:
                row = groups[
                    (groups["population"] == "participants")
                    & (groups["role_group"] == group)
                    & (groups["site_id"] == site)
                ]
            assert list(row["attribution"]) == [attribution], pid
    # tiny: S1 commissioners are 3 (kept); S2's one commissioner is coarsened to the site.
    groups = attribution_groups(tiny_study).set_index(["population", "site_id", "role_group"])
    assert groups.loc[("participants", "S1", "commissioner"), "attribution_level"] == 0
    assert groups.loc[("participants", "S2", "commissioner"), "n"] == 1
    with pytest.raises(ValueError, match="`k` must be"):
        attribution_groups(tiny_study, k=0)


def test_quotes_shown_where_the_site_or_role_group_is_known_are_coarsened_with_it(tiny_study):
    def attributed(context):
        found = quotes(tiny_study, context=context).drop_duplicates("participant_id")
        found = found[found["participant_id"].notna()].set_index("participant_id")
        return found[["attribution", "attribution_level"]].apply(tuple, axis=1).to_dict()

    # Alpha: three commissioners (P001-P003) and one practitioner (P004); Beta: one of each.
    plain = attributed(None)
    assert plain["P004"] == ("Staff, Alpha", 1)
    assert plain["P006"] == ("Commissioner, a site", 2)  # Beta has two participants
    in_a_role_row = attributed("role_group")
    assert in_a_role_row["P001"] == ("Commissioner, Alpha", 0)
    assert in_a_role_row["P006"] == ("Commissioner, a site", 2)  # four commissioners in all
    assert in_a_role_row["P004"] == (None, 4)  # two practitioners in all: nothing is safe
    on_a_site_page = attributed("site")
    assert on_a_site_page["P004"] == ("Staff, Alpha", 1)
    assert on_a_site_page["P006"] == (None, 4)  # Beta's page names a site of two
    with pytest.raises(ValueError, match="`context` must be one of"):
        quotes(tiny_study, context="region")


def _rules(study, **disclosure):
    object.__setattr__(study, "ingest_report", {"disclosure": disclosure})
    return PublishedRules(study)


def test_attributions_describing_fewer_than_k_people_are_findings(tiny_study):
    rules = _rules(tiny_study, quote_k=3)
    checks = {
        "Commissioner, Alpha": None,  # three commissioners at Alpha
        "Staff, Alpha": None,  # and a practitioner
        "Staff, Beta": "describes fewer than 3 participants",  # a practitioner, a commissioner
        "Commissioner, Beta": "describes fewer than 3 participants",
        "Practitioner, a site": "describes fewer than 3 participants",  # 2 across sites
        "Survey respondent (Commissioner), Alpha": "fewer than 3 survey respondents",
        "as the commissioner at Beta told us": "describes fewer than 3 participants",
        "commissioners in Alpha": None,
    }
    for text, problem in checks.items():
        (found,) = rules.attributions(Piece("reports/index.html", "line 1", f"— {text}", True))
        result = rules.check_attribution(found)
        assert (result is None) if problem is None else (problem in result[0]), text
    # On Alpha's own page "a site" is Alpha: one practitioner there.
    (found,) = rules.attributions(
        Piece("reports/sites/S1.html", "line 1", "Practitioner, a site", True)
    )
    assert found.implied_site and found.site_id == "S1"
    assert "on this site's page, 'a site' is Alpha" in rules.check_attribution(found)[0]
    assert list(rules.attributions(Piece("f", "l", "Staff meeting, as a site visit", True))) == []


def test_an_attribution_is_narrowed_by_the_role_group_or_site_its_table_row_names(tiny_study):
    rules = _rules(tiny_study, quote_k=3)
    rows = [
        ["Practitioner", "Barriers", "The paywall stops us.", "Staff, Alpha"],  # one at Alpha
        ["Commissioner", "Barriers", "Money is tight.", "Staff, Alpha"],  # three at Alpha
        ["Alpha", "Barriers", "Journal access is patchy.", "Practitioner, a site"],
    ]
    where = [[f"r{i}c{j}" for j in range(4)] for i in range(3)]
    grid = Grid("reports/index.html", "t", ["Role group", "Theme", "Quote", "Who"], rows, where)
    found = list(rules.check_row_attributions(grid))
    assert [(f[0], f[1]) for f in found] == [
        (
            "r0c3",
            "the quote attribution 'Staff, Alpha', in a row for Practitioner, describes "
            "fewer than 3 participants",
        ),
        (
            "r2c3",
            "the quote attribution 'Practitioner, a site', in a row for Alpha, describes "
            "fewer than 3 participants",
        ),
    ]


def test_small_counts_of_people_and_small_bases_are_found_where_tables_describe_people(
    tiny_study,
):
    rules = _rules(tiny_study, suppress_max=5, min_subgroup_base=10)

    def grid(header, rows):
        where = [[f"r{i}c{j}" for j in range(len(r))] for i, r in enumerate(rows)]
        return list(rules.check_grid(Grid("reports/index.html", "t", header, rows, where)))

    # People by role group: 3 must be "c"; 0, "c" and 12 may be shown.
    found = grid(
        ["Role group", "Participants"],
        [["commissioner", "3"], ["practitioner", "c"], ["expert", "0"], ["Total", "12"]],
    )
    assert [f[0] for f in found] == ["r0c1"]
    # A site by role group table: every inner cell and total counts people.
    found = grid(
        ["Role group", "Alpha", "Beta", "Total"],
        [["Commissioner", "c", "c", "6"], ["Practitioner", "0", "2", "c"]],
    )
    assert [f[0] for f in found] == ["r1c2"]
    # Codes by site count passages and themes, not people by an attribute.
    assert grid(["Site", "Access", "Budget"], [["Alpha", "3", "1"], ["Beta", "2", "4"]]) == []
    framework = [["Alpha", "Barriers", "2", "40%", "It costs."], ["Beta", "Barriers", "1", "c", ""]]
    assert grid(["Site", "Theme", "Participants", "Share", "Quote"], framework) == []
    assert grid(["Code", "Participants"], [["barrier.access", "2"], ["barrier.budget", "1"]]) == []
    # An answer breakdown: counts may be small, a base may not.
    found = grid(
        ["Role group", "Option", "n", "Base"],
        [["commissioner", "Time", "2", "12"], ["Other", "Time", "1", "7"]],
    )
    assert [(f[0], f[1]) for f in found] == [("r1c3", "subgroup 'Other' is shown with a base of 7")]


# --- the demo report ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_built(demo_raw, demo_processed, tmp_path_factory):
    """The demo report, built once into a temporary folder from the session's ingest."""
    from evstudy.build.pipeline import build

    tmp = tmp_path_factory.mktemp("audit-demo")
    shutil.copytree(ROOT / "notebooks", tmp / "notebooks")
    folders = {
        "raw": demo_raw,
        "processed": demo_processed,
        "figures": tmp / "figures",
        "reports": tmp / "reports",
    }
    summary = build(**folders, notebooks=tmp / "notebooks", kernel_name="python3", progress=False)
    assert summary.ok, summary.text()
    return {**folders, "key_dir": demo_processed.parent / "keys"}


@pytest.fixture(scope="session")
def demo_findings(demo_built):
    return audit_outputs(**demo_built)


@pytest.mark.slow
def test_the_demo_report_passes_the_audit(demo_findings):
    assert demo_findings.empty, format_findings(demo_findings)
    assert list(demo_findings.columns) == ["file", "location", "finding", "why"]
    summary = demo_findings.attrs["summary"]
    assert summary["files scanned"] >= 12 + 9 + 2  # processed tables, site pages, index, ...
    # The demo register has one withdrawal; their distinctive words were searched for.
    withdrawal = demo_findings.attrs["withdrawal"]
    assert withdrawal["withdrawn participants"] == 1
    assert withdrawal["pseudonyms searched for"] == 1
    assert withdrawal["distinctive passages searched for"] > 100


@pytest.mark.slow
def test_the_demo_coarsenings_are_listed_and_each_hides_a_small_cell(demo_built, demo_study):
    found = coarsenings(**demo_built)
    assert not found.empty
    from evstudy.build.export import APPENDICES

    pages = {
        "reports/index.html",
        *(f"reports/sites/{s}.html" for s in demo_study.sites["site_id"]),
        *(f"reports/appendices/{name}.html" for name in APPENDICES),
        "reports/report.pdf",  # the same pages, printed
    }
    assert set(found["file"]) <= pages
    groups = attribution_groups(demo_study)
    site_ids = dict(zip(demo_study.sites["site_name"], demo_study.sites["site_id"], strict=True))
    labels = {label: key for key, label in demo_study.role_group_labels.items()}
    for row in found.drop_duplicates("attribution").itertuples():
        survey = row.attribution.startswith("Survey respondent")
        people = groups[
            groups["population"] == ("survey respondents" if survey else "participants")
        ]
        site = row.attribution.rsplit(", ", 1)[1]
        if row.level == 1:  # "Staff, <site>": a role group at that site has fewer than k people
            assert (people.loc[people["site_id"] == site_ids[site], "n"] < 3).any(), row
        else:  # "<role group>, a site": a site, or that role group at a site, is small
            assert row.level == 2 and site == "a site", row
            role = row.attribution.rsplit(", ", 1)[0].removeprefix("Survey respondent (")
            role_id = labels.get(role.rstrip(")"))
            small_cell = (people.loc[people["role_group"] == role_id, "n"] < 3).any()
            assert small_cell or (people["n_site"] < 3).any(), row
    assert 1 in set(found["level"])
    text = format_findings(
        pd.DataFrame(columns=["file", "location", "finding", "why"]), coarsened=found
    )
    assert f"coarsened attributions in the published report: {len(found)}" in text


def _plant_leaks(reports: Path, study) -> list[tuple[str, str]]:
    """One leak of each kind in a copy of the demo report; returns (file, what to expect)."""
    index = reports / "index.html"
    html = index.read_text(encoding="utf-8")
    index.write_text(html.replace("</body>", "<p>As tom parkinson said.</p>\n</body>", 1), "utf-8")

    path = reports / "notebooks" / "synthesis.ipynb"
    nb = nbformat.read(path, as_version=4)
    number, cell = next((i, c) for i, c in enumerate(nb.cells, 1) if c.get("outputs"))
    cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text="a.b@example.org\n"))
    nbformat.write(nb, path)

    book = openpyxl.load_workbook(reports / "tables.xlsx")
    ws = book["Role group by site"]
    cell_xlsx = next(c for row in ws.iter_rows(min_row=5) for c in row if c.value == "c")
    cell_xlsx.value = 3
    write_workbook(book, reports / "tables.xlsx", title="Survey tables")

    # A coarsened quote given back its speaker's own role group and site: find a table row
    # holding "Staff, <site>" and a quote whose speaker's group at that site is below k.
    groups = attribution_groups(study).set_index(["population", "site_id", "role_group"])
    names = study.sites.set_index("site_id")["site_name"]
    for site in study.sites["site_id"]:
        page = reports / "sites" / f"{site}.html"
        html = page.read_text(encoding="utf-8")
        said = quotes(study, site=site)
        coarse = said[said["attribution_level"] == 1]
        speakers = dict(zip(coarse["text"].str.strip(), coarse["role_group"], strict=True))
        staff = f"<td>Staff, {names[site]}</td>"
        for row in re.findall(r"<tr>.*?</tr>", html, flags=re.DOTALL):
            cells = [_unescape(c) for c in re.findall(r"<td>(.*?)</td>", row, flags=re.DOTALL)]
            group = next((speakers[c] for c in cells if c in speakers), None)
            if staff in row and group:
                fine = f"{study.role_group_labels[group]}, {names[site]}"
                html = html.replace(row, row.replace(staff, f"<td>{fine}</td>", 1), 1)
                page.write_text(html, encoding="utf-8")
                break
        else:
            continue
        break
    assert groups.loc[("participants", site, group), "n"] < 3

    # A participant who said no to being quoted, quoted on another site's page.
    refused = no_quote_consent(study)
    theirs = study.turns[study.turns["participant_id"].isin(refused)]
    words = theirs.loc[theirs["text"].str.split().str.len() > 15, "text"].iloc[0]
    other = next(s for s in study.sites["site_id"] if s != site)
    page = reports / "sites" / f"{other}.html"
    html = page.read_text(encoding="utf-8").replace(
        "</body>", f"<p>One told us: “{escape(words)}”</p>\n</body>", 1
    )
    page.write_text(html, encoding="utf-8")
    return [
        ("reports/index.html", "a name in the register (register.xlsx row 2)"),
        (
            f"reports/notebooks/synthesis.ipynb#cell {number}, output {len(cell.outputs)}",
            "an email address (a…@example.org)",
        ),
        (
            f"reports/tables.xlsx#sheet 'Role group by site', cell {cell_xlsx.coordinate}",
            "a count of 3 people",
        ),
        (f"reports/sites/{site}.html", f"the quote attribution {fine!r} describes fewer than 3"),
        # The publication read as a whole: the same row now tells role group and site.
        (f"reports/sites/{site}.html", "read together, the"),
        (f"reports/sites/{other}.html", "a participant who said no to being quoted"),
    ]


def _unescape(text: str) -> str:
    from html import unescape

    return unescape(text).strip()


@pytest.fixture(scope="session")
def leaky(demo_built, demo_study, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("leaky")
    shutil.copytree(demo_built["reports"], tmp / "reports")
    expected = _plant_leaks(tmp / "reports", demo_study)
    return {**demo_built, "reports": tmp / "reports"}, expected


@pytest.mark.slow
def test_each_planted_leak_is_one_finding_with_its_file_and_place(leaky, demo_findings):
    folders, expected = leaky
    findings = audit_outputs(**folders)
    # Compared with the demo as built, so that this test is about the planted leaks alone.
    before = set(map(tuple, demo_findings[["file", "location", "finding"]].to_numpy()))
    keys = map(tuple, findings[["file", "location", "finding"]].to_numpy())
    findings = findings[[key not in before for key in keys]]
    assert len(findings) == len(expected), format_findings(findings)
    for target, what in expected:
        file, _, location = target.partition("#")
        hit = findings[
            (findings["file"] == file) & findings["finding"].str.contains(what, regex=False)
        ]
        assert len(hit) == 1, (target, format_findings(findings))
        if location:
            assert hit["location"].iloc[0] == location
        else:
            assert re.match(r"(line|table) \d+", hit["location"].iloc[0])
        assert hit["why"].iloc[0]


@pytest.mark.slow
def test_a_name_after_the_end_of_a_built_page_is_a_finding_and_one_in_a_data_uri_is_not(
    demo_built, demo_findings, tmp_path
):
    reports = tmp_path / "reports"
    shutil.copytree(demo_built["reports"], reports)
    index = reports / "index.html"
    html = index.read_text(encoding="utf-8")
    assert html.rstrip().endswith("</html>")
    tail = '<p><img src="data:image/png;base64,iVBORw0KGgoTom/Parkinson+AAAA="></p>\n'
    index.write_text(f"{html.rstrip()}\n{tail}As Tom Parkinson said.\n", encoding="utf-8")
    lines = len(index.read_text(encoding="utf-8").splitlines())
    findings = audit_outputs(**{**demo_built, "reports": reports})
    before = set(map(tuple, demo_findings[["file", "location", "finding"]].to_numpy()))
    keys = map(tuple, findings[["file", "location", "finding"]].to_numpy())
    new = findings[[key not in before for key in keys]]
    assert new[["file", "location", "finding"]].to_numpy().tolist() == [
        ["reports/index.html", f"line {lines}", "a name in the register (register.xlsx row 2)"]
    ]


@pytest.mark.slow
def test_scans_made_earlier_are_reused_only_while_their_file_is_unchanged(leaky):
    from evstudy.audit import FileScanner, file_signature
    from evstudy.audit.sources import iter_sources

    folders, _ = leaky
    full = audit_outputs(**folders)
    scanner = FileScanner(
        raw=folders["raw"], processed=folders["processed"], key_dir=folders["key_dir"]
    )
    roots = {k: folders[k] for k in ("processed", "figures", "reports")}
    scanned = {entry[0]: scanner.scan_now(entry) for entry in iter_sources(roots)}
    reused = audit_outputs(**folders, scanned=scanned)
    pd.testing.assert_frame_equal(reused, full)
    assert reused.attrs == full.attrs
    # A scan stands for its file while the file is unchanged...
    page = folders["reports"] / "index.html"
    signature = file_signature(page)
    planted = [(("reports/index.html", "line 1", "planted by this test"), "why")]
    believed = audit_outputs(
        **folders, scanned={**scanned, "reports/index.html": (signature, planted)}
    )
    assert "planted by this test" in set(believed["finding"])
    # ...and not once it has changed: the file is read again.
    original = page.read_bytes()
    try:
        page.write_bytes(original + b"\n")
        fresh = audit_outputs(
            **folders, scanned={**scanned, "reports/index.html": (signature, planted)}
        )
    finally:
        page.write_bytes(original)
    assert "planted by this test" not in set(fresh["finding"])
    pd.testing.assert_frame_equal(fresh, full)


@pytest.mark.slow
def test_the_audit_command_lists_findings_and_coarsenings_and_exits_1(leaky, demo_findings, capsys):
    from evstudy.cli import main

    folders, expected = leaky
    argv = ["audit", "--raw", str(folders["raw"]), "--processed", str(folders["processed"])]
    argv += ["--figures", str(folders["figures"]), "--reports", str(folders["reports"])]
    argv += ["--key-dir", str(folders["key_dir"])]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"privacy audit: {len(expected) + len(demo_findings)} findings")
    assert "reports/tables.xlsx, sheet 'Role group by site', cell" in out
    assert "why: " in out and "coarsened attributions in the published report:" in out
    assert "tom parkinson" not in out.casefold()  # the audit names the row, not the person


# --- withdrawal --------------------------------------------------------------------------------


def _withdraw(raw: Path) -> tuple[str, int]:
    """Withdraw the first focus-group participant in the register; returns name and row."""
    book = openpyxl.load_workbook(raw / "register.xlsx")
    ws = book.active
    header = [c.value for c in ws[1]]
    method, withdrawal = header.index("Method(s)"), header.index("Withdrawal date")
    for row in ws.iter_rows(min_row=2):
        if "Focus group" in str(row[method].value):
            row[withdrawal].value = dt.datetime(2024, 1, 15)
            book.save(raw / "register.xlsx")
            return row[0].value, row[0].row
    raise AssertionError("the small study has no focus-group participant")


def _turns_by_speaker(raw: Path, name: str) -> tuple[list[str], list[str]]:
    """The raw turns of ``name``, and everyone else's."""
    from evstudy.config import load_config
    from evstudy.io.tables import read_fieldwork_log
    from evstudy.io.transcripts import read_transcript
    from evstudy.privacy import canonical_name

    config = load_config(raw)
    log = read_fieldwork_log(config.path("fieldwork_log"))
    theirs, others = [], []
    for file in log["file"]:
        transcript = read_transcript(config.path("transcripts") / file, known_speakers=[name])
        for turn in transcript.turns:
            mine = canonical_name(turn.speaker) == canonical_name(name)
            (theirs if mine else others).append(turn.text)
    return theirs, others


@pytest.mark.slow
def test_a_withdrawn_participant_is_excluded_everywhere_and_the_audit_proves_it(
    study_copy, tmp_path
):
    from evstudy import load_study
    from evstudy.build.pipeline import build
    from evstudy.ingest import ingest
    from evstudy.privacy import read_identity_key

    name, row = _withdraw(study_copy)
    said, others = _turns_by_speaker(study_copy, name)
    # Turns only they said (the synthetic phrase bank repeats sentences between people).
    own = [t for t in said if len(t.split()) >= 12 and not any(t in o for o in others)]
    assert len(own) >= 2  # they spoke in a focus group whose other turns are kept
    keys = tmp_path / "keys"
    ingest(study_copy, tmp_path / "processed", key_dir=keys)
    pid = next(p for p, n, _ in read_identity_key(keys).rows if n == name)

    study = load_study(tmp_path / "processed")
    assert pid not in set(study.participants["participant_id"])
    assert pid not in set(study.turns["participant_id"].dropna())
    assert pid not in set(quotes(study)["participant_id"].dropna())
    focus = study.documents[study.documents["method"] == "focus_group"]
    assert len(focus) == 3  # their focus group stays, without them
    assert not set(own) & set(study.turns["text"])
    for coded in study.codings["text"].dropna():
        # A coded passage of their words that nobody else said would be theirs.
        if len(coded.split()) >= 8 and any(coded in t for t in own):
            assert any(coded in o for o in others), coded

    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    folders = {
        "raw": study_copy,
        "processed": tmp_path / "processed",
        "figures": tmp_path / "figures",
        "reports": tmp_path / "reports",
    }
    summary = build(
        **folders, notebooks=tmp_path / "notebooks", kernel_name="python3", progress=False
    )
    assert summary.ok, summary.text()
    findings = audit_outputs(**folders, key_dir=keys)
    # Nothing of theirs anywhere. (Whether the report is clean in every other way is
    # test_the_demo_report_passes_the_audit's question.)
    assert not findings["finding"].str.contains("withdrew").any(), format_findings(findings)
    withdrawal = findings.attrs["withdrawal"]
    assert withdrawal["withdrawn participants"] == 2  # the small study had one already
    assert withdrawal["distinctive passages searched for"] > 0

    # The proof has teeth: their words, or their pseudonym, in any output is a finding.
    page = folders["reports"] / "sites" / "S01.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", f"<p>{own[0]}</p></body>", 1), "utf-8")
    (folders["processed"] / "notes.csv").write_text(f"id\n{pid}\n", encoding="utf-8")
    findings = audit_outputs(**folders, key_dir=keys)
    theirs = findings[findings["finding"].str.contains("withdrew")]
    assert sorted(theirs["file"]) == ["processed/notes.csv", "reports/sites/S01.html"]
    assert theirs["finding"].str.endswith(f"withdrew (register.xlsx row {row})").all()

    # As a build runs it: the passages worked out while ingest ran, before the identity key
    # was written, and the files searched in several processes. The same findings, in the
    # same order, as one process doing it all (the pseudonym one included).
    from evstudy.audit.withdrawal import withdrawn_text
    from evstudy.config import load_config

    early = withdrawn_text(load_config(study_copy), None)
    assert early.passages and not early.pseudonyms
    parallel = audit_outputs(**folders, key_dir=keys, withdrawn=early, workers=2)
    serial = audit_outputs(**folders, key_dir=keys, workers=1)
    pd.testing.assert_frame_equal(parallel, serial)
    pd.testing.assert_frame_equal(parallel, findings)
    assert not early.pseudonyms  # the caller's copy is left as it was


# --- issue 19 §1: names that got past both redaction and the audit -----------------------------


@pytest.fixture
def forms_identifiers():
    names = ["Priya Shah", "Zoë Clarke", "Anna Smith-Jones", "Rebecca Moss", "Will Turner"]
    register = [
        {"name": name, "email": None, "phone": None, "row": row}
        for row, name in enumerate(names, 2)
    ]
    return build_identifiers(
        register, [], register_file="register.xlsx", other_file="other_names.txt"
    )


@pytest.mark.parametrize(
    "text, row",
    [
        ("Priya's team did it", 2),  # a first name alone
        ("and then Zoë agreed", 3),
        ("Zoe Clarke chaired", 3),  # accents stripped
        ("Anna Smith came", 4),  # part of a double-barrelled surname
        ("Anna Smith Jones came", 4),
        ("then Ms Jones came", 4),  # a title and a part of the surname
        ("as P. Shah said", 2),  # initial and surname
        ("as A.Smith-Jones said", 4),
        ("Bex agreed", 5),  # a common nickname
        ("Zoe\u0308 Clarke wrote", 3),  # decomposed Unicode
    ],
)
def test_the_audit_finds_each_form_of_a_register_name_in_a_published_page(
    forms_identifiers, tmp_path, text, row
):
    page = tmp_path / "index.html"
    page.write_text(f"<html><body>\n<p>{text}</p>\n</body></html>", encoding="utf-8")
    source = read_source("reports/index.html", page, True)
    parsed = [piece for piece in source.pieces if not piece.raw]  # the raw pass: tested above
    found = [what for piece in parsed for _, what, _ in forms_identifiers.find(piece.text)]
    assert found == [f"a name in the register (register.xlsx row {row})"]


@pytest.mark.parametrize("text", ["priya", "Priyanka", "A Shah was", "we will see", "Will said so"])
def test_the_audit_leaves_lower_case_words_initial_words_and_ordinary_words(
    forms_identifiers, text
):
    # "Will" is an ordinary word: the audit finds it only where ingest left it undecided.
    assert [what for _, what, _ in forms_identifiers.find(text)] == []


def test_an_undecided_ordinary_word_name_is_found_where_ingest_left_it(forms_identifiers):
    # Ingest left "Will" (Will Turner, row 6) undecided in one turn, kept in another.
    forms_identifiers.add_review("Yes. Will said we should ask the panel first.")
    forms_identifiers.add_review("Will you send it over?", kept=lambda word: word == "Will")
    assert [what for _, what, _ in forms_identifiers.find("“Will said we should ask”")] == [
        "a first name in the register that is also an ordinary word, with no decision to "
        "keep it (register.xlsx row 6)"
    ]
    assert list(forms_identifiers.find("Will you send it over?")) == []  # kept there
    assert list(forms_identifiers.find("Will the panel meet? We will see.")) == []
