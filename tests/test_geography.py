import numpy as np
import pandas as pd
import pytest

from sahel_sim.model.geography import (
    SUPPORTED_RESOLUTIONS,
    Geography,
    load_borders,
    load_geography,
)

NAMED = {
    "Bamako": "ML",
    "Mopti": "ML",
    "Gao": "ML",
    "Timbuktu": "ML",
    "Kidal": "ML",
    "Ménaka": "ML",
    "Ouagadougou": "BF",
    "Niamey": "NE",
    "Nouakchott": "MR",
    "N'Djamena": "TD",
}


@pytest.fixture(scope="module")
def geo() -> Geography:
    return load_geography(0.5)


def city(geo: Geography, name: str) -> pd.Series:
    # names are not unique across countries (there is a Gao in Burkina Faso)
    c = geo.cities
    rows = c[(c["name"] == name) & (c["iso_a2"] == NAMED.get(name, c["iso_a2"]))]
    assert len(rows) == 1, f"{name}: {len(rows)} rows"
    return rows.iloc[0]


def country_at(geo: Geography, name: str) -> str:
    c = city(geo, name)
    return geo.country_codes[geo.country[c["x"], c["y"]]]


def countries_table() -> pd.DataFrame:
    from importlib.resources import files

    path = files("sahel_sim") / "data" / "geography" / "countries.csv"
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, keep_default_na=False)


def test_shapes_and_types(geo):
    assert geo.country.shape == (geo.width, geo.height) == (86, 36)
    assert geo.country.dtype == np.int16
    assert geo.population.dtype == np.float64
    assert geo.country_codes[0] == "--"
    assert len(geo.country_codes) == len(geo.country_names)
    assert (geo.lon0, geo.lat0) == (-18.0, 8.0)


def test_named_cities_present(geo):
    for name, iso in NAMED.items():
        assert city(geo, name)["iso_a2"] == iso
    capitals = set(geo.cities.loc[geo.cities["is_capital"], "name"])
    assert {"Bamako", "Ouagadougou", "Niamey", "Nouakchott", "N'Djamena"} <= capitals


@pytest.mark.parametrize("res", SUPPORTED_RESOLUTIONS)
@pytest.mark.parametrize("name", sorted(NAMED))
def test_city_cell_in_its_country(name, res):
    assert country_at(load_geography(res), name) == NAMED[name]


def test_bamako_is_malis_largest_cell(geo):
    c = city(geo, "Bamako")
    ml = np.where(geo.mask("ML"), geo.population, 0.0)
    assert np.unravel_index(np.argmax(ml), ml.shape) == (c["x"], c["y"])
    assert geo.population[c["x"], c["y"]] > 4e6


def test_bamako_in_south_west_of_mali(geo):
    xs, ys = np.nonzero(geo.mask("ML"))
    c = city(geo, "Bamako")
    assert c["x"] < np.median(xs) and c["y"] < np.median(ys)


@pytest.mark.parametrize("res", SUPPORTED_RESOLUTIONS)
def test_country_totals_match_table(res):
    g = load_geography(res)
    table = countries_table()
    for _, row in table.iterrows():
        if row["index"] == 0:
            continue
        mask = g.country == row["index"]
        if not mask.any():
            continue
        total = g.population[mask].sum()
        assert total == pytest.approx(row["population_in_box"], rel=0.01), row["iso_a2"]


def test_core_countries_complete():
    table = countries_table().set_index("iso_a2")
    g = load_geography(0.5)
    for iso in ("ML", "BF", "NE", "MR"):
        total = g.population[g.mask(iso)].sum()
        assert total == pytest.approx(table.loc[iso, "population_total"], rel=0.01), iso


def test_population_non_negative_and_empty_sea(geo):
    assert (geo.population >= 0).all()
    assert geo.population[~geo.land()].sum() < 1.0


def test_sahara_emptier_than_south(geo):
    ml = geo.mask("ML")
    _, ys = np.nonzero(ml)
    north = ml.copy()
    north[:, : int(np.percentile(ys, 75))] = False
    south = ml.copy()
    south[:, int(np.percentile(ys, 25)) :] = False
    assert geo.population[north].mean() * 20 < geo.population[south].mean()


def test_resolutions_consistent():
    totals = [load_geography(r).population.sum() for r in SUPPORTED_RESOLUTIONS]
    assert totals[1] == pytest.approx(totals[0], rel=0.01)
    assert totals[2] == pytest.approx(totals[0], rel=0.01)
    for iso in ("ML", "NE", "TD"):
        per = [load_geography(r).population[load_geography(r).mask(iso)].sum() for r in SUPPORTED_RESOLUTIONS]
        assert per[2] == pytest.approx(per[0], rel=0.01)
    assert load_geography(0.25).width == 2 * load_geography(0.5).width


def test_unsupported_resolution():
    with pytest.raises(ValueError, match=r"0\.5, 0\.25, 0\.125"):
        load_geography(1.0)


def test_cached(geo):
    assert load_geography(0.5) is geo


@pytest.mark.parametrize("res", SUPPORTED_RESOLUTIONS)
def test_cell_round_trip(res):
    g = load_geography(res)
    for x, y in [(0, 0), (g.width - 1, g.height - 1), (g.width // 3, g.height // 2)]:
        lat, lon = g.cell_centre(x, y)
        assert g.cell_of(lat, lon) == (x, y)
    lat, lon = 12.64, -8.0
    clat, clon = g.cell_centre(*g.cell_of(lat, lon))
    assert abs(clat - lat) <= res / 2 and abs(clon - lon) <= res / 2


def test_cell_of_outside_raises(geo):
    with pytest.raises(ValueError):
        geo.cell_of(30.0, 0.0)
    with pytest.raises(ValueError):
        geo.cell_of(12.0, -20.0)
    with pytest.raises(ValueError):
        geo.cell_centre(geo.width, 0)


def test_mask_unknown_country(geo):
    with pytest.raises(KeyError):
        geo.mask("FR")


def test_borders():
    borders = load_borders()
    for iso in ("ML", "BF", "NE", "MR", "TD"):
        assert borders[iso]["lines"]
        lon, lat = borders[iso]["label"]
        assert -18 <= lon <= 25 and 8 <= lat <= 26
    lon, lat = borders["ML"]["label"]
    assert -12 < lon < 4.5 and 10 < lat < 25
