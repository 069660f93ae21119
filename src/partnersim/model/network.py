"""The coordination network: every actor a node, typed edges with evolving trust.

The network is held as edge arrays (endpoints, type, trust, active flag) so that the model's
per-step work over edges is a handful of numpy operations; :meth:`CoordinationNetwork.to_networkx`
materialises the current state as a ``networkx.Graph`` of named organisations for users,
figures and the dashboard.

Edges are created once, when the model is built: those that exist in the "Westminster–Whitehall"
status quo start *active*; the rest are *latent* ties that the Centre can broker later
(cross-silo ministry–ministry ties, and cross-sector ties between the Centre or ministries and
businesses, unions and councils). Dropping a tie makes it latent again. Partnership scenarios
change the network only through these rules, never by drawing a different graph.

Nothing here imports Mesa.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from types import SimpleNamespace

import networkx as nx
import numpy as np

from partnersim import data
from partnersim.model.population import Population


class ActorKind(StrEnum):
    """The five kinds of actor."""

    CENTRE = "centre"
    MINISTRY = "ministry"
    LOCAL_AUTHORITY = "local_authority"
    UNION = "union"
    BUSINESS = "business"


class TieType(IntEnum):
    """Edge types of the coordination graph."""

    CENTRE_MINISTRY = 0
    """Vertical: the Centre and a ministry."""
    MINISTRY_MINISTRY = 1
    """Horizontal, cross-silo: two ministries."""
    MINISTRY_LA = 2
    """Vertical: a ministry and a council."""
    MINISTRY_BUSINESS = 3
    """Procurement: a ministry and a firm in a sector it sponsors."""
    BUSINESS_LA = 4
    """Place: a firm and the council it is located in."""
    UNION_BUSINESS = 5
    """Union–employer, private sector."""
    UNION_MINISTRY = 6
    """Union–ministry (public-sector bargaining, consultation)."""
    UNION_LA = 7
    """Union–employer, councils."""
    CENTRE_BUSINESS = 8
    """Cross-sector, brokered: the Centre and a large firm."""
    CENTRE_UNION = 9
    """Cross-sector, brokered: the Centre and a union."""
    CENTRE_LA = 10
    """Cross-sector, brokered: the Centre and a council (devolution deals)."""

    @property
    def label(self) -> str:
        """Human-readable name, e.g. ``"ministry–business"``."""
        return self.name.lower().replace("_", "–").replace("la", "local authority")


GOVERNMENT_TIES = (TieType.CENTRE_MINISTRY, TieType.MINISTRY_MINISTRY)
BUSINESS_TIES = (
    TieType.MINISTRY_BUSINESS,
    TieType.BUSINESS_LA,
    TieType.UNION_BUSINESS,
    TieType.CENTRE_BUSINESS,
)
UNION_TIES = (
    TieType.UNION_BUSINESS,
    TieType.UNION_MINISTRY,
    TieType.UNION_LA,
    TieType.CENTRE_UNION,
)
CROSS_SECTOR_TIES = (TieType.CENTRE_BUSINESS, TieType.CENTRE_UNION, TieType.CENTRE_LA)


class CoordinationNetwork:
    """Nodes and typed, trust-weighted edges of the partnership, as arrays.

    Attributes:
        kind: actor kind of each node (index into :class:`ActorKind` order).
        name: organisation name of each node.
        community: the mission silo each node belongs to (5 = places, 6 = the Centre), used
            for modularity.
        src, dst: edge endpoints (node indices; ``src < dst``).
        tie: :class:`TieType` of each edge.
        mission: the mission an edge serves (-1 when none), used to target brokerage.
        trust: trust / coordination quality in [0, 1].
        active: whether the tie currently exists (latent ties are inactive).
        brokerable: whether the Centre can (re)activate the tie.
        version: incremented whenever edges are added or dropped.
    """

    KINDS = tuple(ActorKind)

    def __init__(self, kind, name, community, src, dst, tie, mission, trust, active, brokerable):
        self.kind = kind
        self.name = name
        self.community = community
        order = np.lexsort((dst, src))
        self.src = src[order]
        self.dst = dst[order]
        self.tie = tie[order]
        self.mission = mission[order]
        self.trust = trust[order]
        self.active = active[order]
        self.brokerable = brokerable[order]
        self.version = 0
        c = community
        self.community_src = c[self.src]
        self.community_dst = c[self.dst]
        self.same_community = self.community_src == self.community_dst
        self.cross_sector = np.isin(self.tie, CROSS_SECTOR_TIES)
        self._graph: nx.Graph | None = None
        self._graph_state: tuple[int, int] | None = None
        self._trust_stamp = 0

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.kind)

    @property
    def n_edges(self) -> int:
        """Number of edges, active or latent."""
        return len(self.src)

    def mark_trust_changed(self) -> None:
        """Record that trust values changed (cheap; the networkx view syncs lazily)."""
        self._trust_stamp += 1

    def incident(self, node: int) -> np.ndarray:
        """Indices of the active edges touching ``node``."""
        return np.flatnonzero(self.active & ((self.src == node) | (self.dst == node)))

    def strength(self, weights: np.ndarray) -> np.ndarray:
        """Sum of ``weights`` over each node's edges (both endpoints), per node."""
        return np.bincount(self.src, weights, self.n_nodes) + np.bincount(
            self.dst, weights, self.n_nodes
        )

    def to_networkx(self) -> nx.Graph:
        """The current network as a ``networkx.Graph``.

        Nodes are integers (the agents' ``node`` attribute) carrying ``name``, ``kind`` and
        ``community``; active edges carry ``tie`` (a :class:`TieType` label) and ``trust``. The
        graph is cached and brought up to date on each call.
        """
        state = (self.version, self._trust_stamp)
        if self._graph is not None and self._graph_state == state:
            return self._graph
        if self._graph is None or self._graph_state[0] != self.version:
            g = nx.Graph()
            g.add_nodes_from(
                (i, {"name": self.name[i], "kind": self.KINDS[k].value, "community": int(c)})
                for i, (k, c) in enumerate(zip(self.kind, self.community, strict=True))
            )
            idx = np.flatnonzero(self.active)
            labels = [TieType(t).label for t in range(len(TieType))]
            g.add_edges_from(
                (int(s), int(d), {"tie": labels[t], "trust": float(w)})
                for s, d, t, w in zip(
                    self.src[idx], self.dst[idx], self.tie[idx], self.trust[idx], strict=True
                )
            )
            self._graph = g
        else:
            g = self._graph
            idx = np.flatnonzero(self.active)
            for s, d, w in zip(
                self.src[idx].tolist(),
                self.dst[idx].tolist(),
                self.trust[idx].tolist(),
                strict=True,
            ):
                g.edges[s, d]["trust"] = w
        self._graph_state = state
        return self._graph


def build_coordination_network(
    pop: Population, rng: np.random.Generator, assumptions: SimpleNamespace
) -> CoordinationNetwork:
    """Build the status-quo ("Westminster–Whitehall") coordination network.

    Ties (A = active at the start, L = latent, brokerable):

    * Centre–every ministry (A).
    * Ministry pairs that share a mission: a share ``initial_horizontal_share`` (A), the rest
      and all other pairs (L) — Whitehall's weak horizontal ties.
    * Every council–MHCLG (A) and council–one of DfE, HO, DHSC, DWP (A); Centre–council (L).
    * Every firm–its sector's lead ministry (A) and –its council (A); firm–a second ministry
      serving its mission (L); Centre–medium and large firms (L).
    * Union–each ministry it deals with (A); union–firms in its missions with probability
      rising with union density and firm size (A); council-sector unions–councils (A, p=0.5);
      Centre–union (L).

    Args:
        pop: the actors.
        rng: the run's generator (every draw comes from it).
        assumptions: the assumptions in force (``data.assumptions(scenario.assumptions)``).
    """
    a = assumptions.network
    mins, las, uns, biz = pop.ministries, pop.local_authorities, pop.unions, pop.businesses
    n_nodes = pop.n_nodes
    kind = np.empty(n_nodes, dtype=np.int8)
    community = np.empty(n_nodes, dtype=np.int8)
    kind[0] = 0
    community[0] = 6
    kind[mins.node] = 1
    community[mins.node] = mins.lead_mission
    kind[las.node] = 2
    community[las.node] = 5
    kind[uns.node] = 3
    community[uns.node] = uns.missions.argmax(axis=1) if uns.n else 0
    kind[biz.node] = 4
    community[biz.node] = biz.mission
    name = (
        ["Missions Unit (Centre)"]
        + list(mins.name)
        + [f"{las.region_names[r]} council {i + 1}" for i, r in enumerate(las.region)]
        + list(uns.name)
        + [
            f"{biz.sector_names[s].capitalize()} firm {i + 1} ({biz.size_band_names[b]})"
            for i, (s, b) in enumerate(zip(biz.sector, biz.size_band, strict=True))
        ]
    )

    parts: list[tuple] = []  # (src, dst, tie, mission, trust, active, brokerable)

    def add(src, dst, tie, mission, trust, active, brokerable):
        src, dst = np.broadcast_arrays(
            np.atleast_1d(np.asarray(src, dtype=np.int64)),
            np.atleast_1d(np.asarray(dst, dtype=np.int64)),
        )
        n = len(src)
        parts.append(
            (
                src,
                dst,
                np.full(n, int(tie), dtype=np.int8),
                np.broadcast_to(np.asarray(mission, dtype=np.int8), (n,)),
                np.broadcast_to(np.asarray(trust, dtype=float), (n,)),
                np.broadcast_to(np.asarray(active, dtype=bool), (n,)),
                np.full(n, brokerable, dtype=bool),
            )
        )

    # Government.
    add(
        0,
        mins.node,
        TieType.CENTRE_MINISTRY,
        mins.lead_mission,
        a.trust_centre_ministry,
        True,
        False,
    )
    shared = mins.programmes @ mins.programmes.T
    for i in range(mins.n):
        for j in range(i + 1, mins.n):
            common = mins.programmes[i] * mins.programmes[j]
            mission = int(common.argmax()) if shared[i, j] > 0 else int(mins.lead_mission[i])
            is_active = shared[i, j] > 0 and rng.random() < a.initial_horizontal_share
            add(
                mins.node[i],
                mins.node[j],
                TieType.MINISTRY_MINISTRY,
                mission,
                a.trust_ministry_ministry if is_active else 0.0,
                is_active,
                True,
            )

    # Places.
    if las.n:
        code = list(mins.code)
        mhclg = mins.node[code.index("MHCLG")]
        add(
            mhclg,
            las.node,
            TieType.MINISTRY_LA,
            las.need.argmax(axis=1),
            a.trust_ministry_la,
            True,
            False,
        )
        local = np.array([mins.node[code.index(c)] for c in ("DfE", "HO", "DHSC", "DWP")])
        pick = local[rng.integers(len(local), size=las.n)]
        add(
            pick,
            las.node,
            TieType.MINISTRY_LA,
            mins.lead_mission[pick - 1],
            a.trust_ministry_la,
            True,
            False,
        )
        add(0, las.node, TieType.CENTRE_LA, las.need.argmax(axis=1), 0.0, False, True)

    # Businesses.
    if biz.n:
        add(
            mins.node[biz.lead_ministry],
            biz.node,
            TieType.MINISTRY_BUSINESS,
            biz.mission,
            a.trust_ministry_business,
            True,
            False,
        )
        if las.n:
            add(
                las.node[biz.la],
                biz.node,
                TieType.BUSINESS_LA,
                biz.mission,
                a.trust_business_la,
                True,
                False,
            )
        # A second ministry with programmes in the firm's mission (latent, brokerable).
        serving = mins.programmes[:, biz.mission].T  # firms × ministries
        serving[np.arange(biz.n), biz.lead_ministry] = 0.0
        has_other = serving.sum(axis=1) > 0
        cum = np.cumsum(serving[has_other], axis=1)
        draw = rng.random(has_other.sum()) * cum[:, -1]
        second = (cum < draw[:, None]).sum(axis=1)
        add(
            mins.node[second],
            biz.node[has_other],
            TieType.MINISTRY_BUSINESS,
            biz.mission[has_other],
            0.0,
            False,
            True,
        )
        big = biz.size_band > 0
        add(0, biz.node[big], TieType.CENTRE_BUSINESS, biz.mission[big], 0.0, False, True)

    # Unions.
    if uns.n:
        totals = data.union_totals()
        for u in range(uns.n):
            rows = uns.ministries[u]
            if rows:
                add(
                    uns.node[u],
                    mins.node[list(rows)],
                    TieType.UNION_MINISTRY,
                    mins.lead_mission[list(rows)],
                    a.trust_union,
                    True,
                    False,
                )
        add(0, uns.node, TieType.CENTRE_UNION, uns.missions.argmax(axis=1), 0.0, False, True)
        if biz.n:
            # Union–firm ties: probability rises with union density and firm size.
            size_factor = np.array([1.0, 3.0, 6.0])[biz.size_band]
            p = np.minimum(1.0, totals["private_density"] * size_factor)
            organised = rng.random(biz.n) < p
            weights = uns.missions[:, biz.mission[organised]].T * uns.members  # firms × unions
            ok = weights.sum(axis=1) > 0
            firms = np.flatnonzero(organised)[ok]
            cum = np.cumsum(weights[ok], axis=1)
            draw = rng.random(len(firms)) * cum[:, -1]
            union = (cum < draw[:, None]).sum(axis=1)
            add(
                uns.node[union],
                biz.node[firms],
                TieType.UNION_BUSINESS,
                biz.mission[firms],
                a.trust_union,
                True,
                False,
            )
        if las.n:
            council_unions = [
                u
                for u in range(uns.n)
                if uns.public[u]
                and any(mins.code[r] in ("MHCLG", "DfE") for r in uns.ministries[u])
            ]
            for u in council_unions:
                members = las.node[rng.random(las.n) < 0.5]
                add(
                    uns.node[u],
                    members,
                    TieType.UNION_LA,
                    int(uns.missions[u].argmax()),
                    a.trust_union,
                    True,
                    False,
                )

    cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    src, dst = np.minimum(cols[0], cols[1]), np.maximum(cols[0], cols[1])
    return CoordinationNetwork(
        kind,
        name,
        community,
        src.astype(np.int64),
        dst.astype(np.int64),
        cols[2],
        cols[3].astype(np.int8),
        cols[4].astype(float),
        cols[5].copy(),
        cols[6],
    )
