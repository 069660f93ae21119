"""Human labels with units for the columns of a sweep's results (factors and outcomes).

Nothing is redeclared: parameters are labelled from their declarations
(:mod:`partnersim.schema.levers`), mission outcomes from the mission table (:mod:`partnersim.data`),
the headline outcomes from :data:`partnersim.runs.summary.HEADLINES` and the rest from the metric
registry (:mod:`partnersim.model.metrics`), following the column names of
:func:`partnersim.runs.runner.summarise`.
"""

from __future__ import annotations

import textwrap
from functools import cache

from partnersim import data
from partnersim.schema.levers import PARAMETERS

YES_NO = "1 = yes, 0 = no"


@cache
def _table() -> dict[str, tuple[str, str]]:
    from partnersim.model.metrics import METRICS
    from partnersim.runs.runner import milestone_column
    from partnersim.runs.summary import HEADLINES

    out: dict[str, tuple[str, str]] = {}
    for m in METRICS:
        out[f"{m.name}_final"] = (f"{m.description} (end of run)", m.unit)
        out[f"{m.name}_mean"] = (f"{m.description} (mean over quarters)", m.unit)
    for column, label, unit in HEADLINES:
        out[column] = (label, unit)
    for m in data.missions():
        out[f"{m.name}_met"] = (f"{m.label}: target met by {m.target_deadline}", YES_NO)
        out[f"{m.name}_level_at_deadline"] = (
            f"{m.label}: {m.indicator} at {m.target_deadline}",
            m.unit,
        )
        out[f"{m.name}_met_step"] = (
            f"{m.label}: first quarter the target is met",
            "step, quarters from the start",
        )
        out[f"{m.name}_gap_closed"] = (
            f"{m.label}: share of the gap to target closed (end of run)",
            "share",
        )
        out[f"{m.name}_level_final"] = (f"{m.label}: {m.indicator} (end of run)", m.unit)
        for i, milestone in enumerate(m.milestones):
            out[milestone_column(m.name, i)] = (
                f"{m.label}: milestone {milestone.target:g} {m.unit} by {milestone.deadline} met",
                YES_NO,
            )
    out.update(
        missions_met=("Missions meeting their target", f"count, 0–{len(data.missions())}"),
        mean_gap_closed=("Mean share of the gap to target closed (end of run)", "share"),
        dispute_quarters=("Union disputes, summed over quarters", "union-quarters"),
        net_cost_per_point=(
            "Net public cost per point of gap closed",
            "£bn per percentage point",
        ),
        la_gini_change=("Change in inequality between councils (end − start)", "Gini"),
        wall_seconds=("Run time", "seconds"),
        seed=("Run seed", "integer"),
    )
    for p in PARAMETERS.values():
        out[p.name] = (p.label or p.name, p.unit)
    return out


def describe(column: str) -> tuple[str, str]:
    """(label, unit) of a results column; the column name itself if it is unknown."""
    return _table().get(column, (column, ""))


def title(column: str, width: int | None = 55) -> str | list[str]:
    """An axis or legend title, "label [unit]", wrapped into lines of ``width`` characters."""
    label, unit = describe(column)
    # the unit in brackets: labels have parentheses of their own, e.g. "Mean trust (end)"
    text = f"{label} [{unit}]" if unit else label
    if width is None or len(text) <= width:
        return text
    return textwrap.wrap(text, width)
