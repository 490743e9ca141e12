"""Where runs execute: in this process, in local worker processes, or on a Dask cluster.

All executors offer the same four calls, so the engine does not care which one it drives:
``submit(task, fn=execute)`` returns a handle (``fn(task)`` runs where the executor runs tasks; any
picklable module-level function, by default one sweep run), ``wait(handles, timeout)`` returns those that finished,
``result(handle)`` returns the :class:`~sahel_sim.analysis.sweep.worker.Outcome` (or raises
:class:`WorkerLost` when the process running it died), and ``close()``. Results do not depend on the
executor: every run's outcome is a function of its scenario and seed alone.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sahel_sim.analysis.sweep.worker import Outcome, Task, execute


class WorkerLost(RuntimeError):
    """The process running a task died (killed, out of memory); the task may be tried again."""


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

    If a worker process dies, the pool is replaced and the lost tasks raise :class:`WorkerLost`
    so that the engine can submit them again.

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
        self._generation = 0
        self._born: dict[Future, int] = {}
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context, initializer=_ignore_interrupt)

    def submit(self, task: Task, fn: Callable[[Any], Any] = execute) -> Future:
        """Queue a task on the pool."""
        future = self._pool.submit(fn, task)
        self._born[future] = self._generation
        return future

    def wait(self, handles: Any, timeout: float | None = None) -> set:
        """Wait up to ``timeout`` seconds for at least one handle to finish."""
        return wait(handles, timeout=timeout, return_when=FIRST_COMPLETED).done

    def result(self, handle: Future) -> Outcome:
        """The outcome; raises WorkerLost if the pool broke under it (and replaces the pool)."""
        born = self._born.pop(handle, self._generation)
        try:
            return handle.result()
        except BrokenProcessPool as exc:
            if born == self._generation:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._generation += 1
                self._pool = self._new_pool()
            raise WorkerLost(str(exc) or "a worker process died") from exc

    def close(self, cancel: bool = False) -> None:
        """Shut the pool down; with ``cancel``, drop queued tasks and do not wait."""
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)


def _ignore_interrupt() -> None:
    """In a worker: leave Ctrl-C to the driver, which cancels queued runs and shuts the pool down."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
        if address is None:
            self._cluster = distributed.LocalCluster(
                n_workers=workers or default_workers(), threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = distributed.Client(self._cluster)
        else:
            self.client = distributed.Client(address)
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
        """Close the client (and the LocalCluster if this executor started it)."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


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
