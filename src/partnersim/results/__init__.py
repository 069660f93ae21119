"""Results on disk: Parquet tables plus a JSON manifest, written atomically, read back in one call.

A results folder holds::

    timeseries.parquet   one row per (run, quarter): scenario, seed, step, quarter, metrics
    summary.parquet      one row per run: scenario, seed and scalar outcomes
    manifest.json        provenance: scenarios and hashes, seeds, versions, git, host, times
    *.png                figures

Folders are built under a temporary name next to the destination, synced, and renamed into
place, so a crash or Ctrl-C never leaves a half-written results folder; a folder that appeared
at the destination meanwhile is never replaced (:func:`write_folder`). A sweep folder (see
:mod:`partnersim.experiments.sweep.execute`) records each of its parts with a checksum in a
shard ledger (:mod:`~partnersim.results.shards`), which :func:`load` and the tables' readers
verify, and is written by one command at a time (:func:`~partnersim.results.lock.locked`).
Manifests are checked when read (:func:`read_manifest`): a damaged one raises
:class:`ResultsError` naming the file, never a ``KeyError`` or ``JSONDecodeError``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from partnersim.results import shards
from partnersim.results.errors import DamagedFolder, ResultsError, UnknownColumnError
from partnersim.results.lock import FolderLocked, locked

__all__ = [
    "DamagedFolder",
    "FolderLocked",
    "Results",
    "ResultsError",
    "UnknownColumnError",
    "load",
    "locked",
]

TIMESERIES = "timeseries.parquet"
SUMMARY = "summary.parquet"
MANIFEST = "manifest.json"


class Results:
    """A results folder, read into pandas on demand.

    Tables are read the first time they are used and then kept, so opening a sweep of a
    hundred thousand runs costs nothing until its tables are needed; for a sweep too large to
    hold, :meth:`read_timeseries` reads only some columns or runs.

    Attributes:
        runs: one row per run — its inputs (scenario or design point and factor values), seed,
            status, error and scalar outcomes — sorted by run.
        timeseries: one row per run and quarter: the recorded metrics.
        manifest: provenance and description of the folder.
        path: the folder.
    """

    def __init__(
        self,
        manifest: dict[str, Any],
        path: Path,
        runs: pd.DataFrame | None = None,
        timeseries: pd.DataFrame | None = None,
    ) -> None:
        self.manifest = manifest
        self.path = Path(path)
        self._tables = {"runs": runs, "timeseries": timeseries}

    def __repr__(self) -> str:
        return f"Results({self.manifest.get('kind', '?')!r}, path={str(self.path)!r})"

    @property
    def is_sweep(self) -> bool:
        """Whether the folder holds a sweep (tables in parts) or a run/compare."""
        return self.manifest.get("kind") == "sweep"

    @property
    def runs(self) -> pd.DataFrame:  # noqa: D102 - see the class docstring
        if self._tables["runs"] is None:
            if self.is_sweep:
                runs = self._read_parts("runs")
                _check_unique_runs(self.path, runs)
                self._tables["runs"] = (
                    runs.sort_values("run_id", ignore_index=True) if len(runs) else runs
                )
            else:
                self._tables["runs"] = _read_if_exists(self.path / SUMMARY)
        return self._tables["runs"]

    @property
    def summary(self) -> pd.DataFrame:
        """Alias of :attr:`runs` (the name used by ``run`` and ``compare`` folders)."""
        return self.runs

    @property
    def timeseries(self) -> pd.DataFrame:  # noqa: D102 - see the class docstring
        if self._tables["timeseries"] is None:
            self._tables["timeseries"] = self.read_timeseries()
        return self._tables["timeseries"]

    def read_runs(self, columns: Iterable[str]) -> pd.DataFrame:
        """Read some columns of :attr:`runs` without keeping them (cheap for large sweeps).

        Raises:
            UnknownColumnError: a column is not one of the runs table's.
        """
        columns = list(columns)
        self._check_columns(columns, self.run_columns(), "runs table")
        if self._tables["runs"] is not None:
            return self._tables["runs"][columns]
        if not self.is_sweep:
            return _read_if_exists(self.path / SUMMARY)[columns]
        return self._read_parts("runs", columns=columns)

    def read_timeseries(
        self, columns: Iterable[str] | None = None, run_ids: Iterable[int] | None = None
    ) -> pd.DataFrame:
        """Read part of the time series without keeping it: some columns, some runs (sweeps).

        Args:
            columns: metric columns to read (the key columns are always included).
            run_ids: for a sweep, the runs to read.

        Raises:
            UnknownColumnError: a column is not a time-series column, or a run id is not a
                finished run of the sweep (or ``run_ids`` is given for a run/compare folder).
        """
        if columns is not None:
            columns = list(columns)
            self._check_columns(columns, self.timeseries_columns(), "time series")
        if run_ids is not None:
            run_ids = self._check_run_ids(run_ids)
        if not self.is_sweep:
            frame = _read_if_exists(self.path / TIMESERIES)
            return frame if columns is None else frame[_with_keys(columns, frame.columns)]
        wanted = None
        if columns is not None:
            first = next(iter(sorted((self.path / "timeseries").glob("part-*.parquet"))), None)
            if first is None:
                return pd.DataFrame()
            wanted = _with_keys(columns, pq.read_schema(first).names)
        where = None if run_ids is None else [("run_id", "in", sorted(set(run_ids)))]
        frame = self._read_parts("timeseries", columns=wanted, filters=where)
        return frame.sort_values(["run_id", "step"], ignore_index=True) if len(frame) else frame

    def _read_parts(
        self, table: str, columns: list[str] | None = None, filters: list | None = None
    ) -> pd.DataFrame:
        """A sweep table: its recorded parts, checksums verified (legacy folders: every part)."""
        if shards.has_ledger(self.manifest):
            return shards.read_parts(self.path, table, columns=columns, filters=filters)
        return _read_parts(self.path / table, columns=columns, filters=filters)

    # -- read-side helpers: columns, checks, joins, xarray and netCDF ------------------------------

    def run_columns(self) -> list[str]:
        """The columns of :attr:`runs`, read from the files' schemas (no table is loaded)."""
        if self._tables["runs"] is not None:
            return list(self._tables["runs"].columns)
        return _schema(self.path / "runs" if self.is_sweep else self.path / SUMMARY)

    def timeseries_columns(self) -> list[str]:
        """The columns of :attr:`timeseries`, read from the files' schemas."""
        if self._tables["timeseries"] is not None:
            return list(self._tables["timeseries"].columns)
        return _schema(self.path / "timeseries" if self.is_sweep else self.path / TIMESERIES)

    def _check_columns(self, columns: list[str], available: list[str], table: str) -> None:
        missing = [c for c in columns if c not in set(available)]
        if missing and available:
            import difflib

            hints = []
            for c in missing:
                close = difflib.get_close_matches(c, available, n=2)
                hints.append(f"{c!r}" + (f" (did you mean {' or '.join(close)}?)" if close else ""))
            raise UnknownColumnError(
                f"{self.path}: no column {', '.join(hints)} in the {table}; it has "
                f"{len(available)} columns: {', '.join(available[:12])}"
                + (", ..." if len(available) > 12 else "")
            )

    def _check_run_ids(self, run_ids: Iterable[int]) -> list[int]:
        wanted = sorted({int(i) for i in run_ids})
        if not self.is_sweep:
            raise UnknownColumnError(
                f"{self.path}: run_ids select the runs of a sweep; this folder holds a "
                f"{self.manifest.get('kind')!r} result (select rows by scenario and seed)"
            )
        known = set(self.read_runs(["run_id"])["run_id"].tolist())
        unknown = [i for i in wanted if i not in known]
        if unknown:
            shown = ", ".join(map(str, unknown[:8])) + (", ..." if len(unknown) > 8 else "")
            span = f"{min(known)}–{max(known)}" if known else "none"
            raise UnknownColumnError(
                f"{self.path}: no finished run with id {shown}; the sweep has {len(known)} "
                f"finished runs (ids {span} of {self.manifest.get('runs_planned', '?')} planned)"
            )
        return wanted

    @property
    def keys(self) -> list[str]:
        """The columns that identify a run in both tables.

        ``run_id`` for a sweep; ``scenario`` and ``seed`` for run and compare folders.
        """
        return ["run_id"] if self.is_sweep else ["scenario", "seed"]

    def joined(
        self, metrics: Iterable[str] | None = None, run_columns: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """The time series with run-level columns beside each row: the documented join.

        Run columns (inputs, seed, outcomes) and time-series columns never share a name
        besides the keys that identify a run (:attr:`keys`), so the join needs no suffixes.

        Args:
            metrics: time-series columns (default: all).
            run_columns: columns of :attr:`runs` to add (default: the inputs — seed, design
                point, replication and factor values for a sweep; seed and lever values for a
                run or compare — not the outcomes).

        Raises:
            UnknownColumnError: a column asked for does not exist.
            ResultsError: a run column shares its name with a time-series column.
        """
        series = self.read_timeseries(columns=metrics)
        if run_columns is None:
            run_columns = self.input_columns()
        run_columns = [c for c in run_columns if c not in self.keys]
        clash = sorted(set(run_columns) & set(series.columns))
        if clash:
            raise ResultsError(f"{self.path}: run and time-series columns share names: {clash}")
        runs = self.read_runs([*self.keys, *run_columns])
        return series.merge(runs, on=self.keys, how="left", validate="many_to_one")

    def input_columns(self) -> list[str]:
        """The runs table's input columns: what was run, not what came out."""
        from partnersim.runs.outcomes import OUTCOME_INDEX

        skip = {"status", "error", "wall_seconds", *OUTCOME_INDEX}
        return [c for c in self.run_columns() if c not in skip and not c.startswith("u_")]

    def to_xarray(self, metrics: Iterable[str] | None = None, outcomes: bool = True):
        """The results as an ``xarray.Dataset``: runs × quarters, one variable per metric.

        Dimensions ``run`` and ``step``; every input (seed, design point, replication,
        factor values; for run/compare folders scenario and seed) is a coordinate along
        ``run``, the quarter label a coordinate along ``step``. Each time-series metric is a
        ``(run, step)`` variable and, with ``outcomes``, each scalar outcome a ``(run)``
        variable; units come from the declarations (``attrs["units"]``). The manifest is kept
        as JSON text in ``attrs["manifest"]`` (netCDF attributes cannot hold tables).
        ``ds.to_array("metric")`` stacks the metrics into one runs × quarters × metrics array.
        """
        import numpy as np
        import xarray as xr

        from partnersim.model.metrics import METRICS
        from partnersim.runs.outcomes import OUTCOME_INDEX

        series = self.read_timeseries(columns=metrics)
        runs = self.runs.reset_index(drop=True)
        keys = self.keys
        index = pd.MultiIndex.from_frame(runs[keys])
        steps = np.sort(series["step"].unique()) if len(series) else np.zeros(0, int)
        position = pd.Series(np.arange(len(runs)), index=index)
        rows = position.loc[pd.MultiIndex.from_frame(series[keys])].to_numpy()
        cols = np.searchsorted(steps, series["step"].to_numpy())
        units = {m.name: m.unit for m in METRICS}
        data_vars = {}
        names = [c for c in series.columns if c not in {*keys, "step", "quarter"}]
        for name in names:
            grid = np.full((len(runs), len(steps)), np.nan)
            grid[rows, cols] = series[name].to_numpy(dtype=float)
            data_vars[name] = (("run", "step"), grid, {"units": units.get(name, "")})
        if outcomes:
            for name in (c for c in runs.columns if c in OUTCOME_INDEX):
                unit = OUTCOME_INDEX[name].unit
                data_vars[name] = (("run",), runs[name].to_numpy(dtype=float), {"units": unit})
        quarters = (
            series.drop_duplicates("step").set_index("step")["quarter"].reindex(steps)
            if "quarter" in series
            else None
        )
        coords = {"step": steps}
        if quarters is not None:
            coords["quarter"] = ("step", quarters.astype(str).to_numpy())
        for c in [*keys, *(c for c in self.input_columns() if c not in keys)]:
            coords[c] = ("run", _coordinate(runs[c]))
        if "status" in runs:
            coords["status"] = ("run", runs["status"].astype(str).to_numpy())
        ds = xr.Dataset(data_vars, coords=coords)
        ds.attrs["manifest"] = json.dumps(self.manifest, default=_json_default)
        ds.attrs["kind"] = str(self.manifest.get("kind", ""))
        return ds

    def to_netcdf(self, path: str | Path, **kwargs: Any) -> Path:
        """Write :meth:`to_xarray` to a netCDF-4 file (``h5netcdf``).

        Keyword arguments go to :meth:`to_xarray`. Read the file back with
        ``xarray.open_dataset(path)``.
        """
        path = Path(path)
        self.to_xarray(**kwargs).to_netcdf(path, engine="h5netcdf")
        return path


def _coordinate(column: pd.Series):
    """A runs-table column as an xarray coordinate: numbers as they are, anything else as text."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return column.to_numpy()
    return column.astype(str).to_numpy()


def _schema(path: Path) -> list[str]:
    """Column names of a Parquet table, or of the first part of a sweep table's folder."""
    if path.is_dir():
        path = next(iter(sorted(path.glob("part-*.parquet"))), None)
    if path is None or not path.exists():
        return []
    return list(pq.read_schema(path).names)


def _with_keys(columns: Iterable[str], available: Iterable[str]) -> list[str]:
    keys = [k for k in ("run_id", "scenario", "seed", "step", "quarter") if k in set(available)]
    return keys + [c for c in columns if c not in keys]


def _read_if_exists(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.exists() else pd.DataFrame()


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def provenance() -> dict[str, Any]:
    """Host, time, and the git commit (with a dirty flag) of partnersim's own source.

    The commit is that of the repository partnersim was imported from (an editable install
    or a clone), whatever the current directory; an installed wheel records none.
    """
    out: dict[str, Any] = {"host": socket.gethostname(), "created": now()}
    out.update(_source_commit())
    return out


_SOURCE_COMMIT: dict[str, Any] | None = None


def _source_commit() -> dict[str, Any]:
    global _SOURCE_COMMIT
    if _SOURCE_COMMIT is None:
        package = Path(__file__).resolve().parent
        _SOURCE_COMMIT = {}

        def git(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                ["git", *args], cwd=package, capture_output=True, text=True, timeout=5
            )

        try:
            # Only if this very file is tracked: a wheel inside some other repository's
            # virtual environment must not record that repository's commit.
            if git("ls-files", "--error-unmatch", Path(__file__).name).returncode == 0:
                commit = git("rev-parse", "HEAD")
                dirty = git("status", "--porcelain", "--untracked-files=no")
                if commit.returncode == 0:
                    _SOURCE_COMMIT = {
                        "git_commit": commit.stdout.strip(),
                        "git_dirty": bool(dirty.stdout.strip()),
                    }
        except (OSError, subprocess.SubprocessError):
            pass
    return dict(_SOURCE_COMMIT)


def check_writable(path: Path) -> None:
    """Raise :class:`ResultsError` unless a folder could be created at ``path``."""
    path = Path(path).resolve()
    if path == path.parent:
        raise ResultsError(f"{path}: cannot write results to the root of the file system")
    if path.exists() and not path.is_dir():
        raise ResultsError(f"{path}: exists and is not a folder")
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ResultsError(f"{path}: cannot write here ({parent} is a file, not a folder)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ResultsError(f"{path}: cannot write here (no write permission on {parent})")


ABSENT = ("absent",)
"""What :func:`check_replaceable` returns for a path with nothing at it."""


def check_replaceable(path: Path) -> tuple:
    """Raise :class:`ResultsError` unless ``path`` is absent, empty or a run/compare folder.

    ``partnersim run --out DIR`` replaces an earlier result in ``DIR``, but never a folder
    holding anything else: a mistyped ``--out`` must not delete a user's files.

    Returns:
        What is at ``path`` now, to pass to :func:`write_folder` as ``expected``: it then
        replaces ``path`` only if the same folder, with the same manifest, is still there.
    """
    check_writable(path)
    now = _identity(Path(path).absolute()) or ABSENT
    path = Path(path).resolve()
    if not path.is_dir() or not any(path.iterdir()):
        return now
    if Path.cwd().is_relative_to(path):
        raise ResultsError(
            f"{path}: is the current folder or contains it, so it cannot be replaced; "
            "choose another --out folder"
        )
    try:
        kind = json.loads((path / MANIFEST).read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        kind = None
    if kind not in ("run", "compare"):
        raise ResultsError(
            f"{path}: exists, is not empty and holds no partnersim run or compare results; "
            "choose another --out folder (an earlier run's folder is replaced)"
        )
    return now


def write_folder(
    path: Path, fill: Callable[[Path], None], *, expected: tuple | None = None
) -> Path:
    """Create folder ``path`` atomically: ``fill`` writes into a temporary folder first.

    Every file is synced before the folder is renamed into place. An existing folder at
    ``path`` is replaced only once the new one is complete, and only if it is still what it
    was when writing began (the same folder, with the same manifest): if something else
    appeared at ``path`` meanwhile, it is left alone and the new results are kept beside it
    under another name, which the :class:`ResultsError` raised names.

    Args:
        path: the folder.
        fill: writes the folder's files into the folder it is given.
        expected: what was at ``path`` when the caller decided it could be replaced (from
            :func:`check_replaceable`, taken before a long computation); default: what is
            there now.
    """
    path = Path(path).absolute()
    check_writable(path)
    before = expected if expected is not None else _identity(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name[:64]}.partial-", dir=path.parent))
        tmp.chmod(0o777 & ~_umask())  # mkdtemp makes 0700; results are for sharing
    except OSError as exc:
        raise ResultsError(f"{path}: cannot create ({exc.strerror})") from None
    try:
        fill(tmp)
        _sync_tree(tmp)
        if before in (None, ABSENT):
            # Renaming a folder onto a path fails if a file or a non-empty folder appeared
            # there meanwhile (an empty folder is replaced: nothing is lost).
            try:
                os.rename(tmp, path)
            except OSError:
                _keep_aside(tmp, path)
        else:
            old = path.with_name(f".{path.name[:64]}.old-{os.getpid()}")
            os.replace(path, old)
            if _identity(old) != before:  # replaced by someone else since writing began
                os.replace(old, path)
                _keep_aside(tmp, path)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        shards.fsync_dir(path.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _identity(path: Path) -> tuple | None:
    """What is at ``path``: None if nothing, else its inode and its manifest's bytes."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    try:
        manifest = (path / MANIFEST).read_bytes()
    except OSError:
        manifest = b""
    return (st.st_dev, st.st_ino, manifest)


def _keep_aside(tmp: Path, path: Path) -> None:
    """Keep finished results that cannot go to ``path`` beside it, and say where."""
    aside = path.with_name(f"{path.name[:200]}.new-{datetime.now(UTC):%Y%m%dT%H%M%S}")
    os.rename(tmp, aside)
    raise ResultsError(
        f"{path}: something else appeared there while the results were being written, so it "
        f"was left alone; the results are in {aside}"
    )


def _sync_tree(folder: Path) -> None:
    """Sync every file and folder under ``folder`` (before the rename that publishes it)."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        shards.fsync_dir(Path(root))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a Parquet table atomically: temporary file, synced, renamed, folder synced."""
    shards.write_bytes_synced(shards.parquet_bytes(frame), path)


def write_text(text: str, path: Path) -> None:
    """Write UTF-8 text atomically: temporary file, synced, renamed, folder synced."""
    shards.write_bytes_synced(text.encode("utf-8"), path)


def write_json(payload: dict[str, Any], path: Path) -> None:
    """Write JSON atomically: temporary file, synced, renamed, folder synced."""
    write_text(json.dumps(payload, indent=2, default=_json_default) + "\n", path)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def runs_tables(results: Iterable) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stack RunResults into the timeseries and summary tables.

    Both carry ``scenario`` and ``seed`` columns; the summary also carries the scenario's
    lever values, one column per lever under the lever's own name.
    """
    from partnersim.schema.levers import LEVERS

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
                **{p.name: r.scenario.values[p.name] for p in LEVERS},
                **r.summary,
                "wall_seconds": r.manifest.get("wall_seconds"),
            }
        )
    return pd.concat(series, ignore_index=True), pd.DataFrame(rows)


def load(path: str | Path) -> Results:
    """Open a results folder written by ``partnersim run``, ``compare`` or ``sweep``.

    Only the manifest is read here, and for a sweep its parts are compared with the
    manifest's record by name and size; the tables are read (and each part's checksum
    verified) when first used. A missing table reads as an empty DataFrame.

    Raises:
        ResultsError: the folder is not a results folder (no manifest), or its manifest is
            not a partnersim manifest.
        DamagedFolder: a sweep's part is missing, resized or not recorded in its manifest, or
            a run id is recorded twice.
    """
    path = Path(path)
    manifest = read_manifest(path)
    if manifest.get("kind") == "sweep" and shards.has_ledger(manifest):
        shards.verify(path, deep=False, what="It cannot be read as it is")
    return Results(manifest, path)


MANIFEST_KEYS = {
    "run": ("kind",),
    "compare": ("kind",),
    "worlds": ("kind", "request_hash", "draws", "seed", "method", "settings", "plan_sha256"),
    "optimisation": ("kind", "name", "spec_hash", "spec_text", "seeds", "optimiser", "objectives"),
    "sweep": (
        "kind",
        "name",
        "sweep_hash",
        "sweep_tables",
        "scenario",
        "design",
        "factors",
        "replications",
        "runs_planned",
        "history",
    ),
}
"""Keys every manifest of each kind holds (what the commands read without checking)."""


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a results folder, checked to be a partnersim manifest.

    Raises:
        ResultsError: no manifest, or one that is not JSON, not an object, of no known kind or
            missing a key its kind needs; the message names the file and what is wrong.
    """
    manifest_path = Path(path) / MANIFEST
    if not manifest_path.is_file():
        raise ResultsError(f"{path}: not a partnersim results folder (no {MANIFEST})")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ResultsError(f"{manifest_path}: not a partnersim manifest (not UTF-8 text)") from None
    except ValueError as exc:
        raise ResultsError(
            f"{manifest_path}: not a partnersim manifest (invalid JSON: {exc})"
        ) from None
    except OSError as exc:
        raise ResultsError(f"{manifest_path}: cannot read ({exc.strerror})") from None
    if not isinstance(manifest, dict):
        shown = "null" if manifest is None else type(manifest).__name__
        raise ResultsError(
            f"{manifest_path}: not a partnersim manifest (a JSON {shown}, not an object)"
        )
    kind = manifest.get("kind")
    if kind not in MANIFEST_KEYS:
        raise ResultsError(
            f"{manifest_path}: key 'kind' is {kind!r}; allowed: {', '.join(MANIFEST_KEYS)}"
        )
    missing = [k for k in MANIFEST_KEYS[kind] if k not in manifest]
    if missing:
        raise ResultsError(
            f"{manifest_path}: a {kind} manifest lacks the key(s) {', '.join(missing)}"
        )
    return manifest


def _check_unique_runs(path: Path, runs: pd.DataFrame) -> None:
    """Raise :class:`DamagedFolder` if a sweep's runs table holds a run id twice."""
    if "run_id" not in runs or not len(runs):
        return
    twice = runs.loc[runs["run_id"].duplicated(), "run_id"].unique()
    if len(twice):
        shown = ", ".join(map(str, sorted(twice)[:8])) + (", ..." if len(twice) > 8 else "")
        raise DamagedFolder(
            f"{path}: {len(twice)} run id(s) recorded more than once ({shown}): two commands "
            "wrote into this folder at once; its results cannot be trusted as they are"
        )


def _read_parts(
    folder: Path, columns: list[str] | None = None, filters: list | None = None
) -> pd.DataFrame:
    """Concatenate a sweep table's parts, one small file at a time.

    Reading part by part keeps memory proportional to the rows kept: a multi-file dataset
    reader holds buffers and metadata for every file and grew by tens of MiB on sweeps of
    thousands of parts.
    """
    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        return pd.DataFrame(columns=columns) if columns else pd.DataFrame()
    frames = [pd.read_parquet(p, columns=columns, filters=filters) for p in parts]
    return pd.concat(frames, ignore_index=True)
