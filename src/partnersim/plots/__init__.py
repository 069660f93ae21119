"""Figures from results tables: DataFrame in, matplotlib ``Figure`` out.

Used by the CLI, notebooks and the dashboard. Every axis is labelled in real units and every
mission panel draws its target at its deadline. Colours are the Okabe–Ito palette, which
stays distinguishable for colour-blind readers. Figures are built without pyplot, so nothing
here opens windows or needs a display.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from partnersim import data

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
"""Colour-blind-safe qualitative palette (Okabe & Ito 2008)."""

BAND = (0.1, 0.9)
"""Quantiles of the shaded band over seeds."""


def format_value(value: float) -> str:
    """A real-unit value for labels: thousands separated, at most one decimal."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3g}"


def decimal_year(step: np.ndarray | float) -> np.ndarray | float:
    """Decimal year at the end of ``step`` (step 0 is the start of the first quarter)."""
    start = data.start_quarter()
    year, q = int(start[:4]), int(start[-1])
    return year + (q - 1) / 4 + np.asarray(step) / 4


def _bands(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Median and 10th/90th percentiles over seeds at each step (one NumPy pass)."""
    steps = frame["step"].to_numpy()
    order = np.argsort(steps, kind="stable")
    index, counts = np.unique(steps[order], return_counts=True)
    values = frame[column].to_numpy(dtype=float)[order]
    with warnings.catch_warnings():  # flows are NaN at step 0: no band there
        warnings.simplefilter("ignore", RuntimeWarning)
        if (counts == counts[0]).all():  # every step has every seed: one vectorised quantile
            grid = values.reshape(len(index), counts[0])
            q = np.nanquantile(grid, [0.5, BAND[0], BAND[1]], axis=1)
        else:
            groups = np.split(values, np.cumsum(counts)[:-1])
            q = np.array([[np.nanquantile(g, p) for g in groups] for p in (0.5, *BAND)])
    return pd.DataFrame({"median": q[0], "low": q[1], "high": q[2]}, index=index)


def _draw_band(ax: Axes, frame: pd.DataFrame, column: str, colour: str, label: str | None) -> None:
    b = _bands(frame, column)
    x = decimal_year(b.index.to_numpy())
    if np.nanmax(np.abs(b["high"] - b["low"]), initial=0.0) > 0:  # one seed: no band to draw
        ax.fill_between(x, b["low"], b["high"], color=colour, alpha=0.2, linewidth=0)
    ax.plot(x, b["median"], color=colour, linewidth=1.8, label=label)


def missions_layout() -> Figure:
    """The missions figure without data: panels, targets, milestones, labels and ticks.

    It depends only on the mission data, so the CLI's figure helper builds it and draws it
    once (which creates the tick artists and warms font and layout caches) while the
    simulation is still running; :func:`fill_missions` then adds the results. Axis limits
    are provisional (the default ten-year horizon) and are re-fitted to the data by
    :func:`fill_missions`.
    """
    # A fixed layout: constrained layout would cost a third of the drawing time.
    fig = Figure(figsize=(13, 7.5))
    fig.subplots_adjust(left=0.06, right=0.985, top=0.91, bottom=0.13, wspace=0.32, hspace=0.38)
    axes = fig.subplots(2, 3).ravel()
    x_range = (decimal_year(0), decimal_year(40))
    for ax, m in zip(axes, data.missions(), strict=False):
        ax.axhline(m.target, color="#444444", linestyle="--", linewidth=1)
        ax.plot(
            [decimal_year(m.deadline_step)],
            [m.target],
            marker="*",
            color="#000000",
            markersize=11,
            zorder=5,
        )
        for milestone in m.milestones:
            x = decimal_year(milestone.deadline_step)
            ax.plot([x], [milestone.target], marker="D", color="#444444", markersize=5)
        ax.set_title(m.label)
        ax.set_ylabel(f"{m.indicator}\n({m.unit})", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(5))
    ax = axes[5]
    ax.set_title("Private investment in mission projects")
    ax.set_ylabel("£bn committed per quarter", fontsize=8)
    for ax in axes:
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
        ax.set_xlim(*x_range)  # provisional: enough ticks exist before the data arrive
    return fig


def fill_missions(
    fig: Figure, runs: Mapping[str, pd.DataFrame], title: str | None = None
) -> Figure:
    """Draw results into a :func:`missions_layout` figure (see :func:`missions_figure`)."""
    axes = fig.axes[:6]
    colours = dict(zip(runs, OKABE_ITO, strict=False))
    last = max((int(frame["step"].max()) for frame in runs.values()), default=40)
    for ax, m in zip(axes, data.missions(), strict=False):
        for label, frame in runs.items():
            _draw_band(ax, frame, f"{m.name}_level", colours[label], label)
        late = m.deadline_step > 0.7 * last
        ax.annotate(
            f"target {format_value(m.target)} by {m.target_deadline}",
            (decimal_year(m.deadline_step), m.target),
            textcoords="offset points",
            xytext=(-6 if late else 4, 6 if m.higher_is_better else -14),
            ha="right" if late else "left",
            fontsize=8,
        )
    for label, frame in runs.items():
        _draw_band(axes[5], frame, "private_investment", colours[label], label)
    for ax in axes:
        ax.set_autoscale_on(True)
        ax.relim()
        ax.autoscale_view()
    handles, labels = axes[0].get_legend_handles_labels()
    if labels:
        fig.legend(handles, labels, loc="lower center", ncols=min(len(labels), 5), frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def missions_figure(runs: Mapping[str, pd.DataFrame], title: str | None = None) -> Figure:
    """The five missions (and private investment) over time, one line per scenario.

    Args:
        runs: scenario label → time series of one or more seeds (columns ``step``, metrics;
            several seeds are stacked rows). Lines are medians over seeds, bands the 10th–90th
            percentiles.
        title: figure title.
    """
    return fill_missions(missions_layout(), runs, title)


def metric_figure(
    runs: Mapping[str, pd.DataFrame], columns: list[str], labels: Mapping[str, str] | None = None
) -> Figure:
    """Selected metrics over time, one panel each, one line (and band) per scenario."""
    from partnersim.model.metrics import METRIC_INDEX, METRICS

    n = len(columns)
    fig = Figure(figsize=(4.2 * min(n, 3), 3.4 * ((n + 2) // 3)), layout="constrained")
    axes = np.atleast_1d(fig.subplots((n + 2) // 3, min(n, 3))).ravel()
    colours = dict(zip(runs, OKABE_ITO, strict=False))
    for ax, column in zip(axes, columns, strict=False):
        metric = METRICS[METRIC_INDEX[column]]
        for label, frame in runs.items():
            _draw_band(ax, frame, column, colours[label], label)
        ax.set_title((labels or {}).get(column, metric.description), fontsize=9)
        ax.set_ylabel(metric.unit)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
    for ax in axes[n:]:
        ax.set_visible(False)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=min(len(names), 5), frameon=False)
    return fig


def network_figure(model: PartnershipModel, aggregate: bool = True, seed: int = 0) -> Figure:
    """The model's coordination network now, as a static figure (the dashboard's view).

    Nodes are coloured and shaped by actor kind and sized by budget, members, population or
    capital; ties are coloured by trust (viridis) and thickened by their number. With
    ``aggregate`` councils are grouped by region and firms by sector.
    """
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.lines import Line2D

    from partnersim.plots.network import KIND_STYLE, build_layout, network_frames

    layout = build_layout(model, aggregate=aggregate, seed=seed)
    nodes, ties = network_frames(model, layout)
    fig = Figure(figsize=(8.5, 7))
    ax = fig.subplots()
    cmap = colormaps["viridis"]
    for t in ties.itertuples():
        ax.plot(
            [t.x, t.x2],
            [t.y, t.y2],
            color=cmap(t.trust),
            linewidth=t.width * 0.7,
            alpha=0.55,
            zorder=1,
        )
    markers = {"diamond": "D", "square": "s", "triangle-up": "^", "cross": "P", "circle": "o"}
    handles = []
    for label, colour, shape in KIND_STYLE.values():
        rows = nodes[nodes["kind"] == label]
        ax.scatter(
            rows["x"],
            rows["y"],
            s=rows["size"] * 0.5,
            c=colour,
            marker=markers[shape],
            edgecolors="white",
            linewidths=0.5,
            zorder=2,
        )
        handles.append(
            Line2D([], [], marker=markers[shape], color=colour, linestyle="", label=label)
        )
    for r in nodes[nodes["kind"].isin(["Centre / Missions Unit", "Ministry"])].itertuples():
        ax.annotate(
            r.name.replace("Department for ", "").replace("Department of ", ""),
            (r.x, r.y),
            fontsize=6,
            ha="center",
            va="bottom",
            xytext=(0, 5),
            textcoords="offset points",
        )
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=False)
    fig.colorbar(ScalarMappable(cmap=cmap), ax=ax, shrink=0.6, label="trust (0–1)")
    ax.set_axis_off()
    ax.set_title(f"Coordination network, quarter {model.steps}")
    return fig
