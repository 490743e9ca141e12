"""Burkina Faso's violence in the historical scenario: yearly deaths and where they happen.

Runs ``scenarios/historical.yaml`` to the end of 2019 for seeds 1..N and reports, per year 2012-2019,
the median and 10-90 % range over seeds of the deaths located in Burkina Faso (the event log's
``area``) beside the reference series (``data/reference/region_violence_2012_2019.csv``); the share
of Burkina Faso's 2012-2019 deaths within ``--radius-km`` of Ouagadougou (Centre region, which stayed
almost untouched; FACTS.md); and the share north of 13 N or east of 0 E, a rough stand-in for the
Sahel, Nord, Centre-Nord and Est regions where the violence was (the geography has no admin
boundaries).

Usage (from the repository root)::

    PYTHONPATH=src python tools/bf_violence.py --seeds 10 [--jobs 1] [--radius-km 100] [--set PATH=VALUE ...]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "src" / "sahel_sim" / "data" / "reference" / "region_violence_2012_2019.csv"
OUAGADOUGOU = (12.37, -1.53)  # lat, lon
NORTH_LAT, EAST_LON = 13.0, 0.0


def _one(job: tuple[int, float, tuple[str, ...]]) -> dict:
    import datetime as dt

    from sahel_sim.model.world import great_circle_km
    from sahel_sim.runs.runner import simulate
    from sahel_sim.scenario.loading import load_scenario, with_overrides
    from sahel_sim.scenario.overrides import parse_override

    seed, radius, sets = job
    scenario = load_scenario(ROOT / "scenarios" / "historical.yaml")
    pairs = [parse_override(s) for s in sets] + [("end", dt.date(2019, 12, 31))]
    scenario = with_overrides(scenario, pairs, label="--set")
    log = simulate(scenario, seed=seed).events
    bf = log[(log["area"] == "BF") & (log["fatalities"] > 0)] if len(log) else log
    if not len(bf):
        return {"seed": seed, "years": {}, "total": 0, "near": 0, "north_east": 0}
    years = bf.groupby(bf["date"].map(lambda d: d.year))["fatalities"].sum().to_dict()
    near = [great_circle_km(a, b, *OUAGADOUGOU) <= radius for a, b in zip(bf["lat"], bf["lon"], strict=True)]
    north_east = (bf["lat"] >= NORTH_LAT) | (bf["lon"] >= EAST_LON)
    return {
        "seed": seed,
        "years": years,
        "total": int(bf["fatalities"].sum()),
        "near": int(bf[near]["fatalities"].sum()),
        "north_east": int(bf[north_east]["fatalities"].sum()),
    }


def _reference() -> dict[int, int]:
    with REFERENCE.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["country"] == "BF"]
    return {int(r["year"]): int(r["ucdp_all_organised_violence_deaths"]) for r in rows}


def main(argv: list[str] | None = None) -> int:
    """Run the study and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10, help="seeds 1..N (default 10)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--radius-km", type=float, default=100.0, help="radius around Ouagadougou (default 100 km)")
    ap.add_argument("--set", action="append", default=[], help="scenario override PATH=VALUE (repeatable)")
    args = ap.parse_args(argv)
    jobs = [(s, args.radius_km, tuple(args.set)) for s in range(1, args.seeds + 1)]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(_one, jobs))
    print(f"year  reference  median  q10  q90   (Burkina Faso deaths, seeds 1..{args.seeds})")
    for year, ref in _reference().items():
        vals = sorted(r["years"].get(year, 0) for r in runs)
        q10, q90 = statistics.quantiles(vals, n=10, method="inclusive")[0::8] if len(vals) > 1 else (vals[0], vals[0])
        print(f"{year}  {ref:9d}  {statistics.median(vals):6.0f}  {q10:4.0f}  {q90:4.0f}")
    print(f"per seed total 2012-2019: {[r['total'] for r in runs]}")
    total = sum(r["total"] for r in runs)
    shares = [r["near"] / r["total"] for r in runs if r["total"]]
    median_share = f"{statistics.median(shares):.3f}" if shares else "n/a"
    print(
        f"share within {args.radius_km:.0f} km of Ouagadougou: pooled "
        f"{sum(r['near'] for r in runs) / max(total, 1):.3f}, median over seeds with deaths {median_share}"
    )
    ne = sum(r["north_east"] for r in runs) / max(total, 1)
    print(f"share north of {NORTH_LAT:g} N or east of {EAST_LON:g} E (pooled): {ne:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
