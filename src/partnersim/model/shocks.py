"""Shocks: energy-price, pandemic or plant-retirement shock, as the scenario sets it (ODD §7.12).

``shock = "energy_price"`` cuts growth by ``energy_growth_cut`` × ``shock_size`` at quarter
``shock_step`` + 1 and raises firms' hurdle rate by ``energy_hurdle_rise`` × size for
``duration`` quarters. ``"pandemic"`` cuts NHS RTT, school readiness and growth by
``pandemic_nhs_cut``, ``pandemic_opportunity_cut`` and ``pandemic_growth_cut`` (× size) and NHS
delivery capacity by ``pandemic_capacity_cut`` × size for ``duration`` quarters.
``"plant_retirement"`` retires clean plant worth ``retirement_cut`` × size percentage points of
demand at once (the reference is the remaining AGR nuclear fleet). Indicators move in real units
(:meth:`~partnersim.model.capacity.CapacityEngine.shift`) and then follow their laws: a cut to a
level recovers as the law adjusts; retired plant stays retired.

Source: sizes are assumptions (data/assumptions.toml, [shocks]); the pandemic's reference size
is the 2020 fall in RTT performance and output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from partnersim.data import MISSIONS

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel
    from partnersim.model.quarter import Quarter


def apply_shock(model: PartnershipModel, q: Quarter) -> None:
    """Shock: cut indicators when it hits; set this quarter's hurdle rise and capacity (§7.12)."""
    u = model.spec.values
    s = model.assumptions.shocks
    q.capacity = np.ones(len(MISSIONS))
    if u["shock"] == "none":
        return
    start = u["shock_step"] + 1
    size = u["shock_size"]
    if q.step == start:
        cuts = {
            "energy_price": {"growth": s.energy_growth_cut},
            "pandemic": {
                "nhs": s.pandemic_nhs_cut,
                "opportunity": s.pandemic_opportunity_cut,
                "growth": s.pandemic_growth_cut,
            },
            "plant_retirement": {"clean_power": s.retirement_cut},
        }[u["shock"]]
        for name, cut in cuts.items():
            model.capacity.shift(MISSIONS.index(name), -size * cut)
    if not start <= q.step < start + int(s.duration):
        return
    if u["shock"] == "energy_price":
        q.hurdle_shock = size * s.energy_hurdle_rise
    elif u["shock"] == "pandemic":
        q.capacity[MISSIONS.index("nhs")] = 1.0 - size * s.pandemic_capacity_cut
