"""The notebook API: ``import sahel_sim as ss; ss.run(...)``, ``ss.sweep(...)``."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import os
import subprocess
import sys
import tempfile

import pandas as pd
import pytest

import sahel_sim as ss
from conftest import SRC
from sahel_sim.scenario.errors import ScenarioError

SWEEP = """\
base: {base}
set:
  end: 2022-01-22
vary:
  peacekeepers.strength.0.personnel: [6000, 12000]
replicates: 2
seed: 1
"""


@pytest.fixture
def empty_cwd(tmp_path, monkeypatch):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_import_is_light():
    code = (
        "import sys, sahel_sim; print(sorted(m for m in ('mesa', 'pandas', 'numpy', 'matplotlib') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip() == "[]"


def test_run_returns_tables_and_writes_nothing(empty_cwd):
    r = ss.run("baseline", seed=3, weeks=4)
    assert isinstance(r.timeseries, pd.DataFrame) and isinstance(r.events, pd.DataFrame)
    assert r.timeseries["date"].nunique() == 4 and set(r.timeseries["area"]) >= {"ALL", "ML"}
    assert r.seed == 3 and r.scenario.end == r.scenario.start + dt.timedelta(weeks=4)
    assert isinstance(r.summary, pd.DataFrame) and "ML" in r.summary.index
    assert r.summary.loc["ML", "fatalities_total"] == int(r.area("ML")["fatalities_total"].sum())
    assert r.folder is None and not any(empty_cwd.iterdir())


def test_same_seed_same_tables_other_seed_other_tables():
    a, b, c = (ss.run("baseline", seed=s, weeks=6) for s in (5, 5, 6))
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    assert not a.timeseries.equals(c.timeseries)


def test_until_overrides_and_a_path_are_accepted(baseline_path):
    r = ss.run(baseline_path, until="2022-02-01", overrides={"peacekeepers.withdrawal": None, "seed": 4})
    assert r.scenario.end == dt.date(2022, 2, 1) and r.scenario.peacekeepers.withdrawal is None
    assert r.seed == 4 and r.overrides == ["peacekeepers.withdrawal=null", "seed=4"]


def test_out_and_save_write_a_results_folder(tmp_path):
    r = ss.run("baseline", weeks=2, out=tmp_path / "a", overrides={"peacekeepers.withdrawal": None})
    assert r.folder.parent == tmp_path / "a" and (r.folder / "timeseries.parquet").is_file()
    manifest = json.loads((r.folder / "manifest.json").read_text())
    assert manifest["overrides"] == ["peacekeepers.withdrawal=null"]
    pd.testing.assert_frame_equal(pd.read_parquet(r.folder / "timeseries.parquet"), r.timeseries, check_dtype=False)
    again = r.save(tmp_path / "b")
    assert again.parent == tmp_path / "b" and (again / "plots" / "dashboard.png").is_file()


def test_bad_input_raises_the_command_lines_error():
    with pytest.raises(ScenarioError, match="did you mean 'historical'"):
        ss.run("histrical")
    with pytest.raises(ScenarioError, match="factions.JNIM.recruit"):
        ss.run("baseline", weeks=1, overrides={"factions.JNIM.recruit": 2})
    with pytest.raises(ScenarioError, match="not both"):
        ss.run("baseline", weeks=1, until="2022-02-01")


def test_help_explains_every_argument():
    for function in (ss.run, ss.sweep):
        doc = inspect.getdoc(function)
        for name in inspect.signature(function).parameters:
            assert f"    {name}:" in doc, f"{function.__name__}: {name} not explained"
    run_doc = inspect.getdoc(ss.run)
    for unit in ("YYYY-MM-DD", "weeks", "integer"):
        assert unit in run_doc


def test_sweep_returns_its_tables_and_keeps_no_folder(tmp_path, monkeypatch, baseline_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(SWEEP.format(base=baseline_path), encoding="utf-8")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    s = ss.sweep(spec, workers=1, timeseries=True)
    assert s.folder is None and not any(scratch.iterdir())
    assert len(s.runs) == 4 and (s.runs["status"] == "ok").all()
    assert set(s.final["area"]) >= {"ALL", "ML"} and s.varied == ["peacekeepers.strength.0.personnel"]
    table = s.by_point("ML", ["total_fatalities_total"])
    assert list(table["n"]) == [2, 2]
    assert s.timeseries["run_id"].nunique() == 4
    kept = ss.sweep(spec, workers=1, out=tmp_path / "kept")
    assert kept.folder == tmp_path / "kept" and (kept.folder / "spec.json").is_file()
    with pytest.raises(ValueError, match="timeseries=True"):
        _ = kept.timeseries
    again = ss.load_sweep(tmp_path / "kept")
    pd.testing.assert_frame_equal(again.final, kept.final)
    with pytest.raises(ScenarioError, match="not a sweep folder"):
        ss.load_sweep(tmp_path)
