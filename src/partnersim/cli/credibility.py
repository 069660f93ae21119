"""Credibility commands: ``calibrate`` and ``validate-patterns``.

``calibrate`` fits each mission's delivery law to its history (with hold-outs on data);
``validate-patterns`` checks the literature's stylised facts over seeds and reports where the
model disagrees.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from partnersim.cli.common import clean_errors

if TYPE_CHECKING:
    from partnersim.worlds.ensemble import Worlds


@clean_errors
def calibrate(
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the fitted delivery laws.")
    ] = Path("delivery.toml"),
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the hold-out forecasts' simulations.")
    ] = 0,
    reference_seeds: Annotated[
        int,
        typer.Option(
            "--reference-seeds", min=2, help="Status-quo runs behind the reference drive."
        ),
    ] = 40,
) -> None:
    """Fit each mission's delivery law to its history and set the status quo's reference.

    Deterministic given the options: writes a delivery-law file (no timestamp) with each law's
    parameters, the observed and fitted moments, the hold-out on data (coverage of the held-out
    observations by the 90 % band; CRPS against a naive random walk with drift) and the status
    quo's reference drive. With the defaults it reproduces src/partnersim/data/delivery.toml.
    Prints the hold-out; exits with status 1 if more than one law fails either hold-out
    criterion (the test suite's threshold).
    """
    from partnersim.credibility.calibration import calibrate as fit
    from partnersim.credibility.history_fits import holdout_table
    from partnersim.results import check_writable

    check_writable(out.parent / ".probe")
    result = fit(
        seed=seed,
        reference_seeds=reference_seeds,
        progress=lambda text: typer.echo(text, err=True),
    )
    command = f"partnersim calibrate --seed {seed} --reference-seeds {reference_seeds}"
    out.write_text(result.to_toml(command), encoding="utf-8")
    typer.echo(holdout_table(result.fits))
    typer.echo(f"wrote {out}")
    failures = result.failures()
    for criterion, missions in failures.items():
        if missions:
            typer.echo(f"hold-out {criterion} fails for: {', '.join(missions)}", err=True)
    if any(len(m) > 1 for m in failures.values()):
        typer.echo("partnersim: FAILED — more than one law fails a hold-out criterion.", err=True)
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
    worlds: Annotated[
        str | None,
        typer.Option(
            "--worlds",
            help="Also decide each finding in each plausible world of this ensemble (a worlds "
            "file or folder, or 'shipped'): the robustness section.",
        ),
    ] = None,
    world_count: Annotated[
        int, typer.Option("--world-count", min=1, help="Worlds to use (the first N by id).")
    ] = 60,
    world_seeds: Annotated[
        int, typer.Option("--world-seeds", min=1, help="Common seeds per world and scenario.")
    ] = 3,
    robustness_only: Annotated[
        bool,
        typer.Option("--robustness-only", help="Only the robustness section (needs --worlds)."),
    ] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Worker processes for the worlds.")
    ] = None,
) -> None:
    """Check the literature's stylised facts over seeds; report where the model disagrees.

    With ``--worlds``, also decide every stylised fact and every shipped scenario's effect in
    each of the first ``--world-count`` plausible worlds and report the share of worlds in
    which each holds (the "robustness of the findings" section of ``--write``).
    """
    if robustness_only and worlds is None:
        from partnersim.cli.common import fail

        fail("--robustness-only: needs --worlds FILE (the ensemble to decide the findings in)")
    ensemble = None
    if worlds is not None:
        from partnersim.worlds.ensemble import Worlds

        ensemble = Worlds.load(worlds)
    if ensemble is not None and robustness_only:
        _robustness(ensemble, worlds, world_count, world_seeds, workers, write)
        return
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
    if ensemble is not None:
        _robustness(ensemble, worlds, world_count, world_seeds, workers, write)


def _robustness(
    ensemble: Worlds,
    source: str | None,
    world_count: int,
    world_seeds: int,
    workers: int | None,
    write: Path | None,
) -> None:
    """Decide every finding per world; print the shares; splice the section into ``write``."""
    from partnersim.credibility import robustness
    from partnersim.credibility.writing import splice

    chosen = ensemble.head(world_count)
    typer.echo(
        f"robustness: {len(chosen)} worlds × {world_seeds} seeds × "
        f"{len(robustness.scenario_names())} scenarios ...",
        err=True,
    )
    table = robustness.run_ensemble(chosen, world_seeds, workers=workers)
    command = (
        f"partnersim validate-patterns --worlds {source} --world-count {world_count} "
        f"--world-seeds {world_seeds} --robustness-only"
    )
    for f in robustness.findings(table):
        if f.kind == "stylised fact":
            typer.echo(f"[{f.share:.0%} of worlds] {f.statement}")
    if write is not None:
        text = write.read_text(encoding="utf-8") if write.exists() else ""
        section = robustness.to_markdown(ensemble, table, world_seeds, command)
        write.write_text(splice(text, "ROBUSTNESS", section, append=True), encoding="utf-8")
        typer.echo(f"wrote {write}")
