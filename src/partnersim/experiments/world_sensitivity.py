"""Global sensitivity over levers **and** world inputs, for a sweep run over plausible worlds.

A sweep over plausible worlds (``worlds = …`` in its file) gives every run a world: a draw of
every declared uncertainty and every assumption with a plausible range, refitted to history
and accepted by history matching (:mod:`partnersim.worlds`). Its runs therefore vary the
sweep's levers *and* some ninety world inputs at once, and this module asks which of them each
mission's headline outcome — its indicator at its deadline — depends on most.

The world inputs are not sampled independently and uniformly: they are the accepted worlds'
values, whose joint distribution history matching has shaped (ranges narrowed, inputs
correlated), and a world is reused by several runs. Sobol' designs need independent inputs
set at points the design chooses, so they do not apply; a **given-data** method does, on any
sample: SALib's ``delta`` (Borgonovo's moment-independent δ, with the first-order S1 estimated
on the same sample; Plischke, Borgonovo and Smith 2013). Each run is one observation (its
levers, its world's inputs, its outcome); seed noise stays in the outcome.

Every input is passed to SALib as its rank (scaled to (0, 1]): both estimators partition each
input by rank, so this changes nothing but keeps SALib's optional ``step`` mode (inputs ≤ 0
against > 0) from running on inputs that are negative by nature. The intervals are SALib's own:
δ bias-reduced over bootstrap resamples of the runs, ± 1.96 of their SD; S1 likewise. A finite
sample gives every input a positive δ even if the outcome ignores it, so a **dummy** input of
pure noise is analysed beside the real ones: an input whose δ interval lies above the dummy's
stands out from that floor. Two dummies, because a world serves several runs: one drawn per
run (the floor for the sweep's factors) and one drawn per *world* and shared by its runs (the
floor for world inputs). Any value that is constant within a world partitions the runs by world
and so picks up the differences between worlds, whether or not the model reads it; how much
depends on the draw, so there are :data:`WORLD_DUMMIES` per-world dummies, and a world input
stands out only if its δ interval lies above the highest of theirs.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from partnersim import data
from partnersim.experiments.analysis import DOMAINS, one_blas_thread, salib_indices
from partnersim.experiments.discovery import factor_kind
from partnersim.experiments.sweep.designs import DELTA_MIN_POINTS, Sensitivity
from partnersim.runs.outcomes import OUTCOME_INDEX, mission_column

if TYPE_CHECKING:
    from partnersim.experiments.sweep.spec import SweepSpec
    from partnersim.results import Results

METHOD = "delta (moment-independent, given data, over runs)"
DUMMY = "dummy (noise per run)"
"""The reference for the sweep's factors: uniform noise drawn for every run."""
DUMMY_WORLD = "dummy (noise per world)"
"""The reference for world inputs: uniform noise drawn for every world, shared by its runs."""
WORLD_DUMMIES = 5
"""Per-world dummies drawn (their floor is the highest of their intervals)."""
PER_RUN, PER_WORLD = "reference per run", "reference per world"
"""The dummies' roles."""
RESAMPLES = 30
"""SALib's bootstrap resamples per input (its intervals)."""
TOP = 5
"""Drivers listed per mission in the report."""
COLUMNS = (
    "mission",
    "outcome",
    "outcome_unit",
    "factor",
    "role",
    "kind",
    "unit",
    "index",
    "estimate",
    "low",
    "high",
    "raw_estimate",
    "conf",
    "rank",
    "above_dummy",
)
"""Columns of :func:`world_sensitivity`'s table (also when it is empty)."""


def headline(mission: str) -> str:
    """The outcome analysed for ``mission``: its indicator as assessed at its deadline."""
    return mission_column(mission, "level_at_deadline")


def has_worlds(results: Results) -> bool:
    """Whether a results folder holds a sweep over plausible worlds."""
    return bool(results.manifest.get("worlds"))


def inputs(results: Results) -> list[tuple[str, str]]:
    """The analysed inputs of a sweep over worlds, as ``(name, role)``.

    ``role`` is ``lever``, ``swept uncertainty`` or ``swept assumption`` for the sweep's own
    factors and ``world input`` for the worlds' drawn values that reached the runs.
    """
    out = []
    for f in results.manifest["factors"]:
        kind = factor_kind(f["name"])
        out.append((f["name"], "lever" if kind == "lever" else f"swept {kind or 'factor'}"))
    out += [(name, "world input") for name in results.manifest["worlds"]["inputs"]]
    return out


def _ranks(column: pd.Series) -> np.ndarray | None:
    """An input as ranks scaled to (0, 1] (None if it does not vary)."""
    values = column.to_numpy()
    if not pd.api.types.is_numeric_dtype(column):
        values = pd.factorize(column, sort=True)[0]
    values = np.asarray(values, dtype=float)
    if np.unique(values).size < 2:
        return None
    return rankdata(values, method="average") / len(values)


def _given_data(
    problem: dict, x: np.ndarray, y: np.ndarray, seed: int, spec: SweepSpec
) -> dict[str, np.ndarray]:
    from SALib.analyze import delta

    r = delta.analyze(problem, x, y, num_resamples=RESAMPLES, seed=seed)
    return {
        "delta": r["delta_raw"],
        "delta_conf": r["delta_raw_conf"],
        "S1": r["S1"],
        "S1_conf": r["S1_conf"],
    }


GIVEN_DATA = Sensitivity(METHOD, ("delta", "S1"), DELTA_MIN_POINTS, False, _given_data)
"""δ and S1 with SALib's confidence half-widths, on runs (not design points)."""


def world_sensitivity(results: Results, seed: int = 0) -> pd.DataFrame:
    """δ and S1 of each mission's headline outcome to every lever and world input.

    Args:
        results: a sweep's results; it must have run over worlds (:func:`has_worlds`).
        seed: seeds the dummy input and SALib's resampling (the same folder and seed give the
            same table).

    Returns:
        One row per (mission, input, index), ``index`` ``delta`` or ``S1``: ``estimate`` and
        its 95 % interval ``low``–``high`` (SALib's ± half-width ``conf``, clipped to [0, 1];
        SALib's value is ``raw_estimate``), the input's ``role`` (lever, swept uncertainty or
        assumption, world input; the dummies' ``reference per run`` and ``reference per
        world``), ``kind`` and ``unit``, the outcome and its unit, the input's
        ``rank`` by δ within its mission (1 = largest) and ``above_dummy`` (its δ interval lies
        above its dummy's: per world for world inputs, else per run). ``attrs["notes"]`` says
        why a mission was not analysed, ``attrs["runs"]`` how many runs each mission used,
        ``attrs["checks"]`` what should make a reader wary (too few worlds).
    """
    from partnersim.experiments.sweep.execute import load_spec
    from partnersim.experiments.sweep.spec import SweepError
    from partnersim.schema.levers import variable

    try:
        spec = load_spec(results.path)
    except SweepError as exc:
        frame = pd.DataFrame(columns=COLUMNS)
        frame.attrs.update(notes=[f"the sweep cannot be read back ({exc})"], runs={}, checks=[])
        return frame
    runs = results.runs
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    notes: list[str] = []
    rows: list[dict] = []
    used: dict[str, int] = {}
    rng = np.random.default_rng([seed, 2])
    named = [(n, role) for n, role in inputs(results) if n in ok]
    for mission in data.MISSIONS:
        outcome = headline(mission)
        if outcome not in ok:
            notes.append(f"{mission}: no {outcome} column in the runs")
            continue
        sample = ok[np.isfinite(ok[outcome].to_numpy(dtype=float))]
        if len(sample) < DELTA_MIN_POINTS:
            notes.append(
                f"{mission}: {len(sample)} runs assess {outcome}, too few for δ (at least "
                f"{DELTA_MIN_POINTS}; the runs may end before the deadline)"
            )
            continue
        y = sample[outcome].to_numpy(dtype=float)
        if np.std(y) == 0:
            notes.append(f"{mission}: {outcome} does not vary across the runs")
            continue
        names, columns = [], []
        for name, role in named:
            ranked = _ranks(sample[name])
            if ranked is not None:
                names.append((name, role))
                columns.append(ranked)
        names.append((DUMMY, PER_RUN))
        columns.append(rankdata(rng.random(len(sample))) / len(sample))
        world_ids = sample["world"].to_numpy()
        worlds = np.unique(world_ids)
        for i in range(WORLD_DUMMIES):
            per_world = dict(zip(worlds, rng.random(worlds.size), strict=True))
            names.append((f"{DUMMY_WORLD} {i + 1}", PER_WORLD))
            columns.append(rankdata([per_world[w] for w in world_ids]) / len(sample))
        x = np.column_stack(columns)
        # SALib reserves some name suffixes (e.g. "_step"); it sees neutral aliases.
        problem = {
            "num_vars": x.shape[1],
            "names": [f"x{i}" for i in range(x.shape[1])],
            "bounds": [[0.0, 1.0]] * x.shape[1],
        }
        with one_blas_thread():
            found = salib_indices(GIVEN_DATA, problem, x, y, int(rng.integers(1, 2**31 - 1)), spec)
        if not found:
            notes.append(f"{mission}: SALib could not estimate δ on {len(sample)} runs")
            continue
        used[mission] = len(sample)
        order = np.argsort(-np.nan_to_num(found["delta"], nan=-1.0), kind="stable")
        rank = np.empty(len(order), int)
        rank[order] = np.arange(1, len(order) + 1)
        unit = OUTCOME_INDEX[outcome].unit if outcome in OUTCOME_INDEX else ""
        for i, (name, role) in enumerate(names):
            try:
                factor_unit = variable(name).unit
            except KeyError:
                factor_unit = ""
            for index in ("delta", "S1"):
                value, conf = float(found[index][i]), float(found[f"{index}_conf"][i])
                rows.append(
                    {
                        "mission": mission,
                        "outcome": outcome,
                        "outcome_unit": unit,
                        "factor": name,
                        "role": role,
                        "kind": factor_kind(name),
                        "unit": factor_unit,
                        "index": index,
                        "raw_estimate": value,
                        "conf": conf,
                        "rank": int(rank[i]),
                    }
                )
    frame = _finish(pd.DataFrame(rows)) if rows else pd.DataFrame(columns=COLUMNS)
    n_worlds = int(ok["world"].nunique()) if "world" in ok else 0
    checks = []
    if n_worlds < CONFOUNDED:
        checks.append(
            f"the runs cover only {n_worlds} worlds, so each world input takes at most "
            f"{n_worlds} values and world inputs that order the worlds alike cannot be told "
            "apart (they are confounded, and share one δ up to noise); use at least "
            f"{CONFOUNDED} worlds (the shipped ensemble has about 200) before naming a single "
            "world input as a driver"
        )
    frame.attrs.update(notes=notes, runs=used, checks=checks)
    return frame


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Clipped estimates and intervals, and whether each δ stands above the dummy's."""
    low_bound, high_bound = DOMAINS["delta"]  # δ and S1 share the domain [0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        frame["estimate"] = frame["raw_estimate"].clip(low_bound, high_bound)
        frame["low"] = (frame["raw_estimate"] - frame["conf"]).clip(low_bound, high_bound)
        frame["high"] = (frame["raw_estimate"] + frame["conf"]).clip(low_bound, high_bound)
    frame["low"] = np.fmin(frame["low"], frame["estimate"])
    frame["high"] = np.fmax(frame["high"], frame["estimate"])
    delta = frame[frame["index"] == "delta"]
    floors = delta[delta["role"].isin([PER_RUN, PER_WORLD])].groupby(["mission", "role"])["high"]
    reference = np.where(frame["role"] == "world input", PER_WORLD, PER_RUN)
    ceiling = floors.max().reindex(list(zip(frame["mission"], reference, strict=True)))
    frame["above_dummy"] = (
        (frame["index"] == "delta")
        & ~_is_dummy(frame)
        & (frame["low"].to_numpy() > ceiling.to_numpy())
    )
    return frame.sort_values(["mission", "index", "rank"], kind="stable")[list(COLUMNS)]


def top_drivers(frame: pd.DataFrame, mission: str, n: int = TOP) -> pd.DataFrame:
    """The ``n`` inputs with the largest δ for ``mission`` (the dummies left out).

    Columns: ``factor``, ``role``, ``kind``, ``unit``, ``rank``, ``above_dummy``, then δ and
    S1 side by side: ``delta``, ``delta_low``, ``delta_high``, ``S1``, ``S1_low``,
    ``S1_high``.
    """
    rows = frame[(frame["mission"] == mission) & ~_is_dummy(frame)]
    delta = rows[rows["index"] == "delta"].set_index("factor")
    s1 = rows[rows["index"] == "S1"].set_index("factor")
    out = delta[["role", "kind", "unit", "rank", "above_dummy"]].copy()
    for name, part in (("delta", delta), ("S1", s1)):
        out[name] = part["estimate"]
        out[f"{name}_low"] = part["low"]
        out[f"{name}_high"] = part["high"]
    return out.sort_values("rank").head(n).reset_index()


def _is_dummy(frame: pd.DataFrame) -> pd.Series:
    return frame["role"].isin([PER_RUN, PER_WORLD])


def dummies(frame: pd.DataFrame, mission: str) -> pd.DataFrame:
    """The noise floors of ``mission``: per dummy role, the dummy whose δ reaches highest.

    Indexed by role (``reference per run``, ``reference per world``); columns ``factor``,
    ``estimate``, ``low``, ``high``.
    """
    rows = frame[(frame["mission"] == mission) & _is_dummy(frame) & (frame["index"] == "delta")]
    highest = rows.sort_values("high", kind="stable").groupby("role").tail(1)
    return highest.set_index("role")[["factor", "estimate", "low", "high"]]


def shown_drivers(frame: pd.DataFrame, mission: str, n: int = TOP) -> pd.DataFrame:
    """The inputs a report lists for ``mission``, in the form of :func:`top_drivers`.

    The ``n`` largest δ, and the ``n`` largest of those above noise: an input whose floor is
    low, such as a lever, can stand out with a smaller δ than world inputs that do not.
    """
    every = top_drivers(frame, mission, n=len(frame))
    keep = every["rank"].isin(every["rank"].head(n)) | every["rank"].isin(
        every.loc[every["above_dummy"], "rank"].head(n)
    )
    return every[keep].reset_index(drop=True)


def sentence(frame: pd.DataFrame, mission: str, n: int = 3) -> str:
    """One plain-language line: what ``mission``'s headline outcome depends on most."""
    top = shown_drivers(frame, mission)
    outcome = headline(mission)
    declared = OUTCOME_INDEX.get(outcome)
    what = f"{declared.label} ({declared.unit})" if declared else outcome
    dummy = dummies(frame, mission)["estimate"]
    floor = "noise floors: δ = " + ", ".join(
        f"{dummy[role]:.2f} {role.removeprefix('reference ')}"
        for role in (PER_RUN, PER_WORLD)
        if role in dummy
    )
    clear = top[top["above_dummy"]].head(n)
    if clear.empty:
        first = top.iloc[0]
        return (
            f"{what}: no input stands out from noise — the largest δ, {first['factor']}'s "
            f"{first['delta']:.2f}, is within its noise floor ({floor})."
        )
    parts = [
        f"{r.factor} ({r.role}; δ = {r.delta:.2f} [{r.delta_low:.2f}, {r.delta_high:.2f}])"
        for r in clear.itertuples()
    ]
    text = f"{what} depends most on {parts[0]}"
    if len(parts) > 1:
        text += ", then " + ", then ".join(parts[1:])
    return text + f" (among inputs that stand out from their {floor})."


# -- the report's section -------------------------------------------------------------------------

CONFOUNDED = 30
"""Below this many worlds, world inputs are confounded with one another (see :func:`section`)."""


def figures_of(frame: pd.DataFrame, folder: Path, n: int = 2 * TOP) -> dict[str, str]:
    """Per mission, bars of δ and S1 for its listed inputs and the noise floors: file names."""
    from partnersim.experiments import figures

    shown = {}
    for mission in frame.attrs.get("runs", {}):
        keep = [*shown_drivers(frame, mission, n)["factor"], *dummies(frame, mission)["factor"]]
        group = frame[(frame["mission"] == mission) & frame["factor"].isin(keep)].copy()
        group["method"], group["unit"] = "δ and S1", "0–1"
        group = group.set_index("factor").loc[keep].reset_index()
        shown[mission] = figures.sensitivity_figure(
            group,
            headline(mission),
            folder,
            name=f"world_sensitivity_{mission}.png",
            interval="95 % interval from SALib's bootstrap over runs",
        )
    return shown


def section(results: Results, frame: pd.DataFrame, shown: dict[str, str]) -> list[str]:
    """The report's Markdown section on sensitivity over levers and world inputs."""
    record = results.manifest["worlds"]
    lines = [
        "## Global sensitivity over levers and world inputs",
        "",
        f"Every run is in one of {len(record['worlds'])} plausible worlds from "
        f"`{record['source']}` (SHA-256 {record['sha256'][:12]}…; {record['summary']}). "
        f"Each run's {len(record['inputs'])} world inputs — the declared uncertainties and "
        "assumptions with a plausible range that the sweep does not set itself — are analysed "
        "beside the sweep's own factors, for each mission's headline outcome (its indicator "
        "at its deadline).",
        "",
        "**World inputs are sampled from history-matched worlds, not independently and "
        "uniformly**: their joint distribution is the accepted ensemble's (ranges narrowed by "
        "history, inputs possibly correlated), and each world serves several runs. Sobol' "
        "designs need independent inputs set at points of the design's choosing, so a "
        "given-data method is used instead: SALib's δ (Borgonovo's moment-independent index) "
        "with its first-order S1, both estimated on the runs as they are (one observation per "
        "run; seed noise stays in the outcome). Intervals: 95 %, from SALib's bootstrap over "
        "the runs. A finite sample puts a floor under every δ, so two dummy inputs of pure "
        "noise are analysed too: one drawn per run, the floor for the sweep's factors, and one "
        "drawn per world and shared by its runs, the floor for world inputs (anything constant "
        "within a world picks up the differences between worlds, read by the model or not; "
        f"{WORLD_DUMMIES} are drawn and the one reaching highest is shown). *Above noise* "
        "marks an input whose δ interval lies above its floor's. Where inputs "
        "are correlated, δ credits each with the effect of those it moves with. All inputs and "
        "both indices: `world_sensitivity.csv`.",
        "",
    ]
    checks = frame.attrs.get("checks", [])
    if checks:
        lines += ["**Read with care:**", "", *(f"* {c}" for c in checks), ""]
    for mission, n in frame.attrs.get("runs", {}).items():
        top = shown_drivers(frame, mission)
        reference = dummies(frame, mission)
        lines += [
            f"### {mission}",
            "",
            sentence(frame, mission),
            "",
            f"{n} runs; index unit 0–1.",
            "",
            "| input | role | unit | δ [95 % CI] | S1 [95 % CI] | above noise |",
            "|---|---|---|---|---|---|",
        ]
        for r in top.itertuples():
            lines.append(
                f"| {r.factor} | {r.role} | {r.unit} | {_ci(r.delta, r.delta_low, r.delta_high)}"
                f" | {_ci(r.S1, r.S1_low, r.S1_high)} | {'yes' if r.above_dummy else 'no'} |"
            )
        for role, d in reference.iterrows():
            lines.append(
                f"| *{d['factor']}* | {role} | – | {_ci(d['estimate'], d['low'], d['high'])} "
                "| – | – |"
            )
        name = shown.get(mission)
        lines += [
            "",
            f"![sensitivity of {mission} to levers and world inputs]({name})" if name else "",
            "",
        ]
    notes = frame.attrs.get("notes", [])
    if notes:
        lines += ["Not analysed:", "", *(f"* {note}" for note in notes), ""]
    return lines


def _ci(estimate: float, low: float, high: float) -> str:
    if estimate != estimate:
        return "–"
    return f"{estimate:.3f} [{low:.3f}, {high:.3f}]"
