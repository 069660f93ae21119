"""``partnersim worlds``: draw, refit and history-match an ensemble of plausible worlds.

The work is a results folder like a sweep's, and as safe: ``manifest.json`` (the request, the
settings, provenance), ``plan.parquet`` (every draw: world id, seed, values), ``runs/`` parts
committed with a checksummed ledger as workers finish them, and — once every draw is fitted —
``worlds.parquet``, the accepted worlds (:mod:`partnersim.worlds.ensemble`). Draws run on the
sweep backends (serial, local processes, Dask) and each is fully determined by the request's
seed, so the ensemble is identical on every backend; an interrupted command loses no fitted
world, and running it again (or ``partnersim resume``) fits only the rest.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from partnersim import results as res
from partnersim.experiments.backends import Backend, check_backend, make_backend
from partnersim.experiments.sweep.execute import interrupt_held
from partnersim.results import shards
from partnersim.results.faults import fault
from partnersim.worlds import ensemble
from partnersim.worlds.fit import (
    Draw,
    Settings,
    factors,
    fit_world,
    plausible_range,
    sample,
    settings,
    spawn_seeds,
)

PLAN = "plan.parquet"
RUNS = "runs"
KIND = "worlds"
METHODS = ("lhs", "sobol")


class WorldsRequestError(ValueError):
    """A request that cannot be run (bad option, a folder holding something else)."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True, slots=True)
class Request:
    """What to generate: how many draws, how they are sampled, from which seed."""

    draws: int
    seed: int = 20240530
    method: str = "lhs"
    settings: Settings = field(default_factory=settings)

    def __post_init__(self) -> None:
        if self.draws < 1:
            raise WorldsRequestError("--draws", f"must be at least 1, not {self.draws}")
        if self.method not in METHODS:
            raise WorldsRequestError(
                "--method",
                f"unknown sampling method {self.method!r}; allowed: {', '.join(METHODS)}",
            )
        if self.seed < 0:
            raise WorldsRequestError("--seed", f"must be a non-negative integer, not {self.seed}")

    @property
    def content_hash(self) -> str:
        """Identifies the request (draws, method, seed, settings, factors and ranges)."""
        payload = json.dumps(
            {
                "draws": self.draws,
                "seed": self.seed,
                "method": self.method,
                "settings": self.settings.to_dict(),
                "factors": _factor_records(),
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:12]


def _factor_records() -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "kind": "int" if p.kind is int else "float",
            "default": p.default,
            "plausible": list(plausible_range(p)),
            "reason": p.evidence or "",
        }
        for p in factors()
    ]


def make_plan(request: Request) -> pd.DataFrame:
    """Every draw: ``world`` (0, 1, ...), its ``seed`` and its values (deterministic)."""
    draws = sample(request.draws, request.seed, request.method)
    seeds = spawn_seeds(request.seed + 1, request.draws)
    plan = pd.DataFrame(draws)
    plan.insert(0, "seed", seeds)
    plan.insert(0, "world", range(request.draws))
    return plan


def fit_seeds(request: Request) -> tuple[int, ...]:
    """The refit's seeds, common to every world of the request."""
    return tuple(spawn_seeds(request.seed + 2, request.settings.fit_seeds))


# -- the folder --------------------------------------------------------------------------------


def _fill(request: Request, plan: pd.DataFrame, folder: Path, command: str) -> None:
    (folder / RUNS).mkdir()
    plan_bytes = shards.parquet_bytes(plan)
    shards.write_bytes_synced(plan_bytes, folder / PLAN)
    (folder / shards.LEDGER).touch()
    from partnersim.runs.runner import versions

    res.write_json(
        {
            "kind": KIND,
            "request_hash": request.content_hash,
            "draws": request.draws,
            "seed": request.seed,
            "method": request.method,
            "settings": request.settings.to_dict(),
            "factors": _factor_records(),
            "fit_seeds": list(fit_seeds(request)),
            "command": command,
            "plan_sha256": hashlib.sha256(plan_bytes).hexdigest(),
            "shards": shards.LEDGER,
            "versions": versions(),
            "provenance": res.provenance(),
            "status": "planned",
            "history": [],
        },
        folder / res.MANIFEST,
    )


def prepare(request: Request, folder: Path, command: str) -> pd.DataFrame:
    """Create the folder with its plan and manifest, or reuse one made by the same request."""
    if (folder / res.MANIFEST).exists():
        manifest = res.read_manifest(folder)
        if manifest.get("kind") != KIND or manifest.get("request_hash") != request.content_hash:
            raise WorldsRequestError(
                "--out",
                f"{folder} holds other results (not these worlds); choose another folder",
            )
        return read_plan(folder, manifest)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise WorldsRequestError(
            "--out", f"{folder} exists and is not empty; choose another folder"
        )
    res.check_writable(folder)
    plan = make_plan(request)
    res.write_folder(folder, lambda tmp: _fill(request, plan, tmp, command))
    return plan


def read_plan(folder: Path, manifest: dict) -> pd.DataFrame:
    """The folder's plan, checked against the manifest's checksum."""
    raw = (folder / PLAN).read_bytes()
    if hashlib.sha256(raw).hexdigest() != manifest.get("plan_sha256"):
        raise res.DamagedFolder(f"{folder / PLAN}: damaged (checksum differs); start a new folder")
    import io

    return pd.read_parquet(io.BytesIO(raw))


def request_of(folder: Path) -> Request:
    """The request a worlds folder was made by (to resume it)."""
    m = res.read_manifest(folder)
    if m.get("kind") != KIND:
        raise WorldsRequestError(str(folder), "not a worlds folder")
    return Request(int(m["draws"]), int(m["seed"]), m["method"], Settings.from_dict(m["settings"]))


class _Crashes:
    """A draw that kills its worker is recorded as failed (one draw per task already)."""

    def split(self, draw: Draw) -> list[Draw]:
        return [draw]

    def record(self, draw: Draw, reason: str) -> dict[str, Any]:
        return {
            "world": draw.world,
            "seed": draw.seed,
            "accepted": False,
            "reason": f"WorkerDied: {reason}",
        }


def _safe_fit(draw: Draw) -> dict[str, Any]:
    """A draw whose refit raises is recorded as ruled out, with the error (data, not a crash)."""
    try:
        return fit_world(draw)
    except Exception as exc:
        return {
            "world": draw.world,
            "seed": draw.seed,
            "accepted": False,
            "reason": f"refit failed: {type(exc).__name__}: {exc}",
        }


def _draws(request: Request, plan: pd.DataFrame, todo: set[int]) -> Iterator[Draw]:
    names = [c for c in plan.columns if c not in ("world", "seed")]
    common = fit_seeds(request)
    for record in plan.itertuples(index=False, name=None):
        world, seed, *values = record
        if int(world) not in todo:
            continue
        pairs = tuple(
            (n, v.item() if hasattr(v, "item") else v) for n, v in zip(names, values, strict=True)
        )
        yield Draw(int(world), int(seed), pairs, request.settings, common)


def finished(folder: Path) -> set[int]:
    """World ids whose fit is committed."""
    return shards.committed_run_ids(folder)


@dataclass
class Outcome:
    """What a generation left: the folder, the ensemble (when complete) and its counts."""

    folder: Path
    drawn: int
    fitted: int
    accepted: int
    worlds: ensemble.Worlds | None
    seconds_fitting: float
    seconds_total: float


def generate(
    request: Request,
    out: Path,
    *,
    backend: Backend | str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    command: str = "partnersim.worlds.generate",
    on_start: Callable[[int, int], None] | None = None,
    on_progress: Callable[[dict], None] | None = None,
) -> Outcome:
    """Fit every draw of ``request`` not yet fitted in ``out``; write the ensemble when complete."""
    folder = Path(out)
    owned = isinstance(backend, str)
    if isinstance(backend, str) and scheduler is None:
        check_backend(backend)
    started = time.perf_counter()
    with res.locked(folder, command):
        backend_obj: Backend = (
            make_backend(backend, workers=workers, scheduler=scheduler)
            if isinstance(backend, str)
            else backend
        )
        try:
            plan = prepare(request, folder, command)
            for tmp in folder.glob("**/.*.tmp-*"):
                tmp.unlink(missing_ok=True)
            shards.repair(folder)
            done = finished(folder)
            todo = set(plan["world"].tolist()) - done
            if on_start:
                on_start(len(plan), len(todo))
            manifest = res.read_manifest(folder)
            manifest["status"] = "running"
            manifest["history"].append(
                {
                    "started": res.now(),
                    "backend": backend_obj.name,
                    "workers": backend_obj.workers,
                    "draws_to_do": len(todo),
                    "provenance": res.provenance(),
                }
            )
            res.write_json(manifest, folder / res.MANIFEST)
            status = "interrupted"
            try:
                tasks = _draws(request, plan, todo)
                for _draw, row in backend_obj.map_unordered(_safe_fit, tasks, _Crashes()):
                    frame = pd.DataFrame([row])
                    frame.insert(0, "run_id", frame["world"])
                    name = f"part-{int(row['world']):08d}.parquet"
                    with interrupt_held():
                        shards.commit_chunk(folder, name, frame, None)
                    fault("worlds:draw")
                    if on_progress:
                        on_progress(row)
                status = "complete"
            finally:
                manifest = res.read_manifest(folder)
                n = len(finished(folder))
                manifest["status"] = status if n == len(plan) else "interrupted"
                manifest["history"][-1].update(ended=res.now(), draws_finished=n)
                res.write_json(manifest, folder / res.MANIFEST)
        finally:
            if owned:
                backend_obj.close()
        return _finish(request, folder, plan, started)


def fitted_rows(folder: Path) -> pd.DataFrame:
    """Every committed draw's row (accepted or not), by world id."""
    rows = shards.read_parts(folder, RUNS)
    if not len(rows):
        return rows
    return rows.drop(columns=["run_id"]).sort_values("world").reset_index(drop=True)


def posterior_table(
    plan: pd.DataFrame, accepted: pd.DataFrame, factor_records: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per drawn input: its 5–50–95 % quantiles among all draws and among accepted worlds.

    With the two-sample Kolmogorov–Smirnov p-value of accepted against ruled-out draws
    (``None`` when either group is empty): a small p-value says history matching moved that
    input's distribution.
    """
    from scipy.stats import ks_2samp

    rejected = plan[~plan["world"].isin(accepted["world"])] if len(accepted) else plan
    out = []
    for f in factor_records:
        name = f["name"]
        drawn = plan[name].astype(float)
        kept = accepted[name].astype(float) if len(accepted) else drawn.iloc[:0]
        q = [0.05, 0.5, 0.95]
        p = (
            float(ks_2samp(kept, rejected[name].astype(float)).pvalue)
            if len(kept) and len(rejected)
            else None
        )
        out.append(
            {
                "name": name,
                "plausible": f["plausible"],
                "drawn": [float(v) for v in drawn.quantile(q)],
                "accepted": [float(v) for v in kept.quantile(q)] if len(kept) else None,
                "ks_pvalue": p,
            }
        )
    return out


def _finish(request: Request, folder: Path, plan: pd.DataFrame, started: float) -> Outcome:
    rows = fitted_rows(folder)
    fitted = len(rows)
    accepted = rows[rows["accepted"].astype(bool)] if fitted else rows
    seconds_fitting = (
        float(rows[["seconds_laws", "seconds_reference", "seconds_check"]].sum().sum())
        if fitted and "seconds_laws" in rows
        else 0.0
    )
    worlds = None
    if fitted == len(plan):
        manifest = res.read_manifest(folder)
        reasons = rows.loc[~rows["accepted"].astype(bool), "reason"].value_counts()
        meta = {
            "kind": KIND,
            "draws": len(plan),
            "accepted": len(accepted),
            "acceptance_rate": len(accepted) / len(plan),
            "seed": request.seed,
            "method": request.method,
            "settings": request.settings.to_dict(),
            "factors": manifest["factors"],
            "fit_seeds": manifest["fit_seeds"],
            "rejected": {str(k): int(v) for k, v in reasons.items()},
            "posterior": posterior_table(plan, accepted, manifest["factors"]),
            "implausibility_max": float(rows["implausibility"].max()),
            "command": manifest.get("command"),
            "request_hash": request.content_hash,
            "versions": manifest.get("versions"),
            "provenance": manifest.get("provenance"),
        }
        path = folder / "worlds.parquet"
        ensemble.write(path, accepted, meta)
        worlds = ensemble.Worlds.load(path)
        manifest["status"] = "complete"
        manifest["accepted"] = len(accepted)
        res.write_json(manifest, folder / res.MANIFEST)
    return Outcome(
        folder,
        len(plan),
        fitted,
        len(accepted),
        worlds,
        seconds_fitting,
        time.perf_counter() - started,
    )
