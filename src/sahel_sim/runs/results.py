"""The results folder of one run: written into a hidden temporary folder, then renamed into place.

A folder whose name does not start with a dot is complete: a crash leaves only a ``.tmp-*`` folder,
which nothing reads. Existing folders are never overwritten; a new name gets a numeric suffix.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sahel_sim.runs.provenance import provenance
from sahel_sim.runs.runner import RunOutput
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

    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=parent))
    try:
        write_tables(output, tmp)
        (tmp / "scenario.resolved.yaml").write_text(dump_scenario(output.scenario), encoding="utf-8")
        (tmp / "plots").mkdir()
        overrides = list(overrides)
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
        _make_readable(tmp)
        return _publish(tmp, parent, folder_name(output))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_tables(output: RunOutput, folder: Path) -> None:
    """Write the data files whose bytes depend only on scenario and seed."""
    output.timeseries.to_parquet(folder / "timeseries.parquet", index=False)
    ts = output.timeseries.copy()
    ts["date"] = ts["date"].dt.strftime("%Y-%m-%d")
    ts.to_csv(folder / "timeseries.csv", index=False, float_format="%.6g")
    output.events.to_parquet(folder / "events.parquet", index=False)
    _write_json(folder / "summary.json", output.summary)


def _make_readable(folder: Path) -> None:
    """Give the folder the permissions a plain mkdir would (mkdtemp makes it private)."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")


def _publish(tmp: Path, parent: Path, base: str) -> Path:
    """Rename the finished temporary folder to the first free name (atomic on one file system)."""
    for n in range(1, 10_000):
        target = parent / (base if n == 1 else f"{base}-{n}")
        if target.exists():
            continue
        try:
            os.rename(tmp, target)
        except OSError:
            if target.exists():  # lost a race with another writer: try the next name
                continue
            raise
        return target
    raise RuntimeError(f"no free folder name for {base} in {parent}")


def read_timeseries(folder: Path | str) -> pd.DataFrame:
    """Read a results folder's weekly table."""
    return pd.read_parquet(Path(folder) / "timeseries.parquet")
