"""Phase 3, insurgents: recruitment, desertion, splitting, movement, attacks and rival clashes.

The per-cell parts (the recruitment pool, the movement score) are computed once per faction over
whole arrays; each band then decides with a handful of look-ups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sahel_sim import fields as F
from sahel_sim.agents import CampStatus
from sahel_sim.agents.base import pairs_within, positions

if TYPE_CHECKING:
    from sahel_sim.model import SahelModel


def run_phase(model: SahelModel) -> None:
    """Run the insurgent phase for every band, in a random order."""
    bands = model.bands()
    if not bands:
        return
    p = model.params
    pres = model.presence
    r_vision = F.km_to_cells(p.population.vision_km, model.resolution)
    willing_people = model.population * model.willing
    pools = []
    for faction in model.config.factions:
        reachable = F.window_sum(np.where(allowed_cells(model, faction), willing_people, 0.0), r_vision)
        pools.append(np.maximum(p.insurgency.mobilisation_cap * reachable - pres["fighters_vision"], 0.0))
    model.rng.shuffle(bands)
    for band in bands:
        x, y = band.xy
        own = float(model.faction_share[band.faction_index][x, y])
        pool = pools[band.faction_index]
        band.recruit_and_desert(float(pool[x, y]), own, float(pres["bands_vision"][x, y]))
        band.split_or_dissolve()

    bands = model.bands()
    model.rng.shuffle(bands)
    scores = [movement_score(model, f, pools[f]) for f in range(len(model.config.factions))]
    r_move = F.km_to_cells(p.insurgency.move_km, model.resolution)
    for band in bands:
        band.move(scores[band.faction_index], r_move)

    _attacks(model, bands)
    _clashes(model, bands)
    for band in model.bands():
        if band.strength < p.insurgency.band_min_strength:
            band.remove()


def allowed_cells(model: SahelModel, faction) -> np.ndarray:
    """Cells of the countries a faction operates in (it moves and recruits only there)."""
    codes = model.geo.country_codes
    return np.isin(model.geo.country, [codes.index(c) for c in faction.countries if c in codes])


def movement_score(model: SahelModel, faction_index: int, pool: np.ndarray) -> np.ndarray:
    """Where a faction's bands want to be: recruits and own presence, away from superior force.

    score = log(1 + pool) + own share - fear_of_force * log(1 + force / (own fighters + 1)), where
    force counts army and partner personnel within operating radius plus peacekeepers weighted by
    ``state_support``; -inf outside the faction's countries. Separatist factions stay within reach of their start areas.

    Args:
        model: The model.
        faction_index: Which faction.
        pool: Unmobilised capacity within vision per cell (the opportunity a band sees; it shrinks
            where fighters already are, so bands spread out).

    Returns:
        Score per cell.

    """
    p = model.params
    pres = model.presence
    faction = model.config.factions[faction_index]
    r_op = F.km_to_cells(p.combat.operating_radius_km, model.resolution)
    own = F.window_sum(pres["fighters"][faction_index], r_op)
    force = pres["state_op"] + p.peacekeeping.state_support * pres["pk_near"]
    score = (np.log1p(pool) + model.faction_share[faction_index]
             - p.insurgency.fear_of_force * np.log1p(force / (own + 1.0)))
    score = np.where(allowed_cells(model, faction), score, -np.inf)
    if faction.ideology == "separatist":
        home = np.zeros_like(score, dtype=bool)
        r_home = F.km_to_cells(p.insurgency.reach_km * 2, model.resolution)
        for area in faction.start_areas:
            x, y = model.geo.cell_of(area.lat, area.lon)
            home[max(0, x - r_home):x + r_home + 1, max(0, y - r_home):y + r_home + 1] = True
        score = np.where(home, score, -np.inf)
    return score


def _attacks(model: SahelModel, bands: list) -> None:
    r = F.km_to_cells(model.params.insurgency.reach_km, model.resolution)
    units = [u for u in model.units() if u.active and u.strength >= 1]
    camps = [c for c in model.camps() if c.status in (CampStatus.OPEN, CampStatus.DRAINING) and c.strength >= 1]
    convoys = [c for c in model.convoys() if c.strength >= 1]
    posts = [p for p in model.posts() if p.is_open]
    groups = {"army": units, "peacekeepers": camps, "convoy": convoys, "diplomatic": posts}
    bx, by = positions(bands)
    near = {k: pairs_within(bx, by, *positions(v), r) for k, v in groups.items()}
    pres = model.presence
    for n, band in enumerate(bands):
        if band.strength < 1:
            continue
        x, y = band.xy
        targets = {k: [groups[k][i] for i in near[k][n]] for k in groups}
        band.attack(targets, float(pres["deterrence"][x, y]), float(pres["protection"][x, y]))


def _clashes(model: SahelModel, bands: list) -> None:
    factions = model.config.factions
    rival = np.array([[g.name in f.rivals or f.name in g.rivals for g in factions] for f in factions], dtype=bool)
    if not bands or not rival.any():
        return
    r = F.km_to_cells(model.params.insurgency.reach_km, model.resolution)
    rate = model.params.insurgency.rival_clash_rate
    xs, ys = positions(bands)
    fi = np.array([b.faction_index for b in bands])
    for a, near in enumerate(pairs_within(xs, ys, xs, ys, r)):
        near = near[(near > a) & rival[fi[a], fi[near]]]
        for b in near.tolist():
            if bands[a].strength >= 1 and bands[b].strength >= 1 and model.rng.random() < rate:
                bands[a].clash(bands[b])
