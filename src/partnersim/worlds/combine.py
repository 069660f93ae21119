"""Combined uncertainty over plausible worlds × seeds: the statistics behind ``--worlds``.

Runs over an ensemble form a two-level design: W worlds (draws of every uncertain input,
each consistent with history) and, inside each, S seeded runs on the same seeds. Seeds
within a world share the world, so they are not W·S independent observations: treating them
so (the *seed-only* interval) describes only the luck of the draw in worlds like these. The
*combined* interval also carries the between-world variance — what the assumptions leave
open — through the Kish design effect of the clustering (Kish 1965, *Survey Sampling*,
§5.4), with the intraclass correlation estimated by one-way ANOVA over worlds. Both are
reported, beside the spread of the per-world values, so that a reader sees how much of the
uncertainty is luck and how much is the world.

Every function takes the runs as ``groups``: one 1-D array per world of that world's values
over seeds (missing values already removed; worlds need not have the same number of runs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import t as student

from partnersim.runs.summary import wilson_interval, wilson_share_interval

Groups = Sequence[Sequence[float] | np.ndarray]
"""Per world, that world's values over seeds."""


@dataclass(frozen=True, slots=True)
class Pooled:
    """A quantity pooled over worlds × seeds with its seed-only and combined 95 % intervals.

    Attributes:
        estimate: the pooled estimate (share of runs meeting a target, or the mean).
        seed_low, seed_high: the seed-only interval (runs treated as independent).
        low, high: the combined interval (worlds and seeds); it contains the seed-only one.
        world_p10, world_p90: the 10th and 90th percentiles of the per-world values.
        worlds: worlds with at least one run.
        runs: runs in all.
        icc: intraclass correlation of runs within a world (NaN when not estimable).
        deff: Kish design effect, ``1 + (m − 1)·icc``.
    """

    estimate: float
    seed_low: float
    seed_high: float
    low: float
    high: float
    world_p10: float
    world_p90: float
    worlds: int
    runs: int
    icc: float
    deff: float


@dataclass(frozen=True, slots=True)
class Ranking:
    """In how many worlds one scenario beats another on an outcome (paired by seed).

    Attributes:
        worlds: worlds compared.
        favours_a: share of worlds whose mean paired difference favours A.
        favours_b: share of worlds whose mean paired difference favours B (ties count in
            neither).
        resolved_a: share of worlds where A's advantage is resolved: the per-world paired
            Student-t 95 % interval excludes 0.
        resolved_b: the same for B.
    """

    worlds: int
    favours_a: float
    favours_b: float
    resolved_a: float
    resolved_b: float


def _arrays(groups: Groups) -> list[np.ndarray]:
    out = [np.asarray(g, dtype=float) for g in groups]
    return [g for g in out if len(g)]


def icc_anova(groups: Groups) -> float:
    """Intraclass correlation of runs within a world, by the one-way ANOVA estimator.

    ``σ²_between / (σ²_between + σ²_within)``, with ``σ²_between = (MSB − MSW) / n0`` and
    ``σ²_within = MSW`` (``n0`` the ANOVA mean group size, the number of seeds when every
    world has as many runs), clipped to [0, 1]: a negative estimate means the between-world
    variance is too small to tell from zero. It is 0 when no run differs from another (there
    is no variance to apportion) and NaN when it cannot be estimated: one world (no between
    variance) or one run per world (no within variance).
    """
    arrays = _arrays(groups)
    w = len(arrays)
    sizes = np.array([len(g) for g in arrays], dtype=float)
    n = sizes.sum()
    if w < 2 or n <= w:
        return float("nan")
    grand = np.concatenate(arrays).mean()
    means = np.array([g.mean() for g in arrays])
    ssb = float((sizes * (means - grand) ** 2).sum())
    ssw = float(sum(((g - g.mean()) ** 2).sum() for g in arrays))
    if ssb + ssw == 0:
        return 0.0
    msb, msw = ssb / (w - 1), ssw / (n - w)
    n0 = (n - (sizes**2).sum() / n) / (w - 1)
    between = max(0.0, (msb - msw) / n0)
    return float(min(1.0, between / (between + msw))) if between + msw > 0 else 0.0


def design_effect(groups: Groups) -> tuple[float, float]:
    """Intraclass correlation and Kish design effect ``1 + (m − 1)·ICC`` of runs in worlds.

    ``m`` is the size-weighted mean number of runs per world (``Σ n_w² / n``; the number of
    seeds when every world has as many). The runs carry as much information about the
    ensemble-wide value as ``n / DEFF`` independent runs would. With one run per world the
    runs are independent (DEFF = 1); with one world the between-world variance is unknown and
    the worst case is taken (ICC = 1: the runs count as one).

    Returns:
        ``(icc, deff)``; ``icc`` is NaN when it cannot be estimated (see :func:`icc_anova`).
    """
    arrays = _arrays(groups)
    sizes = np.array([len(g) for g in arrays], dtype=float)
    n = sizes.sum()
    if n == 0:
        return float("nan"), float("nan")
    m = float((sizes**2).sum() / n)
    icc = icc_anova(arrays)
    if len(arrays) == 1:
        return icc, m  # ICC taken as 1: one world tells nothing of the others
    return icc, 1.0 + (m - 1.0) * (0.0 if math.isnan(icc) else icc)


def _world_spread(arrays: list[np.ndarray]) -> tuple[float, float]:
    means = [g.mean() for g in arrays]
    low, high = np.percentile(means, [10, 90])
    return float(low), float(high)


def proportion_over_worlds(groups: Groups) -> Pooled:
    """P(met) over worlds × seeds: pooled share, seed-only and combined Wilson 95 % intervals.

    Estimates the probability that the target is met in a world drawn from the ensemble, on a
    seed drawn at random: the share of all runs meeting it (``groups`` hold 1 for met, 0 for
    not). The seed-only interval is Wilson's over all ``n`` runs as if independent, which is
    what an interval over seeds in one fixed world would be. The combined interval is Wilson's
    with the effective sample size ``n / DEFF`` (:func:`design_effect`): runs in one world are
    correlated, so they count for less. DEFF ≥ 1, and the Wilson interval of a share only
    widens as the sample shrinks, so the combined interval contains the seed-only one. The
    across-world range is the 10th–90th percentile of the per-world shares: how much the
    answer depends on which world is the real one.

    Raises:
        ValueError: a value other than 0 or 1.
    """
    arrays = _arrays(groups)
    if not arrays:
        nan = float("nan")
        return Pooled(nan, nan, nan, nan, nan, nan, nan, 0, 0, nan, nan)
    runs = np.concatenate(arrays)
    if not np.isin(runs, (0.0, 1.0)).all():
        raise ValueError("P(met) needs runs that are 1 (met) or 0 (not met)")
    n, k = len(runs), int(runs.sum())
    p = k / n
    seed_low, seed_high = wilson_interval(k, n)
    icc, deff = design_effect(arrays)
    effective = n / deff
    low, high = wilson_share_interval(p, effective)
    p10, p90 = _world_spread(arrays)
    return Pooled(p, seed_low, seed_high, low, high, p10, p90, len(arrays), n, icc, deff)


def mean_over_worlds(groups: Groups) -> Pooled:
    """Mean of a continuous outcome over worlds × seeds, with seed-only and combined 95 % CIs.

    Estimates the outcome's expected value in a world drawn from the ensemble. The seed-only
    interval uses the pooled within-world variance (MSW) over ``n`` runs, Student t with the
    within-world degrees of freedom ``n − W``: the uncertainty from seeds alone. The combined
    interval uses the total variance times the design effect, over ``n`` — the variance of
    the mean of clustered runs — with Student t on ``W − 1`` degrees of freedom, since the
    worlds are the independent units (or on ``n − W``, if fewer: worlds of one run and worlds
    of many). That variance is never allowed below the within-world one (with the
    between-world part estimated at zero the two differ only in their degrees of freedom), so
    the combined interval contains the seed-only one. One world gives no combined interval
    (NaN bounds); one seed per world gives no seed-only interval. The across-world range is
    the 10th–90th percentile of the per-world means.
    """
    nan = float("nan")
    arrays = _arrays(groups)
    if not arrays:
        return Pooled(nan, nan, nan, nan, nan, nan, nan, 0, 0, nan, nan)
    runs = np.concatenate(arrays)
    n, w = len(runs), len(arrays)
    mean = float(runs.mean())
    within = float(sum(((g - g.mean()) ** 2).sum() for g in arrays))
    msw = within / (n - w) if n > w else nan
    seed_half = float(student.ppf(0.975, n - w) * math.sqrt(msw / n)) if n > w else nan
    icc, deff = design_effect(arrays)
    half = nan
    if w > 1:
        total = float(runs.var(ddof=1))
        variance = max(total * deff, msw if n > w else 0.0)
        df = w - 1 if n == w else min(w - 1, n - w)
        half = float(student.ppf(0.975, df) * math.sqrt(variance / n))
    p10, p90 = _world_spread(arrays)
    return Pooled(
        mean,
        mean - seed_half,
        mean + seed_half,
        mean - half,
        mean + half,
        p10,
        p90,
        w,
        n,
        icc,
        deff,
    )


def ranking_share(a: Groups, b: Groups, larger_is_better: bool) -> Ranking:
    """The share of worlds in which scenario A does better than B on an outcome.

    Per world, the difference A − B is taken seed by seed (both were run on the same seeds:
    common random numbers) and averaged over seeds; the world *favours A* when that mean is
    better for A in the outcome's declared direction (higher for an outcome to maximise,
    lower for one to minimise). The ranking is *resolved* in a world when the paired Student-t
    95 % interval of the mean difference excludes 0 (never with one seed; always when every
    seed gives the same non-zero difference). The share of worlds favouring A says how far a
    finding holds across what the assumptions leave open; the resolved share, how far it
    holds beyond the luck of the seeds run in each world.

    Args:
        a: per world, scenario A's outcome over the seeds.
        b: per world, scenario B's outcome over the same seeds, in the same order.
        larger_is_better: the outcome's direction (:attr:`Outcome.larger_is_better
            <partnersim.runs.outcomes.Outcome.larger_is_better>`).

    Raises:
        ValueError: A and B do not have the same worlds and seeds.
    """
    if len(a) != len(b):
        raise ValueError(f"A has {len(a)} worlds and B {len(b)}: they must be the same")
    sign = 1.0 if larger_is_better else -1.0
    counts = np.zeros(4)
    worlds = 0
    for x, y in zip(a, b, strict=True):
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.shape != y.shape:
            raise ValueError("A and B must be run on the same seeds in every world")
        d = sign * (x - y)
        d = d[~np.isnan(d)]
        if not len(d):
            continue
        worlds += 1
        mean = d.mean()
        if len(d) > 1:
            half = student.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
        else:
            half = math.inf
        counts += [mean > 0, mean < 0, mean - half > 0, mean + half < 0]
    shares = counts / worlds if worlds else np.full(4, np.nan)
    return Ranking(worlds, *(float(s) for s in shares))


__all__ = [
    "Pooled",
    "Ranking",
    "design_effect",
    "icc_anova",
    "mean_over_worlds",
    "proportion_over_worlds",
    "ranking_share",
]
