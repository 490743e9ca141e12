"""Hindcast: simulated yearly conflict deaths in Mali against the observed series 2012-2022.

A scenario (normally ``scenarios/historical.yaml``) is run over several seeds; each run's weekly
``fatalities_total`` of the area ``ML`` is summed into calendar years, and the distribution over
seeds is compared with the observed yearly deaths packaged in
``sahel_sim/data/reference/mali_violence_2012_2022.csv`` (with its source column; the package never
reads anything outside itself at run time).

Target measure: UCDP "all organised violence deaths" (``ucdp_all_organised_violence_deaths``),
the sum of UCDP's state-based, non-state and one-sided violence deaths (best estimates) located in
Mali. The model's ``fatalities_total`` counts every death in a violent event: battles of forces and
armed groups, clashes between armed groups, attacks on civilians and on peacekeepers. UCDP's
state-based battle deaths leave out the clashes between armed groups and the killing of civilians
(one-sided violence), and ACLED's fatalities count every event type including riots and protests and
cover only some years here, so the "all organised violence" series is the closest in definition and
the only complete one. The two others are kept in the table and figure for comparison.

Yearly totals: a week's deaths are shared between calendar years in proportion to its days in
each (a step covers the 7 days from its date), so every year has exactly its 365 or 366 days.
Only years the run covers completely are compared.

Statistics, over the compared years, of the median over seeds (``sim_median``) against the
observed target (``obs``):

- ``spearman_rho`` / ``spearman_p``: Spearman rank correlation (:func:`scipy.stats.spearmanr`);
- ``pearson_r`` / ``pearson_p``: Pearson correlation of the yearly counts (:func:`scipy.stats.pearsonr`);
- ``pearson_r_log10``: Pearson correlation of log10(x + 1) of both series;
- ``mean_abs_log10_error``: mean over years of ``|log10((sim_median + 1) / (obs + 1))|``
  (0 is perfect, 1 means a factor of ten off on average);
- ``mean_log10_bias``: the same without the absolute value (positive: the model kills too many);
- ``coverage_90``: share of years whose observed value lies in the 5-95% band over seeds.

Runs are independent and collected in seed order, so the result is the same for any number of
worker processes.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
from scipy import stats as sps

from sahel_sim.scenario.schema import Scenario

#: Column of the observed series compared with the model (see the module docstring).
TARGET: Final = "ucdp_all_organised_violence_deaths"
#: Other observed measures, shown for comparison only.
COMPARISON = ("ucdp_state_based_battle_deaths", "acled_fatalities")
#: Labels of the observed measures for tables and figures.
LABELS = {
    "ucdp_all_organised_violence_deaths": "UCDP all organised violence deaths",
    "ucdp_state_based_battle_deaths": "UCDP state-based battle deaths",
    "acled_fatalities": "ACLED fatalities (all event types)",
}
#: Lower and upper quantiles of the band over seeds (a 90% band).
BAND = (0.05, 0.95)

ProgressCallback = Callable[[int, int], None]


@dataclass
class HindcastResult:
    """Outcome of a hindcast.

    Attributes:
        scenario: The scenario that ran (resolved).
        seeds: The seeds, in the order their runs are stored.
        years: The calendar years compared.
        area: The area whose deaths are compared (``ML``).
        simulated: Deaths per year (columns) and seed (rows, indexed by seed), deaths/year.
        table: One row per year: observed target and comparison measures, simulated median, mean,
            5% and 95% quantiles over seeds (deaths/year), whether the observed value is in the band.
        stats: The statistics of the module docstring (floats; ``n_years`` an int).
        comparison_stats: The same statistics against each comparison measure, over the years it has.
        wall_seconds: Wall-clock time of all runs, seconds.

    """

    scenario: Scenario
    seeds: list[int]
    years: list[int]
    area: str
    simulated: pd.DataFrame
    table: pd.DataFrame
    stats: dict
    comparison_stats: dict = field(default_factory=dict)
    wall_seconds: float = 0.0


def observed() -> pd.DataFrame:
    """The packaged observed series: one row per year, deaths/year, with its ``source`` column.

    Returns:
        The table indexed by ``year`` (missing values as NaN).

    """
    path = files("sahel_sim") / "data" / "reference" / "mali_violence_2012_2022.csv"
    with path.open("r", encoding="utf-8") as handle:
        table = pd.read_csv(handle)
    return table.set_index("year")


def covered_years(scenario: Scenario) -> list[int]:
    """Calendar years a run of ``scenario`` simulates completely (every day of the year).

    Args:
        scenario: The scenario.

    Returns:
        The years, in order (possibly none).

    """
    first_day = scenario.start
    after_last = scenario.start + dt.timedelta(weeks=scenario.weeks)  # day after the last simulated week
    first = first_day.year if first_day <= dt.date(first_day.year, 1, 1) else first_day.year + 1
    last = after_last.year - 1  # 31 December of that year is the last day it can fully cover
    return list(range(first, last + 1))


def compared_years(scenario: Scenario, years: tuple[int, int]) -> list[int]:
    """The years of ``years`` (inclusive) that the observed series has and a run covers completely.

    Args:
        scenario: The scenario.
        years: First and last calendar year asked for.

    Returns:
        The years, in order.

    Raises:
        ValueError: If there is none.

    """
    have = set(covered_years(scenario)) & set(observed().index)
    compare = [y for y in range(years[0], years[1] + 1) if y in have]
    if not compare:
        raise ValueError(
            f"no year of {years[0]}-{years[1]} is both observed and fully simulated "
            f"({scenario.start} to {scenario.end})"
        )
    return compare


def yearly_deaths(timeseries: pd.DataFrame, area: str = "ML", column: str = "fatalities_total") -> pd.Series:
    """Sum a run's weekly deaths into calendar years, sharing each week by its days in each year.

    Args:
        timeseries: The run's weekly table (``date``, ``area`` and metric columns).
        area: The area to sum.
        column: The weekly metric, deaths/week.

    Returns:
        Deaths per calendar year (float), indexed by year.

    """
    rows = timeseries[timeseries["area"] == area]
    start = pd.to_datetime(rows["date"]).dt.normalize()
    weekly = rows[column].to_numpy(dtype=float)
    year = start.dt.year.to_numpy()
    next_new_year = pd.to_datetime({"year": year + 1, "month": 1, "day": 1})
    days_first = np.clip((next_new_year.to_numpy() - start.to_numpy()) / np.timedelta64(1, "D"), 0, 7)
    share_first = days_first / 7.0
    totals = pd.Series(weekly * share_first, index=year).groupby(level=0).sum()
    spill = pd.Series(weekly * (1.0 - share_first), index=year + 1).groupby(level=0).sum()
    return totals.add(spill, fill_value=0.0).sort_index()


def _run_one(scenario: Scenario, seed: int, area: str) -> dict[int, float]:
    """Simulate one seed and return its deaths per calendar year (worker entry point)."""
    from sahel_sim.runs.runner import simulate

    output = simulate(scenario, seed)
    return {int(y): float(v) for y, v in yearly_deaths(output.timeseries, area).items()}


def _map_context():
    """A start method that never forks a process with threads: forkserver where available, else spawn."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def run_seeds(
    scenario: Scenario, seeds: list[int], area: str = "ML", workers: int = 1, progress: ProgressCallback | None = None
) -> list[dict[int, float]]:
    """Run the scenario once per seed, in process or in worker processes, in seed order.

    Args:
        scenario: The scenario.
        seeds: The seeds.
        area: The area whose deaths are summed.
        workers: Worker processes; 1 runs in this process.
        progress: Called with (runs done, runs in all) after each run.

    Returns:
        Deaths per year for each seed, in the order of ``seeds``.

    """
    total = len(seeds)
    out: list[dict[int, float]] = []
    if workers <= 1 or total <= 1:
        for seed in seeds:
            out.append(_run_one(scenario, seed, area))
            if progress:
                progress(len(out), total)
        return out
    with ProcessPoolExecutor(max_workers=min(workers, total), mp_context=_map_context()) as pool:
        for result in pool.map(_run_one, [scenario] * total, seeds, [area] * total):
            out.append(result)
            if progress:
                progress(len(out), total)
    return out


def _stats(sim: np.ndarray, obs: np.ndarray, low: np.ndarray | None = None, high: np.ndarray | None = None) -> dict:
    """Agreement statistics of simulated against observed yearly deaths (see the module docstring)."""
    n = len(obs)
    out: dict = {"n_years": int(n)}
    log_ratio = np.log10((sim + 1.0) / (obs + 1.0))
    out["mean_abs_log10_error"] = float(np.mean(np.abs(log_ratio))) if n else math.nan
    out["mean_log10_bias"] = float(np.mean(log_ratio)) if n else math.nan
    nan = {
        "spearman_rho": math.nan,
        "spearman_p": math.nan,
        "pearson_r": math.nan,
        "pearson_p": math.nan,
        "pearson_r_log10": math.nan,
    }
    if n >= 3 and np.ptp(sim) > 0 and np.ptp(obs) > 0:
        rho, rho_p = sps.spearmanr(sim, obs)
        r, r_p = sps.pearsonr(sim, obs)
        r_log, _ = sps.pearsonr(np.log10(sim + 1.0), np.log10(obs + 1.0))
        out.update(
            {
                "spearman_rho": float(rho),
                "spearman_p": float(rho_p),
                "pearson_r": float(r),
                "pearson_p": float(r_p),
                "pearson_r_log10": float(r_log),
            }
        )
    else:
        out.update(nan)
    if low is not None and high is not None and n:
        out["coverage_90"] = float(np.mean((obs >= low) & (obs <= high)))
    return out


def summarise(simulated: pd.DataFrame, years: list[int]) -> tuple[pd.DataFrame, dict, dict]:
    """Build the per-year table and the statistics from the deaths per seed and year.

    Args:
        simulated: Deaths/year, one row per seed and one column per year.
        years: The years to compare.

    Returns:
        The table, the statistics against :data:`TARGET` and those against each comparison measure.

    """
    obs = observed()
    sim = simulated[years]
    table = pd.DataFrame({"year": years})
    table["observed"] = [obs.at[y, TARGET] for y in years]
    for name in COMPARISON:
        table[name] = [obs.at[y, name] if y in obs.index else math.nan for y in years]
    table["sim_median"] = sim.median(axis=0).to_numpy()
    table["sim_mean"] = sim.mean(axis=0).to_numpy()
    table["sim_q05"] = sim.quantile(BAND[0], axis=0).to_numpy()
    table["sim_q95"] = sim.quantile(BAND[1], axis=0).to_numpy()
    table["in_band"] = (table["observed"] >= table["sim_q05"]) & (table["observed"] <= table["sim_q95"])
    table["log10_error"] = np.log10((table["sim_median"] + 1.0) / (table["observed"] + 1.0))
    main = _stats(
        table["sim_median"].to_numpy(),
        table["observed"].to_numpy(dtype=float),
        table["sim_q05"].to_numpy(),
        table["sim_q95"].to_numpy(),
    )
    main["measure"] = TARGET
    others = {}
    for name in COMPARISON:
        have = table[name].notna()
        others[name] = _stats(
            table.loc[have, "sim_median"].to_numpy(),
            table.loc[have, name].to_numpy(dtype=float),
            table.loc[have, "sim_q05"].to_numpy(),
            table.loc[have, "sim_q95"].to_numpy(),
        )
    return table, main, others


def hindcast(
    scenario: Scenario,
    seeds: Iterable[int] | int,
    years: tuple[int, int] = (2012, 2022),
    workers: int = 1,
    area: str = "ML",
    progress: ProgressCallback | None = None,
) -> HindcastResult:
    """Run ``scenario`` over ``seeds`` and compare its yearly deaths with the observed series.

    Args:
        scenario: The scenario to run (normally the historical one).
        seeds: The seeds, or a number N for the N seeds ``scenario.seed``, ``scenario.seed + 1``, ...
        years: First and last calendar year to compare (inclusive); limited to the years the run
            covers completely and the observed series has.
        workers: Worker processes (``forkserver`` or ``spawn``); 1 runs in this process. The result
            does not depend on it.
        area: The area whose deaths are compared (the observed series is Mali's).
        progress: Called with (runs done, runs in all) after each run.

    Returns:
        The :class:`HindcastResult`.

    Raises:
        ValueError: If there are no seeds, or no year to compare.

    """
    import time

    seed_list = [scenario.seed + i for i in range(seeds)] if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seed_list:
        raise ValueError("at least one seed is needed")
    compare = compared_years(scenario, years)
    started = time.perf_counter()
    runs = run_seeds(scenario, seed_list, area, workers, progress)
    simulated = pd.DataFrame(
        [{y: run.get(y, math.nan) for y in compare} for run in runs], index=pd.Index(seed_list, name="seed")
    )
    table, main, others = summarise(simulated, compare)
    return HindcastResult(
        scenario, seed_list, compare, area, simulated, table, main, others, time.perf_counter() - started
    )


def plot(result: HindcastResult, path: Path) -> None:
    """Draw the hindcast figure: 90% band and median over seeds, observed series, log y axis.

    Values below 1 death/year are drawn at 1 (log axis).

    Args:
        result: The hindcast.
        path: The PNG file to write.

    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = result.table
    floor = 1.0
    fig, ax = plt.subplots(figsize=(8, 4.8), dpi=110)
    ax.fill_between(
        t["year"],
        t["sim_q05"].clip(lower=floor),
        t["sim_q95"].clip(lower=floor),
        color="tab:blue",
        alpha=0.25,
        label=f"simulated 5-95% ({len(result.seeds)} seeds)",
    )
    ax.plot(t["year"], t["sim_median"].clip(lower=floor), color="tab:blue", lw=2, label="simulated median")
    ax.plot(t["year"], t["observed"], color="black", lw=2, marker="o", label=f"observed: {LABELS[TARGET]}")
    for name, colour in zip(COMPARISON, ("tab:orange", "tab:green"), strict=True):
        have = t[name].notna()
        if have.any():
            ax.plot(t.loc[have, "year"], t.loc[have, name], color=colour, lw=0.8, marker=".", label=LABELS[name])
    ax.set_yscale("log")
    ax.set_xlabel("year")
    ax.set_ylabel(f"deaths per year ({result.area})")
    s = result.stats
    ax.set_title(
        f"Hindcast of {result.scenario.name}: Spearman {s['spearman_rho']:.2f}, "
        f"mean |log10 error| {s['mean_abs_log10_error']:.2f}",
        fontsize=10,
    )
    ax.set_xticks(list(t["year"]))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
