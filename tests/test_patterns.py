"""Pattern tests: published findings the model must reproduce, compared over seeded replicates.

Each test compares distributions over several seeds, never single runs (docs/ODD.md, "Patterns").
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from worlds import BAMAKO, MOPTI, faction, mali_army, mission, run, scenario

SEEDS = range(1, 6)


def _outcomes(sc, metric) -> np.ndarray:
    return np.array([metric(run(sc, seed=s)) for s in SEEDS], dtype=float)


def _civilian_deaths(model) -> float:
    ts = model.metrics.frame()
    return ts.loc[ts["area"] == "ALL", "fatalities_civilian"].sum()


@pytest.mark.xfail(strict=True, reason="not yet reproduced: bands avoid protected areas and strike the most "
                   "exposed people elsewhere within reach, so protection displaces violence instead of reducing it "
                   "(issue 3 left open)")
def test_more_peacekeepers_fewer_civilian_deaths():
    """Hultman, Kathman & Shannon 2013: civilian killings fall as UN troop numbers rise."""
    deaths = {}
    for personnel in (0, 3000, 12000):
        camps = [{"name": "Sevare", **MOPTI}, {"name": "Bamako", **BAMAKO, "weight": 0.2}]
        sc = scenario(weeks=40, peacekeepers=mission(camps, personnel=personnel), states=[mali_army()],
                      factions=[faction(strength=3000, at=MOPTI, civilian_targeting=0.8)])
        deaths[personnel] = _outcomes(sc, _civilian_deaths)
    means = [deaths[p].mean() for p in (0, 3000, 12000)]
    assert means[0] > means[1] > means[2]
    assert np.median(deaths[12000]) < np.min(deaths[0])


def _insurgent_weeks(model) -> float:
    ts = model.metrics.frame()
    return ts.loc[ts["area"] == "ALL", "insurgent_strength"].sum()


@pytest.mark.xfail(strict=True, reason="not yet reproduced: abuse-driven grievance is too weak against the "
                   "mobilisation cap; needs calibration (issues 3 and 4)")
def test_army_accuracy_matters_more_than_effectiveness():
    """Bennett 2008: raising accuracy shortens an insurgency more than raising effectiveness."""
    def world(accuracy, effectiveness):
        return scenario(weeks=78, states=[mali_army(accuracy=accuracy, effectiveness=effectiveness)],
                        factions=[faction(strength=3000, at=MOPTI)])

    base = _outcomes(world(0.3, 0.3), _insurgent_weeks)
    accurate = _outcomes(world(0.9, 0.3), _insurgent_weeks)
    effective = _outcomes(world(0.3, 0.9), _insurgent_weeks)
    assert accurate.mean() < effective.mean() < base.mean()
    assert np.median(accurate) < np.median(effective)


def _peak_month(model) -> float:
    ts = model.metrics.frame()
    series = ts.loc[ts["area"] == "ML", "insurgent_strength"].to_numpy()
    return float(series.max() - series[0])


def test_sudden_small_legitimacy_drop_brings_larger_outburst_than_gradual_large_one():
    """Epstein 2002: a sudden small fall in legitimacy triggers an outburst; a larger gradual one does not."""
    start = dt.date(2020, 3, 1)
    sudden = [{"date": start, "country": "ML", "size": -0.2, "kind": "coup"}]
    gradual = [{"date": start + dt.timedelta(weeks=4 * i), "country": "ML", "size": -0.03, "kind": "other"}
               for i in range(10)]

    def world(shocks):
        sc = scenario(weeks=52, states=[{**mali_army(), "legitimacy": 0.7}], shocks=shocks,
                      factions=[faction(strength=800, at=MOPTI)])
        return sc

    burst = _outcomes(world(sudden), _peak_month)
    slow = _outcomes(world(gradual), _peak_month)
    assert burst.mean() > slow.mean()
    assert np.median(burst) > np.median(slow)


def _first_closure_week(model) -> float:
    events = model.log.to_frame()
    closed = events[(events["kind"] == "post_status") & events["detail"].str.contains("-> closed")]
    if closed.empty:
        return float(model.config.weeks + 1)
    return float((closed["date"].iloc[0].date() - model.config.start).days // 7)


def test_posts_close_earlier_without_peacekeepers():
    """Norway 2023: posts close sooner when no peacekeeping mission stands in the host country."""
    post = {"name": "Embassy", "sending_country": "N", **BAMAKO, "covers": ["ML"], "tolerance": 0.6}

    def world(personnel):
        camps = [{"name": "Sevare", **MOPTI}, {"name": "Bamako", **BAMAKO}]
        return scenario(weeks=52, peacekeepers=mission(camps, personnel=personnel), states=[mali_army()],
                        posts=[post], factions=[faction(strength=3000, at=MOPTI)])

    without = _outcomes(world(0), _first_closure_week)
    with_pk = _outcomes(world(12000), _first_closure_week)
    assert without.mean() < with_pk.mean()
    assert np.max(without) < np.min(with_pk)
