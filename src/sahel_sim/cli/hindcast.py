"""The ``hindcast`` subcommand (registered through :data:`sahel_sim.cli.main.COMMAND_MODULES`).

``python -m sahel_sim hindcast [SCENARIO] --seeds N --workers N --out DIR --until DATE`` runs the
scenario (default ``scenarios/historical.yaml``) over N seeds, compares Mali's yearly deaths with
the observed series (:mod:`sahel_sim.analysis.hindcast`) and writes a new folder
``DIR/<scenario>_hindcast_<N>seeds_<hash>/`` (never overwriting; written under a hidden name and
renamed when complete) with ``hindcast.csv``, ``hindcast.json`` and ``hindcast.png``; it prints the
statistics and, last, the folder. Exit status: 2 for a bad scenario or option (one line, nothing
written), 1 if the folder cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sahel_sim.cli.common import add_workers_argument, check_workers, load_for_run, reporter
from sahel_sim.scenario.catalog import find_scenario
from sahel_sim.scenario.loading import ScenarioError

if TYPE_CHECKING:
    from sahel_sim.analysis.hindcast import HindcastResult

DEFAULT_SCENARIO = "scenarios/historical.yaml"
EXAMPLE = (
    "example: python -m sahel_sim hindcast scenarios/historical.yaml --seeds 20 --workers 2 "
    "--until 2022-12-31 --out results/"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``hindcast`` subcommand."""
    hc = subparsers.add_parser(
        "hindcast", help="compare yearly deaths in Mali with the observed 2012-2022 series", epilog=EXAMPLE
    )
    hc.add_argument(
        "scenario", nargs="?", default=DEFAULT_SCENARIO, help=f"scenario YAML file (default: {DEFAULT_SCENARIO})"
    )
    hc.add_argument(
        "--seeds",
        type=int,
        default=20,
        metavar="N",
        help="number of runs, seeds SEED, SEED+1, ... from the scenario's seed (default: 20)",
    )
    add_workers_argument(hc, default=1)
    hc.add_argument("--out", default="results", help="parent folder of the hindcast folder (default: results/)")
    hc.add_argument(
        "--until", metavar="DATE", help="stop the runs at this date (YYYY-MM-DD); only whole years are compared"
    )
    hc.add_argument(
        "--years",
        type=int,
        nargs=2,
        default=(2012, 2022),
        metavar=("FIRST", "LAST"),
        help="calendar years to compare, inclusive (default: 2012 2022)",
    )
    hc.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a scenario field by dotted path (repeatable)",
    )
    hc.add_argument("--quiet", action="store_true", help="print only the folder")
    hc.set_defaults(func=cmd_hindcast)


def cmd_hindcast(args: argparse.Namespace) -> int:
    """``hindcast``: run the seeds, write the folder, print the statistics."""
    from sahel_sim.analysis.hindcast import compared_years, hindcast, write_hindcast

    if args.seeds < 1:
        raise ScenarioError("--seeds", None, None, f"must be at least 1 (got {args.seeds})")
    check_workers(args.workers)
    if args.years[0] > args.years[1]:
        raise ScenarioError("--years", None, None, f"first year {args.years[0]} is after last {args.years[1]}")
    args.scenario = find_scenario(args.scenario)
    scenario = load_for_run(args.scenario, args.set, args.until)
    try:
        compared_years(scenario, tuple(args.years))
    except ValueError as exc:
        raise ScenarioError("--years", None, None, str(exc)) from None
    if not args.quiet:
        print(
            f"hindcast of {scenario.name}: {scenario.start} to {scenario.end}, {args.seeds} seeds, "
            f"{args.workers} worker(s)",
            file=sys.stderr,
        )
    with reporter(f"hindcast {scenario.name}", "seeds", args, total=args.seeds) as progress:
        result = hindcast(scenario, args.seeds, tuple(args.years), workers=args.workers, progress=progress.runs)
    try:
        folder = write_hindcast(result, Path(args.out), source=args.scenario, workers=args.workers)
    except OSError as exc:
        print(f"error: cannot write results under {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        for line in format_stats(result):
            print(line)
    print(folder)
    return 0


def format_stats(result: HindcastResult) -> list[str]:
    """Lines of text with the per-year table and the statistics of a hindcast."""
    from sahel_sim.analysis.hindcast import LABELS, TARGET

    s = result.stats
    lines = [
        f"observed: {LABELS[TARGET]} ({result.area}); simulated: fatalities_total, {len(result.seeds)} seeds",
        f"{'year':>6} {'observed':>9} {'median':>9} {'q05':>9} {'q95':>9}  in band",
    ]
    for row in result.table.itertuples():
        lines.append(
            f"{row.year:>6} {row.observed:>9.0f} {row.sim_median:>9.0f} {row.sim_q05:>9.0f} "
            f"{row.sim_q95:>9.0f}  {'yes' if row.in_band else 'no'}"
        )
    lines.append(
        f"spearman_rho {s['spearman_rho']:.3f} (p {s['spearman_p']:.3g})  "
        f"pearson_r {s['pearson_r']:.3f} (p {s['pearson_p']:.3g})  "
        f"pearson_r_log10 {s['pearson_r_log10']:.3f}"
    )
    lines.append(
        f"mean_abs_log10_error {s['mean_abs_log10_error']:.3f}  "
        f"mean_log10_bias {s['mean_log10_bias']:+.3f}  coverage_90 {s['coverage_90']:.2f}  "
        f"({s['n_years']} years)"
    )
    return lines
