"""Many runs: scenarios over seeds derived from one root seed, and the results folder they make.

:func:`run_many` runs every scenario on the same seeds (common random numbers, so that the
differences between scenarios are not differences of luck) and returns a :class:`RunSet`: the
stacked time series and summary tables and the manifest that describes them. Given plausible
worlds (:mod:`partnersim.worlds`), it runs every scenario in every world on those same seeds,
and the tables gain a ``world`` column.
:func:`write_run_folder` saves a run set as ``partnersim run`` and ``partnersim compare`` do:
``timeseries.parquet``, ``summary.parquet``, ``manifest.json`` and ``missions.png``, written
atomically. The command line and the dashboard's compare page both run scenarios this way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from partnersim import results
from partnersim.runs import DEFAULT_ROOT_SEED
from partnersim.runs.runner import WorldLike, derive_seeds, run, run_manifest
from partnersim.schema.scenario import Scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "DEFAULT_ROOT_SEED",
    "FIGURE",
    "FigureDrawer",
    "Progress",
    "RunSet",
    "name_clash",
    "run_many",
    "write_run_folder",
]

FIGURE = "missions.png"
"""File name of the missions figure in a run or compare folder."""

Progress = Callable[[int, int, str, int], None]
"""``on_progress(done, total, scenario, seed)``: called after each run with the runs done so
far, the runs in all, and the scenario name and seed of the run just finished (over worlds,
the name is followed by the world, e.g. ``"mission_driven world 3"``)."""


@dataclass(frozen=True, eq=False, slots=True)
class RunSet:
    """Every run of some scenarios on the same seeds, as tables, with their manifest.

    Attributes:
        scenarios: the scenarios, in the order they ran (their names differ).
        seeds: the run seeds, the same for every scenario (and every world).
        timeseries: one row per run and quarter, with ``scenario`` and ``seed`` columns
            (and ``world``, over worlds).
        summary: one row per run: scenario, seed, lever values and scalar outcomes (and
            ``world``, over worlds).
        manifest: ``kind`` (``"run"`` for one scenario, ``"compare"`` for more), ``root_seed``,
            ``seeds``, ``scenarios`` (identity, lever values and start steps of each) and
            ``provenance`` (host, git commit, start and finish times); over worlds also
            ``worlds``: the worlds file's ``path`` and ``digest`` (SHA-256) and the world
            ``ids`` run.
        worlds: the ids of the worlds every scenario ran in; empty when run without worlds.
    """

    scenarios: tuple[Scenario, ...]
    seeds: tuple[int, ...]
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    manifest: dict[str, Any]
    worlds: tuple[int, ...] = ()

    def __repr__(self) -> str:
        return f"RunSet({' vs '.join(self.names)}, {self.runs_per_scenario})"

    @property
    def runs_per_scenario(self) -> str:
        """``"10 seeds"``, or over worlds ``"3 worlds × 10 seeds"``."""
        seeds = f"{len(self.seeds)} seeds"
        return f"{len(self.worlds)} worlds × {seeds}" if self.worlds else seeds

    @property
    def names(self) -> list[str]:
        """The scenarios' names, in order."""
        return [s.name for s in self.scenarios]

    @property
    def title(self) -> str:
        """Title of the missions figure, e.g. ``"a vs b — 10 seeds (median, 10–90 % band)"``."""
        return f"{' vs '.join(self.names)} — {self.runs_per_scenario} (median, 10–90 % band)"

    def by_scenario(self) -> dict[str, pd.DataFrame]:
        """The time series of each scenario, by name, in order."""
        # Not dict(groupby): GroupBy has a ``keys`` attribute that dict() would call.
        return {name: frame for name, frame in self.timeseries.groupby("scenario", sort=False)}  # noqa: C416

    def figure(self) -> Figure:
        """The five missions against their targets: medians and bands over seeds, by scenario."""
        from partnersim.plots import missions_figure  # matplotlib: only when a figure is drawn

        return missions_figure(self.by_scenario(), title=self.title)


def name_clash(scenarios: Sequence[Scenario]) -> str | None:
    """Why these scenarios cannot be run together, or None if they can.

    Results are grouped by scenario name, so two scenarios of one name would be merged.
    """
    names = [s.name for s in scenarios]
    if len(set(names)) < len(names):
        return f"scenario names must differ to be compared; got {', '.join(names)}"
    return None


def run_many(
    scenarios: Scenario | str | Path | Sequence[Scenario | str | Path],
    seeds: int | Sequence[int] = 10,
    root: int = DEFAULT_ROOT_SEED,
    *,
    on_progress: Progress | None = None,
    worlds: Sequence[WorldLike] | None = None,
) -> RunSet:
    """Run scenarios on the same seeds, one after another, and stack their results.

    Args:
        scenarios: one scenario or several (:class:`Scenario` objects or scenario files),
            with different names.
        seeds: how many seeds to derive from ``root`` (see
            :func:`~partnersim.runs.runner.derive_seeds`), or the seeds themselves.
        root: the root seed the run seeds derive from; not used (and recorded as ``None``)
            when ``seeds`` lists the seeds.
        on_progress: called after each run as ``on_progress(done, total, scenario, seed)``.
        worlds: plausible worlds (a :class:`~partnersim.worlds.ensemble.Worlds` or a list of
            its worlds) to run every scenario in, each on the same seeds (see
            :func:`~partnersim.runs.runner.run`); the tables gain a ``world`` column and the
            manifest records the worlds file (path and digest, when known) and the world ids.

    Returns:
        The runs' tables and manifest; the same scenarios and seeds give the same tables.

    Raises:
        ValueError: no scenario, no seed, no world (when ``worlds`` is given), or two
            scenarios of one name.
    """
    if isinstance(scenarios, Scenario | str | Path):
        scenarios = [scenarios]
    scenarios = tuple(s if isinstance(s, Scenario) else Scenario.from_toml(s) for s in scenarios)
    if not scenarios:
        raise ValueError("run_many needs at least one scenario")
    clash = name_clash(scenarios)
    if clash:
        raise ValueError(clash)
    if isinstance(seeds, int):
        seed_list, root_seed = derive_seeds(root, seeds), root
    else:
        seed_list, root_seed = [int(s) for s in seeds], None
    if not seed_list:
        raise ValueError("run_many needs at least one seed")
    world_list = list(worlds) if worlds is not None else [None]
    if not world_list:
        raise ValueError("run_many needs at least one world (or worlds=None)")
    started = results.provenance()
    total = len(scenarios) * len(world_list) * len(seed_list)
    runs = []
    for scenario in scenarios:
        for world in world_list:
            label = scenario.name if world is None else f"{scenario.name} world {world.id}"
            for seed in seed_list:
                runs.append(run(scenario, seed, world=world))
                if on_progress is not None:
                    on_progress(len(runs), total, label, seed)
    timeseries, summary = results.runs_tables(runs)
    manifest = {
        "kind": "compare" if len(scenarios) > 1 else "run",
        "root_seed": root_seed,
        "seeds": seed_list,
        "scenarios": [
            {**run_manifest(s), "values": dict(s.values), "start_steps": dict(s.start_steps)}
            for s in scenarios
        ],
        "provenance": {**started, "finished": results.now()},
    }
    if worlds is None:
        return RunSet(scenarios, tuple(seed_list), timeseries, summary, manifest)
    ids = [w.id for w in worlds]
    timeseries.insert(1, "world", [r.manifest["world"] for r in runs for _ in r.timeseries.index])
    summary.insert(1, "world", [r.manifest["world"] for r in runs])
    if hasattr(worlds, "manifest_entry"):  # a Worlds: its file is known
        manifest["worlds"] = worlds.manifest_entry()
    else:
        manifest["worlds"] = {"path": None, "digest": None, "ids": ids}
    return RunSet(scenarios, tuple(seed_list), timeseries, summary, manifest, tuple(ids))


class FigureDrawer(Protocol):
    """Draws a run set's missions figure elsewhere (another process) while the tables are written.

    The command line's forked helper is one (:class:`partnersim.cli.startup.FigureWorker`).
    """

    def submit(self, runset: RunSet, path: Path) -> None:
        """Start drawing the figure into ``path``; return at once."""

    def wait(self) -> bool:
        """Wait until the figure is drawn: True if it was saved, False to draw it here."""


def write_run_folder(
    runset: RunSet,
    out: str | Path,
    *,
    figure: bool = True,
    drawer: FigureDrawer | None = None,
    expected: tuple | None = None,
    extra: Mapping[str, pd.DataFrame | str] | None = None,
) -> Path:
    """Save a run set as a results folder, atomically, replacing an earlier run's folder.

    Writes ``timeseries.parquet``, ``summary.parquet``, ``manifest.json`` and (with
    ``figure``) ``missions.png``; :func:`partnersim.results.load` reads the folder back.

    Args:
        runset: the runs to save.
        out: the folder; if it exists it must be empty or hold a run or compare result.
        figure: also draw the missions figure.
        drawer: draws the figure while the tables are written; if it fails, the figure is
            drawn here.
        expected: what was at ``out`` before the runs began
            (:func:`partnersim.results.check_replaceable`); it is replaced only if it is
            still there, unchanged. Default: what is there now.
        extra: more files to write into the folder, by name: a DataFrame is written as
            Parquet, a string as UTF-8 text (e.g. the tables over worlds).

    Returns:
        The folder, resolved.

    Raises:
        partnersim.results.ResultsError: ``out`` cannot be written, or holds other files.
    """
    from partnersim.results.faults import fault

    out = Path(out)
    now = results.check_replaceable(out)

    def fill(folder: Path) -> None:
        drawing = figure and drawer is not None
        if figure and drawer is not None:
            drawer.submit(runset, folder / FIGURE)
        results.write_table(runset.timeseries, folder / results.TIMESERIES)
        results.write_table(runset.summary, folder / results.SUMMARY)
        results.write_json(runset.manifest, folder / results.MANIFEST)
        for name, content in (extra or {}).items():
            if isinstance(content, str):
                results.write_text(content, folder / name)
            else:
                results.write_table(content, folder / name)
        fault("run:tables")
        if figure and not (drawer is not None and drawing and drawer.wait()):
            runset.figure().savefig(folder / FIGURE, dpi=100)

    return results.write_folder(Path(out), fill, expected=now if expected is None else expected)
