"""Invented local authorities: the site table and the site-level admin data.

Place names are made from invented stems and endings, so no site is a real
council. Site attributes follow a stratified sampling design: a mix of types,
tiers, regions, rurality, deprivation and ethnic diversity.
"""

from __future__ import annotations

import numpy as np

from evstudy.synth.common import Site, choice, stream

__all__ = ["ADMIN_MEASURES", "admin_rows", "make_sites"]

_STEMS = [
    "Harrow",
    "Ash",
    "Bram",
    "Cold",
    "Elder",
    "Fern",
    "Gold",
    "Hallow",
    "Iron",
    "Kings",
    "Lang",
    "Marl",
    "Nether",
    "Oak",
    "Pen",
    "Quarry",
    "Raven",
    "Salt",
    "Thorn",
    "Under",
    "Wey",
    "Whit",
    "Yarn",
    "Brack",
    "Cran",
    "Dun",
    "Hazel",
    "Kel",
    "Lark",
    "Mill",
    "Ness",
    "Orm",
    "Pike",
    "Rush",
    "Stan",
    "Tarn",
    "Ulls",
    "Vale",
    "Wold",
    "Birch",
    "Cherry",
    "Dray",
    "Eastern",
    "Fox",
    "Glen",
    "Heron",
    "Ivy",
    "Juniper",
    "Lynd",
]
_ENDS = [
    "field",
    "ford",
    "bury",
    "ton",
    "ley",
    "wick",
    "mere",
    "stead",
    "ham",
    "worth",
    "combe",
    "dale",
    "borough",
    "minster",
    "well",
    "gate",
    "by",
    "thorpe",
    "holme",
    "bridge",
]

_TYPES = ("County council", "Unitary authority", "Metropolitan district", "London borough")
_REGIONS = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "South East",
    "South West",
)
_METRO_REGIONS = ("North East", "North West", "Yorkshire and The Humber", "West Midlands")
_RURALITY = {
    "County council": ("Rural", "Sparse and rural", "Urban with rural areas"),
    "Unitary authority": ("Urban", "Urban with rural areas", "Rural"),
    "Metropolitan district": ("Urban", "Urban with rural areas"),
    "London borough": ("Urban",),
}

ADMIN_MEASURES = (
    "Early help spend (£m)",
    "Children's social care spend (£m)",
    "Commissioned contracts (count)",
    "Contracts for evidence-based programmes (count)",
    "Children in need rate (per 10,000)",
    "Agency social worker rate (%)",
    "Commissioning framework in place (yes/no)",
)
ADMIN_YEARS = (2021, 2022, 2023)


def _names(rng: np.random.Generator, n: int) -> list[str]:
    combos = [s + e for s in _STEMS for e in _ENDS]
    order = rng.permutation(len(combos))
    names: list[str] = []
    for i in order:
        name = combos[int(i)]
        if name[-1] == name[-2]:  # "Millley"-like joins read badly
            continue
        names.append(name[0].upper() + name[1:])
        if len(names) == n:
            break
    return names


def make_sites(seed: int, n: int) -> list[Site]:
    """The study's ``n`` sites, stratified across type, region and deprivation.

    Parameters
    ----------
    seed : int
        The study seed.
    n : int
        How many local authorities.

    Returns
    -------
    list of Site
        Ids ``S01``... (three digits from 100 sites), without profiles yet.
    """
    rng = stream(seed, "sites")
    width = max(2, len(str(n)))
    names = _names(rng, n)
    types = [_TYPES[i % len(_TYPES)] for i in range(n)]
    types = [types[int(i)] for i in rng.permutation(n)]
    deciles = [int(1 + (i * 10) // n) for i in range(n)]  # spread over 1..10
    deciles = [deciles[int(i)] for i in rng.permutation(n)]
    sites = []
    for i in range(n):
        la_type = types[i]
        if la_type == "London borough":
            region = "London"
        elif la_type == "Metropolitan district":
            region = choice(rng, _METRO_REGIONS)
        else:
            region = choice(rng, _REGIONS)
        band = (
            "higher"
            if la_type == "London borough" or (deciles[i] <= 3 and rng.random() < 0.6)
            else choice(rng, ("lower", "middle", "lower", "middle", "higher"))
        )
        name = names[i]
        sites.append(
            Site(
                site_id=f"S{i + 1:0{width}d}",
                name=name,
                la_type=la_type,
                tier="upper (two-tier area)" if la_type == "County council" else "single",
                region=region,
                rurality=choice(rng, _RURALITY[la_type]),
                imd_decile=deciles[i],
                ethnic_minority_band=band,
                foundations_partner="yes" if rng.random() < 0.35 else "no",
                domain=name.lower() + ".gov.uk",
            )
        )
    return sites


def admin_rows(seed: int, sites: list[Site]) -> list[list[object]]:
    """Rows of ``admin/admin_data.xlsx``: one per site and year, one column per measure.

    The measures follow each site's planted profile (structured commissioning has a
    framework in place, high turnover means more agency social workers, a strong evidence
    culture more evidence-based contracts), so case studies have something to corroborate.
    """
    rng = stream(seed, "admin")
    rows: list[list[object]] = []
    for site in sites:
        p = site.profile
        size = rng.uniform(0.6, 2.2)
        structured = p.get("commissioning") == "structured"
        strong = p.get("evidence_culture") == "strong"
        agency = rng.uniform(18, 32) if p.get("turnover") == "high" else rng.uniform(5, 14)
        squeeze = 0.93 if p.get("budget_pressure") == "high" else 1.01
        eh = rng.uniform(4, 9) * size
        csc = rng.uniform(40, 90) * size
        contracts = int(rng.integers(25, 70) * size)
        for k, year in enumerate(ADMIN_YEARS):
            factor = squeeze**k
            ebp = round(
                contracts * (rng.uniform(0.12, 0.22) if strong else rng.uniform(0.02, 0.08))
            )
            rows.append(
                [
                    site.site_id,
                    year,
                    round(eh * factor, 2),
                    round(csc * (1.05**k), 1),
                    contracts + int(rng.integers(-3, 4)),
                    ebp + k * (1 if strong else 0),
                    round(rng.uniform(280, 420) * (1.2 if site.imd_decile <= 3 else 1.0), 1),
                    round(agency + rng.normal(0, 1.5), 1),
                    "yes" if structured or (k == 2 and rng.random() < 0.3) else "no",
                ]
            )
    return rows
