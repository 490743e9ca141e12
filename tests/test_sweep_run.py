"""Running sweeps: identical tables on every executor, failures recorded, kill and resume, replay."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import sahel_sim
from proc_tree import wait_until
from sahel_sim.analysis.sweep import engine, worker
from sahel_sim.analysis.sweep.engine import check_store, prepare_store, run_sweep
from sahel_sim.analysis.sweep.executors import ProcessExecutor, SerialExecutor, WorkerLost
from sahel_sim.analysis.sweep.plan import load_plan
from sahel_sim.analysis.sweep.replay import export_run
from sahel_sim.analysis.sweep.worker import Task
from sahel_sim.cli.main import main
from sahel_sim.runs.results import read_timeseries
from sahel_sim.scenario.loading import load_scenario
from sweep_tables import assert_same, tables

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(sahel_sim.__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "cold_start_2022.yaml"  # sweep mechanics: no spin-up
# 2 x 2 points x 6 replicates = 24 runs of 20 weeks (about 0.2 s each).
SPEC = f"""\
base: {BASE}
set:
  end: 2022-05-21
vary:
  mechanisms.insurgency.attack_rate: [0.3, 0.6]
  states.0.legitimacy: [0.4, 0.55]
replicates: 6
seed: 11
"""


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "tiny.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(spec_file, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "sweep"
    seen = []
    counts = run_sweep(spec_file, out, serial=True, progress=seen.append)
    assert (counts.done, counts.failed, counts.total) == (24, 0, 24)
    assert seen and seen[-1].done == 24
    return out


def test_tables_are_whole_and_complete(reference):
    t = tables(reference)
    assert len(t["runs"]) == 24 and t["runs"]["run_id"].is_unique
    assert (t["runs"]["status"] == "ok").all() and t["runs"]["error"].isna().all()
    assert {
        "mechanisms.insurgency.attack_rate",
        "states.0.legitimacy",
        "replicate",
        "seed",
        "seed_root",
        "seed_key",
        "point_id",
    } <= set(t["runs"].columns)
    assert t["timeseries"].groupby("run_id").size().eq(20 * 6).all()
    assert len(t["final"]) == 24 * 6
    assert {"run_id", "final_stability_index", "total_fatalities_civilian"} <= set(t["final"].columns)
    manifest = engine.SweepStore(reference).read_json("manifest.json")
    assert manifest["sessions"][-1]["status"] == "complete" and "versions" in manifest
    codes = pd.read_parquet(reference / "runs", columns=["code_hash"])["code_hash"]
    assert codes.nunique() == 1 and len(codes.iloc[0]) == 16
    assert len(list((reference / "points").glob("*.yaml"))) == 4


# A 24-run sweep on a process pool; the fast loop still checks process runs against serial tables in
# test_sweep_lifecycle.py (a 2-worker sweep stopped by SIGTERM and resumed on 2 workers).
@pytest.mark.slow
def test_processes_give_identical_tables(spec_file, reference, tmp_path):
    run_sweep(spec_file, tmp_path / "sweep", workers=2)
    assert_same(reference, tmp_path / "sweep")


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_tables(spec_file, reference, tmp_path):
    pytest.importorskip("distributed")
    counts = run_sweep(spec_file, tmp_path / "sweep", workers=2, dask_local=True)
    assert counts.done == 24
    assert_same(reference, tmp_path / "sweep")
    assert engine.SweepStore(tmp_path / "sweep").read_json("manifest.json")["sessions"][-1]["executor"] == "dask"


@pytest.mark.crash
def test_sigkill_then_resume_loses_and_duplicates_nothing(spec_file, reference, tmp_path):
    out = tmp_path / "sweep"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sahel_sim", "sweep", str(spec_file), "--out", str(out), "--workers", "2", "--quiet"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300  # generous: a loaded machine may take long for three runs
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            runs = out / "runs"
            if runs.is_dir() and len(list(runs.glob("[!.]*.parquet"))) >= 3:
                break
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its worker processes
        proc.wait()
    done_before = {p.name for p in (out / "runs").glob("[!.]*.parquet")}
    assert 3 <= len(done_before) < 24, "the sweep should have been killed part-way"
    before = {name: pq.read_table(out / "runs" / name).to_pylist() for name in done_before}

    assert main(["sweep", str(spec_file), "--out", str(out), "--workers", "2", "--resume", "--quiet"]) == 0
    assert_same(reference, out)
    for name, rows in before.items():  # finished runs were kept, not run again
        assert pq.read_table(out / "runs" / name).to_pylist() == rows
    assert not list(out.rglob(".*.tmp"))
    sessions = engine.SweepStore(out).read_json("manifest.json")["sessions"]
    assert [s["status"] for s in sessions] == ["killed", "complete"]


def _running_worker(executor: ProcessExecutor, avoid: Sequence[str] = (), timeout: float = 120) -> tuple[int, str]:
    """(pid, run id) of a worker running a run not in ``avoid`` now (from the executor's marker files)."""
    found = []

    def marked() -> bool:
        ours = executor._pool._processes or {}  # only workers of the live pool this test started
        for entry in os.scandir(executor._marks):
            if entry.name.isdigit() and int(entry.name) in ours and ours[int(entry.name)].is_alive():
                run = Path(entry.path).read_text(encoding="ascii").strip()
                if run and run not in avoid:
                    found.append((int(entry.name), run))
                    return True
        return False

    assert wait_until(marked, timeout), "no worker started a run"
    return found[0]


@pytest.mark.crash
def test_killed_worker_is_replaced_and_its_runs_redone(spec_file, reference, tmp_path):
    out = tmp_path / "sweep"
    plan = load_plan(spec_file)
    store = check_store(plan, out, resume=False)
    prepare_store(plan, store)
    executor = ProcessExecutor(2)
    killed = []

    def kill_one_worker(progress):
        if progress.done >= 2 and len(killed) < 4:
            # a different run each time: a run whose worker dies three times fails by design
            pid, run = _running_worker(executor, avoid=killed)
            os.kill(pid, signal.SIGKILL)  # a worker of this test's own pool
            killed.append(run)

    try:
        counts = engine.execute(plan, store, executor, progress=kill_one_worker)
    finally:
        executor.close()
    assert len(killed) == 4 and (counts.done, counts.failed) == (24, 0)
    attempts = pd.read_parquet(out / "runs").set_index("run_id")["attempts"]
    extra = attempts - 1
    assert extra.sum() <= len(killed), "a death was charged to runs it did not run"
    assert (extra[extra > 0].index.isin(killed)).all()
    assert_same(reference, out)


def _long_task(run_id: str, weeks: int = 100) -> Task:
    scenario = load_scenario(BASE, [f"end={(dt.date(2022, 1, 1) + dt.timedelta(weeks=weeks)).isoformat()}"])
    return Task(run_id, scenario, 1)


@pytest.mark.slow  # kills a worker of a fresh process pool (seconds of pool start-up)
def test_a_worker_death_is_charged_to_its_own_run_only():
    executor = ProcessExecutor(2)
    try:
        handles = {executor.submit(_long_task(f"run{i}")): f"run{i}" for i in range(4)}
        pid, victim = _running_worker(executor)
        os.kill(pid, signal.SIGKILL)
        charged = {}
        for handle, run in handles.items():
            with pytest.raises(WorkerLost) as lost:
                executor.result(executor.wait([handle], timeout=300).pop())
            charged[run] = lost.value.charged
        assert charged == {run: run == victim for run in handles.values()}
        assert "SIGKILL" in str(executor._postmortem(0)[victim])
        again = executor.submit(_long_task("short", weeks=2))  # the replaced pool works
        assert executor.result(executor.wait([again], timeout=300).pop()).ok
    finally:
        executor.close(cancel=True)


@pytest.mark.slow  # kills a worker of a fresh process pool (seconds of pool start-up)
def test_submit_to_a_pool_broken_by_a_death_replaces_it():
    """The race of issue 19: the pool breaks between two submits; the second submit must not raise."""
    executor = ProcessExecutor(2)
    try:
        first = executor.submit(_long_task("long"))
        pid, _ = _running_worker(executor)
        pool = executor._pool
        os.kill(pid, signal.SIGKILL)
        assert wait_until(lambda: bool(getattr(pool, "_broken", False)), 120)
        second = executor.submit(_long_task("short", weeks=2))
        assert executor._pool is not pool
        assert executor.result(executor.wait([second], timeout=300).pop()).ok
        with pytest.raises(WorkerLost) as lost:
            executor.result(executor.wait([first], timeout=300).pop())
        assert lost.value.charged
    finally:
        executor.close(cancel=True)


def test_in_flight_runs_are_bounded(spec_file, tmp_path):
    """The driver never holds more than two runs per worker: memory does not grow with the sweep."""

    class Lazy(SerialExecutor):
        workers = 2

        def __init__(self):
            self.pending, self.most = [], 0

        def submit(self, task):
            future = Future()
            self.pending.append((future, task))
            self.most = max(self.most, sum(not f.done() for f, _ in self.pending))
            return future

        def wait(self, handles, timeout=None):
            future, task = next((f, t) for f, t in self.pending if not f.done() and f in handles)
            future.set_result(worker.execute(task))
            return {future}

    plan = load_plan(spec_file, [("end", "2022-01-15")])
    store = check_store(plan, tmp_path / "sweep", resume=False)
    prepare_store(plan, store)
    lazy = Lazy()
    assert engine.execute(plan, store, lazy).done == 24
    assert lazy.most == 2 * engine.IN_FLIGHT_PER_WORKER


@pytest.mark.crash
def test_kill_between_files_is_repaired(spec_file, reference, tmp_path):
    """A run whose series were written but not its runs row is run again; stray temp files go."""
    out = tmp_path / "sweep"
    run_sweep(spec_file, out, serial=True)
    victim = sorted((out / "runs").glob("*.parquet"))[5]
    victim.unlink()
    (out / "timeseries" / ".half.parquet.99.tmp").write_bytes(b"PAR1 truncated")
    counts = run_sweep(spec_file, out, serial=True, resume=True)
    assert counts.done == 24
    assert_same(reference, out)
    assert not list(out.rglob(".*.tmp"))


# Three sweeps of 24 runs; a failed run's record is also checked in the fast loop by
# test_sweep_lifecycle.py (a run timing out, a run whose results cannot be written).
@pytest.mark.slow
def test_failed_run_is_recorded_and_sweep_goes_on(spec_file, reference, tmp_path, monkeypatch):
    real = worker.simulate
    bad = tables(reference)["runs"].iloc[3]
    bad_seed = bad["seed"]
    plan = load_plan(spec_file)
    bad_scenario = plan.scenario(plan.points[int(bad["point_index"])])

    def flaky(scenario, seed, **options):
        # replicates share seeds across points (common random numbers): fail one point's run only
        if seed == bad_seed and scenario == bad_scenario:
            raise RuntimeError("boom in week 3")
        return real(scenario, seed, **options)

    monkeypatch.setattr(worker, "simulate", flaky)
    out = tmp_path / "sweep"
    counts = run_sweep(spec_file, out, serial=True)
    assert (counts.done, counts.failed) == (23, 1)
    runs = pd.read_parquet(out / "runs")
    failed = runs[runs["status"] == "failed"]
    assert len(failed) == 1 and "RuntimeError: boom in week 3" in failed["error"].iloc[0]
    assert "Traceback" in failed["error"].iloc[0]
    assert pd.read_parquet(out / "timeseries")["run_id"].nunique() == 23

    monkeypatch.setattr(worker, "simulate", real)
    assert run_sweep(spec_file, out, serial=True, resume=True).failed == 1  # resume keeps the failure
    counts = run_sweep(spec_file, out, serial=True, resume=True, retry_failed=True)
    assert (counts.done, counts.failed) == (24, 0)
    assert_same(reference, out)


def test_resume_refuses_changed_spec_but_accepts_more_replicates(spec_file, reference, tmp_path, capsys):
    out = tmp_path / "sweep"
    shutil.copytree(reference, out)
    assert main(["sweep", str(spec_file), "--out", str(out), "--workers", "1"]) == 2
    assert "use --resume" in capsys.readouterr().err

    changed = tmp_path / "changed.yaml"
    changed.write_text(SPEC.replace("seed: 11", "seed: 12"), encoding="utf-8")
    assert main(["sweep", str(changed), "--out", str(out), "--resume", "--workers", "1"]) == 2
    assert "different spec" in capsys.readouterr().err
    assert (
        main(["sweep", str(spec_file), "--out", str(out), "--resume", "--workers", "1", "--set", "end=2022-05-28"]) == 2
    )

    fewer = tmp_path / "fewer.yaml"
    fewer.write_text(SPEC.replace("replicates: 6", "replicates: 5"), encoding="utf-8")
    assert main(["sweep", str(fewer), "--out", str(out), "--resume", "--workers", "1"]) == 2
    assert "may only grow" in capsys.readouterr().err

    grown = tmp_path / "grown.yaml"
    grown.write_text(SPEC.replace("replicates: 6", "replicates: 7"), encoding="utf-8")
    before = tables(out)["runs"]
    assert main(["sweep", str(grown), "--out", str(out), "--resume", "--workers", "1", "--quiet"]) == 0
    after = tables(out)["runs"]
    assert len(after) == 28 and (after["replicate"] == 6).sum() == 4
    kept = after[after["run_id"].isin(before["run_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, before)


def test_export_run_replays_exactly(reference, tmp_path):
    runs = tables(reference)["runs"]
    run_id = runs["run_id"].iloc[7]
    folder = export_run(reference, run_id, tmp_path / "results")
    assert (folder / "manifest.json").is_file() and (folder / "plots" / "dashboard.png").is_file()
    replay = read_timeseries(folder)
    stored = pd.read_parquet(reference / "timeseries", filters=[("run_id", "==", run_id)])
    stored = stored.drop(columns="run_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(replay.reset_index(drop=True), stored, check_exact=True)


def test_dask_shutdown_noise_is_dropped_and_other_messages_kept():
    import logging

    pytest.importorskip("distributed")
    from distributed.comm.core import CommClosedError

    from sahel_sim.analysis.sweep.executors import ShutdownNoise

    seen = []
    capture = logging.Handler()
    capture.emit = seen.append
    logger = logging.getLogger("distributed")
    logger.addHandler(capture)
    noise = ShutdownNoise.install()
    try:
        child = logging.getLogger("distributed.core")
        try:
            raise CommClosedError("in <TCP (closed)>: Stream is closed")
        except CommClosedError:
            child.exception("Exception while handling op heartbeat")
        child.error("Failed to reconnect: %s", "CommClosedError()")
        child.error("a real problem")
    finally:
        noise.remove()
        logger.removeHandler(capture)
    assert [r.getMessage() for r in seen] == ["a real problem"]
