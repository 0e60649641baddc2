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


def _flat_redactor_pattern(full_names, other_names):
    """The redactor's pattern as a flat, longest-first alternation: the reference."""
    import re

    def loose(name):
        return r"\s+".join(re.escape(part) for part in name.split())

    multi, single, surnames = set(), set(), set()
    for name in [*full_names, *other_names]:
        parts = name.split()
        if len(parts) == 1:
            single.add(name)
        else:
            multi |= {name, f"{parts[-1]}, {' '.join(parts[:-1])}"}
            surnames.add(parts[-1])
    longest = lambda names: sorted(names, key=lambda s: (-len(s), s))  # noqa: E731
    titles = "|".join(["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Cllr", "Councillor", "Prof"])
    alternatives = [
        "(?i:" + "|".join(loose(n) for n in longest(multi)) + ")",
        f"(?:{titles}|Professor)"
        + r"\.?\s+(?i:"
        + "|".join(map(re.escape, longest(surnames)))
        + ")",
        "(?:" + "|".join(map(re.escape, longest(single))) + ")",
    ]
    return re.compile(r"(?<![\w'’])(?:" + "|".join(alternatives) + r")(?!\w)(?!['’](?!s\b)\w)")


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
    flat = _flat_redactor_pattern(full, other)
    redactor = NameRedactor(full, other)
    differences = []
    for _ in range(3000):
        text = "".join(
            rng.choice(["", " ", "  ", "\n"]) + rng.choice([w, w.upper(), w.lower()])
            for w in rng.choices(words, k=rng.randint(1, 8))
        )
        if redactor.redact(text) != flat.subn(REDACTED, text):
            differences.append(text)
    assert differences == []
