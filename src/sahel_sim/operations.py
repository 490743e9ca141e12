"""Phase 4, forces: army and partner units engage bands; remote posts are abandoned when overstretched."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sahel_sim import fields as F
from sahel_sim.agents.base import pairs_within, positions

if TYPE_CHECKING:
    from sahel_sim.model import SahelModel


def run_phase(model: SahelModel) -> None:
    """Each active unit mounts operations against the strongest bands within its operating radius.

    A unit of strength S mounts Poisson(engagement_rate x max(1, S / 1000)) operations a week, each
    against a different band in range, strongest first: bigger garrisons patrol more.
    """
    p = model.params.combat
    r = F.km_to_cells(p.operating_radius_km, model.resolution)
    units = [u for u in model.units() if u.active and u.strength >= 1]
    model.rng.shuffle(units)
    bands = model.bands()
    if bands and units:
        in_range = pairs_within(*positions(units), *positions(bands), r)
        for unit, candidates in zip(units, in_range, strict=True):
            near = [i for i in candidates.tolist() if bands[i].strength >= 1]
            if not near:
                continue
            operations = int(model.rng.poisson(p.engagement_rate * max(1.0, unit.strength / 1000.0)))
            for i in sorted(near, key=lambda i: (-bands[i].strength, i))[:operations]:
                if unit.strength >= 1 and bands[i].strength >= 1:
                    unit.engage(bands[i])
    fighters = np.zeros(model.land.shape)
    for band in model.bands():
        fighters[band.xy] += band.strength
    fighters_op = F.window_sum(fighters, r)
    model.presence["fighters_op"] = fighters_op
    for unit in model.units():
        unit.check_overstretch(float(fighters_op[unit.xy]))
    for band in model.bands():
        if band.strength < model.params.insurgency.band_min_strength:
            band.remove()

