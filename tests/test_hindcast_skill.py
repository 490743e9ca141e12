"""The hindcast's skill table: naive forecasts, CRPS, coverage, per-country tables and the CLI (issue 16)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sahel_sim.analysis.hindcast import (
    crps_ensemble,
    frames_by_area,
    naive_forecasts,
    observed_by_country,
    paired_comparison,
    skill_table,
    verdict,
    yearly_by_area,
)
from sahel_sim.analysis.hindcast.skill import score

HISTORICAL = Path(__file__).resolve().parents[1] / "scenarios" / "historical.yaml"
COUNTRIES = ("ML", "BF", "NE", "MR", "TD")


def test_naive_forecasts_on_a_hand_made_series_are_exact_and_ignore_later_years():
    # log10(x + 1) is 1, 2, 3 over the calibration years 2012-2014: mean 2, line year - 2011.
    obs = pd.Series([9.0, 99.0, 999.0, 5.0], index=[2012, 2013, 2014, 2015])
    cal = (2012, 2014)
    naive = naive_forecasts(obs, [2012, 2013, 2014, 2015, 2016], cal)
    assert naive["constant"].tolist() == pytest.approx([99.0] * 5)
    assert naive["trend"].tolist() == pytest.approx([9.0, 99.0, 999.0, 9999.0, 99999.0])
    persistence = naive["persistence"].tolist()
    assert math.isnan(persistence[0])  # no 2011
    assert persistence[1:] == [9.0, 99.0, 999.0, 999.0]  # previous year in sample, 2014's value after
    later = naive_forecasts(obs.replace(5.0, 1e6), [2015, 2016], cal)
    assert later.equals(naive.loc[[2015, 2016]])


def test_crps_of_an_ensemble_matches_hand_computed_integrals():
    # Two members 0 and 2, y = 1: the integral of (F - 1{x >= 1})^2 is 0.25 + 0.25.
    assert crps_ensemble([0.0, 2.0], 1.0) == pytest.approx(0.5)
    # Members 1, 2, 3, y = 0: 1 + (2/3)^2 + (1/3)^2 = 14/9.
    assert crps_ensemble([1.0, 2.0, 3.0], 0.0) == pytest.approx(14 / 9)
    # One member: the absolute error.
    assert crps_ensemble([3.0], 1.0) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        crps_ensemble([], 1.0)


def test_point_forecasts_have_no_coverage_and_their_crps_is_the_log_error():
    obs = np.array([9.0, 99.0, 999.0])
    point = np.array([99.0, 99.0, 99.0])
    stats = score(obs, point)
    assert math.isnan(stats["coverage_90"])
    assert math.isnan(stats["spearman_rho"])  # a constant forecast has no rank order
    assert stats["mean_abs_log10_error"] == pytest.approx(2 / 3)
    assert stats["crps_log10"] == pytest.approx(stats["mean_abs_log10_error"])
    ens = np.array([[0.0, 9.0, 99.0], [9.0, 99.0, 999.0], [99.0, 999.0, 9999.0]])
    with_members = score(obs, np.median(ens, axis=0), ens)
    assert with_members["coverage_90"] == pytest.approx(1.0)
    assert with_members["spearman_rho"] == pytest.approx(1.0)
    # log10(x + 1) of the members is y - 1, y, y + 1 every year: 2/3 - 4/9 = 2/9, though the median is exact.
    assert with_members["mean_abs_log10_error"] == pytest.approx(0.0)
    assert with_members["crps_log10"] == pytest.approx(2 / 9)


def weekly_table(yearly: dict[str, dict[int, float]]) -> pd.DataFrame:
    """A fake weekly table: one week starting 1 January per year and area, holding the year's deaths."""
    rows = [
        {"date": pd.Timestamp(year, 1, 1), "area": area, "fatalities_total": deaths}
        for area, years in yearly.items()
        for year, deaths in years.items()
    ]
    return pd.DataFrame(rows)


def fake_runs(factors: list[float], years: list[int]) -> dict[str, pd.DataFrame]:
    """Per country, one seed per factor: the observed deaths (+1) times the factor, minus 1."""
    obs = observed_by_country()
    runs = []
    for factor in factors:
        yearly = {
            c: {y: 0.0 if math.isnan(obs.at[y, c]) else (obs.at[y, c] + 1.0) * factor - 1.0 for y in years}
            for c in COUNTRIES
        }
        runs.append(yearly_by_area(weekly_table(yearly), COUNTRIES))
    return frames_by_area(runs, list(range(len(factors))), COUNTRIES, years)


def test_per_country_table_from_fake_weekly_tables_scores_all_four_forecasts():
    years = list(range(2012, 2023))
    sims = fake_runs([1 / 1.5, 1.0, 1.5], years)
    table = skill_table(sims, observed_by_country(), years)
    keys = set(zip(table["country"], table["split"], strict=True))
    assert keys == {(c, "in_sample") for c in COUNTRIES} | {("ML", "out_of_sample")}
    assert set(table["forecast"]) == {"model", "constant", "persistence", "trend"}
    model = table[table["forecast"] == "model"].set_index(["country", "split"])
    # The median seed is the observed series: no error, every year inside the band.
    assert model["mean_abs_log10_error"].max() == pytest.approx(0.0, abs=1e-12)
    assert model["coverage_90"].min() == pytest.approx(1.0)
    assert model.at[("ML", "out_of_sample"), "n_years"] == 3
    assert model.at[("ML", "in_sample"), "n_years"] == 8
    persistence = table[(table["forecast"] == "persistence") & (table["split"] == "in_sample")]
    assert (persistence["n_years"] == 7).all() and (persistence["first_year"] == 2013).all()
    naive = table[table["forecast"] != "model"]
    assert naive["coverage_90"].isna().all()
    assert np.allclose(naive["crps_log10"], naive["mean_abs_log10_error"])
    # A spread ensemble around the truth has a positive CRPS smaller than a wrong point's.
    assert 0 < model.at[("ML", "out_of_sample"), "crps_log10"] < math.log10(1.5)
    lines = verdict(table)
    assert len(lines) == 1 and lines[0].startswith("Out of sample (ML 2020-2022)")
    assert lines[0].count(" beats ") == 3


def test_verdict_says_when_the_model_loses_to_a_naive_forecast():
    years = list(range(2012, 2023))
    far = fake_runs([30.0, 40.0], years)
    text = verdict(skill_table(far, observed_by_country(), years))[0]
    assert text.count("does NOT beat") == 3


def test_paired_comparison_counts_the_seeds_that_fit_better():
    years = list(range(2012, 2023))
    base = fake_runs([1.0, 1.2], years)
    worse = fake_runs([3.0, 4.0], years)
    obs = observed_by_country()
    same = paired_comparison(base, base, obs, years).set_index(["country", "split"])
    assert (same["seeds_base_better"] == 0).all() and np.allclose(same["mean_seed_difference"], 0.0)
    diff = paired_comparison(base, worse, obs, years).set_index(["country", "split"])
    assert (diff["seeds_base_better"] == 2).all() and (diff["mean_seed_difference"] > 0).all()
    with pytest.raises(ValueError):
        paired_comparison(base, fake_runs([1.0], years), obs, years)


def test_observed_by_country_reads_the_packaged_series():
    obs = observed_by_country()
    assert list(obs.columns) == list(COUNTRIES)
    assert obs.at[2019, "BF"] == 1245 and obs.at[2015, "NE"] == 533 and obs.at[2022, "ML"] == 3612
    assert (obs["MR"].dropna() == 0).all() and obs.loc[2020:, "BF"].isna().all()


def test_compare_with_a_scenario_on_other_dates_is_refused(cli, tmp_path):
    baseline = HISTORICAL.parent / "baseline.yaml"
    result = cli("hindcast", HISTORICAL, "--seeds", "1", "--compare-with", baseline, "--out", tmp_path)
    assert result.status == 2
    assert "--compare-with" in result.err and "Traceback" not in result.err
    assert not any(tmp_path.iterdir())


def test_bad_compare_set_is_refused(cli, tmp_path):
    result = cli("hindcast", HISTORICAL, "--seeds", "1", "--compare-set", "no_such_field=1", "--out", tmp_path)
    assert result.status == 2 and "no_such_field" in result.err
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_cli_prints_the_four_forecasts_side_by_side_and_the_comparison(cli, tmp_path):
    result = cli(
        "hindcast", HISTORICAL, "--seeds", "2", "--until", "2013-12-31", "--out", tmp_path,
        "--compare-set", "peacekeepers=null",
    )  # fmt: skip
    assert result.status == 0, result.err
    header = next(line for line in result.out.splitlines() if line.startswith("country "))
    assert header.split()[-4:] == ["model", "constant", "persistence", "trend"]
    assert "identification check: historical (A) against historical (peacekeepers=null) (B)" in result.out
    folder = Path(result.out.strip().splitlines()[-1])
    assert sorted(p.name for p in folder.iterdir()) == [
        "comparison.csv", "hindcast.csv", "hindcast.json", "hindcast.png", "skill.csv",
    ]  # fmt: skip
    skill = pd.read_csv(folder / "skill.csv")
    assert set(skill["country"]) == set(COUNTRIES) and set(skill["split"]) == {"in_sample"}
    assert set(skill.loc[skill["forecast"] == "model", "scenario"]) == {"historical", "historical (peacekeepers=null)"}
    info = json.loads((folder / "hindcast.json").read_text(encoding="utf-8"))
    assert info["calibration_years"] == [2012, 2019]
    assert info["comparison"]["seeds"] == info["seeds"]
    assert info["naive_forecasts"]["ML"]["persistence"]["2013"] == 328.0


def test_verdict_calls_values_equal_as_printed_a_tie():
    rows = [
        {"country": "ML", "split": "out_of_sample", "forecast": name, "first_year": 2020, "last_year": 2022,
         "mean_abs_log10_error": err, "crps_log10": err}
        for name, err in (("model", 0.2001), ("constant", 0.2004), ("persistence", 0.3), ("trend", 0.1))
    ]  # fmt: skip
    text = verdict(pd.DataFrame(rows))[0]
    assert "ties with constant" in text and "beats persistence" in text and "does NOT beat trend" in text


def test_displacement_is_read_on_the_last_week_before_each_registered_point():
    import datetime as dt

    from sahel_sim.analysis.hindcast.displacement import displaced_on, displacement_table

    weeks = pd.to_datetime(["2016-01-01", "2016-01-08", "2016-01-15", "2016-01-22"])
    table = pd.DataFrame(
        {"date": list(weeks) * 2, "area": ["ML"] * 4 + ["BF"] * 4, "displaced_internal": [1, 2, 3, 4, 9, 9, 9, 9]}
    )
    assert displaced_on(table, "ML", dt.date(2016, 1, 15)) == 3  # the week starting on the date counts
    assert displaced_on(table, "ML", dt.date(2016, 1, 14)) == 2
    assert np.isnan(displaced_on(table, "ML", dt.date(2015, 12, 31)))
    point = ("ML", dt.date(2016, 1, 15))  # registered 49,883 (IOM DTM)
    rows = displacement_table([{point: 49_883 * 1.9}, {point: 49_883 * 2.1}, {point: 49_883 * 2.0}])
    assert rows.loc[0, "ratio"] == pytest.approx(2.0) and rows.loc[0, "within_factor_2"]
    assert rows.loc[0, "split"] == "in_sample"
    rows = displacement_table([{point: 49_883 * 2.2}])
    assert not rows.loc[0, "within_factor_2"]
