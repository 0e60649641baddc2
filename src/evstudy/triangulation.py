"""The triangulation joint display: interviews, focus groups and the survey, theme by theme.

A joint display (Guetterman, Fetters & Creswell 2015) sets what each method found about a
theme side by side; a convergence code (Farmer et al. 2006) says how they relate. Each row
here is one code of the codebook: what share of interviewees and, in a separate column, of
focus-group participants were coded to it, and the survey statistic that asks about the
same thing (the option or grid item the question map ties to the code) with its Wilson 95%
interval. Every source counts the study's headline population only (study.yml
``population:``); the role groups outside it (experts in the demo) have a column of their
own and never count toward convergence.

The convergence code comes from explicit rules (:data:`RULES`), applied the same way to
every row, and compares like with like: each source places a theme against the other
themes the same survey question asks about (its *family*; codes the survey does not ask
about are compared with the other codes of their theme), ``high`` when the theme's 95%
interval lies above the family's median share, ``low`` when it lies below, ``typical``
otherwise, with its rank in the family beside. Only these directions are compared across
sources, never shares from different questions, and interviews and focus groups are never
pooled: each is compared with the survey on its own (:func:`apply_rules`).

A code the codebook declares ``prompted`` for a method (its topic guide asks about it by
name) is shown as prompted in that method's column: it has no tier or rank there, does not
move the family's median and does not count toward convergence. Codes whose inter-coder
kappa is below the study's threshold (study.yml ``reliability: kappa_threshold``, default
0.6) carry ``low_reliability`` and the mark :data:`LOW_RELIABILITY` in the table.

A researcher can override any row in a small YAML file (see :func:`read_overrides`); the
rule's code is kept beside the override and the reason.

The rapid evidence review is a fourth column. A handful of sources has no shares or
intervals, so the literature's tier counts sources instead: ``high`` when at least
:data:`LITERATURE_MIN_SOURCES` included sources have a finding coded to the theme,
``typical`` when one does. Its own convergence code (:data:`LITERATURE_RULES`) sets it
against the fieldwork's direction (``qual_tier``: high or low when a method places the theme
there and none at the other end), with the same four codes; the
three-strand ``convergence`` is left as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from evstudy.coding import _coder_filter, coded_segments
from evstudy.disclosure import wilson
from evstudy.io.overrides import CONVERGENCE, OVERRIDES_FILE, read_overrides
from evstudy.matrices import TRANSCRIPT_METHODS, exemplars, page_exclusions
from evstudy.reliability import KAPPA_THRESHOLD, study_kappa_threshold

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = [
    "CONVERGENCE",
    "LITERATURE_MIN_SOURCES",
    "LITERATURE_RULES",
    "LOW_RELIABILITY",
    "LOW_RELIABILITY_NOTE",
    "OVERRIDES_FILE",
    "RULES",
    "TIERS",
    "apply_rules",
    "convergence_summary",
    "headline_method_counts",
    "joint_display",
    "joint_display_table",
    "literature_evidence",
    "literature_rules_text",
    "read_overrides",
    "rules_text",
    "study_overrides",
    "survey_evidence",
]

TIERS = ("high", "typical", "low")
QUALITATIVE = ("interview", "focus_group")
RULES = (
    "**Like with like**: each source is compared only with itself. Interviews, focus groups "
    "and the survey each place a theme against the related themes of the same source (those "
    "the same survey question asks about, else the other codes of its theme): *above* when "
    "its 95% interval lies above their median share, *below* when under it, *typical* "
    "otherwise; its rank among them is shown beside. Directions are then compared, never "
    "shares from different questions. Interviews and focus groups are separate columns, "
    "never pooled. Each counts the headline population only; role groups outside it are "
    "shown apart and do not count.",
    "**Prompted mentions**: a method whose topic guide asks about the code by name (the "
    "codebook's `prompted:`) reports its mentions as prompted; they are not prevalence and "
    "take no part in the comparison.",
    "**Silence**: the survey has no question on the theme, no interviewee or focus-group "
    "participant was coded to it unprompted, or every method was prompted about it.",
    "**Dissonance**: the interviews or the focus groups place the theme at one end and the "
    "survey at the other: one clearly above its related themes, the other clearly below.",
    "**Agreement**: every method that counts places it in the survey's tier.",
    "**Partial agreement**: anything else: one source places the theme clearly above or "
    "below and another does not.",
)
LITERATURE_MIN_SOURCES = 2
LITERATURE_RULES = (
    "**Silence**: no included source of the review has a finding coded to the theme, or no "
    "interviewee or focus-group participant was coded to it.",
    "**Dissonance**: the literature gives the theme weight (at least "
    f"{LITERATURE_MIN_SOURCES} included sources) while the interviews and focus groups "
    "(pooled) place it clearly below its family's median.",
    "**Agreement**: the literature gives it weight and the fieldwork places it clearly "
    "above its family's median, or one source raises it and the fieldwork places it "
    "about as often as related themes.",
    "**Partial agreement**: anything else: the literature gives the theme weight and the "
    "fieldwork does not clearly, or a single source raises what the fieldwork places "
    "clearly above or below.",
)
QUALITY_ORDER = ("high", "moderate", "low")
# The mark a weakly reliable code carries in every table that reports a finding on it.
LOW_RELIABILITY = "†"
LOW_RELIABILITY_NOTE = (
    "† Inter-coder agreement on this code is below the study's kappa threshold "
    "(or could not be computed): read its finding with caution."
)
TIER_WORDS = {
    "high": "more than for most related themes",
    "typical": "about as often as related themes",
    "low": "less than for most related themes",
}


def rules_text(*, kappa_threshold: float = KAPPA_THRESHOLD) -> str:
    """The convergence rules as a Markdown list, for the report's methods section.

    Parameters
    ----------
    kappa_threshold : float, default 0.6
        The study's reliability threshold, named in the note on flagged codes.
    """
    rules = [f"{i}. {rule}" for i, rule in enumerate(RULES, 1)]
    rules.append(
        f"{len(RULES) + 1}. **Reliability**: a code whose Cohen's kappa is below "
        f"{kappa_threshold:g} (or could not be computed) is marked {LOW_RELIABILITY} wherever "
        "it feeds a finding; its convergence code stands, but rests on weakly reliable coding."
    )
    return "\n".join(rules)


def literature_rules_text() -> str:
    """The literature's convergence rules as a Markdown list."""
    return "\n".join(f"{i}. {rule}" for i, rule in enumerate(LITERATURE_RULES, 1))


def literature_evidence(study: Study) -> pd.DataFrame:
    """What the review's included sources say about each code.

    Parameters
    ----------
    study : Study

    Returns
    -------
    DataFrame
        code_id, n (included sources with a finding coded to it), base (included sources),
        quality (the appraisals behind it, best first, e.g. "high, moderate"), sources
        (short citations joined by "; "); one row per code with a finding, codebook order.
        Empty when the study has no review.
    """
    columns = ["code_id", "n", "base", "quality", "sources"]
    sources = getattr(study, "review_sources", pd.DataFrame())
    findings = getattr(study, "review_findings", pd.DataFrame())
    if not len(sources) or not len(findings):
        return pd.DataFrame(columns=columns)
    included = sources[sources["decision"] == "included"].assign(
        short=lambda f: [
            _short_citation(c, y) for c, y in zip(f["citation"], f["year"], strict=True)
        ],
        rank=lambda f: f["quality"].map({q: i for i, q in enumerate(QUALITY_ORDER)}),
    )
    hits = findings[["code_id", "source_id"]].drop_duplicates()
    hits = hits.merge(included, on="source_id").sort_values(["rank", "source_id"])
    grouped = hits.groupby("code_id", sort=False)
    out = pd.DataFrame(
        {
            "n": grouped["source_id"].nunique(),
            "quality": grouped["quality"].agg(lambda q: ", ".join(dict.fromkeys(q))),
            "sources": grouped["short"].agg("; ".join),
        }
    )
    out.insert(1, "base", len(included))
    order = {c: i for i, c in enumerate(study.codebook["code_id"])}
    out = out.rename_axis("code_id").reset_index()
    return out.sort_values("code_id", key=lambda c: c.map(order), ignore_index=True)[columns]


def _short_citation(citation: str, year: Any) -> str:
    """The author part of a citation with its year: "Atkins et al. (2017)"."""
    head = str(citation).split("(")[0].strip(" ,")
    head = head if head.endswith(" al.") else head.rstrip(".")
    words = head.split()
    head = " ".join(words[:5]) + " …" if len(words) > 8 else head  # a title, not authors
    return f"{head} ({'n.d.' if pd.isna(year) else int(year)})"


def _literature_convergence(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The literature's code and reason for every row (see LITERATURE_RULES)."""
    lit, qual = rows["literature_tier"], rows["qual_tier"].fillna("typical")
    no_lit = rows["literature_n"] == 0
    no_qual = rows["qual_n"] == 0
    opposite = (lit == "high") & (qual == "low")
    same = ((lit == "high") & (qual == "high")) | ((lit == "typical") & (qual == "typical"))
    code = np.select(
        [no_lit, no_qual, opposite, same],
        ["silence", "silence", "dissonance", "agreement"],
        "partial agreement",
    )
    weight = np.where(lit == "high", "the literature gives it weight", "a single source raises it")
    reason = np.select(
        [no_lit, no_qual],
        [
            "no included source has a finding on it",
            "no interviewee or focus-group participant was coded to it",
        ],
        pd.Series(weight, index=rows.index) + ", the fieldwork places it " + qual,
    )
    return pd.Series(code, index=rows.index), pd.Series(reason, index=rows.index)


def survey_evidence(study: Study, *, outside: Sequence[str] = ()) -> pd.DataFrame:
    """The survey statistic for every code a survey option or grid item is tied to.

    For a multiple-choice option it is the share of respondents to the question who chose
    it (an option offered but chosen by nobody is 0 of them); for a grid item, the share who
    gave one of the scale's positive answers (for example "A lot" or "A great deal").

    Parameters
    ----------
    study : Study
    outside : sequence of str, default ()
        Role groups left out (study.yml ``population: outside:``), so that the survey
        describes the same population as the interviews and focus groups it is set against.

    Returns
    -------
    DataFrame
        code_id, question_id, item_id, statistic (what the share counts, in words), n, base,
        pct, ci_low, ci_high (Wilson 95%); one row per code, questionnaire order.
    """
    cols = ["code_id", "question_id", "item_id", "statistic", "n", "base", "pct"]
    questions = study.survey_questions
    answers = study.survey_answers
    answers = answers[answers["value"].notna()]
    if len(outside) and len(answers):
        people = study.survey_respondents.set_index("respondent_id")["role_group"]
        answers = answers[~answers["respondent_id"].map(people).isin(list(outside))]
    options = study.survey_options
    if questions.empty or answers.empty:  # no survey, or no responses: nothing to pair
        empty = pd.DataFrame(columns=[*cols, "ci_low", "ci_high"])
        return empty.astype({"n": "int64", "base": "int64", "pct": "float64"})
    kinds = questions.drop_duplicates("question_id").set_index("question_id")["type"]
    answers = answers.assign(type=answers["question_id"].map(kinds))
    multi = answers[answers["type"] == "multi"]
    bases = multi.groupby("question_id")["respondent_id"].nunique()
    picks = multi.groupby(["question_id", "value"])["respondent_id"].nunique()
    # Every coded option of an answered question, so one that nobody chose counts 0.
    offered = options[options["question_id"].isin(bases.index) & options["code"].notna()]
    offered = offered.sort_values(["question_id", "position"], kind="stable")
    chosen = pd.DataFrame(
        {
            "code": offered["code"].to_numpy(),
            "question_id": offered["question_id"].to_numpy(),
            "n": picks.reindex(pd.MultiIndex.from_frame(offered[["question_id", "option"]]))
            .fillna(0)
            .to_numpy(),
            "item_id": offered["option"].to_numpy(),
        }
    )
    chosen["base"] = chosen["question_id"].map(bases)
    chosen["statistic"] = "chose it"
    grid = answers[(answers["type"] == "grid") & answers["code"].notna()]
    positive = options[options["valence"] == "positive"]
    grid = grid.assign(
        positive=pd.MultiIndex.from_frame(grid[["question_id", "value"]]).isin(
            pd.MultiIndex.from_frame(positive[["question_id", "option"]])
        )
    )
    rated = (
        grid.groupby(["code", "question_id", "item_id"], sort=False)
        .agg(n=("positive", "sum"), base=("respondent_id", "nunique"))
        .reset_index()
    )
    words = positive.groupby("question_id", sort=False)["option"].agg(" or ".join)
    rated["statistic"] = "answered " + rated["question_id"].map(words)
    out = pd.concat([rated, chosen], ignore_index=True).rename(columns={"code": "code_id"})
    position = questions.drop_duplicates("question_id").set_index("question_id")["position"]
    out = out.assign(_q=out["question_id"].map(position)).sort_values("_q", kind="stable")
    out = out.drop_duplicates("code_id").astype({"n": "int64", "base": "int64"})
    out["pct"] = out["n"] / out["base"]
    out["ci_low"], out["ci_high"] = wilson(out["n"], out["base"])
    return out[[*cols, "ci_low", "ci_high"]].reset_index(drop=True)


def _qualitative(
    study: Study,
    coder: str | None,
    methods: Sequence[str],
    *,
    outside: Sequence[str],
    inside: bool = True,
    prompted: pd.Series | None = None,
) -> pd.DataFrame:
    """Participants of ``methods`` coded to each code, over those with any coding.

    ``inside`` keeps the headline population (role groups not in ``outside``); otherwise
    only the role groups outside it. ``prompted`` (code_id -> methods) leaves out of the
    counts (not the base) the mentions a method's topic guide asked for.
    """
    frame = _coder_filter(study, coded_segments(study), coder)
    frame = frame[(frame["speaker_role"] == "participant") & frame["method"].isin(methods)]
    apart = frame["role_group"].isin(list(outside))
    frame = frame[~apart] if inside else frame[apart]
    counted = frame
    if prompted is not None and len(frame):
        asked = [
            m in prompted.get(c, ()) for c, m in zip(frame["code_id"], frame["method"], strict=True)
        ]
        counted = frame[~np.asarray(asked, dtype=bool)]
    n = counted.groupby("code_id")["participant_id"].nunique()
    return pd.DataFrame({"n": n, "base": frame["participant_id"].nunique()})


def headline_method_counts(
    study: Study, *, coder: str | None = "primary"
) -> dict[str, dict[str, int]]:
    """The joint display's counts by method: code -> method -> headline participants coded.

    The counts :func:`joint_display` prints ("k of b interviewees"), for the publication
    ledger (:func:`evstudy.disclosure.publication_ledger`), which decides whether each
    may be printed.
    """
    outside = list(study.population.get("outside", []))
    out: dict[str, dict[str, int]] = {}
    for method in QUALITATIVE:
        found = _qualitative(study, coder, [method], outside=outside, inside=True)
        for code, n in found["n"].items():
            out.setdefault(str(code), {})[method] = int(n)
    return out


def _tier(pct: pd.Series, low: pd.Series, high: pd.Series, family: pd.Series) -> pd.Series:
    """high / low when the interval clears the family's median share, else typical.

    A NaN share (not asked, or prompted) has no tier and does not move the median.
    """
    median = pct.groupby(family).transform("median")
    tier = np.select([low > median, high < median], ["high", "low"], "typical")
    return pd.Series(tier, index=pct.index).where(pct.notna())


def _rank(pct: pd.Series, family: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each share's rank in its family (1 = the largest; ties share the best rank) and the
    number of ranked shares in the family; NaN shares are not ranked."""
    rank = pct.groupby(family).rank(method="min", ascending=False)
    size = pct.groupby(family).transform("count")
    return rank.astype("Int64"), size.where(pct.notna()).astype("Int64")


OPPOSITE = {("high", "low"), ("low", "high")}


def _fieldwork_tier(rows: pd.DataFrame) -> pd.Series:
    """The conversational methods' direction, from their own tiers (never pooled shares).

    ``high`` or ``low`` when at least one method places the theme there and none at the
    other end, ``typical`` when every method that counts does, ``mixed`` when methods point
    opposite ways; NaN when no method counts (none asked, or every one prompted).
    """
    tiers = rows[[f"{m}_tier" for m in QUALITATIVE]]
    high = tiers.eq("high").any(axis=1)
    low = tiers.eq("low").any(axis=1)
    counted = tiers.notna().any(axis=1)
    out = np.select([high & low, high, low, counted], ["mixed", "high", "low", "typical"], "")
    return pd.Series(out, index=rows.index).replace("", np.nan)


def apply_rules(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The convergence code of every row and its reason, by :data:`RULES`.

    Parameters
    ----------
    rows : DataFrame
        One row per theme with, for ``interview`` and ``focus_group``: ``*_n``, ``*_base``,
        ``*_prompted`` (bool), ``*_tier`` (``high``, ``typical``, ``low`` or NaN when not
        counted), ``*_rank`` and ``*_family_size``; and ``survey_base``, ``survey_tier``,
        ``survey_rank``, ``survey_family_size``. Shares never enter: only directions do.

    Returns
    -------
    (Series, Series)
        The code (one of :data:`CONVERGENCE`) and the reason in words, on ``rows``' index.
    """
    survey = rows["survey_tier"]
    no_survey = rows["survey_base"].isna() | (rows["survey_base"] == 0)
    counts = [
        rows[f"{m}_n"].where(~rows[f"{m}_prompted"] & (rows[f"{m}_base"] > 0), 0)
        for m in QUALITATIVE
    ]
    all_prompted = np.logical_and.reduce(
        [rows[f"{m}_prompted"] | (rows[f"{m}_base"] == 0) for m in QUALITATIVE]
    )
    no_qual = sum(counts) == 0
    opposite = np.logical_or.reduce(
        [
            pd.Series(list(zip(rows[f"{m}_tier"], survey, strict=True)), index=rows.index).isin(
                OPPOSITE
            )
            for m in QUALITATIVE
        ]
    )
    tiers = rows[[f"{m}_tier" for m in QUALITATIVE]]
    same = tiers.notna().any(axis=1) & tiers.apply(
        lambda r: all(t == survey[r.name] for t in r.dropna()), axis=1
    )
    code = np.select(
        [no_survey, all_prompted, no_qual, opposite, same],
        ["silence", "silence", "silence", "dissonance", "agreement"],
        "partial agreement",
    )
    placed = [_placed(r) for r in rows.itertuples()]
    reason = np.select(
        [no_survey, all_prompted, no_qual],
        [
            "the survey did not ask about it",
            "the topic guide asked about it in every method, so mentions are not prevalence",
            "no interviewee or focus-group participant was coded to it unprompted",
        ],
        pd.Series(placed, index=rows.index),
    )
    return pd.Series(code, index=rows.index), pd.Series(reason, index=rows.index)


def _placed(row: Any) -> str:
    """Where each source places the theme, rank and direction, with its denominator."""
    parts = []
    for method, noun in (("interview", "interviews"), ("focus_group", "focus groups")):
        if getattr(row, f"{method}_prompted"):
            parts.append(f"{noun}: prompted, not counted")
        elif pd.notna(getattr(row, f"{method}_tier")):
            parts.append(f"{noun} {_rank_words(row, method)}")
    if pd.notna(row.survey_tier):
        parts.append(f"the survey {_rank_words(row, 'survey')}")
    return "; ".join(parts)


def _rank_words(row: Any, source: str) -> str:
    tier, rank, size = (getattr(row, f"{source}_{c}") for c in ("tier", "rank", "family_size"))
    where = f"{tier} (rank {int(rank)} of {int(size)})" if pd.notna(rank) else str(tier)
    return where


def _source_text(n: Any, base: Any, noun: str, tier: Any, prompted: bool = False) -> str:
    if pd.isna(base) or base == 0:
        return f"no {noun}s"
    if isinstance(n, str):  # withheld ("c"): neither the count nor its share
        text = f"{n} of {int(base)} {noun}s"
        return (
            f"{text}, prompted by the topic guide: not counted as prevalence" if prompted else text
        )
    text = f"{int(n)} of {int(base)} {noun}s ({n / base:.0%})"
    if prompted:
        return f"{text}, prompted by the topic guide: not counted as prevalence"
    return f"{text}: {TIER_WORDS[tier]}" if isinstance(tier, str) and n else text


def _listlike(value: Any) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _kappas(study: Study, *, threshold: float) -> pd.DataFrame:
    """Each code's kappa and whether it is below ``threshold``; empty without double coding."""
    from evstudy.reliability import reliability_table

    codings = study.codings
    if codings.empty or codings["coder"].nunique() < 2:
        return pd.DataFrame(columns=["kappa", "below_threshold"])
    table = reliability_table(study, threshold=threshold)
    table = table[table["code_id"] != "overall"]
    return table.set_index("code_id")[["kappa", "below_threshold"]]


def joint_display(
    study: Study,
    *,
    coder: str | None = "primary",
    overrides: pd.DataFrame | None = None,
    codes: Sequence[str] | None = None,
    kappa_threshold: float | None = None,
) -> pd.DataFrame:
    """The joint display: one row per code, each method's finding and a convergence code.

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"
        Whose codings count (see :func:`evstudy.code_matrix`).
    overrides : DataFrame, optional
        Researcher overrides from :func:`read_overrides` (code_id, convergence, reason).
    codes : sequence of str, optional
        Keep these code or theme ids only (a theme keeps every code below it).
    kappa_threshold : float, optional
        Codes whose kappa is below it are flagged ``low_reliability``; default the study's
        (study.yml ``reliability: kappa_threshold``, else 0.6).

    Returns
    -------
    DataFrame
        theme_id, theme, code_id, label; for ``interview`` and ``focus_group``, each on its
        own: ``*_n`` (headline-population participants coded), ``*_base`` (those of that
        method with any coding), ``*_pct``, ``*_prompted`` (the codebook's ``prompted``
        names the method), ``*_tier``, ``*_rank`` and ``*_family_size`` (NaN when prompted);
        ``qual_n``, ``qual_base``, ``qual_pct`` (participants of either method coded
        unprompted: for "was it raised at all", never for convergence) and ``qual_tier`` (the
        two methods' direction: high or low when one places it there and none at the other
        end, typical, or mixed); ``outside_n``, ``outside_base``, ``outside_pct`` (the role
        groups outside the headline population, any transcript method; never counted); the
        survey's question_id, item_id, statistic, survey_n, survey_base, survey_pct, ci_low,
        ci_high, survey_tier, survey_rank, survey_family_size (the survey also counts the
        headline population only); family (what the theme is compared with); kappa and
        low_reliability (below ``kappa_threshold``, or undefined); rule (the rules' code),
        convergence (the code shown: the override when there is one), overridden, reason;
        the review's literature_n (included sources with a finding on it), literature_base,
        literature_quality, literature_sources, literature_tier and literature_convergence
        with its literature_reason (see :data:`LITERATURE_RULES`); an exemplar quote and its
        attribution from each qualitative method (``interview_quote``, ...); and the display
        texts ``interviews``, ``focus_groups``, ``outside``, ``survey``, ``literature``.
        Codebook order.
    """
    if kappa_threshold is None:
        kappa_threshold = study_kappa_threshold(study)
    book = study.codebook
    leaves = book[book["parent_id"].notna()]
    if "status" in leaves:
        leaves = leaves[leaves["status"].fillna("active") == "active"]
    if codes is not None:
        from evstudy.coding import expand_codes

        wanted = set(expand_codes(study, codes))
        leaves = leaves[leaves["code_id"].isin(wanted)]
    themes = book.set_index("code_id")["label"]
    out = leaves[["theme_id", "code_id", "label"]].reset_index(drop=True)
    out.insert(1, "theme", out["theme_id"].map(themes))
    outside = list(study.population.get("outside", []))
    survey = survey_evidence(study, outside=outside).set_index("code_id")
    out = out.join(survey, on="code_id").rename(
        columns={"n": "survey_n", "base": "survey_base", "pct": "survey_pct"}
    )
    out["family"] = out["question_id"].fillna("theme " + out["theme_id"])
    prompted = leaves.set_index("code_id").get("prompted", pd.Series(dtype=object))
    prompted = out["code_id"].map(prompted).map(lambda v: () if not _listlike(v) else tuple(v))
    by_code = pd.Series(prompted.to_numpy(), index=out["code_id"])
    for source, methods, inside in (
        ("interview", ["interview"], True),
        ("focus_group", ["focus_group"], True),
        ("qual", list(QUALITATIVE), True),
        ("outside", list(TRANSCRIPT_METHODS), False),
    ):
        found = _qualitative(
            study,
            coder,
            methods,
            outside=outside,
            inside=inside,
            prompted=by_code if source == "qual" else None,
        )
        n = out["code_id"].map(found["n"]).fillna(0).astype("int64")
        base = int(found["base"].iloc[0]) if len(found) else 0
        out[f"{source}_n"], out[f"{source}_base"] = n, base
        out[f"{source}_pct"] = n / base if base else np.nan
        if source not in QUALITATIVE:
            continue
        # A mention the topic guide asked for is an answer, not prevalence: no tier or rank.
        out[f"{source}_prompted"] = prompted.map(lambda p, m=source: m in p)
        counted = out[f"{source}_pct"].where(~out[f"{source}_prompted"])
        low, high = wilson(n, pd.Series(base, index=n.index))
        out[f"{source}_tier"] = _tier(counted, low, high, out["family"])
        out[f"{source}_rank"], out[f"{source}_family_size"] = _rank(counted, out["family"])
    out["qual_tier"] = _fieldwork_tier(out)
    asked = out["survey_base"].notna()
    out["survey_tier"] = _tier(
        out["survey_pct"].where(asked), out["ci_low"], out["ci_high"], out["family"]
    )
    out["survey_rank"], out["survey_family_size"] = _rank(
        out["survey_pct"].where(asked), out["family"]
    )
    out[["survey_n", "survey_base"]] = out[["survey_n", "survey_base"]].astype("Int64")
    kappa = _kappas(study, threshold=kappa_threshold)
    out["kappa"] = out["code_id"].map(kappa["kappa"]).astype("float64")
    below = {code for code, low in kappa["below_threshold"].items() if not pd.isna(low) and low}
    out["low_reliability"] = out["code_id"].isin(below)
    out["rule"], out["reason"] = apply_rules(out)
    out["convergence"], out["overridden"] = out["rule"], False
    if overrides is not None and len(overrides):
        _check_overrides(overrides, out["code_id"])
        chosen = overrides.set_index("code_id")
        hit = out["code_id"].isin(chosen.index)
        out.loc[hit, "convergence"] = out.loc[hit, "code_id"].map(chosen["convergence"])
        out.loc[hit, "reason"] = "researcher's override: " + out.loc[hit, "code_id"].map(
            chosen["reason"]
        )
        out["overridden"] = hit
    lit = literature_evidence(study).set_index("code_id")
    base = int(lit["base"].iloc[0]) if len(lit) else _included(study)
    out["literature_n"] = out["code_id"].map(lit["n"]).fillna(0).astype("int64")
    out["literature_base"] = base
    out["literature_quality"] = out["code_id"].map(lit["quality"]).astype(object)
    out["literature_sources"] = out["code_id"].map(lit["sources"]).astype(object)
    tier = np.where(out["literature_n"] >= LITERATURE_MIN_SOURCES, "high", "typical")
    out["literature_tier"] = pd.Series(tier, index=out.index).where(out["literature_n"] > 0)
    out["literature_convergence"], out["literature_reason"] = _literature_convergence(out)
    out["literature"] = [
        f"{n} of {b} included sources ({q} quality): {s}" if n else "no included source"
        for n, b, q, s in zip(
            out["literature_n"],
            out["literature_base"],
            out["literature_quality"],
            out["literature_sources"],
            strict=True,
        )
    ]
    # Apart from the quotes the main page's findings show (the same words once a page).
    quotes = exemplars(
        study,
        by=["method", "code_id"],
        methods=QUALITATIVE,
        coder=coder,
        exclude=page_exclusions(study, "joint_display", coder=coder),
    )
    for method in QUALITATIVE:
        best = quotes[quotes["method"] == method].set_index("code_id")
        out[f"{method}_quote"] = out["code_id"].map(best["quote"]).astype(object)
        out[f"{method}_attribution"] = out["code_id"].map(best["attribution"]).astype(object)
    # Counts of people the publication ledger withholds are "c", without their share.
    from evstudy.disclosure import MARKER, hidden_keys, population_keys

    hidden = hidden_keys(study)
    keys = {c: population_keys(study, c) for c in out["code_id"]}
    for method, column, noun in (
        ("interview", "interviews", "interviewee"),
        ("focus_group", "focus_groups", "focus-group participant"),
    ):
        out[column] = [
            _source_text(MARKER if keys[c].get(method) in hidden else n, b, noun, t, p)
            for c, n, b, t, p in zip(
                out["code_id"],
                out[f"{method}_n"],
                out[f"{method}_base"],
                out[f"{method}_tier"],
                out[f"{method}_prompted"],
                strict=True,
            )
        ]
    words = _outside_words(study)
    out["outside"] = [
        f"{MARKER} of {b} {words}"
        if b and keys[c]["outside"] in hidden
        else f"{n} of {b} {words} ({n / b:.0%})"
        if b
        else f"no {words}"
        for c, n, b in zip(out["code_id"], out["outside_n"], out["outside_base"], strict=True)
    ]
    out["survey"] = [
        "not asked" if pd.isna(b) else f"{p:.0%} {s} (95% CI {lo:.0%} to {hi:.0%}; n = {int(b)})"
        for p, s, lo, hi, b in zip(
            out["survey_pct"],
            out["statistic"],
            out["ci_low"],
            out["ci_high"],
            out["survey_base"],
            strict=True,
        )
    ]
    return out[_COLUMNS]


_COLUMNS = [
    "theme_id",
    "theme",
    "code_id",
    "label",
    *[
        f"{s}_{c}"
        for s in QUALITATIVE
        for c in ("n", "base", "pct", "prompted", "tier", "rank", "family_size")
    ],
    "qual_n",
    "qual_base",
    "qual_pct",
    "qual_tier",
    "outside_n",
    "outside_base",
    "outside_pct",
    "question_id",
    "item_id",
    "statistic",
    "survey_n",
    "survey_base",
    "survey_pct",
    "ci_low",
    "ci_high",
    "survey_tier",
    "survey_rank",
    "survey_family_size",
    "family",
    "kappa",
    "low_reliability",
    "rule",
    "convergence",
    "overridden",
    "reason",
    "literature_n",
    "literature_base",
    "literature_quality",
    "literature_sources",
    "literature_tier",
    "literature_convergence",
    "literature_reason",
    "interview_quote",
    "interview_attribution",
    "focus_group_quote",
    "focus_group_attribution",
    "interviews",
    "focus_groups",
    "outside",
    "survey",
    "literature",
]


def _outside_words(study: Study) -> str:
    """How the role groups outside the headline population are named: "expert participants"."""
    labels = getattr(study, "role_group_labels", {}) or {}
    groups = [str(labels.get(g, g)) for g in study.population.get("outside", [])]
    named = " and ".join(g[:1].lower() + g[1:] for g in groups) or "outside"
    return f"{named} participants"


def _included(study: Study) -> int:
    sources = getattr(study, "review_sources", pd.DataFrame())
    return int((sources["decision"] == "included").sum()) if len(sources) else 0


def joint_display_table(display: pd.DataFrame) -> pd.DataFrame:
    """The joint display as the report shows it: one readable row per theme.

    Parameters
    ----------
    display : DataFrame
        The result of :func:`joint_display`.

    Returns
    -------
    DataFrame
        theme, code (its label, marked :data:`LOW_RELIABILITY` when its kappa is below the
        threshold), interviews and focus_groups (each finding with an exemplar quote and its
        attribution), outside (the role groups outside the headline population), survey,
        literature, convergence (with "(overridden)" and the rules' own code when a
        researcher overrode it), reason, literature_convergence (the literature against
        the fieldwork).
    """
    convergence = display["convergence"].where(
        ~display["overridden"],
        display["convergence"] + " (overridden; rules: " + display["rule"] + ")",
    )
    flagged = display.get("low_reliability", pd.Series(False, index=display.index))
    label = display["label"].where(~flagged.astype(bool), display["label"] + " " + LOW_RELIABILITY)
    return pd.DataFrame(
        {
            "theme": display["theme"],
            "code": label,
            "interviews": _with_quote(display, "interview"),
            "focus_groups": _with_quote(display, "focus_group"),
            "outside": display["outside"],
            "survey": display["survey"],
            "literature": display["literature"],
            "convergence": convergence,
            "reason": display["reason"],
            "literature_convergence": display["literature_convergence"],
        }
    ).reset_index(drop=True)


def _with_quote(display: pd.DataFrame, method: str) -> pd.Series:
    text = display["interviews" if method == "interview" else "focus_groups"]
    quote = display[f"{method}_quote"]
    cited = (
        text + ". “" + quote.fillna("") + "” (" + display[f"{method}_attribution"].fillna("") + ")"
    )
    return cited.where(quote.notna(), text)


def convergence_summary(display: pd.DataFrame) -> pd.DataFrame:
    """How many themes got each convergence code, with their labels.

    Returns
    -------
    DataFrame
        convergence, n, overridden (how many of them by a researcher), codes (labels,
        in codebook order); every code in :data:`CONVERGENCE` order, zeros included.
    """
    grouped = display.groupby("convergence", sort=False)
    out = pd.DataFrame(
        {
            "n": grouped.size(),
            "overridden": grouped["overridden"].sum(),
            "codes": grouped["label"].agg(list),
        }
    ).reindex(list(CONVERGENCE))
    out["n"] = out["n"].fillna(0).astype("int64")
    out["overridden"] = out["overridden"].fillna(0).astype("int64")
    out["codes"] = out["codes"].map(lambda v: v if isinstance(v, list) else [])
    return out.rename_axis("convergence").reset_index()


# --- researcher overrides ----------------------------------------------------------------------


def _check_overrides(overrides: pd.DataFrame, codes: pd.Series) -> None:
    missing = set(overrides.columns) ^ {"code_id", "convergence", "reason"}
    if missing:
        raise ValueError(
            "`overrides` must have the columns ['code_id', 'convergence', 'reason'] "
            f"(from read_overrides), but {sorted(overrides.columns)} was passed"
        )
    for value in overrides["code_id"]:
        if value not in set(codes):
            raise ValueError(
                f"`overrides` must name codes of the joint display, but {value!r} was passed"
            )
    for value in overrides["convergence"]:
        if value not in CONVERGENCE:
            raise ValueError(
                f"`convergence` must be one of {list(CONVERGENCE)}, but {value!r} was passed"
            )


def study_overrides(study: Study, *, raw: str | Path | None = None) -> pd.DataFrame:
    """The overrides file that was in the raw folder when the study was ingested.

    The processed tables do not carry the file, so it is read from the raw folder
    (``raw``, else ``$EVSTUDY_RAW``, else ``data/raw``) and checked against the digest the
    ingest report recorded, so a report never applies another study's overrides.

    Returns
    -------
    DataFrame
        As :func:`read_overrides`; empty when the study was ingested without the file.

    Raises
    ------
    InputError
        When the study was ingested with an overrides file that is not in the raw folder
        found, or has changed since.
    """
    from evstudy.io.overrides import read_ingested_overrides

    book = study.codebook
    return read_ingested_overrides(
        study.ingest_report.get("raw_sha256", {}),
        raw=raw,
        codes=book.loc[book["parent_id"].notna(), "code_id"],
    )
