"""The synthetic demonstration-study generator (``evstudy synth``).

``generate_study`` is imported lazily so that importing the codebook or the phrase bank
does not pull in the whole generator.
"""

from __future__ import annotations

from typing import Any

__all__ = ["generate_study"]


def __getattr__(name: str) -> Any:
    if name == "generate_study":
        from evstudy.synth.generate import generate_study

        return generate_study
    raise AttributeError(f"module 'evstudy.synth' has no attribute {name!r}")
