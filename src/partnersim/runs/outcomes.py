"""Outcomes, declared once: every scalar a run is summarised by, with its label, unit and direction.

An :class:`Outcome` says what a run's result is called (the results column), how a reader
should read it (label, unit) and whether larger or smaller is better (its
:class:`Direction`, which EMA Workbench's optimisers and the robustness metrics use), and how
it is reduced from the run's time series. Everything downstream reads :data:`OUTCOMES`: the
run summary (:func:`summarise`, the columns of ``summary.parquet`` and of a sweep's runs),
the across-seed headline table, the sweep report's default outcomes, the dashboard's labels
and tables, the CLI tables and the EMA bridge. Nothing redeclares them.

Per-mission outcomes are generated from the mission declarations (``data/missions.toml``) by
one rule, :func:`mission_outcomes`; their column names come from :func:`mission_column`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

import numpy as np
import pandas as pd

from partnersim import data

YES_NO = "1 = yes, 0 = no"


class Direction(StrEnum):
    """Which way an outcome is better."""

    MAXIMISE = "maximise"
    """Larger is better."""
    MINIMISE = "minimise"
    """Smaller is better."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A scalar result of a run.

    Attributes:
        name: the results column (one spelling everywhere).
        label: a short human label for tables, axes and the dashboard.
        unit: the unit of the value, in words (``£bn``, ``share``, a mission's unit, ...).
        direction: whether larger or smaller is better.
        reduce: how the value is computed from a run's time series.
        group: ``missions``, ``partnership``, ``fiscal`` or ``places``.
        headline: shown in the across-seed headline table beside the missions.
        sensitivity: analysed by default in a sweep's sensitivity report.
        mission: the mission it belongs to, if any.
    """

    name: str
    label: str
    unit: str
    direction: Direction
    reduce: Callable[[RunFrame], float]
    group: str = "partnership"
    headline: bool = False
    sensitivity: bool = False
    mission: str | None = None

    @property
    def larger_is_better(self) -> bool:
        """Whether larger values are better."""
        return self.direction is Direction.MAXIMISE


class RunFrame:
    """A run's time series with the reductions several outcomes share, computed once.

    Args:
        frame: one row per recorded step (``step`` and every metric), as a run records it.
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.last = int(frame["step"].iloc[-1])
        self.final = frame.iloc[-1]
        self.after = frame.iloc[1:] if len(frame) > 1 else frame
        """Every quarter after the starting state (flows are undefined at step 0)."""
        self._levels: dict[str, np.ndarray] = {}

    def assessed(self, mission: data.Mission, step: int) -> float:
        """A mission's level as assessed at ``step`` (see :func:`assessed_level`)."""
        column = self._levels.get(mission.name)
        if column is None:  # read the column once: first_met_step assesses every step
            column = self._levels[mission.name] = self.frame[f"{mission.name}_level"].to_numpy()
        return _assessed(column, mission, step)

    def met_at_deadline(self, mission: data.Mission) -> float:
        """1 if the assessed level meets the target at the deadline, else 0 (NaN: run too short)."""
        level = self.assessed(mission, mission.deadline_step)
        return float(mission.meets(level)) if not np.isnan(level) else float("nan")

    def first_met_step(self, mission: data.Mission) -> float:
        """First step at which the assessed level meets the target (NaN if never)."""
        levels = np.array([self.assessed(mission, s) for s in range(1, self.last + 1)])
        hits = np.flatnonzero(mission.meets(levels)) if len(levels) else np.array([], dtype=int)
        return float(hits[0] + 1) if len(hits) else float("nan")

    def final_value(self, column: str) -> float:
        """A metric's value at the end of the run."""
        return float(self.final[column])

    @cached_property
    def gap_closed(self) -> float:
        """Mean over missions of the share of each gap closed by the end of the run."""
        return float(np.mean([self.final_value(f"{m.name}_gap_closed") for m in data.missions()]))

    @cached_property
    def missions_met(self) -> float:
        """Missions meeting their target by their deadline (runs ending before one count 0)."""
        met = [self.met_at_deadline(m) for m in data.missions()]
        return float(sum(0.0 if np.isnan(x) else x for x in met))


def assessed_level(frame: pd.DataFrame, mission: data.Mission, step: int) -> float:
    """A mission's level as assessed at ``step``: the mean over its assessment window.

    Annual statistics (growth, generation share, offences in a year) are the mean of the
    four quarters ending at ``step``; snapshot statistics (RTT, a school-year cohort) the
    level at ``step``. NaN when the run ended before ``step``.
    """
    return _assessed(frame[f"{mission.name}_level"].to_numpy(), mission, step)


def _assessed(column: np.ndarray, mission: data.Mission, step: int) -> float:
    if step >= len(column) or step < 0:
        return float("nan")
    first = max(step - mission.assessed_over_quarters + 1, 1 if step >= 1 else 0)
    return float(column[first : step + 1].mean())


# -- per-mission outcomes: one rule for every mission ---------------------------------------------

MISSION_KINDS = (
    "met",
    "level_at_deadline",
    "met_step",
    "gap_closed_final",
    "level_final",
    "regional_gap_final",
)
"""The outcomes every mission has, in column order (milestones follow)."""


def mission_column(mission: str, kind: str) -> str:
    """The results column of a mission's outcome ``kind`` (one of :data:`MISSION_KINDS`).

    Raises:
        ValueError: ``kind`` is not a declared mission outcome.
    """
    if kind not in MISSION_KINDS:
        raise ValueError(f"{kind!r} is not a mission outcome; one of {', '.join(MISSION_KINDS)}")
    return f"{mission}_{kind}"


def milestone_column(mission: str, index: int) -> str:
    """Results column of a mission's ``index``-th milestone (0-based).

    ``nhs_milestone_met`` for the first, then ``nhs_milestone2_met``, and so on.
    """
    return f"{mission}_milestone_met" if index == 0 else f"{mission}_milestone{index + 1}_met"


def _better(m: data.Mission) -> Direction:
    return Direction.MAXIMISE if m.higher_is_better else Direction.MINIMISE


def _milestone(m: data.Mission, index: int) -> Outcome:
    milestone = m.milestones[index]

    def reduce(rf: RunFrame) -> float:
        value = rf.assessed(m, milestone.deadline_step)
        return float(m.meets(value, milestone.target)) if not np.isnan(value) else float("nan")

    sign = "≥" if m.higher_is_better else "≤"
    return Outcome(
        milestone_column(m.name, index),
        f"{m.label}: milestone {sign} {milestone.target:g} {m.unit} by {milestone.deadline} met",
        YES_NO,
        Direction.MAXIMISE,
        reduce,
        "missions",
        mission=m.name,
    )


def mission_outcomes(m: data.Mission) -> tuple[Outcome, ...]:
    """The outcomes of one mission (the rule every mission follows).

    ``met`` (1/0 at the deadline; NaN if the run ends before it), ``level_at_deadline`` (as
    assessed there), ``met_step`` (first step the assessed level meets the target),
    ``gap_closed_final`` and ``level_final`` (at the end of the run), then one ``milestone…_met``
    per interim target.
    """
    column = {kind: mission_column(m.name, kind) for kind in MISSION_KINDS}
    out = (
        Outcome(
            column["met"],
            f"{m.label}: target met by {m.target_deadline}",
            YES_NO,
            Direction.MAXIMISE,
            lambda rf: rf.met_at_deadline(m),
            "missions",
            mission=m.name,
        ),
        Outcome(
            column["level_at_deadline"],
            f"{m.label}: {m.indicator} at {m.target_deadline}",
            m.unit,
            _better(m),
            lambda rf: rf.assessed(m, m.deadline_step),
            "missions",
            sensitivity=True,
            mission=m.name,
        ),
        Outcome(
            column["met_step"],
            f"{m.label}: first quarter the target is met",
            "step, quarters from the start",
            Direction.MINIMISE,
            lambda rf: rf.first_met_step(m),
            "missions",
            mission=m.name,
        ),
        Outcome(
            column["gap_closed_final"],
            f"{m.label}: share of the gap to target closed (end of run)",
            "share",
            Direction.MAXIMISE,
            lambda rf: rf.final_value(f"{m.name}_gap_closed"),
            "missions",
            mission=m.name,
        ),
        Outcome(
            column["level_final"],
            f"{m.label}: {m.indicator} (end of run)",
            m.unit,
            _better(m),
            lambda rf: rf.final_value(f"{m.name}_level"),
            "missions",
            mission=m.name,
        ),
        Outcome(
            column["regional_gap_final"],
            f"{m.label}: best region minus worst region (end of run)",
            m.unit,
            Direction.MINIMISE,
            lambda rf: rf.final_value(f"{m.name}_regional_gap"),
            "places",
            mission=m.name,
        ),
    )
    return out + tuple(_milestone(m, i) for i in range(len(m.milestones)))


# -- whole-run outcomes ---------------------------------------------------------------------------


def _final(column: str) -> Callable[[RunFrame], float]:
    return lambda rf: rf.final_value(column)


def _mean(column: str) -> Callable[[RunFrame], float]:
    return lambda rf: float(rf.after[column].mean())


def _sum(column: str) -> Callable[[RunFrame], float]:
    return lambda rf: float(rf.after[column].sum())


MAX, MIN = Direction.MAXIMISE, Direction.MINIMISE

RUN_OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "missions_met",
        "Missions meeting their target",
        f"count, 0–{len(data.MISSIONS)}",
        MAX,
        lambda rf: rf.missions_met,
        "missions",
    ),
    Outcome(
        "mean_gap_closed",
        "Mean share of the gap to target closed (end of run)",
        "share",
        MAX,
        lambda rf: rf.gap_closed,
        "missions",
        sensitivity=True,
    ),
    Outcome(
        "private_investment_total",
        "Private mission investment",
        "£bn",
        MAX,
        _final("private_investment_cumulative"),
        headline=True,
        sensitivity=True,
    ),
    Outcome(
        "deal_public_finance_total",
        "Public finance committed to deals (co-investment + guarantee provisions)",
        "£bn",
        MIN,
        lambda rf: (
            float(rf.after["co_investment"].sum()) + float(rf.after["guarantee_provisions"].sum())
        ),
        "fiscal",
    ),
    Outcome(
        "deal_leverage",
        "Leverage per deal (private £ per public £ in backed projects)",
        "ratio",
        MAX,
        _final("deal_leverage_to_date"),
        headline=True,
        sensitivity=True,
    ),
    Outcome(
        "deal_additionality",
        "Additionality of deals (share of backed private £ that needed the deal)",
        "share",
        MAX,
        _final("deal_additionality_to_date"),
        headline=True,
    ),
    Outcome(
        "deal_deadweight_total",
        "Deadweight: backed private £ that would have been invested anyway",
        "£bn",
        MIN,
        lambda rf: float(rf.after["deal_deadweight"].sum()),
        "fiscal",
    ),
    Outcome(
        "business_participation_mean",
        "Business participation",
        "share",
        MAX,
        _mean("business_participation"),
    ),
    Outcome(
        "union_cooperation_mean",
        "Union cooperation",
        "share",
        MAX,
        _mean("union_cooperation"),
        headline=True,
    ),
    Outcome(
        "dispute_quarters",
        "Union disputes, summed over quarters",
        "union-quarters",
        MIN,
        _sum("disputes"),
    ),
    Outcome(
        "mean_trust_final", "Mean trust (end)", "0–1", MAX, _final("mean_trust"), headline=True
    ),
    Outcome(
        "cross_silo_tie_share_final",
        "Ministry pairs working together (end)",
        "share",
        MAX,
        _final("cross_silo_tie_share"),
        headline=True,
        sensitivity=True,
    ),
    Outcome(
        "cross_sector_ties_final",
        "Active Centre ties with firms, unions and councils (end)",
        "ties",
        MAX,
        _final("cross_sector_ties"),
    ),
    Outcome(
        "network_modularity_final",
        "Trust-weighted modularity over mission silos (end)",
        "Q",
        MIN,
        _final("network_modularity"),
    ),
    Outcome(
        "leakage_mean",
        "Share of programme money diverted (mean over quarters)",
        "share",
        MIN,
        _mean("leakage"),
        "fiscal",
    ),
    Outcome(
        "levers_withdrawn_final",
        "Levers withdrawn at fiscal events (end)",
        "levers",
        MIN,
        _final("levers_withdrawn"),
    ),
    Outcome(
        "public_spend_total",
        "Public mission spend (the budget envelope spent)",
        "£bn",
        MIN,
        _sum("public_spend"),
        "fiscal",
    ),
    Outcome(
        "guarantee_payouts_total",
        "Guarantee payouts on failed backed projects",
        "£bn",
        MIN,
        _sum("guarantee_payouts"),
        "fiscal",
        headline=True,
    ),
    Outcome(
        "compensation_total",
        "Compensation for cancelled backed projects",
        "£bn",
        MIN,
        _sum("compensation"),
        "fiscal",
    ),
    Outcome(
        "public_returns_total",
        "Public returns (reward receipts and co-investment gains)",
        "£bn",
        MAX,
        _sum("public_returns"),
        "fiscal",
        headline=True,
    ),
    Outcome(
        "co_investment_losses_total",
        "Losses on public co-investment",
        "£bn",
        MIN,
        _sum("co_investment_losses"),
        "fiscal",
    ),
    Outcome(
        "tax_effect_total",
        "Receipts from output above the status-quo baseline trend",
        "£bn",
        MAX,
        _sum("tax_effect"),
        "fiscal",
    ),
    Outcome(
        "net_fiscal_cost_total",
        "Net fiscal cost against the baseline trend (compare scenarios by their difference)",
        "£bn",
        MIN,
        _final("net_fiscal_cost_to_date"),
        "fiscal",
        sensitivity=True,
    ),
    Outcome(
        "spending_per_head_ratio_mean",
        "Mission money per resident, highest region ÷ lowest (mean over quarters)",
        "ratio",
        MIN,
        _mean("spending_per_head_ratio"),
        "places",
        headline=True,
    ),
)
"""Whole-run outcomes, after the per-mission ones."""

OUTCOMES: tuple[Outcome, ...] = (
    *(o for m in data.missions() for o in mission_outcomes(m)),
    *RUN_OUTCOMES,
)
"""Every outcome, in results-column order."""

OUTCOME_INDEX: dict[str, Outcome] = {o.name: o for o in OUTCOMES}
"""Every outcome by name."""

HEADLINES: tuple[Outcome, ...] = tuple(o for o in OUTCOMES if o.headline)
"""The partnership and fiscal outcomes shown beside the missions."""


def outcome_names() -> tuple[str, ...]:
    """Every outcome's name, in results-column order."""
    return tuple(OUTCOME_INDEX)


def summarise(frame: pd.DataFrame) -> dict[str, float]:
    """Every outcome of a run, reduced from its time series (one row per recorded step)."""
    rf = RunFrame(frame)
    return {o.name: o.reduce(rf) for o in OUTCOMES}
