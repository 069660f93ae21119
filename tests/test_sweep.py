"""Sweeps: validation, identical results on every backend, failures recorded, kill and resume."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from partnersim import data, results, run
from partnersim.experiments.sweep import DESIGNS, SweepError, SweepSpec, plan, run_sweep
from partnersim.experiments.sweep.designs import TABLE
from partnersim.results import shards
from partnersim.worlds.ensemble import Worlds, WorldsError

from .conftest import ROOT, tiny_sweep

SCENARIO = ROOT / "scenarios" / "westminster_default.toml"


def write_spec(tmp_path: Path, body: str, name: str = "small") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'name = "{name}"\nscenario = "{SCENARIO}"\n{body}', encoding="utf-8")
    return path


SMALL = """design = "lhs"
samples = 5
replications = 2
seed = 7
steps = 6

[levers]
orchestration = { low = 0.0, high = 1.0 }
devolution = [0.0, 0.3]

[uncertainties]
shock = ["none", "energy_price"]
"""


@pytest.fixture
def small_spec(tmp_path) -> Path:
    # Small firms and councils keep each run to a few milliseconds.
    scenario = tmp_path / "base.toml"
    scenario.write_text(
        f'extends = "{SCENARIO}"\n[scale]\nn_businesses = 80\nn_local_authorities = 20\n',
        encoding="utf-8",
    )
    path = tmp_path / "small.toml"
    path.write_text(f'name = "small"\nscenario = "{scenario}"\n{SMALL}', encoding="utf-8")
    return path


def comparable(r: results.Results) -> tuple[pd.DataFrame, pd.DataFrame]:
    return r.runs.drop(columns=["wall_seconds"]), r.timeseries


@pytest.mark.parametrize("path", sorted((ROOT / "sweeps").glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_sweeps_validate(path):
    if tomllib.loads(path.read_text(encoding="utf-8")).get("worlds") == "shipped":
        try:
            Worlds.load("shipped")
        except WorldsError as exc:
            pytest.skip(f"{path.name} runs over the shipped worlds, which are missing: {exc}")
    assert path.read_text().startswith("# Question:")
    if "objectives" in tomllib.loads(path.read_text(encoding="utf-8")):
        from partnersim.design.spec import OptimiseSpec

        assert OptimiseSpec.from_toml(path).factors  # an optimisation file (tests/test_design.py)
        return
    spec = SweepSpec.from_toml(path)
    planned = plan(spec)
    assert len(planned) > 0
    assert planned["run_id"].is_unique


def test_plan_records_seeds_and_uses_common_random_numbers(small_spec):
    p = plan(SweepSpec.from_toml(small_spec))
    assert len(p) == 5 * 2
    seeds_by_rep = p.groupby("replication")["seed"].nunique()
    assert (seeds_by_rep == 1).all(), "each replication uses one seed at every point"
    assert p.groupby("point")["seed"].nunique().eq(2).all()


POINTS_OF_SMALL = {
    # SMALL with samples = 4: orchestration (a range), devolution (2 values), shock (2 values)
    "grid": 3 * 2 * 2,  # a range gets `levels` = 3 values by default
    "list": 2,  # the two [[points]]
    "lhs": 4,
    "sobol": 4 * (3 + 2),  # N (D + 2), first-order and total indices
    "morris": 4 * (3 + 1),  # r trajectories of D + 1 points
}


@pytest.mark.parametrize("design", DESIGNS)
def test_every_design_makes_the_points_its_table_entry_says(tmp_path, design):
    entry = TABLE[design]
    body = SMALL.replace('design = "lhs"', f'design = "{design}"').replace(
        "samples = 5", "samples = 4"
    )
    if entry.from_points:
        body = body.split("[levers]")[0] + "[[points]]\norchestration = 0.2\n[[points]]\n"
        body += "devolution = 0.4\n"
    spec = SweepSpec.from_toml(write_spec(tmp_path, body))
    planned = plan(spec)
    # sizes worked out by hand from each method's definition, not from the table's own formula
    assert planned["point"].nunique() == POINTS_OF_SMALL[design]
    assert entry.size(spec) == POINTS_OF_SMALL[design]
    assert len(planned) == POINTS_OF_SMALL[design] * 2  # replications = 2
    assert any(c.startswith("u_") for c in planned) is not entry.from_points


def test_serial_process_pool_and_dask_cluster_agree(small_spec, tmp_path):
    serial = run_sweep(small_spec, out=tmp_path / "serial", backend="serial")
    pool = run_sweep(small_spec, out=tmp_path / "pool", backend="processes", workers=2)
    with dask_cluster(workers=2) as address:
        dask = run_sweep(small_spec, out=tmp_path / "dask", scheduler=address)
    for other in (pool, dask):
        for a, b in zip(comparable(serial), comparable(other), strict=True):
            pd.testing.assert_frame_equal(a, b)
    assert len(serial.runs) == 10
    assert (serial.runs["status"] == "ok").all()
    assert serial.manifest["status"] == "complete"


class dask_cluster:
    """A real Dask scheduler and workers started with the `dask` CLI on 127.0.0.1."""

    def __init__(self, workers: int):
        self.workers = workers
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        address = f"tcp://127.0.0.1:{port}"
        dask = str(Path(sys.executable).parent / "dask")
        self.procs.append(
            subprocess.Popen(
                [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        self.procs.append(
            subprocess.Popen(
                [
                    dask,
                    "worker",
                    address,
                    "--nworkers",
                    str(self.workers),
                    "--nthreads",
                    "1",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        from distributed import Client

        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(self.workers, timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        return address

    def __exit__(self, *exc) -> None:
        for p in reversed(self.procs):
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_a_failing_run_is_recorded_and_the_rest_complete(small_spec, tmp_path, monkeypatch):
    import partnersim.runs.runner as runner

    real = runner.run
    bad_seed = plan(SweepSpec.from_toml(small_spec))["seed"].iloc[1]

    def flaky(scenario, seed, *args, **kwargs):
        if seed == bad_seed and scenario.orchestration > 0.5:
            raise ValueError("simulated failure")
        return real(scenario, seed, *args, **kwargs)

    monkeypatch.setattr(runner, "run", flaky)
    out = run_sweep(small_spec, out=tmp_path / "out", backend="serial")
    failed = out.runs[out.runs["status"] == "error"]
    assert len(out.runs) == 10
    assert len(failed) >= 1
    assert failed["error"].str.contains("ValueError: simulated failure").all()
    assert (failed["seed"] == bad_seed).all()
    assert failed["orchestration"].gt(0.5).all()
    assert (out.runs["status"] == "ok").sum() == 10 - len(failed)
    assert set(out.timeseries["run_id"]) == set(out.runs.loc[out.runs.status == "ok", "run_id"])


def test_killed_sweep_resumes_to_the_same_results(tmp_path):
    scenario = tmp_path / "base.toml"
    scenario.write_text(f'extends = "{SCENARIO}"\n[scale]\nn_businesses = 150\n', encoding="utf-8")
    spec = tmp_path / "long.toml"
    spec.write_text(
        f'name = "long"\nscenario = "{scenario}"\ndesign = "lhs"\nsamples = 30\nreplications = 2\n'
        "seed = 3\nsteps = 12\n[levers]\norchestration = { low = 0.0, high = 1.0 }\n",
        encoding="utf-8",
    )
    out = tmp_path / "killed"
    cli = [sys.executable, "-m", "partnersim.cli"]
    proc = subprocess.Popen(
        [*cli, "sweep", str(spec), "--out", str(out), "--workers", "2", "--chunk", "2", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # wait (however slow the machine) until some runs are saved, then kill mid-sweep
    deadline = time.monotonic() + 600
    while len(list((out / "runs").glob("part-*.parquet"))) < 4:
        assert proc.poll() is None, "sweep ended before it could be killed"
        assert time.monotonic() < deadline, "no runs saved in 10 minutes"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # the parent dies without any chance to clean up
    proc.wait()
    os.killpg(proc.pid, signal.SIGKILL)  # and its orphaned workers with it
    # A kill between a chunk's parts and its ledger line leaves parts no line commits: they
    # are not finished runs (loading names them; resume sets them aside and runs them again).
    finished = len(shards.committed_run_ids(out))
    assert 0 < finished < 60
    resumed = subprocess.run(
        [*cli, "resume", str(out), "--workers", "2", "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{finished} already finished, {60 - finished} to run" in resumed.stderr
    after = results.load(out)
    assert after.runs["run_id"].is_unique
    assert sorted(after.runs["run_id"]) == list(range(60))
    reference = run_sweep(spec, out=tmp_path / "reference", backend="serial")
    for a, b in zip(comparable(after), comparable(reference), strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert after.manifest["status"] == "complete"
    assert len(after.manifest["history"]) == 2


def test_resume_of_a_complete_sweep_runs_nothing(small_spec, tmp_path):
    first = run_sweep(small_spec, out=tmp_path / "out", backend="serial")
    calls = []
    again = run_sweep(
        small_spec,
        out=tmp_path / "out",
        backend="serial",
        on_start=lambda planned, todo: calls.append(todo),
    )
    assert calls == [0]
    pd.testing.assert_frame_equal(comparable(first)[0], comparable(again)[0])


def test_results_are_read_on_demand_and_in_part(small_spec, tmp_path):
    run_sweep(small_spec, out=tmp_path / "out", backend="serial")
    opened = results.load(tmp_path / "out")
    assert opened._tables == {"runs": None, "timeseries": None}  # nothing read yet
    some = opened.read_timeseries(columns=["nhs_level"], run_ids=[3, 1])
    keys = ["run_id", "step", "quarter"]
    assert list(some.columns) == [*keys, "nhs_level"]
    assert sorted(set(some["run_id"])) == [1, 3]
    full = opened.timeseries
    expected = full.loc[full["run_id"].isin([1, 3]), [*keys, "nhs_level"]]
    pd.testing.assert_frame_equal(some, expected.reset_index(drop=True))
    status = opened.read_runs(["run_id", "status"])
    assert len(status) == len(opened.runs) == opened.manifest["runs_planned"] == 10
    assert set(status["status"]) == {"ok"}


def double(x: int) -> int:
    return 2 * x


@pytest.mark.parametrize("backend", ["processes", "dask"])
def test_backends_draw_tasks_lazily(backend):
    """A sweep of any size holds only a window of its tasks in memory."""
    from partnersim.experiments.backends import IN_FLIGHT_PER_WORKER, make_backend

    drawn = []

    def tasks():
        for i in range(40):
            drawn.append(i)
            yield i

    b = make_backend(backend, workers=1)
    try:
        seen = []
        for task, result in b.map_unordered(double, tasks()):
            assert result == 2 * task
            if not seen:  # the first result: only the first window has been drawn
                assert len(drawn) <= IN_FLIGHT_PER_WORKER + 1
            seen.append(task)
    finally:
        b.close()
    assert sorted(seen) == list(range(40))


def double_unless_13(task: tuple[int, ...]) -> list[int]:
    if 13 in task:
        os._exit(1)  # as an out-of-memory kill or a segfault in native code would
    return [2 * x for x in task]


class SplitAndRecord:
    def split(self, task):
        return [(x,) for x in task]

    def record(self, task, reason):
        return ["crashed"] * len(task)


@pytest.mark.parametrize("backend", ["processes", "dask"])
def test_a_task_that_kills_its_worker_is_isolated_and_recorded(backend):
    from partnersim.experiments.backends import make_backend

    chunks = [tuple(range(i, i + 4)) for i in range(0, 24, 4)]  # 13 is in the fourth
    b = make_backend(backend, workers=2)
    try:
        out = dict(
            pair
            for task, result in b.map_unordered(double_unless_13, chunks, SplitAndRecord())
            for pair in zip(task, result, strict=True)
        )
    finally:
        b.close()
    assert sorted(out) == list(range(24))  # every unit reported once
    assert out[13] == "crashed"
    assert all(out[x] == 2 * x for x in out if x != 13)


def worker_pid(_task: int) -> int:
    return os.getpid()


def test_the_process_pool_outlives_a_finished_map_until_closed():
    from partnersim.experiments.backends import ProcessPoolBackend

    b = ProcessPoolBackend(workers=1)
    try:
        first = {pid for _, pid in b.map_unordered(worker_pid, range(4))}
        second = {pid for _, pid in b.map_unordered(worker_pid, range(4))}
        assert first == second  # the same worker: spawned once, not once per map
    finally:
        b.close()
    assert b._pool is None


def test_workers_that_always_die_stop_the_backend_cleanly():
    from partnersim.experiments.backends import BackendError, ProcessPoolBackend

    b = ProcessPoolBackend(workers=1)
    with pytest.raises(BackendError, match="died 5 times in a row"):
        list(b.map_unordered(double_unless_13, [(13,)] * 8, SplitAndRecord()))


def test_unreachable_scheduler_is_a_clean_error_and_leaves_no_folder(small_spec, tmp_path):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "out"
    result = cli(
        "sweep", str(small_spec), "--scheduler", f"tcp://127.0.0.1:{port}", "--out", str(out)
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot reach the Dask scheduler" in result.stderr
    assert not out.exists()
    result = cli("sweep", str(small_spec), "--scheduler", "127.0.0.1", "--out", str(out))
    assert result.returncode == 2 and "tcp://HOST:PORT" in result.stderr
    assert not out.exists()
    result = cli("sweep", str(small_spec), "--backend", "threads", "--out", str(out))
    assert result.returncode == 2 and "one of serial, processes, dask" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "partnersim.cli", *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        (
            SMALL.replace("orchestration =", "orchestraton ="),
            ["levers.orchestraton", "did you mean 'orchestration'"],
        ),
        (
            SMALL.replace("high = 1.0", "high = 1.5"),
            ["levers.orchestration", "high:", "from 0 to 1"],
        ),
        (SMALL.replace("low = 0.0, high = 1.0", "low = 0.6, high = 0.2"), ["must be below high"]),
        (
            SMALL.replace('shock = ["none", "energy_price"]', "shock = { low = 0, high = 1 }"),
            ["uncertainties.shock", "categorical"],
        ),
        (
            SMALL.replace('design = "lhs"', 'design = "random"'),
            ["design", "grid, list, lhs, sobol, morris"],
        ),
        (SMALL.replace("samples = 5", "samples = 0"), ["samples", "integer ≥ 1"]),
        (SMALL.replace('design = "lhs"', 'design = "list"'), ["points", "needs [[points]]"]),
        (SMALL + "\n[levers\n", ["malformed TOML"]),
        (SMALL.replace("steps = 6", 'steps = "abc"'), ["bad.toml:7: steps", "must be"]),
        (
            SMALL.replace('design = "lhs"', 'design = "list"').split("[levers]")[0]
            + "[[points]]\norchestration = 0.2\n[[points]]\nn_businesses = 10\n",
            ["bad.toml:12: points[1].n_businesses", "not [scale] values"],
        ),
        (
            SMALL.replace('design = "lhs"', 'design = "list"').split("[levers]")[0]
            + "[[points]]\norchestraton = 0.2\n",
            ["bad.toml:10: points[0].orchestraton", "(did you mean 'orchestration'?). Allowed:"],
        ),
        (
            SMALL.replace('design = "lhs"', 'design = "morris"').replace("[0.0, 0.3]", "[0.3]"),
            ["levers.devolution", "at least two values"],
        ),
        (
            SMALL.replace('design = "lhs"', 'design = "sobol"').replace(
                "samples = 5", "samples = 12"
            ),
            ["bad.toml:4: samples", "power of two", "e.g. 16"],
        ),
    ],
    ids=[
        "unknown",
        "range",
        "low-high",
        "categorical",
        "design",
        "samples",
        "list",
        "toml",
        "steps",
        "point-scale",
        "point-unknown",
        "morris-one-value",
        "sobol-samples",
    ],
)
def test_bad_sweep_files_fail_cleanly(tmp_path, body, fragments):
    path = write_spec(tmp_path, body, "bad")
    result = cli("sweep", str(path), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "bad.toml" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert "no factors to vary" not in result.stderr  # only the real problem is reported
    assert not (tmp_path / "out").exists()


def test_missing_sweep_file_and_missing_scenario(tmp_path):
    result = cli("sweep", str(tmp_path / "nope.toml"))
    assert result.returncode == 2
    assert "no such file" in result.stderr
    path = tmp_path / "s.toml"
    path.write_text('scenario = "missing.toml"\n[levers]\norchestration = [0.1]\n')
    result = cli("sweep", str(path), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "missing.toml" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_writes_indices_and_figures(tmp_path):
    scenario = tmp_path / "base.toml"
    scenario.write_text(
        f'extends = "{ROOT / "scenarios" / "mission_driven.toml"}"\n'
        "[scale]\nn_businesses = 80\nn_local_authorities = 20\n",
        encoding="utf-8",
    )
    spec = tmp_path / "sobol.toml"
    spec.write_text(
        f'name = "sob"\nscenario = "{scenario}"\ndesign = "sobol"\nsamples = 8\nreplications = 2\n'
        "seed = 1\nsteps = 17\n[levers]\norchestration = { low = 0.0, high = 1.0 }\n"
        "risk_share = { low = 0.0, high = 0.8 }\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert (
        cli("sweep", str(spec), "--out", str(out), "--backend", "serial", "--quiet").returncode == 0
    )
    result = cli("report", str(out), "--bootstrap", "20")
    assert result.returncode == 0, result.stderr
    report = out / "report"
    sens = pd.read_csv(report / "sensitivity.csv")
    assert {"S1", "ST"} <= set(sens["index"])
    assert sens["estimate"].notna().any()
    assert (sens["low"] <= sens["high"]).all()
    text = (report / "report.md").read_text()
    for section in ("## Sensitivity", "## Scenario discovery (PRIM", "## Probability of meeting"):
        assert section in text
    assert list(report.glob("sensitivity_*.png"))
    # a target met in all or none of the runs has no figure by region, and the report says so
    assert list(report.glob("success_*.png")) or "nothing to show by region" in text
    discovery = json.loads((report / "discovery.json").read_text())["missions"]
    assert set(discovery) == set(data.MISSIONS)
    for box in filter(None, discovery.values()):
        assert set(box) == {"limits", "coverage", "density", "mass", "base_rate", "runs"}
        assert all(set(lim) in ({"low", "high"}, {"values"}) for lim in box["limits"].values())


def test_prim_boxes_are_written_as_data(tmp_path):
    from partnersim.experiments.analysis import DiscoveryBox
    from partnersim.experiments.report import write_discovery

    limits = pd.DataFrame(
        [
            {"factor": "orchestration", "low": 0.25, "high": 1.0, "values": None},
            {"factor": "shock", "low": float("nan"), "high": float("nan"), "values": ["none"]},
        ]
    )
    box = DiscoveryBox("growth", limits, 0.6, 0.8, 0.3, 0.5, 40)
    path = write_discovery({"growth": box, "nhs": None}, tmp_path)
    # the dashboard reads "missions"; every search (success and failure) is under "searches"
    assert json.loads(path.read_text()) == {
        "searches": [],
        "missions": {
            "growth": {
                "limits": {
                    "orchestration": {"low": 0.25, "high": 1.0},
                    "shock": {"values": ["none"]},
                },
                "coverage": 0.6,
                "density": 0.8,
                "mass": 0.3,
                "base_rate": 0.5,
                "runs": 40,
            },
            "nhs": None,
        },
    }
    # the table for people says the same in words
    table = pd.read_csv(tmp_path / "discovery.csv")
    assert table["condition"].tolist() == ["growth_met == 1"]
    assert table["box"].tolist() == ["0.25 ≤ orchestration ≤ 1; shock ∈ {none}"]


def test_report_on_an_lhs_sweep_varying_start_step(tmp_path):
    """SALib reserves names ending in '_step'; partnersim's factor names must still work."""
    from partnersim.experiments import report

    spec = tiny_sweep(
        tmp_path,
        'design = "lhs"\nsamples = 32\nreplications = 2\n[levers]\n'
        "start_step = [0, 2, 4]\norchestration = { low = 0.0, high = 1.0 }\n",
        "lhs",
    )
    out = run_sweep(spec, out=tmp_path / "out", backend="serial")
    built = report.build(out, n_boot=10)
    sens = built.sensitivity
    assert set(sens["factor"]) == {"start_step", "orchestration"}
    assert {"delta", "S1"} == set(sens["index"])
    assert sens["estimate"].notna().all()
    # Intervals are re-centred on the estimate, so they hold it (up to skew).
    inside = (sens["low"] <= sens["estimate"] + 1e-9) & (sens["estimate"] <= sens["high"] + 1e-9)
    assert inside.mean() > 0.9
    assert "bootstrap_shift" in sens
    # 32 points are enough for the delta method: no "too few" note stands in for the indices
    assert not [n for n in sens.attrs.get("notes", []) if "too few" in n]


def test_report_says_why_a_small_grid_has_no_indices(tmp_path):
    from partnersim.experiments import report

    spec = tiny_sweep(
        tmp_path,
        'design = "grid"\nreplications = 1\n[levers]\norchestration = [0.1, 0.9]\n'
        "risk_share = [0.0, 0.5]\n",
        "grid",
    )
    built = report.build(run_sweep(spec, out=tmp_path / "out", backend="serial"), n_boot=5)
    assert built.sensitivity.empty
    (note,) = built.sensitivity.attrs["notes"]
    assert "4 design points are too few" in note
    assert note in (built.path / "report.md").read_text()
    assert not list(built.path.glob("sensitivity_*.png"))


def test_sobol_and_morris_indices_need_every_design_point(tmp_path, monkeypatch):
    import partnersim.runs.runner as runner
    from partnersim.experiments import analysis

    for design in ("morris", "sobol"):
        spec = tiny_sweep(
            tmp_path,
            f'design = "{design}"\nsamples = 4\nreplications = 2\n[levers]\n'
            "orchestration = { low = 0.0, high = 1.0 }\nrisk_share = { low = 0.0, high = 0.8 }\n",
            design,
        )
        complete = run_sweep(spec, out=tmp_path / f"{design}-ok", backend="serial")
        sens = analysis.sensitivity(complete, n_boot=5)
        assert not sens.empty
        assert not [n for n in sens.attrs["notes"] if "design points" in n]
        first = complete.runs.sort_values("run_id").iloc[0]
        real = runner.run

        def failing(scenario, seed, *args, first=first, real=real, **kwargs):
            if scenario.orchestration == first["orchestration"]:  # every replication of it
                raise RuntimeError("simulated failure")
            return real(scenario, seed, *args, **kwargs)

        monkeypatch.setattr(runner, "run", failing)
        broken = run_sweep(spec, out=tmp_path / f"{design}-broken", backend="serial")
        monkeypatch.setattr(runner, "run", real)
        sens = analysis.sensitivity(broken, n_boot=5)
        assert sens.empty
        assert "have no successful run" in sens.attrs["notes"][0]


def test_list_sweep_records_base_values_and_reports_by_value(tmp_path):
    from partnersim import Scenario
    from partnersim.experiments import report

    spec = tiny_sweep(
        tmp_path,
        'design = "list"\nreplications = 3\n'
        "[[points]]\norchestration = 0.9\n[[points]]\ndevolution = 0.4\n",
        "lst",
        steps=20,  # growth is judged at 2029Q2
    )
    out = run_sweep(spec, out=tmp_path / "out", backend="serial")
    base = Scenario.from_toml(tmp_path / "tiny.toml")
    runs = out.runs.sort_values("run_id")
    assert runs["orchestration"].notna().all() and runs["devolution"].notna().all()
    assert runs["orchestration"].tolist() == [0.9] * 3 + [base.orchestration] * 3
    assert runs["devolution"].tolist() == [base.devolution] * 3 + [0.4] * 3
    assert [f["name"] for f in out.manifest["factors"]] == ["orchestration", "devolution"]
    built = report.build(out, n_boot=5)
    assert "no sampling structure" in built.sensitivity.attrs["notes"][0]
    assert set(built.success["factor"]) == {"orchestration", "devolution"}


def test_ema_workbench_runs_partnersim():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import SequentialEvaluator, perform_experiments

    from partnersim.experiments.ema import ema_model
    from partnersim.schema.levers import LEVERS

    model = ema_model(replications=2, steps=4, scenario=None)
    assert {p.name for p in model.levers} == {p.name for p in LEVERS}
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(
            model, scenarios=2, policies=1, evaluator=evaluator
        )
    assert len(experiments) == 2
    assert outcomes["private_investment_total"].shape == (2,)  # the mean over 2 replications
    assert outcomes["run_seeds"].shape == (2, 2)


def test_an_assumption_is_a_sweep_factor_by_its_dotted_name(tmp_path):
    spec = write_spec(
        tmp_path,
        'design = "lhs"\nsamples = 4\nreplications = 1\nsteps = 4\n'
        "[assumptions]\ncontracting.hurdle = { low = 0.05, high = 0.2 }\n",
    )
    loaded = SweepSpec.from_toml(spec)
    assert [f.name for f in loaded.factors] == ["contracting.hurdle"]
    done = run_sweep(loaded, out=tmp_path / "out", backend="serial")
    values = done.runs["contracting.hurdle"]
    assert values.between(0.05, 0.2).all() and values.nunique() == 4
    # each run used its value: rerun one point by hand and compare its outcomes
    row = done.runs.iloc[0]
    base = loaded.base.evolve(**{"contracting.hurdle": float(row["contracting.hurdle"])})
    alone = run(base, int(row["seed"]))
    assert alone.summary["private_investment_total"] == row["private_investment_total"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("[assumptions]\ncontracting.hurdel = { low = 0.05, high = 0.2 }\n", "did you mean"),
        ("[assumptions]\ncontracting.hurdle = { low = 0.05, high = 2.0 }\n", "from 0 to 1"),
    ],
)
def test_bad_assumption_factors_are_refused(tmp_path, body, fragment):
    spec = write_spec(tmp_path, 'design = "lhs"\nsamples = 4\n' + body)
    with pytest.raises(SweepError) as caught:
        SweepSpec.from_toml(spec)
    assert fragment in str(caught.value) and "assumptions.contracting" in str(caught.value)
