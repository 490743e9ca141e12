"""The benchmark's --quick mode end to end: files, columns and finite numbers (no timing assertions)."""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sahel_sim.bench import timing, workloads
from sahel_sim.bench.report import COLUMNS, TARGET_COLUMNS
from sahel_sim.cli import bench as bench_cli

ROOT = Path(__file__).resolve().parents[1]
try:
    import solara  # noqa: F401

    HAS_VIZ = True
except ImportError:  # the viz section is skipped without the viz extra
    HAS_VIZ = False
SECTIONS = {"speed", "ratio", "scaling", "phases", "historical", "sweep", "memory"} | ({"viz"} if HAS_VIZ else set())
#: Figures every row of a section must have, finite.
REQUIRED = {
    "speed": ("agents_mean", "steps", "seconds_median", "steps_per_s", "agent_steps_per_s", "ms_per_step", "value"),
    "ratio": ("agents_mean", "value"),
    "scaling": ("agents_mean", "steps", "seconds_median", "ms_per_step", "agent_steps_per_s", "value"),
    "phases": ("agents_mean", "ms_per_step", "value"),
    "historical": ("steps", "seconds_median", "value"),
    "sweep": ("value",),
    "memory": ("value",),
    "viz": ("steps", "seconds_median", "steps_per_s", "value"),
}


@pytest.mark.slow
def test_quick_benchmark_writes_csv_and_json(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--quiet", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "agent-steps/s" in proc.stdout and ("PASS" in proc.stdout or "FAIL" in proc.stdout)

    [table] = [p for p in tmp_path.glob("bench_quick_*.csv") if not p.stem.endswith("_targets")]
    [targets] = list(tmp_path.glob("bench_quick_*_targets.csv"))
    [report] = list(tmp_path.glob("bench_quick_*.json"))

    with table.open(newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == COLUMNS
        rows = list(reader)
    assert {r["section"] for r in rows} == SECTIONS
    for row in rows:
        for column in (*REQUIRED[row["section"]], "load1"):
            assert math.isfinite(float(row[column])), (row["case"], column, row[column])
            assert float(row[column]) >= 0, (row["case"], column)
        assert row["unit"]
    cases = {r["case"] for r in rows}
    assert {
        "sahel baseline 0.5deg",
        "sahel baseline 0.25deg",
        "mesa epstein 40x40",
        "mesa epstein 100x100",
        "x1 agents 0.5deg",
        "x4 agents 0.5deg",
        "x16 agents 0.5deg",
        "x1 agents 0.125deg",
        "1 worker",
        "2 workers",
        "2 workers / 1 worker",
        "one run 0.25deg (peak RSS)",
    } <= cases
    if HAS_VIZ:
        assert {"page drawing 0.5deg (wall)", "page drawing 0.5deg (CPU)"} <= cases

    with targets.open(newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == TARGET_COLUMNS
        goals = list(reader)
    assert len(goals) >= 5
    for goal in goals:
        assert math.isfinite(float(goal["measured"])) and math.isfinite(float(goal["threshold"]))
        assert goal["passed"] in ("True", "False")

    data = json.loads(report.read_text())
    meta = data["meta"]
    for key in ("date", "platform", "cpu_count", "python", "git_commit", "load_start", "load_end", "comparable"):
        assert key in meta, key
    assert meta["mode"] == "quick" and len(meta["load_start"]) == 3
    assert len(data["results"]) == len(rows) and len(data["targets"]) == len(goals)
    assert set(data["results"][0]) == set(COLUMNS)


def test_bench_subcommand_registers() -> None:
    parser = argparse.ArgumentParser()
    bench_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["bench", "--quick", "--out", "somewhere"])
    assert args.quick and args.out == "somewhere" and args.func is bench_cli.cmd_bench
    assert parser.parse_args(["bench"]).out == "benchmarks/results"


def test_scaled_scenario_has_more_smaller_bands() -> None:
    from sahel_sim.scenario.loading import load_scenario

    base = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    strength, divisor = timing.SCALE_RECIPES["x16"]
    big = timing.scaled(base, (strength, divisor), 0.25)
    assert big.map.resolution == 0.25
    assert big.mechanisms.insurgency.band_split_strength < base.mechanisms.insurgency.band_split_strength
    assert [f.initial_strength for f in big.factions] == [round(f.initial_strength * strength) for f in base.factions]
    assert timing.with_weeks(base, 4).weeks == 4


def test_steady_rate_counts_runs_after_every_worker_has_finished_one() -> None:
    # two workers, each finishing a run every second from t = 3 s (start-up before): 2 runs/s
    marks = sorted([3.0 + k for k in range(5)] * 2)
    assert workloads.steady_rate(marks, 2) == 2.0
    assert workloads.steady_rate([1.0, 2.0, 4.0], 1) == 2 / 3
    assert workloads.steady_rate([5.0, 5.0], 2) is None


def test_timing_the_phases_does_not_change_the_run() -> None:
    from sahel_sim.bench.phase_timing import time_phases
    from sahel_sim.model.phases import PHASES
    from sahel_sim.model.sahel_model import SahelModel
    from sahel_sim.scenario.loading import load_scenario

    scenario = timing.with_weeks(load_scenario(ROOT / "scenarios" / "baseline.yaml"), 6)
    plain = SahelModel(scenario)
    while plain.running:
        plain.step()
    timed = SahelModel(scenario)
    spent = time_phases(timed, 100)
    assert spent["weeks"] == 6 and not timed.running
    assert timed.metrics.frame().equals(plain.metrics.frame())
    parts = [spent[phase.name] for phase in PHASES] + [spent["other"]]
    assert all(p >= 0 for p in parts[:-1]) and sum(parts) == pytest.approx(spent["total"])
