"""Across-run summaries: how likely each mission is to meet its target, with uncertainty.

Input is a summary table (one row per run, as written to ``summary.parquet``); output is a
tidy table per scenario and mission with the probability of meeting the target (Wilson 95 %
interval over seeds), the median level at the deadline with its 10th–90th percentile range,
and the partnership and fiscal headlines.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from partnersim import data
from partnersim.runs.outcomes import HEADLINES, mission_column

Z95 = 1.959963984540054
"""The standard normal quantile of a two-sided 95 % interval."""


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score 95 % interval of a binomial proportion (sound at 0 and n successes).

    The bounds lie in [0, 1] and contain the estimate ``successes / n``: exactly 0 at no
    success and exactly 1 at ``n`` of ``n`` (the closed form leaves rounding residue of the
    order of 1e-17 there, which put a lower bound above an estimate of 0).

    Returns:
        ``(low, high)``; ``(nan, nan)`` when ``n`` is 0.

    Raises:
        ValueError: ``successes`` is outside 0…``n``.
    """
    if n == 0:
        return float("nan"), float("nan")
    if not 0 <= successes <= n:
        raise ValueError(f"{successes} successes out of {n} trials")
    return wilson_share_interval(successes / n, n, z)


def wilson_share_interval(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score 95 % interval of a share ``p`` observed over ``n`` runs.

    As :func:`wilson_interval`, but ``n`` may be an effective sample size (any positive
    number, e.g. runs divided by a design effect): the bounds lie in [0, 1], contain ``p``,
    and are exactly 0 at ``p = 0`` and 1 at ``p = 1``.
    """
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if p == 0 else min(max(0.0, centre - half), p)
    high = 1.0 if p == 1 else max(min(1.0, centre + half), p)
    return low, high


def wilson_width(p: float, n: int, z: float = Z95) -> float:
    """Width of the Wilson interval of a proportion ``p`` estimated from ``n`` runs.

    ``p`` may be any share in [0, 1] (not only ``k / n``), so that it can ask how wide the
    interval of today's estimate would be with more seeds.
    """
    if n <= 0:
        return float("inf")
    denom = 1 + z * z / n
    return 2 * z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom


def seeds_for_width(p: float, width: float, z: float = Z95) -> int:
    """Fewest runs for which a proportion near ``p`` has a Wilson interval at most ``width`` wide.

    The answer for today's estimate ``p``; at ``p = 0.5`` it is the most any proportion needs
    (e.g. 381 runs for a width of 0.1, i.e. ±0.05).

    Raises:
        ValueError: ``p`` is outside [0, 1] or ``width`` outside (0, 1].
    """
    if not 0.0 <= p <= 1.0 or math.isnan(p):
        raise ValueError(f"p must be a share in [0, 1], got {p}")
    if not 0.0 < width <= 1.0:
        raise ValueError(f"width must be in (0, 1], got {width}")
    low, high = 1, 2
    while wilson_width(p, high, z) > width:  # the width falls as n grows
        low, high = high, high * 2
    while low < high:
        mid = (low + high) // 2
        if wilson_width(p, mid, z) <= width:
            high = mid
        else:
            low = mid + 1
    return low


def mission_outcomes(summary: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and mission: P(target met) with its interval, and the level at deadline."""
    rows = []
    for scenario, group in summary.groupby("scenario", sort=False):
        for m in data.missions():
            met = group[mission_column(m.name, "met")].dropna()
            level = group[mission_column(m.name, "level_at_deadline")].dropna()
            k, n = int(met.sum()), len(met)
            low, high = wilson_interval(k, n)
            rows.append(
                {
                    "scenario": scenario,
                    "mission": m.name,
                    "label": m.label,
                    "target": m.target,
                    "deadline": m.target_deadline,
                    "unit": m.unit,
                    "higher_is_better": m.higher_is_better,
                    "runs_assessed": n,
                    "p_met": k / n if n else float("nan"),
                    "p_met_low": low,
                    "p_met_high": high,
                    "median_at_deadline": float(level.median()) if len(level) else float("nan"),
                    "p10_at_deadline": float(level.quantile(0.1)) if len(level) else float("nan"),
                    "p90_at_deadline": float(level.quantile(0.9)) if len(level) else float("nan"),
                }
            )
    return pd.DataFrame(rows)


def headline_outcomes(summary: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and headline outcome: median and 10th–90th percentiles over runs.

    The headlines are the outcomes declared ``headline=True`` (:mod:`partnersim.runs.outcomes`).
    """
    rows = []
    for scenario, group in summary.groupby("scenario", sort=False):
        for outcome in HEADLINES:
            values = group[outcome.name].replace([np.inf, -np.inf], np.nan).dropna()
            rows.append(
                {
                    "scenario": scenario,
                    "outcome": outcome.name,
                    "label": outcome.label,
                    "unit": outcome.unit,
                    "median": float(values.median()) if len(values) else float("nan"),
                    "p10": float(values.quantile(0.1)) if len(values) else float("nan"),
                    "p90": float(values.quantile(0.9)) if len(values) else float("nan"),
                }
            )
    return pd.DataFrame(rows)


def against_reference(
    summary: pd.DataFrame, reference: str, *, n_boot: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """Each scenario against a reference scenario run on the same seeds (paired by seed).

    For every other scenario: the **net fiscal cost against the reference** (mean over seeds of
    the difference in ``net_fiscal_cost_total``, £bn, with a Student-t 95 % interval), the
    extra private investment and extra public deal finance (£bn), and the **marginal
    crowd-in** — extra private £ per extra public £ of deal finance, the ratio of the mean
    differences, with a 95 % bootstrap interval over seeds (NaN where the public difference is
    nearly zero, when the ratio says nothing).

    Raises:
        ValueError: ``reference`` is not a scenario of ``summary``, or the scenarios were not
            run on the same seeds.
    """
    from scipy.stats import t as student

    if reference not in set(summary["scenario"]):
        raise ValueError(f"{reference!r} is not one of the scenarios compared")
    columns = ["net_fiscal_cost_total", "private_investment_total", "deal_public_finance_total"]
    base = summary[summary["scenario"] == reference].set_index("seed")[columns]
    rng = np.random.default_rng(seed)
    rows = []
    for scenario, group in summary.groupby("scenario", sort=False):
        if scenario == reference:
            continue
        other = group.set_index("seed")[columns]
        if set(other.index) != set(base.index):
            raise ValueError(f"{scenario!r} and {reference!r} were not run on the same seeds")
        d = (other - base.loc[other.index]).to_numpy(dtype=float)
        n = len(d)
        cost = d[:, 0]
        mean = float(cost.mean())
        half = (
            float(student.ppf(0.975, n - 1) * cost.std(ddof=1) / math.sqrt(n))
            if n > 1
            else float("nan")
        )
        d_private, d_public = d[:, 1], d[:, 2]
        crowd, low, high = float("nan"), float("nan"), float("nan")
        # Crowd-in is extra private £ per extra public £: undefined unless public finance rose.
        if d_public.mean() > 1e-6 * max(1.0, abs(d_private.mean())):
            crowd = float(d_private.mean() / d_public.mean())
            if n > 1:
                draws = rng.integers(0, n, size=(n_boot, n))
                num, den = d_private[draws].mean(axis=1), d_public[draws].mean(axis=1)
                ok = np.abs(den) > 1e-9
                low, high = np.percentile(num[ok] / den[ok], [2.5, 97.5])
        rows.append(
            {
                "scenario": scenario,
                "reference": reference,
                "seeds": n,
                "net_fiscal_cost_vs_reference": mean,
                "net_fiscal_cost_low": mean - half,
                "net_fiscal_cost_high": mean + half,
                "extra_private_investment": float(d_private.mean()),
                "extra_public_deal_finance": float(d_public.mean()),
                "marginal_crowd_in": crowd,
                "marginal_crowd_in_low": float(low),
                "marginal_crowd_in_high": float(high),
            }
        )
    return pd.DataFrame(rows)
