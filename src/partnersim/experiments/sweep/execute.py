"""Executing a sweep: plan first, stream results to disk as chunks finish, resume what is missing.

A sweep folder::

    manifest.json          spec, base scenario, design, seeds, provenance, status, times
    plan.parquet           every planned run: run_id, point, replication, seed, factor values
    inputs/                the sweep file, the base scenario file and the resolved scenario
    runs/part-*.parquet    one row per finished run: plan columns, status, error, wall time,
                           scalar outcomes (the commit record of a chunk)
    timeseries/part-*.parquet  the finished runs' quarterly metrics

Each chunk of runs is written as soon as it returns — its time series first, then its run
rows, each atomically — so a crash, Ctrl-C or a killed parent loses no finished run: a chunk
counts as done exactly when its ``runs`` part exists. ``resume`` runs only the missing runs
and ends with the same results as an uninterrupted sweep. A run that raises is recorded with
its error, inputs and seed, and the sweep goes on.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from partnersim import results as res
from partnersim.experiments.backends import Backend, make_backend
from partnersim.experiments.sweep.designs import TABLE
from partnersim.experiments.sweep.planning import plan as make_plan
from partnersim.experiments.sweep.spec import SweepError, SweepSpec
from partnersim.schema.problems import Problem

PLAN = "plan.parquet"
RUNS = "runs"
SERIES = "timeseries"


@dataclass(frozen=True, slots=True)
class Chunk:
    """Runs executed together by one worker call (picklable)."""

    first: int
    scenario: Any  # the base Scenario
    runs: tuple[tuple[int, int, dict], ...]  # (run_id, seed, factor values)


def run_chunk(chunk: Chunk) -> tuple[list[dict], pd.DataFrame | None]:
    """Worker: run every run of a chunk; a run that raises becomes an error record."""
    from partnersim.runs.runner import run

    rows, series = [], []
    for run_id, seed, values in chunk.runs:
        start = time.perf_counter()
        try:
            result = run(chunk.scenario.evolve(**values), seed)
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
            for run_id, _seed, _values in chunk.runs
        ], None


def _chunks(spec: SweepSpec, plan: pd.DataFrame, chunk_size: int) -> Iterator[Chunk]:
    """The plan's runs in chunks, built as the backend asks for them (not all at once)."""
    factors = (
        [f.name for f in spec.factors]
        if not TABLE[spec.design].from_points
        else sorted({k for p in spec.points for k in p})
    )
    # Plain tuples by column position: factor names may be dotted (assumptions), which
    # itertuples' named tuples cannot hold.
    columns = ["run_id", "seed", *factors]
    rows = plan[columns].itertuples(index=False, name=None)
    while batch := list(itertools.islice(rows, chunk_size)):
        records = tuple(
            (
                int(r[0]),
                int(r[1]),
                {f: _py(v) for f, v in zip(factors, r[2:], strict=True) if pd.notna(v)},
            )
            for r in batch
        )
        yield Chunk(records[0][0], spec.base, records)


def _py(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def finished_run_ids(folder: Path) -> set[int]:
    """Runs already recorded in a sweep folder."""
    ids: set[int] = set()
    for part in sorted((folder / RUNS).glob("part-*.parquet")):
        ids.update(pd.read_parquet(part, columns=["run_id"])["run_id"].tolist())
    return ids


def _write_chunk(
    folder: Path, plan_by_run: pd.DataFrame, rows: list[dict], series: pd.DataFrame | None
) -> None:
    first = min(r["run_id"] for r in rows)
    name = f"part-{first:08d}-{len(rows):04d}.parquet"
    if series is not None:
        res.write_table(series, folder / SERIES / name)
    frame = plan_by_run.loc[[r["run_id"] for r in rows]].reset_index()
    frame = frame.merge(pd.DataFrame(rows), on="run_id", how="left")
    res.write_table(frame, folder / RUNS / name)  # the commit record of the chunk


def _clean_orphans(folder: Path) -> None:
    """Remove time series of chunks whose run rows never landed, and temporary files."""
    committed = {p.name for p in (folder / RUNS).glob("part-*.parquet")}
    for part in (folder / SERIES).glob("part-*.parquet"):
        if part.name not in committed:
            part.unlink()
    for tmp in list(folder.glob("**/.*.tmp-*")):
        tmp.unlink(missing_ok=True)


def _manifest(folder: Path) -> dict:
    return json.loads((folder / res.MANIFEST).read_text(encoding="utf-8"))


def prepare(spec: SweepSpec, folder: Path) -> pd.DataFrame:
    """Create a sweep folder with its plan, inputs and manifest (or reuse a matching one)."""
    folder = Path(folder)
    if (folder / res.MANIFEST).exists():
        manifest = _manifest(folder)
        if manifest.get("sweep_hash") != spec.content_hash:
            raise SweepError(
                str(folder),
                [
                    Problem(
                        "--out",
                        "holds a different sweep's results; choose another folder",
                    )
                ],
            )
        return pd.read_parquet(folder / PLAN)
    if folder.exists() and any(folder.iterdir()):
        raise SweepError(
            str(folder), [Problem("--out", "exists and is not empty; choose another folder")]
        )
    res.check_writable(folder)
    plan = make_plan(spec)
    try:
        for sub in ("inputs", RUNS, SERIES):
            (folder / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise res.ResultsError(f"{folder}: cannot create ({exc.strerror})") from None
    if spec.path is not None:
        shutil.copyfile(spec.path, folder / "inputs" / spec.path.name)
    if spec.base.path is not None:
        shutil.copyfile(spec.base.path, folder / "inputs" / f"scenario-{spec.base.path.name}")
    (folder / "inputs" / "scenario.resolved.toml").write_text(spec.base.to_toml(), encoding="utf-8")
    res.write_table(plan, folder / PLAN)
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
    return plan


def execute(
    spec: SweepSpec,
    folder: Path,
    backend: Backend,
    *,
    chunk_size: int | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> res.Results:
    """Run every missing run of a prepared sweep folder, streaming chunks to disk."""
    folder = Path(folder)
    plan = pd.read_parquet(folder / PLAN)
    _clean_orphans(folder)
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
    """
    if not isinstance(spec, SweepSpec):
        spec = SweepSpec.from_toml(spec)
    folder = Path(out) if out else Path("results") / f"{spec.name}-{spec.content_hash}"
    fresh = not (folder / res.MANIFEST).exists()
    prepare(spec, folder)
    owned = isinstance(backend, str)
    try:
        backend_obj = (
            make_backend(backend, workers=workers, scheduler=scheduler) if owned else backend
        )
    except BaseException:
        if fresh:  # nothing ran: leave no half-made folder behind
            shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        return execute(
            spec,
            folder,
            backend_obj,
            chunk_size=chunk_size,
            on_start=on_start,
            on_progress=on_progress,
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
    raw = dict(manifest["sweep_tables"])
    raw["scenario"] = str((folder / "inputs" / "scenario.resolved.toml").resolve())
    raw.pop("steps", None)  # already part of the resolved scenario
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
