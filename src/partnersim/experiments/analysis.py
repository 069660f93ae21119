"""Analysis of a sweep folder: sensitivity indices, scenario discovery, success by lever region.

* **Sensitivity** (:func:`sensitivity`): for Sobol designs, first- and total-order Sobol'
  indices (SALib ``sobol.analyze``); for Morris designs, μ* and σ (``morris.analyze``); for
  LHS and grid designs, the moment-independent δ and first-order S1 of SALib's ``delta``
  method, which accepts any sample; for list designs, none. Each outcome is averaged over the
  replications at a design point; confidence intervals come from a bootstrap over replications
  (each bootstrap draws, at every point, replications with replacement and recomputes the
  indices), re-centred on the estimate; for δ they also hold SALib's own resampling noise, and
  every SALib call is seeded, so a report is reproducible. Designs too small or incomplete for
  their method get a note instead. Which method applies, and how many points it needs, is each
  design's entry in :data:`partnersim.experiments.sweep.designs.TABLE`.
  Estimates and intervals are clipped to each index's domain, and checks that say when they
  cannot be trusted go with them (``attrs["checks"]``).
* **Scenario discovery** lives in :mod:`partnersim.experiments.discovery` (PRIM and CART for
  any condition on any outcome); :func:`discover`, PRIM's box for a mission's target met, is
  re-exported here.
* **Seed noise** lives in :mod:`partnersim.experiments.seeds`.
* **Success by region** (:func:`success_by_region`): the probability of meeting each target
  (Wilson 95 % interval) in each third of every range factor and at each value of every list
  factor.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from partnersim.experiments.discovery import DiscoveryBox, discover, factor_kind
from partnersim.results import Results
from partnersim.runs.outcomes import OUTCOMES as DECLARED
from partnersim.runs.outcomes import mission_column
from partnersim.runs.summary import wilson_interval

if TYPE_CHECKING:
    from collections.abc import Iterator

    from partnersim.experiments.sweep.designs import Sensitivity
    from partnersim.experiments.sweep.spec import SweepSpec

__all__ = [
    "DOMAINS",
    "OUTCOMES",
    "SENSITIVITY_COLUMNS",
    "DiscoveryBox",
    "discover",
    "factors",
    "index_unit",
    "salib_indices",
    "sensitivity",
    "success_by_region",
]

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
    "unit",
    "raw_estimate",
    "raw_low",
    "raw_high",
)
"""Columns of :func:`sensitivity`'s table (also when it is empty)."""

DOMAINS = {
    "S1": (0.0, 1.0),
    "ST": (0.0, 1.0),
    "delta": (0.0, 1.0),
    "mu_star": (0.0, np.inf),
    "sigma": (0.0, np.inf),
}
"""The values each index can take: estimates and intervals are clipped to them."""

SMALL = {"Sobol'": 256, "Morris": 10, "delta (moment-independent)": 100}
"""Below these sizes (Sobol' base sample N, Morris trajectories, δ design points) the indices'
sampling error — which the replication bootstrap does not show — is commonly large."""


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the enclosed code with one BLAS thread.

    SALib's δ fits a Gaussian KDE per class of every factor (scipy's ``gaussian_kde``), each
    a few tiny triangular solves in OpenBLAS. With OpenBLAS's default of one thread per core,
    every solve synchronises threads; on a busy machine each then waits for a core, and on a
    shared 2-core machine (load 4) one ``delta.analyze`` call on the 64-point ``levers_lhs``
    sweep took 1.06 s on average (up to 4.7 s) instead of 0.11 s. The numbers are the same;
    only the waiting goes.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def index_unit(index: str, outcome: str) -> str:
    """The unit of a sensitivity index of ``outcome``.

    Sobol' and δ indices are shares (0–1, no unit); Morris μ* and σ are elementary effects: the
    outcome's change, in its unit, per full swept range of the factor.
    """
    from partnersim.runs.outcomes import OUTCOME_INDEX

    if index in ("mu_star", "sigma"):
        unit = OUTCOME_INDEX[outcome].unit if outcome in OUTCOME_INDEX else "outcome units"
        return f"{unit} per swept range"
    if index == "delta":
        return "0–1, moment-independent"
    return "share of variance, 0–1"


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

    SALib's δ method resamples internally as well: δ is bias-reduced over resamples of the
    design points and its S1 is computed on a resample drawn with replacement. Each bootstrap
    draw gets fresh SALib resamples, so a δ-method interval holds that estimator noise as
    well as replication noise. Every SALib call is seeded from ``seed`` (SALib ignores a seed
    of 0), so the same sweep and seed give the same table. SALib runs with one BLAS thread
    (:func:`one_blas_thread`), which changes its speed, not its numbers.

    Estimates and intervals are clipped to each index's domain (:data:`DOMAINS`: Sobol' and
    δ indices in [0, 1], μ* and σ at least 0) and the interval always holds the estimate;
    SALib's own values are kept as ``raw_estimate``, ``raw_low`` and ``raw_high``.

    Returns:
        One row per (outcome, factor, index): ``estimate``, ``low``, ``high``,
        ``bootstrap_shift``, ``method``, ``unit`` (:func:`index_unit`) and the raw values.
        ``frame.attrs["notes"]`` says why indices were not computed, if any were not;
        ``frame.attrs["checks"]`` lists what should make a reader wary of those that were
        (negative indices, S1 above ST beyond error, a small design, one seed per point);
        ``frame.attrs["n_boot"]`` is the number of bootstrap draws.
    """
    from partnersim.experiments.sweep.designs import TABLE, salib_problem
    from partnersim.experiments.sweep.execute import load_spec
    from partnersim.experiments.sweep.spec import SweepError

    try:
        spec = load_spec(results.path)
    except SweepError as exc:
        frame = pd.DataFrame(columns=SENSITIVITY_COLUMNS)
        frame.attrs.update(notes=[f"the sweep's design cannot be read back ({exc})"], checks=[])
        return frame
    names = [f.name for f in spec.factors]
    # SALib reserves some name suffixes (e.g. "_step"); it sees neutral aliases.
    problem = {**salib_problem(spec), "names": [f"x{i}" for i in range(len(names))]}
    runs = _ok(results)
    design = TABLE[spec.design]
    analysis = design.sensitivity
    notes: list[str] = []
    frame = pd.DataFrame(columns=SENSITIVITY_COLUMNS)
    frame.attrs["notes"] = notes
    frame.attrs["checks"] = []
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
    # SALib seeds its own resampling only for a truthy seed (``if seed:``), so 0 left δ and its
    # S1 to NumPy's unseeded global state and the report changed from run to run. Every SALib
    # call gets a non-zero seed drawn from a stream of its own (the replication draws below
    # are unchanged): the estimate one, each bootstrap draw a fresh one.
    seed_stream = np.random.default_rng([seed, 1])

    def salib_seed() -> int:
        return int(seed_stream.integers(1, 2**31 - 1))

    point_of_run = runs["point"].to_numpy()
    by_point = [np.flatnonzero(point_of_run == p) for p in points]
    rows = []
    # SALib is many small BLAS calls (a KDE per class); see one_blas_thread.
    with one_blas_thread():
        for outcome in outcomes:
            if outcome not in runs:
                continue
            values = runs[outcome].to_numpy(dtype=float)

            def indices(
                sample: list[np.ndarray], call_seed: int, values: np.ndarray = values
            ) -> dict:
                y = np.array([values[i].mean() for i in sample])
                if not np.all(np.isfinite(y)) or np.std(y) == 0:
                    return {}
                return salib_indices(analysis, problem, units, y, call_seed, spec)

            raw = indices(by_point, salib_seed())
            if not raw:
                notes.append(f"{outcome}: does not vary (or is undefined) across the design")
                continue
            boot: dict[str, list] = {k: [] for k in raw}
            for _ in range(n_boot):
                b = indices(
                    [rng.choice(idx, size=len(idx), replace=True) for idx in by_point],
                    salib_seed(),
                )
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
        frame = _clipped(pd.DataFrame(rows))
        frame.attrs["notes"] = notes
        frame.attrs["checks"] = _checks(frame, spec, runs)
        frame.attrs["n_boot"] = n_boot
    return frame


def _clipped(frame: pd.DataFrame) -> pd.DataFrame:
    """Estimates and intervals inside each index's domain, the interval holding the estimate."""
    frame = frame.rename(columns={"estimate": "raw_estimate", "low": "raw_low", "high": "raw_high"})
    low_bound = frame["index"].map(lambda k: DOMAINS.get(k, (-np.inf, np.inf))[0])
    high_bound = frame["index"].map(lambda k: DOMAINS.get(k, (-np.inf, np.inf))[1])
    estimate = frame["raw_estimate"].clip(low_bound, high_bound)
    frame["estimate"] = estimate
    frame["low"] = np.fmin(frame["raw_low"].clip(low_bound, high_bound), estimate)
    frame["high"] = np.fmax(frame["raw_high"].clip(low_bound, high_bound), estimate)
    frame["unit"] = [
        index_unit(k, o) for k, o in zip(frame["index"], frame["outcome"], strict=True)
    ]
    return frame[list(SENSITIVITY_COLUMNS)]


def _checks(frame: pd.DataFrame, spec: SweepSpec, runs: pd.DataFrame) -> list[str]:
    """Plain notes on indices that cannot be right, or cannot be trusted, as computed."""
    from partnersim.experiments.sweep.designs import TABLE

    out = []
    method = frame["method"].iloc[0]
    design = TABLE[spec.design]
    size = spec.samples if design.uses_samples else runs["point"].nunique()
    what = {"Sobol'": "base sample N", "Morris": "trajectories"}.get(method, "design points")
    resampling = " (and SALib's own resampling)" if method.startswith("delta") else ""
    if method in SMALL and size < SMALL[method]:
        out.append(
            f"small design: {size} {what} (below {SMALL[method]}). The intervals show only "
            f"how replication noise{resampling} moves the indices, not the sampling error of a "
            "design this small, which can be larger than the indices themselves"
        )
    reps = runs.groupby("point").size()
    if len(reps) and reps.max() < 2:
        out.append(
            "one seed per design point: the bootstrap has nothing to resample, so the intervals "
            "have zero width. That is not certainty; seed noise is inside every index"
        )
    negative = frame[(frame["raw_estimate"] < 0) & frame["index"].isin(["S1", "ST", "delta"])]
    for (outcome, index), group in negative.groupby(["outcome", "index"], sort=False):
        values = ", ".join(f"{r.factor} {r.raw_estimate:.3f}" for r in group.itertuples())
        out.append(
            f"{outcome}: {index} came out negative ({values}); a share of variance cannot be "
            "negative, so this is estimation error (shown as 0)"
        )
    if {"S1", "ST"} <= set(frame["index"]):
        wide = frame.pivot_table(
            index=["outcome", "factor"], columns="index", values=["raw_low", "raw_high"]
        )
        est = frame.pivot_table(index=["outcome", "factor"], columns="index", values="raw_estimate")
        for (outcome, factor), row in est.iterrows():
            s1_low = wide.loc[(outcome, factor), ("raw_low", "S1")]
            st_high = wide.loc[(outcome, factor), ("raw_high", "ST")]
            if row["S1"] > row["ST"] and s1_low > st_high:
                out.append(
                    f"{outcome}: S1 of {factor} ({row['S1']:.3f}) exceeds its ST "
                    f"({row['ST']:.3f}) beyond their intervals; a factor cannot explain more "
                    "alone than with its interactions, so the design is too small for it"
                )
    return out


def salib_indices(
    analysis: Sensitivity,
    problem: dict,
    units: np.ndarray,
    y: np.ndarray,
    seed: int,
    spec: SweepSpec,
) -> dict[str, np.ndarray]:
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
                    "kind": factor_kind(name),
                    "region": mapping[value] if mapping else str(value),
                    "runs": n,
                    "p_met": k / n if n else np.nan,
                    "low": low,
                    "high": high,
                }
            )
    return pd.DataFrame(rows)
