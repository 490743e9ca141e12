"""The benchmark's whole-workload sections: the 2012-2025 run, peak memory and sweep throughput."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sahel_sim.bench.children import run_child
from sahel_sim.bench.machine import load_average, scenario_dir, usable_cpus
from sahel_sim.bench.report import Row, Target
from sahel_sim.bench.sections import TARGET_HISTORICAL_S, TARGET_MEMORY_MB, TARGET_SPEEDUP_2, Budget, Say


def historical_scenario() -> tuple[Path, list[tuple[str, Any]], str]:
    """The 2012–2025 scenario file, its overrides, and a note saying which one is used."""
    from sahel_sim.scenario.loading import ScenarioError, load_scenario

    historical = scenario_dir() / "historical.yaml"
    if historical.is_file():
        try:
            load_scenario(historical)
            return historical, [], "scenarios/historical.yaml"
        except ScenarioError as exc:
            note = f"historical.yaml did not load ({exc}); "
    else:
        note = "historical.yaml absent; "
    return (
        scenario_dir() / "baseline.yaml",
        [("start", "2012-01-01")],
        note + "baseline.yaml with start overridden to 2012-01-01",
    )


def bench_historical(budget: Budget, say: Say) -> tuple[list[Row], list[Target]]:
    """Wall time of the 2012–2025 run at default resolution, each in a child pinned to one CPU."""
    path, overrides, note = historical_scenario()
    if budget.historical_weeks is not None:
        from sahel_sim.scenario.loading import load_scenario, with_overrides

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
    row = Row(
        "historical",
        f"{first['start'][:4]}-{first['end'][:4]} run, one CPU",
        resolution_deg=first["resolution"],
        steps=first["weeks"],
        repeats=len(walls),
        seconds_median=med,
        steps_per_s=first["weeks"] / med,
        ms_per_step=1000 * med / first["weeks"],
        value=med,
        unit="s",
        load1=load1,
        note=f"{note}; runner.simulate (model, tables, summary; no files) in a fresh process pinned "
        f"to CPU {first['affinity']}; runs: {', '.join(f'{w:.2f}' for w in walls)} s",
    )
    passed = med < TARGET_HISTORICAL_S
    if budget.historical_weeks is not None:
        passed = False
    target = Target(
        "historical 2012-2025 run < 10 s on one core (0.5deg)",
        med,
        TARGET_HISTORICAL_S,
        "s",
        passed,
        f"{first['weeks']} weeks" + ("; QUICK run is cut short: not a valid test" if budget.historical_weeks else ""),
    )
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
    row = Row(
        "memory",
        "one run 0.25deg (peak RSS)",
        resolution_deg=0.25,
        steps=answer["weeks"],
        repeats=1,
        seconds_median=answer["wall_seconds"],
        value=answer["maxrss_mb"],
        unit="MB",
        load1=load1,
        note=f"peak RSS (VmHWM) of a fresh process; {answer['rss_before_mb']:.0f} MB after imports, before the run",
    )
    target = Target(
        "peak memory of one run at 0.25deg < 500 MB",
        answer["maxrss_mb"],
        TARGET_MEMORY_MB,
        "MB",
        answer["maxrss_mb"] < TARGET_MEMORY_MB,
        f"{answer['weeks']} weeks",
    )
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
            f"design: grid\nreplicates: {budget.sweep_replicates}\nseed: 7\n"
        )
        for workers in (1, 2):
            say(f"sweep: {runs} runs of {budget.sweep_weeks} weeks with {workers} worker(s)")
            loads[workers] = load_average()[0]
            answers[workers] = run_child(
                {"kind": "sweep", "spec": str(spec), "out": str(Path(tmp) / f"w{workers}"), "workers": workers}
            )
    rows, rates = [], {}
    for workers, a in answers.items():
        rate = a["done"] / a["seconds"]
        marks = a["marks"]
        steady = steady_rate(marks, workers) or rate
        rates[workers] = (rate, steady)
        how = "in the driver process (as --workers 1)" if workers == 1 else "forkserver worker processes"
        rows.append(
            Row(
                "sweep",
                f"{workers} worker{'s' if workers > 1 else ''}",
                resolution_deg=0.5,
                steps=budget.sweep_weeks,
                repeats=1,
                seconds_median=a["seconds"],
                value=rate,
                unit="runs/s",
                load1=loads[workers],
                note=f"{a['done']}/{a['total']} runs ok, {a['failed']} failed; {how}; wall incl. "
                f"start-up; steady (after each worker's first run) {steady:.2f} runs/s",
            )
        )
    speedup, steady_speedup = rates[2][0] / rates[1][0], rates[2][1] / rates[1][1]
    rows.append(
        Row(
            "sweep",
            "2 workers / 1 worker",
            value=speedup,
            unit="speed-up",
            note=f"parallel efficiency {speedup / 2:.0%}; steady-state speed-up {steady_speedup:.2f} "
            f"(efficiency {steady_speedup / 2:.0%})",
        )
    )
    driver = answers[2]
    rows.append(
        Row(
            "memory",
            "sweep driver, 2 workers (peak RSS)",
            value=driver["driver_maxrss_mb"],
            unit="MB",
            load1=loads[2],
            note=f"peak RSS (VmHWM) of the driver process; {runs} runs",
        )
    )
    rows.append(
        Row(
            "memory",
            "sweep driver, 1 worker in process (peak RSS)",
            value=answers[1]["driver_maxrss_mb"],
            unit="MB",
            load1=loads[1],
            note="driver runs the simulations itself",
        )
    )
    cpus = len(usable_cpus())
    busy = max(loads.values()) > cpus - 1
    targets = [
        Target(
            "2 workers >= 1.8x one worker (runs/s)",
            speedup,
            TARGET_SPEEDUP_2,
            "speed-up",
            speedup >= TARGET_SPEEDUP_2,
            f"{runs} runs of {budget.sweep_weeks} weeks, wall incl. pool start-up; steady-state "
            f"{steady_speedup:.2f}x; {cpus} CPUs usable"
            + (
                f"; machine busy (load {max(loads.values()):.1f} on {cpus} CPUs): a second worker "
                "had no free core, so this figure says little"
                if busy
                else ""
            ),
        )
    ]
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
