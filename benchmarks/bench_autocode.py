"""Time keyword auto-coding: one compiled pattern against a loop of one regex per code.

Run ``python benchmarks/bench_autocode.py [--raw DIR] [--runs N]``. It ingests the raw
folder (default: the committed demo) into a temporary folder, writes the demo's rules,
and times :func:`evstudy.autocode.suggest_codes` on

* the demo corpus, and
* a corpus 20 times larger: the demo's turns replicated 20 times, each copy with its own
  document ids (so the text is repeated, not new; the regex work scales all the same),

reporting the median of several runs (``time.perf_counter``), turns per second and the
ratio of the two times; then the naive per-code loop on the demo corpus for comparison.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from evstudy.autocode import DATA_ROLES, read_autocode_rules, suggest_codes
from evstudy.ingest import ingest
from evstudy.study import load_study
from evstudy.synth.autocode_rules import autocode_rules_yaml

ROOT = Path(__file__).resolve().parents[1]


def naive(study, rules: pd.DataFrame) -> set[tuple[str, int, str]]:
    """The loop the compiled pattern replaces: each code's regex over each turn."""
    turns = study.turns[study.turns["speaker_role"].isin(DATA_ROLES)]
    rows = list(turns[["doc_id", "turn", "text"]].itertuples(index=False))
    found = set()
    for code, patterns in rules.groupby("code_id", sort=False)["pattern"]:
        regex = re.compile("|".join(patterns), re.IGNORECASE)
        for doc, turn, text in rows:
            if regex.search(text.replace("\u2019", "'")):
                found.add((doc, turn, code))
    return found


def replicate(study, times: int):
    """The study with its turns copied ``times`` times under distinct document ids."""
    copies = [study.turns.assign(doc_id=study.turns["doc_id"] + f"~{i}") for i in range(times)]
    return dataclasses.replace(study, turns=pd.concat(copies, ignore_index=True))


def median_time(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=ROOT / "data" / "raw")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        ingest(args.raw, tmp / "processed", key_dir=tmp / "keys")
        study = load_study(tmp / "processed")
        (tmp / "rules.yml").write_text(autocode_rules_yaml(), encoding="utf-8")
        rules = read_autocode_rules(tmp / "rules.yml", codes=study.codebook["code_id"])

    big = replicate(study, 20)
    n_small = int(study.turns["speaker_role"].isin(DATA_ROLES).sum())
    n_big = 20 * n_small
    print(f"rules: {len(rules)} terms for {rules['code_id'].nunique()} codes; runs: {args.runs}")
    t_small = median_time(lambda: suggest_codes(study, rules), args.runs)
    t_big = median_time(lambda: suggest_codes(big, rules), max(1, args.runs // 2))
    t_naive = median_time(lambda: naive(study, rules), max(1, args.runs // 2))
    row = "{:<48} {:8.3f} s {:10,.0f} turns/s"
    print(row.format(f"compiled, demo ({n_small:,} turns)", t_small, n_small / t_small))
    print(row.format(f"compiled, 20x demo ({n_big:,} turns, replicated)", t_big, n_big / t_big))
    print(f"ratio 20x / 1x: {t_big / t_small:.1f}")
    print(row.format("naive per-code loop, demo", t_naive, n_small / t_naive))
    print(f"ratio naive / compiled (demo): {t_naive / t_small:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
