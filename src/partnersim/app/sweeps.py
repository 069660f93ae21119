"""The sweep explorer: open a sweep's results, plot any outcome against any factor, filter."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import solara

from partnersim.app.settings import results_dir

NOT_OUTCOMES = {"run_id", "point", "replication", "seed", "wall_seconds", "status", "error"}


def sweep_folders(root: Path) -> dict[str, Path]:
    """Sweep results folders under ``root`` (one level deep), newest first."""
    found = []
    for manifest in root.glob("*/manifest.json"):
        try:
            if json.loads(manifest.read_text(encoding="utf-8")).get("kind") == "sweep":
                found.append(manifest.parent)
        except (OSError, ValueError):
            continue
    return {p.name: p for p in sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)}


def scatter(runs: pd.DataFrame, x: str, y: str, colour: str | None):
    """Outcome against a factor, coloured by another, with tooltips."""
    import altair as alt

    tooltip = ["run_id:Q", "seed:Q", f"{x}:Q", f"{y}:Q"] + ([f"{colour}"] if colour else [])
    enc = {
        "x": alt.X(f"{x}:Q", title=x),
        "y": alt.Y(f"{y}:Q", title=y, scale=alt.Scale(zero=False)),
        "tooltip": tooltip,
    }
    if colour:
        numeric = pd.api.types.is_numeric_dtype(runs[colour])
        enc["color"] = alt.Color(
            f"{colour}:{'Q' if numeric else 'N'}",
            scale=alt.Scale(scheme="viridis") if numeric else alt.Undefined,
        )
    return (
        alt.Chart(runs)
        .mark_circle(size=45, opacity=0.75)
        .encode(**enc)
        .properties(width=620, height=380, title=f"{y} against {x}")
    )


@solara.component
def SweepExplorer(root: Path | None = None):
    """Pick a sweep folder, an outcome, a factor on the x axis and one for colour."""
    root = root or results_dir()
    folders = sweep_folders(root)
    choice, set_choice = solara.use_state(next(iter(folders), None))
    custom, set_custom = solara.use_state("")
    path = Path(custom) if custom else (folders.get(choice) if choice else None)

    def load():
        if path is None:
            return None, None
        from partnersim import results

        try:
            return results.load(path), None
        except (OSError, ValueError, KeyError) as exc:
            return None, f"{path}: cannot be read as sweep results ({exc})"

    loaded, error = solara.use_memo(load, dependencies=[str(path)])
    solara.Markdown("## Sweep explorer")
    with solara.Row():
        if folders:
            solara.Select("Results folder", values=list(folders), value=choice, on_value=set_choice)
        solara.InputText(
            "…or a folder path", value=custom, on_value=set_custom, continuous_update=False
        )
    if error:
        solara.Error(error)
    if loaded is None or loaded.manifest.get("kind") != "sweep":
        if loaded is not None:
            solara.Warning(f"{path} holds a {loaded.manifest.get('kind')!r} result, not a sweep.")
        elif not error:
            solara.Info(
                f"No sweep results under {root}. Run `partnersim sweep sweeps/levers_lhs.toml`."
            )
        return
    SweepView(loaded).key(str(loaded.path))


@solara.component
def SweepView(loaded):
    """Plots and filters for one loaded sweep."""
    runs = loaded.runs
    factors = [f["name"] for f in loaded.manifest["factors"]]
    outcomes = [
        c
        for c in runs.columns
        if c not in NOT_OUTCOMES
        and c not in factors
        and not c.startswith("u_")
        and pd.api.types.is_numeric_dtype(runs[c])
    ]
    default_y = "mean_gap_closed" if "mean_gap_closed" in outcomes else outcomes[0]
    y, set_y = solara.use_state(default_y)
    x, set_x = solara.use_state(factors[0])
    colour, set_colour = solara.use_state(factors[1] if len(factors) > 1 else "(none)")
    only_ok, set_only_ok = solara.use_state(True)
    numeric_factors = [f for f in factors if pd.api.types.is_numeric_dtype(runs[f])]
    filter_factor, set_filter_factor = solara.use_state(
        numeric_factors[0] if numeric_factors else None
    )
    bounds = (
        (float(runs[filter_factor].min()), float(runs[filter_factor].max()))
        if filter_factor
        else (0.0, 1.0)
    )
    window, set_window = solara.use_state(bounds)

    with solara.Row():
        solara.Select(
            "Outcome (y)", values=outcomes, value=y if y in outcomes else default_y, on_value=set_y
        )
        solara.Select(
            "Factor (x)", values=factors, value=x if x in factors else factors[0], on_value=set_x
        )
        solara.Select("Colour by", values=["(none)", *factors], value=colour, on_value=set_colour)
        solara.Checkbox(label="finished runs only", value=only_ok, on_value=set_only_ok)
    if filter_factor:
        with solara.Row():
            solara.Select(
                "Filter on",
                values=numeric_factors,
                value=filter_factor,
                on_value=lambda f: (
                    set_filter_factor(f),
                    set_window((float(runs[f].min()), float(runs[f].max()))),
                ),
            )
            solara.SliderRangeFloat(
                f"{filter_factor} range",
                value=window,
                min=bounds[0],
                max=bounds[1] if bounds[1] > bounds[0] else bounds[0] + 1,
                step=(bounds[1] - bounds[0]) / 50 or 0.01,
                on_value=set_window,
            )
    view = runs[runs["status"] == "ok"] if only_ok and "status" in runs else runs
    if filter_factor:
        view = view[view[filter_factor].between(*window)]
    y_col = y if y in outcomes else default_y
    solara.Text(
        f"{len(view)} of {len(runs)} runs shown; design {loaded.manifest['design']}, "
        f"{loaded.manifest['replications']} replications per point"
    )
    if len(view):
        solara.FigureAltair(
            scatter(
                view.replace([np.inf, -np.inf], np.nan),
                x,
                y_col,
                None if colour == "(none)" else colour,
            )
        )
    discovery = loaded.path / "report" / "discovery.csv"
    if discovery.exists():
        boxes = pd.read_csv(discovery)
        solara.Markdown("### Scenario discovery (PRIM boxes from `partnersim report`)")
        solara.DataFrame(boxes) if len(boxes) else solara.Text(
            "No mission had enough variation for PRIM."
        )
    else:
        solara.Info(f"Run `partnersim report {loaded.path}` to add scenario-discovery boxes here.")
