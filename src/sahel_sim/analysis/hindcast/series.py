"""The observed and simulated yearly death series, and the years a hindcast compares."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from typing import Final

import numpy as np
import pandas as pd

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
#: Calibration (in-sample) years, inclusive: the years parameters may be chosen on (issue 16). Later
#: observed years (Mali 2020-2022) are out of sample, only ever reported.
CALIBRATION_YEARS = (2012, 2019)
#: Mali's area code; its series is :data:`TARGET` of ``mali_violence_2012_2022.csv``.
MALI = "ML"
#: The other countries' series: the same UCDP-based measure, 2012-2019 only.
REGION_FILE = "region_violence_2012_2019.csv"


def observed() -> pd.DataFrame:
    """The packaged observed series: one row per year, deaths/year, with its ``source`` column.

    Returns:
        The table indexed by ``year`` (missing values as NaN).

    """
    return _reference("mali_violence_2012_2022.csv").set_index("year")


def _reference(name: str) -> pd.DataFrame:
    """Read a packaged reference CSV (``sahel_sim/data/reference/NAME``)."""
    with (files("sahel_sim") / "data" / "reference" / name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


def observed_by_country() -> pd.DataFrame:
    """Observed yearly deaths (:data:`TARGET`) of every country with a packaged series.

    Mali's comes from ``mali_violence_2012_2022.csv``; Burkina Faso's, Niger's, Mauritania's and
    Chad's from ``region_violence_2012_2019.csv`` (2012-2019 only).

    Returns:
        Deaths/year, indexed by ``year``, one column per country code (Mali first, then the regional
        file's order); NaN where a country has no value for the year.

    """
    region = _reference(REGION_FILE)
    wide = region.pivot(index="year", columns="country", values=TARGET)
    order = [MALI] + [c for c in dict.fromkeys(region["country"]) if c != MALI]
    wide = pd.concat([observed()[TARGET].rename(MALI), wide], axis=1)
    wide.index.name = "year"
    return wide[order].sort_index().astype(float)


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
