"""The demonstration corpus reads like fieldwork: the measured targets of issue 18.

A sentence is a piece of a participant's turn (never a research-team member's) split
after ``.``, ``!`` or ``?`` followed by whitespace, lower-cased, with punctuation dropped.
Every figure is computed here from the generated study, independently of the generator's
own bookkeeping.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from itertools import pairwise

import pytest

from evstudy.synth import generate_study
from evstudy.synth.generate import build_study

SPLIT = re.compile(r"(?<=[.!?])\s+")
PUNCT = re.compile(r"[^\w\s]")
LONG = 8

# Spliced or broken grammar a reader would notice.
BROKEN = {
    "hedge before a question": re.compile(
        r"^(?:I'd say|I think|I suppose|To be honest,|Personally,|In my experience,|I mean,"
        r"|Realistically,|Generally speaking,|On the whole,|Thinking about it,|I'd have to say)"
        r" [^.!]*\?$"
    ),
    "doubled word": re.compile(r"\b(\w+) \1\b", re.IGNORECASE),
    "space before punctuation": re.compile(r" [,.;!?]"),
    "doubled punctuation": re.compile(r"[,;][,.;]|\.[,;]|,\s*\.|\.\.(?!\.)"),
    "unfilled slot": re.compile(r"[{}]"),
    "lower-case sentence start": re.compile(r"^[a-z]"),
    "a before a vowel": re.compile(r"\ba (?:[aeiAEI]\w+|evidence|outcome|option|hour)\b"),
    "empty frame": re.compile(r"^(?:Here in|Certainly in|With the|Across|For us at) ,"),
    "tail after a question": re.compile(r"\?,"),
}


def sentences(text: str) -> list[str]:
    return [s for s in SPLIT.split(text.strip()) if s.strip()]


def norm(sentence: str) -> str:
    return " ".join(PUNCT.sub("", sentence.lower()).split())


def participant_sentences(study) -> list[tuple[str, str, str, int, str]]:
    """(doc id, method, speaker id, turn number, raw sentence) for every participant sentence."""
    out = []
    for doc in study.docs:
        for number, turn in enumerate(doc.turns, 1):
            if turn.role == "Participant":
                out += [
                    (doc.doc_id, doc.method, turn.speaker.pid, number, s)
                    for s in sentences(turn.text)
                ]
    return out


def measures(study) -> dict:
    """The issue's targets, measured."""
    said = participant_sentences(study)
    long = [(d, m, p, norm(s)) for d, m, p, _, s in said if len(norm(s).split()) >= LONG]
    counts = Counter(k for *_, k in long)
    speakers: dict[str, set] = defaultdict(set)
    docs_of: dict[str, set] = defaultdict(set)
    for d, _m, p, k in long:
        speakers[k].add(p)
        docs_of[k].add(d)
    shared = [
        k
        for k, who in speakers.items()
        if len(who) > 1 and not (len(docs_of[k]) == 1 and next(iter(docs_of[k])).startswith("FG"))
    ]
    n_docs = len(study.docs)
    short_docs: dict[str, set] = defaultdict(set)
    for d, _m, _p, _, s in said:
        k = norm(s)
        if k and len(k.split()) < LONG:
            short_docs[k].add(d)
    worst_short = max((len(v) for v in short_docs.values()), default=0)
    back_to_back = []
    for doc in study.docs:
        for turn in doc.turns:
            if turn.role == "Participant":
                keys = [norm(s) for s in sentences(turn.text)]
                back_to_back += [a for a, b in pairwise(keys) if a == b]
    broken = [
        (name, s)
        for *_, s in said
        for name, pattern in BROKEN.items()
        if pattern.search(s.replace("\u2019", "'"))
        and not (name == "lower-case sentence start" and s.startswith("["))
    ]
    return {
        "long_sentences": len(long),
        "distinct_ratio": len(counts) / len(long) if long else 1.0,
        "shared_between_participants": shared,
        "short_max_share": worst_short / n_docs,
        "back_to_back": back_to_back,
        "broken": broken,
        "top_long": counts.most_common(10),
    }


def overlap_share(rows: list[list[object]], study) -> tuple[float, int]:
    """Share of codings overlapping a coding with another code by the same coder."""
    texts = {(d.doc_id, n): t.text for d in study.docs for n, t in enumerate(d.turns, 1)}
    by_turn: dict[tuple, list] = defaultdict(list)
    for i, (doc, turn, text, code, coder, _memo) in enumerate(rows):
        if isinstance(turn, str):  # a range "7-8" codes the whole of each of its turns
            first, last = map(int, turn.split("-"))
            for n in range(first, last + 1):
                by_turn[(doc, n, coder)].append((i, code, 0, len(texts[(doc, n)])))
            continue
        start = texts[(doc, turn)].find(str(text))
        assert start >= 0, (doc, turn, text)
        by_turn[(doc, turn, coder)].append((i, code, start, start + len(str(text))))
    hit: set[int] = set()
    pairs = 0
    for group in by_turn.values():
        for i, ci, ai, bi in group:
            for j, cj, aj, bj in group:
                if i < j and ci != cj and ai < bj and aj < bi:
                    hit |= {i, j}
                    pairs += 1
    return len(hit) / len(rows), pairs


@pytest.fixture(scope="module", params=[2023, 7])
def study(request):
    return build_study(request.param, 9)


def test_long_sentences_are_distinct(study):
    m = measures(study)
    assert m["long_sentences"] > 2000
    assert m["distinct_ratio"] >= 0.95, m["top_long"]


def test_no_long_sentence_is_said_by_two_participants(study):
    assert measures(study)["shared_between_participants"] == []


def test_short_fillers_stay_rare(study):
    assert measures(study)["short_max_share"] <= 0.20


def test_no_sentence_is_repeated_back_to_back(study):
    assert measures(study)["back_to_back"] == []


def test_grammar_checks_find_nothing(study):
    assert measures(study)["broken"] == []


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("I'd say does that answer your question?", "hedge before a question"),
        ("I think that's changing, slowly slowly.", "doubled word"),
        ("It was a an option , really.", "space before punctuation"),
        ("We went with a evidence-based model.", "a before a vowel"),
        ("the budget is tight.", "lower-case sentence start"),
        ("It's the {prog}.", "unfilled slot"),
    ],
)
def test_each_grammar_check_catches_its_error(sentence, name):
    assert BROKEN[name].search(sentence)


def test_codings_overlap_as_researchers_code(study):
    share, pairs = overlap_share(study.coding, study)
    assert share >= 0.05
    assert pairs > 0


def _named_places(study) -> dict[str, set[str]]:
    """Each place or provider name a site's speakers may say -> the sites that own it."""
    owners: dict[str, set[str]] = defaultdict(set)
    for site_id, facts in study.composer.facts.items():
        names = [*facts.programmes, *facts.localities, *facts.providers]
        for name in names:
            if not name.startswith("the "):  # "the west": no place in particular
                owners[name].add(site_id)
    for site in study.sites:
        owners[site.name].add(site.site_id)
    return owners


def test_every_answer_has_the_speakers_site_facts_only(study):
    # Programmes, localities and providers belong to one site: a speaker names their own
    # site's only ("Here in Limecroft" is a Saltmere speaker's, and no other site has one).
    owners = _named_places(study)
    generated = [n for n in owners if n not in {s.name for s in study.sites}]
    shared = {n: s for n, s in owners.items() if len(s) > 1 and n in generated}
    assert not shared
    wrong = []
    for doc in study.docs:
        for turn in doc.turns:
            if turn.role != "Participant" or not turn.speaker.site_id:
                continue
            for name in generated:
                if turn.speaker.site_id not in owners[name] and re.search(
                    rf"\b{re.escape(name)}\b", turn.text
                ):
                    wrong.append((doc.doc_id, turn.speaker.site_id, name))
    assert not wrong


def test_non_ascii_reaches_the_transcript_files(tmp_path):
    out = tmp_path / "study"
    generate_study(out, seed=2023, sites=9)
    import docx

    files = sorted(p for p in (out / "transcripts").rglob("*") if p.is_file())
    with_non_ascii = []
    for path in files:
        if path.suffix == ".docx":
            text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        else:
            text = path.read_text(encoding="utf-8-sig")
        if any(ord(ch) > 127 for ch in text):
            with_non_ascii.append(path.name)
    assert len(with_non_ascii) >= 0.10 * len(files)
    everything = "".join(
        path.read_text(encoding="utf-8-sig") for path in files if path.suffix != ".docx"
    )
    assert "(Guest)" in everything
    assert "\u00a3" in everything


def test_focus_group_runs_are_coded_as_ranges_that_ingest_spreads_over_turns(tmp_path):
    from evstudy import load_study
    from evstudy.coding import coded_segments
    from evstudy.ingest import ingest
    from evstudy.io.coding_sheet import read_coding_sheet

    out = tmp_path / "raw"
    generate_study(out, seed=2023, sites=9)
    sheet = read_coding_sheet(out / "coding" / "coding_sheet.xlsx")
    ranges = sheet[sheet["turn_end"] > sheet["turn"]]
    # Both coders code some runs of building turns as one passage, in focus groups only.
    assert set(ranges["coder"]) == {"CD", "VT"}
    assert len(ranges) >= 10
    assert ranges["document"].str.startswith("FG").all()
    assert ranges["text"].isna().all()

    ingest(out, tmp_path / "processed", key_dir=tmp_path / "keys")
    study = load_study(tmp_path / "processed")
    turns = study.turns.set_index(["doc_id", "turn"])
    segments = coded_segments(study)
    placed = study.codings.set_index(["doc_id", "coder", "code_id", "start", "end"])
    for row in ranges.drop_duplicates(
        ["document", "turn", "turn_end", "code", "coder"]
    ).itertuples():
        first, last = turns.loc[(row.document, row.turn)], turns.loc[(row.document, row.turn_end)]
        # The passage runs from the first turn's words to the end of the last's, ...
        key = (row.document, row.coder, row.code, first["start"], last["end"])
        assert key in placed.index, key
        coding = placed.loc[[key]].iloc[0]
        assert coding["turn"] == row.turn
        # ... and counts once for each participant whose words it holds.
        parts = segments[segments["coding_id"] == coding["coding_id"]]
        assert parts["turn"].tolist() == list(range(row.turn, row.turn_end + 1))
        assert parts["participant_id"].nunique() == len(parts) >= 2
        assert parts["text"].tolist() == [
            turns.loc[(row.document, n), "text"] for n in parts["turn"]
        ]
