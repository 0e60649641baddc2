"""The survey tables as a formatted, byte-stable Excel workbook (``evstudy survey-workbook``).

One sheet per question, in questionnaire order, plus the response and profile
sheets and a "Notes" sheet. Counts of people (the respondent profile and the
profile questions) are published under the disclosure rules; answers are
published for the whole sample with their bases and Wilson intervals, and by
role group only for groups with the minimum base.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from evstudy import survey
from evstudy.disclosure import (
    MARKER,
    TOTAL,
    apply_min_base,
    crosstab_keys,
    methods_text,
    profile_keys,
    published_table,
    thresholds,
)
from evstudy.files import write_workbook

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = ["write_survey_workbook"]

HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
PCT_COLUMNS = {"pct", "pct_positive", "pct_neutral", "pct_negative", "aware", "used"}
PCT_COLUMNS |= {"ci_low", "ci_high", "pct_answered", "% of respondents"}
DECIMAL_COLUMNS = {"mean_position", "median_answered"}
HEADERS = {
    "option": "Option",
    "code": "Code",
    "n": "n",
    "base": "Base",
    "pct": "%",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "rank": "Rank",
    "item_id": "Item",
    "item_label": "Statement",
    "pct_positive": "% positive",
    "pct_neutral": "% neutral",
    "pct_negative": "% negative",
    "median_category": "Median answer",
    "mean_position": "Mean (1 = first scale point)",
    "aware": "% aware",
    "used": "% using",
    "role_group": "Role group",
    "status": "Status",
    "median_answered": "Median questions answered",
    "question_id": "Question",
    "question_text": "Question text",
    "n_answered": "Answered",
    "n_respondents": "Respondents",
    "pct_answered": "% answered",
}


def _cell(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _block(ws: Worksheet, row: int, title: str, frame: pd.DataFrame, note: str = "") -> int:
    """Write a titled table from ``row``; returns the next free row. Sets the freeze once."""
    ws.cell(row, 1, title).font = TITLE
    if note:
        ws.cell(row + 1, 1, note).alignment = Alignment(wrap_text=False)
    header = row + 3 if note else row + 2
    if ws.freeze_panes is None:
        ws.freeze_panes = ws.cell(header + 1, 1).coordinate
    for j, name in enumerate(frame.columns, 1):
        cell = ws.cell(header, j, HEADERS.get(str(name), str(name)))
        cell.font, cell.fill = BOLD, HEADER_FILL
    for i, values in enumerate(frame.itertuples(index=False), header + 1):
        for j, (name, value) in enumerate(zip(frame.columns, values, strict=True), 1):
            cell = ws.cell(i, j, _cell(value))
            if isinstance(value, str) and value == MARKER:
                cell.alignment = Alignment(horizontal="right")
            elif name in PCT_COLUMNS or (str(name).startswith("%")):
                cell.number_format = "0.0%" if name in {"ci_low", "ci_high"} else "0%"
            elif name in DECIMAL_COLUMNS:
                cell.number_format = "0.00"
    return header + len(frame) + 2


def _widths(ws: Worksheet) -> None:
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=1):
        for cell in row:
            if cell.value is not None and cell.font != TITLE and cell.row > 2:
                widths[cell.column] = max(widths.get(cell.column, 8), len(str(cell.value)) + 2)
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(width, 60)


def _people_table(
    study: Study, counts: pd.DataFrame, keys: pd.DataFrame, label: str
) -> pd.DataFrame:
    """A one-way count of people as the publication ledger decides, with its percentages.

    A percentage is withheld with its count, and every percentage when the total is.
    """
    shown = published_table(study, counts, keys)
    out = shown.rename(columns={shown.columns[0]: "n"})
    total = int(counts.iloc[:, 0].sum())
    hidden = out["n"].eq(MARKER) | (TOTAL in out.index and out.at[TOTAL, "n"] == MARKER)
    n = counts.iloc[:, 0].astype("int64")
    if TOTAL in out.index:
        n = pd.concat([n, pd.Series({TOTAL: total})])
    pct = (n / max(total, 1)).astype(object)
    out["% of respondents"] = pct.mask(hidden.to_numpy(dtype=bool), MARKER).to_numpy()
    return out.rename_axis(label).reset_index()


def _profile_sheets(wb: Workbook, study: Study) -> None:
    ws = wb.create_sheet("Role groups")
    resp = survey.respondent_groups(study, "role_group").fillna(survey.NOT_STATED)
    counts = resp.value_counts().sort_index().to_frame("n")
    keys, _ = crosstab_keys(counts, population="respondents", rows="role_group", columns=None)
    table = _people_table(study, counts, keys, "Role group")
    table["Role group"] = table["Role group"].replace(study.role_group_labels)
    _block(ws, 1, "Respondents by role group", table)
    _widths(ws)

    ws = wb.create_sheet("Role group by site")
    frame = pd.DataFrame(
        {
            "Role group": survey.respondent_groups(study, "role_group"),
            "Site": survey.respondent_groups(study, "site_id"),
        }
    ).fillna(survey.NOT_STATED)
    wide = pd.crosstab(frame["Role group"], frame["Site"])
    k = thresholds(study)["suppress_max"]
    note = (
        f'"c": a count from 1 to {k}, or a count withheld so that one cannot be worked out '
        "from this workbook or the report."
    )
    keys, _ = crosstab_keys(wide, population="respondents", rows="role_group", columns="site")
    names = dict(zip(study.sites["site_id"], study.sites["site_name"], strict=True))
    table = (
        published_table(study, wide, keys)
        .rename(index=study.role_group_labels, columns=names)
        .rename_axis("Role group")
        .reset_index()
    )
    _block(ws, 1, "Respondents by role group and site", table, note)
    _widths(ws)


def _question_sheet(wb: Workbook, study: Study, question: pd.Series, k: int, m: int) -> None:
    qid, kind = question["question_id"], question["type"]
    ws = wb.create_sheet(qid[:31])
    title = str(question["question_text"])
    if kind in {"single", "multi"} and pd.notna(question["attribute"]):
        # A profile question counts people: rule 1 applies.
        table = survey.choice_table(study, qid)
        order = [*survey._options(study, qid)["option"], "Other"]
        counts = table.set_index("option")[["n"]]
        counts = counts.reindex([o for o in order if o in counts.index])
        base = int(table["base"].iloc[0]) if len(table) else 0
        note = f'Base: {base} respondents. Counts from 1 to {k}: "c".'
        keys, _ = profile_keys(study, qid, counts)
        _block(ws, 1, title, _people_table(study, counts, keys, "Option"), note)
    elif kind in {"single", "multi"}:
        table = survey.choice_table(study, qid)
        base = int(table["base"].iloc[0]) if len(table) else 0
        note = f"Base: {base} respondents who answered. 95% Wilson intervals."
        if kind == "multi" and pd.notna(question["max_choices"]):
            note += f" Respondents could choose up to {int(question['max_choices'])}."
        cols = ["option", "n", "base", "pct", "ci_low", "ci_high", "rank"]
        row = _block(ws, 1, title, table[cols], note)
        grouped, notes = apply_min_base(
            survey.choice_table(study, qid, by="role_group"), by="role_group", min_base=m
        )
        note = " ".join([f"Groups with a base under {m} are combined or left out.", *notes])
        _block(ws, row + 1, "By role group", grouped[["role_group", *cols]], note)
    elif kind == "grid":
        declared = survey.awareness_use_of(study, qid)
        label = "Summary"
        summary = survey.likert_summary(study, qid)
        if declared is not None:  # the study's awareness_use analysis of this grid
            label = "Awareness and use"
            summary = survey.awareness_summary(study, qid)
        row = _block(ws, 1, title, summary.drop(columns="item_id"), f"{label}: base per row.")
        dist = survey.likert_table(study, qid)
        wide = dist.pivot_table(
            index="item_label", columns="category", values="pct", sort=False
        ).reindex(columns=list(dict.fromkeys(dist["category"])))
        wide.columns = [f"% {c}" for c in wide.columns]
        _block(ws, row + 1, "Distribution of answers", wide.reset_index())
    else:
        codes = survey.free_text_codes(study, qid)
        note = (
            f"{codes.attrs['base']} respondents answered. Coded free-text answers: counts "
            "of respondents whose answer received each code, for the whole sample."
        )
        _block(ws, 1, title, codes, note)
    _widths(ws)


def _notes(ws: Worksheet, study: Study, k: int, m: int) -> None:
    lines = [
        "Notes",
        "",
        *(
            [
                "SYNTHETIC DATA: these tables come from an invented demonstration study, "
                "not from real respondents."
            ]
            if study.synthetic
            else []
        ),
        f'"c": a count of people from 1 to {k}, or a further count withheld so that a '
        "small count cannot be worked out from the totals; a percentage built on a "
        'withheld count is also "c". True zeros are shown as 0.',
        "Base: the respondents who answered that question (or that row of a grid); "
        "partial responses stop early, so bases differ between questions.",
        "95% CI: Wilson score intervals for each percentage; with small bases they are wide.",
        f"Breakdowns by role group show only groups with a base of at least {m}; smaller "
        'groups are combined as "Other", or left out when still too small.',
        "Percentages are fractions of the base, formatted as percentages.",
        "",
        methods_text(study),
    ]
    for i, text in enumerate(lines, 1):
        cell = ws.cell(i, 1, text or None)
        if i == 1:
            cell.font = TITLE
        elif text.startswith("SYNTHETIC"):
            cell.font = BOLD
    ws.column_dimensions["A"].width = 120


def write_survey_workbook(study: Study, out: str | Path) -> Path:
    """Write the survey tables, with disclosure control applied, to an .xlsx file.

    Parameters
    ----------
    study : Study
    out : path
        The workbook to write (atomically; the same study gives the same bytes).

    Returns
    -------
    Path
        ``out``.
    """
    limits = thresholds(study)
    k, m = limits["suppress_max"], limits["min_subgroup_base"]
    wb = Workbook()
    _notes(wb.active, study, k, m)
    wb.active.title = "Notes"

    ws = wb.create_sheet("Response")
    row = _block(ws, 1, "Response", survey.response_status(study))
    _block(ws, row + 1, "Answers by question", survey.completion_by_question(study))
    _widths(ws)
    _profile_sheets(wb, study)
    questions = study.survey_questions.sort_values("position").drop_duplicates("question_id")
    for _, question in questions.iterrows():
        _question_sheet(wb, study, question, k, m)

    return write_workbook(wb, out, title="Survey tables")
