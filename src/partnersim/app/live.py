"""The live model page: pick a scenario, move the levers, step or play, watch the partnership.

The model runs in a :class:`~partnersim.app.session.LiveRun`: Step and Play only ask its worker
thread to step, so the page stays responsive, and everything drawn comes from the immutable
snapshot the worker took under the model's lock (never from the model itself), so a render
cannot see a half-recorded quarter. Only the components that show the run (the run buttons and
the charts) subscribe to its views, so a quarter redraws those and not the controls. Changing a
lever, an uncertainty or the seed starts a new run of the changed scenario from the first
quarter, and the page says so. The scenario, the changed levers and the seed live in the page
address (``/?scenario=mission_driven&orchestration=0.9``), so a reload or a shared link opens
the same run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import solara

from partnersim import data
from partnersim.app.charts import AltairFigure, missions_chart, partnership_chart
from partnersim.app.controls import ScenarioControls, load_scenario, scenario_files, value_text
from partnersim.app.query import DEFAULT_SEED, encode_query, parse_query
from partnersim.app.session import MIN_DELAY, LiveRun, View
from partnersim.app.settings import scenarios_dir
from partnersim.plots.network import draw_network
from partnersim.schema.levers import PARAMETERS
from partnersim.schema.scenario import Scenario, ScenarioError


def restart_notice(reason: str, previous: View | None) -> str:
    """What to tell the user when a new run replaces the one on screen."""
    text = f"{reason}: the run restarted from the start of {data.start_quarter()} (step 0)"
    if previous is not None and previous.data.step > 0:
        text += f"; the previous run had reached {previous.data.when}"
    return text + "."


@solara.component
def LiveCharts(snapshot):
    """The network, the headline numbers and the charts of one snapshot."""
    network, missions, partnership = solara.use_memo(
        lambda: (
            draw_network(snapshot.nodes, snapshot.ties),
            missions_chart(snapshot.frame, snapshot.steps),
            partnership_chart(snapshot.frame),
        ),
        dependencies=[snapshot],
    )
    with solara.Row():
        with solara.Div(classes=["network-chart"]):
            AltairFigure(network)
        with solara.Card("Partnership now", classes=["kpis"]):
            for label, text in (("quarter", snapshot.when), *snapshot.kpis):
                with solara.Div(classes=["kpi"]):
                    solara.Text(f"{label}: {text}")
    with solara.Div(classes=["missions-chart"]):
        AltairFigure(missions)
    with solara.Div(classes=["partnership-chart"]):
        AltairFigure(partnership)


def use_view(run: LiveRun, paced: bool = False) -> View:
    """The run's latest view, re-rendering the calling component when a new one arrives.

    With ``paced`` the component tells the run when it has drawn each view, and the run waits
    for that before stepping on (see :class:`~partnersim.app.session.LiveRun`).
    """
    view, set_view = solara.use_state(run.view)
    solara.use_effect(lambda: run.subscribe(set_view, paced=paced), [run])
    if paced:

        def drawn():
            run.rendered(view.seq)

        solara.use_effect(drawn, [view])
    return view


@solara.component
def RunButtons(run: LiveRun, on_reset):
    """Step, Play/Pause and Reset; their state follows the run's."""
    view = use_view(run)
    can_step = view.running and view.error is None
    with solara.Row():
        solara.Button("Step", on_click=lambda: run.step(1), disabled=view.playing or not can_step)
        solara.Button(
            "Pause" if view.playing else "Play",
            on_click=run.pause if view.playing else run.play,
            disabled=not (view.playing or can_step),
        )
        solara.Button("Reset", on_click=on_reset)


@solara.component
def RunDisplay(run: LiveRun):
    """The run's state: an error or completion message, the network, the numbers, the charts."""
    view = use_view(run, paced=True)
    if view.error:
        solara.Error(f"The model stopped: {view.error}", classes=["run-error"])
    elif not view.running:
        solara.Success(
            f"The run is complete: {view.data.when}. Reset, or change a lever, to run again.",
            classes=["run-complete"],
            dense=True,
        )
    LiveCharts(view.data)


def use_address() -> tuple[str, Callable[[str], None]]:
    """The page address's query string, and the function that writes a new one.

    Served as an app, the address is the browser's (through Solara's router): writing it adds
    a history entry, and a reload or a shared link opens the same state. Outside a routed app
    (a page shown inline in Jupyter, or rendered on its own) there is no address, and the page
    keeps the query string itself.
    """
    router = solara.use_router()
    kept, set_kept = solara.use_state("")
    if router.set_path is None:
        return kept, set_kept
    path = router.path or "/"

    def write(search: str) -> None:
        if search != (router.search or ""):
            router.push(path + (f"?{search}" if search else ""))

    return router.search or "", write


@solara.component
def LiveModel(scenario: Scenario | None = None, folder: Path | None = None):
    """The live page. Give ``scenario`` to open one directly (e.g. inline in a notebook).

    The scenario (by file name), the levers and uncertainties that differ from it, and the
    seed are read from the page address and written back to it on every change
    (:mod:`partnersim.app.query`); what the address asks and cannot be used is named in a
    notice, and ignored.
    """
    folder = folder or scenarios_dir()
    files = scenario_files(folder) if scenario is None else {}
    default_name = "mission_driven" if "mission_driven" in files else next(iter(files), None)
    search, write_search = use_address()
    names = list(files) if scenario is None else None
    name = parse_query(search, names).scenario or default_name
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
    steps = int(loaded.values.get("steps", 40)) if loaded is not None else None
    asked = parse_query(search, names, steps)
    # Lever and uncertainty values that differ from the loaded scenario's (from the address).
    overrides = dict(asked.values)
    seed = asked.seed if asked.seed is not None else DEFAULT_SEED
    aggregate, set_aggregate = solara.use_state(True)
    delay, set_delay = solara.use_state(0.3)
    generation, set_generation = solara.use_state(0)  # bumped by Reset: a fresh run
    notice, set_notice = solara.use_state(None)

    def build() -> tuple[LiveRun | None, str | None]:
        if loaded is None:
            return None, None
        try:
            spec = loaded.evolve(**overrides) if overrides else loaded
        except ScenarioError as exc:
            return None, str(exc)
        from partnersim.model.partnership import PartnershipModel

        return LiveRun(PartnershipModel(spec, rng=seed), aggregate=aggregate, delay=delay), None

    run, invalid = solara.use_memo(
        build, dependencies=[loaded, tuple(sorted(overrides.items())), seed, generation]
    )
    # a replaced (or unmounted) run stops stepping and publishing
    solara.use_effect(lambda: run.close if run is not None else None, [run])

    values = {**loaded.values, **overrides} if loaded is not None else {}
    shown_name = name if scenario is None else None

    def address(new_overrides: dict[str, Any], new_seed: int = seed, new_name=shown_name) -> None:
        write_search(encode_query(new_name, new_overrides, new_seed))

    def previous() -> View | None:
        return run.view if run is not None else None

    def change(key: str, value: Any) -> None:
        p = PARAMETERS[key]
        set_notice(restart_notice(f"{p.label} ({key}) set to {value_text(value)}", previous()))
        kept = {k: v for k, v in overrides.items() if k != key}
        if loaded is None or loaded.values.get(key) != value:
            kept[key] = value
        address(kept)

    def pick(new_name: str) -> None:
        set_notice(None)
        address({}, new_name=new_name)

    def reset() -> None:
        if loaded is not None:
            reason = f"Reset: levers back to the values of {loaded.name!r}"
            set_notice(restart_notice(reason, previous()))
        address({})
        set_generation(lambda g: g + 1)

    def change_seed(new: int) -> None:
        new = max(0, int(new))
        if new != seed:
            set_notice(restart_notice(f"Seed set to {new}", previous()))
            address(overrides, new_seed=new)

    def change_delay(seconds: float) -> None:
        set_delay(seconds)
        if run is not None:
            run.set_delay(seconds)

    def change_aggregate(flag: bool) -> None:
        set_aggregate(flag)
        if run is not None:
            run.set_aggregate(flag)

    with solara.Columns([1, 3]):
        with solara.Column():
            if scenario is None:
                solara.Select(label="Scenario", values=list(files), value=name, on_value=pick)
            if error:
                solara.Error(
                    f"This scenario file cannot be used:\n{error}", classes=["scenario-error"]
                )
            if loaded is not None:
                solara.Markdown(f"*{loaded.description}*" if loaded.description else "")
                if run is not None:
                    RunButtons(run, reset).key(f"buttons-{run.id}")
                else:
                    solara.Button("Reset", on_click=reset)
                with solara.Div(attributes={"data-control": "delay"}):
                    solara.SliderFloat(
                        "Seconds between quarters",
                        value=delay,
                        min=0.0,
                        max=2.0,
                        step=0.05,
                        on_value=change_delay,
                    )
                    solara.Text(
                        "Play pauses this long after each quarter is drawn "
                        f"(at least {MIN_DELAY:g} s).",
                        style={"font-size": "0.78em", "color": "#444"},
                    )
                solara.InputInt("Seed", value=seed, on_value=change_seed)
                solara.Switch(
                    label="Group councils by region and firms by sector",
                    value=aggregate,
                    on_value=change_aggregate,
                )
                if values:
                    ScenarioControls(values, change, steps=int(values.get("steps", 40)))
        with solara.Column():
            if asked.ignored:
                solara.Warning(
                    "Ignored from the page address: " + "; ".join(map(str, asked.ignored)) + ".",
                    classes=["address-notice"],
                    dense=True,
                )
            if notice:
                solara.Info(notice, classes=["run-notice"], dense=True)
            if invalid:
                solara.Error(
                    f"These lever values are not allowed:\n{invalid}", classes=["lever-error"]
                )
            if run is not None:
                RunDisplay(run).key(f"display-{run.id}")
