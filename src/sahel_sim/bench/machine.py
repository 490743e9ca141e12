"""What the benchmark records about the machine: load, CPUs, memory, and where the scenarios are."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from pathlib import Path

from sahel_sim.scenario.catalog import SCENARIO_DIR


def load_average() -> tuple[float, float, float]:
    """The 1-, 5- and 15-minute load averages (zeros where the platform has none)."""
    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return (0.0, 0.0, 0.0)


def scenario_dir() -> Path:
    """The folder of the shipped scenarios (installed with the package)."""
    return SCENARIO_DIR


def cpu_name() -> str:
    """The processor's model name (from /proc/cpuinfo on Linux), else platform.processor()."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cpus() -> list[int]:
    """CPUs this process may run on."""
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:
        return list(range(os.cpu_count() or 1))


def machine() -> dict:
    """Date, machine, Python, versions and git commit of this benchmark."""
    from sahel_sim.runs.provenance import provenance

    prov = provenance()
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "platform": prov["platform"],
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(usable_cpus()),
        "python": prov["python"],
        "git_commit": prov["git_commit"],
        "versions": prov["versions"],
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process, MB (MiB).

    On Linux this is ``VmHWM`` from /proc/self/status: the high-water mark of this process's own
    memory since it started. ``ru_maxrss`` is not used there because Linux carries the parent's peak
    over fork and exec into the child, so a child of a large benchmark process would report at least
    the parent's size. Elsewhere ``resource.getrusage(RUSAGE_SELF).ru_maxrss``.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0  # kB
    except (OSError, ValueError, IndexError):
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / 1024.0 / (1024.0 if sys.platform == "darwin" else 1.0)
