"""``run(scenario, seed)``: the one way to execute a model, returning tidy results.

A :class:`RunResult` holds the recorded time series (one row per quarter), a summary of
scalar outcomes (whether and when each mission met its target, private investment and
leverage, net public cost, trust, inequality, ...) and a manifest (scenario hash, seed,
package versions) that identifies the run. Summaries are computed from the time series alone,
so saved results can be summarised again without re-running.
"""

from __future__ import annotations

import functools
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from partnersim import data
from partnersim.runs.outcomes import summarise
from partnersim.schema.scenario import Scenario

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel


class WorldLike(Protocol):
    """What a run needs of a plausible world (:class:`partnersim.worlds.World` is one)."""

    @property
    def id(self) -> int:
        """The world's id in its ensemble."""
        ...

    @property
    def values(self) -> Mapping[str, Any]:
        """The world's drawn values, by name."""
        ...

    @property
    def fitted(self) -> data.DeliveryFit:
        """The world's refitted delivery laws and reference drive."""
        ...

    def apply(self, scenario: Scenario) -> Scenario:
        """``scenario`` in this world."""
        ...


@dataclass(frozen=True, slots=True, eq=False)
class RunResult:
    """The outcome of one seeded run.

    Attributes:
        scenario: the scenario that was run.
        seed: the run's seed (the only source of randomness).
        timeseries: one row per recorded step: ``step``, ``quarter`` and every metric.
        summary: every declared outcome of the run (:data:`partnersim.runs.outcomes.OUTCOMES`).
        manifest: scenario name and hash, seed, steps, package versions and timing.
        model: the model itself when ``keep_model=True``, else ``None``.
    """

    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame
    summary: dict[str, Any]
    manifest: dict[str, Any]
    model: PartnershipModel | None = field(default=None, repr=False)


def run(
    scenario: Scenario | str,
    seed: int,
    steps: int | None = None,
    *,
    keep_model: bool = False,
    world: WorldLike | None = None,
) -> RunResult:
    """Run a scenario once.

    Args:
        scenario: a :class:`Scenario` or the path of a scenario file.
        seed: non-negative integer seed; the same seed gives identical results.
        steps: quarters to simulate (default: the scenario's ``run.steps``).
        keep_model: keep the model in the result, to inspect agents and the network.
        world: a plausible world (:mod:`partnersim.worlds`) to run the scenario in: its values
            replace the scenario's uncertainties and assumptions (but those the scenario sets in
            ``[assumptions]``), and its refitted delivery laws are used. The manifest records
            the world's id and values.

    Returns:
        The run's time series, summary and manifest.
    """
    from partnersim.model.partnership import PartnershipModel

    scenario = scenario if isinstance(scenario, Scenario) else Scenario.from_toml(scenario)
    if steps is not None and steps != scenario.steps:
        scenario = scenario.evolve(steps=steps)
    seed = int(seed)
    started = datetime.now(UTC)
    fitted = None
    if world is not None:
        scenario = world.apply(scenario)
        fitted = world.fitted
    model = PartnershipModel(scenario, rng=seed, fitted=fitted)
    while model.running:
        model.step()
    frame = model.recorder.to_frame()
    summary = summarise(frame)
    manifest = run_manifest(scenario, seed)
    if world is not None:
        manifest["world"] = world.id
        manifest["world_values"] = dict(world.values)
        manifest["delivery_laws"] = "refitted world (partnersim.worlds)"
    manifest["started"] = started.isoformat(timespec="seconds")
    manifest["wall_seconds"] = round((datetime.now(UTC) - started).total_seconds(), 4)
    return RunResult(scenario, seed, frame, summary, manifest, model if keep_model else None)


def versions() -> dict[str, str]:
    """Versions of partnersim, Python and the packages that shape results."""
    return dict(_versions())


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:  # read once per process: installs do not change
    out = {"python": platform.python_version()}
    for package in ("partnersim", "mesa", "numpy", "scipy", "networkx", "pandas"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "unknown"
    return tuple(out.items())


def run_manifest(scenario: Scenario, seed: int | None = None) -> dict[str, Any]:
    """The identity of a run (or of a set of runs when ``seed`` is None)."""
    out: dict[str, Any] = {
        "scenario": scenario.name,
        "scenario_hash": scenario.content_hash,
        "scenario_file": str(scenario.path) if scenario.path else None,
        "steps": scenario.steps,
        "start_quarter": data.start_quarter(),
        "delivery_laws": data.delivery_fit().method,
        "assumptions": dict(scenario.assumptions),
        "versions": versions(),
    }
    if seed is not None:
        out["seed"] = seed
    return out


def derive_seeds(root: int, n: int) -> list[int]:
    """``n`` independent run seeds from a root seed (``numpy.random.SeedSequence.spawn``).

    Seeds are non-negative 63-bit integers, so they fit every integer column; the same root
    always gives the same seeds, in the same order.
    """
    children = np.random.SeedSequence(root).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
