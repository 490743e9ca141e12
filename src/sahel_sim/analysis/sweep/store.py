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

Every file is written to a hidden temporary name in its folder, flushed to disk (``fsync``), renamed
into place, and the folder is synced after the rename, so a reader (and ``pandas.read_parquet`` on
a folder, which skips names starting with a dot) never sees half a file, and a power cut cannot
leave a zero-length file under a final name. A run's row in ``runs/`` is written last: it is the
mark that the run is finished, and a run id always maps to the same file name, so resuming never
duplicates a run. :meth:`SweepStore.verify` checks every part on ``--resume``; a writer holds an
exclusive lock on ``.lock`` (see :class:`SweepLock`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sahel_sim.scenario.loading import ScenarioError

SUBDIRS = ("runs", "timeseries", "final", "points")
#: Name of a part file: a run id (16 hex digits) and ``.parquet``.
PART = re.compile(r"^[0-9a-f]{16}\.parquet$")
#: The lock file a writing driver holds (hidden, so table readers skip it).
LOCK_NAME = ".lock"


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk; a no-op where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _publish(tmp: Path, path: Path) -> None:
    """Rename a written and synced temporary file into place, then sync the folder."""
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file atomically and durably: a synced hidden temporary file, a rename, a folder sync."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _publish(tmp, path)


def atomic_write_table(path: Path, table: pa.Table) -> None:
    """Write an Arrow table as one Parquet file, atomically and durably (see atomic_write_bytes)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            pq.write_table(table, fh)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _publish(tmp, path)


class SweepLocked(RuntimeError):
    """Another live process is writing the sweep folder."""


class SweepLock:
    """An exclusive ``flock`` on ``<folder>/.lock`` holding the writer's pid.

    The kernel drops the lock when its holder dies, so a lock left by a SIGKILLed driver is stale by
    construction: the next writer takes it and learns the dead holder's pid from the file.

    Args:
        folder: The sweep folder (created if missing).
    """

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK_NAME
        self._fd: int | None = None
        self.stale_pid: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise SweepLocked naming the holder's pid.

        Raises:
            SweepLocked: If another process holds it.
            OSError: If the folder or lock file cannot be made.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"process {holder}" if holder else "another process"
            raise SweepLocked(
                f"{who} is writing this sweep folder now; wait for it to end (or stop it), then --resume"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        previous = _read_pid(fd)
        self.stale_pid = previous if previous and previous != os.getpid() else None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        """Release the lock (the file stays: removing it would race with a new writer)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


@dataclass
class Verified:
    """What :meth:`SweepStore.verify` found.

    Attributes:
        status: Run id -> ``ok`` or ``failed`` for every whole run.
        code_hashes: Code versions of the whole runs.
        damaged: Run id -> what was wrong, for the runs removed so that they run again.
    """

    status: dict[str, str] = field(default_factory=dict)
    code_hashes: set[str] = field(default_factory=set)
    damaged: dict[str, str] = field(default_factory=dict)


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
        """Read one of the folder's JSON files (``spec.json``, ``manifest.json``).

        Raises:
            ScenarioError: If it is missing, unreadable or not a JSON object (the folder is damaged).
        """
        path = self.folder / name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ScenarioError(str(path), None, None, "missing: this is not a whole sweep folder") from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ScenarioError(
                str(path), None, None, f"unreadable ({type(exc).__name__}): the sweep folder is damaged"
            ) from None
        if not isinstance(data, dict):
            raise ScenarioError(str(path), None, None, "not a JSON object: the sweep folder is damaged")
        return data

    def write_json(self, name: str, data: dict) -> None:
        """Write one of the folder's JSON files atomically."""
        write_json(self.folder / name, data)

    def write_point(self, point_id: str, text: str) -> None:
        """Write a design point's resolved scenario YAML unless it is already there."""
        path = self.folder / "points" / f"{point_id}.yaml"
        if not path.exists():
            atomic_write_bytes(path, text.encode("utf-8"))

    def parts(self, name: str) -> list[Path]:
        """The part files of a table (``runs``, ``timeseries``, ``final``), sorted; strays ignored."""
        folder = self.folder / name
        if not folder.is_dir():
            return []
        with os.scandir(folder) as entries:
            return sorted(folder / e.name for e in entries if PART.match(e.name) and e.is_file())

    def finished(self) -> set[str]:
        """Ids of the runs that have a row (finished or failed); reads names only, not data."""
        return {p.name.removesuffix(".parquet") for p in self.parts("runs")}

    def failed(self) -> set[str]:
        """Ids of the runs recorded as failed."""
        if not self.finished():
            return set()
        table = self.read("runs", columns=["run_id", "status"])
        return set(table.loc[table["status"] == "failed", "run_id"])

    def verify(self, expected_rows: dict[str, tuple[int, int]]) -> Verified:
        """Check every part of every run (reads; :meth:`discard` removes the damaged ones).

        A run is whole when its ``runs/`` part is a readable Parquet file of one row naming it and,
        if it succeeded, its ``timeseries/`` and ``final/`` parts are readable with the expected
        number of rows. Runs of other sweeps' ids (not in ``expected_rows``) are left alone.

        Args:
            expected_rows: Run id -> (timeseries rows, final rows) of every run of the plan.

        Returns:
            What was found (nothing is removed).
        """
        found = Verified()
        for path in self.parts("runs"):
            run = path.name.removesuffix(".parquet")
            if run not in expected_rows:
                continue
            problem, status, code = self._check_run(path, run, expected_rows[run])
            if problem is None:
                found.status[run] = status
                if code:
                    found.code_hashes.add(code)
                continue
            found.damaged[run] = problem
        return found

    def discard(self, runs: set[str] | dict[str, str]) -> None:
        """Remove every part of these runs (the runs row first: it is the finished mark)."""
        for run in runs:
            for sub in ("runs", "timeseries", "final"):
                (self.folder / sub / f"{run}.parquet").unlink(missing_ok=True)
        if runs:
            for sub in ("runs", "timeseries", "final"):
                sync_folder(self.folder / sub)

    def _check_run(self, path: Path, run: str, rows: tuple[int, int]) -> tuple[str | None, str, str | None]:
        try:
            table = pq.read_table(path, columns=["run_id", "status", "code_hash"])
        except Exception as exc:  # noqa: BLE001 - any unreadable file is damaged
            return f"runs part unreadable ({type(exc).__name__})", "", None
        if table.num_rows != 1 or table.column("run_id")[0].as_py() != run:
            return "runs part does not hold exactly its run's row", "", None
        status, code = table.column("status")[0].as_py(), table.column("code_hash")[0].as_py()
        if status != "ok":
            return None, status, code
        for sub, want in zip(("timeseries", "final"), rows, strict=True):
            part = self.folder / sub / f"{run}.parquet"
            try:
                got = pq.read_metadata(part).num_rows
            except FileNotFoundError:
                return f"{sub} part missing", status, code
            except Exception as exc:  # noqa: BLE001
                return f"{sub} part unreadable ({type(exc).__name__})", status, code
            if got != want:
                return f"{sub} part has {got} rows, expected {want}", status, code
        return None, status, code

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
        if timeseries is None:  # a failed run: no parts from an earlier attempt may stay
            for sub in ("timeseries", "final"):
                (self.folder / sub / f"{run}.parquet").unlink(missing_ok=True)
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
        if name == "points":
            return pd.read_parquet(self.folder / "points.parquet", **kwargs)
        parts = self.parts(name)
        if not parts:
            raise FileNotFoundError(f"no finished runs in {self.folder / name}")
        return pd.read_parquet([str(p) for p in parts], **kwargs)
