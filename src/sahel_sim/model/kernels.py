"""Compiled (numba) loops behind the array rules and the spatial searches of the model.

Used by :mod:`sahel_sim.model.fields` and :mod:`sahel_sim.model.spatial`.

Every kernel repeats, operation for operation, the floating-point arithmetic of the numpy or scipy
code it replaces, so results are bit-for-bit the same (``tests/test_kernels.py`` compares them with
the reference expressions on random inputs):

* :func:`box_sum_2d` is scipy's ``uniform_filter(mode="constant")`` over both axes (a running sum
  ``tmp += in[i + r] - in[i - r - 1]`` over the zero-padded line, written as ``tmp / size``, along
  axis 0 and then along axis 1), times ``size²``, clipped below at zero;
* :func:`willing` sums its 16 quadrature points in numpy's pairwise order (eight partial sums, then a
  tree), as ``ndarray.mean(axis=-1)`` does for a contiguous last axis of length 16.

Compiled code is cached on disk (``cache=True``), so a new process pays only the cache load (a few
milliseconds per kernel), not the compilation.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def box_sum_2d(field: np.ndarray, radius: int) -> np.ndarray:
    """Sum over the (2r + 1)² window around each cell of a 2-D float array, clipped at zero.

    scipy's uniform filter, one axis after the other: a running sum over the zero-padded line,
    divided by the window's length at each output cell.
    """
    w, h = field.shape
    size = 2 * radius + 1
    fsize = float(size)
    # Axis 0 (x), all columns y at once so memory is read in order.
    first = np.empty((w, h))
    tmp = np.zeros(h)
    for k in range(-radius, radius + 1):
        if 0 <= k < w:
            for y in range(h):
                tmp[y] += field[k, y]
        else:
            for y in range(h):
                tmp[y] += 0.0
    for y in range(h):
        first[0, y] = tmp[y] / fsize
    for x in range(1, w):
        add = x + radius
        sub = x - radius - 1
        if add < w and sub >= 0:
            for y in range(h):
                tmp[y] += field[add, y] - field[sub, y]
                first[x, y] = tmp[y] / fsize
        else:
            for y in range(h):
                a = field[add, y] if add < w else 0.0
                b = field[sub, y] if sub >= 0 else 0.0
                tmp[y] += a - b
                first[x, y] = tmp[y] / fsize
    # Axis 1 (y), one row x at a time, over a zero-padded copy of the row.
    out = np.empty((w, h))
    scale = float(size * size)
    row = np.zeros(h + size - 1)
    for x in range(w):
        row[radius : radius + h] = first[x]
        t = 0.0
        for k in range(size):
            t += row[k]
        v = (t / fsize) * scale
        out[x, 0] = v if v > 0.0 else 0.0
        for y in range(1, h):
            t += row[y + size - 1] - row[y - 1]
            v = (t / fsize) * scale
            out[x, y] = v if v > 0.0 else 0.0
    return out


@njit(cache=True)
def willing(grievance_scale: np.ndarray, risk: np.ndarray, threshold: float, r: np.ndarray) -> np.ndarray:
    """Epstein's activation share per cell, integrated over risk aversion at the 16 points ``r``."""
    flat_g = grievance_scale.ravel()
    flat_p = risk.ravel()
    out = np.empty(flat_g.shape[0])
    parts = np.empty(8)
    for c in range(flat_g.shape[0]):
        g = flat_g[c] if flat_g[c] > 1e-9 else 1e-9
        p = flat_p[c]
        for k in range(8):
            a = 1.0 - (threshold + r[k] * p) / g
            b = 1.0 - (threshold + r[k + 8] * p) / g
            a = min(max(a, 0.0), 1.0)
            b = min(max(b, 0.0), 1.0)
            parts[k] = a + b
        total = ((parts[0] + parts[1]) + (parts[2] + parts[3])) + ((parts[4] + parts[5]) + (parts[6] + parts[7]))
        out[c] = total / 16.0
    return out.reshape(grievance_scale.shape)


@njit(cache=True)
def pairs_in_window(
    ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, radius: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) with b_j in the Chebyshev window of a_i: by ascending i, then window cell x-major, then j."""
    x0 = min(ax.min(), bx.min()) - radius
    y0 = min(ay.min(), by.min()) - radius
    height = max(ay.max(), by.max()) - y0 + radius + 1
    width = max(ax.max(), bx.max()) - x0 + radius + 1
    counts = np.zeros(width * height + 1, dtype=np.intp)
    for j in range(bx.shape[0]):
        counts[(bx[j] - x0) * height + (by[j] - y0) + 1] += 1
    starts = np.cumsum(counts)
    fill = starts.copy()
    order = np.empty(bx.shape[0], dtype=np.intp)
    for j in range(bx.shape[0]):
        c = (bx[j] - x0) * height + (by[j] - y0)
        order[fill[c]] = j
        fill[c] += 1
    total = 0
    for i in range(ax.shape[0]):
        for dx in range(-radius, radius + 1):
            base = (ax[i] - x0 + dx) * height + (ay[i] - y0)
            total += starts[base + radius + 1] - starts[base - radius]
    out_i = np.empty(total, dtype=np.intp)
    out_j = np.empty(total, dtype=np.intp)
    k = 0
    for i in range(ax.shape[0]):
        for dx in range(-radius, radius + 1):
            base = (ax[i] - x0 + dx) * height + (ay[i] - y0)
            for s in range(starts[base - radius], starts[base + radius + 1]):
                out_i[k] = i
                out_j[k] = order[s]
                k += 1
    return out_i, out_j


@njit(cache=True)
def argmax_in_window(field: np.ndarray, xs: np.ndarray, ys: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the first (x-major) cell of its on-map window holding the window's largest value."""
    w, h = field.shape
    n = xs.shape[0]
    out_x = np.empty(n, dtype=np.intp)
    out_y = np.empty(n, dtype=np.intp)
    for i in range(n):
        best = -np.inf
        bx = min(max(xs[i] - radius, 0), w - 1)
        by = min(max(ys[i] - radius, 0), h - 1)
        first = True
        for dx in range(-radius, radius + 1):
            x = xs[i] + dx
            for dy in range(-radius, radius + 1):
                y = ys[i] + dy
                v = field[x, y] if 0 <= x < w and 0 <= y < h else -np.inf
                if first or v > best:
                    best = v
                    bx = min(max(x, 0), w - 1)
                    by = min(max(y, 0), h - 1)
                    first = False
        out_x[i] = bx
        out_y[i] = by
    return out_x, out_y


@njit(cache=True)
def best_in_window(
    scores: np.ndarray, faction: np.ndarray, xs: np.ndarray, ys: np.ndarray, radius: int, jitter: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the cell of its window (x-major) with the largest score of its faction plus jitter.

    ``jitter[i, j]`` is added to the j-th cell of point i's window (cells off the map score -inf);
    the first largest value wins and a NaN wins at once, as with ``np.argmax``. A point whose winning
    value is not finite keeps its own cell.
    """
    _, w, h = scores.shape
    n = xs.shape[0]
    out_x = np.empty(n, dtype=np.intp)
    out_y = np.empty(n, dtype=np.intp)
    for i in range(n):
        f = faction[i]
        best = 0.0
        bx = xs[i]
        by = ys[i]
        j = 0
        done = False
        for dx in range(-radius, radius + 1):
            x = xs[i] + dx
            for dy in range(-radius, radius + 1):
                y = ys[i] + dy
                base = scores[f, x, y] if 0 <= x < w and 0 <= y < h else -np.inf
                v = base + jitter[i, j]
                if j == 0 or np.isnan(v) or v > best:
                    best = v
                    bx = min(max(x, 0), w - 1)
                    by = min(max(y, 0), h - 1)
                    if np.isnan(v):
                        done = True
                        break
                j += 1
            if done:
                break
        if np.isfinite(best):
            out_x[i] = bx
            out_y[i] = by
        else:
            out_x[i] = xs[i]
            out_y[i] = ys[i]
    return out_x, out_y
