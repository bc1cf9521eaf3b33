"""``python -m demo_server --workers N``: gunicorn's worker processes, and the classic bug they bring.

Each request below opens a new connection (the server closes every one, as
behind nginx), so any worker may accept it. Which one did is in the server's
access log: each line starts with the worker's pid.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from demo_server import production
from demo_server.runner import ServerProcess, start_server_process, stop_all_servers
from wire import LOGGED_OUT, TIMEOUT

pytestmark = pytest.mark.skipif(production.GUNICORN_MISSING is not None, reason="gunicorn runs on Linux and macOS")

GREETING = "hello 张三 welcome"
ACCESS_LINE = re.compile(r'<(\d+)> "GET (\S+) HTTP/1\.[01]" (\d+)')


@pytest.fixture(autouse=True)
def _stop_servers() -> Iterator[None]:
    yield
    stop_all_servers()


def access_lines(server: ServerProcess, path: str, expected: int) -> list[str]:
    """The pids of the workers that served ``path``, once the log holds all ``expected`` of them."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        pids = [match[1] for line in server.log if (match := ACCESS_LINE.fullmatch(line)) and match[2] == path]
        if len(pids) >= expected or time.monotonic() > deadline:
            return pids
        time.sleep(0.01)


def visit_until_both_workers_answered(server: ServerProcess, cookie: str, limit: int = 400) -> list[str]:
    """``GET /`` with ``cookie``, each time on a new connection, until both workers have served one."""
    bodies: list[str] = []
    while len(bodies) < limit:
        bodies.append(requests.get(server.url + "/", headers={"Cookie": cookie}, timeout=TIMEOUT).text)
        if len(bodies) >= 10 and len(set(access_lines(server, "/", len(bodies)))) == 2:
            return bodies
    raise AssertionError(f"one worker accepted all {limit} connections")


def log_in(server: ServerProcess) -> tuple[str, str]:
    """The ``name=value`` of a fresh login's cookie, and the pid of the worker that stored the session."""
    login = requests.get(server.url + "/login", timeout=TIMEOUT)
    assert login.text == "登入成功"
    [pid] = access_lines(server, "/login", 1)
    return "; ".join(f"{name}={value}" for name, value in login.cookies.items()), pid


def test_memory_store_workers_each_keep_their_own_sessions() -> None:
    """Logged out at random: exactly the requests that the logging-in worker served find the session."""
    server = start_server_process("--workers", "2", name="memory")
    cookie, login_worker = log_in(server)
    bodies = visit_until_both_workers_answered(server, cookie)
    served_by = access_lines(server, "/", len(bodies))
    assert Counter(bodies) == {GREETING: served_by.count(login_worker),
                               LOGGED_OUT: len(bodies) - served_by.count(login_worker)}
    assert served_by.count(login_worker) < len(bodies)
    [warning] = [line for line in server.log if line.startswith("warning:")]
    assert "--store memory with 2 workers" in warning and "logged out at random" in warning


@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_a_shared_store_and_one_secret_serve_the_session_from_every_worker(
        store: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    spec = f"sqlite:{tmp_path / 'sessions.db'}" if store == "sqlite" else request.getfixturevalue("redis_url")
    server = start_server_process("--workers", "2", "--store", spec, name=store)
    cookie, _ = log_in(server)
    bodies = visit_until_both_workers_answered(server, cookie)
    assert set(bodies) == {GREETING}
    assert not [line for line in server.log if line.startswith("warning:")]


def test_the_options_reach_every_worker(tmp_path: Path) -> None:
    server = start_server_process("--workers", "2", "--store", f"sqlite:{tmp_path / 's.db'}",
                                  "--cookie-name", "app", "--max-age", "60", name="options")
    set_cookie = requests.get(server.url + "/login", timeout=TIMEOUT).headers["Set-Cookie"]
    assert re.fullmatch(r"app=[\w-]+\.[\w-]+; Expires=[^;]+; Max-Age=60; HttpOnly; Path=/; SameSite=Lax", set_cookie)


def test_one_worker_gives_no_warning() -> None:
    server = start_server_process("--workers", "1", name="one")
    assert log_in(server)[0]
    assert not [line for line in server.log if line.startswith("warning:")]


def worker_pids(server: ServerProcess) -> list[int]:
    return [int(match[1]) for line in server.log if (match := re.fullmatch(r"Booting worker with pid: (\d+)", line))]


def alive(pid: int) -> bool:
    """Still running: a zombie, waiting for its parent to collect it, has stopped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def test_closing_stdin_stops_the_master_and_every_worker() -> None:
    server = start_server_process("--workers", "2", name="stdin")
    workers = worker_pids(server)
    assert len(workers) == 2
    server.stop()
    deadline = time.monotonic() + TIMEOUT
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(alive(pid) for pid in workers)


def test_sigterm_stops_it_cleanly() -> None:
    process = subprocess.Popen([sys.executable, "-m", "demo_server", "--workers", "2"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().removeprefix("Serving on ")
        assert requests.get(url + "/login", timeout=TIMEOUT).text == "登入成功"
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0
        assert "Traceback" not in stderr and "Shutting down: Master" in stderr
        assert stdout == ""   # stdout carried the one line, nothing else
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize(("args", "message"), [
    (["--store", "bogus:x"], "--store: "),
    (["--workers", "0"], "--workers: must be positive: 0"),
    (["--workers", "2", "--partitioned"], "--partitioned"),
])
def test_bad_options_are_one_line_before_gunicorn_starts(args: list[str], message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "demo_server", "--workers", "2", *args],
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert message in line


def test_without_gunicorn_workers_is_one_clear_line() -> None:
    """As on Windows, where gunicorn does not run."""
    hide_gunicorn = ("import sys, runpy; sys.modules['gunicorn'] = None; sys.argv[1:] = ['--workers', '2']; "
                     "runpy.run_module('demo_server', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", hide_gunicorn], capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.endswith("--workers needs gunicorn, which runs on Linux and macOS (pip install gunicorn) (see --help)")
