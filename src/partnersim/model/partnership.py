"""PartnershipModel: the national mission partnership as a Mesa model.

``scenario → population → coordination network → Mesa agents``, then one quarter per
:meth:`PartnershipModel.step`. The per-step rules live in :mod:`partnersim.model.agents` (one
module per actor) and :mod:`partnersim.model.indicators` (the PPI engine) and act on whole
populations at once; this module only orders them. The model never reads files or prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as _MesaScenarioBase

from partnersim import data
from partnersim.data import MISSIONS
from partnersim.model.agents import Business, Centre, LocalAuthority, Ministry, Union
from partnersim.model.agents import business as business_rules
from partnersim.model.agents import centre as centre_rules
from partnersim.model.agents import local_authority as la_rules
from partnersim.model.agents import ministry as ministry_rules
from partnersim.model.agents import union as union_rules
from partnersim.model.agents.base import PartnershipAgent, update_capability
from partnersim.model.indicators import PPIEngine, StepResult
from partnersim.model.interaction import (
    aggregate_ties,
    build_tie_index,
    drop_weak_ties,
    learn_trust,
)
from partnersim.model.metrics import Recorder
from partnersim.model.network import build_coordination_network
from partnersim.model.population import build_population
from partnersim.schema.levers import LEVER_NAMES, PARAMETERS
from partnersim.schema.scenario import Scenario

K = len(MISSIONS)
_TINY = 1e-9  # PPI needs positive allocations; unfunded functionaries get a negligible one.


@dataclass(frozen=True, slots=True)
class LeverValues:
    """The levers in force in one quarter (status-quo defaults before each lever's start)."""

    political_backing: float
    orchestration: float
    partnership: float
    risk_share: float
    reward_share: float
    conditionality: float
    finance_alignment: float
    capability_investment: float
    devolution: float
    finance_effective: float = 0.0
    """finance_alignment as delivered through HM Treasury's alignment."""


@dataclass(frozen=True, slots=True)
class Streams:
    """Independent random streams per mechanism, all spawned from the model's one generator.

    Every mechanism draws a fixed number of values per quarter from its own stream, so two
    scenarios run on the same seed keep their random numbers aligned mechanism by mechanism
    (common random numbers): a lever that changes how many firms invest does not shift the
    draws of union stances or indicator successes.
    """

    budgets: np.random.Generator
    projects: np.random.Generator
    outcomes: np.random.Generator
    unions: np.random.Generator
    indicators: np.random.Generator
    trust: np.random.Generator
    brokerage: np.random.Generator

    @classmethod
    def spawn(cls, rng: np.random.Generator) -> Streams:
        """Derive the streams from ``rng`` (deterministically)."""
        return cls(*rng.spawn(7))


@dataclass(slots=True)
class Ledger:
    """Money and events of the current quarter (flows) and of the run so far (totals), £m."""

    public_spend: float = 0.0
    programme: float = 0.0
    contributed: float = 0.0
    diverted: float = 0.0
    capability_spend: float = 0.0
    overhead: float = 0.0
    coinvest: float = 0.0
    private: float = 0.0
    guarantee_cost: float = 0.0
    guarantee_payouts: float = 0.0
    coinvest_losses: float = 0.0
    coinvest_gains: float = 0.0
    receipts: float = 0.0
    repayments: float = 0.0
    released_held: float = 0.0
    envelope: float = 0.0
    projects_started: int = 0
    project_successes: int = 0
    project_failures: int = 0
    cancellations: int = 0
    brokered: int = 0
    dropped: int = 0
    disputes_started: int = 0
    totals: dict[str, float] = field(default_factory=dict)

    def close_quarter(self) -> None:
        """Add this quarter's flows to the run totals."""
        for name in (
            "public_spend",
            "private",
            "coinvest",
            "guarantee_cost",
            "guarantee_payouts",
            "coinvest_losses",
            "coinvest_gains",
            "receipts",
            "capability_spend",
            "overhead",
            "programme",
            "diverted",
            "projects_started",
            "brokered",
            "dropped",
            "disputes_started",
        ):
            self.totals[name] = self.totals.get(name, 0.0) + getattr(self, name)


class MesaScenario(_MesaScenarioBase):
    """Mesa's ``Scenario`` view of a partnersim scenario, so Mesa's own tools can use it.

    Mesa's SolaraViz reads ``model.scenario`` to rebuild a model when a control changes; this
    class gives it Mesa's interface (class-level defaults, keyword construction) while every
    value is validated by partnersim's schema. Attributes Mesa's class does not have (such as
    ``content_hash``, ``to_toml`` or ``evolve``) are those of the validated scenario, ``spec``.
    """

    def __init__(self, *, rng: Any = None, spec: Scenario | None = None, **values: Any):
        spec = spec if spec is not None else Scenario.from_kwargs(**values)
        super().__init__(rng=rng, **dict(spec.values))
        self.__dict__["_spec"] = spec

    @property
    def spec(self) -> Scenario:
        """The validated partnersim scenario."""
        return self.__dict__["_spec"]

    def __getattr__(self, name: str) -> Any:
        spec = self.__dict__.get("_spec")
        if spec is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(spec, name)

    def __iter__(self):
        return ((k, v) for k, v in self.__dict__.items() if k != "_spec")

    def __len__(self) -> int:
        return len(self.__dict__) - ("_spec" in self.__dict__)


# Mesa collects a Scenario subclass's defaults from class-level annotations.
for _name, _param in PARAMETERS.items():
    MesaScenario.__annotations__[_name] = _param.kind
    setattr(MesaScenario, _name, _param.default)
MesaScenario._scenario_defaults = {n: p.default for n, p in PARAMETERS.items()}


class PartnershipModel(mesa.Model):
    """The national mission partnership: Centre, ministries, councils, unions and firms.

    Construct from a :class:`~partnersim.schema.scenario.Scenario` (or Mesa's ``Scenario``), or from
    plain keyword arguments named as the levers, uncertainties and scale parameters (validated
    by the same schema), so that Mesa's ``batch_run`` and SolaraViz can drive it::

        PartnershipModel(Scenario.from_toml("scenarios/mission_driven.toml"), rng=1)
        PartnershipModel(rng=1, orchestration=0.8, risk_share=0.4)

    Args:
        scenario: the scenario; defaults to the status quo (declared defaults).
        rng: seed or generator; the single source of every random draw in the run.
        structural: PPI structural parameters (α, α′, β) to use instead of the shipped
            calibrated ones (for calibration and sensitivity studies).
        **params: parameter values overriding the scenario's (``start_steps`` as a mapping).

    Attributes:
        spec: the validated partnersim scenario (``scenario`` is its Mesa view).
        population: every actor's state arrays.
        network: the coordination network (arrays); ``graph`` is its networkx view.
        engine: the PPI indicator engine.
        recorder: outcomes recorded at step 0 and after every step.
        ledger: this quarter's money flows and the run's totals.
    """

    def __init__(
        self,
        scenario: Scenario | _MesaScenarioBase | None = None,
        *,
        rng: Any = None,
        structural: data.StructuralParameters | None = None,
        **params: Any,
    ):
        if "seed" in params:  # Mesa's deprecated spelling
            seed = params.pop("seed")
            rng = seed if rng is None else rng
        if isinstance(scenario, _MesaScenarioBase):  # e.g. rebuilt by Mesa's SolaraViz
            mesa_values = {k: v for k, v in scenario if k not in ("rng", "model", "_spec")}
            rng = scenario.rng if rng is None else rng
            scenario = Scenario.from_kwargs(**{**mesa_values, **params})
            params = {}
        if scenario is None:
            scenario = Scenario.from_kwargs(**params)
        elif params:
            scenario = scenario.evolve(**params)
        super().__init__(rng=rng)
        self.spec: Scenario = scenario
        """The validated partnersim scenario this model runs."""
        self._scenario = MesaScenario(rng=self._seed, spec=scenario)
        self._scenario.model = self
        self.assumptions = data.assumptions()
        self.missions = data.missions()
        values = scenario.values
        self._schedule = {
            name: (PARAMETERS[name].default, values[name], scenario.lever_start(name))
            for name in LEVER_NAMES
        }

        self.population = build_population(values, self.rng)
        self.network = build_coordination_network(self.population, self.rng)
        self.streams = Streams.spawn(self.rng)
        self._setup_missions()
        self._setup_budgets()
        self._setup_edges()
        self._setup_engine(structural or data.structural_parameters())
        self._create_agents()
        self.monitoring = values["monitoring_quality"]
        self.ledger = Ledger()
        self.last = None  # the last engine StepResult
        self.last_allocation = None  # P the engine received last step (£bn per functionary)
        self.levers_now = self.levers_at(0)
        self.recorder = Recorder(self, values["steps"])
        self.recorder.collect(self)

    # -- Mesa integration ---------------------------------------------------------------------

    @property
    def scenario(self) -> MesaScenario:
        """The scenario as Mesa sees it; its ``spec`` is the validated partnersim scenario.

        Values read as attributes (``model.scenario.orchestration``), as do the partnersim
        scenario's (``model.scenario.content_hash``).
        """
        return self._scenario

    @scenario.setter
    def scenario(self, value: Any) -> None:
        # Mesa's base class assigns its own default Scenario during __init__; the bridge set
        # right after it replaces it.
        self._scenario = value

    @property
    def datacollector(self):
        """A Mesa ``DataCollector`` view of the recorded outcomes (used by ``batch_run``)."""
        return self.recorder.as_datacollector()

    @property
    def graph(self):
        """The coordination network as a ``networkx.Graph`` (kept in sync on access)."""
        return self.network.to_networkx()

    # -- setup ----------------------------------------------------------------------------------

    def _setup_missions(self) -> None:
        ms = self.missions
        self.level0 = np.array([m.to_level(m.baseline) for m in ms])
        self.target_level = np.array([m.to_level(m.target) for m in ms])
        self.deadline_step = np.array([m.deadline_step for m in ms])
        self.gap0 = np.maximum(self.target_level - self.level0, 1e-9)
        self.private_impact = np.array([m.private_impact for m in ms])
        totals = data.union_totals()
        public_share = data.mission_public_share()
        self.union_density = (
            public_share * totals["public_density"] + (1 - public_share) * totals["private_density"]
        )

    def _setup_budgets(self) -> None:
        mins = self.population.ministries
        departmental = mins.quarterly_budget[:, None] * mins.programmes
        self.status_quo_mission_budget = departmental.sum(axis=0)
        self.status_quo_programme_share = departmental / self.status_quo_mission_budget
        fy = int(self.assumptions.budget.fiscal_year_start_quarter)
        self._fiscal_year_steps = {
            t
            for t in range(1, self.spec.values["steps"] + 1)
            if int(data.quarter_of_step(t)[-1]) == fy
        }

    def _setup_edges(self) -> None:
        self.ties = build_tie_index(self.network, self.population)
        self.tie_state = aggregate_ties(self.network, self.ties)
        self._coordination0 = self.tie_state.ministry_coordination
        unions = self.population.unions
        self._union_main_mission = unions.missions.argmax(axis=1) if unions.n else np.zeros(0, int)

    def _setup_engine(self, sp: data.StructuralParameters) -> None:
        pop = self.population
        mins, las = pop.ministries, pop.local_authorities
        fm, fj = np.nonzero(self.status_quo_programme_share > 0)
        self._fun_ministry, self._fun_mission = fm, fj
        n_la = las.n
        la_mission = np.tile(np.arange(K), n_la)
        ind = np.concatenate([fj, la_mission])
        group = np.concatenate([np.zeros(len(fm), dtype=int), np.ones(n_la * K, dtype=int)])
        p0 = np.concatenate(
            [
                (mins.quarterly_budget[:, None] * mins.programmes)[fm, fj],
                np.full(n_la * K, _TINY),
            ]
        )
        self.engine = PPIEngine(
            self.level0,
            sp.alphas,
            sp.alphas_prime,
            sp.betas,
            data.spillover_matrix(),
            ind,
            self.streams.indicators,
            initial_allocation=p0,
            audit_group=group,
            lower=np.zeros(K),
            upper=np.ones(K),
        )

    def _create_agents(self) -> None:
        pop = self.population
        agents: list[PartnershipAgent] = [Centre(self, 0, 0)]
        for cls, rows in (
            (Ministry, pop.ministries),
            (LocalAuthority, pop.local_authorities),
            (Union, pop.unions),
            (Business, pop.businesses),
        ):
            agents.extend(cls(self, int(node), i) for i, node in enumerate(rows.node.tolist()))
        self.agent_of_node = agents

    # -- levers and mission state ---------------------------------------------------------------

    def levers_at(self, step: int) -> LeverValues:
        """The levers in force during quarter ``step`` (1-based; 0 is the starting state)."""
        quarter = step - 1
        values = {
            name: (value if quarter >= start else default)
            for name, (default, value, start) in self._schedule.items()
        }
        return LeverValues(**values)

    def relative_gap(self) -> np.ndarray:
        """Remaining gap to each target relative to the starting gap (≤ 0 once met)."""
        return (self.target_level - self.engine.I) / self.gap0

    def mission_lag(self) -> np.ndarray:
        """How far each mission is behind a straight path to its target (0–1, share of gap)."""
        t = self.steps
        frac = np.clip(t / np.maximum(self.deadline_step, 1), 0.0, 1.0)
        required = self.level0 + frac * (self.target_level - self.level0)
        return np.clip((required - self.engine.I) / self.gap0, 0.0, 1.0)

    # -- one quarter ---------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one quarter (DESIGN §5, in the order of the ODD's process overview)."""
        t = self.steps
        a = self.assumptions
        u = self.spec.values
        pop = self.population
        mins, las, uns, biz, centre = (
            pop.ministries,
            pop.local_authorities,
            pop.unions,
            pop.businesses,
            pop.centre,
        )
        ledger = self.ledger
        lev = self.levers_at(t)

        # 1. Shocks.
        hurdle_shock, capacity_cut = self._apply_shock(t)

        # 2. Ministries: alignment, Treasury, stop–go budgets, reneging.
        ministry_rules.update_alignment(mins, lev.political_backing, a.governance.alignment_rate)
        fa = ministry_rules.effective_finance_alignment(lev.finance_alignment, mins)
        lev = replace(lev, finance_effective=fa)
        self.levers_now = lev
        fiscal_start = t in self._fiscal_year_steps
        if fiscal_start:
            ministry_rules.fiscal_year_shocks(mins, self.streams.budgets, a.budget.stop_go_sd, fa)
        ministry_rules.draw_reneging(mins, self.streams.budgets)

        # 3. Capability and monitoring.
        cap = a.capability
        k = lev.capability_investment
        mins.capability = update_capability(
            mins.capability,
            mins.capability0,
            k,
            cap.gain,
            cap.reference_investment,
            cap.depreciation,
        )
        centre.capability = float(
            update_capability(
                centre.capability,
                centre.capability0,
                k,
                cap.gain,
                cap.reference_investment,
                cap.depreciation,
            )
        )
        las.capability = update_capability(
            las.capability, las.capability0, k, cap.gain, cap.reference_investment, cap.depreciation
        )
        self.monitoring = centre_rules.monitoring_quality(
            u["monitoring_quality"], lev, centre.capability, a.governance.monitoring_gain
        )

        # 4. Budgets: envelopes, capability, pooling, co-investment offers.
        alloc = centre_rules.allocate_budgets(self, lev)

        # 5. Projects: settle those ending, then firms decide on new ones.
        ties = self.tie_state = aggregate_ties(self.network, self.ties)
        coordination, public_trust = ties.business_coordination, ties.business_trust
        cancel = np.zeros(biz.n, dtype=bool)
        if fiscal_start and biz.n:
            cut = mins.budget_shock < 0.97
            p_cancel = a.budget.cancel_prob * (1.0 - fa)
            cancel = cut[biz.lead_ministry] & (self.streams.outcomes.random(biz.n) < p_cancel)
        settlement = business_rules.settle_projects(self, cancel)
        mission_capability = mins.capability @ self.status_quo_programme_share
        success = business_rules.success_probability(
            u["project_success_prob"],
            coordination,
            mission_capability[biz.mission],
            fa,
            a.contracting,
            cap.reference,
        )
        starts = business_rules.consider_projects(
            self, lev, success, public_trust, alloc.coinvest_offer, hurdle_shock
        )
        centre_rules.finish_allocation(self, alloc, starts.coinvest, lev)

        # 6. Unions: cooperation or dispute.
        inclusion, union_trust = ties.union_inclusion, ties.union_trust
        worker_share = lev.conditionality * self._participation_by_mission()
        before = uns.dispute_left > 0
        union_rules.update_stance(
            uns, union_trust, inclusion, worker_share, self.streams.unions, a.unions
        )
        ledger.disputes_started = int(((uns.dispute_left > 0) & ~before).sum())
        workforce = union_rules.workforce_factor(uns, self.union_density, a.unions) * capacity_cut

        # 7. Public contribution and indicators (PPI engine).
        la_devolved = alloc.la_programme
        las.devolved = la_devolved
        P = np.concatenate(
            [
                alloc.programme[self._fun_ministry, self._fun_mission],
                la_devolved.ravel(),
            ]
        )
        P = np.maximum(P, _TINY)
        coord = ties.ministry_coordination
        m_eff = ministry_rules.effectiveness(
            mins.capability,
            cap.reference,
            coord,
            self._coordination0,
            a.governance.coordination_effect,
        )
        l_eff = la_rules.effectiveness(
            las.capability, cap.reference, a.governance.local_knowledge_bonus
        )
        eff = np.concatenate([m_eff[self._fun_ministry], np.repeat(l_eff, K)])
        private = business_rules.private_contribution(
            biz,
            self.private_impact,
            a.contracting.conditionality_impact,
            a.contracting.project_quarters,
        )
        level_before = self.engine.I.copy()
        res = self.engine.step(
            P,
            monitoring=self.monitoring,
            rule_of_law=u["rule_of_law"],
            effectiveness=eff,
            private=private,
            workforce=workforce,
            spillover_scale=u["spillover_strength"],
        )
        self.last = res
        self.last_allocation = P
        self.private_input = private

        # 8. Places.
        if las.n:
            n_m = len(self._fun_ministry)
            contrib = eff * res.contributions
            central = np.bincount(self._fun_mission, contrib[:n_m], K)
            devolved = contrib[n_m:].reshape(las.n, K)
            improved = la_rules.update_local_levels(
                las,
                self.engine.I - level_before,
                central,
                devolved,
                self.engine.alphas,
                a.places.convergence,
            )
        else:
            improved = np.zeros(0, dtype=bool)

        # 9. Trust, dropped ties and brokerage.
        self._update_trust(lev, res, settlement, improved)
        ledger.brokered = centre_rules.broker_ties(self, lev)

        # 10. Fiscal account.
        centre.held += settlement.receipts + settlement.repayments + settlement.coinvest_gains
        self._account(alloc, starts, settlement, res, P)
        self.recorder.collect(self)
        if t >= u["steps"]:
            self.running = False

    def _participation_by_mission(self) -> np.ndarray:
        """Capacity-weighted share of firms with an active project, per mission."""
        biz = self.population.businesses
        active = biz.quarters_left > 0
        total = np.bincount(biz.mission, biz.capacity, K)
        part = np.bincount(biz.mission[active], biz.capacity[active], K)
        return np.divide(part, total, out=np.zeros(K), where=total > 0)

    def _apply_shock(self, t: int) -> tuple[float, np.ndarray]:
        """Apply the scenario's shock; return the hurdle rise and the capacity factor."""
        u = self.spec.values
        s = self.assumptions.shocks
        capacity = np.ones(K)
        if u["shock"] == "none":
            return 0.0, capacity
        start = u["shock_step"] + 1
        size = u["shock_size"]
        if t == start:
            cuts = {
                "energy_price": {"growth": s.energy_growth_cut},
                "pandemic": {
                    "nhs": s.pandemic_nhs_cut,
                    "opportunity": s.pandemic_opportunity_cut,
                    "growth": s.pandemic_growth_cut,
                },
            }[u["shock"]]
            for name, cut in cuts.items():
                i = MISSIONS.index(name)
                m = self.missions[i]
                span = m.upper_bound - m.lower_bound
                self.engine.shift(i, -size * cut / span)
        lasting = start <= t < start + int(s.duration)
        if lasting and u["shock"] == "energy_price":
            return size * s.energy_hurdle_rise, capacity
        if lasting and u["shock"] == "pandemic":
            capacity[MISSIONS.index("nhs")] = 1.0 - size * s.pandemic_capacity_cut
        return 0.0, capacity

    def _update_trust(self, lev: LeverValues, res: StepResult, settlement, improved) -> None:
        """Decide which ties worked together and on what outcome, then learn, decay and drop."""
        net, idx = self.network, self.ties
        u = self.spec.values
        a = self.assumptions.network
        rng = self.streams.trust
        E = net.n_edges
        interacted = np.zeros(E, dtype=bool)
        outcome = np.zeros(E)
        success = res.success.astype(float)
        mins = self.population.ministries
        # Government: joint work on pooled budgets (ministry pairs) and oversight (Centre).
        pooled = lev.orchestration * (1.0 - mins.reneged.mean())
        e = idx.ministry_pairs
        interacted[e] = rng.random(len(e)) < 0.1 + pooled
        outcome[e] = success[net.mission[e]]
        e = idx.centre_ministry
        interacted[e] = rng.random(len(e)) < 0.5 + 0.5 * lev.orchestration
        outcome[e] = success[net.mission[e]]
        # Councils: delivering together; outcome is the council's local improvement.
        if len(idx.council) and len(improved):
            e = idx.council
            interacted[e] = rng.random(len(e)) < 0.25 + lev.devolution
            outcome[e] = improved[idx.council_row]
        # Firms: ties with their public partners learn at project outcomes and are kept up
        # (neither learn nor decay) while a project runs.
        busy = np.zeros(E, dtype=bool)
        if len(idx.business_public):
            e, rows = idx.business_public, idx.business_public_row
            result = settlement.outcome[rows]
            done = ~np.isnan(result)
            interacted[e[done]] = True
            outcome[e[done]] = result[done]
            busy[e] = self.population.businesses.quarters_left[rows] > 0
        # Unions: cooperating unions share in mission success; disputes sour every tie.
        uns = self.population.unions
        if len(idx.union_edges):
            e, who = idx.union_edges, idx.union_row
            dispute = uns.dispute_left[who] > 0
            interacted[e] = uns.cooperating[who] | dispute
            main = self._union_main_mission[who]
            outcome[e] = np.where(dispute, a.dispute_trust_outcome, success[main])
        learn_trust(net, interacted, outcome, busy, u["trust_learning_rate"], u["trust_decay"])
        self.ledger.dropped = drop_weak_ties(net, rng.random(E), a.drop_trust, a.drop_prob)

    def _account(self, alloc, starts, settlement, res: StepResult, P: np.ndarray) -> None:
        ledger = self.ledger
        n_m = len(self._fun_ministry)
        programme = float(alloc.programme.sum() + alloc.la_programme.sum())
        ledger.programme = programme
        funded = P > _TINY
        funded[:n_m] = True
        ledger.contributed = float(res.contributions[funded].sum())
        ledger.diverted = programme - ledger.contributed
        ledger.capability_spend = float(alloc.capability_spend.sum())
        ledger.overhead = float(alloc.overhead)
        ledger.coinvest = float(starts.coinvest.sum())
        ledger.public_spend = programme + ledger.capability_spend + ledger.overhead
        ledger.private = float(starts.private.sum())
        ledger.guarantee_cost = float(starts.guarantee_cost.sum())
        ledger.guarantee_payouts = float(settlement.guarantee_payouts.sum())
        ledger.coinvest_losses = float(settlement.coinvest_losses.sum())
        ledger.coinvest_gains = float(settlement.coinvest_gains.sum())
        ledger.receipts = float(settlement.receipts.sum())
        ledger.repayments = float(settlement.repayments.sum())
        ledger.released_held = float(alloc.released_held)
        ledger.projects_started = int(starts.started.sum())
        ledger.project_successes = settlement.successes
        ledger.project_failures = settlement.failures
        ledger.cancellations = settlement.cancellations
        ledger.envelope = float(alloc.envelope.sum())
        ledger.close_quarter()


def _lever_in_force(name: str) -> property:
    def value(self: PartnershipModel) -> float:
        return getattr(self.levers_now, name)

    value.__doc__ = (
        f"``{name}`` in force this quarter: the scenario's value from the lever's start, the "
        "status-quo default before it (same name as the TOML key and the results column)."
    )
    return property(value)


for _name in LEVER_NAMES:
    setattr(PartnershipModel, _name, _lever_in_force(_name))
PartnershipModel.start_step = property(
    lambda self: self.spec.values["start_step"],
    doc="``start_step``: the quarter from which the levers take their scenario values.",
)
