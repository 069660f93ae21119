"""Businesses: whether to invest in mission projects, with or without a deal with a public stake.

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
* **Decision with and without a deal** (:func:`consider_projects`). Without a deal the firm's
  expected return per £ is ``V0 = p R − (1 − p) L + ε``; with the deal on offer (guarantee
  share ``s``, public upside share ``e s``, conditions ``χ``) it is
  ``V1 = p R (1 − e s)(1 − c χ) − (1 − p) L (1 − τ s) + ε``, where ``R``/``L`` are the
  project upside and downside, ``τ`` the firm's mean trust in its public partners (it values a
  public promise at that trust), ``c`` the cost of full conditions and
  ``ε ~ Normal(0, return_noise_sd)``. The hurdle is ``h0 (1 − ρ)(1 − clarity) + shock`` with
  ``ρ`` the firm's risk appetite and ``clarity = clarity_max × min(1, partnership + 0.5 fa)``.
  The firm goes ahead alone if ``V0 ≥ h``; it wants the deal if ``V1 ≥ h`` and the deal does
  not lower its return (or it would not go ahead alone).
* **Deals** go to specific projects from each mission's deal envelope (see
  :mod:`partnersim.model.agents.centre`): each costs its co-investment (``coinvest_max_ratio``
  public £ per private £, pari passu) plus a provision for the guarantee's expected cost
  ``s (1 − p) L``. Projects that want a deal are served in a random order until the envelope
  is spent; with ``deal_targeting`` the public partner first judges each project's return
  with error ``screening_noise`` and skips, with probability ``deal_targeting``, those it
  judges would go ahead anyway or would not go ahead even with the deal. A backed project is
  *additional* if it would not have gone ahead alone (``V0 < h``), else *deadweight*.
* **Projects** (:func:`settle`) run ``project_quarters`` quarters, deploying their capital
  evenly; their mission impact is ``private_impact × (1 + conditionality_impact × χ)`` per
  pound (:func:`private_contribution`; χ = 0 unless backed). At maturity a project succeeds
  with probability ``p``: the firm keeps ``(1 − e s)`` of its upside, the public receives
  ``e s`` of it and its co-investment's pro-rata gain; on failure the public pays ``s`` of the
  firm's loss and loses its co-investment's share. Budget cuts at a fiscal year start cancel
  active projects with probability ``cancel_prob × (1 − fa)``; the public compensates ``s`` of
  a backed project's sunk cost. Public receipts and repayments return to mission pots.

Sources: Mission Critical 01 recommendations 4 and 5; Mazzucato (2013) on sharing risks and
rewards; Mazzucato & Rodrik (2023) on conditionalities; HM Treasury Green Book and the HCA
Additionality Guide on additionality and deadweight; DBT Business population estimates 2023
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
    backed = column("backed", "Whether the current project has a deal with a public stake.")
    additional = column("additional", "Whether the backed project would not have gone alone.")
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
    """Private capital committed, every project."""
    coinvest: np.ndarray
    """Public co-investment committed to backed projects."""
    guarantee_cost: np.ndarray
    """Provision for the expected cost of the guarantees given (s (1 − p) L × capital)."""
    backed_private: np.ndarray
    """Private capital in backed projects."""
    additional_private: np.ndarray
    """Private capital in backed projects that would not have gone ahead without their deal."""
    deals: np.ndarray
    """Deals made (backed projects started)."""
    additional_deals: np.ndarray
    """Deals whose project is additional."""


@dataclass(slots=True)
class Settlement:
    """Projects that ended this quarter: per-firm outcome and public flows by mission (£m)."""

    outcome: np.ndarray
    """Per firm: NaN if nothing ended; 1 success; risk share on failure; 0 cancelled."""
    receipts: np.ndarray
    """Public share of backed projects' upside (reward terms)."""
    repayments: np.ndarray
    """Co-investment principal returned."""
    coinvest_gains: np.ndarray
    coinvest_losses: np.ndarray
    guarantee_payouts: np.ndarray
    """Guarantee share of failed backed projects' losses."""
    compensation: np.ndarray
    """Guarantee share of cancelled backed projects' sunk cost."""
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
        q.allocation.deal_envelope,
        q.hurdle_shock,
    )


def participation_by_mission(biz: Businesses, backed_only: bool = False) -> np.ndarray:
    """Capacity-weighted share of firms with an active (backed) project, per mission."""
    active = (biz.quarters_left > 0) & (biz.backed if backed_only else True)
    total = np.bincount(biz.mission, biz.capacity, len(MISSIONS))
    part = np.bincount(biz.mission[active], biz.capacity[active], len(MISSIONS))
    return np.divide(part, total, out=np.zeros(len(MISSIONS)), where=total > 0)


def choose(
    alone: np.ndarray, dealt: np.ndarray, hurdle: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """What each firm would do: go ahead alone, and want the deal on offer.

    Args:
        alone: expected return per £ without a deal (noise included).
        dealt: expected return per £ with the deal.
        hurdle: the firm's hurdle return.

    Returns:
        ``(go_alone, wants_deal)``: it invests alone if ``alone ≥ hurdle``; it wants the deal if
        the deal clears the hurdle and does not lower its return — or it would not go alone.
        A backed project that would go alone is deadweight; one that would not is additional.
    """
    go_alone = alone >= hurdle
    wants = (dealt >= hurdle) & ((dealt >= alone) | ~go_alone)
    return go_alone, wants


def loss_split(loss: float, ratio: float | np.ndarray, subordination: float):
    """Who bears a project's loss: per £ of the firm's capital, (firm's loss, public stake's).

    The project loses ``loss`` of all its capital (the firm's £1 and the public's ``ratio``).
    The public's first-loss tranche (``subordination`` of its stake) absorbs losses first; the
    rest is shared pro rata between the firm and the public's senior part.
    """
    total = loss * (1.0 + ratio)
    first = np.minimum(total, subordination * ratio)
    senior = (1.0 - subordination) * ratio
    firm = (total - first) / (1.0 + senior)
    return firm, total - firm


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
    deal_envelope: np.ndarray,
    hurdle_shock: float,
) -> Starts:
    """Firms decide on new projects, with or without a deal; record the projects that start."""
    biz = model.population.businesses
    a = model.assumptions.contracting
    u = model.spec.values
    rng = model.streams.projects
    k = len(MISSIONS)
    n = biz.n
    # Draw for every firm each quarter, so the stream stays aligned across scenarios.
    opportunity = rng.random(n)
    noise_all = rng.normal(0.0, a.return_noise_sd, n)
    screen_all = rng.normal(0.0, 1.0, n)
    skip_all = rng.random(n)
    order_all = rng.random(n)
    free = (biz.quarters_left == 0) & (opportunity < a.opportunity_prob)
    idx = np.flatnonzero(free)
    s, chi = lev.risk_share, lev.conditionality
    e = lev.reward_share * s  # the public's upside share, in proportion to its stake
    p = success[idx]
    R, L = u["private_return"], u["project_loss"]
    clarity = a.clarity_max * min(1.0, lev.partnership + 0.5 * finance_effective)
    hurdle = a.hurdle * (1.0 - biz.risk_appetite[idx]) * (1.0 - clarity) + hurdle_shock
    ratio = model.assumptions.budget.coinvest_max_ratio
    firm_loss, _ = loss_split(L, ratio, model.assumptions.budget.coinvest_subordination)
    alone = p * R - (1.0 - p) * L
    dealt = p * R * (1.0 - e) * (1.0 - a.conditionality_cost * chi) - (1.0 - p) * firm_loss * (
        1.0 - trust[idx] * s
    )
    noise = noise_all[idx]
    go_alone, wants = choose(alone + noise, dealt + noise, hurdle)
    # The public partner's view of each project: the firm's returns with its own error.
    error = u["screening_noise"] * screen_all[idx]
    judged_additional = (alone + noise + error < hurdle) & (dealt + noise + error >= hurdle)
    eligible = wants & (judged_additional | (skip_all[idx] >= lev.deal_targeting))
    mission = biz.mission[idx]
    amount = biz.capacity[idx]
    coinvest = ratio * amount
    provision = s * (1.0 - p) * firm_loss * amount
    cost = np.where(eligible, coinvest + provision, 0.0)
    # Serve eligible projects in a random order, mission by mission, while the envelope lasts.
    order = np.lexsort((order_all[idx], mission))
    spent = np.zeros(len(idx))
    for j in range(k):
        rows = order[mission[order] == j]
        spent[rows] = np.cumsum(cost[rows])
    backed = eligible & (spent <= deal_envelope[mission]) & (cost > 0)
    start = go_alone | backed
    additional = backed & ~go_alone
    go, b = idx[start], backed[start]
    m_go = biz.mission[go]
    capital = biz.capacity[go]
    biz.quarters_left[go] = int(a.project_quarters)
    biz.amount[go] = capital
    biz.coinvest[go] = np.where(b, coinvest[start], 0.0)
    biz.success_prob[go] = success[go]
    biz.backed[go] = b
    biz.additional[go] = additional[start]
    biz.risk_share[go] = np.where(b, s, 0.0)
    biz.reward_share[go] = np.where(b, e, 0.0)
    biz.conditionality[go] = np.where(b, chi, 0.0)
    biz.invested[go] += capital
    biz.projects[go] += 1
    m_b = mission[backed]
    return Starts(
        started=np.bincount(m_go, minlength=k),
        private=np.bincount(m_go, capital, k),
        coinvest=np.bincount(m_b, coinvest[backed], k),
        guarantee_cost=np.bincount(m_b, provision[backed], k),
        backed_private=np.bincount(m_b, amount[backed], k),
        additional_private=np.bincount(mission[additional], amount[additional], k),
        deals=np.bincount(m_b, minlength=k),
        additional_deals=np.bincount(mission[additional], minlength=k),
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
    ratio = np.divide(coinv, amount, out=np.zeros(biz.n), where=amount > 0)
    firm_share, public_share = loss_split(loss_share, ratio, a.budget.coinvest_subordination)
    coinvest_losses = np.bincount(m[hit], (public_share * amount)[hit], k)
    covered = biz.risk_share * firm_share * amount  # zero unless the project is backed
    payouts = np.bincount(m[failed], covered[failed], k)
    compensation = np.bincount(m[cancelled], covered[cancelled], k)
    done = success | hit
    repayments = np.bincount(m[done], (coinv - public_share * amount)[done], k)
    for values in (biz.amount, biz.coinvest, biz.risk_share, biz.reward_share, biz.conditionality):
        values[done] = 0.0
    biz.backed[done] = False
    biz.additional[done] = False
    return Settlement(
        outcome=outcome,
        receipts=receipts,
        repayments=repayments,
        coinvest_gains=coinvest_gains,
        coinvest_losses=coinvest_losses,
        guarantee_payouts=payouts,
        compensation=compensation,
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
