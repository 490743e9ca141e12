"""The sweep driver's life: signals, stale sessions, the folder lock, damaged parts, code versions, time limits.

Every wait polls a condition (a file count, a pid) with a generous timeout; kills go only to processes
this test started, by pid.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import sahel_sim
from proc_tree import alive, descendants, kill_ours, wait_until
from sahel_sim.analysis.sweep import engine, session, store, worker
from sahel_sim.analysis.sweep.engine import run_sweep
from sahel_sim.analysis.sweep.store import SweepLock, SweepStore
from sahel_sim.cli.main import main
from sweep_tables import assert_same

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(sahel_sim.__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "cold_start_2022.yaml"  # sweep mechanics: no spin-up
WEEKS = 20
# 2 points x 8 replicates = 16 runs of 20 weeks: long enough to stop part-way on any machine.
SPEC = f"""\
base: {BASE}
set:
  end: 2022-05-21
vary:
  mechanisms.insurgency.attack_rate: [0.3, 0.6]
replicates: 8
seed: 5
"""
TOTAL = 16
#: The same 16 runs cut to two weeks, for tests that need no reference tables (a tenth of the work).
SHORT = [("end", "2022-01-15")]
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find processes")


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("life") / "tiny.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(spec_file, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "sweep"
    assert run_sweep(spec_file, out, serial=True).done == TOTAL
    return out


def n_runs(out: Path) -> int:
    return len(SweepStore(out).parts("runs"))


def start_sweep(spec_file: Path, out: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p)}
    args = [sys.executable, "-m", "sahel_sim", "sweep", str(spec_file), "--out", str(out), "--quiet", *extra]
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop_part_way(proc: subprocess.Popen, out: Path, sig: int) -> dict[int, int]:
    """Wait for two recorded runs, note every process of the sweep, send ``sig`` to the driver only."""
    family: dict[int, int] = {}

    def two_runs() -> bool:
        family.update(descendants(proc.pid))
        return proc.poll() is not None or (out / "runs").is_dir() and n_runs(out) >= 2

    try:
        assert wait_until(two_runs, timeout=300), "the sweep recorded no run"
        family.update(descendants(proc.pid))
        assert proc.poll() is None and n_runs(out) < TOTAL, "the sweep ended before it could be stopped"
        assert len(family) >= 3, family  # forkserver, resource tracker, workers
        os.kill(proc.pid, sig)
        proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return family


@pytest.mark.parametrize(
    "sig",
    [
        pytest.param(signal.SIGTERM, id="SIGTERM"),
        # the same path through another signal: a real sweep process each, so only in the full suite
        pytest.param(signal.SIGHUP, id="SIGHUP", marks=pytest.mark.slow),
    ],
)
def test_signal_stops_the_sweep_leaves_no_process_and_resumes_to_identical_tables(spec_file, reference, tmp_path, sig):
    out = tmp_path / "sweep"
    proc = start_sweep(spec_file, out, "--workers", "2")
    family = stop_part_way(proc, out, sig)
    err = proc.stderr.read()
    proc.stderr.close()
    try:
        assert wait_until(lambda: not alive(family), timeout=120), f"left running: {alive(family)}"
    finally:
        kill_ours(family, signal.SIGKILL)
    assert proc.returncode == 128 + sig, err
    assert "Traceback" not in err and "--resume" in err
    sessions = SweepStore(out).read_json("manifest.json")["sessions"]
    assert sessions[-1]["status"] == "interrupted" and sessions[-1]["signal"] == signal.Signals(sig).name
    kept = {p.name: p.read_bytes() for p in SweepStore(out).parts("runs")}
    assert not list(out.rglob(".*.tmp"))

    assert main(["sweep", str(spec_file), "--out", str(out), "--resume", "--workers", "2", "--quiet"]) == 0
    assert_same(reference, out)
    assert {k: v for k, v in ((p.name, p.read_bytes()) for p in SweepStore(out).parts("runs")) if k in kept} == kept


@pytest.mark.slow  # a real sweep process killed part-way (several seconds); the signal test above stays fast
def test_sigkill_leaves_no_process_and_resume_cleans_the_stale_session(spec_file, reference, tmp_path):
    out = tmp_path / "sweep"
    proc = start_sweep(spec_file, out, "--workers", "2")
    driver = proc.pid
    family = stop_part_way(proc, out, signal.SIGKILL)
    proc.stderr.close()
    try:
        assert wait_until(lambda: not alive(family), timeout=120), f"orphans: {alive(family)}"
    finally:
        kill_ours(family, signal.SIGKILL)
    assert SweepStore(out).read_json("manifest.json")["sessions"][-1]["status"] == "running"
    assert (out / ".lock").read_text().strip() == str(driver)

    assert main(["sweep", str(spec_file), "--out", str(out), "--resume", "--workers", "2", "--quiet"]) == 0
    assert_same(reference, out)
    sessions = SweepStore(out).read_json("manifest.json")["sessions"]
    assert [s["status"] for s in sessions] == ["killed", "complete"]
    assert sessions[0]["cleaned_up"] and sessions[1]["stale_lock_pid"] == driver
    assert not list(out.rglob(".*.tmp"))


def test_second_writer_is_refused_with_the_holders_pid(spec_file, reference, tmp_path, capsys):
    out = tmp_path / "sweep"
    shutil.copytree(reference, out)
    victim = SweepStore(out).parts("runs")[0]
    victim.unlink()
    lock = SweepLock(out)
    lock.acquire()  # another writer (this process, through its own open file)
    try:
        status = main(["sweep", str(spec_file), "--out", str(out), "--resume", "--workers", "1", "--quiet"])
    finally:
        lock.release()
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert f"process {os.getpid()} is writing this sweep folder" in err
    assert not victim.exists()  # nothing was run
    assert main(["sweep", str(spec_file), "--out", str(out), "--resume", "--workers", "1", "--quiet"]) == 0
    assert_same(reference, out)


@pytest.mark.slow  # two real sweep processes; the lock's refusal is tested in-process above
def test_second_writer_process_is_refused_while_the_first_runs(spec_file, reference, tmp_path):
    out = tmp_path / "sweep"
    first = start_sweep(spec_file, out, "--workers", "1")
    try:
        assert wait_until(lambda: first.poll() is not None or (out / "runs").is_dir() and n_runs(out) >= 1, 300)
        os.kill(first.pid, signal.SIGSTOP)  # paused while holding the lock: the check cannot race its end
        try:
            assert first.poll() is None, "the first sweep ended too soon"
            second = start_sweep(spec_file, out, "--workers", "1", "--resume")
            _, err = second.communicate(timeout=300)
        finally:
            os.kill(first.pid, signal.SIGCONT)
        assert second.returncode == 2 and "is writing this sweep folder" in err and "Traceback" not in err
        assert f"process {first.pid}" in err
        _, err = first.communicate(timeout=300)
        assert first.returncode == 0, err
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert_same(reference, out)
    assert [s["status"] for s in SweepStore(out).read_json("manifest.json")["sessions"]] == ["complete"]


def _damage(out: Path, how: str) -> str:
    run = SweepStore(out).parts("runs")[3].name
    if how == "zero-byte runs part":
        (out / "runs" / run).write_bytes(b"")
    elif how == "corrupt timeseries part":
        (out / "timeseries" / run).write_bytes(b"PAR1 not really parquet")
    elif how == "missing timeseries part":
        (out / "timeseries" / run).unlink()
    elif how == "short timeseries part":
        table = pq.read_table(out / "timeseries" / run)
        pq.write_table(table.slice(0, table.num_rows - 6), out / "timeseries" / run)
    elif how == "missing final part":
        (out / "final" / run).unlink()
    return run.removesuffix(".parquet")


@pytest.mark.parametrize(
    "how",
    [
        "zero-byte runs part",
        "corrupt timeseries part",
        "missing timeseries part",
        "short timeseries part",
        "missing final part",
    ],
)
def test_damaged_part_is_rerun_on_resume(spec_file, reference, tmp_path, how):
    out = tmp_path / "sweep"
    shutil.copytree(reference, out)
    (out / "runs" / "notes.txt").write_text("a stray file is ignored")
    run = _damage(out, how)
    counts = run_sweep(spec_file, out, serial=True, resume=True)
    assert (counts.done, counts.failed) == (TOTAL, 0)
    (out / "runs" / "notes.txt").unlink()
    assert_same(reference, out)
    session = SweepStore(out).read_json("manifest.json")["sessions"][-1]
    assert list(session["damaged_parts_rerun"]) == [run]


def test_resume_under_another_code_version_is_refused_unless_allowed(
    spec_file, reference, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "sweep"
    shutil.copytree(reference, out)
    SweepStore(out).parts("runs")[0].unlink()
    before = sorted(p.name for p in out.rglob("*"))
    for module in (engine, session):  # the check and the session record
        monkeypatch.setattr(module, "code_hash", lambda: "0123456789abcdef")
    args = ["sweep", str(spec_file), "--out", str(out), "--resume", "--workers", "1", "--quiet"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "code version" in err and "0123456789abcdef" in err and "--allow-code-change" in err
    assert sorted(p.name for p in out.rglob("*")) == before  # nothing written
    assert main([*args, "--allow-code-change"]) == 0
    assert SweepStore(out).read_json("manifest.json")["sessions"][-1]["code_hash"] == "0123456789abcdef"
    assert n_runs(out) == TOTAL


def test_run_timeout_records_the_run_as_failed_with_its_reason(spec_file, tmp_path, monkeypatch):
    real = worker.simulate
    seeds = []

    def slow_once(scenario, seed, **kwargs):
        seeds.append(seed)
        if len(seeds) == 3:
            import time

            time.sleep(600)  # interrupted by the time limit
        return real(scenario, seed, **kwargs)

    monkeypatch.setattr(worker, "simulate", slow_once)
    out = tmp_path / "sweep"
    # 10 s: far above a two-week run even on a loaded machine (2 s failed an ordinary run under load)
    counts = run_sweep(spec_file, out, overrides=SHORT, serial=True, run_timeout=10.0)
    assert (counts.done, counts.failed) == (TOTAL - 1, 1)
    runs = pd.read_parquet(out / "runs")
    failed = runs[runs["status"] == "failed"]
    assert failed["seed"].tolist() == [seeds[2]]
    assert failed["error"].iloc[0].startswith("RunTimeout: run exceeded --run-timeout of 10 s")
    assert SweepStore(out).read_json("manifest.json")["sessions"][-1]["run_timeout"] == 10.0


def test_run_timeout_in_worker_processes(tmp_path):
    spec = tmp_path / "long.yaml"
    spec.write_text(SPEC.replace("end: 2022-05-21", "end: 2025-12-27").replace("replicates: 8", "replicates: 1"))
    out = tmp_path / "sweep"
    status = main(["sweep", str(spec), "--out", str(out), "--workers", "2", "--quiet", "--run-timeout", "0.05"])
    assert status == 0
    runs = pd.read_parquet(out / "runs")
    assert (runs["status"] == "failed").all() and len(runs) == 2
    assert runs["error"].str.startswith("RunTimeout: run exceeded --run-timeout of 0.05 s").all()
    assert not SweepStore(out).parts("timeseries")


def test_a_run_whose_results_cannot_be_written_is_recorded_as_failed(spec_file, tmp_path, monkeypatch):
    real = store.SweepStore.write_run
    victims = []

    def refuse_one(self, row, schema, timeseries, final):
        if timeseries is not None and not victims:
            victims.append(row["run_id"])
            raise ValueError("duplicate column names: control_share_jnim")
        return real(self, row, schema, timeseries, final)

    monkeypatch.setattr(store.SweepStore, "write_run", refuse_one)
    out = tmp_path / "sweep"
    counts = run_sweep(spec_file, out, overrides=SHORT, serial=True)
    assert (counts.done, counts.failed) == (TOTAL - 1, 1)
    runs = pd.read_parquet(out / "runs").set_index("run_id")
    assert runs.loc[victims[0], "status"] == "failed"
    assert "could not be recorded" in runs.loc[victims[0], "error"]
    assert "duplicate column names" in runs.loc[victims[0], "error"]
    assert not (out / "timeseries" / f"{victims[0]}.parquet").exists()
