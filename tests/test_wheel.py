"""The wheel works on its own: built with ``uv build``, installed into a fresh virtual
environment outside the repository, and used from an empty folder as a new user would.

The environment gets the wheel plus the locked versions of its dependencies (``uv export``),
so that it is the tested set; nothing from the repository is importable there (no
``PYTHONPATH``, no editable install, the working directory is a temporary folder), and the test
checks that ``partnersim`` is imported from the new environment.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, uv


def check(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A fresh environment with only the wheel and its locked dependencies; an empty folder."""
    base = tmp_path_factory.mktemp("wheel")
    assert ROOT not in base.parents
    dist, venv, work = base / "dist", base / "venv", base / "work"
    check([*uv(), "build", "--quiet", "--out-dir", str(dist)], cwd=ROOT)
    version = version_in_source()
    (wheel,) = dist.glob(f"partnersim-{version}-py3-none-any.whl")  # the version's one source
    (sdist,) = dist.glob(f"partnersim-{version}.tar.gz")
    requirements = base / "requirements.txt"
    check(
        [
            *uv(),
            "export",
            "--frozen",
            "--no-dev",
            "--no-hashes",
            "--no-emit-project",
            "--quiet",
            "--output-file",
            str(requirements),
        ],
        cwd=ROOT,
    )
    check([*uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=base)
    python = venv / "bin" / "python"
    check(
        [
            *uv(),
            "pip",
            "install",
            "--quiet",
            "--python",
            str(python),
            "-r",
            str(requirements),
            str(wheel),
        ],
        cwd=base,
    )
    work.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"} and not k.startswith("UV_")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return {"wheel": wheel, "sdist": sdist, "venv": venv, "work": work, "env": env}


def partnersim(installed: dict, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    command = [str(installed["venv"] / "bin" / "partnersim"), *args]
    result = subprocess.run(
        command, cwd=installed["work"], env=installed["env"], capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    if ok:
        assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def test_the_wheel_carries_the_shipped_files_unchanged(installed):
    import zipfile

    with zipfile.ZipFile(installed["wheel"]) as wheel:
        names = set(wheel.namelist())
        for kind in ("scenarios", "sweeps"):
            for path in (ROOT / kind).glob("*.toml"):
                member = f"partnersim/{kind}/{path.name}"
                assert member in names
                assert wheel.read(member) == path.read_bytes()
        assert {"partnersim/py.typed", "partnersim/app/install_solara_assets.sh"} <= names
        assert any(n.startswith("partnersim/data/") and n.endswith(".toml") for n in names)
        shipped = ROOT / "src" / "partnersim" / "data" / "worlds.parquet"
        assert wheel.read("partnersim/data/worlds.parquet") == shipped.read_bytes()


def test_commands_run_from_outside_the_repository(installed):
    python = str(installed["venv"] / "bin" / "python")
    where = check(
        [python, "-c", "import partnersim; print(partnersim.__file__)"],
        cwd=installed["work"], env=installed["env"],
    )  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(installed["venv"])

    validated = partnersim(installed, "validate", "mission_driven", "westminster_default")
    assert validated.stdout.count("ok  ") == 2
    assert str(installed["venv"]) in validated.stdout  # the packaged files, not the clone's
    listing = partnersim(installed, "scenarios")
    assert "mission_driven" in listing.stdout and "levers_lhs" in listing.stdout

    partnersim(installed, "run", "mission_driven", "--seeds", "2", "--quiet")
    over = partnersim(
        installed, "run", "mission_driven", "--seeds", "1", "--worlds", "shipped",
        "--world-count", "1", "--quiet", "--out", "over-worlds",
    )  # fmt: skip
    assert "plausible worlds" in over.stdout
    (folder,) = (installed["work"] / "results").glob("mission_driven-*")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenarios"][0]["versions"]["partnersim"] == version_in_source()

    (installed["work"] / "two.toml").write_text(
        'name = "two"\nscenario = "westminster_default"\ndesign = "list"\nsteps = 4\n'
        "[[points]]\nrisk_share = 0.1\n[[points]]\nrisk_share = 0.4\n",
        encoding="utf-8",
    )
    partnersim(installed, "sweep", "two.toml", "--backend", "serial", "--quiet", "--out", "sweep")
    runs = check(
        [
            str(installed["venv"] / "bin" / "python"),
            "-c",
            "import partnersim, partnersim.results as r; d = r.load('sweep');"
            "print(len(d.runs), sorted(d.runs['status'].unique()));"
            "s = partnersim.Scenario.from_toml('mission_driven').evolve(steps=2, n_businesses=100);"
            "print(partnersim.__version__, partnersim.run(s, seed=1).manifest['steps'])",
        ],
        cwd=installed["work"], env=installed["env"],
    )  # fmt: skip
    assert runs.stdout.splitlines() == ["2 ['ok']", f"{version_in_source()} 2"]


def test_the_dashboard_says_what_is_missing_then_runs_offline(installed):
    env = installed["env"]
    missing = partnersim(installed, "dashboard", ok=False)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "install-assets" in missing.stderr and "vega" in missing.stderr

    # The tarballs are in npm's cache since scripts/bootstrap.sh fetched them (same pins), so
    # this needs no network; their hashes are checked all the same.
    env["npm_config_prefer_offline"] = "true"
    partnersim(installed, "install-assets")
    assert "0 package(s) missing" in partnersim(installed, "install-assets", "--dry-run").stdout

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [str(installed["venv"] / "bin" / "partnersim"), "dashboard", "--port", str(port)],
        cwd=installed["work"], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        page = fetch(f"{base}/", deadline=time.monotonic() + 120)
        assert "solara" in page.lower()
        asset = fetch(f"{base}/_solara/cdn/@widgetti/solara-vuetify3-app@5.2.0/package.json")
        assert json.loads(asset)["version"] == "5.2.0"  # served from disk: the CDN is loopback:9
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def fetch(url: str, deadline: float | None = None) -> str:
    """GET a loopback URL, retrying until ``deadline`` while the server starts."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.read().decode("utf-8")
        except OSError:
            if deadline is None or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def version_in_source() -> str:
    import partnersim

    return partnersim.__version__
