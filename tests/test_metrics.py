"""Metrics: the fast recorder agrees with each metric's definition and with reference formulas."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from partnersim import PartnershipModel, data
from partnersim.model.agents.local_authority import regional_levels, spending_per_head
from partnersim.model.metrics import METRICS, Snapshot, network_modularity


@pytest.fixture(scope="module")
def model():
    m = PartnershipModel(rng=3, n_businesses=300, n_local_authorities=80, devolution=0.3)
    for _ in range(6):
        m.step()
    return m


def test_recorded_row_equals_each_metric_function(model):
    row = model.recorder.values[model.steps]
    snap = Snapshot(model)
    for i, metric in enumerate(METRICS):
        assert row[i] == pytest.approx(metric.fn(snap), nan_ok=True), metric.name


UNDEFINED_BEFORE_ANY_DEAL = {"deal_leverage_to_date", "deal_additionality_to_date"}
"""Ratios over deals, which no quarter has made at step 0."""


def test_flows_are_undefined_at_step_zero_and_stocks_are_not():
    m = PartnershipModel(rng=1, n_businesses=50, n_local_authorities=10)
    row = m.recorder.values[0]
    for i, metric in enumerate(METRICS):
        if metric.flow or metric.name in UNDEFINED_BEFORE_ANY_DEAL:
            assert np.isnan(row[i]), metric.name
        else:
            assert np.isfinite(row[i]), metric.name
    m.step()
    row = m.recorder.values[1]
    flows = [metric.name for i, metric in enumerate(METRICS) if metric.flow and np.isnan(row[i])]
    assert not flows, f"flows still undefined after a quarter: {flows}"


def test_starting_regional_gaps_match_the_regional_data():
    m = PartnershipModel(rng=2)  # every council: the regional means are those of the data
    gaps = dict(zip(data.MISSIONS, Snapshot(m).regional_gaps, strict=True))
    for mission, observed in data.regional_gaps().items():
        # councils' own (idiosyncratic) spread moves the regional means a little off the scaled
        # regional effects
        assert gaps[mission] == pytest.approx(observed, rel=0.1), mission


def test_regional_levels_are_population_weighted_means(model):
    las = model.population.local_authorities
    levels = regional_levels(las)
    for g in range(len(las.region_names)):
        mask = las.region == g
        if mask.any():
            expected = np.average(las.level[mask], axis=0, weights=las.population[mask])
            np.testing.assert_allclose(levels[g], expected, rtol=1e-12)


def test_spending_per_head_accounts_for_all_mission_money(model):
    las = model.population.local_authorities
    alloc = model.quarter.allocation
    central = alloc.programme.sum(axis=0)
    per_head = spending_per_head(las, central, alloc.la_programme)
    people = np.bincount(las.region, las.population, len(las.region_names))
    total = np.nansum(per_head * people) / 4 / 1e6  # back to £m a quarter
    assert total == pytest.approx(central.sum() + alloc.la_programme.sum(), rel=1e-9)


def test_modularity_matches_networkx(model):
    g = model.graph
    communities = {}
    for node, c in nx.get_node_attributes(g, "community").items():
        communities.setdefault(c, set()).add(node)
    expected = nx.community.modularity(g, communities.values(), weight="trust")
    assert network_modularity(model) == pytest.approx(expected, rel=1e-9)
