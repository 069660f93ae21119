"""The EMA Workbench bridge: fresh seeds, directions, sweep bounds, and EMA's own tools on it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from partnersim import Scenario, run
from partnersim.experiments.ema import OBJECTIVES, SEED, ema_model, robustness
from partnersim.experiments.sweep import SweepSpec
from partnersim.runs.outcomes import OUTCOME_INDEX, Direction
from partnersim.runs.runner import derive_seeds

from .conftest import ROOT

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from ema_workbench import (
        RealParameter,
        ScalarOutcome,
        SequentialEvaluator,
        perform_experiments,
    )


@pytest.fixture
def tiny() -> Scenario:
    return Scenario.default().evolve(name="tiny", n_businesses=40, n_local_authorities=12, steps=4)


def test_every_experiment_gets_its_own_recorded_seed(tiny):
    model = ema_model(scenario=tiny)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(
            model, scenarios=20, policies=1, evaluator=evaluator
        )
    assert len(experiments) == 20
    assert experiments[SEED].nunique() >= 2  # one seed for all was the bug
    assert len(set(outcomes["run_seed"])) == 20
    assert (outcomes["replications"] == 1).all()
    # an experiment is the partnersim run of its recorded seed: reproducible outside EMA
    row = experiments.iloc[3]
    values = {p.variable_name[0]: row[p.name] for p in [*model.levers, *model.uncertainties]}
    values.pop(SEED)
    seed = derive_seeds(int(row[SEED]), 1)[0]
    assert outcomes["run_seed"][3] == seed
    again = run(
        tiny.evolve(**{k: v.item() if hasattr(v, "item") else v for k, v in values.items()}), seed
    )
    assert again.summary["mean_gap_closed"] == pytest.approx(outcomes["mean_gap_closed"][3])


def test_replications_are_reported_and_averaged(tiny):
    model = ema_model(scenario=tiny, replications=2)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(
            model, scenarios=3, policies=1, evaluator=evaluator
        )
    assert outcomes["run_seeds"].shape == (3, 2)
    assert (outcomes["replications"] == 2).all()
    assert outcomes["private_investment_total"].shape == (3,)  # the mean over replications
    for seed, pair in zip(experiments[SEED], outcomes["run_seeds"], strict=True):
        assert list(pair) == derive_seeds(int(seed), 2)  # = partnersim run --seed S --seeds 2


def test_outcomes_carry_their_declared_directions():
    model = ema_model()
    kinds = {o.name: o.kind for o in model.outcomes}
    for name in OBJECTIVES:
        want = (
            ScalarOutcome.MAXIMIZE
            if OUTCOME_INDEX[name].larger_is_better
            else ScalarOutcome.MINIMIZE
        )
        assert kinds[name] == want
    assert sum(k != ScalarOutcome.INFO for k in kinds.values()) == len(model.objectives)
    assert kinds["net_fiscal_cost_total"] == ScalarOutcome.MINIMIZE
    # models of one and of several replications, and outcomes redefined by a user, coexist
    replicated = ema_model(replications=2)
    replicated.outcomes = [
        ScalarOutcome("mean_gap_closed", kind=ScalarOutcome.MAXIMIZE, function=np.median)
    ]
    model.outcomes = [ScalarOutcome("mean_gap_closed", kind=ScalarOutcome.MAXIMIZE)]
    assert OUTCOME_INDEX["mean_gap_closed"].direction is Direction.MAXIMISE


def test_parameters_stay_within_the_sweep_file_bounds():
    path = ROOT / "sweeps" / "levers_lhs.toml"
    spec = SweepSpec.from_toml(path)
    model = ema_model(from_sweep=path)
    params = {p.name: p for p in [*model.levers, *model.uncertainties]}
    assert set(params) == {f.name for f in spec.factors} | {SEED}
    for f in spec.factors:
        p = params[f.name]
        if f.values is None:
            assert (p.lower_bound, p.upper_bound) == (f.low, f.high)
        else:
            assert sorted(c.value for c in p.categories) == sorted(f.values)
    assert {p.name for p in model.uncertainties} == {
        "business_risk_appetite",
        "trust_learning_rate",
        "early_years_response",
        "police_elasticity",
        "growth_investment_effect",
        SEED,
    }
    assert model.replications and len(model.replications) == spec.replications
    assert model.base.content_hash == spec.base.content_hash


def test_declared_bounds_respect_the_run_length_and_plausible_ranges():
    model = ema_model(steps=12)
    params = {p.name: p for p in [*model.levers, *model.uncertainties]}
    assert params["start_step"].upper_bound == 11  # a start after the last quarter is no start
    assert params["shock_step"].upper_bound == 11
    assert (params["shock_size"].lower_bound, params["shock_size"].upper_bound) == (0.25, 1.0)


def test_an_assumption_factor_is_an_uncertainty_under_an_identifier(tmp_path, tiny):
    path = tmp_path / "a.toml"
    path.write_text(
        f'name = "a"\nscenario = "{ROOT / "scenarios" / "westminster_default.toml"}"\n'
        'design = "lhs"\nsamples = 4\n[assumptions]\n'
        "contracting.hurdle = { low = 0.05, high = 0.2 }\n"
    )
    model = ema_model(from_sweep=path)
    (hurdle,) = [p for p in model.uncertainties if p.name != SEED]
    assert isinstance(hurdle, RealParameter)
    assert hurdle.name == "contracting__hurdle"
    assert list(hurdle.variable_name) == ["contracting.hurdle"]
    assert (hurdle.lower_bound, hurdle.upper_bound) == (0.05, 0.2)
    model = ema_model(from_sweep=path, scenario=tiny)
    with SequentialEvaluator(model) as evaluator:
        experiments, _ = perform_experiments(model, scenarios=2, evaluator=evaluator)
    assert experiments["contracting__hurdle"].between(0.05, 0.2).all()


def test_optimize_and_robust_optimize_run_on_a_tiny_budget(tiny, tmp_path):
    model = ema_model(scenario=tiny)
    with SequentialEvaluator(model) as evaluator:
        front, _ = evaluator.optimize(
            nfe=8,
            searchover="levers",
            epsilons=[0.1] * len(model.objectives),
            population_size=4,
            filename="optimize.tar.gz",
            directory=str(tmp_path),
            rng=1,
        )
        assert len(front) >= 1 and set(model.objectives) <= set(front.columns)
        functions = [robustness("mean_gap_closed"), robustness("net_fiscal_cost_total", np.median)]
        robust, _ = evaluator.robust_optimize(
            functions,
            scenarios=2,
            nfe=4,
            epsilons=[0.1, 1.0],
            population_size=2,
            filename="robust.tar.gz",
            directory=str(tmp_path),
            rng=1,
        )
    assert {"mean_gap_closed_mean", "net_fiscal_cost_total_median"} <= set(robust.columns)
    assert functions[1].kind == ScalarOutcome.MINIMIZE
    with pytest.raises(ValueError, match="not a declared outcome"):
        robustness("nope")
