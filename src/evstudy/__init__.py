"""evstudy: reproducible notebooks for a mixed-methods study of evidence use.

Notebooks need only a handful of names: ``load_study`` and the ``Study`` it
returns. Everything else lives in its own module.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Study", "__version__", "load_study"]


def __getattr__(name: str):  # lazy, so `evstudy --help` does not import pandas
    if name in {"Study", "load_study"}:
        from evstudy import study

        return getattr(study, name)
    raise AttributeError(f"module 'evstudy' has no attribute {name!r}")
