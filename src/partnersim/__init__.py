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
Many runs
    ``run_many`` → ``RunSet``: scenarios on the same seeds derived from one root seed, with
    progress reports, as the tables and manifest of a results folder
    (:func:`partnersim.runs.many.write_run_folder` writes it).
Across runs
    ``mission_outcomes`` (probability of meeting each target, Wilson interval, level at the
    deadline) and ``headline_outcomes`` (partnership and fiscal outcomes) of a summary table.
Sweeps and analysis
    ``SweepSpec``, ``run_sweep``; ``sensitivity`` (Sobol', Morris or delta indices with
    bootstrap intervals, clipped to their domain), ``discover`` (PRIM's box for a mission's
    target met, a ``DiscoveryBox``; :mod:`partnersim.experiments.discovery` searches any
    condition on any outcome with PRIM and CART: ``search`` for a ``Condition``),
    ``seed_noise`` (how much of each outcome's variance is seed noise) and
    ``success_by_region`` (probability of success by factor region).
Robust policy design
    ``OptimiseSpec`` (an optimisation file: levers searched, objectives, constraints,
    robustness criteria, worlds and seeds) and ``optimise`` (the many-objective search, resumable;
    :func:`partnersim.design.report.build` writes its report: trade-offs, robustness table,
    vulnerability).
Dashboard
    ``LiveModel``, the live page, which also renders inline in Jupyter.

Heavy modules (Mesa, pandas, matplotlib, Solara, SALib, the EMA Workbench) are imported on first
use of a name that needs them, so that ``partnersim validate`` and other light commands start
quickly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from partnersim.schema.levers import LEVER_NAMES, LEVERS, PARAMETERS, Parameter
from partnersim.schema.scenario import Scenario, ScenarioError

__version__ = "0.1.0"

__all__ = [
    "LEVERS",
    "LEVER_NAMES",
    "PARAMETERS",
    "Business",
    "Centre",
    "Condition",
    "DiscoveryBox",
    "LiveModel",
    "LocalAuthority",
    "Ministry",
    "OptimiseSpec",
    "Parameter",
    "PartnershipModel",
    "RunResult",
    "RunSet",
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
    "optimise",
    "run",
    "run_many",
    "run_sweep",
    "search",
    "seed_noise",
    "sensitivity",
    "success_by_region",
]

if TYPE_CHECKING:
    from partnersim.app.live import LiveModel
    from partnersim.data import missions
    from partnersim.design.search import optimise
    from partnersim.design.spec import OptimiseSpec
    from partnersim.experiments.analysis import sensitivity, success_by_region
    from partnersim.experiments.discovery import Condition, DiscoveryBox, discover, search
    from partnersim.experiments.seeds import seed_noise
    from partnersim.experiments.sweep import SweepSpec, run_sweep
    from partnersim.model.agents import Business, Centre, LocalAuthority, Ministry, Union
    from partnersim.model.partnership import PartnershipModel
    from partnersim.runs.many import RunSet, run_many
    from partnersim.runs.runner import RunResult, derive_seeds, run
    from partnersim.runs.summary import headline_outcomes, mission_outcomes

_LAZY = {
    "PartnershipModel": "partnersim.model.partnership",
    "run": "partnersim.runs.runner",
    "RunResult": "partnersim.runs.runner",
    "derive_seeds": "partnersim.runs.runner",
    "run_many": "partnersim.runs.many",
    "RunSet": "partnersim.runs.many",
    "missions": "partnersim.data",
    "Business": "partnersim.model.agents",
    "Centre": "partnersim.model.agents",
    "LocalAuthority": "partnersim.model.agents",
    "Ministry": "partnersim.model.agents",
    "Union": "partnersim.model.agents",
    "mission_outcomes": "partnersim.runs.summary",
    "headline_outcomes": "partnersim.runs.summary",
    "SweepSpec": "partnersim.experiments.sweep",
    "run_sweep": "partnersim.experiments.sweep",
    "sensitivity": "partnersim.experiments.analysis",
    "discover": "partnersim.experiments.discovery",
    "success_by_region": "partnersim.experiments.analysis",
    "DiscoveryBox": "partnersim.experiments.discovery",
    "Condition": "partnersim.experiments.discovery",
    "search": "partnersim.experiments.discovery",
    "seed_noise": "partnersim.experiments.seeds",
    "LiveModel": "partnersim.app.live",
    "OptimiseSpec": "partnersim.design.spec",
    "optimise": "partnersim.design.search",
}
"""Public names whose modules import heavy dependencies: resolved on first use (PEP 562)."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'partnersim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
