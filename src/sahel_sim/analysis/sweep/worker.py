"""The unit of work that executors ship to worker processes: one simulation, never raising."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import sahel_sim
from sahel_sim.analysis.sweep.tables import final_metrics
from sahel_sim.runs.runner import simulate
from sahel_sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Task:
    """One run to do: the resolved scenario, the seed derived for it, and its time limit.

    Attributes:
        run_id: The run.
        scenario: Its resolved scenario.
        seed: Its seed.
        timeout: Wall-clock limit of the run in seconds (``--run-timeout``); None for none.
    """

    run_id: str
    scenario: Scenario
    seed: int
    timeout: float | None = None


class RunTimeout(Exception):
    """A run took longer than its ``--run-timeout``."""


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


def timeout_supported() -> bool:
    """Whether :func:`execute` can enforce a time limit here (it needs the main thread's SIGALRM)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise RunTimeout in this (main) thread after ``seconds`` of wall-clock time."""
    if seconds is None:
        yield
        return
    if not timeout_supported():
        raise RuntimeError("--run-timeout needs a worker's main thread (not available on this executor)")

    def expire(signum, frame):
        raise RunTimeout(f"run exceeded --run-timeout of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def execute(task: Task) -> Outcome:
    """Simulate one run; an exception becomes a failed outcome carrying its traceback.

    A run that exceeds ``task.timeout`` fails with the error ``RunTimeout: run exceeded
    --run-timeout of N s`` (first line) and its traceback.
    """
    started = time.perf_counter()
    try:
        with _time_limit(task.timeout):
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
    except RunTimeout as exc:
        wall = time.perf_counter() - started
        error = f"RunTimeout: {exc} (stopped after {wall:.1f} s)\n{traceback.format_exc()}"
        return Outcome(task.run_id, False, wall, error, code_hash=code_hash())
    except Exception:  # noqa: BLE001 - a failed run is recorded, never fatal to the sweep
        return Outcome(task.run_id, False, time.perf_counter() - started, traceback.format_exc(), code_hash=code_hash())
