"""Sweeps over plausible worlds: which world each run is in, and what the folder keeps of them.

A sweep file may name an ensemble of plausible worlds (:mod:`partnersim.worlds`)::

    worlds = "shipped"     # or a worlds file (or the folder holding one), relative to this file
    world_count = 50       # optional: the first 50 worlds by id

Every run of the plan is then assigned one world, deterministically from the sweep's seed and
balanced: with ``R`` runs over ``W`` worlds every world is used ⌊R/W⌋ or ⌈R/W⌉ times, in an
order shuffled independently of the design (so a world's inputs are not tied to a region of
the levers). The plan and the runs table carry the ``world`` id and the world's drawn values
as input columns, one per world input, so analyses can treat them as factors.

A world input the sweep sets itself — a factor of its ``[uncertainties]`` or ``[assumptions]``,
or a key of a ``[[points]]`` table — takes the sweep's value, and an assumption the base
scenario sets in its own ``[assumptions]`` keeps the scenario's value (as
:meth:`partnersim.worlds.ensemble.World.apply` does); neither is recorded as a world input.
Every run still uses its world's refitted delivery laws.

The worlds file is copied into the sweep folder (``inputs/worlds.parquet``) and its SHA-256
recorded in the manifest, so ``resume`` and ``rerun`` need nothing outside the folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from partnersim.schema.problems import Problem
from partnersim.worlds.ensemble import SHIPPED, World, Worlds, WorldsError

if TYPE_CHECKING:
    from partnersim.experiments.sweep.spec import SweepSpec
    from partnersim.schema.problems import LineFinder

FILE = Path("inputs") / "worlds.parquet"
"""Where a sweep folder keeps its copy of the worlds file."""
ALLOWED = f"'{SHIPPED}' (the ensemble shipped with partnersim) or the path of a worlds file"
"""What a sweep file's ``worlds`` key may hold, in words."""
_STREAM = 0x57_4F_52_4C_44  # "WORLD": the assignment's own stream of the sweep's seed


@dataclass(frozen=True, slots=True, eq=False)
class SweepWorlds:
    """The worlds a sweep runs in: the ensemble, as named in the file, and how many to use.

    Attributes:
        source: the ``worlds`` key as written (``"shipped"`` or a path).
        ensemble: the loaded worlds file.
        count: ``world_count`` (None: every world of the ensemble).
    """

    source: str
    ensemble: Worlds
    count: int | None

    @property
    def used(self) -> list[World]:
        """The worlds runs are assigned to: the first ``count`` by id (all without a count)."""
        return self.ensemble.head(self.count) if self.count else list(self.ensemble)

    def record(self) -> dict[str, Any]:
        """What decides the runs (for the sweep's content hash): the file's bytes and count."""
        return {"digest": self.ensemble.digest, "world_count": self.count}


def read(
    raw: Mapping[str, Any], here: Path, lines: LineFinder
) -> tuple[SweepWorlds | None, list[Problem]]:
    """The ``worlds`` and ``world_count`` keys of a sweep file, validated.

    Args:
        raw: the sweep file's tables.
        here: the folder a relative ``worlds`` path is read from (the sweep file's).
        lines: the file's line finder, to locate problems.
    """
    source, count = raw.get("worlds"), raw.get("world_count")
    problems: list[Problem] = []
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
        problems.append(
            Problem(
                "world_count",
                f"must be an integer ≥ 1 (how many worlds to use, first by id), got {count!r}",
                lines(None, "world_count"),
            )
        )
        count = None
    if source is None:
        if "world_count" in raw:
            problems.append(
                Problem(
                    "world_count",
                    f"only used with a `worlds` key ({ALLOWED})",
                    lines(None, "world_count"),
                )
            )
        return None, problems
    if not isinstance(source, str) or not source:
        problems.append(
            Problem("worlds", f"must be {ALLOWED}, got {source!r}", lines(None, "worlds"))
        )
        return None, problems
    where = source if source == SHIPPED else here / source
    try:
        ensemble = Worlds.load(where)
    except WorldsError as exc:
        problems.append(Problem("worlds", f"{exc}; allowed: {ALLOWED}", lines(None, "worlds")))
        return None, problems
    if count is not None and count > len(ensemble):
        problems.append(
            Problem(
                "world_count",
                f"{count} is more than the {len(ensemble)} worlds of {source!r}; allowed: "
                f"1–{len(ensemble)}",
                lines(None, "world_count"),
            )
        )
        count = None
    if not len(ensemble):
        problems.append(Problem("worlds", f"{source!r} holds no accepted world", None))
    return SweepWorlds(source, ensemble, count), problems


def inputs(spec: SweepSpec) -> list[str]:
    """The world inputs that reach the runs (and the plan's world columns).

    The ensemble's drawn inputs, minus those the sweep sets (its factors and point keys) and
    the assumptions the base scenario sets itself.
    """
    if spec.worlds is None:
        return []
    own = {f.name for f in spec.factors} | {k for p in spec.points for k in p}
    own |= set(spec.base.assumptions)
    return [name for name in spec.worlds.ensemble.factors if name not in own]


def run_worlds(spec: SweepSpec) -> dict[int, World]:
    """The worlds runs are assigned to, by id, holding only the inputs that reach the runs."""
    if spec.worlds is None:
        return {}
    keep = inputs(spec)
    return {
        w.id: dataclasses.replace(w, values={k: w.values[k] for k in keep})
        for w in spec.worlds.used
    }


def assign(spec: SweepSpec, n_runs: int) -> np.ndarray:
    """The world id of each of ``n_runs`` runs (in plan order): balanced and seeded.

    Each world is used ⌊n/W⌋ or ⌈n/W⌉ times; which worlds get one run more, and the order,
    come from the sweep's seed (a stream of its own, so the design's sample is unchanged).
    """
    assert spec.worlds is not None
    ids = np.array([w.id for w in spec.worlds.used])
    rng = np.random.default_rng([spec.seed, _STREAM])
    repeated = np.tile(rng.permutation(ids), -(-n_runs // len(ids)))[:n_runs]
    return rng.permutation(repeated)


def columns(spec: SweepSpec, world_ids: np.ndarray) -> dict[str, list]:
    """The plan's world columns: ``world`` and one per world input, in plan order."""
    by_id = run_worlds(spec)
    out: dict[str, list] = {"world": [int(w) for w in world_ids]}
    for name in inputs(spec):
        out[name] = [by_id[int(w)].values[name] for w in world_ids]
    return out


def file_bytes(spec: SweepSpec) -> bytes:
    """The worlds file's bytes, checked against the digest the sweep was validated with.

    Raises:
        WorldsError: the file changed since the sweep file was read.
    """
    assert spec.worlds is not None
    ensemble = spec.worlds.ensemble
    if ensemble.path is None:
        raw = files("partnersim.data").joinpath("worlds.parquet").read_bytes()
    else:
        raw = Path(ensemble.path).read_bytes()
    if hashlib.sha256(raw).hexdigest() != ensemble.digest:
        raise WorldsError(f"{spec.worlds.source}: changed while the sweep was being prepared")
    return raw


def manifest_record(spec: SweepSpec) -> dict[str, Any]:
    """The manifest's ``worlds`` entry: where the worlds came from and which were used."""
    assert spec.worlds is not None
    ensemble = spec.worlds.ensemble
    return {
        "source": spec.worlds.source,
        "path": str(ensemble.path.resolve()) if ensemble.path else SHIPPED,
        "file": str(FILE),
        "sha256": ensemble.digest,
        "world_count": spec.worlds.count,
        "worlds": [w.id for w in spec.worlds.used],
        "inputs": inputs(spec),
        "summary": ensemble.summary(),
    }
