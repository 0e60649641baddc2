"""``evstudy audit``: prove that no output identifies a participant before it is published.

The audit reads every file under the processed folder, the figures and the report (HTML,
JSON, executed notebooks, CSV and other text, Parquet tables, SVG, and the XML inside
workbooks) and looks for

- every name in the register (any case; first name and surname; "Surname, First"; a title
  and surname), its emails and phone numbers (in every spelling), and the other-names list;
- any email address (spelt out too: "jo dot lee at council dot gov dot uk"), UK phone
  number, postcode and IPv4 or IPv6 address (:mod:`evstudy.contacts`);
- the words and pseudonym of a participant who withdrew (:mod:`evstudy.audit.withdrawal`);
- outside the processed tables, the words of a participant who said no to being quoted
  (:mod:`evstudy.audit.quoted`).

In what is published (``index.html``, the site pages, ``tables.xlsx``) it also checks that
no quote attribution describes fewer than ``quote_k`` people, that no pseudonym appears,
and that tables of people show no count from 1 to ``suppress_max`` and no subgroup base
under ``min_subgroup_base`` (:mod:`evstudy.audit.published`), and, reading the published
files together, that the same quoted words carry one attribution and that their uses do
not narrow the speaker below ``quote_k`` (:mod:`evstudy.audit.quoted`), and that no count
of people is published small, or can be worked out, from every page's figures taken
together (:mod:`evstudy.audit.ledger`).

Every finding names the file, the place in it, what was found and why it matters. It
names a register row or list entry rather than repeating a name, so the audit's own
output discloses nothing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from evstudy.audit.identifiers import Identifiers, build_identifiers, find_ip_addresses
from evstudy.audit.ledger import ledger_check
from evstudy.audit.published import COARSENING_COLUMNS, PublishedRules
from evstudy.audit.quoted import no_consent_text, publication_findings
from evstudy.audit.sources import SCANNED, iter_sources, read_source
from evstudy.audit.withdrawal import SPAN, Withdrawn, add_pseudonyms, withdrawn_text
from evstudy.config import (
    StudyConfig,
    find_project_root,
    load_config,
    resolve_processed,
    resolve_raw,
)
from evstudy.parallel import fork_map

__all__ = [
    "COARSENING_COLUMNS",
    "FINDING_COLUMNS",
    "FileScanner",
    "audit_outputs",
    "coarsenings",
    "file_signature",
    "find_ip_addresses",
    "format_findings",
]

FINDING_COLUMNS = ["file", "location", "finding", "why"]


def _folders(
    raw: str | Path | None,
    processed: str | Path | None,
    figures: str | Path | None,
    reports: str | Path | None,
) -> tuple[Path, dict[str, Path]]:
    root = find_project_root()
    roots = {
        "processed": resolve_processed(processed),
        "figures": Path(figures or root / "figures").resolve(),
        "reports": Path(reports or root / "reports").resolve(),
    }
    return resolve_raw(raw), roots


def _identifiers(config: StudyConfig, study: Any, key_dir: Path | None) -> Identifiers:
    from evstudy.io.register import read_register
    from evstudy.io.tables import read_other_names
    from evstudy.privacy import read_identity_key

    register = read_register(config.path("register"), label=config.files["register"])
    other_path = config.path("other_names")
    other = read_other_names(other_path) if other_path.is_file() else []
    found = build_identifiers(
        register.to_dict("records"),
        other,
        register_file=config.files["register"],
        other_file=config.files["other_names"],
    )
    _add_review(found, config, study)
    found.allow(config.report.get("authors") or [])
    found.pseudonyms |= set(study.participants["participant_id"].dropna())
    found.pseudonyms |= set(study.survey_respondents["respondent_id"].dropna())
    if key_dir is not None and key_dir.is_dir():
        found.pseudonyms |= {pid for pid, _, _ in read_identity_key(key_dir).rows}
    return found


def _add_review(found: Identifiers, config: StudyConfig, study: Any) -> None:
    """Where ingest left a first name that is also an ordinary word with no decision to keep
    it: the same words in an output are then a finding."""
    from evstudy.io.name_decisions import read_name_decisions
    from evstudy.privacy import NameDecisions

    if not found.ordinary:
        return
    path = config.path("name_decisions")
    decisions = (
        read_name_decisions(path, label=config.files["name_decisions"])
        if path.is_file()
        else NameDecisions({})
    )
    turns = study.turns
    for doc_id, turn, text in zip(turns["doc_id"], turns["turn"], turns["text"], strict=True):
        found.add_review(
            str(text), kept=lambda w, d=doc_id, t=int(turn): decisions.decision(w, d, t) == "keep"
        )


# A file's size, modification time and inode: a scan made earlier stands while they do.
Signature = tuple[int, int, int]
# One file's findings, ((file, location, what), why); None when the file is not text.
FileFindings = list[tuple[tuple[str, str, str], str]] | None


def file_signature(path: Path) -> Signature | None:
    """(size, mtime_ns, inode) of ``path``; None when it cannot be read."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


class FileScanner:
    """What the audit searches one study's outputs for, set up once; :meth:`scan` reads
    and searches one file.

    Parameters are those of :func:`audit_outputs`. A build makes one in a background
    process and scans each output as soon as it is written (see
    :class:`evstudy.build.pages.PageWriter`); ``audit_outputs`` then reuses those scans.
    """

    def __init__(
        self,
        *,
        raw: str | Path | None = None,
        processed: str | Path | None = None,
        config: StudyConfig | None = None,
        key_dir: str | Path | None = None,
        withdrawn: Withdrawn | None = None,
    ) -> None:
        from evstudy.ingest import resolve_key_dir
        from evstudy.study import load_study

        raw_dir = resolve_raw(raw)
        config = config or load_config(raw_dir)
        keys = resolve_key_dir(raw_dir, key_dir)
        study = load_study(resolve_processed(processed))
        self.identifiers = _identifiers(config, study, keys)
        self.study = study
        self.rules = PublishedRules(study)
        self.withdrawn = _withdrawal(config, keys, withdrawn)
        self.no_consent = no_consent_text(study, config, keys)

    def scan(self, entry: tuple[str, Path, bool]) -> FileFindings:
        """One file's findings, ((file, location, what), why); None when it is not text.

        ``entry`` is (display name, path, published), as :func:`iter_sources` gives it.
        """
        identifiers, rules, withdrawn = self.identifiers, self.rules, self.withdrawn
        source = read_source(*entry)
        if not source.scanned:
            return None
        found = []
        raw: list[tuple[tuple[str, str, str], str]] = []
        for piece in source.pieces:
            hits = [*identifiers.find(piece.text, piece.key), *withdrawn.find(piece.text)]
            if not piece.file.startswith("processed/"):  # their turns are data there
                hits += self.no_consent.find(piece.text)
            if piece.published:
                hits += identifiers.find_pseudonyms(piece.text)
            if piece.raw:
                raw += [((piece.file, piece.location, what), why) for _, what, why in hits]
                continue
            if piece.published:
                for quoted in rules.attributions(piece):
                    problem = rules.check_attribution(quoted)
                    if problem:
                        hits.append(("attribution", *problem))
            found += [((piece.file, piece.location, what), why) for _, what, why in hits]
        for grid in source.grids:
            for location, what, why in [
                *rules.check_grid(grid),
                *rules.check_row_attributions(grid),
            ]:
                found.append(((grid.file, location, what), why))
        return found + _unparsed(raw, found)

    def scan_now(self, entry: tuple[str, Path, bool]) -> tuple[Signature | None, FileFindings]:
        """:meth:`scan`, with the file's signature; None for it when the file changed
        while it was read (the scan then stands for no version of it)."""
        before = file_signature(entry[1])
        found = self.scan(entry)
        return (before if file_signature(entry[1]) == before else None), found


_LINE = re.compile(r"\bline (\d+)")


def _unparsed(
    raw: list[tuple[tuple[str, str, str], str]], parsed: list[tuple[tuple[str, str, str], str]]
) -> list[tuple[tuple[str, str, str], str]]:
    """The raw-line findings that no finding of the file's parser accounts for.

    Each parser finding accounts for one raw line with the same finding: the first not yet
    taken at or after the line it names (an element's text starts on or after its tag's
    line), or, when it names no line (a JSON key, a notebook cell), the first not yet
    taken. What is left, a name after ``</html>`` say, the parser never read.
    """
    if not raw:
        return []
    raw = list({key: why for key, why in raw}.items())  # one per line and finding
    lines: dict[str, list[int]] = {}
    for i, ((_, _, what), _) in enumerate(raw):
        lines.setdefault(what, []).append(i)
    taken: set[int] = set()
    # Those that name a line first, so that one that names none takes what is left.
    ordered = sorted(parsed, key=lambda f: _LINE.search(f[0][1]) is None)
    for (_, location, what), _ in ordered:
        line = _LINE.search(location)
        first = int(line.group(1)) if line else 0
        for i in lines.get(what, ()):
            if i not in taken and int(_LINE.search(raw[i][0][1]).group(1)) >= first:
                taken.add(i)
                break
    return [finding for i, finding in enumerate(raw) if i not in taken]


def _withdrawal(config: StudyConfig, keys: Path | None, withdrawn: Withdrawn | None) -> Withdrawn:
    if withdrawn is None:
        return withdrawn_text(config, keys)
    return add_pseudonyms(copy.deepcopy(withdrawn), config, keys)


def audit_outputs(
    *,
    raw: str | Path | None = None,
    processed: str | Path | None = None,
    figures: str | Path | None = None,
    reports: str | Path | None = None,
    config: StudyConfig | None = None,
    key_dir: str | Path | None = None,
    withdrawn: Withdrawn | None = None,
    workers: int | None = None,
    scanned: Mapping[str, tuple[Signature | None, FileFindings]] | None = None,
    ledger: pd.DataFrame | None = None,
    ledger_checked: tuple[list, list] | None = None,
    scanner: FileScanner | None = None,
    quote_uses: Mapping[str, tuple] | None = None,
) -> pd.DataFrame:
    """Scan every output for identifiers, withdrawn words and breaches of the disclosure rules.

    Parameters
    ----------
    raw : path, optional
        The raw folder: its register, other-names list and transcripts say what to look
        for. Default: ``$EVSTUDY_RAW``, else ``data/raw``.
    processed : path, optional
        The processed tables. Default: ``$EVSTUDY_PROCESSED``, else ``data/processed``.
    figures, reports : path, optional
        The charts, and the report (or the staging folder a build is about to publish).
        Default: ``figures/`` and ``reports/`` of the project.
    config : StudyConfig, optional
        The raw folder's configuration, when the caller has it already.
    key_dir : path, optional
        The identity-key folder (default as for ingest: ``$EVSTUDY_KEYS``, else
        ``identity/`` beside the raw folder); it gives withdrawn participants' pseudonyms.
    withdrawn : Withdrawn, optional
        What :func:`evstudy.audit.withdrawal.withdrawn_text` found in this raw folder,
        when the caller worked it out already (a build does, while ingest runs); the
        pseudonyms in the identity key are added to it here.
    workers : int, optional
        Files are read and searched in this many processes at once (default: the number
        of cores). The findings are the same, in the same order, for any number.
    scanned : mapping, optional
        Files scanned already, by display name (``reports/index.html``): what
        :meth:`FileScanner.scan_now` returned, made with the same arguments. A scan is
        reused while the file's size, modification time and inode are unchanged; every
        other file is scanned here.
    ledger : pandas.DataFrame, optional
        :func:`evstudy.disclosure.publication_ledger` of the study in ``processed``, when
        the caller worked it out already (a build does, in the background while the PDF
        prints); by default it is computed here.
    ledger_checked : (list, list), optional
        What :func:`evstudy.audit.ledger.ledger_check` returned for this study and
        ``reports``, when the caller worked it out already: it depends on the ledger and
        on which of the ledger's pages exist, so it can be worked out before the last
        file that is no such page (the PDF) is written.
    scanner : FileScanner, optional
        A scanner made with the same arguments, when the caller made one already.
    quote_uses : mapping, optional
        Published files whose quotes were found already, by display name: what
        :func:`evstudy.audit.quoted.publication_uses` returned, made with the same
        arguments. Each stands while the file's size, modification time and inode are
        unchanged; the quotes of every other published file are found here.

    Returns
    -------
    pandas.DataFrame
        One row per finding: ``file`` (``processed/...``, ``figures/...`` or
        ``reports/...``), ``location`` (line, table row, notebook cell, sheet cell or
        table column), ``finding`` and ``why``; empty when the outputs are clean.
        ``attrs["summary"]`` counts the files scanned, ``attrs["withdrawal"]`` what the
        withdrawal proof searched for and ``attrs["quote_consent"]`` what the search for
        the words of participants who said no to being quoted searched for.

    Raises
    ------
    InputError, ValidationError
        When the raw register, fieldwork log or transcripts cannot be read.
    """
    from evstudy.ingest import resolve_key_dir

    raw_dir, roots = _folders(raw, processed, figures, reports)
    config = config or load_config(raw_dir)
    entries = list(iter_sources(roots))
    results: list[FileFindings] = [None] * len(entries)
    todo = []
    for i, (file, path, _) in enumerate(entries):
        signature, found = (scanned or {}).get(file, (None, None))
        if signature is not None and signature == file_signature(path):
            results[i] = found
        else:
            todo.append(i)
    if todo or scanner is not None:
        if scanner is None:
            scanner = FileScanner(
                raw=raw_dir,
                processed=roots["processed"],
                config=config,
                key_dir=key_dir,
                withdrawn=withdrawn,
            )
        summary = scanner.withdrawn.summary()
        consent = scanner.no_consent.summary()
        # Each file is independent: read and searched in worker processes, biggest first.
        done = fork_map(
            scanner.scan,
            [entries[i] for i in todo],
            workers=workers,
            cost=lambda entry: _size(entry[1]),
        )
        for i, found in zip(todo, done, strict=True):
            results[i] = found
    else:
        keys = resolve_key_dir(raw_dir, key_dir)
        summary = _withdrawal(config, keys, withdrawn).summary()
        consent = None
    # The publication as a whole: one attribution per quote, and no narrowing across pages.
    if scanner is not None:
        rules, study = scanner.rules, scanner.study
    else:
        from evstudy.study import load_study

        study = load_study(roots["processed"])
        rules = PublishedRules(study)
        consent = no_consent_text(study, config, resolve_key_dir(raw_dir, key_dir)).summary()
    across = publication_findings(rules, study, roots["reports"], workers=workers, known=quote_uses)
    # Every count of people on every page, taken together (issue 20 §5), strictly: every
    # printer consults the ledger, so what was a notice is a finding too.
    if ledger_checked is None:
        ledger_checked = ledger_check(study, roots["reports"], ledger=ledger)
    governed, printed = ledger_checked
    across += governed + printed
    notices: list = []
    rows: dict[tuple[str, str, str], str] = {}
    scanned_files, skipped = 0, []
    for (file, _, _), found in zip(entries, results, strict=True):
        if found is None:
            skipped.append(file)
            continue
        scanned_files += 1
        for key, why in found:
            rows.setdefault(key, why)
    for file, location, what, why in across:
        rows.setdefault((file, location, what), why)
    frame = pd.DataFrame(
        [(*key, why) for key, why in rows.items()], columns=FINDING_COLUMNS
    ).astype(object)
    frame.attrs["summary"] = {
        "files scanned": scanned_files,
        "files not scanned (images)": len(skipped),
        "folders": {label: str(path) for label, path in roots.items()},
    }
    frame.attrs["withdrawal"] = summary
    frame.attrs["quote_consent"] = consent
    frame.attrs["ledger"] = notices
    return frame


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def coarsenings(
    *,
    processed: str | Path | None = None,
    reports: str | Path | None = None,
    raw: str | Path | None = None,
    figures: str | Path | None = None,
    config: StudyConfig | None = None,
    key_dir: str | Path | None = None,
) -> pd.DataFrame:
    """The coarsened quote attributions in the published report.

    ``raw``, ``figures``, ``config`` and ``key_dir`` are accepted so that this takes the
    same arguments as :func:`audit_outputs`; the published files and the processed tables
    are all it needs.

    Returns
    -------
    pandas.DataFrame
        ``file, location, attribution`` (as published), ``level`` (1 = role group
        withheld, 2 = site withheld, 3 = both), ``withheld`` and ``why`` (which group was
        too small, never its size or who is in it).
    """
    from evstudy.study import load_study

    _, roots = _folders(raw, processed, figures, reports)
    rules = PublishedRules(load_study(roots["processed"]))
    pieces = []
    for file, path, published in iter_sources({"reports": roots["reports"]}):
        if published and path.suffix.lower() in SCANNED:
            pieces += read_source(file, path, published).pieces
    return rules.coarsening_rows(pieces)


def format_findings(findings: pd.DataFrame, *, coarsened: pd.DataFrame | None = None) -> str:
    """The audit's result as a readable list: file, place, what was found and why.

    Parameters
    ----------
    findings : pandas.DataFrame
        From :func:`audit_outputs`.
    coarsened : pandas.DataFrame, optional
        From :func:`coarsenings`: listed at the end, one line per attribution and file.

    Returns
    -------
    str
    """
    summary = findings.attrs.get("summary", {})
    n = len(findings)
    scanned = summary.get("files scanned")
    where = f" in {scanned} files" if scanned is not None else ""
    lines = [
        f"privacy audit: {n} finding{'s' if n != 1 else ''}{where}"
        + (" - nothing may be published until each is fixed" if n else ": clean")
    ]
    for i, row in enumerate(findings.itertuples(index=False), 1):
        lines.append(f"  {i}. {row.file}, {row.location}: {row.finding}")
        lines.append(f"     why: {row.why}")
    withdrawal = findings.attrs.get("withdrawal")
    if withdrawal:
        people = withdrawal.get("withdrawn participants", 0)
        if people:
            lines.append(
                f"withdrawal: {people} withdrawn participant(s); "
                f"{withdrawal['distinctive passages searched for']:,} distinctive {SPAN}-word "
                f"passages of their {withdrawal['their turns']} turns and "
                f"{withdrawal['pseudonyms searched for']} pseudonym(s) searched for "
                f"({withdrawal['turns with no distinctive passage']} turns too short or too "
                "common to search for)"
            )
        else:
            lines.append("withdrawal: no participant has withdrawn")
    consent = findings.attrs.get("quote_consent")
    if consent:
        people = consent["participants who said no"]
        lines.append(
            f"quote consent: {people} participant(s) said no to being quoted; "
            f"{consent['distinctive passages searched for']:,} distinctive {SPAN}-word passages "
            "of their turns searched for outside the processed tables"
            if people
            else "quote consent: nobody said no to being quoted"
        )
    notices = findings.attrs.get("ledger") or []
    if notices:
        lines.append(
            f"publication ledger: {len(notices)} count(s) of people that pages print without "
            "consulting the ledger (evstudy.disclosure.hidden_keys), or that only such "
            "counts leave recoverable:"
        )
        lines += [f"  {file}, {where}: {what}" for file, where, what, _ in notices]
    if coarsened is not None:
        if coarsened.empty:
            lines.append("coarsened attributions in the published report: none")
        else:
            lines.append(f"coarsened attributions in the published report: {len(coarsened)}")
            counted = coarsened.groupby(["file", "attribution", "withheld", "why"], sort=True)
            for (file, attribution, withheld, why), group in counted:
                lines.append(
                    f"  {file}: {attribution!r} x{len(group)} ({withheld} withheld: {why})"
                )
    return "\n".join(lines)
