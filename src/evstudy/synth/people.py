"""Invented people: the research team, participants, colleagues and role-group rules.

Names come from a seeded Faker (``en_GB``); a few surnames carry apostrophes so that
transcript readers meet HTML-escaped names. Job titles and organisation types are drawn
from fixed catalogues that the role-group rules in ``study.yml`` are written to cover.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from faker import Faker

from evstudy.config import RoleRule
from evstudy.synth.common import Person, Site, choice, stream

__all__ = [
    "ROLE_LABELS",
    "ROLE_RULES",
    "People",
    "make_people",
    "role_group",
]

ROLE_LABELS: dict[str, str] = {
    "senior_leader": "Senior leader",
    "commissioner": "Commissioner",
    "service_manager": "Service designer or manager",
    "practitioner": "Practitioner or practice lead",
    "partner_agency": "Partner agency",
    "expert": "Expert",
}
# First match wins; every job title and organisation type the generator writes (register
# and survey answers, including "Other" texts) is matched by one of these.
ROLE_RULES: list[dict[str, str]] = [
    {"role_group": "expert", "organisation_type": "national"},
    {"role_group": "partner_agency", "organisation_type": "ICB|NHS|voluntary|police"},
    {"role_group": "senior_leader", "job_title": "director|head of"},
    {"role_group": "commissioner", "job_title": "commission|contract"},
    {"role_group": "practitioner", "job_title": "practi|social worker|family support worker"},
    {
        "role_group": "service_manager",
        "job_title": "manager|design|strategic lead|analyst|officer|advis|consultant|coordinator",
    },
]

LA_TYPE = "LA children's services"
PH_TYPE = "Public health"
EXPERT_TYPE = "National organisation"

_TITLES = {
    "senior": (
        "Director of Children's Services",
        "Assistant Director, Early Help and Prevention",
        "Assistant Director for Commissioning",
        "Assistant Director, Children's Social Care",
        "Deputy Director of Children's Services",
    ),
    "head": (
        "Head of Service, Early Help",
        "Head of Commissioning",
        "Head of Children's Commissioning",
        "Head of Service, Family Support",
        "Head of Strategy and Partnerships",
    ),
    "commissioner": (
        "Commissioning Manager",
        "Senior Commissioning Officer",
        "Strategic Commissioner, Children and Families",
        "Commissioning Officer",
        "Joint Commissioner, Children's Health",
    ),
    "manager": (
        "Service Manager, Early Help",
        "Service Designer",
        "Transformation Manager",
        "Service Improvement Manager",
        "Family Hubs Programme Manager",
        "Strategic Lead for Prevention",
    ),
    "practitioner": (
        "Practice Lead, Family Support",
        "Advanced Practitioner",
        "Principal Social Worker",
        "Early Help Practitioner",
        "Practice Development Lead",
        "Senior Practitioner",
    ),
    "public_health": (
        "Public Health Commissioner",
        "Consultant in Public Health",
        "Public Health Programme Manager",
    ),
    "ICB/NHS": (
        "Designated Nurse for Safeguarding Children",
        "Children's Commissioning Manager",
        "Associate Director of Transformation",
        "Head of Children and Young People's Mental Health",
    ),
    "Voluntary sector": ("Chief Executive", "Services Manager", "Partnerships Lead"),
    "Police": (
        "Detective Inspector, Public Protection",
        "Early Intervention Lead",
        "Partnership Inspector",
    ),
    "expert": (
        "Head of Evidence",
        "Research Director",
        "Policy Adviser",
        "Senior Researcher",
        "Programme Director",
        "Evidence Manager",
        "Former Director of Evidence",
    ),
}
_EXPERT_ORGS = (
    "Children's Evidence Network",
    "Family Outcomes Institute",
    "National Commissioning Academy",
    "Centre for Early Years Research",
    "Institute for Children's Policy",
    "Youth Futures Collaborative",
    "Association of Family Services",
    "Open Evidence Foundation",
)
_VCS_ENDS = ("Family Trust", "Youth Partnership", "Community Action", "Parents Network")
# First names with accents, as their owners spell them (emails drop the accents).
_ACCENTED = (
    "Zoë",
    "Siobhán",
    "Seán",
    "Chloë",
    "Renée",
    "Dónal",
    "Áine",
    "José",
    "Inés",
    "Noémie",
    "Björn",
    "Zoë",
)
_APOSTROPHE_SURNAMES = ("O'Neill", "O'Brien", "D'Souza", "O'Connor", "O'Sullivan", "O'Hara")
_INTERVIEW_MIX = (
    ("senior", LA_TYPE),
    ("head", LA_TYPE),
    ("commissioner", LA_TYPE),
    ("manager", LA_TYPE),
    ("practitioner", LA_TYPE),
    ("partner", ""),
    ("commissioner", LA_TYPE),
    ("partner", ""),
    ("public_health", PH_TYPE),
)
_FOCUS_MIX = (
    ("practitioner", LA_TYPE),
    ("manager", LA_TYPE),
    ("partner", ""),
    ("commissioner", LA_TYPE),
    ("practitioner", LA_TYPE),
    ("partner", ""),
    ("manager", LA_TYPE),
)

_RULES = tuple(
    RoleRule(r["role_group"], r.get("job_title"), r.get("organisation_type")) for r in ROLE_RULES
)


def role_group(job_title: str, organisation_type: str) -> str | None:
    """The role group the ``study.yml`` rules give a job title and organisation type."""
    for rule in _RULES:
        if rule.matches(job_title, organisation_type):
            return rule.role_group
    return None


class People:
    """Everyone the generator invents, with the pools transcripts draw names from.

    Attributes
    ----------
    team : list of Person
        Three researchers; ``team_roles`` gives each one's ``study.yml`` role.
    interviewees, focus : dict
        Site id -> the site's interview and focus-group participants.
    experts : list of Person
        Expert interviewees (no site).
    colleagues : dict
        Site id (``""`` for national) -> names mentioned in passing, as written.
    unlisted : list of str
        First names mentioned in transcripts but left off ``other_names.txt``.
    """

    def __init__(self) -> None:
        self.team: list[Person] = []
        self.team_roles: dict[str, str] = {}
        self.interviewees: dict[str, list[Person]] = {}
        self.focus: dict[str, list[Person]] = {}
        self.experts: list[Person] = []
        self.colleagues: dict[str, list[str]] = {}
        self.unlisted: list[str] = []

    def participants(self) -> list[Person]:
        """Every participant once, in register order."""
        seen: dict[str, Person] = {}
        for site_id in sorted(self.interviewees):
            for p in self.interviewees[site_id] + self.focus.get(site_id, []):
                seen.setdefault(p.pid, p)
        for p in self.experts:
            seen.setdefault(p.pid, p)
        return list(seen.values())


class _Namer:
    def __init__(self, seed: int) -> None:
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.rng = stream(seed, "names")
        self.accents = stream(seed, "accented-names")
        self.used: set[str] = set()
        self.used_first: set[str] = set()
        self.reserved: set[str] = set()

    def pair(self, apostrophe: bool = False) -> tuple[str, str]:
        while True:
            first = self.fake.first_name()
            if self.accents.random() < 0.09:
                first = choice(self.accents, _ACCENTED)
            last = choice(self.rng, _APOSTROPHE_SURNAMES) if apostrophe else self.fake.last_name()
            key = f"{first} {last}".casefold()
            if first in self.reserved:
                continue
            if key not in self.used and re.fullmatch(r"[^\W\d_][\w' -]+", f"{first} {last}"):
                self.used.add(key)
                self.used_first.add(first)
                return first, last


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z]", "", plain.lower())


def _phone(rng: np.random.Generator) -> str:
    if rng.random() < 0.2:
        return ""
    if rng.random() < 0.5:
        return f"01632 960{int(rng.integers(0, 1000)):03d}"
    return f"07700 900{int(rng.integers(0, 1000)):03d}"


class _Factory:
    def __init__(self, seed: int) -> None:
        self.namer = _Namer(seed)
        self.rng = stream(seed, "people")
        self.emails: set[str] = set()
        self.count = 0

    def email(self, first: str, last: str, domain: str) -> str:
        base = f"{_slug(first)}.{_slug(last)}"
        address, k = f"{base}@{domain}", 2
        while address in self.emails:
            address, k = f"{base}{k}@{domain}", k + 1
        self.emails.add(address)
        return address

    def person(
        self, kind: str, org_type: str, site: Site | None, apostrophe: bool = False
    ) -> Person:
        rng = self.rng
        first, last = self.namer.pair(apostrophe)
        partner = False
        if kind == "partner":
            org_type = choice(rng, ("ICB/NHS", "ICB/NHS", "Voluntary sector", "Police"))
            kind, partner = org_type, True
        title = choice(rng, _TITLES[kind])
        assert site is not None or kind == "expert"
        if kind == "expert":
            org = choice(rng, _EXPERT_ORGS)
            domain = _slug(org) + ".org.uk"
            org_type = EXPERT_TYPE
        elif org_type == "ICB/NHS":
            org, domain = f"NHS {site.name} Integrated Care Board", "nhs.net"
        elif org_type == "Voluntary sector":
            org = f"{site.name} {choice(rng, _VCS_ENDS)}"
            domain = _slug(org) + ".org.uk"
        elif org_type == "Police":
            org = f"{site.name} Police"
            domain = _slug(site.name) + ".police.uk"
        else:
            council = "County Council" if site.la_type == "County council" else "Council"
            org, domain = f"{site.name} {council}", site.domain
        self.count += 1
        return Person(
            pid=f"p{self.count:05d}",
            first=first,
            last=last,
            job_title=title,
            organisation=org,
            organisation_type=org_type,
            site_id=site.site_id if site else "",
            years_in_role=int(min(25, rng.gamma(2.0, 2.5))),
            email=self.email(first, last, domain),
            phone=_phone(rng),
            partner=partner,
        )


def make_people(seed: int, sites: list[Site], n_experts: int = 16) -> People:
    """Invent the team, every participant, the colleagues they mention and unlisted names.

    Parameters
    ----------
    seed : int
        The study seed.
    sites : list of Site
        The study's sites.
    n_experts : int
        How many expert interviewees.

    Returns
    -------
    People
        Interviewees number 6-9 per site, focus groups 4-7 (sometimes including one
        interviewee), and at least two participants have apostrophes in their surnames.
    """
    f = _Factory(seed)
    rng = stream(seed, "people-mix")
    people = People()
    # First names mentioned in transcripts but deliberately left off other_names.txt;
    # chosen first, so that nobody listed shares them.
    from faker.providers.person.en_GB import Provider

    pool = sorted(set(Provider.first_names_male) | set(Provider.first_names_female))
    pool = [n for n in pool if len(n) >= 4 and n.isalpha()]
    k = int(rng.integers(2, 4))
    people.unlisted = sorted(pool[int(i)] for i in rng.choice(len(pool), size=k, replace=False))
    f.namer.reserved = set(people.unlisted)
    for role in ("Interviewer", "Interviewer", "Facilitator"):
        first, last = f.namer.pair()
        member = Person(
            f"team{len(people.team) + 1}", first, last, "Researcher", "", "", "", 0, "", ""
        )
        people.team.append(member)
        people.team_roles[member.name] = role
    n_apos = max(2, round(0.03 * len(sites) * 12))
    apos_sites = {sites[int(i) % len(sites)].site_id for i in rng.permutation(len(sites))[:n_apos]}
    for site in sites:
        n_int = int(rng.integers(6, 10))
        mix = list(_INTERVIEW_MIX[:6])
        extras = [_INTERVIEW_MIX[int(i)] for i in rng.permutation(range(6, 9))]
        mix += extras[: n_int - 6]
        apos_slot = int(rng.integers(2, n_int)) if site.site_id in apos_sites else -1
        people.interviewees[site.site_id] = [
            f.person(kind, org_type, site, apostrophe=(i == apos_slot))
            for i, (kind, org_type) in enumerate(mix)
        ]
        n_fg = int(rng.integers(4, 8))
        group = [f.person(kind, org_type, site) for kind, org_type in _FOCUS_MIX[:n_fg]]
        if rng.random() < 0.4:  # one interviewee also joins the focus group
            group[-1] = people.interviewees[site.site_id][int(rng.integers(2, 5))]
        people.focus[site.site_id] = group
    people.experts = [f.person("expert", EXPERT_TYPE, None) for _ in range(n_experts)]

    # Colleagues, councillors and providers mentioned in passing: full names as spoken.
    for site in [*sites, None]:
        names = []
        for _ in range(4):
            first, last = f.namer.pair()
            names.append(f"{first} {last}")
        if site is not None:
            _, last = f.namer.pair()
            names.append(f"Councillor {last}")
        people.colleagues[site.site_id if site else ""] = names

    return people
