"""Where a week's time goes: wall time of each phase of :data:`sahel_sim.model.phases.PHASES`.

Used by the benchmark (``python -m sahel_sim bench``) to show which part of a step grows with the
number of agents and which is whole-grid work that does not. The model times its own phases when its
``phase_seconds`` is a dict; nothing is patched.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sahel_sim.model.phases import PHASES

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel

#: Phases whose work is per cell of the map, whatever the number of agents (apart from building the
#: presence fields from agent positions, which is one vectorised pass).
GRID_PHASES = ("presence", "population", "metrics")


def time_phases(model: SahelModel, weeks: int) -> dict[str, float]:
    """Step ``model`` up to ``weeks`` weeks and return the seconds spent in each phase.

    Args:
        model: A model (its state advances exactly as it would untimed).
        weeks: Weeks to step at most (fewer if the scenario ends).

    Returns:
        Seconds per phase name (see :data:`~sahel_sim.model.phases.PHASES`), ``other`` (the step's
        own book-keeping) and ``total``, summed over the weeks stepped, and ``weeks``.
    """
    model.phase_seconds = dict.fromkeys((phase.name for phase in PHASES), 0.0)
    stepped = 0
    started = time.perf_counter()
    try:
        while model.running and stepped < weeks:
            model.step()
            stepped += 1
        total = time.perf_counter() - started
        spent = dict(model.phase_seconds)
    finally:
        model.phase_seconds = None
    return {**spent, "other": total - sum(spent.values()), "total": total, "weeks": stepped}
