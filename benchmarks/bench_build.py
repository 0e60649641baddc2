"""Time the report build three ways in one run: cold, no-op, and the naive way.

Run ``python benchmarks/bench_build.py [--raw DIR] [--jobs N]``, or ``make bench``. In
temporary folders it times, as whole commands (process start-up included):

1. a cold ``evstudy build`` of the study (default: the committed demo);
2. the same command again, with nothing changed (a no-op rebuild);
3. the naive way: ``evstudy ingest``, then for each notebook run in turn the papermill
   command line followed by ``jupyter nbconvert --to html``, and (as the build prints
   report.pdf) chromium's ``--print-to-pdf`` on each page, so the ratio stays like for like.

It prints the times, a breakdown by stage (ingest, execution, export, pdf, audit) and the
ratio naive/cold, and the targets (on 2 cores: naive/cold >= 4.5, no-op
<= 1 s). ``--scale`` instead generates a study of 153 sites and prints its cold build
time by stage and the peak memory of the build's whole process tree (target <= 8 min and
<= 2 GiB), as PSS: pages that forked kernels share with their template count once.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STAGE = re.compile(r"^\s+(ingest|execute|export|pdf|audit): ([\d.]+) s$", re.M)
COLUMNS = ("ingest", "execute", "export", "pdf", "audit")


def _tree_memory(parent) -> tuple[int, int]:
    """(PSS, RSS) summed over ``parent`` and every process below it.

    Forked kernels share the template's pages until they write to them. RSS counts a
    shared page once in every process that maps it; PSS (proportional set size) splits it
    between them, so the sum of PSS is the memory the tree really occupies.
    """
    import psutil

    pss = rss = 0
    for process in [parent, *parent.children(recursive=True)]:
        try:
            info = process.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)  # no PSS outside Linux: RSS, an upper bound
    return pss, rss


def run(cmd: list[str], *, memory: bool = False) -> tuple[float, str, tuple[int, int]]:
    """Run ``cmd``; return (seconds, stdout, peak (PSS, RSS) of its process tree in bytes)."""
    import psutil

    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    peak = [0, 0]
    done = threading.Event()

    def watch() -> None:
        parent = psutil.Process(process.pid)
        while not done.is_set():
            try:
                pss, rss = _tree_memory(parent)
            except psutil.Error:
                pss = rss = 0
            peak[0], peak[1] = max(peak[0], pss), max(peak[1], rss)
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    if memory:
        watcher.start()
    out, _ = process.communicate()
    seconds = time.perf_counter() - start
    done.set()
    if process.returncode:
        sys.exit(f"{' '.join(cmd)} failed with exit code {process.returncode}:\n{out}")
    return seconds, out, (peak[0], peak[1])


def stages(output: str) -> dict[str, float]:
    return {name: float(value) for name, value in STAGE.findall(output)}


def build_cmd(raw: Path, folder: Path, jobs: int | None) -> list[str]:
    cmd = [str(BIN / "evstudy"), "build", "--raw", str(raw), "--out", str(folder / "processed")]
    cmd += ["--reports", str(folder / "reports"), "--figures", str(folder / "figures")]
    return cmd + (["--jobs", str(jobs)] if jobs else [])


def naive(raw: Path, folder: Path) -> dict[str, float]:
    """ingest, then papermill and nbconvert per notebook run, one after another, then
    chromium's --print-to-pdf on each page (when the build would print a PDF too)."""
    from evstudy.build.pdf import CHROMIUM_ARGS, chromium_path

    processed, figures, out = folder / "processed", folder / "figures", folder / "out"
    out.mkdir(parents=True)
    times = {"ingest": 0.0, "execute": 0.0, "export": 0.0}
    chromium = chromium_path()
    ingest = [str(BIN / "evstudy"), "ingest", "--raw", str(raw), "--out", str(processed)]
    times["ingest"] = run(ingest)[0]
    report = json.loads((processed / "ingest_report.json").read_text(encoding="utf-8"))
    runs = [("synthesis", []), ("survey", [])]
    runs += [("site_case_study", ["-p", "site", site]) for site in sorted(report["sites"])]
    runs += [("fieldwork", [])]
    for name, extra in runs:
        executed = out / f"{name}{'__' + extra[-1] if extra else ''}.ipynb"
        papermill = [str(BIN / "papermill"), str(ROOT / "notebooks" / f"{name}.ipynb")]
        papermill += [str(executed), "-k", "evstudy", "--no-progress-bar"]
        papermill += ["-p", "processed", str(processed), "-p", "figures", str(figures), *extra]
        times["execute"] += run(papermill)[0]
        nbconvert = [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input"]
        times["export"] += run([*nbconvert, "--log-level", "WARN", str(executed)])[0]
        if chromium is not None:
            page = executed.with_suffix(".html")
            printing = [str(chromium), "--headless", *CHROMIUM_ARGS, "--no-pdf-header-footer"]
            printing += [f"--print-to-pdf={page.with_suffix('.pdf')}", page.as_uri()]
            times["pdf"] = times.get("pdf", 0.0) + run(printing)[0]
    return times


def bench(raw: Path, jobs: int | None) -> None:
    with tempfile.TemporaryDirectory(prefix="evstudy-bench-") as tmp:
        tmp = Path(tmp)
        cold, out, _ = run(build_cmd(raw, tmp / "build", jobs))
        cold_stages = stages(out)
        noop, out, _ = run(build_cmd(raw, tmp / "build", jobs))
        noop_stages = stages(out)
        start = time.perf_counter()
        naive_stages = naive(raw, tmp / "naive")
        slow = time.perf_counter() - start
        size = (tmp / "build" / "reports" / "index.html").stat().st_size
    print(f"evstudy build benchmark ({os.cpu_count()} cores, raw={raw})")
    print(f"{'':24}{'total':>9}" + "".join(f"{name:>9}" for name in COLUMNS))
    for label, total, parts in (
        ("cold build", cold, cold_stages),
        ("no-op rebuild", noop, noop_stages),
        ("naive (CLI per notebook)", slow, naive_stages),
    ):
        cells = "".join(f"{parts[s]:>8.1f}s" if s in parts else f"{'-':>9}" for s in COLUMNS)
        print(f"{label:24}{total:>8.1f}s{cells}")
    ratio = slow / cold
    print(f"naive/cold = {ratio:.2f} (target >= 4.5 on 2 cores)")
    print(f"no-op rebuild = {noop:.2f} s (target <= 1 s)")
    print(f"index.html = {size / 1024:.0f} KiB")


def bench_scale(sites: int, jobs: int | None) -> None:
    with tempfile.TemporaryDirectory(prefix="evstudy-scale-") as tmp:
        tmp = Path(tmp)
        synth = [str(BIN / "evstudy"), "synth", "--seed", "2023", "--sites", str(sites)]
        made = run([*synth, "--out", str(tmp / "raw")])[0]
        seconds, out, peak = run(build_cmd(tmp / "raw", tmp / "build", jobs), memory=True)
        report = json.loads((tmp / "build" / "processed" / "ingest_report.json").read_text())
    counts = report["counts"]
    print(
        f"evstudy build at scale ({os.cpu_count()} cores): {sites} sites, "
        f"{counts.get('documents', '?')} documents, {counts.get('survey_respondents', '?')} survey "
        f"respondents (generated in {made:.0f} s)"
    )
    print(f"cold build: {seconds:.0f} s ({seconds / 60:.1f} min; target <= 8 min)")
    for name, value in stages(out).items():
        print(f"  {name}: {value:.0f} s")
    pss, rss = peak
    print(
        f"peak memory of the build's process tree: {pss / 2**30:.2f} GiB (target <= 2 GiB; "
        f"PSS, shared pages counted once; the sum of RSS, which counts the pages forked "
        f"kernels share with their template once per kernel, peaked at {rss / 2**30:.2f} GiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=ROOT / "data" / "raw")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--scale", action="store_true", help="the 153-site study instead")
    parser.add_argument("--sites", type=int, default=153)
    args = parser.parse_args()
    if args.scale:
        bench_scale(args.sites, args.jobs)
    else:
        bench(args.raw.resolve(), args.jobs)


if __name__ == "__main__":
    main()
