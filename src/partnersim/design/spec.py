"""Optimisation files: which levers to search, for which objectives, over which worlds and seeds.

An optimisation file is TOML (``sweeps/robust_package.toml`` is the shipped one)::

    name = "robust_package"
    description = "What the question is."
    scenario = "westminster_default"   # base: levers not searched keep its values
    baseline = "westminster_default"   # optional (default: the base): what costs are against
    evaluations = 2000                 # candidate packages to evaluate
    population = 40                    # the optimiser's population
    seeds = 2                          # seeds per world (the same for every package)
    seed = 20240530                    # root seed: run seeds and the optimiser's draws
    worlds = "shipped"                 # optional: plausible worlds (or a worlds file)
    world_count = 10                   # the first N worlds by id
    steps = 40                         # optional: overrides the scenario's run length

    [levers]                           # searched levers: a range {low, high} or a list
    orchestration = { low = 0.0, high = 1.0 }
    start_step = { low = 0, high = 12 }

    [[objectives]]
    outcome = "growth_met"             # a declared outcome; its direction is the declared one
    statistic = "mean"                 # mean | percentile | worst | satisficing
    epsilon = 0.05                     # the ε-box width of the archive
    name = "growth_p_met"              # optional

    [[objectives]]
    outcome = "net_fiscal_cost_total"
    against_baseline = true            # minus the baseline's value on the same world and seed

    [[constraints]]
    objective = "growth_p_met"
    at_least = 0.5                     # or at_most

    [robustness]
    criteria = ["growth_met >= 0.5", "net_fiscal_cost_total_vs_baseline <= 0"]
    percentile = 10

    [vulnerability]
    world_count = 120                  # worlds the chosen package is run in for PRIM
    seeds = 1

Every metric — an objective, a robustness measure in the report — is a :class:`Metric`:
an outcome (``X_vs_baseline`` is ``X`` minus the baseline's ``X`` on the same world and
seed) reduced over the runs of one package (:mod:`partnersim.design.robustness`). Problems
raise :class:`OptimiseError` (a :class:`~partnersim.schema.problems.ScenarioError`) naming
the file, line, key and allowed values, before anything runs.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partnersim.experiments.discovery import Condition
from partnersim.experiments.sweep import worlds as sweep_worlds
from partnersim.experiments.sweep.spec import Factor, parse_factor
from partnersim.runs.outcomes import OUTCOME_INDEX, YES_NO, Direction
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
from partnersim.schema.scenario import Scenario

KIND = "optimisation"
"""The manifest ``kind`` of an optimisation folder."""
VS_BASELINE = "_vs_baseline"
"""Suffix of an outcome taken against the baseline on the same world and seed."""
STATISTICS = ("mean", "percentile", "worst", "satisficing")
"""How a metric reduces an outcome over a package's runs (see :class:`Metric`)."""
ALGORITHMS = ("eps_nsga2",)
"""Optimisers (platypus-opt): ε-NSGA-II with adaptive restarts, Borg's ancestor."""
_TOP = (
    "name",
    "description",
    "scenario",
    "baseline",
    "algorithm",
    "evaluations",
    "population",
    "seeds",
    "seed",
    "steps",
    "worlds",
    "world_count",
    "levers",
    "objectives",
    "constraints",
    "robustness",
    "vulnerability",
)
_OBJECTIVE_KEYS = ("outcome", "statistic", "epsilon", "name", "against_baseline", "percentile")
MAX_EVALUATIONS = 100_000
"""Most evaluations one search may plan (each is seeds × worlds runs)."""
MAX_RUNS_PER_EVALUATION = 10_000
"""Most runs one evaluation may take."""


class OptimiseError(ScenarioError):
    """An optimisation file that cannot be used."""


def outcome_direction(column: str) -> Direction:
    """The declared direction of an outcome column (``X_vs_baseline`` has ``X``'s).

    Raises:
        KeyError: not a declared outcome.
    """
    return OUTCOME_INDEX[column.removesuffix(VS_BASELINE)].direction


def outcome_known(column: str) -> bool:
    """Whether ``column`` is a declared outcome, or one taken against the baseline."""
    return column.removesuffix(VS_BASELINE) in OUTCOME_INDEX


@dataclass(frozen=True, slots=True)
class Metric:
    """A number that says how well one package does over its runs (worlds × seeds).

    Attributes:
        name: the column it is written to (archive, Pareto set, report).
        outcome: the outcome column it reduces (``X`` or ``X_vs_baseline``); empty for
            ``satisficing``.
        statistic: ``mean`` — over every run (for a yes/no outcome, the probability, e.g.
            P(met)); ``percentile`` — of the per-world means (mean over a world's seeds), on the
            bad side: the ``percentile``-th for an outcome to maximise, the
            (100 − ``percentile``)-th for one to minimise ("in 90 % of worlds at least …");
            ``worst`` — the worst world's mean; ``satisficing`` — the share of worlds whose
            means meet every robustness criterion.
        direction: better larger or smaller (the outcome's declared direction; satisficing
            is maximised).
        epsilon: the ε-box width of the optimiser's archive for this metric.
        percentile: for ``percentile``.
    """

    name: str
    outcome: str
    statistic: str
    direction: Direction
    epsilon: float
    percentile: float = 10.0

    @property
    def larger_is_better(self) -> bool:
        """Whether larger values are better."""
        return self.direction is Direction.MAXIMISE

    def describe(self) -> str:
        """The metric in words, e.g. ``mean of growth_met`` or ``10th-percentile world of …``."""
        match self.statistic:
            case "mean":
                return f"mean of {self.outcome} over worlds and seeds"
            case "percentile":
                return f"{self.percentile:g} % worst world's mean of {self.outcome}"
            case "worst":
                return f"worst world's mean of {self.outcome}"
            case _:
                return "share of worlds meeting every robustness criterion"


@dataclass(frozen=True, slots=True)
class Bound:
    """A constraint on an objective: ``at_least`` or ``at_most`` a value."""

    objective: str
    op: str
    value: float

    def violation(self, value: float) -> float:
        """How far ``value`` is on the wrong side (0 when the constraint holds)."""
        if math.isnan(value):
            return math.inf
        gap = self.value - value if self.op == ">=" else value - self.value
        return max(gap, 0.0)

    @property
    def text(self) -> str:
        """``growth_p_met ≥ 0.5``."""
        return f"{self.objective} {'≥' if self.op == '>=' else '≤'} {self.value:g}"


@dataclass(frozen=True, slots=True, eq=False)
class OptimiseSpec:
    """A validated optimisation file."""

    name: str
    description: str
    base: Scenario
    baseline: Scenario
    algorithm: str
    evaluations: int
    population: int
    seeds: int
    seed: int
    factors: tuple[Factor, ...]
    objectives: tuple[Metric, ...]
    constraints: tuple[Bound, ...]
    criteria: tuple[Condition, ...]
    percentile: float
    worlds: sweep_worlds.SweepWorlds | None
    vulnerability_worlds: int | None
    vulnerability_seeds: int
    path: Path | None
    text: str
    base_file: Path | None = None
    """The base scenario's file (packages extend it)."""

    @property
    def runs_per_evaluation(self) -> int:
        """Worlds × seeds: the runs one package takes."""
        return self.seeds * (len(self.worlds.used) if self.worlds else 1)

    @property
    def content_hash(self) -> str:
        """Stable hash of everything that decides the search and its runs."""
        payload = json.dumps(
            {
                "base": self.base.content_hash,
                "baseline": self.baseline.content_hash,
                "algorithm": self.algorithm,
                "evaluations": self.evaluations,
                "population": self.population,
                "seeds": self.seeds,
                "seed": self.seed,
                "factors": [(f.name, f.low, f.high, f.values) for f in self.factors],
                "objectives": [
                    (m.name, m.outcome, m.statistic, m.epsilon, m.percentile)
                    for m in self.objectives
                ],
                "constraints": [(b.objective, b.op, b.value) for b in self.constraints],
                "criteria": [c.text for c in self.criteria],
                "worlds": self.worlds.record() if self.worlds else None,
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def needs_baseline(self) -> bool:
        """Whether any metric or criterion reads an outcome against the baseline."""
        columns = [m.outcome for m in self.objectives] + [c.outcome for c in self.criteria]
        return any(c.endswith(VS_BASELINE) for c in columns)

    @classmethod
    def from_toml(cls, path: str | Path) -> OptimiseSpec:
        """Read and validate an optimisation file (a path, or a shipped file's name).

        Raises:
            OptimiseError: the file, a scenario, a lever, an objective or a constraint is
                missing or invalid.
        """
        found, text, raw = load_shipped_or_file(path, OptimiseError)
        return cls.from_dict(raw, source=str(found), path=found, text=text)

    @classmethod
    def from_dict(
        cls,
        raw: Mapping[str, Any],
        *,
        source: str = "<dict>",
        path: Path | None = None,
        text: str = "",
    ) -> OptimiseSpec:
        """Validate an optimisation given as parsed tables."""
        lines = LineFinder(text)
        here = path.parent if path else Path.cwd()
        problems: list[Problem] = [
            Problem(key, unknown_key(key, _TOP), lines(None, key)) for key in raw if key not in _TOP
        ]

        def get(
            key: str, kind: type, default: Any, low: float | None = None, high: int | None = None
        ) -> Any:
            value = raw.get(key, default)
            ok = isinstance(value, kind) and not isinstance(value, bool)
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value, ok = float(value), True
            if not ok or (low is not None and value < low) or (high is not None and value > high):
                wanted = "an integer" if kind is int else f"a {kind.__name__}"
                if low is not None:
                    wanted += f" ≥ {low:g}"
                if high is not None:
                    wanted += f" and ≤ {high:,}"
                problems.append(Problem(key, f"must be {wanted}, got {value!r}", lines(None, key)))
                return default
            return value

        name = get("name", str, path.stem if path else "optimisation")
        if "name" in raw and isinstance(name, str) and (why := name_problem(name)):
            problems.append(Problem("name", why, lines(None, "name")))
        description = get("description", str, "")
        algorithm = get("algorithm", str, "eps_nsga2")
        if algorithm not in ALGORITHMS:
            problems.append(
                Problem(
                    "algorithm",
                    f"{algorithm!r} is not allowed; one of {', '.join(ALGORITHMS)}",
                    lines(None, "algorithm"),
                )
            )
        evaluations = get("evaluations", int, 1000, low=1, high=MAX_EVALUATIONS)
        population = get("population", int, 40, low=4, high=10_000)
        seeds = get("seeds", int, 2, low=1, high=1000)
        seed = get("seed", int, 0, low=0)

        base = _scenario(raw, "scenario", here, lines, problems, required=True)
        base_file = base.path if base is not None else None
        steps = raw.get("steps")
        if base is not None and steps is not None:
            message = check_value(PARAMETERS["steps"], steps)
            if message:
                problems.append(Problem("steps", message, lines(None, "steps")))
            else:
                base = base.evolve(steps=steps)
        baseline = _scenario(raw, "baseline", here, lines, problems, required=False) or base
        if baseline is not None and base is not None and baseline.steps != base.steps:
            baseline = baseline.evolve(steps=base.steps)

        worlds, world_problems = sweep_worlds.read(raw, here, lines)
        problems += world_problems
        n_worlds = len(worlds.used) if worlds else 1
        if seeds * n_worlds > MAX_RUNS_PER_EVALUATION:
            problems.append(
                Problem(
                    "seeds",
                    f"{seeds} seeds × {n_worlds} worlds = {seeds * n_worlds:,} runs per "
                    f"package; at most {MAX_RUNS_PER_EVALUATION:,}",
                    lines(None, "seeds"),
                )
            )

        factors = _levers(raw.get("levers", {}), lines, problems, base)
        robustness = raw.get("robustness", {})
        criteria, percentile = _robustness(robustness, lines, problems)
        objectives = _objectives(raw.get("objectives"), lines, problems, criteria, base)
        constraints = _constraints(raw.get("constraints", []), objectives, lines, problems)
        vulnerability = raw.get("vulnerability", {})
        v_worlds, v_seeds = None, 1
        if not isinstance(vulnerability, Mapping):
            problems.append(
                Problem("vulnerability", "must be a table", lines(None, "vulnerability"))
            )
        else:
            for key in vulnerability:
                if key not in ("world_count", "seeds"):
                    problems.append(
                        Problem(
                            f"vulnerability.{key}",
                            unknown_key(key, ["world_count", "seeds"]),
                            lines("vulnerability", key),
                        )
                    )
            v_worlds = vulnerability.get("world_count")
            v_seeds = vulnerability.get("seeds", 1)
            available = len(worlds.ensemble) if worlds else None
            if v_worlds is not None and (
                not isinstance(v_worlds, int)
                or isinstance(v_worlds, bool)
                or v_worlds < 1
                or (available is not None and v_worlds > available)
            ):
                allowed = f"1–{available}" if available else "an integer ≥ 1"
                problems.append(
                    Problem(
                        "vulnerability.world_count",
                        f"must be {allowed}, got {v_worlds!r}",
                        lines("vulnerability", "world_count"),
                    )
                )
                v_worlds = None
            if not isinstance(v_seeds, int) or isinstance(v_seeds, bool) or not 1 <= v_seeds <= 100:
                problems.append(
                    Problem(
                        "vulnerability.seeds",
                        f"must be an integer 1–100, got {v_seeds!r}",
                        lines("vulnerability", "seeds"),
                    )
                )
                v_seeds = 1
        if problems:
            raise OptimiseError(source, problems)
        assert base is not None and baseline is not None
        return cls(
            name,
            description,
            base,
            baseline,
            algorithm,
            evaluations,
            population,
            seeds,
            seed,
            tuple(factors),
            tuple(objectives),
            tuple(constraints),
            tuple(criteria),
            percentile,
            worlds,
            v_worlds,
            v_seeds,
            path,
            text,
            base_file,
        )

    def package(self, values: Mapping[str, Any], name: str, description: str = "") -> Scenario:
        """The base scenario with the searched levers set to ``values``."""
        return self.base.evolve(name=name, description=description, **dict(values))


def _scenario(
    raw: Mapping[str, Any],
    key: str,
    here: Path,
    lines: LineFinder,
    problems: list[Problem],
    *,
    required: bool,
) -> Scenario | None:
    ref = raw.get(key)
    if ref is None:
        if required:
            problems.append(Problem(key, "missing: the base scenario (a file or shipped name)"))
        return None
    if not isinstance(ref, str):
        problems.append(Problem(key, "must be a scenario file or name", lines(None, key)))
        return None
    found = packaged.find("scenarios", ref, relative_to=here)
    if found is None:
        problems.append(Problem(key, packaged.not_found("scenarios", ref), lines(None, key)))
        return None
    try:
        return Scenario.from_toml(found)
    except ScenarioError as exc:
        raise OptimiseError(exc.source, exc.problems) from None


def _levers(
    entries: Any, lines: LineFinder, problems: list[Problem], base: Scenario | None
) -> list[Factor]:
    if not isinstance(entries, Mapping) or not entries:
        problems.append(
            Problem("levers", "a table of the levers to search is needed", lines(None, "levers"))
        )
        return []
    factors = []
    for key, spec in entries.items():
        where = lines("levers", key)
        try:
            param = variable(key)
        except KeyError:
            param = None
        if param is None or param.section is not Section.LEVERS:
            allowed = [p for p, d in PARAMETERS.items() if d.section is Section.LEVERS]
            message = (
                f"only levers are searched; {key} is in [{param.section.value}]"
                if param
                else unknown_key(key, allowed)
            )
            problems.append(Problem(f"levers.{key}", message, where))
            continue
        factor, why = parse_factor(key, spec)
        if why:
            problems.append(Problem(f"levers.{key}", why, where))
            continue
        assert factor is not None
        if (
            param.quarter
            and base is not None
            and factor.is_range
            and factor.bounds[1] >= base.steps
        ):
            problems.append(
                Problem(
                    f"levers.{key}",
                    f"high ({factor.high:g}) must be below the run length ({base.steps} "
                    "quarters): a lever starting after the run is the status quo",
                    where,
                )
            )
            continue
        factors.append(factor)
    return factors


def _robustness(
    table: Any, lines: LineFinder, problems: list[Problem]
) -> tuple[list[Condition], float]:
    if not isinstance(table, Mapping):
        problems.append(Problem("robustness", "must be a table", lines(None, "robustness")))
        return [], 10.0
    for key in table:
        if key not in ("criteria", "percentile"):
            problems.append(
                Problem(
                    f"robustness.{key}",
                    unknown_key(key, ["criteria", "percentile"]),
                    lines("robustness", key),
                )
            )
    percentile = table.get("percentile", 10)
    if (
        not isinstance(percentile, int | float)
        or isinstance(percentile, bool)
        or not (0 < percentile < 50)
    ):
        problems.append(
            Problem(
                "robustness.percentile",
                f"must be a number between 0 and 50 (the share of worst worlds), "
                f"got {percentile!r}",
                lines("robustness", "percentile"),
            )
        )
        percentile = 10
    criteria = []
    raw = table.get("criteria", [])
    if not isinstance(raw, list):
        problems.append(
            Problem(
                "robustness.criteria",
                'must be a list of conditions like "growth_met >= 0.5"',
                lines("robustness", "criteria"),
            )
        )
        raw = []
    for text in raw:
        try:
            condition = Condition.parse(str(text))
        except ValueError as exc:
            problems.append(
                Problem("robustness.criteria", str(exc), lines("robustness", "criteria"))
            )
            continue
        if not outcome_known(condition.outcome):
            problems.append(
                Problem(
                    "robustness.criteria",
                    f"{condition.outcome!r}: "
                    + unknown_key(condition.outcome, list(OUTCOME_INDEX))
                    + f" (or an outcome followed by {VS_BASELINE})",
                    lines("robustness", "criteria"),
                )
            )
            continue
        criteria.append(condition)
    return criteria, float(percentile)


def default_epsilon(outcome: str) -> float | None:
    """The archive's ε for an outcome by its unit (None: the file must give one)."""
    unit = OUTCOME_INDEX[outcome.removesuffix(VS_BASELINE)].unit
    if unit in (YES_NO, "share"):
        return 0.025
    if unit == "£bn":
        return 2.0
    return None


def _objectives(
    raw: Any,
    lines: LineFinder,
    problems: list[Problem],
    criteria: list[Condition],
    base: Scenario | None,
) -> list[Metric]:
    if not isinstance(raw, list) or not raw:
        problems.append(
            Problem(
                "objectives",
                "at least one [[objectives]] table is needed (outcome, statistic, epsilon)",
                lines(None, "objectives"),
            )
        )
        return []
    out: list[Metric] = []
    for i, entry in enumerate(raw):
        key = f"objectives[{i}]"
        if not isinstance(entry, Mapping):
            problems.append(Problem(key, "must be a table"))
            continue
        bad = [k for k in entry if k not in _OBJECTIVE_KEYS]
        for k in bad:
            problems.append(Problem(f"{key}.{k}", unknown_key(k, _OBJECTIVE_KEYS)))
        statistic = entry.get("statistic", "mean")
        if statistic not in STATISTICS:
            problems.append(
                Problem(
                    f"{key}.statistic",
                    f"{statistic!r} is not allowed; one of {', '.join(STATISTICS)}",
                )
            )
            continue
        if statistic == "satisficing":
            if not criteria:
                problems.append(
                    Problem(
                        f"{key}.statistic",
                        "satisficing needs [robustness] criteria (the conditions each world "
                        "must meet)",
                    )
                )
                continue
            epsilon = entry.get("epsilon", 0.025)
            outcome, direction = "", Direction.MAXIMISE
        else:
            outcome = entry.get("outcome")  # type: ignore[assignment]  # checked next
            if (
                not isinstance(outcome, str)
                or outcome.removesuffix(VS_BASELINE) not in OUTCOME_INDEX
            ):
                problems.append(
                    Problem(
                        f"{key}.outcome",
                        unknown_key(str(outcome), list(OUTCOME_INDEX))
                        if isinstance(outcome, str)
                        else "missing: a declared outcome (partnersim's outcome names)",
                    )
                )
                continue
            against = entry.get("against_baseline", False)
            if not isinstance(against, bool):
                problems.append(Problem(f"{key}.against_baseline", "must be true or false"))
                continue
            if against and not outcome.endswith(VS_BASELINE):
                outcome += VS_BASELINE
            declared = OUTCOME_INDEX[outcome.removesuffix(VS_BASELINE)]
            if declared.mission is not None and base is not None:
                from partnersim import data

                mission = next(m for m in data.missions() if m.name == declared.mission)
                if mission.deadline_step > base.steps and "final" not in declared.name:
                    problems.append(
                        Problem(
                            f"{key}.outcome",
                            f"{declared.name} is assessed at quarter {mission.deadline_step} "
                            f"({mission.target_deadline}), after the run ends "
                            f"(steps = {base.steps})",
                        )
                    )
                    continue
            direction = declared.direction
            epsilon = entry.get("epsilon", default_epsilon(outcome))
        if epsilon is None or not isinstance(epsilon, int | float) or isinstance(epsilon, bool):
            problems.append(
                Problem(
                    f"{key}.epsilon", f"give the archive's ε for this objective, got {epsilon!r}"
                )
            )
            continue
        if not epsilon > 0:
            problems.append(Problem(f"{key}.epsilon", f"must be positive, got {epsilon!r}"))
            continue
        percentile = entry.get("percentile", 10)
        if not isinstance(percentile, int | float) or not 0 < percentile < 50:
            problems.append(
                Problem(f"{key}.percentile", f"must be between 0 and 50, got {percentile!r}")
            )
            continue
        default_name = (
            "satisficing"
            if statistic == "satisficing"
            else f"{outcome}_{statistic}" + (f"{percentile:g}" if statistic == "percentile" else "")
        )
        name = entry.get("name", default_name)
        if not isinstance(name, str) or not name.isidentifier():
            problems.append(Problem(f"{key}.name", f"must be an identifier, got {name!r}"))
            continue
        out.append(Metric(name, outcome, statistic, direction, float(epsilon), float(percentile)))
    names = [m.name for m in out]
    for n in {n for n in names if names.count(n) > 1}:
        problems.append(Problem("objectives", f"two objectives are named {n!r}; give each a name"))
    return out


def _constraints(
    raw: Any, objectives: list[Metric], lines: LineFinder, problems: list[Problem]
) -> list[Bound]:
    if not isinstance(raw, list):
        problems.append(Problem("constraints", "must be [[constraints]] tables"))
        return []
    names = [m.name for m in objectives]
    out = []
    for i, entry in enumerate(raw):
        key = f"constraints[{i}]"
        if not isinstance(entry, Mapping):
            problems.append(Problem(key, "must be a table"))
            continue
        extra = set(entry) - {"objective", "at_least", "at_most"}
        for k in sorted(extra):
            problems.append(
                Problem(f"{key}.{k}", unknown_key(k, ["objective", "at_least", "at_most"]))
            )
        objective = entry.get("objective")
        if objective not in names:
            problems.append(
                Problem(
                    f"{key}.objective",
                    unknown_key(str(objective), names) if names else "no objectives",
                )
            )
            continue
        sides = [s for s in ("at_least", "at_most") if s in entry]
        if len(sides) != 1:
            problems.append(Problem(key, "give exactly one of at_least or at_most"))
            continue
        value = entry[sides[0]]
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            problems.append(Problem(f"{key}.{sides[0]}", f"must be a number, got {value!r}"))
            continue
        out.append(Bound(objective, ">=" if sides[0] == "at_least" else "<=", float(value)))
    return out
