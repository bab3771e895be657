"""Workbooks are committed clean and thin: no outputs, no logic living in cells."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "workbooks").rglob("*.ipynb"))
NOTEBOOKS = [path for path in NOTEBOOKS if ".ipynb_checkpoints" not in path.parts]
MAX_CELL_LINES = 15


def code_cells(path: Path):
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


def test_there_are_workbooks():
    assert any(path.name == "welcome.ipynb" for path in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    for cell in code_cells(path):
        assert not cell.get("outputs"), f"{path.name} has stored outputs: run nbstripout"
        assert cell.get("execution_count") is None, f"{path.name} has execution counts: run nbstripout"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_cells_only_import_call_and_display(path):
    for cell in code_cells(path):
        source = cell.source
        assert source.count("\n") < MAX_CELL_LINES, f"{path.name}: long cell; move the logic into coprod_widgets"
        lines = [line.lstrip() for line in source.splitlines()]
        assert not any(line.startswith(("def ", "class ")) for line in lines), f"{path.name} defines code in a cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_valid_and_opens_with_a_title(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
