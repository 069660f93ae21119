"""Sweep files: what to vary, how to sample it, how many seeds, from which base scenario.

A sweep file is TOML::

    name = "levers_lhs"
    description = "What the question is."
    scenario = "westminster_default"   # base scenario: a path relative to this file, or the
                                       # name of a packaged scenario (partnersim scenarios)
    design = "lhs"        # grid | list | lhs | sobol | morris (sweep.designs)
    samples = 64          # lhs: points; sobol: base N (N·(D+2) points); morris: trajectories
    replications = 4      # seeds per design point (the same seeds at every point)
    seed = 20240530       # root seed
    steps = 40            # optional: overrides the scenario's run length

    [levers]              # factors: a range {low, high} or a list of values
    orchestration = { low = 0.0, high = 1.0 }
    devolution = [0.0, 0.2, 0.4]

    [uncertainties]
    shock = ["none", "energy_price"]   # categorical factors are lists

    [[points]]            # design = "list": explicit points (keys are factor names)
    orchestration = 0.2

Optional, at the top: ``worlds = "shipped"`` (or a worlds file, relative to this file) runs
every run in one of an ensemble of plausible worlds, and ``world_count = N`` uses only the
first ``N`` of them (:mod:`partnersim.experiments.sweep.worlds`). A factor that is also a world
input takes the sweep's value.

Every factor must be a declared lever or uncertainty; ranges must lie inside the declared
bounds and list values must be valid values. Problems raise :class:`SweepError` (a
:class:`~partnersim.schema.problems.ScenarioError`) naming the file, line, key and allowed values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partnersim.data import assumption_table
from partnersim.experiments.sweep import worlds as sweep_worlds
from partnersim.experiments.sweep.designs import DESIGNS, TABLE, design_points
from partnersim.schema import packaged
from partnersim.schema.levers import PARAMETERS, Section, variable
from partnersim.schema.problems import (
    LineFinder,
    Problem,
    ScenarioError,
    check_value,
    load_shipped_or_file,
    name_problem,
    unknown_key,
)
from partnersim.schema.scenario import Scenario, flatten_assumptions

_TOP = (
    "name",
    "description",
    "scenario",
    "design",
    "samples",
    "replications",
    "seed",
    "steps",
    "levels",
    "levers",
    "uncertainties",
    "assumptions",
    "points",
    "worlds",
    "world_count",
)
_FACTOR_SECTIONS = {
    "levers": Section.LEVERS,
    "uncertainties": Section.UNCERTAINTIES,
    "assumptions": Section.ASSUMPTIONS,
}


class SweepError(ScenarioError):
    """A sweep file that cannot be used."""


@dataclass(frozen=True, slots=True)
class Factor:
    """One varied parameter: a numeric range or an explicit list of values."""

    name: str
    low: float | None = None
    high: float | None = None
    values: tuple | None = None

    @property
    def is_range(self) -> bool:
        """Whether the factor is a continuous range (else a list of values)."""
        return self.values is None

    @property
    def kind(self) -> type:
        """The declared type of the parameter."""
        return variable(self.name).kind

    def from_unit(self, u: float) -> Any:
        """Map a number in [0, 1) to a factor value (ranges scale; lists pick by index)."""
        if self.is_range:
            value = self.low + u * (self.high - self.low)
            return round(value) if self.kind is int else float(value)
        index = min(int(u * len(self.values)), len(self.values) - 1)
        return self.values[index]

    def describe(self) -> str:
        """The factor in words, for reports."""
        if self.is_range:
            return f"{self.name} ∈ [{self.low:g}, {self.high:g}]"
        return f"{self.name} ∈ {{{', '.join(str(v) for v in self.values)}}}"


@dataclass(frozen=True, slots=True, eq=False)
class SweepSpec:
    """A validated sweep."""

    name: str
    description: str
    base: Scenario
    design: str
    factors: tuple[Factor, ...]
    samples: int
    replications: int
    seed: int
    levels: int
    points: tuple[Mapping[str, Any], ...]
    path: Path | None
    text: str
    raw: Mapping[str, Any]
    """The parsed tables the spec was built from (recorded so a sweep can be rebuilt)."""
    worlds: sweep_worlds.SweepWorlds | None = None
    """The plausible worlds the runs are assigned to (None: the base scenario's world)."""

    @property
    def content_hash(self) -> str:
        """Stable hash of everything that decides the runs (base scenario, design, factors)."""
        decided: dict[str, Any] = {"worlds": self.worlds.record()} if self.worlds else {}
        payload = json.dumps(
            {
                **decided,
                "base": self.base.content_hash,
                "design": self.design,
                "factors": [(f.name, f.low, f.high, f.values) for f in self.factors],
                "samples": self.samples,
                "replications": self.replications,
                "seed": self.seed,
                "levels": self.levels,
                "points": [dict(p) for p in self.points],
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    @classmethod
    def from_toml(cls, path: str | Path) -> SweepSpec:
        """Read and validate a sweep file.

        ``path`` is a file or, if no such file exists, the name of a sweep shipped with
        partnersim (``SweepSpec.from_toml("levers_lhs")``; ``partnersim scenarios`` lists them).

        Raises:
            SweepError: the file, its base scenario or a factor is missing or invalid.
        """
        found, text, raw = load_shipped_or_file(path, SweepError)
        return cls.from_dict(raw, source=str(found), path=found, text=text)

    @classmethod
    def from_dict(
        cls,
        raw: Mapping[str, Any],
        *,
        source: str = "<dict>",
        path: Path | None = None,
        text: str = "",
    ) -> SweepSpec:
        """Validate a sweep given as parsed tables."""
        lines = LineFinder(text)
        if "objectives" in raw:  # an optimisation file (partnersim.design.spec)
            raise SweepError(
                source,
                [
                    Problem(
                        "objectives",
                        "this is an optimisation file (it declares objectives): run it with "
                        "`partnersim optimise`",
                        lines(None, "objectives"),
                    )
                ],
            )
        problems: list[Problem] = []
        for key in raw:
            if key not in _TOP:
                problems.append(Problem(key, unknown_key(key, _TOP), lines(None, key)))

        def get(key: str, kind: type, default: Any, low: int | None = None) -> Any:
            value = raw.get(key, default)
            ok = isinstance(value, kind) and not isinstance(value, bool)
            high = LIMITS.get(key)
            if not ok or (low is not None and value < low) or (high and value > high[0]):
                wanted = f"an integer ≥ {low}" if kind is int else f"a {kind.__name__}"
                if high and ok and value > high[0]:
                    wanted = f"at most {high[0]:,} ({high[1]})"
                problems.append(
                    Problem(key, f"must be {wanted}, got {_short(value)}", lines(None, key))
                )
                return default
            return value

        name = get("name", str, path.stem if path else "sweep")
        if "name" in raw and isinstance(name, str) and (why := name_problem(name)):
            problems.append(Problem("name", why, lines(None, "name")))
        description = get("description", str, "")
        design = get("design", str, "lhs")
        if design not in DESIGNS:
            problems.append(
                Problem(
                    "design",
                    f"{design!r} is not allowed; one of {', '.join(DESIGNS)}",
                    lines(None, "design"),
                )
            )
        samples = get("samples", int, 16, low=1)
        replications = get("replications", int, 1, low=1)
        seed = get("seed", int, 0, low=0)
        levels = get("levels", int, 3, low=2)
        steps = raw.get("steps")

        base = None
        scenario_ref = raw.get("scenario")
        if scenario_ref is None:
            problems.append(Problem("scenario", "missing: the base scenario file to vary", None))
        elif not isinstance(scenario_ref, str):
            problems.append(Problem("scenario", "must be a file path", lines(None, "scenario")))
        else:
            here = path.parent if path else Path.cwd()
            scenario_path = packaged.find("scenarios", scenario_ref, relative_to=here)
            try:
                base = Scenario.from_toml(scenario_path or here / scenario_ref)
            except ScenarioError as exc:
                # The base scenario's own problems, reported against its file.
                raise SweepError(exc.source, exc.problems) from None
            if steps is not None:
                message = check_value(PARAMETERS["steps"], steps)
                if message:
                    problems.append(Problem("steps", message, lines(None, "steps")))
                else:
                    base = base.evolve(steps=steps)

        worlds, world_problems = sweep_worlds.read(raw, path.parent if path else Path.cwd(), lines)
        problems += world_problems

        factors: list[Factor] = []
        for table, section in _FACTOR_SECTIONS.items():
            entries = raw.get(table, {})
            if not isinstance(entries, Mapping):
                problems.append(Problem(table, "must be a table", lines(None, table)))
                continue
            if section is Section.ASSUMPTIONS:  # dotted names, written nested or dotted
                entries = flatten_assumptions(entries)
            for key, spec in entries.items():
                dotted = f"{table}.{key}"
                group, _, leaf = key.rpartition(".")
                where = lines(table, key) or lines(f"{table}.{group}", leaf)
                try:
                    param = variable(key)
                except KeyError:
                    param = None
                if param is None or param.section != section:
                    allowed = (
                        list(assumption_table())
                        if section is Section.ASSUMPTIONS
                        else [p for p, d in PARAMETERS.items() if d.section == section]
                    )
                    message = (
                        f"belongs in [{param.section.value}]"
                        if param
                        else unknown_key(key, allowed)
                    )
                    problems.append(Problem(dotted, message, where))
                    continue
                factor, message = parse_factor(key, spec)
                if message:
                    problems.append(Problem(dotted, message, where))
                else:
                    factors.append(factor)
        if len({f.name for f in factors}) != len(factors):
            problems.append(Problem("levers", "a factor appears twice"))

        points: list[dict[str, Any]] = []
        raw_points = raw.get("points", [])
        if design in TABLE and TABLE[design].from_points:
            if not raw_points:
                problems.append(Problem("points", f"design {design!r} needs [[points]] tables"))
            for i, point in enumerate(raw_points):
                if not isinstance(point, Mapping):
                    problems.append(Problem(f"points[{i}]", "must be a table"))
                    continue
                for key, value in point.items():
                    try:
                        param = variable(key)
                    except KeyError:
                        param = None
                    varied = (Section.LEVERS, Section.UNCERTAINTIES, Section.ASSUMPTIONS)
                    if param is None or param.section not in varied:
                        allowed = [p for p, d in PARAMETERS.items() if d.section in varied]
                        message = (
                            f"a point may set levers, uncertainties and assumptions, not "
                            f"[{param.section.value}] values (set those in the base scenario)"
                            if param
                            else unknown_key(key, [*allowed, *assumption_table()])
                        )
                        problems.append(
                            Problem(f"points[{i}].{key}", message, lines.in_point(i, key))
                        )
                        continue
                    message = check_value(param, value)
                    if message:
                        problems.append(
                            Problem(f"points[{i}].{key}", message, lines.in_point(i, key))
                        )
                points.append(dict(point))
        else:
            if raw_points:
                listed = " or ".join(repr(d.name) for d in TABLE.values() if d.from_points)
                problems.append(
                    Problem("points", f"only used with design = {listed}, not {design!r}")
                )
            declared = any(isinstance(raw.get(t), Mapping) and raw[t] for t in _FACTOR_SECTIONS)
            if not factors and not declared:  # (a declared but invalid factor is reported above)
                problems.append(
                    Problem(
                        "levers",
                        "no factors to vary: add [levers], [uncertainties] or [assumptions]",
                    )
                )
            if design in TABLE:
                problems.extend(TABLE[design].check(tuple(factors), samples, lines))
        if problems:
            raise SweepError(source, problems)
        assert base is not None
        size = TABLE[design].size(_Sized(factors, samples, levels, tuple(points)))
        if size * replications > MAX_RUNS:
            raise SweepError(
                source,
                [
                    Problem(
                        "samples" if TABLE[design].uses_samples else "replications",
                        f"the sweep would plan {size:,} points × {replications:,} seeds = "
                        f"{size * replications:,} runs; at most {MAX_RUNS:,} ({RUNS_REASON})",
                    )
                ],
            )
        spec = cls(
            name,
            description,
            base,
            design,
            tuple(factors),
            samples,
            replications,
            seed,
            levels,
            tuple(points),
            path,
            text,
            dict(raw),
            worlds,
        )
        # Every point must make a valid scenario (cross-field rules included).
        for i, point in enumerate(design_points(spec)):
            try:
                base.evolve(**point)
            except ScenarioError as exc:
                first = exc.problems[0]
                raise SweepError(
                    source, [Problem(first.key, f"design point {i} {point}: {first.message}")]
                ) from None
        return spec


MAX_RUNS = 1_000_000
"""Most runs one sweep may plan."""
RUNS_REASON = (
    "the plan is held in memory before anything runs, and a million runs of this model take "
    "CPU-weeks; split a larger study into several sweeps"
)
LIMITS = {
    "samples": (MAX_RUNS, "no sweep may plan more than a million runs"),
    "replications": (10_000, "seed noise is resolved long before that"),
    "levels": (1_000, "a grid's size is the product of its axes"),
}
"""Upper bounds of a sweep file's counts, with the reason for each."""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text)} characters)"


@dataclass(frozen=True)
class _Sized:
    """What a design's ``size`` reads, before the spec exists (to refuse huge sweeps early)."""

    factors: tuple
    samples: int
    levels: int
    points: tuple


def parse_factor(name: str, spec: Any) -> tuple[Factor | None, str | None]:
    """A factor from its TOML value (a range or a list), or the problem with it."""
    param = variable(name)
    if isinstance(spec, Mapping):
        extra = set(spec) - {"low", "high"}
        if extra or not {"low", "high"} <= set(spec):
            return None, "a range is {low = …, high = …}; a list of values is [v1, v2, …]"
        if param.kind not in (int, float):
            return None, f"is categorical; give a list of values ({param.allowed()})"
        for bound in ("low", "high"):
            message = check_value(param, spec[bound])
            if message:
                return None, f"{bound}: {message}"
        if spec["low"] >= spec["high"]:
            return None, f"low ({spec['low']}) must be below high ({spec['high']})"
        return Factor(name, low=float(spec["low"]), high=float(spec["high"])), None
    if isinstance(spec, list):
        if not spec:
            return None, "an empty list varies nothing"
        for value in spec:
            message = check_value(param, value)
            if message:
                return None, message
        return Factor(name, values=tuple(spec)), None
    return None, f"must be a range {{low, high}} or a list of values; allowed: {param.allowed()}"
