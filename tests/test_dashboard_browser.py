"""The dashboard as a person uses it: a real server on a free loopback port, driven in Chromium.

Starts ``partnersim dashboard`` (the CLI users run), loads the live page, changes a lever
(and checks the page says the run restarted), steps several quarters and checks that the
network and the mission charts changed and no error is shown; plays and pauses with no delay
between quarters; picks a broken scenario file and checks its validation message is shown;
runs the compare page with two scenarios; opens a sweep with a PRIM box in the sweep explorer;
opens the live page from an address with lever values; filters an optimisation's Pareto set on
the robust-design page and opens a package in the live page. Every request must stay on
127.0.0.1.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from .conftest import ROOT, tiny_optimisation

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def _small_sweep(folder) -> None:
    """A four-quarter sweep in ``folder/results`` with a scenario-discovery box in its report."""
    import pandas as pd

    from partnersim.experiments.analysis import DiscoveryBox
    from partnersim.experiments.report import write_discovery
    from partnersim.experiments.sweep import run_sweep

    spec = folder / "sweep.toml"
    spec.write_text(
        f'name = "s"\nscenario = "{folder / "westminster_default.toml"}"\ndesign = "lhs"\n'
        "samples = 8\nreplications = 1\nsteps = 4\n"
        "[levers]\norchestration = { low = 0.0, high = 1.0 }\n"
        "risk_share = { low = 0.0, high = 0.8 }\n",
        encoding="utf-8",
    )
    out = folder / "results" / "s-run"
    run_sweep(spec, out=out, backend="serial")
    limits = pd.DataFrame(
        [
            {"factor": "orchestration", "low": 0.2, "high": 0.7, "values": None},
            {"factor": "risk_share", "low": 0.1, "high": 0.5, "values": None},
        ]
    )
    (out / "report").mkdir()
    write_discovery(  # as `partnersim report` writes it
        {"growth": DiscoveryBox("growth", limits, 0.8, 0.9, 0.3, 0.4, 8)}, out / "report"
    )


@pytest.fixture(scope="module")
def dashboard_folder(tmp_path_factory):
    """The scenarios the dashboard offers, and its results folder (``results/``) with a sweep
    and an optimisation."""
    folder = tmp_path_factory.mktemp("scenarios")
    for name in ("westminster_default", "mission_driven"):
        (folder / f"{name}.toml").write_text(
            f'extends = "{ROOT / "scenarios" / (name + ".toml")}"\nname = "{name}"\n'
            "[scale]\nn_businesses = 150\nn_local_authorities = 60\n",
            encoding="utf-8",
        )
    (folder / "broken.toml").write_text("[levers]\norchestration = 7\n", encoding="utf-8")
    _small_sweep(folder)
    tiny_optimisation(folder / "results" / "design", folder / "westminster_default.toml")
    return folder


@pytest.fixture(scope="module")
def dashboard(dashboard_folder):
    folder = dashboard_folder
    port = free_port()
    log_path = folder / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "partnersim.cli",
                "dashboard",
                "--port",
                str(port),
                "--scenarios",
                str(folder),
                "--results",
                str(folder / "results"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://{LOOPBACK}:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"dashboard exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(url + "readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    log = log_path.read_text()
    assert "Could not load URL" not in log, f"a front-end file was missing:\n{log}"
    assert "Traceback" not in log, log


@pytest.fixture
def watched(page: Page):
    """The page, with every request, websocket and page error recorded."""
    seen = {"urls": [], "errors": [], "failed": []}
    page.on("request", lambda r: seen["urls"].append(r.url))
    page.on("websocket", lambda ws: seen["urls"].append(ws.url))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    yield page, seen
    for url in seen["urls"]:
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob"):
            continue
        assert parsed.hostname == LOOPBACK, f"request left the machine: {url}"
    assert not seen["errors"], seen["errors"]


def _mean_trust() -> str:
    from partnersim.model.metrics import METRICS

    m = next(m for m in METRICS if m.name == "mean_trust")
    return f"{m.description} [{m.unit}]"  # as the page labels it, from the declaration


MEAN_TRUST = _mean_trust()


def kpi(page: Page, label: str) -> str:
    return page.locator(".kpi", has_text=f"{label}:").first.inner_text()


def wait_until(condition, timeout: float = 120.0, what: str = "the page"):
    """Poll ``condition`` (e.g. a screenshot comparison) until it holds; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return value


def drawn(chart) -> bytes:
    """A screenshot of ``chart`` once it has stopped changing (Vega draws asynchronously)."""
    shots = [chart.screenshot()]

    def steady() -> bool:
        shots.append(chart.screenshot())
        return shots[-1] == shots[-2]

    wait_until(steady, what="the chart to be drawn")
    return shots[-1]


def test_live_page_steps_a_changed_scenario(dashboard, watched, tmp_path):
    page, _ = watched
    page.set_viewport_size({"width": 1500, "height": 1100})
    page.goto(dashboard)
    expect(page.locator(".kpi", has_text="quarter: start (step 0)")).to_be_visible(timeout=90_000)
    charts = page.locator(".vega-embed")
    expect(charts.nth(1).locator("canvas, svg").first).to_be_visible(timeout=60_000)
    network_before = drawn(charts.nth(0))
    missions_before = drawn(charts.nth(1))
    trust_before = kpi(page, MEAN_TRUST)

    slider = page.locator('[data-parameter="orchestration"] [role="slider"]').first
    slider.focus()
    slider.press("End")  # orchestration to its maximum: a new run of the changed scenario
    expect(slider).to_have_attribute("aria-valuenow", "1")
    notice = page.locator(".run-notice")  # shown only once the new run has replaced the old
    expect(notice).to_contain_text("(orchestration) set to 1", timeout=60_000)
    expect(notice).to_contain_text("the run restarted from the start of 2024Q3 (step 0)")
    expect(page.locator(".kpi", has_text="quarter: start (step 0)")).to_be_visible()

    step = page.get_by_role("button", name="Step")
    for i in range(1, 7):
        step.click()
        expect(page.locator(".kpi", has_text=f"(step {i})")).to_be_visible(timeout=60_000)
    # the charts are redrawn after the numbers: wait (generously) for them to change
    wait_until(lambda: drawn(charts.nth(0)) != network_before, what="the network to change")
    wait_until(lambda: drawn(charts.nth(1)) != missions_before, what="the missions to change")
    assert kpi(page, MEAN_TRUST) != trust_before
    assert page.locator(".lever-error, .scenario-error").count() == 0
    page.screenshot(path=str(tmp_path / "live.png"), full_page=True)
    if os.environ.get("PARTNERSIM_SCREENSHOT"):  # the README's picture, from the top
        page.evaluate("document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_function("window.scrollY === 0")
        page.screenshot(path=os.environ["PARTNERSIM_SCREENSHOT"], full_page=False)


def shown_step(page: Page) -> int:
    text = kpi(page, "quarter")
    return int(text.rsplit("(step ", 1)[1].rstrip(")"))


def settled_step(page: Page, quiet: float, timeout: float = 600.0) -> int:
    """The step shown once it has not changed for ``quiet`` seconds.

    Choose ``quiet`` as several times the time a quarter took on this machine while playing:
    a run still playing would then show a new quarter within it, however slow the machine.
    """
    deadline = time.monotonic() + timeout
    step, since = shown_step(page), time.monotonic()
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, "the shown step never settled"
        time.sleep(0.1)
        now = shown_step(page)
        if now != step:
            step, since = now, time.monotonic()
    return step


def test_live_page_plays_and_pauses_with_no_delay(dashboard, watched):
    page, _ = watched
    page.goto(dashboard)
    expect(page.locator(".kpi", has_text="quarter: start (step 0)")).to_be_visible(timeout=90_000)
    delay = page.locator('[data-control="delay"] [role="slider"]').first
    delay.focus()
    delay.press("Home")  # no delay: the page must keep up on its own
    expect(delay).to_have_attribute("aria-valuenow", "0")
    last = 0
    for _ in range(2):
        page.get_by_role("button", name="Play").click()
        expect(page.get_by_role("button", name="Pause")).to_be_visible(timeout=30_000)
        started = time.monotonic()
        expect(page.locator(".kpi", has_text=f"(step {last + 3})")).to_be_visible(timeout=90_000)
        # at most this long per quarter while playing here (three or more were shown)
        per_quarter = (time.monotonic() - started) / 2
        at_pause = shown_step(page)
        page.get_by_role("button", name="Pause").click()
        expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="Step")).to_be_enabled(timeout=30_000)
        # the quarter being drawn at Pause may still appear; after that, nothing for many
        # quarters' time (a run still playing would have shown several more)
        paused = settled_step(page, quiet=max(2.0, 5 * per_quarter))
        assert paused >= last + 3
        # the quarter being stepped, and one the page had not yet drawn, may follow; no more
        assert paused <= at_pause + 2, f"paused at step {at_pause}, stopped at {paused}"
        assert page.locator(".run-complete").count() == 0, "the run played to its end"
        last = paused
    assert page.locator(".run-error, .lever-error, .scenario-error").count() == 0


def test_a_broken_scenario_shows_its_message(dashboard, watched):
    page, _ = watched
    page.goto(dashboard)
    expect(page.locator(".kpi", has_text="quarter:").first).to_be_visible(timeout=90_000)
    page.locator(".v-select", has_text="Scenario").first.click()
    page.locator(".v-list-item", has_text="broken").first.click()
    message = page.locator(".scenario-error")
    expect(message).to_be_visible(timeout=30_000)
    expect(message).to_contain_text("levers.orchestration")
    expect(message).to_contain_text("out of range")


def test_compare_page_runs_two_scenarios(dashboard, watched):
    page, _ = watched
    page.goto(dashboard + "compare")
    run = page.get_by_role("button", name="Run")
    expect(run).to_be_enabled(timeout=90_000)
    run.click()
    expect(page.get_by_text("Probability of meeting each target")).to_be_visible(timeout=180_000)
    expect(page.locator("img").first).to_be_visible()
    expect(page.get_by_text("mission_driven: P(met)")).to_be_visible()


def test_sweep_explorer_shows_a_sweep_and_its_prim_box(dashboard, watched):
    page, _ = watched
    page.goto(dashboard + "sweeps")
    expect(page.locator(".runs-shown")).to_contain_text("8 of 8 runs shown", timeout=90_000)
    expect(page.locator(".vega-embed").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Scenario discovery (PRIM boxes")).to_be_visible()
    expect(
        page.get_by_text("0.2 ≤ Orchestration (Missions Unit) (orchestration) ≤ 0.7")
    ).to_be_visible()


def slider_value(page: Page, name: str) -> str:
    return page.locator(f'[data-parameter="{name}"] [role="slider"]').first


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


def test_live_page_opens_the_state_in_its_address(dashboard, watched):
    page, _ = watched
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(dashboard + "?scenario=westminster_default&orchestration=0.9&seed=3&risk_share=2")
    expect(page.locator(".kpi", has_text="quarter: start (step 0)")).to_be_visible(timeout=90_000)
    expect(slider_value(page, "orchestration")).to_have_attribute("aria-valuenow", "0.9")
    expect(page.locator(".address-notice")).to_contain_text(
        "risk_share='2' (allowed: a number from 0 to 0.8)"
    )
    # a change is written to the address, which a reload then restores
    slider = slider_value(page, "partnership")
    slider.focus()
    slider.press("End")
    expect(page).to_have_url(re.compile(r"partnership=1(&|$)"), timeout=30_000)
    assert "orchestration=0.9" in page.url and "seed=3" in page.url
    assert "risk_share" not in page.url
    page.reload()
    expect(page.locator(".kpi", has_text="quarter: start (step 0)")).to_be_visible(timeout=90_000)
    expect(slider_value(page, "partnership")).to_have_attribute("aria-valuenow", "1")
    expect(slider_value(page, "orchestration")).to_have_attribute("aria-valuenow", "0.9")
    # (No check of sideways scroll here: the live page's layout at 1280×720 is issue 18's
    # "layouts that fit", not yet done; one run measured the page 32,563 px wide while loading.)


def test_robust_design_page_filters_and_opens_a_package_live(dashboard, dashboard_folder, watched):
    import pandas as pd

    from partnersim.app.query import number_text

    page, _ = watched
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(dashboard + "optimisation")
    shown = page.locator(".packages-shown")
    expect(shown).to_contain_text("packages shown", timeout=90_000)
    expect(
        page.locator(".parallel-chart .vega-embed canvas, .parallel-chart .vega-embed svg").first
    ).to_be_visible(timeout=60_000)
    total = int(shown.inner_text().split(" of ")[1].split()[0])
    assert shown.inner_text().startswith(f"{total} of {total}")
    no_horizontal_scroll(page)
    # filter: move the cost filter's upper end halfway down
    cost = "net_fiscal_cost_total_vs_baseline_mean"
    upper = page.locator(f'[data-filter="{cost}"] [role="slider"]').nth(1)
    upper.focus()
    for _ in range(50):
        upper.press("ArrowLeft")
    expect(shown).not_to_contain_text(f"{total} of {total}", timeout=30_000)
    kept = int(shown.inner_text().split(" of ")[0])
    assert 0 < kept < total
    package = (
        page.locator(".v-select", has_text="Package")
        .first.locator(".v-select__selection-text")
        .inner_text()
        .strip()
    )
    pareto = pd.read_parquet(dashboard_folder / "results" / "design" / "pareto.parquet")
    row = pareto.set_index("package").loc[package]
    page.get_by_role("button", name="Open in live page").click()
    expect(page.locator(".kpi", has_text="quarter: start (step 0)")).to_be_visible(timeout=90_000)
    assert "scenario=westminster_default" in page.url
    for lever in ("orchestration", "nhs_funding", "start_step"):
        value = row[lever].item()
        expect(slider_value(page, lever)).to_have_attribute("aria-valuenow", number_text(value))
    assert page.locator(".address-notice, .lever-error, .scenario-error").count() == 0
