"""Ministries (HM Treasury among them): budgets, alignment, reneging, stop–go, capability.

Rules (each quarter, vectorised over ministries):

* **Alignment** (:func:`update_alignment`): each ministry's mission alignment moves a share
  ``alignment_rate`` of the way toward ``political_backing``.
* **Reneging** (:func:`draw_reneging`, DESIGN §5.1): a ministry withholds its pooled
  contribution this quarter with probability ``silo × (1 − alignment)``.
* **Stop–go** (:func:`fiscal_year_shocks`): at the first quarter of each fiscal year (April),
  each ministry's envelope is multiplied by ``1 + ε``, ``ε ~ Normal(0, stop_go_sd × (1 − fa))``,
  where ``fa`` is effective finance alignment; cut budgets cancel active projects in their
  missions (see :mod:`partnersim.model.agents.business`).
* **Treasury role**: effective finance alignment is ``finance_alignment × (0.5 + 0.5 ×
  HM Treasury's alignment)`` — the Treasury's own buy-in gates how far its tools serve the
  missions (:func:`effective_finance_alignment`).
* **Principal–agent contribution**: each (ministry, mission) programme is a PPI functionary in
  :class:`partnersim.model.indicators.PPIEngine`; its effectiveness is relative capability × (1 +
  ``coordination_effect`` × the change in its trust-weighted ties to other ministries and the
  Centre since the start, where coordination is ``1 − exp(−Σ trust)`` over those ties)
  (:func:`effectiveness`).

Sources: Mission Critical 01 recommendations 1, 2 and 5; PPI; HM Treasury PSS Feb 2025 for
budgets (data/departments.toml); roles and sizes are assumptions (data/ministry_roles.toml).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from partnersim.model.agents.base import PartnershipAgent, column
from partnersim.model.network import ActorKind

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel
    from partnersim.model.population import Ministries
    from partnersim.model.quarter import Quarter


class Ministry(PartnershipAgent):
    """A government department; HM Treasury is the one with ``treasury`` set."""

    kind = ActorKind.MINISTRY
    population_field = "ministries"
    capability = column("capability", "Delivery capability, 0–1.")
    silo = column("silo", "Silo-ness: propensity to protect own priorities, 0–1.")
    alignment = column("alignment", "Mission alignment, 0–1; moves toward political backing.")
    treasury = column("treasury", "Whether this ministry has the Treasury role.")
    del_gbp_m = column("del_gbp_m", "Total DEL 2023-24, £m.")
    quarterly_budget = column("quarterly_budget", "Mission programme budget per quarter, £m.")
    budget_shock = column("budget_shock", "This fiscal year's stop–go budget multiplier.")
    reneged = column("reneged", "Whether it withheld its pooled contribution this quarter.")

    @property
    def code(self) -> str:
        """Short department code (HMT, DHSC, ...)."""
        return self.rows.code[self.index]

    @property
    def programmes(self) -> dict[str, float]:
        """Share of its mission programme budget serving each mission."""
        from partnersim.data import MISSIONS

        return dict(zip(MISSIONS, self.rows.programmes[self.index].tolist(), strict=True))


def govern(model: PartnershipModel, q: Quarter) -> None:
    """Ministries: withdrawals, alignment, Treasury's finance alignment, stop–go, reneging."""
    mins = model.population.ministries
    a = model.assumptions
    if q.fiscal_year_start:
        withdraw_levers(model, q)
    update_alignment(mins, q.levers.political_backing, a.governance.alignment_rate)
    q.finance_effective = effective_finance_alignment(q.levers.finance_alignment, mins)
    if q.fiscal_year_start:
        fiscal_year_shocks(mins, model.streams.budgets, a.budget.stop_go_sd, q.finance_effective)
    draw_reneging(mins, model.streams.budgets)


def withdraw_levers(model: PartnershipModel, q: Quarter) -> None:
    """At a fiscal event, each changed lever may be withdrawn for the rest of the run.

    Every withdrawable lever whose value in force differs from its status-quo value is
    withdrawn with probability ``withdrawal_prob × (1 − political_backing)``; a withdrawn lever
    takes its status-quo value from this quarter on. One draw per lever at every fiscal event,
    whatever the scenario, keeps the random stream aligned across scenarios.
    """
    names = model.lever_schedule.withdrawable
    draws = model.streams.durability.random(len(names))
    chance = model.spec.values["withdrawal_prob"] * (1.0 - q.levers.political_backing)
    for name, draw in zip(names, draws, strict=True):
        changed = q.levers[name] != model.lever_schedule.default(name)
        if changed and name not in model.withdrawn and draw < chance:
            model.withdrawn.add(name)
    q.levers = model.lever_schedule.at(q.step, model.withdrawn)


def update_alignment(mins: Ministries, backing: float, rate: float) -> None:
    """Move each ministry's alignment toward political backing."""
    mins.alignment += rate * (backing - mins.alignment)


def draw_reneging(mins: Ministries, rng: np.random.Generator) -> None:
    """Decide which ministries withhold their pooled contribution this quarter."""
    mins.reneged = rng.random(mins.n) < mins.silo * (1.0 - mins.alignment)


def fiscal_year_shocks(mins: Ministries, rng: np.random.Generator, sd: float, fa: float) -> None:
    """Draw this fiscal year's budget multipliers (annual budgets: stop–go)."""
    mins.budget_shock = np.maximum(1.0 + rng.normal(0.0, sd * (1.0 - fa), mins.n), 0.1)


def effective_finance_alignment(finance_alignment: float, mins: Ministries) -> float:
    """Finance alignment as delivered through HM Treasury's own alignment."""
    treasury_alignment = float(mins.alignment[mins.treasury].mean())
    return finance_alignment * (0.5 + 0.5 * treasury_alignment)


def effectiveness(
    capability: np.ndarray,
    reference: float,
    elasticity: float,
    coordination: np.ndarray,
    coordination0: np.ndarray,
    effect: float,
) -> np.ndarray:
    """Effectiveness weight of each ministry's contribution (1 at the reference state).

    ``(capability / reference)^elasticity × max(1 + effect × Δcoordination, 0.1)``.
    """
    relative = (capability / reference) ** elasticity
    return relative * np.maximum(1.0 + effect * (coordination - coordination0), 0.1)
