"""Every notebook runs top to bottom at small sizes, and is committed without outputs."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SMALL = {
    "PARTNERSIM_NB_SEEDS": "3",
    "PARTNERSIM_NB_BUSINESSES": "150",
    "PARTNERSIM_NB_POINTS": "12",
    "PARTNERSIM_NB_SOBOL": "4",
    "PARTNERSIM_NB_REPLICATIONS": "1",
    "PARTNERSIM_NB_WORLDS": "3",
    "PARTNERSIM_NB_EVALUATIONS": "24",
    "PARTNERSIM_NB_DESIGN_SEEDS": "1",
}
SIZES_PRINTED = {
    # what each notebook's first code cell prints from the sizes it read: proof that the kernel
    # ran at the test's sizes (a notebook that ignored them would print its defaults)
    "01": "3 seeds, 150 business agents",
    "02": "3 seeds, 150 business agents",
    "03": "12 LHS points and a Sobol' base sample of 4, 1 seeds each; 150 business agents",
    "04": "3 seeds, 150 business agents",
    "05": "24 evaluations × 3 worlds × 1 seeds, 150 business agents",
}


def test_there_are_five_notebooks():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name}: strip outputs before committing"
            assert cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, monkeypatch):
    for key, value in SMALL.items():
        monkeypatch.setenv(key, value)
    book = nbformat.read(path, as_version=4)
    client = NotebookClient(
        book, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    errors = [
        o
        for c in book.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors, [f"{e.ename}: {e.evalue}" for e in errors]
    printed = "".join(
        o.get("text", "")
        for c in book.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "stream"
    )
    assert SIZES_PRINTED[path.stem[:2]] in printed, printed[:500]
