"""Crash safety of sweeps and runs: SIGKILL at random moments, and output folders that cannot be written.

``tests/test_sweep_run.py`` already kills a sweep once (after three runs), kills one worker, and
repairs a kill between a run's files. Here the kills land at random moments, several times over the
same folder, and the finished folder must equal an uninterrupted sweep: nothing lost, nothing
duplicated, finished runs never rewritten. ``test_many_random_kills`` (20 trials) is marked slow and
runs with ``-m slow`` or ``SAHEL_SLOW=1``; ``test_a_few_random_kills`` (3 trials) runs by default.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import sahel_sim
from sahel_sim.analysis.sweep import engine, store
from sahel_sim.analysis.sweep.engine import run_sweep
from sahel_sim.cli.main import main
from sweep_tables import VOLATILE, assert_same, tables

pytestmark = pytest.mark.crash

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(sahel_sim.__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "cold_start_2022.yaml"  # sweep mechanics: no spin-up
WEEKS = 10
# 2 points x 4 replicates = 8 runs of 10 weeks.
SPEC = f"""\
base: {BASE}
set:
  end: 2022-03-12
vary:
  mechanisms.insurgency.attack_rate: [0.3, 0.6]
replicates: 4
seed: 23
"""
TOTAL = 8


def finished_files(folder: Path) -> dict[str, bytes]:
    runs = folder / "runs"
    return {p.name: p.read_bytes() for p in runs.glob("[!.]*.parquet")} if runs.is_dir() else {}


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "tiny.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(spec_file, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "sweep"
    assert run_sweep(spec_file, out, serial=True).done == TOTAL
    return out


def sweep_process(spec_file: Path, out: Path, resume: bool) -> subprocess.Popen:
    """The real command line with two workers, in its own process group (so one kill takes all)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p)}
    args = [
        sys.executable,
        "-m",
        "sahel_sim",
        "sweep",
        str(spec_file),
        "--out",
        str(out),
        "--workers",
        "2",
        "--quiet",
        *(["--resume"] if resume else []),
    ]
    return subprocess.Popen(args, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def full_seconds(spec_file, tmp_path_factory) -> float:
    """Wall time of an uninterrupted sweep in a process: the span kill moments are drawn from."""
    began = time.monotonic()
    proc = sweep_process(spec_file, tmp_path_factory.mktemp("timing") / "sweep", resume=False)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return time.monotonic() - began


def kill_at(proc: subprocess.Popen, delay: float) -> bool:
    """SIGKILL the sweep's process group after ``delay`` seconds; False if it had already finished."""
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    finished = proc.poll() is not None
    if not finished:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    return not finished


def trial(spec_file: Path, reference: Path, out: Path, rng: random.Random, full: float) -> int:
    """Kill a sweep in ``out`` one to three times at random moments, resume to the end, compare."""
    kills = 0
    for attempt in range(rng.randint(1, 3)):
        before = finished_files(out)
        proc = sweep_process(spec_file, out, resume=attempt > 0 or out.exists())
        kills += kill_at(proc, rng.uniform(0.0, 1.1) * full)
        after = finished_files(out)
        assert {k: after[k] for k in before} == before, "a finished run was rewritten"
        for name in after:  # every visible part file is whole
            pq.read_table(out / "runs" / name)
    kept = finished_files(out)
    assert main(["sweep", str(spec_file), "--out", str(out), "--resume", "--workers", "1", "--quiet"]) == 0
    assert_same(reference, out)
    runs = pd.read_parquet(out / "runs")
    assert len(runs) == TOTAL and runs["run_id"].is_unique and (runs["status"] == "ok").all()
    series = pd.read_parquet(out / "timeseries")
    assert series.groupby("run_id").size().eq(WEEKS * 6).all() and series["run_id"].nunique() == TOTAL
    assert {k: v for k, v in finished_files(out).items() if k in kept} == kept
    assert not list(out.rglob(".*.tmp"))
    statuses = [s["status"] for s in engine.SweepStore(out).read_json("manifest.json")["sessions"]]
    assert statuses[-1] == "complete" and set(statuses[:-1]) <= {"killed", "complete"}, statuses
    return kills


def run_trials(n: int, seed: int, spec_file, reference, full_seconds, tmp_path) -> None:
    rng = random.Random(seed)
    kills = sum(trial(spec_file, reference, tmp_path / f"trial{i}", rng, full_seconds) for i in range(n))
    assert kills >= n // 2, f"only {kills} of the kills landed before the sweep finished"


def test_a_few_random_kills(spec_file, reference, full_seconds, tmp_path):
    run_trials(3, 2024, spec_file, reference, full_seconds, tmp_path)


def _slow_selected(config) -> bool:
    expr = config.getoption("markexpr") or ""
    return os.environ.get("SAHEL_SLOW") == "1" or ("slow" in expr and "not slow" not in expr)


@pytest.mark.slow
def test_many_random_kills(request, spec_file, reference, full_seconds, tmp_path):
    if not _slow_selected(request.config):
        pytest.skip("20 kill/resume trials: run with -m slow or SAHEL_SLOW=1")
    run_trials(20, 7, spec_file, reference, full_seconds, tmp_path)


def test_resume_after_a_kill_before_the_spec_was_written(spec_file, reference, tmp_path):
    out = tmp_path / "sweep"
    store.SweepStore(out).create()  # what the driver leaves if killed right there
    assert main(["sweep", str(spec_file), "--out", str(out), "--resume", "--workers", "1", "--quiet"]) == 0
    assert_same(reference, out)


# --- output folders that cannot be written ---------------------------------------------------------------


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error")]
    assert len(errors) == 1, err
    return errors[0]


def test_run_that_cannot_write_leaves_earlier_results_intact(cli, tmp_path, monkeypatch, fast_plots):
    import sahel_sim.runs.atomic as atomic

    out = tmp_path / "results"
    first = cli("run", BASE, "--weeks", 3, "--out", out, "--quiet")
    assert first.status == 0
    folder = Path(first.out.strip())
    snapshot = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(out))

    monkeypatch.setattr(atomic.tempfile, "mkdtemp", refuse)
    second = cli("run", BASE, "--weeks", 3, "--out", out, "--quiet", "--seed", 5)
    assert second.status == 1 and second.out == ""
    line = _one_error_line(second.err)
    assert str(out) in line and "Permission denied" in line
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == snapshot
    assert sorted(p.name for p in out.iterdir()) == [folder.name]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_run_into_a_read_only_folder(cli_process, tmp_path):
    out = tmp_path / "results"
    first = cli_process("run", BASE, "--weeks", 2, "--out", out, "--quiet")
    assert first.status == 0
    snapshot = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    out.chmod(0o555)
    try:
        second = cli_process("run", BASE, "--weeks", 2, "--out", out, "--quiet", "--seed", 5)
    finally:
        out.chmod(0o755)
    assert second.status == 1 and str(out) in _one_error_line(second.err)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == snapshot


def test_sweep_that_cannot_write_keeps_finished_runs_and_resumes(spec_file, reference, tmp_path, monkeypatch, capsys):
    """The disk refuses writes after three runs: exit 1 with one line, three whole runs kept, resume ends it."""
    out = tmp_path / "sweep"
    real = store.atomic_write_table
    written = []

    def flaky(path, table):
        if path.parent.name == "runs" and len(written) >= 3:
            raise PermissionError(13, "Permission denied", str(path))
        real(path, table)
        if path.parent.name == "runs":
            written.append(path.name)

    monkeypatch.setattr(store, "atomic_write_table", flaky)
    status = main(["sweep", str(spec_file), "--out", str(out), "--workers", "1", "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    _one_error_line(err)
    kept = finished_files(out)
    assert sorted(kept) == sorted(written) and len(kept) == 3
    reference_runs = tables(reference)["runs"].set_index("run_id")
    for name in kept:
        row = pd.read_parquet(out / "runs" / name).drop(columns=VOLATILE).set_index("run_id")
        pd.testing.assert_frame_equal(row, reference_runs.loc[row.index], check_exact=True)
    assert not list(out.rglob(".*.tmp"))
    sessions = engine.SweepStore(out).read_json("manifest.json")["sessions"]
    assert sessions[-1]["status"] == "interrupted"

    monkeypatch.setattr(store, "atomic_write_table", real)
    assert main(["sweep", str(spec_file), "--out", str(out), "--resume", "--workers", "1", "--quiet"]) == 0
    assert_same(reference, out)
    assert {k: v for k, v in finished_files(out).items() if k in kept} == kept


def test_sweep_out_under_a_regular_file_names_the_folder(spec_file, tmp_path, capsys):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    status = main(["sweep", str(spec_file), "--out", str(blocker / "sub"), "--workers", "1", "--quiet"])
    line = _one_error_line(capsys.readouterr().err)
    assert status == 1 and blocker.read_text() == "not a folder"
    assert str(blocker) in line


def test_sweep_out_under_a_regular_file_is_exit_1_and_writes_nothing(spec_file, tmp_path, capsys):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    status = main(["sweep", str(spec_file), "--out", str(blocker / "sub"), "--workers", "1", "--quiet"])
    _one_error_line(capsys.readouterr().err)
    assert status == 1 and blocker.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_sweep_resume_into_a_read_only_folder(spec_file, reference, tmp_path, capsys):
    out = tmp_path / "sweep"
    shutil.copytree(reference, out)
    victim = sorted((out / "runs").glob("*.parquet"))[0]
    victim.unlink()
    kept = finished_files(out)
    for folder in (out, *[p for p in out.iterdir() if p.is_dir()]):
        folder.chmod(0o555)
    try:
        status = main(["sweep", str(spec_file), "--out", str(out), "--resume", "--workers", "1", "--quiet"])
    finally:
        for folder in (out, *[p for p in out.iterdir() if p.is_dir()]):
            folder.chmod(0o755)
    assert status == 1
    _one_error_line(capsys.readouterr().err)
    assert finished_files(out) == kept
