"""The two engines the benchmark compares, and child processes that run one or the other.

* **new**: the ``sahel_sim`` this benchmark was imported from;
* **old**: a frozen copy of the engine at :data:`FROZEN_COMMIT` with the scenario files of that
  commit (it cannot read today's), extracted on first use with ``git archive`` into
  ``<repo>/benchmarks/results/engines/`` (git-ignored) and reused after.

Both run in fresh child processes with only their own ``src`` on ``PYTHONPATH`` and numeric
libraries held to one thread, so what is timed is the engine's own CPU time.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

import sahel_sim

#: The engine the issue's ratios are measured against (issue 18: "today's engine").
FROZEN_COMMIT = "ddf6643"

PROBE = Path(__file__).resolve().with_name("probe.py")

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}


def new_engine() -> Path:
    """The ``src`` folder holding the imported ``sahel_sim``."""
    return Path(sahel_sim.__file__).resolve().parents[1]


def repo_root() -> Path | None:
    """The git work tree the imported ``sahel_sim`` belongs to, or None (an installed copy)."""
    proc = subprocess.run(
        ["git", "-C", str(new_engine()), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
    )
    return Path(proc.stdout.strip()) if proc.returncode == 0 else None


def old_engine(cache: Path | None = None) -> tuple[Path | None, str]:
    """The frozen engine's ``src`` folder, extracted on first use.

    Args:
        cache: Folder for extracted engines (default ``<repo>/benchmarks/results/engines``).

    Returns:
        ``(src, note)``: src is None when it cannot be had (no git work tree or no such commit); the
        note says why, or where it came from.
    """
    root = repo_root()
    if root is None:
        return None, f"no git work tree: the engine of {FROZEN_COMMIT} cannot be extracted"
    cache = cache or root / "benchmarks" / "results" / "engines"
    dest = cache / f"engine-{FROZEN_COMMIT}"
    if (dest / "src" / "sahel_sim" / "__init__.py").is_file() and (dest / "scenarios" / "historical.yaml").is_file():
        return dest / "src", f"commit {FROZEN_COMMIT} with its own scenario files, extracted in {dest}"
    shutil.rmtree(dest, ignore_errors=True)  # an incomplete copy
    proc = subprocess.run(
        ["git", "-C", str(root), "archive", FROZEN_COMMIT, "src", "scenarios"], capture_output=True, check=False
    )
    if proc.returncode != 0:
        return None, f"git archive {FROZEN_COMMIT} failed: {proc.stderr.decode(errors='replace').strip()[:200]}"
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".engine-", dir=cache))
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        tar.extractall(tmp, filter="data")
    try:
        os.rename(tmp, dest)
    except OSError:  # another benchmark extracted it meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    return dest / "src", f"commit {FROZEN_COMMIT} with its own scenario files, extracted in {dest}"


def scenario_for(engine: Path, name: str) -> str:
    """Path of the shipped scenario ``name`` (e.g. ``historical.yaml``) as ``engine`` knows it.

    The frozen engine reads the scenario files of its own commit, extracted beside its ``src``; this
    engine reads today's.
    """
    from sahel_sim.bench.machine import scenario_dir

    folder = scenario_dir() if engine == new_engine() else engine.parent / "scenarios"
    return str(folder / name)


def child_env(engine: Path) -> dict[str, str]:
    """Environment of a child process running ``engine``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(ONE_THREAD, PYTHONPATH=str(engine), MPLBACKEND="Agg")
    return env


def probe(engine: Path, task: dict, timeout: float = 3600.0) -> dict:
    """Run one :mod:`sahel_sim.bench.probe` task on ``engine`` in a fresh process; return its answer."""
    proc = subprocess.run(
        [sys.executable, "-P", str(PROBE), json.dumps(task)],
        capture_output=True,
        text=True,
        env=child_env(engine),
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark probe {task['kind']} failed (status {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def command(engine: Path, args: list[str], cwd: Path | None = None, watch_memory: bool = False) -> dict:
    """Run ``python -m sahel_sim ARGS`` on ``engine``; measure its CPU time and memory.

    Args:
        engine: The engine's ``src`` folder.
        args: Command-line arguments after ``python -m sahel_sim``.
        cwd: Working folder of the child.
        watch_memory: Also sample the resident memory of the child and all its descendants (every
            0.1 s) and report the largest sum seen.

    Returns:
        ``cpu_s`` (user + system of the child and the children it waited for), ``wall_s``,
        ``maxrss_mb`` (the child's own peak) and, with ``watch_memory``, ``tree_rss_mb``.

    Raises:
        RuntimeError: If the command fails.
    """
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "sahel_sim", *args],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=child_env(engine),
            cwd=cwd,
        )
        peak = [0.0]
        stop = threading.Event()
        watcher = None
        if watch_memory:
            watcher = threading.Thread(target=_watch_tree, args=(proc.pid, peak, stop), daemon=True)
            watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        stop.set()
        if watcher is not None:
            watcher.join()
        if proc.returncode != 0:
            err.seek(0)
            text = err.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"python -m sahel_sim {' '.join(args)} failed (status {proc.returncode}):\n{text}")
    answer = {"cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": wall, "maxrss_mb": usage.ru_maxrss / 1024.0}
    if watch_memory:
        answer["tree_rss_mb"] = peak[0]
    return answer


def _watch_tree(pid: int, peak: list[float], stop: threading.Event) -> None:
    """Record in ``peak[0]`` the largest resident memory (MiB) of ``pid`` and its descendants together."""
    page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
    while not stop.wait(0.1):
        parents: dict[int, int] = {}
        rss: dict[int, float] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                fields = stat[stat.rindex(")") + 2 :].split()
                parents[int(entry.name)] = int(fields[1])
                rss[int(entry.name)] = int((entry / "statm").read_text().split()[1]) * page_mb
            except (OSError, ValueError, IndexError):
                continue
        tree, frontier = {pid}, [pid]
        while frontier:
            parent = frontier.pop()
            children = [p for p, pp in parents.items() if pp == parent and p not in tree]
            tree.update(children)
            frontier.extend(children)
        peak[0] = max(peak[0], sum(rss.get(p, 0.0) for p in tree))
