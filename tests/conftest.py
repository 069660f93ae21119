"""Shared fixtures: the repository's paths and small, fast scenarios."""

from __future__ import annotations

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


def load(name: str) -> Scenario:
    """A shipped scenario by name."""
    return Scenario.from_toml(ROOT / "scenarios" / f"{name}.toml")
