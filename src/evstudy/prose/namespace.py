"""The computed values researchers' text may name: ``{{ survey.barriers.top[1].pct }}``.

Every name comes from what the library computes for any study, keyed by the study's own
ids (survey question ids from the question map, code ids from the codebook, method ids),
so nothing here knows a particular study. The top-level names:

``study``
    ``title``, ``site_noun``, ``population`` (who headline figures describe),
    ``sponsor``, ``date``, ``version``.
``sample``
    Fieldwork against the protocol's targets, one measure each: ``sites``, ``interviews``,
    ``expert_interviews``, ``focus_groups``, ``focus_group_participants``,
    ``survey_responses``; plus ``participants`` (people who took part, headline population
    and outside it: ``participants.headline``, ``participants.outside``) and
    ``survey_complete``. A measure renders as its achieved count and has ``.target``,
    ``.pct`` (achieved / target) and ``.label``.
``survey``
    ``survey.<question_id>`` (or ``survey["<question_id>"]``) for each single- or
    multiple-choice question: a ranking of its options (:class:`Ranking`):
    ``.top[1]`` is the most chosen option (1-based), ``.bottom[1]`` the least chosen,
    ``.at(1)`` the option or options (ties included) at a rank, ``.options`` all of them,
    ``.option["<label>"]`` and ``.code["<code id>"]`` one option; each option has
    ``label``, ``code``, ``n``, ``base``, ``pct``, ``ci_low``, ``ci_high`` and ``rank``.
    A tie at a requested rank is an error. ``survey.respondents``, ``survey.complete``.
``codes``
    ``codes["<code id>"]``: the code's row of the joint display: ``label``, ``theme``,
    ``interview`` and ``focus_group`` (each ``n``, ``base``, ``pct``, ``rank``,
    ``prompted``), ``outside`` (``n``, ``base``, ``pct``), ``survey`` (``n``, ``base``,
    ``pct``, ``rank``; None without a linked survey item), ``convergence``, ``rule``,
    ``overridden``, ``kappa`` and ``low_reliability``.
``convergence``
    ``convergence["<code>"]`` for each convergence code (``agreement``, ``partial
    agreement``, ``silence``, ``dissonance``; also as attributes with ``_`` for spaces):
    ``n`` themes and their ``labels``.
``reliability``
    ``kappa_threshold``, ``overall`` (Cohen's kappa pooled over every code), ``weak``
    (labels of the codes below the threshold) and ``n_weak``.
``saturation``
    ``saturation.<method>`` (``interview``, ``focus_group``, ``expert_interview``):
    ``saturated`` (bool), ``status``, ``point`` ("4+2", or None) and ``documents``.

Values keep their type for ``{% expect %}`` (a count is an int, a share a float from 0 to
1) and render for prose: a share as a whole percentage ("42%"), a count of people from 1
to the study's ``suppress_max`` in words, "fewer than 6", and a share of such a count as
"a small share": never as a number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from evstudy.errors import EvstudyError

if TYPE_CHECKING:
    from evstudy.study import Study

__all__ = [
    "Choice",
    "Count",
    "Facts",
    "NamespaceError",
    "Ranking",
    "Share",
    "namespace",
]


class NamespaceError(EvstudyError):
    """A placeholder asked for something the data cannot give (a tie, a rank past the end).

    ``fix`` says what to write instead; the renderer adds the file and line.
    """

    def __init__(self, problem: str, fix: str) -> None:
        self.problem, self.fix = problem, fix
        super().__init__(problem)


class Count(int):
    """A whole number; ``people`` when it counts people (then disclosure control applies)."""

    people: bool = False
    label: str = ""
    target: Any = None
    pct: Any = None

    def __new__(cls, value: Any, *, people: bool = False, **extra: Any) -> Count:
        self = super().__new__(cls, int(value))
        self.people = people
        for name, found in extra.items():
            setattr(self, name, found)
        return self

    # A sum or difference of counts of people is one too: "n - m" must not reveal a small
    # count that the disclosure rule hides.
    def _counted(self, other: Any, value: Any) -> Any:
        if isinstance(other, bool) or not isinstance(other, int):
            return value
        return Count(value, people=self.people or bool(getattr(other, "people", False)))

    def __add__(self, other: Any) -> Any:
        return self._counted(other, int(self) + other)

    def __radd__(self, other: Any) -> Any:
        return self._counted(other, other + int(self))

    def __sub__(self, other: Any) -> Any:
        return self._counted(other, int(self) - other)

    def __rsub__(self, other: Any) -> Any:
        return self._counted(other, other - int(self))


class Share(float):
    """A proportion from 0 to 1, rendered as a whole percentage; ``n`` is its count."""

    n: Count | None = None
    base: Count | None = None

    def __new__(cls, value: Any, *, n: Count | None = None, base: Count | None = None) -> Share:
        self = super().__new__(cls, float(value))
        self.n, self.base = n, base
        return self


class Facts(Mapping):
    """Named values, reachable as attributes (``facts.n``) or items (``facts["n"]``)."""

    def __init__(self, values: Mapping[str, Any] | None = None, *, what: str = "") -> None:
        self._values = dict(values or {})
        self._what = what

    def __getitem__(self, key: str) -> Any:
        return self._values[str(key)]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"<{self._what or 'values'}: {', '.join(self._values)}>"


class Lazy(Facts):
    """Facts computed on first use: a report section asks for few of them."""

    def __init__(self, compute: Mapping[str, Callable[[], Any]], *, what: str = "") -> None:
        super().__init__(what=what)
        self._compute = dict(compute)

    def __getitem__(self, key: str) -> Any:
        key = str(key)
        if key not in self._values:
            if key not in self._compute:
                raise KeyError(key)
            self._values[key] = self._compute[key]()
        return self._values[key]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._compute)

    def __len__(self) -> int:
        return len(self._compute)


class Choice(Facts):
    """One option of a choice question: label, code, n, base, pct, ci_low, ci_high, rank."""

    def __str__(self) -> str:
        return str(self._values["label"])


class _Ranks:
    """``top[i]`` / ``bottom[i]``: the option at a 1-based rank, refusing a tie."""

    def __init__(self, ranking: Ranking, *, reverse: bool) -> None:
        self._ranking, self._reverse = ranking, reverse

    def __getitem__(self, rank: int) -> Choice:
        return self._ranking._at(rank, reverse=self._reverse)


class Ranking:
    """The options of one choice question, most chosen first (see the module's docstring)."""

    def __init__(self, question: str, text: str, table: pd.DataFrame, *, base: Count) -> None:
        self.question, self.text, self.base = question, text, base
        self._choices = [_choice(row, base) for row in table.itertuples(index=False)]
        self.top = _Ranks(self, reverse=False)
        self.bottom = _Ranks(self, reverse=True)
        self.option = Facts({c.label: c for c in self._choices}, what=f"{question} options")
        self.code = Facts(
            {c.code: c for c in self._choices if c.code}, what=f"{question} option codes"
        )

    @property
    def options(self) -> list[Choice]:
        """Every option, most chosen first (ties in the question map's order)."""
        return list(self._choices)

    def __len__(self) -> int:
        return len(self._choices)

    def at(self, rank: int) -> list[Choice]:
        """Every option at a 1-based rank, ties included (never an error for a tie):
        ``survey.formats.at(1)`` is the most chosen option or options."""
        if isinstance(rank, bool) or not isinstance(rank, int) or not 1 <= rank <= len(self):
            raise NamespaceError(
                f"survey.{self.question}.at({rank!r}): the question has {len(self)} options, "
                "ranked from 1",
                f"ask for a rank from 1 to {len(self)} (rankings are 1-based)",
            )
        n = self._choices[rank - 1].n
        return [c for c in self._choices if c.n == n]

    def _at(self, rank: Any, *, reverse: bool) -> Choice:
        end = "bottom" if reverse else "top"
        if isinstance(rank, bool) or not isinstance(rank, int):
            raise NamespaceError(
                f"survey.{self.question}.{end}[{rank!r}]: a rank must be a whole number",
                f"write {end}[1] for the {'least' if reverse else 'most'} chosen option",
            )
        if not 1 <= rank <= len(self._choices):
            raise NamespaceError(
                f"survey.{self.question}.{end}[{rank}]: the question has "
                f"{len(self._choices)} options, ranked from 1",
                f"ask for a rank from 1 to {len(self._choices)} (rankings are 1-based)",
            )
        order = self._choices[::-1] if reverse else self._choices
        chosen = order[rank - 1]
        tied = [c for c in order if c.n == chosen.n]
        if len(tied) > 1:
            names = ", ".join(f"{c.label!r}" for c in tied)
            raise NamespaceError(
                f"survey.{self.question}.{end}[{rank}] is a tie: {names} were each chosen "
                f"by {int(chosen.n)} of {int(self.base)} respondents",
                "write about the tied options together (e.g. through "
                f'survey.{self.question}.option["<label>"]), or ask for another rank',
            )
        return chosen


def _choice(row: Any, base: Count) -> Choice:
    n = Count(row.n, people=True)
    return Choice(
        {
            "label": str(row.option),
            "code": None if pd.isna(row.code) else str(row.code),
            "n": n,
            "base": base,
            "pct": Share(row.pct, n=n, base=base),
            "ci_low": Share(row.ci_low, n=n, base=base),
            "ci_high": Share(row.ci_high, n=n, base=base),
            "rank": Count(row.rank),
        },
        what="option",
    )


def _number(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _people(value: Any) -> Count | None:
    value = _number(value)
    return None if value is None or pd.isna(value) else Count(value, people=True)


def _share(value: Any, n: Count | None, base: Count | None) -> Share | None:
    value = _number(value)
    return None if value is None or pd.isna(value) else Share(value, n=n, base=base)


# -- the top-level names ------------------------------------------------------------------------


def _study_facts(study: Study) -> Facts:
    report = study.report
    return Facts(
        {
            "title": study.title,
            "site_noun": study.site_noun,
            "population": study.population["label"],
            "sponsor": report.get("sponsor"),
            "date": report.get("date"),
            "version": report.get("version"),
        },
        what="study",
    )


def _sample(study: Study) -> Facts:
    from evstudy.fieldwork import fieldwork_progress

    progress = fieldwork_progress(study)
    values: dict[str, Any] = {}
    people = {"interviews", "expert_interviews", "focus_group_participants", "survey_responses"}
    for row in progress.itertuples(index=False):
        target = None if pd.isna(row.target) else Count(row.target)
        achieved = Count(row.achieved, people=row.measure in people)
        pct = None if pd.isna(row.pct) else Share(row.pct, n=achieved, base=target)
        values[row.measure] = Count(
            row.achieved,
            people=row.measure in people,
            label=str(row.label),
            target=target,
            pct=pct,
        )
    spoke = study.turns["participant_id"].dropna().unique()
    who = study.participants[study.participants["participant_id"].isin(spoke)]
    outside = who["role_group"].isin(study.population["outside"])
    values["participants"] = Count(
        len(who),
        people=True,
        headline=Count(int((~outside).sum()), people=True),
        outside=Count(int(outside.sum()), people=True),
    )
    status = study.survey_respondents.get("status", pd.Series(dtype=object))
    values["survey_complete"] = Count(int((status == "complete").sum()), people=True)
    return Facts(values, what="sample")


def _ranking(study: Study, question: str) -> Ranking:
    from evstudy.survey import choice_table

    table = choice_table(study, question)
    q = study.survey_questions
    text = q.loc[q["question_id"] == question, "question_text"]
    base = Count(table["base"].iloc[0] if len(table) else 0, people=True)
    return Ranking(question, str(text.iloc[0]) if len(text) else "", table, base=base)


def _survey(study: Study) -> Lazy:
    from evstudy.survey import question_ids

    compute: dict[str, Callable[[], Any]] = {
        q: (lambda q=q: _ranking(study, q)) for q in question_ids(study, types=["single", "multi"])
    }
    status = study.survey_respondents.get("status", pd.Series(dtype=object))
    compute["respondents"] = lambda: Count(len(study.survey_respondents), people=True)
    compute["complete"] = lambda: Count(int((status == "complete").sum()), people=True)
    return Lazy(compute, what="survey")


def joint(study: Study) -> pd.DataFrame:
    """The joint display the report shows (with the researchers' overrides), once per study."""
    from evstudy.study import derived
    from evstudy.triangulation import joint_display, study_overrides

    def compute() -> pd.DataFrame:
        try:
            overrides = study_overrides(study)
        except EvstudyError:
            overrides = None  # the report's own joint display says why
        return joint_display(study, overrides=overrides)

    return derived(study, ("prose", "joint_display"), compute)


def _method(row: Any, method: str) -> Facts:
    n, base = _people(row[f"{method}_n"]), _people(row[f"{method}_base"])
    return Facts(
        {
            "n": n,
            "base": base,
            "pct": _share(row[f"{method}_pct"], n, base),
            "rank": None if pd.isna(row[f"{method}_rank"]) else Count(row[f"{method}_rank"]),
            "prompted": bool(row[f"{method}_prompted"]),
        },
        what=method,
    )


def _code(row: pd.Series) -> Facts:
    outside_n, outside_base = _people(row["outside_n"]), _people(row["outside_base"])
    survey = None
    if pd.notna(row.get("survey_base")):
        n, base = _people(row["survey_n"]), _people(row["survey_base"])
        survey = Facts(
            {
                "n": n,
                "base": base,
                "pct": _share(row["survey_pct"], n, base),
                "rank": None if pd.isna(row["survey_rank"]) else Count(row["survey_rank"]),
                "question": row["question_id"],
            },
            what="survey",
        )
    kappa = _number(row.get("kappa"))
    return Facts(
        {
            "id": row["code_id"],
            "label": row["label"],
            "theme": row["theme"],
            "interview": _method(row, "interview"),
            "focus_group": _method(row, "focus_group"),
            "outside": Facts(
                {
                    "n": outside_n,
                    "base": outside_base,
                    "pct": _share(row["outside_pct"], outside_n, outside_base),
                },
                what="outside",
            ),
            "survey": survey,
            "convergence": row["convergence"],
            "rule": row["rule"],
            "overridden": bool(row["overridden"]),
            "kappa": None if kappa is None or pd.isna(kappa) else float(kappa),
            "low_reliability": bool(row["low_reliability"]),
        },
        what=f"code {row['code_id']}",
    )


def _codes(study: Study) -> Lazy:
    book = study.codebook
    leaves = book.loc[book["parent_id"].notna(), "code_id"]

    def one(code: str) -> Facts:
        rows = joint(study)
        found = rows[rows["code_id"] == code]
        if not len(found):
            raise NamespaceError(
                f"the code {code!r} has no row in the joint display (retired or merged)",
                "name an active code of the codebook",
            )
        return _code(found.iloc[0])

    return Lazy({str(c): (lambda c=c: one(str(c))) for c in leaves}, what="codes")


def _convergence(study: Study) -> Facts:
    from evstudy.triangulation import convergence_summary

    summary = convergence_summary(joint(study))
    values = {}
    for row in summary.itertuples(index=False):
        group = Facts({"n": Count(row.n), "labels": list(row.codes)}, what=row.convergence)
        values[row.convergence] = group
        values[row.convergence.replace(" ", "_")] = group
    return Facts(values, what="convergence")


def _reliability(study: Study) -> Facts:
    from evstudy.reliability import reliability_table, study_kappa_threshold

    threshold = study_kappa_threshold(study)
    codings = study.codings
    if codings.empty or codings["coder"].nunique() < 2:
        return Facts(
            {"kappa_threshold": threshold, "overall": None, "weak": [], "n_weak": Count(0)},
            what="reliability",
        )
    table = reliability_table(study, threshold=threshold)
    overall = table.loc[table["code_id"] == "overall", "kappa"]
    weak = table[(table["code_id"] != "overall") & table["below_threshold"]]
    return Facts(
        {
            "kappa_threshold": threshold,
            "overall": float(overall.iloc[0]) if len(overall) else None,
            "weak": [str(x) for x in weak["label"]],
            "n_weak": Count(len(weak)),
        },
        what="reliability",
    )


def _saturation(study: Study) -> Facts:
    import warnings

    from evstudy.saturation import saturation_summary

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a method too small to judge is simply absent
        summary = saturation_summary(study)
    values = {
        method: Facts(
            {
                "saturated": found["status"] == "saturated",
                "status": found["status"],
                "point": found["saturation"],
                "documents": Count(found["documents"]),
            },
            what=method,
        )
        for method, found in summary.items()
    }
    return Facts(values, what="saturation")


def namespace(study: Study) -> Lazy:
    """Every computed value researchers' text may name (see the module's docstring).

    Computed once per study, and each part only when a placeholder first asks for it.
    """
    from evstudy.study import derived

    def compute() -> Lazy:
        return Lazy(
            {
                "study": lambda: _study_facts(study),
                "sample": lambda: _sample(study),
                "survey": lambda: _survey(study),
                "codes": lambda: _codes(study),
                "convergence": lambda: _convergence(study),
                "reliability": lambda: _reliability(study),
                "saturation": lambda: _saturation(study),
            },
            what="namespace",
        )

    return derived(study, ("prose", "namespace"), compute)
