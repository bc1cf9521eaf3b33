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

from wire import LOGGED_OUT, TIMEOUT, LoopbackClient, accepts_connections, replay, session_cookie

SERVING = re.compile(r"Serving on http://127\.0\.0\.1:(\d+)")
#: Names of the secrets in the tests below; the CLI reads the secret from the environment too.
SECRET_VARIABLE, FALLBACKS_VARIABLE = "DEMO_SERVER_SECRET", "DEMO_SERVER_SECRET_FALLBACKS"
#: Secrets long enough for the CLI, told apart by their first letter.
OLD, OLDER, NEW, OTHER = ("o" * 40, "p" * 40, "n" * 40, "x" * 40)


def run_cli(*args: str, stdin: int | None = subprocess.DEVNULL, env: dict[str, str] | None = None
            ) -> subprocess.Popen[str]:
    """Start the CLI the way a user would, with stdout and stderr captured separately.

    ``env`` adds to the test's environment, which never passes a secret on by accident.
    """
    inherited = {name: value for name, value in os.environ.items() if name not in (SECRET_VARIABLE, FALLBACKS_VARIABLE)}
    return subprocess.Popen(
        [sys.executable, "-m", "demo_server", *args], stdin=stdin, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**inherited, "PYTHONUNBUFFERED": "1", **(env or {})},
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


def serve_all(cli: list, *servers: tuple[Sequence[str], dict[str, str]]) -> list[str]:
    """Start one CLI per ``(args, env)``, all at once, and return their URLs once each listens."""
    processes = [run_cli(*args, env=env) for args, env in servers]
    cli.extend(processes)
    return [f"http://127.0.0.1:{read_port(process)}" for process in processes]


def one_line_error(process: subprocess.Popen[str], timeout: float = 10.0) -> str:
    """The single stderr line of a CLI that refused to start, after checking it exited 2 and printed nothing else."""
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 2, stderr
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("python -m demo_server: error: "), stderr
    return lines[0]


def login_cookie(url: str) -> str:
    """Log in on ``url`` and return the session cookie as ``name=value``."""
    with LoopbackClient() as c:
        response = c.get(url + "/login")
    assert response.status_code == 200, response.text
    cookie = session_cookie(response)
    assert cookie is not None
    return cookie.pair


def free_port() -> int:
    """A loopback port nothing listens on (the OS does not hand it out again at once)."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


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
    ["--samesite", "lax"], ["--secure", "always"], ["--path", "no-slash"], ["--partitioned"],
    ["--max-age", "200", "--max-age-cap", "100"], ["--max-age-cap", str(401 * 24 * 3600)],
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


def test_secret_from_the_environment(cli: list, tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path / 'sessions.db'}"
    by_option, by_environment = serve_all(cli, (["--store", store, "--secret", NEW], {}),
                                          (["--store", store], {SECRET_VARIABLE: NEW}))
    assert replay(by_environment, login_cookie(by_option)).text == "hello 张三 welcome"
    assert replay(by_option, login_cookie(by_environment)).text == "hello 张三 welcome"


def test_secret_option_wins_over_the_environment(cli: list, tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path / 'sessions.db'}"
    signer, both = serve_all(cli, (["--store", store, "--secret", NEW], {}),
                             (["--store", store, "--secret", NEW], {SECRET_VARIABLE: OTHER}))
    assert replay(both, login_cookie(signer)).text == "hello 张三 welcome"


def test_secret_fallbacks_from_the_environment_add_to_the_options(cli: list, tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path / 'sessions.db'}"
    *signers, rotated = serve_all(
        cli, *[(["--store", store, "--secret", secret], {}) for secret in (OLD, OLDER, OTHER)],
        (["--store", store, "--secret-fallback", OLD], {SECRET_VARIABLE: NEW, FALLBACKS_VARIABLE: f" {OLDER}\n\t"}),
    )
    by_old, by_older, by_other = (login_cookie(url) for url in signers)
    assert replay(rotated, by_old).text == "hello 张三 welcome"  # --secret-fallback
    assert replay(rotated, by_older).text == "hello 张三 welcome"  # DEMO_SERVER_SECRET_FALLBACKS
    assert replay(rotated, by_other).text == LOGGED_OUT  # a secret it was never given


@pytest.mark.parametrize(("args", "env", "source"), [
    (["--secret", "hunter2"], {}, "--secret"),
    ([], {SECRET_VARIABLE: "hunter2"}, SECRET_VARIABLE),
    ([], {SECRET_VARIABLE: ""}, SECRET_VARIABLE),
    (["--secret", NEW, "--secret-fallback", "hunter2"], {}, "--secret-fallback"),
    (["--secret", NEW], {FALLBACKS_VARIABLE: f"{OLD} hunter2"}, FALLBACKS_VARIABLE),
], ids=["option", "environment", "empty environment", "fallback option", "fallback environment"])
def test_short_secret_is_refused_in_one_line(cli: list, args: list[str], env: dict[str, str], source: str) -> None:
    process = run_cli(*args, env=env)
    cli.append(process)
    line = one_line_error(process)
    assert f"error: {source}: " in line and "use at least 32" in line
    assert "hunter2" not in line  # a secret, even a bad one, is never echoed


def test_unreachable_redis_refuses_to_start(cli: list) -> None:
    started = time.monotonic()
    process = run_cli("--store", f"redis://127.0.0.1:{free_port()}/0")
    cli.append(process)
    line = one_line_error(process)
    assert time.monotonic() - started < 5
    assert "--store" in line and "Traceback" not in line


@pytest.mark.parametrize("where", ["missing directory", "a directory", "not a database"])
def test_an_unusable_sqlite_file_refuses_to_start(cli: list, tmp_path: Path, where: str) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is no SQLite database, just text " * 100)
    path = {"missing directory": tmp_path / "missing" / "sessions.db", "a directory": tmp_path,
            "not a database": garbage}[where]
    process = run_cli("--store", f"sqlite:{path}")
    cli.append(process)
    assert "error: --store: " in one_line_error(process)


def test_cookie_options_shape_the_session_cookie(cli: list) -> None:
    [url] = serve_all(cli, (["--samesite", "none", "--no-httponly", "--domain", "example.test", "--path", "/login",
                             "--cookie-name", "demo", "--max-age", "60", "--max-age-cap", "90"], {}))
    with LoopbackClient() as c:
        cookie = session_cookie(c.get(url + "/login"), name="demo")
        remembered = session_cookie(c.get(url + "/login?remember=90"), name="demo")
        refused = c.get(url + "/login?remember=91")
    assert cookie is not None
    assert not cookie.has("SameSite") and not cookie.has("HttpOnly") and not cookie.has("Secure")
    assert (cookie.get("Domain"), cookie.get("Path"), cookie.get("Max-Age")) == ("example.test", "/login", "60")
    assert remembered is not None and remembered.get("Max-Age") == "90"
    assert refused.status_code == 400  # --max-age-cap caps "remember me" too


def test_proxy_lets_a_forwarded_https_carry_a_secure_partitioned_cookie(cli: list) -> None:
    behind_proxy, exposed = serve_all(
        cli, *[([*proxy, "--secure", "--partitioned", "--samesite", "None"], {}) for proxy in (["--proxy"], [])])
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Prefix": "/proxy/8000"}
    with LoopbackClient() as c:
        cookie = session_cookie(c.get(behind_proxy + "/login", headers=forwarded))
        untrusted = c.get(exposed + "/login", headers=forwarded)
    assert cookie is not None
    assert cookie.has("Secure") and cookie.has("Partitioned") and cookie.get("SameSite") == "None"
    assert (cookie.get("Path") or "").startswith("/proxy/8000")
    assert session_cookie(untrusted) is None  # without --proxy the request is plain http: no Secure cookie is sent


def test_secure_auto_follows_the_scheme_the_proxy_reports(cli: list) -> None:
    [url] = serve_all(cli, (["--proxy", "--secure=auto"], {}))
    with LoopbackClient() as c:
        over_https = session_cookie(c.get(url + "/login", headers={"X-Forwarded-Proto": "https"}))
        over_http = session_cookie(c.get(url + "/login"))
    assert over_https is not None and over_https.has("Secure")
    assert over_http is not None and not over_http.has("Secure")


def test_control_characters_in_request_lines_are_escaped_on_stderr(cli: list) -> None:
    process = run_cli()
    cli.append(process)
    port = read_port(process)
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as conn:
        conn.sendall(b"GET /\x1b]0;pwned\x07\x1b[2J HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert conn.recv(4096).startswith(b"HTTP/1.1 404 ")
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=5)
    assert process.returncode == 0
    assert r"GET /\x1b]0;pwned\x07\x1b[2J 404" in stderr.splitlines()
    assert not any(char < " " and char != "\n" for char in stderr)
