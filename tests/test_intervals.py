"""Interval functions: bounds inside their domain that contain the estimate, for every n and k."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnersim.runs.summary import seeds_for_width, wilson_interval, wilson_width


@st.composite
def counts(draw) -> tuple[int, int]:
    n = draw(st.integers(min_value=1, max_value=100_000))
    k = draw(st.one_of(st.just(0), st.just(n), st.integers(min_value=0, max_value=n)))
    return k, n


@given(counts())
def test_wilson_bounds_lie_in_0_1_and_contain_the_estimate(kn):
    k, n = kn
    low, high = wilson_interval(k, n)
    p = k / n
    assert 0.0 <= low <= p <= high <= 1.0
    assert low < high  # never a zero-width interval, even at 0 or n of n
    if k == 0:
        assert low == 0.0
    if k == n:
        assert high == 1.0


@given(counts())
def test_wilson_errors_are_never_negative(kn):
    """What matplotlib's errorbar needs (the report crashed on 'xerr' with negative values)."""
    k, n = kn
    low, high = wilson_interval(k, n)
    assert k / n - low >= 0 and high - k / n >= 0


def test_wilson_at_the_values_that_broke_the_report():
    assert wilson_interval(0, 138)[0] == 0.0
    for n in (4, 10, 14, 19, 24):
        assert wilson_interval(n, n)[1] == 1.0
    assert all(math.isnan(x) for x in wilson_interval(0, 0))
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(5, 4)


@given(st.integers(1, 5000), st.integers(0, 5000))
def test_wilson_interval_is_symmetric_in_success_and_failure(n, k):
    k = min(k, n)
    low, high = wilson_interval(k, n)
    flipped = wilson_interval(n - k, n)
    assert math.isclose(low, 1 - flipped[1], abs_tol=1e-12)
    assert math.isclose(high, 1 - flipped[0], abs_tol=1e-12)


@given(st.floats(0.0, 1.0), st.floats(0.01, 1.0))
def test_seeds_for_width_is_the_fewest_that_reach_it(p, width):
    n = seeds_for_width(p, width)
    assert n >= 1
    assert wilson_width(p, n) <= width
    if n > 1:
        assert wilson_width(p, n - 1) > width


@given(st.floats(0.0, 1.0), st.floats(0.02, 0.5))
def test_a_proportion_near_a_half_needs_the_most_seeds(p, width):
    assert seeds_for_width(p, width) <= seeds_for_width(0.5, width)


def test_seeds_for_width_in_numbers_and_bad_input():
    assert seeds_for_width(0.5, 0.1) == 381  # the textbook ~385 for the Wald interval
    with pytest.raises(ValueError, match="width"):
        seeds_for_width(0.5, 0.0)
    with pytest.raises(ValueError, match="share"):
        seeds_for_width(1.5, 0.1)
