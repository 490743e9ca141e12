"""Run a comparison on the sweep engine's store and executors: resumable, parallel, failure-isolated.

The folder is a sweep folder (:mod:`sahel_sim.analysis.sweep.store`): ``runs/``, ``timeseries/``,
``final/`` and ``points/`` (one resolved scenario per compared scenario), plus ``closures/`` (each
run's diplomatic post closures). The unit of work is one seed: the reference's history is simulated
once and the alternatives branch from it (:mod:`sahel_sim.runs.family`). Each run is recorded as
soon as its seed's family returns; ``--resume`` skips recorded runs; a run that raises is recorded
with its traceback and the others stand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from sahel_sim.analysis.compare import handovers
from sahel_sim.analysis.compare.plan import SEED_KEY, Arm, ComparePlan
from sahel_sim.analysis.compare.worker import FamilyTask, RunResult, run_family
from sahel_sim.analysis.sweep.engine import IN_FLIGHT_PER_WORKER, MAX_ATTEMPTS, Progress, ProgressCallback
from sahel_sim.analysis.sweep.executors import WorkerLost, make_executor
from sahel_sim.analysis.sweep.session import now
from sahel_sim.analysis.sweep.store import SweepStore, atomic_write_table
from sahel_sim.analysis.sweep.tables import runs_schema
from sahel_sim.analysis.sweep.worker import Outcome, code_hash
from sahel_sim.runs.provenance import provenance
from sahel_sim.scenario.loading import ScenarioError, dump_scenario

#: Called when every seed of a scenario has been recorded: (label, runs done, runs failed).
ScenarioDone = Callable[[str, int, int], None]


def run_compare(
    plan: ComparePlan,
    out: str | Path,
    *,
    workers: int | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    scheduler: str | None = None,
    dask_local: bool = False,
    branching: bool = True,
    progress: ProgressCallback | None = None,
    scenario_done: ScenarioDone | None = None,
) -> Progress:
    """Run every run of the comparison not yet recorded in ``out``.

    Args:
        plan: The validated comparison.
        out: The comparison folder.
        workers: Local worker processes (default: every core; 1 runs in this process).
        resume: Continue the comparison in ``out`` (refused if its scenarios changed).
        retry_failed: With ``resume``, run failed runs again.
        scheduler: Address of an existing Dask scheduler.
        dask_local: Run on a Dask LocalCluster started here.
        branching: Continue the alternatives from the reference's history (False: fresh runs).
        progress: The sweep engine's progress callback.
        scenario_done: Called once per scenario when all its seeds are recorded.

    Returns:
        The final counts.

    Raises:
        ScenarioError: If ``out`` holds something else, or a comparison of other scenarios.
    """
    store = _check_store(plan, Path(out), resume)
    executor = make_executor(workers, scheduler, dask_local)
    status = "interrupted"
    session = {"started": now(), "executor": executor.name, "workers": executor.workers, "code_hash": code_hash()}
    try:
        _prepare(plan, store)
        _session(store, session, "running")
        counts = _execute(plan, store, executor, retry_failed, branching, progress, scenario_done)
        status = "complete" if counts.done + counts.failed == counts.total else "incomplete"
    except BaseException:
        executor.close(cancel=True)
        raise
    else:
        executor.close()
    finally:
        if (store.folder / "manifest.json").exists():
            _session(store, session, status)
    return counts


def _check_store(plan: ComparePlan, folder: Path, resume: bool) -> SweepStore:
    store = SweepStore(folder)
    if store.exists():
        if not resume:
            raise ScenarioError(
                str(folder), None, None, "already holds results; use --resume to continue, or another --out"
            )
        info = store.read_json("spec.json")
        if info.get("kind") != "compare" or info.get("spec_hash") != plan.spec_hash:
            raise ScenarioError(
                str(folder), None, None, "holds a comparison of other scenarios (or a sweep); use another --out"
            )
    elif folder.exists() and any(not p.name.startswith(".") for p in folder.iterdir()):
        raise ScenarioError(str(folder), None, None, "exists and is not a comparison folder; choose another --out")
    return store


def _prepare(plan: ComparePlan, store: SweepStore) -> None:
    store.create()
    (store.folder / "closures").mkdir(exist_ok=True)
    (store.folder / handovers.FOLDER).mkdir(exist_ok=True)
    for arm in plan.arms:
        store.write_point(arm.point_id, dump_scenario(arm.scenario))
    old = store.read_json("spec.json")["seeds"] if store.exists() else 0
    if plan.posterior is not None:
        seeds = [plan.seed(r) for r in range(max(old, plan.seeds))]
        plan.posterior.draws(seeds).to_csv(store.folder / "posterior_draws.csv", index=False)
    store.write_json(
        "spec.json",
        {
            "kind": "compare",
            "spec_hash": plan.spec_hash,
            "root_seed": plan.root_seed,
            "seed_key": SEED_KEY,
            "seeds": max(old, plan.seeds),
            "posterior": plan.posterior.describe() if plan.posterior is not None else None,
            "scenarios": [
                {
                    "label": a.label,
                    "file": str(a.file),
                    "point_id": a.point_id,
                    "scenario_hash": a.scenario_hash,
                    "branch": a.branch,
                }
                for a in plan.arms
            ],
        },
    )
    if not (store.folder / "manifest.json").exists():
        store.write_json("manifest.json", {"spec_hash": plan.spec_hash, "sessions": []})


def _session(store: SweepStore, session: dict, status: str) -> None:
    manifest = store.read_json("manifest.json")
    sessions = manifest.get("sessions", [])
    if status == "running":
        for earlier in sessions:
            if earlier.get("status") == "running":
                earlier["status"] = "killed"
        manifest.update(provenance())
        sessions.append({**session, "status": status})
    else:
        sessions[-1] = {**session, "ended": now(), "status": status, "runs_recorded": len(store.finished())}
    manifest["sessions"] = sessions
    store.write_json("manifest.json", manifest)


def _execute(
    plan: ComparePlan,
    store: SweepStore,
    executor: Any,
    retry_failed: bool,
    branching: bool,
    progress: ProgressCallback | None,
    scenario_done: ScenarioDone | None,
) -> Progress:
    schema = runs_schema({"scenario": pa.string()})
    finished = store.finished()
    failed_before = store.failed()
    redo = failed_before if retry_failed else set()
    ids = {(arm.index, r): plan.run_id(arm, r) for arm in plan.arms for r in range(plan.seeds)}
    recorded = {i: {"done": 0, "failed": 0} for i in range(len(plan.arms))}
    for (i, _), rid in ids.items():
        if rid in finished and rid not in redo:
            recorded[i]["failed" if rid in failed_before else "done"] += 1
    counts = Progress(
        plan.total_runs, sum(c["done"] for c in recorded.values()), sum(c["failed"] for c in recorded.values())
    )
    by_id = {rid: (plan.arms[i], r) for (i, r), rid in ids.items()}
    limit = max(1, executor.workers * IN_FLIGHT_PER_WORKER)
    inflight: dict[Any, tuple[FamilyTask, int]] = {}
    started, last_tick = time.monotonic(), 0.0
    new_runs = 0

    def tick(force: bool = False) -> None:
        nonlocal last_tick
        if progress is None or (not force and time.monotonic() - last_tick < 1.0):
            return
        last_tick = time.monotonic()
        counts.running = sum(_size(t) for t, _ in inflight.values())
        left = counts.total - counts.done - counts.failed
        rate = new_runs / (last_tick - started) if new_runs else 0.0
        counts.eta_seconds = left / rate if rate else None
        progress(counts)

    def record(result: RunResult, attempts: int) -> None:
        nonlocal new_runs
        arm, replicate = by_id[result.outcome.run_id]
        _record(plan, store, schema, arm, replicate, attempts, result)
        new_runs += 1
        key = "done" if result.outcome.ok else "failed"
        setattr(counts, key, getattr(counts, key) + 1)
        recorded[arm.index][key] += 1
        c = recorded[arm.index]
        if scenario_done is not None and c["done"] + c["failed"] == plan.seeds:
            scenario_done(arm.label, c["done"], c["failed"])

    def collect(timeout: float | None) -> None:
        for handle in executor.wait(list(inflight), timeout):
            task, attempt = inflight.pop(handle)
            try:
                results = executor.result(handle)
            except WorkerLost as exc:
                if attempt < MAX_ATTEMPTS:
                    inflight[executor.submit(task, run_family)] = (task, attempt + 1)
                    continue
                results = _failed(task, f"worker process died {attempt} times: {exc}")
            except Exception as exc:  # noqa: BLE001 - e.g. a Dask worker lost for good
                results = _failed(task, f"{type(exc).__name__}: {exc}")
            for result in results:
                record(result, attempt)
            tick(force=True)
        tick()

    for replicate in range(plan.seeds):
        todo = [a for a in plan.arms if (rid := ids[(a.index, replicate)]) not in finished or rid in redo]
        if not todo:
            continue
        task = _task(plan, replicate, todo, branching)
        while len(inflight) >= limit:
            collect(timeout=1.0)
        inflight[executor.submit(task, run_family)] = (task, 1)
        tick()
    while inflight:
        collect(timeout=1.0)
    counts.running = 0
    tick(force=True)
    return counts


def _task(plan: ComparePlan, replicate: int, todo: list[Arm], branching: bool) -> FamilyTask:
    ref = plan.reference
    want_ref = ref in todo
    return FamilyTask(
        run_id=f"seed{replicate}",
        replicate=replicate,
        seed=plan.seed(replicate),
        reference=plan.scenario(ref, replicate),
        reference_run=plan.run_id(ref, replicate) if want_ref else None,
        variants=tuple((plan.run_id(a, replicate), plan.scenario(a, replicate)) for a in todo if a is not ref),
        branching=branching,
    )


def _size(task: FamilyTask) -> int:
    return len(task.variants) + (task.reference_run is not None)


def _failed(task: FamilyTask, error: str) -> list[RunResult]:
    ids = ([task.reference_run] if task.reference_run else []) + [rid for rid, _ in task.variants]
    return [RunResult(Outcome(rid, False, 0.0, error), None) for rid in ids]


def _record(
    plan: ComparePlan, store: SweepStore, schema: pa.Schema, arm: Arm, replicate: int, attempts: int, result: RunResult
) -> None:
    outcome = result.outcome
    if result.closures is not None:
        closures = result.closures.copy()
        closures.insert(0, "run_id", outcome.run_id)
        table = pa.Table.from_pandas(closures, preserve_index=False, schema=_CLOSURES)
        atomic_write_table(store.folder / "closures" / f"{outcome.run_id}.parquet", table)
    if result.milestones is not None:
        changes = result.milestones.copy()
        changes.insert(0, "run_id", outcome.run_id)
        table = pa.Table.from_pandas(changes, preserve_index=False, schema=_MILESTONES)
        atomic_write_table(store.folder / handovers.FOLDER / f"{outcome.run_id}.parquet", table)
    row = {
        "run_id": outcome.run_id,
        "status": "ok" if outcome.ok else "failed",
        "point_index": arm.index,
        "point_id": arm.point_id,
        "replicate": replicate,
        "scenario": arm.label,
        "seed_root": plan.root_seed,
        "seed_key": SEED_KEY,
        "seed": plan.seed(replicate),
        "wall_seconds": round(outcome.wall_seconds, 4),
        "attempts": attempts,
        "finished_at": now(),
        "code_hash": outcome.code_hash,
        "error": outcome.error,
    }
    store.write_run(row, schema, outcome.timeseries, outcome.final)


_CLOSURES = pa.schema([("run_id", pa.string()), ("post", pa.string()), ("date", pa.timestamp("ns"))])
_MILESTONES = pa.schema(
    [
        ("run_id", pa.string()),
        ("kind", pa.string()),
        ("name", pa.string()),
        ("date", pa.timestamp("ns")),
        ("value", pa.string()),
    ]
)
