"""Dashboard components rendered headlessly (no server, no browser)."""

from __future__ import annotations

import shutil
import time
import uuid

import ipyvuetify as v
import ipywidgets
import pytest
import solara
import solara.server.app
import solara.server.kernel
import solara.server.kernel_context as kernel_context
import solara.server.starlette

from partnersim.app import ComparePage, LiveModel, SweepExplorer
from partnersim.levers import LEVERS
from partnersim.netview import build_layout, network_frames

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


@pytest.fixture
def small_scenarios(tmp_path):
    """A scenario folder with two small, fast scenarios and one broken file."""
    for name in ("westminster_default", "mission_driven"):
        (tmp_path / f"{name}.toml").write_text(
            f'extends = "{ROOT / "scenarios" / (name + ".toml")}"\nname = "{name}"\n'
            "[scale]\nn_businesses = 60\nn_local_authorities = 24\n",
            encoding="utf-8",
        )
    (tmp_path / "broken.toml").write_text("[levers]\norchestration = 7\n", encoding="utf-8")
    return tmp_path


def texts(rc) -> str:
    """Every plain text shown (solara.Text renders as a span)."""
    return " ".join(" ".join(map(str, w.children)) for w in rc.find(v.Html, tag="span").widgets)


def test_lever_controls_come_from_the_declarations(kernel_ctx, small_scenarios):
    _, rc = solara.render(LiveModel(folder=small_scenarios), handle_error=False)
    sliders = {s.label: s for s in rc.find(v.Slider).widgets}
    for p in LEVERS:
        assert p.label in sliders, p.name
        slider = sliders[p.label]
        if p.name != "start_step":
            assert (slider.min, slider.max) == (p.low, p.high)
    rc.close()


def test_live_model_steps_and_the_network_evolves(kernel_ctx, small_scenarios):
    _, rc = solara.render(LiveModel(folder=small_scenarios), handle_error=False)
    assert "quarter: start (step 0)" in texts(rc)
    step = rc.find(v.Btn, children=["Step"])
    for _ in range(4):
        step.widget.click()
    assert "(step 4)" in texts(rc)
    rc.close()


def test_a_lever_change_rebuilds_the_model(kernel_ctx, small_scenarios):
    _, rc = solara.render(LiveModel(folder=small_scenarios), handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert "(step 1)" in texts(rc)
    slider = next(
        s for s in rc.find(v.Slider).widgets if s.label == "Orchestration (Missions Unit)"
    )
    slider.v_model = 0.95
    assert "(step 0)" in texts(rc), "new lever values start a new run"
    rc.close()


def test_bad_scenario_shows_its_validation_message(kernel_ctx, small_scenarios):
    _, rc = solara.render(LiveModel(folder=small_scenarios), handle_error=False)
    select = rc.find(v.Select, label="Scenario").widget
    select.v_model = "broken"
    alert = rc.find(v.Alert).widgets
    assert alert
    message = " ".join(str(a.children) for a in alert)
    assert "levers.orchestration" in message
    assert "out of range" in message
    rc.close()


def test_network_view_aggregates_and_keeps_positions(small_scenarios):
    from partnersim import PartnershipModel, Scenario

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


def test_compare_page_runs_two_scenarios(kernel_ctx, small_scenarios):
    _, rc = solara.render(ComparePage(folder=small_scenarios), handle_error=False)
    rc.find(v.Btn, children=["Run"]).widget.click()
    deadline = time.time() + 120
    while not rc.find(ipywidgets.Image).widgets:  # the figure appears when the runs finish
        assert time.time() < deadline, "compare did not finish"
        time.sleep(0.2)
    rc.close()


def test_sweep_explorer_opens_a_sweep(kernel_ctx, tmp_path):
    from partnersim.sweep import run_sweep

    scenario = tmp_path / "base.toml"
    scenario.write_text(
        f'extends = "{ROOT / "scenarios" / "westminster_default.toml"}"\n'
        "[scale]\nn_businesses = 60\nn_local_authorities = 20\n",
        encoding="utf-8",
    )
    spec = tmp_path / "s.toml"
    spec.write_text(
        f'name = "s"\nscenario = "{scenario}"\ndesign = "lhs"\nsamples = 4\nreplications = 1\n'
        "steps = 4\n[levers]\norchestration = { low = 0.0, high = 1.0 }\n"
        "risk_share = { low = 0.0, high = 0.8 }\n",
        encoding="utf-8",
    )
    results = tmp_path / "results"
    run_sweep(spec, out=results / "s-run", backend="serial")
    _, rc = solara.render(SweepExplorer(root=results), handle_error=False)
    assert "4 of 4 runs shown" in texts(rc)
    rc.close()
    shutil.rmtree(results)
