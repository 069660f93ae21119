"""Metrics: the fast recorder agrees with each metric's definition and with reference formulas."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from partnersim import PartnershipModel
from partnersim.model.metrics import (
    METRICS,
    Snapshot,
    council_inequality,
    gini_sorted,
    network_modularity,
)


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


def test_flows_are_undefined_at_step_zero():
    m = PartnershipModel(rng=1, n_businesses=50, n_local_authorities=10)
    row = m.recorder.values[0]
    for i, metric in enumerate(METRICS):
        assert np.isnan(row[i]) == metric.flow or (not metric.flow and np.isnan(row[i])), (
            metric.name
        )


def test_gini_matches_the_mean_difference_definition():
    rng = np.random.default_rng(0)
    values, weights = rng.uniform(0.1, 1, 40), rng.uniform(1, 5, 40)
    order = np.argsort(values)
    # Weighted Gini = Σ_ij w_i w_j |x_i − x_j| / (2 W² mean)
    diff = np.abs(values[:, None] - values[None, :])
    reference = (weights[:, None] * weights[None, :] * diff).sum() / (
        2 * weights.sum() ** 2 * np.average(values, weights=weights)
    )
    assert gini_sorted(values[order], weights[order]) == pytest.approx(reference, rel=1e-9)
    assert gini_sorted(np.ones(5), np.ones(5)) == pytest.approx(0.0, abs=1e-12)


def test_nation_ginis_agree_with_one_at_a_time(model):
    snap = Snapshot(model)
    las = model.population.local_authorities
    level = las.level.mean(axis=1)
    for k in range(len(las.nation_names)):
        mask = las.nation == k
        order = np.argsort(level[mask])
        expected = gini_sorted(level[mask][order], las.population[mask][order])
        assert council_inequality(snap, k) == pytest.approx(expected, abs=1e-12)


def test_modularity_matches_networkx(model):
    g = model.graph
    communities = {}
    for node, c in nx.get_node_attributes(g, "community").items():
        communities.setdefault(c, set()).add(node)
    expected = nx.community.modularity(g, communities.values(), weight="trust")
    assert network_modularity(model) == pytest.approx(expected, rel=1e-9)
