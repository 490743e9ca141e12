"""Phase 6, population: violence memory, legitimacy, flight and return, control shares."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sahel_sim.model import fields as F
from sahel_sim.model.holdings import held_fighters

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel

NOMINAL_STATE_PRESENCE = 0.05  # presence of the state on any land cell of its own country


def run(model: SahelModel) -> None:
    """Update the population fields in place, in a fixed order."""
    p = model.params.population
    decay = math.exp(-1.0 / p.violence_memory_weeks)
    model.violence *= decay
    model.violence += model.deaths_week
    model.abuse *= math.exp(-1.0 / p.abuse_memory_weeks)
    gap = model.legitimacy_base - model.legitimacy
    model.legitimacy += p.legitimacy_recovery * np.sign(gap) * np.minimum(np.abs(gap), 1.0)
    _displacement(model)
    _control(model)


def _displacement(model: SahelModel) -> None:
    """People flee violent cells towards safer, more populous cells; the displaced slowly settle."""
    p = model.params.population
    safety = np.exp(-model.violence_per_100k() / p.flight_violence_scale)
    exposure = 1.0 - safety
    out_share = p.flight_max_share * exposure + model.blockades.flight  # blockaded towns empty (docs/ODD.md)
    open_land = model.land & (model.blockades.flight <= 0)  # and nobody flees into them
    attract = np.where(open_land, safety * (model.population + 1.0) ** p.town_pull, 0.0)
    attract *= 1.0 + model.presence.protection  # camps and protected towns pull
    radius = F.km_to_cells(p.flight_radius_km, model.resolution)
    outflow, inflow = F.flee(model.population, out_share, attract, radius)
    if outflow.sum() <= 0:
        _settle(model)
        return
    country = model.geo.country
    # Share of each cell's inflow that came from another country: estimated from the mix of
    # outflow origins within reach (exact per cell pair is not tracked).
    codes = _countries_with_flow(country, outflow)
    per_country = np.stack([F.window_sum(np.where(country == c, outflow, 0.0), radius) for c in codes])
    total_reach = per_country.sum(axis=0)
    foreign = np.zeros_like(outflow)
    for k, c in enumerate(codes):
        share = np.divide(per_country[k], total_reach, out=np.zeros_like(total_reach), where=total_reach > 0)
        arriving_from_c = inflow * share
        abroad = np.where(country != c, arriving_from_c, 0.0)
        foreign += abroad
        model.refugees_from[c] += abroad.sum()
    model.population[...] = model.population - outflow + inflow
    model.idp[...] = model.idp + (inflow - foreign)
    model.refugees[...] = model.refugees + foreign
    _settle(model)


def _countries_with_flow(country: np.ndarray, outflow: np.ndarray) -> list[int]:
    return [int(c) for c in np.unique(country[outflow > 0])]


def _settle(model: SahelModel) -> None:
    """A share of displaced people return or settle each week where it is calm and has stayed calm.

    The area people fled from is not tracked, so the area within flight reach of where they are
    stands for it: it must have stayed below ``return_calm_violence`` for ``return_calm_weeks``.
    """
    p = model.params.population
    radius = F.km_to_cells(p.flight_radius_km, model.resolution)
    area_violence = F.window_sum(model.violence, radius) / p.violence_memory_weeks
    area_people = np.maximum(F.window_sum(model.population, radius), 1.0)
    calm_week = area_violence / area_people * 1e5 < p.return_calm_violence
    model.calm_weeks[...] = np.where(calm_week, model.calm_weeks + 1.0, 0.0)
    settled = model.calm_weeks >= p.return_calm_weeks
    calm = np.exp(-model.violence_per_100k() / p.flight_violence_scale)
    for field in (model.idp, model.refugees):
        field *= np.where(settled, 1.0 - p.return_rate * calm, 1.0)
    total_abroad = model.refugees.sum()
    held = model.refugees_from.sum()
    if held > 0:
        model.refugees_from *= total_abroad / held


def _control(model: SahelModel) -> None:
    """Presence shares relax towards the balance of force; towns that change hands are logged."""
    c = model.params.control
    pres = model.presence
    r_op = F.km_to_cells(model.params.combat.operating_radius_km, model.resolution)
    admin = model.capacity[model.geo.country] * (NOMINAL_STATE_PRESENCE + c.state_admin_presence * model.settled)
    forces = pres.state_op + model.params.peacekeeping.state_support * pres.peacekeepers_reach
    state = np.where(model.land, admin + c.force_presence_per_1000 * forces / 1000.0, 0.0)
    fighters = pres.fighters
    held = held_fighters(model)  # armed holders of vacated camps and held towns keep a guard there
    if held is not None:
        fighters = fighters + held
    factions = [c.fighter_presence_per_1000 * F.window_sum(f, r_op) / 1000.0 for f in fighters]
    total = state + sum(factions, np.zeros_like(state))
    safe = total > 0
    # Where nobody has any presence, the land is nominally the state's, so shares still sum to one.
    target_state = np.divide(state, total, out=np.where(model.land, 1.0, 0.0), where=safe)
    rate = c.influence_adjust_rate
    before = F.control_labels(model.state_share, model.faction_share, c.control_threshold)
    model.state_share += rate * (target_state - model.state_share)
    for f in range(len(factions)):
        target = np.divide(factions[f], total, out=np.zeros_like(state), where=safe)
        model.faction_share[f] += rate * (target - model.faction_share[f])
    after = F.control_labels(model.state_share, model.faction_share, c.control_threshold)
    model.control = after
    _log_town_changes(model, before, after)


def _log_town_changes(model: SahelModel, before: np.ndarray, after: np.ndarray) -> None:
    names = ["state"] + [f.name for f in model.config.factions]
    for town in model.key_towns:
        x, y = town["xy"]
        if before[x, y] != after[x, y]:
            old = "contested" if before[x, y] < 0 else names[before[x, y]]
            new = "contested" if after[x, y] < 0 else names[after[x, y]]
            model.record_event("control_change", new, town["name"], (x, y), detail=f"{old} -> {new}")
