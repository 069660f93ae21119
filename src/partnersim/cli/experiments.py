"""Experiment commands: ``sweep``, ``resume``, ``report``, ``rerun`` and ``compare-sweeps``.

A sweep streams its runs to Parquet parts as they finish, so an interrupted sweep keeps its
finished runs and ``resume`` runs only the rest; ``report`` analyses a sweep's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from partnersim.cli.common import (
    BackendOpt,
    OutOpt,
    QuietOpt,
    SchedulerOpt,
    WorkersOpt,
    clean_errors,
    fail,
    progress_bar,
)

ChunkOpt = Annotated[int | None, typer.Option("--chunk", min=1, help="Runs per task.")]


@clean_errors
def sweep(
    spec: Annotated[
        Path, typer.Argument(metavar="SPEC", help="Sweep file, or a packaged sweep's name.")
    ],
    out: OutOpt = None,
    workers: WorkersOpt = None,
    backend: BackendOpt = "processes",
    scheduler: SchedulerOpt = None,
    chunk: ChunkOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Run a sweep: design points × seeds, streamed to Parquet shards; resumable."""
    from partnersim.experiments.sweep import SweepSpec

    loaded = SweepSpec.from_toml(spec)
    folder = out or Path("results") / f"{loaded.name}-{loaded.content_hash}"
    _run_sweep(loaded, folder, workers, backend, scheduler, chunk, quiet, "partnersim sweep")


@clean_errors
def resume(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="Results folder of an interrupted sweep.")
    ],
    workers: WorkersOpt = None,
    backend: BackendOpt = "processes",
    scheduler: SchedulerOpt = None,
    chunk: ChunkOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Finish an interrupted sweep, worlds or optimisation folder: run only what is missing."""
    from partnersim import results as res
    from partnersim.experiments.sweep.execute import load_spec

    with res.locked(folder, "partnersim resume"):  # the spec is read under the lock too
        kind = res.read_manifest(folder).get("kind")
        if kind == "worlds":
            from partnersim.worlds.generate import request_of

            request = request_of(folder)
        elif kind == "optimisation":
            from partnersim.design.search import spec_of

            optimisation = spec_of(folder)
        else:
            spec = load_spec(folder)
    if kind == "optimisation":
        from partnersim.cli.design import run_optimisation

        run_optimisation(
            optimisation, folder, workers, backend, scheduler, quiet, "partnersim resume"
        )
        return
    if kind == "worlds":
        from partnersim.cli.worlds import run_worlds

        run_worlds(request, folder, workers, backend, scheduler, quiet, "partnersim resume")
        return
    _run_sweep(spec, folder, workers, backend, scheduler, chunk, quiet, "partnersim resume")


def _run_sweep(
    spec, folder: Path, workers, backend, scheduler, chunk, quiet: bool, command: str
) -> None:
    from partnersim.experiments.sweep.execute import run_sweep

    progress = progress_bar(quiet)
    task = None
    state = {"planned": 0, "todo": 0, "done": 0}

    def on_start(planned: int, todo: int) -> None:
        nonlocal task
        state.update(planned=planned, todo=todo)
        typer.echo(
            f"{spec.name}: {planned} runs planned ({spec.design} design, {spec.replications} "
            f"seed(s) per point); {planned - todo} already finished, {todo} to run → {folder}",
            err=True,
        )
        progress.start()
        task = progress.add_task("runs", total=todo)

    def on_progress(n: int) -> None:
        state["done"] += n
        progress.advance(task, n)

    def on_note(note: str) -> None:
        typer.echo(f"{spec.name}: {note}", err=True)

    if scheduler or backend == "dask":
        where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
        typer.echo(f"{spec.name}: connecting to {where} ...", err=True)
    try:
        result = run_sweep(
            spec,
            out=folder,
            backend=backend,
            workers=workers,
            scheduler=scheduler,
            chunk_size=chunk,
            on_start=on_start,
            on_progress=on_progress,
            on_note=on_note,
            command=command,
        )
    except KeyboardInterrupt:
        progress.stop()
        typer.echo(f"partnersim: {_interrupted(folder, state)}", err=True)
        raise typer.Exit(130) from None
    finally:
        progress.stop()
    runs = result.read_runs(["run_id", "seed", "status", "error"]).sort_values("run_id")
    errors = int((runs["status"] != "ok").sum()) if len(runs) else 0
    typer.echo(f"{len(runs)} of {state['planned']} runs finished ({errors} failed) → {folder}")
    if errors:
        first = runs[runs["status"] != "ok"].iloc[0]
        typer.echo(f"first failure: run {first['run_id']} (seed {first['seed']}): {first['error']}")
    typer.echo(f"next: partnersim report {folder}")


def _interrupted(folder: Path, state: dict) -> str:
    """What an interrupted sweep left on disk, read from the disk (not assumed)."""
    from partnersim import results as res
    from partnersim.experiments.sweep.execute import finished_run_ids

    try:
        res.read_manifest(folder)
    except res.ResultsError:
        return f"interrupted before the sweep folder was created; nothing was written to {folder}"
    try:
        finished = len(finished_run_ids(folder))
    except res.ResultsError:
        finished = None
    saved = "" if finished is None else f" {finished} of {state['planned']} runs are saved;"
    return (
        f"interrupted after {state['done']} of {state['todo']} runs of this session;{saved} "
        f"continue with: partnersim resume {folder}"
    )


@clean_errors
def report(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Results folder of a sweep.")],
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", min=10, help="Bootstrap resamples.")
    ] = 100,
    discover: Annotated[
        list[str] | None,
        typer.Option(
            "--discover",
            metavar="CONDITION",
            help='Scenario discovery where a condition holds, e.g. "clean_power_met == 0" or '
            '"net_fiscal_cost_total > 50" (repeatable).',
        ),
    ] = None,
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="Outcome to search on (with --threshold).")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Threshold for --outcome.")
    ] = None,
    direction: Annotated[
        str,
        typer.Option(
            "--direction",
            help="Cases of interest: below, above, at_most or at_least the threshold.",
        ),
    ] = "below",
    min_cases: Annotated[
        int, typer.Option("--min-cases", min=1, help="Fewest cases of interest for a box.")
    ] = 10,
    workers: WorkersOpt = None,
    backend: BackendOpt = "processes",
) -> None:
    """Report on a sweep or an optimisation folder.

    A sweep: seed noise, sensitivity, scenario discovery (PRIM, CART) and fan charts.
    Scenario discovery always searches where each mission's target is met and where it is
    missed; --discover (or --outcome/--threshold/--direction) adds searches of your own.

    An optimisation (``partnersim optimise``): the Pareto set's trade-offs and parallel
    coordinates, convergence, the robustness table of the shipped scenarios against the Pareto
    packages (run on the search's worlds and seeds, with --workers), and the vulnerability
    (PRIM) of the most robust package.
    """
    from partnersim import results as res

    if res.read_manifest(folder).get("kind") == "optimisation":
        _report_optimisation(folder, workers, backend)
        return
    from partnersim.experiments.discovery import Condition
    from partnersim.experiments.sweep.execute import load_spec, read_plan

    conditions = []
    try:
        conditions += [Condition.parse(text) for text in discover or []]
        if (outcome is None) != (threshold is None):
            fail("--outcome and --threshold go together")
        if outcome is not None:
            conditions.append(Condition.of(outcome, threshold, direction))
    except ValueError as exc:
        fail(str(exc))
    from partnersim.results import shards

    with res.locked(folder, "partnersim report"):
        load_spec(folder)  # a readable sweep folder, or a clean error
        loaded = res.load(folder)
        if shards.has_ledger(loaded.manifest):
            read_plan(folder, loaded.manifest)  # its checksum, before the analysis uses it
            shards.verify(folder, deep=True, what="Nothing was analysed")
        _report(loaded, folder, conditions, bootstrap, min_cases)


def _report_optimisation(folder: Path, workers: int | None, backend: str) -> None:
    from partnersim import results as res
    from partnersim.design.report import build

    with res.locked(folder, "partnersim report"):
        report = build(
            folder,
            backend=backend,
            workers=workers,
            on_note=lambda text: typer.echo(f"report: {text}", err=True),
        )
    row = report.robustness.set_index("candidate").loc[report.most_robust]
    shown = ", ".join(
        f"{c} = {row[c]:.3g}" for c in report.robustness.columns[2:] if not c.endswith("regret")
    )
    typer.echo(f"most robust package: {report.most_robust} ({shown})")
    for sentence in report.sentences:
        typer.echo(f"  {sentence}")
    typer.echo(f"wrote {report.folder / 'report.md'}")


def _report(loaded, folder: Path, conditions, bootstrap: int, min_cases: int) -> None:
    from partnersim.experiments.report import build

    if not len(loaded.runs):
        fail(f"{folder}: no finished runs to analyse")
    columns = set(loaded.runs.columns)
    for c in conditions:
        if c.outcome not in columns:
            import difflib

            close = difflib.get_close_matches(c.outcome, sorted(columns), n=3)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            fail(f"--discover: {c.outcome!r} is not a column of the sweep's runs{hint}")
    built = build(loaded, n_boot=bootstrap, conditions=conditions, min_cases=min_cases)
    typer.echo(f"report: {built.path / 'report.md'}")
    for note in built.sensitivity.attrs.get("notes", []):
        typer.echo(f"  sensitivity: {note}")
    for check in built.sensitivity.attrs.get("checks", []):
        typer.echo(f"  sensitivity, read with care: {check}")
    over_worlds = built.world_sensitivity
    if over_worlds is not None:
        from partnersim.experiments.world_sensitivity import sentence

        for mission in over_worlds.attrs.get("runs", {}):
            typer.echo(f"  over worlds: {sentence(over_worlds, mission)}")
        for note in over_worlds.attrs.get("notes", []):
            typer.echo(f"  over worlds: {note}")
        for check in over_worlds.attrs.get("checks", []):
            typer.echo(f"  over worlds, read with care: {check}")
    few = built.seed_noise[built.seed_noise["noise_in_means"] > 0.1]
    if len(few):
        typer.echo(
            f"  seed noise: too few replications for {', '.join(few['outcome'])} "
            "(see the report's seed-noise table)"
        )
    for s in built.searches:
        what = (
            s.condition.text if s.label == s.condition.text else f"{s.label} ({s.condition.text})"
        )
        if s.prim is None:
            typer.echo(f"  {what}: {s.cases} of {s.runs} runs; no box")
            continue
        typer.echo(
            f"  {what}: {s.base_rate:.0%} of {s.runs} runs; in the PRIM box "
            f"{s.prim.density:.0%} — {s.prim.describe()}"
        )


@clean_errors
def rerun(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Results folder of a sweep.")],
    out: OutOpt = None,
    workers: WorkersOpt = None,
    backend: BackendOpt = "processes",
    chunk: ChunkOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Run a sweep again from its folder alone, into a new folder, and check it bit for bit.

    Exits with status 1 when the new results differ from the folder's.
    """
    from partnersim.experiments.sweep.rerun import rerun as rerun_sweep

    target = out or folder.with_name(f"{folder.name}-rerun")
    if not quiet:
        typer.echo(f"rerunning {folder} → {target}", err=True)
    done = rerun_sweep(folder, target, backend=backend, workers=workers, chunk_size=chunk)
    runs = len(done.results.runs)
    if done.identical:
        typer.echo(
            f"{runs} runs rerun → {target}: identical to {folder}, bit for bit "
            "(plan, seeds, outcomes and time series)"
        )
        return
    typer.echo(f"{runs} runs rerun → {target}: they differ from {folder}:")
    for line in done.differences[:12]:
        typer.echo(f"  {line}")
    if len(done.differences) > 12:
        typer.echo(f"  ... and {len(done.differences) - 12} more")
    for package, (then, now) in done.versions.items():
        typer.echo(f"  note: {package} was {then}, is now {now}")
    raise typer.Exit(1)


@clean_errors
def compare_sweeps(
    first: Annotated[Path, typer.Argument(metavar="A", help="Results folder of a sweep.")],
    second: Annotated[
        Path, typer.Argument(metavar="B", help="The same design on another base scenario.")
    ],
    outcome: Annotated[
        list[str] | None,
        typer.Option("--outcome", help="Outcome to compare (repeatable; default: the report's)."),
    ] = None,
    out: OutOpt = None,
) -> None:
    """Compare one design run on two base scenarios: B − A at every design point, paired by seed.

    Writes the per-point differences (with 95 % intervals over seeds) to a CSV and prints, per
    outcome, the mean difference over points and how many points differ beyond their interval.
    """
    from partnersim import data
    from partnersim import results as res
    from partnersim.experiments import analysis
    from partnersim.experiments.comparison import (
        DesignMismatch,
        check_same_design,
        point_differences,
        summary,
    )
    from partnersim.runs.tables import format_outcome

    a, b = res.load(first), res.load(second)
    for r in (a, b):
        if not r.is_sweep:
            fail(f"{r.path}: not a sweep folder")
    try:
        notes = check_same_design(a, b)
    except DesignMismatch as exc:
        fail(str(exc))
    from partnersim.runs.outcomes import mission_column

    wanted = outcome or [mission_column(m, "met") for m in data.MISSIONS] + list(analysis.OUTCOMES)
    columns = set(a.run_columns())
    unknown = [o for o in wanted if o not in columns]
    if outcome and unknown:
        fail(f"--outcome: not a column of the sweeps' runs: {', '.join(unknown)}")
    wanted = [o for o in wanted if o in columns]
    per_point = point_differences(a, b, wanted)
    target = out or Path("results") / f"compare-{first.name}-vs-{second.name}"
    from partnersim.results.shards import write_bytes_synced

    target.mkdir(parents=True, exist_ok=True)
    write_bytes_synced(
        per_point.to_csv(index=False).encode("utf-8"), target / "differences_by_point.csv"
    )
    table = summary(per_point)
    write_bytes_synced(table.to_csv(index=False).encode("utf-8"), target / "differences.csv")
    ma, mb = a.manifest, b.manifest
    typer.echo(
        f"B − A: {mb['scenario']} − {ma['scenario']}, {ma['design']} design, "
        f"{table['points'].max() if len(table) else 0} points × {ma['replications']} seeds "
        "(paired by seed)"
    )
    for note in notes:
        typer.echo(f"note: {note}")
    from partnersim.runs.outcomes import OUTCOME_INDEX, YES_NO

    for r in table.itertuples():
        unit = OUTCOME_INDEX[r.outcome].unit if r.outcome in OUTCOME_INDEX else ""
        if r.points == 0:
            typer.echo(f"  {r.outcome}: not assessed (the runs end before its deadline)")
            continue
        if unit == YES_NO:
            unit = "share of runs"
            text = [f"{x:+.2f}" if x == x else "–" for x in (r.mean_difference, r.low, r.high)]
        else:
            text = [format_outcome(x, unit) for x in (r.mean_difference, r.low, r.high)]
        shown = "" if unit == "£bn" else f" {unit}"
        interval = f" [{text[1]}, {text[2]}]" if r.low == r.low else ""
        typer.echo(
            f"  {r.outcome}: {text[0]}{interval}{shown}; beyond its interval above zero at "
            f"{r.points_above} and below at {r.points_below} of {r.points} points"
        )
    if ma["replications"] < 2:
        typer.echo("note: one seed per point: per-point differences have no interval")
    typer.echo(f"tables: {target}/differences_by_point.csv, {target}/differences.csv")
