"""Rerunning a sweep from its folder alone, into a new folder, and checking it bit for bit.

A sweep folder records everything that decides its runs: the sweep's tables and its hash in
``manifest.json``, and the fully resolved base scenario in ``inputs/``. :func:`rerun` rebuilds
the sweep from them (wherever the original files are now), runs it again into a new folder and
compares the two: every planned run, seed and factor value, every outcome and every value of the
time series must be identical, bit for bit (``wall_seconds`` aside). A folder copied without its
``inputs/`` still reruns when its base scenario can be rebuilt from the manifest's values (a
base with no start quarters of its own or assumptions); the scenario's hash says whether it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from partnersim import results as res
from partnersim.experiments.sweep.spec import SweepError, SweepSpec
from partnersim.schema.problems import Problem

RESOLVED = Path("inputs") / "scenario.resolved.toml"
"""The sweep folder's copy of its fully resolved base scenario."""


def spec_of_folder(folder: str | Path, scratch: str | Path | None = None) -> SweepSpec:
    """The sweep spec of a sweep folder, from its manifest and inputs.

    Args:
        folder: the sweep folder.
        scratch: where to write a base scenario rebuilt from the manifest, when ``inputs/``
            is missing (it must outlive the spec's use; default: a new temporary folder).

    Raises:
        SweepError: the folder holds no sweep, or its inputs cannot rebuild the sweep its
            manifest describes (the message names the missing or changed file).
    """
    from partnersim.experiments.sweep.execute import load_spec

    folder = Path(folder)
    if (folder / RESOLVED).exists() or not (folder / res.MANIFEST).exists():
        return load_spec(folder)
    manifest = res.load(folder).manifest
    if manifest.get("kind") != "sweep":
        return load_spec(folder)  # its error says what the folder holds
    from partnersim.schema.scenario import Scenario

    values = dict(manifest.get("scenario_values") or {})
    try:
        base = Scenario.from_kwargs(**values)
    except Exception as exc:  # the manifest's values no longer make a scenario
        raise SweepError(
            str(folder), [Problem(str(RESOLVED), f"missing, and the manifest's values fail: {exc}")]
        ) from None
    if base.content_hash != manifest.get("scenario_hash"):
        raise SweepError(
            str(folder),
            [
                Problem(
                    str(RESOLVED),
                    "missing, and the manifest's scenario values do not rebuild the base "
                    "scenario (it set start quarters or assumptions); copy the folder with "
                    "its inputs/",
                )
            ],
        )
    import tempfile

    raw = dict(manifest["sweep_tables"])
    raw.pop("steps", None)  # already part of the scenario's values
    rebuilt = Path(scratch or tempfile.mkdtemp(prefix="partnersim-rerun-")) / "scenario.toml"
    rebuilt.write_text(base.to_toml(), encoding="utf-8")
    raw["scenario"] = str(rebuilt)
    recorded = (manifest.get("worlds") or {}).get("path")
    if "worlds" in raw and recorded and recorded != raw["worlds"]:
        raw["worlds"] = recorded  # the worlds file the sweep was made with (its digest is checked)
    spec = SweepSpec.from_dict(raw, source=str(folder / res.MANIFEST))
    if spec.content_hash != manifest["sweep_hash"]:
        raise SweepError(
            str(folder), [Problem("sweep_hash", "the folder's inputs do not match its manifest")]
        )
    return spec


@dataclass(frozen=True, slots=True)
class Rerun:
    """A sweep run again from its folder.

    Attributes:
        original: the folder rerun.
        results: the new folder's results.
        differences: what differs between the two, in words (empty: identical bit for bit).
        versions: package versions that differ between the original's first session and now
            (a likely reason for differences).
    """

    original: res.Results
    results: res.Results
    differences: tuple[str, ...]
    versions: dict[str, tuple[str, str]]

    @property
    def identical(self) -> bool:
        """Whether every planned run, outcome and time-series value is the same, bit for bit."""
        return not self.differences


def rerun(folder: str | Path, out: str | Path, **kwargs: Any) -> Rerun:
    """Run a sweep again from its folder into ``out``, and compare the two bit for bit.

    Args:
        folder: a sweep's results folder (complete or not).
        out: the new folder (must not exist, or be empty).
        **kwargs: passed to :func:`~partnersim.experiments.sweep.execute.run_sweep`
            (``backend``, ``workers``, ``scheduler``, ``chunk_size``, progress callbacks).

    Raises:
        SweepError: the folder cannot be rerun, or ``out`` is the folder itself or not empty.
    """
    from partnersim.experiments.sweep.execute import run_sweep
    from partnersim.runs.runner import versions

    folder, out = Path(folder), Path(out)
    if out.resolve() == folder.resolve():
        raise SweepError(str(out), [Problem("--out", "is the folder being rerun; choose another")])
    if out.exists() and any(out.iterdir()):
        raise SweepError(str(out), [Problem("--out", "exists and is not empty; choose another")])
    import tempfile

    original = res.load(folder)
    with tempfile.TemporaryDirectory(prefix="partnersim-rerun-") as scratch:
        spec = spec_of_folder(folder, scratch)
        new = run_sweep(spec, out=out, **kwargs)
    before = (original.manifest.get("history") or [{}])[0].get("versions") or original.manifest.get(
        "versions", {}
    )
    now = versions()
    changed = {k: (before[k], now[k]) for k in before if k in now and before[k] != now[k]}
    return Rerun(original, new, tuple(compare_folders(original, new)), changed)


def compare_folders(a: res.Results, b: res.Results) -> list[str]:
    """Differences between two sweep folders' plans, runs and time series, bit for bit.

    Runs that only one folder finished are listed; ``wall_seconds`` and ``error`` texts are
    not compared.
    """
    out = []
    # Without a plan.parquet (a folder copied without it) the runs table, which carries every
    # plan column of the finished runs, is the comparison.
    plans = all((r.path / "plan.parquet").exists() for r in (a, b))
    if plans and not pd.read_parquet(a.path / "plan.parquet").equals(
        pd.read_parquet(b.path / "plan.parquet")
    ):
        out.append(
            "the plans differ (design points or seeds): this version of partnersim samples the "
            "design differently from the one that made the folder"
        )
    runs_a, runs_b = (
        r.runs.drop(columns=["wall_seconds", "error"], errors="ignore") for r in (a, b)
    )
    ids_a, ids_b = set(runs_a.get("run_id", [])), set(runs_b.get("run_id", []))
    if ids_a != ids_b:
        out.append(
            f"finished runs differ: {len(ids_a - ids_b)} only in {a.path}, "
            f"{len(ids_b - ids_a)} only in {b.path}"
        )
    common = sorted(ids_a & ids_b)
    out += _differences(runs_a, runs_b, common, ["run_id"], "runs table")
    series_a = a.read_timeseries(run_ids=common) if common else pd.DataFrame()
    series_b = b.read_timeseries(run_ids=common) if common else pd.DataFrame()
    out += _differences(series_a, series_b, common, ["run_id", "step"], "time series")
    return out


def _differences(
    a: pd.DataFrame, b: pd.DataFrame, common: list[int], keys: list[str], table: str
) -> list[str]:
    if a.empty and b.empty:
        return []
    if list(a.columns) != list(b.columns):
        return [f"the {table} columns differ"]
    a = a[a["run_id"].isin(common)].sort_values(keys, ignore_index=True)
    b = b[b["run_id"].isin(common)].sort_values(keys, ignore_index=True)
    if a.shape != b.shape:
        return [f"the {table} has {len(a)} rows in one folder and {len(b)} in the other"]
    out = []
    for column in a.columns:
        x, y = a[column], b[column]
        same = (x == y) | (x.isna() & y.isna())
        if not same.all():
            first = int((~same).to_numpy().argmax())
            out.append(
                f"{table}: {column} differs in {int((~same).sum())} rows (first: run "
                f"{a['run_id'].iloc[first]}, {x.iloc[first]!r} vs {y.iloc[first]!r})"
            )
    return out
