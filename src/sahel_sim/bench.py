"""Performance benchmark: sahel_sim against Mesa's own Epstein example, and the issue's targets.

``python -m sahel_sim bench`` (or ``python benchmarks/run.py``) measures, in one invocation:

* **speed**: steps/s and agent-steps/s of the baseline scenario at 0.5° and 0.25°, and of Mesa's
  bundled Epstein civil-violence example at 40×40, 100×100 and at grid sizes matched to our agent
  counts;
* **ratio**: our agent-steps/s over Epstein's at a comparable agent count (see :data:`COMPARABLE`);
* **scaling**: time per step with about ×1, ×4 and ×16 agents (see :data:`SCALE_RECIPES`), and at
  0.5°, 0.25° and 0.125°;
* **phases**: milliseconds per step in each phase of a step at ×1 and ×16 agents
  (:mod:`sahel_sim.phase_timing`; one run each, so rougher than the medians elsewhere);
* **historical**: wall time of the 2012–2025 run, in a child process pinned to one core;
* **sweep**: runs/s of a small sweep with 1 and 2 worker processes, and the parallel efficiency;
* **memory**: peak resident memory of one run at 0.25° and of the sweep driver (child processes).

Every timed figure except the phases is the median of several repetitions after a warm-up. An *agent-step* is one
agent alive at the end of one step: a run's agent-steps are the number of agents alive after each
step, summed over its steps. The load average (1 minute) is recorded with every row, since other
processes share the machine. The targets of the issue are reported as pass or fail, never asserted.

Results go to ``--out`` (default ``benchmarks/results/``) as ``bench_<time>.csv`` (one row per
measurement, :data:`COLUMNS`), ``bench_<time>_targets.csv`` and ``bench_<time>.json`` (both tables
plus date, machine, git commit and load averages).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sahel_sim

#: Columns of the results table, in order.
COLUMNS = ("section", "case", "resolution_deg", "agents_mean", "steps", "repeats", "seconds_median",
           "steps_per_s", "agent_steps_per_s", "ms_per_step", "value", "unit", "load1", "note")
#: Columns of the targets table, in order.
TARGET_COLUMNS = ("target", "measured", "threshold", "unit", "passed", "note")

#: Agents per cell of Mesa's Epstein example as shipped (citizen density 0.7 + cop density 0.074).
EPSTEIN_DENSITY = 0.774
#: How "comparable agent count" is defined for the ratio ours/Mesa's.
COMPARABLE = ("Epstein's grid is square with side round(sqrt(N / 0.774)), N being our mean number of "
              "agents alive per step, so both models step about the same number of agents (the actual "
              "Epstein count is reported); the fixed 40x40 and 100x100 grids are compared with our "
              "scaled runs whose agent counts are closest to theirs (within a factor of 2).")

#: How agent counts are scaled: name -> (multiplier on every faction's initial strength, divisor of
#: band_split_strength and band_min_strength). Dividing the split size by d gives about d times as many
#: bands from the same fighters (split size floored at 20, the schema's minimum, and the dissolve
#: size at 1); multiplying strength adds bands beyond that. Army garrisons (one per town of at least
#: 20,000 people: 195 towns in the five countries), camps and posts are tied to the map and stay as
#: they are, so the bands carry all of the growth. The divisors were chosen so that the mean agents
#: alive are about 4 and 16 times the baseline's; the actual counts are reported.
SCALE_RECIPES: dict[str, tuple[float, float]] = {"x1": (1.0, 1.0), "x4": (1.0, 13.0), "x16": (3.5, 20.0)}

#: The issue's targets.
TARGET_EPSTEIN_RATIO = 10.0    # our agent-steps/s over Epstein's at comparable agent count, at least
TARGET_HISTORICAL_S = 10.0     # wall seconds of the 2012–2025 run on one core, below
TARGET_TIME_PER_AGENT = 20 / 16  # time-per-step ratio over agent ratio (x16 agents -> at most x20 time)
TARGET_SPEEDUP_2 = 1.8         # runs/s with 2 workers over 1 worker, at least
TARGET_MEMORY_MB = 500.0       # peak resident memory of one run at 0.25°, MB, below


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


FULL = Budget("full", repeats=5, warmup_weeks=13, speed_weeks=None,
              epstein_steps={"40": 20, "100": 5, "default": 20}, epstein_warmup=3,
              scale_warmup=8, scale_weeks=13, historical_weeks=None, historical_repeats=3,
              memory_weeks=None, sweep_points=4, sweep_replicates=8, sweep_weeks=209)
QUICK = Budget("quick", repeats=1, warmup_weeks=2, speed_weeks=4,
               epstein_steps={"40": 2, "100": 1, "default": 2}, epstein_warmup=0,
               scale_warmup=0, scale_weeks=2, historical_weeks=8, historical_repeats=1,
               memory_weeks=4, sweep_points=2, sweep_replicates=1, sweep_weeks=4)


@dataclass
class Row:
    """One measurement (see :data:`COLUMNS`; missing figures are None)."""

    section: str
    case: str
    resolution_deg: float | None = None
    agents_mean: float | None = None
    steps: int | None = None
    repeats: int | None = None
    seconds_median: float | None = None
    steps_per_s: float | None = None
    agent_steps_per_s: float | None = None
    ms_per_step: float | None = None
    value: float | None = None
    unit: str = ""
    load1: float = field(default_factory=lambda: load_average()[0])
    note: str = ""


@dataclass
class Target:
    """One target of the issue: what was measured, the threshold and whether it passed."""

    target: str
    measured: float
    threshold: float
    unit: str
    passed: bool
    note: str = ""


# ---------------------------------------------------------------------------------------------- helpers
def load_average() -> tuple[float, float, float]:
    """The 1-, 5- and 15-minute load averages (zeros where the platform has none)."""
    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return (0.0, 0.0, 0.0)


def scenario_dir() -> Path:
    """The ``scenarios/`` folder of the source tree, else of the current directory."""
    here = Path(sahel_sim.__file__).resolve().parents[2] / "scenarios"
    return here if here.is_dir() else Path("scenarios").resolve()


def cpu_name() -> str:
    """The processor's model name (from /proc/cpuinfo on Linux), else platform.processor()."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cpus() -> list[int]:
    """CPUs this process may run on."""
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:
        return list(range(os.cpu_count() or 1))


def machine() -> dict:
    """Date, machine, Python, versions and git commit of this benchmark."""
    from sahel_sim.provenance import provenance

    prov = provenance()
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "platform": prov["platform"],
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(usable_cpus()),
        "python": prov["python"],
        "git_commit": prov["git_commit"],
        "versions": prov["versions"],
    }


def _median_index(values: Sequence[float]) -> int:
    """Index of the (lower) median of ``values``."""
    order = sorted(range(len(values)), key=values.__getitem__)
    return order[(len(order) - 1) // 2]


def _speed_row(section: str, case: str, seconds: list[float], steps: int, agent_steps: int,
               resolution: float | None = None, note: str = "", load1: float | None = None) -> Row:
    """A row of steps/s, agent-steps/s and ms/step from the median of timed repetitions."""
    med = statistics.median(seconds)
    row = Row(section, case, resolution_deg=resolution, agents_mean=agent_steps / steps, steps=steps,
              repeats=len(seconds), seconds_median=med, steps_per_s=steps / med,
              agent_steps_per_s=agent_steps / med, ms_per_step=1000.0 * med / steps,
              value=agent_steps / med, unit="agent-steps/s", note=note)
    if load1 is not None:
        row.load1 = load1
    return row


def with_weeks(scenario: Any, weeks: int | None, start: dt.date | None = None) -> Any:
    """The scenario cut to ``weeks`` weeks (None: unchanged), optionally from another start date."""
    from sahel_sim.scenario_io import with_overrides

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
    from sahel_sim.scenario_io import with_overrides

    strength, divisor = recipe
    ins = scenario.mechanisms.insurgency
    overrides: list[tuple[str, Any]] = []
    if resolution is not None:
        overrides.append(("map.resolution", resolution))
    if divisor != 1.0:
        overrides += [("mechanisms.insurgency.band_split_strength", max(20, round(ins.band_split_strength / divisor))),
                      ("mechanisms.insurgency.band_min_strength", max(1, round(ins.band_min_strength / divisor)))]
    if strength != 1.0:
        overrides += [(f"factions.{i}.initial_strength", round(f.initial_strength * strength))
                      for i, f in enumerate(scenario.factions)]
    return with_overrides(scenario, overrides) if overrides else scenario


# ---------------------------------------------------------------------------------------------- timing
def time_sahel(scenario: Any, warmup_weeks: int = 0, weeks: int | None = None) -> tuple[float, int, int]:
    """Time the steps of one SahelModel run (model construction and warm-up weeks not timed).

    Args:
        scenario: The scenario to run.
        warmup_weeks: Weeks stepped before the clock starts.
        weeks: Weeks timed (None: until the scenario ends).

    Returns:
        (seconds of the timed steps, steps timed, agent-steps: agents alive after each timed step, summed).
    """
    from sahel_sim.model import SahelModel

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


def repeat_sahel(scenario: Any, repeats: int, warmup_weeks: int = 0, weeks: int | None = None
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
    return seconds, steps, agent_steps[_median_index(seconds)]


def epstein_side(agents: float) -> int:
    """Side of the Epstein grid that holds about ``agents`` agents (see :data:`COMPARABLE`)."""
    return max(5, round(math.sqrt(agents / EPSTEIN_DENSITY)))


# ---------------------------------------------------------------------------------------------- child processes
def run_child(task: dict, pin: bool = False, timeout: float = 1800.0) -> dict:
    """Run ``task`` in a fresh Python process and return its JSON answer.

    Args:
        task: ``{"kind": "simulate" | "sweep", ...}``, see :func:`_child_simulate` and :func:`_child_sweep`.
        pin: Pin the child to one CPU before it imports anything (so numpy's threads share that core).
        timeout: Seconds before the child is given up.

    Returns:
        The child's answer.

    Raises:
        RuntimeError: If the child fails.
    """
    cpu = usable_cpus()[-1]
    code = ("import os, sys\n"
            + (f"os.sched_setaffinity(0, {{{cpu}}})\n" if pin and hasattr(os, "sched_setaffinity") else "")
            + "from sahel_sim.bench import child_main\nchild_main(sys.argv[1])\n")
    env = dict(os.environ)
    src = str(Path(sahel_sim.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(task)], capture_output=True, text=True,
                          env=env, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child {task['kind']} failed (status {proc.returncode}):\n"
                           f"{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child_main(payload: str) -> None:
    """Entry point of a benchmark child process: run the task and print its answer as JSON."""
    task = json.loads(payload)
    answer = {"simulate": _child_simulate, "sweep": _child_sweep}[task["kind"]](task)
    answer["affinity"] = usable_cpus()
    print(json.dumps(answer))


def peak_rss_mb() -> float:
    """Peak resident memory of this process, MB (MiB).

    On Linux this is ``VmHWM`` from /proc/self/status: the high-water mark of this process's own
    memory since it started. ``ru_maxrss`` is not used there because Linux carries the parent's peak
    over fork and exec into the child, so a child of a large benchmark process would report at least
    the parent's size. Elsewhere ``resource.getrusage(RUSAGE_SELF).ru_maxrss``.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0  # kB
    except (OSError, ValueError, IndexError):
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / 1024.0 / (1024.0 if sys.platform == "darwin" else 1.0)


def _child_simulate(task: dict) -> dict:
    """Load a scenario, apply overrides, and time :func:`sahel_sim.runner.simulate` on it."""
    from sahel_sim.runner import simulate
    from sahel_sim.scenario_io import load_scenario, with_overrides

    scenario = load_scenario(task["scenario"])
    scenario = with_overrides(scenario, [tuple(o) for o in task.get("overrides", [])])
    before = peak_rss_mb()
    output = simulate(scenario)
    return {"wall_seconds": output.wall_seconds, "weeks": int(output.timeseries["date"].nunique()),
            "start": scenario.start.isoformat(), "end": scenario.end.isoformat(),
            "resolution": scenario.map.resolution, "rss_before_mb": before,
            "maxrss_mb": peak_rss_mb()}


def _child_sweep(task: dict) -> dict:
    """Run a sweep with the sweep engine, timing it and the moment each run is recorded."""
    from sahel_sim.sweep.engine import run_sweep

    marks: list[float] = []
    seen = [0]

    def progress(p: Any) -> None:
        finished = p.done + p.failed
        if finished > seen[0]:
            marks.extend([time.perf_counter()] * (finished - seen[0]))
            seen[0] = finished

    started = time.perf_counter()
    counts = run_sweep(task["spec"], task["out"], workers=task["workers"], progress=progress)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "done": counts.done, "failed": counts.failed, "total": counts.total,
            "marks": [m - started for m in marks],
            "driver_maxrss_mb": peak_rss_mb()}


# ---------------------------------------------------------------------------------------------- sections
Say = Callable[[str], None]


def bench_speed(budget: Budget, say: Say) -> tuple[list[Row], dict[str, Row]]:
    """Baseline at 0.5° and 0.25°, and Epstein at 40×40 and 100×100.

    Returns:
        The rows, and the same rows by key (``sahel_0.5``, ``sahel_0.25``, ``epstein_40``, ``epstein_100``).
    """
    from sahel_sim.scenario_io import load_scenario, with_overrides

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
        rows[f"sahel_{res}"] = _speed_row("speed", f"sahel baseline {res}deg", seconds, steps, agent_steps, res,
                                          f"{whole}; model construction not timed", load1)
    for side in (40, 100):
        steps = budget.epstein_steps[str(side)]
        repeats = budget.repeats if side == 40 else max(1, budget.repeats - 2)
        say(f"speed: Mesa Epstein {side}x{side}, {repeats} blocks of {steps} steps")
        load1 = load_average()[0]
        seconds, steps, agent_steps = time_epstein(side, steps, repeats, budget.epstein_warmup)
        rows[f"epstein_{side}"] = _speed_row("speed", f"mesa epstein {side}x{side}", seconds, steps, agent_steps,
                                             note="as shipped (Von Neumann, vision 7, DataCollector on); "
                                                  "construction and warm-up not timed", load1=load1)
    return list(rows.values()), rows


def bench_scaling(budget: Budget, say: Say) -> tuple[list[Row], dict[str, Row]]:
    """Time per step at ×1, ×4, ×16 agents (0.5°) and at 0.5°, 0.25°, 0.125° (×1).

    Returns:
        The rows, and the same rows by key (``x1``, ``x4``, ``x16``, ``res_0.25``, ``res_0.125``).
    """
    from sahel_sim.scenario_io import load_scenario

    base = load_scenario(scenario_dir() / "baseline.yaml")
    window = budget.scale_warmup + budget.scale_weeks
    rows: dict[str, Row] = {}
    cases = [(name, recipe, 0.5) for name, recipe in SCALE_RECIPES.items()]
    cases += [(f"res_{res}", SCALE_RECIPES["x1"], res) for res in (0.25, 0.125)]
    for key, recipe, res in cases:
        scenario = with_weeks(scaled(base, recipe, res), window)
        label = key if key.startswith("x") else "x1"
        say(f"scaling: {label} agents at {res}°, {budget.repeats} x {budget.scale_weeks} weeks "
            f"after {budget.scale_warmup} untimed")
        load1 = load_average()[0]
        seconds, steps, agent_steps = repeat_sahel(scenario, budget.repeats, budget.scale_warmup,
                                                   budget.scale_weeks)
        ins = scenario.mechanisms.insurgency
        note = (f"initial strength x{recipe[0]:g}, band split {ins.band_split_strength}, dissolve "
                f"{ins.band_min_strength}; weeks {budget.scale_warmup + 1}-{window} of the baseline")
        rows[key] = _speed_row("scaling", f"{label} agents {res}deg", seconds, steps, agent_steps, res, note, load1)
    reference = rows["x1"]
    for key, row in rows.items():
        row.value = row.ms_per_step / reference.ms_per_step
        row.unit = "time per step / x1 at 0.5deg"
        row.note = f"{row.agents_mean / reference.agents_mean:.2f}x agents; " + row.note
        if key.startswith("res"):
            row.note = "cells x" + f"{(0.5 / row.resolution_deg) ** 2:g}; " + row.note
    return list(rows.values()), rows


def bench_ratio(budget: Budget, speed: dict[str, Row], scaling: dict[str, Row], say: Say
                ) -> tuple[list[Row], list[Target]]:
    """Our agent-steps/s over Epstein's at comparable agent counts (see :data:`COMPARABLE`)."""
    rows, targets = [], []
    pairs = [("baseline 0.5deg (x1)", speed["sahel_0.5"]), ("x4 agents 0.5deg", scaling["x4"]),
             ("x16 agents 0.5deg", scaling["x16"])]
    for label, ours in pairs:
        side = epstein_side(ours.agents_mean)
        steps = budget.epstein_steps["default"]
        say(f"ratio: Mesa Epstein {side}x{side} matched to {ours.agents_mean:.0f} agents")
        load1 = load_average()[0]
        seconds, steps, agent_steps = time_epstein(side, steps, budget.repeats, budget.epstein_warmup)
        mesa = _speed_row("speed", f"mesa epstein {side}x{side} (matched)", seconds, steps, agent_steps,
                          note=f"sized to {label}", load1=load1)
        rows.append(mesa)
        ratio = ours.agent_steps_per_s / mesa.agent_steps_per_s
        rows.append(Row("ratio", f"{label} / epstein {side}x{side}", agents_mean=ours.agents_mean, value=ratio,
                        unit="agent-steps/s ratio",
                        note=f"{ours.agents_mean:.0f} vs {mesa.agents_mean:.0f} agents"))
        targets.append(Target(f"agent-steps/s >= 10x Mesa Epstein, {label}", ratio, TARGET_EPSTEIN_RATIO,
                              "ratio", ratio >= TARGET_EPSTEIN_RATIO,
                              f"{ours.agent_steps_per_s:,.0f} vs {mesa.agent_steps_per_s:,.0f} agent-steps/s "
                              f"at {ours.agents_mean:.0f} vs {mesa.agents_mean:.0f} agents"))
    for key in ("epstein_40", "epstein_100"):
        mesa = speed[key]
        ours = min(scaling.values(), key=lambda r: abs(math.log(r.agents_mean / mesa.agents_mean)))
        ratio = ours.agent_steps_per_s / mesa.agent_steps_per_s
        factor = max(ours.agents_mean, mesa.agents_mean) / min(ours.agents_mean, mesa.agents_mean)
        rows.append(Row("ratio", f"{ours.case} / {mesa.case}", agents_mean=ours.agents_mean, value=ratio,
                        unit="agent-steps/s ratio",
                        note=f"{ours.agents_mean:.0f} vs {mesa.agents_mean:.0f} agents (factor {factor:.2f})"
                             + ("" if factor <= 2 else "; NOT comparable (factor > 2)")))
    return rows, targets


def bench_phases(budget: Budget, say: Say) -> list[Row]:
    """Milliseconds per step in each phase at x1 and x16 agents (0.5°), from one timed run each."""
    from sahel_sim.model import SahelModel
    from sahel_sim.phase_timing import GRID_PHASES, time_phases
    from sahel_sim.scenario_io import load_scenario

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
        weeks = max(1, spent.pop("weeks"))
        agents = len(model.agents)
        grid = sum(spent[name] for name in GRID_PHASES)
        for name, seconds in [*spent.items(), ("grid phases", grid)]:
            note = "presence + population + metrics: whole-map work" if name == "grid phases" else ""
            rows.append(Row("phases", f"{key} {name}", resolution_deg=0.5, agents_mean=agents, steps=weeks, repeats=1,
                            ms_per_step=1000.0 * seconds / weeks, value=1000.0 * seconds / weeks, unit="ms/step",
                            load1=load1, note=note))
    return rows


def historical_scenario() -> tuple[Path, list[tuple[str, Any]], str]:
    """The 2012–2025 scenario file, its overrides, and a note saying which one is used."""
    from sahel_sim.scenario_io import ScenarioError, load_scenario

    historical = scenario_dir() / "historical.yaml"
    if historical.is_file():
        try:
            load_scenario(historical)
            return historical, [], "scenarios/historical.yaml"
        except ScenarioError as exc:
            note = f"historical.yaml did not load ({exc}); "
    else:
        note = "historical.yaml absent; "
    return (scenario_dir() / "baseline.yaml", [("start", "2012-01-01")],
            note + "baseline.yaml with start overridden to 2012-01-01")


def bench_historical(budget: Budget, say: Say) -> tuple[list[Row], list[Target]]:
    """Wall time of the 2012–2025 run at default resolution, each in a child pinned to one CPU."""
    path, overrides, note = historical_scenario()
    if budget.historical_weeks is not None:
        from sahel_sim.scenario_io import load_scenario, with_overrides

        start = with_overrides(load_scenario(path), overrides).start
        end = start + dt.timedelta(weeks=budget.historical_weeks) - dt.timedelta(days=1)
        overrides = [*overrides, ("end", end.isoformat())]
        note += f"; QUICK: cut to {budget.historical_weeks} weeks"
    answers = []
    for i in range(budget.historical_repeats):
        say(f"historical: run {i + 1} of {budget.historical_repeats} in a child process on one CPU")
        load1 = load_average()[0]
        answers.append(run_child({"kind": "simulate", "scenario": str(path), "overrides": overrides}, pin=True))
    walls = [a["wall_seconds"] for a in answers]
    first = answers[0]
    med = statistics.median(walls)
    row = Row("historical", f"{first['start'][:4]}-{first['end'][:4]} run, one CPU",
              resolution_deg=first["resolution"], steps=first["weeks"], repeats=len(walls), seconds_median=med,
              steps_per_s=first["weeks"] / med, ms_per_step=1000 * med / first["weeks"], value=med, unit="s",
              load1=load1,
              note=f"{note}; runner.simulate (model, tables, summary; no files) in a fresh process pinned "
                   f"to CPU {first['affinity']}; runs: {', '.join(f'{w:.2f}' for w in walls)} s")
    passed = med < TARGET_HISTORICAL_S
    if budget.historical_weeks is not None:
        passed = False
    target = Target("historical 2012-2025 run < 10 s on one core (0.5deg)", med, TARGET_HISTORICAL_S, "s", passed,
                    f"{first['weeks']} weeks" + ("; QUICK run is cut short: not a valid test"
                                                 if budget.historical_weeks else ""))
    return [row], [target]


def bench_memory(budget: Budget, say: Say) -> tuple[list[Row], list[Target]]:
    """Peak resident memory of one baseline run at 0.25° (child process)."""
    path = scenario_dir() / "baseline.yaml"
    overrides: list[tuple[str, Any]] = [("map.resolution", 0.25)]
    if budget.memory_weeks is not None:
        end = dt.date(2022, 1, 1) + dt.timedelta(weeks=budget.memory_weeks) - dt.timedelta(days=1)
        overrides.append(("end", end.isoformat()))
    say("memory: baseline at 0.25° in a child process")
    load1 = load_average()[0]
    answer = run_child({"kind": "simulate", "scenario": str(path), "overrides": overrides})
    row = Row("memory", "one run 0.25deg (peak RSS)", resolution_deg=0.25, steps=answer["weeks"], repeats=1,
              seconds_median=answer["wall_seconds"], value=answer["maxrss_mb"], unit="MB", load1=load1,
              note=f"peak RSS (VmHWM) of a fresh process; {answer['rss_before_mb']:.0f} MB after imports, "
                   "before the run")
    target = Target("peak memory of one run at 0.25deg < 500 MB", answer["maxrss_mb"], TARGET_MEMORY_MB, "MB",
                    answer["maxrss_mb"] < TARGET_MEMORY_MB, f"{answer['weeks']} weeks")
    return [row], [target]


def bench_sweep(budget: Budget, say: Say) -> tuple[list[Row], list[Target]]:
    """Runs/s of a small temporary sweep with 1 and 2 worker processes, and the driver's memory."""
    runs = budget.sweep_points * budget.sweep_replicates
    values = [round(0.8 + 0.4 * i / max(1, budget.sweep_points - 1), 3) for i in range(budget.sweep_points)]
    end = dt.date(2022, 1, 1) + dt.timedelta(weeks=budget.sweep_weeks) - dt.timedelta(days=1)
    answers: dict[int, dict] = {}
    loads: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="sahel-bench-") as tmp:
        spec = Path(tmp) / "bench_sweep.yaml"
        spec.write_text(
            "name: bench_sweep\n"
            f"base: {json.dumps(str(scenario_dir() / 'baseline.yaml'))}\n"
            f"set:\n  end: {end.isoformat()}\n"
            f"vary:\n  factions.JNIM.recruitment: {json.dumps(values)}\n"
            f"design: grid\nreplicates: {budget.sweep_replicates}\nseed: 7\n")
        for workers in (1, 2):
            say(f"sweep: {runs} runs of {budget.sweep_weeks} weeks with {workers} worker(s)")
            loads[workers] = load_average()[0]
            answers[workers] = run_child({"kind": "sweep", "spec": str(spec), "out": str(Path(tmp) / f"w{workers}"),
                                          "workers": workers})
    rows, rates = [], {}
    for workers, a in answers.items():
        rate = a["done"] / a["seconds"]
        marks = a["marks"]
        steady = steady_rate(marks, workers) or rate
        rates[workers] = (rate, steady)
        how = "in the driver process (as --workers 1)" if workers == 1 else "forkserver worker processes"
        rows.append(Row("sweep", f"{workers} worker{'s' if workers > 1 else ''}", resolution_deg=0.5,
                        steps=budget.sweep_weeks, repeats=1, seconds_median=a["seconds"], value=rate, unit="runs/s",
                        load1=loads[workers],
                        note=f"{a['done']}/{a['total']} runs ok, {a['failed']} failed; {how}; wall incl. "
                             f"start-up; steady (after each worker's first run) {steady:.2f} runs/s"))
    speedup, steady_speedup = rates[2][0] / rates[1][0], rates[2][1] / rates[1][1]
    rows.append(Row("sweep", "2 workers / 1 worker", value=speedup, unit="speed-up",
                    note=f"parallel efficiency {speedup / 2:.0%}; steady-state speed-up {steady_speedup:.2f} "
                         f"(efficiency {steady_speedup / 2:.0%})"))
    driver = answers[2]
    rows.append(Row("memory", "sweep driver, 2 workers (peak RSS)", value=driver["driver_maxrss_mb"], unit="MB",
                    load1=loads[2], note=f"peak RSS (VmHWM) of the driver process; {runs} runs"))
    rows.append(Row("memory", "sweep driver, 1 worker in process (peak RSS)", value=answers[1]["driver_maxrss_mb"],
                    unit="MB", load1=loads[1], note="driver runs the simulations itself"))
    cpus = len(usable_cpus())
    busy = max(loads.values()) > cpus - 1
    targets = [Target("2 workers >= 1.8x one worker (runs/s)", speedup, TARGET_SPEEDUP_2, "speed-up",
                      speedup >= TARGET_SPEEDUP_2,
                      f"{runs} runs of {budget.sweep_weeks} weeks, wall incl. pool start-up; steady-state "
                      f"{steady_speedup:.2f}x; {cpus} CPUs usable"
                      + (f"; machine busy (load {max(loads.values()):.1f} on {cpus} CPUs): a second worker "
                         "had no free core, so this figure says little" if busy else ""))]
    return rows, targets


def steady_rate(marks: Sequence[float], workers: int) -> float | None:
    """Runs per second between the first ``workers`` completions and the last one.

    The first ``workers`` runs finish at about the same time, one per worker, so the runs finished
    after them, divided by the time after them, is the pool's rate once every worker is busy (start-up
    excluded). None when there are too few runs to tell.

    Args:
        marks: Seconds from the start of the sweep at which each run finished, ascending.
        workers: Worker processes.
    """
    if len(marks) <= workers or marks[-1] <= marks[workers - 1]:
        return None
    return (len(marks) - workers) / (marks[-1] - marks[workers - 1])


def linearity_target(scaling: dict[str, Row]) -> Target:
    """Time per step grows at most linearly: time ratio <= 20/16 x agent ratio, for ×16 against ×1."""
    x1, x16 = scaling["x1"], scaling["x16"]
    agents = x16.agents_mean / x1.agents_mean
    time_ratio = x16.ms_per_step / x1.ms_per_step
    allowed = TARGET_TIME_PER_AGENT * agents
    return Target("time per step at x16 agents <= x20 (scaled to the actual agent ratio)", time_ratio, allowed,
                  "time ratio", time_ratio <= allowed,
                  f"{agents:.1f}x agents ({x1.agents_mean:.0f} -> {x16.agents_mean:.0f}), "
                  f"{x1.ms_per_step:.1f} -> {x16.ms_per_step:.1f} ms/step")


# ---------------------------------------------------------------------------------------------- driver
@dataclass
class Report:
    """Everything a benchmark produced."""

    meta: dict
    rows: list[Row]
    targets: list[Target]


def run_benchmark(budget: Budget, say: Say = print) -> Report:
    """Run every section under ``budget``.

    Args:
        budget: :data:`FULL` or :data:`QUICK`.
        say: Where progress lines go.

    Returns:
        The report (not yet written).
    """
    meta = {**machine(), "mode": budget.name, "budget": asdict(budget), "load_start": load_average(),
            "comparable": COMPARABLE, "scale_recipes": SCALE_RECIPES,
            "agent_step": "one agent alive at the end of one step (agents alive after each step, summed)"}
    started = time.perf_counter()
    speed_rows, speed = bench_speed(budget, say)
    scaling_rows, scaling = bench_scaling(budget, say)
    ratio_rows, targets = bench_ratio(budget, speed, scaling, say)
    targets.append(linearity_target(scaling))
    phase_rows = bench_phases(budget, say)
    hist_rows, hist_targets = bench_historical(budget, say)
    sweep_rows, sweep_targets = bench_sweep(budget, say)
    mem_rows, mem_targets = bench_memory(budget, say)
    meta["load_end"] = load_average()
    meta["seconds"] = round(time.perf_counter() - started, 1)
    rows = speed_rows + ratio_rows + scaling_rows + phase_rows + hist_rows + sweep_rows + mem_rows
    order = {"speed": 0, "ratio": 1, "scaling": 2, "phases": 3, "historical": 4, "sweep": 5, "memory": 6}
    rows.sort(key=lambda r: order[r.section])
    return Report(meta, rows, [*targets, *hist_targets, *sweep_targets, *mem_targets])


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "PASS" if value else "FAIL"
    if isinstance(value, float):
        if value != value:  # NaN
            return "nan"
        magnitude = abs(value)
        if magnitude >= 1000:
            return f"{value:,.0f}"
        if magnitude >= 100:
            return f"{value:.0f}"
        return f"{value:.3g}" if magnitude < 10 else f"{value:.1f}"
    return str(value)


def format_table(report: Report) -> str:
    """The results and targets as fixed-width text tables."""
    shown = ("section", "case", "agents_mean", "steps", "repeats", "seconds_median", "steps_per_s",
             "agent_steps_per_s", "ms_per_step", "value", "unit", "load1")
    heads = ("section", "case", "agents", "steps", "reps", "median s", "steps/s", "agent-steps/s", "ms/step",
             "value", "unit", "load")
    lines = [_grid(heads, [[_fmt(getattr(r, c)) for c in shown] for r in report.rows])]
    lines.append("")
    lines.append(_grid(("target", "measured", "threshold", "unit", "result"),
                       [[t.target, _fmt(float(t.measured)), _fmt(float(t.threshold)), t.unit, _fmt(t.passed)]
                        for t in report.targets]))
    m = report.meta
    lines.append("")
    lines.append(f"{m['date']}  {m['platform']}  {m['cpu']} ({m['cpu_count']} CPUs)  Python {m['python']}  "
                 f"mesa {m['versions'].get('mesa')}  commit {m['git_commit']}")
    lines.append(f"load average at start {_loads(m['load_start'])}, at end {_loads(m['load_end'])}; "
                 f"{m['mode']} mode, {m['seconds']} s")
    return "\n".join(lines)


def _loads(values: Sequence[float]) -> str:
    return "/".join(f"{v:.2f}" for v in values)


def _grid(heads: Sequence[str], cells: list[list[str]]) -> str:
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(heads)]
    text = ["  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip(),
            "  ".join("-" * w for w in widths)]
    for row in cells:
        text.append("  ".join(c.rjust(w) if i >= 2 else c.ljust(w)
                              for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip())
    return "\n".join(text)


def write_report(report: Report, out: Path) -> list[Path]:
    """Write ``bench_<time>.csv``, ``bench_<time>_targets.csv`` and ``bench_<time>.json`` under ``out``.

    Returns:
        The files written.
    """
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = base = f"bench_{'quick_' if report.meta['mode'] == 'quick' else ''}{stamp}"
    n = 1
    while (out / f"{stem}.json").exists():  # never overwrite
        n += 1
        stem = f"{base}-{n}"
    paths = [out / f"{stem}.csv", out / f"{stem}_targets.csv", out / f"{stem}.json"]
    for path, columns, items in ((paths[0], COLUMNS, report.rows), (paths[1], TARGET_COLUMNS, report.targets)):
        with path.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            for item in items:
                writer.writerow({k: ("" if v is None else v) for k, v in asdict(item).items()})
    paths[2].write_text(json.dumps({"meta": report.meta, "columns": list(COLUMNS),
                                    "results": [asdict(r) for r in report.rows],
                                    "targets": [asdict(t) for t in report.targets]}, indent=2) + "\n")
    return paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's options (shared by ``benchmarks/run.py`` and ``python -m sahel_sim bench``)."""
    parser.add_argument("--quick", action="store_true",
                        help="tiny budget: a smoke run of every section in seconds (figures not meaningful)")
    parser.add_argument("--out", default="benchmarks/results",
                        help="folder for the CSV and JSON files (default: benchmarks/results/)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines, only the table")


def run_from_args(args: argparse.Namespace) -> int:
    """Run the benchmark from parsed options, print the table and write the files; return 0."""
    def say(text: str) -> None:
        if not args.quiet:
            print(f"[{time.strftime('%H:%M:%S')} load {load_average()[0]:.2f}] {text}", file=sys.stderr, flush=True)

    report = run_benchmark(QUICK if args.quick else FULL, say)
    print(format_table(report))
    for path in write_report(report, Path(args.out)):
        print(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``benchmarks/run.py``."""
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))
