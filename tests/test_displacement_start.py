"""Issue 16: runs start from the registered stock of internally displaced people, who return when it is calm."""

from __future__ import annotations

import datetime as dt

import numpy as np

from sahel_sim.model.displaced_start import registered_on
from sahel_sim.model.phases.posts import distances_km
from sahel_sim.model.sahel_model import SahelModel
from sahel_sim.scenario.schema import Scenario
from worlds import BAMAKO, MOPTI, faction, mali_army


def world(start: dt.date, how: str = "registered", weeks: int = 4) -> Scenario:
    return Scenario.model_validate(
        {
            "name": "idp",
            "start": start,
            "end": start + dt.timedelta(weeks=weeks),
            "states": [mali_army()],
            "factions": [faction(strength=50, at=MOPTI, aggression=0.0, recruitment=0.0)],
            "initial_displacement": how,
        }
    )


def displaced(model: SahelModel, code: str) -> float:
    return float(model.idp[model.geo.country == model.geo.country_codes.index(code)].sum())


def test_registered_stock_is_the_latest_point_on_or_before_the_start():
    assert registered_on("ML", dt.date(2022, 1, 1)) == 350110  # IOM DTM, 31 December 2021
    assert registered_on("ML", dt.date(2021, 12, 30)) == 377781  # July 2021
    assert registered_on("ML", dt.date(2012, 1, 1)) is None  # before the first point (2016)


def test_run_starts_with_the_registered_stock_where_the_insecurity_is():
    model = SahelModel(world(dt.date(2022, 1, 1)), seed=1)
    assert abs(displaced(model, "ML") - 350110) < 1
    assert abs(displaced(model, "BF") - 1_000_000) < 1  # CONASUR, August 2020
    assert displaced(model, "NE") == 0  # no registered points for Niger
    near = distances_km(model, model.geo.cell_of(MOPTI["lat"], MOPTI["lon"])) <= 150
    far = distances_km(model, model.geo.cell_of(BAMAKO["lat"], BAMAKO["lon"])) <= 150
    assert model.idp[near].sum() > 3 * model.idp[far].sum()  # the faction is at Mopti, not Bamako
    assert (model.idp <= model.population + 1e-6).all()
    assert displaced(SahelModel(world(dt.date(2022, 1, 1), how="none"), seed=1), "ML") == 0
    assert displaced(SahelModel(world(dt.date(2015, 1, 1)), seed=1), "ML") == 0  # before Mali's first point


def test_the_registered_displaced_go_home_only_after_calm_weeks():
    sc = world(dt.date(2022, 1, 1), weeks=30)
    model = SahelModel(sc, seed=1)
    calm = sc.mechanisms.population.return_calm_weeks
    start = displaced(model, "ML")
    series = []
    while model.running:
        model.step()
        series.append(displaced(model, "ML"))
    assert series[calm - 2] >= start - 1  # the area starts as not calm: nobody leaves at once
    assert series[-1] < 0.95 * start  # then they return while it stays calm


def test_baseline_places_malis_displaced_mostly_in_its_centre_and_north():
    """IOM DTM, December 2020: 256,000 of Mali's 333,000 IDPs in the Mopti, Gao and Timbuktu regions (77 %)."""
    from pathlib import Path

    from sahel_sim.scenario.loading import load_scenario

    path = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
    model = SahelModel(load_scenario(path), seed=1)
    g = model.geo
    lat = g.lat0 + (np.arange(g.height) + 0.5) * g.resolution
    lon = g.lon0 + (np.arange(g.width) + 0.5) * g.resolution
    LAT, LON = np.meshgrid(lat, lon)
    mali = g.country == g.country_codes.index("ML")
    centre_north = mali & (LAT >= 13.8) & (LON >= -5.5)  # a box standing in for the three regions
    assert model.idp[centre_north].sum() / model.idp[mali].sum() > 0.6
