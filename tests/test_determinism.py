"""Determinism: the same scenario and seed give the same bytes whatever the hash seed and the workers.

Python randomises ``hash()`` of strings per process (``PYTHONHASHSEED``); anything that iterated a set
of strings, or keyed random draws on a hash, would make runs differ between processes. These tests
run the real command line in child processes with different hash seeds and compare the files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sahel_sim
from sweep_tables import tables as sweep_tables

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SRC = Path(sahel_sim.__file__).resolve().parents[1]
BASELINE = REPO / "scenarios" / "baseline.yaml"
HASH_SEEDS = ("0", "4242")
SAME_BYTES = ("timeseries.csv", "timeseries.parquet", "events.parquet", "summary.json")
#: A year that includes the withdrawal, so camps close, convoys move and posts react (after the
#: baseline's spin-up from 2012: start is a whole number of weeks after it).
RUN_ARGS = ("--set", "start=2023-03-05", "--set", "end=2024-03-02", "--seed", "7", "--quiet")


def start(args: list[str], hash_seed: str, cwd: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    env["PYTHONHASHSEED"] = hash_seed
    env.pop("PYTHONWARNINGS", None)
    return subprocess.Popen(
        [sys.executable, "-m", "sahel_sim", *args],
        cwd=cwd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return out.strip()


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """The same run in two processes with different hash seeds (started together)."""
    root = tmp_path_factory.mktemp("determinism")
    procs = {
        seed: start(["run", str(BASELINE), "--out", str(root / f"hash{seed}"), *RUN_ARGS], seed, root)
        for seed in HASH_SEEDS
    }
    return {seed: Path(finish(proc)) for seed, proc in procs.items()}


@pytest.mark.parametrize("name", SAME_BYTES)
def test_same_bytes_whatever_the_hash_seed(runs, name):
    first, second = (runs[seed] / name for seed in HASH_SEEDS)
    assert first.read_bytes() == second.read_bytes()


def test_the_compared_run_did_something(runs):
    """Guard against comparing two empty tables: the year holds violence and camp closures."""
    folder = runs[HASH_SEEDS[0]]
    events = pd.read_parquet(folder / "events.parquet")
    assert len(events) > 100
    assert {"attack", "camp_handover"} <= set(events["kind"])
    assert runs[HASH_SEEDS[0]].name == runs[HASH_SEEDS[1]].name  # same scenario hash in the name


SWEEP = """\
base: {base}
set:
  start: 2023-06-04
  end: 2023-09-02
vary:
  mechanisms.insurgency.attack_rate: [0.3, 0.6]
replicates: 2
seed: 5
"""


def test_sweep_tables_identical_across_hash_seeds_and_worker_counts(tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(SWEEP.format(base=BASELINE), encoding="utf-8")
    procs = [
        start(
            ["sweep", str(spec), "--out", str(tmp_path / f"sweep{seed}"), "--workers", workers, "--quiet"],
            seed,
            tmp_path,
        )
        for seed, workers in zip(HASH_SEEDS, ("1", "2"), strict=True)
    ]
    folders = [Path(finish(proc)) for proc in procs]
    first, second = (sweep_tables(tmp_path / f.name) for f in folders)
    assert len(first["runs"]) == 4 and (first["runs"]["status"] == "ok").all()
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True, obj=name)
