"""Scenario loading: extends, --set overrides, round trip, safe loading, shipped variants."""

from __future__ import annotations

import copy
import datetime as dt
import shutil

import pytest
import yaml

from sahel_sim.scenario.loading import (
    ScenarioError,
    dump_scenario,
    load_scenario,
    scenario_hash,
    scenario_to_data,
    with_overrides,
)
from sahel_sim.scenario.schema import Scenario


@pytest.fixture(scope="module")
def baseline(baseline_path) -> Scenario:
    return load_scenario(baseline_path)


@pytest.fixture
def base_copy(tmp_path, baseline_path):
    """baseline.yaml copied into tmp_path/lib/base.yaml (so children can extend it by name)."""
    target = tmp_path / "lib" / "base.yaml"
    target.parent.mkdir()
    shutil.copyfile(baseline_path, target)
    return target


def without(data: dict, *paths: str) -> dict:
    out = copy.deepcopy(data)
    for path in paths:
        *parents, last = path.split(".")
        node = out
        for part in parents:
            node = node[part]
        node.pop(last)
    return out


# --- extends ------------------------------------------------------------------------------------


def test_extends_overrides_only_what_differs(write_scenario, base_copy, baseline):
    child = write_scenario(
        "extends: base.yaml\n"
        "name: child\n"
        "seed: 5\n"
        "peacekeepers:\n"
        "  name: MINUSMA-bis\n"
        "mechanisms:\n"
        "  population:\n"
        "    hardship: 0.9\n",
        "lib/child.yaml",
    )
    got = scenario_to_data(load_scenario(child))
    want = scenario_to_data(baseline)
    want["name"] = "child"
    want["seed"] = 5
    want["peacekeepers"]["name"] = "MINUSMA-bis"
    want["mechanisms"]["population"]["hardship"] = 0.9
    assert got == want
    # the nested mappings kept their other entries from the base
    assert got["peacekeepers"]["camps"] == scenario_to_data(baseline)["peacekeepers"]["camps"]


def test_extends_lists_replace_not_merge(write_scenario, base_copy, baseline):
    child = write_scenario(
        "extends: base.yaml\n"
        "name: one_faction\n"
        "factions:\n"
        "  - name: CSP\n"
        "    ideology: separatist\n"
        "    initial_strength: 100\n"
        "    start_areas: [{lat: 18.44, lon: 1.41}]\n"
        "shocks: []\n",
        "lib/child.yaml",
    )
    scenario = load_scenario(child)
    assert [f.name for f in scenario.factions] == ["CSP"]
    assert scenario.factions[0].initial_strength == 100
    assert scenario.factions[0].recruitment == 1.0  # schema default, not the base's 0.5 for CSP
    assert scenario.shocks == ()
    assert scenario.states == baseline.states


def test_extends_chain_and_relative_to_the_file(write_scenario, base_copy, tmp_path, monkeypatch):
    write_scenario("extends: base.yaml\nname: middle\nseed: 11\n", "lib/middle.yaml")
    leaf = write_scenario("extends: lib/middle.yaml\nname: leaf\n", "leaf.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # 'extends' is resolved next to the file, not in the cwd
    scenario = load_scenario(leaf)
    assert (scenario.name, scenario.seed) == ("leaf", 11)


def test_extends_null_removes_a_base_value(write_scenario, base_copy, baseline):
    child = write_scenario("extends: base.yaml\nname: stay\npeacekeepers:\n  withdrawal: null\n", "lib/stay.yaml")
    scenario = load_scenario(child)
    assert scenario.peacekeepers.withdrawal is None
    assert scenario.peacekeepers.camps == baseline.peacekeepers.camps


def test_error_in_child_points_at_child_line(write_scenario, base_copy):
    child = write_scenario("extends: base.yaml\nname: child\n\nseed: -4\n", "lib/child.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    err = info.value
    assert (err.file, err.line, err.field) == (str(child), 4, "seed")


def test_error_in_base_points_at_base_line(write_scenario, base_copy, line_of):
    text = base_copy.read_text().replace("legitimacy: 0.45", "legitimacy: 4.5", 1)
    base_copy.write_text(text)
    child = write_scenario("extends: base.yaml\nname: child\n", "lib/child.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    err = info.value
    assert err.file == str(base_copy)
    assert err.line == line_of(text, "legitimacy: 4.5")
    assert err.field == "states.0.legitimacy"


def test_error_in_list_replaced_by_child_points_at_child(write_scenario, base_copy):
    child = write_scenario(
        "extends: base.yaml\n"
        "name: child\n"
        "shocks:\n"
        "  - {date: 2023-01-01, country: ML, size: 0.1}\n"
        "  - {date: 2023-02-01, country: ML, size: 7}\n",
        "lib/child.yaml",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert (info.value.file, info.value.line, info.value.field) == (str(child), 5, "shocks.1.size")


def test_extends_must_be_a_string(write_scenario):
    path = write_scenario("name: x\nextends: [a.yaml, b.yaml]\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert (info.value.line, info.value.field) == (2, "extends")


# --- overrides ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "path", "value"),
    [
        ("seed=5", ("seed",), 5),
        ("end=2022-03-01", ("end",), dt.date(2022, 3, 1)),
        ("factions.JNIM.recruitment=2", ("factions", 0, "recruitment"), 2.0),
        ("factions.1.aggression=3", ("factions", 1, "aggression"), 3.0),
        ("peacekeepers.camps.Kidal.weight=2.5", ("peacekeepers", "camps", 7, "weight"), 2.5),
        (
            "peacekeepers.withdrawal.dates.Kidal=2023-11-02",
            ("peacekeepers", "withdrawal", "dates", "Kidal"),
            dt.date(2023, 11, 2),
        ),
        ("mechanisms.population.vision_km=200", ("mechanisms", "population", "vision_km"), 200.0),
        ("states.1.legitimacy=0.3", ("states", 1, "legitimacy"), 0.3),
        ("peacekeepers.withdrawal=null", ("peacekeepers", "withdrawal"), None),
    ],
)
def test_set_changes_exactly_one_field(baseline_path, baseline, override, path, value):
    scenario = load_scenario(baseline_path, [override])
    got, want = scenario_to_data(scenario), scenario_to_data(baseline)
    node = want
    for part in path[:-1]:
        node = node[part]
    assert node[path[-1]] != value
    node[path[-1]] = value
    assert got == want


def test_several_overrides_apply_in_order(baseline_path):
    scenario = load_scenario(baseline_path, ["seed=1", "seed=2", "factions.CSP.recruitment=0"])
    assert scenario.seed == 2
    assert scenario.factions[2].recruitment == 0.0


def test_overrides_apply_after_extends(write_scenario, base_copy):
    child = write_scenario("extends: base.yaml\nname: child\nseed: 5\n", "lib/child.yaml")
    assert load_scenario(child, ["seed=6"]).seed == 6


def test_override_is_validated_again(baseline_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(baseline_path, ["factions.JNIM.civilian_targeting=1.5"])
    assert info.value.field in ("factions.0.civilian_targeting", "factions.JNIM.civilian_targeting")
    # a cross-field check runs again too
    with pytest.raises(ScenarioError) as info:
        load_scenario(baseline_path, ["factions.IS Sahel.rivals=[Ansar Dine]"])
    assert "rivals" in str(info.value)


def test_with_overrides_leaves_the_original_alone(baseline):
    before = scenario_to_data(baseline)
    changed = with_overrides(baseline, [("seed", 9), ("factions.JNIM.aggression", 2.0)])
    assert (changed.seed, changed.factions[0].aggression) == (9, 2.0)
    assert scenario_to_data(baseline) == before


def test_override_value_read_as_yaml(baseline_path):
    scenario = load_scenario(baseline_path, ["factions.JNIM.rivals=[IS Sahel, CSP]"])
    assert [r.name for r in scenario.factions[0].rivals] == ["IS Sahel", "CSP"]


# --- round trip ---------------------------------------------------------------------------------


def test_dump_loads_back_equal_for_every_shipped_scenario(shipped_scenarios, tmp_path):
    for source in shipped_scenarios:
        scenario = load_scenario(source)
        path = tmp_path / f"{source.stem}.resolved.yaml"
        path.write_text(dump_scenario(scenario), encoding="utf-8")
        again = load_scenario(path)
        assert again == scenario, source.name
        assert scenario_hash(again) == scenario_hash(scenario)
        assert "extends" not in yaml.safe_load(path.read_text())


def test_dump_round_trip_keeps_overrides(baseline_path, tmp_path):
    scenario = load_scenario(baseline_path, ["seed=3", "factions.CSP.recruitment=1.5", "mechanisms.combat=" + "{}"])
    path = tmp_path / "resolved.yaml"
    path.write_text(dump_scenario(scenario), encoding="utf-8")
    assert load_scenario(path) == scenario


def test_scenario_hash_tracks_content(baseline):
    assert scenario_hash(baseline) == scenario_hash(with_overrides(baseline, []))
    assert scenario_hash(baseline) != scenario_hash(with_overrides(baseline, [("seed", 1)]))


# --- safe loading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        "!!python/name:os.system",
        "!!python/object:builtins.dict {{}}",
    ],
)
def test_python_tags_refused(write_scenario, tmp_path, tag):
    marker = tmp_path / "ran"
    path = write_scenario(f"start: 2022-01-01\nend: 2022-02-01\nname: {tag.format(marker=marker)}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert not marker.exists()
    assert info.value.file == str(path)
    assert info.value.line == 3


def test_alias_bomb_refused(write_scenario):
    lines = ["name: bomb", "start: 2022-01-01", "end: 2022-02-01", "l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):  # 10**12 strings if it were expanded
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    path = write_scenario("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.file == str(path)


def test_recursive_alias_refused(write_scenario):
    path = write_scenario("name: loop\nstart: 2022-01-01\nend: 2022-02-01\nx: &a [*a]\n")
    with pytest.raises(ScenarioError):
        load_scenario(path)


def test_oversized_file_refused(write_scenario):
    path = write_scenario("name: big\n# " + "x" * 2_000_000 + "\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.file == str(path)


def test_aliases_within_limits_still_work(write_scenario):
    path = write_scenario(
        "name: anchors\nstart: &s 2022-01-01\nend: 2022-03-01\nshocks:\n  - {date: *s, country: ML, size: -0.1}\n"
    )
    scenario = load_scenario(path)
    assert scenario.shocks[0].date == scenario.start


def test_scenario_error_text(write_scenario):
    path = write_scenario("name: x\nstart: 2022-01-01\nend: 2022-02-01\nseed: many\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = str(info.value)
    assert text.startswith(f"{path}:4: seed:")
    assert "\n" not in text


def test_minimal_scenario_gets_defaults(write_scenario):
    scenario = load_scenario(write_scenario("name: tiny\nstart: 2022-01-01\nend: 2022-01-29\n"))
    assert scenario.weeks == 4
    assert scenario.peacekeepers is None and scenario.factions == ()
    assert scenario.mechanisms == Scenario.model_fields["mechanisms"].default


# --- shipped variants ---------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["baseline_gradual_2y", "baseline_delayed_2025", "baseline_no_withdrawal"])
def test_variant_differs_only_in_withdrawal(variant, baseline_path):
    baseline = load_scenario(baseline_path.parent / "baseline.yaml")
    scenario = load_scenario(baseline_path.parent / f"{variant}.yaml")
    got, base = scenario_to_data(scenario), scenario_to_data(baseline)
    assert got["name"] == variant
    assert got["peacekeepers"]["withdrawal"] != base["peacekeepers"]["withdrawal"]
    keep = ("name", "description", "peacekeepers.withdrawal")
    assert without(got, *keep) == without(base, *keep)


def test_variants_close_the_same_camps(baseline, baseline_path):
    camps = {c.name for c in baseline.peacekeepers.camps}
    base_closing = baseline.peacekeepers.withdrawal.closing_dates(baseline.peacekeepers.camps)
    for variant in ("baseline_gradual_2y", "baseline_delayed_2025"):
        force = load_scenario(baseline_path.parent / f"{variant}.yaml").peacekeepers
        closing = force.withdrawal.closing_dates(force.camps)
        assert set(closing) == camps
        for a in camps:
            for b in camps:
                if base_closing[a] < base_closing[b]:
                    assert closing[a] <= closing[b], (variant, a, b)
