"""The partnership-graph interaction kernel: what actors read from their ties, and trust learning.

Every quarter each firm, ministry and union reads its active ties (the trust-weighted sums and
means that set coordination, public trust and inclusion), and the trust of every tie that
worked together moves toward the outcome while idle ties decay. Both are written here once, as
a few ``numpy.bincount`` and mask operations over the edge arrays, so one step costs O(actors +
edges) with no Python loop over agents. The benchmarks compare this kernel with an idiomatic
Mesa implementation (agents looping over their graph neighbours) and with a bare
``scipy.sparse`` one. Nothing here imports Mesa.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from partnersim.model.network import CoordinationNetwork, TieType
from partnersim.model.population import Population

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel
    from partnersim.model.quarter import Quarter


@dataclass(frozen=True, slots=True)
class TieIndex:
    """Edge subsets of each kind of reader, with the reader's row per edge (built once)."""

    business_edges: np.ndarray
    """Every edge touching a firm (the firm is always the higher node id, ``dst``)."""
    business_row: np.ndarray
    business_public: np.ndarray
    """Firms' ties to ministries, councils and the Centre."""
    business_public_row: np.ndarray
    government: np.ndarray
    """Centre–ministry and ministry–ministry ties."""
    government_src_row: np.ndarray
    """Ministry row of the lower endpoint (-1 for the Centre)."""
    government_dst_row: np.ndarray
    union_edges: np.ndarray
    union_row: np.ndarray
    union_government: np.ndarray
    """Unions' ties to ministries and the Centre."""
    union_government_row: np.ndarray
    council: np.ndarray
    """Ministry–council and Centre–council ties."""
    council_row: np.ndarray
    ministry_pairs: np.ndarray
    centre_ministry: np.ndarray
    n_businesses: int
    n_ministries: int
    n_unions: int


def build_tie_index(net: CoordinationNetwork, pop: Population) -> TieIndex:
    """Index the network's edges by reader (see :class:`TieIndex`)."""
    tie = net.tie
    n = net.n_nodes
    b0 = int(pop.businesses.node[0]) if pop.businesses.n else n
    u0 = int(pop.unions.node[0]) if pop.unions.n else n
    l0 = int(pop.local_authorities.node[0]) if pop.local_authorities.n else n
    m0 = int(pop.ministries.node[0])
    business_edges = np.flatnonzero(net.dst >= b0)
    business_public = np.flatnonzero(
        np.isin(tie, (TieType.MINISTRY_BUSINESS, TieType.BUSINESS_LA, TieType.CENTRE_BUSINESS))
    )
    government = np.flatnonzero(
        (tie == TieType.MINISTRY_MINISTRY) | (tie == TieType.CENTRE_MINISTRY)
    )
    union_kinds = (
        TieType.UNION_BUSINESS,
        TieType.UNION_MINISTRY,
        TieType.UNION_LA,
        TieType.CENTRE_UNION,
    )
    union_edges = np.flatnonzero(np.isin(tie, union_kinds))
    union_row = np.where(
        tie[union_edges] == TieType.UNION_BUSINESS, net.src[union_edges], net.dst[union_edges]
    )
    union_government = np.flatnonzero(
        (tie == TieType.UNION_MINISTRY) | (tie == TieType.CENTRE_UNION)
    )
    council = np.flatnonzero((tie == TieType.MINISTRY_LA) | (tie == TieType.CENTRE_LA))
    return TieIndex(
        business_edges=business_edges,
        business_row=net.dst[business_edges] - b0,
        business_public=business_public,
        business_public_row=net.dst[business_public] - b0,
        government=government,
        government_src_row=net.src[government] - m0,
        government_dst_row=net.dst[government] - m0,
        union_edges=union_edges,
        union_row=union_row - u0,
        union_government=union_government,
        union_government_row=net.dst[union_government] - u0,
        council=council,
        council_row=net.dst[council] - l0,
        ministry_pairs=np.flatnonzero(tie == TieType.MINISTRY_MINISTRY),
        centre_ministry=np.flatnonzero(tie == TieType.CENTRE_MINISTRY),
        n_businesses=pop.businesses.n,
        n_ministries=pop.ministries.n,
        n_unions=pop.unions.n,
    )


@dataclass(frozen=True, slots=True)
class TieAggregates:
    """What each reader gets from its active ties this quarter."""

    business_coordination: np.ndarray
    """1 − exp(−Σ trust) over each firm's ties."""
    business_trust: np.ndarray
    """Mean trust of each firm's ties to ministries, councils and the Centre (0 if none)."""
    ministry_coordination: np.ndarray
    """1 − exp(−Σ trust) over each ministry's ties to other ministries and the Centre."""
    union_inclusion: np.ndarray
    """1 − exp(−Σ trust) over each union's ties to ministries and the Centre."""
    union_trust: np.ndarray
    """Mean trust over each union's ties (0.5 if none)."""


def aggregate_ties(net: CoordinationNetwork, idx: TieIndex) -> TieAggregates:
    """Read every actor's active ties at once (one pass of bincounts over edge subsets)."""
    w = net.trust * net.active
    active = net.active
    nb, nm, nu = idx.n_businesses, idx.n_ministries, idx.n_unions

    e = idx.business_edges
    coordination = 1.0 - np.exp(-np.bincount(idx.business_row, w[e], nb))
    e = idx.business_public
    total = np.bincount(idx.business_public_row, w[e], nb)
    count = np.bincount(idx.business_public_row, active[e], nb)
    business_trust = np.divide(total, count, out=np.zeros(nb), where=count > 0)

    e = idx.government
    src_is_ministry = idx.government_src_row >= 0
    gov = np.bincount(idx.government_dst_row, w[e], nm) + np.bincount(
        idx.government_src_row[src_is_ministry], w[e][src_is_ministry], nm
    )
    ministry_coordination = 1.0 - np.exp(-gov)

    inclusion = 1.0 - np.exp(-np.bincount(idx.union_government_row, w[idx.union_government], nu))
    e = idx.union_edges
    total = np.bincount(idx.union_row, w[e], nu)
    count = np.bincount(idx.union_row, active[e], nu)
    union_trust = np.divide(total, count, out=np.full(nu, 0.5), where=count > 0)
    return TieAggregates(
        coordination, business_trust, ministry_coordination, inclusion, union_trust
    )


def learn_trust(
    net: CoordinationNetwork,
    interacted: np.ndarray,
    outcome: np.ndarray,
    frozen: np.ndarray | None,
    learning_rate: float,
    decay: float,
) -> None:
    """Move trust of interacting active ties toward their outcome; decay the idle ones.

    ``trust ← trust + learning_rate · (outcome − trust)`` where the tie worked together this
    quarter; ``trust ← trust · (1 − decay)`` on other active ties, except ``frozen`` ones
    (kept up by ongoing joint work without a result yet). Source: DESIGN §5.6; the
    learning-rate form is an assumption.
    """
    trust = net.trust
    learn = net.active & interacted
    trust[learn] += learning_rate * (outcome[learn] - trust[learn])
    idle = net.active & ~interacted
    if frozen is not None:
        idle &= ~frozen
    trust[idle] *= 1.0 - decay
    np.clip(trust, 0.0, 1.0, out=trust)
    net.mark_trust_changed()


def drop_weak_ties(
    net: CoordinationNetwork, draws: np.ndarray, threshold: float, prob: float
) -> int:
    """Drop weak ties; return how many were dropped.

    Active ties with trust below ``threshold`` are dropped with probability ``prob`` and become
    latent (brokerable again). ``draws`` are uniform numbers, one per edge.
    """
    drop = net.active & (net.trust < threshold) & (draws < prob)
    count = int(drop.sum())
    if count:
        net.active[drop] = False
        net.brokerable[drop] = True
        net.version += 1
    return count


# -- the phases ---------------------------------------------------------------------------------


def read_ties(model: PartnershipModel, q: Quarter) -> None:
    """Ties: every firm, ministry and union reads its active ties for this quarter (§7.5, §7.7)."""
    q.ties = aggregate_ties(model.network, model.ties)


def update_trust(model: PartnershipModel, q: Quarter) -> None:
    """Trust: ties that worked together learn from the outcome, idle ties decay, weak ones drop.

    Who worked together (ODD §7.10): ministry pairs on pooled budgets (probability 0.1 +
    orchestration × the share of ministries honouring pooling) and the Centre with ministries
    (0.5 + 0.5 orchestration), on their mission's success this quarter; councils with their
    ministries and the Centre (0.25 + devolution), on whether the council's level rose; firms
    with their public partners when a project settles, on its outcome (ties of a running
    project neither learn nor decay); cooperating unions on their main mission's success, and
    every tie of a union in dispute on ``dispute_trust_outcome``.
    """
    net, idx = model.network, model.ties
    u = model.spec.values
    a = model.assumptions.network
    lev = q.levers
    rng = model.streams.trust
    n_edges = net.n_edges
    interacted = np.zeros(n_edges, dtype=bool)
    outcome = np.zeros(n_edges)
    success = q.result.success.astype(float)
    mins = model.population.ministries
    pooled = lev.orchestration * (1.0 - mins.reneged.mean())
    e = idx.ministry_pairs
    interacted[e] = rng.random(len(e)) < 0.1 + pooled
    outcome[e] = success[net.mission[e]]
    e = idx.centre_ministry
    interacted[e] = rng.random(len(e)) < 0.5 + 0.5 * lev.orchestration
    outcome[e] = success[net.mission[e]]
    if len(idx.council) and len(q.improved):
        e = idx.council
        interacted[e] = rng.random(len(e)) < 0.25 + lev.devolution
        outcome[e] = q.improved[idx.council_row]
    busy = np.zeros(n_edges, dtype=bool)
    if len(idx.business_public):
        e, rows = idx.business_public, idx.business_public_row
        result = q.settlement.outcome[rows]
        done = ~np.isnan(result)
        interacted[e[done]] = True
        outcome[e[done]] = result[done]
        busy[e] = model.population.businesses.quarters_left[rows] > 0
    uns = model.population.unions
    if len(idx.union_edges):
        e, who = idx.union_edges, idx.union_row
        dispute = uns.dispute_left[who] > 0
        interacted[e] = uns.cooperating[who] | dispute
        main = model.union_main_mission[who]
        outcome[e] = np.where(dispute, a.dispute_trust_outcome, success[main])
    learn_trust(net, interacted, outcome, busy, u["trust_learning_rate"], u["trust_decay"])
    model.ledger.dropped = drop_weak_ties(net, rng.random(n_edges), a.drop_trust, a.drop_prob)
