"""Command line: ``python -m sahel_sim`` / ``sahel-sim``. Parses, calls the library, reports.

Exit status: 0 on success, 2 for a bad scenario, override or argument (one clear line, no
traceback, nothing written), 1 when results cannot be written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sahel_sim import __version__
from sahel_sim.cli import bench, calibrate, compare, discover, hindcast, sweep, viz
from sahel_sim.cli.common import (
    add_posterior_argument,
    blocking_file,
    load_for_run,
    load_posterior_option,
    reporter,
)
from sahel_sim.scenario.catalog import find_scenario
from sahel_sim.scenario.loading import ScenarioError, load_scenario

EXAMPLES = {
    "run": "example: python -m sahel_sim run scenarios/baseline.yaml --seed 7 --set "
    "peacekeepers.withdrawal.dates.Kidal=2024-06-01 --out results/",
    "validate": "example: python -m sahel_sim validate scenarios/*.yaml",
    "params": "example: python -m sahel_sim params",
}

#: Modules that add further subcommands through their ``register(subparsers)`` function, in help order.
COMMAND_MODULES = (viz, sweep, compare, discover, hindcast, calibrate, bench)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (exit status 2), like every other error."""

    def error(self, message: str):  # noqa: D102 - argparse's hook
        self.exit(2, f"error: {self.prog}: {message} (usage: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = OneLineParser(
        prog="sahel-sim",
        description="Agent-based simulation of security in Mali and the Sahel when UN peacekeepers withdraw.",
        epilog="example: python -m sahel_sim run scenarios/baseline.yaml",
    )
    parser.add_argument("--version", action="version", version=f"sahel_sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run a scenario and write a results folder", epilog=EXAMPLES["run"])
    run.add_argument("scenario", help="scenario YAML file, or a shipped scenario's name (e.g. baseline)")
    run.add_argument("--out", default="results", help="parent folder for results (default: results/)")
    run.add_argument("--seed", type=int, help="random seed (default: the scenario's seed)")
    end = run.add_mutually_exclusive_group()
    end.add_argument("--until", metavar="DATE", help="stop at this date (YYYY-MM-DD) instead of the scenario's end")
    end.add_argument("--weeks", type=int, metavar="N", help="run N weeks from the scenario's start")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a scenario field by dotted path (repeatable)",
    )
    run.add_argument("--quiet", action="store_true", help="print only the results folder")
    run.add_argument(
        "--check",
        action="store_true",
        help="check the model's invariants after every week; stop at the first broken one",
    )
    add_posterior_argument(run)
    run.set_defaults(func=cmd_run)

    val = sub.add_parser("validate", help="check scenario files without running them", epilog=EXAMPLES["validate"])
    val.add_argument("files", nargs="+", help="scenario YAML files")
    val.set_defaults(func=cmd_validate)

    par = sub.add_parser(
        "params", help="list every mechanism parameter with unit, range and source", epilog=EXAMPLES["params"]
    )
    par.set_defaults(func=cmd_params)

    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def entry() -> None:
    """Console entry point (``sahel-sim``, ``python -m sahel_sim``): run :func:`main` and exit with its status.

    After a SIGTERM or SIGHUP (status 128 + signal) the process ends at once, without waiting for
    the interpreter's exit hooks: a worker stopped while it sent its result can leave the process
    pool's manager thread waiting on a half-written message, and Python would join that thread for
    ever. Everything the sweep keeps is written and synced before :func:`main` returns.
    """
    status = main()
    if status > 128:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    raise SystemExit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BaseException as exc:
        from sahel_sim.analysis.sweep.session import Stopped

        if not isinstance(exc, Stopped):
            raise
        print(f"interrupted: {exc}; finished runs are kept, continue with --resume", file=sys.stderr)
        return 128 + exc.signum


def cmd_run(args: argparse.Namespace) -> int:
    """``run``: simulate and write the results folder."""
    from sahel_sim.model.invariants import InvariantError
    from sahel_sim.runs.runner import run_scenario

    scenario = load_for_run(args.scenario, args.set, args.until, args.weeks, args.seed)
    posterior = load_posterior_option(args.posterior, scenario)
    drawn = None
    if posterior is not None:
        scenario, draw = posterior.apply(scenario, scenario.seed)
        drawn = posterior.record(draw)
    blocked = blocking_file(Path(args.out))
    if blocked is not None:
        print(f"error: cannot write results under {args.out}: {blocked} is a file, not a folder", file=sys.stderr)
        return 1
    if not args.quiet:
        print(
            f"running {scenario.name}: {scenario.start} to {scenario.end}, {scenario.weeks} weeks, "
            f"seed {scenario.seed}"
            + (f" (first simulating its history from {scenario.spin_up_from})" if scenario.spin_up_from else ""),
            file=sys.stderr,
        )
    try:
        with reporter(f"run {scenario.name}", "weeks", args, total=scenario.weeks, failures=False) as progress:
            folder = run_scenario(
                scenario,
                None,
                Path(args.out),
                progress=progress.weeks,
                source=find_scenario(args.scenario),
                check=args.check,
                overrides=[item.strip() for item in args.set],
                posterior=drawn,
            )
    except OSError as exc:
        print(f"error: cannot write results under {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except InvariantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"results written to {folder}", file=sys.stderr)
    print(folder)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """``validate``: load every file; report each problem; status 2 if any."""
    failed = 0
    for name in args.files:
        try:
            scenario = load_scenario(find_scenario(name))
        except ScenarioError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
        else:
            print(f"ok: {name} ({scenario.name}: {scenario.start} to {scenario.end}, {scenario.weeks} weeks)")
    return 2 if failed else 0


def cmd_params(args: argparse.Namespace) -> int:
    """``params``: print the mechanism parameters as a table."""
    from sahel_sim.scenario.parameters import Mechanisms, bounds, iter_parameters

    print(f"{'parameter':55} {'default':>10} {'range':>20}  unit | source")
    for path, info in iter_parameters(Mechanisms, "mechanisms."):
        lo, hi = bounds(info)
        extra = info.json_schema_extra
        print(f"{path:55} {info.default!s:>10} {f'[{lo}, {hi}]':>20}  {extra['unit']} | {extra['source']}")
    return 0
