"""Scenario discovery with PRIM over a sweep's inputs; bad conditions get one line and status 2."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

from sahel_sim.analysis.discover import parse_where
from sahel_sim.analysis.sweep.engine import run_sweep
from sahel_sim.scenario.loading import ScenarioError

# find_spec, not importorskip: importing ema_workbench here would cost every collecting worker its import
if importlib.util.find_spec("ema_workbench") is None:
    pytest.skip("the discovery extra (ema-workbench) is not installed", allow_module_level=True)

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "cold_start_2022.yaml"  # no spin-up: sweep mechanics
SPEC = f"""\
base: {BASE}
set:
  end: 2022-03-19
vary:
  mechanisms.insurgency.attack_rate: [0.05, 0.2, 0.4, 0.6, 0.8]
  states.0.legitimacy: [0.3, 0.7]
replicates: 2
seed: 3
"""


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("disc")
    spec = folder / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    run_sweep(spec, folder / "sweep", serial=True)
    return folder / "sweep"


def test_parse_where():
    c = parse_where("ML.fatalities_total[2024-01-01:2025-12-31] < 4000")
    assert (c.area, c.metric, str(c.start), str(c.end), c.op, c.value) == (
        "ML", "fatalities_total", "2024-01-01", "2025-12-31", "<", 4000.0,
    )  # fmt: skip
    c = parse_where("ALL.stability_index >= 55.5")
    assert c.start is None and c.end is None and c.op == ">="
    assert parse_where("ML.fatalities_total[:2022-03-01] < 1").end is not None


def test_prim_finds_the_inputs_behind_a_low_death_toll(cli, sweep_dir, tmp_path):
    final = pd.read_parquet(sweep_dir / "timeseries")
    ml = final[final["area"] == "ALL"].groupby("run_id")["fatalities_total"].sum()
    threshold = float(ml.median())
    out = tmp_path / "disc"
    result = cli("discover", sweep_dir, "--where", f"ALL.fatalities_total < {threshold}", "--out", out)
    assert result.status == 0, result.err
    trajectory = pd.read_csv(out / "peeling_trajectory.csv")
    assert {"coverage", "density", "mass", "res_dim"} <= set(trajectory.columns)
    assert trajectory["coverage"].iloc[0] == pytest.approx(1.0)
    assert trajectory["density"].iloc[-1] >= trajectory["density"].iloc[0]
    limits = pd.read_csv(out / "box_limits.csv")
    assert set(limits["parameter"]) == {"mechanisms.insurgency.attack_rate", "states.0.legitimacy"}
    info = json.loads((out / "discover.json").read_text())
    assert info["runs"] == 20 and 0 < info["runs_meeting"] < 20
    assert info["density"] > info["runs_meeting"] / info["runs"]  # the box is denser than the whole sweep
    assert (out / "peeling_trajectory.png").stat().st_size > 0


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("XX.fatalities_total < 5", "unknown area"),
        ("ML.no_such_metric < 5", "unknown metric"),
        ("ML.fatalities_total is small", "expected AREA.METRIC"),
        ("ML.fatalities_total[2030-01-01:2031-01-01] < 5", "no simulated week"),
        ("ML.fatalities_total < -1", "no run meets"),
    ],
)
def test_bad_conditions_are_one_line_and_status_2(cli, sweep_dir, tmp_path, where, says):
    out = tmp_path / "disc"
    result = cli("discover", sweep_dir, "--where", where, "--out", out)
    assert result.status == 2
    assert len(result.err.strip().splitlines()) == 1 and says in result.err
    assert not out.exists()


def test_a_folder_that_is_not_a_sweep_is_refused(cli, tmp_path):
    result = cli("discover", tmp_path, "--where", "ML.fatalities_total < 5")
    assert result.status == 2 and "not a sweep folder" in result.err


def test_parse_where_rejects_a_reversed_window():
    with pytest.raises(ScenarioError, match="before it starts"):
        parse_where("ML.fatalities_total[2025-01-01:2024-01-01] < 5")
