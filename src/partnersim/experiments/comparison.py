"""Two sweeps of one design on different base scenarios: the difference at every design point.

``partnersim compare-sweeps A B`` asks what changing the base scenario does across a whole
design: the same factors, points and seeds (the sweep files differ only in ``scenario``), so
every run of B has a twin in A with the same factor values and seed, and their difference is
the effect of the base scenario alone at that point, free of seed luck (common random
numbers). Per point and outcome: the mean over seeds of B − A, with a Student-t 95 % interval
over the seeds (none with one seed); overall: the mean over points, with a t interval over the
points, and how many points' intervals lie wholly above or below zero.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from partnersim.results import Results

POINT_COLUMNS = ("point", "outcome", "a", "b", "difference", "low", "high", "seeds")
"""Columns of :func:`point_differences` (besides the factor values of each point)."""


class DesignMismatch(ValueError):
    """Two sweeps that do not share a design (factors, points or seeds)."""


def check_same_design(a: Results, b: Results) -> list[str]:
    """What makes ``a`` and ``b`` comparable point by point, in words (notes, not errors).

    Raises:
        DesignMismatch: the sweeps differ in design, factors, points or seeds.
    """
    ma, mb = a.manifest, b.manifest
    for key, what in (("design", "design"), ("factors", "factors"), ("seeds", "seeds")):
        if ma.get(key) != mb.get(key):
            raise DesignMismatch(
                f"{a.path} and {b.path} differ in their {what}: compare-sweeps needs one design "
                "run on two base scenarios (sweep files that differ only in `scenario`)"
            )
    factors = [f["name"] for f in ma["factors"]]
    plan_a = _plan(a)[["run_id", "point", "seed", *factors]]
    plan_b = _plan(b)[["run_id", "point", "seed", *factors]]
    if not plan_a.equals(plan_b):
        raise DesignMismatch(f"{a.path} and {b.path} have different design points")
    notes = []
    if ma.get("scenario_hash") == mb.get("scenario_hash"):
        notes.append("both sweeps ran the same base scenario: every difference is zero")
    return notes


def _plan(r: Results) -> pd.DataFrame:
    return pd.read_parquet(r.path / "plan.parquet").sort_values("run_id", ignore_index=True)


def point_differences(a: Results, b: Results, outcomes: list[str]) -> pd.DataFrame:
    """B − A at every design point, per outcome, paired by seed.

    Returns:
        One row per (point, outcome): the factor values, ``a`` and ``b`` (means over seeds),
        ``difference`` (mean of the paired differences), its 95 % interval ``low``–``high``
        and ``seeds`` (pairs with both runs successful).
    """
    factors = [f["name"] for f in a.manifest["factors"]]
    keep = ["run_id", "point", *factors, *outcomes]
    runs_a, runs_b = (_ok(r)[[c for c in keep if c in _ok(r)]] for r in (a, b))
    pairs = runs_a.merge(runs_b[["run_id", *outcomes]], on="run_id", suffixes=("_a", "_b"))
    rows = []
    for point, group in pairs.groupby("point", sort=True):
        values = group.iloc[0][factors].to_dict()
        for outcome in outcomes:
            x = group[f"{outcome}_a"].to_numpy(dtype=float)
            y = group[f"{outcome}_b"].to_numpy(dtype=float)
            ok = np.isfinite(x) & np.isfinite(y)
            d = y[ok] - x[ok]
            n = len(d)
            mean, half = _mean_and_half_width(d)
            rows.append(
                {
                    "point": int(point),
                    **values,
                    "outcome": outcome,
                    "a": float(x[ok].mean()) if n else float("nan"),
                    "b": float(y[ok].mean()) if n else float("nan"),
                    "difference": mean,
                    "low": mean - half,
                    "high": mean + half,
                    "seeds": n,
                }
            )
    return pd.DataFrame(rows)


def summary(differences: pd.DataFrame) -> pd.DataFrame:
    """Per outcome: the mean difference over points, with a t interval.

    Also how many points have an interval wholly above, or wholly below, zero.
    """
    rows = []
    for outcome, group in differences.groupby("outcome", sort=False):
        d = group["difference"].dropna().to_numpy()
        n = len(d)
        mean, half = _mean_and_half_width(d)
        rows.append(
            {
                "outcome": outcome,
                "points": n,
                "mean_difference": mean,
                "low": mean - half,
                "high": mean + half,
                "points_above": int((group["low"] > 0).sum()),
                "points_below": int((group["high"] < 0).sum()),
                "seeds_per_point": int(group["seeds"].median()) if n else 0,
            }
        )
    return pd.DataFrame(rows)


def _ok(r: Results) -> pd.DataFrame:
    runs = r.runs
    return runs[runs["status"] == "ok"] if "status" in runs else runs


def _mean_and_half_width(d: np.ndarray) -> tuple[float, float]:
    """Mean of ``d`` and the half-width of its 95 % t interval (NaN where undefined)."""
    from scipy.stats import t as student

    n = len(d)
    mean = float(d.mean()) if n else float("nan")
    if n < 2:
        return mean, float("nan")
    return mean, float(student.ppf(0.975, n - 1) * d.std(ddof=1) / math.sqrt(n))
