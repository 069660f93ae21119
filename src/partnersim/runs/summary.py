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


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score 95 % interval of a binomial proportion (sound at 0 and n successes)."""
    if n == 0:
        return float("nan"), float("nan")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


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
