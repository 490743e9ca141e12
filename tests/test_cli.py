"""The command line: help, version, validate, run options, params, and the real entry points."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

import sahel_sim
from sahel_sim.scenario.parameters import Mechanisms, iter_parameters


def only_folder(out: Path) -> Path:
    folders = [p for p in out.iterdir()]
    assert len(folders) == 1, folders
    return folders[0]


def weeks_and_end(folder: Path) -> tuple[int, str]:
    manifest = json.loads((folder / "manifest.json").read_text())
    ts = pd.read_parquet(folder / "timeseries.parquet")
    assert manifest["weeks"] == ts["date"].nunique()
    return int(ts["date"].nunique()), manifest["end"]


# --- help and version ---------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["validate", "--help"], ["params", "--help"]])
def test_help_shows_usage_and_an_example(cli, argv):
    result = cli(*argv)
    assert result.status == 0
    assert "usage:" in result.out
    assert "example:" in result.out and "python -m sahel_sim" in result.out


def test_run_help_lists_the_options(cli):
    out = cli("run", "--help").out
    for option in ("--out", "--seed", "--until", "--weeks", "--set", "--quiet"):
        assert option in out


def test_top_level_help_lists_the_commands(cli):
    out = cli("--help").out
    for command in ("run", "validate", "params"):
        assert command in out


def test_version(cli):
    result = cli("--version")
    assert result.status == 0
    assert result.out.strip() == f"sahel_sim {sahel_sim.__version__}"


def test_no_command_is_a_usage_error(cli):
    result = cli()
    assert result.status == 2
    assert "usage:" in result.err and "Traceback" not in result.err


def test_unknown_option_is_a_usage_error(cli, baseline_path):
    result = cli("run", baseline_path, "--sed", "3")
    assert result.status == 2 and "usage:" in result.err


def test_weeks_and_until_are_exclusive(cli, baseline_path, tmp_path):
    result = cli("run", baseline_path, "--weeks", "3", "--until", "2022-02-01", "--out", tmp_path / "o")
    assert result.status == 2
    assert not (tmp_path / "o").exists()


# --- validate -----------------------------------------------------------------------------------


def test_validate_accepts_every_shipped_scenario(cli, shipped_scenarios):
    result = cli("validate", *shipped_scenarios)
    assert result.status == 0, result.err
    assert result.err == ""
    lines = result.out.strip().splitlines()
    assert len(lines) == len(shipped_scenarios)
    for line, path in zip(lines, shipped_scenarios, strict=True):
        assert line.startswith("ok") and str(path) in line


def test_validate_reports_a_bad_scenario(cli, write_scenario, baseline_data):
    baseline_data["peacekeepers"]["withdrawl"] = baseline_data["peacekeepers"].pop("withdrawal")
    bad = write_scenario(baseline_data)
    result = cli("validate", bad)
    assert result.status == 2
    assert str(bad) in result.err and "withdrawal" in result.err
    assert result.out == ""


def test_validate_writes_nothing(cli, shipped_scenarios, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli("validate", *shipped_scenarios)
    assert list(tmp_path.iterdir()) == []


# --- run options --------------------------------------------------------------------------------


@pytest.mark.parametrize("weeks", [3, 5])
def test_weeks_sets_the_length(cli, baseline_path, tmp_path, fast_plots, weeks):
    out = tmp_path / "out"
    assert cli("run", baseline_path, "--weeks", weeks, "--out", out, "--quiet").status == 0
    n, end = weeks_and_end(only_folder(out))
    assert n == weeks
    assert end == (dt.date(2022, 1, 1) + dt.timedelta(weeks=weeks)).isoformat()


@pytest.mark.parametrize(("until", "weeks"), [("2022-02-05", 5), ("2022-02-01", 5), ("2022-01-22", 3)])
def test_until_sets_the_end(cli, baseline_path, tmp_path, fast_plots, until, weeks):
    out = tmp_path / "out"
    assert cli("run", baseline_path, "--until", until, "--out", out, "--quiet").status == 0
    assert weeks_and_end(only_folder(out)) == (weeks, until)


def test_seed_option(cli, baseline_path, tmp_path, fast_plots):
    out = tmp_path / "out"
    result = cli("run", baseline_path, "--weeks", 2, "--seed", 4242, "--out", out, "--quiet")
    assert result.status == 0
    folder = only_folder(out)
    assert json.loads((folder / "manifest.json").read_text())["seed"] == 4242
    assert json.loads((folder / "summary.json").read_text())["seed"] == 4242


def test_set_option_reaches_the_run(cli, baseline_path, tmp_path, fast_plots):
    out = tmp_path / "out"
    result = cli(
        "run",
        baseline_path,
        "--weeks",
        2,
        "--out",
        out,
        "--quiet",
        "--set",
        "factions.JNIM.recruitment=2.5",
        "--set",
        "name=tweaked",
    )
    assert result.status == 0
    resolved = (only_folder(out) / "scenario.resolved.yaml").read_text()
    assert "name: tweaked" in resolved and "recruitment: 2.5" in resolved


def test_quiet_prints_only_the_folder(cli, baseline_path, tmp_path, fast_plots):
    out = tmp_path / "out"
    result = cli("run", baseline_path, "--weeks", 2, "--out", out, "--quiet")
    assert result.status == 0
    assert result.err == ""
    lines = result.out.splitlines()
    assert len(lines) == 1
    assert Path(lines[0]) == only_folder(out)


def test_not_quiet_reports_progress_on_stderr(cli, baseline_path, tmp_path, fast_plots):
    out = tmp_path / "out"
    result = cli("run", baseline_path, "--weeks", 2, "--out", out)
    assert result.status == 0
    folder = only_folder(out)
    assert result.out.strip() == str(folder)  # stdout stays machine-readable
    assert "running cold_start_2022: 2022-01-01 to" in result.err and str(folder) in result.err


def test_default_out_is_results_in_the_working_directory(cli, baseline_path, tmp_path, monkeypatch, fast_plots):
    monkeypatch.chdir(tmp_path)
    result = cli("run", baseline_path, "--weeks", 1, "--quiet")
    assert result.status == 0
    assert only_folder(tmp_path / "results").is_dir()


# --- params -------------------------------------------------------------------------------------


def test_params_lists_every_parameter_with_its_unit(cli):
    result = cli("params")
    assert result.status == 0
    rows = {line.split()[0]: line for line in result.out.splitlines()[1:] if line.strip()}
    expected = list(iter_parameters(Mechanisms, "mechanisms."))
    assert len(expected) > 20
    assert set(rows) == {path for path, _ in expected}
    for path, info in expected:
        assert info.json_schema_extra["unit"] in rows[path], path
    assert "km" in rows["mechanisms.population.vision_km"]


# --- real entry points --------------------------------------------------------------------------


def test_python_dash_m(cli_process, baseline_path, tmp_path):
    version = cli_process("--version")
    assert version.status == 0 and "sahel_sim" in version.out
    result = cli_process("run", baseline_path, "--weeks", 1, "--out", "runs", "--quiet")
    assert result.status == 0, result.err
    assert "Traceback" not in result.err
    folder = Path(result.out.strip())
    assert (tmp_path / folder).is_dir() and (tmp_path / folder).parent == tmp_path / "runs"


def _console_script() -> str | None:
    """The ``sahel-sim`` script of this Python's environment, else the one on PATH."""
    beside = Path(sys.executable).with_name("sahel-sim")
    return str(beside) if beside.is_file() else shutil.which("sahel-sim")


@pytest.mark.skipif(
    _console_script() is None,
    reason="no sahel-sim script beside this Python or on PATH: the package is not installed in this environment",
)
def test_console_script(cli_process, baseline_path):
    script = _console_script()
    result = cli_process("validate", baseline_path, program=[script])
    assert result.status == 0 and result.out.startswith("ok")
    assert cli_process("--help", program=[script]).status == 0
