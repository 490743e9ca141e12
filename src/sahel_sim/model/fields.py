"""The civilian population and the state of every cell, as numpy fields on the grid.

Every field is the data array of a Mesa property layer on the model's grid, shape (width, height),
indexed [x, y]; the model updates them in place, whole arrays at a time. This module holds the pure
array rules (neighbourhood sums, Epstein's activation share, flight, control shares) so each can be
tested on a tiny hand-made grid. The hot loops are compiled (:mod:`sahel_sim.model.kernels`) and give
the same bits as the numpy expressions they replace.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.ndimage import uniform_filter

from sahel_sim.model import kernels

KM_PER_DEGREE = 111.32
MID_LATITUDE = 17.0  # degrees north; centre of the map, used to turn km into cells


@functools.lru_cache(maxsize=256)
def km_to_cells(km: float, resolution: float) -> int:
    """Convert a distance to a whole number of cells (at least 0) at the map's mid-latitude.

    Args:
        km: Distance in kilometres.
        resolution: Cell size in degrees.

    Returns:
        The half-width, in cells, of a square window reaching ``km``.

    """
    cell_km = resolution * KM_PER_DEGREE * math.cos(math.radians(MID_LATITUDE))
    return max(0, round(km / cell_km))


def window_sum(field: np.ndarray, radius: int) -> np.ndarray:
    """Sum of a non-negative ``field`` over the square window of half-width ``radius`` cells.

    Cells beyond the map edge count as zero. Round-off below zero is clipped.

    Args:
        field: A non-negative 2-D array.
        radius: Half-width of the window in cells (0 returns a copy).

    Returns:
        A new array of the same shape.

    """
    if radius <= 0:
        return field.astype(float, copy=True)
    if field.ndim == 2:
        return kernels.box_sum_2d(np.ascontiguousarray(field, dtype=float), int(radius))
    size = 2 * radius + 1
    total = uniform_filter(field.astype(float, copy=False), size=size, mode="constant") * (size * size)
    return np.maximum(total, 0.0, out=total)


_QUADRATURE_R = (np.arange(16) + 0.5) / 16.0


def willing_share(grievance_scale: np.ndarray, arrest_risk: np.ndarray, threshold: float) -> np.ndarray:
    """Share of people willing to take up arms, Epstein's (2002) activation rule over a population.

    A person with hardship ``H * grievance_scale`` (H ~ U(0, 1)) and risk aversion R ~ U(0, 1) is
    willing when ``H * grievance_scale - R * arrest_risk > threshold``. The share is integrated over
    H exactly and over R by the midpoint rule.

    Args:
        grievance_scale: hardship scale x (1 - legitimacy), per cell, dimensionless.
        arrest_risk: estimated risk P in [0, 1], per cell.
        threshold: Epstein's T.

    Returns:
        Share of people in [0, 1], per cell.

    """
    g, p = np.broadcast_arrays(np.asarray(grievance_scale, dtype=float), np.asarray(arrest_risk, dtype=float))
    return kernels.willing(np.ascontiguousarray(g), np.ascontiguousarray(p), float(threshold), _QUADRATURE_R)


def arrest_risk(forces: np.ndarray, fighters: np.ndarray, k: float) -> np.ndarray:
    """Epstein's estimated arrest probability, with personnel in place of agent counts.

    Args:
        forces: State, partner and peacekeeping personnel within vision, per cell.
        fighters: Armed-group fighters within vision, per cell.
        k: Epstein's constant.

    Returns:
        P = 1 - exp(-k * forces / (fighters + 1)), per cell.

    """
    return 1.0 - np.exp(-k * forces / (fighters + 1.0))


def flee(
    population: np.ndarray, out_share: np.ndarray, attract: np.ndarray, radius: int
) -> tuple[np.ndarray, np.ndarray]:
    """Move people out of violent cells to attractive cells within ``radius`` (conservative).

    Each cell sends ``population * out_share`` people, split among the cells of its window in
    proportion to their attractiveness. People never leave the map and none are created.

    Args:
        population: People per cell.
        out_share: Share of each cell's people who leave this week, in [0, 1].
        attract: Non-negative attractiveness of each cell as a destination (0 where nobody can go).
        radius: Half-width of the flight window, cells.

    Returns:
        ``(outflow, inflow)`` per cell, people; ``population - outflow + inflow`` is the new field.

    """
    outflow = population * out_share
    reach = window_sum(attract, radius)
    has_dest = reach > 0
    outflow = np.where(has_dest, outflow, 0.0)
    per_attract = np.divide(outflow, reach, out=np.zeros_like(outflow), where=has_dest)
    inflow = attract * window_sum(per_attract, radius)
    return outflow, inflow


def control_labels(state_share: np.ndarray, faction_shares: list[np.ndarray], threshold: float) -> np.ndarray:
    """Who controls each cell: 0 = state, f + 1 = faction f, -1 = contested.

    Args:
        state_share: State share of presence per cell, in [0, 1].
        faction_shares: One array of shares per faction.
        threshold: Share needed to control a cell.

    Returns:
        int8 labels per cell.

    """
    labels = np.full(state_share.shape, -1, dtype=np.int8)
    labels[state_share >= threshold] = 0
    for f, share in enumerate(faction_shares):
        labels[share >= threshold] = f + 1
    return labels
