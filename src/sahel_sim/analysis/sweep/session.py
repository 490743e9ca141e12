"""The sweep folder's sessions: checks before a session, the lock, signals, and the manifest's record.

A session is one invocation of the driver on a folder. :func:`check_store` refuses folders that
cannot be used (no writes); :func:`verify_parts` checks a resumed folder's parts and code version;
:func:`stop_on_signals` turns SIGTERM and SIGHUP into :class:`Stopped`; :func:`start_session` and
:func:`finish_session` keep ``manifest.json``'s list of sessions (``running``, ``complete``,
``incomplete``, ``interrupted``, or ``killed`` when a later session found it still ``running``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from sahel_sim.analysis.sweep.plan import SweepPlan
from sahel_sim.analysis.sweep.store import LOCK_NAME, SUBDIRS, SweepStore
from sahel_sim.analysis.sweep.worker import code_hash
from sahel_sim.model.metrics import AREAS
from sahel_sim.scenario.loading import ScenarioError


def remove_if_only_lock(folder: Path, created: bool) -> None:
    """Remove a folder this call created if it holds nothing but the lock (a refusal writes nothing)."""
    if not created:
        return
    with contextlib.suppress(OSError):
        if [e.name for e in folder.iterdir()] == [LOCK_NAME]:
            (folder / LOCK_NAME).unlink()
            folder.rmdir()


class Stopped(BaseException):
    """The driver received SIGTERM or SIGHUP; the sweep stopped cleanly and can be resumed.

    Attributes:
        signum: The signal number.
    """

    def __init__(self, signum: int):
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum

    @property
    def name(self) -> str:
        """The signal's name, e.g. ``SIGTERM``."""
        return signal.Signals(self.signum).name


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn the first SIGTERM or SIGHUP into :class:`Stopped`; later ones are ignored while cleaning up.

    Only in the main thread (elsewhere signals cannot be handled and nothing changes).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signums = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    stopping: list[int] = []

    def stop(signum, frame):
        if stopping:
            return
        stopping.append(signum)
        raise Stopped(signum)

    previous = {s: signal.signal(s, stop) for s in signums}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def verify_parts(plan: SweepPlan, store: SweepStore, allow_code_change: bool) -> tuple[dict[str, str], dict[str, str]]:
    """Check a resumed folder's parts and code version (reads only).

    Returns:
        Run id -> status of every whole run, and run id -> problem of every damaged one.

    Raises:
        ScenarioError: If whole runs were made by another code version and that is not allowed.
    """
    if not store.parts("runs"):
        return {}, {}
    n_areas = len(AREAS) + 1
    weeks = {p.point_id: plan.scenario(p).weeks for p in plan.points}
    expected = {run.run_id: (weeks[run.point.point_id] * n_areas, n_areas) for run in plan.runs()}
    found = store.verify(expected)
    now = code_hash()
    other = sorted(found.code_hashes - {now})
    if other and not allow_code_change:
        raise ScenarioError(
            str(store.folder),
            None,
            None,
            f"its runs were made by code version {', '.join(other)} and this is {now}; resuming would mix "
            "two model versions. Use another --out, or --allow-code-change to mix them anyway",
        )
    return found.status, found.damaged


def check_store(plan: SweepPlan, folder: Path, resume: bool) -> SweepStore:
    """Check that the sweep folder is new, or that a resumed one holds the same spec (no writes).

    Raises:
        ScenarioError: If the folder holds a sweep and ``resume`` is off, or its spec differs.
    """
    store = SweepStore(folder)
    if store.exists():
        if not resume:
            raise ScenarioError(
                str(folder), None, None, "already holds a sweep; use --resume to continue it, or another --out"
            )
        info = store.read_json("spec.json")
        old = str(info.get("spec_hash"))
        if old != plan.spec_hash:
            raise ScenarioError(
                str(plan.spec_file),
                None,
                None,
                f"the sweep in {folder} was made from a different spec (hash "
                f"{old[:12]}, now {plan.spec_hash[:12]}); only 'replicates' may change "
                "on --resume. Use another --out.",
            )
        before = (info.get("spec") or {}).get("replicates", 0)
        if not isinstance(before, int):
            raise ScenarioError(str(folder / "spec.json"), None, "spec.replicates", "damaged: not a whole number")
        if plan.spec.replicates < before:
            raise ScenarioError(
                str(plan.spec_file),
                None,
                "replicates",
                f"the sweep in {folder} already has {before} replicates; on --resume they may only grow",
            )
    elif folder.exists() and any(folder.iterdir()) and not _empty_skeleton(folder):
        raise ScenarioError(str(folder), None, None, "exists and is not a sweep folder; choose another --out")
    return store


def _empty_skeleton(folder: Path) -> bool:
    """Whether a folder holds only what a sweep killed before writing its spec leaves.

    That is its empty sub-folders (and temporary files); no run has finished, so it can be used again.
    """
    for entry in folder.iterdir():
        if entry.name == LOCK_NAME or (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        if entry.name not in SUBDIRS or not entry.is_dir():
            return False
        if any(not e.name.startswith(".") for e in entry.iterdir()):
            return False
    return True


def start_session(store: SweepStore, session: dict, stale_pid: int | None = None) -> None:
    """Record a session as running; an earlier session still marked running was killed.

    Args:
        store: The sweep folder.
        session: The new session's record.
        stale_pid: Pid found in the lock file: a driver that died holding the lock.
    """
    manifest = store.read_json("manifest.json")
    for earlier in manifest.get("sessions", []):
        if earlier.get("status") == "running":
            earlier["status"] = "killed"
            earlier["cleaned_up"] = now()
    if stale_pid is not None:
        session["stale_lock_pid"] = stale_pid
    manifest.update({k: session[k] for k in ("versions", "git_commit", "python", "platform")})
    manifest["sessions"] = [*manifest.get("sessions", []), {**session, "status": "running"}]
    store.write_json("manifest.json", manifest)


def finish_session(store: SweepStore, session: dict, status: str) -> None:
    """Record a session's end: its status, the runs recorded and the total run time so far."""
    manifest = store.read_json("manifest.json")
    finished = store.finished()
    session.update({"ended": now(), "status": status, "runs_recorded": len(finished)})
    manifest["sessions"] = [*manifest["sessions"][:-1], session]
    if finished:
        wall = store.read("runs", columns=["wall_seconds"])["wall_seconds"]
        manifest["run_wall_seconds_total"] = round(float(wall.sum()), 3)
    store.write_json("manifest.json", manifest)


def now() -> str:
    """The time now, UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
