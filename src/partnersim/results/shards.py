"""The shard ledger of a sweep folder: every Parquet part with its checksum, size and rows.

A sweep writes its runs in parts (``runs/part-*.parquet``, ``timeseries/part-*.parquet``).
Each chunk's parts are written to temporary files, synced and renamed into place, and then one
line is appended (and synced) to ``shards.jsonl`` recording both parts' SHA-256, byte size, row
count and run ids. That line is the chunk's commit record: a run is finished exactly when a
ledger line names it. The manifest's ``"shards"`` key names the ledger.

Readers check the folder against its ledger: :func:`check` finds parts that are missing,
damaged (checksum, size or row count differ, or unreadable), unexpected (a ``part-*`` file no
line records, e.g. a stray copy) and run ids recorded twice. ``load`` does the cheap checks
(names and sizes), reading a table verifies each part's checksum as it is read, and ``report``
and ``resume`` verify every checksum first. ``resume`` moves damaged and unexpected parts into
``damaged/`` (nothing is deleted) and runs their runs again.

A line is appended per chunk rather than the manifest rewritten per chunk: rewriting a manifest
that lists every part would cost time quadratic in the number of chunks.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from partnersim.results.errors import DamagedFolder, ResultsError

LEDGER = "shards.jsonl"
TABLES = ("runs", "timeseries")
QUARANTINE = "damaged"
SHOWN = 8
"""Parts named in a message; the rest are counted."""


def fsync_dir(folder: Path) -> None:
    """Sync a folder's entries (a rename into it survives a power cut once this returns)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes_synced(data: bytes, path: Path) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file, synced, renamed, folder synced."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:  # a full disk, a file-size limit: name the file
        tmp.unlink(missing_ok=True)
        raise ResultsError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as Parquet file contents."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def commit_chunk(folder: Path, name: str, runs: pd.DataFrame, series: pd.DataFrame | None) -> None:
    """Write one chunk's parts and append its ledger line (the chunk's commit record)."""
    line: dict = {"part": name, "run_ids": [int(i) for i in runs["run_id"]]}
    for table, frame in (("timeseries", series), ("runs", runs)):
        if frame is None:
            line[table] = None
            continue
        data = parquet_bytes(frame)
        write_bytes_synced(data, folder / table / name)
        line[table] = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
            "rows": len(frame),
        }
    with open(folder / LEDGER, "a", encoding="utf-8") as f:
        f.write(json.dumps(line, separators=(",", ":")) + "\n")
        f.flush()
        os.fsync(f.fileno())


def has_ledger(manifest: dict) -> bool:
    """Whether a sweep folder records its parts (folders written before the ledger do not)."""
    return manifest.get("shards") == LEDGER


def read_ledger(folder: Path) -> list[dict]:
    """The ledger's lines, in order.

    A last line cut short (a crash while appending it) is ignored: its chunk is not committed.

    Raises:
        DamagedFolder: a line other than the last is not a ledger record.
    """
    path = folder / LEDGER
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise DamagedFolder(
            f"{path}: unreadable ({exc}); the folder's parts cannot be checked"
        ) from None
    lines = text.split("\n")
    records = []
    for number, line in enumerate(lines, 1):
        if not line:
            continue
        last = number == len(lines)  # no newline after it: an append cut short
        try:
            record = json.loads(line)
            ok = isinstance(record, dict) and isinstance(record.get("part"), str)
            ok = ok and isinstance(record.get("run_ids"), list) and "runs" in record
        except ValueError:
            ok = False
        if not ok:
            if last:
                continue
            raise DamagedFolder(
                f"{path}: line {number} is not a shard record; the folder's parts cannot be "
                "checked (restore the file, or rerun the sweep into a new folder)"
            )
        records.append(record)
    return records


@dataclass
class Damage:
    """What is wrong with a sweep folder's parts (empty when nothing is)."""

    missing: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    duplicated: list[int] = field(default_factory=list)
    bad_parts: set[str] = field(default_factory=set)
    """Chunk part names (``part-*.parquet``) whose runs must be run again."""

    def __bool__(self) -> bool:
        return bool(self.missing or self.damaged or self.unexpected or self.duplicated)

    def describe(self) -> str:
        """One line per kind of damage, each naming the files (capped, with a count)."""
        out = []
        for label, items in (
            ("missing", self.missing),
            ("damaged (checksum, size or rows differ from the manifest's record)", self.damaged),
            ("unexpected (not recorded in the manifest)", self.unexpected),
            ("run ids recorded more than once", [str(i) for i in self.duplicated]),
        ):
            if items:
                shown = ", ".join(items[:SHOWN])
                more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
                out.append(f"{label}: {shown}{more}")
        return "; ".join(out)


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def check(folder: Path, *, deep: bool) -> Damage:
    """Compare a sweep folder's parts with its ledger.

    Args:
        folder: a sweep folder written with a ledger.
        deep: verify every checksum and row count (reads every part); otherwise compare
            names and sizes only.
    """
    import pyarrow.parquet as pq

    damage = Damage()
    records = read_ledger(folder)
    seen: set[int] = set()
    duplicated: set[int] = set()
    recorded: dict[str, set[str]] = {table: set() for table in TABLES}
    for record in records:
        ids = record["run_ids"]
        duplicated.update(i for i in ids if i in seen)
        seen.update(ids)
        for table in TABLES:
            entry = record.get(table)
            if entry is None:
                continue
            name = record["part"]
            recorded[table].add(name)
            path = folder / table / name
            label = f"{table}/{name}"
            if not path.is_file():
                damage.missing.append(label)
                damage.bad_parts.add(name)
                continue
            try:
                if deep:
                    digest, size = file_digest(path)
                    rows = pq.read_metadata(path).num_rows
                    good = (digest, size, rows) == (entry["sha256"], entry["bytes"], entry["rows"])
                else:
                    good = path.stat().st_size == entry["bytes"]
            except (OSError, ValueError, KeyError, TypeError):
                good = False
            if not good:
                damage.damaged.append(label)
                damage.bad_parts.add(name)
    for table in TABLES:
        for path in sorted((folder / table).glob("part-*.parquet")):
            if path.name not in recorded[table]:
                damage.unexpected.append(f"{table}/{path.name}")
    damage.duplicated = sorted(duplicated)
    return damage


def verify(folder: Path, *, deep: bool, what: str) -> None:
    """Raise :class:`DamagedFolder` naming every missing, damaged or unexpected part.

    Args:
        folder: a sweep folder with a ledger.
        deep: verify checksums (see :func:`check`).
        what: what happens now, for the message (``"nothing was analysed"``).
    """
    damage = check(folder, deep=deep)
    if damage:
        raise DamagedFolder(
            f"{folder}: {damage.describe()}. {what}; `partnersim resume {folder}` moves damaged "
            f"and unexpected parts into {QUARANTINE}/ and runs the runs of damaged or missing "
            "parts again"
        )


def repair(folder: Path) -> list[str]:
    """Make a sweep folder consistent with its ledger so that ``resume`` can finish it.

    Damaged and unexpected parts are moved into ``damaged/`` (never deleted); ledger lines
    whose parts are missing or damaged are dropped, so their runs count as not finished and
    run again. A run id recorded twice keeps its first record.

    Returns:
        One note per thing done, for the user.
    """
    damage = check(folder, deep=True)
    if not damage:
        return []
    notes = []
    quarantine = folder / QUARANTINE
    moved: list[str] = []
    stray: list[str] = []
    bad = {f"{t}/{n}" for t in TABLES for n in damage.bad_parts}
    for label in sorted({*damage.damaged, *damage.unexpected, *bad}):
        path = folder / label
        if not path.exists():
            continue
        quarantine.mkdir(exist_ok=True)
        target = quarantine / label.replace("/", "-")
        n = 1
        while target.exists():
            target = quarantine / f"{label.replace('/', '-')}.{n}"
            n += 1
        os.replace(path, target)
        (moved if label in bad else stray).append(label)
    keep, seen = [], set()
    for record in read_ledger(folder):
        if record["part"] in damage.bad_parts:
            continue
        if any(i in seen for i in record["run_ids"]):
            # A chunk overlapping an earlier one: drop it and its files (moved aside).
            for table in TABLES:
                path = folder / table / record["part"]
                if record.get(table) is not None and path.exists():
                    quarantine.mkdir(exist_ok=True)
                    os.replace(path, quarantine / f"{table}-{record['part']}")
                    moved.append(f"{table}/{record['part']}")
            continue
        seen.update(record["run_ids"])
        keep.append(record)
    write_bytes_synced(
        "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in keep).encode(),
        folder / LEDGER,
    )
    if damage.missing:
        notes.append(f"missing parts, their runs run again: {_names(damage.missing)}")
    if moved:
        notes.append(
            f"damaged parts moved into {QUARANTINE}/, their runs run again: {_names(moved)}"
        )
    if stray:
        notes.append(
            f"parts not recorded in the manifest moved into {QUARANTINE}/: {_names(stray)}"
        )
    return notes


def _names(items: Iterable[str]) -> str:
    items = list(items)
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


def committed_run_ids(folder: Path) -> set[int]:
    """Run ids the ledger records as finished."""
    return {i for record in read_ledger(folder) for i in record["run_ids"]}


def read_parts(
    folder: Path, table: str, columns: list[str] | None = None, filters: list | None = None
) -> pd.DataFrame:
    """Read a table's recorded parts, verifying each part's checksum as it is read.

    Raises:
        DamagedFolder: a recorded part is missing or its bytes differ from the record.
    """
    frames = []
    for record in read_ledger(folder):
        entry = record.get(table)
        if entry is None:
            continue
        path = folder / table / record["part"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DamagedFolder(
                f"{folder}: {table}/{record['part']} is missing or unreadable ({exc.strerror}); "
                f"`partnersim resume {folder}` runs its runs again"
            ) from None
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise DamagedFolder(
                f"{folder}: {table}/{record['part']} is damaged (its checksum differs from the "
                f"manifest's record); `partnersim resume {folder}` runs its runs again"
            )
        frames.append(pd.read_parquet(io.BytesIO(data), columns=columns, filters=filters))
    if not frames:
        return pd.DataFrame(columns=columns) if columns else pd.DataFrame()
    return pd.concat(frames, ignore_index=True)
