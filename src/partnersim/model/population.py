"""The actors' state as arrays, one row per actor, built from the shipped data and a scenario.

The model's per-step rules (in :mod:`partnersim.model.agents`) act on these arrays all at once; the
Mesa agents are views of one row each. Nothing here imports Mesa, so the same populations serve
the benchmarks and the tests directly.

Global node numbering (the coordination graph's node ids): the Centre is node 0, then the
ministries (HM Treasury first), local authorities, unions and businesses, in that order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from partnersim import data
from partnersim.data import MISSIONS

N_MISSIONS = len(MISSIONS)


@dataclass(slots=True)
class Centre:
    """The Centre of government / Missions Unit (one actor)."""

    node: int = 0
    capability: float = 0.4
    capability0: float = 0.4
    held: np.ndarray = field(default_factory=lambda: np.zeros(N_MISSIONS))
    """Money waiting in mission pots (returns and repayments), £m by mission."""


@dataclass(slots=True)
class Ministries:
    """The mission-relevant ministries (HM Treasury is row 0 and has the Treasury role)."""

    node: np.ndarray
    code: tuple[str, ...]
    name: tuple[str, ...]
    treasury: np.ndarray
    del_gbp_m: np.ndarray
    quarterly_budget: np.ndarray
    """Mission programme budget per quarter before shocks, £m."""
    programmes: np.ndarray
    """Share of each ministry's programme budget per mission (ministries × missions)."""
    silo: np.ndarray
    capability: np.ndarray
    capability0: np.ndarray
    alignment: np.ndarray
    lead_mission: np.ndarray
    budget_shock: np.ndarray
    """This fiscal year's multiplicative budget shock."""
    reneged: np.ndarray
    """Whether the ministry withheld its pooled contribution this quarter."""

    @property
    def n(self) -> int:
        """Number of ministries."""
        return len(self.node)


@dataclass(slots=True)
class LocalAuthorities:
    """Councils: population weight, need, capability and local mission levels."""

    node: np.ndarray
    region: np.ndarray
    nation: np.ndarray
    population: np.ndarray
    capability: np.ndarray
    capability0: np.ndarray
    need: np.ndarray
    """Relative need per mission (local gap / national gap at the start), councils × missions."""
    level: np.ndarray
    """Local mission levels on the normalised scale, councils × missions."""
    region_names: tuple[str, ...]
    nation_names: tuple[str, ...]
    devolved: np.ndarray
    """Devolved money received this quarter, £m, councils × missions."""

    @property
    def n(self) -> int:
        """Number of local authorities."""
        return len(self.node)


@dataclass(slots=True)
class Unions:
    """Trade unions: members, the missions they organise, and their stance."""

    node: np.ndarray
    name: tuple[str, ...]
    members: np.ndarray
    missions: np.ndarray
    """Share of each union's members working toward each mission (unions × missions)."""
    ministries: tuple[tuple[int, ...], ...]
    public: np.ndarray
    cooperating: np.ndarray
    dispute_left: np.ndarray
    """Quarters of dispute remaining (0 = not in dispute)."""

    @property
    def n(self) -> int:
        """Number of unions."""
        return len(self.node)


@dataclass(slots=True)
class Businesses:
    """Firms, each standing for ``weight`` real firms of its size band and sector."""

    node: np.ndarray
    size_band: np.ndarray
    sector: np.ndarray
    mission: np.ndarray
    lead_ministry: np.ndarray
    la: np.ndarray
    """Local authority row the firm is located in (-1 when there are none)."""
    weight: np.ndarray
    capacity: np.ndarray
    """Investment a project commits, £m (for all the firms the agent stands for)."""
    risk_appetite: np.ndarray
    # Current project (quarters_left == 0: none).
    quarters_left: np.ndarray
    amount: np.ndarray
    coinvest: np.ndarray
    success_prob: np.ndarray
    backed: np.ndarray
    """Whether the current project has a deal (a public stake)."""
    additional: np.ndarray
    """Whether the current backed project would not have gone ahead without its deal."""
    risk_share: np.ndarray
    """Guarantee share of the current project's deal (0 if not backed)."""
    reward_share: np.ndarray
    """Public share of the current project's upside under its deal (0 if not backed)."""
    conditionality: np.ndarray
    """Conditions on the current project's deal (0 if not backed)."""
    # Track record.
    invested: np.ndarray
    """Cumulative private investment committed, £m."""
    projects: np.ndarray
    successes: np.ndarray
    size_band_names: tuple[str, ...] = ()
    sector_names: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        """Number of business agents."""
        return len(self.node)


@dataclass(slots=True)
class Population:
    """Every actor's state."""

    centre: Centre
    ministries: Ministries
    local_authorities: LocalAuthorities
    unions: Unions
    businesses: Businesses

    @property
    def n_nodes(self) -> int:
        """Total number of actors (graph nodes)."""
        return 1 + self.ministries.n + self.local_authorities.n + self.unions.n + self.businesses.n


def build_population(values: dict, rng: np.random.Generator, a: SimpleNamespace) -> Population:
    """Create every actor's starting state from the shipped data.

    Args:
        values: resolved scenario values (``Scenario.values``).
        rng: the run's generator.
        a: the assumptions in force (``data.assumptions(scenario.assumptions)``).
    """
    centre = Centre(capability=a.capability.centre, capability0=a.capability.centre)
    ministries = _ministries(first_node=1, a=a)
    las = _local_authorities(values["n_local_authorities"], 1 + ministries.n, rng, a)
    unions = _unions(values["n_unions"], 1 + ministries.n + las.n, ministries)
    businesses = _businesses(values, 1 + ministries.n + las.n + unions.n, ministries, las, rng, a)
    return Population(centre, ministries, las, unions, businesses)


def _ministries(first_node: int, a: SimpleNamespace) -> Ministries:
    depts = data.departments(a)
    n = len(depts)
    programmes = np.zeros((n, N_MISSIONS))
    for i, d in enumerate(depts):
        for mission, share in d.programmes.items():
            programmes[i, MISSIONS.index(mission)] = share
    programmes /= programmes.sum(axis=1, keepdims=True)
    del_m = np.array([d.del_gbp_m for d in depts])
    share = np.array([d.mission_programme_share for d in depts])
    capability = np.array([d.capability for d in depts])
    silo = np.array([d.silo for d in depts])
    return Ministries(
        node=np.arange(first_node, first_node + n),
        code=tuple(d.code for d in depts),
        name=tuple(d.name for d in depts),
        treasury=np.array([d.treasury for d in depts]),
        del_gbp_m=del_m,
        quarterly_budget=del_m * share / 4.0,
        programmes=programmes,
        silo=silo,
        capability=capability.copy(),
        capability0=capability,
        alignment=(1.0 - silo) * 0.5,
        lead_mission=np.array([MISSIONS.index(d.lead_mission) for d in depts]),
        budget_shock=np.ones(n),
        reneged=np.zeros(n, dtype=bool),
    )


def _local_authorities(
    n_la: int, first_node: int, rng: np.random.Generator, a: SimpleNamespace
) -> LocalAuthorities:
    regions = data.regions()
    counts = np.array([r.councils for r in regions])
    # Sample councils per region in proportion to the real counts (largest remainders).
    quota = counts / counts.sum() * n_la
    per_region = np.floor(quota).astype(int)
    remainder = n_la - per_region.sum()
    if remainder:
        per_region[np.argsort(-(quota - per_region), kind="stable")[:remainder]] += 1
    region = np.repeat(np.arange(len(regions)), per_region)
    nation_names = tuple(dict.fromkeys(r.nation for r in regions))
    nation = np.array([nation_names.index(regions[g].nation) for g in region], dtype=int)
    # Population: a region's people split among its sampled councils (lognormal sizes).
    raw = rng.lognormal(0.0, 0.5, size=n_la)
    population = np.empty(n_la)
    for g, r in enumerate(regions):
        mask = region == g
        if mask.any():
            population[mask] = r.population * raw[mask] / raw[mask].sum()
    # Local levels: national baseline plus regional and idiosyncratic deviations.
    base = np.array([m.to_level(m.baseline) for m in data.missions()])
    target = np.array([m.to_level(m.target) for m in data.missions()])
    spread = a.places.local_spread
    regional = rng.normal(
        0.0, spread * np.sqrt(a.places.regional_share), (len(regions), N_MISSIONS)
    )
    # Where a regional figure exists, the regional spread is scaled to its best-to-worst gap.
    for j, m in enumerate(data.missions()):
        gap = data.regional_gaps().get(m.name)
        span = np.ptp(regional[:, j])
        if gap is not None and span > 0:
            regional[:, j] *= gap / (m.upper_bound - m.lower_bound) / span
    local = rng.normal(0.0, spread * np.sqrt(1 - a.places.regional_share), (n_la, N_MISSIONS))
    level = np.clip(base + regional[region] + local, 0.01, 0.99) if n_la else np.zeros((0, 5))
    gap0 = np.maximum(target - base, 0.01)
    need = np.maximum(target - level, 0.01) / gap0
    # Capability: lower where need is higher.
    z_need = (
        (need.mean(axis=1) - need.mean()) / (need.mean(axis=1).std() + 1e-12)
        if n_la
        else np.zeros(0)
    )
    c = a.capability.la_need_correlation
    z = c * z_need + np.sqrt(1 - c * c) * rng.normal(size=n_la)
    capability = np.clip(a.capability.la_mean + a.capability.la_sd * z, 0.1, 0.95)
    return LocalAuthorities(
        node=np.arange(first_node, first_node + n_la),
        region=region,
        nation=nation,
        population=population,
        capability=capability.copy(),
        capability0=capability,
        need=need,
        level=level,
        region_names=tuple(r.name for r in regions),
        nation_names=nation_names,
        devolved=np.zeros((n_la, N_MISSIONS)),
    )


def _unions(n_u: int, first_node: int, ministries: Ministries) -> Unions:
    records = data.unions()[:n_u]
    totals = data.union_totals()
    members = np.array([u.members for u in records])
    if n_u:
        members *= totals["members"] / members.sum()
    missions = np.array([[u.missions.get(m, 0.0) for m in MISSIONS] for u in records]).reshape(
        n_u, N_MISSIONS
    )
    if n_u:
        missions /= missions.sum(axis=1, keepdims=True)
    ministry_rows = tuple(
        tuple(ministries.code.index(c) for c in u.ministries if c in ministries.code)
        for u in records
    )
    return Unions(
        node=np.arange(first_node, first_node + n_u),
        name=tuple(u.name for u in records),
        members=members,
        missions=missions,
        ministries=ministry_rows,
        public=np.array([u.public for u in records], dtype=bool),
        cooperating=np.zeros(n_u, dtype=bool),
        dispute_left=np.zeros(n_u, dtype=int),
    )


def _businesses(
    values: dict,
    first_node: int,
    ministries: Ministries,
    las: LocalAuthorities,
    rng: np.random.Generator,
    a: SimpleNamespace,
) -> Businesses:
    n = values["n_businesses"]
    bands, sectors = data.business_population()
    band_share = np.array([b.turnover_share for b in bands])
    band_share /= band_share.sum()
    sector_share = np.array([s.turnover_share for s in sectors])
    sector_share /= sector_share.sum()
    # Stratified by turnover: agents per band in proportion to its turnover share.
    size_band = np.sort(rng.choice(len(bands), size=n, p=band_share))
    agents_per_band = np.bincount(size_band, minlength=len(bands))
    weight = np.array([b.count for b in bands])[size_band] / np.maximum(
        agents_per_band[size_band], 1
    )
    sector = rng.choice(len(sectors), size=n, p=sector_share)
    mission = np.array([MISSIONS.index(s.mission) for s in sectors])[sector]
    lead = np.array([ministries.code.index(s.lead_ministry) for s in sectors])[sector]
    # Capacity: each band's share of the investment potential, split across its agents with
    # lognormal spread; the total over all agents is the potential committed per project cycle.
    per_cycle = (
        a.contracting.investment_potential_gbp_bn * 1000.0 / 4.0 * a.contracting.project_quarters
    )
    sigma = a.contracting.size_capacity_sigma
    raw = rng.lognormal(-0.5 * sigma * sigma, sigma, size=n)
    capacity = np.zeros(n)
    for band in range(len(bands)):
        mask = size_band == band
        if mask.any():
            capacity[mask] = per_cycle * band_share[band] * raw[mask] / raw[mask].sum()
    mean = values["business_risk_appetite"]
    k = a.contracting.risk_appetite_concentration
    appetite = rng.beta(mean * k, (1 - mean) * k, size=n) if n else np.zeros(0)
    if las.n:
        # Firms locate in proportion to council populations.
        la = rng.choice(las.n, size=n, p=las.population / las.population.sum())
    else:
        la = np.full(n, -1)
    zeros = np.zeros(n)
    return Businesses(
        node=np.arange(first_node, first_node + n),
        size_band=size_band,
        sector=sector,
        mission=mission,
        lead_ministry=lead,
        la=la,
        weight=weight,
        capacity=capacity,
        risk_appetite=appetite,
        quarters_left=np.zeros(n, dtype=int),
        amount=zeros.copy(),
        coinvest=zeros.copy(),
        success_prob=zeros.copy(),
        backed=np.zeros(n, dtype=bool),
        additional=np.zeros(n, dtype=bool),
        risk_share=zeros.copy(),
        reward_share=zeros.copy(),
        conditionality=zeros.copy(),
        invested=zeros.copy(),
        projects=np.zeros(n, dtype=int),
        successes=np.zeros(n, dtype=int),
        size_band_names=tuple(b.name for b in bands),
        sector_names=tuple(s.name for s in sectors),
    )
