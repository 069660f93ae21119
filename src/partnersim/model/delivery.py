"""Delivery: public contribution and mission indicators, through the PPI engine (ODD §7.8).

Each (ministry, mission) programme with status-quo money and each (council, mission) pair is a
PPI *functionary* of :class:`~partnersim.model.indicators.PPIEngine`. Every quarter
:func:`deliver` hands the engine each functionary's allocation (programme money, or devolved
money for councils), its effectiveness (relative capability × the change in its coordination
with other ministries and the Centre, or × local knowledge for councils), the private
contribution of active projects and the union workforce factor, and the engine advances the
five indicators. This module builds the functionaries once (:func:`build_engine`) and feeds
them; the engine itself (:mod:`partnersim.model.indicators`) knows nothing of the model.

Source: Policy Priority Inference (Guerrero & Castañeda); Mission Critical 01 recommendations
2, 6 and 7; sizes in data/assumptions.toml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from partnersim import data
from partnersim.data import MISSIONS
from partnersim.model.agents import business, local_authority, ministry
from partnersim.model.indicators import PPIEngine

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel
    from partnersim.model.quarter import Quarter

TINY_ALLOCATION = 1e-9
"""PPI needs positive allocations; an unfunded functionary gets this negligible one (£m)."""


@dataclass(frozen=True, slots=True)
class Functionaries:
    """Who the engine's functionaries are: central programmes first, then council × mission.

    Attributes:
        ministry: ministry row of each central programme.
        mission: mission of each central programme.
        n_councils: councils, each a functionary for every mission after the programmes.
    """

    ministry: np.ndarray
    mission: np.ndarray
    n_councils: int

    @property
    def n_central(self) -> int:
        """Central (ministry) programmes."""
        return len(self.ministry)


def build_engine(
    model: PartnershipModel, structural: data.StructuralParameters
) -> tuple[PPIEngine, Functionaries]:
    """The indicator engine with one functionary per funded programme and council × mission."""
    pop = model.population
    mins, las = pop.ministries, pop.local_authorities
    k = len(MISSIONS)
    fm, fj = np.nonzero(model.status_quo_programme_share > 0)
    n_la = las.n
    indicator = np.concatenate([fj, np.tile(np.arange(k), n_la)])
    group = np.concatenate([np.zeros(len(fm), dtype=int), np.ones(n_la * k, dtype=int)])
    p0 = np.concatenate(
        [
            (mins.quarterly_budget[:, None] * mins.programmes)[fm, fj],
            np.full(n_la * k, TINY_ALLOCATION),
        ]
    )
    engine = PPIEngine(
        model.level0,
        structural.alphas,
        structural.alphas_prime,
        structural.betas,
        data.spillover_matrix(),
        indicator,
        model.streams.indicators,
        initial_allocation=p0,
        audit_group=group,
        lower=np.zeros(k),
        upper=np.ones(k),
    )
    return engine, Functionaries(fm, fj, n_la)


def deliver(model: PartnershipModel, q: Quarter) -> None:
    """Public contribution and indicators: the PPI engine advances every functionary (§7.8)."""
    a = model.assumptions
    u = model.spec.values
    pop = model.population
    mins, las = pop.ministries, pop.local_authorities
    fun = model.functionaries
    alloc = q.allocation
    las.devolved = alloc.la_programme
    P = np.maximum(
        np.concatenate([alloc.programme[fun.ministry, fun.mission], alloc.la_programme.ravel()]),
        TINY_ALLOCATION,
    )
    reference = a.capability.reference
    elasticity = u["capability_elasticity"]
    m_eff = ministry.effectiveness(
        mins.capability,
        reference,
        elasticity,
        q.ties.ministry_coordination,
        model.coordination0,
        a.governance.coordination_effect,
    )
    l_eff = local_authority.effectiveness(
        las.capability, reference, elasticity, u["local_knowledge_bonus"]
    )
    q.effectiveness = np.concatenate([m_eff[fun.ministry], np.repeat(l_eff, len(MISSIONS))])
    q.private = business.private_contribution(
        pop.businesses,
        model.private_impact,
        a.contracting.conditionality_impact,
        a.contracting.project_quarters,
    )
    q.level_before = model.engine.I.copy()
    q.allocation_vector = P
    q.result = model.engine.step(
        P,
        monitoring=model.monitoring,
        rule_of_law=u["rule_of_law"],
        effectiveness=q.effectiveness,
        private=q.private,
        workforce=q.workforce,
        spillover_scale=u["spillover_strength"],
    )
