"""Planning a sweep: from a spec to the table of every run, seeds included, before anything runs.

The design points come from the design's entry in :mod:`partnersim.experiments.sweep.designs`.
Seeds are spawned from the root seed before execution (``numpy.random.SeedSequence``); the
same ``replications`` seeds are used at every design point (common random numbers), and every
run's seed is stored in the plan. A sweep over plausible worlds also assigns each run a world
(:func:`partnersim.experiments.sweep.worlds.assign`) and stores its id and drawn inputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from partnersim.experiments.sweep import worlds
from partnersim.experiments.sweep.designs import TABLE, design_points, unit_sample

if TYPE_CHECKING:
    from partnersim.experiments.sweep.spec import SweepSpec


def replication_seeds(spec: SweepSpec) -> list[int]:
    """One seed per replication, shared by every design point (common random numbers)."""
    children = np.random.SeedSequence(spec.seed).spawn(spec.replications)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def plan(spec: SweepSpec) -> pd.DataFrame:
    """Every run of the sweep, planned before anything runs.

    Columns: ``run_id``, ``point``, ``replication``, ``seed``, the factor values and, for a
    design that samples the factors, the unit coordinates the analysis needs (``u_<factor>``).
    A sweep over worlds adds ``world`` (after ``seed``) and each world input's value (after
    the factor values).
    """
    points = design_points(spec)
    units = unit_sample(spec)
    seeds = replication_seeds(spec)
    sampled = not TABLE[spec.design].from_points
    rows = []
    for p, values in enumerate(points):
        for r, seed in enumerate(seeds):
            row = {
                "run_id": p * len(seeds) + r,
                "point": p,
                "replication": r,
                "seed": seed,
                **values,
            }
            if sampled:
                row.update(
                    {f"u_{f.name}": float(u) for f, u in zip(spec.factors, units[p], strict=True)}
                )
            rows.append(row)
    frame = pd.DataFrame(rows)
    if spec.worlds is None:
        return frame
    extra = worlds.columns(spec, worlds.assign(spec, len(frame)))
    clash = set(extra) & set(frame.columns)
    assert not clash, f"world columns {clash} clash with the plan's"
    frame.insert(frame.columns.get_loc("seed") + 1, "world", extra.pop("world"))
    units = [c for c in frame.columns if c.startswith("u_")]
    at = frame.columns.get_loc(units[0]) if units else len(frame.columns)
    inserted = pd.DataFrame(extra, index=frame.index)
    return pd.concat([frame.iloc[:, :at], inserted, frame.iloc[:, at:]], axis=1)
