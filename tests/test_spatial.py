"""The vectorised neighbour search and band movement agree with the plain rules they replace."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sahel_sim.model.agents.insurgents import best_cells
from sahel_sim.model.spatial import group_bounds, pairs_within, window_argmax

points = st.lists(st.tuples(st.integers(0, 15), st.integers(0, 9)), max_size=40)


def _arrays(pts):
    return np.array([p[0] for p in pts], dtype=np.intp), np.array([p[1] for p in pts], dtype=np.intp)


@settings(max_examples=300, deadline=None)
@given(a=points, b=points, radius=st.integers(0, 4))
def test_pairs_within_finds_exactly_the_pairs_in_chebyshev_reach(a, b, radius):
    i, j = pairs_within(*_arrays(a), *_arrays(b), radius)
    expected = sorted(
        (m, n) for m, p in enumerate(a) for n, q in enumerate(b) if max(abs(p[0] - q[0]), abs(p[1] - q[1])) <= radius
    )
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == expected
    bounds = group_bounds(i, len(a))
    assert all((i[bounds[m] : bounds[m + 1]] == m).all() for m in range(len(a)))


def test_each_band_moves_to_the_best_cell_of_its_own_faction_within_reach():
    scores = np.zeros((2, 10, 10))
    scores[0, 7, 7] = 5.0  # faction 0 is drawn to (7, 7)
    scores[1, 0, 0] = 5.0  # faction 1 to (0, 0)
    scores[1, 9, 9] = -np.inf
    xs, ys = np.array([5, 5, 1, 9]), np.array([5, 5, 1, 8])
    tx, ty = best_cells(scores, np.array([0, 1, 1, 0]), xs, ys, 2, np.random.default_rng(0))
    moved = list(zip(tx.tolist(), ty.tolist(), strict=True))
    assert (moved[0], moved[2]) == ((7, 7), (0, 0))
    assert max(abs(tx[1] - 5), abs(ty[1] - 5)) <= 2  # (0, 0) is beyond reach: a tie, any cell in reach
    assert moved[3] == (7, 7)


def test_a_band_with_no_allowed_cell_in_reach_stays():
    scores = np.full((1, 6, 6), -np.inf)
    tx, ty = best_cells(scores, np.array([0]), np.array([3]), np.array([2]), 2, np.random.default_rng(0))
    assert (int(tx[0]), int(ty[0])) == (3, 2)


def test_window_searches_accept_no_points():
    field = np.ones((5, 4))
    none = np.empty(0, dtype=np.intp)
    cx, cy = window_argmax(field, none, none, 2)
    assert cx.shape == cy.shape == (0,)
    tx, ty = best_cells(field[None], none, none, none, 2, np.random.default_rng(0))
    assert tx.shape == (0,)


def test_window_argmax_takes_the_largest_cell_in_reach_and_never_leaves_the_map():
    field = np.zeros((8, 8))
    field[0, 0], field[7, 7] = 3.0, 9.0
    cx, cy = window_argmax(field, np.array([1, 6, 4]), np.array([1, 5, 4]), 2)
    assert list(zip(cx.tolist(), cy.tolist(), strict=True)) == [(0, 0), (7, 7), (2, 2)]
