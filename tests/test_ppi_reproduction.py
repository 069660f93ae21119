"""The indicator engine reproduces Policy Priority Inference in distribution.

``partnersim.indicators.run_ppi`` drives partnersim's PPI engine in PPI's reference case (all
indicators instrumental, one programme, PPI's own allocation rule); it must match
``policy_priority_inference.run_ppi`` (PyPI ``policy-priority-inference``, a test dependency)
on the same inputs. The two use different random streams, so they are compared in
distribution over ``RUNS`` seeds each: per indicator, the mean and the spread of final levels
and the success rate (mean growth probability over time).

Tolerances come from Monte Carlo error. Means: two independent sample means differ by more
than ``Z = 4.5`` standard errors with probability ~7e-6, so across every indicator of both input
sets (65 × 2 statistics) a false alarm has probability below 0.1 %. Whole distributions of
final levels (spread and shape): a two-sample Kolmogorov–Smirnov test per indicator, failing
only below a Bonferroni-corrected family-wise level of 0.1 % (levels pile up at their bounds;
ties make the test conservative, never anti-conservative).
"""

from __future__ import annotations

import numpy as np
import policy_priority_inference as ppi
import pytest
from scipy.stats import ks_2samp

from partnersim import data
from partnersim.indicators import run_ppi

RUNS = 400
Z = 4.5


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


def missions_case():
    """partnersim's five missions: calibrated steps, spillover network, levels and targets."""
    sp = data.structural_parameters()
    return dict(
        I0=np.array([m.to_level(m.baseline) for m in data.missions()]),
        alphas=sp.alphas.copy(),
        alphas_prime=sp.alphas_prime.copy(),
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
        assert z.max() < Z, f"{what}: worst z = {z.max():.2f} at indicator {z.argmax()}"
    n = ours_final.shape[1]
    p_values = np.array(
        [ks_2samp(ours_final[:, i], ref_final[:, i], method="asymp").pvalue for i in range(n)]
    )
    worst = p_values.argmin()
    assert p_values[worst] > 1e-3 / (2 * 65), (
        f"final-level distributions differ: p = {p_values[worst]:.2e} at indicator {worst}"
    )
