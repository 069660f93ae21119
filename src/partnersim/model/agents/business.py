"""Businesses: whether to invest in mission projects under the contract on offer.

Rules (each quarter, vectorised over firms):

* **Opportunities**: a firm without an active project weighs a new one with probability
  ``opportunity_prob``.
* **Success probability** (:func:`success_probability`, DESIGN §5.4): ``p = p0 +
  coordination_success × (coordination − 0.5) + capability_success × (κ̄_mission −
  reference) + procurement_success × fa``, clipped to [0.02, 0.98], where ``p0`` is
  ``project_success_prob``, coordination is ``1 − exp(−Σ trust)`` over the firm's ties to
  ministries, councils, unions and the Centre, ``κ̄`` the budget-weighted capability of the
  ministries running the mission and ``fa`` effective finance alignment (outcome-based
  procurement).
* **Decision** (:func:`consider_projects`): the firm invests its capacity when its
  trust-weighted expected return clears its risk-adjusted hurdle:
  ``p (1 − e) R (1 − c χ) − (1 − p) L (1 − τ s) + ε ≥ h0 (1 − ρ) (1 − clarity)``, with ``s``
  risk_share, ``e`` reward_share, ``χ`` conditionality, ``R``/``L`` the project upside and
  downside, ``τ`` the firm's mean trust in its public partners (it values public promises at
  that trust), ``ρ`` its risk appetite, ``ε ~ Normal(0, return_noise_sd)`` and ``clarity =
  clarity_max × min(1, partnership + 0.5 fa)``. Public co-investment is matched to starting
  projects up to ``coinvest_max_ratio`` per private pound, pro rata within each mission's offer.
* **Projects** (:func:`settle_projects`) run ``project_quarters`` quarters, deploying their
  capital evenly; their mission impact is ``private_impact × (1 + conditionality_impact ×
  χ)`` per pound (:func:`private_contribution`). At maturity a project succeeds with
  probability ``p``: the firm keeps ``(1 − e)`` of the upside, the public receives ``e`` of it
  and its co-investment gain; on failure the public pays ``s`` of the loss and loses its
  co-investment's share. Budget cuts at a fiscal year start cancel active projects with
  probability ``cancel_prob × (1 − fa)``. Public receipts and repayments return to mission pots.

Sources: Mission Critical 01 recommendation 4; Mazzucato (2013) on sharing risks and
rewards; Mazzucato & Rodrik (2023) on conditionalities; DBT Business population estimates 2023
(data/businesses.toml); sizes are assumptions (data/assumptions.toml, [contracting]).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from partnersim.data import MISSIONS
from partnersim.model.agents.base import PartnershipAgent, column
from partnersim.model.network import ActorKind

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel
    from partnersim.model.population import Businesses
    from partnersim.model.quarter import LeverValues, Quarter


class Business(PartnershipAgent):
    """A firm (standing for ``weight`` real firms of its size band and sector)."""

    kind = ActorKind.BUSINESS
    population_field = "businesses"
    weight = column("weight", "Number of real UK firms this agent stands for.")
    capacity = column("capacity", "Investment a project commits, £m.")
    risk_appetite = column("risk_appetite", "Risk appetite, 0–1.", writable=True)
    quarters_left = column("quarters_left", "Quarters until the current project ends (0: none).")
    amount = column("amount", "Private capital in the current project, £m.")
    coinvest = column("coinvest", "Public co-investment in the current project, £m.")
    success_prob = column("success_prob", "Success probability of the current project.")
    invested = column("invested", "Cumulative private investment committed, £m.")
    projects = column("projects", "Projects started.")
    successes = column("successes", "Projects that succeeded.")

    @property
    def sector(self) -> str:
        """Sector name."""
        return self.rows.sector_names[self.rows.sector[self.index]]

    @property
    def size_band(self) -> str:
        """Size band (small, medium, large)."""
        return self.rows.size_band_names[self.rows.size_band[self.index]]

    @property
    def mission(self) -> str:
        """The mission its projects serve."""
        return MISSIONS[self.rows.mission[self.index]]

    @property
    def has_project(self) -> bool:
        """Whether it has an active mission project."""
        return self.quarters_left > 0


@dataclass(slots=True)
class Starts:
    """Projects started this quarter, totals by mission (£m)."""

    started: np.ndarray
    private: np.ndarray
    coinvest: np.ndarray
    guarantee_cost: np.ndarray


@dataclass(slots=True)
class Settlement:
    """Projects that ended this quarter: per-firm outcome and public flows by mission (£m)."""

    outcome: np.ndarray
    """Per firm: NaN if nothing ended; 1 success; risk share on failure; 0 cancelled."""
    receipts: np.ndarray
    repayments: np.ndarray
    coinvest_gains: np.ndarray
    coinvest_losses: np.ndarray
    guarantee_payouts: np.ndarray
    successes: int
    failures: int
    cancellations: int


def settle_projects(model: PartnershipModel, q: Quarter) -> None:
    """Projects: active projects advance; those ending or cut by a budget cut settle (§7.6)."""
    biz = model.population.businesses
    cancel = np.zeros(biz.n, dtype=bool)
    if q.fiscal_year_start and biz.n:
        a = model.assumptions.budget
        cut = model.population.ministries.budget_shock < 0.97
        p_cancel = a.cancel_prob * (1.0 - q.finance_effective)
        cancel = cut[biz.lead_ministry] & (model.streams.outcomes.random(biz.n) < p_cancel)
    q.settlement = settle(model, cancel)


def start_projects(model: PartnershipModel, q: Quarter) -> None:
    """Firms without a project decide whether to start one under the deal on offer (§7.5–7.6)."""
    biz = model.population.businesses
    a = model.assumptions
    mission_capability = model.population.ministries.capability @ model.status_quo_programme_share
    success = success_probability(
        model.spec.values["project_success_prob"],
        q.ties.business_coordination,
        mission_capability[biz.mission],
        q.finance_effective,
        a.contracting,
        a.capability.reference,
    )
    q.starts = consider_projects(
        model,
        q.levers,
        q.finance_effective,
        success,
        q.ties.business_trust,
        q.allocation.coinvest_offer,
        q.hurdle_shock,
    )


def participation_by_mission(biz: Businesses) -> np.ndarray:
    """Capacity-weighted share of firms with an active project, per mission."""
    active = biz.quarters_left > 0
    total = np.bincount(biz.mission, biz.capacity, len(MISSIONS))
    part = np.bincount(biz.mission[active], biz.capacity[active], len(MISSIONS))
    return np.divide(part, total, out=np.zeros(len(MISSIONS)), where=total > 0)


def success_probability(
    base: float,
    coordination: np.ndarray,
    mission_capability: np.ndarray,
    finance: float,
    a,
    reference: float,
) -> np.ndarray:
    """Success probability of a project for each firm (see module docstring)."""
    p = (
        base
        + a.coordination_success * (coordination - 0.5)
        + a.capability_success * (mission_capability - reference)
        + a.procurement_success * finance
    )
    return np.clip(p, 0.02, 0.98)


def consider_projects(
    model: PartnershipModel,
    lev: LeverValues,
    finance_effective: float,
    success: np.ndarray,
    trust: np.ndarray,
    coinvest_offer: np.ndarray,
    hurdle_shock: float,
) -> Starts:
    """Firms decide whether to start a project; record the contracts of those that do."""
    biz = model.population.businesses
    a = model.assumptions.contracting
    u = model.spec.values
    rng = model.streams.projects
    n = biz.n
    # Draw for every firm each quarter, so the stream stays aligned across scenarios.
    opportunity = rng.random(n)
    noise_all = rng.normal(0.0, a.return_noise_sd, n)
    free = (biz.quarters_left == 0) & (opportunity < a.opportunity_prob)
    idx = np.flatnonzero(free)
    s, e, chi = lev.risk_share, lev.reward_share, lev.conditionality
    p = success[idx]
    upside = p * (1.0 - e) * u["private_return"] * (1.0 - a.conditionality_cost * chi)
    downside = (1.0 - p) * u["project_loss"] * (1.0 - trust[idx] * s)
    noise = noise_all[idx]
    clarity = a.clarity_max * min(1.0, lev.partnership + 0.5 * finance_effective)
    hurdle = a.hurdle * (1.0 - biz.risk_appetite[idx]) * (1.0 - clarity) + hurdle_shock
    go = idx[upside - downside + noise >= hurdle]
    mission = biz.mission[go]
    amount = biz.capacity[go]
    wanted = model.assumptions.budget.coinvest_max_ratio * amount
    wanted_by_mission = np.bincount(mission, wanted, len(MISSIONS))
    scale = np.divide(
        np.minimum(coinvest_offer, wanted_by_mission),
        wanted_by_mission,
        out=np.zeros(len(MISSIONS)),
        where=wanted_by_mission > 0,
    )
    coinvest = wanted * scale[mission]
    biz.quarters_left[go] = int(a.project_quarters)
    biz.amount[go] = amount
    biz.coinvest[go] = coinvest
    biz.success_prob[go] = success[go]
    biz.risk_share[go] = s
    biz.reward_share[go] = e
    biz.conditionality[go] = chi
    biz.invested[go] += amount
    biz.projects[go] += 1
    expected_loss = (1.0 - success[go]) * u["project_loss"] * s * amount
    return Starts(
        started=np.bincount(mission, minlength=len(MISSIONS)),
        private=np.bincount(mission, amount, len(MISSIONS)),
        coinvest=np.bincount(mission, coinvest, len(MISSIONS)),
        guarantee_cost=np.bincount(mission, expected_loss, len(MISSIONS)),
    )


def settle(model: PartnershipModel, cancel: np.ndarray) -> Settlement:
    """Advance active projects a quarter; settle those that end or are cancelled.

    Args:
        model: the model.
        cancel: per firm, whether its active project is cancelled this quarter.
    """
    biz = model.population.businesses
    a = model.assumptions
    u = model.spec.values
    k = len(MISSIONS)
    active = biz.quarters_left > 0
    cancelled = active & cancel
    biz.quarters_left[active] -= 1
    ended = active & (biz.quarters_left == 0) & ~cancelled
    success = ended & (model.streams.outcomes.random(biz.n) < biz.success_prob)
    failed = ended & ~success
    outcome = np.full(biz.n, np.nan)
    outcome[success] = 1.0
    outcome[failed] = biz.risk_share[failed]
    outcome[cancelled] = 0.0
    biz.successes[success] += 1
    biz.quarters_left[cancelled] = 0

    R, L, c = u["private_return"], u["project_loss"], a.budget.cancel_loss
    m = biz.mission
    amount, coinv = biz.amount, biz.coinvest
    receipts = np.bincount(m[success], (biz.reward_share * R * amount)[success], k)
    coinvest_gains = np.bincount(m[success], (R * coinv)[success], k)
    loss_share = np.where(cancelled, c, np.where(failed, L, 0.0))
    hit = failed | cancelled
    coinvest_losses = np.bincount(m[hit], (loss_share * coinv)[hit], k)
    payouts = np.bincount(m[hit], (biz.risk_share * loss_share * amount)[hit], k)
    done = success | hit
    repayments = np.bincount(m[done], ((1.0 - loss_share) * coinv)[done], k)
    biz.amount[done] = 0.0
    biz.coinvest[done] = 0.0
    return Settlement(
        outcome=outcome,
        receipts=receipts,
        repayments=repayments,
        coinvest_gains=coinvest_gains,
        coinvest_losses=coinvest_losses,
        guarantee_payouts=payouts,
        successes=int(success.sum()),
        failures=int(failed.sum()),
        cancellations=int(cancelled.sum()),
    )


def private_contribution(
    biz: Businesses, impact: np.ndarray, conditionality_impact: float, quarters: float
) -> np.ndarray:
    """Mission contribution of active projects this quarter, £m-equivalent per mission."""
    active = biz.quarters_left > 0
    flow = (biz.amount + biz.coinvest)[active] / quarters
    flow = flow * (1.0 + conditionality_impact * biz.conditionality[active])
    return impact * np.bincount(biz.mission[active], flow, len(MISSIONS))
