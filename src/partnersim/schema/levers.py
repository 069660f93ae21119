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
from typing import Any, overload

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
        instrument: for levers, the UK instrument the lever stands for.
        evidence: for levers, the size of its effect with a citation, or the uncertainties
            that carry it (by name, with their plausible ranges); for uncertainties, why the
            plausible range is what it is.
        plausible: for uncertainties, the range plausible worlds sample (within the bounds,
            which only say what makes sense at all); ``None`` where the bounds are plausible.
        withdrawable: for scheduled levers, whether a fiscal event can withdraw it (political
            backing, which protects the others, cannot).
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
    instrument: str = ""
    evidence: str = ""
    plausible: tuple[float, float] | None = None
    withdrawable: bool = True

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
            "How firmly the Prime Minister and Chancellor stand behind the missions. It acts on "
            "durability: at each fiscal event (the start of each fiscal year) every other lever "
            "set above its status-quo value is withdrawn — back to the status quo for the rest "
            "of the run — with probability withdrawal_prob × (1 − political_backing). It also "
            "moves each ministry's mission alignment 10 % a quarter toward this value; a "
            "ministry reneges on its pooled contribution with probability silo-ness × (1 − "
            "alignment), and HM Treasury's alignment gates finance_alignment."
        ),
        source=(
            f"{REPORT}, recommendation 1; IFS, Chancellors' responses to economic news; IfG, "
            "All Change (2017). The alignment and reneging rules are assumptions."
        ),
        recommendation="Missions first, with PM and Chancellor backing",
        withdrawable=False,
        instrument=(
            "PM-chaired mission boards and the Chancellor's backing at fiscal events (Budgets, "
            "Spending Reviews)"
        ),
        evidence=(
            "Uncertainty withdrawal_prob (0.02–0.4 per lever per year): 26 fiscal events since "
            "2010 (IFS), 11 economic strategies since 2010 (IPPR), secretaries of state last "
            "about two years (IfG); no published probability that a programme is withdrawn "
            "exists."
        ),
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
            "pots, allocated by each mission's status-quo budget × its remaining gap. Money left "
            "with departments loses duplication_loss × overlap × (1 − coordination) to "
            "duplicated, uncoordinated work where several ministries fund one mission (overlap: "
            "1 − the Herfindahl index of their shares; coordination: their trust-weighted ties); "
            "pooled money escapes it but pays coordination friction budget.coordination_loss × "
            "(1 − Centre capability). Orchestration also raises monitoring quality and the rate "
            "at which the Centre brokers cross-silo ministry ties for lagging missions."
        ),
        source=(
            f"{REPORT}, recommendation 2 (Missions Unit, delivery plans); NAO, Cross-government "
            "working (2023); IfG, Tracking delivery (2017)."
        ),
        recommendation="Whole of government, Missions Unit, delivery plans",
        instrument=(
            "A Missions Unit with pooled mission budgets and delivery plans (cf. the Prime "
            "Minister's Delivery Unit, 2001–10)"
        ),
        evidence=(
            "Uncertainty duplication_loss (0–0.15 of departmental mission money): the NAO (2023) "
            "reports how often officials meet barriers to cross-government working (data "
            "sharing 62–63 %, conflicting ministerial priorities 45 %) but no quantified loss; "
            "the IfG (2017) finds delivery units' contribution hard to measure. Coordination "
            "friction is an assumption."
        ),
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
            "rate falls by up to contracting.clarity_max)."
        ),
        source=f"{REPORT}, recommendation 3; sizes are assumptions (data/assumptions.toml).",
        recommendation="National partnership for growth and renewal",
        instrument=(
            "A standing national partnership of government, business and unions (sector deals, "
            "an industrial strategy council)"
        ),
        evidence=(
            "Uncertainties contracting.clarity_max (0.2–0.6) and "
            "network.sector_brokerage_rate (0.04–0.12): neither has a published effect size."
        ),
    ),
    Parameter(
        "risk_share",
        Section.LEVERS,
        float,
        0.1,
        0.0,
        0.8,
        unit="public share of a backed project's downside",
        label="Risk share",
        doc=(
            "Guarantee term of a deal: the public partner bears this share of the loss on the "
            "firm's capital if a backed project fails, and of the sunk cost if it is cancelled. "
            "It acts only on projects that receive a deal (finance_alignment, deal_targeting); a "
            "firm values the promise at its trust in its public partners. Payouts and "
            "compensation are fiscal costs."
        ),
        source=(
            f"{REPORT}, recommendation 4; Mazzucato (2013) The Entrepreneurial State; Allinson, "
            "Robson & Stone (2013) Economic evaluation of the Enterprise Finance Guarantee (BIS)."
        ),
        recommendation="Share risks and rewards with business and unions",
        instrument=(
            "Public guarantees: British Business Bank guarantee schemes (the Enterprise Finance "
            "Guarantee covered 75 %), National Wealth Fund guarantees"
        ),
        evidence=(
            "A policy choice whose effect on investment emerges from firms' decisions. For "
            "scale: the Enterprise Finance Guarantee's 2009 cohort gave £1,270m gross economic "
            "benefit against £178m cost (Allinson et al. 2013)."
        ),
    ),
    Parameter(
        "reward_share",
        Section.LEVERS,
        float,
        0.0,
        0.0,
        1.0,
        unit="public share of upside per unit of public share of downside",
        label="Reward share",
        doc=(
            "Reward term of a deal: the public partner takes reward_share × risk_share of the "
            "upside on the capital it guarantees (1 = rewards shared exactly as risks are; 0 = "
            "risk socialised, reward private). Co-investment earns its own pro-rata return "
            "besides. It acts only on backed projects, so with no public stake it changes "
            "nothing. Receipts flow back into the mission pots."
        ),
        source=f"{REPORT}, recommendation 4; Mazzucato & Rodrik (2023) on conditionalities.",
        recommendation="Share risks and rewards with business and unions",
        instrument=(
            "Equity stakes, royalties and claw-back in public deals (National Wealth Fund equity, "
            "British Patient Capital)"
        ),
        evidence=(
            "Uncertainties private_return (0.2–0.6) and business_risk_appetite (0.3–0.7): what "
            "the public's upside share costs firms, and so how much investment it deters, "
            "depends on them; Mazzucato & Rodrik (2023) argue for it without an effect size."
        ),
    ),
    Parameter(
        "conditionality",
        Section.LEVERS,
        float,
        0.0,
        0.0,
        1.0,
        unit="strength of conditions on deals",
        label="Conditionality",
        doc=(
            "Conditions attached to deals (reinvestment, access, fair work). On backed projects "
            "they cost the firm up to contracting.conditionality_cost of its upside, raise the "
            "project's mission impact by up to contracting.conditionality_impact, and give "
            "workers a stake (capacity share of backed projects × conditionality) that raises "
            "union cooperation."
        ),
        source=f"{REPORT}, recommendation 4; Mazzucato & Rodrik (2023).",
        recommendation="Share risks and rewards with business and unions",
        instrument=(
            "Conditions in public contracts and finance (Procurement Act 2023 social value, fair "
            "work conditions, investment criteria of public finance institutions)"
        ),
        evidence=(
            "Uncertainties contracting.conditionality_cost (0.1–0.3) and "
            "contracting.conditionality_impact (0.25–0.75): neither has a published estimate."
        ),
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
            "Multi-year pooled mission budgets, outcome-based procurement and a public finance "
            "vehicle. Effective alignment is this value × (0.5 + 0.5 × HM Treasury's mission "
            "alignment). It damps annual stop–go budget shocks and the cancellations they "
            "cause, raises project success through outcome-based procurement, and sets each "
            "mission's deal envelope: budget.deal_budget_share × effective alignment of the "
            "mission budget, spent on co-investment (budget.coinvest_max_ratio public £ per "
            "private £) and guarantee provisions for specific projects."
        ),
        source=f"{REPORT}, recommendation 5; envelope and stop–go sizes are assumptions.",
        recommendation="Treasury mandate, budgets, procurement, public finance institutions",
        instrument=(
            "Spending Review multi-year settlements, outcome-based procurement under the Green "
            "Book, and the National Wealth Fund"
        ),
        evidence=(
            "Uncertainties budget.stop_go_sd (0.04–0.12) and budget.deal_budget_share "
            "(0.1–0.3); the deals' leverage emerges from firms' decisions and is set beside the "
            "National Wealth Fund's £3 private per £1 public target and its 2024-25 deals "
            "(about £0.6–1.6) in data/references.toml."
        ),
    ),
    Parameter(
        "deal_targeting",
        Section.LEVERS,
        float,
        0.0,
        0.0,
        1.0,
        unit="share of deals screened for additionality",
        label="Deal targeting (additionality)",
        doc=(
            "How deals are placed. At 0 they go to projects in the order firms ask (first come, "
            "first served) until the envelope is spent — the status quo. At 1 the public "
            "partner offers deals only to projects it judges would not go ahead without one but "
            "would with one (additional), judging each project's return with error "
            "screening_noise; in between, a project judged not additional is still offered a "
            "deal with probability 1 − deal_targeting."
        ),
        source=(
            f"{REPORT}, recommendation 5; HM Treasury Green Book and the Additionality Guide "
            "(HCA 2014) on additionality; Public Accounts Committee (2023) on UKIB."
        ),
        recommendation="Treasury mandate, budgets, procurement, public finance institutions",
        instrument=(
            "Additionality tests of a public finance institution (National Wealth Fund, "
            "British Business Bank)"
        ),
        evidence=(
            "Uncertainty screening_noise (0–0.3 in return): additionality of UK public finance "
            "is rarely measured — the PAC (2023) found UKIB had not explained it; Enterprise "
            "Zones' jobs were 40–54 % non-additional (DCLG evaluation, via Centre for Cities)."
        ),
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
            "Centre, ministries and councils. Capability rises with diminishing returns and "
            "depreciates back toward its starting level; the effectiveness of public "
            "contribution scales as (capability / reference)^capability_elasticity, and "
            "capability also raises project success and the Centre's monitoring and brokerage."
        ),
        source=(
            f"{REPORT}, recommendation 6; GDS savings claims (GDS blog, 2015; NAO, Digital "
            "transformation in government, 2017); NAO, Delivering major projects (2016)."
        ),
        recommendation="Invest in governing capability",
        instrument=(
            "Investment in civil service delivery capability (the Government Digital Service, "
            "the Major Projects Leadership Academy)"
        ),
        evidence=(
            "Uncertainty capability_elasticity (0–1): the only per-£ figures are the Government "
            "Digital Service's self-reported savings (£1.7bn in 2014-15 on a budget under "
            "£100m, audited to 'moderate assurance'); the NAO (2016) finds project performance "
            "trends cannot be measured. No effect size on outcomes exists."
        ),
    ),
    Parameter(
        "devolution",
        Section.LEVERS,
        float,
        0.05,
        0.0,
        0.6,
        unit="share of the locally delivered part of mission budgets devolved",
        label="Devolution",
        doc=(
            "Budgets and decision rights passed to local authorities, for missions with a local "
            "delivery role only: mission m's devolved share is devolution × its local delivery "
            "share (data/missions.toml), split by local need × population. Local effectiveness "
            "is relative capability × (1 + local_knowledge_bonus), so low-capacity places "
            "underperform unless capability is invested in them."
        ),
        source=(
            f"{REPORT}, recommendation 7; What Works Centre for Local Growth (devolution and "
            "area-based initiative reviews); Guerrero et al. (2022) subnational PPI."
        ),
        recommendation="Empower communities and devolve",
        instrument=(
            "Devolution deals and integrated settlements for mayoral combined authorities; the "
            "local government finance settlement"
        ),
        evidence=(
            "Uncertainty local_knowledge_bonus (−0.1 to 0.3): the What Works Centre finds "
            "devolution as a whole 'extremely difficult' to evaluate and about half of "
            "area-based-initiative evaluations positive. Local delivery shares are assumptions "
            "with reasons in data/missions.toml."
        ),
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
        instrument="The timing of a new government's first Budget and Spending Review",
        evidence="A choice of timing; what a delay costs is an output of the model.",
    ),
)


_FUNDERS = {
    "growth": "HM Treasury and DSIT (R&D, infrastructure and skills budgets)",
    "clean_power": "DESNZ (and the National Wealth Fund / Great British Energy capital)",
    "safe_streets": "the Home Office (police grant and prevention programmes)",
    "opportunity": "DfE (early-years entitlements and the schools budget)",
    "nhs": "DHSC (the NHS England revenue and capital settlement)",
}


def _funding_lever(mission: str, funder: str) -> Parameter:
    label = mission.replace("_", " ").capitalize()
    return Parameter(
        f"{mission}_funding",
        Section.LEVERS,
        float,
        1.0,
        0.5,
        3.0,
        unit="× the status quo's programme money for the mission",
        label=f"{label} funding",
        doc=(
            f"Resources, not a recommendation: the programme money for the {label.lower()} "
            "mission as a multiple of the status quo's, added to (or taken from) the mission's "
            "budget every quarter and counted in its net fiscal cost. More money raises the "
            "mission's drive, which builds delivery capacity with the mission's lag and moves "
            "the indicator with diminishing returns (returns_concavity)."
        ),
        source=(
            "Assumption (a resourcing choice); the response of each indicator to capacity is "
            "fitted to its history or declared an uncertainty (docs/validation.md, ODD §7.8)."
        ),
        recommendation="Resources (what a package comes with; not one of the eight)",
        instrument=f"Spending Review settlement for {funder}",
        evidence=(
            "Response per mission: fitted (NHS, to RTT against health spending 2007–19) or an "
            "uncertainty (early_years_response, police_elasticity, growth_investment_effect); "
            "curvature returns_concavity."
        ),
    )


_SHIPPED_LEVERS = _SHIPPED_LEVERS + tuple(_funding_lever(m, f) for m, f in _FUNDERS.items())

SHOCKS = ("none", "energy_price", "pandemic", "plant_retirement")

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
        plausible=(0.3, 0.7),
        evidence=("No source: the central value ±0.2."),
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
        plausible=(0.45, 0.75),
        evidence=(
            "About a third of major government projects were rated red or amber-red (NAO, "
            "Delivering major projects, 2016); the range runs from that to three in four "
            "succeeding."
        ),
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
        plausible=(0.2, 0.6),
        evidence=("No source: ±50 % of the central value."),
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
        plausible=(0.3, 0.7),
        evidence=("No source: ±0.2."),
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
        plausible=(0.05, 0.3),
        evidence=("No source: a third to twice the central value."),
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
        plausible=(0.01, 0.05),
        evidence=("No source: half to two and a half times the central value."),
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
        plausible=(0.5, 1.5),
        evidence=("The spillover weights are assumptions (data/spillovers.toml): ±50 %."),
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
        plausible=(0.3, 0.7),
        evidence=("PPI's default 0.5 ± 0.2."),
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
        plausible=(0.7, 0.9),
        evidence=("The UK's World Governance Indicators rule-of-law estimate, rescaled, ±0.1."),
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
            "capacity for a year; 'plant_retirement' retires clean generating plant (the "
            "remaining AGR nuclear fleet at size 1) ahead of its replacement."
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
        plausible=(0.25, 1.0),
        evidence=("From a quarter of to a full 2020-scale shock."),
    ),
    Parameter(
        "screening_noise",
        Section.UNCERTAINTIES,
        float,
        0.1,
        0.0,
        0.5,
        unit="sd of the public partner's error in a project's expected return",
        label="Screening error",
        doc=(
            "How well the public partner judges a project's expected return when it screens "
            "deals for additionality (deal_targeting): its estimate is the firm's own plus a "
            "normal error of this standard deviation."
        ),
        source="Assumption: central value equal to firms' own return noise.",
        plausible=(0.0, 0.3),
        evidence=(
            "No UK estimate of screening accuracy exists; the range runs from perfect screening "
            "to three times firms' own uncertainty about a project (contracting.return_noise_sd)."
        ),
    ),
    Parameter(
        "local_knowledge_bonus",
        Section.UNCERTAINTIES,
        float,
        0.1,
        -0.5,
        1.0,
        unit="multiplier − 1 on local effectiveness",
        label="Local knowledge bonus",
        doc=(
            "How much more (or less) effectively local authorities spend devolved money per "
            "unit of capability than central programmes, for their local knowledge."
        ),
        source=(
            "What Works Centre for Local Growth, Undertaking impact evaluation of devolution; "
            "Area Based Initiatives evidence review (2016)."
        ),
        plausible=(-0.1, 0.3),
        evidence=(
            "Evidence is weak: devolution as a whole is 'extremely difficult' to evaluate and "
            "about half of area-based-initiative evaluations find positive effects, with "
            "displacement a concern. The range admits a small loss to a 30 % gain; the central "
            "value is a small gain."
        ),
    ),
    Parameter(
        "capability_elasticity",
        Section.UNCERTAINTIES,
        float,
        0.5,
        0.0,
        1.5,
        unit="elasticity of effectiveness to capability",
        label="Capability elasticity",
        doc=(
            "How strongly delivery capability raises the effectiveness of public contribution: "
            "effectiveness = (capability / reference)^elasticity (0: no effect; 1: "
            "proportional)."
        ),
        source=(
            "GDS savings claims (GDS blog, 2015; NAO, Digital transformation in government, "
            "2017); NAO, Delivering major projects (2016)."
        ),
        plausible=(0.0, 1.0),
        evidence=(
            "No effect size of capability on outcomes exists; the range runs from none to "
            "proportional, the central value halfway."
        ),
    ),
    Parameter(
        "duplication_loss",
        Section.UNCERTAINTIES,
        float,
        0.05,
        0.0,
        0.3,
        unit="share of departmental mission money",
        label="Duplication loss",
        doc=(
            "Share of a mission's departmental (not pooled) programme money lost to duplicated "
            "and uncoordinated work when several ministries fund it with no coordination "
            "(scaled by their overlap and by 1 − their coordination)."
        ),
        source="NAO, Cross-government working (2023); PAC (2024).",
        plausible=(0.0, 0.15),
        evidence=(
            "The NAO reports barriers to joint working as common (39–63 % of officials) but no "
            "quantified loss; the range allows none to 15 %."
        ),
    ),
    Parameter(
        "withdrawal_prob",
        Section.UNCERTAINTIES,
        float,
        0.15,
        0.0,
        1.0,
        unit="probability per lever per fiscal year, with no political backing",
        label="Withdrawal probability",
        doc=(
            "Chance that a lever set above its status-quo value is withdrawn at a fiscal event "
            "(back to the status quo for the rest of the run) when it has no political backing; "
            "political_backing scales it by (1 − backing)."
        ),
        source=(
            "IFS, Chancellors' responses to economic news (26 fiscal events since 2010); IfG, "
            "All Change (2017); IPPR (11 economic strategies since 2010)."
        ),
        plausible=(0.02, 0.4),
        evidence=(
            "Derived from policy churn: strategies reset about 0.8 times a year and secretaries "
            "of state change about every two years, but most programmes survive a reset; no "
            "published probability exists."
        ),
    ),
    Parameter(
        "tax_share",
        Section.UNCERTAINTIES,
        float,
        0.36,
        0.25,
        0.45,
        unit="public sector receipts per £ of GDP",
        label="Receipts share of GDP",
        doc=(
            "Share of additional output that returns to the Exchequer as receipts; it turns a "
            "scenario's output gain over the status quo into its tax effect."
        ),
        source=(
            "OBR, Economic and fiscal outlook: receipts 35.3 % of GDP in 2024-25 rising to "
            "37.7 % in 2027-28 (March 2025; secondary), 'a record 38 per cent' (October 2024)."
        ),
        plausible=(0.33, 0.38),
        evidence=(
            "The range spans the OBR's pre-pandemic (33.2 %, 2019-20) to forecast (37.7–38 %) "
            "tax take; it assumes extra output is taxed at the average rate."
        ),
    ),
    Parameter(
        "returns_concavity",
        Section.UNCERTAINTIES,
        float,
        0.0,
        -1.0,
        0.9,
        unit="Box-Cox ρ of the response to capacity",
        label="Returns to capacity",
        doc=(
            "Curvature of every mission's response to delivery capacity K: h(K) = (K^ρ − 1)/ρ "
            "(ln K at 0). Below 1 returns diminish: doubling resources less than doubles the "
            "gain; lower values saturate faster."
        ),
        source=(
            "Assumption: the NHS response is fitted on the log scale (ρ = 0); no series "
            "identifies the curvature away from the resourcing seen in history."
        ),
        plausible=(-0.5, 0.5),
        evidence="No evidence on the curvature: from faster saturation than log to slower.",
    ),
    Parameter(
        "police_elasticity",
        Section.UNCERTAINTIES,
        float,
        -0.35,
        -1.0,
        0.0,
        unit="% change in knife crime per 1 % more policing capacity",
        label="Police elasticity",
        doc=(
            "Response of knife crime to policing and prevention capacity (log scale), used in "
            "the safer-streets law and to net police numbers out of the fitted trend."
        ),
        source=(
            "Draca, Machin & Witt (2011), AER 101(5): elasticity of crime with respect to "
            "police of about −0.3 to −0.4 (data/capacity.toml)."
        ),
        plausible=(-0.6, -0.1),
        evidence=(
            "−0.3 to −0.4 is for a deployment surge in London; for headcount and for knife "
            "crime it is less certain, so the range is wider on both sides."
        ),
    ),
    Parameter(
        "early_years_response",
        Section.UNCERTAINTIES,
        float,
        5.0,
        0.0,
        20.0,
        unit="percentage points of GLD per doubling of early-years capacity",
        label="Early-years response",
        doc=(
            "Rise in the equilibrium share of children at a good level of development when "
            "early-years capacity doubles (at the start level; logit scale)."
        ),
        source=(
            "Assumption with a range: no UK series links early-years resourcing to the good "
            "level of development (data/capacity.toml)."
        ),
        plausible=(2.0, 10.0),
        evidence="No series identifies it; a range from small to large effects.",
    ),
    Parameter(
        "growth_investment_effect",
        Section.UNCERTAINTIES,
        float,
        1.5,
        0.0,
        4.0,
        unit="output multiplier of mission investment after four years",
        label="Investment multiplier",
        doc=(
            "Output gained per £ of extra productive mission investment after four years; the "
            "growth law turns it into trend growth while capacity builds: response = multiplier "
            "× mission investment's share of GDP ÷ 4 years, per unit of ln capacity."
        ),
        source=(
            "IMF World Economic Outlook (Oct 2014), ch. 3: public investment multiplier about "
            "0.4 in the first year and 1.5 after four years in advanced economies."
        ),
        plausible=(0.5, 2.5),
        evidence="IMF (2014) central 1.5; lower where investment is poorly chosen or crowds out.",
    ),
    Parameter(
        "power_demand_growth",
        Section.UNCERTAINTIES,
        float,
        1.0,
        -3.0,
        5.0,
        unit="% a year",
        label="Power demand growth",
        doc=(
            "Growth of electricity demand, which the clean build must outpace for its share "
            "to rise."
        ),
        source=(
            "Assumption with a range: UK generation fell about 1.7 % a year 2014–24 (DUKES, "
            "arithmetic in data/capacity.toml); electrification raises demand in the 2030s."
        ),
        plausible=(-0.5, 2.5),
        evidence="From the 2014–24 fall continuing slowly to fast electrification.",
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

    @overload
    def __getitem__(self, index: int) -> Parameter: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Parameter, ...]: ...
    def __getitem__(self, index: int | slice) -> Parameter | tuple[Parameter, ...]:
        return self._items()[index]  # a view, as a tuple indexes and slices

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

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
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
        plausible=entry.plausible,
        evidence=entry.plausible_reason,
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
        error: a broken rule is an error (the scenario is refused); otherwise the setting is
            valid but has no effect, and the scenario's notes say so.
    """

    parameter: str
    any_of: tuple[str, ...]
    reason: str
    remedy: str = ""
    error: bool = True

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
    *(
        Requires(
            term,
            ("finance_alignment",),
            "deal terms act only on deals, which finance_alignment funds",
            f"{term} has no effect",
            error=False,
        )
        for term in ("risk_share", "reward_share", "conditionality", "deal_targeting")
    ),
    Requires(
        "reward_share",
        ("risk_share",),
        "the public's upside share is reward_share × risk_share",
        "reward_share has no effect",
        error=False,
    ),
)
"""Every cross-field rule of a scenario; :class:`~partnersim.schema.scenario.Scenario` applies
them and the tests read them."""
