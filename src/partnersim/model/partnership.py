"""PartnershipModel: the national mission partnership as a Mesa model.

``scenario → population → coordination network → Mesa agents``, then one quarter per
:meth:`PartnershipModel.step`, which runs the :data:`PHASES` in order. Each phase is a function
``phase(model, quarter)`` in the module of the actor or mechanism it belongs to; it acts on
whole populations at once and passes what later phases need in the quarter's record
(:class:`~partnersim.model.quarter.Quarter`). The model never reads files or prints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenarioBase

from partnersim import data
from partnersim.model import capability, delivery, interaction, ledger, shocks
from partnersim.model.agents import (
    Business,
    Centre,
    LocalAuthority,
    Ministry,
    Union,
    business,
    centre,
    local_authority,
    ministry,
    union,
)
from partnersim.model.agents.base import PartnershipAgent
from partnersim.model.ledger import Ledger
from partnersim.model.mesa_bridge import MesaScenario, values_of
from partnersim.model.metrics import Recorder
from partnersim.model.network import build_coordination_network
from partnersim.model.population import build_population
from partnersim.model.quarter import LeverSchedule, LeverValues, Quarter
from partnersim.model.streams import Streams
from partnersim.schema.levers import LEVER_NAMES, timing_lever
from partnersim.schema.scenario import Scenario

if TYPE_CHECKING:
    import networkx as nx

Phase = Callable[["PartnershipModel", Quarter], None]
"""One phase of a quarter: reads the model and the quarter's record, writes what follows."""

PHASES: tuple[Phase, ...] = (
    shocks.apply_shock,
    ministry.govern,
    capability.invest,
    centre.monitor,
    interaction.read_ties,
    centre.allocate_budgets,
    business.settle_projects,
    business.start_projects,
    centre.fund_programmes,
    union.take_stances,
    delivery.deliver,
    local_authority.update_places,
    interaction.update_trust,
    centre.broker_ties,
    ledger.close_accounts,
)
"""The phases of one quarter, in order (listed in docs/ODD.md §3, checked by a test)."""


class PartnershipModel(mesa.Model):
    """The national mission partnership: Centre, ministries, councils, unions and firms.

    Construct from a :class:`~partnersim.schema.scenario.Scenario` (or Mesa's ``Scenario``), or
    from plain keyword arguments named as the levers, uncertainties and scale parameters
    (validated by the same schema), so that Mesa's ``batch_run`` and SolaraViz can drive it::

        PartnershipModel(Scenario.from_toml("scenarios/mission_driven.toml"), rng=1)
        PartnershipModel(rng=1, orchestration=0.8, risk_share=0.4)

    Args:
        scenario: the scenario; defaults to the status quo (declared defaults).
        rng: seed or generator; the single source of every random draw in the run.
        fitted: delivery laws fitted to history and the status quo's reference drive, to use
            instead of the shipped ``data/delivery.toml`` (for calibration).
        **params: parameter values overriding the scenario's (``start_steps`` as a mapping).

    Attributes:
        spec: the validated partnersim scenario (``scenario`` is its Mesa view).
        population: every actor's state arrays.
        network: the coordination network (arrays); ``graph`` is its networkx view.
        engine: the PPI contribution engine; ``engine.I`` holds the indicators' levels.
        capacity: the capacity engine that moves the indicators (one law per mission).
        recorder: outcomes recorded at step 0 and after every step.
        ledger: this quarter's money flows and the run's totals.
        quarter: the record of the last quarter simulated (``None`` before the first step).
        levers: the levers in force (the status-quo defaults before the first step); each is
            also an attribute named as the lever (``model.orchestration``).
    """

    def __init__(
        self,
        scenario: Scenario | MesaScenarioBase | None = None,
        *,
        rng: Any = None,
        fitted: data.DeliveryFit | None = None,
        **params: Any,
    ):
        if "seed" in params:  # Mesa's deprecated spelling
            seed = params.pop("seed")
            rng = seed if rng is None else rng
        if isinstance(scenario, MesaScenarioBase):  # e.g. rebuilt by Mesa's SolaraViz
            rng = scenario.rng if rng is None else rng
            scenario = Scenario.from_kwargs(**{**values_of(scenario), **params})
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
        self.assumptions = data.assumptions(scenario.assumptions)
        """The constants in force: ``data/assumptions.toml`` with the scenario's overrides."""
        self.missions = data.missions()
        values = scenario.values
        self.lever_schedule = LeverSchedule(scenario)
        self.withdrawn: set[str] = set()
        """Levers withdrawn at a fiscal event (status quo from then on)."""
        self.population = build_population(values, self.rng, self.assumptions)
        self.network = build_coordination_network(self.population, self.rng, self.assumptions)
        self.streams = Streams.spawn(self.rng)
        self._setup_missions()
        self._setup_budgets()
        self._setup_edges()
        self.engine, self.capacity, self.functionaries = delivery.build_engines(self, fitted)
        self._create_agents()
        self.monitoring = values["monitoring_quality"]
        self.ledger = Ledger()
        self.ledger.output = self.ledger.baseline_output = data.fiscal().gdp_gbp_bn * 1000.0
        self.quarter: Quarter | None = None
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
    def datacollector(self) -> mesa.DataCollector:
        """A Mesa ``DataCollector`` view of the recorded outcomes (used by ``batch_run``)."""
        return self.recorder.as_datacollector()

    @property
    def graph(self) -> nx.Graph:
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
        self.local_delivery_share = np.array([m.local_delivery_share for m in ms])
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
        self.mission_overlap = 1.0 - (self.status_quo_programme_share**2).sum(axis=0)
        """Per mission: 1 − the Herfindahl index of the ministries funding it (0: one)."""
        fy = int(self.assumptions.budget.fiscal_year_start_quarter)
        self.fiscal_year_steps = {
            t
            for t in range(1, self.spec.values["steps"] + 1)
            if int(data.quarter_of_step(t)[-1]) == fy
        }

    def _setup_edges(self) -> None:
        self.ties = interaction.build_tie_index(self.network, self.population)
        self.coordination0 = interaction.aggregate_ties(
            self.network, self.ties
        ).ministry_coordination
        """Each ministry's coordination with other ministries and the Centre at the start."""
        unions = self.population.unions
        self.union_main_mission = unions.missions.argmax(axis=1) if unions.n else np.zeros(0, int)
        """Each union's main mission (the one most of its members serve)."""

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

    @property
    def levers(self) -> LeverValues:
        """The levers in force this quarter (the status-quo defaults before the first step)."""
        return self.quarter.levers if self.quarter is not None else self.lever_schedule.at(0)

    def levers_at(self, step: int) -> LeverValues:
        """The levers in force during quarter ``step`` (1-based), given the withdrawals so far."""
        return self.lever_schedule.at(step, self.withdrawn)

    def __getattr__(self, name: str) -> Any:
        # Each scheduled lever reads as the value in force (same name as the TOML key and the
        # results column); the timing lever as the scenario's start quarter.
        if name in LEVER_NAMES:
            return self.levers[name]
        if name == timing_lever().name:
            return self.spec.start
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

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
        """Advance one quarter: run every phase of :data:`PHASES` in order, then record."""
        t = self.steps
        q = Quarter(
            step=t, levers=self.lever_schedule.at(t), fiscal_year_start=t in self.fiscal_year_steps
        )
        for phase in PHASES:
            phase(self, q)
        self.quarter = q
        self.recorder.collect(self)
        if t >= self.spec.values["steps"]:
            self.running = False
