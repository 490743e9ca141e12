"""Towns held by armed groups on tiny worlds (docs/ODD.md, "Towns held by armed groups"): the army
loses its post there, an accord freezes the lines, the army gets the town back only by taking it,
and a column cannot simply be handed a camp inside a held town."""

from __future__ import annotations

import datetime as dt

from sahel_sim.model import fields as F
from sahel_sim.model.sahel_model import SahelModel
from worlds import GAO, KIDAL, TESSALIT, faction, mali_army, mission, partner, run, scenario

START = dt.date(2020, 1, 1)
HOLDS_KIDAL = {"holds": [{"town": "Kidal", **KIDAL, "from": START}]}
ACCORD = {"name": "A", "signed": START, "country": "ML", "factions": ["S"]}


def _separatists(strength: int = 300, at: dict = KIDAL, **kw) -> dict:
    return faction("S", strength, at, ideology="separatist", **kw)


def _army_posts_near(model: SahelModel, at: dict, km: float = 60.0) -> list:
    x, y = model.geo.cell_of(at["lat"], at["lon"])
    r = F.km_to_cells(km, model.resolution)
    posts = [u for u in model.units() if not u.is_partner and u.country == "ML"]
    return [u for u in posts if max(abs(u.home.coordinate[0] - x), abs(u.home.coordinate[1] - y)) <= r]


def _kinds(model: SahelModel, kind: str):
    events = model.log.to_frame()
    return events[events["kind"] == kind]


def _kidal_held(accords: list, mechanisms: dict):
    """The separatists hold Kidal from the start; a large army and a partner at Kidal could retake it."""
    return scenario(
        weeks=40,
        states=[mali_army(40000)],
        partners=[partner(START, 3000, KIDAL)],
        factions=[_separatists(**HOLDS_KIDAL)],
        accords=accords,
        mechanisms={"handover": {"retry_weeks": 2}, **mechanisms},
    )


def test_a_held_town_costs_the_army_its_post_and_an_accord_keeps_it_out():
    sc = _kidal_held([ACCORD], {"accords": {"base_hazard": 0.0}})
    posts = _army_posts_near(SahelModel(sc, seed=1), KIDAL)
    assert posts and all(u.active for u in posts), "the test needs an army post at Kidal"
    model = run(sc)
    assert model.holdings[0].held
    assert not any(u.active for u in _army_posts_near(model, KIDAL))
    lost = _kinds(model, "post_abandoned")
    assert lost["detail"].str.startswith("lost to S").any()
    assert len(_kinds(model, "town_held")) == 1 and _kinds(model, "town_taken").empty


def test_without_an_accord_the_army_retakes_a_held_town_in_a_contest():
    sc = _kidal_held([], {})
    model = run(sc)
    taken = _kinds(model, "town_taken")
    assert len(taken) == 1 and taken["detail"].iloc[0].startswith("from S")
    assert not model.holdings[0].held and model.holdings[0].ended_on is not None
    back = _kinds(model, "post_reoccupied")
    assert back["detail"].str.startswith("retaken").any()  # by a contest, not handed back


def _camp_world(holds: bool) -> SahelModel:
    """A camp at Tessalit (no army post there) closing in March; the group's bands stand far away at Gao."""
    close = dt.date(2020, 3, 1)
    hub = {"name": "Hub", "lat": 12.65, "lon": -8.0}
    tessalit = {"holds": [{"town": "Tessalit", **TESSALIT}]} if holds else {}
    sc = scenario(
        weeks=12,
        peacekeepers=mission(
            [{"name": "C", **TESSALIT}, hub], withdrawal={"dates": {"C": close, "Hub": dt.date(2021, 6, 1)}}
        ),
        states=[mali_army()],
        factions=[_separatists(300, GAO, **tessalit)],
        mechanisms={"handover": {"column_speed_km": 1000, "column_reach_km": 3000}},
    )
    return run(sc)


def test_a_column_waiting_at_a_camp_in_a_held_town_must_fight_for_it():
    free, held = _camp_world(holds=False), _camp_world(holds=True)
    assert _kinds(free, "column_dispatched").shape[0] >= 1
    assert _kinds(free, "camp_handover")["detail"].iloc[0].startswith("army:")
    handover = _kinds(held, "camp_handover")["detail"].iloc[0]
    assert handover.startswith("contested:") and "P(army)" in handover
