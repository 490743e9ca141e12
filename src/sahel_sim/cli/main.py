"""Command line: ``python -m sahel_sim`` / ``sahel-sim``. Parses, calls the library, reports.

Exit status: 0 on success, 2 for a bad scenario, override or argument (one clear line, no
traceback, nothing written), 1 when results cannot be written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sahel_sim import __version__
from sahel_sim.scenario.loading import ScenarioError, load_scenario, parse_date, with_overrides

EXAMPLES = {
    "run": "example: python -m sahel_sim run scenarios/baseline.yaml --seed 7 --set "
    "peacekeepers.withdrawal.dates.Kidal=2024-06-01 --out results/",
    "validate": "example: python -m sahel_sim validate scenarios/*.yaml",
    "params": "example: python -m sahel_sim params",
}

#: Modules that add further subcommands through a ``register(subparsers)`` function.
PLUGINS: tuple[str, ...] = (
    "sahel_sim.cli.viz",
    "sahel_sim.cli.sweep",
    "sahel_sim.cli.compare",
    "sahel_sim.cli.discover",
    "sahel_sim.cli.hindcast",
    "sahel_sim.cli.calibrate",
    "sahel_sim.cli.bench",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="sahel-sim",
        description="Agent-based simulation of security in Mali and the Sahel when UN peacekeepers withdraw.",
        epilog="example: python -m sahel_sim run scenarios/baseline.yaml",
    )
    parser.add_argument("--version", action="version", version=f"sahel_sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run a scenario and write a results folder", epilog=EXAMPLES["run"])
    run.add_argument("scenario", help="scenario YAML file")
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
    run.set_defaults(func=cmd_run)

    val = sub.add_parser("validate", help="check scenario files without running them", epilog=EXAMPLES["validate"])
    val.add_argument("files", nargs="+", help="scenario YAML files")
    val.set_defaults(func=cmd_validate)

    par = sub.add_parser(
        "params", help="list every mechanism parameter with unit, range and source", epilog=EXAMPLES["params"]
    )
    par.set_defaults(func=cmd_params)

    for name in PLUGINS:
        importlib.import_module(name).register(sub)
    return parser


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


def load_for_run(
    path: str, overrides: list[str], until: str | None = None, weeks: int | None = None, seed: int | None = None
):
    """Load a scenario with ``--set`` overrides, then an optional new end and seed (all validated).

    The seed given on the command line is written into the scenario, so its resolved copy reruns the
    run exactly.
    """
    scenario = load_scenario(path, overrides)
    if until is not None:
        scenario = with_overrides(scenario, [("end", parse_date(until, "--until"))], label="--until")
    elif weeks is not None:
        if weeks < 1:
            raise ScenarioError("--weeks", None, None, f"must be at least 1 (got {weeks})")
        try:
            end = scenario.start + dt.timedelta(weeks=weeks)
        except OverflowError:
            raise ScenarioError("--weeks", None, None, f"{weeks} weeks runs past the last representable date") from None
        scenario = with_overrides(scenario, [("end", end)], label="--weeks")
    if seed is not None:
        scenario = with_overrides(scenario, [("seed", seed)], label="--seed")
    return scenario


def cmd_run(args: argparse.Namespace) -> int:
    """``run``: simulate and write the results folder."""
    from sahel_sim.model.invariants import InvariantError
    from sahel_sim.runs.runner import run_scenario

    scenario = load_for_run(args.scenario, args.set, args.until, args.weeks, args.seed)
    bar = None if args.quiet or not sys.stderr.isatty() else ProgressBar()
    if not args.quiet:
        print(
            f"running {scenario.name}: {scenario.start} to {scenario.end}, {scenario.weeks} weeks, "
            f"seed {scenario.seed}",
            file=sys.stderr,
        )
    try:
        folder = run_scenario(
            scenario,
            None,
            Path(args.out),
            progress=bar,
            source=args.scenario,
            check=args.check,
            overrides=[item.strip() for item in args.set],
        )
    except OSError as exc:
        print(f"error: cannot write results under {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except InvariantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if bar:
            bar.close()
    if not args.quiet:
        print(f"results written to {folder}", file=sys.stderr)
    print(folder)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """``validate``: load every file; report each problem; status 2 if any."""
    failed = 0
    for name in args.files:
        try:
            scenario = load_scenario(name)
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


class ProgressBar:
    """A one-line progress bar on stderr with the simulated date and an ETA."""

    def __init__(self, width: int = 30):
        self.width = width
        self.started = time.monotonic()

    def __call__(self, done: int, total: int, date) -> None:
        """Redraw the bar after ``done`` of ``total`` weeks, at simulated ``date``."""
        frac = done / max(total, 1)
        elapsed = time.monotonic() - self.started
        eta = elapsed / frac - elapsed if frac > 0 else 0.0
        filled = int(self.width * frac)
        bar = "#" * filled + "-" * (self.width - filled)
        sys.stderr.write(f"\r[{bar}] {date}  week {done}/{total}  ETA {eta:5.1f}s ")
        sys.stderr.flush()

    def close(self) -> None:
        """End the progress line."""
        sys.stderr.write("\n")
        sys.stderr.flush()
