"""Citation and release hygiene: CITATION.cff is valid, and the version agrees everywhere."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import yaml

import partnersim

from .conftest import ROOT, uv

CITATION = ROOT / "CITATION.cff"
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
CFFCONVERT = "cffconvert==2.0.0"
"""The reference validator (it ships the CFF 1.2.0 schema). It pins jsonschema below 4, which
the notebook tools cannot share, so it runs in an environment of its own (``uv tool run``)."""


def validate(path: Path) -> subprocess.CompletedProcess:
    command = ["tool", "run", "--quiet", "--from", CFFCONVERT, "cffconvert", "--validate"]
    return subprocess.run(
        [*uv(), *command, "--infile", str(path)], capture_output=True, text=True, timeout=600
    )


def test_citation_is_valid_against_the_cff_schema(tmp_path):
    result = validate(CITATION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid according to schema version 1.2.0" in result.stdout

    broken = tmp_path / "CITATION.cff"  # the check can fail: an unknown key is rejected
    broken.write_text(CITATION.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    assert validate(broken).returncode != 0


def test_the_version_has_one_source_and_everything_agrees():
    version = partnersim.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/partnersim/__init__.py"
    assert yaml.safe_load(CITATION.read_text(encoding="utf-8"))["version"] == version
    top = re.search(r"^## \[(.+?)\] — (.+)$", CHANGELOG, flags=re.MULTILINE)
    assert top and top.group(1) == version, "CHANGELOG.md's top section must be this version"


def test_every_changelog_version_says_whether_model_results_changed():
    sections = re.split(r"^## ", CHANGELOG, flags=re.MULTILINE)[1:]
    assert sections
    for section in sections:
        heading = section.splitlines()[0]
        assert re.fullmatch(r"\[\d+\.\d+\.\d+\] — (unreleased|\d{4}-\d{2}-\d{2})", heading)
        assert "\n### Model results\n" in section, heading
    released = yaml.safe_load(CITATION.read_text(encoding="utf-8")).get("date-released")
    date = sections[0].splitlines()[0].split(" — ")[1]
    assert (str(released) if released else "unreleased") == date
