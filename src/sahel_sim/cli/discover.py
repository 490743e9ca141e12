"""Command-line plugin: ``discover``, PRIM scenario discovery over a sweep's inputs.

Exit status: 2 for a bad folder or condition (one line, nothing written), 1 if no run has finished
or EMA Workbench is missing. Registered through :data:`sahel_sim.cli.main.COMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import sys

from sahel_sim.scenario.loading import ScenarioError

EXAMPLE = (
    'example: python -m sahel_sim discover results/sweeps/withdrawal_timing --where "ML.fatalities_total'
    '[2024-01-01:2025-12-31] < 4000"'
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``discover`` subcommand."""
    d = subparsers.add_parser(
        "discover", help="find the inputs of a sweep that lead to an outcome (PRIM, EMA Workbench)", epilog=EXAMPLE
    )
    d.add_argument("sweep_dir", help="sweep folder")
    d.add_argument("--where", required=True, metavar="CONDITION", help="AREA.METRIC[FROM:TO] OP NUMBER")
    d.add_argument("--density", type=float, default=0.8, help="lowest density of the chosen box (default: 0.8)")
    d.add_argument("--out", help="output folder (default: SWEEP_DIR/discover)")
    d.set_defaults(func=cmd_discover)


def cmd_discover(args: argparse.Namespace) -> int:
    """``discover``: write the peeling trajectory, the chosen box's limits and a plot."""
    try:
        import ema_workbench  # noqa: F401
    except ImportError:
        print("error: EMA Workbench is not installed: pip install 'sahel_sim[discovery]'", file=sys.stderr)
        return 1
    from sahel_sim.analysis.discover import discover

    if not 0 < args.density <= 1:
        raise ScenarioError("--density", None, None, f"must be in (0, 1] (got {args.density})")
    try:
        written = discover(args.sweep_dir, args.where, args.out, args.density)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0
