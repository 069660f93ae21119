"""The ``dashboard`` and ``install-assets`` commands.

The dashboard never fetches anything at run time: its front-end packages are installed into
Solara's local cache (``<environment>/share/solara/cdn/``) once, by ``partnersim
install-assets`` (which ``scripts/bootstrap.sh`` runs in a clone), and the command refuses to
start without them. Most of them come with the ``solara-assets`` dependency; the rest (the
Vuetify 3 app, KaTeX, Vega) are fetched from the npm registry with ``npm pack`` at exact pinned
versions whose tarball hashes are checked — the pins live in ``install_solara_assets.sh``, which
ships inside the package. They are not shipped in the wheel itself: together they are several
megabytes of other projects' builds that most users of the command line and the Python API never
load.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from partnersim.cli.common import clean_errors, fail
from partnersim.schema import packaged

REQUIRED_ASSETS = (
    "@widgetti/solara-vuetify3-app@5.2.0",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "vega@5",
    "vega-lite@5",
    "vega-embed@6",
)
"""Front-end packages the dashboard needs on disk (``partnersim install-assets``)."""

INSTALLER = Path(__file__).resolve().parent.parent / "app" / "install_solara_assets.sh"
"""The script that places them, with the pinned versions and hashes (shipped in the wheel)."""


def missing_assets() -> list[str]:
    """Solara front-end packages absent from the local CDN cache (the dashboard works offline)."""
    import solara.server.settings as settings

    cache = Path(settings.assets.proxy_cache_dir)
    return [p for p in REQUIRED_ASSETS if not (cache / p / "package.json").exists()]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or ``localhost`` (names are not resolved)."""
    import ipaddress

    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere


def _die_with_parent() -> None:
    """In the server's process, before it starts: end it when this command dies (Linux).

    The server runs in a session of its own (so a Ctrl-C reaches it once, through this
    command); without this, a ``kill -9`` of the command would leave it serving.
    """
    if sys.platform.startswith("linux"):
        import contextlib
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@clean_errors
def dashboard(
    host: Annotated[
        str, typer.Option("--host", help="Interface to bind (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to serve on.")] = 8765,
    scenarios: Annotated[
        Path | None,
        typer.Option(
            "--scenarios",
            help="Folder of scenario files to offer [default: ./scenarios if it exists, "
            "else the packaged scenarios].",
            show_default=False,
        ),
    ] = None,
    results: Annotated[
        Path,
        typer.Option(
            "--results",
            help="Folder of sweep results to explore (the explorer opens nothing outside it).",
        ),
    ] = Path("results"),
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow --host to be a non-loopback address. The dashboard has no login: "
            "anyone who can reach the port can run models and read the results folder.",
        ),
    ] = False,
) -> None:
    """Serve the Solara dashboard: live model, scenario comparison, sweep explorer.

    It binds to 127.0.0.1 by default. Binding to any other address needs --allow-remote, and
    prints a warning: the dashboard has no authentication.
    """
    import os
    import signal
    import subprocess

    missing = missing_assets()
    if missing:
        fail(
            "the dashboard's front-end files are not installed "
            "(it never fetches them at run time): "
            + ", ".join(missing)
            + f". Install them once with: {Path(sys.executable).parent / 'partnersim'} "
            "install-assets (needs npm and access to the npm registry; "
            "or copy share/solara/cdn/ from an environment that has them)"
        )
    if scenarios is None:
        scenarios = packaged.default_folder("scenarios")
    if not scenarios.is_dir():
        fail(f"--scenarios: {scenarios} is not a folder")
    if not is_loopback(host):
        if not allow_remote:
            fail(
                f"--host {host}: not a loopback address, so other machines could reach the "
                "dashboard, which has no login; add --allow-remote to do so knowingly, or use "
                "an SSH tunnel to 127.0.0.1"
            )
        typer.echo(
            f"partnersim: WARNING: serving on {host}, a non-loopback address, with no "
            "authentication: anyone who can reach this port can run models and read "
            f"{results.resolve()}",
            err=True,
        )
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
    server = subprocess.Popen(command, env=env, start_new_session=True, preexec_fn=_die_with_parent)

    def stop(signum, frame):  # pass Ctrl-C, termination and hang-up on to the server
        server.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)  # the terminal was closed
    code = server.wait()
    raise typer.Exit(0 if code in (0, -signal.SIGTERM, 128 + signal.SIGTERM) else code)


@clean_errors
def install_assets(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what is required and what is missing.")
    ] = False,
    extra: Annotated[
        list[str] | None,
        typer.Argument(metavar="[PKG@VERSION]...", help="Extra npm packages to place as well."),
    ] = None,
) -> None:
    """Install the dashboard's front-end files for offline use (once; needs npm).

    Every package is fetched at an exact pinned version and checked against its pinned hash;
    packages already present at their pin are left alone, so running it again is harmless.
    """
    import shutil
    import subprocess

    if shutil.which("bash") is None:
        fail("install-assets needs bash")
    if not dry_run and missing_assets() and shutil.which("npm") is None:
        fail(
            "install-assets fetches the missing front-end packages with npm, which is not on "
            "PATH: install Node.js (for example `apt-get install npm`) and run it again"
        )
    prefix = Path(sys.prefix)
    command = [
        "bash",
        str(INSTALLER),
        str(prefix),
        *(["--dry-run"] if dry_run else []),
        *(extra or []),
    ]
    code = subprocess.call(command)
    if code:
        raise typer.Exit(code)
