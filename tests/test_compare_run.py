"""The compare command: outputs, resume, an alternative failing on one seed, bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import SCENARIO_DIR

START, END = "2023-03-01", "2023-09-30"  # branches on 2023-06-09: a short shared history and a short tail


@pytest.fixture
def family(write_scenario):
    """Three short scenarios of the baseline family (reference first)."""

    def short(base: str, name: str) -> str:
        # cold from START (spin_up_from: null): the comparison's mechanics, not the history, are tested
        return f"extends: {SCENARIO_DIR / base}\nname: {name}\nspin_up_from: null\nstart: {START}\nend: {END}\n"

    return [
        write_scenario(short("baseline.yaml", "ref"), "ref.yaml"),
        write_scenario(short("baseline_no_withdrawal.yaml", "stay"), "stay.yaml"),
        write_scenario(short("baseline_gradual_2y.yaml", "slow"), "slow.yaml"),
    ]


def compare(cli, family, out, *extra):
    return cli("compare", *family, "--workers", "1", "--out", out, "--areas", "ALL", "ML", *extra)


def test_compare_writes_every_output(cli, family, tmp_path, fast_plots):
    out = tmp_path / "cmp"
    result = compare(cli, family, out, "--seeds", "3")
    assert result.status == 0, result.err
    for name in ("effects.csv", "per_seed.parquet", "posts.csv", "summary.md", "plots/posts.png"):
        assert (out / name).exists(), name
    effects = pd.read_csv(out / "effects.csv")
    assert set(effects["alternative"]) == {"stay", "slow"} and set(effects["area"]) == {"ALL", "ML"}
    deaths = effects[(effects["metric"] == "fatalities_total")]
    assert (deaths["statistic"] == "total").all() and (deaths["n"] == 3).all()
    assert (effects.loc[effects["metric"] == "stability_index", "statistic"] == "mean").all()
    per_seed = pd.read_parquet(out / "per_seed.parquet")
    assert len(per_seed) == 3 * 3 * 2
    assert per_seed.groupby("replicate")["seed"].nunique().eq(1).all()  # common random numbers
    posts = pd.read_csv(out / "posts.csv")
    assert ((posts["wilson_low"] >= 0) & (posts["wilson_high"] <= 1)).all()
    assert posts.loc[posts["scenario"] == "ref", "difference"].isna().all()
    summary = (out / "summary.md").read_text()
    assert "## If stay" in summary and "Mali would have had" in summary
    spec = json.loads((out / "spec.json").read_text())
    assert [s["branch"] for s in spec["scenarios"]] == [None, "2023-06-09", "2023-06-09"]


@pytest.mark.slow  # three compares of 9 runs; resume is also tested in the fast loop by test_api.py
def test_resume_runs_only_what_is_missing(cli, family, tmp_path, fast_plots):
    out = tmp_path / "cmp"
    assert compare(cli, family, out, "--seeds", "2").status == 0
    first = {p.name: p.read_bytes() for p in (out / "timeseries").iterdir()}
    assert len(first) == 6
    again = compare(cli, family, out, "--seeds", "2")
    assert again.status == 2 and "--resume" in again.err
    assert compare(cli, family, out, "--seeds", "3", "--resume").status == 0
    runs = pd.read_parquet(out / "runs")
    assert len(runs) == 9 and runs["run_id"].is_unique and (runs["status"] == "ok").all()
    assert all((out / "timeseries" / name).read_bytes() == data for name, data in first.items())
    assert pd.read_csv(out / "effects.csv")["n"].eq(3).all()


@pytest.mark.slow  # a 9-run compare; test_compare_writes_every_output keeps compare in the fast loop
def test_an_alternative_failing_on_one_seed_is_reported_and_the_rest_stand(
    cli, family, tmp_path, fast_plots, monkeypatch
):
    import sahel_sim.runs.family as fam
    from sahel_sim.analysis.sweep.seeds import run_seed

    bad_seed = run_seed(20230630, 0, 1)  # the baseline's seed is the root
    real = fam.continue_as

    def flaky(model, scenario):
        if scenario.name == "slow" and model.seed_value == bad_seed:
            raise RuntimeError("boom in slow")
        real(model, scenario)

    monkeypatch.setattr(fam, "continue_as", flaky)
    out = tmp_path / "cmp"
    result = compare(cli, family, out, "--seeds", "3")
    assert result.status == 0, result.err
    runs = pd.read_parquet(out / "runs")
    failed = runs[runs["status"] == "failed"]
    assert list(failed["scenario"]) == ["slow"] and list(failed["seed"]) == [bad_seed]
    assert "boom in slow" in failed["error"].iloc[0]
    effects = pd.read_csv(out / "effects.csv")
    assert effects.loc[effects["alternative"] == "slow", "n"].eq(2).all()
    assert effects.loc[effects["alternative"] == "stay", "n"].eq(3).all()
    assert "boom in slow" in (out / "summary.md").read_text()
    assert "1 failed" in result.err


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("map:\n  resolution: 0.25\n", "different maps"),
        (None, "different start dates"),
    ],
)
def test_scenarios_that_cannot_be_paired_are_refused(cli, family, write_scenario, tmp_path, change, says):
    text = family[1].read_text()
    text = text + change if change else text.replace(START, "2023-02-01")
    other = write_scenario(text, "other.yaml")
    out = tmp_path / "cmp"
    result = cli("compare", family[0], other, "--seeds", "2", "--out", out)
    assert result.status == 2
    assert len(result.err.strip().splitlines()) == 1 and says in result.err and "other.yaml" in result.err
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["missing.yaml"], "missing.yaml"),
        (["--areas", "XX"], "unknown area"),
        (["--seeds", "1"], "at least 2"),
        (["--to", "2030-01-01"], "after the end"),
    ],
)
def test_bad_input_is_one_line_and_status_2(cli, family, tmp_path, argv, says):
    out = tmp_path / "cmp"
    args = [family[0], *(["missing.yaml"] if argv == ["missing.yaml"] else [family[1], *argv])]
    result = cli("compare", *args, "--out", out)
    assert result.status == 2
    assert len(result.err.strip().splitlines()) == 1 and says in result.err and "Traceback" not in result.err
    assert not out.exists()
