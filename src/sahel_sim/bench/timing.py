"""Timing one model: sahel_sim runs (scaled to more agents if asked) and Mesa's Epstein example."""

from __future__ import annotations

import datetime as dt
import gc
import math
import time
import warnings
from collections.abc import Sequence
from typing import Any

#: Agents per cell of Mesa's Epstein example as shipped (citizen density 0.7 + cop density 0.074).
EPSTEIN_DENSITY = 0.774


#: How "comparable agent count" is defined for the ratio ours/Mesa's.
COMPARABLE = (
    "Epstein's grid is square with side round(sqrt(N / 0.774)), N being our mean number of "
    "agents alive per step, so both models step about the same number of agents (the actual "
    "Epstein count is reported); the fixed 40x40 and 100x100 grids are compared with our "
    "scaled runs whose agent counts are closest to theirs (within a factor of 2)."
)


#: How agent counts are scaled: name -> (multiplier on every faction's initial strength, divisor of
#: band_split_strength and band_min_strength). Dividing the split size by d gives about d times as many
#: bands from the same fighters (split size floored at 20, the schema's minimum, and the dissolve
#: size at 1); multiplying strength adds bands beyond that. Army garrisons (one per town of at least
#: 20,000 people: 195 towns in the five countries), camps and posts are tied to the map and stay as
#: they are, so the bands carry all of the growth. The divisors were chosen so that the mean agents
#: alive are about 4 and 16 times the baseline's; the actual counts are reported.
SCALE_RECIPES: dict[str, tuple[float, float]] = {"x1": (1.0, 1.0), "x4": (1.0, 13.0), "x16": (3.5, 20.0)}


def median_index(values: Sequence[float]) -> int:
    """Index of the (lower) median of ``values``."""
    order = sorted(range(len(values)), key=values.__getitem__)
    return order[(len(order) - 1) // 2]


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


def time_sahel(scenario: Any, warmup_weeks: int = 0, weeks: int | None = None) -> tuple[float, int, int]:
    """Time the steps of one SahelModel run (model construction and warm-up weeks not timed).

    Args:
        scenario: The scenario to run.
        warmup_weeks: Weeks stepped before the clock starts.
        weeks: Weeks timed (None: until the scenario ends).

    Returns:
        (seconds of the timed steps, steps timed, agent-steps: agents alive after each timed step, summed).
    """
    from sahel_sim.model.sahel_model import SahelModel

    model = SahelModel(scenario)
    for _ in range(warmup_weeks):
        if not model.running:
            break
        model.step()
    gc.collect()
    steps = agent_steps = 0
    started = time.perf_counter()
    while model.running and (weeks is None or steps < weeks):
        model.step()
        steps += 1
        agent_steps += len(model.agents)
    seconds = time.perf_counter() - started
    if steps == 0:
        raise ValueError(f"nothing to time: the scenario {scenario.name!r} ended during the warm-up")
    return seconds, steps, agent_steps


def repeat_sahel(
    scenario: Any, repeats: int, warmup_weeks: int = 0, weeks: int | None = None
) -> tuple[list[float], int, int]:
    """Run :func:`time_sahel` ``repeats`` times (same seed, so the same work every time).

    Returns:
        (seconds of every repetition, steps per repetition, agent-steps per repetition).
    """
    results = [time_sahel(scenario, warmup_weeks, weeks) for _ in range(repeats)]
    return [r[0] for r in results], results[0][1], results[0][2]


def epstein_model(side: int) -> Any:
    """Mesa's bundled Epstein civil-violence model as shipped, on a ``side`` x ``side`` grid."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence

        return EpsteinCivilViolence(width=side, height=side)


def time_epstein(side: int, steps: int, repeats: int, warmup: int) -> tuple[list[float], int, int]:
    """Time blocks of steps of Mesa's Epstein example (construction and warm-up steps not timed).

    Args:
        side: Grid side, cells.
        steps: Steps per timed block.
        repeats: Timed blocks, one after another on the same model.
        warmup: Untimed steps first.

    Returns:
        (seconds of every block, steps per block, agent-steps of the median block).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = epstein_model(side)
        for _ in range(warmup):
            model.step()
        seconds, agent_steps = [], []
        for _ in range(repeats):
            gc.collect()
            count = 0
            started = time.perf_counter()
            for _ in range(steps):
                model.step()
                count += len(model.agents)
            seconds.append(time.perf_counter() - started)
            agent_steps.append(count)
    return seconds, steps, agent_steps[median_index(seconds)]


def epstein_side(agents: float) -> int:
    """Side of the Epstein grid that holds about ``agents`` agents (see :data:`COMPARABLE`)."""
    return max(5, round(math.sqrt(agents / EPSTEIN_DENSITY)))
