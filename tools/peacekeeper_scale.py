"""Peacekeepers' scale (issue 14, item 4): their fatalities per year and Burkina Faso's dependence on them.

    python -m sahel_sim compare scenarios/historical.yaml scenarios/minusma_stays.yaml \\
        tools/scenarios/no_minusma.yaml --seeds 20 --workers 1 --out results/compare/pk_scale
    python tools/peacekeeper_scale.py results/compare/pk_scale

Reads the comparison folder's stored weekly tables and prints (1) peacekeepers killed per calendar
year in the reference (``historical``) runs, median and 5-95 % over seeds, against MINUSMA's
sourced counts (FACTS.md: 21 in 2017, 19 in 2021, 14 in 2022, 146 in hostile acts from July 2013 to
31 October 2021); (2) each alternative's paired effect on the deaths in Burkina Faso and Mali over
three windows, with the compare command's bootstrap interval (95 %).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from sahel_sim.analysis.compare.stats import paired_effect
from sahel_sim.analysis.hindcast.series import yearly_deaths

#: MINUSMA peacekeepers killed in deliberate attacks, by year (FACTS.md, "MINUSMA over time").
SOURCED = {2017: 21, 2021: 19, 2022: 14}
#: 146 killed in hostile acts from 1 July 2013 to 31 October 2021 (8 1/3 years).
AVERAGE_YEARS = 8 + 4 / 12
AVERAGE = 146 / AVERAGE_YEARS
WINDOWS = ((2014, 2019), (2020, 2022), (2024, 2025))


def load(folder: Path) -> dict[tuple[str, int], dict[str, pd.Series]]:
    """Yearly series of every finished run: peacekeepers killed (all areas), deaths in BF and ML."""
    runs = pd.concat([pd.read_parquet(f) for f in sorted((folder / "runs").glob("*.parquet"))])
    out = {}
    for row in runs[runs["status"] == "ok"].itertuples():
        weekly = pd.read_parquet(folder / "timeseries" / f"{row.run_id}.parquet")
        out[(row.scenario, int(row.replicate))] = {
            "pk": yearly_deaths(weekly, "ALL", "fatalities_peacekeeper"),
            "BF": yearly_deaths(weekly, "BF", "fatalities_total"),
            "ML": yearly_deaths(weekly, "ML", "fatalities_total"),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a compare folder whose reference is the historical scenario")
    parser.add_argument("--reference", default="historical", help="label of the reference scenario")
    args = parser.parse_args()
    data = load(args.folder)
    ref = args.reference
    reps = sorted(r for s, r in data if s == ref)
    pk = pd.DataFrame({r: data[(ref, r)]["pk"] for r in reps}).T
    print(f"{len(reps)} seeds; peacekeepers killed per year in {ref} (all areas):")
    table = pk.quantile([0.05, 0.5, 0.95]).T.rename(columns={0.05: "q05", 0.5: "median", 0.95: "q95"})
    print(table.loc[2012:2025].round(1).to_string())
    # July 2013 to October 2021: half of 2013, 2014-2020, ten twelfths of 2021
    span = pk[2013] * 0.5 + pk.loc[:, 2014:2020].sum(axis=1) + pk[2021] * (10 / 12)
    rate = span / AVERAGE_YEARS
    print(
        f"Jul 2013-Oct 2021 per year: median {rate.median():.1f} [{rate.quantile(0.05):.1f}, "
        f"{rate.quantile(0.95):.1f}], sourced {AVERAGE:.1f}, ratio {rate.median() / AVERAGE:.2f}"
    )
    for year, count in SOURCED.items():
        col = pk[year]
        print(
            f"{year}: median {col.median():.1f} [{col.quantile(0.05):.1f}, {col.quantile(0.95):.1f}], "
            f"sourced {count}, ratio {col.median() / count:.2f}"
        )
    for alt in sorted({s for s, _ in data} - {ref}):
        pairs = [r for r in reps if (alt, r) in data]
        for area in ("BF", "ML"):
            for first, last in WINDOWS:
                a = np.array([data[(ref, r)][area].loc[first:last].sum() for r in pairs])
                b = np.array([data[(alt, r)][area].loc[first:last].sum() for r in pairs])
                e = paired_effect(a, b)
                print(
                    f"{alt} - {ref}, {area} deaths {first}-{last}: {ref} {e['reference_mean']:.0f}, "
                    f"difference {e['difference']:+.0f} [{e['ci_low']:+.0f}, {e['ci_high']:+.0f}], "
                    f"{e['relative_change']:+.1%} [{e['relative_ci_low']:+.1%}, {e['relative_ci_high']:+.1%}]"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
