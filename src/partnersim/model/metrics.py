"""Outcome metrics: one registry of named measurements, and the recorder that logs them.

Every metric of DESIGN §6 is a :class:`Metric` — a name (also the results column), a unit, a
description and a function of a :class:`Snapshot` of the model. A snapshot caches the few
intermediate arrays several metrics share (active trust weights, councils' average levels), so
recording every metric costs a handful of array passes. The recorder, the runner's summaries,
sweeps, plots and the dashboard all use this registry, so a metric is defined once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from partnersim.data import missions, quarter_of_step
from partnersim.model.agents.local_authority import regional_levels

if TYPE_CHECKING:
    import pandas as pd

    from partnersim.model.partnership import PartnershipModel


@dataclass(frozen=True, slots=True)
class Metric:
    """A quantity recorded every quarter (a column of a run's time series).

    Attributes:
        name: the time-series column; never the name of a run outcome or a parameter.
        unit: unit of the value.
        description: what it measures, in a phrase.
        fn: how it is read from a snapshot of the model.
        group: ``missions``, ``partnership``, ``governance``, ``fiscal`` or ``places``.
        flow: a per-quarter flow (undefined, so NaN, at step 0).
        share_chart: drawn among the partnership shares on the live page, with this label.
    """

    name: str
    unit: str
    description: str
    fn: Callable[[Snapshot], float]
    group: str = "partnership"
    flow: bool = False
    share_chart: str = ""


def _bn(x: float) -> float:
    return x / 1000.0


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


class Snapshot:
    """The model at one step, with the intermediate arrays metrics share computed once."""

    def __init__(self, model: PartnershipModel):
        self.model = model

    @cached_property
    def weights(self) -> np.ndarray:
        """Trust of every edge, zero where the tie is latent."""
        net = self.model.network
        return net.trust * net.active

    @cached_property
    def n_active(self) -> int:
        """Active ties."""
        return int(self.model.network.active.sum())

    @cached_property
    def mission_levels(self) -> np.ndarray:
        """Each mission's level in real units."""
        return self.model.capacity.real.copy()

    @cached_property
    def regional_gaps(self) -> np.ndarray:
        """Per mission, best-to-worst regional gap in real units (see :func:`regional_gaps`)."""
        return regional_gaps(self)


# -- metric functions (pure functions of a model, usable on their own) -------------------------


def mission_progress(model: PartnershipModel) -> np.ndarray:
    """Share of each mission's starting gap to its target closed so far (1 = target reached)."""
    return (model.engine.I - model.level0) / model.gap0


def business_participation(model: PartnershipModel) -> float:
    """Investment-capacity-weighted share of firms with an active mission project."""
    biz = model.population.businesses
    return _ratio(float(biz.capacity[biz.quarters_left > 0].sum()), float(biz.capacity.sum()))


def union_cooperation(model: PartnershipModel) -> float:
    """Member-weighted share of unions cooperating with the partnership."""
    uns = model.population.unions
    return _ratio(float(uns.members[uns.cooperating].sum()), float(uns.members.sum()))


def cross_silo_ties(model: PartnershipModel) -> int:
    """Active ministry–ministry ties."""
    return int(model.network.active[model.ties.ministry_pairs].sum())


def cross_silo_tie_share(model: PartnershipModel) -> float:
    """Share of ministry pairs with an active tie."""
    n = model.population.ministries.n
    return cross_silo_ties(model) / (n * (n - 1) / 2)


def cross_sector_ties(model: PartnershipModel) -> int:
    """Active ties the Centre holds with firms, unions and councils."""
    return int(model.network.active[model.network.cross_sector].sum())


def network_modularity(model: PartnershipModel, weights: np.ndarray | None = None) -> float:
    """Trust-weighted modularity of the active network over the mission-silo partition.

    Communities are the missions (each actor in its lead mission's silo), the councils and the
    Centre; high modularity means a siloed network.
    """
    net = model.network
    w = net.trust * net.active if weights is None else weights
    total = w.sum()
    if total <= 0:
        return float("nan")
    n_comm = int(net.community.max()) + 1
    inside = np.bincount(net.community_src, w * net.same_community, n_comm)
    degree = np.bincount(net.community_src, w, n_comm) + np.bincount(net.community_dst, w, n_comm)
    return float((inside / total - (degree / (2 * total)) ** 2).sum())


def deal_leverage(model: PartnershipModel) -> float:
    """Private £ in backed projects per public £ committed to them, run total.

    Public £ is co-investment plus guarantee provisions: leverage as public finance
    institutions report it (NaN before any deal).
    """
    t = model.ledger.totals
    public = t.get("coinvest", 0.0) + t.get("guarantee_cost", 0.0)
    return _ratio(t.get("backed_private", 0.0), public)


def deal_additionality(model: PartnershipModel) -> float:
    """Share of backed private capital that would not have been invested without its deal.

    Run total (NaN before any deal); 1 − it is the deadweight share.
    """
    t = model.ledger.totals
    return _ratio(t.get("additional_private", 0.0), t.get("backed_private", 0.0))


def regional_gaps(snap: Snapshot) -> np.ndarray:
    """Per mission, the gap between the best and the worst region, real units (≥ 0)."""
    las = snap.model.population.local_authorities
    if not las.n:
        return np.full(len(snap.model.missions), np.nan)
    levels = regional_levels(las)
    real = np.array(
        [m.to_real(levels[:, j]) for j, m in enumerate(snap.model.missions)], dtype=float
    )
    return np.nanmax(real, axis=1) - np.nanmin(real, axis=1)


def spending_per_head_ratio(model: PartnershipModel) -> float:
    """This quarter's mission money per resident, highest region ÷ lowest region."""
    spend = model.quarter.spend_per_head if model.quarter is not None else None
    if spend is None or not np.isfinite(spend).any():
        return float("nan")
    return _ratio(float(np.nanmax(spend)), float(np.nanmin(spend)))


# -- the registry -------------------------------------------------------------------------------


def _mission_block(snap: Snapshot) -> np.ndarray:
    """Level, gap closed, resourcing and capacity of every mission, in registry order."""
    model = snap.model
    out = np.empty((len(model.missions), 4))
    out[:, 0] = snap.mission_levels
    out[:, 1] = (model.engine.I - model.level0) / model.gap0
    out[:, 2] = model.quarter.delivery.resourcing if model.quarter is not None else np.nan
    out[:, 3] = model.capacity.capacity
    return out.ravel()


def _registry() -> tuple[Metric, ...]:
    """Every metric; the first four per mission are filled by :func:`_mission_block`."""
    out: list[Metric] = []
    for i, m in enumerate(missions()):
        out += [
            Metric(
                f"{m.name}_level",
                m.unit,
                f"{m.indicator} ({m.unit})",
                lambda s, i=i: float(s.mission_levels[i]),
                "missions",
            ),
            Metric(
                f"{m.name}_gap_closed",
                "share",
                f"{m.label}: share of the gap to target closed",
                lambda s, i=i: float((s.model.engine.I[i] - s.model.level0[i]) / s.model.gap0[i]),
                "missions",
            ),
            Metric(
                f"{m.name}_resourcing",
                "× status quo",
                f"{m.label}: drive (public and private contribution) relative to the status quo's",
                lambda s, i=i: float(s.model.quarter.delivery.resourcing[i]),
                "missions",
                flow=True,
            ),
            Metric(
                f"{m.name}_capacity",
                "× status quo",
                f"{m.label}: delivery capacity relative to the status quo's",
                lambda s, i=i: float(s.model.capacity.capacity[i]),
                "missions",
            ),
        ]

    def flow(name: str, scale: Callable[[float], float] = _bn) -> Callable[[Snapshot], float]:
        return lambda s: scale(getattr(s.model.ledger, name))

    def total(name: str) -> Callable[[Snapshot], float]:
        return lambda s: _bn(s.model.ledger.totals.get(name, 0.0))

    out += [
        Metric(
            "private_investment",
            "£bn/quarter",
            "Private investment committed to mission projects",
            flow("private"),
            flow=True,
        ),
        Metric(
            "private_investment_cumulative",
            "£bn",
            "Private mission investment committed so far",
            total("private"),
        ),
        Metric(
            "co_investment",
            "£bn/quarter",
            "Public co-investment in mission projects",
            flow("coinvest"),
            "fiscal",
            flow=True,
        ),
        Metric(
            "guarantee_provisions",
            "£bn/quarter",
            "Provision for the expected cost of guarantees given on new deals",
            flow("guarantee_cost"),
            "fiscal",
            flow=True,
        ),
        Metric(
            "deal_deadweight",
            "£bn/quarter",
            "Private capital in new backed projects that would have been invested anyway",
            lambda s: _bn(s.model.ledger.backed_private - s.model.ledger.additional_private),
            flow=True,
        ),
        Metric(
            "deal_leverage_to_date",
            "£ private per £ public",
            "Private £ in backed projects per public £ committed to them, so far",
            lambda s: deal_leverage(s.model),
        ),
        Metric(
            "deal_additionality_to_date",
            "share",
            "Share of backed private capital that would not have been invested without a deal",
            lambda s: deal_additionality(s.model),
        ),
        Metric(
            "business_participation",
            "share",
            "Capacity-weighted share of firms with an active mission project",
            lambda s: business_participation(s.model),
            share_chart="business participation",
        ),
        Metric(
            "projects_started",
            "projects/quarter",
            "Mission projects started",
            flow("projects_started", float),
            flow=True,
        ),
        Metric(
            "union_cooperation",
            "share",
            "Member-weighted share of unions cooperating",
            lambda s: union_cooperation(s.model),
            share_chart="union cooperation",
        ),
        Metric(
            "disputes",
            "unions",
            "Unions in dispute",
            lambda s: float((s.model.population.unions.dispute_left > 0).sum()),
        ),
        Metric(
            "mean_trust",
            "0–1",
            "Mean trust over active ties",
            lambda s: float(s.weights.sum() / s.n_active) if s.n_active else float("nan"),
            share_chart="mean trust",
        ),
        Metric(
            "cross_silo_ties",
            "ties",
            "Active ministry–ministry ties",
            lambda s: float(cross_silo_ties(s.model)),
        ),
        Metric(
            "cross_silo_tie_share",
            "share",
            "Share of ministry pairs with an active tie",
            lambda s: cross_silo_tie_share(s.model),
            share_chart="ministry pairs working together",
        ),
        Metric(
            "cross_sector_ties",
            "ties",
            "Active Centre ties with firms, unions and councils",
            lambda s: float(cross_sector_ties(s.model)),
        ),
        Metric(
            "network_modularity",
            "Q",
            "Trust-weighted modularity over mission silos",
            lambda s: network_modularity(s.model, s.weights),
        ),
        Metric(
            "brokered_ties",
            "ties/quarter",
            "Ties brokered by the Centre this quarter",
            flow("brokered", float),
            flow=True,
        ),
        Metric(
            "monitoring_quality_effective",
            "0–1",
            "Effective PPI monitoring quality q_m",
            lambda s: float(s.model.monitoring),
            "governance",
        ),
        Metric(
            "leakage",
            "share",
            "Share of programme money diverted (PPI P − C)",
            lambda s: _ratio(s.model.ledger.diverted, s.model.ledger.programme),
            "governance",
            flow=True,
        ),
        Metric(
            "capability_centre",
            "0–1",
            "Centre capability",
            lambda s: float(s.model.population.centre.capability),
            "governance",
        ),
        Metric(
            "capability_ministries",
            "0–1",
            "Mean ministry capability",
            lambda s: float(s.model.population.ministries.capability.mean()),
            "governance",
        ),
        Metric(
            "capability_councils",
            "0–1",
            "Mean council capability",
            lambda s: (
                float(s.model.population.local_authorities.capability.mean())
                if s.model.population.local_authorities.n
                else float("nan")
            ),
            "governance",
        ),
        Metric(
            "ministry_alignment",
            "0–1",
            "Mean ministry mission alignment",
            lambda s: float(s.model.population.ministries.alignment.mean()),
            "governance",
        ),
        Metric(
            "public_spend",
            "£bn/quarter",
            "Public mission spend (programmes, capability, coordination)",
            flow("public_spend"),
            "fiscal",
            flow=True,
        ),
        Metric(
            "guarantee_payouts",
            "£bn/quarter",
            "Losses borne under risk-sharing",
            flow("guarantee_payouts"),
            "fiscal",
            flow=True,
        ),
        Metric(
            "public_returns",
            "£bn/quarter",
            "Reward-share receipts and co-investment gains",
            lambda s: _bn(s.model.ledger.receipts + s.model.ledger.coinvest_gains),
            "fiscal",
            flow=True,
        ),
        Metric(
            "compensation",
            "£bn/quarter",
            "Compensation for cancelled backed projects",
            flow("compensation"),
            "fiscal",
            flow=True,
        ),
        Metric(
            "co_investment_losses",
            "£bn/quarter",
            "Losses on public co-investment",
            flow("coinvest_losses"),
            "fiscal",
            flow=True,
        ),
        Metric(
            "tax_effect",
            "£bn/quarter",
            "Receipts from output above the status-quo baseline trend",
            flow("tax_effect"),
            "fiscal",
            flow=True,
        ),
        Metric(
            "net_fiscal_cost",
            "£bn/quarter",
            "Spend + payouts + compensation + co-investment losses − gains − receipts − tax effect",
            flow("net_fiscal_cost"),
            "fiscal",
            flow=True,
        ),
        Metric(
            "net_fiscal_cost_to_date",
            "£bn",
            "Net fiscal cost so far",
            total("net_fiscal_cost"),
            "fiscal",
        ),
        Metric(
            "output",
            "£bn a year",
            "Output (GDP), following the growth indicator from 2024-25",
            lambda s: _bn(s.model.ledger.output),
            "fiscal",
        ),
        Metric(
            "levers_withdrawn",
            "levers",
            "Levers withdrawn at fiscal events so far",
            lambda s: float(len(s.model.withdrawn)),
            "governance",
        ),
        Metric(
            "spending_per_head_ratio",
            "ratio",
            "Mission money per resident, highest region ÷ lowest region",
            lambda s: spending_per_head_ratio(s.model),
            "places",
            flow=True,
        ),
    ]
    for j, m in enumerate(missions()):
        out.append(
            Metric(
                f"{m.name}_regional_gap",
                m.unit,
                f"{m.label}: best region minus worst region ({m.indicator})",
                lambda s, j=j: float(s.regional_gaps[j]),
                "places",
            )
        )
    return tuple(out)


METRICS: tuple[Metric, ...] = _registry()
"""Every recorded metric, in column order."""

METRIC_INDEX = {m.name: i for i, m in enumerate(METRICS)}

_N_MISSION = 4 * len(missions())
_REST = METRICS[_N_MISSION:]
_REST_STOCKS = [(i + _N_MISSION, m) for i, m in enumerate(_REST) if not m.flow]


class Recorder:
    """Records every metric at step 0 and after every step into one preallocated array."""

    def __init__(self, model: PartnershipModel, steps: int):
        self.values = np.full((steps + 1, len(METRICS)), np.nan)
        self.steps_recorded: list[int] = []
        self._stock_columns = [i for i, _ in _REST_STOCKS]

    def collect(self, model: PartnershipModel) -> None:
        """Record the model's current state as the row of its current step."""
        row = model.steps
        if row >= len(self.values):
            grow = np.full((row + 1 - len(self.values), len(METRICS)), np.nan)
            self.values = np.vstack([self.values, grow])
        snap = Snapshot(model)
        values = self.values[row]
        values[:_N_MISSION] = _mission_block(snap)
        if row == 0:  # flows are undefined before the first quarter
            values[2:_N_MISSION:4] = np.nan  # each mission's resourcing
            values[self._stock_columns] = [m.fn(snap) for _, m in _REST_STOCKS]
        else:
            values[_N_MISSION:] = [m.fn(snap) for m in _REST]
        self.steps_recorded.append(row)

    def column(self, name: str) -> np.ndarray:
        """Recorded values of one metric for steps 0..last."""
        return self.values[: self.steps_recorded[-1] + 1, METRIC_INDEX[name]]

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: one row per recorded step, one column per metric."""
        import pandas as pd

        steps = self.steps_recorded
        frame = pd.DataFrame(self.values[steps], columns=[m.name for m in METRICS])
        frame.insert(0, "quarter", [quarter_of_step(s) for s in steps])
        frame.insert(0, "step", steps)
        return frame

    def as_datacollector(self):
        """A read-only Mesa ``DataCollector`` holding the recorded model variables."""
        import mesa

        dc = mesa.DataCollector()
        # Declared so that Mesa's readers (get_model_vars_dataframe, SolaraViz plots) accept
        # the collector; values come from the recorder, never from these reporters.
        dc.model_reporters = {m.name: m.name for m in METRICS}
        dc.model_vars = {
            m.name: self.values[self.steps_recorded, i].tolist() for i, m in enumerate(METRICS)
        }
        dc._collection_steps = list(self.steps_recorded)
        return dc
