"""Table layouts of a sweep folder: the runs table's schema and the final-metrics table.

The runs table has one fixed Arrow schema per sweep, built from the design before anything runs, so
that every part file agrees (a varied parameter that is sometimes ``null`` still has one type).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

from sahel_sim.analysis.sweep.seeds import canonical_json
from sahel_sim.model.metrics import METRICS

#: Columns of the runs table before and after the varied parameters.
RUN_ID_COLUMNS = [
    ("run_id", pa.string()),
    ("status", pa.string()),
    ("point_index", pa.int64()),
    ("point_id", pa.string()),
    ("replicate", pa.int64()),
]
RUN_TAIL_COLUMNS = [
    ("seed_root", pa.int64()),
    ("seed_key", pa.int64()),
    ("seed", pa.int64()),
    ("wall_seconds", pa.float64()),
    ("attempts", pa.int64()),
    ("finished_at", pa.string()),
    ("code_hash", pa.string()),
    ("error", pa.string()),
]
#: Weekly metrics summed over the run (flows); every other metric is reported at the last week.
FLOWS = tuple(name for name, (unit, _) in METRICS.items() if unit.endswith("/week"))

Converter = Callable[[Any], Any]


def param_column(values: Sequence[Any]) -> tuple[pa.DataType, Converter]:
    """Arrow type of a varied parameter's column and how to convert each value to it.

    Numbers, dates, booleans and strings keep their type (``null`` allowed); anything else
    (mappings, lists, mixtures) is stored as canonical JSON text.

    Args:
        values: Every value the parameter takes in the design.
    """
    present = [v for v in values if v is not None]

    def every(kind: type | tuple) -> bool:
        return all(isinstance(v, kind) and not (kind is not bool and isinstance(v, bool)) for v in present)

    if present and all(isinstance(v, bool) for v in present):
        return pa.bool_(), lambda v: v
    if every(int):
        return pa.int64(), lambda v: v
    if every((int, float)):
        return pa.float64(), lambda v: None if v is None else float(v)
    if every(dt.date) and not any(isinstance(v, dt.datetime) for v in present):
        return pa.date32(), lambda v: v
    if every(str):
        return pa.string(), lambda v: v
    return pa.string(), lambda v: None if v is None else canonical_json(v)


def runs_schema(params: dict[str, pa.DataType]) -> pa.Schema:
    """Schema of the runs table for a sweep that varies ``params`` (dotted path to Arrow type)."""
    return pa.schema([*RUN_ID_COLUMNS, *params.items(), *RUN_TAIL_COLUMNS])


def final_metrics(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Per-area totals and final values of a run's weekly table.

    Args:
        timeseries: One run's weekly rows (``date``, ``area``, metric columns).

    Returns:
        One row per area: ``total_<flow>`` (events, deaths), ``final_<level>`` (value at the last
        week, e.g. ``final_stability_index`` 0-100, ``final_displaced`` people), and
        ``mean_stability_index`` / ``min_stability_index`` over the run (0-100).
    """
    groups = timeseries.sort_values("date", kind="stable").groupby("area", sort=False)
    flows = [c for c in FLOWS if c in timeseries.columns]
    levels = [c for c in timeseries.columns if c not in ("date", "area") and c not in flows]
    out = pd.concat(
        [
            groups[flows].sum().add_prefix("total_"),
            groups[levels].last().add_prefix("final_"),
            groups["stability_index"].mean().rename("mean_stability_index"),
            groups["stability_index"].min().rename("min_stability_index"),
        ],
        axis=1,
    )
    return out.reset_index()
