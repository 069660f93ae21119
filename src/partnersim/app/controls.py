"""Controls generated from the parameter declarations — never redeclared.

Each lever (and, under a fold, each uncertainty) becomes a slider or a select with the
declaration's name, range, default and help text, so the dashboard, the scenario schema and
the results columns share one spelling and one range.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import solara

from partnersim.levers import LEVERS, UNCERTAINTIES, Parameter
from partnersim.scenario import Scenario, ScenarioError


def _step(p: Parameter) -> float:
    span = (p.high or 1) - (p.low or 0)
    return 1 if p.kind is int else (0.001 if span <= 0.05 else 0.01 if span <= 1 else 0.05)


@solara.component
def ParameterControl(
    p: Parameter, value: Any, on_value: Callable[[Any], None], high: int | None = None
):
    """One declared parameter as a control, with its mechanism as a tooltip."""
    label = p.label or p.name
    if p.choices is not None:
        control = solara.Select(label=label, values=list(p.choices), value=value, on_value=on_value)
    elif p.kind is int:
        top = int(high if high is not None else p.high)
        control = solara.SliderInt(
            label=label,
            value=int(value),
            min=int(p.low),
            max=top,
            step=1,
            on_value=on_value,
            thumb_label="always",
        )
    else:
        control = solara.SliderFloat(
            label=label,
            value=float(value),
            min=float(p.low),
            max=float(p.high),
            step=_step(p),
            on_value=on_value,
            thumb_label="always",
        )
    with (
        solara.Tooltip(f"{p.name} ({p.unit}): {p.doc} Source: {p.source}"),
        solara.Div(attributes={"data-parameter": p.name}),
    ):
        solara.display(control)


@solara.component
def ScenarioControls(values: dict, on_change: Callable[[str, Any], None], steps: int):
    """Sliders for the levers, and the uncertainties under a fold."""
    solara.Markdown("**Levers** — the report's recommendations")
    for p in LEVERS:
        ParameterControl(
            p,
            values[p.name],
            lambda v, name=p.name: on_change(name, v),
            high=steps if p.name == "start_step" else None,
        )
    with solara.Details("Uncertainties"):
        for p in UNCERTAINTIES:
            ParameterControl(
                p,
                values[p.name],
                lambda v, name=p.name: on_change(name, v),
                high=steps if p.name == "shock_step" else None,
            )


def scenario_files(folder: Path) -> dict[str, Path]:
    """Scenario files of a folder by file name (without .toml)."""
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}


def load_scenario(path: Path) -> tuple[Scenario | None, str | None]:
    """A scenario, or the validation message that explains why it cannot be used."""
    try:
        return Scenario.from_toml(path), None
    except ScenarioError as exc:
        return None, str(exc)
