"""Each rule of docs/ODD.md, tested on tiny hand-built worlds or arrays."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sahel_sim.model import fields as F
from sahel_sim.model.agents import CampStatus, DiplomaticPostAgent, InsurgentBand, PostStatus
from sahel_sim.model.agents.army import REINFORCEMENT_RATE
from sahel_sim.model.agents.base import positions
from sahel_sim.model.agents.insurgents import best_cells, civilian_deaths_asked, net_recruitment
from sahel_sim.model.blockades import decide, organisation_heads, organisation_labels, ring_shares
from sahel_sim.model.phases import blockades, insurgents, population, presence
from sahel_sim.model.sahel_model import SahelModel
from worlds import BAMAKO, GAO, KIDAL, MOPTI, TESSALIT, faction, mali_army, mission, partner, run, scenario

# ---------------------------------------------------------------- array rules (fields.py)


def test_window_sum_counts_neighbours_and_treats_outside_as_zero():
    field = np.zeros((5, 5))
    field[0, 0] = 2.0
    field[2, 2] = 1.0
    out = F.window_sum(field, 1)
    assert out[1, 1] == pytest.approx(3.0)
    assert out[0, 0] == pytest.approx(2.0)
    assert out[4, 4] == pytest.approx(0.0)
    assert out.sum() == pytest.approx(2.0 * 4 + 1.0 * 9)


def test_willing_share_follows_epstein_threshold():
    risk = np.zeros(4)
    share = F.willing_share(np.array([0.05, 0.1, 0.5, 1.0]), risk, threshold=0.1)
    assert share[0] == 0.0 and share[1] == 0.0  # grievance never exceeds T
    assert 0 < share[2] < share[3] <= 1
    assert share[2] == pytest.approx(1 - 0.1 / 0.5, abs=1e-9)
    risky = F.willing_share(np.array([1.0]), np.array([0.8]), threshold=0.1)
    assert risky[0] < share[3]  # fear of arrest holds people back


def test_arrest_risk_rises_with_forces_and_falls_with_fighters():
    few = F.arrest_risk(np.array([100.0]), np.array([100.0]), 2.3)
    many = F.arrest_risk(np.array([1000.0]), np.array([100.0]), 2.3)
    crowd = F.arrest_risk(np.array([100.0]), np.array([1000.0]), 2.3)
    assert crowd < few < many < 1


def test_flight_conserves_people_and_moves_them_towards_attractive_cells():
    pop = np.full((6, 6), 1000.0)
    out_share = np.zeros((6, 6))
    out_share[0, 0] = 0.5
    attract = np.ones((6, 6))
    attract[1, 1] = 100.0
    outflow, inflow = F.flee(pop, out_share, attract, radius=2)
    assert outflow.sum() == pytest.approx(inflow.sum())
    assert outflow[0, 0] == pytest.approx(500.0)
    assert inflow[1, 1] == inflow.max()
    assert inflow[5, 5] == 0.0  # out of reach


def test_control_labels_need_the_threshold():
    state = np.array([0.7, 0.5, 0.1])
    factions = [np.array([0.2, 0.4, 0.9])]
    assert F.control_labels(state, factions, 0.6).tolist() == [0, -1, 1]


# ---------------------------------------------------------------- insurgents


def _model_with_band(**faction_kw):
    sc = scenario(factions=[faction(strength=300, **faction_kw)])
    model = SahelModel(sc, seed=3)
    model.step()
    return model, model.bands()[0]


def test_peacekeeper_protection_lowers_civilian_deaths_of_an_attack():
    # the rule the insurgent phase applies to every attack on civilians, on the protection where it strikes
    rng = np.random.default_rng(1)
    lethality = SahelModel(scenario(), seed=1).params.insurgency.lethality
    strength = np.full(2000, 300.0)
    deaths = {p: civilian_deaths_asked(rng, lethality, strength, np.full(2000, p)).sum() for p in (0.0, 0.9)}
    assert deaths[0.0] > 0 and deaths[0.9] < 0.3 * deaths[0.0]


def test_insurgent_phase_kills_fewer_civilians_where_peacekeepers_protect():
    # the whole phase: bands that only attack civilians, with the protection field forced each week
    deaths = {}
    for protected in (0.0, 0.9):
        model, band = _model_with_band(civilian_targeting=1.0, aggression=1.0)
        before = model.civilian_deaths_total
        for _ in range(20):
            presence.run(model)
            model.presence.protection[...] = protected
            model.presence.deterrence[...] = 0.0
            insurgents.run(model)
        deaths[protected] = model.civilian_deaths_total - before
    assert deaths[0.0] > 0 and deaths[0.9] < 0.5 * deaths[0.0]


def test_recruitment_grows_with_the_willing_pool():
    model, _ = _model_with_band()
    ins = model.params.insurgency
    rng = np.random.default_rng(2)
    n = 500
    strength = np.full(n, 100.0)
    gains = [
        net_recruitment(rng, ins, 1.0, np.zeros(n), np.full(n, pool), np.ones(n), strength).mean()
        for pool in (0.0, 1e6)
    ]
    assert gains[0] < 0 < gains[1]  # only desertion without a pool


def test_band_splits_when_large_and_dissolves_when_small():
    model, band = _model_with_band()
    before = model.bands()
    total = sum(b.strength for b in before) - band.strength + model.params.insurgency.band_split_strength + 100
    band.strength = model.params.insurgency.band_split_strength + 100
    band.split_or_dissolve()
    bands = model.bands()
    assert len(bands) == len(before) + 1
    assert sum(b.strength for b in bands) == pytest.approx(total)
    small = [b for b in bands if b not in before][0]
    small.strength = model.params.insurgency.band_min_strength - 1
    small.split_or_dissolve()
    assert small not in model.bands()


def test_bands_move_to_the_best_cell_within_reach():
    model, band = _model_with_band()
    x, y = band.xy
    score = np.zeros((1, *model.land.shape))
    score[0, x + 2, y] = 5.0
    score[0, x + 3, y] = 9.0  # better, but out of reach
    tx, ty = best_cells(score, np.zeros(1, dtype=np.intp), np.array([x]), np.array([y]), 2, model.rng)
    assert (int(tx[0]), int(ty[0])) == (x + 2, y)


def test_armed_groups_cannot_recruit_in_or_enter_a_garrisoned_town():
    # Bamako's garrison holds its cell: bands keep out and its people leave the pool; when the garrison
    # goes, they return
    sc = scenario(states=[mali_army()], factions=[faction(strength=300)])
    model = SahelModel(sc, seed=3)
    model.step()
    bamako = model.geo.cell_of(BAMAKO["lat"], BAMAKO["lon"])
    garrison = next(u for u in model.units() if u.xy == bamako)
    assert garrison.active and garrison.strength >= 1
    held = insurgents.held_cells(model)
    assert held[bamako] and not held.all()
    pools = insurgents.recruitment_pools(model)
    pool_held = pools[0][bamako]
    score = insurgents.movement_score(model, 0, pools[0])
    assert score[bamako] == -np.inf and np.isfinite(score[~held & model.land]).any()  # bands keep out
    for unit in model.units():
        unit.active = False
    assert not insurgents.held_cells(model).any()
    pool_free = insurgents.recruitment_pools(model)[0][bamako]
    assert 0 < pool_held < pool_free
    r = F.km_to_cells(model.params.population.vision_km, model.resolution)
    people = model.population * model.presence.willing
    cap = model.params.insurgency.mobilisation_cap
    assert pool_free - pool_held == pytest.approx(cap * F.window_sum(np.where(held, people, 0.0), r)[bamako])


def test_partner_forces_hold_no_people():
    model = SahelModel(scenario(partners=[partner(dt.date(2019, 1, 1))], factions=[faction(strength=300)]), seed=1)
    model.step()
    assert any(u.active and u.strength >= 1 for u in model.units())
    assert not insurgents.held_cells(model).any()


def test_bands_move_away_from_superior_force():
    model, band = _model_with_band()
    x, y = band.xy
    score_free = insurgents.movement_score(model, 0, np.zeros(model.land.shape))
    model.presence.state_op[x, y] += 1e6  # an overwhelming force at the band's cell
    score_threat = insurgents.movement_score(model, 0, np.zeros(model.land.shape))
    assert score_threat[x, y] < score_free[x, y]


def test_a_band_starts_at_most_one_clash_a_week(monkeypatch):
    rate_one = {"insurgency": {"rival_clash_rate": 1.0}}
    sc = scenario(
        factions=[faction("A", strength=3000, rivals=["B"]), faction("B", strength=3000)], mechanisms=rate_one
    )
    model = SahelModel(sc, seed=4)
    model.step()
    bands = model.bands()
    for band in bands:
        band.cell = bands[0].cell
        band.strength = 300.0
    assert {b.faction_index for b in bands} == {0, 1} and len(bands) > 4
    started = []
    monkeypatch.setattr(InsurgentBand, "clash", lambda self, rival: started.append((self, rival)))
    insurgents._clashes(model, bands, *positions(bands), np.array([b.faction_index for b in bands]))
    initiators = [a for a, _ in started]
    assert sorted(map(id, initiators)) == sorted(map(id, bands))  # every band, exactly once
    assert all(a.faction_index != b.faction_index for a, b in started)


# ---------------------------------------------------------------- army and partners


def test_low_accuracy_harms_civilians_and_raises_grievance_and_willingness_where_it_happens():
    sc = scenario(weeks=8, states=[mali_army()], factions=[faction(strength=2000)])
    outcome = {}
    for accuracy in (0.0, 1.0):
        model = SahelModel(sc, seed=5)
        model.step()
        band = max(model.bands(), key=lambda b: b.strength)
        unit = next(u for u in model.units() if u.active and u.strength > 0)
        unit.accuracy = accuracy
        presence.run(model)
        xy = band.xy
        before = (model.presence.grievance[xy], model.presence.willing[xy])
        deaths = model.civilian_deaths_total
        for _ in range(30):
            band.strength, unit.strength = 500.0, 500.0
            unit.engage(band)
        presence.run(model)
        outcome[accuracy] = (
            model.civilian_deaths_total - deaths,
            model.presence.grievance[xy] - before[0],
            model.presence.willing[xy] - before[1],
        )
    harm_bad, grievance_bad, willing_bad = outcome[0.0]
    harm_good, grievance_good, willing_good = outcome[1.0]
    assert harm_good == 0 and harm_bad > 0
    assert grievance_good == pytest.approx(0.0) and grievance_bad > 0
    assert willing_bad > willing_good


def test_overstretched_remote_post_is_abandoned():
    sc = scenario(weeks=20, states=[mali_army(personnel=3000)], factions=[faction(strength=6000, at=KIDAL)])
    model = SahelModel(sc, seed=2)
    abandoned = []
    while model.running:
        model.step()
        this_week = {e.target for e in model.log.week if e.kind == "post_abandoned"}
        abandoned += this_week
        assert all(not u.active for u in model.units() if u.post_name in this_week)
    assert abandoned


def test_partner_force_is_present_only_between_its_dates():
    force = partner(dt.date(2020, 2, 1), depart=dt.date(2020, 3, 1))
    sc = scenario(weeks=12, states=[mali_army()], partners=[force])
    model = SahelModel(sc, seed=1)
    seen = []
    while model.running:
        model.step()
        unit = next(u for u in model.units() if u.force == "P")
        seen.append((model.date, unit.active, unit.strength))
    for date, active, strength in seen:
        inside = dt.date(2020, 2, 1) <= date < dt.date(2020, 3, 1)
        assert active == inside
        assert (strength > 0) == inside


# ---------------------------------------------------------------- peacekeepers


def _camp_world(camp_at: dict, close: dt.date, army: bool = True):
    camps = [{"name": "C", **camp_at}, {"name": "Hub", "lat": 12.65, "lon": -8.0}]
    withdrawal = {"dates": {"C": close, "Hub": dt.date(2021, 6, 1)}}
    return scenario(weeks=16, peacekeepers=mission(camps, withdrawal=withdrawal), states=[mali_army()] if army else [])


def test_camp_drains_before_closing_and_is_handed_to_the_garrison_in_its_town():
    close = dt.date(2020, 3, 1)
    model = SahelModel(_camp_world(GAO, close), seed=1)
    camp = next(c for c in model.camps() if c.name == "C")
    strengths = []
    while model.running:
        model.step()
        strengths.append((model.date, camp.strength, camp.status))
    before = [s for d, s, st in strengths if d < close - dt.timedelta(weeks=model.params.peacekeeping.drawdown_weeks)]
    draining = [s for d, s, st in strengths if close - dt.timedelta(weeks=3) <= d < close]
    assert min(before) > max(draining) > 0
    assert camp.status is CampStatus.CLOSED and camp.strength == 0
    events = model.log.to_frame()
    handovers = events[events["kind"] == "camp_handover"]
    assert handovers["detail"].str.startswith("army: handed to the garrison of").tolist() == [True]
    assert model.sites[0].holder == "state" and model.sites[0].garrison.active


def test_camp_far_from_any_army_unit_leaves_a_vacuum_and_sends_a_convoy():
    model = run(_camp_world(TESSALIT, dt.date(2020, 3, 1), army=False), seed=1)
    events = model.log.to_frame()
    handovers = events.loc[events["kind"] == "camp_handover", "detail"].tolist()
    assert [h.split(":")[0] for h in handovers] == ["vacuum"]
    assert "convoy_arrived" in events["kind"].tolist()


def test_no_peacekeepers_remain_at_a_closed_camp():
    model = SahelModel(_camp_world(GAO, dt.date(2020, 2, 1)), seed=1)
    while model.running:
        model.step()
        for camp in model.camps():
            if camp.status is CampStatus.CLOSED:
                assert camp.strength == 0


# ---------------------------------------------------------------- blockades


def test_ring_shares_count_the_ring_and_decide_has_hysteresis():
    control = np.zeros((9, 9), dtype=np.int8)
    land = np.ones((9, 9), dtype=bool)
    town = (4, 4)
    ring = [(x, y) for x in range(3, 6) for y in range(3, 6) if (x, y) != town]
    control[town] = 1  # the town's own cell does not count
    for xy in ring[:6]:
        control[xy] = 1
    shares = ring_shares(control, land, [town], 1, 2)
    assert shares.tolist() == [[0.75, 0.0]]
    held = np.array([True])
    by, changes = decide(np.array([-1]), shares, held, 0.75, 0.5)
    assert by.tolist() == [0] and changes == [(0, 0, "started")]
    by, changes = decide(by, np.array([[0.5, 0.0]]), held, 0.75, 0.5)  # between the thresholds: holds
    assert by.tolist() == [0] and changes == []
    by, changes = decide(by, np.array([[0.4, 0.0]]), held, 0.75, 0.5)
    assert by.tolist() == [-1] and changes == [(0, 0, "ring_lost")]
    by, changes = decide(np.array([-1]), np.array([[0.6, 0.0]]), held, 0.75, 0.5)  # below start: none
    assert by.tolist() == [-1] and changes == []
    by, changes = decide(np.array([-1]), shares, np.array([False]), 0.75, 0.5)  # no garrison: none
    assert by.tolist() == [-1]
    by, changes = decide(np.array([0]), shares, np.array([False]), 0.75, 0.5)
    assert by.tolist() == [-1] and changes == [(0, 0, "garrison_left")]
    bound = np.array([[True, False]])  # an accord in force binds faction 0 to the town's state
    by, changes = decide(np.array([0]), shares, held, 0.75, 0.5, bound)
    assert by.tolist() == [-1] and changes == [(0, 0, "agreement")]
    by, changes = decide(np.array([-1]), shares, held, 0.75, 0.5, bound)  # a bound faction starts none
    assert by.tolist() == [-1] and changes == []
    by, changes = decide(np.array([-1]), np.array([[0.9, 0.8]]), held, 0.75, 0.5, bound)  # an unbound one may
    assert by.tolist() == [1] and changes == [(0, 1, "started")]


def test_a_wing_holds_the_ring_for_its_organisation():
    # 5 x 5 cells around a town at (2, 2), ring radius 1: A holds 0.45 of the presence, its wing B 0.2,
    # the state 0.35, so no one reaches the 0.6 control threshold alone and every cell is contested.
    control = np.full((5, 5), -1, dtype=np.int8)
    a, b = np.full((5, 5), 0.45), np.full((5, 5), 0.2)
    a[0, 0], b[0, 0] = 0.0, 0.7  # the wing alone holds a corner (it would be labelled 2)
    control[0, 0] = 2
    a[4, 4], b[4, 4] = 0.1, 0.1  # the state holds the other corner
    control[4, 4] = 0
    apart = organisation_labels(control, [a, b], np.array([0, 1]), 0.6)
    assert (apart == control).all()  # independent factions: the labels are the control map's
    joined = organisation_labels(control, [a, b], np.array([0, 0]), 0.6)
    assert joined[4, 4] == 0 and joined[0, 0] == 1 and (joined[1:4, 1:4] == 1).all()
    land = np.ones((5, 5), dtype=bool)
    assert ring_shares(apart, land, [(2, 2)], 1, 2).tolist() == [[0.0, 0.0]]
    shares = ring_shares(joined, land, [(2, 2)], 1, 2)
    assert shares.tolist() == [[1.0, 0.0]]
    by, changes = decide(np.array([-1]), shares, np.array([True]), 0.75, 0.5)
    assert changes == [(0, 0, "started")]  # the organisation (A) blockades the town


def test_a_wing_counts_for_its_organisation_from_its_date_only():
    joins = dt.date(2020, 1, 15)
    sc = scenario(
        weeks=6,
        states=[mali_army()],
        factions=[
            faction("A", strength=100, at=KIDAL),
            faction("B", strength=100, part_of={"name": "A", "from": joins}),
        ],
    )
    assert organisation_heads(sc.factions, joins - dt.timedelta(days=1)).tolist() == [0, 1]
    assert organisation_heads(sc.factions, joins).tolist() == [0, 0]
    model = SahelModel(sc, seed=1)
    model.step()
    xy = next(t["xy"] for t in model.key_towns if t["name"] == "Gao")
    assert any(u.xy == xy and u.active for u in model.units())
    r = max(1, F.km_to_cells(model.params.blockades.ring_radius_km, model.resolution))
    ring = (slice(xy[0] - r, xy[0] + r + 1), slice(xy[1] - r, xy[1] + r + 1))
    for when, expected in ((joins - dt.timedelta(days=1), []), (joins, [("A", "Gao")])):
        model.log.new_week()
        model.date = when
        model.control[ring] = -1  # contested: neither A (0.45) nor B (0.2) holds a cell alone
        model.faction_share[0][ring], model.faction_share[1][ring], model.state_share[ring] = 0.45, 0.2, 0.35
        blockades.run(model)
        started = [(e.actor, e.target) for e in model.log.week if e.kind == "blockade_started"]
        assert [s for s in started if s[1] == "Gao"] == expected, when


@pytest.mark.parametrize(
    ("factions", "says"),
    [
        ([faction("A", part_of="C"), faction("B")], "unknown faction 'C'"),
        ([faction("A", part_of="A"), faction("B")], "unknown faction 'A'"),
        ([faction("A", part_of="B"), faction("B", part_of="C"), faction("C")], "one level only"),
        ([faction("A", part_of="B", rivals=["B"]), faction("B")], "cannot be part of its rival"),
    ],
)
def test_a_bad_part_of_names_its_field_on_one_line(factions, says):
    from sahel_sim.scenario.errors import ScenarioError
    from sahel_sim.scenario.loading import validate

    data = {"name": "tiny", "start": dt.date(2020, 1, 1), "end": dt.date(2020, 2, 1), "factions": factions}
    with pytest.raises(ScenarioError) as info:
        validate(data)
    assert info.value.field == "factions.0.part_of" and says in str(info.value) and "\n" not in str(info.value)


def _ring_of(model, xy, label):
    r = max(1, F.km_to_cells(model.params.blockades.ring_radius_km, model.resolution))
    x, y = xy
    model.control[x - r : x + r + 1, y - r : y + r + 1] = label


def test_a_blockaded_garrison_town_is_cut_off_emptied_and_loses_legitimacy():
    sc = scenario(weeks=10, states=[mali_army()], factions=[faction(name="F", strength=100, at=KIDAL)])
    model = SahelModel(sc, seed=1)
    model.step()
    town = next(t for t in model.key_towns if t["name"] == "Gao")
    xy = town["xy"]
    unit = next(u for u in model.units() if u.xy == xy and u.active)
    _ring_of(model, xy, 1)  # faction F holds the ring (and, here, the town's cell too)
    abuse_before = float(model.abuse[xy])
    blockades.run(model)
    started = [e for e in model.log.week if e.kind == "blockade_started"]
    assert [(e.actor, e.target) for e in started] == [("F", "Gao")]
    assert "1.00 of the ring" in started[0].detail
    assert model.blockades.cuts_supply(xy)
    p = model.params.blockades
    assert model.abuse[xy] == pytest.approx(abuse_before + p.legitimacy_loss)
    # Supply cut: a depleted garrison closes only resupply_share of its usual gap to its allocation.
    unit.strength = 100.0
    unit.reinforce(1100.0)
    assert unit.strength == pytest.approx(100.0 + REINFORCEMENT_RATE * p.resupply_share * 1000.0)
    # Displacement: at least flight_share of the town's people leave, and nobody moves in.
    people = float(model.population[xy])
    population._displacement(model)
    assert model.population[xy] <= people * (1.0 - p.flight_share) + 1e-6
    # Lifted by force: the state retakes the ring.
    model.log.new_week()
    _ring_of(model, xy, 0)
    blockades.run(model)
    lifted = [e for e in model.log.week if e.kind == "blockade_lifted"]
    assert [(e.actor, e.target) for e in lifted] == [("F", "Gao")]
    assert lifted[0].detail.startswith("ring_lost")
    assert not model.blockades.cuts_supply(xy) and model.blockades.flight[xy] == 0
    before = unit.strength
    unit.reinforce(1100.0)  # resupplied again at the usual rate
    assert unit.strength == pytest.approx(before + REINFORCEMENT_RATE * (1100.0 - before))


def test_blockades_are_in_the_summary_with_their_duration():
    from sahel_sim.runs.runner import blockade_spells

    sc = scenario(weeks=10)
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2020-01-08", "2020-01-29", "2020-02-05"]),
            "kind": ["blockade_started", "blockade_lifted", "blockade_started"],
            "actor": ["F", "F", "G"],
            "target": ["Gao", "Gao", "Gao"],
            "area": ["ML", "ML", "ML"],
            "detail": ["F holds 0.80 of the ring", "ring_lost: F holds 0.40 of the ring, after 3 weeks", "x"],
        }
    )
    spells = blockade_spells(sc, events)
    assert spells == [
        {
            "town": "Gao",
            "area": "ML",
            "faction": "F",
            "start": "2020-01-08",
            "end": "2020-01-29",
            "lifted": "ring_lost",
            "weeks": 3,
        },
        {
            "town": "Gao",
            "area": "ML",
            "faction": "G",
            "start": "2020-02-05",
            "end": "2020-03-11",
            "lifted": None,
            "weeks": 5,
        },
    ]


# ---------------------------------------------------------------- diplomatic posts


def _post_model(**post):
    spec = {"name": "E", "sending_country": "N", "lat": 12.65, "lon": -8.0, "covers": ["ML"], **post}
    model = SahelModel(scenario(weeks=4, posts=[spec]), seed=1)
    return model, model.posts()[0]


def _week(post: DiplomaticPostAgent, threat: float):
    """One week in which the post observes violence that makes ``threat`` x its tolerance."""
    p = post.model.params.diplomacy
    post.perceive(violence=threat * post.tolerance * p.violence_scale / p.weight_violence)
    post.decide()


def test_post_closes_only_after_sustained_threat():
    model, post = _post_model()
    p = model.params.diplomacy
    for _ in range(p.sustain_weeks - 1):
        _week(post, 2.0)
    _week(post, 0.0)  # one calm week resets the count
    for _ in range(p.sustain_weeks - 1):
        _week(post, 2.0)
    assert post.status is PostStatus.OPEN
    _week(post, 2.0)
    assert post.status is PostStatus.REDUCED
    for _ in range(p.sustain_weeks):
        _week(post, 2.0)
    assert post.status is PostStatus.CLOSED
    detail = model.log.to_frame().query("kind == 'post_status'")["detail"].iloc[-1]
    assert detail.startswith("reduced -> closed: violence near the post")
    for term in ("violence=", "control=", "force_balance=", "international=", "mission_loss=", "hostility="):
        assert term in detail


def test_post_reopens_after_sustained_calm():
    model, post = _post_model()
    p = model.params.diplomacy
    post.status = PostStatus.CLOSED
    for _ in range(p.calm_weeks - 1):
        _week(post, 0.0)
    assert post.status is PostStatus.CLOSED
    _week(post, 0.0)
    assert post.status is PostStatus.REDUCED


# ---------------------------------------------------------------- population and invariants


def test_population_is_conserved_except_counted_deaths():
    sc = scenario(weeks=30, states=[mali_army()], factions=[faction(strength=3000, civilian_targeting=1.0)])
    model = SahelModel(sc, seed=4)
    start = model.population.sum()
    while model.running:
        model.step()
    assert model.civilian_deaths_total > 0
    assert model.population.sum() + model.civilian_deaths_total == pytest.approx(start, rel=1e-9)
    assert (model.population >= 0).all()
    assert model.idp.sum() + model.refugees.sum() > 0  # violence displaced people


def test_control_shares_sum_to_one_and_fighters_take_cells():
    sc = scenario(weeks=30, factions=[faction(strength=4000, at=KIDAL)])
    model = run(sc, seed=1)
    total = model.state_share + sum(model.faction_share)
    assert np.allclose(total[model.land], 1.0)
    assert (model.control == 1).any()


def test_legitimacy_shock_lowers_legitimacy_then_it_recovers():
    shock = {"date": dt.date(2020, 1, 15), "country": "ML", "size": -0.3, "kind": "coup"}
    model = SahelModel(scenario(weeks=40, shocks=[shock]), seed=1)
    ml = model.geo.country_codes.index("ML")
    base = model.legitimacy[ml]
    series = []
    while model.running:
        model.step()
        series.append(model.legitimacy[ml])
    assert min(series) == pytest.approx(base - 0.3, abs=0.01)
    assert series[-1] > min(series)


def test_faction_appears_on_its_founding_date():
    founded = dt.date(2020, 3, 4)
    model = SahelModel(scenario(weeks=16, factions=[faction(founded=founded)]), seed=1)
    while model.running:
        model.step()
        assert bool(model.bands()) == (model.date >= founded) or model.date >= founded


def test_same_seed_same_run_and_other_seed_differs():
    sc = scenario(weeks=20, states=[mali_army()], factions=[faction(strength=2000, at=MOPTI)])
    a = run(sc, seed=11).metrics.frame()
    b = run(sc, seed=11).metrics.frame()
    c = run(sc, seed=12).metrics.frame()
    assert a.equals(b)
    assert not a.equals(c)


def test_tolerance_follows_shared_characteristics_not_the_post():
    from sahel_sim.model.agents.diplomacy import post_tolerance
    from sahel_sim.scenario.schema import DiplomaticPost

    model, _ = _post_model()
    p = model.params.diplomacy
    base = {"name": "A", "sending_country": "N", **BAMAKO, "covers": ["ML"]}
    plain = post_tolerance(p, DiplomaticPost(**base), 0.0)
    assert plain == pytest.approx(p.tolerance_base)
    contributor = post_tolerance(p, DiplomaticPost(**base, troop_contributor=True), 0.0)
    assert contributor == pytest.approx(p.tolerance_base * p.tolerance_troop_contributor)
    delegation = post_tolerance(p, DiplomaticPost(**base, kind="delegation"), 0.0)
    assert delegation == pytest.approx(p.tolerance_base * p.tolerance_delegation)
    assert post_tolerance(p, DiplomaticPost(**base), 1.0) == pytest.approx(plain * np.exp(p.tolerance_spread))


def test_post_closes_and_reopens_as_violence_near_it_falls():
    """A tiny world: violence is injected near a post for 30 weeks, then stops; the post closes, then reopens."""
    post = {"name": "E", "sending_country": "N", **BAMAKO, "covers": ["ML"]}
    model = SahelModel(scenario(weeks=160, states=[mali_army()], posts=[post]), seed=1)
    agent = model.posts()[0]
    p = model.params.diplomacy
    while model.running:
        if model.week_index < 30:  # recent deaths at the post's cell worth 3 x its tolerance
            model.violence[agent.xy] += 3 * agent.tolerance * p.violence_scale
        model.step()
    changes = model.log.to_frame().query("kind == 'post_status'")["detail"].str.split(":").str[0].tolist()
    assert changes[:2] == ["open -> reduced", "reduced -> closed"]
    assert changes[2:] == ["closed -> reduced", "reduced -> open"]
    assert agent.status is PostStatus.OPEN


def test_lost_peacekeepers_stop_counting_once_the_loss_is_old():
    """The mission-loss term rises when the mission leaves, then fades: no permanent penalty."""
    post = {"name": "E", "sending_country": "N", **BAMAKO, "covers": ["ML"]}
    camps = [{"name": "Bamako", **BAMAKO}]
    sc = scenario(
        weeks=60,
        states=[mali_army()],
        peacekeepers=mission(camps, personnel=10000, withdrawal={"start": "2020-01-08", "duration_weeks": 4}),
        posts=[post],
        mechanisms={"diplomacy": {"mission_memory_weeks": 8}},
    )
    model = SahelModel(sc, seed=1)
    agent = model.posts()[0]
    loss = []
    while model.running:
        model.step()
        loss.append(agent.components["mission_loss"])
    peak = max(loss)
    assert peak > 0.2 * model.params.diplomacy.weight_mission_loss
    assert loss[-1] < 0.05 * peak


def test_displaced_return_only_after_the_area_has_stayed_calm():
    """Violence in an empty cell next to the displaced (so nobody flees) holds their return back."""

    def displaced(weeks: int, violence: float) -> list[float]:
        model = SahelModel(scenario(weeks=weeks), seed=1)
        x, y = model.geo.cell_of(BAMAKO["lat"], BAMAKO["lon"])
        model.idp[x, y] = 1000.0
        model.population[x + 1, y] = 0.0
        model.violence[x + 1, y] = violence
        out = []
        while model.running:
            model.step()
            out.append(float(model.idp[x, y]))
        return out

    assert displaced(4, 0.0)[-1] < 1000.0
    held = displaced(60, 5000.0)
    calm_weeks = SahelModel(scenario()).params.population.return_calm_weeks
    assert held[: calm_weeks + 1] == [1000.0] * (calm_weeks + 1)
    assert held[-1] < 1000.0


def test_abandoned_post_is_retaken_when_partner_forces_near_outweigh_the_fighters():
    """Issue 16: Serval and the army retook Gao in 2013; the army alone could not hold it comfortably."""
    from sahel_sim.model.phases.schedule import _support

    force = partner(dt.date(2020, 1, 1), personnel=4000, effectiveness=0.8)
    sc = scenario(weeks=4, states=[mali_army(personnel=3000)], partners=[force])
    model = SahelModel(sc, seed=1)
    model.step()
    gao = next(u for u in model.units() if not u.is_partner and u.home.coordinate == u.xy and u.post_name == "Gao")
    gao.active = False
    support = _support(model, "ML", gao.home.coordinate)
    base = next(u for u in model.units() if u.force == "P")
    base.active = False
    assert support - _support(model, "ML", gao.home.coordinate) == pytest.approx(base.strength * 0.8)
    assert base.strength == pytest.approx(4000)  # the partner base counts, at its effectiveness
    base.active = True
    allocation, fighters = 1000.0, 1200.0  # holdable (>= 0.8 x fighters), not comfortably (< 3 x fighters)
    gao.check_reoccupy(allocation, fighters, support=0.0)
    assert not gao.active  # the army alone: no return
    gao.check_reoccupy(allocation, 1e6, support=support)
    assert not gao.active  # forces near weaker than the fighters: no contest
    gao.check_reoccupy(allocation, fighters, support=1e7)  # P(retake) ~ 1
    assert gao.active
    retaken = [e for e in model.log.week if e.kind == "post_reoccupied" and e.target == "Gao"]
    assert retaken and retaken[-1].detail.startswith("retaken: P ")
    gao.active = False
    gao.check_reoccupy(allocation, fighters, support=1e7)
    assert not gao.active  # a second try waits handover.retry_weeks


def test_positions_follow_every_move_placement_and_removal():
    # positions() reuses arrays while nobody moves (PositionCache); they must never be stale
    model, band = _model_with_band()
    bands = model.bands()
    units = [u for u in model.units() if u.active]

    def where(agents):
        return [a.cell.coordinate for a in agents]

    def listed(agents):
        xs, ys = positions(agents)
        return list(zip(xs.tolist(), ys.tolist(), strict=True))

    assert listed(bands) == where(bands) and listed(units) == where(units)
    x, y = band.xy
    band.cell = model.grid[(x + 1, y)]  # a move by any agent
    assert band.xy == (x + 1, y)
    assert listed(bands) == where(bands) and listed(units) == where(units)
    xs, _ = positions(bands)
    xs[:] = -1  # callers may write into what they get
    assert listed(bands) == where(bands)
    newcomer = InsurgentBand(model, model.grid[(x, y)], band.faction, band.faction_index, 50)
    assert listed([*bands, newcomer]) == [*where(bands), (x, y)]
    newcomer.remove()
    assert listed(bands) == where(bands)
    for _ in range(3):  # whole weeks: bands move, split and dissolve
        model.step()
        assert listed(model.bands()) == where(model.bands())
