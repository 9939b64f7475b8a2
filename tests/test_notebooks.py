"""Each lesson is a jupytext pair: the .py (source of truth) and the .ipynb hold the same cells, no outputs."""

from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PY_FILES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def cells(notebook):
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_every_lesson_is_a_pair():
    stems_py = {p.stem for p in PY_FILES}
    stems_ipynb = {p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    assert stems_py == stems_ipynb, f"unpaired: {sorted(stems_py ^ stems_ipynb)}; run `make sync`"
    assert "00_start_here" in stems_py


@pytest.mark.parametrize("py", PY_FILES, ids=lambda p: p.stem)
def test_pair_holds_the_same_cells(py):
    from_py = jupytext.read(py)
    from_ipynb = nbformat.read(py.with_suffix(".ipynb"), as_version=4)
    assert cells(from_py) == cells(from_ipynb), f"{py.name} and its .ipynb differ: run `make sync`"


@pytest.mark.parametrize("py", PY_FILES, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs(py):
    notebook = nbformat.read(py.with_suffix(".ipynb"), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{py.stem}.ipynb carries outputs"


@pytest.mark.parametrize("py", PY_FILES, ids=lambda p: p.stem)
def test_first_code_cell_installs_the_package_when_missing(py):
    notebook = jupytext.read(py)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert "import gan_lessons" in first.source and "%pip install" in first.source
