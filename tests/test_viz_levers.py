"""The browser view's sliders and model adapter, without a browser."""

from __future__ import annotations

import datetime as dt
import inspect
import os
from pathlib import Path

import pytest

pytest.importorskip("solara", reason="the viz extra (solara) is not installed")

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
        param = lever.user_param(values[lever.name])
        assert param["min"] <= param["value"] <= param["max"], lever.name
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


def test_adapter_signature_suits_mesa():
    params = inspect.signature(VizModel.__init__).parameters
    assert set(L.LEVER_NAMES) <= set(params)
    # Mesa passes its own Scenario object to a constructor that takes ``scenario`` or **kwargs.
    assert "scenario" not in params
    assert all(p.kind is not p.VAR_KEYWORD for p in params.values())


def test_adapter_without_moved_sliders_is_the_plain_model(baseline):
    initial = L.lever_values(baseline)
    viz = VizModel(root=str(SCENARIOS), scenario_file="baseline.yaml", seed="", initial=initial, **initial)
    plain = SahelModel(baseline)
    assert viz.viz_overrides == [] and viz.viz_error is None
    assert scenario_hash(viz.config) == scenario_hash(baseline)
    for _ in range(3):
        viz.step()
        plain.step()
    assert viz.metrics.frame().equals(plain.metrics.frame())


def test_adapter_applies_sliders_and_reports_bad_input(baseline):
    initial = L.lever_values(baseline)
    viz = VizModel(
        root=str(SCENARIOS),
        scenario_file="baseline.yaml",
        seed="7",
        initial=initial,
        **{**initial, "army_accuracy": 0.9},
    )
    mali = next(i for i, s in enumerate(viz.config.states) if s.country == "ML")
    assert viz.config.states[mali].army_accuracy == 0.9 and viz.seed_value == 7
    assert viz.viz_overrides == [(f"states.{mali}.army_accuracy", 0.9)]
    bad = VizModel(
        root=str(SCENARIOS),
        scenario_file="baseline.yaml",
        seed="x1",
        initial=initial,
        **{**initial, "army_accuracy": 7.0},
    )
    assert "sliders ignored" in bad.viz_error and "seed ignored" in bad.viz_error
    assert scenario_hash(bad.config) == scenario_hash(baseline)
    with pytest.raises(ScenarioError):
        VizModel(root=str(SCENARIOS), scenario_file="../pyproject.toml")


def test_page_settings_are_valid_mesa_model_params(monkeypatch):
    from mesa.visualization.solara_viz import _check_model_params, split_model_params

    from sahel_sim.viz.app import read_settings

    settings = read_settings({"SAHEL_VIZ_ROOT": str(SCENARIOS), "SAHEL_VIZ_SCENARIO": "baseline_gradual_2y.yaml"})
    _check_model_params(VizModel.__init__, settings.model_params)
    user, fixed = split_model_params(settings.model_params)
    assert set(fixed) == {"root", "initial"}
    assert user["scenario_file"]["values"] == L.list_scenarios(SCENARIOS)
    assert user["withdrawal_weeks"]["value"] == 104
    model = VizModel(**settings.model_kwargs())
    assert model.config.name == "baseline_gradual_2y" and model.viz_overrides == []
