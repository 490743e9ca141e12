"""Phase 4, forces: army and partner units engage bands; remote posts are abandoned when overstretched."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sahel_sim.model import fields as F
from sahel_sim.model.accords import bound_factions
from sahel_sim.model.agents.base import positions, strengths
from sahel_sim.model.spatial import group_bounds, pairs_within

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel


def run(model: SahelModel) -> None:
    """Each active unit mounts operations against the strongest bands within its operating radius.

    A unit of strength S mounts Poisson(engagement_rate x max(1, S / 1000)) operations a week, each
    against a different band in range, strongest first: bigger garrisons patrol more.
    """
    p = model.params.combat
    r = F.km_to_cells(p.operating_radius_km, model.resolution)
    units = [u for u in model.units() if u.active and u.strength >= 1]
    bands = model.bands()
    bound = bound_factions(model)
    targets = [b for b in bands if not bound[b.faction_index]] if bound.any() else bands
    if targets and units:
        _engage(model, units, targets, r)
    fighters = np.zeros(model.land.shape)
    np.add.at(fighters, positions(bands), strengths(bands))
    fighters_op = F.window_sum(fighters, r)
    model.presence.fighters_op = fighters_op
    for unit in model.units():
        unit.check_overstretch(float(fighters_op[unit.xy]))
    for band in bands:
        if band.strength < model.params.insurgency.band_min_strength:
            band.remove()


def _within_jurisdiction(
    model: SahelModel, units: list, band_xy: tuple[np.ndarray, np.ndarray], unit_of: np.ndarray, band_of: np.ndarray
) -> np.ndarray:
    """Which (unit, band) pairs may fight: a national army only inside its own country.

    National armies do not operate across borders (their cross-border pursuit was rare and is left
    out); partner forces (Serval/Barkhane, Takuba, Wagner) may, as they did in the region.

    Returns:
        A boolean mask over the pairs.
    """
    index = {code: i for i, code in reversed(list(enumerate(model.geo.country_codes)))}  # as tuple.index
    home = np.array([-1 if u.is_partner else index[u.country] for u in units], dtype=np.int64)
    band_country = model.geo.country[band_xy].astype(np.int64)
    return (home[unit_of] < 0) | (home[unit_of] == band_country[band_of])


def _engage(model: SahelModel, units: list, bands: list, radius: int) -> None:
    """Units with bands in range draw their operations at once, then engage in random order.

    At its turn a unit engages the strongest of the bands in range that still have a fighter.
    """
    rate = model.params.combat.engagement_rate
    band_xy = positions(bands)
    unit_of, in_range = pairs_within(*positions(units), *band_xy, radius)
    keep = _within_jurisdiction(model, units, band_xy, unit_of, in_range)
    unit_of, in_range = unit_of[keep], in_range[keep]
    strength = strengths(bands)
    in_reach = np.bincount(unit_of[strength[in_range] >= 1], minlength=len(units)) > 0
    personnel = strengths(units)
    operations = np.zeros(len(units), dtype=np.int64)
    operations[in_reach] = model.streams.forces.poisson(rate * np.maximum(1.0, personnel[in_reach] / 1000.0))
    bounds = group_bounds(unit_of, len(units))
    active = np.flatnonzero(operations > 0)
    for n in model.streams.forces.permutation(active).tolist():
        unit = units[n]
        near = [i for i in in_range[bounds[n] : bounds[n + 1]].tolist() if strength[i] >= 1]
        near.sort(key=lambda i: (-strength[i], i))  # strongest first, then by index (as a lexsort)
        for i in near[: operations[n]]:
            if unit.strength >= 1 and bands[i].strength >= 1:
                unit.engage(bands[i])
                strength[i] = bands[i].strength
