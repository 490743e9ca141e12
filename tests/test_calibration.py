"""Calibration (issue 4): the loss on hand-made series, the choice of the best point, and a tiny run."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sahel_sim.analysis.calibration import (
    CalibrationResult,
    best_index,
    calibrate,
    load_calibration,
    loss_value,
    overlay,
    score_series,
)
from sahel_sim.cli.calibrate import register
from sahel_sim.scenario.loading import ScenarioError, load_scenario, with_overrides

ROOT = Path(__file__).resolve().parents[1]
HISTORICAL = ROOT / "scenarios" / "historical.yaml"
OBSERVED = np.array([328.0, 830.0, 280.0, 214.0, 156.0, 517.0, 1267.0, 1157.0, 1477.0, 1266.0, 3612.0])
RANGES = {"mechanisms.insurgency.lethality": (0.1, 0.5), "mechanisms.combat.insurgent_loss": (0.02, 0.1)}
# 3 LHS points x 1 replicate over 2012-2014 (three years, so Spearman is defined): a few seconds.
TINY = f"""\
name: tiny_calibration
base: {HISTORICAL}
set:
  end: 2014-12-31
vary:
  mechanisms.insurgency.lethality: {{low: 0.1, high: 0.5}}
  mechanisms.combat.insurgent_loss: {{low: 0.02, high: 0.1}}
design: lhs
samples: 3
replicates: 1
seed: 3
target:
  measure: ucdp_all_organised_violence_deaths
  area: ML
  years: [2012, 2014]
  spearman_weight: 0.5
"""


# --- the loss on hand-made series ---------------------------------------------------------------


def test_perfect_match_has_zero_loss():
    s = score_series(OBSERVED, OBSERVED, spearman_weight=0.5)
    assert s["mean_abs_log10_error"] == 0.0
    assert s["spearman_rho"] == pytest.approx(1.0)
    assert s["loss"] == pytest.approx(0.0, abs=1e-12)


def test_series_ten_times_too_high_has_log_error_one():
    exact = 10.0 * (OBSERVED + 1.0) - 1.0  # the +1 in the error cancels exactly
    s = score_series(exact, OBSERVED, spearman_weight=0.5)
    assert s["mean_abs_log10_error"] == pytest.approx(1.0, abs=1e-12)
    assert s["mean_log10_bias"] == pytest.approx(1.0, abs=1e-12)
    assert s["loss"] == pytest.approx(1.0, abs=1e-12)  # right ranking: no Spearman penalty
    plain = score_series(10.0 * OBSERVED, OBSERVED)  # hundreds of deaths: the +1 hardly matters
    assert plain["mean_abs_log10_error"] == pytest.approx(1.0, abs=2e-3)
    low = score_series((OBSERVED + 1.0) / 10.0 - 1.0, OBSERVED)
    assert low["mean_abs_log10_error"] == pytest.approx(1.0, abs=1e-12)
    assert low["mean_log10_bias"] == pytest.approx(-1.0, abs=1e-12)


def test_reversed_ranking_costs_twice_the_spearman_weight():
    reversed_order = np.sort(OBSERVED)[::-1]
    s = score_series(reversed_order, np.sort(OBSERVED), spearman_weight=0.25)
    assert s["spearman_rho"] == pytest.approx(-1.0)
    assert s["loss"] == pytest.approx(s["mean_abs_log10_error"] + 0.5)


def test_constant_series_counts_as_no_correlation():
    s = score_series(np.full(len(OBSERVED), 500.0), OBSERVED, spearman_weight=0.5)
    assert math.isnan(s["spearman_rho"])
    assert s["loss"] == pytest.approx(s["mean_abs_log10_error"] + 0.5)
    assert loss_value(0.3, math.nan, 0.5) == pytest.approx(0.8)


def test_series_of_different_length_are_refused():
    with pytest.raises(ValueError):
        score_series([1.0, 2.0], [1.0, 2.0, 3.0])


def test_best_point_is_the_argmin_among_complete_points():
    table = pd.DataFrame(
        {
            "point_index": [0, 1, 2, 3, 4],
            "loss": [0.9, 0.4, math.nan, 0.2, 0.4],
            "replicates_ok": [3, 3, 0, 2, 3],
        }
    )
    assert best_index(table, replicates=3) == 1  # point 3 is lower but lost a replicate; tie 1/4 -> 1
    assert best_index(table, replicates=None) == 3
    assert best_index(table.iloc[[2, 3]], replicates=3) == 3  # no complete point: best of the rest
    with pytest.raises(ValueError):
        best_index(table.iloc[[2]], replicates=3)


def test_overlay_nests_dotted_paths():
    assert overlay({"mechanisms.insurgency.lethality": 0.2, "mechanisms.combat.force_loss": 0.003}) == {
        "mechanisms": {"insurgency": {"lethality": 0.2}, "combat": {"force_loss": 0.003}}
    }


# --- the file -----------------------------------------------------------------------------------


def test_shipped_calibration_file_is_valid():
    cal = load_calibration(ROOT / "scenarios" / "calibration" / "mali_2012_2022.yaml")
    assert cal.sweep.design == "lhs" and 4 <= len(cal.sweep.vary) <= 6
    assert cal.target.years == (2012, 2022)
    assert all(p.startswith("mechanisms.") for p in cal.sweep.vary)


def test_bad_target_names_the_line(tmp_path):
    path = tmp_path / "cal.yaml"
    path.write_text(TINY.replace("spearman_weight: 0.5", "spearman_weight: -1"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_calibration(path)
    assert info.value.line == TINY.splitlines().index("  spearman_weight: 0.5") + 1
    assert "spearman_weight" in str(info.value)
    path.write_text(TINY.split("target:")[0], encoding="utf-8")
    with pytest.raises(ScenarioError, match="target"):
        load_calibration(path)


# --- end to end on a tiny budget ----------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, Path, CalibrationResult]:
    folder = tmp_path_factory.mktemp("calibration")
    spec = folder / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")
    out = folder / "out"
    return spec, out, calibrate(spec, out, workers=1)


@pytest.mark.slow
def test_calibration_runs_end_to_end_and_writes_finite_numbers(tiny):
    _, out, result = tiny
    for name in ("calibration.csv", "best_years.csv", "best.yaml", "calibration.json", "calibration.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    table = pd.read_csv(out / "calibration.csv")
    assert len(table) == 3 and (table["replicates_ok"] == 1).all()
    for column in ("loss", "mean_abs_log10_error", "spearman_rho", "pearson_r", *RANGES):
        assert np.isfinite(table[column]).all(), column
    for path, (low, high) in RANGES.items():
        assert table[path].between(low, high).all()
    expected = table["mean_abs_log10_error"] + 0.5 * (1.0 - table["spearman_rho"])
    np.testing.assert_allclose(table["loss"], expected, rtol=1e-5)
    years = pd.read_csv(out / "best_years.csv")
    assert list(years["year"]) == [2012, 2013, 2014] == result.years
    assert np.isfinite(years[["observed", "sim_median", "sim_q05", "sim_q95"]].to_numpy()).all()


@pytest.mark.slow
def test_chosen_point_is_the_argmin_and_best_yaml_is_a_valid_overlay(tiny):
    _, out, result = tiny
    table = pd.read_csv(out / "calibration.csv")
    best = table.loc[table["loss"].idxmin()]
    assert int(result.best["point_index"]) == int(best["point_index"])
    assert int(best["rank"]) == 1
    text = (out / "best.yaml").read_text(encoding="utf-8")
    assert "sha256" in text and "loss" in text and "date:" in text
    data = yaml.safe_load(text)
    assert set(data) == {"mechanisms"}
    chosen = {
        "mechanisms.insurgency.lethality": data["mechanisms"]["insurgency"]["lethality"],
        "mechanisms.combat.insurgent_loss": data["mechanisms"]["combat"]["insurgent_loss"],
    }
    for path, value in chosen.items():
        assert value == pytest.approx(best[path], rel=1e-3)
    scenario = with_overrides(load_scenario(HISTORICAL), list(chosen.items()), label="best.yaml")
    assert scenario.mechanisms.insurgency.lethality == chosen["mechanisms.insurgency.lethality"]


@pytest.mark.slow
def test_cli_refuses_a_used_folder_and_resumes_it(tiny, capsys):
    spec, out, result = tiny
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["calibrate", str(spec), "--out", str(out), "--workers", "1"])
    with pytest.raises(ScenarioError, match="--resume"):
        args.func(args)
    args = parser.parse_args(["calibrate", str(spec), "--out", str(out), "--workers", "1", "--resume"])
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert printed.strip().splitlines()[-1] == str(out)
    assert f"chosen point {int(result.best['point_index'])}" in printed
    again = pd.read_csv(out / "calibration.csv")
    assert len(again) == 3 and len(list((out / "sweep" / "runs").glob("*.parquet"))) == 3
