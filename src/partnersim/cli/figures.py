"""Draw the run/compare figure in a helper process forked at start-up.

Importing matplotlib and drawing the missions figure take as long as the simulation itself for
a single run. The CLI forks this helper before it imports Mesa, so that matplotlib's import
overlaps Mesa's on a second core, and the helper lays out and draws the empty figure (ticks,
fonts, text caches) while the parent simulates; when the runs are done the parent sends the
results through a pipe and the helper draws them and saves the figure while the parent writes
the tables. Where
fork is unavailable or unsafe (other threads running), or anything goes wrong in the helper,
the parent draws the figure itself.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import threading
from pathlib import Path
from typing import Any


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


class FigureWorker:
    """A forked helper that draws one missions figure on request."""

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

    def submit(self, runs: dict[str, Any], title: str, path: Path) -> None:
        """Send the helper the figure to draw (returns at once)."""
        self._path = Path(path)
        if self.pid is None:
            return
        try:
            with os.fdopen(self._to_child, "wb") as pipe:
                pipe.write(pickle.dumps((runs, title, str(path)), protocol=pickle.HIGHEST_PROTOCOL))
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
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.pid = None
