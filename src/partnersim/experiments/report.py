"""``partnersim report DIR``: sensitivity, scenario discovery and success by region, written out.

Writes ``report/report.md`` (tables and links to figures), ``report/sensitivity.csv``,
``report/success_by_region.csv``, the PRIM boxes as data (``report/discovery.json``, which the
dashboard reads; ``report/discovery.csv`` is the same boxes as a table for people) and PNG
figures into the sweep's folder. Every table is also returned, for notebooks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from partnersim import data
from partnersim.experiments import analysis
from partnersim.results import Results, load, write_json

DISCOVERY = "discovery.json"
"""The PRIM boxes as data, in a sweep's ``report`` folder (see :func:`write_discovery`)."""


@dataclass(frozen=True, slots=True)
class Report:
    """The tables of a sweep report, and where they were written."""

    sensitivity: pd.DataFrame
    discovery: dict[str, analysis.DiscoveryBox | None]
    success: pd.DataFrame
    path: Path


def build(results: Results | str | Path, n_boot: int = 100) -> Report:
    """Analyse a sweep folder and write its report (figures, CSV tables, Markdown)."""
    from matplotlib.figure import Figure

    if not isinstance(results, Results):
        results = load(results)
    out = results.path / "report"
    out.mkdir(exist_ok=True)
    sens = analysis.sensitivity(results, n_boot=n_boot)
    boxes = {m: analysis.discover(results, m) for m in data.MISSIONS}
    success = pd.concat(
        [analysis.success_by_region(results, m) for m in data.MISSIONS], ignore_index=True
    )
    sens.to_csv(out / "sensitivity.csv", index=False)
    success.to_csv(out / "success_by_region.csv", index=False)
    write_discovery(boxes, out)

    figures = []
    if len(sens):
        for outcome, group in sens.groupby("outcome", sort=False):
            fig = Figure(figsize=(7, 0.45 * group["factor"].nunique() + 1.6), layout="constrained")
            ax = fig.subplots()
            kinds = list(dict.fromkeys(group["index"]))
            factors = list(dict.fromkeys(group["factor"]))
            y = np.arange(len(factors))
            height = 0.8 / len(kinds)
            colours = ("#0072B2", "#E69F00")
            for k, kind in enumerate(kinds):
                g = group[group["index"] == kind].set_index("factor").loc[factors]
                err = np.vstack([g["estimate"] - g["low"], g["high"] - g["estimate"]]).clip(min=0)
                ax.barh(
                    y + k * height,
                    g["estimate"],
                    height,
                    xerr=err,
                    label=kind,
                    color=colours[k % 2],
                    capsize=2,
                )
            ax.set_yticks(y + height * (len(kinds) - 1) / 2, factors)
            ax.invert_yaxis()
            ax.set_xlabel(
                f"{group['method'].iloc[0]} index\n(95 % bootstrap interval over replications)"
            )
            ax.set_title(f"Sensitivity of {outcome}")
            ax.legend(frameon=False)
            name = f"sensitivity_{outcome}.png"
            fig.savefig(out / name, dpi=100)
            figures.append(name)
    if len(success):
        for mission, group in success.groupby("mission", sort=False):
            fig = Figure(figsize=(8, 0.32 * len(group) + 1.5), layout="constrained")
            ax = fig.subplots()
            labels = [f"{r.factor}: {r.region}" for r in group.itertuples()]
            ax.errorbar(
                group["p_met"],
                np.arange(len(group)),
                xerr=np.vstack([group["p_met"] - group["low"], group["high"] - group["p_met"]]),
                fmt="o",
                color="#009E73",
                capsize=2,
            )
            ax.set_yticks(np.arange(len(group)), labels, fontsize=7)
            ax.invert_yaxis()
            ax.set_xlim(0, 1)
            ax.set_xlabel("probability of meeting the target (Wilson 95 % interval)")
            ax.set_title(f"{mission}: success by lever region")
            name = f"success_{mission}.png"
            fig.savefig(out / name, dpi=100)
            figures.append(name)
    (out / "report.md").write_text(
        _markdown(results, sens, boxes, success, figures), encoding="utf-8"
    )
    return Report(sens, boxes, success, out)


def write_discovery(boxes: Mapping[str, analysis.DiscoveryBox | None], folder: Path) -> Path:
    """Write the PRIM boxes to ``folder``: as data (JSON) and as a table for people (CSV).

    ``discovery.json`` holds ``{"missions": {mission: box}}``, each box as
    :meth:`~partnersim.experiments.analysis.DiscoveryBox.to_dict` gives it (limits per
    restricted factor, coverage, density, mass, base rate, runs), or null for a mission PRIM
    could not run on. ``discovery.csv`` describes the same boxes in words; nothing reads it back.

    Returns:
        The path of the JSON file.
    """
    path = folder / DISCOVERY
    write_json({"missions": {m: b.to_dict() if b else None for m, b in boxes.items()}}, path)
    pd.DataFrame(
        [
            {
                "mission": m,
                "coverage": b.coverage,
                "density": b.density,
                "mass": b.mass,
                "base_rate": b.base_rate,
                "runs": b.runs,
                "box": "; ".join(_describe_limit(r) for r in b.limits.to_dict("records")),
            }
            for m, b in boxes.items()
            if b is not None
        ],
        columns=["mission", "coverage", "density", "mass", "base_rate", "runs", "box"],
    ).to_csv(folder / "discovery.csv", index=False)
    return path


def _describe_limit(row: dict) -> str:
    """A box limit in words."""
    if isinstance(row.get("values"), list | tuple):
        return f"{row['factor']} ∈ {{{', '.join(row['values'])}}}"
    return f"{row['low']:.3g} ≤ {row['factor']} ≤ {row['high']:.3g}"


def _markdown(results, sens, boxes, success, figures) -> str:
    m = results.manifest
    runs = results.runs
    ok = int((runs["status"] == "ok").sum()) if len(runs) else 0
    failed = len(runs) - ok
    lines = [
        f"# Sweep report: {m['name']}",
        "",
        f"{m.get('description', '')}",
        "",
        f"* design: **{m['design']}**, {m['runs_planned']} runs planned, {len(runs)} finished "
        f"({ok} ok, {failed} failed); {m['replications']} replications per point, root seed "
        f"{m['root_seed']}",
        f"* base scenario: `{m['scenario']}` (hash {m['scenario_hash']}); "
        f"sweep hash {m['sweep_hash']}",
        "* factors: "
        + "; ".join(
            f"{f['name']} ∈ [{f['low']:g}, {f['high']:g}]"
            if f["values"] is None
            else f"{f['name']} ∈ {{{', '.join(map(str, f['values']))}}}"
            for f in m["factors"]
        ),
        "",
        "## Sensitivity",
        "",
    ]
    if len(sens):
        method = sens["method"].iloc[0]
        lines.append(
            f"Method: {method}; outcomes averaged over replications at each design point. "
            "Intervals: 95 % bootstrap over replications, re-centred on the estimate "
            "(resampling adds noise that shifts the indices; `sensitivity.csv` reports the "
            "shift as `bootstrap_shift` — a large one means replication noise matters)."
        )
        lines.append("")
        for outcome, group in sens.groupby("outcome", sort=False):
            lines += [
                f"### {outcome}",
                "",
                "| factor | " + " | ".join(dict.fromkeys(group["index"])) + " |",
                "|---|" + "---|" * group["index"].nunique(),
            ]
            for factor, g in group.groupby("factor", sort=False):
                cells = [f"{r.estimate:.3f} [{r.low:.3f}, {r.high:.3f}]" for r in g.itertuples()]
                lines.append(f"| {factor} | " + " | ".join(cells) + " |")
            lines += ["", f"![sensitivity of {outcome}](sensitivity_{outcome}.png)", ""]
    else:
        lines += ["No sensitivity indices were computed.", ""]
    lines += [f"* {note}" for note in sens.attrs.get("notes", [])]
    if sens.attrs.get("notes"):
        lines.append("")
    lines += [
        "## Scenario discovery (PRIM)",
        "",
        "For each mission, the box of factor values where its target is met most reliably "
        "(the densest box on PRIM's peeling trajectory covering at least half of the "
        "successful runs).",
        "",
    ]
    for mission, box in boxes.items():
        if box is None:
            lines.append(
                f"* **{mission}**: not enough variation (the target was met in all "
                "or none of the assessed runs, or too few runs were assessed)."
            )
            continue
        limits = (
            "; ".join(_describe_limit(r) for r in box.limits.to_dict("records")) or "no restriction"
        )
        lines.append(
            f"* **{mission}**: {limits} — density {box.density:.2f} (base rate "
            f"{box.base_rate:.2f}), coverage {box.coverage:.2f}, mass {box.mass:.2f}, "
            f"{box.runs} runs"
        )
    lines += ["", "## Probability of meeting each target by lever region", ""]
    for mission, group in success.groupby("mission", sort=False) if len(success) else []:
        lines += [
            f"### {mission}",
            "",
            "| factor | region | runs | P(met) [95 % CI] |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {r.factor} | {r.region} | {r.runs} | {r.p_met:.2f} [{r.low:.2f}, {r.high:.2f}] |"
            for r in group.itertuples()
        ]
        lines += ["", f"![success by region: {mission}](success_{mission}.png)", ""]
    lines += ["", "Figures: " + ", ".join(figures) if figures else ""]
    return "\n".join(lines) + "\n"
