"""One site's case study: its context, who took part, its themes, quotes and how it compares.

Each section of ``site_case_study.ipynb`` is one call here. Text comes from computed values
through the templating helpers of :mod:`evstudy.narrative`; quotes come from
:func:`evstudy.matrices.exemplars`, so they carry published attributions only; the table
of who took part is a table of people and is published under the suppression rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from evstudy.matrices import LEVELS, METHOD_LABELS, exemplars, framework_matrix, site_comparison
from evstudy.narrative import fill, italic, listing, midsentence, plural

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = [
    "GOOD_PRACTICE",
    "admin_summary",
    "approach_text",
    "comparison_text",
    "good_practice",
    "key_quotes",
    "participation",
    "precompute",
    "profile_text",
    "theme_evidence",
    "theme_text",
]

# What the report counts as good practice: what helps evidence use (the enabler theme) and
# families designing services with staff.
GOOD_PRACTICE = ("enabler", "approach.coproduction")
STANDS_OUT = 0.10  # a share this far from the cross-site mean is worth a sentence


def _check_site(study: Study, site: str) -> pd.Series:
    sites = list(study.sites["site_id"])
    if site not in sites:
        raise ValueError(f"`site` must be one of {sites}, but {site!r} was passed")
    return study.sites.set_index("site_id").loc[site]


def profile_text(study: Study, *, site: str) -> str:
    """The site in one paragraph, from the site table."""
    p = _check_site(study, site)
    partner = (
        " It already works with the sponsor on other programmes."
        if str(p.get("foundations_partner", "")).lower() in {"true", "yes", "1"}
        else ""
    )
    return fill(
        "{name} is a {kind} ({tier} tier) in the {region} region, classed *{rurality}*, in "
        "deprivation decile {imd} (1 = the most deprived tenth of areas), with a {band} share "
        "of residents from ethnic minorities.{partner}",
        name=p["site_name"],
        kind=str(p["la_type"]).lower(),
        tier=p["tier"],
        region=p["region"],
        rurality=p["rurality"],
        imd=str(p["imd_decile"]),
        band=p["ethnic_minority_band"],
        partner=partner,
    )


def admin_summary(study: Study, *, site: str) -> pd.DataFrame:
    """The site's admin data by year, beside the median of every site in the latest year.

    Returns
    -------
    DataFrame
        measure, unit, one column per year, all_sites_median (latest year).
    """
    _check_site(study, site)
    admin = study.admin
    if admin.empty:
        return pd.DataFrame(columns=["measure", "unit", "all_sites_median"])
    mine = admin[admin["site_id"] == site].pivot_table(
        index=["measure", "unit"], columns="year", values="value", sort=False
    )
    latest = admin[admin["year"] == admin["year"].max()]
    median = latest.groupby(["measure", "unit"], sort=False)["value"].median()
    out = mine.join(median.rename("all_sites_median")).reset_index()
    out.columns = [str(c) for c in out.columns]
    return out


def participation(study: Study, *, site: str) -> pd.DataFrame:
    """Who took part at the site, by role group and method, as published.

    A table of people: counts from 1 to ``suppress_max`` and the cells that would reveal
    them are shown as "c" (:func:`evstudy.disclosure.suppress_table`).

    Returns
    -------
    DataFrame
        Index the role-group labels, columns the methods (and totals); whole numbers or "c".
    """
    from evstudy.disclosure import suppress_table

    _check_site(study, site)
    people = study.participants[study.participants["site_id"] == site]
    people = people.assign(method=people["methods"].str.split("; ")).explode("method")
    counts = pd.crosstab(people["role_group"], people["method"])
    labels = study.role_group_labels
    counts = counts.reindex([g for g in labels if g in counts.index] or counts.index)
    counts = counts.rename(index=labels, columns=METHOD_LABELS).rename_axis(
        index="Role group", columns=None
    )
    return suppress_table(counts, threshold=study.disclosure["suppress_max"])


def approach_text(study: Study, *, site: str, coder: str | None = "primary") -> str:
    """How the site commissions: structured cycle against reactive, with the counts."""
    from evstudy.report import approach_by_site

    name = _check_site(study, site)["site_name"]
    approach = approach_by_site(study, coder=coder)
    row = approach.set_index("site_id").loc[site]
    kinds = approach["approach"]
    same = int((kinds == row["approach"]).sum())
    return fill(
        "At {name}, {cycle} described a structured commissioning cycle and {reactive} "
        "reactive, unplanned commissioning, so the evidence points to a **{kind}** approach "
        "({same} of the study's {n} sites are {kind}).",
        name=name,
        cycle=plural(int(row["cycle"]), "participant"),
        reactive=str(int(row["reactive"])),
        kind=row["approach"],
        same=str(same),
        n=str(len(kinds)),
    )


def theme_evidence(
    study: Study, *, site: str, theme: str | list[str], coder: str | None = "primary"
) -> pd.DataFrame:
    """The codes of a theme at the site: how many participants, against the other sites.

    Parameters
    ----------
    study : Study
    site : str
    theme : str or list of str
        Theme (or code) ids; every code below them is shown.
    coder : str or None, default "primary"

    Returns
    -------
    DataFrame
        code_id, label, participants, base, share, mean_share (mean of every site's share),
        difference, quote, attribution (the site's exemplar; None when nobody here raised it);
        participants descending.
    """
    from evstudy.coding import expand_codes

    _check_site(study, site)
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


def theme_text(
    study: Study, *, site: str, theme: str | list[str], coder: str | None = "primary"
) -> str:
    """One paragraph on a theme at the site: what most participants raised, what stood out.

    A code *stands out* when the share of the site's participants raising it is at least
    10 percentage points above the mean of every site's share, and is *raised less* when
    it is at least 10 points below.
    """
    name = _check_site(study, site)["site_name"]
    table = theme_evidence(study, site=site, theme=theme, coder=coder)
    raised = table[table["participants"] > 0]
    if raised.empty:
        return f"No participant at {name} was coded to this theme."
    top = raised.head(2)
    text = fill(
        "At {name} the most described were {codes} ({counts} of {base} participants).",
        name=name,
        codes=italic(midsentence(x) for x in top["label"]),
        counts=listing(str(int(x)) for x in top["participants"]),
        base=int(top["base"].iloc[0]),
    )
    above = raised[raised["difference"] >= STANDS_OUT].sort_values("difference", ascending=False)
    below = table[table["difference"] <= -STANDS_OUT].sort_values("difference")
    if len(above):
        r = above.iloc[0]
        text += fill(
            " *{l}* stood out: {s:pct} of participants here against a cross-site mean of {m:pct}.",
            l=r["label"],
            s=r["share"],
            m=r["mean_share"],
        )
    if len(below):
        r = below.iloc[0]
        text += fill(
            " *{l}* was raised less than elsewhere ({s:pct} against {m:pct}).",
            l=r["label"],
            s=r["share"],
            m=r["mean_share"],
        )
    return text


def good_practice(
    study: Study, *, site: str, n: int = 3, coder: str | None = "primary"
) -> pd.DataFrame:
    """Examples of good practice at the site: passages on what helps evidence use.

    Good practice is what the codebook's enablers describe, plus co-production with
    families (:data:`GOOD_PRACTICE`); one exemplar for each of the ``n`` such codes most
    participants at the site described.

    Returns
    -------
    DataFrame
        label, participants, quote, attribution.
    """
    table = theme_evidence(study, site=site, theme=list(GOOD_PRACTICE), coder=coder)
    table = table[(table["participants"] > 0) & table["quote"].notna()].head(n)
    return table[["label", "participants", "quote", "attribution"]].reset_index(drop=True)


def key_quotes(
    study: Study, *, site: str, n: int = 5, coder: str | None = "primary"
) -> pd.DataFrame:
    """Key quotes: one exemplar from each of the ``n`` themes most participants here raised.

    Returns
    -------
    DataFrame
        theme, participants, quote, attribution; between 3 and ``n`` rows when the site has
        that many themes with a quote.
    """
    _check_site(study, site)
    if not 1 <= n <= 10:
        raise ValueError(f"`n` must be one of {list(range(1, 11))}, but {n!r} was passed")
    matrix = framework_matrix(study, rows="site", coder=coder)
    mine = matrix[(matrix["row"] == site) & matrix["quote"].notna()]
    mine = mine.sort_values(["participants", "segments"], ascending=False, kind="stable").head(n)
    out = mine.rename(columns={"label": "theme"})[["theme", "participants", "quote", "attribution"]]
    return out.reset_index(drop=True)


def comparison_text(study: Study, *, site: str, coder: str | None = "primary") -> str:
    """How the site differs from the others: the codes furthest above and below the mean."""
    name = _check_site(study, site)["site_name"]
    compared = site_comparison(study, site=site, level="code", coder=coder)
    above = compared.sort_values("difference", ascending=False).head(3)
    below = compared.sort_values("difference").head(3)
    above = above[above["difference"] > 0]
    below = below[below["difference"] < 0]
    return fill(
        "Against the mean of all {n} sites, participants at {name} raised {above} more often, "
        "and {below} less often (figure *{name} against all sites*).",
        n=str(int(compared["n_sites"].max())),
        name=name,
        above=[
            fill(
                "*{l}* ({s:pct} against {m:pct})", l=midsentence(r.label), s=r.share, m=r.mean_share
            )
            for r in above.itertuples()
        ]
        or ["nothing"],
        below=[
            fill(
                "*{l}* ({s:pct} against {m:pct})", l=midsentence(r.label), s=r.share, m=r.mean_share
            )
            for r in below.itertuples()
        ]
        or ["nothing"],
    )


def precompute(study: Study, *, coder: str | None = "primary") -> None:
    """Compute, once, the cross-site tables that every site's case study reads.

    Each site's page compares the site with all the others, so the pages share the site
    framework matrices, their ranks and the exemplar quotes. A build computes them in
    the process its kernels are forked from (see :mod:`evstudy.build.warm`), so that no
    page computes them again; a page whose study lacks them computes them itself, with
    the same result.

    Parameters
    ----------
    study : Study
    coder : str or None, default "primary"
        As for the case-study functions (the notebook uses the default).
    """
    sites = study.sites["site_id"]
    if sites.empty:
        return
    for level in LEVELS:
        site_comparison(study, site=sites.iloc[0], level=level, coder=coder)
    exemplars(study, by=["site_id", "code_id"], coder=coder)
