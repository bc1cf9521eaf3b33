"""Build the solved copy of each exercise notebook from one source, so the two never drift apart.

The source is the exercise notebook, ``notebooks/exercises/NN_topic.ipynb``, plus the solution
files it names, ``notebooks/solutions/exercise_N_M.py``. An exercise cell is a code cell with a
line ``# %load ../solutions/exercise_N_M.py``: un-commenting that line and running the cell is
how a learner loads a solution. The solved copy, ``notebooks/solutions/NN_topic.ipynb``, has
each exercise cell replaced by exactly what ``%load`` would put there: the ``# %load`` line,
then the file. Everything else is the exercise notebook, cell for cell.

``make notebooks`` builds the solved copies with :func:`solved_notebook` and executes them, and
``tests/test_exercises.py`` checks that the committed copies still match what it builds. The
Chinese edition has the same layout under ``notebooks/zh/`` (``tools/translations.py``), and the
same functions build its solved copies: a solved copy's sources are always its siblings.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat import NotebookNode

REPO_ROOT = Path(__file__).resolve().parents[1]
EXERCISE_DIR = REPO_ROOT / "notebooks" / "exercises"
SOLUTION_DIR = REPO_ROOT / "notebooks" / "solutions"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"

#: The line that marks an exercise cell, as IPython's %load writes it back into the cell.
LOAD_LINE = re.compile(r"^# %load \.\./solutions/(?P<file>exercise_\d+_\d+\.py)[ \t]*$", re.MULTILINE)

SOLVED_HEADER = (
    "> **Solved copy** of [exercises/{name}](../exercises/{name}). `make notebooks` generates "
    "it from that notebook and the solution files next to this one; edit those, not this file. "
    "Each exercise cell holds what `%load` puts there."
)


def exercise_notebooks(exercise_dir: Path = EXERCISE_DIR) -> list[Path]:
    """The exercise notebooks, in reading order."""
    return sorted(exercise_dir.glob(NOTEBOOK_GLOB))


def solved_path(exercise_path: Path) -> Path:
    """Where the solved copy of an exercise notebook lives: ``../solutions/`` beside its folder."""
    return exercise_path.parent.parent / "solutions" / exercise_path.name


def exercise_path_for(solved: Path) -> Path | None:
    """The exercise notebook a solved copy is built from, or None if ``solved`` is not one."""
    exercise = solved.parent.parent / "exercises" / solved.name
    if solved.parent.name != "solutions" or not exercise.exists():
        return None
    return exercise


def solution_files(nb: NotebookNode) -> list[str]:
    """The solution files a notebook's exercise cells load, in order."""
    return [match["file"] for cell in nb.cells if cell.cell_type == "code"
            for match in LOAD_LINE.finditer(cell.source)]


def loaded_source(file_name: str, solution_dir: Path = SOLUTION_DIR) -> str:
    """What ``%load ../solutions/FILE`` leaves in a cell: the magic, commented, then the file."""
    text = (solution_dir / file_name).read_text(encoding="utf-8")
    return f"# %load ../solutions/{file_name}\n{text.rstrip()}"


def solved_notebook(exercise_path: Path, header: str = SOLVED_HEADER) -> NotebookNode:
    """The solved copy of an exercise notebook, without outputs; ``header`` is its first cell's text."""
    nb = nbformat.read(exercise_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        files = [match["file"] for match in LOAD_LINE.finditer(cell.source)]
        if len(files) > 1:
            raise ValueError(f"{exercise_path.name}: one exercise cell loads {files}; use one cell each")
        if files:
            cell.source = loaded_source(files[0], exercise_path.parent.parent / "solutions")
        cell.outputs = []
        cell.execution_count = None
    header = nbformat.v4.new_markdown_cell(header.format(name=exercise_path.name))
    header["id"] = "solved-copy"  # fixed, so that rebuilding leaves git diff empty
    nb.cells.insert(0, header)
    return nb
