"""partnersim as an EMA Workbench model, built from its own declarations.

    from ema_workbench import perform_experiments
    from partnersim.experiments.ema import ema_model

    model = ema_model(replications=3)
    experiments, outcomes = perform_experiments(model, scenarios=20, policies=4)

Levers and uncertainties are EMA parameters built from :mod:`partnersim.schema.levers` (same names,
bounds and categories; quarters bounded by the run length); outcomes are the declared outcomes
of :mod:`partnersim.runs.outcomes`, each with its direction (maximise or minimise). With
``replications > 1`` the model is an EMA ``ReplicatorModel`` whose replications carry seeds
spawned from one root seed, so EMA experiments are reproducible and their seeds are known
(``model.seeds``).
"""

from __future__ import annotations

import warnings
from typing import Any

from partnersim.runs.outcomes import OUTCOMES as DECLARED
from partnersim.runs.outcomes import Direction, outcome_names
from partnersim.schema.levers import LEVERS, UNCERTAINTIES, Parameter
from partnersim.schema.scenario import Scenario

OUTCOMES = outcome_names()
"""Outcomes exposed to EMA: every declared outcome (:data:`partnersim.runs.outcomes.OUTCOMES`)."""


def _parameter(p: Parameter, steps: int):
    from ema_workbench import CategoricalParameter, IntegerParameter, RealParameter

    if p.choices is not None:
        return CategoricalParameter(p.name, list(p.choices))
    if p.kind is int:
        high = min(int(p.high), steps) if p.quarter else int(p.high)
        return IntegerParameter(p.name, int(p.low), high)
    return RealParameter(p.name, float(p.low), float(p.high))


class _Evaluate:
    """The function EMA calls: one partnersim run per call (picklable for EMA's evaluators)."""

    def __init__(self, base: Scenario, default_seed: int):
        self.base = base
        self.default_seed = default_seed

    def __call__(self, seed: int | None = None, **values: Any) -> dict[str, float]:
        from partnersim.runs.runner import run

        result = run(self.base.evolve(**values), self.default_seed if seed is None else seed)
        return {name: float(result.summary[name]) for name in OUTCOMES}


def ema_model(
    name: str = "partnersim",
    scenario: Scenario | str | None = None,
    *,
    replications: int = 1,
    seed: int = 0,
    steps: int | None = None,
):
    """An EMA Workbench model of partnersim.

    Args:
        name: the EMA model name (an identifier).
        scenario: base scenario (a :class:`Scenario` or a file); values EMA does not sample come
            from it. Default: the status quo.
        replications: seeds per experiment; > 1 makes a ``ReplicatorModel``.
        seed: root seed the replication seeds are spawned from.
        steps: run length override.

    Returns:
        An ``ema_workbench.Model`` (scalar outcomes) or ``ReplicatorModel`` (array outcomes,
        one value per replication) with ``levers``, ``uncertainties`` and ``outcomes`` set;
        its ``seeds`` attribute lists the replication seeds.
    """
    with warnings.catch_warnings():  # ema_workbench warns about optional ipyparallel
        warnings.simplefilter("ignore", UserWarning)
        from ema_workbench import ArrayOutcome, Model, ReplicatorModel, ScalarOutcome

    from partnersim.runs.runner import derive_seeds

    if scenario is None:
        base = Scenario.default()
    elif isinstance(scenario, Scenario):
        base = scenario
    else:
        base = Scenario.from_toml(scenario)
    if steps is not None:
        base = base.evolve(steps=steps)
    seeds = derive_seeds(seed, replications)
    function = _Evaluate(base, seeds[0])
    if replications > 1:
        model = ReplicatorModel(name, function=function)
        model.replications = [{"seed": s} for s in seeds]
    else:
        model = Model(name, function=function)
    model.levers = [_parameter(p, base.steps) for p in LEVERS]
    model.uncertainties = [_parameter(p, base.steps) for p in UNCERTAINTIES]
    if replications > 1:  # one value per replication: an array outcome
        model.outcomes = [ArrayOutcome(o.name) for o in DECLARED]
    else:
        kind = {
            Direction.MAXIMISE: ScalarOutcome.MAXIMIZE,
            Direction.MINIMISE: ScalarOutcome.MINIMIZE,
        }
        model.outcomes = [ScalarOutcome(o.name, kind=kind[o.direction]) for o in DECLARED]
    model.seeds = seeds
    return model
