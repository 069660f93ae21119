"""The command line, run as users run it: exit codes, messages, files written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from .conftest import ROOT, cli

SMALL = ["--seeds", "2", "--steps", "4", "--quiet"]


def small_scenario(tmp_path: Path, name: str = "tiny", extra: str = "") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'name = "{name}"\nextends = "{ROOT / "scenarios" / "mission_driven.toml"}"\n'
        f"[scale]\nn_businesses = 100\nn_local_authorities = 30\n{extra}",
        encoding="utf-8",
    )
    return path


def assert_clean_failure(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_validate_ok():
    from partnersim import Scenario

    files = sorted((ROOT / "scenarios").glob("*.toml"))
    result = cli("validate", *[str(p) for p in files])
    assert result.returncode == 0, result.stderr
    # one line per file, in order, naming the file, its scenario and that scenario's hash
    expected = []
    for path in files:
        scenario = Scenario.from_toml(path)
        expected.append(f"ok  {path}  ({scenario.name}, hash {scenario.content_hash})")
    assert result.stdout.splitlines() == expected


def test_validate_reports_a_bad_file_among_good_ones(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[levers]\norchestration = 7\n", encoding="utf-8")
    good = ROOT / "scenarios" / "mission_driven.toml"
    result = cli("validate", str(good), str(bad))
    assert_clean_failure(result, "bad.toml", "orchestration")
    assert "ok  " not in result.stdout


def test_run_writes_results_and_prints_the_table(tmp_path):
    out = tmp_path / "out"
    result = cli("run", str(small_scenario(tmp_path)), *SMALL, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert {p.name for p in out.iterdir()} == {
        "timeseries.parquet",
        "summary.parquet",
        "manifest.json",
        "missions.png",
    }
    ts = pd.read_parquet(out / "timeseries.parquet")
    summary = pd.read_parquet(out / "summary.parquet")
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(ts) == 2 * 5
    assert len(summary) == 2
    assert list(summary["seed"]) == manifest["seeds"]
    assert manifest["scenarios"][0]["scenario"] == "tiny"
    # this checkout is a git repository: the manifest names the commit the results came from
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert manifest["provenance"]["git_commit"] == head.stdout.strip()
    assert isinstance(manifest["provenance"]["git_dirty"], bool)
    for text in ("P(met)", "Growth", "NHS", "Private mission investment", "Guarantee payouts"):
        assert text in result.stdout
    # No temporary folders are left beside the results.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_closed_stdout_still_saves_results(tmp_path):
    """`partnersim run ... | head` must not lose the results when the reader goes away."""
    out = tmp_path / "out"
    args = ["run", str(small_scenario(tmp_path)), *SMALL, "--out", str(out)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "partnersim.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    proc.stdout.close()  # the reader is gone before anything is printed
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert (out / "summary.parquet").exists() and (out / "missions.png").exists()


def test_fast_exit_flushes_output_and_runs_exit_handlers(tmp_path):
    """The CLI skips interpreter teardown, but not buffered output or atexit handlers."""
    flag = tmp_path / "atexit-ran"
    scenario = ROOT / "scenarios" / "mission_driven.toml"
    code = (
        "import atexit, pathlib, sys\n"
        f"atexit.register(pathlib.Path({str(flag)!r}).write_text, 'yes')\n"
        "from partnersim.cli import main\n"
        f"sys.argv = ['partnersim', 'validate', {str(scenario)!r}]\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok  ")
    assert flag.read_text() == "yes"


def test_errors_of_modules_never_imported_are_recognised_by_name():
    """The error wrapper matches ResultsError and BackendError without importing pandas."""
    from partnersim.cli.startup import raised
    from partnersim.results import ResultsError

    assert raised(ResultsError("x"), ["partnersim.results.ResultsError"])
    assert not raised(OSError("x"), ["partnersim.results.ResultsError"])
    assert not raised(ValueError("x"), ["partnersim.not_a_module.Error"])


def test_validate_imports_no_heavy_module():
    """`partnersim validate` stays fast: nothing of the Run layer's stack is imported."""
    scenario = str(ROOT / "scenarios" / "mission_driven.toml")
    code = (
        "import sys\n"
        "from partnersim.cli import app\n"
        f"sys.argv = ['partnersim', 'validate', {scenario!r}]\n"
        "try:\n"
        "    app()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('pandas', 'pyarrow', 'mesa', 'matplotlib', 'rich.progress', 'solara')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_same_root_seed_same_results(tmp_path):
    scenario = str(small_scenario(tmp_path))
    for name in ("a", "b"):
        assert cli("run", scenario, *SMALL, "--out", str(tmp_path / name)).returncode == 0
    a = pd.read_parquet(tmp_path / "a" / "timeseries.parquet")
    b = pd.read_parquet(tmp_path / "b" / "timeseries.parquet")
    pd.testing.assert_frame_equal(a, b)


def test_compare_side_by_side(tmp_path):
    base = small_scenario(tmp_path, "base")
    other = small_scenario(tmp_path, "other", "[levers]\norchestration = 0.1\n")
    out = tmp_path / "cmp"
    result = cli("compare", str(base), str(other), *SMALL, "--out", str(out))
    assert result.returncode == 0, result.stderr
    summary = pd.read_parquet(out / "summary.parquet")
    assert list(summary["scenario"].unique()) == ["base", "other"]
    # Common random numbers: both scenarios run on the same seeds.
    assert set(summary[summary.scenario == "base"].seed) == set(
        summary[summary.scenario == "other"].seed
    )
    assert "base" in result.stdout
    assert "other" in result.stdout
    assert (out / "missions.png").stat().st_size > 10_000


def test_unknown_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[levers]\norchestraton = 0.5\n")
    assert_clean_failure(
        cli("validate", str(bad)), "bad.toml:2", "did you mean 'orchestration'", "Allowed:"
    )


def test_out_of_range_and_wrong_type(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[levers]\nrisk_share = 0.95\n[scale]\nn_unions = "x"\n')
    assert_clean_failure(
        cli("run", str(bad), *SMALL), "levers.risk_share", "from 0 to 0.8", "scale.n_unions"
    )


def test_malformed_toml(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[levers\norchestration = 0.5\n")
    assert_clean_failure(cli("validate", str(bad)), "bad.toml:1", "malformed TOML")


def test_missing_file(tmp_path):
    assert_clean_failure(cli("run", str(tmp_path / "nope.toml")), "nope.toml", "no such file")


def test_extends_cycle_and_missing_parent(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    (tmp_path / "c.toml").write_text('extends = "missing.toml"\n')
    assert_clean_failure(cli("validate", str(tmp_path / "a.toml")), "inheritance cycle")
    assert_clean_failure(cli("validate", str(tmp_path / "c.toml")), "missing.toml", "not found")


def test_cross_field_rule(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[levers]\ndevolution = 0.3\n[scale]\nn_local_authorities = 0\n")
    assert_clean_failure(cli("validate", str(bad)), "levers.devolution", "n_local_authorities")


def test_bad_file_among_good_ones_fails_before_any_run(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[levers]\nreward_share = 9\n")
    out = tmp_path / "cmp"
    result = cli("compare", str(small_scenario(tmp_path)), str(bad), *SMALL, "--out", str(out))
    assert_clean_failure(result, "levers.reward_share")
    assert not out.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_out_non_root(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = cli("run", str(small_scenario(tmp_path)), *SMALL, "--out", str(locked / "out"))
        assert_clean_failure(result, "cannot write")
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_unwritable_out_even_for_root(tmp_path):
    result = cli("run", str(small_scenario(tmp_path)), *SMALL, "--out", "/proc/partnersim-out")
    assert_clean_failure(result, "/proc/partnersim-out", "cannot create")


def test_out_that_is_a_file(tmp_path):
    target = tmp_path / "taken"
    target.write_text("not a folder")
    result = cli("run", str(small_scenario(tmp_path)), *SMALL, "--out", str(target))
    assert_clean_failure(result, "taken", "not a folder")
    assert target.read_text() == "not a folder"


def test_out_under_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = cli("run", str(small_scenario(tmp_path)), *SMALL, "--out", str(target / "sub"))
    assert_clean_failure(result, "is a file, not a folder")


def test_bad_option_is_a_usage_error(tmp_path):
    result = cli("run", str(small_scenario(tmp_path)), "--seeds", "0")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_out_holding_other_files_is_never_replaced(tmp_path):
    """A mistyped --out must not delete a user's files: only earlier results are replaced."""
    target = tmp_path / "notes"
    (target / "sub").mkdir(parents=True)
    (target / "precious.txt").write_text("keep me")
    result = cli("run", str(small_scenario(tmp_path)), *SMALL, "--out", str(target))
    assert_clean_failure(result, "notes", "holds no partnersim run")
    assert (target / "precious.txt").read_text() == "keep me"
    assert (target / "sub").is_dir()


def test_out_replaces_an_earlier_run_and_is_readable_by_others(tmp_path):
    scenario = str(small_scenario(tmp_path))
    target = tmp_path / "out"
    for _ in range(2):
        result = cli("run", scenario, *SMALL, "--out", str(target))
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in target.iterdir()) == [
        "manifest.json",
        "missions.png",
        "summary.parquet",
        "timeseries.parquet",
    ]
    assert target.stat().st_mode & 0o055 == 0o055 & ~_umask()  # group/other may read
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_out_is_the_current_folder(tmp_path):
    scenario = str(small_scenario(tmp_path))
    assert cli("run", scenario, *SMALL, "--out", str(tmp_path / "out")).returncode == 0
    result = cli("run", scenario, *SMALL, "--out", ".", cwd=tmp_path / "out")
    assert_clean_failure(result, "current folder")
    assert (tmp_path / "out" / "manifest.json").exists()
    assert_clean_failure(cli("run", scenario, *SMALL, "--out", "/"), "root of the file system")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
