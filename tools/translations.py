"""The Chinese edition of the notebooks: gettext catalogs, and the notebooks built from them.

English stays the source. Every English notebook has a catalog,
``notebooks/locale/zh_CN/<path>.po``: one entry per markdown cell, and one per
comment in a code cell, each keyed by the cell's id (``msgctxt``) and its
English text (``msgid``). The solution files share ``solutions.po``.

* ``extract`` rewrites the catalogs from the English sources, keeping every
  translation whose English is unchanged. An entry whose English changed
  becomes *fuzzy* (Babel's catalog update), and a fuzzy or empty entry blocks
  ``build``: a translation never silently outlives its source.
* ``build`` writes ``notebooks/zh/``: each notebook with its markdown
  translated, its code identical except the comments, and a first cell that
  sets the display language; the exercise notebooks (without outputs) and the
  solution files likewise. ``make notebooks`` then executes them.
* ``check`` lists what is untranslated, fuzzy or stale, and each translation
  that lost a code span, link, placeholder, heading or seed string, or left a
  glossary term out (tools/translation_review.py); it exits 1 if anything is.

The package's own messages (cards, tables, exercise feedback) are in
``demo_server/locale``; ``extract`` refreshes that catalog too.

Usage: python tools/translations.py extract|build|check [CATALOG.po ...]
"""

from __future__ import annotations

import io
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog
from babel.messages.extract import extract as extract_messages, extract_from_dir
from babel.messages.pofile import read_po, write_po
from nbformat import NotebookNode

import solutions
from translation_review import form_problems, glossary_problems

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO_ROOT / "notebooks"
LANGUAGE = "zh_CN"
CATALOGS = NOTEBOOKS / "locale" / LANGUAGE
TARGET = NOTEBOOKS / "zh"
PACKAGE = REPO_ROOT / "demo_server"
PACKAGE_CATALOG = PACKAGE / "locale" / LANGUAGE / "LC_MESSAGES" / "demo_server.po"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
#: A fixed date in the catalogs' headers, so that extracting twice changes nothing.
CATALOG_DATE = datetime(2026, 12, 1, tzinfo=timezone.utc)

#: The cell every Chinese notebook starts with: the one setting the displays take their language from.
LANGUAGE_CELL_ID = "zh-language"
LANGUAGE_CELL = (
    "from demo_server.i18n import use_language\n\n"
    'use_language("zh_CN")  # 卡片、表格和练习检查的输出都用简体中文'
)
#: Context of the solved copies' header in solutions.po.
SOLVED_HEADER_CONTEXT = "solved copy header"


@dataclass(frozen=True)
class Source:
    """One English file, the catalog that translates it, and where its Chinese copy goes."""

    path: Path

    @property
    def relative(self) -> Path:
        return self.path.relative_to(NOTEBOOKS)

    @property
    def catalog(self) -> Path:
        return CATALOGS / self.relative.with_suffix(".po")

    @property
    def target(self) -> Path:
        return TARGET / self.relative


def notebook_sources() -> list[Source]:
    """The tutorial notebooks, then the exercise notebooks, in reading order."""
    return [Source(path) for path in [*sorted(NOTEBOOKS.glob(NOTEBOOK_GLOB)),
                                      *sorted((NOTEBOOKS / "exercises").glob(NOTEBOOK_GLOB))]]


def solution_files() -> list[Path]:
    return sorted((NOTEBOOKS / "solutions").glob("exercise_*.py"))


SOLUTIONS_CATALOG = CATALOGS / "solutions.po"


# -- what gets translated ------------------------------------------------------------


def comments(source: str) -> Iterator[tuple[int, int, int, str]]:
    """Each comment in Python code: (line, start column, end column, its text without the ``#``).

    A ``# %load …`` line is a command to IPython, not prose: it stays as it is.
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        text = token.string.lstrip("#").strip()
        if text and not text.startswith("%load"):
            yield token.start[0], token.start[1], token.end[1], text


def notebook_messages(nb: NotebookNode) -> Iterator[tuple[str, str]]:
    """``(context, English)`` for every markdown cell and every code comment of a notebook."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.strip():
            yield cell.id, cell.source
        elif cell.cell_type == "code":
            for _, _, _, text in comments(cell.source):
                yield f"{cell.id} comment", text


def solution_messages() -> Iterator[tuple[str, str]]:
    yield SOLVED_HEADER_CONTEXT, solutions.SOLVED_HEADER
    for path in solution_files():
        for _, _, _, text in comments(path.read_text(encoding="utf-8")):
            yield f"{path.name} comment", text


# -- catalogs ---------------------------------------------------------------------------


HEADER = ("# Simplified Chinese translation of {source}.\n"
          "# English is the source: after editing it, run `python tools/translations.py extract`, which marks\n"
          "# the entries whose English changed as fuzzy; translate them, then `make notebooks`.\n"
          "# Terms: notebooks/locale/glossary.zh_CN.md.")


def new_catalog(messages: Iterator[tuple[str | None, str]], source: str) -> Catalog:
    catalog = Catalog(locale=LANGUAGE, project="sessions-tutorial", version="1", creation_date=CATALOG_DATE,
                      revision_date=CATALOG_DATE, fuzzy=False, header_comment=HEADER.format(source=source))
    for context, message in messages:
        catalog.add(message, "", context=context)
    return catalog


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=LANGUAGE)


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, ignore_obsolete=True, sort_output=False)
    path.write_bytes(buffer.getvalue())


def merged(template: Catalog, path: Path) -> Catalog:
    """The catalog at ``path`` brought up to ``template``: changed English becomes fuzzy, gone English goes."""
    if not path.exists():
        return template
    catalog = read_catalog(path)
    catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
    catalog.creation_date = catalog.revision_date = CATALOG_DATE
    return catalog


def package_template() -> Catalog:
    """Every message the package marks with ``_()`` or ``N_()``, in its modules and its page templates."""
    found = extract_from_dir(
        PACKAGE, method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
        keywords={"_": None, "N_": None}, comment_tags=("Translators:",), strip_comment_tags=True,
    )
    catalog = Catalog(locale=LANGUAGE, project="sessions-tutorial", version="1", creation_date=CATALOG_DATE,
                      revision_date=CATALOG_DATE, fuzzy=False,
                      header_comment=HEADER.format(source="the messages of demo_server (cards, tables, checks)"))
    for filename, lineno, message, comments_, context in found:
        catalog.add(message, "", locations=[(str(Path("demo_server") / filename), lineno)],
                    auto_comments=comments_, context=context)
    for location, message, comments_ in notebook_code_messages():
        catalog.add(message, "", locations=[location], auto_comments=comments_)
    return catalog


def notebook_code_messages() -> Iterator[tuple[tuple[str, int], str, list[str]]]:
    """What the notebooks' and the solution files' code marks with ``_()``: labels it prints or shows.

    The code is the same in both editions, so these go to the package's catalog, which the
    running code reads; an entry's location is the notebook and the cell's number (or the
    solution file and the line).
    """
    codes = [(f"notebooks/{source.relative}", number, cell.source)
             for source in notebook_sources()
             for number, cell in enumerate(nbformat.read(source.path, as_version=4).cells, start=1)
             if cell.cell_type == "code"]
    codes += [(f"notebooks/solutions/{path.name}", 1, path.read_text(encoding="utf-8")) for path in solution_files()]
    for name, number, code in codes:
        found = extract_messages("python", io.BytesIO(code.encode()), keywords={"_": None, "N_": None},
                                 comment_tags=("Translators:",), strip_comment_tags=True)
        for line, message, comments_, _context in found:
            yield (name, number if name.endswith(".ipynb") else line), message, comments_


def extract() -> None:
    for source in notebook_sources():
        nb = nbformat.read(source.path, as_version=4)
        write_catalog(merged(new_catalog(notebook_messages(nb), f"notebooks/{source.relative}"), source.catalog),
                      source.catalog)
    write_catalog(merged(new_catalog(solution_messages(), "notebooks/solutions/*.py and the solved copies' header"),
                         SOLUTIONS_CATALOG), SOLUTIONS_CATALOG)
    write_catalog(merged(package_template(), PACKAGE_CATALOG), PACKAGE_CATALOG)


# -- problems ---------------------------------------------------------------------------


def problems_in(path: Path, expected: list[tuple[str | None, str]]) -> list[str]:
    """What keeps the catalog at ``path`` from translating exactly the ``expected`` messages."""
    if not path.exists():
        return [f"{path.relative_to(REPO_ROOT)}: missing (run tools/translations.py extract)"]
    catalog = read_catalog(path)
    found = {(message.context, message.id): message for message in catalog if message.id}
    name = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    problems = [f"{name}: not in the catalog (run extract): {message[:60]!r}"
                for context, message in expected if (context, message) not in found]
    for (context, message), entry in found.items():
        if (context, message) not in set(expected):
            problems.append(f"{name}: stale entry (run extract): {message[:60]!r}")
        elif entry.fuzzy:
            problems.append(f"{name}: fuzzy, the English changed: {message[:60]!r}")
        elif not entry.string:
            problems.append(f"{name}: untranslated: {message[:60]!r}")
        else:
            notes = "\n".join(entry.user_comments)
            found = form_problems(message, entry.string) + glossary_problems(message, entry.string, notes)
            problems += [f"{name}: [{context}] {problem}: {message[:60]!r}" for problem in found]
    return problems


def all_problems() -> list[str]:
    problems: list[str] = []
    for source in notebook_sources():
        nb = nbformat.read(source.path, as_version=4)
        problems += problems_in(source.catalog, list(notebook_messages(nb)))
    problems += problems_in(SOLUTIONS_CATALOG, list(solution_messages()))
    problems += problems_in(PACKAGE_CATALOG, [(m.context, m.id) for m in package_template() if m.id])
    return problems


# -- building ---------------------------------------------------------------------------


def translations(path: Path) -> dict[tuple[str | None, str], str]:
    catalog = read_catalog(path)
    return {(m.context, m.id): m.string for m in catalog if m.id and m.string and not m.fuzzy}


def translated_code(source: str, translate: dict[str, str]) -> str:
    """``source`` with each comment replaced by its translation; the code itself untouched."""
    lines = source.split("\n")
    for line, start, end, text in reversed(list(comments(source))):
        row = lines[line - 1]
        lines[line - 1] = row[:start] + "# " + translate[text] + row[end:]
    return "\n".join(lines)


def translated_notebook(source: Source) -> NotebookNode:
    """The Chinese notebook: markdown and comments translated, the language cell first, no outputs."""
    nb = nbformat.read(source.path, as_version=4)
    table = translations(source.catalog)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.strip():
            cell.source = table[(cell.id, cell.source)]
        elif cell.cell_type == "code":
            comment_table = {text: table[(f"{cell.id} comment", text)] for *_, text in comments(cell.source)}
            cell.source = translated_code(cell.source, comment_table)
            cell.outputs = []
            cell.execution_count = None
    language = nbformat.v4.new_code_cell(LANGUAGE_CELL)
    language["id"] = LANGUAGE_CELL_ID
    nb.cells.insert(0, language)
    return nb


def translated_solution(path: Path, table: dict[tuple[str | None, str], str]) -> str:
    text = path.read_text(encoding="utf-8")
    return translated_code(text, {message: table[(f"{path.name} comment", message)] for *_, message in comments(text)})


def solved_header() -> str:
    return translations(SOLUTIONS_CATALOG)[(SOLVED_HEADER_CONTEXT, solutions.SOLVED_HEADER)]


def built_files() -> dict[Path, str]:
    """Every file of ``notebooks/zh/`` that ``build`` writes, by path, as text (notebooks without outputs)."""
    files: dict[Path, str] = {}
    for source in notebook_sources():
        files[source.target] = nbformat.writes(translated_notebook(source), version=nbformat.NO_CONVERT) + "\n"
    table = translations(SOLUTIONS_CATALOG)
    for path in solution_files():
        files[TARGET / "solutions" / path.name] = translated_solution(path, table)
    return files


def build() -> None:
    problems = all_problems()
    if problems:
        raise SystemExit("cannot build the Chinese notebooks:\n  " + "\n  ".join(problems))
    for path, text in built_files().items():
        if path.suffix == ".ipynb" and path.exists() and same_cells(path, text):
            continue  # unchanged: keep the outputs its last run saved
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")


def same_cells(path: Path, text: str) -> bool:
    """Whether the notebook at ``path`` has the cells (kind, id, source) of the notebook ``text``."""
    def cells(nb: NotebookNode) -> list[tuple[str, str | None, str]]:
        return [(cell.cell_type, cell.get("id"), cell.source) for cell in nb.cells]
    return cells(nbformat.read(path, as_version=4)) == cells(nbformat.reads(text, as_version=4))


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "extract":
        extract()
    elif command == "build":
        build()
    elif command == "check":  # check [CATALOG ...]: only the problems of these catalogs
        problems = [problem for problem in all_problems()
                    if not argv[1:] or any(problem.startswith(str(Path(path))) for path in argv[1:])]
        print("\n".join(problems) if problems else "every catalog is complete and up to date")
        return 1 if problems else 0
    else:
        print(__doc__.split("\n\n")[-1], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
