"""State capability: what capability investment buys in the Centre, ministries and councils.

Capability rises by ``gain × (investment / reference) × (1 − capability)`` (diminishing
returns) and decays toward its starting level at rate ``depreciation``; with no investment it
stays at the start (ODD §7.3). Capability multiplies effective public contribution
(:mod:`partnersim.model.delivery`), project success (:mod:`partnersim.model.agents.business`)
and the Centre's monitoring and brokerage (:mod:`partnersim.model.agents.centre`).

Source: Mission Critical 01 recommendation 6 (invest in governing capability); functional
form and sizes are assumptions (data/assumptions.toml, [capability]).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel
    from partnersim.model.quarter import Quarter


def update_capability(
    capability: np.ndarray | float,
    start: np.ndarray | float,
    investment: float,
    gain: float,
    reference: float,
    depreciation: float,
) -> np.ndarray | float:
    """One quarter of capability dynamics, for any capability holder.

    Units: capability in [0, 1]; investment as a share of budget.
    """
    rise = gain * (investment / reference) * (1.0 - capability)
    return np.clip(capability + rise - depreciation * (capability - start), 0.0, 1.0)


def invest(model: PartnershipModel, q: Quarter) -> None:
    """Capability: ministries, the Centre and councils gain from investment, and depreciate."""
    cap = model.assumptions.capability
    pop = model.population
    k = q.levers.capability_investment
    args = (k, cap.gain, cap.reference_investment, cap.depreciation)
    for holder in (pop.ministries, pop.local_authorities):
        holder.capability = update_capability(holder.capability, holder.capability0, *args)
    centre = pop.centre
    centre.capability = float(update_capability(centre.capability, centre.capability0, *args))
