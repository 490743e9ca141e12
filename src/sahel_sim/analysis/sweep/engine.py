"""Run a sweep: prepare the folder, schedule the runs still to do, stream each result to disk.

The driver keeps at most a few runs per worker in flight and writes each outcome as soon as it
arrives, then forgets it: memory does not grow with the sweep. Every run is recorded, including
failures (with their traceback). Resuming reads only the names of the finished runs.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from sahel_sim.analysis.sweep.executors import WorkerLost, make_executor
from sahel_sim.analysis.sweep.plan import RunSpec, SweepPlan, load_plan
from sahel_sim.analysis.sweep.store import SUBDIRS, SweepStore, atomic_write_table
from sahel_sim.analysis.sweep.tables import runs_schema
from sahel_sim.analysis.sweep.worker import Outcome, Task, code_hash
from sahel_sim.runs.provenance import provenance
from sahel_sim.scenario.loading import ScenarioError, dump_scenario

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
) -> Progress:
    """Validate a sweep file, then run every run not yet finished in the sweep folder ``out``.

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

    Returns:
        The final counts.

    Raises:
        ScenarioError: If the sweep file, a design point or the folder cannot be used (nothing is
            written then).
    """
    plan = load_plan(spec_path, overrides)
    store = check_store(plan, Path(out), resume)
    executor = make_executor(workers, scheduler, dask_local, serial)
    try:
        prepare_store(plan, store)
    except BaseException:
        executor.close(cancel=True)
        raise
    session = {
        "started": _now(),
        "executor": executor.name,
        "workers": executor.workers,
        "code_hash": code_hash(),
        **provenance(),
    }
    _start_session(store, session)
    status = "interrupted"
    try:
        counts = execute(plan, store, executor, retry_failed, progress)
        status = "complete" if counts.done + counts.failed == counts.total else "incomplete"
    except BaseException:
        executor.close(cancel=True)
        raise
    else:
        executor.close()
    finally:
        _finish_session(store, session, status)
    return counts


def check_store(plan: SweepPlan, folder: Path, resume: bool) -> SweepStore:
    """Check that the sweep folder is new, or that a resumed one holds the same spec (no writes).

    Raises:
        ScenarioError: If the folder holds a sweep and ``resume`` is off, or its spec differs.
    """
    store = SweepStore(folder)
    if store.exists():
        if not resume:
            raise ScenarioError(
                str(folder), None, None, "already holds a sweep; use --resume to continue it, or another --out"
            )
        info = store.read_json("spec.json")
        old = info["spec_hash"]
        if old != plan.spec_hash:
            raise ScenarioError(
                str(plan.spec_file),
                None,
                None,
                f"the sweep in {folder} was made from a different spec (hash "
                f"{old[:12]}, now {plan.spec_hash[:12]}); only 'replicates' may change "
                "on --resume. Use another --out.",
            )
        if plan.spec.replicates < info["spec"]["replicates"]:
            raise ScenarioError(
                str(plan.spec_file),
                None,
                "replicates",
                f"the sweep in {folder} already has {info['spec']['replicates']} "
                "replicates; on --resume they may only grow",
            )
    elif folder.exists() and any(folder.iterdir()) and not _empty_skeleton(folder):
        raise ScenarioError(str(folder), None, None, "exists and is not a sweep folder; choose another --out")
    return store


def _empty_skeleton(folder: Path) -> bool:
    """Whether a folder holds only what a sweep killed before writing its spec leaves.

    That is its empty sub-folders (and temporary files); no run has finished, so it can be used again.
    """
    for entry in folder.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(".tmp"):
            continue
        if entry.name not in SUBDIRS or not entry.is_dir():
            return False
        if any(not e.name.startswith(".") for e in entry.iterdir()):
            return False
    return True


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
) -> Progress:
    """Submit every unfinished run, bounded in flight, and record each outcome as it arrives.

    Args:
        plan: The validated sweep.
        store: Its folder.
        executor: See :mod:`sahel_sim.analysis.sweep.executors`.
        retry_failed: Run failed runs again.
        progress: Progress callback.

    Returns:
        The final counts.
    """
    schema = _schema(plan)
    finished = store.finished()
    failed_before = store.failed()
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
                if attempt < MAX_ATTEMPTS:
                    inflight[executor.submit(_task(plan, run))] = (run, attempt + 1)
                    continue
                outcome = Outcome(run.run_id, False, 0.0, f"worker process died {attempt} times: {exc}")
            except Exception as exc:  # noqa: BLE001 - e.g. a Dask worker lost for good
                outcome = Outcome(run.run_id, False, 0.0, f"{type(exc).__name__}: {exc}")
            _record(plan, store, schema, run, attempt, outcome)
            recorded += 1
            if outcome.ok:
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
        inflight[executor.submit(_task(plan, run))] = (run, 1)
        tick()
    while inflight:
        collect(timeout=1.0)
    counts.running = 0
    return counts


def _task(plan: SweepPlan, run: RunSpec) -> Task:
    return Task(run.run_id, plan.scenario(run.point), run.seed)


def _record(
    plan: SweepPlan, store: SweepStore, schema: pa.Schema, run: RunSpec, attempts: int, outcome: Outcome
) -> None:
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
            "finished_at": _now(),
            "code_hash": outcome.code_hash,
            "error": outcome.error,
        }
    )
    store.write_run(row, schema, outcome.timeseries, outcome.final)


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
        },
    )
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


def _start_session(store: SweepStore, session: dict) -> None:
    """Record a session as running; an earlier session still marked running was killed."""
    manifest = store.read_json("manifest.json")
    for earlier in manifest.get("sessions", []):
        if earlier.get("status") == "running":
            earlier["status"] = "killed"
    manifest.update({k: session[k] for k in ("versions", "git_commit", "python", "platform")})
    manifest["sessions"] = [*manifest.get("sessions", []), {**session, "status": "running"}]
    store.write_json("manifest.json", manifest)


def _finish_session(store: SweepStore, session: dict, status: str) -> None:
    manifest = store.read_json("manifest.json")
    finished = store.finished()
    session.update({"ended": _now(), "status": status, "runs_recorded": len(finished)})
    manifest["sessions"] = [*manifest["sessions"][:-1], session]
    if finished:
        wall = pd.read_parquet(store.folder / "runs", columns=["wall_seconds"])["wall_seconds"]
        manifest["run_wall_seconds_total"] = round(float(wall.sum()), 3)
    store.write_json("manifest.json", manifest)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
