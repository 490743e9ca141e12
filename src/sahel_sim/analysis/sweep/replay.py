"""Replay one run of a sweep into a normal results folder (which the browser viewer can open)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from sahel_sim.scenario.loading import ScenarioError, load_scenario


def run_record(sweep_dir: Path | str, run_id: str) -> dict:
    """The runs-table row of one run.

    Raises:
        ScenarioError: If the sweep has no such run.
    """
    path = Path(sweep_dir) / "runs" / f"{run_id}.parquet"
    if not path.is_file():
        raise ScenarioError(str(sweep_dir), None, None, f"no run {run_id!r} in this sweep folder")
    return pq.read_table(path).to_pylist()[0]


def export_run(sweep_dir: Path | str, run_id: str, dest: Path | str) -> Path:
    """Simulate one run of a sweep again and write its results folder under ``dest``.

    The run's resolved scenario is read from ``points/<point_id>.yaml`` and its seed from the runs
    table, so the replay reproduces the run exactly (same weekly table).

    Args:
        sweep_dir: The sweep folder.
        run_id: The run's id (the ``run_id`` column of ``runs``).
        dest: Parent folder of the results folder.

    Returns:
        The results folder written (see :func:`sahel_sim.runs.results.write_results`).
    """
    from sahel_sim.runs.results import write_results
    from sahel_sim.runs.runner import simulate

    record = run_record(sweep_dir, run_id)
    scenario_file = Path(sweep_dir) / "points" / f"{record['point_id']}.yaml"
    scenario = load_scenario(scenario_file)
    output = simulate(scenario, int(record["seed"]))
    return write_results(output, Path(dest), source=str(scenario_file))
