"""The fiscal account: money and events of the quarter (flows) and of the run so far (totals).

Every £ figure is £m in the ledger (metrics report £bn). :func:`close_accounts`, the last
phase of a quarter, returns reward receipts, co-investment repayments and gains to the
Centre's mission pots (reallocated the next quarter) and books the quarter's flows: public
spend (programmes, capability, coordination overhead), private investment committed, public
co-investment, expected guarantee cost, guarantee payouts, co-investment losses and gains,
receipts, and counts of projects, cancellations, brokered and dropped ties and disputes (ODD
§7.11).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from partnersim.model.delivery import TINY_ALLOCATION

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel
    from partnersim.model.quarter import Quarter

TOTALLED = (
    "public_spend",
    "private",
    "coinvest",
    "guarantee_cost",
    "guarantee_payouts",
    "coinvest_losses",
    "coinvest_gains",
    "receipts",
    "capability_spend",
    "overhead",
    "programme",
    "diverted",
    "projects_started",
    "brokered",
    "dropped",
    "disputes_started",
)
"""Flows whose run totals are kept (``Ledger.totals``)."""


@dataclass(slots=True)
class Ledger:
    """Money and events of the current quarter (flows) and of the run so far (totals), £m."""

    public_spend: float = 0.0
    programme: float = 0.0
    contributed: float = 0.0
    diverted: float = 0.0
    capability_spend: float = 0.0
    overhead: float = 0.0
    coinvest: float = 0.0
    private: float = 0.0
    guarantee_cost: float = 0.0
    guarantee_payouts: float = 0.0
    coinvest_losses: float = 0.0
    coinvest_gains: float = 0.0
    receipts: float = 0.0
    repayments: float = 0.0
    released_held: float = 0.0
    envelope: float = 0.0
    projects_started: int = 0
    project_successes: int = 0
    project_failures: int = 0
    cancellations: int = 0
    brokered: int = 0
    dropped: int = 0
    disputes_started: int = 0
    totals: dict[str, float] = field(default_factory=dict)

    def close_quarter(self) -> None:
        """Add this quarter's flows to the run totals."""
        for name in TOTALLED:
            self.totals[name] = self.totals.get(name, 0.0) + getattr(self, name)


def close_accounts(model: PartnershipModel, q: Quarter) -> None:
    """Fiscal account: returns go to the Centre's pots; the quarter's flows are booked (§7.11)."""
    ledger = model.ledger
    alloc, starts, settlement, res = q.allocation, q.starts, q.settlement, q.result
    model.population.centre.held += (
        settlement.receipts + settlement.repayments + settlement.coinvest_gains
    )
    funded = q.allocation_vector > TINY_ALLOCATION
    funded[: model.functionaries.n_central] = True  # every central programme counts as funded
    programme = float(alloc.programme.sum() + alloc.la_programme.sum())
    ledger.programme = programme
    ledger.contributed = float(res.contributions[funded].sum())
    ledger.diverted = programme - ledger.contributed
    ledger.capability_spend = float(alloc.capability_spend.sum())
    ledger.overhead = float(alloc.overhead)
    ledger.coinvest = float(starts.coinvest.sum())
    ledger.public_spend = programme + ledger.capability_spend + ledger.overhead
    ledger.private = float(starts.private.sum())
    ledger.guarantee_cost = float(starts.guarantee_cost.sum())
    ledger.guarantee_payouts = float(settlement.guarantee_payouts.sum())
    ledger.coinvest_losses = float(settlement.coinvest_losses.sum())
    ledger.coinvest_gains = float(settlement.coinvest_gains.sum())
    ledger.receipts = float(settlement.receipts.sum())
    ledger.repayments = float(settlement.repayments.sum())
    ledger.released_held = float(alloc.released_held)
    ledger.projects_started = int(starts.started.sum())
    ledger.project_successes = settlement.successes
    ledger.project_failures = settlement.failures
    ledger.cancellations = settlement.cancellations
    ledger.envelope = float(alloc.envelope.sum())
    ledger.close_quarter()
