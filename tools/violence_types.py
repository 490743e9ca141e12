"""Mali's deaths by type of violence in the historical run, beside UCDP's split (a diagnosis, not a target).

UCDP's "all organised violence" (the hindcast's target) is the sum of state-based conflict, non-state
conflict (armed groups against each other, communal militias included) and one-sided violence
(against civilians). The reference file ``mali_violence_2012_2022.csv`` gives the first and the sum,
so their difference is the non-state and one-sided deaths. The model's events fall into the same
three kinds: state-based = engagements by the army and its partners (with their civilian
collateral, as UCDP counts deaths in battle), armed groups' attacks on the army or peacekeepers,
and mines; non-state = clashes between armed groups; one-sided = armed groups' attacks on civilians
or diplomatic posts.

For seeds 1..N of ``historical.yaml`` (optionally one posterior set per seed, as ``run --posterior``
draws it), prints per year the observed split and the model's median [5 %, 95 %] of each kind.

Usage (from the repository root)::

    PYTHONPATH=src python tools/violence_types.py --seeds 20 --jobs 2 [--posterior calibrated]
"""

from __future__ import annotations

import argparse
from multiprocessing import Pool

import numpy as np
import pandas as pd

import sahel_sim as ss
from sahel_sim.analysis.hindcast.series import observed as observed_series

LAST_YEAR = 2022
ONE_SIDED_TARGETS = ("civilians", "diplomatic")


def kind_of(events: pd.DataFrame) -> pd.Series:
    """UCDP's type of violence of each event: state_based, non_state or one_sided."""
    one_sided = (events["kind"] == "attack") & events["target"].isin(ONE_SIDED_TARGETS)
    return pd.Series(
        np.where(events["kind"] == "clash", "non_state", np.where(one_sided, "one_sided", "state_based")),
        index=events.index,
    )


def deaths_by_kind(args: tuple[int, str | None]) -> pd.DataFrame:
    """One seed's deaths in Mali per year (rows) and type of violence (columns)."""
    seed, posterior = args
    run = ss.run("historical", seed=seed, until=f"{LAST_YEAR}-12-31", posterior=posterior)
    events = run.events[(run.events["area"] == "ML") & (run.events["fatalities"] > 0)]
    years = pd.to_datetime(events["date"]).dt.year
    table = events.groupby([years, kind_of(events)])["fatalities"].sum().unstack(fill_value=0)
    table = table.reindex(index=range(2012, LAST_YEAR + 1), columns=["state_based", "non_state", "one_sided"])
    return table.fillna(0).assign(seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--posterior", default=None, help="'calibrated' or a posterior.parquet")
    args = parser.parse_args()
    tasks = [(seed, args.posterior) for seed in range(1, args.seeds + 1)]
    if args.jobs > 1:
        with Pool(args.jobs) as pool:
            tables = pool.map(deaths_by_kind, tasks)
    else:
        tables = [deaths_by_kind(t) for t in tasks]
    runs = pd.concat(tables).rename_axis("year").reset_index()
    runs["other"] = runs["non_state"] + runs["one_sided"]
    observed = observed_series()
    rows = []
    for year, group in runs.groupby("year"):
        row = {
            "year": year,
            "ucdp_state_based": observed.loc[year, "ucdp_state_based_battle_deaths"],
            "ucdp_other": observed.loc[year, "ucdp_all_organised_violence_deaths"]
            - observed.loc[year, "ucdp_state_based_battle_deaths"],
        }
        for kind in ("state_based", "non_state", "one_sided", "other"):
            q = group[kind].quantile([0.05, 0.5, 0.95]).round().astype(int).tolist()
            row[f"model_{kind}"] = f"{q[1]} [{q[0]}, {q[2]}]"
        rows.append(row)
    label = f"posterior {args.posterior}" if args.posterior else "default parameters"
    print(f"Mali, deaths per year by type of violence: UCDP and the model ({args.seeds} seeds, {label})")
    print(pd.DataFrame(rows).to_string(index=False))
    runs["all"] = runs["state_based"] + runs["other"]
    medians = runs.groupby("year")[["state_based", "all"]].median()
    record = pd.DataFrame(
        {
            "state_based": observed["ucdp_state_based_battle_deaths"],
            "all": observed["ucdp_all_organised_violence_deaths"],
        }
    )
    print("mean |log10 error| of the median, log10(deaths + 1):")
    for name, years in (("2012-2019", range(2012, 2020)), ("2020-2022", range(2020, LAST_YEAR + 1))):
        errors = {
            column: float(
                np.mean(
                    np.abs(
                        np.log10(medians.loc[list(years), column] + 1) - np.log10(record.loc[list(years), column] + 1)
                    )
                )
            )
            for column in ("state_based", "all")
        }
        print(
            f"  {name}: state-based against UCDP state-based {errors['state_based']:.3f}; "
            f"all against all {errors['all']:.3f}"
        )


if __name__ == "__main__":
    main()
