"""Scenarios for the benchmark: cut to some weeks, scaled to more agents; Epstein grids of a given agent count."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

#: Agents per cell of Mesa's Epstein example as shipped (citizen density 0.7 + cop density 0.074).
EPSTEIN_DENSITY = 0.774


#: How agent counts are scaled: name -> (multiplier on every faction's initial strength, divisor of
#: band_split_strength and band_min_strength). Dividing the split size by d gives about d times as many
#: bands from the same fighters (split size floored at 20, the schema's minimum, and the dissolve
#: size at 1); multiplying strength adds bands beyond that. Army garrisons (one per town of at least
#: 20,000 people: 195 towns in the five countries), camps and posts are tied to the map and stay as
#: they are, so the bands carry all of the growth. The divisors were chosen so that the mean agents
#: alive are about 4 and 16 times the cold start's; the actual counts are reported.
#: The scenario the agent-scaling rows scale: its bands are set by its factions' initial strengths,
#: not by a simulated history as in baseline.yaml (whose runs begin after a spin-up from 2012).
SCALING_SCENARIO = "cold_start_2022.yaml"
SCALE_RECIPES: dict[str, tuple[float, float]] = {"x1": (1.0, 1.0), "x4": (1.0, 13.0), "x16": (3.5, 20.0)}


def with_weeks(scenario: Any, weeks: int | None, start: dt.date | None = None) -> Any:
    """The scenario cut to ``weeks`` weeks (None: unchanged), optionally from another start date."""
    from sahel_sim.scenario.loading import with_overrides

    overrides: list[tuple[str, Any]] = []
    if start is not None:
        overrides.append(("start", start.isoformat()))
    if weeks is not None:
        first = start or scenario.start
        overrides.append(("end", (first + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)).isoformat()))
    return with_overrides(scenario, overrides) if overrides else scenario


def scaled(scenario: Any, recipe: tuple[float, float], resolution: float | None = None) -> Any:
    """The scenario with more (smaller) insurgent bands, see :data:`SCALE_RECIPES`.

    Args:
        scenario: The scenario to scale.
        recipe: (multiplier on initial strengths, divisor of band split and dissolve sizes).
        resolution: Map resolution to set, degrees per cell (None: unchanged).

    Returns:
        The changed scenario.
    """
    from sahel_sim.scenario.loading import with_overrides

    strength, divisor = recipe
    ins = scenario.mechanisms.insurgency
    overrides: list[tuple[str, Any]] = []
    if resolution is not None:
        overrides.append(("map.resolution", resolution))
    if divisor != 1.0:
        overrides += [
            ("mechanisms.insurgency.band_split_strength", max(20, round(ins.band_split_strength / divisor))),
            ("mechanisms.insurgency.band_min_strength", max(1, round(ins.band_min_strength / divisor))),
        ]
    if strength != 1.0:
        overrides += [
            (f"factions.{i}.initial_strength", round(f.initial_strength * strength))
            for i, f in enumerate(scenario.factions)
        ]
    return with_overrides(scenario, overrides) if overrides else scenario


def epstein_side(agents: float) -> int:
    """Side of the square Epstein grid holding about ``agents`` agents at the example's densities."""
    return max(5, round(math.sqrt(agents / EPSTEIN_DENSITY)))
