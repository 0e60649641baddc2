"""Theme matrices: the framework matrix, the COM-B matrix and barrier-enabler co-occurrence.

A framework matrix (Gale et al. 2013) crosses cases with themes and summarises the coded
data in each cell. Here every cell is one tidy row: how many participants and coded
passages it holds and one short exemplar quote with its published attribution (from
:func:`evstudy.coding.quotes`, so it never names a pseudonym and never points at fewer
than ``quote_k`` people). The cases are sites, role groups or methods.

The COM-B matrix puts the codebook's barrier and enabler codes in the six COM-B
sub-components (Michie, van Stralen & West 2011) and sets the survey's barrier and
enabler choices beside the interview counts.

Counts use one coder's codings (the primary coder by default), so a double-coded
passage counts once. Counts of participants per theme are counts of coded data, not of
people by attribute, and are not suppressed (see the disclosure rule).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evstudy.codebook import COMB, VALENCES
from evstudy.coding import (
    _check_choice,
    _coder_filter,
    coded_segments,
    cooccurrence,
    published_words,
    quotes,
)
from evstudy.disclosure import wilson
from evstudy.filters import METHOD_LABELS, resolve, resolve_one
from evstudy.study import derived

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = [
    "COMB_LABELS",
    "METHOD_LABELS",
    "TRANSCRIPT_METHODS",
    "barrier_enabler_pairs",
    "comb_codes",
    "comb_matrix",
    "exemplars",
    "framework_matrix",
    "matrix_wide",
    "page_exclusions",
    "published_matrix",
    "site_comparison",
]

ROWS = ("site", "role_group", "method")
LEVELS = ("theme", "code")
TRANSCRIPT_METHODS = ("interview", "focus_group", "expert_interview")
COMB_LABELS = {c: c.replace("_", " ").capitalize() for c in COMB}
MIN_QUOTE = 40  # characters: shorter passages rarely make sense alone
MAX_QUOTE = 220  # characters: a matrix cell holds a short exemplar, not a paragraph
MATRIX_COLUMNS = [
    "row",
    "row_label",
    "code_id",
    "label",
    "participants",
    "base",
    "share",
    "segments",
    "quote",
    "attribution",
]


def _check_methods(study: Study, methods: Sequence[str]) -> list[str]:
    """Method ids from ids or labels ("Focus group"); evstudy's methods are accepted even
    when the study has none of their documents."""
    known = [*METHOD_LABELS, *sorted(set(study.documents["method"]) - set(METHOD_LABELS))]
    return resolve(study, "method", methods, label="methods", among=known)


def _all_methods(study: Study) -> list[str]:
    """The study's methods, in display order."""
    present = set(study.documents["method"])
    return [m for m in METHOD_LABELS if m in present] + sorted(present - set(METHOD_LABELS))


def _segments(study: Study, coder: str | None, methods: Sequence[str]) -> pd.DataFrame:
    """Coded passages of participants' and respondents' words, with theme and speaker."""
    frame = _coder_filter(study, coded_segments(study), coder)
    frame = frame[
        frame["speaker_role"].isin(["participant", "respondent"]) & frame["method"].isin(methods)
    ]
    themes = study.codebook.set_index("code_id")["theme_id"]
    return frame.assign(
        theme_id=frame["code_id"].map(themes),
        speaker=frame["participant_id"].fillna(frame["respondent_id"]),
    )


def _exemplars(
    study: Study,
    coder: str | None,
    methods: Sequence[str],
    max_chars: int,
    context: Sequence[str] = (),
) -> pd.DataFrame:
    """Every quotable passage, best exemplar first.

    Whole sentences before fragments, short passages before long ones, the least coarsened
    attribution first, then interviews, focus groups, expert interviews and survey free
    text, then a fixed hash of the text. With a ``context`` (the row or column a quote is
    shown in already says its site or role group), attributions are made safe together
    with it, and passages no attribution makes safe are left out. Computed once per study
    and arguments; the result is shared, so callers must not change it in place.
    """
    key = ("exemplars", coder, tuple(methods), max_chars, tuple(context))
    return derived(study, key, partial(_rank_exemplars, study, coder, methods, max_chars, context))


def _rank_exemplars(
    study: Study, coder: str | None, methods: Sequence[str], max_chars: int, context: Sequence[str]
) -> pd.DataFrame:
    found = quotes(study, context=list(context) or None, coder=coder)
    found = found[found["attribution"].notna()]
    found = found[found["method"].isin(methods)].drop_duplicates(["doc_id", "code_id", "text"])
    length = found["text"].str.len()
    themes = study.codebook.set_index("code_id")["theme_id"]
    found = found.assign(
        theme_id=found["code_id"].map(themes),
        # A passage that starts mid-sentence (a coder's span) reads badly out of context.
        _fragment=~found["text"].str.match(r"[\"'‘“A-Z0-9\[]"),
        _size=np.select([length > max_chars, length < MIN_QUOTE], [2, 1], 0),
        # Local staff's own words before experts' views of them, then survey free text.
        _method=found["method"].map({m: i for i, m in enumerate(METHOD_LABELS)}),
        # A fixed-key hash of the text breaks ties: stable across runs, and exemplars spread
        # over sites and people instead of all coming from the first document.
        _tie=pd.util.hash_pandas_object(found["text"], index=False).to_numpy(),
        # The words as a reader sees them: what "the same quote" means on a page.
        _key=found["text"].map(published_words),
    )
    order = ["_fragment", "_size", "attribution_level", "_method", "_tie"]
    return found.sort_values(order, kind="stable")


EXEMPLAR_KEYS = ("code_id", "theme_id", "site_id", "role_group", "method")
# quotes() context -> the exemplar key that reveals it.
CONTEXT_KEYS = {"site": "site_id", "role_group": "role_group"}


def exemplars(
    study: Study,
    *,
    by: Sequence[str] = ("code_id",),
    methods: Sequence[str] | None = None,
    coder: str | None = "primary",
    max_chars: int = MAX_QUOTE,
    n: int | None = 1,
    exclude: Iterable[str] = (),
    distinct: bool = True,
) -> pd.DataFrame:
    """Short exemplar quotes, with their published attributions, for each group of passages.

    The exemplar is the first passage in this order: whole sentences before fragments,
    passages of 40 to ``max_chars`` characters before others, the least coarsened
    attribution first, then interviews, focus groups, expert interviews and survey free
    text, then an arbitrary but fixed order (a hash of the text), so that exemplars come
    from many sites and people.

    Parameters
    ----------
    study : Study
    by : sequence of {"code_id", "theme_id", "site_id", "role_group", "method"}
        What one exemplar is chosen for, e.g. ``["site_id", "theme_id"]``.
    methods : sequence of str, optional
        Take passages from these methods only, by id or label ("Focus group"); default
        every method.
    coder : str or None, default "primary"
        Whose coded passages to take; an unknown coder is a ValueError.
    max_chars : int
    n : int or None, default 1
        Exemplars per group; None for every passage, best first.
    exclude : iterable of str, optional
        Quotes the page already shows (their text; case, spacing and punctuation aside):
        never chosen again, so the same words do not appear twice on one page.
    distinct : bool, default True
        Whether a quote is chosen for one group only: a passage coded to two codes is the
        exemplar of the group it ranks best in first, and the other group gets its next
        best. Groups are served in the order of their best passages.

    Returns
    -------
    DataFrame
        The ``by`` columns, quote, attribution (never a pseudonym); up to ``n`` rows per
        group that has a passage, best first.
    """
    by = [by] if isinstance(by, str) else list(by)
    for key in by:
        _check_choice("by", key, EXEMPLAR_KEYS)
    if methods is None:
        methods = _all_methods(study)
    # A quote shown in a site's or role group's cell tells the reader that too.
    context = [key for key, column in CONTEXT_KEYS.items() if column in by]
    ranked = _exemplars(study, coder, _check_methods(study, methods), max_chars, context)
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"`n` must be a whole number of at least 1 or None, but {n!r} was passed")
    ranked = ranked.dropna(subset=by)
    shown = {published_words(t) for t in exclude} - {""}
    ranked = ranked[~ranked["_key"].isin(shown)]
    keys = ranked["_key"]
    if distinct and n is None:
        ranked = ranked[~keys.duplicated()]
    if distinct and n is not None:
        taken: set[str] = set()
        counts: dict[tuple, int] = {}
        keep = []
        groups = ranked[by].itertuples(index=False, name=None)
        for i, group, key in zip(ranked.index, groups, keys, strict=True):
            if key in taken or counts.get(group, 0) >= n:
                continue
            taken.add(key)
            counts[group] = counts.get(group, 0) + 1
            keep.append(i)
        best = ranked.loc[keep]
    else:
        best = ranked if n is None else ranked.groupby(by, sort=False).head(n)
    best = best.rename(columns={"text": "quote"})[[*by, "quote", "attribution"]]
    return best.reset_index(drop=True)


# The report's main page shows exemplar quotes in several views: the findings' codes table,
# the joint display, the COM-B matrix and the framework matrices. Each view's quotes are
# chosen after, and apart from, those of the views before it in this order, so the same
# words never appear twice on the page, whichever of the views the page shows.
PAGE_VIEWS = ("codes", "joint_display", "comb", "site", "role_group", "method")


def page_exclusions(
    study: Study, view: str | None = None, *, coder: str | None = "primary"
) -> list[str]:
    """The quotes the main page's views before ``view`` show (all of them when None).

    Pass them as ``exclude`` to :func:`exemplars` for a new view of the same page; the
    views of :data:`PAGE_VIEWS` do this themselves when called with their defaults.

    Parameters
    ----------
    study : Study
    view : {"codes", "joint_display", "comb", "site", "role_group", "method"} or None
    coder : str or None, default "primary"
        The coder the views use.
    """
    if view is not None:
        _check_choice("view", view, PAGE_VIEWS)
    upto = PAGE_VIEWS.index(view) if view is not None else len(PAGE_VIEWS)
    out: list[str] = []
    for earlier in PAGE_VIEWS[:upto]:
        out += derived(
            study, ("page_quotes", earlier, coder), partial(_view_quotes, study, earlier, coder)
        )
    return out


def _view_quotes(study: Study, view: str, coder: str | None) -> list[str]:
    """The quotes one view of the main page shows, with the page's exclusions."""
    if view == "codes":
        from evstudy.sections import section_exemplars

        shown = section_exemplars(study, coder=coder)["quote"]
    elif view == "joint_display":
        shown = exemplars(
            study,
            by=["method", "code_id"],
            methods=("interview", "focus_group"),
            coder=coder,
            exclude=page_exclusions(study, view, coder=coder),
        )["quote"]
    elif view == "comb":
        if not {"comb", "valence"} <= set(study.codebook.columns):
            return []  # a codebook without COM-B has no COM-B matrix to show
        shown = comb_matrix(study, coder=coder)["quote"]
    else:
        shown = framework_matrix(study, rows=view, coder=coder)["quote"]
    return [q for q in shown if isinstance(q, str)]


def _row_order(study: Study, rows: str, present: pd.Index) -> pd.Series:
    """Row keys in display order, mapped to their labels."""
    if rows == "site":
        labels = study.sites.set_index("site_id")["site_name"]
    elif rows == "role_group":
        known = study.role_group_labels
        extra = sorted(set(present) - set(known))
        labels = pd.Series({**known, **{g: g.replace("_", " ").capitalize() for g in extra}})
    else:
        labels = pd.Series({m: METHOD_LABELS.get(m, m) for m in METHOD_LABELS})
        labels = pd.concat([labels, pd.Series({m: m for m in present if m not in labels})])
    return labels[labels.index.isin(present)]


def framework_matrix(
    study: Study,
    *,
    rows: str = "site",
    level: str = "theme",
    methods: Sequence[str] | None = None,
    coder: str | None = "primary",
    max_chars: int = MAX_QUOTE,
    exclude: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The framework matrix: cases (sites, role groups or methods) x themes, one row a cell.

    Parameters
    ----------
    study : Study
    rows : {"site", "role_group", "method"}, default "site"
        The cases.
    level : {"theme", "code"}, default "theme"
        Columns are themes (top-level codes, a theme counting every code below it) or codes.
    methods : sequence of str, optional
        Data to use, by id or label ("Focus group"). Default: the transcripts (interviews,
        focus groups, expert interviews) for sites and role groups, and every method,
        survey free text included, for methods.
        Expert interviewees have no site, so they never appear in the site matrix.
    coder : str or None, default "primary"
        Whose codings count (see :func:`evstudy.code_matrix`).
    max_chars : int
        The longest exemplar preferred; a longer passage is used only when a cell has no
        shorter one.
    exclude : iterable of str, optional
        Quotes never chosen (see :func:`exemplars`). Default: for the theme-level
        matrices the main page shows (default ``methods`` and ``max_chars``), the quotes
        of the page's views before it (:func:`page_exclusions`), so that no words appear
        twice on the page; none otherwise. ``()`` excludes nothing.

    Returns
    -------
    DataFrame
        One row per case and theme (every combination, in display and codebook order):
        ``row`` (site id, role group or method), ``row_label``, ``code_id`` (the theme or
        code), ``label``, ``participants`` (distinct participants, or survey respondents,
        coded to it), ``base`` (participants in the case with any coding), ``share``
        (participants / base), ``segments`` (coded passages), ``quote`` and
        ``attribution`` (None when the cell is empty).
    """
    _check_choice("rows", rows, ROWS)
    _check_choice("level", level, LEVELS)
    if methods is None:
        methods = _all_methods(study) if rows == "method" else TRANSCRIPT_METHODS
    methods = _check_methods(study, methods)
    shown = None if exclude is None else tuple(exclude)
    key = ("framework_matrix", rows, level, tuple(methods), coder, max_chars, shown)
    compute = partial(_framework_matrix, study, rows, level, methods, coder, max_chars, shown)
    return derived(study, key, compute).copy()


def _framework_matrix(
    study: Study,
    rows: str,
    level: str,
    methods: list[str],
    coder: str | None,
    max_chars: int,
    exclude: tuple[str, ...] | None,
) -> pd.DataFrame:
    key = {"site": "site_id", "role_group": "role_group", "method": "method"}[rows]
    unit = "theme_id" if level == "theme" else "code_id"
    frame = _segments(study, coder, methods).dropna(subset=[key])
    book = study.codebook
    is_theme = book["parent_id"].isna()
    columns = book[is_theme] if level == "theme" else book[~is_theme]
    labels = _row_order(study, rows, pd.Index(frame[key].unique()))
    grid = pd.MultiIndex.from_product([labels.index, columns["code_id"]], names=["row", unit])
    counts = (
        frame.groupby([key, unit])
        .agg(participants=("speaker", "nunique"), segments=("coding_id", "nunique"))
        .rename_axis(["row", unit])
        .reindex(grid, fill_value=0)
        .reset_index()
    )
    counts["base"] = counts["row"].map(frame.groupby(key)["speaker"].nunique())
    counts["share"] = counts["participants"] / counts["base"]
    # The main page's theme-level matrices keep apart from its other views' quotes.
    default = (
        level == "theme"
        and max_chars == MAX_QUOTE
        and methods
        == list(
            _check_methods(study, _all_methods(study) if rows == "method" else TRANSCRIPT_METHODS)
        )
    )
    if exclude is None:
        exclude = page_exclusions(study, rows, coder=coder) if default else ()
    best = exemplars(
        study, by=[key, unit], methods=methods, coder=coder, max_chars=max_chars, exclude=exclude
    )
    out = counts.merge(best.rename(columns={key: "row"}), on=["row", unit], how="left")
    out = out.rename(columns={unit: "code_id"})
    out.insert(1, "row_label", out["row"].map(labels))
    out.insert(3, "label", out["code_id"].map(book.set_index("code_id")["label"]))
    out = out.astype({"participants": "int64", "segments": "int64", "base": "int64"})
    out[["quote", "attribution"]] = out[["quote", "attribution"]].astype(object)
    out[["quote", "attribution"]] = out[["quote", "attribution"]].where(
        out[["quote", "attribution"]].notna(), None
    )
    return out[MATRIX_COLUMNS]


def matrix_wide(matrix: pd.DataFrame, *, value: str = "participants") -> pd.DataFrame:
    """A framework matrix as a cases x themes table of one value, labelled for display.

    Parameters
    ----------
    matrix : DataFrame
        The result of :func:`framework_matrix`.
    value : {"participants", "segments", "share", "base"}

    Returns
    -------
    DataFrame
        Index the case labels, columns the theme (or code) labels, in the matrix's order.
    """
    _check_choice("value", value, ["participants", "segments", "share", "base"])
    wide = matrix.pivot(index="row_label", columns="label", values=value)
    return wide.reindex(
        index=pd.unique(matrix["row_label"]), columns=pd.unique(matrix["label"])
    ).rename_axis(index=None, columns=None)


def published_matrix(study: Study, matrix: pd.DataFrame) -> pd.DataFrame:
    """A framework matrix of sites as published: counts the ledger withholds as ``"c"``.

    Counts of participants coding a theme or code at a site are counts of people: each
    cell's ``participants`` and ``share`` are ``"c"`` where the publication ledger
    withholds the count (:func:`evstudy.disclosure.hidden_keys`), and ``base`` and
    ``share`` where it withholds the site's count of coded participants.

    Parameters
    ----------
    study : Study
    matrix : DataFrame
        :func:`framework_matrix` with ``rows="site"``, at either level.

    Returns
    -------
    DataFrame
        A copy, object dtype in the withheld columns.
    """
    from evstudy.disclosure import ledger_key, site_base_key, withhold

    themes = set(study.codebook.loc[study.codebook["parent_id"].isna(), "code_id"])
    keys = [
        ledger_key("participants", site=r, **{"theme" if c in themes else "code": c})
        for r, c in zip(matrix["row"], matrix["code_id"], strict=True)
    ]
    bases = [
        site_base_key(study, r, int(b)) for r, b in zip(matrix["row"], matrix["base"], strict=True)
    ]
    return withhold(study, matrix, keys, base_keys=bases)


def site_comparison(
    study: Study, *, site: str, level: str = "theme", coder: str | None = "primary"
) -> pd.DataFrame:
    """One site's row of the framework matrix against the mean of every site.

    Shares, not counts, are compared, because sites had different numbers of participants.

    Parameters
    ----------
    study : Study
    site : str
        A site, by ``site_id`` or ``site_name`` (any case).
    level : {"theme", "code"}
    coder : str or None, default "primary"

    Returns
    -------
    DataFrame
        code_id, label, participants, base, share (the site's), mean_share (the mean of the
        sites' shares), difference (share - mean_share), rank (1 = the site with the
        highest share), n_sites; in codebook order.
    """
    site = resolve_one(study, "site", site)
    _check_choice("level", level, LEVELS)
    key = ("site_ranks", level, coder)
    matrix, summary = derived(study, key, partial(_site_ranks, study, level, coder))
    mine = matrix[matrix["row"] == site].set_index("code_id")
    out = mine[["label", "participants", "base", "share", "rank"]].join(summary)
    out["difference"] = out["share"] - out["mean_share"]
    out["rank"] = out["rank"].astype("int64")
    cols = ["label", "participants", "base", "share", "mean_share", "difference", "rank"]
    return out[[*cols, "n_sites"]].reset_index()


def _site_ranks(study: Study, level: str, coder: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The site framework matrix with each site's rank per code, and each code's mean share.
    Shared by every site's comparison; callers must not change either in place."""
    # The counts only: a site page never shows this matrix's quotes.
    matrix = framework_matrix(study, rows="site", level=level, coder=coder, exclude=())
    matrix = matrix.assign(
        rank=matrix.groupby("code_id")["share"].rank(method="min", ascending=False)
    )
    summary = matrix.groupby("code_id", sort=False).agg(
        mean_share=("share", "mean"), n_sites=("row", "nunique")
    )
    return matrix, summary


def _survey_choices(study: Study) -> pd.DataFrame:
    """Respondents choosing each coded option of the multiple-choice questions, with bases."""
    questions = study.survey_questions
    multi = questions.loc[questions["type"] == "multi", "question_id"]
    answers = study.survey_answers
    answers = answers[answers["question_id"].isin(multi) & answers["value"].notna()]
    base = answers.groupby("question_id")["respondent_id"].nunique()
    coded = answers.dropna(subset=["code"])
    return coded.assign(base=coded["question_id"].map(base))


def comb_codes(study: Study, *, coder: str | None = "primary") -> pd.DataFrame:
    """Every barrier and enabler code: interview counts beside the survey's choices.

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"

    Returns
    -------
    DataFrame
        comb, comb_label, valence, code_id, label, participants (transcript participants
        coded to it), segments, rank (by participants within barriers or enablers, 1 =
        most), survey_n (respondents choosing the matching option; NA when the survey has
        none), survey_base, survey_pct, ci_low, ci_high (Wilson 95%), survey_rank;
        in COM-B order, then participants descending.
    """
    book = study.codebook[study.codebook["valence"].isin(VALENCES)]
    frame = _segments(study, coder, TRANSCRIPT_METHODS)
    counts = frame.groupby("code_id").agg(
        participants=("speaker", "nunique"), segments=("coding_id", "nunique")
    )
    out = book[["comb", "valence", "code_id", "label"]].join(counts, on="code_id")
    out[["participants", "segments"]] = out[["participants", "segments"]].fillna(0).astype("int64")
    choices = _survey_choices(study)
    chosen = choices.groupby("code")["respondent_id"].nunique()
    bases = choices.assign(valence=choices["code"].map(book.set_index("code_id")["valence"]))
    bases = bases.groupby("valence")["base"].max()
    out["survey_base"] = out["valence"].map(bases).astype("Int64")
    # An option nobody chose is a true zero; a code the survey never offered is NA.
    out["survey_n"] = out["code_id"].map(chosen).astype("Int64")
    out["survey_n"] = out["survey_n"].mask(out["survey_base"].notna() & out["survey_n"].isna(), 0)
    out["survey_pct"] = (out["survey_n"] / out["survey_base"]).astype("Float64")
    low, high = wilson(out["survey_n"].fillna(0), out["survey_base"].fillna(0))
    out["ci_low"], out["ci_high"] = low, high
    by = out.groupby("valence")
    out["rank"] = by["participants"].rank(method="min", ascending=False).astype("int64")
    out["survey_rank"] = by["survey_n"].rank(method="min", ascending=False).astype("Int64")
    out["comb_label"] = out["comb"].map(COMB_LABELS)
    order = {c: i for i, c in enumerate(COMB)}
    out = out.assign(_c=out["comb"].map(order), _v=out["valence"].map(VALENCES.index))
    out = out.sort_values(["_c", "_v", "participants", "code_id"], ascending=[1, 1, 0, 1])
    cols = ["comb", "comb_label", "valence", "code_id", "label", "participants", "segments"]
    cols += ["rank", "survey_n", "survey_base", "survey_pct", "ci_low", "ci_high", "survey_rank"]
    return out[cols].reset_index(drop=True)


def comb_matrix(
    study: Study, *, coder: str | None = "primary", max_chars: int = MAX_QUOTE
) -> pd.DataFrame:
    """The COM-B matrix: six sub-components x barrier and enabler, one row a cell.

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"
    max_chars : int
        The longest exemplar preferred.

    Returns
    -------
    DataFrame
        comb, comb_label, valence, codes (number of codes in the cell), participants
        (transcript participants coded to any of them), segments, leading_code,
        leading_label, leading_participants (its most-described code), survey_n
        (respondents choosing any of the cell's options), survey_base, survey_pct,
        quote, attribution (an exemplar of the leading code); 12 rows in COM-B order.
        A cell with no codes has zeros and None.
    """
    codes = comb_codes(study, coder=coder)
    frame = _segments(study, coder, TRANSCRIPT_METHODS)
    frame = frame.merge(codes[["code_id", "comb", "valence"]], on="code_id")
    cells = frame.groupby(["comb", "valence"]).agg(
        participants=("speaker", "nunique"), segments=("coding_id", "nunique")
    )
    leading = codes.sort_values("participants", ascending=False, kind="stable")
    leading = leading.groupby(["comb", "valence"]).head(1).set_index(["comb", "valence"])
    choices = _survey_choices(study).merge(
        codes[["code_id", "comb", "valence"]], left_on="code", right_on="code_id"
    )
    survey = choices.groupby(["comb", "valence"]).agg(survey_n=("respondent_id", "nunique"))
    bases = choices.groupby("valence")["base"].max()
    grid = pd.MultiIndex.from_product([COMB, VALENCES], names=["comb", "valence"])
    out = pd.DataFrame(index=grid).join(cells).join(survey)
    out["codes"] = codes.groupby(["comb", "valence"]).size().reindex(grid)
    out = out.join(
        leading[["code_id", "label", "participants"]].rename(
            columns={
                "code_id": "leading_code",
                "label": "leading_label",
                "participants": "leading_participants",
            }
        )
    ).reset_index()
    for column in ("codes", "participants", "segments", "leading_participants"):
        out[column] = out[column].fillna(0).astype("int64")
    out["survey_base"] = out["valence"].map(bases).astype("Int64")
    out["survey_n"] = (
        out["survey_n"].astype("Int64").mask(out["survey_base"].notna() & out["survey_n"].isna(), 0)
    )
    out["survey_pct"] = (out["survey_n"] / out["survey_base"]).astype("Float64")
    exclude = page_exclusions(study, "comb", coder=coder) if max_chars == MAX_QUOTE else ()
    best = exemplars(
        study, methods=TRANSCRIPT_METHODS, coder=coder, max_chars=max_chars, exclude=exclude
    )
    best = best.set_index("code_id")
    out["quote"] = out["leading_code"].map(best["quote"])
    out["attribution"] = out["leading_code"].map(best["attribution"])
    out["comb_label"] = out["comb"].map(COMB_LABELS)
    out[["leading_code", "leading_label", "quote", "attribution"]] = (
        out[["leading_code", "leading_label", "quote", "attribution"]]
        .astype(object)
        .where(out[["leading_code", "leading_label", "quote", "attribution"]].notna(), None)
    )
    cols = ["comb", "comb_label", "valence", "codes", "participants", "segments"]
    cols += ["leading_code", "leading_label", "leading_participants"]
    cols += ["survey_n", "survey_base", "survey_pct", "quote", "attribution"]
    return out[cols]


def barrier_enabler_pairs(
    study: Study, *, unit: str = "document", coder: str | None = "primary"
) -> pd.DataFrame:
    """Which barriers travel with which enablers: co-occurrence of each pair of codes.

    Parameters
    ----------
    study : Study
    unit : {"segment", "turn", "document"}, default "document"
        What "together" means (see :func:`evstudy.cooccurrence`): overlapping passages, the
        same answer, or the same interview or focus group.
    coder : str or None, default "primary"

    Returns
    -------
    DataFrame
        barrier, barrier_label, enabler, enabler_label, n (units coded with both),
        n_barrier, n_enabler (units coded with each), jaccard (n / units with either);
        every pair, most frequent first; empty when the codebook has no barrier or no
        enabler code.
    """
    book = study.codebook.set_index("code_id")
    # The codes the codebook marks as barriers or enablers, wherever they sit in it.
    valenced = book.index[book["valence"].isin(VALENCES)]
    if set(book.loc[valenced, "valence"]) != set(VALENCES):
        columns = ["barrier", "barrier_label", "enabler", "enabler_label", "n"]
        return pd.DataFrame(columns=[*columns, "n_barrier", "n_enabler", "jaccard"])
    table = cooccurrence(study, codes=list(valenced), unit=unit, coder=coder)
    barriers = [c for c in table.index if book.at[c, "valence"] == "barrier"]
    enablers = [c for c in table.columns if book.at[c, "valence"] == "enabler"]
    pairs = (
        table.loc[barriers, enablers]
        .rename_axis(index="barrier", columns="enabler")
        .stack()
        .rename("n")
        .reset_index()
    )
    diagonal = pd.Series(np.diag(table), index=table.index)
    pairs["n_barrier"] = pairs["barrier"].map(diagonal)
    pairs["n_enabler"] = pairs["enabler"].map(diagonal)
    either = pairs["n_barrier"] + pairs["n_enabler"] - pairs["n"]
    pairs["jaccard"] = pairs["n"] / either.where(either > 0)
    pairs.insert(1, "barrier_label", pairs["barrier"].map(book["label"]))
    pairs.insert(3, "enabler_label", pairs["enabler"].map(book["label"]))
    pairs = pairs.sort_values(["n", "jaccard", "barrier", "enabler"], ascending=[0, 0, 1, 1])
    return pairs.reset_index(drop=True)
