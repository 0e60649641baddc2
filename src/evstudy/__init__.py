"""evstudy: reproducible notebooks for a mixed-methods study of evidence use.

A notebook needs only a handful of names, all here: ``load_study`` and the
``Study`` it returns, then the analyses that take it first: ``quotes``,
``code_matrix``, ``cooccurrence``, ``reliability_table``, ``saturation_table``,
``saturation_summary`` and ``survey_charts``, and ``choices`` (the ids and names a filter
takes). Everything else lives in its own module.
"""

from __future__ import annotations

__version__ = "0.1.0"

# Public name -> module. Imported on first use, so `evstudy --help` stays fast.
_EXPORTS = {
    "Study": "evstudy.study",
    "load_study": "evstudy.study",
    "quotes": "evstudy.coding",
    "code_matrix": "evstudy.coding",
    "cooccurrence": "evstudy.coding",
    "choices": "evstudy.filters",
    "reliability_table": "evstudy.reliability",
    "saturation_table": "evstudy.saturation",
    "saturation_summary": "evstudy.saturation",
    "survey_charts": "evstudy.charts.standard",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'evstudy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
