"""Replay one run of a sweep into a normal results folder (which the browser viewer can open)."""

from __future__ import annotations

import json
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


def design_point(sweep_dir: Path | str, record: dict) -> tuple[dict, list[str]]:
    """What the manifest of an exported run records about its place in the sweep.

    Args:
        sweep_dir: The sweep folder.
        record: The run's row of the runs table (see :func:`run_record`).

    Returns:
        The design point (sweep name and folder, run id, point index and id, replicate, seed and the
        point's varied values, dotted path to value) and every override applied to the base
        scenario (``path=value``: the sweep's ``set``, then the varied values).
    """
    from sahel_sim.runs.results import value_text

    info = json.loads((Path(sweep_dir) / "spec.json").read_text(encoding="utf-8"))
    values = {key: record.get(key) for key in info["varied"]}
    items = [*((k, v) for k, v in info.get("set", [])), *values.items()]
    return {
        "sweep": info["spec"].get("name"),
        "sweep_folder": str(sweep_dir),
        "sweep_file": info.get("sweep_file"),
        "base": info["spec"].get("base"),
        "run_id": record["run_id"],
        "point_index": int(record["point_index"]),
        "point_id": record["point_id"],
        "replicate": int(record["replicate"]),
        "seed": int(record["seed"]),
        "values": {k: value_text(v) if not isinstance(v, int | float | bool) else v for k, v in values.items()},
    }, [f"{k}={value_text(v)}" for k, v in items]


def export_run(sweep_dir: Path | str, run_id: str, dest: Path | str) -> Path:
    """Simulate one run of a sweep again and write its results folder under ``dest``.

    The run's resolved scenario is read from ``points/<point_id>.yaml`` and its seed from the runs
    table, so the replay reproduces the run exactly (same weekly table). The folder is named after
    the point's varied values and the replicate (e.g.
    ``baseline__withdrawal.start=2024-01-01,withdrawal.duration_weeks=26_r3_1a2b3c4d``), and its
    manifest records the design point (see :func:`design_point`).

    Args:
        sweep_dir: The sweep folder.
        run_id: The run's id (the ``run_id`` column of ``runs``).
        dest: Parent folder of the results folder.

    Returns:
        The results folder written (see :func:`sahel_sim.runs.results.write_results`).
    """
    from sahel_sim.runs.results import values_label, write_results
    from sahel_sim.runs.runner import simulate

    record = run_record(sweep_dir, run_id)
    point, overrides = design_point(sweep_dir, record)
    scenario_file = Path(sweep_dir) / "points" / f"{record['point_id']}.yaml"
    scenario = load_scenario(scenario_file)
    scenario, drawn = _posterior_draw(Path(sweep_dir), scenario, int(record["seed"]))
    output = simulate(scenario, int(record["seed"]))
    label = values_label({k: record.get(k) for k in point["values"]}) or f"point{point['point_index']}"
    return write_results(
        output,
        Path(dest),
        source=str(scenario_file),
        overrides=overrides,
        label=label,
        design_point=point,
        posterior=drawn,
    )


def _posterior_draw(sweep_dir: Path, scenario, seed: int):
    """The point's scenario with the parameter set the run drew, for a sweep run with ``--posterior``.

    The values come from the sweep's ``posterior_draws.csv`` (written at the sweep's start, exact to
    the last bit), so the replay needs no posterior file.

    Returns:
        The scenario to simulate, and what the manifest records of the draw (None without a posterior).
    """
    import pandas as pd

    from sahel_sim.scenario.loading import with_overrides

    described = json.loads((sweep_dir / "spec.json").read_text(encoding="utf-8")).get("posterior")
    if not described:
        return scenario, None
    draws = pd.read_csv(sweep_dir / "posterior_draws.csv")
    row = draws[draws["seed"] == seed]
    if row.empty:
        raise ScenarioError(str(sweep_dir), None, None, f"posterior_draws.csv has no row for seed {seed}")
    values = {k: float(row.iloc[0][k]) for k in described["parameters"]}
    scenario = with_overrides(scenario, values.items(), label=str(sweep_dir / "posterior_draws.csv"))
    return scenario, {**described, "draw": int(row.iloc[0]["draw"]), "values": values}
