"""What a report was built from, as tables for its provenance appendix.

The appendix shows the inputs (every raw file by the key the ingest report gives it:
transcripts by document id, since a transcript's file name may hold a person's name), the
software versions, and every notebook run's parameters. The output hashes are not here but
in ``reports/manifest.json``: a page cannot contain its own hash.

Paths in the parameters are absolute while the notebook runs; the build writes them as
project-relative labels in the executed notebook (see
:func:`evstudy.build.normalise.normalise_notebook`), so the published tables hold no
machine-specific paths.
"""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path

import pandas as pd

from evstudy import __version__
from evstudy.study import Study

__all__ = ["input_table", "parameter_table", "placeholder_table", "version_table"]

# Short enough to read, long enough to tell files apart; the manifest has the full digest.
DIGEST_CHARS = 16


def input_table(study: Study) -> pd.DataFrame:
    """Every raw input the study was ingested from, with the start of its sha256.

    Parameters
    ----------
    study : Study

    Returns
    -------
    DataFrame
        Columns ``input`` (a raw file's path in the raw folder, transcripts as
        ``transcripts/<document id>``) and ``sha256`` (its first 16 hex digits), sorted.
    """
    digests = study.ingest_report.get("raw_sha256", {})
    rows = [(name, digest[:DIGEST_CHARS]) for name, digest in sorted(digests.items())]
    return pd.DataFrame(rows, columns=["input", "sha256"])


def placeholder_table(study: Study) -> pd.DataFrame:
    """Every placeholder in the research team's text, with the value it rendered and where.

    A reviewer traces each number of the prose to the computed value behind it. A count of
    people too small to publish is given in words here too ("fewer than 6"), as the text
    gives it.

    Parameters
    ----------
    study : Study

    Returns
    -------
    DataFrame
        Columns ``section``, ``placeholder`` (the expression as written), ``value`` (as the
        report shows it) and ``where`` (``report/<file>.md:<line>``), in the report's section
        order and then by line; no rows when the team wrote no text.
    """
    from evstudy.prose import placeholders

    found = placeholders(study)
    where = [f"{file}:{line}" for file, line in zip(found["file"], found["line"], strict=True)]
    return pd.DataFrame(
        {
            "section": found["section"],
            "placeholder": found["placeholder"],
            "value": found["value"],
            "where": pd.Series(where, dtype="object"),
        }
    )


def version_table() -> pd.DataFrame:
    """The versions of Python, evstudy and every package that shapes the report's output.

    Returns
    -------
    DataFrame
        Columns ``software`` and ``version``: Python, evstudy, then the packages the
        manifest records (:data:`evstudy.build.manifest.PACKAGES`) in that order.
    """
    from evstudy.build.manifest import PACKAGES

    rows = [("Python", platform.python_version()), ("evstudy", __version__)]
    rows += [(name, metadata.version(name)) for name in PACKAGES]
    return pd.DataFrame(rows, columns=["software", "version"])


def parameter_table(
    study: Study, *, processed: str | Path | None, figures: str | Path | None
) -> pd.DataFrame:
    """Every notebook run of the build and the parameters papermill gives it.

    Parameters
    ----------
    study : Study
        Its sites decide the case-study runs.
    processed, figures : path or None
        The folders the build passes (the notebook's own ``processed`` and ``figures``
        parameters); None means the defaults, as in the notebooks.

    Returns
    -------
    DataFrame
        Columns ``run``, ``parameter`` and ``value``, one row per parameter of each run,
        in the build's order: the synthesis, the survey, then one case study per site.
    """
    from evstudy.build.pipeline import plan_jobs
    from evstudy.config import find_project_root, resolve_processed

    processed = resolve_processed(processed)
    figures = figures if figures is not None else find_project_root() / "figures"
    sites = sorted(study.sites["site_id"])
    # Planned without "figures": each run draws into a folder of its own, which the build
    # publishes into ``figures``, so that is the folder shown.
    jobs = plan_jobs(Path("notebooks"), Path("reports"), sites, {"processed": str(processed)})
    rows = [
        (job.name, key, str(value))
        for job in jobs
        for key, value in sorted({**job.parameters, "figures": figures}.items())
    ]
    return pd.DataFrame(rows, columns=["run", "parameter", "value"])
