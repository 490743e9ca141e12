"""The calibration's outputs: the per-point table, the chosen point's years, ``best.yaml`` and the JSON."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sahel_sim.analysis.calibration.config import CalibrationFile
from sahel_sim.analysis.calibration.plot import plot
from sahel_sim.analysis.calibration.scoring import LOSS_DEFINITION, SIMULATED, CalibrationResult
from sahel_sim.analysis.sweep.spec import Range

#: Files written into the calibration folder, besides the ``sweep/`` folder.
FILES = ("calibration.csv", "best_years.csv", "best.yaml", "calibration.json", "calibration.png")


def _sig(value: float, digits: int = 4) -> float | int:
    """A number rounded to ``digits`` significant digits (ints unchanged)."""
    if isinstance(value, int | np.integer):
        return int(value)
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def best_values(result: CalibrationResult, digits: int = 4) -> dict[str, Any]:
    """The chosen point's varied values, floats rounded to ``digits`` significant digits."""
    return {p: _sig(result.best[p], digits) for p in result.parameters}


def overlay(values: dict[str, Any]) -> dict[str, Any]:
    """Nested mapping of dotted paths to values (e.g. ``{"mechanisms": {"insurgency": {...}}}``)."""
    out: dict[str, Any] = {}
    for dotted, value in values.items():
        node = out
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def best_yaml(result: CalibrationResult, cal: CalibrationFile, spec_hash: str, when: str | None = None) -> str:
    """Text of ``best.yaml``: the chosen values as an overlay, with provenance comments."""
    b = result.best
    when = when or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    lines = [
        "# Calibrated mechanism parameters (issue 4), written by `python -m sahel_sim calibrate`.",
        f"# date: {when}",
        f"# calibration file: {cal.path} (sha256 {cal.sha256})",
        f"# sweep spec hash: {spec_hash}; base scenario: {Path(cal.sweep.base).name}",
        f"# design: {cal.sweep.design}, {len(result.points)} points x {cal.sweep.replicates} replicates, "
        f"root seed {cal.sweep.seed}",
        f"# target: {cal.target.measure}, area {cal.target.area}, years {result.years[0]}-{result.years[-1]}",
        f"# {LOSS_DEFINITION}; spearman_weight {cal.target.spearman_weight}",
        f"# chosen: design point {int(b['point_index'])} (id {b['point_id']}), "
        f"{int(b['replicates_ok'])} replicates: loss {b['loss']:.4f}, "
        f"mean_abs_log10_error {b['mean_abs_log10_error']:.4f}, spearman_rho {b['spearman_rho']:.4f}, "
        f"pearson_r {b['pearson_r']:.4f}",
        "# Values rounded to 4 significant digits. Use as an overlay: a scenario that `extends` one",
        "# file and copies this `mechanisms:` block, or --set each dotted path.",
    ]
    body = yaml.safe_dump(overlay(best_values(result)), sort_keys=False, default_flow_style=False)
    return "\n".join(lines) + "\n" + body


def write_outputs(result: CalibrationResult, cal: CalibrationFile, out: Path, spec_hash: str) -> list[Path]:
    """Write ``calibration.csv``, ``best_years.csv``, ``best.yaml``, ``calibration.json`` and the figure.

    Args:
        result: The scored calibration.
        cal: The calibration file.
        out: The calibration folder.
        spec_hash: Hash of the sweep spec (recorded in ``best.yaml``).

    Returns:
        The files written.
    """
    from sahel_sim.analysis.sweep.store import atomic_write_bytes
    from sahel_sim.runs.provenance import provenance

    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    csv = result.points.sort_values("point_index").to_csv(index=False, float_format="%.6g")
    atomic_write_bytes(out / "calibration.csv", csv.encode())
    atomic_write_bytes(out / "best_years.csv", result.best_table.to_csv(index=False, float_format="%.6g").encode())
    atomic_write_bytes(out / "best.yaml", best_yaml(result, cal, spec_hash, when).encode())
    b = result.best
    info = {
        "calibration_file": str(cal.path),
        "calibration_sha256": cal.sha256,
        "date": when,
        "sweep_spec_hash": spec_hash,
        "target": cal.target.model_dump(mode="json"),
        "simulated_measure": f"{SIMULATED} (deaths/year, weekly deaths shared between years by days)",
        "loss": LOSS_DEFINITION,
        "years": result.years,
        "design": cal.sweep.design,
        "points": len(result.points),
        "replicates": cal.sweep.replicates,
        "parameters": {
            p: {"low": _plain(r.low), "high": _plain(r.high)} if isinstance(r, Range) else r
            for p, r in cal.sweep.vary.items()
        },
        "best": {
            "point_index": int(b["point_index"]),
            "point_id": str(b["point_id"]),
            "values": best_values(result),
            "values_exact": {p: _plain(b[p]) for p in result.parameters},
            **{
                k: _finite_or_none(b[k])
                for k in (
                    "replicates_ok",
                    "loss",
                    "mean_abs_log10_error",
                    "mean_log10_bias",
                    "spearman_rho",
                    "pearson_r",
                    "pearson_r_log10",
                    "coverage_90",
                )
            },
        },
        "provenance": provenance(),
        "files": list(FILES),
    }
    atomic_write_bytes(out / "calibration.json", (json.dumps(info, indent=2, default=str) + "\n").encode())
    plot(result, out / "calibration.png", cal.target.spearman_weight)
    return [out / name for name in FILES]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _finite_or_none(value: Any) -> Any:
    value = _plain(value)
    return None if isinstance(value, float) and not math.isfinite(value) else value
