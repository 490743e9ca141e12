"""The shipped scenarios are package data and commands find them by name from any folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from sahel_sim.scenario.catalog import SCENARIO_DIR, find_scenario, shipped_names
from sahel_sim.scenario.errors import ScenarioError


def test_shipped_names_cover_the_scenario_tree():
    names = shipped_names()
    assert {"baseline", "historical", "sweeps/withdrawal_timing", "calibration/mali_2012_2022"} <= set(names)
    assert all((SCENARIO_DIR / f"{n}.yaml").is_file() for n in names)


@pytest.mark.parametrize(
    ("given", "file"),
    [
        ("baseline", "baseline.yaml"),
        ("historical.yaml", "historical.yaml"),
        ("sweeps/withdrawal_timing", "sweeps/withdrawal_timing.yaml"),
        ("scenarios/minusma_stays.yaml", "minusma_stays.yaml"),
    ],
)
def test_a_name_resolves_to_the_shipped_file(given, file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no scenarios/ here
    assert Path(find_scenario(given)) == SCENARIO_DIR / file


def test_an_existing_path_wins_over_a_shipped_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").write_text("name: mine\n")
    assert find_scenario("baseline") == "baseline"


def test_an_unknown_name_is_one_line_with_the_closest_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as info:
        find_scenario("sweeps/withdrawal_timin")
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith("sweeps/withdrawal_timin: file not found")
    assert "did you mean 'sweeps/withdrawal_timing'?" in text


def test_a_name_cannot_escape_the_scenario_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError):
        find_scenario("../scenario/schema.py")


def test_commands_take_names_from_any_folder(cli, tmp_path, monkeypatch, fast_plots):
    monkeypatch.chdir(tmp_path)
    ok = cli("validate", "baseline", "historical")
    assert ok.status == 0, ok.err
    assert ok.out.count("ok:") == 2
    sweep = cli("sweep", "sweeps/withdrawal_timing", "--check")
    assert sweep.status == 0, sweep.err
    assert "grid design" in sweep.out
    run = cli("run", "baseline", "--weeks", 1, "--out", "runs", "--quiet")
    assert run.status == 0, run.err
    assert (tmp_path / run.out.strip()).is_dir()


def test_an_unknown_name_exits_2_with_one_line(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("run", "baselin", "--weeks", 1, "--out", "runs")
    assert result.status == 2
    assert result.err.strip().splitlines() == [
        "error: baselin: file not found, nor a shipped scenario of that name; did you mean 'baseline'?"
    ]
    assert not (tmp_path / "runs").exists()


def test_the_source_tree_link_points_at_the_package_data():
    link = Path(__file__).resolve().parents[1] / "scenarios"
    assert link.resolve() == SCENARIO_DIR
