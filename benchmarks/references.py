"""Reference implementations of partnersim's interaction kernel, for the benchmark.

The kernel (``partnersim.model.interaction``): every firm, ministry and union reads its active ties
(trust-weighted sums and means), then every tie that worked together learns toward its outcome
and idle ties decay. Two references compute exactly the same numbers:

* :class:`MesaKernel` — the idiomatic Mesa way: one ``FixedAgent`` per actor on a
  ``mesa.discrete_space.Network`` built from the active ties, each agent looping over its
  ``cell.neighborhood`` and reading tie attributes from the networkx graph, then updating the
  ties it owns (those to higher-numbered partners), driven by ``agents.do``;
* :class:`SparseKernel` — bare ``scipy.sparse``: one CSR reader-by-edge matrix per reading, so
  each aggregate is a sparse matrix–vector product.

Both are written for this benchmark (learning from Mesa's example models, not copying them).
"""

from __future__ import annotations

import math

import mesa
import networkx as nx
import numpy as np
import scipy.sparse as sp
from mesa.discrete_space import FixedAgent, Network

from partnersim.model.interaction import TieAggregates, TieIndex
from partnersim.model.network import CoordinationNetwork, TieType

BUSINESS_PUBLIC = {
    int(TieType.MINISTRY_BUSINESS),
    int(TieType.BUSINESS_LA),
    int(TieType.CENTRE_BUSINESS),
}
GOVERNMENT = {int(TieType.MINISTRY_MINISTRY), int(TieType.CENTRE_MINISTRY)}
UNION_ALL = {
    int(TieType.UNION_BUSINESS),
    int(TieType.UNION_MINISTRY),
    int(TieType.UNION_LA),
    int(TieType.CENTRE_UNION),
}
UNION_GOVERNMENT = {int(TieType.UNION_MINISTRY), int(TieType.CENTRE_UNION)}


class Actor(FixedAgent):
    """An actor that reads its ties by looping over its network neighbours."""

    def __init__(self, model: MesaKernelModel, cell, node: int, kind: str):
        super().__init__(model)
        self.cell = cell
        self.node = node
        self.kind = kind
        self.result: tuple[float, float] = (0.0, 0.0)

    def read_ties(self) -> None:
        graph = self.model.graph
        if self.kind == "business":
            total = public = 0.0
            count = 0
            for other in self.cell.neighborhood.agents:
                tie = graph.edges[self.node, other.node]
                total += tie["trust"]
                if tie["tie"] in BUSINESS_PUBLIC:
                    public += tie["trust"]
                    count += 1
            self.result = (1.0 - math.exp(-total), public / count if count else 0.0)
        elif self.kind == "ministry":
            total = 0.0
            for other in self.cell.neighborhood.agents:
                tie = graph.edges[self.node, other.node]
                if tie["tie"] in GOVERNMENT:
                    total += tie["trust"]
            self.result = (1.0 - math.exp(-total), 0.0)
        elif self.kind == "union":
            government = total = 0.0
            count = 0
            for other in self.cell.neighborhood.agents:
                tie = graph.edges[self.node, other.node]
                if tie["tie"] in UNION_ALL:
                    total += tie["trust"]
                    count += 1
                if tie["tie"] in UNION_GOVERNMENT:
                    government += tie["trust"]
            self.result = (1.0 - math.exp(-government), total / count if count else 0.5)

    def update_ties(self) -> None:
        graph = self.model.graph
        rate, decay = self.model.learning_rate, self.model.decay
        for other in self.cell.neighborhood.agents:
            if other.node < self.node:
                continue  # each tie is updated once, by its lower-numbered end
            tie = graph.edges[self.node, other.node]
            if tie["interacted"]:
                tie["trust"] += rate * (tie["outcome"] - tie["trust"])
            elif not tie["frozen"]:
                tie["trust"] *= 1.0 - decay
            tie["trust"] = min(max(tie["trust"], 0.0), 1.0)


class MesaKernelModel(mesa.Model):
    """The interaction kernel as an idiomatic Mesa model over the active ties."""

    def __init__(self, graph: nx.Graph, kinds: list[str], learning_rate: float, decay: float):
        super().__init__(rng=0)
        self.graph = graph
        self.learning_rate = learning_rate
        self.decay = decay
        self.space = Network(graph, capacity=1, random=self.random, layout=None)
        self.actors = [Actor(self, self.space[i], i, kinds[i]) for i in range(len(kinds))]

    def step(self) -> None:
        self.agents.do("read_ties")
        self.agents.do("update_ties")


class MesaKernel:
    """Build the Mesa reference from partnersim's network and run one kernel step."""

    def __init__(self, net: CoordinationNetwork, interacted, outcome, frozen, learning_rate, decay):
        kinds = [net.KINDS[k].value for k in net.kind]
        graph = nx.Graph()
        graph.add_nodes_from(range(net.n_nodes))
        idx = np.flatnonzero(net.active)
        graph.add_edges_from(
            (
                int(net.src[e]),
                int(net.dst[e]),
                {
                    "trust": float(net.trust[e]),
                    "tie": int(net.tie[e]),
                    "interacted": bool(interacted[e]),
                    "outcome": float(outcome[e]),
                    "frozen": bool(frozen[e]),
                },
            )
            for e in idx
        )
        self.edges = idx
        self.src, self.dst = net.src[idx], net.dst[idx]
        self.model = MesaKernelModel(graph, kinds, learning_rate, decay)

    def step(self) -> None:
        """One kernel application: read ties, then learn and decay."""
        self.model.step()

    def aggregates(self, idx: TieIndex, net: CoordinationNetwork) -> TieAggregates:
        """The results the actors computed, arranged like partnersim's."""
        actors = self.model.actors
        biz = [actors[n].result for n in range(net.n_nodes - idx.n_businesses, net.n_nodes)]
        mins = [a.result for a in actors if a.kind == "ministry"]
        uns = [a.result for a in actors if a.kind == "union"]
        return TieAggregates(
            np.array([b[0] for b in biz]),
            np.array([b[1] for b in biz]),
            np.array([m[0] for m in mins]),
            np.array([u[0] for u in uns]),
            np.array([u[1] for u in uns]),
        )

    def trust(self) -> np.ndarray:
        """Trust of the active ties after the step, in partnersim's edge order."""
        g = self.model.graph
        return np.array(
            [g.edges[int(s), int(d)]["trust"] for s, d in zip(self.src, self.dst, strict=True)]
        )


class SparseKernel:
    """The same arithmetic as one CSR matrix–vector product per aggregate."""

    def __init__(self, net: CoordinationNetwork, idx: TieIndex):
        E = net.n_edges

        def reader(rows, edges, n):
            return sp.csr_matrix((np.ones(len(edges)), (rows, edges)), shape=(n, E))

        gov_src = idx.government_src_row >= 0
        self.business_all = reader(idx.business_row, idx.business_edges, idx.n_businesses)
        self.business_public = reader(
            idx.business_public_row, idx.business_public, idx.n_businesses
        )
        self.ministry = reader(
            np.concatenate([idx.government_dst_row, idx.government_src_row[gov_src]]),
            np.concatenate([idx.government, idx.government[gov_src]]),
            idx.n_ministries,
        )
        self.union_gov = reader(idx.union_government_row, idx.union_government, idx.n_unions)
        self.union_all = reader(idx.union_row, idx.union_edges, idx.n_unions)

    def aggregates(self, trust: np.ndarray, active: np.ndarray) -> TieAggregates:
        w = trust * active
        a = active.astype(float)
        count_b = self.business_public @ a
        count_u = self.union_all @ a
        return TieAggregates(
            1.0 - np.exp(-(self.business_all @ w)),
            np.divide(
                self.business_public @ w, count_b, out=np.zeros_like(count_b), where=count_b > 0
            ),
            1.0 - np.exp(-(self.ministry @ w)),
            1.0 - np.exp(-(self.union_gov @ w)),
            np.divide(
                self.union_all @ w, count_u, out=np.full_like(count_u, 0.5), where=count_u > 0
            ),
        )

    @staticmethod
    def learn(trust, active, interacted, outcome, frozen, rate, decay) -> np.ndarray:
        learn = active & interacted
        idle = active & ~interacted & ~frozen
        out = np.where(learn, trust + rate * (outcome - trust), trust)
        out = np.where(idle, out * (1.0 - decay), out)
        return np.clip(out, 0.0, 1.0)
