"""Fit the indicator engine's structural parameters so the status quo follows observed trends.

In Policy Priority Inference's manner (``policy_priority_inference.calibrate``): Monte Carlo
batches of the status-quo model are compared with each indicator's trend target — its level
at the horizon and the share of quarters in which it improves — and α, α′ and β are moved by
clipped multiplicative steps until the worst goodness of fit (1 − normalised error) passes a
threshold. PPI's two targets fix only the drift ``s·α − (1 − s)·α′``, not the step sizes, so a
third target is added: the mean absolute annual change, which scales α and α′ together. The
whole model runs (businesses, unions and councils included), so the fitted
parameters absorb the partnership layer's status-quo behaviour.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from partnersim import data
from partnersim.data import MISSIONS
from partnersim.scenario import Scenario


@dataclass(frozen=True, slots=True)
class Trends:
    """Status-quo trend targets on the normalised scale, in MISSIONS order."""

    horizon: int
    final_level: np.ndarray
    success_rate: np.ndarray
    annual_change: np.ndarray
    """Mean absolute 4-quarter change, normalised units."""


def status_quo_trends() -> Trends:
    """The shipped trend targets (data/trends.toml) on the normalised scale."""
    raw = data.read("trends")
    rows = {r["mission"]: r for r in raw["trend"]}
    ms = data.missions()
    return Trends(
        horizon=int(raw["horizon_step"]),
        final_level=np.array([m.to_level(rows[m.name]["final"]) for m in ms], dtype=float),
        success_rate=np.array([rows[m]["success_rate"] for m in MISSIONS], dtype=float),
        annual_change=np.array(
            [rows[m.name]["annual_abs_change"] / (m.upper_bound - m.lower_bound) for m in ms],
            dtype=float,
        ),
    )


@dataclass(frozen=True, slots=True)
class Calibration:
    """Fitted parameters with their goodness of fit per mission."""

    parameters: data.StructuralParameters
    gof_level: np.ndarray
    gof_success: np.ndarray
    gof_change: np.ndarray
    iterations: int
    runs: int
    holdout: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    """Goodness of fit (level, success rate, annual change) on seeds not used to fit."""

    def to_toml(self, note: str) -> str:
        """The structural-parameter data file for these values."""
        lines = [
            "# PPI structural parameters of each mission indicator (normalised 0–1 scale,",
            "# per quarter): alpha = size of a positive change, alpha_prime = size of a",
            "# negative change, beta = normalisation of the growth probability. Written by",
            "# `partnersim.calibration`; goodness of fit (gof) is 1 − normalised error of the",
            "# final level, the success rate and the mean absolute annual change, on the seeds",
            "# used to fit and (holdout_*) on as many fresh seeds.",
            f'method = "{note}"',
        ]
        p = self.parameters
        for i, m in enumerate(MISSIONS):
            lines += [
                "",
                "[[mission]]",
                f'mission = "{m}"',
                f"alpha = {float(p.alphas[i])!r}",
                f"alpha_prime = {float(p.alphas_prime[i])!r}",
                f"beta = {float(p.betas[i])!r}",
                f"gof_level = {round(float(self.gof_level[i]), 4)!r}",
                f"gof_success = {round(float(self.gof_success[i]), 4)!r}",
                f"gof_change = {round(float(self.gof_change[i]), 4)!r}",
            ]
            if self.holdout is not None:
                lines += [
                    f"holdout_gof_level = {round(float(self.holdout[0][i]), 4)!r}",
                    f"holdout_gof_success = {round(float(self.holdout[1][i]), 4)!r}",
                    f"holdout_gof_change = {round(float(self.holdout[2][i]), 4)!r}",
                ]
        return "\n".join(lines) + "\n"


def simulate(
    scenario: Scenario,
    parameters: data.StructuralParameters,
    seeds: list[int],
    horizon: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean final level, growth probability and absolute annual change per mission over seeds."""
    from partnersim.model import PartnershipModel

    finals, gammas, changes = [], [], []
    for seed in seeds:
        model = PartnershipModel(scenario, rng=seed, structural=parameters)
        path = np.empty((horizon + 1, len(MISSIONS)))
        path[0] = model.engine.I
        g = np.zeros(len(MISSIONS))
        for t in range(horizon):
            model.step()
            g += model.last.growth_prob
            path[t + 1] = model.engine.I
        finals.append(path[-1])
        gammas.append(g / horizon)
        changes.append(np.abs(path[4:] - path[:-4]).mean(axis=0))
    return np.mean(finals, axis=0), np.mean(gammas, axis=0), np.mean(changes, axis=0)


def step_sizes(success_rate: float, drift: float, annual_change: float) -> tuple[float, float]:
    """Step sizes (α, α′) of a quarterly ±step walk with the given moments.

    A quarter moves ``+α`` with probability ``s`` and ``−α′`` otherwise, so the drift is
    ``s·α − (1 − s)·α′`` and a year's change is ``kα − (4 − k)α′`` with ``k ~ Binomial(4, s)``.
    Returns the pair that gives ``drift`` and a mean absolute annual change of
    ``annual_change``; if the drift alone already exceeds that change, the smallest steps
    with the drift (one of them zero).
    """
    s = float(np.clip(success_rate, 0.01, 0.99))
    k = np.arange(5)
    pk = np.array([math.comb(4, int(i)) * s**i * (1 - s) ** (4 - i) for i in k])

    def prime(alpha: float) -> float:
        return (s * alpha - drift) / (1 - s)

    def mean_abs(alpha: float) -> float:
        return float(pk @ np.abs(k * alpha - (4 - k) * prime(alpha)))

    low = max(drift / s, 0.0)
    if prime(low) < 0:  # falling trend: α′ is the binding one
        low = 0.0
    if mean_abs(low) >= annual_change:
        return low, max(prime(low), 0.0)
    high = max(low, 1e-6)
    while mean_abs(high) < annual_change:
        high *= 2.0
    for _ in range(60):
        mid = 0.5 * (low + high)
        if mean_abs(mid) < annual_change:
            low = mid
        else:
            high = mid
    alpha = 0.5 * (low + high)
    return alpha, max(prime(alpha), 0.0)


def calibrate(
    scenario: Scenario | None = None,
    *,
    trends: Trends | None = None,
    runs: int = 20,
    max_runs: int = 200,
    min_iterations: int = 10,
    max_iterations: int = 100,
    threshold: float = 0.8,
    seed: int = 0,
    progress: Callable[[int, float], None] | None = None,
) -> Calibration:
    """Fit α, α′ and β so that ``scenario`` (default: the status quo) follows ``trends``.

    Each iteration runs a Monte Carlo batch of the whole model and then (1) moves β by PPI's
    clipped multiplicative rule toward the target success rate and (2) sets α and α′ with
    :func:`step_sizes` from the target success rate, the target drift corrected by the
    accumulated final-level error (integral control, absorbing bounds and the partnership
    layer's own drift) and the target annual change.

    Args:
        scenario: the status-quo scenario.
        trends: targets; default :func:`status_quo_trends`.
        runs: Monte Carlo runs per evaluation at first; grows by half each iteration after
            ``min_iterations`` up to ``max_runs``.
        max_runs: largest sample per evaluation.
        min_iterations: iterations before stopping is allowed.
        max_iterations: give up after this many.
        threshold: stop when the worst goodness of fit reaches this (PPI's criterion: 0.8).
        seed: root seed of the Monte Carlo runs.
        progress: called with (iteration, worst goodness of fit).
    """
    trends = trends or status_quo_trends()
    scenario = (scenario or Scenario.default()).evolve(steps=trends.horizon)
    level0 = np.array([m.to_level(m.baseline) for m in data.missions()])
    target, rates = trends.final_level, trends.success_rate
    # Level errors are judged against the trend's change (PPI's normalisation) or, when the trend
    # is nearly flat, against the spread a walk with the observed annual changes reaches over
    # the horizon (PPI's normalisation is undefined for a flat target).
    years = trends.horizon / 4
    scale = np.maximum(np.abs(target - level0), trends.annual_change * np.sqrt(years))
    drift = (target - level0) / trends.horizon
    n = len(MISSIONS)
    pairs = [step_sizes(rates[i], drift[i], trends.annual_change[i]) for i in range(n)]
    alphas = np.array([p[0] for p in pairs])
    alphas_prime = np.array([p[1] for p in pairs])
    betas = np.full(n, 1e-4)
    correction = np.zeros(n)
    volatility = np.ones(n)
    # Sample-average approximation: the same seeds every iteration (common random numbers), so
    # the iteration converges instead of chasing Monte Carlo noise; the fit is then checked on
    # fresh seeds (``holdout``).
    all_seeds = [
        int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(2 * max_runs)
    ]
    fit_seeds, holdout_seeds = all_seeds[:max_runs], all_seeds[max_runs:]
    gof_a = gof_b = gof_c = np.zeros(n)
    params = None
    history: list[data.StructuralParameters] = []
    iteration = 0
    for iteration in range(1, max_iterations + 1):
        seeds = fit_seeds[:runs]
        params = data.StructuralParameters(
            alphas.copy(), alphas_prime.copy(), betas.copy(), "calibrating"
        )
        final, gamma, change = simulate(scenario, params, seeds, trends.horizon)
        err_a = target - final
        err_b = rates - gamma
        err_c = trends.annual_change - change
        norm_a = np.abs(err_a) / scale
        norm_b = np.abs(err_b) / rates
        norm_c = np.abs(err_c) / trends.annual_change
        gof_a, gof_b, gof_c = 1 - norm_a, 1 - norm_b, 1 - norm_c
        worst = float(min(gof_a.min(), gof_b.min(), gof_c.min()))
        if runs >= max_runs:
            history.append(params)
        if progress:
            progress(iteration, worst)
        if iteration >= min_iterations and worst >= threshold and runs >= max_runs:
            break
        betas = np.where(
            err_b > 0,
            betas * np.clip(1 + norm_b, 1.01, 1.5),
            betas * np.clip(1 - norm_b, 0.25, 0.99),
        )
        # Integral control of the drift, bounded (anti-windup: the drift never needs to exceed
        # a year's typical change per quarter, which bounds can otherwise push it toward).
        correction += 0.5 * err_a / trends.horizon
        limit = trends.annual_change / 4
        correction = np.clip(correction, -limit - drift, limit - drift)
        # The same for the step sizes: scale the target annual change by how far the simulated
        # one missed it (time-varying growth probabilities and bounds make the analytic
        # solution approximate).
        volatility = np.clip(
            volatility * np.sqrt(trends.annual_change / np.maximum(change, 1e-9)), 0.5, 2.0
        )
        pairs = [
            step_sizes(rates[i], drift[i] + correction[i], trends.annual_change[i] * volatility[i])
            for i in range(n)
        ]
        alphas = np.array([p[0] for p in pairs])
        alphas_prime = np.array([p[1] for p in pairs])
        if iteration >= min_iterations:
            runs = min(max_runs, int(runs * 1.5) + 1)
    assert params is not None
    # Average the last evaluations at full precision (their noise averages out), then check the
    # fit on seeds the iteration never saw.
    recent = history[-5:] or [params]
    final_params = data.StructuralParameters(
        np.mean([p.alphas for p in recent], axis=0),
        np.mean([p.alphas_prime for p in recent], axis=0),
        np.mean([p.betas for p in recent], axis=0),
        "calibrated",
    )
    final, gamma, change = simulate(scenario, final_params, holdout_seeds, trends.horizon)
    holdout = (
        1 - np.abs(target - final) / scale,
        1 - np.abs(rates - gamma) / rates,
        1 - np.abs(trends.annual_change - change) / trends.annual_change,
    )
    return Calibration(final_params, gof_a, gof_b, gof_c, iteration, runs, holdout)
