"""Outcomes over plausible worlds × seeds: the tables ``run`` and ``compare --worlds`` print.

Input is a summary table with a ``world`` column (one row per scenario, world and seed, as
:func:`partnersim.runs.many.run_many` makes over worlds); output is tidy tables — P(met) per
scenario and mission, the headline outcomes, and for a comparison the share of worlds in
which each scenario beats the first — with the statistics of :mod:`partnersim.worlds.combine`,
and the same tables as text (:class:`~partnersim.runs.tables.TextTable`) and sentences.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from partnersim import data
from partnersim.runs.outcomes import HEADLINES, OUTCOME_INDEX, Outcome, mission_column
from partnersim.runs.tables import (
    MISSING,
    NOT_REACHED,
    Column,
    TextTable,
    format_outcome,
    interval_text,
    target_text,
)
from partnersim.worlds.combine import mean_over_worlds, proportion_over_worlds, ranking_share


def outcomes_over_worlds() -> tuple[Outcome, ...]:
    """The outcomes shown and ranked over worlds.

    Each mission's share of the gap closed, the net fiscal cost and the headline outcomes.
    """
    gaps = [OUTCOME_INDEX[mission_column(m.name, "gap_closed_final")] for m in data.missions()]
    return (*gaps, OUTCOME_INDEX["net_fiscal_cost_total"], *HEADLINES)


def per_world(summary: pd.DataFrame, scenario: str, column: str) -> pd.DataFrame:
    """One scenario's ``column`` as a worlds × seeds grid (rows and columns in run order)."""
    runs = summary[summary["scenario"] == scenario]
    grid = runs.pivot(index="world", columns="seed", values=column)
    return grid.reindex(index=runs["world"].unique(), columns=runs["seed"].unique())


def _groups(grid: pd.DataFrame) -> list[np.ndarray]:
    values = np.array(grid.to_numpy(dtype=float))  # a copy: the frame may share its memory
    values[np.isinf(values)] = np.nan
    return [row[~np.isnan(row)] for row in values]


def _scenarios(summary: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(summary["scenario"]))


def mission_outcomes_over_worlds(summary: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and mission: P(met) and the level at the deadline, pooled over worlds.

    Columns: ``scenario``, ``mission``, ``label``, ``target``, ``unit``, ``deadline``,
    ``higher_is_better``, then for P(met) and for the level (prefix ``level_``) the fields of
    :class:`~partnersim.worlds.combine.Pooled`. Runs that ended before the deadline are left
    out; ``runs`` is 0 when none reached it.
    """
    rows = []
    for scenario in _scenarios(summary):
        for m in data.missions():
            met = _groups(per_world(summary, scenario, mission_column(m.name, "met")))
            level = _groups(
                per_world(summary, scenario, mission_column(m.name, "level_at_deadline"))
            )
            rows.append(
                {
                    "scenario": scenario,
                    "mission": m.name,
                    "label": m.label,
                    "target": m.target,
                    "unit": m.unit,
                    "deadline": m.target_deadline,
                    "higher_is_better": m.higher_is_better,
                    **asdict(proportion_over_worlds(met)),
                    **{f"level_{k}": v for k, v in asdict(mean_over_worlds(level)).items()},
                }
            )
    return pd.DataFrame(rows)


def headline_outcomes_over_worlds(summary: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and outcome (:func:`outcomes_over_worlds`): the mean over worlds × seeds.

    Columns: ``scenario``, ``outcome``, ``label``, ``unit`` and the fields of
    :class:`~partnersim.worlds.combine.Pooled` (infinite values left out, as NaN ones).
    """
    rows = []
    for scenario in _scenarios(summary):
        for o in outcomes_over_worlds():
            pooled = mean_over_worlds(_groups(per_world(summary, scenario, o.name)))
            rows.append(
                {"scenario": scenario, "outcome": o.name, "label": o.label, "unit": o.unit}
                | asdict(pooled)
            )
    return pd.DataFrame(rows)


def rankings_over_worlds(summary: pd.DataFrame) -> pd.DataFrame:
    """Each scenario against the first: in what share of worlds it does better, per outcome.

    Columns: ``scenario``, ``reference``, ``outcome``, ``label``, ``direction`` and the fields
    of :class:`~partnersim.worlds.combine.Ranking` (A is ``scenario``, B the reference).

    Raises:
        ValueError: the scenarios were not run in the same worlds on the same seeds.
    """
    names = _scenarios(summary)
    reference, rows = names[0], []
    for scenario in names[1:]:
        for o in outcomes_over_worlds():
            base = per_world(summary, reference, o.name)
            other = per_world(summary, scenario, o.name)
            if list(other.index) != list(base.index) or list(other.columns) != list(base.columns):
                raise ValueError(
                    f"{scenario!r} and {reference!r} were not run in the same worlds and seeds"
                )
            ranking = ranking_share(
                other.to_numpy(dtype=float), base.to_numpy(dtype=float), o.larger_is_better
            )
            rows.append(
                {
                    "scenario": scenario,
                    "reference": reference,
                    "outcome": o.name,
                    "label": o.label,
                    "direction": str(o.direction),
                }
                | asdict(ranking)
            )
    return pd.DataFrame(rows)


# -- as text --------------------------------------------------------------------------------------


def _range_text(low: float, high: float, unit: str) -> str:
    if low != low:  # NaN
        return MISSING
    return f"{format_outcome(low, unit)}–{format_outcome(high, unit)}"


def _interval(low: float, high: float, unit: str) -> str:
    if low != low:  # NaN
        return MISSING
    return f"[{format_outcome(low, unit)}, {format_outcome(high, unit)}]"


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def mission_table_over_worlds(missions: pd.DataFrame) -> TextTable:
    """P(met) per mission and scenario, over worlds × seeds, as text.

    With its seed-only and combined 95 % intervals, the range of per-world P(met), and the
    mean level at the deadline with its combined interval.

    Args:
        missions: :func:`mission_outcomes_over_worlds`.
    """
    columns = (
        Column("mission"),
        Column("target"),
        Column("scenario"),
        Column("P(met)"),
        Column("seeds only [95%]"),
        Column("worlds × seeds [95%]"),
        Column("per-world P(met), 10–90%"),
        Column("mean at deadline [95%, worlds × seeds]"),
    )
    rows = []
    for r in missions.itertuples(index=False):
        row = r._asdict()
        if r.runs == 0:
            cells = (r.label, target_text(pd.Series(row)), r.scenario, NOT_REACHED)
            rows.append(cells + (MISSING,) * 4)
            continue
        rows.append(
            (
                r.label,
                target_text(pd.Series(row)),
                r.scenario,
                f"{r.estimate:.2f} (n={r.runs}, {r.worlds} worlds)",
                _interval(r.seed_low, r.seed_high, "share"),
                _interval(r.low, r.high, "share"),
                _range_text(r.world_p10, r.world_p90, "share"),
                interval_text(r.level_estimate, r.level_low, r.level_high, r.unit),
            )
        )
    return TextTable(columns, tuple(rows))


def headline_table_over_worlds(headlines: pd.DataFrame) -> TextTable:
    """Each outcome's mean per scenario, over worlds × seeds, as text.

    With its seed-only and combined 95 % intervals and the range of per-world means.

    Args:
        headlines: :func:`headline_outcomes_over_worlds`.
    """
    columns = (
        Column("outcome"),
        Column("scenario"),
        Column("mean"),
        Column("seeds only [95%]"),
        Column("worlds × seeds [95%]"),
        Column("per-world mean, 10–90%"),
    )
    rows = []
    for r in headlines.itertuples(index=False):
        rows.append(
            (
                r.label,
                r.scenario,
                format_outcome(r.estimate, r.unit),
                _interval(r.seed_low, r.seed_high, r.unit),
                _interval(r.low, r.high, r.unit),
                _range_text(r.world_p10, r.world_p90, r.unit),
            )
        )
    return TextTable(columns, tuple(rows))


def ranking_sentence(row: pd.Series | dict) -> str:
    """A ranking in words.

    E.g. ``"mission_driven closes more of the NHS gap than westminster_default in 87 % of
    worlds (resolved in 60 %)"``.

    Args:
        row: a row of :func:`rankings_over_worlds`.
    """
    o = OUTCOME_INDEX[row["outcome"]]
    if o.mission is not None and o.name == mission_column(o.mission, "gap_closed_final"):
        label = next(m.label for m in data.missions() if m.name == o.mission)
        verb = f"closes more of the {label} gap than"
    elif o.name == "net_fiscal_cost_total":
        verb = "costs the public purse less, net, than"
    else:
        better = "higher" if o.larger_is_better else "lower"
        verb = f"has {better} {o.label[0].lower()}{o.label[1:]} than"
    if not row["worlds"]:
        return (
            f"{row['scenario']} and {row['reference']} cannot be ranked on "
            f"{o.label[0].lower()}{o.label[1:]}: it is undefined for one of them in every world"
        )
    text = (
        f"{row['scenario']} {verb} {row['reference']} in {_percent(row['favours_a'])} of "
        f"worlds (resolved in {_percent(row['resolved_a'])}"
    )
    if row["resolved_b"] > 0:
        text += f"; the reverse resolved in {_percent(row['resolved_b'])}"
    tied = 1.0 - row["favours_a"] - row["favours_b"]
    if tied > 1e-9:
        text += f"; tied in {_percent(tied)}"
    return text + ")"


@dataclass(frozen=True, slots=True)
class OverWorlds:
    """Everything ``run`` and ``compare --worlds`` report, as tables and as text.

    Attributes:
        missions: :func:`mission_outcomes_over_worlds`.
        headlines: :func:`headline_outcomes_over_worlds`.
        rankings: :func:`rankings_over_worlds` (empty for one scenario).
    """

    missions: pd.DataFrame
    headlines: pd.DataFrame
    rankings: pd.DataFrame

    @classmethod
    def from_summary(cls, summary: pd.DataFrame) -> OverWorlds:
        """The tables of a summary with a ``world`` column (one row per run)."""
        several = len(_scenarios(summary)) > 1
        return cls(
            mission_outcomes_over_worlds(summary),
            headline_outcomes_over_worlds(summary),
            rankings_over_worlds(summary) if several else pd.DataFrame(),
        )

    def text_tables(self, runs: str) -> list[tuple[str, TextTable]]:
        """The tables as text, each with its title.

        Args:
            runs: what the tables pool, e.g. ``"3 worlds × 10 seeds"``.
        """
        return [
            (
                f"Missions over {runs} (seeds only: runs as if independent; worlds × seeds: "
                "widened by the design effect of runs sharing a world)",
                mission_table_over_worlds(self.missions),
            ),
            (
                f"Outcomes over {runs} (mean, 95% intervals, range of per-world means)",
                headline_table_over_worlds(self.headlines),
            ),
        ]

    def sentences(self) -> list[str]:
        """Each ranking in words (:func:`ranking_sentence`)."""
        return [ranking_sentence(row) for _, row in self.rankings.iterrows()]

    def files(self, heading: str, runs: str) -> dict[str, pd.DataFrame | str]:
        """The files a results folder gains: the three tables and ``worlds.md`` (the text).

        Args:
            heading: the first line of ``worlds.md`` (the ensemble's summary).
            runs: what the tables pool, for their titles.
        """
        parts = [f"# Over plausible worlds\n\n{heading}\n"]
        for title, table in self.text_tables(runs):
            parts.append(f"## {title}\n\n{table.to_markdown()}\n")
        if len(self.rankings):
            reference = self.rankings["reference"].iloc[0]
            lines = "\n".join(f"- {s}" for s in self.sentences())
            title = f"Share of worlds in which each ranking holds (against {reference})"
            parts.append(f"## {title}\n\n{lines}\n")
        out: dict[str, pd.DataFrame | str] = {
            WORLDS_MISSIONS: self.missions,
            WORLDS_OUTCOMES: self.headlines,
            WORLDS_TEXT: "\n".join(parts),
        }
        if len(self.rankings):
            out[WORLDS_RANKINGS] = self.rankings
        return out


WORLDS_MISSIONS = "worlds_missions.parquet"
"""P(met) and level per scenario and mission over worlds × seeds (:class:`OverWorlds`)."""
WORLDS_OUTCOMES = "worlds_outcomes.parquet"
"""Outcome means per scenario over worlds × seeds."""
WORLDS_RANKINGS = "worlds_rankings.parquet"
"""Share of worlds in which each scenario beats the first, per outcome (compare only)."""
WORLDS_TEXT = "worlds.md"
"""The tables and the ranking sentences as Markdown."""
