"""partnersim: agent-based simulation of a national mission partnership.

Public API — everything below is importable from ``partnersim`` itself; the modules
:mod:`partnersim.results` (results folders on disk) and :mod:`partnersim.plots` (figures in
real units) are public too::

    from partnersim import Scenario, PartnershipModel, run

Scenarios and levers
    ``Scenario``, ``ScenarioError``; the lever declarations ``LEVERS`` (one ``Parameter`` per
    lever, with its unit, range, mechanism, source and report ``recommendation``),
    ``LEVER_NAMES`` and ``PARAMETERS`` (every declared parameter by name); ``missions()``, the
    five missions with their real-unit indicator, baseline, target and deadline.
Runs
    ``run`` → ``RunResult``; ``derive_seeds`` (independent run seeds from one root seed);
    ``PartnershipModel`` (the ``mesa.Model``) and its actors ``Centre``, ``Ministry``,
    ``LocalAuthority``, ``Business`` and ``Union``.
Across runs
    ``mission_outcomes`` (probability of meeting each target, Wilson interval, level at the
    deadline) and ``headline_outcomes`` (partnership and fiscal outcomes) of a summary table.
Sweeps and analysis
    ``SweepSpec``, ``run_sweep``; ``sensitivity`` (Sobol', Morris or delta indices with
    bootstrap intervals), ``discover`` (PRIM scenario discovery, a ``DiscoveryBox``) and
    ``success_by_region`` (probability of success by lever region).
Dashboard
    ``LiveModel``, the live page, which also renders inline in Jupyter.

Heavy modules (Mesa, pandas, matplotlib, Solara, SALib, the EMA Workbench) are imported on first
use of a name that needs them, so that ``partnersim validate`` and other light commands start
quickly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from partnersim.levers import LEVER_NAMES, LEVERS, PARAMETERS, Parameter
from partnersim.scenario import Scenario, ScenarioError

__version__ = "0.1.0"

__all__ = [
    "LEVERS",
    "LEVER_NAMES",
    "PARAMETERS",
    "Business",
    "Centre",
    "DiscoveryBox",
    "LiveModel",
    "LocalAuthority",
    "Ministry",
    "Parameter",
    "PartnershipModel",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SweepSpec",
    "Union",
    "__version__",
    "derive_seeds",
    "discover",
    "headline_outcomes",
    "mission_outcomes",
    "missions",
    "run",
    "run_sweep",
    "sensitivity",
    "success_by_region",
]

if TYPE_CHECKING:
    from partnersim.agents import Business, Centre, LocalAuthority, Ministry, Union
    from partnersim.analysis import DiscoveryBox, discover, sensitivity, success_by_region
    from partnersim.app.live import LiveModel
    from partnersim.data import missions
    from partnersim.model import PartnershipModel
    from partnersim.runner import RunResult, derive_seeds, run
    from partnersim.summary import headline_outcomes, mission_outcomes
    from partnersim.sweep import SweepSpec, run_sweep

_LAZY = {
    "PartnershipModel": "partnersim.model",
    "run": "partnersim.runner",
    "RunResult": "partnersim.runner",
    "derive_seeds": "partnersim.runner",
    "missions": "partnersim.data",
    "Business": "partnersim.agents",
    "Centre": "partnersim.agents",
    "LocalAuthority": "partnersim.agents",
    "Ministry": "partnersim.agents",
    "Union": "partnersim.agents",
    "mission_outcomes": "partnersim.summary",
    "headline_outcomes": "partnersim.summary",
    "SweepSpec": "partnersim.sweep",
    "run_sweep": "partnersim.sweep",
    "sensitivity": "partnersim.analysis",
    "discover": "partnersim.analysis",
    "success_by_region": "partnersim.analysis",
    "DiscoveryBox": "partnersim.analysis",
    "LiveModel": "partnersim.app.live",
}
"""Public names whose modules import heavy dependencies: resolved on first use (PEP 562)."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'partnersim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
