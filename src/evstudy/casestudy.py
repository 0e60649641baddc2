"""One site's case study: its context, who took part, its themes, quotes and how it compares.

Each section of ``site_case_study.ipynb`` is one call here, and everything a page says
comes from the study's own files: the site's attributes from the site table, its themes
from the codebook, its typologies from the ``site_typology`` analyses study.yml declares.
Text comes from computed values through the templating helpers of
:mod:`evstudy.narrative`; quotes come from :func:`evstudy.matrices.exemplars`, so they
carry published attributions only; the table of who took part is a table of people and
is published under the suppression rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from evstudy.filters import plural_noun, resolve_one
from evstudy.matrices import LEVELS, METHOD_LABELS, exemplars, framework_matrix, site_comparison
from evstudy.narrative import (
    fill,
    listing,
    midsentence,
    number_word,
    people_count,
    plural,
    prose,
    small,
    suppress_max_of,
)

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = [
    "MIXED",
    "admin_summary",
    "attribute_label",
    "comparison_text",
    "good_practice",
    "key_quotes",
    "participants_words",
    "participation",
    "participation_counts",
    "precompute",
    "profile_text",
    "published_comparison",
    "resolve_site",
    "site_attributes",
    "site_documents",
    "site_typology",
    "sites_noun",
    "theme_blocks",
    "theme_evidence",
    "theme_text",
    "themes",
    "typology_blocks",
    "typology_text",
]

STANDS_OUT = 0.10  # a share this far from the cross-site mean is worth a sentence
MIXED = "mixed"  # a site whose leading types tie
NOT_ATTRIBUTES = {"site_id", "site_name", "row"}  # site-table columns that are not attributes
# Short words that stay lower case in a column's label; other words of 2-3 letters are
# taken for abbreviations ("la_type" -> "LA type", "imd_decile" -> "IMD decile").
SMALL_WORDS = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "per", "the", "to"}
SMALL_WORDS |= {"age", "all", "day", "fee", "key", "new", "old", "pay", "sex", "use", "yes"}


# --- the site -------------------------------------------------------------------------------------


def sites_noun(study: Study, n: int = 2) -> str:
    """What the study calls a site, in the plural unless ``n`` is 1 ("local authorities")."""
    return plural_noun(study.site_noun, n)


def resolve_site(study: Study, site: str | None = None) -> str:
    """The ``site_id`` of a site given by id or name (any case); None means the first site.

    The same resolver as every other filter of the API (:func:`evstudy.filters.resolve_one`).

    Raises
    ------
    ValueError
        When the study has no sites, or ``site`` names none of them: the message lists
        the sites (all of them when there are 10 or fewer) and the closest matches.
    """
    ids = [str(s) for s in study.sites["site_id"]]
    if not ids:
        raise ValueError("the study has no sites: add them to sites.csv")
    if site is None:
        return ids[0]
    return resolve_one(study, "site", site)


def _site_row(study: Study, site: str) -> pd.Series:
    return study.sites.set_index("site_id").loc[resolve_site(study, site)]


def attribute_label(column: str) -> str:
    """A site-table column as a label: "la_type" -> "LA type", "region" -> "Region"."""
    words = [w for w in str(column).replace("-", "_").split("_") if w]
    shown = [
        w.upper() if 2 <= len(w) <= 3 and w.casefold() not in SMALL_WORDS else w.lower()
        for w in words
    ]
    text = " ".join(shown)
    return text[:1].upper() + text[1:]


def _shown(value: Any) -> str | None:
    """A cell as text for a sentence; None when blank (never "None" or "nan")."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def site_attributes(study: Study, *, site: str) -> pd.DataFrame:
    """The site's attributes: every column of the site table but its id and name, labelled.

    Returns
    -------
    DataFrame
        attribute (label from the column name, see :func:`attribute_label`), value
        (text); blank cells are left out.
    """
    row = _site_row(study, site)
    rows = [
        (attribute_label(column), _shown(value))
        for column, value in row.items()
        if column not in NOT_ATTRIBUTES
    ]
    return pd.DataFrame(
        [(a, v) for a, v in rows if v is not None], columns=["attribute", "value"], dtype=object
    )


def profile_text(study: Study, *, site: str) -> str:
    """The site in one paragraph, from its row of the site table (blank cells left out).

    It opens with what is most distinctive about the site: the attribute whose value the
    fewest other sites share (the first such column on a tie), then lists the others.
    """
    row = _site_row(study, site)
    name = row["site_name"]
    n = len(study.sites)
    attributes = site_attributes(study, site=site)
    sites = plural(n, study.site_noun, sites_noun(study))
    if n == 1:
        return prose(f"{name} is the study's one {study.site_noun}.")
    if attributes.empty:
        return prose(
            f"{name} is one of the study's {sites}. The site table gives no other attributes "
            "for it."
        )
    columns = [c for c in study.sites.columns if c not in NOT_ATTRIBUTES]
    shared = {}
    for column in columns:
        value = _shown(row.get(column))
        if value is not None:
            same = study.sites[column].map(_shown) == value
            shared[column] = int(same.sum()) - 1  # other sites with the same value
    column = min(shared, key=lambda c: (shared[c], columns.index(c)))
    label, value = midsentence(attribute_label(column)), _shown(row[column])
    others = shared[column]
    if others == 0:
        text = f"{name} is the only one of the study's {sites} whose {label} is {value}."
    else:
        text = (
            f"{name} is one of the study's {sites}; its {label} ({value}) is shared by "
            f"{number_word(others)} other{'s' if others > 1 else ''}."
        )
    rest = [
        f"{midsentence(a)}: {v}"
        for a, v in attributes.itertuples(index=False)
        if a != attribute_label(column)
    ]
    if rest:
        text += f" The site table also records its {'; '.join(rest)}."
    return prose(text)


def admin_summary(study: Study, *, site: str) -> pd.DataFrame:
    """The site's admin data by year, beside the median of every site in the latest year.

    Returns
    -------
    DataFrame
        measure, unit, one column per year, all_sites_median (latest year); no rows when
        the study has no admin data, or none for this site.
    """
    site = resolve_site(study, site)
    admin = study.admin
    if admin.empty or not (admin["site_id"] == site).any():
        return pd.DataFrame(columns=["measure", "unit", "all_sites_median"])
    mine = admin[admin["site_id"] == site].pivot_table(
        index=["measure", "unit"], columns="year", values="value", sort=False
    )
    latest = admin[admin["year"] == admin["year"].max()]
    median = latest.groupby(["measure", "unit"], sort=False)["value"].median()
    out = mine.join(median.rename("all_sites_median")).reset_index()
    out.columns = [str(c) for c in out.columns]
    return out


def site_documents(study: Study, *, site: str) -> pd.DataFrame:
    """The site's transcripts (not survey answers): documents by method, with words.

    Where a method's documents are one per participant (interviews), their number is a
    count of people; when the publication ledger withholds it
    (:func:`evstudy.disclosure.publication_ledger`), the methods are given as one row.

    Returns
    -------
    DataFrame
        method (label), documents, words; no rows when the site has no transcript.
    """
    from evstudy.disclosure import hidden_keys, ledger_key

    site = resolve_site(study, site)
    docs = study.documents
    docs = docs[(docs["site_id"] == site) & (docs["method"] != "survey")]
    hidden = hidden_keys(study)
    if any(ledger_key("participants", site=site, method=m) in hidden for m in docs["method"]):
        pooled = " and ".join(dict.fromkeys(METHOD_LABELS.get(m, m) for m in docs["method"]))
        docs = docs.assign(method=pooled)
    table = (
        docs.assign(method=docs["method"].map(lambda m: METHOD_LABELS.get(m, m)))
        .groupby("method", sort=False)
        .agg(documents=("doc_id", "size"), words=("n_words", "sum"))
        .reset_index()
    )
    return table.astype({"documents": "int64", "words": "int64"})


def participants_words(study: Study, *, site: str) -> str:
    """The site's participants for the "Who took part" sentence, as the ledger allows.

    The site's count of participants is a count of people: when the publication ledger
    withholds it (:func:`evstudy.disclosure.hidden_keys`) it is "fewer than N
    participants" (or "participants" alone, when it is withheld as a larger count).

    Examples
    --------
    ``"14 participants"``, ``"fewer than 4 participants"``.
    """
    from evstudy.disclosure import hidden_keys, ledger_key

    site = resolve_site(study, site)
    n = int((study.participants["site_id"] == site).sum())
    sm = suppress_max_of(study)
    if ledger_key("participants", site=site) in hidden_keys(study) and n > sm:
        return "participants"
    return people_count(n, "participant", suppress_max=sm)


def published_comparison(
    study: Study, *, site: str, level: str = "theme", coder: str | None = "primary"
) -> pd.DataFrame:
    """:func:`evstudy.matrices.site_comparison` as the site page publishes it.

    The site's counts of participants (and their shares) are ``"c"`` where the
    publication ledger withholds them; the base and the shares where it withholds the
    site's count of coded participants.
    """
    from evstudy.disclosure import ledger_key, site_base_key, withhold

    site = resolve_site(study, site)
    table = site_comparison(study, site=site, level=level, coder=coder)
    dim = "theme" if level == "theme" else "code"
    keys = [ledger_key("participants", site=site, **{dim: c}) for c in table["code_id"]]
    bases = [site_base_key(study, site, int(b)) for b in table["base"]]
    return withhold(study, table, keys, base_keys=bases)


def participation_counts(study: Study, *, site: str) -> pd.DataFrame:
    """People who took part at the site by role group (rows) and method (columns), unsuppressed.

    Ids, not labels: the publication ledger keys its counts by them. A person who took
    part in two methods is counted in both columns.
    """
    site = resolve_site(study, site)
    people = study.participants[study.participants["site_id"] == site]
    if people.empty:
        return pd.DataFrame(index=pd.Index([], name="role_group"))
    people = people.assign(method=people["methods"].str.split("; ")).explode("method")
    counts = pd.crosstab(people["role_group"], people["method"])
    labels = study.role_group_labels
    counts = counts.reindex([g for g in labels if g in counts.index] or counts.index)
    return counts.rename_axis(index="role_group", columns=None)


def participation(study: Study, *, site: str) -> pd.DataFrame:
    """Who took part at the site, by role group and method, as published.

    A table of people: counts from 1 to ``suppress_max``, and every count that would
    reveal one from figures published anywhere in the report, are shown as "c", as the
    publication ledger decides (:func:`evstudy.disclosure.publication_ledger`).

    Returns
    -------
    DataFrame
        Index the role-group labels, columns the methods (and totals); whole numbers or "c".
        No rows when nobody at the site took part.
    """
    from evstudy.disclosure import participation_keys, published_table

    site = resolve_site(study, site)
    counts = participation_counts(study, site=site)
    if counts.empty:
        return pd.DataFrame(index=pd.Index([], name="Role group"))
    shown = published_table(study, counts, participation_keys(study, site, counts))
    return shown.rename(
        index={**study.role_group_labels, "Total": "Total"}, columns=METHOD_LABELS
    ).rename_axis(index="Role group", columns=None)


# --- typologies -----------------------------------------------------------------------------------


def _typology(study: Study, analysis: Mapping[str, Any] | None) -> Mapping[str, Any]:
    from evstudy.study import analyses_of

    declared = analyses_of(study, "site_typology")
    if analysis is None:
        if not declared:
            raise ValueError(
                "the study declares no site_typology analysis: declare one under "
                "`analyses:` in study.yml, or pass `analysis`"
            )
        return declared[0]
    if analysis.get("type") != "site_typology":
        raise ValueError(
            f"`analysis` must be a site_typology analysis, but {analysis.get('type')!r} was passed"
        )
    return analysis


def site_typology(
    study: Study, *, analysis: Mapping[str, Any] | None = None, coder: str | None = "primary"
) -> pd.DataFrame:
    """Each site's type under a declared ``site_typology``: the type most participants describe.

    Counts the participants at each site coded to each type's code (survey respondents
    who named the site count too); a site takes the type with the most, and is
    :data:`MIXED` when the leaders tie (including when nobody described any).

    Parameters
    ----------
    study : Study
    analysis : mapping, optional
        One of ``evstudy.study.analyses_of(study, "site_typology")``; default the first.
    coder : str or None, default "primary"

    Returns
    -------
    DataFrame
        site_id, site_name, one column of participants per type id (declared order),
        type (a type id or "mixed"), label (the type's label, or "mixed").
    """
    analysis = _typology(study, analysis)
    types = [dict(t) for t in analysis["types"]]
    key = ("site_typology", tuple((t["id"], t["code"]) for t in types), coder)
    return _derived_copy(study, key, lambda: _site_typology(study, types, coder))


def _derived_copy(study: Study, key: tuple, compute: Any) -> pd.DataFrame:
    """A cached derived table (:func:`evstudy.study.derived`), copied for the caller."""
    from evstudy.study import derived

    return derived(study, key, compute).copy()


def _site_typology(study: Study, types: list[dict], coder: str | None) -> pd.DataFrame:
    from evstudy.sections import typology_table

    table = typology_table(study, {"type": "site_typology", "types": types}, coder=coder)
    labels = {str(t["id"]): t["label"] for t in types}
    return table.drop(columns="type_label").assign(
        label=lambda t: t["type"].map(lambda kind: labels.get(kind, MIXED))
    )


def typology_text(
    study: Study,
    *,
    site: str,
    analysis: Mapping[str, Any] | None = None,
    coder: str | None = "primary",
) -> str:
    """The site's type under a declared ``site_typology``, with the counts behind it."""
    analysis = _typology(study, analysis)
    site = resolve_site(study, site)
    table = site_typology(study, analysis=analysis, coder=coder)
    row = table.set_index("site_id").loc[site]
    types = list(analysis["types"])
    sm = suppress_max_of(study)

    def words(t: Mapping[str, Any]) -> str:
        n = int(row[t["id"]])
        return (
            "some" if n > sm and _withheld(study, site, t["code"], n) else small(n, suppress_max=sm)
        )

    counted = [
        f"{words(t)}"
        f"{' participant' + ('' if int(row[t['id']]) == 1 else 's') if i == 0 else ''} "
        f"described {t['label']}"
        for i, t in enumerate(types)
    ]
    same = int((table["type"] == row["type"]).sum())
    kind = row["label"]
    return prose(
        fill(
            "At {name}, {counted}, so the evidence points to **{kind}** ({same} of the study's "
            "{n} are {kind_short}).",
            name=row["site_name"],
            counted=listing(counted),
            kind=kind,
            same=str(same),
            n=plural(len(table), study.site_noun, sites_noun(study)),
            kind_short=row["type"],
        )
    )


# --- themes ---------------------------------------------------------------------------------------


def themes(study: Study) -> pd.DataFrame:
    """The codebook's themes (its top-level codes) in codebook order.

    Returns
    -------
    DataFrame
        theme_id, label.
    """
    book = study.codebook
    top = book[book["parent_id"].isna()]
    return top[["code_id", "label"]].rename(columns={"code_id": "theme_id"}).reset_index(drop=True)


def theme_evidence(
    study: Study, *, site: str, theme: str | list[str], coder: str | None = "primary"
) -> pd.DataFrame:
    """The codes of a theme at the site: how many participants, against the other sites.

    Parameters
    ----------
    study : Study
    site : str
        A site id or name.
    theme : str or list of str
        Theme (or code) ids; every code below them is shown.
    coder : str or None, default "primary"

    Returns
    -------
    DataFrame
        code_id, label, participants, base, share, mean_share (mean of every site's share),
        difference, quote, attribution (the site's exemplar; None when nobody here raised it);
        participants descending. No rows when the site has no coded transcript.
    """
    from evstudy.coding import expand_codes

    site = resolve_site(study, site)
    codes = expand_codes(study, theme, param="theme")
    compared = site_comparison(study, site=site, level="code", coder=coder)
    compared = compared[compared["code_id"].isin(codes)]
    quotes = exemplars(study, by=["site_id", "code_id"], coder=coder)
    quotes = quotes[quotes["site_id"] == site].set_index("code_id")
    out = compared.assign(
        quote=compared["code_id"].map(quotes["quote"]),
        attribution=compared["code_id"].map(quotes["attribution"]),
    )
    out = out.sort_values(["participants", "code_id"], ascending=[False, True], kind="stable")
    cols = ["code_id", "label", "participants", "base", "share", "mean_share", "difference"]
    return out[[*cols, "quote", "attribution"]].reset_index(drop=True)


def _withheld(study: Study, site: str, code: str, n: int) -> bool:
    """Whether prose must not give the site's count of participants coding ``code``:
    the rule suppresses it, or the publication ledger withholds it (secondary)."""
    from evstudy.disclosure import hidden_keys, ledger_key

    sm = suppress_max_of(study)
    return 1 <= int(n) <= sm or ledger_key("participants", site=site, code=code) in hidden_keys(
        study
    )


def _base_withheld(study: Study, site: str, base: int) -> bool:
    """Whether the ledger withholds the site's count of coded participants (a share's base)."""
    from evstudy.disclosure import hidden_keys, site_base_key

    return site_base_key(study, site, int(base)) in hidden_keys(study)


def _people_words(study: Study, site: str, code: str, n: int, base: int) -> str:
    """A site's count of participants coding ``code`` for prose, as the ledger allows it.

    A withheld count is never a number: "fewer than N" when the rule suppresses it,
    "some" when the ledger withholds a larger count; the base is named only when the
    ledger publishes it.
    """
    from evstudy.disclosure import hidden_keys, site_base_key

    sm = suppress_max_of(study)
    n = int(n)
    if site_base_key(study, site, int(base)) in hidden_keys(study):
        if not _withheld(study, site, code, n):
            return people_count(n, "participant", suppress_max=sm)
        return "fewer than " + f"{sm + 1} participants" if n <= sm else "some participants"
    if 1 <= n <= sm or not _withheld(study, site, code, n):
        return people_count(n, "participant", suppress_max=sm, base=int(base))
    return f"some of the {int(base):,} participants"


def theme_text(
    study: Study, *, site: str, theme: str | list[str], coder: str | None = "primary"
) -> str:
    """One paragraph on a theme at the site, led by what is distinctive there.

    A code *stands out* when the share of the site's participants raising it is at least
    10 percentage points above the mean of every site's share, and is *raised less* when
    it is at least 10 points below. The paragraph opens with the site's most raised code,
    saying whether it also stands out or is common to most sites, then the code that stands
    out most and the one raised least against the others; a theme where nothing stands out
    says so. A count of people the disclosure rule suppresses is written "fewer than N",
    never as a number or a share.
    """
    name = _site_row(study, site)["site_name"]
    table = theme_evidence(study, site=site, theme=theme, coder=coder)
    raised = table[table["participants"] > 0]
    if raised.empty:
        return f"No participant at {name} was coded to this theme."
    base = int(raised["base"].iloc[0])
    others = sites_noun(study)

    site = resolve_site(study, site)

    def share(r: Any) -> str:
        if _withheld(study, site, r.code_id, r.participants) or _base_withheld(study, site, base):
            return _people_words(study, site, r.code_id, r.participants, base)
        return fill("{s:pct} of participants here", s=r.share)

    top = next(raised.itertuples())
    above = raised[raised["difference"] >= STANDS_OUT].sort_values("difference", ascending=False)
    below = table[table["difference"] <= -STANDS_OUT].sort_values("difference")
    counted = _people_words(study, site, top.code_id, top.participants, base)
    label = midsentence(top.label)
    if len(above) and above["code_id"].iloc[0] == top.code_id:
        text = fill(
            "Participants at {name} raised *{l}* more than anything else in this theme, and "
            "well above the cross-site mean: {n}, against {m:pct}.",
            name=name, l=label, n=counted, m=top.mean_share,
        )  # fmt: skip
        above = above.iloc[1:]
    elif top.difference > -STANDS_OUT:
        text = fill(
            "*{L}* led this theme at {name} ({n}), in line with the mean share across the "
            "{others} ({m:pct}).",
            others=others, L=top.label, name=name, n=counted, m=top.mean_share,
        )  # fmt: skip
    else:
        text = fill(
            "The code most raised in this theme at {name}, *{l}* ({n}), was still raised less "
            "than the mean share across the {others} ({m:pct}).",
            name=name, l=label, n=counted, others=others, m=top.mean_share,
        )  # fmt: skip
        below = below[below["code_id"] != top.code_id]
    if len(above):
        r = next(above.itertuples())
        text += fill(
            " What stood out here was *{l}*: {s}, against a cross-site mean of {m:pct}.",
            l=midsentence(r.label), s=share(r), m=r.mean_share,
        )  # fmt: skip
    if len(below):
        r = next(below.itertuples())
        text += fill(
            " Fewer participants here than elsewhere raised *{l}* ({s}, against a cross-site "
            "mean of {m:pct}).",
            l=midsentence(r.label), s=share(r), m=r.mean_share,
        )  # fmt: skip
    if not len(above) and not len(below):
        text += fill(
            " No code in this theme set {name} apart from the other {others} by 10 points "
            "or more.",
            name=name, others=others,
        )  # fmt: skip
    return prose(text)


def _theme_quotes(study: Study, site: str, coder: str | None) -> list[str]:
    """The quotes the page's theme sections show (one exemplar per code raised here)."""
    quotes = exemplars(study, by=["site_id", "code_id"], coder=coder)
    return list(quotes.loc[quotes["site_id"] == site, "quote"])


def good_practice(
    study: Study,
    *,
    site: str,
    n: int = 3,
    coder: str | None = "primary",
    exclude: list[str] | None = None,
) -> pd.DataFrame:
    """Examples of good practice at the site: passages on what helps evidence use.

    Good practice is what the codebook's enablers describe (codes whose ``valence`` is
    "enabler"); one exemplar for each of the ``n`` such codes most participants at the
    site described.

    Parameters
    ----------
    exclude : list of str, optional
        Quotes the page already shows, never shown again. Default: the exemplars of the
        page's theme sections (:func:`theme_evidence`), so that the same words never
        appear twice on a site's page; ``[]`` excludes nothing.

    Returns
    -------
    DataFrame
        label, participants, quote, attribution (both "" when every passage of the code is
        already quoted on the page); no rows when the codebook marks no enabler or nobody
        here raised one.
    """
    book = study.codebook
    enablers = list(book.loc[book["valence"] == "enabler", "code_id"])
    columns = ["label", "participants", "quote", "attribution"]
    site = resolve_site(study, site)
    if not enablers:
        return pd.DataFrame(columns=columns)
    if exclude is None:
        exclude = _theme_quotes(study, site, coder)
    table = theme_evidence(study, site=site, theme=enablers, coder=coder)
    other = exemplars(study, by=["site_id", "code_id"], coder=coder, exclude=exclude)
    other = other[other["site_id"] == site].set_index("code_id")
    table = table.assign(
        quote=table["code_id"].map(other["quote"]),
        attribution=table["code_id"].map(other["attribution"]),
    )
    # A code whose every passage the page already quotes keeps its row, without a quote.
    table = table[table["participants"] > 0].head(n)
    table = table.assign(
        quote=table["quote"].where(table["quote"].notna(), ""),
        attribution=table["attribution"].where(table["quote"].notna(), ""),
    )
    return _published_participants(study, site, table)[columns].reset_index(drop=True)


def _published_participants(study: Study, site: str, table: pd.DataFrame) -> pd.DataFrame:
    """Counts of the site's participants coding each code, and their shares, as published:
    "c" where the publication ledger withholds them (they are counts of people)."""
    from evstudy.disclosure import MARKER, hidden_keys, ledger_key

    hidden = hidden_keys(study)
    gone = table["code_id"].map(lambda c: ledger_key("participants", site=site, code=c) in hidden)
    out = table.copy()
    for column in ("participants", "share"):
        if column in out.columns:
            out[column] = out[column].astype(object).mask(gone.to_numpy(dtype=bool), MARKER)
    return out


def key_quotes(
    study: Study,
    *,
    site: str,
    n: int = 5,
    coder: str | None = "primary",
    exclude: list[str] | None = None,
) -> pd.DataFrame:
    """Key quotes: one exemplar from each of the ``n`` themes most participants here raised.

    Parameters
    ----------
    exclude : list of str, optional
        Quotes the page already shows, never shown again. Default: those of the page's
        theme sections and of :func:`good_practice`, so that the same words never appear
        twice on a site's page; ``[]`` excludes nothing.

    Returns
    -------
    DataFrame
        theme, participants, quote, attribution; up to ``n`` rows, one per theme with a
        quote.
    """
    from evstudy.matrices import TRANSCRIPT_METHODS

    site = resolve_site(study, site)
    if not 1 <= n <= 10:
        raise ValueError(f"`n` must be one of {list(range(1, 11))}, but {n!r} was passed")
    if exclude is None:
        exclude = _theme_quotes(study, site, coder)
        exclude += list(good_practice(study, site=site, coder=coder, exclude=exclude)["quote"])
    matrix = framework_matrix(study, rows="site", coder=coder, exclude=())  # for its counts
    mine = matrix[matrix["row"] == site].drop(columns=["quote", "attribution"])
    best = exemplars(
        study, by=["site_id", "theme_id"], methods=TRANSCRIPT_METHODS, coder=coder, exclude=exclude
    )
    best = best[best["site_id"] == site].set_index("theme_id")
    mine = mine.assign(
        quote=mine["code_id"].map(best["quote"]),
        attribution=mine["code_id"].map(best["attribution"]),
    )
    mine = mine[mine["quote"].notna()]
    mine = mine.sort_values(["participants", "segments"], ascending=False, kind="stable").head(n)
    out = mine.rename(columns={"label": "theme"})[["theme", "participants", "quote", "attribution"]]
    return out.reset_index(drop=True)


def comparison_text(study: Study, *, site: str, coder: str | None = "primary") -> str:
    """How the site differs from the others: the codes furthest above and below the mean.

    The paragraph opens with the single largest difference, above or below the mean of
    every site, then names up to two more each way; a share resting on a count of people
    the disclosure rule suppresses is written "fewer than N of base".
    """
    name = _site_row(study, site)["site_name"]
    compared = site_comparison(study, site=resolve_site(study, site), level="code", coder=coder)
    if compared.empty:
        return f"Nothing coded at {name} can be compared with the other {sites_noun(study)}."
    site = resolve_site(study, site)

    def said(r: Any) -> str:
        here = (
            _people_words(study, site, r.code_id, r.participants, int(r.base))
            if _withheld(study, site, r.code_id, r.participants)
            or _base_withheld(study, site, int(r.base))
            else fill("{s:pct}", s=r.share)
        )
        return fill("{l} ({h} against {m:pct})", l=midsentence(r.label), h=here, m=r.mean_share)

    n = int(compared["n_sites"].max())
    if n <= 1:
        only = f"{name} is the study's only {study.site_noun}"
        return f"{only}, so there is no other to compare it with."
    sites = (
        f"both {sites_noun(study)}"
        if n == 2
        else f"all {plural(n, study.site_noun, sites_noun(study))}"
    )
    ordered = compared.assign(_gap=compared["difference"].abs()).sort_values(
        ["_gap", "code_id"], ascending=[False, True], kind="stable"
    )
    first = next(ordered.itertuples())
    above = compared[compared["difference"] > 0].sort_values("difference", ascending=False)
    below = compared[compared["difference"] < 0].sort_values("difference")
    above = above[above["code_id"] != first.code_id].head(2)
    below = below[below["code_id"] != first.code_id].head(2)
    figure = f"figure *{name} against all sites*"  # the chart the page shows beside it
    if first.difference > 0:
        text = fill(
            "Against the mean of {sites}, {name} differs most in how often its "
            "participants raised {lead}.",
            sites=sites, name=name, lead=said(first), figure=figure,
        )  # fmt: skip
    elif first.difference < 0:
        text = fill(
            "What sets {name} apart from the mean of {sites} is what its participants "
            "raised less: {lead}.",
            sites=sites, name=name, lead=said(first), figure=figure,
        )  # fmt: skip
    else:
        return f"Participants at {name} raised every code about as often as the mean of {sites}."
    more = [said(r) for r in above.itertuples()]
    less = [said(r) for r in below.itertuples()]
    if more and less:
        text += f" They also raised {listing(more)} more often, and {listing(less)} less often."
    elif more:
        text += f" They also raised {listing(more)} more often."
    elif less:
        text += f" They raised {listing(less)} less often."
    return prose(f"{text} The {figure} shows every code.")


def precompute(study: Study, *, coder: str | None = "primary") -> None:
    """Compute, once, the cross-site tables that every site's case study reads.

    Each site's page compares the site with all the others, so the pages share the site
    framework matrices, their ranks, the exemplar quotes and the declared typologies. A
    build computes them in the process its kernels are forked from (see
    :mod:`evstudy.build.warm`), so that no page computes them again; a page whose study
    lacks them computes them itself, with the same result.

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"
        As for the case-study functions (the notebook uses the default).
    """
    from evstudy.disclosure import publication_ledger
    from evstudy.study import analyses_of

    sites = study.sites["site_id"]
    if sites.empty:
        publication_ledger(study)  # every page's counts of people consult it
        return
    for level in LEVELS:
        site_comparison(study, site=sites.iloc[0], level=level, coder=coder)
    exemplars(study, by=["site_id", "code_id"], coder=coder)
    for analysis in analyses_of(study, "site_typology"):
        site_typology(study, analysis=analysis, coder=coder)
    _weak_codes(study)  # every page flags them; reliability takes half a second
    publication_ledger(study)  # every page's counts of people consult it


def _weak_codes(study: Study) -> pd.Series:
    """The study's weakly reliable codes with their kappa (cached; see theme_blocks)."""
    from evstudy.reliability import weak_codes

    return _derived_copy(study, ("weak_codes",), lambda: weak_codes(study).to_frame())["kappa"]


# --- page blocks ----------------------------------------------------------------------------------

EVIDENCE = ["label", "participants", "share", "mean_share", "quote", "attribution"]
EVIDENCE_LABELS = {
    "label": "Code",
    "participants": "Participants here",
    "share": "Share here",
    "mean_share": "All sites (mean share)",
    "quote": "Exemplar quote",
    "attribution": "Who",
}


def typology_blocks(study: Study, *, site: str, coder: str | None = "primary") -> list:
    """The page's section for each ``site_typology`` the study declares (Markdown objects).

    None when the study declares none, or the site has no transcript to type it by.
    """
    from IPython.display import Markdown

    from evstudy.study import analyses_of

    if site_documents(study, site=site).empty:
        return []
    return [
        Markdown(
            f"## {analysis['title'] or 'Site typology'}\n\n"
            + typology_text(study, site=site, analysis=analysis, coder=coder)
        )
        for analysis in analyses_of(study, "site_typology")
    ]


def theme_blocks(study: Study, *, site: str, coder: str | None = "primary") -> list:
    """The page's section for each theme of the codebook, in codebook order.

    Each is a heading (the theme's label), :func:`theme_text` and the
    :func:`theme_evidence` table. None when the site has no transcript.
    """
    from IPython.display import Markdown

    from evstudy.report import table
    from evstudy.triangulation import LOW_RELIABILITY

    if site_documents(study, site=site).empty:
        return []
    name = _site_row(study, site)["site_name"]
    weak = _weak_codes(study)
    blocks: list = []
    for theme in themes(study).itertuples():
        evidence = theme_evidence(study, site=site, theme=theme.theme_id, coder=coder)
        text = theme_text(study, site=site, theme=theme.theme_id, coder=coder)
        shown = _published_participants(study, site, evidence)[EVIDENCE]
        flagged = evidence[evidence["code_id"].isin(weak.index)]
        # A weakly reliable code is marked wherever the page reports it, with a footnote.
        for label in flagged["label"]:
            for form in dict.fromkeys([label, midsentence(label)]):
                text = text.replace(f"*{form}*", f"*{form}*{LOW_RELIABILITY}")
        shown.loc[evidence["code_id"].isin(weak.index).to_numpy(), "label"] = (
            flagged["label"] + " " + LOW_RELIABILITY
        ).to_numpy()
        blocks.append(Markdown(f"## {theme.label}\n\n" + text))
        blocks.append(
            table(
                shown,
                percent=["share", "mean_share"],
                labels=EVIDENCE_LABELS,
                caption=f"{theme.label} at {name}",
            )
        )
        if len(flagged):
            which = listing(
                f"*{midsentence(r.label)}* (κ {weak[r.code_id]:.2f})"
                if pd.notna(weak[r.code_id])
                else f"*{midsentence(r.label)}* (κ undefined)"
                for r in flagged.itertuples()
            )
            blocks.append(
                Markdown(
                    f"{LOW_RELIABILITY} Inter-coder agreement is below the study's kappa "
                    f"threshold for {which}: read the findings on "
                    f"{'them' if len(flagged) > 1 else 'it'} with caution."
                )
            )
    return blocks
