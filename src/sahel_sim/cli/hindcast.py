"""The ``hindcast`` subcommand (registered through :data:`sahel_sim.cli.main.COMMAND_MODULES`).

``python -m sahel_sim hindcast [SCENARIO] --seeds N --workers N --out DIR --until DATE`` runs the
scenario (default ``scenarios/historical.yaml``) over N seeds, compares Mali's yearly deaths with
the observed series (:mod:`sahel_sim.analysis.hindcast`) and writes a new folder
``DIR/<scenario>_hindcast_<N>seeds_<hash>/`` (never overwriting; written under a hidden name and
renamed when complete) with ``hindcast.csv``, ``hindcast.json``, ``hindcast.png`` and ``skill.csv``;
it prints Mali's statistics, the skill table (the model beside a constant, persistence and a trend
fitted on 2012-2019, per country, in and out of sample; :mod:`sahel_sim.analysis.hindcast.skill`)
and, last, the folder. ``--compare-set PATH=VALUE`` (e.g. ``peacekeepers=null``: MINUSMA never
deploys) and/or ``--compare-with FILE`` run a second scenario with the same seeds and print its fit
beside the first (the mechanism identification check; ``comparison.csv``). Exit status: 2 for a
bad scenario or option (one line, nothing written), 1 if the folder cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sahel_sim.cli.common import (
    add_posterior_argument,
    add_workers_argument,
    blocking_file,
    check_workers,
    load_for_run,
    load_posterior_option,
    reporter,
)
from sahel_sim.scenario.catalog import find_scenario
from sahel_sim.scenario.loading import ScenarioError

if TYPE_CHECKING:
    from sahel_sim.analysis.hindcast import HindcastResult

DEFAULT_SCENARIO = "scenarios/historical.yaml"
EXAMPLE = (
    "example: python -m sahel_sim hindcast scenarios/historical.yaml --seeds 20 --workers 2 "
    "--until 2022-12-31 --out results/ --compare-set peacekeepers=null"
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
    hc.add_argument(
        "--compare-with",
        metavar="FILE",
        help="also run this scenario with the same seeds (and --until) and print its fit beside the first",
    )
    hc.add_argument(
        "--compare-set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override for the compared scenario (repeatable); without --compare-with it is the first "
        "scenario with its --set, e.g. --compare-set peacekeepers=null for a world without MINUSMA",
    )
    hc.add_argument("--quiet", action="store_true", help="print only the folder")
    add_posterior_argument(hc)
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
    posterior = load_posterior_option(args.posterior, scenario)
    other, other_source, label = None, None, None
    if args.compare_with or args.compare_set:
        other_source = find_scenario(args.compare_with) if args.compare_with else args.scenario
        other_sets = args.compare_set if args.compare_with else [*args.set, *args.compare_set]
        other = load_for_run(other_source, other_sets, args.until)
        if (other.start, other.end) != (scenario.start, scenario.end):
            raise ScenarioError(
                "--compare-with",
                None,
                None,
                f"runs {other.start} to {other.end}, the first scenario {scenario.start} to {scenario.end}; "
                "both must cover the same dates",
            )
        label = other.name + (f" ({', '.join(args.compare_set)})" if args.compare_set else "")
    blocked = blocking_file(Path(args.out))
    if blocked is not None:
        print(f"error: cannot write results under {args.out}: {blocked} is a file, not a folder", file=sys.stderr)
        return 1
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
        result = hindcast(
            scenario, args.seeds, tuple(args.years), workers=args.workers, progress=progress.runs, posterior=posterior
        )
    if other is not None:
        with reporter(f"hindcast {label}", "seeds", args, total=args.seeds) as progress:
            result.comparison = hindcast(
                other,
                result.seeds,
                tuple(args.years),
                workers=args.workers,
                progress=progress.runs,
                posterior=load_posterior_option(args.posterior, other),
            )
    try:
        folder = write_hindcast(
            result,
            Path(args.out),
            source=args.scenario,
            workers=args.workers,
            comparison_source=other_source,
            comparison_label=label,
        )
    except OSError as exc:
        print(f"error: cannot write results under {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        for line in [*format_stats(result), "", *format_skill(result), "", *format_displacement(result)]:
            print(line)
        if result.comparison is not None:
            for line in ["", *format_comparison(result, label)]:
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


def _num(value, digits: int = 3, width: int = 11) -> str:
    """A statistic right-aligned in ``width``; '-' when undefined (None, NaN, pandas' NA)."""
    import math

    import pandas as pd

    if value is None or pd.isna(value) or not math.isfinite(float(value)):
        return f"{'-':>{width}}"
    return f"{float(value):>{width}.{digits}f}"


#: Rows of the printed skill table: (label, column, decimals).
SKILL_ROWS = (
    ("years scored", "n_years", 0),
    ("|log10 error|", "mean_abs_log10_error", 3),
    ("log10 bias", "mean_log10_bias", 3),
    ("CRPS (log10)", "crps_log10", 3),
    ("Spearman rho", "spearman_rho", 2),
    ("coverage 90%", "coverage_90", 2),
)


def format_skill(result: HindcastResult) -> list[str]:
    """The skill table, the four forecasts side by side per country and split, then the verdict."""
    from sahel_sim.analysis.hindcast import FORECASTS, verdict

    table = result.skill
    if table is None or table.empty:
        return ["skill: no observed year to score"]
    first, last = result.calibration_years
    lines = [
        f"skill per country (log10(deaths + 1) scale; naive forecasts fitted on {first}-{last} only; "
        f"in sample {first}-{last}, out of sample after {last})",
        f"{'country':<8} {'split':<14} {'years':<10} {'statistic':<14}" + "".join(f"{f:>12}" for f in FORECASTS),
    ]
    for (country, split), rows in table.groupby(["country", "split"], sort=False):
        by = rows.set_index("forecast")
        model = by.loc["model"]
        head = f"{country:<8} {split:<14} {f'{model.first_year}-{model.last_year}':<10} "
        for i, (name, col, digits) in enumerate(SKILL_ROWS):
            lead = head if i == 0 else " " * len(head)
            lines.append(lead + f"{name:<14}" + "".join(" " + _num(by.at[f, col], digits) for f in FORECASTS))
    lines.append("(persistence in sample: previous year's value, so the first year is not scored; '-': undefined)")
    lines.extend(verdict(table) or ["No out-of-sample year was compared (run to the end of 2022 for Mali 2020-2022)."])
    return lines


def format_displacement(result: HindcastResult) -> list[str]:
    """Registered internally displaced people against the model's median and 90 % band, per point."""
    table = result.displacement
    if table is None or table.empty:
        return ["displacement: no registered point within the run"]
    lines = [
        "internally displaced: registered (IOM DTM Mali, CONASUR Burkina Faso) against the model's median "
        "[5-95 %] over seeds",
        f"{'country':<8} {'date':<11} {'split':<14} {'registered':>11} {'median':>11} {'5 %':>10} {'95 %':>10} ratio",
    ]
    for row in table.itertuples():
        flag = "" if row.within_factor_2 else "  (outside a factor of 2)"
        lines.append(
            f"{row.country:<8} {row.date:<11} {row.split:<14} {row.registered:>11,.0f} {row.sim_median:>11,.0f} "
            f"{row.sim_q05:>10,.0f} {row.sim_q95:>10,.0f} {row.ratio:.2f}{flag}"
        )
    within = int(table["within_factor_2"].sum())
    lines.append(f"{within} of {len(table)} points within a factor of 2")
    return lines


def format_comparison(result: HindcastResult, label: str | None) -> list[str]:
    """The identification check: the model's fit under both scenarios, same seeds, side by side."""
    from sahel_sim.analysis.hindcast import comparison_table

    paired = comparison_table(result)
    if paired is None or paired.empty:
        return []
    base = result.scenario.name
    lines = [
        f"identification check: {base} (A) against {label} (B), the same {len(result.seeds)} seeds",
        f"{'country':<8} {'split':<14} {'n':>3} {'|log10 err| A':>14} {'B':>7} {'CRPS A':>8} {'B':>7} "
        f"{'cov90 A':>8} {'B':>6} {'seeds A fits better':>20} {'mean B-A':>9}",
    ]
    for r in paired.itertuples():
        lines.append(
            f"{r.country:<8} {r.split:<14} {r.n_years:>3} {_num(r.mean_abs_log10_error_base, 3, 14)} "
            f"{_num(r.mean_abs_log10_error_other, 3, 7)} {_num(r.crps_log10_base, 3, 8)} "
            f"{_num(r.crps_log10_other, 3, 7)} {_num(r.coverage_90_base, 2, 8)} {_num(r.coverage_90_other, 2, 6)} "
            f"{f'{r.seeds_base_better} of {r.seeds}':>20} {_num(r.mean_seed_difference, 3, 9)}"
        )
    lines.append(
        "(per seed: each seed's own mean |log10 error| of the split, ties counting for neither; "
        "mean B-A > 0: A fits better on average)"
    )
    return lines
