"""``partnersim optimise``: many-objective search for packages of levers, resumable and exact.

The optimiser is platypus-opt's ε-NSGA-II (the algorithm EMA Workbench's ``optimize`` uses by
default; with adaptive time continuation, i.e. restarts when progress stalls, it is the
ancestor of Borg). partnersim writes no optimiser of its own: it gives platypus an
:class:`Evaluator` that runs each generation's candidates on the sweep backends (serial,
local processes, Dask), every candidate on the same worlds and seeds (common random numbers).

The folder is safe like a sweep's: ``manifest.json`` (the spec's text and hash, seeds,
worlds, optimiser settings, provenance), ``runs/`` parts committed with a checksummed
ledger — one part per evaluated package, holding its runs (levers and every outcome) — and,
as the search goes, ``archive.parquet`` (the current ε-archive) and ``convergence.parquet``
(archive size, ε-progress and members after every generation). When the search ends:
``pareto.parquet`` (levers, objectives and robustness of each archived package) and
``packages/*.toml`` (each a scenario that ``partnersim run`` runs).

**Resume is a replay.** The optimiser's random draws come from one seed (a stream of its
own, :func:`own_random`, apart from anything else in the process), and every
evaluation's result is fully determined by its package, worlds and seeds. Resuming replays
the search from its first generation: evaluations already committed are read back (and their
packages checked against the replay), the rest run. The population and archive are thus
rebuilt exactly, with no evaluation lost or run twice, and the final archive equals that of an
uninterrupted search — on any backend.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import sys
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from partnersim import results as res
from partnersim.design import robustness
from partnersim.design.spec import KIND, OptimiseSpec
from partnersim.experiments.backends import Backend, check_backend, make_backend
from partnersim.experiments.sweep.execute import interrupt_held
from partnersim.results import shards
from partnersim.results.faults import fault
from partnersim.runs.runner import WorldLike, derive_seeds, versions
from partnersim.schema.scenario import Scenario

RUNS = "runs"
ARCHIVE = "archive.parquet"
CONVERGENCE = "convergence.parquet"
PARETO = "pareto.parquet"
PACKAGES = "packages"
BASELINE = -1
"""Evaluation id of the baseline's runs (the status quo every cost is against)."""
NO_WORLD = -1
"""The ``world`` of runs not in a plausible world."""
ROUNDING = 1000
"""A searched range is rounded to 1/ROUNDING of its width, so packages read cleanly and
their TOML files reproduce them exactly."""

Simulate = Callable[[Scenario, int, WorldLike | None], Mapping[str, float]]
"""What one run gives: ``simulate(scenario, seed, world)`` → outcome values by name."""


def simulate(scenario: Scenario, seed: int, world: WorldLike | None) -> dict[str, float]:
    """One model run's declared outcomes (:func:`partnersim.runs.runner.run`)."""
    from partnersim.runs.runner import run

    return run(scenario, seed, world=world).summary


@dataclass(frozen=True, slots=True)
class Task:
    """One package in one world, on every seed: the unit a backend runs."""

    evaluation: int
    scenario: Scenario
    world: WorldLike | None
    seeds: tuple[int, ...]
    simulate: Simulate

    @property
    def units(self) -> int:
        """Runs in the task."""
        return len(self.seeds)


def run_task(task: Task) -> list[dict[str, Any]]:
    """The runs of a task, one row each: evaluation, world, seed, outcomes and ``seconds``.

    ``seconds`` is the run's wall time in its worker: what the benchmark counts as time spent
    in the model.
    """
    world = task.world.id if task.world is not None else NO_WORLD
    rows = []
    for seed in task.seeds:
        started = time.perf_counter()
        outcomes = task.simulate(task.scenario, seed, task.world)
        seconds = time.perf_counter() - started
        rows.append(
            {
                "evaluation": task.evaluation,
                "world": world,
                "seed": seed,
                **outcomes,
                "seconds": seconds,
            }
        )
    return rows


class SearchError(ValueError):
    """A search that cannot start or continue (another folder's results, a diverged replay)."""


# -- the folder ----------------------------------------------------------------------------------


def run_seeds(spec: OptimiseSpec) -> list[int]:
    """The run seeds, the same for every package and every world."""
    return derive_seeds(spec.seed, spec.seeds)


def optimiser_seed(spec: OptimiseSpec) -> int:
    """The seed of the optimiser's own draws (a stream apart from the run seeds)."""
    return int(np.random.SeedSequence([spec.seed, 0x4F5054]).generate_state(1)[0])


def world_list(spec: OptimiseSpec) -> list[WorldLike | None]:
    """The worlds every package runs in (``[None]``: the base scenario's own world)."""
    return list(spec.worlds.used) if spec.worlds else [None]


def _manifest(spec: OptimiseSpec, command: str) -> dict[str, Any]:
    worlds = world_list(spec)
    return {
        "kind": KIND,
        "name": spec.name,
        "spec_hash": spec.content_hash,
        "spec_text": spec.text,
        "spec_path": str(spec.path.resolve()) if spec.path else None,
        "base": spec.base.name,
        "baseline": spec.baseline.name,
        "seeds": run_seeds(spec),
        "worlds": (
            {
                **spec.worlds.ensemble.manifest_entry(),
                "source": spec.worlds.source,
                "ids": [w.id for w in worlds if w is not None],
            }
            if spec.worlds
            else None
        ),
        "optimiser": {
            "library": "platypus-opt",
            "version": _platypus_version(),
            "algorithm": spec.algorithm,
            "population": spec.population,
            "evaluations": spec.evaluations,
            "epsilons": {m.name: m.epsilon for m in spec.objectives},
            "seed": optimiser_seed(spec),
            "rounding": f"searched ranges rounded to 1/{ROUNDING} of their width",
        },
        "factors": [
            {"name": f.name, "low": f.low, "high": f.high, "values": f.values} for f in spec.factors
        ],
        "objectives": [
            {
                "name": m.name,
                "outcome": m.outcome,
                "statistic": m.statistic,
                "direction": m.direction.value,
                "epsilon": m.epsilon,
                "percentile": m.percentile,
            }
            for m in spec.objectives
        ],
        "constraints": [b.text for b in spec.constraints],
        "criteria": [c.text for c in spec.criteria],
        "command": command,
        "shards": shards.LEDGER,
        "versions": versions(),
        "provenance": res.provenance(),
        "status": "planned",
        "history": [],
    }


def _platypus_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("platypus-opt")
    except metadata.PackageNotFoundError:
        return "unknown"


def prepare(spec: OptimiseSpec, folder: Path, command: str) -> None:
    """Create the folder, or check that it holds this same search (to continue it).

    Raises:
        SearchError: the folder holds something else.
    """
    if (folder / res.MANIFEST).exists():
        manifest = res.read_manifest(folder)
        if manifest.get("kind") != KIND or manifest.get("spec_hash") != spec.content_hash:
            raise SearchError(
                f"--out: {folder} holds other results (not this optimisation); choose another "
                "folder"
            )
        return
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise SearchError(f"--out: {folder} exists and is not empty; choose another folder")
    res.check_writable(folder)

    def fill(tmp: Path) -> None:
        (tmp / RUNS).mkdir()
        (tmp / shards.LEDGER).touch()
        res.write_json(_manifest(spec, command), tmp / res.MANIFEST)

    res.write_folder(folder, fill)


def spec_of(folder: str | Path) -> OptimiseSpec:
    """The spec an optimisation folder was made by, checked against its recorded hash.

    Raises:
        SearchError: not an optimisation folder, or its spec no longer gives the same search
            (e.g. a base scenario or worlds file it names has changed).
    """
    folder = Path(folder)
    manifest = res.read_manifest(folder)
    if manifest.get("kind") != KIND:
        raise SearchError(f"{folder}: not an optimisation folder (made by `partnersim optimise`)")
    path = Path(manifest["spec_path"]) if manifest.get("spec_path") else None
    spec = OptimiseSpec.from_dict(
        tomllib.loads(manifest["spec_text"]),
        source=str(path or folder),
        path=path,
        text=manifest["spec_text"],
    )
    if spec.content_hash != manifest.get("spec_hash"):
        raise SearchError(
            f"{folder}: its optimisation file now gives a different search (a scenario or "
            "worlds file it names has changed); start a new folder"
        )
    return spec


def committed_runs(folder: Path) -> pd.DataFrame:
    """Every committed run (baseline and packages), checksums verified."""
    return shards.read_parts(folder, RUNS)


# -- the platypus problem and evaluator -------------------------------------------------------


def _types(spec: OptimiseSpec) -> list[Any]:
    import platypus

    out = []
    for f in spec.factors:
        if f.values is not None:
            out.append(platypus.Integer(0, len(f.values) - 1))
        elif f.kind is int:
            low, high = f.bounds
            out.append(platypus.Integer(int(low), int(high)))
        else:
            out.append(platypus.Real(*f.bounds))
    return out


def decode(spec: OptimiseSpec, types: Sequence[Any], variables: Sequence[Any]) -> dict[str, Any]:
    """A candidate's lever values from the optimiser's encoding (ranges rounded: ROUNDING)."""
    import platypus

    values: dict[str, Any] = {}
    for f, t, v in zip(spec.factors, types, variables, strict=True):
        raw = t.decode(v) if isinstance(t, platypus.Integer) else float(v)
        if f.values is not None:
            values[f.name] = f.values[int(raw)]
        elif f.kind is int:
            values[f.name] = int(raw)
        else:
            low, high = f.bounds
            step = (high - low) / ROUNDING
            value = low + round((raw - low) / step) * step
            values[f.name] = float(round(min(max(value, low), high), 12))
    return values


def objective_values(
    spec: OptimiseSpec, runs: pd.DataFrame, baseline: pd.DataFrame | None
) -> dict[str, float]:
    """Every objective of one package from its runs (against the baseline where declared)."""
    if baseline is not None and spec.needs_baseline():
        columns = [m.outcome for m in spec.objectives] + [c.outcome for c in spec.criteria]
        runs = robustness.with_baseline(runs, baseline, columns)
    return {m.name: robustness.metric_value(runs, m, spec.criteria) for m in spec.objectives}


@dataclass
class Progress:
    """Where a search is: evaluations done, archive size, ε-progress, generations."""

    evaluations: int = 0
    computed: int = 0
    replayed: int = 0
    archive: int = 0
    improvements: int = 0
    generation: int = 0


class Search:
    """One search in one folder: the optimiser, its evaluator and the folder's record.

    Args:
        spec: the optimisation.
        folder: its results folder (prepared).
        backend: where runs execute.
        simulate: what one run gives (the model by default; a test may give a function with a
            known answer, run through the same pipeline).
        on_progress: called after each committed evaluation with the :class:`Progress`.
    """

    def __init__(
        self,
        spec: OptimiseSpec,
        folder: Path,
        backend: Backend,
        *,
        simulate: Simulate = simulate,
        on_progress: Callable[[Progress], None] | None = None,
    ):
        self.spec = spec
        self.folder = folder
        self.backend = backend
        self.simulate = simulate
        self.on_progress = on_progress
        self.seeds = tuple(run_seeds(spec))
        self.worlds = world_list(spec)
        self.progress = Progress()
        self.convergence: list[dict[str, Any]] = []
        self._next = 0
        self._results: dict[int, tuple[list[float], list[float]]] = {}
        self._package_cache: dict[tuple, Scenario] = {}
        done = committed_runs(folder)
        self.done: dict[int, pd.DataFrame] = (
            {int(k): g.reset_index(drop=True) for k, g in done.groupby("evaluation", sort=False)}
            if len(done)
            else {}
        )
        self.baseline: pd.DataFrame | None = self.done.pop(BASELINE, None)

    # -- runs ----------------------------------------------------------------------------------

    def _package(self, values: Mapping[str, Any]) -> Scenario:
        key = tuple(values.items())
        if key not in self._package_cache:
            self._package_cache[key] = self.spec.package(values, self.spec.name)
        return self._package_cache[key]

    def _tasks(self, evaluation: int, scenario: Scenario) -> list[Task]:
        return [Task(evaluation, scenario, w, self.seeds, self.simulate) for w in self.worlds]

    def _execute(self, batch: list[tuple[int, dict[str, Any], Scenario]]) -> None:
        """Run the batch's evaluations, committing each as soon as all its runs are in."""
        if not batch:
            return
        pending: dict[int, list[dict[str, Any]]] = {e: [] for e, _, _ in batch}
        values_of = {e: v for e, v, _ in batch}
        need = len(self.worlds)
        got = dict.fromkeys(pending, 0)
        tasks = [t for e, _, s in batch for t in self._tasks(e, s)]
        for task, rows in self.backend.map_unordered(run_task, tasks):
            pending[task.evaluation].extend(rows)
            got[task.evaluation] += 1
            if got[task.evaluation] == need:
                frame = self._frame(
                    task.evaluation, values_of[task.evaluation], pending.pop(task.evaluation)
                )
                self._commit(task.evaluation, frame)
                if task.evaluation != BASELINE:
                    self.done[task.evaluation] = frame
                    self.progress.computed += 1
                    self.progress.evaluations += 1
                    if self.on_progress:
                        self.on_progress(self.progress)
                else:
                    self.baseline = frame

    def _frame(self, evaluation: int, values: Mapping[str, Any], rows: list[dict]) -> pd.DataFrame:
        frame = pd.DataFrame(rows)
        order = {(w.id if w is not None else NO_WORLD): i for i, w in enumerate(self.worlds)}
        frame["_w"] = frame["world"].map(order)
        frame["_s"] = frame["seed"].map({s: i for i, s in enumerate(self.seeds)})
        frame = frame.sort_values(["_w", "_s"]).drop(columns=["_w", "_s"]).reset_index(drop=True)
        n = len(frame)
        ids = (
            [-(k + 1) for k in range(n)]
            if evaluation == BASELINE
            else [evaluation * n + k for k in range(n)]
        )
        frame.insert(0, "run_id", ids)
        for i, (name, value) in enumerate(values.items()):
            frame.insert(4 + i, name, value)
        return frame

    def _commit(self, evaluation: int, frame: pd.DataFrame) -> None:
        name = (
            "part-baseline.parquet" if evaluation == BASELINE else f"part-{evaluation:08d}.parquet"
        )
        with interrupt_held():
            shards.commit_chunk(self.folder, name, frame, None)
        fault("optimise:evaluation")

    def ensure_baseline(self) -> None:
        """Run the baseline on every world and seed, unless it is already recorded."""
        if self.baseline is None and self.spec.needs_baseline():
            self._execute([(BASELINE, {}, self.spec.baseline)])

    # -- the optimiser's interface ------------------------------------------------------------

    def evaluate(self, candidates: list[dict[str, Any]]) -> list[int]:
        """Evaluate candidates (lever values) in order; return their evaluation ids."""
        ids, batch = [], []
        for values in candidates:
            evaluation = self._next
            self._next += 1
            ids.append(evaluation)
            if evaluation in self.done:
                recorded = self._recorded_values(evaluation)
                if recorded != values:
                    raise SearchError(
                        f"{self.folder}: the replayed search proposes {values} as evaluation "
                        f"{evaluation}, but the folder records {recorded}; the folder does not "
                        "belong to this version of partnersim or was changed — start a new folder"
                    )
                self.progress.replayed += 1
                self.progress.evaluations += 1
                if self.on_progress:
                    self.on_progress(self.progress)
            else:
                batch.append((evaluation, values, self._package(values)))
        self._execute(batch)
        return ids

    def _recorded_values(self, evaluation: int) -> dict[str, Any]:
        frame = self.done[evaluation]
        return {f.name: _typed(f, frame[f.name].iloc[0]) for f in self.spec.factors}

    def objectives(self, evaluation: int) -> dict[str, float]:
        """An evaluated package's objectives."""
        return objective_values(self.spec, self.done[evaluation], self.baseline)

    # -- the whole search --------------------------------------------------------------------

    def run(self) -> Any:
        """Run (or replay and finish) the search; return the platypus algorithm at its end."""
        import platypus

        spec = self.spec
        types = _types(spec)
        constraints = spec.constraints
        objectives = spec.objectives
        search = self

        class Problem(platypus.Problem):
            def evaluate(self, solution: Any) -> None:  # variables decoded by platypus
                objs, cons = search._results[solution.evaluation_id]
                solution.objectives[:] = objs
                if cons:
                    solution.constraints[:] = cons

        problem = Problem(len(types), len(objectives), len(constraints))
        problem.types[:] = types
        for i, m in enumerate(objectives):
            problem.directions[i] = (
                platypus.Problem.MAXIMIZE if m.larger_is_better else platypus.Problem.MINIMIZE
            )
        if constraints:
            problem.constraints[:] = "<=0"

        class Evaluator(platypus.Evaluator):
            def evaluate_all(self, jobs: list, **kwargs: Any) -> list:
                jobs = list(jobs)
                candidates = [decode(spec, types, j.solution.variables) for j in jobs]
                ids = search.evaluate(candidates)
                for job, evaluation in zip(jobs, ids, strict=True):
                    job.solution.evaluation_id = evaluation
                    values = search.objectives(evaluation)
                    objs = [_finite(values[m.name], m.larger_is_better) for m in objectives]
                    cons = [b.violation(values[b.objective]) for b in constraints]
                    search._results[evaluation] = (objs, cons)
                    job.run()
                return jobs

        variator = None
        if len({type(t) for t in types}) > 1:
            variator = platypus.CompoundOperator(
                platypus.SBX(), platypus.HUX(), platypus.PM(), platypus.BitFlip()
            )

        def after_generation(alg: Any) -> None:
            self.progress.generation += 1
            self.progress.archive = len(alg.archive)
            self.progress.improvements = int(alg.archive.improvements)
            self.convergence.append(
                {
                    "generation": self.progress.generation,
                    "evaluations": int(alg.nfe),
                    "archive_size": len(alg.archive),
                    "improvements": int(alg.archive.improvements),
                    "archive": json.dumps(sorted(int(s.evaluation_id) for s in alg.archive)),
                }
            )
            if self.progress.computed or self.progress.generation % 10 == 0:
                self._write_snapshot(alg)
            if self.on_progress:
                self.on_progress(self.progress)

        self.ensure_baseline()
        with own_random(optimiser_seed(spec)):
            algorithm = platypus.EpsNSGAII(
                problem,
                epsilons=[m.epsilon for m in objectives],
                population_size=spec.population,
                variator=variator,
                evaluator=Evaluator(),
                log_frequency=None,
            )
            algorithm.run(spec.evaluations, callback=after_generation)
        self._write_snapshot(algorithm)
        return algorithm

    def _write_snapshot(self, algorithm: Any) -> None:
        """The current archive and the convergence record, each written atomically."""
        archive = archive_table(self, [int(s.evaluation_id) for s in algorithm.archive])
        shards.write_bytes_synced(shards.parquet_bytes(archive), self.folder / ARCHIVE)
        convergence = pd.DataFrame(self.convergence)
        shards.write_bytes_synced(shards.parquet_bytes(convergence), self.folder / CONVERGENCE)


@contextlib.contextmanager
def own_random(seed: int) -> Iterator[None]:
    """Give platypus a random stream of its own, seeded, while the block runs.

    platypus draws from the ``random`` module's global generator, which other code in the
    process may also draw from at any moment (a Dask client's threads, a serial run), so
    seeding it would not make a search repeatable. Each platypus module's ``random`` name is
    pointed at one ``random.Random(seed)`` for the block, and restored after.
    """
    import platypus

    stream = random.Random(seed)
    patched = []
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "") or ""
        if (name == "platypus" or name.startswith("platypus.")) and (
            getattr(module, "random", None) is random
        ):
            patched.append(module)
            module.random = stream  # type: ignore[attr-defined]
    assert platypus  # imported above so that its modules are in sys.modules
    try:
        yield
    finally:
        for module in patched:
            module.random = random  # type: ignore[attr-defined]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _typed(factor: Any, value: Any) -> Any:
    """A recorded lever value as the lever's type (Parquet keeps it; a row view may not)."""
    value = _plain(value)
    if factor.is_range:
        return int(value) if factor.kind is int else float(value)
    return value


def _finite(value: float, larger_is_better: bool) -> float:
    """An objective the optimiser can compare: an undefined value is the worst possible."""
    if math.isnan(value):
        return -1e300 if larger_is_better else 1e300
    return value


def archive_table(search: Search, ids: Sequence[int]) -> pd.DataFrame:
    """The packages ``ids``: evaluation, levers, objectives and constraint violation."""
    spec = search.spec
    rows = []
    for evaluation in sorted(set(ids)):
        values = search._recorded_values(evaluation)
        objectives = search.objectives(evaluation)
        violation = sum(b.violation(objectives[b.objective]) for b in spec.constraints)
        rows.append({"evaluation": evaluation, **values, **objectives, "violation": violation})
    return pd.DataFrame(rows)


# -- running a search -----------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a search left: its folder, the Pareto set (when complete) and its counts."""

    folder: Path
    complete: bool
    evaluations: int
    computed: int
    replayed: int
    pareto: pd.DataFrame
    seconds: float


def optimise(
    spec: OptimiseSpec,
    out: str | Path,
    *,
    backend: Backend | str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    command: str = "partnersim.design.optimise",
    simulate: Simulate = simulate,
    on_start: Callable[[int, int], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Outcome:
    """Run the search of ``spec`` into ``out``, or continue it there; write the Pareto set.

    Args:
        spec: the optimisation.
        out: its folder (created, or one this spec made: then the search is replayed and
            continued).
        backend: ``serial``, ``processes`` or ``dask`` (or a backend object).
        workers: worker processes.
        scheduler: a Dask scheduler address.
        command: recorded in the manifest.
        simulate: what one run gives (default: the model).
        on_start: called with (evaluations planned, evaluations already recorded).
        on_progress: called after each evaluation and generation.
    """
    folder = Path(out)
    owned = isinstance(backend, str)
    if isinstance(backend, str) and scheduler is None:
        check_backend(backend)
    started = time.perf_counter()
    with res.locked(folder, command):
        prepare(spec, folder, command)
        for tmp in folder.glob("**/.*.tmp-*"):
            tmp.unlink(missing_ok=True)
        shards.repair(folder)
        backend_obj: Backend = (
            make_backend(backend, workers=workers, scheduler=scheduler)
            if isinstance(backend, str)
            else backend
        )
        try:
            search = Search(spec, folder, backend_obj, simulate=simulate, on_progress=on_progress)
            if on_start:
                on_start(spec.evaluations, len(search.done))
            manifest = res.read_manifest(folder)
            manifest["status"] = "running"
            manifest["history"].append(
                {
                    "started": res.now(),
                    "backend": backend_obj.name,
                    "workers": backend_obj.workers,
                    "evaluations_recorded": len(search.done),
                    "provenance": res.provenance(),
                }
            )
            res.write_json(manifest, folder / res.MANIFEST)
            status = "interrupted"
            try:
                algorithm = search.run()
                write_results(search, algorithm)
                status = "complete"
            finally:
                manifest = res.read_manifest(folder)
                manifest["status"] = status
                manifest["history"][-1].update(
                    ended=res.now(),
                    evaluations_computed=search.progress.computed,
                    evaluations_replayed=search.progress.replayed,
                )
                if status == "complete":
                    manifest["evaluations_done"] = search.progress.evaluations
                res.write_json(manifest, folder / res.MANIFEST)
        finally:
            if owned:
                backend_obj.close()
    return Outcome(
        folder,
        True,
        search.progress.evaluations,
        search.progress.computed,
        search.progress.replayed,
        pd.read_parquet(folder / PARETO),
        time.perf_counter() - started,
    )


def package_name(spec: OptimiseSpec, index: int) -> str:
    """The name of the ``index``-th Pareto package (``robust_package_p01``, ...)."""
    return f"{spec.name}_p{index + 1:02d}"


def write_results(search: Search, algorithm: Any) -> None:
    """The Pareto set (Parquet, with robustness) and one scenario file per package."""
    spec = search.spec
    feasible = [s for s in algorithm.archive if s.feasible] or list(algorithm.archive)
    ids = sorted({int(s.evaluation_id) for s in feasible})
    table = archive_table(search, ids)
    table.insert(0, "package", [package_name(spec, i) for i in range(len(table))])
    table = table.join(pareto_robustness(search, ids), on="evaluation")
    shards.write_bytes_synced(shards.parquet_bytes(table), search.folder / PARETO)
    (search.folder / PACKAGES).mkdir(exist_ok=True)
    for row in table.to_dict("records"):
        text = package_toml(spec, row)
        shards.write_bytes_synced(
            text.encode(), search.folder / PACKAGES / f"{row['package']}.toml"
        )


def pareto_robustness(search: Search, ids: Sequence[int]) -> pd.DataFrame:
    """For each package: satisficing share and its regret against the others, per objective."""
    spec = search.spec
    runs = pd.concat([search.done[e] for e in ids], ignore_index=True)
    if search.baseline is not None and spec.needs_baseline():
        columns = [m.outcome for m in spec.objectives] + [c.outcome for c in spec.criteria]
        runs = robustness.with_baseline(runs, search.baseline, columns)
    out = pd.DataFrame(index=pd.Index(ids, name="evaluation"))
    if spec.criteria:
        out["satisficing"] = [
            robustness.satisficing(runs[runs["evaluation"] == e], spec.criteria) for e in ids
        ]
    for m in spec.objectives:
        if not m.outcome:
            continue
        regret = robustness.regret(runs, m.outcome, "evaluation", spec.percentile)
        out[f"{m.outcome}_max_regret"] = regret["max_regret"].reindex(ids).to_numpy()
    return out


def package_toml(spec: OptimiseSpec, row: Mapping[str, Any]) -> str:
    """A Pareto package as a scenario file extending the search's base scenario."""
    from partnersim.schema import packaged
    from partnersim.schema.problems import toml_value

    base, file = spec.base, spec.base_file
    shipped = packaged.find("scenarios", file.stem) if file is not None else None
    if file is not None and shipped is not None and shipped.resolve() == file.resolve():
        extends = file.stem
    elif file is not None:
        extends = str(file.resolve())
    else:
        raise SearchError("the base scenario has no file to extend")
    description = f"Pareto package of {spec.name} (evaluation {int(row['evaluation'])})."
    lines = [
        f"# A package found by `partnersim optimise` ({spec.name}, evaluation "
        f"{int(row['evaluation'])}).",
        f"# Over {spec.runs_per_evaluation} runs ({spec.seeds} seeds"
        + (f" × {len(spec.worlds.used)} worlds" if spec.worlds else "")
        + f", root seed {spec.seed}):",
    ]
    for m in spec.objectives:
        lines.append(f"#   {m.name} = {row[m.name]:.4g}  ({m.describe()})")
    worlds = (
        f" --worlds {spec.worlds.source} --world-count {len(spec.worlds.used)}"
        if spec.worlds
        else ""
    )
    lines.append(
        f"# Reproduce: partnersim run FILE --seed {spec.seed} --seeds {spec.seeds}{worlds}"
    )
    lines += [
        "",
        f"name = {toml_value(str(row['package']))}",
        f"description = {toml_value(description)}",
        f"extends = {toml_value(extends)}",
        "",
        "[run]",
        f"steps = {base.steps}",
        "",
        "[levers]",
    ]
    for f in spec.factors:
        lines.append(f"{f.name} = {toml_value(_typed(f, row[f.name]))}")
    return "\n".join(lines) + "\n"
