"""Internally displaced people in the model against every registered point (issue 16).

For seeds 1..N of a scenario, the weekly ``displaced_internal`` of Mali and Burkina Faso on the week
nearest each point of ``displacement_points.csv`` within the run: the median over seeds, its ratio
to the registered count, and whether the median is within a factor of 2.

Usage: PYTHONPATH=src python tools/displacement_study.py SCENARIO SEEDS [dotted.path=value ...]
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from sahel_sim.model.displaced_start import registered_points
from sahel_sim.runs.runner import simulate
from sahel_sim.scenario.loading import load_scenario

AREA = {"ML": "ML", "BF": "BF"}


def main(path: str, seeds: int, overrides: list[str]) -> None:
    """Print one row per registered point within the run's dates."""
    sc = load_scenario(path, overrides)
    series = []
    for seed in range(1, seeds + 1):
        ts = simulate(sc, seed=seed, events=False).timeseries
        series.append(ts)
    rows = []
    for code, points in registered_points().items():
        for date, registered in points:
            day = pd.Timestamp(date)
            values = []
            for ts in series:
                sub = ts[ts["area"] == AREA[code]]
                dates = pd.to_datetime(sub["date"])
                if not (dates.min() <= day <= dates.max()):
                    continue
                values.append(float(sub["displaced_internal"].iloc[int(np.argmin(abs(dates - day)))]))
            if values:
                median = float(np.median(values))
                ratio = median / registered
                rows.append((code, date, registered, median, np.quantile(values, 0.1), np.quantile(values, 0.9), ratio))
    frame = pd.DataFrame(rows, columns=["country", "date", "registered", "median", "q10", "q90", "ratio"])
    frame["within_2x"] = frame["ratio"].between(0.5, 2.0)
    pd.set_option("display.width", 160)
    print(frame.round({"median": 0, "q10": 0, "q90": 0, "ratio": 2}).to_string(index=False))
    print(f"within a factor of 2: {int(frame.within_2x.sum())} of {len(frame)} points")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
