"""Performance benchmark: sahel_sim against Mesa's own Epstein example, and the issue's targets.

``python -m sahel_sim bench`` (or ``python benchmarks/run.py``) measures, in one invocation:

* **speed**: steps/s and agent-steps/s of the baseline scenario at 0.5° and 0.25°, and of Mesa's
  bundled Epstein civil-violence example at 40×40, 100×100 and at grid sizes matched to our agent
  counts;
* **ratio**: our agent-steps/s over Epstein's at a comparable agent count (see
  :data:`~sahel_sim.bench.timing.COMPARABLE`);
* **scaling**: time per step with about ×1, ×4 and ×16 agents (see
  :data:`~sahel_sim.bench.timing.SCALE_RECIPES`), and at
  0.5°, 0.25° and 0.125°;
* **phases**: milliseconds per step in each phase of a step at ×1 and ×16 agents
  (:mod:`sahel_sim.bench.phase_timing`; one run each, so rougher than the medians elsewhere);
* **historical**: wall time of the 2012–2025 run, in a child process pinned to one core;
* **sweep**: runs/s of a small sweep with 1 and 2 worker processes, and the parallel efficiency;
* **memory**: peak resident memory of one run at 0.25° and of the sweep driver (child processes);
* **viz**: weeks/s of the browser view's drawing path (step, snapshot, map and plots every week;
  :mod:`sahel_sim.bench.viz_drawing`), skipped without the ``viz`` extra.

Every timed figure except the phases is the median of several repetitions after a warm-up. An
*agent-step* is one agent alive at the end of one step: a run's agent-steps are the number of agents alive after each
step, summed over its steps. The load average (1 minute) is recorded with every row, since other
processes share the machine. The targets of the issue are reported as pass or fail, never asserted.

Results go to ``--out`` (default ``benchmarks/results/``) as ``bench_<time>.csv`` (one row per
measurement, :data:`~sahel_sim.bench.report.COLUMNS`), ``bench_<time>_targets.csv`` and
``bench_<time>.json`` (both tables plus date, machine, git commit and load averages).

The package: :mod:`~sahel_sim.bench.sections` (the sections, the budgets and the issue's targets),
:mod:`~sahel_sim.bench.timing` (timing one model, ours or Mesa's), :mod:`~sahel_sim.bench.children`
(measurements in a fresh process), :mod:`~sahel_sim.bench.machine` and
:mod:`~sahel_sim.bench.report`; this module runs them all and is the command's entry point.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from sahel_sim.bench.machine import load_average, machine
from sahel_sim.bench.report import Report, format_table, write_report
from sahel_sim.bench.sections import (
    FULL,
    QUICK,
    Budget,
    Say,
    bench_phases,
    bench_ratio,
    bench_scaling,
    bench_speed,
    linearity_target,
)
from sahel_sim.bench.timing import COMPARABLE, SCALE_RECIPES
from sahel_sim.bench.workloads import bench_historical, bench_memory, bench_sweep


def run_benchmark(budget: Budget, say: Say = print, viz_only: bool = False) -> Report:
    """Run every section under ``budget``.

    Args:
        budget: :data:`FULL` or :data:`QUICK`.
        say: Where progress lines go.
        viz_only: Run only the ``viz`` section (the browser view's drawing path).

    Returns:
        The report (not yet written).
    """
    meta = {
        **machine(),
        "mode": budget.name,
        "budget": asdict(budget),
        "load_start": load_average(),
        "comparable": COMPARABLE,
        "scale_recipes": SCALE_RECIPES,
        "agent_step": "one agent alive at the end of one step (agents alive after each step, summed)",
    }
    started = time.perf_counter()
    if viz_only:
        viz_rows, viz_targets = _bench_viz(budget, say)
        meta["load_end"] = load_average()
        meta["seconds"] = round(time.perf_counter() - started, 1)
        return Report(meta, viz_rows, viz_targets)
    speed_rows, speed = bench_speed(budget, say)
    scaling_rows, scaling = bench_scaling(budget, say)
    ratio_rows, targets = bench_ratio(budget, speed, scaling, say)
    targets.append(linearity_target(scaling))
    phase_rows = bench_phases(budget, say)
    hist_rows, hist_targets = bench_historical(budget, say)
    sweep_rows, sweep_targets = bench_sweep(budget, say)
    mem_rows, mem_targets = bench_memory(budget, say)
    viz_rows, viz_targets = _bench_viz(budget, say)
    meta["load_end"] = load_average()
    meta["seconds"] = round(time.perf_counter() - started, 1)
    rows = speed_rows + ratio_rows + scaling_rows + phase_rows + hist_rows + sweep_rows + mem_rows + viz_rows
    order = {"speed": 0, "ratio": 1, "scaling": 2, "phases": 3, "historical": 4, "sweep": 5, "memory": 6, "viz": 7}
    rows.sort(key=lambda r: order[r.section])
    return Report(meta, rows, [*targets, *hist_targets, *sweep_targets, *mem_targets, *viz_targets])


def _bench_viz(budget: Budget, say: Say) -> tuple[list, list]:
    """The ``viz`` section, or nothing (with a note) when the viz extra is not installed."""
    try:
        import solara  # noqa: F401
    except ImportError:
        say("viz: skipped (the viz extra is not installed)")
        return [], []
    from sahel_sim.bench.viz_drawing import bench_viz

    return bench_viz(budget.name, say)


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

    report = run_benchmark(QUICK if args.quick else FULL, say, viz_only=getattr(args, "viz_only", False))
    print(format_table(report))
    for path in write_report(report, Path(args.out)):
        print(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``benchmarks/run.py``."""
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))
