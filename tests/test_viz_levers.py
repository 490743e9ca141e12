"""The browser view's sliders and model adapter, without a browser."""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import os
from pathlib import Path

import pytest

# find_spec, not importorskip: importing solara here would cost every collecting worker its import
if importlib.util.find_spec("solara") is None:
    pytest.skip("the viz extra (solara) is not installed", allow_module_level=True)

from sahel_sim.model.sahel_model import SahelModel  # noqa: E402
from sahel_sim.scenario.loading import ScenarioError, load_scenario, scenario_hash, with_overrides  # noqa: E402
from sahel_sim.scenario.parameters import Mechanisms, bounds, iter_parameters  # noqa: E402
from sahel_sim.scenario.schema import StateConfig, StrengthPoint, Withdrawal  # noqa: E402
from sahel_sim.viz import levers as L  # noqa: E402
from sahel_sim.viz.adapter import VizModel  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(SCENARIOS / "baseline.yaml")


def test_bounds_come_from_the_schema(baseline):
    mech = dict(iter_parameters(Mechanisms, "mechanisms."))
    expected = {
        "withdrawal_weeks": bounds(Withdrawal.model_fields["duration_weeks"]),
        "army_accuracy": bounds(StateConfig.model_fields["army_accuracy"]),
        "army_effectiveness": bounds(StateConfig.model_fields["army_effectiveness"]),
        "legitimacy": bounds(StateConfig.model_fields["legitimacy"]),
        **{p.rsplit(".", 1)[-1]: bounds(mech[p]) for p in L.MECHANISM_LEVERS},
    }
    by_name = {lever.name: lever for lever in L.levers(baseline)}
    assert tuple(by_name) == L.LEVER_NAMES
    for name, (lo, hi) in expected.items():
        assert (by_name[name].lo, by_name[name].hi) == (lo, hi), name
    assert by_name["peacekeepers"].lo == bounds(StrengthPoint.model_fields["personnel"])[0]
    assert (by_name["withdrawal_start"].lo, by_name["withdrawal_start"].hi) == (0, baseline.weeks)


def test_starting_values_are_the_scenarios(baseline):
    values = L.lever_values(baseline)
    mali = next(s for s in baseline.states if s.country == "ML")
    assert values["army_accuracy"] == mali.army_accuracy
    assert values["legitimacy"] == mali.legitimacy
    assert values["peacekeepers"] == baseline.peacekeepers.strength[-1].personnel
    assert values["recruit_rate"] == baseline.mechanisms.insurgency.recruit_rate
    for lever in L.levers(baseline):
        assert lever.check(values[lever.name]) is None, lever.name
    assert L.lever_overrides(baseline, values, values) == []


def test_dated_withdrawal_reads_as_start_and_duration(baseline):
    start, weeks = L.withdrawal_plan(baseline)
    closing = baseline.peacekeepers.withdrawal.closing_dates(baseline.peacekeepers.camps)
    first = baseline.start + dt.timedelta(weeks=start)
    assert first < min(closing.values())
    assert 60 <= weeks <= 80  # Aug 2023 .. Nov 2024 read as one evenly spaced plan
    gradual = load_scenario(SCENARIOS / "baseline_gradual_2y.yaml")
    assert L.withdrawal_plan(gradual)[1] == 104
    none = load_scenario(SCENARIOS / "baseline_no_withdrawal.yaml")
    assert L.withdrawal_plan(none)[0] == none.weeks


@pytest.mark.parametrize("name", L.LEVER_NAMES)
def test_every_lever_changes_the_scenario(baseline, name):
    initial = L.lever_values(baseline)
    lever = next(lv for lv in L.levers(baseline) if lv.name == name)
    value = lever.lo + 0.3 * (lever.hi - lever.lo)
    if lever.integer:
        value = int(value)
    if name == "withdrawal_weeks":
        value = 30
    changed = with_overrides(baseline, L.lever_overrides(baseline, {**initial, name: value}, initial))
    assert scenario_hash(changed) != scenario_hash(baseline)
    assert L.lever_values(changed)[name] == pytest.approx(value, rel=0.02, abs=1), name


def test_withdrawal_start_at_the_end_means_no_withdrawal(baseline):
    initial = L.lever_values(baseline)
    overrides = L.lever_overrides(baseline, {**initial, "withdrawal_start": baseline.weeks}, initial)
    assert with_overrides(baseline, overrides).peacekeepers.withdrawal is None


def test_scenario_files_stay_inside_the_folder(tmp_path):
    assert "baseline.yaml" in L.list_scenarios(SCENARIOS)
    assert L.resolve_scenario(SCENARIOS, "baseline.yaml") == (SCENARIOS / "baseline.yaml").resolve()
    for bad in ("../pyproject.toml", "/etc/passwd", "sweeps/../baseline.yaml", "missing.yaml", ""):
        with pytest.raises(ScenarioError):
            L.resolve_scenario(SCENARIOS, bad)
    outside = tmp_path / "outside.yaml"
    outside.write_text("name: x\n", encoding="utf-8")
    room = tmp_path / "room"
    room.mkdir()
    os.symlink(outside, room / "link.yaml")
    with pytest.raises(ScenarioError, match="outside"):
        L.resolve_scenario(room, "link.yaml")


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.glob("*.yaml")))
def test_slider_steps_land_on_every_shipped_value(name):
    """No slider rounds a scenario's own value away (issue 17: 0.01322 became 0.015)."""
    scenario = load_scenario(SCENARIOS / name)
    values = L.lever_values(scenario)
    for lever in L.levers(scenario):
        value, step = values[lever.name], lever.step_for(values[lever.name])
        assert step >= 1e-6
        assert math.isclose(round((value - lever.lo) / step) * step + lever.lo, value, rel_tol=1e-12, abs_tol=1e-12), (
            lever.name,
            value,
            step,
        )
        assert lever.describe_value(value)


def test_adapter_without_moved_levers_is_the_plain_model(baseline):
    initial = L.lever_values(baseline)
    viz = VizModel(root=str(SCENARIOS), scenario_file="baseline.yaml", seed="", levers=initial)
    plain = SahelModel(baseline)
    assert viz.viz_overrides == [] and viz.lever_errors == {} and viz.seed_error is None
    assert scenario_hash(viz.config) == scenario_hash(baseline)
    for _ in range(3):
        viz.step()
        plain.step()
    assert viz.metrics.frame().equals(plain.metrics.frame())


def test_one_bad_lever_leaves_the_others_working(baseline):
    initial = L.lever_values(baseline)
    viz = VizModel(
        root=str(SCENARIOS),
        scenario_file="baseline.yaml",
        seed="x1",
        levers={**initial, "army_accuracy": 0.9, "recruit_rate": 7.0, "attack_rate": "lots"},
    )
    mali = next(i for i, s in enumerate(viz.config.states) if s.country == "ML")
    assert viz.config.states[mali].army_accuracy == 0.9
    assert viz.viz_overrides == [(f"states.{mali}.army_accuracy", 0.9)]
    assert viz.config.mechanisms.insurgency.recruit_rate == baseline.mechanisms.insurgency.recruit_rate
    assert set(viz.lever_errors) == {"recruit_rate", "attack_rate"}
    assert "between 0 and 0.5" in viz.lever_errors["recruit_rate"]
    assert viz.lever_errors["attack_rate"] == "enter a number"
    assert viz.seed_error == "not a whole number" and viz.seed_value == baseline.seed
    assert VizModel(root=str(SCENARIOS), scenario_file="baseline.yaml", seed="7").seed_value == 7


def test_historical_levers_move_one_at_a_time():
    """Issue 17: with historical.yaml one refused slider made every slider ignored."""
    historical = load_scenario(SCENARIOS / "historical.yaml")
    initial = L.lever_values(historical)
    overrides, errors = L.checked_overrides(historical, {**initial, "legitimacy": 0.3, "peacekeepers": -5}, initial)
    assert set(errors) == {"peacekeepers"}
    assert [path.rsplit(".", 1)[-1] for path, _ in overrides] == ["legitimacy"]


def test_scenario_and_its_extends_stay_inside_the_folder(tmp_path):
    room = tmp_path / "room"
    room.mkdir()
    (tmp_path / "base.yaml").write_text((SCENARIOS / "baseline.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (room / "child.yaml").write_text("extends: ../base.yaml\nname: child\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="outside the scenario folder") as err:
        VizModel(root=str(room), scenario_file="child.yaml")
    assert str(tmp_path) not in err.value.message
    with pytest.raises(ScenarioError) as err:
        VizModel(root=str(SCENARIOS), scenario_file="../pyproject.toml")
    assert str(SCENARIOS) not in str(err.value)


def test_page_settings(monkeypatch):
    from sahel_sim.viz.app import build_run, read_settings

    settings = read_settings({"SAHEL_VIZ_ROOT": str(SCENARIOS), "SAHEL_VIZ_SCENARIO": "baseline_gradual_2y.yaml"})
    assert settings.files == tuple(L.list_scenarios(SCENARIOS)) and settings.compare_file is None
    run, problem = build_run(settings, settings.scenario_file, None, "", {})
    assert problem is None and run.models[0].config.name == "baseline_gradual_2y"
    run, problem = build_run(settings, "../pyproject.toml", None, "", {})
    assert run is None and "not one of the scenario files offered" in problem and str(SCENARIOS) not in problem
