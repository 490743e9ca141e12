"""Shared helpers for agents that stand on the grid."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sahel_sim.events import Event

if TYPE_CHECKING:
    from sahel_sim.model import SahelModel


class OnGrid:
    """Mixin: grid coordinates, place and area of an agent, and event recording."""

    model: SahelModel

    @property
    def xy(self) -> tuple[int, int]:
        """The agent's cell as (x, y)."""
        return self.cell.coordinate

    def record(self, kind: str, actor: str, target: str, *, at: tuple[int, int] | None = None,
               detail: str = "", **fatalities: int) -> Event:
        """Log an event at the agent's cell (or ``at``) on the current date.

        Args:
            kind: One of :data:`sahel_sim.events.EVENT_KINDS`.
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
    return (np.array([a.xy[0] for a in agents], dtype=int), np.array([a.xy[1] for a in agents], dtype=int))


def within(xs: np.ndarray, ys: np.ndarray, x: int, y: int, radius: int) -> np.ndarray:
    """Indices of the points within a Chebyshev radius (cells) of (x, y), the same square windows as the fields."""
    return np.flatnonzero(np.maximum(np.abs(xs - x), np.abs(ys - y)) <= radius)
