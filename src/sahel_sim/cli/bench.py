"""Command-line plugin: the ``bench`` subcommand (performance benchmark, see :mod:`sahel_sim.bench`).

Registered through :data:`sahel_sim.cli.main.COMMAND_MODULES`. :mod:`sahel_sim.bench` imports only the standard
library at load time (numpy, Mesa and the model are imported when the benchmark runs), so the other
subcommands start as fast as before.
"""

from __future__ import annotations

import argparse

from sahel_sim import bench

EXAMPLE = "example: python -m sahel_sim bench --quick --out /tmp/bench"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``bench`` subcommand."""
    parser = subparsers.add_parser(
        "bench",
        help="benchmark this engine against a frozen copy of the ddf6643 engine, alternating pairs",
        description="Measure, in CPU time and alternating pairs of fresh processes, this engine against "
        "the engine of commit ddf6643 (historical weeks per CPU-second, `run` end to end, 0.125 deg), "
        "x16 agents against x1 (Mesa's Epstein example alongside as context), 1 vs 2 sweep workers, "
        "memory; print a table, write CSV and JSON, report the targets as pass/fail.",
        epilog=EXAMPLE,
    )
    bench.add_arguments(parser)
    parser.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace) -> int:
    """``bench``: run the benchmark, print the table, write the files."""
    return bench.run_from_args(args)
