"""The historical scenario, its withdrawal counterfactuals, and the hindcast against 2012-2022."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from importlib.resources import files
from pathlib import Path

import pytest

from sahel_sim.scenario.loading import load_scenario, scenario_to_data, with_overrides

pytestmark = pytest.mark.slow

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
HISTORICAL = SCENARIO_DIR / "historical.yaml"
COUNTERFACTUALS = ("minusma_stays.yaml", "withdrawal_gradual_2y.yaml", "withdrawal_delayed_2025.yaml")
CAMP_CLOSURE = ("camp_closed",)


def camp_dates() -> dict[str, dt.date]:
    """Closing date of every MINUSMA camp, from the package's copy of minusma_camps.csv."""
    path = files("sahel_sim") / "data" / "reference" / "minusma_camps.csv"
    with path.open("r", encoding="utf-8") as handle:
        return {row["camp"]: dt.date.fromisoformat(row["closed"]) for row in csv.DictReader(handle)}


def test_historical_and_counterfactuals_validate(cli):
    paths = [HISTORICAL, *(SCENARIO_DIR / name for name in COUNTERFACTUALS)]
    result = cli("validate", *paths)
    assert result.status == 0, result.err
    assert len(result.out.strip().splitlines()) == 4


@pytest.mark.parametrize("name", COUNTERFACTUALS)
def test_counterfactual_differs_from_historical_only_in_the_withdrawal(name):
    base = scenario_to_data(load_scenario(HISTORICAL))
    other = scenario_to_data(load_scenario(SCENARIO_DIR / name))
    assert other["peacekeepers"]["withdrawal"] != base["peacekeepers"]["withdrawal"]
    for data in (base, other):
        data["peacekeepers"].pop("withdrawal")
        data.pop("name")
        data.pop("description")
    assert other == base


def test_counterfactual_withdrawals_keep_the_camps_and_their_order():
    camps = [c.name for c in load_scenario(HISTORICAL).peacekeepers.camps]
    stays = load_scenario(SCENARIO_DIR / "minusma_stays.yaml")
    assert stays.peacekeepers.withdrawal is None
    gradual = load_scenario(SCENARIO_DIR / "withdrawal_gradual_2y.yaml").peacekeepers.withdrawal
    assert (gradual.start, gradual.duration_weeks, list(gradual.order)) == (dt.date(2023, 7, 1), 104, camps)
    delayed = load_scenario(SCENARIO_DIR / "withdrawal_delayed_2025.yaml").peacekeepers.withdrawal
    assert delayed.start == dt.date(2025, 1, 1) and list(delayed.order) == camps


def test_historical_closes_every_camp_in_the_week_of_its_real_date():
    from sahel_sim.runs.runner import simulate

    dates = camp_dates()
    scenario = load_scenario(HISTORICAL)
    assert {c.name for c in scenario.peacekeepers.camps} == set(dates)
    assert dict(scenario.peacekeepers.withdrawal.dates) == dates
    short = with_overrides(scenario, [("start", dt.date(2023, 6, 1)), ("end", dt.date(2024, 1, 31))])
    events = simulate(short).events
    closed = events[events["kind"].isin(CAMP_CLOSURE)]
    when = {t: d.date() for t, d in zip(closed["target"], closed["date"], strict=True)}
    assert len(when) == len(closed), "a camp closed twice"
    due = {name: date for name, date in dates.items() if date <= short.end}
    assert set(when) == set(due), "camps closing in the window (Gao and Bamako HQ stay open)"
    for name, date in due.items():
        # The model closes a camp in the first weekly step on or after its date.
        assert date <= when[name] < date + dt.timedelta(days=7), (name, date, when[name])


def test_short_hindcast_through_the_cli_writes_four_files_with_finite_stats(cli, tmp_path):
    result = cli("hindcast", HISTORICAL, "--seeds", "3", "--until", "2014-12-31", "--out", tmp_path)
    assert result.status == 0, result.err
    folder = tmp_path / result.out.strip().splitlines()[-1].rsplit("/", 1)[-1]
    assert sorted(p.name for p in folder.iterdir()) == ["hindcast.csv", "hindcast.json", "hindcast.png", "skill.csv"]
    info = json.loads((folder / "hindcast.json").read_text(encoding="utf-8"))
    assert info["years"] == [2012, 2013, 2014] and len(info["seeds"]) == 3
    assert info["target_measure"] == "ucdp_all_organised_violence_deaths"
    assert len(info["scenario_sha256"]) == 64 and "versions" in info["provenance"]
    for key in ("spearman_rho", "pearson_r", "mean_abs_log10_error"):
        assert math.isfinite(info["stats"][key]), key
    rows = list(csv.DictReader((folder / "hindcast.csv").open(encoding="utf-8")))
    assert [int(r["year"]) for r in rows] == [2012, 2013, 2014]
    assert [float(r["observed"]) for r in rows] == [328, 830, 280]
    for r in rows:
        assert float(r["sim_q05"]) <= float(r["sim_median"]) <= float(r["sim_q95"])
    assert (folder / "hindcast.png").read_bytes().startswith(b"\x89PNG")
    assert "mean_abs_log10_error" in result.out


def test_hindcast_does_not_depend_on_the_number_of_workers():
    from sahel_sim.analysis.hindcast import hindcast

    scenario = with_overrides(load_scenario(HISTORICAL), [("end", dt.date(2012, 12, 31))])
    one = hindcast(scenario, [3, 4], years=(2012, 2012), workers=1)
    two = hindcast(scenario, [3, 4], years=(2012, 2012), workers=2)
    assert one.simulated.equals(two.simulated)
    assert one.table.equals(two.table)


def test_yearly_deaths_share_a_week_between_years_by_its_days():
    import pandas as pd

    from sahel_sim.analysis.hindcast import yearly_deaths

    ts = pd.DataFrame(
        {"date": pd.to_datetime(["2012-12-24", "2012-12-29"]), "area": ["ML", "ML"], "fatalities_total": [7.0, 7.0]}
    )
    years = yearly_deaths(ts)
    assert years.to_dict() == {2012: 7.0 + 3.0, 2013: 4.0}


def test_mali_army_series_counts_one_force_so_it_never_jumps():
    """One definition (military and paramilitary) in every dated point: no step of more than 25 % a year.

    Before issue 16 the 2020 point counted the army only and the 2022 point army, gendarmerie and
    National Guard, so the series grew 18,000 -> 35,000 (39 % a year) in two years.
    """
    for path in (HISTORICAL, SCENARIO_DIR / "baseline.yaml"):
        ml = next(s for s in load_scenario(path).states if s.country == "ML")
        points = sorted((p.date, p.personnel) for p in ml.army_strength)
        for (d0, n0), (d1, n1) in zip(points, points[1:], strict=False):
            years = (d1 - d0).days / 365.25
            assert (n1 / n0) ** (1 / years) < 1.25, (path.name, d0, n0, d1, n1)
    hist = next(s for s in load_scenario(HISTORICAL).states if s.country == "ML")
    base = next(s for s in load_scenario(SCENARIO_DIR / "baseline.yaml").states if s.country == "ML")
    shared = {p.date: p.personnel for p in base.army_strength}
    assert all(p.personnel == shared[p.date] for p in hist.army_strength if p.date in shared)
