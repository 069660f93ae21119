"""PartnershipModel: determinism, invariants every step, Mesa integration."""

from __future__ import annotations

import mesa
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from partnersim import PartnershipModel, Scenario, ScenarioError, run
from partnersim.model.agents import Business, Centre, LocalAuthority, Ministry, Union
from partnersim.schema.levers import LEVER_NAMES

from .conftest import SCENARIOS


def test_default_counts_follow_the_design():
    model = PartnershipModel(rng=1)
    counts = {
        cls: len(model.agents_by_type[cls])
        for cls in (Centre, Ministry, LocalAuthority, Union, Business)
    }
    assert counts == {Centre: 1, Ministry: 12, LocalAuthority: 382, Union: 15, Business: 1000}
    treasury = [m for m in model.agents_by_type[Ministry] if m.treasury]
    assert [m.code for m in treasury] == ["HMT"]


def test_same_seed_same_results(small):
    a, b = run(small, 7), run(small, 7)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    assert a.summary == pytest.approx(b.summary, nan_ok=True)


def test_different_seeds_differ(small):
    a, b = run(small, 7), run(small, 8)
    assert not a.timeseries.equals(b.timeseries)


def test_seed_reaches_the_network():
    def edges(seed):
        g = PartnershipModel(rng=seed, n_businesses=100, n_local_authorities=30).graph
        return sorted(g.edges())

    assert edges(3) == edges(3)
    assert edges(3) != edges(4)


def test_model_draws_nothing_from_global_random_state(small):
    np.random.seed(0)  # noqa: NPY002 - the point is to show the global state is not used
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    run(small, 1)
    assert np.array_equal(state, np.random.get_state()[1])  # noqa: NPY002


def _check_invariants(model: PartnershipModel) -> None:
    # Agents and graph nodes agree one to one.
    g = model.graph
    assert set(g.nodes) == {a.node for a in model.agents}
    assert len(model.agents) == g.number_of_nodes() == model.network.n_nodes
    for agent in model.agents:
        assert g.nodes[agent.node]["name"] == agent.name
    net = model.network
    assert g.number_of_edges() == int(net.active.sum())
    # Shares and probabilities stay in [0, 1].
    unit = {
        "trust": net.trust,
        "levels": model.engine.I,
        "local levels": model.population.local_authorities.level,
        "capability": model.population.ministries.capability,
        "council capability": model.population.local_authorities.capability,
        "alignment": model.population.ministries.alignment,
        "risk appetite": model.population.businesses.risk_appetite,
        "project success": model.population.businesses.success_prob,
    }
    for name, values in unit.items():
        assert np.all((values >= 0) & (values <= 1)), name
    assert 0 <= model.monitoring <= 1
    if model.quarter is not None:
        delivery = model.quarter.delivery
        assert np.all(delivery.resourcing >= 0) and np.all(model.capacity.capacity > 0)
        assert np.all(np.isfinite(delivery.real))
    row = model.recorder.values[model.steps]
    for metric in (
        "business_participation",
        "union_cooperation",
        "cross_silo_tie_share",
        "leakage",
    ):
        from partnersim.model.metrics import METRIC_INDEX

        value = row[METRIC_INDEX[metric]]
        assert np.isnan(value) or 0 <= value <= 1, metric
    # Money is conserved: what came in was allocated, spent or diverted, or is held.
    if model.steps:
        led = model.ledger
        allocated = (
            led.programme + led.capability_spend + led.overhead + led.duplication + led.coinvest
        )
        assert led.envelope + led.released_held == pytest.approx(allocated, rel=1e-9)
        # The programme money the budget rules allocated is what the engine received, and
        # no functionary spent more than it was given or less than nothing.
        P, spent = model.quarter.allocation_vector, model.quarter.result.contributions
        funded = P > 1e-9
        assert P[funded].sum() == pytest.approx(led.programme, rel=1e-9, abs=1e-12)
        assert np.all(spent >= 0) and np.all(spent <= P * (1 + 1e-12))
        assert led.contributed == pytest.approx(spent[funded].sum(), rel=1e-9, abs=1e-12)
        assert led.programme == pytest.approx(led.contributed + led.diverted, rel=1e-9)
        assert 0 <= led.diverted <= led.programme
        held = model.population.centre.held.sum()
        assert held == pytest.approx(led.receipts + led.repayments + led.coinvest_gains, rel=1e-9)


@pytest.mark.parametrize(
    "name", ["westminster_default", "mission_driven", "devolution_with_capability"]
)
def test_invariants_hold_every_step(name):
    from .conftest import load

    scenario = load(name).evolve(
        n_businesses=300, n_local_authorities=60, steps=20, shock="pandemic", shock_step=3
    )
    model = PartnershipModel(scenario, rng=11)
    _check_invariants(model)
    while model.running:
        model.step()
        _check_invariants(model)
    assert model.steps == 20


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_file_runs_a_few_steps(path):
    result = run(Scenario.from_toml(path).evolve(n_businesses=100), seed=1, steps=3)
    assert list(result.timeseries["step"]) == [0, 1, 2, 3]
    assert (
        result.manifest["scenario_hash"]
        == Scenario.from_toml(path).evolve(n_businesses=100, steps=3).content_hash
    )


def test_keyword_construction_is_validated_by_the_schema():
    model = PartnershipModel(rng=1, orchestration=0.8, n_businesses=50)
    assert model.spec.orchestration == 0.8
    with pytest.raises(ScenarioError, match="orchestration"):
        PartnershipModel(rng=1, orchestration=1.5)
    with pytest.raises(ScenarioError, match="did you mean 'risk_share'"):
        PartnershipModel(rng=1, risk_shar=0.2)


def test_scenario_plus_keywords_override():
    from .conftest import load

    model = PartnershipModel(load("mission_driven"), rng=1, orchestration=0.2, n_businesses=50)
    assert model.scenario.orchestration == 0.2
    assert model.scenario.risk_share == load("mission_driven").risk_share


def test_levers_keep_status_quo_before_their_start():
    from .conftest import load

    model = PartnershipModel(load("mission_driven_delayed"), rng=1, n_businesses=50)
    before, after = model.levers_at(4), model.levers_at(5)
    sq = Scenario.default()
    for lever in LEVER_NAMES:
        assert getattr(before, lever) == sq.values[lever]
        assert getattr(after, lever) == model.scenario.values[lever]


def test_agents_are_inspectable_views():
    model = PartnershipModel(rng=5, n_businesses=60, n_local_authorities=20)
    for _ in range(6):
        model.step()
    firm = next(iter(model.agents_by_type[Business]))
    state = firm.state()
    assert {"name", "kind", "capacity", "risk_appetite", "invested"} <= set(state)
    assert firm.sector in {
        "energy",
        "construction",
        "manufacturing",
        "digital",
        "research",
        "transport",
        "health",
        "childcare",
        "security",
    }
    ties = firm.ties
    assert ties
    assert all(0 <= t.trust <= 1 for t in ties)
    assert all(firm in t.partner.neighbours for t in ties)
    firm.risk_appetite = 0.9
    assert model.population.businesses.risk_appetite[firm.index] == 0.9
    with pytest.raises(AttributeError):
        firm.capacity = 1.0
    council = next(iter(model.agents_by_type[LocalAuthority]))
    assert set(council.local_levels) == {
        "growth",
        "clean_power",
        "safe_streets",
        "opportunity",
        "nhs",
    }


def test_graph_view_is_a_networkx_graph_of_named_organisations():
    model = PartnershipModel(rng=2, n_businesses=50, n_local_authorities=10)
    g = model.graph
    assert isinstance(g, nx.Graph)
    names = nx.get_node_attributes(g, "name")
    assert names[0] == "Missions Unit (Centre)"
    assert "HM Treasury" in names.values()
    before = {e: d["trust"] for e, d in g.edges.items()}
    for _ in range(8):
        model.step()
    after = {e: d["trust"] for e, d in model.graph.edges.items()}
    assert any(before.get(e) != w for e, w in after.items()), "trust on the view evolves"


def test_mesa_batch_run_drives_the_model_with_keywords():
    results = mesa.batch_run(
        PartnershipModel,
        parameters={"orchestration": [0.1, 0.9]},
        rng=[1, 2],
        max_steps=4,
        number_processes=1,
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    assert len(frame) == 4
    assert set(frame["orchestration"]) == {0.1, 0.9}
    assert set(frame["rng"]) == {1, 2}
    assert frame["Step"].eq(4).all()
    assert frame["nhs_level"].notna().all()


def test_run_result_has_manifest_and_summary(small):
    result = run(small, 3)
    assert result.manifest["seed"] == 3
    assert result.manifest["scenario_hash"] == small.content_hash
    assert {"mesa", "numpy", "python", "partnersim"} <= set(result.manifest["versions"])
    assert "nhs_milestone_met" in result.summary
    # Deadlines beyond the run are not assessed.
    assert np.isnan(result.summary["clean_power_met"])


def test_scenarios_and_models_pickle():
    import pickle

    from .conftest import load

    scenario = load("mission_driven")
    assert pickle.loads(pickle.dumps(scenario)) == scenario
    model = PartnershipModel(scenario, rng=4, n_businesses=40, n_local_authorities=10)
    for _ in range(3):
        model.step()
    clone = pickle.loads(pickle.dumps(model))
    model.step()
    clone.step()
    assert np.array_equal(model.recorder.values[:5], clone.recorder.values[:5], equal_nan=True)


def test_mesa_solaraviz_renders_and_rebuilds_from_its_controls():
    import solara
    from mesa.visualization import SolaraViz, make_plot_component
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    model = PartnershipModel(rng=1, n_businesses=40, n_local_authorities=10)
    params = {
        "orchestration": {"type": "SliderFloat", "value": 0.1, "min": 0.0, "max": 1.0, "step": 0.1},
        "n_businesses": 40,
        "n_local_authorities": 10,
    }
    solara.render(
        SolaraViz(model, components=[make_plot_component("nhs_level")], model_params=params),
        handle_error=False,
    )
    # What SolaraViz does when a control changes: rebuild from Mesa's view of the scenario.
    kwargs = _build_model_init_kwargs(
        model,
        {"orchestration": 0.7, "n_businesses": 40, "n_local_authorities": 10},
        add_scenario_when_empty=True,
        require_model_accepts_scenario=False,
    )
    rebuilt = PartnershipModel(**kwargs)
    assert rebuilt.spec.orchestration == 0.7
    assert rebuilt.scenario.orchestration == 0.7
    rebuilt.step()
    assert rebuilt.datacollector.get_model_vars_dataframe()["nhs_level"].notna().all()
    with pytest.raises(ScenarioError):
        PartnershipModel(
            **_build_model_init_kwargs(
                model,
                {"orchestration": 3.0},
                add_scenario_when_empty=True,
                require_model_accepts_scenario=False,
            )
        )


def test_summary_outcomes_are_the_declared_ones():
    from partnersim import Scenario, run
    from partnersim.experiments.ema import OUTCOMES
    from partnersim.runs.outcomes import outcome_names

    result = run(Scenario.default().evolve(n_businesses=50), 1, steps=4)
    assert tuple(result.summary) == outcome_names() == OUTCOMES
