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
        help="benchmark speed, scaling, sweeps and memory against Mesa's Epstein example",
        description="Measure steps/s and agent-steps/s of the baseline against Mesa's Epstein example, "
        "scaling with agents and resolution, the 2012-2025 run on one core, sweep throughput "
        "and peak memory; print a table, write CSV and JSON, report the targets as pass/fail.",
        epilog=EXAMPLE,
    )
    bench.add_arguments(parser)
    parser.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace) -> int:
    """``bench``: run the benchmark, print the table, write the files."""
    return bench.run_from_args(args)
