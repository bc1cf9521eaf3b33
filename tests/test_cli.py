"""``python -m demo_server``: one line on stdout, clean exits, one-line errors, no orphans."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from wire import LOGGED_OUT, LoopbackClient, accepts_connections

SERVING = re.compile(r"Serving on http://127\.0\.0\.1:(\d+)")


def run_cli(*args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.Popen[str]:
    """Start the CLI the way a user would, with stdout and stderr captured separately."""
    return subprocess.Popen(
        [sys.executable, "-m", "demo_server", *args], stdin=stdin, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.fixture
def cli() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; any still running at the end are killed, not left behind."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


def read_port(process: subprocess.Popen[str]) -> int:
    assert process.stdout is not None
    line = process.stdout.readline()
    match = SERVING.fullmatch(line.rstrip("\n"))
    assert match, f"unexpected first line: {line!r}"
    return int(match.group(1))


def wait_gone(pid: int, timeout: float) -> bool:
    """Whether ``pid`` exits within ``timeout`` (a zombie nobody reaps counts as gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_prints_one_line_serves_and_exits_0_on_sigterm(cli: list) -> None:
    process = run_cli("--max-age", "60")
    cli.append(process)
    port = read_port(process)
    with LoopbackClient() as c:
        assert c.get(f"http://127.0.0.1:{port}/").text == LOGGED_OUT
        assert c.get(f"http://127.0.0.1:{port}/login").status_code == 200
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=5)
    assert process.returncode == 0
    assert time.monotonic() - started < 2
    assert stdout == ""  # nothing after the one line already read
    assert "GET / 200" in stderr.splitlines() and "GET /login 200" in stderr.splitlines()
    assert "Traceback" not in stderr
    assert not accepts_connections(port)


@pytest.mark.parametrize("args", [
    ["--port", "abc"], ["--port", "70000"], ["--max-age", "-1"], ["--store", "bogus"],
], ids=" ".join)
def test_bad_arguments_exit_2_with_one_line(cli: list, args: Sequence[str]) -> None:
    process = run_cli(*args)
    cli.append(process)
    stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 2
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1 and "error" in lines[0], stderr
    assert args[0] in lines[0]  # it names the option at fault


def test_busy_port_exits_2_with_one_line(cli: list) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        process = run_cli("--port", str(port))
        cli.append(process)
        stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 2
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1 and str(port) in lines[0], stderr


def test_exit_with_stdin_stops_when_stdin_closes(cli: list) -> None:
    process = run_cli("--exit-with-stdin", stdin=subprocess.PIPE)
    cli.append(process)
    port = read_port(process)
    with LoopbackClient() as c:
        assert c.get(f"http://127.0.0.1:{port}/").text == LOGGED_OUT
    assert process.stdin is not None
    process.stdin.close()
    assert process.wait(timeout=5) == 0
    assert process.stderr is not None and "Traceback" not in process.stderr.read()
    assert not accepts_connections(port)


def test_exit_with_stdin_exits_cleanly_however_early_stdin_closes(cli: list) -> None:
    """A parent may die while the child is still starting: stdin is closed from the start here."""
    processes = [run_cli("--exit-with-stdin", stdin=subprocess.DEVNULL) for _ in range(3)]
    cli.extend(processes)
    for process in processes:
        stdout, stderr = process.communicate(timeout=10)
        assert process.returncode == 0, stderr
        assert stderr == ""
        # Stopped before, during or after printing its line: never anything else.
        assert stdout == "" or SERVING.fullmatch(stdout.rstrip("\n")) or "Serving on ".startswith(stdout)


ORPHAN_PARENT = textwrap.dedent("""
    import time
    from demo_server.runner import start_server_process
    child = start_server_process(name="orphan-test")
    print(child.pid, child.port, flush=True)
    time.sleep(60)
""")


def test_server_process_dies_with_a_killed_parent() -> None:
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN_PARENT], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    child_pid = 0
    try:
        assert parent.stdout is not None
        pid_text, port_text = parent.stdout.readline().split()
        child_pid, port = int(pid_text), int(port_text)
        with LoopbackClient() as c:
            assert c.get(f"http://127.0.0.1:{port}/").text == LOGGED_OUT
        parent.kill()  # SIGKILL: no atexit, no cleanup in the parent
        parent.wait(timeout=5)
        assert wait_gone(child_pid, timeout=5), "the server outlived its parent"
        assert not accepts_connections(port)
    finally:
        if parent.poll() is None:
            parent.kill()
        parent.communicate(timeout=5)
        if child_pid and not wait_gone(child_pid, 0):
            os.kill(child_pid, signal.SIGKILL)  # never leave our own orphan behind
