"""How the closing camps were handed over (issue 14): the first decision per camp, per scenario.

For seeds 1..N of each scenario (each run to the end of 2024, optionally with the shipped posterior
drawn by the seed as ``--posterior calibrated`` does), counts the outcome of every camp's handover
(``camp_closures`` in the run's summary: army, armed_group, contested, vacuum), over all camps and
for Kidal, Tessalit and Aguelhok, and writes the rows to ``--out`` (CSV).

Usage (from the repository root)::

    PYTHONPATH=src python tools/handover_outcomes.py --seeds 50 --jobs 2 --posterior \\
        historical withdrawal_gradual_2y
"""

from __future__ import annotations

import argparse
import datetime as dt
from multiprocessing import Pool
from pathlib import Path

import pandas as pd

from sahel_sim.runs.runner import simulate
from sahel_sim.scenario.loading import load_scenario
from sahel_sim.scenario.posterior import CALIBRATED, open_posterior

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
END = dt.date(2024, 12, 31)
NORTH = ["Kidal", "Tessalit", "Aguelhok"]


def closures(job: tuple[str, int, bool]) -> list[dict]:
    """One run's camp handovers: scenario, seed, camp and outcome per closed camp."""
    name, seed, posterior = job
    scenario = load_scenario(SCENARIOS / f"{name}.yaml").model_copy(update={"end": END})
    if posterior:
        scenario, _ = open_posterior(CALIBRATED).apply(scenario, seed)
    summary = simulate(scenario, seed=seed).summary
    rows = summary["camp_closures"]
    return [{"scenario": name, "seed": seed, "camp": c["camp"], "outcome": c["outcome"]} for c in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="+", help="scenario names in scenarios/ (without .yaml)")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--posterior", action="store_true", help="draw a set of the shipped posterior per seed")
    parser.add_argument("--out", default="handover_outcomes.csv")
    args = parser.parse_args()
    jobs = [(name, seed, args.posterior) for seed in range(1, args.seeds + 1) for name in args.scenarios]
    with Pool(args.jobs) as pool:
        rows = [row for run in pool.imap_unordered(closures, jobs) for row in run]
    frame = pd.DataFrame(rows).sort_values(["scenario", "seed", "camp"])
    frame.to_csv(args.out, index=False)
    print(frame.groupby(["scenario", "outcome"]).size().unstack(fill_value=0))
    north = frame[frame["camp"].isin(NORTH)]
    print(north.groupby(["camp", "scenario", "outcome"]).size().unstack(fill_value=0))


if __name__ == "__main__":
    main()
