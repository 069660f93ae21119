"""Declarations of every scenario parameter: levers, uncertainties, scale and run length.

This module is the single source of truth for the names, types, ranges, defaults, units,
mechanisms and sources of everything a scenario file can set. The scenario schema
(:mod:`partnersim.schema.scenario`), the model's keyword arguments, the dashboard controls,
the sweep designs and the EMA Workbench bridge are all generated from these declarations; nothing
redeclares them.

Vocabulary follows exploratory modelling: *levers* are what government chooses (the eight
recommendations of *Mission Critical 01*), *uncertainties* are what it does not control, and
*scale* sets the size of the simulated partnership. Every lever's default is its value in the
status-quo ("Westminster default") scenario; before a lever's start step the model uses that
default, so "from day one" versus "from year two" is a comparison of start steps.

Declarations live in one registry. ``LEVERS``, ``UNCERTAINTIES``, ``SCALE``, ``RUN``,
``PARAMETERS``, ``LEVER_NAMES`` and ``SECTIONS`` are live, read-only views of it, so a
parameter added with :func:`declare` (an extension, or a test) reaches every reader. Rules
that involve more than one value are data too (:data:`RULES`), beside the declarations, and
behaviour never depends on a parameter's name: the lever that times the others is the one
declared ``timing=True``, and values that are quarters of the run say so with ``quarter=True``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from partnersim.data import assumption_table


class Section(StrEnum):
    """The scenario-file table a parameter lives in."""

    LEVERS = "levers"
    UNCERTAINTIES = "uncertainties"
    SCALE = "scale"
    RUN = "run"
    ASSUMPTIONS = "assumptions"
    """Constants of ``data/assumptions.toml``, set by dotted name (not declared here)."""


@dataclass(frozen=True, slots=True)
class Parameter:
    """One declared scenario parameter.

    Attributes:
        name: TOML key, model attribute, dashboard control and results column (one spelling).
        section: scenario-file table the key belongs to.
        kind: Python type of the value: ``float``, ``int``, ``bool`` or ``str``.
        default: value when a scenario does not set it (for levers: the status quo).
        low: inclusive lower bound for numbers, else ``None``.
        high: inclusive upper bound for numbers, else ``None``.
        choices: allowed values for categorical parameters, else ``None``.
        unit: unit of the value, in words.
        label: short human label for controls and figures.
        doc: the mechanism the parameter drives, in a paragraph.
        source: where the value, range or mechanism comes from; ``Assumption`` when it is one.
        recommendation: for levers, the report recommendation the lever represents.
        timing: the lever sets the quarter from which the other levers take their scenario
            values (``start_step``); it is not itself scheduled.
        quarter: the value is a quarter of the run (0 = the first), so it only matters below
            ``run.steps`` and controls bound it by the run length.
        gated_by: the parameter whose non-default value makes this one matter (``shock_step``
            matters only when a ``shock`` is set).
    """

    name: str
    section: Section
    kind: type
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    unit: str = ""
    label: str = ""
    doc: str = ""
    source: str = ""
    recommendation: str = ""
    timing: bool = False
    quarter: bool = False
    gated_by: str | None = None

    @property
    def scheduled(self) -> bool:
        """A lever that takes its scenario value from its start quarter (every lever but timing)."""
        return self.section is Section.LEVERS and not self.timing

    def allowed(self) -> str:
        """Describe the allowed values in words, for error messages and help text."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind is bool:
            return "true or false"
        kind = "an integer" if self.kind is int else "a number"
        return f"{kind} from {_fmt(self.low)} to {_fmt(self.high)}"


def _fmt(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{x:g}" if isinstance(x, float) else f"{x:,}".replace(",", "_")


REPORT = "Mission Critical 01 (UCL IIPP & Future Governance Forum, May 2024)"

_SHIPPED_LEVERS: tuple[Parameter, ...] = (
    Parameter(
        "political_backing",
        Section.LEVERS,
        float,
        0.3,
        0.0,
        1.0,
        unit="share (0 = none, 1 = full PM and Chancellor backing)",
        label="Political backing",
        doc=(
            "How strongly the Prime Minister and Chancellor stand behind the missions. Each "
            "ministry's mission alignment moves 10 % a quarter toward this value; every quarter a "
            "ministry reneges on its pooled contribution with probability silo-ness × "
            "(1 − alignment). HM Treasury's alignment also gates finance_alignment."
        ),
        source=f"{REPORT}, recommendation 1; reneging rule is an assumption.",
        recommendation="Missions first, with PM and Chancellor backing",
    ),
    Parameter(
        "orchestration",
        Section.LEVERS,
        float,
        0.1,
        0.0,
        1.0,
        unit="share of mission programme budget pooled",
        label="Orchestration (Missions Unit)",
        doc=(
            "Share of each ministry's mission programme budget pooled by the Centre into mission "
            "pots, re-weighted toward missions whose remaining gap is largest relative to where "
            "they started; the rest follows historical departmental shares. Pooling costs "
            "coordination losses that shrink with Centre capability. Orchestration also raises "
            "monitoring quality and the rate at which the Centre brokers cross-silo "
            "ministry–ministry ties for lagging missions (both scaled by Centre capability)."
        ),
        source=f"{REPORT}, recommendation 2 (Missions Unit, delivery plans); DESIGN §5.1.",
        recommendation="Whole of government, Missions Unit, delivery plans",
    ),
    Parameter(
        "partnership",
        Section.LEVERS,
        float,
        0.1,
        0.0,
        1.0,
        unit="intensity (0 = none, 1 = full national partnership)",
        label="National partnership",
        doc=(
            "Strength of the national partnership for growth and renewal. It sets the rate at "
            "which the Centre brokers cross-sector ties (ministries and Centre with businesses, "
            "unions and local authorities) for lagging missions, the starting trust of brokered "
            "ties, and the clarity of direction that lowers firms' perceived risk (their hurdle "
            "rate falls by up to 40 %)."
        ),
        source=f"{REPORT}, recommendation 3; hurdle reduction size is an assumption.",
        recommendation="National partnership for growth and renewal",
    ),
    Parameter(
        "risk_share",
        Section.LEVERS,
        float,
        0.1,
        0.0,
        0.8,
        unit="public share of project downside",
        label="Risk share",
        doc=(
            "Share of a failed mission project's loss borne by the public partner. Firms value "
            "the promise at their trust in the public side; realised losses are a fiscal cost."
        ),
        source=f"{REPORT}, recommendation 4; Mazzucato (2013) The Entrepreneurial State.",
        recommendation="Share risks and rewards with business and unions",
    ),
    Parameter(
        "reward_share",
        Section.LEVERS,
        float,
        0.0,
        0.0,
        0.5,
        unit="public share of project upside",
        label="Reward share",
        doc=(
            "Share of a successful project's return taken by the public partner (equity, "
            "royalties, claw-back). It lowers the firm's expected return; public returns flow "
            "back into the mission pots the following quarter."
        ),
        source=f"{REPORT}, recommendation 4; Mazzucato & Rodrik (2023) conditionalities.",
        recommendation="Share risks and rewards with business and unions",
    ),
    Parameter(
        "conditionality",
        Section.LEVERS,
        float,
        0.0,
        0.0,
        1.0,
        unit="strength of conditions on public finance",
        label="Conditionality",
        doc=(
            "Conditions attached to public finance and de-risking (reinvestment, access, fair "
            "work). They cost firms up to 20 % of their upside, raise the mission impact of the "
            "investment by up to 50 %, and give workers a share of project rewards, which raises "
            "union cooperation."
        ),
        source=f"{REPORT}, recommendation 4; Mazzucato & Rodrik (2023); sizes are assumptions.",
        recommendation="Share risks and rewards with business and unions",
    ),
    Parameter(
        "finance_alignment",
        Section.LEVERS,
        float,
        0.2,
        0.0,
        1.0,
        unit="degree of mission alignment of Treasury tools",
        label="Finance alignment (Treasury)",
        doc=(
            "Multi-year pooled mission budgets and outcome-based procurement instead of annual "
            "silo budgets. Effective alignment is this value × (0.5 + 0.5 × HM Treasury's mission "
            "alignment). It damps annual stop–go budget shocks and the project cancellations they "
            "cause, raises project success through outcome-based procurement, and sets the share "
            "of each mission budget offered as public co-investment alongside private projects."
        ),
        source=f"{REPORT}, recommendation 5; stop–go size and co-investment cap are assumptions.",
        recommendation="Treasury mandate, budgets, procurement, public finance institutions",
    ),
    Parameter(
        "capability_investment",
        Section.LEVERS,
        float,
        0.0,
        0.0,
        0.05,
        unit="share of mission programme budget spent on in-house capability",
        label="Capability investment",
        doc=(
            "Share of mission programme budgets spent on in-house delivery capability in the "
            "Centre, ministries and local authorities. Capability rises with diminishing returns "
            "and depreciates back toward its starting level; it multiplies effective public "
            "contribution, project success and the Centre's monitoring and brokerage."
        ),
        source=f"{REPORT}, recommendation 6 (e.g. the Government Digital Service); assumption.",
        recommendation="Invest in governing capability",
    ),
    Parameter(
        "devolution",
        Section.LEVERS,
        float,
        0.05,
        0.0,
        0.6,
        unit="share of mission programme budget devolved to local authorities",
        label="Devolution",
        doc=(
            "Share of mission programme budgets and decision rights passed to local authorities, "
            "split by local need × population. Local effectiveness is relative capability × a "
            "30 % local-knowledge bonus, so low-capacity places underperform unless capability "
            "is invested in them."
        ),
        source=f"{REPORT}, recommendation 7; Guerrero et al. (2022) subnational PPI; assumption.",
        recommendation="Empower communities and devolve",
    ),
    Parameter(
        "start_step",
        Section.LEVERS,
        int,
        0,
        0,
        400,
        unit="quarter (0 = day one)",
        label="Start step",
        doc=(
            "Quarter from which every lever takes its scenario value (0 = day one, 4 = year "
            "two). Before it, levers keep their status-quo defaults. A `[start_steps]` table "
            "overrides the start of individual levers."
        ),
        source=f"{REPORT}, recommendation 8 (set everything in motion from day one).",
        recommendation="From day one",
        timing=True,
        quarter=True,
    ),
)

SHOCKS = ("none", "energy_price", "pandemic")

_SHIPPED_UNCERTAINTIES: tuple[Parameter, ...] = (
    Parameter(
        "business_risk_appetite",
        Section.UNCERTAINTIES,
        float,
        0.5,
        0.05,
        0.95,
        unit="mean of firms' Beta-distributed risk appetite",
        label="Business risk appetite",
        doc="Mean risk appetite of firms; a firm's hurdle rate scales with 1 − appetite.",
        source="Assumption.",
    ),
    Parameter(
        "project_success_prob",
        Section.UNCERTAINTIES,
        float,
        0.6,
        0.2,
        0.95,
        unit="probability",
        label="Base project success probability",
        doc=(
            "Success probability of a mission project with average coordination and capability; "
            "coordination, capability and outcome-based procurement move it up or down."
        ),
        source="Assumption.",
    ),
    Parameter(
        "private_return",
        Section.UNCERTAINTIES,
        float,
        0.4,
        0.05,
        1.0,
        unit="return on success, multiple of capital invested",
        label="Project upside",
        doc="Gross return on a successful project over its life, as a share of capital.",
        source="Assumption.",
    ),
    Parameter(
        "project_loss",
        Section.UNCERTAINTIES,
        float,
        0.5,
        0.1,
        1.0,
        unit="loss on failure, share of capital invested",
        label="Project downside",
        doc="Share of capital lost when a project fails, before any public risk share.",
        source="Assumption.",
    ),
    Parameter(
        "trust_learning_rate",
        Section.UNCERTAINTIES,
        float,
        0.15,
        0.0,
        0.5,
        unit="per interaction",
        label="Trust learning rate",
        doc="Step size with which edge trust moves toward realised outcomes.",
        source="Assumption (learning-rate form after Tomassini & Antonioni).",
    ),
    Parameter(
        "trust_decay",
        Section.UNCERTAINTIES,
        float,
        0.02,
        0.0,
        0.2,
        unit="share of trust lost per quarter without interaction",
        label="Trust decay",
        doc="Unused ties lose this share of their trust each quarter.",
        source="Assumption.",
    ),
    Parameter(
        "spillover_strength",
        Section.UNCERTAINTIES,
        float,
        1.0,
        0.0,
        3.0,
        unit="multiplier on the indicator spillover network",
        label="Spillover strength",
        doc="Scales every weight of the directed spillover network among mission indicators.",
        source="Assumption; network weights are in data/spillovers.toml.",
    ),
    Parameter(
        "monitoring_quality",
        Section.UNCERTAINTIES,
        float,
        0.5,
        0.0,
        1.0,
        unit="PPI q_m (0–1)",
        label="Monitoring quality",
        doc=(
            "Baseline quality of monitoring of public spending (PPI's q_m); orchestration and "
            "Centre capability raise the effective value."
        ),
        source="Policy Priority Inference default q_m = 0.5 (Guerrero & Castañeda).",
    ),
    Parameter(
        "rule_of_law",
        Section.UNCERTAINTIES,
        float,
        0.8,
        0.0,
        1.0,
        unit="PPI r_l (0–1)",
        label="Rule of law",
        doc="Severity with which caught diversion is punished (PPI's r_l).",
        source=(
            "Approximate: UK World Governance Indicators rule-of-law estimate ≈ 1.4 on the "
            "−2.5…2.5 scale, rescaled to 0–1."
        ),
    ),
    Parameter(
        "shock",
        Section.UNCERTAINTIES,
        str,
        "none",
        choices=SHOCKS,
        unit="shock type",
        label="Shock",
        doc=(
            "An exogenous shock: 'energy_price' cuts growth and raises firms' hurdle rates for a "
            "year; 'pandemic' cuts NHS performance, school readiness and growth and cuts NHS "
            "capacity for a year."
        ),
        source="Assumption; sizes in data/assumptions.toml.",
    ),
    Parameter(
        "shock_step",
        Section.UNCERTAINTIES,
        int,
        8,
        0,
        400,
        unit="quarter",
        label="Shock quarter",
        doc="Quarter in which the shock hits.",
        source="Assumption.",
        quarter=True,
        gated_by="shock",
    ),
    Parameter(
        "shock_size",
        Section.UNCERTAINTIES,
        float,
        0.5,
        0.0,
        1.0,
        unit="share of the reference shock",
        label="Shock size",
        doc="Scales the shock relative to its reference size (1 = 2020-scale pandemic).",
        source="Assumption.",
    ),
)

_SHIPPED_SCALE: tuple[Parameter, ...] = (
    Parameter(
        "n_businesses",
        Section.SCALE,
        int,
        1000,
        0,
        1_000_000,
        unit="agents",
        label="Businesses",
        doc=(
            "Business agents, sampled in proportion to turnover by size band; each represents "
            "its share of the UK's 5.6m private-sector businesses."
        ),
        source="DBT Business population estimates 2023 (size mix); agent count is a choice.",
    ),
    Parameter(
        "n_local_authorities",
        Section.SCALE,
        int,
        382,
        0,
        382,
        unit="agents",
        label="Local authorities",
        doc=(
            "Local authority agents: all 382 councils, or a sample proportional to each "
            "nation's count; populations are rescaled so the sample covers the UK."
        ),
        source="LGA council counts (317 England, 32 Scotland, 22 Wales, 11 Northern Ireland).",
    ),
    Parameter(
        "n_unions",
        Section.SCALE,
        int,
        15,
        0,
        15,
        unit="agents",
        label="Unions",
        doc="Trade unions modelled, largest first; membership is rescaled to the UK total.",
        source="DBT Trade union membership 2024 (6.4m members); union list in data/unions.toml.",
    ),
)

_SHIPPED_RUN: tuple[Parameter, ...] = (
    Parameter(
        "steps",
        Section.RUN,
        int,
        40,
        1,
        400,
        unit="quarters",
        label="Quarters simulated",
        doc="Run length; one step is a quarter from 2024Q3, so 40 steps end in 2034Q2.",
        source="DESIGN §5.",
    ),
)

# -- the registry -------------------------------------------------------------------------------

_REGISTRY: dict[str, Parameter] = {}


def declare(*params: Parameter) -> None:
    """Add parameters to the registry (the shipped ones are declared below).

    Every view of this module, and so the scenario schema, the model's lever values and
    attributes, the results columns, the sweep factors, the EMA bridge and the dashboard
    controls, reads the registry when it is used; a parameter declared here reaches all of
    them with no other edit. Declare before building scenarios that use it.

    Raises:
        ValueError: a name is declared twice, a default lies outside its bounds, or a second
            parameter claims ``timing``.
    """
    for p in params:
        if p.name in _REGISTRY:
            raise ValueError(f"parameter {p.name!r} is declared twice")
        if p.kind in (int, float) and not (p.low is not None and p.high is not None):
            raise ValueError(f"{p.name}: a number needs both bounds")
        if p.kind in (int, float) and not (p.low <= p.default <= p.high):
            raise ValueError(f"{p.name}: default {p.default!r} lies outside [{p.low}, {p.high}]")
        if p.choices is not None and p.default not in p.choices:
            raise ValueError(f"{p.name}: default {p.default!r} is not one of its choices")
        if p.timing and any(q.timing for q in _REGISTRY.values()):
            raise ValueError(f"{p.name}: only one lever can set the start of the others")
        if p.gated_by is not None and p.gated_by not in _REGISTRY:
            raise ValueError(f"{p.name}: gated_by names an undeclared parameter {p.gated_by!r}")
        _REGISTRY[p.name] = p


class _SectionView(Sequence[Parameter]):
    """The declared parameters of one section, in declaration order (a live view)."""

    def __init__(self, section: Section):
        self.section = section

    def _items(self) -> tuple[Parameter, ...]:
        return tuple(p for p in _REGISTRY.values() if p.section is self.section)

    def __getitem__(self, index):  # type: ignore[override] - a view, as a tuple slices
        return self._items()[index]

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._items())

    def __repr__(self) -> str:
        return f"<{self.section.value}: {', '.join(p.name for p in self)}>"


class _NameView(Sequence[str]):
    """Names of the scheduled levers (every lever but the timing one), a live view."""

    def _items(self) -> tuple[str, ...]:
        return tuple(p.name for p in _REGISTRY.values() if p.scheduled)

    def __getitem__(self, index):  # type: ignore[override]
        return self._items()[index]

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self) -> Iterator[str]:
        return iter(self._items())

    def __contains__(self, name: object) -> bool:
        p = _REGISTRY.get(name) if isinstance(name, str) else None
        return p is not None and p.scheduled

    def __repr__(self) -> str:
        return repr(self._items())


declare(*_SHIPPED_LEVERS, *_SHIPPED_UNCERTAINTIES, *_SHIPPED_SCALE, *_SHIPPED_RUN)

LEVERS: Sequence[Parameter] = _SectionView(Section.LEVERS)
"""The levers: the report's recommendations and the timing lever ``start_step``."""
UNCERTAINTIES: Sequence[Parameter] = _SectionView(Section.UNCERTAINTIES)
"""What government does not control."""
SCALE: Sequence[Parameter] = _SectionView(Section.SCALE)
"""The size of the simulated partnership."""
RUN: Sequence[Parameter] = _SectionView(Section.RUN)
"""Run settings."""
PARAMETERS: Mapping[str, Parameter] = MappingProxyType(_REGISTRY)
"""Every declared parameter by name."""
LEVER_NAMES: Sequence[str] = _NameView()
"""Every scheduled lever (all but the timing lever): the ones ``[start_steps]`` can start."""
SECTIONS: Mapping[Section, Sequence[Parameter]] = MappingProxyType(
    {s: _SectionView(s) for s in Section if s is not Section.ASSUMPTIONS}
)
"""The declared parameters of each scenario-file table (assumptions are set by dotted name)."""


def timing_lever() -> Parameter:
    """The lever that sets when the scheduled levers start (``start_step``)."""
    return next(p for p in _REGISTRY.values() if p.timing)


def variable(name: str) -> Parameter:
    """Anything a sweep or an ensemble can vary, by name, as a parameter.

    A declared parameter, or a constant of ``data/assumptions.toml`` by its dotted name
    (``contracting.hurdle``), whose bounds are the constant's.

    Raises:
        KeyError: the name is neither.
    """
    if name in _REGISTRY:
        return _REGISTRY[name]
    entry = assumption_table()[name]
    return Parameter(
        name,
        Section.ASSUMPTIONS,
        int if entry.integer else float,
        entry.value,
        entry.low,
        entry.high,
        unit=entry.unit,
        label=name,
        doc=entry.doc,
        source="Assumption (data/assumptions.toml).",
    )


def defaults() -> dict[str, Any]:
    """Return the default value of every parameter (the status quo)."""
    return {name: p.default for name, p in PARAMETERS.items()}


# -- rules between values --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Requires:
    """A cross-field rule: when ``parameter`` is above zero, one of ``any_of`` must be too.

    Attributes:
        parameter: the value the rule is about (the key its problem names).
        any_of: parameters of which at least one must be above zero.
        reason: why, in words (the first half of the message).
        remedy: what to do about it, if more than the rule itself says.
    """

    parameter: str
    any_of: tuple[str, ...]
    reason: str
    remedy: str = ""

    def broken(self, values: Mapping[str, Any]) -> bool:
        """Whether ``values`` break the rule."""
        return values[self.parameter] > 0 and not any(values[n] > 0 for n in self.any_of)

    def message(self) -> str:
        """The problem, in words."""
        names = list(self.any_of)
        either = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        text = f"{self.reason}: {self.parameter} > 0 needs {either} > 0"
        return f"{text} ({self.remedy})" if self.remedy else text


RULES: tuple[Requires, ...] = (
    Requires(
        "devolution",
        ("n_local_authorities",),
        "devolved budgets go to local authorities",
        "set devolution = 0 or add authorities",
    ),
    Requires(
        "conditionality",
        ("risk_share", "reward_share", "finance_alignment"),
        "conditions attach to public finance",
    ),
    Requires(
        "reward_share",
        ("risk_share", "finance_alignment"),
        "the public shares rewards in return for sharing risk or investing",
    ),
)
"""Every cross-field rule of a scenario; :class:`~partnersim.schema.scenario.Scenario` applies
them and the tests read them."""
