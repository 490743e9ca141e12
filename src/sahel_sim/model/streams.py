"""Random streams by purpose, so that changing one rule does not shift the draws of the others.

Each stream is a numpy ``Generator`` on ``SeedSequence(seed, spawn_key=(key,))`` with a fixed key
per purpose (:data:`PURPOSES`): the same run seed always gives the same streams, and a stream's
draws depend only on how many draws its own rules made before. A different withdrawal changes how
often the peacekeepers' rules draw (and, through the state, what the others decide), but not the
sequence of numbers the insurgents' or the forces' rules receive. Purposes are only ever added with
new keys, never renumbered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Purpose -> spawn key. Never renumber; add new purposes with new keys.
PURPOSES = {
    "schedule": 1,  # dated changes: where a faction's bands appear
    "insurgents": 2,  # bands: recruitment, movement ties, attacks, splits, clashes
    "forces": 3,  # army and partner operations and combat
    "peacekeepers": 4,  # mine and IED losses
    "population": 5,  # the population phase (no draws at present)
    "posts": 6,  # diplomatic posts: each post's tolerance at set-up
    "handover": 7,  # contests for vacated camps and the collapse of accords
    "garrisons": 8,  # contests to re-establish abandoned national posts
}


@dataclass
class Streams:
    """One random ``Generator`` per purpose (see :data:`PURPOSES`)."""

    schedule: np.random.Generator
    insurgents: np.random.Generator
    forces: np.random.Generator
    peacekeepers: np.random.Generator
    population: np.random.Generator
    posts: np.random.Generator
    handover: np.random.Generator
    garrisons: np.random.Generator

    @classmethod
    def from_seed(cls, seed: int) -> Streams:
        """The streams of a run with this seed."""
        return cls(
            **{
                name: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))
                for name, key in PURPOSES.items()
            }
        )
