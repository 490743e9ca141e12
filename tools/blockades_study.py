"""Blockades over paired seeds: historical (MINUSMA withdraws in 2023) against minusma_stays.

Reports, over seeds 1..N of both scenarios (the same seeds, so runs are paired), for 2023-01-01 to
2025-12-31: the share of seeds in which any town in Mali is under blockade, in which the Timbuktu
area (the key towns Timbuktu and Ber; the scenario's Timbuktu bases fall in Ber's cell at 0.5°) is,
and in which a blockade in Mali starts, each with its 95 % Wilson interval; and the mean town-weeks
of blockade in Mali (docs/ODD.md, "Blockades").

With ``--rings SEED``, instead: for one historical run, each July of 2023-2025, the mean presence
shares over the ring cells of Timbuktu, Ber, Goundam, Gao, Mopti and Douentza (state, each faction, and
JNIM with its wing Katiba Macina together) and the armed groups' fighters in Mali; with
``--posterior`` the run draws its parameters from the shipped posterior (as ``--posterior calibrated``).

With ``--strengths``, instead: Malian town-weeks of blockade in the tiny world pattern 6 once used
(one group at Mopti, no mission) for armed groups of 1,000, 3,000 and 6,000
fighters over seeds 1-8.

Usage (from the repository root)::

    PYTHONPATH=src python tools/blockades_study.py --seeds 20 [--jobs 2] [--out blockades.json]
    PYTHONPATH=src python tools/blockades_study.py --strengths
    PYTHONPATH=src python tools/blockades_study.py --rings 3 [--posterior]
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
RING_TOWNS = ("Timbuktu", "Ber", "Goundam", "Gao", "Mopti", "Douentza")
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


def rings(seed: int, posterior: bool) -> None:
    """Print ring presence shares around the Timbuktu-area and central towns, and fighters in Mali."""
    import numpy as np

    from sahel_sim.model import fields as F
    from sahel_sim.model.sahel_model import SahelModel
    from sahel_sim.scenario.loading import load_scenario

    sc = load_scenario(ROOT / "scenarios" / "historical.yaml")
    if posterior:
        from sahel_sim.scenario.posterior import load_posterior, shipped_posterior

        sc, _ = load_posterior(shipped_posterior()).apply(sc, seed)
    model = SahelModel(sc, seed=seed)
    names = [f.name for f in model.config.factions]
    wings = [names.index("JNIM"), names.index("Katiba Macina")]
    r = max(1, F.km_to_cells(model.params.blockades.ring_radius_km, model.resolution))
    towns = {n: xy for xy, n in zip(model.blockades.towns, model.blockades.names, strict=True) if n in RING_TOWNS}
    mali = model.geo.country_index("ML")
    while model.running:
        model.step()
        if model.date.year < 2023 or model.date.month != 7 or model.date.day > 7:
            continue
        fighters: dict[str, float] = {}
        for b in model.bands():
            if model.geo.country[b.xy] == mali:
                fighters[b.faction.name] = fighters.get(b.faction.name, 0.0) + b.strength
        print(model.date, "fighters in Mali:", {k: round(v) for k, v in sorted(fighters.items())})
        for name, (x, y) in towns.items():
            window = (slice(max(0, x - r), x + r + 1), slice(max(0, y - r), y + r + 1))
            ring = model.land[window].copy()
            ring[x - window[0].start, y - window[1].start] = False
            mean = {n: float(model.faction_share[f][window][ring].mean()) for f, n in enumerate(names)}
            both = float(sum(model.faction_share[f][window][ring] for f in wings).mean())
            held = float((sum(model.faction_share[f][window][ring] for f in wings) >= 0.6).mean())
            shown = " ".join(f"{n} {v:.2f}" for n, v in mean.items() if v >= 0.01)
            print(
                f"  {name:9s} state {model.state_share[window][ring].mean():.2f} {shown}; "
                f"JNIM+Katiba Macina {both:.2f}, ring cells they hold together {held:.2f} ({np.sum(ring)} cells)"
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
    ap.add_argument("--rings", type=int, metavar="SEED", help="ring presence shares in one historical run")
    ap.add_argument("--posterior", action="store_true", help="with --rings: parameters from the shipped posterior")
    args = ap.parse_args(argv)
    if args.rings is not None:
        rings(args.rings, args.posterior)
        return 0
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
