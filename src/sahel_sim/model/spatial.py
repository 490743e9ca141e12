"""Neighbour search on the grid: which cells or agents lie within a Chebyshev radius of others.

All searches work on integer cell coordinates (x, y) held in arrays, so a phase finds the
neighbours of every agent in one pass; the loops are compiled (:mod:`sahel_sim.model.kernels`).
"""

from __future__ import annotations

import numpy as np

from sahel_sim.model import kernels


def pairs_within(
    ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, radius: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i, j) whose point b_j lies within a Chebyshev radius (cells) of point a_i.

    The points b are bucketed by cell and each a looks only at the cells of its window, so the cost
    grows with the number of points and of pairs, never with len(a) x len(b).

    Args:
        ax: x of the points a, cells.
        ay: y of the points a, cells.
        bx: x of the points b, cells.
        by: y of the points b, cells.
        radius: Half-width of the square window, cells (0: the same cell only).

    Returns:
        ``(i, j)``: indices into a and b, one entry per pair, grouped by ascending i; within a group
        the order depends only on the inputs.

    """
    none = np.empty(0, dtype=np.intp)
    if len(ax) == 0 or len(bx) == 0:
        return none, none.copy()
    a_x, a_y, b_x, b_y = (np.ascontiguousarray(v, dtype=np.intp) for v in (ax, ay, bx, by))
    return kernels.pairs_in_window(a_x, a_y, b_x, b_y, int(radius))


def window_cells(
    xs: np.ndarray, ys: np.ndarray, radius: int, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells of each point's square window, x-major, as arrays of shape (points, (2r + 1)²).

    Args:
        xs: x of the points, cells.
        ys: y of the points, cells.
        radius: Half-width of the window, cells.
        shape: (width, height) of the map.

    Returns:
        ``(cx, cy, inside)``: coordinates clipped to the map, and whether each cell is on the map.

    """
    width, height = shape
    d = np.arange(-radius, radius + 1)
    n = len(xs)
    cells = d.size * d.size
    cx = np.broadcast_to(np.asarray(xs)[:, None, None] + d[None, :, None], (n, d.size, d.size)).reshape(n, cells)
    cy = np.broadcast_to(np.asarray(ys)[:, None, None] + d[None, None, :], (n, d.size, d.size)).reshape(n, cells)
    inside = (cx >= 0) & (cx < width) & (cy >= 0) & (cy < height)
    return np.clip(cx, 0, width - 1), np.clip(cy, 0, height - 1), inside


def window_argmax(field: np.ndarray, xs: np.ndarray, ys: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the cell of its window where ``field`` is largest (the first, x-major, of equals).

    Args:
        field: Values per cell, shape (width, height).
        xs: x of the points, cells.
        ys: y of the points, cells.
        radius: Half-width of the window, cells.

    Returns:
        The chosen cells (x, y).

    """
    return kernels.argmax_in_window(
        np.ascontiguousarray(field, dtype=float),
        np.ascontiguousarray(xs, dtype=np.intp),
        np.ascontiguousarray(ys, dtype=np.intp),
        int(radius),
    )


def group_bounds(i: np.ndarray, n: int) -> np.ndarray:
    """Where each a's pairs start and end in the output of :func:`pairs_within` (length n + 1)."""
    return np.searchsorted(i, np.arange(n + 1))


def nearest_within(origin: tuple[int, int], xs: np.ndarray, ys: np.ndarray, radius: int) -> int | None:
    """Index of the nearest point within a Chebyshev radius of ``origin`` (cells), or None."""
    if len(xs) == 0:
        return None
    d = np.maximum(np.abs(xs - origin[0]), np.abs(ys - origin[1]))
    i = int(np.argmin(d))
    return i if d[i] <= radius else None


def cells_apart(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Chebyshev distance between two cells (cells): the square-window radius that joins them."""
    return max(abs(a[0] - b[0]), abs(a[1] - b[1]))
