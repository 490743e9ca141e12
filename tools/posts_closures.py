"""Closures of diplomatic posts over paired seeds: historical (MINUSMA withdraws) against minusma_stays.

Reports, over seeds 1..N of both scenarios (the same seeds, so runs are paired):
- the number of post closures before 2022 in the historical scenario, per seed and its median;
- each Bamako post's probability of closing between 30 June 2023 (resolution 2690) and 31 December
  2024, with and without the withdrawal, with 95 % Wilson intervals, and the paired counts.

Usage (from the repository root)::

    PYTHONPATH=src python tools/posts_closures.py --seeds 12 [--jobs 2] [--out closures.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("historical", "minusma_stays")
START, END = "2023-06-30", "2024-12-31"


def _one(job: tuple[str, int]) -> tuple[str, int, dict]:
    from sahel_sim.runs.runner import simulate
    from sahel_sim.scenario.loading import load_scenario

    name, seed = job
    out = simulate(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), seed=seed)
    return name, seed, out.summary


def main(argv: list[str] | None = None) -> int:
    """Run the study and print the tables."""
    from sahel_sim.analysis.posts import closes_between, closure_probability_until, closures_before

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=12, help="seeds 1..N (default 12)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--out", type=Path, help="also write the numbers as JSON here")
    args = ap.parse_args(argv)
    jobs = [(name, seed) for seed in range(1, args.seeds + 1) for name in SCENARIOS]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(_one, jobs))
    runs = {name: {seed: s for n, seed, s in results if n == name} for name in SCENARIOS}
    seeds = sorted(runs["historical"])

    before = [closures_before(runs["historical"][s], "2022-01-01") for s in seeds]
    print(f"historical, closures before 2022 by seed {seeds[0]}..{seeds[-1]}: {before}")
    print(f"median {statistics.median(before)}, mean {statistics.mean(before):.2f}")
    for s in seeds:
        for name, points in runs["historical"][s]["posts"].items():
            for p in points[1:]:
                if p["status"] == "closed" and p["date"] < "2022-01-01":
                    print(f"  seed {s} {p['date']} {name}: {p['reason']}")

    bamako = [n for n in runs["historical"][seeds[0]]["posts"] if n.endswith(" Bamako")]
    tables = {}
    for name in SCENARIOS:
        t = closure_probability_until([runs[name][s] for s in seeds], START, END, posts=bamako)
        tables[name] = t.set_index("post")
    print(f"\nBamako posts: probability of closing after {START} and by {END} (95 % Wilson interval)")
    print(f"{'post':45s} {'historical (withdrawal)':>26s} {'minusma_stays':>26s}  paired: only-hist only-stays")
    for post in bamako:
        cells = []
        for name in SCENARIOS:
            r = tables[name].loc[post]
            cells.append(f"{r['closed']}/{r['at_risk']} {r['probability']:.2f} [{r['low']:.2f},{r['high']:.2f}]")
        paired = [
            (
                closes_between(runs["historical"][s]["posts"][post], *_dates()),
                closes_between(runs["minusma_stays"][s]["posts"][post], *_dates()),
            )
            for s in seeds
        ]
        only_h = sum(1 for h, m in paired if h and not m)
        only_m = sum(1 for h, m in paired if m and not h)
        print(f"{post:45s} {cells[0]:>26s} {cells[1]:>26s}  {only_h:>9d} {only_m:>10d}")
    if args.out:
        data = {
            "seeds": seeds,
            "closures_before_2022": before,
            "bamako": {name: tables[name].reset_index().to_dict("records") for name in SCENARIOS},
        }
        args.out.write_text(json.dumps(data, indent=1, default=str))
    return 0


def _dates():
    import datetime as dt

    return dt.date.fromisoformat(START), dt.date.fromisoformat(END)


if __name__ == "__main__":
    sys.exit(main())
