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
    "partnersim.worlds.generate.WorldsRequestError",
    "partnersim.worlds.ensemble.WorldsError",
    "partnersim.design.search.SearchError",
)
"""Errors that report bad input or an unusable folder, besides :class:`ScenarioError`
(named, not imported: see :func:`partnersim.cli.startup.raised`)."""

OutOpt = Annotated[Path | None, typer.Option("--out", help="Results folder to write.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]
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


def progress_bar(quiet: bool, *extra: str) -> Any:
    """The commands' progress bar on stderr.

    Description, bar, done of total, the ``extra`` text columns (rich markup over the task's
    fields), elapsed time and ETA.
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        *(TextColumn(text) for text in extra),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=quiet,
    )


def fail(message: str) -> NoReturn:
    """Print ``partnersim: error: MESSAGE`` on stderr and exit with status 2."""
    typer.echo(f"partnersim: error: {cap(message)}", err=True)
    raise typer.Exit(2)


def clean_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn input and output errors into one message and exit status 2 (130 on Ctrl-C).

    File-system errors (permission denied, no space left, file too large, a name too long,
    a symlink loop) name the file and the reason, without a traceback.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ScenarioError as exc:
            fail(cap(str(exc)))
        except RecursionError:
            fail("the input nests too deeply to process (e.g. an `extends` chain or a table)")
        except Exception as exc:
            if raised(exc, INPUT_ERRORS):
                fail(cap(str(exc)))
            if isinstance(exc, OSError) and exc.strerror and not isinstance(exc, BrokenPipeError):
                where = f"{_short(exc.filename)}: " if exc.filename else ""
                fail(f"{where}{exc.strerror.lower()}")
            raise
        except KeyboardInterrupt:
            note = INTERRUPT_NOTES.get(fn.__name__)
            typer.echo(f"partnersim: interrupted{'; ' + note if note else ''}", err=True)
            raise typer.Exit(130) from None

    return wrapper


_WHOLE = (
    "results folders are renamed into place only when complete, so {} is as it was before "
    "(an earlier result, or nothing)"
)
INTERRUPT_NOTES = {
    "run": _WHOLE.format("--out"),
    "compare": _WHOLE.format("--out"),
    "report": _WHOLE.format("the sweep's report/ folder"),
}
"""What an interrupted command left on disk, for the commands that write folders whole."""

MESSAGE_LIMIT = 4000
"""Longest error message printed, in characters; the rest is counted, not shown."""


def cap(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """``message``, cut to ``limit`` characters with a count of the lines left out."""
    if len(message) <= limit:
        return message
    kept = message[:limit].rsplit("\n", 1)[0] if "\n" in message[:limit] else message[:limit]
    left = message[len(kept) :].removeprefix("\n")
    return (
        f"{kept}\n... and {left.count(chr(10)) + 1} more line(s), {len(left)} characters, not shown"
    )


def _short(name: Any) -> str:
    text = str(name)
    return text if len(text) <= 200 else f"{text[:100]}...{text[-60:]} ({len(text)} characters)"


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
