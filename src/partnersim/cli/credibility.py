"""Credibility commands: ``calibrate`` and ``validate-patterns``.

``calibrate`` refits the indicator engine to the status-quo trends; ``validate-patterns``
checks the literature's stylised facts over seeds and reports where the model disagrees.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from partnersim.cli.common import clean_errors


@clean_errors
def calibrate(
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the fitted parameters.")
    ] = Path("structural.toml"),
    runs: Annotated[
        int, typer.Option("--runs", min=10, help="Monte Carlo runs per evaluation at full size.")
    ] = 800,
    holdout: Annotated[
        int, typer.Option("--holdout", min=10, help="Fresh seeds for the holdout check.")
    ] = 400,
    iterations: Annotated[int, typer.Option("--iterations", min=1, help="Most iterations.")] = 40,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Root seed of the Monte Carlo runs.")
    ] = 0,
) -> None:
    """Fit the indicator engine to the status-quo trends derived from the shipped history.

    Deterministic given the options: writes a structural-parameter file (no timestamp) with
    the targets, data windows and goodness of fit per indicator on the fit and holdout seeds.
    With the defaults it reproduces src/partnersim/data/structural.toml. Exits with status 1
    if any holdout goodness of fit is below 0.8 (PPI's criterion).
    """
    from partnersim import data
    from partnersim.credibility.calibration import calibrate as fit
    from partnersim.results import check_writable

    check_writable(out.parent / ".probe")

    def progress(iteration: int, n: int, gof: dict) -> None:
        worst = {k: float(gof[k].min()) for k in ("level", "success", "change")}
        typer.echo(
            f"iteration {iteration} ({n} runs): worst goodness of fit level "
            f"{worst['level']:.3f}, success {worst['success']:.3f}, change {worst['change']:.3f}",
            err=True,
        )

    result = fit(
        max_runs=runs,
        holdout_runs=holdout,
        max_iterations=iterations,
        seed=seed,
        progress=progress,
    )
    command = (
        f"partnersim calibrate --runs {runs} --holdout {holdout} --iterations {iterations} "
        f"--seed {seed}"
    )
    out.write_text(result.to_toml(command), encoding="utf-8")
    typer.echo(
        f"{'converged' if result.converged else 'NOT converged'} after {result.iterations} "
        f"iterations; goodness of fit on {result.fit_runs} fit seeds / {result.holdout_runs} "
        "fresh (holdout) seeds:"
    )
    typer.echo("mission        level        level(PPI)     success      change")
    for i, m in enumerate(data.MISSIONS):
        cells = [
            f"{result.gof[k][i]:5.3f}/{result.holdout[k][i]:5.3f}"
            for k in ("level", "level_ppi", "success", "change")
        ]
        typer.echo(f"{m:<14} " + "  ".join(f"{c:<12}" for c in cells))
    typer.echo(f"wrote {out}")
    worst = result.worst_holdout()
    if worst < 0.8:
        typer.echo(
            f"partnersim: FAILED — worst holdout goodness of fit {worst:.3f} < 0.8 (PPI's "
            "criterion); more --runs or --iterations may help.",
            err=True,
        )
        raise typer.Exit(1)


@clean_errors
def validate_patterns(
    seeds: Annotated[int, typer.Option("--seeds", min=2, help="Seeds per scenario.")] = 20,
    businesses: Annotated[
        int, typer.Option("--businesses", min=50, help="Business agents.")
    ] = 1000,
    write: Annotated[
        Path | None,
        typer.Option(
            "--write",
            help="Markdown file to (re)write the calibration and results sections of.",
        ),
    ] = None,
    figures: Annotated[
        Path | None,
        typer.Option("--figures", help="Folder to write the validation figures (PNG) to."),
    ] = None,
) -> None:
    """Check the literature's stylised facts over seeds; report where the model disagrees."""
    from partnersim.credibility.checks import VERDICT
    from partnersim.credibility.experiments import run_validation
    from partnersim.credibility.writing import (
        ablation_markdown,
        calibration_markdown,
        splice,
        to_markdown,
    )
    from partnersim.credibility.writing import figures as draw

    result = run_validation(n_seeds=seeds, n_businesses=businesses)
    checks = result.checks
    command = f"partnersim validate-patterns --seeds {seeds}" + (
        f" --businesses {businesses}" if businesses != 1000 else ""
    )
    for c in checks:
        typer.echo(f"[{VERDICT[c.holds].strip('*')}] {c.name}\n    {c.finding}")
    typer.echo("[ablation] share of mission_driven's advantage through each layer")
    for line in ablation_markdown(result.ablation, command).splitlines():
        if line.startswith("* "):
            typer.echo(f"    {line[2:]}")
    if figures is not None:
        for path in draw(result, figures):
            typer.echo(f"wrote {path}")
    if write is not None:
        text = write.read_text(encoding="utf-8") if write.exists() else ""
        text = splice(text, "CALIBRATION", calibration_markdown(), append=True)
        text = splice(text, "PATTERNS", to_markdown(checks, command), append=True)
        text = splice(text, "ABLATION", ablation_markdown(result.ablation, command), append=True)
        write.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {write}")
