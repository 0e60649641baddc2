"""Shared fixtures: the project root, the committed demo, ../shared, and a small generated study."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEMO_RAW = ROOT / "data" / "raw"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared: skipped only when absent and not on CI (CI always has it)."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail("../shared is missing on CI, where it must be present")
        pytest.skip("../shared is absent (a user's fresh clone does not have it)")
    return SHARED


@pytest.fixture(scope="session")
def demo_raw() -> Path:
    """The committed synthetic demonstration study."""
    if not (DEMO_RAW / "study.yml").is_file():
        pytest.fail("data/raw/study.yml is missing: the demo study must be committed")
    return DEMO_RAW


@pytest.fixture(scope="session")
def small_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly generated 3-site study, to copy and break in validation tests."""
    from evstudy.synth import generate_study

    out = tmp_path_factory.mktemp("small") / "raw"
    generate_study(out, seed=7, sites=3)
    return out


@pytest.fixture
def study_copy(small_study: Path, tmp_path: Path) -> Path:
    """A private copy of the small study that a test may modify."""
    target = tmp_path / "raw"
    shutil.copytree(small_study, target)
    return target


@pytest.fixture(scope="session")
def demo_processed(demo_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed demo, ingested once per test session into a temporary folder."""
    from evstudy.ingest import ingest

    out = tmp_path_factory.mktemp("demo-processed")
    ingest(demo_raw, out / "processed", key_dir=out / "keys")
    return out / "processed"


@pytest.fixture(scope="session")
def demo_study(demo_processed: Path):
    """The demo's tidy tables as a Study (read-only: tests must not modify its frames)."""
    from evstudy import load_study

    return load_study(demo_processed)


@pytest.fixture(scope="session")
def demo_truth(demo_raw: Path) -> dict:
    """What the generator planted in the demo (tests only; the analysis never reads it)."""
    import yaml

    return yaml.safe_load((demo_raw / "planted_truth.yml").read_text(encoding="utf-8"))
