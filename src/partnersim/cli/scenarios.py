"""Scenario commands: ``scenarios``, ``validate``, ``run`` and ``compare``.

A scenario argument is a file or, if no such file exists, the name of a scenario shipped with
partnersim (``partnersim run mission_driven``); ``partnersim scenarios`` lists the packaged
scenarios and sweeps. Every command validates all its inputs before doing any work. ``run``
and ``compare`` run the scenarios with :func:`partnersim.runs.many.run_many`, save the
results folder with :func:`partnersim.runs.many.write_run_folder` and print the outcomes
formatted by :mod:`partnersim.runs.tables`. With ``--worlds`` they run every scenario in every
plausible world of an ensemble on the same seeds and print the outcomes over worlds × seeds
(:mod:`partnersim.worlds.tables`): combined intervals and the share of worlds in which each
ranking holds.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from partnersim.cli.common import (
    OutOpt,
    QuietOpt,
    clean_errors,
    closed_stdout_tolerated,
    discard_stdout,
    fail,
)
from partnersim.runs import DEFAULT_ROOT_SEED
from partnersim.schema.scenario import Scenario, ScenarioError

if TYPE_CHECKING:
    from partnersim.runs.many import RunSet
    from partnersim.runs.tables import TextTable
    from partnersim.worlds.ensemble import Worlds

MAX_SEEDS = 10_000
"""Most seeds of ``run`` and ``compare``: every run's time series is held in memory (a sweep
streams its runs to disk and has no such bound)."""
SeedsOpt = Annotated[
    int,
    typer.Option(
        "--seeds",
        min=1,
        max=MAX_SEEDS,
        help=f"Number of seeded runs (at most {MAX_SEEDS:,}: all are held in memory; "
        "use a sweep for more).",
    ),
]
StepsOpt = Annotated[int | None, typer.Option("--steps", min=1, help="Quarters to simulate.")]
RootOpt = Annotated[int, typer.Option("--seed", min=0, help="Root seed the run seeds derive from.")]
WidthOpt = Annotated[
    float,
    typer.Option(
        "--width",
        min=0.01,
        max=1.0,
        help="Widest 95% interval of P(met) wanted; the seeds it needs are suggested.",
    ),
]
WorldsOpt = Annotated[
    str | None,
    typer.Option(
        "--worlds",
        metavar="FILE",
        help="Run in every plausible world of an ensemble (a worlds.parquet, a folder made by "
        "`partnersim worlds`, or 'shipped'), on the same seeds: intervals combine worlds and "
        "seeds, and compare reports the share of worlds in which each ranking holds.",
    ),
]
WorldCountOpt = Annotated[
    int | None,
    typer.Option("--world-count", min=1, help="Use the first N worlds (by id); default all."),
]


def load_all(files: list[Path]) -> list[Scenario]:
    """Load every scenario, reporting all invalid files together."""
    scenarios, errors = [], []
    for f in files:
        try:
            scenarios.append(Scenario.from_toml(f))
        except ScenarioError as exc:
            errors.append(str(exc))
    if errors:
        fail("\n".join(errors))
    return scenarios


def print_notes(scenario: Scenario) -> None:
    """Print the scenario's notes (settings that are valid but worth a second look) on stderr."""
    for note in scenario.notes():
        typer.echo(f"partnersim: note: {scenario.name}: {note}", err=True)


@clean_errors
def scenarios(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="[NAME]", help="Print this packaged scenario or sweep file (to copy and edit)."
        ),
    ] = None,
) -> None:
    """List the scenarios and sweeps shipped with partnersim, or print one of them."""
    from partnersim.schema import packaged

    kinds: tuple[packaged.Kind, ...] = ("scenarios", "sweeps")
    if name is not None:
        for kind in kinds:
            entry = packaged.catalogue(kind).get(name.removesuffix(".toml"))
            if entry is not None:
                typer.echo(entry.path.read_text(encoding="utf-8"), nl=False)
                return
        fail(
            f"{name}: no packaged scenario or sweep of that name (scenarios: "
            + ", ".join(packaged.catalogue("scenarios"))
            + "; sweeps: "
            + ", ".join(packaged.catalogue("sweeps"))
            + ")"
        )
    uses = ("partnersim run NAME", "partnersim sweep NAME, or optimise NAME where marked")
    for kind, use in zip(kinds, uses, strict=True):
        entries = packaged.catalogue(kind)
        width = max((len(n) for n in entries), default=0)
        typer.echo(f"{kind.capitalize()} ({use}; files in {packaged.folder(kind)}):")
        for entry in entries.values():
            mark = "[optimise] " if kind == "sweeps" and _is_optimisation(entry.path) else ""
            typer.echo(f"  {entry.name:<{width}}  {mark}{entry.description}")
        typer.echo("")
    typer.echo("A path to your own file works wherever a name does, and wins over a name.")


@clean_errors
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE", help="Scenario files or packaged scenarios' names."),
    ],
) -> None:
    """Check scenario files: types, ranges, unknown keys, cross-field rules, inheritance."""
    for scenario in load_all(files):
        typer.echo(f"ok  {scenario.path}  ({scenario.name}, hash {scenario.content_hash})")
        print_notes(scenario)


@clean_errors
def run(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Scenario file, or a packaged scenario's name.")
    ],
    seeds: SeedsOpt = 10,
    steps: StepsOpt = None,
    seed: RootOpt = DEFAULT_ROOT_SEED,
    out: OutOpt = None,
    quiet: QuietOpt = False,
    width: WidthOpt = 0.2,
    worlds: WorldsOpt = None,
    world_count: WorldCountOpt = None,
) -> None:
    """Run one scenario over seeds; write Parquet, manifest and a figure; print the outcomes."""
    (scenario,) = load_all([file])
    if steps is not None:
        scenario = scenario.with_options(f"{file} with --steps", steps=steps)
    ensemble = _load_worlds(worlds, world_count)
    out = out or Path("results") / f"{scenario.name}-{scenario.content_hash}{_suffix(ensemble)}"
    print_notes(scenario)
    _execute([scenario], seeds, seed, out, quiet, width, ensemble)


@clean_errors
def compare(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE", help="Two or more scenario files or packaged names."),
    ],
    seeds: SeedsOpt = 10,
    steps: StepsOpt = None,
    seed: RootOpt = DEFAULT_ROOT_SEED,
    out: OutOpt = None,
    quiet: QuietOpt = False,
    width: WidthOpt = 0.2,
    worlds: WorldsOpt = None,
    world_count: WorldCountOpt = None,
) -> None:
    """Run scenarios on the same seeds and show them side by side, with a figure."""
    import hashlib

    from partnersim.runs.many import name_clash

    scenarios = load_all(files)
    if len(scenarios) < 2:
        fail("compare needs at least two scenario files")
    clash = name_clash(scenarios)
    if clash:
        fail(clash)
    if steps is not None:
        scenarios = [s.with_options(f"{s.path} with --steps", steps=steps) for s in scenarios]
    ensemble = _load_worlds(worlds, world_count)
    key = hashlib.sha256("".join(s.content_hash for s in scenarios).encode()).hexdigest()[:12]
    out = out or Path("results") / f"compare-{key}{_suffix(ensemble)}"
    for scenario in scenarios:
        print_notes(scenario)
    _execute(scenarios, seeds, seed, out, quiet, width, ensemble)


def _load_worlds(source: str | None, count: int | None) -> Worlds | None:
    """The worlds to run in (the first ``count`` of ``source``), or None without ``--worlds``."""
    if source is None:
        if count is not None:
            fail("--world-count needs --worlds")
        return None
    from partnersim.worlds.ensemble import Worlds

    ensemble = Worlds.load(source)
    if not len(ensemble):
        fail(f"{source}: the ensemble holds no accepted world")
    return ensemble if count is None else ensemble.head(count)


def _suffix(ensemble: Worlds | None) -> str:
    """The default folder's suffix over worlds: which ensemble, how many of its worlds."""
    return "" if ensemble is None else f"-worlds-{ensemble.digest[:8]}-{len(ensemble)}"


def _execute(
    scenarios: list[Scenario],
    n_seeds: int,
    root: int,
    out: Path,
    quiet: bool,
    width: float,
    ensemble: Worlds | None = None,
) -> None:
    """Run the scenarios with a progress bar, write the folder, print the outcomes."""
    from partnersim import results
    from partnersim.cli.startup import FigureWorker
    from partnersim.runs.many import write_run_folder

    # A bad --out fails before any run; what is there now is replaced at the end only if it
    # is still there, unchanged (anything created meanwhile is left alone).
    before = results.check_replaceable(out)
    worker = FigureWorker()  # forked now, before Mesa is imported
    over, extra = None, None
    try:
        runset = _run_with_progress(scenarios, n_seeds, root, quiet, ensemble)
        if ensemble is not None:
            from partnersim.worlds.tables import OverWorlds

            over = OverWorlds.from_summary(runset.summary)
            runs = f"{runset.runs_per_scenario}, {scenarios[0].steps} quarters"
            extra = over.files(ensemble.summary(), runs)
        write_run_folder(runset, out, drawer=worker, expected=before, extra=extra)
    finally:
        worker.cancel()
    with closed_stdout_tolerated():  # `partnersim run ... | head` still saves results
        if ensemble is None or over is None:
            _print_outcomes(runset, width)
        else:
            from partnersim.cli.over_worlds import print_over_worlds

            print_over_worlds(_console(), over, ensemble.summary(), runs, _print_whole)
        files = ["timeseries.parquet", "summary.parquet", "manifest.json", "missions.png"]
        typer.echo(f"\nresults: {out}/ ({', '.join([*files, *(extra or {})])})")


def _run_with_progress(
    scenarios: list[Scenario], n_seeds: int, root: int, quiet: bool, ensemble: Worlds | None
) -> RunSet:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from partnersim.runs.many import run_many

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=quiet,
        transient=False,
    ) as progress:
        n_worlds = 1 if ensemble is None else len(ensemble)
        task = progress.add_task("runs", total=len(scenarios) * n_worlds * n_seeds)

        def advance(done: int, total: int, scenario: str, seed: int) -> None:
            progress.update(task, completed=done, description=f"{scenario} seed {seed}")

        return run_many(scenarios, n_seeds, root, on_progress=advance, worlds=ensemble)


def _print_outcomes(runset: RunSet, width: float) -> None:
    from partnersim.runs.tables import (
        headline_table,
        mission_table,
        reference_notes,
        reference_table,
        seeds_advice,
    )

    console = _console()
    steps = runset.scenarios[0].steps
    _print_whole(
        console,
        mission_table(runset.summary),
        f"Missions — {len(runset.seeds)} seeds, {steps} quarters (n = runs assessed)",
    )
    for line in seeds_advice(runset.summary, width):
        console.print(f"note: {line} (--width sets the width)", soft_wrap=True, markup=False)
    _print_whole(
        console,
        headline_table(runset.summary),
        "Partnership and public finance (median [10–90%] over seeds)",
    )
    if len(runset.scenarios) > 1:
        _print_whole(
            console,
            reference_table(runset.summary),
            f"Against {runset.scenarios[0].name}, paired by seed (mean [95% interval])",
        )
        for note in reference_notes():
            console.print(note, soft_wrap=True, markup=False)


def _console() -> Any:
    """A rich console on stdout that carries on when stdout's reader has gone."""
    from rich.console import Console

    console = Console()
    # Rich ends the process when stdout's reader has gone; carry on so results are saved.
    # Replacing the method on this one instance is rich's documented hook for a closed pipe.
    console.on_broken_pipe = functools.partial(discard_stdout, console)  # type: ignore[method-assign]
    return console


def _print_whole(console: Any, table: TextTable, title: str) -> None:
    """Print a table without cutting cells.

    At its natural width when stdout is not a terminal (a pipe or a file has no width to
    respect); folded inside a terminal.
    """
    from rich.measure import Measurement
    from rich.table import Table

    shown = Table(title=title, title_justify="left")
    for column in table.columns:
        shown.add_column(
            column.heading("\n"),
            justify="left" if column.scenario is None else "right",
            overflow="fold",
        )
    for row in table.rows:
        shown.add_row(*row)
    if not console.is_terminal:
        needed = Measurement.get(console, console.options.update_width(1000), shown).maximum
        console.width = max(console.width, needed)
    console.print(shown)


def _is_optimisation(path: Path) -> bool:
    """Whether a shipped sweeps file is an optimisation file (it declares objectives)."""
    import tomllib

    try:
        return "objectives" in tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
