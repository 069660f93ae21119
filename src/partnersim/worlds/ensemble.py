"""An ensemble of plausible worlds: the file ``partnersim worlds`` writes, and how runs use it.

A worlds file is one Parquet table, one row per **accepted** world: its id and seed, every
drawn value under its name (uncertainties by name, assumptions by dotted name), its fit
(implausibilities, status-quo resourcing) and ``fit``, the JSON of its refitted delivery laws
and reference drive. The file's metadata (Parquet key-value ``partnersim``) records how it was
made: draws, acceptance rate, factors and their plausible ranges, the history-matching settings,
the seed, the sampling method, the command and provenance.

:class:`World` is what a run needs: ``world.apply(scenario)`` gives the scenario in that world
and ``world.fitted`` the delivery laws to run it with (``partnersim.runs.runner.run(...,
world=world)`` does both).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, overload

import numpy as np
import pandas as pd

from partnersim import data

SHIPPED = "shipped"
"""The name that selects the worlds file shipped with partnersim (``data/worlds.parquet``)."""

META_KEY = b"partnersim"


class WorldsError(ValueError):
    """A worlds file that cannot be used (missing, not a worlds file, damaged)."""


@dataclass(frozen=True, slots=True, eq=False)
class World:
    """One plausible world: drawn values and the delivery laws refitted to them."""

    id: int
    seed: int
    values: Mapping[str, Any]
    fit_json: str

    @property
    def fitted(self) -> data.DeliveryFit:
        """The world's delivery laws and status-quo reference drive."""
        return _fit_of(self.fit_json)

    def apply(self, scenario):
        """``scenario`` in this world: its uncertainties and assumptions take the world's values.

        Assumptions the scenario sets itself (``[assumptions]``, e.g. to switch a mechanism off)
        keep the scenario's value: they are the scenario's question, not a property of the world.
        """
        own = set(scenario.assumptions)
        changes = {k: v for k, v in self.values.items() if k not in own}
        return scenario.evolve(**changes)


@functools.lru_cache(maxsize=512)
def _fit_of(fit_json: str) -> data.DeliveryFit:
    raw = json.loads(fit_json)
    return data.delivery_fit_from({"method": "refitted world (partnersim.worlds)", **raw})


class Worlds(Sequence[World]):
    """An ensemble of accepted worlds, read from a worlds file."""

    def __init__(self, table: pd.DataFrame, meta: dict[str, Any], path: Path | None, digest: str):
        self.table = table.sort_values("world").reset_index(drop=True)
        self.meta = meta
        self.path = path
        self.digest = digest
        """SHA-256 of the file's bytes (recorded with every run over these worlds)."""
        self.factors: list[str] = [f["name"] for f in meta.get("factors", [])]

    @classmethod
    def load(cls, source: str | Path) -> Worlds:
        """Read a worlds file (or ``"shipped"``).

        Raises:
            WorldsError: the file is missing, not Parquet, or not a worlds file.
        """
        if str(source) == SHIPPED:
            try:
                raw = files("partnersim.data").joinpath("worlds.parquet").read_bytes()
            except FileNotFoundError:
                raise WorldsError(
                    f"'{SHIPPED}': this installation of partnersim has no shipped worlds file "
                    "(data/worlds.parquet); make one with `partnersim worlds --out DIR` and "
                    "give its path"
                ) from None
            path = None
        else:
            path = Path(source)
            if path.is_dir():
                path = path / "worlds.parquet"
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                raise WorldsError(
                    f"{source}: no such worlds file (make one with `partnersim worlds`, or use "
                    f"'{SHIPPED}' for the shipped ensemble)"
                ) from None
            except OSError as exc:
                raise WorldsError(f"{source}: cannot read ({exc.strerror})") from None
        return cls.from_bytes(raw, path, str(source))

    @classmethod
    def from_bytes(cls, raw: bytes, path: Path | None, label: str) -> Worlds:
        """A worlds file's contents."""
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(io.BytesIO(raw))
        except Exception as exc:  # pyarrow raises several kinds for a file that is not Parquet
            raise WorldsError(f"{label}: not a Parquet file ({type(exc).__name__})") from None
        meta_raw = (table.schema.metadata or {}).get(META_KEY)
        if meta_raw is None or "fit" not in table.column_names:
            raise WorldsError(f"{label}: not a worlds file (no partnersim worlds metadata)")
        meta = json.loads(meta_raw)
        return cls(table.to_pandas(), meta, path, hashlib.sha256(raw).hexdigest())

    # -- Sequence ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.table)

    @overload
    def __getitem__(self, index: int) -> World: ...
    @overload
    def __getitem__(self, index: slice) -> list[World]: ...
    def __getitem__(self, index: int | slice) -> World | list[World]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        row = self.table.iloc[index]
        values = {}
        for name in self.factors:
            v = row[name]
            values[name] = int(v) if isinstance(v, (np.integer, int)) else float(v)
        return World(int(row["world"]), int(row["seed"]), values, str(row["fit"]))

    def __iter__(self) -> Iterator[World]:
        return (self[i] for i in range(len(self)))

    def by_id(self, world: int) -> World:
        """The world with this id."""
        hits = np.flatnonzero(self.table["world"].to_numpy() == world)
        if not len(hits):
            raise KeyError(f"no world {world} in this ensemble")
        return self[int(hits[0])]

    def head(self, n: int) -> Worlds:
        """The first ``n`` worlds (by id) — a smaller ensemble drawn the same way.

        It keeps the file's path, digest and metadata, so runs over it record where their
        worlds came from.
        """
        return Worlds(self.table.head(max(0, n)), self.meta, self.path, self.digest)

    def manifest_entry(self) -> dict[str, Any]:
        """What a run over these worlds records about them.

        The file's ``path`` (or ``"shipped"``), its ``digest`` (SHA-256 of the file's bytes)
        and the ``ids`` of the worlds.
        """
        return {
            "path": str(self.path) if self.path is not None else SHIPPED,
            "digest": self.digest,
            "ids": [int(i) for i in self.table["world"]],
        }

    def __repr__(self) -> str:
        where = self.path or SHIPPED
        return f"<Worlds: {len(self)} accepted of {self.meta.get('draws')} drawn, {where}>"

    def summary(self) -> str:
        """How the ensemble was made, in one paragraph."""
        m = self.meta
        accepted = m.get("accepted", len(self))
        rate = accepted / max(m.get("draws", len(self)), 1)
        first = f"The first {len(self)} of " if len(self) < accepted else ""  # after head(n)
        return (
            f"{first}{accepted} plausible worlds accepted of {m.get('draws')} drawn ({rate:.0%}; "
            f"{m.get('method')} over {len(self.factors)} uncertain inputs, seed {m.get('seed')}), "
            f"each refitted to history and tested against it (largest implausibility ≤ "
            f"{m.get('settings', {}).get('threshold')})"
        )

    def posterior(self) -> pd.DataFrame:
        """Per drawn input: plausible range, 5–50–95 % among all draws and among accepted worlds.

        ``narrowed`` is the accepted 5–95 % width over the drawn one (1: history matching did
        not narrow it); ``ks_pvalue`` compares accepted with ruled-out draws.
        """
        rows = []
        for f in self.meta.get("posterior", []):
            drawn, kept = f["drawn"], f["accepted"] or [float("nan")] * 3
            width = drawn[2] - drawn[0]
            rows.append(
                {
                    "factor": f["name"],
                    "plausible_low": f["plausible"][0],
                    "plausible_high": f["plausible"][1],
                    "drawn_5": drawn[0],
                    "drawn_50": drawn[1],
                    "drawn_95": drawn[2],
                    "accepted_5": kept[0],
                    "accepted_50": kept[1],
                    "accepted_95": kept[2],
                    "narrowed": (kept[2] - kept[0]) / width if width > 0 else 1.0,
                    "ks_pvalue": f["ks_pvalue"],
                }
            )
        columns = [
            "factor",
            "plausible_low",
            "plausible_high",
            "drawn_5",
            "drawn_50",
            "drawn_95",
            "accepted_5",
            "accepted_50",
            "accepted_95",
            "narrowed",
            "ks_pvalue",
        ]
        return pd.DataFrame(rows, columns=columns)


def write(path: Path, accepted: pd.DataFrame, meta: dict[str, Any]) -> None:
    """Write a worlds file (accepted worlds and metadata) atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from partnersim.results import shards

    table = pa.Table.from_pandas(accepted.reset_index(drop=True), preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), META_KEY: json.dumps(meta).encode()}
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    shards.write_bytes_synced(buffer.getvalue(), path)
