"""The findings, research question by research question, from the study's own declarations.

Every study gets, for each research question study.yml declares (or for each theme of its
codebook when it declares none), the same generic content: the codes that serve it (the
codebook's ``rq:``) with their prevalence by method, role group and site, exemplar quotes,
the survey items tied to them (only through the question map's ``code:``), their rows of
the joint display and, where the codebook maps them to COM-B, the barriers and enablers.
Codes that serve no declared question are reported under "Other themes raised".

A study may also declare study-specific analyses (study.yml ``analyses:``); each is one of
five section types, computed here by one function each (:func:`site_typology`,
:func:`resource_judgements`, :func:`group_comparison`, :func:`awareness_use`,
:func:`preferred_formats`), and shown inside its research question's section after the
generic content. Each returns a :class:`Section`: a tidy table, the finding in Markdown
and the tables and charts the report shows. Nothing here names a code, question or site.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from evstudy.codebook import VALENCES
from evstudy.matrices import (
    TRANSCRIPT_METHODS,
    _segments,
    exemplars,
    framework_matrix,
    page_exclusions,
)
from evstudy.narrative import (
    fill,
    italic,
    listing,
    midsentence,
    n_of,
    none_or,
    pct,
    people_count,
    plural,
    plural_noun,
    shortlist,
    small,
    suppress_max_of,
)
from evstudy.study import derived

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = [
    "SECTION_TYPES",
    "Chart",
    "Section",
    "Table",
    "awareness_use",
    "code_prevalence",
    "codes_serving",
    "findings",
    "group_comparison",
    "headlines",
    "missing_input",
    "other_themes",
    "population_counts",
    "preferred_formats",
    "research_question",
    "research_questions",
    "resource_judgements",
    "section_exemplars",
    "site_typology",
    "typology_table",
]

QUALITATIVE = ("interview", "focus_group")
METHOD_NOUNS = {
    "interview": "interviewee",
    "focus_group": "focus-group participant",
    "expert_interview": "expert interviewee",
    "survey": "survey respondent",
}
# What the report says when an optional input is absent: the file that would add it.
MISSING = {
    "survey": (
        "No survey in the study folder (survey/smartsurvey_export.csv with "
        "survey/question_map.yml): add one to set survey answers beside the interviews."
    ),
    "survey_responses": (
        "The survey export holds no responses: the survey's columns of the joint display are "
        "empty until survey/smartsurvey_export.csv holds answers."
    ),
    "review": (
        "No review/review_register.xlsx in the study folder: add it, with "
        "review/review_findings.xlsx, to report a rapid evidence review beside the fieldwork."
    ),
    "recommendations": (
        "No recommendations.yml in the study folder: add one to list recommendations with "
        "their evidence."
    ),
    "reliability": (
        "No document was coded by two coders: add a second coder's coding sheet under coding/ "
        "to measure inter-coder agreement."
    ),
    "comb": (
        "No code of codebook.yml is mapped to COM-B: give barrier and enabler codes `comb:` and "
        "`valence:` to report barriers and enablers by COM-B component."
    ),
}
SECTION_TYPES = (
    "site_typology",
    "resource_judgements",
    "group_comparison",
    "awareness_use",
    "preferred_formats",
)
PREVALENCE_LABELS = {
    "code": "Code",
    "population": "Headline population",
    "outside": "Outside it",
    "quote": "Exemplar quote",
    "attribution": "Who",
}


def missing_input(what: str) -> str:
    """The one line the report shows when an optional input is absent.

    Parameters
    ----------
    what : {"survey", "survey_responses", "review", "recommendations", "reliability", "comb"}
    """
    if what not in MISSING:
        raise ValueError(f"`what` must be one of {list(MISSING)}, but {what!r} was passed")
    return MISSING[what]


# --- what a section holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table the report shows: the frame, its caption and display options."""

    frame: pd.DataFrame
    caption: str
    labels: Mapping[str, str] = field(default_factory=dict)
    percent: Sequence[str] = ()
    index: bool = False


@dataclass(frozen=True)
class Chart:
    """A chart the report shows and saves: its file name and a function that draws it."""

    name: str
    draw: Callable[[], tuple[Any, str]]


@dataclass(frozen=True)
class Section:
    """One part of the findings.

    Attributes
    ----------
    title : str
        The heading.
    markdown : str
        The finding in words, computed from the data.
    headline : str
        One sentence for the executive summary ("" when the section has none).
    table : DataFrame
        The section's tidy result.
    parts : tuple of Table, Chart or str
        What the report shows after the Markdown, in order (a str is more Markdown).
    """

    title: str
    markdown: str
    headline: str = ""
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    parts: tuple = ()

    def __post_init__(self) -> None:
        # Computed words read as English: no sentence opens with a numeral.
        from evstudy.narrative import prose

        object.__setattr__(self, "markdown", prose(self.markdown))
        object.__setattr__(self, "headline", prose(self.headline))
        parts = tuple(prose(p) if isinstance(p, str) else p for p in self.parts)
        object.__setattr__(self, "parts", parts)


def _empty(title: str, line: str) -> Section:
    return Section(title=title, markdown=line)


# --- research questions and the codes serving them -----------------------------------------------


def research_questions(study: Study) -> pd.DataFrame:
    """The report's findings sections: the declared research questions, else the themes.

    Returns
    -------
    DataFrame
        rq_id, title, text, declared (bool): the research questions in study.yml's order,
        or, when it declares none, one row per theme of the codebook (rq_id the theme id,
        title its label, text "").
    """
    declared = study.research_questions
    if len(declared):
        return declared.assign(declared=True)
    themes = _active(study.codebook)
    themes = themes[themes["parent_id"].isna()]
    return pd.DataFrame(
        {
            "rq_id": themes["code_id"].astype(str).to_numpy(),
            "title": themes["label"].astype(str).to_numpy(),
            "text": "",
            "declared": False,
        }
    )


def _share_of(n: int, base: int, study: Study) -> str:
    """ " (45%)" after a count of people, or "" when the count is suppressed (1 to
    ``suppress_max``): its share and base would give it away."""
    if 1 <= int(n) <= suppress_max_of(study) or not base:
        return ""
    return f" ({pct(n / base)})"


def _active(book: pd.DataFrame) -> pd.DataFrame:
    if "status" in book:
        return book[book["status"].fillna("active") == "active"]
    return book


def _rq_ids(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _serves(study: Study) -> pd.DataFrame:
    """Every active code (not theme): code_id, label, theme_id, rq (its own, else its theme's)."""
    book = _active(study.codebook)
    rq = book.set_index("code_id")["rq"].map(_rq_ids) if "rq" in book else None
    codes = book[book["parent_id"].notna()][["code_id", "label", "theme_id"]].copy()
    if rq is None:
        codes["rq"] = [()] * len(codes)
    else:
        codes["rq"] = [
            rq.get(c) or rq.get(t, ())
            for c, t in zip(codes["code_id"], codes["theme_id"], strict=True)
        ]
    return codes.reset_index(drop=True)


def codes_serving(study: Study, rq_id: str) -> list[str]:
    """The codes (not themes) that serve one research question, in codebook order.

    A code serves the questions its codebook ``rq:`` lists (its theme's when it lists none).
    When the study declares no research questions, ``rq_id`` is a theme id and the codes
    are those of the theme.

    Parameters
    ----------
    study : Study
    rq_id : str
        A research-question id (see :func:`research_questions`).
    """
    codes = _serves(study)
    if len(study.research_questions):
        known = list(study.research_questions["rq_id"])
        if str(rq_id) not in known:
            raise ValueError(f"`rq_id` must be one of {known}, but {rq_id!r} was passed")
        return [c for c, r in zip(codes["code_id"], codes["rq"], strict=True) if str(rq_id) in r]
    themes = list(research_questions(study)["rq_id"])
    if str(rq_id) not in themes:
        raise ValueError(f"`rq_id` must be one of {themes}, but {rq_id!r} was passed")
    return list(codes.loc[codes["theme_id"] == rq_id, "code_id"])


def _unassigned(study: Study) -> list[str]:
    """Codes that serve no declared research question (every code when none is declared)."""
    declared = set(study.research_questions["rq_id"])
    if not declared:
        return []
    codes = _serves(study)
    return [c for c, r in zip(codes["code_id"], codes["rq"], strict=True) if not set(r) & declared]


# --- counts --------------------------------------------------------------------------------------


def _population_frame(study: Study, coder: str | None) -> pd.DataFrame:
    """Participants' coded transcript passages, with role group and whether they are outside."""
    frame = _segments(study, coder, TRANSCRIPT_METHODS)
    frame = frame[frame["participant_id"].notna()]
    roles = study.participants.set_index("participant_id")["role_group"]
    outside = set(study.population["outside"])
    return frame.assign(
        role_group=frame["participant_id"].map(roles),
        outside=frame["participant_id"].map(roles).isin(outside),
    )


def population_counts(study: Study, *, coder: str | None = "primary") -> pd.DataFrame:
    """Transcript participants coded to each code: the headline population and those outside it.

    The headline population is every participant whose role group study.yml does not list
    under ``population: outside:``; those outside it are counted apart.

    Returns
    -------
    DataFrame
        code_id, label, participants, base (population participants with any coding),
        share, outside_participants, outside_base, outside_share; every active code
        (not theme), codebook order.
    """
    return derived(study, ("population_counts", coder), partial(_population_counts, study, coder))


def _population_counts(study: Study, coder: str | None) -> pd.DataFrame:
    frame = _population_frame(study, coder)
    codes = _serves(study)[["code_id", "label"]]
    out = codes.copy()
    for prefix, part in (("", frame[~frame["outside"]]), ("outside_", frame[frame["outside"]])):
        n = part.groupby("code_id")["participant_id"].nunique()
        base = int(part["participant_id"].nunique())
        out[f"{prefix}participants"] = out["code_id"].map(n).fillna(0).astype("int64")
        out[f"{prefix}base"] = base
        out[f"{prefix}share"] = out[f"{prefix}participants"] / base if base else np.nan
    return out


def _population_words(study: Study) -> tuple[str, str]:
    """The population's label and the labels of the role groups outside it, for prose."""
    labels = study.role_group_labels
    outside = [labels.get(g, g) for g in study.population["outside"]]
    return study.population["label"], listing([midsentence(g) for g in outside], empty="")


def code_prevalence(
    study: Study, codes: Sequence[str], *, coder: str | None = "primary"
) -> pd.DataFrame:
    """The prevalence of some codes by site, role group and method: one row a cell.

    Parameters
    ----------
    study : Study
    codes : sequence of str
        Code ids.
    coder : str or None, default "primary"

    Returns
    -------
    DataFrame
        by ("method", "role_group" or "site"), row, row_label, code_id, label,
        participants, base, share: the rows of :func:`evstudy.matrices.framework_matrix`
        (code level) for these codes; methods include survey free text.
    """
    parts = []
    for by in ("method", "role_group", "site"):
        matrix = framework_matrix(study, rows=by, level="code", coder=coder)
        matrix = matrix[matrix["code_id"].isin(codes)]
        parts.append(matrix.drop(columns=["segments", "quote", "attribution"]).assign(by=by))
    columns = ["by", "row", "row_label", "code_id", "label", "participants", "base", "share"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def _wide(prevalence: pd.DataFrame, by: str, hidden: frozenset[str] = frozenset()) -> pd.DataFrame:
    """One dimension of :func:`code_prevalence` as codes x cases: "k (p%)" per cell.

    Counts of people by role group or site that the publication ledger withholds
    (``hidden``, :func:`evstudy.disclosure.hidden_keys`) are "c", with their share.
    """
    from evstudy.disclosure import MARKER, ledger_key

    part = prevalence[prevalence["by"] == by]
    if part.empty:
        return pd.DataFrame()
    keys = [
        ledger_key("participants", code=c, **{by: r})
        for c, r in zip(part["code_id"], part["row"], strict=True)
    ]
    cell = [
        MARKER if key in hidden else f"{k} ({s:.0%})" if b else ""
        for key, k, b, s in zip(
            keys, part["participants"], part["base"], part["share"], strict=True
        )
    ]
    wide = part.assign(cell=cell).pivot(index="label", columns="row_label", values="cell")
    wide = wide.reindex(index=pd.unique(part["label"]), columns=pd.unique(part["row_label"]))
    return wide.rename_axis(index="Code", columns=None)


# --- the joint display and the survey, shared --------------------------------------------------


def _joint(study: Study, coder: str | None, display: pd.DataFrame | None) -> pd.DataFrame:
    if display is not None:
        return display
    from evstudy.triangulation import joint_display

    return derived(study, ("joint_display", coder), partial(joint_display, study, coder=coder))


def _has_survey(study: Study) -> bool:
    return len(study.survey_questions) > 0


def _has_responses(study: Study) -> bool:
    return len(study.survey_respondents) > 0 and len(study.survey_answers) > 0


def _survey_items(study: Study, codes: Sequence[str]) -> pd.DataFrame:
    """The survey options and grid items tied to ``codes`` by the question map's ``code:``."""
    from evstudy.triangulation import survey_evidence

    columns = ["question", "item", "code", "statistic", "n", "base", "pct", "ci_low", "ci_high"]
    if not _has_responses(study):
        return pd.DataFrame(columns=columns)
    evidence = derived(study, ("survey_evidence",), partial(survey_evidence, study))
    evidence = evidence[evidence["code_id"].isin(codes)]
    questions = study.survey_questions
    text = questions.drop_duplicates("question_id").set_index("question_id")["question_text"]
    items = questions.dropna(subset=["item_id"]).set_index(["question_id", "item_id"])["item_label"]
    labels = study.codebook.set_index("code_id")["label"]
    item = [
        items.get((q, i), i)
        for q, i in zip(evidence["question_id"], evidence["item_id"], strict=True)
    ]
    return pd.DataFrame(
        {
            "question": evidence["question_id"].map(text).to_numpy(),
            "item": item,
            "code": evidence["code_id"].map(labels).to_numpy(),
            "statistic": evidence["statistic"].to_numpy(),
            "n": evidence["n"].to_numpy(),
            "base": evidence["base"].to_numpy(),
            "pct": evidence["pct"].to_numpy(),
            "ci_low": evidence["ci_low"].to_numpy(),
            "ci_high": evidence["ci_high"].to_numpy(),
        },
        columns=columns,
    )


def _item_code(study: Study, question: str, item: str | None) -> str | None:
    """The code the question map ties to a grid item or a choice option, if any."""
    if item is None:
        return None
    options = study.survey_options
    hit = options[(options["question_id"] == question) & (options["option"] == item)]
    found = hit["code"].dropna()
    if len(found):
        return str(found.iloc[0])
    answers = study.survey_answers
    hit = answers[(answers["question_id"] == question) & (answers["item_id"] == item)]
    found = hit["code"].dropna()
    return str(found.iloc[0]) if len(found) else None


def _question_type(study: Study, question: str) -> str:
    questions = study.survey_questions
    found = questions.loc[questions["question_id"] == question, "type"]
    return str(found.iloc[0]) if len(found) else ""


def _question_text(study: Study, question: str) -> str:
    questions = study.survey_questions
    found = questions.loc[questions["question_id"] == question, "question_text"]
    return str(found.iloc[0]) if len(found) else question


def _item_label(study: Study, question: str, item: str) -> str:
    questions = study.survey_questions
    found = questions.loc[
        (questions["question_id"] == question) & (questions["item_id"] == item), "item_label"
    ]
    return str(found.iloc[0]) if len(found) else str(item)


# --- the declared section types ------------------------------------------------------------------


def typology_table(
    study: Study, analysis: Mapping[str, Any], *, coder: str | None = "primary"
) -> pd.DataFrame:
    """The table of :func:`site_typology` alone: each site's counts and type.

    Returns
    -------
    DataFrame
        site_id, site_name, one column per type id (participants coded to its code),
        type (a type id, or "mixed" for a tie between the leaders or no participant coded),
        type_label.
    """
    from evstudy.coding import code_matrix

    types = list(analysis["types"])
    codes = [t["code"] for t in types]
    ids = [str(t["id"]) for t in types]
    counts = code_matrix(study, rows="site", count="participants", codes=codes, coder=coder)
    unique = list(dict.fromkeys(codes))  # two types may share a code: then every site ties
    counts = counts.reindex(index=study.sites["site_id"], columns=unique, fill_value=0)
    table = pd.DataFrame(
        {
            "site_id": study.sites["site_id"].to_numpy(),
            "site_name": study.sites["site_name"].to_numpy(),
        }
    )
    for type_id, code in zip(ids, codes, strict=True):
        table[type_id] = counts[code].to_numpy().astype("int64")
    values = table[ids].to_numpy()
    top = values.max(axis=1)
    leaders = (values == top[:, None]).sum(axis=1)
    chosen = np.array(ids, dtype=object)[values.argmax(axis=1)]
    table["type"] = np.where((leaders > 1) | (top == 0), "mixed", chosen)
    labels = {str(t["id"]): t["label"] for t in types}
    table["type_label"] = table["type"].map({**labels, "mixed": "a mix"})
    return table


def site_typology(
    study: Study,
    analysis: Mapping[str, Any],
    *,
    coder: str | None = "primary",
    display: pd.DataFrame | None = None,
) -> Section:
    """A typology of sites: each site takes the type more of its participants describe.

    Parameters
    ----------
    study : Study
    analysis : mapping
        A declared ``site_typology`` (study.yml ``analyses:``): ``types``, a list of
        ``{id, label, code}``; a site takes the type whose code more of its participants
        were coded to, and a tie between the leaders (or no participant coded to any) is
        "mixed".
    coder : str or None, default "primary"
    display : DataFrame, optional
        The joint display the report shows (for the other codes of the types' themes).

    Returns
    -------
    Section
        table: site_id, site_name, one column per type id (participants coded to its
        code), type (a type id or "mixed"), type_label.
    """
    types = list(analysis["types"])
    title = analysis.get("title") or "Sites by type"
    codes = [t["code"] for t in types]
    ids = [str(t["id"]) for t in types]
    table = typology_table(study, analysis, coder=coder)
    labels = {str(t["id"]): t["label"] for t in types}
    noun = study.site_noun
    n_sites = len(table)
    kinds = {i: table.loc[table["type"] == i, "site_name"].tolist() for i in ids}
    order = sorted(ids, key=lambda i: (len(kinds[i]) == 0, len(kinds[i]), ids.index(i)))
    mixed = int((table["type"] == "mixed").sum())
    first, rest = order[0], order[1:]
    headline = fill(
        "{first} {verb} {label} ({names}); {rest}{mixed}.",
        first=n_of(len(kinds[first]), n_sites, noun),
        verb="describes" if len(kinds[first]) == 1 else "describe",
        label=labels[first],
        names=shortlist(kinds[first]) or ["none"],
        rest=listing(plural(len(kinds[i]), noun) + " " + labels[i] for i in rest),
        mixed=f" and {plural(mixed, noun)} a mix" if mixed else "",
    )
    paragraphs = [headline]
    site_codes = framework_matrix(study, rows="site", level="code", coder=coder)
    coded = site_codes[site_codes["code_id"] == codes[ids.index(first)]].set_index("row")
    inside = coded.index.isin(table.loc[table["type"] == first, "site_id"])
    here, there = coded[inside], coded[~inside]
    book = study.codebook.set_index("code_id")["label"]
    if len(here) and len(there) and here["base"].sum() and there["base"].sum():
        paragraphs.append(
            fill(
                "At the {nouns} classed as {label}, {a} were coded to *{code}*{a_share}, "
                "against {b} at the other {nouns}{b_share}. A {noun} is classed by "
                "whichever type more of its participants described (table *{title}*).",
                noun=noun,
                nouns=plural_noun(noun),
                label=labels[first],
                code=midsentence(book.get(codes[ids.index(first)], "")),
                a=people_count(
                    int(here["participants"].sum()),
                    "participant",
                    suppress_max=suppress_max_of(study),
                    base=int(here["base"].sum()),
                ),
                # A share beside a suppressed count would give the count away.
                a_share=_share_of(here["participants"].sum(), here["base"].sum(), study),
                b=people_count(
                    int(there["participants"].sum()),
                    "participant",
                    suppress_max=suppress_max_of(study),
                    base=int(there["base"].sum()),
                ),
                b_share=_share_of(there["participants"].sum(), there["base"].sum(), study),
                title=title,
            )
        )
    joint = _joint(study, coder, display)
    themes = study.codebook.set_index("code_id")["theme_id"]
    near = joint[
        joint["theme_id"].isin({themes.get(c) for c in codes}) & ~joint["code_id"].isin(codes)
    ]
    near = near[near["qual_n"] > 0]
    if len(near):
        paragraphs.append(
            fill(
                "Beyond these types, interviewees and focus-group participants talked about "
                "{parts}.",
                parts=shortlist(
                    [
                        fill(
                            "{label} ({n})",
                            label=midsentence(r.label),
                            n=people_count(
                                int(r.qual_n),
                                "participant",
                                suppress_max=suppress_max_of(study),
                                base=int(r.qual_base),
                            ),
                        )
                        for r in near.sort_values(
                            "qual_n", ascending=False, kind="stable"
                        ).itertuples()
                    ]
                ),
            )
        )
    shown = table.rename(columns={i: f"{labels[i]} (participants)" for i in ids})
    shown = shown.drop(columns="type").rename(
        columns={"site_id": "Site", "site_name": "Name", "type_label": "Type"}
    )
    return Section(
        title=title,
        markdown="\n\n".join(paragraphs),
        headline=headline,
        table=table,
        parts=(Table(shown, caption=title),),
    )


def _named(frame: pd.DataFrame, pattern: str, column: str) -> pd.Series:
    return frame[column].str.contains(pattern, case=False, regex=True)


def resource_judgements(
    study: Study, analysis: Mapping[str, Any], *, coder: str | None = "primary"
) -> Section:
    """Judgements (such as strengths and weaknesses) of named resources.

    A passage coded to a judgement is tied to a resource when it names it: when it matches
    the study's auto-coding keywords for the resource's code (its label when the study has
    no rule for it).

    Parameters
    ----------
    study : Study
    analysis : mapping
        A declared ``resource_judgements``: ``resources`` (the codes that are the
        resources), ``judgements`` ({judgement label: code}) and optional ``methods``
        (default every transcript method).
    coder : str or None, default "primary"

    Returns
    -------
    Section
        table: resource (code id), resource_label, judgement, passages, participants
        (with such a passage), quote, attribution; one row per resource and judgement.
    """
    from evstudy.coding import _coder_filter, coded_segments

    title = analysis.get("title") or "Judgements of the resources"
    resources = list(analysis["resources"])
    judgements = {str(k): str(v) for k, v in dict(analysis["judgements"]).items()}
    methods = list(analysis.get("methods") or TRANSCRIPT_METHODS)
    book = study.codebook.set_index("code_id")["label"]
    frame = _coder_filter(study, coded_segments(study), coder)
    frame = frame[
        frame["method"].isin(methods)
        & (frame["speaker_role"] == "participant")
        & frame["code_id"].isin(judgements.values())
    ]
    present = [m for m in methods if m in set(study.documents["method"])]
    ranked = (
        exemplars(
            study,
            by=["code_id"],
            methods=present,
            coder=coder,
            n=None,
            exclude=page_exclusions(study, coder=coder),  # every other view of the page
        )
        if present
        else pd.DataFrame(columns=["code_id", "quote", "attribution"])
    )
    ranked = ranked[ranked["code_id"].isin(judgements.values())]
    rules = study.autocode_rules
    rows = []
    for code in (c for c in resources if c in book.index):
        terms = rules.loc[rules["code_id"] == code, "pattern"] if len(rules) else pd.Series()
        pattern = "|".join(terms) or re.escape(book[code])
        named = frame[_named(frame, pattern, "text")]
        quoted = ranked[_named(ranked, pattern, "quote")] if len(ranked) else ranked
        for judgement, judged in judgements.items():
            part = named[named["code_id"] == judged]
            best = quoted[quoted["code_id"] == judged].head(1)
            rows.append(
                {
                    "resource": code,
                    "resource_label": book[code],
                    "judgement": judgement,
                    "passages": part["coding_id"].nunique(),
                    "participants": part["participant_id"].nunique(),
                    "quote": best["quote"].iloc[0] if len(best) else None,
                    "attribution": best["attribution"].iloc[0] if len(best) else None,
                }
            )
    columns = ["resource", "resource_label", "judgement", "passages", "participants"]
    table = pd.DataFrame(rows, columns=[*columns, "quote", "attribution"])
    people = study.participants
    pattern = "|".join(re.escape(m) for m in methods)
    asked = people[people["methods"].fillna("").str.contains(pattern)] if pattern else people
    noun = METHOD_NOUNS.get(methods[0], "participant") if len(methods) == 1 else "participant"
    said = frame.groupby("code_id")["participant_id"].nunique()
    counts = [(j, int(said.get(c, 0))) for j, c in judgements.items()]
    resource_words = listing(f"the {book[c]}" for c in resources if c in book.index)
    headline = fill(
        "{first} described {j0} of {resources}{rest}.",
        first=n_of(counts[0][1], len(asked), noun),
        j0=plural_noun(counts[0][0]),
        resources=resource_words,
        rest="".join(f"; {k} described {plural_noun(j)}" for j, k in counts[1:]),
    )
    wide = table.pivot(index="resource_label", columns="judgement", values="passages")
    wide = wide.reindex(index=pd.unique(table["resource_label"]), columns=list(judgements))
    if len(judgements) == 2 and len(wide):
        one, two = list(judgements)
        leaning = [
            fill(
                "the {r} drew more {more} than {fewer} ({a} against {b})",
                r=r,
                more=plural_noun(one if row[one] > row[two] else two),
                fewer=plural_noun(two if row[one] > row[two] else one),
                a=int(max(row[one], row[two])),
                b=int(min(row[one], row[two])),
            )
            for r, row in wide.iterrows()
            if row[one] != row[two]
        ]
        if leaning:
            headline = headline[:-1] + fill("; {x}.", x=leaning)
    # Said at once, in the headline: the counts answer the guide's question, not prevalence.
    headline += _prompted_note(study, list(judgements.values()), methods)
    paragraphs = [headline]
    if len(wide):
        paragraphs.append(
            fill(
                "Counting the passages that name a resource, {noun}s described {parts} (table "
                "*{title}*, with a quote for each).",
                noun=noun,
                parts=[
                    f"the {r} in " + listing(plural(int(row[j]), j) for j in judgements)
                    for r, row in wide.iterrows()
                ],
                title=title,
            )
        )
    survey = _survey_items(study, resources)
    if len(survey):
        paragraphs.append(
            fill(
                "In the survey, {parts} (base {base}).",
                parts=[f"{pct(r.pct)} {r.statistic} for the {r.code}" for r in survey.itertuples()],
                base=int(survey["base"].max()),
            )
        )
    shown = table.drop(columns="resource").rename(
        columns={
            "resource_label": "Resource",
            "judgement": "Judgement",
            "passages": "Passages",
            "participants": f"{noun.capitalize()}s",
            "quote": "Quote",
            "attribution": "Who",
        }
    )
    return Section(
        title=title,
        markdown="\n\n".join(paragraphs),
        headline=headline,
        table=table,
        parts=(Table(shown, caption=title),),
    )


def group_comparison(
    study: Study,
    analysis: Mapping[str, Any],
    *,
    coder: str | None = "primary",
    display: pd.DataFrame | None = None,
) -> Section:
    """Two or more groups of survey respondents compared on one grid item or option.

    Parameters
    ----------
    study : Study
    analysis : mapping
        A declared ``group_comparison``: ``question`` (a survey question id), ``item``
        (the grid item or choice option compared) and ``groups`` ({group label: [role
        group ids]}).
    coder : str or None, default "primary"
    display : DataFrame, optional
        The joint display the report shows (for the interviews' side of the item's code).

    Returns
    -------
    Section
        table: the result of :func:`evstudy.subgroups.compare_groups`, one row per group
        and test (empty when the study has no survey responses).
    """
    from evstudy.subgroups import compare_groups

    question, item = str(analysis["question"]), analysis.get("item")
    groups = {str(k): list(v) for k, v in dict(analysis["groups"]).items()}
    title = analysis.get("title") or f"{listing(groups)} compared"
    if not _has_responses(study):
        return _empty(title, missing_input("survey_responses" if _has_survey(study) else "survey"))
    kind = _question_type(study, question)
    if item is None:
        return _empty(title, f"*{title}*: the comparison needs an `item:` in study.yml.")
    where = {"item": item} if kind == "grid" else {"option": item}
    result = compare_groups(study, question, groups=groups, **where)
    label = _item_label(study, question, item) if kind == "grid" else str(item)
    paragraphs = []
    code = _item_code(study, question, item)
    joint = _joint(study, coder, display).set_index("code_id")
    if code in joint.index and pd.notna(joint.at[code, "survey_base"]):
        row = joint.loc[code]
        same = str(row["label"]).casefold() == str(label).casefold()
        paragraphs.append(
            fill(
                "*{label}*: {q} interviewees and focus-group participants {raised}, while "
                "{s:pct} of survey respondents ({interval:ci}) {statistic}.",
                label=label,
                q=small(row["qual_n"], suppress_max=suppress_max_of(study))
                + f" of {int(row['qual_base'])}",
                raised="raised it" if same else f"were coded to *{midsentence(row['label'])}*",
                s=row["survey_pct"],
                interval=(row["ci_low"], row["ci_high"]),
                statistic=row["statistic"],
            )
        )
    answer = str(joint.at[code, "statistic"]) if code in joint.index else "gave that answer"
    answer = "gave that answer" if answer in ("nan", "None") else answer
    shown = result[result["shown"].fillna(False).astype(bool)]
    if shown["group"].nunique() < 2:
        notes = [n for n in result["note"].dropna().unique() if n]
        paragraphs.append(
            " ".join(notes) or "The comparison is not shown: a group is below the minimum base."
        )
    else:
        test = shown.iloc[0]
        ranked = shown.drop_duplicates("group").sort_values("pct", ascending=False)
        high, low = ranked.iloc[0], ranked.iloc[-1]
        paragraphs.append(
            fill(
                "{high:pct} of {high_name} {answer} against {low:pct} of {low_name} ({test}, "
                "p = {p:.3f}; bases {hb} and {lb}).",
                answer=answer,
                high=high["pct"],
                high_name=midsentence(str(high["group"])),
                low=low["pct"],
                low_name=midsentence(str(low["group"])),
                test=test["test"],
                p=test["p_value"],
                hb=int(high["base"]),
                lb=int(low["base"]),
            )
        )
    markdown = " ".join(paragraphs)
    parts: tuple = ()
    if len(shown):
        rows = shown.drop_duplicates("group")[["group", "n", "base", "pct"]]
        parts = (
            Table(
                rows,
                caption=title,
                labels={"group": "Group", "n": "Answered so", "base": "Base", "pct": "Share"},
                percent=["pct"],
            ),
        )
    return Section(
        title=title, markdown=markdown, headline=markdown.split(". ")[0], table=result, parts=parts
    )


def awareness_use(
    study: Study,
    analysis: Mapping[str, Any],
    *,
    coder: str | None = "primary",
    display: pd.DataFrame | None = None,
) -> Section:
    """Awareness and use of the items of a grid question, beside how often they were talked about.

    Parameters
    ----------
    study : Study
    analysis : mapping
        A declared ``awareness_use``: ``question`` (a grid question), ``not_aware`` (the
        scale point meaning "not aware") and ``used`` (the scale points meaning "used").
    coder : str or None, default "primary"
    display : DataFrame, optional
        The joint display the report shows.

    Returns
    -------
    Section
        table: item_id, item_label, code_id, base, aware (1 - the share at ``not_aware``),
        used (the share at the ``used`` points), qual_n, qual_base, qual_pct (interview
        and focus-group participants coded to the item's code); sorted by used.
    """
    from evstudy.survey import awareness_summary

    question = str(analysis["question"])
    title = analysis.get("title") or "Awareness and use"
    if not _has_responses(study):
        return _empty(title, missing_input("survey_responses" if _has_survey(study) else "survey"))
    out = awareness_summary(
        study, question, not_aware=analysis["not_aware"], used=list(analysis["used"])
    )
    out.insert(2, "code_id", [_item_code(study, question, i) for i in out["item_id"]])
    joint = _joint(study, coder, display).set_index("code_id")
    for column in ("qual_n", "qual_base", "qual_pct"):
        out[column] = out["code_id"].map(joint[column]) if len(joint) else np.nan
    # An item every topic guide asked about by name: its mentions are answers, not a measure
    # of how much people talk about it, so they are shown as prompted and left out of rankings.
    asked = _prompted_everywhere(joint)
    out["prompted"] = out["code_id"].map(asked).fillna(False).astype(bool)
    out.loc[out["prompted"], ["qual_n", "qual_pct"]] = np.nan
    out = out.sort_values(["used", "aware"], ascending=False, kind="stable").reset_index(drop=True)
    coded = out.dropna(subset=["qual_pct"])
    used_top = out.dropna(subset=["used"]).head(3)
    talked = coded.sort_values(["qual_pct", "item_id"], ascending=[False, True]).head(3)
    headline = fill(
        "Participants talked most about {talked}; survey respondents had used {used} most.",
        talked=italic(talked["item_label"]) or ["none of them"],
        used=italic(used_top["item_label"]) or ["none"],
    )
    paragraphs = [headline]
    aware = out.dropna(subset=["aware"]).sort_values("aware", ascending=False, kind="stable")
    if len(aware) > 1:
        paragraphs.append(
            fill(
                "Most respondents were aware of *{a}* ({ap:pct}) and fewest of *{b}* ({bp:pct}) "
                "(table *{title}*).",
                a=aware.iloc[0]["item_label"],
                ap=aware.iloc[0]["aware"],
                b=aware.iloc[-1]["item_label"],
                bp=aware.iloc[-1]["aware"],
                title=title,
            )
        )
    prompted = out[out["prompted"]]
    if len(prompted):
        paragraphs.append(
            fill(
                "The topic guides asked about {items} by name, so how often participants "
                "mentioned {them} is not counted as how much they talk about {them} (shown as "
                "prompted in the table).",
                items=italic(prompted["item_label"]),
                them="them" if len(prompted) > 1 else "it",
            )
        )
    # No sentence sets the share who mentioned a resource against the share who used it:
    # they answer different questions of different people (issue 20 §4, like with like).
    roles = framework_matrix(
        study, rows="role_group", level="code", methods=QUALITATIVE, coder=coder
    )
    roles = roles[roles["code_id"].isin(talked["code_id"]) & (roles["participants"] > 0)]
    if len(roles):
        lead = roles.sort_values(["share", "row"], ascending=[False, True], kind="stable")
        lead = lead.groupby("code_id", sort=False).head(1).set_index("code_id")
        names = out.set_index("code_id")["item_label"]
        paragraphs.append(
            fill(
                "Who mentioned them differed by role: {parts}.",
                parts=shortlist(
                    [
                        fill(
                            "the {l} most by *{g}* participants ({k:pct} of them)",
                            l=names[c],
                            g=lead.at[c, "row_label"],
                            k=lead.at[c, "share"],
                        )
                        for c in talked["code_id"]
                        if c in lead.index
                    ]
                ),
            )
        )
    shown = out.drop(columns=["item_id", "code_id", "qual_base", "prompted"])
    shown["qual_n"] = shown["qual_n"].astype("object").where(~out["prompted"], "prompted")
    shown["qual_pct"] = shown["qual_pct"].astype("object").where(~out["prompted"], "prompted")
    return Section(
        title=title,
        markdown="\n\n".join(paragraphs),
        headline=headline,
        table=out,
        parts=(
            Table(
                shown,
                caption=title,
                percent=["aware", "used", "qual_pct"],
                labels={
                    "item_label": "Item",
                    "base": "Respondents",
                    "aware": "Aware",
                    "used": "Used",
                    "qual_n": "Participants who talked about it unprompted",
                    "qual_pct": "Share of participants",
                },
            ),
        ),
    )


def _prompted_note(study: Study, codes: Sequence[str], methods: Sequence[str]) -> str:
    """ " These were prompted: ..." when a topic guide of ``methods`` asks for ``codes``."""
    book = study.codebook.set_index("code_id")
    if "prompted" not in book:
        return ""
    asked = {
        m
        for c in codes
        if c in book.index
        for m in (book.at[c, "prompted"] if _listlike(book.at[c, "prompted"]) else ())
        if m in methods
    }
    if not asked:
        return ""
    who = listing(plural_noun(METHOD_NOUNS.get(m, "participant")) for m in methods if m in asked)
    return (
        f" The topic guide asked {who} for these judgements by name, so the counts are "
        "prompted answers, not how often they arise unprompted."
    )


def _listlike(value: Any) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _prompted_everywhere(joint: pd.DataFrame) -> pd.Series:
    """code_id -> True when every conversational method's topic guide asked about it."""
    flags = [c for c in ("interview_prompted", "focus_group_prompted") if c in joint]
    if not flags or not len(joint):
        return pd.Series(dtype=bool)
    return joint[flags].astype(bool).all(axis=1)


def preferred_formats(
    study: Study,
    analysis: Mapping[str, Any],
    *,
    coder: str | None = "primary",
    display: pd.DataFrame | None = None,
) -> Section:
    """The options of a multiple-choice question, beside the interviews' codes they map to.

    Parameters
    ----------
    study : Study
    analysis : mapping
        A declared ``preferred_formats``: ``question``, a multiple-choice question.
    coder : str or None, default "primary"
    display : DataFrame, optional
        The joint display the report shows.

    Returns
    -------
    Section
        table: option, code, label (the code's label, else the option), n, base, pct,
        ci_low, ci_high (Wilson 95%), qual_n, qual_base (interview and focus-group
        participants coded to the option's code); most chosen first.
    """
    from evstudy.survey import choice_table

    question = str(analysis["question"])
    title = analysis.get("title") or "Preferred formats"
    if not _has_responses(study):
        return _empty(title, missing_input("survey_responses" if _has_survey(study) else "survey"))
    table = choice_table(study, question).reset_index(drop=True)
    book = study.codebook.set_index("code_id")["label"]
    table.insert(
        2,
        "label",
        [
            book.get(c, o) if isinstance(c, str) else o
            for c, o in zip(table["code"], table["option"], strict=True)
        ],
    )
    joint = _joint(study, coder, display).set_index("code_id")
    table["qual_n"] = table["code"].map(joint["qual_n"]).astype("Int64")
    table["qual_base"] = table["code"].map(joint["qual_base"]).astype("Int64")
    table = table.drop(columns="rank")
    wanted = table.iloc[0] if len(table) and table["base"].iloc[0] else None
    talked = table.dropna(subset=["qual_n"]).sort_values("qual_n", ascending=False, kind="stable")
    talked = talked[talked["qual_n"] > 0]
    topic = f"*{title}*"
    if wanted is not None and len(talked):
        headline = fill(
            "{topic}: survey respondents most wanted *{s}* ({p:pct}) and participants most "
            "often asked for *{t}*.",
            topic=topic,
            s=midsentence(wanted["label"]),
            p=wanted["pct"],
            t=midsentence(talked.iloc[0]["label"]),
        )
    elif wanted is not None:
        headline = fill(
            "{topic}: survey respondents most wanted *{s}* ({p:pct}).",
            topic=topic,
            s=midsentence(wanted["label"]),
            p=wanted["pct"],
        )
    else:
        headline = f"{topic}: no survey respondent answered the question."
    paragraphs = [headline]
    if wanted is not None:
        paragraphs.append(
            fill(
                "Survey respondents chose {chosen}; in interviews and focus groups, participants "
                "asked for {said} (table *{title}*).",
                chosen=[
                    fill(
                        "*{l}* ({p:pct}, {i:ci})",
                        l=midsentence(r.label),
                        p=r.pct,
                        i=(r.ci_low, r.ci_high),
                    )
                    for r in table.itertuples()
                ],
                said=[
                    f"*{midsentence(r.label)}* ({plural(int(r.qual_n), 'participant')})"
                    for r in talked.itertuples()
                ]
                or ["none of them"],
                title=title,
            )
        )
    shown = table.drop(columns=["option", "code"])
    return Section(
        title=title,
        markdown="\n\n".join(paragraphs),
        headline=headline,
        table=table,
        parts=(
            Table(
                shown,
                caption=title,
                percent=["pct", "ci_low", "ci_high"],
                labels={
                    "label": "Option",
                    "n": "Chose it",
                    "base": "Respondents",
                    "pct": "Share",
                    "ci_low": "95% CI low",
                    "ci_high": "95% CI high",
                    "qual_n": "Participants who asked for it",
                    "qual_base": "Of",
                },
            ),
        ),
    )


ANALYSES: dict[str, Callable[..., Section]] = {
    "site_typology": site_typology,
    "resource_judgements": resource_judgements,
    "group_comparison": group_comparison,
    "awareness_use": awareness_use,
    "preferred_formats": preferred_formats,
}


def _analysis(
    study: Study, analysis: Mapping[str, Any], coder: str | None, display: pd.DataFrame
) -> Section:
    kind = analysis["type"]
    if kind not in ANALYSES:
        raise ValueError(f"`type` must be one of {list(ANALYSES)}, but {kind!r} was passed")
    if kind == "resource_judgements":
        return resource_judgements(study, analysis, coder=coder)
    return ANALYSES[kind](study, analysis, coder=coder, display=display)


# --- COM-B, shared by the questions the barrier and enabler codes serve -----------------------


def _valenced(study: Study, codes: Sequence[str]) -> set[str]:
    book = study.codebook.set_index("code_id")["valence"]
    return {v for v in book.reindex(list(codes)).dropna() if v in VALENCES}


def _comb_roles(study: Study, rqs: Sequence[str]) -> tuple[str | None, str | None]:
    """Which section shows the COM-B matrix (the first with barrier or enabler codes) and which
    the barrier-enabler pairs (the last such, when another)."""
    found = [r for r in rqs if _valenced(study, _section_codes(study, r))]
    if not found:
        return None, None
    return found[0], found[-1]


def _section_codes(study: Study, rq_id: str) -> list[str]:
    if rq_id == OTHER:
        return _unassigned(study)
    return codes_serving(study, rq_id)


OTHER = "__other__"


# --- a whole research question -------------------------------------------------------------------


def _rq_name(row: Mapping[str, Any]) -> str:
    return f"Research question {row['rq_id']}" if row.get("declared", True) else str(row["title"])


def research_question(
    study: Study,
    rq_id: str,
    *,
    coder: str | None = "primary",
    display: pd.DataFrame | None = None,
) -> Section:
    """One research question's findings: generic content for its codes, then its analyses.

    Parameters
    ----------
    study : Study
    rq_id : str
        A declared research question's id, or a theme id when the study declares none
        (see :func:`research_questions`).
    coder : str or None, default "primary"
    display : DataFrame, optional
        The joint display the report shows (with the researcher's overrides).

    Returns
    -------
    Section
        table: :func:`code_prevalence` of its codes; markdown and parts: the codes with
        their prevalence, quotes, survey items and joint-display rows, COM-B where the
        codebook maps the codes, then each declared analysis.
    """
    rqs = research_questions(study)
    if str(rq_id) not in set(rqs["rq_id"]):
        raise ValueError(f"`rq_id` must be one of {list(rqs['rq_id'])}, but {rq_id!r} was passed")
    row = rqs.set_index("rq_id").loc[str(rq_id)].to_dict() | {"rq_id": str(rq_id)}
    return _section(study, row, codes_serving(study, rq_id), coder, _joint(study, coder, display))


def other_themes(
    study: Study, *, coder: str | None = "primary", display: pd.DataFrame | None = None
) -> Section | None:
    """The codes that serve no declared research question, inductive codes included.

    Returns
    -------
    Section or None
        As :func:`research_question`, titled "Other themes raised"; None when every code
        serves a declared question (or none is declared: each theme then has a section).
    """
    codes = _unassigned(study)
    if not codes:
        return None
    row = {"rq_id": OTHER, "title": "Other themes raised", "text": "", "declared": False}
    return _section(study, row, codes, coder, _joint(study, coder, display))


def _section(
    study: Study, row: Mapping[str, Any], codes: list[str], coder: str | None, joint: pd.DataFrame
) -> Section:
    title = _rq_name(row) if row["rq_id"] != OTHER else row["title"]
    if row.get("declared", True) and row["rq_id"] != OTHER:
        title = f"{title}: {row['title']}"  # as the study wrote it
    paragraphs, parts, heads = [], [], []
    if row.get("text"):
        paragraphs.append(f"*{row['text']}*")
    if not codes:
        paragraphs.append(
            "No code of the codebook serves this question: list its id under `rq:` of the "
            "codes that do, in codebook.yml."
        )
        return Section(title=title, markdown="\n\n".join(paragraphs), headline="")
    counts = population_counts(study, coder=coder).set_index("code_id").loc[codes]
    prevalence = code_prevalence(study, codes, coder=coder)
    generic, head = _generic_text(study, counts, title)
    paragraphs.append(generic)
    parts.extend(_generic_parts(study, codes, counts, prevalence, coder, title, row["rq_id"]))
    survey_text, survey_parts = _survey_text(study, codes, joint, title)
    if survey_text:
        paragraphs.append(survey_text)
    parts.extend(survey_parts)
    rqs = [*research_questions(study)["rq_id"], OTHER]
    first, last = _comb_roles(study, rqs)
    from evstudy import narrative

    if row["rq_id"] == first:
        comb = narrative.comb_section(study, coder=coder)
        heads.append(comb.headline)
        parts.append(comb.markdown)
        parts.extend(comb.parts)
    elif _valenced(study, codes):
        parts.append(
            "Barriers and enablers by COM-B component, for every code of the codebook, are in "
            "the section on the first question they serve."
        )
    if row["rq_id"] == last:
        helps = narrative.pairs_section(study, coder=coder, lead=last != first)
        if helps.headline:
            heads.append(helps.headline)
        parts.append(helps.markdown)
        parts.extend(helps.parts)
    declared = [a for a in study.analyses if str(a.get("rq")) == row["rq_id"]]
    for i, analysis in enumerate(declared):
        found = _analysis(study, analysis, coder, joint)
        parts.append(f"#### {found.title}\n\n{found.markdown}")
        parts.extend(found.parts)
        if i == 0 and found.headline:
            heads.append(found.headline)
    if not heads:
        heads.append(head)
    paragraphs, parts, heads = flag_weak_codes(joint, codes, paragraphs, parts, heads)
    return Section(
        title=title,
        markdown="\n\n".join(p for p in paragraphs if p),
        headline=" ".join(heads),
        table=prevalence,
        parts=tuple(parts),
    )


def flag_weak_codes(
    joint: pd.DataFrame,
    codes: Sequence[str],
    paragraphs: list,
    parts: list,
    heads: list,
) -> tuple[list, list, list]:
    """Mark every weakly reliable code where a finding names it, with a footnote.

    A code of ``codes`` whose kappa is below the study's threshold (the joint display's
    ``low_reliability``) gets the mark :data:`evstudy.triangulation.LOW_RELIABILITY` after
    its italic label in the text and after its label in the tables; a footnote naming each
    such code with its kappa closes the section. Codes no finding names are left alone.
    """
    from evstudy.triangulation import LOW_RELIABILITY

    if "low_reliability" not in joint or not len(joint):
        return paragraphs, parts, heads
    weak = joint[joint["low_reliability"].astype(bool) & joint["code_id"].isin(list(codes))]
    if weak.empty:
        return paragraphs, parts, heads
    labels = [str(x) for x in weak["label"]]
    marks = {
        f"*{form}*": f"*{form}*{LOW_RELIABILITY}" for x in labels for form in {x, midsentence(x)}
    }

    def mark(text: str) -> str:
        for plain, flagged in marks.items():
            text = text.replace(flagged, plain).replace(plain, flagged)  # never twice
        return text

    def mark_table(part: Table) -> Table:
        frame = part.frame.copy()
        for column in frame.columns:
            if frame[column].dtype == object:
                hit = frame[column].isin(labels)
                if hit.any():
                    frame.loc[hit, column] = frame.loc[hit, column] + " " + LOW_RELIABILITY
        return replace(part, frame=frame)

    paragraphs = [mark(p) if isinstance(p, str) else p for p in paragraphs]
    heads = [mark(h) if isinstance(h, str) else h for h in heads]
    parts = [
        mark(p) if isinstance(p, str) else mark_table(p) if isinstance(p, Table) else p
        for p in parts
    ]
    text = " ".join(str(p) for p in [*paragraphs, *parts] if isinstance(p, str))
    tables = [p.frame for p in parts if isinstance(p, Table) and p.frame is not None]
    named = [
        r
        for r in weak.itertuples()
        if f"*{r.label}*{LOW_RELIABILITY}" in text
        or f"*{midsentence(r.label)}*{LOW_RELIABILITY}" in text
        or any((f == f"{r.label} {LOW_RELIABILITY}").to_numpy().any() for f in tables)
    ]
    if named:
        which = listing(
            f"*{midsentence(r.label)}* (κ {r.kappa:.2f})"
            if pd.notna(r.kappa)
            else f"*{midsentence(r.label)}* (κ undefined)"
            for r in named
        )
        note = (
            f"{LOW_RELIABILITY} Inter-coder agreement is below the study's kappa threshold for "
            f"{which}: read the findings on {'them' if len(named) > 1 else 'it'} with caution."
        )
        if note not in text:
            parts = [*parts, note]
    return paragraphs, parts, heads


def _generic_text(study: Study, counts: pd.DataFrame, title: str) -> tuple[str, str]:
    """The codes serving a question, the most raised among the headline population."""
    label, outside = _population_words(study)
    base = int(counts["base"].iloc[0]) if len(counts) else 0
    raised = counts[counts["participants"] > 0].sort_values(
        "participants", ascending=False, kind="stable"
    )
    if not base or raised.empty:
        text = fill(
            "{n} serve this question; no interviewee, focus-group or expert-interview "
            "participant was coded to any of them.",
            n=plural(len(counts), "code"),
        )
        return text, text
    top = raised.head(3)
    head = fill(
        "The codes {label} raised most were {codes} ({counts} of {base}).",
        label=label,
        codes=italic(midsentence(x) for x in top["label"]),
        counts=listing(small(x, suppress_max=suppress_max_of(study)) for x in top["participants"]),
        base=base,
    )
    text = fill(
        "{n} serve this question (table *{title}: codes*). {head} Shares are of the {base} "
        "{label} coded in the transcripts.",
        n=plural(len(counts), "code"),
        title=title,
        head=head,
        base=base,
        label=label,
    )
    out_base = int(counts["outside_base"].iloc[0]) if len(counts) else 0
    if outside and out_base:
        lead = counts.sort_values("outside_participants", ascending=False, kind="stable").iloc[0]
        text += " " + fill(
            "Reported apart: of the {k} {who} participants, outside the headline population, "
            "{n} raised *{code}*, the code they raised most.",
            k=out_base,
            who=outside,
            code=midsentence(lead["label"]),
            n=int(lead["outside_participants"]),
        )
    return text, head


def section_exemplars(study: Study, *, coder: str | None = "primary") -> pd.DataFrame:
    """The exemplar quote of each code in each findings section, none shown twice.

    A code may serve several research questions, and so be tabled in several sections of
    one page: each section gets the best passage no earlier section has shown, in the order
    of :func:`research_questions`, then *Other themes raised*. This is the first view of
    the main page (:data:`evstudy.matrices.PAGE_VIEWS`); the page's later views keep apart
    from it.

    Returns
    -------
    DataFrame
        rq_id, code_id, quote, attribution; a code without a passage left to show has no
        row for that section.
    """
    return derived(
        study, ("section_exemplars", coder), partial(_section_exemplars, study, coder)
    ).copy()


def _section_exemplars(study: Study, coder: str | None) -> pd.DataFrame:
    from evstudy.coding import published_words

    ranked = exemplars(study, by=["code_id"], methods=TRANSCRIPT_METHODS, coder=coder, n=None)
    by_code = {code: rows for code, rows in ranked.groupby("code_id", sort=False)}
    sections = [(rq, codes_serving(study, rq)) for rq in research_questions(study)["rq_id"]]
    sections.append((OTHER, _unassigned(study)))
    used: set[str] = set()
    rows = []
    for rq_id, codes in sections:
        for code in codes:
            for quote, attribution in by_code.get(code, ranked.iloc[0:0])[
                ["quote", "attribution"]
            ].itertuples(index=False):
                key = published_words(quote)
                if key not in used:
                    used.add(key)
                    rows.append((rq_id, code, quote, attribution))
                    break
    return pd.DataFrame(rows, columns=["rq_id", "code_id", "quote", "attribution"])


def _generic_parts(
    study: Study,
    codes: list[str],
    counts: pd.DataFrame,
    prevalence: pd.DataFrame,
    coder: str | None,
    title: str,
    rq_id: str,
) -> list:
    """The codes table (population, methods, a quote), and role groups and sites by code."""
    from evstudy.disclosure import MARKER, hidden_keys, population_keys

    hidden = hidden_keys(study)
    keys = [population_keys(study, c) for c in counts.index]  # indexed by code_id
    label, outside = _population_words(study)
    table = counts[["label", "participants", "base"]].copy()
    # Counts of people the publication ledger withholds are "c" (issue 20 section 5).
    table["population"] = [
        f"{MARKER if key['headline'] in hidden else k} of {b}" if b else ""
        for key, k, b in zip(keys, table["participants"], table["base"], strict=True)
    ]
    if outside and int(counts["outside_base"].iloc[0]):
        table["outside"] = [
            f"{MARKER if key['outside'] in hidden else k} of {b}"
            for key, k, b in zip(
                keys, counts["outside_participants"], counts["outside_base"], strict=True
            )
        ]
    methods = _wide(prevalence, "method", hidden)
    table = table.join(methods, on="label") if len(methods) else table
    quotes = section_exemplars(study, coder=coder)
    quotes = quotes[quotes["rq_id"] == rq_id].set_index("code_id").reindex(codes)
    table["quote"] = quotes["quote"].to_numpy()
    table["attribution"] = quotes["attribution"].to_numpy()
    table = table.drop(columns=["participants", "base"]).rename(columns={"label": "code"})
    labels = {**PREVALENCE_LABELS, "population": label.capitalize()}
    if outside:
        labels["outside"] = outside.capitalize()
    parts: list = [
        Table(
            table,
            caption=f"{title}: codes",
            labels=labels,
        )
    ]
    for by, noun in (("role_group", "role group"), ("site", study.site_noun)):
        wide = _wide(prevalence, by, hidden)
        if len(wide) and wide.shape[1] > 0:
            parts.append(
                Table(
                    wide,
                    caption=f"{title}: participants by {noun} (share of its coded participants)",
                    index=True,
                )
            )
    return parts


def _survey_text(
    study: Study, codes: list[str], joint: pd.DataFrame, title: str
) -> tuple[str, list]:
    """The survey items tied to the codes, interviews against survey, and the joint display."""
    from evstudy.triangulation import joint_display_table

    rows = joint[joint["code_id"].isin(codes)]
    parts: list = []
    if not _has_survey(study):
        return "", [
            Table(
                joint_display_table(rows).drop(columns=["survey"]),
                caption=f"{title}: joint display",
                labels=DISPLAY_LABELS,
            ),
        ] if len(rows) else []
    items = _survey_items(study, codes)
    sentences = []
    asked = rows.dropna(subset=["survey_pct"])
    for question, part in asked.groupby("question_id", sort=False):
        spoke = _spoke_of(part, suppress_max_of(study))
        survey = part.sort_values(["survey_pct", "code_id"], ascending=[False, True]).head(2)
        statistic = str(part["statistic"].iloc[0])
        answered = (
            "most often chose {s} ({s_pct})"
            if statistic == "chose it"
            else f"most often {statistic} for {{s}} ({{s_pct}})"
        )
        sentences.append(
            fill(
                "Asked *{q}*, survey respondents " + answered + "{spoke}.",
                q=_question_text(study, question),
                s=italic(midsentence(x) for x in survey["label"]),
                s_pct=listing(pct(x) for x in survey["survey_pct"]),
                spoke=spoke,
            )
        )
    if items.empty:
        sentences.append(
            "The survey asked about none of these codes (tie options or grid items to codes "
            "with `code:` in survey/question_map.yml)."
            if _has_responses(study)
            else missing_input("survey_responses")
        )
    else:
        parts.append(
            Table(
                items,
                caption=f"{title}: survey items tied to its codes",
                percent=["pct", "ci_low", "ci_high"],
                labels={
                    "question": "Question",
                    "item": "Item or option",
                    "code": "Code",
                    "statistic": "Statistic",
                    "n": "n",
                    "base": "Base",
                    "pct": "Share",
                    "ci_low": "95% CI low",
                    "ci_high": "95% CI high",
                },
            )
        )
    convergence = rows["convergence"].value_counts()
    dissonant = rows[rows["convergence"] == "dissonance"]
    compared = asked[asked["convergence"] != "silence"]
    if len(compared):
        sentences.append(
            fill(
                "In the joint display (table *{title}: joint display*), interviews, focus groups "
                "and the survey agreed on {a} of the {n} codes both the survey and the unprompted "
                "interviews or focus groups covered, partly agreed on {p} and were dissonant on "
                "{d}{which}.",
                title=title,
                a=none_or(convergence.get("agreement", 0)),
                n=len(compared),
                p=none_or(convergence.get("partial agreement", 0)),
                d=none_or(convergence.get("dissonance", 0)),
                which=fill(
                    " ({x})", x=shortlist(italic(midsentence(x) for x in dissonant["label"]))
                )
                if len(dissonant)
                else "",
            )
        )
    if len(rows):
        parts.append(
            Table(
                joint_display_table(rows).drop(columns="theme"),
                caption=f"{title}: joint display",
                labels=DISPLAY_LABELS,
            )
        )
    return " ".join(sentences), parts


def _spoke_of(part: pd.DataFrame, suppress_max: int) -> str:
    """What each conversational method spoke of most among the codes, each with its base.

    Never a pooled share, and never a mention the method's topic guide prompted.
    """
    said = []
    for method, people in (
        ("interview", "interviewees"),
        ("focus_group", "focus-group participants"),
    ):
        if f"{method}_n" not in part:
            continue
        counted = part[~part[f"{method}_prompted"].astype(bool) & (part[f"{method}_n"] > 0)]
        if counted.empty:
            continue
        top = counted[f"{method}_n"].max()
        lead = counted[counted[f"{method}_n"] == top]
        said.append(
            fill(
                "{people} most often spoke of {t} ({k} of {b}{each})",
                people=people,
                t=italic(midsentence(x) for x in lead["label"]),
                k=small(top, suppress_max=suppress_max),
                b=int(lead[f"{method}_base"].iloc[0]),
                each=" each" if len(lead) > 1 else "",
            )
        )
    return "; on the same codes, " + " and ".join(said) if said else ""


DISPLAY_LABELS = {
    "theme": "Theme",
    "code": "Code",
    "interviews": "Interviews",
    "focus_groups": "Focus groups",
    "outside": "Outside the headline population (not counted)",
    "survey": "Survey",
    "literature": "Literature",
    "convergence": "Convergence",
    "reason": "Why",
    "literature_convergence": "Literature against fieldwork",
}


# --- the whole findings ------------------------------------------------------------------------


def _all_sections(study: Study, coder: str | None, display: pd.DataFrame | None) -> list[Section]:
    # The summary's headlines and the findings ask for the same sections: built once per
    # joint display. The cache keeps the display alive, so its id cannot be reused.
    key = ("sections", coder, None if display is None else id(display))
    kept, sections = derived(study, key, lambda: (display, _build_sections(study, coder, display)))
    return list(sections) if kept is display else _build_sections(study, coder, display)


def _build_sections(study: Study, coder: str | None, display: pd.DataFrame | None) -> list[Section]:
    joint = _joint(study, coder, display)
    found = [
        research_question(study, r, coder=coder, display=joint)
        for r in research_questions(study)["rq_id"]
    ]
    other = other_themes(study, coder=coder, display=joint)
    return [*found, other] if other is not None else found


def headlines(
    study: Study, *, coder: str | None = "primary", display: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One computed sentence per research question (or theme), for the executive summary.

    Returns
    -------
    DataFrame
        rq_id, title (the section heading), question (the full text, "" for themes),
        headline (Markdown).
    """
    rqs = research_questions(study)
    sections = _all_sections(study, coder, display)[: len(rqs)]
    return pd.DataFrame(
        {
            "rq_id": rqs["rq_id"].to_numpy(),
            "title": [s.title for s in sections],
            "question": rqs["text"].to_numpy(),
            "headline": [s.headline for s in sections],
        },
        columns=["rq_id", "title", "question", "headline"],
    )


def render(section: Section, *, figures: Any = None, level: int = 3) -> list:
    """A section as the IPython objects a notebook displays, charts saved to ``figures``.

    Parameters
    ----------
    section : Section
    figures : path, optional
        Where charts are saved (see :func:`evstudy.report.save_and_show`).
    level : int, default 3
        The heading's Markdown level.
    """
    from IPython.display import Markdown

    from evstudy.report import save_and_show, table

    shown: list = [Markdown(f"{'#' * level} {section.title}\n\n{section.markdown}")]
    for part in section.parts:
        if isinstance(part, str):
            shown.append(Markdown(part))
        elif isinstance(part, Table):
            frame = part.frame
            if frame is None or not len(frame):
                continue
            shown.append(
                table(
                    frame,
                    caption=part.caption,
                    labels=dict(part.labels),
                    percent=list(part.percent),
                    index=part.index,
                )
            )
        elif isinstance(part, Chart):
            shown.append(
                save_and_show(part.draw(), notebook="synthesis", name=part.name, folder=figures)
            )
    return shown


def findings(
    study: Study,
    *,
    coder: str | None = "primary",
    display: pd.DataFrame | None = None,
    figures: Any = None,
) -> list:
    """Every findings section, ready to display: one per research question (or theme),
    then "Other themes raised" when some codes serve no declared question.

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"
    display : DataFrame, optional
        The joint display the report shows (with the researcher's overrides).
    figures : path, optional
        Where charts are saved.

    Returns
    -------
    list
        IPython Markdown and HTML objects, for ``display(*findings(...))``.
    """
    from IPython.display import Markdown

    shown: list = []
    if not _has_survey(study):
        shown.append(Markdown(missing_input("survey")))
    elif not _has_responses(study):
        shown.append(Markdown(missing_input("survey_responses")))
    if not _valenced(study, list(study.codebook["code_id"])):
        shown.append(Markdown(missing_input("comb")))
    for section in _all_sections(study, coder, display):
        shown.extend(render(section, figures=figures))
    return shown
