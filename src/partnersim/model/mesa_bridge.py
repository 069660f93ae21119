"""The bridge to Mesa's scenario class, so Mesa's tools (SolaraViz, ``batch_run``) can run.

Mesa's SolaraViz reads ``model.scenario`` to rebuild a model when a control changes;
:class:`MesaScenario` gives it Mesa's interface (class-level defaults, keyword construction)
while every value is validated by partnersim's schema.
"""

from __future__ import annotations

from typing import Any

from mesa.experimental.scenarios import Scenario as MesaScenarioBase

from partnersim.schema.levers import PARAMETERS
from partnersim.schema.scenario import Scenario


class MesaScenario(MesaScenarioBase):
    """Mesa's ``Scenario`` view of a partnersim scenario.

    Attributes Mesa's class does not have (such as ``content_hash``, ``to_toml`` or
    ``evolve``) are those of the validated scenario, ``spec``.
    """

    def __init__(self, *, rng: Any = None, spec: Scenario | None = None, **values: Any):
        spec = spec if spec is not None else Scenario.from_kwargs(**values)
        super().__init__(rng=rng, **dict(spec.values))
        self.__dict__["_spec"] = spec

    @property
    def spec(self) -> Scenario:
        """The validated partnersim scenario."""
        return self.__dict__["_spec"]

    def __getattr__(self, name: str) -> Any:
        spec = self.__dict__.get("_spec")
        if spec is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(spec, name)

    def __iter__(self):
        return ((k, v) for k, v in self.__dict__.items() if k != "_spec")

    def __len__(self) -> int:
        return len(self.__dict__) - ("_spec" in self.__dict__)


def values_of(scenario: MesaScenarioBase) -> dict[str, Any]:
    """The parameter values a Mesa scenario holds (without Mesa's own ``rng`` and ``model``)."""
    return {k: v for k, v in scenario if k not in ("rng", "model", "_spec")}


# Mesa collects a Scenario subclass's defaults from class-level annotations; every instance
# also carries every declared value (see ``__init__``), so parameters declared later work too.
for _name, _param in PARAMETERS.items():
    MesaScenario.__annotations__[_name] = _param.kind
    setattr(MesaScenario, _name, _param.default)
MesaScenario._scenario_defaults = {n: p.default for n, p in PARAMETERS.items()}
