"""Save and restore a whole model in memory (for branching), faster than Mesa's own pickling.

Mesa 3.5 pickles each grid cell with a reducer that creates a new cell class per cell on loading
(thousands of ``type()`` calls per model). :func:`dumps` pickles cells by their state and one shared
class per grid instead; :func:`loads` restores them, and the grid's own ``__setstate__`` then
reconnects neighbours and property accessors as Mesa does. The restored model continues exactly as
the original would (tested: branched runs are byte-identical to fresh ones).
"""

from __future__ import annotations

import io
import pickle
from typing import Any

from mesa.discrete_space import Cell


class _CellClass:
    """Stands for a grid's dynamic ``GridCell`` class; loading it creates one class per grid."""

    def __init__(self, parent: type):
        self.parent = parent
        self.klass = type("GridCell", (parent,), {"_mesa_properties": set(), "__slots__": ()})

    def __reduce__(self) -> tuple:
        return (_CellClass, (self.parent,))


def _cell(holder: _CellClass, state: tuple) -> Cell:
    cell = object.__new__(holder.klass)
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


def dumps(model: Any) -> bytes:
    """The model's whole state as bytes."""
    buffer = io.BytesIO()
    _Pickler(buffer).dump(model)
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    """A new, independent model from :func:`dumps` bytes."""
    return pickle.loads(data)
