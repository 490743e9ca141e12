"""The compiled kernels give the same bits as the numpy and scipy expressions they replaced."""

import numpy as np
import pytest
from scipy.ndimage import uniform_filter

from sahel_sim.model import fields as F
from sahel_sim.model.agents.insurgents import best_cells
from sahel_sim.model.spatial import pairs_within, window_argmax, window_cells

QUADRATURE_R = (np.arange(16) + 0.5) / 16.0


def window_sum_reference(field, radius):
    size = 2 * radius + 1
    total = uniform_filter(field.astype(float), size=size, mode="constant") * (size * size)
    return np.maximum(total, 0.0, out=total)


def willing_reference(g, p, threshold):
    need = (threshold + QUADRATURE_R * p[..., None]) / np.maximum(g, 1e-9)[..., None]
    return np.clip(1.0 - need, 0.0, 1.0).mean(axis=-1)


def pairs_reference(ax, ay, bx, by, radius):
    i, j = [], []
    for a in range(len(ax)):
        for dx in range(-radius, radius + 1):
            for dy in range(-radius, radius + 1):
                for b in range(len(bx)):
                    if bx[b] == ax[a] + dx and by[b] == ay[a] + dy:
                        i.append(a)
                        j.append(b)
    return np.array(i, dtype=np.intp), np.array(j, dtype=np.intp)


def argmax_reference(field, xs, ys, radius):
    cx, cy, inside = window_cells(xs, ys, radius, field.shape)
    best = np.argmax(np.where(inside, field[cx, cy], -np.inf), axis=1)
    rows = np.arange(len(xs))
    return cx[rows, best], cy[rows, best]


@pytest.mark.parametrize("seed", range(40))
def test_window_sum_and_willing_share_bit_identical(seed):
    rng = np.random.default_rng(seed)
    w, h = rng.integers(1, 60, 2)
    radius = int(rng.integers(1, 9))
    field = rng.random((w, h)) * 10.0 ** rng.integers(0, 7)
    field[rng.random((w, h)) < 0.6] = 0.0
    assert F.window_sum(field, radius).tobytes() == window_sum_reference(field, radius).tobytes()
    g, p, t = rng.random((w, h)) * 2, rng.random((w, h)), float(rng.random() * 0.3)
    g[rng.random((w, h)) < 0.1] = 0.0
    assert F.willing_share(g, p, t).tobytes() == willing_reference(g, p, t).tobytes()


def test_window_sum_other_shapes_still_work():
    field = np.arange(24.0).reshape(2, 3, 4)
    assert np.allclose(F.window_sum(field, 1), window_sum_reference(field, 1))
    assert F.window_sum(np.ones((3, 3)), 0).tolist() == np.ones((3, 3)).tolist()


@pytest.mark.parametrize("seed", range(20))
def test_spatial_searches_match_reference(seed):
    rng = np.random.default_rng(seed)
    na, nb, radius = int(rng.integers(1, 15)), int(rng.integers(1, 30)), int(rng.integers(0, 4))
    ax, ay = rng.integers(0, 12, na), rng.integers(0, 9, na)
    bx, by = rng.integers(0, 12, nb), rng.integers(0, 9, nb)
    got, want = pairs_within(ax, ay, bx, by, radius), pairs_reference(ax, ay, bx, by, radius)
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
    field = rng.integers(0, 4, (12, 9)).astype(float)  # many ties: the first of equals must win
    got_xy, want_xy = window_argmax(field, ax, ay, radius), argmax_reference(field, ax, ay, radius)
    assert got_xy[0].tolist() == want_xy[0].tolist() and got_xy[1].tolist() == want_xy[1].tolist()


def best_cells_reference(scores, faction_index, xs, ys, radius, rng):
    """The numpy expression :func:`best_cells` used before its kernel (same draws from ``rng``)."""
    _, width, height = scores.shape
    cx, cy, inside = window_cells(xs, ys, radius, (width, height))
    values = np.where(inside, scores[faction_index[:, None], cx, cy], -np.inf) + rng.random(cx.shape) * 1e-3
    best = np.argmax(values, axis=1)
    rows = np.arange(len(xs))
    found = np.isfinite(values[rows, best])
    return np.where(found, cx[rows, best], xs), np.where(found, cy[rows, best], ys)


@pytest.mark.parametrize("seed", range(40))
def test_best_cells_bit_identical(seed):
    rng = np.random.default_rng(seed)
    factions, (w, h) = int(rng.integers(1, 4)), rng.integers(1, 30, 2)
    radius = int(rng.integers(0, 5))
    scores = np.round(rng.normal(size=(factions, w, h)), int(rng.integers(0, 3)))  # rounding makes ties
    scores[rng.random(scores.shape) < 0.4] = -np.inf
    if seed % 5 == 0:
        scores[rng.random(scores.shape) < 0.05] = np.nan
    n = int(rng.integers(0, 50))
    xs, ys = rng.integers(0, w, n).astype(np.intp), rng.integers(0, h, n).astype(np.intp)
    fi = rng.integers(0, factions, n).astype(np.intp)
    got = best_cells(scores, fi, xs, ys, radius, np.random.default_rng(seed + 1000))
    want = best_cells_reference(scores, fi, xs, ys, radius, np.random.default_rng(seed + 1000))
    assert [a.tobytes() for a in got] == [a.tobytes() for a in want]
