"""Sweep analysis that never misleads: designs, seed noise, honest indices, discovery, report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from partnersim import data, results
from partnersim.experiments import analysis
from partnersim.experiments.analysis import DOMAINS
from partnersim.experiments.discovery import Condition, search, search_frame
from partnersim.experiments.seeds import NOISE_TARGET, seed_noise
from partnersim.experiments.sweep import SweepSpec, plan, run_sweep
from partnersim.experiments.sweep.designs import morris_levels

from .conftest import ROOT, tiny_sweep

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


# -- the report builds on every design ------------------------------------------------------------


FACTORS = (
    "[levers]\norchestration = { low = 0.0, high = 1.0 }\nstart_step = [0, 2, 4]\n"
    "[uncertainties]\ntrust_learning_rate = { low = 0.05, high = 0.3 }\n"
)
DESIGNS = {
    "morris": f'design = "morris"\nsamples = 4\nreplications = 2\n{FACTORS}',
    "sobol": f'design = "sobol"\nsamples = 4\nreplications = 1\n{FACTORS}',
    "lhs": f'design = "lhs"\nsamples = 12\nreplications = 2\n{FACTORS}',
    "grid": 'design = "grid"\nreplications = 2\nlevels = 2\n[levers]\n'
    "orchestration = { low = 0.0, high = 1.0 }\nstart_step = [0, 4]\n",
    "list": 'design = "list"\nreplications = 2\n[[points]]\norchestration = 0.9\n'
    "[[points]]\ndevolution = 0.4\n",
}
SECTIONS = (
    "## Seed noise",
    "## Sensitivity",
    "## Scenario discovery",
    "## Probability of meeting each target by factor region",
    "## Missions over time by factor region",
)


@pytest.mark.parametrize("design", list(DESIGNS))
def test_the_report_builds_on_every_design_and_says_why_a_section_is_empty(tmp_path, design):
    from partnersim.experiments import report

    spec = tiny_sweep(tmp_path, DESIGNS[design], design, steps=17)  # opportunity is assessed
    built = report.build(run_sweep(spec, out=tmp_path / "out", backend="serial"), n_boot=5)
    text = (built.path / "report.md").read_text()
    for section in SECTIONS:
        assert section in text
        body = text.split(section, 1)[1].split("\n## ", 1)[0]
        assert body.strip(), f"{section} is empty"
    sens = built.sensitivity
    if len(sens):
        for index, (low, high) in DOMAINS.items():
            rows = sens[sens["index"] == index]
            assert rows["estimate"].between(low, high).all()
        assert (sens["low"] <= sens["estimate"]).all() and (sens["estimate"] <= sens["high"]).all()
        assert sens["unit"].str.len().gt(0).all()
    else:
        assert sens.attrs["notes"] and sens.attrs["notes"][0] in text
    # one (label, condition) per mission and outcome of its target, each with a box or a note
    assert len(built.searches) == 2 * len(data.MISSIONS)
    for s in built.searches:
        assert s.prim is not None or s.notes
    if design == "morris":
        assert "Morris design places its points on a coarse grid" in text
    if design == "sobol":  # N = 4 and one seed: both said plainly
        checks = " ".join(sens.attrs["checks"])
        assert "small design: 4 base sample N" in checks and "one seed per design point" in checks
    noise = pd.read_csv(built.path / "seed_noise.csv")
    assert set(noise["outcome"]) <= set(analysis.OUTCOMES)


def test_delta_indices_are_reproducible_and_salib_runs_on_one_blas_thread(tmp_path, monkeypatch):
    """Issue 13: the δ report took over 30 minutes on levers_lhs and changed from run to run.

    SALib's ``delta.analyze`` fits many tiny KDEs; with OpenBLAS's default thread per core each
    solve waited for a core on a busy machine (1.06 s a call against 0.11 s with one thread).
    And SALib seeds its resampling only for a truthy seed, so ``seed=0`` left δ unseeded.
    """
    from SALib.analyze import delta
    from threadpoolctl import threadpool_info

    body = DESIGNS["lhs"].replace("samples = 12", "samples = 32")  # δ needs 30 points
    loaded = run_sweep(tiny_sweep(tmp_path, body, "lhs"), out=tmp_path / "out", backend="serial")
    calls: list[tuple[int | None, list[int]]] = []
    analyze = delta.analyze

    def counted(*args, **kwargs):
        threads = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        calls.append((kwargs.get("seed"), threads))
        return analyze(*args, **kwargs)

    monkeypatch.setattr(delta, "analyze", counted)
    first = analysis.sensitivity(loaded, n_boot=4)
    assert first["method"].eq("delta (moment-independent)").all()
    outcomes = first["outcome"].nunique()
    assert len(calls) == outcomes * (1 + 4)  # the estimate and one call per bootstrap draw
    assert all(t == 1 for _, threads in calls for t in threads), calls[:3]
    assert all(s for s, _ in calls)  # SALib skips seeding on 0 or None
    second = analysis.sensitivity(loaded, n_boot=4)
    pd.testing.assert_frame_equal(first, second)


def test_seed_noise_separates_luck_from_the_factors():
    rng = np.random.default_rng(0)
    points = np.repeat(np.arange(40), 4)
    effect = np.linspace(0, 1, 40)[points]
    runs = pd.DataFrame(
        {
            "point": points,
            "mean_gap_closed": effect + rng.normal(0, 0.5, len(points)),
            "private_investment_total": effect + rng.normal(0, 0.01, len(points)),
        }
    )
    noise = seed_noise(runs, ("mean_gap_closed", "private_investment_total")).set_index("outcome")
    noisy, clean = noise.loc["mean_gap_closed"], noise.loc["private_investment_total"]
    assert noisy["seed_sd"] == pytest.approx(0.5, rel=0.2)
    assert noisy["seed_share"] > 0.6 and clean["seed_share"] < 0.01
    assert noisy["noise_in_means"] > NOISE_TARGET >= clean["noise_in_means"]
    assert noisy["seeds_needed"] > 4 and noisy["unit"] == "share"
    # common random numbers: a seed's effect shared by every point cancels between point means
    shared = pd.DataFrame({"point": points, "replication": np.tile(np.arange(4), 40)})
    luck = rng.normal(0, 1.0, 4)[shared["replication"]]
    shared["mean_gap_closed"] = effect + luck + rng.normal(0, 0.01, len(points))
    crn = seed_noise(shared, ("mean_gap_closed",)).iloc[0]
    assert crn["seed_sd"] > 0.5 and crn["interaction_sd"] < 0.05
    assert crn["seed_share"] > 0.5 and crn["noise_in_means"] < 0.01
    one_seed = seed_noise(runs.drop_duplicates("point"), ("mean_gap_closed",)).iloc[0]
    assert one_seed["replications"] == 1 and np.isnan(one_seed["seed_share"])


# -- scenario discovery --------------------------------------------------------------------------


def planted(n: int = 600, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Factors and an outcome met (mostly) inside a known box, rarely outside it."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            "orchestration": rng.uniform(0, 1, n),
            "risk_share": rng.uniform(0, 0.8, n),
            "trust_decay": rng.uniform(0, 0.2, n),
            "shock": rng.choice(["none", "energy_price", "pandemic"], n),
        }
    )
    inside = (x["orchestration"] > 0.6) & (x["risk_share"] < 0.3) & (x["shock"] != "pandemic")
    met = np.where(inside, rng.random(n) < 0.9, rng.random(n) < 0.05).astype(float)
    return x, met


def constructed(tmp_path: Path) -> results.Results:
    """A sweep's results built by hand: the planted data, no model runs."""
    x, met = planted()
    runs = x.assign(
        run_id=range(len(x)), point=range(len(x)), seed=1, status="ok", clean_power_met=met
    )
    factors = [
        {"name": n, "low": float(x[n].min()), "high": float(x[n].max()), "values": None}
        for n in ("orchestration", "risk_share", "trust_decay")
    ] + [
        {"name": "shock", "low": None, "high": None, "values": ["none", "energy_price", "pandemic"]}
    ]
    manifest = {
        "kind": "sweep", "name": "planted", "design": "lhs", "factors": factors,
        "runs_planned": len(x), "replications": 1, "root_seed": 0, "scenario": "hand-made",
        "scenario_hash": "-", "sweep_hash": "-",
    }  # fmt: skip
    return results.Results(manifest, tmp_path, runs=runs)


def test_prim_finds_a_planted_box_and_reports_quasi_p_values(tmp_path):
    from partnersim.experiments import report

    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "success_nhs.png").write_bytes(b"an earlier report's figure")
    built = report.build(
        constructed(tmp_path), conditions=[Condition.parse("clean_power_met == 1")]
    )
    assert not (built.path / "success_nhs.png").exists()
    found = built.searches[0]
    assert found.condition.text == "clean_power_met == 1" and found.label == found.condition.text
    box = found.prim.limits.set_index("factor")
    assert set(box.index) >= {"orchestration", "risk_share", "shock"}
    assert "trust_decay" not in box.index  # not in the planted rule: its restriction is dropped
    assert box.loc["orchestration", "low"] == pytest.approx(0.6, abs=0.05)
    assert box.loc["risk_share", "high"] == pytest.approx(0.3, abs=0.05)
    assert set(box.loc["shock", "values"]) == {"none", "energy_price"}
    assert (box["qp"] < 0.01).all()
    assert box["kind"].to_dict() == {
        "orchestration": "lever",
        "risk_share": "lever",
        "shock": "uncertainty",
    }
    assert found.prim.density > 0.8
    assert found.cart is not None and "orchestration" in set(found.cart.limits["factor"])
    text = (built.path / "report.md").read_text()
    assert "### `clean_power_met == 1`" in text and "| quasi-p |" in text
    record = json.loads((built.path / "discovery.json").read_text())["searches"][0]
    assert record["condition"] == "clean_power_met == 1"
    assert all(lim["qp"] < 0.01 for lim in record["prim"]["limits"].values())
    assert (built.path / f"prim_{found.condition.slug}.png").exists()
    # the target missed is the complement, and its box says where failure concentrates
    missed = search(constructed(tmp_path), Condition.parse("clean_power_met == 0"))
    assert missed.prim.density > missed.base_rate


def test_too_few_cases_of_interest_give_a_note_not_a_box():
    x, met = planted(n=200)
    met[:] = 0
    met[:3] = 1
    found = search_frame(x, met, Condition("clean_power_met", "==", 1))
    assert found.prim is None and found.cart is None
    assert "3 cases of interest are fewer than the 10" in found.notes[0]


@pytest.mark.parametrize(
    ("value", "condition", "says"),
    [
        (0, "clean_power_met == 1", "target is never met (clean_power_met == 1 in 0 of"),
        (0, "clean_power_met == 0", "target is never met (clean_power_met == 0 in 200"),
        (1, "clean_power_met == 0", "the clean_power target is met in every run"),
        (1, "clean_power_met == 1", "the clean_power target is met in every run"),
        (1, "clean_power_met > 2", "clean_power_met > 2 holds in no run"),
    ],
)
def test_a_target_never_met_or_never_missed_is_said_plainly(value, condition, says):
    """Issue 13: a shipped sweep that never meets a target gets a plain finding, not a count."""
    x, met = planted(n=200)
    met[:] = value
    found = search_frame(x, met, Condition.parse(condition), mission="clean_power")
    assert found.prim is None and found.cart is None
    (note,) = found.notes
    assert says in note and "anywhere in the space this sweep covers" in note
    assert "holds fixed, or ranges beyond its own" in note


def test_the_report_says_how_near_the_runs_came_to_a_target_never_met(tmp_path):
    from partnersim.experiments import report

    done = constructed(tmp_path)
    levels = np.linspace(80.0, 93.5, len(done.runs))
    runs = done.runs.assign(clean_power_met=0.0, clean_power_level_at_deadline=levels)
    built = report.build(results.Results(done.manifest, tmp_path, runs=runs))
    section = (
        (built.path / "report.md")
        .read_text()
        .split("### clean_power: target met", 1)[1]
        .split("\n### ", 1)[0]
    )
    assert "the clean_power target is never met (clean_power_met == 1 in 0 of 600 runs)" in section
    assert "Nearest to meeting it: 93.5 % of generation at 2030Q4 in the best run" in section
    assert "target ≥ 95.0 % of generation" in section


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("clean_power_met == 0", ("clean_power_met", "==", 0.0)),
        ("net_fiscal_cost_total>50", ("net_fiscal_cost_total", ">", 50.0)),
        (" contracting.hurdle <= 0.1 ", ("contracting.hurdle", "<=", 0.1)),
    ],
)
def test_conditions_are_read_from_text(text, expected):
    c = Condition.parse(text)
    assert (c.outcome, c.op, c.threshold) == expected
    assert Condition.parse(c.text) == c


@pytest.mark.parametrize("text", ["clean_power_met = 0", "== 0", "x > y", "x > nan"])
def test_bad_conditions_are_refused(text):
    with pytest.raises(ValueError, match=r"condition|number|finite"):
        Condition.parse(text)


def test_condition_from_a_direction():
    assert Condition.of("x", 2, "below") == Condition("x", "<", 2.0)
    assert Condition.of("x", 2, "at_least").holds(np.array([1, 2, np.nan])).tolist() == [
        False,
        True,
        False,
    ]
    with pytest.raises(ValueError, match="direction"):
        Condition.of("x", 2, "sideways")


def test_report_discover_on_the_command_line(tmp_path):
    spec = tiny_sweep(
        tmp_path,
        'design = "lhs"\nsamples = 30\nreplications = 1\n[levers]\n'
        "orchestration = { low = 0.0, high = 1.0 }\nstart_step = [0, 4, 8]\n",
        "cli",
        steps=26,
    )
    out = tmp_path / "out"
    run_sweep(spec, out=out, backend="serial")
    result = cli("report", str(out), "--bootstrap", "10", "--discover", "clean_power_met == 0",
                 "--outcome", "mean_gap_closed", "--threshold", "0.5", "--direction", "above",
                 "--min-cases", "3")  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = (out / "report" / "report.md").read_text()
    assert "### `clean_power_met == 0`" in text and "### `mean_gap_closed > 0.5`" in text
    assert "clean_power_met == 0:" in result.stdout
    searches = json.loads((out / "report" / "discovery.json").read_text())["searches"]
    assert [s["condition"] for s in searches[:2]] == [
        "clean_power_met == 0",
        "mean_gap_closed > 0.5",
    ]
    # the user's search is not repeated among the missions' defaults
    assert [s["condition"] for s in searches].count("clean_power_met == 0") == 1
    bad = cli("report", str(out), "--discover", "clean_powr_met == 0")
    assert bad.returncode == 2 and "did you mean clean_power_met" in bad.stderr
    bad = cli("report", str(out), "--discover", "clean_power_met = 0")
    assert bad.returncode == 2 and "is not a condition" in bad.stderr


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "partnersim.cli", *args], capture_output=True, text=True, timeout=600
    )
