"""One quarter's record: the levers in force and the values each phase hands to the next.

A step of :class:`~partnersim.model.partnership.PartnershipModel` runs its phases in order
(:data:`partnersim.model.partnership.PHASES`); each phase reads the model's persistent state
and this quarter's :class:`Quarter`, and writes what later phases need into it, so nothing
that lives for one quarter is left on the model. The last quarter's record stays readable as
``model.quarter`` (for metrics and inspection).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from partnersim.schema.levers import LEVER_NAMES, PARAMETERS

if TYPE_CHECKING:
    from partnersim.model.agents.business import Settlement, Starts
    from partnersim.model.agents.centre import Allocation
    from partnersim.model.capacity import CapacityStep
    from partnersim.model.indicators import StepResult
    from partnersim.model.interaction import TieAggregates
    from partnersim.schema.scenario import Scenario


class LeverValues(Mapping[str, float]):
    """The scheduled levers in force in one quarter, by name and as attributes.

    Generated from the lever declarations (every lever but the timing one): a lever declared in
    :mod:`partnersim.schema.levers` appears here with no other edit.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, float]):
        self._values = dict(values)

    def __getattr__(self, name: str) -> float:
        if name.startswith("_"):  # not a lever (and ``_values`` itself while unpickling)
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> float:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"LeverValues({inner})"


class LeverSchedule:
    """When each lever takes its scenario value: the status-quo default before its start.

    Args:
        scenario: the scenario whose lever values and start quarters are scheduled.
    """

    def __init__(self, scenario: Scenario):
        values = scenario.values
        self._plan = {
            name: (PARAMETERS[name].default, values[name], scenario.lever_start(name))
            for name in LEVER_NAMES
        }
        self.withdrawable = tuple(name for name in LEVER_NAMES if PARAMETERS[name].withdrawable)
        """The levers a fiscal event can withdraw, in declaration order."""

    def default(self, name: str) -> float:
        """A lever's status-quo value."""
        return self._plan[name][0]

    def at(self, step: int, withdrawn: frozenset[str] | set[str] = frozenset()) -> LeverValues:
        """The levers in force during quarter ``step`` (1-based; 0 is the starting state).

        A lever in ``withdrawn`` has its status-quo value.
        """
        quarter = step - 1
        return LeverValues(
            {
                name: (value if quarter >= start and name not in withdrawn else default)
                for name, (default, value, start) in self._plan.items()
            }
        )


@dataclass(slots=True)
class Quarter:
    """Values that pass between the phases of one step (set by the phase named beside each).

    Attributes:
        step: the quarter being simulated (1 = the first).
        levers: the levers in force.
        fiscal_year_start: whether a fiscal year starts this quarter (annual budgets are set).
    """

    step: int
    levers: LeverValues
    fiscal_year_start: bool
    hurdle_shock: float = 0.0
    """Rise in firms' hurdle rates from a shock (``shocks.apply_shock``)."""
    capacity: np.ndarray | None = None
    """Per mission, the factor a shock leaves of delivery capacity (``shocks.apply_shock``)."""
    finance_effective: float = 0.0
    """finance_alignment as delivered through HM Treasury's alignment (``ministry.govern``)."""
    allocation: Allocation | None = None
    """Where the quarter's mission money went (``centre.allocate_budgets``, completed by
    ``centre.fund_programmes``)."""
    ties: TieAggregates | None = None
    """Each actor's trust-weighted ties this quarter (``interaction.read_ties``)."""
    settlement: Settlement | None = None
    """Projects that ended or were cancelled (``business.settle_projects``)."""
    starts: Starts | None = None
    """Projects started (``business.start_projects``)."""
    workforce: np.ndarray | None = None
    """Per mission, the multiplier of delivery from union stances (``union.take_stances``)."""
    allocation_vector: np.ndarray | None = None
    """P: money per PPI functionary, £m (``delivery.deliver``)."""
    effectiveness: np.ndarray | None = None
    """Effectiveness weight of each functionary's contribution (``delivery.deliver``)."""
    private: np.ndarray | None = None
    """Private contribution to each indicator (``delivery.deliver``)."""
    level_before: np.ndarray | None = None
    """Indicator levels before this quarter's change (``delivery.deliver``)."""
    result: StepResult | None = None
    """What the contribution step produced, with each mission's drive (``delivery.deliver``)."""
    drive: np.ndarray | None = None
    """Per mission, effective money reaching it × workforce, £m (``delivery.deliver``)."""
    delivery: CapacityStep | None = None
    """Resourcing, capacity and the indicators in real units (``delivery.deliver``)."""
    improved: np.ndarray | None = None
    """Per council, whether its mission-average level rose (``local_authority.update_places``)."""
    spend_per_head: np.ndarray | None = None
    """Per region, mission money reaching it per resident, £ a year
    (``local_authority.update_places``)."""
