"""The issue's targets (issue 18), each from pairs of measurements timed alternately in fresh processes.

A pair is one measurement of each side, one after the other; the order flips from pair to pair
(A B, B A, A B, ...), so a change in the machine's load touches both sides alike. A ratio is the
median over pairs of the ratio within a pair. Times are CPU seconds of the measuring process (user +
system), which other processes on the machine disturb far less than wall time.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sahel_sim.bench.engines import FROZEN_COMMIT, command, new_engine, old_engine, probe, scenario_for
from sahel_sim.bench.machine import load_average, scenario_dir
from sahel_sim.bench.report import Row, Target, need
from sahel_sim.bench.timing import SCALE_RECIPES, SCALING_SCENARIO, epstein_side

Say = Callable[[str], None]

TARGET_WEEKS_RATIO = 4.0  # historical weeks per CPU-second, new over old, at least
TARGET_RUN_CPU_RATIO = 1 / 2.25  # CPU time of `run` end to end, new over old, at most
TARGET_FINE_MS = 10.0  # ms of CPU per week at 0.125°, at most
TARGET_AGENTS_RATIO = 3.0  # time per week at x16 agents over x1, at most
TARGET_RUN_MEMORY_MB = 500.0  # peak resident memory of one historical run, MiB, below
TARGET_SWEEP_MEMORY_MB = 1024.0  # peak resident memory of a 2-worker sweep (all its processes), MiB, below
TARGET_SPEEDUP_2 = 1.9  # 2 workers over 1 on full-length runs, at least
TARGET_10K_HOURS = 1.0  # 10,000 historical runs on 2 cores, hours, at most


@dataclass(frozen=True)
class PairBudget:
    """How much work each paired measurement does (None weeks: the whole scenario).

    Attributes:
        name: ``full`` or ``quick``.
        pairs: Alternating pairs per comparison of engines.
        historical_weeks: Weeks of the historical run timed per probe.
        run_weeks: Weeks of the ``run`` command (``--weeks``).
        fine_warmup: Untimed weeks before the 0.125° measurement.
        fine_weeks: Weeks timed at 0.125°.
        scale_warmup: Untimed weeks before each x1 / x16 measurement (bands spread out first).
        scale_weeks: Weeks timed per x1 / x16 measurement.
        epstein_steps: Steps of Mesa's Epstein example timed per measurement.
        sweep_runs: Runs per sweep (half at each of two design points).
        sweep_weeks: Weeks per sweep run.
        sweep_pairs: Alternating pairs of (1 worker, 2 workers) sweeps.
    """

    name: str
    pairs: int
    historical_weeks: int | None
    run_weeks: int | None
    fine_warmup: int
    fine_weeks: int
    scale_warmup: int
    scale_weeks: int
    epstein_steps: int
    sweep_runs: int
    sweep_weeks: int | None
    sweep_pairs: int


FULL = PairBudget("full", 3, None, None, 26, 52, 26, 52, 50, 32, None, 1)
QUICK = PairBudget("quick", 1, 8, 4, 1, 2, 1, 2, 3, 2, 4, 1)


def alternate(pairs: int, first: Callable[[], dict], second: Callable[[], dict]) -> tuple[list[dict], list[dict]]:
    """Measure ``first`` and ``second`` ``pairs`` times each, flipping their order every pair."""
    a, b = [], []
    for k in range(pairs):
        if k % 2 == 0:
            a.append(first())
            b.append(second())
        else:
            b.append(second())
            a.append(first())
    return a, b


def pair_ratio(top: list[float], bottom: list[float]) -> float:
    """Median over pairs of top / bottom."""
    return statistics.median(t / b for t, b in zip(top, bottom, strict=True))


def _historical() -> str:
    return str(scenario_dir() / "historical.yaml")


def _overrides_until(weeks: int | None, start: dt.date = dt.date(2012, 1, 1)) -> list[list]:
    if weeks is None:
        return []
    return [["end", (start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)).isoformat()]]


def bench_engines(budget: PairBudget, say: Say) -> tuple[list[Row], list[Target]]:
    """Old engine against new: historical weeks per CPU-second, `run` CPU time, 0.125° ms per week."""
    old, note = old_engine()
    new = new_engine()
    rows: list[Row] = []
    targets: list[Target] = []
    if old is None:
        say(f"engines: {note}; ratios against the old engine skipped")
    hist = {"kind": "steps", "overrides": _overrides_until(budget.historical_weeks)}
    for engine in (new, old) if old is not None else (new,):
        say("engines: one untimed week on each engine (bytecode and the compiled-kernel cache on disk)")
        probe(engine, {"kind": "steps", "scenario": scenario_for(engine, "historical.yaml"), "weeks": 1})

    def one(engine: Path, task: dict, label: str) -> Callable[[], dict]:
        def measure() -> dict:
            say(f"engines: {label} on the {'new' if engine == new else 'old'} engine")
            own = task | {"scenario": scenario_for(engine, "historical.yaml")}
            return probe(engine, own) | {"load1": load_average()[0]}

        return measure

    # 1. Historical scenario, simulated weeks per CPU-second.
    if old is not None:
        olds, news = alternate(budget.pairs, one(old, hist, "historical"), one(new, hist, "historical"))
    else:
        olds, news = [], [one(new, hist, "historical")() for _ in range(budget.pairs)]
    for side, runs in (("old", olds), ("new", news)):
        if runs:
            rows.append(_steps_row("engines", f"historical weeks per CPU-second, {side} engine", runs, 0.5))
    if olds:
        ratio = pair_ratio([n["weeks"] / n["cpu_s"] for n in news], [o["weeks"] / o["cpu_s"] for o in olds])
        rows.append(Row("engines", "historical weeks per CPU-second, new / old", value=ratio, unit="ratio", note=note))
        name = "historical weeks per CPU-second, new / old >= 4"
        targets.append(_target(name, ratio, TARGET_WEEKS_RATIO, ">=", budget))
    rows.append(
        Row(
            "memory",
            "one historical run (peak RSS)",
            resolution_deg=0.5,
            steps=news[0]["weeks"],
            value=max(n["maxrss_mb"] for n in news),
            unit="MiB",
            note="largest peak resident memory of the new engine's historical probes",
        )
    )
    targets.append(
        _target(
            "memory of one historical run < 500 MiB", need(rows[-1].value), TARGET_RUN_MEMORY_MB, "<", budget, "MiB"
        )
    )

    # 2. `run` end to end (imports, simulation, tables, plots), CPU seconds.
    with tempfile.TemporaryDirectory(prefix="sahel-bench-run-") as tmp:
        extra = ["--weeks", str(budget.run_weeks)] if budget.run_weeks is not None else []

        def run_on(engine: Path) -> Callable[[], dict]:
            def measure() -> dict:
                say(f"engines: `run` end to end on the {'new' if engine == new else 'old'} engine")
                args = ["run", scenario_for(engine, "historical.yaml"), "--out", tmp, "--quiet", *extra]
                return command(engine, args) | {"load1": load_average()[0]}

            return measure

        if old is not None:
            old_runs, new_runs = alternate(budget.pairs, run_on(old), run_on(new))
        else:
            old_runs, new_runs = [], [run_on(new)() for _ in range(budget.pairs)]
    for side, runs in (("old", old_runs), ("new", new_runs)):
        if runs:
            cpu = [r["cpu_s"] for r in runs]
            rows.append(
                Row(
                    "engines",
                    f"`run` historical end to end, {side} engine",
                    repeats=len(cpu),
                    seconds_median=statistics.median(cpu),
                    value=statistics.median(cpu),
                    unit="CPU s",
                    load1=statistics.median(r["load1"] for r in runs),
                    note="python -m sahel_sim run (imports, weeks, tables, three plots); CPU s: "
                    + ", ".join(f"{c:.2f}" for c in cpu),
                )
            )
    if old_runs:
        ratio = pair_ratio([r["cpu_s"] for r in new_runs], [r["cpu_s"] for r in old_runs])
        rows.append(Row("engines", "`run` CPU time, new / old", value=ratio, unit="ratio", note=note))
        targets.append(_target("`run` CPU time, new / old <= 1/2.25", ratio, TARGET_RUN_CPU_RATIO, "<=", budget))

    # 3. 0.125° map, ms of CPU per week.
    fine = {
        "kind": "steps",
        "overrides": [["map.resolution", 0.125]],
        "warmup": budget.fine_warmup,
        "weeks": budget.fine_weeks,
    }
    if old is not None:
        olds, news = alternate(budget.pairs, one(old, fine, "0.125°"), one(new, fine, "0.125°"))
    else:
        olds, news = [], [one(new, fine, "0.125°")() for _ in range(budget.pairs)]
    for side, runs in (("old", olds), ("new", news)):
        if runs:
            rows.append(_steps_row("engines", f"historical at 0.125deg, {side} engine", runs, 0.125))
    fine_ms = need(rows[-1].ms_per_step)
    targets.append(_target("0.125deg map, CPU ms per week <= 10", fine_ms, TARGET_FINE_MS, "<=", budget, "ms"))
    return rows, targets


def bench_agents(budget: PairBudget, say: Say) -> tuple[list[Row], list[Target]]:
    """Time per week at x16 agents against x1 (new engine), and Mesa's Epstein at the same agent counts."""
    from sahel_sim.bench.timing import scaled
    from sahel_sim.scenario.loading import load_scenario

    new = new_engine()
    path = scenario_dir() / SCALING_SCENARIO
    base = load_scenario(path)
    tasks = {}
    for key in ("x1", "x16"):
        changed = scaled(base, SCALE_RECIPES[key])
        overrides = [
            [f"mechanisms.insurgency.{k}", getattr(changed.mechanisms.insurgency, k)]
            for k in ("band_split_strength", "band_min_strength")
        ]
        overrides += [[f"factions.{i}.initial_strength", f.initial_strength] for i, f in enumerate(changed.factions)]
        tasks[key] = {
            "kind": "steps",
            "scenario": str(path),
            "overrides": overrides,
            "warmup": budget.scale_warmup,
            "weeks": budget.scale_weeks,
        }
    results: dict[str, list[dict]] = {"x1": [], "x16": [], "epstein x1": [], "epstein x16": []}
    agents: dict[str, float] = {}

    def ours(key: str) -> None:
        say(f"agents: {key} on the new engine")
        answer = probe(new, tasks[key]) | {"load1": load_average()[0]}
        agents.setdefault(key, answer["agents_mean"])
        results[key].append(answer)

    def epstein(key: str) -> None:
        side = epstein_side(agents[key])
        say(f"agents: Mesa's Epstein example {side}x{side} (as many agents as {key})")
        task = {"kind": "epstein", "side": side, "steps": budget.epstein_steps, "warmup": 2}
        results[f"epstein {key}"].append(probe(new, task) | {"load1": load_average()[0], "side": side})

    for k in range(budget.pairs):
        for key in ("x1", "x16") if k % 2 == 0 else ("x16", "x1"):
            if k % 2 == 0:
                ours(key)
                epstein(key)
            else:
                epstein(key)
                ours(key)
    rows = [_steps_row("agents", f"{key} agents 0.5deg, new engine", results[key], 0.5) for key in ("x1", "x16")]
    ratio = pair_ratio(
        [r["cpu_s"] / r["weeks"] for r in results["x16"]], [r["cpu_s"] / r["weeks"] for r in results["x1"]]
    )
    rows.append(
        Row(
            "agents",
            "time per week, x16 / x1",
            agents_mean=agents["x16"] / agents["x1"],
            value=ratio,
            unit="ratio",
            note=f"agents_mean here is the agent ratio ({agents['x1']:.0f} -> {agents['x16']:.0f})",
        )
    )
    for key in ("x1", "x16"):
        runs = results[f"epstein {key}"]
        side = runs[0]["side"]
        rows.append(_steps_row("agents", f"mesa epstein {side}x{side} (context, as many agents as {key})", runs, None))
    target = _target("time per week at x16 agents / x1 <= 3", ratio, TARGET_AGENTS_RATIO, "<=", budget)
    return rows, [target]


def bench_sweeps(budget: PairBudget, say: Say) -> tuple[list[Row], list[Target]]:
    """1 worker against 2 on full-length historical runs; the 10,000-run estimate; a sweep's memory."""
    from sahel_sim.scenario.loading import load_scenario

    new = new_engine()
    runs = budget.sweep_runs
    faction = load_scenario(_historical()).factions[0]
    points = [faction.recruitment, round(faction.recruitment * 1.05, 6)]
    answers: dict[int, list[dict]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="sahel-bench-sweep-") as tmp:
        spec = Path(tmp) / "bench_sweep.yaml"
        end = "" if budget.sweep_weeks is None else f"set:\n  end: {_overrides_until(budget.sweep_weeks)[0][1]}\n"
        spec.write_text(
            "name: bench_sweep\n"
            f"base: {json.dumps(_historical())}\n{end}"
            f"vary:\n  factions.{faction.name}.recruitment: {json.dumps(points)}\n"
            f"design: grid\nreplicates: {max(1, runs // 2)}\nseed: 7\n"
        )
        counter = [0]

        def sweep(workers: int) -> Callable[[], dict]:
            def measure() -> dict:
                counter[0] += 1
                say(f"sweeps: {runs} historical runs with {workers} worker(s)")
                out = Path(tmp) / f"sweep{counter[0]}"
                args = ["sweep", str(spec), "--out", str(out), "--workers", str(workers), "--quiet"]
                answer = command(new, args, watch_memory=True) | {"load1": load_average()[0]}
                answers[workers].append(answer)
                return answer

            return measure

        alternate(budget.sweep_pairs, sweep(1), sweep(2))
    weeks = "full-length" if budget.sweep_weeks is None else f"{budget.sweep_weeks}-week"
    rows = []
    for workers, got in answers.items():
        wall = statistics.median(a["wall_s"] for a in got)
        rows.append(
            Row(
                "sweeps",
                f"{runs} {weeks} historical runs, {workers} worker(s)",
                repeats=len(got),
                seconds_median=wall,
                value=runs / wall,
                unit="runs/s",
                load1=statistics.median(a["load1"] for a in got),
                note="wall time of python -m sahel_sim sweep, start-up included; CPU s: "
                + ", ".join(f"{a['cpu_s']:.1f}" for a in got),
            )
        )
    speedup = pair_ratio([a["wall_s"] for a in answers[1]], [a["wall_s"] for a in answers[2]])
    hours = 10_000 / need(rows[1].value) / 3600.0
    cpu_per_run = statistics.median(a["cpu_s"] for a in answers[1]) / runs  # 1 worker runs in the driver
    cpu_hours = 10_000 * cpu_per_run / 2 / 3600.0
    memory = max(a["tree_rss_mb"] for a in answers[2])
    rows += [
        Row("sweeps", "2 workers / 1 worker", value=speedup, unit="ratio", note="wall-time ratio within each pair"),
        Row(
            "sweeps",
            "10,000 historical runs on 2 cores (estimate)",
            value=hours,
            unit="hours",
            note=f"10,000 / the 2-worker rate of {rows[1].value:.3f} runs/s (results kept)",
        ),
        Row(
            "sweeps",
            "10,000 historical runs on 2 cores (CPU estimate)",
            value=cpu_hours,
            unit="hours",
            note=f"10,000 x {cpu_per_run:.2f} CPU s per run (1-worker sweep, in the driver) / 2 cores: "
            "what 2 idle cores would take, less disturbed by other load than the wall-time rate",
        ),
        Row(
            "memory",
            "2-worker sweep (peak RSS, all processes)",
            value=memory,
            unit="MiB",
            note="largest sum of resident memory over the sweep's process tree, sampled every 0.1 s",
        ),
    ]
    targets = [
        _target("2 workers / 1 on full-length runs >= 1.9", speedup, TARGET_SPEEDUP_2, ">=", budget),
        _target("10,000 historical runs on 2 cores <= 1 hour", hours, TARGET_10K_HOURS, "<=", budget, "hours"),
        _target("memory of a 2-worker sweep < 1 GiB", memory, TARGET_SWEEP_MEMORY_MB, "<", budget, "MiB"),
    ]
    return rows, targets


def _steps_row(section: str, case: str, runs: list[dict], resolution: float | None) -> Row:
    """A row from probe answers: median CPU seconds, weeks per CPU-second, CPU ms per week."""
    cpu = [r["cpu_s"] for r in runs]
    weeks = runs[0]["weeks"]
    med = statistics.median(cpu)
    agents = statistics.mean(r["agents_mean"] for r in runs)
    return Row(
        section,
        case,
        resolution_deg=resolution,
        agents_mean=agents,
        steps=weeks,
        repeats=len(cpu),
        seconds_median=med,
        steps_per_s=weeks / med,
        agent_steps_per_s=agents * weeks / med,
        ms_per_step=1000.0 * med / weeks,
        value=weeks / med,
        unit="weeks/CPU s",
        load1=statistics.median(r["load1"] for r in runs),
        note="CPU s of the timed weeks in a fresh process: " + ", ".join(f"{c:.3f}" for c in cpu),
    )


def _target(
    name: str, measured: float, threshold: float, sense: str, budget: PairBudget, unit: str = "ratio"
) -> Target:
    """A target; QUICK runs never pass (their figures are not meaningful)."""
    ok = {">=": measured >= threshold, "<=": measured <= threshold, "<": measured < threshold}[sense]
    quick = budget.name == "quick"
    note = "QUICK: cut short, not a valid test" if quick else ""
    value = measured if math.isfinite(measured) else float("nan")
    return Target(name, value, threshold, unit, ok and not quick, note)


__all__ = ["FROZEN_COMMIT", "FULL", "QUICK", "PairBudget", "bench_agents", "bench_engines", "bench_sweeps"]
