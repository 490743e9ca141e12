"""Save and restore a whole model in memory (for branching), faster than pickling it whole.

Two costs dominate a plain ``pickle`` of a model after years of simulated weeks: the history (the
event log's events and the metrics recorder's weekly rows, tens of thousands of objects) and Mesa
3.5's reducer for grid cells, which creates a new cell class per cell on loading. A
:class:`Snapshot` therefore keeps the history as the lists they are (never changed once written: an
event or a week's row is complete when the week ends) and gives each restored model shallow copies
of them, and pickles cells by their state with one shared class per grid; the grid's own
``__setstate__`` then reconnects neighbours and property accessors as Mesa does. A restored model
continues exactly as the original would (tested: branched runs are byte-identical to fresh ones).
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass
from typing import Any

from mesa.discrete_space import Cell


@dataclass(frozen=True)
class Snapshot:
    """A model's state: pickled bytes and its history, shared by every model restored from it."""

    state: bytes
    events: list
    rows: list


class _CellClass:
    """Stands for a grid's dynamic ``GridCell`` class; loading it creates one class per grid."""

    def __init__(self, parent: type):
        self.parent = parent
        self.klass = type("GridCell", (parent,), {"_mesa_properties": set(), "__slots__": ()})

    def __reduce__(self) -> tuple:
        return (_CellClass, (self.parent,))


def _cell(holder: _CellClass, state: tuple) -> Cell:
    cell: Any = object.__new__(holder.klass)
    attributes, slots = state if isinstance(state, tuple) else (state, None)
    for values in (attributes, slots):
        for key, value in (values or {}).items():
            object.__setattr__(cell, key, value)
    return cell


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._holders: dict[type, _CellClass] = {}

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if isinstance(obj, Cell) and kind.__name__ == "GridCell" and kind.__bases__:
            holder = self._holders.get(kind)
            if holder is None:
                holder = self._holders[kind] = _CellClass(kind.__bases__[0])
            return _cell, (holder, obj.__getstate__())
        return NotImplemented


def dumps(model: Any) -> Snapshot:
    """The model's whole state (the model is left as it was)."""
    events, rows = model.log.events, model.metrics.rows
    model.log.events, model.metrics.rows = [], []
    try:
        buffer = io.BytesIO()
        _Pickler(buffer).dump(model)
    finally:
        model.log.events, model.metrics.rows = events, rows
    return Snapshot(buffer.getvalue(), list(events), list(rows))


def loads(snapshot: Snapshot) -> Any:
    """A new, independent model from a snapshot."""
    model = pickle.loads(snapshot.state)
    model.log.events, model.metrics.rows = list(snapshot.events), list(snapshot.rows)
    return model
