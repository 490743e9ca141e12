"""Model invariants: they hold every week of random valid scenarios, and broken states are caught."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sahel_sim.model import sahel_model
from sahel_sim.model.agents import CampStatus
from sahel_sim.model.invariants import InvariantError, check_invariants
from sahel_sim.model.phases import PHASES, Phase
from sahel_sim.model.sahel_model import SahelModel
from sahel_sim.runs.runner import simulate
from sahel_sim.scenario.loading import load_scenario, with_overrides
from sahel_sim.scenario.parameters import Mechanisms, bounds, iter_parameters
from sahel_sim.scenario.schema import StateConfig

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "cold_start_2022.yaml"
BASE = load_scenario(BASELINE)
MECHANISMS = list(iter_parameters(Mechanisms, "mechanisms."))
STATE_PARAMS = ("legitimacy", "state_capacity", "army_effectiveness", "army_accuracy")
FACTION_PARAMS = {
    "recruitment": (0.0, 5.0),
    "aggression": (0.0, 5.0),
    "civilian_targeting": (0.0, 1.0),
    "international_targeting": (0.0, 1.0),
}
#: Starts that put the short runs before, during and after the withdrawal (camps open, draining, closed).
STARTS = (dt.date(2022, 1, 1), dt.date(2023, 7, 1), dt.date(2023, 10, 14), dt.date(2024, 6, 29))


def bounded_value(info) -> st.SearchStrategy:
    lo, hi = bounds(info)
    if info.annotation is int:
        return st.integers(int(lo), int(hi))
    return st.floats(lo, hi, allow_nan=False)


@st.composite
def valid_scenarios(draw):
    """The baseline with parameters perturbed anywhere within the schema's bounds, run 8-20 weeks."""
    overrides = []
    for path, info in draw(st.lists(st.sampled_from(MECHANISMS), min_size=1, max_size=10, unique_by=lambda p: p[0])):
        overrides.append((path, draw(bounded_value(info))))
    for i in draw(st.lists(st.integers(0, len(BASE.states) - 1), max_size=3, unique=True)):
        name = draw(st.sampled_from(STATE_PARAMS))
        info = StateConfig.model_fields[name]
        lo, hi = bounds(info)
        overrides.append((f"states.{i}.{name}", draw(st.floats(lo, hi))))
    for i in draw(st.lists(st.integers(0, len(BASE.factions) - 1), max_size=2, unique=True)):
        name, (lo, hi) = draw(st.sampled_from(sorted(FACTION_PARAMS.items())))
        overrides.append((f"factions.{i}.{name}", draw(st.floats(lo, hi))))
    start = draw(st.sampled_from(STARTS))
    weeks = draw(st.integers(8, 20))
    overrides += [
        ("start", start),
        ("end", start + dt.timedelta(weeks=weeks)),
        ("seed", draw(st.integers(0, 2**32 - 1))),
    ]
    return with_overrides(BASE, overrides, label="test")


@pytest.mark.slow
@settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=valid_scenarios())
def test_invariants_hold_every_week_of_random_valid_scenarios(scenario):
    model = SahelModel(scenario)
    assert check_invariants(model) == []
    while model.running:
        model.step()
        problems = check_invariants(model)
        assert problems == [], f"week {model.week_index - 1} ({model.date}): {problems}"


# --- deliberately broken states are caught ------------------------------------------------------------


@pytest.fixture(scope="module")
def _stepped() -> SahelModel:
    scenario = with_overrides(BASE, [("start", dt.date(2023, 10, 14)), ("end", dt.date(2023, 12, 9))])
    model = SahelModel(scenario, seed=3)
    for _ in range(4):
        model.step()
    assert check_invariants(model) == []
    assert any(c.status is CampStatus.CLOSED for c in model.camps())
    return model


@pytest.fixture
def model(_stepped) -> SahelModel:
    """The stepped model; each test breaks it only through ``monkeypatch``, so the next gets it whole."""
    return _stepped


def _one(problems: list[str], *words: str) -> str:
    assert len(problems) == 1, problems
    for word in words:
        assert word in problems[0], problems
    return problems[0]


def test_negative_band_strength_is_caught(model, monkeypatch):
    band = model.bands()[0]
    monkeypatch.setattr(band, "strength", -3.0)
    _one(check_invariants(model), "band", f"id {band.unique_id}", "-3.0")


@pytest.mark.parametrize("kind", ["units", "camps", "convoys"])
def test_negative_or_nan_strength_of_any_force_is_caught(model, monkeypatch, kind):
    agents = [a for a in getattr(model, kind)() if getattr(a, "status", None) is not CampStatus.CLOSED]
    if not agents:
        pytest.skip(f"no {kind} in this state")
    monkeypatch.setattr(agents[0], "strength", float("nan"))
    _one(check_invariants(model), kind.rstrip("s"), "nan")


def test_peacekeepers_at_a_closed_camp_are_caught(model, monkeypatch):
    camp = next(c for c in model.camps() if c.status is CampStatus.CLOSED)
    monkeypatch.setattr(camp, "strength", 120.0)
    _one(check_invariants(model), "closed", camp.name, "120")


def test_open_camp_set_to_closed_with_troops_is_caught(model, monkeypatch):
    camp = next(c for c in model.camps() if c.status is not CampStatus.CLOSED and c.strength > 0)
    monkeypatch.setattr(camp, "status", CampStatus.CLOSED)
    _one(check_invariants(model), "closed", camp.name)


def test_people_created_or_lost_uncounted_are_caught(model, monkeypatch):
    population = model.population.copy()
    x, y = np.unravel_index(int(np.argmax(population)), population.shape)
    monkeypatch.setattr(model, "population", population)
    population[x, y] += 5_000
    _one(check_invariants(model), "population not conserved")
    population[x, y] -= 10_000  # now 5,000 people vanished without being counted as deaths
    _one(check_invariants(model), "population not conserved")
    monkeypatch.setattr(model, "civilian_deaths_total", model.civilian_deaths_total + 5_000)
    assert check_invariants(model) == []  # counted as civilian deaths: conserved


@pytest.mark.parametrize("field", ["idp", "refugees", "violence", "abuse", "legitimacy", "refugees_from"])
def test_negative_field_is_caught(model, monkeypatch, field):
    values = getattr(model, field).copy()
    values.flat[0] = -1.0
    monkeypatch.setattr(model, field, values)
    _one(check_invariants(model), "negative", "-1.0")


def test_nan_field_is_caught(model, monkeypatch):
    values = model.violence.copy()
    values.flat[3] = float("nan")
    monkeypatch.setattr(model, "violence", values)
    _one(check_invariants(model), "violence", "non-finite")


def test_control_shares_not_summing_to_one_are_caught(model, monkeypatch):
    share = model.state_share.copy()
    x, y = np.argwhere(model.land)[0]
    share[x, y] *= 0.5
    share[x, y] -= 0.01
    monkeypatch.setattr(model, "state_share", share)
    _one(check_invariants(model), "control shares", "1 land cells")


def test_non_finite_metric_is_caught(model, monkeypatch):
    rows = [dict(r) for r in model.metrics.rows]
    rows[-1]["stability_index"] = math.inf
    rows[-2]["population"] = math.nan
    monkeypatch.setattr(model.metrics, "rows", rows)
    problems = check_invariants(model)
    assert len(problems) == 2 and all("metrics" in p for p in problems), problems
    assert any("stability_index" in p for p in problems) and any("population" in p for p in problems)


def test_earlier_rows_are_not_rechecked(model, monkeypatch):
    rows = [dict(r) for r in model.metrics.rows]
    rows[0]["stability_index"] = math.nan  # week 0: only the last week's rows are checked
    monkeypatch.setattr(model.metrics, "rows", rows)
    assert check_invariants(model) == []


def test_several_problems_are_all_listed(model, monkeypatch):
    monkeypatch.setattr(model.bands()[0], "strength", -1.0)
    monkeypatch.setattr(model, "civilian_deaths_total", model.civilian_deaths_total + 1e6)
    assert len(check_invariants(model)) == 2


# --- simulate(check=True) and run --check -------------------------------------------------------------

SHORT = with_overrides(BASE, [("end", dt.date(2022, 2, 12))])  # 6 weeks


def _break_in_week(monkeypatch, week: int) -> None:
    """Add a phase after the posts that leaves a band with negative strength in ``week``."""

    def corrupt(model):
        if model.week_index == week:
            model.bands()[0].strength = -7.0

    monkeypatch.setattr(sahel_model, "PHASES", (*PHASES, Phase("corrupt", corrupt)))


def test_simulate_check_raises_naming_the_week(monkeypatch):
    _break_in_week(monkeypatch, 5)  # the last of six weeks
    simulate(SHORT)  # without check the broken state goes unnoticed
    with pytest.raises(InvariantError) as info:
        simulate(SHORT, check=True)
    err = info.value
    assert err.week == 5 and err.date == SHORT.start + dt.timedelta(weeks=5)
    assert "week 5 (2022-02-05)" in str(err) and "band" in str(err) and "-7.0" in str(err)
    assert len(err.problems) == 1


def test_check_does_not_change_the_run():
    plain, checked = simulate(SHORT), simulate(SHORT, check=True)
    assert plain.timeseries.equals(checked.timeseries) and plain.events.equals(checked.events)
    assert plain.summary == checked.summary


def test_run_check_end_to_end(cli, tmp_path, fast_plots):
    assert "--check" in cli("run", "--help").out
    out = tmp_path / "results"
    plain = cli("run", BASELINE, "--weeks", 6, "--out", out, "--quiet")
    checked = cli("run", BASELINE, "--weeks", 6, "--out", out, "--quiet", "--check")
    assert plain.status == 0 and checked.status == 0, checked.err
    a, b = Path(plain.out.strip()), Path(checked.out.strip())
    assert (a / "timeseries.csv").read_bytes() == (b / "timeseries.csv").read_bytes()


def test_run_check_stops_at_a_broken_invariant_and_writes_nothing(cli, tmp_path, monkeypatch, fast_plots):
    _break_in_week(monkeypatch, 2)
    out = tmp_path / "results"
    result = cli("run", BASELINE, "--weeks", 6, "--out", out, "--quiet", "--check")
    assert result.status == 1
    assert "week 2" in result.err and "Traceback" not in result.err
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.slow
def test_run_check_in_a_real_process(cli_process, tmp_path):
    result = cli_process("run", BASELINE, "--weeks", 3, "--out", tmp_path / "results", "--quiet", "--check")
    assert result.status == 0, result.err
    assert Path(result.out.strip()).is_dir()


# --- found by the property test ------------------------------------------------------------------------


def test_control_shares_sum_to_one_with_zero_state_capacity():
    scenario = with_overrides(
        BASE, [("states.ML.state_capacity", 0.0), ("default_state.state_capacity", 0.0), ("end", dt.date(2022, 1, 29))]
    )
    model = SahelModel(scenario)
    for _ in range(2):
        model.step()
    assert check_invariants(model) == []
