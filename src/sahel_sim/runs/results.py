"""The results folder of one run, published whole by :func:`sahel_sim.runs.atomic.publish_folder`.

A folder whose name does not start with a dot is complete: a crash leaves only a ``.tmp-*`` folder,
which nothing reads. Existing folders are never overwritten; a new name gets a numeric suffix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

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


#: Longest label a folder name carries (the whole name stays well below the usual 255-byte limit).
MAX_LABEL = 96
_UNSAFE = re.compile(r"[^A-Za-z0-9._=,+-]+")


def safe_label(text: str, limit: int = MAX_LABEL) -> str:
    """A label fit for a folder name: only ``A-Z a-z 0-9 . _ = , + -``, at most ``limit`` characters.

    Runs of other characters become ``-``; a label that is too long is cut and ends with ``+`` and
    six hex digits of its full text's SHA-256, so two long labels stay distinct.

    Args:
        text: The label, e.g. ``withdrawal.start=2024-01-01``.
        limit: Maximum length, characters.

    Returns:
        The safe label (empty if nothing usable is left).
    """
    safe = _UNSAFE.sub("-", text).strip("-.")
    if len(safe) > limit:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]
        safe = safe[: limit - 7].rstrip("-.,=") + "+" + digest
    return safe


def value_text(value: Any) -> str:
    """A parameter value as written in YAML and ``--set``: ``null``, ``2024-01-01``, ``1.5``, ``[a, b]``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | int | float | str):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


def values_label(values: Mapping[str, Any]) -> str:
    """A short label of dotted-path values: the last two parts of each path, ``=``, the value.

    ``{"peacekeepers.withdrawal.start": date(2024, 1, 1)}`` gives ``withdrawal.start=2024-01-01``; a
    mapping value (or its JSON text, as sweeps store it) gives its scalar entries one by one:
    ``withdrawal.duration_weeks=52,withdrawal.start=2023-08-01`` (lists inside it are left out).
    """
    parts = []
    for key, value in values.items():
        if isinstance(value, str) and value.startswith("{"):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        if isinstance(value, Mapping):
            name = key.split(".")[-1]
            scalars = {k: v for k, v in value.items() if not isinstance(v, list | dict)}
            parts += [f"{name}.{k}={value_text(v)}" for k, v in scalars.items()] or [f"{short_path(key)}=..."]
        else:
            parts.append(f"{short_path(key)}={value_text(value)}")
    return ",".join(parts)


def overrides_label(overrides: Sequence[str]) -> str:
    """The label of ``--set`` overrides (``path=value`` strings), shortened like :func:`values_label`."""
    pairs = [item.partition("=") for item in overrides]
    return ",".join(f"{short_path(k.strip())}={v.strip()}" for k, _, v in pairs)


def short_path(dotted: str) -> str:
    """The end of a dotted path down to its second-last name: ``strength.0.personnel``, ``withdrawal.start``."""
    parts = dotted.split(".")
    named = 0
    for i in range(len(parts) - 1, -1, -1):
        named += not parts[i].isdigit()
        if named == 2:
            return ".".join(parts[i:])
    return dotted


def folder_name(output: RunOutput, label: str | None = None, replicate: int | None = None) -> str:
    """Base name of a run's folder: scenario, label, seed (or replicate) and 8 hex digits of its hash.

    ``baseline_seed20230630_1a2b3c4d`` for a plain run; with a label,
    ``baseline__withdrawal.start=2024-01-01_seed7_1a2b3c4d``; a sweep's run names its replicate
    instead of its (long, derived) seed: ``baseline__withdrawal.start=2024-01-01_r3_1a2b3c4d``.
    """
    label = safe_label(label) if label else ""
    name = output.scenario.name + (f"__{label}" if label else "")
    which = f"r{replicate}" if replicate is not None else f"seed{output.seed}"
    return f"{name}_{which}_{scenario_hash(output.scenario)[:8]}"


def write_results(
    output: RunOutput,
    parent: Path,
    source: str | None = None,
    overrides: Sequence[str] = (),
    label: str | None = None,
    design_point: Mapping[str, Any] | None = None,
    posterior: Mapping[str, Any] | None = None,
) -> Path:
    """Write every results file of a run, atomically, under ``parent``.

    Args:
        output: The run.
        parent: Folder that receives the run's folder (created if missing).
        source: Scenario file the run came from, for the manifest.
        overrides: The overrides applied to it (``path=value``), for the manifest; they also label
            the folder's name unless ``label`` is given.
        label: Short text for the folder's name (made safe and bounded by :func:`safe_label`).
        design_point: For a run of a sweep: the sweep, point, replicate and varied values, recorded
            in the manifest (its ``replicate`` replaces the seed in the folder's name).
        posterior: For a run with ``--posterior``: the file, its hash, the drawn set's index and its
            values, recorded in the manifest; the draw also labels the folder's name.

    Returns:
        Path of the finished folder.

    """
    from sahel_sim.runs.plots import dashboard, events_map

    overrides = list(overrides)
    if label is None and overrides:
        label = overrides_label(overrides)
    if posterior is not None:
        label = "_".join(x for x in (label, f"posterior{posterior['draw']}") if x)
    replicate = design_point.get("replicate") if design_point else None

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
                "weeks": int(output.timeseries["date"].nunique()),
                "wall_seconds": round(output.wall_seconds, 3),
                "files": list(FILES),
            }
        )
        if design_point is not None:
            manifest["design_point"] = dict(design_point)
        if posterior is not None:
            manifest["posterior"] = dict(posterior)
        _write_json(tmp / "manifest.json", manifest)

    return publish_folder(parent, folder_name(output, label, replicate), write)


def write_tables(output: RunOutput, folder: Path) -> None:
    """Write the data files whose bytes depend only on scenario and seed."""
    output.timeseries.to_parquet(folder / "timeseries.parquet", index=False)
    ts = output.timeseries.copy()
    ts["date"] = ts["date"].dt.strftime("%Y-%m-%d")
    ts.to_csv(folder / "timeseries.csv", index=False, float_format="%.6g")
    if output.events is None or output.summary is None:
        raise ValueError("a results folder needs the event log and summary: simulate(..., events=True)")
    output.events.to_parquet(folder / "events.parquet", index=False)
    _write_json(folder / "summary.json", output.summary)


def _write_json(path: Path, data: dict) -> None:
    """Write a mapping as indented JSON (dates and other objects as strings)."""
    path.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")


def read_timeseries(folder: Path | str) -> pd.DataFrame:
    """Read a results folder's weekly table."""
    return pd.read_parquet(Path(folder) / "timeseries.parquet")
