"""Outcome metrics: pure functions of a model, in one registry, and the recorder that logs them.

Every metric of DESIGN §6 is a :class:`Metric` — a name (also the results column), a unit, a
description and a function ``model -> float``. The recorder, the runner's summaries, sweeps,
plots and the dashboard all use this registry, so a metric is defined once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from partnersim.data import MISSIONS, missions, quarter_of_step
from partnersim.network import CROSS_SECTOR_TIES, TieType

if TYPE_CHECKING:
    import pandas as pd

    from partnersim.model import PartnershipModel


@dataclass(frozen=True, slots=True)
class Metric:
    """A recorded outcome."""

    name: str
    unit: str
    description: str
    fn: Callable[[PartnershipModel], float]
    group: str = "partnership"
    flow: bool = False
    """A per-quarter flow (undefined, so NaN, at step 0)."""


def _bn(x: float) -> float:
    return x / 1000.0


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


# -- mission metrics ---------------------------------------------------------------------------


def mission_level(model: PartnershipModel, i: int) -> float:
    """Mission ``i``'s headline indicator in real units."""
    return float(model.missions[i].to_real(model.engine.I[i]))


def mission_gap_closed(model: PartnershipModel, i: int) -> float:
    """Share of the starting gap to the target closed so far (1 = target reached)."""
    return float((model.engine.I[i] - model.level0[i]) / model.gap0[i])


def mission_growth_prob(model: PartnershipModel, i: int) -> float:
    """PPI growth probability γ of mission ``i`` this quarter."""
    return float(model.last.growth_prob[i]) if model.last is not None else float("nan")


# -- partnership metrics -------------------------------------------------------------------------


def business_participation(model: PartnershipModel) -> float:
    """Investment-capacity-weighted share of firms with an active mission project."""
    biz = model.population.businesses
    total = biz.capacity.sum()
    return _ratio(float(biz.capacity[biz.quarters_left > 0].sum()), float(total))


def union_cooperation(model: PartnershipModel) -> float:
    """Member-weighted share of unions cooperating with the partnership."""
    uns = model.population.unions
    return _ratio(float(uns.members[uns.cooperating].sum()), float(uns.members.sum()))


def mean_trust(model: PartnershipModel) -> float:
    """Mean trust over active ties."""
    net = model.network
    return float(net.trust[net.active].mean()) if net.active.any() else float("nan")


def cross_silo_ties(model: PartnershipModel) -> float:
    """Active ministry–ministry ties."""
    net = model.network
    return float((net.active & (net.tie == TieType.MINISTRY_MINISTRY)).sum())


def cross_silo_tie_share(model: PartnershipModel) -> float:
    """Share of ministry pairs with an active tie."""
    n = model.population.ministries.n
    return cross_silo_ties(model) / (n * (n - 1) / 2)


def cross_sector_ties(model: PartnershipModel) -> float:
    """Active ties the Centre holds with firms, unions and councils."""
    net = model.network
    return float((net.active & np.isin(net.tie, CROSS_SECTOR_TIES)).sum())


def network_modularity(model: PartnershipModel) -> float:
    """Trust-weighted modularity of the active network over the mission-silo partition.

    Communities are the missions (each actor in its lead mission's silo), the councils and the
    Centre; high modularity means a siloed network.
    """
    net = model.network
    w = net.trust * net.active
    total = w.sum()
    if total <= 0:
        return float("nan")
    c = net.community
    n_comm = int(c.max()) + 1
    inside = np.bincount(c[net.src], w * (c[net.src] == c[net.dst]), n_comm)
    degree = np.bincount(c[net.src], w, n_comm) + np.bincount(c[net.dst], w, n_comm)
    return float((inside / total - (degree / (2 * total)) ** 2).sum())


def la_gini(model: PartnershipModel, nation: int | None = None) -> float:
    """Population-weighted Gini of councils' mission-average local level (0 = equal)."""
    from partnersim.agents.local_authority import gini

    las = model.population.local_authorities
    if las.n == 0:
        return float("nan")
    mask = slice(None) if nation is None else las.nation == nation
    return gini(las.level[mask].mean(axis=1), las.population[mask])


def leverage(model: PartnershipModel) -> float:
    """Private £ committed to mission projects per public £ of project finance, run total."""
    t = model.ledger.totals
    public = t.get("coinvest", 0.0) + t.get("guarantee_cost", 0.0)
    return _ratio(t.get("private", 0.0), public)


def net_public_cost(model: PartnershipModel) -> float:
    """Run total, £bn: mission spend + guarantee payouts + co-investment losses − returns."""
    t = model.ledger.totals
    return _bn(
        t.get("public_spend", 0.0)
        + t.get("guarantee_payouts", 0.0)
        + t.get("coinvest_losses", 0.0)
        - t.get("coinvest_gains", 0.0)
        - t.get("receipts", 0.0)
    )


def _registry() -> tuple[Metric, ...]:
    out: list[Metric] = []
    for i, m in enumerate(missions()):
        out.append(
            Metric(
                f"{m.name}_level",
                m.unit,
                f"{m.indicator} ({m.unit})",
                lambda model, i=i: mission_level(model, i),
                "missions",
            )
        )
        out.append(
            Metric(
                f"{m.name}_gap_closed",
                "share",
                f"{m.label}: share of the gap to target closed",
                lambda model, i=i: mission_gap_closed(model, i),
                "missions",
            )
        )
        out.append(
            Metric(
                f"{m.name}_growth_prob",
                "probability",
                f"{m.label}: PPI growth probability",
                lambda model, i=i: mission_growth_prob(model, i),
                "missions",
                flow=True,
            )
        )

    def ledger(
        name: str, scale: Callable[[float], float] = _bn
    ) -> Callable[[PartnershipModel], float]:
        return lambda model: scale(getattr(model.ledger, name))

    def total(name: str) -> Callable[[PartnershipModel], float]:
        return lambda model: _bn(model.ledger.totals.get(name, 0.0))

    out += [
        Metric(
            "private_investment",
            "£bn/quarter",
            "Private investment committed to mission projects",
            ledger("private"),
            flow=True,
        ),
        Metric(
            "private_investment_total",
            "£bn",
            "Private mission investment committed so far",
            total("private"),
        ),
        Metric(
            "co_investment",
            "£bn/quarter",
            "Public co-investment in mission projects",
            ledger("coinvest"),
            "fiscal",
            flow=True,
        ),
        Metric(
            "leverage",
            "£ private per £ public",
            "Private per public £ of project finance (co-investment + expected guarantee cost)",
            leverage,
        ),
        Metric(
            "business_participation",
            "share",
            "Capacity-weighted share of firms with an active mission project",
            business_participation,
        ),
        Metric(
            "projects_started",
            "projects/quarter",
            "Mission projects started",
            ledger("projects_started", float),
            flow=True,
        ),
        Metric(
            "union_cooperation",
            "share",
            "Member-weighted share of unions cooperating",
            union_cooperation,
        ),
        Metric(
            "disputes",
            "unions",
            "Unions in dispute",
            lambda m: float((m.population.unions.dispute_left > 0).sum()),
        ),
        Metric("mean_trust", "0–1", "Mean trust over active ties", mean_trust),
        Metric("cross_silo_ties", "ties", "Active ministry–ministry ties", cross_silo_ties),
        Metric(
            "cross_silo_tie_share",
            "share",
            "Share of ministry pairs with an active tie",
            cross_silo_tie_share,
        ),
        Metric(
            "cross_sector_ties",
            "ties",
            "Active Centre ties with firms, unions and councils",
            cross_sector_ties,
        ),
        Metric(
            "network_modularity",
            "Q",
            "Trust-weighted modularity over mission silos",
            network_modularity,
        ),
        Metric(
            "brokered_ties",
            "ties/quarter",
            "Ties brokered by the Centre this quarter",
            ledger("brokered", float),
            flow=True,
        ),
        Metric(
            "monitoring_quality",
            "0–1",
            "Effective PPI monitoring quality q_m",
            lambda m: float(m.monitoring),
            "governance",
        ),
        Metric(
            "leakage",
            "share",
            "Share of programme money diverted (PPI P − C)",
            lambda m: _ratio(m.ledger.diverted, m.ledger.programme),
            "governance",
            flow=True,
        ),
        Metric(
            "capability_centre",
            "0–1",
            "Centre capability",
            lambda m: float(m.population.centre.capability),
            "governance",
        ),
        Metric(
            "capability_ministries",
            "0–1",
            "Mean ministry capability",
            lambda m: float(m.population.ministries.capability.mean()),
            "governance",
        ),
        Metric(
            "capability_councils",
            "0–1",
            "Mean council capability",
            lambda m: (
                float(m.population.local_authorities.capability.mean())
                if m.population.local_authorities.n
                else float("nan")
            ),
            "governance",
        ),
        Metric(
            "ministry_alignment",
            "0–1",
            "Mean ministry mission alignment",
            lambda m: float(m.population.ministries.alignment.mean()),
            "governance",
        ),
        Metric(
            "public_spend",
            "£bn/quarter",
            "Public mission spend (programmes, capability, coordination)",
            ledger("public_spend"),
            "fiscal",
            flow=True,
        ),
        Metric(
            "guarantee_payouts",
            "£bn/quarter",
            "Losses borne under risk-sharing",
            ledger("guarantee_payouts"),
            "fiscal",
            flow=True,
        ),
        Metric(
            "public_returns",
            "£bn/quarter",
            "Reward-share receipts and co-investment gains",
            lambda m: _bn(m.ledger.receipts + m.ledger.coinvest_gains),
            "fiscal",
            flow=True,
        ),
        Metric(
            "net_public_cost",
            "£bn",
            "Net public cost so far: spend + losses − returns",
            net_public_cost,
            "fiscal",
        ),
        Metric(
            "la_gini",
            "Gini",
            "Inequality of councils' mission-average local level",
            la_gini,
            "places",
        ),
    ]
    from partnersim.data import regions

    nations = tuple(dict.fromkeys(r.nation for r in regions()))
    for k, nation in enumerate(nations):
        key = nation.lower().replace(" ", "_")
        out.append(
            Metric(
                f"la_gini_{key}",
                "Gini",
                f"Inequality of local levels in {nation}",
                lambda m, k=k: la_gini(m, k),
                "places",
            )
        )
    return tuple(out)


METRICS: tuple[Metric, ...] = _registry()
"""Every recorded metric, in column order."""

METRIC_INDEX = {m.name: i for i, m in enumerate(METRICS)}


class Recorder:
    """Records every metric at step 0 and after every step into one preallocated array."""

    def __init__(self, model: PartnershipModel, steps: int):
        self.values = np.full((steps + 1, len(METRICS)), np.nan)
        self.steps_recorded: list[int] = []

    def collect(self, model: PartnershipModel) -> None:
        """Record the model's current state as the row of its current step."""
        row = model.steps
        if row >= len(self.values):
            grow = np.full((row + 1 - len(self.values), len(METRICS)), np.nan)
            self.values = np.vstack([self.values, grow])
        if row == 0:
            self.values[row] = [np.nan if m.flow else m.fn(model) for m in METRICS]
        else:
            self.values[row] = [m.fn(model) for m in METRICS]
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


MISSION_NAMES = MISSIONS
