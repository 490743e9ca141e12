"""The results folder of one run: contents, provenance, reproducibility, never overwriting, atomicity."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import platform
import re
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pytest

import sahel_sim.runs.plots as plots
from sahel_sim.cli import main as cli_module
from sahel_sim.scenario.loading import load_scenario, scenario_hash
from sahel_sim.scenario.schema import LAT_RANGE, LON_RANGE

WEEKS = 6
START = dt.date(2022, 1, 1)
AREAS = {"ALL", "ML", "BF", "NE", "MR", "TD"}
TIMESERIES_COLUMNS = [
    "date",
    "area",
    "events_total",
    "fatalities_total",
    "fatalities_civilian",
    "fatalities_army",
    "fatalities_insurgent",
    "fatalities_peacekeeper",
    "displaced",
    "state_control_share",
    "posts_open",
    "stability_index",
]
EVENT_COLUMNS = ["date", "lat", "lon", "area", "kind", "actor", "target", "fatalities"]
SAME_BYTES = ("timeseries.csv", "timeseries.parquet", "events.parquet", "summary.json")
PNG = b"\x89PNG\r\n\x1a\n"


def _stub_plot(*args, **kwargs):
    path = next(a for a in args if isinstance(a, Path))
    path.write_bytes(PNG + b"stub")


def _run(*args, stub_plots: bool = True) -> Path:
    """Run the CLI in-process with --quiet; return the folder it printed."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        if stub_plots:
            mp.setattr(plots, "dashboard", _stub_plot)
            mp.setattr(plots, "events_map", _stub_plot)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = cli_module.main(["run", *map(str, args), "--quiet"])
    assert status == 0, stderr.getvalue()
    return Path(stdout.getvalue().strip())


@pytest.fixture(scope="module")
def runs(tmp_path_factory, baseline_path):
    """A: baseline for WEEKS weeks (real plots); B: the same again into the same parent;
    C: another seed; D: A's resolved scenario rerun; E: C's resolved scenario rerun with C's seed."""
    root = tmp_path_factory.mktemp("results")
    out, rerun = root / "out", root / "rerun"
    a = _run(baseline_path, "--weeks", WEEKS, "--out", out, stub_plots=False)
    snapshot = {p.relative_to(a): p.read_bytes() for p in a.rglob("*") if p.is_file()}
    b = _run(baseline_path, "--weeks", WEEKS, "--out", out)
    c = _run(baseline_path, "--weeks", WEEKS, "--out", out, "--seed", 7)
    d = _run(a / "scenario.resolved.yaml", "--out", rerun)
    e = _run(c / "scenario.resolved.yaml", "--out", rerun, "--seed", 7)
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "out": out, "snapshot": snapshot}


@pytest.fixture(scope="module")
def manifest(runs) -> dict:
    return json.loads((runs["A"] / "manifest.json").read_text())


@pytest.fixture(scope="module")
def timeseries(runs) -> pd.DataFrame:
    return pd.read_parquet(runs["A"] / "timeseries.parquet")


def test_folder_holds_every_file(runs):
    folder = runs["A"]
    assert folder.parent == runs["out"]
    names = {p.name for p in folder.iterdir()}
    assert {
        "manifest.json",
        "scenario.resolved.yaml",
        "timeseries.parquet",
        "timeseries.csv",
        "events.parquet",
        "summary.json",
        "plots",
    } <= names
    for name in names - {"plots"}:
        assert (folder / name).stat().st_size > 0, name


def test_manifest_provenance(manifest, runs):
    versions = manifest["versions"]
    assert versions["mesa"] == version("mesa") == "3.5.1"
    assert "sahel_sim" in versions
    assert manifest["python"] == platform.python_version()
    assert isinstance(manifest["platform"], str) and manifest["platform"]
    assert "git_commit" in manifest
    assert manifest["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}(-dirty)?", manifest["git_commit"])
    assert manifest["seed"] == 20230630
    assert isinstance(manifest["wall_seconds"], int | float) and manifest["wall_seconds"] >= 0
    assert manifest["start"] == START.isoformat()
    assert manifest["end"] == (START + dt.timedelta(weeks=WEEKS)).isoformat()
    resolved = load_scenario(runs["A"] / "scenario.resolved.yaml")
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["scenario_sha256"])
    assert manifest["scenario_sha256"] == scenario_hash(resolved)


def test_manifest_seed_follows_seed_option(runs):
    assert json.loads((runs["C"] / "manifest.json").read_text())["seed"] == 7


def test_resolved_scenario_is_what_ran(runs, baseline_path):
    resolved = load_scenario(runs["A"] / "scenario.resolved.yaml")
    end = (START + dt.timedelta(weeks=WEEKS)).isoformat()
    assert resolved == load_scenario(baseline_path, [f"end={end}"])


def test_timeseries_shape(timeseries):
    assert set(TIMESERIES_COLUMNS) <= set(timeseries.columns)
    assert list(timeseries.columns[:2]) == ["date", "area"]
    assert AREAS <= set(timeseries["area"])
    assert not timeseries.duplicated(["date", "area"]).any()
    dates = sorted(pd.to_datetime(timeseries["date"]).dt.date.unique())
    assert dates == [START + dt.timedelta(weeks=i) for i in range(WEEKS)]
    counts = timeseries.groupby("area")["date"].nunique()
    assert (counts == WEEKS).all()
    assert len(timeseries) == WEEKS * timeseries["area"].nunique()


def test_timeseries_values_are_plausible(timeseries):
    assert timeseries[TIMESERIES_COLUMNS[2:]].notna().all().all()
    assert (timeseries["fatalities_total"] >= 0).all()
    parts = timeseries[
        ["fatalities_civilian", "fatalities_army", "fatalities_insurgent", "fatalities_peacekeeper"]
    ].sum(axis=1)
    assert (parts <= timeseries["fatalities_total"]).all()
    assert timeseries["state_control_share"].between(0, 1).all()
    assert timeseries["stability_index"].between(0, 100).all()


def test_csv_matches_parquet(runs, timeseries):
    csv = pd.read_csv(runs["A"] / "timeseries.csv")
    assert list(csv.columns) == list(timeseries.columns)
    assert len(csv) == len(timeseries)
    assert csv["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert list(csv["area"]) == list(timeseries["area"])
    for column in TIMESERIES_COLUMNS[2:]:
        assert csv[column].to_numpy() == pytest.approx(timeseries[column].to_numpy(), rel=1e-5), column


def test_events_table(runs):
    events = pd.read_parquet(runs["A"] / "events.parquet")
    assert set(EVENT_COLUMNS) <= set(events.columns)
    assert len(events) > 0
    dates = pd.to_datetime(events["date"]).dt.date
    assert dates.min() >= START and dates.max() < START + dt.timedelta(weeks=WEEKS)
    assert events["lat"].between(*LAT_RANGE).all() and events["lon"].between(*LON_RANGE).all()
    assert (events["fatalities"] >= 0).all()


def test_summary_agrees_with_tables(runs, timeseries):
    summary = json.loads((runs["A"] / "summary.json").read_text())
    assert summary["weeks"] == WEEKS
    assert summary["seed"] == 20230630
    all_rows = timeseries[timeseries["area"] == "ALL"]
    assert summary["areas"]["ALL"]["fatalities_total"] == int(all_rows["fatalities_total"].sum())


def test_plots_are_real_pngs(runs):
    pngs = sorted((runs["A"] / "plots").glob("*.png"))
    assert pngs
    for png in pngs:
        data = png.read_bytes()
        assert data.startswith(PNG) and len(data) > 1000, png.name


def test_second_run_gets_a_new_folder(runs):
    a, b = runs["A"], runs["B"]
    assert a != b and b.parent == a.parent
    assert b.name.startswith(a.name)
    assert {p.relative_to(a): p.read_bytes() for p in a.rglob("*") if p.is_file()} == runs["snapshot"]


def test_no_leftovers_in_parent(runs):
    names = sorted(p.name for p in runs["out"].iterdir())
    assert names == sorted([runs["A"].name, runs["B"].name, runs["C"].name])


@pytest.mark.parametrize("name", SAME_BYTES)
def test_same_seed_same_bytes(runs, name):
    assert (runs["A"] / name).read_bytes() == (runs["B"] / name).read_bytes()


def test_other_seed_other_results(runs):
    a, c = runs["A"], runs["C"]
    assert (a / "timeseries.csv").read_bytes() != (c / "timeseries.csv").read_bytes()
    assert not pd.read_parquet(a / "events.parquet").equals(pd.read_parquet(c / "events.parquet"))
    assert a.name != c.name


@pytest.mark.parametrize(("original", "rerun"), [("A", "D"), ("C", "E")])
def test_resolved_scenario_reproduces_run(runs, original, rerun):
    first, again = runs[original], runs[rerun]
    assert (first / "timeseries.csv").read_bytes() == (again / "timeseries.csv").read_bytes()
    for table in ("timeseries.parquet", "events.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(first / table), pd.read_parquet(again / table))
    assert (first / "summary.json").read_bytes() == (again / "summary.json").read_bytes()


# --- atomicity and unwritable output ------------------------------------------------------------


def _fail_with(exc):
    def fail(*args, **kwargs):
        raise exc

    return fail


def test_failure_while_writing_leaves_nothing(cli, baseline_path, tmp_path, monkeypatch, fast_plots):
    monkeypatch.setattr(plots, "events_map", _fail_with(RuntimeError("disk on fire")))
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="disk on fire"):
        cli("run", baseline_path, "--weeks", 2, "--out", out, "--quiet")
    assert list(out.iterdir()) == []


def test_os_error_while_writing_is_exit_1(cli, baseline_path, tmp_path, monkeypatch, fast_plots):
    monkeypatch.setattr(plots, "events_map", _fail_with(OSError(28, "No space left on device")))
    out = tmp_path / "out"
    result = cli("run", baseline_path, "--weeks", 2, "--out", out, "--quiet")
    assert result.status == 1
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1 and str(out) in result.err
    assert result.out == ""
    assert list(out.iterdir()) == []


def test_interrupt_while_writing_leaves_nothing(cli, baseline_path, tmp_path, monkeypatch, fast_plots):
    monkeypatch.setattr(plots, "events_map", _fail_with(KeyboardInterrupt()))
    out = tmp_path / "out"
    result = cli("run", baseline_path, "--weeks", 2, "--out", out, "--quiet")
    assert result.status != 0
    assert list(out.iterdir()) == []


def test_failure_at_the_final_rename_leaves_nothing(cli, baseline_path, tmp_path, monkeypatch, fast_plots):
    import sahel_sim.runs.atomic as atomic

    monkeypatch.setattr(atomic.os, "rename", _fail_with(OSError(18, "Invalid cross-device link")))
    out = tmp_path / "out"
    result = cli("run", baseline_path, "--weeks", 2, "--out", out, "--quiet")
    assert result.status == 1 and "Traceback" not in result.err
    assert list(out.iterdir()) == []


def test_existing_contents_of_out_are_left_alone(cli, baseline_path, tmp_path, fast_plots):
    out = tmp_path / "out"
    (out / "mine").mkdir(parents=True)
    (out / "mine" / "notes.txt").write_text("keep")
    (out / "report.txt").write_text("keep too")
    result = cli("run", baseline_path, "--weeks", 2, "--out", out, "--quiet")
    assert result.status == 0
    folder = Path(result.out.strip())
    assert sorted(p.name for p in out.iterdir()) == sorted(["mine", "report.txt", folder.name])
    assert (out / "mine" / "notes.txt").read_text() == "keep"
    assert (out / "report.txt").read_text() == "keep too"


def test_out_under_a_regular_file_is_exit_1(cli_process, baseline_path, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    result = cli_process("run", baseline_path, "--weeks", 2, "--out", blocker / "sub")
    assert result.status == 1
    assert "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "blocker" in errors[0]
    assert result.out == ""
    assert blocker.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def test_out_is_a_regular_file_is_exit_1(cli, baseline_path, tmp_path, fast_plots):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    result = cli("run", baseline_path, "--weeks", 2, "--out", blocker, "--quiet")
    assert result.status == 1 and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert blocker.read_text() == "not a folder"


@pytest.mark.parametrize("name", ["north/south", ".."])
def test_scenario_name_cannot_break_the_folder(cli, baseline_path, tmp_path, fast_plots, name):
    out = tmp_path / "out"
    result = cli("run", baseline_path, "--weeks", 2, "--out", out, "--quiet", "--set", f"name={name}")
    assert "Traceback" not in result.err
    if result.status == 2:  # rejected as a bad scenario name: nothing written
        assert not out.exists() or not any(out.iterdir())
    else:
        assert result.status == 0, result.err
        folder = Path(result.out.strip())
        assert folder.parent == out and folder.is_dir()
        assert not folder.name.startswith(".")
