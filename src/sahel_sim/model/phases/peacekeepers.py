"""Phase 5, peacekeepers: mine and IED losses at the camps; withdrawing convoys move."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sahel_sim.model import fields as F

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel


def run(model: SahelModel) -> None:
    """Each camp suffers IED casualties in proportion to insurgent presence around it; convoys advance."""
    r = F.km_to_cells(model.params.peacekeeping.protection_radius_km, model.resolution)
    fighters = model.presence.fighters.sum(axis=0)
    presence = F.window_sum(fighters, r) / 1000.0 * model.params.control.force_presence_per_1000
    for camp in model.camps():
        camp.ied_casualties(float(presence[camp.xy]))
    for convoy in model.convoys():
        convoy.advance()
