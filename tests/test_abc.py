"""ABC-SMC calibration (``calibrate`` with an ABC file): bad files refused, a posterior written, resumable."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import SCENARIO_DIR
from sahel_sim.analysis.calibration.abc import Distance, observed_patterns, pattern_scores
from sahel_sim.analysis.calibration.abc_file import load_abc
from sahel_sim.scenario.posterior import load_posterior

TINY = f"""name: tiny_abc
base: {SCENARIO_DIR / "historical.yaml"}
set: {{end: 2012-12-31}}
priors:
  mechanisms.insurgency.recruit_rate: {{low: 0.005, high: 0.04, scale: log}}
  mechanisms.insurgency.lethality: {{low: 0.02, high: 0.1}}
target: {{years: [2012, 2012], countries: [ML, MR], displacement: []}}
abc: {{population: 10, generations: 1, seed: 3}}
"""


@pytest.mark.parametrize(
    "change, says",
    [
        (("low: 0.02, high: 0.1", "low: 0.2, high: 0.1"), "must be below high"),
        (("low: 0.005, high: 0.04, scale: log", "low: 0, high: 0.04, scale: log"), "log-scale prior needs low > 0"),
        (("insurgency.lethality", "insurgency.letality"), "no field 'letality'"),
        (("low: 0.02, high: 0.1", "low: 0.02, high: 20"), "lethality"),  # beyond the schema's bound 10
        (("population: 10", "population: 10, colour: red"), "unknown key 'colour'"),
        (("countries: [ML, MR]", "countries: [ML, FR]"), "target.countries"),
    ],
)
def test_a_bad_abc_file_is_one_line_and_writes_nothing(cli, write_scenario, tmp_path, change, says):
    path = write_scenario(TINY.replace(*change), "abc.yaml")
    result = cli("calibrate", path, "--out", tmp_path / "cal", "--workers", "1")
    assert result.status == 2, result.err
    assert says in result.err and str(path) in result.err and "Traceback" not in result.err
    assert not (tmp_path / "cal").exists()


def test_the_distance_is_the_mean_of_the_pattern_scores(write_scenario):
    cal = load_abc(write_scenario(TINY.replace("displacement: []", "displacement: [ML]").replace("2012]", "2016]")))
    observed = observed_patterns(cal)
    assert "deaths:ML:2012" in observed and "deaths:MR:2016" in observed and "idp:ML:2016-01-15" in observed
    assert observed["deaths:MR:2013"] == 0.0  # Mauritania's zero deaths are a pattern too
    shifted = {k: v + (1.0 if k.startswith("deaths:MR") else 0.0) for k, v in observed.items()}
    scores = pattern_scores(shifted, observed)
    assert scores == {"deaths:ML": 0.0, "deaths:MR": 1.0, "displacement": 0.0}
    assert Distance(1.0)(shifted, observed) == pytest.approx(1 / 3)
    assert Distance(0.0)(shifted, observed) == pytest.approx(1 / 2)
    assert Distance(1.0)({**shifted, "deaths:ML:2012": float("nan")}, observed) == float("inf")


@pytest.mark.slow  # about 40 short runs twice
def test_abc_writes_a_weighted_posterior_and_resumes(cli, write_scenario, tmp_path):
    path = write_scenario(TINY, "abc.yaml")
    out = tmp_path / "cal"
    result = cli("calibrate", path, "--out", out, "--workers", "1", "--quiet")
    assert result.status == 0, result.err
    posterior = load_posterior(out / "posterior.parquet")
    assert len(posterior) == 10 and posterior.weights.sum() == pytest.approx(1.0)
    rates = posterior.values[:, posterior.keys.index("mechanisms.insurgency.recruit_rate")]
    assert ((rates >= 0.005) & (rates <= 0.04)).all()  # searched in log10, written in the parameter's units
    assert posterior.provenance["file_sha256"] == load_abc(path).sha256
    generations = pd.read_csv(out / "generations.csv")
    assert list(generations["t"]) == [0, 1] and generations["epsilon"].is_monotonic_decreasing
    assert ((generations["effective_sample_size"] > 0) & (generations["effective_sample_size"] <= 10 + 1e-9)).all()
    assert cli("calibrate", path, "--out", out, "--workers", "1").status == 2  # no silent overwrite
    result = cli("calibrate", path, "--out", out, "--workers", "1", "--resume", "--quiet")
    assert result.status == 0, result.err
    assert list(pd.read_csv(out / "generations.csv")["t"]) == [0, 1, 2]
    assert json.loads((out / "abc.json").read_text())["generations"] == 3
    path.write_text(TINY.replace("seed: 3", "seed: 4"))
    result = cli("calibrate", path, "--out", out, "--workers", "1", "--resume")
    assert result.status == 2 and "changed since the calibration" in result.err
