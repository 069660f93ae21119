"""Where the dashboard looks for scenario files and results folders.

``partnersim dashboard --scenarios DIR --results DIR`` passes them to the server through the
``PARTNERSIM_SCENARIOS`` and ``PARTNERSIM_RESULTS`` environment variables; the defaults are
``scenarios/`` and ``results/`` under the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path


def scenarios_dir() -> Path:
    """Folder of scenario files offered in the pickers."""
    return Path(os.environ.get("PARTNERSIM_SCENARIOS", "scenarios"))


def results_dir() -> Path:
    """Folder whose sweep results the sweep explorer lists."""
    return Path(os.environ.get("PARTNERSIM_RESULTS", "results"))
