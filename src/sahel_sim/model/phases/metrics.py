"""Phase 8, metrics: the week's row of every stability metric, computed from the state."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel


def run(model: SahelModel) -> None:
    """Append this week's metrics (see :mod:`sahel_sim.model.metrics`)."""
    model.metrics.collect()
