"""Per-run seeds and run ids, derived from the root seed so that sweeps can grow.

Each run's seed comes from ``numpy.random.SeedSequence(root, spawn_key=(point_key, replicate))``.

Grid and list designs use common random numbers: every point's key is 0, so replicate ``r`` of
every design point runs with the same seed, and points can be compared seed by seed (paired), which
removes the seed-to-seed noise shared by the runs from their differences. Adding values or
replicates leaves every existing run's seed unchanged.

Sampled designs (lhs, sobol, morris) keep one seed per design point (the key is the row index,
which a given root seed and sample size fix): their points are spread over the input space to be
read together by an estimator (SALib's Sobol and Morris, PRIM in ``discover``) that treats the
seed's effect as noise independent of the inputs; with shared seeds that noise would be one and
the same draw at every point, and the indices would describe that draw instead of averaging over it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import numpy as np

#: Designs whose points share their replicates' seeds (common random numbers).
PAIRED = ("grid", "list")
#: Seed key shared by every point of a paired design.
COMMON_KEY = 0
#: Largest seed the scenario schema accepts (a non-negative signed 64-bit integer).
MAX_SEED = 2**63 - 1


def canonical_json(value: Any) -> str:
    """Canonical JSON text of plain data (dates as ISO strings, keys sorted)."""

    def default(obj: Any) -> Any:
        if isinstance(obj, dt.date):
            return obj.isoformat()
        raise TypeError(f"cannot serialise {type(obj).__name__}")

    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=default)


def point_key(design: str, index: int, overrides: dict[str, Any]) -> int:
    """Key of a design point inside the root seed's tree.

    Args:
        design: The design name (``grid``, ``list``, ``lhs``, ``sobol``, ``morris``).
        index: Row of the point in the design.
        overrides: The point's varied values, by dotted path.

    Returns:
        0 for grid and list (common random numbers: replicate r of every point shares a seed),
        else ``index``.
    """
    if design in PAIRED:
        return COMMON_KEY
    return index


def run_seed(root: int, key: int, replicate: int) -> int:
    """Seed of one run: 63 bits drawn from ``SeedSequence(root, spawn_key=(key, replicate))``.

    Args:
        root: The sweep's root seed.
        key: The design point's key (see :func:`point_key`).
        replicate: Replicate number, from 0.

    Returns:
        A seed in ``[0, 2**63 - 1]``.
    """
    words = np.random.SeedSequence(root, spawn_key=(key, replicate)).generate_state(2, np.uint32)
    return ((int(words[0]) << 32) | int(words[1])) & MAX_SEED


def run_id(point_hash: str, seed: int) -> str:
    """Id of a run: 16 hex digits of SHA-256 over its resolved scenario's hash and its seed.

    Args:
        point_hash: :func:`sahel_sim.scenario.loading.scenario_hash` of the resolved scenario.
        seed: The run's seed.
    """
    return hashlib.sha256(f"{point_hash}:{seed}".encode()).hexdigest()[:16]
