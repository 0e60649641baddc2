"""One exception hierarchy for evstudy.

Every error a user can cause names the file, where in it (line, row or cell),
what is wrong and how to fix it. Validation collects every problem it finds
and raises them together as one :class:`ValidationError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ConfigError",
    "EvstudyError",
    "InputError",
    "Problem",
    "Problems",
    "ValidationError",
]


class EvstudyError(Exception):
    """Base class of every error evstudy raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file.

    Parameters
    ----------
    file : str
        The file, as the user knows it (relative to the raw folder where possible).
    where : str
        Line, row, column or cell, e.g. ``"line 14"`` or ``"row 7, column 'Email'"``.
        Empty when the problem is with the file as a whole.
    problem : str
        What is wrong, in plain words.
    fix : str
        What the user can do about it.
    """

    file: str
    where: str
    problem: str
    fix: str

    def __str__(self) -> str:
        place = f"{self.file}, {self.where}" if self.where else self.file
        return f"{place}: {self.problem}\n    fix: {self.fix}"


class InputError(EvstudyError):
    """A single problem with an input file (the common case for readers)."""

    def __init__(self, file: str | Path, where: str, problem: str, fix: str) -> None:
        self.problem = Problem(str(file), where, problem, fix)
        super().__init__(str(self.problem))

    def __reduce__(self) -> tuple:  # picklable (from worker processes) despite __init__
        p = self.problem
        return (type(self), (p.file, p.where, p.problem, p.fix))


class ValidationError(EvstudyError):
    """Every problem found in one validation pass, raised together."""

    def __init__(self, problems: Iterable[Problem], context: str = "validation") -> None:
        self.problems: list[Problem] = list(problems)
        self.context = context
        n = len(self.problems)
        lines = [f"{context} found {n} problem{'s' if n != 1 else ''}:"]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple:
        return (type(self), (self.problems, self.context))


class ConfigError(EvstudyError):
    """The study configuration (study.yml) or a command-line option is unusable."""


class Problems:
    """Collects problems so that validation can report all of them at once.

    Examples
    --------
    >>> found = Problems()
    >>> found.add("register.xlsx", "row 4", "the email is blank", "fill it in")
    >>> len(found)
    1
    """

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def add(self, file: str | Path, where: str, problem: str, fix: str) -> None:
        self._items.append(Problem(str(file), where, problem, fix))

    def extend(self, other: Iterable[Problem]) -> None:
        self._items.extend(other)

    def absorb(self, error: EvstudyError) -> None:
        """Take the problems out of an error raised by a reader."""
        if isinstance(error, ValidationError):
            self._items.extend(error.problems)
        elif isinstance(error, InputError):
            self._items.append(error.problem)
        else:
            self._items.append(Problem("", "", str(error), "see the message above"))

    def raise_if_any(self, context: str = "validation") -> None:
        if self._items:
            raise ValidationError(self._items, context)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)
