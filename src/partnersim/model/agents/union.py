"""Trade unions: cooperate in the partnership, or dispute.

Rules (each quarter, vectorised over unions; DESIGN §5.5):

* **Cooperation** (:func:`update_stance`): a union not in dispute cooperates with probability
  ``logistic(b0 + b_trust (τ − 0.5) + b_incl · inclusion + b_rew · worker_share)``, where
  ``τ`` is its mean trust over its ties, ``inclusion = 1 − exp(−Σ trust)`` over its ties to
  the Centre and ministries, and ``worker_share`` the workers' stake in its missions' deals:
  conditionality χ (fair-work conditions) × the capacity-weighted share of the missions'
  firms in a project, 0–1.
* **Disputes**: a union that does not cooperate enters a dispute with probability
  ``dispute_prob × (1 − τ)``, lasting ``dispute_quarters``.
* **Workforce** (:func:`workforce_factor`): each mission's effective contribution is multiplied
  by ``1 + cooperation_bonus × d_j × c_j − dispute_capacity_cut × d_j × x_j``, where ``c_j``
  and ``x_j`` are the member-weighted shares of unions organising mission ``j`` that
  cooperate or are in dispute, and ``d_j`` the union density of the mission's workforce
  (public and private densities from the DBT bulletin, public-sector shares assumed).

Sources: DBT Trade union membership 2024 (data/unions.toml); Mission Critical 01
recommendation 4 (willing union partners); sizes are assumptions (data/assumptions.toml,
[unions]).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from partnersim.data import MISSIONS
from partnersim.model.agents.base import PartnershipAgent, column
from partnersim.model.agents.business import participation_by_mission
from partnersim.model.network import ActorKind

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel
    from partnersim.model.population import Unions
    from partnersim.model.quarter import Quarter


class Union(PartnershipAgent):
    """A trade union."""

    kind = ActorKind.UNION
    population_field = "unions"
    members = column("members", "Members (rescaled so modelled unions sum to the UK total).")
    cooperating = column("cooperating", "Whether it cooperates with the partnership this quarter.")
    dispute_left = column("dispute_left", "Quarters of dispute remaining (0: none).")

    @property
    def in_dispute(self) -> bool:
        """Whether the union is in dispute."""
        return self.dispute_left > 0

    @property
    def missions(self) -> dict[str, float]:
        """Share of its members working toward each mission."""
        return dict(zip(MISSIONS, self.rows.missions[self.index].tolist(), strict=True))


def take_stances(model: PartnershipModel, q: Quarter) -> None:
    """Unions decide to cooperate or dispute; each mission's workforce factor follows (§7.7)."""
    uns = model.population.unions
    a = model.assumptions.unions
    # Workers' stake: fair-work conditions on the deals backing their missions' projects.
    backed = participation_by_mission(model.population.businesses, backed_only=True)
    worker_share = q.levers.conditionality * backed
    before = uns.dispute_left > 0
    update_stance(
        uns, q.ties.union_trust, q.ties.union_inclusion, worker_share, model.streams.unions, a
    )
    model.ledger.disputes_started = int(((uns.dispute_left > 0) & ~before).sum())
    q.workforce = workforce_factor(uns, model.union_density, a) * q.capacity


def update_stance(
    uns: Unions,
    trust: np.ndarray,
    inclusion: np.ndarray,
    worker_share: np.ndarray,
    rng: np.random.Generator,
    a,
) -> None:
    """Decide cooperation and disputes for this quarter."""
    if uns.n == 0:
        return
    share = uns.missions @ worker_share
    logit = (
        a.cooperation_intercept
        + a.cooperation_trust * (trust - 0.5)
        + a.cooperation_inclusion * inclusion
        + a.cooperation_rewards * share
    )
    in_dispute = uns.dispute_left > 0
    uns.dispute_left[in_dispute] -= 1
    cooperate = ~in_dispute & (rng.random(uns.n) < 1.0 / (1.0 + np.exp(-logit)))
    start_dispute = ~in_dispute & ~cooperate & (rng.random(uns.n) < a.dispute_prob * (1.0 - trust))
    uns.dispute_left[start_dispute] = int(a.dispute_quarters)
    uns.cooperating = cooperate


def workforce_factor(uns: Unions, density: np.ndarray, a) -> np.ndarray:
    """Multiplier of each mission's effective contribution from union stances."""
    if uns.n == 0:
        return np.ones(len(MISSIONS))
    weight = uns.missions * uns.members[:, None]
    total = weight.sum(axis=0)
    safe = np.where(total > 0, total, 1.0)
    coop = (weight * uns.cooperating[:, None]).sum(axis=0) / safe
    dispute = (weight * (uns.dispute_left > 0)[:, None]).sum(axis=0) / safe
    return 1.0 + a.cooperation_bonus * density * coop - a.dispute_capacity_cut * density * dispute
