"""Robust policy design: optimisation files, robustness metrics, the search, its folder, report."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from partnersim.design import robustness
from partnersim.design.report import hypervolume, normalise
from partnersim.design.search import (
    BASELINE,
    PARETO,
    committed_runs,
    objective_values,
    optimise,
    spec_of,
)
from partnersim.design.spec import Metric, OptimiseError, OptimiseSpec
from partnersim.experiments.discovery import Condition
from partnersim.runs.outcomes import Direction

from .conftest import ROOT, cli
from .test_cli import assert_clean_failure

# -- files ---------------------------------------------------------------------------------------

TINY_SCENARIO = (
    f'extends = "{ROOT / "scenarios" / "westminster_default.toml"}"\n'
    "[scale]\nn_businesses = 40\nn_local_authorities = 12\n"
)

TINY_SPEC = """\
name = "tiny_design"
description = "A small search over three levers (tests)."
scenario = "tiny.toml"
evaluations = {evaluations}
population = 6
seeds = 1
seed = 11
worlds = "shipped"
world_count = 2
steps = 20

[levers]
orchestration = {{ low = 0.0, high = 1.0 }}
nhs_funding = {{ low = 0.5, high = 3.0 }}
start_step = {{ low = 0, high = 4 }}

[[objectives]]
outcome = "mean_gap_closed"
name = "gap_closed"
epsilon = 0.01

[[objectives]]
outcome = "net_fiscal_cost_total"
against_baseline = true
name = "extra_cost"
epsilon = 1.0

[robustness]
criteria = ["mean_gap_closed >= 0.1"]

[vulnerability]
world_count = 12
"""


def tiny_spec(folder: Path, evaluations: int = 12) -> Path:
    (folder / "tiny.toml").write_text(TINY_SCENARIO)
    path = folder / "tiny_design.toml"
    path.write_text(TINY_SPEC.format(evaluations=evaluations))
    return path


def test_the_shipped_optimisation_file_validates():
    spec = OptimiseSpec.from_toml("robust_package")
    assert spec.worlds is not None and spec.runs_per_evaluation >= 10
    assert {f.name for f in spec.factors} >= {"orchestration", "start_step", "nhs_funding"}
    names = [m.name for m in spec.objectives]
    assert any("fiscal" in m.outcome for m in spec.objectives), names
    text = (ROOT / "sweeps" / "robust_package.toml").read_text()
    assert text.startswith("# Question:")


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ('colour = "red"\n', ["colour", "unknown key"]),
        ('[[objectives]]\noutcome = "growth_mett"\n', ["objectives[2].outcome", "growth_met"]),
        ('[[objectives]]\noutcome = "missions_met"\n', ["objectives[2].epsilon"]),
        ('[[objectives]]\noutcome = "growth_met"\nstatistic = "median"\n', ["median", "mean"]),
        ('[[constraints]]\nobjective = "nope"\nat_least = 1\n', ["constraints[0].objective"]),
        ("[levers.business_risk_appetite]\nlow = 0.1\nhigh = 0.5\n", ["only levers"]),
    ],
)
def test_bad_optimisation_files_name_the_key(tmp_path, body, fragments):
    path = tiny_spec(tmp_path)
    path.write_text(path.read_text() + body)
    with pytest.raises(OptimiseError) as error:
        OptimiseSpec.from_toml(path)
    text = str(error.value)
    assert str(path) in text
    for fragment in fragments:
        assert fragment in text, text


def test_a_lever_start_after_the_run_is_refused(tmp_path):
    path = tiny_spec(tmp_path)
    path.write_text(path.read_text().replace("high = 4 }", "high = 20 }"))
    with pytest.raises(OptimiseError, match="run length"):
        OptimiseSpec.from_toml(path)


def test_the_cli_refuses_a_bad_file_cleanly_and_writes_nothing(tmp_path):
    path = tiny_spec(tmp_path)
    path.write_text(path.read_text().replace('"mean_gap_closed"\n', '"mean_gap"\n', 1))
    out = tmp_path / "out"
    result = cli("optimise", str(path), "--out", str(out))
    assert_clean_failure(result, "mean_gap", str(path))
    assert not out.exists()


def test_a_sweep_of_an_optimisation_file_points_to_optimise(tmp_path):
    result = cli(
        "sweep", str(ROOT / "sweeps" / "robust_package.toml"), "--out", str(tmp_path / "x")
    )
    assert_clean_failure(result, "partnersim optimise")


def test_candidates_decode_to_valid_lever_values(tmp_path):
    import platypus

    from partnersim.design.search import _types, decode

    path = tiny_spec(tmp_path)
    text = path.read_text().replace("start_step = {{ low = 0, high = 4 }}", "")
    text = text.replace("start_step = { low = 0, high = 4 }", "start_step = [0, 2, 4]")
    path.write_text(text)
    spec = OptimiseSpec.from_toml(path)
    types = _types(spec)
    assert [type(t) for t in types] == [platypus.Real, platypus.Real, platypus.Integer]
    values = decode(spec, types, [0.12345678, 2.0004, types[2].encode(2)])
    # ranges are rounded to a thousandth of their width; a list is a category by index
    assert values == {"orchestration": 0.123, "nhs_funding": 2.0, "start_step": 4}
    spec.package(values, "p")  # a valid scenario


# -- robustness metrics on a constructed ensemble ------------------------------------------------


def constructed() -> pd.DataFrame:
    """Two packages, three worlds, two seeds; values chosen to be checked by hand."""
    rows = []
    growth = {  # (package, world) -> the two seeds' growth_met
        ("A", 0): (1, 1), ("A", 1): (1, 0), ("A", 2): (0, 0),
        ("B", 0): (1, 0), ("B", 1): (1, 1), ("B", 2): (1, 0),
    }  # fmt: skip
    cost = {  # (package, world) -> the two seeds' net fiscal cost
        ("A", 0): (10, 20), ("A", 1): (30, 40), ("A", 2): (50, 60),
        ("B", 0): (0, 10), ("B", 1): (40, 60), ("B", 2): (20, 20),
    }  # fmt: skip
    for (package, world), values in growth.items():
        for seed, g in enumerate(values):
            rows.append(
                {
                    "package": package,
                    "world": world,
                    "seed": seed,
                    "growth_met": float(g),
                    "net_fiscal_cost_total": float(cost[package, world][seed]),
                }
            )
    return pd.DataFrame(rows)


def test_robustness_metrics_match_hand_computed_values():
    runs = constructed()
    a, b = runs[runs["package"] == "A"], runs[runs["package"] == "B"]
    p_met = Metric("p", "growth_met", "mean", Direction.MAXIMISE, 0.05)
    assert robustness.metric_value(a, p_met) == pytest.approx(3 / 6)
    assert robustness.metric_value(b, p_met) == pytest.approx(4 / 6)
    # A's world means of growth_met: 1, 0.5, 0; the worst world is 0
    worst = Metric("w", "growth_met", "worst", Direction.MAXIMISE, 0.05)
    assert robustness.metric_value(a, worst) == 0.0
    # cost: A's world means 15, 35, 55 (minimise): the worst world 55; the 10 % worst (90th
    # percentile of 15, 35, 55, linear interpolation) = 35 + 0.8 * 20 = 51
    assert (
        robustness.metric_value(
            a, Metric("c", "net_fiscal_cost_total", "worst", Direction.MINIMISE, 1)
        )
        == 55
    )
    p10 = Metric("c", "net_fiscal_cost_total", "percentile", Direction.MINIMISE, 1, 10)
    assert robustness.metric_value(a, p10) == pytest.approx(51.0)
    # growth (maximise): the 10th percentile of B's world means 0.5, 1, 0.5 = 0.5
    g10 = Metric("g", "growth_met", "percentile", Direction.MAXIMISE, 0.05, 10)
    assert robustness.metric_value(b, g10) == pytest.approx(0.5)
    # satisficing: worlds where P(growth) >= 0.5 and mean cost <= 40
    criteria = [
        Condition.parse("growth_met >= 0.5"),
        Condition.parse("net_fiscal_cost_total <= 40"),
    ]
    assert robustness.satisficing(a, criteria) == pytest.approx(2 / 3)  # worlds 0, 1
    assert robustness.satisficing(b, criteria) == pytest.approx(2 / 3)  # worlds 0, 2 (1 costs 50)
    # regret on growth: world means A 1, .5, 0; B .5, 1, .5 -> A's shortfall 0, .5, .5
    regret = robustness.regret(runs, "growth_met", "package")
    assert regret.loc["A", "max_regret"] == pytest.approx(0.5)
    assert regret.loc["B", "max_regret"] == pytest.approx(0.5)
    assert regret.loc["A", "mean_regret"] == pytest.approx(1 / 3)
    # regret on cost (minimise): A 15, 35, 55; B 5, 50, 20 -> A 10, 0, 35; B 0, 15, 0
    cost_regret = robustness.regret(runs, "net_fiscal_cost_total", "package")
    assert cost_regret.loc["A", "max_regret"] == pytest.approx(35)
    assert cost_regret.loc["B", "max_regret"] == pytest.approx(15)
    assert cost_regret.loc["B", "mean_regret"] == pytest.approx(5)


def test_against_the_baseline_pairs_world_and_seed():
    runs = constructed()
    baseline = runs[runs["package"] == "A"].drop(columns=["package"])
    paired = robustness.with_baseline(runs, baseline, ["net_fiscal_cost_total_vs_baseline"])
    a = paired[paired["package"] == "A"]
    assert (a["net_fiscal_cost_total_vs_baseline"] == 0).all()
    b = paired[paired["package"] == "B"]
    assert b["net_fiscal_cost_total_vs_baseline"].tolist() == [-10, -10, 10, 20, -30, -40]
    with pytest.raises(ValueError, match="no baseline run"):
        robustness.with_baseline(
            runs, baseline[baseline["world"] != 2], ["net_fiscal_cost_total_vs_baseline"]
        )


def test_hypervolume_of_known_fronts():
    # two objectives, exact: the staircase of (1, .2), (.5, .6), (.2, 1)
    points = np.array([[1.0, 0.2], [0.5, 0.6], [0.2, 1.0]])
    assert hypervolume(points) == pytest.approx(1 * 0.2 + 0.5 * 0.4 + 0.2 * 0.4)
    # three objectives, Monte Carlo: the single point (.5, .5, .5) dominates 1/8 of the box
    assert hypervolume(np.array([[0.5, 0.5, 0.5]])) == pytest.approx(0.125, abs=0.01)
    scaled = normalise(np.array([[10.0, 1.0]]), [True, False], np.array([[0.0, 0.0], [20.0, 2.0]]))
    assert scaled.tolist() == [[0.5, 0.5]]


# -- the search on a problem with a known front --------------------------------------------------


def zdt1(scenario, seed, world):
    """ZDT1 (Zitzler, Deb & Thiele 2000) on three levers: the front is f2 = 1 − √f1."""
    x = [scenario.orchestration, scenario.partnership, scenario.conditionality]
    f1 = x[0]
    g = 1 + 9 * (x[1] + x[2]) / 2
    return {"net_fiscal_cost_total": f1, "guarantee_payouts_total": g * (1 - math.sqrt(f1 / g))}


ZDT1_SPEC = """\
name = "zdt1"
description = "A known front, through the search's pipeline."
scenario = "westminster_default"
evaluations = 3000
population = 40
seeds = 1
seed = 3

[levers]
orchestration = { low = 0.0, high = 1.0 }
partnership = { low = 0.0, high = 1.0 }
conditionality = { low = 0.0, high = 1.0 }

[[objectives]]
outcome = "net_fiscal_cost_total"
epsilon = 0.01

[[objectives]]
outcome = "guarantee_payouts_total"
epsilon = 0.01
"""


def test_the_search_recovers_a_known_pareto_front(tmp_path):
    path = tmp_path / "zdt1.toml"
    path.write_text(ZDT1_SPEC)
    spec = OptimiseSpec.from_toml(path)
    outcome = optimise(spec, tmp_path / "out", backend="serial", simulate=zdt1)
    front = outcome.pareto[["net_fiscal_cost_total_mean", "guarantee_payouts_total_mean"]]
    found = front.to_numpy(dtype=float)
    # minimise both; the box is [0, 1] × [0, 1] with the reference point (1, 1)
    scaled = normalise(found, [False, False], np.array([[0.0, 0.0], [1.0, 1.0]]))
    true_f1 = np.linspace(0, 1, 2001)
    true = normalise(
        np.column_stack([true_f1, 1 - np.sqrt(true_f1)]),
        [False, False],
        np.array([[0.0, 0.0], [1.0, 1.0]]),
    )
    found_hv, true_hv = hypervolume(scaled), hypervolume(true)
    assert true_hv == pytest.approx(2 / 3, abs=1e-3)
    assert found_hv >= 0.97 * true_hv, (found_hv, true_hv)  # within 3 % of the true front's
    # every package sits within 0.05 of the front
    gap = found[:, 1] - (1 - np.sqrt(np.clip(found[:, 0], 0, 1)))
    assert gap.max() < 0.05


# -- the real model: determinism, resume, packages, report -------------------------------------


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """A tiny search run serially, and the same search on two worker processes."""
    folder = tmp_path_factory.mktemp("design")
    path = tiny_spec(folder)
    spec = OptimiseSpec.from_toml(path)
    serial = optimise(spec, folder / "serial", backend="serial")
    processes = optimise(spec, folder / "processes", backend="processes", workers=2)
    return {"path": path, "spec": spec, "serial": serial, "processes": processes}


def test_the_same_spec_and_seed_give_the_same_pareto_set_on_every_backend(searched):
    a, b = searched["serial"].pareto, searched["processes"].pareto
    assert len(a) >= 1
    pd.testing.assert_frame_equal(a, b)
    runs_a = committed_runs(searched["serial"].folder).drop(columns=["seconds"])
    runs_b = committed_runs(searched["processes"].folder).drop(columns=["seconds"])
    key = ["evaluation", "world", "seed"]
    pd.testing.assert_frame_equal(
        runs_a.sort_values(key).reset_index(drop=True),
        runs_b.sort_values(key).reset_index(drop=True),
    )
    manifest = json.loads((searched["serial"].folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["optimiser"]["library"] == "platypus-opt"
    assert manifest["seeds"] and manifest["worlds"]["ids"] == [0, 1]


def test_the_dask_backend_gives_the_same_pareto_set(searched, tmp_path):
    pytest.importorskip("distributed")
    on_dask = optimise(searched["spec"], tmp_path / "dask", backend="dask", workers=2)
    pd.testing.assert_frame_equal(on_dask.pareto, searched["serial"].pareto)


def test_a_finished_search_run_again_replays_without_running(searched):
    again = optimise(searched["spec"], searched["serial"].folder, backend="serial")
    assert again.computed == 0 and again.replayed == searched["serial"].evaluations
    pd.testing.assert_frame_equal(again.pareto, searched["serial"].pareto)


def test_resume_after_sigkill_gives_the_uninterrupted_archive(searched, tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "partnersim.cli", "optimise", str(searched["path"]),
         "--out", str(out), "--workers", "2", "--quiet"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    ledger = out / "shards.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if ledger.exists() and len(ledger.read_text().splitlines()) >= 5:  # baseline + 4 packages
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert not (out / PARETO).exists()
    recorded = committed_runs(out)["evaluation"].nunique()
    assert recorded >= 5
    result = cli("resume", str(out), "--workers", "2", "--quiet")
    assert result.returncode == 0, result.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / PARETO), searched["serial"].pareto)
    history = json.loads((out / "manifest.json").read_text())["history"]
    assert history[-1]["evaluations_replayed"] == recorded - 1  # all but the baseline


def test_every_pareto_package_reproduces_its_objectives_with_partnersim_run(searched, tmp_path):
    folder = searched["serial"].folder
    spec = spec_of(folder)
    pareto = searched["serial"].pareto
    runs = committed_runs(folder)
    baseline = runs[runs["evaluation"] == BASELINE]
    for row in pareto.head(2).to_dict("records"):  # two packages keep the test quick
        path = folder / "packages" / f"{row['package']}.toml"
        text = path.read_text()
        assert tomllib.loads(text)["extends"]
        check = cli("validate", str(path))
        assert check.returncode == 0, check.stderr
        out = tmp_path / row["package"]
        seeds = ["--seed", str(spec.seed), "--seeds", str(spec.seeds)]
        worlds = ["--worlds", "shipped", "--world-count", "2"]
        result = cli("run", str(path), *seeds, *worlds, "--out", str(out), "--quiet")
        assert result.returncode == 0, result.stderr
        summary = pd.read_parquet(out / "summary.parquet")
        got = objective_values(spec, summary, baseline)
        for m in spec.objectives:
            assert got[m.name] == pytest.approx(row[m.name], rel=1e-12, abs=1e-12), m.name


def test_the_report_writes_its_tables_figures_and_vulnerability(searched, tmp_path):
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(searched["serial"].folder, folder)
    result = cli("report", str(folder), "--workers", "2")
    assert result.returncode == 0, result.stderr
    report = folder / "report"
    for name in ("report.md", "pareto_parallel.png", "convergence.png", "robustness.parquet",
                 "vulnerability.json", "tradeoff_gap_closed.png"):  # fmt: skip
        assert (report / name).is_file(), name
    table = pd.read_parquet(report / "robustness.parquet")
    assert {"westminster_default", "mission_driven"} <= set(table["candidate"])
    assert set(table["kind"]) == {"shipped scenario", "package"}
    baseline_row = table.set_index("candidate").loc["westminster_default"]
    assert baseline_row["extra_cost"] == 0.0  # the baseline costs nothing against itself
    assert {"satisficing", "mean_gap_closed_max_regret"} <= set(table.columns)
    vulnerability = json.loads((report / "vulnerability.json").read_text())
    assert vulnerability["package"] in set(searched["serial"].pareto["package"])
    # growth, opportunity and NHS have deadlines within 20 quarters; the others are said so
    assert [s["label"].split(":")[0] for s in vulnerability["searches"]] == [
        "growth",
        "opportunity",
        "nhs",
    ]
    assert len(vulnerability["summary"]) == 5
    assert vulnerability["searches"][0]["runs"] == 12  # the [vulnerability] worlds × 1 seed
    text = (report / "report.md").read_text()
    assert "most robust package" in text.lower() and vulnerability["package"] in text
    assert "most robust package:" in result.stdout


def test_the_report_of_an_unfinished_search_says_how_to_finish_it(searched, tmp_path):
    import shutil

    folder = tmp_path / "unfinished"
    shutil.copytree(searched["serial"].folder, folder)
    (folder / PARETO).unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["status"] = "interrupted"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert_clean_failure(cli("report", str(folder)), "partnersim resume")
