"""Where the dashboard looks for scenario files and results folders.

``partnersim dashboard --scenarios DIR --results DIR`` passes them to the server through the
``PARTNERSIM_SCENARIOS`` and ``PARTNERSIM_RESULTS`` environment variables; the defaults are
``scenarios/`` under the working directory if it exists (else the scenarios shipped with
partnersim) and ``results/`` under the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from partnersim.schema import packaged


def scenarios_dir() -> Path:
    """Folder of scenario files offered in the pickers."""
    if "PARTNERSIM_SCENARIOS" in os.environ:
        return Path(os.environ["PARTNERSIM_SCENARIOS"])
    return packaged.default_folder("scenarios")


def results_dir() -> Path:
    """Folder whose sweep results the sweep explorer lists."""
    return Path(os.environ.get("PARTNERSIM_RESULTS", "results"))
