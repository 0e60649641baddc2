"""One way to name what the notebook API filters by: sites, role groups, methods, codes, coders.

Every public function that takes ``site=``, ``role_group=``, ``method=``, ``code=`` (or
``codes=``, ``methods=``, ``theme=``) or ``coder=`` resolves the values through
:func:`resolve`, so a researcher may write what the outputs show (``site="Saltmere"``,
``role_group="Commissioner"``, ``method="Focus group"``) as well as the ids, and gets the
same error everywhere for a value the study does not have:

    `site` must be one of the study's 9 sites, but 'Saltmre' was passed; did you mean
    'Saltmere' (S03)?

A value is matched to an id exactly, then to an id or a name ignoring case, accents and
the difference between spaces, hyphens and underscores. Names come from the study's own
tables: ``sites.site_name``, study.yml's role-group labels, the codebook's labels, and
the method labels below (the register's and the fieldwork log's spellings).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

__all__ = ["FILTERS", "METHOD_LABELS", "choices", "plural_noun", "resolve", "resolve_one"]

# The methods evstudy knows, with the label the register and the fieldwork log write.
METHOD_LABELS = {
    "interview": "Interview",
    "focus_group": "Focus group",
    "expert_interview": "Expert interview",
    "survey": "Survey free text",
}
FILTERS = ("site", "role_group", "method", "code", "coder")
LISTED = 10  # an error lists every option when there are this many or fewer
SUGGESTED = 3  # the most matches an error suggests
NEAR = 0.1  # suggested too: matches whose similarity is this close to the best one's
PRIMARY = "primary"  # the coder who coded most documents (see evstudy.coding.primary_coder)


def plural_noun(noun: str, n: int = 2) -> str:
    """``noun`` in the plural unless ``n`` is 1: "site" -> "sites", "authority" -> "authorities"."""
    if n == 1:
        return noun
    if noun.endswith("y") and noun[-2:-1] not in set("aeiou"):
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def _fold(value: object) -> str:
    """Case, accents and separators folded away: "Focus-group" and "focus_group" agree."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-]+", " ", text.casefold()).strip()


def _strings(values: Iterable) -> list[str]:
    return [str(v) for v in values if isinstance(v, str) and v]


def choices(study: Any, param: str) -> pd.DataFrame:
    """What ``param`` may name in this study: one row per option, ``id`` and ``name``.

    Parameters
    ----------
    study : Study
    param : {"site", "role_group", "method", "code", "coder"}

    Returns
    -------
    pandas.DataFrame
        ``id`` and ``name`` (the label a reader sees; the id itself when there is none), in
        the study's display order: sites as in the site table, role groups as study.yml
        lists them, methods in evstudy's order, codes in codebook order, coders by name.
    """
    if param not in FILTERS:
        raise ValueError(f"`param` must be one of {list(FILTERS)}, but {param!r} was passed")
    if param == "site":
        ids = _strings(study.sites["site_id"])
        pairs = zip(study.sites["site_id"], study.sites["site_name"], strict=True)
        names = {i: n for i, n in pairs if isinstance(n, str)}
    elif param == "role_group":
        names = dict(getattr(study, "role_group_labels", None) or {})
        present = [*study.participants["role_group"], *_respondent_groups(study)]
        ids = [*names, *sorted(set(_strings(present)) - set(names))]
    elif param == "method":
        present = set(_strings(study.documents["method"]))
        ids = [m for m in METHOD_LABELS if m in present] + sorted(present - set(METHOD_LABELS))
        names = METHOD_LABELS
    elif param == "code":
        ids = _strings(study.codebook["code_id"])
        labels = study.codebook["label"] if "label" in study.codebook else [None] * len(ids)
        names = {i: n for i, n in zip(ids, labels, strict=True) if isinstance(n, str)}
    else:
        coders = set(_strings(study.codings["coder"]))
        ids = [*sorted(coders), PRIMARY]
        names = {}
    return pd.DataFrame({"id": ids, "name": [names.get(i) or i for i in ids]})


def _respondent_groups(study: Any) -> list:
    respondents = getattr(study, "survey_respondents", None)
    if respondents is None or "role_group" not in respondents:
        return []
    return list(respondents["role_group"])


def _nouns(study: Any, param: str, n: int) -> str:
    """ "the study's 9 local authorities", "the codebook's 57 codes", "the 4 methods"."""
    if param == "site":
        noun = str(getattr(study, "site_noun", "") or "site")
        return f"the study's {n} {plural_noun(noun, n)}"
    if param == "code":
        return f"the codebook's {n} {plural_noun('code', n)}"
    noun = {"role_group": "role group", "method": "method", "coder": "coder"}[param]
    return f"the study's {n} {plural_noun(noun, n)}"


def _options(study: Any, param: str, among: Sequence[str] | None) -> pd.DataFrame:
    from evstudy.study import derived

    table = derived(study, ("filter_choices", param), lambda: choices(study, param))
    if among is not None:
        extra = [a for a in among if a not in set(table["id"])]
        names = METHOD_LABELS if param == "method" else {}
        table = pd.concat(
            [table, pd.DataFrame({"id": extra, "name": [names.get(a, a) for a in extra]})],
            ignore_index=True,
        )
        table = table[table["id"].isin(among)].reset_index(drop=True)
    return table


def _shown(row_id: str, name: str) -> str:
    return repr(row_id) if name == row_id else f"{name!r} ({row_id})"


def _refuse(study: Any, param: str, label: str, value: object, table: pd.DataFrame) -> None:
    ids, names = list(table["id"]), list(table["name"])
    listed = ""
    if len(ids) <= LISTED:
        listed = (
            " ("
            + ", ".join(i if n == i else f"{i} {n}" for i, n in zip(ids, names, strict=True))
            + ")"
        )
    message = (
        f"`{label}` must be one of {_nouns(study, param, len(ids))}{listed}, "
        f"but {value!r} was passed"
    )
    folded: dict[str, int] = {}
    for position, (i, n) in enumerate(zip(ids, names, strict=True)):
        folded.setdefault(_fold(i), position)
        folded.setdefault(_fold(n), position)
    probe = _fold(value)
    close = difflib.get_close_matches(probe, list(folded), n=SUGGESTED, cutoff=0.6)
    # Only matches nearly as close as the best: a far third guess is noise.
    scores = [difflib.SequenceMatcher(None, probe, c).ratio() for c in close]
    close = [c for c, score in zip(close, scores, strict=True) if score >= scores[0] - NEAR]
    hints = list(dict.fromkeys(_shown(ids[folded[c]], names[folded[c]]) for c in close))
    if hints:
        said = hints[0] if len(hints) == 1 else ", ".join(hints[:-1]) + " or " + hints[-1]
        message += f"; did you mean {said}?"
    raise ValueError(message)


def resolve_one(
    study: Any,
    param: str,
    value: object,
    *,
    label: str | None = None,
    among: Sequence[str] | None = None,
) -> str:
    """The id of one site, role group, method, code or coder named by id or by name.

    Parameters
    ----------
    study : Study
    param : {"site", "role_group", "method", "code", "coder"}
        What ``value`` names.
    value : str
        An id, or a name (site name, role-group label, method label, code label); case,
        accents and spaces, hyphens or underscores do not matter.
    label : str, optional
        The parameter's name in the error (default ``param``), e.g. ``"methods"``.
    among : sequence of str, optional
        The ids this caller accepts (default: every one the study has).

    Returns
    -------
    str
        The id.

    Raises
    ------
    ValueError
        When ``value`` names none of the options, or a name that several options share;
        the message lists the options (all of them when there are 10 or fewer) and the
        closest matches.
    """
    table = _options(study, param, among)
    ids = list(table["id"])
    text = str(value).strip() if isinstance(value, str) else value
    if text in ids:
        return str(text)
    if isinstance(text, str) and text:
        key = _fold(text)
        by_id = [i for i in ids if _fold(i) == key]
        if len(by_id) == 1:
            return by_id[0]
        by_name = [i for i, n in zip(ids, table["name"], strict=True) if _fold(n) == key]
        if len(by_name) == 1:
            return by_name[0]
        if len(by_name) > 1:
            raise ValueError(
                f"`{label or param}` {value!r} is the name of {len(by_name)} of "
                f"{_nouns(study, param, len(ids)).removeprefix('the ')} "
                f"({', '.join(by_name)}): pass one of their ids"
            )
    _refuse(study, param, label or param, value, table)
    raise AssertionError  # unreachable: _refuse raises


def resolve(
    study: Any,
    param: str,
    values: object,
    *,
    label: str | None = None,
    among: Sequence[str] | None = None,
) -> list[str]:
    """The ids of a value or list of values, each resolved by :func:`resolve_one`.

    None gives an empty list; a string is one value. Duplicates are kept once, in order.
    """
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        values = [values]
    found = [resolve_one(study, param, v, label=label, among=among) for v in values]
    return list(dict.fromkeys(found))
