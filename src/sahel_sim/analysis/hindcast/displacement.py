"""Registered internally displaced people against the model's displaced, at each dated point.

The registered counts (``displacement_points.csv``: IOM's Displacement Tracking Matrix for Mali,
CONASUR for Burkina Faso) are stocks on a date. The model's counterpart is ``displaced_internal`` of
the country's area (people displaced within their own country, located in it) on the last simulated
week that starts on or before that date. Registrations are revised (Mali from October 2021, Burkina
Faso in 2022), so a factor of 2 is the tolerance the issue asks for, not a claim of precision.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from sahel_sim.analysis.hindcast.series import CALIBRATION_YEARS
from sahel_sim.model.displaced_start import registered_points as model_points

#: Tolerance: the model's median within this factor of the registered count.
FACTOR = 2.0


def registered_points() -> pd.DataFrame:
    """The registered points (read by :func:`sahel_sim.model.displaced_start.registered_points`).

    Returns:
        Columns ``country``, ``date`` (datetime.date) and ``internally_displaced`` (people), one row
        per point, by country then date.
    """
    rows = [(c, d, n) for c, points in model_points().items() for d, n in points]
    return pd.DataFrame(rows, columns=["country", "date", "internally_displaced"])


def displaced_on(timeseries: pd.DataFrame, area: str, date: dt.date) -> float:
    """The model's ``displaced_internal`` of ``area`` on the last week starting on or before ``date``.

    Returns:
        People; NaN if the run has no week on or before the date.
    """
    rows = timeseries[timeseries["area"] == area]
    dates = pd.to_datetime(rows["date"]).dt.date
    before = rows[dates <= date]
    return float(before["displaced_internal"].iloc[-1]) if len(before) else math.nan


def points_covered(scenario_start: dt.date, scenario_end: dt.date) -> list[tuple[str, dt.date]]:
    """The registered points a run from ``scenario_start`` to ``scenario_end`` covers."""
    points = registered_points()
    return [
        (c, d) for c, d in zip(points["country"], points["date"], strict=True) if scenario_start <= d <= scenario_end
    ]


def displacement_table(per_seed: list[dict[tuple[str, dt.date], float]]) -> pd.DataFrame:
    """One row per covered registered point: the registered count and the model's quantiles over seeds.

    Args:
        per_seed: For each seed, the model's displaced on each covered point (``(country, date)``).

    Returns:
        Columns ``country``, ``date``, ``split`` (in/out of sample by :data:`CALIBRATION_YEARS`),
        ``registered``, ``sim_q05``, ``sim_median``, ``sim_q95``, ``ratio`` (median / registered)
        and ``within_factor_2``; empty if no point is covered.
    """
    columns = ["country", "date", "split", "registered", "sim_q05", "sim_median", "sim_q95", "ratio", "within_factor_2"]
    if not per_seed or not per_seed[0]:
        return pd.DataFrame(columns=columns)
    points = registered_points().set_index(["country", "date"])
    rows = []
    for key in per_seed[0]:
        values = np.array([run[key] for run in per_seed], dtype=float)
        registered = float(points.loc[key, "internally_displaced"])
        median = float(np.nanmedian(values))
        ratio = median / registered if registered else math.nan
        rows.append(
            {
                "country": key[0],
                "date": key[1].isoformat(),
                "split": "in_sample" if key[1].year <= CALIBRATION_YEARS[1] else "out_of_sample",
                "registered": registered,
                "sim_q05": float(np.nanquantile(values, 0.05)),
                "sim_median": median,
                "sim_q95": float(np.nanquantile(values, 0.95)),
                "ratio": ratio,
                "within_factor_2": bool(1 / FACTOR <= ratio <= FACTOR),
            }
        )
    return pd.DataFrame(rows, columns=columns)
