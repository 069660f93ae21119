"""Seed noise in a sweep: how much of an outcome's variance is luck, and whether the seeds suffice.

A sweep runs every design point on the same ``r`` seeds. For an outcome ``y``:

* the **between-seed variance** ``s²`` is the variance across seeds at a point, averaged over
  the points (it needs ``r ≥ 2``);
* the **seed share** is ``s²`` over the variance of ``y`` across all runs: the share of the
  output's variance that is seed noise rather than the factors;
* the sensitivity indices are computed on the point means, whose variance still holds noise;
  its share of their variance is the **noise in the means**. Every point runs the same seeds
  (common random numbers), so a seed's effect common to all points moves every point mean
  alike and cancels; what remains is the point × seed interaction, ``s_r²``, estimated from the
  two-way table of runs (points × replications), and the noise in a point mean is
  ``s_r² / r``. Variance-based indices (Sobol', δ) apportion that noise as if it were the
  factors' doing, and Morris elementary effects carry it: an elementary effect of pure noise
  has standard deviation ``s_r·√(2/r)/Δ`` (Δ the Morris step), so a μ* below about twice
  the **noise floor** ``s_r·√(2/r)/Δ·√(2/π)`` is indistinguishable from luck;
* **seeds needed**: the replications that would bring the noise in the means under
  :data:`NOISE_TARGET` of their variance, ``(1 − t)/t · s_r² / signal`` with ``signal`` the
  variance of the point means less their noise.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

NOISE_TARGET = 0.1
"""Noise in the point means above this share of their variance draws a warning."""

SEED_COLUMNS = (
    "outcome",
    "unit",
    "replications",
    "points",
    "seed_sd",
    "interaction_sd",
    "seed_share",
    "noise_in_means",
    "seeds_needed",
)
"""Columns of :func:`seed_noise`'s table."""


def seed_noise(runs: pd.DataFrame, outcomes: tuple[str, ...]) -> pd.DataFrame:
    """Between-seed variance of each outcome, and its share of the variance the analysis sees.

    Args:
        runs: one row per successful run, with ``point`` and the outcomes.
        outcomes: the outcomes to assess.

    Returns:
        One row per outcome (see the module docstring): ``seed_sd`` (the between-seed
        standard deviation, in the outcome's unit), ``interaction_sd`` (the part that differs
        from point to point, ``s_r``), ``seed_share``, ``noise_in_means`` and ``seeds_needed``
        — NaN where there is one seed per point, or the outcome does not vary.
    """
    from partnersim.runs.outcomes import OUTCOME_INDEX

    rows = []
    for outcome in outcomes:
        if outcome not in runs:
            continue
        frame = runs[["point", outcome]].replace([np.inf, -np.inf], np.nan).dropna()
        groups = frame.groupby("point")[outcome]
        counts = groups.size()
        r = int(counts.median()) if len(counts) else 0
        within = groups.var(ddof=1).mean() if r >= 2 else float("nan")
        total = float(frame[outcome].var(ddof=1)) if len(frame) > 1 else float("nan")
        means = groups.mean()
        between = float(means.var(ddof=1)) if len(means) > 1 else float("nan")
        interaction = _interaction(runs, outcome) if r >= 2 else float("nan")
        if interaction != interaction:
            interaction = within
        row = {
            "outcome": outcome,
            "unit": OUTCOME_INDEX[outcome].unit if outcome in OUTCOME_INDEX else "",
            "replications": r,
            "points": len(means),
            "seed_sd": math.sqrt(within) if within == within else float("nan"),
            "interaction_sd": math.sqrt(interaction) if interaction == interaction else np.nan,
            "seed_share": float("nan"),
            "noise_in_means": float("nan"),
            "seeds_needed": float("nan"),
        }
        if within == within and total > 0:
            row["seed_share"] = min(1.0, within / total)
        if interaction == interaction and between > 0:
            noise = interaction / r
            row["noise_in_means"] = min(1.0, noise / between)
            signal = between - noise
            t = NOISE_TARGET
            row["seeds_needed"] = (
                float(max(1, math.ceil((1 - t) / t * interaction / signal)))
                if signal > 0
                else float("inf")
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=SEED_COLUMNS)


def _interaction(runs: pd.DataFrame, outcome: str) -> float:
    """The point × seed interaction variance, from the complete points' two-way table."""
    if "replication" not in runs:
        return float("nan")
    table = runs.pivot_table(index="point", columns="replication", values=outcome, aggfunc="first")
    table = table.replace([np.inf, -np.inf], np.nan).dropna()
    points, reps = table.shape
    if points < 2 or reps < 2:
        return float("nan")
    y = table.to_numpy(dtype=float)
    residual = y - y.mean(axis=1, keepdims=True) - y.mean(axis=0, keepdims=True) + y.mean()
    return float((residual**2).sum() / ((points - 1) * (reps - 1)))


def morris_noise_floor(seed_sd: float, replications: int, levels: int) -> float:
    """Expected μ* of an elementary effect that is pure seed noise, in the outcome's unit.

    Args:
        seed_sd: the standard deviation of the noise that differs between points (the
            interaction part, ``interaction_sd``: common seeds cancel in an effect).
        replications: seeds per design point.
        levels: the Morris grid's levels (its step is ``levels / (2 (levels − 1))``).
    """
    step = levels / (2 * (levels - 1))
    return seed_sd * math.sqrt(2 / replications) / step * math.sqrt(2 / math.pi)


def describe(row: pd.Series) -> str:
    """One outcome's seed noise in words, for the report."""
    if row["replications"] < 2:
        return (
            "one seed per design point: seed noise cannot be told apart from the factors' "
            "effects, and the indices include it (run at least 2 replications)"
        )
    if row["seed_share"] != row["seed_share"]:
        return "does not vary across runs"
    text = (
        f"between-seed SD {row['seed_sd']:.3g} {row['unit']}; seed noise is "
        f"{row['seed_share']:.0%} of the variance across runs and {row['noise_in_means']:.0%} "
        f"of the variance of the point means the indices use ({row['replications']} seeds "
        "per point)"
    )
    if row["noise_in_means"] > NOISE_TARGET:
        needed = row["seeds_needed"]
        more = (
            f"about {int(needed)} seeds per point would bring it under {NOISE_TARGET:.0%}"
            if math.isfinite(needed)
            else "the factors' effects are no larger than the noise at any number of seeds"
        )
        text += f" — **too few replications for these effect sizes**: {more}"
    return text
