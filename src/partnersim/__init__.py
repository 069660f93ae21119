"""partnersim: agent-based simulation of a national mission partnership.

Public API::

    from partnersim import Scenario, PartnershipModel, run

Heavy modules (Mesa, the model) are imported on first use, so that ``partnersim validate`` and
other light commands start quickly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from partnersim.scenario import Scenario, ScenarioError

__version__ = "0.1.0"

__all__ = ["PartnershipModel", "RunResult", "Scenario", "ScenarioError", "__version__", "run"]

if TYPE_CHECKING:
    from partnersim.model import PartnershipModel
    from partnersim.runner import RunResult, run

_LAZY = {
    "PartnershipModel": "partnersim.model",
    "run": "partnersim.runner",
    "RunResult": "partnersim.runner",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'partnersim' has no attribute {name!r}")
