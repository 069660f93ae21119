"""Robustness of the findings: in what share of plausible worlds does each one hold?

``partnersim validate-patterns --worlds FILE`` runs every shipped scenario in each of the first
``W`` worlds of an ensemble (:mod:`partnersim.worlds`) on ``S`` common seeds (the same seeds in
every world and scenario, so differences are paired), and decides each finding **per world**
from the mean over its seeds:

* each recommendation's effect: a scenario closes more of a mission's gap by its deadline than
  the status quo (the level assessed as ``{m}_met`` is decided), and its net public cost;
* the stylised facts that can be decided per world: crowding in (more private mission
  investment than the status quo), patience (starting late loses advantage by 2030),
  technology first (clean power closes more of its gap by 2030 than safer streets and
  opportunity), and the status quo missing the NHS target (P(met) below one half).

The share of worlds in which a finding holds says how much it depends on the assumptions; a
share near 50 % says the model cannot tell. The seed-only verdicts of the other sections are
for the shipped world alone. Risk tolerance (a grid of risk shares × delays) is not repeated per
world: it would cost 25 scenarios per world.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from partnersim import data
from partnersim.credibility.experiments import (
    COMMON_QUARTER,
    SCENARIOS,
    STEPS_2030,
    assessed_gap_closed,
    gap_closed_at,
)
from partnersim.runs.outcomes import mission_column
from partnersim.runs.runner import derive_seeds, run
from partnersim.runs.summary import wilson_interval
from partnersim.schema.scenario import Scenario
from partnersim.worlds.ensemble import World, Worlds

STATUS_QUO = "westminster_default"


def scenario_names() -> list[str]:
    """The shipped scenarios, the status quo first."""
    names = sorted(p.stem for p in SCENARIOS.glob("*.toml"))
    return [STATUS_QUO, *[n for n in names if n != STATUS_QUO]]


@dataclass(frozen=True, slots=True)
class WorldTask:
    """One world's runs (picklable): every scenario on the common seeds."""

    world: World
    seeds: tuple[int, ...]
    scale: tuple[tuple[str, Any], ...]


def run_world(task: WorldTask) -> dict[str, Any]:
    """Every shipped scenario's per-world means in one world.

    Per scenario and mission: the mean over seeds of the gap closed by the deadline and by
    2030, P(met), private investment and net fiscal cost.
    """
    missions = data.missions()
    row: dict[str, Any] = {"world": task.world.id}
    for name in scenario_names():
        scenario = Scenario.from_toml(SCENARIOS / f"{name}.toml").evolve(**dict(task.scale))
        per_seed = []
        for seed in task.seeds:
            r = run(scenario, seed, world=task.world)
            ts = r.timeseries
            out = {
                "private": r.summary["private_investment_total"],
                "cost": r.summary["net_fiscal_cost_total"],
            }
            for mission in missions:
                m = mission.name
                out[f"{m}.deadline"] = assessed_gap_closed(ts, mission, mission.deadline_step)
                out[f"{m}.2030"] = gap_closed_at(ts, m, STEPS_2030)
                out[f"{m}.met"] = float(r.summary[mission_column(m, "met")])
            per_seed.append(out)
        means = pd.DataFrame(per_seed).mean()
        row.update({f"{name}|{k}": float(v) for k, v in means.items()})
    return row


def run_ensemble(
    worlds: Worlds | list[World],
    n_seeds: int,
    *,
    root: int = 20240530,
    scale: dict[str, Any] | None = None,
    backend: str = "processes",
    workers: int | None = None,
    on_progress=None,
) -> pd.DataFrame:
    """One row per world: every scenario's per-world means (see :func:`run_world`)."""
    from partnersim.experiments.backends import make_backend

    seeds = tuple(derive_seeds(root, n_seeds))
    tasks = [WorldTask(w, seeds, tuple(sorted((scale or {}).items()))) for w in worlds]
    pool = make_backend(backend, workers=workers)
    rows = []
    try:
        for _task, row in pool.map_unordered(run_world, iter(tasks)):
            rows.append(row)
            if on_progress:
                on_progress(len(rows), len(tasks))
    finally:
        pool.close()
    return pd.DataFrame(rows).sort_values("world").reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding and the share of worlds in which it holds."""

    kind: str
    statement: str
    holds: np.ndarray
    """Per world: whether it holds."""

    @property
    def share(self) -> float:
        """Share of worlds in which the finding holds."""
        return float(np.mean(self.holds))


def findings(table: pd.DataFrame) -> list[Finding]:
    """Every finding decided per world from :func:`run_ensemble`'s table."""
    missions = data.missions()
    label = {m.name: m.label for m in missions}
    sq = STATUS_QUO
    out: list[Finding] = []

    def col(scenario: str, key: str) -> np.ndarray:
        return table[f"{scenario}|{key}"].to_numpy()

    out.append(
        Finding(
            "stylised fact",
            "mission_driven crowds in private mission investment (more than the status quo)",
            col("mission_driven", "private") > col(sq, "private"),
        )
    )
    adv_now = np.mean(
        [col("mission_driven", f"{m.name}.2030") - col(sq, f"{m.name}.2030") for m in missions],
        axis=0,
    )
    adv_late = np.mean(
        [
            col("mission_driven_delayed", f"{m.name}.2030") - col(sq, f"{m.name}.2030")
            for m in missions
        ],
        axis=0,
    )
    out.append(
        Finding(
            "stylised fact",
            f"patience: mission_driven started at once closes more of the gaps by {COMMON_QUARTER} "
            "than started late (mission_driven_delayed)",
            adv_now > adv_late,
        )
    )
    for scenario in ("westminster_default", "mission_driven"):
        tech = col(scenario, "clean_power.2030")
        ahead = (tech > col(scenario, "safe_streets.2030")) & (
            tech > col(scenario, "opportunity.2030")
        )
        out.append(
            Finding(
                "stylised fact",
                f"technology first ({scenario}): clean power closes more of its gap by "
                f"{COMMON_QUARTER} than safer streets and opportunity",
                ahead,
            )
        )
    out.append(
        Finding(
            "stylised fact",
            "the status quo misses the NHS target (P(met) below one half)",
            col(sq, "nhs.met") < 0.5,
        )
    )
    for scenario in scenario_names()[1:]:
        for m in missions:
            out.append(
                Finding(
                    "recommendation",
                    f"{scenario} closes more of the {label[m.name]} gap by its deadline than "
                    "the status quo",
                    col(scenario, f"{m.name}.deadline") > col(sq, f"{m.name}.deadline"),
                )
            )
        out.append(
            Finding(
                "fiscal",
                f"{scenario} costs the public purse more than the status quo (net fiscal cost)",
                col(scenario, "cost") > col(sq, "cost"),
            )
        )
    return out


def recommendation_table(found: list[Finding]) -> pd.DataFrame:
    """Scenarios × (missions, cost): the share of worlds of each recommendation finding."""
    rows: dict[str, dict[str, str]] = {}
    labels = {m.label: m.name for m in data.missions()}
    for f in found:
        if f.kind == "stylised fact":
            continue
        scenario = f.statement.split(" ", 1)[0]
        if f.kind == "fiscal":
            column = "costs more"
        else:
            column = next(lab for lab in labels if f" the {lab} gap " in f.statement)
        rows.setdefault(scenario, {"scenario": scenario})[column] = f"{f.share:.0%}"
    return pd.DataFrame(list(rows.values()))


def p_met_table(table: pd.DataFrame) -> pd.DataFrame:
    """P(met by deadline) per scenario and mission across worlds.

    The mean of per-world P(met), with the 10th–90th percentile of per-world P(met).
    """
    rows = []
    for scenario in scenario_names():
        row: dict[str, Any] = {"scenario": scenario}
        for m in data.MISSIONS:
            p = table[f"{scenario}|{m}.met"].to_numpy()
            row[m] = f"{p.mean():.2f} ({np.quantile(p, 0.1):.2f}–{np.quantile(p, 0.9):.2f})"
        rows.append(row)
    return pd.DataFrame(rows)


def _posterior_rows(post: pd.DataFrame) -> pd.DataFrame:
    from partnersim.worlds.fit import REFIT

    refit = {name for names in REFIT.values() for name in names}
    keep = post[post["factor"].isin(refit) | (post["ks_pvalue"].fillna(1.0) < 0.05)]
    return pd.DataFrame(
        {
            "input": keep["factor"],
            "plausible range": [
                f"{a:.3g}–{b:.3g}"
                for a, b in zip(keep["plausible_low"], keep["plausible_high"], strict=True)
            ],
            "drawn 5–50–95 %": [
                f"{a:.3g} / {b:.3g} / {c:.3g}"
                for a, b, c in zip(keep["drawn_5"], keep["drawn_50"], keep["drawn_95"], strict=True)
            ],
            "accepted 5–50–95 %": [
                f"{a:.3g} / {b:.3g} / {c:.3g}"
                for a, b, c in zip(
                    keep["accepted_5"], keep["accepted_50"], keep["accepted_95"], strict=True
                )
            ],
            "KS p": ["–" if pd.isna(p) else f"{p:.2g}" for p in keep["ks_pvalue"]],
        }
    )


def to_markdown(worlds: Worlds, table: pd.DataFrame, n_seeds: int, command: str) -> str:
    """The "robustness of the findings" section of ``docs/validation.md``."""
    from partnersim.credibility.writing import markdown_table

    n = len(table)
    post = worlds.posterior()
    moved = post[post["ks_pvalue"].notna() & (post["ks_pvalue"] < 0.01)]
    lines = [
        f"Generated by `{command}` from the ensemble `{worlds.path or 'shipped'}`: "
        f"{worlds.summary()}.",
        "",
        f"Every shipped scenario ran in the first {n} worlds on {n_seeds} common seed(s); each "
        "finding is decided per world from the mean over its seeds. Acceptance: "
        + ", ".join(f"{k} ({v})" for k, v in worlds.meta.get("rejected", {}).items())
        + (" ruled out; " if worlds.meta.get("rejected") else "none ruled out; ")
        + (
            "history matching moved "
            + ", ".join(
                f"`{r.factor}` (accepted 5–95 % {r.accepted_5:.3g}–{r.accepted_95:.3g} of drawn "
                f"{r.drawn_5:.3g}–{r.drawn_95:.3g})"
                for r in moved.itertuples()
            )
            + "; every other input spans its plausible range (the histories constrain only the "
            "inputs of the delivery laws they were fitted to)."
            if len(moved)
            else "history matching moved no input's distribution detectably (KS p ≥ 0.01): the "
            "histories constrain only the laws' own inputs, and within the plausible ranges "
            "they fit about as well everywhere, so the accepted worlds span the plausible "
            "ranges (posterior ≈ prior)."
        ),
        "",
        "Posterior against prior for the inputs the refitted laws depend on and any input "
        "history matching moved (KS p < 0.05, accepted against ruled-out draws; "
        "`Worlds.posterior()` gives every input):",
        "",
        markdown_table(_posterior_rows(post)),
        "",
        "**Stylised facts.**",
        "",
        "| finding | share of worlds | 95 % interval |",
        "|---|---|---|",
    ]
    found = findings(table)
    for f in found:
        if f.kind == "stylised fact":
            k = int(f.holds.sum())
            lo, hi = wilson_interval(k, n)
            lines.append(f"| {f.statement} | {f.share:.0%} ({k} of {n}) | {lo:.0%}–{hi:.0%} |")
    lines += [
        "",
        "**Each shipped scenario against the status quo.** Share of worlds in which it closes "
        "more of each mission's gap by the mission's deadline, and in which its net fiscal cost "
        "is higher:",
        "",
        markdown_table(recommendation_table(found)),
        "",
        "The interval is Wilson's for the share, treating the worlds as a sample of the "
        "plausible ones; it does not include seed noise within a world, which with "
        f"{n_seeds} seed(s) can flip a finding whose effect is small in that world.",
        "",
        "P(met by deadline) across worlds: the mean of the per-world P(met), with the 10th–90th "
        "percentile of per-world P(met) in brackets.",
        "",
        markdown_table(p_met_table(table)),
    ]
    return "\n".join(lines)
