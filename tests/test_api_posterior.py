"""``posterior=`` in the notebook API: the same draws and runs as the command line's ``--posterior``."""

from __future__ import annotations

import datetime as dt
import json
from functools import reduce

import numpy as np
import pandas as pd
import pytest

import sahel_sim as ss
from conftest import ATTACK, LETHALITY, SCENARIO_DIR
from sahel_sim.scenario.errors import ScenarioError
from sahel_sim.scenario.posterior import load_posterior, shipped_posterior, write_posterior


def value_at(scenario, dotted: str) -> float:
    return reduce(getattr, dotted.split("."), scenario)


def test_run_with_the_calibrated_posterior_is_the_command_lines_run(cli, tmp_path, fast_plots):
    result = cli("run", "baseline", "--weeks", "3", "--seed", "3", "--posterior", "calibrated",
                 "--out", tmp_path / "cli", "--quiet")  # fmt: skip
    assert result.status == 0, result.err
    by_cli = next((tmp_path / "cli").iterdir())
    r = ss.run("baseline", seed=3, weeks=3, posterior="calibrated", out=tmp_path / "api")
    assert r.folder.name == by_cli.name  # named after the draw too
    for name in ("timeseries.csv", "timeseries.parquet", "events.parquet", "summary.json", "scenario.resolved.yaml"):
        assert (r.folder / name).read_bytes() == (by_cli / name).read_bytes(), name
    manifest = json.loads((by_cli / "manifest.json").read_text())
    assert json.loads((r.folder / "manifest.json").read_text())["posterior"] == manifest["posterior"] == r.posterior
    shipped = load_posterior(shipped_posterior())
    assert r.draw == manifest["posterior"]["draw"] == shipped.draw(3)
    assert r.posterior["sha256"] == shipped.sha256
    in_memory = pd.read_csv(by_cli / "timeseries.csv")
    assert (
        len(in_memory) == len(r.timeseries)
        and (in_memory["fatalities_total"] == r.timeseries["fatalities_total"]).all()
    )


def test_seeds_that_draw_different_sets_run_different_values(posterior_file):
    posterior = load_posterior(posterior_file)
    seed_of = {}
    for seed in range(100):
        seed_of.setdefault(posterior.draw(seed), seed)
    runs = [ss.run("baseline", seed=seed_of[i], weeks=1, posterior=source) for i, source in
            ((0, posterior_file), (1, str(posterior_file)), (0, posterior))]  # fmt: skip
    assert [r.draw for r in runs] == [0, 1, 0]
    assert [value_at(r.scenario, ATTACK) for r in runs] == [0.3, 0.9, 0.3]
    assert [value_at(r.scenario, LETHALITY) for r in runs] == [0.02, 0.2, 0.02]
    assert runs[1].posterior["values"] == {ATTACK: 0.9, LETHALITY: 0.2}
    pd.testing.assert_frame_equal(runs[0].timeseries, runs[2].timeseries)
    plain = ss.run("baseline", seed=seed_of[0], weeks=1)
    assert plain.draw is None and plain.posterior is None
    assert value_at(plain.scenario, ATTACK) == value_at(ss.run("baseline", weeks=1).scenario, ATTACK)


@pytest.mark.parametrize("kind", ["missing", "unreadable", "unknown parameter"])
def test_a_bad_posterior_raises_naming_the_file_and_writes_nothing(tmp_path, kind):
    path = tmp_path / "bad.parquet"
    if kind == "unreadable":
        path.write_text("not parquet")
    elif kind == "unknown parameter":
        write_posterior(path, pd.DataFrame({"mechanisms.insurgency.no_such_rate": [0.5]}), np.array([1.0]), {})
    says = {"missing": "not found", "unreadable": "not a readable Parquet", "unknown parameter": "no_such_rate"}[kind]
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        f"base: {SCENARIO_DIR / 'baseline.yaml'}\nset: {{end: 2022-01-22}}\n"
        "vary: {mechanisms.combat.engagement_rate: [0.4]}\nreplicates: 1\nseed: 1\n"
    )
    calls = [
        lambda: ss.run("baseline", weeks=1, posterior=path, out=tmp_path / "out"),
        lambda: ss.sweep(spec, posterior=str(path), out=tmp_path / "out"),
        lambda: ss.compare("baseline", "baseline_no_withdrawal", seeds=2, posterior=path, out=tmp_path / "out"),
    ]
    for call in calls:
        with pytest.raises(ScenarioError, match=says) as caught:
            call()
        assert str(path) in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_sweep_and_compare_record_each_seeds_draw(tmp_path, posterior_file):
    posterior = load_posterior(posterior_file)
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        f"base: {SCENARIO_DIR / 'baseline.yaml'}\nset: {{end: 2022-01-22}}\n"
        "vary: {mechanisms.combat.engagement_rate: [0.4]}\nreplicates: 3\nseed: 5\n"
    )
    s = ss.sweep(spec, posterior=posterior_file)
    assert (s.runs["status"] == "ok").all() and s.folder is None
    seeds = sorted(s.runs["seed"])
    pd.testing.assert_frame_equal(s.posterior_draws, posterior.draws(seeds))
    assert ss.sweep(spec).posterior_draws is None

    family = tmp_path / "family"
    family.mkdir()
    for name in ("baseline", "baseline_no_withdrawal"):
        text = f"extends: {SCENARIO_DIR / name}.yaml\nspin_up_from: null\nstart: 2023-06-01\nend: 2023-07-31\n"
        (family / f"{name}.yaml").write_text(text, encoding="utf-8")
    c = ss.compare(family / "baseline.yaml", family / "baseline_no_withdrawal.yaml", seeds=2, areas=["ML"],
                   posterior="calibrated", end=dt.date(2023, 7, 31))  # fmt: skip
    shipped = load_posterior(shipped_posterior())
    seeds = sorted(set(c.per_seed["seed"]))
    pd.testing.assert_frame_equal(c.posterior_draws.sort_values("seed", ignore_index=True), shipped.draws(seeds))
