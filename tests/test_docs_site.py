"""The documentation site builds offline with warnings as errors and holds what it promises:
the CLI reference from the commands, the API reference from the docstrings, the notebooks as
tutorials, and nothing fetched from elsewhere by a reader's browser."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

import partnersim
from partnersim.cli import app

from .conftest import ROOT


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_the_cli_reference_has_every_command(site):
    page = (site / "cli.html").read_text(encoding="utf-8")
    import typer.main

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    assert len(commands) >= 13
    for name, command in commands.items():
        assert f"partnersim {name} [OPTIONS]" in page, name
        assert command.help.split("\n")[0].split(":")[0] in page


def test_the_api_reference_documents_the_public_names(site):
    page = (site / "api.html").read_text(encoding="utf-8")
    for name in partnersim.__all__:
        if name.startswith("_") or name.isupper():  # __version__; the declaration tables
            continue
        assert re.search(rf'id="[\w.]*\b{name}"', page), name
    # Sphinx roles in the docstrings are shown as code (docs/griffe_roles.py), not printed raw.
    assert not re.search(r":(meth|func|class|mod|data|attr):`", page)
    assert "<code>from_toml</code>" in page  # Scenario: "Construct with :meth:`from_toml`"


def test_notebooks_are_tutorials_and_pages_are_self_contained(site):
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        page = site / "tutorials" / f"{notebook.stem}.html"
        assert page.is_file(), notebook.name
    assert "partnersim " + partnersim.__version__ in (site / "index.html").read_text("utf-8")
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        external = re.findall(r'<(?:script|link|img)\b[^>]*(?:src|href)="(https?://[^"]+)"', text)
        assert not external, (page.name, external[:3])
