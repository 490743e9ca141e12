"""Shared helpers for agents that stand on the grid.

Every agent on the grid keeps its cell's coordinate in :attr:`OnGrid.xy`, set whenever its ``cell``
is, and counts the move on the model's :class:`PositionCache`; :func:`positions` reuses the arrays it
built for the same agents while none of them has moved since.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sahel_sim.model.events import Event

if TYPE_CHECKING:
    from mesa.discrete_space import Cell

    from sahel_sim.model.sahel_model import SahelModel


class PositionCache:
    """The cells of the last few lists of agents, valid until an agent on the grid changes cell.

    Attributes:
        moves: Moves of the model's agents so far (from one cell to another; first placements and
            removals from the grid change no position that was cached, so they do not count).
        entries: (moves when built, the agents, their x, their y), newest last.

    """

    SIZE = 4

    def __init__(self) -> None:
        self.moves = 0
        self.entries: list[tuple[int, list, np.ndarray, np.ndarray]] = []

    def get(self, agents: list) -> tuple[np.ndarray, np.ndarray] | None:
        """Copies of the cached (x, y) of exactly these agents in this order, if none moved since."""
        for moves, cached, xs, ys in self.entries:
            if moves == self.moves and cached == agents:  # list equality: identity of each agent first
                return xs.copy(), ys.copy()
        return None

    def put(self, agents: list, xs: np.ndarray, ys: np.ndarray) -> None:
        """Remember the (x, y) of ``agents`` (copies are kept); forget entries made before the last move."""
        self.entries = [e for e in self.entries[-(self.SIZE - 1) :] if e[0] == self.moves]
        self.entries.append((self.moves, list(agents), xs.copy(), ys.copy()))


#: ``xy`` of an agent not yet placed on the grid.
UNPLACED: tuple[int, int] = (-1, -1)


_MESA_CELL: dict[type, property] = {}


def _mesa_cell(cls: type) -> property:
    """Mesa's ``cell`` property for an agent class (``CellAgent``'s or ``FixedAgent``'s), looked up once."""
    found = _MESA_CELL.get(cls)
    if found is None:
        found = _MESA_CELL[cls] = super(OnGrid, cls).cell  # type: ignore[misc]
    return found


class OnGrid:
    """Mixin: grid coordinates, place and area of an agent, and event recording.

    Attributes:
        xy: The agent's cell as (x, y) (:data:`UNPLACED` before it is placed; after it has left the
            grid, the last cell it stood in).

    """

    model: SahelModel
    xy: tuple[int, int] = UNPLACED

    @property
    def cell(self) -> Cell | None:
        """The agent's cell (Mesa's ``CellAgent`` or ``FixedAgent`` rules apply when it is set)."""
        return self._mesa_cell  # type: ignore[attr-defined]

    @cell.setter
    def cell(self, cell: Cell | None) -> None:
        setter = _mesa_cell(type(self)).fset
        assert setter is not None
        setter(self, cell)
        if cell is not None:
            if self.xy != UNPLACED:  # a move (a first placement changes no cached position)
                self.model.position_cache.moves += 1
            self.xy = cell.coordinate

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
    if not agents:
        return np.array([], dtype=np.intp), np.array([], dtype=np.intp)
    cache = agents[0].model.position_cache
    found = cache.get(agents)
    if found is not None:
        return found
    cells = [a.xy for a in agents]
    xs = np.fromiter([c[0] for c in cells], dtype=np.intp, count=len(cells))
    ys = np.fromiter([c[1] for c in cells], dtype=np.intp, count=len(cells))
    cache.put(agents, xs, ys)
    return xs, ys


def strengths(agents: list) -> np.ndarray:
    """The agents' ``strength`` (fighters or personnel) as a float array."""
    return np.fromiter([a.strength for a in agents], dtype=float, count=len(agents))
