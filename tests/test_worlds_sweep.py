"""Sweeps over plausible worlds: each run in its world, on every backend, resumable, reported.

Issue 16, item 4. A tiny ensemble (three draws, fitted serially) is built once per session.
"""

from __future__ import annotations

import dataclasses
import shutil

import pandas as pd
import pytest

from partnersim import results, run
from partnersim.experiments import report, world_sensitivity
from partnersim.experiments.sweep import SweepError, SweepSpec, plan, resume, run_sweep
from partnersim.experiments.sweep import worlds as sweep_worlds
from partnersim.experiments.sweep.rerun import rerun
from partnersim.worlds.ensemble import Worlds

from .conftest import cli, tiny_sweep

LEVERS = (
    "[levers]\norchestration = { low = 0.0, high = 1.0 }\nrisk_share = { low = 0.0, high = 0.8 }\n"
)


@pytest.fixture(scope="session")
def ensemble(tiny_worlds) -> Worlds:
    """Three plausible worlds, drawn and fitted serially (the session's tiny ensemble)."""
    worlds = Worlds.load(tiny_worlds)
    assert len(worlds) == 3, "the tiny ensemble should accept all three draws"
    return worlds


def sweep_over(tmp_path, ensemble, *, samples=8, steps=8, extra="", name="over_worlds"):
    """A tiny LHS over two levers, each run in one of the ensemble's worlds (a copy of it)."""
    copy = tmp_path / "ensemble.parquet"
    shutil.copyfile(ensemble.path, copy)
    body = (
        f'design = "lhs"\nsamples = {samples}\nreplications = 1\nworlds = "{copy.name}"\n'
        f"{extra}{LEVERS}"
    )
    return tiny_sweep(tmp_path, body, name, steps=steps)


def comparable(r: results.Results) -> tuple[pd.DataFrame, pd.DataFrame]:
    return r.runs.drop(columns=["wall_seconds"]), r.timeseries


def test_the_plan_gives_every_run_a_world_evenly_and_reproducibly(tmp_path, ensemble):
    extra = "[uncertainties]\nprivate_return = { low = 0.3, high = 0.5 }\n"
    path = sweep_over(tmp_path, ensemble, extra=extra, name="plan_worlds")
    spec = SweepSpec.from_toml(path)
    planned = plan(spec)
    assert planned.equals(plan(SweepSpec.from_toml(path)))  # seeded: the same every time
    counts = planned["world"].value_counts()
    assert set(counts.index) == {w.id for w in ensemble} and set(counts) <= {2, 3}  # 8 over 3
    # The world's drawn values are input columns; a world input the sweep sets takes the
    # sweep's value and is not a world column.
    inputs = sweep_worlds.inputs(spec)
    assert "private_return" in ensemble.factors and "private_return" not in inputs
    assert planned["private_return"].between(0.3, 0.5).all()
    for _, row in planned.iterrows():
        world = ensemble.by_id(int(row["world"]))
        assert all(row[k] == world.values[k] for k in inputs)
    # Another seed assigns the worlds differently; the hash knows the worlds file.
    other = SweepSpec.from_dict({**spec.raw, "seed": 4}, path=path)
    assert not plan(other)["world"].equals(planned["world"])
    assert spec.content_hash != dataclasses.replace(spec, worlds=None).content_hash


def test_serial_and_processes_agree_and_every_run_is_in_its_world(tmp_path, ensemble):
    path = sweep_over(tmp_path, ensemble)
    serial = run_sweep(path, out=tmp_path / "serial", backend="serial")
    pool = run_sweep(path, out=tmp_path / "pool", backend="processes", workers=1, chunk_size=3)
    for a, b in zip(comparable(serial), comparable(pool), strict=True):
        pd.testing.assert_frame_equal(a, b)
    runs = serial.runs
    assert (runs["status"] == "ok").all() and runs["world"].notna().all()
    spec = SweepSpec.from_toml(path)
    inputs = sweep_worlds.inputs(spec)
    assert inputs and set(inputs) <= set(runs.columns)
    for _, r in runs.iterrows():
        assert all(r[k] == ensemble.by_id(int(r["world"])).values[k] for k in inputs)
    # A run equals the same scenario run by hand in its world.
    first = runs.iloc[0]
    by_hand = run(
        spec.base.evolve(orchestration=first["orchestration"], risk_share=first["risk_share"]),
        int(first["seed"]),
        world=ensemble.by_id(int(first["world"])),
    )
    assert by_hand.summary["mean_gap_closed"] == first["mean_gap_closed"]
    record = serial.manifest["worlds"]
    assert record["sha256"] == ensemble.digest and record["inputs"] == inputs
    assert (serial.path / "inputs" / "worlds.parquet").read_bytes() == ensemble.path.read_bytes()


def test_an_interrupted_sweep_resumes_from_its_folder_alone(tmp_path, ensemble):
    path = sweep_over(tmp_path, ensemble)
    out = tmp_path / "interrupted"

    def interrupt(_n: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(path, out=out, backend="serial", chunk_size=3, on_progress=interrupt)
    assert 0 < len(results.load(out).runs) < 8
    (tmp_path / "ensemble.parquet").unlink()  # the folder keeps its own copy
    finished = resume(out, backend="serial")
    assert sorted(finished.runs["run_id"]) == list(range(8))
    again = rerun(out, tmp_path / "again", backend="serial")
    assert again.identical, again.differences
    assert finished.manifest["status"] == "complete"


@pytest.mark.parametrize(
    ("line", "key", "message"),
    [
        ('worlds = "nowhere.parquet"', "worlds", "no such worlds file"),
        ("worlds = 3", "worlds", "'shipped'"),
        ("world_count = 0", "world_count", "integer ≥ 1"),
        ("world_count = 4", "world_count", "more than the 3 worlds"),
        ("wrolds = 1", "wrolds", "did you mean 'worlds'"),
    ],
)
def test_bad_worlds_keys_are_named(tmp_path, ensemble, line, key, message):
    path = sweep_over(tmp_path, ensemble)
    text = path.read_text(encoding="utf-8")
    if line.startswith("worlds"):
        text = "\n".join(x for x in text.splitlines() if not x.startswith("worlds")) + "\n"
    path.write_text(line + "\n" + text, encoding="utf-8")
    with pytest.raises(SweepError) as caught:
        SweepSpec.from_toml(path)
    assert any(p.key == key and message in p.message for p in caught.value.problems)


def test_cli_refuses_a_missing_worlds_file_with_status_2(tmp_path, ensemble):
    path = sweep_over(tmp_path, ensemble)
    (tmp_path / "ensemble.parquet").unlink()
    result = cli("sweep", str(path), "--out", str(tmp_path / "out"), "--backend", "serial")
    assert result.returncode == 2
    assert "worlds" in result.stderr and "no such worlds file" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_report_ranks_levers_and_world_inputs(tmp_path, ensemble, monkeypatch):
    monkeypatch.setattr(world_sensitivity, "RESAMPLES", 4)  # the method, not its precision
    path = sweep_over(tmp_path, ensemble, samples=32, steps=16)
    swept = run_sweep(path, out=tmp_path / "wide", backend="serial")
    built = report.build(swept, n_boot=3)
    text = (built.path / "report.md").read_text(encoding="utf-8")
    assert "## Global sensitivity over levers and world inputs" in text
    assert "sampled from history-matched worlds" in text.replace("**", "").replace("\n", " ")
    section = text.split("## Global sensitivity over levers and world inputs")[1]
    section = section.split("\n## ")[0]
    named = built.world_sensitivity
    opportunity = named[named["mission"] == "opportunity"]  # deadline at step 16
    roles = {"lever", "world input", "reference per run", "reference per world"}
    assert set(opportunity["role"]) == roles
    inputs = set(swept.manifest["worlds"]["inputs"])
    assert any(f"| {name} | world input |" in section for name in inputs)
    assert "depends most on" in section or "no input stands out" in section
    assert (built.path / "world_sensitivity.csv").exists()
    assert named.attrs["checks"] and "only 3 worlds" in section  # confounded: said so
    assert opportunity[["estimate", "low", "high"]].stack().between(0, 1).all()
    # "Above noise": a world input's δ interval clears every per-world dummy's, others the
    # per-run dummy's.
    delta = opportunity[opportunity["index"] == "delta"]
    floors = delta[delta["role"].str.startswith("reference")].groupby("role")["high"].max()
    for r in delta.itertuples():
        floor = floors["reference per world" if r.role == "world input" else "reference per run"]
        assert r.above_dummy == (not r.role.startswith("reference") and r.low > floor)
    # The command prints each mission's line and the warning.
    printed = cli("report", str(swept.path), "--bootstrap", "10")
    assert printed.returncode == 0, printed.stderr
    assert "over worlds: Opportunity" in printed.stdout
    assert "over worlds, read with care: the runs cover only 3 worlds" in printed.stdout
