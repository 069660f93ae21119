"""Sweep designs in one table: how each samples, what it asks of a sweep file, how it is analysed.

A design samples the unit hypercube of the factors and each coordinate is mapped to a value
(ranges scale linearly; lists pick by index), so continuous and categorical factors mix freely:

* ``grid`` — full factorial over list values and ``levels`` evenly spaced values per range;
* ``list`` — the spec's explicit ``[[points]]`` (no sample: the file gives the values);
* ``lhs`` — Latin hypercube (``scipy.stats.qmc``), ``samples`` points;
* ``sobol`` — Saltelli/Sobol' sampling (SALib), ``samples · (D + 2)`` points;
* ``morris`` — Morris trajectories (SALib), ``samples · (D + 1)`` points.

Each :class:`Design` entry of :data:`TABLE` also carries the checks it adds to a sweep file's
own (a Sobol' base sample is a power of two; Morris needs two values per list factor) and the
:class:`Sensitivity` analysis its sample supports: Sobol' indices, Morris μ* and σ, or SALib's
moment-independent δ, which accepts any sample (grid and LHS). Sampling, validation and
analysis all look a design up here instead of testing its name.

This module needs only a sweep spec's attributes (``factors``, ``samples``, ``levels``,
``seed``, ``points``, ``base``); it does not import :mod:`partnersim.experiments.sweep.spec`,
which imports it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from partnersim.schema.levers import variable
from partnersim.schema.problems import Problem

if TYPE_CHECKING:
    from partnersim.experiments.sweep.spec import Factor, SweepSpec
    from partnersim.schema.problems import LineFinder

MORRIS_LEVELS = 4
"""Fewest grid levels of a Morris sample (SALib's ``num_levels``); see :func:`morris_levels`."""
DELTA_MIN_POINTS = 30
"""Fewest design points for SALib's delta method (it bins the sample; small ones give NaN)."""


# -- sensitivity analyses -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """A sensitivity analysis a design's sample supports.

    Attributes:
        method: its name in reports.
        indices: the indices it gives, per factor.
        min_points: fewest design points (with a successful run) it needs.
        every_point: whether it needs every point of the design (its structure), not just
            enough of them.
        compute: SALib's indices from the problem, the points' unit coordinates, one outcome
            per point, a seed and the sweep spec, as ``{index: array over factors}``.
    """

    method: str
    indices: tuple[str, ...]
    min_points: int
    every_point: bool
    compute: Callable[[dict, np.ndarray, np.ndarray, int, SweepSpec], dict[str, np.ndarray]]


def _sobol_indices(
    problem: dict, units: np.ndarray, y: np.ndarray, seed: int, spec: SweepSpec
) -> dict:
    from SALib.analyze import sobol

    r = sobol.analyze(problem, y, calc_second_order=False, num_resamples=2, seed=seed)
    return {"S1": r["S1"], "ST": r["ST"]}


def _morris_indices(
    problem: dict, units: np.ndarray, y: np.ndarray, seed: int, spec: SweepSpec
) -> dict:
    from SALib.analyze import morris

    levels = morris_levels(spec.factors)
    r = morris.analyze(problem, units, y, num_resamples=2, num_levels=levels, seed=seed)
    return {"mu_star": r["mu_star"], "sigma": r["sigma"]}


def _delta_indices(
    problem: dict, units: np.ndarray, y: np.ndarray, seed: int, spec: SweepSpec
) -> dict:
    from SALib.analyze import delta

    r = delta.analyze(problem, units, y, num_resamples=2, seed=seed)
    return {"delta": r["delta_raw"], "S1": r["S1"]}


SOBOL = Sensitivity("Sobol'", ("S1", "ST"), 4, True, _sobol_indices)
"""First- and total-order Sobol' indices (SALib ``sobol.analyze``) on a Saltelli sample."""
MORRIS = Sensitivity("Morris", ("mu_star", "sigma"), 4, True, _morris_indices)
"""Morris elementary effects, μ* and σ (SALib ``morris.analyze``) on Morris trajectories."""
DELTA = Sensitivity(
    "delta (moment-independent)", ("delta", "S1"), DELTA_MIN_POINTS, False, _delta_indices
)
"""Moment-independent δ and first-order S1 (SALib ``delta.analyze``), for any sample."""


# -- samples of the unit hypercube ----------------------------------------------------------------


def salib_problem(spec: SweepSpec) -> dict:
    """SALib's problem description over the unit cube of the factors."""
    return {
        "num_vars": len(spec.factors),
        "names": [f.name for f in spec.factors],
        "bounds": [[0.0, 1.0]] * len(spec.factors),
    }


def _grid_axes(spec: SweepSpec) -> list[np.ndarray]:
    # Midpoints of n equal bins map to list entries; ranges use both ends.
    return [
        np.linspace(0, 1, spec.levels)
        if f.is_range
        else (np.arange(len(f.values)) + 0.5) / len(f.values)
        for f in spec.factors
    ]


def _grid(spec: SweepSpec) -> np.ndarray:
    axes = _grid_axes(spec)
    return np.array(list(itertools.product(*axes))) if axes else np.zeros((1, 0))


def _list(spec: SweepSpec) -> np.ndarray:
    return np.zeros((len(spec.points), len(spec.factors)))


def _lhs(spec: SweepSpec) -> np.ndarray:
    from scipy.stats import qmc

    rng = np.random.default_rng(spec.seed)
    return qmc.LatinHypercube(d=len(spec.factors), seed=rng).random(spec.samples)


def _sobol(spec: SweepSpec) -> np.ndarray:
    from SALib.sample import sobol

    return sobol.sample(salib_problem(spec), spec.samples, calc_second_order=False, seed=spec.seed)


def morris_levels(factors: tuple[Factor, ...]) -> int:
    """Grid levels of a Morris sample over ``factors``: each list factor's values equally often.

    A list factor of ``k`` values maps the unit interval to ``k`` equal bins; on a grid of
    ``L`` levels each value gets ``L / k`` levels only when ``k`` divides ``L`` (on SALib's
    default four levels a three-valued factor got one value on two levels of four, and that
    value in 160 of 252 runs). So ``L`` is the smallest even common multiple of the list
    lengths, and at least :data:`MORRIS_LEVELS`. The Morris step (``L / 2`` levels) then always
    moves a list factor to another value.
    """
    levels = 2
    for f in factors:
        if f.values is not None:
            levels = math.lcm(levels, len(f.values))
    while levels < MORRIS_LEVELS:
        levels *= 2
    return levels


def _morris(spec: SweepSpec) -> np.ndarray:
    from SALib.sample import morris

    return morris.sample(
        salib_problem(spec), spec.samples, num_levels=morris_levels(spec.factors), seed=spec.seed
    )


# -- what a design asks of a sweep file -----------------------------------------------------------


def _no_checks(factors: tuple[Factor, ...], samples: int, lines: LineFinder) -> list[Problem]:
    return []


def _sobol_checks(factors: tuple[Factor, ...], samples: int, lines: LineFinder) -> list[Problem]:
    if not samples & (samples - 1):
        return []
    return [
        Problem(
            "samples",
            f"a Sobol' design needs a power of two (got {samples}; e.g. "
            f"{1 << (samples - 1).bit_length()})",
            lines(None, "samples"),
        )
    ]


def _morris_checks(factors: tuple[Factor, ...], samples: int, lines: LineFinder) -> list[Problem]:
    out = []
    for f in factors:
        if f.values is not None and len(f.values) < 2:
            table = variable(f.name).section.value
            out.append(
                Problem(
                    f"{table}.{f.name}",
                    "a Morris design needs at least two values per factor",
                    lines(table, f.name),
                )
            )
    return out


# -- the table ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Design:
    """One sweep design.

    Attributes:
        name: as written in a sweep file (``design = "…"``).
        summary: what it does, in a few words.
        from_points: whether its points are the file's ``[[points]]`` rather than a sample
            of the factors (then it has no unit coordinates and no factor ranges).
        uses_samples: whether the file's ``samples`` sets its size.
        sample: its points in unit coordinates, one row per point, from a spec.
        size: how many points it makes for a spec.
        check: problems with a sweep file's factors and ``samples`` that this design cannot
            use (located with the file's :class:`~partnersim.schema.problems.LineFinder`).
        sensitivity: the sensitivity analysis its sample supports (None: none).
    """

    name: str
    summary: str
    from_points: bool
    uses_samples: bool
    sample: Callable[[SweepSpec], np.ndarray]
    size: Callable[[SweepSpec], int]
    check: Callable[[tuple[Factor, ...], int, LineFinder], list[Problem]]
    sensitivity: Sensitivity | None


TABLE: Mapping[str, Design] = MappingProxyType(
    {
        d.name: d
        for d in (
            Design(
                "grid",
                "full factorial: list values, and `levels` evenly spaced values per range",
                from_points=False,
                uses_samples=False,
                sample=_grid,
                size=lambda spec: math.prod(len(axis) for axis in _grid_axes(spec)),
                check=_no_checks,
                sensitivity=DELTA,
            ),
            Design(
                "list",
                "the file's explicit [[points]]",
                from_points=True,
                uses_samples=False,
                sample=_list,
                size=lambda spec: len(spec.points),
                check=_no_checks,
                sensitivity=None,
            ),
            Design(
                "lhs",
                "Latin hypercube of `samples` points",
                from_points=False,
                uses_samples=True,
                sample=_lhs,
                size=lambda spec: spec.samples,
                check=_no_checks,
                sensitivity=DELTA,
            ),
            Design(
                "sobol",
                "Saltelli/Sobol' sample, `samples` · (factors + 2) points",
                from_points=False,
                uses_samples=True,
                sample=_sobol,
                size=lambda spec: spec.samples * (len(spec.factors) + 2),
                check=_sobol_checks,
                sensitivity=SOBOL,
            ),
            Design(
                "morris",
                "`samples` Morris trajectories, `samples` · (factors + 1) points",
                from_points=False,
                uses_samples=True,
                sample=_morris,
                size=lambda spec: spec.samples * (len(spec.factors) + 1),
                check=_morris_checks,
                sensitivity=MORRIS,
            ),
        )
    }
)
"""Every design, by name."""

DESIGNS = tuple(TABLE)
"""The designs' names, in the order the documentation lists them."""


def unit_sample(spec: SweepSpec) -> np.ndarray:
    """The design in unit coordinates, one row per point (zeros for ``list``)."""
    return TABLE[spec.design].sample(spec)


def design_points(spec: SweepSpec) -> list[dict]:
    """Factor values of every design point."""
    if TABLE[spec.design].from_points:
        # A key one point sets and another does not: the other runs the base scenario's value,
        # and the plan (and results) say so instead of holding a missing value.
        keys = list(dict.fromkeys(k for p in spec.points for k in p))
        return [{k: p.get(k, spec.base.values[k]) for k in keys} for p in spec.points]
    return [
        {f.name: f.from_unit(float(u)) for f, u in zip(spec.factors, row, strict=True)}
        for row in unit_sample(spec)
    ]
