"""Pattern-oriented validation: do the literature's stylised facts emerge, and where do they fail?

Each check runs scenarios over the same seeds and reports what the model shows next to what the
literature reports; nothing here is tuned to pass. The checks (DESIGN §7, issue "Credibility"):

1. **Crowding in.** Mission-oriented scenarios raise private mission investment; partnersim's
   deal leverage and its crowd-in ratio (extra private £ per extra public £ of project finance,
   against the status quo) are set beside the UK's £1.4–1.6 per £ of public R&D (UKRI, IPPR)
   and the National Wealth Fund's £3 target.
2. **Patience and risk tolerance.** The mission advantage (mean share of gap closed by 2030,
   mission-driven minus status quo) across start delays and public risk shares: whether it
   vanishes beyond some delay or below some risk share.
3. **Technology missions move more easily.** Share of gap closed by clean power against safer
   streets and opportunity, in the status quo and the mission-driven scenario.
4. **Status quo misses the NHS 2029 target**, as trend projections do (Health Foundation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from partnersim.runner import derive_seeds, run
from partnersim.scenario import Scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
"""The repository's scenario files (validation runs from a checkout)."""
STEPS_2030 = 26  # end of 2030Q4


@dataclass
class Check:
    """One stylised fact: what the literature says, what the model shows, and the verdict."""

    name: str
    literature: str
    finding: str
    holds: bool | None
    table: pd.DataFrame = field(default_factory=pd.DataFrame)


def _scenario(name: str, **changes) -> Scenario:
    return Scenario.from_toml(SCENARIOS / f"{name}.toml").evolve(**changes)


def _runs(scenario: Scenario, seeds: list[int]) -> pd.DataFrame:
    rows = []
    for s in seeds:
        r = run(scenario, s)
        rows.append({"seed": s, **r.summary, "gap_2030": _gap_closed_by(r.timeseries, STEPS_2030)})
    return pd.DataFrame(rows)


def _gap_closed_by(ts: pd.DataFrame, step: int) -> float:
    from partnersim.data import MISSIONS

    row = ts.iloc[min(step, len(ts) - 1)]
    return float(np.mean([row[f"{m}_gap_closed"] for m in MISSIONS]))


def crowding_in(seeds: list[int], scale: dict) -> Check:
    """Check 1: private investment, deal leverage and crowd-in against the status quo."""
    names = ["westminster_default", "mission_driven", "derisking_only", "symbiotic_partnership"]
    frames = {n: _runs(_scenario(n, **scale), seeds) for n in names}
    base = frames["westminster_default"]
    rows = []
    for n, f in frames.items():
        public = f["private_investment_total"] / f["leverage"]
        d_private = (f["private_investment_total"] - base["private_investment_total"]).median()
        d_public = (public - base["private_investment_total"] / base["leverage"]).median()
        rows.append(
            {
                "scenario": n,
                "private investment (£bn, median)": f["private_investment_total"].median(),
                "public project finance (£bn)": public.median(),
                "deal leverage (private per public £)": f["leverage"].median(),
                "crowd-in vs status quo (Δprivate / Δpublic)": d_private / d_public
                if abs(d_public) > 1e-9
                else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    md = table.set_index("scenario").loc["mission_driven"]
    sq = table.iloc[0]
    private, leverage = "private investment (£bn, median)", "deal leverage (private per public £)"
    crowd = "crowd-in vs status quo (Δprivate / Δpublic)"
    holds = bool(md[private] > sq[private])
    finding = (
        f"mission_driven commits £{md[private]:.0f}bn of private mission investment against "
        f"£{sq[private]:.0f}bn in the status quo; deal leverage {md[leverage]:.1f} (status quo "
        f"{sq[leverage]:.1f}), crowd-in {md[crowd]:.2f} extra private £ per extra public £."
    )
    return Check(
        "Mission policies crowd in private investment",
        "Deleidi & Mazzucato (2021); Dosi et al. (2023): crowding in; UK £1.4–1.6 per £ of "
        "public R&D (UKRI, IPPR); National Wealth Fund target £3 per £1.",
        finding,
        holds,
        table,
    )


def patience_and_risk(seeds: list[int], scale: dict) -> Check:
    """Check 2: the mission advantage by 2030 across start delays and risk shares."""
    base = _runs(_scenario("westminster_default", **scale), seeds)["gap_2030"].to_numpy()
    rows = []
    for start in (0, 4, 8, 12, 16):
        for risk in (0.0, 0.2, 0.4, 0.6, 0.8):
            f = _runs(
                _scenario("mission_driven", start_step=start, risk_share=risk, **scale), seeds
            )
            diff = f["gap_2030"].to_numpy() - base
            se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else np.nan
            rows.append(
                {"start_step": start, "risk_share": risk, "advantage": diff.mean(), "se": se}
            )
    table = pd.DataFrame(rows)
    grid = table.pivot(index="start_step", columns="risk_share", values="advantage")
    vanishes = table[(table["advantage"] - 2 * table["se"]) <= 0]
    finding = (
        "Mission advantage by 2030 (mean share of gaps closed, mission-driven minus status quo) "
        f"falls from {grid.iloc[0].max():.2f} (day one) to {grid.iloc[-1].max():.2f} (start in "
        f"quarter 16) at the best risk share; across risk shares at day one it ranges "
        f"{grid.iloc[0].min():.2f}–{grid.iloc[0].max():.2f}. "
        + (
            "It is not distinguishable from zero for: "
            + ", ".join(f"start {r.start_step}/risk {r.risk_share}" for r in vanishes.itertuples())
            if len(vanishes)
            else "It stays above zero (2 s.e.) everywhere on this grid."
        )
    )
    holds = bool(grid.iloc[0].mean() > grid.iloc[-1].mean())
    return Check(
        "The mission advantage needs patience and tolerance of risk",
        "Dosi, Lamperti, Mazzucato, Napoletano & Roventini (JEDC 2023): mission policies "
        "outperform only if government is patient and willing to bear risk.",
        finding,
        holds,
        table,
    )


def technology_first(seeds: list[int], scale: dict) -> Check:
    """Check 3: clean power against safer streets and opportunity."""
    rows = []
    for name in ("westminster_default", "mission_driven"):
        f = _runs(_scenario(name, **scale), seeds)
        for m in ("clean_power", "safe_streets", "opportunity", "nhs", "growth"):
            rows.append(
                {
                    "scenario": name,
                    "mission": m,
                    "gap closed (median, end)": f[f"{m}_gap_closed"].median(),
                    "P(target met)": f[f"{m}_met"].mean(),
                }
            )
    table = pd.DataFrame(rows)
    md = table[table.scenario == "mission_driven"].set_index("mission")["gap closed (median, end)"]
    holds = bool(md["clean_power"] > md["safe_streets"] and md["clean_power"] > md["opportunity"])
    finding = (
        f"mission_driven closes {md['clean_power']:.2f} of the clean-power gap against "
        f"{md['safe_streets']:.2f} (safer streets) and {md['opportunity']:.2f} (opportunity)."
    )
    return Check(
        "Technology missions move more easily than broad social ones",
        "Batbaatar, Larsson, Sandström & Wennberg (2024): technological missions succeed "
        "more often than broad social ones.",
        finding,
        holds,
        table,
    )


def status_quo_nhs(seeds: list[int], scale: dict) -> Check:
    """Check 4: the status quo and the NHS March 2029 target."""
    f = _runs(_scenario("westminster_default", **scale), seeds)
    p = f["nhs_met"].mean()
    level = f["nhs_level_at_deadline"]
    table = pd.DataFrame(
        [
            {
                "P(92 % by March 2029)": p,
                "median RTT within 18 weeks, March 2029 (%)": level.median(),
                "10th–90th percentile": f"{level.quantile(0.1):.1f}–{level.quantile(0.9):.1f}",
            }
        ]
    )
    finding = (
        f"The status quo meets 92 % by March 2029 in {p:.0%} of runs; "
        f"median {level.median():.1f} %."
    )
    return Check(
        "The status quo misses the NHS 2029 target",
        "Health Foundation trend projection: by July 2029 92 % of patients seen within "
        "~20.3 weeks, i.e. the 18-week standard missed.",
        finding,
        bool(p < 0.1),
        table,
    )


def all_checks(n_seeds: int = 20, root: int = 20240530, n_businesses: int = 1000) -> list[Check]:
    """Run every check on ``n_seeds`` common seeds."""
    seeds = derive_seeds(root, n_seeds)
    scale = {"n_businesses": n_businesses}
    return [
        crowding_in(seeds, scale),
        patience_and_risk(seeds, scale),
        technology_first(seeds, scale),
        status_quo_nhs(seeds, scale),
    ]


def to_markdown(checks: list[Check], command: str) -> str:
    """The checks as a Markdown section."""
    lines = [f"Generated by `{command}`.", ""]
    for c in checks:
        verdict = {True: "shown", False: "**not shown**", None: "inconclusive"}[c.holds]
        lines += [
            f"### {c.name} — {verdict}",
            "",
            f"*Literature:* {c.literature}",
            "",
            f"*Model:* {c.finding}",
            "",
        ]
        if len(c.table):
            lines += [markdown_table(c.table), ""]
    return "\n".join(lines)


def markdown_table(frame: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table (numbers to three significant digits)."""

    def cell(v) -> str:
        if isinstance(v, float | np.floating):
            return "–" if np.isnan(v) else f"{v:.3g}"
        return str(v)

    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])
