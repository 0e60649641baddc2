"""The ``evstudy`` command line.

Each subcommand is a thin wrapper over one library function; heavy modules are
imported only when their subcommand runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from evstudy import __version__
from evstudy.errors import EvstudyError

__all__ = ["main"]


def _cmd_synth(args: argparse.Namespace) -> int:
    from evstudy.synth import generate_study

    summary = generate_study(args.out, seed=args.seed, sites=args.sites, overwrite=args.overwrite)
    print(f"synthetic study written to {args.out}")
    for key, value in summary.items():
        print(f"  {key}: {value}")
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from evstudy.ingest import ingest

    report = ingest(args.raw, args.out, key_dir=args.key_dir)
    print(report.summary())
    print(f"Tables and ingest_report.md written to {report.out_dir}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    # Until the build pipeline lands, the report step ingests and says what it produced.
    from evstudy.ingest import ingest

    report = ingest(args.raw, args.out, key_dir=args.key_dir)
    print(report.summary())
    print(f"Tables and ingest_report.md written to {report.out_dir}")
    print(
        "\nThe HTML report is not built yet: "
        "until the build pipeline is in place, report stops after ingest."
    )
    return 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    from evstudy.inspect import format_inspection, inspect_file

    found = inspect_file(args.file, raw=args.raw)
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False, default=str))
    else:
        print(format_inspection(found))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evstudy",
        description="Reproducible notebooks for the evidence-use study: "
        "generate, ingest, inspect and report.",
    )
    parser.add_argument("--version", action="version", version=f"evstudy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def raw_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--raw",
            type=Path,
            default=None,
            help="raw study folder (default: $EVSTUDY_RAW, else data/raw)",
        )

    def out_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--out",
            type=Path,
            default=None,
            help="processed tables folder (default: $EVSTUDY_PROCESSED, else data/processed)",
        )
        p.add_argument(
            "--key-dir",
            type=Path,
            default=None,
            help="where the identity key (name -> pseudonym) is kept "
            "(default: $EVSTUDY_KEYS, else an 'identity' folder beside the raw folder)",
        )

    p = sub.add_parser(
        "synth",
        help="generate a synthetic demonstration study",
        description="Generate a synthetic study deterministically into OUT (and only there).",
    )
    p.add_argument("--seed", type=int, default=2023, help="random seed (default 2023)")
    p.add_argument("--sites", type=int, default=9, help="number of local authorities (default 9)")
    p.add_argument("--out", type=Path, required=True, help="folder to write the raw study into")
    p.add_argument(
        "--overwrite", action="store_true", help="replace OUT's generated files if OUT is not empty"
    )
    p.set_defaults(func=_cmd_synth)

    p = sub.add_parser(
        "ingest",
        help="read a raw folder and write tidy tables",
        description="Validate a raw study folder and write tidy Parquet tables "
        "and an ingest report. Nothing is written when validation fails.",
    )
    raw_option(p)
    out_options(p)
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser(
        "report",
        help="ingest and build the report (what `make report` runs)",
        description="Ingest the raw study and build the report.",
    )
    raw_option(p)
    out_options(p)
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "inspect",
        help="parse one raw file and show what was found",
        description="Parse one raw file (transcript, survey export, register, coding sheet, "
        "fieldwork log) and print what was found, without ingesting anything.",
    )
    p.add_argument("file", type=Path, help="the file to inspect")
    p.add_argument("--json", action="store_true", help="print every turn or answer as JSON")
    p.add_argument(
        "--raw",
        type=Path,
        default=None,
        help="raw folder whose study.yml and register name the known speakers "
        "and the question map (default: the file's own raw folder if it has a study.yml)",
    )
    p.set_defaults(func=_cmd_inspect)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except EvstudyError as exc:
        print(f"evstudy {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"evstudy {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
