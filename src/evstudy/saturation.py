"""Code saturation by interview order (Guest, Namey & Chen 2020).

Guest G, Namey E, Chen M (2020) "A simple method to assess and report thematic saturation
in qualitative research", PLOS ONE 15(5): e0232076. The documents of one method are taken in
the order they were collected. The base is the first ``b`` documents and ``B`` the number of
distinct codes in them. A run of ``r`` documents then slides along one document at a time;
a run's new information is the number of codes in it that no earlier document had. Saturation
is reached at the first run whose new information is at most ``t`` of ``B``, reported as
``"N+r"``: ``N`` documents before the run, confirmed by ``r`` more.

Codes come from one coder (by default the one who coded the most documents), so that a
second coder's codings on the double-coded documents do not count as new information.
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

from evstudy.filters import PRIMARY, resolve_one

__all__ = ["saturation_curve", "saturation_summary", "saturation_table", "saturation_text"]

METHODS = ("interview", "expert_interview", "focus_group")
COLUMNS = [
    "method",
    "n_documents",
    "window_start",
    "window_end",
    "n_before",
    "base_codes",
    "new_codes",
    "new_ratio",
    "new_code_ids",
    "saturated",
    "first_saturation",
]
CURVE_COLUMNS = ["method", "order", "doc_id", "date", "new_codes", "cumulative_codes"]


def _methods(study: Any, method: str | None) -> list[str]:
    if method is None:
        return list(METHODS)
    return [resolve_one(study, "method", method, among=METHODS)]


def _primary_coder(study: Any, coder: str | None) -> str | None:
    """The coder who coded the most documents (ties: alphabetical), or the one asked for."""
    coders = study.codings.groupby("coder")["doc_id"].nunique()
    if coder is not None:
        coder = resolve_one(study, "coder", coder)
    if coder is not None and coder != PRIMARY:
        return coder
    if coders.empty:
        return None
    return coders.sort_index().idxmax()


def _ordered_code_sets(study: Any, method: str, coder: str | None) -> pd.DataFrame:
    """The method's documents that ``coder`` coded, in interview order, with their code sets."""
    codings = study.codings[study.codings["coder"] == coder]
    codes = codings.groupby("doc_id")["code_id"].agg(frozenset).rename("codes")
    docs = study.documents.loc[study.documents["method"] == method, ["doc_id", "date"]]
    # An uncoded document says nothing about novelty, so it would fake saturation: leave it out.
    docs = docs[docs["doc_id"].isin(codes.index)]
    docs = docs.assign(_date=pd.to_datetime(docs["date"]))
    docs = docs.sort_values(["_date", "doc_id"], na_position="last", kind="stable")
    docs = docs.drop(columns="_date").join(codes, on="doc_id").reset_index(drop=True)
    return docs.assign(order=range(1, len(docs) + 1))


def saturation_table(
    study: Any,
    *,
    base: int = 4,
    run: int = 2,
    threshold: float = 0.05,
    method: str | None = None,
    coder: str | None = None,
) -> pd.DataFrame:
    """Code saturation per method by the base-and-run method of Guest, Namey & Chen (2020).

    Parameters
    ----------
    study : Study
        The study; anything with ``documents`` (``doc_id``, ``method``, ``date``) and
        ``codings`` (``doc_id``, ``code_id``, ``coder``) tables will do.
    base : int, default 4
        Base size ``b``: the first ``b`` documents give the base count ``B`` of codes.
    run : int, default 2
        Run length ``r``: the number of documents in each window.
    threshold : float, default 0.05
        New-information threshold ``t``: a window is saturated when ``new / B <= t``
        (exactly equal counts as saturated).
    method : {"interview", "expert_interview", "focus_group"}, optional
        One method, by id or label ("Focus group"); default each of them in turn. A method
        with fewer than ``base + run`` coded documents is skipped with a warning.
    coder : str, optional
        Whose codings to use; default (or ``"primary"``) the coder who coded the most
        documents.

    Returns
    -------
    pandas.DataFrame
        One row per window per method: ``method``, ``n_documents`` (coded documents of the
        method), ``window_start`` and ``window_end`` (1-based positions in interview order),
        ``n_before`` (``N``, documents before the window), ``base_codes`` (``B``),
        ``new_codes``, ``new_ratio`` (``new_codes / B``), ``new_code_ids`` (comma-separated),
        ``saturated`` and ``first_saturation`` (True on the first saturated window only).

    Notes
    -----
    Interview order is ``documents.date``, ties broken by ``doc_id``. Only documents the
    coder coded take part. Windows start right after the base (the first has ``N = b``)
    and step by one document until the last document; a window's new codes are those that
    none of documents ``1 .. N`` had. See :func:`saturation_summary` for the ``"N+r"`` form.
    """
    if isinstance(base, bool) or not isinstance(base, int) or base < 1:
        raise ValueError(f"`base` must be an integer >= 1, but {base!r} was passed")
    if isinstance(run, bool) or not isinstance(run, int) or run < 1:
        raise ValueError(f"`run` must be an integer >= 1, but {run!r} was passed")
    if not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
        raise ValueError(f"`threshold` must be between 0 and 1, but {threshold!r} was passed")
    methods = _methods(study, method)
    who = _primary_coder(study, coder)

    rows = []
    for name in methods:
        docs = _ordered_code_sets(study, name, who)
        n = len(docs)
        if n < base + run:
            warnings.warn(
                f"saturation: {name} has {n} coded documents, fewer than base + run = "
                f"{base + run}; skipped",
                stacklevel=2,
            )
            continue
        sets = docs["codes"].tolist()
        base_codes = frozenset().union(*sets[:base])
        found = False
        for start in range(base + 1, n - run + 2):
            seen = frozenset().union(*sets[: start - 1])
            new = frozenset().union(*sets[start - 1 : start - 1 + run]) - seen
            ratio = len(new) / len(base_codes) if base_codes else float("nan")
            # A tiny tolerance so that "exactly t" survives floating point (1/20 vs 0.05).
            saturated = bool(ratio <= threshold + 1e-12)
            rows.append(
                {
                    "method": name,
                    "n_documents": n,
                    "window_start": start,
                    "window_end": start + run - 1,
                    "n_before": start - 1,
                    "base_codes": len(base_codes),
                    "new_codes": len(new),
                    "new_ratio": ratio,
                    "new_code_ids": ", ".join(sorted(new)),
                    "saturated": saturated,
                    "first_saturation": saturated and not found,
                }
            )
            found = found or saturated
    return pd.DataFrame(rows, columns=COLUMNS)


def saturation_summary(
    result: Any,
    *,
    base: int | None = None,
    run: int | None = None,
    threshold: float | None = None,
    method: str | None = None,
    coder: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Summarise saturation per method: of :func:`saturation_table`'s result, or of a study.

    Parameters
    ----------
    result : pandas.DataFrame or Study
        What :func:`saturation_table` returned, or the study itself (its saturation table
        is then worked out with the other arguments).
    base, run, threshold, method, coder : optional
        As for :func:`saturation_table` (its defaults when not given); with a study only.

    Returns
    -------
    dict
        Per method: ``B`` (codes in the base), ``documents`` (coded documents), ``base``
        and ``run`` sizes, ``saturation`` (``"N+r"``, e.g. ``"4+2"``, or None when never
        reached), ``last_new`` (new codes in the last window), ``status`` (``"saturated"``
        when the threshold was met and the last window added no new code, else ``"not
        saturated"``: a curve still rising at its end has not saturated, whatever an earlier
        window showed) and ``windows`` (the method's rows as a list of dicts).

    Examples
    --------
    >>> saturation_summary(study)["interview"]["saturation"]  # doctest: +SKIP
    """
    given = {"base": base, "run": run, "threshold": threshold, "method": method, "coder": coder}
    given = {key: value for key, value in given.items() if value is not None}
    if not isinstance(result, pd.DataFrame):
        if not hasattr(result, "documents") or not hasattr(result, "codings"):
            raise TypeError(
                "`result` must be a Study or what saturation_table() returned, but a "
                f"{type(result).__name__} was passed"
            )
        result = saturation_table(result, **given)
    elif given:
        raise ValueError(
            f"{', '.join(f'`{k}`' for k in given)} apply to a study only: pass them to "
            "saturation_table(), or pass the study to saturation_summary()"
        )
    summary: dict[str, dict[str, Any]] = {}
    for name, rows in result.groupby("method", sort=False):
        first = rows.iloc[0]
        run = int(first["window_end"] - first["window_start"] + 1)
        hit = rows[rows["first_saturation"]]
        last_new = int(rows["new_codes"].iloc[-1])
        summary[str(name)] = {
            "B": int(first["base_codes"]),
            "documents": int(first["n_documents"]),
            "base": int(first["n_before"]),
            "run": run,
            "saturation": f"{int(hit['n_before'].iloc[0])}+{run}" if len(hit) else None,
            "last_new": last_new,
            "status": "saturated" if len(hit) and last_new == 0 else "not saturated",
            "windows": rows.drop(columns=["method", "n_documents", "base_codes"]).to_dict(
                orient="records"
            ),
        }
    return summary


METHOD_WORDS = {
    "interview": "One-to-one interviews",
    "expert_interview": "Expert interviews",
    "focus_group": "Focus groups",
}


def saturation_text(summary: dict[str, dict[str, Any]], *, threshold: float = 0.05) -> str:
    """What the saturation analysis found, one sentence per method, in agreement with the curve.

    A method whose last window still adds new codes is said not to have saturated, even when
    an earlier window met the threshold (the curve keeps climbing after it).

    Parameters
    ----------
    summary : dict
        What :func:`saturation_summary` returned.
    threshold : float, default 0.05
        The threshold the table was computed with, named in the sentence.

    Returns
    -------
    str
        One sentence per method, in ``summary``'s order; "" when it is empty.
    """
    sentences = []
    for method, s in summary.items():
        name = METHOD_WORDS.get(method, method.replace("_", " ").capitalize())
        run = s["run"]
        documents = s["documents"]
        if s["status"] == "saturated":
            sentences.append(
                f"{name} saturated at {s['saturation']}: from there to the last of their "
                f"{documents} documents, the last run of {run} added no new code."
            )
        elif s["saturation"] is None:
            sentences.append(
                f"{name} have not saturated: no run of {run} documents added {threshold:.0%} or "
                f"fewer new codes, and the last run added {s['last_new']} "
                f"(of {documents} documents)."
            )
        else:
            new = "code" if s["last_new"] == 1 else "codes"
            sentences.append(
                f"{name} have not saturated: a run first met the {threshold:.0%} threshold at "
                f"{s['saturation']}, but new codes kept appearing to the end, and the last run "
                f"of {run} of their {documents} documents added {s['last_new']} new {new}."
            )
    return " ".join(sentences)


def saturation_curve(
    study: Any, *, method: str | None = None, coder: str | None = None
) -> pd.DataFrame:
    """Cumulative distinct codes per document in interview order, per method.

    Parameters
    ----------
    study : Study
        The study; anything with ``documents`` and ``codings`` tables will do.
    method : {"interview", "expert_interview", "focus_group"}, optional
        One method, by id or label ("Focus group"); default each of them in turn.
    coder : str, optional
        Whose codings to use; default (or ``"primary"``) the coder who coded the most
        documents.

    Returns
    -------
    pandas.DataFrame
        One row per coded document: ``method``, ``order`` (1-based), ``doc_id``, ``date``,
        ``new_codes`` (codes no earlier document of the method had) and ``cumulative_codes``.
    """
    who = _primary_coder(study, coder)
    frames = []
    for name in _methods(study, method):
        docs = _ordered_code_sets(study, name, who)
        seen: set[str] = set()
        new, total = [], []
        for codes in docs["codes"]:
            new.append(len(codes - seen))
            seen |= codes
            total.append(len(seen))
        frames.append(docs.assign(method=name, new_codes=new, cumulative_codes=total))
    if not frames:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[CURVE_COLUMNS]
