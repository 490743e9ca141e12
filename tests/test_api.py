"""The notebook API: ``import sahel_sim as ss; ss.run(...)``, ``ss.sweep(...)``, ``ss.compare(...)``."""

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


def test_out_and_save_write_a_results_folder(tmp_path, fast_plots):  # plots themselves: test_plots.py
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
    for function in (ss.run, ss.sweep, ss.compare):
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


SHORT = """\
extends: {base}
spin_up_from: null
start: 2023-03-01
end: 2023-09-30
"""


def test_compare_pairs_seeds_and_keeps_no_folder(tmp_path, monkeypatch, baseline_path):
    # the baseline family cut to March-September 2023 (the mission's plans differ from late June 2023)
    family = tmp_path / "family"
    family.mkdir()
    for name in ("baseline", "baseline_no_withdrawal"):
        shipped = baseline_path.parent / f"{name}.yaml"
        (family / f"{name}.yaml").write_text(SHORT.format(base=shipped), encoding="utf-8")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    ref, alt = family / "baseline.yaml", family / "baseline_no_withdrawal.yaml"
    c = ss.compare(ref, alt, seeds=2, workers=1, end=dt.date(2023, 9, 1))
    assert c.folder is None and not any(scratch.iterdir())
    assert c.reference == "baseline" and c.alternatives == ["baseline_no_withdrawal"]
    assert dt.date(2023, 6, 1) < c.window[0] < c.window[1] == dt.date(2023, 9, 1)
    # the same seeds in both scenarios, one row per scenario, replicate and area
    assert len(c.per_seed) == 2 * 2 * 6
    seeds = c.per_seed.groupby("scenario")["seed"].apply(lambda s: sorted(set(s)))
    assert seeds["baseline"] == seeds["baseline_no_withdrawal"] and len(seeds["baseline"]) == 2
    # the effect is the mean paired difference of the per-seed values
    ml = c.per_seed[c.per_seed["area"] == "ML"].pivot(index="replicate", columns="scenario", values="fatalities_total")
    row = c.effect("fatalities_total", "ML").loc["baseline_no_withdrawal"]
    expected = (ml["baseline_no_withdrawal"] - ml["baseline"]).mean()
    assert row["n"] == 2 and row["difference"] == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert set(c.posts["scenario"]) == {"baseline", "baseline_no_withdrawal"}
    assert "baseline_no_withdrawal against baseline" in c.summary and "2 seeds" in c.summary
    # out= keeps the folder; resume reads it again without running anything
    kept = ss.compare(ref, [alt], seeds=2, start="2023-07-01", end="2023-09-01", areas=["ML"], out=tmp_path / "kept")
    assert kept.folder == tmp_path / "kept" and (kept.folder / "effects.csv").is_file()
    assert set(kept.effects["area"]) == {"ML"} and kept.window == (dt.date(2023, 7, 1), dt.date(2023, 9, 1))
    again = ss.compare(
        ref, [alt], seeds=2, start="2023-07-01", end="2023-09-01", areas=["ML"], out=kept.folder, resume=True
    )
    pd.testing.assert_frame_equal(again.per_seed, kept.per_seed)


def test_compare_bad_input_raises_before_running(tmp_path):
    with pytest.raises(ScenarioError, match="at least one alternative"):
        ss.compare("baseline", [])
    with pytest.raises(ScenarioError, match="at least 2"):
        ss.compare("baseline", "baseline_no_withdrawal", seeds=1)
    with pytest.raises(ScenarioError, match="unknown area"):
        ss.compare("baseline", "baseline_no_withdrawal", areas=["XX"], out=tmp_path / "never")
    with pytest.raises(ScenarioError, match="did you mean"):
        ss.compare("baseline", "baseline_no_withdrawl")
    assert not (tmp_path / "never").exists()
