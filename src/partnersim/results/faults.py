"""Fault injection for the tests: a Ctrl-C delivered at a named point of a command.

Setting ``PARTNERSIM_FAULT=<point>`` makes the process send itself SIGINT (as Ctrl-C does)
when it reaches that point, so a test can check that each stage of a command leaves the disk
in the state its message describes. Unset (always, in normal use), :func:`fault` does nothing.

Points: ``sweep:prepare`` (a new sweep folder half-prepared), ``sweep:chunk`` (after the
first chunk is committed), ``report:tables`` (report tables written, ``report.md`` not yet),
``run:tables`` (a run's tables written, the folder not yet renamed into place),
``worlds:draw`` (after the first world of ``partnersim worlds`` is committed),
``optimise:evaluation`` (after each evaluation of ``partnersim optimise`` is committed).
"""

from __future__ import annotations

import os
import signal

POINTS = (
    "sweep:prepare",
    "sweep:chunk",
    "report:tables",
    "run:tables",
    "worlds:draw",
    "optimise:evaluation",
)


def fault(point: str) -> None:
    """Send this process SIGINT if ``PARTNERSIM_FAULT`` names ``point``."""
    if os.environ.get("PARTNERSIM_FAULT") == point:
        os.kill(os.getpid(), signal.SIGINT)
