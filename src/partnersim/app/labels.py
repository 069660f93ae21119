"""Human labels with units for the columns of a sweep's results (factors and outcomes).

Nothing is redeclared: parameters are labelled from their declarations
(:mod:`partnersim.schema.levers`), outcomes from theirs (:mod:`partnersim.runs.outcomes`) and
time-series metrics from the metric registry (:mod:`partnersim.model.metrics`).
"""

from __future__ import annotations

import textwrap
from functools import cache

from partnersim.schema.levers import PARAMETERS


@cache
def _table() -> dict[str, tuple[str, str]]:
    from partnersim.model.metrics import METRICS
    from partnersim.runs.outcomes import OUTCOMES

    out: dict[str, tuple[str, str]] = {m.name: (m.description, m.unit) for m in METRICS}
    out.update({o.name: (o.label, o.unit) for o in OUTCOMES})
    out.update(
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
