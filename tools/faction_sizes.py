"""Armed groups' sizes in the historical run against the sourced estimates (a check, not a target).

The reference facts give JNIM about 5,000-6,000 fighters (UN monitoring team, July 2024) and IS Sahel
about 2,000-3,000 (Africa Center for Strategic Studies, 2025). The historical scenario starts every
group small (docs/ODD.md, "The historical scenario's armed groups") and these sizes are not
calibration targets (the calibration uses 2012-2019 only), so whether the model's groups reach them
is an independent check of the growth rules. JNIM is counted as an organisation: its fighters with
those of the wings that are ``part_of`` it on the date (Katiba Macina from 2 March 2017).

For seeds 1..N of ``historical.yaml`` or another shipped scenario (``--scenario cold_start_2022``:
does a run started at the sourced sizes keep them?), optionally with one posterior set per seed (drawn as
``run --posterior`` draws it), prints each group's fighters on 1 January of the years asked and, for the
two sourced dates, the median [5 %, 95 %] over seeds next to the estimate.

Usage (from the repository root)::

    PYTHONPATH=src python tools/faction_sizes.py --seeds 20 --jobs 2 \
        [--posterior calibrated] [--scenario cold_start_2022]
"""

from __future__ import annotations

import argparse
import datetime as dt
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from sahel_sim.model.agents.base import strengths
from sahel_sim.model.agents.insurgents import faction_indices
from sahel_sim.model.blockades import organisation_heads
from sahel_sim.model.sahel_model import SahelModel
from sahel_sim.scenario.loading import load_scenario, with_overrides
from sahel_sim.scenario.posterior import open_posterior

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

#: (organisation, date, low, high, source) from the reference facts.
ESTIMATES = (
    ("JNIM", dt.date(2024, 7, 1), 5000, 6000, "UN monitoring team, July 2024"),
    ("IS Sahel", dt.date(2025, 7, 1), 2000, 3000, "ACSS 2025"),
)


def sizes(args: tuple[str, int, str | None, tuple[dt.date, ...]]) -> dict[tuple[str, dt.date], float]:
    """One seed's fighters per organisation on each date (wings counted with their organisation)."""
    name, seed, posterior, dates = args
    end = max(dates) + dt.timedelta(weeks=1)  # the last week steps past the last date
    scenario = with_overrides(load_scenario(SCENARIOS / f"{name}.yaml"), [("end", end)], label="faction sizes")
    if posterior is not None:
        scenario, _ = open_posterior(posterior, scenario).apply(scenario, seed)
    model = SahelModel(scenario, seed=seed)
    names = [f.name for f in scenario.factions]
    out: dict[tuple[str, dt.date], float] = {}
    pending = sorted(dates)
    while model.running and pending:
        model.step()
        while pending and model.date >= pending[0]:
            day = pending.pop(0)
            heads = organisation_heads(scenario.factions, day)
            bands = model.bands()
            fighters = np.maximum(strengths(bands), 0.0)  # as the presence phase counts them
            totals = np.bincount(heads[faction_indices(bands)], weights=fighters, minlength=len(names))
            out.update({(names[i], day): float(totals[i]) for i in range(len(names)) if heads[i] == i})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="historical", help="a shipped scenario's name (default historical)")
    parser.add_argument("--seeds", type=int, default=20, help="seeds 1..N (default 20)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--posterior", default=None, help="posterior file, or 'calibrated' (default: the defaults)")
    parser.add_argument("--years", type=int, nargs="*", default=[2013, 2016, 2019, 2022], help="1 January of these")
    args = parser.parse_args()
    start = load_scenario(SCENARIOS / f"{args.scenario}.yaml").start
    years = {dt.date(y, 1, 1) for y in args.years} | {d for _, d, *_ in ESTIMATES}
    dates = tuple(sorted(d for d in years if d > start))
    with Pool(args.jobs) as pool:
        runs = pool.map(sizes, [(args.scenario, seed, args.posterior, dates) for seed in range(1, args.seeds + 1)])
    groups = sorted({name for run in runs for name, _ in run}, key=str.lower)
    print(f"fighters per organisation, {args.scenario}, seeds 1-{args.seeds}, posterior {args.posterior or 'none'}:")
    print("median [5 %, 95 %] over seeds; wings counted with their organisation once part of it")
    print(f"{'date':<12}" + "".join(f"{g:>22}" for g in groups))
    for day in dates:
        cells = []
        for g in groups:
            values = np.array([run.get((g, day), 0.0) for run in runs])
            q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
            cells.append(f"{q50:>8,.0f} [{q05:,.0f}, {q95:,.0f}]")
        print(f"{day.isoformat():<12}" + "".join(f"{c:>22}" for c in cells))
    for name, day, low, high, source in ESTIMATES:
        values = np.array([run.get((name, day), 0.0) for run in runs])
        inside = int(((values >= low / 2) & (values <= high * 2)).sum())
        print(
            f"{name} on {day}: median {np.median(values):,.0f} against {low:,}-{high:,} ({source}); "
            f"within a factor of 2 of that range in {inside} of {len(values)} seeds"
        )


if __name__ == "__main__":
    main()
