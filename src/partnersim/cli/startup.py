"""Every trick that makes the command line start or end faster, with its measured saving.

There are four, and nothing outside the command line depends on them:

1. **Imports inside command bodies.** The command modules import only typer, the scenario
   schema and :mod:`partnersim.runs` (for a constant) at the top; each command imports what
   it needs (the Run layer and with it pandas, pyarrow and Mesa; rich; the sweep machinery;
   Solara) inside its body, because typer imports every command's module to build the app.
   Keep it that way: a new command imports its heavy modules in its body. Saving:
   ``partnersim validate scenarios/mission_driven.toml`` takes 0.23 s; with those imports at
   the top of the command modules, 1.45 s (6.2×).
2. **Error classes matched by name** (:func:`raised`). The error wrapper of every command
   (:func:`partnersim.cli.common.clean_errors`) recognises ``ResultsError`` and
   ``BackendError`` without importing their modules, which import pandas and pyarrow.
   Saving: ``partnersim validate`` as above takes 0.23 s; importing the two classes in the
   wrapper, 0.64 s (3.1×).
3. **The figure drawn in a forked helper** (:class:`FigureWorker`). Saving, when the second
   core is free: ``partnersim run scenarios/mission_driven.toml --seeds 1 --quiet`` takes
   1.85 s; drawing the figure in the process itself, 2.26 s (1.25×; 1.29× and 1.24× in two
   other measurements), for about 9 % more CPU time. When the second core is busy (load
   average 3–5 on this 2-core machine) the helper costs instead: the same command was 4–15 %
   faster without it in four measurements. Kept because a user's machine running one
   command is the first case.
4. **No interpreter teardown** (:func:`exit_now`). Freeing the scientific stack's modules at
   exit is skipped when nothing is left to clean up. Saving: the ``partnersim run`` above
   takes 1.85 s; with the normal exit, 2.12 s (1.13×; CPU time 1.09×).

How measured (when this module was written): each command run as a fresh process from a copy
of the package with one trick disabled, the variants interleaved in shuffled order for 20
rounds after two warm-up runs each, on the project's 2-core development machine; times are
medians, and ratios medians of the per-round ratios. The machine is shared with other work, so
absolute times drift by ±30 % between measurements; the ratios held. Drawing the figure in the
helper used to overlap printing the tables too (about 0.06 s); that overlap was given up when
writing the results folder moved to :func:`partnersim.runs.many.write_run_folder`.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from partnersim.runs.many import RunSet


def raised(error: BaseException, names: Iterable[str]) -> bool:
    """Whether ``error`` is an instance of one of the classes named ``"module.Class"``.

    Only modules already imported are looked at: an exception of a class whose module was
    never imported cannot have been raised. So a caller can recognise errors of heavy modules
    without importing them.
    """
    for name in names:
        module, _, cls = name.rpartition(".")
        loaded = sys.modules.get(module)
        if loaded is not None and isinstance(error, getattr(loaded, cls)):
            return True
    return False


def exit_now(done: SystemExit) -> None:
    """Exit without tearing down the interpreter when nothing is left to clean up.

    Every results file is written, synced and closed before a command returns (through
    :mod:`partnersim.results`: temporary file, ``fsync``, rename), so when no
    other thread or child process is alive this flushes the output, runs the ``atexit``
    handlers and ends the process at once. Otherwise (a process pool or Dask cluster still
    winding down) it returns and the interpreter exits normally.

    Args:
        done: how the command ended (typer always ends in ``SystemExit``).
    """
    code = done.code
    if not isinstance(code, int | None) or threading.active_count() > 1:
        return
    mp = sys.modules.get("multiprocessing")
    if mp is not None and mp.active_children():
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # e.g. a closed pipe: let the normal exit report it
        return
    atexit._run_exitfuncs()
    os._exit(code or 0)


class FigureWorker:
    """A helper process, forked before Mesa is imported, that draws the missions figure.

    Importing matplotlib and drawing the missions figure take as long as the simulation itself
    for a single run. Forked before the parent imports Mesa, the helper imports matplotlib on
    the second core while the parent imports Mesa, and lays out and draws the empty figure
    (ticks, fonts, text caches) while the parent simulates. When the runs are done, the parent
    sends the results through a pipe (:meth:`submit`); the helper draws them and saves the
    figure while the parent writes the tables. Where fork is unavailable or unsafe (other
    threads running), or anything goes wrong in the helper, the parent draws the figure
    itself. A :class:`partnersim.runs.many.FigureDrawer`.
    """

    def __init__(self) -> None:
        self.pid: int | None = None
        self._path: Path | None = None
        self._failed = False
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper
            os.close(self._to_child)
            os.close(self._from_child)
            ok = False
            try:
                from matplotlib.backends.backend_agg import FigureCanvasAgg

                from partnersim.plots import fill_missions, missions_layout  # slow, overlapped

                # Lay out and draw the empty figure once while the parent simulates: ticks,
                # fonts and text-layout caches are then ready when the results arrive.
                figure = missions_layout()
                FigureCanvasAgg(figure).draw()
                payload = _read_all(to_child_r)
                if payload:  # empty: the parent gave up (an error, or nothing to draw)
                    runs, title, path = pickle.loads(payload)
                    fill_missions(figure, runs, title=title).savefig(path, dpi=100)
                    ok = True
            finally:
                os.write(from_child_w, b"1" if ok else b"0")
                os._exit(0)
        os.close(to_child_r)
        os.close(from_child_w)
        self.pid = pid

    def submit(self, runset: RunSet, path: Path) -> None:
        """Send the helper the figure to draw (returns at once)."""
        self._path = Path(path)
        if self.pid is None:
            return
        payload = (runset.by_scenario(), runset.title, str(path))
        try:
            with os.fdopen(self._to_child, "wb") as pipe:
                pipe.write(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            self._failed = True

    def wait(self) -> bool:
        """Wait for the helper; True if it saved the figure."""
        if self.pid is None:
            return False
        try:
            status = b"0" if self._failed else _read_all(self._from_child)
        except OSError:
            status = b"0"
        finally:
            self._reap()
        return status == b"1" and self._path is not None and self._path.exists()

    def cancel(self) -> None:
        """Let the helper exit without drawing."""
        if self.pid is None:
            return
        with contextlib.suppress(OSError):
            os.close(self._to_child)  # already closed once a figure was submitted
        self._reap()

    def _reap(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._from_child)
        if self.pid is not None:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        self.pid = None


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
