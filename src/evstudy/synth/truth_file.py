"""The written planted truth: ``planted_truth.yml``.

Everything here is measured on the generated data (counts in the coding sheet, survey
means and choice counts, coder agreement), next to what was planted, so a test can check
both that the plant held and that the analysis recovers it.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from evstudy.synth.coding import agreement, row_turns
from evstudy.synth.survey import INFLUENCES
from evstudy.synth.truth import BARRIERS, ENABLERS, INFLUENCE_ITEMS

if TYPE_CHECKING:
    from evstudy.synth.generate import Study

__all__ = ["truth_document"]


def _ranked(counts: Counter, family: tuple[str, ...]) -> dict[str, int]:
    return {c: int(counts[c]) for c in sorted(family, key=lambda c: (-counts[c], c))}


def truth_document(study: Study) -> dict:
    """The content of ``planted_truth.yml`` for a built study.

    Parameters
    ----------
    study : Study
        A study from :func:`evstudy.synth.generate.build_study`.

    Returns
    -------
    dict
        Plain data (strings, numbers, lists, dicts) ready for YAML.
    """
    truth, survey = study.truth, study.survey
    assert survey is not None
    # Codings per turn: a range over two turns is two (turn, code) units, as ingest counts.
    cd = Counter(str(r[3]) for r in study.coding if r[4] == "CD" for _ in row_turns(r[1]))
    withdrawn_docs = sorted(d.doc_id for d in study.docs if study.withdrawn in d.participants)
    excluded = {study.withdrawn.pid}
    kept = Counter()
    for doc in study.docs:
        for turn in doc.turns:
            if turn.speaker.pid not in excluded:
                kept.update(c.code for c in turn.codings)
    by_site: dict[str, dict[str, int]] = {}
    for doc in study.docs:
        if doc.site_id:
            site = by_site.setdefault(doc.site_id, {"approach.cycle": 0, "approach.reactive": 0})
            for turn in doc.turns:
                for c in turn.codings:
                    if c.code in site:
                        site[c.code] += 1
    agree = agreement(study.coding, study.double)
    means = survey.stats["influence_means"]
    item = {code: item_id for item_id, _label, code, _mean in INFLUENCES}
    survey_rank = sorted(INFLUENCE_ITEMS, key=lambda c: -means[item[c]])
    interview_rank = sorted(INFLUENCE_ITEMS, key=lambda c: (-cd[c], c))
    leaves_ranked = sorted(cd, key=lambda c: (-cd[c], c))
    high = truth.dissonant_direction == "interviews_high"
    return {
        "synthetic": True,
        "seed": study.seed,
        "sites": len(study.sites),
        "note": "Written by evstudy synth for tests. Nothing under src/ except "
        "evstudy/synth may read this file.",
        "site_profiles": truth.profiles,
        "reactive_sites": truth.reactive_sites,
        "structured_sites": sorted(s for s in truth.profiles if s not in truth.reactive_sites),
        "approach_counts_by_site": by_site,
        "top_barriers": truth.top_barriers,
        "top_enablers": truth.top_enablers,
        "barrier_counts": {
            "coding_sheet_cd": _ranked(cd, BARRIERS),
            "coding_sheet_cd_without_withdrawn": _ranked(kept, BARRIERS),
            "survey_choices": _ranked(Counter(survey.stats["barrier_counts"]), BARRIERS),
        },
        "enabler_counts": {
            "coding_sheet_cd": _ranked(cd, ENABLERS),
            "coding_sheet_cd_without_withdrawn": _ranked(kept, ENABLERS),
            "survey_choices": _ranked(Counter(survey.stats["enabler_counts"]), ENABLERS),
        },
        "dissonant_theme": {
            "code": truth.dissonant,
            "survey_question": "influences",
            "survey_item": item[truth.dissonant],
            "interviews": "high" if high else "low",
            "survey": "low" if high else "high",
            "interview_count": int(cd[truth.dissonant]),
            "interview_rank_among_influence_items": interview_rank.index(truth.dissonant) + 1,
            "survey_mean": means[item[truth.dissonant]],
            "survey_rank_among_influence_items": survey_rank.index(truth.dissonant) + 1,
            "influence_items": len(INFLUENCE_ITEMS),
        },
        "silent_theme": {
            "code": truth.silent,
            "interview_count": int(cd[truth.silent]),
            "interview_rank_among_codes": leaves_ranked.index(truth.silent) + 1,
            "survey_question": None,
        },
        "research_evidence_rating": {
            "question": "influences",
            "item": "research",
            "scale": "1 (Not at all) to 5 (A great deal)",
            "partner_agency_mean": survey.stats["research_partner_mean"],
            "la_staff_mean": survey.stats["research_la_mean"],
        },
        "survey_influence_means": means,
        "withdrawn": {
            "email": study.withdrawn.email,
            "documents": withdrawn_docs,
            "withdrawal_date": study.withdrawn.withdrawal_date.isoformat()
            if study.withdrawn.withdrawal_date
            else None,
            "turns": sum(1 for d in study.docs for t in d.turns if t.speaker is study.withdrawn),
            "codings_cd": sum(
                len(t.codings) for d in study.docs for t in d.turns if t.speaker is study.withdrawn
            ),
        },
        "unlisted_first_names": {name: docs for name, docs in sorted(study.unlisted_docs.items())},
        "speaker_name_variants": {
            v: sorted(d for d, var in study.variants.items() if var == v)
            for v in ("surname_first", "org")
        },
        "coder_agreement": {
            "coders": ["CD", "VT"],
            "double_coded_documents": study.double,
            "overall": agree["overall"],
            "low_agreement_codes": {c: agree["per_code"].get(c) for c in truth.low_agreement},
        },
        "code_counts_cd": {c: int(cd[c]) for c in sorted(cd)},
        "distinct_phrasings_used": {c: len(v) for c, v in sorted(study.composer.used.items())},
    }
