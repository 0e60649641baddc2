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


def _cmd_build(args: argparse.Namespace) -> int:
    from evstudy.build.manifest import previous_report_note
    from evstudy.build.pipeline import build
    from evstudy.config import resolve_processed

    def note() -> None:
        # A failed build of another study publishes nothing: say whose report is still there.
        text = previous_report_note(args.raw, args.reports, processed=resolve_processed(args.out))
        if text:
            print(text, file=sys.stderr)

    try:
        summary = build(
            raw=args.raw,
            processed=args.out,
            reports=args.reports,
            figures=args.figures,
            workers=args.jobs,
            force=args.force,
            timeout=args.timeout,
            wait=args.wait,
            final=args.final,
        )
    except EvstudyError as exc:
        print(f"evstudy {args.command}: {exc}", file=sys.stderr)
        note()
        return 2
    print(summary.text())
    if not summary.ok:
        note()
    return 0 if summary.ok else 1


def _cmd_init(args: argparse.Namespace) -> int:
    from evstudy.scaffold import init_study

    written = init_study(args.folder, survey=args.survey)
    print(f"A new study's raw folder, {args.folder}:")
    print("\n".join(f"  {name}" for name in written))
    steps = [
        "fill in study.yml (title, team, role groups), sites.csv and codebook.yml",
        "add people to register.xlsx and transcripts to transcripts/ and fieldwork_log.csv",
    ]
    if args.survey is not None:
        steps.append("check survey/question_map.yml: it is a draft")
    else:
        steps.append("put the SmartSurvey export and its question_map.yml in survey/")
    steps.append(f"run `evstudy check --raw {args.folder}` until it says OK")
    print("Next:\n" + "\n".join(f"  {n}. {step}" for n, step in enumerate(steps, 1)))
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from evstudy.check import check_study
    from evstudy.errors import ValidationError

    try:
        summary = check_study(args.raw, key_dir=args.key_dir)
    except ValidationError as exc:
        print(f"evstudy check: {exc}", file=sys.stderr)
        return 1
    print(summary.text())
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from evstudy.build.verify import format_differences, verify

    found = verify(
        raw=args.raw, reports=args.reports, workers=args.jobs, timeout=args.timeout, keep=args.keep
    )
    print(format_differences(found))
    return 0 if found.empty else 1


def _cmd_inspect(args: argparse.Namespace) -> int:
    from evstudy.inspect import format_inspection, inspect_file

    found = inspect_file(args.file, raw=args.raw)
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False, default=str))
    else:
        print(format_inspection(found))
    return 0


def _print_table(frame, as_json: bool) -> None:
    if as_json:
        print(frame.to_json(orient="records", indent=2, force_ascii=False, date_format="iso"))
    else:
        print(frame.to_string(index=False))


def _cmd_reliability(args: argparse.Namespace) -> int:
    from evstudy.reliability import reliability_table
    from evstudy.study import load_study

    table = reliability_table(load_study(args.processed), threshold=args.threshold)
    _print_table(table, args.json)
    return 0


def _cmd_saturation(args: argparse.Namespace) -> int:
    from evstudy.saturation import saturation_summary, saturation_table
    from evstudy.study import load_study

    result = saturation_table(
        load_study(args.processed), base=args.base, run=args.run, threshold=args.threshold
    )
    summary = saturation_summary(result)
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
        return 0
    print(f"Code saturation (base {args.base}, run {args.run}, threshold {args.threshold:.0%})")
    for method, found in summary.items():
        reached = found["saturation"] or "not reached"
        print(f"  {method}: {found['documents']} documents, B = {found['B']}, saturation {reached}")
    return 0


def _cmd_qdpx_export(args: argparse.Namespace) -> int:
    from evstudy.qdpx import export_qdpx
    from evstudy.study import load_study

    path = export_qdpx(load_study(args.processed), args.out)
    print(f"wrote {path}")
    return 0


def _cmd_codebook_import(args: argparse.Namespace) -> int:
    from evstudy.qdpx.codebook import codebook_draft, write_codebook_draft

    if args.out is None:
        sys.stdout.write(codebook_draft(args.file))
        return 0
    path = write_codebook_draft(args.file, args.out)
    print(f"wrote {path}: review it, then save it as the study's codebook.yml")
    return 0


def _cmd_codebook_export(args: argparse.Namespace) -> int:
    from evstudy.qdpx.codebook import export_qdc
    from evstudy.study import load_study

    path = export_qdc(load_study(args.processed).codebook, args.out)
    print(f"wrote {path}")
    return 0


def _cmd_autocode(args: argparse.Namespace) -> int:
    from evstudy.autocode import autocode_report
    from evstudy.study import load_study

    _print_table(autocode_report(load_study(args.processed), rules=args.rules), args.json)
    return 0


def _cmd_survey_workbook(args: argparse.Namespace) -> int:
    from evstudy.excel import write_survey_workbook
    from evstudy.study import load_study

    path = write_survey_workbook(load_study(args.processed), args.out)
    print(f"wrote {path}")
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from evstudy.audit import audit_outputs, coarsenings, format_findings
    from evstudy.build.manifest import check_processed_study, raw_for_report
    from evstudy.config import find_project_root, resolve_processed

    # The report on disk is checked against the study it was built from, and no other.
    reports = Path(args.reports or find_project_root() / "reports").resolve()
    raw = raw_for_report(args.raw, reports)
    check_processed_study(resolve_processed(args.processed), reports)
    folders = {
        "raw": raw,
        "processed": args.processed,
        "figures": args.figures,
        "reports": args.reports,
    }
    findings = audit_outputs(**folders, key_dir=args.key_dir)
    print(format_findings(findings, coarsened=coarsenings(**folders)))
    return 1 if len(findings) else 0


def _cmd_sample(args: argparse.Namespace) -> int:
    import numpy as np

    from evstudy import sampling

    frame = sampling.read_frame(args.frame)
    # Defaults are the site table's design variables the frame has; named ones must exist.
    strata = sampling.resolve_variables(
        frame, args.strata or sampling.DEFAULT_STRATA, required=args.strata is not None
    )
    balance = sampling.resolve_variables(
        frame, args.balance or sampling.DEFAULT_BALANCE, required=args.balance is not None
    )
    seed = args.seed if args.seed is not None else int(np.random.SeedSequence().entropy % 2**31)
    design = {"k": args.k, "strata": strata, "balance": balance, "include": args.include}
    sample = sampling.draw_sample(frame, **design, seed=seed, candidates=args.candidates)
    plain = sampling.draw_sample(frame, **design, seed=seed, candidates=1)
    # the design variables beyond the site table's named ones are the study's own attributes
    sites = sampling.site_table(sample, extra=[*strata, *balance])
    reserves = None
    if args.reserves:
        reserves = sampling.reserve_table(frame, sample, sites, strata=strata, balance=balance)
    print(sampling.format_sample(frame, sample, sites, plain=plain, reserves=reserves))
    if args.out is not None:
        print(f"\nwrote {sampling.write_site_table(sites, args.out)}")
        if reserves is not None:
            path = args.out.with_name(f"{args.out.stem}_reserves.csv")
            print(f"wrote {sampling.write_site_table(reserves, path)}")
    return 0


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evstudy",
        description="Reproducible notebooks for mixed-methods studies: "
        "start, check, ingest, inspect and report.",
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

    def report_raw_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--raw",
            type=Path,
            default=None,
            help="raw study folder (default: $EVSTUDY_RAW, else the one the report's "
            "manifest records, else data/raw); must be the study the report was built from",
        )

    def out_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--out",
            type=Path,
            default=None,
            help="processed tables folder (default: $EVSTUDY_PROCESSED, else data/processed)",
        )

    def run_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--jobs", type=_positive, default=None, help="notebooks at once (default: cores)"
        )
        p.add_argument(
            "--timeout",
            type=_seconds,
            default=900,
            help="seconds allowed per notebook (default 900)",
        )

    def out_options(p: argparse.ArgumentParser) -> None:
        out_option(p)
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
        "init",
        help="start a new study: a raw folder with commented templates",
        description="Write the skeleton of a new study's raw folder into FOLDER (new or empty): "
        "study.yml, sites.csv, register.xlsx, other_names.txt, fieldwork_log.csv, codebook.yml, "
        "an empty coding sheet and the transcripts/ and survey/ folders. With --survey, copy a "
        "SmartSurvey export into survey/ and draft survey/question_map.yml from it.",
    )
    p.add_argument("folder", type=Path, help="the new study's raw folder (new or empty)")
    p.add_argument(
        "--survey",
        type=Path,
        default=None,
        metavar="EXPORT",
        help="a SmartSurvey export (.csv or .xlsx) to copy in and draft the question map from",
    )
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser(
        "check",
        help="validate a raw folder as ingest does, writing nothing",
        description="Read every input of a raw folder and check each against the others, as "
        "ingest does, without writing anything (no tables, no identity key, no name list). "
        "Prints every problem (exit 1) or a short summary (exit 0).",
    )
    raw_option(p)
    p.add_argument(
        "--key-dir",
        type=Path,
        default=None,
        help="the identity key's folder, read if present and never written "
        "(default: $EVSTUDY_KEYS, else an 'identity' folder beside the raw folder)",
    )
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser(
        "ingest",
        help="read a raw folder and write tidy tables",
        description="Validate a raw study folder and write tidy Parquet tables "
        "and an ingest report. Nothing is written when validation fails.",
    )
    raw_option(p)
    out_options(p)
    p.set_defaults(func=_cmd_ingest)

    for command, text in (
        ("build", "run the notebooks and export the HTML report (incremental)"),
        ("report", "the same as build: what `make report` runs"),
    ):
        p = sub.add_parser(
            command,
            help=text,
            description="Ingest when raw data changed, execute the notebooks that changed "
            "(in parallel), export the self-contained HTML report and swap it into reports/. "
            "A failing notebook never replaces the last good report.",
        )
        raw_option(p)
        out_option(p)
        p.add_argument(
            "--reports", type=Path, default=None, help="report folder (default: reports/)"
        )
        p.add_argument(
            "--figures", type=Path, default=None, help="charts folder (default: figures/)"
        )
        run_options(p)
        p.add_argument("--force", action="store_true", help="re-ingest and re-run everything")
        p.add_argument(
            "--final",
            action="store_true",
            help="publish as final: refuse while any section is the computed draft (no "
            "report/<section>.md) or any possible name is undecided, listing every one",
        )
        p.add_argument(
            "--wait",
            type=float,
            default=0,
            metavar="SECONDS",
            help="wait up to SECONDS for another build of the same reports/ to finish "
            "(default: fail at once, naming it)",
        )
        p.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "verify",
        help="rebuild from raw data in a temporary folder and compare with the manifest",
        description="Rebuild the whole report from the raw data in a temporary folder and "
        "compare it, entry by entry, with reports/manifest.json; also check that the published "
        "files still match it. Prints 'identical' (exit 0) or every difference (exit 1), "
        "then how report.pdf was compared: its bytes when both builds used the same chromium, "
        "its extracted text otherwise. Refuses a raw folder holding another study than the "
        "report's.",
    )
    report_raw_option(p)
    p.add_argument(
        "--reports",
        type=Path,
        default=None,
        help="report folder with manifest.json (default: reports/)",
    )
    run_options(p)
    p.add_argument(
        "--keep", type=Path, default=None, help="keep the rebuild in this (empty) folder"
    )
    p.set_defaults(func=_cmd_verify)

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

    def processed_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--processed",
            type=Path,
            default=None,
            help="processed tables folder (default: $EVSTUDY_PROCESSED, else data/processed)",
        )

    p = sub.add_parser(
        "reliability",
        help="inter-coder reliability per code (agreement, Cohen's kappa, Krippendorff's alpha)",
        description="Agreement between coders on the double-coded documents, per code and overall.",
    )
    processed_option(p)
    p.add_argument("--threshold", type=float, default=0.6, help="flag codes below this kappa")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    p.set_defaults(func=_cmd_reliability)

    p = sub.add_parser(
        "saturation",
        help="code saturation (Guest, Namey & Chen 2020)",
        description="Code saturation by interview order: base size, run length, threshold.",
    )
    processed_option(p)
    p.add_argument("--base", type=int, default=4, help="base size b (default 4)")
    p.add_argument("--run", type=int, default=2, help="run length r (default 2)")
    p.add_argument("--threshold", type=float, default=0.05, help="new-information threshold t")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_cmd_saturation)

    p = sub.add_parser(
        "qdpx",
        help="REFI-QDA project exchange (.qdpx)",
        description="Exchange the study with QDA tools (NVivo, ATLAS.ti, MAXQDA, QualCoder).",
    )
    qdpx = p.add_subparsers(dest="qdpx_command", metavar="ACTION", required=True)
    q = qdpx.add_parser(
        "export",
        help="write the study as a .qdpx project",
        description="Write sources, codebook, codings and coders as a REFI-QDA project.",
    )
    q.add_argument("out", type=Path, help="the .qdpx file to write")
    processed_option(q)
    q.set_defaults(func=_cmd_qdpx_export)

    p = sub.add_parser(
        "codebook",
        help="codebooks from and for QDA tools (REFI-QDA .qdc / .qdpx)",
        description="Draft a codebook.yml from a QDA tool's codes, or write the study's "
        "codebook for one.",
    )
    book = p.add_subparsers(dest="codebook_command", metavar="ACTION", required=True)
    q = book.add_parser(
        "import",
        help="draft a codebook.yml from a .qdpx project or .qdc codebook",
        description="Read the codes of a REFI-QDA project (.qdpx) or codebook (.qdc) and "
        "draft a codebook.yml: a flat codes: list with ids, labels, parents and definitions. "
        "Printed unless --out is given; an existing file is never overwritten.",
    )
    q.add_argument("file", type=Path, help="the .qdpx or .qdc file")
    q.add_argument(
        "--out", type=Path, default=None, help="write the draft here (a new file) instead"
    )
    q.set_defaults(func=_cmd_codebook_import)
    q = book.add_parser(
        "export",
        help="write the study's codebook as a REFI-QDA codebook (.qdc)",
        description="Write the study's codebook (inductive codes included) as a .qdc file "
        "that NVivo, ATLAS.ti, MAXQDA and QualCoder import.",
    )
    q.add_argument("out", type=Path, help="the .qdc file to write")
    processed_option(q)
    q.set_defaults(func=_cmd_codebook_export)

    p = sub.add_parser(
        "autocode",
        help="keyword auto-coding suggestions, with precision and recall against human coding",
        description="Apply keyword rules and compare the suggestions with human coding.",
    )
    processed_option(p)
    p.add_argument("--rules", type=Path, default=None, help="rules YAML (default: built in)")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    p.set_defaults(func=_cmd_autocode)

    p = sub.add_parser(
        "survey-workbook",
        help="write the survey tables, with disclosure control, to a formatted .xlsx",
        description="Write one sheet per survey question (suppression applied) and a notes sheet.",
    )
    p.add_argument("out", type=Path, help="the .xlsx file to write")
    processed_option(p)
    p.set_defaults(func=_cmd_survey_workbook)

    p = sub.add_parser(
        "audit",
        help="check every output for names, contact details, withdrawn words and small cells",
        description="Scan the processed tables, figures and report for register names, emails "
        "and phones, other names, any email or IP address, withdrawn participants' words and "
        "pseudonyms, quote attributions describing fewer than quote_k people, and small counts "
        "of people or subgroup bases in the published files. Lists each finding (file, place, "
        "what, why) and the coarsened attributions; exits 1 when anything is found. Refuses "
        "a raw folder or processed tables of another study than the report's.",
    )
    report_raw_option(p)
    processed_option(p)
    p.add_argument("--figures", type=Path, default=None, help="charts folder (default: figures/)")
    p.add_argument(
        "--reports",
        type=Path,
        default=None,
        help="report folder, or the staging folder a build is about to publish (default: reports/)",
    )
    p.add_argument(
        "--key-dir",
        type=Path,
        default=None,
        help="the identity key's folder, for withdrawn participants' pseudonyms "
        "(default: $EVSTUDY_KEYS, else an 'identity' folder beside the raw folder)",
    )
    p.set_defaults(func=_cmd_audit)

    p = sub.add_parser(
        "sample",
        help="choose the local authorities: a stratified sample balanced by rerandomisation",
        description="Draw k units from a sampling frame: seats per primary stratum by "
        "proportional allocation (largest remainder), then the best-balanced of many candidate "
        "samples on the secondary variables. Prints the balance table; --out writes the site "
        "table ingest reads.",
    )
    p.add_argument("--frame", type=Path, required=True, help="the sampling frame (.csv or .xlsx)")
    p.add_argument("-k", type=_positive, required=True, help="number of authorities to choose")
    p.add_argument(
        "--strata",
        type=_names,
        default=None,
        help="primary strata, comma-separated (default: la_type,tier where the frame has them)",
    )
    p.add_argument(
        "--balance",
        type=_names,
        default=None,
        help="secondary variables to balance, comma-separated (default: region, rurality, "
        "imd_decile, ethnic_minority_band where the frame has them); any other frame column "
        "may be named, and is carried into sites.csv as the study's own attribute",
    )
    p.add_argument(
        "--include",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME",
        help="authorities to force in, by name or code (quote names with spaces)",
    )
    p.add_argument(
        "--reserves",
        action="store_true",
        help="also draw one matched reserve per site (written to <out>_reserves.csv)",
    )
    p.add_argument("--seed", type=int, default=None, help="random seed (default: a fresh one)")
    p.add_argument(
        "--candidates", type=_positive, default=1000, help="candidate samples (default 1000)"
    )
    p.add_argument("--out", type=Path, default=None, help="the site table (sites.csv) to write")
    p.set_defaults(func=_cmd_sample)
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
