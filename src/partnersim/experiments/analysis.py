"""Analysis of a sweep folder: sensitivity indices, scenario discovery, success by lever region.

* **Sensitivity** (:func:`sensitivity`): for Sobol designs, first- and total-order Sobol'
  indices (SALib ``sobol.analyze``); for Morris designs, μ* and σ (``morris.analyze``); for
  LHS and grid designs, the moment-independent δ and first-order S1 of SALib's ``delta``
  method, which accepts any sample; for list designs, none. Each outcome is averaged over the
  replications at a design point; confidence intervals come from a bootstrap over replications
  (each bootstrap draws, at every point, replications with replacement and recomputes the
  indices), re-centred on the estimate. Designs too small or incomplete for their method get a
  note instead. Which method applies, and how many points it needs, is each design's entry in
  :data:`partnersim.experiments.sweep.designs.TABLE`.
* **Scenario discovery** (:func:`discover`): PRIM (EMA Workbench's ``analysis.prim``) on each
  mission's "target met" outcome over the factors; the reported box is the densest on the
  peeling trajectory that still covers at least half of the runs that met the target.
* **Success by region** (:func:`success_by_region`): the probability of meeting each target
  (Wilson 95 % interval) in each third of every range factor and at each value of every list
  factor.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from partnersim.results import Results
from partnersim.runs.outcomes import OUTCOMES as DECLARED
from partnersim.runs.outcomes import mission_column
from partnersim.runs.summary import wilson_interval

if TYPE_CHECKING:
    from partnersim.experiments.sweep.designs import Sensitivity
    from partnersim.experiments.sweep.spec import SweepSpec

OUTCOMES = tuple(o.name for o in DECLARED if o.sensitivity)
"""Outcomes analysed by default: those declared ``sensitivity=True``."""


def factors(results: Results) -> list[dict]:
    """The sweep's factors, as recorded in its manifest."""
    return results.manifest["factors"]


def _ok(results: Results) -> pd.DataFrame:
    runs = results.runs
    return runs[runs["status"] == "ok"] if "status" in runs else runs


def _point_means(
    runs: pd.DataFrame, outcome: str, replications: np.ndarray | None = None
) -> pd.Series:
    frame = runs if replications is None else runs.iloc[replications]
    return frame.groupby("point")[outcome].mean()


SENSITIVITY_COLUMNS = (
    "outcome",
    "factor",
    "index",
    "estimate",
    "low",
    "high",
    "bootstrap_shift",
    "method",
)
"""Columns of :func:`sensitivity`'s table (also when it is empty)."""


def sensitivity(
    results: Results, outcomes: tuple[str, ...] = OUTCOMES, n_boot: int = 100, seed: int = 0
) -> pd.DataFrame:
    """Sensitivity indices of each outcome to each factor, with bootstrap 95 % intervals.

    ``estimate`` is SALib's index computed on the replication means. The interval shows how
    much replication noise moves it: a bootstrap draws, at every design point, replications
    with replacement and recomputes the indices. Resampling adds noise of its own, which
    shifts every draw (variance-based indices rise with noise), so the 2.5–97.5 % bootstrap
    percentiles are re-centred on the estimate by removing the bootstrap's mean shift, which
    is reported as ``bootstrap_shift``.

    Returns:
        One row per (outcome, factor, index): ``estimate``, ``low``, ``high``,
        ``bootstrap_shift``, ``method``. ``frame.attrs["notes"]`` says why indices were
        not computed, if any were not.
    """
    from partnersim.experiments.sweep.designs import TABLE, salib_problem
    from partnersim.experiments.sweep.execute import load_spec

    spec = load_spec(results.path)
    names = [f.name for f in spec.factors]
    # SALib reserves some name suffixes (e.g. "_step"); it sees neutral aliases.
    problem = {**salib_problem(spec), "names": [f"x{i}" for i in range(len(names))]}
    runs = _ok(results)
    design = TABLE[spec.design]
    analysis = design.sensitivity
    notes: list[str] = []
    frame = pd.DataFrame(columns=SENSITIVITY_COLUMNS)
    frame.attrs["notes"] = notes
    m = results.manifest
    planned = int(m["runs_planned"]) // max(int(m["replications"]), 1)
    points = np.sort(runs["point"].unique()) if len(runs) else np.zeros(0, int)
    if analysis is None:
        notes.append(f"a {design.name} design has no sampling structure for sensitivity indices")
        return frame
    if analysis.every_point and len(points) < planned:
        notes.append(
            f"{planned - len(points)} of {planned} design points have no successful run; "
            f"{design.name} indices need every point of the design (rerun or fix the failing runs)"
        )
        return frame
    if len(points) < analysis.min_points:
        notes.append(
            f"{len(points)} design points are too few for the {design.name} design's indices "
            f"(at least {analysis.min_points} needed"
            f"{'; use more samples' if design.uses_samples else ''})"
        )
        return frame
    units = runs.groupby("point")[[f"u_{n}" for n in names]].first().loc[points].to_numpy()
    rng = np.random.default_rng(seed)
    point_of_run = runs["point"].to_numpy()
    by_point = [np.flatnonzero(point_of_run == p) for p in points]
    rows = []
    for outcome in outcomes:
        if outcome not in runs:
            continue
        values = runs[outcome].to_numpy(dtype=float)

        def indices(sample: list[np.ndarray], values: np.ndarray = values) -> dict:
            y = np.array([values[i].mean() for i in sample])
            if not np.all(np.isfinite(y)) or np.std(y) == 0:
                return {}
            return _indices(analysis, problem, units, y, seed, spec)

        raw = indices(by_point)
        if not raw:
            notes.append(f"{outcome}: does not vary (or is undefined) across the design")
            continue
        boot: dict[str, list] = {k: [] for k in raw}
        for _ in range(n_boot):
            b = indices([rng.choice(idx, size=len(idx), replace=True) for idx in by_point])
            for k, v in b.items():
                boot[k].append(v)
        for k, value in raw.items():
            draws = np.array(boot[k]) if boot[k] else np.full((1, len(names)), np.nan)
            with warnings.catch_warnings():  # all-NaN columns: the index is undefined
                warnings.simplefilter("ignore", RuntimeWarning)
                q_low, q_high = np.nanpercentile(draws, [2.5, 97.5], axis=0)
                shift = np.nanmean(draws, axis=0) - value
            for i, name in enumerate(names):
                rows.append(
                    {
                        "outcome": outcome,
                        "factor": name,
                        "index": k,
                        "estimate": float(value[i]),
                        "low": float(q_low[i] - shift[i]),
                        "high": float(q_high[i] - shift[i]),
                        "bootstrap_shift": float(shift[i]),
                        "method": analysis.method,
                    }
                )
    if rows:
        frame = pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
        frame.attrs["notes"] = notes
    return frame


def _indices(
    analysis: Sensitivity,
    problem: dict,
    units: np.ndarray,
    y: np.ndarray,
    seed: int,
    spec: SweepSpec,
):
    """``analysis``'s indices for per-point outcomes ``y`` ({} if SALib cannot give them)."""
    # record=True: SALib resets the warning filters inside analyze(), so "ignore" would not hold.
    with (
        warnings.catch_warnings(record=True),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        try:
            out = analysis.compute(problem, units, y, seed, spec)
        except (ValueError, RuntimeError, ZeroDivisionError, IndexError):
            return {}
    out = {k: np.asarray(v, dtype=float) for k, v in out.items()}
    return out if all(np.isfinite(v).any() for v in out.values()) else {}


@dataclass(frozen=True, slots=True)
class DiscoveryBox:
    """A PRIM box: where in factor space a mission's target is likely to be met."""

    mission: str
    limits: pd.DataFrame
    """Restricted factors: ``low``/``high`` (ranges) or ``values`` (lists)."""
    coverage: float
    density: float
    mass: float
    base_rate: float
    runs: int

    def to_dict(self) -> dict:
        """The box as plain data (what ``report/discovery.json`` holds for one mission).

        Returns:
            ``limits`` maps each restricted factor to ``{"low", "high"}`` (a range) or
            ``{"values"}`` (the categories kept); then ``coverage``, ``density``, ``mass``,
            ``base_rate`` (share of all assessed runs that met the target) and ``runs``.
        """
        limits = {}
        for row in self.limits.to_dict("records"):
            if isinstance(row["values"], list | tuple):
                limits[row["factor"]] = {"values": [str(v) for v in row["values"]]}
            else:
                limits[row["factor"]] = {"low": float(row["low"]), "high": float(row["high"])}
        return {
            "limits": limits,
            "coverage": self.coverage,
            "density": self.density,
            "mass": self.mass,
            "base_rate": self.base_rate,
            "runs": self.runs,
        }


def discover(results: Results, mission: str) -> DiscoveryBox | None:
    """PRIM scenario discovery for ``mission``'s target being met (None if PRIM cannot run)."""
    with warnings.catch_warnings():  # ema_workbench warns about optional ipyparallel
        warnings.simplefilter("ignore", UserWarning)
        from ema_workbench.analysis import prim

    runs = _ok(results)
    column = mission_column(mission, "met")
    runs = runs[runs[column].notna()] if column in runs else runs.iloc[0:0]
    names = [f["name"] for f in factors(results)]
    y = runs[column].to_numpy(dtype=bool) if len(runs) else np.zeros(0, bool)
    if len(runs) < 10 or y.all() or not y.any():
        return None
    x = runs[names].copy()
    for f in factors(results):
        if f["values"] is not None and not all(isinstance(v, int | float) for v in f["values"]):
            x[f["name"]] = x[f["name"]].astype("category")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        algorithm = prim.Prim(x, y, peel_alpha=0.1)
        box = algorithm.find_box()
    trajectory = box.peeling_trajectory
    eligible = trajectory[trajectory["coverage"] >= 0.5]
    choice = int(eligible["density"].idxmax()) if len(eligible) else 0
    limits = box.box_lims[choice]
    initial = box.box_lims[0]
    rows = []
    for name in names:
        lo, hi = limits[name].iloc[0], limits[name].iloc[1]
        lo0, hi0 = initial[name].iloc[0], initial[name].iloc[1]
        if isinstance(lo, set):
            if lo != lo0:
                rows.append(
                    {"factor": name, "low": np.nan, "high": np.nan, "values": sorted(map(str, lo))}
                )
        elif lo != lo0 or hi != hi0:
            rows.append({"factor": name, "low": float(lo), "high": float(hi), "values": None})
    stats = trajectory.loc[choice]
    return DiscoveryBox(
        mission,
        pd.DataFrame(rows),
        float(stats["coverage"]),
        float(stats["density"]),
        float(stats["mass"]),
        float(y.mean()),
        len(y),
    )


def success_by_region(results: Results, mission: str) -> pd.DataFrame:
    """P(target met) in each third of every range factor and at each list value."""
    runs = _ok(results)
    column = mission_column(mission, "met")
    if column not in runs:
        return pd.DataFrame()
    runs = runs[runs[column].notna()]
    rows = []
    for f in factors(results):
        name = f["name"]
        if f["values"] is None:
            edges = np.linspace(f["low"], f["high"], 4)
            region = pd.cut(
                runs[name],
                edges,
                include_lowest=True,
                labels=["low third", "middle third", "high third"],
            )
            labels = [f"{a:.3g}–{b:.3g}" for a, b in itertools.pairwise(edges)]
            mapping = dict(zip(["low third", "middle third", "high third"], labels, strict=True))
        else:
            region = runs[name]
            mapping = None
        for value, group in runs.groupby(region, observed=True):
            k, n = int(group[column].sum()), len(group)
            low, high = wilson_interval(k, n)
            rows.append(
                {
                    "mission": mission,
                    "factor": name,
                    "region": mapping[value] if mapping else str(value),
                    "runs": n,
                    "p_met": k / n if n else np.nan,
                    "low": low,
                    "high": high,
                }
            )
    return pd.DataFrame(rows)
