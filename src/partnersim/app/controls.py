"""Controls generated from the parameter declarations — never redeclared.

Each lever (and, under a fold, each uncertainty) becomes a slider or a select with the
declaration's label, range and help text; the parameter's name (the TOML key, model attribute
and results column — one spelling) and its default are shown under it, so the dashboard, the
scenario schema and the results share one spelling and one range.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import solara

from partnersim.schema.levers import LEVERS, UNCERTAINTIES, Parameter
from partnersim.schema.scenario import Scenario, ScenarioError


def _step(p: Parameter, value: Any = None) -> float:
    """A slider's step: by the parameter's range, finer when ``value`` lies between steps.

    A value from the page address or an optimised package (e.g. 0.7425) would otherwise be
    shown rounded to the step, although the run uses it exactly.
    """
    span = (p.high or 1) - (p.low or 0)
    step = 1 if p.kind is int else (0.001 if span <= 0.05 else 0.01 if span <= 1 else 0.05)
    if p.kind is float and value is not None:
        for finer in (step, 0.01, 0.001, 0.0001, 0.00001):
            if (
                finer <= step
                and abs(round((value - (p.low or 0)) / finer) * finer + (p.low or 0) - value) < 1e-9
            ):
                return finer
        return 0.00001
    return step


def value_text(value: Any) -> str:
    """A parameter value as the page writes it: floats without trailing zeros."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def hint(p: Parameter) -> str:
    """The line shown under a control: range, default (the status quo) and unit."""
    allowed = " / ".join(p.choices) if p.choices else f"{value_text(p.low)}–{value_text(p.high)}"
    return f"{allowed} · default {value_text(p.default)} · {p.unit}"


def help_text(p: Parameter) -> str:
    """A control's tooltip: the declaration's name, unit, allowed values, mechanism and source."""
    return (
        f"{p.label} ({p.name}; {p.unit}): {p.allowed()}, default {value_text(p.default)}. "
        f"{p.doc} Source: {p.source}"
    )


@solara.component
def ParameterControl(
    p: Parameter, value: Any, on_value: Callable[[Any], None], high: int | None = None
):
    """One declared parameter as a control, with its name, range and default under it.

    The name is the TOML key, model attribute and results column; the tooltip gives the
    mechanism and source.
    """
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
            step=_step(p, float(value)),
            on_value=on_value,
            thumb_label="always",
        )
    with (
        solara.Tooltip(help_text(p)),
        solara.Div(attributes={"data-parameter": p.name}, classes=["parameter"]),
    ):
        solara.display(control)
        with solara.Div(
            classes=["parameter-help"],
            style={"font-size": "0.78em", "color": "#444", "margin": "-6px 0 8px 16px"},
        ):
            solara.Text(p.name, classes=["parameter-name"], style={"font-family": "monospace"})
            solara.Text(f" · {hint(p)}")


@solara.component
def ScenarioControls(values: dict, on_change: Callable[[str, Any], None], steps: int):
    """Sliders for the levers, and the uncertainties under a fold."""
    solara.Markdown(
        "**Levers** — the report's recommendations. Changing one starts a new run of the "
        "changed scenario from the first quarter."
    )
    for p in LEVERS:
        ParameterControl(
            p,
            values[p.name],
            lambda v, name=p.name: on_change(name, v),
            high=steps if p.quarter else None,
        )
    with solara.Details("Uncertainties"):
        for p in UNCERTAINTIES:
            ParameterControl(
                p,
                values[p.name],
                lambda v, name=p.name: on_change(name, v),
                high=steps if p.quarter else None,
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
