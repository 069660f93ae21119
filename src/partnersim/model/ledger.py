"""The fiscal account: money and events of the quarter (flows) and of the run so far (totals).

Every £ figure is £m in the ledger (metrics report £bn). :func:`close_accounts`, the last
phase of a quarter, returns reward receipts, co-investment repayments and gains to the
Centre's mission pots (reallocated the next quarter), moves output on with the growth
mission's indicator, and books the quarter's flows (ODD §7.11).

**Net fiscal cost** of a quarter, against a status-quo baseline of output::

    net = spending + guarantee payouts + compensation + co-investment losses
          − co-investment gains − reward receipts − tax effect

where *spending* is the mission money spent (programmes, capability, coordination overhead and
what duplication wastes); co-investment itself is a financial transaction (an asset bought
and later repaid), so only its losses and gains count; and the *tax effect* is
``tax_share × (output − output on the baseline trend) / 4``, output following the growth
indicator from the 2024-25 level (``data/fiscal.toml``). The difference between two
scenarios' net fiscal costs on the same seeds is their fiscal cost against each other: the
spending envelope is the same, so it comes from payouts, losses, receipts and the tax effect
of the output each delivers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from partnersim.data import MISSIONS
from partnersim.model.delivery import TINY_ALLOCATION

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel
    from partnersim.model.quarter import Quarter

TOTALLED = (
    "public_spend",
    "private",
    "coinvest",
    "guarantee_cost",
    "backed_private",
    "additional_private",
    "deals",
    "additional_deals",
    "guarantee_payouts",
    "compensation",
    "coinvest_losses",
    "coinvest_gains",
    "receipts",
    "tax_effect",
    "net_fiscal_cost",
    "capability_spend",
    "overhead",
    "duplication",
    "programme",
    "diverted",
    "projects_started",
    "brokered",
    "dropped",
    "disputes_started",
)
"""Flows whose run totals are kept (``Ledger.totals``)."""

GROWTH = MISSIONS.index("growth")


@dataclass(slots=True)
class Ledger:
    """Money and events of the current quarter (flows) and of the run so far (totals), £m."""

    public_spend: float = 0.0
    programme: float = 0.0
    contributed: float = 0.0
    diverted: float = 0.0
    capability_spend: float = 0.0
    overhead: float = 0.0
    duplication: float = 0.0
    coinvest: float = 0.0
    private: float = 0.0
    guarantee_cost: float = 0.0
    backed_private: float = 0.0
    additional_private: float = 0.0
    deals: int = 0
    additional_deals: int = 0
    guarantee_payouts: float = 0.0
    compensation: float = 0.0
    coinvest_losses: float = 0.0
    coinvest_gains: float = 0.0
    receipts: float = 0.0
    repayments: float = 0.0
    released_held: float = 0.0
    envelope: float = 0.0
    tax_effect: float = 0.0
    net_fiscal_cost: float = 0.0
    output: float = 0.0
    """Output this quarter, £m a year."""
    baseline_output: float = 0.0
    """Output on the status-quo baseline trend, £m a year."""
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
    """Fiscal account: returns go to the Centre's pots; output moves; flows are booked (§7.11)."""
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
    ledger.duplication = float(alloc.duplication.sum())
    ledger.public_spend = programme + ledger.capability_spend + ledger.overhead + ledger.duplication
    ledger.coinvest = float(starts.coinvest.sum())
    ledger.private = float(starts.private.sum())
    ledger.guarantee_cost = float(starts.guarantee_cost.sum())
    ledger.backed_private = float(starts.backed_private.sum())
    ledger.additional_private = float(starts.additional_private.sum())
    ledger.deals = int(starts.deals.sum())
    ledger.additional_deals = int(starts.additional_deals.sum())
    ledger.guarantee_payouts = float(settlement.guarantee_payouts.sum())
    ledger.compensation = float(settlement.compensation.sum())
    ledger.coinvest_losses = float(settlement.coinvest_losses.sum())
    ledger.coinvest_gains = float(settlement.coinvest_gains.sum())
    ledger.receipts = float(settlement.receipts.sum())
    ledger.repayments = float(settlement.repayments.sum())
    ledger.released_held = float(alloc.released_held)
    ledger.projects_started = int(starts.started.sum())
    ledger.project_successes = settlement.successes
    ledger.project_failures = settlement.failures
    ledger.cancellations = settlement.cancellations
    ledger.envelope = float(alloc.envelope.sum() + alloc.extra_funding.sum())
    # Output follows the growth indicator (real %/yr, compounded quarterly); the baseline
    # trend is the status quo's starting growth rate.
    growth = model.missions[GROWTH]
    rate = float(growth.to_real(model.engine.I[GROWTH]))
    ledger.output *= (1.0 + rate / 100.0) ** 0.25
    ledger.baseline_output *= (1.0 + growth.baseline / 100.0) ** 0.25
    gap = ledger.output - ledger.baseline_output
    ledger.tax_effect = model.spec.values["tax_share"] * gap / 4.0
    ledger.net_fiscal_cost = fiscal_balance(ledger)
    ledger.close_quarter()


def fiscal_balance(ledger: Ledger) -> float:
    """This quarter's net fiscal cost from its parts (see the module docstring), £m."""
    return (
        ledger.public_spend
        + ledger.guarantee_payouts
        + ledger.compensation
        + ledger.coinvest_losses
        - ledger.coinvest_gains
        - ledger.receipts
        - ledger.tax_effect
    )
