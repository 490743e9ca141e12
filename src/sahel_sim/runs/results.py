"""The results folder of one run, published whole by :func:`sahel_sim.runs.atomic.publish_folder`.

A folder whose name does not start with a dot is complete: a crash leaves only a ``.tmp-*`` folder,
which nothing reads. Existing folders are never overwritten; a new name gets a numeric suffix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sahel_sim.runs.atomic import publish_folder
from sahel_sim.runs.output import RunOutput
from sahel_sim.runs.provenance import provenance
from sahel_sim.scenario.loading import dump_scenario, scenario_hash

FILES = (
    "manifest.json",
    "scenario.resolved.yaml",
    "timeseries.parquet",
    "timeseries.csv",
    "events.parquet",
    "summary.json",
    "plots",
)


def folder_name(output: RunOutput) -> str:
    """Base name of a run's folder: scenario, seed and the first 8 hex digits of its hash."""
    return f"{output.scenario.name}_seed{output.seed}_{scenario_hash(output.scenario)[:8]}"


def write_results(output: RunOutput, parent: Path, source: str | None = None, overrides: Sequence[str] = ()) -> Path:
    """Write every results file of a run, atomically, under ``parent``.

    Args:
        output: The run.
        parent: Folder that receives the run's folder (created if missing).
        source: Scenario file the run came from, for the manifest.
        overrides: The ``--set`` overrides (``path=value``) applied to it, for the manifest and plots.

    Returns:
        Path of the finished folder.

    """
    from sahel_sim.runs.plots import dashboard, events_map

    overrides = list(overrides)

    def write(tmp: Path) -> None:
        write_tables(output, tmp)
        (tmp / "scenario.resolved.yaml").write_text(dump_scenario(output.scenario), encoding="utf-8")
        (tmp / "plots").mkdir()
        plots = tmp / "plots"
        dashboard(output.timeseries, output.scenario, plots / "dashboard.png", output.seed, overrides=overrides)
        dashboard(output.timeseries, output.scenario, plots / "dashboard_ML.png", output.seed, "ML", overrides)
        events_map(output.events, output.scenario, plots / "events_map.png", overrides)
        manifest = provenance()
        manifest.update(
            {
                "scenario": output.scenario.name,
                "scenario_file": source,
                "overrides": overrides,
                "scenario_sha256": scenario_hash(output.scenario),
                "seed": output.seed,
                "start": output.scenario.start.isoformat(),
                "end": output.scenario.end.isoformat(),
                "weeks": output.summary["weeks"],
                "wall_seconds": round(output.wall_seconds, 3),
                "files": list(FILES),
            }
        )
        _write_json(tmp / "manifest.json", manifest)

    return publish_folder(parent, folder_name(output), write)


def write_tables(output: RunOutput, folder: Path) -> None:
    """Write the data files whose bytes depend only on scenario and seed."""
    output.timeseries.to_parquet(folder / "timeseries.parquet", index=False)
    ts = output.timeseries.copy()
    ts["date"] = ts["date"].dt.strftime("%Y-%m-%d")
    ts.to_csv(folder / "timeseries.csv", index=False, float_format="%.6g")
    output.events.to_parquet(folder / "events.parquet", index=False)
    _write_json(folder / "summary.json", output.summary)


def _write_json(path: Path, data: dict) -> None:
    """Write a mapping as indented JSON (dates and other objects as strings)."""
    path.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")


def read_timeseries(folder: Path | str) -> pd.DataFrame:
    """Read a results folder's weekly table."""
    return pd.read_parquet(Path(folder) / "timeseries.parquet")
