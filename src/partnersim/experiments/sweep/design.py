"""Designs and seeds: from a sweep spec to the table of every run, before anything runs.

Designs sample the unit hypercube of the factors and map each coordinate to a value (ranges
scale linearly; lists pick by index), so continuous and categorical factors mix freely:

* ``grid`` — full factorial over list values and ``levels`` evenly spaced values per range;
* ``list`` — the spec's explicit ``[[points]]``;
* ``lhs`` — Latin hypercube (``scipy.stats.qmc``), ``samples`` points;
* ``sobol`` — Saltelli/Sobol' sampling (SALib), ``samples · (D + 2)`` points;
* ``morris`` — Morris trajectories (SALib), ``samples · (D + 1)`` points.

Seeds are spawned from the root seed before execution (``numpy.random.SeedSequence``); the
same ``replications`` seeds are used at every design point (common random numbers), and every
run's seed is stored in the plan.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from partnersim.experiments.sweep.spec import SweepSpec


def unit_sample(spec: SweepSpec) -> np.ndarray:
    """The design in unit coordinates, one row per point (empty for ``list``)."""
    d = len(spec.factors)
    if spec.design == "list":
        return np.zeros((len(spec.points), d))
    if spec.design == "grid":
        axes = []
        for f in spec.factors:
            n = spec.levels if f.is_range else len(f.values)
            # Midpoints of n equal bins map to list entries; ranges use both ends.
            axes.append(np.linspace(0, 1, n) if f.is_range else (np.arange(n) + 0.5) / n)
        return np.array(list(itertools.product(*axes))) if axes else np.zeros((1, 0))
    if spec.design == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=d, seed=np.random.default_rng(spec.seed)).random(spec.samples)
    problem = salib_problem(spec)
    if spec.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, spec.samples, calc_second_order=False, seed=spec.seed)
    from SALib.sample import morris

    return morris.sample(problem, spec.samples, num_levels=4, seed=spec.seed)


def salib_problem(spec: SweepSpec) -> dict:
    """SALib's problem description over the unit cube of the factors."""
    return {
        "num_vars": len(spec.factors),
        "names": [f.name for f in spec.factors],
        "bounds": [[0.0, 1.0]] * len(spec.factors),
    }


def design_points(spec: SweepSpec) -> list[dict]:
    """Factor values of every design point."""
    if spec.design == "list":
        # A key one point sets and another does not: the other runs the base scenario's value,
        # and the plan (and results) say so instead of holding a missing value.
        keys = list(dict.fromkeys(k for p in spec.points for k in p))
        return [{k: p.get(k, spec.base.values[k]) for k in keys} for p in spec.points]
    return [
        {f.name: f.from_unit(float(u)) for f, u in zip(spec.factors, row, strict=True)}
        for row in unit_sample(spec)
    ]


def replication_seeds(spec: SweepSpec) -> list[int]:
    """One seed per replication, shared by every design point (common random numbers)."""
    children = np.random.SeedSequence(spec.seed).spawn(spec.replications)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def plan(spec: SweepSpec) -> pd.DataFrame:
    """Every run of the sweep, planned before anything runs.

    Columns: ``run_id``, ``point``, ``replication``, ``seed``, the factor values and the unit
    coordinates the analysis needs (``u_<factor>``).
    """
    points = design_points(spec)
    units = unit_sample(spec)
    seeds = replication_seeds(spec)
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
            if spec.design != "list":
                row.update(
                    {f"u_{f.name}": float(u) for f, u in zip(spec.factors, units[p], strict=True)}
                )
            rows.append(row)
    return pd.DataFrame(rows)
