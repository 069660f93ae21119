"""Plausible worlds: every uncertain input drawn, refitted to history and history-matched.

* :mod:`partnersim.worlds.fit` — what a world draws, how a draw is refitted (delivery laws and
  the status quo's reference drive) and tested (implausibility against history; the status quo
  on fresh seeds);
* :mod:`partnersim.worlds.generate` — ``partnersim worlds``: the resumable results folder, on
  any backend;
* :mod:`partnersim.worlds.ensemble` — the worlds file and :class:`World`, which runs use
  (``partnersim.runs.runner.run(scenario, seed, world=w)``).

The settings of history matching, each with its reasoning, are in ``data/worlds.toml``.
"""

from partnersim.worlds.ensemble import SHIPPED, World, Worlds, WorldsError

__all__ = ["SHIPPED", "World", "Worlds", "WorldsError"]
