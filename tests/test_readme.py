"""The README's examples are executed, so they cannot drift from the code."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_readme_python_examples_run(capsys):
    code = blocks("python")
    assert code, "README has Python examples"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        namespace: dict = {}
        for block in code:
            exec(compile(block, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert "True" in capsys.readouterr().out


def test_readme_cli_examples_run(tmp_path):
    commands = [
        line[2:]
        for block in blocks("console")
        for line in block.splitlines()
        if line.startswith("$ ")
    ]
    assert len(commands) >= 3
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    (tmp_path / "sweeps").symlink_to(ROOT / "sweeps")
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == "partnersim"
        result = subprocess.run(
            [sys.executable, "-m", "partnersim.cli", *argv[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"{command}\n{result.stderr}"
    assert any((tmp_path / "results").iterdir())


def test_readme_quick_start_has_exactly_two_commands():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```bash\n(.*?)```", quick, flags=re.DOTALL)
    assert len([line for line in block.splitlines() if line.strip()]) == 2


def test_readme_lists_every_lever():
    from partnersim.schema.levers import LEVER_NAMES

    for lever in LEVER_NAMES:
        assert f"`{lever}`" in README
