"""The live model page: pick a scenario, move the levers, step or play, watch the partnership."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import solara

from partnersim.app.charts import missions_chart, partnership_chart
from partnersim.app.controls import ScenarioControls, load_scenario, scenario_files
from partnersim.app.settings import scenarios_dir
from partnersim.netview import build_layout, network_chart
from partnersim.scenario import Scenario, ScenarioError


def _kpis(model) -> list[tuple[str, str]]:
    frame = model.recorder
    row = {
        m: frame.column(m)[-1]
        for m in (
            "private_investment_total",
            "leverage",
            "union_cooperation",
            "mean_trust",
            "cross_silo_ties",
            "cross_sector_ties",
            "disputes",
            "la_gini",
            "net_public_cost",
        )
    }
    quarter = model.recorder.to_frame()["quarter"].iloc[-1] if model.steps else "start"
    return [
        ("quarter", f"{quarter} (step {model.steps})"),
        ("private investment", f"£{row['private_investment_total']:,.0f}bn"),
        (
            "leverage",
            "–"
            if row["leverage"] != row["leverage"]
            else f"{row['leverage']:.1f} private £ per public £",
        ),
        (
            "union cooperation",
            f"{row['union_cooperation']:.0%}"
            if row["union_cooperation"] == row["union_cooperation"]
            else "–",
        ),
        ("unions in dispute", f"{row['disputes']:.0f}"),
        ("mean trust", f"{row['mean_trust']:.2f}"),
        ("cross-silo ties", f"{row['cross_silo_ties']:.0f}"),
        ("Centre's cross-sector ties", f"{row['cross_sector_ties']:.0f}"),
        ("net public cost", f"£{row['net_public_cost']:,.0f}bn"),
        ("inequality between councils (Gini)", f"{row['la_gini']:.3f}"),
    ]


@solara.component
def LiveModel(scenario: Scenario | None = None, folder: Path | None = None):
    """The live page. Give ``scenario`` to open one directly (e.g. inline in a notebook)."""
    folder = folder or scenarios_dir()
    files = scenario_files(folder) if scenario is None else {}
    default_name = "mission_driven" if "mission_driven" in files else next(iter(files), None)
    name, set_name = solara.use_state(default_name)
    loaded, error = solara.use_memo(
        lambda: (
            (scenario, None)
            if scenario is not None
            else (
                load_scenario(files[name])
                if name in files
                else (None, f"no scenario files in {folder}")
            )
        ),
        dependencies=[name, scenario],
    )
    values, set_values = solara.use_state(dict(loaded.values) if loaded else {})
    seed, set_seed = solara.use_state(1)
    aggregate, set_aggregate = solara.use_state(True)
    playing, set_playing = solara.use_state(False)
    version, set_version = solara.use_state(0)
    delay, set_delay = solara.use_state(0.3)
    generation, set_generation = solara.use_state(0)  # bumped by Reset: a fresh model

    # Reset the lever values when another scenario is picked.
    solara.use_effect(lambda: set_values(dict(loaded.values) if loaded else {}), [loaded])

    def build():
        if loaded is None or not values:
            return None, None
        try:
            spec = loaded.evolve(**{k: v for k, v in values.items() if loaded.values.get(k) != v})
        except ScenarioError as exc:
            return None, str(exc)
        from partnersim.model import PartnershipModel

        return PartnershipModel(spec, rng=seed), None

    model, invalid = solara.use_memo(
        build, dependencies=[loaded, tuple(sorted(values.items())), seed, generation]
    )
    layout = solara.use_memo(
        lambda: build_layout(model, aggregate) if model else None, dependencies=[model, aggregate]
    )
    lock = solara.use_memo(threading.Lock, dependencies=[])

    def step(n: int = 1) -> None:
        if model is None:
            return
        with lock:
            for _ in range(n):
                if model.running:
                    model.step()
        set_version(lambda v: v + 1)

    def play(cancel: threading.Event) -> None:
        # The model runs here, off the UI thread; the page re-renders after each quarter.
        while playing and model is not None and model.running and not cancel.is_set():
            step()
            time.sleep(delay)
        if model is not None and not model.running:
            set_playing(False)

    solara.use_thread(play, dependencies=[playing, model, delay])

    def change(key, value):
        set_playing(False)
        set_values(lambda old: {**old, key: value})

    with solara.Columns([1, 3]):
        with solara.Column():
            if scenario is None:
                solara.Select(label="Scenario", values=list(files), value=name, on_value=set_name)
            if error:
                solara.Error(
                    f"This scenario file cannot be used:\n{error}", classes=["scenario-error"]
                )
            if loaded is not None:
                solara.Markdown(f"*{loaded.description}*" if loaded.description else "")
                with solara.Row():
                    solara.Button(
                        "Step", on_click=lambda: step(1), disabled=model is None or playing
                    )
                    solara.Button(
                        "Pause" if playing else "Play",
                        on_click=lambda: set_playing(not playing),
                        disabled=model is None,
                    )
                    solara.Button(
                        "Reset",
                        on_click=lambda: (
                            set_playing(False),
                            set_values(dict(loaded.values)),
                            set_generation(generation + 1),
                        ),
                    )
                solara.SliderFloat(
                    "Seconds between quarters",
                    value=delay,
                    min=0.0,
                    max=2.0,
                    step=0.1,
                    on_value=set_delay,
                )
                solara.InputInt("Seed", value=seed, on_value=lambda v: set_seed(max(0, int(v))))
                solara.Switch(
                    label="Group councils by region and firms by sector",
                    value=aggregate,
                    on_value=set_aggregate,
                )
                if values:
                    ScenarioControls(values, change, steps=int(values.get("steps", 40)))
        with solara.Column():
            if invalid:
                solara.Error(
                    f"These lever values are not allowed:\n{invalid}", classes=["lever-error"]
                )
            if model is not None and layout is not None:
                _ = version  # re-render after each step
                with solara.Row():
                    solara.FigureAltair(network_chart(model, layout))
                    with solara.Card("Partnership now", classes=["kpis"]):
                        for label, text in _kpis(model):
                            with solara.Div(classes=["kpi"]):
                                solara.Text(f"{label}: {text}")
                frame = model.recorder.to_frame()
                solara.FigureAltair(missions_chart(frame, model.spec.steps))
                solara.FigureAltair(partnership_chart(frame))
