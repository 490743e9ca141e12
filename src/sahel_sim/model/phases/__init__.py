"""The phases of a week, one module each, and their order, declared once in :data:`PHASES`.

``SahelModel.step`` runs :data:`PHASES` in order and the benchmark times the same list. Each phase is
a function of the model: it decides over arrays of agents and cells and lets agents act (move,
strike, change status); agents hold state, phases hold the rules' decisions (docs/ODD.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sahel_sim.model.phases import (
    accords,
    forces,
    handover,
    insurgents,
    metrics,
    peacekeepers,
    population,
    posts,
    presence,
    schedule,
)

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel


@dataclass(frozen=True)
class Phase:
    """One phase of the week.

    Attributes:
        name: The phase's name (also its module's).
        run: Runs the phase on a model, changing it in place.

    """

    name: str
    run: Callable[[SahelModel], None]


#: The week, in order (docs/ODD.md, "Process overview and scheduling").
PHASES: tuple[Phase, ...] = (
    Phase("schedule", schedule.run),
    Phase("presence", presence.run),
    Phase("insurgents", insurgents.run),
    Phase("forces", forces.run),
    Phase("peacekeepers", peacekeepers.run),
    Phase("handover", handover.run),
    Phase("accords", accords.run),
    Phase("population", population.run),
    Phase("posts", posts.run),
    Phase("metrics", metrics.run),
)
