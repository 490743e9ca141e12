"""Names that tell: results folders carry the varied values, manifests record overrides and design point."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from sahel_sim.analysis.sweep.engine import run_sweep
from sahel_sim.analysis.sweep.replay import export_run
from sahel_sim.runs.results import MAX_LABEL, overrides_label, safe_label, short_path, values_label

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "cold_start_2022.yaml"  # no spin-up: sweep mechanics
SWEEP = f"""\
name: names
base: {BASE}
set:
  end: 2022-01-22
  peacekeepers.withdrawal.dates: null
  peacekeepers.withdrawal.duration_weeks: 26
vary:
  peacekeepers.withdrawal.start: [2022-01-08, 2022-01-15]
  peacekeepers.strength.0.personnel: [1000, 2000]
replicates: 2
seed: 3
"""


def test_labels_are_safe_and_bounded():
    assert safe_label("withdrawal.start=2024-01-01") == "withdrawal.start=2024-01-01"
    assert safe_label("a/b c:*?\\x") == "a-b-c-x"
    assert safe_label("../../etc") == "etc"  # no hidden or upward names
    long_a, long_b = "x=" + "a" * 300, "x=" + "a" * 299 + "b"
    assert len(safe_label(long_a)) <= MAX_LABEL and safe_label(long_a) != safe_label(long_b)
    assert short_path("peacekeepers.strength.0.personnel") == "strength.0.personnel"
    assert short_path("peacekeepers.withdrawal.start") == "withdrawal.start"
    assert values_label({"peacekeepers.withdrawal.start": dt.date(2024, 1, 1), "x.y.z": None}) == (
        "withdrawal.start=2024-01-01,y.z=null"
    )
    mapping = '{"duration_weeks":52,"order":["Gao"],"start":"2023-08-01"}'
    assert values_label({"peacekeepers.withdrawal": mapping}) == (
        "withdrawal.duration_weeks=52,withdrawal.start=2023-08-01"
    )
    assert values_label({"peacekeepers.withdrawal": None}) == "peacekeepers.withdrawal=null"
    assert overrides_label(["peacekeepers.withdrawal=null", " factions.JNIM.recruitment = 2"]) == (
        "peacekeepers.withdrawal=null,JNIM.recruitment=2"
    )


def test_run_with_overrides_names_them_and_records_them(cli, baseline_path, tmp_path, fast_plots):
    out = tmp_path / "out"
    result = cli("run", baseline_path, "--weeks", "2", "--out", out, "--quiet", "--set", "peacekeepers.withdrawal=null")
    assert result.status == 0, result.err
    folder = Path(result.out.strip())
    assert folder.name.startswith("cold_start_2022__peacekeepers.withdrawal=null_seed20230630_")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["overrides"] == ["peacekeepers.withdrawal=null"] and "design_point" not in manifest
    plain = Path(cli("run", baseline_path, "--weeks", "2", "--out", out, "--quiet").out.strip())
    assert plain.name.startswith("cold_start_2022_seed20230630_")
    assert json.loads((plain / "manifest.json").read_text())["overrides"] == []


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("names")
    spec = folder / "names.yaml"
    spec.write_text(SWEEP, encoding="utf-8")
    run_sweep(spec, folder / "sweep", serial=True)
    return folder / "sweep"


def test_exported_run_is_named_by_its_design_point_and_replicate(sweep, tmp_path, fast_plots):
    runs = pd.read_parquet(sweep / "runs")
    row = runs[(runs["point_index"] == 3) & (runs["replicate"] == 1)].iloc[0]
    folder = export_run(sweep, row["run_id"], tmp_path)
    start = row["peacekeepers.withdrawal.start"].isoformat()
    personnel = int(row["peacekeepers.strength.0.personnel"])
    assert folder.name.startswith(f"cold_start_2022__withdrawal.start={start},strength.0.personnel={personnel}_r1_")
    manifest = json.loads((folder / "manifest.json").read_text())
    point = manifest["design_point"]
    assert point["sweep"] == "names" and point["run_id"] == row["run_id"]
    assert (point["point_index"], point["replicate"], point["seed"]) == (3, 1, int(row["seed"]))
    assert manifest["seed"] == int(row["seed"])
    assert point["values"] == {"peacekeepers.withdrawal.start": start, "peacekeepers.strength.0.personnel": personnel}
    assert manifest["overrides"] == [
        "end=2022-01-22",
        "peacekeepers.withdrawal.dates=null",
        "peacekeepers.withdrawal.duration_weeks=26",
        f"peacekeepers.withdrawal.start={start}",
        f"peacekeepers.strength.0.personnel={personnel}",
    ]
    other = runs[(runs["point_index"] == 3) & (runs["replicate"] == 0)].iloc[0]
    assert export_run(sweep, other["run_id"], tmp_path).name != folder.name  # replicates differ by name
