"""What one run produced, in memory (shared by the runner, the results writer and the sweeps)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sahel_sim.scenario.schema import Scenario


@dataclass
class RunOutput:
    """What one run produced, in memory.

    Attributes:
        scenario: The resolved scenario that ran.
        seed: The seed used.
        timeseries: One row per week and area (see README "Stability metrics").
        events: The event log, one row per event (None when the caller asked only for the weekly table).
        summary: Headline numbers (None likewise).
        wall_seconds: Wall-clock time of the simulation, seconds.

    """

    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame
    events: pd.DataFrame | None
    summary: dict | None
    wall_seconds: float
