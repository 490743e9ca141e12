"""Sweep files, design points and seeds: validated before anything runs (no simulation here)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sahel_sim.analysis.sweep.plan import load_plan
from sahel_sim.analysis.sweep.seeds import run_seed
from sahel_sim.cli.main import main
from sahel_sim.scenario.loading import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "cold_start_2022.yaml"  # sweep mechanics: no spin-up
SHIPPED = sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml"))


def write(tmp_path: Path, body: str, name: str = "sweep.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"base: {BASE}\n" + body, encoding="utf-8")
    return path


GRID = """\
set:
  end: 2022-02-26
vary:
  mechanisms.insurgency.attack_rate: [0.3, 0.6]
  states.0.legitimacy: [0.4, 0.5, 0.6]
replicates: 2
seed: 5
"""


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_sweeps_validate(path):
    plan = load_plan(path)
    assert plan.total_runs == len(plan.points) * plan.spec.replicates
    assert len({p.scenario_hash for p in plan.points}) == len(plan.points)


def test_shipped_names():
    assert {p.name for p in SHIPPED} >= {"withdrawal_timing.yaml", "peacekeeper_strength.yaml", "sensitivity.yaml"}


def test_sensitivity_ranges_bracket_the_defaults_they_vary():
    """A sensitivity range that excludes the base scenario's value says nothing about the model as run."""
    import yaml

    from sahel_sim.scenario.loading import load_scenario

    path = ROOT / "scenarios" / "sweeps" / "sensitivity.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = load_scenario(path.parent / spec["base"]).model_dump()
    for dotted, bounds in spec["vary"].items():
        value = base
        for part in dotted.split("."):
            value = value[part]
        assert bounds["low"] <= value <= bounds["high"], (dotted, bounds, value)


def test_withdrawal_timing_sweeps_dates():
    plan = load_plan(ROOT / "scenarios" / "sweeps" / "withdrawal_timing.yaml")
    starts = {p.values["peacekeepers.withdrawal.start"] for p in plan.points}
    assert all(isinstance(s, dt.date) for s in starts) and len(starts) == 5
    w = plan.scenario(plan.points[-1]).peacekeepers.withdrawal
    assert w.dates is None and w.start == dt.date(2025, 1, 1) and w.duration_weeks == 78


def test_grid_points_in_order(tmp_path):
    plan = load_plan(write(tmp_path, GRID))
    assert [tuple(p.values.values()) for p in plan.points] == [
        (0.3, 0.4),
        (0.3, 0.5),
        (0.3, 0.6),
        (0.6, 0.4),
        (0.6, 0.5),
        (0.6, 0.6),
    ]
    assert plan.scenario(plan.points[4]).states[0].legitimacy == 0.5
    assert plan.scenario(plan.points[4]).mechanisms.insurgency.attack_rate == 0.6
    assert plan.total_runs == 12


def test_seeds_derive_from_seed_sequence(tmp_path):
    plan = load_plan(write(tmp_path, GRID))
    run = next(plan.runs())
    words = np.random.SeedSequence(5, spawn_key=(run.point.key, 0)).generate_state(2, np.uint32)
    assert run.seed == ((int(words[0]) << 32) | int(words[1])) & (2**63 - 1)
    assert run_seed(5, 3, 1) == run_seed(5, 3, 1) != run_seed(5, 3, 2)


def test_adding_replicates_or_values_keeps_existing_runs(tmp_path):
    small = {(r.run_id, r.seed) for r in load_plan(write(tmp_path, GRID)).runs()}
    more_reps = {
        (r.run_id, r.seed) for r in load_plan(write(tmp_path, GRID.replace("replicates: 2", "replicates: 4"))).runs()
    }
    more_values = {
        (r.run_id, r.seed)
        for r in load_plan(write(tmp_path, GRID.replace("[0.3, 0.6]", "[0.2, 0.3, 0.45, 0.6]"))).runs()
    }
    assert small < more_reps and len(more_reps) == 24
    assert small < more_values and len(more_values) == 24


def test_spec_hash_ignores_replicates_only(tmp_path):
    base = load_plan(write(tmp_path, GRID)).spec_hash
    assert load_plan(write(tmp_path, GRID.replace("replicates: 2", "replicates: 3"))).spec_hash == base
    assert load_plan(write(tmp_path, GRID.replace("seed: 5", "seed: 6"))).spec_hash != base
    assert load_plan(write(tmp_path, GRID), [("end", dt.date(2022, 3, 5))]).spec_hash != base


@pytest.mark.parametrize("design, samples, n", [("lhs", 5, 5), ("sobol", 4, 20), ("morris", 3, 12)])
def test_sampled_designs(tmp_path, design, samples, n):
    body = f"""\
vary:
  mechanisms.insurgency.attack_rate: {{low: 0.2, high: 0.8}}
  mechanisms.insurgency.band_split_strength: {{low: 100, high: 900}}
  peacekeepers.withdrawal.start: {{low: 2023-01-01, high: 2024-01-01}}
set:
  peacekeepers.withdrawal.dates: null
  peacekeepers.withdrawal.duration_weeks: 26
design: {design}
samples: {samples}
seed: 3
"""
    plan = load_plan(write(tmp_path, body))
    assert len(plan.points) == n and plan.points[0].raw
    for p in plan.points:
        assert 0.2 <= p.values["mechanisms.insurgency.attack_rate"] <= 0.8
        assert isinstance(p.values["mechanisms.insurgency.band_split_strength"], int)
        assert dt.date(2023, 1, 1) <= p.values["peacekeepers.withdrawal.start"] <= dt.date(2024, 1, 1)
    again = load_plan(write(tmp_path, body))
    assert again.spec_hash == plan.spec_hash and [p.values for p in again.points] == [p.values for p in plan.points]


BAD = [
    ("colour: red\nvary: {end: [2022-03-01]}\n", 2, "colour", "unknown key 'colour'"),
    (
        "vary:\n  mechanisms.insurgency.attack_rate: [0.5, 1.5]\n",
        3,
        "mechanisms.insurgency.attack_rate",
        "less than or equal to 1",
    ),
    (
        "vary:\n  mechanisms.insurgency.atack_rate: [0.5]\n",
        3,
        "mechanisms.insurgency.atack_rate",
        "did you mean 'attack_rate'",
    ),
    ("vary:\n  end: {low: 1, high: 2}\n", 3, "end", "needs a list of values"),
    ("vary:\n  end: [2022-03-01, 2022-03-01]\n", 3, "end", "duplicate value"),
    (
        "vary:\n  a.b: {low: 1, high: 2}\n  c.d: {low: 1, high: 2}\ndesign: sobol\nsamples: 6\n",
        6,
        "samples",
        "power of two",
    ),
    ("vary:\n  end: [2022-03-01]\ndesign: lhs\nsamples: 4\n", 3, "end", "samples from a range"),
    ("vary:\n  end: [2022-03-01]\nreplicates: 0\n", 4, "replicates", "greater than or equal to 1"),
    ("vary:\n  seed: [1, 2]\n", 3, "seed", "use 'replicates'"),
    (
        "set:\n  peacekeepers.withdrawal.dates: null\nvary:\n  end: [2022-03-01]\n",
        3,
        "peacekeepers.withdrawal.start",
        "needs a start date",
    ),
    ("vary:\n  end: [2022-03-01, 2021-01-01]\n", 3, "end", "not after start"),
]


@pytest.mark.parametrize("body, line, field, message", BAD, ids=[b[2] + ":" + b[3][:12] for b in BAD])
def test_bad_sweep_files_name_file_line_field(tmp_path, body, line, field, message):
    path = write(tmp_path, body)
    with pytest.raises(ScenarioError) as info:
        load_plan(path)
    err = info.value
    assert (err.file, err.line, err.field) == (str(path), line, field)
    assert message in err.message


def test_cli_reports_one_line_and_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, BAD[1][0])
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert err.startswith(f"error: {path}:3: mechanisms.insurgency.attack_rate:")
    assert not out.exists()


def test_cli_check_prints_plan(tmp_path, capsys):
    assert main(["sweep", str(write(tmp_path, GRID)), "--check"]) == 0
    assert "6 points x 2 replicates = 12 runs" in capsys.readouterr().out


def test_bad_set_on_command_line(tmp_path, capsys):
    assert main(["sweep", str(write(tmp_path, GRID)), "--check", "--set", "end=2021-01-01"]) == 2
    assert capsys.readouterr().err.startswith("error: --set: end:")


# --- designs too large to validate are refused from arithmetic alone (issue 19) -------------------------

TEN_TO_THE_EIGHT = (
    "vary:\n"
    + "".join(
        f"  mechanisms.insurgency.{name}: [{', '.join(str(round(0.05 * (i + 1), 2)) for i in range(10))}]\n"
        for name in ("attack_rate", "recruit_rate")
    )
    + "".join(f"  states.{s}.legitimacy: [{', '.join(f'0.{i}' for i in range(1, 11))}]\n" for s in range(3)).replace(
        "0.10", "0.95"
    )
    + "".join(
        f"  states.{s}.state_capacity: [{', '.join(f'0.{i}' for i in range(1, 11))}]\n" for s in range(3)
    ).replace("0.10", "0.95")
)


@pytest.mark.parametrize(
    ("body", "size"),
    [
        (TEN_TO_THE_EIGHT, "100,000,000 points"),
        (
            "vary:\n"
            + "".join(f"  mechanisms.insurgency.attack_rate{i}: {{low: 0.1, high: 0.9}}\n" for i in range(10))
            + "design: sobol\nsamples: 524288\nsecond_order: true\n",
            "11,534,336 points",
        ),
        (
            "vary:\n  mechanisms.insurgency.attack_rate: {low: 0.1, high: 0.9}\ndesign: lhs\nsamples: 1000000\n",
            "1,000,000",
        ),
        (
            "vary:\n  mechanisms.insurgency.attack_rate: {low: 0.1, high: 0.9}\ndesign: lhs\nsamples: 20000\n"
            "replicates: 100000\n",
            "2,000,000,000 runs",
        ),
    ],
    ids=["grid_1e8", "sobol_11M", "lhs_1M", "runs_2e9"],
)
def test_oversized_designs_are_refused_quickly_with_bounded_memory(tmp_path, body, size):
    import signal
    import tracemalloc

    from sahel_sim.analysis.sweep.designs import MAX_POINTS

    path = write(tmp_path, body)
    assert len(path.read_bytes()) < 2_000  # a small file
    previous = signal.signal(signal.SIGALRM, lambda *a: pytest.fail("not refused within 60 s"))
    signal.setitimer(signal.ITIMER_REAL, 60)  # a generous guard against hanging, not a timing assertion
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError) as err:
            load_plan(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    message = str(err.value)
    assert size in message and (f"{MAX_POINTS:,}" in message or "1,000,000 are allowed" in message), message
    assert peak < 50 * 2**20, f"peak {peak / 2**20:.1f} MB"


def test_design_at_the_limit_is_accepted_by_the_size_check(tmp_path):
    from sahel_sim.analysis.sweep import designs
    from sahel_sim.analysis.sweep.spec import load_spec

    body = "vary:\n  mechanisms.insurgency.attack_rate: {low: 0.1, high: 0.9}\ndesign: lhs\n"
    body += f"samples: {designs.MAX_POINTS}\n"
    spec, _ = load_spec(write(tmp_path, body))
    assert designs.design_size(spec) == designs.MAX_POINTS
