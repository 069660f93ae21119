"""Typed code, checked: mypy passes over the package with the configuration in pyproject.toml,
its scoped-out modules are exactly the listed ones, and the public API is fully annotated."""

from __future__ import annotations

import inspect
import subprocess
import sys
import tomllib

import partnersim

from .conftest import ROOT

SCOPED_OUT = {
    "partnersim.model.*",
    "partnersim.data",
    "partnersim.credibility.*",
    "partnersim.experiments.sweep.*",
    "partnersim.experiments.backends",
    "partnersim.results",
    "partnersim.cli.experiments",
    "partnersim.app.*",
}
"""Modules whose mypy findings are not yet errors, each with its reason in pyproject.toml."""


def test_mypy_passes_on_the_package(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_the_scope_and_strictness_are_as_stated():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["files"] == ["src/partnersim"]
    assert config["disallow_incomplete_defs"] and config["warn_unused_ignores"]
    ignored = {
        module
        for override in config["overrides"]
        if override.get("ignore_errors")
        for module in override["module"]
    }
    assert ignored == SCOPED_OUT
    assert not config.get("ignore_errors") and not config.get("ignore_missing_imports")
    # No blanket ignores in the code either: every "type: ignore" names its error code.
    for path in (ROOT / "src" / "partnersim").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "type: ignore" in line:
                assert "type: ignore[" in line, f"{path}:{number}"


def unannotated(function: object) -> list[str]:
    """The parameters (and ``return``) of a function that carry no annotation."""
    try:
        signature = inspect.signature(function)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return []
    missing = [
        name
        for name, p in signature.parameters.items()
        if p.annotation is inspect.Parameter.empty and name not in ("self", "cls")
    ]
    name = getattr(function, "__name__", "")
    if signature.return_annotation is inspect.Signature.empty and name != "__init__":
        missing.append("return")
    return missing


def public_callables():
    """Every exported function, and every public method a exported class defines itself."""
    for name in partnersim.__all__:
        obj = getattr(partnersim, name)
        if inspect.isfunction(obj):
            yield name, obj
        elif inspect.isclass(obj) and obj.__module__.startswith("partnersim"):
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr != "__init__":
                    continue
                if isinstance(member, classmethod | staticmethod):
                    member = member.__func__
                elif isinstance(member, property):
                    member = member.fget
                if inspect.isfunction(member):
                    yield f"{name}.{attr}", member


def test_the_public_api_is_fully_annotated():
    found = dict(public_callables())
    assert {"run", "run_many", "Scenario.from_toml", "PartnershipModel.step"} <= set(found)
    missing = {name: gaps for name, f in found.items() if (gaps := unannotated(f))}
    assert not missing, missing
