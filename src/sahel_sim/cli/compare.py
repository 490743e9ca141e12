"""Command-line plugin: ``compare``, scenarios against a reference over paired seeds.

Exit status as for the other subcommands: 2 for a bad scenario, option or folder (one line, nothing
written), 1 if results cannot be written. Registered through :data:`sahel_sim.cli.main.COMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sahel_sim.cli.common import (
    add_posterior_argument,
    add_workers_argument,
    check_workers,
    load_posterior_option,
    sweep_callback,
)
from sahel_sim.runs.progress import ProgressReporter

EXAMPLE = (
    "example: python -m sahel_sim compare scenarios/historical.yaml scenarios/minusma_stays.yaml "
    "scenarios/withdrawal_gradual_2y.yaml --seeds 50 --workers 2"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``compare`` subcommand."""
    cmp = subparsers.add_parser(
        "compare",
        help="compare scenarios with a reference over the same seeds (paired effects, posts, summary)",
        epilog=EXAMPLE,
    )
    cmp.add_argument("reference", help="reference scenario YAML file")
    cmp.add_argument("alternatives", nargs="+", metavar="alternative", help="scenario YAML files to compare with it")
    cmp.add_argument("--seeds", type=int, default=20, metavar="N", help="seeds per scenario (default: 20)")
    add_workers_argument(cmp)
    cmp.add_argument(
        "--from", dest="start", metavar="DATE", help="first date of the window (default: first divergence)"
    )
    cmp.add_argument("--to", dest="end", metavar="DATE", help="last date of the window (default: the earliest end)")
    cmp.add_argument(
        "--areas", nargs="+", metavar="AREA", help="areas to compare: ALL, ML, BF, NE, MR, TD (default: all)"
    )
    cmp.add_argument("--out", help="comparison folder (default: results/compare/<reference>_vs_<alternatives>)")
    cmp.add_argument("--resume", action="store_true", help="continue the comparison in --out, skipping finished runs")
    cmp.add_argument("--retry-failed", action="store_true", help="with --resume, run failed runs again")
    where = cmp.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster (tcp://host:8786)")
    where.add_argument("--dask-local", action="store_true", help="run on a Dask LocalCluster started here")
    cmp.add_argument(
        "--no-branching", action="store_true", help="simulate every run from the start (same results, slower)"
    )
    cmp.add_argument("--quiet", action="store_true", help="no progress output")
    add_posterior_argument(cmp)
    cmp.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    """``compare``: run what is not done, then write effects, per-seed table, posts, plots, summary."""
    from sahel_sim.analysis.compare.engine import run_compare
    from sahel_sim.analysis.compare.plan import load_plan
    from sahel_sim.analysis.compare.report import write_outputs

    check_workers(args.workers)
    posterior = load_posterior_option(args.posterior)
    plan = load_plan([args.reference, *args.alternatives], args.seeds, args.start, args.end, args.areas, posterior)
    out = Path(args.out) if args.out else Path("results") / "compare" / "_vs_".join(a.label for a in plan.arms)[:150]
    terminal = not args.quiet and sys.stderr.isatty()
    # a bar on a terminal; otherwise one line per finished scenario (scenario_done)
    bar = ProgressReporter(f"compare {plan.reference.label}", "runs", enabled=terminal, tty=True)

    def scenario_done(label: str, done: int, failed: int) -> None:
        if not args.quiet and not terminal:
            print(f"{label}: {done} of {plan.seeds} seeds done, {failed} failed", file=sys.stderr, flush=True)

    try:
        counts = run_compare(
            plan,
            out,
            workers=args.workers,
            resume=args.resume or args.retry_failed,
            retry_failed=args.retry_failed,
            scheduler=args.scheduler,
            dask_local=args.dask_local,
            branching=not args.no_branching,
            progress=sweep_callback(bar),
            scenario_done=scenario_done,
        )
    except RuntimeError as exc:  # Dask not installed
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write the comparison under {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        bar.close(final_line=False)
    try:
        write_outputs(plan, out)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(
            f"{counts.done} of {counts.total} runs finished, {counts.failed} failed; results in {out}", file=sys.stderr
        )
    print(out)
    return 0
