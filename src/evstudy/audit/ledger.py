"""The publication ledger, checked: no small count of people, and no "c" worked out.

Tables are checked one at a time elsewhere (:mod:`evstudy.audit.published`). Here every
count of people the publication prints, on the main report, the site pages and in
``tables.xlsx``, with the totals in their text and notes, is taken together, as
:func:`evstudy.disclosure.publication_ledger` lists them. A finding is

- a count of people from 1 to ``suppress_max`` printed in clear, or
- a withheld count ("c") that has a single possible value given everything printed on
  every page (:func:`evstudy.disclosure.ledger_intervals`: linear programming over the
  sums that tie the pages' figures together).

Each finding names the page and the table; never the count itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from evstudy.disclosure import MARKER, ledger_intervals, publication_ledger, thresholds

if TYPE_CHECKING:
    import pandas as pd

    from evstudy.study import Study

__all__ = ["WHY_RECOVERED", "WHY_SMALL", "ledger_check", "ledger_findings", "ledger_notices"]

WHY_SMALL = (
    "a count of people from 1 to {m} is published in clear; it must be shown as 'c' "
    "(disclosure rule 1), on every page that prints it"
)
WHY_RECOVERED = (
    "this withheld count has one possible value given the figures published across the "
    "report (totals, notes, text and other pages): withhold a further count it adds up "
    "with (evstudy.disclosure.publication_ledger decides this for the tables it lists)"
)


def _published(page: str, reports: Path) -> bool:
    return (reports / page.removeprefix("reports/")).exists()


def _where(cell: pd.Series) -> str:
    parts = [str(cell["table"])]
    if cell["row"]:
        parts.append(f"row {cell['row']}")
    if cell["column"]:
        parts.append(f"column {cell['column']}")
    return ", ".join(parts)


def ledger_findings(
    study: Study,
    reports: str | Path,
    *,
    ledger: pd.DataFrame | None = None,
    strict: bool = True,
) -> list[tuple[str, str, str, str]]:
    """The whole publication's counts of people, checked together.

    Parameters
    ----------
    study : Study
    reports : path
        The published report (or the staging folder a build is about to publish): only
        pages present there are reported.
    ledger : DataFrame, optional
        The ledger to check (default: :func:`evstudy.disclosure.publication_ledger` of
        the study, with its decision in ``attrs["hidden"]``).
    strict : bool, default True
        Report everything. False reports only what the ledger's decision governs: a
        count printed in clear by a page that does not consult the ledger, or a withheld
        count that no count the ledger may withhold could protect, is left to
        :func:`ledger_notices`.

    Returns
    -------
    list of (file, location, finding, why)
    """
    found, notices = ledger_check(study, reports, ledger=ledger)
    return found + notices if strict else found


def ledger_notices(
    study: Study, reports: str | Path, *, ledger: pd.DataFrame | None = None
) -> list[tuple[str, str, str, str]]:
    """What :func:`ledger_findings` leaves out when not ``strict``: same shape."""
    return ledger_check(study, reports, ledger=ledger)[1]


def _protectable(ledger: pd.DataFrame, key: str, hidden: set[str]) -> bool:
    """Whether some relation of ``key`` holds a count the decision could still withhold."""
    values = dict(zip(ledger["key"], ledger["value"], strict=True))
    auto = set(ledger.loc[ledger["shown"] == "auto", "key"])
    auto -= set(ledger.loc[ledger["shown"] == "clear", "key"])
    for total, parts in ledger.attrs.get("relations", []):
        members = (total, *parts)
        if key in members and any(
            k in auto and k not in hidden and values.get(k, 0) for k in members
        ):
            return True
    return False


def ledger_check(
    study: Study, reports: str | Path, *, ledger: pd.DataFrame | None = None
) -> tuple[list, list]:
    """(findings, notices): :func:`ledger_findings` not strict, and :func:`ledger_notices`."""
    reports = Path(reports)
    ledger = publication_ledger(study) if ledger is None else ledger
    hidden = set(ledger.attrs.get("hidden", set()))
    m = int(thresholds(study)["suppress_max"])
    found: list[tuple[str, str, str, str]] = []
    notices: list[tuple[str, str, str, str]] = []
    # The cells without the ledger's attrs (its relations): pandas deep-copies attrs into
    # every row it yields, which made this loop take ten seconds.
    cells = ledger.copy(deep=False)
    cells.attrs = {}
    for _, cell in cells.iterrows():
        printed = cell["shown"] == "clear" or (
            cell["shown"] == "auto" and cell["key"] not in hidden
        )
        small = 1 <= cell["value"] <= m and not cell["whole_sample"]
        if printed and small and _published(cell["page"], reports):
            (found if cell["shown"] == "auto" else notices).append(
                (
                    cell["page"],
                    _where(cell),
                    f"a count of people from 1 to {m} published in clear ({cell['key']})",
                    WHY_SMALL.format(m=m),
                )
            )
    intervals = ledger_intervals(ledger, hidden, exact=False)
    recovered = set(intervals.loc[intervals["determined"], "key"])
    for key in sorted(recovered):
        into = found if _protectable(ledger, key, hidden) else notices
        for _, cell in cells[cells["key"] == key].iterrows():
            withheld = cell["shown"] == MARKER or (cell["shown"] == "auto" and key in hidden)
            if withheld and _published(cell["page"], reports):
                into.append(
                    (
                        cell["page"],
                        _where(cell),
                        f"a withheld count of people can be worked out ({key})",
                        WHY_RECOVERED,
                    )
                )
    return found, notices
