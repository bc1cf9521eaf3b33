"""The Chinese edition: complete catalogs, notebooks built from them and nothing else, and Chinese on screen.

nbval runs the Chinese notebooks like the English ones (their assertions are
the same code); here we check what nbval cannot see: that every English text
has a current translation that kept its code, links and terms, that
``notebooks/zh/`` is exactly what the English and the catalogs build, and that
the cards and checks really speak Chinese there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient as KernelRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import solutions  # noqa: E402
import translation_review  # noqa: E402
import translations  # noqa: E402

from demo_server.i18n import translations_for  # noqa: E402

ZH = translations.TARGET
CJK = re.compile(r"[\u4e00-\u9fff]")
SEED_STRINGS = re.compile("|".join(translation_review.SEED_STRINGS))


def cells_of(path: Path) -> list[tuple[str, str | None, str]]:
    return [(cell.cell_type, cell.get("id"), cell.source) for cell in nbformat.read(path, as_version=4).cells]


def chinese_outside_the_seed(text: str) -> bool:
    return bool(CJK.search(SEED_STRINGS.sub("", text)))


def output_text(cell: nbformat.NotebookNode) -> str:
    """What a cell printed or displayed, as plain text."""
    return "".join(output.get("text") or output.get("data", {}).get("text/plain", "")
                   for output in cell.get("outputs", []))


# -- the catalogs -------------------------------------------------------------------


def test_every_catalog_is_complete_current_and_keeps_form_and_terms() -> None:
    """No English without a translation, no fuzzy or stale entry, no dropped code span or glossary term."""
    assert translations.all_problems() == []


def test_changing_the_english_makes_its_translation_fuzzy_and_blocks_the_build(tmp_path: Path) -> None:
    source = translations.notebook_sources()[1]
    catalog = tmp_path / "catalog.po"
    shutil.copy(source.catalog, catalog)
    nb = nbformat.read(source.path, as_version=4)
    cell = next(cell for cell in nb.cells if cell.cell_type == "markdown")
    old = cell.source
    cell.source = old + "\n\nOne more sentence."
    template = translations.new_catalog(translations.notebook_messages(nb), "test")
    translations.write_catalog(translations.merged(template, catalog), catalog)
    [problem] = translations.problems_in(catalog, list(translations.notebook_messages(nb)))
    assert "fuzzy, the English changed" in problem
    entry = translations.read_catalog(catalog).get(cell.source, context=cell.id)
    assert entry.fuzzy and CJK.search(entry.string)   # the old translation stays, as a draft to update
    assert translations.translations(catalog).get((cell.id, cell.source)) is None


def test_the_review_catches_lost_code_links_lines_seed_strings_and_terms() -> None:
    english = "**Why.** The `Set-Cookie` header sends the [id](01_cookie_issuance.ipynb) for 张三 in {count} requests."
    good = "**为什么。** `Set-Cookie` 头在 {count} 个请求里为 张三 送出[会话 ID](01_cookie_issuance.ipynb)。"
    assert translation_review.form_problems(english, good) == []
    assert translation_review.glossary_problems(english, good) == []
    for broken in (good.replace("`Set-Cookie`", "Set-Cookie"), good.replace("01_cookie", "02_cookie"),
                   good.replace("{count}", "{n}"), good.replace("张三", "张先生"), good.replace("为什么。", "原因。")):
        assert translation_review.form_problems(english, broken), broken
    assert translation_review.form_problems("a comment", "一行\n两行")
    assert translation_review.glossary_problems(english, good.replace("请求", "访问")) == [
        "'request' must be translated '请求'"]
    assert translation_review.glossary_problems(english, good.replace("请求", "访问"),
                                                "glossary: not request - 这里说访问更自然") == []
    # Code, links and hyphenated words are not prose: express-session asks for no 会话.
    assert translation_review.glossary_problems("Compare express-session and `session`.", "比较两者。") == []


# -- notebooks/zh/ ------------------------------------------------------------------


def test_the_committed_chinese_edition_is_exactly_what_the_catalogs_build() -> None:
    """Sources only: the outputs are nbval's business. Rebuild with `make notebooks`."""
    built = translations.built_files()
    for path, text in built.items():
        assert path.exists(), f"{path.relative_to(ZH)} missing: run `make notebooks`"
        if path.suffix == ".ipynb":
            assert cells_of(path) == [(c.cell_type, c.get("id"), c.source)
                                      for c in nbformat.reads(text, as_version=4).cells], path.relative_to(ZH)
        else:
            assert path.read_text(encoding="utf-8") == text, path.relative_to(ZH)
    for exercise in solutions.exercise_notebooks(ZH / "exercises"):
        solved = solutions.solved_notebook(exercise, translations.solved_header())
        assert cells_of(solutions.solved_path(exercise)) == [(c.cell_type, c.get("id"), c.source) for c in solved.cells]
    expected = set(built) | {solutions.solved_path(path) for path in solutions.exercise_notebooks(ZH / "exercises")}
    assert {path for path in ZH.rglob("*") if path.is_file()} == expected


def test_a_chinese_notebook_keeps_the_code_and_translates_the_prose() -> None:
    for source in translations.notebook_sources():
        english, chinese = cells_of(source.path), cells_of(source.target)
        assert chinese[0][1] == translations.LANGUAGE_CELL_ID and len(chinese) == len(english) + 1
        for (kind, cell_id, text), (_, zh_id, zh_text) in zip(english, chinese[1:], strict=True):
            assert cell_id == zh_id
            if kind == "markdown":
                assert chinese_outside_the_seed(zh_text), cell_id
            elif kind == "code":   # only the comments differ
                strip = lambda code: [line.split("#")[0].rstrip() for line in code.split("\n")]  # noqa: E731
                assert strip(text) == strip(zh_text), cell_id


def test_the_chinese_notebooks_show_their_cards_and_tables_in_chinese() -> None:
    """The language cell reaches the display: every notebook's outputs hold Chinese beyond the seed's words."""
    for source in translations.notebook_sources():
        if source.path.parent != translations.NOTEBOOKS:
            continue   # the exercise notebooks have no outputs
        nb = nbformat.read(source.target, as_version=4)
        outputs = [output_text(cell) for cell in nb.cells if cell.cell_type == "code"]
        assert any(chinese_outside_the_seed(text) for text in outputs), source.target.name


def test_the_solved_chinese_exercises_pass_in_chinese() -> None:
    solved_heading = translations_for("zh_CN").gettext("Exercise {number}: solved.")
    assert chinese_outside_the_seed(solved_heading)
    for exercise in solutions.exercise_notebooks(ZH / "exercises"):
        nb = nbformat.read(solutions.solved_path(exercise), as_version=4)
        checks = [cell for cell in nb.cells if cell.cell_type == "code" and "check.exercise_" in cell.source]
        assert checks
        for cell in checks:
            number = re.search(r"exercise_(\d+)_(\d+)", cell.source).group(0)[len("exercise_"):].replace("_", ".")
            assert ("✓ " + solved_heading.format(number=number)) in output_text(cell), (exercise.name, number)


@pytest.mark.parametrize("path", solutions.exercise_notebooks(ZH / "exercises"), ids=lambda path: path.stem)
def test_an_unsolved_chinese_exercise_runs_and_its_checks_answer_in_chinese(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    KernelRunner(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    not_yet = translations_for("zh_CN").gettext("Exercise {number}, not yet:")
    checks = [cell for cell in nb.cells if cell.cell_type == "code" and "check.exercise_" in cell.source]
    assert checks
    for cell in checks:
        text = output_text(cell)
        assert text.startswith("✗ " + not_yet.split("{")[0]), text[:80]
        assert "Traceback" not in text


def test_the_install_check_speaks_chinese() -> None:
    result = subprocess.run([sys.executable, "-m", "demo_server.learn.check", "--language", "zh_CN"],
                            capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr
    assert chinese_outside_the_seed(result.stdout), result.stdout[:400]
