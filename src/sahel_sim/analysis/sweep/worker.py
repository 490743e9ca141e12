"""The unit of work that executors ship to worker processes: one simulation, never raising."""

from __future__ import annotations

import functools
import hashlib
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import sahel_sim
from sahel_sim.analysis.sweep.tables import final_metrics
from sahel_sim.runs.runner import simulate
from sahel_sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Task:
    """One run to do: the resolved scenario and the seed derived for it."""

    run_id: str
    scenario: Scenario
    seed: int


@dataclass
class Outcome:
    """What a run produced: its tables, or the traceback of the exception it raised.

    Attributes:
        run_id: The run.
        ok: False if the simulation raised.
        wall_seconds: Wall-clock time of the attempt, seconds.
        error: Formatted traceback when ``ok`` is False.
        timeseries: Weekly rows (see :func:`sahel_sim.runs.runner.simulate`).
        final: Per-area final metrics (see :func:`sahel_sim.analysis.sweep.tables.final_metrics`).
        code_hash: :func:`code_hash` of the process that ran it.
    """

    run_id: str
    ok: bool
    wall_seconds: float
    error: str | None = None
    timeseries: pd.DataFrame | None = None
    final: pd.DataFrame | None = None
    code_hash: str | None = None


@functools.cache
def code_hash() -> str:
    """16 hex digits of SHA-256 over the sahel_sim package's files (code and data) on disk.

    Computed once per process, so it describes the code a worker imported (unless the files
    change between import and first use).
    """
    root = Path(sahel_sim.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def execute(task: Task) -> Outcome:
    """Simulate one run; an exception becomes a failed outcome carrying its traceback."""
    started = time.perf_counter()
    try:
        output = simulate(task.scenario, task.seed, events=False)  # the sweep stores no event log
        return Outcome(
            task.run_id,
            True,
            output.wall_seconds,
            None,
            output.timeseries,
            final_metrics(output.timeseries),
            code_hash(),
        )
    except Exception:  # noqa: BLE001 - a failed run is recorded, never fatal to the sweep
        return Outcome(task.run_id, False, time.perf_counter() - started, traceback.format_exc(), code_hash=code_hash())
