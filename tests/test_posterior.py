"""``--posterior``: each replicate runs the weighted parameter set its seed draws (issue 16)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import ATTACK, SCENARIO_DIR
from sahel_sim.scenario.loading import ScenarioError, load_scenario
from sahel_sim.scenario.posterior import load_posterior, write_posterior


def test_draws_follow_the_weights_and_depend_only_on_the_seed(posterior_file):
    posterior = load_posterior(posterior_file)
    draws = [posterior.draw(seed) for seed in range(400)]
    assert set(draws) == {0, 1}  # weight 0 never drawn
    assert 0.4 < draws.count(0) / len(draws) < 0.6
    assert [load_posterior(posterior_file).draw(seed) for seed in range(400)] == draws
    assert posterior.provenance == {"test": True}


def test_a_scenario_gets_the_drawn_values(posterior_file):
    posterior = load_posterior(posterior_file)
    base = load_scenario(SCENARIO_DIR / "baseline.yaml")
    seeds = {posterior.draw(s): s for s in range(50)}
    first, second = (posterior.apply(base, seeds[i])[0] for i in (0, 1))
    assert (first.mechanisms.insurgency.attack_rate, second.mechanisms.insurgency.attack_rate) == (0.3, 0.9)
    assert second.mechanisms.insurgency.lethality == 0.2
    assert first.mechanisms.combat == base.mechanisms.combat  # nothing else changes


@pytest.mark.parametrize(
    "frame, weights, says",
    [
        (pd.DataFrame({ATTACK: [0.5]}), None, "no 'weight' column"),
        (pd.DataFrame({ATTACK: [0.5, 0.6]}), [-1.0, 2.0], "non-negative"),
        (pd.DataFrame({ATTACK: [0.5, np.nan]}), [1.0, 1.0], "not finite"),
        (pd.DataFrame({"mechanisms.insurgency.no_such_rate": [0.5]}), [1.0], "no field 'no_such_rate'"),
        (pd.DataFrame({ATTACK: [7.0]}), [1.0], "attack_rate"),  # above the schema's bound 1.0
    ],
)
def test_a_bad_posterior_is_refused_naming_the_file(cli, tmp_path, frame, weights, says):
    path = tmp_path / "bad.parquet"
    if weights is None:
        frame.to_parquet(path)
    else:
        write_posterior(path, frame, np.array(weights), {})
    result = cli("run", SCENARIO_DIR / "baseline.yaml", "--weeks", "1", "--posterior", path, "--out", tmp_path / "r")
    assert result.status == 2
    assert str(path) in result.err and says in result.err, result.err
    assert "Traceback" not in result.err and not (tmp_path / "r").exists()


def test_same_seed_reproduces_and_different_draws_run_different_values(cli, tmp_path, posterior_file, fast_plots):
    posterior = load_posterior(posterior_file)
    by_draw = {}
    for seed in range(100):
        by_draw.setdefault(posterior.draw(seed), seed)
    folders = []
    for seed in (by_draw[0], by_draw[0], by_draw[1]):
        out = tmp_path / f"out{len(folders)}"
        result = cli(
            "run", SCENARIO_DIR / "baseline.yaml", "--weeks", "8", "--seed", seed, "--posterior", posterior_file,
            "--out", out, "--quiet",
        )  # fmt: skip
        assert result.status == 0, result.err
        folders.append(next(out.iterdir()))
    manifests = [json.loads((f / "manifest.json").read_text()) for f in folders]
    resolved = [yaml.safe_load((f / "scenario.resolved.yaml").read_text()) for f in folders]
    assert [m["posterior"]["draw"] for m in manifests] == [0, 0, 1]
    assert [r["mechanisms"]["insurgency"]["attack_rate"] for r in resolved] == [0.3, 0.3, 0.9]
    assert manifests[0]["posterior"]["sha256"] == posterior.sha256
    tables = [pd.read_parquet(f / "timeseries.parquet") for f in folders]
    pd.testing.assert_frame_equal(tables[0], tables[1])


def test_compare_pairs_each_seed_on_one_draw(cli, tmp_path, write_scenario, posterior_file, fast_plots):
    from sahel_sim.analysis.compare.engine import _task
    from sahel_sim.analysis.compare.plan import load_plan

    def short(base: str, name: str):
        text = f"extends: {SCENARIO_DIR / base}\nname: {name}\nspin_up_from: null\nstart: 2023-03-01\nend: 2023-07-31\n"
        return write_scenario(text, f"{name}.yaml")

    files = [short("baseline.yaml", "ref"), short("baseline_no_withdrawal.yaml", "stay")]
    posterior = load_posterior(posterior_file)
    plan = load_plan(files, 4, posterior=posterior)
    assert plan.spec_hash != load_plan(files, 4).spec_hash
    for replicate in range(4):
        task = _task(plan, replicate, plan.arms, branching=True)
        want = posterior.parameters(posterior.draw(plan.seed(replicate)))[ATTACK]
        assert task.reference.mechanisms.insurgency.attack_rate == want
        assert all(s.mechanisms.insurgency.attack_rate == want for _, s in task.variants)
    out = tmp_path / "cmp"
    result = cli(
        "compare", *files, "--seeds", "2", "--workers", "1", "--areas", "ML", "--out", out,
        "--posterior", posterior_file, "--quiet",
    )  # fmt: skip
    assert result.status == 0, result.err
    draws = pd.read_csv(out / "posterior_draws.csv")
    assert list(draws["seed"]) == [plan.seed(0), plan.seed(1)]
    assert json.loads((out / "spec.json").read_text())["posterior"]["sha256"] == posterior.sha256


def test_sweep_refuses_a_parameter_both_varied_and_drawn(tmp_path, posterior_file):
    from sahel_sim.analysis.sweep.plan import load_plan

    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        f"base: {SCENARIO_DIR / 'baseline.yaml'}\nset: {{end: 2022-03-01}}\n"
        f"vary: {{{ATTACK}: [0.2, 0.4]}}\ndesign: grid\nreplicates: 1\nseed: 1\n"
    )
    with pytest.raises(ScenarioError, match="both varied by the sweep and drawn from the posterior"):
        load_plan(spec, posterior=load_posterior(posterior_file))
    spec.write_text(spec.read_text().replace(ATTACK, "mechanisms.combat.engagement_rate"))
    plan = load_plan(spec, posterior=load_posterior(posterior_file))
    run = next(plan.runs())
    drawn = load_posterior(posterior_file).parameters(load_posterior(posterior_file).draw(run.seed))
    assert plan.run_scenario(run).mechanisms.insurgency.attack_rate == drawn[ATTACK]
    assert plan.spec_hash != load_plan(spec).spec_hash


def test_the_shipped_posterior_fits_every_shipped_scenario():
    """``--posterior calibrated``: at least 100 weighted sets, with provenance, usable with every family."""
    from sahel_sim.scenario.posterior import shipped_posterior

    posterior = load_posterior(shipped_posterior())
    assert len(posterior) >= 100 and posterior.provenance["file_sha256"]
    assert posterior.provenance["commit"] and posterior.provenance["total_runs"] > len(posterior)
    for name in ("historical.yaml", "baseline.yaml", "minusma_stays.yaml"):
        posterior.check(load_scenario(SCENARIO_DIR / name))


def test_a_sweep_run_with_a_posterior_replays_exactly(cli, tmp_path, posterior_file, fast_plots):
    """export-run rebuilds the run with the parameter set it drew (from posterior_draws.csv)."""
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        f"base: {SCENARIO_DIR / 'baseline.yaml'}\nset: {{end: 2022-03-01}}\n"
        "vary: {mechanisms.combat.engagement_rate: [0.4]}\ndesign: grid\nreplicates: 3\nseed: 5\n"
    )
    out = tmp_path / "sw"
    result = cli("sweep", spec, "--out", out, "--workers", "1", "--posterior", posterior_file, "--quiet")
    assert result.status == 0, result.err
    draws = pd.read_csv(out / "posterior_draws.csv")
    runs = pd.concat([pd.read_parquet(p) for p in (out / "runs").glob("*.parquet")])
    run = runs.iloc[0]
    result = cli("export-run", out, run["run_id"], "--out", tmp_path / "exp")
    assert result.status == 0, result.err
    folder = next((tmp_path / "exp").iterdir())
    manifest = json.loads((folder / "manifest.json").read_text())
    want = draws.loc[draws["seed"] == run["seed"]].iloc[0]
    assert manifest["posterior"]["draw"] == want["draw"]
    resolved = yaml.safe_load((folder / "scenario.resolved.yaml").read_text())
    assert resolved["mechanisms"]["insurgency"]["attack_rate"] == want[ATTACK]
    stored = pd.concat([pd.read_parquet(p) for p in (out / "timeseries").rglob("*.parquet")])
    stored = stored[stored["run_id"] == run["run_id"]].drop(columns=["run_id"]).reset_index(drop=True)
    replayed = pd.read_parquet(folder / "timeseries.parquet")
    assert np.allclose(stored["fatalities_total"].to_numpy(), replayed["fatalities_total"].to_numpy())
