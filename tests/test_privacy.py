from __future__ import annotations

import pytest

from evstudy.privacy import (
    REDACTED,
    NameRedactor,
    canonical_name,
    detect_first_names,
    first_name_list,
    read_identity_key,
)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Jordan Lee", "jordan lee"),
        ("  jordan   LEE ", "jordan lee"),
        ("Lee, Jordan", "jordan lee"),
        ("Jordan Lee (Harrowfield Council)", "jordan lee"),
        ("O'Neill, Siobhán", "siobhán o'neill"),
    ],
)
def test_canonical_name_understands_teams_spellings(written, expected):
    assert canonical_name(written) == expected


def test_redactor_replaces_names_in_their_usual_forms():
    redact = NameRedactor(["Jordan Lee", "Siobhán O'Neill"], ["Cllr Hughes", "Priya"])
    text = (
        "I asked jordan lee, then Lee, Jordan again; Ms O'Neill agreed and Siobhán   O'Neill "
        "wrote it up. Cllr Hughes and Priya were there. We hope Priyanka and Leeds are fine."
    )
    out, n = redact.redact(text)
    assert "jordan" not in out.lower() and "neill" not in out.lower()
    assert "Hughes" not in out and " Priya " not in out
    assert "Priyanka" in out and "Leeds" in out and "hope" in out  # no partial-word damage
    assert n == 6
    assert out.count(REDACTED) == 6


def test_possessives_are_redacted_but_longer_words_are_not():
    redact = NameRedactor(["Callum Knight"], ["Priya"])
    assert (
        redact("Callum Knight's team and Priya’s note")
        == f"{REDACTED}'s team and {REDACTED}’s note"
    )
    assert redact("Priya'sville") == "Priya'sville"


def test_single_word_names_are_case_sensitive():
    redact = NameRedactor([], ["Hope"])
    assert redact("There is Hope, but we hope.") == f"There is {REDACTED}, but we hope."


def test_empty_redactor_changes_nothing():
    assert NameRedactor([]).redact("Jordan") == ("Jordan", 0)


def test_identity_key_is_stable_and_appends(tmp_path):
    key = read_identity_key(tmp_path)
    first = key.assign([("Jordan Lee", "j.lee@example.org"), ("Sam Green", "sam@example.org")])
    assert sorted(first.values()) == ["P001", "P002"]
    key.save()
    again = read_identity_key(tmp_path)
    # a reordered register with a new person keeps the old pseudonyms
    second = again.assign(
        [
            ("Ann Bell", "ann@example.org"),
            ("Sam Green", "SAM@example.org"),
            ("Jordan Lee", "j.lee@example.org"),
        ]
    )
    assert second["sam@example.org"] == first["sam@example.org"]
    assert second["j.lee@example.org"] == first["j.lee@example.org"]
    assert second["ann@example.org"] == "P003"


def test_first_name_detector_uses_an_offline_list_without_common_words():
    names = first_name_list()
    assert len(names) > 1000
    assert "Oliver" in names and "Will" not in names and "Grace" not in names
    found = detect_first_names("Then Oliver said [name] had told Grace; Sunday in Leeds.")
    assert found == ["Oliver"]


def test_redactor_prefix_tree_matches_a_flat_alternation():
    # Names that share prefixes (Jo, Jon, Jonah, Jonathan) and texts that mix case,
    # possessives, titles and longer words are where a prefix tree could go wrong.
    import random

    rng = random.Random(7)
    firsts = ["Jo", "Jon", "Jonah", "Jonathan", "Ann", "Anne", "Anna", "Annabel", "Li", "Lin"]
    lasts = ["Lee", "Leeds", "Le", "O'Neill", "Smith", "Smithson", "Ng", "Ngozi", "Hope"]
    full = sorted({f"{rng.choice(firsts)} {rng.choice(lasts)}" for _ in range(40)})
    full += ["Ann Lee", "Ann Lee Smith", "Jo Ng"]  # one name is the start of another
    other = ["Priya", "Pri", "Hope", "Mo", "Jo Ng Hope"]
    words = [*firsts, *lasts, *other, "and", "the", "hope", "met", ",", "'s", "ie", "Ms", "Dr."]
    words += ["-", "J.", "A", "Jonny", "Annie"]  # hyphens, initials, nicknames
    # The same names as a flat, longest-first alternation of every form: the reference.
    flat = NameRedactor(full, other, _flat=True)
    redactor = NameRedactor(full, other)
    differences = []
    for _ in range(3000):
        text = "".join(
            rng.choice(["", " ", "  ", "\n"]) + rng.choice([w, w.upper(), w.lower()])
            for w in rng.choices(words, k=rng.randint(1, 8))
        )
        if redactor.redact(text) != flat.redact(text):
            differences.append(text)
    assert differences == []


# --- issue 19 §1: names that got past redaction -------------------------------------------------

REGISTER = ["Priya Shah", "Zoë Clarke", "Anna Smith-Jones", "Rebecca Moss", "Will Turner"]


def _redacted(text: str) -> str:
    return NameRedactor(REGISTER).redact(text)[0]


def test_a_first_name_alone_is_redacted_when_capitalised_as_a_name():
    assert _redacted("Priya's team met Zoë.") == f"{REDACTED}'s team met {REDACTED}."
    assert _redacted("Zoe said so") == f"{REDACTED} said so"  # accents folded
    # not a name when not capitalised as one, nor inside a longer word
    assert _redacted("priya and Priyanka") == "priya and Priyanka"


def test_an_accent_stripped_full_name_is_redacted():
    assert _redacted("ask Zoe Clarke or ZOE CLARKE") == f"ask {REDACTED} or {REDACTED}"


@pytest.mark.parametrize(
    "text",
    ["Anna Smith", "Anna Jones", "Anna Smith Jones", "Anna Smith - Jones", "Anna Smith‐Jones"],
)
def test_each_part_of_a_double_barrelled_surname_is_redacted(text):
    assert _redacted(f"we met {text} today") == f"we met {REDACTED} today"


def test_title_and_each_part_of_a_double_barrelled_surname_is_redacted():
    assert _redacted("Ms Jones and Dr Smith-Jones") == f"{REDACTED} and {REDACTED}"


@pytest.mark.parametrize("text", ["P. Shah", "P Shah", "Z. Clarke", "A. Smith-Jones"])
def test_an_initial_and_surname_is_redacted(text):
    assert _redacted(f"as {text} said") == f"as {REDACTED} said"


def test_an_initial_that_is_a_word_needs_its_full_stop():
    redact = NameRedactor(["Adam Hall"])
    assert redact("A Hall was booked; A. Hall came") == f"A Hall was booked; {REDACTED} came"


def test_a_common_nickname_of_a_register_first_name_is_redacted():
    assert _redacted("Bex and Becky agreed") == f"{REDACTED} and {REDACTED} agreed"


def test_a_name_in_decomposed_unicode_is_redacted():
    import unicodedata

    text = unicodedata.normalize("NFD", "Zoë Clarke wrote; Zoë agreed")
    assert _redacted(text) == f"{REDACTED} wrote; {REDACTED} agreed"


def test_a_first_name_that_is_an_ordinary_word_is_left_for_review():
    redactor = NameRedactor(REGISTER)
    text = "Will said we will see. Will Turner's report"
    assert redactor.redact(text)[0] == f"Will said we will see. {REDACTED}'s report"
    assert redactor.review_hits("Will said we will see; Bill agreed") == ["Will", "Bill"]
    assert redactor.review_hits("we will see") == []
