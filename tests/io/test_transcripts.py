"""Transcript readers: every layout on hand-written fixtures, every error, and fuzzing.

Text and caption fixtures live in tests/fixtures/transcripts/. Word fixtures are built
into tmp_path by :func:`write_docx` from the paragraph lists below, so the repository
holds no binary files and the paragraphs are readable here.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evstudy.errors import EvstudyError, InputError, ValidationError
from evstudy.io.transcripts import (
    LAYOUTS,
    RawTranscript,
    RawTurn,
    read_transcript,
    transcript_summary,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    """A Word file with one body paragraph per item (a tab in an item becomes a Word tab)."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def speakers(t: RawTranscript) -> list[str]:
    return [turn.speaker for turn in t.turns]


def input_error(excinfo: pytest.ExceptionInfo, path: Path, where: str) -> str:
    """Check an InputError names the file, the place and a fix; return its problem text."""
    error = excinfo.value
    assert isinstance(error, InputError)
    assert error.problem.file == str(path)
    assert error.problem.where == where
    assert error.problem.fix
    assert str(path) in str(error)
    return error.problem.problem


TEAMS_DOCX = [
    "Evidence study interview S01",
    "12 November 2023, 10:03AM",
    "45m 12s",
    "Alex Morgan started transcription",
    "Alex Morgan   0:03",
    "Thanks for making the time today.",
    "Lee, Jordan (Harrowfield Council)   0:41",
    "No problem at all.",
    "We've set aside an hour.",
    "Alex Morgan\t1:02:03",
    "Great, thank you.",
    "Alex Morgan stopped transcription",
]

OLD_TEAMS_DOCX = [
    "0:0:0.0 --> 0:0:5.330",
    "Alex Morgan",
    "Thanks for making the time today.",
    "",
    "0:0:5.330 --> 0:0:9.210",
    "Alex Morgan",
    "Shall we start with your role?",
    "",
    "0:0:10.100 --> 0:0:15.800",
    "Jordan Lee",
    "Sure. I'm Head of Early Help.",
]

LEGEND_DOCX = [
    "Focus group – Harrowfield",
    "Facilitators: Sam Patel and Alex Morgan",
    "Participants: 5",
    "F – Facilitator (Sam Patel)",
    "N – Note-taker (Alex Morgan)",
    "P1 - Jordan Lee, Head of Service",
    "P2 = Priya Shah (Commissioning Manager)",
    "P3: Chris O'Neill – Early Help Lead",
    "",
    "F – Welcome, everyone. Let's start with how you use evidence.",
    "P1 - We start from the needs assessment.",
    "P2 = And the JSNA, which is refreshed every year.",
    "It isn't always current, though.",
    "P3: I'd add the Guidebook.",
    "P1 - Yes, the Guidebook too.",
]
LEGEND_PEOPLE = ["Sam Patel", "Jordan Lee", "Priya Shah", "Chris O'Neill", "Jordan Lee"]
LEGEND_TEXT = {
    "F": "Facilitator (Sam Patel)",
    "N": "Note-taker (Alex Morgan)",
    "P1": "Jordan Lee, Head of Service",
    "P2": "Priya Shah (Commissioning Manager)",
    "P3": "Chris O'Neill – Early Help Lead",
}
KNOWN = ["Alex Morgan", "Sam Patel", "Jordan Lee", "Priya Shah", "Chris O'Neill"]


# -- layouts -------------------------------------------------------------------------------


def test_legend_with_abbreviations_txt() -> None:
    path = FIXTURES / "legend_interview.txt"
    t = read_transcript(path)
    assert t.layout == "legend-txt"
    assert speakers(t) == ["Alex Morgan", "Jordan Lee", "Alex Morgan", "Jordan Lee"]
    assert t.legend == {
        "I": "Interviewer (Alex Morgan)",
        "R": "Respondent (Jordan Lee, Head of Commissioning)",
    }
    assert t.headers == {"Date": "14 March 2024", "Site": "S01"}
    # A continuation line joins its turn with one space.
    assert t.turns[1] == RawTurn(
        "Jordan Lee",
        "Of course. I lead the commissioning team for early help. "
        "We cover family hubs and parenting support.",
        None,
        None,
        10,
    )
    # The title line is neither header nor turn: left out, and said so (without quoting it).
    assert t.warnings == (
        "left out 1 line before the first turn that is neither a header nor a turn (line 1)",
    )
    assert not t.has_timestamps


@pytest.mark.parametrize("known", [(), KNOWN], ids=["heuristic", "known-speakers"])
def test_legend_docx_focus_group(tmp_path: Path, known: list[str]) -> None:
    path = write_docx(tmp_path / "fg.docx", LEGEND_DOCX)
    t = read_transcript(path, known_speakers=known)
    assert t.layout == "legend-docx"
    assert speakers(t) == LEGEND_PEOPLE
    assert t.legend == LEGEND_TEXT
    assert t.headers == {"Facilitators": "Sam Patel and Alex Morgan", "Participants": "5"}
    assert [turn.line for turn in t.turns] == [10, 11, 12, 14, 15]
    assert (
        t.turns[2].text
        == "And the JSNA, which is refreshed every year. It isn't always current, though."
    )


def test_legend_resolves_known_name_anywhere_in_entry(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("R = Head of Service, Dr Jordan Lee\n\nR = Hello.\n", encoding="utf-8")
    assert speakers(read_transcript(path)) == ["Head of Service"]
    assert speakers(read_transcript(path, known_speakers=["dr jordan lee"])) == ["Dr Jordan Lee"]


def test_header_lines_are_not_speakers() -> None:
    t = read_transcript(FIXTURES / "headers_interview.txt", known_speakers=KNOWN)
    assert t.layout == "plain-txt"
    assert t.headers == {
        "Meeting title": "Evidence study interview",
        "Date": "2024-03-14",
        "Time": "10:00–10:45",
        "Location": "Microsoft Teams",
        "Interviewer": "Alex Morgan",
        "Transcript": "automated, checked by AM",
    }
    # "Interviewer: Alex Morgan" at the top is a header; "Interviewer: Can you..." a turn.
    # Two turns in a row by Jordan Lee stay two turns in a text file.
    assert speakers(t) == ["Interviewer", "Jordan Lee", "Interviewer", "Jordan Lee", "Jordan Lee"]
    assert t.turns[3].text == "I was a practitioner in the same authority: family support, mostly."
    assert [turn.line for turn in t.turns] == [8, 9, 10, 11, 12]
    assert t.warnings == ()


@pytest.mark.parametrize(
    ("first", "is_header"),
    [
        ("Interviewer: Alex Morgan", True),
        ("Facilitator: Sam Patel and Alex Morgan", True),
        ("Interviewer: Thanks, Jordan, for joining us.", False),
        ("Interviewer: Can you tell me about your role?", False),
        ("Interviewer: Hello Jordan", False),
        ("Venue: Council offices, Harrowfield", True),
    ],
)
def test_header_or_turn_by_value_shape(tmp_path: Path, first: str, is_header: bool) -> None:
    path = tmp_path / "t.txt"
    path.write_text(f"{first}\nJordan Lee: Thank you.\n", encoding="utf-8")
    t = read_transcript(path)
    key, value = first.split(": ", 1)
    if is_header:
        assert t.headers == {key: value}
        assert speakers(t) == ["Jordan Lee"]
    else:
        assert t.headers == {}
        assert speakers(t) == [key, "Jordan Lee"]
        assert t.turns[0].text == value


def test_zoom_cues_without_a_speaker_continue_the_previous_turn() -> None:
    t = read_transcript(FIXTURES / "zoom_speakerless.vtt")
    assert t.layout == "zoom-vtt"
    assert speakers(t) == ["Alex Morgan", "Priya Shah", "Alex Morgan"]
    assert [(turn.start, turn.end, turn.line) for turn in t.turns] == [
        (1.2, 8.3, 5),
        (9.0, 18.0, 13),
        (18.6, 21.0, 25),
    ]
    assert t.turns[0].text == "Thanks for joining, everyone. Could we start with introductions?"
    assert t.turns[1].text == (
        "Hi, I'm a commissioning manager. I've been here two years, mostly on the early help side."
    )
    assert t.warnings == (
        "joined 2 cues with no speaker to the previous speaker's turn (lines 9, 21)",
    )
    assert t.has_timestamps


def test_zoom_lower_case_names_recognised_by_repetition(tmp_path: Path) -> None:
    path = tmp_path / "z.vtt"
    path.write_text(
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\njordan lee: Hi.\n\n"
        "2\n00:00:02.000 --> 00:00:03.000\nAlex Morgan: Hello.\n\n"
        "3\n00:00:03.000 --> 00:00:04.000\njordan lee: Shall we?\n",
        encoding="utf-8",
    )
    assert speakers(read_transcript(path)) == ["jordan lee", "Alex Morgan", "jordan lee"]


@pytest.mark.parametrize(
    ("known", "expected_speaker", "expected_text"),
    [
        (
            ["Alex Morgan", "Dr Lee: Head of Service", "Dr Lee"],
            "Dr Lee: Head of Service",
            "I think the honest answer is that we are stretched.",
        ),
        # Without known speakers the name ends at the first colon.
        ((), "Dr Lee", "Head of Service: I think the honest answer is that we are stretched."),
    ],
    ids=["known-speakers", "heuristic"],
)
def test_name_containing_a_colon(
    known: list[str], expected_speaker: str, expected_text: str
) -> None:
    t = read_transcript(FIXTURES / "colon_name.txt", known_speakers=known)
    assert speakers(t) == ["Alex Morgan", expected_speaker, "Alex Morgan", expected_speaker]
    assert t.turns[1].text == expected_text
    assert t.turns[3].text.endswith("we lost two analysts last year.")


def test_byte_order_mark() -> None:
    path = FIXTURES / "bom.txt"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    t = read_transcript(path)
    assert speakers(t) == ["Alex Morgan", "Priya Shah", "Alex Morgan"]
    assert t.turns[0] == RawTurn("Alex Morgan", "Shall we begin?", None, None, 1)


def test_teams_cue_splits_join_into_one_turn() -> None:
    t = read_transcript(FIXTURES / "teams_cue_split.vtt")
    assert t.layout == "teams-vtt"
    assert len(t.turns) == 2
    assert t.turns[0] == RawTurn(
        "Chris O'Neill",
        "So the first thing we look at is what the data tell us about need, "
        "and then what we've tried before.",
        3.12,
        12.01,
        5,
    )
    assert t.turns[1] == RawTurn(
        "Morgan, Alex (Evidence Study)", "That's helpful & clear.", 12.5, 14.0, 17
    )
    assert t.warnings == ()


def test_html_escaped_names_and_optional_closing_tags() -> None:
    t = read_transcript(FIXTURES / "teams_escaped_names.vtt")
    assert speakers(t) == ["Aoife O'Brien", "Ben D'Souza", "Aoife O'Brien"]
    assert t.turns[0].text == "Welcome back & thanks for staying on."
    assert t.turns[1].text == 'No problem. It\'s the "what works" bit I wanted to add.'


def test_crlf_line_endings(tmp_path: Path) -> None:
    # Rebuilt with CRLF here, so the test holds whatever git does to line endings on checkout.
    lf = (FIXTURES / "crlf.txt").read_bytes().replace(b"\r\n", b"\n")
    path = tmp_path / "crlf.txt"
    path.write_bytes(lf.replace(b"\n", b"\r\n"))
    t = read_transcript(path)
    assert speakers(t) == ["Alex Morgan", "Jordan Lee", "Alex Morgan", "Jordan Lee"]
    assert [turn.line for turn in t.turns] == [1, 2, 4, 5]
    assert t.turns[3].text == "Through the framework, mostly."
    assert all("\r" not in turn.text for turn in t.turns)


def test_old_style_teams_docx(tmp_path: Path) -> None:
    t = read_transcript(write_docx(tmp_path / "old.docx", OLD_TEAMS_DOCX))
    assert t.layout == "teams-docx-old"
    # Consecutive turns by one speaker are not merged in Word files.
    assert speakers(t) == ["Alex Morgan", "Alex Morgan", "Jordan Lee"]
    assert [(turn.start, turn.end, turn.line) for turn in t.turns] == [
        (0.0, 5.33, 1),
        (5.33, 9.21, 5),
        (10.1, 15.8, 9),
    ]
    assert t.turns[2].text == "Sure. I'm Head of Early Help."


def test_teams_docx_with_title_block(tmp_path: Path) -> None:
    t = read_transcript(write_docx(tmp_path / "teams.docx", TEAMS_DOCX))
    assert t.layout == "teams-docx"
    assert speakers(t) == ["Alex Morgan", "Lee, Jordan (Harrowfield Council)", "Alex Morgan"]
    assert [(turn.start, turn.line) for turn in t.turns] == [(3.0, 5), (41.0, 7), (3723.0, 10)]
    assert t.turns[1].text == "No problem at all. We've set aside an hour."
    # "stopped transcription" is not part of the last turn; the title block is no warning.
    assert t.turns[2].text == "Great, thank you."
    assert t.warnings == ()
    assert t.headers == {}


def test_teams_txt() -> None:
    t = read_transcript(FIXTURES / "teams.txt")
    assert t.layout == "teams-txt"
    assert [(turn.speaker, turn.start) for turn in t.turns] == [
        ("Sam Patel", 3.12),
        ("Priya Shah", 70.0),
        ("Jordan Lee", 3723.0),
    ]
    assert t.turns[2].text == "Can I add something here? It's about the data."


def test_teams_speaker_line_with_one_space_needs_a_known_name(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "t.docx", ["Alex Morgan 0:03", "Hello.", "Jordan Lee 0:05", "Hi."])
    t = read_transcript(path, known_speakers=["alex morgan", "Jordan Lee"])
    assert [(turn.speaker, turn.start, turn.text) for turn in t.turns] == [
        ("Alex Morgan", 3.0, "Hello."),
        ("Jordan Lee", 5.0, "Hi."),
    ]


def test_plain_timestamps() -> None:
    t = read_transcript(FIXTURES / "plain_timestamps.txt")
    assert t.layout == "plain-txt"
    assert [(turn.speaker, turn.start) for turn in t.turns] == [
        ("Alex Morgan", 5.0),
        ("Jordan Lee", 9.0),
        ("Alex Morgan", 62.0),
        ("Jordan Lee", 70.0),
    ]
    assert t.has_timestamps


def test_plain_docx(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "p.docx", ["Alex Morgan: Hello.", "", "Jordan Lee: Hi there."])
    t = read_transcript(path)
    assert t.layout == "plain-docx"
    assert [(turn.speaker, turn.line) for turn in t.turns] == [
        ("Alex Morgan", 1),
        ("Jordan Lee", 3),
    ]


def test_sentence_with_a_colon_is_not_a_speaker(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(
        "Alex Morgan: What matters most?\nJordan Lee: Two things.\n"
        "Also: the budget.\nThe main one: time.\n",
        encoding="utf-8",
    )
    t = read_transcript(path)
    assert speakers(t) == ["Alex Morgan", "Jordan Lee"]
    assert t.turns[1].text == "Two things. Also: the budget. The main one: time."


def test_transcript_summary() -> None:
    summary = transcript_summary(read_transcript(FIXTURES / "zoom_speakerless.vtt"))
    assert summary == {
        "layout": "zoom-vtt",
        "speakers": [
            {"speaker": "Alex Morgan", "turns": 2, "words": 12},
            {"speaker": "Priya Shah", "turns": 1, "words": 16},
        ],
        "n_turns": 3,
        "n_words": 28,
        "has_timestamps": True,
        "headers": {},
        "legend": {},
        "why": "caption cues start 'Name: text'",
        "lines": {},
        "resolved": {},
        "participants": [],
        "warnings": ["joined 2 cues with no speaker to the previous speaker's turn (lines 9, 21)"],
        "turns": [
            {
                "turn": 1,
                "speaker": "Alex Morgan",
                "start": 1.2,
                "end": 8.3,
                "text": "Thanks for joining, everyone. Could we start with introductions?",
            },
            {
                "turn": 2,
                "speaker": "Priya Shah",
                "start": 9.0,
                "end": 18.0,
                "text": "Hi, I'm a commissioning manager. I've been here two years, "
                "mostly on the early help side.",
            },
            {
                "turn": 3,
                "speaker": "Alex Morgan",
                "start": 18.6,
                "end": 21.0,
                "text": "Lovely, thank you.",
            },
        ],
    }


def test_text_is_nfc_and_whitespace_collapsed(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    # "e" + combining acute, a no-break space and a tab inside the turn.
    path.write_text("Zoe\u0301 Adams:  Cafe\u0301\u00a0 and\ttea.\n", encoding="utf-8")
    (turn,) = read_transcript(path).turns
    assert turn.speaker == "Zo\u00e9 Adams"
    assert turn.text == "Caf\u00e9 and tea."


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content", [b"", b"\xef\xbb\xbf", b"\r\n  \n"], ids=["0-bytes", "bom", "blank"]
)
@pytest.mark.parametrize("suffix", [".txt", ".vtt", ".docx"])
def test_empty_file(tmp_path: Path, content: bytes, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(content)
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert input_error(excinfo, path, "") == "the file is empty"


def test_empty_fixture() -> None:
    path = FIXTURES / "empty.txt"
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert input_error(excinfo, path, "") == "the file is empty"


def test_word_document_without_text(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "blank.docx", ["", "  "])
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert input_error(excinfo, path, "") == "the Word document has no text"


def test_text_file_renamed_docx() -> None:
    path = FIXTURES / "not_a_docx.docx"
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert "not a Word .docx file" in input_error(excinfo, path, "")
    assert "extension .txt" in excinfo.value.problem.fix


@pytest.mark.parametrize(
    ("head", "says"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old-style Word .doc"),
        (b"{\\rtf1\\ansi Alex Morgan: hello}", "Rich Text"),
        (b"%PDF-1.7\n" + bytes(50), "PDF"),
        (bytes(range(256)), "not a zip archive"),
    ],
    ids=["doc", "rtf", "pdf", "binary"],
)
def test_renamed_files_as_docx(tmp_path: Path, head: bytes, says: str) -> None:
    path = tmp_path / "renamed.docx"
    path.write_bytes(head)
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert says in input_error(excinfo, path, "")


def test_truncated_docx(tmp_path: Path) -> None:
    whole = write_docx(tmp_path / "whole.docx", TEAMS_DOCX).read_bytes()
    path = tmp_path / "truncated.docx"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert "truncated or damaged" in input_error(excinfo, path, "")
    assert "again" in excinfo.value.problem.fix


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    path = tmp_path / "book.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert "not a readable Word document" in input_error(excinfo, path, "")


def test_not_utf8_names_line_and_says_resave() -> None:
    path = FIXTURES / "cp1252.txt"
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    problem = input_error(excinfo, path, "line 3")
    assert "not UTF-8" in problem
    assert "0x92" in problem
    assert "UTF-8" in excinfo.value.problem.fix and "save" in excinfo.value.problem.fix


def test_utf16_is_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes("Alex Morgan: Hello.\n".encode("utf-16"))
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert "UTF-16" in input_error(excinfo, path, "")


def test_no_turns_explains_layouts() -> None:
    path = FIXTURES / "no_turns.txt"
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert input_error(excinfo, path, "") == "no speaker turns were found"
    fix = excinfo.value.problem.fix
    assert "Teams" in fix and "legend" in fix and "Name: text" in fix and "Zoom" in fix


def test_no_turns_in_a_table_says_so(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Alex Morgan"
    table.cell(0, 1).text = "Hello."
    path = tmp_path / "table.docx"
    document.save(str(path))
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    input_error(excinfo, path, "")
    document.add_paragraph("Interview notes, see the table below.")
    document.save(str(path))
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert "table" in excinfo.value.problem.fix


def test_vtt_without_header() -> None:
    path = FIXTURES / "no_header.vtt"
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert "WEBVTT" in input_error(excinfo, path, "line 1")
    assert ".txt" in excinfo.value.problem.fix


def test_vtt_broken_cue_time_names_the_line() -> None:
    path = FIXTURES / "broken_times.vtt"
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert "'00:00:04,500'" in input_error(excinfo, path, "line 8")
    assert "full stop" in excinfo.value.problem.fix


def test_vtt_every_broken_cue_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.vtt"
    path.write_text(
        "WEBVTT\n\n1\n00:00:05.000 --> 00:00:01.000\n<v A B>x\n\n"
        "2\n00:00:06.000 -> 00:00:07.000\n<v A B>y\n\n"
        "3\n00:61:00.000 --> 00:62:00.000\n<v A B>z\n\n"
        "just some text\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as excinfo:
        read_transcript(path)
    found = [(p.file, p.where) for p in excinfo.value.problems]
    assert found == [
        (str(path), "line 4"),
        (str(path), "line 7"),
        (str(path), "line 12"),
        (str(path), "line 15"),
    ]
    problems = [p.problem for p in excinfo.value.problems]
    assert problems[0] == "the cue ends before it starts"
    assert "no cue timing" in problems[1] and "no cue timing" in problems[3]
    assert "not a WebVTT time" in problems[2]
    assert all(p.fix for p in excinfo.value.problems)


def test_zoom_speakerless_first_cue_is_an_error() -> None:
    path = FIXTURES / "zoom_no_first_speaker.vtt"
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert "no speaker" in input_error(excinfo, path, "line 5")


@pytest.mark.parametrize(
    ("name", "fix_says"),
    [
        ("t.pdf", ".docx"),
        ("t.doc", "save it as a Word Document"),
        ("t.srt", "WebVTT"),
        ("transcript", ".vtt"),
    ],
)
def test_unsupported_extension(tmp_path: Path, name: str, fix_says: str) -> None:
    path = tmp_path / name
    path.write_text("Alex Morgan: Hello.\n", encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert "not a transcript format" in input_error(excinfo, path, "")
    assert fix_says in excinfo.value.problem.fix


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError) as excinfo:
        read_transcript(tmp_path / "gone.txt")
    assert input_error(excinfo, tmp_path / "gone.txt", "") == "the file does not exist"
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(InputError) as excinfo:
        read_transcript(folder)
    assert "cannot be read" in input_error(excinfo, folder, "")


def test_label_missing_from_legend() -> None:
    path = FIXTURES / "unknown_legend_label.txt"
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert "'P4' is not in the legend" in input_error(excinfo, path, "line 7")
    assert "legend" in excinfo.value.problem.fix


def test_webvtt_saved_as_txt(tmp_path: Path) -> None:
    path = tmp_path / "captions.txt"
    path.write_bytes((FIXTURES / "teams_cue_split.vtt").read_bytes())
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert "WebVTT" in input_error(excinfo, path, "line 1")
    assert ".vtt" in excinfo.value.problem.fix


def test_docx_saved_as_txt(tmp_path: Path) -> None:
    path = tmp_path / "word.txt"
    path.write_bytes(write_docx(tmp_path / "w.docx", TEAMS_DOCX).read_bytes())
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert "zip archive" in input_error(excinfo, path, "")
    assert ".docx" in excinfo.value.problem.fix


def test_old_teams_broken_timing_names_the_paragraph(tmp_path: Path) -> None:
    paragraphs = [*OLD_TEAMS_DOCX, "", "0:0:16.0 --> 0:0:x", "Jordan Lee", "More."]
    path = write_docx(tmp_path / "old.docx", paragraphs)
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    assert "cue timing" in input_error(excinfo, path, "paragraph 13")


# -- properties ----------------------------------------------------------------------------


def _check(t: RawTranscript) -> None:
    """What every successful read promises."""
    assert t.layout in LAYOUTS
    assert t.turns
    for turn in t.turns:
        assert turn.speaker and turn.speaker == " ".join(turn.speaker.split())
        assert turn.text and turn.text == " ".join(turn.text.split())
        assert turn.line >= 1
        assert (turn.start is None) or turn.start >= 0
        if turn.start is not None and turn.end is not None:
            assert turn.end >= turn.start
    assert t.has_timestamps == any(turn.start is not None for turn in t.turns)
    transcript_summary(t)


def _read_or_own_error(path: Path, data: bytes, known: list[str] = ()) -> None:
    path.write_bytes(data)
    try:
        t = read_transcript(path, known_speakers=known)
    except EvstudyError:
        return
    _check(t)


FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".txt", ".vtt", ".docx"]))
def test_arbitrary_bytes_raise_only_evstudy_errors(
    tmp_path: Path, data: bytes, suffix: str
) -> None:
    _read_or_own_error(tmp_path / f"fuzz{suffix}", data)


_PIECES = st.sampled_from(
    [
        "WEBVTT",
        "\n",
        "\n\n",
        "\r\n",
        " ",
        "  ",
        "\t",
        ":",
        ": ",
        " – ",
        " - ",
        " = ",
        "-->",
        " --> ",
        "00:00:01.000",
        "0:0:3.120",
        "1:02",
        "[00:01:02] ",
        "<v Alex Morgan>",
        "</v>",
        "<v O&#39;Neill>",
        "&amp;",
        "&#39;",
        "Alex Morgan",
        "Dr Lee: Head of Service",
        "I",
        "R",
        "P1",
        "Interviewer",
        "(Alex Morgan)",
        "Date",
        "Facilitator",
        "started transcription",
        "12 November 2023",
        "Hello there.",
        "so",
        "\ufeff",
        "\u00e9",
        "\u0301",
        "\u200b",
        "\x00",
    ]
)


@FUZZ
@given(
    pieces=st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=60),
    suffix=st.sampled_from([".txt", ".vtt"]),
    known=st.lists(
        st.sampled_from(["Alex Morgan", "Dr Lee: Head of Service", "I", "x"]), max_size=3
    ),
)
def test_transcript_like_text_raises_only_evstudy_errors(
    tmp_path: Path, pieces: list[str], suffix: str, known: list[str]
) -> None:
    _read_or_own_error(tmp_path / f"fuzz{suffix}", "".join(pieces).encode("utf-8"), known)


@settings(FUZZ, max_examples=40)  # each example saves a Word file, which is slow
@given(
    paragraphs=st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=12),
    known=st.lists(st.sampled_from(["Alex Morgan", "Jordan Lee"]), max_size=2),
)
def test_word_paragraphs_raise_only_evstudy_errors(
    tmp_path: Path, paragraphs: list[str], known: list[str]
) -> None:
    # Word paragraphs cannot hold XML-invalid control characters.
    clean = ["".join(c for c in p if c.isprintable() or c in "\t\n") for p in paragraphs]
    path = write_docx(tmp_path / "fuzz.docx", clean)
    _read_or_own_error(path, path.read_bytes(), known)


def _docx_bytes(paragraphs: list[str]) -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(buffer)
    return buffer.getvalue()


_GOOD_DOCX = _docx_bytes(TEAMS_DOCX)


@FUZZ
@given(
    cuts=st.lists(
        st.tuples(st.integers(0, len(_GOOD_DOCX) - 1), st.integers(0, 255)),
        min_size=1,
        max_size=8,
    ),
    truncate=st.one_of(st.none(), st.integers(0, len(_GOOD_DOCX))),
)
def test_damaged_docx_raises_only_evstudy_errors(
    tmp_path: Path, cuts: list[tuple[int, int]], truncate: int | None
) -> None:
    data = bytearray(_GOOD_DOCX)
    for position, value in cuts:
        data[position] = value
    _read_or_own_error(tmp_path / "damaged.docx", bytes(data[:truncate]))


def test_legend_lookup_by_word_agrees_with_trying_every_name() -> None:
    # The legend lookup only tries names that start with a word of the entry; the
    # reference tries every known name, longest first, anywhere in the entry.
    import random
    import re

    from evstudy.io._speakers import _Speakers

    rng = random.Random(11)
    parts = ["Jo", "Jordan", "Lee", "Lee-Smith", "O'Neill", "Ann", "Anne", "Dr", "Ng"]
    known = sorted({" ".join(rng.choices(parts, k=rng.randint(1, 3))) for _ in range(60)})
    speakers = _Speakers(known)

    def reference(who: str) -> str | None:
        for name in sorted(known, key=lambda n: (-len(n), n)):
            words = r"\s+".join(map(re.escape, name.split()))
            m = re.search(rf"(?<!\w){words}(?!\w)", who, re.I)
            if m:
                return " ".join(m.group(0).split())
        return None

    checked = 0
    for _ in range(2000):
        who = " ".join(
            rng.choice([p, p.lower(), "(", ",", "Head of"]) for p in rng.choices(parts, k=5)
        )
        expected = reference(who)
        if expected is not None:
            checked += 1
            assert speakers.in_legend(who) == expected, who
    assert checked > 500


def _full_docx_lines(data: bytes) -> tuple[list[tuple[int, str]], bool]:
    """What python-docx's whole-document reader gives: the reference for docx_lines."""
    document = docx.Document(io.BytesIO(data))
    lines = [(n, part) for n, p in enumerate(document.paragraphs, 1) for part in p.text.split("\n")]
    return lines, bool(document.tables)


def test_docx_lines_read_the_main_part_alone_with_python_docx_results() -> None:
    """docx_lines parses only the main part; every transcript here, and a document with
    tabs, line breaks, a hyperlink, a table and empty paragraphs, reads as python-docx's
    Document() reads it."""
    from docx.oxml import parse_xml

    from evstudy.io._docx import _main_body, docx_lines

    root = Path(__file__).resolve().parents[2]
    files = sorted((root / "data" / "raw").rglob("*.docx"))
    files += sorted((root / "tests" / "fixtures").rglob("*.docx"))
    assert len(files) >= 20
    files = [path for path in files if path.read_bytes().startswith(b"PK")]  # real ones
    for path in files:
        data = path.read_bytes()
        assert _main_body(path, data) is not None, path  # the fast path, not the fallback
        assert docx_lines(path.name, data) == _full_docx_lines(data), path

    document = docx.Document()
    document.add_paragraph("Interviewer\t00:01:02")
    document.add_paragraph("")
    paragraph = document.add_paragraph("First line\nsecond line\tafter a tab")
    link = (
        '<w:hyperlink xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:r><w:t> and a link</w:t></w:r></w:hyperlink>"
    )
    paragraph._p.append(parse_xml(link))
    document.add_table(rows=1, cols=2).cell(0, 0).text = "in a table"
    document.add_paragraph("Last")
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    lines, has_tables = docx_lines("made.docx", data)
    assert (lines, has_tables) == _full_docx_lines(data)
    assert (3, "second line\tafter a tab and a link") in lines and has_tables


# -- real-world layouts (issue 17): each in text and in Word ----------------------------------

TEAM = {"Alex Morgan": "Interviewer", "Sam Patel": "Interviewer", "Kim Ode": "Facilitator"}


def _as(kind: str, name: str, tmp_path: Path) -> Path:
    """A fixture as written (.txt), or its lines as the paragraphs of a Word file."""
    path = FIXTURES / name
    if kind == "txt":
        return path
    lines = path.read_text(encoding="utf-8").split("\n")
    return write_docx(tmp_path / f"{path.stem}.docx", lines[:-1])  # no paragraph after the last


def _turns(t: RawTranscript) -> list[tuple[str, str, int]]:
    return [(turn.speaker, turn.text, turn.line) for turn in t.turns]


@pytest.mark.parametrize("kind", ["txt", "docx"])
def test_one_line_bracketed_legend_with_mixed_dashes(tmp_path: Path, kind: str) -> None:
    t = read_transcript(_as(kind, "one_line_legend.txt", tmp_path))
    assert t.layout == f"legend-{kind}"
    assert t.legend == {"I": "Interviewer (Alex Morgan)", "C": "Client (Jordan Lee)"}
    # Turns labelled "I –", "C -", "I -", "C –" and "I:" in one file; line 6 continues line 5.
    assert _turns(t) == [
        ("Alex Morgan", "Thanks for coming in. Can you tell me how you found the hub?", 4),
        ("Jordan Lee", "Currently I go twice a week. My health visitor told me about it.", 5),
        ("Alex Morgan", "And what made you keep going?", 7),
        ("Jordan Lee", "The staff, mostly: they listen.", 8),
        ("Alex Morgan", "Thank you.", 9),
    ]
    kinds = dict(t.line_kinds)
    assert kinds[2] == "legend" and kinds[1] == "skipped" and kinds[6] == "text"


@pytest.mark.parametrize("kind", ["txt", "docx"])
def test_role_only_legend_resolved_through_the_log(tmp_path: Path, kind: str) -> None:
    path = _as(kind, "role_only_legend.txt", tmp_path)
    # "PN = interviewer": the log says Sam Patel ran it (two team members are interviewers).
    # "(EX) : expert": the log lists one participant.
    t = read_transcript(path, team=TEAM, ran_by=["Sam Patel"], participants=["Jordan Lee"])
    assert t.legend == {"PN": "interviewer", "EX": "expert"}
    assert t.resolved == (("EX", "Jordan Lee"), ("PN", "Sam Patel"))
    assert _turns(t) == [
        ("Sam Patel", "Welcome, and thanks for your time.", 4),
        ("Jordan Lee", "Thank you for having me.", 5),
        ("Sam Patel", "What does the evidence say about family hubs?", 6),
        ("Jordan Lee", "Less than we would like. It is early days.", 7),
    ]
    # Without the log's Interviewer, the only team member with the role is meant.
    only = read_transcript(path, team={"Alex Morgan": "Interviewer"}, participants=["Jo Lee"])
    assert [turn.speaker for turn in only.turns[:2]] == ["Alex Morgan", "Jo Lee"]
    # A team member the log names is not one of the participants a role can mean.
    both = read_transcript(
        path, team=TEAM, ran_by=["Sam Patel"], participants=["Sam Patel", "Jordan Lee"]
    )
    assert both.turns[1].speaker == "Jordan Lee"


@pytest.mark.parametrize("kind", ["txt", "docx"])
def test_role_only_legend_that_cannot_be_resolved_names_the_legend_line(
    tmp_path: Path, kind: str
) -> None:
    path = _as(kind, "role_only_legend.txt", tmp_path)
    where = "paragraph" if kind == "docx" else "line"
    with pytest.raises(ValidationError) as excinfo:
        read_transcript(path, team=TEAM, participants=["Jordan Lee", "Priya Shah"])
    first, second = excinfo.value.problems
    assert (first.file, first.where) == (str(path), f"{where} 1")
    assert "'PN' names only a role ('interviewer')" in first.problem
    assert "2 members with that role" in first.problem
    assert "Interviewer (or Facilitator) column" in first.fix
    assert (second.file, second.where) == (str(path), f"{where} 2")
    assert "lists 2 participants" in second.problem
    assert "write the person's name in the legend" in second.fix
    # No Participants at all: the same error, saying so.
    with pytest.raises(InputError) as excinfo:
        read_transcript(path, team=TEAM, ran_by=["Sam Patel"])
    assert "has no Participants for this document" in input_error(excinfo, path, f"{where} 2")


def test_role_only_legend_without_a_study_keeps_the_role_and_warns(tmp_path: Path) -> None:
    t = read_transcript(FIXTURES / "role_only_legend.txt")
    assert [turn.speaker for turn in t.turns] == ["interviewer", "expert"] * 2
    assert t.warnings == (
        "the legend entry on line 2 names only a role; ingest resolves it through the "
        "fieldwork log's Participants column",
    )


@pytest.mark.parametrize("kind", ["txt", "docx"])
def test_a_label_missing_from_the_legend_is_an_error_not_a_continuation(
    tmp_path: Path, kind: str
) -> None:
    # "expert" on its own is no legend entry, so "EX –" is unknown: before issue 17 its
    # paragraph was silently added to the interviewer's turn.
    path = _as(kind, "unknown_label.txt", tmp_path)
    where = "paragraph" if kind == "docx" else "line"
    with pytest.raises(InputError) as excinfo:
        read_transcript(path)
    problem = input_error(excinfo, path, f"{where} 5")
    assert "the label 'EX' is not in the legend" in problem
    assert "not taken as the previous speaker's words" in problem


@pytest.mark.parametrize("kind", ["txt", "docx"])
@pytest.mark.parametrize("known", [(), ["Sam Patel", "Li Qing", "Tom Baker"]])
def test_participant_list_and_colon_headings(tmp_path: Path, kind: str, known) -> None:
    t = read_transcript(_as(kind, "participant_list.txt", tmp_path), known_speakers=known)
    assert t.layout == f"plain-{kind}"
    # The list under "Participants:" (descriptions in brackets) is metadata, not speakers.
    assert t.participants == ("Li Qing", "Tom Baker")
    assert t.headers["Facilitator"] == "Sam Patel"
    # "Discussion Points:" and "Topics for the second half:" over bullets are headings.
    assert _turns(t) == [
        ("Sam Patel", "Welcome, everyone. Let's start with how you heard about the hub.", 12),
        ("Li Qing", "From a neighbour.", 13),
        ("Tom Baker", "From the school newsletter.", 14),
        ("Sam Patel", "Thanks. What stops people going?", 18),
        ("Li Qing", "The opening hours, honestly.", 19),
    ]
    where = "paragraphs" if kind == "docx" else "lines"
    assert t.warnings == (
        f"left out 6 lines of headings and their lists, which are not speakers "
        f"({where} 8, 9, 10, 15, 16, 17)",
    )
    kinds = dict(t.line_kinds)
    assert [kinds[n] for n in (3, 4, 5, 8, 9, 15)] == ["header"] * 3 + ["heading"] * 3


def test_participant_list_resolves_a_role_only_legend(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(
        "Participants: Jordan Lee (Head of Service)\n"
        "I – Interviewer\nR – Respondent\n\nI – Hello.\nR – Hello there.\n",
        encoding="utf-8",
    )
    t = read_transcript(path, team={"Alex Morgan": "Interviewer"})
    assert [turn.speaker for turn in t.turns] == ["Alex Morgan", "Jordan Lee"]
    # The log's list, where filled in, wins over the file's own.
    t = read_transcript(path, team={"Alex Morgan": "Interviewer"}, participants=["Priya Shah"])
    assert t.turns[1].speaker == "Priya Shah"


def test_name_followed_by_its_paragraphs_is_not_a_heading(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(
        "Alex Morgan: Hello.\nJordan Lee:\nWe commission three hubs.\nThey open daily.\n",
        encoding="utf-8",
    )
    t = read_transcript(path, known_speakers=["Alex Morgan", "Jordan Lee"])
    assert _turns(t) == [
        ("Alex Morgan", "Hello.", 1),
        ("Jordan Lee", "We commission three hubs. They open daily.", 2),
    ]
