"""The rules for what is published: k-anonymous quote attributions and small cells.

Attributions are found by their grammar, wherever and however a page shows them: a role
group label or "Staff", a comma (or "at", "in", "from"), and a site name or "a site" (with
the survey's "Survey respondent (...)" form), built from the study's own labels and site
names, so that "the commissioner at Kelwick" in a sentence is checked like a quote's label. The
group an attribution names is counted in the processed tables, and a site's own page
names its site even where an attribution says "a site".

Tables that describe people are recognised by their shape: one dimension lists role
groups, sites or the answers to a profile question (or is headed "Group", "Sector",
"Role group" or "Site"), and the other is either a count of
people ("n", "Participants", "Respondents") or another such attribute (a site by role
group table). Those counts may not be 1 to ``suppress_max``. A table with a "Base"
column is an answer breakdown: each subgroup's base must reach ``min_subgroup_base``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from evstudy.coding import ANY_ROLE, ANY_SITE, EXPERT_ATTRIBUTION, attribution_groups

if TYPE_CHECKING:
    from evstudy.audit.sources import Grid, Piece
    from evstudy.study import Study

__all__ = ["Attribution", "PublishedRules"]

_SITE_PAGE = re.compile(r"^reports/sites/([^/]+)\.html?$")
COUNT_HEADERS = re.compile(
    r"(?i)^(?:n|count|people|persons|participants|respondents|number"
    r"|number of (?:participants|respondents|people)|frequency)$"
)
# Headers of a column that names groups of people, whatever the groups are called.
GROUP_HEADERS = {"group", "subgroup", "sector", "role group", "role_group", "site", "site_id"}
AUX_LABELS = {"total", "other", "all", "(no site)", "not stated", ""}
LEVELS = {1: "role group", 2: "site", 3: "role group and site"}
WHY_K = (
    "a published attribution must describe at least quote_k = {k} people, or readers who "
    "know the organisation can tell who said it; coarsen it to 'Staff, <site>' or "
    "'<role group>, a site' (evstudy.quotes does this; where the page or table row already "
    "names the site or role group, pass context='site' or context='role_group')"
)
WHY_CELL = (
    "counts of people from 1 to {m} in a table that describes people by {what} must be "
    "shown as 'c' (disclosure rule 1), or a small group's members can be singled out"
)
WHY_BASE = (
    "answers may be broken down only for subgroups with a base of at least {b} (disclosure "
    "rule 2); fold smaller groups into 'Other' or leave them out"
)


@dataclass(frozen=True)
class Attribution:
    """One published attribution: the text, whose words, and what it names."""

    text: str
    population: str  # "participants", "survey respondents" or "experts"
    site_id: str | None
    role_group: str | None
    implied_site: bool  # the site comes from the page, not the attribution
    prose: bool = False  # "the commissioner at Kelwick", not "Commissioner, Kelwick"


def _piece(grid: Grid, text: str) -> Piece:
    from evstudy.audit.sources import Piece

    return Piece(grid.file, grid.name, text, True)


def _is_numeric(values: list[str]) -> bool:
    """A column of numbers, percentages and suppression markers (or blanks)."""
    return all(
        v.strip() in ("", "c", "-", "–") or _number(v.strip().rstrip("%")) is not None
        for v in values
    )


def _number(text: str) -> float | None:
    text = text.replace(",", "").strip()
    try:
        return float(text)
    except ValueError:
        return None


class PublishedRules:
    """The attribution and small-cell checks for one study's published files."""

    def __init__(self, study: Study) -> None:
        self.k = int(study.disclosure["quote_k"])
        self.suppress_max = int(study.disclosure["suppress_max"])
        self.min_base = int(study.disclosure["min_subgroup_base"])
        self.groups = attribution_groups(study, k=self.k)
        self._sizes: dict[tuple, int] = {}
        labels = dict(study.role_group_labels)
        present = set(self.groups["role_group"].dropna())
        for group in present - labels.keys():
            labels[group] = str(group).replace("_", " ").capitalize()
        self.role_by_label = {v.casefold(): k for k, v in labels.items()}
        self.site_names = dict(zip(study.sites["site_id"], study.sites["site_name"], strict=True))
        self.site_by_name = {str(n).casefold(): s for s, n in self.site_names.items()}
        self.site_by_name |= {str(s).casefold(): s for s in self.site_names}
        roles = "|".join(map(re.escape, sorted(labels.values(), key=len, reverse=True)))
        sites = "|".join(
            map(re.escape, sorted(self.site_by_name, key=len, reverse=True))
        )  # names first: an id is never a prefix of a name
        anyone, anywhere = re.escape(ANY_ROLE), re.escape(ANY_SITE)
        self.pattern = re.compile(
            rf"(?i)(?<!\w)(?:(?P<survey>survey respondent)\s*\(\s*(?P<sgroup>{roles}|{anyone})\s*\)"
            rf"|(?P<group>{roles}|{anyone})s?)(?P<sep>\s*,\s*|\s+(?:at|in|from)\s+)"
            rf"(?P<site>{sites}|{anywhere})(?!\w)"
            rf"|(?<!\w)(?P<experts>{re.escape(EXPERT_ATTRIBUTION)})(?!\w)"
        )
        self.vocabulary = self._vocabulary(study, labels)

    # -- attributions ----------------------------------------------------------------------

    def attributions(self, piece: Piece) -> Iterator[Attribution]:
        page = _SITE_PAGE.match(piece.file)
        page_site = page.group(1) if page and page.group(1) in self.site_names else None
        for match in self.pattern.finditer(piece.text):
            if match.group("experts"):
                yield Attribution(match.group(0), "experts", None, None, False)
                continue
            survey = bool(match.group("survey"))
            group = (match.group("sgroup") if survey else match.group("group")).casefold()
            site = match.group("site").casefold()
            site_id = None if site == ANY_SITE.casefold() else self.site_by_name[site]
            implied = site_id is None and page_site is not None
            yield Attribution(
                text=" ".join(match.group(0).split()),
                population="survey respondents" if survey else "participants",
                site_id=page_site if implied else site_id,
                role_group=None if group == ANY_ROLE.casefold() else self.role_by_label[group],
                implied_site=implied,
                prose="," not in match.group("sep"),
            )

    def size(self, found: Attribution) -> int:
        """How many people the attribution describes."""
        key = (found.population, found.site_id, found.role_group)
        if key not in self._sizes:  # a report repeats the same few attributions many times
            self._sizes[key] = self._size(found)
        return self._sizes[key]

    def _size(self, found: Attribution) -> int:
        groups = self.groups[self.groups["population"] == found.population]
        if found.site_id is not None and found.role_group is not None:
            cell = groups[
                (groups["site_id"] == found.site_id) & (groups["role_group"] == found.role_group)
            ]
            return int(cell["n"].sum())
        if found.site_id is not None:
            return int(groups.loc[groups["site_id"] == found.site_id, "n"].sum())
        if found.role_group is not None:
            return int(groups.loc[groups["role_group"] == found.role_group, "n"].sum())
        return int(groups["n"].sum())

    def check_attribution(self, found: Attribution) -> tuple[str, str] | None:
        """(what was found, why) when the attribution describes fewer than k people."""
        if self.size(found) >= self.k:
            return None
        what = (
            f"the quote attribution {found.text!r} describes fewer than {self.k} {found.population}"
        )
        if found.implied_site:
            what += f" (on this site's page, 'a site' is {self.site_names[found.site_id]})"
        return what, WHY_K.format(k=self.k)

    def check_row_attributions(self, grid: Grid) -> Iterator[tuple[str, str, str]]:
        """Attributions that, with the role group or site their table row names, are too narrow.

        A quote attributed "Staff, Kelwick" in a row for senior leaders says "the senior
        leader at Kelwick" all the same, just as a site's page names the site.
        """
        for i, row in enumerate(grid.rows):
            cells = [c.strip().casefold() for c in row]
            roles = {self.role_by_label[c] for c in cells if c in self.role_by_label}
            sites = {self.site_by_name[c] for c in cells if c in self.site_by_name}
            named = " and ".join(
                row[j]
                for j, c in enumerate(cells)
                if c in self.role_by_label or c in self.site_by_name
            )
            for j, cell in enumerate(row):
                piece = _piece(grid, cell)
                for found in self.attributions(piece):
                    if found.population == "experts":
                        continue
                    role = found.role_group or (next(iter(roles)) if len(roles) == 1 else None)
                    site = found.site_id or (next(iter(sites)) if len(sites) == 1 else None)
                    if (role, site) == (found.role_group, found.site_id):
                        continue  # the row adds nothing: checked as any attribution is
                    narrowed = Attribution(found.text, found.population, site, role, True)
                    if self.size(narrowed) < self.k:
                        yield (
                            grid.locations[i][j],
                            f"the quote attribution {found.text!r}, in a row for {named}, "
                            f"describes fewer than {self.k} {found.population}",
                            WHY_K.format(k=self.k),
                        )

    @staticmethod
    def level(found: Attribution) -> int:
        """How far the attribution was coarsened: 0 none, 1 role group, 2 site, 3 both."""
        if found.population == "experts":
            return 0
        site_withheld = found.site_id is None or found.implied_site
        return (found.role_group is None) + 2 * site_withheld

    # -- small cells -----------------------------------------------------------------------

    def _vocabulary(self, study: Study, labels: dict[str, str]) -> set[str]:
        """Values that say a table's rows or columns are people grouped by an attribute."""
        words = {*labels, *labels.values()}
        words |= set(self.site_by_name)
        questions = study.survey_questions
        if not questions.empty and "attribute" in questions:
            profile = questions.loc[questions["attribute"].notna(), "question_id"]
            options = study.survey_options
            if not options.empty:
                words |= set(options.loc[options["question_id"].isin(profile), "option"])
        return {str(w).casefold() for w in words if isinstance(w, str) and w}

    def _is_attribute(self, values: list[str]) -> bool:
        named = [v.casefold() for v in values if v.casefold() not in AUX_LABELS]
        return bool(named) and all(v in self.vocabulary for v in named)

    def check_grid(self, grid: Grid) -> Iterator[tuple[str, str, str]]:
        """(location, what was found, why) for each small count of people or small base."""
        if not grid.rows:
            return
        width = max(len(grid.header), *(len(r) for r in grid.rows))
        columns = [[row[j] if j < len(row) else "" for row in grid.rows] for j in range(width)]
        header = [grid.header[j] if j < len(grid.header) else "" for j in range(width)]
        label_columns = [
            j
            for j, values in enumerate(columns)
            if self._is_attribute(values) or header[j].strip().casefold() in GROUP_HEADERS
        ]
        attribute_header = self._is_attribute(
            [h for j, h in enumerate(header) if j not in label_columns]
        )
        if not label_columns and not attribute_header:
            return
        what_by = "site, role group or profile answer"
        base = [j for j, h in enumerate(header) if h.strip().casefold() == "base"]
        if base and label_columns:
            # An answer breakdown: the rule is on each subgroup's base, not on its counts.
            for i, row in enumerate(grid.rows):
                value = _number(row[base[0]]) if base[0] < len(row) else None
                if value is not None and value < self.min_base:
                    group = row[label_columns[0]]
                    yield (
                        grid.locations[i][base[0]],
                        f"subgroup {group!r} is shown with a base of {value:g}",
                        WHY_BASE.format(b=self.min_base),
                    )
            return
        if any(
            not _is_numeric(values) for j, values in enumerate(columns) if j not in label_columns
        ):
            # Another text column (a theme, a code, an answer, a quote): its counts are of
            # passages or answers by group, which rule 1 does not cover.
            return
        if attribute_header and label_columns:
            counted = [
                j
                for j, h in enumerate(header)
                if h.casefold() in self.vocabulary or h.casefold() == "total"
            ]
        elif label_columns:
            counted = [j for j, h in enumerate(header) if COUNT_HEADERS.match(h.strip())]
        else:
            counted = []  # an attribute across the top, but rows of something else
        for j in counted:
            for i, row in enumerate(grid.rows):
                value = _number(row[j]) if j < len(row) else None
                if value is not None and value.is_integer() and 1 <= value <= self.suppress_max:
                    yield (
                        grid.locations[i][j],
                        f"a count of {value:g} people in a table of people by {what_by}"
                        f" ({grid.name})",
                        WHY_CELL.format(m=self.suppress_max, what=what_by),
                    )

    def coarsening_rows(self, pieces: list[Piece]) -> pd.DataFrame:
        """Every published attribution that was coarsened, with where it is."""
        rows = []
        for piece in pieces:
            for found in self.attributions(piece):
                level = self.level(found)
                if level and not found.prose:
                    why = _coarsening_why(level, self.k, found.population)
                    if found.implied_site:
                        why += "; this site's page names the site all the same"
                    rows.append(
                        {
                            "file": piece.file,
                            "location": piece.location,
                            "attribution": found.text,
                            "level": level,
                            "withheld": LEVELS[level],
                            "why": why,
                        }
                    )
        return pd.DataFrame(rows, columns=COARSENING_COLUMNS)


COARSENING_COLUMNS = ["file", "location", "attribution", "level", "withheld", "why"]


def _coarsening_why(level: int, k: int, population: str) -> str:
    group = {
        1: "the speaker's role group at their site",
        # In a table whose row already names the role group, the site is withheld when the
        # role group at that site is small; elsewhere when the site itself is.
        2: "the speaker's site (or their role group there, where the page names it)",
        3: "the speaker's role group and their site each",
    }[level]
    return f"{group} held fewer than {k} {population}"
