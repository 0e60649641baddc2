"""Tests of the synthetic study's codebook and phrase bank."""

from __future__ import annotations

import os
import re
import string
from collections import Counter
from pathlib import Path

import pytest

from evstudy.synth import phrases
from evstudy.synth.codebook_spec import CODES, LEAF_IDS, PROMPTED, THEME_IDS
from evstudy.synth.phrases import (
    CLOSING,
    DIGRESSIONS,
    EXPERT_EXPRESSIONS,
    EXPERT_SCHEDULE,
    EXPRESSIONS,
    FILLERS,
    FOCUS_GROUP_CLOSING,
    FOCUS_GROUP_OPENING,
    FOCUS_GROUP_PROMPTS,
    HEDGES,
    INTERVIEWER_ACKS,
    NEUTRAL,
    OPENING,
    SCHEDULE,
    SURVEY_FREE_TEXT,
    with_opener,
)

COMB = {
    "physical_capability",
    "psychological_capability",
    "physical_opportunity",
    "social_opportunity",
    "reflective_motivation",
    "automatic_motivation",
}
VALENCE = {"barrier", "enabler"}
KEYS = {
    "id",
    "parent",
    "label",
    "definition",
    "include",
    "exclude",
    "example",
    "comb",
    "valence",
    "rq",
    "origin",
}
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _all_phrasings() -> list[tuple[str, str]]:
    """(source, text) for every phrasing in the code-keyed banks."""
    out = [(f"EXPRESSIONS[{c}]", t) for c, ts in EXPRESSIONS.items() for t in ts]
    out += [(f"EXPERT_EXPRESSIONS[{c}]", t) for c, ts in EXPERT_EXPRESSIONS.items() for t in ts]
    out += [(f"SURVEY_FREE_TEXT[{c}]", t) for c, ts in SURVEY_FREE_TEXT.items() for t in ts]
    return out


def _schedule_questions() -> list[str]:
    return [
        q
        for s in (SCHEDULE, EXPERT_SCHEDULE, FOCUS_GROUP_PROMPTS)
        for e in s
        for q in e["questions"]
    ]


def _all_texts() -> list[tuple[str, str]]:
    """Every piece of text the module offers, with where it comes from."""
    out = _all_phrasings()
    for name in (
        "HEDGES",
        "FILLERS",
        "DIGRESSIONS",
        "NEUTRAL",
        "INTERVIEWER_ACKS",
        "OPENING",
        "CLOSING",
        "FOCUS_GROUP_OPENING",
        "FOCUS_GROUP_CLOSING",
    ):
        out += [(name, t) for t in getattr(phrases, name)]
    out += [("schedule", q) for q in _schedule_questions()]
    return out


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}


# ------------------------------------------------------------------------- codebook


def test_codebook_ids_unique_and_schema_complete():
    ids = [c["id"] for c in CODES]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    for code in CODES:
        # "prompted" only where a topic guide asks about the code (see PROMPTED)
        assert set(code) - {"prompted"} == KEYS, code["id"]
        assert ("prompted" in code) == (code["id"] in PROMPTED), code["id"]
        assert code["label"] and code["definition"], code["id"]


def test_prompted_codes_are_the_ones_the_schedules_ask_about_by_name():
    schedules = {
        "interview": phrases.SCHEDULE,
        "expert_interview": phrases.EXPERT_SCHEDULE,
        "focus_group": phrases.FOCUS_GROUP_PROMPTS,
    }
    assert PROMPTED  # the demo's guides do name resources
    for code, methods in PROMPTED.items():
        assert code in LEAF_IDS
        for method in methods:
            # a section of that method's guide is about the code and names the Guidebook
            # or the Evidence Store in one of its ways of asking
            sections = [s for s in schedules[method] if code in s["codes"]]
            assert any(
                re.search("Guidebook|Evidence Store", q) for s in sections for q in s["questions"]
            ), (code, method)


def test_codebook_parents_and_values():
    ids = {c["id"] for c in CODES}
    for code in CODES:
        if code["parent"] is None:
            assert "." not in code["id"]
        else:
            assert code["parent"] in ids, code["id"]
            assert code["parent"] in THEME_IDS, code["id"]
            assert code["id"].startswith(code["parent"] + "."), code["id"]
            for key in ("include", "exclude", "example"):
                assert isinstance(code[key], str) and code[key], (code["id"], key)
        assert code["comb"] is None or code["comb"] in COMB, code["id"]
        assert code["valence"] is None or code["valence"] in VALENCE, code["id"]
        assert code["rq"] and all(isinstance(r, int) and 1 <= r <= 5 for r in code["rq"])
        assert code["origin"] in {"deductive", "inductive"}, code["id"]


def test_codebook_barriers_and_enablers_are_classified():
    for code in CODES:
        theme = code["parent"]
        if theme in {"barrier", "enabler"}:
            assert code["valence"] == theme, code["id"]
            assert code["comb"] in COMB, code["id"]
        else:
            assert code["valence"] is None, code["id"]
            assert code["comb"] is None, code["id"]


def test_theme_and_leaf_ids_partition_codes():
    assert set(THEME_IDS) | set(LEAF_IDS) == {c["id"] for c in CODES}
    assert not set(THEME_IDS) & set(LEAF_IDS)
    assert len(THEME_IDS) == 8
    assert len(LEAF_IDS) == 49


# ------------------------------------------------------------------------- expressions


def test_every_leaf_code_has_enough_distinct_phrasings():
    assert set(EXPRESSIONS) == set(LEAF_IDS)
    for code in LEAF_IDS:
        texts = EXPRESSIONS[code]
        assert len(texts) >= 10, code
        assert len({_norm(t) for t in texts}) >= 8, code


def test_no_phrasing_repeats_or_is_shared_between_codes():
    seen: dict[str, str] = {}
    for source, text in _all_phrasings():
        key = _norm(text)
        assert key not in seen, f"{source} repeats {seen.get(key)}: {text!r}"
        seen[key] = source


def test_only_colleague_placeholder():
    for source, text in _all_texts():
        fields = _fields(text)
        if source.startswith(("EXPRESSIONS", "EXPERT_EXPRESSIONS", "DIGRESSIONS")):
            assert fields <= {"colleague"}, (source, text)
        else:
            assert not fields, (source, text)
        # formats cleanly: no stray braces
        text.format(colleague="Pat Example")


def test_colleague_placeholder_share():
    texts = [t for ts in EXPRESSIONS.values() for t in ts]
    share = sum("{colleague}" in t for t in texts) / len(texts)
    assert 0.1 <= share <= 0.25, share
    assert any("{colleague}" in t for t in DIGRESSIONS)
    assert not any("{toolkit}" in t for _, t in _all_texts())


def test_no_colons_or_line_breaks():
    for source, text in _all_texts():
        assert ":" not in text, (source, text)
        assert "\n" not in text and "\r" not in text, (source, text)
        assert text == text.strip() and "  " not in text, (source, text)


def test_phrasings_are_one_to_three_sentences():
    for source, text in _all_phrasings():
        n = len(re.findall(r"[.?!](?:\s|$)", text))
        assert 1 <= n <= 3, (source, text)


def test_no_capitalised_faker_first_names():
    """The privacy detector flags capitalised first names; the bank must not trigger it."""
    from faker.providers.person.en_GB import Provider as GB
    from faker.providers.person.en_US import Provider as US

    names = set(GB.first_names) | set(US.first_names)
    for source, text in _all_texts():
        words = set(re.findall(r"\b[A-Z][a-z]+\b", text.replace("{colleague}", "")))
        assert not words & names, (source, words & names)


def test_strength_and_weakness_name_the_legacy_resources():
    for bank in (EXPRESSIONS, EXPERT_EXPRESSIONS):
        for code in ("toolkit.strength", "toolkit.weakness"):
            for text in bank[code]:
                assert "Guidebook" in text or "Evidence Store" in text, text


def test_expert_expressions_cover_known_codes():
    assert set(EXPERT_EXPRESSIONS) <= set(LEAF_IDS)
    assert {"toolkit.strength", "toolkit.weakness"} <= set(EXPERT_EXPRESSIONS)
    for code, texts in EXPERT_EXPRESSIONS.items():
        assert len(texts) >= 6, code


# ------------------------------------------------------------------------- texture


def test_texture_lists_are_big_enough_and_unique():
    for name, items, minimum in (
        ("HEDGES", HEDGES, 15),
        ("FILLERS", FILLERS, 10),
        ("DIGRESSIONS", DIGRESSIONS, 15),
        ("NEUTRAL", NEUTRAL, 20),
        ("INTERVIEWER_ACKS", INTERVIEWER_ACKS, 15),
        ("OPENING", OPENING, 3),
        ("CLOSING", CLOSING, 3),
        ("FOCUS_GROUP_OPENING", FOCUS_GROUP_OPENING, 3),
        ("FOCUS_GROUP_CLOSING", FOCUS_GROUP_CLOSING, 3),
    ):
        assert len(items) >= minimum, name
        assert len({_norm(t) for t in items}) == len(items), name


def test_neutral_and_digressions_are_not_expressions():
    coded = {_norm(t) for _, t in _all_phrasings()}
    for text in NEUTRAL + DIGRESSIONS:
        assert _norm(text) not in coded, text


def test_with_opener():
    assert with_opener("To be honest,", "The contracts roll over.") == (
        "To be honest, the contracts roll over."
    )
    assert with_opener("I suppose", "I'm not sure.") == "I suppose I'm not sure."
    assert with_opener("I think", "NICE is useful.") == "I think NICE is useful."
    assert with_opener("I think", "Ofsted came.") == "I think Ofsted came."
    assert with_opener("I think", "{colleague} said so.") == "I think {colleague} said so."


# ------------------------------------------------------------------------- schedules


@pytest.mark.parametrize(
    ("name", "schedule", "rqs"),
    [
        ("SCHEDULE", SCHEDULE, {1, 2, 3, 4, 5}),
        ("EXPERT_SCHEDULE", EXPERT_SCHEDULE, {3, 4, 5}),
        ("FOCUS_GROUP_PROMPTS", FOCUS_GROUP_PROMPTS, {1, 2, 3, 4, 5}),
    ],
)
def test_schedule_shape(name, schedule, rqs):
    assert len(schedule) >= 8, name
    assert {e["rq"] for e in schedule} == rqs, name
    for entry in schedule:
        assert set(entry) == {"rq", "questions", "codes"}, name
        assert len(entry["questions"]) >= 3, entry
        assert len({_norm(q) for q in entry["questions"]}) == len(entry["questions"]), entry
        assert entry["codes"], entry
        for code in entry["codes"]:
            assert code in LEAF_IDS, (name, code)


def test_every_leaf_code_is_asked_about():
    asked = {c for e in SCHEDULE for c in e["codes"]}
    assert asked == set(LEAF_IDS), set(LEAF_IDS) - asked


# ------------------------------------------------------------------------- survey


def test_survey_free_text():
    assert len(SURVEY_FREE_TEXT) >= 12
    for code, texts in SURVEY_FREE_TEXT.items():
        assert code in LEAF_IDS, code
        assert code.split(".")[0] in {"barrier", "enabler", "guide"}, code
        assert len(texts) >= 6, code
        for text in texts:
            assert "@SQ@" not in text and "," not in text[:1], text


# ------------------------------------------------------------------------- seeds


@pytest.mark.shared
def test_nothing_copied_from_the_seeds():
    """No eight-word run of any text in the bank occurs in the study's source documents."""
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the seed documents are missing: {SEEDS}")
        pytest.skip(f"seed documents not present at {SEEDS}")
    files = sorted(SEEDS.glob("*.txt"))
    assert files, SEEDS

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", ""))

    seed_windows: set[tuple[str, ...]] = set()
    for path in files:
        w = words(path.read_text(encoding="utf-8", errors="replace"))
        seed_windows.update(tuple(w[i : i + 8]) for i in range(len(w) - 7))
    texts = _all_texts() + [(c["id"], str(c[k])) for c in CODES for k in KEYS if c[k]]
    for source, text in texts:
        w = words(text.replace("{colleague}", ""))
        for i in range(len(w) - 7):
            assert tuple(w[i : i + 8]) not in seed_windows, (source, " ".join(w[i : i + 8]))
