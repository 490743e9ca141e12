"""The benchmark's per-run sections (speed, ratio, scaling, phases), its budgets and the issue's targets.

The whole-workload sections (historical run, memory, sweep) are in :mod:`sahel_sim.bench.workloads`.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from sahel_sim.bench.machine import load_average, scenario_dir
from sahel_sim.bench.report import Row, Target, need
from sahel_sim.bench.timing import (
    SCALE_RECIPES,
    epstein_side,
    repeat_sahel,
    scaled,
    time_epstein,
    time_sahel,
    with_weeks,
)

#: The issue's targets.
TARGET_EPSTEIN_RATIO = 10.0  # our agent-steps/s over Epstein's at comparable agent count, at least


TARGET_HISTORICAL_S = 10.0  # wall seconds of the 2012–2025 run on one core, below


TARGET_TIME_PER_AGENT = 20 / 16  # time-per-step ratio over agent ratio (x16 agents -> at most x20 time)


TARGET_SPEEDUP_2 = 1.8  # runs/s with 2 workers over 1 worker, at least


TARGET_MEMORY_MB = 500.0  # peak resident memory of one run at 0.25°, MB, below


@dataclass(frozen=True)
class Budget:
    """How much work each measurement does.

    Attributes:
        name: ``full`` or ``quick``.
        repeats: Timed repetitions whose median is reported.
        warmup_weeks: Weeks of an untimed warm-up run of the baseline before the speed section.
        speed_weeks: Weeks timed per baseline run (None: the whole scenario, 2022–2025).
        epstein_steps: Epstein steps per timed block, by grid side (matched grids use ``default``).
        epstein_warmup: Untimed Epstein steps before the timed blocks.
        scale_warmup: Untimed weeks before each scaling measurement (bands spread out first).
        scale_weeks: Weeks timed per scaling measurement.
        historical_weeks: Weeks of the historical run (None: the whole 2012–2025 run).
        historical_repeats: Historical runs, each in a fresh child process.
        memory_weeks: Weeks of the 0.25° memory run (None: the whole baseline).
        sweep_points: Values of the varied parameter in the benchmark sweep.
        sweep_replicates: Replicates per value.
        sweep_weeks: Weeks per sweep run.
    """

    name: str
    repeats: int
    warmup_weeks: int
    speed_weeks: int | None
    epstein_steps: dict[str, int]
    epstein_warmup: int
    scale_warmup: int
    scale_weeks: int
    historical_weeks: int | None
    historical_repeats: int
    memory_weeks: int | None
    sweep_points: int
    sweep_replicates: int
    sweep_weeks: int


FULL = Budget(
    "full",
    repeats=5,
    warmup_weeks=13,
    speed_weeks=None,
    epstein_steps={"40": 20, "100": 5, "default": 20},
    epstein_warmup=3,
    scale_warmup=8,
    scale_weeks=13,
    historical_weeks=None,
    historical_repeats=3,
    memory_weeks=None,
    sweep_points=4,
    sweep_replicates=8,
    sweep_weeks=209,
)


QUICK = Budget(
    "quick",
    repeats=1,
    warmup_weeks=2,
    speed_weeks=4,
    epstein_steps={"40": 2, "100": 1, "default": 2},
    epstein_warmup=0,
    scale_warmup=0,
    scale_weeks=2,
    historical_weeks=8,
    historical_repeats=1,
    memory_weeks=4,
    sweep_points=2,
    sweep_replicates=1,
    sweep_weeks=4,
)


def speed_row(
    section: str,
    case: str,
    seconds: list[float],
    steps: int,
    agent_steps: int,
    resolution: float | None = None,
    note: str = "",
    load1: float | None = None,
) -> Row:
    """A row of steps/s, agent-steps/s and ms/step from the median of timed repetitions."""
    med = statistics.median(seconds)
    row = Row(
        section,
        case,
        resolution_deg=resolution,
        agents_mean=agent_steps / steps,
        steps=steps,
        repeats=len(seconds),
        seconds_median=med,
        steps_per_s=steps / med,
        agent_steps_per_s=agent_steps / med,
        ms_per_step=1000.0 * med / steps,
        value=agent_steps / med,
        unit="agent-steps/s",
        note=note,
    )
    if load1 is not None:
        row.load1 = load1
    return row


Say = Callable[[str], None]


def bench_speed(budget: Budget, say: Say) -> tuple[list[Row], dict[str, Row]]:
    """Baseline at 0.5° and 0.25°, and Epstein at 40×40 and 100×100.

    Returns:
        The rows, and the same rows by key (``sahel_0.5``, ``sahel_0.25``, ``epstein_40``, ``epstein_100``).
    """
    from sahel_sim.scenario.loading import load_scenario, with_overrides

    base = load_scenario(scenario_dir() / "baseline.yaml")
    say(f"warm-up: baseline, {budget.warmup_weeks} weeks")
    time_sahel(base, weeks=budget.warmup_weeks)
    rows: dict[str, Row] = {}
    for res, repeats in ((0.5, budget.repeats), (0.25, max(1, budget.repeats - 2))):
        scenario = with_weeks(with_overrides(base, [("map.resolution", res)]), budget.speed_weeks)
        say(f"speed: baseline at {res}°, {repeats} runs of {scenario.weeks} weeks")
        load1 = load_average()[0]
        seconds, steps, agent_steps = repeat_sahel(scenario, repeats)
        whole = "whole baseline 2022-2025" if budget.speed_weeks is None else f"first {steps} weeks"
        rows[f"sahel_{res}"] = speed_row(
            "speed",
            f"sahel baseline {res}deg",
            seconds,
            steps,
            agent_steps,
            res,
            f"{whole}; model construction not timed",
            load1,
        )
    for side in (40, 100):
        steps = budget.epstein_steps[str(side)]
        repeats = budget.repeats if side == 40 else max(1, budget.repeats - 2)
        say(f"speed: Mesa Epstein {side}x{side}, {repeats} blocks of {steps} steps")
        load1 = load_average()[0]
        seconds, steps, agent_steps = time_epstein(side, steps, repeats, budget.epstein_warmup)
        rows[f"epstein_{side}"] = speed_row(
            "speed",
            f"mesa epstein {side}x{side}",
            seconds,
            steps,
            agent_steps,
            note="as shipped (Von Neumann, vision 7, DataCollector on); construction and warm-up not timed",
            load1=load1,
        )
    return list(rows.values()), rows


def bench_scaling(budget: Budget, say: Say) -> tuple[list[Row], dict[str, Row]]:
    """Time per step at ×1, ×4, ×16 agents (0.5°) and at 0.5°, 0.25°, 0.125° (×1).

    Returns:
        The rows, and the same rows by key (``x1``, ``x4``, ``x16``, ``res_0.25``, ``res_0.125``).
    """
    from sahel_sim.scenario.loading import load_scenario

    base = load_scenario(scenario_dir() / "baseline.yaml")
    window = budget.scale_warmup + budget.scale_weeks
    rows: dict[str, Row] = {}
    cases = [(name, recipe, 0.5) for name, recipe in SCALE_RECIPES.items()]
    cases += [(f"res_{res}", SCALE_RECIPES["x1"], res) for res in (0.25, 0.125)]
    for key, recipe, res in cases:
        scenario = with_weeks(scaled(base, recipe, res), window)
        label = key if key.startswith("x") else "x1"
        say(
            f"scaling: {label} agents at {res}°, {budget.repeats} x {budget.scale_weeks} weeks "
            f"after {budget.scale_warmup} untimed"
        )
        load1 = load_average()[0]
        seconds, steps, agent_steps = repeat_sahel(scenario, budget.repeats, budget.scale_warmup, budget.scale_weeks)
        ins = scenario.mechanisms.insurgency
        note = (
            f"initial strength x{recipe[0]:g}, band split {ins.band_split_strength}, dissolve "
            f"{ins.band_min_strength}; weeks {budget.scale_warmup + 1}-{window} of the baseline"
        )
        rows[key] = speed_row("scaling", f"{label} agents {res}deg", seconds, steps, agent_steps, res, note, load1)
    reference = rows["x1"]
    for key, row in rows.items():
        row.value = need(row.ms_per_step) / need(reference.ms_per_step)
        row.unit = "time per step / x1 at 0.5deg"
        row.note = f"{need(row.agents_mean) / need(reference.agents_mean):.2f}x agents; " + row.note
        if key.startswith("res"):
            row.note = "cells x" + f"{(0.5 / need(row.resolution_deg)) ** 2:g}; " + row.note
    return list(rows.values()), rows


def bench_ratio(
    budget: Budget, speed: dict[str, Row], scaling: dict[str, Row], say: Say
) -> tuple[list[Row], list[Target]]:
    """Our agent-steps/s over Epstein's at comparable agent counts (see :data:`COMPARABLE`)."""
    rows, targets = [], []
    pairs = [
        ("baseline 0.5deg (x1)", speed["sahel_0.5"]),
        ("x4 agents 0.5deg", scaling["x4"]),
        ("x16 agents 0.5deg", scaling["x16"]),
    ]
    for label, ours in pairs:
        side = epstein_side(need(ours.agents_mean))
        steps = budget.epstein_steps["default"]
        say(f"ratio: Mesa Epstein {side}x{side} matched to {ours.agents_mean:.0f} agents")
        load1 = load_average()[0]
        seconds, steps, agent_steps = time_epstein(side, steps, budget.repeats, budget.epstein_warmup)
        mesa = speed_row(
            "speed",
            f"mesa epstein {side}x{side} (matched)",
            seconds,
            steps,
            agent_steps,
            note=f"sized to {label}",
            load1=load1,
        )
        rows.append(mesa)
        ratio = need(ours.agent_steps_per_s) / need(mesa.agent_steps_per_s)
        rows.append(
            Row(
                "ratio",
                f"{label} / epstein {side}x{side}",
                agents_mean=ours.agents_mean,
                value=ratio,
                unit="agent-steps/s ratio",
                note=f"{ours.agents_mean:.0f} vs {mesa.agents_mean:.0f} agents",
            )
        )
        targets.append(
            Target(
                f"agent-steps/s >= 10x Mesa Epstein, {label}",
                ratio,
                TARGET_EPSTEIN_RATIO,
                "ratio",
                ratio >= TARGET_EPSTEIN_RATIO,
                f"{ours.agent_steps_per_s:,.0f} vs {mesa.agent_steps_per_s:,.0f} agent-steps/s "
                f"at {ours.agents_mean:.0f} vs {mesa.agents_mean:.0f} agents",
            )
        )
    for key in ("epstein_40", "epstein_100"):
        mesa = speed[key]
        ours = min(scaling.values(), key=lambda r: abs(math.log(need(r.agents_mean) / need(mesa.agents_mean))))
        ratio = need(ours.agent_steps_per_s) / need(mesa.agent_steps_per_s)
        factor = max(need(ours.agents_mean), need(mesa.agents_mean)) / min(
            need(ours.agents_mean), need(mesa.agents_mean)
        )
        rows.append(
            Row(
                "ratio",
                f"{ours.case} / {mesa.case}",
                agents_mean=ours.agents_mean,
                value=ratio,
                unit="agent-steps/s ratio",
                note=f"{ours.agents_mean:.0f} vs {mesa.agents_mean:.0f} agents (factor {factor:.2f})"
                + ("" if factor <= 2 else "; NOT comparable (factor > 2)"),
            )
        )
    return rows, targets


def bench_phases(budget: Budget, say: Say) -> list[Row]:
    """Milliseconds per step in each phase at x1 and x16 agents (0.5°), from one timed run each."""
    from sahel_sim.bench.phase_timing import GRID_PHASES, time_phases
    from sahel_sim.model.sahel_model import SahelModel
    from sahel_sim.scenario.loading import load_scenario

    base = load_scenario(scenario_dir() / "baseline.yaml")
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


def linearity_target(scaling: dict[str, Row]) -> Target:
    """Time per step grows at most linearly: time ratio <= 20/16 x agent ratio, for ×16 against ×1."""
    x1, x16 = scaling["x1"], scaling["x16"]
    agents = need(x16.agents_mean) / need(x1.agents_mean)
    time_ratio = need(x16.ms_per_step) / need(x1.ms_per_step)
    allowed = TARGET_TIME_PER_AGENT * agents
    return Target(
        "time per step at x16 agents <= x20 (scaled to the actual agent ratio)",
        time_ratio,
        allowed,
        "time ratio",
        time_ratio <= allowed,
        f"{agents:.1f}x agents ({x1.agents_mean:.0f} -> {x16.agents_mean:.0f}), "
        f"{x1.ms_per_step:.1f} -> {x16.ms_per_step:.1f} ms/step",
    )
