"""Where a week's time goes: wall time of each phase of :meth:`SahelModel.step`.

Used by the benchmark (``python -m sahel_sim bench``) to show which part of a step grows with the
number of agents and which is whole-grid work that does not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel

#: The phases in step order: (name shown, the model's method).
PHASES = (
    ("schedule", "_phase_schedule"),
    ("presence", "_phase_presence"),
    ("insurgents", "_phase_insurgents"),
    ("forces", "_phase_forces"),
    ("peacekeepers", "_phase_peacekeepers"),
    ("population", "_phase_population"),
    ("posts", "_phase_posts"),
)
#: Phases whose work is per cell of the map, whatever the number of agents (apart from building the
#: presence fields from agent positions, which is one vectorised pass).
GRID_PHASES = ("presence", "population", "metrics")


def time_phases(model: SahelModel, weeks: int) -> dict[str, float]:
    """Step ``model`` up to ``weeks`` weeks and return the seconds spent in each phase and in metrics.

    The model's phase methods are wrapped on this instance only; the model steps exactly as it would
    otherwise. Everything outside the phases (the date, the log) is counted under ``other``.

    Args:
        model: A model (its state advances).
        weeks: Weeks to step at most (fewer if the scenario ends).

    Returns:
        Seconds per phase name (see :data:`PHASES`), ``metrics``, ``other`` and ``total``, summed over
        the weeks stepped, and ``weeks``.
    """
    spent = dict.fromkeys([name for name, _ in PHASES] + ["metrics"], 0.0)

    def timed(name: str, method: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            started = time.perf_counter()
            method()
            spent[name] += time.perf_counter() - started

        return run

    for name, attribute in PHASES:
        setattr(model, attribute, timed(name, getattr(model, attribute)))
    model.metrics.collect = timed("metrics", model.metrics.collect)
    stepped = 0
    started = time.perf_counter()
    while model.running and stepped < weeks:
        model.step()
        stepped += 1
    total = time.perf_counter() - started
    return {**spent, "other": total - sum(spent.values()), "total": total, "weeks": stepped}
