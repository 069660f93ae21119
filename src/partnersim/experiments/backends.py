"""Where runs execute: serially, in a local process pool, or on a Dask cluster — one interface.

A backend maps a picklable function over tasks and yields ``(task, result)`` pairs as they
finish, in any order. Results do not depend on the backend: every run is fully determined by
its scenario and seed.

* :class:`SerialBackend` — in this process; simplest to debug.
* :class:`ProcessPoolBackend` — ``concurrent.futures.ProcessPoolExecutor`` with the ``spawn``
  start method (no inherited threads or locks); a worker that dies is replaced and its
  unfinished tasks resubmitted. The pool is kept between maps that end normally (until
  ``close``), so a caller that maps many times (a search, once per generation) spawns its
  workers once.
* :class:`DaskBackend` — ``dask.distributed``: an existing scheduler (``tcp://host:8786``) or a
  local cluster started on 127.0.0.1; Dask retries tasks whose worker died.

A task that kills its worker process (out of memory, a crash in native code) must not stop a
sweep, nor stop it again on every resume. When a worker dies, the tasks it may have been
running become *suspects*: each is split into single-run tasks (``Crashes.split``) that run one
at a time, so the run that kills a worker is identified and recorded as failed
(``Crashes.record``) while every other run completes.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

IN_FLIGHT_PER_WORKER = 4
"""Tasks submitted ahead per worker: enough to keep workers busy, few enough that a sweep of
any size holds only a window of its tasks (and their results) in memory."""

_DONE = object()

CONSECUTIVE_CRASH_LIMIT = 5
"""Worker deaths in a row, with no task finishing in between, after which a backend gives up:
then the environment (not one run) is at fault."""


class BackendError(RuntimeError):
    """A backend cannot run tasks (a scheduler out of reach, workers that keep dying)."""


class Crashes(Protocol):
    """How a caller's tasks are isolated when a worker process dies."""

    def split(self, task: Any) -> list[Any]:
        """The task as single-unit tasks (a one-unit task returns itself alone)."""
        ...

    def record(self, task: Any, reason: str) -> Any:
        """The result to yield for a single-unit task that killed its worker."""
        ...


class Backend(Protocol):
    """Runs a function over tasks, yielding results as they finish."""

    name: str
    workers: int

    def map_unordered(
        self, fn: Callable[[Any], Any], tasks: Iterable[Any], crashes: Crashes | None = None
    ) -> Iterator[tuple[Any, Any]]:
        """Yield ``(task, fn(task))`` for every task, in completion order.

        With ``crashes``, a task whose worker died is isolated and recorded (see the module
        docstring) instead of stopping the map; the yielded task may then be a part of one.
        """
        ...

    def close(self) -> None:
        """Release workers."""
        ...


class SerialBackend:
    """Run tasks one after another in this process."""

    name = "serial"
    workers = 1

    def map_unordered(self, fn, tasks, crashes=None):  # noqa: D102 - see Backend
        for task in tasks:
            yield task, fn(task)

    def close(self) -> None:  # noqa: D102 - see Backend
        pass


class ProcessPoolBackend:
    """Run tasks in a pool of local worker processes.

    Args:
        workers: number of processes (default: the machine's cores).
    """

    name = "processes"

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._solo: ProcessPoolExecutor | None = None  # runs suspects alone

    def _new_pool(self, workers: int | None = None) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            workers or self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=watch_parent,
            initargs=(os.getpid(),),
        )

    def map_unordered(self, fn, tasks, crashes=None):  # noqa: D102 - see Backend
        # The pool outlives a map that ends normally: a search maps once per generation, and
        # spawning fresh workers (each importing the model) every time would cost seconds.
        if self._pool is None:
            self._pool = self._new_pool()
        finished = False
        tasks = iter(tasks)
        window = IN_FLIGHT_PER_WORKER * self.workers
        pending: dict[Future, Any] = {}
        suspects: list[Any] = []  # single tasks to run alone after a worker died
        deaths_in_a_row = 0

        def top_up(extra: Iterable[Any] = ()) -> None:  # submit until the window is full
            for task in extra:
                pending[self._pool.submit(fn, task)] = task
            while len(pending) < window and (task := next(tasks, _DONE)) is not _DONE:
                pending[self._pool.submit(fn, task)] = task

        def died() -> None:
            nonlocal deaths_in_a_row
            deaths_in_a_row += 1
            if deaths_in_a_row >= CONSECUTIVE_CRASH_LIMIT:
                raise BackendError(
                    f"worker processes died {deaths_in_a_row} times in a row; stopping "
                    "(finished runs are saved)"
                )
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

        try:
            top_up()
            while pending or suspects:
                if suspects:  # one at a time, in a pool of one, until the culprit is found
                    task = suspects.pop()
                    self._solo = self._solo or self._new_pool(1)
                    try:
                        result = self._solo.submit(fn, task).result()
                    except BrokenProcessPool:
                        self._solo.shutdown(wait=False, cancel_futures=True)
                        self._solo = None
                        died()
                        result = crashes.record(task, "the worker process died running it")
                    else:
                        deaths_in_a_row = 0
                    yield task, result
                    if not suspects:
                        self.close()
                        self._pool = self._new_pool()
                        top_up()
                    continue
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                lost = False
                for future in done:
                    task = pending.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        lost = True
                        suspects.append(task)
                        continue
                    deaths_in_a_row = 0
                    yield task, result
                if lost:
                    # Every other task in flight went down with the pool: any may be the cause.
                    suspects.extend(pending.values())
                    pending.clear()
                    died()
                    if crashes is None:  # no way to isolate: resubmit everything
                        self._pool = self._new_pool()
                        top_up(suspects)
                        suspects = []
                    else:
                        suspects = [single for t in suspects for single in crashes.split(t)]
                        suspects.reverse()  # pop() takes them in their original order
                else:
                    top_up()
            finished = True
        finally:
            if not finished:  # interrupted, failed or abandoned: no worker outlives it
                self.close()

    def close(self) -> None:  # noqa: D102 - see Backend
        for pool in (self._pool, self._solo):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._solo = None


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
            if not isinstance(scheduler, str) or "://" not in scheduler:
                raise BackendError(
                    f"--scheduler: {scheduler!r} is not a scheduler address; expected "
                    "tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786)"
                )
            try:
                self.client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise BackendError(
                    f"--scheduler: cannot reach the Dask scheduler at {scheduler} ({exc}); "
                    "is it running, and is the port open from this machine?"
                ) from None
        self.workers = len(self.client.scheduler_info().get("workers", {})) or (workers or 1)

    def map_unordered(self, fn, tasks, crashes=None):  # noqa: D102 - see Backend
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        tasks = iter(tasks)
        window = IN_FLIGHT_PER_WORKER * max(self.workers, 1)
        index: dict[str, Any] = {}
        deaths_in_a_row = 0

        def submit(task: Any):
            future = self.client.submit(fn, task, pure=False, retries=2)
            index[future.key] = task
            return future

        first = [submit(t) for t in itertools.islice(tasks, window)]
        queue = as_completed(first)
        try:
            for future in queue:
                task = index.pop(future.key)
                try:
                    result = future.result()
                except KilledWorker:
                    # Dask has already retried it on other workers: the task kills workers.
                    deaths_in_a_row += 1
                    if crashes is None or deaths_in_a_row >= CONSECUTIVE_CRASH_LIMIT:
                        raise BackendError(
                            f"tasks killed Dask workers {deaths_in_a_row} times in a row; "
                            "stopping (finished runs are saved)"
                        ) from None
                    parts = crashes.split(task)
                    if len(parts) > 1:
                        for part in parts:
                            queue.add(submit(part))
                    else:
                        yield task, crashes.record(task, "it killed the Dask worker running it")
                    continue
                deaths_in_a_row = 0
                yield task, result
                if (task := next(tasks, _DONE)) is not _DONE:
                    queue.add(submit(task))
        finally:
            for f in queue.futures:
                f.cancel()

    def close(self) -> None:  # noqa: D102 - see Backend
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


PARENT_POLL_SECONDS = 1.0
"""How often a worker checks that the process that started it is alive."""


def watch_parent(parent: int) -> None:
    """Worker initialiser: exit as soon as the parent process has gone.

    A worker of a parent killed outright (``kill -9``, out of memory) would otherwise live on,
    holding its memory, until its current task ends, and then wait forever. On Linux the kernel
    ends it at once (``PR_SET_PDEATHSIG``); everywhere, a daemon thread polls the parent's PID
    every :data:`PARENT_POLL_SECONDS` and exits the worker when it has been re-parented.
    """
    import threading

    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="partnersim-parent-watch", daemon=True).start()


BACKENDS = ("serial", "processes", "dask")


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
    raise BackendError(f"--backend: {name!r} is not allowed; one of {', '.join(BACKENDS)}")


def check_backend(name: str) -> None:
    """Raise :class:`BackendError` unless ``name`` is a backend (checked before any work)."""
    if name not in BACKENDS:
        raise BackendError(f"--backend: {name!r} is not allowed; one of {', '.join(BACKENDS)}")
