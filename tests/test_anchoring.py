"""Placing coding-sheet rows on the canonical text: turns, ranges of turns and spans."""

from __future__ import annotations

import pytest

from evstudy.anchoring import Placed, Unplaced, place_coding

# "F: Any thoughts?\nP001: We share it.\nP002: So do we.\nF: Thanks."
LINES = [("F", "Any thoughts?"), ("P001", "We share it."), ("P002", "So do we."), ("F", "Thanks.")]


def _document() -> tuple[str, dict[int, dict]]:
    text, turns, offset = [], {}, 0
    for number, (speaker, words) in enumerate(LINES, 1):
        start = offset + len(speaker) + 2
        turns[number] = {"start": start, "end": start + len(words), "text": words}
        turns[number]["speaker"] = speaker
        text.append(f"{speaker}: {words}")
        offset = start + len(words) + 1
    return "\n".join(text), turns


def place(**row) -> Placed:
    text, turns = _document()
    anchor = {"turn": None, "start": None, "end": None, "passage": None, **row}
    return place_coding(doc_id="FG1", text=text, turns=turns, redact=lambda s: s, **anchor)


def test_the_document_is_laid_out_as_the_offsets_say():
    text, turns = _document()
    assert text[turns[2]["start"] : turns[2]["end"]] == "We share it."
    # "F: Any thoughts?\n" is 17 characters; "P001: " 6 more.
    assert (turns[2]["start"], turns[3]["end"]) == (23, 51)


def test_a_range_runs_from_the_first_turns_text_to_the_last_turns_end():
    text, _ = _document()
    placed = place(turn=2, turn_end=3)
    assert placed == Placed(23, 51, 2)
    assert text[placed.start : placed.end] == "We share it.\nP002: So do we."
    # A range of one turn is that turn; a single turn has no turn_end at all.
    assert place(turn=2, turn_end=2) == place(turn=2) == Placed(23, 35, 2)
    assert place(turn=2, turn_end=2, passage="share") == Placed(26, 31, 2)


def test_a_range_past_the_last_turn_is_unplaced_like_a_missing_turn():
    with pytest.raises(Unplaced) as info:
        place(turn=3, turn_end=7)
    assert info.value.column == "Turn"
    assert info.value.problem == "FG1 has no turn 7 (it has turns 1 to 4)"
    with pytest.raises(Unplaced, match="FG1 has no turn 9"):
        place(turn=9, turn_end=10)


def test_a_backwards_range_or_a_range_with_text_is_unplaced():
    with pytest.raises(Unplaced, match="ends before it starts") as info:
        place(turn=3, turn_end=2)
    assert info.value.column == "Turn"
    with pytest.raises(Unplaced) as info:
        place(turn=2, turn_end=3, passage="We share it.")
    assert info.value.column == "Text"
    assert info.value.fix.startswith("Text narrows one turn")


def test_a_span_across_turns_belongs_to_the_turn_it_starts_in():
    # The codings table keeps one row per coding: its turn is where it starts.
    assert place(start=26, end=47) == Placed(26, 47, 2)
