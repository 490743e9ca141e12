"""Command-line plugin: the ``hindcast`` subcommand (registered through :data:`sahel_sim.cli.main.PLUGINS`).

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
import json
import math
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sahel_sim.scenario.loading import ScenarioError

if TYPE_CHECKING:
    from sahel_sim.analysis.hindcast import HindcastResult

DEFAULT_SCENARIO = "scenarios/historical.yaml"
FILES = ("hindcast.csv", "hindcast.json", "hindcast.png")
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
    hc.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (default: 1, in this process); results do not depend on it",
    )
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
    from sahel_sim.analysis.hindcast import compared_years, hindcast
    from sahel_sim.cli.main import blocking_file, load_for_run

    if args.seeds < 1:
        raise ScenarioError("--seeds", None, None, f"must be at least 1 (got {args.seeds})")
    if args.workers < 1:
        raise ScenarioError("--workers", None, None, f"must be at least 1 (got {args.workers})")
    if args.years[0] > args.years[1]:
        raise ScenarioError("--years", None, None, f"first year {args.years[0]} is after last {args.years[1]}")
    scenario = load_for_run(args.scenario, args.set, args.until)
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
    bar = None if args.quiet or not sys.stderr.isatty() else _Progress()
    try:
        result = hindcast(scenario, args.seeds, tuple(args.years), workers=args.workers, progress=bar)
    finally:
        if bar:
            bar.close()
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


def write_hindcast(result: HindcastResult, parent: Path, source: str | None = None, workers: int | None = None) -> Path:
    """Write ``hindcast.csv``, ``hindcast.json`` and ``hindcast.png`` into a new folder, atomically.

    Args:
        result: A :class:`sahel_sim.analysis.hindcast.HindcastResult`.
        parent: Folder that receives the hindcast folder (created if missing).
        source: The scenario file, recorded in the JSON.
        workers: Worker processes used, recorded in the JSON (the results do not depend on it).

    Returns:
        Path of the finished folder.

    """
    from sahel_sim.analysis.hindcast import BAND, COMPARISON, TARGET, observed, plot
    from sahel_sim.runs.provenance import provenance
    from sahel_sim.runs.results import _make_readable, _publish
    from sahel_sim.scenario.loading import scenario_hash

    digest = scenario_hash(result.scenario)
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=parent))
    try:
        result.table.to_csv(tmp / "hindcast.csv", index=False, float_format="%.6g")
        obs = observed()
        info = {
            "scenario": result.scenario.name,
            "scenario_file": source,
            "scenario_sha256": digest,
            "start": result.scenario.start.isoformat(),
            "end": result.scenario.end.isoformat(),
            "area": result.area,
            "simulated_measure": "fatalities_total (deaths/year, weekly deaths shared between years by days)",
            "target_measure": TARGET,
            "comparison_measures": list(COMPARISON),
            "observed_sources": _sources(obs, result.years),
            "years": result.years,
            "seeds": result.seeds,
            "band_quantiles": list(BAND),
            "stats": _finite_or_none(result.stats),
            "comparison_stats": {k: _finite_or_none(v) for k, v in result.comparison_stats.items()},
            "definitions": {
                "mean_abs_log10_error": "mean over years of |log10((sim_median + 1) / (observed + 1))|",
                "mean_log10_bias": "mean over years of log10((sim_median + 1) / (observed + 1))",
                "spearman_rho": "scipy.stats.spearmanr(sim_median, observed) over the years",
                "pearson_r": "scipy.stats.pearsonr(sim_median, observed) over the years",
                "pearson_r_log10": "pearsonr of log10(x + 1) of both series",
                "coverage_90": "share of years with sim_q05 <= observed <= sim_q95",
            },
            "simulated_by_seed": {
                str(seed): {str(y): round(float(v), 3) for y, v in row.items()}
                for seed, row in result.simulated.iterrows()
            },
            "workers": workers,
            "wall_seconds": round(result.wall_seconds, 3),
            "provenance": provenance(),
            "files": list(FILES),
        }
        (tmp / "hindcast.json").write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")
        plot(result, tmp / "hindcast.png")
        _make_readable(tmp)
        return _publish(tmp, parent, f"{result.scenario.name}_hindcast_{len(result.seeds)}seeds_{digest[:8]}")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _sources(obs, years: list[int]) -> dict[str, str]:
    """The observed table's source of each year, with its "same" shorthand written out."""
    first = str(obs["source"].iloc[0])
    out = {}
    for year in years:
        text = str(obs.at[year, "source"])
        out[str(year)] = first + text[len("same") :] if text.startswith("same") else text
    return out


def _finite_or_none(stats: dict) -> dict:
    """The statistics with NaN and infinities as None (valid JSON)."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in stats.items()}


class _Progress:
    """One line on stderr: runs done out of all."""

    def __call__(self, done: int, total: int) -> None:
        """Redraw after ``done`` of ``total`` runs."""
        sys.stderr.write(f"\r{done}/{total} runs ")
        sys.stderr.flush()

    def close(self) -> None:
        """End the line."""
        sys.stderr.write("\n")
        sys.stderr.flush()
