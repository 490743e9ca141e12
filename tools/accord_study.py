"""The separatists' accord over paired seeds: historical (MINUSMA withdraws in 2023) against minusma_stays.

For seeds 1..N (default parameters, history shared to June 2023 as in ``compare``), prints each
seed's collapse date and reason under both scenarios, then how many seeds still had the accord on
2023-06-09 and, of those, in how many it collapsed by the end of 2024 under each (docs/ODD.md,
pattern 7; the pattern test reads the same runs through ``tests/test_patterns.py``).

Usage (from the repository root)::

    PYTHONPATH=src python tools/accord_study.py --seeds 20 --jobs 2
"""

from __future__ import annotations

import argparse
import datetime as dt
from multiprocessing import Pool
from pathlib import Path

from sahel_sim.runs.family import simulate_family
from sahel_sim.scenario.loading import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
DRAWDOWN, END = dt.date(2023, 6, 9), dt.date(2024, 12, 31)


def _accord(model, scenario, seed, wall_seconds) -> tuple[dt.date | None, str]:
    accord = model.accords[0]
    return accord.collapsed_on, accord.reason


def paired(seed: int) -> tuple[int, tuple, tuple]:
    """One seed's accord fate under the real withdrawal and with MINUSMA staying."""
    historical = load_scenario(SCENARIOS / "historical.yaml")
    stays = load_scenario(SCENARIOS / "minusma_stays.yaml")
    withdrawal, staying = (m.output for m in simulate_family(historical, seed, [("stays", stays)], extract=_accord))
    return seed, withdrawal, staying


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    with Pool(args.jobs) as pool:
        rows = pool.map(paired, range(1, args.seeds + 1))
    for seed, (w_date, w_reason), (s_date, _) in rows:
        print(f"seed {seed}: withdrawal {w_date} ({w_reason[:70]}); stays {s_date}")
    standing = [r for r in rows if r[1][0] is None or r[1][0] >= DRAWDOWN]
    ended = sorted(r[1][0] for r in standing if r[1][0] is not None and r[1][0] <= END)
    ended_staying = [r for r in standing if r[2][0] is not None and r[2][0] <= END]
    print(
        f"standing on {DRAWDOWN}: {len(standing)} of {len(rows)}; collapsed by {END}: {len(ended)} with the "
        f"withdrawal, {len(ended_staying)} if MINUSMA stays; dates {[str(d) for d in ended]}"
    )


if __name__ == "__main__":
    main()
