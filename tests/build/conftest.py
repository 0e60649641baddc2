"""A whole build of the small generated study, shared by the build, browser and audit tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evstudy.build.pipeline import build

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def built(small_study, tmp_path_factory):
    """(BuildSummary, folders) of a cold build of the 3-site study into a temporary project.

    The folders sit in a temporary project laid out like the real one (``data/processed``,
    ``figures``, ``reports``), with the notebooks copied in so that tests may edit them.
    """
    tmp = tmp_path_factory.mktemp("build")
    notebooks = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    folders = {
        "raw": small_study,
        "processed": tmp / "data" / "processed",
        "reports": tmp / "reports",
        "figures": tmp / "figures",
        "notebooks": notebooks,
        "label_root": tmp,
    }
    summary = build(**folders, kernel_name="python3", progress=False)
    return summary, folders
