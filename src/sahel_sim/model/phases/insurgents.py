"""Phase 3, insurgents: recruitment, desertion, splitting, movement, attacks and rival clashes.

The per-cell parts (the recruitment pool, the movement score) are computed once per faction over
whole arrays, and every band rule is applied to all bands at once as arrays
(:mod:`sahel_sim.model.agents.insurgents`). Python loops over bands remain only where a band acts on
another agent: splitting, changing cell, striking a target, clashing with a rival.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sahel_sim.model import fields as F
from sahel_sim.model.accords import bound_factions
from sahel_sim.model.agents import CampStatus
from sahel_sim.model.agents.base import positions, strengths
from sahel_sim.model.agents.insurgents import (
    TARGET_KINDS,
    attack_probability,
    best_cells,
    civilian_deaths_asked,
    faction_indices,
    net_recruitment,
    target_kinds,
)
from sahel_sim.model.spatial import group_bounds, pairs_within

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel


def run(model: SahelModel) -> None:
    """Run the insurgent phase: recruit, split, move, attack (in a random order), clash."""
    bands = model.bands()
    if not bands:
        return
    p = model.params
    held = held_cells(model)
    pools = recruitment_pools(model, held)
    _recruit(model, bands, pools)

    bands = model.bands()
    scores = np.stack([movement_score(model, f, pools[f], held) for f in range(len(model.config.factions))])
    xs, ys = positions(bands)
    fi = faction_indices(bands)
    tx, ty = best_cells(
        scores, fi, xs, ys, F.km_to_cells(p.insurgency.move_km, model.resolution), model.streams.insurgents
    )
    for n in np.flatnonzero((tx != xs) | (ty != ys)).tolist():
        bands[n].cell = model.grid[(int(tx[n]), int(ty[n]))]

    order = model.streams.insurgents.permutation(len(bands))
    bands = [bands[n] for n in order.tolist()]
    _attacks(model, bands, tx[order], ty[order], fi[order])
    _clashes(model, bands, tx[order], ty[order], fi[order])
    for band in model.bands():
        if band.strength < p.insurgency.band_min_strength:
            band.remove()


def held_cells(model: SahelModel) -> np.ndarray:
    """Cells the state holds: within ``army.garrison_hold_km`` of an active national garrison.

    A garrison of at least one soldier holds its own cell (and the cells within ``garrison_hold_km``,
    a square window of :func:`fields.km_to_cells` cells): armed groups neither recruit its people
    nor move into it (they may still strike targets there from outside). Partner forces and
    peacekeepers hold none (they do not administer). Abandoned posts hold nothing until reoccupied.

    Returns:
        Boolean array over the grid.
    """
    units = [u for u in model.units() if u.active and not u.is_partner and u.strength >= 1]
    garrisons = np.zeros(model.land.shape)
    if units:
        np.add.at(garrisons, positions(units), 1.0)
    r = F.km_to_cells(model.params.army.garrison_hold_km, model.resolution)
    return F.window_sum(garrisons, r) > 0


def recruitment_pools(model: SahelModel, held: np.ndarray | None = None) -> np.ndarray:
    """Unmobilised capacity within vision per faction and cell (people), shape (factions, width, height).

    pool = mobilisation_cap x willing people within ``vision_km`` in the faction's countries and
    outside the cells the state holds (``held``; default :func:`held_cells`), less the fighters
    already within vision.
    """
    p = model.params
    r_vision = F.km_to_cells(p.population.vision_km, model.resolution)
    held = held_cells(model) if held is None else held
    willing_people = np.where(held, 0.0, model.population * model.presence.willing)
    return np.stack(
        [
            np.maximum(
                p.insurgency.mobilisation_cap
                * F.window_sum(np.where(model.faction_cells[f], willing_people, 0.0), r_vision)
                - model.presence.fighters_vision,
                0.0,
            )
            for f in range(len(model.config.factions))
        ]
    )


def _recruit(model: SahelModel, bands: list, pools: np.ndarray) -> None:
    """Every band recruits and loses deserters; then bands too large split and too small dissolve."""
    ins = model.params.insurgency
    xs, ys = positions(bands)
    fi = faction_indices(bands)
    recruitment = np.array([f.recruitment for f in model.config.factions])[fi]
    own = np.stack(model.faction_share)[fi, xs, ys]
    strength = strengths(bands)
    strength += net_recruitment(
        model.streams.insurgents,
        ins,
        recruitment,
        own,
        pools[fi, xs, ys],
        model.presence.bands_vision[xs, ys],
        strength,
    )
    for band, value in zip(bands, strength.tolist(), strict=True):
        band.strength = value
    for n in np.flatnonzero((strength < ins.band_min_strength) | (strength > ins.band_split_strength)).tolist():
        bands[n].split_or_dissolve()


def allowed_cells(model: SahelModel, faction_index: int) -> np.ndarray:
    """Cells of the countries a faction operates in: it moves, recruits, splits and strikes only there.

    A faction operates in its ``countries``; a separatist faction only in those of them that hold
    one of its start areas (its home country: separatists fight for a part of one state).
    """
    codes = model.geo.country_codes
    faction = model.config.factions[faction_index]
    countries = [codes.index(c) for c in faction.countries if c in codes]
    if faction.ideology == "separatist":
        home = {int(model.geo.country[model.geo.cell_of(a.lat, a.lon)]) for a in faction.start_areas}
        countries = [c for c in countries if c in home]
    return np.isin(model.geo.country, countries)


def movement_score(
    model: SahelModel, faction_index: int, pool: np.ndarray, held: np.ndarray | None = None
) -> np.ndarray:
    """Where a faction's bands want to be: recruits and own presence, away from superior force.

    score = log(1 + pool) + own share - fear_of_force * log(1 + force / (own fighters + 1)), where
    force counts army and partner personnel within operating radius plus peacekeepers weighted by
    ``state_support``; -inf outside the faction's countries and in the cells the state holds.
    Separatist factions stay within reach of their start areas.

    Args:
        model: The model.
        faction_index: Which faction.
        pool: Unmobilised capacity within vision per cell (the opportunity a band sees; it shrinks
            where fighters already are, so bands spread out).
        held: Cells the state holds (default :func:`held_cells`); bands do not move into them.

    Returns:
        Score per cell.

    """
    p = model.params
    pres = model.presence
    faction = model.config.factions[faction_index]
    r_op = F.km_to_cells(p.combat.operating_radius_km, model.resolution)
    own = F.window_sum(pres.fighters[faction_index], r_op)
    force = pres.state_op + p.peacekeeping.state_support * pres.peacekeepers_reach
    score = (
        np.log1p(pool) + model.faction_share[faction_index] - p.insurgency.fear_of_force * np.log1p(force / (own + 1.0))
    )
    held = held_cells(model) if held is None else held
    score = np.where(model.faction_cells[faction_index] & ~held, score, -np.inf)
    if faction.ideology == "separatist":
        home = np.zeros_like(score, dtype=bool)
        r_home = F.km_to_cells(p.insurgency.reach_km * 2, model.resolution)
        for area in faction.start_areas:
            x, y = model.geo.cell_of(area.lat, area.lon)
            home[max(0, x - r_home) : x + r_home + 1, max(0, y - r_home) : y + r_home + 1] = True
        score = np.where(home, score, -np.inf)
    return score


def _attacks(model: SahelModel, bands: list, xs: np.ndarray, ys: np.ndarray, fi: np.ndarray) -> None:
    """Bands decide at once whether to attack and what kind of target; then strike in the order of ``bands``.

    Attacks on civilians choose their cell (the most exposed within reach, from the population as
    it stood before this week's attacks) and the deaths they aim at all at once. ``xs``, ``ys`` and
    ``fi`` are the bands' cells and faction indices.
    """
    ins = model.params.insurgency
    factions = model.config.factions
    deterrence = model.presence.deterrence[xs, ys]
    aggression = np.array([f.aggression for f in factions])[fi]
    strength = strengths(bands)
    chance = attack_probability(ins.attack_rate, aggression, deterrence)
    attackers = np.flatnonzero((strength >= 1) & (model.streams.insurgents.random(len(bands)) < chance))
    if not attackers.size:
        return
    groups: dict[str, list[Any]] = {
        "army": [u for u in model.units() if u.active and u.strength >= 1],
        "peacekeepers": [
            c for c in model.camps() if c.status in (CampStatus.OPEN, CampStatus.DRAINING) and c.strength >= 1
        ],
        "convoy": [c for c in model.convoys() if c.strength >= 1],
        "diplomatic": [p for p in model.posts() if p.is_open],
    }
    r = F.km_to_cells(ins.reach_km, model.resolution)
    cells = np.stack(model.faction_cells)
    near: dict[str, tuple[list[int], list[int]]] = {}
    available = np.zeros((attackers.size, len(groups)), dtype=bool)
    for c, (kind, agents) in enumerate(groups.items()):
        tx, ty = positions(agents)
        rows, cols = pairs_within(xs[attackers], ys[attackers], tx, ty, r)
        inside = cells[fi[attackers][rows], tx[cols], ty[cols]]  # targets in the attacker's own cells
        rows, cols = rows[inside], cols[inside]
        bounds = group_bounds(rows, attackers.size)
        available[:, c] = np.diff(bounds) > 0
        near[kind] = (bounds.tolist(), cols.tolist())
    fa = fi[attackers]
    # Parties to an accord in force attack no soldiers, peacekeepers or convoys (docs/ODD.md, "Peace accords").
    available[bound_factions(model)[fa], 0:3] = False  # columns: army, peacekeepers, convoy, diplomatic
    kinds = target_kinds(
        model.streams.insurgents,
        np.array([f.civilian_targeting for f in factions])[fa],
        np.array([f.international_targeting for f in factions])[fa],
        model.params.peacekeeping.convoy_exposure,
        available,
    )
    on_civilians = attackers[kinds == 0]
    cx, cy = np.empty(on_civilians.size, dtype=np.intp), np.empty(on_civilians.size, dtype=np.intp)
    for f in np.unique(fi[on_civilians]).tolist():  # each faction strikes only in its own cells
        mine = fi[on_civilians] == f
        cx[mine], cy[mine] = model.most_exposed_cells(
            xs[on_civilians[mine]], ys[on_civilians[mine]], ins.reach_km, model.faction_cells[f]
        )
    asked = civilian_deaths_asked(
        model.streams.insurgents, ins.lethality, strength[on_civilians], model.presence.protection[cx, cy]
    )
    civilian_strikes = iter(zip(cx.tolist(), cy.tolist(), asked.tolist(), strict=True))
    for m, (n, k) in enumerate(zip(attackers.tolist(), kinds.tolist(), strict=True)):
        if k == 0:
            x, y, people = next(civilian_strikes)
            bands[n].strike_civilians((x, y), people)
        elif k > 0:
            kind = TARGET_KINDS[k]
            starts, members = near[kind]
            bands[n].strike_armed(kind, [groups[kind][j] for j in members[starts[m] : starts[m + 1]]])


def _clashes(model: SahelModel, bands: list, xs: np.ndarray, ys: np.ndarray, fi: np.ndarray) -> None:
    """Each band, with chance ``rival_clash_rate``, engages one rival band within reach, chosen at random.

    Only rivalries in force this week count (:func:`rivalries`).

    A band fights the clash it starts plus those other bands start with it, so the number of clashes
    grows with the number of bands, not with the number of pairs of bands. ``xs``, ``ys`` and ``fi``
    are the bands' cells and faction indices.
    """
    rival = rivalries(model.config.factions, model.date)
    if not rival.any():
        return
    ins = model.params.insurgency
    r = F.km_to_cells(ins.reach_km, model.resolution)
    strength = strengths(bands)
    seeking = (strength >= 1) & (model.streams.insurgents.random(len(bands)) < ins.rival_clash_rate)
    pairs: list[tuple[int, int]] = []
    for f in np.flatnonzero(rival.any(axis=1)).tolist():
        seekers = np.flatnonzero(seeking & (fi == f))
        rivals = np.flatnonzero(rival[f][fi] & (strength >= 1))
        rows, cols = pairs_within(xs[seekers], ys[seekers], xs[rivals], ys[rivals], r)
        if not rows.size:
            continue
        bounds = group_bounds(rows, seekers.size)
        counts = np.diff(bounds)
        found = np.flatnonzero(counts)
        pick = bounds[found] + (model.streams.insurgents.random(found.size) * counts[found]).astype(np.intp)
        pairs += zip(seekers[found].tolist(), rivals[cols[pick]].tolist(), strict=True)
    for a, b in sorted(pairs):
        if bands[a].strength >= 1 and bands[b].strength >= 1:
            bands[a].clash(bands[b])


def rivalries(factions, date) -> np.ndarray:
    """Which factions fight which on ``date``: a symmetric boolean matrix over the scenario's factions.

    Two factions are rivals when either names the other in ``rivals`` and that rivalry's ``from``
    date (if any) is not after ``date``.
    """

    def fights(f, g) -> bool:
        return any(r.name == g.name and r.active_on(date) for r in f.rivals)

    return np.array([[fights(f, g) or fights(g, f) for g in factions] for f in factions], dtype=bool)
