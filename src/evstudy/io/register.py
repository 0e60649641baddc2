"""Reader for the participant register (``register.xlsx``).

The register is personal data. This module returns names, emails and phone numbers
because ingest needs them to pseudonymise; its messages never quote them (they name the
row instead), and :func:`register_summary` reports counts only.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from evstudy.errors import Problems
from evstudy.io.sheets import (
    METHODS,
    cell_text,
    find_columns,
    parse_bool,
    parse_date,
    parse_float,
    parse_method,
    read_sheet,
)
from evstudy.privacy import canonical_name

__all__ = ["REGISTER_COLUMNS", "read_register", "register_summary"]

REGISTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("Name",),
    "email": ("Email", "E-mail", "Email address"),
    "phone": ("Phone", "Telephone", "Phone number"),
    "job_title": ("Job title",),
    "organisation": ("Organisation", "Organization"),
    "organisation_type": ("Organisation type", "Organization type"),
    "site": ("Site",),
    "years_in_role": ("Years in role",),
    "methods": ("Method(s)", "Methods"),
    "consent_date": ("Consent date",),
    "withdrawal_date": ("Withdrawal date",),
    "quote_consent": ("Quote consent", "Consent to be quoted"),
}
REQUIRED = ("name", "email", "job_title", "organisation_type", "site", "methods", "consent_date")
OUTPUT = (*REGISTER_COLUMNS, "row")

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def read_register(path: str | Path, *, label: str | None = None) -> pd.DataFrame:
    """Read the participant register: first sheet, header on row 1, one row per person.

    Parameters
    ----------
    path : str or Path
        ``register.xlsx`` (a ``.csv`` with the same columns is read too).
    label : str, optional
        How messages name the file; defaults to ``path``.

    Returns
    -------
    pandas.DataFrame
        ``name, email, phone, job_title, organisation, organisation_type, site`` (text or
        None), ``years_in_role`` (float, NaN when blank), ``methods`` (tuple drawn from
        ``interview``, ``focus_group``, ``expert_interview``), ``consent_date`` and
        ``withdrawal_date`` (date or None), ``quote_consent`` (True, False, or None when
        blank or there is no such column: not asked, so the consent covers quoting) and
        ``row``. Phone, Organisation, Years in role, Withdrawal date and Quote consent
        columns are optional.

    Raises
    ------
    InputError
        When the file cannot be read at all.
    ValidationError
        Listing every problem: missing columns, blank names or emails, malformed or
        repeated emails (ignoring case), repeated names (ignoring case and spacing), unknown
        or missing methods, bad numbers and dates, withdrawal before consent, a Quote
        consent that is not yes or no.
    """
    sheet = read_sheet(path, label)
    found = Problems()
    cols = find_columns(sheet, REGISTER_COLUMNS, REQUIRED, found)
    found.raise_if_any(sheet.file)

    def cell(cells: tuple[Any, ...], key: str) -> Any:
        return cells[cols[key]] if key in cols else None

    def add(number: int, key: str, problem: str, fix: str) -> None:
        found.add(sheet.file, sheet.where(number, REGISTER_COLUMNS[key][0]), problem, fix)

    records: list[dict[str, Any]] = []
    emails: dict[str, int] = {}
    names: dict[str, int] = {}
    for number, cells in sheet.records():
        rec: dict[str, Any] = {key: cell_text(cell(cells, key)) for key in REGISTER_COLUMNS}
        if rec["name"] is None:
            add(number, "name", "the name is blank", "write the name as it appears in transcripts")
        elif canonical_name(rec["name"]) in names:
            add(
                number,
                "name",
                f"the name repeats {sheet.kind} {names[canonical_name(rec['name'])]}"
                " (as transcripts name speakers: ignoring case, 'Surname, Firstname' "
                "and a trailing (Organisation))",
                "keep one row per person; two people with one name need telling apart, "
                "e.g. by a middle initial in the register and the transcripts",
            )
        else:
            names[canonical_name(rec["name"])] = number
        if rec["email"] is None:
            add(number, "email", "the email is blank", "fill it in: it identifies the person")
        elif not _EMAIL.fullmatch(rec["email"]):
            add(number, "email", "the email is not an address like name@example.org", "fix it")
        elif rec["email"].casefold() in emails:
            add(
                number,
                "email",
                f"the email repeats {sheet.kind} {emails[rec['email'].casefold()]} (ignoring case)",
                "keep one row per person, with their own email",
            )
        else:
            emails[rec["email"].casefold()] = number

        methods: list[str] = []
        parts = [p for p in re.split(r"[;,]", rec["methods"] or "") if p.strip()]
        for part in parts:
            try:
                method = parse_method(part)
            except ValueError as exc:
                add(
                    number,
                    "methods",
                    f"unknown method: {exc}",
                    "write Interview, Focus group or Expert interview, separated by ';'",
                )
                continue
            if method not in methods:
                methods.append(method)
        if not parts:
            add(
                number,
                "methods",
                "Method(s) is blank",
                "write Interview, Focus group or Expert interview, several separated by ';'",
            )
        rec["methods"] = tuple(sorted(methods, key=METHODS.index))

        try:
            years = cell(cells, "years_in_role")
            rec["years_in_role"] = (
                float("nan") if rec["years_in_role"] is None else parse_float(years)
            )
            if rec["years_in_role"] < 0:
                raise ValueError(f"{rec['years_in_role']:g} is negative")
        except ValueError as exc:
            rec["years_in_role"] = float("nan")
            add(number, "years_in_role", f"years in role: {exc}", "write a number such as 2.5")

        for key in ("consent_date", "withdrawal_date"):
            try:
                rec[key] = parse_date(cell(cells, key))
            except ValueError as exc:
                rec[key] = None
                add(number, key, str(exc), "write the date as YYYY-MM-DD or dd/mm/yyyy")
        consent, withdrawal = rec["consent_date"], rec["withdrawal_date"]
        if consent and withdrawal and withdrawal < consent:
            add(
                number,
                "withdrawal_date",
                f"the withdrawal date {withdrawal} is before the consent date {consent}",
                "check both dates",
            )
        if rec["quote_consent"] is not None:
            try:
                rec["quote_consent"] = parse_bool(cell(cells, "quote_consent"))
            except ValueError as exc:
                rec["quote_consent"] = None
                add(
                    number,
                    "quote_consent",
                    f"quote consent: {exc}",
                    "write yes or no (whether the person agreed to be quoted, anonymously); "
                    "leave it blank only where the protocol did not ask",
                )
        rec["row"] = number
        records.append(rec)
    if not records:
        found.add(sheet.file, "", "the register has a header but no people", "add one per row")
    found.raise_if_any(sheet.file)
    frame = pd.DataFrame.from_records(records, columns=list(OUTPUT))
    return frame.astype({"years_in_role": "float64", "row": "int64"})


def register_summary(register: pd.DataFrame) -> dict[str, Any]:
    """Counts from a register for ``evstudy inspect``: never a name, email or phone.

    Parameters
    ----------
    register : pandas.DataFrame
        As returned by :func:`read_register`.

    Returns
    -------
    dict
        ``n_people``, ``by_method`` (people per method), ``by_site`` (people per site as
        written; ``"(none)"`` for blank), ``n_consented`` and ``n_withdrawn``.
    """
    by_method = Counter(m for methods in register["methods"] for m in methods)
    by_site = Counter(s if isinstance(s, str) else "(none)" for s in register["site"])
    return {
        "n_people": len(register),
        "by_method": {m: by_method.get(m, 0) for m in METHODS},
        "by_site": dict(sorted(by_site.items())),
        "n_consented": int(register["consent_date"].notna().sum()),
        "n_withdrawn": int(register["withdrawal_date"].notna().sum()),
    }
