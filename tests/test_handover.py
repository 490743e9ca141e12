"""Handover of closing camps and peace accords on tiny worlds (docs/ODD.md, "Handover of closing
camps", "Peace accords"): each test checks one rule's consequence in a world with only the actors
it needs."""

from __future__ import annotations

import datetime as dt

import pytest

from sahel_sim.model.phases.accords import collapse_hazard, monitors_present
from sahel_sim.model.sahel_model import SahelModel
from worlds import KIDAL, TESSALIT, faction, mali_army, mission, run, scenario

CLOSE = dt.date(2020, 3, 1)


def _world(camps: list[dict], closes: dict, weeks: int = 20, factions=(), treaties=(), **mechanisms):
    hub = {"name": "Hub", "lat": 12.65, "lon": -8.0}
    withdrawal = {"dates": {**closes, "Hub": dt.date(2021, 6, 1)}}
    return scenario(
        weeks=weeks,
        peacekeepers=mission([*camps, hub], withdrawal=withdrawal),
        states=[mali_army()],
        factions=list(factions),
        accords=list(treaties),
        mechanisms=mechanisms,
    )


def _handovers(model: SahelModel) -> dict[str, str]:
    events = model.log.to_frame()
    rows = events[events["kind"] == "camp_handover"]
    return dict(zip(rows["target"], (d.split(":")[0] for d in rows["detail"]), strict=True))


def test_a_column_that_arrives_before_closure_takes_over_the_camp():
    sc = _world([{"name": "C", **TESSALIT}], {"C": CLOSE}, handover={"column_speed_km": 1000, "column_reach_km": 3000})
    model = run(sc)
    events = model.log.to_frame()
    assert (events["kind"] == "column_dispatched").sum() == 1
    assert _handovers(model) == {"C": "army"}
    site = model.sites[0]
    assert site.holder == "state" and site.garrison is not None and site.garrison.xy == site.xy


def test_with_no_column_the_armed_group_near_the_camp_takes_it_and_keeps_a_presence():
    sc = _world(
        [{"name": "C", **TESSALIT}],
        {"C": CLOSE},
        factions=[faction("F", 600, TESSALIT)],
        handover={"columns_per_country": 0, "contest_radius_km": 400},
    )
    model = run(sc)
    assert _handovers(model) == {"C": "armed_group"}
    assert model.sites[0].holder == "F"
    held = model.sites[0].xy
    assert model.faction_share[0][held] > 0.5


def test_a_column_reaching_a_held_camp_fights_for_it():
    sc = _world(
        [{"name": "C", **TESSALIT}],
        {"C": CLOSE},
        weeks=30,
        factions=[faction("F", 600, TESSALIT)],
        handover={"dispatch_lead_weeks": 0, "column_reach_km": 3000, "column_speed_km": 300, "contest_radius_km": 400},
    )
    model = run(sc)
    events = model.log.to_frame()
    assert _handovers(model) == {"C": "armed_group"}
    contest = events[
        events["kind"].isin(["camp_handover", "site_control", "site_defended"])
        & events["detail"].str.contains("P\\(army\\)")
    ]
    assert len(contest) == 1
    battle = events[(events["kind"] == "engagement") & (events["date"] == contest["date"].iloc[0])]
    assert len(battle) >= 1 and battle["fatalities"].sum() > 0


def test_the_army_sends_no_more_columns_than_its_capacity():
    camps = [{"name": "C", **TESSALIT}, {"name": "D", **KIDAL}]
    sc = _world(camps, {"C": CLOSE, "D": CLOSE}, handover={"columns_per_country": 1, "column_reach_km": 3000})
    model = SahelModel(sc, seed=1)
    for _ in range(8):
        model.step()
        assert sum(s.column is not None for s in model.sites) <= 1
    events = model.log.to_frame()
    assert (events["kind"] == "column_dispatched").sum() == 1


ACCORD = {"name": "A", "signed": dt.date(2020, 1, 1), "country": "ML", "factions": ["F"]}


def _fights_between_army_and(model: SahelModel, name: str) -> int:
    events = model.log.to_frame()
    army = events["actor"].str.endswith(" army") & (events["target"] == name)
    on_army = (events["actor"] == name) & (events["target"] == "army")
    return int(((events["kind"].isin(["engagement", "attack"])) & (army | on_army)).sum())


def test_an_accord_in_force_stops_fighting_between_its_parties():
    near_army = {"lat": 16.27, "lon": -0.04}  # Gao, a garrison town
    kw = {"weeks": 20, "states": [mali_army()], "factions": [faction("F", 800, near_army)]}
    fighting = {"combat": {"engagement_rate": 1.0}, "insurgency": {"attack_rate": 1.0}}  # fights without the accord
    without = run(scenario(**kw, mechanisms=fighting))
    bound = run(scenario(**kw, accords=[ACCORD], mechanisms={**fighting, "accords": {"base_hazard": 0.0}}))
    assert _fights_between_army_and(without, "F") > 0
    assert _fights_between_army_and(bound, "F") == 0
    assert bound.accords[0].in_force


def test_collapse_hazard_falls_with_monitoring_and_rises_with_encroachment():
    model = SahelModel(scenario(factions=[faction("F")], accords=[ACCORD]), seed=1)
    accord = model.accords[0]
    unmonitored = collapse_hazard(model, accord, 0.0)
    assert unmonitored == pytest.approx(model.params.accords.base_hazard)
    assert collapse_hazard(model, accord, 1.0) < unmonitored
    accord.encroachments = 2
    assert collapse_hazard(model, accord, 0.0) > unmonitored


def test_the_accord_loses_its_monitoring_as_the_mission_draws_down():
    """m is the mission's presence in the accord's country relative to its strength since the accord
    (Fortna 2004: whether peacekeepers are deployed), so the hazard rises as the camps close."""
    close = dt.date(2020, 3, 1)
    camps = [{"name": "C", **TESSALIT}, {"name": "D", **KIDAL}]
    sc = scenario(
        weeks=16,
        peacekeepers=mission(camps, withdrawal={"dates": {"C": close, "D": dt.date(2020, 4, 1)}}),
        states=[mali_army()],
        factions=[faction("F")],
        accords=[ACCORD],
        mechanisms={"accords": {"base_hazard": 0.0}},
    )
    model = SahelModel(sc, seed=1)
    shares = []
    while model.running:
        model.step()
        accord = model.accords[0]
        shares.append(monitors_present(model, accord) / accord.monitors_peak if accord.monitors_peak else 0.0)
    assert shares[0] == pytest.approx(1.0)
    assert shares[-1] == 0.0  # both camps closed, their convoys gone
    assert all(a >= b - 1e-9 for a, b in zip(shares, shares[1:], strict=False))  # it only falls


def test_an_accord_collapses_with_its_reason_in_the_log():
    sc = scenario(weeks=60, factions=[faction("F")], accords=[ACCORD], mechanisms={"accords": {"base_hazard": 0.1}})
    model = run(sc)
    events = model.log.to_frame()
    collapses = events[events["kind"] == "accord_collapse"]
    assert len(collapses) == 1 and collapses["detail"].iloc[0].startswith("weekly hazard")
    assert not model.accords[0].in_force and model.accords[0].collapsed_on is not None


def test_a_battle_over_a_camp_collapses_the_accord_of_the_party_holding_it():
    sc = _world(
        [{"name": "C", **TESSALIT}],
        {"C": CLOSE},
        weeks=30,
        factions=[faction("F", 600, TESSALIT, ideology="separatist")],
        treaties=[ACCORD],
        handover={"dispatch_lead_weeks": 0, "column_reach_km": 3000, "column_speed_km": 300, "contest_radius_km": 400},
        accords={"base_hazard": 0.0},
    )
    model = run(sc)
    events = model.log.to_frame()
    collapses = events[events["kind"] == "accord_collapse"]
    assert len(collapses) == 1 and "over C" in collapses["detail"].iloc[0]
