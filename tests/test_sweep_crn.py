"""Sweeps use common random numbers; a reference point gives paired differences in the report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sahel_sim.analysis.sweep.engine import run_sweep
from sahel_sim.analysis.sweep.plan import load_plan
from sahel_sim.analysis.sweep.report import write_report
from sahel_sim.scenario.loading import ScenarioError

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "cold_start_2022.yaml"  # sweep mechanics: no spin-up
GRID = f"""\
base: {BASE}
set:
  end: 2022-03-01
vary:
  mechanisms.insurgency.attack_rate: [0.3, 0.6]
  states.0.legitimacy: [0.4, 0.55]
replicates: 3
seed: 11
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_grid_replicates_share_one_seed_across_points(tmp_path):
    runs = list(load_plan(write(tmp_path, GRID)).runs())
    by_replicate = {}
    for run in runs:
        by_replicate.setdefault(run.replicate, set()).add(run.seed)
    assert all(len(seeds) == 1 for seeds in by_replicate.values())
    assert len({s for seeds in by_replicate.values() for s in seeds}) == 3
    assert len({r.run_id for r in runs}) == len(runs)


def test_sampled_designs_keep_one_seed_per_point(tmp_path):
    text = GRID.replace("[0.3, 0.6]", "{low: 0.3, high: 0.6}").replace("[0.4, 0.55]", "{low: 0.4, high: 0.55}")
    runs = list(load_plan(write(tmp_path, text + "design: lhs\nsamples: 4\n")).runs())
    first = [r.seed for r in runs if r.replicate == 0]
    assert len(set(first)) == 4


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ("reference: {mechanisms.insurgency.attack_rate: 0.45, states.0.legitimacy: 0.4}", "not a design point"),
        ("reference: {mechanisms.insurgency.attack_rate: 0.3}", "each varied path"),
    ],
)
def test_a_bad_reference_is_refused(tmp_path, extra, says):
    with pytest.raises(ScenarioError, match=says) as err:
        load_plan(write(tmp_path, GRID + extra + "\n"))
    assert err.value.field == "reference" and err.value.line is not None


def test_reference_is_refused_for_sampled_designs(tmp_path):
    text = GRID.replace("[0.3, 0.6]", "{low: 0.3, high: 0.6}").replace("[0.4, 0.55]", "{low: 0.4, high: 0.55}")
    text += "design: lhs\nsamples: 4\nreference: {mechanisms.insurgency.attack_rate: 0.3, states.0.legitimacy: 0.4}\n"
    with pytest.raises(ScenarioError, match="paired seeds"):
        load_plan(write(tmp_path, text))


def test_report_shows_paired_differences_and_no_band_from_few_replicates(tmp_path):
    spec = write(tmp_path, GRID + "reference: {mechanisms.insurgency.attack_rate: 0.3, states.0.legitimacy: 0.4}\n")
    out = tmp_path / "sweep"
    assert run_sweep(spec, out, serial=True).done == 12
    written = write_report(out, area="ML", metrics=["total_fatalities_total", "final_stability_index"])
    assert any(p.name.startswith("heatmap_paired_") for p in written)
    table = pd.read_csv(out / "report" / "by_point_ML.csv")
    assert table["p05"].isna().all() and table["p95"].isna().all()  # 3 replicates: no 5-95 % band
    assert (table["ci95_low"].dropna() >= 0).all()
    ref = table[table["point_index"] == 0]
    assert (ref["paired_difference"] == 0).all() and (ref["paired_n"] == 3).all()
    others = table[table["point_index"] != 0]
    assert (others["paired_ci_low"] <= others["paired_difference"]).all()
    assert (others["paired_difference"] <= others["paired_ci_high"]).all()
    # the paired difference is the mean over replicates of (point - reference), seed by seed
    final = pd.read_parquet(out / "final")
    ml = final[final["area"] == "ML"].pivot(index="replicate", columns="point_index", values="total_fatalities_total")
    row = others[(others["point_index"] == 3) & (others["metric"] == "total_fatalities_total")].iloc[0]
    assert row["paired_difference"] == pytest.approx((ml[3] - ml[0]).mean(), rel=1e-5)  # CSV keeps 6 digits


def test_the_band_is_given_from_20_replicates_on():
    from sahel_sim.analysis.sweep.report import summarise

    table = pd.DataFrame(
        {"point_index": [0] * 20 + [1] * 19, "x": [1] * 20 + [2] * 19, "deaths": list(range(20)) + list(range(19))}
    )
    out = summarise(table, ["x"], ["deaths"]).set_index("point_index")
    assert out.loc[0, "p05"] == pytest.approx(0.95) and out.loc[0, "p95"] == pytest.approx(18.05)
    assert pd.isna(out.loc[1, "p05"]) and pd.isna(out.loc[1, "p95"])
