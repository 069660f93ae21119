"""Across-run outcomes as text: one formatting of P(met) cells and levels, for every face.

The tables of :mod:`partnersim.runs.summary` become plain rows of strings here — the
probability of meeting each target with its 95 % interval (``"0.60 [0.31, 0.83]"``, or
``"not reached"`` when no run lasted to the deadline), levels in their units (``"£1.2bn"``,
``"25,486"``) — so that the command line renders them with rich and the dashboard as Markdown,
and both say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from partnersim.runs.summary import headline_outcomes, mission_outcomes

P_MET = "P(met) [95% CI]"
"""Heading of a scenario's probability-of-meeting-the-target column."""

AT_DEADLINE = "median at deadline [10–90%]"
"""Heading of a scenario's level-at-the-deadline column."""

NOT_REACHED = "not reached"
"""P(met) cell of a mission whose deadline no run reached."""

MISSING = "–"
"""Cell of a value that does not exist (NaN, or a deadline not reached)."""


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a :class:`TextTable`: its heading, and the scenario it shows, if any."""

    label: str
    scenario: str | None = None

    def heading(self, separator: str) -> str:
        """The heading: the label, the scenario's name, or both joined by ``separator``."""
        if self.scenario is None or not self.label:
            return self.scenario or self.label
        return f"{self.scenario}{separator}{self.label}"


@dataclass(frozen=True, slots=True)
class TextTable:
    """A table of formatted cells: the first column labels the rows, the others are values.

    Attributes:
        columns: one per cell of a row.
        rows: the cells, as text.
    """

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]

    def to_markdown(self) -> str:
        """The table in GitHub-flavoured Markdown, scenario names before their headings."""
        lines = [
            "| " + " | ".join(c.heading(": ") for c in self.columns) + " |",
            "|" + "---|" * len(self.columns),
        ]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def format_outcome(value: float, unit: str = "") -> str:
    """A value in its unit: ``£1.2bn``, ``25,486`` offences, ``0.24`` for a share, ``2.0`` else.

    Args:
        value: the value; NaN prints as a dash.
        unit: the unit it is in, as declared with the mission or outcome.
    """
    if value != value:  # NaN
        return MISSING
    if unit == "£bn":
        return f"£{value:,.1f}bn"
    if unit == "offences/yr":
        return f"{value:,.0f}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}" if unit in ("share", "ratio", "0–1", "Gini") else f"{value:.1f}"


def target_text(outcome: pd.Series) -> str:
    """A mission's target, e.g. ``"≥ 95.0 % of generation by 2030Q4"``.

    Args:
        outcome: a row of :func:`~partnersim.runs.summary.mission_outcomes`.
    """
    sign = "≥" if outcome["higher_is_better"] else "≤"
    unit = outcome["unit"]
    return f"{sign} {format_outcome(outcome['target'], unit)} {unit} by {outcome['deadline']}"


def p_met_text(outcome: pd.Series) -> str:
    """P(target met), its Wilson 95 % interval and the runs behind it: ``"0.60 [0.31, 0.83] n=10"``.

    The number of seeded runs assessed is part of the cell, because the interval means little
    without it (0.60 from 10 seeds and 0.28 from 40 can be the same scenario).

    Args:
        outcome: a row of :func:`~partnersim.runs.summary.mission_outcomes`; when no run
            reached the deadline the cell reads ``"not reached"``.
    """
    n = int(outcome["runs_assessed"])
    if n == 0:
        return NOT_REACHED
    return f"{outcome['p_met']:.2f} [{outcome['p_met_low']:.2f}, {outcome['p_met_high']:.2f}] n={n}"


def seeds_advice(summary: pd.DataFrame, width: float) -> list[str]:
    """How many seeds would make every P(met) interval at most ``width`` wide, in words.

    For each scenario, the mission whose interval needs most seeds at today's estimate
    (:func:`~partnersim.runs.summary.seeds_for_width`), and how many that is; empty when every
    interval is already narrow enough (or no mission reached its deadline).

    Args:
        summary: one row per run (``summary.parquet``).
        width: the widest 95 % interval wanted, as a share (0.1 is ±0.05).
    """
    from partnersim.runs.summary import seeds_for_width

    outcomes = mission_outcomes(summary)
    outcomes = outcomes[outcomes["runs_assessed"] > 0]
    lines = []
    for scenario, group in outcomes.groupby("scenario", sort=False):
        needed = group.assign(
            needed=[seeds_for_width(p, width) for p in group["p_met"]],
            width=group["p_met_high"] - group["p_met_low"],
        )
        worst = needed.loc[needed["needed"].idxmax()]
        if (needed["width"] <= width).all():
            continue
        lines.append(
            f"{scenario}: for 95 % intervals of P(met) at most {width:.2f} wide, run about "
            f"{int(worst['needed'])} seeds (now {int(worst['runs_assessed'])}; the widest is "
            f"{worst['label']}, {worst['p_met']:.2f} [{worst['p_met_low']:.2f}, "
            f"{worst['p_met_high']:.2f}])"
        )
    return lines


def spread_text(median: float, low: float, high: float, unit: str) -> str:
    """A median and its 10th–90th percentile range, e.g. ``"£79.1bn [£79.1bn–£79.2bn]"``."""
    return (
        f"{format_outcome(median, unit)} [{format_outcome(low, unit)}–{format_outcome(high, unit)}]"
    )


def level_text(outcome: pd.Series) -> str:
    """A mission's median level at its deadline with the 10th–90th percentile range.

    Args:
        outcome: a row of :func:`~partnersim.runs.summary.mission_outcomes`; when no run
            reached the deadline the cell is a dash.
    """
    if outcome["runs_assessed"] == 0:
        return MISSING
    return spread_text(
        outcome["median_at_deadline"],
        outcome["p10_at_deadline"],
        outcome["p90_at_deadline"],
        outcome["unit"],
    )


def mission_table(summary: pd.DataFrame, *, levels: bool = True) -> TextTable:
    """Per mission: its target, then for each scenario P(met) and (optionally) the level.

    Args:
        summary: one row per run (``summary.parquet``), scenarios in the order to show.
        levels: also show each scenario's median level at the deadline.
    """
    outcomes = mission_outcomes(summary)
    names = list(dict.fromkeys(outcomes["scenario"]))
    columns = [Column("mission"), Column("target")]
    for name in names:
        columns.append(Column(P_MET, name))
        if levels:
            columns.append(Column(AT_DEADLINE, name))
    rows = []
    for label, group in outcomes.groupby("label", sort=False):
        cells = [label, target_text(group.iloc[0])]
        for name in names:
            outcome = group[group["scenario"] == name].iloc[0]
            cells.append(p_met_text(outcome))
            if levels:
                cells.append(level_text(outcome))
        rows.append(tuple(cells))
    return TextTable(tuple(columns), tuple(rows))


def headline_table(summary: pd.DataFrame) -> TextTable:
    """Per partnership and fiscal outcome: each scenario's median [10–90 %] over runs.

    Args:
        summary: one row per run (``summary.parquet``), scenarios in the order to show.
    """
    heads = headline_outcomes(summary)
    names = list(dict.fromkeys(heads["scenario"]))
    rows = []
    for label, group in heads.groupby("label", sort=False):
        unit = group.iloc[0]["unit"]
        cells = [label]
        for name in names:
            row = group[group["scenario"] == name].iloc[0]
            cells.append(spread_text(row["median"], row["p10"], row["p90"], unit))
        rows.append(tuple(cells))
    return TextTable((Column("outcome"), *(Column("", n) for n in names)), tuple(rows))


def interval_text(value: float, low: float, high: float, unit: str = "") -> str:
    """A value with its 95 % interval, e.g. ``"£-12.3bn [£-20.1bn, £-4.5bn]"``."""
    if value != value:  # NaN
        return MISSING
    return (
        f"{format_outcome(value, unit)} [{format_outcome(low, unit)}, {format_outcome(high, unit)}]"
    )


def reference_table(summary: pd.DataFrame) -> TextTable:
    """Each scenario against the first one, on the same seeds: fiscal cost and crowding-in.

    Rows: the net fiscal cost against the first scenario (spend, payouts, losses, receipts and
    the tax on output, £bn over the run, 95 % interval), the extra private investment and
    public deal finance, the marginal crowd-in (bootstrap 95 % interval), and each scenario's
    per-deal leverage and additionality (medians), with the published reference ranges in the
    row labels.

    Args:
        summary: one row per run of two or more scenarios on the same seeds; the first is the
            reference.
    """
    from partnersim.runs.summary import against_reference

    names = list(dict.fromkeys(summary["scenario"]))
    reference, others = names[0], names[1:]
    vs = against_reference(summary, reference).set_index("scenario")
    medians = summary.groupby("scenario")[["deal_leverage", "deal_additionality"]].median()
    labels = {"crowd_in": "(a)", "deal_leverage": "(b)", "deal_additionality": "(c)"}

    def with_refs(label: str, measure: str) -> str:
        return f"{label} {labels[measure]}"

    rows = [
        (
            f"Net fiscal cost against {reference} (£bn over the run)",
            *(
                interval_text(
                    vs.loc[n, "net_fiscal_cost_vs_reference"],
                    vs.loc[n, "net_fiscal_cost_low"],
                    vs.loc[n, "net_fiscal_cost_high"],
                    "£bn",
                )
                for n in others
            ),
        ),
        (
            f"Extra private investment against {reference}",
            *(format_outcome(vs.loc[n, "extra_private_investment"], "£bn") for n in others),
        ),
        (
            f"Extra public deal finance against {reference}",
            *(format_outcome(vs.loc[n, "extra_public_deal_finance"], "£bn") for n in others),
        ),
        (
            with_refs("Marginal crowd-in: extra private £ per extra public £", "crowd_in"),
            *(
                interval_text(
                    vs.loc[n, "marginal_crowd_in"],
                    vs.loc[n, "marginal_crowd_in_low"],
                    vs.loc[n, "marginal_crowd_in_high"],
                    "ratio",
                )
                for n in others
            ),
        ),
    ]
    columns = (Column("against the first scenario"), *(Column("", n) for n in others))
    per_scenario = [
        (
            with_refs("Per-deal leverage, median", "deal_leverage"),
            *(format_outcome(medians.loc[n, "deal_leverage"], "ratio") for n in others),
        ),
        (
            with_refs("Additionality of deals, median", "deal_additionality"),
            *(format_outcome(medians.loc[n, "deal_additionality"], "share") for n in others),
        ),
    ]
    return TextTable(columns, tuple(rows + per_scenario))


def reference_notes() -> list[str]:
    """The published figures :func:`reference_table`'s rows (a)–(c) are set beside."""
    from partnersim import data

    keys = {"crowd_in": "(a)", "deal_leverage": "(b)", "deal_additionality": "(c)"}
    out = []
    for measure, key in keys.items():
        figures = [r for r in data.references() if r.measure == measure]
        text = "; ".join(f"{r.describe()} ({r.status})" for r in figures)
        out.append(f"{key} reference: {text}")
    return out
