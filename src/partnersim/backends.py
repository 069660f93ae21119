"""Where runs execute: serially, in a local process pool, or on a Dask cluster — one interface.

A backend maps a picklable function over tasks and yields ``(task, result)`` pairs as they
finish, in any order. Results do not depend on the backend: every run is fully determined by
its scenario and seed.

* :class:`SerialBackend` — in this process; simplest to debug.
* :class:`ProcessPoolBackend` — ``concurrent.futures.ProcessPoolExecutor`` with the ``spawn``
  start method (no inherited threads or locks); a worker that dies is replaced and its
  unfinished tasks resubmitted.
* :class:`DaskBackend` — ``dask.distributed``: an existing scheduler (``tcp://host:8786``) or a
  local cluster started on 127.0.0.1; Dask retries tasks whose worker died.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

IN_FLIGHT_PER_WORKER = 4
"""Tasks submitted ahead per worker: enough to keep workers busy, few enough that a sweep of
any size holds only a window of its tasks (and their results) in memory."""

_DONE = object()


class Backend(Protocol):
    """Runs a function over tasks, yielding results as they finish."""

    name: str
    workers: int

    def map_unordered(
        self, fn: Callable[[Any], Any], tasks: Iterable[Any]
    ) -> Iterator[tuple[Any, Any]]:
        """Yield ``(task, fn(task))`` for every task, in completion order."""
        ...

    def close(self) -> None:
        """Release workers."""
        ...


class SerialBackend:
    """Run tasks one after another in this process."""

    name = "serial"
    workers = 1

    def map_unordered(self, fn, tasks):  # noqa: D102 - see Backend
        for task in tasks:
            yield task, fn(task)

    def close(self) -> None:  # noqa: D102 - see Backend
        pass


class ProcessPoolBackend:
    """Run tasks in a pool of local worker processes.

    Args:
        workers: number of processes (default: the machine's cores).
        max_restarts: how many times a broken pool (a worker killed) is replaced.
    """

    name = "processes"

    def __init__(self, workers: int | None = None, max_restarts: int = 3):
        self.workers = workers or os.cpu_count() or 1
        self.max_restarts = max_restarts
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    def map_unordered(self, fn, tasks):  # noqa: D102 - see Backend
        self._pool = self._new_pool()
        tasks = iter(tasks)
        window = IN_FLIGHT_PER_WORKER * self.workers
        pending: dict[Future, Any] = {}
        restarts = 0

        def top_up(extra: list[Any] = ()) -> None:  # submit until the window is full
            for task in extra:
                pending[self._pool.submit(fn, task)] = task
            while len(pending) < window and (task := next(tasks, _DONE)) is not _DONE:
                pending[self._pool.submit(fn, task)] = task

        try:
            top_up()
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                broken = []
                for future in done:
                    task = pending.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken.append(task)
                        continue
                    yield task, result
                if broken:
                    if restarts >= self.max_restarts:
                        raise RuntimeError(
                            f"worker processes died {restarts + 1} times; stopping "
                            "(finished runs are saved)"
                        )
                    restarts += 1
                    # Every other pending future is lost with the pool: resubmit them all.
                    todo = broken + list(pending.values())
                    pending.clear()
                    self._pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = self._new_pool()
                    top_up(todo)
                else:
                    top_up()
        finally:
            self.close()

    def close(self) -> None:  # noqa: D102 - see Backend
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class DaskBackend:
    """Run tasks on a Dask distributed cluster.

    Args:
        scheduler: address of a running scheduler (``tcp://host:8786``); ``None`` or
            ``"local"`` starts a local cluster on 127.0.0.1.
        workers: workers of a local cluster (default: the machine's cores).
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None):
        from distributed import Client, LocalCluster

        self._cluster = None
        if scheduler in (None, "local"):
            n = workers or os.cpu_count() or 1
            self._cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            self.client = Client(self._cluster)
        else:
            self.client = Client(scheduler, timeout="20s")
        self.workers = len(self.client.scheduler_info().get("workers", {})) or (workers or 1)

    def map_unordered(self, fn, tasks):  # noqa: D102 - see Backend
        from distributed import as_completed

        tasks = iter(tasks)
        window = IN_FLIGHT_PER_WORKER * max(self.workers, 1)
        index: dict[str, Any] = {}

        def submit(task: Any):
            future = self.client.submit(fn, task, pure=False, retries=2)
            index[future.key] = task
            return future

        first = [submit(t) for t in itertools.islice(tasks, window)]
        queue = as_completed(first, with_results=True)
        try:
            for future, result in queue:
                yield index.pop(future.key), result
                if (task := next(tasks, _DONE)) is not _DONE:
                    queue.add(submit(task))
        finally:
            for f in queue.futures:
                f.cancel()

    def close(self) -> None:  # noqa: D102 - see Backend
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_backend(
    name: str = "processes", *, workers: int | None = None, scheduler: str | None = None
) -> Backend:
    """Build a backend by name: ``serial``, ``processes`` or ``dask``."""
    if scheduler is not None:
        return DaskBackend(scheduler, workers)
    if name == "serial":
        return SerialBackend()
    if name == "processes":
        return ProcessPoolBackend(workers)
    if name == "dask":
        return DaskBackend(None, workers)
    raise ValueError(f"unknown backend {name!r}; one of serial, processes, dask")
