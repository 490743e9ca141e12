"""Sweep reports: statistics per design point, figures, and SALib indices in design order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sahel_sim.analysis.sweep.engine import run_sweep
from sahel_sim.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "cold_start_2022.yaml"  # sweep mechanics: no spin-up
GRID = f"""\
base: {BASE}
set:
  end: 2022-01-29
vary:
  peacekeepers.strength.0.personnel: [6000, 12789]
  states.0.legitimacy: [0.3, 0.6]
replicates: 3
seed: 2
"""
SAMPLED = f"""\
base: {BASE}
set:
  end: 2022-01-29
vary:
  mechanisms.insurgency.attack_rate: {{low: 0.1, high: 0.9}}
  states.0.legitimacy: {{low: 0.2, high: 0.8}}
design: DESIGN
samples: 4
seed: 4
"""


def sweep(tmp_path: Path, text: str) -> Path:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    run_sweep(spec, tmp_path / "sweep", serial=True)
    return tmp_path / "sweep"


def test_grid_report(tmp_path, capsys):
    folder = sweep(tmp_path, GRID)
    assert (
        main(["report", str(folder), "--metric", "final_stability_index", "--metric", "total_fatalities_civilian"]) == 0
    )
    report = folder / "report"
    table = pd.read_csv(report / "by_point_ML.csv")
    assert len(table) == 2 * 4 and (table["n"] == 3).all()
    assert {"mean", "median", "p05", "p95", "ci95_low", "ci95_high"} <= set(table.columns)
    assert table["p05"].isna().all() and table["p95"].isna().all()  # 3 replicates: no 5-95 % band
    assert (table["ci95_low"] >= 0).all()  # no metric can be negative
    assert (table["ci95_low"] <= table["mean"]).all() and (table["mean"] <= table["ci95_high"]).all()
    # the mean of one point equals the mean over its replicates in the final table
    final = pd.read_parquet(folder / "final")
    one = final[(final["point_index"] == 2) & (final["area"] == "ML")]["final_stability_index"].mean()
    row = table[(table["point_index"] == 2) & (table["metric"] == "final_stability_index")]
    assert row["mean"].iloc[0] == pytest.approx(one)
    for name in ("final_stability_index_ML.png", "heatmap_final_stability_index_ML.png"):
        assert (report / name).stat().st_size > 1000
    assert main(["report", str(folder), "--metric", "nonsense"]) == 2
    assert "unknown metric" in capsys.readouterr().err
    assert main(["report", str(tmp_path)]) == 2


# Morris in the fast loop; Sobol (the same ordering code through another design) in the full suite.
@pytest.mark.parametrize("design", [pytest.param("sobol", marks=pytest.mark.slow), "morris"])
def test_sensitivity_uses_design_order(tmp_path, design):
    folder = sweep(tmp_path, SAMPLED.replace("DESIGN", design))
    assert main(["report", str(folder), "--area", "ALL", "--metric", "mean_stability_index"]) == 0
    got = pd.read_csv(folder / "report" / "sensitivity_ALL.csv")
    assert list(got["parameter"]) == ["mechanisms.insurgency.attack_rate", "states.0.legitimacy"]
    assert (folder / "report" / "sensitivity_mean_stability_index_ALL.png").stat().st_size > 1000

    # SALib by hand, with outputs explicitly in design order (the stored tables are not)
    final = pd.read_parquet(folder / "final")
    final = final[final["area"] == "ALL"].sort_values("point_index")
    y = final["mean_stability_index"].to_numpy()
    points = pd.read_parquet(folder / "points.parquet").sort_values("point_index")
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.1, 0.9], [0.2, 0.8]]}
    if design == "sobol":
        from SALib.analyze import sobol

        expected = sobol.analyze(problem, y, calc_second_order=False, seed=4)["ST"]
        column = "ST"
    else:
        from SALib.analyze import morris

        x = points[["raw.mechanisms.insurgency.attack_rate", "raw.states.0.legitimacy"]].to_numpy()
        expected = morris.analyze(problem, x, y, num_levels=4, seed=4)["mu_star"]
        column = "mu_star"
    np.testing.assert_allclose(got[column].to_numpy(), np.asarray(expected, dtype=float), rtol=1e-5)
    stored_order = pd.read_parquet(folder / "runs")["point_index"].to_numpy()
    assert (np.diff(stored_order) < 0).any()  # the stored order differs from the design order
