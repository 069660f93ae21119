"""Executing a sweep: plan first, stream results to disk as chunks finish, resume what is missing.

A sweep folder::

    manifest.json          spec, base scenario, design, seeds, provenance, status, times
    plan.parquet           every planned run: run_id, point, replication, seed, factor values
    inputs/                the sweep file, the base scenario file and the resolved scenario
                           (and, for a sweep over worlds, ``worlds.parquet``)
    runs/part-*.parquet    one row per finished run: plan columns, status, error, wall time,
                           scalar outcomes
    timeseries/part-*.parquet  the finished runs' quarterly metrics
    shards.jsonl           one line per chunk: its parts' checksums, sizes, rows and run ids
                           (the commit record of a chunk; :mod:`partnersim.results.shards`)

The folder is prepared under a temporary name — plan, inputs, manifest — and renamed into
place, so it exists only complete and resumable. Each chunk of runs is written as soon as it
returns — its parts synced and renamed into place, then its ledger line appended and synced,
with Ctrl-C held back until the line is written — so a crash, Ctrl-C or a killed parent loses
no finished run: a chunk counts as done exactly when its ledger line exists. ``resume``
verifies every part's checksum, moves damaged or unexpected parts aside, runs only the runs
missing, and ends with the same results as an uninterrupted sweep. A run that raises is
recorded with its error, inputs and seed, and the sweep goes on.

Every command that writes into a sweep folder holds its lock
(:func:`partnersim.results.locked`) throughout, so two commands never write into one folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import shutil
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from partnersim import results as res
from partnersim.experiments.backends import Backend, check_backend, make_backend
from partnersim.experiments.sweep import worlds as sweep_worlds
from partnersim.experiments.sweep.designs import TABLE
from partnersim.experiments.sweep.planning import plan as make_plan
from partnersim.experiments.sweep.spec import SweepError, SweepSpec
from partnersim.results import shards
from partnersim.results.faults import fault
from partnersim.schema.problems import Problem
from partnersim.worlds.ensemble import WorldsError

PLAN = "plan.parquet"
RUNS = "runs"
SERIES = "timeseries"


@dataclass(frozen=True, slots=True)
class Chunk:
    """Runs executed together by one worker call (picklable)."""

    first: int
    scenario: Any  # the base Scenario
    runs: tuple[tuple[int, int, dict, Any], ...]  # (run_id, seed, factor values, World | None)


def run_chunk(chunk: Chunk) -> tuple[list[dict], pd.DataFrame | None]:
    """Worker: run every run of a chunk; a run that raises becomes an error record."""
    from partnersim.runs.runner import run

    rows, series = [], []
    for run_id, seed, values, world in chunk.runs:
        start = time.perf_counter()
        try:
            result = run(chunk.scenario.evolve(**values), seed, world=world)
        except Exception as exc:  # a failing run is data, not a crash of the sweep
            tb = traceback.extract_tb(exc.__traceback__)
            where = f" at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""
            rows.append(
                {
                    "run_id": run_id,
                    "status": "error",
                    "error": f"{type(exc).__name__}: {exc}{where}",
                    "wall_seconds": time.perf_counter() - start,
                }
            )
            continue
        rows.append(
            {
                "run_id": run_id,
                "status": "ok",
                "error": "",
                "wall_seconds": time.perf_counter() - start,
                **result.summary,
            }
        )
        ts = result.timeseries
        ts.insert(0, "run_id", run_id)
        series.append(ts)
    return rows, (pd.concat(series, ignore_index=True) if series else None)


class _ChunkCrashes:
    """Isolating a run that kills its worker: chunks split into single runs, recorded failed."""

    def split(self, chunk: Chunk) -> list[Chunk]:
        return [Chunk(run[0], chunk.scenario, (run,)) for run in chunk.runs]

    def record(self, chunk: Chunk, reason: str) -> tuple[list[dict], None]:
        return [
            {
                "run_id": run_id,
                "status": "error",
                "error": f"WorkerDied: {reason} (out of memory, or a crash in native code)",
                "wall_seconds": float("nan"),
            }
            for run_id, _seed, _values, _world in chunk.runs
        ], None


def _chunks(spec: SweepSpec, plan: pd.DataFrame, chunk_size: int) -> Iterator[Chunk]:
    """The plan's runs in chunks, built as the backend asks for them (not all at once)."""
    factors = (
        [f.name for f in spec.factors]
        if not TABLE[spec.design].from_points
        else sorted({k for p in spec.points for k in p})
    )
    # A sweep over worlds: each run's world, holding only the inputs that reach it (the sweep's
    # own values win over the world's).
    by_id = sweep_worlds.run_worlds(spec)
    world_ids = plan["world"] if by_id else pd.Series(-1, index=plan.index)
    # Plain tuples by column position: factor names may be dotted (assumptions), which
    # itertuples' named tuples cannot hold.
    columns = ["run_id", "seed", *factors]
    rows = zip(plan[columns].itertuples(index=False, name=None), world_ids, strict=True)
    while batch := list(itertools.islice(rows, chunk_size)):
        records = tuple(
            (
                int(r[0]),
                int(r[1]),
                {f: _py(v) for f, v in zip(factors, r[2:], strict=True) if pd.notna(v)},
                by_id.get(int(w)),
            )
            for r, w in batch
        )
        yield Chunk(records[0][0], spec.base, records)


def _py(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def finished_run_ids(folder: Path) -> set[int]:
    """Runs already recorded in a sweep folder (by its ledger; older folders by their parts)."""
    if shards.has_ledger(_manifest(folder)):
        return shards.committed_run_ids(folder)
    ids: set[int] = set()
    for part in sorted((folder / RUNS).glob("part-*.parquet")):
        ids.update(pd.read_parquet(part, columns=["run_id"])["run_id"].tolist())
    return ids


def _write_chunk(
    folder: Path, plan_by_run: pd.DataFrame, rows: list[dict], series: pd.DataFrame | None
) -> None:
    first = min(r["run_id"] for r in rows)
    name = f"part-{first:08d}-{len(rows):04d}.parquet"
    frame = plan_by_run.loc[[r["run_id"] for r in rows]].reset_index()
    frame = frame.merge(pd.DataFrame(rows), on="run_id", how="left")
    with interrupt_held():
        shards.commit_chunk(folder, name, frame, series)


@contextlib.contextmanager
def interrupt_held() -> Iterator[None]:
    """Hold Ctrl-C back while the block runs (a chunk's files and ledger line go together).

    Only in the main thread (the only one Python delivers signals to); the interrupt is
    raised as soon as the block ends.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _clean_orphans(folder: Path, on_note: Callable[[str], None] | None = None) -> None:
    """Make the folder match its record before running: leftovers removed, damage set aside.

    With a ledger, damaged and unexpected parts are moved into ``damaged/`` and their runs
    count as not finished (:func:`partnersim.results.shards.repair`). Older folders: time
    series of chunks whose run rows never landed are removed.
    """
    for tmp in list(folder.glob("**/.*.tmp-*")):
        tmp.unlink(missing_ok=True)
    if shards.has_ledger(_manifest(folder)):
        for note in shards.repair(folder):
            if on_note:
                on_note(note)
        return
    committed = {p.name for p in (folder / RUNS).glob("part-*.parquet")}
    for part in (folder / SERIES).glob("part-*.parquet"):
        if part.name not in committed:
            part.unlink()


def _manifest(folder: Path) -> dict:
    return res.read_manifest(folder)


def read_plan(folder: Path, manifest: dict | None = None) -> pd.DataFrame:
    """A sweep folder's plan, its checksum verified against the manifest's record.

    Raises:
        partnersim.results.DamagedFolder: the plan is missing, unreadable or altered.
    """
    manifest = manifest if manifest is not None else _manifest(folder)
    path = folder / PLAN
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise res.DamagedFolder(f"{path}: cannot read the sweep's plan ({exc.strerror})") from None
    want = manifest.get("plan_sha256")
    if want is not None and hashlib.sha256(data).hexdigest() != want:
        raise res.DamagedFolder(
            f"{path}: damaged (its checksum differs from the manifest's record); the plan "
            "cannot be rebuilt from a damaged copy: run the sweep file again into a new folder"
        )
    try:
        import io

        plan = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises several kinds for a file that is not Parquet
        raise res.DamagedFolder(
            f"{path}: not a readable Parquet file ({type(exc).__name__}); run the sweep file "
            "again into a new folder"
        ) from None
    if "run_id" not in plan or (
        "runs_planned" in manifest and len(plan) != manifest["runs_planned"]
    ):
        raise res.DamagedFolder(
            f"{path}: holds {len(plan)} rows, not the {manifest.get('runs_planned')} runs its "
            "manifest planned; run the sweep file again into a new folder"
        )
    return plan


def prepare(spec: SweepSpec, folder: Path) -> pd.DataFrame:
    """Create a sweep folder with its plan, inputs and manifest (or reuse a matching one)."""
    folder = Path(folder)
    if (folder / res.MANIFEST).exists():
        manifest = _manifest(folder)
        if manifest.get("kind") != "sweep" or manifest.get("sweep_hash") != spec.content_hash:
            raise SweepError(
                str(folder),
                [
                    Problem(
                        "--out",
                        "holds a different sweep's results; choose another folder",
                    )
                ],
            )
        return read_plan(folder, manifest)
    if folder.exists() and not folder.is_dir():
        raise SweepError(
            str(folder), [Problem("--out", "exists and is a file, not a folder; choose a folder")]
        )
    if folder.exists() and any(folder.iterdir()):
        raise SweepError(
            str(folder), [Problem("--out", "exists and is not empty; choose another folder")]
        )
    res.check_writable(folder)
    plan = make_plan(spec)
    res.write_folder(folder, lambda tmp: _fill(spec, plan, tmp))
    return plan


def _fill(spec: SweepSpec, plan: pd.DataFrame, folder: Path) -> None:
    """Write a new sweep folder's plan, inputs, empty ledger and manifest into ``folder``."""
    for sub in ("inputs", RUNS, SERIES):
        (folder / sub).mkdir()
    if spec.path is not None:
        shutil.copyfile(spec.path, folder / "inputs" / spec.path.name)
    if spec.base.path is not None:
        shutil.copyfile(spec.base.path, folder / "inputs" / f"scenario-{spec.base.path.name}")
    (folder / "inputs" / "scenario.resolved.toml").write_text(spec.base.to_toml(), encoding="utf-8")
    if spec.worlds is not None:  # the folder resumes and reruns without the original file
        try:
            (folder / sweep_worlds.FILE).write_bytes(sweep_worlds.file_bytes(spec))
        except (WorldsError, OSError) as exc:
            raise SweepError(str(spec.path or "<sweep>"), [Problem("worlds", str(exc))]) from None
    fault("sweep:prepare")
    plan_bytes = shards.parquet_bytes(plan)
    shards.write_bytes_synced(plan_bytes, folder / PLAN)
    (folder / shards.LEDGER).touch()
    from partnersim.runs.runner import versions

    res.write_json(
        {
            "kind": "sweep",
            "name": spec.name,
            "description": spec.description,
            "sweep_file": str(spec.path) if spec.path else None,
            "sweep_hash": spec.content_hash,
            "sweep_text": spec.text,
            "sweep_tables": spec.raw,
            "scenario": spec.base.name,
            "scenario_file": str(spec.base.path) if spec.base.path else None,
            "scenario_hash": spec.base.content_hash,
            "scenario_values": dict(spec.base.values),
            "design": spec.design,
            "factors": _manifest_factors(spec, plan),
            # Grid and list designs are sized by the file's factors and points, not `samples`.
            "samples": spec.samples if TABLE[spec.design].uses_samples else None,
            "replications": spec.replications,
            "root_seed": spec.seed,
            "seeds": sorted(set(plan["seed"].tolist())),
            "runs_planned": len(plan),
            **({"worlds": sweep_worlds.manifest_record(spec)} if spec.worlds else {}),
            "plan_sha256": hashlib.sha256(plan_bytes).hexdigest(),
            "shards": shards.LEDGER,
            "input_files": {
                f"inputs/{f.name}": hashlib.sha256(f.read_bytes()).hexdigest()
                for f in sorted((folder / "inputs").iterdir())
            },
            "versions": versions(),
            "provenance": res.provenance(),
            "status": "planned",
            "history": [],
        },
        folder / res.MANIFEST,
    )


def execute(
    spec: SweepSpec,
    folder: Path,
    backend: Backend,
    *,
    chunk_size: int | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> res.Results:
    """Run every missing run of a prepared sweep folder, streaming chunks to disk.

    The caller holds the folder's lock (:func:`run_sweep` does).
    """
    folder = Path(folder)
    plan = read_plan(folder)
    _clean_orphans(folder, on_note)
    done = finished_run_ids(folder)
    todo = plan[~plan["run_id"].isin(done)]
    size = chunk_size or max(1, min(16, len(todo) // (4 * max(backend.workers, 1)) or 1))
    chunks = _chunks(spec, todo, size)
    if on_start:
        on_start(len(plan), len(todo))
    manifest = _manifest(folder)
    started = res.now()
    manifest["status"] = "running"
    manifest["history"].append(
        {
            "started": started,
            "backend": backend.name,
            "workers": backend.workers,
            "runs_to_do": len(todo),
            # A resume may run elsewhere or on newer code: each session says where and what.
            "versions": _versions(),
            "provenance": res.provenance(),
        }
    )
    res.write_json(manifest, folder / res.MANIFEST)
    status = "interrupted"
    plan_by_run = plan.set_index("run_id")  # indexed once, not per chunk
    try:
        for _chunk, (rows, series) in backend.map_unordered(run_chunk, chunks, _ChunkCrashes()):
            _write_chunk(folder, plan_by_run, rows, series)
            fault("sweep:chunk")
            if on_progress:
                on_progress(len(rows))
        status = "complete"
    finally:
        manifest = _manifest(folder)
        finished = len(finished_run_ids(folder))
        manifest["status"] = (
            status if finished == len(plan) or status != "complete" else "incomplete"
        )
        manifest["history"][-1].update(ended=res.now(), runs_finished=finished)
        manifest["runs_finished"] = finished
        res.write_json(manifest, folder / res.MANIFEST)
    return res.load(folder)


def run_sweep(
    spec: SweepSpec | str | Path,
    *,
    out: str | Path | None = None,
    backend: Backend | str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_note: Callable[[str], None] | None = None,
    command: str = "partnersim.run_sweep",
) -> res.Results:
    """Run a sweep and return its results, as ``partnersim sweep`` writes them.

    Args:
        spec: a :class:`SweepSpec` or the path of a sweep file.
        out: results folder (default ``results/<name>-<hash>``); a folder of the same sweep
            is resumed.
        backend: ``"serial"``, ``"processes"`` (default), ``"dask"`` or a backend object.
        workers: worker processes (process pool or local Dask cluster).
        scheduler: address of a Dask scheduler (``tcp://host:8786``) to run on.
        chunk_size: runs per task (default: a few tasks per worker, at most 16 runs each).
        on_start: called with (runs planned, runs to do) before running.
        on_progress: called with the number of runs finished by each chunk.
        on_note: called with each repair made before running (parts set aside, runs redone).
        command: what holds the folder's lock, as shown to a second command.

    Raises:
        partnersim.results.FolderLocked: another command is writing into the folder.
    """
    if not isinstance(spec, SweepSpec):
        spec = SweepSpec.from_toml(spec)
    folder = Path(out) if out else Path("results") / f"{spec.name}-{spec.content_hash}"
    owned = isinstance(backend, str)
    if owned and scheduler is None:
        check_backend(backend)  # before anything is written
    with res.locked(folder, command):
        # The backend first: if it cannot start, nothing has been written.
        backend_obj = (
            make_backend(backend, workers=workers, scheduler=scheduler) if owned else backend
        )
        try:
            prepare(spec, folder)
            return execute(
                spec,
                folder,
                backend_obj,
                chunk_size=chunk_size,
                on_start=on_start,
                on_progress=on_progress,
                on_note=on_note,
            )
        finally:
            if owned:
                backend_obj.close()


def load_spec(folder: str | Path) -> SweepSpec:
    """The sweep spec of a sweep folder, rebuilt from the folder alone.

    The sweep file's text is in the manifest and the fully resolved base scenario in
    ``inputs/``, so a sweep resumes even if the original files moved or changed.
    """
    folder = Path(folder)
    if not (folder / res.MANIFEST).exists():
        raise SweepError(
            str(folder), [Problem("<folder>", "is not a results folder (no manifest.json)")]
        )
    manifest = _manifest(folder)
    if manifest.get("kind") != "sweep":
        raise SweepError(
            str(folder),
            [Problem("<folder>", f"holds a {manifest.get('kind')!r} result, not a sweep")],
        )
    if not isinstance(manifest["sweep_tables"], dict):
        raise res.ResultsError(
            f"{folder / res.MANIFEST}: key 'sweep_tables' must be a table of the sweep file's "
            "settings; the manifest is damaged"
        )
    raw = dict(manifest["sweep_tables"])
    raw["scenario"] = str((folder / "inputs" / "scenario.resolved.toml").resolve())
    raw.pop("steps", None)  # already part of the resolved scenario
    if "worlds" in raw and (folder / sweep_worlds.FILE).exists():
        raw["worlds"] = str((folder / sweep_worlds.FILE).resolve())
    spec = SweepSpec.from_dict(raw, source=str(folder / res.MANIFEST))
    if spec.content_hash != manifest["sweep_hash"]:
        raise SweepError(
            str(folder), [Problem("sweep_hash", "the folder's inputs do not match its manifest")]
        )
    return spec


def resume(folder: str | Path, **kwargs: Any) -> res.Results:
    """Finish an interrupted sweep: run only the runs missing from ``folder``."""
    spec = load_spec(folder)
    return run_sweep(spec, out=folder, **kwargs)


def _versions() -> dict[str, str]:
    from partnersim.runs.runner import versions

    return versions()


def _manifest_factors(spec: SweepSpec, plan: pd.DataFrame) -> list[dict]:
    """The factors a sweep varies, as recorded in its manifest.

    For a list design: the keys its points set, with the values the plan gives them, so that
    scenario discovery and success by value work on it too.
    """
    if not TABLE[spec.design].from_points:
        return [
            {"name": f.name, "low": f.low, "high": f.high, "values": f.values} for f in spec.factors
        ]
    keys = dict.fromkeys(k for p in spec.points for k in p)
    return [
        {"name": k, "low": None, "high": None, "values": sorted(set(map(_py, plan[k])), key=str)}
        for k in keys
    ]
