"""``partnersim optimise``: which package of levers, robustly — a many-objective search.

Searches the levers an optimisation file names for the Pareto set of packages trading off its
objectives (e.g. each mission's probability of being met, the net fiscal cost against the
status quo), each package run on the same plausible worlds and seeds. Resumable: the same
command (or ``partnersim resume DIR``) replays the search and runs only what is missing;
``partnersim report DIR`` writes the report (trade-offs, robustness, vulnerability).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from partnersim.cli.common import (
    BackendOpt,
    QuietOpt,
    SchedulerOpt,
    WorkersOpt,
    clean_errors,
    progress_bar,
)

if TYPE_CHECKING:
    from partnersim.design.spec import OptimiseSpec


@clean_errors
def optimise(
    spec: Annotated[
        str,
        typer.Argument(
            metavar="SPEC", help="Optimisation file (or a shipped name, e.g. robust_package)."
        ),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder to write (default results/<name>-<hash>).")
    ] = None,
    workers: WorkersOpt = None,
    backend: BackendOpt = "processes",
    scheduler: SchedulerOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Search the levers for the Pareto set of packages over worlds and seeds; resumable."""
    from partnersim.design.spec import OptimiseSpec

    loaded = OptimiseSpec.from_toml(spec)
    folder = out or Path("results") / f"{loaded.name}-{loaded.content_hash}"
    run_optimisation(loaded, folder, workers, backend, scheduler, quiet, "partnersim optimise")


def run_optimisation(
    spec: OptimiseSpec,
    folder: Path,
    workers: int | None,
    backend: str,
    scheduler: str | None,
    quiet: bool,
    command: str,
) -> None:
    """Run (or replay and finish) the search of ``spec`` in ``folder``, with a progress bar."""
    from rich.progress import TaskID

    from partnersim.design.search import Progress, committed_runs, optimise

    bar = progress_bar(
        quiet, "archive {task.fields[archive]}", "ε-progress {task.fields[improvements]}"
    )
    state = {"task": 0, "done": 0}

    def on_start(planned: int, recorded: int) -> None:
        runs = spec.runs_per_evaluation
        worlds = f"{len(spec.worlds.used)} worlds × " if spec.worlds else ""
        typer.echo(
            f"optimise {spec.name}: about {planned} packages × {worlds}{spec.seeds} seeds "
            f"({runs} runs each), {len(spec.factors)} levers, {len(spec.objectives)} objectives; "
            f"{recorded} already evaluated → {folder}",
            err=True,
        )
        bar.start()
        state["task"] = int(bar.add_task("packages", total=planned, archive=0, improvements=0))

    def on_progress(p: Progress) -> None:
        state["done"] = p.computed
        bar.update(
            TaskID(state["task"]),
            completed=p.evaluations,
            archive=p.archive,
            improvements=p.improvements,
        )

    try:
        outcome = optimise(
            spec,
            folder,
            backend=backend,
            workers=workers,
            scheduler=scheduler,
            command=command,
            on_start=on_start,
            on_progress=on_progress,
        )
    except KeyboardInterrupt:
        bar.stop()
        try:
            runs = committed_runs(folder)
            n = (
                runs["evaluation"].nunique() - int((runs["evaluation"] < 0).any())
                if len(runs)
                else 0
            )
            saved = f"{n} evaluated packages are saved; "
        except Exception:
            saved = "nothing was written; " if not folder.exists() else ""
        typer.echo(
            f"partnersim: interrupted after {state['done']} packages of this session; "
            f"{saved}continue with: partnersim resume {folder}",
            err=True,
        )
        raise typer.Exit(130) from None
    finally:
        bar.stop()
    pareto = outcome.pareto
    typer.echo(
        f"{outcome.evaluations} packages evaluated ({outcome.computed} run now, "
        f"{outcome.replayed} read back) in {outcome.seconds:.0f} s; "
        f"Pareto set: {len(pareto)} packages"
    )
    if spec.constraints and bool((pareto["violation"] > 0).all()):
        typer.echo(
            "no package found meets every constraint ("
            + "; ".join(b.text for b in spec.constraints)
            + "): the set holds those that come closest (column violation)"
        )
    shown = [m.name for m in spec.objectives]
    with_satisficing = "satisficing" in pareto and "satisficing" not in shown
    columns = ["package", *shown, *(["satisficing"] if with_satisficing else [])]
    typer.echo(pareto[columns].to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    typer.echo(f"wrote {folder / 'pareto.parquet'} and {folder / 'packages'}/*.toml")
    typer.echo(f"next: partnersim report {folder}")
