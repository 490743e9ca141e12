"""Shared fixtures: shipped scenarios, scenario files written into tmp_path, and CLI runners."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import sahel_sim

REPO = Path(__file__).resolve().parents[1]
SCENARIO_DIR = REPO / "scenarios"
#: A scenario without a spin-up that mechanism tests change and run (four fast years from 2022).
BASELINE = SCENARIO_DIR / "cold_start_2022.yaml"
#: The ``src`` folder the tests import sahel_sim from (handed to child processes).
SRC = Path(sahel_sim.__file__).resolve().parents[1]


@dataclass
class CliResult:
    """Exit status and captured streams of one command line invocation."""

    status: int
    out: str
    err: str


@pytest.fixture(scope="session")
def baseline_path() -> Path:
    return BASELINE


@pytest.fixture(scope="session")
def shipped_scenarios() -> list[Path]:
    files = sorted(SCENARIO_DIR.glob("*.yaml"))
    assert BASELINE in files
    return files


@pytest.fixture(scope="session")
def _baseline_data_cached() -> dict:
    return yaml.safe_load(BASELINE.read_text(encoding="utf-8"))


@pytest.fixture
def baseline_data(_baseline_data_cached) -> dict:
    """The baseline scenario as plain YAML data (a fresh copy each test may change)."""
    return copy.deepcopy(_baseline_data_cached)


def dump_yaml(data: dict) -> str:
    """Block-style YAML of ``data`` (one key per line, so line numbers are easy to find)."""
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)


@pytest.fixture
def write_scenario(tmp_path):
    """Factory: write a mapping (dumped as YAML), a string or bytes to ``tmp_path/name``."""

    def write(content: dict | str | bytes, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            text = content if isinstance(content, str) else dump_yaml(content)
            path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def line_of():
    """Return the 1-based line number of the only line of ``text`` containing ``needle``."""

    def find(text: str, needle: str) -> int:
        hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
        assert len(hits) == 1, f"{needle!r} found on lines {hits}"
        return hits[0]

    return find


@pytest.fixture
def cli(capsys):
    """Run ``sahel_sim.cli.main.main`` in-process; argparse exits become the returned status."""
    from sahel_sim.cli.main import main

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        try:
            status = main([str(a) for a in args])
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(status, captured.out, captured.err)

    return run


@pytest.fixture
def cli_process(tmp_path):
    """Run ``python -m sahel_sim`` in a child process whose working directory is ``tmp_path``."""

    def run(*args: str | Path, program: list[str] | None = None) -> CliResult:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
        env.pop("PYTHONWARNINGS", None)
        command = (program or [sys.executable, "-m", "sahel_sim"]) + [str(a) for a in args]
        proc = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def fast_plots(monkeypatch):
    """Replace the figure writers by stubs that write a tiny file (for tests not about plots)."""
    import sahel_sim.runs.plots as plots

    def stub(*args, **kwargs):
        path = next(a for a in (*args, *kwargs.values()) if isinstance(a, Path))
        path.write_bytes(b"\x89PNG\r\n\x1a\nstub")

    monkeypatch.setattr(plots, "dashboard", stub)
    monkeypatch.setattr(plots, "events_map", stub)


#: The two parameters the small test posteriors draw (dotted scenario paths).
ATTACK = "mechanisms.insurgency.attack_rate"
LETHALITY = "mechanisms.insurgency.lethality"


@pytest.fixture
def posterior_file(tmp_path):
    """A small posterior: two parameter sets of equal weight, and a third of weight 0 that is never drawn."""
    import numpy as np
    import pandas as pd

    from sahel_sim.scenario.posterior import write_posterior

    sets = pd.DataFrame({ATTACK: [0.3, 0.9, 0.5], LETHALITY: [0.02, 0.2, 0.1]})
    return write_posterior(tmp_path / "posterior.parquet", sets, np.array([1.0, 1.0, 0.0]), {"test": True})
