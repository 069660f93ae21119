"""The Centre of government / Missions Unit: pools budgets, monitors, brokers ties.

Rules (each quarter, vectorised):

* **Budgeting and orchestration** (:func:`allocate_budgets`, DESIGN §5.1). Each ministry's
  mission programme envelope (its DEL × mission programme share ÷ 4, times this fiscal
  year's stop–go shock) first pays for capability investment. Of the rest, a share
  ``orchestration`` is pooled by the Centre unless the ministry reneges this quarter; pooled
  money loses ``coordination_loss × (1 − Centre capability)`` to coordination friction and,
  with the returns held from earlier quarters, is split across missions in proportion to
  each mission's status-quo budget × its remaining gap relative to its starting gap (missions
  that have met their target get no pooled money). Unpooled money follows historical
  departmental shares. From each mission's budget, a share ``fa × coinvest_budget_share`` is
  offered as public co-investment; what projects do not take returns to programmes. A share
  ``devolution`` then goes to councils by need × population, the rest to the ministries'
  programmes for the mission in proportion to their status-quo shares.
* **Monitoring** (:func:`monitoring_quality`): PPI's q_m rises from its baseline toward 1 by
  ``monitoring_gain × orchestration × Centre capability`` of the gap.
* **Brokerage** (:func:`broker_ties`, DESIGN §5.6): every latent tie serving a lagging
  mission is activated with probability (rate × lag), where the rate is
  ``silo_brokerage_rate × orchestration × Centre capability`` for ministry–ministry ties and
  ``sector_brokerage_rate × partnership × Centre capability`` for cross-sector ties.

Sources: Mission Critical 01 recommendations 2, 3 and 5; PPI (allocation by gaps,
monitoring); sizes are assumptions in data/assumptions.toml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from partnersim.data import MISSIONS
from partnersim.model.agents.base import PartnershipAgent, column
from partnersim.model.network import ActorKind, TieType

if TYPE_CHECKING:
    from partnersim.model import population
    from partnersim.model.partnership import PartnershipModel
    from partnersim.model.quarter import Quarter


class Centre(PartnershipAgent):
    """The Centre of government / Missions Unit (one per model)."""

    kind = ActorKind.CENTRE
    population_field = "centre"
    capability = column("capability", "Delivery capability, 0–1.")

    @property
    def rows(self) -> population.Centre:  # noqa: D102 - the Centre is one record, not a row
        return self.model.population.centre

    @property
    def held(self) -> dict[str, float]:
        """Money (£m) waiting in each mission pot: returns and repayments to reallocate."""
        from partnersim.data import MISSIONS

        return dict(zip(MISSIONS, self.rows.held.tolist(), strict=True))

    @property
    def monitoring_quality(self) -> float:
        """Effective PPI monitoring quality q_m this quarter."""
        return float(self.model.monitoring)


@dataclass(slots=True)
class Allocation:
    """Where a quarter's mission money went, £m (arrays by ministry and/or mission)."""

    envelope: np.ndarray
    capability_spend: np.ndarray
    pooled: np.ndarray
    overhead: float
    pots: np.ndarray
    released_held: float
    mission_budget: np.ndarray
    deal_envelope: np.ndarray
    """Per mission: public finance available to back deals (co-investment and guarantee
    provisions), £m."""
    duplication: np.ndarray
    extra_funding: np.ndarray | None = None
    """Per mission, money added by the funding levers (negative: taken away), £m."""
    """Per mission: departmental money lost to duplicated, uncoordinated work, £m."""
    programme: np.ndarray | None = None
    """Ministries × missions programme allocation (set by :func:`finish_allocation`)."""
    la_programme: np.ndarray | None = None
    """Councils × missions devolved allocation."""
    coinvest_used: np.ndarray | None = None


def monitor(model: PartnershipModel, q: Quarter) -> None:
    """Monitoring: PPI's monitoring quality rises with orchestration × Centre capability (§7.3)."""
    model.monitoring = monitoring_quality(
        model.spec.values["monitoring_quality"],
        q.levers.orchestration,
        model.population.centre.capability,
        model.assumptions.governance.monitoring_gain,
    )


def allocate_budgets(model: PartnershipModel, q: Quarter) -> None:
    """Budgets: envelopes, capability spend, pooling, duplication, deal envelopes (§7.4).

    The first half of budgeting (§7.4); :func:`fund_programmes` completes it once firms have
    taken their co-investment.
    """
    lev = q.levers
    mins = model.population.ministries
    centre = model.population.centre
    a = model.assumptions
    envelope = mins.quarterly_budget * mins.budget_shock
    capability_spend = envelope * lev.capability_investment
    available = envelope - capability_spend
    pooled = np.where(mins.reneged, 0.0, available * lev.orchestration)
    departmental = (available - pooled)[:, None] * mins.programmes
    pool = pooled.sum()
    overhead = pool * a.budget.coordination_loss * (1.0 - centre.capability)
    released = centre.held.sum()
    centre.held[:] = 0.0
    weights = model.status_quo_mission_budget * np.clip(model.relative_gap(), 0.0, 2.0)
    if weights.sum() <= 0:
        weights = model.status_quo_mission_budget.copy()
    pots = (pool - overhead + released) * weights / weights.sum()
    # Ministries funding one mission on their own duplicate and miss each other's work, in
    # proportion to their overlap and to how little they coordinate.
    coordination = q.ties.ministry_coordination @ model.status_quo_programme_share
    duplication = (
        model.spec.values["duplication_loss"]
        * model.mission_overlap
        * (1.0 - coordination)
        * departmental.sum(axis=0)
    )
    # Resources: the funding levers add (or take away) programme money per mission.
    funding = np.array([lev[f"{m}_funding"] for m in MISSIONS])
    extra = (funding - 1.0) * model.status_quo_mission_budget
    mission_budget = np.maximum(departmental.sum(axis=0) - duplication + pots + extra, 0.0)
    deal_envelope = mission_budget * q.finance_effective * a.budget.deal_budget_share
    q.allocation = Allocation(
        envelope=envelope,
        capability_spend=capability_spend,
        pooled=pooled,
        overhead=overhead,
        pots=pots,
        released_held=released,
        mission_budget=mission_budget,
        deal_envelope=deal_envelope,
        duplication=duplication,
        extra_funding=extra,
    )


def fund_programmes(model: PartnershipModel, q: Quarter) -> None:
    """Programmes: what co-investment left goes to councils (devolved) or to ministries (§7.4).

    Only the locally delivered part of each mission's money can be devolved: mission m's
    devolved share is devolution × its local delivery share.
    """
    las = model.population.local_authorities
    alloc = q.allocation
    alloc.coinvest_used = q.starts.coinvest
    spendable = alloc.mission_budget - alloc.coinvest_used
    if las.n:
        devolved = spendable * q.levers.devolution * model.local_delivery_share
        weight = las.need * las.population[:, None]
        alloc.la_programme = devolved * weight / weight.sum(axis=0)
    else:
        devolved = np.zeros_like(spendable)
        alloc.la_programme = np.zeros((0, len(spendable)))
    central = spendable - devolved
    alloc.programme = central * model.status_quo_programme_share


def monitoring_quality(
    baseline: float, orchestration: float, centre_capability: float, gain: float
) -> float:
    """Effective PPI monitoring quality: the baseline raised by orchestration × capability."""
    return baseline + (1.0 - baseline) * gain * orchestration * centre_capability


def broker_ties(model: PartnershipModel, q: Quarter) -> None:
    """Brokerage: the Centre activates latent ties for lagging missions (§7.10)."""
    model.ledger.brokered = _activate_latent_ties(
        model, q.levers.orchestration, q.levers.partnership
    )


def _activate_latent_ties(model: PartnershipModel, orchestration: float, partnership: float) -> int:
    """Activate latent ties for lagging missions; return how many were brokered."""
    net = model.network
    a = model.assumptions.network
    kappa = model.population.centre.capability
    latent = net.brokerable & ~net.active
    if not latent.any():
        return 0
    lag = model.mission_lag()
    silo = net.tie == TieType.MINISTRY_MINISTRY
    rate = np.where(
        silo,
        a.silo_brokerage_rate * orchestration * kappa,
        a.sector_brokerage_rate * partnership * kappa,
    )
    prob = rate * lag[np.maximum(net.mission, 0)]
    draw = model.streams.brokerage.random(net.n_edges)
    new = latent & (draw < prob)
    count = int(new.sum())
    if count:
        net.active[new] = True
        net.trust[new] = a.brokered_trust + 0.2 * partnership
        net.version += 1
    return count
