from __future__ import annotations

import subprocess
import sys

import pytest

from evstudy.cli import build_parser, main

SUBCOMMANDS = [
    "synth",
    "ingest",
    "report",
    "build",
    "inspect",
    "reliability",
    "saturation",
    "qdpx",
    "autocode",
    "survey-workbook",
    "init",
    "check",
    "verify",
    "audit",
    "sample",
]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "usage: evstudy " + command in capsys.readouterr().out


def test_parser_lists_all_subcommands():
    text = build_parser().format_help()
    for command in SUBCOMMANDS:
        assert command in text


def test_user_errors_are_one_clear_message_not_a_traceback(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "evstudy.cli",
            "ingest",
            "--raw",
            str(tmp_path / "nowhere"),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "the raw folder does not exist" in result.stderr
    assert "fix: check --raw" in result.stderr


@pytest.mark.parametrize(
    "args", [["build", "--jobs", "0"], ["verify", "--jobs", "-1"], ["build", "--timeout", "0"]]
)
def test_build_and_verify_refuse_non_positive_jobs_and_timeouts(args, capsys):
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    assert "must be" in capsys.readouterr().err
