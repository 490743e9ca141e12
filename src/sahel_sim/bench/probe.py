"""A benchmark probe: one measurement in a fresh process, on whichever engine is on ``PYTHONPATH``.

Run as ``python -P probe.py '<json task>'``; prints one JSON line. It imports nothing from
:mod:`sahel_sim.bench`, and finds the model, the loader and the runner under the names of both this
engine and the frozen one (commit ddf6643, before the package layout), so the same probe times both.

Tasks (``kind``):

* ``steps``: load a scenario, apply ``overrides``, build the model, step ``warmup`` weeks untimed, then
  time the rest (or ``weeks`` weeks) in CPU seconds of this process;
* ``epstein``: Mesa's Epstein civil-violence example on a ``side`` x ``side`` grid, ``steps`` timed.

Every answer carries ``maxrss_mb``, the process's peak resident memory.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
import warnings


def _engine():
    """(SahelModel, load_scenario, with_overrides) of the engine on the path."""
    try:
        from sahel_sim.model.sahel_model import SahelModel
        from sahel_sim.scenario.loading import load_scenario, with_overrides
    except ImportError:  # the frozen engine (ddf6643), whose modules mypy does not see
        from sahel_sim.model import SahelModel  # type: ignore[attr-defined,no-redef]
        from sahel_sim.scenario_io import load_scenario, with_overrides  # type: ignore[no-redef]
    return SahelModel, load_scenario, with_overrides


def steps(task: dict) -> dict:
    """Time the weekly steps of one run (construction and warm-up not timed)."""
    sahel_model, load_scenario, with_overrides = _engine()
    scenario = load_scenario(task["scenario"])
    overrides = [tuple(o) for o in task.get("overrides", [])]
    if overrides:
        scenario = with_overrides(scenario, overrides)
    model = sahel_model(scenario)
    for _ in range(task.get("warmup", 0)):
        model.step()
    gc.collect()
    weeks = task.get("weeks")
    done = agents = 0
    cpu = time.process_time()
    wall = time.perf_counter()
    while model.running and (weeks is None or done < weeks):
        model.step()
        done += 1
        agents += len(model.agents)
    return {
        "cpu_s": time.process_time() - cpu,
        "wall_s": time.perf_counter() - wall,
        "weeks": done,
        "agents_mean": agents / max(done, 1),
    }


def epstein(task: dict) -> dict:
    """Time steps of Mesa's bundled Epstein example as shipped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence

        model = EpsteinCivilViolence(width=task["side"], height=task["side"])
        for _ in range(task.get("warmup", 0)):
            model.step()
        gc.collect()
        agents = 0
        cpu = time.process_time()
        for _ in range(task["steps"]):
            model.step()
            agents += len(model.agents)
        return {"cpu_s": time.process_time() - cpu, "weeks": task["steps"], "agents_mean": agents / task["steps"]}


def main(payload: str) -> None:
    """Run the task and print its answer as one JSON line."""
    task = json.loads(payload)
    answer = {"steps": steps, "epstein": epstein}[task["kind"]](task)
    answer["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(answer))


if __name__ == "__main__":
    main(sys.argv[1])
