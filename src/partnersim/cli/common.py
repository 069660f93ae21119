"""What every command shares: clean error messages, shared options, a closed stdout tolerated.

Bad input prints one line, ``partnersim: error: ...``, and exits with status 2, without a
traceback and without writing anything; Ctrl-C exits with status 130.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from partnersim.cli.startup import raised
from partnersim.schema.scenario import ScenarioError

INPUT_ERRORS = (
    "partnersim.results.ResultsError",
    "partnersim.experiments.backends.BackendError",
)
"""Errors that report bad input or an unusable folder, besides :class:`ScenarioError`
(named, not imported: see :func:`partnersim.cli.startup.raised`)."""

OutOpt = Annotated[Path | None, typer.Option("--out", help="Results folder to write.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]


def fail(message: str) -> NoReturn:
    """Print ``partnersim: error: MESSAGE`` on stderr and exit with status 2."""
    typer.echo(f"partnersim: error: {message}", err=True)
    raise typer.Exit(2)


def clean_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn input and output errors into one message and exit status 2 (130 on Ctrl-C)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ScenarioError as exc:
            fail(str(exc))
        except Exception as exc:
            if raised(exc, INPUT_ERRORS):
                fail(str(exc))
            if isinstance(exc, PermissionError):
                fail(f"{exc.filename}: permission denied")
            raise
        except KeyboardInterrupt:
            typer.echo("partnersim: interrupted; no partial results were written", err=True)
            raise typer.Exit(130) from None

    return wrapper


@contextlib.contextmanager
def closed_stdout_tolerated() -> Iterator[None]:
    """If the reader of stdout has gone (a pipe into ``head``), discard the rest of the output.

    Printing is a by-product: a closed pipe must not abort writing the results.
    """
    try:
        yield
    except BrokenPipeError:
        discard_stdout()


def discard_stdout(console: Any = None) -> None:
    """Point stdout at /dev/null: later writes and the final flush go nowhere.

    Args:
        console: a rich console printing to stdout, silenced as well.
    """
    if console is not None:
        console.quiet = True
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
