"""Pattern tests: published findings the model must reproduce, compared over seeded replicates.

Each test compares distributions over several seeds, never single runs (docs/ODD.md, "Patterns").
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import numpy as np
import pytest

from worlds import BAMAKO, GAO, KIDAL, MOPTI, TIMBUKTU, faction, mission, run, sahel_armies, scenario

pytestmark = pytest.mark.patterns

SEEDS = range(1, 9)

#: Bennett's and Epstein's findings concern an insurgency that can sustain itself from recruits: a
#: mobilisation ceiling above the default (0.005, which the 2022-2025 baseline needs to stay in
#: bounds). docs/ODD.md, "Patterns", states this regime.
SELF_SUSTAINING = {"insurgency": {"mobilisation_cap": 0.03}}


def _outcomes(sc, metric) -> np.ndarray:
    return np.array([metric(run(sc, seed=s)) for s in SEEDS], dtype=float)


def _civilians_killed_by_armed_groups(model) -> float:
    """Civilians killed in Mali in armed groups' attacks: one-sided violence, the measure of Hultman
    et al. (2013) and Fjelde et al. (2019); battle collateral of army operations is not in it."""
    events = model.log.to_frame()
    attacks = events[(events["kind"] == "attack") & (events["area"] == "ML")]
    return float(attacks["fatalities_civilian"].sum())


def test_more_peacekeepers_fewer_civilian_deaths():
    """Hultman, Kathman & Shannon 2013: civilian killings fall as UN troop numbers rise.

    The mission is spread over five camps in Mali, as MINUSMA was; civilians killed by armed groups
    are counted in Mali. (Civilians killed as collateral of army operations are not: peacekeepers
    do not restrain government violence, Fjelde et al. 2019, and over 32 seeds that count does not
    fall between 3,000 and 12,000 troops.)
    """
    deaths = {}
    for personnel in (0, 3000, 12000):
        camps = [
            {"name": n, **at}
            for n, at in (("Sevare", MOPTI), ("Timbuktu", TIMBUKTU), ("Gao", GAO), ("Kidal", KIDAL), ("Bamako", BAMAKO))
        ]
        sc = scenario(
            weeks=40,
            peacekeepers=mission(camps, personnel=personnel),
            states=sahel_armies(),
            mechanisms=SELF_SUSTAINING,
            factions=[faction(strength=3000, at=MOPTI, civilian_targeting=0.8)],
        )
        deaths[personnel] = _outcomes(sc, _civilians_killed_by_armed_groups)
    means = [deaths[p].mean() for p in (0, 3000, 12000)]
    assert means[0] > means[1] > means[2]
    assert np.median(deaths[12000]) < np.median(deaths[3000]) < np.median(deaths[0])


def _insurgent_weeks(model) -> float:
    ts = model.metrics.frame()
    return ts.loc[ts["area"] == "ALL", "insurgent_strength"].sum()


def test_army_accuracy_matters_more_than_effectiveness():
    """Bennett 2008: raising accuracy shortens an insurgency more than raising effectiveness."""

    def world(accuracy, effectiveness):
        return scenario(
            weeks=78,
            states=sahel_armies(accuracy=accuracy, effectiveness=effectiveness),
            mechanisms=SELF_SUSTAINING,
            factions=[faction(strength=3000, at=MOPTI)],
        )

    base = _outcomes(world(0.3, 0.3), _insurgent_weeks)
    accurate = _outcomes(world(0.9, 0.3), _insurgent_weeks)
    effective = _outcomes(world(0.3, 0.9), _insurgent_weeks)
    # Paired over the same seeds: accuracy shortens the insurgency, and by more than effectiveness.
    # (Whether effectiveness alone shortens it is not asserted: with separate random streams its
    # effect on seeds 1-8 is +0.1 % of insurgent-weeks, within seed noise; issue 13.)
    assert accurate.mean() < base.mean()
    assert (base - accurate).mean() > (base - effective).mean()
    assert np.median(accurate) < np.median(effective)


WARM_UP_WEEKS = 52


def _fastest_surge(model) -> float:
    """Largest rise of insurgent strength in Mali over any 4 weeks after the warm-up (fighters)."""
    ts = model.metrics.frame()
    series = ts.loc[ts["area"] == "ML", "insurgent_strength"].to_numpy()[WARM_UP_WEEKS - 1 :]
    return float(np.max(series[4:] - series[:-4]))


def test_sudden_small_legitimacy_drop_brings_larger_outburst_than_gradual_large_one():
    """Epstein 2002: a sudden small fall in legitimacy triggers an outburst; a larger gradual one does not.

    The insurgency first settles for a year; then legitimacy falls by 0.15 at once, or by 0.25 in ten
    steps over 40 weeks.
    """
    shock_day = dt.date(2020, 1, 1) + dt.timedelta(weeks=WARM_UP_WEEKS)
    sudden = [{"date": shock_day, "country": "ML", "size": -0.15, "kind": "coup"}]
    gradual = [
        {"date": shock_day + dt.timedelta(weeks=4 * i), "country": "ML", "size": -0.025, "kind": "other"}
        for i in range(10)
    ]

    def world(shocks):
        return scenario(
            weeks=WARM_UP_WEEKS + 52,
            states=sahel_armies(),
            shocks=shocks,
            mechanisms=SELF_SUSTAINING,
            factions=[faction(strength=2000, at=MOPTI)],
        )

    burst = _outcomes(world(sudden), _fastest_surge)
    slow = _outcomes(world(gradual), _fastest_surge)
    assert burst.mean() > slow.mean()
    assert np.median(burst) > np.median(slow)


def _closed_posts(model) -> set[str]:
    events = model.log.to_frame()
    closed = events[(events["kind"] == "post_status") & events["detail"].str.contains("-> closed")]
    return set(closed["target"])


def test_posts_with_more_violence_nearby_close_more_often():
    """Two posts with identical parameters (no tolerance draw): one in Bamako with an armed group
    starting 200 km away at Segou, one in Nouakchott, 1,100 km from it. Over seeds, the post with
    the violence nearby closes more often. Mali has no army here: its garrisons would hold the towns
    around Bamako (docs/ODD.md, "Garrisoned towns are held") and keep the group's violence away from
    the capital, which is not what this test is about."""
    segou = {"lat": 13.45, "lon": -6.26}
    nouakchott = {"lat": 18.08, "lon": -15.98}
    posts = [
        {"name": "near", "sending_country": "N", **BAMAKO, "covers": ["ML"]},
        {"name": "far", "sending_country": "N", **nouakchott, "covers": ["MR"]},
    ]
    sc = scenario(
        weeks=104,
        states=[army for army in sahel_armies(personnel=4000) if army["country"] != "ML"],
        posts=posts,
        factions=[faction(strength=4000, at=segou)],
        mechanisms={"diplomacy": {"tolerance_spread": 0.0}},
    )
    closed = [_closed_posts(run(sc, seed=s)) for s in SEEDS]
    near = sum("near" in c for c in closed)
    far = sum("far" in c for c in closed)
    assert near > far
    assert near >= len(SEEDS) // 2


NORTHERN_CAMPS = {
    "Tessalit": (20.2, 1.0),
    "Aguelhok": (19.47, 0.86),
    "Kidal": (18.44, 1.41),
    "Menaka": (15.92, 2.4),
    "Ber": (16.83, -2.53),
    "Ansongo": (15.66, 0.5),
}


def _handed_to_the_army(spacing_weeks: int, seed: int) -> int:
    """Northern camps the army takes at their closure when they close ``spacing_weeks`` apart from week 10."""
    first = dt.date(2020, 1, 1) + dt.timedelta(weeks=10)
    names = sorted(NORTHERN_CAMPS)
    camps = [{"name": n, "lat": lat, "lon": lon} for n, (lat, lon) in NORTHERN_CAMPS.items()]
    camps.append({"name": "Hub", **BAMAKO})
    dates = {n: first + dt.timedelta(weeks=spacing_weeks * i) for i, n in enumerate(names)}
    dates["Hub"] = dt.date(2022, 6, 1)
    sc = scenario(
        weeks=80,
        peacekeepers=mission(camps, withdrawal={"dates": dates}),
        states=sahel_armies(personnel=37500),  # Mali's army in 2023-2024 (CIA World Factbook 2024)
        factions=[faction("F", 1500, KIDAL), faction("G", 800, GAO)],
        mechanisms=SELF_SUSTAINING,
    )
    model = run(sc, seed=seed)
    return sum(site.outcome == "army" for site in model.sites)


def test_a_slower_withdrawal_hands_more_of_the_vacated_camps_to_the_army():
    """Pace matters through the army's limited columns: closing six northern camps eight weeks apart
    lets a column reach each before it closes, where closing them in one week leaves those without a
    garrison in town to whoever is near, or to nobody, until a column comes. Compared over seeds on
    the same world; it could fail if columns were too few, too slow or too rarely available under
    either pace (the model's sites are also retaken later; this test is about the handover itself)."""
    fast = np.array([_handed_to_the_army(0, s) for s in SEEDS])
    slow = np.array([_handed_to_the_army(8, s) for s in SEEDS])
    assert slow.mean() > fast.mean() + 1, (fast, slow)
    assert (slow >= fast).mean() >= 0.75, (fast, slow)


def _historical_outcomes(model, scenario, seed, wall_seconds) -> dict:
    """What the historical patterns read from a run: Malian blockade town-weeks in 2023-2025 (the weekly
    ``blockaded_towns`` metric summed) and the separatists' accord's collapse date and reason."""
    ts = model.metrics.frame()
    mali = ts[(ts["area"] == "ML") & (ts["date"] >= "2023-01-01")]
    accord = model.accords[0]
    return {
        "blockade_weeks": float(mali["blockaded_towns"].sum()),
        "collapsed_on": accord.collapsed_on,
        "reason": accord.reason,
    }


@functools.cache
def _historical_and_staying(seed: int) -> tuple[dict, dict]:
    """The historical scenario and minusma_stays with one seed (shared history to June 2023)."""
    from sahel_sim.runs.family import simulate_family
    from sahel_sim.scenario.loading import load_scenario

    folder = Path(__file__).resolve().parents[1] / "scenarios"
    historical, stays = load_scenario(folder / "historical.yaml"), load_scenario(folder / "minusma_stays.yaml")
    members = simulate_family(historical, seed, [("stays", stays)], extract=_historical_outcomes)
    withdrawal, staying = (m.output for m in members)
    return withdrawal, staying


def test_the_withdrawal_brings_blockades_that_a_staying_mission_prevents():
    """JNIM's blockade of Timbuktu began in August 2023, after MINUSMA's Ber camp closed (issue 14).

    Peacekeepers do not enter the blockade rule; they back the state's presence and protect the
    people near their camps, so armed groups hold less of the rings around towns. Over paired seeds of
    the historical scenario (shared history to June 2023), the real withdrawal leaves more Malian
    town-weeks of blockade in 2023-2025 than MINUSMA staying, in mean and in more seeds than not
    (docs/ODD.md, "Blockades"; an earlier tiny-world version stopped producing blockades at all
    once garrisoned towns were held, so it could no longer test anything).
    """
    pairs = [[run["blockade_weeks"] for run in _historical_and_staying(seed)] for seed in SEEDS]
    withdrawal, staying = np.array(pairs, dtype=float).T
    assert withdrawal.mean() > 0  # blockades happen at all
    assert withdrawal.mean() > staying.mean(), (withdrawal, staying)
    assert (withdrawal > staying).sum() > (withdrawal < staying).sum(), (withdrawal, staying)


def test_the_ceasefire_ends_when_the_army_moves_on_the_vacated_north():
    """The separatists left the ceasefire in 2023 as the army moved on the camps MINUSMA vacated (issue 14).

    Among paired seeds of the historical scenario in which the accord still stands when the first
    camp's drawdown begins (2023-06-09), it collapses by the end of 2024 in most with the real
    withdrawal, each time after the first northern camp closed (Ber, 2023-08-13), and in fewer when
    MINUSMA stays (docs/ODD.md, "Towns held by armed groups", "Peace accords"; pattern 7). It could
    fail if the accord never lasted to 2023, if the army never contested a town the separatists hold,
    or if monitoring did not matter.
    """
    drawdown, ber, end = dt.date(2023, 6, 9), dt.date(2023, 8, 13), dt.date(2024, 12, 31)
    runs = [_historical_and_staying(seed) for seed in SEEDS]
    standing = [(w, s) for w, s in runs if w["collapsed_on"] is None or w["collapsed_on"] >= drawdown]
    assert len(standing) >= 2, "too few seeds in which the accord lasts to 2023 to test anything"
    ended = [w for w, _ in standing if w["collapsed_on"] is not None and w["collapsed_on"] <= end]
    ended_staying = [s for _, s in standing if s["collapsed_on"] is not None and s["collapsed_on"] <= end]
    assert len(ended) > len(standing) / 2, [w["collapsed_on"] for w, _ in standing]
    assert all(w["collapsed_on"] > ber for w in ended), [(w["collapsed_on"], w["reason"]) for w in ended]
    assert len(ended_staying) < len(ended), [s["collapsed_on"] for _, s in standing]
