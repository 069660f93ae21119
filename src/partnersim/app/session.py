"""One live model run for the dashboard: stepped off the UI thread, shown from immutable snapshots.

The page never reads the model. A :class:`LiveRun` owns the model and a lock. A worker thread
steps the model (for Step, and for Play until Pause or the end of the run) and, *still holding
the lock*, takes a :class:`Snapshot` — the recorded time series, the network's node and tie
tables and the headline numbers, all copies — which it then publishes to the page as a
:class:`View`. A render therefore always shows one consistent quarter, however fast the model
runs, and reading a snapshot never races a step.

Back-pressure: after publishing a view the worker waits until the page has drawn it (the page
calls :meth:`LiveRun.rendered`) and, while playing, at least the chosen delay (never less than
:data:`MIN_DELAY`). A fast model can then neither flood the browser nor starve the render loop,
and Pause takes effect after the quarter being drawn.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from partnersim.data import quarter_of_step
from partnersim.plots.network import Layout, build_layout, network_frames

logger = logging.getLogger(__name__)

MIN_DELAY = 0.05
"""Shortest pause between two played quarters (seconds), whatever the delay control says."""

RENDER_WAIT = 10.0
"""Longest wait (seconds) for the page to draw a view before the worker steps on regardless."""


@dataclass(frozen=True, eq=False, slots=True)
class Snapshot:
    """The model's state after one step, as copies the page can draw at leisure."""

    step: int
    steps: int
    """Quarters the scenario runs for."""
    aggregate: bool
    """Whether ``nodes``/``ties`` group councils by region and firms by sector."""
    frame: pd.DataFrame
    nodes: pd.DataFrame
    ties: pd.DataFrame
    kpis: tuple[tuple[str, str], ...]
    """The headline numbers, as (label, text) pairs (see :func:`kpis`)."""

    @property
    def quarter(self) -> str:
        """The quarter that has just ended (``"start"`` before the first step)."""
        return quarter_of_step(self.step) if self.step else "start"

    @property
    def when(self) -> str:
        """The quarter and step shown, e.g. ``"2025Q1 (step 3)"``."""
        return f"{self.quarter} (step {self.step})"


@dataclass(frozen=True, eq=False, slots=True)
class View:
    """What the page shows: a snapshot and the run's controls' state."""

    run: int
    """Identity of the :class:`LiveRun` (a new run gets a new number)."""
    seq: int
    """Increases with every view the run publishes."""
    data: Snapshot
    running: bool
    """The model can step further (False once the scenario's last quarter is done)."""
    playing: bool
    pending: int
    """Steps requested with Step and not yet taken."""
    error: str | None = None


KPIS = (
    ("private_investment_cumulative", ",.0f"),
    ("deal_leverage_to_date", ".1f"),
    ("union_cooperation", ".0%"),
    ("disputes", ".0f"),
    ("mean_trust", ".2f"),
    ("cross_silo_ties", ".0f"),
    ("cross_sector_ties", ".0f"),
    ("net_fiscal_cost_to_date", ",.0f"),
    ("spending_per_head_ratio", ".2f"),
)
"""The headline numbers shown (recorded columns) and how each is formatted; their labels and
units are the metric declarations' (:data:`partnersim.model.metrics.METRICS`)."""


def kpis(frame: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    """The headline numbers of the last recorded row, as (label, text) pairs."""
    from partnersim.model.metrics import METRICS

    declared = {m.name: m for m in METRICS}
    row = frame.iloc[-1]
    out = []
    for column, fmt in KPIS:
        metric, value = declared[column], float(row[column])
        # the unit in brackets, as in axis titles; a share shown as a percentage needs none
        percent = fmt.endswith("%") and metric.unit == "share"
        label = metric.description if percent else f"{metric.description} [{metric.unit}]"
        out.append((label, "–" if np.isnan(value) else f"{value:{fmt}}"))
    return tuple(out)


class LiveRun:
    """A model run driven from the page: Step, Play, Pause, and the network view mode.

    Every method returns at once; the model is stepped by one worker thread per run (started
    when there is work, ending when there is none). Subscribers (see :meth:`subscribe`) receive
    each new :class:`View`, never an older one than they had, and without the run's model or
    state locks held (a subscriber may render the page in the calling thread).
    """

    _ids = itertools.count(1)

    def __init__(self, model, *, aggregate: bool = True, delay: float = 0.3):
        self.id = next(LiveRun._ids)
        self.model = model
        self._model_lock = threading.Lock()  # held for every step and every snapshot
        self._cond = threading.Condition()  # guards the fields below
        self._layouts: dict[bool, Layout] = {}
        self._aggregate = aggregate
        self._delay = float(delay)
        self._playing = False
        self._pending = 0
        self._refresh = False
        self._closed = False
        self._worker: threading.Thread | None = None
        self._subscribers: list[tuple[Callable[[View], None], bool]] = []
        self._emit_lock = threading.RLock()  # publishing in order: never an older view
        self._seq = itertools.count(1)
        self._rendered = 0
        self._error: str | None = None
        with self._model_lock:
            data = self._snapshot(aggregate)
        self._view = self._make_view(data, running=bool(model.running))

    # -- what the page calls --------------------------------------------------------------------

    @property
    def view(self) -> View:
        """The latest view."""
        with self._cond:
            return self._view

    def subscribe(self, publish: Callable[[View], None], paced: bool = False) -> Callable[[], None]:
        """Send every new view to ``publish`` (e.g. a state setter), the latest one at once.

        With ``paced`` the subscriber promises to call :meth:`rendered` once it has drawn a
        view, and the worker waits for that before the next quarter. Returns the function that
        unsubscribes.
        """
        entry = (publish, paced)
        with self._cond:
            if self._closed:
                return lambda: None
            self._subscribers.append(entry)

        def unsubscribe() -> None:
            with self._cond:
                if entry in self._subscribers:
                    self._subscribers.remove(entry)
                self._cond.notify_all()

        self._emit()
        return unsubscribe

    def step(self, n: int = 1) -> None:
        """Advance ``n`` quarters (queued behind any not yet taken)."""
        self._command(add_steps=n)

    def play(self) -> None:
        """Step until :meth:`pause`, the end of the run, or an error."""
        self._command(playing=True)

    def pause(self) -> None:
        """Stop playing after the quarter being stepped or drawn."""
        self._command(playing=False)

    def set_delay(self, seconds: float) -> None:
        """Seconds between played quarters (at least :data:`MIN_DELAY` is kept)."""
        with self._cond:
            self._delay = max(0.0, float(seconds))
            self._cond.notify_all()

    def set_aggregate(self, aggregate: bool) -> None:
        """Group councils and firms (True) or show actors (False); a new view follows."""
        self._command(aggregate=bool(aggregate))

    def rendered(self, seq: int) -> None:
        """The page has drawn the view numbered ``seq``."""
        with self._cond:
            if seq > self._rendered:
                self._rendered = seq
                self._cond.notify_all()

    def close(self) -> None:
        """Stop the worker after its current step; publish nothing more."""
        with self._cond:
            self._closed = True
            self._playing = False
            self._pending = 0
            self._subscribers.clear()
            self._cond.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no step is queued or running (True), or ``timeout`` passes (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._worker is not None:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
        return True

    # -- internals ------------------------------------------------------------------------------

    def _command(
        self, *, add_steps: int = 0, playing: bool | None = None, aggregate: bool | None = None
    ) -> None:
        """Change what the worker is to do, start it if it has work, publish any new state."""
        with self._cond:
            if self._closed:
                return
            self._pending += add_steps
            if playing is not None:
                self._playing = playing
            if aggregate is not None and aggregate != self._aggregate:
                self._aggregate, self._refresh = aggregate, True
            if not self._view.running or self._error:
                self._playing, self._pending = False, 0
            if self._worker is None and (self._playing or self._pending or self._refresh):
                self._worker = threading.Thread(
                    target=self._work, name=f"partnersim-live-{self.id}", daemon=True
                )
                self._worker.start()
            # a new view only if what it shows changed (not for Pause while paused, say)
            changed = (self._playing, self._pending) != (self._view.playing, self._view.pending)
            if changed:
                self._make_view(self._view.data, running=self._view.running)
            self._cond.notify_all()
        if changed:
            self._emit()

    def _make_view(self, data: Snapshot, running: bool) -> View:
        # called with self._cond held (or from __init__)
        view = View(
            run=self.id,
            seq=next(self._seq),
            data=data,
            running=running,
            playing=self._playing,
            pending=self._pending,
            error=self._error,
        )
        self._view = view
        return view

    def _snapshot(self, aggregate: bool) -> Snapshot:
        # called with self._model_lock held
        model = self.model
        layout = self._layouts.get(aggregate)
        if layout is None:
            layout = self._layouts[aggregate] = build_layout(model, aggregate)
        nodes, ties = network_frames(model, layout)
        frame = model.recorder.to_frame()
        step = int(model.steps)
        return Snapshot(
            step=step,
            steps=int(model.spec.steps),
            aggregate=aggregate,
            frame=frame,
            nodes=nodes,
            ties=ties,
            kpis=kpis(frame),
        )

    def _emit(self) -> None:
        # Publish the latest view, one thread at a time: two threads may emit in the opposite
        # order to the one they made their views in, and a page must not go back to an older
        # view. A re-entrant lock, as publishing may render, and a render may subscribe.
        with self._emit_lock:
            with self._cond:
                subscribers, view = list(self._subscribers), self._view
            for publish, _ in subscribers:
                try:
                    publish(view)
                except Exception:  # a failing render must not kill the worker or a handler
                    logger.exception("publishing a live view failed")

    def _work(self) -> None:
        while True:
            with self._cond:
                if self._closed or not (self._refresh or self._pending or self._playing):
                    self._worker = None
                    self._cond.notify_all()
                    return
                self._refresh = False
                advance = bool(self._pending or self._playing)
                if self._pending:
                    self._pending -= 1
                aggregate = self._aggregate
            error = None
            try:
                with self._model_lock:
                    if advance and self.model.running:
                        self.model.step()
                    data = self._snapshot(aggregate)
                    running = bool(self.model.running)
            except Exception as exc:  # shown on the page; the run stops
                logger.exception("the live model failed")
                error = f"{type(exc).__name__}: {exc}"
            with self._cond:
                if self._closed:
                    self._worker = None
                    self._cond.notify_all()
                    return
                if error is not None:
                    self._error = error
                    data, running = self._view.data, self._view.running
                if not running or error is not None:
                    self._playing, self._pending = False, 0
                view = self._make_view(data, running=running)
            self._emit()
            self._pace(view.seq)

    def _pace(self, seq: int) -> None:
        """Wait until the page drew view ``seq``, then (while playing) for the delay."""
        with self._cond:
            drawn = self._cond.wait_for(
                lambda: (
                    self._closed
                    or self._rendered >= seq
                    or not any(paced for _, paced in self._subscribers)
                ),
                timeout=RENDER_WAIT,
            )
            if not drawn:
                logger.warning("the page did not draw view %d within %g s", seq, RENDER_WAIT)
            start = time.monotonic()
            while self._playing and not self._closed:
                left = max(self._delay, MIN_DELAY) - (time.monotonic() - start)
                if left <= 0:
                    break
                self._cond.wait(left)
