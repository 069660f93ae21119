"""Combined uncertainty over worlds × seeds (partnersim.worlds.combine).

Properties on random data (the combined interval always contains the seed-only one), hand-
computed constructed cases (ICC, design effect, the share of worlds in which a ranking
holds) and the degenerate designs (one world, one seed, all or no target met).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import t as student

from partnersim.runs.summary import wilson_interval, wilson_share_interval
from partnersim.worlds.combine import (
    design_effect,
    icc_anova,
    mean_over_worlds,
    proportion_over_worlds,
    ranking_share,
)

EPS = 1e-12


def grids(values):
    """W × S grids (2–6 worlds, 2–5 seeds) of ``values``."""
    return st.integers(2, 6).flatmap(
        lambda w: st.integers(2, 5).flatmap(
            lambda s: st.lists(st.lists(values, min_size=s, max_size=s), min_size=w, max_size=w)
        )
    )


@settings(max_examples=300, deadline=None)
@given(grids(st.integers(0, 1)))
def test_combined_p_met_interval_contains_the_seed_only_one(grid):
    p = proportion_over_worlds(grid)
    assert p.low <= p.seed_low + EPS and p.high >= p.seed_high - EPS
    assert 0.0 <= p.low <= p.estimate <= p.high <= 1.0
    assert p.deff >= 1.0


@settings(max_examples=300, deadline=None)
@given(grids(st.floats(-1e3, 1e3, allow_nan=False)))
def test_combined_mean_interval_contains_the_seed_only_one(grid):
    m = mean_over_worlds(grid)
    assert m.low <= m.seed_low + 1e-9 * (1 + abs(m.estimate))
    assert m.high >= m.seed_high - 1e-9 * (1 + abs(m.estimate))
    assert m.low <= m.estimate <= m.high
    assert m.world_p10 <= m.world_p90


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=5),
        min_size=2,
        max_size=6,
    )
)
def test_combined_intervals_contain_the_seed_only_ones_with_unequal_runs_per_world(groups):
    m = mean_over_worlds(groups)
    if m.seed_low == m.seed_low:  # some world has two runs or more
        assert m.low <= m.seed_low + 1e-9 * (1 + abs(m.estimate))
        assert m.high >= m.seed_high - 1e-9 * (1 + abs(m.estimate))
    met = [[float(x > 0) for x in g] for g in groups]
    p = proportion_over_worlds(met)
    assert p.low <= p.seed_low + EPS and p.high >= p.seed_high - EPS


def test_p_met_with_perfectly_clustered_runs_counts_each_world_once():
    # Two worlds, two seeds: one world always meets the target, the other never.
    grid = [[0, 0], [1, 1]]
    assert icc_anova(grid) == 1.0
    assert design_effect(grid) == (1.0, 2.0)
    p = proportion_over_worlds(grid)
    assert p.estimate == 0.5
    assert (p.seed_low, p.seed_high) == wilson_interval(2, 4)
    assert (p.low, p.high) == wilson_share_interval(0.5, 2)  # n / DEFF = 4 / 2
    assert p.high - p.low > p.seed_high - p.seed_low
    assert (p.world_p10, p.world_p90) == pytest.approx((0.1, 0.9))


def test_p_met_without_between_world_variance_is_the_seed_only_interval():
    grid = [[1, 0], [1, 0]]  # MSB = 0 < MSW: the ANOVA estimate is negative, clipped to 0
    assert icc_anova(grid) == 0.0
    p = proportion_over_worlds(grid)
    assert p.deff == 1.0
    assert (p.low, p.high) == (p.seed_low, p.seed_high)


def test_mean_by_hand():
    grid = [[1.0, 3.0], [5.0, 7.0]]  # world means 2 and 6; within SS 4, between SS 16
    m = mean_over_worlds(grid)
    msw, msb = 4 / 2, 16 / 1
    icc = ((msb - msw) / 2) / ((msb - msw) / 2 + msw)  # n0 = 2 seeds
    assert m.icc == pytest.approx(icc)
    assert m.deff == pytest.approx(1 + icc)
    assert m.estimate == 4.0
    seed_half = student.ppf(0.975, 2) * math.sqrt(msw / 4)
    assert m.seed_high == pytest.approx(4.0 + seed_half)
    total = np.var([1, 3, 5, 7], ddof=1)
    assert m.high == pytest.approx(4.0 + student.ppf(0.975, 1) * math.sqrt(total * (1 + icc) / 4))
    assert (m.world_p10, m.world_p90) == pytest.approx((2.4, 5.6))


def test_ranking_share_on_a_constructed_case():
    a = [[2, 4], [5, 5], [0, 1], [1, 2]]
    b = [[1, 1], [3, 3], [1, 2], [2, 1]]
    # Paired differences A − B per world: [1, 3] (favours A, t interval 2 ± 12.7 covers 0),
    # [2, 2] (A, resolved: no spread), [-1, -1] (B, resolved), [-1, 1] (a tie: neither).
    r = ranking_share(a, b, larger_is_better=True)
    assert (r.worlds, r.favours_a, r.favours_b, r.resolved_a, r.resolved_b) == (
        4,
        0.5,
        0.25,
        0.25,
        0.25,
    )
    # An outcome to minimise turns every world round.
    r = ranking_share(a, b, larger_is_better=False)
    assert (r.favours_a, r.favours_b, r.resolved_a, r.resolved_b) == (0.25, 0.5, 0.25, 0.25)


def test_ranking_share_with_one_seed_is_never_resolved():
    r = ranking_share([[2], [3]], [[1], [4]], larger_is_better=True)
    assert (r.favours_a, r.favours_b, r.resolved_a, r.resolved_b) == (0.5, 0.5, 0.0, 0.0)


def test_ranking_share_needs_the_same_worlds_and_seeds():
    with pytest.raises(ValueError, match="same"):
        ranking_share([[1, 2]], [[1, 2], [3, 4]], larger_is_better=True)
    with pytest.raises(ValueError, match="same seeds"):
        ranking_share([[1, 2]], [[1, 2, 3]], larger_is_better=True)


@pytest.mark.parametrize(
    "grid",
    [
        [[1, 1, 1]],  # one world, all met
        [[0, 0, 0]],  # one world, none met
        [[1, 0, 1]],  # one world
        [[1], [0], [1]],  # one seed per world
        [[1]],  # one run
        [[0]],
        [[1, 1], [1, 1]],  # all met
        [[0, 0], [0, 0], [0, 0]],  # none met
    ],
)
def test_degenerate_p_met_bounds_lie_in_0_1_and_contain_the_estimate(grid):
    p = proportion_over_worlds(grid)
    for low, high in ((p.seed_low, p.seed_high), (p.low, p.high)):
        assert 0.0 <= low <= p.estimate <= high <= 1.0
    assert p.low <= p.seed_low and p.high >= p.seed_high


def test_one_world_counts_its_runs_as_one():
    p = proportion_over_worlds([[1, 0, 1, 1]])
    assert p.deff == 4.0
    assert (p.low, p.high) == wilson_share_interval(0.75, 1.0)


def test_one_seed_per_world_is_independent_runs():
    p = proportion_over_worlds([[1], [0], [1]])
    assert p.deff == 1.0 and (p.low, p.high) == (p.seed_low, p.seed_high)
    m = mean_over_worlds([[1.0], [2.0], [4.0]])
    assert math.isnan(m.seed_low) and not math.isnan(m.low)  # no within-world variance


def test_one_world_has_no_combined_interval_of_a_mean():
    m = mean_over_worlds([[1.0, 2.0, 4.0]])
    assert math.isnan(m.low) and not math.isnan(m.seed_low)


def test_p_met_rejects_values_other_than_0_and_1():
    with pytest.raises(ValueError, match="1 \\(met\\) or 0"):
        proportion_over_worlds([[0.5, 1]])


def test_no_runs_give_nan():
    assert math.isnan(proportion_over_worlds([[], []]).estimate)
    assert mean_over_worlds([]).worlds == 0
