"""Overrides that cannot take effect are errors; every override is recorded and shown."""

from __future__ import annotations

import json

import pytest

from sahel_sim.runs.plots import overrides_line
from sahel_sim.scenario.loading import ScenarioError, load_scenario


def test_withdrawal_start_on_a_dated_withdrawal_is_refused(cli, baseline_path, tmp_path):
    out = tmp_path / "out"
    result = cli(
        "run", baseline_path, "--set", "peacekeepers.withdrawal.start=2024-01-01", "--weeks", "2", "--out", out
    )
    assert result.status == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err
    assert "peacekeepers.withdrawal.start" in lines[0]
    assert "dates" in lines[0] and "cannot take effect" in lines[0]
    assert not out.exists()


@pytest.mark.parametrize("field", ["start=2024-01-01", "end=2024-01-01", "duration_weeks=10"])
def test_every_field_the_dates_make_ignored_is_refused(baseline_path, field):
    with pytest.raises(ScenarioError, match="cannot take effect"):
        load_scenario(baseline_path, [f"peacekeepers.withdrawal.{field}"])


def test_the_same_override_takes_effect_once_dates_are_cleared(baseline_path):
    scenario = load_scenario(
        baseline_path,
        [
            "peacekeepers.withdrawal.dates=null",
            "peacekeepers.withdrawal.start=2024-01-01",
            "peacekeepers.withdrawal.duration_weeks=26",
        ],
    )
    assert scenario.peacekeepers.withdrawal.start.isoformat() == "2024-01-01"


def test_overrides_are_in_the_manifest_and_the_subtitle(cli, baseline_path, tmp_path, fast_plots, monkeypatch):
    import sahel_sim.runs.plots as plots

    shown = []
    stub = plots.dashboard

    def recording(*args, **kwargs):
        shown.append(kwargs.get("overrides", args[5] if len(args) > 5 else None))
        stub(*args, **kwargs)

    monkeypatch.setattr(plots, "dashboard", recording)
    out = tmp_path / "out"
    sets = ["factions.JNIM.recruitment=1.5", "peacekeepers.withdrawal=null"]
    argv = ["run", baseline_path, "--weeks", "2", "--out", out, "--quiet"]
    for item in sets:
        argv += ["--set", item]
    assert cli(*argv).status == 0
    (folder,) = out.iterdir()
    assert json.loads((folder / "manifest.json").read_text())["overrides"] == sets
    assert shown == [sets, sets]
    assert overrides_line(sets) == "overrides: " + ", ".join(sets)
    assert overrides_line([]) == ""


def test_a_run_without_overrides_records_an_empty_list(cli, baseline_path, tmp_path, fast_plots):
    out = tmp_path / "out"
    assert cli("run", baseline_path, "--weeks", "1", "--out", out, "--quiet").status == 0
    (folder,) = out.iterdir()
    assert json.loads((folder / "manifest.json").read_text())["overrides"] == []
