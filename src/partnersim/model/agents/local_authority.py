"""Local authorities: place-based delivery of devolved money; local mission levels.

Rules (each quarter, vectorised over councils × missions):

* **Devolved delivery** (DESIGN §5.2): a council receiving devolved money for a mission is a
  PPI functionary for it; its effectiveness is relative capability × (1 +
  ``local_knowledge_bonus``) (:func:`effectiveness`), so low-capacity places underperform
  unless capability is invested in them (capability investment reaches councils as it
  reaches ministries).
* **Local levels** (:func:`update_local_levels`): every council's level of each mission moves
  with the national indicator, plus ``convergence × α_j × (e − ē)/ē`` (clipped to ±1), where
  ``e`` is the place's effective spending per resident per unit of need and ``ē`` its
  population-weighted mean. Central programmes reach places by need × population (needs-based
  funding formulas), so alone they leave relative positions unchanged; devolved money also
  goes by need × population but is spent at local effectiveness, so places with more
  capability than average catch up and the others fall behind.
* **Inequality** (:func:`partnersim.model.metrics.council_inequality`): population-weighted Gini of
  the mission-average local level.

Sources: Mission Critical 01 recommendation 7; Guerrero et al. (2022) on subnational
transfers in PPI; LGA council counts and ONS populations (data/places.toml); sizes are
assumptions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from partnersim.model.agents.base import PartnershipAgent, column
from partnersim.model.network import ActorKind

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel
    from partnersim.model.population import LocalAuthorities
    from partnersim.model.quarter import Quarter


class LocalAuthority(PartnershipAgent):
    """A council (principal local authority)."""

    kind = ActorKind.LOCAL_AUTHORITY
    population_field = "local_authorities"
    population = column("population", "Residents served (share of its region), persons.")
    capability = column("capability", "Delivery capability, 0–1.")

    @property
    def region(self) -> str:
        """Region (or devolved nation) of the council."""
        return self.rows.region_names[self.rows.region[self.index]]

    @property
    def nation(self) -> str:
        """Nation of the council."""
        return self.rows.nation_names[self.rows.nation[self.index]]

    @property
    def need(self) -> dict[str, float]:
        """Relative need per mission (local gap / national gap at the start)."""
        from partnersim.data import MISSIONS

        return dict(zip(MISSIONS, self.rows.need[self.index].tolist(), strict=True))

    @property
    def local_levels(self) -> dict[str, float]:
        """Local mission levels in real units."""
        from partnersim.data import missions

        return {
            m.name: float(m.to_real(v))
            for m, v in zip(missions(), self.rows.level[self.index], strict=True)
        }

    @property
    def devolved(self) -> float:
        """Devolved money received this quarter, £m."""
        return float(self.rows.devolved[self.index].sum())


def effectiveness(capability: np.ndarray, reference: float, bonus: float) -> np.ndarray:
    """Effectiveness weight of each council's contribution."""
    return capability / reference * (1.0 + bonus)


def update_places(model: PartnershipModel, q: Quarter) -> None:
    """Places: councils' local levels move with the nation and their relative spending (§7.9)."""
    las = model.population.local_authorities
    if not las.n:
        q.improved = np.zeros(0, dtype=bool)
        return
    fun = model.functionaries
    n_central = fun.n_central
    contrib = q.effectiveness * q.result.contributions
    central = np.bincount(fun.mission, contrib[:n_central], len(model.missions))
    devolved = contrib[n_central:].reshape(las.n, len(model.missions))
    q.improved = update_local_levels(
        las,
        model.engine.I - q.level_before,
        central,
        devolved,
        model.engine.alphas,
        model.assumptions.places.convergence,
    )


def update_local_levels(
    las: LocalAuthorities,
    national_change: np.ndarray,
    central_effective: np.ndarray,
    devolved_effective: np.ndarray,
    alphas: np.ndarray,
    convergence: float,
) -> np.ndarray:
    """Advance local levels; return which councils' average level rose.

    Args:
        las: the councils.
        national_change: change of each national indicator this quarter.
        central_effective: effective central contribution per mission (reaches places by
            need × population).
        devolved_effective: effective devolved contribution, councils × missions.
        alphas: PPI step sizes per mission.
        convergence: strength of the relative-spending effect.
    """
    pop = las.population[:, None]
    total_pop = las.population.sum()
    need_pop = pop * las.need
    spend = central_effective[None, :] * need_pop / need_pop.sum(axis=0) + devolved_effective
    per_need = spend / need_pop
    mean = (per_need * pop).sum(axis=0) / total_pop
    relative = np.clip(per_need / np.where(mean > 0, mean, 1.0) - 1.0, -1.0, 1.0)
    before = las.level.mean(axis=1)
    las.level = np.clip(las.level + national_change + convergence * alphas * relative, 0.0, 1.0)
    return las.level.mean(axis=1) > before
