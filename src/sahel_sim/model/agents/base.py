"""Shared helpers for agents that stand on the grid."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sahel_sim.model.events import Event

if TYPE_CHECKING:
    from mesa.discrete_space import Cell

    from sahel_sim.model.sahel_model import SahelModel


class OnGrid:
    """Mixin: grid coordinates, place and area of an agent, and event recording."""

    model: SahelModel
    cell: Cell  # given by Mesa's CellAgent, which every agent on the grid also is

    @property
    def xy(self) -> tuple[int, int]:
        """The agent's cell as (x, y)."""
        return self.cell.coordinate

    def record(
        self,
        kind: str,
        actor: str,
        target: str,
        *,
        at: tuple[int, int] | None = None,
        detail: str = "",
        **fatalities: int,
    ) -> Event:
        """Log an event at the agent's cell (or ``at``) on the current date.

        Args:
            kind: One of :data:`sahel_sim.model.events.EVENT_KINDS`.
            actor: Who acted.
            target: Who or what was hit.
            at: Cell of the event, default the agent's own.
            detail: Free text, e.g. a reason.
            **fatalities: ``fatalities_civilian=...`` etc.

        Returns:
            The recorded event.

        """
        return self.model.record_event(kind, actor, target, at or self.xy, detail=detail, **fatalities)


def positions(agents: list) -> tuple[np.ndarray, np.ndarray]:
    """Cell coordinates of agents as two integer arrays (x, y)."""
    xs, ys = [], []
    for a in agents:
        x, y = a.cell.coordinate
        xs.append(x)
        ys.append(y)
    return np.array(xs, dtype=np.intp), np.array(ys, dtype=np.intp)


def strengths(agents: list) -> np.ndarray:
    """The agents' ``strength`` (fighters or personnel) as a float array."""
    return np.fromiter((a.strength for a in agents), dtype=float, count=len(agents))
