"""Robustness metrics: how a package does over plausible worlds, declared once.

Every function reads a *runs table*: one row per run, with a ``world`` column (``-1`` when
runs are not in plausible worlds), a ``seed`` column, outcome columns and — for a set of
packages — a package column (``by``). A package's value in a world is the mean over that world's
seeds (for a yes/no outcome, its probability in that world). From those:

* :func:`metric_value` — one :class:`~partnersim.design.spec.Metric` of one package: the mean
  over every run, a pessimistic percentile or the worst of the per-world means, or the
  satisficing share;
* :func:`satisficing` — the share of worlds in which every criterion holds (Starr's
  domain criterion, as used in robust decision making);
* :func:`regret` — per world, how far a package falls short of the best package *in that
  world* (Savage's regret), summarised by its worst and its pessimistic percentile over worlds;
* :func:`with_baseline` — ``X_vs_baseline`` columns: a package's outcome minus the baseline's
  on the same world and seed (common random numbers, so the difference is not luck).

The search (objectives and constraints) and the report (robustness table) both use these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from partnersim.design.spec import VS_BASELINE, Metric, outcome_direction
from partnersim.experiments.discovery import Condition

KEYS = ("world", "seed")
"""The columns that pair a run with the baseline's run on the same world and seed."""


def with_baseline(
    runs: pd.DataFrame, baseline: pd.DataFrame, columns: Iterable[str]
) -> pd.DataFrame:
    """``runs`` with ``X_vs_baseline`` = ``X`` − the baseline's ``X`` on the same world and seed.

    Args:
        runs: the runs of one or more packages.
        baseline: the baseline's runs, one per (world, seed).
        columns: the ``X_vs_baseline`` columns wanted (other names are ignored).

    Raises:
        ValueError: a run has no baseline run on its world and seed.
    """
    wanted = sorted({c for c in columns if c.endswith(VS_BASELINE)})
    if not wanted:
        return runs
    sources = [c.removesuffix(VS_BASELINE) for c in wanted]
    base = baseline.set_index(list(KEYS))[sources]
    if base.index.has_duplicates:
        raise ValueError("the baseline has more than one run on a world and seed")
    index = pd.MultiIndex.from_frame(runs[list(KEYS)])
    missing = ~index.isin(base.index)
    if missing.any():
        raise ValueError(f"{int(missing.sum())} runs have no baseline run on their world and seed")
    paired = base.reindex(index).to_numpy(dtype=float)
    out = runs.copy()
    for j, (name, source) in enumerate(zip(wanted, sources, strict=True)):
        out[name] = runs[source].to_numpy(dtype=float) - paired[:, j]
    return out


def world_means(runs: pd.DataFrame, column: str) -> pd.Series:
    """One package's mean of ``column`` in each world (over its seeds), by world."""
    return runs.groupby("world", sort=True)[column].mean()


def _bad_side(values: np.ndarray, larger_is_better: bool, percentile: float) -> float:
    q = percentile if larger_is_better else 100.0 - percentile
    return float(np.percentile(values, q))


def criteria_met(runs: pd.DataFrame, criteria: Sequence[Condition]) -> pd.Series:
    """For one package: whether every criterion holds on each world's means, by world."""
    ok = pd.Series(True, index=sorted(runs["world"].unique()))
    for c in criteria:
        ok &= pd.Series(c.holds(world_means(runs, c.outcome)), index=ok.index)
    return ok


def satisficing(runs: pd.DataFrame, criteria: Sequence[Condition]) -> float:
    """For one package: the share of worlds in which every criterion holds."""
    return float(criteria_met(runs, criteria).mean())


def metric_value(runs: pd.DataFrame, metric: Metric, criteria: Sequence[Condition] = ()) -> float:
    """One metric of one package, from its runs (NaN runs are left out of means).

    Raises:
        ValueError: a satisficing metric without criteria.
    """
    if metric.statistic == "satisficing":
        if not criteria:
            raise ValueError("satisficing needs criteria")
        return satisficing(runs, criteria)
    if metric.statistic == "mean":
        return float(np.nanmean(runs[metric.outcome].to_numpy(dtype=float)))
    means = world_means(runs, metric.outcome).to_numpy(dtype=float)
    means = means[~np.isnan(means)]
    if not len(means):
        return float("nan")
    if metric.statistic == "worst":
        return float(means.min() if metric.larger_is_better else means.max())
    return _bad_side(means, metric.larger_is_better, metric.percentile)


def metric_table(
    runs: pd.DataFrame, metrics: Sequence[Metric], criteria: Sequence[Condition], by: str
) -> pd.DataFrame:
    """Every metric of every package (rows: the values of ``by``, in order of appearance)."""
    rows = {
        key: {m.name: metric_value(group, m, criteria) for m in metrics}
        for key, group in runs.groupby(by, sort=False)
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def regret(runs: pd.DataFrame, column: str, by: str, percentile: float = 10.0) -> pd.DataFrame:
    """Each package's regret on ``column`` against the best package in each world.

    A package's regret in a world is how far its world mean falls short of the best world mean
    of any package in the set (0 for the best), in the outcome's unit and direction.

    Returns:
        One row per package: ``max_regret`` (the worst world) and ``regret_p{100-percentile}``
        (the pessimistic percentile over worlds, e.g. ``regret_p90``), and ``mean_regret``.
    """
    larger = outcome_direction(column).value == "maximise"
    table = runs.groupby([by, "world"], sort=False)[column].mean().unstack("world")
    best = table.max(axis=0) if larger else table.min(axis=0)
    shortfall = (best - table) if larger else (table - best)
    q = 100.0 - percentile
    return pd.DataFrame(
        {
            "max_regret": shortfall.max(axis=1),
            f"regret_p{q:g}": shortfall.apply(lambda r: np.nanpercentile(r, q), axis=1),
            "mean_regret": shortfall.mean(axis=1),
        }
    )
