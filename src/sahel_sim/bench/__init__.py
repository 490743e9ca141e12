"""Performance benchmark: the targets of issue 18, each from alternating pairs in one invocation.

``python -m sahel_sim bench`` (or ``python benchmarks/run.py``) measures, in fresh child processes and
in CPU time (:mod:`sahel_sim.bench.paired`):

* **engines**: this engine against a frozen copy of the engine at commit ddf6643, extracted on first
  use into ``benchmarks/results/engines/`` (:mod:`sahel_sim.bench.engines`): simulated weeks of the
  historical scenario per CPU-second, CPU time of ``run`` end to end, CPU ms per week at 0.125°;
* **agents**: time per week with about x16 agents against x1 (:data:`~sahel_sim.bench.timing.SCALE_RECIPES`),
  and Mesa's Epstein example at the same agent counts, as context only;
* **sweeps**: 1 worker against 2 on full-length historical runs, and 10,000 runs on 2 cores estimated
  from the measured 2-worker rate;
* **memory**: peak resident memory of one historical run and of a 2-worker sweep (all its processes);
* **phases**: milliseconds per week in each phase at x1 and x16 agents (one run each, in process);
* **viz**: weeks/s of the browser view's drawing path (step, snapshot, map and plots every week;
  :mod:`sahel_sim.bench.viz_drawing`), skipped without the ``viz`` extra.

Every comparison alternates its two sides (A B, B A, ...) and reports the median of the ratios within
pairs. The load average (1 minute) is recorded with every row, since other processes share the
machine. The targets are reported as pass or fail, never asserted; ``--quick`` is a smoke run whose
figures mean nothing.

Results go to ``--out`` (default ``benchmarks/results/``) as ``bench_<time>.csv`` (one row per
measurement, :data:`~sahel_sim.bench.report.COLUMNS`), ``bench_<time>_targets.csv`` and
``bench_<time>.json`` (both tables plus date, machine, git commit and load averages).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from sahel_sim.bench import paired, sections
from sahel_sim.bench.engines import FROZEN_COMMIT
from sahel_sim.bench.machine import load_average, machine
from sahel_sim.bench.report import Report, format_table, write_report
from sahel_sim.bench.timing import SCALE_RECIPES

Say = Callable[[str], None]


def run_benchmark(quick: bool, say: Say = print, viz_only: bool = False) -> Report:
    """Run every section, full or quick.

    Args:
        quick: The smoke-run budget.
        say: Where progress lines go.
        viz_only: Run only the ``viz`` section (the browser view's drawing path).

    Returns:
        The report (not yet written).
    """
    budget = paired.QUICK if quick else paired.FULL
    meta = {
        **machine(),
        "mode": budget.name,
        "budget": asdict(budget),
        "load_start": load_average(),
        "frozen_engine": FROZEN_COMMIT,
        "scale_recipes": SCALE_RECIPES,
        "timing": "CPU seconds in fresh processes; every comparison alternates its sides, ratio = median within pairs",
    }
    started = time.perf_counter()
    if viz_only:
        viz_rows, viz_targets = _bench_viz(budget.name, say)
        meta["load_end"] = load_average()
        meta["seconds"] = round(time.perf_counter() - started, 1)
        return Report(meta, viz_rows, viz_targets)
    rows, targets = [], []
    for section in (paired.bench_engines, paired.bench_agents, paired.bench_sweeps):
        got_rows, got_targets = section(budget, say)
        rows += got_rows
        targets += got_targets
    rows += sections.bench_phases(sections.QUICK if quick else sections.FULL, say)
    viz_rows, viz_targets = _bench_viz(budget.name, say)
    rows += viz_rows
    targets += viz_targets
    meta["load_end"] = load_average()
    meta["seconds"] = round(time.perf_counter() - started, 1)
    order = {"engines": 0, "agents": 1, "sweeps": 2, "memory": 3, "phases": 4, "viz": 5}
    rows.sort(key=lambda r: order[r.section])
    return Report(meta, rows, targets)


def _bench_viz(mode: str, say: Say) -> tuple[list, list]:
    """The ``viz`` section, or nothing (with a note) when the viz extra is not installed."""
    try:
        import solara  # noqa: F401
    except ImportError:
        say("viz: skipped (the viz extra is not installed)")
        return [], []
    from sahel_sim.bench.viz_drawing import bench_viz

    return bench_viz(mode, say)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's options (shared by ``benchmarks/run.py`` and ``python -m sahel_sim bench``)."""
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny budget: a smoke run of every section in seconds (figures not meaningful)",
    )
    parser.add_argument(
        "--out", default="benchmarks/results", help="folder for the CSV and JSON files (default: benchmarks/results/)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines, only the table")
    parser.add_argument(
        "--viz-only", action="store_true", help="only the viz section: weeks/s of the browser view's drawing"
    )


def run_from_args(args: argparse.Namespace) -> int:
    """Run the benchmark from parsed options, print the table and write the files; return 0."""

    def say(text: str) -> None:
        if not args.quiet:
            print(f"[{time.strftime('%H:%M:%S')} load {load_average()[0]:.2f}] {text}", file=sys.stderr, flush=True)

    report = run_benchmark(args.quick, say, viz_only=getattr(args, "viz_only", False))
    print(format_table(report))
    for path in write_report(report, Path(args.out)):
        print(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``benchmarks/run.py``."""
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))
