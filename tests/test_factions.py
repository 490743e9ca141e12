"""Armed groups: dated rivalries, separatists kept to their home country, the region's factions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sahel_sim.model.phases import insurgents
from sahel_sim.model.sahel_model import SahelModel
from sahel_sim.scenario.errors import ScenarioError
from sahel_sim.scenario.loading import load_scenario, scenario_to_data, validate
from worlds import faction, scenario

ROOT = Path(__file__).resolve().parents[1]
START = dt.date(2020, 1, 1)
#: Ouatagouna, Mali, about 20 km from Niger's Tillaberi region: a home area on a border.
BORDER = {"lat": 15.18, "lon": 0.72}


def _clash_dates(model: SahelModel) -> list[dt.date]:
    return [e.date for e in model.log.events if e.kind == "clash"]


# ---------------------------------------------------------------- dated rivalries


def test_a_dated_rivalry_fights_only_from_its_date():
    since = START + dt.timedelta(weeks=6)
    sc = scenario(
        weeks=12,
        factions=[
            faction("A", strength=3000, rivals=[{"name": "B", "from": since}]),
            faction("B", strength=3000),
        ],
        mechanisms={"insurgency": {"rival_clash_rate": 1.0}},
    )
    model = SahelModel(sc, seed=2)
    while model.running:
        model.step()
    dates = _clash_dates(model)
    assert dates, "the rivals never clashed after the rivalry's date"
    assert min(dates) >= since


def test_a_plain_rival_fights_from_the_start_and_is_written_back_as_a_name():
    sc = scenario(
        weeks=3,
        factions=[faction("A", strength=3000, rivals=["B"]), faction("B", strength=3000)],
        mechanisms={"insurgency": {"rival_clash_rate": 1.0}},
    )
    assert insurgents.rivalries(sc.factions, START).tolist() == [[False, True], [True, False]]
    assert scenario_to_data(sc)["factions"][0]["rivals"] == ["B"]
    model = SahelModel(sc, seed=2)
    while model.running:
        model.step()
    assert min(_clash_dates(model)) < START + dt.timedelta(weeks=2)


def test_rivalries_hold_on_and_after_the_date_only():
    sc = scenario(factions=[faction("A", rivals=[{"name": "B", "from": dt.date(2020, 3, 1)}]), faction("B")])
    assert not insurgents.rivalries(sc.factions, dt.date(2020, 2, 29)).any()
    assert insurgents.rivalries(sc.factions, dt.date(2020, 3, 1)).tolist() == [[False, True], [True, False]]
    assert scenario_to_data(sc)["factions"][0]["rivals"] == [{"name": "B", "from": dt.date(2020, 3, 1)}]


@pytest.mark.parametrize(
    ("rival", "field", "says"),
    [
        ({"name": "B", "from": "soon"}, "factions.0.rivals.0.from", "date"),
        ({"name": "B", "form": "2020-01-01"}, "factions.0.rivals.0.form", "did you mean 'from'"),
        ({"from": "2020-01-01"}, "factions.0.rivals.0.name", "required"),
        ({"name": "C", "from": "2020-01-01"}, "factions.0.rivals.0", "unknown rival faction 'C'"),
    ],
)
def test_a_bad_rival_names_its_field_on_one_line(rival, field, says):
    data = {
        "name": "tiny",
        "start": START,
        "end": START + dt.timedelta(weeks=2),
        "factions": [faction("A", rivals=[rival]), faction("B")],
    }
    with pytest.raises(ScenarioError) as info:
        validate(data)
    assert info.value.field == field
    assert says in str(info.value) and "\n" not in str(info.value)


# ---------------------------------------------------------------- separatists at home


def _country_code(model: SahelModel, xy) -> str:
    return model.geo.country_codes[int(model.geo.country[xy])]


def _run_border_faction(ideology: str, seed: int = 3) -> tuple[SahelModel, set[str], set[str]]:
    """A strong, aggressive faction on Mali's border with Niger; the countries its bands and deaths were in."""
    sc = scenario(
        weeks=30,
        factions=[faction("S", strength=3000, at=BORDER, ideology=ideology, aggression=5.0, recruitment=5.0)],
    )
    model = SahelModel(sc, seed=seed)
    present: set[str] = set()
    while model.running:
        model.step()
        present |= {_country_code(model, b.xy) for b in model.bands()}
    struck = {e.area for e in model.log.events if e.actor == "S" and e.fatalities > 0}
    return model, present, struck


def test_a_separatist_faction_stays_recruits_and_kills_only_in_its_home_country():
    model, present, struck = _run_border_faction("separatist")
    assert present == {"ML"}
    assert struck and struck <= {"ML"}
    ml = model.geo.country == model.geo.country_codes.index("ML")
    assert not model.faction_cells[0][~ml].any()


def test_a_separatist_faction_recruits_only_its_home_countrys_people():
    both = [
        faction("S", strength=100, at=BORDER, ideology="separatist"),
        faction("J", strength=100, at=BORDER, ideology="jihadist"),
    ]
    model = SahelModel(scenario(weeks=2, factions=both), seed=1)
    model.step()
    pools = insurgents.recruitment_pools(model)
    ml = model.geo.country == model.geo.country_codes.index("ML")
    assert (pools[0] <= pools[1] + 1e-9).all()
    assert (pools[0] < pools[1] - 1.0)[ml].any()  # Malian cells whose window reaches Niger's people
    assert not model.faction_cells[0][~ml].any()


def test_a_jihadist_faction_on_the_same_border_crosses_it():
    """The counterpart of the separatist test: the rule is the separatists', not the border's."""
    _, present, struck = _run_border_faction("jihadist")
    assert (present | struck) - {"ML"}


# ---------------------------------------------------------------- the historical factions


def test_every_start_area_of_a_shipped_scenario_lies_in_its_factions_countries():
    from sahel_sim.model.geography import load_geography

    geo = load_geography(0.5)
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        for f in load_scenario(path).factions:
            for area in f.start_areas:
                code = geo.country_codes[int(geo.country[geo.cell_of(area.lat, area.lon)])]
                assert code in f.countries, f"{path.name}: {f.name} starts in {code}"


@pytest.fixture(scope="module")
def historical_2019() -> SahelModel:
    model = SahelModel(load_scenario(ROOT / "scenarios" / "historical.yaml", ["end=2019-12-31"]), seed=0)
    while model.running:
        model.step()
    return model


def _fighters(model: SahelModel) -> dict[str, float]:
    fighters: dict[str, float] = {}
    for band in model.bands():
        fighters[band.faction.name] = fighters.get(band.faction.name, 0.0) + band.strength
    return fighters


def test_historical_factions_grow_from_small_starts_by_recruitment(historical_2019):
    """IS Sahel starts at a few hundred (not its 2025 size); what it has later is recruitment's doing."""
    config = {f.name: f for f in historical_2019.config.factions}
    assert config["IS Sahel"].initial_strength < 1000  # not its 2025 size
    path = ROOT / "scenarios" / "historical.yaml"
    without = SahelModel(load_scenario(path, ["end=2019-12-31", "factions.IS Sahel.recruitment=0"]), seed=0)
    while without.running:
        without.step()
    assert _fighters(historical_2019).get("IS Sahel", 0.0) > _fighters(without).get("IS Sahel", 0.0)


def test_historical_lake_chad_and_central_mali_actors_kill_where_they_are(historical_2019):
    deaths: dict[tuple[str, str], int] = {}
    for e in historical_2019.log.events:
        deaths[(e.actor, e.area)] = deaths.get((e.actor, e.area), 0) + e.fatalities
    lake = {area: n for (actor, area), n in deaths.items() if actor in ("Boko Haram", "ISWAP") and n}
    assert set(lake) <= {"NE", "TD"} and lake.get("NE", 0) > 0
    macina = {area for (actor, area), n in deaths.items() if actor == "Katiba Macina" and n}
    assert macina == {"ML"}
    assert not {area for (actor, area), n in deaths.items() if actor == "MNLA" and n} - {"ML"}
    first = {e.actor: e.date for e in reversed(historical_2019.log.events)}
    assert first["Boko Haram"] >= dt.date(2015, 2, 6) and first["ISWAP"] >= dt.date(2016, 8, 1)
    clashes = [e.date for e in historical_2019.log.events if e.kind == "clash" and "JNIM" in (e.actor, e.target)]
    assert not [d for d in clashes if d < dt.date(2020, 1, 1)]  # JNIM and IS Sahel fight from 2020


def test_national_armies_fight_only_inside_their_own_country(historical_2019):
    """Burkina Faso's army used to kill about 1,800 a run in Niger and as many in Mali (issue 16)."""
    codes = set(historical_2019.geo.country_codes)
    national = [
        e
        for e in historical_2019.log.events
        if e.actor.endswith(" army") and e.actor[:2] in codes and e.fatalities > 0  # fights, not a post's status
    ]
    assert {e.actor for e in national} >= {"ML army", "BF army"}
    abroad = [(e.actor, e.area) for e in national if e.area != e.actor[:2]]
    assert not abroad, abroad[:5]
