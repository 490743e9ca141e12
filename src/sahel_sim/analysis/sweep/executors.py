"""Where runs execute: in this process, in local worker processes, or on a Dask cluster.

All executors offer the same four calls, so the engine does not care which one it drives:
``submit(task, fn=execute)`` returns a handle (``fn(task)`` runs where the executor runs tasks; any
picklable module-level function, by default one sweep run), ``wait(handles, timeout)`` returns those that finished,
``result(handle)`` returns the :class:`~sahel_sim.analysis.sweep.worker.Outcome` (or raises
:class:`WorkerLost` when the process running it died), and ``close()``. Results do not depend on the
executor: every run's outcome is a function of its scenario and seed alone.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sahel_sim.analysis.sweep.worker import Outcome, Task, execute


class SchedulerUnreachable(RuntimeError):
    """The Dask scheduler could not be reached (exit status 1: not the user's input)."""


class WorkerLost(RuntimeError):
    """A task was lost because a worker process died; it may be tried again.

    Attributes:
        charged: True if the task's own worker died while running it (the death counts as one of
            its attempts); False if another worker's death broke the pool under it.
    """

    def __init__(self, message: str, charged: bool = True):
        super().__init__(message)
        self.charged = charged


def default_workers() -> int:
    """Number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class SerialExecutor:
    """Runs each task in this process when it is submitted (for debugging and tests)."""

    name = "serial"
    workers = 1

    def submit(self, task: Task, fn: Callable[[Any], Any] = execute) -> Future:
        """Run the task now; return a finished future."""
        future: Future = Future()
        future.set_result(fn(task))
        return future

    def wait(self, handles: Any, timeout: float | None = None) -> set:
        """Every handle is already finished."""
        return set(handles)

    def result(self, handle: Future) -> Outcome:
        """The outcome of a finished task."""
        return handle.result()

    def close(self, cancel: bool = False) -> None:
        """Nothing to release."""


class ProcessExecutor:
    """Local worker processes started with ``forkserver`` (never plain ``fork``: threads).

    When a worker process dies, :class:`~concurrent.futures.ProcessPoolExecutor` fails every task in
    flight and must be replaced. Each worker therefore leaves a marker file (its pid, holding the run
    id) while it runs a task; after a break, only the run whose worker died by itself (any exit but
    the pool's own SIGTERM to the survivors) is charged with the death (``WorkerLost.charged``), and
    the other runs in flight are handed back uncharged. A submit that finds the pool already broken
    replaces it and submits again. Workers die with their parent (Linux ``PR_SET_PDEATHSIG``) and
    watch the driver's pid, so a SIGKILLed driver leaves no worker running.

    Args:
        workers: Number of worker processes.
        context: Multiprocessing start method, ``forkserver`` or ``spawn``.
    """

    name = "processes"

    def __init__(self, workers: int, context: str = "forkserver"):
        if context not in multiprocessing.get_all_start_methods():
            context = "spawn"
        self.workers = workers
        self._context = multiprocessing.get_context(context)
        self._marks = tempfile.mkdtemp(prefix="sahel-sweep-workers-")
        self._generation = 0
        self._born: dict[Future, tuple[int, str]] = {}
        self._processes: dict[int, dict[int, Any]] = {0: {}}
        self._culprits: dict[int, dict[str, str]] = {}
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._context,
            initializer=_init_worker,
            initargs=(self._marks, os.getpid()),
        )

    def _replace(self, generation: int) -> None:
        """Replace the pool if it is still the one of ``generation`` (it broke)."""
        if generation != self._generation:
            return
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._generation += 1
        self._processes[self._generation] = {}
        self._pool = self._new_pool()

    def submit(self, task: Task, fn: Callable[[Any], Any] = execute) -> Future:
        """Queue ``fn(task)`` on the pool (replacing the pool first if a worker death broke it)."""
        for _ in range(MAX_SUBMIT_TRIES):
            try:
                future = self._pool.submit(_execute_marked, task, fn)
            except BrokenProcessPool:
                self._replace(self._generation)
                continue
            self._born[future] = (self._generation, task.run_id)
            self._processes[self._generation].update(getattr(self._pool, "_processes", None) or {})
            return future
        raise RuntimeError(f"the worker pool broke {MAX_SUBMIT_TRIES} times in a row while submitting")

    def wait(self, handles: Any, timeout: float | None = None) -> set:
        """Wait up to ``timeout`` seconds for at least one handle to finish."""
        return wait(handles, timeout=timeout, return_when=FIRST_COMPLETED).done

    def result(self, handle: Future) -> Outcome:
        """The outcome; raises WorkerLost if the pool broke under it (and replaces the pool)."""
        generation, run_id = self._born.pop(handle, (self._generation, ""))
        try:
            return handle.result()
        except BrokenProcessPool as exc:
            self._replace(generation)
            culprits = self._postmortem(generation)
            if run_id in culprits:
                raise WorkerLost(f"the worker process running it {culprits[run_id]}", charged=True) from exc
            raise WorkerLost("another worker process died; handed back", charged=False) from exc

    def _postmortem(self, generation: int) -> dict[str, str]:
        """Run id -> how its worker died, for the workers of a broken pool that died by themselves."""
        if generation in self._culprits:
            return self._culprits[generation]
        culprits = {}
        for pid, process in self._processes.pop(generation, {}).items():
            process.join(timeout=30)
            code = process.exitcode
            mark = os.path.join(self._marks, str(pid))
            run_id = _read_mark(mark)
            with contextlib.suppress(OSError):
                os.unlink(mark)
            if code is None or code == -signal.SIGTERM or code == 0 or not run_id:
                continue  # still alive, ended by the pool's own shutdown, or idle when it died
            culprits[run_id] = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with {code}"
        self._culprits[generation] = culprits
        return culprits

    def close(self, cancel: bool = False) -> None:
        """Shut the pool down; with ``cancel``, drop queued tasks and stop the workers now."""
        if cancel:
            processes = list((getattr(self._pool, "_processes", None) or {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                with contextlib.suppress(Exception):
                    process.terminate()
            for process in processes:
                with contextlib.suppress(Exception):
                    process.join(timeout=10)
        else:
            self._pool.shutdown(wait=True)
        shutil.rmtree(self._marks, ignore_errors=True)


#: Seconds to wait for a Dask scheduler to answer.
CONNECT_SECONDS = 20
#: Times ``submit`` replaces a broken pool and tries again before giving up.
MAX_SUBMIT_TRIES = 5
_MARKS: str | None = None


def _init_worker(marks: str, driver: int) -> None:
    """In a worker: leave Ctrl-C to the driver; die with the driver; remember the marker folder."""
    global _MARKS
    _MARKS = marks
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    threading.Thread(target=_watch_driver, args=(driver,), daemon=True, name="sahel-watch-driver").start()


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent (the forkserver) ends."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _watch_driver(driver: int, interval: float = 1.0) -> None:
    """Exit this worker when the driver process is gone (also where PR_SET_PDEATHSIG is missing)."""
    while True:
        time.sleep(interval)
        try:
            os.kill(driver, 0)
        except ProcessLookupError:
            os._exit(70)
        except PermissionError:
            pass


def _execute_marked(task: Task, fn: Callable[[Any], Any] = execute) -> Any:
    """Run ``fn(task)`` in a worker, with a marker file naming the run while it runs."""
    mark = os.path.join(_MARKS, str(os.getpid())) if _MARKS else None
    if mark:
        tmp = f"{mark}.tmp"
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(task.run_id)
        os.replace(tmp, mark)
    try:
        return fn(task)
    finally:
        if mark:
            with contextlib.suppress(OSError):
                os.unlink(mark)


def _read_mark(path: str) -> str:
    try:
        with open(path, encoding="ascii") as fh:
            return fh.read().strip()
    except (OSError, UnicodeDecodeError):
        return ""


class DaskExecutor:
    """Tasks on a Dask cluster: an existing scheduler, or a LocalCluster started here.

    ``dask.distributed`` is imported only when this class is used (``pip install
    sahel_sim[distributed]``). Workers of an existing cluster need sahel_sim installed. Dask
    itself retries tasks whose worker died; a task that still fails is recorded as failed.

    Args:
        address: Scheduler address (``tcp://host:8786``); None starts a LocalCluster.
        workers: Worker processes of the LocalCluster (one thread each).
    """

    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None):
        try:
            import distributed
        except ImportError:
            raise RuntimeError("Dask is not installed: pip install 'sahel_sim[distributed]'") from None
        self._distributed = distributed
        self._cluster = None
        self._quiet = ShutdownNoise.install()
        if address is None:
            self._cluster = distributed.LocalCluster(
                n_workers=workers or default_workers(), threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = distributed.Client(self._cluster)
        else:
            try:
                self.client = distributed.Client(address, timeout=CONNECT_SECONDS)
            except (OSError, TimeoutError) as exc:
                raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        self.workers = max(1, sum(self.client.nthreads().values()))

    def submit(self, task: Task, fn: Callable[[Any], Any] = execute) -> Any:
        """Send a task to the cluster."""
        return self.client.submit(fn, task, pure=False, key=f"sahel-run-{task.run_id}-{os.urandom(4).hex()}")

    def wait(self, handles: Any, timeout: float | None = None) -> set:
        """Wait up to ``timeout`` seconds for at least one handle to finish."""
        try:
            return set(self._distributed.wait(list(handles), timeout=timeout, return_when="FIRST_COMPLETED").done)
        except TimeoutError:
            return set()

    def result(self, handle: Any) -> Outcome:
        """The outcome of a finished task (a Dask error propagates and is recorded as a failure)."""
        return handle.result()

    def close(self, cancel: bool = False) -> None:
        """Close the client (and the LocalCluster if this executor started it), without shutdown noise."""
        try:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()
        finally:
            self._quiet.remove()


class ShutdownNoise(logging.Filter):
    """Drops the ``distributed`` log records about connections closed under it (``CommClosedError``).

    While a Dask client and cluster shut down, their heartbeats and streams find the other side gone
    and log ``CommClosedError`` tracebacks that say nothing about the sweep (every run's outcome is
    already recorded). Only those records are dropped; every other message is kept.
    """

    NAMES = ("CommClosedError", "StreamClosedError")

    def __init__(self) -> None:
        super().__init__()
        self._handlers: list[logging.Handler] = []

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: A003 - logging's hook
        """False for a record about a closed comm."""
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and type(exc).__name__ in self.NAMES:
            return False
        message = record.getMessage() if record.args else str(record.msg)
        return not any(name in message for name in self.NAMES)

    @classmethod
    def install(cls) -> ShutdownNoise:
        """Attach a filter to the handlers of the ``distributed`` logger (and the root logger's)."""
        noise = cls()
        noise._handlers = [*logging.getLogger("distributed").handlers, *logging.getLogger().handlers]
        for handler in noise._handlers:
            handler.addFilter(noise)
        return noise

    def remove(self) -> None:
        """Detach it again."""
        for handler in self._handlers:
            handler.removeFilter(self)


def check_scheduler_address(address: str) -> None:
    """Refuse a Dask scheduler address that cannot be parsed (before anything starts).

    Raises:
        ScenarioError: Naming ``--scheduler`` and the expected form.
    """
    from sahel_sim.scenario.loading import ScenarioError

    try:
        from distributed.comm.addressing import parse_address, parse_host_port
    except ImportError:
        raise RuntimeError("Dask is not installed: pip install 'sahel_sim[distributed]'") from None
    try:
        scheme, location = parse_address(address, strict=True)
        if scheme in ("tcp", "tls", "ws", "wss"):
            parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise ScenarioError(
            "--scheduler", None, None, f"not a scheduler address like tcp://host:8786 (got {address!r}: {exc})"
        ) from None


def make_executor(
    workers: int | None = None, scheduler: str | None = None, dask_local: bool = False, serial: bool = False
) -> SerialExecutor | ProcessExecutor | DaskExecutor:
    """Choose an executor from the command-line options.

    Args:
        workers: Local worker processes (default: every core).
        scheduler: Address of an existing Dask scheduler.
        dask_local: Start a Dask LocalCluster with ``workers`` processes.
        serial: Run in this process.
    """
    if scheduler is not None:
        return DaskExecutor(scheduler)
    if dask_local:
        return DaskExecutor(None, workers)
    if serial or workers == 1:
        return SerialExecutor()
    return ProcessExecutor(workers or default_workers())
