"""The generator's Office writers: fixed bytes, and text stored as text."""

from __future__ import annotations

import io

import openpyxl

from evstudy.synth.office import xlsx_bytes


def test_xlsx_bytes_stores_formula_like_strings_as_text():
    data = xlsx_bytes([("S", [["label", "n"], ['=HYPERLINK("http://x","y")', 3]])])
    ws = openpyxl.load_workbook(io.BytesIO(data))["S"]
    assert (ws["A2"].value, ws["A2"].data_type) == ('=HYPERLINK("http://x","y")', "s")
    assert (ws["B2"].value, ws["B2"].data_type) == (3, "n")
    assert xlsx_bytes([("S", [["=1"]])]) == xlsx_bytes([("S", [["=1"]])])
