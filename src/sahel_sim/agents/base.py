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


def pairs_within(ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, radius: int) -> list[np.ndarray]:
    """For each point a, the ascending indices of the points b within a Chebyshev radius (cells).

    One vectorised pass instead of one :func:`within` call per point; the same result.
    """
    if len(ax) == 0:
        return []
    if len(bx) == 0:
        return [np.empty(0, dtype=np.intp) for _ in range(len(ax))]
    close = np.maximum(np.abs(ax[:, None] - bx[None, :]), np.abs(ay[:, None] - by[None, :])) <= radius
    rows, cols = np.nonzero(close)
    return np.split(cols, np.searchsorted(rows, np.arange(1, len(ax))))


def nearest_within(origin: tuple[int, int], xs: np.ndarray, ys: np.ndarray, radius: int) -> int | None:
    """Index of the nearest point within a Chebyshev radius of ``origin`` (cells), or None."""
    if len(xs) == 0:
        return None
    d = np.maximum(np.abs(xs - origin[0]), np.abs(ys - origin[1]))
    i = int(np.argmin(d))
    return i if d[i] <= radius else None
