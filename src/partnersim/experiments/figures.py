"""The sweep report's figures: index bars, success by region, PRIM trajectories, fan charts.

Each function draws one figure from the report's tables (no pyplot: figures are built with
``matplotlib.figure.Figure``, so nothing opens a window) and saves it as PNG into the report
folder, returning the file name.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from partnersim import data
from partnersim.experiments.discovery import Search
from partnersim.plots import decimal_year

COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
"""Okabe–Ito colours, safe for colour-blind readers."""


def sensitivity_figure(
    group: pd.DataFrame,
    outcome: str,
    folder: Path,
    *,
    name: str | None = None,
    interval: str = "95 % bootstrap interval over replications",
) -> str:
    """Bars of each index of one outcome per factor, with their 95 % intervals.

    ``name``: the file's name (default ``sensitivity_<outcome>.png``); ``interval``: what the
    error bars are, for the axis label.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 0.45 * group["factor"].nunique() + 1.6), layout="constrained")
    ax = fig.subplots()
    kinds = list(dict.fromkeys(group["index"]))
    factors = list(dict.fromkeys(group["factor"]))
    y = np.arange(len(factors))
    height = 0.8 / len(kinds)
    for k, kind in enumerate(kinds):
        g = group[group["index"] == kind].set_index("factor").loc[factors]
        err = np.vstack([g["estimate"] - g["low"], g["high"] - g["estimate"]]).clip(min=0)
        ax.barh(
            y + k * height,
            g["estimate"],
            height,
            xerr=np.nan_to_num(err),
            label=kind,
            color=COLOURS[k % 2],
            capsize=2,
        )
    ax.set_yticks(y + height * (len(kinds) - 1) / 2, factors)
    ax.invert_yaxis()
    ax.set_xlabel(f"{group['method'].iloc[0]} index ({group['unit'].iloc[0]})\n{interval}")
    ax.set_title(f"Sensitivity of {outcome}")
    ax.legend(frameon=False)
    name = name or f"sensitivity_{outcome}.png"
    fig.savefig(folder / name, dpi=100)
    return name


def success_figure(group: pd.DataFrame, mission: str, folder: Path) -> str:
    """P(target met) with its Wilson interval in each region of each factor."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 0.32 * len(group) + 1.5), layout="constrained")
    ax = fig.subplots()
    labels = [f"{r.factor}: {r.region}" for r in group.itertuples()]
    err = np.vstack([group["p_met"] - group["low"], group["high"] - group["p_met"]])
    ax.errorbar(
        group["p_met"],
        np.arange(len(group)),
        xerr=err.clip(min=0),  # Wilson bounds hold the estimate; clip guards rounding
        fmt="o",
        color=COLOURS[2],
        capsize=2,
    )
    ax.set_yticks(np.arange(len(group)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability of meeting the target (Wilson 95 % interval)")
    ax.set_title(f"{mission}: success by factor region")
    name = f"success_{mission}.png"
    fig.savefig(folder / name, dpi=100)
    return name


def trajectory_figure(found: Search, folder: Path) -> str | None:
    """PRIM's peeling trajectory: coverage against density, the box chosen marked."""
    from matplotlib.figure import Figure

    t = found.trajectory
    if t.empty:
        return None
    fig = Figure(figsize=(6, 4.2), layout="constrained")
    ax = fig.subplots()
    points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18)
    fig.colorbar(points, ax=ax, label="restricted factors")
    if found.chosen is not None:
        row = t.loc[found.chosen]
        ax.scatter(
            [row["coverage"]],
            [row["density"]],
            s=110,
            facecolors="none",
            edgecolors=COLOURS[5],
            linewidths=2,
            label="box chosen",
        )
    if found.prim is not None:
        ax.scatter(
            [found.prim.coverage],
            [found.prim.density],
            marker="*",
            s=140,
            color=COLOURS[5],
            label="after dropping idle restrictions",
        )
    ax.axhline(found.base_rate, color="#999999", linestyle="--", linewidth=1, label="base rate")
    ax.set_xlabel("coverage (share of cases of interest in the box)")
    ax.set_ylabel("density (share of the box's runs\nthat are cases of interest)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"PRIM peeling trajectory: {found.condition.text}", fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    name = f"prim_{found.condition.slug}.png"
    fig.savefig(folder / name, dpi=100)
    return name


def regions(runs: pd.DataFrame, factor: dict) -> pd.Series:
    """Each run's region of ``factor``: a third of a range, or a listed value."""
    name = factor["name"]
    if factor["values"] is not None:
        order = [str(v) for v in factor["values"]]
        return pd.Series(pd.Categorical(runs[name].astype(str), order, ordered=True), runs.index)
    edges = np.linspace(factor["low"], factor["high"], 4)
    labels = [f"{a:.3g}–{b:.3g}" for a, b in itertools.pairwise(edges)]
    return pd.cut(runs[name], edges, include_lowest=True, labels=labels)


def fan_figure(
    mission: data.Mission,
    series: pd.DataFrame,
    runs: pd.DataFrame,
    factors: list[dict],
    folder: Path,
) -> str | None:
    """One mission's level over time: median and 10–90 % band per region of each factor."""
    from matplotlib.figure import Figure

    column = f"{mission.name}_level"
    if column not in series or series.empty:
        return None
    shown = [f for f in factors if runs[f["name"]].nunique() > 1][:12]
    if not shown:
        return None
    ncols = min(3, len(shown))
    nrows = -(-len(shown) // ncols)
    fig = Figure(figsize=(4.2 * ncols, 3.0 * nrows + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True, squeeze=False)).ravel()
    for ax, factor in zip(axes, shown, strict=False):
        region = regions(runs, factor).rename("region")
        frame = series[["run_id", "step", column]].merge(
            pd.concat([runs["run_id"], region], axis=1), on="run_id"
        )
        for i, (value, group) in enumerate(frame.groupby("region", observed=True)):
            bands = group.groupby("step")[column].quantile([0.1, 0.5, 0.9]).unstack()
            x = decimal_year(bands.index.to_numpy())
            colour = COLOURS[i % len(COLOURS)]
            ax.fill_between(x, bands[0.1], bands[0.9], color=colour, alpha=0.15, linewidth=0)
            ax.plot(x, bands[0.5], color=colour, label=f"{value} ({group['run_id'].nunique()})")
        ax.axhline(mission.target, color="black", linestyle=":", linewidth=1)
        ax.set_title(factor["name"], fontsize=9)
        ax.legend(frameon=False, fontsize=6, title="region (runs)", title_fontsize=6)
        ax.tick_params(labelsize=7)
    for ax in axes[len(shown) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"{mission.label}: {mission.indicator} ({mission.unit}) by factor region — "
        "median and 10–90 % band over runs; dotted: target",
        fontsize=10,
    )
    name = f"fan_{mission.name}.png"
    fig.savefig(folder / name, dpi=90)
    return name
