"""Skill of the hindcast against naive forecasts, per country, in and out of sample (issue 16, item 4).

Scale: every error is on log10(deaths/year + 1), the hindcast's convention (its
``mean_abs_log10_error`` is ``|log10((sim_median + 1) / (obs + 1))|``); the +1 keeps years without
deaths finite.

Split: the **in-sample** years are :data:`~.series.CALIBRATION_YEARS` (2012-2019, the only years
parameters may be chosen on); the **out-of-sample** years are the observed years after them (Mali
2020-2022; the other countries' series stop in 2019).

Forecasts of one country's yearly deaths:

- ``model``: the runs, one value per seed. Its point forecast is the median over seeds (as in the
  hindcast table), its 90 % interval the 5-95 % quantiles over seeds.
- ``constant``: ``10**m - 1``, with m the mean of log10(obs + 1) over the calibration years (the
  geometric mean of obs + 1, minus 1), for every year.
- ``persistence``: in sample, the previous year's observed value (none for the first observed
  year, so 2012 is not scored); out of sample, the last calibration year's value (2019) for every
  year.
- ``trend``: the least-squares line of log10(obs + 1) against the year over the calibration years
  (:func:`numpy.polyfit`), extrapolated; ``10**line - 1``.

The naive forecasts see the observed calibration years only, never a later year.

Statistics per country, split and forecast, over the years of the split the forecast has a value for
(``n_years``):

- ``mean_abs_log10_error``: mean over years of ``|log10(point + 1) - log10(obs + 1)|``;
- ``mean_log10_bias``: the same without the absolute value (positive: too many deaths);
- ``spearman_rho``: :func:`scipy.stats.spearmanr` of point forecast and observed over the years,
  NaN with fewer than 3 years or when either is constant (the constant forecast always);
- ``coverage_90``: share of years whose observed value is inside the 5-95 % interval; NaN for a
  point forecast, which has no interval;
- ``crps_log10``: mean over years of the continuous ranked probability score (Gneiting & Raftery
  2007) on the log10(x + 1) scale, ``CRPS = E|X - y| - 1/2 E|X - X'|`` with X, X' drawn
  independently from the forecast; for the seeds' ensemble, :func:`crps_ensemble`. A point forecast
  has ``E|X - X'| = 0``, so its CRPS is its absolute log10 error and its ``crps_log10`` equals its
  ``mean_abs_log10_error``. Lower is better for both; CRPS also rewards a sharp, well-placed spread.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats as sps

from sahel_sim.analysis.hindcast.series import BAND, CALIBRATION_YEARS

#: The forecasts of the skill table, in the order they are printed.
FORECASTS = ("model", "constant", "persistence", "trend")
#: The naive forecasts (fitted on the calibration years only).
NAIVE = FORECASTS[1:]
#: The time splits.
SPLITS = ("in_sample", "out_of_sample")
#: The statistics of a skill row (see the module docstring).
STATS = (
    "n_years",
    "first_year",
    "last_year",
    "mean_abs_log10_error",
    "mean_log10_bias",
    "spearman_rho",
    "coverage_90",
    "crps_log10",
)


def log10p1(x) -> np.ndarray:
    """log10(x + 1) of deaths/year, elementwise, as floats."""
    return np.log10(np.asarray(x, dtype=float) + 1.0)


def crps_ensemble(members, observed: float) -> float:
    """CRPS of an equally weighted ensemble for one observation: ``E|X - y| - 1/2 E|X - X'|``.

    X and X' are independent draws from the members (all m² ordered pairs, a member with itself
    included), the usual ensemble form of the definition. Same unit as the values.

    Args:
        members: The ensemble's values (e.g. one per seed).
        observed: The observed value.

    Returns:
        The score (0 for a perfect point forecast; lower is better).

    Raises:
        ValueError: If there is no member.

    """
    x = np.asarray(members, dtype=float).ravel()
    if x.size == 0:
        raise ValueError("an ensemble needs at least one member")
    return float(np.mean(np.abs(x - observed)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :])))


def split_of(year: int, calibration: tuple[int, int] = CALIBRATION_YEARS) -> str | None:
    """``in_sample``, ``out_of_sample`` or None (a year before the calibration years)."""
    if calibration[0] <= year <= calibration[1]:
        return "in_sample"
    return "out_of_sample" if year > calibration[1] else None


def naive_forecasts(
    observed: pd.Series, years: list[int], calibration: tuple[int, int] = CALIBRATION_YEARS
) -> pd.DataFrame:
    """The constant, persistence and trend forecasts of one country (see the module docstring).

    Args:
        observed: The country's observed deaths/year, indexed by year (NaN where unknown).
        years: The years to forecast.
        calibration: First and last calibration year (inclusive); the only years fitted on.

    Returns:
        Deaths/year, indexed by year, one column per naive forecast; NaN where a forecast has no value
        (persistence for a year whose previous year is not observed; every forecast if no
        calibration year is observed; the trend if only one is).

    """
    obs = observed.dropna()
    fit = obs[(obs.index >= calibration[0]) & (obs.index <= calibration[1])]
    out = pd.DataFrame(index=pd.Index(list(years), name="year"), columns=list(NAIVE), dtype=float)
    if fit.empty:
        return out
    z = log10p1(fit.to_numpy())
    out["constant"] = 10.0 ** float(np.mean(z)) - 1.0
    if len(fit) >= 2:
        slope, intercept = np.polyfit(fit.index.to_numpy(dtype=float), z, 1)
        out["trend"] = 10.0 ** (intercept + slope * out.index.to_numpy(dtype=float)) - 1.0
    last = float(fit.loc[fit.index.max()])
    for year in out.index:
        if year > calibration[1]:
            out.at[year, "persistence"] = last
        elif year - 1 in obs.index:
            out.at[year, "persistence"] = float(obs.loc[year - 1])
    return out


def score(observed, point, members: np.ndarray | None = None) -> dict:
    """The statistics of the module docstring for one forecast over some years.

    Args:
        observed: Observed deaths/year, one per year.
        point: The point forecast, deaths/year, one per year.
        members: The ensemble, deaths/year, one row per member and one column per year; None for a
            point forecast (then coverage is NaN and the CRPS is the absolute log10 error).

    Returns:
        ``n_years``, ``mean_abs_log10_error``, ``mean_log10_bias``, ``spearman_rho``, ``coverage_90``
        and ``crps_log10`` (NaN where undefined or with no year).

    """
    obs = np.asarray(observed, dtype=float)
    pt = np.asarray(point, dtype=float)
    n = len(obs)
    out: dict = {"n_years": int(n)}
    error = log10p1(pt) - log10p1(obs)
    out["mean_abs_log10_error"] = float(np.mean(np.abs(error))) if n else math.nan
    out["mean_log10_bias"] = float(np.mean(error)) if n else math.nan
    rho = math.nan
    if n >= 3 and np.ptp(pt) > 0 and np.ptp(obs) > 0:
        rho = float(sps.spearmanr(pt, obs)[0])
    out["spearman_rho"] = rho
    if members is None or not n:
        out["coverage_90"] = math.nan
        out["crps_log10"] = float(np.mean(np.abs(error))) if n else math.nan
        return out
    ens = np.asarray(members, dtype=float).reshape(-1, n)
    low, high = np.quantile(ens, BAND[0], axis=0), np.quantile(ens, BAND[1], axis=0)
    out["coverage_90"] = float(np.mean((obs >= low) & (obs <= high)))
    z = log10p1(obs)
    out["crps_log10"] = float(np.mean([crps_ensemble(log10p1(ens[:, j]), z[j]) for j in range(n)]))
    return out


def skill_table(
    simulated: Mapping[str, pd.DataFrame],
    observed: pd.DataFrame,
    years: list[int],
    calibration: tuple[int, int] = CALIBRATION_YEARS,
) -> pd.DataFrame:
    """The skill of the model and of the three naive forecasts, per country and split.

    Args:
        simulated: Per country code, deaths/year with one row per seed and one column per year.
        observed: Observed deaths/year, indexed by year, one column per country code
            (:func:`~.series.observed_by_country`).
        years: The years compared (those outside them are not scored; the naive forecasts are still
            fitted on every observed calibration year).
        calibration: First and last calibration year, inclusive.

    Returns:
        One row per country (in ``observed``'s order, those simulated), split with at least one
        observed year, and forecast (:data:`FORECASTS`): ``country``, ``split``, ``forecast`` and
        :data:`STATS`.

    """
    rows = []
    for country in observed.columns:
        if country not in simulated:
            continue
        obs = observed[country]
        naive = naive_forecasts(obs, list(years), calibration)
        sim = simulated[country]
        for split in SPLITS:
            have = [y for y in years if split_of(y, calibration) == split and not math.isnan(obs.get(y, math.nan))]
            if not have:
                continue
            ens = sim[have].to_numpy(dtype=float)
            forecasts = {"model": (np.median(ens, axis=0), ens)}
            forecasts.update({name: (naive.loc[have, name].to_numpy(dtype=float), None) for name in NAIVE})
            for name in FORECASTS:
                point, members = forecasts[name]
                keep = ~np.isnan(point)
                used = [y for y, k in zip(have, keep, strict=True) if k]
                stats = score(obs[used].to_numpy(), point[keep], None if members is None else members[:, keep])
                stats["first_year"] = used[0] if used else None
                stats["last_year"] = used[-1] if used else None
                rows.append({"country": country, "split": split, "forecast": name, **stats})
    table = pd.DataFrame(rows, columns=["country", "split", "forecast", *STATS])
    for col in ("n_years", "first_year", "last_year"):
        table[col] = table[col].astype("Int64")
    return table


def verdict(table: pd.DataFrame, measure: str = "mean_abs_log10_error") -> list[str]:
    """One plain sentence per country with out-of-sample years: does the model beat each naive forecast?

    "Beats" means a lower ``measure``; values equal to three decimals "tie". The CRPS is quoted beside it.

    Args:
        table: A :func:`skill_table`.
        measure: The statistic that decides.

    Returns:
        The sentences (none if no country has an out-of-sample year).

    """
    lines = []
    oos = table[table["split"] == "out_of_sample"]
    for country, rows in oos.groupby("country", sort=False):
        by = rows.set_index("forecast")
        model = by.loc["model"]
        parts = []
        for name in NAIVE:
            other = by.loc[name, measure]
            if not math.isfinite(other):
                parts.append(f"cannot be compared with {name} (no value)")
                continue
            if round(float(model[measure]), 3) == round(float(other), 3):
                word = "ties with"  # equal as printed: no claim either way
            else:
                word = "beats" if model[measure] < other else "does NOT beat"
            parts.append(f"{word} {name} ({other:.3f})")
        years = f"{int(model['first_year'])}-{int(model['last_year'])}"
        lines.append(
            f"Out of sample ({country} {years}), by mean |log10 error| the model ({model[measure]:.3f}; "
            f"CRPS {model['crps_log10']:.3f}) " + ", ".join(parts) + "."
        )
    return lines


def seed_errors(
    simulated: Mapping[str, pd.DataFrame],
    observed: pd.DataFrame,
    years: list[int],
    calibration: tuple[int, int] = CALIBRATION_YEARS,
) -> pd.DataFrame:
    """Each seed's own mean |log10 error| per country and split (for paired comparisons of scenarios).

    Args:
        simulated: As for :func:`skill_table`.
        observed: As for :func:`skill_table`.
        years: The years compared.
        calibration: First and last calibration year, inclusive.

    Returns:
        Indexed by seed, one column per ``(country, split)`` with observed years.

    """
    cols = {}
    for country in observed.columns:
        if country not in simulated:
            continue
        obs = observed[country]
        for split in SPLITS:
            have = [y for y in years if split_of(y, calibration) == split and not math.isnan(obs.get(y, math.nan))]
            if have:
                err = np.abs(log10p1(simulated[country][have]) - log10p1(obs[have].to_numpy()))
                cols[(country, split)] = pd.Series(err.mean(axis=1), index=simulated[country].index)
    return pd.DataFrame(cols)


def paired_comparison(
    base: Mapping[str, pd.DataFrame],
    other: Mapping[str, pd.DataFrame],
    observed: pd.DataFrame,
    years: list[int],
    calibration: tuple[int, int] = CALIBRATION_YEARS,
) -> pd.DataFrame:
    """The model's skill under two scenarios run with the same seeds, side by side.

    Args:
        base: Per country, deaths/year by seed (rows) and year (columns) of the reference scenario.
        other: The same for the other scenario, with the same seeds.
        observed: As for :func:`skill_table`.
        years: The years compared.
        calibration: First and last calibration year, inclusive.

    Returns:
        One row per country and split: ``n_years``; ``mean_abs_log10_error``, ``crps_log10`` and
        ``coverage_90`` of each (suffixes ``_base`` and ``_other``); over the seeds, ``seeds``,
        ``seeds_base_better`` (seeds whose own mean |log10 error| is lower under the base scenario)
        and ``mean_seed_difference`` (mean over seeds of the other's error minus the base's:
        positive when the base fits better).

    Raises:
        ValueError: If the two were not run with the same seeds.

    """
    rows = []
    model = {}
    for label, sims in (("base", base), ("other", other)):
        table = skill_table(sims, observed, years, calibration)
        model[label] = table[table["forecast"] == "model"].set_index(["country", "split"])
    errors = {"base": seed_errors(base, observed, years, calibration)}
    errors["other"] = seed_errors(other, observed, years, calibration)
    if not errors["base"].index.equals(errors["other"].index):
        raise ValueError("a paired comparison needs the same seeds in both scenarios")
    for key in model["base"].index:
        row: dict = {"country": key[0], "split": key[1], "n_years": int(model["base"].at[key, "n_years"])}
        for stat in ("mean_abs_log10_error", "crps_log10", "coverage_90"):
            row[f"{stat}_base"] = float(model["base"].at[key, stat])
            row[f"{stat}_other"] = float(model["other"].at[key, stat])
        a, b = errors["base"][key], errors["other"][key]
        row["seeds"] = len(a)
        row["seeds_base_better"] = int((a < b).sum())
        row["mean_seed_difference"] = float((b - a).mean())
        rows.append(row)
    return pd.DataFrame(rows)
