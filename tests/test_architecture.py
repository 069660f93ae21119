"""The package's imports, read with ``ast``: layers run one way, no cycles, no private names.

Layers, lowest first (a module may import its own layer and those below, never above):

0. ``data`` — the UK figures;
1. ``schema`` — parameter declarations and scenario files;
2. ``model`` — the Mesa model, its actors, engine and metrics;
3. ``runs``, ``results``, ``plots`` — one run, outcomes, summaries, results folders, figures;
4. ``experiments``, ``credibility``, ``worlds``, ``design`` — sweeps, analysis, EMA bridge;
   calibration, validation; plausible worlds; robust policy design;
5. ``cli``, ``app`` — the faces (neither imports the other);
6. ``partnersim`` itself — the public API, which names everything.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

from .conftest import ROOT

SRC = ROOT / "src"
PACKAGE = SRC / "partnersim"
LAYERS = {
    "data": 0,
    "schema": 1,
    "model": 2,
    "runs": 3,
    "results": 3,
    "plots": 3,
    "experiments": 4,
    "credibility": 4,
    "worlds": 4,
    "design": 4,
    "cli": 5,
    "app": 5,
}
FACES = ("cli", "app")


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    """The module imported from (or the module a name is imported from)."""
    names: tuple[str, ...]
    line: int
    type_checking: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _under_type_checking(tree: ast.AST) -> set[int]:
    """Line numbers of statements inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                for sub in ast.walk(child):
                    if hasattr(sub, "lineno"):
                        lines.add(sub.lineno)
    return lines


def imports_of(name: str, text: str, is_package: bool, known: set[str]) -> list[Import]:
    """The partnersim imports of one module's source (``known``: every module's name)."""
    tree = ast.parse(text)
    guarded = _under_type_checking(tree)
    package = name if is_package else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "partnersim":
                    out.append(Import(name, alias.name, (), node.lineno, node.lineno in guarded))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] != "partnersim":
                continue
            for alias in node.names:
                # ``from package import submodule`` imports the submodule itself.
                sub = f"{base}.{alias.name}"
                target, names = (sub, ()) if sub in known else (base, (alias.name,))
                out.append(Import(name, target, names, node.lineno, node.lineno in guarded))
    return out


def imports() -> list[Import]:
    known = modules()
    return [
        imp
        for name, path in known.items()
        for imp in imports_of(
            name, path.read_text(encoding="utf-8"), path.name == "__init__.py", set(known)
        )
    ]


def layer(module: str) -> tuple[str, int]:
    parts = module.split(".")
    if len(parts) == 1:
        return "partnersim", 6
    return parts[1], LAYERS[parts[1]]


def test_every_subpackage_has_a_layer():
    unplaced = {m.split(".")[1] for m in modules() if "." in m} - set(LAYERS)
    assert not unplaced, f"modules outside the declared layers: {sorted(unplaced)}"


def test_layers_run_one_way():
    wrong = []
    for imp in imports():
        (src_group, src_layer), (dst_group, dst_layer) = layer(imp.source), layer(imp.target)
        if dst_layer > src_layer:
            wrong.append(f"{imp.source}:{imp.line} imports {imp.target} (a higher layer)")
        elif src_group in FACES and dst_group in FACES and src_group != dst_group:
            wrong.append(f"{imp.source}:{imp.line} imports {imp.target} (one face from another)")
    assert not wrong, "\n".join(wrong)


def test_no_private_names_cross_modules():
    wrong = []
    for imp in imports():
        private_module = [p for p in imp.target.split(".") if p.startswith("_")]
        private_names = [n for n in imp.names if n.startswith("_") and not n.startswith("__")]
        if imp.target != imp.source and (private_module or private_names):
            wrong.append(f"{imp.source}:{imp.line} imports {private_module or private_names}")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    graph = nx.DiGraph()
    for imp in imports():
        if not imp.type_checking and imp.source != imp.target:
            graph.add_edge(imp.source, imp.target)
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from partnersim.runs import runner", [("partnersim.runs.runner", ())]),
        (
            "from partnersim.model.agents import Business",
            [("partnersim.model.agents", ("Business",))],
        ),
        ("from . import outcomes", [("partnersim.runs.outcomes", ())]),
        ("from ..schema.levers import _REGISTRY", [("partnersim.schema.levers", ("_REGISTRY",))]),
        ("import partnersim.data", [("partnersim.data", ())]),
        ("import numpy as np", []),
    ],
)
def test_the_reader_resolves_imports_as_python_does(source, expected):
    # The checks above are only as good as this reader.
    found = imports_of("partnersim.runs.probe", source, False, set(modules()))
    assert [(i.target, i.names) for i in found] == expected


def test_type_checking_imports_are_recognised():
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import partnersim.data\n"
    (found,) = imports_of("partnersim.runs.probe", source, False, set(modules()))
    assert found.type_checking
