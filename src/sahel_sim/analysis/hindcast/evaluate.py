"""Running the seeds and comparing their yearly deaths with the observed series."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from sahel_sim.analysis.hindcast.displacement import displaced_on, displacement_table, points_covered
from sahel_sim.analysis.hindcast.series import (
    BAND,
    CALIBRATION_YEARS,
    COMPARISON,
    TARGET,
    compared_years,
    observed,
    observed_by_country,
    yearly_deaths,
)
from sahel_sim.analysis.hindcast.skill import skill_table
from sahel_sim.scenario.posterior import Posterior
from sahel_sim.scenario.schema import Scenario

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
        by_country: Deaths per year (columns) and seed (rows) of every country with an observed series
            (:func:`~.series.observed_by_country`), deaths/year; ``area``'s is ``simulated``.
        skill: The model against the naive forecasts per country and split
            (:func:`~.skill.skill_table`); None if not computed.
        calibration_years: The in-sample years (first, last), inclusive.
        comparison: The same hindcast of another scenario with the same seeds (e.g. a world without
            MINUSMA), or None.
        posterior: The posterior each seed drew its parameters from (``--posterior``), or None.
        displacement: Registered internally displaced people against the model's, one row per
            covered point (:func:`~.displacement.displacement_table`); None if the run covers none.

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
    by_country: dict[str, pd.DataFrame] = field(default_factory=dict)
    skill: pd.DataFrame | None = None
    calibration_years: tuple[int, int] = CALIBRATION_YEARS
    comparison: HindcastResult | None = None
    posterior: Posterior | None = None
    displacement: pd.DataFrame | None = None


def run_seeds(
    scenario: Scenario, seeds: list[int], area: str = "ML", workers: int = 1, progress: ProgressCallback | None = None
) -> list[dict[int, float]]:
    """Run the scenario once per seed on the sweep executors (in this process, or worker processes).

    Args:
        scenario: The scenario.
        seeds: The seeds.
        area: The area whose deaths are summed.
        workers: Worker processes; 1 runs in this process.
        progress: Called with (runs done, runs in all) after each run.

    Returns:
        Deaths per year for each seed, in the order of ``seeds``.

    Raises:
        RuntimeError: If a run raised (with its traceback) or its worker process died.

    """
    return [run[area] for run in run_seeds_by_area(scenario, seeds, (area,), workers, progress)]


def run_seeds_by_area(
    scenario: Scenario,
    seeds: list[int],
    areas: tuple[str, ...],
    workers: int = 1,
    progress: ProgressCallback | None = None,
    posterior: Posterior | None = None,
) -> list[dict[str, dict[int, float]]]:
    """As :func:`run_seeds`, summing the deaths of several areas (each run once).

    With ``posterior``, each seed runs the parameter set it draws (:mod:`sahel_sim.scenario.posterior`).

    Returns:
        For each seed, in the order of ``seeds``: per area, deaths per year.

    Raises:
        RuntimeError: If a run raised (with its traceback) or its worker process died.

    """
    return run_seeds_reduced(scenario, seeds, lambda table: yearly_by_area(table, areas), workers, progress, posterior)


def run_seeds_reduced(
    scenario: Scenario,
    seeds: list[int],
    reduce: Callable[[pd.DataFrame], Any],
    workers: int = 1,
    progress: ProgressCallback | None = None,
    posterior: Posterior | None = None,
) -> list[Any]:
    """Run the scenario once per seed and reduce each run's weekly table as it arrives.

    Args:
        scenario: The scenario.
        seeds: The seeds.
        reduce: Called in this process with each run's weekly table; its results are returned.
        workers: Worker processes; 1 runs in this process.
        progress: Called with (runs done, runs in all) after each run.
        posterior: Draw each seed's parameter set from this posterior.

    Returns:
        ``reduce``'s result for each seed, in the order of ``seeds``.

    Raises:
        RuntimeError: If a run raised (with its traceback) or its worker process died.

    """
    from sahel_sim.analysis.sweep.executors import make_executor
    from sahel_sim.analysis.sweep.worker import Task

    total = len(seeds)
    out: list[Any] = [None for _ in seeds]
    executor = make_executor(max(1, min(workers, total)))
    finished = False
    # Two runs in flight per worker process; one at a time in this process (it runs on submit).
    limit = 1 if executor.name == "serial" else 2 * executor.workers
    queue = iter(enumerate(seeds))
    pending: dict = {}
    done = 0
    try:
        while True:
            for i, seed in itertools.islice(queue, max(0, limit - len(pending))):
                drawn = posterior.apply(scenario, seed)[0] if posterior is not None else scenario
                pending[executor.submit(Task(f"seed{seed}", drawn, seed))] = i
            if not pending:
                break
            for handle in executor.wait(list(pending), 1.0):
                i = pending.pop(handle)
                outcome = executor.result(handle)
                if not outcome.ok:
                    raise RuntimeError(f"the run with seed {seeds[i]} failed:\n{outcome.error}")
                out[i] = reduce(outcome.timeseries)
                done += 1
                if progress:
                    progress(done, total)
        finished = True
    finally:
        executor.close(cancel=not finished)
    return out


def yearly_by_area(timeseries: pd.DataFrame, areas: tuple[str, ...]) -> dict[str, dict[int, float]]:
    """A run's deaths per calendar year of each area (:func:`~.series.yearly_deaths` of ``fatalities_total``).

    Args:
        timeseries: The run's weekly table.
        areas: The area codes.

    Returns:
        Per area, deaths per year.

    """
    return {area: {int(y): float(v) for y, v in yearly_deaths(timeseries, area).items()} for area in areas}


def frames_by_area(
    runs: list[dict[str, dict[int, float]]], seeds: list[int], areas: tuple[str, ...], years: list[int]
) -> dict[str, pd.DataFrame]:
    """Tables of deaths/year per area: one row per seed (indexed by seed), one column per year.

    Args:
        runs: Per seed (in the order of ``seeds``), the output of :func:`yearly_by_area`.
        seeds: The seeds.
        areas: The areas to tabulate.
        years: The years (a year a run lacks is NaN).

    Returns:
        Per area, the table.

    """
    index = pd.Index(seeds, name="seed")
    return {a: pd.DataFrame([{y: run[a].get(y, math.nan) for y in years} for run in runs], index=index) for a in areas}


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
    posterior: Posterior | None = None,
) -> HindcastResult:
    """Run ``scenario`` over ``seeds`` and compare its yearly deaths with the observed series.

    Args:
        scenario: The scenario to run (normally the historical one).
        seeds: The seeds, or a number N for the N seeds ``scenario.seed``, ``scenario.seed + 1``, ...
        years: First and last calendar year to compare (inclusive); limited to the years the run
            covers completely and the observed series has.
        workers: Worker processes (the sweep's :mod:`~sahel_sim.analysis.sweep.executors`); 1 runs in
            this process. The result does not depend on it.
        area: The area whose deaths are compared (the observed series is Mali's).
        progress: Called with (runs done, runs in all) after each run.
        posterior: Draw each seed's parameters from this calibration posterior (``--posterior``).

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
    countries = observed_by_country()
    areas = tuple(dict.fromkeys([area, *countries.columns]))
    points = points_covered(scenario.start, scenario.end)

    def reduce(table: pd.DataFrame) -> tuple[dict, dict]:
        return yearly_by_area(table, areas), {(c, d): displaced_on(table, c, d) for c, d in points}

    reduced = run_seeds_reduced(scenario, seed_list, reduce, workers, progress, posterior)
    runs = [deaths for deaths, _ in reduced]
    by_country = frames_by_area(runs, seed_list, areas, compare)
    simulated = by_country[area]
    table, main, others = summarise(simulated, compare)
    skill = skill_table({a: by_country[a] for a in countries.columns}, countries, compare, CALIBRATION_YEARS)
    return HindcastResult(
        scenario,
        seed_list,
        compare,
        area,
        simulated,
        table,
        main,
        others,
        time.perf_counter() - started,
        by_country=by_country,
        skill=skill,
        posterior=posterior,
        displacement=displacement_table([idp for _, idp in reduced]) if points else None,
    )
