"""The package's shape: no import hidden in a function to dodge a cycle, small modules, one home for each idea.

Read from the source with :mod:`ast`, so a rule broken anywhere in
``demo_server`` fails here, not only where a test happens to import it.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from demo_server.learn.client import Exchange

PACKAGE = Path(__file__).resolve().parents[1] / "demo_server"
MAX_LINES = 600

#: Imports of demo_server modules that may run inside a function, and why.
LAZY_IMPORTS_ALLOWED = {
    # The package imports its public names on first use, so the install check runs without Flask.
    ("__init__.py", "__getattr__"),
    # The install check imports each subject only when it checks it (its docstring says why).
    ("learn/check.py", "check_browser"),
    ("learn/check.py", "check_redis"),
}

#: The display's modules, each importing only the ones before it.
DISPLAY_LAYERS = ["explain", "sequence", "text", "html", "views"]


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _targets_demo_server(node: ast.AST) -> bool:
    """Whether ``node`` imports a module of this package (relative, by name, or through importlib)."""
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "demo_server"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "demo_server" for alias in node.names)
    if isinstance(node, ast.Call):  # importlib.import_module(...) or __import__(...), whatever the name
        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        return called in ("import_module", "__import__")
    return False


def _lazy_imports(path: Path) -> list[tuple[str, int, str]]:
    """``(function, line, code)`` of every import of demo_server inside a function or lambda of ``path``."""
    found = []
    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            name = getattr(function, "name", "<lambda>")
            for statement in function.body if isinstance(function.body, list) else [function.body]:
                found += [(name, node.lineno, ast.unparse(node))
                          for node in ast.walk(statement) if _targets_demo_server(node)]
    return sorted(set(found))


def test_no_module_imports_another_inside_a_function() -> None:
    """An import moved into a function hides a cycle instead of breaking it."""
    hidden = [f"{_name(path)}:{line} in {function}(): {code}"
              for path in _modules() for function, line, code in _lazy_imports(path)
              if (_name(path), function) not in LAZY_IMPORTS_ALLOWED]
    assert hidden == []


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import demo_server.app\n\n"
                      "def show(x):\n    from .display import format_exchange\n    return format_exchange(x)\n\n"
                      "class C:\n    def m(self):\n        import demo_server.runner\n        import json\n\n"
                      "later = lambda: importlib.import_module('demo_server.stores')\n")
    assert [(function, line) for function, line, _ in _lazy_imports(sample)] == [
        ("<lambda>", 12), ("m", 9), ("show", 4)]


def test_no_module_has_more_than_600_lines() -> None:
    lengths = {_name(path): len(path.read_text(encoding="utf-8").splitlines()) for path in _modules()}
    assert {name: lines for name, lines in lengths.items() if lines > MAX_LINES} == {}


def test_the_shape_of_a_session_id_is_written_down_once() -> None:
    """signing.py defines SESSION_ID_PATTERN and SIGNED_SESSION_ID; everyone else imports them."""
    copies = [f"{_name(path)}:{node.lineno}" for path in _modules() if _name(path) != "signing.py"
              for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
              if isinstance(node, ast.Constant) and isinstance(node.value, str) and "{43}" in node.value]
    assert copies == [], "import SESSION_ID_PATTERN or SIGNED_SESSION_ID from demo_server.signing"


def test_the_display_modules_import_only_the_ones_before_them() -> None:
    for position, layer in enumerate(DISPLAY_LAYERS):
        tree = ast.parse((PACKAGE / "learn" / "display" / f"{layer}.py").read_text(encoding="utf-8"))
        siblings = {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module}
        assert siblings <= set(DISPLAY_LAYERS[:position]), layer


def test_the_client_imports_no_display_code() -> None:
    tree = ast.parse((PACKAGE / "learn" / "client.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any("display" in (module or "") for module in imported)


# -- importing demo_server.learn ------------------------------------------------------------------


def _fresh_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_importing_the_client_alone_registers_how_exchanges_look() -> None:
    """A notebook may import the client first and show an exchange before it imports any display."""
    completed = _fresh_python("from demo_server.learn.client import Exchange\n"
                              "print(sorted(Exchange.formatters), Exchange.formatters['text'].__module__)")
    assert completed.stdout.split() == ["['html',", "'text']", "demo_server.learn.display.text"], completed.stderr
    assert set(Exchange.formatters) == {"text", "html"}


@pytest.mark.parametrize("missing", ["requests", "itsdangerous"])
def test_the_learn_package_imports_without_its_dependencies_so_the_install_check_can_run(missing: str) -> None:
    """``python -m demo_server.learn.check`` imports this package first; it must print ✗ lines, not a traceback."""
    completed = _fresh_python(f"import sys; sys.modules[{missing!r}] = None\n"
                              "import demo_server.learn; print('imported')")
    assert completed.stdout == "imported\n", completed.stderr
