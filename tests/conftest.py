"""Shared fixtures: the repository's paths and small, fast scenarios."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from partnersim import Scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def small() -> Scenario:
    """The status quo at a size that runs in milliseconds."""
    return Scenario.default().evolve(
        name="small", n_businesses=200, n_local_authorities=40, steps=12
    )


def cli(
    *args: str, cwd: Path | None = None, env: dict | None = None, **kwargs
) -> subprocess.CompletedProcess:
    """Run ``python -m partnersim.cli ARGS`` as a user would (from the repository by default)."""
    return subprocess.run(
        [sys.executable, "-m", "partnersim.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=300,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def tiny_sweep(tmp_path: Path, body: str, name: str, steps: int = 8) -> Path:
    """A sweep file ``name`` with ``body`` over a small mission_driven (40 firms, 12 councils)."""
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(
        f'extends = "{ROOT / "scenarios" / "mission_driven.toml"}"\n'
        "[scale]\nn_businesses = 40\nn_local_authorities = 12\n",
        encoding="utf-8",
    )
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'name = "{name}"\nscenario = "{scenario}"\nseed = 3\nsteps = {steps}\n{body}',
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
def tiny_worlds(tmp_path_factory) -> Path:
    """A worlds folder of 3 draws (serial, seed 20240530), made once per test session.

    Each draw costs a refit (a few seconds), so the ensemble is shared by every test that
    needs worlds; the first three LHS draws of the default seed are all accepted.
    """
    from partnersim.worlds.generate import Request, generate

    folder = tmp_path_factory.mktemp("worlds") / "tiny"
    outcome = generate(Request(3), folder, backend="serial")
    assert outcome.worlds is not None and len(outcome.worlds) >= 2, "tiny ensemble too small"
    return folder


def load(name: str) -> Scenario:
    """A shipped scenario by name."""
    return Scenario.from_toml(ROOT / "scenarios" / f"{name}.toml")


CHROMIUM = os.environ.get("PARTNERSIM_CHROMIUM", "/usr/bin/chromium")
"""Debian's Chromium (scripts/test.sh installs it where missing, or says how)."""
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    # Chromium resolves Google hosts on its own even with the flags above; answer NOTFOUND
    # for every name so that nothing but 127.0.0.1 is ever contacted.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright: drive Debian's Chromium (Playwright cannot download browsers here)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


def uv() -> list[str]:
    """The uv command: on PATH, or the Python module (as scripts/bootstrap.sh installs it)."""
    found = shutil.which("uv") or shutil.which("uv", path=str(Path.home() / ".local" / "bin"))
    if found:
        return [found]
    for python in ("python3", sys.executable):
        probe = subprocess.run([python, "-m", "uv", "--version"], capture_output=True)
        if probe.returncode == 0:
            return [python, "-m", "uv"]
    pytest.fail("uv is needed to build the wheel (scripts/bootstrap.sh installs it)")


def tiny_optimisation(out: Path, scenario: Path, name: str = "tiny_design") -> Path:
    """A finished optimisation in ``out`` (serial; seconds for a small ``scenario``) searching
    three levers of ``scenario``: 12 packages × 2 seeds, three objectives (NHS P(met), the worst
    world's NHS level, net fiscal cost against the scenario itself) and one robustness criterion.
    """
    from partnersim.design.search import optimise
    from partnersim.design.spec import OptimiseSpec

    out.parent.mkdir(parents=True, exist_ok=True)
    spec = out.parent / f"{name}.toml"
    spec.write_text(
        f'name = "{name}"\nscenario = "{scenario}"\nevaluations = 12\n'
        "population = 6\nseeds = 2\nseed = 3\n"
        "[levers]\norchestration = { low = 0.0, high = 1.0 }\n"
        "nhs_funding = { low = 0.5, high = 3.0 }\nstart_step = { low = 0, high = 8 }\n"
        '[[objectives]]\noutcome = "nhs_met"\n'
        '[[objectives]]\noutcome = "nhs_level_at_deadline"\nstatistic = "worst"\nepsilon = 1.0\n'
        '[[objectives]]\noutcome = "net_fiscal_cost_total"\nagainst_baseline = true\n'
        '[robustness]\ncriteria = ["nhs_met >= 0.5"]\n',
        encoding="utf-8",
    )
    optimise(OptimiseSpec.from_toml(spec), out, backend="serial")
    return out
