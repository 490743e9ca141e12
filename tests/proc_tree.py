"""Processes a test started, found through /proc (Linux): descendants of a pid, and waiting for them to end.

Every process is identified by (pid, start time), so a recycled pid is never mistaken for one of ours.
Waits poll a condition with a generous timeout; nothing asserts on durations.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PROC = Path("/proc")


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state letter, start time in clock ticks) of a process, or None if it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0], int(fields[19])


def descendants(root: int) -> dict[int, int]:
    """Every live descendant of ``root``: pid -> start time."""
    parents: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            info = _stat(int(entry.name))
            if info is not None:
                parents.setdefault(info[0], []).append(int(entry.name))
                starts[int(entry.name)] = info[2]
    found, todo = {}, [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found[child] = starts[child]
                todo.append(child)
    return found


def alive(processes: dict[int, int]) -> dict[int, int]:
    """Those of ``processes`` (pid -> start time) still running (zombies count as ended)."""
    out = {}
    for pid, start in processes.items():
        info = _stat(pid)
        if info is not None and info[2] == start and info[1] not in ("Z", "X"):
            out[pid] = start
    return out


def wait_until(condition, timeout: float = 120.0, interval: float = 0.05) -> bool:
    """Poll ``condition()`` until it is true or ``timeout`` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return bool(condition())
        time.sleep(interval)


def kill_ours(processes: dict[int, int], sig: int) -> None:
    """Send ``sig`` to those of ``processes`` still alive (never to a recycled pid)."""
    for pid in alive(processes):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
