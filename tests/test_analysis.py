"""Sweep analysis that never misleads: designs, seed noise, honest indices, discovery, report."""

from __future__ import annotations

import pytest

from partnersim.experiments.sweep import SweepSpec, plan
from partnersim.experiments.sweep.designs import morris_levels

from .conftest import ROOT

SCENARIO = ROOT / "scenarios" / "westminster_default.toml"


def spec_of(body: str, **top) -> SweepSpec:
    raw = {"name": "t", "scenario": str(SCENARIO), "seed": 3, **top}
    import tomllib

    raw.update(tomllib.loads(body))
    return SweepSpec.from_dict(raw)


LISTS = {
    "start_step": lambda k: list(range(0, 4 * k, 4)),
    "devolution": lambda k: [round(0.1 * i, 1) for i in range(k)],
}


@pytest.mark.parametrize(
    ("lists", "levels"), [((), 4), ((2,), 4), ((3,), 6), ((3, 4), 12), ((5,), 10)]
)
def test_morris_levels_give_every_list_value_the_same_number_of_levels(lists, levels):
    body = "[levers]\norchestration = { low = 0.0, high = 1.0 }\n"
    for (name, values), k in zip(LISTS.items(), lists, strict=False):
        body += f"{name} = {values(k)}\n"
    spec = spec_of(body, design="morris", samples=40)
    assert morris_levels(spec.factors) == levels
    planned = plan(spec)
    for f in spec.factors:
        if f.values is None:
            continue
        # every grid level maps to one value, and every value has L / k of the levels
        per_value = planned.groupby(f.name)[f"u_{f.name}"].nunique()
        assert set(per_value.index) == set(f.values)
        assert (per_value == levels // len(f.values)).all(), per_value
