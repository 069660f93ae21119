"""``partnersim report`` on an optimisation folder: trade-offs, robustness and vulnerability.

Writes ``report/`` (atomically, replacing an earlier report) with:

* ``report.md`` — the question, the search (evaluations, convergence), the Pareto set, the
  trade-offs, the robustness table and the vulnerability of the most robust package, in words;
* ``pareto_parallel.png`` — parallel coordinates of the Pareto set (levers and objectives,
  each axis scaled to its range; up is better for objectives);
* ``tradeoff_<objective>.png`` — the cost objective against each other objective, the Pareto
  packages and the shipped scenarios;
* ``convergence.png`` — hypervolume of the archive (normalised objectives) and ε-progress
  against evaluations;
* ``robustness.parquet`` — every shipped scenario and every Pareto package over the search's
  worlds and seeds: objectives, satisficing share, and regret against the best of that set in
  each world;
* ``vulnerability.json`` — for the most robust package, run in the (larger) vulnerability
  ensemble, PRIM boxes over the world inputs where it misses each mission
  (:mod:`partnersim.experiments.discovery`), with coverage and density.

**The most robust package** is the Pareto package with the highest satisficing share (the
share of worlds in which every robustness criterion holds); ties, or a search without
criteria, are broken by the smallest mean of its normalised maximum regrets over the
objectives.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from partnersim import data
from partnersim import results as res
from partnersim.design import robustness
from partnersim.design.search import (
    BASELINE,
    CONVERGENCE,
    PARETO,
    Task,
    committed_runs,
    run_seeds,
    run_task,
    simulate,
    spec_of,
    world_list,
)
from partnersim.design.spec import Metric, OptimiseSpec
from partnersim.experiments.backends import Backend, make_backend
from partnersim.experiments.discovery import Condition, Search, factor_kind, search_frame
from partnersim.runs.outcomes import OUTCOME_INDEX, YES_NO, mission_column
from partnersim.runs.runner import derive_seeds
from partnersim.schema.levers import PARAMETERS, Section
from partnersim.schema.scenario import Scenario

REPORT = "report"
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
"""Okabe–Ito colours, safe for colour-blind readers."""
HV_SAMPLES = 20_000
"""Monte Carlo points for the hypervolume of more than two objectives (seeded: repeatable)."""
_HV_SEED = 20240530


# -- hypervolume --------------------------------------------------------------------------------


def normalise(
    values: np.ndarray, larger_is_better: Sequence[bool], bounds: np.ndarray
) -> np.ndarray:
    """Objectives scaled to [0, 1] with 1 the best end of ``bounds`` (rows: points).

    Args:
        values: points × objectives.
        larger_is_better: per objective.
        bounds: 2 × objectives: the lowest (first row) and highest (second row) value of each.
    """
    low, high = bounds
    span = np.where(high > low, high - low, 1.0)
    scaled = (values - low) / span
    flip = ~np.asarray(larger_is_better)
    scaled[:, flip] = 1.0 - scaled[:, flip]
    return np.clip(scaled, 0.0, 1.0)


def hypervolume(points: np.ndarray) -> float:
    """The hypervolume of normalised points (1 best, 0 the reference) in the unit box.

    Exact for one or two objectives; for more, a Monte Carlo estimate from
    :data:`HV_SAMPLES` seeded points (standard error below 0.4 % of the box).
    """
    points = np.asarray(points, dtype=float)
    if points.size == 0:
        return 0.0
    k = points.shape[1]
    if k == 1:
        return float(points.max())
    if k == 2:
        order = np.argsort(-points[:, 0])
        area, best_y = 0.0, 0.0
        for x, y in points[order]:
            if y > best_y:
                area += x * (y - best_y)
                best_y = y
        return float(area)
    samples = np.random.default_rng(_HV_SEED).random((HV_SAMPLES, k))
    dominated = np.zeros(HV_SAMPLES, dtype=bool)
    for start in range(0, len(points), 64):
        block = points[start : start + 64]
        dominated |= (block[None, :, :] >= samples[:, None, :]).all(axis=2).any(axis=1)
    return float(dominated.mean())


# -- the report's data -------------------------------------------------------------------------


@dataclass
class Loaded:
    """An optimisation folder, read for its report."""

    folder: Path
    spec: OptimiseSpec
    manifest: dict[str, Any]
    runs: pd.DataFrame
    baseline: pd.DataFrame | None
    pareto: pd.DataFrame
    convergence: pd.DataFrame
    _objectives: np.ndarray | None = None

    @classmethod
    def read(cls, folder: str | Path) -> Loaded:
        """Read a finished optimisation folder.

        Raises:
            partnersim.design.search.SearchError: not an optimisation folder, or unfinished.
        """
        from partnersim.design.search import SearchError

        folder = Path(folder)
        spec = spec_of(folder)
        manifest = res.read_manifest(folder)
        if manifest.get("status") != "complete" or not (folder / PARETO).exists():
            raise SearchError(
                f"{folder}: the search has not finished; finish it with "
                f"`partnersim resume {folder}`, then report"
            )
        runs = committed_runs(folder)
        baseline = runs[runs["evaluation"] == BASELINE].reset_index(drop=True)
        runs = runs[runs["evaluation"] != BASELINE].reset_index(drop=True)
        return cls(
            folder,
            spec,
            manifest,
            runs,
            baseline if len(baseline) else None,
            pd.read_parquet(folder / PARETO),
            pd.read_parquet(folder / CONVERGENCE),
        )

    def objective_matrix(self, table: pd.DataFrame) -> np.ndarray:
        """The objectives of a table's rows, as a points × objectives array."""
        return table[[m.name for m in self.spec.objectives]].to_numpy(dtype=float)

    def bounds(self) -> np.ndarray:
        """(low, high) of each objective over every evaluated package (for normalising)."""
        values = self.evaluated_objectives()
        return np.vstack([np.nanmin(values, axis=0), np.nanmax(values, axis=0)])

    def evaluated_objectives(self) -> np.ndarray:
        """Every evaluated package's objectives (rows in evaluation order; computed once)."""
        if self._objectives is None:
            spec = self.spec
            rows = [
                list(_objectives(spec, group, self.baseline).values())
                for _, group in self.runs.groupby("evaluation", sort=True)
            ]
            self._objectives = np.array(rows, dtype=float)
        return self._objectives


def _objectives(spec: OptimiseSpec, runs: pd.DataFrame, baseline: pd.DataFrame | None) -> dict:
    from partnersim.design.search import objective_values

    return objective_values(spec, runs, baseline)


def convergence_table(loaded: Loaded) -> pd.DataFrame:
    """Hypervolume of the archive after each generation, on the final normalisation.

    Objectives are scaled to [0, 1] over every evaluated package (1 the best); an objective
    with the same value for every package is left out (it would make every volume 0).
    """
    spec = loaded.spec
    larger = [m.larger_is_better for m in spec.objectives]
    values = loaded.evaluated_objectives()
    ids = sorted(loaded.runs["evaluation"].unique())
    position = {int(e): i for i, e in enumerate(ids)}
    bounds = loaded.bounds()
    varied = bounds[1] > bounds[0]  # an objective no package moved adds no volume
    scaled = normalise(np.nan_to_num(values), larger, bounds)[:, varied]
    out = loaded.convergence.copy()
    out["hypervolume"] = [
        hypervolume(scaled[[position[e] for e in json.loads(members) if e in position]])
        for members in out["archive"]
    ]
    return out.drop(columns=["archive"])


def candidate_runs(loaded: Loaded, backend: Backend, scenarios: Sequence[Scenario]) -> pd.DataFrame:
    """The shipped scenarios run on the search's worlds and seeds (as the packages were).

    Each takes the search's model size and run length (the base scenario's ``[scale]`` and
    ``[run]`` values), so they are compared with the packages like for like.
    """
    spec = loaded.spec
    seeds = tuple(run_seeds(spec))
    like = {
        p.name: spec.base.values[p.name]
        for p in PARAMETERS.values()
        if p.section in (Section.SCALE, Section.RUN)
    }
    tasks = []
    for i, scenario in enumerate(scenarios):
        s = scenario.evolve(**like)
        tasks += [Task(-(i + 2), s, w, seeds, simulate) for w in world_list(spec)]
    rows: list[dict] = []
    for _task, got in backend.map_unordered(run_task, tasks):
        rows.extend(got)
    frame = pd.DataFrame(rows)
    names = {-(i + 2): s.name for i, s in enumerate(scenarios)}
    frame.insert(0, "candidate", frame["evaluation"].map(names))
    return frame.sort_values(["candidate", "world", "seed"]).reset_index(drop=True)


def robustness_table(loaded: Loaded, scenario_runs: pd.DataFrame) -> pd.DataFrame:
    """Shipped scenarios and Pareto packages: objectives, satisficing and regret, by candidate.

    Regret is against the best candidate of this whole set in each world.
    """
    spec = loaded.spec
    names = dict(zip(loaded.pareto["evaluation"], loaded.pareto["package"], strict=True))
    packages = loaded.runs[loaded.runs["evaluation"].isin(names)].copy()
    packages.insert(0, "candidate", packages["evaluation"].map(names))
    runs = pd.concat([scenario_runs, packages], ignore_index=True)
    columns = [m.outcome for m in spec.objectives if m.outcome] + [c.outcome for c in spec.criteria]
    if loaded.baseline is not None:
        runs = robustness.with_baseline(runs, loaded.baseline, columns)
    table = robustness.metric_table(runs, spec.objectives, spec.criteria, "candidate")
    if spec.criteria and "satisficing" not in table:
        table["satisficing"] = [
            robustness.satisficing(g, spec.criteria)
            for _, g in runs.groupby("candidate", sort=False)
        ]
    for outcome in dict.fromkeys(m.outcome for m in spec.objectives if m.outcome):
        regret = robustness.regret(runs, outcome, "candidate", spec.percentile)
        table[f"{outcome}_max_regret"] = regret["max_regret"].reindex(table.index)
    table.insert(
        0,
        "kind",
        ["package" if c in set(names.values()) else "shipped scenario" for c in table.index],
    )
    table.index.name = "candidate"
    return table.reset_index()


def most_robust(loaded: Loaded, table: pd.DataFrame) -> str:
    """The most robust Pareto package (see the module docstring for the rule)."""
    packages = table[table["kind"] == "package"].copy()
    regrets = [c for c in packages if c.endswith("_max_regret")]
    if regrets:
        span = table[regrets].max() - table[regrets].min()
        packages["_regret"] = (
            (packages[regrets] - table[regrets].min()) / span.replace(0, 1)
        ).mean(axis=1)
    else:
        packages["_regret"] = 0.0
    keys, ascending = ["_regret"], [True]
    if "satisficing" in packages:
        keys, ascending = ["satisficing", "_regret"], [False, True]
    return str(packages.sort_values(keys, ascending=ascending).iloc[0]["candidate"])


def vulnerability(
    loaded: Loaded, package: str, backend: Backend, missions: Sequence[str]
) -> tuple[list[Search], pd.DataFrame]:
    """Scenario discovery over the world inputs: where ``package`` misses each mission.

    The package runs in the vulnerability ensemble (``[vulnerability] world_count`` worlds,
    default all of the ensemble, × ``seeds``, the search's first seeds); PRIM and CART look for
    the worlds in which its ``<mission>_met`` is 0. With more than one seed the run's seed is a
    factor too (``run_seed``, kind ``seed``): a box that restricts it says the miss is the luck
    of the draw (the model's own randomness) rather than a property of the world.
    """
    spec = loaded.spec
    if spec.worlds is None:
        return [], pd.DataFrame()
    ensemble = spec.worlds.ensemble
    worlds = (
        ensemble.head(spec.vulnerability_worlds) if spec.vulnerability_worlds else list(ensemble)
    )
    row = loaded.pareto.set_index("package").loc[package]
    values = {f.name: _plain(row[f.name], f) for f in spec.factors}
    scenario = spec.package(values, package)
    seeds = tuple(derive_seeds(spec.seed, spec.vulnerability_seeds))  # the search's first seeds
    tasks = [Task(0, scenario, w, seeds, simulate) for w in worlds]
    rows: list[dict] = []
    for _task, got in backend.map_unordered(run_task, tasks):
        rows.extend(got)
    runs = pd.DataFrame(rows).sort_values(["world", "seed"]).reset_index(drop=True)
    inputs = [n for n in ensemble.factors if n not in values]
    x_worlds = pd.DataFrame(
        [{**{n: w.values.get(n) for n in inputs}, "world": w.id} for w in worlds]
    )
    x = runs[["world"]].merge(x_worlds, on="world", how="left").drop(columns=["world"])
    x = x.loc[:, x.nunique() > 1]
    kinds = {n: factor_kind(n) for n in x.columns}
    if len(seeds) > 1:  # luck as a factor: a box on it says a miss is the draw, not the world
        x["run_seed"] = runs["seed"].map({s: f"seed {i + 1}" for i, s in enumerate(seeds)})
        kinds["run_seed"] = "seed"
    searches = []
    for m in missions:
        condition = Condition(mission_column(m, "met"), "==", 0.0)
        searches.append(
            search_frame(
                x,
                runs[condition.outcome].to_numpy(dtype=float),
                condition,
                kinds=kinds,
                label=f"{m}: target missed under {package}",
                mission=m,
            )
        )
    return searches, runs


def _plain(value: Any, factor: Any) -> Any:
    value = value.item() if hasattr(value, "item") else value
    if factor.is_range:
        return int(value) if factor.kind is int else float(value)
    return value


def summarise_box(search: Search, package: str) -> str:
    """A vulnerability search in one plain sentence."""
    mission = search.label.split(":")[0]
    label = _mission_label(mission)
    if search.cases == 0:
        return f"{package} meets {label} in every world and seed assessed ({search.runs} runs)."
    if search.cases == search.runs:
        return (
            f"{package} misses {label} in every world and seed assessed ({search.runs} runs): "
            "no world input explains it."
        )
    box = search.prim
    if box is None or box.limits.empty:
        why = "; ".join(search.notes) or "no box found"
        return (
            f"{package} misses {label} in {search.cases} of {search.runs} runs "
            f"({search.base_rate:.0%}); no PRIM box ({why})."
        )
    return (
        f"{package} misses {label} in {search.cases} of {search.runs} runs "
        f"({search.base_rate:.0%}), mainly when {box.describe()} (PRIM: coverage "
        f"{box.coverage:.0%}, density {box.density:.0%})."
    )


def _mission_label(mission: str) -> str:
    for m in data.missions():
        if m.name == mission:
            return f"{m.label} by {m.target_deadline}"
    return mission


# -- figures ------------------------------------------------------------------------------------


def cost_objective(spec: OptimiseSpec) -> Metric | None:
    """The first objective on a fiscal outcome (the cost side of the trade-offs), if any."""
    return next(
        (
            m
            for m in spec.objectives
            if m.outcome and OUTCOME_INDEX[m.outcome.removesuffix("_vs_baseline")].group == "fiscal"
        ),
        None,
    )


def _label(metric: Metric) -> str:
    """An axis label: the objective's name, its unit and how it is reduced over runs."""
    if not metric.outcome:
        return "satisficing (share of worlds)"
    declared = OUTCOME_INDEX[metric.outcome.removesuffix("_vs_baseline")]
    stat = {
        "mean": "mean",
        "percentile": f"{metric.percentile:g} % worst world",
        "worst": "worst world",
    }[metric.statistic]
    unit = "P(met)" if declared.unit == YES_NO and metric.statistic == "mean" else declared.unit
    vs = ", against the status quo" if metric.outcome.endswith("_vs_baseline") else ""
    return f"{metric.name} ({unit}{vs}; {stat} over worlds × seeds)"


def parallel_figure(loaded: Loaded, out: Path, highlight: str | None) -> str:
    """Parallel coordinates of the Pareto set: levers then objectives, each scaled to its range."""
    from matplotlib.figure import Figure

    spec = loaded.spec
    table = loaded.pareto
    axes = [f.name for f in spec.factors] + [m.name for m in spec.objectives]
    lows, highs, flips = [], [], []
    for f in spec.factors:
        if f.values is None:
            low, high = f.bounds
            lows.append(low)
            highs.append(high)
        else:
            lows.append(0.0)
            highs.append(len(f.values) - 1.0)
        flips.append(False)
    for m in spec.objectives:
        col = table[m.name].to_numpy(dtype=float)
        lows.append(np.nanmin(col))
        highs.append(np.nanmax(col))
        flips.append(not m.larger_is_better)
    fig = Figure(figsize=(max(8, 0.9 * len(axes)), 5), layout="constrained")
    ax = fig.subplots()
    xs = np.arange(len(axes))
    for _, row in table.iterrows():
        ys = []
        for j, name in enumerate(axes):
            v = row[name]
            listed = spec.factors[j].values if j < len(spec.factors) else None
            if listed is not None:
                v = listed.index(v)
            span = highs[j] - lows[j] or 1.0
            y = (float(v) - lows[j]) / span
            ys.append(1 - y if flips[j] else y)
        chosen = row["package"] == highlight
        ax.plot(
            xs,
            ys,
            color="#D55E00" if chosen else "#0072B2",
            alpha=1.0 if chosen else 0.35,
            lw=2.5 if chosen else 1,
            zorder=3 if chosen else 1,
            label=f"most robust: {highlight}" if chosen else None,
        )
    ax.set_xticks(xs, axes, rotation=40, ha="right", fontsize=8)
    for j in range(len(axes)):
        ax.axvline(j, color="0.8", lw=0.5, zorder=0)
        low, high = (highs[j], lows[j]) if flips[j] else (lows[j], highs[j])
        ax.annotate(
            f"{high:.3g}",
            (j, 1.0),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize=7,
        )
        ax.annotate(
            f"{low:.3g}",
            (j, 0.0),
            xytext=(0, -10),
            textcoords="offset points",
            ha="center",
            fontsize=7,
        )
    ax.axvline(len(spec.factors) - 0.5, color="0.3", lw=1, ls="--")
    ax.set_yticks([])
    ax.set_ylim(-0.08, 1.08)
    ax.set_title(
        f"Pareto set of {spec.name}: {len(table)} packages (levers left of the dashed line; "
        "objectives right, better up)",
        fontsize=9,
    )
    if highlight:
        fig.legend(loc="outside lower center", fontsize=8)
    name = "pareto_parallel.png"
    fig.savefig(out / name, dpi=110)
    return name


def tradeoff_figures(
    loaded: Loaded, table: pd.DataFrame, out: Path, highlight: str | None
) -> dict[str, str]:
    """The cost objective (or the first) against each other objective: packages and scenarios."""
    from matplotlib.figure import Figure

    spec = loaded.spec
    cost = cost_objective(spec) or spec.objectives[0]
    files = {}
    for m in spec.objectives:
        if m is cost:
            continue
        fig = Figure(figsize=(8, 4.2), layout="constrained")
        ax = fig.subplots()
        packages = table[table["kind"] == "package"]
        shipped = table[table["kind"] != "package"]
        ax.scatter(
            packages[cost.name], packages[m.name], color="#0072B2", label="Pareto packages", s=22
        )
        markers = "sD^v<>pPX*h"
        for k, (_, r) in enumerate(shipped.iterrows()):
            ax.scatter(
                [r[cost.name]],
                [r[m.name]],
                marker=markers[k % len(markers)],
                color=COLOURS[1 + k % (len(COLOURS) - 1)],
                edgecolor="black",
                linewidth=0.4,
                s=34,
                label=str(r["candidate"]),
                zorder=3,
            )
        if highlight is not None and highlight in set(packages["candidate"]):
            r = packages.set_index("candidate").loc[highlight]
            ax.scatter(
                [r[cost.name]],
                [r[m.name]],
                facecolor="none",
                edgecolor="#D55E00",
                s=120,
                lw=2,
                label=f"most robust: {highlight}",
            )
        ax.set_xlabel(_label(cost), fontsize=8)
        ax.set_ylabel(_label(m), fontsize=8)
        ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1.01, 0.5))
        ax.set_title(f"Trade-off: {m.name} against {cost.name}", fontsize=9)
        name = f"tradeoff_{m.name}.png"
        fig.savefig(out / name, dpi=110)
        files[m.name] = name
    return files


def convergence_figure(table: pd.DataFrame, out: Path) -> str:
    """Hypervolume and ε-progress against evaluations."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.4), layout="constrained")
    a, b = fig.subplots(1, 2)
    a.plot(table["evaluations"], table["hypervolume"], color="#0072B2")
    a.set_xlabel("evaluations")
    a.set_ylabel("hypervolume (normalised objectives)")
    b.plot(table["evaluations"], table["improvements"], color="#E69F00")
    b.set_xlabel("evaluations")
    b.set_ylabel("ε-progress (archive improvements)")
    fig.suptitle("Convergence of the search", fontsize=10)
    name = "convergence.png"
    fig.savefig(out / name, dpi=110)
    return name


# -- the report -------------------------------------------------------------------------------


@dataclass
class Report:
    """What ``build`` wrote."""

    folder: Path
    most_robust: str
    robustness: pd.DataFrame
    convergence: pd.DataFrame
    vulnerability: list[Search]
    sentences: list[str]


def build(
    folder: str | Path,
    *,
    backend: Backend | str = "processes",
    workers: int | None = None,
    scenarios: Sequence[Scenario] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> Report:
    """Write the report of a finished optimisation folder into ``folder/report``.

    Args:
        folder: the optimisation folder.
        backend: runs the shipped scenarios and the vulnerability ensemble.
        workers: worker processes.
        scenarios: the scenarios to compare with (default: every shipped scenario).
        on_note: told what is being done (for a command's progress).
    """
    from partnersim.schema import packaged

    loaded = Loaded.read(folder)
    spec = loaded.spec
    note = on_note or (lambda _text: None)
    if scenarios is None:
        scenarios = [Scenario.from_toml(e.path) for e in packaged.catalogue("scenarios").values()]
    backend_obj = make_backend(backend, workers=workers) if isinstance(backend, str) else backend
    try:
        note(f"running {len(scenarios)} shipped scenarios on the search's worlds and seeds")
        scenario_runs = candidate_runs(loaded, backend_obj, scenarios)
        table = robustness_table(loaded, scenario_runs)
        chosen = most_robust(loaded, table)
        missions = [m.name for m in data.missions() if m.deadline_step <= spec.base.steps]
        note(f"vulnerability of {chosen} over the worlds")
        searches, _vruns = vulnerability(loaded, chosen, backend_obj, missions)
    finally:
        if isinstance(backend, str):
            backend_obj.close()
    convergence = convergence_table(loaded)
    sentences = [summarise_box(s, chosen) for s in searches]
    sentences += [
        f"{_mission_label(m.name)} is not assessed: its deadline is after the run ends "
        f"(quarter {m.deadline_step} > {spec.base.steps})."
        for m in data.missions()
        if m.deadline_step > spec.base.steps and spec.worlds is not None
    ]
    target = Path(folder) / REPORT

    def fill(tmp: Path) -> None:
        parallel = parallel_figure(loaded, tmp, chosen)
        trade = tradeoff_figures(loaded, table, tmp, chosen)
        conv = convergence_figure(convergence, tmp)
        res.write_table(table, tmp / "robustness.parquet")
        res.write_table(convergence, tmp / "convergence.parquet")
        res.write_json(
            {"package": chosen, "searches": [s.record() for s in searches], "summary": sentences},
            tmp / "vulnerability.json",
        )
        res.write_text(
            markdown(
                loaded, table, convergence, chosen, searches, sentences, parallel, trade, conv
            ),
            tmp / "report.md",
        )

    res.write_folder(target, fill)
    return Report(target, chosen, table, convergence, searches, sentences)


def _fmt(x: Any) -> str:
    if isinstance(x, float | np.floating):
        if np.isnan(x):
            return "–"
        return f"{x:.3g}"
    return str(x)


def markdown(
    loaded: Loaded,
    table: pd.DataFrame,
    convergence: pd.DataFrame,
    chosen: str,
    searches: list[Search],
    sentences: list[str],
    parallel: str,
    trade: dict[str, str],
    conv: str,
) -> str:
    """The report's text."""
    spec = loaded.spec
    m = loaded.manifest
    worlds = (
        f"{len(spec.worlds.used)} plausible worlds ({spec.worlds.source}) × " if spec.worlds else ""
    )
    last = convergence.iloc[-1] if len(convergence) else None
    lines = [
        f"# Robust policy design: {spec.name}",
        "",
        spec.description,
        "",
        "## The search",
        "",
        f"* Base scenario `{spec.base.name}`; costs against `{spec.baseline.name}` on the same "
        "worlds and seeds.",
        f"* {len(spec.factors)} levers searched: "
        + ", ".join(f"`{f.describe()}`" for f in spec.factors)
        + ".",
        f"* Each package ran in {worlds}{spec.seeds} seeds ({spec.runs_per_evaluation} runs; "
        f"root seed {spec.seed}; seeds {m['seeds']}).",
        f"* Optimiser: platypus-opt {m['optimiser']['version']} ε-NSGA-II, population "
        f"{spec.population}, {m.get('evaluations_done', spec.evaluations)} evaluations, "
        f"optimiser seed {m['optimiser']['seed']}.",
        "* Objectives: "
        + "; ".join(
            f"`{o.name}` ({'maximise' if o.larger_is_better else 'minimise'} the "
            f"{o.describe()}, ε {o.epsilon:g})"
            for o in spec.objectives
        )
        + ".",
    ]
    if spec.constraints:
        lines.append("* Constraints: " + "; ".join(b.text for b in spec.constraints) + ".")
    if spec.criteria:
        lines.append(
            "* Robustness criteria (each world's mean over its seeds): "
            + "; ".join(f"`{c.text}`" for c in spec.criteria)
            + "."
        )
    if last is not None:
        lines += [
            "",
            f"Convergence: after {int(last['evaluations'])} evaluations the archive holds "
            f"{int(last['archive_size'])} packages, ε-progress {int(last['improvements'])}, "
            f"hypervolume {last['hypervolume']:.3f} of the normalised objective box.",
            "",
            f"![convergence]({conv})",
        ]
    feasible = int((loaded.pareto["violation"] == 0).sum())
    lines += [
        "",
        f"## The Pareto set ({len(loaded.pareto)} packages)",
        "",
    ]
    if spec.constraints and not feasible:
        lines += [
            "**No package found meets every constraint.** The set below holds the packages "
            "that come closest (smallest total violation, column `violation`); the constraints "
            "may be out of reach of these levers in this model.",
            "",
        ]
    lines += [
        f"![parallel coordinates]({parallel})",
        "",
    ]
    picks = highlights(loaded, table, chosen)
    lines += [
        "Objectives over the set: "
        + "; ".join(
            f"`{o.name}` {_fmt(float(loaded.pareto[o.name].min()))}–"
            f"{_fmt(float(loaded.pareto[o.name].max()))}"
            for o in spec.objectives
        )
        + ".",
        "",
        "Selected packages — the most robust, and the best on each objective (ties: the "
        "cheaper); every package is in `pareto.parquet` and `packages/`:",
        "",
    ]
    by_name = loaded.pareto.set_index("package")
    rows = [*[f.name for f in spec.factors], *[o.name for o in spec.objectives]]
    shown = pd.DataFrame(
        {f"{label}: {name}": by_name.loc[name, rows] for label, name in picks.items()}, index=rows
    )
    shown.index.name = "lever / objective"
    lines += _md_table(shown.reset_index())
    lines += ["", "## Trade-offs", ""]
    for name, file in trade.items():
        lines += [f"![{name}]({file})", ""]
    lines += [
        "## Robustness: shipped scenarios against the Pareto packages",
        "",
        "Over the same worlds and seeds. `satisficing`: share of worlds meeting every criterion; "
        "`…_max_regret`: the largest shortfall, over worlds, against the best candidate of this "
        "table in that world (in the outcome's unit).",
        "",
    ]
    selected = set(picks.values())
    lines += _md_table(table[(table["kind"] != "package") | table["candidate"].isin(selected)])
    lines += [
        "",
        f"The table shows the shipped scenarios and the selected packages; all "
        f"{len(loaded.pareto)} packages are in `report/robustness.parquet`.",
    ]
    row = table.set_index("candidate").loc[chosen]
    lines += [
        "",
        f"## The most robust package: `{chosen}`",
        "",
        "Chosen as the Pareto package with the highest satisficing share, ties broken by the "
        "smallest mean normalised maximum regret.",
        "",
    ]
    for o in spec.objectives:
        lines.append(f"* {o.name} = {_fmt(float(row[o.name]))} ({o.describe()})")
    if "satisficing" in row:
        lines.append(f"* satisficing = {_fmt(float(row['satisficing']))}")
    lever_row = loaded.pareto.set_index("package").loc[chosen]
    lines.append(
        "* levers: " + ", ".join(f"{f.name} = {_fmt(lever_row[f.name])}" for f in spec.factors)
    )
    lines += ["", "### Where it fails (vulnerability)", ""]
    if not searches or spec.worlds is None:
        lines.append("No plausible worlds in this search: vulnerability over worlds needs them.")
    else:
        ensemble = spec.worlds.ensemble
        n = spec.vulnerability_worlds or len(ensemble)
        lines.append(
            f"The package ran in {n} worlds × {spec.vulnerability_seeds} seed(s); PRIM looked for "
            "the world inputs under which it misses each mission"
            + (
                " (and the run's seed: a box on `run_seed` says the miss is the luck of the draw)."
                if spec.vulnerability_seeds > 1
                else "."
            )
        )
        lines.append("")
        lines += [f"* {s}" for s in sentences]
    return "\n".join(lines) + "\n"


def highlights(loaded: Loaded, table: pd.DataFrame, chosen: str) -> dict[str, str]:
    """Packages worth a reader's look: the most robust, then the best on each objective.

    Ties on an objective go to the package that is better on the first fiscal objective (the
    cheaper), else to the first in the set.
    """
    spec = loaded.spec
    pareto = loaded.pareto
    fiscal = cost_objective(spec)
    out = {"most robust": chosen}
    for m in spec.objectives:
        keys, ascending = [m.name], [not m.larger_is_better]
        if fiscal is not None and fiscal is not m:
            keys.append(fiscal.name)
            ascending.append(not fiscal.larger_is_better)
        best = pareto.sort_values(keys, ascending=ascending, kind="stable").iloc[0]["package"]
        out[f"best {m.name}"] = str(best)
    return out


def _md_table(frame: pd.DataFrame) -> list[str]:
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(_fmt(v) for v in r) + " |" for r in frame.itertuples(index=False)]
    return [header, rule, *rows]
