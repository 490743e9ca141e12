"""Error messages that help: a file given to the wrong command, missing files, list items in sweeps.

Every case keeps the contract of ``test_cli_errors.py`` (status 2, one line on stderr naming the file
and line, nothing on stdout, nothing written) and adds what the line must say to get the user going.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SCENARIO_DIR
from test_cli_errors import Case, assert_clean_error

SWEEP = SCENARIO_DIR / "sweeps" / "withdrawal_timing.yaml"
CALIBRATION = SCENARIO_DIR / "calibration" / "mali_2012_2022.yaml"


def sweep_file(tmp_path: Path, body: str, name: str = "sweep.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"base: {SCENARIO_DIR / 'baseline.yaml'}\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["run", "validate", "hindcast"])
def test_a_sweep_file_given_to_a_scenario_command_is_named(cli, tmp_path, command):
    out = tmp_path / "out"
    extra = ["--out", str(out)] if command != "validate" else []
    result = cli(command, SWEEP, *extra)
    line = f"{SWEEP}:{SWEEP.read_text().splitlines().index('base: ../baseline.yaml') + 1}:"
    message = assert_clean_error(result, Case(SWEEP, where=line), out)
    assert "this is a sweep file" in message
    assert f"python -m sahel_sim sweep {SWEEP}" in message
    assert "Field required" not in message


def test_a_calibration_file_given_to_run_or_sweep_says_calibrate(cli, tmp_path):
    out = tmp_path / "out"
    for args in (["run", CALIBRATION, "--out", out], ["sweep", CALIBRATION, "--out", out]):
        message = assert_clean_error(cli(*args), Case(CALIBRATION, where=str(CALIBRATION)), out)
        assert "this is a calibration file" in message and "python -m sahel_sim calibrate" in message


def test_a_scenario_given_to_sweep_or_calibrate_says_run(cli, baseline_path, tmp_path):
    out = tmp_path / "out"
    for command in ("sweep", "calibrate"):
        result = cli(command, baseline_path, "--out", out)
        message = assert_clean_error(result, Case(baseline_path, where=str(baseline_path)), out)
        assert "this is a scenario file" in message and f"python -m sahel_sim run {baseline_path}" in message


def test_a_misspelt_scenario_file_gets_a_suggestion_from_its_folder(cli, tmp_path):
    wrong = SCENARIO_DIR / "basline.yaml"
    out = tmp_path / "out"
    message = assert_clean_error(cli("run", wrong, "--out", out), Case(wrong, where=str(wrong)), out)
    assert "not found" in message and f"did you mean '{SCENARIO_DIR / 'baseline.yaml'}'" in message


def test_nothing_close_means_no_suggestion(cli, tmp_path):
    wrong = SCENARIO_DIR / "zzzz_qqqq.yaml"
    message = assert_clean_error(cli("validate", wrong), Case(wrong, where=str(wrong)), tmp_path / "out")
    assert "not found" in message and "did you mean" not in message


def test_a_misspelt_extends_points_at_its_line_with_a_suggestion(cli, tmp_path, write_scenario):
    write_scenario("name: real\n", "baseline.yaml")
    child = write_scenario("name: child\nextends: basline.yaml\n", "child.yaml")
    message = assert_clean_error(cli("validate", child), Case(child, where=f"{child}:2:"), tmp_path / "out")
    assert "extends" in message and "'basline.yaml' not found" in message
    assert f"did you mean '{tmp_path / 'baseline.yaml'}'" in message


def test_a_misspelt_sweep_base_points_at_its_line(cli, tmp_path):
    (tmp_path / "baseline.yaml").write_text("name: x\n", encoding="utf-8")
    spec = tmp_path / "s.yaml"
    spec.write_text("vary:\n  seed_x: [1, 2]\nbase: basline.yaml\n", encoding="utf-8")
    out = tmp_path / "out"
    message = assert_clean_error(cli("sweep", spec, "--out", out), Case(spec, where=f"{spec}:3:"), out)
    assert "base" in message and "did you mean" in message and "baseline.yaml" in message


@pytest.mark.parametrize("bad", [1, 2])
def test_a_bad_date_in_a_one_line_list_names_its_index(cli, tmp_path, bad):
    dates = ["2023-01-01", "2023-07-01", "2024-01-01"]
    dates[bad] = "2023-13-01"
    spec = sweep_file(tmp_path, f"vary:\n  peacekeepers.withdrawal.start: [{', '.join(dates)}]\n")
    out = tmp_path / "out"
    message = assert_clean_error(cli("sweep", spec, "--out", out), Case(spec, where=f"{spec}:3:"), out)
    assert f"vary.peacekeepers.withdrawal.start.{bad}:" in message


def test_a_value_the_schema_refuses_names_its_list_item_and_line(cli, tmp_path):
    body = (
        "set:\n  peacekeepers.withdrawal.dates: null\n  peacekeepers.withdrawal.duration_weeks: 26\n"
        "vary:\n  peacekeepers.withdrawal.start:\n    - 2023-01-01\n    - 2023-07-01\n    - '2023-02-30'\n"
    )
    spec = sweep_file(tmp_path, body)
    out = tmp_path / "out"
    message = assert_clean_error(cli("sweep", spec, "--out", out), Case(spec, where=f"{spec}:9:"), out)
    assert "item 2" in message and "2023-02-30" in message
