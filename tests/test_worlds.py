"""Plausible worlds: sampling, refitting, history matching, the ensemble file and its command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from partnersim import data
from partnersim.data import MISSIONS
from partnersim.runs.runner import run
from partnersim.schema.levers import SECTIONS, Section
from partnersim.schema.scenario import Scenario
from partnersim.worlds.ensemble import Worlds, WorldsError
from partnersim.worlds.fit import (
    NOT_WORLD,
    factors,
    implausibility,
    plausible_range,
    refit_laws,
    sample,
    settings,
    spawn_seeds,
)
from partnersim.worlds.generate import Request, generate, make_plan

from .conftest import ROOT, cli

DRAWS = 3


@pytest.fixture
def ensemble_folder(tiny_worlds):
    """Three worlds drawn, refitted and history-matched (the session's tiny ensemble; the
    command's own output is checked against it after a SIGKILL and a resume)."""
    return tiny_worlds


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """A worlds table without its timings (the only thing that differs between runs)."""
    return frame.drop(columns=[c for c in frame if c.startswith("seconds")])


# -- what a world draws ------------------------------------------------------------------------


def test_a_world_draws_every_uncertainty_and_every_assumption_with_a_plausible_range():
    names = {p.name for p in factors()}
    uncertainties = {p.name for p in SECTIONS[Section.UNCERTAINTIES]}
    assert uncertainties - names == NOT_WORLD  # the stress-test choice is a scenario's
    plausible = {k for k, e in data.assumption_table().items() if e.plausible}
    assert plausible <= names
    unvaried = {k for k, e in data.assumption_table().items() if not e.plausible}
    assert not unvaried & names  # facts and units are not varied


def test_approximate_data_figures_are_drawn_and_reach_the_model():
    approximate = data.approximate_figures()
    assert len(approximate) == 8  # the approximate departmental budgets
    assert set(approximate) <= {p.name for p in factors()}
    desnz = approximate["budgets.DESNZ_del_gbp_m"]
    assert desnz.plausible == (4900.0, 9100.0) and desnz.value == 7000.0
    scenario = Scenario.default().evolve(steps=2, **{"budgets.DESNZ_del_gbp_m": 9000.0})
    model = run(scenario, 1, keep_model=True).model
    ministries = model.population.ministries
    assert ministries.del_gbp_m[ministries.code.index("DESNZ")] == 9000.0
    plain = run(Scenario.default().evolve(steps=2), 1, keep_model=True).model.population
    assert plain.ministries.del_gbp_m[plain.ministries.code.index("DESNZ")] == 7000.0


def test_draws_are_deterministic_inside_the_plausible_ranges_and_stratified():
    a, b = sample(40, 7), sample(40, 7)
    assert a == b and sample(40, 8) != a
    for p in factors():
        low, high = plausible_range(p)
        values = np.array([d[p.name] for d in a])
        assert values.min() >= low and values.max() <= high, p.name
        if p.kind is int:
            assert all(float(v).is_integer() for v in values)
        else:  # a Latin hypercube: one draw in each of the 40 strata
            strata = np.floor((values - low) / (high - low) * 40).clip(0, 39)
            assert len(set(strata)) == 40, p.name
    assert len(sample(8, 1, "sobol")) == 8
    with pytest.raises(ValueError, match="allowed: lhs, sobol"):
        sample(4, 1, "grid")


def test_history_matching_scores_the_shipped_laws_as_plausible():
    rows = refit_laws({})
    scores = implausibility(rows, settings())
    assert set(scores) == set(MISSIONS)
    assert max(scores.values()) <= settings().threshold
    # a refit with another police elasticity changes the safer-streets law and its score
    other = refit_laws({"police_elasticity": -0.1})
    assert other["safe_streets"]["drift"] != rows["safe_streets"]["drift"]
    assert implausibility(other, settings())["safe_streets"] != scores["safe_streets"]


def test_implausibility_rules_out_a_law_far_from_its_history():
    rows = refit_laws({})
    moment = rows["nhs"]["moments"][0]
    moment["fitted"] = moment["observed"] + 10 * settings().moment_sd("nhs", moment["name"])
    assert implausibility(rows, settings())["nhs"] == pytest.approx(10.0)


# -- the ensemble ------------------------------------------------------------------------------


def test_the_command_writes_an_ensemble_with_its_provenance(ensemble_folder):
    worlds = Worlds.load(ensemble_folder)
    meta = worlds.meta
    assert meta["draws"] == DRAWS and meta["accepted"] == len(worlds)
    assert meta["acceptance_rate"] == pytest.approx(len(worlds) / DRAWS)
    assert meta["seed"] == 20240530 and meta["method"] == "lhs"
    assert meta["settings"] == settings().to_dict()
    assert {f["name"] for f in meta["factors"]} == {p.name for p in factors()}
    assert len(meta["posterior"]) == len(meta["factors"])
    assert "provenance" in meta and "versions" in meta
    plan = pd.read_parquet(ensemble_folder / "plan.parquet")
    assert plan.equals(make_plan(Request(DRAWS)))
    post = worlds.posterior()
    assert set(post["factor"]) == {p.name for p in factors()}
    for world in worlds:
        assert set(world.values) == {p.name for p in factors()}
        row = plan.set_index("world").loc[world.id]
        assert all(row[k] == pytest.approx(v) for k, v in world.values.items())
    assert Worlds.load(ensemble_folder / "worlds.parquet").digest == worlds.digest


def test_every_world_reproduces_the_status_quo_criterion_on_fresh_seeds(ensemble_folder):
    """The status quo in each accepted world follows its refitted reference on seeds that
    neither the refit nor the acceptance check used."""
    s = settings()
    worlds = Worlds.load(ensemble_folder)
    assert len(worlds) >= 1
    scenario = Scenario.default().evolve(steps=40)
    for world in worlds:
        per_seed = []
        for seed in spawn_seeds(world.seed + 99, 6):
            series = run(scenario, seed, world=world).timeseries
            per_seed.append([series[f"{m}_resourcing"].mean() for m in MISSIONS])
        r = np.array(per_seed)
        se = r.std(axis=0, ddof=1) / np.sqrt(len(r))
        score = np.abs(r.mean(axis=0) - 1.0) / np.sqrt(se**2 + s.resourcing_discrepancy**2)
        assert score.max() <= s.threshold, (
            world.id,
            dict(zip(MISSIONS, r.mean(axis=0), strict=True)),
        )


def test_a_world_changes_the_run_and_is_recorded(ensemble_folder):
    world = Worlds.load(ensemble_folder)[0]
    scenario = Scenario.from_toml("mission_driven").evolve(steps=8)
    inside = run(scenario, 5, world=world)
    assert inside.manifest["world"] == world.id
    assert inside.manifest["world_values"] == dict(world.values)
    assert inside.scenario.values["private_return"] == world.values["private_return"]
    assert inside.scenario.assumptions["contracting.hurdle"] == world.values["contracting.hurdle"]
    plain = run(scenario, 5)
    assert not inside.timeseries.equals(plain.timeseries)
    assert run(scenario, 5, world=world).timeseries.equals(inside.timeseries)


def test_a_scenarios_own_assumptions_win_over_the_worlds(ensemble_folder):
    world = Worlds.load(ensemble_folder)[0]
    scenario = Scenario.default().evolve(**{"governance.coordination_effect": 0.0})
    applied = world.apply(scenario)
    assert applied.assumptions["governance.coordination_effect"] == 0.0
    assert applied.assumptions["contracting.hurdle"] == world.values["contracting.hurdle"]


def test_generation_is_identical_across_backends(tmp_path, ensemble_folder):
    quick = replace(settings(), fit_seeds=3, check_seeds=3)
    frames = []
    for backend in ("serial", "processes", "dask"):
        outcome = generate(
            Request(2, seed=11, settings=quick), tmp_path / backend, backend=backend, workers=2
        )
        frames.append(_comparable(outcome.worlds.table))
    assert frames[0].equals(frames[1]) and frames[0].equals(frames[2])


def test_a_killed_generation_resumes_with_no_world_lost_or_duplicated(tmp_path, ensemble_folder):
    folder = tmp_path / "killed"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "partnersim.cli",
            "worlds",
            "--draws",
            str(DRAWS),
            "--out",
            str(folder),
            "--backend",
            "serial",
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    ledger = folder / "shards.jsonl"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if ledger.exists() and ledger.read_text().count("\n") >= 1:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    lines = ledger.read_text().count("\n")
    assert 1 <= lines < DRAWS
    assert not (folder / "worlds.parquet").exists()
    done = cli("resume", str(folder), "--backend", "serial", "--quiet")
    assert done.returncode == 0, done.stderr
    ids = [i for line in ledger.read_text().splitlines() for i in json.loads(line)["run_ids"]]
    assert sorted(ids) == list(range(DRAWS))
    resumed = _comparable(Worlds.load(folder).table)
    assert resumed.equals(_comparable(Worlds.load(ensemble_folder).table))


def test_an_interrupted_generation_says_truthfully_what_is_saved(tmp_path):
    folder = tmp_path / "int"
    done = cli(
        "worlds",
        "--draws",
        "2",
        "--out",
        str(folder),
        "--backend",
        "serial",
        env={"PARTNERSIM_FAULT": "worlds:draw"},
    )
    assert done.returncode == 130
    assert "1 of 2 draws are fitted and saved" in done.stderr
    assert f"partnersim resume {folder}" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--method", "grid"], "allowed: lhs, sobol"),
        (["--draws", "0"], "--draws"),
    ],
)
def test_bad_requests_exit_2_without_writing(tmp_path, args, fragment):
    folder = tmp_path / "bad"
    done = cli("worlds", *args, "--out", str(folder))
    assert done.returncode == 2
    assert fragment in done.stderr and "Traceback" not in done.stderr
    assert not folder.exists()


def test_a_folder_of_other_results_is_refused(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    done = cli("worlds", "--draws", "2", "--out", str(folder))
    assert done.returncode == 2 and "not empty" in done.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_a_file_that_is_not_a_worlds_file_is_refused(tmp_path):
    with pytest.raises(WorldsError, match="no such worlds file"):
        Worlds.load(tmp_path / "missing.parquet")
    bogus = tmp_path / "bogus.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(bogus)
    with pytest.raises(WorldsError, match="not a worlds file"):
        Worlds.load(bogus)
    text = tmp_path / "text.parquet"
    text.write_text("hello")
    with pytest.raises(WorldsError, match="not a Parquet file"):
        Worlds.load(text)


# -- robustness of the findings ----------------------------------------------------------------


def test_findings_are_decided_per_world_on_a_constructed_case():
    from partnersim.credibility import robustness

    names = robustness.scenario_names()
    keys = ["private", "cost"] + [f"{m}.{k}" for m in MISSIONS for k in ("deadline", "2030", "met")]
    table = pd.DataFrame({f"{s}|{k}": [0.0] * 4 for s in names for k in keys})
    table.insert(0, "world", range(4))
    # mission_driven crowds in private investment in worlds 0 and 2 only
    table["mission_driven|private"] = [1.0, -1.0, 2.0, 0.0]
    # it closes more of the NHS gap by its deadline in worlds 1, 2 and 3
    table["mission_driven|nhs.deadline"] = [-0.1, 0.2, 0.3, 0.1]
    # the status quo meets the NHS target in 3 of 4 seeds of world 3 only
    table["westminster_default|nhs.met"] = [0.0, 0.25, 0.0, 0.75]
    found = {f.statement: f for f in robustness.findings(table)}
    crowd = found["mission_driven crowds in private mission investment (more than the status quo)"]
    assert crowd.holds.tolist() == [True, False, True, False] and crowd.share == 0.5
    nhs = found["mission_driven closes more of the NHS gap by its deadline than the status quo"]
    assert nhs.share == 0.75
    misses = found["the status quo misses the NHS target (P(met) below one half)"]
    assert misses.holds.tolist() == [True, True, True, False]
    matrix = robustness.recommendation_table(list(found.values())).set_index("scenario")
    assert matrix.loc["mission_driven", "NHS"] == "75%"
    assert matrix.loc["mission_driven", "Growth"] == "0%"


def test_validate_patterns_writes_the_robustness_section(tmp_path, ensemble_folder):
    doc = tmp_path / "validation.md"
    doc.write_text("# Validation\n")
    done = cli(
        "validate-patterns",
        "--worlds",
        str(ensemble_folder),
        "--world-count",
        "1",
        "--world-seeds",
        "1",
        "--robustness-only",
        "--write",
        str(doc),
        "--workers",
        "1",
    )
    assert done.returncode == 0, done.stderr
    text = doc.read_text()
    assert "<!-- BEGIN ROBUSTNESS -->" in text and "share of worlds" in text
    assert "% of worlds] the status quo misses the NHS target" in done.stdout
    bad = cli("validate-patterns", "--robustness-only")
    assert bad.returncode == 2 and "needs --worlds" in bad.stderr
