"""Delivery capacity: the laws, their fits to history, and how the model responds to resources."""

from __future__ import annotations

import numpy as np
import pytest

from partnersim import Scenario, data, run
from partnersim.credibility import history_fits as hf
from partnersim.model.capacity import AdjustLaw, CapacityEngine, StockLaw, response

NHS_LIKE = AdjustLaw(
    scale="logit", speed=0.11, noise=0.03, walk=0.0, drift=0.0, response=30.0, lag=8.0
)
SEEDS = range(40)


def level_after(law, drive: float, seed: int, quarters: int = 20, start: float = 58.8) -> float:
    engine = CapacityEngine((law,), np.array([start]), np.ones(1), 0.0, np.random.default_rng(seed))
    for _ in range(quarters):
        engine.step(np.array([drive]))
    return float(engine.real[0])


def test_response_is_concave_and_zero_at_the_status_quo():
    for rho in (-0.5, 0.0, 0.5):
        assert response(1.0, rho) == pytest.approx(0.0)
        h1, h2, h3 = (float(response(k, rho)) for k in (1.5, 2.0, 2.5))
        assert h2 - h1 < h1 - 0.0 and h3 - h2 < h2 - h1


def test_more_resources_raise_the_attained_level_with_diminishing_returns():
    base = np.array([level_after(NHS_LIKE, 1.0, s) for s in SEEDS])
    more = np.array([level_after(NHS_LIKE, 1.5, s) for s in SEEDS])
    double = np.array([level_after(NHS_LIKE, 2.0, s) for s in SEEDS])
    gain_half, gain_double = more - base, double - base
    assert (gain_half > 0).all()
    assert (gain_double > gain_half).all()
    assert (gain_double < 2 * gain_half).all()


def test_stock_share_does_not_fall_without_a_shock_and_retirement_lowers_it():
    law = StockLaw(build=0.034, build_noise=0.86, demand_growth=0.5, lag=12.0)
    start = 73.8
    below = 0
    for seed in SEEDS:
        engine = CapacityEngine(
            (law,), np.array([start]), np.ones(1), 0.0, np.random.default_rng(seed)
        )
        for _ in range(26):
            engine.step(np.ones(1))
        below += engine.real[0] < start
    assert below <= 0.05 * len(SEEDS)
    engine = CapacityEngine((law,), np.array([start]), np.ones(1), 0.0, np.random.default_rng(0))
    engine.shift(0, -8.7)
    assert engine.real[0] == pytest.approx(start - 8.7)


def test_crps_of_samples_matches_the_normal_closed_form():
    rng = np.random.default_rng(0)
    samples = rng.normal(1.0, 2.0, 200_000)
    for y in (-2.0, 1.0, 4.5):
        assert hf.crps_samples(samples, y) == pytest.approx(hf.crps_normal(1.0, 2.0, y), rel=0.02)


@pytest.fixture(scope="module")
def fits():
    return hf.fit_laws()


def test_fits_are_deterministic_and_reproduce_their_moments(fits):
    again = hf.fit_laws()
    for m, f in fits.items():
        assert f.parameters == again[m].parameters, m
    nhs = fits["nhs"]
    rise = next(mo for mo in nhs.moments if mo.name.startswith("rise"))
    assert rise.observed == pytest.approx(7.28, abs=0.05)  # 57.2 % (Aug 2007) → 94.4 % (2012)
    assert abs(rise.fitted - rise.observed) < 1.0
    # The fitted demand growth lies between the slow (1.3 %/yr) and fast (6 %/yr) spending eras.
    assert 1.3 < nhs.parameters["demand_growth"] < 6.0
    growth = fits["growth"]
    sd = next(mo for mo in growth.moments if mo.name.startswith("sd"))
    assert abs(sd.fitted - sd.observed) < 0.25


def test_holdout_reports_coverage_and_crps_against_the_naive_trend(fits):
    table = hf.holdout_table(fits)
    for m, f in fits.items():
        ho = f.holdout
        assert ho.dates and min(ho.dates) >= ho.cutoff, m
        assert all(lo <= med <= hi for lo, med, hi in zip(ho.low, ho.median, ho.high, strict=True))
        assert m in table
    # What the hold-out shows today (docs and the issue note report it): the laws beat the
    # naive trend except for clean power, whose build slowed after 2019.
    worse = [m for m, f in fits.items() if not f.holdout.beats_naive]
    assert len(worse) <= 1, worse


# -- the capacity laws in the model (paired seeds) ------------------------------------------------

MODEL_SEEDS = range(10)


@pytest.fixture(scope="module")
def small() -> Scenario:
    return Scenario.default().evolve(n_businesses=300, n_local_authorities=60)


def _at_deadline(scenario: Scenario, mission: str, seed: int) -> float:
    return float(run(scenario, seed).summary[f"{mission}_level_at_deadline"])


@pytest.mark.parametrize("mission", ["nhs", "opportunity"])
def test_more_funding_raises_the_level_at_the_deadline_with_diminishing_returns(small, mission):
    lever = f"{mission}_funding"
    base = np.array([_at_deadline(small, mission, s) for s in MODEL_SEEDS])
    half = np.array([_at_deadline(small.evolve(**{lever: 1.5}), mission, s) for s in MODEL_SEEDS])
    double = np.array([_at_deadline(small.evolve(**{lever: 2.0}), mission, s) for s in MODEL_SEEDS])
    gain_half, gain_double = (half - base).mean(), (double - base).mean()
    assert gain_half > 0 and gain_double > gain_half
    # Doubling the extra money less than doubles the extra progress.
    assert gain_double < 2 * gain_half


def test_status_quo_clean_power_does_not_fall_without_a_shock_and_retirement_lowers_it(small):
    start = data_baseline("clean_power")
    levels = [run(small, s).timeseries["clean_power_level"].iloc[1:] for s in range(20)]
    fell = sum(bool((lv < start).any()) for lv in levels)
    assert fell <= 1  # at least 95 % of seeds stay at or above the 2024 level
    retire = small.evolve(shock="plant_retirement", shock_step=4, shock_size=1.0)
    for s in range(3):
        a = run(small, s).timeseries["clean_power_level"]
        b = run(retire, s).timeseries["clean_power_level"]
        assert b.iloc[5] < a.iloc[5] - 5 and b.iloc[5] < start


def data_baseline(mission: str) -> float:
    return next(m.baseline for m in data.missions() if m.name == mission)
