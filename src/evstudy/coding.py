"""Coded-segment retrieval: quotes with safe attributions, code matrices, co-occurrence.

Every function starts from :func:`coded_segments`, the codings table joined to who spoke
(participant or survey respondent), their site and role group, and the document's
method. Interviewers' and facilitators' turns are never data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from evstudy.codebook import descendants
from evstudy.filters import PRIMARY, resolve, resolve_one
from evstudy.study import derived

__all__ = [
    "attribution_groups",
    "code_matrix",
    "coded_segments",
    "cooccurrence",
    "expand_codes",
    "expert_participants",
    "no_quote_consent",
    "primary_coder",
    "published_words",
    "quotes",
    "sentence_spans",
    "whole_sentences",
]

DATA_ROLES = ("participant", "respondent")
# The words a coarsened quote attribution uses in place of a role group or a site; the
# privacy audit reads attributions back with the same words.
ANY_ROLE = "Staff"
ANY_SITE = "a site"
# Expert interviewees are quoted as experts, never by role group and site: they are the
# people of the study's expert interviews, whatever role group its rules give them.
EXPERT_METHOD = "expert_interview"
EXPERT_ATTRIBUTION = "Expert interviewee"
ROWS = {"site": "site_id", "role_group": "role_group", "method": "method", "document": "doc_id"}
COUNTS = ("segments", "documents", "participants")
UNITS = ("segment", "turn", "document")
NO_SITE = "(no site)"


def _as_list(value: object) -> list:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _check(param: str, values: list, options: Iterable) -> None:
    options = sorted({o for o in options if isinstance(o, str)})
    for value in values:
        if value not in options:
            raise ValueError(f"`{param}` must be one of {options}, but {value!r} was passed")


def _check_choice(param: str, value: object, options: Iterable) -> None:
    options = list(options)
    if value not in options:
        raise ValueError(f"`{param}` must be one of {options}, but {value!r} was passed")


def expand_codes(study: Any, codes: object, *, param: str = "codes") -> list[str]:
    """Code ids (a code or theme id, or a list) with every code below them, codebook order.

    A code may be named by its id or its label (any case): see :mod:`evstudy.filters`.

    Raises
    ------
    ValueError
        When a value names no code of the codebook; the message suggests the closest.
    """
    wanted = resolve(study, "code", codes, label=param)
    book = study.codebook
    below = descendants(book)
    keep = set().union(*(below[c] for c in wanted)) if wanted else set()
    return [c for c in book["code_id"] if c in keep]


def primary_coder(study: Any) -> str:
    """The coder who coded the most documents (ties: alphabetical first)."""
    human = study.codings[study.codings["coder"] != "auto"]
    per_coder = human.groupby("coder")["doc_id"].nunique()
    return str(per_coder.sort_index().idxmax())


def _coder_filter(study: Any, codings: pd.DataFrame, coder: str | None) -> pd.DataFrame:
    if coder is None:
        return codings
    coder = resolve_one(study, "coder", coder)
    if coder == PRIMARY:
        coder = primary_coder(study)
    return codings[codings["coder"] == coder]


def coded_segments(study: Any) -> pd.DataFrame:
    """Every coding with its speaker: the table the other functions start from.

    A coding whose span runs over several turns (a range of turns such as ``7-8`` in a
    coding sheet, or a span across speakers) gives one row per turn whose text it
    overlaps, each with that part's ``start``, ``end`` and ``text`` and that turn's
    speaker, and the same ``coding_id``: in a focus group each participant whose words
    are coded counts. A coding within one turn is one row, as in the codings table.

    Returns
    -------
    pandas.DataFrame
        The codings' columns, with ``turn`` filled in from the offsets where it was blank,
        plus ``speaker_role, participant_id, respondent_id`` (the survey respondent of a
        survey free-text document), ``site_id, role_group, method``.
    """
    return derived(study, ("coded_segments",), lambda: _coded_segments(study)).copy()


def _by_turn(codings: pd.DataFrame, turns: pd.DataFrame) -> pd.DataFrame:
    """The codings cut at turn boundaries: one row per turn a coding's span overlaps.

    A coding within one turn stays one row (its blank ``turn`` filled from its offsets).
    A coding whose span runs over several turns (a range of turns, or a span across
    speakers) becomes one row per turn whose text it overlaps, with that part's offsets
    and text, so that each speaker's coded words are attributed to that speaker.
    """
    if codings.empty or turns.empty:
        return codings
    turns = turns.sort_values(["doc_id", "start"]).reset_index(drop=True)
    t_start, t_end = turns["start"].to_numpy("int64"), turns["end"].to_numpy("int64")
    t_turn = turns["turn"].to_numpy("int64")
    doc_turns = turns.groupby("doc_id").indices  # positions, in text order
    frame = codings.reset_index(drop=True)
    start = frame["start"].to_numpy("int64")
    end = frame["end"].to_numpy("int64")
    # lo: the last turn whose text starts at or before the coding's start (else the
    # document's first); hi: the last whose text starts before the coding's end.
    lo = np.full(len(frame), -1)
    hi = np.full(len(frame), -1)
    for doc, rows in frame.groupby("doc_id", sort=False).indices.items():
        if doc not in doc_turns:
            continue
        at = doc_turns[doc]
        starts = t_start[at]
        lo[rows] = at[np.maximum(np.searchsorted(starts, start[rows], side="right") - 1, 0)]
        below = np.searchsorted(starts, end[rows], side="left") - 1
        hi[rows] = np.where(below >= 0, at[np.maximum(below, 0)], -1)
    known = hi >= 0
    # The first candidate overlaps only when the coding starts inside its text.
    first = np.where(known & (t_end[np.maximum(lo, 0)] > start), lo, lo + 1)
    n = np.where(known, hi - first + 1, 0)
    filled = frame["turn"].astype("Int64").to_numpy(dtype=object, na_value=None)
    for i in np.flatnonzero(known & pd.isna(filled)):
        # One turn overlapped: that turn; none (a span over labels only): where it starts.
        filled[i] = t_turn[first[i]] if n[i] == 1 else t_turn[lo[i]]
    frame["turn"] = pd.array(filled, dtype="Int64")
    several = n > 1
    if not several.any():
        return frame
    repeat = np.where(several, n, 1)
    out = frame.loc[frame.index.repeat(repeat)].reset_index(drop=True)
    step = np.arange(len(out)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    position = np.repeat(first, repeat) + step
    split = np.repeat(several, repeat)
    at = np.where(split, position, 0)
    s0, e0 = out["start"].to_numpy("int64"), out["end"].to_numpy("int64")
    new_start = np.where(split, np.maximum(s0, t_start[at]), s0)
    new_end = np.where(split, np.minimum(e0, t_end[at]), e0)
    if "text" in out:  # the codings' text is the canonical text from start to end
        out["text"] = [
            text[a - s : b - s] if cut and isinstance(text, str) else text
            for text, a, b, s, cut in zip(out["text"], new_start, new_end, s0, split, strict=True)
        ]
    turn = out["turn"].to_numpy(dtype=object, na_value=None)
    turn[split] = t_turn[at[split]]
    out["turn"] = pd.array(turn, dtype="Int64")
    out["start"] = new_start
    out["end"] = new_end
    return out.astype({"start": frame["start"].dtype, "end": frame["end"].dtype})


def _coded_segments(study: Any) -> pd.DataFrame:
    codings = _by_turn(study.codings, study.turns)
    people = study.participants[["participant_id", "site_id", "role_group"]]
    respondents = study.survey_respondents[["respondent_id", "site_id", "role_group"]]
    frame = (
        codings.merge(
            study.turns[["doc_id", "turn", "speaker_role", "participant_id"]].astype(
                {"turn": "Int64"}
            ),
            on=["doc_id", "turn"],
            how="left",
        )
        .merge(study.documents[["doc_id", "method", "site_id"]], on="doc_id", how="left")
        .assign(
            respondent_id=lambda f: (
                f["doc_id"]
                .str.extract(r"^SVY-([^-]+)-", expand=False)
                .where(f["speaker_role"] == "respondent")
            )
        )
        .merge(people, on="participant_id", how="left", suffixes=("", "_p"))
        .merge(respondents, on="respondent_id", how="left", suffixes=("", "_r"))
    )
    frame["role_group"] = frame["role_group"].fillna(frame["role_group_r"])
    frame["site_id"] = frame["site_id_p"].fillna(frame["site_id_r"]).fillna(frame["site_id"])
    return frame.drop(columns=["site_id_p", "site_id_r", "role_group_r"])


def _label(key: str, labels: dict[str, str] | None) -> str:
    if labels and key in labels:
        return labels[key]
    return key.replace("_", " ").capitalize()


def _attributions(
    frame: pd.DataFrame,
    people: pd.DataFrame,
    k: int,
    sites: pd.Series,
    labels: dict[str, str] | None,
    prefix: str | None,
) -> pd.DataFrame:
    """Published attribution and its coarsening level for each row of ``frame``.

    ``people`` is the population an attribution describes (participants, or survey
    respondents); a level is used only when the group it names holds at least ``k`` of
    them: 0 names the role group and the site, 1 the site only, 2 the role group only, 3
    neither. The level is the first of these that is safe, so it says everything that
    may ever be told about the speaker, on any page (see :func:`quotes`).
    """
    located = people[people["site_id"].notna()]
    cell = located.groupby(["site_id", "role_group"]).size()
    where = pd.MultiIndex.from_frame(frame[["site_id", "role_group"]])
    n_cell = cell.reindex(where).fillna(0).to_numpy(float)
    n_site = frame["site_id"].map(located.groupby("site_id").size()).fillna(0).to_numpy()
    n_group = frame["role_group"].map(located.groupby("role_group").size()).fillna(0).to_numpy()
    level = np.select([n_cell >= k, n_site >= k, n_group >= k], [0, 1, 2], 3)
    return _attribution_text(frame, level, sites, labels, prefix)


def _attribution_text(
    frame: pd.DataFrame,
    level: np.ndarray,
    sites: pd.Series,
    labels: dict[str, str] | None,
    prefix: str | None,
) -> pd.DataFrame:
    """The attribution each row's level gives (None at level 4: not shown)."""
    site = frame["site_id"].map(sites).fillna(ANY_SITE)
    role = frame["role_group"].map(lambda g: _label(g, labels), na_action="ignore").fillna("")
    if prefix:
        options = [
            prefix + " (" + role + "), " + site,
            prefix + f" ({ANY_ROLE.lower()}), " + site,
            prefix + " (" + role + f"), {ANY_SITE}",
            pd.Series(prefix, index=frame.index),
        ]
    else:
        options = [role + ", " + site, f"{ANY_ROLE}, " + site, role + f", {ANY_SITE}"]
        options.append(pd.Series(f"{ANY_ROLE}, {ANY_SITE}", index=frame.index))
    text = np.select([level == i for i in range(4)], [o.to_numpy() for o in options], None)
    return pd.DataFrame({"attribution": text, "attribution_level": level}, index=frame.index)


# A level's dimensions: (does it name the site, does it name the role group). Levels 1 and
# 2 are not nested: together they name both, which is why a passage has one level only.
NAMES = {0: (True, True), 1: (True, False), 2: (False, True), 3: (False, False)}
LEVEL_OF = {dims: level for level, dims in NAMES.items()}


def published_words(text: object) -> str:
    """A quote's words as a reader sees them: case, spacing and punctuation aside.

    Quotes are keyed on these, so the same words get one attribution wherever, and by
    whomever, they were said; the privacy audit keys published quotes the same way.
    """
    from evstudy.audit.identifiers import tokens  # the audit's words, so both agree

    return " ".join(tokens(text)) if isinstance(text, str) else ""


def expert_participants(study: Any) -> pd.Series:
    """Which of ``study.participants`` speak in an expert interview (aligned to its rows)."""
    docs = study.documents.loc[study.documents["method"] == EXPERT_METHOD, "doc_id"]
    speakers = study.turns.loc[study.turns["doc_id"].isin(docs), "participant_id"].dropna()
    return study.participants["participant_id"].isin(set(speakers))


def _quote_k(study: Any, k: int | None) -> int:
    """``k``, or the study's ``quote_k`` (3 unless set) when None; checked."""
    if k is None:
        k = getattr(study, "disclosure", {}).get("quote_k", 3)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"`k` must be a whole number of at least 1, but {k!r} was passed")
    return k


QUOTE_COLUMNS = [
    "coding_id",
    "doc_id",
    "code_id",
    "coder",
    "coders",
    "text",
    "coded_text",
    "participant_id",
    "respondent_id",
    "site_id",
    "role_group",
    "method",
    "attribution",
    "attribution_level",
]


# A quote's longest length, in characters: a quote is read in a table cell or a sentence,
# not a paragraph. Longer passages are cut at a word and the cut marked with an ellipsis.
MAX_QUOTE_CHARS = 320
ELLIPSIS = "\u2026"
# Where a sentence ends: a full stop, question or exclamation mark (or an ellipsis), any
# closing quotation marks or brackets, then white space.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u2019\u201d)\]]*\s+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, its trailing white space left out."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group().rstrip())
        if end > start:
            spans.append((start, end))
        start = match.end()
    tail = text[start:].rstrip()
    if tail:
        spans.append((start, start + len(tail)))
    return spans


def whole_sentences(
    text: str, start: int, end: int, *, max_chars: int = MAX_QUOTE_CHARS
) -> tuple[str, int, int]:
    """The passage ``text[start:end]`` widened to whole sentences, and capped.

    The quote begins where the sentence holding the passage's first word begins, and ends
    where the sentence holding its last word ends, so a quote never starts or stops
    mid-sentence. When that is longer than ``max_chars``, whole sentences are dropped from
    the end (the first is always kept); a first sentence longer than ``max_chars`` is cut
    at the last word that fits. Any cut is marked with an ellipsis.

    Parameters
    ----------
    text : str
        The speaker's turn.
    start, end : int
        The coded passage's offsets in ``text``.
    max_chars : int
        The longest quote, ellipsis included.

    Returns
    -------
    tuple
        The quote, and the offsets in ``text`` of the words it keeps.
    """
    spans = sentence_spans(text)
    if not spans:
        return "", start, end
    # The first sentence ending after the passage's start, the last starting before its end.
    first = next((i for i, (_, e) in enumerate(spans) if e > start), len(spans) - 1)
    last = max((i for i, (s, _) in enumerate(spans) if s < end), default=first)
    last = max(last, first)
    a, b = spans[first][0], spans[last][1]
    if b - a <= max_chars:
        return text[a:b], a, b
    keep = first
    while keep < last and spans[keep + 1][1] - a + 2 <= max_chars:
        keep += 1
    b = spans[keep][1]
    if b - a + 2 > max_chars:  # one sentence alone is too long: cut it at a word
        cut = text.rfind(" ", a, a + max_chars - 1)
        b = cut if cut > a else a + max_chars - 2
        return text[a:b].rstrip(" ,;:\u2013-") + " " + ELLIPSIS, a, b
    return text[a:b] + " " + ELLIPSIS, a, b


def _as_quotes(frame: pd.DataFrame, turns: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s coded passages as published quotes: ``text`` whole sentences of the
    speaker's turn (see :func:`whole_sentences`), ``coded_text`` the coder's own span, and
    ``_from``/``_to`` the quote's offsets in the document (the passage it is)."""
    known = turns[["doc_id", "turn", "start", "text"]].rename(
        columns={"start": "_t_start", "text": "_t_text"}
    )
    with_turn = frame.merge(known.astype({"turn": "Int64"}), on=["doc_id", "turn"], how="left")
    texts, starts, ends = [], [], []
    for coded, a, b, t_start, t_text in zip(
        with_turn["text"],
        with_turn["start"],
        with_turn["end"],
        with_turn["_t_start"],
        with_turn["_t_text"],
        strict=True,
    ):
        if not isinstance(t_text, str) or pd.isna(t_start):
            # No turn to widen it in: the coded words, capped.
            words = coded if isinstance(coded, str) else ""
            quote, x, y = whole_sentences(words, 0, len(words))
            texts.append(quote)
            starts.append(int(a) + x)
            ends.append(int(a) + y)
            continue
        quote, x, y = whole_sentences(t_text, int(a) - int(t_start), int(b) - int(t_start))
        texts.append(quote)
        starts.append(int(t_start) + x)
        ends.append(int(t_start) + y)
    out = frame.copy()
    out["coded_text"] = frame["text"]
    out["text"] = texts
    out["_from"] = starts
    out["_to"] = ends
    return out


PASSAGE = ["doc_id", "turn", "_from", "_to", "code_id"]


def quotes(
    study: Any,
    *,
    code: str | list[str] | None = None,
    site: str | list[str] | None = None,
    role_group: str | list[str] | None = None,
    method: str | list[str] | None = None,
    k: int | None = None,
    labels: dict[str, str] | None = None,
    context: str | list[str] | None = None,
    coder: str | None = None,
) -> pd.DataFrame:
    """Coded passages of participants' and survey respondents' words, with safe attributions.

    ``attribution`` is what may be published beside a quote: it never holds a pseudonym
    and never points at fewer than ``k`` people. It is "<role group>, <site name>" when
    that site and role group hold at least ``k`` participants; otherwise it is coarsened,
    in order, to "Staff, <site name>" (at least ``k`` participants in the site), then
    "<role group>, a site" (at least ``k`` in the role group), then "Staff, a site".
    Expert interviewees are "Expert interviewee" ("Interviewee" when there are fewer than
    ``k`` experts). Survey free text is "Survey respondent (<role group>), <site name>",
    coarsened by the same rules over the survey respondents, down to "Survey respondent".
    ``attribution_level`` says how far each was coarsened (0 = not at all, 3 = most).

    A quote carries **one** attribution across the whole publication, every page, table,
    workbook and PDF, because readers put pages together: "Staff, Kelwick" on a site's
    page and "Senior leader, a site" in a role group's row, for the same words, say "a
    senior leader at Kelwick". The rule that keeps this airtight:

    1. Each speaker gets the first safe level above, once, from the whole study. Levels 1
       (names the site) and 2 (names the role group) are not nested, so a speaker gets one
       of them, never one here and the other there. The level is everything the
       publication may ever tell about who said it.
    2. The same words (whitespace and case aside) get one attribution whoever said them
       and under whichever code or coder: the site is named only when every speaker's level
       names it and they share the site, and likewise the role group. Words said by people
       of different populations (participants, experts, survey respondents) are withheld
       (``attribution`` None, level 4) everywhere.
    3. A ``context`` adds what the page tells; a quote is shown there only when the page
       tells nothing its attribution does not already name (a site page shows "Staff,
       <site>" but never "<role group>, a site"). Elsewhere it gets ``attribution`` None
       and level 4. So every use of the words tells at most what level 1 allows.

    The privacy audit checks the publication as a whole against the same rule.

    People who said no to being quoted (the register's ``Quote consent``) are never
    quoted: their passages are left out here. Their codings still count everywhere else.

    Parameters
    ----------
    study : Study
        The study.
    code : str or list of str, optional
        Codes or themes, by id or label; a theme (or any code) includes every code below it.
    site, role_group, method : str or list of str, optional
        Keep these sites, role groups and methods only, each named by its id or by its
        name as the outputs show it (``site="Saltmere"``, ``role_group="Commissioner"``,
        ``method="Focus group"``; any case). A value the study does not have is a
        ValueError that suggests the closest (see :mod:`evstudy.filters`).
    k : int, optional
        The fewest people an attribution may describe. Default: the study's ``quote_k``
        (study.yml, 3 unless set).
    labels : dict, optional
        Role-group labels. Default: the study's ``role_groups.labels``, else the key with
        underscores as spaces, capitalised.
    context : {"site", "role_group"} or list of them, optional
        What the place the quote is shown already tells the reader: ``"site"`` on a site's
        own page, ``"role_group"`` in a table row for one role group. The attribution is
        the same as without a context (rule 3 above); a quote whose attribution does not
        already name what the context tells ("Staff, Kelwick" in a row for senior leaders
        would say "a senior leader at Kelwick") gets ``attribution`` None and
        ``attribution_level`` 4: do not show it there.
    coder : str, optional
        One coder's codings, or ``"primary"`` for the coder who coded most documents.
        Default: every coder; a passage two coders coded is still one quote.

    Returns
    -------
    pandas.DataFrame
        One row per coded passage and code: a passage several coders (or codings) cover
        is one row, with ``coder`` the first of them and ``coders`` all of them; a coding
        over several speakers' turns is one row per turn, each with its own words and
        attribution, sharing the ``coding_id``. ``text`` is the quote as published: the
        coded words widened to whole sentences of the speaker's turn and capped at
        :data:`MAX_QUOTE_CHARS` characters, any cut marked with an ellipsis (see
        :func:`whole_sentences`); ``coded_text`` is the coder's own span. Columns:
        ``coding_id, doc_id, code_id, coder, coders, text, coded_text, participant_id``
        (the pseudonym, for researchers only), ``respondent_id, site_id, role_group,
        method, attribution, attribution_level``, in document and text order.
    """
    k = _quote_k(study, k)
    if labels is None:
        labels = getattr(study, "role_group_labels", None) or None
    known = frozenset(_as_list(context))
    _check("context", sorted(known), ["site", "role_group"])
    # Attributions depend only on who spoke and the words, so they are worked out once for
    # every passage, whatever the context; a context only hides quotes.
    key = ("quotes", k, tuple(sorted(labels.items())) if labels else None)
    frame = derived(study, key, lambda: _all_quotes(study, k, labels))
    if known:
        frame = derived(study, (*key, known), lambda: _in_context(frame, known))
    found = _filtered(
        study, frame, code=code, site=site, role_group=role_group, method=method, coder=coder
    )
    # One quote per coded passage, however many coders (or codings) cover it.
    found = found.drop_duplicates(PASSAGE)
    return found[QUOTE_COLUMNS].reset_index(drop=True)


def _filtered(
    study: Any,
    frame: pd.DataFrame,
    *,
    code: object = None,
    site: object = None,
    role_group: object = None,
    method: object = None,
    coder: str | None = None,
) -> pd.DataFrame:
    """The rows of a table of coded passages that the filters keep, each value resolved
    from an id or a name (see :mod:`evstudy.filters`)."""
    if code is not None:
        frame = frame[frame["code_id"].isin(expand_codes(study, code, param="code"))]
    for param, value, column in (
        ("site", site, "site_id"),
        ("role_group", role_group, "role_group"),
        ("method", method, "method"),
    ):
        if value is not None:
            frame = frame[frame[column].isin(resolve(study, param, value))]
    return _coder_filter(study, frame, coder)


def _in_context(frame: pd.DataFrame, known: frozenset[str]) -> pd.DataFrame:
    """``frame`` with the quotes a page that tells ``known`` may not show withheld."""
    tells_site, tells_role = "site" in known, "role_group" in known
    level = frame["attribution_level"].to_numpy()
    names_site = np.isin(level, [0, 1])
    names_role = np.isin(level, [0, 2])
    # Experts are quoted as experts, with neither site nor role group to add to.
    expert = ((frame["method"] == EXPERT_METHOD) & frame["respondent_id"].isna()).to_numpy()
    hide = ((tells_site & ~names_site) | (tells_role & ~names_role)) & ~expert
    out = frame.copy()
    out.loc[hide, "attribution"] = None
    out.loc[hide, "attribution_level"] = 4
    return out


def _all_quotes(study: Any, k: int, labels: dict[str, str] | None) -> pd.DataFrame:
    """Every quotable passage with its one attribution, in document and text order."""
    frame = derived(study, ("coded_segments",), lambda: _coded_segments(study))
    frame = frame[frame["speaker_role"].isin(DATA_ROLES)]
    frame = frame[~frame["participant_id"].isin(no_quote_consent(study))]
    frame = frame.sort_values(["doc_id", "start", "code_id", "coder"]).reset_index(drop=True)
    # A quote is whole sentences of the speaker's turn; every coder of a passage is named.
    frame = _as_quotes(frame, study.turns)
    frame = frame[frame["text"] != ""].reset_index(drop=True)
    frame["coders"] = frame.groupby(PASSAGE, dropna=False)["coder"].transform(
        lambda c: ", ".join(sorted(set(c)))
    )

    sites = study.sites.set_index("site_id")["site_name"]
    survey = frame["speaker_role"] == "respondent"
    expert = ~survey & (frame["method"] == EXPERT_METHOD)
    staff = ~survey & ~expert
    people = study.participants
    experts = expert_participants(study)
    parts = [
        _attributions(frame[staff], people[~experts], k, sites, labels, None),
        _attributions(
            frame[survey], study.survey_respondents, k, sites, labels, "Survey respondent"
        ),
    ]
    enough = int(experts.sum()) >= k
    parts.append(
        pd.DataFrame(
            {
                "attribution": EXPERT_ATTRIBUTION if enough else "Interviewee",
                "attribution_level": 0 if enough else 3,
            },
            index=frame.index[expert],
        )
    )
    published = pd.concat(parts).reindex(frame.index)
    out = frame.join(published)
    out["attribution_level"] = out["attribution_level"].astype("int64")

    # Rule 2: the same words, one attribution, naming only what every speaker's level
    # names and what they share.
    level = out["attribution_level"].to_numpy()
    words = pd.DataFrame(
        {
            "key": out["text"].map(published_words),
            # 0: site participants, 1: survey respondents, 2: experts
            "population": np.select([survey, expert], [1, 2], 0),
            "site": out["site_id"].fillna(""),
            "group": out["role_group"].fillna(""),
            "names_site": np.isin(level, [0, 1]),
            "names_role": np.isin(level, [0, 2]),
        }
    )
    same = words.groupby("key", sort=False)
    mixed = (same["population"].transform("nunique") > 1).to_numpy()
    site_ok = same["names_site"].transform("all") & (same["site"].transform("nunique") == 1)
    role_ok = same["names_role"].transform("all") & (same["group"].transform("nunique") == 1)
    shared = np.array(
        [LEVEL_OF[dims] for dims in zip(site_ok, role_ok, strict=True)], dtype="int64"
    )
    for rows, prefix in ((staff.to_numpy(), None), (survey.to_numpy(), "Survey respondent")):
        change = rows & (shared != level) & ~mixed
        if change.any():
            redone = _attribution_text(out[change], shared[change], sites, labels, prefix)
            out.loc[change, ["attribution", "attribution_level"]] = redone.to_numpy()
    out.loc[mixed, "attribution"] = None
    out.loc[mixed, "attribution_level"] = 4
    out["attribution_level"] = out["attribution_level"].astype("int64")
    return out[[*QUOTE_COLUMNS, "turn", "_from", "_to"]]


def no_quote_consent(study: Any) -> set[str]:
    """Pseudonyms of the participants who said no to being quoted (register ``Quote consent``).

    A study whose tables hold no ``quote_consent`` column (older processed tables, a study
    whose register has no such column) has nobody here.
    """
    people = study.participants
    if "quote_consent" not in people:
        return set()
    refused = people["quote_consent"].map(lambda v: v is False or v is np.False_)
    return set(people.loc[refused, "participant_id"].dropna())


GROUP_COLUMNS = [
    "population",
    "site_id",
    "role_group",
    "n",
    "n_site",
    "n_role_group",
    "attribution",
    "attribution_level",
]


def attribution_groups(
    study: Any, *, k: int | None = None, labels: dict[str, str] | None = None
) -> pd.DataFrame:
    """Every (site, role group) a quote can come from, its size and the attribution it gets.

    The coarsening :func:`quotes` applies depends only on who spoke, so this table says
    once, for researchers, which groups were coarsened and why; the privacy audit reads
    it to check published attributions. It holds counts of people and is never published.

    Parameters
    ----------
    study : Study
        The study.
    k : int, optional
        The fewest people an attribution may describe. Default: the study's ``quote_k``.
    labels : dict, optional
        Role-group labels. Default: the study's ``role_groups.labels``.

    Returns
    -------
    pandas.DataFrame
        ``population`` ("participants", "experts" or "survey respondents"), ``site_id``
        (None for experts and people who named no site), ``role_group``, ``n`` (people in
        the group), ``n_site`` and ``n_role_group`` (people in its site and in its role
        group, within the population), ``attribution`` and ``attribution_level`` (as
        :func:`quotes` gives them: 0 = not coarsened, 3 = most).
    """
    k = _quote_k(study, k)
    if labels is None:
        labels = getattr(study, "role_group_labels", None) or None
    sites = study.sites.set_index("site_id")["site_name"]
    people = study.participants
    frames = []
    for population, members, prefix in (
        ("participants", people[~expert_participants(study)], None),
        ("survey respondents", study.survey_respondents, "Survey respondent"),
    ):
        if members.empty:
            continue
        located = members[members["site_id"].notna()]
        cells = (
            members.groupby(["site_id", "role_group"], dropna=False)
            .size()
            .rename("n")
            .reset_index()
        )
        cells["n_site"] = cells["site_id"].map(located.groupby("site_id").size()).fillna(0)
        by_group = located.groupby("role_group").size()
        cells["n_role_group"] = cells["role_group"].map(by_group).fillna(0)
        cells = cells.join(_attributions(cells, members, k, sites, labels, prefix))
        frames.append(cells.assign(population=population))
    n_experts = int(expert_participants(study).sum())
    if n_experts:
        enough = n_experts >= k
        frames.append(
            pd.DataFrame(
                {
                    "population": ["experts"],
                    "site_id": [None],
                    "role_group": [None],  # experts are quoted without a role group
                    "n": [n_experts],
                    "n_site": [0],
                    "n_role_group": [n_experts],
                    "attribution": [EXPERT_ATTRIBUTION if enough else "Interviewee"],
                    "attribution_level": [0 if enough else 3],
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    out = pd.concat(frames, ignore_index=True)[GROUP_COLUMNS]
    out = out.astype({c: "int64" for c in ("n", "n_site", "n_role_group", "attribution_level")})
    return out.sort_values(["population", "site_id", "role_group"], ignore_index=True)


def code_matrix(
    study: Any,
    *,
    rows: str = "site",
    cols: str = "code",
    count: str = "segments",
    codes: str | list[str] | None = None,
    coder: str | None = None,
) -> pd.DataFrame:
    """Counts of coded segments, documents or participants: a rows x codes matrix.

    Parameters
    ----------
    study : Study
        The study.
    rows : {"site", "role_group", "method", "document"}, default "site"
        What the rows are. Codings without a site (expert interviews, survey answers from
        respondents who named none) fall in the row ``"(no site)"``.
    cols : {"code"}, default "code"
        The columns: codes, in codebook order.
    count : {"segments", "documents", "participants"}, default "segments"
        Codings; distinct documents; or distinct speakers (participants and survey
        respondents) with at least one coding in the cell. A coding over several turns
        counts once in each row its speakers fall in (a focus-group passage over two
        role groups counts in both).
    codes : str or list of str, optional
        Code or theme ids (with every code below them). Default: every code used.
    coder : str, optional
        One coder's codings, or ``"primary"`` for the coder who coded most documents.
        Default: every coder, so a double-coded passage counts twice in ``"segments"``.

    Returns
    -------
    pandas.DataFrame
        Integer counts; index named after ``rows``, columns the code ids.
    """
    _check_choice("rows", rows, ROWS)
    _check_choice("cols", cols, ["code"])
    _check_choice("count", count, COUNTS)
    frame = _coder_filter(study, coded_segments(study), coder)
    wanted = expand_codes(study, codes) if codes is not None else None
    if wanted is not None:
        frame = frame[frame["code_id"].isin(wanted)]
    columns = wanted or [c for c in study.codebook["code_id"] if c in set(frame["code_id"])]
    key = ROWS[rows]
    frame = frame.assign(
        _row=frame[key].fillna(NO_SITE),
        speaker=frame["participant_id"].fillna(frame["respondent_id"]),
    )
    if count == "segments":
        # A coding over two speakers' turns counts once in each row it reaches.
        frame = frame.drop_duplicates(["_row", "coding_id"])
        table = pd.crosstab(frame["_row"], frame["code_id"])
    else:
        unit = "doc_id" if count == "documents" else "speaker"
        table = frame.groupby(["_row", "code_id"])[unit].nunique().unstack(fill_value=0)
    return table.reindex(columns=columns, fill_value=0).rename_axis(index=rows, columns="code_id")


def cooccurrence(
    study: Any,
    *,
    codes: str | list[str] | None = None,
    unit: str = "turn",
    coder: str | None = "primary",
) -> pd.DataFrame:
    """How often two codes occur together: a square, symmetric code x code table.

    Parameters
    ----------
    study : Study
        The study.
    codes : str or list of str, optional
        Codes or themes by id or label (with every code below them). Default: every code
        used.
    unit : {"turn", "segment", "document"}, default "turn"
        ``"turn"`` and ``"document"``: the number of turns or documents coded with both
        codes; on the diagonal, the number coded with the code. ``"segment"``: off the
        diagonal, the number of pairs of overlapping codings, one of each code; on it, the
        number of codings of the code. Coders usually code a passage with one code, so
        segments rarely overlap and ``"segment"`` is mostly zeros off the diagonal.
    coder : str or None, default "primary"
        One coder's codings (``"primary"``: the coder who coded most documents), or None
        for every coder (double-coded passages then co-occur with themselves).

    Returns
    -------
    pandas.DataFrame
        Integer counts, index and columns the code ids in codebook order.
    """
    _check_choice("unit", unit, UNITS)
    frame = _coder_filter(study, coded_segments(study), coder)
    wanted = expand_codes(study, codes) if codes is not None else None
    if wanted is not None:
        frame = frame[frame["code_id"].isin(wanted)]
    order = wanted or [c for c in study.codebook["code_id"] if c in set(frame["code_id"])]
    if unit == "segment":
        pairs = frame.merge(frame, on="doc_id", suffixes=("", "_b"))
        overlap = (
            (pairs["start"] < pairs["end_b"])
            & (pairs["start_b"] < pairs["end"])
            & (pairs["coding_id"] != pairs["coding_id_b"])
        )
        # A coding over several turns is several segments, but one coding of each pair.
        pairs = pairs[overlap].drop_duplicates(["coding_id", "coding_id_b"])
        table = pd.crosstab(pairs["code_id"], pairs["code_id_b"])
        table = table.reindex(index=order, columns=order, fill_value=0)
        values = table.to_numpy(copy=True)
        counts = frame.drop_duplicates("coding_id")["code_id"].value_counts()
        np.fill_diagonal(values, counts.reindex(order, fill_value=0))
        table = pd.DataFrame(values, index=order, columns=order)
    else:
        keys = ["doc_id", "turn"] if unit == "turn" else ["doc_id"]
        present = (
            pd.crosstab([frame[k] for k in keys], frame["code_id"])
            .reindex(columns=order, fill_value=0)
            .gt(0)
            .astype("int64")
        )
        table = present.T @ present
    return table.rename_axis(index="code_id", columns="code_id").astype("int64")
