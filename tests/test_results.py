"""The results folder: its files, reruns that reproduce bytes, no overwriting, atomic writing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sahel_sim import plots
from sahel_sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
MAIN_COLUMNS = ["events_total", "fatalities_total", "fatalities_civilian", "fatalities_army", "fatalities_insurgent",
                "fatalities_peacekeeper", "displaced", "state_control_share", "posts_open", "stability_index"]


def _run(out: Path, *extra: str) -> Path:
    assert main(["run", BASELINE, "--weeks", "6", "--out", str(out), "--quiet", *extra]) == 0
    folders = sorted(p for p in out.iterdir() if not p.name.startswith("."))
    return folders[-1]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return _run(tmp_path_factory.mktemp("res"))


def test_folder_has_every_file(folder):
    for name in ("manifest.json", "scenario.resolved.yaml", "timeseries.parquet", "timeseries.csv",
                 "events.parquet", "summary.json"):
        assert (folder / name).stat().st_size > 0, name
    pngs = list((folder / "plots").glob("*.png"))
    assert pngs and all(p.stat().st_size > 1000 for p in pngs)


def test_manifest_records_provenance(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["versions"]["mesa"].startswith("3.5")
    for key in ("git_commit", "python", "platform", "seed", "scenario_sha256", "wall_seconds", "start", "end"):
        assert key in manifest
    assert manifest["seed"] == 20230630


def test_timeseries_is_tidy_with_stable_columns(folder):
    ts = pd.read_parquet(folder / "timeseries.parquet")
    assert list(ts.columns[:2]) == ["date", "area"]
    assert set(MAIN_COLUMNS) <= set(ts.columns)
    assert set(ts["area"]) == {"ALL", "ML", "BF", "NE", "MR", "TD"}
    assert len(ts) == 6 * 6
    assert not ts.duplicated(["date", "area"]).any()
    csv = pd.read_csv(folder / "timeseries.csv")
    assert list(csv.columns) == list(ts.columns)
    events = pd.read_parquet(folder / "events.parquet")
    assert {"date", "lat", "lon", "area", "kind", "actor", "target", "fatalities"} <= set(events.columns)


def test_rerun_from_resolved_scenario_reproduces_bytes_and_never_overwrites(folder, tmp_path):
    again = tmp_path / "again"
    assert main(["run", str(folder / "scenario.resolved.yaml"), "--out", str(again), "--quiet"]) == 0
    second = next(again.iterdir())
    for name in ("timeseries.csv", "timeseries.parquet", "events.parquet", "summary.json"):
        assert (second / name).read_bytes() == (folder / name).read_bytes(), name
    third = _run(again)
    assert third != second and third.name.endswith("-2")
    assert (second / "timeseries.csv").exists()


def test_other_seed_gives_other_results(folder, tmp_path):
    other = _run(tmp_path, "--seed", "5")
    assert json.loads((other / "manifest.json").read_text())["seed"] == 5
    assert (other / "timeseries.csv").read_bytes() != (folder / "timeseries.csv").read_bytes()


def test_failure_while_writing_leaves_nothing(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(plots, "events_map", broken)
    with pytest.raises(RuntimeError):
        main(["run", BASELINE, "--weeks", "2", "--out", str(tmp_path), "--quiet"])
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["run", BASELINE, "--weeks", "2", "--out", str(blocker / "sub"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "cannot write results" in err and "Traceback" not in err


def test_until_and_weeks_set_the_length(tmp_path):
    folder = _run(tmp_path)
    assert pd.read_parquet(folder / "timeseries.parquet")["date"].nunique() == 6
    out = tmp_path / "until"
    assert main(["run", BASELINE, "--until", "2022-02-01", "--out", str(out), "--quiet"]) == 0
    ts = pd.read_parquet(next(out.iterdir()) / "timeseries.parquet")
    assert ts["date"].nunique() == 5


def test_help_version_validate_and_params(capsys):
    for argv in (["--help"], ["run", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0
        assert "example:" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--version"])
    assert "sahel_sim" in capsys.readouterr().out
    shipped = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    assert main(["validate", *shipped]) == 0
    assert main(["params"]) == 0
    assert "mechanisms.peacekeeping.protection_radius_km" in capsys.readouterr().out


def test_variants_differ_from_baseline_only_in_the_withdrawal():
    from sahel_sim.scenario_io import load_scenario, scenario_to_data

    base = scenario_to_data(load_scenario(BASELINE))
    for name in ("baseline_gradual_2y", "baseline_delayed_2025", "baseline_no_withdrawal"):
        variant = scenario_to_data(load_scenario(ROOT / "scenarios" / f"{name}.yaml"))
        assert variant["peacekeepers"]["withdrawal"] != base["peacekeepers"]["withdrawal"]
        strip = {k: v for k, v in variant.items() if k not in ("name", "description")}
        strip["peacekeepers"] = {k: v for k, v in variant["peacekeepers"].items() if k != "withdrawal"}
        ref = {k: v for k, v in base.items() if k not in ("name", "description")}
        ref["peacekeepers"] = {k: v for k, v in base["peacekeepers"].items() if k != "withdrawal"}
        assert strip == ref, name
