"""The loss and the scoring of a finished sweep's design points against the observed deaths."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from sahel_sim.analysis.calibration.config import Target
from sahel_sim.analysis.hindcast import compared_years, summarise, yearly_deaths

#: The simulated weekly metric summed into years.
SIMULATED = "fatalities_total"
LOSS_DEFINITION = (
    "loss = mean over years of |log10((sim_median + 1) / (observed + 1))| "
    "+ spearman_weight * (1 - spearman_rho); sim_median is the median over replicates "
    "of each year's deaths; spearman_rho is taken as 0 where undefined"
)


@dataclass
class CalibrationResult:
    """Outcome of :func:`score` (and :func:`calibrate`).

    Attributes:
        points: One row per design point (see the module docstring, ``calibration.csv``).
        best: The chosen point's row.
        best_table: The chosen point's per-year table (see :func:`sahel_sim.analysis.hindcast.summarise`).
        best_runs: The chosen point's deaths per year (columns) and replicate (rows).
        parameters: The varied dotted paths, in the file's order.
        years: The compared years.
        area: The area whose deaths were compared.
        folder: The calibration folder (None when only scored).
    """

    points: pd.DataFrame
    best: pd.Series
    best_table: pd.DataFrame
    best_runs: pd.DataFrame
    parameters: list[str]
    years: list[int]
    area: str = "ML"
    folder: Path | None = None


def score_series(simulated: Any, observed: Any, spearman_weight: float = 0.5) -> dict[str, float]:
    """Statistics and loss of one simulated yearly series against the observed one.

    Args:
        simulated: Simulated deaths per year (the median over replicates), deaths/year.
        observed: Observed deaths per year, same years and order.
        spearman_weight: lambda, the weight of ``1 - spearman_rho`` in the loss.

    Returns:
        ``loss``, ``mean_abs_log10_error``, ``mean_log10_bias``, ``spearman_rho``, ``pearson_r``,
        ``pearson_r_log10`` (NaN where a correlation is undefined: fewer than three years or a
        constant series) and ``n_years``.

    Raises:
        ValueError: If the series are empty or differ in length.
    """
    sim = np.asarray(simulated, dtype=float)
    obs = np.asarray(observed, dtype=float)
    if sim.shape != obs.shape or sim.ndim != 1 or not len(sim):
        raise ValueError(f"need two non-empty series of the same length (got {sim.shape} and {obs.shape})")
    log_ratio = np.log10((sim + 1.0) / (obs + 1.0))
    out = {
        "n_years": len(sim),
        "mean_abs_log10_error": float(np.mean(np.abs(log_ratio))),
        "mean_log10_bias": float(np.mean(log_ratio)),
        "spearman_rho": math.nan,
        "pearson_r": math.nan,
        "pearson_r_log10": math.nan,
    }
    if len(sim) >= 3 and np.ptp(sim) > 0 and np.ptp(obs) > 0:
        out["spearman_rho"] = float(sps.spearmanr(sim, obs)[0])
        out["pearson_r"] = float(sps.pearsonr(sim, obs)[0])
        out["pearson_r_log10"] = float(sps.pearsonr(np.log10(sim + 1.0), np.log10(obs + 1.0))[0])
    out["loss"] = loss_value(out["mean_abs_log10_error"], out["spearman_rho"], spearman_weight)
    return out


def loss_value(mean_abs_log10_error: float, spearman_rho: float, spearman_weight: float) -> float:
    """The loss: ``mean_abs_log10_error + spearman_weight * (1 - rho)``, with an undefined rho as 0."""
    rho = spearman_rho if math.isfinite(spearman_rho) else 0.0
    return float(mean_abs_log10_error + spearman_weight * (1.0 - rho))


def best_index(points: pd.DataFrame, replicates: int | None = None) -> int:
    """Row label of the chosen point: lowest finite loss, among points with every replicate if any.

    Args:
        points: The per-point table (``loss``, ``replicates_ok``, ``point_index``).
        replicates: Replicates each point should have; None to accept any number.

    Returns:
        The label (index) of the chosen row.

    Raises:
        ValueError: If no point has a finite loss.
    """
    ok = points[np.isfinite(points["loss"].to_numpy(dtype=float))]
    if replicates is not None and (ok["replicates_ok"] >= replicates).any():
        ok = ok[ok["replicates_ok"] >= replicates]
    if ok.empty:
        raise ValueError("no design point has a finite loss (did every run fail?)")
    return ok.sort_values(["loss", "point_index"], kind="stable").index[0]


def read_yearly(sweep_dir: Path, area: str) -> pd.DataFrame:
    """Deaths per calendar year of every successful run of a sweep.

    Args:
        sweep_dir: The sweep folder.
        area: The area whose weekly ``fatalities_total`` is summed.

    Returns:
        One row per run: ``run_id``, ``point_index``, ``replicate``, then one column per year.
    """
    runs = pd.read_parquet(sweep_dir / "runs", columns=["run_id", "status", "point_index", "replicate"])
    runs = runs[runs["status"] == "ok"]
    if runs.empty:
        return pd.DataFrame(columns=["run_id", "point_index", "replicate"])
    ts = pd.read_parquet(
        sweep_dir / "timeseries", columns=["run_id", "date", "area", SIMULATED], filters=[("area", "==", area)]
    )
    rows = []
    for run_id, group in ts.groupby("run_id", sort=True):
        rows.append({"run_id": run_id, **yearly_deaths(group, area, SIMULATED).to_dict()})
    yearly = pd.DataFrame(rows)
    return runs.drop(columns="status").merge(yearly, on="run_id", how="inner")


def score(sweep_dir: str | Path, target: Target, replicates: int | None = None) -> CalibrationResult:
    """Score every design point of a finished (or partly finished) sweep and choose the best.

    Args:
        sweep_dir: The sweep folder.
        target: What is compared and how (see :class:`Target`).
        replicates: Replicates each point should have (points with fewer are chosen only if no
            point has them all); None to read it from the sweep's ``spec.json``.

    Returns:
        The per-point table and the chosen point.

    Raises:
        ValueError: If no year can be compared or no point has a finite loss.
    """
    from sahel_sim.scenario.loading import load_scenario

    sweep_dir = Path(sweep_dir)
    info = json.loads((sweep_dir / "spec.json").read_text(encoding="utf-8"))
    parameters = list(info["varied"])
    replicates = info["spec"]["replicates"] if replicates is None else replicates
    points = pd.read_parquet(sweep_dir / "points.parquet")
    first = load_scenario(sweep_dir / "points" / f"{points['point_id'].iloc[0]}.yaml")
    years = compared_years(first, target.years)
    yearly = read_yearly(sweep_dir, target.area)
    rows, by_point = [], {}
    for point in points.to_dict("records"):
        index = int(point["point_index"])
        mine = yearly[yearly["point_index"] == index].sort_values("replicate")
        row = {"point_index": index, "point_id": point["point_id"]}
        row.update({p: point[p] for p in parameters})
        row["replicates_ok"] = len(mine)
        stats = {
            "loss": math.nan,
            "mean_abs_log10_error": math.nan,
            "mean_log10_bias": math.nan,
            "spearman_rho": math.nan,
            "pearson_r": math.nan,
            "pearson_r_log10": math.nan,
            "coverage_90": math.nan,
        }
        if len(mine) and all(y in mine.columns for y in years):
            simulated = mine.set_index("replicate")[years]
            table, _, _ = summarise(simulated, years)
            scored = score_series(table["sim_median"], table["observed"], target.spearman_weight)
            stats.update({k: scored[k] for k in stats if k in scored})
            stats["coverage_90"] = float(table["in_band"].mean())
            by_point[index] = (table, simulated)
        row.update(stats)
        rows.append(row)
    table = pd.DataFrame(rows)
    table["rank"] = table["loss"].rank(method="first", na_option="keep").astype("Int64")
    chosen = best_index(table, replicates)
    best = table.loc[chosen]
    best_table, best_runs = by_point[int(best["point_index"])]
    return CalibrationResult(table, best, best_table, best_runs, parameters, years, target.area)
