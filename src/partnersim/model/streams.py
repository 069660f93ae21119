"""Independent random streams per mechanism, all spawned from the model's one generator."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Streams:
    """One random stream per mechanism, spawned from the model's generator.

    Every mechanism draws a fixed number of values per quarter from its own stream, so two
    scenarios run on the same seed keep their random numbers aligned mechanism by mechanism
    (common random numbers): a lever that changes how many firms invest does not shift the
    draws of union stances or indicator successes.
    """

    budgets: np.random.Generator
    projects: np.random.Generator
    outcomes: np.random.Generator
    unions: np.random.Generator
    indicators: np.random.Generator
    trust: np.random.Generator
    brokerage: np.random.Generator
    durability: np.random.Generator
    delivery: np.random.Generator

    @classmethod
    def spawn(cls, rng: np.random.Generator) -> Streams:
        """Derive the streams from ``rng`` (deterministically)."""
        return cls(*rng.spawn(9))
