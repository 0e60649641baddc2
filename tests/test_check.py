"""`evstudy check`: ingest's validation, with nothing written (evstudy.check)."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from evstudy.check import check_study
from evstudy.cli import main
from evstudy.errors import ValidationError

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def _state(folder: Path) -> dict[str, tuple[int, int]]:
    """Every entry under ``folder`` (itself included): (size, mtime in ns)."""
    if not folder.exists():
        return {}
    found = {".": (0, folder.stat().st_mtime_ns)}
    for path in sorted(folder.rglob("*")):
        info = path.stat()
        found[path.relative_to(folder).as_posix()] = (
            info.st_size if path.is_file() else 0,
            info.st_mtime_ns,
        )
    return found


@pytest.fixture
def demo_copy(demo_raw, tmp_path) -> Path:
    target = tmp_path / "project" / "raw"
    shutil.copytree(demo_raw, target)
    return target


def test_check_of_a_valid_study_writes_nothing(demo_copy, tmp_path, monkeypatch, capsys):
    """No tables, no identity key, no name list: the raw folder, the folder beside it (where
    the key would go), the working folder and the project's data/processed are as before."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("EVSTUDY_KEYS", raising=False)
    watched = [demo_copy.parent, work, ROOT / "data" / "processed"]
    before = [_state(folder) for folder in watched]
    assert main(["check", "--raw", str(demo_copy)]) == 0
    out = capsys.readouterr().out
    assert [_state(folder) for folder in watched] == before
    assert not (demo_copy.parent / "identity").exists()
    assert out.startswith("OK: ") and "nothing was written" in out
    with (demo_copy / "sites.csv").open(encoding="utf-8", newline="") as fh:
        n_sites = sum(1 for _ in csv.DictReader(fh))
    assert f"  sites: {n_sites}\n" in out


def test_check_reports_every_problem_at_once_and_writes_nothing(demo_copy, capsys):
    # Three files broken in three ways: a repeated site, a code with an unknown valence,
    # a log row with a date that is not one.
    sites = (demo_copy / "sites.csv").read_text(encoding="utf-8").splitlines()
    (demo_copy / "sites.csv").write_text("\n".join([*sites, sites[1]]) + "\n", encoding="utf-8")
    codebook = demo_copy / "codebook.yml"
    text = codebook.read_text(encoding="utf-8")
    codebook.write_text(text.replace("valence: barrier", "valence: obstacle", 1), "utf-8")
    with (demo_copy / "fieldwork_log.csv").open(encoding="utf-8", newline="") as fh:
        log = list(csv.reader(fh))
    log[1][log[0].index("Date")] = "next Tuesday"
    with (demo_copy / "fieldwork_log.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(log)
    before = _state(demo_copy.parent)
    assert main(["check", "--raw", str(demo_copy)]) == 1
    err = capsys.readouterr().err
    assert _state(demo_copy.parent) == before
    assert err.startswith(f"evstudy check: check of {demo_copy.resolve()} found ")
    assert "Traceback" not in err
    assert f"sites.csv, line {len(sites) + 1}, column 'site_id'" in err
    assert "codebook.yml, line" in err and "obstacle" in err
    assert "fieldwork_log.csv, line 2, column 'Date'" in err
    assert err.count("fix: ") >= 3


def test_check_raises_the_same_problems_ingest_does(study_copy, tmp_path):
    """The same pass as ingest: the problem lists are identical."""
    from evstudy.ingest import ingest

    (study_copy / "coding" / "extra.csv").write_text(
        "Document,Turn,Code,Coder\nNOPE-1,1,no.such.code,XX\n", encoding="utf-8"
    )
    with pytest.raises(ValidationError) as checked:
        check_study(study_copy, key_dir=tmp_path / "keys")
    with pytest.raises(ValidationError) as ingested:
        ingest(study_copy, tmp_path / "out", key_dir=tmp_path / "keys")
    assert checked.value.problems == ingested.value.problems
    assert [p.file for p in checked.value.problems] == ["coding/extra.csv"]
    assert not os.path.exists(tmp_path / "out") and not os.path.exists(tmp_path / "keys")
