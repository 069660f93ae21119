"""Results on disk: Parquet tables plus a JSON manifest, written atomically, read back in one call.

A results folder holds::

    timeseries.parquet   one row per (run, quarter): scenario, seed, step, quarter, metrics
    summary.parquet      one row per run: scenario, seed and scalar outcomes
    manifest.json        provenance: scenarios and hashes, seeds, versions, git, host, times
    *.png                figures

Folders are built under a temporary name next to the destination and renamed into place, so a
crash or Ctrl-C never leaves a half-written results folder.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

TIMESERIES = "timeseries.parquet"
SUMMARY = "summary.parquet"
MANIFEST = "manifest.json"


class ResultsError(OSError):
    """A results folder that cannot be written or read."""


@dataclass(frozen=True, slots=True)
class Results:
    """A results folder read back into pandas.

    Attributes:
        runs: one row per run — its inputs (scenario or design point and factor values), seed,
            status, error and scalar outcomes — sorted by run.
        timeseries: one row per run and quarter: the recorded metrics.
        manifest: provenance and description of the folder.
        path: the folder.
    """

    runs: pd.DataFrame
    timeseries: pd.DataFrame
    manifest: dict[str, Any]
    path: Path

    @property
    def summary(self) -> pd.DataFrame:
        """Alias of :attr:`runs` (the name used by ``run`` and ``compare`` folders)."""
        return self.runs


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def provenance(cwd: Path | None = None) -> dict[str, Any]:
    """Host, time and the git commit (with a dirty flag) of the working directory, if any."""
    out: dict[str, Any] = {"host": socket.gethostname(), "created": now()}
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=5
        )
        if commit.returncode == 0:
            dirty = subprocess.run(
                ["git", "status", "--porcelain"], cwd=cwd, capture_output=True, text=True, timeout=5
            )
            out["git_commit"] = commit.stdout.strip()
            out["git_dirty"] = bool(dirty.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def check_writable(path: Path) -> None:
    """Raise :class:`ResultsError` unless a folder could be created at ``path``."""
    if path.exists() and not path.is_dir():
        raise ResultsError(f"{path}: exists and is not a folder")
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ResultsError(f"{path}: cannot write here ({parent} is a file, not a folder)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ResultsError(f"{path}: cannot write here (no write permission on {parent})")


def write_folder(path: Path, fill: Callable[[Path], None]) -> Path:
    """Create folder ``path`` atomically: ``fill`` writes into a temporary folder first.

    An existing folder at ``path`` is replaced only once the new one is complete.
    """
    path = Path(path)
    check_writable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-", dir=path.parent))
    except OSError as exc:
        raise ResultsError(f"{path}: cannot create ({exc.strerror})") from None
    try:
        fill(tmp)
        if path.exists():
            old = path.with_name(f".{path.name}.old-{os.getpid()}")
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a Parquet table atomically (temporary file, then rename)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def write_json(payload: dict[str, Any], path: Path) -> None:
    """Write JSON atomically."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(payload, indent=2, default=_json_default) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def runs_tables(results: Iterable) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stack RunResults into the timeseries and summary tables (scenario and seed columns)."""
    series, rows = [], []
    for r in results:
        ts = r.timeseries.copy()
        ts.insert(0, "seed", r.seed)
        ts.insert(0, "scenario", r.scenario.name)
        series.append(ts)
        rows.append(
            {
                "scenario": r.scenario.name,
                "seed": r.seed,
                **r.summary,
                "wall_seconds": r.manifest.get("wall_seconds"),
            }
        )
    return pd.concat(series, ignore_index=True), pd.DataFrame(rows)


def load(path: str | Path) -> Results:
    """Read a results folder written by ``partnersim run``, ``compare`` or ``sweep``.

    Raises:
        ResultsError: the folder or one of its tables is missing.
    """
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise ResultsError(f"{path}: not a partnersim results folder (no {MANIFEST})")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("kind") == "sweep":
        runs = _read_parts(path / "runs")
        series = _read_parts(path / "timeseries")
        if len(runs):
            runs = runs.sort_values("run_id", ignore_index=True)
        if len(series):
            series = series.sort_values(["run_id", "step"], ignore_index=True)
        return Results(runs, series, manifest, path)
    timeseries = (
        pd.read_parquet(path / TIMESERIES) if (path / TIMESERIES).exists() else pd.DataFrame()
    )
    summary = pd.read_parquet(path / SUMMARY) if (path / SUMMARY).exists() else pd.DataFrame()
    return Results(summary, timeseries, manifest, path)


def _read_parts(folder: Path) -> pd.DataFrame:
    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
