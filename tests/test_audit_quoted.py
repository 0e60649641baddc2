"""The publication read as a whole: one attribution per quote; nobody quoted who said no."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from evstudy.audit.published import PublishedRules
from evstudy.audit.quoted import no_consent_text, publication_findings
from evstudy.coding import no_quote_consent, quotes

PAGE = (
    "<html><body><h1>{title}</h1><table><tr><th>{head}</th><th>Quote</th><th>Who</th></tr>"
    "{rows}</table></body></html>"
)
ROW = "<tr><td>{first}</td><td>“{quote}”</td><td>{who}</td></tr>"


def _rules(study, **disclosure):
    object.__setattr__(study, "ingest_report", {"disclosure": disclosure})
    return PublishedRules(study)


def _page(path: Path, title: str, head: str, rows: list[tuple[str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(ROW.format(first=a, quote=b, who=c) for a, b, c in rows)
    path.write_text(PAGE.format(title=title, head=head, rows=body), encoding="utf-8")


def test_one_quote_with_two_attributions_on_two_pages_is_a_finding(tiny_study, tmp_path):
    # k = 2. Alpha holds four participants and there are two practitioners, so each page
    # alone is safe; together they say "the practitioner at Alpha", one person.
    rules = _rules(tiny_study, quote_k=2)
    reports = tmp_path / "reports"
    words = "Journal access is patchy."
    _page(reports / "index.html", "Findings", "Code", [("Access", words, "Practitioner, a site")])
    _page(reports / "sites" / "S1.html", "Alpha", "Code", [("Access", words, "Staff, Alpha")])
    from evstudy.audit.sources import read_source

    for name in ("index.html", "sites/S1.html"):  # page by page, nothing is found
        source = read_source(f"reports/{name}", reports / name, True)
        for piece in source.pieces:
            assert all(rules.check_attribution(a) is None for a in rules.attributions(piece))
    found = publication_findings(rules, tiny_study, reports)
    assert len(found) == 2, "\n".join(map(str, found))
    (file, location, what, why), (_, _, what2, why2) = found
    assert file == "reports/sites/S1.html" and location == "table 1, row 2, column 'Quote'"
    assert "carries 2 attributions: 'Practitioner, a site' (reports/index.html" in what
    assert "'Staff, Alpha' (reports/sites/S1.html" in what
    assert "one attribution across the whole publication" in why
    assert "role group practitioner and site Alpha: fewer than 2 participants" in what2
    assert "read together" in why2

    # One attribution everywhere: the same quote on both pages is clean ...
    _page(reports / "index.html", "Findings", "Code", [("Access", words, "Staff, Alpha")])
    assert publication_findings(rules, tiny_study, reports) == []
    # ... unless a row for practitioners adds the role group to it.
    _page(
        reports / "index.html", "Findings", "Role group", [("Practitioner", words, "Staff, Alpha")]
    )
    ((_, _, what, _),) = publication_findings(rules, tiny_study, reports)
    assert "role group practitioner and site Alpha" in what
    # Two different quotes in one row each go with their own attribution.
    _page(
        reports / "index.html",
        "Findings",
        "Code",
        [
            ("Access", words, "Staff, Alpha"),
            ("Budget", "The paywall stops us.", "Commissioner, Alpha"),
        ],
    )
    assert publication_findings(rules, tiny_study, reports) == []


def test_what_quotes_gives_passes_the_whole_publication_check(tiny_study, tmp_path):
    # Every context's quotes, shown where the context says, with their attributions.
    rules = _rules(tiny_study, quote_k=2)
    reports = tmp_path / "reports"
    plain = quotes(tiny_study, k=2)
    rows = [("Any", q.text, q.attribution) for q in plain.itertuples() if q.attribution]
    _page(reports / "index.html", "Findings", "Code", rows)
    for site in tiny_study.sites["site_id"]:
        mine = quotes(tiny_study, k=2, context="site", site=site)
        rows = [("Any", q.text, q.attribution) for q in mine.itertuples() if q.attribution]
        _page(reports / "sites" / f"{site}.html", site, "Code", rows)
    labels = {"commissioner": "Commissioner", "practitioner": "Practitioner"}
    in_rows = quotes(tiny_study, k=2, context="role_group")
    rows = [
        (labels[q.role_group], q.text, q.attribution)
        for q in in_rows.itertuples()
        if q.attribution and q.role_group in labels
    ]
    _page(reports / "roles.html", "By role", "Role group", rows)
    assert rows  # P001; the others' levels name their site, which a role row would add to
    assert publication_findings(rules, tiny_study, reports) == []


def test_the_words_of_someone_who_said_no_are_found_in_any_output(tiny_study):
    said = "Honestly the paywall stops us reading anything the universities publish."
    turns = tiny_study.turns.copy()
    turns.loc[(turns["doc_id"] == "FG1") & (turns["turn"] == 2), "text"] = said
    people = tiny_study.participants.assign(quote_consent=[False] + [True] * 7)
    study = dataclasses.replace(tiny_study, turns=turns, participants=people)
    assert no_quote_consent(study) == {"P001"}
    search = no_consent_text(study, None, None)
    assert search.people == 1 and len(search.passages) == 3  # 10 words: three 8-word runs
    planted = f"<td>“{said}” (Commissioner, Alpha)</td>"
    ((kind, what, why),) = search.find(planted)
    assert kind == "no_quote_consent"
    assert "said no to being quoted (participant P001)" in what
    assert "must never be quoted" in why
    assert list(search.find("The paywall stops us.")) == []  # too short to be theirs alone
    # Nobody said no: nothing to search for.
    assert no_consent_text(tiny_study, None, None).passages == {}


def test_the_demo_quotes_nobody_who_said_no(demo_study, demo_raw):
    from evstudy.io.register import read_register

    register = read_register(demo_raw / "register.xlsx")
    assert (register["quote_consent"] == False).sum() == 3  # noqa: E712 - the demo's three
    refused = no_quote_consent(demo_study)
    assert len(refused) == 3
    assert not refused & set(quotes(demo_study)["participant_id"].dropna())
    # Their words still count.
    coded = demo_study.codings.merge(demo_study.turns[["doc_id", "turn", "participant_id"]])
    assert coded["participant_id"].isin(refused).sum() > 0
    search = no_consent_text(demo_study, None, None)
    assert len(search.passages) > 50
    theirs = demo_study.turns[demo_study.turns["participant_id"].isin(refused)]
    long = theirs.loc[theirs["text"].str.split().str.len() > 20, "text"].iloc[0]
    assert list(search.find(f"As one put it: “{long}”"))
