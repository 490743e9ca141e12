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

from sahel_sim.bench import engines, paired, timing
from sahel_sim.bench.report import COLUMNS, TARGET_COLUMNS
from sahel_sim.cli import bench as bench_cli

ROOT = Path(__file__).resolve().parents[1]
try:
    import solara  # noqa: F401

    HAS_VIZ = True
except ImportError:  # the viz section is skipped without the viz extra
    HAS_VIZ = False
SECTIONS = {"engines", "agents", "sweeps", "memory", "phases"} | ({"viz"} if HAS_VIZ else set())
#: Figures every row of a section must have, finite.
REQUIRED = {
    "engines": ("value",),
    "agents": ("value",),
    "sweeps": ("value",),
    "memory": ("value",),
    "phases": ("agents_mean", "ms_per_step", "value"),
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
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "agent-steps/s" in proc.stdout and "FAIL" in proc.stdout  # a quick run never passes a target

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
        "historical weeks per CPU-second, old engine",
        "historical weeks per CPU-second, new engine",
        "historical weeks per CPU-second, new / old",
        "`run` CPU time, new / old",
        "historical at 0.125deg, new engine",
        "time per week, x16 / x1",
        "2 workers / 1 worker",
        "10,000 historical runs on 2 cores (estimate)",
        "one historical run (peak RSS)",
        "2-worker sweep (peak RSS, all processes)",
    } <= cases
    assert any(c.startswith("mesa epstein") for c in cases)
    if HAS_VIZ:
        assert {"page drawing 0.5deg (wall)", "page drawing 0.5deg (CPU)"} <= cases

    with targets.open(newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == TARGET_COLUMNS
        goals = list(reader)
    assert len(goals) >= 8 and all(g["passed"] == "False" for g in goals[:8])
    for goal in goals:
        assert math.isfinite(float(goal["measured"])) and math.isfinite(float(goal["threshold"]))
        assert goal["passed"] in ("True", "False")

    data = json.loads(report.read_text())
    meta = data["meta"]
    for key in ("date", "platform", "cpu_count", "python", "git_commit", "load_start", "load_end", "frozen_engine"):
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


def test_alternate_flips_the_order_every_pair() -> None:
    seen = []
    a, b = paired.alternate(3, lambda: seen.append("a") or {"x": 1}, lambda: seen.append("b") or {"x": 2})
    assert seen == ["a", "b", "b", "a", "a", "b"] and len(a) == len(b) == 3
    assert paired.pair_ratio([2.0, 3.0, 10.0], [1.0, 1.0, 1.0]) == 3.0


def test_frozen_engine_is_extracted_once_and_importable(tmp_path: Path) -> None:
    src, note = engines.old_engine(tmp_path)
    if src is None:
        pytest.skip(note)
    assert (src / "sahel_sim" / "model.py").is_file()  # the layout before the packages
    assert engines.old_engine(tmp_path)[0] == src
    scenario = engines.scenario_for(src, "baseline.yaml")
    assert scenario.startswith(str(src.parent))  # the frozen engine reads its own commit's scenario files
    answer = engines.probe(src, {"kind": "steps", "scenario": scenario, "weeks": 2})
    assert answer["weeks"] == 2 and answer["cpu_s"] > 0 and answer["maxrss_mb"] > 0


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
