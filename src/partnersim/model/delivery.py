"""Delivery: public contribution, resourcing, capacity and mission indicators (ODD §7.8).

Each (ministry, mission) programme with status-quo money and each (council, mission) pair is a
PPI *functionary* of :class:`~partnersim.model.indicators.PPIEngine`. Every quarter
:func:`deliver` hands the engine each functionary's allocation (programme money, or devolved
money for councils), its effectiveness (relative capability × the change in its coordination
with other ministries and the Centre, or × local knowledge for councils), the private
contribution of active projects and the union workforce factor; the engine's contribution step
gives each mission's *drive*. The capacity engine (:mod:`partnersim.model.capacity`) turns the
drive, relative to the status quo's, into capacity and capacity into indicator change, with
each mission's law fitted to its history (``data/delivery.toml``, written by
``partnersim calibrate``). This module builds both engines once (:func:`build_engines`) and
feeds them; neither knows the model.

Source: Policy Priority Inference (Guerrero & Castañeda) for the contribution step; the laws
and their fits in docs/validation.md; sizes in data/assumptions.toml ([capacity]).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from partnersim import data
from partnersim.data import MISSIONS
from partnersim.model.agents import business, local_authority, ministry
from partnersim.model.capacity import (
    AdjustLaw,
    CapacityEngine,
    Law,
    StockLaw,
    from_scale,
    to_scale,
)
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


def laws(
    values: dict,
    assumptions,
    fitted: data.DeliveryFit | None = None,
    base_share: dict[str, float] | None = None,
) -> tuple[Law, ...]:
    """Each mission's delivery law: the fitted parameters with the scenario's uncertainties.

    NHS: response and demand growth fitted to RTT 2007–19 against health spending; the
    equilibrium drifts by response × (real budget growth − demand growth). Opportunity: speed
    and plateau fitted to the good level of development; response from
    ``early_years_response`` (pp per doubling, converted at the start level). Safer streets:
    drift and noise fitted to knife crime net of police numbers; response ``police_elasticity``.
    Growth: speed and noise fitted to GDP growth 2010–19; response from
    ``growth_investment_effect`` × mission investment's share of GDP, spread over four years.
    Clean power: build fitted to clean generation 2014–19; demand ``power_demand_growth``.
    """
    fit = fitted or data.delivery_fit()
    c = assumptions.capacity
    shares = base_share or {}
    out: list[Law] = []
    for name in MISSIONS:
        f = fit.missions[name]
        lag = float(getattr(c, f"{name}_lag"))
        if name == "clean_power":
            out.append(
                StockLaw(
                    build=f["build"],
                    build_noise=f["build_noise"],
                    demand_growth=values["power_demand_growth"],
                    lag=lag,
                )
            )
            continue
        if name == "nhs":
            response = f["response"]
            drift = response * (c.nhs_budget_growth - f["demand_growth"]) / 100.0
        elif name == "opportunity":
            p = f["start_level"] / 100.0
            response = values["early_years_response"] / 100.0 / (p * (1 - p)) / np.log(2.0)
            drift = 0.0
        elif name == "safe_streets":
            response = values["police_elasticity"]
            drift = f["drift"]
        elif name == "growth":  # pp a year of growth per unit of ln capacity while it builds
            response = values["growth_investment_effect"] * c.growth_investment_share / 4.0
            drift = 0.0
        else:
            raise ValueError(f"no delivery law is declared for mission {name!r}")
        out.append(
            AdjustLaw(
                scale=f["scale"],
                speed=f["speed"],
                noise=f["noise"],
                walk=f["walk"],
                drift=drift,
                response=response,
                lag=lag,
                offset=f["offset"],
                base_share=shares.get(name, 1.0),
            )
        )
    return tuple(out)


BASES = {"nhs": "DHSC", "safe_streets": "HO"}
"""Missions whose response was measured on a whole department's budget: the NHS response is
fitted to total health spending, the police elasticity is per police officer (police funding
is most of the Home Office's budget)."""


def base_shares(model: PartnershipModel) -> dict[str, float]:
    """Per mission in :data:`BASES`: its status-quo mission money ÷ its department's DEL."""
    mins = model.population.ministries
    dels = dict(zip(mins.code, mins.del_gbp_m, strict=True))
    return {
        m: float(4.0 * model.status_quo_mission_budget[MISSIONS.index(m)] / dels[code])
        for m, code in BASES.items()
    }


def build_engines(
    model: PartnershipModel, fitted: data.DeliveryFit | None = None
) -> tuple[PPIEngine, CapacityEngine, Functionaries]:
    """The contribution engine and the capacity engine of a model.

    The contribution engine has one functionary per funded programme and per council ×
    mission; the capacity engine one law per mission.
    """
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
    # Only the contribution step is used: PPI's step sizes and β play no part.
    engine = PPIEngine(
        model.level0,
        np.zeros(k),
        np.zeros(k),
        np.ones(k),
        data.spillover_matrix(),
        indicator,
        model.streams.indicators,
        initial_allocation=p0,
        audit_group=group,
        lower=np.zeros(k),
        upper=np.ones(k),
    )
    fit = fitted or data.delivery_fit()
    start = np.array([m.baseline for m in model.missions])
    capacity = CapacityEngine(
        laws(model.spec.values, model.assumptions, fit, base_shares(model)),
        start,
        fit.reference,
        model.spec.values["returns_concavity"],
        model.streams.delivery,
    )
    # Places move in units of each mission's typical quarterly change (normalised scale).
    engine.alphas = np.array(
        [
            _typical_step(law, m, capacity.real[j])
            for j, (law, m) in enumerate(zip(capacity.laws, model.missions, strict=True))
        ]
    )
    return engine, capacity, Functionaries(fm, fj, n_la)


def _typical_step(law: Law, mission: data.Mission, value: float) -> float:
    """A mission's typical quarterly change at ``value``, on the normalised 0–1 scale."""
    span = mission.upper_bound - mission.lower_bound
    if isinstance(law, StockLaw):
        return law.build / 4.0 * 100.0 / span
    x = float(to_scale(value, law.scale))
    eps = 1e-4
    slope = (float(from_scale(x + eps, law.scale)) - float(from_scale(x - eps, law.scale))) / (
        2 * eps
    )
    return abs(slope) * float(np.hypot(law.noise, law.walk)) / span


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
    q.result = model.engine.contribute(
        P,
        monitoring=model.monitoring,
        rule_of_law=u["rule_of_law"],
        effectiveness=q.effectiveness,
        private=q.private,
        workforce=q.workforce,
        spillover_scale=u["spillover_strength"],
    )
    q.drive = mission_drive(model, q)
    q.delivery = model.capacity.step(q.drive, q.capacity)
    levels = np.array([m.to_level(v) for m, v in zip(model.missions, q.delivery.real, strict=True)])
    model.engine.observe(levels)


def mission_drive(model: PartnershipModel, q: Quarter) -> np.ndarray:
    """Each mission's drive: effective money reaching it, × the union workforce factor, £m.

    Programme and devolved money weighted by each functionary's effectiveness (capability,
    coordination, local knowledge), plus the private contribution of active projects. PPI's
    contribution step decides how much of the money is diverted (recorded in the ledger), but
    its learning noise is not capacity: across seeds it moves a mission's contribution by
    15–40 % within a few years, against 7–11 % for the money itself, so the drive is built on
    the money (see docs/ODD.md §7.8).
    """
    k = len(MISSIONS)
    money = np.bincount(
        model.engine.ind, weights=q.effectiveness * q.allocation_vector, minlength=k
    )
    return q.workforce * (money + q.private)
