"""The publication as a whole: one attribution per quote, and nobody quoted who said no.

Readers put pages together. The same words attributed "Staff, Kelwick" on a site's page
and "Senior leader, a site" in a role group's row say "a senior leader at Kelwick",
although each page alone is safe. :func:`quote_uses` finds every published quote with its
attribution and what the place it is shown tells (a site's page names the site; a table
row may name a role group or a site); :func:`check_publication` then reads all of them
together, keyed on the words as published, and finds

- words shown with more than one attribution anywhere in the publication;
- words whose uses, read together, narrow the speaker to fewer than ``quote_k`` people.

:class:`NoConsent` searches outputs for the words of participants who said no to being
quoted (the register's ``Quote consent``), as :mod:`evstudy.audit.withdrawal` does for
withdrawn participants' words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evstudy.audit.identifiers import tokens
from evstudy.audit.withdrawal import SPAN, word_runs
from evstudy.coding import DATA_ROLES, coded_segments, published_words, quotes

if TYPE_CHECKING:
    from evstudy.audit.published import Attribution, PublishedRules
    from evstudy.audit.sources import Source
    from evstudy.config import StudyConfig
    from evstudy.study import Study

__all__ = [
    "NoConsent",
    "QuoteUse",
    "check_publication",
    "no_consent_text",
    "publication_findings",
    "publication_uses",
    "quote_uses",
]

SHORTEST = 4  # words: a shorter quote found inside prose could be anyone's words
WHY_ONE = (
    "a quote must carry one attribution across the whole publication: read together, two "
    "attributions of the same words narrow the speaker to the group both describe "
    "(evstudy.quotes gives each passage one attribution; show a quote only where its "
    "attribution is not None)"
)
WHY_NARROW = (
    "read together, the places these words are shown (the attributions, a site's page, "
    "the role group or site a table row names) describe fewer than quote_k = {k} people, "
    "so readers who know the organisation can tell who said it"
)
WHY_CONSENT = (
    "the participant said no to being quoted (the register's 'Quote consent'): their "
    "words may count in the analysis but must never be quoted in any output"
)


def _key(text: str) -> str:
    """The words as published, whatever the quotation marks, case, spacing or full stop."""
    return published_words(text)


@dataclass(frozen=True)
class QuoteUse:
    """One published quote: its words, its attribution, and what its place tells."""

    words: str
    attribution: Attribution
    location: str
    site_id: str | None  # the site the attribution, page or row tells
    role_group: str | None  # the role group the attribution or row tells


class _Quotes:
    """Every quotable passage's words, for finding them in published text."""

    def __init__(self, study: Study) -> None:
        segments = coded_segments(study)
        texts = segments.loc[segments["speaker_role"].isin(DATA_ROLES), "text"].dropna()
        # Quotes are published as whole sentences around the coded words (evstudy.quotes).
        texts = [*texts, *quotes(study)["text"]]
        self.keys = {_key(t) for t in texts} - {""}
        self.starts: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for key in self.keys:
            words = key.split()
            if len(words) >= SHORTEST:
                self.starts[tuple(words[:SHORTEST])].add(key)

    def within(self, text: str) -> set[str]:
        """The quotable passages (as their keys' words) found inside ``text``."""
        whole = _key(text)
        if whole in self.keys:
            return {whole}
        words = tokens(text)
        found = set()
        joined = " " + " ".join(words) + " "
        for i in range(len(words) - SHORTEST + 1):
            for candidate in self.starts.get(tuple(words[i : i + SHORTEST]), ()):
                if f" {candidate} " in joined:
                    found.add(candidate)
        # A passage inside a longer one found here is part of that quote, not its own.
        return {f for f in found if not any(f != g and f" {f} " in f" {g} " for g in found)}


def quote_uses(
    rules: PublishedRules,
    sources: Iterable[Source],
    study: Study,
    *,
    quotable: _Quotes | None = None,
) -> list[QuoteUse]:
    """Every published quote with its attribution and what its place tells.

    A quote is a coded passage's words in a table cell (its attribution in the same row)
    or inside a run of text (its attribution in the same run).
    """
    from evstudy.audit.published import _SITE_PAGE
    from evstudy.audit.sources import Piece

    quotable = quotable or _Quotes(study)
    uses: list[QuoteUse] = []
    for source in sources:
        if not source.published:
            continue
        page = _SITE_PAGE.match(source.file)
        page_site = page.group(1) if page and page.group(1) in rules.site_names else None
        in_grids: set[tuple[str, str]] = set()
        for grid in source.grids:
            for i, row in enumerate(grid.rows):
                cells = [c.strip().casefold() for c in row]
                roles = {rules.role_by_label[c] for c in cells if c in rules.role_by_label}
                sites = {rules.site_by_name[c] for c in cells if c in rules.site_by_name}
                # Each quote cell goes with the first attribution in it or after it,
                # before the next quote: a row may hold several quotes, each with its own.
                said = [[*rules.attributions(Piece(grid.file, "", c, True))] for c in row]
                keys = [_key(c) for c in row]
                for j, key in enumerate(keys):
                    in_grids.add((grid.locations[i][j], row[j]))
                    if key not in quotable.keys:
                        continue
                    for later in range(j, len(row)):
                        if later > j and keys[later] in quotable.keys:
                            break
                        if said[later]:
                            where = grid.locations[i][j]
                            uses.append(_use(key, said[later][0], where, page_site, roles, sites))
                            break
        for piece in source.pieces:
            if (piece.location, piece.text) in in_grids:
                continue
            # In running text a quote goes with the attribution that follows it:
            # "“...” (Staff, Kelwick)" or "... - Staff, Kelwick".
            found = list(rules.attributions(piece))
            matches = list(rules.pattern.finditer(piece.text))
            before = 0
            for match, attribution in zip(matches, found, strict=True):
                for key in quotable.within(piece.text[before : match.start()]):
                    uses.append(_use(key, attribution, piece.location, page_site, set(), set()))
                before = match.end()
    return uses


def _use(
    key: str,
    attribution: Attribution,
    location: str,
    page_site: str | None,
    roles: set[str],
    sites: set[str],
) -> QuoteUse:
    site = attribution.site_id or page_site or (next(iter(sites)) if len(sites) == 1 else None)
    role = attribution.role_group or (next(iter(roles)) if len(roles) == 1 else None)
    return QuoteUse(key, attribution, location, site, role)


def check_publication(
    rules: PublishedRules, uses: Iterable[tuple[str, QuoteUse]]
) -> Iterator[tuple[str, str, str, str]]:
    """(file, location, what was found, why) for each quote the publication as a whole
    attributes twice or narrows below ``quote_k``; ``uses`` are (file, use) pairs."""
    by_words: dict[str, list[tuple[str, QuoteUse]]] = defaultdict(list)
    for file, use in uses:
        by_words[use.words].append((file, use))
    for words, found in sorted(by_words.items()):
        shown = " ".join(words.split()[:8]) + (" ..." if len(words.split()) > 8 else "")
        texts: dict[str, tuple[str, str]] = {}
        for file, use in found:
            texts.setdefault(" ".join(use.attribution.text.split()).casefold(), (file, use))
        if len(texts) > 1:
            (file, first), *others = texts.values()
            where = "; ".join(
                f"{u.attribution.text!r} ({f}, {u.location})" for f, u in [(file, first), *others]
            )
            yield (
                others[0][0],
                others[0][1].location,
                f"the quote {shown!r} carries {len(texts)} attributions: {where}",
                WHY_ONE,
            )
        populations = {use.attribution.population for _, use in found}
        if populations != {"participants"} and populations != {"survey respondents"}:
            continue  # experts are quoted as experts; mixed populations are caught above
        from evstudy.audit.published import Attribution

        population = populations.pop()
        sites = {use.site_id for _, use in found if use.site_id} or {None}
        roles = {use.role_group for _, use in found if use.role_group} or {None}
        for site in sorted(sites, key=str):
            for role in sorted(roles, key=str):
                together = Attribution(words, population, site, role, False)
                if rules.size(together) >= rules.k:
                    continue
                told = " and ".join(
                    t
                    for t in (
                        role and f"role group {role}",
                        site and f"site {rules.site_names.get(site, site)}",
                    )
                    if t
                )
                file, use = found[-1]
                yield (
                    file,
                    use.location,
                    f"read together, the {len(found)} uses of the quote {shown!r} tell the "
                    f"speaker's {told}: fewer than {rules.k} {population}",
                    WHY_NARROW.format(k=rules.k),
                )


def publication_findings(
    rules: PublishedRules,
    study: Study,
    reports: Path,
    *,
    workers: int | None = None,
    known: Mapping[str, tuple[Any, list[tuple[str, QuoteUse]]]] | None = None,
) -> list[tuple[str, str, str, str]]:
    """:func:`check_publication` over every published file under ``reports``.

    Files are read and their quotes found in ``workers`` processes at once (default: the
    number of cores), the biggest first; the findings do not depend on the number.
    ``known``: files whose quotes were found already, by display name, as
    :func:`publication_uses` gives them; each stands while the file's signature (size,
    modification time, inode) is unchanged.
    """
    from evstudy.audit import file_signature
    from evstudy.audit.sources import iter_sources

    files = [entry for entry in iter_sources({"reports": reports}) if entry[2]]
    found: dict[str, list[tuple[str, QuoteUse]]] = {}
    todo = []
    for entry in files:
        signature, pairs = (known or {}).get(entry[0], (None, None))
        if signature is not None and signature == file_signature(entry[1]):
            found[entry[0]] = pairs
        else:
            todo.append(entry)
    if todo:
        done = publication_uses(rules, study, todo, workers=workers)
        found.update({file: pairs for file, (_, pairs) in done.items()})
    pairs = [pair for entry in files for pair in found[entry[0]]]
    return list(check_publication(rules, pairs))


def publication_uses(
    rules: PublishedRules,
    study: Study,
    files: list[tuple[str, Path, bool]],
    *,
    workers: int | None = None,
) -> dict[str, tuple[Any, list[tuple[str, QuoteUse]]]]:
    """Each published file's (signature, (file, quote use) pairs), by display name.

    ``files`` as :func:`evstudy.audit.sources.iter_sources` gives them. The signature is
    None when the file changed while it was read (the uses then stand for no version).
    """
    from evstudy.audit import file_signature
    from evstudy.audit.sources import read_source
    from evstudy.parallel import fork_map

    quotable = _Quotes(study)  # worked out once for every file

    def uses_in(entry: tuple[str, Path, bool]) -> tuple[Any, list[tuple[str, QuoteUse]]]:
        before = file_signature(entry[1])
        source = read_source(*entry)
        pairs = [(entry[0], use) for use in quote_uses(rules, [source], study, quotable=quotable)]
        return (before if file_signature(entry[1]) == before else None), pairs

    done = fork_map(uses_in, files, workers=workers, cost=lambda entry: _size(entry[1]))
    return {entry[0]: result for entry, result in zip(files, done, strict=True)}


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# -- consent to be quoted ---------------------------------------------------------------------


@dataclass
class NoConsent:
    """Distinctive passages of the participants who said no to being quoted."""

    passages: dict[str, str] = field(default_factory=dict)  # "w1 ... w8" -> source
    people: int = 0
    _starts: set[tuple[str, str]] = field(default_factory=set)

    def summary(self) -> dict[str, int]:
        return {
            "participants who said no": self.people,
            "distinctive passages searched for": len(self.passages),
        }

    def find(self, text: str) -> Iterator[tuple[str, str, str]]:
        """(kind, what was found, why) for such words in ``text``."""
        if not self.passages:
            return
        words = tokens(text)
        for i in range(len(words) - SPAN + 1):
            if (words[i], words[i + 1]) in self._starts:
                source = self.passages.get(" ".join(words[i : i + SPAN]))
                if source:
                    yield (
                        "no_quote_consent",
                        f"{SPAN} or more consecutive words of a participant who said no "
                        f"to being quoted ({source})",
                        WHY_CONSENT,
                    )
                    return


def no_consent_text(study: Study, config: StudyConfig | None, key_dir: Path | None) -> NoConsent:
    """What to search outputs for: the words of participants who said no to being quoted.

    They are the participants the processed tables mark (``quote_consent`` false) and, with
    the identity key, those whose register row says no. Their turns (in the processed
    tables, as quotes are drawn from them) are cut into :data:`SPAN`-word passages; a
    passage another participant or respondent also said is not searched for, since their
    quote of it is theirs to give.
    """
    from evstudy.coding import no_quote_consent

    refused = set(no_quote_consent(study))
    source = {pid: f"participant {pid}" for pid in refused}
    if config is not None and key_dir is not None and Path(key_dir).is_dir():
        source |= _from_register(config, Path(key_dir))
        refused |= set(source)
    found = NoConsent(people=len(refused))
    if not refused:
        return found
    turns = study.turns[study.turns["speaker_role"].isin(DATA_ROLES)]
    theirs = turns["participant_id"].isin(refused)
    others: set[str] = set()
    for text in turns.loc[~theirs, "text"].dropna():
        others |= word_runs(text)
    for pid, text in turns.loc[theirs, ["participant_id", "text"]].itertuples(index=False):
        for passage in word_runs(text) - others if isinstance(text, str) else ():
            found.passages[passage] = source.get(pid, f"participant {pid}")
    found._starts = {tuple(p.split(" ", 2)[:2]) for p in found.passages}
    return found


def _from_register(config: StudyConfig, key_dir: Path) -> dict[str, str]:
    """Pseudonym -> register row of each person whose register row says no."""
    from evstudy.io.register import read_register
    from evstudy.privacy import read_identity_key

    register_file = config.files["register"]
    register = read_register(config.path("register"), label=register_file)
    if "quote_consent" not in register:
        return {}
    said_no = register[register["quote_consent"].map(lambda v: v is False)]
    emails = {
        str(r["email"]).casefold(): f"{register_file} row {r['row']}" for _, r in said_no.iterrows()
    }
    return {
        pid: emails[email.casefold()]
        for pid, _, email in read_identity_key(key_dir).rows
        if email.casefold() in emails
    }
