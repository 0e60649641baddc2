"""The findings in words: Markdown written from computed values.

Nothing in a finding is typed in. Every number, name and ranking comes from the matrices
(:mod:`evstudy.matrices`), the joint display (:mod:`evstudy.triangulation`) and the survey
(:mod:`evstudy.survey`), through a few small templating helpers (:func:`n_of`,
:func:`listing`, :func:`pct`, :func:`ci` and :func:`fill`), so that other data give other
words. The sections per research question are assembled in :mod:`evstudy.sections`; here
are the COM-B findings they share (:func:`comb_section`, :func:`pairs_section`), the
executive summary and the triangulation text.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from evstudy.io.codebook import VALENCES
from evstudy.matrices import (
    COMB_LABELS,
    METHOD_LABELS,
    barrier_enabler_pairs,
    comb_codes,
    comb_matrix,
    framework_matrix,
)
from evstudy.study import derived

if TYPE_CHECKING:
    from evstudy.sections import Section
    from evstudy.study import Study

__all__ = [
    "ci",
    "comb_section",
    "executive_summary",
    "fill",
    "headlines",
    "italic",
    "listing",
    "midsentence",
    "n_of",
    "none_or",
    "number_word",
    "pairs_section",
    "pct",
    "people_count",
    "plural",
    "plural_noun",
    "prose",
    "sample_against_targets",
    "shortlist",
    "small",
    "spelt",
    "suppress_max_of",
    "targets_text",
    "top_choices",
    "triangulation_text",
]

QUALITATIVE = ("interview", "focus_group")
_WORDS = {1: "one", 2: "two", 3: "three"}


# --- templating helpers ------------------------------------------------------------------------


def plural(n: int, noun: str, plural: str | None = None) -> str:
    """``"1 site"``, ``"7 sites"``, ``"2 local authorities"``; ``plural`` for irregular nouns."""
    word = noun if n == 1 else (plural or plural_noun(noun))
    return f"{n:,} {word}"


def plural_noun(noun: str) -> str:
    """The regular English plural: "site" -> "sites", "authority" -> "authorities"."""
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", noun):
        return noun + "es"
    return noun + "s"


def none_or(n: int) -> str:
    """A count for prose: ``"none"`` for 0, else the number (``"1,204"``)."""
    return "none" if int(n) == 0 else f"{int(n):,}"


def n_of(k: int, n: int, noun: str, plural: str | None = None) -> str:
    """``"7 of 9 sites"``: the noun agrees with the total."""
    word = noun if n == 1 else (plural or plural_noun(noun))
    return f"{k:,} of {n:,} {word}"


def people_count(
    n: int,
    noun: str,
    *,
    suppress_max: int,
    base: int | None = None,
    plural: str | None = None,
) -> str:
    """A count of people for prose, as the disclosure rule allows it to be published.

    A count the rule suppresses (1 to ``suppress_max``) is never written as a number: it
    is "fewer than ``suppress_max + 1``" (``"fewer than 6 interviewees"``), the words the
    report's methods give for a suppressed cell. Zero is "no" (or "none of"), and a larger
    count is the number. With a ``base`` the denominator is given: ``"12 of 66
    interviewees"``, ``"fewer than 6 of 44 focus-group participants"``.

    Examples
    --------
    >>> people_count(3, "interviewee", suppress_max=5, base=66)
    'fewer than 6 of 66 interviewees'
    >>> people_count(12, "interviewee", suppress_max=5)
    '12 interviewees'
    """
    n = int(n)
    many = plural or plural_noun(noun)
    if base:
        word = noun if int(base) == 1 else many
        if n == 0:
            return f"none of the {int(base):,} {word}"
        if n <= suppress_max:
            return f"fewer than {suppress_max + 1} of {int(base):,} {word}"
        return f"{n:,} of {int(base):,} {word}"
    if n == 0:
        return f"no {many}"
    if n <= suppress_max:
        return f"fewer than {suppress_max + 1} {many}"
    return f"{n:,} {noun if n == 1 else many}"


_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spelt(n: int) -> str:
    """A whole number in words, as a sentence may open with it: 105 -> "one hundred and five"."""
    n = int(n)
    if n < 0:
        return "minus " + spelt(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if not rest else " and " + spelt(rest))
    if n < 1_000_000:
        rest = n % 1000
        joint = " and " if 0 < rest < 100 else " "
        return spelt(n // 1000) + " thousand" + ("" if not rest else joint + spelt(rest))
    return f"{n:,}"


# A sentence's first word: at the start of the text, a paragraph or a list item (after any
# bold label such as "- **Research question 1.** "), or after a full stop, question or
# exclamation mark.
_OPENING_NUMBER = re.compile(r"(^|\n|[.!?]\s+)((?:[-*]\s+)?(?:\*\*[^*\n]+\*\*\s+)?)(\d[\d,]*)(%?)")


_ITEM = r"(?<!\*)\*[^*\n]+\*(?!\*)†?"
_CHAIN = re.compile(rf"{_ITEM}(?:(?:, and |, | and | or ){_ITEM})+")


def prose(text: str) -> str:
    """Computed Markdown made to read as English.

    - No sentence opens with a numeral: such a number is spelt out ("4 of 9 sites
      describe" -> "Four of 9 sites describe"; "70% of" -> "Seventy per cent of"), as
      house style asks.
    - Labels are written as words, not chained italics: a list of italic labels
      ("*peer networks*, *case studies* and *training*") loses its italics; a label named
      alone stays italic.

    Every text function of :mod:`evstudy.narrative`, :mod:`evstudy.sections` and
    :mod:`evstudy.casestudy` returns its text through this.

    Examples
    --------
    >>> prose("Agreed. 16 of 16 said so; 70% of them twice.")
    'Agreed. Sixteen of 16 said so; 70% of them twice.'
    """

    def words(match: re.Match) -> str:
        number = int(match.group(3).replace(",", ""))
        said = spelt(number) + (" per cent" if match.group(4) else "")
        return match.group(1) + match.group(2) + said[:1].upper() + said[1:]

    if not isinstance(text, str):
        return text
    text = _CHAIN.sub(lambda m: m.group(0).replace("*", ""), text)
    return _OPENING_NUMBER.sub(words, text)


def small(n: int, *, suppress_max: int) -> str:
    """A count of people as prose may give it: "fewer than 6" when the rule suppresses it."""
    n = int(n)
    return f"fewer than {suppress_max + 1}" if 1 <= n <= suppress_max else f"{n:,}"


def suppress_max_of(study: Study | None) -> int:
    """The study's ``suppress_max`` (the documented default without a study)."""
    from evstudy.disclosure import thresholds

    try:
        return int(thresholds(study)["suppress_max"])
    except (AttributeError, KeyError, TypeError):
        return int(thresholds()["suppress_max"])


SHORT_LIST = 3  # items a sentence names before "and N others"
NUMBER_WORDS = ("no", *_ONES[1:10])


def number_word(n: int) -> str:
    """A small whole number in words ("three"); 10 and more as digits ("12")."""
    n = int(n)
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


def shortlist(items: Iterable[Any], *, most: int = SHORT_LIST, other: str = "other") -> list[str]:
    """At most ``most`` items, then "N others" for the rest, for :func:`listing`.

    Examples
    --------
    >>> listing(shortlist(["a", "b", "c", "d", "e"]))
    'a, b, c and two others'
    """
    items = [str(i) for i in items]
    if len(items) <= most:
        return items
    rest = len(items) - most
    return [*items[:most], f"{number_word(rest)} {other if rest == 1 else plural_noun(other)}"]


def listing(items: Iterable[Any], *, conj: str = "and", empty: str = "none") -> str:
    """``"A, B and C"``; ``empty`` when there is nothing to list."""
    items = [str(i) for i in items]
    if not items:
        return empty
    if len(items) == 1:
        return items[0]
    # An item with its own "and" ("lack of time and capacity") takes a serial comma before
    # the last, so that the list cannot be misread.
    serial = "," if len(items) > 2 and any(f" {conj} " in i for i in items) else ""
    return f"{', '.join(items[:-1])}{serial} {conj} {items[-1]}"


def pct(value: float) -> str:
    """A proportion (0-1) as a whole percentage: ``"45%"``; ``"n/a"`` when missing."""
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.0%}"


def ci(low: float, high: float) -> str:
    """A 95% interval of proportions: ``"95% CI 32% to 59%"``."""
    return f"95% CI {pct(low)} to {pct(high)}"


class _Formatter(string.Formatter):
    """``str.format`` with ``:pct``, ``:ci`` (a pair) and ``:list`` specs, and lists as lists."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "pct":
            return pct(value)
        if format_spec == "ci":
            return ci(*value)
        if format_spec == "list" or (isinstance(value, list | tuple) and not format_spec):
            return listing(value)
        if isinstance(value, int | np.integer) and not format_spec:
            return f"{int(value):,}"
        return super().format_field(value, format_spec)


def fill(template: str, /, **values: Any) -> str:
    """Fill a Markdown template from computed values.

    Like ``str.format``, plus: ``{x:pct}`` writes a proportion as a percentage, ``{x:ci}``
    a (low, high) pair as a 95% interval, and a list becomes "A, B and C". Whole numbers get
    thousands separators.

    Examples
    --------
    >>> fill("{sites} describe {share:pct} ({interval:ci}).", sites=["A", "B"],
    ...      share=0.5, interval=(0.25, 0.75))
    'A and B describe 50% (95% CI 25% to 75%).'
    """
    return _Formatter().vformat(template, (), values)


def italic(items: Iterable[str]) -> list[str]:
    """Each item in Markdown italics, for :func:`listing`."""
    return [f"*{i}*" for i in items]


def midsentence(label: str) -> str:
    """A label as it reads mid-sentence ("Peer networks" -> "peer networks"; "NICE",
    "Research in Practice" and "EIF Guidebook" stay as they are: proper names)."""
    words = label.split()
    proper = label[1:2].isupper() or any(w[:1].isupper() for w in words[1:])
    return label if proper or not label else label[:1].lower() + label[1:]


def _joint(study: Study, coder: str | None, display: pd.DataFrame | None) -> pd.DataFrame:
    """``display``, or the joint display computed without researcher overrides."""
    if display is not None:
        return display
    from evstudy.triangulation import joint_display

    return derived(study, ("joint_display", coder), partial(joint_display, study, coder=coder))


# --- COM-B barriers and enablers ---------------------------------------------------------------


def _comb_codes(study: Study, coder: str | None) -> pd.DataFrame:
    return derived(study, ("comb_codes", coder), partial(comb_codes, study, coder=coder))


def _leading(study: Study, coder: str | None, valence: str, n: int = 3) -> pd.DataFrame:
    """The codes of one valence most described by the headline population."""
    from evstudy.sections import population_counts

    book = study.codebook.set_index("code_id")
    counts = population_counts(study, coder=coder)
    codes = counts[counts["code_id"].map(book["valence"]) == valence]
    codes = codes.assign(comb=codes["code_id"].map(book["comb"]))
    return codes.sort_values(["participants", "code_id"], ascending=[False, True]).head(n)


def comb_section(study: Study, *, coder: str | None = "primary") -> Section:
    """Barriers and enablers by COM-B component, in words, with the matrix and its tables.

    The headline counts the headline population (study.yml ``population:``); role groups
    outside it are reported apart. The COM-B matrix and the survey's choices beside the
    interview counts follow (:func:`evstudy.matrices.comb_codes`,
    :func:`evstudy.matrices.comb_matrix`), then the barrier each role group described most.

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"

    Returns
    -------
    evstudy.sections.Section
        table: :func:`evstudy.matrices.comb_codes`.
    """
    from evstudy.charts.matrices import comb_heatmap, framework_heatmap
    from evstudy.sections import Chart, Section, Table, population_counts

    codes = _comb_codes(study, coder)
    cells = derived(study, ("comb_matrix", coder), partial(comb_matrix, study, coder=coder))
    counts = population_counts(study, coder=coder)
    label = study.population["label"]
    base = int(counts["base"].iloc[0]) if len(counts) else 0
    barriers, enablers = _leading(study, coder, "barrier"), _leading(study, coder, "enabler")
    frame = _comb_frame(study, coder)
    lead = frame[~frame["outside"] & (frame["valence"] == "barrier")]
    lead = lead.groupby("comb")["participant_id"].nunique().sort_values(ascending=False)
    sentences = []
    if len(barriers) and barriers["participants"].sum():
        # Each barrier carries its own COM-B component, from the codebook; the component most
        # people's barriers fell in is a separate statement, with its count and any tie.
        sentences.append(
            fill(
                "The barriers {label} described most were {b} ({b_n} of {base} {label}); "
                "{b_comb}{cell}",
                label=label,
                b=italic(midsentence(x) for x in barriers["label"]),
                b_n=listing(
                    small(x, suppress_max=suppress_max_of(study)) for x in barriers["participants"]
                ),
                base=base,
                b_comb=_comb_of(barriers),
                cell=_leading_component(lead, base, label, suppress_max_of(study)),
            )
        )
    if len(enablers) and enablers["participants"].sum():
        sentences.append(
            fill(
                "the leading enablers were {e}", e=italic(midsentence(x) for x in enablers["label"])
            )
        )
    headline = (
        ("; ".join(sentences) + ".")
        if sentences
        else "No participant described a barrier or enabler."
    )
    headline = headline[:1].upper() + headline[1:]
    paragraphs = [headline]
    outside = _outside_text(study, counts)
    if outside:
        paragraphs.append(outside)
    for valence in VALENCES:
        word = f"{valence}s"
        top = _leading(study, coder, valence)
        survey = codes[codes["valence"] == valence].dropna(subset=["survey_rank"])
        if survey.empty:
            continue
        survey_top = survey.sort_values(["survey_n", "code_id"], ascending=[False, True]).head(3)
        same = set(top["code_id"]) == set(survey_top["code_id"]) and len(survey_top) == len(top)
        chosen = listing(
            fill(
                "*{label}* ({n:pct}, {interval:ci})",
                label=midsentence(r.label),
                n=r.survey_pct,
                interval=(r.ci_low, r.ci_high),
            )
            for r in survey_top.itertuples()
        )
        verdict = (
            f"the same {_WORDS.get(len(top), len(top))} as in the interviews"
            if same
            else "a different set"
        )
        paragraphs.append(
            fill(
                "In the survey the {word} chosen most often were {chosen}: {verdict} (table "
                "*COM-B barriers and enablers by code*).",
                word=word,
                chosen=chosen,
                verdict=verdict,
            )
        )
    ranked = cells.sort_values("participants", ascending=False)
    ranked = ranked[ranked["participants"] > 0]
    empty = cells.groupby("comb_label", sort=False)["codes"].sum()
    empty = [midsentence(x) for x in empty[empty == 0].index]
    paragraphs.append(
        fill(
            "By COM-B component (table and figure *COM-B matrix*, every participant), barriers "
            "concentrated in {b_cells} and enablers in {e_cells}.{gap}",
            b_cells=[
                f"{midsentence(r.comb_label)} ({r.participants} participants)"
                for r in ranked[ranked["valence"] == "barrier"].head(2).itertuples()
            ],
            e_cells=[
                f"{midsentence(r.comb_label)} ({r.participants})"
                for r in ranked[ranked["valence"] == "enabler"].head(2).itertuples()
            ],
            gap=fill(
                " No code in the codebook maps to {e}, so the study says nothing about it.", e=empty
            )
            if empty
            else "",
        )
    )
    roles = framework_matrix(
        study, rows="role_group", level="code", methods=QUALITATIVE, coder=coder
    )
    by_role = _by_role_group(study, roles)
    if by_role:
        paragraphs.append(by_role)
    comb_labels = {
        "comb_label": "COM-B component",
        "valence": "Barrier or enabler",
        "codes": "Codes",
        "participants": "Participants",
        "segments": "Passages",
        "leading_label": "Leading code",
        "leading_participants": "Its participants",
        "survey_n": "Survey: chose any",
        "survey_pct": "Survey share",
        "attribution": "Who",
        "quote": "Quote",
    }
    code_labels = {
        "comb_label": "COM-B component",
        "valence": "Barrier or enabler",
        "label": "Code",
        "participants": "Participants",
        "segments": "Passages",
        "rank": "Rank",
        "survey_n": "Survey: chose it",
        "survey_pct": "Survey share",
        "ci_low": "95% CI low",
        "ci_high": "95% CI high",
        "survey_rank": "Survey rank",
    }
    methods = listing(METHOD_LABELS[m].lower() + "s" for m in QUALITATIVE)
    parts = (
        Chart(
            "comb_matrix",
            partial(
                comb_heatmap,
                cells,
                title="COM-B matrix: participants describing barriers and enablers",
            ),
        ),
        Table(
            cells.drop(columns=["comb", "leading_code", "survey_base"]),
            caption="COM-B matrix",
            labels=comb_labels,
            percent=["survey_pct"],
        ),
        Table(
            codes.drop(columns=["comb", "code_id", "survey_base"]),
            caption="COM-B barriers and enablers by code",
            labels=code_labels,
            percent=["survey_pct", "ci_low", "ci_high"],
        ),
        f"Share of each role group's participants in {methods} coded to each code:",
        Chart(
            "role_groups_by_code", partial(framework_heatmap, roles, title="Role groups by code")
        ),
    )
    return Section(
        title="COM-B barriers and enablers",
        markdown="\n\n".join(paragraphs),
        headline=headline,
        table=codes,
        parts=parts,
    )


def _comb_of(codes: pd.DataFrame) -> str:
    """Each listed code's own COM-B component, in the order the codes were named."""
    words = [
        midsentence(COMB_LABELS[c]) if isinstance(c, str) and c in COMB_LABELS else "unmapped"
        for c in codes["comb"]
    ]
    if len(words) == 1:
        return f"in COM-B, {words[0]}"
    if len(set(words)) == 1:
        return f"in COM-B, {'both' if len(words) == 2 else 'all'} {words[0]}"
    return "in COM-B, " + listing(words) + " respectively"


def _leading_component(lead: pd.Series, base: int, label: str, suppress_max: int) -> str:
    """The COM-B component most of the population's barriers fell in; a tie names every one."""
    if not len(lead):
        return ""
    top = lead[lead == lead.max()]
    names = listing(midsentence(COMB_LABELS[c]) for c in top.index)
    if len(top) > 1:
        return (
            f". Across every barrier, {names} were tied as the COM-B components most {label} "
            f"described ({small(top.iloc[0], suppress_max=suppress_max)} of {base} each)"
        )
    return (
        f". Across every barrier, the COM-B component most {label} described was {names} "
        f"({small(top.iloc[0], suppress_max=suppress_max)} of {base})"
    )


def _comb_frame(study: Study, coder: str | None) -> pd.DataFrame:
    from evstudy.sections import _population_frame

    frame = _population_frame(study, coder)
    book = study.codebook.set_index("code_id")
    frame = frame.assign(
        valence=frame["code_id"].map(book["valence"]), comb=frame["code_id"].map(book["comb"])
    )
    return frame[frame["valence"].isin(["barrier", "enabler"]) & frame["comb"].notna()]


def _outside_text(study: Study, counts: pd.DataFrame) -> str:
    """The barrier the role groups outside the headline population described most."""
    outside = study.population["outside"]
    base = int(counts["outside_base"].iloc[0]) if len(counts) else 0
    if not outside or not base:
        return ""
    book = study.codebook.set_index("code_id")
    barriers = counts[counts["code_id"].map(book["valence"]) == "barrier"]
    barriers = barriers.sort_values(["outside_participants", "code_id"], ascending=[False, True])
    if barriers.empty or not barriers["outside_participants"].iloc[0]:
        return ""
    labels = study.role_group_labels
    who = listing(midsentence(labels.get(g, g)) for g in outside)
    top = barriers.iloc[0]
    return fill(
        "Reported apart from the headline figures: of the {base} {who} participants, {k} "
        "described *{code}*, the barrier they raised most.",
        base=base,
        who=who,
        k=int(top["outside_participants"]),
        code=midsentence(top["label"]),
    )


def _by_role_group(study: Study, matrix: pd.DataFrame) -> str:
    """The barrier most described by each role group."""
    barriers = study.codebook.loc[study.codebook["valence"] == "barrier", "code_id"]
    matrix = matrix[matrix["code_id"].isin(barriers) & (matrix["participants"] > 0)]
    if matrix.empty:
        return ""
    lead = matrix.sort_values(["share", "code_id"], ascending=[False, True], kind="stable")
    lead = lead.groupby("row", sort=False).head(1)
    order = {g: i for i, g in enumerate(pd.unique(matrix["row"]))}
    lead = lead.assign(_o=lead["row"].map(order)).sort_values("_o")
    grouped = lead.groupby("label", sort=False)["row_label"].agg(list)
    return fill(
        "By role group (figure *Role groups by code*), the barrier described by the largest share "
        "of participants was {parts}.",
        parts=[
            f"*{midsentence(label)}* for {listing(italic(groups))}"
            for label, groups in grouped.items()
        ],
    )


def pairs_section(study: Study, *, coder: str | None = "primary", lead: bool = True) -> Section:
    """What would help: the leading enablers and the barrier-enabler pairs raised together.

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"
    lead : bool, default True
        Open with the leading enablers (the headline); False when the COM-B section
        before it has named them already.

    Returns
    -------
    evstudy.sections.Section
        table: :func:`evstudy.matrices.barrier_enabler_pairs`.
    """
    from evstudy.charts.matrices import pairs_heatmap
    from evstudy.sections import Chart, Section

    pairs = barrier_enabler_pairs(study, coder=coder)
    top_pairs = pairs[pairs["n"] > 0].head(3)
    enablers = _leading(study, coder, "enabler")
    enablers = enablers[enablers["participants"] > 0]
    headline = ""
    if lead and len(enablers):
        headline = fill(
            "What would help most: {e}.", e=italic(midsentence(x) for x in enablers["label"])
        )
    paragraphs = [headline] if headline else []
    parts: tuple = ()
    if len(top_pairs):
        paragraphs.append(
            fill(
                "Barriers and enablers travel together (figure *Barriers with enablers*): the "
                "pairs most often raised in the same interview or focus group were {pairs}.",
                pairs=[
                    f"*{midsentence(r.barrier_label)}* with *{midsentence(r.enabler_label)}* "
                    f"({r.n} documents)"
                    for r in top_pairs.itertuples()
                ],
            )
        )
        parts = (
            Chart(
                "barriers_with_enablers",
                partial(
                    pairs_heatmap, pairs, title="Barriers with enablers: documents coded with both"
                ),
            ),
        )
    return Section(
        title="What would help",
        markdown="\n\n".join(paragraphs),
        headline=headline,
        table=pairs,
        parts=parts,
    )


# --- the executive summary ---------------------------------------------------------------------


def headlines(
    study: Study, *, coder: str | None = "primary", display: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One computed sentence per research question (or theme), for the executive summary.

    See :func:`evstudy.sections.headlines`.

    Returns
    -------
    DataFrame
        rq_id, title, question, headline (Markdown).
    """
    from evstudy.sections import headlines as section_headlines

    return section_headlines(study, coder=coder, display=display)


def executive_summary(
    study: Study, *, coder: str | None = "primary", display: pd.DataFrame | None = None
) -> str:
    """The executive summary as Markdown bullets: one headline per research question, then
    what triangulation found and how reliable the coding was.

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"
    display : DataFrame, optional
        The joint display the report shows, so that the summary agrees with
        :func:`triangulation_text` of the same display.
    """
    from evstudy.reliability import reliability_table, study_kappa_threshold

    threshold = study_kappa_threshold(study)
    display = _joint(study, coder, display)
    heads = headlines(study, coder=coder, display=display)
    lines = [
        f"- **{r.title.split(':')[0]}.** {r.headline}" for r in heads.itertuples() if r.headline
    ]
    asked = int((display["convergence"] != "silence").sum())
    if asked:
        counts = display["convergence"].value_counts()
        dissonant = display[display["convergence"] == "dissonance"]
        lines.append(
            fill(
                "- **Triangulation.** Interviews, focus groups and the survey agreed on {a} of "
                "the {n} themes both the survey and the unprompted fieldwork covered and were "
                "dissonant on {d}{which}.",
                a=none_or(counts.get("agreement", 0)),
                n=asked,
                d=none_or(counts.get("dissonance", 0)),
                which=fill(
                    " ({x})", x=shortlist(italic(midsentence(x) for x in dissonant["label"]))
                )
                if len(dissonant)
                else "",
            )
        )
    from evstudy.report import double_coded

    reliability = (
        reliability_table(study, threshold=threshold) if double_coded(study) else pd.DataFrame()
    )
    reliability = (
        reliability[reliability["code_id"] != "overall"] if len(reliability) else reliability
    )
    if len(reliability):
        lines.append(
            fill(
                "- **Rigour.** {docs} were double-coded; {low} fell below a kappa of {t}.",
                t=f"{threshold:g}",
                docs=plural(int(reliability["n_documents"].max()), "document"),
                low=n_of(int(reliability["below_threshold"].sum()), len(reliability), "code"),
            )
        )
    return prose("\n".join(lines))


# --- triangulation and methods -----------------------------------------------------------------


def triangulation_text(display: pd.DataFrame, *, suppress_max: int | None = None) -> str:
    """What the joint display found, in words: the convergence counts and every dissonance.

    Parameters
    ----------
    display : DataFrame
        The result of :func:`evstudy.triangulation.joint_display`.
    suppress_max : int, optional
        The disclosure rule's largest suppressed count of people (default: the documented
        default, 5): such counts are written "fewer than 6", never as numbers.
    """
    if suppress_max is None:
        suppress_max = suppress_max_of(None)
    compared = display[display["convergence"] != "silence"]
    counts = display["convergence"].value_counts()
    asked = _survey_asked(display)
    prompted = display[asked & (display["convergence"] == "silence") & _all_prompted(display)]
    text = [
        fill(
            "Of the {n} themes that both the survey and the unprompted interviews or focus "
            "groups covered, interviews, focus groups and the survey agreed on {a}, partly "
            "agreed on {p} and disagreed (dissonance) on {d}.",
            n=len(compared),
            a=none_or(counts.get("agreement", 0)),
            p=none_or(counts.get("partial agreement", 0)),
            d=none_or(counts.get("dissonance", 0)),
        )
    ]
    if len(prompted):
        text.append(
            fill(
                "The survey also asked about {k}, but every topic guide asked about {them} by "
                "name, so {their} mentions in conversation are answers to a question, not "
                "prevalence, and are not compared: {labels}.",
                k=plural(len(prompted), "theme"),
                them="them" if len(prompted) > 1 else "it",
                their="their" if len(prompted) > 1 else "its",
                labels=shortlist(italic(midsentence(x) for x in prompted["label"])),
            )
        )
    dissonant = display[display["convergence"] == "dissonance"]
    if len(dissonant):
        dissonant = dissonant.assign(gap=_rank_gap(dissonant)).sort_values(
            ["gap", "code_id"], ascending=[False, True], kind="stable"
        )
        text.append(
            fill(
                "The dissonant {what}: {parts}.",
                what="themes, sharpest first" if len(dissonant) > 1 else "theme",
                parts=shortlist(
                    f"*{midsentence(r.label)}* ({_ranked(r, suppress_max)})"
                    for r in dissonant.itertuples()
                ),
            )
        )
    silent = display[~asked & (display["interview_n"] > 0) & ~display["interview_prompted"]]
    if len(silent):
        top = silent["interview_n"].max()
        loudest = silent[silent["interview_n"] == top]
        text.append(
            fill(
                "The survey was silent on {n}; the most prominent of them in the interviews "
                "{was} {l} ({k} each)."
                if len(loudest) > 1
                else "The survey was silent on {n}; the most prominent of them in the "
                "interviews was {l} ({k}).",
                n=plural(len(silent), "theme"),
                was="were",
                l=shortlist(italic(midsentence(x) for x in loudest["label"])),
                k=people_count(
                    int(top),
                    "interviewee",
                    suppress_max=suppress_max,
                    base=int(loudest["interview_base"].iloc[0]),
                ),
            )
        )
    overridden = display[display["overridden"]]
    if len(overridden):
        text.append(
            fill(
                "A researcher overrode the rules for {labels}; the reasons are in the table.",
                labels=shortlist(italic(midsentence(x) for x in overridden["label"])),
            )
        )
    return prose(" ".join(text))


def _survey_asked(display: pd.DataFrame) -> pd.Series:
    return display["survey_base"].notna() & (display["survey_base"].fillna(0) > 0)


def _all_prompted(display: pd.DataFrame) -> pd.Series:
    """Rows every conversational method was prompted about (no unprompted evidence)."""
    flags = [display.get(f"{m}_prompted", False) for m, _, _ in _SOURCES]
    return pd.concat([pd.Series(f, index=display.index) for f in flags], axis=1).all(axis=1)


_SOURCES = (
    ("interview", "interviews", "interviewees"),
    ("focus_group", "focus groups", "focus-group participants"),
)


def _rank_gap(rows: pd.DataFrame) -> pd.Series:
    """How far apart the conversational methods' and the survey's ranks are (0 to 1)."""
    survey = (rows["survey_rank"].astype(float) - 1) / rows["survey_family_size"].astype(float)
    gaps = [
        ((rows[f"{m}_rank"].astype(float) - 1) / rows[f"{m}_family_size"].astype(float) - survey)
        .abs()
        .fillna(0)
        for m, _, _ in _SOURCES
    ]
    return pd.concat(gaps, axis=1).max(axis=1)


def _ranked(row: Any, suppress_max: int) -> str:
    """Each source's rank among related themes, with its count and denominator."""
    parts = []
    for method, name, people in _SOURCES:
        n, base = int(getattr(row, f"{method}_n")), int(getattr(row, f"{method}_base"))
        if getattr(row, f"{method}_prompted"):
            said = people_count(n, people, suppress_max=suppress_max, base=base, plural=people)
            parts.append(f"{name}: prompted by the topic guide, {said}")
        elif pd.notna(getattr(row, f"{method}_rank")):
            parts.append(
                f"{name} rank it {int(getattr(row, f'{method}_rank'))} of "
                f"{int(getattr(row, f'{method}_family_size'))}, "
                + people_count(n, people, suppress_max=suppress_max, base=base, plural=people)
            )
    parts.append(
        f"the survey {int(row.survey_rank)} of {int(row.survey_family_size)}, "
        f"{row.survey_pct:.0%} of {int(row.survey_base)} respondents"
    )
    return "; ".join(parts)


def targets_text(study: Study) -> str:
    """What the sample table compares with: the protocol's range of sites, from study.yml."""
    from evstudy.fieldwork import study_targets

    targets = study_targets(study)
    low, high = targets.get("sites_min"), targets.get("sites_max")
    nouns = plural_noun(study.site_noun)
    if low and high and low != high:
        aimed = f"{low} to {high} {nouns}"
    elif low or high:
        aimed = plural(int(low or high), study.site_noun)
    else:
        return "What fieldwork achieved against the targets the protocol set."
    return (
        f"What fieldwork achieved against the targets the protocol set ({aimed}; the row for "
        f"{nouns} compares with the smallest number)."
    )


def sample_against_targets(
    study: Study, *, targets: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """What fieldwork achieved against the protocol's targets.

    Parameters
    ----------
    study : Study
    targets : mapping, optional
        Target counts (``interviews``, ``expert_interviews``, ``focus_groups``,
        ``focus_group_size``, ``survey_responses``, ``sites_min``, ``sites_max``). Default:
        those study.yml sets (via the ingest report); a measure without one has no target.
        See :func:`evstudy.fieldwork.study_targets`.

    Returns
    -------
    DataFrame
        measure, target, achieved, pct (achieved / target; the site row against the
        smallest number of sites the protocol aimed for). The rows and counts of
        :func:`evstudy.fieldwork.fieldwork_progress`, labelled for the report.
    """
    from evstudy.fieldwork import MEASURES, fieldwork_progress

    progress = fieldwork_progress(study, targets=targets)
    nouns = plural_noun(study.site_noun)
    labels = {**MEASURES, "sites": f"{nouns[:1].upper()}{nouns[1:]} (sites)"}
    out = progress[["measure", "target", "achieved", "pct"]].copy()
    out["measure"] = out["measure"].map(labels)
    return out


def top_choices(choices: pd.DataFrame, noun: str, *, n: int = 3) -> str:
    """The options of a multiple-choice question chosen most often, in a sentence.

    Parameters
    ----------
    choices : DataFrame
        :func:`evstudy.survey.choice_table`'s ranking (option, base, pct), most chosen first.
    noun : str
        What an option is ("barrier"), for "The barrier chosen most often was ...".
    n : int, default 3
        How many options to name; fewer when the question offered fewer.

    Examples
    --------
    >>> table = pd.DataFrame({"option": ["A", "B"], "base": [40, 40], "pct": [0.5, 0.25]})
    >>> top_choices(table, "barrier")
    'The barrier chosen most often was *A* (50% of 40 respondents), then *B* (25%).'
    """
    top = choices.head(n)
    if top.empty:
        return f"No respondent answered the question on the {noun}s."
    first = top.iloc[0]
    then = [f"*{r.option}* ({pct(r.pct)})" for r in top.iloc[1:].itertuples()]
    return fill(
        "The {noun} chosen most often was *{option}* ({share:pct} of {base} respondents){then}.",
        noun=noun,
        option=first["option"],
        share=first["pct"],
        base=int(first["base"]),
        then=f", then {listing(then)}" if then else "",
    )
