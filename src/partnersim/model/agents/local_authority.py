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


def effectiveness(
    capability: np.ndarray, reference: float, elasticity: float, bonus: float
) -> np.ndarray:
    """Effectiveness weight of each council's contribution: (κ / ref)^elasticity × (1 + bonus)."""
    return (capability / reference) ** elasticity * (1.0 + bonus)


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
    alloc = q.allocation
    q.spend_per_head = spending_per_head(las, alloc.programme.sum(axis=0), alloc.la_programme)


def spending_per_head(
    las: LocalAuthorities, central: np.ndarray, devolved: np.ndarray
) -> np.ndarray:
    """Mission money reaching each region per resident, £ a year.

    Central programme money reaches places by need × population (needs-based formulas);
    devolved money goes to the council that receives it.
    """
    need_pop = las.population[:, None] * las.need
    money = central[None, :] * need_pop / need_pop.sum(axis=0) + devolved
    n_regions = len(las.region_names)
    per_region = np.bincount(las.region, money.sum(axis=1), n_regions)
    people = np.bincount(las.region, las.population, n_regions)
    out = np.full(n_regions, np.nan)
    present = people > 0
    out[present] = per_region[present] / people[present] * 4.0 * 1e6
    return out


def regional_levels(las: LocalAuthorities) -> np.ndarray:
    """Population-weighted mean local level of each region (rows) and mission (columns)."""
    n_regions = len(las.region_names)
    weight = np.bincount(las.region, las.population, n_regions)
    total = np.stack(
        [
            np.bincount(las.region, las.population * las.level[:, j], n_regions)
            for j in range(las.level.shape[1])
        ],
        axis=1,
    )
    out = np.full(total.shape, np.nan)
    present = weight > 0
    out[present] = total[present] / weight[present, None]
    return out


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
