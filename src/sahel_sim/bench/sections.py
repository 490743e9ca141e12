"""The benchmark's phase profile: where a week's time goes, phase by phase (new engine, in process)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sahel_sim.bench.machine import load_average, scenario_dir
from sahel_sim.bench.report import Row
from sahel_sim.bench.timing import SCALE_RECIPES, SCALING_SCENARIO, scaled, with_weeks

Say = Callable[[str], None]


@dataclass(frozen=True)
class Budget:
    """How much work the phase profile does.

    Attributes:
        name: ``full`` or ``quick``.
        scale_warmup: Untimed weeks before each profile (bands spread out first).
        scale_weeks: Weeks profiled.
    """

    name: str
    scale_warmup: int
    scale_weeks: int


FULL = Budget("full", 26, 52)
QUICK = Budget("quick", 1, 2)


def bench_phases(budget: Budget, say: Say) -> list[Row]:
    """Milliseconds per step in each phase at x1 and x16 agents (0.5°), from one timed run each."""
    from sahel_sim.bench.phase_timing import GRID_PHASES, time_phases
    from sahel_sim.model.sahel_model import SahelModel
    from sahel_sim.scenario.loading import load_scenario

    base = load_scenario(scenario_dir() / SCALING_SCENARIO)
    rows = []
    for key in ("x1", "x16"):
        scenario = with_weeks(scaled(base, SCALE_RECIPES[key], 0.5), budget.scale_warmup + budget.scale_weeks)
        say(f"phases: {key} agents at 0.5°, {budget.scale_weeks} weeks after {budget.scale_warmup} untimed")
        model = SahelModel(scenario)
        for _ in range(budget.scale_warmup):
            model.step()
        load1 = load_average()[0]
        spent = time_phases(model, budget.scale_weeks)
        weeks = max(1, int(spent.pop("weeks")))
        agents = len(model.agents)
        grid = sum(spent[name] for name in GRID_PHASES)
        for name, seconds in [*spent.items(), ("grid phases", grid)]:
            note = "presence + population + metrics: whole-map work" if name == "grid phases" else ""
            rows.append(
                Row(
                    "phases",
                    f"{key} {name}",
                    resolution_deg=0.5,
                    agents_mean=agents,
                    steps=weeks,
                    repeats=1,
                    ms_per_step=1000.0 * seconds / weeks,
                    value=1000.0 * seconds / weeks,
                    unit="ms/step",
                    load1=load1,
                    note=note,
                )
            )
    return rows
