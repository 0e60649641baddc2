"""A site's case study: context, who took part (suppressed), its themes and how it compares."""

from __future__ import annotations

import re

import pytest

from evstudy import casestudy
from evstudy.matrices import site_comparison

SITE = "S03"


def test_profile_and_admin(demo_study):
    text = casestudy.profile_text(demo_study, site=SITE)
    row = demo_study.sites.set_index("site_id").loc[SITE]
    # It opens with the attribute no other site shares (Saltmere's IMD decile, 5).
    assert (demo_study.sites["imd_decile"] == row["imd_decile"]).sum() == 1
    assert text.startswith(
        f"{row['site_name']} is the only one of the study's 9 local authorities whose IMD "
        f"decile is {row['imd_decile']}."
    )
    # every other attribute column of the site table, labelled from its name, in words
    assert f"LA type: {row['la_type']}" in text and f"region: {row['region']}" in text
    assert "*" not in text
    admin = casestudy.admin_summary(demo_study, site=SITE).set_index("measure")
    latest = demo_study.admin[demo_study.admin["year"] == demo_study.admin["year"].max()]
    spend = latest[latest["measure"] == "Early help spend"]
    assert admin.at["Early help spend", "all_sites_median"] == pytest.approx(
        spend["value"].median()
    )
    mine = spend.loc[spend["site_id"] == SITE, "value"].iloc[0]
    assert admin.at["Early help spend", str(demo_study.admin["year"].max())] == pytest.approx(mine)


def test_participation_is_published_under_the_suppression_rule(demo_study):
    table = casestudy.participation(demo_study, site=SITE)
    values = table.to_numpy().ravel()
    assert not [v for v in values if isinstance(v, int) and 1 <= v <= 5]
    people = demo_study.participants[demo_study.participants["site_id"] == SITE]
    assert table.loc["Total", "Total"] == len(people)  # nobody is in both methods at S03
    assert "Total" in table.columns and "Interview" in table.columns


def test_site_typology_counts_participants_per_declared_code(demo_study):
    from evstudy.coding import code_matrix

    (analysis,) = [a for a in demo_study.analyses if a["type"] == "site_typology"]
    types = analysis["types"]
    table = casestudy.site_typology(demo_study).set_index("site_id")
    counts = code_matrix(
        demo_study, rows="site", count="participants", codes=[t["code"] for t in types],
        coder="primary",
    )  # fmt: skip
    for site, row in table.iterrows():
        got = [row[t["id"]] for t in types]
        assert got == [int(counts.at[site, t["code"]]) for t in types]
        leader = [t["id"] for t in types if row[t["id"]] == max(got)]
        assert row["type"] == (leader[0] if len(leader) == 1 else casestudy.MIXED)
        text = casestudy.typology_text(demo_study, site=site)
        assert f"**{row['label']}**" in text
        first = int(row[types[0]["id"]])
        said = "fewer than 6" if 1 <= first <= 5 else str(first)
        assert f"{said} participant" in text


def test_typology_of_a_study_that_declares_none_is_refused(demo_study):
    import dataclasses

    plain = dataclasses.replace(
        demo_study, ingest_report={**demo_study.ingest_report, "analyses": []}
    )
    with pytest.raises(ValueError, match="declares no site_typology"):
        casestudy.site_typology(plain)
    assert casestudy.typology_blocks(plain, site=SITE) == []


def test_theme_evidence_and_text(demo_study):
    table = casestudy.theme_evidence(demo_study, site=SITE, theme="influence")
    assert table["code_id"].str.startswith("influence.").all()
    assert table["participants"].is_monotonic_decreasing
    compared = site_comparison(demo_study, site=SITE, level="code").set_index("code_id")
    top = table.iloc[0]
    assert top["mean_share"] == pytest.approx(compared.at[top["code_id"], "mean_share"])
    assert table.loc[table["participants"] > 0, "quote"].notna().all()
    assert table["attribution"].dropna().str.endswith("Saltmere").all()
    text = casestudy.theme_text(demo_study, site=SITE, theme="influence")
    assert text.startswith(f"*{top['label']}* led this theme at Saltmere (")
    assert f"of {top['base']} participants" in text


def test_good_practice_and_key_quotes(demo_study):
    good = casestudy.good_practice(demo_study, site=SITE)
    assert 1 <= len(good) <= 3
    # Counts of participants coding a code are counts of people: 1..suppress_max are "c".
    k = demo_study.disclosure["suppress_max"]
    shown = [v for v in good["participants"] if v != "c"]
    assert all(v > k for v in shown) and shown == sorted(shown, reverse=True)
    quotes = casestudy.key_quotes(demo_study, site=SITE)
    assert 3 <= len(quotes) <= 5
    assert quotes["theme"].is_unique
    published = " ".join([*quotes["quote"], *quotes["attribution"], *good["attribution"]])
    assert not re.search(r"\bP\d{3}\b", published)
    with pytest.raises(ValueError, match="`n` must be one of"):
        casestudy.key_quotes(demo_study, site=SITE, n=0)


def test_comparison_text_names_the_largest_differences(demo_study):
    compared = site_comparison(demo_study, site=SITE, level="code")
    furthest = compared.loc[compared["difference"].idxmax(), "label"]
    text = casestudy.comparison_text(demo_study, site=SITE)
    assert furthest[:1].lower() + furthest[1:] in text
    # It opens with the largest difference, here one above the mean.
    gaps = compared.assign(gap=compared["difference"].abs()).sort_values("gap")
    assert gaps["difference"].iloc[-1] > 0
    assert text.startswith(
        "Against the mean of all 9 local authorities, Saltmere differs most in how often its "
        f"participants raised {furthest[:1].lower() + furthest[1:]} ("
    )


def test_an_unknown_site_is_refused_with_the_sites_and_the_closest(demo_study):
    with pytest.raises(
        ValueError, match=r"`site` must be one of the study's 9 local authorities \(S01 "
    ):
        casestudy.profile_text(demo_study, site="S10")
    with pytest.raises(
        ValueError, match=r"but 'Saltmre' was passed; did you mean 'Saltmere' \(S03\)\?"
    ):
        casestudy.profile_text(demo_study, site="Saltmre")


def test_a_site_is_named_by_id_or_name_and_none_is_the_first(demo_study):
    assert casestudy.resolve_site(demo_study, "saltmere") == SITE
    assert casestudy.resolve_site(demo_study, "s03") == SITE
    assert casestudy.resolve_site(demo_study, None) == demo_study.sites["site_id"].iloc[0]
    by_name = casestudy.theme_evidence(demo_study, site="Saltmere", theme="barrier")
    by_id = casestudy.theme_evidence(demo_study, site=SITE, theme="barrier")
    assert by_name.equals(by_id)


def test_attribute_labels_and_blank_attributes_left_out(demo_study):
    import dataclasses

    assert casestudy.attribute_label("la_type") == "LA type"
    assert casestudy.attribute_label("imd_decile") == "IMD decile"
    assert casestudy.attribute_label("ethnic_minority_band") == "Ethnic minority band"
    sites = demo_study.sites.copy()
    sites["region"] = sites["region"].astype(object)
    sites.loc[sites["site_id"] == SITE, ["region", "rurality"]] = [None, float("nan")]
    blank = dataclasses.replace(demo_study, sites=sites)
    text = casestudy.profile_text(blank, site=SITE)
    assert "region" not in text.lower() and "rurality" not in text.lower()
    assert "None" not in text and "nan" not in text
    shown = casestudy.site_attributes(blank, site=SITE)
    assert "Region" not in set(shown["attribute"]) and shown["value"].notna().all()


def test_precompute_leaves_no_cross_site_table_for_a_page_to_compute(demo_processed):
    """What precompute() computes is every cross-site table a site's page reads: after
    it, making a whole page adds nothing to the study's cache (so forked kernels share it
    all), and the page is the same as one made from a study that was never precomputed."""
    from pandas.testing import assert_frame_equal

    from evstudy.study import load_study

    def page(study):
        return [
            casestudy.profile_text(study, site=SITE),
            casestudy.admin_summary(study, site=SITE),
            casestudy.participation(study, site=SITE),
            casestudy.typology_text(study, site=SITE),
            casestudy.site_typology(study),
            casestudy.theme_evidence(study, site=SITE, theme=["barrier", "enabler"]),
            casestudy.theme_text(study, site=SITE, theme="influence"),
            casestudy.good_practice(study, site=SITE),
            casestudy.key_quotes(study, site=SITE),
            casestudy.comparison_text(study, site=SITE),
            site_comparison(study, site=SITE, level="code"),
            site_comparison(study, site=SITE),
        ]

    primed = load_study(demo_processed)
    casestudy.precompute(primed)
    before = set(primed._derived)
    assert before  # it did compute something
    made = page(primed)
    assert set(primed._derived) == before
    for ours, fresh in zip(made, page(load_study(demo_processed)), strict=True):
        if isinstance(ours, str):
            assert ours == fresh
        else:
            assert_frame_equal(ours, fresh)


def test_theme_blocks_flag_weakly_reliable_codes(demo_study):
    from evstudy.reliability import weak_codes

    weak = weak_codes(demo_study)
    assert len(weak)  # the demo has codes below 0.6
    labels = demo_study.codebook.set_index("code_id")["label"]
    blocks = casestudy.theme_blocks(demo_study, site=SITE)
    html = " ".join(b.data if hasattr(b, "data") else str(b) for b in blocks)
    shown = [c for c in weak.index if labels[c] in html]
    assert shown  # some weak code is reported on the page
    for code in shown:
        assert f"{labels[code]} †" in html, code  # marked in its table
    notes = [b.data for b in blocks if getattr(b, "data", "").startswith("†")]
    assert notes and all("below the study's kappa threshold" in n for n in notes)
    assert any(f"(κ {weak[shown[0]]:.2f})" in n for n in notes)


def test_no_quote_appears_twice_on_a_site_page(demo_study):
    from evstudy.coding import published_words

    for site in demo_study.sites["site_id"]:
        shown = []
        for theme in casestudy.themes(demo_study)["theme_id"]:
            shown += list(casestudy.theme_evidence(demo_study, site=site, theme=theme)["quote"])
        shown += list(casestudy.good_practice(demo_study, site=site)["quote"])
        shown += list(casestudy.key_quotes(demo_study, site=site)["quote"])
        words = [published_words(q) for q in shown if isinstance(q, str)]
        assert len(words) > 10
        assert len(words) == len(set(words)), site
    # Without the page's exclusions the same key quote would be shown again.
    site = demo_study.sites["site_id"].iloc[0]
    alone = casestudy.key_quotes(demo_study, site=site, exclude=[])
    page = casestudy.key_quotes(demo_study, site=site)
    assert set(alone["quote"]) != set(page["quote"])
