"""Phase 7, blockades: armed groups holding the roads around garrison towns cut them off.

Runs after the population phase has updated control. Decides which key towns are blockaded this
week (:func:`sahel_sim.model.blockades.decide`), logs blockades that start or are lifted, and applies
what a blockade does: the local legitimacy loss now, and the supply cut and the extra flight through
the fields the next week's schedule and population phases read (docs/ODD.md, "Blockades").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sahel_sim.model import fields as F
from sahel_sim.model.accords import binding
from sahel_sim.model.blockades import decide, organisation_heads, organisation_labels, ring_shares

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel


def run(model: SahelModel) -> None:
    """Update the blockades of the key towns and apply their effects."""
    p = model.params.blockades
    state = model.blockades
    n_factions = len(model.config.factions)
    radius = max(1, F.km_to_cells(p.ring_radius_km, model.resolution))
    heads = organisation_heads(model.config.factions, model.date)
    control = model.control
    if (heads != np.arange(n_factions)).any():  # wings hold roads for their organisation
        control = organisation_labels(control, model.faction_share, heads, model.params.control.control_threshold)
    shares = ring_shares(control, model.land, state.towns, radius, n_factions)
    garrisons = {u.xy for u in model.units() if u.active and not u.is_partner}  # national posts only
    held = np.array([xy in garrisons for xy in state.towns], dtype=bool)
    bound = _bound_by_accords(model, state.towns, n_factions)
    state.by, changes = decide(state.by, shares, held, p.start_share, min(p.lift_share, p.start_share), bound)
    names = [f.name for f in model.config.factions]
    for t, f, what in changes:
        xy, town = state.towns[t], state.names[t]
        share = f"{names[f]} holds {shares[t, f]:.2f} of the ring"
        if what == "started":
            state.since[t] = model.week_index
            model.record_event("blockade_started", names[f], town, xy, detail=share)
        else:
            weeks = model.week_index - int(state.since[t])
            state.since[t] = -1
            model.record_event("blockade_lifted", names[f], town, xy, detail=f"{what}: {share}, after {weeks} weeks")
    blockaded = state.blockaded_cells()
    state.cut_off = frozenset(xy for xy, f in zip(state.towns, state.by.tolist(), strict=True) if f >= 0)
    state.flight = np.where(blockaded, p.flight_share, 0.0)
    model.abuse[blockaded] += p.legitimacy_loss


def _bound_by_accords(model: SahelModel, towns: list[tuple[int, int]], n_factions: int) -> np.ndarray:
    """``[town, faction]``: whether an accord in force binds the faction to the town's state."""
    codes = model.geo.country_codes
    bound = np.zeros((len(towns), n_factions), dtype=bool)
    by_country: dict[str, list[bool]] = {}  # the same for every town of a country
    for t, xy in enumerate(towns):
        country = codes[int(model.geo.country[xy])]
        if country not in by_country:
            by_country[country] = [binding(model, f, country) is not None for f in range(n_factions)]
        bound[t] = by_country[country]
    return bound
