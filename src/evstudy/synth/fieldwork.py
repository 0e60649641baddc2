"""The fieldwork plan: which documents exist, who is in each, when, and in what file format.

Formats are dealt from a deck in fixed proportions (about 60% Teams Word, 10% Word with a
legend, 15% Teams WebVTT, 5% Zoom WebVTT and 10% plain text), so every study of any size
exercises every reader. Within a format, a few documents use Teams' other ways of writing a
speaker's name (``Surname, Firstname`` or ``Firstname Surname (Organisation)``).
"""

from __future__ import annotations

from datetime import date, timedelta

from evstudy.synth.common import Doc, Person, Site, stream
from evstudy.synth.people import People

__all__ = ["FORMATS", "pick_no_quote", "pick_withdrawn", "plan_documents"]

FORMATS = {  # format -> (share, file extension)
    "teams_docx": (0.60, "docx"),
    "legend_docx": (0.10, "docx"),
    "teams_vtt": (0.15, "vtt"),
    "zoom_vtt": (0.05, "vtt"),
    "txt": (0.10, "txt"),
}
FIELDWORK_START = date(2023, 10, 23)
FIELDWORK_DAYS = 60


def _weekday(start: date, offset: int) -> date:
    d = start + timedelta(days=offset)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def _format_deck(n: int, rng) -> list[str]:
    deck: list[str] = []
    for fmt, (share, _) in FORMATS.items():
        deck += [fmt] * max(1, round(share * n))
    while len(deck) < n:
        deck.append("teams_docx")
    deck = deck[:n] if len(deck) >= n else deck
    return [deck[int(i)] for i in rng.permutation(len(deck))][:n]


def plan_documents(seed: int, sites: list[Site], people: People) -> list[Doc]:
    """Every transcript of the study, with participants, team, date, format and file name.

    Parameters
    ----------
    seed : int
        The study seed.
    sites : list of Site
        The sites, in order.
    people : People
        Who takes part.

    Returns
    -------
    list of Doc
        Interviews ``INT-<site>-NN``, one focus group ``FG-<site>`` per site and expert
        interviews ``EXP-NN``, in that order; turns are not written yet.
    """
    rng = stream(seed, "fieldwork")
    team = people.team
    docs: list[Doc] = []
    for site in sites:
        for k, person in enumerate(people.interviewees[site.site_id], 1):
            docs.append(
                Doc(
                    doc_id=f"INT-{site.site_id}-{k:02d}",
                    method="Interview",
                    site_id=site.site_id,
                    when=_weekday(FIELDWORK_START, int(rng.integers(0, FIELDWORK_DAYS - 3))),
                    team=[team[int(rng.integers(0, 2))]],
                    participants=[person],
                    target_words=int(rng.integers(1250, 2450)),
                )
            )
        facilitators = [team[2]] + ([team[1]] if rng.random() < 0.5 else [])
        docs.append(
            Doc(
                doc_id=f"FG-{site.site_id}",
                method="Focus group",
                site_id=site.site_id,
                when=_weekday(FIELDWORK_START, int(rng.integers(7, FIELDWORK_DAYS - 3))),
                team=facilitators,
                participants=list(people.focus[site.site_id]),
                target_words=int(rng.integers(2600, 3900)),
            )
        )
    for k, person in enumerate(people.experts, 1):
        docs.append(
            Doc(
                doc_id=f"EXP-{k:02d}",
                method="Expert interview",
                site_id="",
                when=_weekday(FIELDWORK_START, int(rng.integers(0, FIELDWORK_DAYS - 3))),
                team=[team[0] if rng.random() < 0.7 else team[1]],
                participants=[person],
                target_words=int(rng.integers(1250, 2450)),
            )
        )

    formats = _format_deck(len(docs), rng)
    # A legend needs one respondent: swap focus groups' legend formats with an interview's.
    for i, doc in enumerate(docs):
        if doc.method == "Focus group" and formats[i] == "legend_docx":
            j = next(
                j
                for j, d in enumerate(docs)
                if d.method != "Focus group" and formats[j] != "legend_docx"
            )
            formats[i], formats[j] = formats[j], formats[i]
    # Make sure an apostrophe name reaches a Teams WebVTT file (its name is HTML-escaped there).
    if not any(
        f == "teams_vtt" and any("'" in p.name for p in d.participants)
        for d, f in zip(docs, formats, strict=True)
    ):
        i = next(
            (
                i
                for i, d in enumerate(docs)
                if d.method == "Interview" and "'" in d.participants[0].name
            ),
            None,
        )
        j = formats.index("teams_vtt") if "teams_vtt" in formats else None
        if i is not None and j is not None:
            formats[i], formats[j] = formats[j], formats[i]
    site_names = {s.site_id: s.name for s in sites}
    for doc, fmt in zip(docs, formats, strict=True):
        doc.fmt = fmt
        ext = FORMATS[fmt][1]
        when = doc.when.isoformat()
        if doc.method == "Interview":
            number = doc.doc_id.rsplit("-", 1)[1]
            folder = f"{doc.site_id} {site_names[doc.site_id]}"
            doc.file = f"{folder}/Interview {number} {when}.{ext}"
        elif doc.method == "Focus group":
            doc.file = f"{doc.site_id} {site_names[doc.site_id]}/Focus group {when}.{ext}"
        else:
            doc.file = f"Expert interviews/Expert interview {doc.doc_id[4:]} {when}.{ext}"
    for doc in docs:
        for p in doc.participants:
            if doc.method not in p.methods:
                p.methods.append(doc.method)
            consent = doc.when - timedelta(days=int(rng.integers(1, 12)))
            if p.consent_date is None or consent < p.consent_date:
                p.consent_date = consent
    return docs


def pick_withdrawn(seed: int, docs: list[Doc], people: People) -> Person:
    """Choose the one participant who withdraws after their interview and date it."""
    rng = stream(seed, "withdrawn")
    in_groups = {p.pid for group in people.focus.values() for p in group}
    candidates = [
        d
        for d in docs
        if d.method == "Interview"
        and d.participants[0].pid not in in_groups
        and not d.participants[0].partner
    ]
    doc = candidates[int(rng.integers(len(candidates)))]
    person = doc.participants[0]
    person.withdrawal_date = doc.when + timedelta(days=int(rng.integers(7, 30)))
    return person


NO_QUOTE = 3  # participants who take part but say no to being quoted


def pick_no_quote(seed: int, docs: list[Doc], people: People) -> list[Person]:
    """Choose the few site participants who say no to being quoted (never the withdrawn)."""
    rng = stream(seed, "no_quote")
    seen: dict[str, Person] = {}
    for d in docs:
        if d.method in ("Interview", "Focus group"):
            for p in d.participants:
                if p.site_id and not p.withdrawal_date and not p.partner:
                    seen.setdefault(p.pid, p)
    candidates = [seen[pid] for pid in sorted(seen)]
    chosen = rng.choice(len(candidates), size=min(NO_QUOTE, len(candidates)), replace=False)
    for i in sorted(chosen):
        candidates[i].quote_consent = False
    return [candidates[i] for i in sorted(chosen)]
