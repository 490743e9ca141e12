"""Spin-up: a scenario's weeks begin from its own simulated history (the baseline family's start)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from conftest import SCENARIO_DIR
from sahel_sim.model.sahel_model import SahelModel
from sahel_sim.runs import new_model as kept
from sahel_sim.runs.runner import simulate
from sahel_sim.scenario.loading import ScenarioError, load_scenario, with_overrides

SEED = 11
#: A one-year history: 52 weeks from 6 January 2019 to 5 January 2020.
FROM, START, END = dt.date(2019, 1, 6), dt.date(2020, 1, 5), dt.date(2020, 5, 31)


def historical(**changes) -> object:
    scenario = load_scenario(SCENARIO_DIR / "historical.yaml")
    return with_overrides(scenario, list(changes.items()))


def reported_from(output, start: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A run's weekly rows and events from ``start`` on (index reset)."""
    when = pd.Timestamp(start)
    rows = output.timeseries[output.timeseries["date"] >= when].reset_index(drop=True)
    events = output.events[pd.to_datetime(output.events["date"]) >= when].reset_index(drop=True)
    return rows, events


@pytest.fixture(scope="module")
def short():
    """The historical scenario from 2019, and the same spun up over 2019 and reported from 2020."""
    whole = historical(start=FROM, end=END)
    spun = historical(start=START, end=END, spin_up_from=FROM)
    return whole, spun, simulate(whole, SEED), simulate(spun, SEED)


def test_a_spun_up_run_reports_the_weeks_of_the_same_run_from_its_start(short):
    whole, spun, full, reported = short
    rows, events = reported_from(full, START)
    assert len(rows) and len(events), "the premise: the history goes on after the start"
    pd.testing.assert_frame_equal(reported.timeseries, rows)
    pd.testing.assert_frame_equal(reported.events.reset_index(drop=True), events)


def test_a_spun_up_run_reports_nothing_before_its_start(short):
    _, spun, full, reported = short
    assert reported.timeseries["date"].min() == pd.Timestamp(START)
    assert pd.to_datetime(reported.events["date"]).min() >= pd.Timestamp(START)
    assert reported.summary["start"] == START.isoformat()
    assert reported.summary["weeks"] == spun.weeks
    before = full.events[pd.to_datetime(full.events["date"]) < pd.Timestamp(START)]
    assert len(before), "the premise: the history had events of its own"


def test_a_kept_history_gives_the_same_run_as_a_fresh_model(short):
    _, spun, _, reported = short
    model = SahelModel(spun, seed=SEED)  # the constructor simulates the history itself
    assert model.date == START and model.weeks_run == 0 and not model.log.events and not model.metrics.rows
    while model.running:
        model.step()
    pd.testing.assert_frame_equal(model.metrics.frame(), reported.timeseries)
    again = simulate(spun, SEED)  # the history is now kept: restored, not simulated
    pd.testing.assert_frame_equal(again.timeseries, reported.timeseries)


def test_histories_are_shared_only_by_runs_that_simulate_the_same_weeks(short):
    _, spun, _, _ = short
    history = spun.history()
    key = kept.history_key(history, SEED)
    stays = with_overrides(spun, [("peacekeepers.withdrawal", None), ("name", "other"), ("end", dt.date(2021, 1, 1))])
    assert kept.history_key(stays.history(), SEED) == key, "a withdrawal in 2023 changes nothing before 2020"
    assert kept.history_key(history, SEED + 1) != key
    bolder = with_overrides(spun, [("mechanisms.insurgency.attack_rate", 0.5)])
    assert kept.history_key(bolder.history(), SEED) != key
    baseline = load_scenario(SCENARIO_DIR / "baseline.yaml")  # a history of 2012-2021
    early = with_overrides(
        baseline, [("peacekeepers.withdrawal", {"start": dt.date(2021, 6, 1), "duration_weeks": 20})]
    )
    assert kept.history_key(early.history(), SEED) != kept.history_key(baseline.history(), SEED), (
        "a withdrawal inside the history is part of it"
    )


def test_the_baseline_family_begins_from_the_historical_runs_state():
    baseline = with_overrides(load_scenario(SCENARIO_DIR / "baseline.yaml"), [("end", dt.date(2022, 3, 31))])
    history = historical(end=dt.date(2022, 3, 31))
    assert baseline.spin_up_from == history.start
    spun, full = simulate(baseline, SEED), simulate(history, SEED)
    rows, events = reported_from(full, baseline.start)
    pd.testing.assert_frame_equal(spun.timeseries, rows)
    pd.testing.assert_frame_equal(spun.events.reset_index(drop=True), events)


def test_every_baseline_variant_has_the_baselines_history():
    base = load_scenario(SCENARIO_DIR / "baseline.yaml")
    key = kept.history_key(base.history(), SEED)
    for path in sorted(SCENARIO_DIR.glob("baseline_*.yaml")):
        variant = load_scenario(path)
        assert variant.start == base.start and variant.spin_up_from == base.spin_up_from, path.name
        assert kept.history_key(variant.history(), SEED) == key, path.name


@pytest.mark.parametrize(
    ("spin_up_from", "message"),
    [
        (dt.date(2020, 1, 5), "spin_up_from (2020-01-05) is not before start (2020-01-05)"),
        (dt.date(2019, 1, 1), "use start 2019-12-31 or 2020-01-07"),
    ],
)
def test_a_spin_up_that_cannot_end_on_the_start_is_refused_and_nothing_is_written(
    spin_up_from, message, baseline_data, write_scenario, cli, tmp_path
):
    baseline_data.update(start=START, spin_up_from=spin_up_from)
    path = write_scenario(baseline_data)
    with pytest.raises(ScenarioError, match="spin_up_from"):
        load_scenario(path)
    out = tmp_path / "results"
    result = cli("run", path, "--out", out)
    assert result.status == 2 and message in result.err
    assert not out.exists()
