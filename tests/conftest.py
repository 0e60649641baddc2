"""Shared fixtures: the project root, the committed demo, ../shared, and a small generated study."""

from __future__ import annotations

import io
import os
import shutil
from contextlib import redirect_stderr
from pathlib import Path

import pandas
import pytest

import evstudy.study

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


TURN_COLUMNS = ["doc_id", "turn", "speaker", "participant_id", "speaker_role", "start", "end"]


@pytest.fixture
def tiny_study():
    """Two sites, eight participants, four documents: the attributions are known by hand."""
    sites = pandas.DataFrame({"site_id": ["S1", "S2"], "site_name": ["Alpha", "Beta"]})
    participants = pandas.DataFrame(
        {
            "participant_id": [f"P00{i}" for i in range(1, 9)],
            "site_id": ["S1", "S1", "S1", "S1", "S2", "S2", None, None],
            "role_group": ["commissioner"] * 3
            + ["practitioner", "practitioner", "commissioner", "expert", "expert"],
        }
    )
    rows = [
        ("FG1", 1, "Facilitator", None, "Facilitator", "Any paywall issues?"),
        ("FG1", 2, "P001", "P001", "participant", "The paywall stops us."),
        ("FG1", 3, "P004", "P004", "participant", "Journal access is patchy."),
        ("FG2", 1, "Interviewer", None, "Interviewer", "Tell me more."),
        ("FG2", 2, "P005", "P005", "participant", "We read a journal article."),
        ("FG2", 3, "P006", "P006", "participant", "Money is tight."),
        ("EXP1", 1, "Interviewer", None, "Interviewer", "Hello."),
        ("EXP1", 2, "P007", "P007", "participant", "Paywalls everywhere."),
        ("SVY-R001-comments", 1, "Respondent", None, "respondent", "No budget."),
    ]
    turns = pandas.DataFrame(rows, columns=[*TURN_COLUMNS[:5], "text"])
    turns["start"] = turns.groupby("doc_id").cumcount() * 100 + 10
    turns["end"] = turns["start"] + turns["text"].str.len()
    documents = pandas.DataFrame(
        {
            "doc_id": ["FG1", "FG2", "EXP1", "SVY-R001-comments"],
            "method": ["focus_group", "focus_group", "expert_interview", "survey"],
            "site_id": ["S1", "S2", None, "S1"],
        }
    )
    codebook = pandas.DataFrame(
        {
            "code_id": [
                "barrier",
                "barrier.access",
                "barrier.budget",
                "evidence",
                "evidence.research",
            ],
            "label": ["Barriers", "Access", "Budget", "Evidence", "Research"],
            "parent_id": [None, "barrier", "barrier", None, "evidence"],
            "theme_id": ["barrier", "barrier", "barrier", "evidence", "evidence"],
        }
    )
    human = [
        ("FG1", 1, "barrier.access"),  # the facilitator's words: never a quote
        ("FG1", 2, "barrier.access"),
        ("FG1", 3, "barrier.budget"),
        ("FG2", 2, "evidence.research"),
        ("FG2", 3, "barrier.access"),
        ("EXP1", 2, "barrier.access"),
        ("SVY-R001-comments", 1, "barrier.budget"),
    ]
    codings = pandas.DataFrame(human, columns=["doc_id", "turn", "code_id"]).merge(
        turns[["doc_id", "turn", "start", "end", "text"]], on=["doc_id", "turn"]
    )
    codings.insert(0, "coding_id", [f"K{i:05d}" for i in range(1, len(codings) + 1)])
    codings["coder"] = "CD"
    codings["turn"] = codings["turn"].astype("Int64")
    respondents = pandas.DataFrame(
        {"respondent_id": ["R001"], "site_id": ["S1"], "role_group": ["commissioner"]}
    )
    empty = pandas.DataFrame()
    return evstudy.study.Study(
        path=Path("tiny"),
        sites=sites,
        participants=participants,
        documents=documents,
        turns=turns,
        codebook=codebook,
        codings=codings,
        survey_questions=empty,
        survey_options=empty,
        survey_respondents=respondents,
        survey_answers=empty,
        admin=empty,
        ingest_report={},
    )


def _cli_as_nobody(args: list[str]) -> tuple[int, str]:
    """Run ``evstudy`` in a forked child that is not root (uid 65534 when the tests run as
    root, where file modes are not enforced); its exit status and what it wrote on stderr."""
    from evstudy.build import manifest  # noqa: F401  (imported before the fork: see below)
    from evstudy.cli import main

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        code, err = 99, io.StringIO()
        try:
            os.close(read)
            if os.geteuid() == 0:
                # Nobody can read the interpreter's own folder here: everything the command
                # needs is imported above, before the fork.
                os.setgid(65534)
                os.setuid(65534)
            with redirect_stderr(err):
                try:
                    code = main(args)
                except BaseException:
                    import traceback

                    traceback.print_exc(file=err)
                    code = 98
        finally:
            os.write(write, err.getvalue().encode())
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        text = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), text


@pytest.fixture
def cli_as_nobody():
    """``evstudy`` run as an unprivileged user (a forked child dropping to uid 65534 when the
    tests run as root, as CI does): for read-only folders, which root would write anyway.
    Returns a function: args -> (exit status, stderr)."""
    return _cli_as_nobody
