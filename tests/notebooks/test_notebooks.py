"""Every notebook under notebooks/ runs top to bottom without a cell error."""

from __future__ import annotations

import sys
from pathlib import Path

import nbclient
import nbformat
import pytest

NOTEBOOKS_DIR = Path(__file__).parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
# The plots a person would rather look at than read: status counts and a client's score
# contributions (quickstart); the ZRM profile, status counts, the plan against capacity and
# the audit shares (planning); effects by group, the policy tree, calibration and learned versus
# catalog ranking (learning).
PLOTS = {"quickstart.ipynb": 2, "planning.ipynb": 4, "learning.ipynb": 5}


def _execute(nb: nbformat.NotebookNode, timeout: int = 300) -> None:
    # The kernel starts in the notebooks directory, as when a reader opens the notebook there.
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    client.execute()


def test_there_is_at_least_one_notebook():
    assert NOTEBOOKS
    assert sorted(p.name for p in NOTEBOOKS) == sorted(PLOTS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert [c.outputs for c in code] == [[] for _ in code]
    assert [c.execution_count for c in code] == [None for _ in code]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_without_a_cell_error(path):
    nb = nbformat.read(path, as_version=4)
    _execute(nb)  # raises CellExecutionError, naming the cell, on the first error
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    # Warnings (deprecations, pydantic serializer warnings) show up as stderr in a notebook.
    assert [o.text for o in outputs if o.get("name") == "stderr"] == []
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == PLOTS[path.name]


@pytest.mark.slow
def test_the_notebook_kernel_runs_this_python_in_the_notebooks_directory():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import os, sys\nprint(sys.executable)\nprint(os.getcwd())")
        ]
    )
    _execute(nb, timeout=60)
    executable, cwd = nb.cells[0].outputs[0]["text"].splitlines()
    assert Path(executable).resolve() == Path(sys.executable).resolve()
    assert Path(cwd).resolve() == NOTEBOOKS_DIR.resolve()
