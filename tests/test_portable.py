"""Results people can carry: joins without collisions, clear errors, xarray and netCDF, rerun,
compare-sweeps."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import warnings

import pandas as pd
import pytest

from partnersim import results
from partnersim.experiments.sweep import run_sweep
from partnersim.experiments.sweep.rerun import rerun
from partnersim.runs.many import run_many, write_run_folder

from .conftest import ROOT

BODY = """design = "lhs"
samples = 4
replications = 2
seed = 11
steps = 6

[levers]
orchestration = { low = 0.0, high = 1.0 }

[uncertainties]
shock = ["none", "energy_price"]

[assumptions]
contracting.hurdle = { low = 0.05, high = 0.2 }
"""


def sweep_file(folder, base: str, name: str):
    scenario = folder / f"{name}-base.toml"
    scenario.write_text(
        f'extends = "{ROOT / "scenarios" / base}"\n[scale]\nn_businesses = 40\n'
        "n_local_authorities = 12\n",
        encoding="utf-8",
    )
    path = folder / f"{name}.toml"
    path.write_text(f'name = "{name}"\nscenario = "{scenario}"\n{BODY}', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    folder = tmp_path_factory.mktemp("portable")
    a = run_sweep(
        sweep_file(folder, "westminster_default.toml", "a"), out=folder / "a", backend="serial"
    )
    b = run_sweep(
        sweep_file(folder, "mission_driven.toml", "b"), out=folder / "b", backend="serial"
    )
    return a, b


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    from partnersim import Scenario

    small = Scenario.default().evolve(
        name="small", n_businesses=40, n_local_authorities=12, steps=5
    )
    folder = tmp_path_factory.mktemp("run") / "r"
    write_run_folder(run_many([small], seeds=3), folder)
    return results.load(folder)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "partnersim.cli", *args], capture_output=True, text=True, timeout=600
    )


def test_run_and_time_series_columns_share_only_the_keys(sweeps, run_folder):
    for r in (sweeps[0], run_folder):
        shared = set(r.run_columns()) & set(r.timeseries_columns())
        assert shared == set(r.keys)
        joined = r.joined(metrics=["mean_trust"])
        assert not [c for c in joined.columns if c.endswith(("_x", "_y"))]
        assert len(joined) == len(r.read_timeseries(columns=["mean_trust"]))
        assert set(r.input_columns()) <= set(joined.columns)
    sweep = sweeps[0].joined(metrics=["clean_power_level"], run_columns=["clean_power_met"])
    assert {"run_id", "step", "clean_power_level", "clean_power_met"} <= set(sweep.columns)


def test_unknown_columns_and_runs_are_named_clearly(sweeps, run_folder):
    r = sweeps[0]
    with pytest.raises(results.UnknownColumnError, match="no column 'nope' in the time series"):
        r.read_timeseries(columns=["nope"])
    with pytest.raises(KeyError, match="did you mean clean_power_met"):  # a KeyError too
        r.read_runs(["clean_power_mett"])
    with pytest.raises(KeyError, match=r"no finished run with id 999; the sweep has 8"):
        r.read_timeseries(run_ids=[0, 999])
    with pytest.raises(results.UnknownColumnError, match="select rows by scenario and seed"):
        run_folder.read_timeseries(run_ids=[0])
    with pytest.raises(KeyError) as caught:
        r.read_timeseries(columns=["nope"])
    assert "schema" not in str(caught.value)  # not pyarrow's schema dump


def test_to_xarray_round_trips_through_netcdf(sweeps, run_folder, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import xarray as xr

    for r, name in ((sweeps[0], "sweep.nc"), (run_folder, "run.nc")):
        ds = r.to_xarray()
        runs = r.runs
        assert dict(ds.sizes) == {"run": len(runs), "step": r.timeseries["step"].nunique()}
        assert ds["mean_trust"].dims == ("run", "step")
        assert ds["mean_trust"].attrs["units"]
        assert "seed" in ds.coords and "quarter" in ds.coords
        stacked = ds[["mean_trust", "clean_power_level"]].to_array("metric")
        assert stacked.dims == ("metric", "run", "step")  # runs × quarters × metrics
        path = r.to_netcdf(tmp_path / name)
        with xr.open_dataset(path, engine="h5netcdf") as back:
            xr.testing.assert_identical(ds, back.load())
    sweep = sweeps[0].to_xarray()
    for factor in ("orchestration", "shock", "contracting.hurdle", "point", "replication"):
        assert sweep.coords[factor].dims == ("run",)
    first = sweeps[0].read_timeseries(columns=["mean_trust"], run_ids=[3])
    assert sweep["mean_trust"].sel(run=3).values.tolist() == first["mean_trust"].tolist()
    assert set(sweep["clean_power_met"].dims) == {"run"}


def test_rerun_is_bitwise_identical_even_from_a_copied_folder(sweeps, tmp_path):
    a = sweeps[0]
    result = cli(
        "rerun", str(a.path), "--out", str(tmp_path / "again"), "--backend", "serial", "--quiet"
    )
    assert result.returncode == 0, result.stderr
    assert "identical" in result.stdout and "bit for bit" in result.stdout
    again = results.load(tmp_path / "again")
    pd.testing.assert_frame_equal(
        a.runs.drop(columns="wall_seconds"), again.runs.drop(columns="wall_seconds")
    )
    pd.testing.assert_frame_equal(a.timeseries, again.timeseries)
    # moved elsewhere without inputs/ or plan.parquet: the manifest alone rebuilds the sweep
    copy = tmp_path / "copy"
    shutil.copytree(a.path, copy)
    shutil.rmtree(copy / "inputs")
    (copy / "plan.parquet").unlink()
    done = rerun(copy, tmp_path / "from-copy", backend="processes", workers=2)
    assert done.identical, done.differences
    # a changed result is reported, not hidden
    changed = tmp_path / "changed"
    shutil.copytree(a.path, changed)
    part = sorted((changed / "runs").glob("part-*.parquet"))[0]
    frame = pd.read_parquet(part)
    frame.loc[0, "mean_trust_final"] += 1e-12
    frame.to_parquet(part, index=False)
    # altered after it was written: its checksum no longer matches, and nothing is compared
    with pytest.raises(results.DamagedFolder, match=f"runs/{part.name} is damaged"):
        rerun(changed, tmp_path / "vs-damaged", backend="serial")
    # a different result recorded as such (as another machine might have produced it)
    ledger = changed / "shards.jsonl"
    lines = [json.loads(line) for line in ledger.read_text().splitlines()]
    data = part.read_bytes()
    for line in lines:
        if line["part"] == part.name:
            line["runs"].update(sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
    ledger.write_text("".join(json.dumps(line) + "\n" for line in lines))
    done = rerun(changed, tmp_path / "vs-changed", backend="serial")
    assert not done.identical
    assert any("mean_trust_final differs in 1 rows" in d for d in done.differences)
    bad = cli("rerun", str(a.path), "--out", str(a.path))
    assert bad.returncode == 2 and "is the folder being rerun" in bad.stderr


def test_compare_sweeps_gives_differences_per_point_with_intervals(sweeps, tmp_path):
    a, b = sweeps
    out = tmp_path / "cmp"
    outcomes = ["--outcome", "mean_gap_closed", "--outcome", "private_investment_total"]
    result = cli("compare-sweeps", str(a.path), str(b.path), "--out", str(out), *outcomes)
    assert result.returncode == 0, result.stderr
    assert "B − A" in result.stdout and "private_investment_total" in result.stdout
    per_point = pd.read_csv(out / "differences_by_point.csv")
    assert len(per_point) == 2 * 4  # outcomes × points
    assert {"orchestration", "shock", "difference", "low", "high", "seeds"} <= set(per_point)
    assert (per_point["seeds"] == 2).all()
    assert (per_point["low"] <= per_point["difference"]).all()
    row = per_point[(per_point["outcome"] == "mean_gap_closed") & (per_point["point"] == 0)].iloc[0]
    pairs = a.runs[a.runs["point"] == 0].merge(b.runs, on="run_id")
    expected = (pairs["mean_gap_closed_y"] - pairs["mean_gap_closed_x"]).mean()
    assert row["difference"] == pytest.approx(expected)
    other = cli("compare-sweeps", str(a.path), str(ROOT / "nope"))
    assert other.returncode == 2
