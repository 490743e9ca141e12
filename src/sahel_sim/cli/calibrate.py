"""The ``calibrate`` subcommand (registered through :data:`sahel_sim.cli.main.COMMAND_MODULES`).

``python -m sahel_sim calibrate FILE [--workers N] [--out DIR] [--resume]`` runs the calibration
file's sweep (resumable), scores every design point against Mali's yearly deaths
(:mod:`sahel_sim.analysis.calibration`), writes ``calibration.csv``, ``best_years.csv``, ``best.yaml``,
``calibration.json`` and ``calibration.png`` into the calibration folder (default
``results/calibration/<file name>``), prints the chosen values and statistics and, last, the folder.
Exit status: 2 for a bad file, design point, folder or option (one line, nothing written), 1 if
results cannot be written.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from sahel_sim.cli.common import add_workers_argument, check_workers, reporter, sweep_callback
from sahel_sim.scenario.catalog import find_scenario

EXAMPLE = "example: python -m sahel_sim calibrate scenarios/calibration/mali_2012_2022.yaml --workers 2 --resume"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` subcommand."""
    cal = subparsers.add_parser(
        "calibrate",
        help="choose uncertain parameters by their error against Mali's yearly deaths 2012-2022 (a resumable sweep)",
        epilog=EXAMPLE,
    )
    cal.add_argument(
        "file",
        help="calibration YAML file: a sweep file plus a 'target' block, or an ABC file ('priors' and 'abc' blocks)",
    )
    cal.add_argument("--out", help="calibration folder (default: results/calibration/<file name>)")
    add_workers_argument(cal)
    cal.add_argument(
        "--resume",
        action="store_true",
        help="continue the calibration in --out, skipping finished runs, then score again",
    )
    cal.add_argument("--quiet", action="store_true", help="print only the folder")
    cal.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``calibrate``: run the sweep, score it, write the outputs, print the choice."""
    from sahel_sim.analysis.calibration import best_values, calibrate

    check_workers(args.workers)
    args.file = find_scenario(args.file)
    out = Path(args.out) if args.out else Path("results") / "calibration" / Path(args.file).stem
    if _is_abc(args.file):
        return _cmd_abc(args, out)
    started = time.monotonic()
    try:
        with reporter(f"calibrate {Path(args.file).stem}", "runs", args) as progress:
            result = calibrate(
                args.file, out, workers=args.workers, resume=args.resume, progress=sweep_callback(progress)
            )
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # nothing could be scored
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        b = result.best
        print(
            f"{len(result.points)} points scored over {result.years[0]}-{result.years[-1]} in "
            f"{time.monotonic() - started:.0f} s; chosen point {int(b['point_index'])} "
            f"({int(b['replicates_ok'])} replicates):"
        )
        for name, value in best_values(result).items():
            print(f"  {name} = {value}")
        print(
            f"loss {b['loss']:.4f}  mean_abs_log10_error {b['mean_abs_log10_error']:.4f}  "
            f"spearman_rho {b['spearman_rho']:.3f}  pearson_r {b['pearson_r']:.3f}  "
            f"mean_log10_bias {b['mean_log10_bias']:+.3f}"
        )
    print(out)
    return 0


def _is_abc(file: str) -> bool:
    """Whether the calibration file asks for ABC (``priors``/``abc``) rather than a sweep search."""
    from sahel_sim.analysis.calibration.abc_file import is_abc_file
    from sahel_sim.scenario.loading import read_yaml

    data = read_yaml(Path(file)).data
    return isinstance(data, dict) and is_abc_file(data)


def _cmd_abc(args: argparse.Namespace, out: Path) -> int:
    """ABC-SMC: run or continue the generations, write the posterior, print its summary."""
    import pandas as pd

    from sahel_sim.analysis.calibration.abc import calibrate_abc

    started = time.monotonic()
    workers = args.workers or os.cpu_count() or 1
    try:
        result = calibrate_abc(args.file, out, workers=workers, resume=args.resume, quiet=args.quiet)
    except OSError as exc:
        print(f"error: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(
            f"ABC-SMC: {result['generations']} generations, {result['total_runs']} runs, final tolerance "
            f"{result['final_epsilon']:.4f}, {result['posterior_sets']} weighted sets, effective sample "
            f"size {result['effective_sample_size']} ({time.monotonic() - started:.0f} s this session)"
        )
        print(pd.read_csv(out / "posterior_summary.csv").to_string(index=False))
        print("pattern scores of the posterior's runs (mean |log10 error|; 5 %, 50 %, 95 %):")
        for name, (low, mid, high) in result["pattern_scores_q05_q50_q95"].items():
            print(f"  {name:14s} {low:.3f}  {mid:.3f}  {high:.3f}")
    print(out)
    return 0
