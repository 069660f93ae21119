"""``partnersim worlds``: generate an ensemble of plausible worlds by history matching.

Draws every declared uncertainty and every assumption with a plausible range (Latin hypercube
or Sobol'), refits each draw's delivery laws and status-quo reference, rules out draws that are
implausible against history, and writes the accepted worlds to ``DIR/worlds.parquet``, which
``run``, ``compare``, sweeps, the notebooks and the dashboard take with ``--worlds``.
Resumable: the same command (or ``partnersim resume DIR``) fits only the draws not yet fitted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from partnersim.worlds.generate import Request

from partnersim.cli.common import (
    BackendOpt,
    QuietOpt,
    SchedulerOpt,
    WorkersOpt,
    clean_errors,
    progress_bar,
)


@clean_errors
def worlds(
    draws: Annotated[
        int, typer.Option("--draws", min=1, help="Worlds to draw (before history matching).")
    ] = 240,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the whole ensemble.")
    ] = 20240530,
    method: Annotated[str, typer.Option("--method", help="lhs (default) or sobol.")] = "lhs",
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder to write (default results/worlds-<hash>).")
    ] = None,
    workers: WorkersOpt = None,
    backend: BackendOpt = "processes",
    scheduler: SchedulerOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Draw, refit and history-match plausible worlds; write the accepted ones."""
    from partnersim.worlds.generate import Request

    request = Request(draws, seed, method)
    folder = out or Path("results") / f"worlds-{request.content_hash}"
    command = f"partnersim worlds --draws {draws} --seed {seed} --method {method}"
    run_worlds(request, folder, workers, backend, scheduler, quiet, command)


def run_worlds(
    request: Request,
    folder: Path,
    workers: int | None,
    backend: str,
    scheduler: str | None,
    quiet: bool,
    command: str,
) -> None:
    """Generate (or finish) the worlds of ``request`` in ``folder``, with a progress bar."""
    from rich.progress import TaskID

    from partnersim.worlds.generate import finished, generate

    progress = progress_bar(quiet, "accepted {task.fields[accepted]}")
    state = {"task": 0, "accepted": 0, "done": 0, "todo": 0}

    def on_start(planned: int, todo: int) -> None:
        state["todo"] = todo
        typer.echo(
            f"worlds: {planned} draws ({request.method}, seed {request.seed}); "
            f"{planned - todo} already fitted, {todo} to fit → {folder}",
            err=True,
        )
        progress.start()
        state["task"] = int(progress.add_task("worlds", total=todo, accepted=0))

    def on_progress(row: dict) -> None:
        state["done"] += 1
        state["accepted"] += bool(row.get("accepted"))
        progress.update(TaskID(state["task"]), advance=1, accepted=state["accepted"])

    try:
        outcome = generate(
            request,
            folder,
            backend=backend,
            workers=workers,
            scheduler=scheduler,
            command=command,
            on_start=on_start,
            on_progress=on_progress,
        )
    except KeyboardInterrupt:
        progress.stop()
        try:
            saved = f"{len(finished(folder))} of {request.draws} draws are fitted and saved; "
        except Exception:
            saved = "nothing was written; " if not folder.exists() else ""
        typer.echo(
            f"partnersim: interrupted after {state['done']} of {state['todo']} draws of this "
            f"session; {saved}continue with: partnersim resume {folder}",
            err=True,
        )
        raise typer.Exit(130) from None
    finally:
        progress.stop()
    if outcome.worlds is None:
        typer.echo(f"{outcome.fitted} of {outcome.drawn} draws fitted → {folder}")
        return
    w = outcome.worlds
    typer.echo(w.summary())
    for reason, n in w.meta.get("rejected", {}).items():
        typer.echo(f"  ruled out ({n}): {reason}")
    post = w.posterior()
    moved = post[post["ks_pvalue"].notna() & (post["ks_pvalue"] < 0.01)]
    if len(moved):
        typer.echo("history matching moved (KS p < 0.01, accepted against ruled out):")
        for r in moved.itertuples():
            typer.echo(
                f"  {r.factor}: accepted 5–95 % {r.accepted_5:.3g}–{r.accepted_95:.3g} "
                f"(drawn {r.drawn_5:.3g}–{r.drawn_95:.3g}; p = {r.ks_pvalue:.2g})"
            )
    else:
        typer.echo(
            "history matching moved no input's distribution detectably (KS p ≥ 0.01 for every "
            "input): the accepted worlds span the plausible ranges"
        )
    typer.echo(f"wrote {folder / 'worlds.parquet'}")
    typer.echo(f"next: partnersim compare westminster_default mission_driven --worlds {folder}")
