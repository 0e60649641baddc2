"""Withdrawn words repeated by someone else: removed at ingest, found by the audit (issue 19 §6)."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

from evstudy.audit import audit_outputs
from evstudy.audit.withdrawal import MARKER, SPAN, withdrawn_words

SAID = "We lost about half the prevention budget in the last round of savings."
ECHO = "So what I'm hearing is we lost about half the prevention budget in the last round."


def test_a_repeated_sentence_is_replaced_wherever_it_is_and_a_common_phrase_is_not():
    words = withdrawn_words(
        [
            ("FG1", f"Honestly? {SAID} It hurt.", "register.xlsx row 7"),
            ("FG1", "Thank you.", None),
            ("FG1", "It hurt, and we cover the whole of the county here.", "register.xlsx row 7"),
            ("INT2", "I manage four, and we cover the whole of the county.", None),
        ]
    )
    # The whole sentence, in another document, in any case and punctuation: one marker.
    text, n = words.redact(
        "As one council put it: WE LOST about half the prevention-budget in the last "
        "round of savings! Next question.",
        "INT9",
    )
    assert (text, n) == (f"As one council put it: {MARKER}! Next question.", 1)
    # Eight words of it but not the whole sentence: an echo in their own session only.
    assert words.redact(ECHO, "FG1") == (f"So what I'm hearing is {MARKER}.", 1)
    assert words.redact(ECHO, "INT9") == (ECHO, 0)
    # A run someone said in another session is a common phrase, even in theirs.
    common = "Yes, and we cover the whole of the county too, you know."
    assert words.redact(common, "FG1") == (common, 0)
    # A stock clause inside someone else's sentence is not their sentence repeated.
    framed = f"Speaking nationally, {SAID[0].lower()}{SAID[1:]}"
    assert words.redact(framed, "INT9") == (framed, 0)
    # Fewer than SPAN words of theirs is never removed.
    short = "the prevention budget in the last round"
    assert len(short.split()) < SPAN
    assert words.redact(short, "FG1") == (short, 0)


def test_nothing_is_removed_when_nobody_withdrew():
    words = withdrawn_words([("FG1", SAID, None)])
    assert not words
    assert words.redact(SAID, "FG1") == (SAID, 0)


def _withdrawn_sentence(raw: Path) -> tuple[str, int]:
    """A sentence of SPAN words or more said by the study's withdrawn participant, and the
    register row of that participant."""
    from evstudy.config import load_config
    from evstudy.io.tables import read_fieldwork_log
    from evstudy.io.transcripts import read_transcript
    from evstudy.privacy import canonical_name

    ws = openpyxl.load_workbook(raw / "register.xlsx").active
    header = [c.value for c in ws[1]]
    gone = next(r for r in ws.iter_rows(min_row=2) if r[header.index("Withdrawal date")].value)
    name = gone[0].value
    config = load_config(raw)
    log = read_fieldwork_log(config.path("fieldwork_log"))
    for file in log["file"]:
        transcript = read_transcript(config.path("transcripts") / file, known_speakers=[name])
        for turn in transcript.turns:
            if canonical_name(turn.speaker) == canonical_name(name):
                for sentence in re.split(r"(?<=[.!?])\s+", turn.text):
                    if len(sentence.split()) >= SPAN + 4:
                        return sentence, gone[0].row
    raise AssertionError("the withdrawn participant says no long sentence")


def test_an_interviewer_repeating_a_withdrawn_sentence_loses_it_and_the_audit_finds_it(
    study_copy, tmp_path
):
    from evstudy import load_study
    from evstudy.ingest import ingest

    sentence, row = _withdrawn_sentence(study_copy)
    # In another interview, which stays, the interviewer repeats it word for word.
    path = study_copy / "transcripts" / "S02 Ashham" / "Interview 04 2023-12-05.txt"
    text = path.read_text(encoding="utf-8")
    first = "Chloë Wells: Thank you for giving up your time."
    assert first in text
    path.write_text(text.replace(first, f"{first} Someone told us: {sentence}", 1), "utf-8")

    report = ingest(study_copy, tmp_path / "processed", key_dir=tmp_path / "keys")
    assert report.withdrawn["repeated passages"] == 1
    study = load_study(tmp_path / "processed")
    turns = study.turns[study.turns["doc_id"] == "INT-S02-04"]
    assert (
        turns["text"]
        .iloc[0]
        .startswith(f"Thank you for giving up your time. Someone told us: {MARKER}")
    )
    words = " ".join(re.findall(r"\w+", sentence.casefold()))
    for table in (study.turns["text"], study.documents["text"]):
        for value in table:
            assert words not in " ".join(re.findall(r"\w+", value.casefold()))

    # The audit searches every output for the whole sentence: today's skipped it,
    # because the interviewer had "said it too".
    (tmp_path / "processed" / "notes.csv").write_text(f"note\n{sentence}\n", encoding="utf-8")
    findings = audit_outputs(
        raw=study_copy,
        processed=tmp_path / "processed",
        figures=tmp_path / "figures",
        reports=tmp_path / "reports",
        key_dir=tmp_path / "keys",
    )
    theirs = findings[findings["finding"].str.contains("withdrew")]
    assert list(theirs["file"]) == ["processed/notes.csv"], theirs
    assert list(theirs["location"]) == ["line 2"]
    assert theirs["finding"].iloc[0].endswith(f"withdrew (register.xlsx row {row})")
