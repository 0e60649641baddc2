"""The coding sheets: every transcript coded by ``CD``, a fifth double-coded by ``VT``.

The second coder disagrees the way coders do: misses a passage, picks a sibling code, adds
an extra code. One or two planted codes are much harder to agree on. Agreement is the
share of (document, turn, code) units both coders applied among those either applied.
"""

from __future__ import annotations

import re
from collections import defaultdict

from evstudy.synth.codebook_spec import LEAF_IDS
from evstudy.synth.common import Doc, stream

__all__ = ["CODERS", "HEADER", "agreement", "coding_rows"]

CODERS = ("CD", "VT")
HEADER = ["Document", "Turn", "Text", "Code", "Coder", "Memo"]
_MEMOS = (
    "clear example",
    "good quote for the case study",
    "borderline, discuss at moderation",
    "links to the RQ2 barriers",
    "check against the survey",
)


def _siblings(code: str) -> list[str]:
    theme = code.split(".")[0]
    return [c for c in LEAF_IDS if c.startswith(theme + ".") and c != code]


def coding_rows(
    docs: list[Doc], seed: int, low_agreement: list[str]
) -> tuple[list[list[object]], list[str]]:
    """Rows of ``coding/coding_sheet.xlsx`` and the ids of the double-coded documents.

    Parameters
    ----------
    docs : list of Doc
        Realised documents in fieldwork-log order.
    seed : int
        The study seed.
    low_agreement : list of str
        Codes the second coder often applies differently.

    Returns
    -------
    (rows, double_coded)
        Rows without the header; ``Turn`` counts every turn from 1, interviewer turns
        included.
    """
    rng = stream(seed, "coding")
    n_double = max(1, round(0.2 * len(docs)))
    double = {docs[int(i)].doc_id for i in rng.permutation(len(docs))[:n_double]}
    rows: list[list[object]] = []
    for doc in docs:
        planted = [
            (number, coding) for number, turn in enumerate(doc.turns, 1) for coding in turn.codings
        ]
        for number, coding in planted:
            memo = _MEMOS[int(rng.integers(len(_MEMOS)))] if rng.random() < 0.05 else ""
            rows.append([doc.doc_id, number, coding.text, coding.code, "CD", memo])
        if doc.doc_id not in double:
            continue
        for number, coding in planted:
            low = coding.code in low_agreement
            p_miss, p_sib = (0.2, 0.25) if low else (0.05, 0.05)
            draw = rng.random()
            if draw < p_miss:
                continue
            code = coding.code
            if draw < p_miss + p_sib:
                sibs = _siblings(code)
                code = sibs[int(rng.integers(len(sibs)))]
            elif low_agreement and rng.random() < 0.03:
                code = low_agreement[int(rng.integers(len(low_agreement)))]
            rows.append(
                [doc.doc_id, number, _boundary(rng, doc, number, coding.text), code, "VT", ""]
            )
            if rng.random() < 0.04:
                sibs = _siblings(coding.code)
                extra = sibs[int(rng.integers(len(sibs)))]
                rows.append([doc.doc_id, number, coding.text, extra, "VT", ""])
    if rows:  # a row pasted twice, as happens in a shared sheet; ingest counts it once
        i = int(rng.integers(len(rows)))
        rows.insert(i + 1, list(rows[i]))
    return rows, sorted(double)


def _boundary(rng, doc: Doc, number: int, text: str) -> str:
    """The second coder's passage: usually the same, sometimes the whole turn or less."""
    draw = rng.random()
    turn = doc.turns[number - 1].text
    if draw < 0.12:
        return turn  # highlights the whole answer
    if draw < 0.2:
        parts = [p for p in re.split(r"(?<=[.!?])\s+", text) if len(p.split()) >= 6]
        if len(parts) > 1:
            return max(parts, key=len)  # only the sentence that says it most plainly
    return text


def agreement(rows: list[list[object]], double: list[str]) -> dict[str, object]:
    """Agreement between CD and VT on the double-coded documents, overall and per code."""
    units: dict[str, set] = defaultdict(set)
    wanted = set(double)
    for doc, turn, _text, code, coder, _memo in rows:
        if doc in wanted:
            units[str(coder)].add((doc, turn, code))
    a, b = units["CD"], units["VT"]
    both, either = a & b, a | b
    per_code = {}
    for code in sorted({u[2] for u in either}):
        e = [u for u in either if u[2] == code]
        per_code[code] = round(sum(u in both for u in e) / len(e), 3)
    return {
        "overall": round(len(both) / len(either), 3) if either else 1.0,
        "per_code": per_code,
    }
