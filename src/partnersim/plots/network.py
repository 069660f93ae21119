"""Drawing the coordination network: fixed layouts, grouping, and an interactive Altair chart.

Nodes are coloured and shaped by actor kind and sized by budget, capital, members or
population; ties are drawn as segments coloured by their (mean) trust and thickened by their
number (in the grouped view, how many active ties join two groups). Positions
come from a seeded spring layout of the *potential* network (active and latent ties), computed
once per model, so the picture stays put while trust evolves and ties are brokered or dropped.

Large networks stay legible in the aggregated view (the default): councils are grouped by
region and firms by sector, and ties between groups show their count and mean trust. The full
view shows every actor except firms, of which it shows a deterministic sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import altair as alt

    from partnersim.model.partnership import PartnershipModel

KIND_STYLE = {
    # kind: (label, colour (Okabe–Ito), Vega shape)
    "centre": ("Centre / Missions Unit", "#000000", "diamond"),
    "ministry": ("Ministry", "#0072B2", "square"),
    "local_authority": ("Councils", "#009E73", "triangle-up"),
    "union": ("Union", "#E69F00", "cross"),
    "business": ("Businesses", "#CC79A7", "circle"),
}


@dataclass(frozen=True, slots=True)
class Layout:
    """Fixed positions and the grouping used to draw one model's network."""

    group: np.ndarray
    """Display node of each actor (-1: not shown)."""
    names: list[str]
    kinds: list[str]
    xy: np.ndarray
    sizes: np.ndarray
    """Marker size of each display node (from budgets, members, population, capacity)."""
    kind_labels: list[str]
    """Legend label of each display node's kind (:data:`KIND_STYLE`)."""


def build_layout(
    model: PartnershipModel, aggregate: bool = True, max_businesses: int = 300, seed: int = 0
) -> Layout:
    """Group actors (or sample them) and lay the display nodes out once."""
    net, pop = model.network, model.population
    n = net.n_nodes
    group = np.full(n, -1)
    names: list[str] = []
    kinds: list[str] = []

    def add(name: str, kind: str) -> int:
        names.append(name)
        kinds.append(kind)
        return len(names) - 1

    group[0] = add(net.name[0], "centre")
    for node in pop.ministries.node:
        group[node] = add(net.name[node], "ministry")
    for node in pop.unions.node:
        group[node] = add(net.name[node], "union")
    las, biz = pop.local_authorities, pop.businesses
    if aggregate:
        for r, region in enumerate(las.region_names):
            members = las.node[las.region == r]
            if len(members):
                group[members] = add(f"{region} councils ({len(members)})", "local_authority")
        for s, sector in enumerate(biz.sector_names):
            members = biz.node[biz.sector == s]
            if len(members):
                group[members] = add(f"{sector.capitalize()} firms ({len(members)})", "business")
    else:
        for node in las.node:
            group[node] = add(net.name[node], "local_authority")
        step = max(1, int(np.ceil(biz.n / max_businesses)))
        for node in biz.node[::step]:
            group[node] = add(net.name[node], "business")
    # Layout on the potential network between display nodes, weighted by tie counts.
    g = nx.Graph()
    g.add_nodes_from(range(len(names)))
    a, b = group[net.src], group[net.dst]
    keep = (a >= 0) & (b >= 0) & (a != b)
    pairs = pd.DataFrame({"a": np.minimum(a, b)[keep], "b": np.maximum(a, b)[keep]})
    counts = pairs.value_counts().reset_index(name="count")
    g.add_weighted_edges_from(
        (int(r.a), int(r.b), float(np.log1p(r.count))) for r in counts.itertuples()
    )
    positions = nx.spring_layout(g, seed=seed, weight="weight", k=1.6 / np.sqrt(max(len(names), 1)))
    xy = np.array([positions[i] for i in range(len(names))])
    sizes = _sizes(model, group, kinds)
    return Layout(group, names, kinds, xy, sizes, [KIND_STYLE[k][0] for k in kinds])


def _sizes(model: PartnershipModel, group: np.ndarray, kinds: list[str]) -> np.ndarray:
    """A size per display node: budgets, members, population or capacity, scaled per kind.

    These are fixed when the population is built, so the sizes are computed once per layout.
    """
    pop = model.population
    weight = np.zeros(model.network.n_nodes)
    weight[pop.ministries.node] = pop.ministries.quarterly_budget
    weight[pop.unions.node] = pop.unions.members
    weight[pop.local_authorities.node] = pop.local_authorities.population
    weight[pop.businesses.node] = pop.businesses.capacity
    weight[0] = 1.0
    shown = group >= 0
    total = np.bincount(group[shown], weight[shown], len(kinds))
    sizes = np.full(len(kinds), 300.0)
    kind_of = np.array(kinds)
    for kind in ("ministry", "union", "local_authority", "business"):
        mask = kind_of == kind
        if mask.any() and total[mask].max() > 0:
            sizes[mask] = 80 + 900 * np.sqrt(total[mask] / total[mask].max())
    sizes[kind_of == "centre"] = 700
    return sizes


def network_frames(model: PartnershipModel, layout: Layout) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node and tie tables of the model's current state, for drawing.

    The tables are copies: they stay valid (and unchanged) while the model steps on, so a
    dashboard can draw them while another thread runs the model. ``ties`` has, per pair of
    display nodes, the mean ``trust`` and the number of active ``ties`` between them, and a
    ``width`` for static figures that grows with that number.
    """
    net = model.network
    a, b = layout.group[net.src], layout.group[net.dst]
    keep = net.active & (a >= 0) & (b >= 0) & (a != b)
    ties = pd.DataFrame(
        {
            "a": np.minimum(a, b)[keep],
            "b": np.maximum(a, b)[keep],
            "trust": net.trust[keep],
        }
    )
    ties = (
        ties.groupby(["a", "b"]).agg(trust=("trust", "mean"), ties=("trust", "size")).reset_index()
    )
    ties["x"], ties["y"] = layout.xy[ties["a"], 0], layout.xy[ties["a"], 1]
    ties["x2"], ties["y2"] = layout.xy[ties["b"], 0], layout.xy[ties["b"], 1]
    ties["width"] = 0.6 + 1.4 * np.log1p(ties["ties"])

    # Per display node: ties and mean trust (reads of the current state).
    shown = net.active & (a >= 0) & (b >= 0)
    degree = np.bincount(a[shown], minlength=len(layout.names)) + np.bincount(
        b[shown], minlength=len(layout.names)
    )
    trust_sum = np.bincount(a[shown], net.trust[shown], len(layout.names)) + np.bincount(
        b[shown], net.trust[shown], len(layout.names)
    )
    nodes = pd.DataFrame(
        {
            "name": layout.names,
            "kind": layout.kind_labels,
            "x": layout.xy[:, 0],
            "y": layout.xy[:, 1],
            "size": layout.sizes,
            "active ties": degree,
            "mean trust": np.round(
                np.divide(trust_sum, degree, out=np.zeros(len(degree)), where=degree > 0), 3
            ),
        }
    )
    nodes["state"] = _state_notes(model, layout)
    return nodes, ties


def _row_totals(values: np.ndarray) -> np.ndarray:
    """One number per actor: the sum of its row (per-mission columns, if any)."""
    return values.reshape(len(values), -1).sum(axis=1)


def _state_notes(model: PartnershipModel, layout: Layout) -> list[str]:
    """A short state description per display node (for the tooltip)."""
    pop = model.population
    notes = [""] * len(layout.names)
    notes[layout.group[0]] = (
        f"capability {pop.centre.capability:.2f}; monitoring {model.monitoring:.2f}"
    )
    m = pop.ministries
    for i, node in enumerate(m.node):
        notes[layout.group[node]] = (
            f"budget £{m.quarterly_budget[i] * m.budget_shock[i] / 1000:.1f}bn/qtr; capability "
            f"{m.capability[i]:.2f}; alignment {m.alignment[i]:.2f}"
            + ("; reneged this quarter" if m.reneged[i] else "")
        )
    u = pop.unions
    for i, node in enumerate(u.node):
        stance = (
            "in dispute"
            if u.dispute_left[i] > 0
            else ("cooperating" if u.cooperating[i] else "neutral")
        )
        notes[layout.group[node]] = f"{u.members[i] / 1e3:,.0f}k members; {stance}"
    las, biz = pop.local_authorities, pop.businesses
    n = len(layout.names)
    if las.n:  # per council group, in one pass each
        g = layout.group[las.node]
        count = np.bincount(g, minlength=n)
        capability = np.bincount(g, las.capability, n)
        devolved = np.bincount(g, _row_totals(las.devolved), n)
        for i in np.flatnonzero(count).tolist():
            notes[i] = (
                f"capability {capability[i] / count[i]:.2f}; devolved "
                f"£{devolved[i] / 1000:.2f}bn this quarter"
            )
    if biz.n:  # per firm group; firms not shown (group -1) are left out
        g = layout.group[biz.node]
        shown = g >= 0
        g = g[shown]
        count = np.bincount(g, minlength=n)
        active = np.bincount(g, biz.quarters_left[shown] > 0, n)
        invested = np.bincount(g, _row_totals(biz.invested)[shown], n)
        for i in np.flatnonzero(count).tolist():
            notes[i] = (
                f"{active[i] / count[i]:.0%} with a mission project; "
                f"£{invested[i] / 1000:.1f}bn invested"
            )
    return notes


def network_chart(
    model: PartnershipModel, layout: Layout, width: int = 560, height: int = 460
) -> alt.LayerChart:
    """The Altair chart of the model's current state (see :func:`draw_network`)."""
    nodes, ties = network_frames(model, layout)
    return draw_network(nodes, ties, width=width, height=height)


def draw_network(
    nodes: pd.DataFrame, ties: pd.DataFrame, width: int = 560, height: int = 460
) -> alt.LayerChart:
    """The Altair chart of node and tie tables (:func:`network_frames`): ties under nodes.

    Tie colour is mean trust (viridis, 0–1); tie width is the number of active ties a segment
    stands for (a legend says how many when the grouped view joins several). Node colour and
    shape both encode the actor kind and share one legend, so the kinds stay distinguishable
    without colour vision.
    """
    import altair as alt

    kinds = [v[0] for v in KIND_STYLE.values()]
    scale = alt.Scale(domain=kinds, range=[v[1] for v in KIND_STYLE.values()])
    shapes = alt.Scale(domain=kinds, range=[v[2] for v in KIND_STYLE.values()])
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-1.15, 1.15]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-1.15, 1.15]))
    most = int(ties["ties"].max()) if len(ties) else 1
    edges = (
        alt.Chart(ties)
        .mark_rule(opacity=0.55)
        .encode(
            x=x,
            y=y,
            x2="x2:Q",
            y2="y2:Q",
            # stroke, not color: the nodes' colour scale stays their own, so their colour and
            # shape legends can merge
            stroke=alt.Stroke(
                "trust:Q",
                scale=alt.Scale(scheme="viridis", domain=[0, 1]),
                legend=alt.Legend(title="tie trust (0–1)"),
            ),
            strokeWidth=alt.StrokeWidth(
                "ties:Q",
                scale=alt.Scale(type="sqrt", domain=[1, max(most, 2)], range=[0.8, 5]),
                legend=alt.Legend(title="active ties", tickMinStep=1, format="d")
                if most > 1
                else None,
            ),
            tooltip=[
                alt.Tooltip("ties:Q", title="active ties"),
                alt.Tooltip("trust:Q", format=".2f", title="mean trust"),
            ],
        )
    )
    legend = alt.Legend(title="actor", symbolSize=120, symbolStrokeWidth=0)
    points = (
        alt.Chart(nodes)
        .mark_point(filled=True, opacity=0.9, stroke="white", strokeWidth=0.5)
        .encode(
            x=x,
            y=y,
            # the same field, title and legend for colour and shape: Vega-Lite merges them
            # into one legend whose symbols carry both
            color=alt.Color("kind:N", scale=scale, legend=legend),
            shape=alt.Shape("kind:N", scale=shapes, legend=legend),
            size=alt.Size("size:Q", legend=None, scale=alt.Scale(range=[30, 1200])),
            tooltip=["name:N", "kind:N", "state:N", "active ties:Q", "mean trust:Q"],
        )
    )
    return (edges + points).properties(width=width, height=height, title="Coordination network")
