"""Offset conversions between code points, UTF-16 code units and CRLF counting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evstudy.qdpx.offsets import (
    ATLAS_TI,
    NVIVO_WINDOWS,
    STANDARD,
    codepoints_to_utf16,
    counting_for_origin,
    crlf_to_lf,
    from_text_offset,
    lf_to_crlf,
    normalise_text,
    to_text_offset,
    utf16_to_codepoints,
)

# Text rich in what trips offsets up: astral characters, CR, LF, a BOM, combining marks.
PIECES = st.sampled_from(["a", "é", "e\u0301", "😀", "𝄞", "\r", "\n", "\r\n", "\ufeff", " ", "中"])
TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(PIECES, max_size=30).map("".join),
    st.lists(PIECES, max_size=30).map(lambda parts: "\ufeff" + "".join(parts)),
)


@given(TEXT)
@settings(max_examples=300, deadline=None)
def test_utf16_and_code_points_round_trip(text):
    for cp in range(len(text) + 1):
        units = codepoints_to_utf16(text, cp)
        assert utf16_to_codepoints(text, units) == cp
        assert units == cp + sum(ord(c) > 0xFFFF for c in text[:cp])


@given(TEXT)
@settings(max_examples=300, deadline=None)
def test_crlf_and_lf_offsets_round_trip_and_select_the_same_text(text):
    normal = text.replace("\r\n", "\n")
    for offset in range(len(normal) + 1):
        crlf = lf_to_crlf(text, offset)
        assert crlf_to_lf(text, crlf) == offset
        assert text[:crlf].replace("\r\n", "\n") == normal[:offset]
    for offset in range(len(text) + 1):
        if not (0 < offset < len(text) and text[offset - 1 : offset + 1] == "\r\n"):
            assert lf_to_crlf(text, crlf_to_lf(text, offset)) == offset


@pytest.mark.parametrize("counting", [STANDARD, NVIVO_WINDOWS, ATLAS_TI], ids=lambda c: c.name)
@given(text=TEXT)
@settings(max_examples=200, deadline=None)
def test_each_tools_counting_round_trips_on_the_normalised_text(counting, text):
    normal = normalise_text(text)
    # One leading BOM goes (a second one is a character of the text), and every CR.
    assert "\r" not in normal
    assert len(normal) == len(text) - text.startswith("\ufeff") - text.count("\r\n")
    for offset in range(len(normal) + 1):
        tool = from_text_offset(text, offset, counting)
        assert to_text_offset(text, tool, counting) == offset


def test_nvivo_counts_utf16_units_with_crlf_as_two_and_no_bom():
    raw = "\ufeffHi 😀\r\nthere"
    # "there" starts after H, i, space, two units for the emoji, CR and LF: unit 7.
    start = to_text_offset(raw, 7, NVIVO_WINDOWS)
    assert normalise_text(raw)[start:] == "there"
    # Code points: the standard counts CR and LF (t at 6), ATLAS.ti the LF only (t at 5).
    assert normalise_text(raw)[to_text_offset(raw, 6, STANDARD) :] == "there"
    assert normalise_text(raw)[to_text_offset(raw, 5, ATLAS_TI) :] == "there"


def test_an_offset_inside_an_astral_character_or_past_the_end_is_refused():
    with pytest.raises(ValueError, match="astral"):
        utf16_to_codepoints("a😀b", 2)
    with pytest.raises(ValueError, match="outside the text"):
        to_text_offset("abc", 4, STANDARD)
    with pytest.raises(ValueError, match="outside the text"):
        to_text_offset("a\r\nb", 4, ATLAS_TI)  # three characters when CRLF counts as one


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("NVivo for Windows 14.23.0", NVIVO_WINDOWS),
        ("NVIVO 12 Plus", NVIVO_WINDOWS),
        ("NVivo for Mac 15.0.0", STANDARD),
        ("ATLAS.ti for Windows 23.2.3.27778", ATLAS_TI),
        ("atlas.ti Mac 9", ATLAS_TI),
        ("qc 1.3.2", STANDARD),
        ("", STANDARD),
    ],
)
def test_the_counting_follows_the_origin(origin, expected):
    assert counting_for_origin(origin) == expected
