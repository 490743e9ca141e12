"""Every kind of figure the project draws, rendered from small inputs (for tests and for eyeballing).

``python tests/plot_cases.py FOLDER`` writes them all as PNG files into FOLDER.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "scenarios" / "baseline.yaml"


def short_run(end: str = "2022-06-30", overrides: tuple[str, ...] = ()):
    """The baseline simulated to ``end`` (a few months: a second or two)."""
    from sahel_sim.runs.runner import simulate
    from sahel_sim.scenario.loading import load_scenario

    return simulate(load_scenario(BASELINE, [f"end={end}", *overrides]))


def summary_rows(replicates: int, dates: bool = True) -> pd.DataFrame:
    """Summary rows (as the sweep report makes them) of a 3 x 2 grid with ``replicates`` per point."""
    from sahel_sim.analysis.sweep.report import summarise

    rng = np.random.default_rng(1)
    starts = [dt.date(2023, 1, 1), dt.date(2024, 1, 1), dt.date(2025, 1, 1)] if dates else [0.5, 1.0, 1.5]
    rows = []
    for p, (start, weeks) in enumerate((s, w) for s in starts for w in (26, 52)):
        for r in range(replicates):
            rows.append(
                {
                    "point_index": p,
                    "peacekeepers.withdrawal.start": start,
                    "peacekeepers.withdrawal.duration_weeks": weeks,
                    "replicate": r,
                    "total_fatalities_total": float(rng.integers(20_000, 60_000)),
                    "final_state_control_share": rng.uniform(0.6, 0.9),
                    "final_posts_open": float(rng.integers(2, 6)),
                }
            )
    table = pd.DataFrame(rows)
    varied = ["peacekeepers.withdrawal.start", "peacekeepers.withdrawal.duration_weeks"]
    return summarise(table, varied, ["total_fatalities_total", "final_state_control_share", "final_posts_open"])


def hindcast_result(seeds: int):
    """A hindcast result over ``seeds`` made-up seeds (no model runs)."""
    from sahel_sim.analysis import hindcast
    from sahel_sim.scenario.loading import load_scenario

    years = list(range(2012, 2023))
    rng = np.random.default_rng(2)
    simulated = pd.DataFrame(rng.uniform(200, 20_000, size=(seeds, len(years))), columns=years)
    table, stats, others = hindcast.summarise(simulated, years)
    scenario = load_scenario(REPO / "scenarios" / "historical.yaml")
    return hindcast.HindcastResult(scenario, list(range(seeds)), years, "ML", simulated, table, stats, others, 1.0)


def calibration_result(replicates: int):
    """A scored calibration over made-up points (no model runs)."""
    from sahel_sim.analysis.calibration import CalibrationResult

    rng = np.random.default_rng(3)
    params = ["mechanisms.insurgency.attack_rate", "mechanisms.army.engagement_rate"]
    points = pd.DataFrame({p: rng.uniform(0.1, 1.0, 12) for p in params})
    points["loss"] = rng.uniform(0.4, 2.0, 12)
    points["spearman_rho"] = rng.uniform(-1, 1, 12)
    points["mean_abs_log10_error"] = rng.uniform(0.3, 1.0, 12)
    points["replicates_ok"] = replicates
    best = points.loc[points["loss"].idxmin()]
    hc = hindcast_result(replicates)
    return CalibrationResult(points, best, hc.table, hc.simulated, params, hc.years)


def render_all(folder: Path) -> dict[str, object]:
    """Draw every figure kind into ``folder``; return name -> matplotlib Figure."""
    from sahel_sim.analysis import calibration, hindcast
    from sahel_sim.analysis.sweep import plots as sweep_plots
    from sahel_sim.analysis.sweep import sensitivity
    from sahel_sim.runs import plots

    folder.mkdir(parents=True, exist_ok=True)
    out = short_run()
    figs = {
        "dashboard": plots.dashboard(out.timeseries, out.scenario, folder / "dashboard.png", out.seed),
        "dashboard_ML": plots.dashboard(out.timeseries, out.scenario, folder / "dashboard_ML.png", out.seed, "ML"),
        "events_map": plots.events_map(out.events, out.scenario, folder / "events_map.png"),
    }
    varied = ["peacekeepers.withdrawal.start", "peacekeepers.withdrawal.duration_weeks"]
    for n in (5, 20):
        summary = summary_rows(n)
        for metric in ("total_fatalities_total", "final_state_control_share", "final_posts_open")[: 3 if n < 20 else 2]:
            rows = summary[summary["metric"] == metric]
            name = f"sweep_{metric}_n{n}"
            figs[name] = sweep_plots.metric_vs_parameter(rows, varied, metric, "ML", folder / f"{name}.png")
            if n < 20:
                figs[f"heat_{metric}"] = sweep_plots.heat_map(rows, varied, metric, "ML", folder / f"heat_{metric}.png")
    one = summary_rows(5, dates=False)
    one = one[(one["metric"] == "total_fatalities_total") & (one["peacekeepers.withdrawal.duration_weeks"] == 26)]
    figs["sweep_one_parameter"] = sweep_plots.metric_vs_parameter(
        one, varied[:1], "total_fatalities_total", "ALL", folder / "sweep_one.png"
    )
    table = pd.DataFrame(
        {"parameter": varied, "S1": [0.5, 0.2], "S1_conf": [0.1, 0.1], "ST": [0.6, 0.3], "ST_conf": [0.1, 0.1]}
    )
    figs["sobol"] = sensitivity.bar_chart(table, "total_fatalities_total", "sobol", folder / "sobol.png")
    morris = pd.DataFrame({"parameter": varied, "mu_star": [900.0, 300.0], "mu_star_conf": [100.0, 50.0]})
    figs["morris"] = sensitivity.bar_chart(morris, "total_fatalities_total", "morris", folder / "morris.png")
    for n in (5, 20):
        figs[f"hindcast_n{n}"] = hindcast.plot(hindcast_result(n), folder / f"hindcast_n{n}.png")
    figs["calibration"] = calibration.plot(calibration_result(20), folder / "calibration.png", 0.5)
    return figs


if __name__ == "__main__":
    render_all(Path(sys.argv[1]))
