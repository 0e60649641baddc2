"""The research team's report text: ``report/<section>.md`` in the raw folder.

Researchers write the report's interpretation in Markdown, one file per section:

``report/executive_summary.md``, ``report/background.md``, ``report/methods.md``,
``report/findings/<rq_id>.md`` (one per research question study.yml declares, or per theme
of the codebook when it declares none), ``report/discussion.md``, ``report/limitations.md``
and ``report/recommendations.md``.

Every file is optional; a section without one shows the computed draft (see
:mod:`evstudy.prose`). Placeholders (``{{ ... }}``) and ``{% expect ... %}`` lines are
rendered later, against the study's computed values; here the text is only read, checked
and stripped of raw HTML with nh3 (a kept sanitiser), so that a ``<script>`` pasted into a
section never reaches the report. Names and contact details are redacted by ingest, with
the redactor every other free-text field passes through.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import nh3
import pandas as pd

from evstudy.errors import Problems

__all__ = ["COLUMNS", "FOLDER", "SECTION_KEYS", "read_report_text", "section_keys", "strip_html"]

FOLDER = "report"
# The sections a study's report always has, in the report's order; findings/<rq_id> go
# after methods.
SECTION_KEYS = (
    "executive_summary",
    "background",
    "methods",
    "discussion",
    "limitations",
    "recommendations",
)
COLUMNS = ["key", "file", "text"]

# Jinja's own syntax is kept away from the sanitiser, which would escape the ``>`` and
# ``<`` of a comparison in ``{% expect %}``.
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
# Elements whose content is dropped with them (nh3's default): removed here with their
# content, keeping their line breaks, so that errors in the text still name the right line.
_DROPPED = re.compile(
    r"<(script|style)\b.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)", re.DOTALL | re.IGNORECASE
)


def section_keys(findings: Sequence[str]) -> list[str]:
    """Every section key a study may write, in the report's order.

    Parameters
    ----------
    findings : sequence of str
        The findings sections' ids: the declared research questions' ids, or the themes'.
    """
    keys = list(SECTION_KEYS)
    return [*keys[:3], *(f"findings/{rq}" for rq in findings), *keys[3:]]


def strip_html(text: str) -> str:
    """``text`` with every raw HTML tag, comment, script and style removed.

    Markdown, placeholders and ``{% %}`` tags are left as written; a ``<`` or ``&`` that is
    not part of a tag stays (the Markdown renderer escapes it). Line breaks are kept, so
    line numbers stay those of the file.
    """
    kept: list[str] = []

    def hold(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\ue000{len(kept) - 1}\ue001"

    def drop(match: re.Match) -> str:
        return "\n" * match.group(0).count("\n")

    held = _JINJA.sub(hold, _DROPPED.sub(drop, text))
    if "<" in held:
        held = nh3.clean(held, tags=set(), attributes={}, strip_comments=True)
        # The sanitiser escapes what it keeps as text; Markdown does its own escaping. An
        # escaped "<" stays escaped, so no tag can come back.
        held = held.replace("&gt;", ">").replace("&amp;", "&").replace("&nbsp;", "\u00a0")
    return re.sub("\ue000(\\d+)\ue001", lambda m: kept[int(m.group(1))], held)


def _key(relative: str, allowed: set[str]) -> str | None:
    key = relative.removesuffix(".md")
    return key if key in allowed else None


def read_report_text(
    folder: str | Path, *, findings: Sequence[str], label: str = FOLDER
) -> pd.DataFrame:
    """Read a study's report text: one row per section file found.

    Parameters
    ----------
    folder : path
        The ``report/`` folder of a raw study. A missing folder means no text: every
        section is then the computed draft.
    findings : sequence of str
        The findings sections' ids (see :func:`section_keys`); a file for any other id is
        an error.
    label : str, default "report"
        How errors name the folder (the path relative to the raw folder).

    Returns
    -------
    DataFrame
        key, file (``report/...``, relative to the raw folder), text (raw HTML stripped;
        LF line endings; NFC), in the report's order.

    Raises
    ------
    ValidationError
        Listing every file that is not a section's, or not UTF-8 text.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return pd.DataFrame(columns=COLUMNS)
    order = section_keys([str(f) for f in findings])
    allowed = set(order)
    names = ", ".join(f"{k}.md" for k in order)
    from evstudy.prose import check_text

    problems = Problems()
    rows = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith((".", "~$")):
            continue
        relative = path.relative_to(folder).as_posix()
        shown = f"{label}/{relative}"
        key = _key(relative, allowed) if path.suffix == ".md" else None
        if key is None:
            if relative.startswith("findings/") and path.suffix == ".md":
                wanted = ", ".join(str(f) for f in findings) or "none"
                problems.add(
                    shown,
                    "",
                    f"there is no research question (or theme) {relative[9:-3]!r} for this "
                    f"findings section (the study's are: {wanted})",
                    "rename the file after one of those ids (study.yml research_questions, "
                    "or the codebook's themes when it declares none), or remove it",
                )
            else:
                problems.add(
                    shown,
                    "",
                    "this file is not one of the report's sections",
                    f"name it after a section ({names}) with the .md ending, or keep it "
                    f"outside {label}/",
                )
            continue
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            problems.add(
                shown,
                f"line {line}",
                f"the file is not UTF-8 text (byte {exc.start})",
                "save it as UTF-8 (plain text, any Markdown editor)",
            )
            continue
        text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
        text = strip_html(text)
        for where, problem, fix in check_text(text, file=shown):
            problems.add(shown, where, problem, fix)
        rows.append({"key": key, "file": shown, "text": text})
    problems.raise_if_any(f"reading {label}/")
    frame = pd.DataFrame(rows, columns=COLUMNS)
    rank = {k: i for i, k in enumerate(order)}
    return frame.sort_values("key", key=lambda s: s.map(rank), ignore_index=True)
