"""Blockades over paired seeds: historical (MINUSMA withdraws in 2023) against minusma_stays.

Reports, over seeds 1..N of both scenarios (the same seeds, so runs are paired), for 2023-01-01 to
2025-12-31: the share of seeds in which any town in Mali is under blockade, in which the Timbuktu
area (the key towns Timbuktu and Ber; the scenario's Timbuktu bases fall in Ber's cell at 0.5°) is,
and in which a blockade in Mali starts, each with its 95 % Wilson interval; and the mean town-weeks
of blockade in Mali (docs/ODD.md, "Blockades").

With ``--strengths``, instead: Malian town-weeks of blockade in the tiny world pattern 6 once used
(one group at Mopti, no mission) for armed groups of 1,000, 3,000 and 6,000
fighters over seeds 1-8.

Usage (from the repository root)::

    PYTHONPATH=src python tools/blockades_study.py --seeds 20 [--jobs 2] [--out blockades.json]
    PYTHONPATH=src python tools/blockades_study.py --strengths
"""

from __future__ import annotations

import argparse
import json
import statistics
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("historical", "minusma_stays")
START, END = "2023-01-01", "2025-12-31"
TIMBUKTU_AREA = ("Timbuktu", "Ber")
WORDS = {"any": "any town blockaded", "timbuktu": "Timbuktu or Ber", "new": "a blockade starts"}


def _one(job: tuple[str, int]) -> tuple[str, int, dict]:
    from sahel_sim.runs.runner import simulate
    from sahel_sim.scenario.loading import load_scenario

    name, seed = job
    out = simulate(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), seed=seed)
    ts = out.timeseries
    window = ts[(ts["area"] == "ML") & (ts["date"] >= START) & (ts["date"] <= END)]
    spells = [s for s in out.summary["blockades"] if s["area"] == "ML" and s["start"] <= END and s["end"] >= START]
    return (
        name,
        seed,
        {
            "any": bool(spells),
            "timbuktu": any(s["town"] in TIMBUKTU_AREA for s in spells),
            "new": any(START <= s["start"] <= END for s in spells),
            "town_weeks": float(window["blockaded_towns"].sum()),
            "towns": sorted({s["town"] for s in spells}),
        },
    )


def strengths() -> None:
    """Print town-weeks of blockade in Mali by armed-group strength in the tiny world pattern 6 once used."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from worlds import MOPTI, faction, run, sahel_armies, scenario

    for strength in (1000, 3000, 6000):
        weeks = []
        for seed in range(1, 9):
            sc = scenario(
                weeks=52,
                states=sahel_armies(),
                mechanisms={"insurgency": {"mobilisation_cap": 0.03}},
                factions=[faction(strength=strength, at=MOPTI)],
            )
            ts = run(sc, seed=seed).metrics.frame()
            weeks.append(float(ts.loc[ts["area"] == "ML", "blockaded_towns"].sum()))
        print(f"{strength} fighters: mean {statistics.fmean(weeks):.1f} town-weeks, per seed {weeks}")


def main(argv: list[str] | None = None) -> int:
    """Run the study and print the table."""
    from sahel_sim.analysis.posts import wilson_interval

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--strengths", action="store_true", help="town-weeks by group strength (old tiny world)")
    args = ap.parse_args(argv)
    if args.strengths:
        strengths()
        return 0
    jobs = [(name, seed) for name in SCENARIOS for seed in range(1, args.seeds + 1)]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(_one, jobs))
    table: dict[str, dict] = {}
    for name in SCENARIOS:
        rows = [r for n, _, r in results if n == name]
        entry: dict = {"seeds": len(rows)}
        for key in ("any", "timbuktu", "new"):
            k = sum(r[key] for r in rows)
            lo, hi = wilson_interval(k, len(rows))
            entry[key] = {"seeds": k, "share": k / len(rows), "wilson95": [round(lo, 3), round(hi, 3)]}
        weeks = [r["town_weeks"] for r in rows]
        entry["town_weeks_mean"] = statistics.fmean(weeks)
        entry["town_weeks_per_seed"] = weeks
        entry["towns"] = {seed: r["towns"] for n, seed, r in results if n == name}
        table[name] = entry
        print(f"{name}: {len(rows)} seeds, {START}..{END}, Mali")
        for key, words in WORDS.items():
            e, (lo, hi) = entry[key], entry[key]["wilson95"]
            print(f"  {words}: {e['seeds']}/{len(rows)} = {e['share']:.2f} [{lo:.2f}, {hi:.2f}]")
        print(f"  town-weeks of blockade: mean {entry['town_weeks_mean']:.1f}, per seed {weeks}")
    if args.out:
        args.out.write_text(json.dumps(table, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
