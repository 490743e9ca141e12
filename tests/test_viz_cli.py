"""The ``viz`` subcommand's arguments and errors (the server itself: test_viz_browser.py)."""

from __future__ import annotations

import argparse
import importlib.util
import json

import pytest

# find_spec, not importorskip: importing solara here would cost every collecting worker its import
if importlib.util.find_spec("solara") is None:
    pytest.skip("the viz extra (solara) is not installed", allow_module_level=True)

from sahel_sim.cli.viz import solara_command, viz_environment  # noqa: E402


def args(**kw) -> argparse.Namespace:
    return argparse.Namespace(
        **{"scenario": None, "run": None, "compare": None, "host": "127.0.0.1", "port": 8765, **kw}
    )


def test_help_lists_the_options(cli):
    result = cli("viz", "--help")
    assert result.status == 0
    for word in ("--run", "--compare", "--host", "--port", "127.0.0.1"):
        assert word in result.out


def test_environment_for_a_scenario(baseline_path):
    env = viz_environment(args(scenario=str(baseline_path)))
    assert env["SAHEL_VIZ_ROOT"] == str(baseline_path.parent.resolve())
    assert env["SAHEL_VIZ_SCENARIO"] == baseline_path.name and env["SAHEL_VIZ_SEED"] == ""
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_environment_for_a_run(tmp_path, baseline_path):
    (tmp_path / "scenario.resolved.yaml").write_text(baseline_path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps({"seed": 99}), encoding="utf-8")
    env = viz_environment(args(run=str(tmp_path)))
    assert env["SAHEL_VIZ_ROOT"] == str(tmp_path.resolve())
    assert env["SAHEL_VIZ_SCENARIO"] == "scenario.resolved.yaml" and env["SAHEL_VIZ_SEED"] == "99"


def test_bad_input_exits_2_without_starting_a_server(cli, tmp_path, baseline_path):
    outside = tmp_path / "other.yaml"
    outside.write_text(baseline_path.read_text(encoding="utf-8"), encoding="utf-8")
    room = tmp_path / "room"
    room.mkdir()
    (room / "child.yaml").write_text("extends: ../other.yaml\n", encoding="utf-8")
    for argv in (
        ["viz", "--run", str(tmp_path)],
        ["viz", str(tmp_path / "missing.yaml")],
        ["viz", str(baseline_path), "--run", str(tmp_path)],
        ["viz", str(baseline_path), "--port", "70000"],
        ["viz", "--compare", str(baseline_path), str(tmp_path / "missing.yaml")],
        ["viz", "--compare", str(baseline_path), str(outside)],
        ["viz", str(room / "child.yaml")],
    ):
        result = cli(*argv)
        assert result.status == 2, argv
        assert result.err.startswith("error: ") and "Traceback" not in result.err


def test_server_command_binds_the_given_host():
    command = solara_command("127.0.0.1", 9999)
    assert command[1:4] == ["-m", "solara", "run"] and command[3 + 1].endswith("app.py")
    assert command[command.index("--host") + 1] == "127.0.0.1" and "--no-open" in command


def test_environment_for_compare(baseline_path):
    other = baseline_path.with_name("baseline_no_withdrawal.yaml")
    env = viz_environment(args(compare=[str(baseline_path), str(other)]))
    assert env["SAHEL_VIZ_SCENARIO"] == baseline_path.name and env["SAHEL_VIZ_COMPARE"] == "baseline_no_withdrawal.yaml"
    assert env["SAHEL_VIZ_ROOT"] == str(baseline_path.parent.resolve())
    assert env["SOLARA_THEME_TITLE"] == "sahel_sim"
