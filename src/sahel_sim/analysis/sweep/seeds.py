"""Per-run seeds and run ids, derived from the root seed so that sweeps can grow.

Each run's seed comes from ``numpy.random.SeedSequence(root, spawn_key=(point_key, replicate))``.
The point key of a grid or list design is a 60-bit hash of the point's varied values, so adding
values to a list (anywhere) leaves every existing point's seeds unchanged; for sampled designs
(lhs, sobol, morris) it is the design row index, which a given root seed and sample size fix.
Adding replicates adds new spawn keys and leaves existing ones alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import numpy as np

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
        A non-negative integer: a hash of the values for grid and list, else ``index``.
    """
    if design in ("grid", "list"):
        digest = hashlib.sha256(canonical_json(overrides).encode()).hexdigest()
        return int(digest[:15], 16)
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
