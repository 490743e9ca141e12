"""Reading and comparing a sweep folder's tables in tests (volatile columns dropped, rows in order)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: Columns of runs.parquet that legitimately differ between two sweeps of the same spec.
VOLATILE = ["wall_seconds", "finished_at", "attempts", "code_hash"]


def tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The runs, timeseries and final tables of a sweep folder, sorted and without volatile columns."""
    runs = pd.read_parquet(folder / "runs").drop(columns=VOLATILE)
    return {
        "runs": runs.sort_values("run_id").reset_index(drop=True),
        "timeseries": pd.read_parquet(folder / "timeseries")
        .sort_values(["run_id", "date", "area"])
        .reset_index(drop=True),
        "final": pd.read_parquet(folder / "final").sort_values(["run_id", "area"]).reset_index(drop=True),
    }


def assert_same(a: Path, b: Path) -> None:
    """Assert two sweep folders hold exactly the same tables."""
    left, right = tables(a), tables(b)
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], check_exact=True, obj=name)
