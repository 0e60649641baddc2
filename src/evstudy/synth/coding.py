"""The coding sheets: every transcript coded by ``CD``, a fifth double-coded by ``VT``.

The second coder disagrees the way coders do: misses a passage, picks a sibling code, adds
an extra code. One or two planted codes are much harder to agree on. Agreement is the
share of (document, turn, code) units both coders applied among those either applied.

In focus groups, where participants build on each other (consecutive participants' turns
carrying the same code), a coder sometimes codes the run as one passage over the turns,
a range such as ``7-8`` in the ``Turn`` column, instead of a passage in each turn. The
range covers the same turns with the same code, so the planted truth, which counts
(turn, code) units, is unchanged.
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

from evstudy.synth.codebook_spec import LEAF_IDS
from evstudy.synth.common import Doc, stream

__all__ = ["CODERS", "HEADER", "agreement", "coding_rows", "row_turns"]

CODERS = ("CD", "VT")
HEADER = ["Document", "Turn", "Text", "Code", "Coder", "Memo"]
_MEMOS = (
    "clear example",
    "good quote for the case study",
    "borderline, discuss at moderation",
    "links to the RQ2 barriers",
    "check against the survey",
)
_RANGE_MEMO = "they build on each other here"
P_RANGE = 0.4  # chance a coder codes a run of building turns as one passage


def row_turns(turn: object) -> list[int]:
    """The turns a ``Turn`` cell of the generated sheet covers: ``7`` or ``"7-8"``."""
    if isinstance(turn, str) and "-" in turn:
        first, last = (int(part) for part in turn.split("-"))
        return list(range(first, last + 1))
    return [int(turn)]  # type: ignore[call-overload]


def _runs(doc: Doc) -> list[tuple[int, int, str]]:
    """``(first, last, code)``: consecutive participants' turns of a focus group, each
    coded once with ``code`` by a different speaker than the one before; no one who
    withdrew (their turns leave the data, and the planted truth counts them apart)."""
    if doc.method != "Focus group":
        return []
    runs = []
    turns = doc.turns
    for i in range(len(turns) - 1):
        a, b = turns[i], turns[i + 1]
        if a.role != "Participant" or b.role != "Participant" or a.speaker is b.speaker:
            continue
        if a.speaker.withdrawal_date or b.speaker.withdrawal_date:
            continue
        codes_a = [c.code for c in a.codings]
        codes_b = [c.code for c in b.codings]
        for code in codes_a:
            if codes_a.count(code) == 1 and codes_b.count(code) == 1:
                runs.append((i + 1, i + 2, code))
    return runs


def _merge_runs(
    rows: list[list[object]], runs: list[tuple[int, int, str]], rng: np.random.Generator, memo: str
) -> list[list[object]]:
    """``rows`` (one document's, one coder's) with some runs coded as one range row.

    A run is merged only when this coder coded both turns with the run's code; runs that
    share a turn are never both merged.
    """
    used: set[tuple[int, str]] = set()
    for first, last, code in runs:
        if rng.random() >= P_RANGE or (first, code) in used:
            continue
        at = {row[1]: i for i, row in enumerate(rows) if row[3] == code and isinstance(row[1], int)}
        if first not in at or last not in at:
            continue
        rows[at[first]] = [rows[at[first]][0], f"{first}-{last}", "", code, rows[at[first]][4]]
        rows[at[first]].append(memo if rng.random() < 0.3 else "")
        del rows[at[last]]
        used.update({(first, code), (last, code)})
    return rows


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
        included, and is text such as ``"7-8"`` (with ``Text`` blank) for a range.
    """
    rng = stream(seed, "coding")
    n_double = max(1, round(0.2 * len(docs)))
    double = {docs[int(i)].doc_id for i in rng.permutation(len(docs))[:n_double]}
    # Ranges draw from their own stream, so the passage-by-passage coding is as before.
    ranges = stream(seed, "coding ranges")
    blocks: list[tuple[list[list[object]], list[tuple[int, int, str]], str]] = []
    for doc in docs:
        planted = [
            (number, coding) for number, turn in enumerate(doc.turns, 1) for coding in turn.codings
        ]
        runs = _runs(doc)
        primary: list[list[object]] = []
        for number, coding in planted:
            memo = _MEMOS[int(rng.integers(len(_MEMOS)))] if rng.random() < 0.05 else ""
            primary.append([doc.doc_id, number, coding.text, coding.code, "CD", memo])
        blocks.append((primary, runs, _RANGE_MEMO))
        if doc.doc_id not in double:
            continue
        second: list[list[object]] = []
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
            second.append(
                [doc.doc_id, number, _boundary(rng, doc, number, coding.text), code, "VT", ""]
            )
            if rng.random() < 0.04:
                sibs = _siblings(coding.code)
                extra = sibs[int(rng.integers(len(sibs)))]
                second.append([doc.doc_id, number, coding.text, extra, "VT", ""])
        blocks.append((second, runs, ""))
    n_rows = sum(len(block) for block, _, _ in blocks)
    if n_rows:  # a row pasted twice, as happens in a shared sheet; ingest counts it once
        i = int(rng.integers(n_rows))
        for block, _, _ in blocks:
            if i < len(block):
                block.insert(i + 1, list(block[i]))
                break
            i -= len(block)
    rows: list[list[object]] = []
    for block, runs, memo in blocks:
        rows += _merge_runs(block, runs, ranges, memo) if runs else block
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
            units[str(coder)].update((doc, n, code) for n in row_turns(turn))
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
