"""Garrisons of Gao, Timbuktu, Kidal and Mopti in the historical scenario (issue 16).

For seeds 1..N: was Mali's post abandoned in 2012, when did it first come back, and what share of
2013-2019 was it held? ``off`` gives the retaking contest no support (the rule before issue 16).

Usage: PYTHONPATH=src python tools/garrisons_study.py SEEDS [off]
"""

import sys

import pandas as pd

import sahel_sim.model.phases.schedule as sch
from sahel_sim.runs.runner import simulate
from sahel_sim.scenario.loading import load_scenario

if len(sys.argv) > 2 and sys.argv[2] == "off":
    sch._support = lambda model, country, xy: 0.0
sc = load_scenario("scenarios/historical.yaml")
towns = ["Gao", "Timbuktu", "Kidal", "Mopti"]
rows = []
for seed in range(1, int(sys.argv[1]) + 1):
    ev = simulate(sc, seed=seed).events
    ev = ev[ev.kind.isin(["post_abandoned", "post_reoccupied"]) & ev.actor.astype(str).eq("ML army")]
    for t in towns:
        e = ev[ev.target == t].sort_values("date")
        ab12 = e[(e.kind == "post_abandoned") & (e.date.dt.year == 2012)]
        back = None
        if len(ab12):
            later = e[(e.kind == "post_reoccupied") & (e.date > ab12.date.iloc[0])]
            back = later.date.iloc[0].date() if len(later) else None
        # weeks held 2013-2019: active unless abandoned; reconstruct state from events
        state, held, last = True, 0.0, pd.Timestamp("2012-01-01")
        for _, r in e.iterrows():
            lo, hi = max(last, pd.Timestamp("2013-01-01")), min(r.date, pd.Timestamp("2020-01-01"))
            if state and hi > lo:
                held += (hi - lo).days
            state, last = r.kind == "post_reoccupied", r.date
        lo = max(last, pd.Timestamp("2013-01-01"))
        if state and pd.Timestamp("2020-01-01") > lo:
            held += (pd.Timestamp("2020-01-01") - lo).days
        rows.append(dict(seed=seed, town=t, abandoned_2012=len(ab12) > 0, back=back, held_2013_2019=held / 2556))
df = pd.DataFrame(rows)
for t in towns:
    d = df[df.town == t]
    backs = d[d.abandoned_2012].back
    print(
        f"{t}: abandoned in 2012 in {d.abandoned_2012.sum()}/{len(d)} seeds; back by end 2013 in "
        f"{sum(1 for b in backs if b is not None and b.year <= 2013)}; ever back {backs.notna().sum()}; "
        f"first returns {sorted(str(b) for b in backs if b is not None)[:5]}; "
        f"share of 2013-2019 held: median {d.held_2013_2019.median():.2f}"
    )
