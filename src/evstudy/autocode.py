"""Keyword auto-coding: suggestions from researcher-written rules, and how good they are.

Rules live in a YAML file::

    rules:
      - code: barrier.access
        keywords: [paywall*, Athens]          # whole words, any case; * = any ending
        phrases: [journal access, where to look]   # whole phrases, any spacing

Suggestions are computed in one pass over the participants' and survey respondents' turns
with one compiled pattern, and are never mixed into ``study.codings``: they are a
separate table with coder ``"auto"``. :func:`autocode_report` measures them against the
human coding, turn by turn.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evstudy.codebook import descendants
from evstudy.errors import InputError
from evstudy.io.autocode_rules import RULE_COLUMNS, _normalise, _pieces, read_autocode_rules

__all__ = [
    "RULE_COLUMNS",
    "autocode_report",
    "compile_rules",
    "human_turn_codes",
    "read_autocode_rules",
    "suggest_codes",
]

DATA_ROLES = ("participant", "respondent")  # whose words are coded; never the team's
SUGGESTION_COLUMNS = [
    "doc_id",
    "code_id",
    "coder",
    "start",
    "end",
    "turn",
    "text",
    "match",
    "match_start",
    "match_end",
    "n_matches",
]


def _rules_frame(rules: pd.DataFrame | str | Path, study: Any = None) -> pd.DataFrame:
    if isinstance(rules, (str, Path)):
        return read_autocode_rules(rules, codes=study.codebook["code_id"])
    if not isinstance(rules, pd.DataFrame) or not {"code_id", "kind", "term"} <= set(rules):
        raise ValueError(
            "`rules` must be a rules file's path or a table from read_autocode_rules, "
            f"but {type(rules).__name__} was passed"
        )
    return rules


def compile_rules(rules: pd.DataFrame) -> tuple[re.Pattern[str], dict[str, str]]:
    """Compile every rule into one pattern.

    The pattern matches (with zero width) at each place where some term starts. A first
    look-ahead holds every term, grouped by first letter so the engine rejects most
    places after one comparison; then one optional look-ahead per code, a named group
    ``g<i>``, captures that code's match there. So a place where terms of two codes start
    reports both, exactly as if each code were searched on its own.

    Parameters
    ----------
    rules : pandas.DataFrame
        From :func:`read_autocode_rules`.

    Returns
    -------
    (re.Pattern, dict)
        The pattern (``re.IGNORECASE``) and the map from group name to code id.
    """
    rules = _rules_frame(rules)
    if rules.empty:
        raise ValueError("`rules` must hold at least one keyword or phrase, but it is empty")
    by_first: dict[str, list[str]] = {}
    by_code: dict[str, list[tuple[int, str]]] = {}
    for code, kind, term in rules[["code_id", "kind", "term"]].itertuples(index=False):
        first, rest = _pieces(term, kind)
        by_first.setdefault(first.casefold(), []).append(rest)
        # Longer terms first, so a code's captured match is its fullest one.
        by_code.setdefault(code, []).append((-len(term), re.escape(first) + rest))
    starts = "|".join(
        f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in sorted(by_first.items())
    )
    groups = {f"g{i}": code for i, code in enumerate(by_code)}
    per_code = "".join(
        f"(?=(?P<{group}>{'|'.join(p for _, p in sorted(by_code[code]))})|)"
        for group, code in groups.items()
    )
    return re.compile(rf"(?<!\w)(?=(?:{starts})){per_code}", re.IGNORECASE), groups


def _data_turns(study: Any) -> pd.DataFrame:
    turns = study.turns
    keep = turns[turns["speaker_role"].isin(DATA_ROLES)]
    return keep.sort_values(["doc_id", "turn"]).reset_index(drop=True)


def suggest_codes(study: Any, rules: pd.DataFrame | str | Path) -> pd.DataFrame:
    """Suggest codes for participants' and respondents' turns from keyword rules.

    The turns are joined into one text (separated by a character no term can cross) and
    scanned once with the single pattern of :func:`compile_rules`.

    Parameters
    ----------
    study : Study
        The study (its ``turns`` are read; its codings are not touched).
    rules : pandas.DataFrame or path
        A rules table from :func:`read_autocode_rules`, or the rules file.

    Returns
    -------
    pandas.DataFrame
        One row per turn and suggested code, like a turn-level coding: ``doc_id, code_id,
        coder`` (``"auto"``), ``start, end`` (the turn's span in the canonical text),
        ``turn, text`` (the turn's text), ``match`` (the first matched words),
        ``match_start, match_end`` (their canonical offsets) and ``n_matches``. Sorted by
        document, turn and the rules' code order.
    """
    rules = _rules_frame(rules, study)
    pattern, groups = compile_rules(rules)
    turns = _data_turns(study)
    texts = [_normalise(t) for t in turns["text"]]
    offsets = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    hits = [
        (m.start(), groups[name], m.start(name), m.end(name))
        for m in pattern.finditer("\0".join(texts))
        for name, value in m.groupdict().items()
        if value is not None
    ]
    found = pd.DataFrame(hits, columns=["pos", "code_id", "m_start", "m_end"])
    if found.empty:
        return pd.DataFrame(columns=SUGGESTION_COLUMNS)
    found["row"] = np.searchsorted(offsets, found["pos"], side="right") - 1
    found["shift"] = turns["start"].to_numpy()[found["row"]] - offsets[found["row"]]
    found["match_start"] = found["m_start"] + found["shift"]
    found["match_end"] = found["m_end"] + found["shift"]
    found["match"] = [
        turns["text"].iat[r][s - o : e - o]
        for r, s, e, o in zip(
            found["row"], found["m_start"], found["m_end"], offsets[found["row"]], strict=True
        )
    ]
    order = {code: i for i, code in enumerate(dict.fromkeys(rules["code_id"]))}
    out = (
        found.groupby(["row", "code_id"], sort=False)
        .agg(
            match=("match", "first"),
            match_start=("match_start", "first"),
            match_end=("match_end", "first"),
            n_matches=("pos", "size"),
        )
        .reset_index()
        .join(turns[["doc_id", "turn", "start", "end", "text"]], on="row")
        .assign(coder="auto", order=lambda f: f["code_id"].map(order))
        .sort_values(["doc_id", "turn", "order"])
    )
    return out[SUGGESTION_COLUMNS].reset_index(drop=True)


def human_turn_codes(study: Any) -> pd.DataFrame:
    """Participant and respondent turns each human code overlaps (``doc_id, turn, code_id``).

    A turn counts as coded with a code when any human coding of it (any coder but
    ``"auto"``) overlaps the turn's span.
    """
    turns = _data_turns(study)[["doc_id", "turn", "start", "end"]]
    codings = study.codings.loc[
        study.codings["coder"] != "auto", ["doc_id", "code_id", "start", "end"]
    ]
    both = codings.merge(turns, on="doc_id", suffixes=("", "_turn"))
    overlap = (both["start"] < both["end_turn"]) & (both["end"] > both["start_turn"])
    return both.loc[overlap, ["doc_id", "turn", "code_id"]].drop_duplicates().reset_index(drop=True)


def autocode_report(study: Any, *, rules: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """Precision, recall and F1 of keyword suggestions against the human coding.

    The unit is a participant's (or survey respondent's) turn. For a rule's code ``c``, a
    turn is human-coded with ``c`` when a human coding of ``c`` or of a code below it
    overlaps the turn (double-coded documents count when either coder coded it), and
    suggested when :func:`suggest_codes` suggests ``c`` for it.

    Parameters
    ----------
    study : Study
        The study.
    rules : pandas.DataFrame or path, optional
        The rules, or their file. Default: the study's ``autocode_rules`` table.

    Returns
    -------
    pandas.DataFrame
        One row per code with rules, in rule order, then an ``overall`` row
        (micro-averaged: the counts are summed over codes): ``code_id, n_human,
        n_suggested, true_positive, precision, recall, f1``. Precision is NaN for a code
        never suggested; recall is NaN for a code never coded by a person.

    Raises
    ------
    InputError
        When ``rules`` is not given and the study has no rules table.
    """
    if rules is None:
        rules = getattr(study, "autocode_rules", None)
        if rules is None or len(rules) == 0:
            raise InputError(
                getattr(study, "path", "the study"),
                "",
                "the study has no auto-coding rules (no autocode_rules table)",
                "pass a rules file: `evstudy autocode --rules FILE`, or rules=path",
            )
    rules = _rules_frame(rules, study)
    codes = list(dict.fromkeys(rules["code_id"]))
    below = descendants(study.codebook)
    human = human_turn_codes(study)
    human = pd.concat(
        [human[human["code_id"].isin(below.get(c, {c}))].assign(code_id=c) for c in codes]
    ).drop_duplicates()
    suggested = suggest_codes(study, rules)[["doc_id", "turn", "code_id"]]
    both = human.merge(suggested, how="outer", indicator=True)
    counts = (
        pd.crosstab(both["code_id"], both["_merge"])
        .reindex(index=codes, columns=["both", "left_only", "right_only"], fill_value=0)
        .set_axis(["tp", "fn", "fp"], axis=1)
    )
    counts.loc["overall"] = counts.sum()
    tp, fn, fp = (counts[c].astype(float) for c in ("tp", "fn", "fp"))
    precision = tp / (tp + fp).where(tp + fp > 0)
    recall = tp / (tp + fn).where(tp + fn > 0)
    return pd.DataFrame(
        {
            "code_id": counts.index,
            "n_human": (tp + fn).astype(int).to_numpy(),
            "n_suggested": (tp + fp).astype(int).to_numpy(),
            "true_positive": tp.astype(int).to_numpy(),
            "precision": precision.to_numpy(),
            "recall": recall.to_numpy(),
            "f1": (2 * precision * recall / (precision + recall)).to_numpy(),
        }
    )
