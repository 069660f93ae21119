"""Reliability promises (docs/reliability.md), each tried as a user would meet it.

Locked folders, checksummed parts, resume repairing damage, no orphaned processes, Ctrl-C
messages that match the disk, bad input that exits 2 with a message, limits, and a run's
``--out`` left alone if something appeared there meanwhile. Commands run through the CLI in
a subprocess wherever the promise is about the CLI.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from partnersim import results
from partnersim.experiments.sweep import run_sweep

from .conftest import ROOT, cli

SCENARIO = ROOT / "scenarios" / "westminster_default.toml"


def assert_clean_failure(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def write_sweep(folder: Path, name: str = "small", samples: int = 5, steps: int = 6) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / "base.toml"
    base.write_text(
        f'extends = "{SCENARIO}"\n[scale]\nn_businesses = 80\nn_local_authorities = 20\n',
        encoding="utf-8",
    )
    spec = folder / f"{name}.toml"
    spec.write_text(
        f'name = "{name}"\nscenario = "{base}"\ndesign = "lhs"\nsamples = {samples}\n'
        f"replications = 2\nseed = 7\nsteps = {steps}\n"
        "[levers]\norchestration = { low = 0.0, high = 1.0 }\n",
        encoding="utf-8",
    )
    return spec


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A complete sweep folder (10 runs, chunks of 3), copied by the tests that damage it."""
    tmp = tmp_path_factory.mktemp("finished")
    spec = write_sweep(tmp)
    run_sweep(spec, out=tmp / "out", backend="serial", chunk_size=3)
    return tmp / "out"


@pytest.fixture
def sweep_copy(finished, tmp_path) -> Path:
    target = tmp_path / "sweep"
    shutil.copytree(finished, target)
    return target


def outcomes(folder: Path) -> pd.DataFrame:
    runs = results.load(folder).runs
    return runs.drop(columns=["wall_seconds"]).reset_index(drop=True)


# -- 1. one command per folder; no duplicated runs ---------------------------------------------


def test_a_second_command_on_a_locked_folder_exits_2_naming_the_holder(sweep_copy, tmp_path):
    with results.locked(sweep_copy, "test holder"):
        assert (sweep_copy.parent / f".{sweep_copy.name}.lock").exists()
        spec = write_sweep(tmp_path / "spec")
        for args in (
            ("resume", str(sweep_copy), "--backend", "serial"),
            ("report", str(sweep_copy)),
            ("sweep", str(spec), "--out", str(sweep_copy), "--backend", "serial"),
        ):
            result = cli(*args)
            assert_clean_failure(
                result, "in use by test holder", f"PID {os.getpid()}", socket.gethostname()
            )
    assert not (sweep_copy.parent / f".{sweep_copy.name}.lock").exists()  # released, removed
    assert cli("resume", str(sweep_copy), "--backend", "serial", "--quiet").returncode == 0


def test_two_resumes_at_once_never_duplicate_runs(tmp_path):
    spec = write_sweep(tmp_path, samples=12, steps=10)
    out = tmp_path / "out"
    interrupted = cli(
        "sweep", str(spec), "--out", str(out), "--backend", "serial", "--chunk", "1", "--quiet",
        env={"PARTNERSIM_FAULT": "sweep:chunk"},
    )  # fmt: skip
    assert interrupted.returncode == 130, interrupted.stderr
    assert len(results.load(out).runs) == 1
    command = [sys.executable, "-m", "partnersim.cli", "resume", str(out), "--backend", "serial"]
    procs = [
        subprocess.Popen(
            [*command, "--chunk", "1", "--quiet"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    done = [p.communicate(timeout=300) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 2], done
    loser = next(err for p, (_, err) in zip(procs, done, strict=True) if p.returncode == 2)
    assert "in use by partnersim resume" in loser
    runs = results.load(out).runs
    assert runs["run_id"].is_unique
    assert sorted(runs["run_id"]) == list(range(24))


def test_duplicated_run_ids_are_rejected_on_load(sweep_copy):
    ledger = sweep_copy / "shards.jsonl"
    lines = ledger.read_text().splitlines()
    ledger.write_text("\n".join([*lines, lines[0]]) + "\n")  # a chunk recorded twice
    with pytest.raises(results.DamagedFolder, match="run ids recorded more than once: 0, 1, 2"):
        results.load(sweep_copy)
    assert_clean_failure(cli("report", str(sweep_copy)), "recorded more than once")


def test_duplicated_run_ids_are_rejected_in_folders_without_a_ledger(sweep_copy):
    # A folder written before parts were recorded: the runs table itself is checked.
    manifest = json.loads((sweep_copy / "manifest.json").read_text())
    del manifest["shards"]
    (sweep_copy / "manifest.json").write_text(json.dumps(manifest))
    part = sorted((sweep_copy / "runs").glob("part-*.parquet"))[0]
    shutil.copyfile(part, sweep_copy / "runs" / "part-00000099-0003.parquet")
    with pytest.raises(results.DamagedFolder, match="recorded more than once"):
        results.load(sweep_copy).runs  # noqa: B018 - reading the table is the check


# -- 2. run --out: nothing that appeared meanwhile is replaced ---------------------------------


@pytest.mark.parametrize("before", ["absent", "earlier run"])
def test_run_out_leaves_alone_what_appeared_while_running(tmp_path, small, before):
    from partnersim.runs.many import run_many, write_run_folder

    out = tmp_path / "out"
    runset = run_many([small.evolve(steps=2)], 1, 0)
    if before == "earlier run":
        write_run_folder(runset, out, figure=False)
    expected = results.check_replaceable(out)  # what `run` sees before simulating

    def fill(folder: Path) -> None:
        (folder / "manifest.json").write_text(json.dumps(runset.manifest, default=str))
        # Meanwhile, a user replaces --out with a folder of their own.
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        (out / "thesis.tex").write_text("a user's file")

    with pytest.raises(results.ResultsError, match="left alone; the results are in") as caught:
        results.write_folder(out, fill, expected=expected)
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]
    assert (out / "thesis.tex").read_text() == "a user's file"
    aside = Path(str(caught.value).rsplit("results are in ", 1)[1])
    assert (aside / "manifest.json").exists()
    # And `run` itself checks --out again before writing: the user's folder stops it.
    with pytest.raises(results.ResultsError, match="holds no partnersim run"):
        write_run_folder(runset, out, figure=False, expected=expected)
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


# -- 3. damaged sweep data: named, exit 2; resume repairs ---------------------------------------


def test_damaged_missing_and_stray_parts_are_named_and_resume_repairs_them(finished, sweep_copy):
    (sweep_copy / "runs" / "part-00000003-0003.parquet").write_bytes(b"PAR1 garbage")
    (sweep_copy / "timeseries" / "part-00000006-0003.parquet").unlink()
    stray = sweep_copy / "runs" / "part-00000099-0001.parquet"
    shutil.copyfile(sweep_copy / "runs" / "part-00000000-0003.parquet", stray)
    assert_clean_failure(
        cli("report", str(sweep_copy)),
        "damaged (checksum, size or rows differ from the manifest's record): "
        "runs/part-00000003-0003.parquet",
        "missing: timeseries/part-00000006-0003.parquet",
        "unexpected (not recorded in the manifest): runs/part-00000099-0001.parquet",
    )
    with pytest.raises(results.DamagedFolder, match="part-00000006-0003"):
        results.load(sweep_copy)
    resumed = cli("resume", str(sweep_copy), "--backend", "serial", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert "6 to run" in resumed.stderr  # the runs of the damaged and the missing part
    assert "moved into damaged/" in resumed.stderr
    assert {p.name for p in (sweep_copy / "damaged").iterdir()} >= {
        "runs-part-00000003-0003.parquet",
        "runs-part-00000099-0001.parquet",
    }
    pd.testing.assert_frame_equal(outcomes(sweep_copy), outcomes(finished))
    assert len(results.load(sweep_copy).timeseries) == len(results.load(finished).timeseries)


def test_a_part_altered_in_place_is_caught_when_read(sweep_copy):
    part = sweep_copy / "runs" / "part-00000000-0003.parquet"
    frame = pd.read_parquet(part)
    frame.loc[0, "mean_gap_closed"] = 0.99  # same size is not enough to pass
    data = bytearray(part.read_bytes())
    altered = results.shards.parquet_bytes(frame)
    if len(altered) == len(data):
        part.write_bytes(altered)
    else:
        data[len(data) // 2] ^= 0xFF
        part.write_bytes(bytes(data))
    with pytest.raises(results.DamagedFolder, match=r"runs/part-00000000-0003\.parquet is damaged"):
        results.load(sweep_copy).runs  # noqa: B018


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        ("plan garbage", "plan.parquet"),
        ("manifest garbage", "manifest.json: not a partnersim manifest (not UTF-8 text)"),
        ("manifest not JSON", "manifest.json: not a partnersim manifest (invalid JSON"),
        ("manifest null", "a JSON null, not an object"),
        ("manifest without a key", "lacks the key(s) sweep_tables"),
        ("ledger line garbage", "shards.jsonl: line 1 is not a shard record"),
    ],
)
def test_a_damaged_plan_manifest_or_ledger_exits_2(sweep_copy, damage, named):
    manifest = sweep_copy / "manifest.json"
    if damage == "plan garbage":
        (sweep_copy / "plan.parquet").write_bytes(b"\x00" * 100)
    elif damage == "manifest garbage":
        manifest.write_bytes(b"\xff{not json")
    elif damage == "manifest not JSON":
        manifest.write_text("{not json")
    elif damage == "manifest null":
        manifest.write_text("null")
    elif damage == "manifest without a key":
        data = json.loads(manifest.read_text())
        del data["sweep_tables"]
        manifest.write_text(json.dumps(data))
    else:
        ledger = sweep_copy / "shards.jsonl"
        ledger.write_text("{oops\n" + ledger.read_text())
    assert_clean_failure(cli("report", str(sweep_copy)), named)
    assert_clean_failure(cli("resume", str(sweep_copy), "--backend", "serial"), named)


# -- 4. no orphaned processes -------------------------------------------------------------------


def children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    found, frontier = set(), {pid}
    while frontier:
        parent = frontier.pop()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent and fields[0] != "Z":
                child = int(stat.parent.name)
                if child not in found:
                    found.add(child)
                    frontier.add(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process trees from /proc")
def test_workers_exit_soon_after_their_sweep_parent_is_killed(tmp_path):
    spec = write_sweep(tmp_path, samples=40, steps=12)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "partnersim.cli", "sweep", str(spec), "--out", str(out),
         "--workers", "2", "--chunk", "1", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    workers: set[int] = set()
    try:
        deadline = time.time() + 180
        while not list((out / "runs").glob("part-*.parquet")):
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.time() < deadline
            time.sleep(0.05)
        workers = children(proc.pid)
        assert len(workers) >= 2  # two workers (and the resource tracker)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.time() + 20
        while any(alive(w) for w in workers) and time.time() < deadline:
            time.sleep(0.2)
        assert [w for w in workers if alive(w)] == []
    finally:  # (re-parented workers are no longer the sweep's children: killed by PID)
        for pid in workers | children(proc.pid) | {proc.pid}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("how", [signal.SIGHUP, signal.SIGTERM, signal.SIGKILL])
def test_the_dashboard_stops_when_its_terminal_closes_or_it_is_killed(tmp_path, how):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "partnersim.cli", "dashboard", "--port", str(port),
         "--results", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    server = set()
    try:
        deadline = time.time() + 120
        while not listening(port):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.time() < deadline, "the dashboard did not start"
            time.sleep(0.25)
        server = children(proc.pid)
        os.kill(proc.pid, how)
        deadline = time.time() + 20
        while (listening(port) or any(alive(p) for p in server)) and time.time() < deadline:
            time.sleep(0.25)
        assert not listening(port)
        assert [p for p in server if alive(p)] == []
        proc.wait(timeout=10)
    finally:
        for pid in server | {proc.pid}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# -- 5. Ctrl-C: the message matches the folder -------------------------------------------------


def test_ctrl_c_while_a_sweep_folder_is_prepared_leaves_nothing(tmp_path):
    spec = write_sweep(tmp_path / "spec")
    out = tmp_path / "results" / "out"
    result = cli(
        "sweep", str(spec), "--out", str(out), "--backend", "serial", "--quiet",
        env={"PARTNERSIM_FAULT": "sweep:prepare"},
    )  # fmt: skip
    assert result.returncode == 130, result.stderr
    assert f"interrupted before the sweep folder was created; nothing was written to {out}" in (
        result.stderr
    )
    assert "resume" not in result.stderr
    assert not out.exists()
    assert list(out.parent.iterdir()) == []  # no half-made folder, no lock file
    again = cli("sweep", str(spec), "--out", str(out), "--backend", "serial", "--quiet")
    assert again.returncode == 0, again.stderr


def test_ctrl_c_during_a_sweep_says_how_many_runs_are_saved_and_resume_finishes(tmp_path):
    spec = write_sweep(tmp_path / "spec")
    out = tmp_path / "out"
    result = cli(
        "sweep", str(spec), "--out", str(out), "--backend", "serial", "--chunk", "3", "--quiet",
        env={"PARTNERSIM_FAULT": "sweep:chunk"},
    )  # fmt: skip
    assert result.returncode == 130, result.stderr
    assert "3 of 10 runs are saved; continue with: partnersim resume" in result.stderr
    assert len(results.load(out).runs) == 3
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    resumed = cli("resume", str(out), "--backend", "serial", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert "10 of 10 runs finished" in resumed.stdout


def test_ctrl_c_during_report_leaves_the_earlier_report_whole(sweep_copy):
    interrupted = cli("report", str(sweep_copy), env={"PARTNERSIM_FAULT": "report:tables"})
    assert interrupted.returncode == 130
    assert "the sweep's report/ folder is as it was before" in interrupted.stderr
    assert not (sweep_copy / "report").exists()  # no report yet, and no part of one
    assert [p.name for p in sweep_copy.iterdir() if p.name.startswith(".")] == []
    assert cli("report", str(sweep_copy), "--bootstrap", "10").returncode == 0
    first = (sweep_copy / "report" / "report.md").read_text()
    again = cli("report", str(sweep_copy), env={"PARTNERSIM_FAULT": "report:tables"})
    assert again.returncode == 130
    assert (sweep_copy / "report" / "report.md").read_text() == first


def test_ctrl_c_during_run_writes_no_folder(tmp_path):
    out = tmp_path / "out"
    result = cli(
        "run", str(SCENARIO), "--seeds", "1", "--steps", "2", "--quiet", "--out", str(out),
        env={"PARTNERSIM_FAULT": "run:tables"},
    )  # fmt: skip
    assert result.returncode == 130
    assert "--out is as it was before" in result.stderr
    assert list(tmp_path.iterdir()) == []


# -- 6. bad input: exit 2 with a message, never a traceback ------------------------------------


def test_a_symbolic_link_loop_exits_2(tmp_path):
    loop = tmp_path / "loop.toml"
    loop.symlink_to(tmp_path / "loop.toml")
    assert_clean_failure(cli("validate", str(loop)), str(loop), "symbolic link")


def test_a_very_deep_extends_chain_exits_2(tmp_path):
    (tmp_path / "s0.toml").write_text(f'extends = "{SCENARIO}"\n')
    for i in range(1, 1500):
        (tmp_path / f"s{i}.toml").write_text(f'extends = "s{i - 1}.toml"\n')
    assert_clean_failure(cli("validate", str(tmp_path / "s1499.toml")), "deeper than 50 files")


def test_a_fifo_is_refused_not_read(tmp_path):
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    assert_clean_failure(cli("validate", str(fifo)), "is not a regular file")


def test_a_byte_order_mark_is_named(tmp_path):
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + SCENARIO.read_bytes())
    assert_clean_failure(cli("validate", str(bom)), "starts with a byte-order mark")


def test_names_too_long_for_the_file_system_exit_2(tmp_path):
    long_out = tmp_path / ("x" * 300)
    assert_clean_failure(
        cli("run", str(SCENARIO), "--seeds", "1", "--steps", "2", "--out", str(long_out)),
        "file name too long",
    )
    named = tmp_path / "named.toml"
    named.write_text(f'name = "{"n" * 5000}"\nextends = "{SCENARIO}"\n')
    assert_clean_failure(cli("validate", str(named)), "is 5000 characters long; at most 100")


def test_sweep_out_that_is_a_file_and_report_that_is_a_file_exit_2(sweep_copy, tmp_path):
    spec = write_sweep(tmp_path / "spec")
    a_file = tmp_path / "a-file"
    a_file.write_text("mine")
    assert_clean_failure(
        cli("sweep", str(spec), "--out", str(a_file), "--backend", "serial"), "is a file"
    )
    assert a_file.read_text() == "mine"
    (sweep_copy / "report").write_text("not a folder")
    assert_clean_failure(cli("report", str(sweep_copy)), "exists and is not a folder")


def test_a_full_disk_exits_2(tmp_path):
    import resource

    def small_files() -> None:  # as `ulimit -f 40`: no file may grow past 40 KiB
        resource.setrlimit(resource.RLIMIT_FSIZE, (40 * 1024, 40 * 1024))

    result = cli(
        "run", str(SCENARIO), "--seeds", "2", "--steps", "8", "--quiet", "--out",
        str(tmp_path / "out"), preexec_fn=small_files,
    )  # fmt: skip
    assert_clean_failure(result, "too large")
    assert not (tmp_path / "out").exists()


# -- 7. limits ----------------------------------------------------------------------------------


def test_counts_beyond_the_limits_are_refused_before_any_work(tmp_path):
    assert_clean_failure(cli("run", str(SCENARIO), "--seeds", "1000000000000"), "--seeds")
    spec = write_sweep(tmp_path)
    text = spec.read_text()
    for old, new, message in (
        ("samples = 5", "samples = 1000000000", "samples: must be at most 1,000,000"),
        ("replications = 2", "replications = 1000000000", "replications: must be at most"),
        ("samples = 5", "samples = 999999", "at most 1,000,000 (the plan is held in memory"),
    ):
        spec.write_text(text.replace(old, new))
        assert_clean_failure(
            cli("sweep", str(spec), "--out", str(tmp_path / "o"), "--backend", "serial"), message
        )
        assert not (tmp_path / "o").exists()


def test_keys_are_located_in_one_pass_and_long_error_lists_are_capped(tmp_path, monkeypatch):
    from partnersim import Scenario
    from partnersim.schema import problems

    many = tmp_path / "many.toml"
    many.write_text(
        f'extends = "{SCENARIO}"\n[levers]\n'
        + "".join(f"unknown_{i} = 1\n" for i in range(20_000)),
        encoding="utf-8",
    )
    builds = []
    build = problems.LineFinder._build
    monkeypatch.setattr(problems.LineFinder, "_build", lambda self: builds.append(1) or build(self))
    with pytest.raises(problems.ScenarioError) as caught:
        Scenario.from_toml(many)
    assert len(caught.value.problems) == 20_000
    assert caught.value.problems[-1].line == 20_002
    assert len(builds) == 1  # the text is indexed once, not scanned once per key
    result = cli("validate", str(many))
    assert_clean_failure(result, "and 19990 more problems, not shown")
    assert len(result.stderr) <= 5_000
    from partnersim.cli.common import cap

    capped = cap("x" * 10 + "\n" + "y" * 10_000_000)
    assert len(capped) < 200 and "1 more line(s), 10000000 characters, not shown" in capped


# -- 8. a sweep's name follows the scenario name rule -------------------------------------------


@pytest.mark.parametrize(
    "name", ["../../escaped/evil", "/tmp/abs", "two\\nlines", "emoji🙂", ".hidden"]
)
def test_a_sweep_name_that_is_not_a_plain_folder_name_is_refused(tmp_path, name):
    spec = write_sweep(tmp_path)
    spec.write_text(spec.read_text().replace('name = "small"', f'name = "{name}"'))
    result = cli("sweep", str(spec), "--backend", "serial", cwd=tmp_path)
    assert_clean_failure(result, "name:", "letters, digits")
    assert not (tmp_path / "results").exists()
    assert not (tmp_path.parent / "escaped").exists()


# -- 9. the dashboard: loopback unless asked ----------------------------------------------------


def test_the_dashboard_refuses_a_public_address_without_allow_remote():
    result = cli("dashboard", "--host", "0.0.0.0", "--port", str(free_port()))
    assert_clean_failure(result, "--host 0.0.0.0: not a loopback address", "--allow-remote")


def test_loopback_addresses():
    from partnersim.cli.dashboard import is_loopback

    assert all(map(is_loopback, ["127.0.0.1", "127.3.4.5", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.4", "::", "example.org"]))


# -- 10. smaller ----------------------------------------------------------------------------------


def test_a_bogus_backend_leaves_an_empty_out_folder_alone(tmp_path):
    spec = write_sweep(tmp_path / "spec")
    empty = tmp_path / "mine"
    empty.mkdir()
    result = cli("sweep", str(spec), "--out", str(empty), "--backend", "bogus")
    assert_clean_failure(result, "--backend: 'bogus' is not allowed; one of serial")
    assert empty.is_dir() and list(empty.iterdir()) == []


def test_steps_option_keeps_the_scenario_file_and_names_itself_in_errors(tmp_path):
    out = tmp_path / "out"
    result = cli("run", str(SCENARIO), "--seeds", "1", "--steps", "2", "--quiet", "--out", str(out))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenarios"][0]["scenario_file"] == str(SCENARIO)
    too_long = cli("run", str(SCENARIO), "--seeds", "1", "--steps", "100000", "--quiet")
    assert_clean_failure(too_long, "with --steps")
    assert "<keyword arguments>" not in too_long.stderr


# -- 11. the README's test command on a machine without Chromium -------------------------------


def test_the_test_command_says_how_to_install_a_missing_chromium(tmp_path):
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "test.sh"), "-q", "tests/test_style.py"],
        capture_output=True,
        text=True,
        env={**os.environ, "PARTNERSIM_CHROMIUM": str(tmp_path / "no-chromium")},
        timeout=600,
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert "the browser tests need Chromium" in last and "apt-get install chromium" in last
    assert "passed" not in result.stdout  # it stopped before running any test
