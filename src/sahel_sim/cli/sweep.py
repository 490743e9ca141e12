"""Command-line plugin: the ``sweep``, ``report`` and ``export-run`` subcommands.

``sweep`` runs a sweep file, ``report`` summarises a sweep folder and ``export-run`` replays one
run of a sweep into a normal results folder. Registered through :data:`sahel_sim.cli.main.COMMAND_MODULES`.
Exit status as for the other subcommands: 2 for a bad sweep file, design point, folder or option
(one line, nothing written), 1 if results cannot be written or a Dask scheduler cannot be reached.
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
    reporter,
    sweep_callback,
)
from sahel_sim.scenario.catalog import find_scenario
from sahel_sim.scenario.loading import ScenarioError, parse_override

EXAMPLES = {
    "sweep": "example: python -m sahel_sim sweep scenarios/sweeps/withdrawal_timing.yaml --workers 2 "
    "--set end=2023-12-31",
    "report": "example: python -m sahel_sim report results/sweeps/withdrawal_timing --area ML",
    "export-run": "example: python -m sahel_sim export-run results/sweeps/withdrawal_timing 1f83e7db795fe822",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sweep``, ``report`` and ``export-run`` subcommands."""
    sw = subparsers.add_parser(
        "sweep", help="run a parameter sweep file (resumable, parallel)", epilog=EXAMPLES["sweep"]
    )
    sw.add_argument("spec", help="sweep YAML file (see scenarios/sweeps/)")
    sw.add_argument("--out", help="sweep folder (default: results/sweeps/<sweep file name>)")
    add_workers_argument(sw)
    sw.add_argument("--resume", action="store_true", help="continue the sweep in --out, skipping finished runs")
    sw.add_argument("--retry-failed", action="store_true", help="with --resume, run failed runs again")
    where = sw.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster (tcp://host:8786)")
    where.add_argument("--dask-local", action="store_true", help="run on a Dask LocalCluster started here")
    sw.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a scenario field in every run (repeatable; part of the spec)",
    )
    sw.add_argument(
        "--run-timeout",
        type=float,
        metavar="SECONDS",
        help="record a run still running after SECONDS as failed (its reason in the runs table)",
    )
    sw.add_argument(
        "--allow-code-change",
        action="store_true",
        help="with --resume, continue although the folder's runs were made by another code version",
    )
    sw.add_argument("--check", action="store_true", help="validate every design point, print the plan, run nothing")
    sw.add_argument("--quiet", action="store_true", help="no progress bar or progress lines")
    add_posterior_argument(sw)
    sw.set_defaults(func=cmd_sweep)

    rep = subparsers.add_parser(
        "report", help="summarise a sweep folder: CSV, figures, sensitivity", epilog=EXAMPLES["report"]
    )
    rep.add_argument("sweep_dir", help="sweep folder")
    rep.add_argument("--out", help="report folder (default: SWEEP_DIR/report)")
    rep.add_argument(
        "--area",
        default="ML",
        choices=["ALL", "ML", "BF", "NE", "MR", "TD"],
        help="area whose metrics are reported (default: ML)",
    )
    rep.add_argument(
        "--metric",
        action="append",
        default=[],
        metavar="NAME",
        help="final-table metric to report (repeatable; default: the stability set)",
    )
    rep.set_defaults(func=cmd_report)

    exp = subparsers.add_parser(
        "export-run", help="replay one run of a sweep into a results folder", epilog=EXAMPLES["export-run"]
    )
    exp.add_argument("sweep_dir", help="sweep folder")
    exp.add_argument("run_id", help="run id (runs table)")
    exp.add_argument("--out", default="results", help="parent folder for the results folder (default: results/)")
    exp.set_defaults(func=cmd_export)


def cmd_sweep(args: argparse.Namespace) -> int:
    """``sweep``: validate the sweep file and every design point, then run what is not done."""
    from sahel_sim.analysis.sweep.engine import run_sweep
    from sahel_sim.analysis.sweep.plan import load_plan

    check_workers(args.workers)
    args.spec = find_scenario(args.spec)
    overrides = [parse_override(text) for text in args.set]
    posterior = load_posterior_option(args.posterior)
    out = Path(args.out) if args.out else Path("results") / "sweeps" / Path(args.spec).stem
    if args.check:
        plan = load_plan(args.spec, overrides, posterior)
        print(
            f"ok: {args.spec}: {plan.spec.design} design, {len(plan.points)} points x "
            f"{plan.spec.replicates} replicates = {plan.total_runs} runs; spec hash {plan.spec_hash[:12]}"
        )
        return 0
    from sahel_sim.analysis.sweep.engine import Stopped
    from sahel_sim.analysis.sweep.executors import SchedulerUnreachable

    try:
        with reporter(f"sweep {Path(args.spec).stem}", "runs", args) as progress:
            counts = run_sweep(
                args.spec,
                out,
                overrides=overrides,
                workers=args.workers,
                resume=args.resume or args.retry_failed,
                retry_failed=args.retry_failed,
                scheduler=args.scheduler,
                dask_local=args.dask_local,
                progress=sweep_callback(progress),
                run_timeout=args.run_timeout,
                allow_code_change=args.allow_code_change,
                posterior=posterior,
            )
    except Stopped as exc:
        print(f"interrupted: {exc}; finished runs are kept, continue with --resume", file=sys.stderr)
        return 128 + exc.signum
    except SchedulerUnreachable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except RuntimeError as exc:  # Dask not installed
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write the sweep under {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"{counts.done} of {counts.total} runs finished, {counts.failed} failed; results in {out}", file=sys.stderr)
    print(out)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """``report``: write summary CSV and figures for a sweep folder."""
    from pydantic import ValidationError

    from sahel_sim.analysis.sweep.report import write_report
    from sahel_sim.cli.common import blocking_file

    folder = Path(args.sweep_dir)
    if not (folder / "spec.json").is_file():
        raise ScenarioError(str(folder), None, None, "not a sweep folder (no spec.json)")
    out = Path(args.out) if args.out else folder / "report"
    blocked = blocking_file(out)
    if blocked is not None:
        print(f"error: cannot write the report under {out}: {blocked} is a file, not a folder", file=sys.stderr)
        return 1
    try:
        written = write_report(folder, out, args.area, args.metric or None)
    except (KeyError, TypeError, ValidationError) as exc:
        where = folder / "spec.json"
        print(f"error: {where}: damaged ({type(exc).__name__}); the sweep folder cannot be reported", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write the report under {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # also pyarrow.ArrowInvalid: an unreadable part file
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """``export-run``: simulate one run of a sweep again and write its results folder."""
    from sahel_sim.analysis.sweep.replay import export_run
    from sahel_sim.analysis.sweep.store import PART
    from sahel_sim.cli.common import blocking_file

    if not PART.match(f"{args.run_id}.parquet"):
        raise ScenarioError(
            "run_id", None, None, f"not a run id (16 hex digits, as in the runs table): {args.run_id!r}"
        )
    if not (Path(args.sweep_dir) / "spec.json").is_file():
        raise ScenarioError(args.sweep_dir, None, None, "not a sweep folder (no spec.json)")
    blocked = blocking_file(Path(args.out))
    if blocked is not None:
        print(f"error: cannot write results under {args.out}: {blocked} is a file, not a folder", file=sys.stderr)
        return 1
    try:
        folder = export_run(args.sweep_dir, args.run_id, Path(args.out))
    except OSError as exc:
        print(f"error: cannot write results under {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # pyarrow.ArrowInvalid: a damaged runs part
        print(f"error: {args.sweep_dir}: run {args.run_id} unreadable: {_one_line(exc)}", file=sys.stderr)
        return 2
    print(folder)
    return 0


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:300] + "..."
