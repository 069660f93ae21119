"""The ``partnersim`` command line: the typer app and its entry point.

Commands live in one module per group, and are registered here in the order ``--help``
lists them:

* :mod:`~partnersim.cli.scenarios` — ``scenarios``, ``validate``, ``run``, ``compare``;
* :mod:`~partnersim.cli.experiments` — ``sweep``, ``resume``, ``report``, ``rerun``,
  ``compare-sweeps``;
* :mod:`~partnersim.cli.worlds` — ``worlds``;
* :mod:`~partnersim.cli.design` — ``optimise``;
* :mod:`~partnersim.cli.credibility` — ``calibrate``, ``validate-patterns``;
* :mod:`~partnersim.cli.dashboard` — ``dashboard``, ``install-assets``.

:mod:`~partnersim.cli.common` holds what they share (clean errors, shared options, a closed
stdout tolerated) and :mod:`~partnersim.cli.startup` every trick that makes the commands start
or end faster, each with its measured saving.

Every command validates all its inputs before doing any work; bad input prints one message
naming the file, key and allowed values and exits with status 2, without a traceback and
without writing anything. Results folders are written atomically.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
import typer.main

from partnersim.cli import credibility, dashboard, design, experiments, scenarios, worlds
from partnersim.cli.startup import exit_now

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Agent-based simulation of a national mission partnership (UK five missions).",
)

app.command()(scenarios.scenarios)
app.command()(scenarios.validate)
app.command()(scenarios.run)
app.command()(scenarios.compare)
app.command()(experiments.sweep)
app.command()(experiments.resume)
app.command()(experiments.report)
app.command()(experiments.rerun)
app.command("compare-sweeps")(experiments.compare_sweeps)
app.command()(worlds.worlds)
app.command()(design.optimise)
app.command()(credibility.calibrate)
app.command("validate-patterns")(credibility.validate_patterns)
app.command()(dashboard.dashboard)
app.command("install-assets")(dashboard.install_assets)


def __getattr__(name: str) -> Any:
    if name == "click_command":  # the click object behind the app: the docs' CLI reference
        return typer.main.get_command(app)
    raise AttributeError(f"module 'partnersim.cli' has no attribute {name!r}")


def main() -> None:
    """Console-script entry point."""
    import signal

    # A file-size limit (ulimit -f) otherwise kills the process with SIGXFSZ; ignored, the
    # write fails with EFBIG and the command exits with a message.
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        app()  # typer's standalone mode always ends in SystemExit
    except KeyboardInterrupt:
        typer.echo("partnersim: interrupted", err=True)
        sys.exit(130)
    except SystemExit as done:
        exit_now(done)
        raise


if __name__ == "__main__":
    main()
