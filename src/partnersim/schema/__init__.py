"""Inputs layer: the declarations of every scenario parameter and the scenario files built on them.

* :mod:`partnersim.schema.levers` — one :class:`~partnersim.schema.levers.Parameter` per lever,
  uncertainty, scale and run setting, and the cross-field rules between them;
* :mod:`partnersim.schema.problems` — what scenario and sweep files share: located problems,
  value checks, TOML reading and line lookup;
* :mod:`partnersim.schema.scenario` — :class:`~partnersim.schema.scenario.Scenario`, the
  validated, frozen, hashable scenario;
* :mod:`partnersim.schema.packaged` — the scenario and sweep files shipped with partnersim,
  found by name.

Nothing here imports the model, the runner or anything above them.
"""

from partnersim.schema.levers import LEVER_NAMES, LEVERS, PARAMETERS, Parameter, Section
from partnersim.schema.scenario import Scenario, ScenarioError

__all__ = [
    "LEVERS",
    "LEVER_NAMES",
    "PARAMETERS",
    "Parameter",
    "Scenario",
    "ScenarioError",
    "Section",
]
