"""The checklist's and the install check's messages, as the extractor and a translator see them.

Read-only: this runs Babel's extraction (``tools/translations.py``'s ``package_template``) and
:mod:`ast` over the source, and writes no catalog. What the messages say in each language is
tested in ``tests/test_checklist.py`` and ``tests/test_install_check.py``.
"""

from __future__ import annotations

import ast
import string
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
MODULES = ["demo_server/learn/checklist.py", "demo_server/learn/checks.py", "demo_server/learn/check.py"]


@pytest.fixture(scope="module")
def extracted() -> dict[str, set[str]]:
    """The message ids Babel extracts from each of :data:`MODULES`."""
    sys.path.insert(0, str(REPO_ROOT / "tools"))
    try:
        import translations
    finally:
        sys.path.remove(str(REPO_ROOT / "tools"))
    found: dict[str, set[str]] = {module: set() for module in MODULES}
    for message in translations.package_template():
        for filename, _line in message.locations:
            if filename in found and message.id:
                found[filename].add(message.id)
    return found


def _calls(module: str) -> list[tuple[ast.Call, list[ast.AST]]]:
    """Every ``_(…)`` call of a module, with the nodes around it, innermost first."""
    tree = ast.parse((REPO_ROOT / module).read_text(encoding="utf-8"))
    parents: dict[ast.AST, ast.AST] = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
            around, parent = [], parents.get(node)
            while parent is not None:
                around.append(parent)
                parent = parents.get(parent)
            calls.append((node, around))
    return calls


@pytest.mark.parametrize("module", MODULES)
def test_every_message_is_one_literal_and_babel_finds_each(extracted: dict[str, set[str]], module: str) -> None:
    """No f-string, concatenation or variable inside ``_()``: the extractor sees every message."""
    literals = set()
    for call, _around in _calls(module):
        assert len(call.args) == 1 and isinstance(call.args[0], ast.Constant), ast.unparse(call)
        literals.add(call.args[0].value)
    assert literals == extracted[module]


@pytest.mark.parametrize("module", MODULES)
def test_every_message_is_made_when_it_is_shown_not_at_import(module: str) -> None:
    """``_()`` runs inside a function or a lambda: the language is chosen after the import."""
    at_import = [ast.unparse(call) for call, around in _calls(module)
                 if not any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) for node in around)]
    assert at_import == []


@pytest.mark.parametrize("module", MODULES)
def test_every_placeholder_has_a_name(extracted: dict[str, set[str]], module: str) -> None:
    """A translator may reorder ``{name}``; ``{}`` or ``{0}`` would not say what goes there."""
    for message in extracted[module]:
        for _text, field, _spec, _conversion in string.Formatter().parse(message):
            assert field is None or field.isidentifier(), message


def test_babel_extracts_the_checklist_and_the_install_check(extracted: dict[str, set[str]]) -> None:
    assert {"Session ids carry at least 128 random bits", "why", "#", "requirement",
            "A store outage gets a plain {status}"} <= extracted["demo_server/learn/checklist.py"]
    assert {"{logins} logins, {distinct} distinct ids of {bits} random bits",
            "{query} in the URL: {in_url}; the same value as a cookie: {as_cookie}",
            "silent, idle server", "after", "{seconds} s"} <= extracted["demo_server/learn/checks.py"]
    assert {"Python {version} is too old, the tutorial needs {minimum} or newer", "{line} — fix: {fix}",
            "All set: see you at the workshop.", "{program} for notebook {notebook}"} <= extracted[
        "demo_server/learn/check.py"]
    # Protocol text and values stay out of the messages, as placeholders.
    every = set().union(*extracted.values())
    assert not any("未登入" in message or "Set-Cookie" in message or "__Host-" in message for message in every)
