"""The analysis recovers what the generator planted, for two seeds: the demo's and one more.

Only tests read ``planted_truth.yml``; the analysis sees the processed tables alone. The
two seeds plant different truths (different reactive sites, top barriers and a dissonant
theme that interviews under-state in one and over-state in the other), so a finding that
only echoed the demo would fail here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from evstudy import casestudy, narrative, sections
from evstudy.matrices import comb_codes
from evstudy.study import load_study
from evstudy.triangulation import joint_display

OTHER_SEED = 11  # plants reactive S01, S04, S09 and a dissonant theme interviews over-state


@pytest.fixture(scope="session")
def other_study(tmp_path_factory: pytest.TempPathFactory):
    """A second 9-site study, generated and ingested with the command line."""
    from evstudy.cli import main

    folder = tmp_path_factory.mktemp(f"seed-{OTHER_SEED}")
    raw, processed = folder / "raw", folder / "processed"
    assert main(["synth", "--seed", str(OTHER_SEED), "--sites", "9", "--out", str(raw)]) == 0
    assert main(["ingest", "--raw", str(raw), "--out", str(processed)]) == 0
    truth = yaml.safe_load((raw / "planted_truth.yml").read_text(encoding="utf-8"))
    return load_study(processed), truth


@pytest.fixture(params=["demo", "other"])
def planted(request, demo_study, demo_truth):
    if request.param == "demo":
        return demo_study, demo_truth
    return request.getfixturevalue("other_study")


def _names(study, site_ids) -> list[str]:
    names = study.sites.set_index("site_id")["site_name"]
    return sorted(names[s] for s in site_ids)


@pytest.mark.slow
def test_the_two_seeds_plant_different_truths(demo_truth, other_study):
    _, other = other_study
    assert other["seed"] != demo_truth["seed"]
    assert other["reactive_sites"] != demo_truth["reactive_sites"]
    assert other["top_barriers"] != demo_truth["top_barriers"]
    assert other["dissonant_theme"]["code"] != demo_truth["dissonant_theme"]["code"]
    assert other["dissonant_theme"]["interviews"] != demo_truth["dissonant_theme"]["interviews"]


@pytest.mark.slow
def test_reactive_sites_are_the_ones_rq1_and_the_case_studies_identify(planted):
    study, truth = planted
    approach = casestudy.site_typology(study)
    assert sorted(approach.loc[approach["type"] == "reactive", "site_id"]) == sorted(
        truth["reactive_sites"]
    )
    headline = narrative.headlines(study).at[0, "headline"]
    n = len(truth["reactive_sites"])
    sites = narrative.plural_noun(study.site_noun)
    # A sentence never opens with a numeral: the count is spelt out.
    opening = f"{narrative.spelt(n).capitalize()} of {len(study.sites)} {sites}"
    assert headline.startswith(f"{opening} describe mainly reactive")
    named = headline[headline.index("(") + 1 : headline.index(")")]
    parts = named.replace(" and ", ", ").split(", ")
    # A long list names three, then "one other" / "N others" for the rest.
    others = [p for p in parts if p.endswith((" other", " others"))]
    names = [p for p in parts if p not in others]
    assert set(names) <= set(_names(study, truth["reactive_sites"]))
    rest = n - len(names)
    assert others == ([f"{narrative.number_word(rest)} other{'s' * (rest > 1)}"] if rest else [])
    types = casestudy.site_typology(study).set_index("site_id")
    (typology,) = [a for a in study.analyses if a["type"] == "site_typology"]
    labels = {t["id"]: t["label"] for t in typology["types"]}
    for site in study.sites["site_id"]:
        text = casestudy.typology_text(study, site=site)
        expected = "reactive" if site in truth["reactive_sites"] else "structured"
        assert types.at[site, "type"] == expected, site
        assert f"**{labels[expected]}**" in text, site


@pytest.mark.slow
def test_planted_top_barriers_lead_the_comb_matrix_and_the_survey(planted):
    study, truth = planted
    codes = comb_codes(study)
    for valence, key in (("barrier", "top_barriers"), ("enabler", "top_enablers")):
        part = codes[codes["valence"] == valence]
        interviews = part.nlargest(3, "participants")["code_id"].tolist()
        survey = part.sort_values("survey_n", ascending=False).head(3)["code_id"].tolist()
        assert interviews == truth[key], valence  # in the planted order
        assert sorted(survey) == sorted(truth[key]), valence
    text = narrative.comb_section(study).markdown
    labels = codes.set_index("code_id")["label"]
    first = narrative.midsentence(labels[truth["top_barriers"][0]])
    label = study.population["label"]
    # Labels in a list are written as words, not chained italics.
    assert text.startswith(f"The barriers {label} described most were {first}")
    assert "the same three as in the interviews" in text


@pytest.mark.slow
def test_the_planted_dissonant_theme_is_coded_dissonance(planted):
    study, truth = planted
    code = truth["dissonant_theme"]["code"]
    display = joint_display(study).set_index("code_id")
    row = display.loc[code]
    assert row["convergence"] == "dissonance"
    interviews_low = truth["dissonant_theme"]["interviews"] == "low"
    assert (row["qual_tier"], row["survey_tier"]) == (
        ("low", "high") if interviews_low else ("high", "low")
    )
    # The narrative names it first: it is the sharpest contrast between the methods.
    text = narrative.triangulation_text(display.reset_index())
    sharpest = re.split(r"The dissonant themes?(?:, sharpest first)?: ", text)[1]
    assert sharpest.startswith(f"*{narrative.midsentence(row['label'])}*")
    assert display.at[truth["silent_theme"]["code"], "convergence"] == "silence"


@pytest.mark.slow
def test_partner_agencies_rate_research_evidence_higher(planted):
    study, truth = planted
    rating = truth["research_evidence_rating"]
    assert rating["partner_agency_mean"] > rating["la_staff_mean"]
    section = sections.research_question(study, "1")
    text = " ".join(p for p in section.parts if isinstance(p, str))
    # The share may open its sentence, spelt out ("Seventy per cent of ...").
    share = r"(?:\d+%|[A-Z][a-z]+(?:[ -][a-z]+)* per cent)"
    assert re.search(
        share + r" of partner agencies answered .* against \d+% of local authority", text
    )


@pytest.mark.slow
def test_the_narrative_changes_with_the_seed(demo_study, other_study):
    other, _ = other_study
    demo_heads = narrative.headlines(demo_study)["headline"]
    other_heads = narrative.headlines(other)["headline"]
    changed = (demo_heads != other_heads).tolist()
    assert changed[:2] == [True, True] and sum(changed) >= 4, changed
    assert narrative.triangulation_text(joint_display(demo_study)) != narrative.triangulation_text(
        joint_display(other)
    )


def test_the_analysis_never_reads_the_planted_truth():
    src = Path(__file__).resolve().parents[1] / "src" / "evstudy"
    for name in ("matrices.py", "triangulation.py", "narrative.py", "casestudy.py"):
        assert "planted_truth" not in (src / name).read_text(encoding="utf-8"), name
