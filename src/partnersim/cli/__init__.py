"""The ``partnersim`` command line: validate, run and compare scenarios.

Every command validates all its inputs before doing any work; bad input prints one message
naming the file, key and allowed values and exits with status 2, without a traceback and
without writing anything. Results folders are written atomically.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from partnersim.schema.scenario import Scenario, ScenarioError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Agent-based simulation of a national mission partnership (UK five missions).",
)

DEFAULT_ROOT_SEED = 20240530
"""Root seed when none is given (the date Mission Critical 01 was published)."""


def _fail(message: str) -> None:
    typer.echo(f"partnersim: error: {message}", err=True)
    raise typer.Exit(2)


def clean_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn input and output errors into one message and exit status 2 (130 on Ctrl-C)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from partnersim.experiments.backends import BackendError
        from partnersim.results import ResultsError

        try:
            return fn(*args, **kwargs)
        except ScenarioError as exc:
            _fail(str(exc))
        except ResultsError as exc:
            _fail(str(exc))
        except BackendError as exc:
            _fail(str(exc))
        except PermissionError as exc:
            _fail(f"{exc.filename}: permission denied")
        except KeyboardInterrupt:
            typer.echo("partnersim: interrupted; no partial results were written", err=True)
            raise typer.Exit(130) from None

    return wrapper


def _load_all(files: list[Path]) -> list[Scenario]:
    """Load every scenario, reporting all invalid files together."""
    scenarios, errors = [], []
    for f in files:
        try:
            scenarios.append(Scenario.from_toml(f))
        except ScenarioError as exc:
            errors.append(str(exc))
    if errors:
        _fail("\n".join(errors))
    return scenarios


@app.command()
@clean_errors
def validate(
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Scenario files to check.")],
) -> None:
    """Check scenario files: types, ranges, unknown keys, cross-field rules, inheritance."""
    for scenario in _load_all(files):
        typer.echo(f"ok  {scenario.path}  ({scenario.name}, hash {scenario.content_hash})")
        _print_notes(scenario)


def _print_notes(scenario: Scenario) -> None:
    for note in scenario.notes():
        typer.echo(f"partnersim: note: {scenario.name}: {note}", err=True)


SeedsOpt = Annotated[int, typer.Option("--seeds", min=1, help="Number of seeded runs.")]
StepsOpt = Annotated[int | None, typer.Option("--steps", min=1, help="Quarters to simulate.")]
RootOpt = Annotated[int, typer.Option("--seed", min=0, help="Root seed the run seeds derive from.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Results folder to write.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]


@app.command()
@clean_errors
def run(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file.")],
    seeds: SeedsOpt = 10,
    steps: StepsOpt = None,
    seed: RootOpt = DEFAULT_ROOT_SEED,
    out: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Run one scenario over seeds; write Parquet, manifest and a figure; print the outcomes."""
    (scenario,) = _load_all([file])
    if steps is not None:
        scenario = scenario.evolve(steps=steps)
    out = out or Path("results") / f"{scenario.name}-{scenario.content_hash}"
    _print_notes(scenario)
    _execute([scenario], seeds, seed, out, quiet, title=scenario.name)


@app.command()
@clean_errors
def compare(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE", help="Two or more scenario files.")
    ],
    seeds: SeedsOpt = 10,
    steps: StepsOpt = None,
    seed: RootOpt = DEFAULT_ROOT_SEED,
    out: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Run scenarios on the same seeds and show them side by side, with a figure."""
    scenarios = _load_all(files)
    if len(scenarios) < 2:
        _fail("compare needs at least two scenario files")
    names = [s.name for s in scenarios]
    if len(set(names)) < len(names):
        _fail(f"scenario names must differ to be compared; got {', '.join(names)}")
    if steps is not None:
        scenarios = [s.evolve(steps=steps) for s in scenarios]
    import hashlib

    key = hashlib.sha256("".join(s.content_hash for s in scenarios).encode()).hexdigest()[:12]
    out = out or Path("results") / f"compare-{key}"
    for scenario in scenarios:
        _print_notes(scenario)
    _execute(scenarios, seeds, seed, out, quiet, title=" vs ".join(names))


def _execute(
    scenarios: list[Scenario], n_seeds: int, root: int, out: Path, quiet: bool, title: str
) -> None:
    from partnersim import results as res
    from partnersim.cli.figures import FigureWorker

    res.check_replaceable(out)
    worker = FigureWorker()  # starts importing matplotlib now, beside Mesa's import
    try:
        _run_and_write(scenarios, n_seeds, root, out, quiet, title, worker)
    finally:
        worker.cancel()


def _run_and_write(
    scenarios, n_seeds: int, root: int, out: Path, quiet: bool, title: str, worker
) -> None:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from partnersim import results as res
    from partnersim.runs.runner import derive_seeds, run_manifest
    from partnersim.runs.runner import run as run_one

    seeds = derive_seeds(root, n_seeds)
    console = Console(stderr=True)
    runs = []
    total = len(scenarios) * len(seeds)
    started = res.provenance()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
        transient=False,
    ) as progress:
        task = progress.add_task("runs", total=total)
        for scenario in scenarios:
            for s in seeds:
                progress.update(task, description=f"{scenario.name} seed {s}")
                runs.append(run_one(scenario, s))
                progress.advance(task)
    timeseries, summary = res.runs_tables(runs)
    manifest = {
        "kind": "compare" if len(scenarios) > 1 else "run",
        "root_seed": root,
        "seeds": seeds,
        "scenarios": [
            {**run_manifest(s), "values": dict(s.values), "start_steps": dict(s.start_steps)}
            for s in scenarios
        ],
        "provenance": {**started, "finished": res.now()},
    }
    # Not dict(groupby): GroupBy has a ``keys`` attribute that dict() would call.
    by_label = {name: frame for name, frame in timeseries.groupby("scenario", sort=False)}  # noqa: C416
    figure_title = f"{title} — {len(seeds)} seeds (median, 10–90 % band)"

    def fill(folder: Path) -> None:
        figure = folder / "missions.png"
        worker.submit(by_label, figure_title, figure)  # drawn while the tables are written
        res.write_table(timeseries, folder / res.TIMESERIES)
        res.write_table(summary, folder / res.SUMMARY)
        res.write_json(manifest, folder / res.MANIFEST)
        with _closed_stdout_tolerated():  # `partnersim run ... | head` still saves results
            _print_tables(summary, len(seeds), scenarios)
        if not worker.wait():
            from partnersim.plots import missions_figure

            missions_figure(by_label, title=figure_title).savefig(figure, dpi=100)

    res.write_folder(out, fill)
    with _closed_stdout_tolerated():
        typer.echo(
            f"\nresults: {out}/ (timeseries.parquet, summary.parquet, manifest.json, missions.png)"
        )


@contextlib.contextmanager
def _closed_stdout_tolerated():
    """If the reader of stdout has gone (a pipe into ``head``), discard the rest of the output.

    Printing is a by-product: a closed pipe must not abort writing the results.
    """
    try:
        yield
    except BrokenPipeError:
        _discard_stdout()


def _discard_stdout(console: Any = None) -> None:
    """Point stdout at /dev/null: later writes and the final flush go nowhere."""
    import os

    if console is not None:
        console.quiet = True
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _fmt(value: float, unit: str = "") -> str:
    if value != value:  # NaN
        return "–"
    if unit in ("£bn",):
        return f"£{value:,.1f}bn"
    if unit == "offences/yr":
        return f"{value:,.0f}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}" if unit in ("share", "ratio", "0–1", "Gini") else f"{value:.1f}"


def _print_tables(summary, n_seeds: int, scenarios: list[Scenario]) -> None:
    from rich.console import Console
    from rich.table import Table

    from partnersim.runs.summary import headline_outcomes, mission_outcomes

    console = Console()
    # Rich ends the process when stdout's reader has gone; carry on so results are saved.
    console.on_broken_pipe = functools.partial(_discard_stdout, console)
    missions = mission_outcomes(summary)
    heads = headline_outcomes(summary)
    names = [s.name for s in scenarios]
    steps = scenarios[0].steps
    table = Table(title=f"Missions — {n_seeds} seeds, {steps} quarters", title_justify="left")
    table.add_column("mission")
    table.add_column("target")
    for name in names:
        table.add_column(f"{name}\nP(met) [95% CI]", justify="right")
        table.add_column(f"{name}\nmedian at deadline [10–90%]", justify="right")
    for label, group in missions.groupby("label", sort=False):
        first = group.iloc[0]
        sign = "≥" if first["higher_is_better"] else "≤"
        cells = [
            label,
            f"{sign} {_fmt(first['target'], first['unit'])} {first['unit']} by {first['deadline']}",
        ]
        for name in names:
            row = group[group["scenario"] == name].iloc[0]
            if row["runs_assessed"] == 0:
                cells += ["not reached", "–"]
                continue
            cells.append(f"{row['p_met']:.2f} [{row['p_met_low']:.2f}, {row['p_met_high']:.2f}]")
            u = row["unit"]
            low, high = _fmt(row["p10_at_deadline"], u), _fmt(row["p90_at_deadline"], u)
            cells.append(f"{_fmt(row['median_at_deadline'], u)} [{low}–{high}]")
        table.add_row(*cells)
    _print_whole(console, table)
    partnership = Table(
        title="Partnership and public finance (median [10–90%] over seeds)", title_justify="left"
    )
    partnership.add_column("outcome")
    for name in names:
        partnership.add_column(name, justify="right")
    for label, group in heads.groupby("label", sort=False):
        unit = group.iloc[0]["unit"]
        cells = [label]
        for name in names:
            row = group[group["scenario"] == name].iloc[0]
            cells.append(
                f"{_fmt(row['median'], unit)} [{_fmt(row['p10'], unit)}–{_fmt(row['p90'], unit)}]"
            )
        partnership.add_row(*cells)
    _print_whole(console, partnership)


def _print_whole(console: Any, table: Any) -> None:
    """Print a table without cutting cells.

    At its natural width when stdout is not a terminal (a pipe or a file has no width to
    respect); folded inside a terminal.
    """
    from rich.measure import Measurement

    for column in table.columns:
        column.overflow = "fold"
    if not console.is_terminal:
        needed = Measurement.get(console, console.options.update_width(1000), table).maximum
        console.width = max(console.width, needed)
    console.print(table)


WorkersOpt = Annotated[
    int | None, typer.Option("--workers", min=1, help="Worker processes (default: all cores).")
]
BackendOpt = Annotated[
    str,
    typer.Option("--backend", help="serial, processes (default) or dask (a local Dask cluster)."),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Run on a Dask cluster: tcp://HOST:PORT of its scheduler."),
]
ChunkOpt = Annotated[int | None, typer.Option("--chunk", min=1, help="Runs per task.")]


@app.command()
@clean_errors
def sweep(
    spec: Annotated[Path, typer.Argument(metavar="SPEC", help="Sweep file (sweeps/*.toml).")],
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
    _run_sweep(loaded, folder, workers, backend, scheduler, chunk, quiet)


@app.command()
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
    """Finish an interrupted sweep: run only the runs missing from FOLDER."""
    from partnersim.experiments.sweep.execute import load_spec

    _run_sweep(load_spec(folder), folder, workers, backend, scheduler, chunk, quiet)


def _run_sweep(spec, folder: Path, workers, backend, scheduler, chunk, quiet: bool) -> None:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from partnersim.experiments.sweep.execute import run_sweep

    console = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
    )
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
        )
    except KeyboardInterrupt:
        progress.stop()
        typer.echo(
            f"partnersim: interrupted after {state['done']} of {state['todo']} runs; finished runs "
            f"are saved. Continue with: partnersim resume {folder}",
            err=True,
        )
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


@app.command()
@clean_errors
def report(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Results folder of a sweep.")],
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", min=10, help="Bootstrap resamples.")
    ] = 100,
) -> None:
    """Sensitivity indices, scenario discovery (PRIM) and success by lever region for a sweep."""
    from partnersim import results as res
    from partnersim.experiments.report import build
    from partnersim.experiments.sweep.execute import load_spec

    load_spec(folder)  # a readable sweep folder, or a clean error
    loaded = res.load(folder)
    if not len(loaded.runs):
        _fail(f"{folder}: no finished runs to analyse")
    built = build(loaded, n_boot=bootstrap)
    typer.echo(f"report: {built.path / 'report.md'}")
    for note in built.sensitivity.attrs.get("notes", []):
        typer.echo(f"  sensitivity: {note}")
    for mission, box in built.discovery.items():
        if box is not None:
            typer.echo(
                f"  {mission}: target met in {box.base_rate:.0%} of runs; "
                f"in the PRIM box {box.density:.0%}"
            )


@app.command()
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


@app.command("validate-patterns")
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
    from partnersim.credibility.writing import calibration_markdown, splice, to_markdown
    from partnersim.credibility.writing import figures as draw

    result = run_validation(n_seeds=seeds, n_businesses=businesses)
    checks = result.checks
    command = f"partnersim validate-patterns --seeds {seeds}" + (
        f" --businesses {businesses}" if businesses != 1000 else ""
    )
    for c in checks:
        typer.echo(f"[{VERDICT[c.holds].strip('*')}] {c.name}\n    {c.finding}")
    if figures is not None:
        for path in draw(result, figures):
            typer.echo(f"wrote {path}")
    if write is not None:
        text = write.read_text(encoding="utf-8") if write.exists() else ""
        text = splice(text, "CALIBRATION", calibration_markdown(), append=True)
        text = splice(text, "PATTERNS", to_markdown(checks, command), append=True)
        write.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {write}")


REQUIRED_ASSETS = (
    "@widgetti/solara-vuetify3-app@5.2.0",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "vega@5",
    "vega-lite@5",
    "vega-embed@6",
)
"""Front-end packages the dashboard needs on disk (scripts/install_solara_assets.sh)."""


def missing_assets() -> list[str]:
    """Solara front-end packages absent from the local CDN cache (the dashboard works offline)."""
    import solara.server.settings as settings

    cache = Path(settings.assets.proxy_cache_dir)
    return [p for p in REQUIRED_ASSETS if not (cache / p / "package.json").exists()]


@app.command()
@clean_errors
def dashboard(
    host: Annotated[
        str, typer.Option("--host", help="Interface to bind (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to serve on.")] = 8765,
    scenarios: Annotated[
        Path, typer.Option("--scenarios", help="Folder of scenario files to offer.")
    ] = Path("scenarios"),
    results: Annotated[
        Path, typer.Option("--results", help="Folder of sweep results to explore.")
    ] = Path("results"),
) -> None:
    """Serve the Solara dashboard: live model, scenario comparison, sweep explorer."""
    import os
    import signal
    import subprocess

    missing = missing_assets()
    if missing:
        _fail(
            "the dashboard's front-end files are not installed "
            "(it never fetches them at run time): "
            + ", ".join(missing)
            + ". Install them with: bash scripts/install_solara_assets.sh .venv"
        )
    if not scenarios.is_dir():
        _fail(f"--scenarios: {scenarios} is not a folder")
    env = {
        **os.environ,
        "PARTNERSIM_SCENARIOS": str(scenarios.resolve()),
        "PARTNERSIM_RESULTS": str(results.resolve()),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",  # no usage reports
        # A missing asset must fail on loopback, never go to the public CDN.
        "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",
    }
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "partnersim.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]
    typer.echo(f"partnersim dashboard on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    server = subprocess.Popen(command, env=env, start_new_session=True)

    def stop(signum, frame):  # pass Ctrl-C and termination on to the server
        server.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = server.wait()
    raise typer.Exit(0 if code in (0, -signal.SIGTERM, 128 + signal.SIGTERM) else code)


def main() -> None:
    """Console-script entry point."""
    try:
        app()  # typer's standalone mode always ends in SystemExit
    except KeyboardInterrupt:
        typer.echo("partnersim: interrupted", err=True)
        sys.exit(130)
    except SystemExit as done:
        _exit_now(done)
        raise


def _exit_now(done: SystemExit) -> None:
    """Exit without tearing down the interpreter when nothing is left to clean up.

    Freeing the modules of the scientific stack (Mesa, pandas, SciPy, matplotlib) at
    interpreter exit takes about 0.3 s: a fifth of a single-seed ``partnersim run``. Every
    result file is written, synced and closed before a command returns, so when no other
    thread or child process is alive the command flushes its output, runs the ``atexit``
    handlers and ends the process at once. Otherwise (a process pool or Dask cluster still
    winding down) it returns and the interpreter exits normally.
    """
    import atexit
    import os
    import threading

    code = done.code
    if not isinstance(code, int | None) or threading.active_count() > 1:
        return
    mp = sys.modules.get("multiprocessing")
    if mp is not None and mp.active_children():
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # e.g. a closed pipe: let the normal exit report it
        return
    atexit._run_exitfuncs()
    os._exit(code or 0)


if __name__ == "__main__":
    main()
