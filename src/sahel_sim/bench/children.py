"""Measurements that need a fresh process: the historical run on one core, memory, and sweeps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sahel_sim
from sahel_sim.bench.machine import peak_rss_mb, usable_cpus


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
    code = (
        "import os, sys\n"
        + (f"os.sched_setaffinity(0, {{{cpu}}})\n" if pin and hasattr(os, "sched_setaffinity") else "")
        + "from sahel_sim.bench.children import child_main\nchild_main(sys.argv[1])\n"
    )
    env = dict(os.environ)
    src = str(Path(sahel_sim.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(task)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child {task['kind']} failed (status {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child_main(payload: str) -> None:
    """Entry point of a benchmark child process: run the task and print its answer as JSON."""
    task = json.loads(payload)
    answer = {"simulate": _child_simulate, "sweep": _child_sweep}[task["kind"]](task)
    answer["affinity"] = usable_cpus()
    print(json.dumps(answer))


def _child_simulate(task: dict) -> dict:
    """Load a scenario, apply overrides, and time :func:`sahel_sim.runs.runner.simulate` on it."""
    from sahel_sim.runs.runner import simulate
    from sahel_sim.scenario.loading import load_scenario, with_overrides

    scenario = load_scenario(task["scenario"])
    scenario = with_overrides(scenario, [tuple(o) for o in task.get("overrides", [])])
    before = peak_rss_mb()
    output = simulate(scenario)
    return {
        "wall_seconds": output.wall_seconds,
        "weeks": int(output.timeseries["date"].nunique()),
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
        "resolution": scenario.map.resolution,
        "rss_before_mb": before,
        "maxrss_mb": peak_rss_mb(),
    }


def _child_sweep(task: dict) -> dict:
    """Run a sweep with the sweep engine, timing it and the moment each run is recorded."""
    from sahel_sim.analysis.sweep.engine import run_sweep

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
    return {
        "seconds": seconds,
        "done": counts.done,
        "failed": counts.failed,
        "total": counts.total,
        "marks": [m - started for m in marks],
        "driver_maxrss_mb": peak_rss_mb(),
    }
