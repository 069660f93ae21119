"""The UK figures and modelling assumptions the model starts from, read from the TOML files here.

Every file states, per value, its source and whether it is real, approximate or an assumption.
Loaders return frozen objects and are cached, so the files are parsed once per process. Nothing
is fetched at run time.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType, SimpleNamespace
from typing import Any

import numpy as np


def read(name: str) -> dict[str, Any]:
    """Parse one data file by name (``"missions"`` reads ``missions.toml``)."""
    return tomllib.loads(files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8"))


MISSIONS: tuple[str, ...] = tuple(row["name"] for row in read("missions")["mission"])
"""The missions, in the order of ``missions.toml`` — the order of every per-mission array."""


# -- calendar ------------------------------------------------------------------------------------


def _quarter_index(label: str) -> int:
    year, q = label.upper().split("Q")
    return int(year) * 4 + int(q) - 1


@cache
def start_quarter() -> str:
    """Quarter in which step 1 takes place (the model starts at its beginning)."""
    return read("missions")["start_quarter"]


def step_of_quarter(label: str) -> int:
    """Step at whose end the quarter ``label`` (e.g. ``"2030Q4"``) closes."""
    return _quarter_index(label) - _quarter_index(start_quarter()) + 1


def quarter_of_step(step: int) -> str:
    """Label of the quarter that ends at ``step`` (step 0 is the start: the quarter before)."""
    index = _quarter_index(start_quarter()) + step - 1
    return f"{index // 4}Q{index % 4 + 1}"


# -- missions ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Milestone:
    """An interim target on the way to a mission's headline target."""

    target: float
    deadline: str
    source: str

    @property
    def deadline_step(self) -> int:
        """Step at which the milestone is assessed."""
        return step_of_quarter(self.deadline)


@dataclass(frozen=True, slots=True)
class Mission:
    """A mission's headline indicator in real units, with its baseline, target and deadline.

    The model works on PPI's normalised scale: level 0 is the bound that is worse, level 1 the
    bound that is better, so "higher is better" holds for every normalised indicator.
    """

    name: str
    label: str
    indicator: str
    unit: str
    baseline: float
    target: float
    target_deadline: str
    higher_is_better: bool
    lower_bound: float
    upper_bound: float
    assessed_over_quarters: int
    private_impact: float
    local_delivery_share: float
    """Share of the mission's programme money delivered through local bodies (what devolution
    can pass to councils); an assumption per mission, reasoned in ``missions.toml``."""
    baseline_source: str
    target_source: str
    milestones: tuple[Milestone, ...] = ()

    @property
    def deadline_step(self) -> int:
        """Step at which the headline target is assessed."""
        return step_of_quarter(self.target_deadline)

    def to_level(self, value: float | np.ndarray) -> float | np.ndarray:
        """Map real units to the normalised 0–1 level (1 = better bound)."""
        span = self.upper_bound - self.lower_bound
        level = (np.asarray(value, dtype=float) - self.lower_bound) / span
        return level if self.higher_is_better else 1.0 - level

    def to_real(self, level: float | np.ndarray) -> float | np.ndarray:
        """Map normalised levels back to real units."""
        level = np.asarray(level, dtype=float)
        if not self.higher_is_better:
            level = 1.0 - level
        return self.lower_bound + level * (self.upper_bound - self.lower_bound)

    def meets(self, value: float | np.ndarray, target: float | None = None) -> bool | np.ndarray:
        """Whether a real-unit value meets the (headline, or given) target."""
        target = self.target if target is None else target
        value = np.asarray(value)
        return value >= target if self.higher_is_better else value <= target


@cache
def missions() -> tuple[Mission, ...]:
    """The five missions, in :data:`MISSIONS` order."""
    by_name = {}
    for row in read("missions")["mission"]:
        milestones = tuple(
            Milestone(m["target"], m["deadline"], m["source"]) for m in row.get("milestone", [])
        )
        by_name[row["name"]] = Mission(
            name=row["name"],
            label=row["label"],
            indicator=row["indicator"],
            unit=row["unit"],
            baseline=float(row["baseline"]),
            target=float(row["target"]),
            target_deadline=row["target_deadline"],
            higher_is_better=row["higher_is_better"],
            lower_bound=float(row["lower_bound"]),
            upper_bound=float(row["upper_bound"]),
            assessed_over_quarters=int(row["assessed_over_quarters"]),
            private_impact=float(row["private_impact"]),
            local_delivery_share=float(row["local_delivery_share"]),
            baseline_source=row["baseline_source"],
            target_source=row["target_source"],
            milestones=milestones,
        )
    return tuple(by_name[name] for name in MISSIONS)


@cache
def spillover_matrix() -> np.ndarray:
    """PPI's spillover matrix A (rows: origins, columns: destinations), zero diagonal."""
    index = {m: i for i, m in enumerate(MISSIONS)}
    a = np.zeros((len(MISSIONS), len(MISSIONS)))
    for link in read("spillovers")["link"]:
        a[index[link["from"]], index[link["to"]]] = link["weight"]
    np.fill_diagonal(a, 0.0)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, slots=True)
class DeliveryFit:
    """The delivery laws' fitted parameters per mission and the status quo's reference drive.

    Attributes:
        missions: per mission name, the fitted values (``data/delivery.toml``'s rows).
        reference: the status quo's mean drive per quarter (rows) and mission (columns, in
            :data:`MISSIONS` order).
        method: how the file was made.
    """

    missions: Mapping[str, Mapping[str, Any]]
    reference: np.ndarray
    method: str


def delivery_fit_from(raw: Mapping[str, Any]) -> DeliveryFit:
    """A :class:`DeliveryFit` from a parsed ``delivery.toml``."""
    rows = {r["mission"]: MappingProxyType(dict(r)) for r in raw["mission"]}
    reference = np.array([rows[m]["reference_drive"] for m in MISSIONS], dtype=float).T
    reference.setflags(write=False)
    return DeliveryFit(MappingProxyType(rows), reference, raw["method"])


@cache
def delivery_fit() -> DeliveryFit:
    """The shipped delivery laws (``data/delivery.toml``, written by ``partnersim calibrate``)."""
    return delivery_fit_from(read("delivery"))


# -- actors --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Department:
    """A modelled ministry: its real budget and its (assumed) role in the missions."""

    code: str
    name: str
    del_gbp_m: float
    treasury: bool
    mission_programme_share: float
    programmes: MappingProxyType
    silo: float
    capability: float
    lead_mission: str


def departments(assumed: SimpleNamespace | None = None) -> tuple[Department, ...]:
    """The mission-relevant ministries, HM Treasury first.

    ``assumed`` (the constants in force, :func:`assumptions`) supplies the approximate budgets
    a scenario or a world sets (``budgets.<CODE>_del_gbp_m``); by default the file's figures.
    """
    group = vars(getattr(assumed, APPROXIMATE_GROUP, SimpleNamespace()))
    return _departments(tuple(sorted((k, float(v)) for k, v in group.items())))


@cache
def _departments(budget_values: tuple[tuple[str, float], ...]) -> tuple[Department, ...]:
    budgets = {d["code"]: d for d in read("departments")["department"]}
    overridden = dict(budget_values)
    out = []
    for role in read("ministry_roles")["ministry"]:
        budget = budgets[role["code"]]
        out.append(
            Department(
                code=role["code"],
                name=budget["name"],
                del_gbp_m=float(
                    overridden.get(f"{role['code']}_del_gbp_m", budget["del_2023_24_gbp_m"])
                ),
                treasury=role.get("treasury", False),
                mission_programme_share=float(role["mission_programme_share"]),
                programmes=MappingProxyType(dict(role["programmes"])),
                silo=float(role["silo"]),
                capability=float(role["capability"]),
                lead_mission=role["lead_mission"],
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Region:
    """A region (or a devolved nation, which is one region) with its councils and people."""

    name: str
    nation: str
    population: float
    councils: int


@cache
def regions() -> tuple[Region, ...]:
    """Regions of England and the three devolved nations."""
    return tuple(
        Region(r["name"], r["nation"], float(r["population"]), int(r["councils"]))
        for r in read("places")["region"]
    )


@cache
def regional_gaps() -> MappingProxyType:
    """Best-to-worst regional gap at the start, real units, for missions with regional data."""
    table = read("places").get("regional_gap", {})
    return MappingProxyType({m: float(entry["value"]) for m, entry in table.items()})


@dataclass(frozen=True, slots=True)
class SizeBand:
    """A business size band: how many firms, and their share of private-sector turnover."""

    name: str
    count: float
    turnover_share: float


@dataclass(frozen=True, slots=True)
class Sector:
    """A business sector, the mission its projects serve and its share of turnover."""

    name: str
    mission: str
    turnover_share: float
    lead_ministry: str


@cache
def business_population() -> tuple[tuple[SizeBand, ...], tuple[Sector, ...]]:
    """Size bands and sectors of the UK business population."""
    data = read("businesses")
    bands = tuple(
        SizeBand(b["name"], float(b["count"]), float(b["turnover_share"]))
        for b in data["size_band"]
    )
    sectors = tuple(
        Sector(s["name"], s["mission"], float(s["turnover_share"]), s["lead_ministry"])
        for s in data["sector"]
    )
    return bands, sectors


@dataclass(frozen=True, slots=True)
class UnionRecord:
    """A trade union: members and the missions whose workforce it organises."""

    name: str
    members: float
    public: bool
    missions: MappingProxyType
    ministries: tuple[str, ...]


@cache
def unions() -> tuple[UnionRecord, ...]:
    """Trade unions, largest first."""
    rows = read("unions")["union"]
    out = [
        UnionRecord(
            u["name"],
            float(u["members"]),
            u["sector"] == "public",
            MappingProxyType(dict(u["missions"])),
            tuple(u["ministries"]),
        )
        for u in rows
    ]
    return tuple(sorted(out, key=lambda u: -u.members))


@cache
def mission_public_share() -> np.ndarray:
    """Share of each mission's workforce in the public sector (assumption), in mission order."""
    shares = read("unions")["mission_public_share"]
    out = np.array([float(shares[m]) for m in MISSIONS])
    out.flags.writeable = False
    return out


@cache
def union_totals() -> dict[str, float]:
    """UK union membership totals."""
    return dict(read("unions")["totals"])


# -- assumptions ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assumption:
    """One constant of ``assumptions.toml``, addressed by its dotted name (``group.name``).

    Attributes:
        name: the dotted name, e.g. ``contracting.hurdle``.
        value: the shipped value.
        unit: its unit, in words.
        doc: what it does in the model and why this size.
        low: lowest value that makes sense at all (a scenario may set any value in bounds).
        high: highest value that makes sense at all.
        integer: whether the value is a count (quarters, a calendar quarter).
        plausible: the range plausible worlds vary it over (``None``: a fact or a unit of
            measurement, not varied).
        plausible_reason: why the range (or why none).
    """

    name: str
    value: float
    unit: str
    doc: str
    low: float
    high: float
    integer: bool
    plausible: tuple[float, float] | None = None
    plausible_reason: str = ""

    def allowed(self) -> str:
        """The allowed values in words, for error messages."""
        kind = "an integer" if self.integer else "a number"
        return f"{kind} from {self.low:g} to {self.high:g} ({self.unit})"


APPROXIMATE_GROUP = "budgets"
"""The group of the approximate data figures a scenario, a sweep or a world may vary:
``budgets.<CODE>_del_gbp_m``, each approximate department budget of ``departments.toml``."""


def approximate_figures() -> dict[str, Assumption]:
    """The approximate data figures, as assumptions a scenario may set (by dotted name).

    Each approximate department budget (``status = "approximate"`` in ``departments.toml``)
    becomes ``budgets.<CODE>_del_gbp_m``: its value the file's figure, its plausible range
    the file's ``range`` (the uncertainty its note states), its bounds a quarter to four
    times the figure.
    """
    out = {}
    for d in read("departments")["department"]:
        if d.get("status") != "approximate":
            continue
        value = float(d["del_2023_24_gbp_m"])
        name = f"{APPROXIMATE_GROUP}.{d['code']}_del_gbp_m"
        out[name] = Assumption(
            name,
            value,
            "£m, total DEL 2023-24",
            f"{d['name']}'s budget: an APPROXIMATE figure (data/departments.toml: {d['source']})",
            value / 4.0,
            value * 4.0,
            False,
            (float(d["range"][0]), float(d["range"][1])),
            d.get("note", ""),
        )
    return out


@cache
def assumption_table() -> MappingProxyType:
    """Every constant a scenario may set, by dotted name.

    The constants of ``assumptions.toml`` in file order, then the approximate data figures
    (:func:`approximate_figures`).
    """
    out = {}
    for group, entries in read("assumptions").items():
        for key, entry in entries.items():
            low, high = entry["bounds"]
            out[f"{group}.{key}"] = Assumption(
                f"{group}.{key}",
                entry["value"],
                entry["unit"],
                entry["doc"],
                float(low),
                float(high),
                isinstance(entry["value"], int) and not isinstance(entry["value"], bool),
                tuple(float(x) for x in entry["plausible"]) if "plausible" in entry else None,
                entry.get("plausible_reason", ""),
            )
    out.update(approximate_figures())
    return MappingProxyType(out)


def assumptions(overrides: Mapping[str, float] | None = None) -> SimpleNamespace:
    """The constants as ``assumptions().group.name``, with ``overrides`` (dotted names) applied.

    Overrides are validated by the scenario schema, which is where they come from; here an
    unknown name is a ``KeyError``.
    """
    return _build_assumptions(tuple(sorted((overrides or {}).items())))


@cache
def _build_assumptions(overrides: tuple[tuple[str, float], ...]) -> SimpleNamespace:
    table = assumption_table()
    groups: dict[str, dict[str, float]] = {}
    for name, entry in table.items():
        group, key = name.split(".", 1)
        groups.setdefault(group, {})[key] = entry.value
    for name, value in overrides:
        group, key = table[name].name.split(".", 1)
        groups[group][key] = value
    return SimpleNamespace(**{g: SimpleNamespace(**v) for g, v in groups.items()})


# -- public finances -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fiscal:
    """What the fiscal account starts from (``fiscal.toml``)."""

    gdp_gbp_bn: float
    """Nominal GDP a year at the start, £bn (approximate; see the file)."""


@cache
def fiscal() -> Fiscal:
    """The public-finance starting values."""
    return Fiscal(float(read("fiscal")["gdp"]["value_gbp_bn"]))


@dataclass(frozen=True, slots=True)
class Reference:
    """A published figure a model outcome is set beside (``references.toml``)."""

    measure: str
    label: str
    low: float
    high: float
    unit: str
    source: str
    status: str

    def describe(self) -> str:
        """The figure in words, e.g. ``National Wealth Fund target: 3``."""
        span = f"{self.low:g}" if self.low == self.high else f"{self.low:g}–{self.high:g}"
        return f"{self.label}: {span}"


@cache
def references() -> tuple[Reference, ...]:
    """Reference ranges for leverage, additionality and crowding-in."""
    return tuple(Reference(**row) for row in read("references")["reference"])
