"""Run a sweep: prepare the folder, schedule the runs still to do, stream each result to disk.

The driver keeps at most a few runs per worker in flight and writes each outcome as soon as it
arrives, then forgets it: memory does not grow with the sweep. Every run is recorded, including
failures (with their traceback). Resuming reads only the names of the finished runs.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from sahel_sim.analysis.sweep.executors import WorkerLost, check_scheduler_address, make_executor
from sahel_sim.analysis.sweep.plan import RunSpec, SweepPlan, load_plan
from sahel_sim.analysis.sweep.session import (
    Stopped,
    check_store,
    finish_session,
    now,
    remove_if_only_lock,
    start_session,
    stop_on_signals,
    verify_parts,
)
from sahel_sim.analysis.sweep.store import SweepLock, SweepLocked, SweepStore, atomic_write_table
from sahel_sim.analysis.sweep.tables import runs_schema
from sahel_sim.analysis.sweep.worker import Outcome, Task, code_hash
from sahel_sim.runs.provenance import provenance
from sahel_sim.scenario.loading import ScenarioError, dump_scenario
from sahel_sim.scenario.posterior import Posterior

#: Tasks in flight per worker (bounds memory and keeps every worker busy).
IN_FLIGHT_PER_WORKER = 2
#: Times a run is submitted again after the process running it died.
MAX_ATTEMPTS = 3


@dataclass
class Progress:
    """Counts shown while a sweep runs.

    Attributes:
        total: Runs in the sweep.
        done: Runs finished successfully (including earlier sessions).
        failed: Runs recorded as failed (including earlier sessions).
        running: Runs submitted and not yet finished.
        eta_seconds: Estimated seconds until the sweep is complete (None before the first run).
    """

    total: int
    done: int = 0
    failed: int = 0
    running: int = 0
    eta_seconds: float | None = None


ProgressCallback = Callable[[Progress], None]


def run_sweep(
    spec_path: str | Path,
    out: str | Path,
    *,
    overrides: Sequence[tuple[str, Any]] = (),
    workers: int | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    scheduler: str | None = None,
    dask_local: bool = False,
    serial: bool = False,
    progress: ProgressCallback | None = None,
    run_timeout: float | None = None,
    allow_code_change: bool = False,
    posterior: Posterior | None = None,
) -> Progress:
    """Validate a sweep file, then run every run not yet finished in the sweep folder ``out``.

    The driver holds an exclusive lock on the folder while it writes; SIGTERM and SIGHUP stop it
    like Ctrl-C (queued runs dropped, workers stopped, the session marked ``interrupted``, then
    :class:`Stopped` is raised).

    Args:
        spec_path: The sweep YAML file.
        out: The sweep folder.
        overrides: Extra ``(dotted, value)`` overrides for every run.
        workers: Local worker processes (default: every core; 1 runs in this process).
        resume: Continue a sweep in ``out`` (refused if its spec changed).
        retry_failed: With ``resume``, run the failed runs again.
        scheduler: Address of an existing Dask scheduler.
        dask_local: Run on a Dask LocalCluster started here.
        serial: Run in this process.
        progress: Called whenever the counts change, and about once a second.
        run_timeout: Wall-clock limit of each run, seconds; a run over it is recorded as failed.
        allow_code_change: With ``resume``, accept runs made by another code version.
        posterior: Draw each run's parameters from this posterior by the run's seed (``--posterior``);
            the draws are written to ``posterior_draws.csv``.

    Returns:
        The final counts.

    Raises:
        ScenarioError: If the sweep file, a design point, an option or the folder cannot be used
            (nothing is written then), another process is writing the folder, or the folder's
            runs were made by another code version (without ``allow_code_change``).
        Stopped: On SIGTERM or SIGHUP.
    """
    plan = load_plan(spec_path, overrides, posterior)
    if run_timeout is not None and (run_timeout <= 0 or run_timeout != run_timeout):
        raise ScenarioError("--run-timeout", None, None, f"must be a positive number of seconds (got {run_timeout})")
    if run_timeout is not None and (scheduler is not None or dask_local):
        raise ScenarioError("--run-timeout", None, None, "is not supported on Dask (use local worker processes)")
    if scheduler is not None:
        check_scheduler_address(scheduler)
    folder = Path(out)
    check_store(plan, folder, resume)
    created = not folder.exists()
    lock = SweepLock(folder)
    try:
        lock.acquire()
    except SweepLocked as exc:
        raise ScenarioError(str(folder), None, None, str(exc)) from None
    except BaseException:
        remove_if_only_lock(folder, created)
        raise
    try:
        with stop_on_signals():
            return _run_locked(
                plan,
                folder,
                lock,
                workers,
                resume,
                retry_failed,
                scheduler,
                dask_local,
                serial,
                progress,
                run_timeout,
                allow_code_change,
            )
    finally:
        lock.release()
        remove_if_only_lock(folder, created)


def _run_locked(
    plan: SweepPlan,
    folder: Path,
    lock: SweepLock,
    workers: int | None,
    resume: bool,
    retry_failed: bool,
    scheduler: str | None,
    dask_local: bool,
    serial: bool,
    progress: ProgressCallback | None,
    run_timeout: float | None,
    allow_code_change: bool,
) -> Progress:
    """The part of :func:`run_sweep` done while holding the folder's lock."""
    store = check_store(plan, folder, resume)  # again: another writer may have finished meanwhile
    known, damaged = verify_parts(plan, store, allow_code_change)
    if (store.folder / "manifest.json").exists():
        store.read_json("manifest.json")  # refuse a damaged one before anything starts
    executor = make_executor(workers, scheduler, dask_local, serial)
    session = {
        "started": now(),
        "pid": os.getpid(),
        "executor": executor.name,
        "workers": executor.workers,
        "code_hash": code_hash(),
        "run_timeout": run_timeout,
        **({"damaged_parts_rerun": damaged} if damaged else {}),
        **provenance(),
    }
    try:
        prepare_store(plan, store)
        store.discard(damaged)
        start_session(store, session, lock.stale_pid)
    except BaseException:
        executor.close(cancel=True)
        raise
    status = "interrupted"
    try:
        counts = execute(plan, store, executor, retry_failed, progress, known=known, run_timeout=run_timeout)
        status = "complete" if counts.done + counts.failed == counts.total else "incomplete"
    except Stopped as exc:
        session["signal"] = exc.name
        executor.close(cancel=True)
        raise
    except BaseException:
        executor.close(cancel=True)
        raise
    else:
        executor.close()
    finally:
        finish_session(store, session, status)
    return counts


def prepare_store(plan: SweepPlan, store: SweepStore) -> None:
    """Create the sweep folder (or tidy a resumed one) and write the spec, points and manifest."""
    store.create()
    _write_spec(plan, store)


def execute(
    plan: SweepPlan,
    store: SweepStore,
    executor: Any,
    retry_failed: bool = False,
    progress: ProgressCallback | None = None,
    *,
    known: dict[str, str] | None = None,
    run_timeout: float | None = None,
) -> Progress:
    """Submit every unfinished run, bounded in flight, and record each outcome as it arrives.

    A worker's death is charged (as one attempt) only to the run that worker was running; the other
    runs it took down are submitted again uncharged. A run that cannot be recorded (its tables
    cannot be written as Parquet) is recorded as failed with the reason.

    Args:
        plan: The validated sweep.
        store: Its folder.
        executor: See :mod:`sahel_sim.analysis.sweep.executors`.
        retry_failed: Run failed runs again.
        progress: Progress callback.
        known: Run id -> status of the runs already recorded (default: read from the folder).
        run_timeout: Wall-clock limit of each run, seconds.

    Returns:
        The final counts.
    """
    schema = _schema(plan)
    if known is None:
        finished, failed_before = store.finished(), store.failed()
    else:
        finished = set(known)
        failed_before = {run for run, status in known.items() if status == "failed"}
    redo = failed_before if retry_failed else set()
    counts = Progress(plan.total_runs, done=len(finished - failed_before), failed=len(failed_before - redo))
    limit = max(1, executor.workers * IN_FLIGHT_PER_WORKER)
    inflight: dict[Any, tuple[RunSpec, int]] = {}
    started, recorded, last_tick = time.monotonic(), 0, 0.0

    def tick(force: bool = False) -> None:
        nonlocal last_tick
        if progress is None or (not force and time.monotonic() - last_tick < 1.0):
            return
        last_tick = time.monotonic()
        counts.running = len(inflight)
        left = counts.total - counts.done - counts.failed
        rate = recorded / (last_tick - started) if recorded else 0.0
        counts.eta_seconds = left / rate if rate else None
        progress(counts)

    def collect(timeout: float | None) -> None:
        nonlocal recorded
        for handle in executor.wait(list(inflight), timeout):
            run, attempt = inflight.pop(handle)
            try:
                outcome = executor.result(handle)
            except WorkerLost as exc:
                if not exc.charged:
                    inflight[executor.submit(_task(plan, run, run_timeout))] = (run, attempt)
                    continue
                if attempt < MAX_ATTEMPTS:
                    inflight[executor.submit(_task(plan, run, run_timeout))] = (run, attempt + 1)
                    continue
                outcome = Outcome(run.run_id, False, 0.0, f"worker process died {attempt} times: {exc}")
            except Exception as exc:  # noqa: BLE001 - e.g. a Dask worker lost for good
                outcome = Outcome(run.run_id, False, 0.0, f"{type(exc).__name__}: {exc}")
            ok = _record(plan, store, schema, run, attempt, outcome)
            recorded += 1
            if ok:
                counts.done += 1
            else:
                counts.failed += 1
            tick(force=True)
        tick()

    for run in plan.runs():
        if run.run_id in finished and run.run_id not in redo:
            continue
        while len(inflight) >= limit:
            collect(timeout=1.0)
        inflight[executor.submit(_task(plan, run, run_timeout))] = (run, 1)
        tick()
    while inflight:
        collect(timeout=1.0)
    counts.running = 0
    return counts


def _task(plan: SweepPlan, run: RunSpec, timeout: float | None = None) -> Task:
    return Task(run.run_id, plan.run_scenario(run), run.seed, timeout)


def _record(
    plan: SweepPlan, store: SweepStore, schema: pa.Schema, run: RunSpec, attempts: int, outcome: Outcome
) -> bool:
    """Write a run's row (and tables); return whether it is recorded as ok."""
    row: dict[str, Any] = {
        "run_id": run.run_id,
        "status": "ok" if outcome.ok else "failed",
        "point_index": run.point.index,
        "point_id": run.point.point_id,
        "replicate": run.replicate,
    }
    for key, (_, convert) in plan.columns.items():
        row[key] = convert(run.point.values[key])
    row.update(
        {
            "seed_root": plan.spec.seed,
            "seed_key": run.point.key,
            "seed": run.seed,
            "wall_seconds": round(outcome.wall_seconds, 4),
            "attempts": attempts,
            "finished_at": now(),
            "code_hash": outcome.code_hash,
            "error": outcome.error,
        }
    )
    try:
        store.write_run(row, schema, outcome.timeseries, outcome.final)
    except OSError:
        raise  # the disk, not the run: the sweep stops (status 1) and resumes later
    except Exception:  # noqa: BLE001 - e.g. tables that Arrow cannot store: the run fails, the sweep goes on
        row["status"] = "failed"
        row["error"] = f"the run's results could not be recorded:\n{traceback.format_exc()}"
        store.write_run(row, schema, None, None)
    return row["status"] == "ok"


def _schema(plan: SweepPlan) -> pa.Schema:
    return runs_schema({k: t for k, (t, _) in plan.columns.items()})


def _write_spec(plan: SweepPlan, store: SweepStore) -> None:
    """Write spec.json, sweep.yaml, points.parquet and every point's resolved scenario."""
    columns = plan.columns
    store.write_json(
        "spec.json",
        {
            "spec_hash": plan.spec_hash,
            "sweep_file": str(plan.spec_file),
            "spec": plan.spec.model_dump(mode="json"),
            "set": [[k, v] for k, v in plan.set_items],
            "varied": list(plan.spec.vary),
            "reference_point": plan.reference.index if plan.reference is not None else None,
            "points": len(plan.points),
            "total_runs": plan.total_runs,
            "posterior": plan.posterior.describe() if plan.posterior is not None else None,
        },
    )
    if plan.posterior is not None:
        seeds = sorted({run.seed for run in plan.runs()})
        plan.posterior.draws(seeds).to_csv(store.folder / "posterior_draws.csv", index=False)
    (store.folder / "sweep.yaml").write_bytes(plan.spec_file.read_bytes())
    rows = []
    for point in plan.points:
        row = {"point_index": point.index, "point_id": point.point_id, "seed_key": point.key}
        row.update({k: convert(point.values[k]) for k, (_, convert) in columns.items()})
        row.update({f"raw.{k}": x for k, x in zip(plan.spec.vary, point.raw, strict=False)})
        rows.append(row)
        store.write_point(point.point_id, dump_scenario(plan.scenario(point)))
    schema = pa.schema(
        [
            ("point_index", pa.int64()),
            ("point_id", pa.string()),
            ("seed_key", pa.int64()),
            *((k, t) for k, (t, _) in columns.items()),
            *((f"raw.{k}", pa.float64()) for k in plan.spec.vary if plan.points[0].raw),
        ]
    )
    atomic_write_table(store.folder / "points.parquet", pa.Table.from_pylist(rows, schema=schema))
    if not (store.folder / "manifest.json").exists():
        store.write_json("manifest.json", {"spec_hash": plan.spec_hash, "sessions": []})
