"""``partnersim report DIR``: seed noise, sensitivity, scenario discovery, success by region, fans.

Writes into the sweep's ``report`` folder:

* ``report.md`` — every section, each with its tables and figures or a plain note saying why
  it was skipped (a design without sensitivity structure, too few cases of interest, a target
  never met, ...);
* ``seed_noise.csv``, ``sensitivity.csv`` (with units and SALib's raw values beside the
  clipped ones), ``success_by_region.csv``;
* the scenario-discovery results as data, ``discovery.json``: ``searches`` holds every search
  (condition, cases, PRIM's box and CART's leaf, each restriction with its kind and
  quasi-p-value, notes); ``missions`` holds, per mission, PRIM's box for its target met in the
  form the dashboard reads. ``discovery.csv`` is the same boxes as a table for people;
* PNG figures: index bars, success by region, PRIM peeling trajectories, and fan charts of
  each mission over time by factor region;
* for a sweep over plausible worlds, ``world_sensitivity.csv`` and its section: global
  sensitivity of each mission's headline outcome over the levers and the worlds' inputs
  (:mod:`partnersim.experiments.world_sensitivity`).

Every table is also returned, for notebooks.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from partnersim import data
from partnersim.experiments import analysis, figures, seeds, world_sensitivity
from partnersim.experiments.discovery import (
    MIN_CASES,
    Condition,
    DiscoveryBox,
    Search,
    describe_limit,
    factor_kind,
    mission_conditions,
    plural,
    search,
    target_everywhere,
)
from partnersim.results import Results, load, write_folder, write_json
from partnersim.results.faults import fault

DISCOVERY = "discovery.json"
"""The scenario-discovery results as data, in a sweep's ``report`` folder."""

CAVEATS = {
    "morris": (
        "A Morris design places its points on a coarse grid along one-factor-at-a-time "
        "trajectories, not evenly over the factor space: boxes found on it describe those "
        "points and are weaker evidence than boxes found on a Latin hypercube."
    ),
    "sobol": (
        "A Saltelli sample is built for variance decomposition; its points are not independent, "
        "so densities and quasi-p-values are approximate."
    ),
    "list": (
        "A list design holds hand-picked points, not a sample of the factor space: a box "
        "describes those points only."
    ),
}
"""What to keep in mind about scenario discovery on each design (none for grid and LHS)."""


@dataclass(frozen=True, slots=True)
class Report:
    """The tables of a sweep report, and where they were written.

    Attributes:
        sensitivity: :func:`~partnersim.experiments.analysis.sensitivity`'s table.
        discovery: per mission, PRIM's box for its target met (None where there is none).
        success: :func:`~partnersim.experiments.analysis.success_by_region` for every mission.
        path: the report folder.
        seed_noise: :func:`~partnersim.experiments.seeds.seed_noise`'s table.
        searches: every scenario-discovery search, success and failure of each mission first.
        world_sensitivity: for a sweep over plausible worlds,
            :func:`~partnersim.experiments.world_sensitivity.world_sensitivity`'s table (else
            None).
    """

    sensitivity: pd.DataFrame
    discovery: dict[str, DiscoveryBox | None]
    success: pd.DataFrame
    path: Path
    seed_noise: pd.DataFrame
    searches: tuple[Search, ...]
    world_sensitivity: pd.DataFrame | None = None


def build(
    results: Results | str | Path,
    n_boot: int = 100,
    *,
    conditions: Iterable[Condition | tuple[str, Condition]] = (),
    min_cases: int = MIN_CASES,
) -> Report:
    """Analyse a sweep folder and write its report (figures, CSV tables, Markdown).

    Args:
        results: a sweep's results, or its folder.
        n_boot: bootstrap resamples for the sensitivity intervals.
        conditions: scenario-discovery searches to run besides each mission's target met and
            missed (conditions, or ``(label, condition)`` pairs), reported first.
        min_cases: fewest cases of interest a box is searched for with.

    Raises:
        KeyError: a condition's outcome is not a column of the sweep's runs.
    """
    if not isinstance(results, Results):
        results = load(results)
    built: list[Report] = []
    # Written whole into a temporary folder and renamed into place: an interrupted report
    # leaves the earlier report (or none), never a mixture; an earlier report's figures
    # cannot outlive it.
    final = write_folder(
        results.path / "report",
        lambda out: built.append(_build(results, out, n_boot, conditions, min_cases)),
    )
    return dataclasses.replace(built[0], path=final)


def _build(
    results: Results,
    out: Path,
    n_boot: int,
    conditions: Iterable[Condition | tuple[str, Condition]],
    min_cases: int,
) -> Report:
    runs = results.runs
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs

    sens = analysis.sensitivity(results, n_boot=n_boot)
    noise = seeds.seed_noise(ok, analysis.OUTCOMES)
    wanted = [c if isinstance(c, tuple) else (c.text, c) for c in conditions]
    defaults = [(lab, c) for lab, c in mission_conditions(data.MISSIONS) if c.outcome in runs]
    asked = {c for _, c in wanted}
    found = tuple(
        search(results, c, label=label, min_cases=min_cases)
        for label, c in [*wanted, *((lab, c) for lab, c in defaults if c not in asked)]
    )
    boxes = {m: _met_box(found, m) for m in data.MISSIONS}
    success = pd.concat(
        [analysis.success_by_region(results, m) for m in data.MISSIONS], ignore_index=True
    )
    noise.to_csv(out / "seed_noise.csv", index=False)
    sens.to_csv(out / "sensitivity.csv", index=False)
    success.to_csv(out / "success_by_region.csv", index=False)
    write_discovery(boxes, out, found)
    fault("report:tables")

    shown: dict[str, str] = {}  # figure key -> file name
    if len(sens):
        for outcome, group in sens.groupby("outcome", sort=False):
            shown[f"sensitivity:{outcome}"] = figures.sensitivity_figure(group, outcome, out)
    for s in found:
        name = figures.trajectory_figure(s, out)
        if name:
            shown[f"prim:{s.condition.slug}"] = name
    for mission, group in success.groupby("mission", sort=False) if len(success) else []:
        if group["p_met"].nunique() > 1 or group["p_met"].between(0, 1, inclusive="neither").any():
            shown[f"success:{mission}"] = figures.success_figure(group, mission, out)
    shown.update(_fans(results, ok, out))
    text = _markdown(results, sens, noise, found, success, shown)
    over_worlds = None
    if world_sensitivity.has_worlds(results):
        over_worlds = world_sensitivity.world_sensitivity(results)
        over_worlds.to_csv(out / "world_sensitivity.csv", index=False)
        section = world_sensitivity.section(
            results, over_worlds, world_sensitivity.figures_of(over_worlds, out)
        )
        # After the sensitivity to the sweep's own factors, before scenario discovery.
        head, _, tail = text.partition("\n## Scenario discovery")
        text = "\n".join([head.rstrip("\n"), "", *section]) + "\n## Scenario discovery" + tail
    (out / "report.md").write_text(text, encoding="utf-8")
    return Report(sens, boxes, success, out, noise, found, over_worlds)


def _met_box(found: Sequence[Search], mission: str) -> DiscoveryBox | None:
    from partnersim.runs.outcomes import mission_column

    target = Condition(mission_column(mission, "met"), "==", 1.0)
    return next((s.prim for s in found if s.condition == target), None)


def _fans(results: Results, runs: pd.DataFrame, out: Path) -> dict[str, str]:
    columns = [f"{m.name}_level" for m in data.missions()]
    try:
        series = results.read_timeseries(columns=columns)
    except (KeyError, ValueError, OSError):
        return {}
    factors = [f for f in results.manifest["factors"] if f["name"] in runs]
    shown = {}
    for mission in data.missions():
        name = figures.fan_figure(mission, series, runs, factors, out)
        if name:
            shown[f"fan:{mission.name}"] = name
    return shown


def write_discovery(
    boxes: Mapping[str, DiscoveryBox | None], folder: Path, searches: Sequence[Search] = ()
) -> Path:
    """Write scenario-discovery results to ``folder``: as data (JSON) and as a table (CSV).

    ``discovery.json`` holds ``{"missions": {mission: box}, "searches": [...]}``: per mission,
    PRIM's box for its target met as
    :meth:`~partnersim.experiments.discovery.DiscoveryBox.to_dict` gives it (limits per
    restricted factor, coverage, density, mass, base rate, runs), or null; and every search as
    :meth:`~partnersim.experiments.discovery.Search.record` gives it. ``discovery.csv`` has
    one row per box found, described in words; nothing reads it back.

    Returns:
        The path of the JSON file.
    """
    path = folder / DISCOVERY
    write_json(
        {
            "missions": {m: b.to_dict() if b else None for m, b in boxes.items()},
            "searches": [s.record() for s in searches],
        },
        path,
    )
    found = [(s.label, s.condition.text, b) for s in searches for b in (s.prim, s.cart) if b]
    if not searches:
        found = [(m, f"{m}_met == 1", b) for m, b in boxes.items() if b is not None]
    pd.DataFrame(
        [
            {
                "search": label,
                "condition": condition,
                "method": b.method,
                "coverage": b.coverage,
                "density": b.density,
                "mass": b.mass,
                "base_rate": b.base_rate,
                "runs": b.runs,
                "box": "; ".join(describe_limit(r) for r in b.limits.to_dict("records")),
            }
            for label, condition, b in found
        ],
        columns=[
            "search",
            "condition",
            "method",
            "coverage",
            "density",
            "mass",
            "base_rate",
            "runs",
            "box",
        ],
    ).to_csv(folder / "discovery.csv", index=False)
    return path


# -- the Markdown ---------------------------------------------------------------------------------


def _markdown(
    results: Results,
    sens: pd.DataFrame,
    noise: pd.DataFrame,
    found: Sequence[Search],
    success: pd.DataFrame,
    shown: Mapping[str, str],
) -> str:
    m = results.manifest
    runs = results.runs
    ok = int((runs["status"] == "ok").sum()) if len(runs) else 0
    by_kind: dict[str, list[str]] = {}
    for f in m["factors"]:
        text = (
            f"{f['name']} ∈ [{f['low']:g}, {f['high']:g}]"
            if f["values"] is None
            else f"{f['name']} ∈ {{{', '.join(map(str, f['values']))}}}"
        )
        by_kind.setdefault(factor_kind(f["name"]) or "factor", []).append(text)
    lines = [
        f"# Sweep report: {m['name']}",
        "",
        f"{m.get('description', '')}",
        "",
        f"* design: **{m['design']}**, {m['runs_planned']} runs planned, {len(runs)} finished "
        f"({ok} ok, {len(runs) - ok} failed); **{m['replications']} seeds per design point** "
        f"(the same seeds at every point), root seed {m['root_seed']}",
        f"* base scenario: `{m['scenario']}` (hash {m['scenario_hash']}); "
        f"sweep hash {m['sweep_hash']}",
        *(
            [
                f"* worlds: **{len(m['worlds']['worlds'])} plausible worlds** from "
                f"`{m['worlds']['source']}`, one per run (assigned evenly from the root seed); "
                f"{len(m['worlds']['inputs'])} world inputs recorded with every run"
                + (
                    "; the replications at a design point run in different worlds, so the "
                    "seed noise below includes the worlds' differences"
                    if m["replications"] > 1
                    else ""
                )
            ]
            if m.get("worlds")
            else []
        ),
        *(f"* {plural(kind)}: " + "; ".join(texts) for kind, texts in by_kind.items()),
        "",
    ]
    lines += _noise_section(noise)
    lines += _sensitivity_section(results, sens, noise, shown)
    lines += _discovery_section(m["design"], found, shown, runs[runs["status"] == "ok"])
    lines += _success_section(success, shown)
    lines += _fan_section(shown)
    return "\n".join(lines) + "\n"


def _noise_section(noise: pd.DataFrame) -> list[str]:
    lines = [
        "## Seed noise",
        "",
        "How much of each outcome's variance is luck (the seed) rather than the factors. "
        "*Seed share*: the between-seed variance at a design point over the variance across all "
        "runs. Every point runs the same seeds, so a seed's effect common to all points cancels "
        "between points; the *point × seed SD* is the part that does not. *Noise in means*: its "
        "share of the variance of the point means the indices are computed on. Above "
        f"{seeds.NOISE_TARGET:.0%}, indices and effects partly measure noise; *seeds needed* "
        "would bring it under that.",
        "",
    ]
    if noise.empty:
        return [*lines, "No outcome to assess.", ""]
    if (noise["replications"] < 2).all():
        return [*lines, seeds.describe(noise.iloc[0]).capitalize() + ".", ""]
    lines += [
        "| outcome | unit | seeds per point | between-seed SD | point × seed SD | seed share "
        "| noise in means | seeds needed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in noise.itertuples():
        needed = (
            "–"
            if r.seeds_needed != r.seeds_needed
            else ("∞" if math.isinf(r.seeds_needed) else f"{int(r.seeds_needed)}")
        )
        lines.append(
            f"| {r.outcome} | {r.unit} | {r.replications} | {_g(r.seed_sd)} "
            f"| {_g(r.interaction_sd)} | {_pct(r.seed_share)} | {_pct(r.noise_in_means)} "
            f"| {needed} |"
        )
    few = noise[noise["noise_in_means"] > seeds.NOISE_TARGET]
    if len(few):
        lines += [
            "",
            f"**Warning: too few replications** for {len(few)} of {len(noise)} outcomes: seed "
            f"noise is more than {seeds.NOISE_TARGET:.0%} of the variance their indices "
            "apportion (" + ", ".join(few["outcome"]) + ").",
        ]
    return [*lines, ""]


def _sensitivity_section(
    results: Results, sens: pd.DataFrame, noise: pd.DataFrame, shown: Mapping[str, str]
) -> list[str]:
    lines = ["## Sensitivity", ""]
    notes = sens.attrs.get("notes", [])
    if not len(sens):
        lines += ["No sensitivity indices were computed:", ""]
        return [*lines, *(f"* {n}" for n in notes or ["no outcome varies"]), ""]
    method = sens["method"].iloc[0]
    lines += [
        f"Method: {method}; outcomes averaged over the seeds at each design point. Intervals: "
        "95 % bootstrap over seeds, re-centred on the estimate (`bootstrap_shift` in "
        "`sensitivity.csv`). Estimates and intervals are clipped to each index's domain "
        "(Sobol' and δ indices to [0, 1], μ* and σ to ≥ 0): a value outside it is estimation "
        "error, and SALib's own value is kept as `raw_estimate`. Each table says its unit.",
        "",
    ]
    if method.startswith("delta"):
        lines += [
            "SALib's δ method resamples the design points itself (δ is bias-reduced over "
            "resamples; its S1 is computed on a resample drawn with replacement), and each "
            "bootstrap draw gets fresh resamples, so these intervals hold that estimator noise "
            f"as well as seed noise ({sens.attrs.get('n_boot', '?')} draws). Every SALib call "
            "is seeded: the same sweep gives the same table.",
            "",
        ]
    checks = sens.attrs.get("checks", [])
    if checks:
        lines += ["**Read with care:**", "", *(f"* {c}" for c in checks), ""]
    noise_by = noise.set_index("outcome") if len(noise) else pd.DataFrame()
    floor = _morris_floor(results) if method == "Morris" else None  # Morris: spec is readable
    kinds = {f["name"]: factor_kind(f["name"]) for f in results.manifest["factors"]}
    for outcome, group in sens.groupby("outcome", sort=False):
        indices = list(dict.fromkeys(group["index"]))
        unit = group["unit"].iloc[0]
        lines += [f"### {outcome}", ""]
        if outcome in noise_by.index:
            lines += [f"Seed noise: {seeds.describe(noise_by.loc[outcome])}.", ""]
        lines += [
            "| factor | kind | "
            + " | ".join(f"{k} [95 % CI] ({unit})" for k in indices)
            + (" | vs seed noise |" if floor else " |"),
            "|---|---|" + "---|" * len(indices) + ("---|" if floor else ""),
        ]
        level = floor(noise_by.loc[outcome]) if floor and outcome in noise_by.index else None
        for factor, g in group.groupby("factor", sort=False):
            cells = [f"{_g(r.estimate)} [{_g(r.low)}, {_g(r.high)}]" for r in g.itertuples()]
            extra = []
            if floor:
                mu = g.loc[g["index"] == "mu_star", "estimate"]
                extra = [
                    "–"
                    if level is None or level != level
                    else ("within noise" if len(mu) and mu.iloc[0] < 2 * level else "above")
                ]
            lines.append(
                f"| {factor} | {kinds.get(factor, '')} | " + " | ".join(cells + extra) + " |"
            )
        if floor and level is not None and level == level:
            lines += [
                "",
                f"μ* of pure seed noise would be about {_g(level)} ({unit}); a μ* below "
                "twice that is *within noise*.",
            ]
        name = shown.get(f"sensitivity:{outcome}")
        lines += ["", f"![sensitivity of {outcome}]({name})" if name else "", ""]
    if notes:
        lines += ["Not computed:", "", *(f"* {n}" for n in notes), ""]
    return lines


def _morris_floor(results: Results) -> Callable[[pd.Series], float]:
    from partnersim.experiments.sweep.designs import morris_levels
    from partnersim.experiments.sweep.execute import load_spec

    levels = morris_levels(load_spec(results.path).factors)

    def floor(row: pd.Series) -> float:
        if row["replications"] < 2 or row["interaction_sd"] != row["interaction_sd"]:
            return float("nan")
        return seeds.morris_noise_floor(row["interaction_sd"], int(row["replications"]), levels)

    return floor


def _discovery_section(
    design: str, found: Sequence[Search], shown: Mapping[str, str], runs: pd.DataFrame
) -> list[str]:
    lines = [
        "## Scenario discovery (PRIM, with CART as a second method)",
        "",
        "For each condition, the *cases of interest* are the runs where it holds. PRIM's box "
        "is the densest on its peeling trajectory that covers at least half of them; "
        "restrictions that do not raise its density by at least 0.01 are dropped, and each "
        "restriction left has a **quasi-p-value** (one-sided binomial test of the box's density "
        "against the same box without it; above 0.05 it may be chance). CART's leaf is the "
        "densest of a classification tree's leaves. *Density*: share of the box's runs that are "
        "cases of interest; *coverage*: share of all cases of interest inside; *mass*: share of "
        f"all runs inside. No box is searched for with fewer than {MIN_CASES} cases of interest "
        "(or of other runs). Restrictions are grouped into **levers** (what government "
        "chooses), **uncertainties** and **assumptions** (what it does not).",
        "",
    ]
    if design in CAVEATS:
        lines += [f"**Design caveat:** {CAVEATS[design]}", ""]
    for s in found:
        heading = f"`{s.condition.text}`"
        lines += [
            f"### {s.label} ({heading})" if s.label != s.condition.text else f"### {heading}",
            "",
            f"Cases of interest: {s.cases} of {s.runs} runs (base rate {_pct(s.base_rate)}).",
            "",
        ]
        for box in (s.prim, s.cart):
            if box is None:
                continue
            lines += [
                f"**{box.method}**: density {_pct(box.density)}, coverage {_pct(box.coverage)}, "
                f"mass {_pct(box.mass)}"
                + ("; no restriction raises the density" if box.limits.empty else ""),
                "",
            ]
            if not box.limits.empty:
                lines += ["| kind | restriction | quasi-p |", "|---|---|---|"]
                for row in box.limits.to_dict("records"):
                    lines.append(f"| {row['kind']} | {describe_limit(row)} | {_p(row['qp'])} |")
                lines.append("")
        lines += [f"* {n}" for n in s.notes]
        reach = _reach(s, runs)
        if reach:
            lines.append(f"* {reach}")
        name = shown.get(f"prim:{s.condition.slug}")
        if name:
            lines += ["", f"![PRIM peeling trajectory: {s.condition.text}]({name})"]
        lines.append("")
    return lines


def _reach(s: Search, runs: pd.DataFrame) -> str | None:
    """How near the runs came to a mission's target that no run meets (or that every run meets).

    The level at the deadline of the run nearest the other side, and the median, against the
    target: how far out of reach (or how safely within it) the target is in the sweep's space.
    """
    from partnersim.runs.outcomes import mission_column
    from partnersim.runs.tables import format_outcome

    met = target_everywhere(s.condition, s.cases, s.runs)
    mission = next(
        (m for m in data.missions() if s.condition.outcome == mission_column(m.name, "met")), None
    )
    column = mission_column(mission.name, "level_at_deadline") if mission else None
    if met is None or mission is None or column not in runs:
        return None
    levels = runs.loc[runs[s.condition.outcome].notna(), column]
    nearest = levels.max() if mission.higher_is_better != met else levels.min()
    sign = "≥" if mission.higher_is_better else "≤"
    unit = mission.unit

    def text(x: float) -> str:
        return f"{format_outcome(x, unit)} {unit}"

    return (
        f"{'Nearest to missing it' if met else 'Nearest to meeting it'}: "
        f"{text(nearest)} at {mission.target_deadline} in the {'worst' if met else 'best'} run "
        f"(median {text(levels.median())}; target {sign} {text(mission.target)})."
    )


def _success_section(success: pd.DataFrame, shown: Mapping[str, str]) -> list[str]:
    lines = [
        "## Probability of meeting each target by factor region",
        "",
        "One factor at a time (thirds of each range, each listed value); the other factors vary "
        "inside each region, so this is the marginal view.",
        "",
    ]
    if success.empty:
        return [*lines, "No mission's target was assessed (the runs end before the deadlines).", ""]
    for mission, group in success.groupby("mission", sort=False):
        lines += [f"### {mission}", ""]
        total = group.groupby("factor", sort=False)[["runs"]].sum()["runs"].iloc[0]
        if f"success:{mission}" not in shown:
            p = group["p_met"].iloc[0]
            lines += [
                f"The target was met in {'all' if p == 1 else 'none'} of the {total} runs "
                "assessed, in every region: nothing to show by region.",
                "",
            ]
            continue
        lines += ["| factor | kind | region | runs | P(met) [95 % CI] |", "|---|---|---|---|---|"]
        lines += [
            f"| {r.factor} | {r.kind} | {r.region} | {r.runs} | "
            f"{r.p_met:.2f} [{r.low:.2f}, {r.high:.2f}] |"
            for r in group.itertuples()
        ]
        lines += ["", f"![success by region: {mission}]({shown[f'success:{mission}']})", ""]
    return lines


def _fan_section(shown: Mapping[str, str]) -> list[str]:
    fans = [(k.split(":", 1)[1], v) for k, v in shown.items() if k.startswith("fan:")]
    lines = ["## Missions over time by factor region", ""]
    if not fans:
        return [*lines, "No time series to draw (none recorded, or no factor varies).", ""]
    lines += [
        "Each mission's indicator, in its units, over the run: the median and 10–90 % band over "
        "the runs in each region of each factor (runs per region in the legend).",
        "",
    ]
    for mission, name in fans:
        lines += [f"![{mission} over time by factor region]({name})", ""]
    return lines


def _g(x: float) -> str:
    if x != x:
        return "–"
    return f"{x:.3f}" if abs(x) < 1000 else f"{x:,.0f}"


def _pct(x: float) -> str:
    return "–" if x != x else f"{x:.0%}"


def _p(x: float) -> str:
    if x is None or x != x:
        return "–"
    return "< 0.001" if x < 0.001 else f"{x:.3f}"
