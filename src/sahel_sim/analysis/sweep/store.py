"""The sweep folder on disk: Parquet part files written atomically, one per finished run.

Layout::

    spec.json            spec hash, the validated spec, varied parameters and their kinds
    sweep.yaml           the sweep file as given
    manifest.json        provenance (versions, git commit, Python, platform) and one entry per session
    points.parquet       one row per design point: index, id, seed key, varied values
    points/<id>.yaml     the resolved scenario of each design point (replayable)
    runs/<run_id>.parquet        one row: status, point, replicate, seed material, wall time,
                                 code hash, error (traceback)
    timeseries/<run_id>.parquet  the run's weekly rows with a ``run_id`` column
    final/<run_id>.parquet       the run's per-area totals and final values

Every file is written to a hidden temporary name in its folder and renamed into place, so a reader
(and ``pandas.read_parquet`` on a folder, which skips names starting with a dot) never sees half a
file. A run's row in ``runs/`` is written last: it is the mark that the run is finished, and a run
id always maps to the same file name, so resuming never duplicates a run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SUBDIRS = ("runs", "timeseries", "final", "points")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file atomically: a hidden temporary file in the same folder, then a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def atomic_write_table(path: Path, table: pa.Table) -> None:
    """Write an Arrow table as one Parquet file, atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def write_json(path: Path, data: dict) -> None:
    """Write JSON (indented, dates as strings), atomically."""
    atomic_write_bytes(path, (json.dumps(data, indent=2, default=str) + "\n").encode())


class SweepStore:
    """Reads and writes one sweep folder.

    Args:
        folder: The sweep folder (created by :meth:`create`).
    """

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def exists(self) -> bool:
        """Whether the folder already holds a sweep (its ``spec.json``)."""
        return (self.folder / "spec.json").is_file()

    def create(self) -> None:
        """Make the folder and its sub-folders; remove temporary files a killed writer left."""
        for sub in SUBDIRS:
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("", *SUBDIRS):
            for tmp in (self.folder / sub).glob(".*.tmp"):
                tmp.unlink(missing_ok=True)

    def read_json(self, name: str) -> dict:
        """Read one of the folder's JSON files (``spec.json``, ``manifest.json``)."""
        return json.loads((self.folder / name).read_text(encoding="utf-8"))

    def write_json(self, name: str, data: dict) -> None:
        """Write one of the folder's JSON files atomically."""
        write_json(self.folder / name, data)

    def write_point(self, point_id: str, text: str) -> None:
        """Write a design point's resolved scenario YAML unless it is already there."""
        path = self.folder / "points" / f"{point_id}.yaml"
        if not path.exists():
            atomic_write_bytes(path, text.encode("utf-8"))

    def finished(self) -> set[str]:
        """Ids of the runs that have a row (finished or failed); reads names only, not data."""
        with os.scandir(self.folder / "runs") as entries:
            return {
                e.name.removesuffix(".parquet")
                for e in entries
                if e.name.endswith(".parquet") and not e.name.startswith(".")
            }

    def failed(self) -> set[str]:
        """Ids of the runs recorded as failed."""
        if not self.finished():
            return set()
        table = pd.read_parquet(self.folder / "runs", columns=["run_id", "status"])
        return set(table.loc[table["status"] == "failed", "run_id"])

    def write_run(
        self, row: dict[str, Any], schema: pa.Schema, timeseries: pd.DataFrame | None, final: pd.DataFrame | None
    ) -> None:
        """Record one finished run: its series and final metrics first, its runs row last.

        Args:
            row: The runs-table row (every column of ``schema``).
            schema: The sweep's runs-table schema.
            timeseries: Weekly rows of the run, or None if it failed.
            final: Per-area final metrics, or None if it failed.
        """
        run = row["run_id"]
        if timeseries is not None:
            ts = timeseries.copy()
            ts.insert(0, "run_id", run)
            atomic_write_table(
                self.folder / "timeseries" / f"{run}.parquet", pa.Table.from_pandas(ts, preserve_index=False)
            )
        if final is not None:
            fin = final.copy()
            for i, (name, value) in enumerate(
                [("run_id", run), ("point_index", row["point_index"]), ("replicate", row["replicate"])]
            ):
                fin.insert(i, name, value)
            atomic_write_table(
                self.folder / "final" / f"{run}.parquet", pa.Table.from_pandas(fin, preserve_index=False)
            )
        table = pa.Table.from_pylist([row], schema=schema)
        atomic_write_table(self.folder / "runs" / f"{run}.parquet", table)

    def read(self, name: str, **kwargs: Any) -> pd.DataFrame:
        """Read a whole table of the sweep (``runs``, ``timeseries``, ``final``, ``points``)."""
        path = self.folder / name
        if name == "points":
            path = self.folder / "points.parquet"
        elif not any(path.glob("[!.]*.parquet")):
            raise FileNotFoundError(f"no finished runs in {path}")
        return pd.read_parquet(path, **kwargs)
