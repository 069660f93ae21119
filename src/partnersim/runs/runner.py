"""``run(scenario, seed)``: the one way to execute a model, returning tidy results.

A :class:`RunResult` holds the recorded time series (one row per quarter), a summary of
scalar outcomes (whether and when each mission met its target, private investment and
leverage, net public cost, trust, inequality, ...) and a manifest (scenario hash, seed,
package versions) that identifies the run. Summaries are computed from the time series alone,
so saved results can be summarised again without re-running.
"""

from __future__ import annotations

import functools
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from partnersim import data
from partnersim.schema.scenario import Scenario

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel


@dataclass(frozen=True, slots=True, eq=False)
class RunResult:
    """The outcome of one seeded run.

    Attributes:
        scenario: the scenario that was run.
        seed: the run's seed (the only source of randomness).
        timeseries: one row per recorded step: ``step``, ``quarter`` and every metric.
        summary: scalar outcomes of the run (see :func:`summarise`).
        manifest: scenario name and hash, seed, steps, package versions and timing.
        model: the model itself when ``keep_model=True``, else ``None``.
    """

    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame
    summary: dict[str, Any]
    manifest: dict[str, Any]
    model: PartnershipModel | None = field(default=None, repr=False)


def run(
    scenario: Scenario | str,
    seed: int,
    steps: int | None = None,
    *,
    keep_model: bool = False,
) -> RunResult:
    """Run a scenario once.

    Args:
        scenario: a :class:`Scenario` or the path of a scenario file.
        seed: non-negative integer seed; the same seed gives identical results.
        steps: quarters to simulate (default: the scenario's ``run.steps``).
        keep_model: keep the model in the result, to inspect agents and the network.

    Returns:
        The run's time series, summary and manifest.
    """
    from partnersim.model.partnership import PartnershipModel

    if not isinstance(scenario, Scenario):
        scenario = Scenario.from_toml(scenario)
    if steps is not None and steps != scenario.steps:
        scenario = scenario.evolve(steps=steps)
    seed = int(seed)
    started = datetime.now(UTC)
    model = PartnershipModel(scenario, rng=seed)
    while model.running:
        model.step()
    frame = model.recorder.to_frame()
    summary = summarise(frame)
    manifest = run_manifest(scenario, seed)
    manifest["started"] = started.isoformat(timespec="seconds")
    manifest["wall_seconds"] = round((datetime.now(UTC) - started).total_seconds(), 4)
    return RunResult(scenario, seed, frame, summary, manifest, model if keep_model else None)


def versions() -> dict[str, str]:
    """Versions of partnersim, Python and the packages that shape results."""
    return dict(_versions())


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:  # read once per process: installs do not change
    out = {"python": platform.python_version()}
    for package in ("partnersim", "mesa", "numpy", "scipy", "networkx", "pandas"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "unknown"
    return tuple(out.items())


def run_manifest(scenario: Scenario, seed: int | None = None) -> dict[str, Any]:
    """The identity of a run (or of a set of runs when ``seed`` is None)."""
    out: dict[str, Any] = {
        "scenario": scenario.name,
        "scenario_hash": scenario.content_hash,
        "scenario_file": str(scenario.path) if scenario.path else None,
        "steps": scenario.steps,
        "start_quarter": data.start_quarter(),
        "structural_parameters": data.structural_parameters().method,
        "versions": versions(),
    }
    if seed is not None:
        out["seed"] = seed
    return out


def assessed_level(frame: pd.DataFrame, mission: data.Mission, step: int) -> float:
    """A mission's level as assessed at ``step``: the mean over its assessment window.

    Annual statistics (growth, generation share, offences in a year) are the mean of the
    four quarters ending at ``step``; snapshot statistics (RTT, a school-year cohort) the
    level at ``step``. NaN when the run ended before ``step``.
    """
    column = frame[f"{mission.name}_level"].to_numpy()
    if step >= len(column) or step < 0:
        return float("nan")
    first = max(step - mission.assessed_over_quarters + 1, 1 if step >= 1 else 0)
    return float(column[first : step + 1].mean())


RUN_OUTCOMES = (
    "missions_met",
    "private_investment_total",
    "leverage",
    "business_participation_mean",
    "union_cooperation_mean",
    "dispute_quarters",
    "mean_trust_final",
    "cross_silo_tie_share_final",
    "cross_sector_ties_final",
    "network_modularity_final",
    "leakage_mean",
    "guarantee_payouts_total",
    "public_returns_total",
    "net_public_cost",
    "mean_gap_closed",
    "net_cost_per_point",
    "la_gini_final",
    "la_gini_change",
)
"""Whole-run scalar outcomes of :func:`summarise`, after the per-mission ones."""


def milestone_column(mission: str, index: int) -> str:
    """Summary column of a mission's ``index``-th milestone (0-based).

    ``nhs_milestone_met`` for the first, then ``nhs_milestone2_met``, and so on.
    """
    return f"{mission}_milestone_met" if index == 0 else f"{mission}_milestone{index + 1}_met"


def outcome_names() -> tuple[str, ...]:
    """Every scalar outcome :func:`summarise` returns, in order.

    The one declaration that EMA Workbench and other tools read.
    """
    names = []
    for m in data.missions():
        names += [f"{m.name}_{k}" for k in ("met", "level_at_deadline", "met_step")]
        names += [f"{m.name}_gap_closed", f"{m.name}_level_final"]
        names += [milestone_column(m.name, i) for i in range(len(m.milestones))]
    return (*names, *RUN_OUTCOMES)


def summarise(frame: pd.DataFrame) -> dict[str, Any]:
    """Scalar outcomes of a run from its time series.

    Per mission ``m``: ``m_met`` (1/0; NaN if the run ends before the deadline),
    ``m_level_at_deadline`` (as assessed), ``m_met_step`` (first step at which the assessed
    level meets the target, NaN if never), ``m_gap_closed`` (at the end). NHS also has
    ``nhs_milestone_met`` (65 % by March 2026). Partnership, fiscal and place outcomes follow.
    """
    out: dict[str, Any] = {}
    last = int(frame["step"].iloc[-1])
    met_count = 0.0
    for m in data.missions():
        deadline = m.deadline_step
        level = assessed_level(frame, m, deadline)
        met = float(m.meets(level)) if not np.isnan(level) else float("nan")
        levels = np.array([assessed_level(frame, m, s) for s in range(1, last + 1)])
        hits = np.flatnonzero(m.meets(levels)) if len(levels) else np.array([], dtype=int)
        out[f"{m.name}_met"] = met
        out[f"{m.name}_level_at_deadline"] = level
        out[f"{m.name}_met_step"] = float(hits[0] + 1) if len(hits) else float("nan")
        out[f"{m.name}_gap_closed"] = float(frame[f"{m.name}_gap_closed"].iloc[-1])
        out[f"{m.name}_level_final"] = float(frame[f"{m.name}_level"].iloc[-1])
        met_count += 0.0 if np.isnan(met) else met
        for i, milestone in enumerate(m.milestones):
            value = assessed_level(frame, m, milestone.deadline_step)
            key = milestone_column(m.name, i)
            out[key] = (
                float(m.meets(value, milestone.target)) if not np.isnan(value) else float("nan")
            )
    out["missions_met"] = met_count
    after = frame.iloc[1:] if len(frame) > 1 else frame
    final = frame.iloc[-1]
    gap_closed = np.mean([out[f"{m.name}_gap_closed"] for m in data.missions()])
    out.update(
        private_investment_total=float(final["private_investment_total"]),
        leverage=float(final["leverage"]),
        business_participation_mean=float(after["business_participation"].mean()),
        union_cooperation_mean=float(after["union_cooperation"].mean()),
        dispute_quarters=float(after["disputes"].sum()),
        mean_trust_final=float(final["mean_trust"]),
        cross_silo_tie_share_final=float(final["cross_silo_tie_share"]),
        cross_sector_ties_final=float(final["cross_sector_ties"]),
        network_modularity_final=float(final["network_modularity"]),
        leakage_mean=float(after["leakage"].mean()),
        guarantee_payouts_total=float(after["guarantee_payouts"].sum()),
        public_returns_total=float(after["public_returns"].sum()),
        net_public_cost=float(final["net_public_cost"]),
        mean_gap_closed=float(gap_closed),
        net_cost_per_point=(
            float(final["net_public_cost"] / (100.0 * gap_closed))
            if gap_closed > 0
            else float("nan")
        ),
        la_gini_final=float(final["la_gini"]),
        la_gini_change=float(final["la_gini"] - frame["la_gini"].iloc[0]),
    )
    return out


def derive_seeds(root: int, n: int) -> list[int]:
    """``n`` independent run seeds from a root seed (``numpy.random.SeedSequence.spawn``).

    Seeds are non-negative 63-bit integers, so they fit every integer column; the same root
    always gives the same seeds, in the same order.
    """
    children = np.random.SeedSequence(root).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
