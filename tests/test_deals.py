"""Deals with a public stake, additionality, the fiscal account, devolution by delivery role."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from partnersim import PartnershipModel, Scenario, data, run
from partnersim.model.agents.business import choose, loss_split
from partnersim.model.ledger import fiscal_balance
from partnersim.runs.summary import against_reference

SMALL = {"n_businesses": 400, "n_local_authorities": 60}


@pytest.mark.parametrize(
    ("alone", "dealt", "hurdle", "go_alone", "wants", "verdict"),
    [
        # passes alone, and the deal does not hurt: backed, it is deadweight
        (0.12, 0.15, 0.10, True, True, "deadweight"),
        # passes only with the deal: backed, it is additional
        (0.05, 0.12, 0.10, False, True, "additional"),
        # passes alone but the deal's terms cost more than its guarantee is worth: no deal
        (0.12, 0.11, 0.10, True, False, "alone"),
        # passes neither way
        (0.02, 0.08, 0.10, False, False, "nothing"),
    ],
)
def test_a_firm_compares_the_project_with_and_without_the_deal(
    alone, dealt, hurdle, go_alone, wants, verdict
):
    a, w = choose(np.array([alone]), np.array([dealt]), np.array([hurdle]))
    assert (bool(a[0]), bool(w[0])) == (go_alone, wants)
    backed = w[0]
    observed = (
        "additional"
        if backed and not a[0]
        else "deadweight"
        if backed
        else "alone"
        if a[0]
        else "nothing"
    )
    assert observed == verdict


def test_losses_hit_the_public_first_loss_tranche_first():
    firm, public = loss_split(0.5, 0.5, 1.0)  # the public's whole stake is first loss
    assert firm == pytest.approx(0.25) and public == pytest.approx(0.5)
    firm, public = loss_split(0.5, 0.5, 0.0)  # pari passu: each loses half its capital
    assert firm == pytest.approx(0.5) and public == pytest.approx(0.25)
    firm, public = loss_split(0.5, 0.0, 0.5)  # no stake: the firm bears it all
    assert firm == pytest.approx(0.5) and public == 0.0
    for loss in np.linspace(0, 1, 11):  # nothing is lost or made up
        firm, public = loss_split(loss, 0.5, 0.5)
        assert firm + public == pytest.approx(loss * 1.5)
        assert 0 <= firm <= loss + 1e-12


def same_outcomes(a, b) -> None:
    """Every recorded quantity equal, but the count of levers withdrawn (an inert lever set
    away from its status-quo value can still be withdrawn, with no effect)."""
    pd.testing.assert_frame_equal(
        a.timeseries.drop(columns="levers_withdrawn"), b.timeseries.drop(columns="levers_withdrawn")
    )


def test_a_reward_share_with_no_public_stake_changes_nothing_seed_for_seed():
    # No guarantee: the public's upside share is reward_share × risk_share = 0.
    base = Scenario.default().evolve(risk_share=0.0, **SMALL)
    rewarded = base.evolve(reward_share=0.8)
    for seed in (1, 2):
        same_outcomes(run(base, seed, steps=16), run(rewarded, seed, steps=16))
    # No deals at all (no finance alignment): every deal term is inert.
    none = Scenario.default().evolve(finance_alignment=0.0, **SMALL)
    termed = none.evolve(risk_share=0.6, reward_share=0.8, conditionality=1.0, deal_targeting=1)
    same_outcomes(run(none, 3, steps=16), run(termed, 3, steps=16))


def test_full_targeting_with_perfect_screening_backs_only_additional_projects():
    scenario = Scenario.default().evolve(
        finance_alignment=0.8, risk_share=0.5, deal_targeting=1.0, screening_noise=0.0, **SMALL
    )
    result = run(scenario, 4, steps=20)
    assert result.summary["deal_public_finance_total"] > 0
    assert result.summary["deal_additionality"] == pytest.approx(1.0)
    assert result.summary["deal_deadweight_total"] == pytest.approx(0.0, abs=1e-12)
    # first come, first served backs projects that would have gone ahead anyway too
    loose = run(scenario.evolve(deal_targeting=0.0), 4, steps=20)
    assert loose.summary["deal_additionality"] < 0.9


def test_fiscal_accounts_balance_every_quarter():
    scenario = Scenario.from_toml("scenarios/mission_driven.toml").evolve(**SMALL)
    model = PartnershipModel(scenario, rng=5)
    fiscal = data.fiscal()
    growth = data.missions()[data.MISSIONS.index("growth")]
    output = baseline = fiscal.gdp_gbp_bn * 1000
    total = 0.0
    while model.running:
        model.step()
        led = model.ledger
        parts = (
            led.public_spend
            + led.guarantee_payouts
            + led.compensation
            + led.coinvest_losses
            - led.coinvest_gains
            - led.receipts
            - led.tax_effect
        )
        assert led.net_fiscal_cost == pytest.approx(parts, rel=1e-12, abs=1e-9)
        assert fiscal_balance(led) == led.net_fiscal_cost
        # the tax effect, recomputed from the growth indicator the model recorded
        rate = float(model.recorder.column("growth_level")[-1])
        output *= (1 + rate / 100) ** 0.25
        baseline *= (1 + growth.baseline / 100) ** 0.25
        expected = scenario.tax_share * (output - baseline) / 4
        assert led.tax_effect == pytest.approx(expected, rel=1e-9, abs=1e-6)
        total += parts
        recorded = model.recorder.column("net_fiscal_cost_to_date")[-1]
        assert recorded == pytest.approx(total / 1000, rel=1e-9)


def test_devolution_leaves_a_mission_with_no_local_role_untouched():
    """The devolution mechanism passes none of such a mission's money to councils.

    With orchestration off and no deals (no pooled or recycled money that follows gaps), the
    mission's programme money is the same, quarter by quarter, whatever devolution is.
    """
    base = Scenario.default().evolve(orchestration=0.0, finance_alignment=0.0, **SMALL)
    nhs = data.MISSIONS.index("nhs")
    money = []
    for devolution in (0.0, 0.5):
        model = PartnershipModel(base.evolve(devolution=devolution), rng=9)
        model.local_delivery_share[nhs] = 0.0
        path = []
        while model.steps < 12:
            model.step()
            alloc = model.quarter.allocation
            assert np.all(alloc.la_programme[:, nhs] == 0.0)
            path.append(alloc.programme[:, nhs].copy())
        money.append(np.array(path))
    np.testing.assert_array_equal(money[0], money[1])


def test_devolution_reaches_missions_with_a_local_role():
    base = Scenario.default().evolve(orchestration=0.0, finance_alignment=0.0, **SMALL)
    model = PartnershipModel(base.evolve(devolution=0.5), rng=9)
    model.step()
    devolved = model.quarter.allocation.la_programme.sum(axis=0)
    shares = np.array([m.local_delivery_share for m in data.missions()])
    assert np.all((devolved > 0) == (shares > 0))


def test_against_reference_is_paired_by_seed():
    rows = []
    for seed, (cost, private, public) in enumerate([(10, 5, 1), (12, 7, 2), (11, 6, 1)]):
        rows.append(
            {
                "scenario": "sq",
                "seed": seed,
                "net_fiscal_cost_total": 100.0 + seed,
                "private_investment_total": 50.0,
                "deal_public_finance_total": 10.0,
            }
        )
        rows.append(
            {
                "scenario": "md",
                "seed": seed,
                "net_fiscal_cost_total": 100.0 + seed + cost,
                "private_investment_total": 50.0 + private,
                "deal_public_finance_total": 10.0 + public,
            }
        )
    out = against_reference(pd.DataFrame(rows), "sq").iloc[0]
    assert out["net_fiscal_cost_vs_reference"] == pytest.approx(11.0)
    assert out["net_fiscal_cost_low"] < 11.0 < out["net_fiscal_cost_high"]
    assert out["marginal_crowd_in"] == pytest.approx(18 / 4)
    assert out["marginal_crowd_in_low"] <= 18 / 4 <= out["marginal_crowd_in_high"]
    with pytest.raises(ValueError, match="same seeds"):
        against_reference(pd.DataFrame(rows[:-1]), "sq")
