"""Re-execute the tutorial notebooks and save outputs that nbval can check and git can diff.

The committed outputs are nbval's reference, so they must come from a clean run: each
notebook gets a fresh kernel and runs top to bottom, as "Restart kernel and run all" would.
Everything that changes from run to run without changing what a learner sees (timing
metadata, editor state, stray execution counts) is stripped, so that re-running an unchanged
notebook leaves `git diff` empty.

Usage: python tools/run_notebooks.py [--rerun-check] [NOTEBOOK.ipynb ...]
With no arguments it runs every notebooks/NN_*.ipynb in order, then the solved copies of the
exercise notebooks, notebooks/solutions/NN_*.ipynb; then the same for the Chinese edition in
notebooks/zh/, which `make translations` builds from the English and the catalogs first. A
solved copy is always rebuilt from its exercise notebook and the solution files first
(tools/solutions.py), so it cannot drift from them. The exercise notebooks themselves are
kept without outputs, so that the outputs do not give away the answers to "predict, then
run" questions; they are never written here.
A notebook that fails is reported and left untouched; the others are still written.

--rerun-check writes nothing: it runs every notebook's cells twice in one kernel, as a learner
who runs "Run All" again would, and reports any cell that fails the second time (a port clash,
an orphaned server, state that only a fresh kernel has). By default it also runs the unsolved
exercise notebooks, as learners first meet them.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

import solutions
import translations

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"

#: Per-cell limit, generous because some demos wait for cookies to expire.
CELL_TIMEOUT_SECONDS = 600
#: Notebook-level metadata worth keeping; the rest (widget state, editor state) churns.
KEPT_NOTEBOOK_METADATA = ("kernelspec", "language_info")
#: Cell metadata worth keeping: tags carry nbval markers and `raises-exception`.
KEPT_CELL_METADATA = ("tags",)

#: nbclient only honours this tag; nbval also accepts the spellings below.
NBCLIENT_RAISES_TAG = "raises-exception"
NBVAL_RAISES_TAG = "nbval-raises-exception"
NBVAL_RAISES_COMMENT = "NBVAL_RAISES_EXCEPTION"


#: The editions: English, the source, and the Chinese one that tools/translations.py builds from it.
EDITIONS = (NOTEBOOK_DIR, translations.TARGET)


def default_notebooks() -> list[Path]:
    """Per edition, the tutorial's numbered notebooks in reading order, then the solved exercise notebooks."""
    paths: list[Path] = []
    for edition in EDITIONS:
        exercises = solutions.exercise_notebooks(edition / "exercises")
        paths += sorted(edition.glob(NOTEBOOK_GLOB)) + [solutions.solved_path(path) for path in exercises]
    return paths


def load_notebook(path: Path) -> NotebookNode:
    """The notebook to run: a solved copy is rebuilt from its sources, anything else read as is."""
    exercise = solutions.exercise_path_for(path)
    if exercise is not None:
        chinese = exercise.resolve().is_relative_to(translations.TARGET.resolve())
        return solutions.solved_notebook(exercise, translations.solved_header() if chinese else solutions.SOLVED_HEADER)
    return nbformat.read(path, as_version=4)


def is_exercise_notebook(path: Path) -> bool:
    """Exercise notebooks are committed without outputs (see the module docstring)."""
    return path.resolve().parent.name == "exercises"


def is_marked_to_raise(cell: NotebookNode) -> bool:
    """Whether nbval would accept an exception from this cell."""
    tags = cell.get("metadata", {}).get("tags", [])
    if NBCLIENT_RAISES_TAG in tags or NBVAL_RAISES_TAG in tags:
        return True
    return any(
        line.strip().lstrip("#").strip() == NBVAL_RAISES_COMMENT
        for line in cell.source.splitlines()
        if line.strip().startswith("#")
    )


def tag_cells_allowed_to_raise(nb: NotebookNode) -> list[NotebookNode]:
    """Give nbval-marked cells nbclient's tag, so the run goes on past them.

    Returns the cells that got the tag only for this run, so it can be removed again.
    """
    temporarily_tagged = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not is_marked_to_raise(cell):
            continue
        tags = cell.metadata.setdefault("tags", [])
        if NBCLIENT_RAISES_TAG not in tags:
            tags.append(NBCLIENT_RAISES_TAG)
            temporarily_tagged.append(cell)
    return temporarily_tagged


def cells_that_should_have_raised(nb: NotebookNode) -> list[int]:
    """Indexes of cells marked to raise that did not: nbval would not notice."""
    return [
        index
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and cell.source.strip()
        and is_marked_to_raise(cell)
        and not any(output.output_type == "error" for output in cell.outputs)
    ]


def strip_churn(nb: NotebookNode) -> None:
    """Remove what changes between identical runs, and number code cells 1..N."""
    nb.metadata = NotebookNode(
        {key: nb.metadata[key] for key in KEPT_NOTEBOOK_METADATA if key in nb.metadata}
    )
    execution_count = 0
    for cell in nb.cells:
        cell.metadata = NotebookNode(
            {key: cell.metadata[key] for key in KEPT_CELL_METADATA if cell.metadata.get(key)}
        )
        if cell.cell_type != "code":
            continue
        if not cell.source.strip():
            # nbclient skips empty cells; give them no count and no stale outputs.
            cell.execution_count = None
            cell.outputs = []
            continue
        execution_count += 1
        cell.execution_count = execution_count
        for output in cell.outputs:
            if output.output_type == "execute_result":
                output.execution_count = execution_count


def write_notebook(nb: NotebookNode, path: Path) -> None:
    """Write in nbformat's canonical layout (indent 1) with a trailing newline."""
    text = nbformat.writes(nb, version=nbformat.NO_CONVERT)
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text, encoding="utf-8", newline="\n")


def run_notebook(path: Path) -> str | None:
    """Execute one notebook in a fresh kernel and save it; return an error, or None."""
    if is_exercise_notebook(path):
        return ("exercise notebooks are kept without outputs: run its solved copy, "
                f"{display_name(solutions.solved_path(path))}, or check it with --rerun-check")
    nb = load_notebook(path)
    temporarily_tagged = tag_cells_allowed_to_raise(nb)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        # The kernel's working directory, as when the notebook is opened in JupyterLab.
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        # Same merge nbval applies before comparing, so flush timing cannot split outputs.
        coalesce_streams=True,
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        return f"{type(error).__name__}: {error}"
    for cell in temporarily_tagged:
        cell.metadata.tags.remove(NBCLIENT_RAISES_TAG)

    silent_cells = cells_that_should_have_raised(nb)
    if silent_cells:
        return f"cells marked to raise did not raise: {silent_cells} (0-based indexes)"

    strip_churn(nb)
    nbformat.validate(nb)
    write_notebook(nb, path)
    return None


def rerun_notebook(path: Path) -> str | None:
    """Run all of a notebook's code cells twice in one kernel, writing nothing; return an error, or None."""
    nb = load_notebook(path)
    if any(is_marked_to_raise(cell) for cell in nb.cells):
        return "has cells marked to raise: run it by hand twice instead"
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    twice = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in code * 2],
                                     metadata=nb.metadata)
    client = NotebookClient(twice, timeout=CELL_TIMEOUT_SECONDS, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def display_name(path: Path) -> str:
    """Path relative to the repository when possible, for short log lines."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str]) -> int:
    """Run the given notebooks (default: all numbered ones); exit 1 if any failed."""
    rerun_check = "--rerun-check" in argv
    explicit = [Path(arg) for arg in argv if arg != "--rerun-check"]
    paths = explicit or default_notebooks()
    if rerun_check and not explicit:
        paths += [path for edition in EDITIONS for path in solutions.exercise_notebooks(edition / "exercises")]
    run = rerun_notebook if rerun_check else run_notebook
    if not paths:
        print(f"no notebooks match {NOTEBOOK_DIR / NOTEBOOK_GLOB}", file=sys.stderr)
        return 1

    failures: list[str] = []
    for path in paths:
        started = time.monotonic()
        error = run(path.resolve())
        seconds = time.monotonic() - started
        status = "ok" if error is None else "FAILED"
        print(f"{seconds:7.1f} s  {status:6}  {display_name(path)}", flush=True)
        if error is not None:
            failures.append(f"{display_name(path)}: {error}")

    for failure in failures:
        print(f"\n{failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
