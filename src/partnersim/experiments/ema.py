"""partnersim as an EMA Workbench model, built from its own declarations or from a sweep file.

    from ema_workbench import SequentialEvaluator, perform_experiments
    from partnersim.experiments.ema import ema_model, robustness

    model = ema_model(replications=3)
    experiments, outcomes = perform_experiments(model, scenarios=20, policies=4)

    with SequentialEvaluator(model) as evaluator:      # EMA's optimisers work as they are
        front, convergence = evaluator.optimize(
            nfe=1000, epsilons=[0.05] * len(model.objectives),
            filename="front.tar.gz", directory="results",  # EMA 3 archives as it goes
        )
        robust, convergence = evaluator.robust_optimize(
            [robustness("mean_gap_closed"), robustness("net_fiscal_cost_total")],
            scenarios=10, nfe=1000, epsilons=[0.05, 1.0],
            filename="robust.tar.gz", directory="results",
        )

* **Parameters.** Levers and uncertainties are EMA parameters built from
  :mod:`partnersim.schema.levers` (same names and categories; uncertainties over their
  plausible range where one is declared, else their bounds; quarters bounded by the run
  length). ``ema_model(from_sweep="sweeps/x.toml")`` exposes exactly the sweep's factors within
  the sweep's bounds (lists as categories; assumptions, by dotted name, as uncertainties), on
  the sweep's base scenario, seeds per experiment and root seed.
* **Seeds.** Every experiment gets its own seed: ``seed`` is an uncertainty (an integer EMA
  samples like any other), so it is recorded in EMA's experiments table, and policies run on
  the same scenarios share their seeds (common random numbers). An experiment with seed ``s``
  and ``r`` replications runs the seeds ``derive_seeds(s, r)`` — exactly the runs of
  ``partnersim run SCENARIO --seed s --seeds r``. The outcome ``run_seed`` (one replication)
  or ``run_seeds`` (several) records them, and ``replications`` how many there were.
* **Outcomes.** Every declared outcome of :mod:`partnersim.runs.outcomes`, a scalar (with
  several replications, the mean over them, NaN where undefined). The model's
  ``objectives`` — by default :data:`OBJECTIVES`, outcomes every run defines — carry their
  declared direction (maximise or minimise), so ``optimize`` works with
  ``epsilons=[…] * len(model.objectives)``; the others are for information.
  :func:`robustness` builds ``robust_optimize``'s robustness functions from the declarations.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from partnersim.runs.outcomes import OUTCOME_INDEX, Direction, outcome_names
from partnersim.schema.levers import LEVERS, UNCERTAINTIES, Parameter, Section, variable
from partnersim.schema.scenario import Scenario

OUTCOMES = outcome_names()
"""Outcomes exposed to EMA: every declared outcome (:data:`partnersim.runs.outcomes.OUTCOMES`)."""

OBJECTIVES = (
    "missions_met",
    "mean_gap_closed",
    "private_investment_total",
    "net_fiscal_cost_total",
)
"""Outcomes that are objectives by default: defined in every run, whatever its length."""

SEED = "seed"
"""Name of the seed uncertainty."""
SEED_HIGH = 2**31 - 1
"""Largest seed EMA samples (seeds are drawn from 0 to this)."""


def _ema():
    with warnings.catch_warnings():  # ema_workbench warns about optional ipyparallel
        warnings.simplefilter("ignore", UserWarning)
        import ema_workbench

    return ema_workbench


def _identifier(name: str) -> str:
    """EMA's name for a parameter (identifiers only: dotted assumption names use ``__``)."""
    return name.replace(".", "__")


def _parameter(
    p: Parameter,
    steps: int,
    *,
    low: float | None = None,
    high: float | None = None,
    values: Sequence[Any] | None = None,
) -> Any:  # an ema_workbench parameter (the workbench ships no type information)
    ema = _ema()
    name, kw = _identifier(p.name), {"variable_name": p.name}
    if values is not None:
        return ema.CategoricalParameter(name, list(values), **kw)
    if p.choices is not None:
        return ema.CategoricalParameter(name, list(p.choices), **kw)
    if low is None:
        low, high = (
            p.plausible if p.section is Section.UNCERTAINTIES and p.plausible else (p.low, p.high)
        )
    if low is None or high is None:
        raise ValueError(f"{p.name} has no bounds for EMA Workbench to sample within")
    if p.kind is int:
        top = min(int(high), steps - 1) if p.quarter else int(high)
        return ema.IntegerParameter(name, int(low), max(top, int(low)), **kw)
    return ema.RealParameter(name, float(low), float(high), **kw)


def mean_over_replications(values: Sequence[float]) -> float:
    """The mean of an outcome over an experiment's replications (NaN if none defines it)."""
    v = np.asarray(values, dtype=float)
    return float(v[~np.isnan(v)].mean()) if np.isfinite(v).any() else float("nan")


def count(values: Any) -> int:
    """How many replications an experiment ran (1 for a single replication)."""
    return len(values) if isinstance(values, list | tuple | np.ndarray) else 1


class Evaluate:
    """The function EMA calls: one partnersim run per call (picklable for EMA's evaluators).

    Args:
        base: the scenario the sampled values are applied to.
        replications: runs per experiment; their seeds derive from the experiment's seed.
    """

    def __init__(self, base: Scenario, replications: int):
        self.base = base
        self.replications = replications

    def __call__(self, seed: int, replication: int = 0, **values: Any) -> dict[str, float]:
        """Run the base scenario with ``values`` on the seed of ``replication``."""
        from partnersim.runs.runner import derive_seeds, run

        run_seed = derive_seeds(int(seed), self.replications)[replication]
        result = run(self.base.evolve(**values), run_seed)
        return {"run_seed": run_seed, **{name: float(result.summary[name]) for name in OUTCOMES}}


def ema_model(
    name: str = "partnersim",
    scenario: Scenario | str | Path | None = None,
    *,
    replications: int | None = None,
    steps: int | None = None,
    from_sweep: Any = None,
    objectives: Iterable[str] = OBJECTIVES,
) -> Any:  # an ema_workbench Model or ReplicatorModel (the workbench ships no type information)
    """An EMA Workbench model of partnersim (see the module docstring).

    Args:
        name: the EMA model name (an identifier).
        scenario: base scenario (a :class:`Scenario` or a file); values EMA does not sample
            come from it. Default: the status quo, or the sweep's base scenario.
        replications: seeded runs per experiment (default 1, or the sweep's); more than one
            makes a ``ReplicatorModel`` whose outcomes are means over the replications.
        steps: run length override.
        from_sweep: a sweep file or :class:`~partnersim.experiments.sweep.SweepSpec`: expose
            its factors within its bounds, on its base scenario, with its replications.
        objectives: outcomes given their declared direction (the others are INFO).

    Returns:
        An ``ema_workbench.Model`` or ``ReplicatorModel`` with ``levers``, ``uncertainties``
        (the seed among them) and ``outcomes`` set; ``objectives`` lists the names of the
        outcomes with a direction, ``base`` is the base scenario.

    Raises:
        ValueError: an objective is not a declared outcome.
    """
    ema = _ema()
    spec = None
    if from_sweep is not None:
        from partnersim.experiments.sweep.spec import SweepSpec

        spec = from_sweep if isinstance(from_sweep, SweepSpec) else SweepSpec.from_toml(from_sweep)
    if scenario is None:
        base = spec.base if spec else Scenario.default()
    elif isinstance(scenario, Scenario):
        base = scenario
    else:
        base = Scenario.from_toml(scenario)
    if steps is not None:
        base = base.evolve(steps=steps)
    if replications is None:
        replications = spec.replications if spec else 1
    objectives = tuple(objectives)
    unknown = [o for o in objectives if o not in OUTCOME_INDEX]
    if unknown:
        raise ValueError(f"not declared outcomes: {', '.join(unknown)}")

    function = Evaluate(base, replications)
    if replications > 1:
        model = ema.ReplicatorModel(name, function=function)
        model.replications = [{"replication": i} for i in range(replications)]
    else:
        model = ema.Model(name, function=function)
    levers, uncertainties = _parameters(base, spec)
    model.levers = levers
    model.uncertainties = [*uncertainties, ema.IntegerParameter(SEED, 0, SEED_HIGH)]
    model.outcomes = _outcomes(replications, objectives)
    model.objectives = objectives
    model.base = base
    return model


def _parameters(base: Scenario, spec: Any) -> tuple[list, list]:
    if spec is None:
        return (
            [_parameter(p, base.steps) for p in LEVERS],
            [_parameter(p, base.steps) for p in UNCERTAINTIES],
        )
    levers: list[Any] = []
    uncertainties: list[Any] = []
    for f in spec.factors:
        p = variable(f.name)
        made = _parameter(p, base.steps + 1, low=f.low, high=f.high, values=f.values)
        (levers if p.section is Section.LEVERS else uncertainties).append(made)
    return levers, uncertainties


def _outcomes(replications: int, objectives: tuple[str, ...]) -> list:
    ema = _ema()
    kinds = {
        Direction.MAXIMISE: ema.ScalarOutcome.MAXIMIZE,
        Direction.MINIMISE: ema.ScalarOutcome.MINIMIZE,
    }
    reduce: Callable | None = mean_over_replications if replications > 1 else None
    out = [
        ema.ScalarOutcome(
            o,
            kind=kinds[OUTCOME_INDEX[o].direction] if o in objectives else ema.ScalarOutcome.INFO,
            function=reduce,
            variable_name=o if reduce else None,
        )
        for o in OUTCOMES
    ]
    if replications > 1:
        out.append(ema.ArrayOutcome("run_seeds", variable_name="run_seed"))
    else:
        out.append(ema.ScalarOutcome("run_seed", variable_name="run_seed"))
    out.append(ema.ScalarOutcome("replications", variable_name="run_seed", function=count))
    return out


def robustness(
    outcome: str, statistic: Callable[[np.ndarray], float] = np.mean, name: str | None = None
) -> Any:  # an ema_workbench ScalarOutcome
    """A robustness function for EMA's ``robust_optimize``, directed as ``outcome`` is declared.

    The metric is ``statistic`` of ``outcome`` over the scenarios, maximised or minimised as
    the outcome's declaration says.

    Args:
        outcome: a declared outcome.
        statistic: reduces the outcome over scenarios (default the mean; e.g. a percentile).
        name: the robustness metric's name (default ``<outcome>_<statistic>``).

    Raises:
        ValueError: ``outcome`` is not declared.
    """
    ema = _ema()
    if outcome not in OUTCOME_INDEX:
        raise ValueError(f"{outcome!r} is not a declared outcome")
    kind = (
        ema.ScalarOutcome.MAXIMIZE
        if OUTCOME_INDEX[outcome].direction is Direction.MAXIMISE
        else ema.ScalarOutcome.MINIMIZE
    )
    label = name or f"{outcome}_{getattr(statistic, '__name__', 'robustness')}"
    return ema.ScalarOutcome(label, kind=kind, variable_name=outcome, function=statistic)
