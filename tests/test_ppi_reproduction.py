"""The indicator engine reproduces Policy Priority Inference in distribution.

``partnersim.model.indicators.run_ppi`` drives partnersim's PPI engine in PPI's reference case (all
indicators instrumental, one programme, PPI's own allocation rule); it must match
``policy_priority_inference.run_ppi`` (PyPI ``policy-priority-inference``, a test dependency)
on the same inputs. The two use different random streams, so they are compared in
distribution over ``RUNS`` seeds each: per indicator, the mean and the spread of final levels
and the success rate (mean growth probability over time).

Every statistic is a two-sample test between the two engines, and tolerances come from Monte
Carlo error: with ``RUNS`` = 400 seeds per engine the family of tests (per indicator: mean,
spread and distribution of final levels and of success rates; 65 indicators over both input
sets, so 390 tests) has a false-alarm probability below ``FAMILY_ALPHA`` = 0.1 % (Bonferroni:
each test at 0.1 % / 390 ≈ 2.6e-6).

* **Means** (Welch z on the difference of sample means; SE = √(s₁²/n + s₂²/n)): fails beyond
  z = 4.7. Power: a true difference of 0.38 σ (σ = the per-run standard deviation of that
  statistic; (4.7 + 0.84) × √(2/400) σ) is detected with probability 80 %.
* **Spread** (Brown–Forsythe test, robust to the pile-up of levels at their bounds): detects a
  ratio of standard deviations of about 1.35 with probability ~80 % for near-normal
  statistics (log-SD has SE ≈ √(1/(n−1)) for the difference of two samples).
* **Whole distribution** (two-sample Kolmogorov–Smirnov): the critical distance at 2.6e-6 with
  400 + 400 runs is D ≈ 0.18, so CDFs apart by more than ~0.2 anywhere (e.g. a shift of
  ~0.5 σ) are detected. Ties (levels at bounds) make the test conservative, never
  anti-conservative.

Smaller differences than these would pass unnoticed; more runs shrink them as 1/√RUNS.

Why the engine and not the whole model: ``PartnershipModel`` drives this same engine
(``partnersim.model.indicators.PPIEngine``) and only changes its inputs — budgets per functionary,
effectiveness weights, monitoring — through the partnership layer; with that layer neutral the
inputs are PPI's and the engine is all that is left to compare. Comparing the engine on PPI's
exact inputs removes everything that is not PPI (calendar, ministries, councils), which a
whole-model comparison could only approximate.
"""

from __future__ import annotations

import numpy as np
import policy_priority_inference as ppi
import pytest
from scipy.stats import ks_2samp, levene, norm

from partnersim import data
from partnersim.model.indicators import run_ppi

RUNS = 400
FAMILY_ALPHA = 1e-3
TESTS = 6 * (60 + 5)  # mean, spread, distribution × final level, success rate; both input sets
ALPHA = FAMILY_ALPHA / TESTS
Z = float(norm.isf(ALPHA / 2))  # ≈ 4.7


def tutorial_case():
    """A PPI-tutorial-shaped input: 60 indicators, a sparse signed network, T = 69."""
    rng = np.random.default_rng(2023)
    n = 60
    a = rng.normal(0, 0.3, (n, n)) * (rng.random((n, n)) < 0.05)
    np.fill_diagonal(a, 0)
    return dict(
        I0=rng.uniform(0.2, 0.6, n),
        alphas=rng.uniform(0.002, 0.01, n),
        alphas_prime=rng.uniform(0.001, 0.006, n),
        betas=rng.uniform(0.002, 0.01, n),
        A=a,
        G=rng.uniform(0.7, 0.9, n),
        qm=0.5,
        rl=0.5,
        Imax=np.ones(n),
        Imin=np.zeros(n),
        T=69,
    )


MISSION_ALPHAS = np.array([0.01576, 0.01032, 0.02316, 0.003344, 0.006795])
MISSION_ALPHAS_PRIME = np.array([0.01153, 0.02651, 0.01498, 0.0004589, 0.0])


def missions_case():
    """partnersim's five missions: fixed steps, spillover network, levels and targets.

    The step sizes are those partnersim calibrated before its indicators moved by delivery
    laws (a realistic input set for PPI; they no longer drive the model).
    """
    return dict(
        I0=np.array([m.to_level(m.baseline) for m in data.missions()]),
        alphas=MISSION_ALPHAS.copy(),
        alphas_prime=MISSION_ALPHAS_PRIME.copy(),
        betas=np.full(5, 0.06),
        A=data.spillover_matrix().copy(),
        G=np.array([m.to_level(m.target) for m in data.missions()]),
        qm=0.5,
        rl=0.8,
        Imax=np.ones(5),
        Imin=np.zeros(5),
        T=40,
    )


def sample_ours(case):
    finals, rates = [], []
    for seed in range(RUNS):
        tsI, _, tsG = run_ppi(**case, rng=seed)
        finals.append(tsI[:, -1])
        rates.append(tsG.mean(axis=1))
    return np.array(finals), np.array(rates)


def sample_ppi(case):
    np.random.seed(12345)  # noqa: NPY002 - PPI draws from numpy's global state
    finals, rates = [], []
    for _ in range(RUNS):
        kwargs = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.items()}
        tsI, _, _, _, _, tsG = ppi.run_ppi(**kwargs)
        finals.append(tsI[:, -1])
        rates.append(np.clip(tsG, 0, 1).mean(axis=1))
    return np.array(finals), np.array(rates)


@pytest.mark.parametrize("case", [tutorial_case, missions_case], ids=["tutorial", "missions"])
def test_engine_matches_run_ppi_in_distribution(case):
    inputs = case()
    ours_final, ours_rate = sample_ours(inputs)
    ref_final, ref_rate = sample_ppi(inputs)
    for ours, ref, what in (
        (ours_final, ref_final, "final level"),
        (ours_rate, ref_rate, "success rate"),
    ):
        se = np.sqrt(ours.var(axis=0, ddof=1) / RUNS + ref.var(axis=0, ddof=1) / RUNS) + 1e-12
        z = np.abs(ours.mean(axis=0) - ref.mean(axis=0)) / se
        assert z.max() < Z, f"{what} mean: worst z = {z.max():.2f} at indicator {z.argmax()}"
        n = ours.shape[1]
        spread = np.array(
            [
                levene(ours[:, i], ref[:, i], center="median").pvalue
                if np.ptp(np.r_[ours[:, i], ref[:, i]]) > 0
                else 1.0
                for i in range(n)
            ]
        )
        worst = int(np.nanargmin(spread))
        assert spread[worst] > ALPHA, (
            f"{what} spread differs: p = {spread[worst]:.2e} at indicator {worst} "
            f"(sd {ours[:, worst].std():.4g} vs {ref[:, worst].std():.4g})"
        )
        shape = np.array([ks_2samp(ours[:, i], ref[:, i], method="asymp").pvalue for i in range(n)])
        worst = int(shape.argmin())
        assert shape[worst] > ALPHA, (
            f"{what} distributions differ: p = {shape[worst]:.2e} at indicator {worst}"
        )
