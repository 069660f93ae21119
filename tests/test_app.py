"""Dashboard components rendered headlessly (no server, no browser)."""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
import uuid

import ipyvuetify as v
import ipywidgets
import numpy as np
import pandas as pd
import pytest
import solara
import solara.server.app
import solara.server.kernel
import solara.server.kernel_context as kernel_context
import solara.server.starlette
import solara.widgets
from solara.components.datatable import DataTableWidget

from partnersim import PartnershipModel, Scenario, data
from partnersim.app import ComparePage, LiveModel, SweepExplorer
from partnersim.app.controls import help_text, hint
from partnersim.app.labels import describe, title
from partnersim.app.query import CONTROLLED, parse_query
from partnersim.app.session import LiveRun
from partnersim.app.sweeps import read_discovery
from partnersim.plots import OKABE_ITO
from partnersim.plots.network import build_layout, network_frames
from partnersim.schema.levers import LEVERS, UNCERTAINTIES

from .conftest import ROOT


@pytest.fixture
def kernel_ctx():
    kernel = solara.server.kernel.Kernel()
    ctx = kernel_context.VirtualKernelContext(
        id=f"test-{uuid.uuid4()}", kernel=kernel, session_id="s"
    )
    try:
        with ctx:
            yield ctx
    finally:
        with ctx:
            ctx.close()
    # a closed page's run stops after the quarter it is stepping
    deadline = time.monotonic() + 120
    while any(t.name.startswith("partnersim-live") for t in threading.enumerate()):
        assert time.monotonic() < deadline, "a live run kept stepping after its page closed"
        time.sleep(0.05)


@pytest.fixture
def errors(caplog):
    """Errors logged by any thread (the live run's worker logs what it cannot publish)."""
    caplog.set_level(logging.WARNING)
    yield caplog
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not bad, [r.getMessage() + (r.exc_text or "") for r in bad]


@pytest.fixture
def small_scenarios(tmp_path):
    """A scenario folder with two small, fast scenarios, the status quo and one broken file."""
    for name in ("westminster_default", "mission_driven"):
        (tmp_path / f"{name}.toml").write_text(
            f'extends = "{ROOT / "scenarios" / (name + ".toml")}"\nname = "{name}"\n'
            "[scale]\nn_businesses = 60\nn_local_authorities = 24\n",
            encoding="utf-8",
        )
    (tmp_path / "plain.toml").write_text(
        'name = "plain"\n[scale]\nn_businesses = 60\nn_local_authorities = 24\n', encoding="utf-8"
    )
    (tmp_path / "short.toml").write_text(
        f'extends = "{tmp_path / "mission_driven.toml"}"\nname = "short"\n[run]\nsteps = 10\n',
        encoding="utf-8",
    )
    (tmp_path / "broken.toml").write_text("[levers]\norchestration = 7\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def live_runs(monkeypatch) -> list[LiveRun]:
    """Every LiveRun the page makes, newest last (so a test can ask the run, not the clock)."""
    import partnersim.app.live as live

    made: list[LiveRun] = []

    class Recorded(LiveRun):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(live, "LiveRun", Recorded)
    return made


def texts(rc) -> str:
    """Every plain text shown (solara.Text renders as a span)."""
    return " ".join(" ".join(map(str, w.children)) for w in rc.find(v.Html, tag="span").widgets)


def wait_for(condition, timeout: float = 60.0, what: str = "the page"):
    """Poll ``condition`` until it is true (the live model steps on its own thread)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    return value


def shown_step(rc) -> int | None:
    m = re.search(r"quarter: \S+ \(step (\d+)\)", texts(rc))
    return int(m.group(1)) if m else None


def idle_step(rc, run: LiveRun, timeout: float = 120.0) -> int:
    """The step shown once the run's worker has stopped and its last quarter is drawn.

    Pause stops the run after the quarter being stepped or drawn, so one more may appear; once
    the worker has ended nothing steps the model until the next command.
    """
    assert run.wait_idle(timeout), "the run kept stepping"
    wait_for(lambda: shown_step(rc) == run.model.steps, timeout, "the last quarter")
    return shown_step(rc)


def alerts(rc, css_class: str) -> list:
    """Alerts (solara.Info, Error, Success…) with this CSS class."""
    return [a for a in rc.find(v.Alert).widgets if css_class in (a.class_ or "").split()]


def alert_text(rc, css_class: str) -> str:
    return " ".join(str(a.children) for a in alerts(rc, css_class))


def button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


def chart(rc, title_text: str) -> dict:
    """The Vega-Lite spec of the chart with this title."""
    for w in rc.find(solara.widgets.VegaLite).widgets:
        t = w.spec.get("title")
        if (t.get("text") if isinstance(t, dict) else t) == title_text:
            return w.spec
    raise AssertionError(f"no chart titled {title_text!r}")


def network_data(rc) -> tuple[list[dict], list[dict]]:
    """(nodes, ties) drawn in the network chart."""
    spec = chart(rc, "Coordination network")
    sets = list(spec["datasets"].values())
    nodes = next(d for d in sets if d and "kind" in d[0])
    ties = next((d for d in sets if d and "trust" in d[0] and "kind" not in d[0]), [])
    return nodes, ties


def missions_data(rc) -> list[dict]:
    """The time series drawn in the mission charts."""
    spec = next(
        w.spec for w in rc.find(solara.widgets.VegaLite).widgets if "growth_level" in str(w.spec)
    )
    return next(d for d in spec["datasets"].values() if d and "growth_level" in d[0])


def slider(rc, label: str):
    return next(s for s in rc.find(v.Slider).widgets if s.label == label)


# -- controls -----------------------------------------------------------------------------------


def test_lever_controls_come_from_the_declarations(kernel_ctx, small_scenarios, errors):
    _, rc = solara.render(LiveModel(folder=small_scenarios), handle_error=False)
    rc.find(v.Select, label="Scenario").widget.v_model = "plain"  # every value at its default
    wait_for(lambda: "quarter: start (step 0)" in texts(rc))
    tooltips = {str(t.children[0]): t.v_slots[0]["children"][0] for t in rc.find(v.Tooltip).widgets}
    for p in (*LEVERS, *UNCERTAINTIES):
        box = rc.find(v.Html, attributes={"data-parameter": p.name})
        # the help text (tooltip) is the declaration's, on the control of the parameter's name
        assert tooltips[help_text(p)] is box.widget, p.name
        for part in (p.label, p.name, p.doc, p.source, p.unit, p.allowed()):
            assert part in help_text(p)
        # under the control: the name (TOML key, model attribute, results column), the range,
        # the default and the unit
        line = "".join("".join(map(str, w.children)) for w in box.find(v.Html, tag="span").widgets)
        assert line.startswith(f"{p.name} · "), line
        assert hint(p) in line and p.unit in line
        default = f"{p.default:g}" if isinstance(p.default, float) else str(p.default)
        assert f"default {default}" in line
        if p.choices is not None:
            select = box.find(v.Select).widget
            assert (select.label, select.items, select.v_model) == (
                p.label,
                list(p.choices),
                p.default,
            )
            continue
        control = box.find(v.Slider).widget
        top = 40 if p.name in ("start_step", "shock_step") else p.high  # the run's length
        assert control.label == p.label
        assert (control.min, control.max) == (p.low, top), p.name
        assert control.v_model == p.default, p.name
    rc.close()


def test_sliders_show_the_loaded_scenario_values(kernel_ctx, small_scenarios, errors):
    mission = Scenario.from_toml(small_scenarios / "mission_driven.toml")
    _, rc = solara.render(LiveModel(folder=small_scenarios), handle_error=False)
    for p in LEVERS:
        assert slider(rc, p.label).v_model == mission.values[p.name], p.name
    rc.close()


# -- stepping, playing, resetting ---------------------------------------------------------------


def test_step_runs_off_the_ui_thread_and_the_network_evolves(
    kernel_ctx, small_scenarios, errors, monkeypatch
):
    # Hold every step until the clicks are done: if Step stepped on the clicking thread, the
    # first click would wait for the gate (which opens only after the clicks), and the threads
    # that stepped are recorded either way. (Mesa binds a model's step when it is made.)
    gate, stepped_on = threading.Event(), []
    real_step = PartnershipModel.step

    def gated_step(model):
        stepped_on.append(threading.current_thread())
        gate.wait(60)
        return real_step(model)

    monkeypatch.setattr(PartnershipModel, "step", gated_step)
    _, rc = solara.render(LiveModel(folder=small_scenarios), handle_error=False)
    assert "quarter: start (step 0)" in texts(rc)
    nodes_before, ties_before = network_data(rc)
    missions_before = missions_data(rc)
    for _ in range(4):
        button(rc, "Step").click()  # returns at once: the worker thread steps
    assert shown_step(rc) == 0 and not gate.is_set()
    gate.set()
    wait_for(lambda: shown_step(rc) == 4, what="four steps")
    assert len(stepped_on) == 4
    assert threading.current_thread() not in stepped_on
    assert all(t.name.startswith("partnersim-live") for t in stepped_on)
    nodes_after, ties_after = network_data(rc)
    # the drawn network itself changed: ties brokered or dropped, trust moved, states changed
    assert ties_after != ties_before
    assert [n["mean trust"] for n in nodes_after] != [n["mean trust"] for n in nodes_before]
    assert [n["state"] for n in nodes_after] != [n["state"] for n in nodes_before]
    # positions stay put
    assert [(n["x"], n["y"]) for n in nodes_after] == [(n["x"], n["y"]) for n in nodes_before]
    assert len(missions_data(rc)) == len(missions_before) + 4  # one row per quarter
    rc.close()


def test_play_and_pause_with_no_delay(kernel_ctx, small_scenarios, errors, live_runs):
    _, rc = solara.render(LiveModel(folder=small_scenarios), handle_error=False)
    run = live_runs[-1]
    slider(rc, "Seconds between quarters").v_model = 0.0
    last = 0
    for cycle in range(3):
        button(rc, "Play").click()
        wait_for(lambda: button_label(rc) == "Pause", what="the Pause button")
        # renders from this thread while the worker steps: the page must stay consistent
        for flag in (False, True):
            rc.find(v.Switch).widget.v_model = flag
            texts(rc)
        wait_for(lambda last=last: (shown_step(rc) or 0) >= last + 2, what=f"play {cycle}")
        button(rc, "Pause").click()
        wait_for(lambda: button_label(rc) == "Play", what="the Play button")
        paused = idle_step(rc, run)  # the worker ended: a paused run no longer steps
        assert not run.view.playing and run.model.steps == paused
        assert run.view.running, "Pause should stop the run, not let it play to its end"
        assert paused > last
        last = paused
    assert not alerts(rc, "run-error")
    assert len(chart(rc, "Coordination network")["datasets"]) >= 2
    rc.close()


def button_label(rc) -> str | None:
    for w in rc.find(v.Btn).widgets:
        if w.children and w.children[0] in ("Play", "Pause"):
            return w.children[0]
    return None


def test_play_runs_to_the_end_and_says_so(kernel_ctx, small_scenarios, errors):
    _, rc = solara.render(LiveModel(folder=small_scenarios), handle_error=False)
    rc.find(v.Select, label="Scenario").widget.v_model = "short"  # ten quarters
    slider(rc, "Seconds between quarters").v_model = 0.0
    button(rc, "Play").click()
    wait_for(lambda: alerts(rc, "run-complete"), 120, "the run's end")
    assert shown_step(rc) == 10
    assert button(rc, "Step").disabled
    assert button_label(rc) == "Play" and button(rc, "Play").disabled
    rc.close()


def test_reset_starts_again_from_the_scenario(kernel_ctx, small_scenarios, errors):
    _, rc = solara.render(LiveModel(folder=small_scenarios), handle_error=False)
    control = slider(rc, "Orchestration (Missions Unit)")
    original = control.v_model
    control.v_model = 0.25
    for _ in range(3):
        button(rc, "Step").click()
    wait_for(lambda: shown_step(rc) == 3)
    button(rc, "Reset").click()
    wait_for(lambda: shown_step(rc) == 0)
    assert slider(rc, "Orchestration (Missions Unit)").v_model == original
    notice = alert_text(rc, "run-notice")
    assert "Reset" in notice and "restarted from the start of 2024Q3 (step 0)" in notice
    assert "the previous run had reached 2025Q1 (step 3)" in notice
    rc.close()


def test_a_lever_change_restarts_the_run_and_says_so(kernel_ctx, small_scenarios, errors):
    _, rc = solara.render(LiveModel(folder=small_scenarios), handle_error=False)
    button(rc, "Step").click()
    wait_for(lambda: shown_step(rc) == 1)
    slider(rc, "Orchestration (Missions Unit)").v_model = 0.95
    assert shown_step(rc) == 0, "new lever values start a new run"
    notice = alert_text(rc, "run-notice")
    assert "Orchestration (Missions Unit) (orchestration) set to 0.95" in notice
    assert "the run restarted from the start of 2024Q3 (step 0)" in notice
    assert "the previous run had reached 2024Q3 (step 1)" in notice
    rc.close()


def routed(page, pathname: str):
    """``page`` as the app serves it, under Solara's router at address ``pathname``."""
    return solara.RoutingProvider(
        children=[page],
        routes=[solara.Route(path="/", component=LiveModel)],
        pathname=pathname,
    )


def address(rc) -> str:
    """The address the page asks the browser to show (Solara's navigator widget)."""
    return rc.find(solara.widgets.Navigator).widget.location


def test_the_page_address_sets_the_scenario_levers_and_seed(kernel_ctx, small_scenarios, errors):
    search = "scenario=short&orchestration=0.9&start_step=3&seed=4"
    _, rc = solara.render(
        routed(LiveModel(folder=small_scenarios), f"/?{search}&orchestration=7&colour=red"),
        handle_error=False,
    )
    assert rc.find(v.Select, label="Scenario").widget.v_model == "short"
    assert slider(rc, "Orchestration (Missions Unit)").v_model == 0.9
    assert slider(rc, CONTROLLED["start_step"].label).v_model == 3
    assert rc.find(v.TextField, label="Seed").widget.v_model == "4"
    wait_for(lambda: "quarter: start (step 0)" in texts(rc))
    # the later, out-of-range value is named with its range, and the earlier one kept
    notice = alert_text(rc, "address-notice")
    assert "Ignored from the page address: " in notice
    assert "orchestration='7' (allowed: a number from 0 to 1)" in notice
    assert "colour='red' (not a lever or uncertainty" in notice
    assert not alerts(rc, "lever-error")
    # a change is written back to the address, with only what is valid
    slider(rc, CONTROLLED["partnership"].label).v_model = 0.5
    assert address(rc) == ("/?scenario=short&orchestration=0.9&partnership=0.5&start_step=3&seed=4")
    assert not alerts(rc, "address-notice")
    assert "National partnership (partnership) set to 0.5" in alert_text(rc, "run-notice")
    rc.find(v.Select, label="Scenario").widget.v_model = "mission_driven"  # levers of the file
    assert address(rc) == "/?scenario=mission_driven&seed=4"
    rc.close()


def test_the_aggregation_toggle_switches_the_network_view(kernel_ctx, small_scenarios, errors):
    _, rc = solara.render(LiveModel(folder=small_scenarios), handle_error=False)
    button(rc, "Step").click()
    wait_for(lambda: shown_step(rc) == 1)
    grouped, _ = network_data(rc)
    assert any("councils (" in n["name"] for n in grouped)
    rc.find(v.Switch).widget.v_model = False
    actors = wait_for(
        lambda: (lambda nodes: nodes if len(nodes) > len(grouped) else None)(network_data(rc)[0])
    )
    assert not any("councils (" in n["name"] for n in actors)
    assert shown_step(rc) == 1, "switching the view does not restart the run"
    rc.find(v.Switch).widget.v_model = True
    wait_for(lambda: len(network_data(rc)[0]) == len(grouped))
    rc.close()


def test_bad_scenario_shows_its_validation_message(kernel_ctx, small_scenarios, errors):
    _, rc = solara.render(LiveModel(folder=small_scenarios), handle_error=False)
    select = rc.find(v.Select, label="Scenario").widget
    select.v_model = "broken"
    alert = rc.find(v.Alert).widgets
    assert alert
    message = " ".join(str(a.children) for a in alert)
    assert "levers.orchestration" in message
    assert "out of range" in message
    rc.close()


# -- the live run itself ------------------------------------------------------------------------


def test_a_live_run_publishes_consistent_snapshots_while_it_plays():
    model = PartnershipModel(
        Scenario.default().evolve(n_businesses=60, n_local_authorities=24, steps=30), rng=3
    )
    run = LiveRun(model, delay=0.0)
    seen, problems = [], []

    def check(view) -> None:
        data = view.data
        frame = data.frame
        if len(frame) != data.step + 1 or int(frame["step"].iloc[-1]) != data.step:
            problems.append((data.step, len(frame)))

    def publish(view) -> None:  # the page's part: draw, then say so
        check(view)
        seen.append(view.data.step)
        run.rendered(view.seq)

    run.subscribe(publish, paced=True)
    stop = threading.Event()

    def reader() -> None:  # another thread reading whatever is current, as renders do
        while not stop.is_set():
            check(run.view)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in readers:
        t.start()
    run.play()
    assert run.wait_idle(120)
    stop.set()
    for t in readers:
        t.join()
    assert not problems
    assert run.view.data.step == 30 and not run.view.running and not run.view.playing
    assert seen[-1] == 30 and sorted(seen) == seen
    run.close()


def test_a_closed_run_stops_stepping():
    model = PartnershipModel(
        Scenario.default().evolve(n_businesses=60, n_local_authorities=24), rng=1
    )
    run = LiveRun(model, delay=0.0)
    run.play()
    deadline = time.monotonic() + 120
    while model.steps < 2:  # playing
        assert time.monotonic() < deadline, "the run never played"
        time.sleep(0.01)
    run.close()
    assert run.wait_idle(120), "a closed run kept stepping"
    # its worker has ended, and commands to a closed run start none
    step = model.steps
    run.play()
    run.step(3)
    assert run.wait_idle(0)
    assert not [t for t in threading.enumerate() if t.name == f"partnersim-live-{run.id}"]
    assert model.steps == step < 40


def test_commands_that_change_nothing_publish_nothing():
    model = PartnershipModel(
        Scenario.default().evolve(n_businesses=60, n_local_authorities=24), rng=1
    )
    run = LiveRun(model, aggregate=True, delay=0.0)
    views = []
    run.subscribe(views.append)
    assert len(views) == 1  # the latest view, at once
    run.pause()  # already paused
    run.set_aggregate(True)  # already grouped
    assert len(views) == 1 and run.view is views[0]
    run.step()  # this changes what is shown: a new view (and one per quarter stepped)
    assert run.wait_idle(30)
    assert len(views) >= 2 and views[-1].data.step == 1
    run.close()


# -- the network view ---------------------------------------------------------------------------


def test_network_view_aggregates_and_keeps_positions(small_scenarios):
    model = PartnershipModel(Scenario.default().evolve(n_businesses=200), rng=2)
    layout = build_layout(model, aggregate=True)
    nodes, ties = network_frames(model, layout)
    assert len(nodes) == 1 + 12 + 15 + 12 + 9  # centre, ministries, unions, regions, sectors
    before = nodes[["x", "y"]].to_numpy().copy()
    trust_before = ties["trust"].to_numpy().copy()
    for _ in range(6):
        model.step()
    nodes2, ties2 = network_frames(model, layout)
    assert (nodes2[["x", "y"]].to_numpy() == before).all()
    assert not (len(ties2) == len(ties) and (ties2["trust"].to_numpy() == trust_before).all())
    full = build_layout(model, aggregate=False, max_businesses=50)
    assert len(full.names) > len(layout.names)


def test_network_chart_draws_the_model_ties_and_every_kind_of_actor():
    from partnersim.plots.network import network_chart

    model = PartnershipModel(Scenario.default().evolve(n_businesses=100), rng=2)
    for _ in range(3):
        model.step()
    layout = build_layout(model)
    _, ties = network_frames(model, layout)
    # reference: the model's active ties between two different drawn groups, one by one
    net, expected = model.network, {}
    for src, dst, active, trust in zip(net.src, net.dst, net.active, net.trust, strict=True):
        a, b = layout.group[src], layout.group[dst]
        if active and a >= 0 and b >= 0 and a != b:
            expected.setdefault((min(a, b), max(a, b)), []).append(trust)
    assert expected, "no ties between groups: nothing is tested"
    got = {(int(r.a), int(r.b)): (r.trust, r.ties) for r in ties.itertuples()}
    assert got.keys() == expected.keys()
    for pair, trusts in expected.items():
        assert got[pair] == pytest.approx((sum(trusts) / len(trusts), len(trusts))), pair
    # the chart draws exactly those groups of ties, and every node with its kind
    rows = [r for d in network_chart(model, layout).to_dict()["datasets"].values() for r in d]
    drawn_ties = sorted((r["trust"], r["ties"]) for r in rows if "ties" in r and "kind" not in r)
    want = sorted(zip(ties["trust"], ties["ties"], strict=True))
    assert len(drawn_ties) == len(want)
    np.testing.assert_allclose(np.array(drawn_ties), np.array(want), atol=1e-5)
    assert sorted(r["name"] for r in rows if "kind" in r) == sorted(layout.names)
    assert {r["kind"] for r in rows if "kind" in r} == set(layout.kind_labels)


def test_headline_numbers_are_labelled_from_the_metric_declarations():
    from partnersim.app.session import KPIS, LiveRun
    from partnersim.model.metrics import METRICS

    declared = {m.name: m for m in METRICS}
    run = LiveRun(PartnershipModel(Scenario.default().evolve(n_businesses=60), rng=3))
    try:
        shown = run.view.data
        assert shown.when == "start (step 0)"
        labels = [label for label, _ in shown.kpis]
        assert len(labels) == len(KPIS)
        for (column, _), label in zip(KPIS, labels, strict=True):
            assert label.startswith(declared[column].description), label
            assert label.endswith(f"[{declared[column].unit}]") or declared[column].unit == "share"
    finally:
        run.close()


# -- compare ------------------------------------------------------------------------------------


def test_compare_page_refuses_scenarios_of_one_name(kernel_ctx, small_scenarios):
    # two files that declare the same name: their results would be merged into one
    shutil.copy(small_scenarios / "plain.toml", small_scenarios / "plain_copy.toml")
    _, rc = solara.render(ComparePage(folder=small_scenarios), handle_error=False)
    rc.find(v.Select, label="Scenarios").widget.v_model = ["plain", "plain_copy"]
    rc.find(v.Btn, children=["Run"]).widget.click()
    wait_for(lambda: alerts(rc, "scenario-clash"), what="the refusal")
    assert "scenario names must differ to be compared; got plain, plain" in alert_text(
        rc, "scenario-clash"
    )
    assert not rc.find(ipywidgets.Image).widgets  # nothing was run
    rc.close()


def test_no_dashboard_module_imports_the_command_line():
    """The dashboard runs scenarios through the Run layer (run_many), never through the CLI."""
    import ast

    for path in (ROOT / "src" / "partnersim" / "app").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not [n for n in names if n.startswith("partnersim.cli")], path.name


def test_compare_page_runs_two_scenarios(kernel_ctx, small_scenarios):
    _, rc = solara.render(ComparePage(folder=small_scenarios), handle_error=False)
    rc.find(v.Btn, children=["Run"]).widget.click()
    # the figure appears when the runs finish
    wait_for(lambda: rc.find(ipywidgets.Image).widgets, 600, "the comparison")
    rc.close()


# -- sweep explorer -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep_results(tmp_path_factory):
    from partnersim.experiments.sweep import run_sweep

    tmp_path = tmp_path_factory.mktemp("sweep")
    scenario = tmp_path / "base.toml"
    scenario.write_text(
        f'extends = "{ROOT / "scenarios" / "westminster_default.toml"}"\n'
        "[scale]\nn_businesses = 60\nn_local_authorities = 20\n",
        encoding="utf-8",
    )
    spec = tmp_path / "s.toml"
    spec.write_text(
        f'name = "s"\nscenario = "{scenario}"\ndesign = "lhs"\nsamples = 8\nreplications = 1\n'
        "steps = 4\n[levers]\norchestration = { low = 0.0, high = 1.0 }\n"
        'risk_share = { low = 0.0, high = 0.8 }\n[uncertainties]\nshock = ["none", "pandemic"]\n',
        encoding="utf-8",
    )
    results = tmp_path / "results"
    run_sweep(spec, out=results / "s-run", backend="serial")
    yield results
    shutil.rmtree(results)


def span(factor: str, low: float, high: float) -> dict:
    """A range restriction of a PRIM box, as scenario discovery finds it."""
    return {"factor": factor, "low": low, "high": high, "values": None}


def kept(factor: str, values: list[str]) -> dict:
    """A categorical restriction of a PRIM box, as scenario discovery finds it."""
    return {"factor": factor, "low": float("nan"), "high": float("nan"), "values": values}


def write_discovery(folder, limits: list[dict]) -> None:
    """A growth box (and no nhs box) in ``folder/report``, written as ``partnersim report`` does."""
    from partnersim.experiments.analysis import DiscoveryBox
    from partnersim.experiments.report import write_discovery as write

    (folder / "report").mkdir(exist_ok=True)
    box = DiscoveryBox("growth", pd.DataFrame(limits), 0.8, 0.9, 0.3, 0.4, 8)
    write({"growth": box, "nhs": None}, folder / "report")


def scatter_spec(rc) -> dict:
    return next(
        w.spec for w in rc.find(solara.widgets.VegaLite).widgets if "against" in str(w.spec)
    )


def test_sweep_explorer_opens_a_sweep_with_labelled_axes(kernel_ctx, sweep_results):
    _, rc = solara.render(SweepExplorer(root=sweep_results), handle_error=False)
    assert "8 of 8 runs shown" in texts(rc)
    spec = scatter_spec(rc)
    points = spec["layer"][-1]["encoding"]
    assert points["x"]["title"] == title("orchestration")
    assert "[share of mission programme budget pooled]" in " ".join(points["x"]["title"])
    assert points["y"]["title"] == title("mean_gap_closed")
    assert "[share]" in str(points["y"]["title"])
    assert points["color"]["scale"]["scheme"] == "viridis"  # a number: colour-blind-safe scale
    # colour by a category: Okabe–Ito
    rc.find(v.Select, label="Colour by").widget.v_model = "shock"
    colour = scatter_spec(rc)["layer"][-1]["encoding"]["color"]
    assert colour["type"] == "nominal"
    assert colour["scale"]["range"] == list(OKABE_ITO[:2])
    assert "Shock" in str(colour["legend"]["title"])
    # a categorical factor on the x axis is placed at 0, 1 with its names as labels
    rc.find(v.Select, label="x axis (factor)").widget.v_model = "shock"
    x = scatter_spec(rc)["layer"][-1]["encoding"]["x"]
    assert "pandemic" in x["axis"]["labelExpr"] and x["title"] == title("shock")
    rc.close()


def test_sweep_explorer_filters_runs(kernel_ctx, sweep_results):
    from partnersim import results

    runs = results.load(sweep_results / "s-run").runs
    _, rc = solara.render(SweepExplorer(root=sweep_results), handle_error=False)
    window = rc.find(v.RangeSlider).widget
    window.v_model = [0.0, 0.5]
    expected = int(runs["orchestration"].between(0.0, 0.5).sum())
    assert 0 < expected < 8
    assert f"{expected} of 8 runs shown" in texts(rc)
    # a categorical factor filters by value
    rc.find(v.Select, label="Filter on").widget.v_model = "shock"
    assert "8 of 8 runs shown" in texts(rc)
    rc.find(v.Select, label="Shock values shown").widget.v_model = ["pandemic"]
    expected = int((runs["shock"] == "pandemic").sum())
    assert f"{expected} of 8 runs shown" in texts(rc)
    rc.close()


def test_sweep_explorer_draws_the_prim_box(kernel_ctx, sweep_results):
    folder = sweep_results / "s-run"
    write_discovery(
        folder,
        [span("orchestration", 0.2, 0.7), span("risk_share", 0.1, 0.5), kept("shock", ["none"])],
    )
    try:
        _, rc = solara.render(SweepExplorer(root=sweep_results), handle_error=False)
        spec = scatter_spec(rc)
        box, points = spec["layer"]
        box_rows = spec["datasets"][box["data"]["name"]]
        assert box["mark"]["type"] == "rect"
        assert box_rows == [{"x": 0.2, "x2": 0.7}]  # a band: the box restricts x only here
        assert "PRIM box" in str(spec["title"]["subtitle"])
        assert points["encoding"]["opacity"]["field"] == "__box"
        # a factor on the y axis too: a rectangle
        rc.find(v.Select, label="y axis (outcome or factor)").widget.v_model = "risk_share"
        spec = scatter_spec(rc)
        box_rows = spec["datasets"][spec["layer"][0]["data"]["name"]]
        assert box_rows == [{"x": 0.2, "x2": 0.7, "y": 0.1, "y2": 0.5}]
        # a categorical factor restricted to one value: a band over that category
        rc.find(v.Select, label="x axis (factor)").widget.v_model = "shock"
        spec = scatter_spec(rc)
        box_rows = spec["datasets"][spec["layer"][0]["data"]["name"]]
        assert box_rows == [{"x": -0.45, "x2": 0.45, "y": 0.1, "y2": 0.5}]  # "none" sorts first
        # no box: no shading
        rc.find(v.Select, label="PRIM box (mission target met)").widget.v_model = "(none)"
        assert len(scatter_spec(rc)["layer"]) == 1
        assert "growth" in texts(rc) or rc.find(v.Html).widgets
        rc.close()
    finally:
        shutil.rmtree(folder / "report")


def test_prim_boxes_are_read_from_the_report_as_data(tmp_path):
    write_discovery(tmp_path, [span("risk_share", 1e-05, 0.8), kept("shock", ["none", "pandemic"])])
    table, boxes = read_discovery(tmp_path / "report" / "discovery.json")
    assert list(boxes) == ["growth"]  # no box for nhs
    growth = boxes["growth"]
    assert [(lim.factor, lim.low, lim.high, lim.values) for lim in growth.limits] == [
        ("risk_share", 1e-05, 0.8, None),
        ("shock", None, None, ("none", "pandemic")),
    ]
    assert (growth.coverage, growth.density, growth.mass, growth.base_rate, growth.runs) == (
        0.8,
        0.9,
        0.3,
        0.4,
        8,
    )
    # the page reads the file once: the table shown and the boxes drawn
    assert list(table["mission"]) == ["growth"]
    assert table["box"].tolist() == ["1e-05 ≤ risk_share ≤ 0.8; shock ∈ {none, pandemic}"]
    assert "Shock (shock) ∈ {none, pandemic}" in growth.describe()
    assert read_discovery(tmp_path / "nothing.json") == (None, {})
    (tmp_path / "odd.json").write_text('{"missions": {"growth": {"limits": []}}}')
    table, boxes = read_discovery(tmp_path / "odd.json")
    assert table.empty and boxes == {}


def test_results_columns_have_labels_with_units():

    assert describe("orchestration") == (
        "Orchestration (Missions Unit)",
        "share of mission programme budget pooled",
    )
    growth = next(m for m in data.missions() if m.name == "growth")
    assert describe("growth_level_at_deadline")[1] == growth.unit
    assert describe("private_investment_total") == ("Private mission investment", "£bn")
    for column in (
        "deal_leverage",
        "mean_trust_final",
        "missions_met",
        "nhs_met",
        "spending_per_head_ratio_mean",
    ):
        label, unit = describe(column)
        assert label != column and unit, column


def type_folder(rc, text: str) -> str:
    """Type a path into the sweep explorer's folder box; return the errors shown."""
    field = rc.find(v.TextField).widget
    field.v_model = text
    field.fire_event("focusout", None)
    return " ".join(str(w.children) for w in rc.find(v.Alert, type="error").widgets)


def test_the_sweep_explorer_opens_nothing_outside_the_results_folder(
    kernel_ctx, sweep_results, tmp_path
):
    outside = tmp_path / "elsewhere"
    shutil.copytree(sweep_results / "s-run", outside)  # a real sweep, but outside the root
    (sweep_results / "link").symlink_to(outside)
    _, rc = solara.render(SweepExplorer(root=sweep_results), handle_error=False)
    refusals = {}
    for typed in ("/etc", "../../..", str(outside), "link", "/no/such/folder", "s-run/../.."):
        refusals[typed] = type_folder(rc, typed)
        assert "only folders inside the results folder" in refusals[typed], typed
        assert "runs shown" not in texts(rc), typed
    # The same words whether or not the path exists (nothing is revealed about the server).
    assert refusals["/etc"].replace("/etc", "X") == refusals["/no/such/folder"].replace(
        "/no/such/folder", "X"
    )
    assert type_folder(rc, "s-run") == ""  # a folder inside the root opens
    assert "8 of 8 runs shown" in texts(rc)
    assert type_folder(rc, str(sweep_results / "s-run")) == ""  # absolute, but inside
    rc.close()


@pytest.mark.parametrize("content", [b"null", b"\xff\xfe garbage", b'{"kind": "sweep"}'])
def test_the_sweep_explorer_shows_a_message_for_a_malformed_manifest(
    kernel_ctx, sweep_results, content
):
    bad = sweep_results / "bad"
    shutil.copytree(sweep_results / "s-run", bad)
    try:
        (bad / "manifest.json").write_bytes(content)
        _, rc = solara.render(SweepExplorer(root=sweep_results), handle_error=False)
        shown = type_folder(rc, "bad")
        assert "bad: cannot be read as sweep results" in shown
        assert "not a partnersim manifest" in shown or "lacks the key" in shown
        assert "\\xff" not in shown and "0xff" not in shown  # no bytes of the file echoed
        rc.close()
    finally:
        shutil.rmtree(bad)


def test_compare_page_runs_over_plausible_worlds(kernel_ctx, small_scenarios, tiny_worlds):
    from partnersim.worlds import Worlds

    ensemble = Worlds.load(tiny_worlds)
    _, rc = solara.render(
        ComparePage(folder=small_scenarios, worlds_source=ensemble), handle_error=False
    )
    slider = rc.find(v.Slider, label="Plausible worlds").widget
    slider.v_model = 2
    rc.find(v.Btn, children=["Run"]).widget.click()
    wait_for(lambda: "closes more of the" in texts(rc), 300, "the rankings over worlds")
    assert "% of worlds" in texts(rc)
    rc.close()


# -- robust design ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def design_results(tmp_path_factory):
    """A results folder holding one small finished optimisation, and a scenario folder with
    its base scenario (so that the live page can open its packages)."""
    from .conftest import tiny_optimisation

    folder = tmp_path_factory.mktemp("design")
    scenarios = folder / "scenarios"
    scenarios.mkdir()
    base = scenarios / "westminster_default.toml"
    base.write_text(
        f'extends = "{ROOT / "scenarios" / "westminster_default.toml"}"\n'
        'name = "westminster_default"\n[scale]\nn_businesses = 40\nn_local_authorities = 12\n',
        encoding="utf-8",
    )
    tiny_optimisation(folder / "results" / "design", base)
    return folder / "results", scenarios


def table_rows(rc) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of the package table as shown (solara.DataFrame's data)."""
    table = rc.find(v.Html, class_="package-table").find(DataTableWidget).widget
    return [h["title"] for h in table.headers], [
        [str(row[h["key"]]) for h in table.headers] for row in table.items
    ]


def test_the_robust_design_page_labels_its_charts_and_table(kernel_ctx, design_results, errors):
    from partnersim.app.optimisation import OptimisationExplorer, ParetoSet

    results, scenarios = design_results
    pareto = ParetoSet.read(results / "design")
    n = len(pareto.table)
    _, rc = solara.render(
        OptimisationExplorer(root=results, scenarios=scenarios), handle_error=False
    )
    assert f"{n} of {n} packages shown" in texts(rc)
    tradeoff = chart(rc, "Trade-off between two objectives")
    titles = " ".join(
        " ".join(t) if isinstance(t, list) else t
        for t in (tradeoff["layer"][1]["encoding"][c]["title"] for c in ("x", "y"))
    )
    # labels from the outcome declarations, with the statistic and the baseline — no raw names
    assert "P(NHS: target met by 2029Q1) [probability] (higher is better)" in titles
    assert "Net fiscal cost against the baseline trend, change from westminster_default" in titles
    assert "_vs_baseline" not in titles and "nhs_met_mean" not in titles
    parallel = chart(rc, "Pareto packages: levers and objectives")
    drawn = json.dumps(parallel)
    assert "Orchestration" in drawn and "better" in drawn
    headers, rows = table_rows(rc)
    assert headers[0] == "package"
    assert "NHS: RTT patients waiting under 18 weeks, England at 2029Q1, in the worst world" in (
        " ".join(headers)
    )
    assert not [h for h in headers if h in pareto.table.columns and h != "package"]
    assert len(rows) == min(n, 10)
    # numbers rounded to three figures (levers exactly as searched)
    for row in rows:
        for cell in row[4:]:  # after the package and its three levers
            assert len(cell.lstrip("-").replace(".", "").lstrip("0")) <= 3 or "e" in cell, cell
    rc.close()


def test_the_robust_design_page_filters_packages_by_objective(kernel_ctx, design_results, errors):
    from partnersim.app.optimisation import OptimisationExplorer, ParetoSet

    results, scenarios = design_results
    table = ParetoSet.read(results / "design").table
    name = "net_fiscal_cost_total_vs_baseline_mean"
    cut = float(table[name].median())
    keep = table[table[name] <= cut]
    assert 0 < len(keep) < len(table), "the fixture should have packages on both sides"
    _, rc = solara.render(
        OptimisationExplorer(root=results, scenarios=scenarios), handle_error=False
    )
    box = rc.find(v.Html, attributes={"data-filter": name})
    box.find(v.RangeSlider).widget.v_model = [float(table[name].min()), cut]
    assert f"{len(keep)} of {len(table)} packages shown" in texts(rc)
    _, rows = table_rows(rc)
    assert sorted(r[0] for r in rows) == sorted(keep["package"])[:10]
    shown = chart(rc, "Trade-off between two objectives")["layer"][1]["data"]["name"]
    points = chart(rc, "Trade-off between two objectives")["datasets"][shown]
    assert sorted(p["package"] for p in points) == sorted(keep["package"])
    lines = chart(rc, "Pareto packages: levers and objectives")
    drawn = {r["package"] for d in lines["datasets"].values() for r in d if "package" in r}
    assert drawn == set(keep["package"])
    # the package choice follows the filter
    assert rc.find(v.Select, label="Package").widget.items == list(keep["package"])
    rc.close()


def test_open_in_live_page_goes_to_the_package_address(kernel_ctx, design_results, errors):
    from partnersim.app.optimisation import OptimisationExplorer, ParetoSet

    results, scenarios = design_results
    pareto = ParetoSet.read(results / "design")
    package = pareto.table["package"].iloc[-1]
    page = OptimisationExplorer(root=results, scenarios=scenarios)
    _, rc = solara.render(
        solara.RoutingProvider(
            children=[page],
            routes=[solara.Route(path="optimisation", component=OptimisationExplorer)],
            pathname="/optimisation",
        ),
        handle_error=False,
    )
    # choose the package by clicking its point in the trade-off plot
    tradeoff = next(
        w
        for w in rc.find(solara.widgets.VegaLite).widgets
        if w.spec["title"]["text"] == "Trade-off between two objectives"
    )
    tradeoff.vue_altair_click({"package": package, "x": 1.0})
    assert rc.find(v.Select, label="Package").widget.v_model == package
    rc.find(v.Btn, children=["Open in live page"]).widget.click()
    location = address(rc)
    assert location.startswith("/?scenario=westminster_default&")
    asked = parse_query(location.split("?", 1)[1], ["westminster_default"], steps=40)
    assert asked.ignored == ()
    assert dict(asked.values) == pareto.package_levers(package)
    assert not alerts(rc, "open-live-warning")
    rc.close()


def test_objective_labels_come_from_the_outcome_declarations():
    from partnersim.app.optimisation import objective_column

    met = objective_column(
        {"name": "a", "outcome": "growth_met", "statistic": "mean", "direction": "maximise"}, "sq"
    )
    assert (met.label, met.unit) == ("P(Growth: target met by 2029Q2)", "probability")
    assert met.title(None) == "P(Growth: target met by 2029Q2) [probability] (higher is better)"
    level = objective_column(
        {
            "name": "b",
            "outcome": "clean_power_level_at_deadline",
            "statistic": "percentile",
            "percentile": 10.0,
            "direction": "maximise",
        },
        "sq",
    )
    assert level.label.endswith("at 2030Q4, in the 10 % worst world")
    assert level.unit == "% of generation"
    cost = objective_column(
        {
            "name": "c",
            "outcome": "net_fiscal_cost_total_vs_baseline",
            "statistic": "mean",
            "direction": "minimise",
        },
        "westminster_default",
    )
    assert cost.label == (
        "Net fiscal cost against the baseline trend, change from westminster_default, "
        "mean over worlds and seeds"
    )
    assert (cost.unit, cost.larger_is_better) == ("£bn", False)


def test_an_unfinished_optimisation_says_how_to_finish_it(kernel_ctx, design_results, tmp_path):
    from partnersim.app.optimisation import OptimisationExplorer

    results, scenarios = design_results
    unfinished = tmp_path / "unfinished"
    shutil.copytree(results / "design", unfinished)
    (unfinished / "pareto.parquet").unlink()
    _, rc = solara.render(
        OptimisationExplorer(root=tmp_path, scenarios=scenarios), handle_error=False
    )
    text = alert_text(rc, "optimisation-error")
    assert "no Pareto set yet" in text and f"partnersim resume {unfinished}" in text
    rc.close()


def test_the_report_robustness_table_is_shown_when_there_is_one(
    kernel_ctx, design_results, tmp_path, errors
):
    from partnersim.app.optimisation import OptimisationExplorer

    results, scenarios = design_results
    reported = tmp_path / "reported"
    shutil.copytree(results / "design", reported)
    (reported / "report").mkdir()
    pd.DataFrame(  # as `partnersim report` writes it
        {
            "candidate": ["westminster_default", "p01"],
            "kind": ["shipped scenario", "package"],
            "satisficing": [0.123456, 0.5],
        }
    ).to_parquet(reported / "report" / "robustness.parquet")
    _, rc = solara.render(
        OptimisationExplorer(root=tmp_path, scenarios=scenarios), handle_error=False
    )
    tables = rc.find(DataTableWidget).widgets
    assert len(tables) == 2  # the packages, and the report's robustness table
    satisficing = "Share of worlds meeting every criterion (nhs_met >= 0.5) [share of worlds]"
    assert [h["title"] for h in tables[1].headers] == ["candidate", "kind", satisficing]
    assert [row[satisficing] for row in tables[1].items] == ["0.123", "0.5"]
    rc.close()
